/*
 * idkey.h - the fleet's id key (config id_key_file, default
 * /etc/eksauth/id.key): a root-only file of at least 32 random bytes, the
 * same on every host of a fleet, that keys the id formula (names.h) so
 * that nobody who can choose a session name can aim at a uid
 * (docs/names-and-ids.md, "The id key").
 *
 * The file must be a regular file, root's, mode 0600 or 0400 (nobody else
 * may read it: whoever knows the key can aim again), in a folder only root
 * can change (trust.h), and 32 to 4096 bytes long.  A missing file means
 * no key: ids are unkeyed, as before the key existed.  libc only: the NSS
 * module reads it too, and only as root.
 */
#ifndef EKSAUTH_IDKEY_H
#define EKSAUTH_IDKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/names.h"
#include "eksauth/status.h"

#define EKSAUTH_ID_KEY_PATH "/etc/eksauth/id.key"
#define EKSAUTH_ID_KEY_MIN  32u
#define EKSAUTH_ID_KEY_MAX  4096u

/*
 * The key file the NSS module reads (it reads no config) into *path:
 * EKSAUTH_ID_KEY (secure_getenv, so never in setuid programs; empty is
 * unset), else EKSAUTH_ID_KEY_PATH.  Also the default of id_key_file.  An
 * EKSAUTH_ID_KEY that is not an absolute path is refused, never replaced:
 * EKSAUTH_EINVAL, "id key: EKSAUTH_ID_KEY must be an absolute path, not
 * '...'", *path NULL; its readers fail closed as for a key that cannot be
 * read.
 */
enum eksauth_status eksauth_idkey_default_path(const char **path, struct eksauth_error *err);

/*
 * Read the key file at path into *key.  A file that does not exist:
 * EKSAUTH_OK with *present false.  A file that exists but may not be used
 * (the rules above) is EKSAUTH_EINVAL, "id key: PATH: <why>; run: <fix>";
 * one that cannot be read EKSAUTH_EIO (EACCES for a caller other than
 * root).  The bytes read are wiped before returning.
 */
enum eksauth_status eksauth_idkey_load(const char *path, struct eksauth_id_key *key, bool *present,
                                       struct eksauth_error *err);

#endif
