/*
 * nscd.h - tell a name service cache daemon (glibc's nscd, or unscd: both
 * listen on the same socket and take the same requests) that the identity
 * DB changed, so it drops what it cached from it (lib/nscd.c).
 *
 * glibc asks nscd before any source of nsswitch.conf, and nscd watches
 * /etc/passwd and /etc/group only: without this, a user or group a sync
 * removed would stay known for nscd's positive-time-to-live (Debian's
 * nscd.conf: 600 s for passwd, 3600 s for group, which also holds
 * initgroups), and sudo's group rules would go on matching.
 */
#ifndef EKSAUTH_NSCD_H
#define EKSAUTH_NSCD_H

#include <stdbool.h>

#include "eksauth/paths.h"
#include "eksauth/status.h"

/* Where glibc's client, nscd -i and unscd find the daemon (glibc's _PATH_NSCDSOCKET). */
#define EKSAUTH_NSCD_SOCKET "/var/run/nscd/socket"

/*
 * Ask the daemon at socket_path to invalidate its passwd cache, then its
 * group cache (what `nscd -i passwd` and `nscd -i group` ask), each on its own
 * connection, waiting up to 5 seconds for each answer.  EKSAUTH_OK when
 * both were dropped, and when no daemon listens there (nothing to drop);
 * EKSAUTH_EIO, naming the caches and the commands that drop them by hand,
 * when one listens but refuses or does not answer.  A daemon that closes
 * the connection without an answer counts as done, as `nscd -i` counts it
 * (unscd always does so); glibc's nscd does so too for a caller that is
 * not root, whose request it ignores: only root's writers count.
 */
enum eksauth_status eksauth_nscd_invalidate(const char *socket_path, struct eksauth_error *err);

/*
 * A drop of nscd's caches owed, kept on disk until nscd confirms it, so a
 * writer killed (or a power cut) between replacing the DB and nscd's
 * answer leaves it owed.  Its files are beside the DB: the mark
 * (EKSAUTH_NSCD_PENDING_NAME, paths.h; a file of the effective uid: a
 * directory, a link or another user's file there is none,
 * tests/unit/test_nscd.c test_mark_is_a_file, test_mark_is_ours), a drop
 * owed by a writer whose request failed, and each process's claim
 * ("nscd.pending.asking.XXXXXX"), the drops it is asking for now.  A writer makes its claim under
 * the DB's lock before it replaces the DB (eksauth_nscd_owe_locked), asks once the lock is free,
 * then settles it (eksauth_nscd_settle): removed when nscd dropped its caches, renamed to the mark
 * when not.  The next sync, or the watch at a stream's end, takes over the mark and the claims of
 * killed processes (eksauth_nscd_take) and asks.  A debt is only ever moved by rename into a claim
 * made before the request, never removed after it: a mark made while a request is under way stays
 * (tests/unit/test_sync.c test_nscd_mark_made_while_asked_stays).
 */
struct eksauth_nscd_debt {
    char mark[EKSAUTH_PATH_MAX];  /* the mark beside the DB */
    char claim[EKSAUTH_PATH_MAX]; /* this process's claim; "" when it holds none */
    unsigned taken;               /* earlier debts moved into it: the mark, others' claims */
    /* Why it was owed, for the report's words (lib/sync.c): */
    bool failed;  /* the mark was there: an earlier writer's request failed */
    bool writing; /* claims take left, as the DB's lock was held: a writer at work */
};

/*
 * Under the lock of the DB at db_path (eksauth_iddb_lock), before it is
 * replaced: d's claim made and on disk (the folder fsync'ed), then the
 * mark and every claim left there moved into it (the lock is held, so
 * each is a finished writer's or a killed process's).  EKSAUTH_EIO, naming
 * the file and the call, when the claim cannot be made or its folder
 * synced (a read-only or full filesystem, an I/O error); d holds no claim
 * then, the debts found stay where they are, and the writer does not
 * replace the DB (it fails as when its own file cannot be written).
 */
enum eksauth_status eksauth_nscd_owe_locked(struct eksauth_nscd_debt *d, const char *db_path,
                                            struct eksauth_error *err);

/* Whether a drop is owed beside the DB at db_path: the mark, or a claim left. */
bool eksauth_nscd_owed(const char *db_path);

/*
 * Without the DB's lock: whether a drop is owed (the mark, or a claim
 * left), and if so, the mark moved into a new claim of d's, and the claims
 * left too when the DB's lock is free (a writer holding it may not have
 * replaced the DB yet: its claim waits for the next run).  Nothing owed
 * costs an lstat and a read of the folder, and makes no file.  false too
 * when this process may not write the folder (a user's run on root's DB:
 * nscd ignores its request, tests/unit/test_nscd.c
 * test_no_take_without_a_writable_folder).  d->failed and d->writing say
 * what it found (tests/unit/test_nscd.c test_take_says_what_it_found).
 */
bool eksauth_nscd_take(struct eksauth_nscd_debt *d, const char *db_path);

/*
 * After asking nscd: dropped, d's claim is removed; not, it becomes the
 * mark (renamed, the folder fsync'ed), or the mark is made when d holds no
 * claim.  EKSAUTH_EIO, naming the file, when the mark cannot be left; a
 * claim that cannot be renamed and is still there is no failure: the next
 * run takes it over (tests/unit/test_nscd.c
 * test_claim_kept_when_mark_cannot_be_made), nor, without a claim, a mark
 * that cannot be made beside claims take could not move
 * (test_claims_kept_when_take_had_no_claim) or where the mark was already
 * (test_kept_mark_when_take_had_no_claim).
 */
enum eksauth_status eksauth_nscd_settle(struct eksauth_nscd_debt *d, bool dropped,
                                        struct eksauth_error *err);

#endif
