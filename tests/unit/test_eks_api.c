/*
 * test_eks_api.c - the pure parts of the EKS API client (lib/eks_api.c):
 * ListAccessEntries / DescribeAccessEntry / ListAssociatedAccessPolicies /
 * DescribeCluster answers as EKS sends them, EKS's default usernames, and
 * SigV4 header signing as the client signs its requests, byte-identical to
 * botocore's SigV4Auth.
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

#include "eksauth/eks_api.h"
#include "eksauth/sigv4.h"
#include "unit.h"

static void test_eks_list(void **state)
{
    static const char p1[] = "{\"accessEntries\":[\"arn:aws:iam::111122223333:role/a\","
                             "\"arn:aws:iam::111122223333:user/b\"],\"nextToken\":\"t+/=2\"}";
    static const char p2[] = "{\"accessEntries\":[\"arn:aws:iam::111122223333:role/c\"],"
                             "\"nextToken\":null}";
    struct eksauth_error err;
    char **arns = NULL, next[64];
    size_t n = 0, i;

    (void)state;
    assert_status(eksauth_eks_parse_list(p1, strlen(p1), &arns, &n, next, sizeof(next), &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(next, "t+/=2");
    assert_status(eksauth_eks_parse_list(p2, strlen(p2), &arns, &n, next, sizeof(next), &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 3);
    assert_string_equal(next, "");
    assert_string_equal(arns[2], "arn:aws:iam::111122223333:role/c");
    assert_status(
        eksauth_eks_parse_list("{\"accessEntries\":[1]}", 21, &arns, &n, next, sizeof(next), &err),
        EKSAUTH_EINVAL);
    assert_status(eksauth_eks_parse_list("{}", 2, &arns, &n, next, sizeof(next), &err),
                  EKSAUTH_EINVAL);
    for (i = 0; i < n; i++)
        free(arns[i]);
    free(arns);
}

static void test_eks_describe_and_default_names(void **state)
{
    static const char d1[] =
        "{\"accessEntry\":{\"principalArn\":\"arn:aws:iam::111122223333:role/team/dev\","
        "\"kubernetesGroups\":[\"devs\",\"viewers\"],\"type\":\"STANDARD\",\"username\":null}}";
    static const char d2[] = "{\"accessEntry\":{\"principalArn\":\"arn:aws:iam::111122223333:"
                             "user/bob\",\"kubernetesGroups\":[]}}";
    static const char d3[] = "{\"accessEntry\":{\"principalArn\":\"arn:aws:iam::111122223333:"
                             "role/x\",\"username\":\"custom:{{SessionName}}\","
                             "\"modifiedAt\":1767225600.25}}";
    struct eksauth_access_entry e;
    struct eksauth_error err;
    char name[512];

    (void)state;
    assert_status(eksauth_eks_parse_describe(d1, strlen(d1), &e, &err), EKSAUTH_OK);
    assert_int_equal(e.n_groups, 2);
    assert_string_equal(e.groups[1], "viewers");
    assert_string_equal(e.type, "STANDARD");
    assert_true(e.modified_at == 0); /* none answered */
    /* A role's default: its session ARN, the path dropped. */
    assert_status(eksauth_access_entry_username(&e, name, sizeof(name), &err), EKSAUTH_OK);
    assert_string_equal(name, "arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}");
    eksauth_access_entry_free(&e);
    assert_status(eksauth_eks_parse_describe(d2, strlen(d2), &e, &err), EKSAUTH_OK);
    assert_status(eksauth_access_entry_username(&e, name, sizeof(name), &err), EKSAUTH_OK);
    assert_string_equal(name, "arn:aws:iam::111122223333:user/bob");
    eksauth_access_entry_free(&e);
    assert_status(eksauth_eks_parse_describe(d3, strlen(d3), &e, &err), EKSAUTH_OK);
    assert_status(eksauth_access_entry_username(&e, name, sizeof(name), &err), EKSAUTH_OK);
    assert_string_equal(name, "custom:{{SessionName}}");
    /* modifiedAt, a restJson1 timestamp: what tells a changed entry from the one cached. */
    assert_true(e.modified_at == 1767225600.25);
    eksauth_access_entry_free(&e);
    assert_status(eksauth_eks_parse_describe("{\"accessEntry\":{}}", 18, &e, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_eks_parse_describe("{\"accessEntry\":{\"principalArn\":\"a\","
                                             "\"kubernetesGroups\":\"devs\"}}",
                                             55, &e, &err),
                  EKSAUTH_EINVAL);
}

/* DescribeCluster: the authentication mode, as the API answers it. */
static void test_eks_cluster_mode(void **state)
{
    static const struct {
        const char *body;
        enum eksauth_status st;
        enum eksauth_auth_mode mode;
    } cases[] = {
        {"{\"cluster\":{\"name\":\"prod\",\"status\":\"ACTIVE\",\"accessConfig\":"
         "{\"bootstrapClusterCreatorAdminPermissions\":true,\"authenticationMode\":\"API\"}}}",
         EKSAUTH_OK, EKSAUTH_AUTH_API},
        {"{\"cluster\":{\"accessConfig\":{\"authenticationMode\":\"API_AND_CONFIG_MAP\"}}}",
         EKSAUTH_OK, EKSAUTH_AUTH_API_AND_CONFIG_MAP},
        {"{\"cluster\":{\"accessConfig\":{\"authenticationMode\":\"CONFIG_MAP\"}}}", EKSAUTH_OK,
         EKSAUTH_AUTH_CONFIG_MAP},
        /* A cluster from before access entries: no accessConfig, aws-auth only. */
        {"{\"cluster\":{\"name\":\"old\"}}", EKSAUTH_OK, EKSAUTH_AUTH_CONFIG_MAP},
        {"{\"cluster\":{\"accessConfig\":null}}", EKSAUTH_OK, EKSAUTH_AUTH_CONFIG_MAP},
        /* Unknown or wrong: which sources the cluster reads would be a guess. */
        {"{\"cluster\":{\"accessConfig\":{\"authenticationMode\":\"api\"}}}", EKSAUTH_EINVAL,
         EKSAUTH_AUTH_CONFIG_MAP},
        {"{\"cluster\":{\"accessConfig\":{\"authenticationMode\":7}}}", EKSAUTH_EINVAL,
         EKSAUTH_AUTH_CONFIG_MAP},
        {"{\"clusters\":[]}", EKSAUTH_EINVAL, EKSAUTH_AUTH_CONFIG_MAP},
        {"not json", EKSAUTH_EINVAL, EKSAUTH_AUTH_CONFIG_MAP},
    };
    static const char with_arn[] =
        "{\"cluster\":{\"arn\":\"arn:aws:eks:us-east-1:111122223333:cluster/prod\"}}";
    static const char bad_arn[] = "{\"cluster\":{\"arn\":7}}";
    enum eksauth_auth_mode mode;
    struct eksauth_error err;
    char arn[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_status(
            eksauth_eks_parse_cluster(cases[i].body, strlen(cases[i].body), &mode, NULL, 0, &err),
            cases[i].st);
        if (cases[i].st == EKSAUTH_OK)
            assert_int_equal(mode, cases[i].mode);
    }
    /* The cluster's ARN, for the access entry cache: its account is in it. */
    assert_status(
        eksauth_eks_parse_cluster(with_arn, strlen(with_arn), &mode, arn, sizeof(arn), &err),
        EKSAUTH_OK);
    assert_string_equal(arn, "arn:aws:eks:us-east-1:111122223333:cluster/prod");
    /* None, or none that fits: "" (the cache is then named without it). */
    assert_status(
        eksauth_eks_parse_cluster(bad_arn, strlen(bad_arn), &mode, arn, sizeof(arn), &err),
        EKSAUTH_OK);
    assert_string_equal(arn, "");
    assert_status(eksauth_eks_parse_cluster(with_arn, strlen(with_arn), &mode, arn, 10, &err),
                  EKSAUTH_OK);
    assert_string_equal(arn, "");
    assert_string_equal(eksauth_auth_mode_name(EKSAUTH_AUTH_API), "API");
    assert_string_equal(eksauth_auth_mode_name(EKSAUTH_AUTH_API_AND_CONFIG_MAP),
                        "API_AND_CONFIG_MAP");
    assert_string_equal(eksauth_auth_mode_name((enum eksauth_auth_mode)9), "unknown");
}

static enum eksauth_status parse_policies(struct eksauth_access_entry *e, const char *body,
                                          struct eksauth_error *err)
{
    char next[64];

    return eksauth_eks_parse_policies(body, strlen(body), e, next, sizeof(next), err);
}

/* ListAssociatedAccessPolicies: pages appended, scopes read, the answer about its principal. */
static void test_eks_policies(void **state)
{
    static const char p1[] =
        "{\"clusterName\":\"prod\",\"principalArn\":\"arn:aws:iam::111122223333:role/ops\","
        "\"nextToken\":\"tok+MQ==/=\",\"associatedAccessPolicies\":[{\"policyArn\":"
        "\"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\",\"accessScope\":"
        "{\"type\":\"cluster\",\"namespaces\":[]},\"associatedAt\":1767225600.0}]}";
    static const char p2[] =
        "{\"principalArn\":\"arn:aws:iam::111122223333:role/ops\",\"nextToken\":null,"
        "\"associatedAccessPolicies\":[{\"policyArn\":"
        "\"arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy\",\"accessScope\":"
        "{\"type\":\"namespace\",\"namespaces\":[\"dev\",\"qa\"]}}]}";
    struct eksauth_access_entry e;
    struct eksauth_error err;
    char next[64];

    (void)state;
    memset(&e, 0, sizeof(e));
    e.principal_arn = strdup("arn:aws:iam::111122223333:role/ops");
    assert_status(eksauth_eks_parse_policies(p1, strlen(p1), &e, next, sizeof(next), &err),
                  EKSAUTH_OK);
    assert_string_equal(next, "tok+MQ==/=");
    assert_status(eksauth_eks_parse_policies(p2, strlen(p2), &e, next, sizeof(next), &err),
                  EKSAUTH_OK);
    assert_string_equal(next, "");
    assert_int_equal(e.n_policies, 2);
    assert_true(e.policies[0].cluster_scope);
    assert_string_equal(e.policies[0].arn,
                        "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    assert_false(e.policies[1].cluster_scope);
    assert_int_equal(e.policies[1].n_namespaces, 2);
    assert_string_equal(e.policies[1].namespaces[1], "qa");
    /* About another principal, a scope eksauth does not know, no list: refused. */
    assert_status(parse_policies(&e,
                                 "{\"principalArn\":\"arn:aws:iam::111122223333:role/x\","
                                 "\"associatedAccessPolicies\":[]}",
                                 &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "another principal"));
    assert_status(parse_policies(&e,
                                 "{\"associatedAccessPolicies\":[{\"policyArn\":\"p\","
                                 "\"accessScope\":{\"type\":\"account\"}}]}",
                                 &err),
                  EKSAUTH_EINVAL);
    assert_status(parse_policies(&e,
                                 "{\"associatedAccessPolicies\":[{\"policyArn\":\"p\","
                                 "\"accessScope\":{\"type\":\"namespace\"}}]}",
                                 &err),
                  EKSAUTH_EINVAL);
    assert_status(parse_policies(&e, "{}", &err), EKSAUTH_EINVAL);
    /* A nextToken that cannot go back into a URL. */
    assert_status(parse_policies(&e, "{\"associatedAccessPolicies\":[],\"nextToken\":7}", &err),
                  EKSAUTH_EINVAL);
    eksauth_access_entry_free(&e);
    assert_null(e.policies);
}

/* Vectors computed with botocore 1.43 SigV4Auth (canonical_request/string_to_sign/signature). */
static void test_sigv4_header(void **state)
{
    struct eksauth_creds c = {"AKIAIOSFODNN7EXAMPLE",
                              "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              NULL,
                              0,
                              EKSAUTH_CREDS_ENV,
                              ""};
    struct eksauth_sigv4_request r = {
        "GET",
        "eks.us-east-1.amazonaws.com",
        "/clusters/prod/access-entries/arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fteam%2Fdev",
        "maxResults=100&nextToken=a%2Bb%3D",
        "us-east-1",
        "eks",
        1796017411, /* 2026-11-30T05:43:31Z */
    };
    struct eksauth_sigv4_signed out;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_sigv4_sign_request(&c, &r, &out, &err), EKSAUTH_OK);
    assert_string_equal(out.amz_date, "20261130T054331Z");
    assert_string_equal(
        out.authorization,
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261130/us-east-1/eks/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=12cafcb9e2e13659aa69731b38c13a8e54cd0823e5e878047a36471a9276bff6");
    c.session_token = "IQoJsessionToken+/=";
    assert_status(eksauth_sigv4_sign_request(&c, &r, &out, &err), EKSAUTH_OK);
    assert_non_null(strstr(out.authorization, "SignedHeaders=host;x-amz-date;x-amz-security-token, "
                                              "Signature=dfa336d3acc1b1164fa3f968946927ccddae1fcc"
                                              "3271bee2b9ebb87108d01b3b"));
    /* Nothing that would need encoding on the wire, no header injection. */
    r.path = "/a b";
    assert_status(eksauth_sigv4_sign_request(&c, &r, &out, &err), EKSAUTH_EINVAL);
    r.path = "/ok";
    r.query = "a=b\r\nX: y";
    assert_status(eksauth_sigv4_sign_request(&c, &r, &out, &err), EKSAUTH_EINVAL);
    r.query = "";
    c.session_token = "bad\ntoken";
    assert_status(eksauth_sigv4_sign_request(&c, &r, &out, &err), EKSAUTH_EINVAL);
    assert_string_equal(out.authorization, "");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_eks_list),
                  cmocka_unit_test(test_eks_describe_and_default_names),
                  cmocka_unit_test(test_eks_cluster_mode), cmocka_unit_test(test_eks_policies),
                  cmocka_unit_test(test_sigv4_header))
