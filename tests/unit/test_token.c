/*
 * test_token.c - every token rule of docs/token-rules.md that eksauth
 * follows, each with a token it accepts and one it rejects; the rejection
 * must name the rule and must not echo the token's secrets.  The reference
 * implementation's own vectors are in test_token_upstream.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/timeutil.h"
#include "eksauth/token.h"
#include "token_url.h"
#include "unit.h"

static void assert_url_rejected(const char *url, const char *rule)
{
    struct eksauth_token tok;
    struct eksauth_error err;

    assert_rule(check_url_n(url, strlen(url), NOW, NULL, &tok, &err), &err, rule);
}

static void assert_url_accepted(const char *url, time_t now,
                                const struct eksauth_token_policy *policy)
{
    struct eksauth_token tok;
    struct eksauth_error err;
    enum eksauth_status st = check_url_n(url, strlen(url), now, policy, &tok, &err);

    if (st != EKSAUTH_OK)
        fail_msg("rejected: %s", err.msg);
}

/*
 * A token made from good_parts() with one part changed: to value (NULL
 * leaves the parameter out), refused by rule (NULL: accepted), at NOW.
 */
struct part_case {
    size_t part; /* PART(name) */
    const char *value;
    const char *rule;
};
#define PART(name) offsetof(struct url_parts, name)

static void check_part_cases(const struct part_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        struct url_parts p = good_parts();

        *(const char **)((char *)&p + cases[i].part) = cases[i].value;
        if (cases[i].rule != NULL)
            assert_parts_rejected(&p, NOW, NULL, cases[i].rule);
        else
            assert_parts_accepted(&p, NOW, NULL);
    }
}
#define CHECK_PARTS(cases) check_part_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* A URL with the given host and a credential scoped to region. */
static void url_for_host(char *url, size_t cap, const char *host, const char *region)
{
    struct url_parts p = good_parts();
    char base[300], credential[200];

    snprintf(base, sizeof(base), "https://%s/", host);
    snprintf(credential, sizeof(credential),
             "AKIAIOSFODNN7EXAMPLE%%2F20261130%%2F%s%%2Fsts%%2Faws4_request", region);
    p.base = base;
    p.credential = credential;
    build_url(&p, url, cap);
}

static enum eksauth_status check_host_url(const char *host, const char *region,
                                          const char *partition, const char *const *extra,
                                          struct eksauth_token *tok, struct eksauth_error *err)
{
    struct eksauth_token_policy policy = {partition, 300, extra};
    char url[1024];

    url_for_host(url, sizeof(url), host, region);
    return check_url_n(url, strlen(url), NOW, &policy, tok, err);
}

static void assert_host_accepted(const char *host, const char *region, const char *partition,
                                 const char *const *extra)
{
    struct eksauth_token tok;
    struct eksauth_error err;

    if (check_host_url(host, region, partition, extra, &tok, &err) != EKSAUTH_OK)
        fail_msg("%s rejected: %s", host, err.msg);
    assert_string_equal(tok.host, host);
    assert_string_equal(tok.region, region);
}

static void assert_host_rejected(const char *host, const char *region, const char *partition,
                                 const char *const *extra, const char *rule)
{
    struct eksauth_token tok;
    struct eksauth_error err;

    assert_rule(check_host_url(host, region, partition, extra, &tok, &err), &err, rule);
}

/* A token for host with a credential scoped to region, under partition (and extra hosts). */
struct host_case {
    const char *host, *region, *partition;
    const char *const *extra;
    const char *rule; /* NULL: accepted */
};

static void check_host_cases(const struct host_case *cases, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (cases[i].rule != NULL)
            assert_host_rejected(cases[i].host, cases[i].region, cases[i].partition, cases[i].extra,
                                 cases[i].rule);
        else
            assert_host_accepted(cases[i].host, cases[i].region, cases[i].partition,
                                 cases[i].extra);
    }
}
#define CHECK_HOSTS(cases) check_host_cases(cases, sizeof(cases) / sizeof(cases[0]))

/* ---- accepted tokens ---------------------------------------------------- */

static void test_good_token_fields(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token tok;
    struct eksauth_error err;
    char url[1024];

    (void)state;
    build_url(&p, url, sizeof(url));
    assert_int_equal(check_parts(&p, NOW, NULL, &tok, &err), EKSAUTH_OK);
    assert_string_equal(tok.url, url);
    assert_int_equal(tok.url_len, strlen(url));
    assert_string_equal(tok.host, "sts.us-east-1.amazonaws.com");
    assert_string_equal(tok.region, "us-east-1");
    assert_string_equal(tok.partition, "aws");
    assert_string_equal(tok.access_key_id, "AKIAIOSFODNN7EXAMPLE");
    assert_string_equal(tok.signed_headers, "host;x-k8s-aws-id");
    assert_string_equal(tok.signature, SIGNATURE);
    assert_int_equal(tok.signed_at, SIGNED_AT);
    assert_int_equal(tok.expires_at, SIGNED_AT + 900);
    assert_int_equal(tok.expires_param, 60);
    assert_false(tok.has_session_token);
    eksauth_token_wipe(&tok);
    assert_int_equal(tok.url[0], 0);
    assert_int_equal(tok.signature[0], 0);
}

static void test_session_token(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    p.security_token = SESSION_TOKEN "%2B%2F%3D";
    p.credential = "ASIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_int_equal(check_parts(&p, NOW, NULL, &tok, &err), EKSAUTH_OK);
    assert_true(tok.has_session_token);
    assert_string_equal(tok.access_key_id, "ASIAIOSFODNN7EXAMPLE");
    /* Present but empty is not a session token. */
    p.security_token = "";
    assert_parts_rejected(&p, NOW, NULL, "credential");
}

/* Tokens written by `aws eks get-token` (awscli 1.45.11), decoded. */
static void test_real_awscli_tokens(void **state)
{
    static const char regional[] =
        "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
        "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-"
        "east-1%2Fsts%2Faws4_request&X-Amz-Date=20261130T062417Z&X-Amz-Expires=60"
        "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature="
        "f64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d2";
    static const char global_session[] =
        "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"
        "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-"
        "east-1%2Fsts%2Faws4_request&X-Amz-Date=20261130T062418Z&X-Amz-Expires=60"
        "&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Security-Token=FQoG%2FZX%2Babc%3D"
        "&X-Amz-Signature=66c6f79ab4895223fea8707ce22ab27e1ca092e26e2ad163efd9ece9090efdc2";
    time_t signed_at;
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_time_parse_amz("20261130T062417Z", 16, &signed_at, NULL), EKSAUTH_OK);
    assert_url_accepted(regional, signed_at + 1, NULL);
    assert_int_equal(
        check_url_n(global_session, strlen(global_session), signed_at + 840, NULL, &tok, &err),
        EKSAUTH_OK);
    assert_string_equal(tok.host, "sts.amazonaws.com");
    assert_string_equal(tok.region, "us-east-1");
    assert_true(tok.has_session_token);
}

/* ---- length, prefix, base64 --------------------------------------------- */

/* A URL whose token is exactly want bytes long (want - 11 must not be 1 mod 4). */
static size_t long_url(char *url, size_t cap, size_t want)
{
    struct url_parts p = good_parts();
    size_t base_len, url_len = (want - 11) / 4 * 3 + ((want - 11) % 4 ? (want - 11) % 4 - 1 : 0);
    static char filler[4096];

    p.security_token = "";
    build_url(&p, url, cap);
    base_len = strlen(url);
    assert_true(url_len > base_len && url_len - base_len < sizeof(filler));
    memset(filler, 'A', url_len - base_len);
    filler[url_len - base_len] = '\0';
    p.security_token = filler;
    build_url(&p, url, cap);
    assert_int_equal(strlen(url), url_len);
    return url_len;
}

static void test_length(void **state)
{
    char url[4096], token[8192];
    struct eksauth_token tok;
    struct eksauth_error err;
    size_t n;

    (void)state;
    /* 4095 bytes: the longest token base64 allows under the limit, accepted. */
    n = make_token(url, long_url(url, sizeof(url), 4095), token, sizeof(token));
    assert_int_equal(n, 4095);
    assert_int_equal(eksauth_token_check(token, n, NOW, NULL, &tok, &err), EKSAUTH_OK);
    assert_true(tok.has_session_token);
    /* 4096 bytes passes the length rule (4085 base64 characters cannot decode, though). */
    token[n] = 'A';
    assert_rule(eksauth_token_check(token, 4096, NOW, NULL, &tok, &err), &err, "base64");
    /* 4097 bytes is over the limit, whatever it holds. */
    token[n + 1] = 'A';
    assert_rule(eksauth_token_check(token, 4097, NOW, NULL, &tok, &err), &err, "length");
    assert_non_null(strstr(err.msg, "4097"));
}

static void test_prefix(void **state)
{
    struct url_parts p = good_parts();
    char url[1024], token[2048];
    struct eksauth_token tok;
    struct eksauth_error err;
    size_t n;

    (void)state;
    build_url(&p, url, sizeof(url));
    n = make_token(url, strlen(url), token, sizeof(token));
    assert_int_equal(eksauth_token_check(token, n, NOW, NULL, &tok, &err), EKSAUTH_OK);
    token[9] = '2'; /* k8s-aws-v2. */
    assert_rule(eksauth_token_check(token, n, NOW, NULL, &tok, &err), &err, "prefix");
    token[9] = '1';
    token[0] = 'K'; /* the prefix is case-sensitive */
    assert_rule(eksauth_token_check(token, n, NOW, NULL, &tok, &err), &err, "prefix");
    assert_rule(eksauth_token_check("k8s-aws-v1", 10, NOW, NULL, &tok, &err), &err, "prefix");
    assert_rule(eksauth_token_check("", 0, NOW, NULL, &tok, &err), &err, "prefix");
    assert_rule(eksauth_token_check(NULL, 0, NOW, NULL, &tok, &err), &err, "prefix");
}

static void test_base64(void **state)
{
    struct url_parts p = good_parts();
    char url[1024], token[2048];
    struct eksauth_token tok;
    struct eksauth_error err;
    size_t n, len;

    (void)state;
    /* A URL of 3k+1 bytes: its base64 has a 2-character tail, so padding would be "==". */
    p.expires = "060";
    build_url(&p, url, sizeof(url));
    len = strlen(url);
    if (len % 3 != 1) {
        p.expires = len % 3 == 0 ? "0060" : "00060";
        build_url(&p, url, sizeof(url));
        len = strlen(url);
    }
    assert_int_equal(len % 3, 1);
    n = make_token(url, len, token, sizeof(token));
    assert_int_equal(eksauth_token_check(token, n, NOW, NULL, &tok, &err), EKSAUTH_OK);

    memcpy(token + n, "==", 3);
    assert_rule(eksauth_token_check(token, n + 2, NOW, NULL, &tok, &err), &err, "base64");
    assert_non_null(strstr(err.msg, "padding"));
    /* CR/LF: Go skips them, eksauth refuses them. */
    token[n] = '\n';
    assert_rule(eksauth_token_check(token, n + 1, NOW, NULL, &tok, &err), &err, "base64");
    /* The standard alphabet's '+' and '/' are not base64url. */
    token[n] = token[n - 1];
    token[n - 1] = '+';
    assert_rule(eksauth_token_check(token, n, NOW, NULL, &tok, &err), &err, "base64");
    /* A NUL byte inside the token. */
    token[n - 1] = '\0';
    assert_rule(eksauth_token_check(token, n, NOW, NULL, &tok, &err), &err, "base64");
}

/* ---- URL syntax (url_parse) --------------------------------------------- */

static void test_url_rules(void **state)
{
    static const struct part_case cases[] = {
        {PART(base), "http://sts.us-east-1.amazonaws.com/", "url scheme"},
        {PART(base), "HTTPS://sts.us-east-1.amazonaws.com/", "url scheme"},
        {PART(base), "https://user@sts.us-east-1.amazonaws.com/", "url userinfo"},
        {PART(base), "https://sts.us-east-1.amazonaws.com:443/", "url port"},
        {PART(base), "https://sts.us-east-1.amazonaws.com/x/", "url path"},
        {PART(base), "https://sts.us-east-1.amazonaws.com/%2F", "url path"},
        {PART(base), "https://sts.us-east-1.amazon_aws.com/", "url host"},
        {PART(extra), "#frag", "url fragment"},
        {PART(extra), "&X-Amz-Foo=%zz", "url query"},
        {PART(extra), ";Action=GetCallerIdentity", "url query"},
        /* Empty "&&" segments are skipped, as Go skips them. */
        {PART(extra), "&&", NULL},
    };

    (void)state;
    CHECK_PARTS(cases);
    assert_url_rejected("https://sts.us-east-1.amazonaws.com?Action=GetCallerIdentity", "url path");
}

static void test_nul_bytes(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token tok;
    struct eksauth_error err;
    char url[1024];
    size_t len;

    (void)state;
    build_url(&p, url, sizeof(url));
    len = strlen(url);
    /* A raw NUL inside the query, and one in the host. */
    url[len - 1] = '\0';
    assert_rule(check_url_n(url, len, NOW, NULL, &tok, &err), &err, "url query");
    build_url(&p, url, sizeof(url));
    url[10] = '\0';
    assert_rule(check_url_n(url, len, NOW, NULL, &tok, &err), &err, "url host");
    /* An escaped one. */
    p.action = "GetCallerIdentity%00";
    assert_parts_rejected(&p, NOW, NULL, "url query");
}

/* ---- parameters ----------------------------------------------------------- */

static void test_parameters(void **state)
{
    static const struct part_case cases[] = {
        {PART(extra), "&Foo=bar", "unknown parameter"},
        {PART(extra), "&X-Amz-Credentials=x", "unknown parameter"},
        /* CVE-2022-2385: a second credential that differs only in case. */
        {PART(extra),
         "&x-amz-credential=ASIAXXXXXXXXXXXXXXXX%2F20261130%2Fus-east-1%2Fsts%2Faws4_request",
         "duplicate parameter"},
        {PART(extra), "&X-AMZ-DATE=" DATE, "duplicate parameter"},
        /* The same key twice. */
        {PART(extra), "&X-Amz-Credential=" CREDENTIAL, "repeated parameter"},
        {PART(extra), "&Action=GetCallerIdentity", "repeated parameter"},
        /* Both: the case duplicate is reported first, as upstream does. */
        {PART(extra), "&Action=GetCallerIdentity&action=GetCallerIdentity", "duplicate parameter"},
    };
    struct url_parts p = good_parts();

    (void)state;
    CHECK_PARTS(cases);
    /* Parameter names compare case-insensitively: a single lower-case key is fine. */
    p.action = NULL;
    p.extra = "&action=GetCallerIdentity";
    assert_parts_accepted(&p, NOW, NULL);
}

static void test_unknown_parameter_name_not_echoed(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    /* A long key (a pasted secret, say) is described by its length only. */
    p.extra = "&" SIGNATURE "=1";
    assert_rule(check_parts(&p, NOW, NULL, &tok, &err), &err, "unknown parameter");
    assert_non_null(strstr(err.msg, "64 bytes"));
    p.extra = "&Foo=1";
    assert_rule(check_parts(&p, NOW, NULL, &tok, &err), &err, "unknown parameter");
    assert_non_null(strstr(err.msg, "\"Foo\""));
}

static void test_action_version_algorithm(void **state)
{
    static const struct part_case cases[] = {
        {PART(action), "AssumeRole", "action"}, {PART(action), "getcalleridentity", "action"},
        {PART(action), NULL, "action"},         {PART(version), "2011-06-16", "version"},
        {PART(version), NULL, "version"},       {PART(algorithm), "AWS4-HMAC-SHA1", "algorithm"},
        {PART(algorithm), NULL, "algorithm"},
    };

    (void)state;
    CHECK_PARTS(cases);
}

static void test_signed_headers(void **state)
{
    static const struct part_case cases[] = {
        {PART(signed_headers), "host", "signed headers"},
        {PART(signed_headers), "x-k8s-aws-id", "signed headers"},
        {PART(signed_headers), NULL, "signed headers"},
        {PART(signed_headers), "host%3B%3Bx-k8s-aws-id", "signed headers"},
        {PART(signed_headers), "host%3Bx-k8s-aws-id%3B", "signed headers"},
        {PART(signed_headers), "host%3Bx-k8s-aws-id-not", "signed headers"},
        /* x-k8s-aws-id compares case-insensitively; more headers are fine. */
        {PART(signed_headers), "host%3BX-K8S-AWS-ID", NULL},
        {PART(signed_headers), "content-type%3Bhost%3Bx-k8s-aws-id", NULL},
        /*
         * The cluster compares with strings.EqualFold since 2025-09, which takes
         * 'ſ' for s and the Kelvin sign for k; no signer writes them, and the
         * query rule refuses their escaped non-ASCII bytes first.
         */
        {PART(signed_headers), "host%3Bx-k8%C5%BF-aws-id", "url query"},
        {PART(signed_headers), "host%3Bx-%E2%84%AA8s-aws-id", "url query"},
    };

    (void)state;
    CHECK_PARTS(cases);
}

static void test_expires(void **state)
{
    static const struct part_case cases[] = {
        {PART(expires), "900", NULL},
        {PART(expires), "0", NULL},
        {PART(expires), "901", "expires"},
        {PART(expires), "-1", "expires"},
        {PART(expires), "+5", "expires"}, /* '+' decodes to a space */
        {PART(expires), "%2B5", "expires"},
        {PART(expires), "", "expires"},
        {PART(expires), "99999999999999999999999", "expires"},
        {PART(expires), NULL, "expires"},
    };

    (void)state;
    CHECK_PARTS(cases);
}

static void test_date_format(void **state)
{
    static const struct part_case cases[] = {
        {PART(date), NULL, "date"},
        {PART(date), "", "date"},
        {PART(date), "20261130T054331.5Z",
         "date"}, /* Go accepts a fraction; no signer writes one */
        {PART(date), "20261130T245959Z", "date"},
        {PART(date), "2026-11-30T05:43:31Z", "date"},
    };

    (void)state;
    CHECK_PARTS(cases);
}

static void test_date_window(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token_policy no_skew = {"aws", 0, NULL};
    struct eksauth_token_policy negative_skew = {"aws", -60, NULL};

    (void)state;
    assert_parts_accepted(&p, SIGNED_AT + 899, NULL);
    /* The second from 15 minutes on: the cluster refuses all of it but its first instant. */
    assert_parts_rejected(&p, SIGNED_AT + 900, NULL, "expired");
    assert_parts_rejected(&p, SIGNED_AT + 901, NULL, "expired");
    assert_parts_rejected(&p, SIGNED_AT + 16 * 60, NULL, "expired");
    assert_parts_accepted(&p, SIGNED_AT, NULL);
    /* Ahead of our clock: within the skew (300 s by default), not beyond. */
    assert_parts_accepted(&p, SIGNED_AT - 300, NULL);
    assert_parts_rejected(&p, SIGNED_AT - 301, NULL, "future date");
    assert_parts_rejected(&p, SIGNED_AT - 10 * 60, NULL, "future date");
    assert_parts_rejected(&p, SIGNED_AT - 1, &no_skew, "future date");
    assert_parts_accepted(&p, SIGNED_AT, &no_skew);
    /* A negative skew counts as none: it never refuses a token dated in the past. */
    assert_parts_accepted(&p, SIGNED_AT + 1, &negative_skew);
    assert_parts_rejected(&p, SIGNED_AT - 1, &negative_skew, "future date");
}

static void test_credential(void **state)
{
    static const struct part_case cases[] = {
        {PART(credential), NULL, "credential"},
        {PART(credential), "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts", "credential"},
        {PART(credential), CREDENTIAL "%2Fextra", "credential"},
        /* The key id: AKIA or ASIA and 16 upper-case letters or digits. */
        {PART(credential), "AIDAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_request",
         "credential"},
        {PART(credential), "AKIAiosfodnn7example%2F20261130%2Fus-east-1%2Fsts%2Faws4_request",
         "credential"},
        {PART(credential), "AKIAIOSFODNN7EXAMPL%2F20261130%2Fus-east-1%2Fsts%2Faws4_request",
         "credential"},
        /* The scope's date is X-Amz-Date's. */
        {PART(credential), "AKIAIOSFODNN7EXAMPLE%2F20261129%2Fus-east-1%2Fsts%2Faws4_request",
         "credential"},
        /* The scope's region is the host's. */
        {PART(credential), "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-west-2%2Fsts%2Faws4_request",
         "credential"},
        {PART(credential), "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fs3%2Faws4_request",
         "credential"},
        {PART(credential), "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_requesT",
         "credential"},
        {PART(credential), "ASIA0123456789ABCDEF%2F20261130%2Fus-east-1%2Fsts%2Faws4_request",
         NULL},
    };

    (void)state;
    CHECK_PARTS(cases);
}

static void test_signature(void **state)
{
    static const struct part_case cases[] = {
        {PART(signature), NULL, "signature"},
        {PART(signature), "F64F6B3BE0FEE8DD50CD73773DC1C44160F51414B78D60DC7FF2B94E7C27B0D2",
         "signature"},
        {PART(signature), "f64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d",
         "signature"},
        {PART(signature), "g64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d2",
         "signature"},
    };

    (void)state;
    CHECK_PARTS(cases);
}

/* ---- hosts (decision 3) --------------------------------------------------- */

static void test_hosts_aws(void **state)
{
    static const struct host_case cases[] = {
        {"sts.us-east-1.amazonaws.com", "us-east-1", NULL, NULL, NULL},
        {"sts.amazonaws.com", "us-east-1", "aws", NULL, NULL},
        {"sts-fips.us-west-2.amazonaws.com", "us-west-2", "aws", NULL, NULL},
        {"sts.eu-west-1.api.aws", "eu-west-1", "aws", NULL, NULL},
        {"sts.ap-southeast-2.amazonaws.com", "ap-southeast-2", "aws", NULL, NULL},
        {"sts.amazonaws.com.evil.com", "us-east-1", "aws", NULL, "host"},
        {"sts.us-east-1.amazonaws.com.cn", "us-east-1", "aws", NULL, "host"},
        {"STS.US-EAST-1.AMAZONAWS.COM", "us-east-1", "aws", NULL, "host"},
        {"sts.us-east-1.amazonaws.com.", "us-east-1", "aws", NULL, "host"},
        {"sts.US-east-1.amazonaws.com", "us-east-1", "aws", NULL, "host"},
        {"sts.amazonaws.com.", "us-east-1", "aws", NULL, "host"},
        {"sts.not-a-region.amazonaws.com", "us-east-1", "aws", NULL, "region"},
        {"sts.us-east.amazonaws.com", "us-east-1", "aws", NULL, "region"},
        /* FIPS dual-stack: the SDK makes it, so it passes. */
        {"sts-fips.us-east-1.api.aws", "us-east-1", "aws", NULL, NULL},
        /* Region-shaped, but no region of aws: the SDK never makes these names for aws. */
        {"sts.cn-north-1.amazonaws.com", "cn-north-1", "aws", NULL, "region"},
        {"sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws", NULL, "region"},
        {"sts.xx-nowhere-9.amazonaws.com", "xx-nowhere-9", "aws", NULL, "region"},
        {"iam.us-east-1.amazonaws.com", "us-east-1", "aws", NULL, "host"},
        {"evil.com", "us-east-1", "aws", NULL, "host"},
        {"amazonaws.com", "us-east-1", "aws", NULL, "host"},
        {"sts.evil.com", "us-east-1", "aws", NULL, "host"},
    };

    (void)state;
    CHECK_HOSTS(cases);
}

static void test_hosts_other_partitions(void **state)
{
    static const struct host_case cases[] = {
        {"sts.amazonaws.com", "us-east-1", "aws-cn", NULL, "host"},
        {"sts.amazonaws.com", "us-east-1", "aws-us-gov", NULL, "host"},
        {"sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "aws-cn", NULL, NULL},
        {"sts.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1", "aws-cn", NULL, NULL},
        {"sts.us-east-1.amazonaws.com", "us-east-1", "aws-cn", NULL, "host"},
        {"sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws-us-gov", NULL, NULL},
        {"sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "aws-iso", NULL, NULL},
        /* The cases of issue 17: an aws region under aws-cn's suffix ... */
        {"sts.us-west-2.amazonaws.com.cn", "us-west-2", "aws-cn", NULL, "region"},
        /* ... GovCloud's FIPS host is sts.<region> (botocore's rules), never sts-fips.<region> ...
         */
        {"sts-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws-us-gov", NULL, "host"},
        {"sts-fips.us-gov-west-1.api.aws", "us-gov-west-1", "aws-us-gov", NULL, NULL},
        /* ... and aws's regions are not GovCloud's, though the suffix is the same. */
        {"sts.us-east-1.amazonaws.com", "us-east-1", "aws-us-gov", NULL, "region"},
        {"sts-fips.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1", "aws-cn", NULL,
         NULL},
        {"sts.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1", "aws-eusc", NULL, NULL},
        {"sts.eusc-de-east-1.api.amazonwebservices.eu", "eusc-de-east-1", "aws-eusc", NULL, NULL},
        /*
         * The ISO partitions: the SDK makes dual-stack hosts there, but the
         * cluster knows no dual-stack domain for them and refuses every one.
         */
        {"sts-fips.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "aws-iso", NULL, NULL},
        {"sts.us-iso-east-1.api.aws.ic.gov", "us-iso-east-1", "aws-iso", NULL, "host"},
        {"sts-fips.us-iso-east-1.api.aws.ic.gov", "us-iso-east-1", "aws-iso", NULL, "host"},
        {"sts.us-isob-east-1.api.aws.scloud", "us-isob-east-1", "aws-iso-b", NULL, "host"},
        {"sts.eu-isoe-west-1.api.cloud-aws.adc-e.uk", "eu-isoe-west-1", "aws-iso-e", NULL, "host"},
        {"sts-fips.us-isof-south-1.api.aws.hci.ic.gov", "us-isof-south-1", "aws-iso-f", NULL,
         "host"},
        {"sts.us-isof-south-1.csp.hci.ic.gov", "us-isof-south-1", "aws-iso-f", NULL, NULL},
    };

    (void)state;
    CHECK_HOSTS(cases);
}

static void test_extra_hosts(void **state)
{
#define VPCE "vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com"
    static const char *const extra[] = {VPCE, "sts.internal.example", NULL};
    static const char *const upper_extra[] = {"STS.Internal.example", NULL};
    static const char *const dot_extra[] = {"sts.internal.example.", NULL};
    static const struct host_case cases[] = {
        {VPCE, "us-east-1", "aws", extra, NULL},
        {VPCE, "us-west-2", "aws", extra, "credential"},
        /* Without a region in its name, the credential's region (a real one) is the token's. */
        {"sts.internal.example", "eu-central-1", "aws", extra, NULL},
        {"sts.internal.example", "nowhere", "aws", extra, "credential"},
        /* Exact names only. */
        {VPCE, "us-east-1", "aws", NULL, "host"},
        {"x.sts.internal.example", "eu-central-1", "aws", extra, "host"},
        {"sts.internal.example.evil.com", "eu-central-1", "aws", extra, "host"},
        {"sts.internal.exampl", "eu-central-1", "aws", extra, "host"},
        /* Even a listed name is refused in upper case or with a trailing dot. */
        {"STS.Internal.example", "eu-central-1", "aws", upper_extra, "host"},
        {"sts.internal.example.", "eu-central-1", "aws", dot_extra, "host"},
    };
#undef VPCE
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    CHECK_HOSTS(cases);
    assert_int_equal(
        check_host_url("sts.internal.example", "eu-central-1", "aws", extra, &tok, &err),
        EKSAUTH_OK);
    assert_string_equal(tok.region, "eu-central-1");
}

static void test_check_host_api(void **state)
{
    struct eksauth_error err;
    char region[32], tiny[4];

    (void)state;
    assert_int_equal(
        eksauth_token_check_host("sts.amazonaws.com", NULL, NULL, region, sizeof(region), &err),
        EKSAUTH_OK);
    assert_string_equal(region, "us-east-1");
    assert_int_equal(eksauth_token_check_host("sts.eu-west-3.amazonaws.com", "aws", NULL, region,
                                              sizeof(region), &err),
                     EKSAUTH_OK);
    assert_string_equal(region, "eu-west-3");
    /* A region buffer too small is an error, never an overflow. */
    assert_int_not_equal(eksauth_token_check_host("sts.eu-west-3.amazonaws.com", "aws", NULL, tiny,
                                                  sizeof(tiny), &err),
                         EKSAUTH_OK);
    /* An unknown partition is a configuration error, not a rejection. */
    assert_int_equal(eksauth_token_check_host("sts.eu-west-3.amazonaws.com", "aws-mars", NULL,
                                              region, sizeof(region), &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(eksauth_token_check_host("", "aws", NULL, region, sizeof(region), &err),
                     EKSAUTH_EREJECTED);
    /* Upper case and a trailing dot are named as such. */
    assert_int_equal(eksauth_token_check_host("sts.EU-west-3.amazonaws.com", "aws", NULL, region,
                                              sizeof(region), &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "lower case"));
    assert_int_equal(eksauth_token_check_host("sts.eu-west-3.amazonaws.com.", "aws", NULL, region,
                                              sizeof(region), &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "ends with a dot"));
    assert_int_equal(eksauth_token_check_host("sts.eu-west-3.amazonaws.com\n", "aws", NULL, region,
                                              sizeof(region), &err),
                     EKSAUTH_EREJECTED);
}

/* ---- fingerprint and wipe ------------------------------------------------- */

static void test_fingerprint(void **state)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1], again[EKSAUTH_FINGERPRINT_LEN + 1];
    size_t i;

    (void)state;
    /* SHA-256("k8s-aws-v1.aHR0cHM6") = 62efbac1 ... */
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM6", 19, fp);
    assert_string_equal(fp, "62efbac1");
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM6", 19, again);
    assert_string_equal(fp, again);
    assert_int_equal(strlen(fp), 8);
    for (i = 0; i < 8; i++)
        assert_non_null(strchr("0123456789abcdef", fp[i]));
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM7", 19, again);
    assert_string_not_equal(fp, again);
}

/* A password typed at the token prompt leaves no hash of itself in a log. */
static void test_fingerprint_of_a_password(void **state)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];

    (void)state;
    eksauth_token_fingerprint("Summer2024!", 11, fp);
    assert_string_equal(fp, "-");
    eksauth_token_fingerprint("k8s-aws-v1", 10, fp); /* the prefix cut short */
    assert_string_equal(fp, "-");
    eksauth_token_fingerprint("", 0, fp);
    assert_string_equal(fp, "-");
    eksauth_token_fingerprint(NULL, 0, fp);
    assert_string_equal(fp, "-");
    assert_true(eksauth_token_shaped("k8s-aws-v1.", 11));
    assert_false(eksauth_token_shaped("K8S-aws-v1.x", 12));
    assert_false(eksauth_token_shaped("k8s-aws-v1.x", 5)); /* only len bytes count */
}

/* The strict shape the client holds a command's token to (tools/client_mint.c). */
static void test_shaped_strict(void **state)
{
    char big[EKSAUTH_TOKEN_MAX_LEN + 2];

    (void)state;
    assert_true(eksauth_token_shaped_strict("k8s-aws-v1.aZ09-_", 17));
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.", 11)); /* nothing after the prefix */
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.abc+def", 18)); /* base64, not url */
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.abc=", 15));    /* padding */
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.ab c", 15));    /* a blank inside */
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.ab\n", 14));
    assert_false(eksauth_token_shaped_strict("k8s-aws-v1.ab\0c", 15));
    assert_false(eksauth_token_shaped_strict("K8S-aws-v1.abc", 14));
    assert_false(eksauth_token_shaped_strict("not a token", 11));
    assert_false(eksauth_token_shaped_strict(NULL, 0));
    memset(big, 'A', sizeof(big));
    memcpy(big, EKSAUTH_TOKEN_PREFIX, strlen(EKSAUTH_TOKEN_PREFIX));
    assert_true(eksauth_token_shaped_strict(big, EKSAUTH_TOKEN_MAX_LEN));
    assert_false(eksauth_token_shaped_strict(big, EKSAUTH_TOKEN_MAX_LEN + 1));
}

static void test_failure_wipes_output(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    memset(&tok, 'x', sizeof(tok));
    p.signature = "short";
    assert_parts_rejected(&p, NOW, NULL, "signature");
    assert_int_equal(check_parts(&p, NOW, NULL, &tok, &err), EKSAUTH_EREJECTED);
    assert_int_equal(tok.url[0], 0);
    assert_int_equal(tok.url_len, 0);
    assert_int_equal(eksauth_token_check("k8s-aws-v1.", 11, NOW, NULL, NULL, &err), EKSAUTH_EINVAL);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_good_token_fields), cmocka_unit_test(test_session_token),
                  cmocka_unit_test(test_real_awscli_tokens), cmocka_unit_test(test_length),
                  cmocka_unit_test(test_prefix), cmocka_unit_test(test_base64),
                  cmocka_unit_test(test_url_rules), cmocka_unit_test(test_nul_bytes),
                  cmocka_unit_test(test_parameters),
                  cmocka_unit_test(test_unknown_parameter_name_not_echoed),
                  cmocka_unit_test(test_action_version_algorithm),
                  cmocka_unit_test(test_signed_headers), cmocka_unit_test(test_expires),
                  cmocka_unit_test(test_date_format), cmocka_unit_test(test_date_window),
                  cmocka_unit_test(test_credential), cmocka_unit_test(test_signature),
                  cmocka_unit_test(test_hosts_aws), cmocka_unit_test(test_hosts_other_partitions),

                  cmocka_unit_test(test_extra_hosts), cmocka_unit_test(test_check_host_api),
                  cmocka_unit_test(test_fingerprint),
                  cmocka_unit_test(test_fingerprint_of_a_password),
                  cmocka_unit_test(test_shaped_strict), cmocka_unit_test(test_failure_wipes_output))
