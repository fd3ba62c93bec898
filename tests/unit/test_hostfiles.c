/*
 * test_hostfiles.c - the names and ids of the host's own accounts
 * (lib/hostfiles.c), read from passwd and group files directly.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/hostfiles.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void test_names_and_ids(void **state)
{
    char dir[] = "/tmp/test_hostfiles.XXXXXX", pw[64], gr[64];
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};
    uint32_t gid = 0;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(pw, sizeof(pw), "%s/passwd", dir);
    snprintf(gr, sizeof(gr), "%s/group", dir);
    write_text(pw, "root:x:0:0:root:/root:/bin/bash\n"
                   "svc:x:1500:1600:svc:/srv:/bin/sh\n");
    write_text(gr, "root:x:0:\n"
                   "docker:x:999:svc\n"
                   "svc:x:1600:\n");
    assert_int_equal(eksauth_hostfiles_load(&hf, pw, gr, &err), EKSAUTH_OK);
    assert_true(hf.host.local_user(hf.host.ctx, "svc"));
    assert_false(hf.host.local_user(hf.host.ctx, "docker"));
    assert_true(hf.host.local_group(hf.host.ctx, "docker", &gid));
    assert_int_equal(gid, 999);
    /* Every uid, every primary gid and every group's gid, once each, sorted. */
    assert_int_equal(hf.n_ids, 4);
    assert_int_equal(hf.ids[0], 0);
    assert_int_equal(hf.ids[3], 1600);
    assert_true(hf.host.local_id(hf.host.ctx, 1500));
    assert_true(hf.host.local_id(hf.host.ctx, 1600));
    assert_true(hf.host.local_id(hf.host.ctx, 999));
    assert_false(hf.host.local_id(hf.host.ctx, 1000));
    eksauth_hostfiles_free(&hf);
    unlink(pw);
    unlink(gr);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_ids),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
