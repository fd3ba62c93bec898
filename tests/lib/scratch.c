/*
 * scratch.c - a test's throwaway folder (see scratch.h).
 */
#include "config.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"

void scratch_make(char *dir, size_t dirlen, const char *name)
{
    int n = snprintf(dir, dirlen, "/tmp/eksauth-test-%s.XXXXXX", name);

    assert_true(n > 0 && (size_t)n < dirlen);
    if (mkdtemp(dir) == NULL)
        fail_msg("mkdtemp %s failed", dir);
}

/* Children first (FTW_DEPTH): a folder is empty by the time it is removed. */
static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    return type == FTW_DP ? rmdir(path) : unlink(path);
}

struct scratch *scratch_new(const char *name, const char *file)
{
    struct scratch *s = calloc(1, sizeof(*s));

    assert_non_null(s);
    scratch_make(s->dir, sizeof(s->dir), name);
    assert_true((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, file) <
                sizeof(s->path));
    return s;
}

void scratch_free(struct scratch *s)
{
    scratch_remove(s->dir);
    free(s);
}

void scratch_remove(const char *dir)
{
    /* A test may have taken the folder's permissions away to see a refusal. */
    (void)chmod(dir, 0700);
    if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fail_msg("cannot remove %s", dir);
}
