/*
 * paths.c - where eksauth keeps its files (see paths.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/paths.h"

/* Copy src into a path buffer; false when it does not fit. */
static int copy_path(char out[EKSAUTH_PATH_MAX], const char *src)
{
    int n = snprintf(out, EKSAUTH_PATH_MAX, "%s", src);

    return n >= 0 && n < EKSAUTH_PATH_MAX;
}

/* "<folder of db>/<name>" */
bool eksauth_paths_beside(char out[EKSAUTH_PATH_MAX], const char *db, const char *name)
{
    const char *slash = strrchr(db, '/');
    int n;

    if (slash == NULL)
        n = snprintf(out, EKSAUTH_PATH_MAX, "%s", name);
    else
        n = snprintf(out, EKSAUTH_PATH_MAX, "%.*s/%s", (int)(slash - db), db, name);
    return n >= 0 && n < EKSAUTH_PATH_MAX;
}

enum eksauth_status eksauth_paths_config(const char *named, struct eksauth_paths *out,
                                         int *from_default, struct eksauth_error *err)
{
    /* secure_getenv: under a setuid program the caller's environment chooses nothing. */
    const char *env = secure_getenv("EKSAUTH_CONFIG");
    const char *path = EKSAUTH_CONFIG_PATH;

    *from_default = 0;
    if (named != NULL) {
        path = named;
    } else if (env != NULL && env[0] != '\0') {
        if (env[0] != '/')
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "EKSAUTH_CONFIG must be an absolute path, not '%.256s'", env);
        path = env;
    } else {
        *from_default = 1;
    }
    if (!copy_path(out->config, path))
        return eksauth_fail(err, EKSAUTH_EINVAL, "config: path too long");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_paths_db(const struct eksauth_config *cfg, struct eksauth_paths *out,
                                     struct eksauth_error *err)
{
    const char *env = secure_getenv("EKSAUTH_DB");
    const char *db = EKSAUTH_DB_PATH;

    if (env != NULL && env[0] != '\0') {
        if (env[0] != '/')
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "EKSAUTH_DB must be an absolute path, not '%.256s'", env);
        db = env;
    } else if (cfg != NULL && cfg->db_path != NULL) {
        db = cfg->db_path;
    }
    if (!copy_path(out->db, db) ||
        !eksauth_paths_beside(out->snapshot, db, EKSAUTH_SNAPSHOT_NAME) ||
        !eksauth_paths_beside(out->state, db, EKSAUTH_STATE_NAME) ||
        !eksauth_paths_beside(out->index, db, EKSAUTH_INDEX_NAME) ||
        !eksauth_paths_beside(out->replay, db, EKSAUTH_REPLAY_NAME) ||
        !eksauth_paths_beside(out->proof_key, db, EKSAUTH_PROOF_KEY_NAME) ||
        !eksauth_paths_beside(out->entry_cache, db, EKSAUTH_ENTRY_CACHE_NAME) ||
        !eksauth_paths_beside(out->tls_session, db, EKSAUTH_TLS_SESSION_NAME) ||
        !eksauth_paths_beside(out->nscd_pending, db, EKSAUTH_NSCD_PENDING_NAME))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: path too long");
    return EKSAUTH_OK;
}
