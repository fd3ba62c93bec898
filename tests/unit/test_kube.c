/*
 * test_kube.c - the pure parts of the Kubernetes API client (lib/kube.c):
 * the ConfigMap answer and its resourceVersion, the list of aws-auth and
 * the list's version, watch events and the line splitter (Status messages:
 * test_kube_review.c; cluster_ca_data: test_kubeconfig.c); and the one
 * call refused before any request: no cluster CA configured.
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
#include "eksauth/config.h"
#include "eksauth/kube.h"
#include "fixture_file.h"
#include "unit.h"

/* aws-auth as the API server answers it: version 4242, roles ops and dev, an account. */
#define CONFIGMAP "cluster/configmap.json"

static void test_configmap(void **state)
{
    struct eksauth_error err;
    char rv[EKSAUTH_KUBE_RV_MAX], doc[1024], *cm;
    size_t cm_len;

    (void)state;
    cm = fixture_read(CONFIGMAP, &cm_len);
    assert_status(eksauth_kube_parse_configmap(cm, cm_len, rv, sizeof(rv), &err), EKSAUTH_OK);
    free(cm);
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

/* The list of one name: the list's version for the watch, the item as the document. */
static void test_list(void **state)
{
    char rv[EKSAUTH_KUBE_RV_MAX], list_rv[EKSAUTH_KUBE_RV_MAX], doc[2048], *obj = NULL, *cm;
    size_t cm_len = 0;
    struct eksauth_error err;
    size_t len = 0;

    (void)state;
    cm = fixture_read(CONFIGMAP, &cm_len);
    snprintf(doc, sizeof(doc),
             "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":"
             "\"9000\"},\"items\":[%s]}",
             cm);
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_OK);
    /* The store moved on (9000); aws-auth's own version (4242) is the snapshot's. */
    assert_string_equal(list_rv, "9000");
    assert_string_equal(rv, "4242");
    assert_non_null(obj);
    assert_int_equal(len, strlen(obj));
    assert_status(eksauth_kube_parse_configmap(obj, len, rv, sizeof(rv), &err), EKSAUTH_OK);
    assert_non_null(strstr(obj, "mapAccounts"));
    free(obj);
    /* No aws-auth: no item, and still the version to watch from. */
    snprintf(doc, sizeof(doc), "{\"metadata\":{\"resourceVersion\":\"9001\"},\"items\":[]}");
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_OK);
    assert_null(obj);
    assert_string_equal(list_rv, "9001");
    /* Not a list, no version, a version that would change a query, two items, another object. */
    snprintf(doc, sizeof(doc), "%s", cm);
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_EINVAL);
    snprintf(doc, sizeof(doc), "{\"kind\":\"ConfigMapList\",\"items\":[]}");
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "resourceVersion"));
    snprintf(doc, sizeof(doc), "{\"metadata\":{\"resourceVersion\":\"1&watch=0\"},\"items\":[]}");
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_EINVAL);
    snprintf(doc, sizeof(doc), "{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[%s,%s]}", cm,
             cm);
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "more than one item"));
    snprintf(doc, sizeof(doc),
             "{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[{\"metadata\":{\"name\":"
             "\"other\",\"resourceVersion\":\"1\"}}]}");
    assert_status(eksauth_kube_parse_list(doc, strlen(doc), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_EINVAL);
    assert_null(obj);
    free(cm);
}

static void test_events(void **state)
{
    struct eksauth_kube_event ev;
    struct eksauth_error err;
    char line[2048], *cm;
    size_t cm_len;

    (void)state;
    cm = fixture_read(CONFIGMAP, &cm_len);
    snprintf(line, sizeof(line), "{\"type\":\"MODIFIED\",\"object\":%s}", cm);
    free(cm);
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

/*
 * The same ConfigMap from a list (an API server sends its items without
 * kind and apiVersion) and from a watch event (with them) is the same
 * bytes: the snapshot's sha256 tells a later list it is already applied.
 * Before, a change applied from an event was written again by the next
 * list of the unchanged ConfigMap (after every 410).
 */
static void test_list_and_event_same_bytes(void **state)
{
#define CM_BODY                                                                                    \
    "\"metadata\":{\"name\":\"aws-auth\",\"namespace\":\"kube-system\",\"resourceVersion\":"       \
    "\"77\"},\"data\":{\"mapRoles\":\"[]\"}"
    const char *list = "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{"
                       "\"resourceVersion\":\"90\"},\"items\":[{" CM_BODY "}]}";
    const char *event =
        "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\"," CM_BODY
        "}}";
    char rv[EKSAUTH_KUBE_RV_MAX], list_rv[EKSAUTH_KUBE_RV_MAX], *obj = NULL;
    struct eksauth_kube_event ev;
    struct eksauth_error err;
    size_t len = 0;

    (void)state;
    assert_status(eksauth_kube_parse_list(list, strlen(list), &obj, &len, rv, sizeof(rv), list_rv,
                                          sizeof(list_rv), &err),
                  EKSAUTH_OK);
    assert_status(eksauth_kube_parse_event(event, strlen(event), &ev, &err), EKSAUTH_OK);
    assert_string_equal(ev.rv, rv);
    assert_int_equal(ev.object_len, len);
    assert_string_equal(ev.object, obj);
    assert_null(strstr(obj, "apiVersion"));
    free(obj);
    eksauth_kube_event_free(&ev);
#undef CM_BODY
}

/*
 * One rule for a code of the Kubernetes API, whether an HTTP answer, a
 * Status line or a watch's ERROR event carries it (before, an ERROR event's
 * 401 or 403 was "unavailable" and a Status line's a refusal), and a 404 is
 * no "not found", which the watch takes for a 410 (it said "there is no
 * ConfigMap" and listed again).
 */
static void test_code_status(void **state)
{
    (void)state;
    assert_int_equal(eksauth_kube_code_status(410), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_kube_code_status(401), EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_kube_code_status(403), EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_kube_code_status(404), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_kube_code_status(400), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_kube_code_status(429), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_kube_code_status(500), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_kube_code_status(503), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_kube_code_status(0), EKSAUTH_EUNAVAIL);
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

static int count_line(void *ctx, const char *line, size_t len)
{
    (void)line;
    (void)len;
    (*(int *)ctx)++;
    return 0;
}

/*
 * A line over the bound is refused when it comes in one piece as when it
 * comes cut: what the watch reads does not hang on where the network cut.
 */
static void test_long_line_whole(void **state)
{
    struct eksauth_kube_lines l = {NULL, 0, 0};
    char *big = malloc(EKSAUTH_KUBE_LINE_MAX + 2);
    int n = 0;

    (void)state;
    assert_non_null(big);
    memset(big, 'x', EKSAUTH_KUBE_LINE_MAX + 1);
    big[EKSAUTH_KUBE_LINE_MAX + 1] = '\n';
    assert_int_equal(eksauth_kube_lines_feed(&l, big, EKSAUTH_KUBE_LINE_MAX + 2, count_line, &n),
                     -1);
    assert_int_equal(n, 0);
    eksauth_kube_lines_free(&l);
    /* The most a line may hold passes, whole or cut. */
    assert_int_equal(
        eksauth_kube_lines_feed(&l, big + 1, EKSAUTH_KUBE_LINE_MAX + 1, count_line, &n), 0);
    assert_int_equal(eksauth_kube_lines_feed(&l, big + 1, EKSAUTH_KUBE_LINE_MAX, count_line, &n),
                     0);
    assert_int_equal(eksauth_kube_lines_feed(&l, "\n", 1, count_line, &n), 0);
    assert_int_equal(n, 2);
    free(big);
    eksauth_kube_lines_free(&l);
}

/* Stops the watch at its first event (none comes: the call is refused first). */
static int stop(void *ctx, const struct eksauth_kube_event *ev)
{
    (void)ctx;
    (void)ev;
    return 1;
}

/*
 * The API server is never called with the system CA store: its CA is the
 * cluster's own, so with neither cluster_ca_file nor cluster_ca_data the
 * list and the watch are refused before any request (credentials from the
 * environment, instance metadata off: nothing else to stop them).
 */
static void test_no_cluster_ca_refused(void **state)
{
    const char *conf = "cluster_id = c\nregion = us-east-1\nsource = kubernetes\n"
                       "cluster_endpoint = https://127.0.0.1:1\n";
    struct eksauth_kube_configmap cm;
    struct eksauth_config cfg;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", 1), 0);
    assert_int_equal(setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", 1),
                     0);
    assert_int_equal(setenv("AWS_EC2_METADATA_DISABLED", "true", 1), 0);
    assert_int_equal(eksauth_config_init(&cfg, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_config_parse(&cfg, conf, strlen(conf), "t.conf", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_kube_list_configmap(&cfg, NULL, NULL, &cm, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "needs cluster_ca_file or cluster_ca_data"));
    eksauth_kube_configmap_free(&cm);
    assert_int_equal(eksauth_kube_watch(&cfg, NULL, 1, stop, NULL, NULL, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "needs cluster_ca_file or cluster_ca_data"));
    eksauth_config_free(&cfg);
}

/*
 * Credentials not found are not a 410 to the watch: ENOTFOUND from the
 * watch makes it list again at once, where a failure of its own backs off.
 */
static void test_watch_without_credentials_is_no_410(void **state)
{
    const char *conf = "cluster_id = c\nregion = us-east-1\nsource = kubernetes\n"
                       "cluster_endpoint = https://127.0.0.1:1\n"
                       "cluster_ca_file = /nonexistent/ca.pem\n";
    struct eksauth_config cfg;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(unsetenv("AWS_ACCESS_KEY_ID"), 0);
    assert_int_equal(unsetenv("AWS_SECRET_ACCESS_KEY"), 0);
    assert_int_equal(unsetenv("AWS_PROFILE"), 0);
    assert_int_equal(setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1), 0);
    assert_int_equal(setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1), 0);
    assert_int_equal(setenv("AWS_EC2_METADATA_DISABLED", "true", 1), 0);
    assert_int_equal(eksauth_config_init(&cfg, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_config_parse(&cfg, conf, strlen(conf), "t.conf", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_kube_watch(&cfg, NULL, 1, stop, NULL, NULL, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(err.status, EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no AWS credentials"));
    eksauth_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configmap),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_events),
        cmocka_unit_test(test_list_and_event_same_bytes),
        cmocka_unit_test(test_code_status),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_long_line_whole),
        cmocka_unit_test(test_no_cluster_ca_refused),
        cmocka_unit_test(test_watch_without_credentials_is_no_410),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
