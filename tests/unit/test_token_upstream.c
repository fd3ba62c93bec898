/*
 * test_token_upstream.c - the token checks against the reference
 * implementation's own vectors (aws-iam-authenticator
 * pkg/token/token_test.go), each labelled with its upstream test, with
 * every disagreement tied to the decision that explains it
 * (docs/token-rules.md).  The rules one by one are test_token.c's.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/token.h"
#include "token_url.h"
#include "unit.h"

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

/*
 * upstream TestSTSEndpoints, then TestSTSEndpointResolution: every row, in
 * order; then the hosts of TestVerifyHostCaching and
 * Test_getDefaultHostNameForRegion.
 */
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
    /* TestVerifyHostCaching: each host it verifies, cached or not. */
    {"aws", "sts.us-east-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-west-2.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.ap-southeast-1.amazonaws.com", "", true, true, NULL},
    {"aws", "invalid.amazonaws.com", "", false, false, NULL},
    {"aws", "invalid2.amazonaws.com", "", false, false, NULL},
    {"aws", "sts.sa-east-1.amazonaws.com", "", true, true, NULL},
    {"aws", "sts.eu-central-1.amazonaws.com", "", true, true, NULL},
    /*
     * Test_getDefaultHostNameForRegion: the hosts upstream adds for the
     * verifier's own region, real or not, in its partition's domain.  These
     * labels are the partition's by its region regex, so the SDK makes the
     * host and both accept it whatever the verifier's region; test_123 is
     * no region label.
     */
    {"aws-iso-e", "sts.eu-isoe-test-1.cloud.adc-e.uk", "eu-isoe-test-1", true, true, NULL},
    {"aws-iso", "sts.us-iso-test-1.c2s.ic.gov", "us-iso-test-1", true, true, NULL},
    {"aws-iso", "sts.test_123.c2s.ic.gov", "test_123", false, false, NULL},
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

/*
 * upstream TestGetWithSTS: the token the reference's own client makes since
 * its move to the SDK v2 (and its fix of X-Amz-Expires to 60, which read 0
 * before), for an ASIA key without a session token, checked a minute after
 * it was signed (2023-04-28T00:00:00Z), and after its 15 minutes.
 */
static void test_upstream_get_with_sts(void **state)
{
    static const char token[] =
        "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtd2VzdC0yLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZ"
        "XRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXU"
        "zQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1BU0lBUjJURzQ0VjZBUzNaWkU3QyUyR"
        "jIwMjMwNDI4JTJGdXMtd2VzdC0yJTJGc3RzJTJGYXdzNF9yZXF1ZXN0JlgtQW16LURhdGU9M"
        "jAyMzA0MjhUMDAwMDAwWiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9a"
        "G9zdCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9ZTIxMWRiYTc3YWJhOWRjNDRiM"
        "GI2YmUzOGI4ZWFhZDA5MjU5OWM1MTU3ZjYzMTQ0NDRjNWI5ZDg1NzQ3ZjVjZQ";
    const time_t signed_at = 1682640000;
    struct eksauth_token tok;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(
        eksauth_token_check(token, sizeof(token) - 1, signed_at + 60, NULL, &tok, &err),
        EKSAUTH_OK);
    assert_string_equal(tok.host, "sts.us-west-2.amazonaws.com");
    assert_string_equal(tok.region, "us-west-2");
    assert_int_equal(tok.expires_param, 60);
    assert_false(tok.has_session_token);
    assert_int_equal(tok.expires_at, signed_at + 900);
    eksauth_token_wipe(&tok);
    assert_rule(eksauth_token_check(token, sizeof(token) - 1, signed_at + 900, NULL, &tok, &err),
                &err, "expired");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_upstream_sts_endpoints),
                  cmocka_unit_test(test_upstream_sts_region),
                  cmocka_unit_test(test_upstream_pre_sts_validations),
                  cmocka_unit_test(test_upstream_get_with_sts))
