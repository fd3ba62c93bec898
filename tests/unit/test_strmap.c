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

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_get_put_replace), cmocka_unit_test(test_grows),
                  cmocka_unit_test(test_index_past_32_bits))
