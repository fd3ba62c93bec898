/*
 * kube.c - aws-auth from the cluster: the Kubernetes API (GET and watch of
 * the aws-auth ConfigMap) and the EKS API (access entries).  See kube.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/http.h"
#include "eksauth/imds.h"
#include "eksauth/kube.h"
#include "eksauth/partition.h"
#include "eksauth/sigv4.h"

#define CM_PATH "/api/v1/namespaces/kube-system/configmaps"

/* ------------------------------------------------------------------ */
/* small helpers */

static bool visible(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    }
    return true;
}

/* One JSON value with only white space after it; NULL otherwise. */
static struct json_object *parse_json(const char *body, size_t len, size_t max)
{
    struct json_tokener *tk;
    struct json_object *obj = NULL;
    size_t i, end;

    if (body == NULL || len == 0 || len > max || len > INT32_MAX || memchr(body, '\0', len) != NULL)
        return NULL;
    tk = json_tokener_new_ex(64);
    if (tk == NULL)
        return NULL;
    obj = json_tokener_parse_ex(tk, body, (int)len);
    if (obj == NULL || json_tokener_get_error(tk) != json_tokener_success)
        goto fail;
    end = json_tokener_get_parse_end(tk);
    for (i = end; i < len; i++) {
        if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r' && body[i] != '\n')
            goto fail;
    }
    json_tokener_free(tk);
    return obj;
fail:
    json_object_put(obj);
    json_tokener_free(tk);
    return NULL;
}

static const char *get_str(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static struct json_object *get_obj(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_object))
        return NULL;
    return v;
}

static void strlist_free(char **v, size_t n)
{
    size_t i;

    for (i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

static bool strlist_add(char ***v, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool strlist_add(char ***v, size_t *n, const char *fmt, ...)
{
    char **grown, *s = NULL;
    va_list ap;
    int r;

    if (v == NULL)
        return true;
    va_start(ap, fmt);
    r = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (r < 0)
        return false;
    grown = realloc(*v, (*n + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(s);
        return false;
    }
    *v = grown;
    (*v)[(*n)++] = s;
    return true;
}

/* ------------------------------------------------------------------ */
/* pure: the Kubernetes API */

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
    struct json_object *meta = get_obj(cm, "metadata");
    const char *kind = get_str(cm, "kind"), *name, *ns, *v;

    if (rvlen > 0)
        rv[0] = '\0';
    if (kind != NULL && strcmp(kind, "ConfigMap") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the answer is a %.40s, not a "
                            "ConfigMap",
                            visible(kind, strlen(kind)) ? kind : "?");
    if (meta == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: the ConfigMap has no metadata");
    name = get_str(meta, "name");
    ns = get_str(meta, "namespace");
    /* Only the one ConfigMap the cluster's authenticator reads counts. */
    if (name == NULL || strcmp(name, "aws-auth") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap is not named aws-auth");
    if (ns != NULL && strcmp(ns, "kube-system") != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap is not in kube-system");
    v = get_str(meta, "resourceVersion");
    if (v == NULL || !eksauth_kube_rv_valid(v) || strlen(v) >= rvlen)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "Kubernetes API: the ConfigMap has no valid resourceVersion");
    memcpy(rv, v, strlen(v) + 1);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_kube_parse_configmap(const char *body, size_t len, char *rv,
                                                 size_t rvlen, struct eksauth_error *err)
{
    struct json_object *root = parse_json(body, len, EKSAUTH_KUBE_MAX_BODY);
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

static void safe_copy(const char *s, size_t n, char *out, size_t outlen)
{
    size_t i, o = 0;

    if (outlen == 0)
        return;
    /* A server's text reaches a terminal and the journal: visible ASCII only. */
    for (i = 0; i < n && o + 1 < outlen; i++)
        out[o++] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
    out[o] = '\0';
}

void eksauth_kube_status_message(const char *body, size_t len, char *out, size_t outlen)
{
    struct json_object *root;
    const char *m;

    if (outlen > 0)
        out[0] = '\0';
    root = parse_json(body, len, 64 * 1024);
    m = get_str(root, "message");
    if (m != NULL)
        safe_copy(m, strlen(m), out, outlen > 160 ? 160 : outlen);
    json_object_put(root);
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
    root = parse_json(line, len, EKSAUTH_KUBE_LINE_MAX);
    type = get_str(root, "type");
    obj = get_obj(root, "object");
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
        if ((m = get_str(obj, "message")) != NULL)
            safe_copy(m, strlen(m), ev->message, sizeof(ev->message));
        goto out;
    }
    if (ev->type == EKSAUTH_KUBE_BOOKMARK) {
        meta = get_obj(obj, "metadata");
        rv = get_str(meta, "resourceVersion");
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
    m = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    ev->object = m != NULL ? strdup(m) : NULL;
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
        if (l->len > 0) {
            /* The first part of this line came earlier: join it in the buffer. */
            if (i - start > EKSAUTH_KUBE_LINE_MAX - l->len)
                return -1;
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

enum eksauth_status eksauth_kube_ca_pem(const char *b64, char **pem, size_t *len,
                                        struct eksauth_error *err)
{
    size_t n, i, pad = 0;
    unsigned char *out;
    int r;

    *pem = NULL;
    *len = 0;
    n = b64 != NULL ? strlen(b64) : 0;
    if (n == 0 || n % 4 != 0 || n > 1024 * 1024)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "cluster_ca_data: not base64 (its length is not a multiple of 4)");
    for (i = 0; i < n; i++) {
        char c = b64[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i >= n - 2)))
            return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
    }
    pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
    out = malloc(n / 4 * 3 + 1);
    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "cluster_ca_data: out of memory");
    r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (r < 0 || (size_t)r < pad) {
        free(out);
        return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
    }
    n = (size_t)r - pad;
    out[n] = '\0';
    if (memmem(out, n, "-----BEGIN CERTIFICATE-----", 27) == NULL) {
        free(out);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "cluster_ca_data: no PEM certificate in it (expected base64 of a PEM "
                            "file, as in a kubeconfig's certificate-authority-data)");
    }
    *pem = (char *)out;
    *len = n;
    return EKSAUTH_OK;
}

/* ------------------------------------------------------------------ */
/* pure: the EKS API */

enum eksauth_status eksauth_eks_parse_list(const char *body, size_t len, char ***arns, size_t *n,
                                           char *next, size_t nextlen, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *list = NULL, *tok = NULL;
    size_t i, count;

    if (nextlen > 0)
        next[0] = '\0';
    root = parse_json(body, len, EKSAUTH_EKS_MAX_BODY);
    if (root == NULL || !json_object_object_get_ex(root, "accessEntries", &list) ||
        !json_object_is_type(list, json_type_array)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "EKS API: ListAccessEntries: no accessEntries list in the answer");
        goto out;
    }
    count = json_object_array_length(list);
    if (*n + count > EKSAUTH_EKS_MAX_ENTRIES) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: more than %d access entries",
                          EKSAUTH_EKS_MAX_ENTRIES);
        goto out;
    }
    for (i = 0; i < count; i++) {
        struct json_object *a = json_object_array_get_idx(list, i);
        const char *s = json_object_is_type(a, json_type_string) ? json_object_get_string(a) : NULL;

        if (s == NULL || s[0] == '\0' || !visible(s, strlen(s)) || strlen(s) >= 2048) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "EKS API: ListAccessEntries: entry %zu is not an ARN string", i);
            goto out;
        }
        if (!strlist_add(arns, n, "%s", s)) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
            goto out;
        }
    }
    if (json_object_object_get_ex(root, "nextToken", &tok) && tok != NULL &&
        !json_object_is_type(tok, json_type_null)) {
        const char *t =
            json_object_is_type(tok, json_type_string) ? json_object_get_string(tok) : NULL;

        if (t == NULL || strlen(t) >= nextlen || !visible(t, strlen(t))) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: ListAccessEntries: a bad nextToken");
            goto out;
        }
        memcpy(next, t, strlen(t) + 1);
    }
out:
    json_object_put(root);
    return st;
}

void eksauth_access_entry_free(struct eksauth_access_entry *e)
{
    if (e == NULL)
        return;
    free(e->principal_arn);
    free(e->username);
    strlist_free(e->groups, e->n_groups);
    free(e->type);
    memset(e, 0, sizeof(*e));
}

enum eksauth_status eksauth_eks_parse_describe(const char *body, size_t len,
                                               struct eksauth_access_entry *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *ae, *groups = NULL, *u = NULL;
    const char *arn, *type;
    size_t i;

    memset(out, 0, sizeof(*out));
    root = parse_json(body, len, EKSAUTH_EKS_MAX_BODY);
    ae = get_obj(root, "accessEntry");
    arn = get_str(ae, "principalArn");
    if (ae == NULL || arn == NULL || !visible(arn, strlen(arn))) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "EKS API: DescribeAccessEntry: no accessEntry.principalArn");
        goto out;
    }
    if ((out->principal_arn = strdup(arn)) == NULL)
        goto nomem;
    if (json_object_object_get_ex(ae, "username", &u) && u != NULL &&
        !json_object_is_type(u, json_type_null)) {
        if (!json_object_is_type(u, json_type_string)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "EKS API: DescribeAccessEntry: username is not a string");
            goto out;
        }
        if ((out->username = strdup(json_object_get_string(u))) == NULL)
            goto nomem;
    }
    if ((type = get_str(ae, "type")) != NULL && (out->type = strdup(type)) == NULL)
        goto nomem;
    if (json_object_object_get_ex(ae, "kubernetesGroups", &groups) && groups != NULL &&
        !json_object_is_type(groups, json_type_null)) {
        if (!json_object_is_type(groups, json_type_array)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "EKS API: DescribeAccessEntry: kubernetesGroups is not a list");
            goto out;
        }
        for (i = 0; i < json_object_array_length(groups); i++) {
            struct json_object *g = json_object_array_get_idx(groups, i);

            if (!json_object_is_type(g, json_type_string)) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "EKS API: DescribeAccessEntry: kubernetesGroups[%zu] is not a "
                                  "string",
                                  i);
                goto out;
            }
            if (!strlist_add(&out->groups, &out->n_groups, "%s", json_object_get_string(g)))
                goto nomem;
        }
    }
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
out:
    json_object_put(root);
    if (st != EKSAUTH_OK)
        eksauth_access_entry_free(out);
    return st;
}

enum eksauth_status eksauth_access_entry_username(const struct eksauth_access_entry *e, char *out,
                                                  size_t outlen, struct eksauth_error *err)
{
    struct eksauth_arn *arn;
    enum eksauth_status st = EKSAUTH_OK;
    struct eksauth_error ae;
    const char *name;
    int n;

    if (e->username != NULL && e->username[0] != '\0') {
        if (strlen(e->username) >= outlen)
            return eksauth_fail(err, EKSAUTH_EINVAL, "access entry: the username is too long");
        memcpy(out, e->username, strlen(e->username) + 1);
        return EKSAUTH_OK;
    }
    arn = calloc(1, sizeof(*arn));
    if (arn == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "access entry: out of memory");
    if (eksauth_arn_parse(e->principal_arn, arn, &ae) != EKSAUTH_OK) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "access entry: %s", ae.msg);
        goto out;
    }
    switch (arn->type) {
    case EKSAUTH_ARN_USER:
        n = snprintf(out, outlen, "%s", e->principal_arn);
        break;
    case EKSAUTH_ARN_ROLE:
        /* EKS's default for a role: its session ARN, the role's path dropped. */
        name = strrchr(arn->resource, '/');
        name = name != NULL ? name + 1 : arn->resource;
        n = snprintf(out, outlen, "arn:%s:sts::%s:assumed-role/%s/{{SessionName}}", arn->partition,
                     arn->account, name);
        break;
    default:
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "access entry: %s is neither an IAM role nor an IAM user",
                          e->principal_arn);
        goto out;
    }
    if (n < 0 || (size_t)n >= outlen)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "access entry: the username is too long");
out:
    free(arn);
    return st;
}

static struct json_object *entry_json(const char *arnkey, const char *arn, const char *username,
                                      const char *const *groups, size_t n_groups)
{
    struct json_object *o = json_object_new_object(), *g = json_object_new_array();
    size_t i;

    if (o == NULL || g == NULL) {
        json_object_put(o);
        json_object_put(g);
        return NULL;
    }
    json_object_object_add(o, arnkey, json_object_new_string(arn));
    if (username != NULL)
        json_object_object_add(o, "username", json_object_new_string(username));
    for (i = 0; i < n_groups; i++)
        json_object_array_add(g, json_object_new_string(groups[i]));
    json_object_object_add(o, "groups", g);
    return o;
}

enum eksauth_status eksauth_cluster_merge(const char *configmap, size_t cm_len,
                                          const struct eksauth_access_entry *entries, size_t n,
                                          char **out, size_t *outlen, char ***warnings,
                                          size_t *n_warnings, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct eksauth_awsauth *aa = NULL;
    struct json_object *roles = json_object_new_array(), *users = json_object_new_array();
    struct json_object *accounts = json_object_new_array(), *doc = json_object_new_object();
    struct eksauth_arn *arn = calloc(1, sizeof(*arn));
    char **keys = NULL, username[2048];
    size_t n_keys = 0, i, j;
    struct eksauth_error e2;
    const char *text;

    *out = NULL;
    *outlen = 0;
    if (roles == NULL || users == NULL || accounts == NULL || doc == NULL || arn == NULL)
        goto nomem;
    /* 1. Access entries: each a mapRoles or mapUsers entry; keys remembered. */
    for (i = 0; i < n; i++) {
        const struct eksauth_access_entry *ae = &entries[i];
        struct json_object *o;

        if (eksauth_arn_parse(ae->principal_arn, arn, &e2) != EKSAUTH_OK ||
            (arn->type != EKSAUTH_ARN_ROLE && arn->type != EKSAUTH_ARN_USER)) {
            if (!strlist_add(warnings, n_warnings,
                             "access entry %.200s: not an IAM role or user ARN; skipped",
                             ae->principal_arn))
                goto nomem;
            continue;
        }
        if (eksauth_access_entry_username(ae, username, sizeof(username), &e2) != EKSAUTH_OK) {
            if (!strlist_add(warnings, n_warnings, "%s; skipped", e2.msg))
                goto nomem;
            continue;
        }
        o = entry_json(arn->type == EKSAUTH_ARN_ROLE ? "rolearn" : "userarn", ae->principal_arn,
                       username, (const char *const *)ae->groups, ae->n_groups);
        if (o == NULL)
            goto nomem;
        json_object_array_add(arn->type == EKSAUTH_ARN_ROLE ? roles : users, o);
        if (!strlist_add(&keys, &n_keys, "%s", arn->key))
            goto nomem;
    }
    /* 2. The ConfigMap's entries, unless an access entry names the same principal. */
    if (configmap != NULL) {
        st = eksauth_awsauth_parse(configmap, cm_len, &aa, err);
        if (st != EKSAUTH_OK)
            goto out;
        for (i = 0; i < eksauth_awsauth_warning_count(aa); i++) {
            if (!strlist_add(warnings, n_warnings, "%s", eksauth_awsauth_warning_at(aa, i)))
                goto nomem;
        }
        for (i = 0; i < eksauth_awsauth_count(aa); i++) {
            const struct eksauth_awsauth_entry *en = eksauth_awsauth_entry_at(aa, i);
            struct json_object *o;
            bool shadowed = false;

            if (en->source == EKSAUTH_SRC_MAPACCOUNTS) {
                json_object_array_add(accounts, json_object_new_string(en->arn));
                continue;
            }
            for (j = 0; j < n_keys && !shadowed; j++)
                shadowed = strcmp(keys[j], en->key) == 0;
            if (shadowed) {
                /* API_AND_CONFIG_MAP: the access entry wins. */
                if (!strlist_add(warnings, n_warnings,
                                 "aws-auth %s entry for %.200s is overridden by its access entry",
                                 eksauth_map_source_name(en->source), en->arn))
                    goto nomem;
                continue;
            }
            o = entry_json(en->source == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn", en->arn,
                           en->username, en->groups, en->n_groups);
            if (o == NULL)
                goto nomem;
            json_object_array_add(en->source == EKSAUTH_SRC_MAPROLES ? roles : users, o);
        }
    }
    /* Each value is a string of YAML (JSON is YAML), as in a ConfigMap's data. */
    json_object_object_add(
        doc, "mapRoles",
        json_object_new_string(json_object_to_json_string_ext(roles, JSON_C_TO_STRING_PLAIN)));
    json_object_object_add(
        doc, "mapUsers",
        json_object_new_string(json_object_to_json_string_ext(users, JSON_C_TO_STRING_PLAIN)));
    json_object_object_add(
        doc, "mapAccounts",
        json_object_new_string(json_object_to_json_string_ext(accounts, JSON_C_TO_STRING_PLAIN)));
    text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED);
    if (text == NULL || (*out = strdup(text)) == NULL)
        goto nomem;
    *outlen = strlen(*out);
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
out:
    json_object_put(roles);
    json_object_put(users);
    json_object_put(accounts);
    json_object_put(doc);
    eksauth_awsauth_free(aa);
    strlist_free(keys, n_keys);
    free(arn);
    return st;
}

/* ------------------------------------------------------------------ */
/* calls: credentials, token, region */

enum eksauth_status eksauth_cluster_region(const struct eksauth_config *cfg, char *out,
                                           size_t outlen, struct eksauth_error *err)
{
    struct eksauth_error e1, e2;

    if (cfg->region != NULL && cfg->region[0] != '\0') {
        if (strlen(cfg->region) >= outlen)
            return eksauth_fail(err, EKSAUTH_EINVAL, "region: too long");
        memcpy(out, cfg->region, strlen(cfg->region) + 1);
        return EKSAUTH_OK;
    }
    if (eksauth_creds_region(NULL, NULL, out, outlen, &e1) == EKSAUTH_OK)
        return EKSAUTH_OK;
    if (eksauth_imds_get_value(cfg->imds_endpoint, "placement/region", out, outlen, &e2) ==
            EKSAUTH_OK &&
        eksauth_region_valid(out, strlen(out)))
        return EKSAUTH_OK;
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "no region: set region in the config (%s; instance metadata: %s)", e1.msg,
                        e2.msg);
}

static enum eksauth_status host_creds(const struct eksauth_config *cfg, struct eksauth_creds *c,
                                      struct eksauth_error *err)
{
    struct eksauth_creds_options opt;

    memset(&opt, 0, sizeof(opt));
    opt.imds_endpoint = cfg->imds_endpoint;
    return eksauth_creds_load(&opt, c, err);
}

enum eksauth_status eksauth_cluster_token(const struct eksauth_config *cfg,
                                          const struct eksauth_creds *creds, time_t now,
                                          char *token, size_t tokcap, struct eksauth_error *err)
{
    struct eksauth_sts_presign req;
    char region[64], host[256];
    enum eksauth_status st;

    if ((st = eksauth_cluster_region(cfg, region, sizeof(region), err)) != EKSAUTH_OK)
        return st;
    if ((st = eksauth_sigv4_sts_host(region, false, host, sizeof(host), err)) != EKSAUTH_OK)
        return st;
    memset(&req, 0, sizeof(req));
    req.host = host;
    req.region = region;
    req.cluster_id = cfg->cluster_id;
    req.now = now;
    return eksauth_sigv4_sts_token(creds, &req, token, tokcap, NULL, err);
}

/* ------------------------------------------------------------------ */
/* calls: the Kubernetes API */

struct kube_conn {
    char *ca_pem;
    size_t ca_len;
    char auth[EKSAUTH_SIGV4_TOKEN_MAX + 32]; /* "Authorization: Bearer k8s-aws-v1...." */
    char base[512];
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
    st = host_creds(cfg, &creds, err);
    if (st != EKSAUTH_OK)
        goto out;
    memcpy(k->auth, "Authorization: Bearer ", 22);
    st = eksauth_cluster_token(cfg, &creds, time(NULL), k->auth + 22, sizeof(k->auth) - 22, err);
out:
    eksauth_creds_free(&creds);
    if (st != EKSAUTH_OK)
        kube_conn_end(k);
    return st;
}

static void kube_request(const struct eksauth_config *cfg, const struct kube_conn *k,
                         const char *url, const char *const *headers,
                         struct eksauth_http_request *req)
{
    memset(req, 0, sizeof(*req));
    req->what = "Kubernetes API";
    req->url = url;
    req->headers = headers;
    req->ca_file = cfg->cluster_ca_file;
    req->ca_pem = k->ca_pem;
    req->ca_pem_len = k->ca_len;
    req->proxy = cfg->https_proxy;
    req->connect_timeout_ms = EKSAUTH_KUBE_CONNECT_MS;
    req->timeout_ms = EKSAUTH_KUBE_TIMEOUT_MS;
    req->max_body = EKSAUTH_KUBE_MAX_BODY;
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
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "Kubernetes API: %s: 404: there is no ConfigMap kube-system/aws-auth",
                            what);
    if (status == 410)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND, "Kubernetes API: %s: 410 Gone", what);
    if (status == 429 || status >= 500)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "Kubernetes API: %s: HTTP %ld%s%s", what, status,
                            msg[0] != '\0' ? ": " : "", msg);
    return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: %s: HTTP %ld%s%s", what, status,
                        msg[0] != '\0' ? ": " : "", msg);
}

static enum eksauth_status kube_get_configmap(const struct eksauth_config *cfg,
                                              struct eksauth_cluster_snapshot *out,
                                              struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0};
    struct eksauth_http_request req;
    struct kube_conn k;
    enum eksauth_status st;
    const char *headers[3];
    char url[700];

    if ((st = kube_conn_start(cfg, &k, err)) != EKSAUTH_OK)
        return st;
    snprintf(url, sizeof(url), "%s" CM_PATH "/aws-auth", k.base);
    headers[0] = k.auth;
    headers[1] = "Accept: application/json";
    headers[2] = NULL;
    kube_request(cfg, &k, url, headers, &req);
    st = eksauth_http_perform(&req, &resp, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (resp.status != 200) {
        st = kube_http_error(cfg, resp.status, resp.body, resp.len, "GET configmaps/aws-auth", err);
        goto out;
    }
    st = eksauth_kube_parse_configmap(resp.body, resp.len, out->rv, sizeof(out->rv), err);
    if (st != EKSAUTH_OK)
        goto out;
    out->data = resp.body;
    out->len = resp.len;
    resp.body = NULL;
    resp.len = 0;
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

static int watch_line(void *p, const char *line, size_t len)
{
    struct watch_ctx *w = p;
    struct eksauth_kube_event ev;
    int r;

    if (len == 0 || (len == 1 && line[0] == '\r'))
        return 0;
    if (eksauth_kube_parse_event(line, len, &ev, &w->err) != EKSAUTH_OK) {
        w->st = w->err.status;
        return 1;
    }
    if (ev.type == EKSAUTH_KUBE_ERROR) {
        /* 410: our resourceVersion is too old; the caller lists again. */
        w->st = eksauth_fail(&w->err, ev.code == 410 ? EKSAUTH_ENOTFOUND : EKSAUTH_EUNAVAIL,
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
                   struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0};
    struct eksauth_http_request req;
    struct watch_ctx w;
    struct kube_conn k;
    enum eksauth_status st;
    const char *headers[3];
    char url[900];

    memset(&w, 0, sizeof(w));
    w.on_event = on_event;
    w.ctx = ctx;
    w.st = EKSAUTH_OK;
    /* No version: "the current state, then changes" (after a 410 Gone). */
    if (rv != NULL && rv[0] != '\0' && !eksauth_kube_rv_valid(rv))
        return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API: watch: bad resourceVersion");
    if (timeout_s < 1 || timeout_s > 3600)
        timeout_s = 300;
    if ((st = kube_conn_start(cfg, &k, err)) != EKSAUTH_OK)
        return st;
    snprintf(url, sizeof(url),
             "%s" CM_PATH "?watch=1&fieldSelector=metadata.name%%3Daws-auth%s%s"
             "&timeoutSeconds=%ld&allowWatchBookmarks=true",
             k.base, rv != NULL && rv[0] != '\0' ? "&resourceVersion=" : "", rv != NULL ? rv : "",
             timeout_s);
    headers[0] = k.auth;
    headers[1] = "Accept: application/json";
    headers[2] = NULL;
    kube_request(cfg, &k, url, headers, &req);
    /* The server ends the stream after timeoutSeconds; ours is a safety net above it. */
    req.timeout_ms = (timeout_s + 30) * 1000;
    req.low_speed_s = timeout_s + 30;
    req.on_data = watch_data;
    req.ctx = &w;
    st = eksauth_http_perform(&req, &resp, err);
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
        /* An error answer was streamed to us; its Status is not kept, only the code counts. */
        st = kube_http_error(cfg, resp.status, NULL, 0, "watch configmaps", err);
        goto out;
    }
out:
    eksauth_http_response_free(&resp);
    eksauth_kube_lines_free(&w.lines);
    kube_conn_end(&k);
    return st;
}

/* ------------------------------------------------------------------ */
/* calls: the EKS API */

struct eks_conn {
    struct eksauth_creds creds;
    char region[64];
    char host[256];
};

static enum eksauth_status eks_get(const struct eksauth_config *cfg, struct eks_conn *c,
                                   const char *path, const char *query,
                                   struct eksauth_http_response *resp, struct eksauth_error *err)
{
    struct eksauth_sigv4_request sreq;
    struct eksauth_sigv4_signed sig;
    struct eksauth_http_request req;
    enum eksauth_status st;
    char url[4096], auth[EKSAUTH_SIGV4_AUTH_MAX + 32], date[48], *tokhdr = NULL;
    const char *headers[5];
    size_t nh = 0;

    memset(&sreq, 0, sizeof(sreq));
    sreq.method = "GET";
    sreq.host = c->host;
    sreq.path = path;
    sreq.query = query;
    sreq.region = c->region;
    sreq.service = "eks";
    sreq.now = time(NULL);
    if ((st = eksauth_sigv4_sign_request(&c->creds, &sreq, &sig, err)) != EKSAUTH_OK)
        return st;
    if (snprintf(url, sizeof(url), "https://%s%s%s%s", c->host, path, query[0] != '\0' ? "?" : "",
                 query) >= (int)sizeof(url)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: URL too long");
        goto out;
    }
    snprintf(auth, sizeof(auth), "Authorization: %s", sig.authorization);
    snprintf(date, sizeof(date), "X-Amz-Date: %s", sig.amz_date);
    headers[nh++] = auth;
    headers[nh++] = date;
    if (c->creds.session_token != NULL && c->creds.session_token[0] != '\0') {
        if (asprintf(&tokhdr, "X-Amz-Security-Token: %s", c->creds.session_token) < 0) {
            tokhdr = NULL;
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
            goto out;
        }
        headers[nh++] = tokhdr;
    }
    headers[nh++] = "Accept: application/json";
    headers[nh] = NULL;
    memset(&req, 0, sizeof(req));
    req.what = "EKS API";
    req.url = url;
    req.headers = headers;
    req.ca_file = cfg->eks_ca_file;
    req.connect_to = cfg->eks_connect_to;
    req.proxy = cfg->https_proxy;
    req.connect_timeout_ms = EKSAUTH_KUBE_CONNECT_MS;
    req.timeout_ms = EKSAUTH_KUBE_TIMEOUT_MS;
    req.max_body = EKSAUTH_EKS_MAX_BODY;
    st = eksauth_http_perform(&req, resp, err);
out:
    OPENSSL_cleanse(&sig, sizeof(sig));
    OPENSSL_cleanse(auth, sizeof(auth));
    if (tokhdr != NULL) {
        OPENSSL_cleanse(tokhdr, strlen(tokhdr));
        free(tokhdr);
    }
    return st;
}

static enum eksauth_status eks_http_error(const struct eksauth_http_response *resp,
                                          const char *what, struct eksauth_error *err)
{
    struct json_object *root = parse_json(resp->body, resp->len, EKSAUTH_EKS_MAX_BODY);
    const char *m = get_str(root, "message");
    const char *type = get_str(root, "__type");
    char msg[200] = "", code[80] = "";
    enum eksauth_status st;
    long s = resp->status;

    if (m == NULL)
        m = get_str(root, "Message");
    if (m != NULL)
        safe_copy(m, strlen(m), msg, sizeof(msg));
    if (type != NULL)
        safe_copy(type, strlen(type), code, sizeof(code));
    if (s == 429 || s >= 500 || strstr(code, "Throttl") != NULL)
        st = EKSAUTH_EUNAVAIL;
    else if (s == 401 || s == 403)
        st = EKSAUTH_EREJECTED;
    else if (s == 404)
        st = EKSAUTH_ENOTFOUND;
    else
        st = EKSAUTH_EINVAL;
    json_object_put(root);
    return eksauth_fail(err, st, "EKS API: %s: HTTP %ld%s%s%s%s%s", what, s,
                        code[0] != '\0' ? " " : "", code, msg[0] != '\0' ? ": " : "", msg,
                        (s == 401 || s == 403)
                            ? " (this host's role needs eks:ListAccessEntries and "
                              "eks:DescribeAccessEntry on the cluster)"
                            : "");
}

static enum eksauth_status eks_access_entries(const struct eksauth_config *cfg,
                                              struct eksauth_access_entry **out, size_t *n_out,
                                              char *hosts, size_t hostslen,
                                              struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0};
    struct eksauth_access_entry *entries = NULL;
    enum eksauth_status st;
    struct eks_conn c;
    char **arns = NULL, next[2048] = "", path[4096], query[4200], enc[6200];
    size_t n_arns = 0, i, pages = 0;
    const struct eksauth_partition *part;

    *out = NULL;
    *n_out = 0;
    memset(&c, 0, sizeof(c));
    if (cfg->cluster_name == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "source = %s needs cluster_name (the EKS cluster's name)",
                            eksauth_source_name(cfg->source));
    if ((st = eksauth_cluster_region(cfg, c.region, sizeof(c.region), err)) != EKSAUTH_OK)
        return st;
    part = eksauth_partition_find(cfg->partition != NULL ? cfg->partition : "aws");
    if (part == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: unknown partition");
    snprintf(c.host, sizeof(c.host), "eks.%s.%s", c.region, part->domain);
    snprintf(hosts, hostslen, "%s", c.host);
    if ((st = host_creds(cfg, &c.creds, err)) != EKSAUTH_OK)
        return st;
    if (eksauth_sigv4_uri_encode(cfg->cluster_name, strlen(cfg->cluster_name), enc, sizeof(enc)) <
        0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: cluster_name too long");
        goto out;
    }
    if (snprintf(path, sizeof(path), "/clusters/%s/access-entries", enc) >= (int)sizeof(path)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: cluster_name too long");
        goto out;
    }
    /* Every page: an access entry left out would be a login wrongly refused or kept. */
    do {
        if (++pages > EKSAUTH_EKS_MAX_ENTRIES) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: too many pages");
            goto out;
        }
        if (next[0] == '\0') {
            snprintf(query, sizeof(query), "maxResults=100");
        } else {
            if (eksauth_sigv4_uri_encode(next, strlen(next), enc, sizeof(enc)) < 0) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: nextToken too long");
                goto out;
            }
            if (snprintf(query, sizeof(query), "maxResults=100&nextToken=%s", enc) >=
                (int)sizeof(query)) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: nextToken too long");
                goto out;
            }
        }
        st = eks_get(cfg, &c, path, query, &resp, err);
        if (st != EKSAUTH_OK)
            goto out;
        if (resp.status != 200) {
            st = eks_http_error(&resp, "ListAccessEntries", err);
            goto out;
        }
        st = eksauth_eks_parse_list(resp.body, resp.len, &arns, &n_arns, next, sizeof(next), err);
        eksauth_http_response_free(&resp);
        if (st != EKSAUTH_OK)
            goto out;
    } while (next[0] != '\0');

    entries = calloc(n_arns + 1, sizeof(*entries));
    if (entries == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
        goto out;
    }
    for (i = 0; i < n_arns; i++) {
        char epath[8192];

        if (eksauth_sigv4_uri_encode(arns[i], strlen(arns[i]), enc, sizeof(enc)) < 0) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: principal ARN too long");
            goto out;
        }
        if (snprintf(epath, sizeof(epath), "%s/%s", path, enc) >= (int)sizeof(epath)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: principal ARN too long");
            goto out;
        }
        st = eks_get(cfg, &c, epath, "", &resp, err);
        if (st != EKSAUTH_OK)
            goto out;
        if (resp.status != 200) {
            st = eks_http_error(&resp, "DescribeAccessEntry", err);
            goto out;
        }
        st = eksauth_eks_parse_describe(resp.body, resp.len, &entries[i], err);
        eksauth_http_response_free(&resp);
        if (st != EKSAUTH_OK)
            goto out;
        /* The answer must be about the principal asked for. */
        if (strcmp(entries[i].principal_arn, arns[i]) != 0) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "EKS API: DescribeAccessEntry answered for another principal");
            goto out;
        }
        *n_out = i + 1;
    }
    *n_out = n_arns;
    *out = entries;
    entries = NULL;
out:
    if (entries != NULL) {
        for (i = 0; i < n_arns; i++)
            eksauth_access_entry_free(&entries[i]);
        free(entries);
        *n_out = 0;
    }
    eksauth_http_response_free(&resp);
    strlist_free(arns, n_arns);
    eksauth_creds_free(&c.creds);
    return st;
}

/* ------------------------------------------------------------------ */
/* the source */

void eksauth_cluster_snapshot_free(struct eksauth_cluster_snapshot *s)
{
    if (s == NULL)
        return;
    free(s->data);
    strlist_free(s->warnings, s->n_warnings);
    memset(s, 0, sizeof(*s));
}

static void short_hash(const char *data, size_t len, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;

    out[0] = '\0';
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 8)
        return;
    for (i = 0; i < 8; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[16] = '\0';
}

enum eksauth_status eksauth_cluster_fetch(const struct eksauth_config *cfg, time_t now,
                                          struct eksauth_cluster_snapshot *out,
                                          struct eksauth_error *err)
{
    struct eksauth_cluster_snapshot cm;
    struct eksauth_access_entry *entries = NULL;
    size_t n_entries = 0, i;
    enum eksauth_status st = EKSAUTH_OK;
    bool want_k8s, want_eks;
    char host[256] = "", hash[17];

    (void)now;
    memset(out, 0, sizeof(*out));
    memset(&cm, 0, sizeof(cm));
    want_k8s = cfg->source == EKSAUTH_SOURCE_KUBERNETES ||
               cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    want_eks =
        cfg->source == EKSAUTH_SOURCE_EKS_API || cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    if (!want_k8s && !want_eks)
        return eksauth_fail(err, EKSAUTH_EINVAL, "source = file is read from aws_auth_file");
    if (want_k8s && (st = kube_get_configmap(cfg, &cm, err)) != EKSAUTH_OK)
        goto out;
    if (!want_eks) {
        *out = cm;
        memset(&cm, 0, sizeof(cm));
        snprintf(out->version, sizeof(out->version), "k8s:%s", out->rv);
        goto out;
    }
    if ((st = eks_access_entries(cfg, &entries, &n_entries, host, sizeof(host), err)) != EKSAUTH_OK)
        goto out;
    st = eksauth_cluster_merge(cm.data, cm.len, entries, n_entries, &out->data, &out->len,
                               &out->warnings, &out->n_warnings, err);
    if (st != EKSAUTH_OK)
        goto out;
    short_hash(out->data, out->len, hash);
    memcpy(out->rv, cm.rv, sizeof(out->rv));
    if (want_k8s) {
        snprintf(out->version, sizeof(out->version), "k8s:%s+eks:%s", cm.rv, hash);
        snprintf(out->what, sizeof(out->what), "%.300s and access entries of %.60s (%.80s)",
                 cm.what, cfg->cluster_name, host);
    } else {
        snprintf(out->version, sizeof(out->version), "eks:%s", hash);
        snprintf(out->what, sizeof(out->what), "access entries of %.60s (%.80s)", cfg->cluster_name,
                 host);
    }
out:
    for (i = 0; i < n_entries; i++)
        eksauth_access_entry_free(&entries[i]);
    free(entries);
    eksauth_cluster_snapshot_free(&cm);
    if (st != EKSAUTH_OK)
        eksauth_cluster_snapshot_free(out);
    return st;
}
