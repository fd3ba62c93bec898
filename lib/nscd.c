/*
 * nscd.c - the INVALIDATE request of nscd's protocol, for the passwd and
 * group caches (include/eksauth/nscd.h says why).  The protocol is
 * glibc's: a header of three 32-bit integers in host order (version 2,
 * request type 10, key length), the key (the cache's name and its NUL),
 * then the daemon answers one 32-bit integer, 0 when done.  A daemon that
 * closes the connection without answering has done it too (nscd -i treats
 * it so: older nscd did that).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "eksauth/nscd.h"

#define NSCD_VERSION    2
#define NSCD_INVALIDATE 10
#define NSCD_WAIT_S     5

struct nscd_request {
    int32_t version, type, key_len;
};

/* A connected socket to the daemon, -1 with errno when none. */
static int nscd_connect(const char *socket_path)
{
    struct sockaddr_un sa;
    struct timeval tv = {NSCD_WAIT_S, 0};
    int fd;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    /* A daemon that hangs must not hold the sync (or a login recording itself) for ever. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* No daemon: no socket, or a socket nobody listens on (nscd stopped). */
static bool no_daemon(int e)
{
    return e == ENOENT || e == ECONNREFUSED || e == ENOTDIR;
}

static enum eksauth_status invalidate_one(const char *socket_path, const char *cache,
                                          struct eksauth_error *err)
{
    struct nscd_request req;
    struct iovec iov[2];
    struct msghdr msg;
    size_t want;
    ssize_t n;
    int32_t answer = 0;
    int fd;
    enum eksauth_status st = EKSAUTH_OK;

    fd = nscd_connect(socket_path);
    if (fd < 0) {
        if (!no_daemon(errno))
            st = eksauth_fail(err, EKSAUTH_EIO,
                              "nscd: %s: %s: its %s cache still holds entries "
                              "the identity DB no longer has; run nscd -i %s",
                              socket_path, strerror(errno), cache, cache);
        return st;
    }
    req.version = NSCD_VERSION;
    req.type = NSCD_INVALIDATE;
    req.key_len = (int32_t)(strlen(cache) + 1);
    iov[0].iov_base = &req;
    iov[0].iov_len = sizeof(req);
    iov[1].iov_base = (void *)cache;
    iov[1].iov_len = strlen(cache) + 1;
    want = iov[0].iov_len + iov[1].iov_len;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    /* MSG_NOSIGNAL: a daemon gone meanwhile is EPIPE, not a SIGPIPE that kills the sync (or sudo).
     */
    n = sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n == (ssize_t)want)
        n = read(fd, &answer, sizeof(answer));
    else
        n = -1;
    /* 0 bytes: closed without an answer, as an older nscd does once the cache is pruned. */
    if (n < 0 || (n != 0 && n != (ssize_t)sizeof(answer)) || answer != 0)
        st = eksauth_fail(err, EKSAUTH_EIO,
                          "nscd: %s: the %s cache was not invalidated (%s): it still holds entries "
                          "the identity DB no longer has; run nscd -i %s as root",
                          socket_path, cache,
                          n < 0         ? strerror(errno)
                          : answer != 0 ? "refused"
                                        : "short answer",
                          cache);
    close(fd);
    return st;
}

enum eksauth_status eksauth_nscd_invalidate(const char *socket_path, struct eksauth_error *err)
{
    enum eksauth_status pw, gr;

    /* Both, even when the first fails: the group cache also holds initgroups' answers (sudo). */
    pw = invalidate_one(socket_path, "passwd", err);
    gr = invalidate_one(socket_path, "group", pw == EKSAUTH_OK ? err : NULL);
    /* The operator runs what the message says: both commands when both failed. */
    if (pw != EKSAUTH_OK && gr != EKSAUTH_OK && err != NULL)
        eksauth_error_append(err, "; nor the group cache: run nscd -i group too");
    return pw != EKSAUTH_OK ? pw : gr;
}

enum eksauth_status eksauth_nscd_owe(const char *mark_path, struct eksauth_error *err)
{
    /* O_NOFOLLOW: the DB's folder is root's, but never create through a planted link. */
    int fd = open(mark_path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

    if (fd < 0)
        return eksauth_fail(err, EKSAUTH_EIO, "%s: not written (%s)", mark_path, strerror(errno));
    close(fd);
    return EKSAUTH_OK;
}
