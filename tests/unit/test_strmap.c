/*
 * test_strmap.c - lib/strmap.c: keys found through the caller's array,
 * a later put replacing an index (and saying which it replaced), growth far
 * past the first size while the caller's array moves, clear, and keys whose
 * hashes collide in the low bits.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/strmap.h"
#include "unit.h"

/* The caller's array: names of 16 bytes, grown with realloc (so it moves). */
struct names {
    char (*v)[16];
    size_t n;
};

static const char *name_at(const void *ctx, size_t i)
{
    const struct names *names = ctx;

    return names->v[i];
}

static size_t push(struct names *names, const char *s)
{
    names->v = realloc(names->v, (names->n + 1) * sizeof(*names->v));
    assert_non_null(names->v);
    snprintf(names->v[names->n], sizeof(names->v[0]), "%s", s);
    return names->n++;
}

static void test_get_put_replace(void **state)
{
    struct names names = {NULL, 0};
    struct eksauth_strmap m;
    struct eksauth_error err;
    size_t old = 0;

    (void)state;
    assert_int_equal(eksauth_strmap_init(&m, 2, name_at, &names, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_get(&m, "alice"), EKSAUTH_STRMAP_NONE);
    assert_int_equal(eksauth_strmap_put(&m, "alice", push(&names, "alice"), &old, &err),
                     EKSAUTH_OK);
    assert_int_equal(old, EKSAUTH_STRMAP_NONE);
    assert_int_equal(eksauth_strmap_put(&m, "bob", push(&names, "bob"), NULL, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_get(&m, "alice"), 0);
    assert_int_equal(eksauth_strmap_get(&m, "bob"), 1);
    assert_int_equal(eksauth_strmap_get(&m, "Alice"), EKSAUTH_STRMAP_NONE); /* exact bytes */
    /* The same key again: the later index wins and the earlier one is named. */
    assert_int_equal(eksauth_strmap_put(&m, "alice", push(&names, "alice"), &old, &err),
                     EKSAUTH_OK);
    assert_int_equal(old, 0);
    assert_int_equal(eksauth_strmap_get(&m, "alice"), 2);
    assert_int_equal(m.used, 2);
    eksauth_strmap_clear(&m);
    assert_int_equal(eksauth_strmap_get(&m, "bob"), EKSAUTH_STRMAP_NONE);
    assert_int_equal(m.used, 0);
    eksauth_strmap_free(&m);
    assert_null(m.slots);
    free(names.v);
}

/* Sized for 1, given 5,000: it grows, and every key stays found as the array moves. */
static void test_grows(void **state)
{
    struct names names = {NULL, 0};
    struct eksauth_strmap m;
    struct eksauth_error err;
    char key[16];
    size_t i;

    (void)state;
    assert_int_equal(eksauth_strmap_init(&m, 1, name_at, &names, &err), EKSAUTH_OK);
    for (i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "g%zu", i);
        assert_int_equal(eksauth_strmap_put(&m, key, push(&names, key), NULL, &err), EKSAUTH_OK);
        /* At most half full: every probe ends at an empty slot. */
        assert_true(2 * m.used <= m.mask + 1);
    }
    assert_int_equal(m.used, 5000);
    for (i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "g%zu", i);
        assert_int_equal(eksauth_strmap_get(&m, key), i);
    }
    assert_int_equal(eksauth_strmap_get(&m, "g5000"), EKSAUTH_STRMAP_NONE);
    eksauth_strmap_free(&m);
    free(names.v);
}

/*
 * A slot keeps an index in 32 bits: an index past them is refused, never
 * cut (it would name another entry), and the map stays as it was.  No
 * caller's array comes near; the key is never read back (no hash agrees).
 */
static void test_index_past_32_bits(void **state)
{
    struct names names = {NULL, 0};
    struct eksauth_strmap m;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_strmap_init(&m, 1, name_at, &names, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_put(&m, "alice", (size_t)UINT32_MAX - 1, NULL, &err),
                     EKSAUTH_ENOMEM);
    assert_int_equal(eksauth_strmap_put(&m, "alice", (size_t)UINT32_MAX, NULL, &err),
                     EKSAUTH_ENOMEM);
    assert_int_equal(m.used, 0);
    assert_int_equal(eksauth_strmap_get(&m, "alice"), EKSAUTH_STRMAP_NONE);
    /* The last index that fits. */
    assert_int_equal(eksauth_strmap_put(&m, "alice", (size_t)UINT32_MAX - 2, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(m.used, 1);
    eksauth_strmap_free(&m);
}

/*
 * Keys whose hashes, unseeded, all agree in their low 16 bits (found by
 * trying "u%llx" names against lib/strmap.c's hash with a zero seed):
 * an aws-auth of such ARNs made every put walk one cluster, a sync
 * quadratic in its entries (10,000 crafted mapRoles: parse 0.05 -> 0.15 s).
 */
static const char *const unseeded_twins[] = {
    "u32d79",  "u93b11",  "u97e49",  "uc89ef",  "ude127",  "udf676",  "uea382",  "ued0cc",
    "uf1603",  "ufad9d",  "u1088aa", "u1218b1", "u124933", "u13153c", "u15d635", "u16054b",
    "u16bd64", "u175ce4", "u1782c6", "u17cfec", "u17e43e", "u19bb64", "u19ff75", "u1bdb6c",
    "u1c06ae", "u1c94ae", "u1d54f9", "u1dc262", "u1f2c04", "u1f7afb", "u227162", "u236a3d",
    "u23ecb9", "u25f8d8", "u26567f", "u271046", "u27ceaa", "u2980e0", "u29d458", "u2c6f33",
    "u2d436c", "u2e576b", "u2f06bb", "u2f2a14", "u2f2df3", "u2f40d2", "u3064ce", "u31c526",
    "u328543", "u32adad", "u32f84e", "u33590c", "u33db2f", "u3476b6", "u34bc28", "u34d71d",
    "u34fa2f", "u35c3ee", "u36c4a3", "u38b4fe", "u38d879", "u3906a0", "u3a9a59", "u3ab9a8"};

/*
 * The hash is seeded (per process and per map): keys chosen to share a
 * slot beforehand spread out.  64 keys in 1,024 slots: a run of 16 taken
 * slots has odds far below 1e-5 with hashes at random, and is 64 unseeded.
 */
static void test_seeded_no_chosen_cluster(void **state)
{
    struct names names = {NULL, 0};
    struct eksauth_strmap m;
    struct eksauth_error err;
    size_t i, run = 0, longest = 0, n = sizeof(unseeded_twins) / sizeof(unseeded_twins[0]);

    (void)state;
    assert_int_equal(eksauth_strmap_init(&m, 512, name_at, &names, &err), EKSAUTH_OK);
    assert_int_equal(m.mask + 1, 1024);
    for (i = 0; i < n; i++)
        assert_int_equal(
            eksauth_strmap_put(&m, unseeded_twins[i], push(&names, unseeded_twins[i]), NULL, &err),
            EKSAUTH_OK);
    for (i = 0; i < n; i++)
        assert_int_equal(eksauth_strmap_get(&m, unseeded_twins[i]), i);
    for (i = 0; i <= m.mask; i++) {
        run = m.slots[i].index1 != 0 ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    assert_true(longest < 16);
    eksauth_strmap_free(&m);
    free(names.v);
}

/*
 * Two 16-byte keys that differ in byte 7's top bit, byte 12's 0x04 and
 * byte 15's top bit: with one multiply a word, the first difference stays
 * one bit, which the second word's cancels, and the two hashed alike under
 * every seed.  Bytes past 0x7f reach the map in UTF-8 Kubernetes names.
 */
static void test_no_seed_free_twins(void **state)
{
    struct names names = {NULL, 0};
    char a[17] = "abcdefghijklmnop", b[17];
    unsigned i, alike = 0;

    (void)state;
    memcpy(b, a, sizeof(b));
    b[7] ^= (char)0x80;
    b[12] ^= 0x04;
    b[15] ^= (char)0x80;
    for (i = 0; i < 16; i++) {
        struct eksauth_strmap m;
        struct eksauth_error err;
        uint32_t ha = 0, hb = 0;
        size_t k;

        names.n = 0;
        assert_int_equal(eksauth_strmap_init(&m, 2, name_at, &names, &err), EKSAUTH_OK);
        assert_int_equal(eksauth_strmap_put(&m, a, push(&names, a), NULL, &err), EKSAUTH_OK);
        assert_int_equal(eksauth_strmap_put(&m, b, push(&names, b), NULL, &err), EKSAUTH_OK);
        for (k = 0; k <= m.mask; k++) {
            if (m.slots[k].index1 == 1)
                ha = m.slots[k].hash;
            else if (m.slots[k].index1 == 2)
                hb = m.slots[k].hash;
        }
        alike += ha == hb;
        eksauth_strmap_free(&m);
    }
    assert_true(alike < 2);
    free(names.v);
}

/* Two maps of one process hash a key apart (odds of a clash: 2^-32). */
static void test_seeded_per_map(void **state)
{
    struct names names = {NULL, 0};
    struct eksauth_strmap a, b;
    struct eksauth_error err;
    size_t i;
    uint32_t ha = 0, hb = 0;

    (void)state;
    push(&names, "alice");
    assert_int_equal(eksauth_strmap_init(&a, 1, name_at, &names, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_init(&b, 1, name_at, &names, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_put(&a, "alice", 0, NULL, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_put(&b, "alice", 0, NULL, &err), EKSAUTH_OK);
    for (i = 0; i <= a.mask; i++)
        ha |= a.slots[i].index1 != 0 ? a.slots[i].hash : 0;
    for (i = 0; i <= b.mask; i++)
        hb |= b.slots[i].index1 != 0 ? b.slots[i].hash : 0;
    assert_true(ha != hb);
    /* Cleared, a map keeps its seed: the key goes back where it was. */
    eksauth_strmap_clear(&a);
    assert_int_equal(eksauth_strmap_put(&a, "alice", 0, NULL, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_strmap_get(&a, "alice"), 0);
    eksauth_strmap_free(&a);
    eksauth_strmap_free(&b);
    free(names.v);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_get_put_replace), cmocka_unit_test(test_grows),
                  cmocka_unit_test(test_index_past_32_bits),
                  cmocka_unit_test(test_seeded_no_chosen_cluster),
                  cmocka_unit_test(test_seeded_per_map), cmocka_unit_test(test_no_seed_free_twins))
