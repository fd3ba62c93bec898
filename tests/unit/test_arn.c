/*
 * test_arn.c - ARN parsing and canonicalisation: the reference
 * implementation's vectors (aws-iam-authenticator pkg/arn/arn_test.go, each
 * labelled), every partition and resource type, the lookup key (the
 * canonical ARN in lower case, as the cluster compares), and every
 * rejection.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/arn.h"
#include "unit.h"

static const char *const partitions[] = {
    "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc",
};
#define N_PARTITIONS (sizeof(partitions) / sizeof(partitions[0]))

/* Parse s, which must succeed, and check type, canonical and key. */
static void expect_arn(const char *s, enum eksauth_arn_type type, const char *canonical,
                       const char *key)
{
    struct eksauth_arn a;
    struct eksauth_error err = {0};

    if (eksauth_arn_parse(s, &a, &err) != EKSAUTH_OK)
        fail_msg("%s: %s", s, err.msg);
    assert_int_equal(a.type, type);
    assert_string_equal(a.canonical, canonical);
    assert_string_equal(a.key, key);
}

/* Parse s, which must fail with EINVAL and a message holding want. */
static void expect_bad(const char *s, const char *want)
{
    struct eksauth_arn a;
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_arn_parse(s, &a, &err), EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    if (strncmp(err.msg, "arn: ", 5) != 0 || strstr(err.msg, want) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", s != NULL ? s : "(null)", err.msg, want);
}

/* upstream pkg/arn/arn_test.go TestUserARN (its table arnTests), in order. */
static void test_upstream_vectors(void **state)
{
    (void)state;
    expect_bad("NOT AN ARN", "whitespace");
    expect_arn("arn:aws:iam::123456789012:user/Alice", EKSAUTH_ARN_USER,
               "arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/alice");
    expect_arn("arn:aws:iam::123456789012:role/Users", EKSAUTH_ARN_ROLE,
               "arn:aws:iam::123456789012:role/Users", "arn:aws:iam::123456789012:role/users");
    expect_arn("arn:aws:sts::123456789012:assumed-role/Admin/Session", EKSAUTH_ARN_ASSUMED_ROLE,
               "arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/admin");
    expect_arn("arn:aws:sts::123456789012:federated-user/Bob", EKSAUTH_ARN_FEDERATED_USER,
               "arn:aws:sts::123456789012:federated-user/Bob",
               "arn:aws:sts::123456789012:federated-user/bob");
    expect_arn("arn:aws:iam::123456789012:root", EKSAUTH_ARN_ROOT, "arn:aws:iam::123456789012:root",
               "arn:aws:iam::123456789012:root");
    expect_arn("arn:aws:sts::123456789012:assumed-role/Org/Team/Admin/Session",
               EKSAUTH_ARN_ASSUMED_ROLE, "arn:aws:iam::123456789012:role/Org/Team/Admin",
               "arn:aws:iam::123456789012:role/org/team/admin");
    expect_arn("arn:aws-iso:iam::123456789012:user/Chris", EKSAUTH_ARN_USER,
               "arn:aws-iso:iam::123456789012:user/Chris",
               "arn:aws-iso:iam::123456789012:user/chris");
    expect_arn("arn:aws-iso-b:iam::123456789012:user/Chris", EKSAUTH_ARN_USER,
               "arn:aws-iso-b:iam::123456789012:user/Chris",
               "arn:aws-iso-b:iam::123456789012:user/chris");
}

/*
 * upstream pkg/arn/arn_test.go TestStripPath (arnStripTests): StripPath turns
 * role/Org/Team/Admin into role/Admin for the DynamicFile backend only; the
 * ConfigMap backend EKS runs compares ARNs whole, so eksauth's key keeps a
 * role's path (docs/aws-auth.md, "eksauth and the cluster").  The other rows
 * are unchanged either way.
 */
static void test_strip_path_vectors(void **state)
{
    (void)state;
    expect_bad("NOT AN ARN", "whitespace");
    expect_arn("arn:aws:iam::123456789012:role/Org/Team/Admin", EKSAUTH_ARN_ROLE,
               "arn:aws:iam::123456789012:role/Org/Team/Admin",
               "arn:aws:iam::123456789012:role/org/team/admin");
    expect_arn("arn:aws:iam::123456789012:role/Admin", EKSAUTH_ARN_ROLE,
               "arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/admin");
    expect_arn("arn:aws:iam::123456789012:user/Alice", EKSAUTH_ARN_USER,
               "arn:aws:iam::123456789012:user/Alice", "arn:aws:iam::123456789012:user/alice");
    expect_arn("arn:aws:sts::123456789012:federated-user/Bob", EKSAUTH_ARN_FEDERATED_USER,
               "arn:aws:sts::123456789012:federated-user/Bob",
               "arn:aws:sts::123456789012:federated-user/bob");
    /* A user's path stays too: STS reports IAM users with their path. */
    expect_arn("arn:aws:iam::123456789012:user/eng/Alice", EKSAUTH_ARN_USER,
               "arn:aws:iam::123456789012:user/eng/Alice",
               "arn:aws:iam::123456789012:user/eng/alice");
}

/* Every partition, every resource type. */
static void test_every_partition_and_type(void **state)
{
    char in[256], canon[256], key[256];
    size_t i;

    (void)state;
    for (i = 0; i < N_PARTITIONS; i++) {
        const char *p = partitions[i];

        snprintf(in, sizeof(in), "arn:%s:iam::210987654321:role/path/To/Deploy", p);
        snprintf(key, sizeof(key), "arn:%s:iam::210987654321:role/path/to/deploy", p);
        expect_arn(in, EKSAUTH_ARN_ROLE, in, key);

        snprintf(in, sizeof(in), "arn:%s:iam::210987654321:user/Bob", p);
        snprintf(key, sizeof(key), "arn:%s:iam::210987654321:user/bob", p);
        expect_arn(in, EKSAUTH_ARN_USER, in, key);

        snprintf(in, sizeof(in), "arn:%s:iam::210987654321:root", p);
        expect_arn(in, EKSAUTH_ARN_ROOT, in, in);

        snprintf(in, sizeof(in), "arn:%s:sts::210987654321:assumed-role/Deploy/i-0abc", p);
        snprintf(canon, sizeof(canon), "arn:%s:iam::210987654321:role/Deploy", p);
        snprintf(key, sizeof(key), "arn:%s:iam::210987654321:role/deploy", p);
        expect_arn(in, EKSAUTH_ARN_ASSUMED_ROLE, canon, key);

        snprintf(in, sizeof(in), "arn:%s:sts::210987654321:federated-user/Carol", p);
        snprintf(key, sizeof(key), "arn:%s:sts::210987654321:federated-user/carol", p);
        expect_arn(in, EKSAUTH_ARN_FEDERATED_USER, in, key);
    }
}

/* The parsed fields: partition, account, resource, session name. */
static void test_fields(void **state)
{
    struct eksauth_arn a;
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(eksauth_arn_parse("arn:aws-us-gov:sts::000000000042:assumed-role/Ops/"
                                       "alice@example.com",
                                       &a, &err),
                     EKSAUTH_OK);
    assert_string_equal(a.partition, "aws-us-gov");
    assert_string_equal(a.account, "000000000042");
    assert_string_equal(a.resource, "assumed-role/Ops/alice@example.com");
    assert_string_equal(a.session_name, "alice@example.com");
    assert_string_equal(a.canonical, "arn:aws-us-gov:iam::000000000042:role/Ops");

    /* Only an assumed role has a session name. */
    assert_int_equal(eksauth_arn_parse("arn:aws:iam::123456789012:role/Ops", &a, &err), EKSAUTH_OK);
    assert_string_equal(a.session_name, "");
    assert_string_equal(a.resource, "role/Ops");
}

/* The key is the same for every spelling of one role, and for its sessions; not for a path. */
static void test_key_equivalence(void **state)
{
    const char *const same[] = {
        "arn:aws:iam::123456789012:role/Deployer",
        "arn:aws:iam::123456789012:role/DEPLOYER",
        "arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-1",
        "arn:aws:sts::123456789012:assumed-role/deployer/someone-else",
    };
    struct eksauth_arn a;
    struct eksauth_error err = {0};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        assert_int_equal(eksauth_arn_parse(same[i], &a, &err), EKSAUTH_OK);
        assert_string_equal(a.key, "arn:aws:iam::123456789012:role/deployer");
    }
    /* A path makes another ARN: the cluster compares whole strings. */
    assert_int_equal(
        eksauth_arn_parse("arn:aws:iam::123456789012:role/team/eng/Deployer", &a, &err),
        EKSAUTH_OK);
    assert_string_equal(a.key, "arn:aws:iam::123456789012:role/team/eng/deployer");
    /* Same name, another account or partition: another key. */
    assert_int_equal(eksauth_arn_parse("arn:aws:iam::123456789013:role/Deployer", &a, &err),
                     EKSAUTH_OK);
    assert_string_not_equal(a.key, "arn:aws:iam::123456789012:role/deployer");
    assert_int_equal(eksauth_arn_parse("arn:aws-cn:iam::123456789012:role/Deployer", &a, &err),
                     EKSAUTH_OK);
    assert_string_equal(a.key, "arn:aws-cn:iam::123456789012:role/deployer");
}

/* IAM's name characters are all accepted. */
static void test_name_characters(void **state)
{
    (void)state;
    expect_arn("arn:aws:iam::123456789012:user/a_b+c=d,e.f@g-h", EKSAUTH_ARN_USER,
               "arn:aws:iam::123456789012:user/a_b+c=d,e.f@g-h",
               "arn:aws:iam::123456789012:user/a_b+c=d,e.f@g-h");
    /* A path segment may hold any printable ASCII but braces: "..." from the sample. */
    expect_arn("arn:aws:iam::123456789012:role/.../x", EKSAUTH_ARN_ROLE,
               "arn:aws:iam::123456789012:role/.../x", "arn:aws:iam::123456789012:role/.../x");
}

static void test_rejects_shape(void **state)
{
    char longarn[EKSAUTH_ARN_MAX + 16];

    (void)state;
    expect_bad(NULL, "no ARN");
    expect_bad("", "empty");
    expect_bad("ARN:aws:iam::123456789012:root", "does not start with");
    expect_bad("urn:aws:iam::123456789012:root", "does not start with");
    expect_bad("arn:aws:iam::123456789012", "fewer than 6 sections");
    expect_bad("arn:aws:iam:", "fewer than 6 sections");
    memset(longarn, 'a', sizeof(longarn) - 1);
    memcpy(longarn, "arn:aws:iam::123456789012:role/", 31);
    longarn[sizeof(longarn) - 1] = '\0';
    expect_bad(longarn, "longer than");
}

static void test_rejects_characters(void **state)
{
    (void)state;
    expect_bad("arn:aws:iam::123456789012:role/a b", "whitespace");
    expect_bad("arn:aws:iam::123456789012:role/a\tb", "whitespace");
    expect_bad("arn:aws:iam::123456789012:role/ab\n", "control byte");
    expect_bad("arn:aws:iam::123456789012:role/a\x7f", "control byte");
    expect_bad("arn:aws:iam::123456789012:role/caf\xc3\xa9", "non-ASCII");
    /* The placeholder from the aws-auth sample makes the ARN malformed. */
    expect_bad("arn:aws:iam::{{aws-account-id}}:role/.../devops-agent-agent-space-role",
               "placeholder");
    expect_bad("arn:aws:iam::123456789012:role/{x}", "'{' or '}'");
}

static void test_rejects_partition_region_account_service(void **state)
{
    (void)state;
    expect_bad("arn:aws-xyz:iam::123456789012:root", "recognized partition");
    expect_bad("arn:AWS:iam::123456789012:root", "recognized partition");
    expect_bad("arn::iam::123456789012:root", "recognized partition");
    expect_bad("arn:aws:iam:us-east-1:123456789012:root", "region");
    expect_bad("arn:aws:iam::12345678901:root", "12 digits");
    expect_bad("arn:aws:iam::1234567890123:root", "12 digits");
    expect_bad("arn:aws:iam::12345678901a:root", "12 digits");
    expect_bad("arn:aws:iam:::root", "12 digits");
    expect_bad("arn:aws:s3::123456789012:bucket", "not a service for identities");
    expect_bad("arn:aws:IAM::123456789012:root", "not a service for identities");
}

static void test_rejects_resources(void **state)
{
    (void)state;
    expect_bad("arn:aws:iam::123456789012:group/admins", "unrecognized resource 'group'");
    expect_bad("arn:aws:iam::123456789012:", "unrecognized resource ''");
    expect_bad("arn:aws:iam::123456789012:Role/x", "unrecognized resource 'Role'");
    expect_bad("arn:aws:iam::123456789012:assumed-role/R/S", "for service iam");
    expect_bad("arn:aws:sts::123456789012:role/R", "for service sts");
    expect_bad("arn:aws:iam::123456789012:root/x", "root takes no name");
    expect_bad("arn:aws:iam::123456789012:role", "needs a name");
    expect_bad("arn:aws:iam::123456789012:role/", "needs a name");
    expect_bad("arn:aws:iam::123456789012:role//x", "needs a name");
    expect_bad("arn:aws:iam::123456789012:user/a/", "needs a name");
    expect_bad("arn:aws:iam::123456789012:role/a*b", "needs a name");
    expect_bad("arn:aws:iam::123456789012:user/a:b", "needs a name");
    expect_bad("arn:aws:sts::123456789012:federated-user/a/b", "needs a name");
    expect_bad("arn:aws:sts::123456789012:federated-user", "needs a name");
    expect_bad("arn:aws:sts::123456789012:assumed-role/OnlyRole", "role and a session");
    expect_bad("arn:aws:sts::123456789012:assumed-role/R/", "role and a session");
    expect_bad("arn:aws:sts::123456789012:assumed-role//S", "role and a session");
    expect_bad("arn:aws:sts::123456789012:assumed-role/R*/S", "role name is not valid");
    expect_bad("arn:aws:sts::123456789012:assumed-role/R/S!", "role and a session");
}

static void test_rejects_long_session(void **state)
{
    char s[256];

    (void)state;
    snprintf(s, sizeof(s), "arn:aws:sts::123456789012:assumed-role/R/%0128d", 7);
    expect_bad(s, "session name is too long");
    /* 127 characters still fit. */
    snprintf(s, sizeof(s), "arn:aws:sts::123456789012:assumed-role/R/%0127d", 7);
    expect_arn(s, EKSAUTH_ARN_ASSUMED_ROLE, "arn:aws:iam::123456789012:role/R",
               "arn:aws:iam::123456789012:role/r");
    /* The one rule, which eksauth map's --session-name takes too (tools/cmd_map.c). */
    assert_true(eksauth_arn_session_name_ok(s + strlen(s) - 127, 127));
    assert_false(eksauth_arn_session_name_ok(s + strlen(s) - 127, 128));
    assert_false(eksauth_arn_session_name_ok("", 0));
    assert_false(eksauth_arn_session_name_ok("al ice", 6));
    assert_true(eksauth_arn_session_name_ok("a+=,.@_-9", 9));
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(eksauth_arn_type_name(EKSAUTH_ARN_ROLE), "role");
    assert_string_equal(eksauth_arn_type_name(EKSAUTH_ARN_USER), "user");
    assert_string_equal(eksauth_arn_type_name(EKSAUTH_ARN_ROOT), "root");
    assert_string_equal(eksauth_arn_type_name(EKSAUTH_ARN_ASSUMED_ROLE), "assumed-role");
    assert_string_equal(eksauth_arn_type_name(EKSAUTH_ARN_FEDERATED_USER), "federated-user");
    assert_string_equal(eksauth_arn_type_name((enum eksauth_arn_type)99), "unknown");
}

/* A NULL err is allowed. */
static void test_null_err(void **state)
{
    struct eksauth_arn a;

    (void)state;
    assert_int_equal(eksauth_arn_parse("nope", &a, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_arn_parse("arn:aws:iam::123456789012:root", &a, NULL), EKSAUTH_OK);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_upstream_vectors),
                  cmocka_unit_test(test_strip_path_vectors),
                  cmocka_unit_test(test_every_partition_and_type), cmocka_unit_test(test_fields),
                  cmocka_unit_test(test_key_equivalence), cmocka_unit_test(test_name_characters),
                  cmocka_unit_test(test_rejects_shape), cmocka_unit_test(test_rejects_characters),
                  cmocka_unit_test(test_rejects_partition_region_account_service),
                  cmocka_unit_test(test_rejects_resources),
                  cmocka_unit_test(test_rejects_long_session), cmocka_unit_test(test_type_names),
                  cmocka_unit_test(test_null_err))
