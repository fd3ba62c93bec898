/*
 * identity.c - from aws-auth to POSIX users and groups: the plan of every
 * static user and group with deterministic ids, and the username templates
 * a host serves (docs/names-and-ids.md).  The resolution of one principal
 * is lib/resolve.c.  Pure: the host's local names and ids come in through
 * callbacks.
 */
#include "config.h"

#include <assert.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eksauth/arn.h"
#include "eksauth/array.h"
#include "eksauth/identity.h"
#include "eksauth/login_template.h"
#include "eksauth/template_rivals.h"
#include "eksauth/strlist.h"
#include "eksauth/strmap.h"

/* k8s usernames with this prefix belong to the cluster's own components. */
#define SYSTEM_PREFIX "system:"

/* ---------------------------------------------------------------- helpers */

static enum eksauth_status add_warning(struct eksauth_plan *plan, struct eksauth_error *err,
                                       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum eksauth_status add_warning(struct eksauth_plan *plan, struct eksauth_error *err,
                                       const char *fmt, ...)
{
    struct eksauth_strlist l = {plan->warnings, plan->n_warnings, plan->n_warnings};
    enum eksauth_status st;
    va_list ap;

    /* plan->warnings is a bare pair (strlist.h): grown as a full list. */
    va_start(ap, fmt);
    st = eksauth_strlist_vaddf(&l, NULL, fmt, ap);
    va_end(ap);
    plan->warnings = l.v;
    plan->n_warnings = l.n;
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    return EKSAUTH_OK;
}

/* A login the plan refuses: sync records it so a template cannot serve it either. */
static enum eksauth_status add_refused(struct eksauth_plan *plan, const char *login,
                                       struct eksauth_error *err)
{
    if (eksauth_strv_add(&plan->refused, &plan->n_refused, login, NULL) != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    return EKSAUTH_OK;
}

static bool is_system_user(const char *k8s_username)
{
    return strncmp(k8s_username, SYSTEM_PREFIX, strlen(SYSTEM_PREFIX)) == 0;
}

enum eksauth_status eksauth_plan_login_for(const struct eksauth_config *cfg,
                                           const struct eksauth_host *host,
                                           const char *k8s_username,
                                           char login[EKSAUTH_NAME_MAX + 1],
                                           struct eksauth_error *err)
{
    const char *mapped;
    enum eksauth_status st;
    uint32_t gid;

    /* system: names are the cluster's nodes and controllers, never people. */
    if (is_system_user(k8s_username) && !cfg->allow_system_users)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "k8s username '%s' is a system: user (allow_system_users is off)",
                            k8s_username);
    mapped = eksauth_config_map_find(cfg->user_map, cfg->n_user_map, k8s_username);
    if (mapped != NULL) {
        if (!eksauth_names_valid(mapped))
            return eksauth_fail(err, EKSAUTH_EREJECTED, "user_map gives '%s' an invalid name",
                                k8s_username);
        snprintf(login, EKSAUTH_NAME_MAX + 1, "%s", mapped);
    } else {
        st = eksauth_names_login(k8s_username, login, err);
        if (st != EKSAUTH_OK)
            return eksauth_fail(err, EKSAUTH_EREJECTED, "k8s username '%s' has no POSIX name",
                                k8s_username);
    }
    /* root and the system accounts must never be reachable with a token. */
    if (eksauth_names_reserved(login) || eksauth_config_denies(cfg, login) ||
        eksauth_config_denies(cfg, k8s_username))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "login '%s' is denied", login);
    /* A local account keeps its own password path; a token never takes it over. */
    if (host != NULL && host->local_user != NULL && host->local_user(host->ctx, login))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "login '%s' belongs to a local account", login);
    /*
     * A login named like a local group ("sudo", "adm") reads as that group
     * wherever users and groups share a name space (sudo -l output, audit
     * trails, tools that take either): keep the two apart.
     */
    if (host != NULL && host->local_group != NULL && host->local_group(host->ctx, login, &gid))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "login '%s' is the name of a local group",
                            login);
    return EKSAUTH_OK;
}

/* ---------------------------------------------------------------- the plan */

/* A name that needs an id, while the plan is built. */
struct pending {
    const char *name; /* the plan user's or group's own */
    bool is_group;
    size_t index; /* into plan->users or plan->groups */
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* By name, kind, held last, then id: a name's own seeds first, its lowest id first. */
static int cmp_seed(const void *a, const void *b)
{
    const struct eksauth_id_seed *x = a, *y = b;
    int c = strcmp(x->name, y->name);

    if (c != 0)
        return c;
    if (x->is_group != y->is_group)
        return (int)x->is_group - (int)y->is_group;
    if (x->held != y->held)
        return (int)x->held - (int)y->held;
    return x->id < y->id ? -1 : x->id > y->id;
}

/*
 * bsearch's comparison of a name with a user or group of the sorted plan:
 * each begins with its name, so the entry's address is its name's.
 */
static_assert(offsetof(struct eksauth_plan_user, login) == 0 &&
                  offsetof(struct eksauth_plan_group, name) == 0,
              "plan users and groups begin with their names");

static int cmp_name_entry(const void *name, const void *entry)
{
    return strcmp(name, entry);
}

/*
 * Sort n ids: a radix sort, a byte a pass (a sync of 100,000 users sorts
 * 200,000 ids; qsort's calls to cmp_u32 cost ten times as much), or qsort
 * when there is no memory for the second array.
 */
static void sort_ids(uint32_t *ids, size_t n)
{
    uint32_t *tmp = n > 1 ? malloc(n * sizeof(*tmp)) : NULL, *src = ids, *dst = tmp, *swap;
    size_t count[256], at, c, i;
    unsigned shift;

    if (tmp == NULL) {
        if (n > 1)
            qsort(ids, n, sizeof(*ids), cmp_u32);
        return;
    }
    /* Four passes, low byte first, each stable: the sorted ids end in ids again. */
    for (shift = 0; shift < 32; shift += 8) {
        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xff]++;
        for (i = 0, at = 0; i < 256; i++) {
            c = count[i];
            count[i] = at;
            at += c;
        }
        for (i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        swap = src;
        src = dst;
        dst = swap;
    }
    free(tmp);
}

static bool id_used(const uint32_t *ids, size_t n, uint32_t id)
{
    return n > 0 && bsearch(&id, ids, n, sizeof(*ids), cmp_u32) != NULL;
}

const struct eksauth_id_seed *eksauth_plan_find_seed(const struct eksauth_plan *plan,
                                                     const char *name, bool is_group)
{
    struct eksauth_id_seed key = {.name = (char *)name, .id = 0, .is_group = is_group};
    size_t lo = 0, hi = plan->n_seeds, mid;
    const struct eksauth_id_seed *s;

    /* The first seed at or after (name, kind, not held, id 0): the name's lowest own id. */
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (cmp_seed(&plan->seeds[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == plan->n_seeds)
        return NULL;
    s = &plan->seeds[lo];
    return !s->held && s->is_group == is_group && strcmp(s->name, name) == 0 ? s : NULL;
}

/*
 * Name -> index hash tables (strmap.h) over plan->users and plan->groups
 * while the plan is built, so a 10,000-entry aws-auth plans in linear time.
 * The arrays grow as the plan does: the tables read the names through these.
 */
static const char *user_name_at(const void *plan, size_t i)
{
    return ((const struct eksauth_plan *)plan)->users[i].login;
}

static const char *group_name_at(const void *plan, size_t i)
{
    return ((const struct eksauth_plan *)plan)->groups[i].name;
}

static enum eksauth_status index_put(struct eksauth_strmap *ix, const char *name, size_t i,
                                     struct eksauth_error *err)
{
    if (eksauth_strmap_put(ix, name, i, NULL, NULL) != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    return EKSAUTH_OK;
}

/* A copy of s in the plan's arena, or NULL. */
static char *plan_strdup(struct eksauth_plan *plan, const char *s)
{
    return eksauth_arena_strndup(&plan->strs, s, strlen(s));
}

/*
 * A new group named name, zeroed, at plan->groups[n_groups] (the caller
 * counts it); NULL when out of memory.
 */
static struct eksauth_plan_group *plan_new_group(struct eksauth_plan *plan,
                                                 const char name[EKSAUTH_NAME_MAX + 1])
{
    struct eksauth_plan_group *g;

    if (!eksauth_array_reserve((void **)&plan->groups, &plan->cap_groups, plan->n_groups, 1,
                               sizeof(*g)))
        return NULL;
    g = &plan->groups[plan->n_groups];
    memset(g, 0, sizeof(*g));
    memcpy(g->name, name, sizeof(g->name));
    return g;
}

/*
 * The k8s groups met lately and their plan groups, a few by a hash of the
 * name: most entries repeat a few groups (system:masters, a team's), and
 * each would otherwise have its POSIX name made and looked up again.
 */
#define GROUP_MEMO 16

struct group_memo {
    const char *k8s[GROUP_MEMO]; /* a k8s group met (its plan group's, or group_map's), or NULL */
    size_t index[GROUP_MEMO];
};

static size_t group_memo_slot(const char *k8s_group)
{
    size_t h = 0;

    for (; *k8s_group != '\0'; k8s_group++)
        h = h * 31 + (unsigned char)*k8s_group;
    return h & (GROUP_MEMO - 1);
}

/*
 * Add k8s_group to the plan (once) and return its index, or -1 when the
 * group is refused (a warning says why) or has a template (rendered at login).
 */
static enum eksauth_status plan_add_group(struct eksauth_plan *plan, struct eksauth_strmap *gix,
                                          struct group_memo *memo, const struct eksauth_config *cfg,
                                          const struct eksauth_host *host, const char *k8s_group,
                                          ssize_t *index, struct eksauth_error *err)
{
    struct eksauth_plan_group *g;
    char name[EKSAUTH_NAME_MAX + 1];
    const char *mapped;
    struct eksauth_error nerr;
    uint32_t local_gid = 0;
    bool local = false;
    size_t known, slot;

    *index = -1;
    if (eksauth_template_has_placeholder(k8s_group))
        return EKSAUTH_OK;
    /* Met before: what the lookup below would find (one POSIX name, this k8s group). */
    slot = group_memo_slot(k8s_group);
    if (memo->k8s[slot] != NULL && strcmp(memo->k8s[slot], k8s_group) == 0) {
        known = memo->index[slot];
        *index = plan->groups[known].gid == UINT32_MAX ? -1 : (ssize_t)known;
        return EKSAUTH_OK;
    }
    mapped = eksauth_config_map_find(cfg->group_map, cfg->n_group_map, k8s_group);
    if (mapped != NULL) {
        /* group_map is the one way a k8s group may land on a local group. */
        snprintf(name, sizeof(name), "%s", mapped);
        local = host != NULL && host->local_group != NULL &&
                host->local_group(host->ctx, name, &local_gid);
    } else if (eksauth_names_group(k8s_group, cfg->group_prefix, name, &nerr) != EKSAUTH_OK) {
        return add_warning(plan, err, "k8s group '%s' has no POSIX name: %s; not served", k8s_group,
                           nerr.msg);
    }
    /*
     * Before the plan's groups are asked: a name that meets a group_map
     * target there must be refused for itself, never take that target
     * from the k8s groups mapped to it (in whichever order they come).
     */
    if (mapped == NULL && host != NULL && host->local_group != NULL &&
        host->local_group(host->ctx, name, &local_gid))
        /* A local group is the host's; joining it needs an explicit group_map. */
        return add_warning(plan, err,
                           "POSIX group '%s' (k8s group '%s') is a local group; not served "
                           "(map it on purpose with group_map)",
                           name, k8s_group);
    if (mapped != NULL && !local)
        return add_warning(plan, err, "group_map names '%s' for '%s', which is not a local group",
                           name, k8s_group);
    known = eksauth_strmap_get(gix, name);
    if (known != EKSAUTH_STRMAP_NONE) {
        g = &plan->groups[known];
        /*
         * group_map may send several k8s groups to one local group on
         * purpose (eksauth_iddb_same_group, as a login records it): the
         * host's group, joined, never two of eksauth's merged.
         */
        if (local && g->local && g->gid != UINT32_MAX) {
            *index = (ssize_t)known;
            memo->k8s[slot] = plan_strdup(plan, k8s_group);
            memo->index[slot] = known;
            return memo->k8s[slot] != NULL
                       ? EKSAUTH_OK
                       : eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        }
        if (g->k8s_group != NULL && strcmp(g->k8s_group, k8s_group) != 0) {
            /* One POSIX name, one k8s name: never merge two groups by accident. */
            if (g->gid != UINT32_MAX) {
                g->gid = UINT32_MAX;
                if (eksauth_strv_add(&plan->refused_groups, &plan->n_refused_groups, name, NULL) !=
                    EKSAUTH_OK)
                    return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
                return add_warning(plan, err,
                                   "k8s groups '%s' and '%s' both become POSIX group '%s'; "
                                   "neither is served",
                                   g->k8s_group, k8s_group, name);
            }
            return EKSAUTH_OK;
        }
        *index = g->gid == UINT32_MAX ? -1 : (ssize_t)known;
        memo->k8s[slot] = g->k8s_group;
        memo->index[slot] = known;
        return EKSAUTH_OK;
    }
    g = plan_new_group(plan, name);
    if (g == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    g->k8s_group = plan_strdup(plan, k8s_group);
    if (g->k8s_group == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    g->local = local;
    g->gid = local ? local_gid : 0;
    *index = (ssize_t)plan->n_groups++;
    memo->k8s[slot] = g->k8s_group;
    memo->index[slot] = (size_t)*index;
    return index_put(gix, g->name, (size_t)*index, err);
}

static bool index_listed(const size_t *idx, size_t n, size_t i)
{
    size_t k;

    for (k = 0; k < n; k++)
        if (idx[k] == i)
            return true;
    return false;
}

/* The name of the group every login is in; false when the prefix leaves no room for it. */
static bool users_group_name(const struct eksauth_config *cfg, char name[EKSAUTH_NAME_MAX + 1])
{
    if (cfg->users_group != NULL)
        return snprintf(name, EKSAUTH_NAME_MAX + 1, "%s", cfg->users_group) <= EKSAUTH_NAME_MAX;
    return snprintf(name, EKSAUTH_NAME_MAX + 1, "%susers",
                    cfg->group_prefix != NULL ? cfg->group_prefix : "") <= EKSAUTH_NAME_MAX;
}

/*
 * Whether login (at most EKSAUTH_NAME_MAX bytes) is users_group_name's
 * name, without building it: asked of every entry.  A name too long to be
 * one is equal to no login, as users_group_name's false leaves it.
 */
static bool is_users_group(const struct eksauth_config *cfg, const char *login)
{
    const char *prefix = cfg->group_prefix != NULL ? cfg->group_prefix : "";
    size_t n = strlen(prefix);

    if (cfg->users_group != NULL)
        return strcmp(login, cfg->users_group) == 0;
    return strncmp(login, prefix, n) == 0 && strcmp(login + n, "users") == 0;
}

/*
 * The group every login is in, so sshd_config can gate them all with one
 * "Match Group".  It is eksauth's own: a k8s group that would take its name
 * is refused (a cluster group must never stand for "every login"), and a
 * local group of that name keeps it from being served at all.
 */
static enum eksauth_status plan_add_users_group(struct eksauth_plan *plan,
                                                struct eksauth_strmap *gix,
                                                const struct eksauth_config *cfg,
                                                const struct eksauth_host *host,
                                                struct eksauth_error *err)
{
    struct eksauth_plan_group *g;
    char name[EKSAUTH_NAME_MAX + 1];
    uint32_t local_gid;
    size_t i, idx;
    enum eksauth_status st;

    if (!users_group_name(cfg, name))
        return EKSAUTH_OK;
    if (host != NULL && host->local_group != NULL && host->local_group(host->ctx, name, &local_gid))
        return add_warning(plan, err,
                           "the group of every login, '%s', is a local group; not served (set "
                           "users_group)",
                           name);
    idx = eksauth_strmap_get(gix, name);
    if (idx != EKSAUTH_STRMAP_NONE && plan->groups[idx].gid != UINT32_MAX) {
        st = add_warning(plan, err,
                         "k8s group '%s' would be POSIX group '%s', the group of every login; "
                         "not served",
                         plan->groups[idx].k8s_group, name);
        plan->groups[idx].gid = UINT32_MAX;
        if (st != EKSAUTH_OK)
            return st;
    }
    g = plan_new_group(plan, name);
    if (g == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    idx = plan->n_groups++;
    st = eksauth_strmap_put(gix, name, idx, NULL, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Each user's group_idx has room for this one more (plan_add_entry). */
    for (i = 0; i < plan->n_users; i++)
        plan->users[i].group_idx[plan->users[i].n_groups++] = idx;
    memcpy(plan->users_group, name, sizeof(plan->users_group));
    return EKSAUTH_OK;
}

/* Keep only the groups both lists hold (a user mapped by several entries). */
static void intersect_groups(struct eksauth_plan_user *u, const size_t *idx, size_t n)
{
    size_t i, j, kept = 0;

    for (i = 0; i < u->n_groups; i++) {
        for (j = 0; j < n; j++) {
            if (u->group_idx[i] == idx[j]) {
                u->group_idx[kept++] = u->group_idx[i];
                break;
            }
        }
    }
    u->n_groups = kept;
}

const char *eksauth_plan_template_unservable(const struct eksauth_config *cfg, const char *tmpl)
{
    if (eksauth_template_validate(tmpl, EKSAUTH_TEMPLATE_USERNAME, NULL) != EKSAUTH_OK)
        return "it is not a valid username template";
    /* Refused at login anyway: NSS must not answer for them either. */
    if (strstr(tmpl, "{{AccessKeyID}}") != NULL)
        return "{{AccessKeyID}} changes every session, so it never names a login";
    /* Usernames k8s keeps for itself: nodes and controllers, never people. */
    if (!cfg->allow_system_users && strncmp(tmpl, SYSTEM_PREFIX, strlen(SYSTEM_PREFIX)) == 0)
        return "system: usernames are refused as logins here (allow_system_users)";
    /* It would fit almost any name, and NSS would answer for names useradd wants. */
    if (eksauth_login_template_bare(tmpl))
        return "its login has no fixed text before the first placeholder, so it would fit almost "
               "any name; give it a prefix, e.g. 'sso:{{SessionName}}'";
    return NULL;
}

static const char *template_at(const void *plan, size_t i)
{
    return ((const struct eksauth_plan *)plan)->templates[i];
}

/* tmpl once, in aws-auth's order; tix (over plan->templates) finds it again. */
static enum eksauth_status plan_add_template(struct eksauth_plan *plan, struct eksauth_strmap *tix,
                                             const char *tmpl, struct eksauth_error *err)
{
    if (eksauth_strmap_get(tix, tmpl) != EKSAUTH_STRMAP_NONE)
        return EKSAUTH_OK;
    if (eksauth_strv_add(&plan->templates, &plan->n_templates, tmpl, NULL) != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    return index_put(tix, tmpl, plan->n_templates - 1, err);
}

static enum eksauth_status plan_add_entry(struct eksauth_plan *plan, struct eksauth_strmap *uix,
                                          struct eksauth_strmap *gix, struct eksauth_strmap *tix,
                                          struct group_memo *memo, const struct eksauth_config *cfg,
                                          const struct eksauth_host *host,
                                          const struct eksauth_awsauth_entry *e,
                                          struct eksauth_error *err)
{
    char login[EKSAUTH_NAME_MAX + 1];
    struct eksauth_plan_user *u;
    struct eksauth_error lerr;
    size_t *idx = NULL, n_idx = 0, k, known;
    ssize_t gi;
    enum eksauth_status st = EKSAUTH_OK;

    /* mapAccounts yields one user per principal: nothing to list ahead. */
    if (e->source == EKSAUTH_SRC_MAPACCOUNTS)
        goto out;
    /* One slot more than the entry's groups: the group of every login joins later. */
    idx = eksauth_arena_alloc(&plan->strs, (e->n_groups + 1) * sizeof(*idx));
    if (idx == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    for (k = 0; k < e->n_groups; k++) {
        st = plan_add_group(plan, gix, memo, cfg, host, e->groups[k], &gi, err);
        if (st != EKSAUTH_OK)
            goto out;
        /* Once each: only a local group can come twice (group_map joins k8s groups to it). */
        if (gi >= 0 && !(plan->groups[gi].local && index_listed(idx, n_idx, (size_t)gi)))
            idx[n_idx++] = (size_t)gi;
    }
    if (eksauth_template_has_placeholder(e->username)) {
        const char *why = eksauth_plan_template_unservable(cfg, e->username);

        /* Named with its entry: the cluster's administrator fixes the entry. */
        st = why != NULL
                 ? add_warning(plan, err,
                               "%s (%s line %u): template '%s' is not served: %s; skipped", e->arn,
                               eksauth_map_source_name(e->source), e->line, e->username, why)
                 : plan_add_template(plan, tix, e->username, err);
        goto out;
    }
    if (eksauth_plan_login_for(cfg, host, e->username, login, &lerr) != EKSAUTH_OK) {
        st = add_warning(plan, err, "%s (%s line %u): %s; not served", e->arn,
                         eksauth_map_source_name(e->source), e->line, lerr.msg);
        goto out;
    }
    /*
     * The group of every login outranks a login of its name: the other way,
     * one entry ("EKS:Users") would leave every user without a primary group
     * on every host.  A template cannot render the name either (a login
     * named like a mapped group is refused: lib/resolve.c, lib/iddb_template.c).
     */
    if (is_users_group(cfg, login)) {
        st = add_warning(plan, err,
                         "%s (%s line %u): k8s user '%s' would be login '%s', the group of every "
                         "login; not served",
                         e->arn, eksauth_map_source_name(e->source), e->line, e->username, login);
        goto out;
    }
    known = eksauth_strmap_get(uix, login);
    if (known != EKSAUTH_STRMAP_NONE) {
        u = &plan->users[known];
        if (strcmp(u->k8s_username, e->username) != 0) {
            /* Two k8s users on one login would share a home and a uid: refuse both. */
            if (u->uid != UINT32_MAX) {
                u->uid = UINT32_MAX;
                st = add_warning(plan, err,
                                 "k8s usernames '%s' (%s) and '%s' (%s, %s line %u) both become "
                                 "login '%s'; neither is served",
                                 u->k8s_username, u->arn, e->username, e->arn,
                                 eksauth_map_source_name(e->source), e->line, login);
                if (st == EKSAUTH_OK)
                    st = add_refused(plan, login, err);
            }
            goto out;
        }
        /* The same user from several entries: before a login says which, only the
         * groups every entry gives (fail closed). */
        if (u->uid != UINT32_MAX)
            intersect_groups(u, idx, n_idx);
        goto out;
    }
    if (!eksauth_array_reserve((void **)&plan->users, &plan->cap_users, plan->n_users, 1,
                               sizeof(*u))) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    u = &plan->users[plan->n_users];
    memset(u, 0, sizeof(*u));
    memcpy(u->login, login, sizeof(u->login));
    u->k8s_username = plan_strdup(plan, e->username);
    u->arn = plan_strdup(plan, e->arn);
    plan->n_users++;
    st = index_put(uix, u->login, plan->n_users - 1, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (u->k8s_username == NULL || u->arn == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    u->group_idx = idx;
    u->n_groups = n_idx;
out:
    return st;
}

/* Drop refused users and groups (marked with id UINT32_MAX) and fix the indexes. */
static void plan_compact(struct eksauth_plan *plan)
{
    size_t *remap, i, j, n = 0;

    remap = calloc(plan->n_groups + 1, sizeof(*remap));
    for (i = 0; i < plan->n_groups; i++) {
        if (plan->groups[i].gid == UINT32_MAX) {
            if (remap != NULL)
                remap[i] = SIZE_MAX;
            continue;
        }
        if (remap != NULL)
            remap[i] = n;
        plan->groups[n++] = plan->groups[i];
    }
    plan->n_groups = n;
    n = 0;
    for (i = 0; i < plan->n_users; i++) {
        struct eksauth_plan_user *u = &plan->users[i];
        size_t kept = 0;

        if (u->uid == UINT32_MAX)
            continue;
        for (j = 0; j < u->n_groups && remap != NULL; j++) {
            if (remap[u->group_idx[j]] != SIZE_MAX)
                u->group_idx[kept++] = remap[u->group_idx[j]];
        }
        u->n_groups = kept;
        plan->users[n++] = *u;
    }
    plan->n_users = n;
    free(remap);
}

/* True when the host's own files hold id as a uid or gid: eksauth never hands it out. */
static bool local_id(const struct eksauth_host *host, uint32_t id)
{
    return host != NULL && host->local_id != NULL && host->local_id(host->ctx, id);
}

bool eksauth_plan_id_taken(const struct eksauth_plan *plan, const struct eksauth_host *host,
                           uint32_t id)
{
    return id_used(plan->used_ids, plan->n_used_ids, id) || local_id(host, id);
}

/* Whether name is one of the n strings of v. */
static bool name_among(char *const *v, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(v[i], name) == 0)
            return true;
    }
    return false;
}

bool eksauth_plan_refuses(const struct eksauth_plan *plan, const char *login)
{
    return name_among(plan->refused, plan->n_refused, login);
}

bool eksauth_plan_refuses_group(const struct eksauth_plan *plan, const char *name)
{
    return name_among(plan->refused_groups, plan->n_refused_groups, name);
}

/*
 * Assign ids (the plan sorted): recorded ones first, then new names in byte order, probing
 * past every id taken (by the plan, its seeds, tombstones among them, or a
 * local account or group).
 */
static enum eksauth_status plan_assign_ids(struct eksauth_plan *plan,
                                           const struct eksauth_host *host,
                                           struct eksauth_error *err)
{
    struct pending *todo = NULL;
    uint32_t *fresh = NULL; /* ids given in this loop: open addressing, 0 is empty */
    size_t n_todo = 0, n_sorted, i, j, cap, fresh_mask = 0;
    enum eksauth_status st = EKSAUTH_OK;

    cap = plan->n_users + plan->n_groups + plan->n_seeds;
    plan->used_ids = calloc(cap + 1, sizeof(*plan->used_ids));
    todo = calloc(plan->n_users + plan->n_groups + 1, sizeof(*todo));
    /* At most half full, so a probe for an absent id ends soon. */
    for (fresh_mask = 15; fresh_mask < 2 * (plan->n_users + plan->n_groups);
         fresh_mask = fresh_mask * 2 + 1)
        ;
    fresh = calloc(fresh_mask + 1, sizeof(*fresh));
    if (plan->used_ids == NULL || todo == NULL || fresh == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    for (i = 0; i < plan->n_seeds; i++)
        plan->used_ids[plan->n_used_ids++] = plan->seeds[i].id;
    for (i = 0; i < plan->n_groups; i++)
        if (plan->groups[i].local)
            plan->used_ids[plan->n_used_ids++] = plan->groups[i].gid;
    /*
     * Users and groups are each sorted by name (plan_sort): merged, the
     * names come in byte order, a user before a group of the same name.
     */
    for (i = 0, j = 0; i < plan->n_users || j < plan->n_groups;) {
        if (j < plan->n_groups && plan->groups[j].local) {
            j++;
        } else if (j == plan->n_groups ||
                   (i < plan->n_users && strcmp(plan->users[i].login, plan->groups[j].name) <= 0)) {
            todo[n_todo] = (struct pending){plan->users[i].login, false, i};
            n_todo++, i++;
        } else {
            todo[n_todo] = (struct pending){plan->groups[j].name, true, j};
            n_todo++, j++;
        }
    }
    sort_ids(plan->used_ids, plan->n_used_ids);
    n_sorted = plan->n_used_ids;
    /*
     * Ids given here go to the end of used_ids and into the small hash set
     * fresh (the sorted part is searched by bsearch); one sort at the end.
     * Keeping the array sorted by shifting on every insert was O(n^2).
     */
    for (i = 0; i < n_todo; i++) {
        const struct eksauth_id_seed *seed =
            eksauth_plan_find_seed(plan, todo[i].name, todo[i].is_group);
        uint32_t id = 0;
        unsigned probe;
        size_t slot = 0;

        if (seed != NULL) {
            id = seed->id;
            /*
             * Kept, as a static name's and a group's recorded id is (files
             * on the host are its owner's); but a local account, group or
             * block that took it since reaches the same files, and only the
             * administrator can part them: said at every sync until then.
             */
            if (local_id(host, id) &&
                (st = add_warning(plan, err,
                                  "'%s' keeps its recorded id %u, which a local account, group "
                                  "or subordinate id block of this host has too: the two share "
                                  "the files that id owns; give the local account or group "
                                  "another id, or move the block (/etc/subuid, /etc/subgid)",
                                  todo[i].name, id)) != EKSAUTH_OK)
                goto out;
        } else {
            for (probe = 0; probe < EKSAUTH_ID_MAX_PROBES; probe++) {
                id = eksauth_names_id(plan->keyed ? &plan->key : NULL, todo[i].name, probe,
                                      plan->id_min, plan->id_max);
                if (id_used(plan->used_ids, n_sorted, id) || local_id(host, id))
                    continue;
                /* Multiplicative hash of the id; linear probing to its slot or an empty one. */
                for (slot = (id * 2654435761u) & fresh_mask; fresh[slot] != 0 && fresh[slot] != id;
                     slot = (slot + 1) & fresh_mask)
                    ;
                if (fresh[slot] == 0)
                    break;
            }
            if (probe == EKSAUTH_ID_MAX_PROBES || id == 0) {
                st = add_warning(plan, err, "no free id for '%s'; not served", todo[i].name);
                if (st != EKSAUTH_OK)
                    goto out;
                id = UINT32_MAX;
            } else {
                fresh[slot] = id;
                plan->used_ids[plan->n_used_ids++] = id;
            }
        }
        if (todo[i].is_group)
            plan->groups[todo[i].index].gid = id;
        else
            plan->users[todo[i].index].uid = id;
    }
    if (plan->n_used_ids > n_sorted)
        sort_ids(plan->used_ids, plan->n_used_ids);
out:
    free(fresh);
    free(todo);
    return st;
}

/*
 * A name as a sort key: its bytes, zeros after them.  Names hold no NUL,
 * so comparing keys byte by byte (unsigned) is strcmp's order.
 */
struct name_key {
    unsigned char k[EKSAUTH_NAME_MAX];
    uint32_t at; /* where the name is in the array sorted */
};

/* Below this many keys a bucket is sorted by insertion. */
#define NAME_SORT_SMALL 24

/*
 * Sort a[0..n), equal in their first depth bytes, into order: a stable
 * MSD radix sort, a byte a level (tmp: n keys of room).  Every plan is
 * sorted twice, users and groups, and qsort's strcmp on names such as
 * "user-12345", alike in their first bytes, was most of the plan's sort.
 */
static void name_sort(struct name_key *a, struct name_key *tmp, size_t n, size_t depth)
{
    uint32_t count[256], at[256];
    struct name_key key;
    size_t i, j, c, sum;

    /* Past the key's last byte every key is equal; a short run is sorted in place. */
    while (n > 1 && depth < EKSAUTH_NAME_MAX && n >= NAME_SORT_SMALL) {
        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[a[i].k[depth]]++;
        /* One byte for all (a common prefix): nothing to move, on to the next byte. */
        if (count[a[0].k[depth]] == n) {
            depth++;
            continue;
        }
        for (c = 0, sum = 0; c < 256; c++) {
            at[c] = (uint32_t)sum;
            sum += count[c];
        }
        for (i = 0; i < n; i++)
            tmp[at[a[i].k[depth]]++] = a[i];
        memcpy(a, tmp, n * sizeof(*a));
        /* Bucket 0 holds names that ended: equal from here on, and already in order. */
        for (c = 1, i = count[0]; c < 256; i += count[c], c++) {
            if (count[c] > 1)
                name_sort(a + i, tmp, count[c], depth + 1);
        }
        return;
    }
    if (n < 2 || depth >= EKSAUTH_NAME_MAX)
        return;
    for (i = 1; i < n; i++) {
        key = a[i];
        for (j = i;
             j > 0 && memcmp(a[j - 1].k + depth, key.k + depth, EKSAUTH_NAME_MAX - depth) > 0; j--)
            a[j] = a[j - 1];
        a[j] = key;
    }
}

/*
 * order[i] = the index of the i-th of n names in byte order, the name of
 * index j at base + j * stride (plan users and groups begin with theirs:
 * the static_assert above); equal names keep their order.  False when out
 * of memory.
 */
static bool sort_names(const char *base, size_t stride, size_t n, uint32_t *order)
{
    struct name_key *keys = malloc((n + 1) * sizeof(*keys)), *tmp = malloc((n + 1) * sizeof(*tmp));
    size_t i, len;
    bool ok = keys != NULL && tmp != NULL;

    for (i = 0; i < n && ok; i++) {
        len = strnlen(base + i * stride, EKSAUTH_NAME_MAX);
        memcpy(keys[i].k, base + i * stride, len);
        memset(keys[i].k + len, 0, EKSAUTH_NAME_MAX - len);
        keys[i].at = (uint32_t)i;
    }
    if (ok)
        name_sort(keys, tmp, n, 0);
    for (i = 0; i < n && ok; i++)
        order[i] = keys[i].at;
    free(keys);
    free(tmp);
    return ok;
}

/* Sort users and groups by name (lookups bsearch them) and fix the group indexes. */
static enum eksauth_status plan_sort(struct eksauth_plan *plan, struct eksauth_error *err)
{
    size_t n_max = plan->n_groups > plan->n_users ? plan->n_groups : plan->n_users;
    uint32_t *order = calloc(n_max + 1, sizeof(*order));
    /* Each written whole before it is read: no zeroing. */
    struct eksauth_plan_group *sorted = malloc((plan->n_groups + 1) * sizeof(*sorted));
    struct eksauth_plan_user *users = malloc((plan->n_users + 1) * sizeof(*users));
    size_t *remap = calloc(plan->n_groups + 1, sizeof(*remap));
    enum eksauth_status st = EKSAUTH_OK;
    size_t i, j;

    if (order == NULL || sorted == NULL || users == NULL || remap == NULL ||
        !sort_names((const char *)plan->groups, sizeof(*plan->groups), plan->n_groups, order)) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    for (i = 0; i < plan->n_groups; i++) {
        sorted[i] = plan->groups[order[i]];
        remap[order[i]] = i;
    }
    if (plan->n_groups > 0)
        memcpy(plan->groups, sorted, plan->n_groups * sizeof(*sorted));
    for (i = 0; i < plan->n_users; i++)
        for (j = 0; j < plan->users[i].n_groups; j++)
            plan->users[i].group_idx[j] = remap[plan->users[i].group_idx[j]];
    if (!sort_names((const char *)plan->users, sizeof(*plan->users), plan->n_users, order)) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        goto out;
    }
    for (i = 0; i < plan->n_users; i++)
        users[i] = plan->users[order[i]];
    if (plan->n_users > 0)
        memcpy(plan->users, users, plan->n_users * sizeof(*users));
out:
    free(order);
    free(sorted);
    free(users);
    free(remap);
    return st;
}

/*
 * The served templates as a login renders them on this host, for the
 * check of static users: {{EC2PrivateDNSName}} bound to the host's name
 * (a login renders no other: lib/template.c), or kept when that is
 * unknown (eksauth_login_template_may_fit takes it for any DNS name: fail
 * closed).  A template bound to no placeholder at all is one login: its
 * user, taken by it, is marked in fixed; the others are v, with at their
 * index in plan->templates.  v is NULL when no template was bound: the
 * plan's own templates then serve as they are.
 */
struct on_host {
    char **v;
    size_t *at, n;
    size_t *fixed; /* by plan user: the lowest bound template of one login that takes it */
};

static void on_host_free(struct on_host *h)
{
    eksauth_strv_free(h->v, h->n);
    free(h->at);
    free(h->fixed);
}

/* tmpl, plan->templates[i] bound to dns_name, into h; ENOMEM only. */
static enum eksauth_status on_host_add(struct eksauth_plan *plan, const struct eksauth_config *cfg,
                                       const struct eksauth_host *host,
                                       const struct eksauth_strmap *uix, const char *tmpl, size_t i,
                                       struct on_host *h, struct eksauth_error *err)
{
    char login[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error lerr;
    size_t u;

    if (eksauth_template_has_placeholder(tmpl)) {
        if (eksauth_strv_add(&h->v, &h->n, tmpl, NULL) != EKSAUTH_OK)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
        h->at[h->n - 1] = i;
        return EKSAUTH_OK;
    }
    /* One login, as a login through it would get it (user_map included), or none. */
    if (eksauth_plan_login_for(cfg, host, tmpl, login, &lerr) != EKSAUTH_OK)
        return EKSAUTH_OK;
    u = eksauth_strmap_get(uix, login);
    if (u != EKSAUTH_STRMAP_NONE && h->fixed[u] == SIZE_MAX &&
        strcmp(plan->users[u].k8s_username, tmpl) != 0)
        h->fixed[u] = i;
    return EKSAUTH_OK;
}

static enum eksauth_status on_host_build(struct eksauth_plan *plan,
                                         const struct eksauth_config *cfg,
                                         const struct eksauth_host *host,
                                         const struct eksauth_strmap *uix, struct on_host *h,
                                         struct eksauth_error *err)
{
    const char *dns = host != NULL ? host->private_dns_name : NULL;
    char bound[EKSAUTH_TEMPLATE_BOUND_MAX];
    struct eksauth_error berr;
    enum eksauth_status st = EKSAUTH_OK;
    size_t i, k;
    bool any = false;

    memset(h, 0, sizeof(*h));
    for (i = 0; i < plan->n_templates && dns != NULL && !any; i++)
        any = eksauth_template_needs_host_instance(plan->templates[i]);
    if (!any)
        return EKSAUTH_OK;
    h->at = calloc(plan->n_templates + 1, sizeof(*h->at));
    h->fixed = calloc(plan->n_users + 1, sizeof(*h->fixed));
    if (h->at == NULL || h->fixed == NULL)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    for (k = 0; k < plan->n_users && st == EKSAUTH_OK; k++)
        h->fixed[k] = SIZE_MAX;
    for (i = 0; i < plan->n_templates && st == EKSAUTH_OK; i++) {
        const char *tmpl = plan->templates[i];

        /* Too long to bind: the sync does not serve it (lib/sync.c); kept, it is a wildcard. */
        if (eksauth_template_needs_host_instance(tmpl) &&
            eksauth_template_bind_host(tmpl, dns, bound, sizeof(bound), &berr) == EKSAUTH_OK)
            tmpl = bound;
        st = on_host_add(plan, cfg, host, uix, tmpl, i, h, err);
    }
    return st;
}

/*
 * Templates that may give one login to two people (docs/names-and-ids.md,
 * "One login, one person"): a served template whose logins can overlap
 * another's is reported with one of them (a login both can give, by the
 * login or by its k8s username when rule 3 cut it, is then served to
 * nobody: lib/resolve.c, lib/iddb_template.c); a static user
 * whose login a template also fits as it renders on this host (on_host),
 * with a Kubernetes username that template never renders, is not served,
 * and its login is refused to the template too, whoever would come first.
 * One warning at most a template: 7,000 templates that all overlap made
 * 24 million.  lib/template_rivals.c finds both without asking every pair.
 */
static enum eksauth_status plan_check_templates(struct eksauth_plan *plan,
                                                const struct eksauth_config *cfg,
                                                const struct eksauth_host *host,
                                                const struct eksauth_strmap *uix,
                                                struct eksauth_error *err)
{
    struct eksauth_template_rivals *r, *takers = NULL;
    struct on_host h = {0};
    size_t i, j, t;
    enum eksauth_status st =
        eksauth_template_rivals_build(plan->templates, plan->n_templates, &r, err);

    for (i = 0; i < plan->n_templates && st == EKSAUTH_OK; i++) {
        j = eksauth_template_rivals_partner(r, i);
        /* Each pair said once, the earlier of aws-auth first. */
        if (j == SIZE_MAX || (j < i && eksauth_template_rivals_partner(r, j) == i))
            continue;
        st = add_warning(plan, err,
                         "templates '%s' and '%s' can give the same login: a login both "
                         "can give is served to nobody; give one of them another prefix",
                         plan->templates[i < j ? i : j], plan->templates[i < j ? j : i]);
    }
    if (st == EKSAUTH_OK)
        st = on_host_build(plan, cfg, host, uix, &h, err);
    if (st == EKSAUTH_OK && h.at != NULL)
        st = eksauth_template_rivals_build(h.v, h.n, &takers, err);
    /* No template, no taker (on_host binds only templates): each search would find none. */
    for (i = 0; i < plan->n_users && plan->n_templates > 0 && st == EKSAUTH_OK; i++) {
        struct eksauth_plan_user *u = &plan->users[i];

        if (u->uid == UINT32_MAX)
            continue;
        t = eksauth_template_rivals_taker(takers != NULL ? takers : r, u->login, u->k8s_username);
        if (takers != NULL && t != SIZE_MAX)
            t = h.at[t];
        /* The lowest of either kind is named, as in aws-auth's order. */
        if (h.fixed != NULL && h.fixed[i] < t)
            t = h.fixed[i];
        if (t == SIZE_MAX)
            continue;
        u->uid = UINT32_MAX;
        st = add_warning(plan, err,
                         "template '%s' and k8s user '%s' (%s) can give the same login '%s'; "
                         "'%s' is not served: give the template or the user another prefix",
                         plan->templates[t], u->k8s_username, u->arn, u->login, u->login);
        if (st == EKSAUTH_OK)
            st = add_refused(plan, u->login, err);
    }
    eksauth_template_rivals_free(takers);
    eksauth_template_rivals_free(r);
    on_host_free(&h);
    return st;
}

enum eksauth_status eksauth_plan_build(const struct eksauth_config *cfg,
                                       const struct eksauth_awsauth *aa,
                                       const struct eksauth_host *host,
                                       const struct eksauth_id_seed *seeds, size_t n_seeds,
                                       struct eksauth_plan *out, struct eksauth_error *err)
{
    size_t i, n = eksauth_awsauth_count(aa);
    struct eksauth_strmap uix = {0}, gix = {0}, tix = {0};
    struct group_memo memo = {{NULL}, {0}};
    enum eksauth_status st = EKSAUTH_OK;

    memset(out, 0, sizeof(*out));
    out->id_min = cfg->uid_min != 0 ? cfg->uid_min : EKSAUTH_ID_MIN;
    out->id_max = cfg->uid_max != 0 ? cfg->uid_max : EKSAUTH_ID_MAX;
    out->keyed = cfg->id_key_set;
    if (out->keyed)
        out->key = cfg->id_key;
    if (n_seeds > 0) {
        out->seeds = calloc(n_seeds, sizeof(*out->seeds));
        if (out->seeds == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
            goto out;
        }
        /*
         * Their names in the plan's arena, not one allocation each: a DB's
         * tombstones are seeds too, up to EKSAUTH_TOMBSTONES_MAX of them.
         */
        for (i = 0; i < n_seeds; i++) {
            out->seeds[i] = seeds[i];
            out->seeds[i].name = plan_strdup(out, seeds[i].name);
            out->n_seeds++;
            if (out->seeds[i].name == NULL) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
                goto out;
            }
        }
        qsort(out->seeds, out->n_seeds, sizeof(*out->seeds), cmp_seed);
    }
    if (eksauth_strmap_init(&uix, n, user_name_at, out, NULL) != EKSAUTH_OK ||
        eksauth_strmap_init(&gix, n * 2, group_name_at, out, NULL) != EKSAUTH_OK ||
        eksauth_strmap_init(&tix, 16, template_at, out, NULL) != EKSAUTH_OK)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity: out of memory");
    for (i = 0; i < n && st == EKSAUTH_OK; i++)
        st = plan_add_entry(out, &uix, &gix, &tix, &memo, cfg, host,
                            eksauth_awsauth_entry_at(aa, i), err);
    if (st != EKSAUTH_OK)
        goto out;
    st = plan_add_users_group(out, &gix, cfg, host, err);
    if (st == EKSAUTH_OK)
        st = plan_check_templates(out, cfg, host, &uix, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* A group may not take the name of a user's private group. */
    for (i = 0; i < out->n_groups; i++) {
        if (out->groups[i].gid != UINT32_MAX && !out->groups[i].local &&
            eksauth_strmap_get(&uix, out->groups[i].name) != EKSAUTH_STRMAP_NONE) {
            out->groups[i].gid = UINT32_MAX;
            st = add_warning(out, err, "POSIX group '%s' is also a login name; not served",
                             out->groups[i].name);
            if (st != EKSAUTH_OK)
                goto out;
        }
    }
    plan_compact(out);
    st = plan_sort(out, err);
    if (st == EKSAUTH_OK)
        st = plan_assign_ids(out, host, err);
    if (st != EKSAUTH_OK)
        goto out;
    plan_compact(out); /* keeps the order */
    if (out->users_group[0] != '\0') {
        const struct eksauth_plan_group *users = eksauth_plan_find_group(out, out->users_group);

        out->users_gid = users != NULL ? users->gid : 0;
    }
out:
    eksauth_strmap_free(&uix);
    eksauth_strmap_free(&gix);
    eksauth_strmap_free(&tix);
    if (st != EKSAUTH_OK)
        eksauth_plan_free(out);
    return st;
}

void eksauth_plan_free(struct eksauth_plan *plan)
{
    if (plan == NULL)
        return;
    eksauth_arena_free(&plan->strs);
    eksauth_strv_free(plan->templates, plan->n_templates);
    eksauth_strv_free(plan->warnings, plan->n_warnings);
    eksauth_strv_free(plan->refused, plan->n_refused);
    eksauth_strv_free(plan->refused_groups, plan->n_refused_groups);
    free(plan->users);
    free(plan->groups);
    free(plan->seeds);
    free(plan->used_ids);
    memset(plan, 0, sizeof(*plan));
}

const struct eksauth_plan_user *eksauth_plan_find_user(const struct eksauth_plan *plan,
                                                       const char *login)
{
    if (plan->n_users == 0)
        return NULL;
    return bsearch(login, plan->users, plan->n_users, sizeof(*plan->users), cmp_name_entry);
}

const struct eksauth_plan_group *eksauth_plan_find_group(const struct eksauth_plan *plan,
                                                         const char *name)
{
    if (plan->n_groups == 0)
        return NULL;
    return bsearch(name, plan->groups, plan->n_groups, sizeof(*plan->groups), cmp_name_entry);
}
