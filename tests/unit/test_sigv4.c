/*
 * test_sigv4.c - SigV4 presigning of GetCallerIdentity against fixed
 * vectors: the signing-key example of the SigV4 documentation, and URLs and
 * tokens that botocore 1.43 (`aws eks get-token`, tests/lib/aws_get_token.py)
 * made at 2026-11-30T05:41:45Z for long-term and session credentials,
 * regional, global and aws-cn hosts, and a cluster id that needs no
 * encoding in a header but would in a URL.  Then every refusal.  Header
 * signing (the EKS API), which shares the signer, against botocore
 * SigV4Auth vectors, and its refusals.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/sigv4.h"
#include "unit.h"

#define NOW 1796017305 /* 2026-11-30T05:41:45Z */

struct vector {
    const char *akid, *secret, *session_token;
    const char *region;
    bool global;
    const char *cluster_id;
    const char *url;
    const char *token;
};

static const struct vector vectors[] = {
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        NULL,
        "us-east-1",
        false,
        "foo",
        "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-"
        "Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2Fus-east-1%"
        "2Fsts%2Faws4_request&X-Amz-Date=20261130T054145Z&X-Amz-Expires=60&X-Amz-SignedHeaders="
        "host%3Bx-k8s-aws-id&X-Amz-Signature="
        "4d7e5860246b15b7032f9488c6f9157ad707de5c89c0eeba21a3f1d9055feb33",
        "k8s-aws-v1."
        "aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJz"
        "aW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1B"
        "S0lBSU9TRk9ETk43RVhBTVBMRSUyRjIwMjYxMTMwJTJGdXMtZWFzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0Jlgt"
        "QW16LURhdGU9MjAyNjExMzBUMDU0MTQ1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9z"
        "dCUzQngtazhzLWF3cy1pZCZYLUFtei1TaWduYXR1cmU9NGQ3ZTU4NjAyNDZiMTViNzAzMmY5NDg4YzZmOTE1N2Fk"
        "NzA3ZGU1Yzg5YzBlZWJhMjFhM2YxZDkwNTVmZWIzMw",
    },
    {
        "ASIAFAKEEXAMPLE00001",
        "fakeSecret/with+chars",
        "FQoG+ZX/IvYXdz=EXAMPLE",
        "eu-west-1",
        false,
        "prod",
        "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-"
        "Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKEEXAMPLE00001%2F20261130%2Feu-west-1%"
        "2Fsts%2Faws4_request&X-Amz-Date=20261130T054145Z&X-Amz-Expires=60&X-Amz-SignedHeaders="
        "host%3Bx-k8s-aws-id&X-Amz-Security-Token=FQoG%2BZX%2FIvYXdz%3DEXAMPLE&X-Amz-Signature="
        "faa2766104143b8761600c0c175873145dca3c9852ab023e4d8e72f2a83fd662",
        "k8s-aws-v1."
        "aHR0cHM6Ly9zdHMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20vP0FjdGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJz"
        "aW9uPTIwMTEtMDYtMTUmWC1BbXotQWxnb3JpdGhtPUFXUzQtSE1BQy1TSEEyNTYmWC1BbXotQ3JlZGVudGlhbD1B"
        "U0lBRkFLRUVYQU1QTEUwMDAwMSUyRjIwMjYxMTMwJTJGZXUtd2VzdC0xJTJGc3RzJTJGYXdzNF9yZXF1ZXN0Jlgt"
        "QW16LURhdGU9MjAyNjExMzBUMDU0MTQ1WiZYLUFtei1FeHBpcmVzPTYwJlgtQW16LVNpZ25lZEhlYWRlcnM9aG9z"
        "dCUzQngtazhzLWF3cy1pZCZYLUFtei1TZWN1cml0eS1Ub2tlbj1GUW9HJTJCWlglMkZJdllYZHolM0RFWEFNUExF"
        "JlgtQW16LVNpZ25hdHVyZT1mYWEyNzY2MTA0MTQzYjg3NjE2MDBjMGMxNzU4NzMxNDVkY2EzYzk4NTJhYjAyM2U0"
        "ZDhlNzJmMmE4M2ZkNjYy",
    },
    {
        "ASIAFAKEEXAMPLE00001",
        "fakeSecret/with+chars",
        "FQoG+ZX/IvYXdz=EXAMPLE",
        "us-east-1",
        true,
        "prod",
        "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm="
        "AWS4-HMAC-SHA256&X-Amz-Credential=ASIAFAKEEXAMPLE00001%2F20261130%2Fus-east-1%2Fsts%"
        "2Faws4_request&X-Amz-Date=20261130T054145Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host%"
        "3Bx-k8s-aws-id&X-Amz-Security-Token=FQoG%2BZX%2FIvYXdz%3DEXAMPLE&X-Amz-Signature="
        "c7968ec1a8ff8c61e937bccee2fcdc85e4c84424b3967a460d1817cc3060cbad",
        "k8s-aws-v1."
        "aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0w"
        "Ni0xNSZYLUFtei1BbGdvcml0aG09QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFTSUFGQUtFRVhB"
        "TVBMRTAwMDAxJTJGMjAyNjExMzAlMkZ1cy1lYXN0LTElMkZzdHMlMkZhd3M0X3JlcXVlc3QmWC1BbXotRGF0ZT0y"
        "MDI2MTEzMFQwNTQxNDVaJlgtQW16LUV4cGlyZXM9NjAmWC1BbXotU2lnbmVkSGVhZGVycz1ob3N0JTNCeC1rOHMt"
        "YXdzLWlkJlgtQW16LVNlY3VyaXR5LVRva2VuPUZRb0clMkJaWCUyRkl2WVhkeiUzREVYQU1QTEUmWC1BbXotU2ln"
        "bmF0dXJlPWM3OTY4ZWMxYThmZjhjNjFlOTM3YmNjZWUyZmNkYzg1ZTRjODQ0MjRiMzk2N2E0NjBkMTgxN2NjMzA2"
        "MGNiYWQ",
    },
    {
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        NULL,
        "cn-north-1",
        false,
        "my_cluster-1.x~%",
        "https://sts.cn-north-1.amazonaws.com.cn/?Action=GetCallerIdentity&Version=2011-06-15&X-"
        "Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261130%2Fcn-"
        "north-1%2Fsts%2Faws4_request&X-Amz-Date=20261130T054145Z&X-Amz-Expires=60&X-Amz-"
        "SignedHeaders=host%3Bx-k8s-aws-id&X-Amz-Signature="
        "d740006324ec4e5b363a54e7a503e45353dd0651b09fc6a820f3b5a4cce9ecf9",
        "k8s-aws-v1."
        "aHR0cHM6Ly9zdHMuY24tbm9ydGgtMS5hbWF6b25hd3MuY29tLmNuLz9BY3Rpb249R2V0Q2FsbGVySWRlbnRpdHkm"
        "VmVyc2lvbj0yMDExLTA2LTE1JlgtQW16LUFsZ29yaXRobT1BV1M0LUhNQUMtU0hBMjU2JlgtQW16LUNyZWRlbnRp"
        "YWw9QUtJQUlPU0ZPRE5ON0VYQU1QTEUlMkYyMDI2MTEzMCUyRmNuLW5vcnRoLTElMkZzdHMlMkZhd3M0X3JlcXVl"
        "c3QmWC1BbXotRGF0ZT0yMDI2MTEzMFQwNTQxNDVaJlgtQW16LUV4cGlyZXM9NjAmWC1BbXotU2lnbmVkSGVhZGVy"
        "cz1ob3N0JTNCeC1rOHMtYXdzLWlkJlgtQW16LVNpZ25hdHVyZT1kNzQwMDA2MzI0ZWM0ZTViMzYzYTU0ZTdhNTAz"
        "ZTQ1MzUzZGQwNjUxYjA5ZmM2YTgyMGYzYjVhNGNjZTllY2Y5",
    },
};

static void creds_of(const struct vector *v, struct eksauth_creds *c)
{
    memset(c, 0, sizeof(*c));
    c->access_key_id = (char *)v->akid;
    c->secret_access_key = (char *)v->secret;
    c->session_token = (char *)v->session_token;
}

/* The example of the SigV4 documentation ("Examples of how to derive a signing key"). */
static void test_signing_key_vector(void **state)
{
    static const unsigned char expected[32] = {
        0xf4, 0x78, 0x0e, 0x2d, 0x9f, 0x65, 0xfa, 0x89, 0x5f, 0x9c, 0x67,
        0xb3, 0x2c, 0xe1, 0xba, 0xf0, 0xb0, 0xd8, 0xa4, 0x35, 0x05, 0xa0,
        0x00, 0xa1, 0xa9, 0xe0, 0x90, 0xd4, 0x14, 0xdb, 0x40, 0x4d,
    };
    unsigned char key[32];

    (void)state;
    assert_int_equal(eksauth_sigv4_signing_key("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                               "20120215", "us-east-1", "iam", key, NULL),
                     EKSAUTH_OK);
    assert_memory_equal(key, expected, 32);
}

static void test_botocore_vectors(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sts_presign req;
    char host[256], url[EKSAUTH_SIGV4_URL_MAX], *token;
    size_t i, urllen = 0, toklen = 0;

    (void)state;
    token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    assert_non_null(token);
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vector *v = &vectors[i];

        creds_of(v, &c);
        assert_int_equal(eksauth_sigv4_sts_host(v->region, v->global, host, sizeof(host), NULL),
                         EKSAUTH_OK);
        req.host = host;
        req.region = v->region;
        req.cluster_id = v->cluster_id;
        req.now = NOW;
        req.expires = 0;
        assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, url, sizeof(url), &urllen, NULL),
                         EKSAUTH_OK);
        assert_string_equal(url, v->url);
        assert_int_equal(urllen, strlen(v->url));
        assert_int_equal(
            eksauth_sigv4_sts_token(&c, &req, token, EKSAUTH_SIGV4_TOKEN_MAX, &toklen, NULL),
            EKSAUTH_OK);
        assert_string_equal(token, v->token);
        assert_int_equal(toklen, strlen(v->token));
    }
    free(token);
}

/* Another cluster id, another time, another secret: another signature, same shape. */
static void test_inputs_change_signature(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sts_presign req = {"sts.us-east-1.amazonaws.com", "us-east-1", "foo", NOW, 60};
    char a[EKSAUTH_SIGV4_URL_MAX], b[EKSAUTH_SIGV4_URL_MAX];

    (void)state;
    creds_of(&vectors[0], &c);
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, a, sizeof(a), NULL, NULL), EKSAUTH_OK);
    assert_string_equal(a, vectors[0].url);
    req.cluster_id = "bar";
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, b, sizeof(b), NULL, NULL), EKSAUTH_OK);
    assert_string_not_equal(a, b);
    /* Only the signature differs: the cluster id is signed, never in the URL. */
    assert_memory_equal(a, b, strlen(a) - 64);
    req.cluster_id = "foo";
    req.now = NOW + 1;
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, b, sizeof(b), NULL, NULL), EKSAUTH_OK);
    assert_string_not_equal(a, b);
    req.now = NOW;
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ";
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, b, sizeof(b), NULL, NULL), EKSAUTH_OK);
    assert_memory_equal(a, b, strlen(a) - 64);
    assert_string_not_equal(a + strlen(a) - 64, b + strlen(b) - 64);
    /* An empty session token is no session token. */
    c.secret_access_key = (char *)vectors[0].secret;
    c.session_token = "";
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, b, sizeof(b), NULL, NULL), EKSAUTH_OK);
    assert_string_equal(a, b);
    req.expires = 900;
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, b, sizeof(b), NULL, NULL), EKSAUTH_OK);
    assert_non_null(strstr(b, "&X-Amz-Expires=900&"));
}

static void test_hosts(void **state)
{
    static const struct {
        const char *region;
        bool global;
        const char *host;
    } ok[] = {
        {"us-east-1", false, "sts.us-east-1.amazonaws.com"},
        {"us-east-1", true, "sts.amazonaws.com"},
        {"eu-west-1", true, "sts.amazonaws.com"},
        {"ap-southeast-2", false, "sts.ap-southeast-2.amazonaws.com"},
        {"cn-northwest-1", false, "sts.cn-northwest-1.amazonaws.com.cn"},
        {"us-gov-west-1", false, "sts.us-gov-west-1.amazonaws.com"},
        {"us-iso-east-1", false, "sts.us-iso-east-1.c2s.ic.gov"},
        {"us-isob-east-1", false, "sts.us-isob-east-1.sc2s.sgov.gov"},
        {"eu-isoe-west-1", false, "sts.eu-isoe-west-1.cloud.adc-e.uk"},
        {"us-isof-south-1", false, "sts.us-isof-south-1.csp.hci.ic.gov"},
        {"eusc-de-east-1", false, "sts.eusc-de-east-1.amazonaws.eu"},
    };
    static const struct {
        const char *region;
        bool global;
    } bad[] = {
        {"", false},          {"US-EAST-1", false}, {"us-east-1.evil.com", false},
        {"us_east_1", false}, {"cn-north-1", true}, {"us-gov-west-1", true},
        {"evil/x-1", false},  {"us-east-", false},
    };
    struct eksauth_error err;
    char host[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_int_equal(
            eksauth_sigv4_sts_host(ok[i].region, ok[i].global, host, sizeof(host), NULL),
            EKSAUTH_OK);
        assert_string_equal(host, ok[i].host);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(
            eksauth_sigv4_sts_host(bad[i].region, bad[i].global, host, sizeof(host), &err),
            EKSAUTH_EINVAL);
    assert_int_equal(eksauth_sigv4_sts_host(NULL, false, host, sizeof(host), &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_sigv4_sts_host("us-east-1", false, host, 10, &err), EKSAUTH_EINVAL);
}

static void test_uri_encode(void **state)
{
    char out[64];

    (void)state;
    assert_int_equal(eksauth_sigv4_uri_encode("AZaz09-_.~", 10, out, sizeof(out)), 10);
    assert_string_equal(out, "AZaz09-_.~");
    assert_int_equal(eksauth_sigv4_uri_encode("a/b+c=d;e f%\x01\xff", 14, out, sizeof(out)), 30);
    assert_string_equal(out, "a%2Fb%2Bc%3Dd%3Be%20f%25%01%FF");
    /* Room for the text and its NUL, or nothing. */
    assert_int_equal(eksauth_sigv4_uri_encode("abc", 3, out, 4), 3);
    assert_int_equal(eksauth_sigv4_uri_encode("abc", 3, out, 3), -1);
    assert_int_equal(eksauth_sigv4_uri_encode("/", 1, out, 3), -1);
    assert_int_equal(eksauth_sigv4_uri_encode("/", 1, out, 4), 3);
    assert_int_equal(eksauth_sigv4_uri_encode("", 0, out, 1), 0);
}

static void test_cluster_id(void **state)
{
    char long_id[EKSAUTH_CLUSTER_ID_MAX + 2];

    (void)state;
    assert_true(eksauth_cluster_id_valid("prod"));
    assert_true(eksauth_cluster_id_valid("my_cluster-1.x~%"));
    assert_false(eksauth_cluster_id_valid(NULL));
    assert_false(eksauth_cluster_id_valid(""));
    assert_false(eksauth_cluster_id_valid("a b"));
    assert_false(eksauth_cluster_id_valid("a\r\nX-Evil: 1"));
    assert_false(eksauth_cluster_id_valid("a\tb"));
    assert_false(eksauth_cluster_id_valid("caf\xc3\xa9"));
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[EKSAUTH_CLUSTER_ID_MAX] = '\0';
    assert_true(eksauth_cluster_id_valid(long_id));
    long_id[EKSAUTH_CLUSTER_ID_MAX] = 'a';
    long_id[EKSAUTH_CLUSTER_ID_MAX + 1] = '\0';
    assert_false(eksauth_cluster_id_valid(long_id));
}

static void expect_refused(struct eksauth_creds *c, struct eksauth_sts_presign *req,
                           const char *needle)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    char url[EKSAUTH_SIGV4_URL_MAX];

    strcpy(url, "untouched");
    assert_int_equal(eksauth_sigv4_presign_sts(c, req, url, sizeof(url), NULL, &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, needle));
    assert_string_equal(url, "");
}

static void test_refusals(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sts_presign req;
    struct eksauth_sts_presign good = {"sts.us-east-1.amazonaws.com", "us-east-1", "foo", NOW, 0};
    char big_token[EKSAUTH_SIGV4_URL_MAX + 10];

    (void)state;
    creds_of(&vectors[1], &c);
    req = good;
    req.cluster_id = "foo\r\nX-Injected: 1";
    expect_refused(&c, &req, "cluster id");
    req.cluster_id = "";
    expect_refused(&c, &req, "cluster id");
    req = good;
    req.host = "STS.us-east-1.amazonaws.com";
    expect_refused(&c, &req, "host");
    req.host = "sts.us-east-1.amazonaws.com/evil?";
    expect_refused(&c, &req, "host");
    req.host = "";
    expect_refused(&c, &req, "host");
    req = good;
    req.region = "us-east-1/x";
    expect_refused(&c, &req, "region");
    req = good;
    req.now = -1;
    expect_refused(&c, &req, "time");
    req = good;
    req.expires = -5;
    expect_refused(&c, &req, "X-Amz-Expires");
    req = good;
    c.access_key_id = "asiafakeexample00001";
    expect_refused(&c, &req, "access key id");
    c.access_key_id = "ASIA";
    expect_refused(&c, &req, "access key id");
    c.access_key_id = NULL;
    expect_refused(&c, &req, "access key id");
    creds_of(&vectors[1], &c);
    c.secret_access_key = "";
    expect_refused(&c, &req, "secret");
    c.secret_access_key = "with space";
    expect_refused(&c, &req, "secret");
    creds_of(&vectors[1], &c);
    c.session_token = "tok\nen";
    expect_refused(&c, &req, "session token");
    memset(big_token, 'A', sizeof(big_token) - 1);
    big_token[sizeof(big_token) - 1] = '\0';
    c.session_token = big_token;
    expect_refused(&c, &req, "session token");
    assert_int_equal(eksauth_sigv4_presign_sts(NULL, &req, big_token, 10, NULL, NULL),
                     EKSAUTH_EINVAL);
}

static void test_buffers(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sts_presign req = {"sts.us-east-1.amazonaws.com", "us-east-1", "foo", NOW, 0};
    struct eksauth_error err;
    char url[EKSAUTH_SIGV4_URL_MAX], token[EKSAUTH_SIGV4_TOKEN_MAX];
    size_t n = strlen(vectors[0].url), tn = strlen(vectors[0].token);

    (void)state;
    creds_of(&vectors[0], &c);
    /* Exactly enough room (text and NUL) works; one byte less fails and leaves "". */
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, url, n + 1, NULL, NULL), EKSAUTH_OK);
    assert_string_equal(url, vectors[0].url);
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, url, n, NULL, &err), EKSAUTH_EINVAL);
    assert_string_equal(url, "");
    assert_int_equal(eksauth_sigv4_presign_sts(&c, &req, url, 0, NULL, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_sigv4_sts_token(&c, &req, token, tn + 1, NULL, NULL), EKSAUTH_OK);
    assert_string_equal(token, vectors[0].token);
    assert_int_equal(eksauth_sigv4_sts_token(&c, &req, token, tn, NULL, &err), EKSAUTH_EINVAL);
    assert_string_equal(token, "");
    assert_int_equal(eksauth_sigv4_sts_token(&c, &req, token, 0, NULL, &err), EKSAUTH_EINVAL);
}

/* A realistic assumed-role token (1000-byte session token) is well over 1 KB, under 4 KB. */
static void test_long_session_token(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sts_presign req = {"sts.us-east-1.amazonaws.com", "us-east-1", "foo", NOW, 0};
    char session[1001], *token;
    size_t i, toklen = 0;

    (void)state;
    for (i = 0; i < 1000; i++)
        session[i] = "AZaz09+/="[i % 9];
    session[1000] = '\0';
    creds_of(&vectors[1], &c);
    c.session_token = session;
    token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    assert_non_null(token);
    assert_int_equal(
        eksauth_sigv4_sts_token(&c, &req, token, EKSAUTH_SIGV4_TOKEN_MAX, &toklen, NULL),
        EKSAUTH_OK);
    assert_true(toklen > 1500 && toklen < 4096);
    assert_int_equal(strncmp(token, "k8s-aws-v1.", 11), 0);
    assert_null(strchr(token, '='));
    free(token);
}

/* ------------------------------------------------------------------ */
/* header signing: the same signer, other headers and a given query */

/* Computed with botocore 1.43 SigV4Auth.add_auth at 2026-11-30T05:43:31Z. */
static void test_header_vectors(void **state)
{
    struct eksauth_creds c;
    struct eksauth_sigv4_request r = {
        "GET",
        "eks.eu-west-1.amazonaws.com",
        "/clusters/my%25cluster/access-entries",
        "",
        "eu-west-1",
        "eks",
        1796017411,
    };
    struct eksauth_sigv4_signed out;

    (void)state;
    creds_of(&vectors[0], &c);
    /* The canonical URI encodes the path once more: "%25" is signed as "%2525". */
    assert_int_equal(eksauth_sigv4_sign_request(&c, &r, &out, NULL), EKSAUTH_OK);
    assert_string_equal(out.amz_date, "20261130T054331Z");
    assert_string_equal(
        out.authorization,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/eu-west-1/eks/aws4_request, "
        "SignedHeaders=host;x-amz-date, "
        "Signature=6bc50aa21bde8ca372bc7bc67f4af79066572e719d3325de812b6171ab7fb5d6");
    /* A session token is signed as the x-amz-security-token header; the query as given. */
    creds_of(&vectors[1], &c);
    r.host = "eks.us-west-2.amazonaws.com";
    r.path = "/clusters/prod/access-entries";
    r.query = "maxResults=100&nextToken=a%2Bb%3D";
    r.region = "us-west-2";
    assert_int_equal(eksauth_sigv4_sign_request(&c, &r, &out, NULL), EKSAUTH_OK);
    assert_string_equal(
        out.authorization,
        "AWS4-HMAC-SHA256 Credential=ASIAFAKEEXAMPLE00001/20261130/us-west-2/eks/aws4_request, "
        "SignedHeaders=host;x-amz-date;x-amz-security-token, "
        "Signature=8f44bcaeba760eceb9362b3d28ee229c62cb18a7a6a840ed85daf881c82ffe04");
    /* An empty session token is none. */
    c.session_token = "";
    assert_int_equal(eksauth_sigv4_sign_request(&c, &r, &out, NULL), EKSAUTH_OK);
    assert_non_null(strstr(out.authorization, "SignedHeaders=host;x-amz-date, "));
}

static void expect_header_refused(struct eksauth_creds *c, struct eksauth_sigv4_request *r,
                                  const char *needle)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_sigv4_signed out;

    memset(&out, 'x', sizeof(out));
    assert_int_equal(eksauth_sigv4_sign_request(c, r, &out, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, needle));
    /* Nothing half-signed is left behind. */
    assert_string_equal(out.authorization, "");
    assert_string_equal(out.amz_date, "");
}

static void test_header_refusals(void **state)
{
    static const struct {
        const char *host, *path, *query, *region;
        time_t now;
        const char *needle;
    } bad[] = {
        {"eks.us-east-1.amazonaws.com", "/a b", "", "us-east-1", NOW, "the path is not encoded"},
        {"eks.us-east-1.amazonaws.com", "/a?b", "", "us-east-1", NOW, "the path is not encoded"},
        {"eks.us-east-1.amazonaws.com", "clusters", "", "us-east-1", NOW, "must start with /"},
        {"eks.us-east-1.amazonaws.com", "/x", "a=b\r\nX-Injected: 1", "us-east-1", NOW,
         "the query is not encoded"},
        {"eks.us-east-1.amazonaws.com", "/x", "a=b#frag", "us-east-1", NOW, "query"},
        {"eks.us-east-1.amazonaws.com\r\nX: 1", "/x", "", "us-east-1", NOW, "host"},
        {"eks.us-east-1.amazonaws.com", "/x", "", "US-EAST-1", NOW, "region"},
        {"eks.us-east-1.amazonaws.com", "/x", "", "us-east-1", -1, "time"},
        {"eks.us-east-1.amazonaws.com", NULL, "", "us-east-1", NOW, "no credentials or request"},
    };
    struct eksauth_sigv4_request r = {"GET", NULL, NULL, NULL, NULL, "eks", 0};
    struct eksauth_creds c;
    size_t i;

    (void)state;
    creds_of(&vectors[1], &c);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r.host = bad[i].host;
        r.path = bad[i].path;
        r.query = bad[i].query;
        r.region = bad[i].region;
        r.now = bad[i].now;
        expect_header_refused(&c, &r, bad[i].needle);
    }
    /* The credentials are checked as for presigning. */
    r.path = "/x";
    c.session_token = "bad\ntoken";
    expect_header_refused(&c, &r, "session token");
    creds_of(&vectors[1], &c);
    c.access_key_id = "short";
    expect_header_refused(&c, &r, "access key id");
    creds_of(&vectors[1], &c);
    c.secret_access_key = "with space";
    expect_header_refused(&c, &r, "secret");
    expect_header_refused(NULL, &r, "no credentials or request");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_signing_key_vector),
                  cmocka_unit_test(test_botocore_vectors),
                  cmocka_unit_test(test_inputs_change_signature), cmocka_unit_test(test_hosts),
                  cmocka_unit_test(test_uri_encode), cmocka_unit_test(test_cluster_id),
                  cmocka_unit_test(test_refusals), cmocka_unit_test(test_buffers),
                  cmocka_unit_test(test_long_session_token), cmocka_unit_test(test_header_vectors),
                  cmocka_unit_test(test_header_refusals))
