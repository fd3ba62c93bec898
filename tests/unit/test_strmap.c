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
 * trying "u%llx" names against lib/strmap.c's hash before it took a seed):
 * an aws-auth of such ARNs made every put walk one cluster, a sync
 * quadratic in its entries (10,000 crafted mapRoles: parse 0.05 -> 0.15 s).
 */
static const char *const unseeded_twins[] = {
    "u9e65",   "u1a8a2",  "u25eee",  "u35e79",  "u4952e",  "u4c22b",  "u5ead0",  "u66746",
    "u6e1af",  "u7e875",  "ua2293",  "uac3f4",  "uae2bb",  "ub246b",  "uda5d0",  "uf56c5",
    "u10093f", "u102987", "u10805b", "u10fdf0", "u11bf6e", "u12b487", "u12e90f", "u13bd31",
    "u13d983", "u148ad9", "u15b795", "u166d2c", "u16c543", "u175d16", "u17b428", "u1b46ae",
    "u1c80fc", "u1cb189", "u1d7ffb", "u1f5346", "u2004a4", "u205ded", "u207d88", "u221c63",
    "u2311f7", "u24121a", "u2480dc", "u25f7dd", "u261884", "u276e50", "u281ebe", "u291a63",
    "u299615", "u29eada", "u2b71b3", "u2d4840", "u2e07e0", "u2f3a6a", "u2f7b96", "u2fa1dc",
    "u303d6e", "u309837", "u30b65c", "u318a68", "u321595", "u352206", "u356dee", "u35b793",
};

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
                  cmocka_unit_test(test_seeded_per_map))
