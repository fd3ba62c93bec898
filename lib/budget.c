/*
 * budget.c - one sync's requests and the retries of a turned-away call
 * (see budget.h).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "eksauth/budget.h"

uint32_t eksauth_random_u32(void)
{
    uint32_t r = 0;
    struct timespec ts;

    if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
        return r;
    /* No entropy yet (early boot): the clock still differs from host to host. */
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)ts.tv_nsec * 2654435761u ^ (uint32_t)ts.tv_sec;
}

void eksauth_sleep_ms(long ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

long long eksauth_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void real_sleep(void *arg, long ms)
{
    (void)arg;
    eksauth_sleep_ms(ms);
}

static uint32_t real_random(void *arg)
{
    (void)arg;
    return eksauth_random_u32();
}

void eksauth_budget_init(struct eksauth_budget *b, unsigned max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
    b->max_attempts = EKSAUTH_RETRY_ATTEMPTS;
    b->sleep_ms = real_sleep;
    b->random = real_random;
}

unsigned eksauth_budget_left(const struct eksauth_budget *b)
{
    if (b == NULL || b->max == 0)
        return UINT32_MAX;
    return b->used < b->max ? b->max - b->used : 0;
}

enum eksauth_status eksauth_budget_take(struct eksauth_budget *b, const char *what,
                                        struct eksauth_error *err)
{
    if (b == NULL)
        return EKSAUTH_OK;
    /* The hard limit: a fleet's hosts together must stay under the service's quota. */
    if (b->max != 0 && b->used >= b->max)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "%s: not sent: this sync's %u requests (sync_max_requests) are spent",
                            what, b->max);
    b->used++;
    return EKSAUTH_OK;
}

bool eksauth_budget_retry(struct eksauth_budget *b, struct eksauth_backoff *backoff,
                          unsigned *attempt, long retry_after_ms, bool throttled)
{
    long wait;

    if (b == NULL)
        return false;
    if (throttled)
        b->throttled++;
    if (*attempt + 1 >= b->max_attempts || eksauth_budget_left(b) == 0)
        return false;
    /* A server that asks for a long pause gets it: the next sync comes after it anyway. */
    if (retry_after_ms > EKSAUTH_RETRY_CAP_MS)
        return false;
    (*attempt)++;
    wait = eksauth_backoff_next(backoff, retry_after_ms, b->random(b->arg));
    b->retries++;
    b->waited_ms += wait;
    b->sleep_ms(b->arg, wait);
    return true;
}
