/*
 * backoff.h - how long a host waits before it asks the cluster again, so
 * that a fleet that failed together does not come back together
 * (docs/fleet.md):
 *
 *  - after a failure: capped exponential backoff with full jitter, a
 *    uniform wait in [0, min(cap, base * 2^attempt)); a server's
 *    Retry-After is a floor added to it, never a moment every host aims
 *    at;
 *  - before a relist after the source lost our version (a 410 Gone, an API
 *    server that restarted): a uniform wait in [0, spread), so at most
 *    about 1/spread of a fleet lists again in any one second.
 *
 * Pure: the caller passes the random numbers (getrandom in the library,
 * fixed ones in tests) and does the waiting.
 */
#ifndef EKSAUTH_BACKOFF_H
#define EKSAUTH_BACKOFF_H

#include <stdint.h>

struct eksauth_backoff {
    long base_ms; /* the window of the first retry */
    long cap_ms;  /* the window never grows past this */
    unsigned attempt;
};

/* A backoff at its first attempt. */
void eksauth_backoff_init(struct eksauth_backoff *b, long base_ms, long cap_ms);

/* Back to the first attempt (after a success). */
void eksauth_backoff_reset(struct eksauth_backoff *b);

/* The current window, min(cap, base * 2^attempt), in ms. */
long eksauth_backoff_window(const struct eksauth_backoff *b);

/*
 * The wait before the next attempt: retry_after_ms (the server's
 * Retry-After; 0 when none) plus a uniform draw in the current window
 * from random; then the window doubles (up to the cap).
 */
long eksauth_backoff_next(struct eksauth_backoff *b, long retry_after_ms, uint32_t random);

/* A uniform draw in [0, window_ms) from random (0 when window_ms <= 0). */
long eksauth_jitter_ms(long window_ms, uint32_t random);

#endif
