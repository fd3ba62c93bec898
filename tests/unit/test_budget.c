/*
 * test_budget.c - one sync's requests and the retries of a turned-away
 * call (lib/budget.c): the hard limit (no request once spent, the message
 * names sync_max_requests), no limit at 0, at most max_attempts tries per
 * call, no retry past the budget or for a Retry-After longer than the
 * cap, and each wait the server's Retry-After plus the backoff's jitter,
 * waited through the budget's own clock.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/budget.h"

struct clock {
    long waits[16];
    unsigned n;
    uint32_t random;
};

static void fake_sleep(void *arg, long ms)
{
    struct clock *c = arg;

    assert_true(c->n < 16);
    c->waits[c->n++] = ms;
}

static uint32_t fake_random(void *arg)
{
    return ((struct clock *)arg)->random;
}

static void budget(struct eksauth_budget *b, unsigned max, struct clock *c)
{
    memset(c, 0, sizeof(*c));
    eksauth_budget_init(b, max);
    b->sleep_ms = fake_sleep;
    b->random = fake_random;
    b->arg = c;
}

static void test_hard_limit(void **state)
{
    struct eksauth_budget b;
    struct eksauth_error err;
    struct clock c;
    unsigned i;

    (void)state;
    budget(&b, 3, &c);
    assert_int_equal(eksauth_budget_left(&b), 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(eksauth_budget_take(&b, "EKS API: ListAccessEntries", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_budget_left(&b), 0);
    /* Spent: the request is not sent, and the message says which limit and which call. */
    assert_int_equal(eksauth_budget_take(&b, "EKS API: ListAccessEntries", &err), EKSAUTH_EUNAVAIL);
    assert_string_equal(err.msg, "EKS API: ListAccessEntries: not sent: this sync's 3 requests "
                                 "(sync_max_requests) are spent");
    assert_int_equal(b.used, 3);
    /* 0: no limit; NULL: no limit and never a retry. */
    budget(&b, 0, &c);
    for (i = 0; i < 1000; i++)
        assert_int_equal(eksauth_budget_take(&b, "x", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_budget_left(&b), UINT32_MAX);
    assert_int_equal(eksauth_budget_take(NULL, "x", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_budget_left(NULL), UINT32_MAX);
}

static void test_retries(void **state)
{
    struct eksauth_backoff bo;
    struct eksauth_budget b;
    struct eksauth_error err;
    struct clock c;
    unsigned attempt = 0;

    (void)state;
    budget(&b, 10, &c);
    c.random = 0x80000000u; /* the middle of each window */
    eksauth_backoff_init(&bo, 1000, 20000);
    assert_int_equal(eksauth_budget_take(&b, "x", &err), EKSAUTH_OK);
    /* Throttled with Retry-After: 1: waited 1 s plus half the first window. */
    assert_true(eksauth_budget_retry(&b, &bo, &attempt, 1000, true));
    assert_int_equal(eksauth_budget_take(&b, "x", &err), EKSAUTH_OK);
    /* A 5xx without Retry-After: half the second window. */
    assert_true(eksauth_budget_retry(&b, &bo, &attempt, 0, false));
    assert_int_equal(eksauth_budget_take(&b, "x", &err), EKSAUTH_OK);
    /* Three attempts in all (the AWS SDKs' number): no fourth. */
    assert_false(eksauth_budget_retry(&b, &bo, &attempt, 0, true));
    assert_int_equal(c.n, 2);
    assert_int_equal(c.waits[0], 1500);
    assert_int_equal(c.waits[1], 1000);
    assert_int_equal(b.retries, 2);
    assert_int_equal(b.throttled, 2);
    assert_int_equal(b.waited_ms, 2500);
    assert_int_equal(b.used, 3);
    /* No retry once the budget is spent, nor for a server asking more than the cap. */
    budget(&b, 1, &c);
    attempt = 0;
    eksauth_backoff_init(&bo, 1000, 20000);
    assert_int_equal(eksauth_budget_take(&b, "x", &err), EKSAUTH_OK);
    assert_false(eksauth_budget_retry(&b, &bo, &attempt, 0, true));
    budget(&b, 10, &c);
    assert_false(eksauth_budget_retry(&b, &bo, &attempt, EKSAUTH_RETRY_CAP_MS + 1, true));
    assert_int_equal(c.n, 0);
    assert_false(eksauth_budget_retry(NULL, &bo, &attempt, 0, true));
}

static void test_real_dice(void **state)
{
    uint32_t a = eksauth_random_u32(), b = eksauth_random_u32(), c = eksauth_random_u32();

    (void)state;
    /* Two hosts must not draw alike: three equal draws in a row would be a broken source. */
    assert_false(a == b && b == c);
    eksauth_sleep_ms(0);
    eksauth_sleep_ms(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hard_limit),
        cmocka_unit_test(test_retries),
        cmocka_unit_test(test_real_dice),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
