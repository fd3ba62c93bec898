/*
 * test_array.c - lib/array.c: room kept when there is some, doubling when
 * one more is asked, all at once when many are, refusal of sizes that wrap.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "eksauth/array.h"
#include "unit.h"

static void test_grows_by_doubling(void **state)
{
    int *a = NULL;
    size_t cap = 0, n, reallocs = 0, last = 0;

    (void)state;
    for (n = 0; n < 100000; n++) {
        assert_true(eksauth_array_reserve((void **)&a, &cap, n, 1, sizeof(*a)));
        assert_true(cap > n);
        reallocs += cap != last;
        last = cap;
        a[n] = (int)n;
    }
    assert_int_equal(a[99999], 99999);
    /* 16, 32, ... 131072: thirteen allocations for 100,000 elements. */
    assert_int_equal(reallocs, 14);
    free(a);
}

static void test_reserves_at_once(void **state)
{
    int *a = NULL;
    size_t cap = 0;
    int *kept;

    (void)state;
    assert_true(eksauth_array_reserve((void **)&a, &cap, 0, 1000, sizeof(*a)));
    assert_int_equal(cap, 1000);
    kept = a;
    /* Room enough: nothing moves. */
    assert_true(eksauth_array_reserve((void **)&a, &cap, 600, 400, sizeof(*a)));
    assert_ptr_equal(a, kept);
    assert_int_equal(cap, 1000);
    /* One more: doubled, not just one. */
    assert_true(eksauth_array_reserve((void **)&a, &cap, 1000, 1, sizeof(*a)));
    assert_int_equal(cap, 2000);
    free(a);
}

static void test_refuses_sizes_that_wrap(void **state)
{
    int *a = NULL;
    size_t cap = 0;

    (void)state;
    assert_false(eksauth_array_reserve((void **)&a, &cap, 0, SIZE_MAX / 2, sizeof(*a)));
    assert_false(eksauth_array_reserve((void **)&a, &cap, SIZE_MAX / sizeof(*a), 1, sizeof(*a)));
    assert_null(a);
    assert_int_equal(cap, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_by_doubling),
        cmocka_unit_test(test_reserves_at_once),
        cmocka_unit_test(test_refuses_sizes_that_wrap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
