/*
 * iddb_record.h - record one login in the identity DB (the PAM module,
 * after a successful authentication), so that NSS serves the user and its
 * current groups at once (docs/identity-db.md, docs/names-and-ids.md).
 */
#ifndef EKSAUTH_IDDB_RECORD_H
#define EKSAUTH_IDDB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "eksauth/status.h"

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
 * *uid_out (may be NULL) receives the recorded uid.
 */
enum eksauth_status
eksauth_iddb_record_login(const char *path, const struct eksauth_iddb_user_in *u,
                          const struct eksauth_iddb_group_in *groups, size_t n_groups,
                          const struct eksauth_iddb_id_rules *rules, uint32_t *uid_out,
                          enum eksauth_iddb_verdict *verdict, struct eksauth_error *err);

#endif
