/*
 * test_cluster_host.c - lib/cluster_host.c: this host's region, credentials
 * and token toward its cluster.  The region: the config's, else the AWS
 * environment's, else instance metadata's, whose answer must have a
 * region's shape (it becomes the STS host name), and none is a failure
 * that says where to set it; the credentials from the instance metadata
 * endpoint of the config; the token signed for the config's cluster id in
 * its region.  Instance metadata is an IMDSv2 stand-in in a thread, one
 * request per connection.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <cmocka.h>

#include "eksauth/cluster_host.h"
#include "eksauth/sigv4.h"
#include "eksauth/token.h"
#include "net_helpers.h"
#include "unit.h"

#define NOW        1796017305 /* 2026-11-30T05:41:45Z */
#define IMDS_TOKEN "AQAEAFakeSessionToken=="
#define NODE_AKID  "ASIAFAKECLUSTERHOST1"

/* ------------------------------------------------------------------ */
/* an IMDSv2 stand-in */

struct imds {
    int fd, port;
    pthread_t thread;
    const char *const *answers; /* path, body, path, body, ..., NULL: what a GET gets */
    unsigned requests;
};

/* The answer to one request: the session token to a PUT, a GET's answer with it, else 401/404. */
static void imds_answer(const struct imds *m, const char *request, char *out, size_t cap)
{
    const char *body = NULL, *status = "404 Not Found";
    char method[8] = "", path[256] = "";
    size_t i;

    if (sscanf(request, "%7s %255s", method, path) != 2)
        method[0] = '\0';
    if (strcmp(method, "PUT") == 0 && strcmp(path, "/latest/api/token") == 0) {
        status = "200 OK";
        body = IMDS_TOKEN;
    } else if (strstr(request, "X-aws-ec2-metadata-token: " IMDS_TOKEN "\r\n") == NULL) {
        status = "401 Unauthorized";
    } else {
        for (i = 0; m->answers[i] != NULL; i += 2)
            if (strcmp(path, m->answers[i]) == 0) {
                status = "200 OK";
                body = m->answers[i + 1];
            }
    }
    snprintf(out, cap, "HTTP/1.1 %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
             body != NULL ? strlen(body) : 0, body != NULL ? body : "");
}

static void *imds_serve(void *arg)
{
    struct imds *m = arg;
    char request[4096], answer[4096];
    size_t len;
    ssize_t n;
    int c;

    while ((c = accept(m->fd, NULL, NULL)) >= 0) {
        len = 0;
        request[0] = '\0';
        while (strstr(request, "\r\n\r\n") == NULL && len < sizeof(request) - 1) {
            n = recv(c, request + len, sizeof(request) - 1 - len, 0);
            if (n <= 0)
                break;
            len += (size_t)n;
            request[len] = '\0';
        }
        imds_answer(m, request, answer, sizeof(answer));
        (void)send(c, answer, strlen(answer), MSG_NOSIGNAL);
        close(c);
        m->requests++;
    }
    return NULL;
}

static void imds_start(struct imds *m, const char *const *answers)
{
    memset(m, 0, sizeof(*m));
    m->answers = answers;
    m->fd = net_listener(&m->port);
    assert_int_equal(pthread_create(&m->thread, NULL, imds_serve, m), 0);
}

/* Stop accepting (accept fails once the socket is shut down) and wait for the thread. */
static void imds_stop(struct imds *m)
{
    assert_int_equal(shutdown(m->fd, SHUT_RDWR), 0);
    assert_int_equal(pthread_join(m->thread, NULL), 0);
    close(m->fd);
}

/* ------------------------------------------------------------------ */
/* the host's environment and config */

/*
 * No region or credentials from the environment or the AWS files, and an
 * instance metadata endpoint of botocore's variable that answers nothing:
 * what is found comes from the config, or from where a test says.
 */
static void no_aws_environment(void)
{
    static const char *const unset[] = {
        "AWS_REGION",          "AWS_DEFAULT_REGION",        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",         "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",   "AWS_EC2_METADATA_DISABLED", NULL,
    };
    char closed[64];
    size_t i;

    for (i = 0; unset[i] != NULL; i++)
        unsetenv(unset[i]);
    setenv("AWS_CONFIG_FILE", "/nonexistent/eksauth-test/config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/eksauth-test/credentials", 1);
    snprintf(closed, sizeof(closed), "http://127.0.0.1:%d", net_closed_port());
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", closed, 1);
    net_proxy_env_clear();
    eksauth_creds_cache_clear();
}

/* cfg from "cluster_id = prod\n" + extra + "imds_endpoint = http://127.0.0.1:<imds_port>\n". */
static void config_of(struct eksauth_config *cfg, const char *extra, int imds_port)
{
    struct eksauth_error err;
    char text[512];

    snprintf(text, sizeof(text), "cluster_id = prod\n%simds_endpoint = http://127.0.0.1:%d\n",
             extra, imds_port);
    assert_int_equal(eksauth_config_init(cfg, &err), EKSAUTH_OK);
    if (eksauth_config_parse(cfg, text, strlen(text), "test.conf", &err) != EKSAUTH_OK)
        fail_msg("config: %s", err.msg);
}

/* ------------------------------------------------------------------ */
/* the region */

/* The config's region first, then the environment's; a region longer than the buffer is refused. */
static void test_region_config_then_environment(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err;
    char region[64];

    (void)state;
    no_aws_environment();
    setenv("AWS_REGION", "eu-west-1", 1);
    config_of(&cfg, "region = us-west-2\n", net_closed_port());
    assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_OK);
    assert_string_equal(region, "us-west-2");
    assert_status(eksauth_cluster_region(&cfg, region, strlen("us-west-2"), &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "region: too long"));
    eksauth_config_free(&cfg);
    config_of(&cfg, "", net_closed_port());
    assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_OK);
    assert_string_equal(region, "eu-west-1");
    eksauth_config_free(&cfg);
    unsetenv("AWS_REGION");
}

/* Neither: instance metadata's placement/region, asked at the config's endpoint. */
static void test_region_from_instance_metadata(void **state)
{
    static const char *const answers[] = {"/latest/meta-data/placement/region", "ap-southeast-2",
                                          NULL};
    struct eksauth_config cfg;
    struct eksauth_error err;
    struct imds m;
    char region[64];

    (void)state;
    no_aws_environment();
    imds_start(&m, answers);
    config_of(&cfg, "", m.port);
    assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_OK);
    imds_stop(&m);
    assert_string_equal(region, "ap-southeast-2");
    assert_int_equal(m.requests, 2); /* the session token, the value */
    /* A region named that is none: said, never passed over for the instance's region. */
    setenv("AWS_REGION", "eu-west-1x", 1);
    eksauth_config_free(&cfg);
    imds_start(&m, answers);
    config_of(&cfg, "", m.port);
    assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_EINVAL);
    imds_stop(&m);
    unsetenv("AWS_REGION");
    assert_non_null(strstr(err.msg, "\"eu-west-1x\" from AWS_REGION is not a region name"));
    assert_int_equal(m.requests, 0);
    eksauth_config_free(&cfg);
}

/*
 * What instance metadata answers becomes the STS host name a token is
 * minted for (lib/mint.c): anything but a region's shape is refused, said
 * as such, and not left in the buffer.
 */
static void test_region_from_instance_metadata_checked(void **state)
{
    static const char *const bad[] = {"evil.example.com", "us-east-1.evil.example", "US-EAST-1",
                                      "us-east-1@evil", "us-east-1/../x"};
    const char *answers[] = {"/latest/meta-data/placement/region", NULL, NULL};
    struct eksauth_config cfg;
    struct eksauth_error err;
    struct imds m;
    char region[64], said[128];
    size_t i;

    (void)state;
    no_aws_environment();
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        answers[1] = bad[i];
        imds_start(&m, answers);
        config_of(&cfg, "", m.port);
        assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_EINVAL);
        imds_stop(&m);
        assert_int_equal(m.requests, 2);
        assert_non_null(strstr(err.msg, "no region: set region in the config ("));
        snprintf(said, sizeof(said), "instance metadata: placement/region \"%s\" is not a region",
                 bad[i]);
        if (strstr(err.msg, said) == NULL)
            fail_msg("%s: the message does not say \"%s\": %s", bad[i], said, err.msg);
        assert_string_equal(region, "");
        eksauth_config_free(&cfg);
    }
}

/* No region anywhere: a failure that says where to set one, and what each source said. */
static void test_region_none(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err;
    char region[64];

    (void)state;
    no_aws_environment();
    config_of(&cfg, "", net_closed_port());
    assert_status(eksauth_cluster_region(&cfg, region, sizeof(region), &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no region: set region in the config (no AWS region: tried "));
    assert_non_null(strstr(err.msg, "; instance metadata: "));
    assert_string_equal(region, "");
    eksauth_config_free(&cfg);
}

/* ------------------------------------------------------------------ */
/* credentials and the token */

/* With nothing in the environment, the host's role from the config's instance metadata. */
static void test_creds_from_configured_instance_metadata(void **state)
{
    static const char *const answers[] = {
        "/latest/meta-data/iam/security-credentials/",
        "node-role",
        "/latest/meta-data/iam/security-credentials/node-role",
        "{\"Code\": \"Success\", \"AccessKeyId\": \"" NODE_AKID "\", "
        "\"SecretAccessKey\": \"fakeClusterHostSecret0123456789abcdefghij\", "
        "\"Token\": \"fakeClusterHostSessionToken\", \"Expiration\": \"2099-01-01T00:00:00Z\"}",
        NULL,
    };
    struct eksauth_config cfg;
    struct eksauth_creds creds;
    struct eksauth_error err;
    struct imds m;

    (void)state;
    no_aws_environment();
    imds_start(&m, answers);
    config_of(&cfg, "region = us-east-1\n", m.port);
    assert_status(eksauth_cluster_creds(&cfg, &creds, &err), EKSAUTH_OK);
    imds_stop(&m);
    assert_string_equal(creds.access_key_id, NODE_AKID);
    assert_non_null(strstr(creds.origin, "role node-role"));
    eksauth_creds_free(&creds);
    eksauth_creds_cache_clear();
    eksauth_config_free(&cfg);
}

/*
 * The token is for the cluster's own API server, as kubectl's: signed for
 * cfg's cluster_id, at its region's STS host (a partition's own, here
 * aws-cn), at the time given.  Compared without printing either token.
 */
static void test_token_for_the_cluster(void **state)
{
    struct eksauth_sts_presign req = {"sts.cn-north-1.amazonaws.com.cn", "cn-north-1", "prod", NOW,
                                      EKSAUTH_SIGV4_EXPIRES};
    const struct eksauth_token_policy policy = {"aws-cn", 300, NULL};
    struct eksauth_config cfg;
    struct eksauth_creds creds;
    struct eksauth_token tok;
    struct eksauth_error err;
    char *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX), *want = malloc(EKSAUTH_SIGV4_TOKEN_MAX);

    (void)state;
    assert_non_null(token);
    assert_non_null(want);
    memset(&creds, 0, sizeof(creds));
    creds.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    no_aws_environment();
    config_of(&cfg, "region = cn-north-1\n", net_closed_port());
    assert_status(eksauth_cluster_token(&cfg, &creds, NOW, token, EKSAUTH_SIGV4_TOKEN_MAX, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_sigv4_sts_token(&creds, &req, want, EKSAUTH_SIGV4_TOKEN_MAX, NULL, &err),
                  EKSAUTH_OK);
    assert_true(strcmp(token, want) == 0);
    /* The cluster takes it: its host and region are aws-cn's, dated now. */
    assert_status(eksauth_token_check(token, strlen(token), NOW, &policy, &tok, &err), EKSAUTH_OK);
    assert_string_equal(tok.host, "sts.cn-north-1.amazonaws.com.cn");
    assert_string_equal(tok.region, "cn-north-1");
    assert_true(tok.signed_at == NOW);
    eksauth_token_wipe(&tok);
    memset(token, 0, EKSAUTH_SIGV4_TOKEN_MAX);
    memset(want, 0, EKSAUTH_SIGV4_TOKEN_MAX);
    free(token);
    free(want);
    eksauth_config_free(&cfg);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_region_config_then_environment),
                  cmocka_unit_test(test_region_from_instance_metadata),
                  cmocka_unit_test(test_region_from_instance_metadata_checked),
                  cmocka_unit_test(test_region_none),
                  cmocka_unit_test(test_creds_from_configured_instance_metadata),
                  cmocka_unit_test(test_token_for_the_cluster))
