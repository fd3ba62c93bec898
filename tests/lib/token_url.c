/*
 * token_url.c - tokens made from the parts of a presigned STS URL (see
 * token_url.h).
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
#include "token_url.h"

struct url_parts good_parts(void)
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

void build_url(const struct url_parts *p, char *url, size_t cap)
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
size_t make_token(const char *url, size_t len, char *token, size_t cap)
{
    size_t n;

    assert_true(cap > 11);
    memcpy(token, EKSAUTH_TOKEN_PREFIX, 11);
    n = eksauth_b64url_encode((const unsigned char *)url, len, token + 11, cap - 11);
    assert_true(n > 0 || len == 0);
    return 11 + n;
}

enum eksauth_status check_url_n(const char *url, size_t len, time_t now,
                                const struct eksauth_token_policy *policy,
                                struct eksauth_token *tok, struct eksauth_error *err)
{
    char token[8192];
    size_t n = make_token(url, len, token, sizeof(token));

    memset(err, 0, sizeof(*err));
    return eksauth_token_check(token, n, now, policy, tok, err);
}

enum eksauth_status check_parts(const struct url_parts *p, time_t now,
                                const struct eksauth_token_policy *policy,
                                struct eksauth_token *tok, struct eksauth_error *err)
{
    char url[8192];

    build_url(p, url, sizeof(url));
    return check_url_n(url, strlen(url), now, policy, tok, err);
}

/* The message names the rule first, and holds no secret of the token. */
void assert_rule(enum eksauth_status st, const struct eksauth_error *err, const char *rule)
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

void assert_parts_rejected(const struct url_parts *p, time_t now,
                           const struct eksauth_token_policy *policy, const char *rule)
{
    struct eksauth_token tok;
    struct eksauth_error err;

    assert_rule(check_parts(p, now, policy, &tok, &err), &err, rule);
}

void assert_parts_accepted(const struct url_parts *p, time_t now,
                           const struct eksauth_token_policy *policy)
{
    struct eksauth_token tok;
    struct eksauth_error err;
    enum eksauth_status st = check_parts(p, now, policy, &tok, &err);

    if (st != EKSAUTH_OK)
        fail_msg("rejected: %s", err.msg);
}
