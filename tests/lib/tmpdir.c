/*
 * tmpdir.c - the unit tests' private temp folder (see tmpdir.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "tmpdir.h"

char tmpdir[256];

int tmpdir_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/eksauth-test.XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

int tmpdir_teardown(void **state)
{
    char cmd[512];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}
