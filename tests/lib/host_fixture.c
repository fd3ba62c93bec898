/*
 * host_fixture.c - a throwaway host for the flow tests (see host_fixture.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/login.h"
#include "eksauth/mint.h"
#include "eksauth/sigv4.h"
#include "eksauth/strlist.h"
#include "host_fixture.h"
#include "scratch.h"

/* The context under test is the only one: the fakes find their fixture here. */
static struct host_fixture *current;

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static enum eksauth_status fake_sts(const struct eksauth_config *cfg, const char *audience,
                                    const char *tls_session, const struct eksauth_token *tok,
                                    struct eksauth_sts_identity *out, struct eksauth_error *err)
{
    struct host_fixture *h = current;
    char body[1024];

    (void)tok;
    (void)tls_session;
    h->sts_calls++;
    snprintf(h->sts_audience, sizeof(h->sts_audience), "%s",
             audience != NULL ? audience : cfg->cluster_id);
    if (h->sts_status != EKSAUTH_OK)
        return eksauth_fail(err, h->sts_status, "sts: fake: %s",
                            h->sts_status == EKSAUTH_EUNAVAIL ? "Throttling" : "denied");
    /* STS verifies the signature over the x-k8s-aws-id the caller sends. */
    if (strcmp(h->sts_audience, h->minted_for) != 0) {
        snprintf(body, sizeof(body),
                 "{\"Error\":{\"Code\":\"SignatureDoesNotMatch\",\"Message\":\"x\"}}");
        return eksauth_sts_parse_response(403, body, strlen(body), out, err);
    }
    /* STS's own JSON, read by the real parser. */
    snprintf(body, sizeof(body),
             "{\"GetCallerIdentityResponse\":{\"GetCallerIdentityResult\":{\"Account\":\"%s\","
             "\"Arn\":\"%s\",\"UserId\":\"%s\"},\"ResponseMetadata\":{\"RequestId\":\"x\"}}}",
             FIXTURE_ACCOUNT, h->sts_arn, h->sts_user_id);
    return eksauth_sts_parse_response(200, body, strlen(body), out, err);
}

static enum eksauth_status fake_cluster(const struct eksauth_config *cfg, struct eksauth_fetch *f,
                                        struct eksauth_cluster_snapshot *out,
                                        struct eksauth_error *err)
{
    struct host_fixture *h = current;
    const char *doc = h->cluster_doc;
    char version[sizeof(h->cluster_version)];

    (void)cfg;
    memset(out, 0, sizeof(*out));
    h->cluster_calls++;
    snprintf(version, sizeof(version), "%s", h->cluster_version);
    if (h->cluster_fetching != NULL)
        h->cluster_fetching(h, h->cluster_calls);
    snprintf(h->cluster_since, sizeof(h->cluster_since), "%s",
             f->since_rv != NULL ? f->since_rv : "");
    h->cluster_budget = f->budget != NULL ? f->budget->max : 0;
    /* One request of the budget, as a list is. */
    if (eksauth_budget_take(f->budget, "fake cluster", err) != EKSAUTH_OK)
        return EKSAUTH_EUNAVAIL;
    if (h->cluster_status != EKSAUTH_OK && h->cluster_throttled) {
        struct eksauth_backoff backoff;
        unsigned attempt = 0;

        /* As kube.c does with a 429: tried again while the budget's attempts last. */
        eksauth_backoff_init(&backoff, EKSAUTH_RETRY_BASE_MS, EKSAUTH_RETRY_CAP_MS);
        while (eksauth_budget_retry(f->budget, &backoff, &attempt, 0, true))
            assert_int_equal(eksauth_budget_take(f->budget, "fake cluster", err), EKSAUTH_OK);
        return eksauth_fail(err, h->cluster_status, "kubernetes: fake: HTTP 429");
    }
    if (h->cluster_status != EKSAUTH_OK)
        return eksauth_fail(err, h->cluster_status, "kubernetes: fake: HTTP 500");
    out->data = strdup(doc);
    assert_non_null(out->data);
    out->len = strlen(out->data);
    snprintf(out->version, sizeof(out->version), "%s", version);
    snprintf(out->rv, sizeof(out->rv), "%s", h->cluster_rv);
    snprintf(out->what, sizeof(out->what), "fake cluster");
    if (h->cluster_stale != NULL)
        assert_int_equal(eksauth_strv_add(&out->stale, &out->n_stale, h->cluster_stale, NULL),
                         EKSAUTH_OK);
    return EKSAUTH_OK;
}

static enum eksauth_status
fake_watch(const struct eksauth_config *cfg, const char *rv, long timeout_s,
           int (*on_event)(void *ctx, const struct eksauth_kube_event *ev), void *ctx,
           long *retry_after_ms, struct eksauth_error *err)
{
    struct host_fixture *h = current;
    struct eksauth_kube_event ev;
    unsigned i = h->watch_calls++;

    (void)cfg;
    assert_true(i < 16);
    *retry_after_ms = h->watch_retry_after[i];
    snprintf(h->watch_rv[i], sizeof(h->watch_rv[i]), "%s", rv != NULL ? rv : "");
    h->watch_timeout[i] = timeout_s;
    if (h->watch_started != NULL)
        h->watch_started(h, i);
    if (h->watch_bookmark[i][0] != '\0') {
        memset(&ev, 0, sizeof(ev));
        ev.type = EKSAUTH_KUBE_BOOKMARK;
        snprintf(ev.rv, sizeof(ev.rv), "%s", h->watch_bookmark[i]);
        if (on_event(ctx, &ev) != 0)
            return EKSAUTH_OK;
    }
    if (h->watch_event_rv[i][0] != '\0') {
        memset(&ev, 0, sizeof(ev));
        ev.type = h->watch_deleted[i] ? EKSAUTH_KUBE_DELETED : EKSAUTH_KUBE_MODIFIED;
        snprintf(ev.rv, sizeof(ev.rv), "%s", h->watch_event_rv[i]);
        ev.object = (char *)h->cluster_doc;
        ev.object_len = strlen(h->cluster_doc);
        if (on_event(ctx, &ev) != 0)
            return EKSAUTH_OK;
    }
    if (h->watch_status[i] == EKSAUTH_OK) {
        /* A stream that runs its course lasts its timeout. */
        if (!h->watch_cut_short[i])
            h->clock_ms += timeout_s * 1000;
        return EKSAUTH_OK;
    }
    return eksauth_fail(err, h->watch_status[i], "Kubernetes API: watch: fake %s",
                        h->watch_status[i] == EKSAUTH_ENOTFOUND ? "ERROR 410" : "drop");
}

static void fake_sleep(long ms)
{
    struct host_fixture *h = current;

    if (h->n_sleeps < sizeof(h->sleeps) / sizeof(h->sleeps[0]))
        h->sleeps[h->n_sleeps++] = ms;
    h->clock_ms += ms;
}

static long long fake_now_ms(void)
{
    return current->clock_ms;
}

static uint32_t fake_random(void)
{
    return current->random;
}

void host_fixture_reopen(struct host_fixture *h)
{
    struct eksauth_error err;

    eksauth_ctx_close(&h->ctx);
    eksauth_ctx_init(&h->ctx, EKSAUTH_CTX_CONFIG_REQUIRED);
    if (eksauth_ctx_load(&h->ctx, h->config, &err) != EKSAUTH_OK)
        fail_msg("config: %s", err.msg);
    h->ctx.passwd_path = h->passwd_path;
    h->ctx.group_path = h->group_path;
    h->ctx.services.sts_get_caller_identity = fake_sts;
    h->ctx.services.cluster_fetch = fake_cluster;
    h->ctx.services.kube_watch = fake_watch;
    h->ctx.services.sleep_ms = fake_sleep;
    h->ctx.services.random_u32 = fake_random;
    h->ctx.services.now_ms = fake_now_ms;
    current = h;
}

struct host_fixture *host_fixture_new(const char *config_extra, const char *aws_auth)
{
    struct host_fixture *h = calloc(1, sizeof(*h));
    char text[1024];

    assert_non_null(h);
    scratch_make(h->dir, sizeof(h->dir), "flow");
    snprintf(h->config, sizeof(h->config), "%s/eksauth.conf", h->dir);
    snprintf(h->aws_auth, sizeof(h->aws_auth), "%s/aws-auth.yaml", h->dir);
    snprintf(h->db, sizeof(h->db), "%s/identity.db", h->dir);
    snprintf(text, sizeof(text),
             "cluster_id = %s\nhost_name = %s\nregion = us-east-1\ndb_path = %s\n%s%s%s",
             FIXTURE_CLUSTER, FIXTURE_HOST, h->db, aws_auth != NULL ? "aws_auth_file = " : "",
             aws_auth != NULL ? h->aws_auth : "", aws_auth != NULL ? "\n" : "");
    if (config_extra != NULL)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s", config_extra);
    write_file(h->config, text);
    if (aws_auth != NULL)
        write_file(h->aws_auth, aws_auth);
    host_fixture_reopen(h);
    return h;
}

void host_fixture_write_aws_auth(struct host_fixture *h, const char *text)
{
    write_file(h->aws_auth, text);
}

void host_fixture_sts_answer(struct host_fixture *h, const char *arn)
{
    const char *session = strstr(arn, ":assumed-role/");

    snprintf(h->sts_arn, sizeof(h->sts_arn), "%s", arn);
    if (session != NULL) {
        session = strrchr(arn, '/') + 1;
        snprintf(h->sts_user_id, sizeof(h->sts_user_id), "AROAEXAMPLEROLEID0001:%s", session);
    } else {
        snprintf(h->sts_user_id, sizeof(h->sts_user_id), "AIDAEXAMPLEUSERID0001");
    }
    h->sts_status = EKSAUTH_OK;
}

void host_fixture_token(struct host_fixture *h, const char *audience, time_t signed_at, char *out,
                        size_t cap, size_t *len)
{
    struct eksauth_creds creds;
    struct eksauth_error err;
    struct eksauth_mint m;

    memset(&creds, 0, sizeof(creds));
    creds.access_key_id = "AKIAIOSFODNN7EXAMPLE";
    creds.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    memset(&m, 0, sizeof(m));
    m.audience = audience;
    m.region = "us-east-1";
    m.now = signed_at;
    if (eksauth_mint_token(&m, &creds, out, cap, len, &err) != EKSAUTH_OK)
        fail_msg("mint: %s", err.msg);
    snprintf(h->minted_for, sizeof(h->minted_for), "%s", audience);
}

enum eksauth_status host_fixture_check_login(struct host_fixture *h, const char *arn,
                                             struct eksauth_login **l, struct eksauth_error *err)
{
    char token[EKSAUTH_SIGV4_TOKEN_MAX];
    struct eksauth_login_request req;
    size_t len;

    host_fixture_sts_answer(h, arn);
    host_fixture_token(h, FIXTURE_AUDIENCE, FIXTURE_NOW, token, sizeof(token), &len);
    memset(&req, 0, sizeof(req));
    req.token = token;
    req.len = len;
    req.now = FIXTURE_NOW + 5;
    return eksauth_login_check(&h->ctx, &req, l, err);
}

void host_fixture_root_only(struct host_fixture *h, char *passwd, char *group, size_t n)
{
    FILE *f;

    snprintf(passwd, n, "%s/passwd", h->dir);
    snprintf(group, n, "%s/group", h->dir);
    assert_non_null(f = fopen(passwd, "w"));
    fputs("root:x:0:0:root:/root:/bin/sh\n", f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(f = fopen(group, "w"));
    fputs("root:x:0:\n", f);
    assert_int_equal(fclose(f), 0);
    h->passwd_path = passwd;
    h->group_path = group;
}

void host_fixture_free(struct host_fixture *h)
{
    if (h == NULL)
        return;
    eksauth_ctx_close(&h->ctx);
    scratch_remove(h->dir);
    if (current == h)
        current = NULL;
    free(h);
}

void host_fixture_copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    size_t n;

    if (in == NULL || out == NULL)
        fail_msg("copy %s to %s: cannot open", from, to);
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n)
            fail_msg("copy %s to %s: short write", from, to);
    }
    if (fclose(in) != 0 || fclose(out) != 0)
        fail_msg("copy %s to %s: close failed", from, to);
}
