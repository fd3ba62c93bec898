/*
 * file.c - reading the files eksauth trusts (config, aws-auth, identity DB)
 * with a size cap and the trust rule of trust.h, replacing a file
 * atomically, and what keeps a user who is not root out of one.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eksauth/file.h"
#include "eksauth/trust.h"

#define TMP_SUFFIX ".tmp.XXXXXX"
#define TMP_MARK   ".tmp."
#define TMP_RANDOM 6 /* the XXXXXX mkostemp fills with [A-Za-z0-9] */

/* How a file is read (eksauth_file_read, eksauth_file_read_secret, eksauth_file_read_private). */
enum {
    READ_TRUSTED = 1, /* only a file trust.h's rule accepts */
    READ_SECRET = 2,  /* it holds secrets: wipe every buffer let go of */
    READ_PRIVATE = 4, /* no access for group or others, never through a symlink */
};

/* free(buf), wiping its first len bytes first when they are a secret's. */
static void release(char *buf, size_t len, int how)
{
    if (buf != NULL && (how & READ_SECRET) != 0)
        OPENSSL_cleanse(buf, len);
    free(buf);
}

/* read(2) that retries when a signal interrupts it. */
static ssize_t read_retry(int fd, void *buf, size_t len)
{
    ssize_t n;

    do {
        n = read(fd, buf, len);
    } while (n < 0 && errno == EINTR);
    return n;
}

/*
 * Read fd to its end into a malloc'd buffer with room for a NUL.  The size
 * from fstat is only a first guess (the file may grow, and /proc reports 0),
 * so the cap is enforced on what is actually read.
 */
static enum eksauth_status read_all(const char *path, int fd, size_t guess, size_t max, int how,
                                    char **out, size_t *outlen, struct eksauth_error *err)
{
    enum eksauth_status st;
    char *buf, *bigger;
    size_t cap, len = 0;
    ssize_t n;
    char probe;

    cap = guess < max ? guess : max;
    buf = malloc(cap + 1);
    if (buf == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    for (;;) {
        if (len == cap) {
            if (cap == max) {
                /* Full at the cap: one more byte means the file is too big. */
                n = read_retry(fd, &probe, 1);
                if (n == 0)
                    break;
                if (n > 0)
                    st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: larger than %zu bytes", path, max);
                else
                    st = eksauth_fail(err, EKSAUTH_EIO, "%s: read: %s", path, strerror(errno));
                goto out;
            }
            /* Grow by the size so far plus a page, never past the cap. */
            cap = max - cap > cap + 4096 ? 2 * cap + 4096 : max;
            /* Not realloc for a secret: the old block would go back unwiped. */
            bigger = (how & READ_SECRET) != 0 ? malloc(cap + 1) : realloc(buf, cap + 1);
            if (bigger == NULL) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
                goto out;
            }
            if ((how & READ_SECRET) != 0) {
                memcpy(bigger, buf, len);
                release(buf, len, how);
            }
            buf = bigger;
        }
        n = read_retry(fd, buf + len, cap - len);
        if (n < 0) {
            st = eksauth_fail(err, EKSAUTH_EIO, "%s: read: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    buf = NULL;
    st = EKSAUTH_OK;
out:
    release(buf, len, how);
    return st;
}

static enum eksauth_status read_file(const char *path, size_t max, int how, char **out,
                                     size_t *outlen, struct eksauth_error *err)
{
    enum eksauth_status st;
    struct stat sb;
    int fd;

    *out = NULL;
    *outlen = 0;
    if (max >= SIZE_MAX - 8192)
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: size limit too large", path);
    /*
     * O_NONBLOCK: a FIFO planted at the path must not hang the reader in
     * open(); it is refused below.  On a regular file it has no effect.
     */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                        ((how & READ_PRIVATE) != 0 ? O_NOFOLLOW : 0));
    if (fd < 0) {
        /* A secret's file (the user's) may sit under a folder that is not there at all. */
        return eksauth_fail(err,
                            errno == ENOENT || (errno == ENOTDIR && (how & READ_SECRET) != 0)
                                ? EKSAUTH_ENOTFOUND
                                : EKSAUTH_EIO,
                            "%s: %s", path, strerror(errno));
    }
    /* Checks on the open file, not the path: nothing can be swapped in between. */
    if (fstat(fd, &sb) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: fstat: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a regular file", path);
        goto out;
    }
    /* A secret others could read may have leaked: it is not one any more. */
    if ((how & READ_PRIVATE) != 0 && (sb.st_mode & 077) != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: group or others have access (mode %04o)", path,
                          (unsigned)(sb.st_mode & 07777));
        goto out;
    }
    /* The file and its folder: whoever can write either decides who logs in as whom. */
    if ((how & READ_TRUSTED) != 0) {
        st = eksauth_trust_check_opened(path, &sb, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    if (sb.st_size < 0 || (uintmax_t)sb.st_size > max) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: larger than %zu bytes", path, max);
        goto out;
    }
    st = read_all(path, fd, (size_t)sb.st_size, max, how, out, outlen, err);
out:
    close(fd);
    return st;
}

enum eksauth_status eksauth_file_read_fd(const char *path, int fd, size_t max, char **out,
                                         size_t *outlen, struct eksauth_error *err)
{
    struct stat sb;

    *out = NULL;
    *outlen = 0;
    if (max >= SIZE_MAX - 8192)
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: size limit too large", path);
    /* The size is a first guess only: read_all holds the cap on what is read. */
    if (fstat(fd, &sb) != 0 || sb.st_size < 0)
        sb.st_size = 0;
    return read_all(path, fd, (uintmax_t)sb.st_size < max ? (size_t)sb.st_size : max, max, 0, out,
                    outlen, err);
}

enum eksauth_status eksauth_file_read(const char *path, size_t max, bool require_root_owned,
                                      char **out, size_t *outlen, struct eksauth_error *err)
{
    return read_file(path, max, require_root_owned ? READ_TRUSTED : 0, out, outlen, err);
}

enum eksauth_status eksauth_file_read_secret(const char *path, size_t max, char **out,
                                             size_t *outlen, struct eksauth_error *err)
{
    return read_file(path, max, READ_SECRET, out, outlen, err);
}

enum eksauth_status eksauth_file_read_private(const char *path, size_t max, char **out,
                                              size_t *outlen, struct eksauth_error *err)
{
    return read_file(path, max, READ_TRUSTED | READ_SECRET | READ_PRIVATE, out, outlen, err);
}

/*
 * write(2) all of data, retrying after signals and short writes, a
 * WRITEBACK_CHUNK at a time, each chunk's writeback started as soon as it
 * is copied (sync_file_range SYNC_FILE_RANGE_WRITE starts it and waits for
 * nothing): the disk writes the first megabytes of a DB or index while the
 * rest are still being copied, and the fsync that follows waits for the
 * tail.  Only a head start: the fsync is what makes the data durable, and
 * a file system that ignores the hint loses nothing but the overlap.  2 MiB,
 * aligned: the page cache then holds the file in 2 MiB pieces, as after one
 * write(2), and readers map a big DB with huge pages (lib/iddb.c); smaller
 * pieces cost every NSS lookup a TLB miss (tests/unit/test_file.c).
 */
#define WRITEBACK_CHUNK (2u << 20)

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    size_t done = 0, started = 0;
    ssize_t n;

    while (done < len) {
        size_t want = len - done < WRITEBACK_CHUNK ? len - done : WRITEBACK_CHUNK;

        n = write(fd, p + done, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        done += (size_t)n;
        if (done - started >= WRITEBACK_CHUNK && done < len) {
            (void)sync_file_range(fd, (off_t)started, (off_t)(done - started),
                                  SYNC_FILE_RANGE_WRITE);
            started = done;
        }
    }
    return 0;
}

/* The folder that holds path, malloc'd ("." for a bare name); NULL when out of memory. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir;

    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    return dir;
}

enum eksauth_status eksauth_file_sync_folder(const char *path, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    char *dir = dir_of(path);
    int fd;

    if (dir == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "cannot open %s to sync it: %s", dir, strerror(errno));
        goto out;
    }
    if (fsync(fd) != 0)
        st = eksauth_fail(err, EKSAUTH_EIO, "fsync of %s failed: %s", dir, strerror(errno));
    close(fd);
out:
    free(dir);
    return st;
}

/* fsync the folder that holds path, so the rename itself survives a crash. */
static enum eksauth_status sync_dir(const char *path, struct eksauth_error *err)
{
    enum eksauth_status st = eksauth_file_sync_folder(path, err);

    if (st == EKSAUTH_EIO)
        eksauth_error_prefix(err, "%s: replaced, but", path);
    return st;
}

enum eksauth_status eksauth_file_prepare(const char *path, const void *data, size_t len,
                                         mode_t mode, struct eksauth_file_pending *p,
                                         struct eksauth_error *err)
{
    enum eksauth_status st;
    size_t plen = strlen(path);
    char *tmp;
    int fd = -1;

    p->path = path;
    p->tmp = NULL;
    tmp = malloc(plen + sizeof(TMP_SUFFIX));
    if (tmp == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, TMP_SUFFIX, sizeof(TMP_SUFFIX));

    /* Same folder, so rename() is atomic; O_EXCL (in mkostemp) never reuses a planted file. */
    fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: cannot create a temporary file: %s", path,
                          strerror(errno));
        free(tmp);
        return st;
    }
    p->tmp = tmp;
    if (write_all(fd, data, len) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: write: %s", path, strerror(errno));
        goto out;
    }
    /* fchmod, not the umask-filtered create mode: the mode is exactly what was asked. */
    if (fchmod(fd, mode) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: fchmod: %s", path, strerror(errno));
        goto out;
    }
    /* Data on disk before the name points at it, or a crash can leave an empty file. */
    if (fsync(fd) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: fsync: %s", path, strerror(errno));
        goto out;
    }
    st = close(fd) == 0 ? EKSAUTH_OK
                        : eksauth_fail(err, EKSAUTH_EIO, "%s: close: %s", path, strerror(errno));
    fd = -1;
out:
    if (fd >= 0)
        close(fd);
    if (st != EKSAUTH_OK)
        eksauth_file_discard(p);
    return st;
}

enum eksauth_status eksauth_file_commit(struct eksauth_file_pending *p, bool sync_folder,
                                        struct eksauth_error *err)
{
    enum eksauth_status st;

    if (p->tmp == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: nothing prepared to replace it",
                            p->path != NULL ? p->path : "(none)");
    if (rename(p->tmp, p->path) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: rename: %s", p->path, strerror(errno));
        eksauth_file_discard(p);
        return st;
    }
    free(p->tmp);
    p->tmp = NULL;
    return sync_folder ? sync_dir(p->path, err) : EKSAUTH_OK;
}

void eksauth_file_discard(struct eksauth_file_pending *p)
{
    if (p->tmp != NULL)
        (void)unlink(p->tmp);
    free(p->tmp);
    p->tmp = NULL;
}

/* eksauth_file_write_atomic's worker; sync_folder false: no fsync of the folder. */
static enum eksauth_status write_atomic(const char *path, const void *data, size_t len, mode_t mode,
                                        bool sync_folder, struct eksauth_error *err)
{
    struct eksauth_file_pending p;
    enum eksauth_status st;

    st = eksauth_file_prepare(path, data, len, mode, &p, err);
    if (st == EKSAUTH_OK)
        st = eksauth_file_commit(&p, sync_folder, err);
    eksauth_file_discard(&p);
    return st;
}

enum eksauth_status eksauth_file_write_atomic(const char *path, const void *data, size_t len,
                                              mode_t mode, struct eksauth_error *err)
{
    return write_atomic(path, data, len, mode, true, err);
}

enum eksauth_status eksauth_file_rewrite_atomic(const char *path, const void *data, size_t len,
                                                mode_t mode, struct eksauth_error *err)
{
    return write_atomic(path, data, len, mode, false, err);
}

/* The lock of path: flock(op) on "<path>.lock" (eksauth_file_lock, eksauth_file_trylock). */
static enum eksauth_status take_lock(const char *path, int op, int *fdp, struct eksauth_error *err)
{
    char lock[PATH_MAX];
    struct stat sb;
    int fd, n;

    *fdp = -1;
    n = snprintf(lock, sizeof(lock), "%s.lock", path);
    if (n < 0 || (size_t)n >= sizeof(lock))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: path too long", path);
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return eksauth_fail(err, EKSAUTH_EIO, "%s: %s", lock, strerror(errno));
    /* Someone else's lock file could be held by them forever: only our own counts. */
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid()) {
        close(fd);
        return eksauth_fail(err, EKSAUTH_EIO, "%s: not a private lock file", lock);
    }
    while (flock(fd, op) != 0) {
        if (errno != EINTR) {
            n = errno;
            close(fd);
            if (n == EWOULDBLOCK)
                return eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: held by another process", lock);
            return eksauth_fail(err, EKSAUTH_EIO, "%s: flock: %s", lock, strerror(n));
        }
    }
    *fdp = fd;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_file_lock(const char *path, int *fdp, struct eksauth_error *err)
{
    return take_lock(path, LOCK_EX, fdp, err);
}

enum eksauth_status eksauth_file_trylock(const char *path, int *fdp, struct eksauth_error *err)
{
    return take_lock(path, LOCK_EX | LOCK_NB, fdp, err);
}

/* name is "<base><mark>XXXXXX" with XXXXXX as mkostemp fills it. */
static bool is_left(const char *name, const char *base, size_t blen, const char *mark)
{
    const size_t mlen = strlen(mark);
    bool ours = strncmp(name, base, blen) == 0 && strncmp(name + blen, mark, mlen) == 0;
    const char *r = ours ? name + blen + mlen : name; /* never past name's end */
    size_t i;

    for (i = 0; ours && i < TMP_RANDOM; i++)
        ours = (r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
               (r[i] >= '0' && r[i] <= '9');
    return ours && r[TMP_RANDOM] == '\0';
}

enum eksauth_status eksauth_file_each_left(const char *path, const char *mark, const char *keep,
                                           eksauth_file_left_fn take, void *ctx, unsigned *n,
                                           struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    const char *kept = keep != NULL && strrchr(keep, '/') != NULL ? strrchr(keep, '/') + 1 : keep;
    size_t blen = strlen(base);
    unsigned taken = 0;
    struct dirent *de;
    struct stat sb;
    char *dir = NULL;
    DIR *d = NULL;
    int dfd;

    if (blen == 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a file path", path);
        goto out;
    }
    dir = dir_of(path);
    if (dir == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
        goto out;
    }
    d = opendir(dir);
    if (d == NULL) {
        st = eksauth_fail(err, errno == ENOENT ? EKSAUTH_ENOTFOUND : EKSAUTH_EIO, "%s: %s", dir,
                          strerror(errno));
        goto out;
    }
    dfd = dirfd(d);
    while ((de = readdir(d)) != NULL) {
        if (!is_left(de->d_name, base, blen, mark) ||
            (kept != NULL && strcmp(de->d_name, kept) == 0))
            continue;
        /*
         * Only what a process of this very file leaves: a regular file
         * (AT_SYMLINK_NOFOLLOW: never a symlink, let alone what it points
         * to) owned by us.  A file of that name that someone else owns is
         * not ours to touch, whatever it is.
         */
        if (fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode) ||
            sb.st_uid != geteuid())
            continue;
        if (take(ctx, dfd, de->d_name))
            taken++;
    }
out:
    if (n != NULL)
        *n = taken;
    if (d != NULL)
        closedir(d);
    free(dir);
    return st;
}

/* A killed writer's temp file removed (the caller holds the lock every writer of it takes). */
static bool remove_left(void *ctx, int folder_fd, const char *name)
{
    (void)ctx;
    return unlinkat(folder_fd, name, 0) == 0;
}

enum eksauth_status eksauth_file_remove_stale_temps(const char *path, unsigned *removed,
                                                    struct eksauth_error *err)
{
    return eksauth_file_each_left(path, TMP_MARK, NULL, remove_left, NULL, removed, err);
}

enum eksauth_closed_by eksauth_file_closed_by(const char *path, uid_t *owner)
{
    struct stat sb;

    /* No mode keeps root out: what failed it was something else. */
    if (geteuid() == 0 || access(path, R_OK) == 0 || errno != EACCES)
        return EKSAUTH_CLOSED_BY_NOTHING;
    /* A stat needs each folder's search bit, not the file's read bit. */
    if (stat(path, &sb) != 0)
        return errno == EACCES ? EKSAUTH_CLOSED_BY_FOLDER : EKSAUTH_CLOSED_BY_NOTHING;
    if (owner != NULL)
        *owner = sb.st_uid;
    return EKSAUTH_CLOSED_BY_FILE;
}
