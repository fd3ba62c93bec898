/*
 * resolve.h - from a verified principal to its identity on this host: the
 * aws-auth mapping (awsauth.h), then the login, uid and groups the plan
 * (identity.h) gives it under the host's policy (docs/names-and-ids.md).
 */
#ifndef EKSAUTH_RESOLVE_H
#define EKSAUTH_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/identity.h"
#include "eksauth/names.h"
#include "eksauth/status.h"
#include "eksauth/template.h"

struct eksauth_posix_group {
    char name[EKSAUTH_NAME_MAX + 1];
    uint32_t gid;
    const char *k8s_group; /* points into k8s.groups */
};

/*
 * Why a login the cluster maps is refused here, where the person logging
 * in needs more than "refused" to know what to do (login.h).
 */
enum eksauth_refusal {
    EKSAUTH_REFUSAL_NONE,
    EKSAUTH_REFUSAL_ID_HELD,       /* the login's one id is held by another account here */
    EKSAUTH_REFUSAL_SESSION_CHARS, /* the session name has characters a login cannot carry */
    EKSAUTH_REFUSAL_BARE_TEMPLATE, /* its username template is not served on hosts */
    EKSAUTH_REFUSAL_AMBIGUOUS,     /* its login can come from two mappings: served to nobody */
    EKSAUTH_REFUSAL_CHANGED,       /* a sync replaced the DB while it logged in: log in again */
};

struct eksauth_identity {
    /* who STS says signed the token */
    char *arn;
    char *canonical_arn;
    char *account;
    char *user_id;
    char *session_name;
    char *access_key_id;
    /* what aws-auth gives it */
    struct eksauth_k8s_identity k8s;
    bool templated; /* the username came from a template */
    /* what it is on this host */
    char login[EKSAUTH_NAME_MAX + 1];
    uint32_t uid, gid; /* gid: the users' group, every login's primary group */
    struct eksauth_posix_group *groups;
    size_t n_groups;
    enum eksauth_refusal refusal; /* after EKSAUTH_EREJECTED; kept when the rest is freed */
};

/*
 * What resolving one principal asks of the plan (identity.h), as answers:
 * over a plan built now (eksauth_plan_view), or over the login index the
 * last sync wrote and the identity DB (login_index.h), so a login need not
 * build the plan of the whole aws-auth.  Strings point into the source and
 * live as long as it.  id_taken: by the plan, its seeds or (host may be
 * NULL) a local uid or gid.  failed: the source could not answer one of
 * the questions (an unreadable record): the answer given is not to be used.
 */
struct eksauth_plan_view {
    bool (*find_user)(void *ctx, const char *login, const char **k8s_username, uint32_t *uid);
    /* k8s_group: as the plan has it (NULL for the users' group) */
    bool (*find_group)(void *ctx, const char *name, const char **k8s_group, uint32_t *gid);
    bool (*refuses)(void *ctx, const char *login);
    bool (*refuses_group)(void *ctx, const char *name);
    bool (*find_seed)(void *ctx, const char *name, bool is_group, uint32_t *id);
    bool (*id_taken)(void *ctx, const struct eksauth_host *host, uint32_t id);
    size_t (*template_count)(void *ctx);
    const char *(*template_at)(void *ctx, size_t i);
    bool (*failed)(void *ctx);
    void *ctx;
    const char *users_group; /* "" when not served */
    uint32_t users_gid;      /* 0 when not served */
    uint32_t id_min, id_max;
    const struct eksauth_id_key *key; /* NULL: ids are not keyed */
};

/* The view of plan (which must outlive it). */
void eksauth_plan_view_init(struct eksauth_plan_view *v, const struct eksauth_plan *plan);

/*
 * The id a name gets from view: its planned or recorded id, or for a name
 * the plan does not hold (a group a template renders) the first probe used
 * neither by the plan nor by the host (host may be NULL); 0 when there is
 * none.  A templated login takes probe 0 or nothing (see
 * eksauth_identity_resolve), never this.
 */
uint32_t eksauth_plan_view_id_for(const struct eksauth_plan_view *v,
                                  const struct eksauth_host *host, const char *name, bool is_group);

/*
 * eksauth_identity_resolve with the plan's answers from view.  A view that
 * failed makes the result EKSAUTH_EUNAVAIL, whatever it would have been.
 */
enum eksauth_status
eksauth_identity_resolve_view(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                              const struct eksauth_plan_view *view, const struct eksauth_host *host,
                              const struct eksauth_principal *p, const char *user_id,
                              struct eksauth_identity *out, struct eksauth_error *err);

/*
 * Map p through aa and give it POSIX names and ids from plan.
 * EKSAUTH_ENOTMAPPED: no entry.  EKSAUTH_EREJECTED: the entry exists but the
 * login is refused (template error, denied or reserved name, system: user
 * without allow_system_users, a local account's name, a name collision; for
 * a templated login also a bare template, a session name a login cannot
 * carry, a login two templates give, its one id held: out->refusal says
 * which).  user_id may be NULL.
 */
enum eksauth_status
eksauth_identity_resolve(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                         const struct eksauth_plan *plan, const struct eksauth_host *host,
                         const struct eksauth_principal *p, const char *user_id,
                         struct eksauth_identity *out, struct eksauth_error *err);
void eksauth_identity_free(struct eksauth_identity *id);

#endif
