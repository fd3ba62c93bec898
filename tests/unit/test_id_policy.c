/*
 * test_id_policy.c - the id range against the host's own (lib/id_policy.c):
 * /etc/login.defs' ranges and the local ids, and the warning of a host
 * whose templated ids have no key, or a key the NSS module does not read
 * (on a throwaway host, tests/lib/host_fixture.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "eksauth/id_policy.h"
#include "eksauth/idkey.h"
#include "host_fixture.h"

static void test_login_defs(void **state)
{
    static const char text[] = "# comment\n"
                               "UID_MIN\t\t\t 1000\n"
                               "UID_MAX\t\t\t60000\n"
                               "#SYS_UID_MIN\t\t  100\n"
                               "GID_MIN 2000\n"
                               "GID_MAX 70000\n"
                               "SYS_GID_MIN 150\n"
                               "SYS_GID_MAX 1999\n"
                               "UID_MINX 5\n";
    struct eksauth_login_defs d;

    (void)state;
    eksauth_login_defs_parse(text, strlen(text), &d);
    assert_int_equal(d.uid_min, 1000);
    assert_int_equal(d.uid_max, 60000);
    assert_int_equal(d.sys_uid_min, 101); /* commented out: shadow-utils' default */
    assert_int_equal(d.sys_uid_max, 999); /* UID_MIN - 1 */
    assert_int_equal(d.gid_min, 2000);
    assert_int_equal(d.gid_max, 70000);
    assert_int_equal(d.sys_gid_min, 150);
    assert_int_equal(d.sys_gid_max, 1999);
    eksauth_login_defs_parse("", 0, &d);
    assert_int_equal(d.uid_max, 60000);
}

static bool has(const struct eksauth_strlist *l, const char *needle)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strstr(l->v[i], needle) != NULL)
            return true;
    return false;
}

static void test_range(void **state)
{
    struct eksauth_login_defs d;
    struct eksauth_strlist f = {0};
    const uint32_t local[] = {0, 1000, 1001, 65534};

    (void)state;
    eksauth_login_defs_parse("", 0, &d);
    /* The default range is clear of both. */
    assert_int_equal(eksauth_id_policy_range(1900000000u, 1999999999u, &d, local, 4, &f, NULL),
                     EKSAUTH_OK);
    assert_int_equal(f.n, 0);
    /* uid_min = 1000: what useradd gives, and local accounts already there. */
    assert_int_equal(eksauth_id_policy_range(1000, 2000000, &d, local, 4, &f, NULL), EKSAUTH_OK);
    assert_int_equal(f.n, 2);
    assert_true(has(&f, "overlaps the ids useradd and groupadd give (/etc/login.defs: 101-60000)"));
    assert_true(has(&f, "set uid_min above 60000"));
    assert_true(has(&f, "uid_min..uid_max (1000-2000000) holds local uids or gids (3, e.g. 1000)"));
    eksauth_strlist_free(&f);
    /* Above login.defs, but a local id inside. */
    assert_int_equal(eksauth_id_policy_range(65000, 70000, &d, local, 4, &f, NULL), EKSAUTH_OK);
    assert_int_equal(f.n, 1);
    assert_true(has(&f, "holds local uids or gids (1, e.g. 65534)"));
    eksauth_strlist_free(&f);
}

/*
 * The NSS module reads no config, only the default key: an id_key_file
 * elsewhere leaves it answering no templated name, and the sync says so.
 */
static void test_key_nss_does_not_read(void **state)
{
    static const char *const aws_auth = "mapRoles: |\n"
                                        "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
                                        "    username: admin:{{SessionName}}\n";
    struct host_fixture *h = host_fixture_new(NULL, aws_auth);
    struct eksauth_strlist w = {0};
    struct eksauth_error err;
    char key[192];
    FILE *f;

    (void)state;
    /* No id_key_file: the NSS module's own key, nothing to say about it. */
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 1, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_false(has(&w, "the NSS module reads"));
    eksauth_strlist_free(&w);
    snprintf(key, sizeof(key), "%s/id.key", h->dir);
    assert_string_not_equal(key, eksauth_idkey_default_path());
    f = fopen(key, "w");
    assert_non_null(f);
    assert_true(fputs("0123456789abcdef0123456789abcdef", f) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(key, 0400), 0);
    f = fopen(h->config, "a");
    assert_non_null(f);
    assert_true(fprintf(f, "id_key_file = %s\n", key) > 0);
    assert_int_equal(fclose(f), 0);
    host_fixture_reopen(h);
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 1, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_true(has(&w, "but the NSS module reads"));
    assert_true(has(&w, "it answers no templated name until the key is there too"));
    eksauth_strlist_free(&w);
    host_fixture_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_defs),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_key_nss_does_not_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
