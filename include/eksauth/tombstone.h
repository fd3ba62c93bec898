/*
 * tombstone.h - the ids of removed users and groups, held for
 * id_tombstone_days after a sync removes them (revoked, gone from
 * aws-auth, idle: whatever the reason), so that no later name inherits the
 * files they left on the host or on shared volumes (docs/names-and-ids.md,
 * "Tombstones").  A name that comes back within the period gets its own id
 * back (mapping.h: tombstones are seeds of the plan under their name).
 */
#ifndef EKSAUTH_TOMBSTONE_H
#define EKSAUTH_TOMBSTONE_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/iddb.h"
#include "eksauth/status.h"

/*
 * The most tombstones a DB keeps (docs/names-and-ids.md, "Tombstones"):
 * 56 MB of the 1 GiB a DB may take, and a first login's record, which
 * copies them all under the DB's lock, about half a second.  Beyond it a
 * churn of removed names (or a hostile aws-auth's) would grow the DB
 * until every sync and every first login failed for id_tombstone_days.
 */
#define EKSAUTH_TOMBSTONES_MAX 1000000u

/*
 * Into b, the new DB with all its entries added: every tombstone of old
 * (may be NULL) that lasts beyond now, and a new one until now + days for
 * every user and served group of old that b no longer has.  A tombstone
 * whose id an entry of b uses again (its own name came back) is dropped;
 * the private groups and group_map groups of old hold no id of their own.
 * days 0 makes no new ones.  *added (may be NULL): how many new ones were
 * made.  Then at most max are kept, those that end last
 * (eksauth_iddb_builder_keep_tombstones): *dropped (may be NULL), how
 * many were not.  eksauth_tombstones_carry: max EKSAUTH_TOMBSTONES_MAX,
 * what the sync keeps.
 */
enum eksauth_status eksauth_tombstones_carry_max(const struct eksauth_iddb *old,
                                                 struct eksauth_iddb_builder *b, uint64_t now,
                                                 uint32_t days, size_t max, size_t *added,
                                                 size_t *dropped, struct eksauth_error *err);
enum eksauth_status eksauth_tombstones_carry(const struct eksauth_iddb *old,
                                             struct eksauth_iddb_builder *b, uint64_t now,
                                             uint32_t days, size_t *added, size_t *dropped,
                                             struct eksauth_error *err);

#endif
