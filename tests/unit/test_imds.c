/*
 * test_imds.c - the pure readers of IMDSv2 answers: the role listing and
 * session tokens (the credentials document: test_creds.c); a bad
 * endpoint (when the host's own instance is read for {{EC2PrivateDNSName}}:
 * test_mapping.c).  The calls themselves are tested against
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
                  cmocka_unit_test(test_instance_identity_bad_endpoint))
