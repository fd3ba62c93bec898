/*
 * test_kube.c - the pure parts of the cluster sources: the ConfigMap answer
 * and its resourceVersion, Status messages, watch events and the line
 * splitter, cluster_ca_data, ListAccessEntries / DescribeAccessEntry, EKS's
 * default usernames, the aws-auth + access entries merge (access entries
 * win), and SigV4 header signing byte-identical to botocore's SigV4Auth.
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
#include "eksauth/kube.h"
#include "eksauth/sigv4.h"

#define assert_status(x, want) assert_int_equal((int)(x), (int)(want))

static const char cm[] =
    "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"aws-auth\","
    "\"namespace\":\"kube-system\",\"resourceVersion\":\"4242\"},\"data\":{\"mapRoles\":"
    "\"- rolearn: arn:aws:iam::111122223333:role/ops\\n  username: ops\\n  groups:\\n"
    "    - ops-team\\n- rolearn: arn:aws:iam::111122223333:role/dev\\n  username: old-dev\\n\","
    "\"mapAccounts\":\"- \\\"444455556666\\\"\\n\"}}";

static void test_configmap(void **state)
{
    struct eksauth_error err;
    char rv[EKSAUTH_KUBE_RV_MAX], doc[1024];

    (void)state;
    assert_status(eksauth_kube_parse_configmap(cm, strlen(cm), rv, sizeof(rv), &err), EKSAUTH_OK);
    assert_string_equal(rv, "4242");
    /* Another object, another name, another namespace, no version: refused. */
    snprintf(doc, sizeof(doc),
             "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"aws-auth\","
             "\"resourceVersion\":\"1\"}}");
    assert_status(eksauth_kube_parse_configmap(doc, strlen(doc), rv, sizeof(rv), &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not a ConfigMap"));
    snprintf(doc, sizeof(doc), "{\"metadata\":{\"name\":\"other\",\"resourceVersion\":\"1\"}}");
    assert_status(eksauth_kube_parse_configmap(doc, strlen(doc), rv, sizeof(rv), &err),
                  EKSAUTH_EINVAL);
    snprintf(doc, sizeof(doc),
             "{\"metadata\":{\"name\":\"aws-auth\",\"namespace\":\"default\","
             "\"resourceVersion\":\"1\"}}");
    assert_status(eksauth_kube_parse_configmap(doc, strlen(doc), rv, sizeof(rv), &err),
                  EKSAUTH_EINVAL);
    snprintf(doc, sizeof(doc), "{\"metadata\":{\"name\":\"aws-auth\"}}");
    assert_status(eksauth_kube_parse_configmap(doc, strlen(doc), rv, sizeof(rv), &err),
                  EKSAUTH_EINVAL);
    /* A version that could change the watch query is refused. */
    snprintf(doc, sizeof(doc),
             "{\"metadata\":{\"name\":\"aws-auth\",\"resourceVersion\":"
             "\"1&watch=0\"}}");
    assert_status(eksauth_kube_parse_configmap(doc, strlen(doc), rv, sizeof(rv), &err),
                  EKSAUTH_EINVAL);
    assert_status(eksauth_kube_parse_configmap("{} x", 4, rv, sizeof(rv), &err), EKSAUTH_EINVAL);
    assert_status(eksauth_kube_parse_configmap("", 0, rv, sizeof(rv), &err), EKSAUTH_EINVAL);
    assert_true(eksauth_kube_rv_valid("123"));
    assert_false(eksauth_kube_rv_valid(""));
    assert_false(eksauth_kube_rv_valid("1 2"));
    assert_false(eksauth_kube_rv_valid(NULL));
}

static void test_status_message(void **state)
{
    static const char st[] = "{\"kind\":\"Status\",\"message\":\"configmaps \\\"aws-auth\\\" is "
                             "forbidden\\u001b[31m\",\"code\":403}";
    char out[200];

    (void)state;
    eksauth_kube_status_message(st, strlen(st), out, sizeof(out));
    /* The escape byte from the server is not passed to a terminal. */
    assert_string_equal(out, "configmaps \"aws-auth\" is forbidden?[31m");
    eksauth_kube_status_message("nope", 4, out, sizeof(out));
    assert_string_equal(out, "");
}

static void test_events(void **state)
{
    struct eksauth_kube_event ev;
    struct eksauth_error err;
    char line[2048];

    (void)state;
    snprintf(line, sizeof(line), "{\"type\":\"MODIFIED\",\"object\":%s}", cm);
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_OK);
    assert_int_equal(ev.type, EKSAUTH_KUBE_MODIFIED);
    assert_string_equal(ev.rv, "4242");
    assert_non_null(ev.object);
    {
        /* The object is what awsauth.h reads, as from a GET. */
        struct eksauth_awsauth *aa = NULL;

        assert_status(eksauth_awsauth_parse(ev.object, ev.object_len, &aa, &err), EKSAUTH_OK);
        assert_int_equal(eksauth_awsauth_count(aa), 3);
        eksauth_awsauth_free(aa);
    }
    eksauth_kube_event_free(&ev);

    snprintf(line, sizeof(line),
             "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,"
             "\"message\":\"too old resource version\"}}");
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_OK);
    assert_int_equal(ev.type, EKSAUTH_KUBE_ERROR);
    assert_int_equal(ev.code, 410);
    assert_string_equal(ev.message, "too old resource version");
    eksauth_kube_event_free(&ev);

    snprintf(line, sizeof(line),
             "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\","
             "\"metadata\":{\"resourceVersion\":\"5000\"}}}");
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_OK);
    assert_int_equal(ev.type, EKSAUTH_KUBE_BOOKMARK);
    assert_string_equal(ev.rv, "5000");
    eksauth_kube_event_free(&ev);

    snprintf(line, sizeof(line), "{\"type\":\"WHATEVER\",\"object\":{}}");
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_EINVAL);
    snprintf(line, sizeof(line), "{\"type\":\"ADDED\"}");
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_EINVAL);
    /* An event for another ConfigMap (a server ignoring the field selector) is refused. */
    snprintf(line, sizeof(line),
             "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\","
             "\"resourceVersion\":\"1\"}}}");
    assert_status(eksauth_kube_parse_event(line, strlen(line), &ev, &err), EKSAUTH_EINVAL);
}

struct seen {
    char lines[4][64];
    int n;
};

static int on_line(void *ctx, const char *line, size_t len)
{
    struct seen *s = ctx;

    assert_true(len < 64 && s->n < 4);
    memcpy(s->lines[s->n], line, len);
    s->lines[s->n++][len] = '\0';
    return 0;
}

static void test_lines(void **state)
{
    struct eksauth_kube_lines l = {NULL, 0, 0};
    struct seen s;
    char *big;

    (void)state;
    memset(&s, 0, sizeof(s));
    /* Lines cut anywhere by the network come out whole. */
    assert_int_equal(eksauth_kube_lines_feed(&l, "ab", 2, on_line, &s), 0);
    assert_int_equal(eksauth_kube_lines_feed(&l, "c\nd", 3, on_line, &s), 0);
    assert_int_equal(eksauth_kube_lines_feed(&l, "\n\nef\n", 5, on_line, &s), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.lines[0], "abc");
    assert_string_equal(s.lines[1], "d");
    assert_string_equal(s.lines[2], "");
    assert_string_equal(s.lines[3], "ef");
    /* A line without end is bounded. */
    big = malloc(EKSAUTH_KUBE_LINE_MAX);
    assert_non_null(big);
    memset(big, 'x', EKSAUTH_KUBE_LINE_MAX);
    assert_int_equal(eksauth_kube_lines_feed(&l, big, EKSAUTH_KUBE_LINE_MAX, on_line, &s), 0);
    assert_int_equal(eksauth_kube_lines_feed(&l, "x", 1, on_line, &s), -1);
    free(big);
    eksauth_kube_lines_free(&l);
}

static void test_ca_pem(void **state)
{
    /* base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" */
    static const char good[] = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElG"
                               "SUNBVEUtLS0tLQo=";
    struct eksauth_error err;
    char *pem = NULL;
    size_t len = 0;

    (void)state;
    assert_status(eksauth_kube_ca_pem(good, &pem, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, 59);
    assert_memory_equal(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n", 33);
    free(pem);
    assert_status(eksauth_kube_ca_pem("aGVsbG8=", &pem, &len, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no PEM certificate"));
    assert_status(eksauth_kube_ca_pem("abc", &pem, &len, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_kube_ca_pem("ab=c", &pem, &len, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_kube_ca_pem("", &pem, &len, &err), EKSAUTH_EINVAL);
    assert_null(pem);
}

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
                             "role/x\",\"username\":\"custom:{{SessionName}}\"}}";
    struct eksauth_access_entry e;
    struct eksauth_error err;
    char name[512];

    (void)state;
    assert_status(eksauth_eks_parse_describe(d1, strlen(d1), &e, &err), EKSAUTH_OK);
    assert_int_equal(e.n_groups, 2);
    assert_string_equal(e.groups[1], "viewers");
    assert_string_equal(e.type, "STANDARD");
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
    eksauth_access_entry_free(&e);
    assert_status(eksauth_eks_parse_describe("{\"accessEntry\":{}}", 18, &e, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_eks_parse_describe("{\"accessEntry\":{\"principalArn\":\"a\","
                                             "\"kubernetesGroups\":\"devs\"}}",
                                             55, &e, &err),
                  EKSAUTH_EINVAL);
}

static void test_merge(void **state)
{
    char *g_dev[] = {"new-devs"};
    struct eksauth_access_entry entries[] = {
        {"arn:aws:iam::111122223333:role/team/dev", NULL, g_dev, 1, "STANDARD"},
        {"arn:aws:iam::111122223333:user/bob", "bob", NULL, 0, "STANDARD"},
        {"arn:aws:sts::111122223333:assumed-role/x/y", NULL, NULL, 0, "STANDARD"},
    };
    const struct eksauth_awsauth_entry *en;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char **warnings = NULL, *doc = NULL;
    size_t nw = 0, len = 0, i;
    int dev_seen = 0;

    (void)state;
    /* kubernetes+eks-api: the access entry for role dev wins over aws-auth's. */
    assert_status(
        eksauth_cluster_merge(cm, strlen(cm), entries, 3, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 4); /* dev, bob (entries), ops, 1 account */
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        en = eksauth_awsauth_entry_at(aa, i);
        if (strstr(en->arn, "role/team/dev") != NULL) {
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
    assert_status(eksauth_cluster_merge(NULL, 0, entries, 2, &doc, &len, NULL, NULL, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/dev", "111122223333");
    assert_non_null(en);
    assert_string_equal(en->username, "arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}");
    eksauth_awsauth_free(aa);
    free(doc);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configmap),
        cmocka_unit_test(test_status_message),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_ca_pem),
        cmocka_unit_test(test_eks_list),
        cmocka_unit_test(test_eks_describe_and_default_names),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_sigv4_header),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
