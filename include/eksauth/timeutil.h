/*
 * timeutil.h - the time formats eksauth reads and writes, without the
 * process's time zone or clock: callers pass and get Unix seconds.
 */
#ifndef EKSAUTH_TIMEUTIL_H
#define EKSAUTH_TIMEUTIL_H

#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"

/* SigV4's X-Amz-Date, "20261130T054331Z" exactly (16 bytes, UTC, fields range-checked). */
enum eksauth_status eksauth_time_parse_amz(const char *s, size_t len, time_t *out,
                                           struct eksauth_error *err);

/* "2026-11-30T05:41:45Z" (RFC 3339, UTC "Z" or a +hh:mm offset) or Unix seconds ("1796017305"). */
enum eksauth_status eksauth_time_parse(const char *s, time_t *out, struct eksauth_error *err);

/* RFC 3339 in UTC: "2026-11-30T05:41:45Z"; out must hold EKSAUTH_TIME_RFC3339_LEN + 1 bytes. */
#define EKSAUTH_TIME_RFC3339_LEN 20
void eksauth_time_format(time_t t, char *out, size_t outlen);

/*
 * SigV4 forms: "20261130T054331Z" (17 bytes with NUL) and "20261130" (9
 * bytes); outlen picks the form: 17 or more gives the first, 9 to 16 the second.
 */
void eksauth_time_format_amz(time_t t, char *out, size_t outlen);

#endif
