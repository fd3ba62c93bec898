/*
 * test_kubeconfig.c - lib/kubeconfig.c: which kubeconfig entries name a
 * cluster (its name, an EKS cluster ARN of it), the scan of a kubeconfig
 * as aws eks update-kubeconfig writes it (the current context, relative CA
 * paths, the first file winning), the choice among several, refusals
 * (not YAML, not a mapping, an insecure entry, http), cluster_ca_data, and
 * the search of KUBECONFIG's files.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/file.h"
#include "eksauth/kubeconfig.h"
#include "unit.h"

#define ARN_E1 "arn:aws:eks:us-east-1:111122223333:cluster/prod"
#define ARN_W2 "arn:aws:eks:us-west-2:111122223333:cluster/prod"
/* base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" */
#define CA_DATA "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

/* What aws eks update-kubeconfig writes for two regions, the second one current. */
static const char two_regions[] =
    "apiVersion: v1\n"
    "clusters:\n"
    "- cluster:\n"
    "    certificate-authority-data: " CA_DATA "\n"
    "    server: https://E1.gr7.us-east-1.eks.amazonaws.com\n"
    "  name: " ARN_E1 "\n"
    "- cluster:\n"
    "    certificate-authority: ca/w2.pem\n"
    "    server: https://W2.yl4.us-west-2.eks.amazonaws.com/\n"
    "  name: " ARN_W2 "\n"
    "- cluster:\n"
    "    server: https://other.example\n"
    "  name: arn:aws:eks:us-east-1:111122223333:cluster/prod-2\n"
    "contexts:\n"
    "- context:\n"
    "    cluster: " ARN_W2 "\n"
    "    user: " ARN_W2 "\n"
    "  name: w2\n"
    "current-context: w2\n"
    "kind: Config\n"
    "users:\n"
    "- name: " ARN_W2 "\n"
    "  user:\n"
    "    exec:\n"
    "      command: aws\n"
    "      args: [--region, us-west-2, eks, get-token, --cluster-name, prod]\n";

static void test_names(void **state)
{
    (void)state;
    assert_true(eksauth_kubeconfig_names("prod", "prod"));
    assert_true(eksauth_kubeconfig_names(ARN_E1, "prod"));
    assert_true(eksauth_kubeconfig_names("arn:aws-cn:eks:cn-north-1:1:cluster/prod", "prod"));
    assert_false(eksauth_kubeconfig_names("arn:aws:eks:us-east-1:1:cluster/prod-2", "prod"));
    assert_false(eksauth_kubeconfig_names("arn:aws:eks:us-east-1:1:cluster/xprod", "prod"));
    assert_false(eksauth_kubeconfig_names("arn:aws:iam::1:role/cluster/prod", "prod"));
    assert_false(eksauth_kubeconfig_names("prod-2", "prod"));
}

static void test_scan_and_choose(void **state)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_error err;
    char current[256] = "";
    size_t n = 0, chosen = 9;

    (void)state;
    assert_status(eksauth_kubeconfig_scan(two_regions, strlen(two_regions), "/home/a/.kube/config",
                                          "prod", &v, &n, current, sizeof(current), &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].name, ARN_E1);
    assert_string_equal(v[0].ca_data, CA_DATA);
    assert_null(v[0].ca_file);
    /* A relative certificate-authority is relative to the kubeconfig's folder. */
    assert_string_equal(v[1].ca_file, "/home/a/.kube/ca/w2.pem");
    assert_string_equal(v[1].from, "/home/a/.kube/config");
    assert_string_equal(current, ARN_W2);
    /* The current context's cluster wins; else the region decides; else it is an error. */
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", current, NULL, &chosen, &err),
                  EKSAUTH_OK);
    assert_int_equal(chosen, 1);
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", NULL, "us-east-1", &chosen, &err),
                  EKSAUTH_OK);
    assert_int_equal(chosen, 0);
    /* EKSAUTH_REGION is a choice too: it wins over a current context in another region. */
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", current, "us-east-1", &chosen, &err),
                  EKSAUTH_OK);
    assert_int_equal(chosen, 0);
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", current, "us-west-2", &chosen, &err),
                  EKSAUTH_OK);
    assert_int_equal(chosen, 1);
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", NULL, NULL, &chosen, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "2 clusters named prod"));
    assert_non_null(strstr(err.msg, "EKSAUTH_REGION"));
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", NULL, "eu-west-1", &chosen, &err),
                  EKSAUTH_ENOTFOUND);
    /* A second file with the same entry: the first one stays (kubectl's merge). */
    assert_status(eksauth_kubeconfig_scan(two_regions, strlen(two_regions), "/other", "prod", &v,
                                          &n, current, sizeof(current), &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].from, "/home/a/.kube/config");
    eksauth_kubeconfig_entries_free(v, n);
}

static void test_scan_refusals(void **state)
{
    static const char insecure[] = "clusters:\n- name: prod\n  cluster:\n"
                                   "    server: https://x\n    insecure-skip-tls-verify: true\n";
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_error err;
    size_t n = 0;

    (void)state;
    assert_status(eksauth_kubeconfig_scan("a: 1\nb: [c\n", 11, "f", "prod", &v, &n, NULL, 0, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "f:3: not YAML"));
    assert_status(eksauth_kubeconfig_scan("- a\n", 4, "f", "prod", &v, &n, NULL, 0, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not a kubeconfig"));
    /* Empty: nothing in it, no error. */
    assert_status(eksauth_kubeconfig_scan("", 0, "f", "prod", &v, &n, NULL, 0, &err), EKSAUTH_OK);
    assert_int_equal(n, 0);
    assert_status(
        eksauth_kubeconfig_scan(insecure, strlen(insecure), "f", "prod", &v, &n, NULL, 0, &err),
        EKSAUTH_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].insecure);
    eksauth_kubeconfig_entries_free(v, n);
}

/* Write text to a new file in dir; its path in path. */
static void put(const char *dir, const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    assert_status(eksauth_file_write_atomic(path, text, strlen(text), 0600, NULL), EKSAUTH_OK);
}

static void test_find_in_files(void **state)
{
    char dir[] = "/tmp/test_kubeconfig.XXXXXX", a[256], b[256], list[600], text[512];
    struct eksauth_kube_target t;
    struct eksauth_error err;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(text, sizeof(text),
             "clusters:\n- name: prod\n  cluster:\n    server: http://plain\n"
             "    certificate-authority-data: %s\n",
             CA_DATA);
    put(dir, "a", text, a, sizeof(a));
    snprintf(text, sizeof(text),
             "clusters:\n- name: " ARN_E1 "\n  cluster:\n    server: https://api.example/\n"
             "    certificate-authority-data: %s\n",
             CA_DATA);
    put(dir, "b", text, b, sizeof(b));
    /* A missing file of the list is skipped; the http server is refused. */
    snprintf(list, sizeof(list), "%s/missing:%s", dir, a);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "https://"));
    snprintf(list, sizeof(list), "%s:%s", b, a);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "2 clusters named prod"));
    setenv("KUBECONFIG", b, 1);
    assert_status(eksauth_kubeconfig_find("prod", "us-east-1", &t, &err), EKSAUTH_OK);
    assert_string_equal(t.server, "https://api.example");
    assert_non_null(strstr(t.ca_pem, "BEGIN CERTIFICATE"));
    assert_non_null(strstr(t.what, b));
    eksauth_kube_target_free(&t);
    /* Not there: the message names the files and the way to add the cluster. */
    assert_status(eksauth_kubeconfig_find("staging", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "aws eks update-kubeconfig --name staging"));
    assert_non_null(strstr(err.msg, b));
    /* The explicit endpoint needs its CA. */
    assert_status(eksauth_kube_target_set("https://api.example", NULL, &t, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "EKSAUTH_CLUSTER_CA_FILE"));
    unsetenv("KUBECONFIG");
    unlink(a);
    unlink(b);
    rmdir(dir);
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

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_names), cmocka_unit_test(test_scan_and_choose),
                  cmocka_unit_test(test_scan_refusals), cmocka_unit_test(test_find_in_files),
                  cmocka_unit_test(test_ca_pem))
