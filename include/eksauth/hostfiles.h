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

/* Ids lo..hi, both included. */
struct eksauth_id_range {
    uint32_t lo, hi;
};

struct eksauth_hostfiles {
    char **users; /* sorted */
    size_t n_users;
    struct eksauth_local_group *groups; /* sorted by name */
    size_t n_groups;
    uint32_t *ids; /* every uid and gid of /etc/passwd and gid of /etc/group: sorted, unique */
    size_t n_ids;
    /*
     * The blocks of subordinate ids of subuid and subgid (beside passwd and
     * group: /etc/subuid, /etc/subgid): sorted by lo, not overlapping.  Their
     * owners act as them in user namespaces of their own, so host.local_id
     * holds them as it holds ids.
     */
    struct eksauth_id_range *subs;
    size_t n_subs;
    struct eksauth_host host; /* callbacks over the lists above */
};

#define EKSAUTH_HOSTFILES_PASSWD "/etc/passwd"
#define EKSAUTH_HOSTFILES_GROUP  "/etc/group"

/*
 * Read passwd_path and group_path (NULL: EKSAUTH_HOSTFILES_PASSWD,
 * EKSAUTH_HOSTFILES_GROUP), and the subuid and subgid files in their folders
 * (a missing one holds nothing).  A file that exists but cannot be read is
 * EKSAUTH_EIO naming it: never taken for an empty one.
 */
enum eksauth_status eksauth_hostfiles_load(struct eksauth_hostfiles *hf, const char *passwd_path,
                                           const char *group_path, struct eksauth_error *err);

/*
 * Whether a and b own the same names and ids: the same users, the same
 * groups with the same gids, the same ids and subordinate ids (what a plan
 * asks of them).
 */
bool eksauth_hostfiles_equal(const struct eksauth_hostfiles *a, const struct eksauth_hostfiles *b);

/*
 * Free *to and move *from into it (*from is left empty): host's callbacks
 * then answer from *to.
 */
void eksauth_hostfiles_move(struct eksauth_hostfiles *to, struct eksauth_hostfiles *from);

void eksauth_hostfiles_free(struct eksauth_hostfiles *hf);

#endif
