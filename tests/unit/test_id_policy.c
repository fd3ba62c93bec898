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
#include <stdlib.h>
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
    assert_int_equal(f.n, 3);
    assert_true(has(&f, "overlaps the subordinate ids useradd gives"));
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
 * useradd also gives every new account a block of subordinate ids
 * (/etc/subuid, /etc/subgid: SUB_UID_MIN..SUB_UID_MAX of login.defs, by
 * default 100000-600100000), which its owner acts as in a user namespace:
 * an eksauth id among them is that account's to read and write.
 */
static void test_range_subordinate_ids(void **state)
{
    static const char text[] = "SUB_UID_MIN 200000\n"
                               "SUB_UID_MAX 300000\n"
                               "SUB_GID_MIN 400000\n"
                               "SUB_GID_MAX 500000\n";
    struct eksauth_login_defs d;
    struct eksauth_strlist f = {0};

    (void)state;
    eksauth_login_defs_parse("", 0, &d);
    assert_int_equal(d.sub_uid_min, 100000);
    assert_int_equal(d.sub_uid_max, 600100000);
    assert_int_equal(d.sub_gid_min, 100000);
    assert_int_equal(d.sub_gid_max, 600100000);
    /* A range above UID_MAX, the natural choice, is where useradd gives subordinate ids. */
    assert_int_equal(eksauth_id_policy_range(100000, 200000, &d, NULL, 0, &f, NULL), EKSAUTH_OK);
    assert_int_equal(f.n, 1);
    assert_true(has(&f, "overlaps the subordinate ids useradd gives (/etc/login.defs: "
                        "100000-600100000, "));
    assert_true(has(&f, "set uid_min above 600100000"));
    eksauth_strlist_free(&f);
    eksauth_login_defs_parse(text, strlen(text), &d);
    assert_int_equal(d.sub_uid_min, 200000);
    assert_int_equal(d.sub_gid_max, 500000);
    /* Between the two ranges: clear. */
    assert_int_equal(eksauth_id_policy_range(300001, 399999, &d, NULL, 0, &f, NULL), EKSAUTH_OK);
    assert_int_equal(f.n, 0);
    /* Only the gids' range counts too: users and groups share eksauth's one range. */
    assert_int_equal(eksauth_id_policy_range(450000, 460000, &d, NULL, 0, &f, NULL), EKSAUTH_OK);
    assert_int_equal(f.n, 1);
    assert_true(has(&f, "(/etc/login.defs: 200000-500000, "));
    eksauth_strlist_free(&f);
    /* The default range is clear of the defaults. */
    eksauth_login_defs_parse("", 0, &d);
    assert_int_equal(eksauth_id_policy_range(1900000000u, 1999999999u, &d, NULL, 0, &f, NULL),
                     EKSAUTH_OK);
    assert_int_equal(f.n, 0);
}

/* Write text to dir/name. */
static void write_beside(const char *dir, const char *name, const char *text, char *path,
                         size_t cap)
{
    FILE *f;

    snprintf(path, cap, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/*
 * Blocks /etc/subuid and /etc/subgid already delegate inside the range: a
 * sync says so (eksauth never gives those ids; a templated login landing on
 * one is refused), with an example block.  None there, nothing said.
 */
static void test_subordinate_blocks_in_range(void **state)
{
    struct host_fixture *h = host_fixture_new("uid_min = 1000000\nuid_max = 1999999\n", NULL);
    char passwd[256], group[256], subuid[256], subgid[256];
    struct eksauth_strlist w = {0};
    struct eksauth_error err;

    (void)state;
    write_beside(h->dir, "passwd", "root:x:0:0:root:/root:/bin/bash\n", passwd, sizeof(passwd));
    write_beside(h->dir, "group", "root:x:0:\n", group, sizeof(group));
    write_beside(h->dir, "subuid", "alice:100000:65536\n", subuid, sizeof(subuid));
    write_beside(h->dir, "subgid", "alice:100000:65536\nbob:1065536:65536\n", subgid,
                 sizeof(subgid));
    h->passwd_path = passwd;
    h->group_path = group;
    host_fixture_reopen(h);
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 0, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_true(has(&w, "uid_min..uid_max (1000000-1999999) holds subordinate ids of local "
                        "accounts (/etc/subuid, /etc/subgid: 1 block, e.g. 1065536-1131071)"));
    eksauth_strlist_free(&w);
    /* Outside the range: not a word of it. */
    write_beside(h->dir, "subgid", "alice:100000:65536\n", subgid, sizeof(subgid));
    host_fixture_reopen(h);
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 0, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_false(has(&w, "holds subordinate ids"));
    eksauth_strlist_free(&w);
    host_fixture_free(h);
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
    const char *nss_key;
    char key[192];
    FILE *f;

    (void)state;
    /* No id_key_file: the NSS module's own key, nothing to say about it. */
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 1, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_false(has(&w, "the NSS module reads"));
    eksauth_strlist_free(&w);
    snprintf(key, sizeof(key), "%s/id.key", h->dir);
    assert_int_equal(eksauth_idkey_default_path(&nss_key, &err), EKSAUTH_OK);
    assert_string_not_equal(key, nss_key);
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
    /* An EKSAUTH_ID_KEY NSS would refuse (lib/idkey.c): no key for it either, and why. */
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "id.key", 1), 0);
    assert_int_equal(eksauth_id_policy_warnings(&h->ctx, 1, "/nonexistent", &w, &err), EKSAUTH_OK);
    assert_true(has(&w, "but the NSS module reads no key (id key: EKSAUTH_ID_KEY must be an "
                        "absolute path, not a relative one (6 bytes, not shown))"));
    assert_false(has(&w, "'id.key'")); /* never its value: it could be the key itself */
    unsetenv("EKSAUTH_ID_KEY");
    eksauth_strlist_free(&w);
    host_fixture_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_defs),
        cmocka_unit_test(test_range_subordinate_ids),
        cmocka_unit_test(test_subordinate_blocks_in_range),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_key_nss_does_not_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
