/*
 * test_imds.c - the pure readers of IMDSv2 answers: the role listing and
 * session tokens (the credentials document: test_creds.c);
 * when the host's own instance is read for {{EC2PrivateDNSName}} (never
 * for other logins; once; a failure refuses).  The calls themselves are tested against
 * tests/lib/fake_imds.py (tests/integration/cluster_sync.sh).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/imds.h"

#define assert_status(x, want) assert_int_equal((int)(x), (int)(want))

static void test_role(void **state)
{
    struct eksauth_error err;
    char role[80];

    (void)state;
    assert_status(eksauth_imds_parse_role("node-role\n", 10, role, sizeof(role), &err), EKSAUTH_OK);
    assert_string_equal(role, "node-role");
    assert_status(eksauth_imds_parse_role("a+=,.@_-Z9", 10, role, sizeof(role), &err), EKSAUTH_OK);
    assert_string_equal(role, "a+=,.@_-Z9");
    /* Only the first line: IMDS lists one role. */
    assert_status(eksauth_imds_parse_role("r1\r\nr2\n", 7, role, sizeof(role), &err), EKSAUTH_OK);
    assert_string_equal(role, "r1");
    assert_status(eksauth_imds_parse_role("", 0, role, sizeof(role), &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no IAM role"));
    assert_status(eksauth_imds_parse_role("\n", 1, role, sizeof(role), &err), EKSAUTH_ENOTFOUND);
    /* A role name becomes a URL path segment: nothing that could change the path. */
    assert_status(eksauth_imds_parse_role("../x", 4, role, sizeof(role), &err), EKSAUTH_EINVAL);
    assert_status(eksauth_imds_parse_role("a/b", 3, role, sizeof(role), &err), EKSAUTH_EINVAL);
    assert_status(eksauth_imds_parse_role("a b", 3, role, sizeof(role), &err), EKSAUTH_EINVAL);
    assert_status(eksauth_imds_parse_role("a?b", 3, role, sizeof(role), &err), EKSAUTH_EINVAL);
    assert_status(eksauth_imds_parse_role("a\0b", 3, role, sizeof(role), &err), EKSAUTH_EINVAL);
    {
        char long_name[70];

        memset(long_name, 'r', sizeof(long_name));
        assert_status(eksauth_imds_parse_role(long_name, 65, role, sizeof(role), &err),
                      EKSAUTH_EINVAL);
        assert_status(eksauth_imds_parse_role(long_name, 64, role, sizeof(role), &err), EKSAUTH_OK);
        assert_status(eksauth_imds_parse_role(long_name, 10, role, 5, &err), EKSAUTH_EINVAL);
    }
}

static void test_token(void **state)
{
    char big[EKSAUTH_IMDS_TOKEN_MAX + 1];

    (void)state;
    assert_true(eksauth_imds_token_valid("AQAEAFakeToken==", 16));
    assert_false(eksauth_imds_token_valid("", 0));
    assert_false(eksauth_imds_token_valid(NULL, 0));
    /* It is sent back as a header value: no CR, LF, space or control byte. */
    assert_false(eksauth_imds_token_valid("abc\r\nX-Evil: 1", 14));
    assert_false(eksauth_imds_token_valid("a b", 3));
    memset(big, 'a', sizeof(big));
    assert_true(eksauth_imds_token_valid(big, EKSAUTH_IMDS_TOKEN_MAX - 1));
    assert_false(eksauth_imds_token_valid(big, EKSAUTH_IMDS_TOKEN_MAX));
}

/*
 * eksauth_imds_bind_host_instance without a network: the endpoint "ftp://"
 * is refused before any request, so a read that happens shows as its error.
 */
static void test_bind_host_instance(void **state)
{
    static const char yaml[] = "mapRoles: |\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
                               "    username: system:node:{{EC2PrivateDNSName}}\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
                               "    username: dev:{{SessionName}}\n";
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_host_instance inst;
    struct eksauth_error err = {0};
    struct eksauth_principal p;

    (void)state;
    assert_status(eksauth_awsauth_parse(yaml, sizeof(yaml) - 1, &aa, &err), EKSAUTH_OK);
    memset(&inst, 0, sizeof(inst));
    memset(&p, 0, sizeof(p));
    /* A login whose entry does not need it: nothing read, nothing bound. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/Dev/i-0123456789abcdef0";
    assert_status(eksauth_imds_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_OK);
    assert_false(inst.tried);
    assert_null(p.self_instance_id);
    /* One that needs it, with instance metadata failing: refused with the cause. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0123456789abcdef0";
    assert_status(eksauth_imds_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_EREJECTED);
    assert_true(inst.tried);
    assert_non_null(strstr(err.msg, "{{EC2PrivateDNSName}}: this host's own instance is unknown: "
                                    "instance metadata: the endpoint must be an http:// URL"));
    assert_null(p.self_instance_id);
    /* The failure is kept: a second login does not wait for instance metadata again. */
    memset(&err, 0, sizeof(err));
    assert_status(eksauth_imds_bind_host_instance("http://127.0.0.1:1", aa, &p, &inst, &err),
                  EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "the endpoint must be"));
    /* An answer read before is bound without another read. */
    memset(&inst, 0, sizeof(inst));
    inst.tried = true;
    inst.status = EKSAUTH_OK;
    snprintf(inst.instance_id, sizeof(inst.instance_id), "i-0123456789abcdef0");
    snprintf(inst.private_dns_name, sizeof(inst.private_dns_name), "ip-10-0-1-23.ec2.internal");
    assert_status(eksauth_imds_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_OK);
    assert_string_equal(p.self_instance_id, "i-0123456789abcdef0");
    assert_string_equal(p.self_private_dns_name, "ip-10-0-1-23.ec2.internal");
    eksauth_awsauth_free(aa);
}

/* A bad endpoint is refused before any request, for the instance identity too. */
static void test_instance_identity_bad_endpoint(void **state)
{
    struct eksauth_host_instance inst;
    struct eksauth_error err = {0};

    (void)state;
    memset(&inst, 'x', sizeof(inst));
    assert_status(eksauth_imds_instance_identity("file:///etc/passwd", &inst, &err),
                  EKSAUTH_EINVAL);
    assert_string_equal(inst.instance_id, "");
    assert_string_equal(inst.private_dns_name, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_bind_host_instance),
        cmocka_unit_test(test_instance_identity_bad_endpoint),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
