/*
 * tmpdir.c - the unit tests' private temp folder (see tmpdir.h).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scratch.h"
#include "tmpdir.h"

char tmpdir[256];

int tmpdir_setup(void **state)
{
    const char *base = scratch_base();
    int n = snprintf(tmpdir, sizeof(tmpdir), "%s/eksauth-test.XXXXXX", base);

    (void)state;
    /* Held to a scratch folder's length: the tests size their paths for it (scratch.h). */
    if (n < 0 || n >= SCRATCH_DIR_MAX) {
        fprintf(stderr,
                "TMPDIR %s is too long: %s/eksauth-test.XXXXXX takes %d bytes, a test "
                "folder's name %d at most (tests/lib/scratch.h); set a shorter TMPDIR\n",
                base, base, n + 1, SCRATCH_DIR_MAX);
        return -1;
    }
    if (mkdtemp(tmpdir) == NULL) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return -1;
    }
    return 0;
}

int tmpdir_teardown(void **state)
{
    (void)state;
    scratch_remove(tmpdir);
    return 0;
}
