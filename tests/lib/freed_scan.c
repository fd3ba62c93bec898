/*
 * freed_scan.c - see freed_scan.h.  free() is defined here, so a program
 * built with this file (mk/tests.am: FREED_SCAN, never in libtest.a) has
 * every free() of every library come here first; the real one is the next
 * in the lookup order (the C library's, or a sanitizer's), found with
 * dlsym.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "freed_scan.h"

#define SECRET_MAX 8192

static char secret[SECRET_MAX];
static size_t secret_len;
static unsigned long hits;

void freed_scan_arm(const char *s, size_t len)
{
    if (len > SECRET_MAX)
        abort();
    memcpy(secret, s, len);
    hits = 0;
    secret_len = len;
}

unsigned long freed_scan_disarm(void)
{
    secret_len = 0;
    memset(secret, 0, sizeof(secret));
    return hits;
}

void free(void *p)
{
    static void (*real)(void *);
    static int resolving;

    if (p != NULL && secret_len > 0 && memmem(p, malloc_usable_size(p), secret, secret_len) != NULL)
        hits++;
    if (real == NULL) {
        /* dlsym may free on its way: such a block is left alone, not freed through us again. */
        if (resolving)
            return;
        resolving = 1;
        *(void **)&real = dlsym(RTLD_NEXT, "free");
        resolving = 0;
        if (real == NULL)
            abort();
    }
    real(p);
}
