/*
 * kube.c - the Kubernetes API for the aws-auth ConfigMap: its GET and its
 * watch, the bearer token, the cluster's own CA (see kube.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "eksauth/backoff.h"
#include "eksauth/budget.h"
#include "eksauth/cluster_host.h"
#include "eksauth/http.h"
#include "eksauth/json_answer.h"
#include "eksauth/kube.h"
#include "eksauth/sigv4.h"

#define CM_PATH "/api/v1/namespaces/kube-system/configmaps"

/* ------------------------------------------------------------------ */
/* pure */

bool eksauth_kube_rv_valid(const char *rv)
{
    size_t i;

    /* It is sent back in a query string: a small safe alphabet, no encoding needed. */
    if (rv == NULL || rv[0] == '\0')
        return false;
    for (i = 0; rv[i] != '\0'; i++) {
        char c = rv[i];

        if (i >= EKSAUTH_KUBE_RV_MAX - 1 ||
            !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static enum eksauth_status configmap_meta(struct json_object *cm, char *rv, size_t rvlen,
                                          struct eksauth_error *err)
{
    struct json_object *meta = eksauth_json_answer_obj(cm, "metadata");
    const char *kind = eksauth_json_answer_str(cm, "kind"), *name, *ns, *v;

    if (rvlen > 0)
        rv[0] = '\0';
    if (kind != NULL && strcmp(kind, "ConfigMap") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the answer is a %.40s, not a "
                            "ConfigMap",
                            eksauth_json_answer_visible(kind, strlen(kind)) ? kind : "?");
    if (meta == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: the ConfigMap has no metadata");
    name = eksauth_json_answer_str(meta, "name");
    ns = eksauth_json_answer_str(meta, "namespace");
    /* Only the one ConfigMap the cluster's authenticator reads counts. */
    if (name == NULL || strcmp(name, "aws-auth") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap is not named aws-auth");
    if (ns != NULL && strcmp(ns, "kube-system") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap is not in kube-system");
    v = eksauth_json_answer_str(meta, "resourceVersion");
    if (v == NULL || !eksauth_kube_rv_valid(v) || strlen(v) >= rvlen)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap has no valid resourceVersion");
    memcpy(rv, v, strlen(v) + 1);
    return EKSAUTH_OK;
}

/*
 * The ConfigMap as the snapshot keeps it (malloc'd; NULL: no memory), with
 * neither kind nor apiVersion: an API server sends them on a watch's objects
 * but not on a list's items, and the snapshot's sha256 is what tells a
 * later list that this ConfigMap is already applied (lib/sync.c
 * already_applied), so the same ConfigMap must be the same bytes from
 * either.  cm's kind was checked first (configmap_meta).
 */
static char *configmap_text(struct json_object *cm)
{
    const char *text;

    json_object_object_del(cm, "kind");
    json_object_object_del(cm, "apiVersion");
    text = json_object_to_json_string_ext(cm, JSON_C_TO_STRING_PLAIN);
    return text != NULL ? strdup(text) : NULL;
}

enum eksauth_status eksauth_kube_parse_configmap(const char *body, size_t len, char *rv,
                                                 size_t rvlen, struct eksauth_error *err)
{
    struct json_object *root = eksauth_json_answer_parse(body, len, EKSAUTH_KUBE_MAX_BODY);
    enum eksauth_status st;

    if (rvlen > 0)
        rv[0] = '\0';
    if (root == NULL || !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the answer is not a JSON "
                            "object");
    }
    st = configmap_meta(root, rv, rvlen, err);
    json_object_put(root);
    return st;
}

enum eksauth_status eksauth_kube_parse_list(const char *body, size_t len, char **object,
                                            size_t *object_len, char *rv, size_t rvlen,
                                            char *list_rv, size_t list_rvlen,
                                            struct eksauth_error *err)
{
    struct json_object *root = eksauth_json_answer_parse(body, len, EKSAUTH_KUBE_MAX_BODY);
    struct json_object *items = NULL, *item;
    const char *kind = eksauth_json_answer_str(root, "kind");
    const char *v =
        eksauth_json_answer_str(eksauth_json_answer_obj(root, "metadata"), "resourceVersion");
    enum eksauth_status st = EKSAUTH_OK;

    *object = NULL;
    *object_len = 0;
    if (rvlen > 0)
        rv[0] = '\0';
    if (list_rvlen > 0)
        list_rv[0] = '\0';
    if (root == NULL || (kind != NULL && strcmp(kind, "ConfigMapList") != 0) ||
        !json_object_object_get_ex(root, "items", &items) ||
        !json_object_is_type(items, json_type_array)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: list configmaps: the answer is not a ConfigMapList");
        goto out;
    }
    /* The list's version is where a watch starts: it must be one we can send back. */
    if (v == NULL || !eksauth_kube_rv_valid(v) || strlen(v) >= list_rvlen) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: list configmaps: no valid metadata.resourceVersion");
        goto out;
    }
    memcpy(list_rv, v, strlen(v) + 1);
    if (json_object_array_length(items) == 0)
        goto out;
    /* The field selector names one object: anything else is not the answer asked for. */
    if (json_object_array_length(items) > 1) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: list configmaps: more than one item for "
                          "metadata.name=aws-auth");
        goto out;
    }
    item = json_object_array_get_idx(items, 0);
    st = configmap_meta(item, rv, rvlen, err);
    if (st != EKSAUTH_OK)
        goto out;
    if ((*object = configmap_text(item)) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "Kubernetes API: out of memory");
        goto out;
    }
    *object_len = strlen(*object);
out:
    json_object_put(root);
    return st;
}

enum eksauth_status eksauth_kube_parse_event(const char *line, size_t len,
                                             struct eksauth_kube_event *ev,
                                             struct eksauth_error *err)
{
    static const struct {
        const char *name;
        enum eksauth_kube_event_type type;
    } types[] = {
        {"ADDED", EKSAUTH_KUBE_ADDED},     {"MODIFIED", EKSAUTH_KUBE_MODIFIED},
        {"DELETED", EKSAUTH_KUBE_DELETED}, {"BOOKMARK", EKSAUTH_KUBE_BOOKMARK},
        {"ERROR", EKSAUTH_KUBE_ERROR},
    };
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *obj, *meta, *code = NULL;
    const char *type, *m, *rv;
    size_t i;

    memset(ev, 0, sizeof(*ev));
    root = eksauth_json_answer_parse(line, len, EKSAUTH_KUBE_LINE_MAX);
    type = eksauth_json_answer_str(root, "type");
    obj = eksauth_json_answer_obj(root, "object");
    if (type == NULL || obj == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: watch: an event that is not "
                          "{type, object}");
        goto out;
    }
    for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(type, types[i].name) == 0)
            break;
    }
    if (i == sizeof(types) / sizeof(types[0])) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: watch: unknown event type");
        goto out;
    }
    ev->type = types[i].type;
    if (ev->type == EKSAUTH_KUBE_ERROR) {
        /* The object is a Status: 410 Gone means our resourceVersion was compacted away. */
        if (json_object_object_get_ex(obj, "code", &code) &&
            json_object_is_type(code, json_type_int))
            ev->code = (long)json_object_get_int64(code);
        if ((m = eksauth_json_answer_str(obj, "message")) != NULL)
            eksauth_json_answer_safe_copy(m, strlen(m), ev->message, sizeof(ev->message));
        goto out;
    }
    if (ev->type == EKSAUTH_KUBE_BOOKMARK) {
        meta = eksauth_json_answer_obj(obj, "metadata");
        rv = eksauth_json_answer_str(meta, "resourceVersion");
        if (rv == NULL || !eksauth_kube_rv_valid(rv)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "Kubernetes API: watch: a bookmark without "
                              "a valid resourceVersion");
            goto out;
        }
        memcpy(ev->rv, rv, strlen(rv) + 1);
        goto out;
    }
    st = configmap_meta(obj, ev->rv, sizeof(ev->rv), err);
    if (st != EKSAUTH_OK)
        goto out;
    ev->object = configmap_text(obj);
    if (ev->object == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "Kubernetes API: out of memory");
        goto out;
    }
    ev->object_len = strlen(ev->object);
out:
    json_object_put(root);
    if (st != EKSAUTH_OK)
        eksauth_kube_event_free(ev);
    return st;
}

void eksauth_kube_event_free(struct eksauth_kube_event *ev)
{
    if (ev == NULL)
        return;
    free(ev->object);
    memset(ev, 0, sizeof(*ev));
}

int eksauth_kube_lines_feed(struct eksauth_kube_lines *l, const char *data, size_t n,
                            int (*on_line)(void *ctx, const char *line, size_t len), void *ctx)
{
    size_t i, start = 0;
    int r;

    for (i = 0; i < n; i++) {
        if (data[i] != '\n')
            continue;
        /* Bounded however the network cut it (l->len: what came of it before). */
        if (i - start > EKSAUTH_KUBE_LINE_MAX - l->len)
            return -1;
        if (l->len > 0) {
            /* The first part of this line came earlier: join it in the buffer. */
            if (l->len + (i - start) > l->cap) {
                char *grown = realloc(l->buf, l->len + (i - start));

                if (grown == NULL)
                    return -1;
                l->buf = grown;
                l->cap = l->len + (i - start);
            }
            memcpy(l->buf + l->len, data + start, i - start);
            r = on_line(ctx, l->buf, l->len + (i - start));
            l->len = 0;
        } else {
            r = on_line(ctx, data + start, i - start);
        }
        if (r != 0)
            return r;
        start = i + 1;
    }
    if (start < n) {
        size_t rest = n - start;

        /* Bounded: a server that never sends a newline cannot grow memory forever. */
        if (rest > EKSAUTH_KUBE_LINE_MAX - l->len)
            return -1;
        if (l->len + rest > l->cap) {
            size_t cap = l->cap == 0 ? 4096 : l->cap;
            char *grown;

            while (cap < l->len + rest)
                cap *= 2;
            if (cap > EKSAUTH_KUBE_LINE_MAX)
                cap = EKSAUTH_KUBE_LINE_MAX;
            grown = realloc(l->buf, cap);
            if (grown == NULL)
                return -1;
            l->buf = grown;
            l->cap = cap;
        }
        memcpy(l->buf + l->len, data + start, rest);
        l->len += rest;
    }
    return 0;
}

void eksauth_kube_lines_free(struct eksauth_kube_lines *l)
{
    free(l->buf);
    memset(l, 0, sizeof(*l));
}

/* ------------------------------------------------------------------ */
/* calls */

struct kube_conn {
    char *ca_pem;
    size_t ca_len;
    char auth[EKSAUTH_SIGV4_TOKEN_MAX + 32]; /* "Authorization: Bearer k8s-aws-v1...." */
    char base[512];
    const char *headers[3]; /* auth, then JSON accepted */
};

static void kube_conn_end(struct kube_conn *k)
{
    /* The bearer token logs anyone into the cluster as this host for 15 minutes. */
    OPENSSL_cleanse(k->auth, sizeof(k->auth));
    free(k->ca_pem);
    k->ca_pem = NULL;
}

static enum eksauth_status kube_conn_start(const struct eksauth_config *cfg, struct kube_conn *k,
                                           struct eksauth_error *err)
{
    struct eksauth_creds creds;
    enum eksauth_status st;
    size_t n;

    memset(k, 0, sizeof(*k));
    if (cfg->cluster_endpoint == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "source = %s needs cluster_endpoint (the API server URL)",
                            eksauth_source_name(cfg->source));
    /* Never the system store for the API server: its CA is the cluster's own. */
    if (cfg->cluster_ca_file == NULL && cfg->cluster_ca_data == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "source = %s needs cluster_ca_file or cluster_ca_data",
                            eksauth_source_name(cfg->source));
    n = strlen(cfg->cluster_endpoint);
    while (n > 0 && cfg->cluster_endpoint[n - 1] == '/')
        n--;
    if (n >= sizeof(k->base))
        return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_endpoint is too long");
    memcpy(k->base, cfg->cluster_endpoint, n);
    k->base[n] = '\0';
    if (cfg->cluster_ca_data != NULL &&
        (st = eksauth_kube_ca_pem(cfg->cluster_ca_data, &k->ca_pem, &k->ca_len, err)) != EKSAUTH_OK)
        return st;
    st = eksauth_cluster_creds(cfg, &creds, err);
    if (st != EKSAUTH_OK)
        goto out;
    memcpy(k->auth, "Authorization: Bearer ", 22);
    st = eksauth_cluster_token(cfg, &creds, time(NULL), k->auth + 22, sizeof(k->auth) - 22, err);
    k->headers[0] = k->auth;
    k->headers[1] = "Accept: application/json";
    k->headers[2] = NULL;
out:
    eksauth_creds_free(&creds);
    if (st != EKSAUTH_OK)
        kube_conn_end(k);
    return st;
}

void eksauth_kube_connection(const struct eksauth_config *cfg, const char *ca_pem, size_t ca_len,
                             struct eksauth_http_request *req)
{
    memset(req, 0, sizeof(*req));
    req->ca_pem = ca_pem;
    req->ca_pem_len = ca_len;
    req->ca_file = cfg->cluster_ca_file;
    req->ca_key = ca_pem != NULL ? "cluster_ca_data" : "cluster_ca_file";
    req->proxy = cfg->https_proxy;
    req->connect_timeout_ms = EKSAUTH_KUBE_CONNECT_MS;
    req->timeout_ms = EKSAUTH_KUBE_TIMEOUT_MS;
}

static void kube_request(const struct eksauth_config *cfg, const struct kube_conn *k,
                         const char *url, struct eksauth_http_request *req)
{
    eksauth_kube_connection(cfg, k->ca_pem, k->ca_len, req);
    req->what = "Kubernetes API";
    req->url = url;
    req->headers = k->headers;
    req->max_body = EKSAUTH_KUBE_MAX_BODY;
}

/* One rule for an HTTP answer, a Status line and a watch's ERROR event (kube.h). */
enum eksauth_status eksauth_kube_code_status(long code)
{
    if (code == 410)
        return EKSAUTH_ENOTFOUND;
    if (code == 401 || code == 403)
        return EKSAUTH_EREJECTED;
    if (code == 0 || code == 429 || code >= 500)
        return EKSAUTH_EUNAVAIL;
    return EKSAUTH_EINVAL;
}

/* A non-200 answer of the Kubernetes API, as a status and a message a person can act on. */
static enum eksauth_status kube_http_error(const struct eksauth_config *cfg, long status,
                                           const char *body, size_t len, const char *what,
                                           struct eksauth_error *err)
{
    char msg[200];

    eksauth_kube_status_message(body, len, msg, sizeof(msg));
    if (status == 401)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "Kubernetes API: %s: 401 Unauthorized: the cluster did not accept "
                            "this host's identity for cluster id %s: map the host's IAM role in "
                            "aws-auth or an access entry, and give it %s",
                            what, cfg->cluster_id, EKSAUTH_KUBE_RBAC_HINT);
    if (status == 403)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "Kubernetes API: %s: 403 Forbidden%s%s: this host's role needs read "
                            "access to ConfigMap kube-system/aws-auth: %s",
                            what, msg[0] != '\0' ? " " : "", msg, EKSAUTH_KUBE_RBAC_HINT);
    if (status == 404)
        return eksauth_fail(err, eksauth_kube_code_status(status),
                            "Kubernetes API: %s: 404 Not Found%s%s: the API server has no such "
                            "path: check cluster_endpoint (%.300s)",
                            what, msg[0] != '\0' ? ": " : "", msg, cfg->cluster_endpoint);
    if (status == 410)
        return eksauth_fail(err, eksauth_kube_code_status(status), "Kubernetes API: %s: 410 Gone",
                            what);
    return eksauth_fail(err, eksauth_kube_code_status(status), "Kubernetes API: %s: HTTP %ld%s%s",
                        what, status, msg[0] != '\0' ? ": " : "", msg);
}

void eksauth_kube_configmap_free(struct eksauth_kube_configmap *cm)
{
    if (cm == NULL)
        return;
    free(cm->data);
    memset(cm, 0, sizeof(*cm));
}

/*
 * A resourceVersion newer than the API server has (a cluster restored from
 * a backup, a state file from another cluster): "Too large resource
 * version", HTTP 504.
 */
static bool rv_too_large(long status, const char *body, size_t len)
{
    char msg[200];

    eksauth_kube_status_message(body, len, msg, sizeof(msg));
    return status == 504 && strstr(msg, "Too large resource version") != NULL;
}

enum eksauth_status eksauth_kube_list_configmap(const struct eksauth_config *cfg,
                                                const char *since_rv, struct eksauth_budget *budget,
                                                struct eksauth_kube_configmap *out,
                                                struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    struct eksauth_http_request req;
    struct eksauth_backoff backoff;
    struct kube_conn k;
    enum eksauth_status st;
    unsigned attempt = 0;
    bool throttled;
    char url[900];

    memset(out, 0, sizeof(*out));
    if (since_rv != NULL && !eksauth_kube_rv_valid(since_rv))
        since_rv = NULL;
    if ((st = kube_conn_start(cfg, &k, err)) != EKSAUTH_OK)
        return st;
    eksauth_backoff_init(&backoff, EKSAUTH_RETRY_BASE_MS, EKSAUTH_RETRY_CAP_MS);
    for (;;) {
        /*
         * From the API server's watch cache, at least as new as what this
         * host has seen (NotOlderThan): no read of etcd per host and sync.
         * The first list of a host (no version yet) is a quorum read.
         */
        snprintf(url, sizeof(url), "%s" CM_PATH "?fieldSelector=metadata.name%%3Daws-auth%s%s%s",
                 k.base, since_rv != NULL ? "&resourceVersion=" : "",
                 since_rv != NULL ? since_rv : "",
                 since_rv != NULL ? "&resourceVersionMatch=NotOlderThan" : "");
        kube_request(cfg, &k, url, &req);
        if ((st = eksauth_budget_take(budget, "Kubernetes API: list configmaps", err)) !=
            EKSAUTH_OK)
            goto out;
        eksauth_http_response_free(&resp);
        st = eksauth_http_perform(&req, &resp, err);
        if (st == EKSAUTH_OK && since_rv != NULL &&
            rv_too_large(resp.status, resp.body, resp.len)) {
            /* Ours is from another history: list as a host that has seen nothing. */
            since_rv = NULL;
            continue;
        }
        throttled = st == EKSAUTH_OK && resp.status == 429;
        if (st == EKSAUTH_OK && resp.status != 200)
            st = kube_http_error(cfg, resp.status, resp.body, resp.len, "list configmaps", err);
        /* Only what trying again may mend: throttling, 5xx, a connection that failed. */
        if (st != EKSAUTH_EUNAVAIL ||
            !eksauth_budget_retry(budget, &backoff, &attempt, resp.retry_after_ms, throttled))
            break;
    }
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_kube_parse_list(resp.body, resp.len, &out->data, &out->len, out->rv,
                                 sizeof(out->rv), out->list_rv, sizeof(out->list_rv), err);
    out->absent = st == EKSAUTH_OK && out->data == NULL;
    if (out->absent)
        st = eksauth_fail(err, EKSAUTH_ENOTFOUND,
                          "Kubernetes API: list configmaps: there is no ConfigMap "
                          "kube-system/aws-auth");
    snprintf(out->what, sizeof(out->what), "%.300s ConfigMap kube-system/aws-auth", k.base);
out:
    eksauth_http_response_free(&resp);
    kube_conn_end(&k);
    return st;
}

struct watch_ctx {
    struct eksauth_kube_lines lines;
    int (*on_event)(void *, const struct eksauth_kube_event *);
    void *ctx;
    enum eksauth_status st;
    struct eksauth_error err;
    bool stopped_by_caller;
    long http_status_seen;
};

/* The code of a Kubernetes Status object (an error answer instead of a stream), or 0. */
static long status_code(const char *line, size_t len)
{
    struct json_object *root = eksauth_json_answer_parse(line, len, 64 * 1024), *code = NULL;
    const char *kind = eksauth_json_answer_str(root, "kind");
    long c = 0;

    if (kind != NULL && strcmp(kind, "Status") == 0 &&
        json_object_object_get_ex(root, "code", &code) && json_object_is_type(code, json_type_int))
        c = (long)json_object_get_int64(code);
    json_object_put(root);
    return c;
}

static int watch_line(void *p, const char *line, size_t len)
{
    struct watch_ctx *w = p;
    struct eksauth_kube_event ev;
    char msg[200];
    long code;
    int r;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return 0;
    if (eksauth_kube_parse_event(line, len, &ev, &w->err) != EKSAUTH_OK) {
        /* A refusal (429 from a busy server, 5xx, 410) answered as a Status: its code counts. */
        if ((code = status_code(line, len)) != 0) {
            eksauth_kube_status_message(line, len, msg, sizeof(msg));
            eksauth_fail(&w->err, eksauth_kube_code_status(code),
                         "Kubernetes API: watch configmaps: HTTP %ld%s%s", code,
                         msg[0] != '\0' ? ": " : "", msg);
        }
        w->st = w->err.status;
        return 1;
    }
    if (ev.type == EKSAUTH_KUBE_ERROR) {
        /* 410: our resourceVersion is too old; the caller lists again. */
        w->st = eksauth_fail(&w->err, eksauth_kube_code_status(ev.code),
                             "Kubernetes API: watch: ERROR %ld%s%s", ev.code,
                             ev.message[0] != '\0' ? ": " : "", ev.message);
        eksauth_kube_event_free(&ev);
        return 1;
    }
    r = w->on_event(w->ctx, &ev);
    eksauth_kube_event_free(&ev);
    if (r != 0)
        w->stopped_by_caller = true;
    return r;
}

static int watch_data(void *p, const char *data, size_t len)
{
    struct watch_ctx *w = p;
    int r = eksauth_kube_lines_feed(&w->lines, data, len, watch_line, w);

    if (r < 0) {
        w->st = eksauth_fail(&w->err, EKSAUTH_EINVAL,
                             "Kubernetes API: watch: an event longer than %u bytes or no memory",
                             EKSAUTH_KUBE_LINE_MAX);
    }
    return r;
}

enum eksauth_status
eksauth_kube_watch(const struct eksauth_config *cfg, const char *rv, long timeout_s,
                   int (*on_event)(void *ctx, const struct eksauth_kube_event *ev), void *ctx,
                   long *retry_after_ms, struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    struct eksauth_http_request req;
    struct watch_ctx w;
    struct kube_conn k;
    enum eksauth_status st;
    char url[900];

    if (retry_after_ms != NULL)
        *retry_after_ms = 0;
    memset(&w, 0, sizeof(w));
    w.on_event = on_event;
    w.ctx = ctx;
    w.st = EKSAUTH_OK;
    /* No version: "the current state, then changes" (after a 410 Gone). */
    if (rv != NULL && rv[0] != '\0' && !eksauth_kube_rv_valid(rv))
        return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: watch: bad resourceVersion");
    if (timeout_s < 1)
        timeout_s = 300;
    else if (timeout_s > 3600) /* a jittered --interval 3600 is still an hour at most */
        timeout_s = 3600;
    /*
     * ENOTFOUND is this call's 410 Gone (kube.h): credentials not found
     * (none, or instance metadata that did not answer) are another failure,
     * which the watch backs off from rather than listing again.
     */
    if ((st = kube_conn_start(cfg, &k, err)) != EKSAUTH_OK) {
        if (st == EKSAUTH_ENOTFOUND) {
            st = EKSAUTH_EUNAVAIL;
            if (err != NULL)
                err->status = st;
        }
        return st;
    }
    snprintf(url, sizeof(url),
             "%s" CM_PATH "?watch=1&fieldSelector=metadata.name%%3Daws-auth%s%s"
             "&timeoutSeconds=%ld&allowWatchBookmarks=true",
             k.base, rv != NULL && rv[0] != '\0' ? "&resourceVersion=" : "", rv != NULL ? rv : "",
             timeout_s);
    kube_request(cfg, &k, url, &req);
    /* The server ends the stream after timeoutSeconds; ours is a safety net above it. */
    req.timeout_ms = (timeout_s + 30) * 1000;
    req.low_speed_s = timeout_s + 30;
    req.on_data = watch_data;
    req.ctx = &w;
    st = eksauth_http_perform(&req, &resp, err);
    if (retry_after_ms != NULL)
        *retry_after_ms = resp.retry_after_ms;
    if (w.stopped_by_caller) {
        st = EKSAUTH_OK;
        goto out;
    }
    if (w.st != EKSAUTH_OK) {
        st = w.st;
        if (err != NULL)
            *err = w.err;
        goto out;
    }
    if (st != EKSAUTH_OK)
        goto out;
    if (resp.status != 200) {
        /* An error answer: its first bytes are kept (http.h), its Status's message quoted. */
        st = kube_http_error(cfg, resp.status, resp.body, resp.len, "watch configmaps", err);
        goto out;
    }
    /*
     * Ended well with part of a line unread (a proxy that closed it so): an
     * event lost, not a stream that ran its course, which would confirm the
     * snapshot (sync_watch.c).  A drop: resumed from the last event whole.
     */
    if (w.lines.len > 0)
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL,
                          "Kubernetes API: watch: the stream ended within an event (%zu bytes "
                          "without their end of line)",
                          w.lines.len);
out:
    eksauth_http_response_free(&resp);
    eksauth_kube_lines_free(&w.lines);
    kube_conn_end(&k);
    return st;
}
