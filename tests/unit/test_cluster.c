/*
 * test_cluster.c - the aws-auth + access entries merge of lib/cluster.c
 * (access entries win; bad entries become warnings; a role's path dropped;
 * access policies as groups; node types as EKS gives them; groups spelled
 * policy:... reserved for policies; dropped ConfigMap values kept named).
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

#include "eksauth/awsauth.h"
#include "eksauth/cluster.h"
#include "fixture_file.h"
#include "unit.h"

/* aws-auth as the API server answers it: version 4242, roles ops and dev, an account. */
#define CONFIGMAP "cluster/configmap.json"

static void test_merge(void **state)
{
    char *g_dev[] = {"new-devs"};
    struct eksauth_access_entry entries[] = {
        {.principal_arn = "arn:aws:iam::111122223333:role/team/dev",
         .username = NULL,
         .groups = g_dev,
         .n_groups = 1,
         .type = "STANDARD"},
        {.principal_arn = "arn:aws:iam::111122223333:user/bob",
         .username = "bob",
         .groups = NULL,
         .n_groups = 0,
         .type = "STANDARD"},
        {.principal_arn = "arn:aws:sts::111122223333:assumed-role/x/y",
         .username = NULL,
         .groups = NULL,
         .n_groups = 0,
         .type = "STANDARD"},
    };
    const struct eksauth_awsauth_entry *en;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char **warnings = NULL, *doc = NULL, *cm;
    size_t nw = 0, len = 0, cm_len, i;
    int dev_seen = 0;

    (void)state;
    cm = fixture_read(CONFIGMAP, &cm_len);
    /* kubernetes+eks-api: the access entry for role dev wins over aws-auth's. */
    assert_status(
        eksauth_cluster_merge(cm, cm_len, entries, 3, NULL, 0, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    free(cm);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 4); /* dev, bob (entries), ops, 1 account */
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        en = eksauth_awsauth_entry_at(aa, i);
        /* The access entry's role path is gone: EKS matches the role whatever its path. */
        assert_null(strstr(en->arn, "role/team/"));
        if (strcmp(en->arn, "arn:aws:iam::111122223333:role/dev") == 0) {
            dev_seen++;
            assert_string_equal(en->groups[0], "new-devs");
        }
        assert_true(en->username == NULL || strcmp(en->username, "old-dev") != 0);
    }
    assert_int_equal(dev_seen, 1);
    assert_int_equal(nw, 2);
    assert_non_null(strstr(warnings[0], "not an IAM role or user ARN"));
    assert_non_null(strstr(warnings[1], "overridden by its access entry"));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);

    /* eks-api alone: only the access entries. */
    assert_status(eksauth_cluster_merge(NULL, 0, entries, 2, NULL, 0, &doc, &len, NULL, NULL, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/dev", "111122223333");
    assert_non_null(en);
    assert_string_equal(en->username, "arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}");
    eksauth_awsauth_free(aa);
    free(doc);
}

/*
 * A ConfigMap value the cluster drops stays named in the merged document
 * (EKSAUTH_AWSAUTH_DROPPED_KEY), so that the sync and a login that read it
 * say why; the access entries still map.
 */
/*
 * A principal EKS listed but whose entry was not read yet (the budget ran
 * out, throttling) keeps no aws-auth entry either: EKS maps it by its
 * access entry alone, and the sync says its logins are refused until it
 * is read.  Role dev (listed with a path) loses aws-auth's old-dev; ops,
 * not listed, keeps its entry.
 */
static void test_merge_listed_but_unread(void **state)
{
    const char *listed[] = {"arn:aws:iam::111122223333:role/teams/platform/dev",
                            "arn:aws:iam::111122223333:user/carol", "not an arn"};
    const struct eksauth_access_entry *none = NULL;
    const struct eksauth_awsauth_entry *en;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char **warnings = NULL, *doc = NULL, *cm;
    size_t nw = 0, len = 0, cm_len, i;

    (void)state;
    cm = fixture_read(CONFIGMAP, &cm_len);
    assert_status(
        eksauth_cluster_merge(cm, cm_len, none, 0, listed, 3, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    free(cm);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 2); /* ops and the account */
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        en = eksauth_awsauth_entry_at(aa, i);
        assert_null(strstr(en->arn, "role/dev"));
    }
    assert_int_equal(nw, 1);
    assert_non_null(strstr(warnings[0], "role/dev is overridden by its access entry"));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);
}

static void test_merge_keeps_dropped(void **state)
{
    static const char broken[] =
        "{\"kind\":\"ConfigMap\",\"data\":{\"mapRoles\":\"- rolearn: [x\\n\","
        "\"mapUsers\":\"- userarn: arn:aws:iam::111122223333:user/carol\\n  username: carol\\n\"}}";
    struct eksauth_access_entry entries[] = {
        {.principal_arn = "arn:aws:iam::111122223333:user/bob",
         .username = "bob",
         .groups = NULL,
         .n_groups = 0,
         .type = "STANDARD"},
    };
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char *doc = NULL, **warnings = NULL;
    size_t len = 0, nw = 0, i;

    (void)state;
    assert_status(eksauth_cluster_merge(broken, strlen(broken), entries, 1, NULL, 0, &doc, &len,
                                        &warnings, &nw, &err),
                  EKSAUTH_OK);
    assert_non_null(strstr(doc, "\"eksauthDropped\": [ \"mapRoles ("));
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_dropped_count(aa), 1);
    assert_non_null(
        strstr(eksauth_awsauth_dropped_at(aa, 0), "mapRoles (2:1: mapRoles: did not find"));
    assert_int_equal(eksauth_awsauth_count(aa), 2); /* bob (access entry), carol (mapUsers) */
    assert_non_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:user/carol", NULL));
    /* The merge itself warned once, with the ConfigMap's own warning. */
    assert_int_equal(nw, 1);
    assert_non_null(strstr(warnings[0], "aws-auth: mapRoles dropped: "));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);
}

/*
 * A ConfigMap entry eksauth skips but the cluster keeps (groups written as
 * a string) holds its principal through the merge: the merged document
 * says so (eksauthHeld), and the principal maps by nothing, not by
 * mapAccounts' default, unless an access entry names it.
 */
static void test_merge_keeps_held(void **state)
{
    static const char cm[] =
        "{\"kind\":\"ConfigMap\",\"data\":{\"mapRoles\":\"- rolearn: "
        "arn:aws:iam::111122223333:role/Dev\\n  username: dev\\n  groups: developers\\n\","
        "\"mapAccounts\":\"- '111122223333'\\n\"}}";
    struct eksauth_access_entry dev[] = {
        {.principal_arn = "arn:aws:iam::111122223333:role/Dev",
         .username = "dev-by-entry",
         .groups = NULL,
         .n_groups = 0,
         .type = "STANDARD"},
    };
    static const char *const bad_held[] = {
        "{\"mapRoles\": \"[]\", \"eksauthHeld\": \"mapRoles 1:3 x\"}",
        "{\"mapRoles\": \"[]\", \"eksauthHeld\": [ \"mapAccounts 1:3 x\" ]}",
        "{\"mapRoles\": \"[]\", \"eksauthHeld\": [ \"mapRoles 1 x\" ]}",
        "{\"mapRoles\": \"[]\", \"eksauthHeld\": [ \"mapRoles 1:3 \" ]}",
        "{\"mapRoles\": \"[]\", \"eksauthHeld\": [ [ \"mapRoles 1:3 x\" ] ]}",
    };
    const char *role = "arn:aws:iam::111122223333:role/dev";
    const struct eksauth_awsauth_entry *e;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char *doc = NULL, **warnings = NULL;
    size_t len = 0, nw = 0, i;

    (void)state;
    /* The ConfigMap alone: held, as the cluster holds it. */
    assert_status(eksauth_awsauth_parse(cm, strlen(cm), &aa, &err), EKSAUTH_OK);
    assert_null(eksauth_awsauth_lookup(aa, role, "111122223333"));
    eksauth_awsauth_free(aa);
    aa = NULL;
    /* Merged with no access entry for it: still held. */
    assert_status(
        eksauth_cluster_merge(cm, strlen(cm), NULL, 0, NULL, 0, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    assert_non_null(strstr(doc, "\"eksauthHeld\": [ \"mapRoles 1:3 " /* line:col of the entry */));
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_null(eksauth_awsauth_lookup(aa, role, "111122223333"));
    /* Another role of the account still gets mapAccounts' default. */
    e = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/ops", "111122223333");
    assert_non_null(e);
    assert_int_equal(e->source, EKSAUTH_SRC_MAPACCOUNTS);
    eksauth_awsauth_free(aa);
    aa = NULL;
    free(doc);
    doc = NULL;
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    warnings = NULL;
    nw = 0;
    /* An access entry for the principal replaces the skipped entry: it maps by that. */
    assert_status(
        eksauth_cluster_merge(cm, strlen(cm), dev, 1, NULL, 0, &doc, &len, NULL, NULL, &err),
        EKSAUTH_OK);
    assert_null(strstr(doc, "eksauthHeld"));
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    e = eksauth_awsauth_lookup(aa, role, "111122223333");
    assert_non_null(e);
    assert_string_equal(e->username, "dev-by-entry");
    eksauth_awsauth_free(aa);
    free(doc);
    /* A malformed list is a malformed document, never a list read in part. */
    for (i = 0; i < sizeof(bad_held) / sizeof(bad_held[0]); i++) {
        aa = NULL;
        assert_status(eksauth_awsauth_parse(bad_held[i], strlen(bad_held[i]), &aa, &err),
                      EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "eksauthHeld is not a list"));
        eksauth_awsauth_free(aa);
    }
}

/*
 * Access policies become groups (one per namespace of a namespace scope),
 * after the entry's kubernetesGroups; a node type's username and groups are
 * EKS's; a kubernetesGroup or an aws-auth group spelled policy:... is
 * dropped with a warning, so eks-policy-* means exactly the policy.
 */
static void test_merge_policies_and_types(void **state)
{
    char *ns[] = {"dev", "qa"}, *g_ops[] = {"ops-team", "Policy:cluster-admin"};
    char *g_node[] = {"system:nodes"};
    struct eksauth_access_policy admin[] = {
        {.arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
         .cluster_scope = true},
        {.arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy",
         .namespaces = ns,
         .n_namespaces = 2},
        {.arn = "arn:aws:eks::aws:cluster-access-policy/Amazon EKS", .cluster_scope = true},
    };
    struct eksauth_access_entry entries[] = {
        {.principal_arn = "arn:aws:iam::111122223333:role/ops",
         .username = "ops",
         .groups = g_ops,
         .n_groups = 2,
         .type = "STANDARD",
         .policies = admin,
         .n_policies = 3},
        {.principal_arn = "arn:aws:iam::111122223333:role/nodes",
         .username = "system:node:{{EC2PrivateDNSName}}",
         .groups = g_node,
         .n_groups = 1,
         .type = "EC2_LINUX"},
        {.principal_arn = "arn:aws:iam::111122223333:role/fargate", .type = "FARGATE_LINUX"},
    };
    static const char cm_policy[] =
        "{\"data\":{\"mapUsers\":\"- userarn: arn:aws:iam::111122223333:user/eve\\n"
        "  username: eve\\n  groups: [policy:cluster-admin, devs]\\n\"}}";
    const struct eksauth_awsauth_entry *en;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char **warnings = NULL, *doc = NULL;
    size_t nw = 0, len = 0, i;

    (void)state;
    assert_status(eksauth_cluster_merge(cm_policy, strlen(cm_policy), entries, 3, NULL, 0, &doc,
                                        &len, &warnings, &nw, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/ops", NULL);
    assert_non_null(en);
    assert_int_equal(en->n_groups, 4);
    assert_string_equal(en->groups[0], "ops-team");
    assert_string_equal(en->groups[1], "policy:cluster-admin");
    assert_string_equal(en->groups[2], "policy:edit:ns:dev");
    assert_string_equal(en->groups[3], "policy:edit:ns:qa");
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/nodes", NULL);
    assert_non_null(en);
    assert_string_equal(en->username, "system:node:{{EC2PrivateDNSName}}");
    assert_string_equal(en->groups[0], "system:nodes");
    /* A node type without the username EKS gives it: skipped, not made up. */
    assert_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/fargate", NULL));
    /* aws-auth's group policy:cluster-admin is dropped; its other groups stay. */
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:user/eve", NULL);
    assert_non_null(en);
    assert_int_equal(en->n_groups, 1);
    assert_string_equal(en->groups[0], "devs");
    assert_int_equal(nw, 4);
    assert_non_null(strstr(warnings[0], "group \"Policy:cluster-admin\" dropped"));
    assert_non_null(strstr(warnings[1], "access policy: the name in"));
    assert_non_null(strstr(warnings[2], "EKS gave no username for a FARGATE_LINUX entry"));
    assert_non_null(strstr(warnings[3], "user/eve: group \"policy:cluster-admin\" dropped"));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);
}

/*
 * A held item read back (eksauthHeld, its cluster key NULL) is its
 * principal's first slot, and a valid entry of its key written after it
 * replaces it (lib/awsauth_read.c add_held; lib/awsauth.c fold_in), so the
 * role maps: not a second slot that differs and holds it.
 */
static void test_held_read_back_replaced(void **state)
{
    static const char doc[] =
        "{\"mapRoles\": \"- rolearn: arn:aws:iam::111122223333:role/Dev\\n  username: dev\\n\", "
        "\"eksauthHeld\": [ \"mapRoles 1:3 arn:aws:iam::111122223333:role/dev\" ]}";
    const struct eksauth_awsauth_entry *e;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_awsauth_parse(doc, strlen(doc), &aa, &err), EKSAUTH_OK);
    e = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/dev", "111122223333");
    assert_non_null(e);
    assert_string_equal(e->username, "dev");
    eksauth_awsauth_free(aa);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_merge), cmocka_unit_test(test_merge_listed_but_unread),
                  cmocka_unit_test(test_merge_keeps_dropped),
                  cmocka_unit_test(test_merge_keeps_held),
                  cmocka_unit_test(test_held_read_back_replaced),
                  cmocka_unit_test(test_merge_policies_and_types))
