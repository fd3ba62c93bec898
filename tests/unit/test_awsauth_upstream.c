/*
 * test_awsauth_upstream.c - the aws-auth mapping (lib/awsauth.c) against the
 * reference implementation's own test cases (kubernetes-sigs/
 * aws-iam-authenticator): its ConfigMap fixtures (pkg/mapper/configmap/yaml,
 * our equivalents in tests/fixtures/upstream/), pkg/mapper/configmap
 * configmap_test.go, pkg/config/mapper_test.go and the mapping cases of
 * pkg/server/server_test.go.  Each case names the upstream test it comes
 * from; where eksauth decides otherwise, the comment names the decision in
 * docs/aws-auth.md ("The reference implementation's tests").
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

#include "fixture_file.h"
#include "unit.h"

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"

#define NODE_ROLE "arn:aws:iam::210987654321:role/prod-workers-NodeInstanceRole-EXAMPLE1"
#define ADMIN     "arn:aws:iam::210987654321:user/ops-admin"

static struct eksauth_awsauth *parse_str(const char *text)
{
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};

    if (eksauth_awsauth_parse(text, strlen(text), &aa, &err) != EKSAUTH_OK)
        fail_msg("parse: %s", err.msg);
    return aa;
}

/* Parse tests/fixtures/upstream/NAME; *st gets the status (the document may be refused). */
static struct eksauth_awsauth *parse_fixture(const char *name, enum eksauth_status *st)
{
    char path[4096], *buf;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};
    size_t n;

    snprintf(path, sizeof(path), "upstream/%s", name);
    buf = fixture_read(path, &n);
    *st = eksauth_awsauth_parse(buf, n, &aa, &err);
    free(buf);
    return aa;
}

/* The entry the cluster would give principal arn (a canonical ARN), or NULL. */
static const struct eksauth_awsauth_entry *lookup(const struct eksauth_awsauth *aa,
                                                  const char *arn_text)
{
    struct eksauth_arn arn;
    struct eksauth_error err = {0};

    if (eksauth_arn_parse(arn_text, &arn, &err) != EKSAUTH_OK)
        fail_msg("%s: %s", arn_text, err.msg);
    return eksauth_awsauth_lookup(aa, arn.key, arn.account);
}

/* Entry e has username and the groups listed (n of them). */
static void expect_entry(const struct eksauth_awsauth_entry *e, enum eksauth_map_source src,
                         const char *username, size_t n, const char *const *groups)
{
    size_t i;

    assert_non_null(e);
    assert_int_equal(e->source, src);
    if (username == NULL)
        assert_null(e->username);
    else
        assert_string_equal(e->username, username);
    assert_int_equal(e->n_groups, n);
    for (i = 0; i < n; i++)
        assert_string_equal(e->groups[i], groups[i]);
}

/* How many entries of src the document keeps. */
static size_t count_of(const struct eksauth_awsauth *aa, enum eksauth_map_source src)
{
    size_t i, n = 0;

    for (i = 0; i < eksauth_awsauth_count(aa); i++)
        n += eksauth_awsauth_entry_at(aa, i)->source == src;
    return n;
}

/*
 * Map p (canonical ARN, account, session name from its ARN) and check the
 * username and groups the cluster's authenticator returns for it.
 */
static void expect_map(const struct eksauth_awsauth *aa, const char *arn_text,
                       const char *self_instance, const char *self_dns, const char *username,
                       size_t n, const char *const *groups)
{
    struct eksauth_arn arn;
    struct eksauth_principal p;
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};
    size_t i;

    assert_int_equal(eksauth_arn_parse(arn_text, &arn, &err), EKSAUTH_OK);
    memset(&p, 0, sizeof(p));
    p.arn = arn_text;
    p.canonical_arn = arn.canonical;
    p.account = arn.account;
    p.session_name = arn.session_name;
    p.access_key_id = "";
    p.self_instance_id = self_instance;
    p.self_private_dns_name = self_dns;
    if (eksauth_awsauth_map(aa, &p, &id, &err) != EKSAUTH_OK)
        fail_msg("%s: %s", arn_text, err.msg);
    assert_string_equal(id.username, username);
    assert_int_equal(id.n_groups, n);
    for (i = 0; i < n; i++)
        assert_string_equal(id.groups[i], groups[i]);
    eksauth_k8s_identity_free(&id);
}

static const char *const node_groups[] = {"system:bootstrappers", "system:nodes"};
static const char *const masters[] = {"system:masters"};

/* The role, the user and the account of configmap.yaml, as TestConfigMap expects them. */
static void expect_valid_mappings(const struct eksauth_awsauth *aa)
{
    expect_entry(lookup(aa, NODE_ROLE), EKSAUTH_SRC_MAPROLES, "system:node:{{EC2PrivateDNSName}}",
                 2, node_groups);
    expect_entry(lookup(aa, ADMIN), EKSAUTH_SRC_MAPUSERS, "ops-admin", 1, masters);
    expect_entry(lookup(aa, "arn:aws:iam::210987654321:user/someone-else"), EKSAUTH_SRC_MAPACCOUNTS,
                 NULL, 0, NULL);
    assert_int_equal(count_of(aa, EKSAUTH_SRC_MAPROLES), 1);
    assert_int_equal(count_of(aa, EKSAUTH_SRC_MAPUSERS), 1);
    assert_int_equal(count_of(aa, EKSAUTH_SRC_MAPACCOUNTS), 1);
}

/* upstream pkg/mapper/configmap/yaml_test.go TestConfigMap, its seven fixtures. */
static void test_configmap_fixtures(void **state)
{
    static const char *const valid[] = {"configmap.yaml", "configmap-crazy-case-keys.yaml",
                                        "configmap-open-source-case-keys.yaml"};
    static const char *const nothing[] = {"configmap-lower-case-top-keys.yaml",
                                          "configmap-crazy-case-top-keys.yaml"};
    const char *const one_group[] = {"system:bootstrappers - system:nodes"};
    struct eksauth_awsauth *aa;
    enum eksauth_status st;
    size_t i;

    (void)state;
    /* "aws-auth.yaml", "crazy-case-keys" (RoLeArN), "open-source-case-keys" (roleARN): valid. */
    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        aa = parse_fixture(valid[i], &st);
        assert_int_equal(st, EKSAUTH_OK);
        expect_valid_mappings(aa);
        assert_int_equal(eksauth_awsauth_warning_count(aa), 0);
        eksauth_awsauth_free(aa);
    }
    /* "lower-case-top-keys", "crazy-case-top-keys": top-level keys are case-sensitive. */
    for (i = 0; i < sizeof(nothing) / sizeof(nothing[0]); i++) {
        aa = parse_fixture(nothing[i], &st);
        assert_int_equal(st, EKSAUTH_OK);
        assert_int_equal(eksauth_awsauth_count(aa), 0);
        eksauth_awsauth_free(aa);
    }
    /* "space-out-of-place": parses, with the two groups read as one. */
    aa = parse_fixture("configmap-space-out-of-place.yaml", &st);
    assert_int_equal(st, EKSAUTH_OK);
    expect_entry(lookup(aa, NODE_ROLE), EKSAUTH_SRC_MAPROLES, "system:node:{{EC2PrivateDNSName}}",
                 1, one_group);
    expect_entry(lookup(aa, ADMIN), EKSAUTH_SRC_MAPUSERS, "ops-admin", 1, masters);
    eksauth_awsauth_free(aa);
    /* "missing-bar": the API server refuses the ConfigMap; eksauth refuses the document. */
    aa = parse_fixture("configmap-missing-bar.yaml", &st);
    assert_int_equal(st, EKSAUTH_EINVAL);
    assert_null(aa);
}

/*
 * upstream pkg/mapper/configmap/configmap_test.go TestUserMapping,
 * TestRoleMapping, TestAWSAccount: a user and a role found ignoring case,
 * a name that is no ARN found nowhere.  The account "123" of TestAWSAccount
 * is no account id: eksauth skips it (mapAccounts items must be 12 digits).
 */
static void test_configmap_store(void **state)
{
    struct eksauth_awsauth *aa = parse_str("mapUsers: |\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/matt\n"
                                           "    username: matlan\n"
                                           "    groups: [system:master, dev]\n"
                                           "mapRoles: |\n"
                                           "  - rolearn: arn:aws:iam::012345678912:role/computer\n"
                                           "    username: computer\n"
                                           "    groups: [system:nodes]\n"
                                           "mapAccounts: |\n"
                                           "  - 123\n");
    const char *const matt[] = {"system:master", "dev"};
    const char *const nodes[] = {"system:nodes"};

    (void)state;
    expect_entry(lookup(aa, "arn:aws:iam::012345678912:user/matt"), EKSAUTH_SRC_MAPUSERS, "matlan",
                 2, matt);
    expect_entry(lookup(aa, "arn:aws:iam::012345678912:role/computer"), EKSAUTH_SRC_MAPROLES,
                 "computer", 1, nodes);
    /* The store's lookups are case-insensitive: RoleMapping(lower(canonical)). */
    expect_entry(lookup(aa, "arn:aws:iam::012345678912:role/COMPUTER"), EKSAUTH_SRC_MAPROLES,
                 "computer", 1, nodes);
    assert_null(eksauth_awsauth_lookup(aa, "nic", NULL));
    assert_null(eksauth_awsauth_lookup(aa, "borg", NULL));
    /* TestAWSAccount: "123" is kept upstream; here it is not an account id. */
    assert_null(eksauth_awsauth_lookup(aa, NULL, "123"));
    assert_int_equal(eksauth_awsauth_warning_count(aa), 1);
    assert_non_null(strstr(eksauth_awsauth_warning_at(aa, 0), "an account id must be 12 digits"));
    eksauth_awsauth_free(aa);
}

/*
 * upstream configmap_test.go TestSSORoleMapping and pkg/config/mapper_test.go
 * TestSSORoleMapping: an sso entry matches AWSReservedSSO_<set>_* roles
 * behind the SSORoleMatch feature gate (alpha, off on EKS).  eksauth skips
 * sso entries: such a role is not mapped here.
 */
static void test_sso_entries(void **state)
{
    struct eksauth_awsauth *aa = parse_str("mapRoles: |\n"
                                           "  - sso:\n"
                                           "      permissionSetName: ViewOnlyAccess\n"
                                           "      accountID: \"012345678912\"\n"
                                           "    username: television\n"
                                           "    groups: [system:nodes]\n");

    (void)state;
    assert_int_equal(eksauth_awsauth_count(aa), 0);
    assert_non_null(strstr(eksauth_awsauth_warning_at(aa, 0), "sso entries are not supported"));
    assert_null(
        lookup(aa, "arn:aws:iam::012345678912:role/AWSReservedSSO_ViewOnlyAccess_123123123"));
    eksauth_awsauth_free(aa);
}

/*
 * upstream configmap_test.go TestLoadConfigMap: the data of a first
 * ConfigMap, then of a modified one.  Upstream keeps "arn:iam:matlan" and
 * "arn:iam:beswar" (its decoder checks only that userarn is not empty),
 * the role with the unknown placeholder "{{Session}}" (kept as literal
 * text) and the accounts 123, 345, 567; eksauth skips each with a warning:
 * they are no principal ARN, no known placeholder, no account id.  What
 * maps the same: user NIC with the groups of each version.
 */
static void test_load_configmap(void **state)
{
    static const char first[] = "mapUsers: |\n"
                                "  -\n"
                                "    userarn: \"arn:iam:matlan\"\n"
                                "    username: matlan\n"
                                "    groups:\n"
                                "      - loadedfromconfigmap\n"
                                "      - \"system:master\"\n"
                                "  -\n"
                                "    groups:\n"
                                "      - \"system:master\"\n"
                                "    userarn: \"arn:aws:iam::012345678912:user/NIC\"\n"
                                "    username: nic\n"
                                "mapRoles: |\n"
                                "  - rolearn: \"arn:iam:123:role/me\"\n"
                                "    username: \"{{Session}}\"\n"
                                "    groups:\n"
                                "      - system:nodes\n"
                                "mapAccounts: |\n"
                                "  - 123\n"
                                "  - 345\n";
    static const char updated[] = "mapUsers: |\n"
                                  "  -\n"
                                  "    groups:\n"
                                  "      - \"system:master\"\n"
                                  "      - \"test\"\n"
                                  "    userarn: \"arn:aws:iam::012345678912:user/NIC\"\n"
                                  "    username: nic\n"
                                  "  - userarn: \"arn:iam:beswar\"\n"
                                  "    username: beswar\n"
                                  "    groups:\n"
                                  "      - \"system:master\"\n"
                                  "  - userarn: \"arn:iam:nogroups\"\n"
                                  "    username: nogroups\n"
                                  "mapAccounts: |\n"
                                  "  - 567\n";
    const char *const g1[] = {"system:master"};
    const char *const g2[] = {"system:master", "test"};
    struct eksauth_awsauth *aa = parse_str(first);

    (void)state;
    expect_entry(lookup(aa, "arn:aws:iam::012345678912:user/NIC"), EKSAUTH_SRC_MAPUSERS, "nic", 1,
                 g1);
    assert_int_equal(eksauth_awsauth_count(aa), 1);
    assert_int_equal(eksauth_awsauth_warning_count(aa), 4); /* matlan, me, 123, 345 */
    eksauth_awsauth_free(aa);
    aa = parse_str(updated);
    expect_entry(lookup(aa, "arn:aws:iam::012345678912:user/nic"), EKSAUTH_SRC_MAPUSERS, "nic", 2,
                 g2);
    assert_int_equal(eksauth_awsauth_count(aa), 1);
    eksauth_awsauth_free(aa);
}

/*
 * upstream configmap_test.go TestParseMap: the node role and two users map;
 * the sso entry (with partition aws-cn) is skipped here (see
 * test_sso_entries).  TestBadParseMap, TestBadParseMapSingleQuote: values
 * that are empty, "", `` or '' map nothing, silently, as there.
 */
static void test_parse_map(void **state)
{
    struct eksauth_awsauth *aa = parse_str(
        "data:\n"
        "  mapRoles: |\n"
        "    - rolearn: arn:aws:iam::123456789101:role/test-NodeInstanceRole-1VWRHZ3GKZ1T4\n"
        "      username: system:node:{{EC2PrivateDNSName}}\n"
        "      groups:\n"
        "      - system:bootstrappers\n"
        "      - system:nodes\n"
        "    - sso:\n"
        "        permissionSetName: ViewOnlyAccess\n"
        "        accountID: \"012345678912\"\n"
        "        partition: aws-cn\n"
        "      username: user1\n"
        "      groups:\n"
        "      - system:basic-users\n"
        "  mapUsers: |\n"
        "    - userarn: arn:aws:iam::123456789101:user/Hello\n"
        "      username: Hello\n"
        "      groups:\n"
        "      - system:masters\n"
        "    - userarn: arn:aws:iam::123456789101:user/World\n"
        "      username: World\n"
        "      groups:\n"
        "      - system:masters\n");
    static const char *const empties[] = {
        "data:\n  mapAccounts: \"\"\n  mapRoles: '\"\"'\n  mapUsers: \"``\"\n",
        "data:\n  mapAccounts: \"''\"\n  mapRoles: \"''\"\n  mapUsers: \"''\"\n",
    };
    size_t i;

    (void)state;
    expect_entry(lookup(aa, "arn:aws:iam::123456789101:role/test-NodeInstanceRole-1VWRHZ3GKZ1T4"),
                 EKSAUTH_SRC_MAPROLES, "system:node:{{EC2PrivateDNSName}}", 2, node_groups);
    expect_entry(lookup(aa, "arn:aws:iam::123456789101:user/Hello"), EKSAUTH_SRC_MAPUSERS, "Hello",
                 1, masters);
    expect_entry(lookup(aa, "arn:aws:iam::123456789101:user/World"), EKSAUTH_SRC_MAPUSERS, "World",
                 1, masters);
    assert_int_equal(eksauth_awsauth_count(aa), 3);
    eksauth_awsauth_free(aa);
    for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
        aa = parse_str(empties[i]);
        assert_int_equal(eksauth_awsauth_count(aa), 0);
        assert_int_equal(eksauth_awsauth_warning_count(aa), 0);
        eksauth_awsauth_free(aa);
    }
}

/*
 * upstream pkg/config/mapper_test.go TestRoleARNMapping, TestUserARNMapping:
 * the key is the ARN in lower case (upstream keeps a user's ARN as written
 * for its key and compares ignoring case: the same matches); an ARN differing
 * in its name matches nothing; an empty rolearn or userarn is invalid.
 */
static void test_config_mapping_keys(void **state)
{
    struct eksauth_awsauth *aa = parse_str("mapRoles: |\n"
                                           "  - rolearn: arn:aws:iam::012345678912:role/KubeAdmin\n"
                                           "    username: admin\n"
                                           "    groups: [system:masters]\n"
                                           "  - rolearn: \"\"\n"
                                           "    username: nobody\n"
                                           "mapUsers: |\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/Shanice\n"
                                           "    username: Shanice\n"
                                           "    groups: [system:masters]\n"
                                           "  - userarn: \"\"\n"
                                           "    username: nobody\n");
    const struct eksauth_awsauth_entry *e;

    (void)state;
    e = lookup(aa, "arn:aws:iam::012345678912:role/KubeAdmin");
    expect_entry(e, EKSAUTH_SRC_MAPROLES, "admin", 1, masters);
    assert_string_equal(e->key, "arn:aws:iam::012345678912:role/kubeadmin");
    assert_null(lookup(aa, "arn:aws:iam::012345678912:role/notKubeAdmin"));
    e = lookup(aa, "arn:aws:iam::012345678912:user/shanice");
    expect_entry(e, EKSAUTH_SRC_MAPUSERS, "Shanice", 1, masters);
    assert_null(lookup(aa, "arn:aws:iam::012345678912:user/notShanice"));
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    assert_int_equal(eksauth_awsauth_warning_count(aa), 2); /* the two empty ARNs */
    eksauth_awsauth_free(aa);
}

/*
 * upstream pkg/server/server_test.go TestAuthenticateVerifierRoleMapping,
 * ...UserMapping, ...AccountMappingForUser, ...AccountMappingForRole,
 * ...NodeMapping, ...NotMapped, through the ConfigMap backend.  Upstream's
 * account there, 0123456789012, has 13 digits, which no account has and
 * eksauth refuses; the cases use 012345678912.  The node case renders
 * {{EC2PrivateDNSName}} for this host's own instance (eksauth asks no EC2
 * API about other instances: docs/aws-auth.md, Templates).
 */
static void test_server_mappings(void **state)
{
    struct eksauth_awsauth *aa =
        parse_str("mapRoles: |\n"
                  "  - rolearn: arn:aws:iam::012345678912:role/Test\n"
                  "    username: TestUser\n"
                  "    groups: [sys:admin, listers]\n"
                  "  - rolearn: arn:aws:iam::012345678912:role/TestNodeRole\n"
                  "    username: system:node:{{EC2PrivateDNSName}}\n"
                  "    groups: [system:nodes, system:bootstrappers]\n"
                  "mapUsers: |\n"
                  "  - userarn: arn:aws:iam::012345678912:user/Test\n"
                  "    username: TestUser\n"
                  "    groups: [sys:admin, listers]\n");
    struct eksauth_awsauth *accounts = parse_str("mapAccounts: ['012345678913']\n");
    const char *const listers[] = {"sys:admin", "listers"};
    const char *const nodes[] = {"system:nodes", "system:bootstrappers"};
    struct eksauth_arn arn;
    struct eksauth_error err = {0};

    (void)state;
    expect_map(aa, "arn:aws:sts::012345678912:assumed-role/Test/TestSession", NULL, NULL,
               "TestUser", 2, listers);
    expect_map(aa, "arn:aws:iam::012345678912:user/Test", NULL, NULL, "TestUser", 2, listers);
    expect_map(aa, "arn:aws:sts::012345678912:assumed-role/TestNodeRole/i-0c6f21bf1f24f9708",
               "i-0c6f21bf1f24f9708", "ip-172-31-27-14", "system:node:ip-172-31-27-14", 2, nodes);
    /* mapAccounts: the canonical ARN, as STS spelled it, and no groups. */
    expect_map(accounts, "arn:aws:iam::012345678913:user/Test", NULL, NULL,
               "arn:aws:iam::012345678913:user/Test", 0, NULL);
    expect_map(accounts, "arn:aws:sts::012345678913:assumed-role/Test/extra", NULL, NULL,
               "arn:aws:iam::012345678913:role/Test", 0, NULL);
    /* NotMapped: an identity with no entry. */
    assert_int_equal(eksauth_arn_parse("arn:aws:iam::012345678912:user/Other", &arn, &err),
                     EKSAUTH_OK);
    assert_null(eksauth_awsauth_lookup(aa, arn.key, arn.account));
    eksauth_awsauth_free(aa);
    eksauth_awsauth_free(accounts);
}

/*
 * upstream pkg/server/server_test.go TestReservedPrefixExists and
 * configmap_test.go TestConfigMapMapperReservedPrefixesFromConfig,
 * ...EmptyByDefault: the cluster refuses a mapped username that begins with
 * a prefix of reservedPrefixConfig, for the ConfigMap backend since its
 * commit 1f4ef7d3 (May 2026), only when that server setting names the
 * EKSConfigMap backend.  EKS does not set it (upstream pull request 1047),
 * so EKS maps the four usernames of that table as written, and so does
 * eksauth's mapping.  A system: username is then refused as a login on the
 * host, a host's rule of its own (docs/names-and-ids.md, "Names eksauth never
 * serves"), not the cluster's.
 */
static void test_reserved_prefixes_unset_on_eks(void **state)
{
    struct eksauth_awsauth *aa = parse_str("mapUsers: |\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/a\n"
                                           "    username: system:masters\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/b\n"
                                           "    username: test\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/c\n"
                                           "    username: eksb:test\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/d\n"
                                           "    username: eks:test\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/e\n"
                                           "    username: aws:x\n"
                                           "  - userarn: arn:aws:iam::012345678912:user/f\n"
                                           "    username: amazon:iam:x\n");

    (void)state;
    expect_map(aa, "arn:aws:iam::012345678912:user/a", NULL, NULL, "system:masters", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678912:user/b", NULL, NULL, "test", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678912:user/c", NULL, NULL, "eksb:test", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678912:user/d", NULL, NULL, "eks:test", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678912:user/e", NULL, NULL, "aws:x", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678912:user/f", NULL, NULL, "amazon:iam:x", 0, NULL);
    eksauth_awsauth_free(aa);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_configmap_fixtures), cmocka_unit_test(test_configmap_store),
                  cmocka_unit_test(test_sso_entries), cmocka_unit_test(test_load_configmap),
                  cmocka_unit_test(test_parse_map), cmocka_unit_test(test_config_mapping_keys),
                  cmocka_unit_test(test_server_mappings),
                  cmocka_unit_test(test_reserved_prefixes_unset_on_eks))
