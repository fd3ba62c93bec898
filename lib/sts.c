/*
 * sts.c - STS GetCallerIdentity through http.c (the one libcurl layer), and
 * the pure reader of its answer (json-c).  See sts.h for the contract and
 * docs/token-rules.md, "The STS call".
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eksauth/http.h"
#include "eksauth/json_answer.h"
#include "eksauth/partition.h"
#include "eksauth/printable.h"
#include "eksauth/sigv4.h"
#include "eksauth/sts.h"

#define ERR_PREFIX "sts"

/* ------------------------------------------------------------------ */
/* the answer */

/* STS error codes and what they mean for the person logging in. */
static const struct {
    const char *code;
    const char *why;
} sts_codes[] = {
    {"SignatureDoesNotMatch", "the signature does not match: the token was minted for "
                              "another host or cluster (or with a wrong secret key)"},
    {"ExpiredToken", "the token or its session credentials have expired"},
    {"InvalidClientTokenId", "STS does not know the token's access key or session token"},
    {"AccessDenied", "access denied"},
    {"IncompleteSignature", "the token's signature is incomplete"},
    {"SignatureExpired", "the token's signature has expired"},
    {"MalformedQueryString", "STS could not read the token's query"},
    {"InvalidAction", "STS does not accept the token's action"},
};

/* Codes that mean "slow down": the login may succeed later. */
static bool is_throttling_code(const char *code)
{
    return strcmp(code, "Throttling") == 0 || strcmp(code, "ThrottlingException") == 0 ||
           strcmp(code, "RequestLimitExceeded") == 0 ||
           strcmp(code, "TooManyRequestsException") == 0;
}

/* A code we repeat in a message: a short identifier, nothing the server could smuggle. */
static bool code_valid(const char *s, size_t len)
{
    size_t i;

    if (len == 0 || len > 64)
        return false;
    for (i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* body[0..len) as one JSON value (json_answer.h); STS answers nest 32 levels at most. */
static struct json_object *parse_json(const char *body, size_t len, const char **why)
{
    return eksauth_json_answer_read(body, len, EKSAUTH_STS_MAX_BODY, 32, why);
}

/* obj[k1] (a string), or obj[k1][k2] when k2 is given; NULL when not there. */
static const char *json_str_at(struct json_object *obj, const char *k1, const char *k2)
{
    return k2 != NULL ? eksauth_json_answer_str(eksauth_json_answer_obj(obj, k1), k2)
                      : eksauth_json_answer_str(obj, k1);
}

/*
 * The error code of an STS error answer, into code (may stay "").  JSON
 * {"Error":{"Code":...}}, {"ErrorResponse":{"Error":{"Code":...}}},
 * {"__type":"...#Code"}, or XML <Code>...</Code>.
 */
static void error_code(const char *body, size_t len, char *code, size_t codelen)
{
    struct json_object *root, *er = NULL;
    const char *c = NULL, *p, *q;
    size_t n = 0;

    code[0] = '\0';
    if (len > EKSAUTH_STS_MAX_BODY)
        len = EKSAUTH_STS_MAX_BODY;
    root = parse_json(body, len, NULL);
    if (root != NULL) {
        c = json_str_at(root, "Error", "Code");
        if (c == NULL && json_object_object_get_ex(root, "ErrorResponse", &er))
            c = json_str_at(er, "Error", "Code");
        if (c == NULL && (c = json_str_at(root, "__type", NULL)) != NULL && strchr(c, '#') != NULL)
            c = strchr(c, '#') + 1;
        if (c != NULL)
            n = strlen(c);
    } else if ((p = memmem(body, len, "<Code>", 6)) != NULL) {
        p += 6;
        q = memmem(p, len - (size_t)(p - body), "</Code>", 7);
        if (q != NULL) {
            c = p;
            n = (size_t)(q - p);
        }
    }
    if (c != NULL && code_valid(c, n) && n < codelen) {
        memcpy(code, c, n);
        code[n] = '\0';
    }
    json_object_put(root);
}

static enum eksauth_status sts_error(long status, const char *body, size_t len,
                                     struct eksauth_sts_identity *out, struct eksauth_error *err)
{
    char code[80], label[128];
    const char *why = NULL;
    size_t i;

    error_code(body, len, code, sizeof(code));
    snprintf(out->error_code, sizeof(out->error_code), "%s", code);
    if (code[0] != '\0')
        snprintf(label, sizeof(label), "HTTP %ld %s", status, code);
    else
        snprintf(label, sizeof(label), "HTTP %ld", status);

    /* Throttling is not a verdict on the token: say "unavailable" so the login may be retried. */
    if ((code[0] != '\0' && is_throttling_code(code)) || status == 429 ||
        (code[0] == '\0' && len > 0 &&
         memmem(body, len < EKSAUTH_STS_MAX_BODY ? len : EKSAUTH_STS_MAX_BODY, "Throttling", 10) !=
             NULL))
        return eksauth_fail(
            err, EKSAUTH_EUNAVAIL,
            ERR_PREFIX ": throttled (%s): STS is limiting requests; try again later", label);
    if (status >= 500 && status <= 599)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, ERR_PREFIX ": STS failed (%s)", label);
    /* A redirect is never followed: the token's URL is the only place we send it. */
    if (status >= 300 && status <= 399)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            ERR_PREFIX ": unexpected redirect (%s); redirects are never followed",
                            label);
    for (i = 0; i < sizeof(sts_codes) / sizeof(sts_codes[0]); i++) {
        if (strcmp(code, sts_codes[i].code) == 0)
            why = sts_codes[i].why;
    }
    if (status >= 400 && status <= 499)
        return eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": STS refused the token (%s)%s%s",
                            label, why != NULL ? ": " : "", why != NULL ? why : "");
    return eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": unexpected answer (%s)", label);
}

static bool twelve_digits(const char *s)
{
    size_t i;

    for (i = 0; i < 12; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return s[12] == '\0';
}

/* Fetch GetCallerIdentityResult.<key> as a string, or say why not. */
static enum eksauth_status result_string(struct json_object *result, const char *key,
                                         const char **out, struct eksauth_error *err)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(result, key, &v))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            ERR_PREFIX ": bad answer: GetCallerIdentityResult has no %s", key);
    if (v == NULL || !json_object_is_type(v, json_type_string))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            ERR_PREFIX ": bad answer: GetCallerIdentityResult.%s is not a string",
                            key);
    /* Whole as a C string: parse_json refuses "\u0000" ("alice\u0000bob" is no session alice). */
    *out = json_object_get_string(v);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_sts_parse_response(long http_status, const char *body, size_t len,
                                               struct eksauth_sts_identity *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_object *root = NULL, *resp = NULL, *result = NULL;
    const char *arn = NULL, *account = NULL, *user_id = NULL, *colon;
    struct eksauth_error aerr;
    const char *why = NULL;

    memset(out, 0, sizeof(*out));
    out->http_status = http_status;
    if (body == NULL)
        len = 0;
    if (http_status != 200)
        return sts_error(http_status, body != NULL ? body : "", len, out, err);
    /* The call stops reading at the cap; a parser given more refuses it the same way. */
    if (len > EKSAUTH_STS_MAX_BODY)
        return eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": bad answer: larger than %d bytes",
                            EKSAUTH_STS_MAX_BODY);
    if (len == 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": bad answer: empty");
    root = parse_json(body, len, &why);
    if (root == NULL) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": bad answer: %s", why);
        goto out;
    }
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "GetCallerIdentityResponse", &resp) ||
        !json_object_is_type(resp, json_type_object)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": bad answer: no GetCallerIdentityResponse object");
        goto out;
    }
    if (!json_object_object_get_ex(resp, "GetCallerIdentityResult", &result) ||
        !json_object_is_type(result, json_type_object)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": bad answer: no GetCallerIdentityResult object");
        goto out;
    }
    if ((st = result_string(result, "Arn", &arn, err)) != EKSAUTH_OK ||
        (st = result_string(result, "Account", &account, err)) != EKSAUTH_OK ||
        (st = result_string(result, "UserId", &user_id, err)) != EKSAUTH_OK)
        goto out;

    /* The ARN decides the mapping: it must be a principal ARN we can canonicalise. */
    if (strlen(arn) >= sizeof(out->arn) || !eksauth_visible_ascii(arn, sizeof(out->arn))) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": bad answer: Arn is not valid");
        goto out;
    }
    if (eksauth_arn_parse(arn, &out->parsed, &aerr) != EKSAUTH_OK) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, ERR_PREFIX ": bad answer: %s", aerr.msg);
        goto out;
    }
    /* Stricter than upstream (docs/token-rules.md, "The identity from STS's answer"): Account is 12
     * digits and the ARN's own. */
    if (!twelve_digits(account)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": bad answer: Account is not 12 digits");
        goto out;
    }
    if (strcmp(account, out->parsed.account) != 0) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": bad answer: Account %s is not the ARN's account %s",
                          account, out->parsed.account);
        goto out;
    }
    if (!eksauth_visible_ascii(user_id, sizeof(out->user_id) - 1)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": bad answer: UserId is empty, too long or not ASCII");
        goto out;
    }
    memcpy(out->arn, arn, strlen(arn) + 1);
    memcpy(out->account, account, 13);
    memcpy(out->user_id, user_id, strlen(user_id) + 1);

    /*
     * docs/token-rules.md, "The identity from STS's answer": users, federated users and root keep
     * the whole UserId; a role session's is "ROLEID:SESSION" in exactly two parts.
     */
    switch (out->parsed.type) {
    case EKSAUTH_ARN_USER:
    case EKSAUTH_ARN_FEDERATED_USER:
    case EKSAUTH_ARN_ROOT:
        memcpy(out->principal_id, user_id, strlen(user_id) + 1);
        break;
    case EKSAUTH_ARN_ASSUMED_ROLE:
    case EKSAUTH_ARN_ROLE:
        colon = strchr(user_id, ':');
        if (colon == NULL || colon == user_id || colon[1] == '\0' ||
            strchr(colon + 1, ':') != NULL) {
            st = eksauth_fail(err, EKSAUTH_EREJECTED,
                              ERR_PREFIX ": bad answer: malformed UserId \"%s\" for %s", user_id,
                              eksauth_arn_type_name(out->parsed.type));
            goto out;
        }
        /* Stricter: STS always names the same session in both; a mismatch is a forged answer. */
        if (out->parsed.type == EKSAUTH_ARN_ASSUMED_ROLE &&
            strcmp(colon + 1, out->parsed.session_name) != 0) {
            st = eksauth_fail(err, EKSAUTH_EREJECTED,
                              ERR_PREFIX ": bad answer: UserId session \"%s\" is not the ARN's "
                                         "session \"%s\"",
                              colon + 1, out->parsed.session_name);
            goto out;
        }
        memcpy(out->principal_id, user_id, (size_t)(colon - user_id));
        out->principal_id[colon - user_id] = '\0';
        break;
    }
out:
    json_object_put(root);
    if (st != EKSAUTH_OK) {
        memset(out, 0, sizeof(*out));
        out->http_status = http_status;
    }
    return st;
}

void eksauth_sts_principal(const struct eksauth_sts_identity *id, const struct eksauth_token *tok,
                           struct eksauth_principal *out)
{
    out->arn = id->arn;
    out->canonical_arn = id->parsed.canonical;
    out->account = id->account;
    out->session_name = id->parsed.session_name;
    out->access_key_id = tok != NULL ? tok->access_key_id : "";
}

/* ------------------------------------------------------------------ */
/* the call: the transport (TLS, timeouts, cap, proxies, redirects) is http.c's */

void eksauth_sts_connection(const struct eksauth_config *cfg, struct eksauth_http_request *req)
{
    long total_s = cfg->sts_timeout > 0 ? cfg->sts_timeout : EKSAUTH_STS_TIMEOUT;
    long connect_s =
        cfg->sts_connect_timeout > 0 ? cfg->sts_connect_timeout : EKSAUTH_STS_CONNECT_TIMEOUT;

    if (total_s > 600)
        total_s = 600;
    if (connect_s > total_s)
        connect_s = total_s;
    memset(req, 0, sizeof(*req));
    req->ca_file = cfg->sts_ca_file;
    req->ca_key = "sts_ca_file";
    req->connect_to = cfg->sts_connect_to;
    req->proxy = cfg->https_proxy;
    req->proxy_from_env = cfg->proxy_from_env;
    req->connect_timeout_ms = connect_s * 1000L;
    req->timeout_ms = total_s * 1000L;
}

/*
 * Whether STS failing for this token is a refusal rather than an outage.
 * "Unavailable" lets ignore_authinfo_unavail step aside (PAM_IGNORE), so a
 * stranger must not be able to choose it: the cluster's host rule takes any
 * label of a region's shape, and the SDK's rules make the FIPS and
 * dual-stack forms at every region (docs/token-rules.md, "Hosts"), so a
 * token can name a host AWS does not list (sts.us-nowhere-9.amazonaws.com,
 * sts-fips.eu-west-1.amazonaws.com) that never reaches an STS.  A host the
 * operator named (sts_host) is trusted to exist.  When it is a refusal,
 * err says why.
 */
static bool failure_is_refusal(const struct eksauth_config *cfg, const struct eksauth_token *tok,
                               struct eksauth_error *err)
{
    const struct eksauth_partition *p;

    if (eksauth_token_host_named(tok->host, (const char *const *)cfg->sts_hosts) ||
        eksauth_sts_host_listed(tok->host))
        return false;
    p = eksauth_partition_of_region(tok->region, strlen(tok->region));
    if (!eksauth_region_listed(tok->region) || p == NULL ||
        p->sts_hosts[EKSAUTH_STS_PLAIN].before == NULL)
        eksauth_error_append(err, "; AWS lists no region '%s', so this is no STS outage: refused",
                             tok->region);
    else
        eksauth_error_append(err,
                             "; AWS lists STS in region '%s' at %s%s%s, not at this host, so this "
                             "is no STS outage: refused",
                             tok->region, p->sts_hosts[EKSAUTH_STS_PLAIN].before, tok->region,
                             p->sts_hosts[EKSAUTH_STS_PLAIN].after);
    return true;
}

enum eksauth_status eksauth_sts_get_caller_identity(const struct eksauth_config *cfg,
                                                    const char *audience, const char *tls_session,
                                                    const struct eksauth_token *tok,
                                                    struct eksauth_sts_identity *out,
                                                    struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct eksauth_error e = {EKSAUTH_OK, ""};
    struct eksauth_http_response resp = {0, NULL, 0, 0};
    struct eksauth_http_request req;
    char idhdr[sizeof("x-k8s-aws-id: ") + EKSAUTH_AUDIENCE_MAX];
    const char *headers[3];

    memset(out, 0, sizeof(*out));
    if (cfg == NULL || tok == NULL) {
        st = eksauth_fail(&e, EKSAUTH_EINVAL, ERR_PREFIX ": no configuration or token");
        goto out;
    }
    if (audience == NULL)
        audience = cfg->cluster_id;
    /* The audience binds the token to this host (or cluster); it goes into a header: no CR/LF. */
    if (!eksauth_audience_valid(audience)) {
        st = eksauth_fail(&e, EKSAUTH_EINVAL,
                          ERR_PREFIX ": the audience (cluster_id) is missing or not visible ASCII");
        goto out;
    }
    /* Only a checked https URL is ever sent (eksauth_token_check made it); check it again. */
    if (tok->url_len == 0 || tok->url_len >= sizeof(tok->url) || tok->url[tok->url_len] != '\0' ||
        strlen(tok->url) != tok->url_len || strncmp(tok->url, "https://", 8) != 0) {
        st = eksauth_fail(&e, EKSAUTH_EINVAL, ERR_PREFIX ": the token's URL is not an https URL");
        goto out;
    }
    /* The token's URL unchanged, with the audience: STS checks the signature over it. */
    snprintf(idhdr, sizeof(idhdr), "x-k8s-aws-id: %s", audience);
    headers[0] = idhdr;
    headers[1] = "Accept: application/json";
    headers[2] = NULL;
    eksauth_sts_connection(cfg, &req);
    req.what = ERR_PREFIX;
    req.url = tok->url;
    req.headers = headers;
    req.max_body = EKSAUTH_STS_MAX_BODY;
    req.tls_session = tls_session;
    st = eksauth_http_perform(&req, &resp, &e);
    if (st == EKSAUTH_OK)
        st = eksauth_sts_parse_response(resp.status, resp.body, resp.len, out, &e);
    if (st == EKSAUTH_EUNAVAIL && failure_is_refusal(cfg, tok, &e))
        e.status = st = EKSAUTH_EREJECTED;
    if (st != EKSAUTH_OK)
        goto out;
    /* The identity must belong to this host's partition, whatever host the token named. */
    if (st == EKSAUTH_OK && cfg->partition != NULL && cfg->partition[0] != '\0' &&
        strcmp(out->parsed.partition, cfg->partition) != 0) {
        st = eksauth_fail(&e, EKSAUTH_EREJECTED,
                          ERR_PREFIX ": the identity is in partition %s, this host's is %s",
                          out->parsed.partition, cfg->partition);
        memset(out, 0, sizeof(*out));
    }
out:
    eksauth_http_response_free(&resp);
    if (st != EKSAUTH_OK && err != NULL)
        *err = e;
    return st;
}
