/*
 * sigv4.c - SigV4 query presigning of STS GetCallerIdentity, as botocore
 * does it for `aws eks get-token`, and the EKS token made from it.
 *
 * The canonical request (SigV4, "Create a canonical request"):
 *   GET \n / \n <query, keys sorted> \n host:<host> \n x-k8s-aws-id:<id> \n \n
 *   host;x-k8s-aws-id \n <sha256 of the empty payload>
 * The URL keeps botocore's order: the operation's parameters, then the auth
 * parameters in the order botocore adds them, the signature last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "eksauth/base64url.h"
#include "eksauth/partition.h"
#include "eksauth/sigv4.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"

#define ALGORITHM      "AWS4-HMAC-SHA256"
#define SIGNED_HEADERS "host;x-k8s-aws-id"
#define SERVICE        "sts"
/* SHA-256 of the empty payload: a presigned GET has no body. */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* A bounded string builder: once anything does not fit, it stays failed. */
struct sb {
    char *buf;
    size_t cap, len;
    int overflow;
};

static void sb_init(struct sb *b, char *buf, size_t cap)
{
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
    b->overflow = cap == 0;
    if (cap > 0)
        buf[0] = '\0';
}

static void sb_addn(struct sb *b, const char *s, size_t n)
{
    if (b->overflow)
        return;
    if (n >= b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void sb_add(struct sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

/* Append s percent-encoded (SigV4 rules, which botocore's quote(safe='-_.~') follows). */
static void sb_add_enc(struct sb *b, const char *s)
{
    long n;

    if (b->overflow)
        return;
    n = eksauth_sigv4_uri_encode(s, strlen(s), b->buf + b->len, b->cap - b->len);
    if (n < 0) {
        b->overflow = 1;
        return;
    }
    b->len += (size_t)n;
}

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

long eksauth_sigv4_uri_encode(const char *in, size_t len, char *out, size_t outcap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (is_unreserved(c)) {
            if (o + 1 >= outcap)
                return -1;
            out[o++] = (char)c;
        } else {
            if (o + 3 >= outcap)
                return -1;
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    if (o >= outcap)
        return -1;
    out[o] = '\0';
    return (long)o;
}

static void hex_encode(const unsigned char *in, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = hex[in[i] >> 4];
        out[2 * i + 1] = hex[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int sha256_hex(const char *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return -1;
    hex_encode(md, 32, out);
    return 0;
}

static int hmac256(const void *key, size_t keylen, const char *data, size_t len,
                   unsigned char out[32])
{
    unsigned int outlen = 0;

    if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data, len, out, &outlen) ==
            NULL ||
        outlen != 32)
        return -1;
    return 0;
}

enum eksauth_status eksauth_sigv4_signing_key(const char *secret, const char *date8,
                                              const char *region, const char *service,
                                              unsigned char out[32], struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    char kbuf[256];
    unsigned char k1[32], k2[32];
    int n;

    n = snprintf(kbuf, sizeof(kbuf), "AWS4%s", secret);
    if (n < 0 || (size_t)n >= sizeof(kbuf)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the secret access key is too long");
        goto out;
    }
    if (hmac256(kbuf, (size_t)n, date8, strlen(date8), k1) != 0 ||
        hmac256(k1, 32, region, strlen(region), k2) != 0 ||
        hmac256(k2, 32, service, strlen(service), k1) != 0 ||
        hmac256(k1, 32, "aws4_request", 12, out) != 0)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: HMAC-SHA256 failed");
out:
    /* The intermediate keys are as good as the secret for a day: wipe them. */
    OPENSSL_cleanse(kbuf, sizeof(kbuf));
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    return st;
}

bool eksauth_cluster_id_valid(const char *id)
{
    size_t i;

    if (id == NULL || id[0] == '\0')
        return false;
    /* Visible ASCII only: the id becomes an HTTP header value (no CR/LF injection). */
    for (i = 0; id[i] != '\0'; i++) {
        if (i >= EKSAUTH_CLUSTER_ID_MAX || id[i] < 0x21 || id[i] > 0x7e)
            return false;
    }
    return true;
}

/* A host we sign for: lower-case letters, digits, '-' and '.', as STS host names are. */
static bool host_valid(const char *h)
{
    size_t i;

    if (h == NULL || h[0] == '\0' || strlen(h) > 253)
        return false;
    for (i = 0; h[i] != '\0'; i++) {
        char c = h[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    }
    return true;
}

/* An access key id: upper-case letters and digits (AKIA..., ASIA...). */
static bool akid_valid(const char *k)
{
    size_t i;

    if (k == NULL || strlen(k) < 16 || strlen(k) > 128)
        return false;
    for (i = 0; k[i] != '\0'; i++) {
        if (!((k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9')))
            return false;
    }
    return true;
}

/* Secrets and session tokens: visible ASCII (no byte that could break a line or a header). */
static bool secret_valid(const char *s, size_t max)
{
    size_t i;

    if (s == NULL || s[0] == '\0')
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if (i >= max || s[i] < 0x21 || s[i] > 0x7e)
            return false;
    }
    return true;
}

/* Region prefix -> partition, as the AWS endpoint rules assign regions. */
static const struct eksauth_partition *partition_of_region(const char *region)
{
    static const struct {
        const char *prefix;
        const char *partition;
    } map[] = {
        {"cn-", "aws-cn"},         {"us-gov-", "aws-us-gov"}, {"us-isob-", "aws-iso-b"},
        {"us-isof-", "aws-iso-f"}, {"us-iso-", "aws-iso"},    {"eu-isoe-", "aws-iso-e"},
        {"eusc-", "aws-eusc"},
    };
    size_t i;

    for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
        if (strncmp(region, map[i].prefix, strlen(map[i].prefix)) == 0)
            return eksauth_partition_find(map[i].partition);
    }
    return eksauth_partition_find("aws");
}

enum eksauth_status eksauth_sigv4_sts_host(const char *region, bool global, char *host,
                                           size_t hostlen, struct eksauth_error *err)
{
    const struct eksauth_partition *p;
    int n;

    if (region == NULL || !eksauth_region_valid(region, strlen(region)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: \"%.40s\" is not a region name",
                            region != NULL ? region : "");
    p = partition_of_region(region);
    if (p == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: no partition for %s", region);
    if (global) {
        if (!p->global_sts)
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "region: partition %s has no global STS endpoint", p->name);
        n = snprintf(host, hostlen, "sts.amazonaws.com");
    } else {
        n = snprintf(host, hostlen, "sts.%s.%s", region, p->domain);
    }
    if (n < 0 || (size_t)n >= hostlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: host name too long");
    return EKSAUTH_OK;
}

/* Refuse anything that could not be signed as botocore signs it, or that would break a header. */
static enum eksauth_status check_request(const struct eksauth_creds *creds,
                                         const struct eksauth_sts_presign *req,
                                         struct eksauth_error *err)
{
    if (creds == NULL || req == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no credentials or request");
    if (!host_valid(req->host))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad STS host name");
    if (req->region == NULL || !eksauth_region_valid(req->region, strlen(req->region)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad region");
    /* The cluster id goes into a signed header: no control bytes, no spaces. */
    if (!eksauth_cluster_id_valid(req->cluster_id))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "sigv4: the cluster id must be 1 to %d visible ASCII characters",
                            EKSAUTH_CLUSTER_ID_MAX);
    if (!akid_valid(creds->access_key_id))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "sigv4: the access key id is not 16 to 128 upper-case letters "
                            "and digits");
    if (!secret_valid(creds->secret_access_key, 200))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "sigv4: the secret access key is empty, too long or not ASCII");
    if (creds->session_token != NULL && creds->session_token[0] != '\0' &&
        !secret_valid(creds->session_token, EKSAUTH_SIGV4_URL_MAX))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "sigv4: the session token is too long or not ASCII");
    if (req->now < 0 || req->now > 253402300799) /* 9999-12-31T23:59:59Z */
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: signing time out of range");
    if (req->expires < 0 || req->expires > 604800)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: X-Amz-Expires out of range");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_sigv4_presign_sts(const struct eksauth_creds *creds,
                                              const struct eksauth_sts_presign *req, char *url,
                                              size_t urlcap, size_t *urllen,
                                              struct eksauth_error *err)
{
    enum eksauth_status st;
    char amzdate[32], date8[16], scope[128], credential[256], expires[24];
    char creq_hash[65], signature[65];
    unsigned char key[32], sig[32];
    char *creq_buf = NULL, *sts_buf = NULL;
    size_t big = EKSAUTH_SIGV4_URL_MAX * 2;
    struct sb cq, creq, sts, u;
    const char *token;
    int n;

    if (url == NULL || urlcap == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no room for the URL");
    url[0] = '\0';
    if ((st = check_request(creds, req, err)) != EKSAUTH_OK)
        return st;
    token = (creds->session_token != NULL && creds->session_token[0] != '\0') ? creds->session_token
                                                                              : NULL;

    eksauth_time_format_amz(req->now, amzdate, sizeof(amzdate));
    memcpy(date8, amzdate, 8);
    date8[8] = '\0';
    n = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date8, req->region, SERVICE);
    if (n < 0 || (size_t)n >= sizeof(scope))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential scope too long");
    n = snprintf(credential, sizeof(credential), "%s/%s", creds->access_key_id, scope);
    if (n < 0 || (size_t)n >= sizeof(credential))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential too long");
    snprintf(expires, sizeof(expires), "%ld",
             req->expires > 0 ? req->expires : EKSAUTH_SIGV4_EXPIRES);

    /* Two scratch buffers: they hold the session token, so they are wiped below. */
    creq_buf = malloc(big);
    sts_buf = malloc(big);
    if (creq_buf == NULL || sts_buf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: out of memory");
        goto out;
    }

    /* The canonical query: keys sorted by byte value ("Security-Token" < "SignedHeaders"). */
    sb_init(&cq, sts_buf, big);
    sb_add(&cq, "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=" ALGORITHM
                "&X-Amz-Credential=");
    sb_add_enc(&cq, credential);
    sb_add(&cq, "&X-Amz-Date=");
    sb_add(&cq, amzdate);
    sb_add(&cq, "&X-Amz-Expires=");
    sb_add(&cq, expires);
    if (token != NULL) {
        sb_add(&cq, "&X-Amz-Security-Token=");
        sb_add_enc(&cq, token);
    }
    sb_add(&cq, "&X-Amz-SignedHeaders=");
    sb_add_enc(&cq, SIGNED_HEADERS);

    sb_init(&creq, creq_buf, big);
    sb_add(&creq, "GET\n/\n");
    sb_addn(&creq, cq.buf, cq.len);
    sb_add(&creq, "\nhost:");
    sb_add(&creq, req->host);
    sb_add(&creq, "\nx-k8s-aws-id:");
    sb_add(&creq, req->cluster_id);
    sb_add(&creq, "\n\n" SIGNED_HEADERS "\n" EMPTY_SHA256);
    if (cq.overflow || creq.overflow) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the request is too long");
        goto out;
    }
    if (sha256_hex(creq.buf, creq.len, creq_hash) != 0) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: SHA-256 failed");
        goto out;
    }

    sb_init(&sts, sts_buf, big);
    sb_add(&sts, ALGORITHM "\n");
    sb_add(&sts, amzdate);
    sb_add(&sts, "\n");
    sb_add(&sts, scope);
    sb_add(&sts, "\n");
    sb_add(&sts, creq_hash);
    if ((st = eksauth_sigv4_signing_key(creds->secret_access_key, date8, req->region, SERVICE, key,
                                        err)) != EKSAUTH_OK)
        goto out;
    if (hmac256(key, sizeof(key), sts.buf, sts.len, sig) != 0) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: HMAC-SHA256 failed");
        goto out;
    }
    hex_encode(sig, sizeof(sig), signature);

    /* The URL in botocore's order: the session token after SignedHeaders, the signature last. */
    sb_init(&u, url, urlcap);
    sb_add(&u, "https://");
    sb_add(&u, req->host);
    sb_add(&u, "/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=" ALGORITHM
               "&X-Amz-Credential=");
    sb_add_enc(&u, credential);
    sb_add(&u, "&X-Amz-Date=");
    sb_add(&u, amzdate);
    sb_add(&u, "&X-Amz-Expires=");
    sb_add(&u, expires);
    sb_add(&u, "&X-Amz-SignedHeaders=");
    sb_add_enc(&u, SIGNED_HEADERS);
    if (token != NULL) {
        sb_add(&u, "&X-Amz-Security-Token=");
        sb_add_enc(&u, token);
    }
    sb_add(&u, "&X-Amz-Signature=");
    sb_add(&u, signature);
    if (u.overflow) {
        OPENSSL_cleanse(url, urlcap);
        url[0] = '\0';
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the URL does not fit in %zu bytes", urlcap);
        goto out;
    }
    if (urllen != NULL)
        *urllen = u.len;
out:
    /* Everything derived from the secret or carrying the session token is wiped. */
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(signature, sizeof(signature));
    if (creq_buf != NULL) {
        OPENSSL_cleanse(creq_buf, big);
        free(creq_buf);
    }
    if (sts_buf != NULL) {
        OPENSSL_cleanse(sts_buf, big);
        free(sts_buf);
    }
    return st;
}

enum eksauth_status eksauth_sigv4_sts_token(const struct eksauth_creds *creds,
                                            const struct eksauth_sts_presign *req, char *token,
                                            size_t tokcap, size_t *toklen,
                                            struct eksauth_error *err)
{
    static const char prefix[] = EKSAUTH_TOKEN_PREFIX;
    const size_t plen = sizeof(prefix) - 1;
    enum eksauth_status st;
    char *url;
    size_t urllen = 0, enclen;

    if (token == NULL || tokcap == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no room for the token");
    token[0] = '\0';
    url = malloc(EKSAUTH_SIGV4_URL_MAX);
    if (url == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: out of memory");
    st = eksauth_sigv4_presign_sts(creds, req, url, EKSAUTH_SIGV4_URL_MAX, &urllen, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* base64url without padding: 4 characters per 3 bytes, 2 or 3 for a last 1 or 2. */
    if (tokcap < plen + (4 * urllen + 2) / 3 + 1) {
        st =
            eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the token does not fit in %zu bytes", tokcap);
        goto out;
    }
    memcpy(token, prefix, plen);
    enclen = eksauth_b64url_encode((const unsigned char *)url, urllen, token + plen, tokcap - plen);
    if (enclen == 0) {
        token[0] = '\0';
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: base64url encoding failed");
        goto out;
    }
    if (toklen != NULL)
        *toklen = plen + enclen;
out:
    /* The URL is the bearer credential in clear: wipe it. */
    OPENSSL_cleanse(url, EKSAUTH_SIGV4_URL_MAX);
    free(url);
    return st;
}

/* ------------------------------------------------------------------ */
/* header signing (the EKS API) */

enum eksauth_status eksauth_sigv4_sign_request(const struct eksauth_creds *creds,
                                               const struct eksauth_sigv4_request *req,
                                               struct eksauth_sigv4_signed *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    char date8[16], scope[128], creq_hash[65], signature[65];
    unsigned char key[32], sig[32];
    const char *token, *signed_headers;
    size_t big = EKSAUTH_SIGV4_URL_MAX * 2, i;
    char *creq_buf = NULL, *sts_buf = NULL;
    struct sb creq, sts, a;
    int n;

    memset(out, 0, sizeof(*out));
    if (creds == NULL || req == NULL || req->method == NULL || req->path == NULL ||
        req->query == NULL || req->service == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no credentials or request");
    if (!host_valid(req->host))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad host name");
    if (req->region == NULL || !eksauth_region_valid(req->region, strlen(req->region)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad region");
    if (!akid_valid(creds->access_key_id) || !secret_valid(creds->secret_access_key, 200))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad access key id or secret access key");
    token = (creds->session_token != NULL && creds->session_token[0] != '\0') ? creds->session_token
                                                                              : NULL;
    /* The session token becomes a header value: no byte that could end the header. */
    if (token != NULL && !secret_valid(token, EKSAUTH_SIGV4_URL_MAX))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "sigv4: the session token is too long or not ASCII");
    /* Path and query are sent as they are: only bytes that need no further encoding on the wire. */
    for (i = 0; req->path[i] != '\0'; i++) {
        if (req->path[i] < 0x21 || req->path[i] > 0x7e || req->path[i] == '?' ||
            req->path[i] == '#')
            return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the path is not encoded");
    }
    for (i = 0; req->query[i] != '\0'; i++) {
        if (req->query[i] < 0x21 || req->query[i] > 0x7e || req->query[i] == '#')
            return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the query is not encoded");
    }
    if (req->path[0] != '/')
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the path must start with /");
    if (req->now < 0 || req->now > 253402300799)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: signing time out of range");
    signed_headers = token != NULL ? "host;x-amz-date;x-amz-security-token" : "host;x-amz-date";

    eksauth_time_format_amz(req->now, out->amz_date, sizeof(out->amz_date));
    memcpy(date8, out->amz_date, 8);
    date8[8] = '\0';
    n = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", date8, req->region, req->service);
    if (n < 0 || (size_t)n >= sizeof(scope))
        return eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential scope too long");

    creq_buf = malloc(big);
    sts_buf = malloc(big);
    if (creq_buf == NULL || sts_buf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: out of memory");
        goto out;
    }
    sb_init(&creq, creq_buf, big);
    sb_add(&creq, req->method);
    sb_add(&creq, "\n");
    /* The canonical URI: every byte but '/' encoded again (a '%' becomes "%25"). */
    for (i = 0; req->path[i] != '\0'; i++) {
        const char *seg = req->path + i;
        size_t len = strcspn(seg, "/");

        if (len == 0) {
            sb_add(&creq, "/");
            continue;
        }
        if (!creq.overflow) {
            long m = eksauth_sigv4_uri_encode(seg, len, creq.buf + creq.len, creq.cap - creq.len);

            if (m < 0)
                creq.overflow = 1;
            else
                creq.len += (size_t)m;
        }
        i += len - 1;
    }
    sb_add(&creq, "\n");
    sb_add(&creq, req->query);
    sb_add(&creq, "\nhost:");
    sb_add(&creq, req->host);
    sb_add(&creq, "\nx-amz-date:");
    sb_add(&creq, out->amz_date);
    if (token != NULL) {
        sb_add(&creq, "\nx-amz-security-token:");
        sb_add(&creq, token);
    }
    sb_add(&creq, "\n\n");
    sb_add(&creq, signed_headers);
    sb_add(&creq, "\n" EMPTY_SHA256);
    if (creq.overflow) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the request is too long");
        goto out;
    }
    if (sha256_hex(creq.buf, creq.len, creq_hash) != 0) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: SHA-256 failed");
        goto out;
    }
    sb_init(&sts, sts_buf, big);
    sb_add(&sts, ALGORITHM "\n");
    sb_add(&sts, out->amz_date);
    sb_add(&sts, "\n");
    sb_add(&sts, scope);
    sb_add(&sts, "\n");
    sb_add(&sts, creq_hash);
    if ((st = eksauth_sigv4_signing_key(creds->secret_access_key, date8, req->region, req->service,
                                        key, err)) != EKSAUTH_OK)
        goto out;
    if (hmac256(key, sizeof(key), sts.buf, sts.len, sig) != 0) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: HMAC-SHA256 failed");
        goto out;
    }
    hex_encode(sig, sizeof(sig), signature);
    sb_init(&a, out->authorization, sizeof(out->authorization));
    sb_add(&a, ALGORITHM " Credential=");
    sb_add(&a, creds->access_key_id);
    sb_add(&a, "/");
    sb_add(&a, scope);
    sb_add(&a, ", SignedHeaders=");
    sb_add(&a, signed_headers);
    sb_add(&a, ", Signature=");
    sb_add(&a, signature);
    if (a.overflow) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the Authorization header is too long");
        goto out;
    }
out:
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    OPENSSL_cleanse(signature, sizeof(signature));
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(out, sizeof(*out));
    if (creq_buf != NULL) {
        OPENSSL_cleanse(creq_buf, big);
        free(creq_buf);
    }
    if (sts_buf != NULL) {
        OPENSSL_cleanse(sts_buf, big);
        free(sts_buf);
    }
    return st;
}
