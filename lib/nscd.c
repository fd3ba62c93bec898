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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "eksauth/file.h"
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

/* The claims' names: "<mark>.asking." and mkostemp's six characters (file.h). */
#define CLAIM_MARK ".asking."

/* A new claim of d's, empty, 0600 (mkostemp's O_EXCL never reuses a planted file). */
static int make_claim(struct eksauth_nscd_debt *d)
{
    int fd, n = snprintf(d->claim, sizeof(d->claim), "%s" CLAIM_MARK "XXXXXX", d->mark);

    if (n < 0 || (size_t)n >= sizeof(d->claim)) {
        d->claim[0] = '\0';
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(d->claim, O_CLOEXEC);
    if (fd < 0) {
        d->claim[0] = '\0';
        return -1;
    }
    close(fd);
    return 0;
}

/* Another claim, moved into d's by rename: the debt is on disk under one name or the other. */
static bool adopt_claim(void *ctx, int folder_fd, const char *name)
{
    const struct eksauth_nscd_debt *d = ctx;

    return renameat(folder_fd, name, AT_FDCWD, d->claim) == 0;
}

static bool count_claim(void *ctx, int folder_fd, const char *name)
{
    (void)ctx;
    (void)folder_fd;
    (void)name;
    return true;
}

/*
 * The claims left beside the mark other than d's own (regular files of the
 * effective uid, as every writer is root, file.h): counted, and moved into
 * d's claim when adopt.
 */
static unsigned claims_left(struct eksauth_nscd_debt *d, bool adopt)
{
    unsigned n = 0;

    (void)eksauth_file_each_left(d->mark, CLAIM_MARK, d->claim[0] != '\0' ? d->claim : NULL,
                                 adopt ? adopt_claim : count_claim, d, &n, NULL);
    return n;
}

/*
 * A drop owed at mark: a file, as settle leaves it; nothing can take a
 * directory or a link there, which every run would otherwise ask for.  Of
 * the effective uid, as a claim (file.h): the trust rule lets the DB sit in
 * a sticky folder, where another user's file there is no debt, and moved
 * onto a claim would make that claim theirs to remove.
 */
static bool marked(const char *mark)
{
    struct stat sb;

    return lstat(mark, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == geteuid();
}

/* The mark moved into d's claim (no lock needed: only a request that failed made it). */
static void take_mark(struct eksauth_nscd_debt *d)
{
    if (!marked(d->mark))
        return;
    d->failed = true;
    if (rename(d->mark, d->claim) == 0)
        d->taken++;
}

enum eksauth_status eksauth_nscd_owe_locked(struct eksauth_nscd_debt *d, const char *db_path,
                                            struct eksauth_error *err)
{
    memset(d, 0, sizeof(*d));
    if (!eksauth_paths_beside(d->mark, db_path, EKSAUTH_NSCD_PENDING_NAME))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: path too long", db_path);
    /* On disk before the DB is replaced: a writer killed after the rename still owes the drop. */
    if (make_claim(d) != 0)
        return eksauth_fail(err, EKSAUTH_EIO, "%s" CLAIM_MARK "XXXXXX: cannot create: %s", d->mark,
                            strerror(errno));
    if (eksauth_file_sync_folder(d->claim, err) != EKSAUTH_OK) {
        eksauth_error_prefix(err, "%s" CLAIM_MARK "XXXXXX", d->mark);
        (void)unlink(d->claim);
        d->claim[0] = '\0';
        return EKSAUTH_EIO;
    }
    take_mark(d);
    d->taken += claims_left(d, true);
    return EKSAUTH_OK;
}

bool eksauth_nscd_owed(const char *db_path)
{
    struct eksauth_nscd_debt d;

    memset(&d, 0, sizeof(d));
    if (!eksauth_paths_beside(d.mark, db_path, EKSAUTH_NSCD_PENDING_NAME))
        return false;
    return marked(d.mark) || claims_left(&d, false) > 0;
}

bool eksauth_nscd_take(struct eksauth_nscd_debt *d, const char *db_path)
{
    enum eksauth_status st;
    unsigned left;
    int lock = -1;

    memset(d, 0, sizeof(*d));
    if (!eksauth_paths_beside(d->mark, db_path, EKSAUTH_NSCD_PENDING_NAME))
        return false;
    left = claims_left(d, false);
    if (!marked(d->mark) && left == 0)
        return false;
    /*
     * No claim to move them into.  A folder this process may not write: not
     * the DB's writer (a user's run on root's DB), whose request nscd
     * ignores, so nothing is asked or said.  Else (full, read-only): asked
     * all the same, and the debts stay for the next run.
     */
    if (make_claim(d) != 0) {
        int e = errno;

        d->failed = marked(d->mark);
        return e != EACCES && e != EPERM;
    }
    take_mark(d);
    if (left == 0)
        return true;
    /* Under the DB's lock, no writer is between its claim and its replace. */
    st = eksauth_file_trylock(db_path, &lock, NULL);
    if (st == EKSAUTH_OK) {
        d->taken += claims_left(d, true);
        close(lock);
    }
    d->writing = st == EKSAUTH_EUNAVAIL; /* held by another process */
    return true;
}

/* The mark's name on disk: its folder fsync'ed (the mark itself is empty). */
static enum eksauth_status synced(const char *mark, struct eksauth_error *err)
{
    enum eksauth_status st = eksauth_file_sync_folder(mark, err);

    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "%s: not written", mark);
        st = EKSAUTH_EIO;
    }
    return st;
}

enum eksauth_status eksauth_nscd_settle(struct eksauth_nscd_debt *d, bool dropped,
                                        struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct stat sb;
    int fd;

    if (dropped) {
        if (d->claim[0] != '\0')
            (void)unlink(d->claim);
    } else if (d->claim[0] != '\0') {
        /*
         * Gone from under its name: a later run took it over under the
         * lock (claims_left), after this one's replace, and asks after its
         * own; the debt is that run's now, no failure of this one.
         */
        if (rename(d->claim, d->mark) != 0) {
            int e = errno;

            /* Still there: the debt stays under the claim's name, which the next run takes. */
            if (e != ENOENT && lstat(d->claim, &sb) != 0)
                st = eksauth_fail(err, EKSAUTH_EIO, "%s: not written (%s)", d->mark, strerror(e));
        } else {
            st = synced(d->mark, err);
        }
    } else if (d->mark[0] != '\0') {
        /*
         * O_NOFOLLOW: never create through a planted link; O_NONBLOCK: a
         * FIFO there (a sticky folder's user) fails instead of waiting for
         * a reader.  What was there already counts only as marked() counts.
         */
        const char *why = NULL;
        bool had = marked(d->mark);
        int e = 0;

        fd = open(d->mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
        if (fd >= 0 && (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid()))
            why = "not a file of ours";
        else if (fd < 0 || fsync(fd) != 0)
            e = errno;
        if (fd >= 0)
            close(fd);
        /*
         * Not made, but the claims take found and could not move (it had
         * none to move them into: a full or read-only disk), or the mark of
         * ours there before (take leaves it without a claim), are still
         * there, and the next run takes them: no failure.
         */
        if ((why != NULL || e != 0) && !had && claims_left(d, false) == 0)
            st = eksauth_fail(err, EKSAUTH_EIO, "%s: not written (%s)", d->mark,
                              why != NULL ? why : strerror(e));
        else if (why == NULL && e == 0)
            st = synced(d->mark, err);
    }
    d->claim[0] = '\0';
    return st;
}
