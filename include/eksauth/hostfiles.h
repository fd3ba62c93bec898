/*
 * hostfiles.h - the names and ids local accounts own, read from /etc/passwd
 * and /etc/group directly (not through NSS, which would ask eksauth itself).
 */
#ifndef EKSAUTH_HOSTFILES_H
#define EKSAUTH_HOSTFILES_H

#include <stdbool.h>
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

#define EKSAUTH_HOSTFILES_PASSWD "/etc/passwd"
#define EKSAUTH_HOSTFILES_GROUP  "/etc/group"

/* Read passwd_path and group_path (NULL: EKSAUTH_HOSTFILES_PASSWD, EKSAUTH_HOSTFILES_GROUP). */
enum eksauth_status eksauth_hostfiles_load(struct eksauth_hostfiles *hf, const char *passwd_path,
                                           const char *group_path, struct eksauth_error *err);

/*
 * Whether a and b own the same names and ids: the same users, the same
 * groups with the same gids, the same ids (what a plan asks of them).
 */
bool eksauth_hostfiles_equal(const struct eksauth_hostfiles *a, const struct eksauth_hostfiles *b);

/*
 * Free *to and move *from into it (*from is left empty): host's callbacks
 * then answer from *to.
 */
void eksauth_hostfiles_move(struct eksauth_hostfiles *to, struct eksauth_hostfiles *from);

void eksauth_hostfiles_free(struct eksauth_hostfiles *hf);

#endif
