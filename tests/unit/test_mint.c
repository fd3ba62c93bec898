/*
 * test_mint.c - lib/mint.c: a token as `aws eks get-token` mints it.  The
 * region given, else the config's; its partition's own STS host, or the
 * global one signed for us-east-1; X-Amz-Expires 60, dated now, the
 * audience signed into x-k8s-aws-id; each checked by the cluster's rules
 * (lib/token.c) under the region's partition.  A region that is not one,
 * or a global host where the partition has none, mints nothing.  Tokens
 * are compared and checked, never printed.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/mint.h"
#include "eksauth/partition.h"
#include "eksauth/token.h"
#include "unit.h"

#define NOW      1796017305 /* 2026-11-30T05:41:45Z */
#define AUDIENCE "eksauth:prod:bastion-1"

static struct eksauth_creds test_creds(void)
{
    struct eksauth_creds c;

    memset(&c, 0, sizeof(c));
    c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    c.session_token = "FQoGZXIvYXdzEXAMPLEsessionTOKEN";
    return c;
}

/* m's token, checked at NOW under partition into *tok (wipe it); the token itself is wiped. */
static void mint_checked(const struct eksauth_mint *m, const char *partition,
                         struct eksauth_token *tok)
{
    const struct eksauth_token_policy policy = {partition, 300, NULL};
    struct eksauth_creds c = test_creds();
    struct eksauth_error err;
    char *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    size_t len = 0;

    assert_non_null(token);
    if (eksauth_mint_token(m, &c, token, EKSAUTH_SIGV4_TOKEN_MAX, &len, &err) != EKSAUTH_OK)
        fail_msg("mint: %s", err.msg);
    assert_int_equal(len, strlen(token));
    if (eksauth_token_check(token, len, NOW, &policy, tok, &err) != EKSAUTH_OK)
        fail_msg("the minted token is refused under %s: %s", partition, err.msg);
    memset(token, 0, EKSAUTH_SIGV4_TOKEN_MAX);
    free(token);
}

/* The URL's credential scope names region (SigV4's signing region). */
static void assert_scope(const struct eksauth_token *tok, const char *region)
{
    char scope[96];

    snprintf(scope, sizeof(scope), "%%2F%s%%2Fsts%%2Faws4_request", region);
    if (strstr(tok->url, scope) == NULL)
        fail_msg("the credential scope is not %s's", region);
}

/* A config whose region is region. */
static void config_in(struct eksauth_config *cfg, const char *region)
{
    struct eksauth_error err;
    char text[128];

    snprintf(text, sizeof(text), "cluster_id = prod\nregion = %s\n", region);
    assert_int_equal(eksauth_config_init(cfg, &err), EKSAUTH_OK);
    if (eksauth_config_parse(cfg, text, strlen(text), "test.conf", &err) != EKSAUTH_OK)
        fail_msg("config: %s", err.msg);
}

/* Without a region of its own, the config's; with one, that one: each its partition's host. */
static void test_region_and_host(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_token tok;
    struct eksauth_mint m;

    (void)state;
    config_in(&cfg, "eu-west-2");
    memset(&m, 0, sizeof(m));
    m.audience = AUDIENCE;
    m.cfg = &cfg;
    m.now = NOW;
    mint_checked(&m, "aws", &tok);
    assert_string_equal(tok.host, "sts.eu-west-2.amazonaws.com");
    assert_scope(&tok, "eu-west-2");
    eksauth_token_wipe(&tok);
    /* A region given beats the config's, in its own partition. */
    m.region = "cn-northwest-1";
    mint_checked(&m, "aws-cn", &tok);
    assert_string_equal(tok.host, "sts.cn-northwest-1.amazonaws.com.cn");
    assert_scope(&tok, "cn-northwest-1");
    eksauth_token_wipe(&tok);
    m.region = "us-gov-west-1";
    mint_checked(&m, "aws-us-gov", &tok);
    assert_string_equal(tok.host, "sts.us-gov-west-1.amazonaws.com");
    assert_scope(&tok, "us-gov-west-1");
    eksauth_token_wipe(&tok);
    eksauth_config_free(&cfg);
}

/* The global host, whatever the region: sts.amazonaws.com signed for us-east-1. */
static void test_global(void **state)
{
    struct eksauth_token tok;
    struct eksauth_mint m;

    (void)state;
    memset(&m, 0, sizeof(m));
    m.audience = AUDIENCE;
    m.region = "eu-west-1";
    m.global = true;
    m.now = NOW;
    mint_checked(&m, "aws", &tok);
    assert_string_equal(tok.host, "sts.amazonaws.com");
    assert_string_equal(tok.region, "us-east-1");
    assert_scope(&tok, "us-east-1");
    eksauth_token_wipe(&tok);
}

/*
 * What `aws eks get-token` sends: X-Amz-Expires 60 (the cluster ignores
 * it; a token lives 15 minutes from its date), the date now, and the
 * audience signed, not sent: the same request with the audience as its
 * x-k8s-aws-id gives the same token, another audience another one.
 */
static void test_expires_date_and_audience(void **state)
{
    struct eksauth_sts_presign req = {"sts.us-east-1.amazonaws.com", "us-east-1", AUDIENCE, NOW,
                                      60};
    struct eksauth_creds c = test_creds();
    char *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX), *want = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    struct eksauth_token tok;
    struct eksauth_error err;
    struct eksauth_mint m;

    (void)state;
    assert_non_null(token);
    assert_non_null(want);
    memset(&m, 0, sizeof(m));
    m.audience = AUDIENCE;
    m.region = "us-east-1";
    m.now = NOW;
    mint_checked(&m, "aws", &tok);
    assert_int_equal(tok.expires_param, 60);
    assert_true(tok.signed_at == NOW);
    assert_string_equal(tok.signed_headers, "host;x-k8s-aws-id");
    assert_null(strstr(tok.url, "x-k8s-aws-id="));
    eksauth_token_wipe(&tok);
    assert_int_equal(eksauth_mint_token(&m, &c, token, EKSAUTH_SIGV4_TOKEN_MAX, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_sigv4_sts_token(&c, &req, want, EKSAUTH_SIGV4_TOKEN_MAX, NULL, &err),
                     EKSAUTH_OK);
    assert_true(strcmp(token, want) == 0);
    req.cluster_id = "eksauth:prod:bastion-2";
    assert_int_equal(eksauth_sigv4_sts_token(&c, &req, want, EKSAUTH_SIGV4_TOKEN_MAX, NULL, &err),
                     EKSAUTH_OK);
    assert_true(strcmp(token, want) != 0);
    memset(token, 0, EKSAUTH_SIGV4_TOKEN_MAX);
    memset(want, 0, EKSAUTH_SIGV4_TOKEN_MAX);
    free(token);
    free(want);
}

/*
 * The region becomes the STS host the token names: what is not a region
 * mints nothing, nor does the global host of a partition that has none
 * (the token would name a host of another partition).
 */
static void test_refused(void **state)
{
    static const struct {
        const char *region;
        bool global;
        const char *why;
    } cases[] = {
        {"evil.example.com", false, "is not a region name"},
        {"us-east-1.evil.example", false, "is not a region name"},
        {"us-east-1/x", false, "is not a region name"},
        {"", false, "is not a region name"},
        /* aws eks get-token signs these for aws's host, which a host refuses. */
        {"xx-nowhere-9", false, "region: xx-nowhere-9 is a region of no AWS partition"},
        {"uk-south-1", false, "lib/partition_data.c"},
        {"cn-north-1", true, "partition aws-cn has no global STS endpoint"},
        {"us-gov-west-1", true, "partition aws-us-gov has no global STS endpoint"},
    };
    struct eksauth_creds c = test_creds();
    char *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    struct eksauth_error err;
    struct eksauth_mint m;
    size_t i, len;

    (void)state;
    assert_non_null(token);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&m, 0, sizeof(m));
        m.audience = AUDIENCE;
        m.region = cases[i].region;
        m.global = cases[i].global;
        m.now = NOW;
        token[0] = 'x';
        len = 7;
        assert_int_equal(eksauth_mint_token(&m, &c, token, EKSAUTH_SIGV4_TOKEN_MAX, &len, &err),
                         EKSAUTH_EINVAL);
        if (strstr(err.msg, cases[i].why) == NULL)
            fail_msg("%s: \"%s\" does not say %s", cases[i].region, err.msg, cases[i].why);
        assert_int_equal(token[0], 'x'); /* nothing written */
        assert_int_equal(len, 7);
    }
    free(token);
}

/*
 * The client refuses only what a host refuses: a region AWS's data does not
 * list yet but a partition's pattern claims mints for that partition's
 * host, which a host's check takes; so does the global host whatever the
 * region, as it is signed for us-east-1.
 */
static void test_new_region_of_a_pattern(void **state)
{
    static const struct {
        const char *region, *partition, *host;
        bool global;
    } cases[] = {
        {"us-newplace-7", "aws", "sts.us-newplace-7.amazonaws.com", false},
        {"cn-newplace-3", "aws-cn", "sts.cn-newplace-3.amazonaws.com.cn", false},
        {"us-gov-newplace-2", "aws-us-gov", "sts.us-gov-newplace-2.amazonaws.com", false},
        {"xx-nowhere-9", "aws", "sts.amazonaws.com", true},
    };
    struct eksauth_token tok;
    struct eksauth_mint m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_false(eksauth_region_listed(cases[i].region));
        memset(&m, 0, sizeof(m));
        m.audience = AUDIENCE;
        m.region = cases[i].region;
        m.global = cases[i].global;
        m.now = NOW;
        mint_checked(&m, cases[i].partition, &tok);
        assert_string_equal(tok.host, cases[i].host);
        eksauth_token_wipe(&tok);
    }
}

/*
 * A host whose sts_host names the STS host of a region no partition claims
 * takes its tokens (lib/token.c): minting with that config (the host's own
 * sync, to its cluster's API) signs for it; without it, refused as above.
 */
static void test_sts_host_of_the_config_passes(void **state)
{
    static const char text[] =
        "cluster_id = prod\nregion = us-east-1\nsts_host = sts.xx-new-1.amazonaws.com\n";
    struct eksauth_creds c = test_creds();
    char *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    struct eksauth_config cfg;
    struct eksauth_error err;
    struct eksauth_mint m;
    size_t len = 0;

    (void)state;
    assert_non_null(token);
    assert_int_equal(eksauth_config_init(&cfg, &err), EKSAUTH_OK);
    if (eksauth_config_parse(&cfg, text, strlen(text), "test.conf", &err) != EKSAUTH_OK)
        fail_msg("config: %s", err.msg);
    memset(&m, 0, sizeof(m));
    m.audience = AUDIENCE;
    m.region = "xx-new-1";
    m.cfg = &cfg;
    m.now = NOW;
    if (eksauth_mint_token(&m, &c, token, EKSAUTH_SIGV4_TOKEN_MAX, &len, &err) != EKSAUTH_OK)
        fail_msg("mint with sts_host: %s", err.msg);
    assert_true(len > 0);
    m.cfg = NULL;
    assert_int_equal(eksauth_mint_token(&m, &c, token, EKSAUTH_SIGV4_TOKEN_MAX, &len, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "unless its sts_host lists it"));
    explicit_bzero(token, EKSAUTH_SIGV4_TOKEN_MAX);
    free(token);
    eksauth_config_free(&cfg);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_region_and_host), cmocka_unit_test(test_global),
                  cmocka_unit_test(test_expires_date_and_audience), cmocka_unit_test(test_refused),
                  cmocka_unit_test(test_new_region_of_a_pattern),
                  cmocka_unit_test(test_sts_host_of_the_config_passes))
