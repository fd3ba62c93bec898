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
 * Into b, the new DB with all its entries added: every tombstone of old
 * (may be NULL) that lasts beyond now, and a new one until now + days for
 * every user and served group of old that b no longer has.  A tombstone
 * whose id an entry of b uses again (its own name came back) is dropped;
 * the private groups and group_map groups of old hold no id of their own.
 * days 0 makes no new ones.  *added (may be NULL): how many are new.
 */
enum eksauth_status eksauth_tombstones_carry(const struct eksauth_iddb *old,
                                             struct eksauth_iddb_builder *b, uint64_t now,
                                             uint32_t days, size_t *added,
                                             struct eksauth_error *err);

#endif
