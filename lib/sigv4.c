/*
 * sigv4.c - AWS Signature Version 4: query presigning of STS
 * GetCallerIdentity, as botocore does it for `aws eks get-token`, the EKS
 * token made from it, and Authorization-header signing for the EKS API.
 *
 * Both kinds of signature come from one signer (sigv4_sign): the canonical
 * request (SigV4, "Create a canonical request"), hashed as it is written,
 *   METHOD \n URI \n <query, keys sorted> \n <name:value \n ...> \n
 *   <signed header names> \n <sha256 of the empty payload>
 * then the string to sign, the signing key and the HMAC.  For the STS URL the
 * headers are host and x-k8s-aws-id; the URL keeps botocore's order: the
 * operation's parameters, then the auth parameters in the order botocore
 * adds them, the signature last.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "eksauth/base64url.h"
#include "eksauth/hex.h"
#include "eksauth/partition.h"
#include "eksauth/printable.h"
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

/*
 * The region's partition as the SDK's endpoint rules assign it (the generated
 * table of lib/partition_data.c): a region no partition claims is signed
 * for aws's host, as the SDK falls back to aws.
 */
static const struct eksauth_partition *partition_of_region(const char *region)
{
    const struct eksauth_partition *p = eksauth_partition_of_region(region, strlen(region));

    return p != NULL ? p : eksauth_partition_find("aws");
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
        if (p->global_host == NULL)
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "region: partition %s has no global STS endpoint", p->name);
        n = snprintf(host, hostlen, "%s", p->global_host);
    } else {
        n = snprintf(host, hostlen, "%s%s%s", p->sts_hosts[EKSAUTH_STS_PLAIN].before, region,
                     p->sts_hosts[EKSAUTH_STS_PLAIN].after);
    }
    if (n < 0 || (size_t)n >= hostlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: host name too long");
    return EKSAUTH_OK;
}

/* ------------------------------------------------------------------ */
/* the one signer: canonical request -> string to sign -> signing key -> signature */

struct sigv4_pair {
    const char *name;
    const char *value;
};

/* A canonical request as SigV4 lays it out ("Create a canonical request"). */
struct sigv4_canonical {
    const char *method;
    const char *path;                /* as sent; each segment is encoded once more, '/' kept */
    const char *query;               /* canonical query, sorted and encoded; NULL: params */
    const struct sigv4_pair *params; /* sorted by name; each value is encoded here */
    size_t n_params;
    const struct sigv4_pair *headers; /* lower-case names, sorted; values as sent */
    size_t n_headers;
    const char *signed_headers; /* the header names joined by ';' */
};

/* The time and scope of one signature. */
struct sigv4_scope {
    char amz_date[17]; /* 20261130T054145Z */
    char date8[9];     /* 20261130 */
    char scope[128];   /* 20261130/us-east-1/sts/aws4_request */
};

/* SHA-256 of the canonical request as it is written: no copy of it (it holds the session token). */
struct hasher {
    EVP_MD_CTX *md;
    int failed;
};

static void h_add(struct hasher *h, const char *s, size_t n)
{
    if (!h->failed && EVP_DigestUpdate(h->md, s, n) != 1)
        h->failed = 1;
}

static void h_str(struct hasher *h, const char *s)
{
    h_add(h, s, strlen(s));
}

/* s[0..n) percent-encoded, through a small buffer that is wiped (s may be the session token). */
static void h_enc(struct hasher *h, const char *s, size_t n)
{
    char buf[3 * 32 + 1];
    size_t i, m;
    long k;

    for (i = 0; i < n; i += m) {
        m = n - i < 32 ? n - i : 32;
        k = eksauth_sigv4_uri_encode(s + i, m, buf, sizeof(buf)); /* 32 bytes always fit */
        if (k < 0)
            h->failed = 1;
        else
            h_add(h, buf, (size_t)k);
    }
    OPENSSL_cleanse(buf, sizeof(buf));
}

static void canonical_write(struct hasher *h, const struct sigv4_canonical *c)
{
    size_t i, len;

    h_str(h, c->method);
    h_str(h, "\n");
    /* The canonical URI: every byte but '/' encoded again (a '%' becomes "%25"). */
    for (i = 0; c->path[i] != '\0'; i += len) {
        len = strcspn(c->path + i, "/");
        if (len == 0) {
            h_str(h, "/");
            len = 1;
        } else {
            h_enc(h, c->path + i, len);
        }
    }
    h_str(h, "\n");
    if (c->query != NULL)
        h_str(h, c->query);
    for (i = 0; c->query == NULL && i < c->n_params; i++) {
        if (i > 0)
            h_str(h, "&");
        h_str(h, c->params[i].name);
        h_str(h, "=");
        h_enc(h, c->params[i].value, strlen(c->params[i].value));
    }
    h_str(h, "\n");
    for (i = 0; i < c->n_headers; i++) {
        h_str(h, c->headers[i].name);
        h_str(h, ":");
        h_str(h, c->headers[i].value);
        h_str(h, "\n");
    }
    h_str(h, "\n");
    h_str(h, c->signed_headers);
    h_str(h, "\n" EMPTY_SHA256);
}

/* The credentials, host, region and time every signature needs, or why not. */
static enum eksauth_status check_common(const struct eksauth_creds *creds, const char *host,
                                        const char *region, time_t now, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    if (creds == NULL)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no credentials or request");
    /* Host and region go into the signed Host header and the scope: no byte that breaks them. */
    else if (!host_valid(host))
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad host name");
    else if (region == NULL || !eksauth_region_valid(region, strlen(region)))
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: bad region");
    else if (!akid_valid(creds->access_key_id))
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "sigv4: the access key id is not 16 to 128 upper-case letters "
                          "and digits");
    else if (!eksauth_visible_ascii(creds->secret_access_key, 200))
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "sigv4: the secret access key is empty, too long or not ASCII");
    /* The session token becomes a header or query value: no byte that could end either. */
    else if (creds->session_token != NULL && creds->session_token[0] != '\0' &&
             !eksauth_visible_ascii(creds->session_token, EKSAUTH_SIGV4_URL_MAX))
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the session token is too long or not ASCII");
    else if (now < 0 || now > 253402300799) /* 9999-12-31T23:59:59Z */
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: signing time out of range");
    return st;
}

static enum eksauth_status scope_init(struct sigv4_scope *sc, time_t now, const char *region,
                                      const char *service, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    int n;

    eksauth_time_format_amz(now, sc->amz_date, sizeof(sc->amz_date));
    memcpy(sc->date8, sc->amz_date, 8);
    sc->date8[8] = '\0';
    n = snprintf(sc->scope, sizeof(sc->scope), "%s/%s/%s/aws4_request", sc->date8, region, service);
    if (n < 0 || (size_t)n >= sizeof(sc->scope))
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential scope too long");
    return st;
}

/* The session token, or NULL when there is none (an empty one is none). */
static const char *session_token(const struct eksauth_creds *creds)
{
    return creds->session_token != NULL && creds->session_token[0] != '\0' ? creds->session_token
                                                                           : NULL;
}

/*
 * The signature (64 hex digits) of canonical request c: its SHA-256, the
 * string to sign, the signing key of the scope, HMAC-SHA256.  Both the
 * presigned STS URL and the Authorization header come from here.
 */
static enum eksauth_status sigv4_sign(const struct eksauth_creds *creds, const char *region,
                                      const char *service, const struct sigv4_scope *sc,
                                      const struct sigv4_canonical *c, char signature[65],
                                      struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct hasher h = {NULL, 0};
    unsigned char md[EVP_MAX_MD_SIZE], key[32], sig[32];
    unsigned int mdlen = 0;
    char to_sign[256];
    int n;

    signature[0] = '\0';
    h.md = EVP_MD_CTX_new();
    if (h.md == NULL || EVP_DigestInit_ex(h.md, EVP_sha256(), NULL) != 1) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: SHA-256 failed");
        goto out;
    }
    canonical_write(&h, c);
    if (h.failed || EVP_DigestFinal_ex(h.md, md, &mdlen) != 1 || mdlen != 32) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: SHA-256 failed");
        goto out;
    }
    /* The string to sign: algorithm, time, scope, the canonical request's hash. */
    n = snprintf(to_sign, sizeof(to_sign), ALGORITHM "\n%s\n%s\n", sc->amz_date, sc->scope);
    if (n < 0 || (size_t)n + 65 > sizeof(to_sign)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential scope too long");
        goto out;
    }
    eksauth_hex_lower(md, 32, to_sign + n);
    if ((st = eksauth_sigv4_signing_key(creds->secret_access_key, sc->date8, region, service, key,
                                        err)) != EKSAUTH_OK)
        goto out;
    if (hmac256(key, sizeof(key), to_sign, (size_t)n + 64, sig) != 0) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sigv4: HMAC-SHA256 failed");
        goto out;
    }
    eksauth_hex_lower(sig, sizeof(sig), signature);
out:
    /* Everything derived from the secret is wiped. */
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(sig, sizeof(sig));
    EVP_MD_CTX_free(h.md);
    return st;
}

/* ------------------------------------------------------------------ */
/* query presigning (the STS token) */

enum eksauth_status eksauth_sigv4_presign_sts(const struct eksauth_creds *creds,
                                              const struct eksauth_sts_presign *req, char *url,
                                              size_t urlcap, size_t *urllen,
                                              struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct sigv4_pair params[8], headers[2];
    struct sigv4_canonical c;
    struct sigv4_scope sc;
    char credential[256], expires[24], signature[65] = "";
    const char *token;
    size_t np = 0, i;
    struct sb u;
    int n;

    if (url == NULL || urlcap == 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no room for the URL");
        goto out;
    }
    url[0] = '\0';
    if (req == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no credentials or request");
        goto out;
    }
    if ((st = check_common(creds, req->host, req->region, req->now, err)) != EKSAUTH_OK)
        goto out;
    /* The cluster id goes into a signed header: no control bytes, no spaces. */
    if (!eksauth_audience_valid(req->cluster_id)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "sigv4: the cluster id must be 1 to %d visible ASCII characters",
                          EKSAUTH_CLUSTER_ID_MAX);
        goto out;
    }
    if (req->expires < 0 || req->expires > 604800) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: X-Amz-Expires out of range");
        goto out;
    }
    if ((st = scope_init(&sc, req->now, req->region, SERVICE, err)) != EKSAUTH_OK)
        goto out;
    n = snprintf(credential, sizeof(credential), "%s/%s", creds->access_key_id, sc.scope);
    if (n < 0 || (size_t)n >= sizeof(credential)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: credential too long");
        goto out;
    }
    snprintf(expires, sizeof(expires), "%ld",
             req->expires > 0 ? req->expires : EKSAUTH_SIGV4_EXPIRES);
    token = session_token(creds);

    /* The canonical query: keys sorted by byte value ("Security-Token" < "SignedHeaders"). */
    params[np++] = (struct sigv4_pair){"Action", "GetCallerIdentity"};
    params[np++] = (struct sigv4_pair){"Version", "2011-06-15"};
    params[np++] = (struct sigv4_pair){"X-Amz-Algorithm", ALGORITHM};
    params[np++] = (struct sigv4_pair){"X-Amz-Credential", credential};
    params[np++] = (struct sigv4_pair){"X-Amz-Date", sc.amz_date};
    params[np++] = (struct sigv4_pair){"X-Amz-Expires", expires};
    if (token != NULL)
        params[np++] = (struct sigv4_pair){"X-Amz-Security-Token", token};
    params[np++] = (struct sigv4_pair){"X-Amz-SignedHeaders", SIGNED_HEADERS};
    /* x-k8s-aws-id is signed but not sent: the verifier sends its own, and STS compares. */
    headers[0] = (struct sigv4_pair){"host", req->host};
    headers[1] = (struct sigv4_pair){"x-k8s-aws-id", req->cluster_id};
    memset(&c, 0, sizeof(c));
    c.method = "GET";
    c.path = "/";
    c.params = params;
    c.n_params = np;
    c.headers = headers;
    c.n_headers = 2;
    c.signed_headers = SIGNED_HEADERS;
    if ((st = sigv4_sign(creds, req->region, SERVICE, &sc, &c, signature, err)) != EKSAUTH_OK)
        goto out;

    /* The URL in botocore's order: the session token after the others, the signature last. */
    sb_init(&u, url, urlcap);
    sb_add(&u, "https://");
    sb_add(&u, req->host);
    sb_add(&u, "/?");
    for (i = 0; i < np; i++) {
        if (strcmp(params[i].name, "X-Amz-Security-Token") == 0)
            continue;
        sb_add(&u, params[i].name);
        sb_add(&u, "=");
        sb_add_enc(&u, params[i].value);
        sb_add(&u, "&");
    }
    if (token != NULL) {
        sb_add(&u, "X-Amz-Security-Token=");
        sb_add_enc(&u, token);
        sb_add(&u, "&");
    }
    sb_add(&u, "X-Amz-Signature=");
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
    OPENSSL_cleanse(signature, sizeof(signature));
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

/* Path and query are sent as they are: only bytes that need no further encoding on the wire. */
static bool sent_as_is(const char *s, const char *forbidden)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e || strchr(forbidden, s[i]) != NULL)
            return false;
    }
    return true;
}

enum eksauth_status eksauth_sigv4_sign_request(const struct eksauth_creds *creds,
                                               const struct eksauth_sigv4_request *req,
                                               struct eksauth_sigv4_signed *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct sigv4_pair headers[3];
    struct sigv4_canonical c;
    struct sigv4_scope sc;
    char signature[65] = "";
    const char *token, *signed_headers;
    struct sb a;

    memset(out, 0, sizeof(*out));
    if (req == NULL || req->method == NULL || req->path == NULL || req->query == NULL ||
        req->service == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: no credentials or request");
        goto out;
    }
    if ((st = check_common(creds, req->host, req->region, req->now, err)) != EKSAUTH_OK)
        goto out;
    if (!sent_as_is(req->path, "?#")) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the path is not encoded");
        goto out;
    }
    if (!sent_as_is(req->query, "#")) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the query is not encoded");
        goto out;
    }
    if (req->path[0] != '/') {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the path must start with /");
        goto out;
    }
    if ((st = scope_init(&sc, req->now, req->region, req->service, err)) != EKSAUTH_OK)
        goto out;
    memcpy(out->amz_date, sc.amz_date, sizeof(out->amz_date));
    token = session_token(creds);
    signed_headers = token != NULL ? "host;x-amz-date;x-amz-security-token" : "host;x-amz-date";
    headers[0] = (struct sigv4_pair){"host", req->host};
    headers[1] = (struct sigv4_pair){"x-amz-date", sc.amz_date};
    headers[2] = (struct sigv4_pair){"x-amz-security-token", token};
    memset(&c, 0, sizeof(c));
    c.method = req->method;
    c.path = req->path;
    c.query = req->query;
    c.headers = headers;
    c.n_headers = token != NULL ? 3 : 2;
    c.signed_headers = signed_headers;
    if ((st = sigv4_sign(creds, req->region, req->service, &sc, &c, signature, err)) != EKSAUTH_OK)
        goto out;
    sb_init(&a, out->authorization, sizeof(out->authorization));
    sb_add(&a, ALGORITHM " Credential=");
    sb_add(&a, creds->access_key_id);
    sb_add(&a, "/");
    sb_add(&a, sc.scope);
    sb_add(&a, ", SignedHeaders=");
    sb_add(&a, signed_headers);
    sb_add(&a, ", Signature=");
    sb_add(&a, signature);
    if (a.overflow)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sigv4: the Authorization header is too long");
out:
    OPENSSL_cleanse(signature, sizeof(signature));
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(out, sizeof(*out));
    return st;
}
