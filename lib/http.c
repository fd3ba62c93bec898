/*
 * http.c - the one place that sets up libcurl: one request with the transport
 * rules of http.h, shared by STS GetCallerIdentity, the instance metadata
 * client, the Kubernetes API and the EKS API.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "eksauth/ascii.h"
#include "eksauth/curl_api.h"
#include "eksauth/http.h"
#include "eksauth/tls_resume.h"

#define DEFAULT_CONNECT_MS 3000L
#define RETRY_AFTER_MAX_S  86400
/* TCP keepalive: the first probe after this much silence, then one every KEEPALIVE_INTERVAL_S. */
#define KEEPALIVE_IDLE_S     20L
#define KEEPALIVE_INTERVAL_S 5L
/* A value shorter than this is not worth hiding (a cluster id, "60"), and hides too much. */
#define SECRET_MIN 8

struct sink {
    const struct eksauth_http_request *req;
    char *buf;
    size_t len, cap;
    bool too_big, stopped;
    const struct eksauth_curl_api *curl; /* streaming: the status of the answer */
    CURL *h;
};

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;

    if (nmemb != 0 && n / nmemb != size)
        return 0;
    if (s->req->on_data != NULL) {
        long status = 0;

        /*
         * An error answer's body is no stream of data: its first bytes are
         * kept for the caller to quote (a Status's message), the rest
         * dropped; the caller goes by its status.
         */
        if (s->curl->easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
            status < 200 || status > 299) {
            size_t keep = n < s->cap - s->len ? n : s->cap - s->len;

            if (s->buf != NULL && keep > 0) {
                memcpy(s->buf + s->len, ptr, keep);
                s->len += keep;
            }
            return n;
        }
        if (s->req->on_data(s->req->ctx, ptr, n) != 0) {
            s->stopped = true;
            return 0;
        }
        return n;
    }
    /* The cap: a huge or endless answer must not grow memory without bound. */
    if (n > s->cap - s->len) {
        s->too_big = true;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    memcpy(s->buf + s->len, ptr, n);
    s->len += n;
    return n;
}

/* The host of a URL, for messages: between "://" and the next '/', '?' or end. */
static void url_host(const char *url, char *out, size_t outlen)
{
    const char *s = strstr(url, "://"), *e;
    size_t n;

    s = s != NULL ? s + 3 : url;
    e = s + strcspn(s, "/?#");
    n = (size_t)(e - s);
    if (n >= outlen)
        n = outlen - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

/* Whether text holds value[0..len) (only values long enough to be a secret count). */
static bool holds(const char *text, size_t textlen, const char *value, size_t len)
{
    return len >= SECRET_MIN && memmem(text, textlen, value, len) != NULL;
}

bool eksauth_http_detail_safe(const char *detail, const struct eksauth_http_request *req)
{
    const char *p, *v;
    size_t len, i, n;
    bool safe = true;

    if (detail == NULL || detail[0] == '\0')
        return false;
    len = strlen(detail);
    /* Messages reach syslog and terminals: visible ASCII and spaces only. */
    for (i = 0; i < len && safe; i++) {
        if (detail[i] < 0x20 || detail[i] > 0x7e)
            safe = false;
    }
    /* A query or an AWS signing parameter in the text: libcurl may be quoting the URL. */
    if (strpbrk(detail, "?=&") != NULL || eksauth_ascii_contains_nocase(detail, len, "amz"))
        safe = false;
    /*
     * Nor a URL's user part: libcurl quotes a proxy URL it cannot parse
     * ("Unsupported proxy syntax in 'http://user:PASSWORD@...'"), the
     * request's (a kubeconfig's proxy-url) or the environment's.
     */
    if (strchr(detail, '@') != NULL)
        safe = false;
    /* Nor any header value or word of one ("Bearer <token>", signatures, session tokens) ... */
    for (i = 0; safe && req != NULL && req->headers != NULL && req->headers[i] != NULL; i++) {
        v = strchr(req->headers[i], ':');
        if (v == NULL)
            continue;
        v += strspn(v + 1, " ") + 1;
        if (holds(detail, len, v, strlen(v)))
            safe = false;
        for (; safe && *v != '\0'; v += n + strspn(v + n, " ")) {
            n = strcspn(v, " ");
            if (holds(detail, len, v, n))
                safe = false;
        }
    }
    /* ... nor any value of the URL's query (an STS token's signature and credential). */
    p = req != NULL && req->url != NULL ? strchr(req->url, '?') : NULL;
    while (safe && p != NULL) {
        p++;
        n = strcspn(p, "&#");
        v = memchr(p, '=', n);
        if (v != NULL && holds(detail, len, v + 1, n - (size_t)(v + 1 - p)))
            safe = false;
        p = p[n] == '&' ? p + n : NULL;
    }
    return safe;
}

/* Whether the request names its own CA (which then replaces the system store). */
static bool has_ca(const struct eksauth_http_request *req)
{
    return (req->ca_pem != NULL && req->ca_pem_len > 0) ||
           (req->ca_file != NULL && req->ca_file[0] != '\0');
}

/* A limit for a message: "3 s", "1500 ms" or "none". */
static void limit_text(long ms, char *out, size_t outlen)
{
    if (ms <= 0)
        snprintf(out, outlen, "none");
    else if (ms % 1000 == 0)
        snprintf(out, outlen, "%ld s", ms / 1000);
    else
        snprintf(out, outlen, "%ld ms", ms);
}

/* How a transport failure reads, and whether trying again later may help. */
static const struct {
    CURLcode rc;
    enum eksauth_status st;
    const char *why; /* NULL: libcurl's own fixed text */
} failures[] = {
    {CURLE_COULDNT_RESOLVE_HOST, EKSAUTH_EUNAVAIL, "cannot resolve the host"},
    {CURLE_COULDNT_RESOLVE_PROXY, EKSAUTH_EUNAVAIL, "cannot resolve the proxy"},
    {CURLE_COULDNT_CONNECT, EKSAUTH_EUNAVAIL, "cannot connect"},
    {CURLE_SSL_CONNECT_ERROR, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_CERTPROBLEM, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_CIPHER, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_ENGINE_NOTFOUND, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_ENGINE_SETFAILED, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_SHUTDOWN_FAILED, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_CRL_BADFILE, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_ISSUER_ERROR, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_SSL_INVALIDCERTSTATUS, EKSAUTH_EUNAVAIL, "TLS handshake failed"},
    {CURLE_GOT_NOTHING, EKSAUTH_EUNAVAIL, "the server closed the connection without an answer"},
    {CURLE_PARTIAL_FILE, EKSAUTH_EUNAVAIL, "the answer was cut short"},
    {CURLE_RECV_ERROR, EKSAUTH_EUNAVAIL, "the connection failed (reset?)"},
    {CURLE_SEND_ERROR, EKSAUTH_EUNAVAIL, "the connection failed (reset?)"},
    /* The request itself cannot be made: trying again will not help. */
    {CURLE_TOO_MANY_REDIRECTS, EKSAUTH_EREJECTED, NULL},
    {CURLE_UNSUPPORTED_PROTOCOL, EKSAUTH_EREJECTED, NULL},
    {CURLE_URL_MALFORMAT, EKSAUTH_EREJECTED, NULL},
};

static enum eksauth_status transport_failure(const struct eksauth_curl_api *curl, CURLcode rc,
                                             const struct eksauth_http_request *req,
                                             const char *host, const struct sink *s,
                                             const char *errbuf, long connect_ms, long total_ms,
                                             struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_EUNAVAIL;
    const char *detail = eksauth_http_detail_safe(errbuf, req) ? errbuf : "";
    char why[160], c[32], t[32];
    size_t i;

    /* curl_easy_strerror is a fixed text: it never quotes a header or the URL. */
    snprintf(why, sizeof(why), "%s", curl->easy_strerror(rc));
    for (i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
        if (failures[i].rc == rc) {
            st = failures[i].st;
            if (failures[i].why != NULL)
                snprintf(why, sizeof(why), "%s", failures[i].why);
        }
    }
    switch (rc) {
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        detail = "";
        if (s->stopped) {
            st = EKSAUTH_EIO;
            snprintf(why, sizeof(why), "stopped");
        } else if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
            st = EKSAUTH_EREJECTED;
            snprintf(why, sizeof(why), "the answer is larger than %zu bytes", req->max_body);
        }
        break;
    case CURLE_OPERATION_TIMEDOUT:
        limit_text(connect_ms, c, sizeof(c));
        limit_text(total_ms, t, sizeof(t));
        snprintf(why, sizeof(why), "timed out (limits: connect %s, total %s)", c, t);
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        /* Say which CAs were trusted: a test CA missing from the system store is the usual cause.
         */
        snprintf(why, sizeof(why),
                 "TLS: the server's certificate failed verification (trusting %s%s)",
                 !has_ca(req)          ? "the system's CAs"
                 : req->ca_key != NULL ? req->ca_key
                                       : "the configured CA",
                 has_ca(req) ? " only" : "");
        break;
    case CURLE_SSL_CACERT_BADFILE:
        snprintf(why, sizeof(why), "TLS: cannot read the CA certificates%s%s%s",
                 req->ca_key != NULL ? " (" : "", req->ca_key != NULL ? req->ca_key : "",
                 req->ca_key != NULL ? ")" : "");
        break;
    default:
        break;
    }
    if (rc == CURLE_OUT_OF_MEMORY)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
    else
        st = eksauth_fail(err, st, "%s: %s: %s%s%s", req->what, host, why,
                          detail[0] != '\0' ? ": " : "", detail);
    return st;
}

/*
 * An option libcurl refuses (an old or odd build) means this host cannot make
 * the call as the rules require: the service is unavailable from here.
 */
#define SETOPT(h, opt, val)                                                                        \
    do {                                                                                           \
        CURLcode rc_ = curl->easy_setopt((h), (opt), (val));                                       \
        if (rc_ != CURLE_OK) {                                                                     \
            st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: libcurl refused %s: %s", req->what,      \
                              #opt, curl->easy_strerror(rc_));                                     \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/*
 * Whether folder is a store OpenSSL can search by hash: it holds at least one
 * "<8 hex digits>.<n>" link, as update-ca-certificates and `openssl rehash`
 * write them.  A folder without them (a distribution that ships only the
 * bundle) would trust nothing, so libcurl's default stands there.
 */
static bool hashed_store(const char *folder)
{
    DIR *d = opendir(folder);
    const struct dirent *e;
    bool found = false;

    if (d == NULL)
        return false;
    while (!found && (e = readdir(d)) != NULL)
        found = strlen(e->d_name) >= 10 && strspn(e->d_name, "0123456789abcdef") == 8 &&
                e->d_name[8] == '.' && strspn(e->d_name + 9, "0123456789") == strlen(e->d_name + 9);
    closedir(d);
    return found;
}

/*
 * The trusted CAs: each source is loaded once, and a configured one replaces
 * the system's.  What is trusted goes into *trusted too: a resumed TLS
 * session is bound to it (tls_resume.h).
 */
static enum eksauth_status set_ca(const struct eksauth_curl_api *curl, CURL *h,
                                  const struct eksauth_http_request *req,
                                  struct eksauth_tls_resume_scope *trusted,
                                  struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct curl_blob blob;
    char *cainfo = NULL, *capath = NULL;

    if (req->ca_pem != NULL && req->ca_pem_len > 0) {
        blob.data = (void *)req->ca_pem;
        blob.len = req->ca_pem_len;
        /* req outlives the transfer: libcurl reads the caller's PEM, no copy of it is made. */
        blob.flags = CURL_BLOB_NOCOPY;
        /* The cluster's own CA replaces the system store: a public CA cannot vouch for it. */
        SETOPT(h, CURLOPT_CAINFO_BLOB, &blob);
        SETOPT(h, CURLOPT_CAINFO, (char *)NULL);
        SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
        trusted->ca_pem = req->ca_pem;
        trusted->ca_pem_len = req->ca_pem_len;
        goto out;
    }
    if (has_ca(req)) {
        /* A configured CA file replaces the system's, so only it is trusted. */
        SETOPT(h, CURLOPT_CAINFO, req->ca_file);
        SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
        trusted->ca_paths[0] = req->ca_file;
        goto out;
    }
    /* The system's: libcurl's default bundle and the folder beside it. */
    (void)curl->easy_getinfo(h, CURLINFO_CAINFO, &cainfo);
    (void)curl->easy_getinfo(h, CURLINFO_CAPATH, &capath);
    trusted->ca_paths[0] = cainfo;
    trusted->ca_paths[1] = capath;
    if (capath != NULL && hashed_store(capath)) {
        /*
         * The system's store, one issuer at a time.  libcurl's default names
         * the bundle file and the hashed folder beside it; OpenSSL parses the
         * whole bundle (some 140 certificates, 10 ms and more) at every
         * handshake, but looks an issuer up in the folder by its subject's
         * hash.  The folder alone trusts no more than the two together did.
         */
        SETOPT(h, CURLOPT_CAINFO, (char *)NULL);
    }
out:
    return st;
}

/* Every option of the request; the handle is new, so each is set exactly once. */
static enum eksauth_status setup(const struct eksauth_curl_api *curl, CURL *h,
                                 const struct eksauth_http_request *req, struct curl_slist *headers,
                                 struct curl_slist *connect_to, struct sink *s, char *errbuf,
                                 long connect_ms, long total_ms,
                                 struct eksauth_tls_resume_scope *trusted,
                                 struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(h, CURLOPT_URL, req->url);
    if (req->method != NULL && strcmp(req->method, "PUT") == 0) {
        SETOPT(h, CURLOPT_CUSTOMREQUEST, "PUT");
        SETOPT(h, CURLOPT_POSTFIELDS, "");
        SETOPT(h, CURLOPT_POSTFIELDSIZE, 0L);
    } else if (req->method != NULL && strcmp(req->method, "POST") == 0) {
        SETOPT(h, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
        SETOPT(h, CURLOPT_POSTFIELDSIZE, (long)req->body_len);
    } else {
        SETOPT(h, CURLOPT_HTTPGET, 1L);
    }
    SETOPT(h, CURLOPT_HTTPHEADER, headers);
    SETOPT(h, CURLOPT_USERAGENT, "eksauth/" PACKAGE_VERSION);
    /* https only (plain http only when asked, for IMDS), for the request and any redirect. */
    SETOPT(h, CURLOPT_PROTOCOLS_STR, req->allow_http ? "http,https" : "https");
    SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "https"); /* "" is refused by libcurl */
    /* A redirect would send the token or bearer elsewhere: never followed. */
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_MAXREDIRS, 0L);
    /* Verification is never switched off: the answer decides who may log in. */
    SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if ((st = set_ca(curl, h, req, trusted, err)) != EKSAUTH_OK)
        goto out;
    /*
     * On a host, proxies come from the config only: under sudo or PAM the
     * environment is the caller's.  The client, run by the person, takes
     * the environment's (libcurl reads it when the options are not set).
     */
    if (req->proxy != NULL || !req->proxy_from_env) {
        SETOPT(h, CURLOPT_PROXY, req->proxy != NULL ? req->proxy : "");
        SETOPT(h, CURLOPT_NOPROXY, "");
    }
    if (connect_to != NULL)
        SETOPT(h, CURLOPT_CONNECT_TO, connect_to);
    /* Bounded in time and size: a slow or hostile server cannot hold a login forever. */
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    SETOPT(h, CURLOPT_TIMEOUT_MS, total_ms);
    if (req->low_speed_s > 0) {
        SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        SETOPT(h, CURLOPT_LOW_SPEED_TIME, req->low_speed_s);
    }
    /*
     * A watch's stream is quiet for minutes.  A peer gone without a word (a
     * connection a NAT or load balancer dropped at its idle timer, a host
     * that vanished) would hold it, and every revocation, until the
     * stream's own limit: keepalive notices within about a minute (the
     * kernel's probe count times the interval after the idle time), and
     * its probes keep those idle timers from dropping the connection.
     */
    SETOPT(h, CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(h, CURLOPT_TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
    SETOPT(h, CURLOPT_TCP_KEEPINTVL, KEEPALIVE_INTERVAL_S);
    if (req->on_data == NULL)
        SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body);
    SETOPT(h, CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(h, CURLOPT_WRITEDATA, s);
    /* No signals (threads, PAM hosts), no connection kept for anyone else. */
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_FORBID_REUSE, 1L);
    SETOPT(h, CURLOPT_FRESH_CONNECT, 1L);
out:
    return st;
}

/*
 * Resume the TLS session kept in the file path and keep a new one
 * (tls_resume.h), bound to scope: where this request goes and what it
 * trusts.  Anything that does not work leaves a full handshake, never a
 * failure.
 */
static void resume_setup(const struct eksauth_curl_api *curl, CURL *h,
                         const struct eksauth_http_request *req,
                         const struct eksauth_tls_resume_scope *scope, struct eksauth_tls_resume *r)
{
    if (!eksauth_tls_resume_start(r, &curl->tls, req->tls_session, scope, time(NULL)))
        return;
    if (curl->easy_setopt(h, CURLOPT_SSL_CTX_DATA, r) != CURLE_OK ||
        curl->easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, eksauth_tls_resume_ssl_ctx) != CURLE_OK) {
        (void)curl->easy_setopt(h, CURLOPT_SSL_CTX_FUNCTION, (void *)NULL);
        eksauth_tls_resume_free(r);
        return;
    }
    /*
     * A configured CA file is read only if the chain is checked (the
     * session may well resume): the callback gives the connection its
     * store.  Not through a proxy, whose own connection the callback sees.
     */
    if (scope->ca_pem == NULL && (scope->proxy == NULL || scope->proxy[0] == '\0') &&
        eksauth_tls_resume_defer_ca(r, req->ca_file) &&
        curl->easy_setopt(h, CURLOPT_CAINFO, (char *)NULL) != CURLE_OK)
        r->ca_file = NULL; /* still set: libcurl loads it, as without a session */
}

static void slist_wipe_free(const struct eksauth_curl_api *curl, struct curl_slist *l)
{
    struct curl_slist *p;

    /* Header values are bearer tokens and signatures. */
    for (p = l; p != NULL; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl->slist_free_all(l);
}

enum eksauth_status eksauth_http_perform(const struct eksauth_http_request *req,
                                         struct eksauth_http_response *resp,
                                         struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct curl_slist *headers = NULL, *connect_to = NULL, *tmp;
    struct sink s = {req, NULL, 0, 0, false, false, NULL, NULL};
    struct eksauth_tls_resume_scope scope; /* where the request goes, what it trusts */
    struct eksauth_tls_resume resume;
    const struct eksauth_curl_api *curl = NULL;
    char host[256] = "", errbuf[CURL_ERROR_SIZE] = "";
    long connect_ms = 0, total_ms = 0;
    curl_off_t retry_after = 0;
    CURL *h = NULL;
    CURLcode rc;
    size_t i;

    memset(&resume, 0, sizeof(resume));
    if (resp != NULL)
        memset(resp, 0, sizeof(*resp));
    if (req == NULL || resp == NULL || req->url == NULL || req->what == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "http: no request");
        goto out;
    }
    url_host(req->url, host, sizeof(host));
    /* https always, unless the caller asked for plain http (IMDS). */
    if (strncmp(req->url, "https://", 8) != 0 &&
        !(req->allow_http && strncmp(req->url, "http://", 7) == 0)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s: not an https URL", req->what, host);
        goto out;
    }
    if (req->on_data == NULL && req->max_body == 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: no body limit", req->what);
        goto out;
    }
    /*
     * libcurl honours SSLKEYLOGFILE from the environment (with getenv) and
     * would write the TLS secrets, as root, to a file the caller names.  In
     * a setuid process (sudo) the environment is the caller's: refuse, as
     * a refusal, not "unavailable": the caller chose it, and
     * ignore_authinfo_unavail would step aside for an outage.
     */
    if (getenv("SSLKEYLOGFILE") != NULL && secure_getenv("SSLKEYLOGFILE") == NULL) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "%s: SSLKEYLOGFILE is set by the caller of a privileged process; "
                          "refusing the call",
                          req->what);
        goto out;
    }
    connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : DEFAULT_CONNECT_MS;
    total_ms = req->timeout_ms > 0 ? req->timeout_ms : 0;
    if (total_ms > 0 && connect_ms > total_ms)
        connect_ms = total_ms;
    /* A stream keeps only an error answer's first bytes (write_cb). */
    s.cap = req->on_data == NULL ? req->max_body : EKSAUTH_HTTP_ERROR_BODY_MAX;
    s.buf = malloc(s.cap + 1);
    if (s.buf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
        goto out;
    }
    curl = eksauth_curl_api(req->what, err);
    if (curl == NULL) {
        st = EKSAUTH_EUNAVAIL;
        goto out;
    }
    h = curl->easy_init();
    if (h == NULL) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: libcurl could not start", req->what);
        goto out;
    }
    s.curl = curl;
    s.h = h;
    for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
        if ((tmp = curl->slist_append(headers, req->headers[i])) == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
            goto out;
        }
        headers = tmp;
    }
    if (req->connect_to != NULL && req->connect_to[0] != '\0' &&
        (connect_to = curl->slist_append(NULL, req->connect_to)) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
        goto out;
    }
    memset(&scope, 0, sizeof(scope));
    scope.host = host;
    scope.connect_to = req->connect_to;
    scope.proxy = req->proxy;
    st = setup(curl, h, req, headers, connect_to, &s, errbuf, connect_ms, total_ms, &scope, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (req->tls_session != NULL)
        resume_setup(curl, h, req, &scope, &resume);

    rc = curl->easy_perform(h);
    if (rc != CURLE_OK) {
        st = transport_failure(curl, rc, req, host, &s, errbuf, connect_ms, total_ms, err);
        goto out;
    }
    if (curl->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status) != CURLE_OK) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: %s: no HTTP status", req->what, host);
        goto out;
    }
    /* The server answered: a session from its full handshake is kept for the next call. */
    (void)eksauth_tls_resume_save(&resume, time(NULL), NULL);
    /* A day at most: a server cannot park a host for ever with one header. */
    if (curl->easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
        resp->retry_after_ms =
            (long)(retry_after < RETRY_AFTER_MAX_S ? retry_after : RETRY_AFTER_MAX_S) * 1000;
    /* A redirect is never followed: the URL asked for is the only place the request goes. */
    if (resp->status >= 300 && resp->status <= 399) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "%s: %s: unexpected redirect (HTTP %ld); redirects are never followed",
                          req->what, host, resp->status);
        goto out;
    }
    if (s.buf != NULL) {
        s.buf[s.len] = '\0';
        resp->body = s.buf;
        resp->len = s.len;
        s.buf = NULL;
    }
out:
    if (h != NULL)
        curl->easy_cleanup(h);
    eksauth_tls_resume_free(&resume); /* after the handle: its callbacks point at resume */
    if (curl != NULL) {
        slist_wipe_free(curl, headers);
        curl->slist_free_all(connect_to);
    }
    if (s.buf != NULL) {
        OPENSSL_cleanse(s.buf, s.len);
        free(s.buf);
    }
    return st;
}

void eksauth_http_response_free(struct eksauth_http_response *resp)
{
    if (resp == NULL)
        return;
    if (resp->body != NULL) {
        OPENSSL_cleanse(resp->body, resp->len);
        free(resp->body);
    }
    memset(resp, 0, sizeof(*resp));
}
