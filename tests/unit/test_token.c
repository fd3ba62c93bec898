/*
 * test_token.c - every token rule of docs/token-rules.md that eksauth
 * follows, each with a token it accepts and one it rejects; the rejection
 * must name the rule and must not echo the token's secrets.  Then the
 * reference implementation's own vectors (aws-iam-authenticator
 * pkg/token/token_test.go), each labelled with its upstream test, with
 * every disagreement tied to the decision that explains it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/base64url.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"
#include "unit.h"

#define SIGNATURE     "f64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d2"
#define SESSION_TOKEN "FQoGZXIvYXdzEXAMPLEsessionTOKEN"
#define DATE          "20261130T054331Z"
#define SIGNED_AT     1796017411 /* DATE as Unix seconds */
#define NOW           (SIGNED_AT + 60)
#define CREDENTIAL    "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_request"

/* The parts of a presigned URL; NULL leaves a parameter out. */
struct url_parts {
    const char *base; /* "https://host/" */
    const char *action, *version, *algorithm, *credential, *date, *expires, *signed_headers;
    const char *security_token, *signature;
    const char *extra; /* appended as written, e.g. "&Foo=bar" */
};

static struct url_parts good_parts(void)
{
    struct url_parts p = {
        .base = "https://sts.us-east-1.amazonaws.com/",
        .action = "GetCallerIdentity",
        .version = "2011-06-15",
        .algorithm = "AWS4-HMAC-SHA256",
        .credential = CREDENTIAL,
        .date = DATE,
        .expires = "60",
        .signed_headers = "host%3Bx-k8s-aws-id",
        .security_token = NULL,
        .signature = SIGNATURE,
        .extra = NULL,
    };
    return p;
}

static void add_param(char *url, size_t cap, const char *key, const char *value)
{
    size_t n = strlen(url);

    if (value != NULL)
        snprintf(url + n, cap - n, "%s%s=%s", url[n - 1] == '/' ? "?" : "&", key, value);
}

static void build_url(const struct url_parts *p, char *url, size_t cap)
{
    snprintf(url, cap, "%s", p->base);
    add_param(url, cap, "Action", p->action);
    add_param(url, cap, "Version", p->version);
    add_param(url, cap, "X-Amz-Algorithm", p->algorithm);
    add_param(url, cap, "X-Amz-Credential", p->credential);
    add_param(url, cap, "X-Amz-Date", p->date);
    add_param(url, cap, "X-Amz-Expires", p->expires);
    add_param(url, cap, "X-Amz-SignedHeaders", p->signed_headers);
    add_param(url, cap, "X-Amz-Security-Token", p->security_token);
    add_param(url, cap, "X-Amz-Signature", p->signature);
    if (p->extra != NULL)
        snprintf(url + strlen(url), cap - strlen(url), "%s", p->extra);
}

/* "k8s-aws-v1." + base64url(url[0..len)): the way every client makes a token. */
static size_t make_token(const char *url, size_t len, char *token, size_t cap)
{
    size_t n;

    assert_true(cap > 11);
    memcpy(token, EKSAUTH_TOKEN_PREFIX, 11);
    n = eksauth_b64url_encode((const unsigned char *)url, len, token + 11, cap - 11);
    assert_true(n > 0 || len == 0);
    return 11 + n;
}

static enum eksauth_status check_url_n(const char *url, size_t len, time_t now,
                                       const struct eksauth_token_policy *policy,
                                       struct eksauth_token *tok, struct eksauth_error *err)
{
    char token[8192];
    size_t n = make_token(url, len, token, sizeof(token));

    memset(err, 0, sizeof(*err));
    return eksauth_token_check(token, n, now, policy, tok, err);
}

static enum eksauth_status check_parts(const struct url_parts *p, time_t now,
                                       const struct eksauth_token_policy *policy,
                                       struct eksauth_token *tok, struct eksauth_error *err)
{
    char url[8192];

    build_url(p, url, sizeof(url));
    return check_url_n(url, strlen(url), now, policy, tok, err);
}

/* The message names the rule first, and holds no secret of the token. */
static void assert_rule(enum eksauth_status st, const struct eksauth_error *err, const char *rule)
{
    size_t n = strlen(rule);

    if (st != EKSAUTH_EREJECTED || strncmp(err->msg, rule, n) != 0 || err->msg[n] != ':' ||
        err->msg[n + 1] != ' ')
        fail_msg("want rule \"%s\", got status %d: \"%s\"", rule, (int)st, err->msg);
    assert_int_equal(err->status, EKSAUTH_EREJECTED);
    assert_null(strstr(err->msg, SIGNATURE));
    assert_null(strstr(err->msg, SESSION_TOKEN));
    assert_null(strstr(err->msg, "AKIAIOSFODNN7EXAMPLE"));
    assert_null(strstr(err->msg, "https://"));
}

static void assert_parts_rejected(const struct url_parts *p, time_t now,
                                  const struct eksauth_token_policy *policy, const char *rule)
{
    struct eksauth_token tok;
    struct eksauth_error err;

    assert_rule(check_parts(p, now, policy, &tok, &err), &err, rule);
}

static void assert_parts_accepted(const struct url_parts *p, time_t now,
                                  const struct eksauth_token_policy *policy)
{
    struct eksauth_token tok;
    struct eksauth_error err;
    enum eksauth_status st = check_parts(p, now, policy, &tok, &err);

    if (st != EKSAUTH_OK)
        fail_msg("rejected: %s", err.msg);
}

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
    struct url_parts p = good_parts();

    (void)state;
    p.base = "http://sts.us-east-1.amazonaws.com/";
    assert_parts_rejected(&p, NOW, NULL, "url scheme");
    p.base = "HTTPS://sts.us-east-1.amazonaws.com/";
    assert_parts_rejected(&p, NOW, NULL, "url scheme");
    p.base = "https://user@sts.us-east-1.amazonaws.com/";
    assert_parts_rejected(&p, NOW, NULL, "url userinfo");
    p.base = "https://sts.us-east-1.amazonaws.com:443/";
    assert_parts_rejected(&p, NOW, NULL, "url port");
    p.base = "https://sts.us-east-1.amazonaws.com/x/";
    assert_parts_rejected(&p, NOW, NULL, "url path");
    p.base = "https://sts.us-east-1.amazonaws.com/%2F";
    assert_parts_rejected(&p, NOW, NULL, "url path");
    p.base = "https://sts.us-east-1.amazon_aws.com/";
    assert_parts_rejected(&p, NOW, NULL, "url host");
    p = good_parts();
    p.extra = "#frag";
    assert_parts_rejected(&p, NOW, NULL, "url fragment");
    p.extra = "&X-Amz-Foo=%zz";
    assert_parts_rejected(&p, NOW, NULL, "url query");
    p.extra = ";Action=GetCallerIdentity";
    assert_parts_rejected(&p, NOW, NULL, "url query");
    /* Empty "&&" segments are skipped, as Go skips them. */
    p.extra = "&&";
    assert_parts_accepted(&p, NOW, NULL);
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
    struct url_parts p = good_parts();

    (void)state;
    p.extra = "&Foo=bar";
    assert_parts_rejected(&p, NOW, NULL, "unknown parameter");
    p.extra = "&X-Amz-Credentials=x";
    assert_parts_rejected(&p, NOW, NULL, "unknown parameter");
    /* CVE-2022-2385: a second credential that differs only in case. */
    p.extra = "&x-amz-credential=ASIAXXXXXXXXXXXXXXXX%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "duplicate parameter");
    p.extra = "&X-AMZ-DATE=" DATE;
    assert_parts_rejected(&p, NOW, NULL, "duplicate parameter");
    /* The same key twice. */
    p.extra = "&X-Amz-Credential=" CREDENTIAL;
    assert_parts_rejected(&p, NOW, NULL, "repeated parameter");
    p.extra = "&Action=GetCallerIdentity";
    assert_parts_rejected(&p, NOW, NULL, "repeated parameter");
    /* Both: the case duplicate is reported first, as upstream does. */
    p.extra = "&Action=GetCallerIdentity&action=GetCallerIdentity";
    assert_parts_rejected(&p, NOW, NULL, "duplicate parameter");
    /* Parameter names compare case-insensitively: a single lower-case key is fine. */
    p = good_parts();
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
    struct url_parts p = good_parts();

    (void)state;
    p.action = "AssumeRole";
    assert_parts_rejected(&p, NOW, NULL, "action");
    p.action = "getcalleridentity";
    assert_parts_rejected(&p, NOW, NULL, "action");
    p.action = NULL;
    assert_parts_rejected(&p, NOW, NULL, "action");
    p = good_parts();
    p.version = "2011-06-16";
    assert_parts_rejected(&p, NOW, NULL, "version");
    p.version = NULL;
    assert_parts_rejected(&p, NOW, NULL, "version");
    p = good_parts();
    p.algorithm = "AWS4-HMAC-SHA1";
    assert_parts_rejected(&p, NOW, NULL, "algorithm");
    p.algorithm = NULL;
    assert_parts_rejected(&p, NOW, NULL, "algorithm");
}

static void test_signed_headers(void **state)
{
    struct url_parts p = good_parts();

    (void)state;
    p.signed_headers = "host";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    p.signed_headers = "x-k8s-aws-id";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    p.signed_headers = NULL;
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    p.signed_headers = "host%3B%3Bx-k8s-aws-id";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    p.signed_headers = "host%3Bx-k8s-aws-id%3B";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    p.signed_headers = "host%3Bx-k8s-aws-id-not";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    /* x-k8s-aws-id compares case-insensitively; more headers are fine. */
    p.signed_headers = "host%3BX-K8S-AWS-ID";
    assert_parts_accepted(&p, NOW, NULL);
    p.signed_headers = "content-type%3Bhost%3Bx-k8s-aws-id";
    assert_parts_accepted(&p, NOW, NULL);
}

static void test_expires(void **state)
{
    struct url_parts p = good_parts();

    (void)state;
    p.expires = "900";
    assert_parts_accepted(&p, NOW, NULL);
    p.expires = "0";
    assert_parts_accepted(&p, NOW, NULL);
    p.expires = "901";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = "-1";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = "+5"; /* '+' decodes to a space */
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = "%2B5";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = "";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = "99999999999999999999999";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    p.expires = NULL;
    assert_parts_rejected(&p, NOW, NULL, "expires");
}

static void test_date_format(void **state)
{
    struct url_parts p = good_parts();

    (void)state;
    p.date = NULL;
    assert_parts_rejected(&p, NOW, NULL, "date");
    p.date = "";
    assert_parts_rejected(&p, NOW, NULL, "date");
    p.date = "20261130T054331.5Z"; /* Go accepts a fraction; no signer writes one */
    assert_parts_rejected(&p, NOW, NULL, "date");
    p.date = "20261130T245959Z";
    assert_parts_rejected(&p, NOW, NULL, "date");
    p.date = "2026-11-30T05:43:31Z";
    assert_parts_rejected(&p, NOW, NULL, "date");
}

static void test_date_window(void **state)
{
    struct url_parts p = good_parts();
    struct eksauth_token_policy no_skew = {"aws", 0, NULL};
    struct eksauth_token_policy negative_skew = {"aws", -60, NULL};

    (void)state;
    assert_parts_accepted(&p, SIGNED_AT + 900, NULL); /* exactly 15 minutes */
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
    struct url_parts p = good_parts();

    (void)state;
    p.credential = NULL;
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = CREDENTIAL "%2Fextra";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    /* The key id: AKIA or ASIA and 16 upper-case letters or digits. */
    p.credential = "AIDAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "AKIAiosfodnn7example%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "AKIAIOSFODNN7EXAMPL%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    /* The scope's date is X-Amz-Date's. */
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F20261129%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    /* The scope's region is the host's. */
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-west-2%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fs3%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%2Fsts%2Faws4_requesT";
    assert_parts_rejected(&p, NOW, NULL, "credential");
    p.credential = "ASIA0123456789ABCDEF%2F20261130%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_accepted(&p, NOW, NULL);
}

static void test_signature(void **state)
{
    struct url_parts p = good_parts();

    (void)state;
    p.signature = NULL;
    assert_parts_rejected(&p, NOW, NULL, "signature");
    p.signature = "F64F6B3BE0FEE8DD50CD73773DC1C44160F51414B78D60DC7FF2B94E7C27B0D2";
    assert_parts_rejected(&p, NOW, NULL, "signature");
    p.signature = "f64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d";
    assert_parts_rejected(&p, NOW, NULL, "signature");
    p.signature = "g64f6b3be0fee8dd50cd73773dc1c44160f51414b78d60dc7ff2b94e7c27b0d2";
    assert_parts_rejected(&p, NOW, NULL, "signature");
}

/* ---- hosts (decision 3) --------------------------------------------------- */

static void test_hosts_aws(void **state)
{
    (void)state;
    assert_host_accepted("sts.us-east-1.amazonaws.com", "us-east-1", NULL, NULL);
    assert_host_accepted("sts.amazonaws.com", "us-east-1", "aws", NULL);
    assert_host_accepted("sts-fips.us-west-2.amazonaws.com", "us-west-2", "aws", NULL);
    assert_host_accepted("sts.eu-west-1.api.aws", "eu-west-1", "aws", NULL);
    assert_host_accepted("sts.ap-southeast-2.amazonaws.com", "ap-southeast-2", "aws", NULL);

    assert_host_rejected("sts.amazonaws.com.evil.com", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.us-east-1.amazonaws.com.cn", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("STS.US-EAST-1.AMAZONAWS.COM", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.us-east-1.amazonaws.com.", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.US-east-1.amazonaws.com", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.amazonaws.com.", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.not-a-region.amazonaws.com", "us-east-1", "aws", NULL, "region");
    assert_host_rejected("sts.us-east.amazonaws.com", "us-east-1", "aws", NULL, "region");
    /* FIPS dual-stack: the SDK makes it, so it passes. */
    assert_host_accepted("sts-fips.us-east-1.api.aws", "us-east-1", "aws", NULL);
    /* Region-shaped, but no region of aws: the SDK never makes these names for aws. */
    assert_host_rejected("sts.cn-north-1.amazonaws.com", "cn-north-1", "aws", NULL, "region");
    assert_host_rejected("sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws", NULL, "region");
    assert_host_rejected("sts.xx-nowhere-9.amazonaws.com", "xx-nowhere-9", "aws", NULL, "region");
    assert_host_rejected("iam.us-east-1.amazonaws.com", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("evil.com", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("amazonaws.com", "us-east-1", "aws", NULL, "host");
    assert_host_rejected("sts.evil.com", "us-east-1", "aws", NULL, "host");
}

static void test_hosts_other_partitions(void **state)
{
    (void)state;
    assert_host_rejected("sts.amazonaws.com", "us-east-1", "aws-cn", NULL, "host");
    assert_host_rejected("sts.amazonaws.com", "us-east-1", "aws-us-gov", NULL, "host");
    assert_host_accepted("sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "aws-cn", NULL);
    assert_host_accepted("sts.cn-north-1.api.amazonwebservices.com.cn", "cn-north-1", "aws-cn",
                         NULL);
    assert_host_rejected("sts.us-east-1.amazonaws.com", "us-east-1", "aws-cn", NULL, "host");
    assert_host_accepted("sts.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws-us-gov", NULL);
    assert_host_accepted("sts.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "aws-iso", NULL);
    /* The cases of issue 17: an aws region under aws-cn's suffix ... */
    assert_host_rejected("sts.us-west-2.amazonaws.com.cn", "us-west-2", "aws-cn", NULL, "region");
    /* ... GovCloud's FIPS host is sts.<region> (botocore's rules), never sts-fips.<region> ... */
    assert_host_rejected("sts-fips.us-gov-west-1.amazonaws.com", "us-gov-west-1", "aws-us-gov",
                         NULL, "host");
    assert_host_accepted("sts-fips.us-gov-west-1.api.aws", "us-gov-west-1", "aws-us-gov", NULL);
    /* ... and aws's regions are not GovCloud's, though the suffix is the same. */
    assert_host_rejected("sts.us-east-1.amazonaws.com", "us-east-1", "aws-us-gov", NULL, "region");
    assert_host_accepted("sts-fips.cn-northwest-1.api.amazonwebservices.com.cn", "cn-northwest-1",
                         "aws-cn", NULL);
    assert_host_accepted("sts.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1", "aws-eusc", NULL);
}

static void test_extra_hosts(void **state)
{
    static const char *const extra[] = {"vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com",
                                        "sts.internal.example", NULL};
    static const char *const upper_extra[] = {"STS.Internal.example", NULL};
    static const char *const dot_extra[] = {"sts.internal.example.", NULL};
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    assert_host_accepted("vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com", "us-east-1", "aws",
                         extra);
    assert_host_rejected("vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com", "us-west-2", "aws",
                         extra, "credential");
    /* Without a region in its name, the credential's region (a real one) is the token's. */
    assert_host_accepted("sts.internal.example", "eu-central-1", "aws", extra);
    assert_host_rejected("sts.internal.example", "nowhere", "aws", extra, "credential");
    /* Exact names only. */
    assert_host_rejected("vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com", "us-east-1", "aws", NULL,
                         "host");
    assert_host_rejected("x.sts.internal.example", "eu-central-1", "aws", extra, "host");
    assert_host_rejected("sts.internal.example.evil.com", "eu-central-1", "aws", extra, "host");
    assert_host_rejected("sts.internal.exampl", "eu-central-1", "aws", extra, "host");
    /* Even a listed name is refused in upper case or with a trailing dot. */
    assert_host_rejected("STS.Internal.example", "eu-central-1", "aws", upper_extra, "host");
    assert_host_rejected("sts.internal.example.", "eu-central-1", "aws", dot_extra, "host");
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

/* ---- the reference implementation's vectors (pkg/token/token_test.go) --------- */

/* The decisions behind each disagreement with upstream (docs/token-rules.md). */
#define WHY_OWN_REGION                                                                             \
    "Hosts: no rule for the verifier's own region; a host is one the SDK makes for the partition"
#define WHY_REGION_SHAPE "Hosts: only the partition's regions, and region-shaped labels"
#define WHY_STRICT       "decision 2: parameters every signer sends are required"

struct upstream_host {
    const char *partition, *host;
    const char *own_region; /* the verifier's own region upstream ("" for none) */
    bool upstream_ok, ok;
    const char *why; /* the decision, when ok differs from upstream_ok */
};

/* upstream TestSTSEndpoints, then TestSTSEndpointResolution: every row, in order. */
static const struct upstream_host upstream_hosts[] = {
    {"aws", "sts.amazonaws.com", "", true, true, NULL},
    {"aws-cn", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-us-gov", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-iso", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-iso-b", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-iso-e", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-iso-f", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-not-a-partition", "sts.amazonaws.com", "", false, false, NULL},
    {"aws-cn", "sts.cn-northwest-1.amazonaws.com.cn", "", true, true, NULL},
    {"aws-cn", "sts.cn-north-1.amazonaws.com.cn", "", true, true, NULL},
    {"aws-cn", "sts.us-iso-east-1.c2s.ic.gov", "", false, false, NULL},
    {"aws-cn", "sts.not-a-region1.amazonaws.com.cn", "", false, false, NULL},
    {"aws-cn", "sts.not-a-region2.amazonaws.com.cn", "not-a-region2", true, false, WHY_OWN_REGION},
    {"aws", "sts.amazonaws.com", "", true, true, NULL},
    {"aws", "sts-fips.us-west-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts-fips.us-east-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.us-east-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.us-east-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.us-west-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.us-west-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-south-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-northeast-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-northeast-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-southeast-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-southeast-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ca-central-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-central-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-west-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-west-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-west-3.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-north-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.amazonaws.com.cn", "", false, false, NULL},
    {"aws", "website.amazonaws.com", "", false, false, NULL},
    {"aws", "sts.default-region.amazonaws.com", "default-region", true, false, WHY_REGION_SHAPE},
    {"aws-iso", "sts.us-iso-east-1.c2s.ic.gov", "", true, true, NULL},
    {"aws-iso", "sts.cn-north-1.amazonaws.com.cn", "", false, false, NULL},
    {"aws-iso-b", "sts.cn-north-1.amazonaws.com.cn", "", false, false, NULL},
    {"aws-us-gov", "sts.us-gov-east-1.amazonaws.com", "", true, true, NULL},
    {"aws-not-a-partition", "sts.amazonaws.com", "", false, false, NULL},
    {"aws", "sts-fips.us-east-1.amazonaws.com", "", true, true, NULL},
    {"aws-cn", "sts-fips.us-east-1.amazonaws.com", "", false, false, NULL},
    {"aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", "", false, false, NULL},
    {"aws-cn", "sts.us-isob-east-1.amazonaws.com.cn", "us-isob-east-1", true, false,
     WHY_OWN_REGION},
    {"aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", "", false, false, NULL},
    {"aws-iso-b", "sts.us-isob-east-1.amazonaws.com.cn", "us-isob-east-1", false, false, NULL},
    {"aws", "sts.us-west-2.api.aws", "", true, true, NULL},
    {"aws-cn", "sts.cn-north-1.api.amazonwebservices.com.cn", "", true, true, NULL},
    {"aws", "sts.cn-north-1.api.amazonwebservices.com.cn", "", false, false, NULL},
    {"aws", "sts.not-a-region.amazonaws.com", "", true, false, WHY_REGION_SHAPE},
    {"aws", "sts.not-a-region.amazonaws.com", "not-a-region", true, false, WHY_REGION_SHAPE},
    {"aws", "sts.not-a-region.amazonaws.com", "us-west-2", true, false, WHY_REGION_SHAPE},
    {"aws-cn", "sts.not-a-region3.amazonaws.com.cn", "", false, false, NULL},
    {"aws-cn", "sts.not-a-region4.amazonaws.com.cn", "not-a-region4", true, false, WHY_OWN_REGION},
    {"aws-cn", "sts.not-a-region5.amazonaws.com.cn", "us-west-2", false, false, NULL},
    /* TestSTSEndpointResolution */
    {"aws-cn", "sts.us-west-2.amazonaws.com.cn", "", false, false, NULL},
    {"aws", "sts.us-west-2.amazonaws.com.cn", "", false, false, NULL},
    {"aws", "sts.us-west-2.amazonaws.com.cn", "us-west-2", false, false, NULL},
    {"aws-cn", "sts.not-a-region.amazonaws.com", "not-a-region", false, false, NULL},
};

static void test_upstream_sts_endpoints(void **state)
{
    const struct upstream_host *c;
    struct eksauth_error err;
    char region[32];
    size_t i;
    bool ok;

    (void)state;
    for (i = 0; i < sizeof(upstream_hosts) / sizeof(upstream_hosts[0]); i++) {
        c = &upstream_hosts[i];
        /* Every disagreement is a decision, named. */
        if (c->ok != c->upstream_ok && c->why == NULL)
            fail_msg("row %zu (%s) differs from upstream without a reason", i, c->host);
        ok = eksauth_token_check_host(c->host, c->partition, NULL, region, sizeof(region), &err) ==
             EKSAUTH_OK;
        if (ok != c->ok)
            fail_msg("row %zu: %s under %s: %s, want %s (%s)", i, c->host, c->partition,
                     ok ? "accepted" : err.msg, c->ok ? "accepted" : "refused",
                     c->why != NULL ? c->why : "as upstream");
    }
}

/* upstream TestGetStsRegion: the host's region; the global host is us-east-1's. */
static void test_upstream_sts_region(void **state)
{
    static const struct {
        const char *host, *region;
    } cases[] = {
        {"sts.amazonaws.com", "us-east-1"}, /* upstream: "global", signed for us-east-1 */
        {"sts.us-west-2.amazonaws.com", "us-west-2"},
        {"sts.eu-central-1.amazonaws.com", "eu-central-1"},
        {"", NULL},
        {"sts", NULL},
        {"sts.wrongformat", NULL},
    };
    struct eksauth_error err;
    char region[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum eksauth_status st =
            eksauth_token_check_host(cases[i].host, "aws", NULL, region, sizeof(region), &err);

        if (cases[i].region == NULL) {
            assert_int_equal(st, EKSAUTH_EREJECTED);
            assert_int_equal(strncmp(err.msg, "host: ", 6), 0);
        } else {
            assert_int_equal(st, EKSAUTH_OK);
            assert_string_equal(region, cases[i].region);
        }
    }
}

/* A token for url (any bytes), checked at NOW under partition: refused by rule. */
static void upstream_rejected(const char *partition, const char *url, const char *rule)
{
    struct eksauth_token_policy policy = {partition, 300, NULL};
    struct eksauth_token tok;
    struct eksauth_error err;
    enum eksauth_status st = check_url_n(url, strlen(url), NOW, &policy, &tok, &err);
    size_t n = strlen(rule);

    /* These URLs hold no secret: the rule is all there is to check (a message may say https://). */
    if (st != EKSAUTH_EREJECTED || strncmp(err.msg, rule, n) != 0 || err.msg[n] != ':')
        fail_msg("%s: want rule \"%s\", got status %d: \"%s\"", url, rule, (int)st, err.msg);
}

/*
 * upstream TestVerifyTokenPreSTSValidations, in order.  Its URLs carry only
 * the parameters upstream reads (no Version, X-Amz-Algorithm, credential
 * scope, signature or signed host); eksauth refuses those first (decision 2,
 * WHY_STRICT).  So each case is run twice: as upstream wrote it, and
 * completed with what every signer sends, where the rule upstream tests must
 * be the one that fires.
 */
static void test_upstream_pre_sts_validations(void **state)
{
    struct url_parts p = good_parts();
    char big[EKSAUTH_TOKEN_MAX_LEN + 2];
    struct eksauth_token tok;
    struct eksauth_error err;
    static const char *const regional[] = {
        "https://sts.us-east-2.amazonaws.com/",    "https://sts.ap-northeast-2.amazonaws.com/",
        "https://sts.ca-central-1.amazonaws.com/", "https://sts.eu-west-1.amazonaws.com/",
        "https://sts.sa-east-1.amazonaws.com/",
    };
    char base_url[256], credential[128];
    size_t i;

    (void)state;
    /* "token is too large" */
    memset(big, 'A', sizeof(big) - 1);
    memcpy(big, EKSAUTH_TOKEN_PREFIX, 11);
    big[sizeof(big) - 1] = '\0';
    assert_rule(eksauth_token_check(big, sizeof(big) - 1, NOW, NULL, &tok, &err), &err, "length");
    /* "token is missing expected "k8s-aws-v1." prefix" */
    assert_rule(eksauth_token_check("k8s-aws-v2.asdfasdfa", 20, NOW, NULL, &tok, &err), &err,
                "prefix");
    /* "illegal base64 data" */
    assert_rule(eksauth_token_check("k8s-aws-v1.decodingerror", 24, NOW, NULL, &tok, &err), &err,
                "base64");
    /* "missing protocol scheme", "unexpected scheme" */
    upstream_rejected("aws", ":ab:cd.af:/asda", "url scheme");
    upstream_rejected("aws", "http://", "url scheme");
    /* "could not parse region for pre-signed URL google.com": ours checks the path first. */
    upstream_rejected("aws", "https://google.com", "url path");
    p.base = "https://google.com/";
    assert_parts_rejected(&p, NOW, NULL, "host");
    /* "unexpected path in pre-signed URL" */
    upstream_rejected("aws-cn", "https://sts.cn-north-1.amazonaws.com.cn/abc", "url path");
    upstream_rejected("aws", "https://sts.amazonaws.com/abc", "url path");
    /* "non-whitelisted query parameter" */
    upstream_rejected("aws", "https://sts.amazonaws.com/?NoInWhiteList=abc", "unknown parameter");
    /* "query parameter with multiple values not supported" */
    upstream_rejected("aws", "https://sts.amazonaws.com/?action=get&action=post",
                      "repeated parameter");
    /* "unexpected action parameter in pre-signed URL" */
    upstream_rejected("aws", "https://sts.amazonaws.com/?action=NotGetCallerIdenity", "action");
    /* "client did not sign the x-k8s-aws-id header": as written, Version is missing first. */
    upstream_rejected("aws",
                      "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders="
                      "abc%3bx-k8s-aws-i%3bdef",
                      "version");
    p = good_parts();
    p.signed_headers = "abc%3bx-k8s-aws-i%3bdef";
    assert_parts_rejected(&p, NOW, NULL, "signed headers");
    /* "invalid X-Amz-Expires parameter in pre-signed URL" */
    upstream_rejected("aws",
                      "https://sts.amazonaws.com/?action=GetCallerIdentity&x-amz-signedheaders="
                      "x-k8s-aws-id&x-amz-date=" DATE "&x-amz-expires=9999999",
                      "version");
    p = good_parts();
    p.expires = "9999999";
    assert_parts_rejected(&p, NOW, NULL, "expires");
    /* "error parsing X-Amz-Date parameter" */
    p = good_parts();
    p.date = "xxxxxxx";
    assert_parts_rejected(&p, NOW, NULL, "date");
    /* "X-Amz-Date parameter is expired" */
    p = good_parts();
    p.date = "19900422T010203Z";
    p.credential = "AKIAIOSFODNN7EXAMPLE%2F19900422%2Fus-east-1%2Fsts%2Faws4_request";
    assert_parts_rejected(&p, NOW, NULL, "expired");
    /* "malformed query parameter" (x-amz-expires=60%gh) */
    upstream_rejected("aws",
                      "https://sts.sa-east-1.amazonaws.com/?action=GetCallerIdentity&"
                      "x-amz-signedheaders=x-k8s-aws-id&x-amz-date=" DATE "&x-amz-expires=60%gh",
                      "url query");
    /* The five accepted: as written, refused for Version (WHY_STRICT); completed, accepted. */
    for (i = 0; i < sizeof(regional) / sizeof(regional[0]); i++) {
        char url[512];
        const char *region = regional[i] + strlen("https://sts.");

        snprintf(url, sizeof(url),
                 "%s?action=GetCallerIdentity&x-amz-signedheaders=x-k8s-aws-id&x-amz-date=" DATE
                 "&x-amz-expires=60",
                 regional[i]);
        upstream_rejected("aws", url, "version");
        p = good_parts();
        snprintf(base_url, sizeof(base_url), "%s", regional[i]);
        snprintf(credential, sizeof(credential),
                 "AKIAIOSFODNN7EXAMPLE%%2F20261130%%2F%.*s%%2Fsts%%2Faws4_request",
                 (int)(strchr(region, '.') - region), region);
        p.base = base_url;
        p.credential = credential;
        assert_parts_accepted(&p, NOW, NULL);
    }
    /* "duplicate query parameter found" (CVE-2022-2385): as written, the same rule. */
    upstream_rejected("aws",
                      "https://sts.us-west-2.amazonaws.com/?Action=GetCallerIdentity&Version="
                      "2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
                      "ASIAAAAAAAAAAAAAAAAA%2F20220601%2Fus-west-2%2Fsts%2Faws4_request&X-Amz-Date="
                      "20220601T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=XXXXXXXXXXXXX&X-Amz-"
                      "SignedHeaders=host%3Bx-k8s-aws-id&x-amz-credential=eve&X-Amz-Signature="
                      "999999999999999999",
                      "duplicate parameter");
}

/* ---- fingerprint and wipe ------------------------------------------------- */

static void test_fingerprint(void **state)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1], again[EKSAUTH_FINGERPRINT_LEN + 1];
    size_t i;

    (void)state;
    /* SHA-256("abc") = ba7816bf 8f01cfea ... */
    eksauth_token_fingerprint("abc", 3, fp);
    assert_string_equal(fp, "ba7816bf");
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM6", 19, fp);
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM6", 19, again);
    assert_string_equal(fp, again);
    assert_int_equal(strlen(fp), 8);
    for (i = 0; i < 8; i++)
        assert_non_null(strchr("0123456789abcdef", fp[i]));
    eksauth_token_fingerprint("k8s-aws-v1.aHR0cHM7", 19, again);
    assert_string_not_equal(fp, again);
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
                  cmocka_unit_test(test_upstream_sts_endpoints),
                  cmocka_unit_test(test_upstream_sts_region),
                  cmocka_unit_test(test_upstream_pre_sts_validations),
                  cmocka_unit_test(test_extra_hosts), cmocka_unit_test(test_check_host_api),
                  cmocka_unit_test(test_fingerprint), cmocka_unit_test(test_failure_wipes_output))
