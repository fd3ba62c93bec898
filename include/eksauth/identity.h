/*
 * identity.h - the plan: the POSIX users and groups of an aws-auth on a
 * host, POSIX names and ids (names.h) under the host's policy (config.h):
 * denied and reserved names, system: users, names and ids that local
 * accounts already own, two k8s names that give one POSIX name, and the
 * username templates the host serves.  One principal's identity from it is
 * resolve.h.
 *
 * The plan is the set of POSIX users and groups an aws-auth yields on a host:
 * every static username (no template) and every group, with ids assigned
 * deterministically (names.h) in a fixed order: ids already recorded first
 * (they never change), then new names in byte order.  `eksauth map`,
 * `eksauth sync`, PAM and NSS all derive ids from the same plan, so every
 * host that syncs the same aws-auth gives the same ids.
 */
#ifndef EKSAUTH_IDENTITY_H
#define EKSAUTH_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/arena.h"
#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/names.h"
#include "eksauth/status.h"
#include "eksauth/template.h"

/* What the host itself already has (the "files" NSS source), asked through callbacks. */
struct eksauth_host {
    bool (*local_user)(void *ctx, const char *name);                 /* /etc/passwd has name */
    bool (*local_group)(void *ctx, const char *name, uint32_t *gid); /* /etc/group has name */
    bool (*local_id)(void *ctx, uint32_t id); /* a uid or gid of /etc/passwd, /etc/group */
    void *ctx;
    /*
     * The name {{EC2PrivateDNSName}} renders on this host, as the sync
     * bound it (lib/mapping.c); NULL when unknown (instance metadata did
     * not answer), and then the plan takes it for any DNS name.
     */
    const char *private_dns_name;
};

struct eksauth_plan_group {
    char name[EKSAUTH_NAME_MAX + 1];
    char *k8s_group; /* NULL for the users' group */
    uint32_t gid;
    bool local; /* mapped on purpose to a local group (group_map): not served by eksauth */
};

struct eksauth_plan_user {
    char login[EKSAUTH_NAME_MAX + 1];
    char *k8s_username;
    char *arn;         /* the aws-auth entry's ARN (or account) */
    uint32_t uid;      /* its gid is the plan's users_gid */
    size_t *group_idx; /* indexes into plan->groups */
    size_t n_groups;
};

struct eksauth_plan {
    struct eksauth_plan_user *users;
    size_t n_users;
    struct eksauth_plan_group *groups;
    size_t n_groups;
    char **templates; /* username templates of the current aws-auth */
    size_t n_templates;
    char **warnings; /* refusals: collisions, local clashes, denied names */
    size_t n_warnings;
    char **refused; /* logins refused for a collision: never to be served, even by a template */
    size_t n_refused;
    char **refused_groups; /* POSIX groups two k8s groups would share: served to no one */
    size_t n_refused_groups;
    uint32_t id_min, id_max;
    uint32_t *used_ids; /* sorted: every id the plan and its seeds hold */
    size_t n_used_ids;
    struct eksauth_id_seed *seeds; /* sorted copies of the recorded ids */
    size_t n_seeds;
    struct eksauth_id_key key; /* cfg's id key, when keyed */
    bool keyed;
    /*
     * The group every login is in (config users_group, default
     * "<prefix>users"), a member of plan->groups with no k8s group; "" when
     * it cannot be served (a local group has the name).
     */
    char users_group[EKSAUTH_NAME_MAX + 1];
    uint32_t users_gid; /* its gid: every login's primary group; 0 when not served */
    /*
     * The users' and groups' strings and group indexes: freed at once with
     * the plan (a sync plans 100,000 users), not three allocations each.
     */
    struct eksauth_arena strs;
    size_t cap_users, cap_groups; /* allocated lengths of users and groups */
};

/*
 * NULL when hosts may serve logins of the username template tmpl under
 * cfg; else why not, in words (for the sync's warning): not a valid
 * template, {{AccessKeyID}}, a system: username without
 * allow_system_users, or a bare template (login_template.h).
 */
const char *eksauth_plan_template_unservable(const struct eksauth_config *cfg, const char *tmpl);

/*
 * A recorded assignment (from the identity DB) that the plan must keep.
 * held: the id alone is kept from every new name, and name does not get
 * it back (a tombstone whose name is in the DB again under another id:
 * eksauth_mapping_seeds); eksauth_plan_find_seed never returns it.
 */
struct eksauth_id_seed {
    char *name;
    uint32_t id;
    bool is_group;
    bool held;
};

/*
 * Build the plan of aa under cfg.  seeds (may be NULL) are ids recorded
 * earlier: kept as they are.  host may be NULL (no local names known).
 */
enum eksauth_status eksauth_plan_build(const struct eksauth_config *cfg,
                                       const struct eksauth_awsauth *aa,
                                       const struct eksauth_host *host,
                                       const struct eksauth_id_seed *seeds, size_t n_seeds,
                                       struct eksauth_plan *out, struct eksauth_error *err);
void eksauth_plan_free(struct eksauth_plan *plan);

const struct eksauth_plan_user *eksauth_plan_find_user(const struct eksauth_plan *plan,
                                                       const char *login);
const struct eksauth_plan_group *eksauth_plan_find_group(const struct eksauth_plan *plan,
                                                         const char *name);

/*
 * The recorded (or tombstoned) id of name in the plan's seeds, not a held
 * one; the lowest when a name has several (tombstones of one name removed
 * twice); NULL when it has none.
 */
const struct eksauth_id_seed *eksauth_plan_find_seed(const struct eksauth_plan *plan,
                                                     const char *name, bool is_group);

/* True when id is taken: by the plan or its seeds, or (host may be NULL) a local uid or gid. */
bool eksauth_plan_id_taken(const struct eksauth_plan *plan, const struct eksauth_host *host,
                           uint32_t id);

/* True when the plan refuses login to everyone (two k8s users, a template and a static name). */
bool eksauth_plan_refuses(const struct eksauth_plan *plan, const char *login);

/*
 * True when the plan refuses the POSIX group name to everyone: two k8s
 * groups would become it.  A login's rendered groups never get it either,
 * or the first login would merge the two groups the sync kept apart.
 */
bool eksauth_plan_refuses_group(const struct eksauth_plan *plan, const char *name);

/*
 * The login of a k8s username under the host's policy (user_map, names.h),
 * or EKSAUTH_EREJECTED: a system: user without allow_system_users, no POSIX
 * name, a reserved or denied name, a local account's or a local group's
 * name.  The plan and the resolution of one login refuse alike through it.
 */
enum eksauth_status eksauth_plan_login_for(const struct eksauth_config *cfg,
                                           const struct eksauth_host *host,
                                           const char *k8s_username,
                                           char login[EKSAUTH_NAME_MAX + 1],
                                           struct eksauth_error *err);

#endif
