/*
 * test_sts.c - STS answers and the call's failure paths.  The pure parser:
 * good role, user, federated-user and root answers; every bad answer
 * (types, account, UserId rules, shapes, size, JSON errors); every STS
 * error code, throttling and 5xx.  The call, without a real server: input
 * checks, connection refused, a server that never speaks (timeout within
 * the limit), an unreadable CA file, proxies from the environment ignored
 * and from the config used.  TLS answers are tested against the local STS
 * stand-in in tests/integration/verify.sh; the transport's own cases
 * (lib/http.c) in test_http.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/partition.h"
#include "eksauth/sts.h"
#include "net_helpers.h"
#include "unit.h"

#define ROLE_ARN "arn:aws:sts::111122223333:assumed-role/eks-admins/alice"

static char *answer(const char *arn, const char *account, const char *user_id)
{
    static char buf[4096];

    snprintf(buf, sizeof(buf),
             "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":%s,"
             "\"Arn\":%s,\"UserId\":%s},\"ResponseMetadata\":{\"RequestId\":\"r-1\"}}}\n",
             account, arn, user_id);
    return buf;
}

static enum eksauth_status parse(long status, const char *body, struct eksauth_sts_identity *id,
                                 struct eksauth_error *err)
{
    memset(err, 0, sizeof(*err));
    return eksauth_sts_parse_response(status, body, strlen(body), id, err);
}

/* STS's answer of 200 with these (unquoted) values is taken, into id. */
static void accepted(const char *arn, const char *account, const char *user_id,
                     struct eksauth_sts_identity *id)
{
    char a[256], c[64], u[256];
    struct eksauth_error err;

    snprintf(a, sizeof(a), "\"%s\"", arn);
    snprintf(c, sizeof(c), "\"%s\"", account);
    snprintf(u, sizeof(u), "\"%s\"", user_id);
    if (parse(200, answer(a, c, u), id, &err) != EKSAUTH_OK)
        fail_msg("%s: refused: %s", arn, err.msg);
}

static void expect(long status, const char *body, enum eksauth_status st, const char *needle)
{
    struct eksauth_sts_identity id;
    struct eksauth_error err;

    assert_int_equal(parse(status, body, &id, &err), st);
    assert_int_equal(err.status, st);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    assert_string_equal(id.arn, "");
    assert_int_equal(id.http_status, status);
}

static void test_good_role(void **state)
{
    struct eksauth_sts_identity id;
    struct eksauth_principal p;
    struct eksauth_token tok;

    (void)state;
    accepted(ROLE_ARN, "111122223333", "AROAFAKEROLEID000001:alice", &id);
    assert_string_equal(id.arn, ROLE_ARN);
    assert_string_equal(id.account, "111122223333");
    assert_string_equal(id.user_id, "AROAFAKEROLEID000001:alice");
    assert_string_equal(id.principal_id, "AROAFAKEROLEID000001");
    assert_int_equal(id.parsed.type, EKSAUTH_ARN_ASSUMED_ROLE);
    assert_string_equal(id.parsed.session_name, "alice");
    assert_string_equal(id.parsed.canonical, "arn:aws:iam::111122223333:role/eks-admins");
    assert_int_equal(id.http_status, 200);

    memset(&tok, 0, sizeof(tok));
    strcpy(tok.access_key_id, "ASIAFAKEEXAMPLE00001");
    eksauth_sts_principal(&id, &tok, &p);
    assert_string_equal(p.arn, ROLE_ARN);
    assert_string_equal(p.canonical_arn, "arn:aws:iam::111122223333:role/eks-admins");
    assert_string_equal(p.account, "111122223333");
    assert_string_equal(p.session_name, "alice");
    assert_string_equal(p.access_key_id, "ASIAFAKEEXAMPLE00001");
    eksauth_sts_principal(&id, NULL, &p);
    assert_string_equal(p.access_key_id, "");

    /* A session name with the characters STS allows, and a role path-free ARN. */
    accepted("arn:aws:sts::111122223333:assumed-role/Admin/bob@example.com", "111122223333",
             "AROAFAKEROLEID000002:bob@example.com", &id);
    assert_string_equal(id.principal_id, "AROAFAKEROLEID000002");
    assert_string_equal(id.parsed.session_name, "bob@example.com");
}

static void test_good_others(void **state)
{
    struct eksauth_sts_identity id;
    struct eksauth_error err;
    const char *pretty = "{\n  \"GetCallerIdentityResponse\": {\n    \"GetCallerIdentityResult\": "
                         "{\n      \"UserId\": \"AIDAFAKEUSERID000001\",\n      \"Arn\": "
                         "\"arn:aws:iam::111122223333:user/bob\",\n      \"Account\": "
                         "\"111122223333\",\n      \"Extra\": [1, 2]\n    }\n  }\n}\r\n\t ";

    (void)state;
    /* IAM user: the whole UserId. */
    assert_int_equal(parse(200, pretty, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.principal_id, "AIDAFAKEUSERID000001");
    assert_int_equal(id.parsed.type, EKSAUTH_ARN_USER);
    assert_string_equal(id.parsed.session_name, "");
    /* Federated user: "ACCOUNT:NAME" stays whole (docs/token-rules.md, "The identity from STS's
     * answer"). */
    accepted("arn:aws:sts::111122223333:federated-user/Bob", "111122223333", "111122223333:Bob",
             &id);
    assert_string_equal(id.principal_id, "111122223333:Bob");
    assert_int_equal(id.parsed.type, EKSAUTH_ARN_FEDERATED_USER);
    /* Root. */
    accepted("arn:aws:iam::111122223333:root", "111122223333", "111122223333", &id);
    assert_string_equal(id.principal_id, "111122223333");
    assert_int_equal(id.parsed.type, EKSAUTH_ARN_ROOT);
    /* Another partition. */
    accepted("arn:aws-cn:sts::111122223333:assumed-role/R/s", "111122223333", "AROAX:s", &id);
    assert_string_equal(id.parsed.partition, "aws-cn");
}

static void test_bad_account(void **state)
{
    (void)state;
    expect(200, answer("\"" ROLE_ARN "\"", "\"11112222333\"", "\"AROAX:alice\""), EKSAUTH_EREJECTED,
           "not 12 digits");
    expect(200, answer("\"" ROLE_ARN "\"", "\"1111222233334\"", "\"AROAX:alice\""),
           EKSAUTH_EREJECTED, "not 12 digits");
    expect(200, answer("\"" ROLE_ARN "\"", "\"11112222333a\"", "\"AROAX:alice\""),
           EKSAUTH_EREJECTED, "not 12 digits");
    expect(200, answer("\"" ROLE_ARN "\"", "\"\"", "\"AROAX:alice\""), EKSAUTH_EREJECTED,
           "not 12 digits");
    expect(200, answer("\"" ROLE_ARN "\"", "\"999999999999\"", "\"AROAX:alice\""),
           EKSAUTH_EREJECTED, "is not the ARN's account 111122223333");
}

static void test_user_id_rules(void **state)
{
    (void)state;
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAFAKEROLEID000001\""),
           EKSAUTH_EREJECTED, "malformed UserId");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:alice:x\""),
           EKSAUTH_EREJECTED, "malformed UserId");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\":alice\""), EKSAUTH_EREJECTED,
           "malformed UserId");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:\""), EKSAUTH_EREJECTED,
           "malformed UserId");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:mallory\""),
           EKSAUTH_EREJECTED, "is not the ARN's session");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"\""), EKSAUTH_EREJECTED,
           "UserId is empty");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROA X:alice\""),
           EKSAUTH_EREJECTED, "not ASCII");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX\\n:alice\""),
           EKSAUTH_EREJECTED, "not ASCII");
}

static void test_bad_types_and_shapes(void **state)
{
    char *huge;
    size_t n;

    (void)state;
    expect(200, answer("\"" ROLE_ARN "\"", "111122223333", "\"AROAX:alice\""), EKSAUTH_EREJECTED,
           "Account is not a string");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "[\"AROAX:alice\"]"),
           EKSAUTH_EREJECTED, "UserId is not a string");
    expect(200, answer("null", "\"111122223333\"", "\"AROAX:alice\""), EKSAUTH_EREJECTED,
           "Arn is not a string");
    expect(200, answer("{}", "\"111122223333\"", "\"AROAX:alice\""), EKSAUTH_EREJECTED,
           "Arn is not a string");
    expect(200,
           "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":"
           "\"111122223333\",\"UserId\":\"AROAX:alice\"}}}",
           EKSAUTH_EREJECTED, "has no Arn");
    expect(200, "{\"GetCallerIdentityResult\":{\"Arn\":\"" ROLE_ARN "\"}}", EKSAUTH_EREJECTED,
           "no GetCallerIdentityResponse");
    expect(200, "{\"GetCallerIdentityResponse\":{\"Arn\":\"" ROLE_ARN "\"}}", EKSAUTH_EREJECTED,
           "no GetCallerIdentityResult");
    expect(200, "{\"GetCallerIdentityResponse\":[]}", EKSAUTH_EREJECTED,
           "no GetCallerIdentityResponse");
    expect(200, "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":\"x\"}}",
           EKSAUTH_EREJECTED, "no GetCallerIdentityResult");
    expect(200, "[1,2,3]", EKSAUTH_EREJECTED, "no GetCallerIdentityResponse");
    expect(200, answer("\"arn:aws:s3:::bucket/key\"", "\"111122223333\"", "\"X\""),
           EKSAUTH_EREJECTED, "bad answer: arn");
    expect(200, answer("\"NOT AN ARN\"", "\"111122223333\"", "\"X\""), EKSAUTH_EREJECTED,
           "Arn is not valid");
    expect(200, answer("\"arn:aws:iam::111122223333:group/devs\"", "\"111122223333\"", "\"X\""),
           EKSAUTH_EREJECTED, "bad answer: arn");
    /*
     * An escaped NUL: json-c keeps it inside the string, and C would read
     * only what comes before (a session "alice", an account of 12 digits).
     */
    expect(
        200,
        answer("\"arn:aws:iam::111122223333:user/alice\\u0000x\"", "\"111122223333\"", "\"AIDAX\""),
        EKSAUTH_EREJECTED, "bad answer: a string holding \\u0000");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:alice\\u0000bob\""),
           EKSAUTH_EREJECTED, "bad answer: a string holding \\u0000");
    expect(200, answer("\"" ROLE_ARN "\"", "\"111122223333\\u00004\"", "\"AROAX:alice\""),
           EKSAUTH_EREJECTED, "bad answer: a string holding \\u0000");
    /* Not JSON, cut JSON, two values, an empty body. */
    expect(200, "<html><body>Gateway</body></html>", EKSAUTH_EREJECTED, "not JSON");
    expect(200,
           "<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>" ROLE_ARN
           "</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>",
           EKSAUTH_EREJECTED, "not JSON");
    expect(200, "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Arn\":\"arn:aw",
           EKSAUTH_EREJECTED, "truncated JSON");
    expect(200, "{}{}", EKSAUTH_EREJECTED, "not JSON");
    expect(200, "", EKSAUTH_EREJECTED, "empty");
    expect(200, "   ", EKSAUTH_EREJECTED, "JSON");
    {
        struct eksauth_sts_identity id;
        struct eksauth_error err;
        static const char nul[] = "{\"a\":\"b\0c\"}";

        assert_int_equal(eksauth_sts_parse_response(200, nul, sizeof(nul) - 1, &id, &err),
                         EKSAUTH_EREJECTED);
        assert_int_equal(eksauth_sts_parse_response(200, NULL, 10, &id, &err), EKSAUTH_EREJECTED);
    }

    /* Larger than the cap: refused whatever it holds, even a valid answer padded out. */
    n = EKSAUTH_STS_MAX_BODY + 100;
    huge = malloc(n + 1);
    assert_non_null(huge);
    strcpy(huge, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:alice\""));
    memset(huge + strlen(huge), ' ', n - strlen(huge));
    huge[n] = '\0';
    expect(200, huge, EKSAUTH_EREJECTED, "larger than 65536 bytes");
    /* Just at the cap it is read. */
    huge[EKSAUTH_STS_MAX_BODY] = '\0';
    {
        struct eksauth_sts_identity id;
        struct eksauth_error err;

        assert_int_equal(parse(200, huge, &id, &err), EKSAUTH_OK);
    }
    /* A 5xx with a huge body is still "unavailable". */
    memset(huge, 'x', n);
    huge[n] = '\0';
    expect(503, huge, EKSAUTH_EUNAVAIL, "HTTP 503");
    free(huge);
}

static char *error_json(const char *code, const char *message)
{
    static char buf[1024];

    snprintf(buf, sizeof(buf),
             "{\"Error\":{\"Code\":\"%s\",\"Message\":\"%s\",\"Type\":\"Sender\"},"
             "\"RequestId\":\"r-2\"}",
             code, message);
    return buf;
}

static void test_error_codes(void **state)
{
    struct eksauth_sts_identity id;
    struct eksauth_error err;

    (void)state;
    expect(403, error_json("SignatureDoesNotMatch", "The request signature we calculated..."),
           EKSAUTH_EREJECTED, "HTTP 403 SignatureDoesNotMatch");
    expect(403, error_json("SignatureDoesNotMatch", "x"), EKSAUTH_EREJECTED,
           "minted for another host or cluster");
    /* The code itself is kept for the caller (a login tries a cluster token on it). */
    {
        const char *body = error_json("SignatureDoesNotMatch", "x");

        assert_int_equal(eksauth_sts_parse_response(403, body, strlen(body), &id, &err),
                         EKSAUTH_EREJECTED);
        assert_string_equal(id.error_code, "SignatureDoesNotMatch");
    }
    expect(403, error_json("ExpiredToken", "Request has expired"), EKSAUTH_EREJECTED,
           "HTTP 403 ExpiredToken): the token or its session credentials have expired");
    expect(403, error_json("InvalidClientTokenId", "The security token ... is invalid."),
           EKSAUTH_EREJECTED, "HTTP 403 InvalidClientTokenId");
    expect(403, error_json("AccessDenied", "no"), EKSAUTH_EREJECTED,
           "HTTP 403 AccessDenied): access denied");
    expect(400, error_json("IncompleteSignature", "x"), EKSAUTH_EREJECTED,
           "HTTP 400 IncompleteSignature");
    expect(400, error_json("MalformedQueryString", "x"), EKSAUTH_EREJECTED,
           "HTTP 400 MalformedQueryString");
    expect(400, error_json("SomethingNew", "x"), EKSAUTH_EREJECTED,
           "STS refused the token (HTTP 400 SomethingNew)");
    expect(404, "not found", EKSAUTH_EREJECTED, "STS refused the token (HTTP 404)");
    /* Other error shapes: ErrorResponse wrapper, __type, STS's XML. */
    expect(403,
           "{\"ErrorResponse\":{\"Error\":{\"Code\":\"ExpiredToken\",\"Message\":\"m\"},"
           "\"RequestId\":\"r\"}}",
           EKSAUTH_EREJECTED, "HTTP 403 ExpiredToken");
    expect(400, "{\"__type\":\"com.amazonaws.sts#InvalidClientTokenId\",\"message\":\"m\"}",
           EKSAUTH_EREJECTED, "HTTP 400 InvalidClientTokenId");
    expect(403,
           "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    "
           "<Type>Sender</Type>\n    <Code>SignatureDoesNotMatch</Code>\n    "
           "<Message>m</Message>\n  </Error>\n</ErrorResponse>\n",
           EKSAUTH_EREJECTED, "HTTP 403 SignatureDoesNotMatch");
    /* A code with odd characters is not repeated; STS's Message never is. */
    assert_int_equal(
        parse(403, error_json("Bad<code>", "X-Amz-Security-Token=SECRETSECRET"), &id, &err),
        EKSAUTH_EREJECTED);
    assert_null(strstr(err.msg, "Bad"));
    assert_null(strstr(err.msg, "SECRET"));
    assert_string_equal(err.msg, "sts: STS refused the token (HTTP 403)");
    assert_int_equal(parse(403,
                           error_json("SignatureDoesNotMatch",
                                      "The Canonical String for this request should have "
                                      "been 'GET / X-Amz-Security-Token=SECRETSECRET'"),
                           &id, &err),
                     EKSAUTH_EREJECTED);
    assert_null(strstr(err.msg, "SECRET"));
    assert_null(strstr(err.msg, "Canonical"));
}

static void test_unavailable(void **state)
{
    (void)state;
    expect(400, error_json("Throttling", "Rate exceeded"), EKSAUTH_EUNAVAIL,
           "throttled (HTTP 400 Throttling)");
    expect(400, "<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>",
           EKSAUTH_EUNAVAIL, "throttled");
    expect(400, error_json("ThrottlingException", "x"), EKSAUTH_EUNAVAIL, "throttled");
    expect(400, error_json("RequestLimitExceeded", "x"), EKSAUTH_EUNAVAIL, "throttled");
    expect(429, "", EKSAUTH_EUNAVAIL, "throttled (HTTP 429)");
    /* Upstream's rule: a non-200 body that mentions Throttling (no readable code). */
    expect(400, "Throttling: Rate exceeded", EKSAUTH_EUNAVAIL, "throttled");
    expect(500, error_json("InternalFailure", "x"), EKSAUTH_EUNAVAIL,
           "STS failed (HTTP 500 InternalFailure)");
    expect(503, error_json("ServiceUnavailable", "x"), EKSAUTH_EUNAVAIL,
           "STS failed (HTTP 503 ServiceUnavailable)");
    expect(502, "<html>Bad Gateway</html>", EKSAUTH_EUNAVAIL, "STS failed (HTTP 502)");
    expect(504, "", EKSAUTH_EUNAVAIL, "HTTP 504");
}

static void test_other_statuses(void **state)
{
    (void)state;
    expect(302, "", EKSAUTH_EREJECTED, "unexpected redirect (HTTP 302)");
    expect(301, "", EKSAUTH_EREJECTED, "redirects are never followed");
    expect(201, answer("\"" ROLE_ARN "\"", "\"111122223333\"", "\"AROAX:alice\""),
           EKSAUTH_EREJECTED, "unexpected answer (HTTP 201)");
    expect(0, "", EKSAUTH_EREJECTED, "unexpected answer (HTTP 0)");
}

/* ------------------------------------------------------------------ */
/* the call */

static void make_token(struct eksauth_token *tok)
{
    memset(tok, 0, sizeof(*tok));
    strcpy(tok->url, "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version="
                     "2011-06-15&X-Amz-Signature=0123");
    tok->url_len = strlen(tok->url);
    strcpy(tok->host, "sts.us-east-1.amazonaws.com");
    strcpy(tok->region, "us-east-1");
    strcpy(tok->partition, "aws");
    strcpy(tok->access_key_id, "ASIAFAKEEXAMPLE00001");
    strcpy(tok->signature, "0123");
}

static void make_config(struct eksauth_config *cfg, char *connect_to, int port)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->cluster_id = "prod";
    cfg->partition = "aws";
    cfg->sts_connect_timeout = 1;
    cfg->sts_timeout = 1;
    snprintf(connect_to, 128, "sts.us-east-1.amazonaws.com:443:127.0.0.1:%d", port);
    cfg->sts_connect_to = connect_to;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A call to STS as a login makes it: the config (STS at a port of 127.0.0.1), a checked token. */
struct call {
    struct eksauth_config cfg;
    struct eksauth_token tok;
    struct eksauth_sts_identity id;
    struct eksauth_error err;
    char connect_to[128];
};

static void call_prepare(struct call *c, int port)
{
    make_config(&c->cfg, c->connect_to, port);
    make_token(&c->tok);
}

static enum eksauth_status call_sts(struct call *c)
{
    return eksauth_sts_get_caller_identity(&c->cfg, NULL, NULL, &c->tok, &c->id, &c->err);
}

static void test_call_input_checks(void **state)
{
    struct call c;

    (void)state;
    call_prepare(&c, net_closed_port());
    assert_int_equal(eksauth_sts_get_caller_identity(NULL, NULL, NULL, &c.tok, &c.id, &c.err),
                     EKSAUTH_EINVAL);
    assert_int_equal(eksauth_sts_get_caller_identity(&c.cfg, NULL, NULL, NULL, &c.id, &c.err),
                     EKSAUTH_EINVAL);
    c.cfg.cluster_id = NULL;
    assert_int_equal(call_sts(&c), EKSAUTH_EINVAL);
    assert_non_null(strstr(c.err.msg, "cluster_id"));
    c.cfg.cluster_id = "prod\r\nX-Injected: 1";
    assert_int_equal(call_sts(&c), EKSAUTH_EINVAL);
    c.cfg.cluster_id = "prod";
    strcpy(c.tok.url, "http://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity");
    c.tok.url_len = strlen(c.tok.url);
    assert_int_equal(call_sts(&c), EKSAUTH_EINVAL);
    assert_non_null(strstr(c.err.msg, "not an https URL"));
    make_token(&c.tok);
    c.tok.url_len += 3; /* a length that does not match the string */
    assert_int_equal(call_sts(&c), EKSAUTH_EINVAL);
    /* err may be NULL. */
    assert_int_equal(eksauth_sts_get_caller_identity(&c.cfg, NULL, NULL, &c.tok, &c.id, NULL),
                     EKSAUTH_EINVAL);
}

static void test_call_refused(void **state)
{
    struct call c;

    (void)state;
    call_prepare(&c, net_closed_port());
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(c.err.msg, "sts: sts.us-east-1.amazonaws.com: cannot connect"));
    /* The URL and its signature are never in the message. */
    assert_null(strstr(c.err.msg, "Action="));
    assert_null(strstr(c.err.msg, "0123"));
}

/*
 * STS out of reach for a token that names a region AWS does not list is a
 * refusal: "unavailable" would let ignore_authinfo_unavail step aside for a
 * stranger's made-up host.  A host the operator named stays an outage.
 */
static void test_call_unlisted_region(void **state)
{
    static char *extra[] = {"sts.us-nowhere-9.amazonaws.com", NULL};
    struct call c;
    int port = net_closed_port();

    (void)state;
    call_prepare(&c, port);
    strcpy(c.tok.url, "https://sts.us-nowhere-9.amazonaws.com/?Action=GetCallerIdentity&Version="
                      "2011-06-15&X-Amz-Signature=0123");
    c.tok.url_len = strlen(c.tok.url);
    strcpy(c.tok.host, "sts.us-nowhere-9.amazonaws.com");
    strcpy(c.tok.region, "us-nowhere-9");
    snprintf(c.connect_to, sizeof(c.connect_to), "sts.us-nowhere-9.amazonaws.com:443:127.0.0.1:%d",
             port);
    assert_int_equal(call_sts(&c), EKSAUTH_EREJECTED);
    assert_int_equal(c.err.status, EKSAUTH_EREJECTED);
    assert_non_null(strstr(c.err.msg, "sts: sts.us-nowhere-9.amazonaws.com: cannot connect"));
    assert_non_null(strstr(c.err.msg, "AWS lists no region 'us-nowhere-9'"));
    assert_null(strstr(c.err.msg, "0123"));
    /* Named by the operator (a VPC endpoint's name, say): an outage. */
    c.cfg.sts_hosts = extra;
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    /* A listed region out of reach: an outage (test_call_refused). */
    assert_true(eksauth_region_listed("us-east-1"));
    assert_true(eksauth_region_listed("cn-north-1"));
    assert_true(eksauth_region_listed("us-gov-west-1"));
    assert_false(eksauth_region_listed("us-nowhere-9"));
    assert_false(eksauth_region_listed("US-EAST-1"));
    assert_false(eksauth_region_listed(""));
    assert_false(eksauth_region_listed(NULL));
}

/*
 * The same for a form the SDK's rules make at every region but AWS lists
 * STS at in none or a few (sts-fips.eu-west-1.amazonaws.com does not
 * resolve): a stranger would choose "unavailable" with a real region.
 * The plain host of that region (test_call_refused) and a FIPS host AWS
 * lists stay an outage.
 */
static void test_call_unlisted_host_form(void **state)
{
    static const char *const hosts[] = {"sts-fips.eu-west-1.amazonaws.com", "sts.eu-west-1.api.aws",
                                        "sts-fips.eu-west-1.api.aws"};
    static char *extra[2];
    struct call c;
    size_t i;
    int port = net_closed_port();

    (void)state;
    for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        call_prepare(&c, port);
        snprintf(c.tok.url, sizeof(c.tok.url),
                 "https://%s/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Signature=0123",
                 hosts[i]);
        c.tok.url_len = strlen(c.tok.url);
        strcpy(c.tok.host, hosts[i]);
        strcpy(c.tok.region, "eu-west-1");
        snprintf(c.connect_to, sizeof(c.connect_to), "%s:443:127.0.0.1:%d", hosts[i], port);
        assert_int_equal(call_sts(&c), EKSAUTH_EREJECTED);
        assert_int_equal(c.err.status, EKSAUTH_EREJECTED);
        assert_non_null(strstr(c.err.msg, "cannot connect"));
        assert_non_null(strstr(c.err.msg, "AWS lists STS in region 'eu-west-1' at "
                                          "sts.eu-west-1.amazonaws.com, not at this host"));
        assert_null(strstr(c.err.msg, "0123"));
        /* Named by the operator: an outage. */
        extra[0] = (char *)hosts[i];
        c.cfg.sts_hosts = extra;
        assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    }
    /* A FIPS host AWS lists (endpoints.json): an outage. */
    call_prepare(&c, port);
    strcpy(c.tok.host, "sts-fips.us-east-1.amazonaws.com");
    snprintf(c.tok.url, sizeof(c.tok.url), "https://%s/?Action=GetCallerIdentity", c.tok.host);
    c.tok.url_len = strlen(c.tok.url);
    snprintf(c.connect_to, sizeof(c.connect_to), "%s:443:127.0.0.1:%d", c.tok.host, port);
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    assert_null(strstr(c.err.msg, "refused"));
}

static void test_call_timeout(void **state)
{
    struct call c;
    double t0, dt;
    int port, fd = net_listener(&port);

    (void)state;
    call_prepare(&c, port);
    /*
     * A connect limit above the total is cut to it.  The listener never
     * answers: alarm() fails the test if the call does not end at the 1 s
     * total (30 s: far above any slow machine's 1 s, below the 60 s connect
     * limit; no time limit of the call's own).
     */
    c.cfg.sts_connect_timeout = 60;
    t0 = now_s();
    alarm(30);
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    alarm(0);
    dt = now_s() - t0;
    assert_non_null(strstr(
        c.err.msg, "sts: sts.us-east-1.amazonaws.com: timed out (limits: connect 1 s, total 1 s)"));
    assert_null(strstr(c.err.msg, "0123"));
    /* It waited for the limit: not given up early. */
    assert_true(dt >= 0.9);
    close(fd);
}

static void test_call_bad_ca_file(void **state)
{
    struct call c;
    int port, fd = net_listener(&port);

    (void)state;
    call_prepare(&c, port);
    c.cfg.sts_ca_file = "/nonexistent/eksauth-test-ca.pem";
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(c.err.msg, "sts: sts.us-east-1.amazonaws.com: TLS: cannot read the CA "
                                      "certificates (sts_ca_file)"));
    close(fd);
}

static void test_call_proxies(void **state)
{
    struct call c;
    char proxy[64];
    int port, fd = net_listener(&port);

    (void)state;
    /* Proxies in the environment are ignored: the call still reaches our (silent) listener. */
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", net_closed_port());
    net_proxy_env_set(proxy, 0);
    call_prepare(&c, port);
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(c.err.msg, "timed out"));
    /* The config's proxy is used, whatever NO_PROXY says: here it refuses, so it fails at once. */
    net_proxy_env_set(proxy, 1);
    c.cfg.https_proxy = proxy;
    assert_int_equal(call_sts(&c), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(c.err.msg, "cannot connect"));
    net_proxy_env_clear();
    close(fd);
}

/*
 * The reference implementation's verifier tests (aws-iam-authenticator
 * pkg/token/token_test.go), run through the same parser: each labelled.
 */
static void test_upstream_answers(void **state)
{
    struct eksauth_sts_identity id;

    (void)state;
    /* TestVerifyHTTPThrottling: a 400 whose error code is Throttling; eksauth: unavailable. */
    expect(400,
           "{\"Error\":{\"Code\":\"Throttling\",\"Message\":\"Rate exceeded\",\"Type\":\"Sender\"},"
           "\"RequestId\":\"8c2d3520-24e1-4d5c-ac55-7e226335f447\"}",
           EKSAUTH_EUNAVAIL, "Throttling");
    /* TestVerifyHTTP403: "error from AWS (expected 200, got 403)". */
    expect(403, " ", EKSAUTH_EREJECTED, "HTTP 403");
    /* TestVerifyUnmarshalJSONError: "xxxx". */
    expect(200, "xxxx", EKSAUTH_EREJECTED, "");
    /* TestVerifyInvalidCanonicalARNError: Arn "arn". */
    expect(200, answer("\"arn\"", "\"1000\"", "\"userid\""), EKSAUTH_EREJECTED, "");
    /* TestVerifyInvalidUserIDError: a role's UserId with two ':'. */
    expect(200,
           answer("\"arn:aws:iam::123456789012:role/Alice\"", "\"123456789012\"",
                  "\"not:vailid:userid\""),
           EKSAUTH_EREJECTED, "malformed UserId");
    /* TestVerifyNoSession: an IAM user; UserId whole, canonical ARN the ARN. */
    accepted("arn:aws:iam::123456789012:user/Alice", "123456789012", "Alice", &id);
    assert_string_equal(id.principal_id, "Alice");
    assert_string_equal(id.parsed.canonical, "arn:aws:iam::123456789012:user/Alice");
    assert_string_equal(id.parsed.session_name, "");
    /*
     * TestVerifySessionName: a role ARN (not a session's) with UserId
     * "Alice:session-name"; upstream takes the session name from the UserId.
     * eksauth takes it from an assumed-role ARN only (docs/token-rules.md,
     * "The identity from STS's answer"): STS answers a role's caller with
     * an assumed-role ARN, so this answer is not one STS gives.
     */
    accepted("arn:aws:iam::123456789012:role/Alice", "123456789012", "Alice:session-name", &id);
    assert_string_equal(id.principal_id, "Alice");
    assert_string_equal(id.parsed.session_name, "");
    /*
     * TestVerifyCanonicalARN: assumed-role/Alice/extra with UserId
     * "Alice:session-name".  Upstream accepts it; eksauth requires the
     * UserId's session to be the ARN's (STS's answers always agree), so the
     * same canonical ARN is checked on an answer that agrees.
     */
    expect(200,
           answer("\"arn:aws:sts::123456789012:assumed-role/Alice/extra\"", "\"123456789012\"",
                  "\"Alice:session-name\""),
           EKSAUTH_EREJECTED, "is not the ARN's session");
    accepted("arn:aws:sts::123456789012:assumed-role/Alice/extra", "123456789012", "Alice:extra",
             &id);
    assert_string_equal(id.parsed.canonical, "arn:aws:iam::123456789012:role/Alice");
}

/*
 * upstream TestGetIdentityFromSTSResponse: root, user, federated user.  Its
 * "Role" row (an iam role ARN, UserId without ':') checks the result only
 * when there is no error, and upstream's code refuses it ("malformed
 * UserID": a role's UserId is ID:SESSION), as eksauth does.
 */
static void test_upstream_identities(void **state)
{
    static const struct {
        const char *arn, *user_id, *principal_id;
    } cases[] = {
        {"arn:aws:iam::123456789012:root", "123456789012", "123456789012"},
        {"arn:aws:iam::123456789012:user/Alice", "AIDAIYCCCMMMMMMMMGGDA", "AIDAIYCCCMMMMMMMMGGDA"},
        {"arn:aws:sts::123456789012:federated-user/Alice", "123456789012:Alice",
         "123456789012:Alice"},
    };
    struct eksauth_sts_identity id;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        accepted(cases[i].arn, "123456789012", cases[i].user_id, &id);
        assert_string_equal(id.arn, cases[i].arn);
        assert_string_equal(id.parsed.canonical, cases[i].arn);
        assert_string_equal(id.account, "123456789012");
        assert_string_equal(id.principal_id, cases[i].principal_id);
    }
    expect(200,
           answer("\"arn:aws:iam::123456789012:role/Alice\"", "\"123456789012\"",
                  "\"AROAZZCCCNNNNNNNNFFFA\""),
           EKSAUTH_EREJECTED, "malformed UserId");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_good_role), cmocka_unit_test(test_upstream_answers),
                  cmocka_unit_test(test_upstream_identities), cmocka_unit_test(test_good_others),
                  cmocka_unit_test(test_bad_account), cmocka_unit_test(test_user_id_rules),
                  cmocka_unit_test(test_bad_types_and_shapes), cmocka_unit_test(test_error_codes),
                  cmocka_unit_test(test_unavailable), cmocka_unit_test(test_other_statuses),
                  cmocka_unit_test(test_call_input_checks), cmocka_unit_test(test_call_refused),
                  cmocka_unit_test(test_call_unlisted_region),
                  cmocka_unit_test(test_call_unlisted_host_form),
                  cmocka_unit_test(test_call_timeout), cmocka_unit_test(test_call_bad_ca_file),
                  cmocka_unit_test(test_call_proxies))
