/*
 * failalloc.c - allocation failures in pam_eksauth.so, for
 * tests/hardening/failalloc_pam.sh: linked into a copy of the PAM driver
 * (pam_batch_failalloc, -export-dynamic), whose malloc, calloc, realloc,
 * strdup and strndup then stand in for the C library's in every library
 * the process loads.  An allocation called from the module itself (its
 * code and the library compiled into it) is counted; with FAILALLOC_AT=N
 * the Nth of them fails (NULL, errno ENOMEM), as it would under a
 * caller's small RLIMIT_AS.  At exit "failalloc: COUNT" goes to stderr.
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

static unsigned long counted, fail_at;
static int fail_at_read;
static __thread int busy; /* dladdr or getenv of our own: not counted */

/* Whether the allocation called from ret should fail (counting the module's own). */
static int should_fail(const void *ret)
{
    Dl_info info;
    const char *env;
    int fail = 0;

    if (busy)
        return 0;
    busy = 1;
    if (!fail_at_read) {
        env = getenv("FAILALLOC_AT");
        fail_at = env != NULL ? strtoul(env, NULL, 10) : 0;
        fail_at_read = 1;
    }
    if (dladdr(ret, &info) != 0 && info.dli_fname != NULL &&
        strstr(info.dli_fname, "pam_eksauth.so") != NULL)
        fail = ++counted == fail_at;
    busy = 0;
    if (fail)
        errno = ENOMEM;
    return fail;
}

void *malloc(size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : __libc_realloc(p, size);
}

char *strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = should_fail(__builtin_return_address(0)) ? NULL : __libc_malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

char *strndup(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    char *p = should_fail(__builtin_return_address(0)) ? NULL : __libc_malloc(n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

__attribute__((destructor)) static void report(void)
{
    fprintf(stderr, "failalloc: %lu\n", counted);
}
