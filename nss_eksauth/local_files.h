/*
 * local_files.h - the NSS module's reading of the host's own accounts
 * (/etc/passwd, /etc/group), directly, for the checks that keep eksauth off
 * local names and ids (nss_eksauth.c).  Internal to the module: not exported
 * (exports.map).
 */
#ifndef EKSAUTH_NSS_LOCAL_FILES_H
#define EKSAUTH_NSS_LOCAL_FILES_H

#include <stdbool.h>
#include <stdint.h>

/* Does file (/etc/passwd or /etc/group) have a line for name? */
bool nss_local_file_has(const char *file, const char *name);

/* Is name a local user's or a local group's? */
bool nss_local_name(const char *name);

/*
 * Is id a local uid or gid (/etc/passwd's uid and primary gid fields,
 * /etc/group's gid)?  The signature of iddb_template.h's local_id rule;
 * ctx is unused.
 */
bool nss_local_id(void *ctx, uint32_t id);

#endif
