/*
 * backoff.c - capped exponential backoff with full jitter, and the spread
 * of a fleet's relists (see backoff.h).
 */
#include "config.h"

#include "eksauth/backoff.h"

void eksauth_backoff_init(struct eksauth_backoff *b, long base_ms, long cap_ms)
{
    b->base_ms = base_ms > 0 ? base_ms : 1;
    b->cap_ms = cap_ms > b->base_ms ? cap_ms : b->base_ms;
    b->attempt = 0;
}

void eksauth_backoff_reset(struct eksauth_backoff *b)
{
    b->attempt = 0;
}

long eksauth_backoff_window(const struct eksauth_backoff *b)
{
    long w = b->base_ms;
    unsigned i;

    /* Doubling stops at the cap, so it never overflows. */
    for (i = 0; i < b->attempt && w < b->cap_ms; i++)
        w = w > b->cap_ms / 2 ? b->cap_ms : w * 2;
    return w < b->cap_ms ? w : b->cap_ms;
}

long eksauth_jitter_ms(long window_ms, uint32_t random)
{
    if (window_ms <= 0)
        return 0;
    /* 64-bit product: uniform over [0, window) without modulo bias worth naming. */
    return (long)(((uint64_t)random * (uint64_t)window_ms) >> 32);
}

long eksauth_backoff_next(struct eksauth_backoff *b, long retry_after_ms, uint32_t random)
{
    long wait = eksauth_jitter_ms(eksauth_backoff_window(b), random);

    /* Full jitter: a fleet that failed at once spreads over the whole window. */
    if (b->attempt < 64)
        b->attempt++;
    /* The server's Retry-After is a floor: never earlier than it asked. */
    return (retry_after_ms > 0 ? retry_after_ms : 0) + wait;
}
