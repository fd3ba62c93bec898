/*
 * context.c - what a login or a sync reads about this host, once (see
 * context.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksauth/context.h"
#include "eksauth/sigv4.h"

void eksauth_ctx_init(struct eksauth_ctx *ctx, unsigned flags)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = flags;
    ctx->trust_files = (flags & EKSAUTH_CTX_TRUST_ALWAYS) != 0 || geteuid() == 0;
    ctx->services.sts_get_caller_identity = eksauth_sts_get_caller_identity;
    ctx->services.cluster_fetch = eksauth_cluster_fetch;
    ctx->services.kube_watch = eksauth_kube_watch;
    ctx->services.sleep_ms = eksauth_sleep_ms;
    ctx->services.random_u32 = eksauth_random_u32;
    ctx->services.now_ms = eksauth_monotonic_ms;
}

enum eksauth_status eksauth_ctx_load(struct eksauth_ctx *ctx, const char *config_path,
                                     struct eksauth_error *err)
{
    bool required = (ctx->flags & EKSAUTH_CTX_CONFIG_REQUIRED) != 0;
    enum eksauth_status st;
    int from_default = 0;

    st = eksauth_config_init(&ctx->cfg, err);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_paths_config(config_path, &ctx->paths, &from_default, err);
    if (st != EKSAUTH_OK)
        return st;
    /* No config at all: the defaults serve the commands that work offline. */
    if (!from_default || required || access(ctx->paths.config, F_OK) == 0) {
        st = eksauth_config_load(&ctx->cfg, ctx->paths.config, ctx->trust_files, err);
        if (st != EKSAUTH_OK)
            return st;
        ctx->config_read = true;
    }
    if (required) {
        st = eksauth_ctx_need_cluster_id(ctx, err);
        if (st != EKSAUTH_OK)
            return st;
    }
    return eksauth_paths_db(&ctx->cfg, &ctx->paths, err);
}

enum eksauth_status eksauth_ctx_open(struct eksauth_ctx *ctx, const char *config_path,
                                     unsigned flags, struct eksauth_error *err)
{
    enum eksauth_status st;

    eksauth_ctx_init(ctx, flags);
    st = eksauth_ctx_load(ctx, config_path, err);
    if (st != EKSAUTH_OK)
        eksauth_ctx_close(ctx);
    return st;
}

enum eksauth_status eksauth_ctx_need_cluster_id(const struct eksauth_ctx *ctx,
                                                struct eksauth_error *err)
{
    if (ctx->cfg.cluster_id != NULL)
        return EKSAUTH_OK;
    /* Without it any cluster's token would do: never a default. */
    if (!ctx->config_read)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "config: %s does not exist; write it with at least "
                            "\"cluster_id = NAME\" (eksauth.conf(5)), or give --config FILE",
                            ctx->paths.config);
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "config: %s: cluster_id is not set; add the line \"cluster_id = NAME\"",
                        ctx->paths.config);
}

enum eksauth_status eksauth_ctx_set_cluster_id(struct eksauth_ctx *ctx, const char *cluster_id,
                                               struct eksauth_error *err)
{
    char *copy;

    /* It goes into a signed header and an STS request: visible ASCII of a bounded length. */
    if (!eksauth_cluster_id_valid(cluster_id))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "--cluster-id must be 1 to %d visible ASCII characters",
                            EKSAUTH_CLUSTER_ID_MAX);
    copy = strdup(cluster_id);
    if (copy == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    free(ctx->cfg.cluster_id);
    ctx->cfg.cluster_id = copy;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_ctx_audience(struct eksauth_ctx *ctx, const char **audience,
                                         struct eksauth_error *err)
{
    char name[EKSAUTH_HOST_NAME_MAX + 2];
    enum eksauth_status st;

    *audience = NULL;
    if (ctx->audience[0] == '\0') {
        st = eksauth_ctx_need_cluster_id(ctx, err);
        if (st != EKSAUTH_OK)
            return st;
        if (!eksauth_config_host_name(&ctx->cfg, name)) {
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "this host's name is not known (gethostname); set host_name in %s",
                                ctx->paths.config);
        }
        st = eksauth_audience_for_host(ctx->cfg.cluster_id, name, ctx->audience,
                                       sizeof(ctx->audience), err);
        if (st != EKSAUTH_OK) {
            ctx->audience[0] = '\0';
            eksauth_error_append(err, "; set host_name in %s", ctx->paths.config);
            return st;
        }
    }
    *audience = ctx->audience;
    return EKSAUTH_OK;
}

void eksauth_ctx_token_policy(const struct eksauth_ctx *ctx, struct eksauth_token_policy *out)
{
    memset(out, 0, sizeof(*out));
    out->partition = ctx->cfg.partition;
    out->max_clock_skew = ctx->cfg.max_clock_skew;
    out->extra_hosts = (const char *const *)ctx->cfg.sts_hosts;
}

enum eksauth_status eksauth_ctx_local_names(struct eksauth_ctx *ctx,
                                            const struct eksauth_host **host,
                                            struct eksauth_error *err)
{
    enum eksauth_status st;

    *host = NULL;
    if (!ctx->local_loaded) {
        st = eksauth_hostfiles_load(&ctx->local, ctx->passwd_path, ctx->group_path, err);
        if (st != EKSAUTH_OK)
            return st;
        ctx->local_loaded = true;
    }
    *host = &ctx->local.host;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_ctx_reload_local(struct eksauth_ctx *ctx, bool *changed,
                                             struct eksauth_error *err)
{
    struct eksauth_hostfiles now;
    enum eksauth_status st;

    *changed = false;
    st = eksauth_hostfiles_load(&now, ctx->passwd_path, ctx->group_path, err);
    if (st != EKSAUTH_OK) {
        /* Fail closed: never plan with accounts that can no longer be checked. */
        if (ctx->local_loaded)
            eksauth_hostfiles_free(&ctx->local);
        ctx->local_loaded = false;
        return st;
    }
    if (ctx->local_loaded && eksauth_hostfiles_equal(&ctx->local, &now)) {
        eksauth_hostfiles_free(&now);
        return EKSAUTH_OK;
    }
    eksauth_hostfiles_move(&ctx->local, &now);
    ctx->local_loaded = true;
    *changed = true;
    return EKSAUTH_OK;
}

bool eksauth_ctx_retry_instance(struct eksauth_ctx *ctx)
{
    /* An answer stays: asking again could only let another instance's name in, never a fix. */
    if (!ctx->instance.tried || ctx->instance.status == EKSAUTH_OK)
        return false;
    /* Zeroed is never asked yet (imds.h): the next eksauth_imds_host_instance asks. */
    memset(&ctx->instance, 0, sizeof(ctx->instance));
    return true;
}

enum eksauth_status eksauth_ctx_id_key(struct eksauth_ctx *ctx, struct eksauth_error *err)
{
    const char *path = ctx->cfg.id_key_file;
    enum eksauth_status st = EKSAUTH_OK;

    if (ctx->id_key_loaded)
        return EKSAUTH_OK;
    if (path == NULL)
        st = eksauth_idkey_default_path(&path, err);
    if (st == EKSAUTH_OK)
        st = eksauth_idkey_load(path, &ctx->cfg.id_key, &ctx->cfg.id_key_set, err);
    /* A user's own run grants nothing: without root's key it shows unkeyed ids, and says so. */
    if (st == EKSAUTH_EIO && !ctx->trust_files) {
        ctx->cfg.id_key_set = false;
        ctx->id_key_unreadable = true;
        st = EKSAUTH_OK;
    }
    if (st != EKSAUTH_OK)
        return st;
    ctx->id_key_loaded = true;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_ctx_db(struct eksauth_ctx *ctx, bool required,
                                   const struct eksauth_iddb **db, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    if (ctx->db == NULL) {
        st = eksauth_iddb_open(ctx->paths.db, &ctx->db, err);
        if (st != EKSAUTH_OK)
            ctx->db = NULL;
        /* No DB yet (before the first sync): nothing recorded, so no ids to keep. */
        if (st == EKSAUTH_EUNAVAIL && !required)
            st = EKSAUTH_OK;
    }
    *db = ctx->db;
    return st;
}

void eksauth_ctx_db_forget(struct eksauth_ctx *ctx)
{
    if (ctx->db != NULL)
        eksauth_iddb_close(ctx->db);
    ctx->db = NULL;
}

void eksauth_ctx_close(struct eksauth_ctx *ctx)
{
    if (ctx->db != NULL)
        eksauth_iddb_close(ctx->db);
    /* Keeps nothing: a closed context is zeroed (init sets the services again). */
    eksauth_config_free(&ctx->cfg);
    if (ctx->local_loaded)
        eksauth_hostfiles_free(&ctx->local);
    memset(ctx, 0, sizeof(*ctx));
}
