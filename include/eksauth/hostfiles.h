/*
 * hostfiles.h - the names and ids local accounts own, read from /etc/passwd
 * and /etc/group directly (not through NSS, which would ask eksauth itself).
 */
#ifndef EKSAUTH_HOSTFILES_H
#define EKSAUTH_HOSTFILES_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/identity.h"
#include "eksauth/status.h"

struct eksauth_local_group {
    char *name;
    uint32_t gid;
};

struct eksauth_hostfiles {
    char **users; /* sorted */
    size_t n_users;
    struct eksauth_local_group *groups; /* sorted by name */
    size_t n_groups;
    uint32_t *ids; /* every uid and gid of /etc/passwd and gid of /etc/group: sorted, unique */
    size_t n_ids;
    struct eksauth_host host; /* callbacks over the lists above */
};

/* Read passwd_path and group_path (NULL: /etc/passwd, /etc/group). */
enum eksauth_status eksauth_hostfiles_load(struct eksauth_hostfiles *hf, const char *passwd_path,
                                           const char *group_path, struct eksauth_error *err);
void eksauth_hostfiles_free(struct eksauth_hostfiles *hf);

#endif
