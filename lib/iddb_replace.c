/*
 * iddb_replace.c - put a serialised identity DB in place: the writer's lock,
 * the stale mark in the file being replaced, and the atomic replace
 * (lib/file.c), as docs/identity-db.md describes them.  The image itself is
 * built by lib/iddb_write.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/nscd.h"

/* Create the DB's folder (one level, 0755: every process reads the DB). */
static enum eksauth_status ensure_dir(const char *path, struct eksauth_error *err)
{
    char buf[PATH_MAX], *dir;

    if (strlen(path) >= sizeof(buf))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: path too long", path);
    strcpy(buf, path);
    dir = dirname(buf);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", dir, strerror(errno));
    return EKSAUTH_OK;
}

/* The file layer's lock (file.h: never through a symlink, only a private lock file counts). */
enum eksauth_status eksauth_iddb_lock(const char *path, int *fdp, struct eksauth_error *err)
{
    struct eksauth_error mine = {EKSAUTH_OK, ""};
    enum eksauth_status st;

    *fdp = -1;
    st = ensure_dir(path, err);
    if (st != EKSAUTH_OK)
        return st;
    /*
     * No lock file beside a file that is no identity DB (db_path naming
     * /etc/passwd by a typo): nothing would be written there, and
     * /etc/passwd.lock is shadow's own lock, which useradd and passwd would
     * then find held.  A missing file, one this process cannot read, or
     * no regular file (db_path=/dev/zero) is left to the writer's own
     * checks.
     */
    if (eksauth_iddb_check_ours(path, &mine) == EKSAUTH_EINVAL) {
        if (err != NULL)
            *err = mine;
        return EKSAUTH_EINVAL;
    }
    st = eksauth_file_lock(path, fdp, err);
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err, "identity DB");
    return st;
}

void eksauth_iddb_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

/*
 * Set the stale word of the DB at path to value (1: a writer is replacing
 * it; 0: it is current again), so processes that map it learn from the
 * mapping itself (docs/identity-db.md, "Staleness").  Only into a
 * root-owned regular file that is a DB of this version: the word means
 * nothing in another file.  Best effort: a reader that misses the mark
 * still re-checks the path at a bounded interval.
 */
static bool set_stale(const char *path, uint32_t value)
{
    unsigned char head[12], word[4];
    struct stat sb;
    bool done = false;
    int fd;

    /* O_NOFOLLOW: never write through a planted symlink. */
    fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_uid == 0 &&
        sb.st_size >= (off_t)IDDB_DATA_START && pread(fd, head, sizeof(head), 0) == sizeof(head) &&
        memcmp(head, EKSAUTH_IDDB_MAGIC, 8) == 0 &&
        eksauth_le32_get(head + IDDB_H_VERSION) == EKSAUTH_IDDB_VERSION) {
        eksauth_le32_put(word, value);
        done = pwrite(fd, word, sizeof(word), IDDB_H_STALE) == (ssize_t)sizeof(word);
    }
    close(fd);
    return done;
}

enum eksauth_status eksauth_iddb_prepare_locked(const struct eksauth_iddb_builder *b,
                                                const char *path, struct eksauth_file_pending *p,
                                                struct eksauth_error *err)
{
    enum eksauth_status st;
    void *data = NULL;
    size_t len = 0;

    p->path = path;
    p->tmp = NULL;
    st = eksauth_iddb_builder_serialize(b, &data, &len, err);
    if (st == EKSAUTH_OK)
        st = ensure_dir(path, err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * A writer killed between its temp file and the rename leaves that file
     * behind; each would hold a whole DB of disk space until a sync fails
     * for want of room.  We hold the writer's lock, so every such file of
     * this DB is a dead writer's.  A failure here costs only disk space: it
     * must not stop the DB being replaced.
     */
    (void)eksauth_file_remove_stale_temps(path, NULL, NULL);
    /* 0644: every process reads it (NSS); only root writes it. */
    st = eksauth_file_prepare(path, data, len, 0644, p, err);
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err, "identity DB");
out:
    free(data);
    return st;
}

enum eksauth_status eksauth_iddb_commit_locked(struct eksauth_file_pending *p,
                                               struct eksauth_error *err)
{
    enum eksauth_status st;
    bool marked;

    /*
     * Before the rename: from now on a reader that maps the old file checks
     * the path on each lookup, so it meets the new file as soon as it is
     * there (the old one stays valid until then).  A writer killed before
     * the rename leaves the mark on the current file, and every lookup
     * stat()s the path: the next sync writes the DB again (lib/sync.c,
     * already_applied).
     */
    marked = p->tmp != NULL && set_stale(p->path, 1);
    st = eksauth_file_commit(p, true, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "identity DB");
        /*
         * The file at the path is current and must not say stale (we hold
         * the lock): the old one when the rename failed; the new one, whose
         * word is already 0, when the folder's fsync after it did.
         */
        if (marked)
            (void)set_stale(p->path, 0);
        return st;
    }
    return st;
}

enum eksauth_status eksauth_iddb_write_locked(const struct eksauth_iddb_builder *b,
                                              const char *path, struct eksauth_error *err)
{
    struct eksauth_file_pending p;
    enum eksauth_status st;

    st = eksauth_iddb_prepare_locked(b, path, &p, err);
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_commit_locked(&p, err);
    eksauth_file_discard(&p);
    return st;
}

enum eksauth_status eksauth_iddb_write(const struct eksauth_iddb_builder *b, const char *path,
                                       struct eksauth_error *err)
{
    enum eksauth_status st;
    int lfd;

    st = eksauth_iddb_lock(path, &lfd, err);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_iddb_write_locked(b, path, err);
    eksauth_iddb_unlock(lfd);
    if (st == EKSAUTH_OK)
        (void)eksauth_iddb_replaced(NULL);
    return st;
}

enum eksauth_status eksauth_iddb_replaced(struct eksauth_error *cache_err)
{
    /*
     * A running nscd (or unscd) answers passwd and group lookups before any
     * NSS module is asked, from what it cached of the old DB: without this a
     * user the new DB removed would stay known, with its groups (sudo's
     * rules), for the cache's time to live (600 s and 3600 s in Debian's
     * nscd.conf).  After the rename, so what nscd fetches again is the new
     * DB's (its module sees the stale mark); after the lock, so a stuck nscd
     * holds up no other writer.
     */
    if (cache_err != NULL)
        memset(cache_err, 0, sizeof(*cache_err));
    return eksauth_nscd_invalidate(EKSAUTH_NSCD_SOCKET, cache_err);
}
