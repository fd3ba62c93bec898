/*
 * iddb_replace.h - put an identity DB in place (lib/iddb_replace.c): the
 * writer's lock, then the image a builder serialises (iddb.h) replaces the
 * file atomically, with the stale mark that tells readers mapping the old
 * file to look again (docs/identity-db.md, "Staleness").
 */
#ifndef EKSAUTH_IDDB_REPLACE_H
#define EKSAUTH_IDDB_REPLACE_H

#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/status.h"

/*
 * The writer's lock: eksauth_file_lock(path) (file.h: an exclusive flock on
 * "<path>.lock", created 0600, never through a symlink, only a regular file
 * of the effective uid's), in the DB's folder, made 0755 when missing;
 * blocks until held.  Readers never lock.
 */
enum eksauth_status eksauth_iddb_lock(const char *path, int *fd, struct eksauth_error *err);
void eksauth_iddb_unlock(int fd);

/*
 * Replace path with b by eksauth_file_write_atomic (lib/file.c): temp file
 * "<path>.tmp.XXXXXX" in the same folder (created 0755 when missing: every
 * process reads the DB), fsync, mode 0644, rename, fsync of the folder.
 * First, under the lock, the temp files killed writers of path left are
 * removed (eksauth_file_remove_stale_temps), and the current file, when it
 * is a root-owned DB of this version, is marked stale so readers that map
 * it re-check the path (the mark is cleared again when the replace fails).
 * Once replaced, and the lock released, a running nscd is to be told to
 * drop its passwd and group caches: eksauth_iddb_write does it,
 * eksauth_iddb_write_locked's caller calls eksauth_iddb_replaced.
 * _locked expects the caller to hold eksauth_iddb_lock(); eksauth_iddb_write
 * takes it.
 */
enum eksauth_status eksauth_iddb_write_locked(const struct eksauth_iddb_builder *b,
                                              const char *path, struct eksauth_error *err);
/*
 * eksauth_iddb_write_locked in two steps (eksauth_file_prepare,
 * eksauth_file_commit), for the sync, which replaces the DB together with
 * its aws-auth snapshot: _prepare serialises b and writes the temp file
 * (after sweeping killed writers' ones), _commit marks the current file
 * stale and renames the temp file over it.  A failure of either leaves
 * path as it was and no temp file; eksauth_file_discard(p) drops a
 * prepared file that is not committed.  The caller holds the lock, and
 * calls eksauth_iddb_replaced once it has released it.
 */
enum eksauth_status eksauth_iddb_prepare_locked(const struct eksauth_iddb_builder *b,
                                                const char *path, struct eksauth_file_pending *p,
                                                struct eksauth_error *err);
enum eksauth_status eksauth_iddb_commit_locked(struct eksauth_file_pending *p,
                                               struct eksauth_error *err);
enum eksauth_status eksauth_iddb_write(const struct eksauth_iddb_builder *b, const char *path,
                                       struct eksauth_error *err);
/*
 * After a DB was replaced, with the writer's lock released: a running nscd
 * (or unscd) drops its passwd and group caches (eksauth_nscd_invalidate,
 * nscd.h; best effort: the replace stands whatever it says).  Not under the
 * lock: a daemon that takes the request and does not answer holds up this
 * writer alone, for up to 5 s per cache, not every login and sync queued
 * on the lock.  cache_err (may be NULL) gets why it did not, with the
 * commands that do it by hand (the sync lists it among its warnings);
 * EKSAUTH_OK when it did, or when no daemon runs.
 */
enum eksauth_status eksauth_iddb_replaced(struct eksauth_error *cache_err);

#endif
