/*
 * eks_api.c - the EKS API: DescribeCluster, ListAccessEntries (every page),
 * DescribeAccessEntry and ListAssociatedAccessPolicies (every page) signed
 * with SigV4 headers, and the username an access entry gives (see
 * eks_api.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "eksauth/arn.h"
#include "eksauth/backoff.h"
#include "eksauth/cluster_host.h"
#include "eksauth/eks_api.h"
#include "eksauth/http.h"
#include "eksauth/json_answer.h"
#include "eksauth/partition.h"
#include "eksauth/sigv4.h"
#include "eksauth/strlist.h"

/* ------------------------------------------------------------------ */
/* pure */

/* A page's nextToken into next: "" when absent or null; EKSAUTH_EINVAL when not a plain string. */
static enum eksauth_status next_token(struct json_object *root, const char *what, char *next,
                                      size_t nextlen, struct eksauth_error *err)
{
    struct json_object *tok = NULL;
    const char *t;

    if (nextlen > 0)
        next[0] = '\0';
    if (!json_object_object_get_ex(root, "nextToken", &tok) || tok == NULL ||
        json_object_is_type(tok, json_type_null))
        return EKSAUTH_OK;
    t = json_object_is_type(tok, json_type_string) ? json_object_get_string(tok) : NULL;
    /* The token goes back into a URL: only visible ASCII, and it must fit. */
    if (t == NULL || strlen(t) >= nextlen || !eksauth_json_answer_visible(t, strlen(t)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: %s: a bad nextToken", what);
    memcpy(next, t, strlen(t) + 1);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_eks_parse_list(const char *body, size_t len, char ***arns, size_t *n,
                                           char *next, size_t nextlen, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *list = NULL;
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
    st = next_token(root, "ListAccessEntries", next, nextlen, err);
out:
    json_object_put(root);
    return st;
}

void eksauth_access_entry_free(struct eksauth_access_entry *e)
{
    size_t i;

    if (e == NULL)
        return;
    free(e->principal_arn);
    free(e->username);
    eksauth_strv_free(e->groups, e->n_groups);
    free(e->type);
    for (i = 0; i < e->n_policies; i++)
        eksauth_access_policy_free(&e->policies[i]);
    free(e->policies);
    memset(e, 0, sizeof(*e));
}

static const char *const auth_mode_names[] = {
    [EKSAUTH_AUTH_CONFIG_MAP] = "CONFIG_MAP",
    [EKSAUTH_AUTH_API_AND_CONFIG_MAP] = "API_AND_CONFIG_MAP",
    [EKSAUTH_AUTH_API] = "API",
};

const char *eksauth_auth_mode_name(enum eksauth_auth_mode mode)
{
    return (size_t)mode < sizeof(auth_mode_names) / sizeof(auth_mode_names[0])
               ? auth_mode_names[mode]
               : "unknown";
}

enum eksauth_status eksauth_eks_parse_cluster(const char *body, size_t len,
                                              enum eksauth_auth_mode *mode, char *arn,
                                              size_t arnlen, struct eksauth_error *err)
{
    struct json_object *root, *cluster, *access = NULL, *m = NULL;
    enum eksauth_status st = EKSAUTH_OK;
    const char *name, *a;
    size_t i;

    *mode = EKSAUTH_AUTH_CONFIG_MAP;
    if (arn != NULL && arnlen > 0)
        arn[0] = '\0';
    root = eksauth_json_answer_parse(body, len, EKSAUTH_EKS_MAX_BODY);
    cluster = eksauth_json_answer_obj(root, "cluster");
    if (cluster == NULL) {
        st =
            eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: DescribeCluster: no cluster in the answer");
        goto out;
    }
    /* What names the cluster (with its account) to the access entry cache (cluster.c). */
    a = eksauth_json_answer_str(cluster, "arn");
    if (arn != NULL && a != NULL && strncmp(a, "arn:", 4) == 0 && strlen(a) < arnlen &&
        eksauth_json_answer_visible(a, strlen(a)))
        memcpy(arn, a, strlen(a) + 1);
    /* A cluster from before access entries has no accessConfig: aws-auth alone. */
    if (!json_object_object_get_ex(cluster, "accessConfig", &access) || access == NULL ||
        json_object_is_type(access, json_type_null) ||
        !json_object_object_get_ex(access, "authenticationMode", &m) || m == NULL ||
        json_object_is_type(m, json_type_null))
        goto out;
    name = json_object_is_type(m, json_type_string) ? json_object_get_string(m) : NULL;
    for (i = 0; name != NULL && i < sizeof(auth_mode_names) / sizeof(auth_mode_names[0]); i++) {
        if (strcmp(name, auth_mode_names[i]) == 0) {
            *mode = (enum eksauth_auth_mode)i;
            goto out;
        }
    }
    /* A mode eksauth does not know: which sources the cluster reads would be a guess. */
    st = eksauth_fail(err, EKSAUTH_EINVAL,
                      "EKS API: DescribeCluster: unknown accessConfig.authenticationMode");
out:
    json_object_put(root);
    return st;
}

/* One policy of a ListAssociatedAccessPolicies answer into *p. */
static enum eksauth_status parse_policy(struct json_object *o, struct eksauth_access_policy *p,
                                        struct eksauth_error *err)
{
    struct json_object *scope = eksauth_json_answer_obj(o, "accessScope"), *nss = NULL;
    const char *arn = eksauth_json_answer_str(o, "policyArn");
    const char *type = eksauth_json_answer_str(scope, "type");
    size_t i;

    memset(p, 0, sizeof(*p));
    if (arn == NULL || !eksauth_json_answer_visible(arn, strlen(arn)) || strlen(arn) >= 2048 ||
        type == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "EKS API: ListAssociatedAccessPolicies: a policy without policyArn "
                            "or accessScope.type");
    if ((p->arn = strdup(arn)) == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
    if (strcmp(type, "cluster") == 0) {
        p->cluster_scope = true;
        return EKSAUTH_OK;
    }
    /* Any other scope would be a guess at what the policy grants. */
    if (strcmp(type, "namespace") != 0 || !json_object_object_get_ex(scope, "namespaces", &nss) ||
        !json_object_is_type(nss, json_type_array))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "EKS API: ListAssociatedAccessPolicies: an access scope that is "
                            "neither cluster nor namespace with namespaces");
    for (i = 0; i < json_object_array_length(nss); i++) {
        struct json_object *ns = json_object_array_get_idx(nss, i);

        if (!json_object_is_type(ns, json_type_string))
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "EKS API: ListAssociatedAccessPolicies: a namespace is not a "
                                "string");
        if (eksauth_strv_add(&p->namespaces, &p->n_namespaces, json_object_get_string(ns), NULL) !=
            EKSAUTH_OK)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_eks_parse_policies(const char *body, size_t len,
                                               struct eksauth_access_entry *e, char *next,
                                               size_t nextlen, struct eksauth_error *err)
{
    struct json_object *root, *list = NULL;
    struct eksauth_access_policy *grown;
    const char *principal;
    enum eksauth_status st = EKSAUTH_OK;
    size_t i, count;

    if (nextlen > 0)
        next[0] = '\0';
    root = eksauth_json_answer_parse(body, len, EKSAUTH_EKS_MAX_BODY);
    if (root == NULL || !json_object_object_get_ex(root, "associatedAccessPolicies", &list) ||
        !json_object_is_type(list, json_type_array)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "EKS API: ListAssociatedAccessPolicies: no associatedAccessPolicies "
                          "list in the answer");
        goto out;
    }
    /* The answer must be about the principal asked for. */
    principal = eksauth_json_answer_str(root, "principalArn");
    if (principal != NULL && strcmp(principal, e->principal_arn) != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "EKS API: ListAssociatedAccessPolicies answered for another principal");
        goto out;
    }
    count = json_object_array_length(list);
    if (e->n_policies + count > EKSAUTH_EKS_MAX_POLICIES) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: more than %d policies for %.200s",
                          EKSAUTH_EKS_MAX_POLICIES, e->principal_arn);
        goto out;
    }
    grown = realloc(e->policies, (e->n_policies + count + 1) * sizeof(*grown));
    if (grown == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "EKS API: out of memory");
        goto out;
    }
    e->policies = grown;
    for (i = 0; i < count && st == EKSAUTH_OK; i++) {
        st = parse_policy(json_object_array_get_idx(list, i), &e->policies[e->n_policies], err);
        /* Counted even when half-filled: eksauth_access_entry_free releases it. */
        e->n_policies++;
    }
    if (st == EKSAUTH_OK)
        st = next_token(root, "ListAssociatedAccessPolicies", next, nextlen, err);
out:
    json_object_put(root);
    return st;
}

enum eksauth_status eksauth_eks_parse_describe(const char *body, size_t len,
                                               struct eksauth_access_entry *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root, *ae, *groups = NULL, *u = NULL, *m = NULL;
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
    /* A timestamp of restJson1: seconds since the epoch, maybe with a fraction. */
    if (json_object_object_get_ex(ae, "modifiedAt", &m) &&
        (json_object_is_type(m, json_type_double) || json_object_is_type(m, json_type_int)))
        out->modified_at = json_object_get_double(m);
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

void eksauth_eks_connection(const struct eksauth_config *cfg, struct eksauth_http_request *req)
{
    memset(req, 0, sizeof(*req));
    req->ca_file = cfg->eks_ca_file;
    req->ca_key = "eks_ca_file";
    req->connect_to = cfg->eks_connect_to;
    req->proxy = cfg->https_proxy;
    req->connect_timeout_ms = EKSAUTH_EKS_CONNECT_MS;
    req->timeout_ms = EKSAUTH_EKS_TIMEOUT_MS;
}

enum eksauth_status eksauth_eks_host(const struct eksauth_config *cfg, const char *region,
                                     char *out, size_t outlen, struct eksauth_error *err)
{
    const struct eksauth_partition *part =
        eksauth_partition_find(cfg->partition != NULL ? cfg->partition : "aws");
    int n;

    if (part == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: unknown partition");
    n = snprintf(out, outlen, "eks.%s.%s", region, part->domain);
    if (n < 0 || (size_t)n >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: region too long");
    return EKSAUTH_OK;
}

static enum eksauth_status eks_get(struct eksauth_eks_session *c, const char *path,
                                   const char *query, struct eksauth_http_response *resp,
                                   struct eksauth_error *err)
{
    const struct eksauth_config *cfg = c->cfg;
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
    /* Signed now, at each attempt: a retry after a wait carries a fresh date. */
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
    eksauth_eks_connection(cfg, &req);
    req.what = "EKS API";
    req.url = url;
    req.headers = headers;
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

/* A non-200 answer as a failure; *throttled when it asked the caller to slow down. */
static enum eksauth_status eks_http_error(const struct eksauth_http_response *resp,
                                          const char *what, bool *throttled,
                                          struct eksauth_error *err)
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
    *throttled =
        s == 429 || strstr(code, "Throttl") != NULL || strstr(code, "TooManyRequests") != NULL;
    if (*throttled || s >= 500)
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
                            ? " (this host's role needs eks:DescribeCluster (source = auto), "
                              "eks:ListAccessEntries, eks:DescribeAccessEntry and "
                              "eks:ListAssociatedAccessPolicies on the cluster)"
                            : "");
}

/*
 * GET path?query as what, counted against the session's budget; an answer
 * that is not 200 is the failure eks_http_error makes of it, and one
 * trying again may mend (throttling, 5xx, a failed connection) is tried
 * again as budget.h says.
 */
static enum eksauth_status eks_call(struct eksauth_eks_session *c, const char *what,
                                    const char *path, const char *query,
                                    struct eksauth_http_response *resp, struct eksauth_error *err)
{
    struct eksauth_backoff backoff;
    enum eksauth_status st;
    unsigned attempt = 0;
    bool throttled;
    char label[96];

    snprintf(label, sizeof(label), "EKS API: %s", what);
    eksauth_backoff_init(&backoff, EKSAUTH_RETRY_BASE_MS, EKSAUTH_RETRY_CAP_MS);
    for (;;) {
        eksauth_http_response_free(resp);
        if ((st = eksauth_budget_take(c->budget, label, err)) != EKSAUTH_OK)
            return st;
        throttled = false;
        st = eks_get(c, path, query, resp, err);
        if (st == EKSAUTH_OK && resp->status != 200)
            st = eks_http_error(resp, what, &throttled, err);
        if (st != EKSAUTH_EUNAVAIL ||
            !eksauth_budget_retry(c->budget, &backoff, &attempt, resp->retry_after_ms, throttled))
            return st;
    }
}

enum eksauth_status eksauth_eks_open(const struct eksauth_config *cfg,
                                     struct eksauth_budget *budget, struct eksauth_eks_session *c,
                                     struct eksauth_error *err)
{
    enum eksauth_status st;

    memset(c, 0, sizeof(*c));
    c->cfg = cfg;
    c->budget = budget;
    if (cfg->cluster_name == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "source = %s needs cluster_name (the EKS cluster's name)",
                            eksauth_source_name(cfg->source));
    if ((st = eksauth_cluster_region(cfg, c->region, sizeof(c->region), err)) != EKSAUTH_OK)
        return st;
    if ((st = eksauth_eks_host(cfg, c->region, c->host, sizeof(c->host), err)) != EKSAUTH_OK)
        return st;
    if (eksauth_sigv4_uri_encode(cfg->cluster_name, strlen(cfg->cluster_name), c->cluster,
                                 sizeof(c->cluster)) < 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: cluster_name too long");
    st = eksauth_cluster_creds(cfg, &c->creds, err);
    if (st == EKSAUTH_OK)
        c->open = true;
    return st;
}

void eksauth_eks_close(struct eksauth_eks_session *c)
{
    if (c->open)
        eksauth_creds_free(&c->creds);
    c->open = false;
}

/*
 * The nextTokens of one pagination, for a circle: a service that answers a
 * token it gave before (a page back to the first, a token echoed) would be
 * asked the same pages for ever, and the sync would end on its spent
 * budget, blaming sync_max_requests.  Brent's way: one token kept, taken
 * anew at pages 1, 2, 4, 8...; a circle of any length meets it again
 * within a few rounds.  EKS's own tokens never come again.
 */
struct pages {
    char kept[2048];
    size_t seen, round; /* tokens since the kept one; the round's length */
    size_t n;           /* pages asked */
};

static void pages_init(struct pages *p)
{
    memset(p, 0, sizeof(*p));
    p->round = 1;
}

/* Count a page asked for and the nextToken it answered; EKSAUTH_EINVAL when the token came before.
 */
static enum eksauth_status pages_next(struct pages *p, const char *what, const char *next,
                                      struct eksauth_error *err)
{
    p->n++;
    if (next[0] == '\0')
        return EKSAUTH_OK;
    if (strcmp(next, p->kept) == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "EKS API: %s: the nextToken of page %zu came before: the pages go "
                            "round in a circle, so none of them is used",
                            what, p->n);
    if (++p->seen == p->round) {
        snprintf(p->kept, sizeof(p->kept), "%s", next);
        p->round *= 2;
        p->seen = 0;
    }
    return EKSAUTH_OK;
}

/* "maxResults=100" and, after the first page, "&nextToken=<next, encoded>". */
static enum eksauth_status page_query(const char *next, char *query, size_t querylen,
                                      struct eksauth_error *err)
{
    char enc[6200];

    if (next[0] == '\0') {
        snprintf(query, querylen, "maxResults=100");
        return EKSAUTH_OK;
    }
    if (eksauth_sigv4_uri_encode(next, strlen(next), enc, sizeof(enc)) < 0 ||
        snprintf(query, querylen, "maxResults=100&nextToken=%s", enc) >= (int)querylen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: nextToken too long");
    return EKSAUTH_OK;
}

/* "/clusters/NAME/access-entries/<principal, encoded><tail>". */
static enum eksauth_status entry_path(const struct eksauth_eks_session *c, const char *principal,
                                      const char *tail, char *path, size_t pathlen,
                                      struct eksauth_error *err)
{
    char enc[6200];

    if (eksauth_sigv4_uri_encode(principal, strlen(principal), enc, sizeof(enc)) < 0 ||
        snprintf(path, pathlen, "/clusters/%s/access-entries/%s%s", c->cluster, enc, tail) >=
            (int)pathlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: principal ARN too long");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_eks_list_entries(struct eksauth_eks_session *c, char ***arns, size_t *n,
                                             struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    char next[2048] = "", path[4096], query[6300];
    enum eksauth_status st = EKSAUTH_OK;
    struct pages pages;

    *arns = NULL;
    *n = 0;
    pages_init(&pages);
    snprintf(path, sizeof(path), "/clusters/%s/access-entries", c->cluster);
    /* Every page: an access entry left out would be a login wrongly refused or kept. */
    do {
        if (pages.n >= EKSAUTH_EKS_MAX_ENTRIES) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: too many pages");
            break;
        }
        if ((st = page_query(next, query, sizeof(query), err)) != EKSAUTH_OK ||
            (st = eks_call(c, "ListAccessEntries", path, query, &resp, err)) != EKSAUTH_OK ||
            (st = eksauth_eks_parse_list(resp.body, resp.len, arns, n, next, sizeof(next), err)) !=
                EKSAUTH_OK ||
            (st = pages_next(&pages, "ListAccessEntries", next, err)) != EKSAUTH_OK)
            break;
    } while (next[0] != '\0');
    eksauth_http_response_free(&resp);
    if (st != EKSAUTH_OK) {
        eksauth_strv_free(*arns, *n);
        *arns = NULL;
        *n = 0;
    }
    return st;
}

enum eksauth_status eksauth_eks_read_entry(struct eksauth_eks_session *c, const char *arn,
                                           struct eksauth_access_entry *e,
                                           struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    char next[2048] = "", path[8192], query[6300];
    enum eksauth_status st;
    struct pages pages;

    memset(e, 0, sizeof(*e));
    pages_init(&pages);
    if ((st = entry_path(c, arn, "", path, sizeof(path), err)) != EKSAUTH_OK ||
        (st = eks_call(c, "DescribeAccessEntry", path, "", &resp, err)) != EKSAUTH_OK ||
        (st = eksauth_eks_parse_describe(resp.body, resp.len, e, err)) != EKSAUTH_OK)
        goto out;
    /* The answer must be about the principal asked for. */
    if (strcmp(e->principal_arn, arn) != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "EKS API: DescribeAccessEntry answered for another principal");
        goto out;
    }
    if ((st = entry_path(c, arn, "/access-policies", path, sizeof(path), err)) != EKSAUTH_OK)
        goto out;
    /* Every page: a policy left out would be a group wrongly missing, one too many a guess. */
    do {
        if (pages.n >= EKSAUTH_EKS_MAX_POLICIES) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "EKS API: too many pages");
            break;
        }
        if ((st = page_query(next, query, sizeof(query), err)) != EKSAUTH_OK ||
            (st = eks_call(c, "ListAssociatedAccessPolicies", path, query, &resp, err)) !=
                EKSAUTH_OK ||
            (st = eksauth_eks_parse_policies(resp.body, resp.len, e, next, sizeof(next), err)) !=
                EKSAUTH_OK ||
            (st = pages_next(&pages, "ListAssociatedAccessPolicies", next, err)) != EKSAUTH_OK)
            break;
    } while (next[0] != '\0');
out:
    eksauth_http_response_free(&resp);
    if (st != EKSAUTH_OK)
        eksauth_access_entry_free(e);
    return st;
}

enum eksauth_status eksauth_eks_auth_mode(struct eksauth_eks_session *c,
                                          enum eksauth_auth_mode *mode, struct eksauth_error *err)
{
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    enum eksauth_status st;
    char path[4096];

    snprintf(path, sizeof(path), "/clusters/%s", c->cluster);
    st = eks_call(c, "DescribeCluster", path, "", &resp, err);
    if (st == EKSAUTH_OK)
        st = eksauth_eks_parse_cluster(resp.body, resp.len, mode, c->cluster_arn,
                                       sizeof(c->cluster_arn), err);
    eksauth_http_response_free(&resp);
    return st;
}
