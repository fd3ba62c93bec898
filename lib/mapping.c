/*
 * mapping.c - the mapping a login, a check or a sync decides with (see
 * mapping.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/file.h"
#include "eksauth/imds.h"
#include "eksauth/cluster.h"
#include "eksauth/entry_cache.h"
#include "eksauth/login_index_fit.h"
#include "eksauth/mapping.h"
#include "eksauth/snapshot.h"
#include "eksauth/strlist.h"
#include "eksauth/template.h"
#include "eksauth/trust.h"

enum eksauth_status eksauth_mapping_seeds(const struct eksauth_iddb *db, uint64_t now,
                                          struct eksauth_id_seed **seeds, size_t *n,
                                          struct eksauth_error *err)
{
    uint32_t nu = db != NULL ? eksauth_iddb_user_count(db) : 0;
    uint32_t ng = db != NULL ? eksauth_iddb_group_count(db) : 0, i;
    uint32_t nt = db != NULL ? eksauth_iddb_tombstone_count(db) : 0;
    struct eksauth_id_seed *s;

    *seeds = NULL;
    *n = 0;
    s = calloc((size_t)nu + ng + nt + 1, sizeof(*s));
    if (s == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (i = 0; i < nu; i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        s[*n].name = (char *)u.login; /* points into the mapped DB; plan_build copies */
        s[*n].id = u.uid;
        s[(*n)++].is_group = false;
    }
    for (i = 0; i < ng; i++) {
        struct eksauth_iddb_group g;

        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK ||
            (g.flags & (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0)
            continue;
        s[*n].name = (char *)g.name;
        s[*n].id = g.gid;
        s[(*n)++].is_group = true;
    }
    /*
     * A live tombstone holds its id: as a seed of its removed name, no other
     * name probes onto it, and the name itself gets its id back if it
     * returns.  When the name is in the DB again with an id of its own (the
     * id key changed meanwhile), the id is still held from every new name:
     * else a new name could get it, and the carry (lib/tombstone.c), seeing
     * it used, would drop the tombstone and give that person the removed
     * one's files before id_tombstone_days.
     */
    for (i = 0; i < nt; i++) {
        struct eksauth_iddb_tombstone t;
        struct eksauth_iddb_user u;
        struct eksauth_iddb_group g;

        if (eksauth_iddb_tombstone_at(db, i, &t) != EKSAUTH_OK || t.until <= now)
            continue;
        s[*n].name = (char *)t.name;
        s[*n].id = t.id;
        s[*n].is_group = t.is_group;
        s[(*n)++].held =
            (t.is_group ? eksauth_iddb_group_by_name(db, t.name, &g)
                        : eksauth_iddb_user_by_name(db, t.name, &u)) != EKSAUTH_ENOTFOUND;
    }
    *seeds = s;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_mapping_read(struct eksauth_ctx *ctx, const char *path, char **data,
                                         size_t *len, char label[EKSAUTH_PATH_MAX + 64],
                                         struct eksauth_error *err)
{
    enum eksauth_status st;
    uid_t owner = 0;

    *data = NULL;
    *len = 0;
    if (path == NULL)
        path = ctx->cfg.aws_auth_file;
    if (path == NULL && ctx->cfg.source != EKSAUTH_SOURCE_FILE)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "source = %s: the aws-auth is the cluster's (eksauth sync reads it); "
                            "give --aws-auth FILE to use a file",
                            eksauth_source_name(ctx->cfg.source));
    if (path == NULL && !ctx->config_read)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s does not exist: write it first (cluster_id = the cluster's name, "
                            "aws_auth_file = the aws-auth ConfigMap's copy; eksauth.conf(5)), or "
                            "give --aws-auth FILE",
                            ctx->paths.config);
    if (path == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "no aws-auth to map with: set aws_auth_file (or source = kubernetes) "
                            "in %s, or give --aws-auth FILE",
                            ctx->paths.config);
    snprintf(label, EKSAUTH_PATH_MAX + 64, "%s", path);
    /* Whoever can write aws-auth chooses logins and groups: as root, root's alone. */
    st = eksauth_file_read(path, EKSAUTH_AWSAUTH_MAX, ctx->trust_files, data, len, err);
    if (st == EKSAUTH_ENOTFOUND && path == ctx->cfg.aws_auth_file)
        eksauth_fail(err, st,
                     "%s (aws_auth_file in %s) does not exist: write the ConfigMap there "
                     "(kubectl get configmap aws-auth -n kube-system -o yaml), or set "
                     "source = kubernetes to read it from the cluster",
                     path, ctx->paths.config);
    else if (st == EKSAUTH_ENOTFOUND)
        eksauth_fail(err, st, "--aws-auth %s: no such file", path);
    /*
     * Kept out of root's file as another user: the one fix (lib/config.c says
     * it of the config).  Another user's gets none: as root it is refused too.
     */
    if (st == EKSAUTH_EIO && eksauth_file_closed_by(path, &owner) == EKSAUTH_CLOSED_BY_FILE &&
        owner == 0)
        eksauth_error_append(err, "; it is root's: run this as root (sudo eksauth ...)");
    return st;
}

enum eksauth_status eksauth_mapping_parse(const char *label, const char *data, size_t len,
                                          struct eksauth_mapping *m, struct eksauth_error *err)
{
    enum eksauth_status st;

    memset(m, 0, sizeof(*m));
    snprintf(m->source, sizeof(m->source), "%s", label);
    st = eksauth_awsauth_parse(data, len, &m->aa, err);
    if (st != EKSAUTH_OK) {
        m->aa = NULL;
        eksauth_error_prefix(err, "%s", label);
    }
    return st;
}

void eksauth_mapping_instance_line(struct eksauth_ctx *ctx, char out[EKSAUTH_SNAPSHOT_HOST_MAX])
{
    struct eksauth_error e;

    if (eksauth_imds_host_instance(ctx->cfg.imds_endpoint, &ctx->instance, &e) == EKSAUTH_OK)
        snprintf(out, EKSAUTH_SNAPSHOT_HOST_MAX, "%s %s", ctx->instance.instance_id,
                 ctx->instance.private_dns_name);
    else
        snprintf(out, EKSAUTH_SNAPSHOT_HOST_MAX, "%s", EKSAUTH_SNAPSHOT_HOST_UNKNOWN);
}

/* Whether a template hosts serve (identity.h) holds {{EC2PrivateDNSName}}. */
static bool serves_host_template(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa)
{
    size_t i, n = eksauth_awsauth_count(aa);

    for (i = 0; i < n; i++) {
        const struct eksauth_awsauth_entry *e = eksauth_awsauth_entry_at(aa, i);

        if (e->source != EKSAUTH_SRC_MAPACCOUNTS &&
            eksauth_template_needs_host_instance(e->username) &&
            eksauth_plan_template_unservable(cfg, e->username) == NULL)
            return true;
    }
    return false;
}

void eksauth_mapping_plan_instance(struct eksauth_ctx *ctx, struct eksauth_mapping *m)
{
    if (serves_host_template(&ctx->cfg, m->aa))
        eksauth_mapping_instance_line(ctx, m->host);
    m->host_given = true;
}

/*
 * The name in host, "<instance id> <private DNS name>" as the state keeps
 * it, or NULL (any name: identity.h) when host is
 * EKSAUTH_SNAPSHOT_HOST_UNKNOWN, "" or does not read so: a damaged state
 * binds no name a login never renders (lib/template.c renders only a
 * valid one).
 */
static const char *host_dns_name(const char *host)
{
    char id[EKSAUTH_SNAPSHOT_HOST_MAX];
    const char *name = strchr(host, ' ');

    if (name == NULL || !eksauth_template_dns_name_valid(name + 1))
        return NULL;
    snprintf(id, sizeof(id), "%.*s", (int)(name - host), host);
    return eksauth_template_instance_id_valid(id) ? name + 1 : NULL;
}

enum eksauth_status eksauth_mapping_plan(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                         struct eksauth_mapping *m, struct eksauth_error *err)
{
    const struct eksauth_host *local = NULL;
    struct eksauth_snapshot_state state;
    struct eksauth_host host;
    struct eksauth_id_seed *seeds = NULL;
    size_t n_seeds = 0;
    enum eksauth_status st;

    st = eksauth_ctx_local_names(ctx, &local, err);
    /* The fleet's id key, so ids here are those of every host with the same key. */
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_id_key(ctx, err);
    if (st == EKSAUTH_OK)
        st = eksauth_mapping_seeds(db, (uint64_t)time(NULL), &seeds, &n_seeds, err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * Neither the sync's nor a snapshot's: the instance the last sync bound.
     * Never instance metadata: a login whose entry does not need it never
     * waits for it.
     */
    if (!m->host_given && serves_host_template(&ctx->cfg, m->aa)) {
        eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, &state);
        snprintf(m->host, sizeof(m->host), "%s", state.host);
    }
    host = *local;
    host.private_dns_name = host_dns_name(m->host);
    st = eksauth_plan_build(&ctx->cfg, m->aa, &host, seeds, n_seeds, &m->plan, err);
    /* Not root: the ids shown for names not yet recorded are not this host's. */
    if (st == EKSAUTH_OK && ctx->id_key_unreadable)
        st = eksauth_strv_addf(&m->plan.warnings, &m->plan.n_warnings, err,
                               "the id key cannot be read as this user: the ids of names not yet "
                               "in the identity DB are shown unkeyed, not as this host gives them "
                               "(run as root)");
out:
    free(seeds);
    return st;
}

enum eksauth_status eksauth_mapping_build(struct eksauth_ctx *ctx, const char *label,
                                          const char *data, size_t len,
                                          const struct eksauth_iddb *db, struct eksauth_mapping *m,
                                          struct eksauth_error *err)
{
    enum eksauth_status st;

    st = eksauth_mapping_parse(label, data, len, m, err);
    if (st == EKSAUTH_OK)
        st = eksauth_mapping_plan(ctx, db, m, err);
    if (st != EKSAUTH_OK)
        eksauth_mapping_free(m);
    return st;
}

enum eksauth_status eksauth_mapping_load(struct eksauth_ctx *ctx, const char *path,
                                         const struct eksauth_iddb *db, struct eksauth_mapping *m,
                                         struct eksauth_error *err)
{
    struct eksauth_snapshot_state state;
    char label[EKSAUTH_PATH_MAX + 64];
    enum eksauth_status st;
    char *data = NULL;
    size_t len = 0;

    memset(m, 0, sizeof(*m));
    if (path != NULL) {
        st = eksauth_mapping_read(ctx, path, &data, &len, label, err);
    } else {
        /* The aws-auth db was written from: NSS, the account stage and logins agree. */
        if (db == NULL)
            return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                                "no identity DB yet (%s): run eksauth sync first", ctx->paths.db);
        st = eksauth_snapshot_read(&ctx->paths, ctx->trust_files, eksauth_iddb_generation(db),
                                   &state, &data, &len, err);
        snprintf(label, sizeof(label), "%s (the aws-auth of the last sync)", ctx->paths.snapshot);
    }
    if (st == EKSAUTH_OK)
        st = eksauth_mapping_parse(label, data, len, m, err);
    /* Planned with the instance the sync bound, not asked again: the plan is the sync's. */
    if (st == EKSAUTH_OK && path == NULL) {
        snprintf(m->host, sizeof(m->host), "%s", state.host);
        m->host_given = true;
    }
    if (st == EKSAUTH_OK)
        st = eksauth_mapping_plan(ctx, db, m, err);
    if (st != EKSAUTH_OK)
        eksauth_mapping_free(m);
    free(data);
    return st;
}

enum eksauth_status eksauth_mapping_load_indexed(struct eksauth_ctx *ctx,
                                                 const struct eksauth_iddb *db,
                                                 struct eksauth_mapping *m,
                                                 enum eksauth_login_index_fit *fit,
                                                 struct eksauth_error *err)
{
    struct eksauth_login_index *ix = NULL;
    const struct eksauth_host *host;
    char inputs[64 + 1] = "";
    enum eksauth_status st;

    memset(m, 0, sizeof(*m));
    /* This host's inputs now; "" when they cannot be read (the fit says so). */
    st = eksauth_ctx_id_key(ctx, err);
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_local_names(ctx, &host, err);
    if (st == EKSAUTH_ENOMEM)
        return st;
    if (st == EKSAUTH_OK && !ctx->id_key_unreadable)
        eksauth_snapshot_inputs(&ctx->cfg, &ctx->local, inputs);
    /* One rule decides (login_index_fit.h): `eksauth doctor` reports the same verdict. */
    *fit = eksauth_login_index_fit(&ctx->paths, ctx->trust_files, db, inputs, false, &ix, err);
    if (*fit != EKSAUTH_LOGIN_INDEX_FITS)
        return err->status == EKSAUTH_ENOMEM ? EKSAUTH_ENOMEM : EKSAUTH_ENOTFOUND;
    snprintf(m->source, sizeof(m->source), "%s (the login index of the last sync)",
             ctx->paths.index);
    m->index = ix;
    m->db = db;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_mapping_fetch(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                          struct eksauth_mapping *m, struct eksauth_error *err)
{
    struct eksauth_cluster_snapshot snap;
    struct eksauth_entry_cache cache;
    struct eksauth_budget budget;
    struct eksauth_fetch f;
    enum eksauth_status st;

    memset(m, 0, sizeof(*m));
    if (ctx->cfg.source == EKSAUTH_SOURCE_FILE) {
        char label[EKSAUTH_PATH_MAX + 64], *data = NULL;
        size_t len = 0;

        st = eksauth_mapping_read(ctx, NULL, &data, &len, label, err);
        if (st == EKSAUTH_OK)
            st = eksauth_mapping_build(ctx, label, data, len, db, m, err);
        free(data);
        return st;
    }
    /*
     * Within the host's budget, from what the sync read before (never
     * written back: this may run as anyone); one attempt per call, since a
     * person is waiting.
     */
    eksauth_budget_init(&budget, ctx->cfg.sync_max_requests);
    budget.max_attempts = 1;
    (void)eksauth_entry_cache_read(&ctx->paths, ctx->trust_files, &cache, NULL);
    memset(&f, 0, sizeof(f));
    f.now = time(NULL);
    f.budget = &budget;
    f.cache = &cache;
    st = ctx->services.cluster_fetch(&ctx->cfg, &f, &snap, err);
    eksauth_entry_cache_free(&cache);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_mapping_build(ctx, snap.what, snap.data, snap.len, db, m, err);
    eksauth_cluster_snapshot_free(&snap);
    return st;
}

enum eksauth_status eksauth_mapping_bind_principal_instance(const char *endpoint,
                                                            const struct eksauth_awsauth *aa,
                                                            struct eksauth_principal *p,
                                                            struct eksauth_host_instance *inst,
                                                            struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    /* Only a login whose entry needs it waits for instance metadata. */
    if (!eksauth_awsauth_needs_host_instance(aa, p))
        goto out;
    /* Fail closed: without the host's own instance, {{EC2PrivateDNSName}} is refused. */
    if (eksauth_imds_host_instance(endpoint, inst, err) != EKSAUTH_OK) {
        st = EKSAUTH_EREJECTED;
        goto out;
    }
    p->self_instance_id = inst->instance_id;
    p->self_private_dns_name = inst->private_dns_name;
out:
    return st;
}

/* What binding the principal's instance (status st) tells the person (login.c). */
static void instance_verdict(const struct eksauth_ctx *ctx, struct eksauth_mapping *m,
                             enum eksauth_status st)
{
    m->instance_unknown = st != EKSAUTH_OK;
    /* Answered, with a value refused (lib/imds.c): EINVAL; an outage is EUNAVAIL. */
    m->instance_misnamed =
        st != EKSAUTH_OK && ctx->instance.tried && ctx->instance.status == EKSAUTH_EINVAL;
}

/*
 * p through the login index: its entries into m->aa, the plan's answers
 * from the index and the DB.  *index_failed when a record did not check.
 */
static enum eksauth_status resolve_indexed(struct eksauth_ctx *ctx, struct eksauth_mapping *m,
                                           struct eksauth_principal *p, const char *user_id,
                                           struct eksauth_identity *out, bool *index_failed,
                                           struct eksauth_error *err)
{
    const struct eksauth_host *host = NULL;
    struct eksauth_plan_view view;
    enum eksauth_status st;

    eksauth_awsauth_free(m->aa);
    m->aa = NULL;
    st = eksauth_login_index_awsauth(m->index, p, &m->aa, err);
    if (st == EKSAUTH_OK) {
        st = eksauth_mapping_bind_principal_instance(ctx->cfg.imds_endpoint, m->aa, p,
                                                     &ctx->instance, err);
        instance_verdict(ctx, m, st);
    }
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_local_names(ctx, &host, err);
    if (st == EKSAUTH_OK) {
        eksauth_login_index_view(m->index, m->db, (uint64_t)time(NULL),
                                 ctx->cfg.id_key_set ? &ctx->cfg.id_key : NULL, &view);
        st = eksauth_identity_resolve_view(&ctx->cfg, m->aa, &view, host, p, user_id, out, err);
    }
    *index_failed = eksauth_login_index_failed(m->index);
    return st;
}

enum eksauth_status eksauth_mapping_resolve(struct eksauth_ctx *ctx, struct eksauth_mapping *m,
                                            struct eksauth_principal *p, const char *user_id,
                                            struct eksauth_identity *out, struct eksauth_error *err)
{
    const struct eksauth_host *host = NULL;
    struct eksauth_mapping whole;
    enum eksauth_status st;
    bool index_failed = false;

    memset(out, 0, sizeof(*out));
    m->instance_unknown = m->instance_misnamed = false;
    if (m->index != NULL) {
        st = resolve_indexed(ctx, m, p, user_id, out, &index_failed, err);
        if (!index_failed)
            return st;
        /* A record that does not check decides nothing: the whole snapshot decides. */
        eksauth_identity_free(out);
        st = eksauth_mapping_load(ctx, NULL, m->db, &whole, err);
        if (st != EKSAUTH_OK)
            return st;
        eksauth_mapping_free(m);
        *m = whole;
        m->index_fit = EKSAUTH_LOGIN_INDEX_DAMAGED;
        eksauth_fail(&m->index_unfit, EKSAUTH_ENOTFOUND,
                     "login index: %s: a record does not check; run: eksauth sync (it rewrites "
                     "the index)",
                     ctx->paths.index);
    }
    /* {{EC2PrivateDNSName}}: this host's own instance, read only when the entry needs it. */
    st = eksauth_mapping_bind_principal_instance(ctx->cfg.imds_endpoint, m->aa, p, &ctx->instance,
                                                 err);
    instance_verdict(ctx, m, st);
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_local_names(ctx, &host, err);
    if (st == EKSAUTH_OK)
        st = eksauth_identity_resolve(&ctx->cfg, m->aa, &m->plan, host, p, user_id, out, err);
    return st;
}

void eksauth_mapping_free(struct eksauth_mapping *m)
{
    if (m == NULL)
        return;
    eksauth_login_index_close(m->index);
    eksauth_plan_free(&m->plan);
    eksauth_awsauth_free(m->aa);
    memset(m, 0, sizeof(*m));
}
