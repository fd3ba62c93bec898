/*
 * token_url.h - tokens made from the parts of a presigned STS URL, for the
 * token checks' unit tests (test_token.c, test_token_upstream.c): the parts
 * of a good one, the URL and the token they make, a check at a given time,
 * and an assertion that a refusal names its rule and no secret of the
 * token.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_TOKEN_URL_H
#define EKSAUTH_TEST_TOKEN_URL_H

#include <stddef.h>
#include <time.h>

#include "eksauth/token.h"

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

/* The parts of a token every signer would make: us-east-1, DATE, CREDENTIAL, SIGNATURE. */
struct url_parts good_parts(void);

/* The URL of p into url (cap bytes). */
void build_url(const struct url_parts *p, char *url, size_t cap);

/* "k8s-aws-v1." + base64url(url[0..len)) into token, as every client makes it; its length. */
size_t make_token(const char *url, size_t len, char *token, size_t cap);

/* eksauth_token_check of the token of url[0..len) (any bytes), or of p's URL. */
enum eksauth_status check_url_n(const char *url, size_t len, time_t now,
                                const struct eksauth_token_policy *policy,
                                struct eksauth_token *tok, struct eksauth_error *err);
enum eksauth_status check_parts(const struct url_parts *p, time_t now,
                                const struct eksauth_token_policy *policy,
                                struct eksauth_token *tok, struct eksauth_error *err);

/* st is a rejection whose message names rule first and holds no secret of the token. */
void assert_rule(enum eksauth_status st, const struct eksauth_error *err, const char *rule);

/* p's token, checked at now, is refused by rule / accepted. */
void assert_parts_rejected(const struct url_parts *p, time_t now,
                           const struct eksauth_token_policy *policy, const char *rule);
void assert_parts_accepted(const struct url_parts *p, time_t now,
                           const struct eksauth_token_policy *policy);

#endif
