/*
 * http.h - the one libcurl request helper of eksauth: STS GetCallerIdentity,
 * instance metadata, the Kubernetes API and the EKS API all call it, so the
 * transport rules of docs/token-rules.md ("The STS call") live in one place: TLS always
 * verified (a configured CA file or in-memory PEM replaces the system store),
 * no redirects, on a host no proxy from the environment (only the one
 * passed in; the client's own requests take HTTPS_PROXY as the AWS CLI does),
 * connect and total timeouts, TCP keepalive (a peer gone silent is noticed
 * within about a minute), a bounded body, no signals, no connection kept,
 * and no call at all when a setuid process's caller set SSLKEYLOGFILE.
 * Plain http is allowed only when the caller asks for it (IMDS is an http
 * service on a link-local address).
 *
 * Messages are "<what>: <host>: <why>[: <libcurl's detail>]"; they name the
 * service and host, never a header value or the URL's query: the headers and
 * an STS token's URL hold bearer tokens and signatures.  libcurl's detail is
 * left out whenever it could quote them (eksauth_http_detail_safe).  The
 * header list is wiped before it is freed.
 */
#ifndef EKSAUTH_HTTP_H
#define EKSAUTH_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

struct eksauth_http_request {
    const char *what;   /* for messages: "sts", "Kubernetes API", "instance metadata" */
    const char *method; /* "GET" (NULL), "PUT" (no body) or "POST" (body) */
    const char *body;   /* POST: the body, not copied */
    size_t body_len;
    const char *url;            /* https:// (http:// only with allow_http) */
    const char *const *headers; /* "Name: value", NULL-terminated; may be NULL */
    const char *ca_file;        /* PEM file of the trusted CAs; NULL: system store */
    const char *ca_pem;         /* PEM in memory (cluster_ca_data), not copied; wins over ca_file */
    size_t ca_pem_len;
    const char *ca_key;      /* the CA's config key, for messages ("sts_ca_file") */
    const char *connect_to;  /* CURLOPT_CONNECT_TO entry, or NULL */
    const char *proxy;       /* from the config only; NULL: none */
    bool proxy_from_env;     /* with proxy NULL: HTTPS_PROXY, NO_PROXY apply (the client only) */
    const char *tls_session; /* the file a TLS session is resumed from and kept in
                                (tls_resume.h); NULL: a full handshake every time */
    long connect_timeout_ms, timeout_ms; /* connect 0: 3 s, never over timeout_ms;
                                            timeout_ms 0 means none (watch) */
    long low_speed_s;                    /* abort when under 1 byte/s for this long; 0: off */
    size_t max_body;                     /* bytes kept (buffered mode) */
    bool allow_http;
    /*
     * Streaming (the watch API): each piece of the body goes to on_data
     * instead of the buffer; a non-zero return aborts the transfer
     * (EKSAUTH_EIO "stopped").  An error answer's (not 2xx) never does:
     * its first EKSAUTH_HTTP_ERROR_BODY_MAX bytes are resp->body (a Status
     * the caller may quote), the rest dropped.  When NULL the body is
     * buffered.
     */
    int (*on_data)(void *ctx, const char *data, size_t len);
    void *ctx;
};

/* The bytes of a streamed request's error answer kept in its response's body. */
#define EKSAUTH_HTTP_ERROR_BODY_MAX 4096

struct eksauth_http_response {
    long status;
    char *body; /* NUL-terminated; malloc'd (buffered; streamed: an error answer's first bytes) */
    size_t len;
    /*
     * The answer's Retry-After (seconds or an HTTP date, as libcurl reads
     * it) in ms; 0 when it has none.  A throttled caller waits at least
     * this long (budget.h).
     */
    long retry_after_ms;
};

/*
 * Perform req on a new handle (no handle is kept between calls).
 * EKSAUTH_OK whatever the HTTP status but 3xx (the caller judges it);
 * EKSAUTH_EUNAVAIL for resolve, connect, TLS, timeout and transport failures
 * and an option libcurl refuses; EKSAUTH_EREJECTED for a body over max_body,
 * a redirect, a URL libcurl cannot use and SSLKEYLOGFILE from a setuid caller
 * (the caller's choice, not an outage: SECURITY.md); EKSAUTH_EIO when on_data stopped it;
 * EKSAUTH_EINVAL for a bad request.  resp->status is the HTTP status of every transfer that ended,
 * a refused redirect included (a reachability check counts any such
 * answer), and 0 otherwise.  Thread-safe; curl_global_init runs once per
 * process.
 */
enum eksauth_status eksauth_http_perform(const struct eksauth_http_request *req,
                                         struct eksauth_http_response *resp,
                                         struct eksauth_error *err);

/*
 * Whether libcurl's error text may go into a message: visible ASCII, no
 * '?', '=', '&' or "amz" (it might be quoting the URL), no '@' (a proxy
 * URL's user and password, quoted when libcurl cannot parse it), and none of req's
 * header values, words of them ("Bearer <token>") or URL query values
 * (of 8 bytes or more) in it.
 */
bool eksauth_http_detail_safe(const char *detail, const struct eksauth_http_request *req);

/* Wipe (it may hold credentials) and free the body. */
void eksauth_http_response_free(struct eksauth_http_response *resp);

#endif
