/*
 * test_kubeconfig.c - lib/kubeconfig.c: which kubeconfig entries name a
 * cluster (its name, an EKS cluster ARN of it), the scan of a kubeconfig
 * as aws eks update-kubeconfig writes it (the current context, relative CA
 * paths, the first file winning), the choice among several, refusals
 * (not YAML, not a mapping, an insecure entry, http), cluster_ca_data, and
 * the search of KUBECONFIG's files.  And whom kubectl signs as for the
 * cluster: the contexts and users scanned (the first file winning, exec:
 * sections read whole or marked malformed), the current context winning,
 * the entry chosen as for the API server, several contexts that must
 * agree, no entry or no context (nothing to follow), and the files read.
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

#include "scratch.h"
#include "eksauth/file.h"
#include "eksauth/kubeconfig.h"
#include "unit.h"

#define ARN_E1 "arn:aws:eks:us-east-1:111122223333:cluster/prod"
#define ARN_W2 "arn:aws:eks:us-west-2:111122223333:cluster/prod"
/* base64 of "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" */
/* What a followed exec: section needs for kubectl 1.32 to run it at all (a block line, a flow key).
 */
#define EXEC_API      "      apiVersion: client.authentication.k8s.io/v1beta1\n"
#define EXEC_API_FLOW "apiVersion: client.authentication.k8s.io/v1beta1, "
#define CA_DATA       "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="

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
    "    exec:\n" EXEC_API "      command: aws\n"
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
    struct eksauth_kubeconfig_auth a;
    struct eksauth_error err;
    const char *current;
    size_t n = 0, chosen = 9;

    (void)state;
    memset(&a, 0, sizeof(a));
    assert_status(eksauth_kubeconfig_scan(two_regions, strlen(two_regions), "/home/a/.kube/config",
                                          "prod", &v, &n, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_kubeconfig_scan_auth(two_regions, strlen(two_regions),
                                               "/home/a/.kube/config", &a, &err),
                  EKSAUTH_OK);
    current = eksauth_kubeconfig_current_cluster(&a);
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
    assert_status(
        eksauth_kubeconfig_scan(two_regions, strlen(two_regions), "/other", "prod", &v, &n, &err),
        EKSAUTH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].from, "/home/a/.kube/config");
    eksauth_kubeconfig_entries_free(v, n);
    eksauth_kubeconfig_auth_free(&a);
}

/* An ARN's region too long to keep is in no region: cut, it could equal the one asked. */
static void test_choose_long_region(void **state)
{
#define LONG_63 "us-east-1-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    static const char config[] = "clusters:\n- name: arn:aws:eks:" LONG_63 "yy:111122223333:"
                                 "cluster/prod\n  cluster: {server: 'https://p'}\n";
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_error err;
    size_t n = 0, chosen = 9;

    (void)state;
    assert_int_equal(strlen(LONG_63), 63);
    assert_status(eksauth_kubeconfig_scan(config, strlen(config), "/k", "prod", &v, &n, &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 1);
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", NULL, LONG_63, &chosen, &err),
                  EKSAUTH_ENOTFOUND);
    assert_status(eksauth_kubeconfig_choose(v, n, "prod", NULL, NULL, &chosen, &err), EKSAUTH_OK);
    assert_int_equal(chosen, 0);
    eksauth_kubeconfig_entries_free(v, n);
#undef LONG_63
}

static void test_scan_refusals(void **state)
{
    static const char insecure[] = "clusters:\n- name: prod\n  cluster:\n"
                                   "    server: https://x\n    insecure-skip-tls-verify: true\n";
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_error err;
    size_t n = 0;

    (void)state;
    assert_status(eksauth_kubeconfig_scan("a: 1\nb: [c\n", 11, "f", "prod", &v, &n, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "f:3: not YAML"));
    assert_status(eksauth_kubeconfig_scan("- a\n", 4, "f", "prod", &v, &n, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not a kubeconfig"));
    /* Empty: nothing in it, no error. */
    assert_status(eksauth_kubeconfig_scan("", 0, "f", "prod", &v, &n, &err), EKSAUTH_OK);
    assert_int_equal(n, 0);
    assert_status(eksauth_kubeconfig_scan(insecure, strlen(insecure), "f", "prod", &v, &n, &err),
                  EKSAUTH_OK);
    assert_int_equal(n, 1);
    assert_true(v[0].insecure);
    eksauth_kubeconfig_entries_free(v, n);
    /* go-yaml's bools: yes and On are true to kubectl too, so never a checked connection. */
    {
        static const char *const word[][2] = {{"yes", "1"},  {"On", "1"}, {"Y", "1"},
                                              {"TRUE", "1"}, {"no", "0"}, {"false", "0"}};
        char text[200];
        size_t i;

        for (i = 0; i < sizeof(word) / sizeof(word[0]); i++) {
            snprintf(text, sizeof(text),
                     "clusters:\n- name: prod\n  cluster:\n    server: https://x\n"
                     "    insecure-skip-tls-verify: %s\n",
                     word[i][0]);
            n = 0;
            v = NULL;
            assert_status(eksauth_kubeconfig_scan(text, strlen(text), "f", "prod", &v, &n, &err),
                          EKSAUTH_OK);
            assert_int_equal(n, 1);
            assert_int_equal(v[0].insecure, word[i][1][0] == '1');
            eksauth_kubeconfig_entries_free(v, n);
        }
    }
}

/* Write text to a new file in dir; its path in path. */
static void put(const char *dir, const char *name, const char *text, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", dir, name);
    assert_status(eksauth_file_write_atomic(path, text, strlen(text), 0600, NULL), EKSAUTH_OK);
}

static void test_find_in_files(void **state)
{
    char dir[SCRATCH_DIR_MAX], a[256], b[256], c[256], ca[256], list[600], text[512], *pem;
    static const char *const no_data[] = {"''", "\"\\n\"", "\"\\r\\n\\n\""};
    struct eksauth_kube_target t;
    struct eksauth_error err;
    size_t pem_len, i;

    (void)state;
    scratch_make(dir, sizeof(dir), "kubeconfig");
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
    /* certificate-authority-data '' is none to client-go: kubectl reads the file beside it. */
    assert_status(eksauth_kube_ca_pem(CA_DATA, &pem, &pem_len, &err), EKSAUTH_OK);
    put(dir, "ca.pem", pem, ca, sizeof(ca));
    free(pem);
    /* '' and line breaks alone decode to no bytes in client-go: the file is read (kubectl 1.32). */
    for (i = 0; i < sizeof(no_data) / sizeof(no_data[0]); i++) {
        snprintf(text, sizeof(text),
                 "clusters:\n- name: prod\n  cluster:\n    server: https://api.example/\n"
                 "    certificate-authority-data: %s\n    certificate-authority: %s\n",
                 no_data[i], ca);
        put(dir, "c", text, c, sizeof(c));
        setenv("KUBECONFIG", c, 1);
        if (eksauth_kubeconfig_find("prod", NULL, &t, &err) != EKSAUTH_OK)
            fail_msg("certificate-authority-data %s beside a file: %s", no_data[i], err.msg);
        assert_non_null(strstr(t.ca_pem, "BEGIN CERTIFICATE"));
        eksauth_kube_target_free(&t);
        unlink(c);
    }
    setenv("KUBECONFIG", b, 1);
    unlink(ca);
    /* Not there: the message names the files and the way to add the cluster. */
    assert_status(eksauth_kubeconfig_find("staging", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "aws eks update-kubeconfig --name staging"));
    assert_non_null(strstr(err.msg, b));
    /* A file of the list that is not there is said so, not searched in vain. */
    snprintf(list, sizeof(list), "%s/missing:%s", dir, b);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_find("staging", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    snprintf(text, sizeof(text), "no cluster staging in %s/missing (not there), %s: ", dir, b);
    if (strstr(err.msg, text) == NULL)
        fail_msg("want \"%s\" in: %s", text, err.msg);
    /* No kubeconfig at all: the file read, that it is not there, and how to write it. */
    snprintf(list, sizeof(list), "%s/missing", dir);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    snprintf(text, sizeof(text),
             "no kubeconfig: %s/missing (KUBECONFIG) is not there: write it as kubectl does "
             "(aws eks update-kubeconfig --name prod), or set EKSAUTH_CLUSTER_ENDPOINT",
             dir);
    if (strncmp(err.msg, text, strlen(text)) != 0)
        fail_msg("want \"%s\" at the start of: %s", text, err.msg);
    /* A KUBECONFIG of empty items names no file (kubectl reads none either): said so. */
    setenv("KUBECONFIG", ":", 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    snprintf(text, sizeof(text),
             "no kubeconfig: KUBECONFIG (\":\") names no file: write one as kubectl does "
             "(aws eks update-kubeconfig --name prod --kubeconfig FILE) and name it there, or set "
             "EKSAUTH_CLUSTER_ENDPOINT");
    if (strncmp(err.msg, text, strlen(text)) != 0)
        fail_msg("want \"%s\" at the start of: %s", text, err.msg);
    unsetenv("KUBECONFIG");
    setenv("HOME", dir, 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_ENOTFOUND);
    snprintf(text, sizeof(text),
             "no kubeconfig: %s/.kube/config (KUBECONFIG is not set) is not there: write it", dir);
    if (strncmp(err.msg, text, strlen(text)) != 0)
        fail_msg("want \"%s\" at the start of: %s", text, err.msg);
    unsetenv("HOME");
    setenv("KUBECONFIG", b, 1);
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

/*
 * certificate-authority-data as client-go decodes it: Go's base64 skips CR
 * and LF anywhere, so a YAML block scalar (a final newline), a value wrapped
 * at 76 columns and CRLF are taken; a blank or a tab is not.
 */
#define CA_76   "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0t"
#define CA_TAIL "LQo="

static void test_ca_data_lines(void **state)
{
    static const char *const taken[] = {
        CA_DATA "\n", CA_76 "\n" CA_TAIL "\n", CA_76 "\r\n" CA_TAIL "\r\n",
        "\n" CA_DATA, CA_76 "LQ\no\n=\n",
    };
    static const char *const refused[] = {
        CA_76 " " CA_TAIL, CA_76 "\t" CA_TAIL, CA_DATA " ", "\n", "\r\n", CA_76 "LQ=\nA=",
    };
    /* The same file as kubectl reads it: a block scalar, wrapped; CRLF in a quoted scalar. */
    static const char *const files[] = {
        "    certificate-authority-data: |\n      " CA_DATA "\n",
        "    certificate-authority-data: |\n      " CA_76 "\n      " CA_TAIL "\n",
        "    certificate-authority-data: \"" CA_76 "\\r\\n" CA_TAIL "\\r\\n\"\n",
    };
    char dir[SCRATCH_DIR_MAX], path[256], text[512], *pem = NULL;
    struct eksauth_kube_target t;
    struct eksauth_error err;
    size_t i, len = 0;

    (void)state;
    for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
        if (eksauth_kube_ca_pem(taken[i], &pem, &len, &err) != EKSAUTH_OK)
            fail_msg("taken %zu: %s", i, err.msg);
        assert_int_equal(len, 59);
        assert_memory_equal(pem, "-----BEGIN CERTIFICATE-----\nMIIB\n", 33);
        free(pem);
    }
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        if (eksauth_kube_ca_pem(refused[i], &pem, &len, &err) != EKSAUTH_EINVAL)
            fail_msg("refused %zu taken", i);
        assert_non_null(strstr(err.msg, "not base64"));
        assert_null(pem);
    }
    scratch_make(dir, sizeof(dir), "kubeconfig");
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(text, sizeof(text),
                 "clusters:\n- name: prod\n  cluster:\n    server: https://api.example\n%s",
                 files[i]);
        put(dir, "c", text, path, sizeof(path));
        setenv("KUBECONFIG", path, 1);
        if (eksauth_kubeconfig_find("prod", NULL, &t, &err) != EKSAUTH_OK)
            fail_msg("file %zu: %s", i, err.msg);
        assert_non_null(strstr(t.ca_pem, "BEGIN CERTIFICATE"));
        eksauth_kube_target_free(&t);
    }
    snprintf(text, sizeof(text),
             "clusters:\n- name: prod\n  cluster:\n    server: https://api.example\n"
             "    certificate-authority-data: '%s %s'\n",
             CA_76, CA_TAIL);
    put(dir, "c", text, path, sizeof(path));
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not base64"));
    unsetenv("KUBECONFIG");
    unlink(path);
    rmdir(dir);
}

/* ---- whom kubectl signs as ---- */

#define ROLE_E1  "arn:aws:iam::111122223333:role/eks-admins"
#define ROLE_DEV "arn:aws:iam::111122223333:role/eks-dev"

/*
 * What `aws eks update-kubeconfig --role-arn ROLE_E1` (us-east-1) and
 * `--profile w2` (us-west-2) write, with a second context for the east
 * cluster (user dev: aws-iam-authenticator with another role) and one
 * for another cluster; the current context is named by the caller.
 */
#define AUTH_KUBECONFIG(current)                                                                   \
    "apiVersion: v1\n"                                                                             \
    "clusters:\n"                                                                                  \
    "- cluster: {server: 'https://e1', certificate-authority-data: " CA_DATA "}\n"                 \
    "  name: " ARN_E1 "\n"                                                                         \
    "- cluster: {server: 'https://w2', certificate-authority-data: " CA_DATA "}\n"                 \
    "  name: " ARN_W2 "\n"                                                                         \
    "- cluster: {server: 'https://s'}\n"                                                           \
    "  name: staging\n"                                                                            \
    "contexts:\n"                                                                                  \
    "- context: {cluster: " ARN_E1 ", user: " ARN_E1 "}\n"                                         \
    "  name: " ARN_E1 "\n"                                                                         \
    "- context: {cluster: " ARN_E1 ", user: dev}\n"                                                \
    "  name: e1-dev\n"                                                                             \
    "- context: {cluster: " ARN_W2 ", user: " ARN_W2 "}\n"                                         \
    "  name: " ARN_W2 "\n"                                                                         \
    "- context: {cluster: staging, user: dev}\n"                                                   \
    "  name: staging\n"                                                                            \
    "current-context: " current "\n"                                                               \
    "kind: Config\n"                                                                               \
    "users:\n"                                                                                     \
    "- name: " ARN_E1 "\n"                                                                         \
    "  user:\n"                                                                                    \
    "    exec:\n"                                                                                  \
    "      apiVersion: client.authentication.k8s.io/v1beta1\n"                                     \
    "      command: aws\n"                                                                         \
    "      args:\n"                                                                                \
    "      - --region\n"                                                                           \
    "      - us-east-1\n"                                                                          \
    "      - eks\n"                                                                                \
    "      - get-token\n"                                                                          \
    "      - --cluster-name\n"                                                                     \
    "      - prod\n"                                                                               \
    "      - --output\n"                                                                           \
    "      - json\n"                                                                               \
    "      - --role-arn\n"                                                                         \
    "      - " ROLE_E1 "\n"                                                                        \
    "- name: " ARN_W2 "\n"                                                                         \
    "  user:\n"                                                                                    \
    "    exec:\n" EXEC_API "      command: aws\n"                                                  \
    "      args: [--region, us-west-2, eks, get-token, --cluster-name, prod, --output, json]\n"    \
    "      env:\n"                                                                                 \
    "      - name: AWS_PROFILE\n"                                                                  \
    "        value: w2\n"                                                                          \
    "- name: dev\n"                                                                                \
    "  user:\n"                                                                                    \
    "    exec:\n" EXEC_API "      command: aws-iam-authenticator\n"                                \
    "      args: [token, -i, prod, -r, " ROLE_DEV "]\n"

/* Scan text (from path) and choose for prod in region; the status, *id filled. */
static void refused_both(const char *text, const char *needle);

static enum eksauth_status identity_of(const char *text, const char *region,
                                       struct eksauth_exec_identity *id, struct eksauth_error *err)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_kubeconfig_auth a;
    enum eksauth_status st;
    size_t n = 0;

    memset(&a, 0, sizeof(a));
    assert_status(eksauth_kubeconfig_scan(text, strlen(text), "/k/config", "prod", &v, &n, err),
                  EKSAUTH_OK);
    assert_status(eksauth_kubeconfig_scan_auth(text, strlen(text), "/k/config", &a, err),
                  EKSAUTH_OK);
    st = eksauth_kubeconfig_identity_choose(v, n, &a, "prod", region, id, err);
    eksauth_kubeconfig_auth_free(&a);
    eksauth_kubeconfig_entries_free(v, n);
    return st;
}

/* The identity of user u for prod in text: refused, naming the file and user, and empty. */
static void refused_identity(const char *text, const char *needle)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL || strstr(err.msg, "/k/config (user u): ") == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
}

static void test_scan_auth(void **state)
{
    static const char text[] = AUTH_KUBECONFIG("e1-dev");
    static const char other[] = "contexts:\n- name: e1-dev\n  context: {cluster: x, user: 'y'}\n"
                                "users:\n- name: dev\n  user: {token: abc}\n"
                                "- name: new\n  user: {exec: {" EXEC_API_FLOW "command: aws}}\n"
                                "current-context: e1-dev\n";
    struct eksauth_kubeconfig_auth a;
    struct eksauth_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    assert_status(eksauth_kubeconfig_scan_auth(text, strlen(text), "/k/config", &a, &err),
                  EKSAUTH_OK);
    assert_int_equal(a.n_contexts, 4);
    assert_int_equal(a.n_users, 3);
    assert_string_equal(a.current_context, "e1-dev");
    assert_string_equal(a.contexts[1].name, "e1-dev");
    assert_string_equal(a.contexts[1].cluster, ARN_E1);
    assert_string_equal(a.contexts[1].user, "dev");
    assert_string_equal(a.users[0].exec.command, "aws");
    assert_int_equal(a.users[0].exec.n_args, 10);
    assert_string_equal(a.users[0].exec.args[9], ROLE_E1);
    assert_null(a.users[0].exec.problem);
    assert_int_equal(a.users[1].exec.n_env, 1);
    assert_string_equal(a.users[1].exec.env_names[0], "AWS_PROFILE");
    assert_string_equal(a.users[1].exec.env_values[0], "w2");
    /* A second file: what the first named stays (kubectl's merge); what is new is added. */
    assert_status(eksauth_kubeconfig_scan_auth(other, strlen(other), "/k/other", &a, &err),
                  EKSAUTH_OK);
    assert_int_equal(a.n_contexts, 4);
    assert_string_equal(a.contexts[1].cluster, ARN_E1);
    assert_int_equal(a.n_users, 4);
    assert_string_equal(a.users[2].exec.command, "aws-iam-authenticator");
    assert_string_equal(a.users[3].name, "new");
    assert_string_equal(a.users[3].from, "/k/other");
    assert_string_equal(a.current_context, "e1-dev");
    eksauth_kubeconfig_auth_free(&a);
    assert_status(eksauth_kubeconfig_scan_auth("a: [b\n", 6, "/k/bad", &a, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/k/bad:"));
    assert_status(eksauth_kubeconfig_scan_auth("- x\n", 4, "/k/bad", &a, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_kubeconfig_scan_auth("", 0, "/k/empty", &a, &err), EKSAUTH_OK);
    assert_int_equal(a.n_users, 0);
}

static void test_identity_current_context(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    /* The current context's user: the role update-kubeconfig --role-arn wrote. */
    assert_status(identity_of(AUTH_KUBECONFIG(ARN_E1), NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AWS);
    assert_string_equal(id.role_arn, ROLE_E1);
    assert_string_equal(id.from, "/k/config (user " ARN_E1 ")");
    eksauth_exec_identity_free(&id);
    /* Another context of the same cluster, current: its user (aws-iam-authenticator). */
    assert_status(identity_of(AUTH_KUBECONFIG("e1-dev"), NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AUTHENTICATOR);
    assert_string_equal(id.role_arn, ROLE_DEV);
    eksauth_exec_identity_free(&id);
    /* The west cluster current: its profile, from env. */
    assert_status(identity_of(AUTH_KUBECONFIG(ARN_W2), NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, "");
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_PROFILE"), "w2");
    eksauth_exec_identity_free(&id);
    /* EKSAUTH_REGION names the east: the west's current context does not apply... */
    assert_status(identity_of(AUTH_KUBECONFIG(ARN_W2), "us-east-1", &id, &err), EKSAUTH_EINVAL);
    /* ...and the east cluster's two contexts give two identities: which one is not guessed. */
    assert_non_null(strstr(err.msg,
                           "/k/config: cluster prod has contexts of two identities, " ARN_E1
                           " (role " ROLE_E1 ", region us-east-1) and e1-dev (role " ROLE_DEV ")"));
    assert_non_null(strstr(err.msg, "kubectl config use-context NAME)"));
    assert_null(strstr(err.msg, "EKSAUTH_REGION")); /* it chose the region's entry already */
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    assert_status(identity_of(AUTH_KUBECONFIG(ARN_W2), "us-west-2", &id, &err), EKSAUTH_OK);
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_PROFILE"), "w2");
    eksauth_exec_identity_free(&id);
    /* The current context is another cluster's: prod's contexts must agree, and do not. */
    assert_status(identity_of(AUTH_KUBECONFIG("staging"), NULL, &id, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "two identities"));
    /* Two entries for prod (two regions) and none current: EKSAUTH_REGION chooses too. */
    assert_non_null(strstr(err.msg, "or set EKSAUTH_REGION"));
}

static void test_identity_several_contexts(void **state)
{
    /* Two contexts for one cluster, none current, the same user: one identity. */
    static const char agree[] =
        "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
        "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
        "- name: b\n  context: {cluster: prod, user: u2}\n"
        "users:\n- name: u\n  user:\n    exec:\n" EXEC_API "      command: aws\n"
        "      args: [eks, get-token, --role-arn, " ROLE_E1 "]\n"
        "- name: u2\n  user:\n    exec:\n" EXEC_API "      command: aws\n"
        "      args: [--role-arn=" ROLE_E1 ", eks, get-token]\n";
    /* The cluster's context has no user, or a user without exec: nothing to follow. */
    static const char no_user[] = "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                                  "contexts:\n- name: a\n  context: {cluster: prod}\n"
                                  "- name: b\n  context: {cluster: prod, user: tok}\n"
                                  "users:\n- name: tok\n  user: {token: abc}\n";
    /* A cluster without a context, and a context of a cluster not in the file. */
    static const char no_context[] =
        "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
        "contexts:\n- name: a\n  context: {cluster: gone, user: u}\n"
        "users:\n- name: u\n  user:\n    exec:\n" EXEC_API "      command: aws\n"
        "      args: [eks, get-token, --role-arn, " ROLE_E1 "]\n";
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    assert_status(identity_of(agree, NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE_E1);
    eksauth_exec_identity_free(&id);
    assert_status(identity_of(no_user, NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    assert_status(identity_of(no_context, NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    /* No entry for the cluster at all: nothing to follow. */
    assert_status(identity_of("clusters: []\n", NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
}

static void test_identity_malformed(void **state)
{
    static const char *const bad[][2] = {
        {EXEC_API "      args: [eks, get-token]\n      env: [{value: x}]\n",
         "exec: an env entry has no name"},
        {EXEC_API "      args: [eks, get-token, --role-arn, 'arn:aws:iam::111122223333:user/a']\n",
         "--role-arn 'arn:aws:iam::111122223333:user/a' is not an IAM role ARN"},
        /* kubectl 1.32 runs no plugin for these (kubectl get: invalid apiVersion, ...). */
        {"      args: [eks, get-token, --role-arn, " ROLE_E1 "]\n",
         "no apiVersion: kubectl runs no plugin (\"apiVersion must be specified\"); add "
         "apiVersion: client.authentication.k8s.io/v1beta1"},
        {"      apiVersion: ''\n      args: [eks, get-token, --role-arn, " ROLE_E1 "]\n",
         "no apiVersion"},
        {"      apiVersion: ~\n      args: [eks, get-token, --role-arn, " ROLE_E1 "]\n",
         "no apiVersion"},
        {"      apiVersion: client.authentication.k8s.io/v1alpha1\n      args: [eks, get-token]\n",
         "apiVersion is not"},
        {"      apiVersion: client.authentication.k8s.io/v1\n      args: [eks, get-token]\n",
         "without interactiveMode"},
        {"      apiVersion: client.authentication.k8s.io/v1beta1\n      interactiveMode: never\n"
         "      args: [eks, get-token]\n",
         "interactiveMode is not"},
    };
    /* A section of another shape than client-go's: kubectl refuses the file, and so does the load.
     */
    static const char *const shape[][2] = {
        {"      args: --role-arn\n", "args is not a list of strings"},
        {"      args: [eks, get-token, [x]]\n", "args is not a string"},
        {"      args: [eks, get-token]\n      env: {AWS_PROFILE: x}\n",
         "env is not a list of mappings"},
        {"      args: [eks, get-token]\n      env: [{name: AWS_PROFILE, value: [x]}]\n",
         "value is not a string"},
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text),
                 "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                 "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                 "current-context: a\n"
                 "users:\n- name: u\n  user:\n    exec:\n      command: aws\n%s",
                 bad[i][0]);
        refused_identity(text, bad[i][1]);
    }
    for (i = 0; i < sizeof(shape) / sizeof(shape[0]); i++) {
        snprintf(text, sizeof(text),
                 "users:\n- name: u\n  user:\n    exec:\n" EXEC_API "      command: aws\n%s",
                 shape[i][0]);
        refused_both(text, shape[i][1]);
    }
    /*
     * A NUL byte anywhere: names are compared as C strings, so "u\0x" would
     * be user u, not the one kubectl takes.  The file is refused.
     */
    {
        static const char *const nul[] = {
            "users:\n- name: \"u\\0x\"\n  user: {token: t}\n",
            "contexts:\n- name: a\n  context: {cluster: prod, user: \"u\\0x\"}\n",
            "users:\n- name: u\n  user:\n    exec:\n" EXEC_API "      command: aws\n"
            "      args: [eks, get-token, --role-arn, \"arn:aws:iam::111122223333:role/a\\0b\"]\n",
        };
        struct eksauth_kubeconfig_entry *v = NULL;
        struct eksauth_kubeconfig_auth a;
        size_t n = 0, k;

        for (k = 0; k < sizeof(nul) / sizeof(nul[0]); k++) {
            memset(&a, 0, sizeof(a));
            assert_status(
                eksauth_kubeconfig_scan_auth(nul[k], strlen(nul[k]), "/k/config", &a, &err),
                EKSAUTH_EINVAL);
            assert_non_null(strstr(err.msg, "/k/config:"));
            assert_non_null(strstr(err.msg, ": a NUL byte in a value"));
            assert_status(
                eksauth_kubeconfig_scan(nul[k], strlen(nul[k]), "/k/config", "prod", &v, &n, &err),
                EKSAUTH_EINVAL);
            assert_int_equal(n, 0);
        }
    }
    /* v1 with its interactiveMode: kubectl runs it. */
    assert_status(identity_of("clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                              "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                              "users:\n- name: u\n  user:\n    exec:\n      command: aws\n"
                              "      apiVersion: client.authentication.k8s.io/v1\n"
                              "      interactiveMode: Never\n"
                              "      args: [eks, get-token, --profile, p]\n",
                              NULL, &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.profile, "p");
    eksauth_exec_identity_free(&id);
    /* An empty args: or env: is none, as kubectl reads it. */
    assert_status(identity_of("clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                              "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                              "users:\n- name: u\n  user:\n    exec:\n" EXEC_API
                              "      command: aws\n"
                              "      args:\n      env: ~\n",
                              NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER); /* no eks get-token: not aws's token */
}

static void test_identity_in_files(void **state)
{
    char dir[SCRATCH_DIR_MAX], a[256], b[256], c[256], list[900];
    static const char first[] = "users:\n- name: " ARN_E1 "\n  user:\n    exec:\n" EXEC_API
                                "      command: aws\n      args: [eks, get-token, --profile, "
                                "first]\n";
    static const char authenticator[] = "users:\n- name: " ARN_E1 "\n  user:\n    exec:\n" EXEC_API
                                        "      command: aws-iam-authenticator\n"
                                        "      args: [token, -i, prod]\n";
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    scratch_make(dir, sizeof(dir), "kubeconfig");
    put(dir, "a", first, a, sizeof(a));
    put(dir, "b", AUTH_KUBECONFIG(ARN_E1), b, sizeof(b));
    put(dir, "c", "clusters: [x\n", c, sizeof(c));
    /* The first file's user wins over the second's; a missing file is skipped. */
    snprintf(list, sizeof(list), "%s/missing:%s:%s", dir, a, b);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.profile, "first");
    assert_string_equal(id.role_arn, "");
    assert_non_null(strstr(id.from, a));
    eksauth_exec_identity_free(&id);
    setenv("KUBECONFIG", b, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE_E1);
    eksauth_exec_identity_free(&id);
    /* Another cluster: nothing to follow. */
    assert_status(eksauth_kubeconfig_identity("other", NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    /* aws-iam-authenticator without -r: the DEFAULT_ROLE of the environment kubectl runs it in. */
    put(dir, "a", authenticator, a, sizeof(a));
    snprintf(list, sizeof(list), "%s:%s", a, b);
    setenv("KUBECONFIG", list, 1);
    setenv("DEFAULT_ROLE", ROLE_DEV, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AUTHENTICATOR);
    assert_string_equal(id.role_arn, ROLE_DEV);
    eksauth_exec_identity_free(&id);
    unsetenv("DEFAULT_ROLE");
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, "");
    eksauth_exec_identity_free(&id);
    /* A file that is not YAML: what kubectl runs is unknown, said with the file. */
    snprintf(list, sizeof(list), "%s:%s", c, b);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, c));
    assert_non_null(strstr(err.msg, "not YAML"));
    /* No kubeconfig at all (no KUBECONFIG, the default file missing): nothing to follow. */
    unsetenv("KUBECONFIG");
    setenv("HOME", dir, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    unsetenv("HOME");
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(dir);
}

/* Two entries of prod (east, west) and a user for each (ROLE_E1, ROLE_DEV); no context. */
#define TWO_ENTRIES                                                                                \
    "clusters:\n"                                                                                  \
    "- {name: " ARN_E1 ", cluster: {server: 'https://e1', certificate-authority-data: " CA_DATA    \
    "}}\n"                                                                                         \
    "- {name: " ARN_W2 ", cluster: {server: 'https://w2', certificate-authority-data: " CA_DATA    \
    "}}\n"                                                                                         \
    "users:\n"                                                                                     \
    "- {name: e1, user: {exec: {" EXEC_API_FLOW                                                    \
    "command: aws, args: [eks, get-token, --role-arn, " ROLE_E1 "]}}}\n"                           \
    "- {name: w2, user: {exec: {" EXEC_API_FLOW                                                    \
    "command: aws, args: [eks, get-token, --role-arn, " ROLE_DEV "]}}}\n"

/* KUBECONFIG of files a and b: whom kubectl signs as for prod is role, at server. */
static void current_is(const char *dir, const char *a_text, const char *b_text, const char *role,
                       const char *server)
{
    char a[256], b[256], list[600];
    struct eksauth_exec_identity id;
    struct eksauth_kube_target t;
    struct eksauth_error err;

    put(dir, "a", a_text, a, sizeof(a));
    put(dir, "b", b_text, b, sizeof(b));
    snprintf(list, sizeof(list), "%s:%s", a, b);
    setenv("KUBECONFIG", list, 1);
    assert_status(eksauth_kubeconfig_identity("prod", NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, role);
    eksauth_exec_identity_free(&id);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_OK);
    assert_string_equal(t.server, server);
    eksauth_kube_target_free(&t);
    unsetenv("KUBECONFIG");
    unlink(a);
    unlink(b);
}

/*
 * The current context as kubectl merges the files: the first file that
 * sets current-context names it, and the first file that defines a
 * context of that name gives its cluster and user, whichever file that
 * is.  Each case below chose the other entry and user before (the first
 * is the fuzzer's, tests/fuzz/regressions/kubeconfig/).
 */
static void test_current_context_across_files(void **state)
{
    char dir[64], text[2048], longname[301];

    (void)state;
    scratch_make(dir, sizeof(dir), "kubeconfig");
    /* a defines x (east); b defines x again (west) and names it current: a's x. */
    current_is(dir, "contexts: [{name: x, context: {cluster: " ARN_E1 ", user: e1}}]\n",
               TWO_ENTRIES "contexts: [{name: x, context: {cluster: " ARN_W2 ", user: w2}}]\n"
                           "current-context: x\n",
               ROLE_E1, "https://e1");
    /* a names x current and defines nothing; b defines x (east) and names y (west) current. */
    current_is(dir, "current-context: x\n",
               TWO_ENTRIES "contexts:\n- {name: x, context: {cluster: " ARN_E1 ", user: e1}}\n"
                           "- {name: 'y', context: {cluster: " ARN_W2 ", user: w2}}\n"
                           "current-context: 'y'\n",
               ROLE_E1, "https://e1");
    /* A current context of 300 bytes, and another of the entry named by its first 255. */
    memset(longname, 'c', 300);
    longname[300] = '\0';
    snprintf(text, sizeof(text),
             TWO_ENTRIES "contexts:\n"
                         "- {name: %.255s, context: {cluster: " ARN_E1 ", user: w2}}\n"
                         "- {name: %s, context: {cluster: " ARN_E1 ", user: e1}}\n"
                         "current-context: %s\n",
             longname, longname, longname);
    current_is(dir, "", text, ROLE_E1, "https://e1");
    rmdir(dir);
}

/* Both scans of text refuse it (EKSAUTH_EINVAL), the message holding needle. */
static void refused_both(const char *text, const char *needle)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_kubeconfig_auth a;
    struct eksauth_error err;
    size_t n = 0;

    memset(&a, 0, sizeof(a));
    assert_status(eksauth_kubeconfig_scan(text, strlen(text), "/k/config", "prod", &v, &n, &err),
                  EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL || strstr(err.msg, "/k/config:") == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
    assert_int_equal(n, 0);
    assert_status(eksauth_kubeconfig_scan_auth(text, strlen(text), "/k/config", &a, &err),
                  EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
    eksauth_kubeconfig_auth_free(&a);
}

/*
 * What kubectl (client-go: go-yaml v2, then JSON) reads otherwise than
 * libyaml, refused rather than read as eksauth would: the file of a
 * cluster, context or user named twice (client-go refuses the file, so
 * kubectl runs nothing; eksauth took the first), a key given twice in a
 * mapping (kubectl takes the later; eksauth took the first), a merge key
 * (kubectl applies it; eksauth read "<<" as a key), a tag.  Each made
 * eksauth sign as an identity kubectl does not use.
 */
static void test_read_otherwise(void **state)
{
    static const char head[] = "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                               "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                               "current-context: a\n";
    static const char *const bad[][2] = {
        {"users:\n"
         "- name: u\n  user: {exec: {" EXEC_API_FLOW
         "command: aws, args: [eks, get-token, --role-arn, 'arn:aws:iam::111122223333:role/a']}}\n"
         "- name: u\n  user: {exec: {" EXEC_API_FLOW
         "command: aws, args: [eks, get-token, --role-arn, 'arn:aws:iam::111122223333:role/b']}}\n",
         "users: two named \"u\""},
        {"users:\n- name: u\n  user:\n"
         "    exec: {" EXEC_API_FLOW "command: aws, args: [eks, get-token, --role-arn, "
         "'arn:aws:iam::111122223333:role/a']}\n"
         "    exec: {" EXEC_API_FLOW "command: aws, args: [eks, get-token, --role-arn, "
         "'arn:aws:iam::111122223333:role/b']}\n",
         "the key \"exec\" is given twice"},
        {"x-base: &base\n  exec: {" EXEC_API_FLOW
         "command: aws, args: [eks, get-token, --role-arn, 'arn:aws:iam::111122223333:role/a']}\n"
         "users:\n- name: u\n  user:\n    <<: *base\n",
         "merge key"},
        {"users:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
         "command: aws, args: [eks, get-token, --profile, !!binary ZGV2MA==]}}\n",
         "tag"},
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[2048];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, bad[i][0]);
        refused_both(text, bad[i][1]);
    }
    /* A cluster or context named twice in one file too (client-go refuses the file). */
    refused_both("clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                 "- name: prod\n  cluster: {server: 'https://elsewhere'}\n",
                 "clusters: two named \"prod\"");
    refused_both("contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                 "- name: a\n  context: {cluster: prod, user: v}\n",
                 "contexts: two named \"a\"");
    refused_both("clusters:\n- name: prod\n  cluster: {server: 'https://p', server: 'https://q'}\n",
                 "the key \"server\" is given twice");
    /*
     * Flow collections nested deeper than eksauth's bound (64): libyaml's
     * scan costs the depth for every token, so under go-yaml's 10000 a
     * 1 MiB file of 9999 levels and half a million items would still hold
     * askpass for tens of seconds; deeper than 10000 kubectl refuses it too.
     */
    {
        size_t depth = 10001, k;
        char *deep = malloc(depth + 8);

        assert_non_null(deep);
        memcpy(deep, "a: ", 3);
        for (k = 0; k < depth; k++)
            deep[3 + k] = k % 2 == 0 ? '[' : '{';
        memcpy(deep + 3 + depth, "\n", 2);
        refused_both(deep, "nested deeper than 64");
        /* 65 levels, well under go-yaml's bound: refused before the load all the same. */
        memcpy(deep + 3 + 65, "\n", 2);
        refused_both(deep, "nested deeper than 64");
        /* ... not a shallower one, with as many brackets: a YAML error is the load's. */
        for (k = 0; k < depth; k++)
            deep[3 + k] = k % 2 == 0 ? '[' : ']';
        deep[3 + depth - 1] = '[';
        refused_both(deep, "not YAML");
        free(deep);
    }
    /* Across files a name may repeat: the first file wins, as kubectl merges them. */
    snprintf(text, sizeof(text),
             "%susers:\n- name: u\n  user: {exec: {" EXEC_API_FLOW "command: aws, args: [eks, "
             "get-token, --cluster-name, prod]}}\n- name: v\n  user: {token: t}\n",
             head);
    assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
    eksauth_exec_identity_free(&id);
}

/*
 * Plain scalars that go-yaml types (kubectl 1.32, config view): in a field
 * of type string a bool or number (yes, on, y, 123, 0x10, 1_0, 1e3, .inf)
 * makes kubectl refuse the whole KUBECONFIG; a null (~, null, empty) is
 * "" to it.  eksauth read both as their text: it minted with
 * --profile yes, AWS_PROFILE=123 or the user "null" where kubectl runs
 * nothing or passes "" (found by a differential run against kubectl).
 */
static void test_typed_scalars(void **state)
{
    static const char head[] = "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                               "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                               "current-context: a\n";
    static const char *const refused[] = {
        "users:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
        "command: aws, args: [eks, get-token, --profile, yes]}}\n",
        "users:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
        "command: aws, args: [eks, get-token], env: [{name: AWS_PROFILE, value: 123}]}}\n",
        "users:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
        "command: aws, args: [eks, get-token], env: [{name: AWS_PROFILE, value: 0x1_0}]}}\n",
        "users:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
        "command: aws, args: [eks, get-token, --region, .inf]}}\n",
        "users:\n- name: 1e3\n  user: {token: t}\n",
        /* .inf or .nan anywhere, even where client-go reads nothing (its YAML-to-JSON fails). */
        "x-note: {a: [-.Inf]}\nusers: []\n",
        "users:\n- name: u\n  user: {Exec: {x: .nan}}\n",
    };
    /* Another shape than client-go's, in any file of KUBECONFIG: kubectl runs nothing. */
    static const char *const shape[] = {
        "users: {u: {exec: {command: aws}}}\n",      "users:\n- name: u\n  user: []\n",
        "contexts:\n- name: b\n  context: 12\n",     "current-context: [a]\n",
        "users:\n- name: [u]\n  user: {token: t}\n", "clusters: [prod]\n",
    };
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[1024];
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, refused[i]);
        refused_both(text, "kubectl refuses");
    }
    for (i = 0; i < sizeof(shape) / sizeof(shape[0]); i++)
        refused_both(shape[i], "kubectl refuses");
    /* A password or token that is a number: refused, and never quoted in the message. */
    snprintf(text, sizeof(text), "%susers:\n- name: u\n  user: {password: 8675309421}\n", head);
    refused_both(text, "password is a number, not a string");
    assert_status(eksauth_kubeconfig_scan(text, strlen(text), "/k/config", "prod", &v, &n, &err),
                  EKSAUTH_EINVAL);
    assert_null(strstr(err.msg, "8675309421"));
    /* Text that only looks typed is a string to go-yaml too. */
    snprintf(text, sizeof(text),
             "%susers:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
             "command: aws, args: [eks, get-token, "
             "--profile, yEs], env: [{name: AWS_REGION, value: 0x1G}, {name: AWS_X, value: "
             "'1'}]}}\n",
             head);
    assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.profile, "yEs");
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_REGION"), "0x1G");
    eksauth_exec_identity_free(&id);
    /* A null arg is "" to kubectl: --profile "" is refused, never the profile "null". */
    snprintf(text, sizeof(text),
             "%susers:\n- name: u\n  user: {exec: {" EXEC_API_FLOW
             "command: aws, args: [eks, get-token, --profile, null]}}\n",
             head);
    assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "--profile ''"));
    /* A null user is "": not the user named "null". */
    snprintf(text, sizeof(text),
             "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
             "contexts:\n- name: a\n  context: {cluster: prod, user: null}\n"
             "current-context: a\nusers:\n- name: 'null'\n  user: {exec: {" EXEC_API_FLOW
             "command: aws, args: [eks, get-token, --profile, p]}}\n");
    assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
    assert_string_equal(id.profile, "");
    eksauth_exec_identity_free(&id);
}

/* route SERVER through PROXY and NAME: EKSAUTH_OK, t filled. */
static void route_ok(struct eksauth_kube_target *t, const char *server, const char *proxy,
                     const char *name)
{
    struct eksauth_error err;

    memset(t, 0, sizeof(*t));
    snprintf(t->server, sizeof(t->server), "%s", server);
    assert_status(eksauth_kube_target_route(t, proxy, name, &err), EKSAUTH_OK);
}

static void route_refused(const char *server, const char *proxy, const char *name,
                          const char *needle)
{
    struct eksauth_kube_target t;
    struct eksauth_error err;

    memset(&t, 0, sizeof(t));
    snprintf(t.server, sizeof(t.server), "%s", server);
    assert_status(eksauth_kube_target_route(&t, proxy, name, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("\"%s\" lacks \"%s\"", err.msg, needle);
}

/*
 * proxy-url and tls-server-name, as kubectl honours them: the request to
 * the name (SNI, the certificate's name) connected to the server's host, the
 * server's host as Host; the proxy as libcurl names it.  What kubectl
 * refuses, or eksauth cannot honour, is refused, never left out.
 */
/*
 * The fields of client-go's v1 Config that eksauth does not use, with
 * another type than client-go's: kubectl 1.32 refuses the whole file
 * ("json: cannot unmarshal ...", "illegal base64 data"), so askpass
 * does too, naming the line, never the value.
 */
/*
 * The name "" is a name to kubectl: a context without user: (or user: ~)
 * runs the user named "", and with no current-context (or "") the
 * context named "" is current.
 */
static void test_empty_names(void **state)
{
    static const char users[] = "users:\n"
                                "- {name: '', user: {exec: {" EXEC_API_FLOW
                                "command: aws, args: [eks, get-token, --profile, none]}}}\n"
                                "- {name: u2, user: {exec: {" EXEC_API_FLOW
                                "command: aws, args: [eks, get-token, --profile, two]}}}\n";
    static const char *const contexts[][2] = {
        {"contexts: [{name: a, context: {cluster: prod}}]\ncurrent-context: a\n", "none"},
        {"contexts: [{name: a, context: {cluster: prod, user: ~}}]\n", "none"},
        {"contexts:\n- {name: '', context: {cluster: prod, user: ''}}\n"
         "- {name: b, context: {cluster: prod, user: u2}}\n",
         "none"},
        {"contexts:\n- {name: '', context: {cluster: prod, user: ''}}\n"
         "- {name: b, context: {cluster: prod, user: u2}}\ncurrent-context: ''\n",
         "none"},
        {"contexts:\n- {name: '', context: {cluster: prod, user: ''}}\n"
         "- {name: b, context: {cluster: prod, user: u2}}\ncurrent-context: b\n",
         "two"},
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(contexts) / sizeof(contexts[0]); i++) {
        snprintf(text, sizeof(text),
                 "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n%s%s", contexts[i][0],
                 users);
        if (identity_of(text, NULL, &id, &err) != EKSAUTH_OK)
            fail_msg("%zu: %s", i, err.msg);
        if (strcmp(id.profile, contexts[i][1]) != 0)
            fail_msg("%zu: profile '%s', not '%s'", i, id.profile, contexts[i][1]);
        eksauth_exec_identity_free(&id);
    }
}

static void test_unread_fields(void **state)
{
    static const char head[] = "clusters:\n- name: prod\n  cluster:\n    server: 'https://p'\n";
    static const char user[] = "users:\n- name: u\n  user:\n    exec: {" EXEC_API_FLOW
                               "command: aws, args: [eks, get-token, --profile, p]}\n";
    static const char *const bad[][2] = {
        {"    insecure-skip-tls-verify: 'true'\n", "insecure-skip-tls-verify is not a bool"},
        {"    insecure-skip-tls-verify: 1\n", "insecure-skip-tls-verify is not a bool"},
        {"    disable-compression: x\n", "disable-compression is not a bool"},
        {"    disable-compression: [yes]\n", "disable-compression is not a bool"},
        {"    certificate-authority-data: 'Zm9v YmFy'\n",
         "certificate-authority-data is not base64"},
        {"    certificate-authority-data: YWJ\n", "certificate-authority-data is not base64"},
        {"    certificate-authority-data: YQ=A\n", "certificate-authority-data is not base64"},
        {"    certificate-authority-data: A===\n", "certificate-authority-data is not base64"},
        {"    certificate-authority-data: 1234\n", "certificate-authority-data is a number"},
        {"    extensions: x\n", "extensions is not a list of mappings"},
        {"    extensions: [{name: 1, extension: x}]\n", "name is a number"},
        {"contexts:\n- name: a\n  context: {cluster: prod, extensions: {a: b}}\n",
         "extensions is not a list of mappings"},
        {"extensions: [x]\n", "extensions is not a mapping"},
        {"preferences: {colors: 'no'}\n", "colors is not a bool"},
        {"preferences: {extensions: x}\n", "extensions is not a list of mappings"},
    };
    static const char *const bad_user[][2] = {
        {"    client-certificate-data: 'not base64!'\n", "client-certificate-data is not base64"},
        {"    client-key-data: YQ\n", "client-key-data is not base64"},
        {"    client-key-data: '===='\n", "client-key-data is not base64"},
        {"    auth-provider: {name: 1}\n", "name is a number"},
        {"    auth-provider: {name: oidc, config: x}\n", "config is not a mapping of strings"},
        {"    auth-provider: {name: oidc, config: {client-secret: 8675309421}}\n",
         "config is a number"},
        {"    auth-provider: {name: oidc, config: {a: [x]}}\n", "config is not a string"},
        {"    as-user-extra: x\n", "as-user-extra is not a mapping of lists of strings"},
        {"    as-user-extra: {a: x}\n", "as-user-extra is not a list of strings"},
        {"    as-user-extra: {a: [1]}\n", "as-user-extra is a number"},
        {"    extensions: {a: b}\n", "extensions is not a list of mappings"},
    };
    /* What kubectl reads as these fields' types: taken. */
    static const char *const fine[][2] = {
        {"    insecure-skip-tls-verify: false\n    disable-compression: yes\n"
         "    certificate-authority-data: \"YWJj\\nZA==\"\n"
         "    extensions: [{name: a, extension: x}, {name: b, extension: {c: [1]}}, {name: c}]\n"
         "preferences: {colors: on, extensions: []}\nextensions: ~\n",
         ""},
        {"", "    as: bob\n    as-user-extra: {a: [x], b: []}\n    auth-provider: ~\n"
             "    client-key-data: ''\n    extensions: [{name: e, extension: 1}]\n"},
    };
    struct eksauth_kubeconfig_auth a;
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[1024];
    size_t i;

    (void)state;
    memset(&a, 0, sizeof(a));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s%s", head, bad[i][0], user);
        refused_both(text, bad[i][1]);
    }
    for (i = 0; i < sizeof(bad_user) / sizeof(bad_user[0]); i++) {
        snprintf(text, sizeof(text), "%s%s%s", head, user, bad_user[i][0]);
        refused_both(text, bad_user[i][1]);
        assert_status(eksauth_kubeconfig_scan_auth(text, strlen(text), "/k/config", &a, &err),
                      EKSAUTH_EINVAL);
        assert_null(strstr(err.msg, "8675309421"));
    }
    refused_both("users:\n- name: u\n  user:\n    exec: {" EXEC_API_FLOW
                 "command: aws, provideClusterInfo: 'true'}\n",
                 "provideClusterInfo is not a bool");
    for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        snprintf(text, sizeof(text),
                 "%s%scontexts: [{name: a, context: {cluster: prod, user: u}}]\n%s%s", head,
                 fine[i][0], user, fine[i][1]);
        assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
        assert_string_equal(id.profile, "p");
        eksauth_exec_identity_free(&id);
    }
}

/*
 * What client-go makes of the whole user before any plugin runs: kubectl
 * 1.32 refuses the user (an auth-provider beside exec, as-groups, as-uid
 * or as-user-extra without as, an env name "") or uses its token,
 * tokenFile, username or client certificate instead of the plugin.
 * Either way kubectl signs as nobody the exec section names: refused.
 */
static void test_user_beside_exec(void **state)
{
    static const char head[] = "clusters:\n- name: prod\n  cluster: {server: 'https://p'}\n"
                               "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                               "users:\n- name: u\n  user:\n    exec:\n" EXEC_API
                               "      command: aws\n      args: [eks, get-token, --profile, p]\n";
    static const char *const bad[][2] = {
        {"    auth-provider: {}\n", "an auth-provider beside exec"},
        {"    as-groups: [g]\n", "without as"},
        {"    as-uid: '1'\n", "without as"},
        {"    as-user-extra: {a: []}\n", "without as"},
        {"      env: [{name: '', value: x}]\n", "an env entry has no name"},
        {"    token: t\n", "kubectl sends the user's token"},
        {"    tokenFile: /t\n", "kubectl sends the user's token"},
        {"    username: me\n", "kubectl sends the user's username"},
        {"    client-certificate: /c.pem\n", "client certificate"},
        {"    client-certificate-data: YWJj\n    client-key-data: YWJj\n", "client certificate"},
    };
    /* None of these stops kubectl running the plugin. */
    static const char *const fine[] = {
        "    password: p\n", "    client-key-data: YWJj\n", "    as-groups: []\n",
        "    token: ''\n",   "    as-user-extra: {}\n",     "    as: bob\n    as-groups: [g]\n",
        "    username: ~\n",
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, bad[i][0]);
        refused_identity(text, bad[i][1]);
    }
    for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        snprintf(text, sizeof(text), "%s%s", head, fine[i]);
        assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
        assert_string_equal(id.profile, "p");
        eksauth_exec_identity_free(&id);
    }
}

/*
 * The cluster of the context, as client-go validates it before any plugin
 * runs: insecure-skip-tls-verify beside a CA, both CA fields, no server.
 * kubectl then signs as nobody; neither does askpass for a followed section.
 */
static void test_cluster_beside_exec(void **state)
{
    static const char tail[] = "contexts:\n- name: a\n  context: {cluster: prod, user: u}\n"
                               "users:\n- name: u\n  user:\n    exec:\n" EXEC_API
                               "      command: %s\n      args: [eks, get-token, --profile, p]\n";
    static const char *const bad[][2] = {
        {"    server: https://p\n    insecure-skip-tls-verify: true\n"
         "    certificate-authority-data: " CA_DATA "\n",
         "insecure-skip-tls-verify beside a certificate authority"},
        {"    server: https://p\n    insecure-skip-tls-verify: yes\n"
         "    certificate-authority: /ca.pem\n",
         "insecure-skip-tls-verify beside a certificate authority"},
        {"    server: https://p\n    certificate-authority: /ca.pem\n"
         "    certificate-authority-data: " CA_DATA "\n",
         "both certificate-authority and certificate-authority-data"},
        {"    server: ''\n    certificate-authority-data: " CA_DATA "\n", "no server"},
        {"    certificate-authority-data: " CA_DATA "\n", "no server"},
    };
    /* kubectl runs the plugin for these. */
    static const char *const fine[] = {
        "    server: https://p\n    insecure-skip-tls-verify: true\n",
        "    server: https://p\n    certificate-authority: ''\n"
        "    certificate-authority-data: " CA_DATA "\n",
        "    server: https://p\n    insecure-skip-tls-verify: false\n"
        "    certificate-authority: /ca.pem\n",
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    char text[2048], users[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(users, sizeof(users), tail, "aws");
        snprintf(text, sizeof(text), "clusters:\n- name: prod\n  cluster:\n%s%s", bad[i][0], users);
        assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_EINVAL);
        if (strstr(err.msg, bad[i][1]) == NULL || strstr(err.msg, "/k/config") == NULL)
            fail_msg("\"%s\" not in \"%s\"", bad[i][1], err.msg);
        assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
        /* A command not followed: askpass does not mint as the file says, nothing to refuse. */
        snprintf(users, sizeof(users), tail, "kubelogin");
        snprintf(text, sizeof(text), "clusters:\n- name: prod\n  cluster:\n%s%s", bad[i][0], users);
        assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
        assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
        eksauth_exec_identity_free(&id);
    }
    for (i = 0; i < sizeof(fine) / sizeof(fine[0]); i++) {
        snprintf(users, sizeof(users), tail, "aws");
        snprintf(text, sizeof(text), "clusters:\n- name: prod\n  cluster:\n%s%s", fine[i], users);
        assert_status(identity_of(text, NULL, &id, &err), EKSAUTH_OK);
        assert_string_equal(id.profile, "p");
        eksauth_exec_identity_free(&id);
    }
}

static void test_target_route(void **state)
{
    struct eksauth_kube_target t;

    (void)state;
    route_ok(&t, "https://10.0.0.5:6443/k8s", NULL, NULL);
    assert_string_equal(t.base, "https://10.0.0.5:6443/k8s");
    assert_string_equal(t.connect_to, "");
    assert_string_equal(t.host_header, "");
    assert_string_equal(t.proxy, "");

    route_ok(&t, "https://10.0.0.5:6443/k8s", NULL, "api.internal.example");
    assert_string_equal(t.base, "https://api.internal.example:6443/k8s");
    assert_string_equal(t.connect_to, "api.internal.example:6443:10.0.0.5:6443");
    assert_string_equal(t.host_header, "Host: 10.0.0.5:6443");
    route_ok(&t, "https://[fd00::1]", NULL, "API.example");
    assert_string_equal(t.base, "https://API.example:443");
    assert_string_equal(t.connect_to, "API.example:443:[fd00::1]:443");
    assert_string_equal(t.host_header, "Host: [fd00::1]");
    route_ok(&t, "https://eks.example", NULL, "10.1.2.3");
    assert_string_equal(t.connect_to, "10.1.2.3:443:eks.example:443");

    route_refused("https://10.0.0.5", NULL, "", "is not a host name");
    route_refused("https://10.0.0.5", NULL, "a b", "is not a host name");
    route_refused("https://10.0.0.5", NULL, "-x", "is not a host name");
    route_refused("https://10.0.0.5", NULL, "x/y", "is not a host name");
    route_refused("https://10.0.0.5", NULL, "x:1", "is not a host name");
    route_refused("https://10.0.0.5", NULL, "a\x1b[2Jb", "'a?[2Jb' is not a host name");
    route_refused("https://user@10.0.0.5", NULL, "api", "https://HOST[:PORT][/PATH]");
    route_refused("https://10.0.0.5\r\nX-Evil", NULL, "api", "https://HOST[:PORT][/PATH]");
    route_refused("https://10.0.0.5:x", NULL, "api", "https://HOST[:PORT][/PATH]");
    route_refused("https://10.0.0.5:", NULL, "api", "https://HOST[:PORT][/PATH]");
    route_refused("https://[fd00::1", NULL, "api", "https://HOST[:PORT][/PATH]");

    route_ok(&t, "https://10.0.0.5", "http://proxy.corp:3128", NULL);
    assert_string_equal(t.proxy, "http://proxy.corp:3128");
    assert_string_equal(t.base, "https://10.0.0.5");
    route_ok(&t, "https://10.0.0.5", "HTTPS://proxy.corp", NULL);
    assert_string_equal(t.proxy, "https://proxy.corp");
    /* kubectl's SOCKS5 dialer has the proxy resolve the name: libcurl's socks5h. */
    route_ok(&t, "https://10.0.0.5", "socks5://127.0.0.1:1080", "api");
    assert_string_equal(t.proxy, "socks5h://127.0.0.1:1080");
    assert_string_equal(t.connect_to, "api:443:10.0.0.5:443");

    route_refused("https://10.0.0.5", "socks4://p:1080", NULL, "not 'socks4'");
    route_refused("https://10.0.0.5", "socks5h://p:1080", NULL, "socks5:// proxy only");
    route_refused("https://10.0.0.5", "proxy.corp:3128", NULL, "not one without a scheme");
    /* Only a scheme is shown: what else is there may be the proxy's password. */
    route_refused("https://10.0.0.5", "ftp\x1b://user:secret@p", NULL, "not one without a scheme");
    route_refused("https://10.0.0.5", "user:secret@p://x", NULL, "not one without a scheme");
    route_refused("https://10.0.0.5", "http://", NULL, "not a proxy URL");
    route_refused("https://10.0.0.5", "http://p q", NULL, "not a proxy URL");
}

/* A kubeconfig's proxy-url and tls-server-name reach the target, or refuse it naming the file. */
static void test_find_route(void **state)
{
    char dir[SCRATCH_DIR_MAX], a[256], text[1024];
    struct eksauth_kube_target t;
    struct eksauth_error err;

    (void)state;
    scratch_make(dir, sizeof(dir), "kubeconfig");
    snprintf(text, sizeof(text),
             "clusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.5:6443\n"
             "    proxy-url: socks5://127.0.0.1:1080\n    tls-server-name: api.prod.example\n"
             "    certificate-authority-data: %s\n",
             CA_DATA);
    put(dir, "a", text, a, sizeof(a));
    setenv("KUBECONFIG", a, 1);
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_OK);
    assert_string_equal(t.server, "https://10.0.0.5:6443");
    assert_string_equal(t.base, "https://api.prod.example:6443");
    assert_string_equal(t.connect_to, "api.prod.example:6443:10.0.0.5:6443");
    assert_string_equal(t.proxy, "socks5h://127.0.0.1:1080");
    assert_non_null(strstr(t.what, "through its proxy-url"));
    eksauth_kube_target_free(&t);

    snprintf(text, sizeof(text),
             "clusters:\n- name: prod\n  cluster:\n    server: https://10.0.0.5:6443\n"
             "    proxy-url: ftp://proxy\n    certificate-authority-data: %s\n",
             CA_DATA);
    put(dir, "a", text, a, sizeof(a));
    assert_status(eksauth_kubeconfig_find("prod", NULL, &t, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, a));
    assert_non_null(strstr(err.msg, "cluster prod"));
    assert_non_null(strstr(err.msg, "not 'ftp'"));
    unsetenv("KUBECONFIG");
    unlink(a);
    rmdir(dir);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_names), cmocka_unit_test(test_scan_and_choose),
                  cmocka_unit_test(test_choose_long_region), cmocka_unit_test(test_scan_refusals),
                  cmocka_unit_test(test_find_in_files), cmocka_unit_test(test_ca_pem),
                  cmocka_unit_test(test_ca_data_lines), cmocka_unit_test(test_scan_auth),
                  cmocka_unit_test(test_identity_current_context),
                  cmocka_unit_test(test_identity_several_contexts),
                  cmocka_unit_test(test_identity_malformed),
                  cmocka_unit_test(test_identity_in_files),
                  cmocka_unit_test(test_current_context_across_files),
                  cmocka_unit_test(test_read_otherwise), cmocka_unit_test(test_typed_scalars),
                  cmocka_unit_test(test_empty_names), cmocka_unit_test(test_unread_fields),
                  cmocka_unit_test(test_user_beside_exec),
                  cmocka_unit_test(test_cluster_beside_exec), cmocka_unit_test(test_target_route),
                  cmocka_unit_test(test_find_route))
