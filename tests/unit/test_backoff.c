/*
 * test_backoff.c - capped exponential backoff with full jitter and the
 * spread of relists (lib/backoff.c): the window doubles from the base to
 * the cap and stays there, a draw covers the whole window and never
 * reaches its end, a server's Retry-After is a floor added to the draw,
 * and a reset starts over.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eksauth/backoff.h"

#define MAX_RANDOM UINT32_MAX
#define HALF       0x80000000u

static void test_window_doubles_to_the_cap(void **state)
{
    struct eksauth_backoff b;
    long expect[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    size_t i;

    (void)state;
    eksauth_backoff_init(&b, 1000, 30000);
    for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        assert_int_equal(eksauth_backoff_window(&b), expect[i]);
        /* The largest draw stays inside the window: never its end. */
        assert_int_equal(eksauth_backoff_next(&b, 0, MAX_RANDOM), expect[i] - 1);
    }
    /* Far past the cap, nothing overflows. */
    for (i = 0; i < 200; i++)
        (void)eksauth_backoff_next(&b, 0, MAX_RANDOM);
    assert_int_equal(eksauth_backoff_window(&b), 30000);
    eksauth_backoff_reset(&b);
    assert_int_equal(eksauth_backoff_window(&b), 1000);
    /* A cap below the base is the base. */
    eksauth_backoff_init(&b, 5000, 10);
    assert_int_equal(eksauth_backoff_window(&b), 5000);
}

static void test_full_jitter(void **state)
{
    struct eksauth_backoff b;

    (void)state;
    /* The whole window, from 0: hosts that failed at once come back apart. */
    assert_int_equal(eksauth_jitter_ms(10000, 0), 0);
    assert_int_equal(eksauth_jitter_ms(10000, HALF), 5000);
    assert_int_equal(eksauth_jitter_ms(10000, MAX_RANDOM), 9999);
    assert_int_equal(eksauth_jitter_ms(0, MAX_RANDOM), 0);
    assert_int_equal(eksauth_jitter_ms(-5, MAX_RANDOM), 0);
    eksauth_backoff_init(&b, 1000, 30000);
    assert_int_equal(eksauth_backoff_next(&b, 0, 0), 0);
    assert_int_equal(eksauth_backoff_next(&b, 0, HALF), 1000); /* window 2000 */
}

static void test_retry_after_is_a_floor(void **state)
{
    struct eksauth_backoff b;

    (void)state;
    eksauth_backoff_init(&b, 1000, 30000);
    /* Never earlier than the server asked, and still spread after it. */
    assert_int_equal(eksauth_backoff_next(&b, 1000, 0), 1000);
    assert_int_equal(eksauth_backoff_next(&b, 1000, HALF), 2000);
    assert_int_equal(eksauth_backoff_next(&b, -7, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_doubles_to_the_cap),
        cmocka_unit_test(test_full_jitter),
        cmocka_unit_test(test_retry_after_is_a_floor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
