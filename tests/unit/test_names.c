/*
 * test_names.c - k8s names to POSIX names, reserved names, and the
 * deterministic ids of lib/names.c, against the rules written in names.h.
 * Expected hashes come from a reference FNV-1a written here, and a few
 * literal values computed outside C, so the formula cannot drift silently.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/names.h"

/* ---- reference implementation of the documented formulas ---- */

static uint64_t ref_fnv(const unsigned char *p, size_t n, uint64_t h)
{
    while (n-- > 0) {
        h ^= *p++;
        h *= 1099511628211ull; /* the 64-bit FNV prime */
    }
    return h;
}

static uint32_t ref_id(const char *name, uint32_t probe, uint32_t lo, uint32_t hi)
{
    unsigned char le[4] = {probe & 0xff, (probe >> 8) & 0xff, (probe >> 16) & 0xff, probe >> 24};
    uint64_t h = ref_fnv((const unsigned char *)name, strlen(name), 14695981039346656037ull);

    h = ref_fnv(le, 4, h);
    return lo + (uint32_t)((h ^ (h >> 32)) % ((uint64_t)hi - lo + 1));
}

/* The 8-hex suffix of a cut name: fold of FNV-1a-64 of the original. */
static void ref_suffix(const char *original, char out[9])
{
    uint64_t h =
        ref_fnv((const unsigned char *)original, strlen(original), 14695981039346656037ull);

    snprintf(out, 9, "%08x", (unsigned)(uint32_t)(h ^ (h >> 32)));
}

static void assert_login(const char *k8s, const char *want)
{
    char out[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_names_login(k8s, out, &err), EKSAUTH_OK);
    assert_string_equal(out, want);
    assert_true(eksauth_names_valid(out));
}

static void assert_login_refused(const char *k8s)
{
    char out[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_names_login(k8s, out, &err), EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    assert_memory_equal(err.msg, "name: ", 6);
}

/* ---- FNV-1a ---- */

static void test_fnv_vectors(void **state)
{
    (void)state;
    /* The published FNV-1a-64 test vectors. */
    assert_true(eksauth_fnv1a64("", 0, EKSAUTH_FNV1A64_INIT) == 0xcbf29ce484222325ull);
    assert_true(eksauth_fnv1a64("a", 1, EKSAUTH_FNV1A64_INIT) == 0xaf63dc4c8601ec8cull);
    assert_true(eksauth_fnv1a64("foobar", 6, EKSAUTH_FNV1A64_INIT) == 0x85944171f73967e8ull);
    /* The seed continues a hash: hashing in two parts equals hashing the whole. */
    assert_true(eksauth_fnv1a64("bar", 3, eksauth_fnv1a64("foo", 3, EKSAUTH_FNV1A64_INIT)) ==
                0x85944171f73967e8ull);
}

/* ---- login names ---- */

static void test_login_plain(void **state)
{
    (void)state;
    assert_login("alice", "alice");
    assert_login("a.b_c-d9", "a.b_c-d9");
    assert_login("_svc", "_svc");
}

static void test_login_colon_at_upper(void **state)
{
    (void)state;
    assert_login("admin:alice", "admin-alice");
    assert_login("Alice@Example.COM", "alice-example.com");
    assert_login("admin:Alice@example.com", "admin-alice-example.com");
    assert_login("a b/c,d\te", "a-b-c-d-e");
}

static void test_login_leading(void **state)
{
    (void)state;
    assert_login("1ops", "_1ops");
    assert_login("-x", "_-x");
    assert_login(".hidden", "_.hidden");
    assert_login(":admin", "_-admin");
    assert_login("@corp", "_-corp");
    assert_login("Zed", "zed");
}

static void test_login_utf8(void **state)
{
    (void)state;
    /* Each byte of a multi-byte character becomes '-': é is 0xc3 0xa9. */
    assert_login("jos\xc3\xa9", "jos--");
    assert_login("\xc3\xa9mile", "_--mile");
}

static void test_login_refused(void **state)
{
    (void)state;
    assert_login_refused("");
    assert_login_refused(NULL);
    assert_login_refused("@@@");
    assert_login_refused("...");
    assert_login_refused("_");
    assert_login_refused("-");
    assert_login_refused("\xc3\xa9");
}

static void test_login_32_bytes_kept(void **state)
{
    const char *n32 = "abcdefghijklmnopqrstuvwxyz012345";
    (void)state;
    assert_int_equal(strlen(n32), 32);
    assert_login(n32, n32);
    /* 31 bytes plus the leading '_' is exactly 32: still not cut. */
    assert_login("1bcdefghijklmnopqrstuvwxyz01234", "_1bcdefghijklmnopqrstuvwxyz01234");
}

static void test_login_33_bytes_cut(void **state)
{
    const char *n33 = "abcdefghijklmnopqrstuvwxyz0123456";
    char want[EKSAUTH_NAME_MAX + 1], sfx[9];
    (void)state;
    ref_suffix(n33, sfx);
    snprintf(want, sizeof(want), "%.23s-%s", n33, sfx);
    assert_int_equal(strlen(want), 32);
    assert_login(n33, want);
}

static void test_login_cut_literal(void **state)
{
    char name[41];
    (void)state;
    /* A value computed outside C (Python) from the documented rule. */
    memset(name, 'a', 40);
    name[40] = '\0';
    assert_login(name, "aaaaaaaaaaaaaaaaaaaaaaa-e5c6ec64");
}

static void test_login_cut_hashes_original(void **state)
{
    /* Same prefix, same mapped text even: only the hash of the original tells them apart. */
    const char *a = "team:platform-engineering-oncall:alice";
    const char *b = "team:platform-engineering-oncall:alicf";
    const char *c = "team@platform-engineering-oncall:alice";
    char oa[EKSAUTH_NAME_MAX + 1], ob[EKSAUTH_NAME_MAX + 1], oc[EKSAUTH_NAME_MAX + 1], sfx[9];
    (void)state;

    assert_int_equal(eksauth_names_login(a, oa, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_names_login(b, ob, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_names_login(c, oc, NULL), EKSAUTH_OK);
    assert_int_equal(strlen(oa), 32);
    assert_memory_equal(oa, ob, 23);
    assert_memory_equal(oa, oc, 23); /* ':' and '@' both map to '-' */
    assert_string_not_equal(oa, ob);
    assert_string_not_equal(oa, oc);
    ref_suffix(c, sfx);
    assert_string_equal(oc + 24, sfx);
}

static void test_login_never_unsafe(void **state)
{
    char in[4], out[EKSAUTH_NAME_MAX + 1];
    int c;
    (void)state;

    /* Every byte, in the middle of a name: the result is always a valid name. */
    for (c = 1; c < 256; c++) {
        in[0] = 'a';
        in[1] = (char)c;
        in[2] = 'b';
        in[3] = '\0';
        assert_int_equal(eksauth_names_login(in, out, NULL), EKSAUTH_OK);
        assert_true(eksauth_names_valid(out));
        assert_null(strpbrk(out, ":,/\n "));
        assert_int_equal(strlen(out), 3);
    }
}

/* ---- group names ---- */

static void test_group_default_prefix(void **state)
{
    char out[EKSAUTH_NAME_MAX + 1];
    (void)state;

    assert_int_equal(eksauth_names_group("system:masters", NULL, out, NULL), EKSAUTH_OK);
    assert_string_equal(out, "eks-system-masters");
    assert_int_equal(eksauth_names_group("Dev Ops", "eks-", out, NULL), EKSAUTH_OK);
    assert_string_equal(out, "eks-dev-ops");
    /* The prefix starts with a letter: no '_' however the group starts. */
    assert_int_equal(eksauth_names_group("1team", NULL, out, NULL), EKSAUTH_OK);
    assert_string_equal(out, "eks-1team");
}

static void test_group_custom_prefix(void **state)
{
    char out[EKSAUTH_NAME_MAX + 1];
    (void)state;

    assert_int_equal(eksauth_names_group("system:masters", "k8s_", out, NULL), EKSAUTH_OK);
    assert_string_equal(out, "k8s_system-masters");
    assert_int_equal(eksauth_names_group("viewers", "_c1.", out, NULL), EKSAUTH_OK);
    assert_string_equal(out, "_c1.viewers");
}

static void test_group_bad_prefix(void **state)
{
    char out[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err = {0};
    (void)state;

    assert_int_equal(eksauth_names_group("g", "", out, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "name: bad group prefix");
    assert_int_equal(eksauth_names_group("g", "Eks-", out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group("g", "-eks", out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group("g", "eks:", out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group("g", "abcdefghijklmnopq", out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group("g", "abcdefghijklmnop", out, NULL), EKSAUTH_OK);
}

static void test_group_refused(void **state)
{
    char out[EKSAUTH_NAME_MAX + 1];
    (void)state;

    assert_int_equal(eksauth_names_group("", NULL, out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group(NULL, NULL, out, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_names_group(":::", NULL, out, NULL), EKSAUTH_EINVAL);
}

static void test_group_length_counts_prefix(void **state)
{
    const char *g28 = "abcdefghijklmnopqrstuvwxyz01";
    const char *g29 = "abcdefghijklmnopqrstuvwxyz012";
    char out[EKSAUTH_NAME_MAX + 1], want[EKSAUTH_NAME_MAX + 1], sfx[9];
    (void)state;

    /* "eks-" + 28 = 32: kept whole. */
    assert_int_equal(eksauth_names_group(g28, NULL, out, NULL), EKSAUTH_OK);
    assert_int_equal(strlen(out), 32);
    assert_memory_equal(out, "eks-", 4);
    assert_string_equal(out + 4, g28);
    /* "eks-" + 29 = 33: cut; the suffix hashes the k8s group alone. */
    assert_int_equal(eksauth_names_group(g29, NULL, out, NULL), EKSAUTH_OK);
    ref_suffix(g29, sfx);
    snprintf(want, sizeof(want), "eks-%.19s-%s", g29, sfx);
    assert_string_equal(out, want);
    assert_true(eksauth_names_valid(out));
}

/* ---- validity, prefixes, reserved names ---- */

static void test_valid(void **state)
{
    (void)state;
    assert_true(eksauth_names_valid("alice"));
    assert_true(eksauth_names_valid("_1ops"));
    assert_true(eksauth_names_valid("a.b-c_d"));
    assert_true(eksauth_names_valid("abcdefghijklmnopqrstuvwxyz012345"));
    assert_false(eksauth_names_valid("abcdefghijklmnopqrstuvwxyz0123456"));
    assert_false(eksauth_names_valid(NULL));
    assert_false(eksauth_names_valid(""));
    assert_false(eksauth_names_valid("Alice"));
    assert_false(eksauth_names_valid("1ops"));
    assert_false(eksauth_names_valid("-x"));
    assert_false(eksauth_names_valid(".x"));
    assert_false(eksauth_names_valid("a:b"));
    assert_false(eksauth_names_valid("a,b"));
    assert_false(eksauth_names_valid("a/b"));
    assert_false(eksauth_names_valid("a b"));
    assert_false(eksauth_names_valid("a\nb"));
    assert_false(eksauth_names_valid("_"));
    assert_false(eksauth_names_valid("_-."));
    assert_false(eksauth_names_valid("jos\xc3\xa9"));
}

static void test_prefix_valid(void **state)
{
    (void)state;
    assert_true(eksauth_names_prefix_valid("eks-"));
    assert_true(eksauth_names_prefix_valid("_"));
    assert_false(eksauth_names_prefix_valid(NULL));
    assert_false(eksauth_names_prefix_valid(""));
    assert_false(eksauth_names_prefix_valid("9-"));
    assert_false(eksauth_names_prefix_valid("e ks"));
}

static void test_reserved(void **state)
{
    static const char *const yes[] = {
        "root", "daemon",     "bin",   "sys",    "sync",  "games",           "man",
        "lp",   "mail",       "news",  "uucp",   "proxy", "www-data",        "backup",
        "list", "irc",        "gnats", "nobody", "sshd",  "systemd-network", "systemd-timesync",
        "_apt", "messagebus",
    };
    size_t i;
    (void)state;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        assert_true(eksauth_names_reserved(yes[i]));
    assert_true(eksauth_names_reserved(NULL));
    assert_false(eksauth_names_reserved("alice"));
    assert_false(eksauth_names_reserved("rootkit"));
    assert_false(eksauth_names_reserved("_root"));
    assert_false(eksauth_names_reserved("systemd"));
    assert_false(eksauth_names_reserved("eks-system-masters"));
}

/* ---- ids ---- */

static void test_id_formula(void **state)
{
    static const char *const names[] = {"alice", "eks-system-masters", "_1ops", "a"};
    size_t i;
    unsigned p;
    (void)state;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (p = 0; p < 4; p++) {
            assert_int_equal(eksauth_names_id(names[i], p, 0, 0),
                             ref_id(names[i], p, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX));
            assert_int_equal(eksauth_names_id(names[i], p, 5000, 9999),
                             ref_id(names[i], p, 5000, 9999));
        }
    }
    /* Literal values computed outside C (Python): the same on every host and build. */
    assert_int_equal(eksauth_names_id("alice", 0, 0, 0), 1917897893u);
    assert_int_equal(eksauth_names_id("alice", 1, 0, 0), 1966644780u);
    assert_int_equal(eksauth_names_id("alice", 2, 0, 0), 1902665364u);
    assert_int_equal(eksauth_names_id("eks-system-masters", 0, 0, 0), 1986840093u);
    assert_int_equal(eksauth_names_id("alice", 0, 2000, 2999), 2893u);
    assert_int_equal(eksauth_names_id("alice", 1, 2000, 2999), 2780u);
}

static void test_id_range(void **state)
{
    char name[16];
    uint32_t id;
    unsigned i;
    (void)state;

    for (i = 0; i < 2000; i++) {
        snprintf(name, sizeof(name), "user%u", i);
        id = eksauth_names_id(name, i % 7, 0, 0);
        assert_in_range(id, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
        id = eksauth_names_id(name, 0, 100000, 100009);
        assert_in_range(id, 100000, 100009);
    }
    /* A one-id range and the whole 32-bit range. */
    assert_int_equal(eksauth_names_id("alice", 3, 70000, 70000), 70000);
    assert_int_equal(eksauth_names_id("alice", 0, 1, UINT32_MAX),
                     ref_id("alice", 0, 1, UINT32_MAX));
}

static void test_id_bad_range_means_defaults(void **state)
{
    (void)state;
    /* Never id 0 (root), whatever the range. */
    assert_int_equal(eksauth_names_id("alice", 0, 0, 10), eksauth_names_id("alice", 0, 0, 0));
    assert_int_equal(eksauth_names_id("alice", 0, 9000, 8000), eksauth_names_id("alice", 0, 0, 0));
    assert_in_range(eksauth_names_id("alice", 0, 0, 10), EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
}

static void test_id_probes_differ(void **state)
{
    uint32_t ids[EKSAUTH_ID_MAX_PROBES];
    unsigned p, q, same = 0;
    (void)state;

    for (p = 0; p < EKSAUTH_ID_MAX_PROBES; p++)
        ids[p] = eksauth_names_id("alice", p, 0, 0);
    for (p = 0; p < EKSAUTH_ID_MAX_PROBES; p++) {
        for (q = p + 1; q < EKSAUTH_ID_MAX_PROBES; q++)
            same += ids[p] == ids[q];
    }
    assert_int_equal(same, 0);
    assert_int_not_equal(eksauth_names_id("alice", 0, 0, 0), eksauth_names_id("bob", 0, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fnv_vectors),
        cmocka_unit_test(test_login_plain),
        cmocka_unit_test(test_login_colon_at_upper),
        cmocka_unit_test(test_login_leading),
        cmocka_unit_test(test_login_utf8),
        cmocka_unit_test(test_login_refused),
        cmocka_unit_test(test_login_32_bytes_kept),
        cmocka_unit_test(test_login_33_bytes_cut),
        cmocka_unit_test(test_login_cut_literal),
        cmocka_unit_test(test_login_cut_hashes_original),
        cmocka_unit_test(test_login_never_unsafe),
        cmocka_unit_test(test_group_default_prefix),
        cmocka_unit_test(test_group_custom_prefix),
        cmocka_unit_test(test_group_bad_prefix),
        cmocka_unit_test(test_group_refused),
        cmocka_unit_test(test_group_length_counts_prefix),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_prefix_valid),
        cmocka_unit_test(test_reserved),
        cmocka_unit_test(test_id_formula),
        cmocka_unit_test(test_id_range),
        cmocka_unit_test(test_id_bad_range_means_defaults),
        cmocka_unit_test(test_id_probes_differ),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
