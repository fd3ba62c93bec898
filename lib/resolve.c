/*
 * resolve.c - one verified principal into its identity on this host (see
 * resolve.h): aws-auth's mapping, the login under the host's policy, its
 * one uid, the users' group and the POSIX groups (docs/names-and-ids.md).
 * Pure: the host's local names and ids come in through callbacks.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/login_template.h"
#include "eksauth/resolve.h"

static char *dup_or_empty(const char *s)
{
    return strdup(s != NULL ? s : "");
}

uint32_t eksauth_plan_view_id_for(const struct eksauth_plan_view *v,
                                  const struct eksauth_host *host, const char *name, bool is_group)
{
    const char *k8s;
    uint32_t id;
    unsigned probe;

    if (is_group ? v->find_group(v->ctx, name, &k8s, &id) : v->find_user(v->ctx, name, &k8s, &id))
        return id;
    if (v->find_seed(v->ctx, name, is_group, &id))
        return id;
    for (probe = 0; probe < EKSAUTH_ID_MAX_PROBES; probe++) {
        id = eksauth_names_id(v->key, name, probe, v->id_min, v->id_max);
        if (!v->id_taken(v->ctx, host, id))
            return id;
    }
    return 0; /* no free id: callers refuse 0 (root) */
}

static enum eksauth_status resolve_groups(const struct eksauth_config *cfg,
                                          const struct eksauth_plan_view *v,
                                          const struct eksauth_host *host,
                                          struct eksauth_identity *id, struct eksauth_error *err)
{
    const char *k8s, *no_k8s;
    uint32_t users_gid = 0, no_id;
    size_t i;

    id->groups = calloc(id->k8s.n_groups + 2, sizeof(*id->groups));
    if (id->groups == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    for (i = 0; i < id->k8s.n_groups; i++) {
        struct eksauth_posix_group *pg = &id->groups[id->n_groups];
        const char *k8s_group = id->k8s.groups[i];
        const char *mapped = eksauth_config_map_find(cfg->group_map, cfg->n_group_map, k8s_group);
        struct eksauth_error nerr;
        uint32_t gid = 0;
        bool planned;

        if (mapped != NULL) {
            /* An explicit group_map to a local group: its gid is the host's. */
            if (host == NULL || host->local_group == NULL ||
                !host->local_group(host->ctx, mapped, &gid))
                continue;
            snprintf(pg->name, sizeof(pg->name), "%s", mapped);
        } else {
            if (eksauth_names_group(k8s_group, cfg->group_prefix, pg->name, &nerr) != EKSAUTH_OK)
                continue;
            planned = v->find_group(v->ctx, pg->name, &k8s, &gid);
            if (planned && k8s != NULL && strcmp(k8s, k8s_group) == 0) {
                /* gid: the planned one */
            } else if (!planned && !v->find_user(v->ctx, pg->name, &no_k8s, &no_id) &&
                       /* Two k8s groups would share it: granting it would merge them. */
                       !v->refuses_group(v->ctx, pg->name) &&
                       !(host != NULL && host->local_group != NULL &&
                         host->local_group(host->ctx, pg->name, &gid))) {
                /* A group only this login's template yields: not in the plan yet. */
                gid = eksauth_plan_view_id_for(v, host, pg->name, true);
            } else {
                /* Refused by the plan (collision, local group): never granted. */
                continue;
            }
            if (gid == 0)
                continue;
        }
        pg->gid = gid;
        pg->k8s_group = k8s_group;
        id->n_groups++;
    }
    /* The group of every login (no k8s group: it is eksauth's own). */
    if (v->users_group[0] != '\0' && strlen(v->users_group) <= EKSAUTH_NAME_MAX &&
        v->find_group(v->ctx, v->users_group, &k8s, &users_gid) && users_gid != 0 &&
        users_gid != UINT32_MAX) {
        snprintf(id->groups[id->n_groups].name, sizeof(id->groups[id->n_groups].name), "%s",
                 v->users_group);
        id->groups[id->n_groups].gid = users_gid;
        id->groups[id->n_groups].k8s_group = NULL;
        id->n_groups++;
    }
    return EKSAUTH_OK;
}

/*
 * The session name a template puts into the username must reach the login
 * unchanged: "a@b" and "a-b", or "Alice" and "alice", would otherwise be
 * two Kubernetes users with one login, and whoever logged in first would
 * hold it.  {{SessionName}} turns '@' into '-' itself (so did the cluster),
 * {{SessionNameRaw}} does not.
 */
static bool session_fits_login(const char *tmpl, const char *session)
{
    char v[128];
    size_t i;

    if (strstr(tmpl, "{{SessionNameRaw}}") != NULL && !eksauth_names_kept(session))
        return false;
    if (strstr(tmpl, "{{SessionName}}") == NULL)
        return true;
    if (strlen(session) >= sizeof(v))
        return false;
    for (i = 0; session[i] != '\0'; i++)
        v[i] = session[i] == '@' ? '-' : session[i];
    v[i] = '\0';
    return eksauth_names_kept(v);
}

/* Refuse with a reason class the person logging in is told (login.h). */
static enum eksauth_status refuse(struct eksauth_identity *out, enum eksauth_refusal why,
                                  struct eksauth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum eksauth_status refuse(struct eksauth_identity *out, enum eksauth_refusal why,
                                  struct eksauth_error *err, const char *fmt, ...)
{
    va_list ap;

    out->refusal = why;
    if (err != NULL) {
        err->status = EKSAUTH_EREJECTED;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
        /* As eksauth_fail: a template quoted from aws-auth cannot reorder or hide the text. */
        eksauth_message_clean(err->msg);
    }
    return EKSAUTH_EREJECTED;
}

/*
 * A templated login (docs/names-and-ids.md, "Templated logins"): served
 * only through a served template, with a session name that reaches the
 * login unchanged, fitting that one template, and with the one id NSS
 * answers for it before PAM: its recorded id, or probe 0 when no one holds
 * it; never another probe, since sshd keeps the uid it resolved.
 */
static enum eksauth_status resolve_templated(const struct eksauth_plan_view *v,
                                             const struct eksauth_host *host,
                                             const struct eksauth_principal *p,
                                             struct eksauth_identity *out,
                                             struct eksauth_error *err)
{
    const char *tmpl = out->k8s.entry != NULL ? out->k8s.entry->username : NULL;
    bool by_entry, by_local, seeded;
    uint32_t id = 0;

    if (eksauth_template_has_placeholder(tmpl)) {
        if (eksauth_login_template_bare(tmpl))
            return refuse(out, EKSAUTH_REFUSAL_BARE_TEMPLATE, err,
                          "login refused: template '%s' has no fixed text before its first "
                          "placeholder; hosts do not serve it",
                          tmpl);
        if (!session_fits_login(tmpl, p->session_name != NULL ? p->session_name : ""))
            return refuse(out, EKSAUTH_REFUSAL_SESSION_CHARS, err,
                          "login refused: session name '%.64s' has characters a login name "
                          "cannot carry (only a-z, 0-9, '.', '_' and '-' keep two people apart)",
                          p->session_name);
        /* Its k8s username too: a cut login (names.h rule 3) fits fewer templates than give it. */
        if (eksauth_login_templates_giving(v->template_at, v->ctx, v->template_count(v->ctx),
                                           out->login, out->k8s.username) > 1)
            return refuse(out, EKSAUTH_REFUSAL_AMBIGUOUS, err,
                          "login refused: '%s' of k8s user '%.200s' can come from more than one "
                          "username template; served to nobody (see the warnings of eksauth sync)",
                          out->login, out->k8s.username);
    }
    if (v->refuses(v->ctx, out->login))
        return refuse(out, EKSAUTH_REFUSAL_AMBIGUOUS, err,
                      "login refused: '%s' can come from more than one mapping; served to nobody "
                      "(see the warnings of eksauth sync)",
                      out->login);
    seeded = v->find_seed(v->ctx, out->login, false, &id);
    if (!seeded)
        id = eksauth_names_id(v->key, out->login, 0, v->id_min, v->id_max);
    /* Its own seed holds its id; anything else is another's.  A local id never goes. */
    by_entry = !seeded && v->id_taken(v->ctx, NULL, id);
    by_local = host != NULL && host->local_id != NULL && host->local_id(host->ctx, id);
    /* The one id it can have, or none: the holder is named for the log, never to the caller. */
    if (by_entry || by_local)
        return refuse(out, EKSAUTH_REFUSAL_ID_HELD, err,
                      "login refused: the id of '%s', %u, is held by %s", out->login, id,
                      by_entry                        ? "another entry"
                      : eksauth_names_id_reserved(id) ? "the host: it is reserved (nobody's or -1)"
                                                      : "a local account or group");
    out->uid = id;
    return EKSAUTH_OK;
}

enum eksauth_status
eksauth_identity_resolve_view(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                              const struct eksauth_plan_view *v, const struct eksauth_host *host,
                              const struct eksauth_principal *p, const char *user_id,
                              struct eksauth_identity *out, struct eksauth_error *err)
{
    enum eksauth_refusal why = EKSAUTH_REFUSAL_NONE;
    const char *planned_k8s = NULL, *k8s;
    uint32_t planned_uid = 0, gid;
    enum eksauth_status st;
    bool planned;

    memset(out, 0, sizeof(*out));
    st = eksauth_awsauth_map(aa, p, &out->k8s, err);
    if (st != EKSAUTH_OK)
        goto out;
    out->arn = dup_or_empty(p->arn);
    out->canonical_arn = dup_or_empty(p->canonical_arn);
    out->account = dup_or_empty(p->account);
    out->user_id = dup_or_empty(user_id);
    out->session_name = dup_or_empty(p->session_name);
    out->access_key_id = dup_or_empty(p->access_key_id);
    if (out->arn == NULL || out->canonical_arn == NULL || out->account == NULL ||
        out->user_id == NULL || out->session_name == NULL || out->access_key_id == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    out->templated = out->k8s.source == EKSAUTH_SRC_MAPACCOUNTS ||
                     (out->k8s.entry != NULL && out->k8s.entry->username != NULL &&
                      eksauth_template_has_placeholder(out->k8s.entry->username));
    st = eksauth_plan_login_for(cfg, host, out->k8s.username, out->login, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "login refused");
        goto out;
    }
    planned = v->find_user(v->ctx, out->login, &planned_k8s, &planned_uid);
    if (planned && strcmp(planned_k8s, out->k8s.username) != 0) {
        /* Another k8s user owns this POSIX name: a session name must not take it. */
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "login refused: login '%s' belongs to k8s user '%s', not '%s'",
                          out->login, planned_k8s, out->k8s.username);
        goto out;
    }
    if (!planned && !out->templated) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "login refused: '%s' is not served on this host (see the warnings of "
                          "eksauth sync)",
                          out->login);
        goto out;
    }
    if (!planned && v->find_group(v->ctx, out->login, &k8s, &gid)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "login refused: '%s' is the name of a mapped group", out->login);
        goto out;
    }
    if (planned)
        out->uid = planned_uid;
    else
        st = resolve_templated(v, host, p, out, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* Every login's primary group is the users' group: no group a session name can name. */
    out->gid = v->users_gid;
    if (out->gid == 0) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "login refused: the group of every login ('%s') is not served here (see "
                          "the warnings of eksauth sync)",
                          v->users_group[0] != '\0' ? v->users_group : "users_group");
        goto out;
    }
    st = resolve_groups(cfg, v, host, out, err);
out:
    /* An answer the view could not read decides nothing: not a refusal, not a grant. */
    if (v->failed != NULL && v->failed(v->ctx)) {
        out->refusal = EKSAUTH_REFUSAL_NONE;
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL,
                          "the mapping of the last sync could not be read whole: run eksauth sync");
    }
    if (st != EKSAUTH_OK) {
        why = out->refusal;
        eksauth_identity_free(out);
        out->refusal = why; /* what the person is told survives the reset */
    }
    return st;
}

/* ------------------------------------------------------------------------ */
/* The view of a plan built now. */

static bool plan_user(void *ctx, const char *login, const char **k8s_username, uint32_t *uid)
{
    const struct eksauth_plan_user *u = eksauth_plan_find_user(ctx, login);

    if (u == NULL)
        return false;
    *k8s_username = u->k8s_username;
    *uid = u->uid;
    return true;
}

static bool plan_group(void *ctx, const char *name, const char **k8s_group, uint32_t *gid)
{
    const struct eksauth_plan_group *g = eksauth_plan_find_group(ctx, name);

    if (g == NULL)
        return false;
    *k8s_group = g->k8s_group;
    *gid = g->gid;
    return true;
}

static bool plan_refuses(void *ctx, const char *login)
{
    return eksauth_plan_refuses(ctx, login);
}

static bool plan_refuses_group(void *ctx, const char *name)
{
    return eksauth_plan_refuses_group(ctx, name);
}

static bool plan_seed(void *ctx, const char *name, bool is_group, uint32_t *id)
{
    const struct eksauth_id_seed *seed = eksauth_plan_find_seed(ctx, name, is_group);

    if (seed != NULL)
        *id = seed->id;
    return seed != NULL;
}

static bool plan_id_taken(void *ctx, const struct eksauth_host *host, uint32_t id)
{
    return eksauth_plan_id_taken(ctx, host, id);
}

static size_t plan_template_count(void *ctx)
{
    return ((const struct eksauth_plan *)ctx)->n_templates;
}

static const char *plan_template_at(void *ctx, size_t i)
{
    return ((const struct eksauth_plan *)ctx)->templates[i];
}

void eksauth_plan_view_init(struct eksauth_plan_view *v, const struct eksauth_plan *plan)
{
    memset(v, 0, sizeof(*v));
    v->find_user = plan_user;
    v->find_group = plan_group;
    v->refuses = plan_refuses;
    v->refuses_group = plan_refuses_group;
    v->find_seed = plan_seed;
    v->id_taken = plan_id_taken;
    v->template_count = plan_template_count;
    v->template_at = plan_template_at;
    v->ctx = (void *)plan; /* read only: the callbacks take it back as const */
    v->users_group = plan->users_group;
    v->users_gid = plan->users_gid;
    v->id_min = plan->id_min;
    v->id_max = plan->id_max;
    v->key = plan->keyed ? &plan->key : NULL;
}

enum eksauth_status
eksauth_identity_resolve(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                         const struct eksauth_plan *plan, const struct eksauth_host *host,
                         const struct eksauth_principal *p, const char *user_id,
                         struct eksauth_identity *out, struct eksauth_error *err)
{
    struct eksauth_plan_view v;

    eksauth_plan_view_init(&v, plan);
    return eksauth_identity_resolve_view(cfg, aa, &v, host, p, user_id, out, err);
}

void eksauth_identity_free(struct eksauth_identity *id)
{
    if (id == NULL)
        return;
    free(id->arn);
    free(id->canonical_arn);
    free(id->account);
    free(id->user_id);
    free(id->session_name);
    free(id->access_key_id);
    eksauth_k8s_identity_free(&id->k8s);
    free(id->groups);
    memset(id, 0, sizeof(*id));
}
