/*
 * test_awsauth.c - the aws-auth mapping (lib/awsauth.c): the sample
 * ConfigMap (YAML and kubectl -o json), the bare file form, mapUsers and
 * mapAccounts, templates, entries the cluster never matches (role paths,
 * sessions' ARNs), case, duplicates, what malformed entries and dropped
 * values leave mapped, lookup, and a generated 10,000-entry mapRoles.
 * What the reader makes of each form: test_awsauth_read.c.
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

#include "awsauth_big.h"
#include "fixture_file.h"
#include "plan_fixture.h"
#include "unit.h"

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"

/* ------------------------------------------------------------------------ */
/* Helpers. */

static struct eksauth_awsauth *parse_text(const char *text, size_t len)
{
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};

    if (eksauth_awsauth_parse(text, len, &aa, &err) != EKSAUTH_OK)
        fail_msg("parse: %s", err.msg);
    assert_non_null(aa);
    return aa;
}

static struct eksauth_awsauth *parse_str(const char *text)
{
    return parse_text(text, strlen(text));
}

static struct eksauth_awsauth *parse_fixture(const char *name)
{
    size_t len;
    char *text = fixture_read(name, &len);
    struct eksauth_awsauth *aa = parse_text(text, len);

    free(text);
    return aa;
}

/* The index of the one warning holding want; fails when none does. */
static size_t find_warning(const struct eksauth_awsauth *aa, const char *want)
{
    size_t i, n = eksauth_awsauth_warning_count(aa);

    for (i = 0; i < n; i++) {
        if (strstr(eksauth_awsauth_warning_at(aa, i), want) != NULL)
            return i;
    }
    for (i = 0; i < n; i++)
        print_message("# warning: %s\n", eksauth_awsauth_warning_at(aa, i));
    fail_msg("no warning holds \"%s\"", want);
    return n;
}

/*
 * Map an ARN as the CLI does: the principal's canonical ARN, account and
 * session name come from the ARN itself.
 */
static enum eksauth_status map_arn(const struct eksauth_awsauth *aa, const char *arn_text,
                                   const char *access_key_id, struct eksauth_k8s_identity *id,
                                   struct eksauth_error *err)
{
    struct eksauth_arn arn;
    struct eksauth_principal p;

    if (eksauth_arn_parse(arn_text, &arn, err) != EKSAUTH_OK)
        fail_msg("%s: %s", arn_text, err->msg);
    memset(&p, 0, sizeof(p)); /* no host instance */
    p.arn = arn_text;
    p.canonical_arn = arn.canonical;
    p.account = arn.account;
    p.session_name = arn.session_name;
    p.access_key_id = access_key_id;
    return eksauth_awsauth_map(aa, &p, id, err);
}

/* Map arn_text, which must succeed, and check the username, source and groups. */
static void expect_map(const struct eksauth_awsauth *aa, const char *arn_text,
                       enum eksauth_map_source source, const char *username, size_t n_groups,
                       const char *const *groups)
{
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};
    size_t i;

    if (map_arn(aa, arn_text, "ASIAEXAMPLEKEY000001", &id, &err) != EKSAUTH_OK)
        fail_msg("%s: %s", arn_text, err.msg);
    assert_string_equal(id.username, username);
    assert_int_equal(id.source, source);
    assert_non_null(id.entry);
    assert_int_equal(id.entry->source, source);
    assert_int_equal(id.n_groups, n_groups);
    for (i = 0; i < n_groups; i++)
        assert_string_equal(id.groups[i], groups[i]);
    eksauth_k8s_identity_free(&id);
    assert_null(id.username);
    assert_int_equal(id.n_groups, 0);
}

/* Map arn_text, which must fail with st and a message holding want. */
static void expect_map_fails(const struct eksauth_awsauth *aa, const char *arn_text,
                             enum eksauth_status st, const char *want)
{
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};

    assert_int_equal(map_arn(aa, arn_text, NULL, &id, &err), st);
    assert_int_equal(err.status, st);
    if (strstr(err.msg, want) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", arn_text, err.msg, want);
    assert_null(id.username);
    assert_null(id.groups);
    assert_int_equal(id.n_groups, 0);
}

static const char *const masters[] = {"system:masters"};

/* ------------------------------------------------------------------------ */
/* The sample ConfigMap (tests/fixtures/aws-auth-sample.yaml). */

static void test_sample_yaml(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-sample.yaml");
    const struct eksauth_awsauth_entry *e;

    (void)state;
    /* The node role and the CodeBuild role; the placeholder entry is skipped. */
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    e = eksauth_awsauth_entry_at(aa, 0);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPROLES);
    assert_string_equal(
        e->arn,
        "arn:aws:iam::123456789012:role/eksctl-foo-nodegroup-bar-NodeInstanceRole-u4CxYVzWNTmG");
    assert_string_equal(e->username, "system:node:{{EC2PrivateDNSName}}");
    assert_int_equal(e->n_groups, 2);
    assert_string_equal(e->groups[0], "system:bootstrappers");
    assert_string_equal(e->groups[1], "system:nodes");
    /* Exact positions in the file, through the literal block scalar. */
    assert_int_equal(e->line, 9);
    assert_int_equal(e->column, 7);
    e = eksauth_awsauth_entry_at(aa, 1);
    assert_string_equal(e->key, "arn:aws:iam::123456789012:role/ekscodebuildkubectlrole");
    assert_int_equal(e->line, 16);
    assert_int_equal(e->column, 7);
    assert_null(eksauth_awsauth_entry_at(aa, 2));

    assert_int_equal(eksauth_awsauth_warning_count(aa), 1);
    assert_string_equal(eksauth_awsauth_warning_at(aa, 0),
                        "aws-auth: mapRoles: 21:7: arn: "
                        "'arn:aws:iam::{{aws-account-id}}:role/.../devops-agent-agent-space-role' "
                        "contains '{' or '}' (a placeholder left unfilled?); entry skipped");
    assert_null(eksauth_awsauth_warning_at(aa, 1));

    expect_map(aa, "arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole", EKSAUTH_SRC_MAPROLES,
               "build", 1, masters);
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/EksCodeBuildKubectlRole/AWSCodeBuild-1",
               EKSAUTH_SRC_MAPROLES, "build", 1, masters);
    expect_map_fails(aa,
                     "arn:aws:sts::123456789012:assumed-role/"
                     "eksctl-foo-nodegroup-bar-NodeInstanceRole-u4CxYVzWNTmG/i-0123456789abcdef0",
                     EKSAUTH_EREJECTED, "this host's own instance is unknown");
    expect_map_fails(aa,
                     "arn:aws:sts::123456789012:assumed-role/"
                     "eksctl-foo-nodegroup-bar-NodeInstanceRole-u4CxYVzWNTmG/i-0123456789abcdef0",
                     EKSAUTH_EREJECTED, "aws-auth: mapRoles: 9:7: username: template:");
    expect_map_fails(aa, "arn:aws:iam::123456789012:role/devops-agent-agent-space-role",
                     EKSAUTH_ENOTMAPPED,
                     "identity is not mapped: "
                     "arn:aws:iam::123456789012:role/devops-agent-agent-space-role");
    eksauth_awsauth_free(aa);
}

/*
 * {{EC2PrivateDNSName}} (docs/aws-auth.md, "Templates"; upstream's
 * TestAuthenticateVerifierNodeMapping): rendered for the host's own instance only;
 * needs_host_instance says when mapping needs it, so other logins never read instance metadata.
 */
static void test_ec2_private_dns_name(void **state)
{
    static const char yaml[] = "mapRoles: |\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/TestNodeRole\n"
                               "    username: system:node:{{EC2PrivateDNSName}}\n"
                               "    groups:\n"
                               "      - system:nodes\n"
                               "      - system:bootstrappers\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/Tagger\n"
                               "    username: tagger\n"
                               "    groups:\n"
                               "      - node-{{EC2PrivateDNSName}}\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
                               "    username: dev:{{SessionName}}\n"
                               "mapAccounts: |\n"
                               "  - \"123456789012\"\n";
    static const char own[] = "arn:aws:sts::123456789012:assumed-role/TestNodeRole/"
                              "i-0c6f21bf1f24f9708";
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};
    struct eksauth_k8s_identity id;
    struct eksauth_principal p = {
        .arn = own,
        .session_name = "",
        .access_key_id = "",
        .self_instance_id = "i-0c6f21bf1f24f9708",
        .self_private_dns_name = "ip-172-31-27-14",
    };

    (void)state;
    if (eksauth_awsauth_parse(yaml, sizeof(yaml) - 1, &aa, &err) != EKSAUTH_OK)
        fail_msg("%s", err.msg);
    /* Which logins need the host's instance: the username or any group uses it. */
    assert_true(eksauth_awsauth_needs_host_instance(aa, &p));
    p.arn = "arn:aws:sts::123456789012:assumed-role/Tagger/i-0c6f21bf1f24f9708";
    assert_true(eksauth_awsauth_needs_host_instance(aa, &p));
    p.arn = "arn:aws:sts::123456789012:assumed-role/Dev/i-0c6f21bf1f24f9708";
    assert_false(eksauth_awsauth_needs_host_instance(aa, &p));
    p.arn = "arn:aws:iam::123456789012:user/someone"; /* mapAccounts: no templates */
    assert_false(eksauth_awsauth_needs_host_instance(aa, &p));
    p.arn = "arn:aws:iam::999999999999:role/TestNodeRole"; /* not mapped */
    assert_false(eksauth_awsauth_needs_host_instance(aa, &p));
    p.arn = "not-an-arn";
    assert_false(eksauth_awsauth_needs_host_instance(aa, &p));
    assert_false(eksauth_awsauth_needs_host_instance(NULL, &p));

    /* The upstream vector: the node's own instance. */
    p.arn = own;
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.username, "system:node:ip-172-31-27-14");
    assert_int_equal(id.n_groups, 2);
    assert_string_equal(id.groups[0], "system:nodes");
    assert_string_equal(id.groups[1], "system:bootstrappers");
    eksauth_k8s_identity_free(&id);
    /* In a group. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/Tagger/i-0c6f21bf1f24f9708";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.username, "tagger");
    assert_string_equal(id.groups[0], "node-ip-172-31-27-14");
    eksauth_k8s_identity_free(&id);
    /* Another instance: a node impersonation, refused, with the position. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/TestNodeRole/i-0aaaaaaaaaaaaaaaa";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "aws-auth: mapRoles: 2:5: username: template: "
                                    "{{EC2PrivateDNSName}}: instance i-0aaaaaaaaaaaaaaaa is not "
                                    "this host (i-0c6f21bf1f24f9708)"));
    assert_null(id.username);
    p.arn = "arn:aws:sts::123456789012:assumed-role/Tagger/i-0aaaaaaaaaaaaaaaa";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "group 1: template: {{EC2PrivateDNSName}}: instance"));
    /* Not an instance id. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/TestNodeRole/alice";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "SessionName did not contain an instance id"));
    /* The host's instance unknown. */
    p.arn = own;
    p.self_instance_id = NULL;
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "this host's own instance is unknown"));
    eksauth_awsauth_free(aa);
}

/* The same ConfigMap as kubectl -o json prints it. */
static void test_sample_json(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-sample.json");
    const struct eksauth_awsauth_entry *e;

    (void)state;
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    /* Positions count within the decoded mapRoles string. */
    e = eksauth_awsauth_entry_at(aa, 1);
    assert_string_equal(e->username, "build");
    assert_int_equal(e->line, 9);
    assert_int_equal(e->column, 3);
    assert_int_equal(eksauth_awsauth_warning_count(aa), 1);
    assert_int_equal(find_warning(aa, "aws-auth: mapRoles: 14:3: arn: "), 0);
    assert_non_null(strstr(eksauth_awsauth_warning_at(aa, 0), "; entry skipped"));

    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/EksCodeBuildKubectlRole/x",
               EKSAUTH_SRC_MAPROLES, "build", 1, masters);
    expect_map_fails(aa,
                     "arn:aws:iam::123456789012:role/"
                     "eksctl-foo-nodegroup-bar-NodeInstanceRole-u4CxYVzWNTmG",
                     EKSAUTH_EREJECTED, "SessionName did not contain an instance id");
    eksauth_awsauth_free(aa);
}

/* ------------------------------------------------------------------------ */
/* Forms and sources. */

static void test_bare_file(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-bare.yaml");
    const char *const deployer[] = {"deployers", "system:authenticated"};
    const char *const admins[] = {"system:masters", "team-111122223333"};
    const char *const viewers[] = {"viewers"};
    const struct eksauth_awsauth_entry *e;

    (void)state;
    assert_int_equal(eksauth_awsauth_warning_count(aa), 0);
    /* 2 roles, 1 user, 3 accounts, in that order. */
    assert_int_equal(eksauth_awsauth_count(aa), 6);
    e = eksauth_awsauth_entry_at(aa, 0);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPROLES);
    assert_int_equal(e->line, 4); /* a YAML list in the file itself */
    assert_int_equal(e->column, 5);
    e = eksauth_awsauth_entry_at(aa, 2);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPUSERS);
    assert_int_equal(e->line, 13); /* a literal block string */
    assert_int_equal(e->column, 5);
    e = eksauth_awsauth_entry_at(aa, 5);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPACCOUNTS);
    assert_string_equal(e->arn, "012345678901"); /* the leading zero is kept */
    assert_null(e->username);
    assert_int_equal(e->n_groups, 0);

    expect_map(aa, "arn:aws:sts::111122223333:assumed-role/Deployer/ci", EKSAUTH_SRC_MAPROLES,
               "deployer", 2, deployer);
    expect_map(aa, "arn:aws:sts::111122223333:assumed-role/Admins/ann@example.com",
               EKSAUTH_SRC_MAPROLES, "admin:ann-example.com", 2, admins);
    expect_map(aa, "arn:aws:iam::111122223333:user/alice", EKSAUTH_SRC_MAPUSERS, "alice", 1,
               viewers);
    /* mapAccounts: quoted, unquoted, unquoted with a leading zero. */
    expect_map(aa, "arn:aws:iam::444455556666:user/anyone", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::444455556666:user/anyone", 0, NULL);
    expect_map(aa, "arn:aws:sts::777788889999:assumed-role/SomeRole/s", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::777788889999:role/SomeRole", 0, NULL);
    expect_map(aa, "arn:aws:iam::012345678901:root", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::012345678901:root", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::111122223333:user/bob", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped: arn:aws:iam::111122223333:user/bob");
    eksauth_awsauth_free(aa);
}

/* mapUsers, templates, entries never matched, order, partitions. */
static void test_full_configmap(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-full.yaml");
    const char *const admins[] = {"system:masters", "acct-123456789012"};
    const char *const devs[] = {"devs", "key-ASIAEXAMPLEKEY000001"};
    const char *const auditors[] = {"auditors"};

    (void)state;
    /* The role path and the session's ARN: kept out, each with a warning. */
    find_warning(aa, "aws-auth: mapRoles: 32:7: arn:aws:iam::123456789012:role/teams/platform/"
                     "Admins has a role path");
    find_warning(aa, "aws-auth: mapUsers: 13:7: arn:aws:sts::123456789012:assumed-role/Auditor/"
                     "anyone is the ARN of a role's session");
    assert_int_equal(eksauth_awsauth_warning_count(aa), 2);
    assert_int_equal(eksauth_awsauth_count(aa), 6 + 3 + 2);
    /* Entries come as mapRoles, mapUsers, mapAccounts, whatever the file order. */
    assert_int_equal(eksauth_awsauth_entry_at(aa, 0)->source, EKSAUTH_SRC_MAPROLES);
    assert_int_equal(eksauth_awsauth_entry_at(aa, 6)->source, EKSAUTH_SRC_MAPUSERS);
    assert_int_equal(eksauth_awsauth_entry_at(aa, 9)->source, EKSAUTH_SRC_MAPACCOUNTS);
    assert_int_equal(eksauth_awsauth_entry_at(aa, 9)->line, 8);
    assert_int_equal(eksauth_awsauth_entry_at(aa, 9)->column, 7);

    /* ARN:AWS:IAM::...:ROLE/Admins is the cluster's match for any session of Admins. */
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Admins/jane@example.com",
               EKSAUTH_SRC_MAPROLES, "admin:jane-example.com", 2, admins);
    /* The role ARN itself, without a session: the template fails. */
    expect_map_fails(aa, "arn:aws:iam::123456789012:role/Admins", EKSAUTH_EREJECTED,
                     "template: {{SessionName}} is empty");
    /* What the path entry would match, were STS to name a role with its path: nothing. */
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/teams/platform/Admins/s",
                     EKSAUTH_ENOTMAPPED, "not mapped");
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Developers/dev@example.com",
               EKSAUTH_SRC_MAPROLES, "dev:dev@example.com", 2, devs);
    /* {{AccessKeyID}} is refused in a username, at login. */
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/KeyUser/s", EKSAUTH_EREJECTED,
                     "{{AccessKeyID}} is refused in usernames");
    /* A role ARN in mapUsers matches any session of the role; the session's ARN never did. */
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Auditor/someone", EKSAUTH_SRC_MAPUSERS,
               "auditor", 1, auditors);
    /* A user keeps its path. */
    expect_map(aa, "arn:aws:iam::123456789012:user/ops/Bob", EKSAUTH_SRC_MAPUSERS, "bob", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/Bob", EKSAUTH_ENOTMAPPED, "not mapped");
    /* mapRoles before mapUsers. */
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Shared/s", EKSAUTH_SRC_MAPROLES,
               "shared-from-mapRoles", 0, NULL);
    /* mapAccounts last: an unlisted role of a listed account. */
    expect_map(aa, "arn:aws:sts::444455556666:assumed-role/Anything/s", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::444455556666:role/Anything", 0, NULL);
    /* The partition is part of the key. */
    expect_map(aa, "arn:aws-cn:sts::123456789012:assumed-role/ChinaOps/s", EKSAUTH_SRC_MAPROLES,
               "china-ops", 0, NULL);
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/ChinaOps/s", EKSAUTH_ENOTMAPPED,
                     "not mapped");
    eksauth_awsauth_free(aa);
}

/*
 * The cases of issue 17: an entry with a role path and one written as a
 * session's ARN match nobody and say why, in the warning and when the role
 * they meant is not mapped; the upper-case ARN maps.
 */
static void test_never_matching_entries(void **state)
{
    struct eksauth_awsauth *aa =
        parse_str("mapRoles: |\n"
                  "  - rolearn: arn:aws:iam::123456789012:role/team/Admin\n"
                  "    username: admin\n"
                  "    groups: [system:masters]\n"
                  "  - rolearn: arn:aws:sts::123456789012:assumed-role/"
                  "Deploy/ci\n"
                  "    username: deploy\n"
                  "  - rolearn: ARN:AWS:IAM::123456789012:ROLE/ReadOnly\n"
                  "    username: ro\n");
    const char *const none[] = {NULL};

    (void)state;
    assert_int_equal(eksauth_awsauth_count(aa), 1);
    find_warning(aa, "write arn:aws:iam::123456789012:role/Admin");
    find_warning(aa, "write arn:aws:iam::123456789012:role/Deploy");
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Admin/alice", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped: arn:aws:iam::123456789012:role/Admin (the mapRoles "
                     "entry at 2:5, arn:aws:iam::123456789012:role/team/Admin, has a role path: "
                     "the cluster never matches it");
    expect_map_fails(
        aa, "arn:aws:sts::123456789012:assumed-role/Deploy/ci", EKSAUTH_ENOTMAPPED,
        "(the mapRoles entry at 5:5, arn:aws:sts::123456789012:assumed-role/Deploy/ci, "
        "is the ARN of a role's session");
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/ReadOnly/s", EKSAUTH_SRC_MAPROLES, "ro",
               0, none);
    expect_map(aa, "arn:aws:iam::123456789012:role/readonly", EKSAUTH_SRC_MAPROLES, "ro", 0, none);
    eksauth_awsauth_free(aa);
}

/* A value the cluster drops maps nobody here too, and says so; the others still map. */
static void test_dropped_value(void **state)
{
    struct eksauth_awsauth *aa = parse_str("kind: ConfigMap\n"
                                           "data:\n"
                                           "  mapRoles: |\n"
                                           "    - rolearn: arn:aws:iam::123456789012:role/A\n"
                                           "      username: a\n"
                                           "      groups: [x\n"
                                           "  mapUsers: |\n"
                                           "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                                           "      username: bob\n");

    (void)state;
    assert_int_equal(eksauth_awsauth_dropped_count(aa), 1);
    assert_non_null(strstr(eksauth_awsauth_dropped_at(aa, 0), "mapRoles (7:5: mapRoles: "));
    assert_null(eksauth_awsauth_dropped_at(aa, 1));
    find_warning(aa, "aws-auth: mapRoles dropped: ");
    expect_map(aa, "arn:aws:iam::123456789012:user/bob", EKSAUTH_SRC_MAPUSERS, "bob", 0, NULL);
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/A/s", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped: arn:aws:iam::123456789012:role/A; dropped, as the "
                     "cluster drops them: mapRoles (7:5: mapRoles: ");
    assert_false(eksauth_awsauth_dropped_cluster_reads(aa, 0));
    assert_true(eksauth_awsauth_cluster_drops_all(aa));
    assert_int_equal(eksauth_awsauth_dropped_count(NULL), 0);
    eksauth_awsauth_free(aa);
}

/*
 * A value libyaml alone cannot read (the escape \' in a double-quoted
 * scalar; awsauth_yaml_compat.h) is dropped here while the cluster maps
 * its entries: the refusal says "dropped here", never "as the cluster
 * drops them".
 */
static void test_dropped_value_the_cluster_reads(void **state)
{
    struct eksauth_awsauth *aa = parse_str("kind: ConfigMap\n"
                                           "data:\n"
                                           "  mapRoles: |\n"
                                           "    - rolearn: arn:aws:iam::123456789012:role/A\n"
                                           "      username: \"a\\'b\"\n"
                                           "  mapUsers: |\n"
                                           "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                                           "      username: bob\n");
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(eksauth_awsauth_dropped_count(aa), 1);
    assert_true(eksauth_awsauth_dropped_cluster_reads(aa, 0));
    assert_false(eksauth_awsauth_dropped_cluster_reads(aa, 1));
    assert_false(eksauth_awsauth_cluster_drops_all(aa));
    assert_int_equal(map_arn(aa, "arn:aws:sts::123456789012:assumed-role/A/s", NULL, &id, &err),
                     EKSAUTH_ENOTMAPPED);
    assert_non_null(strstr(err.msg, "; dropped here: mapRoles ("));
    assert_null(strstr(err.msg, "as the cluster drops"));
    eksauth_awsauth_free(aa);
}

/* ARNs compare case-insensitively, "ARN:" included; entry keys case-insensitively. */
static void test_case(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-crazy-case-keys.yaml");
    const char *const mixed[] = {"MixedGroup"};
    const char *const g[] = {"g"};

    (void)state;
    /* "ARN:" compares as "arn:" (the cluster's EqualFold): that entry maps. */
    assert_int_equal(eksauth_awsauth_count(aa), 4);
    assert_int_equal(eksauth_awsauth_warning_count(aa), 0);
    expect_map(aa, "arn:aws:iam::123456789012:role/Upper-Prefix-Case", EKSAUTH_SRC_MAPROLES,
               "upper-prefix", 0, NULL);
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/mixedcase/s", EKSAUTH_SRC_MAPROLES,
               "mixed", 1, mixed);
    expect_map(aa, "arn:aws:iam::123456789012:role/MIXEDCASE", EKSAUTH_SRC_MAPROLES, "mixed", 1,
               mixed);
    expect_map(aa, "arn:aws:iam::123456789012:role/Upper-Keys", EKSAUTH_SRC_MAPROLES, "upper", 1,
               g);
    expect_map(aa, "arn:aws:iam::123456789012:user/caseuser", EKSAUTH_SRC_MAPUSERS, "case-user", 0,
               NULL);
    eksauth_awsauth_free(aa);
}

/* Top-level keys are case-sensitive, as upstream: nothing is mapped, and we say why. */
static void test_upper_case_top_keys_ignored(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-upper-case-top-keys.yaml");

    (void)state;
    assert_int_equal(eksauth_awsauth_count(aa), 0);
    find_warning(aa, "aws-auth: 7:3: 'MapRoles' ignored: the key is case-sensitive (mapRoles)");
    find_warning(aa, "aws-auth: 10:3: 'MAPUSERS' ignored: the key is case-sensitive (mapUsers)");
    find_warning(aa,
                 "aws-auth: 13:3: 'mapaccounts' ignored: the key is case-sensitive (mapAccounts)");
    find_warning(aa, "no mapRoles, mapUsers or mapAccounts: nothing is mapped");
    assert_int_equal(eksauth_awsauth_warning_count(aa), 4);
    expect_map_fails(aa, "arn:aws:iam::123456789012:role/ignored", EKSAUTH_ENOTMAPPED,
                     "not mapped");
    eksauth_awsauth_free(aa);
}

/* Same key twice: the last wins, and a warning names both positions. */
static void test_duplicates(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-duplicates.yaml");
    size_t i;

    (void)state;
    /* Deployer x3 -> 1, Other, Carol and carol -> none (they differ), account x2 -> 1. */
    assert_int_equal(eksauth_awsauth_count(aa), 3);
    find_warning(aa, "aws-auth: mapRoles: 6:5: same ARN as the entry at 2:5 "
                     "(arn:aws:iam::123456789012:role/deployer); the later entry wins");
    find_warning(aa, "aws-auth: mapRoles: 8:5: same ARN as the entry at 6:5");
    /* Two keys of the cluster's map (mapUsers keys as written), matched in no set order. */
    find_warning(aa, "aws-auth: mapUsers: 13:5: the cluster matches this entry and the entry at "
                     "11:5 (arn:aws:iam::123456789012:user/carol) to one principal, in no fixed "
                     "order, and they map it differently: neither maps here");
    find_warning(aa, "aws-auth: mapAccounts: 17:5: same account as the entry at 16:5 "
                     "(444455556666); the later entry wins");
    assert_int_equal(eksauth_awsauth_warning_count(aa), 4);
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Deployer/s", EKSAUTH_SRC_MAPROLES,
               "third", 0, NULL);
    expect_map(aa, "arn:aws:iam::123456789012:role/Other", EKSAUTH_SRC_MAPROLES, "other", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/CAROL", EKSAUTH_ENOTMAPPED,
                     "in no fixed order");
    /* The overridden entries are gone from the list, and the order is kept. */
    assert_string_equal(eksauth_awsauth_entry_at(aa, 0)->username, "other");
    assert_string_equal(eksauth_awsauth_entry_at(aa, 1)->username, "third");
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        const char *u = eksauth_awsauth_entry_at(aa, i)->username;

        assert_true(u == NULL || (strcmp(u, "first") != 0 && strcmp(u, "second") != 0 &&
                                  strcmp(u, "carol-1") != 0));
    }
    eksauth_awsauth_free(aa);
}

/* Each malformed entry is reported with its position and skipped; the rest map. */
static void test_malformed_entries(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-malformed-entries.yaml");
    const char *const g12[] = {"g1", "g2"};

    (void)state;
    find_warning(aa, "aws-auth: mapRoles: 5:5: rolearn is missing; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 6:5: sso entries are not supported; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 10:5: arn: ");
    find_warning(aa, "aws-auth: mapRoles: 12:5: arn: 'not-an-arn' does not start with");
    find_warning(aa, "aws-auth: mapRoles: 14:5: username is missing; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 15:5: username is empty; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 17:5: username is missing; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 19:5: groups is not a list of strings; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 22:5: groups is not a list of strings; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 26:5: username: template: unknown placeholder "
                     "{{Session}} (the cluster keeps it as text; eksauth does not); entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 28:5: group: template: unterminated");
    /* rolearn and RoleArn: the later in byte order wins, as in the cluster. */
    find_warning(aa, "aws-auth: mapRoles: 31:5: 'rolearn' and 'RoleArn' both give rolearn; the "
                     "cluster keeps 'rolearn'");
    find_warning(aa, "aws-auth: mapRoles: 34:5: the entry is not a mapping; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 35:5: rolearn is not a string; entry skipped");
    find_warning(aa, "aws-auth: mapRoles: 37:5: username contains a control character");
    find_warning(aa, "aws-auth: mapRoles: 39:5: a group is empty; entry skipped");
    find_warning(aa, "aws-auth: mapAccounts: 45:5: an account id must be 12 digits");
    find_warning(aa, "aws-auth: mapAccounts: 46:5: an account id must be 12 digits");
    find_warning(aa, "aws-auth: mapAccounts: 47:5: the account id is not a string");
    assert_int_equal(eksauth_awsauth_warning_count(aa), 19);

    assert_int_equal(eksauth_awsauth_count(aa), 4);
    expect_map(aa, "arn:aws:iam::123456789012:role/Good", EKSAUTH_SRC_MAPROLES, "good", 2, g12);
    expect_map(aa, "arn:aws:iam::123456789012:role/AlsoGood", EKSAUTH_SRC_MAPROLES, "also-good", 0,
               NULL);
    expect_map(aa, "arn:aws:iam::000000000001:root", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::000000000001:root", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::123456789012:role/NoUsername", EKSAUTH_ENOTMAPPED,
                     "not mapped");
    expect_map(aa, "arn:aws:iam::123456789012:role/Twice", EKSAUTH_SRC_MAPROLES, "twice", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::123456789012:role/Twice2", EKSAUTH_ENOTMAPPED, "not mapped");
    eksauth_awsauth_free(aa);
}

/* ------------------------------------------------------------------------ */
/* Empty documents. */

static void test_empty_documents(void **state)
{
    const char *const empty[] = {
        "", "\n\n", "# only a comment\n", "---\n", "~\n",
    };
    struct eksauth_awsauth *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
        aa = parse_str(empty[i]);
        assert_int_equal(eksauth_awsauth_count(aa), 0);
        find_warning(aa, "aws-auth: the document is empty: nothing is mapped");
        assert_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:role/a", "123456789012"));
        eksauth_awsauth_free(aa);
    }
    aa = parse_fixture("aws-auth-empty.yaml");
    assert_int_equal(eksauth_awsauth_count(aa), 0);
    eksauth_awsauth_free(aa);
    aa = parse_text(NULL, 0);
    assert_int_equal(eksauth_awsauth_count(aa), 0);
    eksauth_awsauth_free(aa);
}

/* ------------------------------------------------------------------------ */
/* Lookup and map, directly. */

static void test_lookup(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-full.yaml");
    const struct eksauth_awsauth_entry *e;

    (void)state;
    e = eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:role/admins", NULL);
    assert_non_null(e);
    assert_string_equal(e->arn, "ARN:AWS:IAM::123456789012:ROLE/Admins");
    assert_string_equal(e->key, "arn:aws:iam::123456789012:role/admins");
    /* The key is an eksauth_arn.key: the whole canonical ARN in lower case. */
    assert_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:role/Admins", NULL));
    /* The entry with the path is in no table. */
    assert_null(
        eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:role/teams/platform/admins", NULL));
    e = eksauth_awsauth_lookup(aa, NULL, "012345678901");
    assert_non_null(e);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPACCOUNTS);
    e = eksauth_awsauth_lookup(aa, "arn:aws:iam::999999999999:role/x", "444455556666");
    assert_non_null(e);
    assert_string_equal(e->arn, "444455556666");
    assert_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::999999999999:role/x", "999999999999"));
    assert_null(eksauth_awsauth_lookup(aa, "", ""));
    assert_null(eksauth_awsauth_lookup(NULL, "x", "y"));
    eksauth_awsauth_free(aa);
}

/* The principal's fields must agree with its ARN. */
static void test_map_principal_checks(void **state)
{
    struct eksauth_awsauth *aa = parse_fixture("aws-auth-full.yaml");
    struct eksauth_principal p = {
        .arn = "arn:aws:sts::123456789012:assumed-role/Admins/jane",
        .canonical_arn = "arn:aws:iam::123456789012:role/Admins",
        .account = "123456789012",
        .session_name = "jane",
        .access_key_id = "ASIAEXAMPLE",
    };
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.username, "admin:jane");
    assert_ptr_equal(id.entry,
                     eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:role/admins", NULL));
    eksauth_k8s_identity_free(&id);

    p.account = "210987654321";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "account 210987654321 does not match"));
    assert_null(id.username);
    p.account = "123456789012";
    p.session_name = "mallory";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "session name mallory does not match"));
    p.session_name = "jane";
    p.canonical_arn = "arn:aws:iam::123456789012:role/Other";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "canonical ARN"));

    /* Only a canonical ARN, with the session name given apart. */
    p.arn = NULL;
    p.canonical_arn = "arn:aws:iam::123456789012:role/Admins";
    p.session_name = "joe";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.username, "admin:joe");
    eksauth_k8s_identity_free(&id);

    p.canonical_arn = "garbage";
    assert_int_equal(eksauth_awsauth_map(aa, &p, &id, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_awsauth_map(aa, NULL, &id, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_awsauth_map(NULL, &p, &id, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_awsauth_map(aa, &p, NULL, &err), EKSAUTH_EINVAL);
    eksauth_k8s_identity_free(NULL);
    eksauth_awsauth_free(aa);
}

static void test_misc_api(void **state)
{
    struct eksauth_awsauth *aa = (struct eksauth_awsauth *)1;
    struct eksauth_error err = {0};

    (void)state;
    assert_string_equal(eksauth_map_source_name(EKSAUTH_SRC_MAPROLES), "mapRoles");
    assert_string_equal(eksauth_map_source_name(EKSAUTH_SRC_MAPUSERS), "mapUsers");
    assert_string_equal(eksauth_map_source_name(EKSAUTH_SRC_MAPACCOUNTS), "mapAccounts");
    assert_string_equal(eksauth_map_source_name((enum eksauth_map_source)7), "unknown");
    assert_int_equal(eksauth_awsauth_count(NULL), 0);
    assert_null(eksauth_awsauth_entry_at(NULL, 0));
    assert_int_equal(eksauth_awsauth_warning_count(NULL), 0);
    assert_null(eksauth_awsauth_warning_at(NULL, 0));
    assert_int_equal(eksauth_awsauth_parse(NULL, 5, &aa, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_awsauth_parse("", 0, NULL, &err), EKSAUTH_EINVAL);
    eksauth_awsauth_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* A generated 10,000-entry aws-auth (tests/lib/awsauth_big.h): it parses and every entry maps. */

#define N_BIG 10000

static void test_ten_thousand_entries(void **state)
{
    size_t len, i;
    char *text = awsauth_big_configmap(N_BIG, 7, &len);
    struct eksauth_awsauth *aa;
    const struct eksauth_awsauth_entry *e;
    char arn[128], want[64];
    struct eksauth_k8s_identity id;
    struct eksauth_error err = {0};

    (void)state;
    assert_non_null(text);
    aa = parse_text(text, len);
    assert_int_equal(eksauth_awsauth_count(aa), N_BIG);
    assert_int_equal(eksauth_awsauth_warning_count(aa), 0);
    e = eksauth_awsauth_entry_at(aa, N_BIG - 1);
    assert_int_equal(e->line, 7 + 5 * (N_BIG - 1));
    assert_int_equal(e->column, 7);
    for (i = 0; i < N_BIG; i++) {
        snprintf(arn, sizeof(arn), "arn:aws:sts::%012zu:assumed-role/Role%zu/session-%zu",
                 AWSAUTH_BIG_ACCOUNT(i, 7), i, i);
        assert_int_equal(map_arn(aa, arn, NULL, &id, &err), EKSAUTH_OK);
        snprintf(want, sizeof(want), "user-%zu", i);
        assert_string_equal(id.username, want);
        assert_int_equal(id.n_groups, 2);
        snprintf(want, sizeof(want), "group-%zu", i);
        assert_string_equal(id.groups[0], want);
        assert_ptr_equal(id.entry, eksauth_awsauth_entry_at(aa, i));
        eksauth_k8s_identity_free(&id);
    }
    /* Same role name, another account: not mapped. */
    assert_int_equal(map_arn(aa, "arn:aws:sts::100000000000:assumed-role/Role1/s", NULL, &id, &err),
                     EKSAUTH_ENOTMAPPED);
    eksauth_awsauth_free(aa);
    free(text);
}

/*
 * The cluster keeps every entry whose rolearn (userarn) is a string, in a
 * map keyed by it: a later entry replaces an earlier one for the same
 * principal even when eksauth skips the later one (a username it refuses,
 * groups that are no list).  The earlier entry must not map here then: the
 * cluster no longer maps it (role Dev is the later entry's, without
 * system:masters, there).
 */
static void test_skipped_entry_replaces_earlier(void **state)
{
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str(
        "mapRoles: |\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
        "    username: admin\n"
        "    groups: [system:masters]\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Ops\n"
        "    username: ops\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Other\n"
        "    username: other\n"
        "  - rolearn: ARN:AWS:IAM::123456789012:ROLE/dev\n"
        "    username: dev-{{SessionName}}\n"
        "    groups: developers\n"
        "  - rolearn: arn:aws:iam::123456789012:role/ops\n"
        "    username: yes\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Ops\n"
        "    username: ops-again\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Other\n"
        "    sso: {permissionSetName: x, accountID: '123456789012'}\n"
        "mapUsers: |\n"
        "  - userarn: arn:aws:iam::123456789012:user/bob\n"
        "    username: bob\n"
        "  - userarn: arn:aws:iam::123456789012:user/bob\n"
        "    username: \"{{Session}}\"\n"
        "  - {userarn: arn:aws:iam::123456789012:user/carol, username: carol}\n"
        "  - {userarn: 'arn:aws:iam::123456789012:user/caro\xe2\x84\xaa', username: x}\n"
        "  - {userarn: arn:aws:iam::123456789012:user/dave, username: dave}\n"
        "  - {userarn: 'arn:aws:iam::123456789012:user/dave', username: d, username: e}\n");
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Dev/s", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped");
    find_warning(aa, "aws-auth: mapRoles: 9:5: the entry skipped here has the same ARN as the "
                     "entry at 2:5 (arn:aws:iam::123456789012:role/dev): the cluster keeps the "
                     "later entry, so neither maps");
    /* A later valid entry wins over the skipped one, as in the cluster. */
    expect_map(aa, "arn:aws:iam::123456789012:role/Ops", EKSAUTH_SRC_MAPROLES, "ops-again", 0,
               NULL);
    /* An entry with sso is dropped by the cluster: it replaces nothing. */
    expect_map(aa, "arn:aws:iam::123456789012:role/Other", EKSAUTH_SRC_MAPROLES, "other", 0, NULL);
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/bob", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped");
    /* The Kelvin sign lower-cases to 'k' as Go lower-cases the key. */
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/carok", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped");
    expect_map(aa, "arn:aws:iam::123456789012:user/carol", EKSAUTH_SRC_MAPUSERS, "carol", 0, NULL);
    /* A key given twice: the cluster keeps the entry (the later username). */
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/dave", EKSAUTH_ENOTMAPPED,
                     "identity is not mapped");
    eksauth_awsauth_free(aa);
}

/*
 * A YAML alias of an entry is a full copy of it where the alias stands, to
 * the cluster (go-yaml expands it before the entries are keyed, later one
 * winning): role/ops is ops-ro there, the alias coming after the admin
 * entry.  Reading only the first copy would leave ops-admin with
 * system:masters here.  An alias of an entry eksauth skips replaces the
 * entries before it as that entry does, in mapRoles and in mapUsers.
 */
static void test_alias_entry_replaces_earlier(void **state)
{
    static const char *const viewers[] = {"viewers"};
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str(
        "mapRoles: |\n"
        "  - &ro\n"
        "    rolearn: arn:aws:iam::111122223333:role/ops\n"
        "    username: ops-ro\n"
        "    groups: [viewers]\n"
        "  - rolearn: arn:aws:iam::111122223333:role/ops\n"
        "    username: ops-admin\n"
        "    groups: [system:masters]\n"
        "  - *ro\n"
        "  - &bad {rolearn: 'arn:aws:iam::111122223333:role/dev', username: '{{Session}}'}\n"
        "  - {rolearn: 'arn:aws:iam::111122223333:role/dev', username: dev}\n"
        "  - *bad\n"
        "mapUsers: |\n"
        "  - &ro {userarn: 'arn:aws:iam::111122223333:user/ops', username: ops-ro, "
        "groups: [viewers]}\n"
        "  - {userarn: 'arn:aws:iam::111122223333:user/ops', username: ops-admin, "
        "groups: [system:masters]}\n"
        "  - *ro\n");
    expect_map(aa, "arn:aws:sts::111122223333:assumed-role/ops/s", EKSAUTH_SRC_MAPROLES, "ops-ro",
               1, viewers);
    expect_map(aa, "arn:aws:iam::111122223333:user/ops", EKSAUTH_SRC_MAPUSERS, "ops-ro", 1,
               viewers);
    find_warning(aa, "aws-auth: mapRoles: 2:5: a YAML alias repeats this entry as item 3 of the "
                     "list; read there again, as the cluster does");
    find_warning(aa, "aws-auth: mapRoles: 2:5: same ARN as the entry at 6:5 "
                     "(arn:aws:iam::111122223333:role/ops); the later entry wins");
    /* The skipped entry's alias comes last: the cluster maps dev by it, here nothing does. */
    expect_map_fails(aa, "arn:aws:sts::111122223333:assumed-role/dev/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 10:5");
    eksauth_awsauth_free(aa);
}

/*
 * An entry with a key given twice is skipped here; the cluster keeps the
 * later value (go-yaml v2 decodes into a map) and then keeps the entry,
 * replacing an earlier one for its ARN, unless the sso it keeps is set:
 * RoleMapping.Validate drops an entry with both rolearn and sso.  So role
 * R still maps as admin there, and here, whichever side of the sso the
 * twice-given key stands; an sso given twice, the later null, is no sso.
 */
static void test_key_twice_keeps_the_later_sso(void **state)
{
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str("mapRoles: |\n"
                   "  - {rolearn: 'arn:aws:iam::111122223333:role/R', username: admin}\n"
                   "  - rolearn: arn:aws:iam::111122223333:role/R\n"
                   "    sso: {permissionSetName: X, accountID: '111122223333'}\n"
                   "    username: a\n"
                   "    username: b\n"
                   "  - {rolearn: 'arn:aws:iam::111122223333:role/S', username: admin}\n"
                   "  - {rolearn: 'arn:aws:iam::111122223333:role/S', username: a, username: b,\n"
                   "     sso: {permissionSetName: X, accountID: '111122223333'}}\n"
                   "  - {rolearn: 'arn:aws:iam::111122223333:role/T', username: admin}\n"
                   "  - {rolearn: 'arn:aws:iam::111122223333:role/T', username: t,\n"
                   "     sso: {permissionSetName: X, accountID: '111122223333'}, sso: null}\n");
    expect_map(aa, "arn:aws:sts::111122223333:assumed-role/R/s", EKSAUTH_SRC_MAPROLES, "admin", 0,
               NULL);
    expect_map(aa, "arn:aws:sts::111122223333:assumed-role/S/s", EKSAUTH_SRC_MAPROLES, "admin", 0,
               NULL);
    find_warning(aa, "aws-auth: mapRoles: 3:5: 'username' is given twice: the cluster keeps the "
                     "later value");
    /* T's later entry is kept there (its sso null, username t): neither maps here. */
    expect_map_fails(aa, "arn:aws:sts::111122223333:assumed-role/T/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 11:5");
    eksauth_awsauth_free(aa);
}

/*
 * An entry the cluster keeps and matches, and eksauth skips, holds its
 * principal there: the cluster maps it by that entry and never reaches
 * mapUsers or mapAccounts.  Here it maps nobody, and mapAccounts must not
 * hand it the account's login instead.
 */
static void test_skipped_entry_holds_its_principal(void **state)
{
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
                   "    username: dev\n"
                   "    groups: developers\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Empty\n"
                   "    username: \"\"\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Back\n"
                   "    username: yes\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Back\n"
                   "    username: back\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Both\n"
                   "    username: \"\"\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/team/Path\n"
                   "    username: path\n"
                   "mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:role/Both\n"
                   "    username: both\n"
                   "  - userarn: arn:aws:iam::123456789012:user/eve\n"
                   "    username: \"{{Session}}\"\n"
                   "  - userarn: arn:aws:iam::123456789012:role/Later\n"
                   "    username: later\n"
                   "mapAccounts: |\n"
                   "  - \"123456789012\"\n");
    /* Each skipped entry: not mapped, and says which entry holds it. */
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Dev/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 2:5");
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Empty/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 5:5");
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/eve", EKSAUTH_ENOTMAPPED,
                     "the mapUsers entry at 18:5");
    /* A held mapRoles entry wins over a valid mapUsers one, as the cluster asks mapRoles first. */
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Both/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 11:5");
    /* A later valid entry replaces the skipped one, as in the cluster. */
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Back/s", EKSAUTH_SRC_MAPROLES, "back", 0,
               NULL);
    /* An entry the cluster never matches holds nothing: the account maps the role. */
    expect_map(aa, "arn:aws:sts::123456789012:assumed-role/Path/s", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::123456789012:role/Path", 0, NULL);
    expect_map(aa, "arn:aws:iam::123456789012:role/Later", EKSAUTH_SRC_MAPUSERS, "later", 0, NULL);
    expect_map(aa, "arn:aws:iam::123456789012:user/other", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::123456789012:user/other", 0, NULL);
    eksauth_awsauth_free(aa);
}

/*
 * The cluster matches an entry to a principal with strings.EqualFold (its
 * config/mapper.go, since 2025-09; before, both sides lower-cased), which
 * also folds two non-ASCII characters to ASCII letters: 'ſ' (U+017F) to s
 * and the Kelvin sign to k.  So an entry for role/ſupport, which eksauth
 * skips, is the one the cluster maps role/support by: here that principal
 * maps by nothing, neither the later list nor mapAccounts.  'İ' (U+0130)
 * folds to nothing ASCII: Go lower-cases it to 'i' for the role's key, so
 * its entry replaces role/infra's, but it matches nobody, and the cluster
 * goes on to mapUsers and mapAccounts, as eksauth does.
 */
static void test_skipped_entry_folds_as_equal_fold(void **state)
{
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Infra\n"
                   "    username: infra\n"
                   "    groups: [system:masters]\n"
                   "  - rolearn: \"arn:aws:iam::123456789012:role/\xc5\xbfupport\"\n"
                   "    username: x\n"
                   "  - rolearn: \"arn:aws:iam::123456789012:role/\xc4\xb0nfra\"\n"
                   "    username: y\n"
                   "  - rolearn: \"arn:aws:iam::123456789012:role/\xc5\xbf"
                   "econd\xc4\xb0\"\n"
                   "    username: z\n"
                   "mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:role/Infra\n"
                   "    username: infra-user\n"
                   "mapAccounts: |\n"
                   "  - \"123456789012\"\n");
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/support/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 5:5");
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/Support/s", EKSAUTH_ENOTMAPPED,
                     "the mapRoles entry at 5:5");
    /* role/Infra's entry is replaced (never system:masters); the principal goes on to mapUsers. */
    expect_map(aa, "arn:aws:iam::123456789012:role/Infra", EKSAUTH_SRC_MAPUSERS, "infra-user", 0,
               NULL);
    /* An ARN that also holds an 'İ' matches nobody, whatever else it folds. */
    expect_map(aa, "arn:aws:iam::123456789012:role/secondi", EKSAUTH_SRC_MAPACCOUNTS,
               "arn:aws:iam::123456789012:role/secondi", 0, NULL);
    eksauth_awsauth_free(aa);
}

/*
 * Two entries of one list whose ARNs differ as strings but that the
 * cluster's EqualFold matches to one principal are two keys of its map
 * (mapUsers keys as written, mapRoles in Go's lower case, which keeps 'ſ'),
 * and it maps the principal by either in no set order: when they map it
 * differently (or one is skipped here), neither maps here; when alike, it
 * maps.  Entries with one key of the cluster's map: the later wins.
 */
static void test_fold_equal_duplicates(void **state)
{
    const char *const dev[] = {"dev"};
    struct eksauth_awsauth *aa;

    (void)state;
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
                   "    username: a1\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/ADMIN\n"
                   "    username: a2\n"
                   "mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:user/Bob\n"
                   "    username: bob-admin\n"
                   "    groups: [system:masters]\n"
                   "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                   "    username: bob\n"
                   "  - userarn: arn:aws:iam::123456789012:user/Alice\n"
                   "    username: alice\n"
                   "    groups: [dev]\n"
                   "  - userarn: arn:aws:iam::123456789012:user/alice\n"
                   "    username: alice\n"
                   "    groups: [dev]\n"
                   "  - userarn: arn:aws:iam::123456789012:user/carol\n"
                   "    username: c1\n"
                   "  - userarn: arn:aws:iam::123456789012:user/carol\n"
                   "    username: c2\n"
                   "mapAccounts: |\n"
                   "  - \"123456789012\"\n");
    /* One key of the cluster's map (mapRoles keys in lower case): the later wins. */
    expect_map(aa, "arn:aws:iam::123456789012:role/admin", EKSAUTH_SRC_MAPROLES, "a2", 0, NULL);
    /* user/Bob and user/bob: two keys there; an admin at some times, not at others. */
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/bob", EKSAUTH_ENOTMAPPED,
                     "the mapUsers entry at 10:5, arn:aws:iam::123456789012:user/bob, and the "
                     "entry at 7:5 map it differently: the cluster maps this principal by either "
                     "entry, in no fixed order, so neither maps here");
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/BOB", EKSAUTH_ENOTMAPPED,
                     "in no fixed order");
    find_warning(aa, "aws-auth: mapUsers: 10:5: the cluster matches this entry and the entry at "
                     "7:5 (arn:aws:iam::123456789012:user/bob) to one principal, in no fixed "
                     "order, and they map it differently: neither maps here");
    /* Alike: it maps, either way the same. */
    expect_map(aa, "arn:aws:iam::123456789012:user/alice", EKSAUTH_SRC_MAPUSERS, "alice", 1, dev);
    find_warning(aa, "aws-auth: mapUsers: 15:5: the cluster matches this entry and the entry at "
                     "12:5 (arn:aws:iam::123456789012:user/alice) to one principal, in no fixed "
                     "order; both map it alike, so it maps");
    /* The very same ARN: one key there, the later wins. */
    expect_map(aa, "arn:aws:iam::123456789012:user/carol", EKSAUTH_SRC_MAPUSERS, "c2", 0, NULL);
    find_warning(aa, "aws-auth: mapUsers: 20:5: same ARN as the entry at 18:5");
    eksauth_awsauth_free(aa);

    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: \"arn:aws:iam::123456789012:role/\xc5\xbfupport\"\n"
                   "    username: s\n"
                   "    groups: dev\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Support\n"
                   "    username: support\n"
                   "    groups: [system:masters]\n"
                   "  - rolearn: \"arn:aws:iam::123456789012:role/\xe2\x84\xaa"
                   "ube\"\n"
                   "    username: k\n"
                   "    groups: dev\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/kube\n"
                   "    username: kube\n"
                   "mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:user/dake\n"
                   "    username: dave\n"
                   "  - userarn: \"arn:aws:iam::123456789012:user/Da\xe2\x84\xaa"
                   "e\"\n"
                   "    username: dave\n"
                   "mapAccounts: |\n"
                   "  - \"123456789012\"\n");
    /* role/ſupport (skipped here) and role/Support: Go's lower case keeps 'ſ', two keys. */
    expect_map_fails(aa, "arn:aws:sts::123456789012:assumed-role/support/s", EKSAUTH_ENOTMAPPED,
                     "in no fixed order");
    find_warning(aa, "(arn:aws:iam::123456789012:role/support) to one principal, in no fixed "
                     "order, and they map it differently: neither maps here");
    /* The Kelvin sign lower-cases to 'k' in a role's key: one key, the later wins. */
    expect_map(aa, "arn:aws:iam::123456789012:role/Kube", EKSAUTH_SRC_MAPROLES, "kube", 0, NULL);
    /* A user's key is as written: two keys; the entry here with the Kelvin sign is skipped. */
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/dake", EKSAUTH_ENOTMAPPED,
                     "in no fixed order");
    eksauth_awsauth_free(aa);
    /* 'İ' folds to nothing ASCII: user/İnfra is another key that matches nobody, user/infra maps.
     */
    aa = parse_str("mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:user/infra\n"
                   "    username: infra\n"
                   "  - userarn: \"arn:aws:iam::123456789012:user/\xc4\xb0nfra\"\n"
                   "    username: x\n");
    expect_map(aa, "arn:aws:iam::123456789012:user/infra", EKSAUTH_SRC_MAPUSERS, "infra", 0, NULL);
    eksauth_awsauth_free(aa);
    /*
     * Alike under two keys, the first key written again last: it maps by
     * 6:5, and the warning still says the cluster keeps 4:5 beside it (was:
     * only "same ARN as 2:5", 4:5 dropped without a word).
     */
    aa = parse_str("mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:user/Bob\n"
                   "    username: u\n"
                   "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                   "    username: u\n"
                   "  - userarn: arn:aws:iam::123456789012:user/Bob\n"
                   "    username: u\n");
    assert_int_equal(eksauth_awsauth_lookup(aa, "arn:aws:iam::123456789012:user/bob", NULL)->line,
                     6);
    find_warning(aa, "mapUsers: 6:5: the cluster matches this entry and the entry at 4:5 "
                     "(arn:aws:iam::123456789012:user/bob) to one principal, in no fixed order; "
                     "both map it alike, so it maps");
    eksauth_awsauth_free(aa);
}

/* The same through a login's index (plan_fixture resolves both ways, and they must agree). */
static void test_skipped_entry_holds_through_the_index(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":role/Dev\n"
                         "    username: dev-user\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/eve\n"
                         "    username: \"\"\n"
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/team/Dev\n"
                         "    username: path\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/Dev\n"
                         "    username: dev\n"
                         "    groups: developers\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/Ok\n"
                         "    username: ok\n"
                         "mapAccounts: |\n"
                         "  - \"" PLAN_ACCOUNT "\"\n");
    assert_int_equal(plan_fixture_role(f, "Dev", "s"), EKSAUTH_ENOTMAPPED);
    if (strstr(f->err.msg, "the mapRoles entry at 9:5") == NULL)
        fail_msg("%s", f->err.msg);
    assert_int_equal(plan_fixture_user(f, "eve"), EKSAUTH_ENOTMAPPED);
    assert_non_null(strstr(f->err.msg, "the mapUsers entry at 4:5"));
    assert_int_equal(plan_fixture_role(f, "Ok", "s"), EKSAUTH_OK);
    assert_int_equal(plan_fixture_user(f, "other"), EKSAUTH_OK);
    assert_int_equal(f->id.k8s.source, EKSAUTH_SRC_MAPACCOUNTS);
}

/* test_skipped_entry_folds_as_equal_fold through a login's index. */
static void test_skipped_entry_folds_through_the_index(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: \"arn:aws:iam::" PLAN_ACCOUNT ":role/\xc5\xbfupport\"\n"
                         "    username: x\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/infra\n"
                         "    username: infra\n"
                         "  - rolearn: \"arn:aws:iam::" PLAN_ACCOUNT ":role/\xc4\xb0nfra\"\n"
                         "    username: y\n"
                         "mapAccounts: |\n"
                         "  - \"" PLAN_ACCOUNT "\"\n");
    assert_int_equal(plan_fixture_role(f, "support", "s"), EKSAUTH_ENOTMAPPED);
    assert_non_null(strstr(f->err.msg, "the mapRoles entry at 2:5"));
    assert_int_equal(plan_fixture_role(f, "infra", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.k8s.source, EKSAUTH_SRC_MAPACCOUNTS);
}

/*
 * Many spellings of one mapUsers ARN (user/Bob, user/bOb, ...) are as many
 * keys of the cluster's map for one principal, all mapping alike: the
 * principal maps, by the last.  lib/awsauth.c finds a principal's keys
 * through a hash table (folds.cks) since each walked the keys before it, 34 s
 * of CPU for 100,000 spellings (a 16 MiB bare file holds 200,000); no time
 * is asserted here (the project measures speed in bench/ only), but a walk
 * back would show as this test's run time.
 */
#define N_SPELLINGS 20000

static void test_fold_equal_many_spellings(void **state)
{
    static const char name[] = "abcdefghijklmnopqrst";
    struct eksauth_awsauth_entry *e = calloc(N_SPELLINGS, sizeof(*e));
    char(*arn)[64] = calloc(N_SPELLINGS, sizeof(*arn));
    const char *lower = "arn:aws:iam::123456789012:user/abcdefghijklmnopqrst";
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err = {0};
    size_t i, k, at;

    (void)state;
    assert_non_null(e);
    assert_non_null(arn);
    for (i = 0; i < N_SPELLINGS; i++) {
        at = (size_t)snprintf(arn[i], sizeof(arn[i]), "arn:aws:iam::123456789012:user/");
        for (k = 0; k < sizeof(name) - 1; k++)
            arn[i][at + k] = (char)((i >> k) & 1 ? name[k] - 'a' + 'A' : name[k]);
        arn[i][at + k] = '\0';
        e[i].source = EKSAUTH_SRC_MAPUSERS;
        e[i].arn = arn[i];
        e[i].key = lower;
        e[i].username = "u";
        e[i].line = (unsigned)i + 2;
        e[i].column = 5;
    }
    assert_int_equal(eksauth_awsauth_of_entries(e, N_SPELLINGS, NULL, 0, &aa, &err), EKSAUTH_OK);
    /* Alike, all of them: the principal maps, by the last. */
    assert_int_equal(eksauth_awsauth_count(aa), 1);
    assert_int_equal(eksauth_awsauth_lookup(aa, lower, NULL)->line, N_SPELLINGS + 1);
    eksauth_awsauth_free(aa);
    free(arn);
    free(e);
}

/* test_fold_equal_duplicates through a login's index. */
static void test_fold_equal_through_the_index(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/Bob\n"
                         "    username: bob-admin\n"
                         "    groups: [system:masters]\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/bob\n"
                         "    username: bob\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/Ann\n"
                         "    username: ann\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/ann\n"
                         "    username: ann\n"
                         "mapRoles: |\n"
                         "  - rolearn: \"arn:aws:iam::" PLAN_ACCOUNT ":role/\xc5\xbfupport\"\n"
                         "    username: x\n"
                         "    groups: dev\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/support\n"
                         "    username: support\n"
                         "mapAccounts: |\n"
                         "  - \"" PLAN_ACCOUNT "\"\n");
    assert_int_equal(plan_fixture_user(f, "bob"), EKSAUTH_ENOTMAPPED);
    if (strstr(f->err.msg, "in no fixed order") == NULL)
        fail_msg("%s", f->err.msg);
    assert_int_equal(plan_fixture_role(f, "support", "s"), EKSAUTH_ENOTMAPPED);
    if (strstr(f->err.msg, "in no fixed order") == NULL)
        fail_msg("%s", f->err.msg);
    assert_int_equal(plan_fixture_user(f, "ann"), EKSAUTH_OK);
    assert_int_equal(f->id.k8s.source, EKSAUTH_SRC_MAPUSERS);
}

/*
 * settle (lib/awsauth.c) holds a principal by the skipped entries that
 * match it, and only those: user/İnfra's entry (4:5) is another key of the
 * cluster's map that matches nobody, so it is not held beside user/infra's
 * skipped entry (2:5).
 */
static void test_held_only_by_matching_entries(void **state)
{
    const struct eksauth_awsauth_entry *e;
    struct eksauth_awsauth *aa;
    size_t i, held = 0;

    (void)state;
    aa = parse_str("mapUsers: |\n"
                   "  - userarn: arn:aws:iam::123456789012:user/infra\n"
                   "    username: \"\"\n"
                   "  - userarn: \"arn:aws:iam::123456789012:user/\xc4\xb0nfra\"\n"
                   "    username: x\n");
    expect_map_fails(aa, "arn:aws:iam::123456789012:user/infra", EKSAUTH_ENOTMAPPED,
                     "the mapUsers entry at 2:5");
    for (i = 0; i < eksauth_awsauth_ignored_count(aa); i++) {
        e = eksauth_awsauth_ignored_at(aa, i);
        if (eksauth_awsauth_entry_holds(e)) {
            held++;
            assert_int_equal(e->line, 2);
        }
    }
    assert_int_equal(held, 1);
    eksauth_awsauth_free(aa);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_sample_yaml), cmocka_unit_test(test_sample_json),
                  cmocka_unit_test(test_ec2_private_dns_name), cmocka_unit_test(test_bare_file),
                  cmocka_unit_test(test_full_configmap),
                  cmocka_unit_test(test_never_matching_entries),
                  cmocka_unit_test(test_dropped_value),
                  cmocka_unit_test(test_dropped_value_the_cluster_reads),
                  cmocka_unit_test(test_case), cmocka_unit_test(test_upper_case_top_keys_ignored),
                  cmocka_unit_test(test_duplicates), cmocka_unit_test(test_malformed_entries),
                  cmocka_unit_test(test_empty_documents), cmocka_unit_test(test_lookup),
                  cmocka_unit_test(test_map_principal_checks), cmocka_unit_test(test_misc_api),
                  cmocka_unit_test(test_ten_thousand_entries),
                  cmocka_unit_test(test_skipped_entry_replaces_earlier),
                  cmocka_unit_test(test_alias_entry_replaces_earlier),
                  cmocka_unit_test(test_key_twice_keeps_the_later_sso),
                  cmocka_unit_test(test_skipped_entry_holds_its_principal),
                  cmocka_unit_test(test_skipped_entry_folds_as_equal_fold),
                  cmocka_unit_test(test_fold_equal_duplicates),
                  cmocka_unit_test(test_fold_equal_many_spellings),
                  cmocka_unit_test(test_held_only_by_matching_entries),
                  cmocka_unit_test_setup_teardown(test_fold_equal_through_the_index,
                                                  plan_fixture_setup, plan_fixture_teardown),
                  cmocka_unit_test_setup_teardown(test_skipped_entry_holds_through_the_index,
                                                  plan_fixture_setup, plan_fixture_teardown),
                  cmocka_unit_test_setup_teardown(test_skipped_entry_folds_through_the_index,
                                                  plan_fixture_setup, plan_fixture_teardown))
