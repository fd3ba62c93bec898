/*
 * budget.h - the requests one sync may send to the cluster's APIs, and
 * the retries of a call the service turned away (docs/fleet.md).
 *
 * A sync (one run of `eksauth sync`, one list or poll of `sync --watch`)
 * gets sync_max_requests: every request counts, retries included, and no
 * request is sent once they are spent.  A call the service throttled
 * (429, ThrottlingException, TooManyRequestsException) or could not
 * answer (5xx, a connection that failed) is tried again, at most
 * max_attempts times in all, after the server's Retry-After plus capped
 * exponential backoff with full jitter (backoff.h).
 *
 * The waiting and the dice are the budget's own functions (nanosleep and
 * getrandom by default), so tests run a backoff without waiting.
 */
#ifndef EKSAUTH_BUDGET_H
#define EKSAUTH_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "eksauth/backoff.h"
#include "eksauth/status.h"

#define EKSAUTH_RETRY_ATTEMPTS 3     /* per call, the first one included (as the AWS SDKs) */
#define EKSAUTH_RETRY_BASE_MS  1000  /* the window of the first retry */
#define EKSAUTH_RETRY_CAP_MS   20000 /* the window never grows past this (as the AWS SDKs) */

struct eksauth_budget {
    unsigned max;          /* requests this sync may send; 0: no limit */
    unsigned used;         /* sent so far, retries included */
    unsigned retries;      /* of them, retries */
    unsigned throttled;    /* answers that said "slow down" (429, Throttling...) */
    long waited_ms;        /* spent waiting before retries */
    unsigned max_attempts; /* per call, the first one included; 1: no retry */
    void (*sleep_ms)(void *arg, long ms);
    uint32_t (*random)(void *arg);
    void *arg;
};

/* max requests (0: no limit), EKSAUTH_RETRY_ATTEMPTS per call, real waiting and dice. */
void eksauth_budget_init(struct eksauth_budget *b, unsigned max);

/* Requests left (UINT32_MAX with no limit). */
unsigned eksauth_budget_left(const struct eksauth_budget *b);

/*
 * Count one request about to be sent (what: "EKS API: DescribeAccessEntry",
 * for the message).  EKSAUTH_EUNAVAIL when the budget is spent: the
 * request must not be sent.  b may be NULL: no limit.
 */
enum eksauth_status eksauth_budget_take(struct eksauth_budget *b, const char *what,
                                        struct eksauth_error *err);

/*
 * A call failed in a way trying again may mend (the caller judges which):
 * when attempts and budget are left and retry_after_ms (the server's
 * Retry-After, 0 when none) is at most EKSAUTH_RETRY_CAP_MS, wait it plus
 * the jitter of *backoff, and return true; else false.  throttled counts the answers that asked to
 * slow down. b may be NULL: never retried.
 */
bool eksauth_budget_retry(struct eksauth_budget *b, struct eksauth_backoff *backoff,
                          unsigned *attempt, long retry_after_ms, bool throttled);

/* A uniform random number from getrandom(2) (the default dice; also the watch's). */
uint32_t eksauth_random_u32(void);

/* Sleep ms milliseconds, through signals (the default waiting; also the watch's). */
void eksauth_sleep_ms(long ms);

/* Milliseconds of CLOCK_MONOTONIC: the watch's measure of how long a stream lasted. */
long long eksauth_monotonic_ms(void);

#endif
