/*
 * scratch.c - a test's throwaway folder (see scratch.h).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"

/*
 * Every folder made here is removed when the test program ends, too: a
 * failed assertion leaves its test before the test's own cleanup.  Only
 * by the process that made it (a test's child that calls exit() must not
 * take its parent's folders away).
 */
#define SCRATCH_MAX 256
static char made[SCRATCH_MAX][SCRATCH_DIR_MAX];
static pid_t made_by;

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw);

static void remove_left(void)
{
    size_t i;

    if (getpid() != made_by)
        return;
    for (i = 0; i < SCRATCH_MAX; i++) {
        if (made[i][0] == '\0')
            continue;
        (void)chmod(made[i], 0700);
        (void)nftw(made[i], remove_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

static void remember(const char *dir)
{
    size_t i;

    if (made_by == 0) {
        made_by = getpid();
        atexit(remove_left);
    }
    for (i = 0; i < SCRATCH_MAX; i++) {
        if (made[i][0] == '\0' && strlen(dir) < sizeof(made[i])) {
            strcpy(made[i], dir);
            return;
        }
    }
}

static void forget(const char *dir)
{
    size_t i;

    for (i = 0; i < SCRATCH_MAX; i++)
        if (strcmp(made[i], dir) == 0)
            made[i][0] = '\0';
}

const char *scratch_base(void)
{
    const char *t = getenv("TMPDIR");

    /* A relative one would move with the tests that chdir (test_file.c). */
    return t != NULL && t[0] == '/' ? t : "/tmp";
}

void scratch_make(char *dir, size_t dirlen, const char *name)
{
    const char *base = scratch_base();
    int n = snprintf(dir, dirlen, "%s/eksauth-test-%s.XXXXXX", base, name);

    /* SCRATCH_DIR_MAX whatever dirlen: what the tests make in the folder is sized for it. */
    if (n < 0 || (size_t)n >= dirlen || n >= SCRATCH_DIR_MAX)
        fail_msg("TMPDIR %s is too long for this test: %s/eksauth-test-%s.XXXXXX takes %d bytes, "
                 "a scratch folder's name %d at most (tests/lib/scratch.h); set a shorter TMPDIR",
                 base, base, name, n + 1, SCRATCH_DIR_MAX);
    if (mkdtemp(dir) == NULL)
        fail_msg("mkdtemp %s failed: %s", dir, strerror(errno));
    remember(dir);
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
    if ((size_t)snprintf(s->path, sizeof(s->path), "%s/%s", s->dir, file) >= sizeof(s->path))
        fail_msg("%s/%s: longer than a scratch path (tests/lib/scratch.h)", s->dir, file);
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
    forget(dir);
}
