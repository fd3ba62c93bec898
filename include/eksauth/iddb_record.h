/*
 * iddb_record.h - record one login in the identity DB (the PAM module,
 * after a successful authentication), so that NSS serves the user and its
 * current groups at once (docs/identity-db.md, docs/names-and-ids.md).
 */
#ifndef EKSAUTH_IDDB_RECORD_H
#define EKSAUTH_IDDB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "eksauth/nscd.h"
#include "eksauth/status.h"

/*
 * Whether db already holds exactly the record eksauth_iddb_record_login
 * would write for u and groups at time now (then it writes nothing): read
 * without the writer's lock, from a DB the caller has open.  True puts the
 * recorded uid in *uid.  A login that finds it current needs no lock:
 * concurrent logins of recorded users do not queue on the writer's lock,
 * and a DB replaced meanwhile is no different from one replaced right
 * after a write under the lock.
 */
bool eksauth_iddb_login_is_current(const struct eksauth_iddb *db,
                                   const struct eksauth_iddb_user_in *u,
                                   const struct eksauth_iddb_group_in *groups, size_t n_groups,
                                   uint64_t now, uint32_t *uid);

/*
 * All under the writer's lock: read the current DB (it must exist and be
 * valid: EKSAUTH_EUNAVAIL otherwise), replace the user's entry with u and
 * its groups, write.  An id never changes once recorded: a user already
 * present keeps its uid (and a login of another k8s user is refused).
 * u->uid == 0 means a templated name: it gets exactly the id NSS answers
 * for it (eksauth_iddb_template_user with rules, on the DB under the lock)
 * or is refused, never another: EKSAUTH_EREJECTED for a held id ("...: its
 * id N is held by <who>", naming the holder for the log) or a name that
 * fits several templates, EKSAUTH_EUNAVAIL when the DB's ids are keyed by
 * a key the caller does not have; *verdict (may be NULL) then says which,
 * else it is EKSAUTH_IDDB_TEMPLATED.  The primary group is the DB's users'
 * group.  groups (not u->groups) are the user's groups as the mapping gives
 * them now; one not in the DB is added with its gid (refused when that gid
 * is taken); one present keeps its gid.  A record that is written gets
 * last_login = u->last_login, or the current time when that is 0.
 * *uid_out (may be NULL) receives the recorded uid.  Before a write, under
 * the lock, the drop of nscd's caches it owes is made durable
 * (eksauth_nscd_owe_locked, nscd.h); after it, once the lock is released,
 * nscd is asked to drop them; when it does not (or the login is killed
 * first), the debt stays beside the DB (the mark EKSAUTH_NSCD_PENDING_NAME,
 * paths.h, or its claim) for the next sync to ask again.
 */
enum eksauth_status
eksauth_iddb_record_login(const char *path, const struct eksauth_iddb_user_in *u,
                          const struct eksauth_iddb_group_in *groups, size_t n_groups,
                          const struct eksauth_iddb_id_rules *rules, uint32_t *uid_out,
                          enum eksauth_iddb_verdict *verdict, struct eksauth_error *err);

/*
 * The drop of nscd's caches a login's write owes (nscd.h): the claim made
 * under the writer's lock, and whether the DB was written.
 */
struct eksauth_iddb_owed {
    struct eksauth_nscd_debt debt;
    bool wrote;
};

/*
 * The one place a login's write tells nscd: the writer's lock lfd released
 * (eksauth_iddb_unlock), then nscd asked to drop its caches when owed->wrote
 * and owed->debt settled (eksauth_nscd_settle), then *owed zeroed.  After the
 * lock, so a stuck nscd (5 s for each cache) holds up no other writer
 * (tests/unit/test_sync_faults.c test_remapped_login_tells_nscd_unlocked).
 * A zeroed *owed asks nothing.
 */
void eksauth_iddb_unlock_then_tell(int lfd, struct eksauth_iddb_owed *owed);

/*
 * What a login mapped with, asked again under the writer's lock
 * (eksauth_iddb_record_mapped): the generation of the last sync it mapped
 * with (a login: the snapshot state's, read before its mapping,
 * lib/login.c), and how to read the last sync's generation now.  Only a
 * sync changes it (it writes the state under this lock before it renames
 * the DB, lib/sync.c apply_locked); a login's write never does, so another
 * login's record is no change.  synced returns false when it cannot say (no
 * state, unreadable): taken as a change (fail closed).
 */
struct eksauth_iddb_basis {
    uint64_t mapped;
    bool (*synced)(void *arg, uint64_t *now);
    void *arg;
    /*
     * Not NULL: the caller holds the writer's lock already
     * (eksauth_iddb_lock), a login that mapped again under it, so that no
     * sync can overtake it a second time (lib/login.c).  owed then receives
     * the drop of nscd's caches the write owes, which the caller tells as
     * it unlocks (eksauth_iddb_unlock_then_tell), not the record under its
     * lock.
     */
    struct eksauth_iddb_owed *owed;
};

/*
 * eksauth_iddb_record_login for a login that mapped u and groups with the
 * sync basis names (NULL: the DB as the lock finds it, tests and tools).
 * A sync may have replaced the DB while the login waited on STS, removing
 * the user or some of its groups: writing the login's record then would
 * bring back what the sync revoked, and the next sync, finding a DB of its
 * generation or later, would call it applied (lib/sync.c,
 * already_applied).  So, fail closed, the login is refused
 * (EKSAUTH_EREJECTED, *verdict EKSAUTH_IDDB_CHANGED, "the identity DB
 * changed during this login; log in again") when
 *   - u is a static user (no EKSAUTH_IDDB_USER_TEMPLATED) the DB lacks:
 *     only a sync adds static users, so one missing was removed since the
 *     mapping (whatever the sync);
 *   - a sync ran since the mapping (basis->synced, under the lock, gives
 *     another generation than basis->mapped, or none) and the record would
 *     change more than last_login: a templated user's first record, or a
 *     user whose groups, ARN, flags, home or shell the DB holds otherwise.
 * A login that only refreshes last_login writes the DB's own record.
 * Another login's write since the mapping is no sync: a templated first
 * login is recorded (its template's check runs on the DB as it is).  And
 * nothing is written while the DB is behind the state (a sync died before
 * its rename).  lib/login.c maps a refused login again under the lock.
 */
enum eksauth_status
eksauth_iddb_record_mapped(const char *path, const struct eksauth_iddb_basis *basis,
                           const struct eksauth_iddb_user_in *u,
                           const struct eksauth_iddb_group_in *groups, size_t n_groups,
                           const struct eksauth_iddb_id_rules *rules, uint32_t *uid_out,
                           enum eksauth_iddb_verdict *verdict, struct eksauth_error *err);

#endif
