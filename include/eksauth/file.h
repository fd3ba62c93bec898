/*
 * file.h - reading the files eksauth trusts (config, aws-auth, DB) and
 * writing files atomically (temp file in the same folder, fsync, rename,
 * fsync of the folder); what keeps a user who is not root out of a file.
 */
#ifndef EKSAUTH_FILE_H
#define EKSAUTH_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eksauth/status.h"

/*
 * Read a whole regular file of at most max bytes into a NUL-terminated
 * malloc'd buffer.  With require_root_owned, refuse a file eksauth_trust_check_opened
 * (trust.h) refuses: not root's, writable by group or others, or in a folder
 * where someone else can replace it.
 * A missing file is EKSAUTH_ENOTFOUND; a file that is not regular, is too
 * big or is not trusted is EKSAUTH_EINVAL; other system errors EKSAUTH_EIO.
 */
enum eksauth_status eksauth_file_read(const char *path, size_t max, bool require_root_owned,
                                      char **out, size_t *outlen, struct eksauth_error *err);

/*
 * eksauth_file_read for a file that holds secrets (the AWS credentials and
 * config files): no trust rule (it is the user's), every buffer it lets go
 * of wiped first, and a path under a missing folder (ENOTDIR) is
 * EKSAUTH_ENOTFOUND like a missing file.  Wipe *out before freeing it.
 */
enum eksauth_status eksauth_file_read_secret(const char *path, size_t max, char **out,
                                             size_t *outlen, struct eksauth_error *err);

/*
 * A secret of root's own (the STS call's TLS session, tls_resume.h): the
 * trust rule of eksauth_file_read with require_root_owned, no access at
 * all for group or others, never through a symlink, and every buffer it
 * lets go of wiped; EKSAUTH_EINVAL for a file that fails a rule.  Wipe
 * *out before freeing it.
 */
enum eksauth_status eksauth_file_read_private(const char *path, size_t max, char **out,
                                              size_t *outlen, struct eksauth_error *err);

/*
 * The rest of the open file fd (path names it in messages), for a caller
 * that checked the file its own way: at most max bytes into a
 * NUL-terminated malloc'd buffer; more is EKSAUTH_EINVAL, a read error
 * EKSAUTH_EIO.
 */
enum eksauth_status eksauth_file_read_fd(const char *path, int fd, size_t max, char **out,
                                         size_t *outlen, struct eksauth_error *err);

/*
 * What keeps a caller that is not root out of path, for the advice on its
 * fix (each caller words its own: who may read which file differs).
 * EKSAUTH_CLOSED_BY_NOTHING for root, a file the caller may read, and a
 * failure that is no refused permission (missing, too long, I/O);
 * EKSAUTH_CLOSED_BY_FOLDER when the stat is refused too, so a folder on
 * its path is closed to the caller; EKSAUTH_CLOSED_BY_FILE when the file's
 * own mode is, and *owner (may be NULL) is then its owner's uid.
 */
enum eksauth_closed_by {
    EKSAUTH_CLOSED_BY_NOTHING,
    EKSAUTH_CLOSED_BY_FOLDER,
    EKSAUTH_CLOSED_BY_FILE,
};

enum eksauth_closed_by eksauth_file_closed_by(const char *path, uid_t *owner);

/*
 * Write data to path atomically with the given mode: "<path>.tmp.XXXXXX" in
 * the same folder, fsync, rename over path, fsync of the folder.  On a
 * failure before the rename, path is untouched and the temp file removed.
 */
enum eksauth_status eksauth_file_write_atomic(const char *path, const void *data, size_t len,
                                              mode_t mode, struct eksauth_error *err);

/*
 * eksauth_file_write_atomic in two steps, for a writer that replaces
 * several files together (the sync: the DB, its aws-auth snapshot and the
 * snapshot's state): eksauth_file_prepare writes data to a temp file beside
 * path (mode, fsync'ed) and keeps its name in *p; eksauth_file_commit
 * renames it over path (and fsyncs the folder when sync_folder).  Preparing
 * every file before committing any means a full disk, a quota or an I/O
 * error fails before anything is replaced: the files stay a consistent set.
 * eksauth_file_discard removes a temp file that was not committed (a no-op
 * after a commit, or after a failure, which removes it itself); p->path
 * must outlive *p.
 */
struct eksauth_file_pending {
    const char *path;
    char *tmp; /* the prepared temp file, NULL when there is none */
};

enum eksauth_status eksauth_file_prepare(const char *path, const void *data, size_t len,
                                         mode_t mode, struct eksauth_file_pending *p,
                                         struct eksauth_error *err);
enum eksauth_status eksauth_file_commit(struct eksauth_file_pending *p, bool sync_folder,
                                        struct eksauth_error *err);
void eksauth_file_discard(struct eksauth_file_pending *p);

/*
 * eksauth_file_write_atomic without the fsync of the folder: the new
 * file's data is on disk before its name points at it, so a crash never
 * leaves a torn or empty file under path, but after a crash path may still
 * be the file it replaced.  Only for rewriting a file whose previous
 * version is as good as the new one (an older timestamp, nothing another
 * file depends on), never for a first version or a new content.
 */
enum eksauth_status eksauth_file_rewrite_atomic(const char *path, const void *data, size_t len,
                                                mode_t mode, struct eksauth_error *err);

/*
 * Take the exclusive lock that guards path, waiting for it: flock on
 * "<path>.lock", created 0600 if need be, never through a symlink, and only
 * a regular file of the effective uid's (a lock file someone else planted
 * could be held by them forever).  *fdp is the lock; close it to let go.
 * EKSAUTH_EIO, or EKSAUTH_EINVAL for a path too long.
 */
enum eksauth_status eksauth_file_lock(const char *path, int *fdp, struct eksauth_error *err);

/*
 * eksauth_file_lock without waiting: EKSAUTH_EUNAVAIL when another process
 * holds the lock, for a writer whose write may as well not happen (a cache).
 */
enum eksauth_status eksauth_file_trylock(const char *path, int *fdp, struct eksauth_error *err);

/*
 * fsync the folder that holds path, so that a name made, renamed or
 * removed there survives a crash.  EKSAUTH_EIO naming the folder, or
 * EKSAUTH_ENOMEM.
 */
enum eksauth_status eksauth_file_sync_folder(const char *path, struct eksauth_error *err);

/* What eksauth_file_each_left does with one file: true when it took it. */
typedef bool (*eksauth_file_left_fn)(void *ctx, int folder_fd, const char *name);

/*
 * Each file beside path that a mkostemp of "<path><mark>XXXXXX" made (its
 * last six characters as mkostemp fills them), other than keep's (a path,
 * or NULL), and that is a regular file owned by the effective uid
 * (symlinks, other names and other owners' files are left alone): take
 * (ctx, the folder's fd, its name) is called for it, and *n (may be NULL)
 * counts those it took.  A missing folder is EKSAUTH_ENOTFOUND, an
 * unreadable one EKSAUTH_EIO.
 */
enum eksauth_status eksauth_file_each_left(const char *path, const char *mark, const char *keep,
                                           eksauth_file_left_fn take, void *ctx, unsigned *n,
                                           struct eksauth_error *err);

/*
 * Remove the temp files a killed eksauth_file_write_atomic(path, ...) left:
 * in path's folder, every "<base>.tmp.XXXXXX" (XXXXXX as mkostemp fills it,
 * base the last component of path) that is a regular file owned by the
 * effective uid; symlinks, other names and other owners' files are left
 * alone.  Only while holding the lock every writer of path takes (or a live
 * writer's temp file would go).  *removed (may be NULL) counts them.  A
 * missing folder is EKSAUTH_ENOTFOUND, an unreadable one EKSAUTH_EIO.
 */
enum eksauth_status eksauth_file_remove_stale_temps(const char *path, unsigned *removed,
                                                    struct eksauth_error *err);

#endif
