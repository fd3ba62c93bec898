/*
 * kube_review.c - the Kubernetes SelfSubjectReview: who the cluster says
 * the bearer of a token is (see kube_review.h), and the message of a
 * Kubernetes Status answer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "eksauth/http.h"
#include "eksauth/json_answer.h"
#include "eksauth/kube_review.h"
#include "eksauth/printable.h"
#include "eksauth/strlist.h"

#define REVIEW_PATH "/apis/authentication.k8s.io/%s/selfsubjectreviews"
#define CONNECT_MS  3000
#define TIMEOUT_MS  10000

/* ------------------------------------------------------------------ */
/* pure */

void eksauth_kube_status_message(const char *body, size_t len, char *out, size_t outlen)
{
    struct json_object *root;
    const char *m;

    if (outlen > 0)
        out[0] = '\0';
    root = eksauth_json_answer_parse(body, len, 64 * 1024);
    m = eksauth_json_answer_str(root, "message");
    if (m != NULL)
        eksauth_json_answer_safe_copy(m, strlen(m), out, outlen > 160 ? 160 : outlen);
    json_object_put(root);
}

void eksauth_kube_user_free(struct eksauth_kube_user *u)
{
    if (u == NULL)
        return;
    free(u->username);
    free(u->uid);
    eksauth_strv_free(u->groups, u->n_groups);
    free(u->arn);
    memset(u, 0, sizeof(*u));
}

/* The strings of a JSON array into *v (*n of them); false when out of memory. */
static bool string_array(struct json_object *a, char ***v, size_t *n)
{
    size_t i, len = a != NULL && json_object_is_type(a, json_type_array)
                        ? json_object_array_length(a)
                        : 0;

    *v = NULL;
    *n = 0;
    for (i = 0; i < len; i++) {
        struct json_object *s = json_object_array_get_idx(a, i);

        if (json_object_is_type(s, json_type_string) &&
            eksauth_strv_add(v, n, json_object_get_string(s), NULL) != EKSAUTH_OK)
            return false;
    }
    return true;
}

enum eksauth_status eksauth_kube_parse_review(const char *body, size_t len,
                                              struct eksauth_kube_user *out,
                                              struct eksauth_error *err)
{
    struct json_object *root = eksauth_json_answer_parse(body, len, EKSAUTH_KUBE_REVIEW_MAX);
    struct json_object *info, *extra, *arns = NULL, *groups = NULL;
    const char *kind = eksauth_json_answer_str(root, "kind");
    const char *username, *uid;
    char **arn_v = NULL;
    size_t arn_n = 0;
    enum eksauth_status st = EKSAUTH_OK;

    memset(out, 0, sizeof(*out));
    info = eksauth_json_answer_obj(eksauth_json_answer_obj(root, "status"), "userInfo");
    username = eksauth_json_answer_str(info, "username");
    if (kind == NULL || strcmp(kind, "SelfSubjectReview") != 0 || username == NULL ||
        username[0] == '\0') {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: the answer is not a SelfSubjectReview with a username");
        goto out;
    }
    /* login-name quotes it when it maps to no login: nothing there may forge a line or hide. */
    if (!eksauth_is_printable(username)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API: the SelfSubjectReview's username holds a control or "
                          "invisible character, or is not UTF-8");
        goto out;
    }
    uid = eksauth_json_answer_str(info, "uid");
    extra = eksauth_json_answer_obj(info, "extra");
    if (extra != NULL)
        json_object_object_get_ex(extra, "arn", &arns);
    if (info != NULL)
        json_object_object_get_ex(info, "groups", &groups);
    out->username = strdup(username);
    out->uid = uid != NULL ? strdup(uid) : NULL;
    if (out->username == NULL || (uid != NULL && out->uid == NULL) ||
        !string_array(groups, &out->groups, &out->n_groups) ||
        !string_array(arns, &arn_v, &arn_n)) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "Kubernetes API: out of memory");
        goto out;
    }
    if (arn_n > 0) {
        out->arn = arn_v[0];
        arn_v[0] = NULL;
    }
out:
    eksauth_strv_free(arn_v, arn_n);
    json_object_put(root);
    if (st != EKSAUTH_OK)
        eksauth_kube_user_free(out);
    return st;
}

/* ------------------------------------------------------------------ */
/* the call */

/* A non-201 answer, as a status and a message a person can act on. */
static enum eksauth_status review_error(const struct eksauth_kube_target *t, const char *cluster,
                                        const struct eksauth_http_response *resp,
                                        struct eksauth_error *err)
{
    char msg[200];

    eksauth_kube_status_message(resp->body, resp->len, msg, sizeof(msg));
    if (resp->status == 401)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "Kubernetes API %s: 401 Unauthorized: the cluster does not accept "
                            "your token: it is not for cluster %s (EKSAUTH_CLUSTER), or your IAM "
                            "identity (aws sts get-caller-identity) is in neither aws-auth nor an "
                            "access entry",
                            t->what, cluster);
    if (resp->status == 403)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "Kubernetes API %s: 403 Forbidden%s%s: the cluster's RBAC does not let "
                            "you create selfsubjectreviews (Kubernetes' system:basic-user does)",
                            t->what, msg[0] != '\0' ? " " : "", msg);
    if (resp->status == 429 || resp->status >= 500)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "Kubernetes API %s: HTTP %ld%s%s", t->what,
                            resp->status, msg[0] != '\0' ? ": " : "", msg);
    return eksauth_fail(err, EKSAUTH_EINVAL, "Kubernetes API %s: HTTP %ld%s%s", t->what,
                        resp->status, msg[0] != '\0' ? ": " : "", msg);
}

/* One POST of the review in version (v1, v1beta1). */
static enum eksauth_status review_once(const struct eksauth_kube_target *t, const char *version,
                                       const char *auth, struct eksauth_http_response *resp,
                                       struct eksauth_error *err)
{
    struct eksauth_http_request req;
    const char *headers[5];
    char url[700], body[160];
    enum eksauth_status st;
    int n;

    n = snprintf(body, sizeof(body),
                 "{\"apiVersion\":\"authentication.k8s.io/%s\",\"kind\":\"SelfSubjectReview\"}",
                 version);
    if ((size_t)snprintf(url, sizeof(url), "%s" REVIEW_PATH, t->base, version) >= sizeof(url))
        return eksauth_fail(err, EKSAUTH_EINVAL, "the API server URL is too long");
    headers[0] = auth;
    headers[1] = "Content-Type: application/json";
    headers[2] = "Accept: application/json";
    headers[3] = t->host_header[0] != '\0' ? t->host_header : NULL;
    headers[4] = NULL;
    memset(&req, 0, sizeof(req));
    req.what = "Kubernetes API";
    req.method = "POST";
    req.body = body;
    req.body_len = (size_t)n;
    req.url = url;
    req.headers = headers;
    req.ca_pem = t->ca_pem;
    req.ca_pem_len = t->ca_len;
    /* The cluster's proxy-url, else the environment's proxy: the engineer's own command, as
     * kubectl. */
    req.proxy = t->proxy[0] != '\0' ? t->proxy : NULL;
    req.proxy_from_env = true;
    /* tls-server-name: the URL names it (SNI, the certificate's name); connect to the server. */
    req.connect_to = t->connect_to[0] != '\0' ? t->connect_to : NULL;
    req.connect_timeout_ms = CONNECT_MS;
    req.timeout_ms = TIMEOUT_MS;
    req.max_body = EKSAUTH_KUBE_REVIEW_MAX;
    st = eksauth_http_perform(&req, resp, err);
    /* libcurl's words do not tell the proxy's failure from the server's. */
    if (st == EKSAUTH_EUNAVAIL && req.proxy != NULL)
        eksauth_error_append(err, " (through the cluster's proxy-url: is it reachable and, for an "
                                  "https:// one, is its certificate trusted by the system store?)");
    return st;
}

enum eksauth_status eksauth_kube_self_review(const struct eksauth_kube_target *t,
                                             const char *cluster, const char *token, size_t len,
                                             struct eksauth_kube_user *out,
                                             struct eksauth_error *err)
{
    static const char *const versions[] = {"v1", "v1beta1"};
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    enum eksauth_status st = EKSAUTH_EINVAL;
    size_t i, alen = strlen("Authorization: Bearer ") + len + 1;
    char *auth = malloc(alen);

    memset(out, 0, sizeof(*out));
    if (auth == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    snprintf(auth, alen, "Authorization: Bearer %.*s", (int)len, token);
    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        eksauth_http_response_free(&resp);
        st = review_once(t, versions[i], auth, &resp, err);
        /* 404: an API server without this version (v1 came in Kubernetes 1.28). */
        if (st != EKSAUTH_OK || resp.status != 404)
            break;
    }
    if (st == EKSAUTH_OK && resp.status == 404)
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "Kubernetes API %s: no SelfSubjectReview (Kubernetes 1.27 or later has "
                          "it): give the login name yourself",
                          t->what);
    else if (st == EKSAUTH_OK && resp.status != 201 && resp.status != 200)
        st = review_error(t, cluster, &resp, err);
    else if (st == EKSAUTH_OK)
        st = eksauth_kube_parse_review(resp.body, resp.len, out, err);
    /* The bearer token logs anyone into the cluster as you for 15 minutes. */
    OPENSSL_cleanse(auth, alen);
    free(auth);
    eksauth_http_response_free(&resp);
    return st;
}
