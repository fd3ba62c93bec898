/*
 * test_imds.c - the pure readers of IMDSv2 answers: the role listing and
 * session tokens (the credentials document: test_creds.c); which
 * local-hostname is the private DNS name the cluster renders; a bad
 * endpoint (when the host's own instance is read for {{EC2PrivateDNSName}}:
 * test_mapping.c).  The calls themselves are tested against
 * tests/lib/fake_imds.py (tests/integration/cluster_sync.sh, node_dns.sh).
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
#include "unit.h"

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
 * local-hostname is taken for {{EC2PrivateDNSName}} only in the shape of
 * EC2's PrivateDnsName for the region, which the cluster renders
 * (ec2:DescribeInstances); a VPC whose DHCP option set names another
 * domain (corp.example, none, two) makes IMDS answer another name, refused.
 */
static void test_private_dns_name(void **state)
{
    struct eksauth_error err = {0};
    const char *id = "i-0123456789abcdef0";
    const char *taken[][2] = {
        {"ip-10-0-0-1.ec2.internal", "us-east-1"},
        {"ip-10-0-0-1.us-west-2.compute.internal", "us-west-2"},
        {"ip-255-0-100-9.cn-north-1.compute.internal", "cn-north-1"}, /* China: compute.internal */
        {"ip-10-0-0-1.us-gov-west-1.compute.internal", "us-gov-west-1"},
        {"i-0123456789abcdef0.ec2.internal", "us-east-1"}, /* resource-based: its own id */
        {"i-0123456789abcdef0.us-west-2.compute.internal", "us-west-2"},
    };
    const char *refused[][2] = {
        {"ip-10-0-0-1.corp.example", "us-east-1"},              /* domain-name corp.example */
        {"ip-10-0-0-1", "us-east-1"},                           /* an empty domain-name */
        {"ip-10-0-0-1.ec2.internal corp.example", "us-east-1"}, /* two domain-names */
        {"ip-10-0-0-1.corp.example ec2.internal", "us-east-1"},
        {"ip-10-0-0-1.corp.example x.ec2.internal", "us-east-1"},
        {"i-0123456789abcdef0.corp.example", "us-west-2"},       /* resource-based, custom domain */
        {"ip-10-0-0-1.us-east-1.compute.internal", "us-east-1"}, /* another region's form */
        {"ip-10-0-0-1.ec2.internal", "eu-west-1"},               /* us-east-1's domain elsewhere */
        {"ip-10-0-0-1.eu-west-1.compute.internal", "us-west-2"},
        {"i-0aaaaaaaaaaaaaaaa.us-west-2.compute.internal", "us-west-2"}, /* another instance */
        {"ip-10-0-0-256.ec2.internal", "us-east-1"},
        {"ip-10-0-01-1.ec2.internal", "us-east-1"},
        {"ip-10-0-0.ec2.internal", "us-east-1"},
        {"ip-10-0-0-1-2.ec2.internal", "us-east-1"},
        {"x.ip-10-0-0-1.ec2.internal", "us-east-1"},
        {".ec2.internal", "us-east-1"},
        {"ip-10-0-0-1.ec2.internal", "Us-East-1"}, /* no region name */
        {"ip-10-0-0-1.ec2.internal", ""},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
        assert_status(eksauth_imds_private_dns_name_check(taken[i][0], taken[i][1], id, &err),
                      EKSAUTH_OK);
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        memset(&err, 0, sizeof(err));
        assert_status(eksauth_imds_private_dns_name_check(refused[i][0], refused[i][1], id, &err),
                      EKSAUTH_EINVAL);
    }
    /* The message says why and what to do. */
    memset(&err, 0, sizeof(err));
    assert_status(
        eksauth_imds_private_dns_name_check("ip-10-0-0-1.corp.example", "us-east-1", id, &err),
        EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "instance metadata: local-hostname 'ip-10-0-0-1.corp.example' "
                                 "is not the PrivateDnsName the cluster renders "
                                 "{{EC2PrivateDNSName}} from (ip-A-B-C-D.ec2.internal): the VPC's "
                                 "DHCP option set names another domain; set its domain-name to "
                                 "ec2.internal, or map the role without {{EC2PrivateDNSName}}");
    memset(&err, 0, sizeof(err));
    assert_status(eksauth_imds_private_dns_name_check("ip-10-0-0-1", "eu-west-1", id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "(ip-A-B-C-D.eu-west-1.compute.internal)"));
    assert_non_null(strstr(err.msg, "domain-name to eu-west-1.compute.internal, or"));
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

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_role), cmocka_unit_test(test_token),
                  cmocka_unit_test(test_private_dns_name),
                  cmocka_unit_test(test_instance_identity_bad_endpoint))
