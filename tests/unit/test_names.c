/*
 * test_names.c - k8s names to POSIX names, reserved names, and the
 * deterministic ids of lib/names.c, against the rules written in names.h.
 * Expected hashes come from a reference FNV-1a written here, OpenSSL's own
 * SipHash (EVP_MAC "SIPHASH") for the keyed formula, the SipHash paper's
 * test vectors, and a few literal values computed outside C, so the
 * formulas cannot drift silently.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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
    assert_false(eksauth_names_reserved("roo"));
    assert_false(eksauth_names_reserved("s"));
    assert_false(eksauth_names_reserved(""));
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
            assert_int_equal(eksauth_names_id(NULL, names[i], p, 0, 0),
                             ref_id(names[i], p, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX));
            assert_int_equal(eksauth_names_id(NULL, names[i], p, 5000, 9999),
                             ref_id(names[i], p, 5000, 9999));
        }
    }
    /* Literal values computed outside C (Python): the same on every host and build. */
    assert_int_equal(eksauth_names_id(NULL, "alice", 0, 0, 0), 1917897893u);
    assert_int_equal(eksauth_names_id(NULL, "alice", 1, 0, 0), 1966644780u);
    assert_int_equal(eksauth_names_id(NULL, "alice", 2, 0, 0), 1902665364u);
    assert_int_equal(eksauth_names_id(NULL, "eks-system-masters", 0, 0, 0), 1986840093u);
    assert_int_equal(eksauth_names_id(NULL, "alice", 0, 2000, 2999), 2893u);
    assert_int_equal(eksauth_names_id(NULL, "alice", 1, 2000, 2999), 2780u);
}

static void test_id_range(void **state)
{
    char name[16];
    uint32_t id;
    unsigned i;
    (void)state;

    for (i = 0; i < 2000; i++) {
        snprintf(name, sizeof(name), "user%u", i);
        id = eksauth_names_id(NULL, name, i % 7, 0, 0);
        assert_in_range(id, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
        id = eksauth_names_id(NULL, name, 0, 100000, 100009);
        assert_in_range(id, 100000, 100009);
    }
    /* A one-id range and the whole 32-bit range. */
    assert_int_equal(eksauth_names_id(NULL, "alice", 3, 70000, 70000), 70000);
    assert_int_equal(eksauth_names_id(NULL, "alice", 0, 1, UINT32_MAX),
                     ref_id("alice", 0, 1, UINT32_MAX));
}

static void test_id_bad_range_means_defaults(void **state)
{
    (void)state;
    /* Never id 0 (root), whatever the range. */
    assert_int_equal(eksauth_names_id(NULL, "alice", 0, 0, 10),
                     eksauth_names_id(NULL, "alice", 0, 0, 0));
    assert_int_equal(eksauth_names_id(NULL, "alice", 0, 9000, 8000),
                     eksauth_names_id(NULL, "alice", 0, 0, 0));
    assert_in_range(eksauth_names_id(NULL, "alice", 0, 0, 10), EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
}

static void test_id_probes_differ(void **state)
{
    uint32_t ids[EKSAUTH_ID_MAX_PROBES];
    unsigned p, q, same = 0;
    (void)state;

    for (p = 0; p < EKSAUTH_ID_MAX_PROBES; p++)
        ids[p] = eksauth_names_id(NULL, "alice", p, 0, 0);
    for (p = 0; p < EKSAUTH_ID_MAX_PROBES; p++) {
        for (q = p + 1; q < EKSAUTH_ID_MAX_PROBES; q++)
            same += ids[p] == ids[q];
    }
    assert_int_equal(same, 0);
    assert_int_not_equal(eksauth_names_id(NULL, "alice", 0, 0, 0),
                         eksauth_names_id(NULL, "bob", 0, 0, 0));
}

/* ---- keyed ids: SipHash-2-4 ---- */

/* OpenSSL's SipHash-2-4 with an 8-byte output: the reference for lib/names.c's own. */
static uint64_t ref_siphash(const unsigned char key[16], const void *data, size_t len)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
    size_t size = 8, outl = 0;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                           OSSL_PARAM_construct_end()};
    unsigned char out[8];
    uint64_t v = 0;
    int i;

    assert_non_null(ctx);
    assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
    assert_int_equal(EVP_MAC_update(ctx, data, len), 1);
    assert_int_equal(EVP_MAC_final(ctx, out, &outl, sizeof(out)), 1);
    assert_int_equal(outl, 8);
    for (i = 7; i >= 0; i--)
        v = (v << 8) | out[i];
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return v;
}

static void le64(unsigned char *p, uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* The keyed id formula of names.h, written with the reference SipHash. */
static uint32_t ref_keyed_id(const struct eksauth_id_key *k, const char *name, uint32_t probe,
                             uint32_t lo, uint32_t hi)
{
    unsigned char msg[12];
    uint64_t h;

    le64(msg, ref_siphash(k->k, name, strlen(name)));
    msg[8] = probe & 0xff;
    msg[9] = (probe >> 8) & 0xff;
    msg[10] = (probe >> 16) & 0xff;
    msg[11] = probe >> 24;
    h = ref_siphash(k->k, msg, sizeof(msg));
    return lo + (uint32_t)((h ^ (h >> 32)) % ((uint64_t)hi - lo + 1));
}

static void make_key(struct eksauth_id_key *k, unsigned char seed)
{
    unsigned char secret[48];
    size_t i;

    for (i = 0; i < sizeof(secret); i++)
        secret[i] = (unsigned char)(seed * 131 + i * 7);
    eksauth_names_id_key_derive(secret, sizeof(secret), k);
}

static void test_siphash_vectors(void **state)
{
    static const struct {
        size_t len;
        uint64_t want;
    } vectors[] = {
        /* The SipHash paper's vectors: key 00..0f, message 00 01 02 ... of each length. */
        {0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull},  {7, 0xab0200f58b01d137ull},
        {8, 0x93f5f5799a932462ull}, {15, 0xa129ca6149be45e5ull}, {63, 0x958a324ceb064572ull},
    };
    unsigned char key[16], msg[128];
    size_t i;
    (void)state;

    for (i = 0; i < 16; i++)
        key[i] = (unsigned char)i;
    for (i = 0; i < sizeof(msg); i++)
        msg[i] = (unsigned char)i;
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
        assert_int_equal(eksauth_siphash24(key, msg, vectors[i].len), vectors[i].want);
    /* Every length up to 128 bytes agrees with OpenSSL's SipHash. */
    for (i = 0; i <= sizeof(msg); i++)
        assert_int_equal(eksauth_siphash24(key, msg, i), ref_siphash(key, msg, i));
}

static void test_id_key_derive(void **state)
{
    static const unsigned char label[] = "eksauth id key check";
    unsigned char secret[32], half[16], expect[8];
    struct eksauth_id_key k, again;
    (void)state;

    memset(secret, 0xa5, sizeof(secret));
    secret[31] = 1;
    eksauth_names_id_key_derive(secret, sizeof(secret), &k);
    /* k = SipHash(secret[0..16), secret) || SipHash(secret[16..32), secret), little-endian. */
    memcpy(half, secret, 16);
    le64(expect, ref_siphash(half, secret, sizeof(secret)));
    assert_memory_equal(k.k, expect, 8);
    memcpy(half, secret + 16, 16);
    le64(expect, ref_siphash(half, secret, sizeof(secret)));
    assert_memory_equal(k.k + 8, expect, 8);
    assert_int_equal(k.check, ref_siphash(k.k, label, sizeof(label) - 1));
    /* Every byte of the file counts: the last one changed gives another key. */
    secret[31] = 2;
    eksauth_names_id_key_derive(secret, sizeof(secret), &again);
    assert_memory_not_equal(k.k, again.k, 16);
    assert_int_not_equal(k.check, again.check);
}

static void test_keyed_ids(void **state)
{
    struct eksauth_id_key a, a_again, b;
    char name[16];
    unsigned i, same_unkeyed = 0, same_other_key = 0;
    (void)state;

    make_key(&a, 1);
    make_key(&a_again, 1); /* the same key file on another host */
    make_key(&b, 2);
    for (i = 0; i < 1000; i++) {
        snprintf(name, sizeof(name), "sso-user%u", i);
        assert_int_equal(eksauth_names_id(&a, name, i % 3, 0, 0),
                         ref_keyed_id(&a, name, i % 3, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX));
        assert_int_equal(eksauth_names_id(&a, name, 0, 0, 0),
                         eksauth_names_id(&a_again, name, 0, 0, 0));
        assert_in_range(eksauth_names_id(&a, name, 0, 5000, 5999), 5000, 5999);
        same_unkeyed +=
            eksauth_names_id(&a, name, 0, 0, 0) == eksauth_names_id(NULL, name, 0, 0, 0);
        same_other_key +=
            eksauth_names_id(&a, name, 0, 0, 0) == eksauth_names_id(&b, name, 0, 0, 0);
    }
    /* Keyed and unkeyed, or two keys, agree only by chance (1 in 10^8 each). */
    assert_int_equal(same_unkeyed, 0);
    assert_int_equal(same_other_key, 0);
}

/*
 * The attack of issue 16: search session names until "admin-<session>"
 * lands on the victim's uid.  Without a key the search works (in a small
 * range, to keep the test fast); with one, the names it finds land on the
 * victim's uid no more often than any name does.
 */
static void test_keyed_ids_cannot_be_aimed(void **state)
{
    const uint32_t lo = 2000000, hi = lo + 999, victim = lo + 123;
    char name[32], found[20][32];
    struct eksauth_id_key key;
    unsigned i, n = 0, hits = 0;
    (void)state;

    make_key(&key, 7);
    for (i = 0; i < 200000 && n < 20; i++) {
        snprintf(name, sizeof(name), "admin-s%u", i);
        if (eksauth_names_id(NULL, name, 0, lo, hi) == victim)
            snprintf(found[n++], sizeof(found[0]), "%s", name);
    }
    assert_int_equal(n, 20); /* the unkeyed search hits the victim's uid */
    for (i = 0; i < n; i++)
        hits += eksauth_names_id(&key, found[i], 0, lo, hi) == victim;
    /* 20 names at a 1-in-1000 chance each: 0 expected (fixed key, so fixed answer). */
    assert_int_equal(hits, 0);
}

static void test_kept(void **state)
{
    (void)state;
    assert_true(eksauth_names_kept("alice"));
    assert_true(eksauth_names_kept("a.b_c-1"));
    assert_false(eksauth_names_kept("Alice"));
    assert_false(eksauth_names_kept("a@b"));
    assert_false(eksauth_names_kept("a:b"));
    assert_false(eksauth_names_kept("jos\xc3\xa9"));
    assert_false(eksauth_names_kept(NULL));
    assert_true(eksauth_names_kept(""));
}

/* Ids eksauth never gives: nobody's, 16-bit -1, 32-bit -1 and -2; their neighbours are fine. */
static void test_id_reserved(void **state)
{
    (void)state;
    assert_true(eksauth_names_id_reserved(65534));
    assert_true(eksauth_names_id_reserved(65535));
    assert_true(eksauth_names_id_reserved(UINT32_MAX));
    assert_true(eksauth_names_id_reserved(UINT32_MAX - 1));
    assert_false(eksauth_names_id_reserved(65533));
    assert_false(eksauth_names_id_reserved(65536));
    assert_false(eksauth_names_id_reserved(UINT32_MAX - 2));
    assert_false(eksauth_names_id_reserved(1900000000));
}

/* block(s) is "lo-hi", or "none": what eksauth_names_subid_block makes of s. */
static const char *block(const char *s)
{
    static char out[32];
    uint32_t lo = 0, hi = 0;

    if (!eksauth_names_subid_block(s, strlen(s), &lo, &hi))
        return "none";
    snprintf(out, sizeof(out), "%u-%u", lo, hi);
    return out;
}

/*
 * A subuid/subgid line's fields as shadow's newuidmap reads them (strtoul,
 * base 0, the whole field): the ids held are the ones the owner acts as,
 * whatever way the line writes them, under any shadow version a host may
 * run (names.c, eksauth_names_subid_block).
 */
static void test_subid_block(void **state)
{
    char wide[1100];
    uint32_t lo = 0, hi = 0;

    (void)state;
    assert_string_equal(block("100000:65536"), "100000-165535");
    assert_string_equal(block("100000:65536\r"), "100000-165535");
    assert_string_equal(block("0x186a0:0x10"), "100000-100015");
    /* Octal, as strtoul reads a leading 0: newuidmap maps 32768, not 100000. */
    assert_string_equal(block("0100000:010"), "32768-32775");
    assert_string_equal(block(" \t100000:+16"), "100000-100015");
    assert_string_equal(block("4294967295:16"), "4294967295-4294967295");
    /* shadow up to 4.17 reads the first three fields and ignores the rest. */
    assert_string_equal(block("100000:16:1"), "100000-100015");
    assert_string_equal(block("100000:16:"), "100000-100015");
    /* shadow up to 4.17 reads a count of 64 bits: the block runs to the last id. */
    assert_string_equal(block("100000:4294967296"), "100000-4294967295");
    assert_string_equal(block("100000:18446744073709551615"), "100000-4294967295");
    /* strtoul wraps a minus sign, and shadow up to 4.14 takes what it gives. */
    assert_string_equal(block("-18446744073709451616:16"), "100000-100015");
    /* 0:0 is every id to shadow's find_range (first + 0 - 1 wraps) before its July 2026 fix. */
    assert_string_equal(block("0:0"), "0-4294967295");
    /* White space strtoul skips, however much of it a line shadow reads holds. */
    memset(wide, ' ', sizeof(wide));
    memcpy(wide + EKSAUTH_NAMES_SUBID_TAIL_MAX - 12, "100000:65536", 12);
    assert_int_equal(eksauth_names_subid_block(wide, EKSAUTH_NAMES_SUBID_TAIL_MAX, &lo, &hi), true);
    assert_int_equal(lo, 100000);
    assert_int_equal(hi, 165535);
    /* A line of 1024 bytes or more is refused by every shadow (subordinate_parse). */
    memcpy(wide + EKSAUTH_NAMES_SUBID_TAIL_MAX + 1 - 12, "100000:65536", 12);
    assert_false(eksauth_names_subid_block(wide, EKSAUTH_NAMES_SUBID_TAIL_MAX + 1, &lo, &hi));
    /* What newuidmap refuses delegates nothing. */
    assert_string_equal(block("100000:0"), "none");
    assert_string_equal(block("4294967296:1"), "none");
    assert_string_equal(block("100000:18446744073709551616"), "none");
    assert_string_equal(block("-1:16"), "none");
    assert_string_equal(block("100000 :16"), "none");
    assert_string_equal(block("1e5:16"), "none");
    assert_string_equal(block(":16"), "none");
    assert_string_equal(block("100000:"), "none");
    assert_string_equal(block("100000"), "none");
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
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_id_key_derive),
        cmocka_unit_test(test_keyed_ids),
        cmocka_unit_test(test_keyed_ids_cannot_be_aimed),
        cmocka_unit_test(test_id_reserved),
        cmocka_unit_test(test_kept),
        cmocka_unit_test(test_subid_block),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
