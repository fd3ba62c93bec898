/*
 * tls_resume.c - the STS call's TLS session kept between logins in a
 * root-only file (include/eksauth/tls_resume.h has the rules and why).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "eksauth/file.h"
#include "eksauth/hex.h"
#include "eksauth/tls_resume.h"

#define MAGIC    "eksauth-tls-session 1\n"
#define FILE_MAX (EKSAUTH_TLS_RESUME_DER_MAX + 256)

/* Feed one part of the key, with its length first, so no two scopes run together. */
static bool key_part(EVP_MD_CTX *md, const void *data, size_t len)
{
    uint64_t n = len;

    return EVP_DigestUpdate(md, &n, sizeof(n)) == 1 &&
           (len == 0 || EVP_DigestUpdate(md, data, len) == 1);
}

static bool key_string(EVP_MD_CTX *md, const char *s)
{
    return key_part(md, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

bool eksauth_tls_resume_key(const struct eksauth_tls_resume_scope *scope,
                            unsigned char key[SHA256_DIGEST_LENGTH])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char pem_digest[SHA256_DIGEST_LENGTH] = {0};
    unsigned int n = 0;
    bool ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
              key_string(md, "eksauth tls session key 1") && key_string(md, scope->host) &&
              key_string(md, scope->connect_to) && key_string(md, scope->proxy);
    size_t i;

    /* The CAs in memory by their content; a CA path by what names and dates its content. */
    if (ok && scope->ca_pem != NULL)
        ok =
            EVP_Digest(scope->ca_pem, scope->ca_pem_len, pem_digest, NULL, EVP_sha256(), NULL) == 1;
    ok = ok && key_part(md, pem_digest, sizeof(pem_digest));
    for (i = 0; ok && i < sizeof(scope->ca_paths) / sizeof(scope->ca_paths[0]); i++) {
        struct stat sb;
        uint64_t id[5] = {0};

        ok = key_string(md, scope->ca_paths[i]);
        if (ok && scope->ca_paths[i] != NULL && stat(scope->ca_paths[i], &sb) == 0) {
            id[0] = (uint64_t)sb.st_dev, id[1] = (uint64_t)sb.st_ino;
            id[2] = (uint64_t)sb.st_size, id[3] = (uint64_t)sb.st_mtime;
            id[4] = (uint64_t)sb.st_ctime;
        }
        ok = ok && key_part(md, id, sizeof(id));
    }
    ok = ok && EVP_DigestFinal_ex(md, key, &n) == 1 && n == SHA256_DIGEST_LENGTH;
    EVP_MD_CTX_free(md);
    return ok;
}

size_t eksauth_tls_resume_encode(const unsigned char key[SHA256_DIGEST_LENGTH], time_t verified,
                                 const unsigned char *der, size_t der_len, unsigned char *out,
                                 size_t outlen)
{
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    int head;

    if (der_len == 0 || der_len > EKSAUTH_TLS_RESUME_DER_MAX || verified < 0)
        return 0;
    eksauth_hex_lower(key, SHA256_DIGEST_LENGTH, hex);
    head = snprintf((char *)out, outlen, MAGIC "key %s\nverified %jd\nder %zu\n", hex,
                    (intmax_t)verified, der_len);
    if (head < 0 || (size_t)head >= outlen || der_len > outlen - (size_t)head)
        return 0;
    memcpy(out + head, der, der_len);
    return (size_t)head + der_len;
}

/* A decimal number of at most 19 digits ending in '\n' at *p; *p moves past the '\n'. */
static bool read_number(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
    const unsigned char *s = *p;
    uint64_t v = 0;
    size_t digits = 0;

    while (s < end && *s >= '0' && *s <= '9' && digits < 19) {
        v = v * 10 + (uint64_t)(*s - '0');
        s++, digits++;
    }
    if (digits == 0 || s >= end || *s != '\n')
        return false;
    *out = v;
    *p = s + 1;
    return true;
}

/* The literal word at *p; *p moves past it. */
static bool read_word(const unsigned char **p, const unsigned char *end, const char *word)
{
    size_t n = strlen(word);

    if ((size_t)(end - *p) < n || memcmp(*p, word, n) != 0)
        return false;
    *p += n;
    return true;
}

const unsigned char *eksauth_tls_resume_decode(const unsigned char *data, size_t len,
                                               const unsigned char key[SHA256_DIGEST_LENGTH],
                                               time_t now, size_t *der_len, const char **why)
{
    const unsigned char *p = data, *end = data + len;
    char hex[2 * SHA256_DIGEST_LENGTH + 1];
    uint64_t verified = 0, n = 0;

    *der_len = 0;
    eksauth_hex_lower(key, SHA256_DIGEST_LENGTH, hex);
    if (!read_word(&p, end, MAGIC) || !read_word(&p, end, "key ")) {
        *why = "not an eksauth TLS session file";
        return NULL;
    }
    /* Another host, port, route or set of CAs: that session was never checked for this one. */
    if (!read_word(&p, end, hex) || !read_word(&p, end, "\n")) {
        *why = "made for another server or other CAs";
        return NULL;
    }
    if (!read_word(&p, end, "verified ") || !read_number(&p, end, &verified) ||
        !read_word(&p, end, "der ") || !read_number(&p, end, &n)) {
        *why = "malformed";
        return NULL;
    }
    if (n == 0 || n > EKSAUTH_TLS_RESUME_DER_MAX || n != (uint64_t)(end - p)) {
        *why = "malformed (session length)";
        return NULL;
    }
    /* The certificate check it rests on must be recent, and not dated after now (a clock set back).
     */
    if (now < 0 || verified > (uint64_t)now) {
        *why = "dated in the future";
        return NULL;
    }
    if ((uint64_t)now - verified > EKSAUTH_TLS_RESUME_MAX_AGE) {
        *why = "too old";
        return NULL;
    }
    *der_len = (size_t)n;
    *why = "";
    return p;
}

/*
 * The name the connection to host ("name" or "name:port") sends as SNI, into
 * out; false for an IP address in brackets or a name too long (no session
 * is then kept: none could be matched to its connection).
 */
static bool server_name(const char *host, char *out, size_t outlen)
{
    size_t n = strcspn(host, ":");

    if (host[0] == '[' || n == 0 || n >= outlen)
        return false;
    memcpy(out, host, n);
    out[n] = '\0';
    return true;
}

/*
 * Whether ssl is the connection to the URL's host: libcurl's callback also
 * runs for an https:// proxy's own TLS connection, whose sessions are the
 * proxy's, never STS's.
 */
static bool for_server(const struct eksauth_tls_resume *r, const SSL *ssl)
{
    const char *name = r->tls->get_servername(ssl, TLSEXT_NAMETYPE_host_name);

    return name != NULL && strcmp(name, r->server_name) == 0;
}

bool eksauth_tls_resume_start(struct eksauth_tls_resume *r, const struct eksauth_curl_tls *tls,
                              const char *path, const struct eksauth_tls_resume_scope *scope,
                              time_t now)
{
    const unsigned char *der = NULL;
    const char *why;
    char *text = NULL;
    size_t len = 0, der_len;
    bool use = false;

    memset(r, 0, sizeof(*r));
    /* Root only: a session answers for STS, and only root's files may say who logs in. */
    if (tls == NULL || tls->ctx_ctrl == NULL || path == NULL || path[0] == '\0' || geteuid() != 0 ||
        strlen(path) >= sizeof(r->path) ||
        !server_name(scope->host, r->server_name, sizeof(r->server_name)) ||
        !eksauth_tls_resume_key(scope, r->key))
        goto out;
    memcpy(r->path, path, strlen(path) + 1);
    r->tls = tls;
    use = true;
    /* Root's alone, 0600, in a trusted folder, not a symlink: else not read, and replaced. */
    if (eksauth_file_read_private(path, FILE_MAX, &text, &len, NULL) == EKSAUTH_OK)
        der = eksauth_tls_resume_decode((const unsigned char *)text, len, r->key, now, &der_len,
                                        &why);
    if (der != NULL) {
        r->offer = tls->d2i_session(NULL, &der, (long)der_len);
        /* TLS 1.3 only (its resumption makes a new key exchange), and one OpenSSL can resume. */
        if (r->offer != NULL && (tls->session_protocol(r->offer) != TLS1_3_VERSION ||
                                 !tls->session_is_resumable(r->offer))) {
            tls->session_free(r->offer);
            r->offer = NULL;
        }
    }
out:
    if (text != NULL) {
        OPENSSL_cleanse(text, len);
        free(text);
    }
    return use;
}

/*
 * The call's state, from the SSL_CTX libcurl made for it.  The functions come
 * from this process's libcurl table (loaded once, then only read): a
 * callback is only ever called by that libcurl.
 */
static struct eksauth_tls_resume *state_of(const SSL *ssl)
{
    const struct eksauth_curl_api *curl = eksauth_curl_api("sts", NULL);

    if (curl == NULL || curl->tls.ctx_ctrl == NULL)
        return NULL;
    return curl->tls.ctx_get_ex_data(curl->tls.get_ssl_ctx(ssl), curl->tls.ctx_index);
}

/*
 * At the start of the handshake, the one moment the connection exists and
 * its ClientHello is not yet written: offer the session.  libcurl (before
 * 8.12's curl_easy_ssls_import) has no other way to be handed one.
 */
static void on_info(const SSL *ssl, int where, int ret)
{
    struct eksauth_tls_resume *r;

    (void)ret;
    if ((where & (SSL_CB_HANDSHAKE_START | SSL_CB_HANDSHAKE_DONE)) == 0 ||
        (r = state_of(ssl)) == NULL || !for_server(r, ssl))
        return;
    if ((where & SSL_CB_HANDSHAKE_START) != 0 && r->offer != NULL && !r->offered) {
        r->offered = true;
        (void)r->tls->set_session((SSL *)ssl, r->offer);
    }
    if ((where & SSL_CB_HANDSHAKE_DONE) != 0)
        r->resumed = r->tls->session_reused(ssl) == 1;
}

/* A session the server gave: kept (in memory, until the answer) when a full handshake brought it.
 */
static int on_new_session(SSL *ssl, SSL_SESSION *sess)
{
    struct eksauth_tls_resume *r = state_of(ssl);
    unsigned char *der = NULL, *p;
    int n;

    /*
     * A resumed handshake's sessions rest on the old certificate check:
     * keeping them would let resuming outlive EKSAUTH_TLS_RESUME_MAX_AGE.
     */
    if (r == NULL || !for_server(r, ssl) || r->tls->session_reused(ssl) == 1 ||
        r->tls->session_protocol(sess) != TLS1_3_VERSION || !r->tls->session_is_resumable(sess))
        return 0;
    n = r->tls->i2d_session(sess, NULL);
    if (n <= 0 || n > EKSAUTH_TLS_RESUME_DER_MAX || (der = malloc((size_t)n)) == NULL)
        return 0;
    p = der;
    if (r->tls->i2d_session(sess, &p) != n) {
        OPENSSL_cleanse(der, (size_t)n);
        free(der);
        return 0;
    }
    /* The server may send several; the last one is kept. */
    if (r->fresh != NULL) {
        OPENSSL_cleanse(r->fresh, r->fresh_len);
        free(r->fresh);
    }
    r->fresh = der;
    r->fresh_len = (size_t)n;
    return 0; /* 0: OpenSSL keeps no reference for us */
}

bool eksauth_tls_resume_defer_ca(struct eksauth_tls_resume *r, const char *ca_file)
{
    r->ca_file = NULL;
    if (r->tls != NULL && r->offer != NULL && r->tls->store_new != NULL && ca_file != NULL &&
        ca_file[0] != '\0')
        r->ca_file = ca_file;
    return r->ca_file != NULL;
}

/*
 * OpenSSL's check of the server's chain, in place of its own call to
 * X509_verify_cert: the one moment the CAs are needed.  The file goes into
 * the connection's store first, as libcurl would have loaded it; a file
 * that cannot be read leaves the store empty, and the chain then fails as
 * unverified (its read errors cleared, so the failure reads as that).
 */
static int verify_with_ca_file(X509_STORE_CTX *chain, void *data)
{
    const struct eksauth_tls_resume *r = data;
    const struct eksauth_curl_tls *t = r->tls;

    if (t->store_load_file(t->store_ctx_get0_store(chain), r->ca_file) != 1)
        t->err_clear();
    return t->verify_cert(chain);
}

/*
 * Give ctx an empty store with the checks libcurl asked of its own (its
 * flags: trusted issuers first, partial chains), and check chains through
 * verify_with_ca_file.  A new store, not libcurl's: whatever libcurl put
 * there (a build's fallback to the system's CAs) must not widen what is
 * trusted, which is r->ca_file alone.
 */
static bool defer_ca_file(struct eksauth_tls_resume *r, SSL_CTX *ctx)
{
    const struct eksauth_curl_tls *t = r->tls;
    X509_STORE *old = t->ctx_get_cert_store(ctx), *store = t->store_new();

    if (store == NULL || old == NULL || t->store_set1_param(store, t->store_get0_param(old)) != 1) {
        t->store_free(store);
        return false;
    }
    t->ctx_set_cert_store(ctx, store); /* ctx owns it now, and frees libcurl's */
    t->ctx_set_cert_verify_callback(ctx, verify_with_ca_file, r);
    return true;
}

CURLcode eksauth_tls_resume_ssl_ctx(CURL *h, void *ssl_ctx, void *data)
{
    struct eksauth_tls_resume *r = data;
    SSL_CTX *ctx = ssl_ctx;

    (void)h;
    /* libcurl loaded no CA: the file is this store's, or loaded now as libcurl would have. */
    if (r->ca_file != NULL && !defer_ca_file(r, ctx) &&
        r->tls->store_load_file(r->tls->ctx_get_cert_store(ctx), r->ca_file) != 1)
        return CURLE_SSL_CACERT_BADFILE;
    if (r->tls->ctx_set_ex_data(ctx, r->tls->ctx_index, r) != 1)
        return CURLE_OK; /* no resumption; the call goes on with a full handshake */
    /* The client cache mode is what makes OpenSSL call on_new_session; nothing is stored in ctx. */
    (void)r->tls->ctx_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE,
                           SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE, NULL);
    r->tls->ctx_sess_set_new_cb(ctx, on_new_session);
    r->tls->ctx_set_info_callback(ctx, on_info);
    return CURLE_OK;
}

bool eksauth_tls_resume_save(struct eksauth_tls_resume *r, time_t now, struct eksauth_error *err)
{
    unsigned char *buf;
    size_t len;
    int lock = -1;
    bool ok;

    /* Only a full handshake's session: its certificate check is the one dated now. */
    if (r->tls == NULL || r->resumed || r->fresh == NULL)
        return true;
    if ((buf = malloc(FILE_MAX)) == NULL) {
        (void)eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", r->path);
        return false;
    }
    len = eksauth_tls_resume_encode(r->key, now, r->fresh, r->fresh_len, buf, FILE_MAX);
    if (len == 0) {
        ok = eksauth_fail(err, EKSAUTH_EINVAL, "%s: the session does not fit", r->path) ==
             EKSAUTH_OK;
    } else if ((ok = eksauth_file_trylock(r->path, &lock, err) == EKSAUTH_OK)) {
        /* Never waited for: a login must not hang on another's write of a cache. */
        /* Under the writers' lock: a login killed while writing left a secret in a temp file. */
        (void)eksauth_file_remove_stale_temps(r->path, NULL, NULL);
        ok = eksauth_file_write_atomic(r->path, buf, len, 0600, err) == EKSAUTH_OK;
        close(lock);
    }
    OPENSSL_cleanse(buf, FILE_MAX);
    free(buf);
    return ok;
}

void eksauth_tls_resume_free(struct eksauth_tls_resume *r)
{
    if (r->offer != NULL && r->tls != NULL)
        r->tls->session_free(r->offer);
    if (r->fresh != NULL) {
        OPENSSL_cleanse(r->fresh, r->fresh_len);
        free(r->fresh);
    }
    memset(r, 0, sizeof(*r));
}
