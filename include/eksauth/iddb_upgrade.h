/*
 * iddb_upgrade.h - the identity DB of an older format, read so that
 * `eksauth sync` keeps its recorded ids and logins and then writes the
 * current format (docs/identity-db.md, "Versioning").  Readers of the
 * current version refuse older files; this is the one way back in.
 */
#ifndef EKSAUTH_IDDB_UPGRADE_H
#define EKSAUTH_IDDB_UPGRADE_H

#include "eksauth/iddb.h"
#include "eksauth/status.h"

/*
 * eksauth_iddb_open, except that a DB of format version 1 or 2 is read,
 * checked (owner, mode, its own checksums) and converted in memory to the
 * current one.  Version 2 keeps its private groups and unkeyed ids as data
 * (the sync that reads it writes neither again) and gets no users' gid.
 * *upgraded_from (may be NULL) is the old version, or 0.  A DB of a later
 * version than this eksauth writes (it was rolled back) is
 * EKSAUTH_EREJECTED: never rebuilt, which would forget its recorded ids and
 * id holds; its layout is unknown here.
 */
enum eksauth_status eksauth_iddb_open_upgrade(const char *path, struct eksauth_iddb **out,
                                              unsigned *upgraded_from, struct eksauth_error *err);

#endif
