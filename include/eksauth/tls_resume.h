/*
 * tls_resume.h - the STS call's TLS session, kept in a root-only file between
 * logins so that the next login resumes it instead of making a full
 * handshake (docs/token-rules.md, "TLS session resumption").
 *
 * Each login is a new process (sshd forks one per connection, su and sudo
 * are one), so libcurl's own session cache, which lives in a handle, never
 * serves a second login.  A resumed TLS 1.3 handshake skips parsing and
 * checking the server's certificate chain, and the server's signature:
 * about a fifth of the CPU a login's STS call costs (bench/README.md).
 *
 * A session is as strong as a certificate check: whoever holds its secret
 * can answer as STS to this host.  So:
 *   - only a process whose effective uid is root uses it, and only a file
 *     that is root's, mode 0600 (it holds a secret), in a folder trust.h's
 *     rule accepts, opened without following a symlink;
 *   - TLS 1.3 only: its resumption makes a fresh (EC)DHE key exchange, so
 *     the file never decrypts traffic a recorder kept;
 *   - it is offered only on the connection that names the URL's host (its
 *     SNI), never on an https:// proxy's own, and a session is kept only
 *     from that connection;
 *   - it is offered only to the same host and port, through the same
 *     connect-to rule and proxy, trusting the same CAs (the configured PEM's
 *     digest, or the CA file's or system store's path and identity: device,
 *     inode, size, modification and change times): a new sts_ca_file or an
 *     updated store forces a full handshake;
 *   - at most EKSAUTH_TLS_RESUME_MAX_AGE seconds after the full handshake
 *     whose certificate check it rests on; sessions a resumed handshake
 *     brings are not kept, so resuming never extends that;
 *   - it is written only after a full handshake that ended in an HTTP
 *     answer (temp file, fsync, rename, under the lock "<file>.lock", not
 *     waited for: another writer's session is as good; the lock also
 *     clears the temp files a killed writer left), and a file
 *     that cannot be read, is not trusted or does not match is ignored:
 *     the call then makes a full handshake, as it would without the file.
 *
 * The file: "eksauth-tls-session 1\n", "key <64 hex>\n", "verified
 * <unix seconds>\n", "der <n>\n", then the n bytes of the session
 * (i2d_SSL_SESSION).
 */
#ifndef EKSAUTH_TLS_RESUME_H
#define EKSAUTH_TLS_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <openssl/sha.h>

#include "eksauth/curl_api.h"

#define EKSAUTH_TLS_RESUME_MAX_AGE 3600 /* seconds after the full handshake */
#define EKSAUTH_TLS_RESUME_DER_MAX 8192 /* a session with a ticket is about 1 KiB */

/* What a session is bound to: what the connection trusts and where it goes. */
struct eksauth_tls_resume_scope {
    const char *host;       /* the URL's host[:port] */
    const char *connect_to; /* CURLOPT_CONNECT_TO entry, or NULL */
    const char *proxy;      /* or NULL */
    const char *ca_pem;     /* the PEM trusted in memory, or NULL */
    size_t ca_pem_len;
    const char *ca_paths[2]; /* the CA file, or the system bundle and folder; NULL: none */
};

/* One call's state; eksauth_tls_resume_free lets go of what it holds. */
struct eksauth_tls_resume {
    const struct eksauth_curl_tls *tls;
    char path[4096];
    char server_name[256]; /* the URL's host name, which the connection to STS sends as SNI */
    unsigned char key[SHA256_DIGEST_LENGTH];
    void *offer;          /* the SSL_SESSION read from the file, or NULL */
    bool offered;         /* given to the connection */
    bool resumed;         /* the handshake resumed it */
    unsigned char *fresh; /* a new TLS 1.3 session from a full handshake (DER), or NULL */
    size_t fresh_len;
    const char *ca_file; /* the CA file read only if a chain is checked, or NULL */
};

/*
 * The key of scope (SHA-256 over its parts and the identity of each CA
 * path); false when it cannot be made (a CA path that cannot be stat'ed
 * counts as "none", which is a key too).  Pure but for stat.
 */
bool eksauth_tls_resume_key(const struct eksauth_tls_resume_scope *scope,
                            unsigned char key[SHA256_DIGEST_LENGTH]);

/*
 * The file's bytes for a session: writes at most outlen bytes to out and
 * returns the length, or 0 when the session does not fit.  Pure.
 */
size_t eksauth_tls_resume_encode(const unsigned char key[SHA256_DIGEST_LENGTH], time_t verified,
                                 const unsigned char *der, size_t der_len, unsigned char *out,
                                 size_t outlen);

/*
 * The session in a file's bytes, when they are well formed, for key, and
 * verified no more than EKSAUTH_TLS_RESUME_MAX_AGE seconds before now (and
 * not after it): *der points into data.  Otherwise NULL, with why.  Pure.
 */
const unsigned char *eksauth_tls_resume_decode(const unsigned char *data, size_t len,
                                               const unsigned char key[SHA256_DIGEST_LENGTH],
                                               time_t now, size_t *der_len, const char **why);

/*
 * Start a call: r is cleared; when tls is usable (libcurl's TLS library is
 * OpenSSL), the effective uid is root and path is given, the session in
 * path is read if it is trusted and matches scope (else r->offer stays
 * NULL).  Returns whether the call should install the callbacks
 * (eksauth_tls_resume_ssl_ctx as CURLOPT_SSL_CTX_FUNCTION, r its data).
 */
bool eksauth_tls_resume_start(struct eksauth_tls_resume *r, const struct eksauth_curl_tls *tls,
                              const char *path, const struct eksauth_tls_resume_scope *scope,
                              time_t now);

/*
 * Whether the call may leave ca_file (the only CAs it trusts) unread until a
 * certificate chain is to be checked: true when a session is offered and
 * libcurl's OpenSSL has what it takes.  A resumed handshake checks no
 * chain, and loading the file (every public key decoded) was about a
 * seventh of such a login's CPU (bench/README.md).  When true, the caller
 * leaves libcurl's CA file unset (CURLOPT_CAINFO NULL), and
 * eksauth_tls_resume_ssl_ctx gives the connection an empty store and
 * OpenSSL a chain check that loads the file into it first: no other CA is
 * trusted, and a handshake that does not resume is checked against the
 * file as it would have been.  Only for a call without a proxy: libcurl's
 * callback also makes an https:// proxy's store.
 */
bool eksauth_tls_resume_defer_ca(struct eksauth_tls_resume *r, const char *ca_file);

/*
 * libcurl's CURLOPT_SSL_CTX_FUNCTION: sets up r->ca_file's store (else the
 * file is loaded now; CURLE_SSL_CACERT_BADFILE when that fails), offers
 * r->offer, collects a new session.
 */
CURLcode eksauth_tls_resume_ssl_ctx(CURL *h, void *ssl_ctx, void *r);

/*
 * End a call that got an HTTP answer: keep the session a full handshake
 * brought (atomically, mode 0600).  A failure to write is not the call's:
 * false, with why in err.
 */
bool eksauth_tls_resume_save(struct eksauth_tls_resume *r, time_t now, struct eksauth_error *err);

/* Let go of (and wipe) what r holds. */
void eksauth_tls_resume_free(struct eksauth_tls_resume *r);

#endif
