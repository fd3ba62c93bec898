/*
 * test_query.c - the strict presigned-URL parser: what it decodes, and each
 * of its refusals named by rule (url scheme, userinfo, port, fragment,
 * path, host, query).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/query.h"
#include "unit.h"

static struct eksauth_url url; /* 4.7 KB: keep it off the test's stack */

static enum eksauth_status parse_n(const char *s, size_t len, struct eksauth_error *err)
{
    memset(err, 0, sizeof(*err));
    return eksauth_url_parse(s, len, &url, err);
}

static void assert_parsed(const char *s)
{
    struct eksauth_error err;

    if (parse_n(s, strlen(s), &err) != EKSAUTH_OK)
        fail_msg("\"%s\" refused: %s", s, err.msg);
}

static void assert_refused_n(const char *s, size_t len, const char *rule)
{
    struct eksauth_error err;
    size_t n = strlen(rule);

    if (parse_n(s, len, &err) != EKSAUTH_EINVAL || strncmp(err.msg, rule, n) != 0 ||
        err.msg[n] != ':')
        fail_msg("\"%s\": want rule \"%s\", got \"%s\"", s, rule, err.msg);
}

static void assert_refused(const char *s, const char *rule)
{
    assert_refused_n(s, strlen(s), rule);
}

static void assert_param(size_t i, const char *key, const char *value)
{
    assert_true(i < url.n_params);
    assert_string_equal(url.params[i].key, key);
    assert_int_equal(url.params[i].key_len, strlen(key));
    assert_string_equal(url.params[i].value, value);
    assert_int_equal(url.params[i].value_len, strlen(value));
}

static void test_decodes(void **state)
{
    (void)state;
    assert_parsed("https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity"
                  "&X-Amz-Credential=AKIA%2F20261130%2fus-east-1&X-Amz-SignedHeaders=host%3Bx"
                  "&X-Amz-Security-Token=a+b%2Bc%3D&flag&=empty&k=v=w");
    assert_string_equal(url.host, "sts.us-east-1.amazonaws.com");
    assert_int_equal(url.n_params, 7);
    assert_param(0, "Action", "GetCallerIdentity");
    assert_param(1, "X-Amz-Credential", "AKIA/20261130/us-east-1");
    assert_param(2, "X-Amz-SignedHeaders", "host;x");
    assert_param(3, "X-Amz-Security-Token", "a b+c="); /* '+' is a space, as in Go */
    assert_param(4, "flag", "");                       /* a key alone has the value "" */
    assert_param(5, "", "empty");
    assert_param(6, "k", "v=w"); /* the first '=' splits */
}

/* storage_len counts what was written, on failure too: the caller wipes that much. */
static void test_storage_len(void **state)
{
    struct eksauth_error err;

    (void)state;
    assert_parsed("https://h/?a=secret&b");
    assert_int_equal(url.storage_len, sizeof("a") + sizeof("secret") + sizeof("b") + sizeof(""));
    assert_int_equal(parse_n("https://h/?a=secret&b=xyz%zz", 28, &err), EKSAUTH_EINVAL);
    assert_true(url.storage_len >= sizeof("a") + sizeof("secret") + sizeof("b") + 3);
    assert_memory_equal(url.storage + 2, "secret", 6);
    assert_int_equal(parse_n("https://h/", 10, &err), EKSAUTH_OK);
    assert_int_equal(url.storage_len, 0);
}

static void test_empty_queries(void **state)
{
    (void)state;
    assert_parsed("https://sts.amazonaws.com/");
    assert_int_equal(url.n_params, 0);
    assert_parsed("https://sts.amazonaws.com/?");
    assert_int_equal(url.n_params, 0);
    /* Empty "&&" segments are skipped, as Go skips them. */
    assert_parsed("https://sts.amazonaws.com/?&&a=1&&&b=2&");
    assert_int_equal(url.n_params, 2);
    assert_param(0, "a", "1");
    assert_param(1, "b", "2");
    /* '?' and '/' are plain characters inside the query. */
    assert_parsed("https://h/?a=/?x");
    assert_param(0, "a", "/?x");
}

static void test_host_is_kept_as_written(void **state)
{
    (void)state;
    /* Case and a trailing dot are the token's host rule, not the parser's. */
    assert_parsed("https://STS.Amazonaws.COM./?a=1");
    assert_string_equal(url.host, "STS.Amazonaws.COM.");
}

static void test_scheme(void **state)
{
    (void)state;
    assert_refused("http://sts.amazonaws.com/", "url scheme");
    assert_refused("HTTPS://sts.amazonaws.com/", "url scheme");
    assert_refused("Https://sts.amazonaws.com/", "url scheme");
    assert_refused("ftp://sts.amazonaws.com/", "url scheme");
    assert_refused("//sts.amazonaws.com/", "url scheme");
    assert_refused("https:/sts.amazonaws.com/", "url scheme");
    assert_refused(" https://sts.amazonaws.com/", "url scheme");
    assert_refused("", "url scheme");
}

static void test_authority(void **state)
{
    (void)state;
    assert_refused("https://user@sts.amazonaws.com/", "url userinfo");
    assert_refused("https://user:pw@sts.amazonaws.com/", "url userinfo");
    assert_refused("https://sts.amazonaws.com:443/", "url port");
    assert_refused("https://sts.amazonaws.com:/", "url port");
    assert_refused("https:///?a=1", "url host");
    assert_refused("https://", "url host");
    assert_refused("https://sts_amazonaws.com/", "url host");
    assert_refused("https://sts%2Eamazonaws.com/", "url host");
    assert_refused("https://[::1]/", "url host");
    assert_refused("https://st s.amazonaws.com/", "url host");
    assert_refused("https://st\xc3\xa9s.amazonaws.com/", "url host");
    assert_refused_n("https://st\0s.amazonaws.com/", 26, "url host");
}

static void test_host_length(void **state)
{
    char s[400];

    (void)state;
    memcpy(s, "https://", 8);
    memset(s + 8, 'a', 255);
    memcpy(s + 8 + 255, "/", 2);
    assert_parsed(s);
    assert_int_equal(strlen(url.host), 255);
    memset(s + 8, 'a', 256);
    memcpy(s + 8 + 256, "/", 2);
    assert_refused(s, "url host");
}

static void test_fragment_and_path(void **state)
{
    (void)state;
    assert_refused("https://sts.amazonaws.com/#x", "url fragment");
    assert_refused("https://sts.amazonaws.com/?a=1#x", "url fragment");
    assert_refused("https://sts.amazonaws.com#/", "url fragment");
    assert_refused("https://sts.amazonaws.com", "url path");
    assert_refused("https://sts.amazonaws.com?a=1", "url path");
    assert_refused("https://sts.amazonaws.com//", "url path");
    assert_refused("https://sts.amazonaws.com/x?a=1", "url path");
    assert_refused("https://sts.amazonaws.com/%2F", "url path");
    assert_refused("https://sts.amazonaws.com/./", "url path");
}

static void test_query_refusals(void **state)
{
    (void)state;
    assert_refused("https://h/?a=%zz", "url query");
    assert_refused("https://h/?a=%4", "url query");
    assert_refused("https://h/?a=%", "url query");
    assert_refused("https://h/?a=%4&b=1", "url query");
    assert_refused("https://h/?a=1;b=2", "url query");
    assert_refused("https://h/?a=1 2", "url query");
    assert_refused("https://h/?a=1\t2", "url query");
    assert_refused("https://h/?a=1\x7f", "url query");
    assert_refused("https://h/?a=\xc3\xa9", "url query");
    assert_refused("https://h/?a=%00", "url query");
    assert_refused("https://h/?a=%0a", "url query");
    assert_refused("https://h/?a=%7F", "url query");
    assert_refused("https://h/?a=%C3%A9", "url query");
    assert_refused("https://h/?%00=1", "url query");
    assert_refused_n("https://h/?a=1\0", 15, "url query");
    /* Escapes of printable bytes, either case of hex, are fine. */
    assert_parsed("https://h/?a=%41%7e%7E%20");
    assert_param(0, "a", "A~~ ");
}

static void test_parameter_count(void **state)
{
    char s[512];
    size_t i, n;

    (void)state;
    n = (size_t)snprintf(s, sizeof(s), "https://h/?");
    for (i = 0; i < EKSAUTH_URL_MAX_PARAMS; i++)
        n += (size_t)snprintf(s + n, sizeof(s) - n, "k%zu=v&", i);
    assert_parsed(s);
    assert_int_equal(url.n_params, EKSAUTH_URL_MAX_PARAMS);
    assert_param(15, "k15", "v");
    snprintf(s + n, sizeof(s) - n, "one=more");
    assert_refused(s, "url query");
}

static void test_lengths(void **state)
{
    static char s[EKSAUTH_URL_MAX + 2];
    size_t base;

    (void)state;
    /* The longest URL, one long value: fits the storage. */
    base = (size_t)snprintf(s, sizeof(s), "https://h/?a=");
    memset(s + base, 'x', EKSAUTH_URL_MAX - base);
    s[EKSAUTH_URL_MAX] = '\0';
    assert_parsed(s);
    assert_int_equal(url.params[0].value_len, EKSAUTH_URL_MAX - base);
    /* Keys alone cost a byte more each in storage; still bounded, never overrun. */
    memset(s + 11, '&', EKSAUTH_URL_MAX - 11);
    memcpy(s + EKSAUTH_URL_MAX - 31, "a&b&c&d&e&f&g&h&i&j&k&l&m&n&o&p", 31);
    assert_parsed(s);
    assert_int_equal(url.n_params, 16);
    s[EKSAUTH_URL_MAX] = 'x';
    s[EKSAUTH_URL_MAX + 1] = '\0';
    assert_refused(s, "url query");
    assert_int_equal(eksauth_url_parse(NULL, 0, &url, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_url_parse("https://h/", 10, NULL, NULL), EKSAUTH_EINVAL);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_decodes), cmocka_unit_test(test_storage_len),
                  cmocka_unit_test(test_empty_queries),
                  cmocka_unit_test(test_host_is_kept_as_written), cmocka_unit_test(test_scheme),
                  cmocka_unit_test(test_authority), cmocka_unit_test(test_host_length),
                  cmocka_unit_test(test_fragment_and_path), cmocka_unit_test(test_query_refusals),
                  cmocka_unit_test(test_parameter_count), cmocka_unit_test(test_lengths))
