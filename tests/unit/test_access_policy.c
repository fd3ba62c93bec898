/*
 * test_access_policy.c - EKS access policies as groups (lib/access_policy.c):
 * the policy's short name from its ARN (AWS's managed policies and others),
 * the group of a cluster scope and one per namespace, what is refused, and
 * the Kubernetes groups that would take a policy's POSIX group.
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

#include "eksauth/access_policy.h"
#include "eksauth/strlist.h"
#include "unit.h"

#define POLICY_ARN(name) "arn:aws:eks::aws:cluster-access-policy/" name

static void expect_name(const char *arn, const char *want)
{
    struct eksauth_error err = {0};
    char out[64];

    if (eksauth_access_policy_name(arn, out, sizeof(out), &err) != EKSAUTH_OK)
        fail_msg("%s: %s", arn, err.msg);
    assert_string_equal(out, want);
}

static void expect_bad_name(const char *arn, size_t outlen)
{
    struct eksauth_error err = {0};
    char out[64];

    assert_int_equal(eksauth_access_policy_name(arn, out, outlen, &err), EKSAUTH_EINVAL);
    assert_int_equal(strncmp(err.msg, "access policy: ", 15), 0);
}

static void test_names(void **state)
{
    (void)state;
    /* The managed policies EKS documents. */
    expect_name(POLICY_ARN("AmazonEKSClusterAdminPolicy"), "cluster-admin");
    expect_name(POLICY_ARN("AmazonEKSAdminPolicy"), "admin");
    expect_name(POLICY_ARN("AmazonEKSEditPolicy"), "edit");
    expect_name(POLICY_ARN("AmazonEKSViewPolicy"), "view");
    expect_name(POLICY_ARN("AmazonEKSAdminViewPolicy"), "admin-view");
    expect_name(POLICY_ARN("AmazonEKSAutoNodePolicy"), "auto-node");
    expect_name(POLICY_ARN("AmazonEKSBlockStorageClusterPolicy"), "block-storage-cluster");
    /* Another name keeps all its words; a run of capitals is one word. */
    expect_name(POLICY_ARN("AmazonSagemakerHyperpodClusterPolicy"),
                "amazon-sagemaker-hyperpod-cluster-policy");
    expect_name(POLICY_ARN("AmazonEKSS3Policy"), "s3");
    expect_name(POLICY_ARN("AmazonEKSIAMReaderPolicy"), "iam-reader");
    expect_name("AmazonEKSViewPolicy", "view"); /* a bare name */
    /* Nothing but letters and digits becomes part of a group name. */
    expect_bad_name(POLICY_ARN("AmazonEKS-ViewPolicy"), 64);
    expect_bad_name(POLICY_ARN("Amazon EKS"), 64);
    expect_bad_name(POLICY_ARN(""), 64);
    expect_bad_name(NULL, 64);
    expect_bad_name(POLICY_ARN("AmazonEKSClusterAdminPolicy"), 8); /* too long for out */
    expect_bad_name(POLICY_ARN("AmazonEKSClusterAdminPolicy"), 0);
}

static void test_groups(void **state)
{
    char *ns[] = {"dev", "team-a"};
    struct eksauth_access_policy cluster = {POLICY_ARN("AmazonEKSClusterAdminPolicy"), true, NULL,
                                            0};
    struct eksauth_access_policy spaced = {POLICY_ARN("AmazonEKSAdminPolicy"), false, ns, 2};
    struct eksauth_error err = {0};
    char **groups = NULL, *bad_ns[] = {"Dev"}, *dotted[] = {"a.b"};
    size_t n = 0;

    (void)state;
    assert_int_equal(eksauth_access_policy_groups(&cluster, &groups, &n, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_access_policy_groups(&spaced, &groups, &n, &err), EKSAUTH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(groups[0], "policy:cluster-admin");
    assert_string_equal(groups[1], "policy:admin:ns:dev");
    assert_string_equal(groups[2], "policy:admin:ns:team-a");
    /* A namespace scope with no namespace gives no group. */
    spaced.n_namespaces = 0;
    assert_int_equal(eksauth_access_policy_groups(&spaced, &groups, &n, &err), EKSAUTH_OK);
    assert_int_equal(n, 3);
    /* A namespace that is no namespace name is refused. */
    spaced.namespaces = bad_ns;
    spaced.n_namespaces = 1;
    assert_int_equal(eksauth_access_policy_groups(&spaced, &groups, &n, &err), EKSAUTH_EINVAL);
    spaced.namespaces = dotted;
    assert_int_equal(eksauth_access_policy_groups(&spaced, &groups, &n, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not a namespace name"));
    eksauth_strv_free(groups, n);
}

/* Groups that the POSIX naming would turn into eks-policy-...: taken where policies are read. */
static void test_group_taken(void **state)
{
    static const char *const taken[] = {"policy:cluster-admin", "Policy:x", "POLICY/x", "policy-x",
                                        "policy@admin",         "policy "};
    static const char *const free_[] = {"policy",      "policy.x", "policy_x", "policyx",
                                        "my-policy:x", "polic:y",  ""};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        if (!eksauth_access_policy_group_taken(taken[i]))
            fail_msg("\"%s\" should be taken", taken[i]);
    }
    for (i = 0; i < sizeof(free_) / sizeof(free_[0]); i++) {
        if (eksauth_access_policy_group_taken(free_[i]))
            fail_msg("\"%s\" should be free", free_[i]);
    }
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_names), cmocka_unit_test(test_groups),
                  cmocka_unit_test(test_group_taken))
