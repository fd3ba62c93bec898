/*
 * test_http.c - the one libcurl layer (lib/http.c), without a TLS server:
 * which libcurl details may reach a message (never the URL's query or a
 * header value); request checks; and each transport outcome against a
 * one-connection plain-HTTP server in a thread (allow_http, as IMDS uses):
 * the request as sent (method, headers, User-Agent), the body returned,
 * Retry-After (seconds, a date, capped), the body cap (Content-Length and
 * streamed), an answer cut short, no answer, a redirect never followed,
 * streaming stopped by the caller, TCP keepalive on every connection,
 * proxies from the environment ignored
 * and from the request used, plain HTTP where TLS is expected, a
 * connection refused, a server that never answers (the connect limit never
 * above the total), and an unreadable CA file named by its config key.
 * TLS itself is tested against the STS stand-in in
 * tests/integration/verify.sh.
 */
#include "config.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "eksauth/http.h"
#include "net_helpers.h"
#include "unit.h"

#define SIG    "0123456789abcdef0123456789abcdef"
#define BEARER "k8s-aws-v1.aHR0cHM6Ly9zdHMuZXhhbXBsZQ"

/* ------------------------------------------------------------------ */
/* which details may be shown */

static void test_detail_safe(void **state)
{
    static const char *const headers[] = {"x-k8s-aws-id: prod", "Authorization: Bearer " BEARER,
                                          "Accept: application/json", NULL};
    struct eksauth_http_request req;

    (void)state;
    memset(&req, 0, sizeof(req));
    req.what = "test";
    req.url = "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Signature=" SIG
              "&X-Amz-Date=20261130T054145Z";
    req.headers = headers;
    /* libcurl's usual texts pass. */
    assert_true(eksauth_http_detail_safe(
        "Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server", &req));
    assert_true(eksauth_http_detail_safe("SSL: no alternative certificate subject name matches "
                                         "target host name 'sts.us-east-1.amazonaws.com'",
                                         &req));
    /* A short header value (the cluster id) is no secret: "production" may be said. */
    assert_true(eksauth_http_detail_safe("Could not resolve host: production", &req));
    assert_true(eksauth_http_detail_safe("anything", NULL));
    /* Nothing, or anything that may quote the request, is left out. */
    assert_false(eksauth_http_detail_safe("", &req));
    assert_false(eksauth_http_detail_safe(NULL, &req));
    assert_false(eksauth_http_detail_safe("GET /?Action=GetCallerIdentity failed", &req));
    assert_false(eksauth_http_detail_safe("a=b", &req));
    assert_false(eksauth_http_detail_safe("a & b", &req));
    assert_false(eksauth_http_detail_safe("bad X-AMZ-Date", &req));
    assert_false(eksauth_http_detail_safe("signature " SIG " refused", &req));
    assert_false(eksauth_http_detail_safe("date 20261130T054145Z", &req));
    assert_false(eksauth_http_detail_safe("token " BEARER, &req));
    assert_false(eksauth_http_detail_safe("Bearer k8s-aws-v1.aHR0cHM6Ly9zdHMuZXhhbXBsZQ!", &req));
    /* Control bytes never reach a log line. */
    assert_false(eksauth_http_detail_safe("line\nbreak", &req));
    assert_false(eksauth_http_detail_safe("caf\xc3\xa9", &req));
}

/* ------------------------------------------------------------------ */
/* a one-connection HTTP server, and one test's request */

struct server {
    int fd, port;
    pthread_t thread;
    const char *answer; /* NULL: close without answering */
    size_t answer_len;
    char request[4096];
    /* The client's socket as the request came (keepalive_seen): its TCP keepalive settings. */
    bool keepalive_seen;
    int keepalive, keepidle, keepintvl;
};

/*
 * The client's end of the connection the server accepted as c: the socket
 * of this process whose peer is the server's port and which is not c.
 */
static void client_keepalive(struct server *s, int c)
{
    struct sockaddr_in peer;
    socklen_t plen, olen;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int fd;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        fd = atoi(e->d_name);
        plen = sizeof(peer);
        if (e->d_name[0] == '.' || fd == c || fd == s->fd ||
            getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 || peer.sin_family != AF_INET ||
            ntohs(peer.sin_port) != s->port)
            continue;
        olen = sizeof(int);
        assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &s->keepalive, &olen), 0);
        assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &s->keepidle, &olen), 0);
        assert_int_equal(getsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &s->keepintvl, &olen), 0);
        s->keepalive_seen = true;
    }
    closedir(d);
}

static void *serve_one(void *p)
{
    struct server *s = p;
    size_t len = 0, off = 0;
    ssize_t n;
    int c = accept(s->fd, NULL, NULL);

    if (c < 0)
        return NULL;
    while (len < sizeof(s->request) - 1) {
        n = recv(c, s->request + len, sizeof(s->request) - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        s->request[len] = '\0';
        /* A TLS ClientHello (record type 22) has no end of headers: answer it at once. */
        if (s->request[0] == 0x16 || strstr(s->request, "\r\n\r\n") != NULL)
            break;
    }
    client_keepalive(s, c);
    /* MSG_NOSIGNAL: the client may hang up first (the body cap), which is no test failure. */
    while (s->answer != NULL && off < s->answer_len) {
        n = send(c, s->answer + off, s->answer_len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    close(c);
    return NULL;
}

static const char *const test_headers[] = {"x-k8s-aws-id: prod", "Authorization: Bearer " BEARER,
                                           NULL};

/* One test's request, its server (if any) and the outcome. */
struct t {
    struct eksauth_http_request req;
    struct eksauth_http_response resp;
    struct eksauth_error err;
    struct server s;
    bool serving;
    char url[128];
};

/* A buffered GET of http://127.0.0.1:<port>/path?X-Amz-Signature=..., with two headers. */
static void t_init(struct t *t, int port)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->url, sizeof(t->url), "http://127.0.0.1:%d/path?X-Amz-Signature=" SIG, port);
    t->req.what = "test";
    t->req.url = t->url;
    t->req.headers = test_headers;
    t->req.allow_http = true;
    t->req.connect_timeout_ms = 1000;
    t->req.timeout_ms = 2000;
    t->req.max_body = 1000;
}

/* A server that answers once with answer[0..len) (len 0: strlen; NULL: nothing), and t aimed at it.
 */
static void t_serve(struct t *t, const char *answer, size_t len)
{
    int port, fd = net_listener(&port);

    t_init(t, port);
    t->s.fd = fd;
    t->s.port = port;
    t->s.answer = answer;
    t->s.answer_len = answer != NULL && len == 0 ? strlen(answer) : len;
    assert_int_equal(pthread_create(&t->s.thread, NULL, serve_one, &t->s), 0);
    t->serving = true;
}

/* Perform t's request (and let its server finish); no message ever holds a secret of it. */
static enum eksauth_status t_run(struct t *t)
{
    enum eksauth_status st;

    memset(&t->err, 0, sizeof(t->err));
    st = eksauth_http_perform(&t->req, &t->resp, &t->err);
    if (t->serving) {
        assert_int_equal(pthread_join(t->s.thread, NULL), 0);
        close(t->s.fd);
        t->serving = false;
    }
    assert_null(strstr(t->err.msg, SIG));
    assert_null(strstr(t->err.msg, BEARER));
    if (st != EKSAUTH_OK)
        assert_null(t->resp.body);
    return st;
}

/* ------------------------------------------------------------------ */
/* requests and answers */

static void test_request_checks(void **state)
{
    struct eksauth_error err;
    struct t t;

    (void)state;
    t_init(&t, net_closed_port());
    assert_int_equal(eksauth_http_perform(NULL, &t.resp, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_http_perform(&t.req, NULL, &err), EKSAUTH_EINVAL);
    t.req.what = NULL;
    assert_int_equal(t_run(&t), EKSAUTH_EINVAL);
    t.req.what = "test";
    /* Plain http only when asked for. */
    t.req.allow_http = false;
    assert_int_equal(t_run(&t), EKSAUTH_EINVAL);
    assert_non_null(strstr(t.err.msg, "test: 127.0.0.1:"));
    assert_non_null(strstr(t.err.msg, ": not an https URL"));
    t.req.url = "ftp://127.0.0.1/";
    t.req.allow_http = true;
    assert_int_equal(t_run(&t), EKSAUTH_EINVAL);
    /* A buffered answer needs a cap. */
    t.req.url = t.url;
    t.req.max_body = 0;
    assert_int_equal(t_run(&t), EKSAUTH_EINVAL);
    assert_non_null(strstr(t.err.msg, "no body limit"));
    /* err may be NULL. */
    assert_int_equal(eksauth_http_perform(&t.req, &t.resp, NULL), EKSAUTH_EINVAL);
}

static void test_ok(void **state)
{
    struct t t;

    (void)state;
    /* Any status but 3xx is the caller's to judge. */
    t_serve(&t, "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nhello", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_int_equal(t.resp.status, 404);
    assert_int_equal(t.resp.len, 5);
    assert_string_equal(t.resp.body, "hello");
    eksauth_http_response_free(&t.resp);
    assert_null(t.resp.body);
    /* The request as sent: GET, the URL unchanged, the caller's headers, eksauth's User-Agent. */
    assert_int_equal(strncmp(t.s.request, "GET /path?X-Amz-Signature=" SIG " HTTP/1.1\r\n", 61), 0);
    assert_non_null(strstr(t.s.request, "\r\nx-k8s-aws-id: prod\r\n"));
    assert_non_null(strstr(t.s.request, "\r\nAuthorization: Bearer " BEARER "\r\n"));
    assert_non_null(strstr(t.s.request, "\r\nUser-Agent: eksauth/" PACKAGE_VERSION "\r\n"));
    /* PUT (the IMDSv2 session) sends an empty body. */
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nTOK", 0);
    t.req.method = "PUT";
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_string_equal(t.resp.body, "TOK");
    eksauth_http_response_free(&t.resp);
    assert_int_equal(strncmp(t.s.request, "PUT /path?", 10), 0);
    assert_non_null(strstr(t.s.request, "\r\nContent-Length: 0\r\n"));
}

static void test_body_cap(void **state)
{
    static char big[2200];
    struct t t;
    size_t n;

    (void)state;
    /* Announced too big: refused before reading it. */
    n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n");
    memset(big + n, 'x', 2000);
    t_serve(&t, big, n + 2000);
    assert_int_equal(t_run(&t), EKSAUTH_EREJECTED);
    assert_non_null(strstr(t.err.msg, "test: 127.0.0.1:"));
    assert_non_null(strstr(t.err.msg, ": the answer is larger than 1000 bytes"));
    /* No length: the cap stops the reading. */
    n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    memset(big + n, 'x', 2000);
    t_serve(&t, big, n + 2000);
    assert_int_equal(t_run(&t), EKSAUTH_EREJECTED);
    assert_non_null(strstr(t.err.msg, "larger than 1000 bytes"));
    /* Exactly the cap is fine. */
    n = (size_t)snprintf(big, sizeof(big), "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
    memset(big + n, 'y', 1000);
    t_serve(&t, big, n + 1000);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_int_equal(t.resp.len, 1000);
    assert_int_equal(t.resp.body[999], 'y');
    assert_int_equal(t.resp.body[1000], '\0');
    eksauth_http_response_free(&t.resp);
}

/* Retry-After, in seconds or as a date, read for the caller's backoff (budget.h). */
static void test_retry_after(void **state)
{
    char answer[256], date[64];
    time_t later = time(NULL) + 30, before, after;
    struct tm tm;
    struct t t;

    (void)state;
    t_serve(&t, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_int_equal(t.resp.status, 429);
    assert_int_equal(t.resp.retry_after_ms, 7000);
    eksauth_http_response_free(&t.resp);
    /* An HTTP date: the seconds until then. */
    gmtime_r(&later, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    snprintf(answer, sizeof(answer),
             "HTTP/1.1 503 Service Unavailable\r\nRetry-After: %s\r\nContent-Length: 0\r\n\r\n",
             date);
    t_serve(&t, answer, 0);
    before = time(NULL);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    after = time(NULL);
    /* As of when libcurl read it: bracketed by the clock around the call, however long it took. */
    assert_in_range(t.resp.retry_after_ms, later - after > 1 ? (later - after - 1) * 1000 : 0,
                    (later - before + 1) * 1000);
    eksauth_http_response_free(&t.resp);
    /* A day at most: one header cannot park a host for ever. */
    t_serve(&t, "HTTP/1.1 429 x\r\nRetry-After: 99999999\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_int_equal(t.resp.retry_after_ms, 86400L * 1000);
    eksauth_http_response_free(&t.resp);
    /* None: 0. */
    t_serve(&t, "HTTP/1.1 429 x\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_int_equal(t.resp.retry_after_ms, 0);
    eksauth_http_response_free(&t.resp);
}

static void test_broken_answers(void **state)
{
    struct t t;

    (void)state;
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", 0);
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": the answer was cut short: "));
    t_serve(&t, NULL, 0);
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": the server closed the connection without an answer"));
    /* A redirect is never followed. */
    t_serve(&t, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\n\r\n",
            0);
    assert_int_equal(t_run(&t), EKSAUTH_EREJECTED);
    assert_non_null(
        strstr(t.err.msg, ": unexpected redirect (HTTP 302); redirects are never followed"));
    /* ... but it is an answer: its status is kept (doctor's reachability check counts it). */
    assert_int_equal(t.resp.status, 302);
}

static int stop_at_once(void *ctx, const char *data, size_t len)
{
    size_t *seen = ctx;

    (void)data;
    *seen += len;
    return 1;
}

/* A stream's reader that counts what it is given and reads on. */
static int count_only(void *ctx, const char *data, size_t len)
{
    size_t *seen = ctx;

    (void)data;
    *seen += len;
    return 0;
}

static void test_streaming_stopped(void **state)
{
    size_t seen = 0;
    struct t t;

    (void)state;
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nline", 0);
    t.req.on_data = stop_at_once;
    t.req.ctx = &seen;
    t.req.max_body = 0; /* streaming needs no cap: the caller reads each piece */
    assert_int_equal(t_run(&t), EKSAUTH_EIO);
    assert_int_equal(seen, 4);
    assert_non_null(strstr(t.err.msg, ": stopped"));
}

/* A streamed request answered (answer, len) with an error: its reader is never called. */
static void stream_error(struct t *t, const char *answer, size_t len, long status)
{
    size_t seen = 0;

    t_serve(t, answer, len);
    t->req.on_data = stop_at_once;
    t->req.ctx = &seen;
    t->req.max_body = 0;
    assert_int_equal(t_run(t), EKSAUTH_OK);
    assert_int_equal(t->resp.status, status);
    assert_int_equal(seen, 0);
}

/*
 * An error answer's body never reaches the stream's reader: its first
 * EKSAUTH_HTTP_ERROR_BODY_MAX bytes are the response's body (a Status the
 * caller may quote: a watch's 404), the rest dropped, the transfer whole.
 */
static void test_streaming_error_answer(void **state)
{
    static char answer[128 + EKSAUTH_HTTP_ERROR_BODY_MAX + 100];
    size_t head;
    struct t t;

    (void)state;
    stream_error(&t, "HTTP/1.1 500 x\r\nContent-Length: 4\r\n\r\nline", 0, 500);
    assert_non_null(t.resp.body);
    assert_string_equal(t.resp.body, "line");
    eksauth_http_response_free(&t.resp);
    /* Longer than kept: cut, not refused. */
    head = (size_t)snprintf(answer, sizeof(answer), "HTTP/1.1 404 x\r\nContent-Length: %d\r\n\r\n",
                            EKSAUTH_HTTP_ERROR_BODY_MAX + 100);
    memset(answer + head, 'a', EKSAUTH_HTTP_ERROR_BODY_MAX + 100);
    stream_error(&t, answer, head + EKSAUTH_HTTP_ERROR_BODY_MAX + 100, 404);
    assert_int_equal(t.resp.len, EKSAUTH_HTTP_ERROR_BODY_MAX);
    eksauth_http_response_free(&t.resp);
}

/*
 * Every connection has TCP keepalive: a watch's stream may be quiet for
 * minutes, and a peer gone without a word (a connection dropped by a NAT's
 * or a load balancer's idle timer, a host that vanished) is noticed within
 * about a minute, not at the end of the stream's own limit.
 */
static void test_keepalive(void **state)
{
    size_t seen = 0;
    struct t t;

    (void)state;
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_true(t.s.keepalive_seen);
    assert_int_equal(t.s.keepalive, 1);
    assert_int_equal(t.s.keepidle, 20);
    assert_int_equal(t.s.keepintvl, 5);
    eksauth_http_response_free(&t.resp);
    /* The same for a stream (the watch) with no total limit. */
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nline", 0);
    t.req.on_data = count_only;
    t.req.ctx = &seen;
    t.req.max_body = 0;
    t.req.timeout_ms = 0;
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_true(t.s.keepalive_seen);
    assert_int_equal(t.s.keepalive, 1);
    assert_int_equal(t.s.keepidle, 20);
    assert_int_equal(seen, 4);
    eksauth_http_response_free(&t.resp);
}

static void test_proxies(void **state)
{
    char proxy[64];
    struct t t;

    (void)state;
    /* Proxies in the environment are ignored (under sudo it is the caller's). */
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", net_closed_port());
    net_proxy_env_set(proxy, 0);
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 0);
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_string_equal(t.resp.body, "ok");
    eksauth_http_response_free(&t.resp);
    /* The request's proxy is used, and NO_PROXY from the environment cannot route around it. */
    net_proxy_env_set(proxy, 1);
    t_init(&t, net_closed_port());
    t.req.proxy = proxy;
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": cannot connect"));
    /* The client's own requests (proxy_from_env) go through the environment's proxy. */
    net_proxy_env_clear();
    t_serve(&t, "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied", 0);
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", t.s.port);
    net_proxy_env_set(proxy, 0);
    snprintf(t.url, sizeof(t.url), "http://127.0.0.1:%d/path?X-Amz-Signature=" SIG,
             net_closed_port());
    t.req.proxy_from_env = true;
    assert_int_equal(t_run(&t), EKSAUTH_OK);
    assert_string_equal(t.resp.body, "proxied");
    assert_non_null(strstr(t.s.request, "GET http://127.0.0.1:"));
    eksauth_http_response_free(&t.resp);
    net_proxy_env_clear();
}

/*
 * libcurl quotes a proxy URL it cannot parse ("Unsupported proxy syntax in
 * 'http://user:PASSWORD@...'"): neither the request's proxy (a kubeconfig's
 * proxy-url) nor the environment's may bring its password into a message.
 */
static void test_proxy_password_never_shown(void **state)
{
    static const char proxy[] = "http://alice:s3cretPW@127.0.0.1:notaport";
    struct t t;

    (void)state;
    t_init(&t, net_closed_port());
    t.req.proxy = proxy;
    assert_int_not_equal(t_run(&t), EKSAUTH_OK);
    assert_null(strstr(t.err.msg, "s3cretPW"));
    assert_non_null(strstr(t.err.msg, "proxy"));
    net_proxy_env_set(proxy, 0);
    t_init(&t, net_closed_port());
    t.req.proxy_from_env = true;
    assert_int_not_equal(t_run(&t), EKSAUTH_OK);
    assert_null(strstr(t.err.msg, "s3cretPW"));
    net_proxy_env_clear();
    assert_false(eksauth_http_detail_safe(
        "Unsupported proxy syntax in 'http://alice:s3cretPW@proxy:x': bad port", NULL));
}

/* ------------------------------------------------------------------ */
/* connections that fail */

static void test_plain_http_on_tls(void **state)
{
    struct t t;

    (void)state;
    t_serve(&t, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 0);
    snprintf(t.url, sizeof(t.url), "https://127.0.0.1:%d/?X-Amz-Signature=" SIG, t.s.port);
    t.req.allow_http = false;
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": TLS handshake failed"));
}

static void test_refused(void **state)
{
    char connect_to[128];
    struct t t;

    (void)state;
    t_init(&t, net_closed_port());
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, "test: 127.0.0.1:"));
    assert_non_null(strstr(t.err.msg, ": cannot connect: "));
    assert_int_equal(t.resp.status, 0); /* no answer: doctor's reachability check fails */
    /* CONNECT_TO changes the address only: the message names the URL's host. */
    t.req.url = "http://sts.us-east-1.amazonaws.com/";
    snprintf(connect_to, sizeof(connect_to), "sts.us-east-1.amazonaws.com:80:127.0.0.1:%d",
             net_closed_port());
    t.req.connect_to = connect_to;
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, "test: sts.us-east-1.amazonaws.com: cannot connect"));
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_timeout(void **state)
{
    int port, fd = net_listener(&port);
    double t0, dt;
    struct t t;

    (void)state;
    t_init(&t, port);
    /*
     * A connect limit above the total is cut to it.  The listener never
     * answers: the call ends at a limit, and alarm() fails the test if that
     * is not the 1 s total (30 s: far above any slow machine's 1 s, far
     * below the 120 s connect limit; no time limit of the call's own).
     */
    t.req.connect_timeout_ms = 120000;
    t.req.timeout_ms = 1000;
    t0 = now_s();
    alarm(30);
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    alarm(0);
    dt = now_s() - t0;
    assert_non_null(strstr(t.err.msg, ": timed out (limits: connect 1 s, total 1 s)"));
    /* It waited for the limit: not given up early. */
    assert_true(dt >= 0.9);
    t.req.connect_timeout_ms = 300;
    t.req.timeout_ms = 700;
    alarm(30);
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    alarm(0);
    assert_non_null(strstr(t.err.msg, ": timed out (limits: connect 300 ms, total 700 ms)"));
    close(fd);
}

static void test_bad_ca_file(void **state)
{
    int port, fd = net_listener(&port);
    struct t t;

    (void)state;
    t_init(&t, port);
    snprintf(t.url, sizeof(t.url), "https://127.0.0.1:%d/", port);
    t.req.allow_http = false;
    t.req.ca_file = "/nonexistent/eksauth-test-ca.pem";
    t.req.ca_key = "sts_ca_file";
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": TLS: cannot read the CA certificates (sts_ca_file)"));
    t.req.ca_key = NULL;
    assert_int_equal(t_run(&t), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(t.err.msg, ": TLS: cannot read the CA certificates"));
    assert_null(strstr(t.err.msg, "certificates ("));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_safe),
        cmocka_unit_test(test_proxy_password_never_shown),
        cmocka_unit_test(test_request_checks),
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_broken_answers),
        cmocka_unit_test(test_streaming_stopped),
        cmocka_unit_test(test_streaming_error_answer),
        cmocka_unit_test(test_keepalive),
        cmocka_unit_test(test_proxies),
        cmocka_unit_test(test_plain_http_on_tls),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_bad_ca_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
