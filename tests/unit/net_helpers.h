/*
 * net_helpers.h - sockets and proxy variables for the unit tests of the
 * network calls (test_http.c, test_sts.c): a listening socket on 127.0.0.1
 * (TCP connects succeed, nothing answers unless the test accepts), a port
 * nothing listens on, and every proxy variable of the environment pointed
 * at one place and cleared again.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_NET_HELPERS_H
#define EKSAUTH_TEST_NET_HELPERS_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* A TCP socket bound on 127.0.0.1, listening if listens; *port gets its port. */
static inline int net_bound(int *port, int listens)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    if (listens)
        assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A TCP socket on 127.0.0.1 that listens; *port gets its port. */
static inline int net_listener(int *port)
{
    return net_bound(port, 1);
}

/*
 * A port nothing listens on.  Its socket stays bound, not listening, until
 * the test process ends: a connect is refused (the kernel answers a SYN to
 * a bound port without a listener with a reset), and no other process can
 * take the port between this call and the test's connect, as it could once
 * the socket was closed.
 */
static inline int net_closed_port(void)
{
    int port;

    (void)net_bound(&port, 0);
    return port;
}

static const char *const net_proxy_vars[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL,
};

/* Every proxy variable set to proxy; with no_proxy, NO_PROXY=* as well. */
static inline void net_proxy_env_set(const char *proxy, int no_proxy)
{
    size_t i;

    for (i = 0; net_proxy_vars[i] != NULL; i++)
        setenv(net_proxy_vars[i], proxy, 1);
    if (no_proxy) {
        setenv("no_proxy", "*", 1);
        setenv("NO_PROXY", "*", 1);
    }
}

static inline void net_proxy_env_clear(void)
{
    size_t i;

    for (i = 0; net_proxy_vars[i] != NULL; i++)
        unsetenv(net_proxy_vars[i]);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
}

#endif
