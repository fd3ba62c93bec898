/*
 * timeutil.c - X-Amz-Date, RFC 3339 and Unix seconds to and from time_t, by
 * plain calendar arithmetic: no time zone, no locale, no clock.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "eksauth/timeutil.h"

#define SECONDS_PER_DAY 86400

/* A broken-down UTC time, every field already range-checked. */
struct civil_time {
    int64_t year;
    unsigned month, day, hour, minute, second;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The n digits at s as a number, or -1 when one of them is not a digit. */
static int64_t parse_digits(const char *s, size_t n)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static bool is_leap_year(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t year, unsigned month)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (month == 2 && is_leap_year(year))
        return 29;
    return days[month - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* The inverse of days_from_civil. */
static void civil_from_days(int64_t z, struct civil_time *ct)
{
    int64_t era;
    unsigned doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = (unsigned)(z - era * 146097);
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    ct->day = doy - (153 * mp + 2) / 5 + 1;
    ct->month = mp < 10 ? mp + 3 : mp - 9;
    ct->year = (int64_t)yoe + era * 400 + (ct->month <= 2);
}

static void split_time(time_t t, struct civil_time *ct)
{
    int64_t days = (int64_t)t / SECONDS_PER_DAY;
    int64_t secs = (int64_t)t % SECONDS_PER_DAY;

    if (secs < 0) {
        secs += SECONDS_PER_DAY;
        days--;
    }
    civil_from_days(days, ct);
    ct->hour = (unsigned)(secs / 3600);
    ct->minute = (unsigned)(secs / 60 % 60);
    ct->second = (unsigned)(secs % 60);
}

/*
 * Range-check the fields and turn them into Unix seconds.  A leap second
 * (":60") is refused, as Go's time.Parse refuses it: the cluster's
 * authenticator would.
 */
static const char *civil_to_time(const struct civil_time *ct, time_t *out)
{
    if (ct->month < 1 || ct->month > 12)
        return "month out of range";
    if (ct->day < 1 || ct->day > days_in_month(ct->year, ct->month))
        return "day out of range";
    if (ct->hour > 23)
        return "hour out of range";
    if (ct->minute > 59)
        return "minute out of range";
    if (ct->second > 59)
        return "second out of range";
    *out = (time_t)(days_from_civil(ct->year, ct->month, ct->day) * SECONDS_PER_DAY +
                    ct->hour * 3600 + ct->minute * 60 + ct->second);
    return NULL;
}

/*
 * The six fields of a date and time whose digits stand at s + at[0] (the
 * year, 4 digits) and s + at[1..5] (month, day, hour, minute, second, 2
 * each); false when one is not all digits.  Ranges are civil_to_time's.
 */
static bool read_fields(const char *s, const unsigned at[6], struct civil_time *ct)
{
    int64_t f[6];
    size_t i;

    for (i = 0; i < 6; i++) {
        f[i] = parse_digits(s + at[i], i == 0 ? 4 : 2);
        if (f[i] < 0)
            return false;
    }
    ct->year = f[0];
    ct->month = (unsigned)f[1];
    ct->day = (unsigned)f[2];
    ct->hour = (unsigned)f[3];
    ct->minute = (unsigned)f[4];
    ct->second = (unsigned)f[5];
    return true;
}

enum eksauth_status eksauth_time_parse_amz(const char *s, size_t len, time_t *out,
                                           struct eksauth_error *err)
{
    static const unsigned at[6] = {0, 4, 6, 9, 11, 13};
    struct civil_time ct;
    const char *why;

    /* Exactly "YYYYMMDDTHHMMSSZ": what every SigV4 signer writes, nothing looser. */
    if (s == NULL || len != 16 || s[8] != 'T' || s[15] != 'Z')
        return eksauth_fail(err, EKSAUTH_EINVAL, "not of the form YYYYMMDDTHHMMSSZ");
    if (!read_fields(s, at, &ct))
        return eksauth_fail(err, EKSAUTH_EINVAL, "not of the form YYYYMMDDTHHMMSSZ");
    why = civil_to_time(&ct, out);
    if (why != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s", why);
    return EKSAUTH_OK;
}

/* Unix seconds: decimal digits only, no sign, no overflow. */
static bool parse_unix_seconds(const char *s, time_t *out)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (!is_digit(s[i]) || v > (INT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (s[i] - '0');
    }
    if (i == 0)
        return false;
    *out = (time_t)v;
    return true;
}

/*
 * RFC 3339: "YYYY-MM-DDTHH:MM:SS", optional fraction (dropped), then "Z" or
 * "+hh:mm"/"-hh:mm".  Returns NULL or why it is not one.
 */
static const char *parse_rfc3339(const char *s, time_t *out)
{
    static const unsigned at[6] = {0, 5, 8, 11, 14, 17};
    struct civil_time ct;
    int64_t off_h, off_m, offset = 0;
    size_t len = strlen(s), i;
    const char *why;
    time_t t;

    if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return "not RFC 3339";
    if (!read_fields(s, at, &ct))
        return "not RFC 3339";
    i = 19;
    if (s[i] == '.') {
        i++;
        if (!is_digit(s[i]))
            return "not RFC 3339";
        while (is_digit(s[i]))
            i++;
    }
    if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
        offset = 0;
    } else if ((s[i] == '+' || s[i] == '-') && len - i == 6 && s[i + 3] == ':') {
        off_h = parse_digits(s + i + 1, 2);
        off_m = parse_digits(s + i + 4, 2);
        if (off_h < 0 || off_m < 0 || off_h > 23 || off_m > 59)
            return "bad time zone offset";
        offset = (off_h * 60 + off_m) * 60;
        if (s[i] == '-')
            offset = -offset;
    } else {
        return "not RFC 3339";
    }
    why = civil_to_time(&ct, &t);
    if (why != NULL)
        return why;
    /* Local time = UTC + offset, so UTC = local time - offset. */
    *out = t - (time_t)offset;
    return NULL;
}

enum eksauth_status eksauth_time_parse(const char *s, time_t *out, struct eksauth_error *err)
{
    const char *why;

    if (s == NULL || s[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL, "time: empty");
    if (parse_unix_seconds(s, out))
        return EKSAUTH_OK;
    why = parse_rfc3339(s, out);
    if (why != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "time: \"%.40s\": %s (want 2026-11-30T05:41:45Z or Unix seconds)", s,
                            why);
    return EKSAUTH_OK;
}

void eksauth_time_format(time_t t, char *out, size_t outlen)
{
    struct civil_time ct;

    if (out == NULL || outlen == 0)
        return;
    split_time(t, &ct);
    snprintf(out, outlen, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)ct.year, ct.month, ct.day,
             ct.hour, ct.minute, ct.second);
}

void eksauth_time_format_amz(time_t t, char *out, size_t outlen)
{
    struct civil_time ct;

    if (out == NULL || outlen == 0)
        return;
    split_time(t, &ct);
    /* The buffer's size picks the form: 17 bytes or more for the full stamp, else the date. */
    if (outlen >= 17)
        snprintf(out, outlen, "%04lld%02u%02uT%02u%02u%02uZ", (long long)ct.year, ct.month, ct.day,
                 ct.hour, ct.minute, ct.second);
    else
        snprintf(out, outlen, "%04lld%02u%02u", (long long)ct.year, ct.month, ct.day);
}
