/*
 * test_timeutil.c - X-Amz-Date, RFC 3339 and Unix seconds: parsing with
 * every field range-checked, formatting, and round trips.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/timeutil.h"
#include "unit.h"

#define T_20261130_054331 1796017411

static time_t amz(const char *s)
{
    struct eksauth_error err;
    time_t t = -12345;

    if (eksauth_time_parse_amz(s, strlen(s), &t, &err) != EKSAUTH_OK)
        fail_msg("\"%s\" refused: %s", s, err.msg);
    return t;
}

static void assert_amz_refused(const char *s)
{
    struct eksauth_error err;
    time_t t;

    if (eksauth_time_parse_amz(s, strlen(s), &t, &err) != EKSAUTH_EINVAL)
        fail_msg("\"%s\" accepted", s);
    assert_true(strlen(err.msg) > 0);
}

static void test_parse_amz(void **state)
{
    (void)state;
    assert_int_equal(amz("20261130T054331Z"), T_20261130_054331);
    assert_int_equal(amz("19700101T000000Z"), 0);
    assert_int_equal(amz("20240229T235959Z"), 1709251199);
    assert_int_equal(amz("20000229T000000Z"), 951782400);
    assert_int_equal(amz("99991231T235959Z"), 253402300799);
    assert_int_equal(amz("19691231T235959Z"), -1);
}

static void test_parse_amz_refuses(void **state)
{
    struct eksauth_error err;
    time_t t;

    (void)state;
    assert_amz_refused("20230229T000000Z"); /* not a leap year */
    assert_amz_refused("21000229T000000Z"); /* not a leap year either */
    assert_amz_refused("20261301T000000Z");
    assert_amz_refused("20261200T000000Z");
    assert_amz_refused("20261131T000000Z");
    assert_amz_refused("20261130T240000Z");
    assert_amz_refused("20261130T236000Z");
    assert_amz_refused("20261130T235960Z"); /* Go refuses leap seconds */
    assert_amz_refused("20261130t054331Z");
    assert_amz_refused("20261130T054331z");
    assert_amz_refused("20261130T054331");
    assert_amz_refused("20261130T054331ZZ");
    assert_amz_refused("20261130T054331.5Z");
    assert_amz_refused("2026113OT054331Z");
    assert_amz_refused("+0261130T054331Z");
    assert_amz_refused("");
    /* len is what counts: 16 bytes of a longer string are a date. */
    assert_int_equal(eksauth_time_parse_amz("20261130T054331Zjunk", 16, &t, &err), EKSAUTH_OK);
    assert_int_equal(t, T_20261130_054331);
    assert_int_equal(eksauth_time_parse_amz(NULL, 16, &t, &err), EKSAUTH_EINVAL);
}

static time_t parse(const char *s)
{
    struct eksauth_error err;
    time_t t = -12345;

    if (eksauth_time_parse(s, &t, &err) != EKSAUTH_OK)
        fail_msg("\"%s\" refused: %s", s, err.msg);
    return t;
}

static void test_parse(void **state)
{
    (void)state;
    assert_int_equal(parse("2026-11-30T05:43:31Z"), T_20261130_054331);
    assert_int_equal(parse("2026-11-30t05:43:31z"), T_20261130_054331);
    assert_int_equal(parse("2026-11-30T05:43:31.999Z"), T_20261130_054331);
    assert_int_equal(parse("2026-11-30T07:43:31+02:00"), T_20261130_054331);
    assert_int_equal(parse("2026-11-30T00:13:31-05:30"), T_20261130_054331);
    assert_int_equal(parse("1796017411"), T_20261130_054331);
    assert_int_equal(parse("0"), 0);
}

static void test_parse_refuses(void **state)
{
    static const char *const bad[] = {
        "",
        "now",
        "-5",
        "+5",
        "17960174 11",
        "99999999999999999999999",
        "2026-11-30T05:43:31",
        "2026-11-30 05:43:31Z",
        "2026-11-30T05:43:31+0200",
        "2026-11-30T05:43:31+24:00",
        "2026-11-30T05:43:31.Z",
        "2026-11-31T05:43:31Z",
        "2026-11-30T05:43:31Zx",
        "20261130T054331Z",
    };
    struct eksauth_error err;
    time_t t;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (eksauth_time_parse(bad[i], &t, &err) != EKSAUTH_EINVAL)
            fail_msg("\"%s\" accepted", bad[i]);
        assert_memory_equal(err.msg, "time: ", 6);
    }
    assert_int_equal(eksauth_time_parse(NULL, &t, &err), EKSAUTH_EINVAL);
}

static void test_format(void **state)
{
    char buf[EKSAUTH_TIME_RFC3339_LEN + 1], small[5];

    (void)state;
    eksauth_time_format(T_20261130_054331, buf, sizeof(buf));
    assert_string_equal(buf, "2026-11-30T05:43:31Z");
    assert_int_equal(strlen(buf), EKSAUTH_TIME_RFC3339_LEN);
    eksauth_time_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00Z");
    eksauth_time_format(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    eksauth_time_format(1709251199, buf, sizeof(buf));
    assert_string_equal(buf, "2024-02-29T23:59:59Z");
    /* A short buffer is cut and terminated, never overrun. */
    memset(small, 'x', sizeof(small));
    eksauth_time_format(0, small, sizeof(small));
    assert_string_equal(small, "1970");
}

static void test_format_amz(void **state)
{
    char stamp[17], date[9];

    (void)state;
    eksauth_time_format_amz(T_20261130_054331, stamp, sizeof(stamp));
    assert_string_equal(stamp, "20261130T054331Z");
    eksauth_time_format_amz(T_20261130_054331, date, sizeof(date));
    assert_string_equal(date, "20261130");
}

/* Every day over 400 years and some seconds each: format, parse back, same time. */
static void test_round_trip(void **state)
{
    char rfc[EKSAUTH_TIME_RFC3339_LEN + 1], stamp[17];
    struct eksauth_error err;
    time_t t, back;

    (void)state;
    for (t = -86400 * 365 * 70LL; t < 86400 * 365 * 330LL; t += 86400 + 3607) {
        eksauth_time_format(t, rfc, sizeof(rfc));
        assert_int_equal(eksauth_time_parse(rfc, &back, &err), EKSAUTH_OK);
        assert_int_equal(back, t);
        eksauth_time_format_amz(t, stamp, sizeof(stamp));
        assert_int_equal(eksauth_time_parse_amz(stamp, 16, &back, &err), EKSAUTH_OK);
        assert_int_equal(back, t);
    }
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_parse_amz), cmocka_unit_test(test_parse_amz_refuses),
                  cmocka_unit_test(test_parse), cmocka_unit_test(test_parse_refuses),
                  cmocka_unit_test(test_format), cmocka_unit_test(test_format_amz),
                  cmocka_unit_test(test_round_trip))
