/*
 * eks_api.c - the EKS API's access entries: ListAccessEntries (every page)
 * and DescribeAccessEntry signed with SigV4 headers, and the username an
 * access entry gives (see eks_api.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "eksauth/arn.h"
#include "eksauth/cluster_host.h"
#include "eksauth/eks_api.h"
#include "eksauth/http.h"
#include "eksauth/json_answer.h"
#include "eksauth/partition.h"
#include "eksauth/sigv4.h"
#include "eksauth/strlist.h"

/* ------------------------------------------------------------------ */
/* pure */

enum eksauth_status eksauth_eks_parse_list(const char *body, size_t len, char ***arns, size_t *n,
                                           char *next, size_t nextlen, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *list = NULL, *tok = NULL;
    size_t i, count;

    if (nextlen > 0)
        next[0] = '\0';
    root = eksauth_json_answer_parse(body, len, EKSAUTH_EKS_MAX_BODY);
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

        if (s == NULL || s[0] == '\0' || !eksauth_json_answer_visible(s, strlen(s)) ||
            strlen(s) >= 2048) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "EKS API: ListAccessEntries: entry %zu is not an ARN string", i);
            goto out;
        }
        if (eksauth_strv_add(arns, n, s, NULL) != EKSAUTH_OK) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
            goto out;
        }
    }
    if (json_object_object_get_ex(root, "nextToken", &tok) && tok != NULL &&
        !json_object_is_type(tok, json_type_null)) {
        const char *t =
            json_object_is_type(tok, json_type_string) ? json_object_get_string(tok) : NULL;

        if (t == NULL || strlen(t) >= nextlen || !eksauth_json_answer_visible(t, strlen(t))) {
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
    eksauth_strv_free(e->groups, e->n_groups);
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
    root = eksauth_json_answer_parse(body, len, EKSAUTH_EKS_MAX_BODY);
    ae = eksauth_json_answer_obj(root, "accessEntry");
    arn = eksauth_json_answer_str(ae, "principalArn");
    if (ae == NULL || arn == NULL || !eksauth_json_answer_visible(arn, strlen(arn))) {
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
    if ((type = eksauth_json_answer_str(ae, "type")) != NULL && (out->type = strdup(type)) == NULL)
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
            if (eksauth_strv_add(&out->groups, &out->n_groups, json_object_get_string(g), NULL) !=
                EKSAUTH_OK)
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

/* ------------------------------------------------------------------ */
/* calls */

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
    req.connect_timeout_ms = EKSAUTH_EKS_CONNECT_MS;
    req.timeout_ms = EKSAUTH_EKS_TIMEOUT_MS;
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
    struct json_object *root =
        eksauth_json_answer_parse(resp->body, resp->len, EKSAUTH_EKS_MAX_BODY);
    const char *m = eksauth_json_answer_str(root, "message");
    const char *type = eksauth_json_answer_str(root, "__type");
    char msg[200] = "", code[80] = "";
    enum eksauth_status st;
    long s = resp->status;

    if (m == NULL)
        m = eksauth_json_answer_str(root, "Message");
    if (m != NULL)
        eksauth_json_answer_safe_copy(m, strlen(m), msg, sizeof(msg));
    if (type != NULL)
        eksauth_json_answer_safe_copy(type, strlen(type), code, sizeof(code));
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

enum eksauth_status eksauth_eks_access_entries(const struct eksauth_config *cfg,
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
    if ((st = eksauth_cluster_creds(cfg, &c.creds, err)) != EKSAUTH_OK)
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
    eksauth_strv_free(arns, n_arns);
    eksauth_creds_free(&c.creds);
    return st;
}
