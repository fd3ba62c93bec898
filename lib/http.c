/*
 * http.c - one libcurl request with the transport rules of http.h, shared by
 * the instance metadata client, the Kubernetes API and the EKS API.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "eksauth/http.h"

static pthread_once_t http_once = PTHREAD_ONCE_INIT;

static void http_init_once(void)
{
    /* A failure shows up as curl_easy_init() returning NULL. */
    (void)curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    const struct eksauth_http_request *req;
    char *buf;
    size_t len, cap;
    bool too_big, stopped;
};

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;

    if (nmemb != 0 && n / nmemb != size)
        return 0;
    if (s->req->on_data != NULL) {
        if (s->req->on_data(s->req->ctx, ptr, n) != 0) {
            s->stopped = true;
            return 0;
        }
        return n;
    }
    /* The cap: a huge or endless answer must not grow memory without bound. */
    if (n > s->cap - s->len) {
        s->too_big = true;
        return 0;
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

static enum eksauth_status transport_failure(CURLcode rc, const struct eksauth_http_request *req,
                                             const char *host, const struct sink *s,
                                             struct eksauth_error *err)
{
    switch (rc) {
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (s->stopped)
            return eksauth_fail(err, EKSAUTH_EIO, "%s: %s: stopped", req->what, host);
        return eksauth_fail(err, EKSAUTH_EREJECTED, "%s: %s: the answer is larger than %zu bytes",
                            req->what, host, req->max_body);
    case CURLE_OPERATION_TIMEDOUT:
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "%s: %s: timed out (limits: connect %ld ms, total %ld ms)", req->what,
                            host, req->connect_timeout_ms, req->timeout_ms);
    case CURLE_PEER_FAILED_VERIFICATION:
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "%s: %s: TLS: the server's certificate failed verification against "
                            "the configured CA",
                            req->what, host);
    case CURLE_SSL_CACERT_BADFILE:
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: %s: TLS: cannot read the CA certificates",
                            req->what, host);
    case CURLE_OUT_OF_MEMORY:
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
    default:
        break;
    }
    /* curl_easy_strerror is a fixed text: it never quotes a header or the URL. */
    return eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: %s: %s", req->what, host,
                        curl_easy_strerror(rc));
}

#define SETOPT(h, opt, val)                                                                        \
    do {                                                                                           \
        CURLcode rc_ = curl_easy_setopt((h), (opt), (val));                                        \
        if (rc_ != CURLE_OK) {                                                                     \
            st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: libcurl refused %s: %s", req->what, #opt,  \
                              curl_easy_strerror(rc_));                                            \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

static void slist_wipe_free(struct curl_slist *l)
{
    struct curl_slist *p;

    /* Header values are bearer tokens and signatures. */
    for (p = l; p != NULL; p = p->next)
        OPENSSL_cleanse(p->data, strlen(p->data));
    curl_slist_free_all(l);
}

enum eksauth_status eksauth_http_perform(const struct eksauth_http_request *req,
                                         struct eksauth_http_response *resp,
                                         struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct curl_slist *headers = NULL, *connect_to = NULL, *tmp;
    struct sink s = {req, NULL, 0, 0, false, false};
    struct curl_blob blob;
    char host[256];
    CURL *h = NULL;
    CURLcode rc;
    size_t i;

    memset(resp, 0, sizeof(*resp));
    if (req == NULL || req->url == NULL || req->what == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "http: no request");
    url_host(req->url, host, sizeof(host));
    /* https always, unless the caller asked for plain http (IMDS). */
    if (strncmp(req->url, "https://", 8) != 0 &&
        !(req->allow_http && strncmp(req->url, "http://", 7) == 0))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s: not an https URL", req->what, host);
    if (req->on_data == NULL) {
        if (req->max_body == 0)
            return eksauth_fail(err, EKSAUTH_EINVAL, "%s: no body limit", req->what);
        s.cap = req->max_body;
        s.buf = malloc(s.cap + 1);
        if (s.buf == NULL)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
    }
    /* libcurl writes TLS secrets to SSLKEYLOGFILE; a caller of a privileged process must not. */
    if (getenv("SSLKEYLOGFILE") != NULL && secure_getenv("SSLKEYLOGFILE") == NULL) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL,
                          "%s: SSLKEYLOGFILE is set by the caller of a privileged process",
                          req->what);
        goto out;
    }
    pthread_once(&http_once, http_init_once);
    h = curl_easy_init();
    if (h == NULL) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: libcurl could not start", req->what);
        goto out;
    }
    for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
        if ((tmp = curl_slist_append(headers, req->headers[i])) == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
            goto out;
        }
        headers = tmp;
    }
    SETOPT(h, CURLOPT_URL, req->url);
    if (req->method != NULL && strcmp(req->method, "PUT") == 0) {
        SETOPT(h, CURLOPT_CUSTOMREQUEST, "PUT");
        SETOPT(h, CURLOPT_POSTFIELDS, "");
        SETOPT(h, CURLOPT_POSTFIELDSIZE, 0L);
    } else {
        SETOPT(h, CURLOPT_HTTPGET, 1L);
    }
    SETOPT(h, CURLOPT_HTTPHEADER, headers);
    SETOPT(h, CURLOPT_USERAGENT, "eksauth/" PACKAGE_VERSION);
    SETOPT(h, CURLOPT_PROTOCOLS_STR, req->allow_http ? "http,https" : "https");
    SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    /* A redirect would send the bearer token elsewhere: never followed. */
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_MAXREDIRS, 0L);
    /* Verification is never switched off: the answer decides who may log in. */
    SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (req->ca_pem != NULL && req->ca_pem_len > 0) {
        blob.data = (void *)req->ca_pem;
        blob.len = req->ca_pem_len;
        blob.flags = CURL_BLOB_COPY;
        /* The cluster's own CA replaces the system store: a public CA cannot vouch for it. */
        SETOPT(h, CURLOPT_CAINFO_BLOB, &blob);
        SETOPT(h, CURLOPT_CAINFO, (char *)NULL);
        SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
    } else if (req->ca_file != NULL && req->ca_file[0] != '\0') {
        SETOPT(h, CURLOPT_CAINFO, req->ca_file);
        SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
    }
    /* Proxies come from the config only: under sudo the environment is the caller's. */
    SETOPT(h, CURLOPT_PROXY, req->proxy != NULL ? req->proxy : "");
    SETOPT(h, CURLOPT_NOPROXY, "");
    if (req->connect_to != NULL && req->connect_to[0] != '\0') {
        if ((connect_to = curl_slist_append(NULL, req->connect_to)) == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", req->what);
            goto out;
        }
        SETOPT(h, CURLOPT_CONNECT_TO, connect_to);
    }
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS,
           req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 3000L);
    SETOPT(h, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 0L);
    if (req->low_speed_s > 0) {
        SETOPT(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        SETOPT(h, CURLOPT_LOW_SPEED_TIME, req->low_speed_s);
    }
    if (req->on_data == NULL)
        SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body);
    SETOPT(h, CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(h, CURLOPT_WRITEDATA, &s);
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_FORBID_REUSE, 1L);
    SETOPT(h, CURLOPT_FRESH_CONNECT, 1L);

    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        st = transport_failure(rc, req, host, &s, err);
        goto out;
    }
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status) != CURLE_OK) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: %s: no HTTP status", req->what, host);
        goto out;
    }
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
        curl_easy_cleanup(h);
    slist_wipe_free(headers);
    curl_slist_free_all(connect_to);
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
