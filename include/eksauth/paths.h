/*
 * paths.h - where eksauth keeps its files on a host, derived in one place.
 *
 * The config file: the one a caller names (pam_eksauth's config=, the
 * command line's --config), else EKSAUTH_CONFIG, else EKSAUTH_CONFIG_PATH.
 * The identity DB: EKSAUTH_DB, else the config's db_path (default
 * EKSAUTH_DB_PATH).  Beside the DB, in its folder: the last good aws-auth
 * a cluster sync fetched ("aws-auth.snapshot"), its version and fetch time
 * ("aws-auth.state"), the login index of it ("aws-auth.index",
 * login_index.h), the access entries read from the EKS API
 * ("access-entries.cache", entry_cache.h), the single_use records (the
 * folder "replay"), the key of the token proof ("proof.key", proof.h) and
 * the STS call's TLS session ("sts.tls-session", tls_resume.h), and the mark
 * of nscd's caches owed a drop by a writer that could not give it, a sync or a
 * login that records itself ("nscd.pending", and the writers' claims
 * "nscd.pending.asking.XXXXXX", nscd.h).
 *
 * The environment is read with secure_getenv: in a setuid program (sudo)
 * the caller's environment never chooses a file.  A path from the
 * environment must be absolute.
 */
#ifndef EKSAUTH_PATHS_H
#define EKSAUTH_PATHS_H

#include <stdbool.h>

#include "eksauth/config.h"
#include "eksauth/status.h"

#define EKSAUTH_CONFIG_PATH "/etc/eksauth/eksauth.conf"
#define EKSAUTH_DB_PATH     "/var/lib/eksauth/identity.db"
#define EKSAUTH_PATH_MAX    4096

/* The names of the files kept beside the identity DB. */
#define EKSAUTH_SNAPSHOT_NAME     "aws-auth.snapshot"
#define EKSAUTH_STATE_NAME        "aws-auth.state"
#define EKSAUTH_INDEX_NAME        "aws-auth.index"
#define EKSAUTH_REPLAY_NAME       "replay"
#define EKSAUTH_PROOF_KEY_NAME    "proof.key"
#define EKSAUTH_ENTRY_CACHE_NAME  "access-entries.cache"
#define EKSAUTH_TLS_SESSION_NAME  "sts.tls-session"
#define EKSAUTH_NSCD_PENDING_NAME "nscd.pending"

struct eksauth_paths {
    char config[EKSAUTH_PATH_MAX];       /* the config file to read */
    char db[EKSAUTH_PATH_MAX];           /* the identity DB */
    char snapshot[EKSAUTH_PATH_MAX];     /* the last good aws-auth of a cluster sync */
    char state[EKSAUTH_PATH_MAX];        /* its version, fetch time and origin */
    char index[EKSAUTH_PATH_MAX];        /* its login index (login_index.h) */
    char replay[EKSAUTH_PATH_MAX];       /* the folder of the single_use records (replay.h) */
    char proof_key[EKSAUTH_PATH_MAX];    /* the key of the account stage's token proof (proof.h) */
    char entry_cache[EKSAUTH_PATH_MAX];  /* access entries read before (entry_cache.h) */
    char tls_session[EKSAUTH_PATH_MAX];  /* the STS call's TLS session (tls_resume.h) */
    char nscd_pending[EKSAUTH_PATH_MAX]; /* there: nscd's caches are owed a drop (sync.h) */
};

/*
 * The config file: named (may be NULL), else EKSAUTH_CONFIG, else
 * EKSAUTH_CONFIG_PATH, into out->config.  *from_default tells whether it is
 * the default (which a command that can work without a config may skip
 * when it does not exist).  EKSAUTH_EINVAL for a relative EKSAUTH_CONFIG or
 * a path too long.
 */
enum eksauth_status eksauth_paths_config(const char *named, struct eksauth_paths *out,
                                         int *from_default, struct eksauth_error *err);

/*
 * The identity DB and the files beside it, from EKSAUTH_DB or cfg->db_path
 * (cfg may be NULL: the default).  EKSAUTH_EINVAL for a relative
 * EKSAUTH_DB or a path too long.
 */
enum eksauth_status eksauth_paths_db(const struct eksauth_config *cfg, struct eksauth_paths *out,
                                     struct eksauth_error *err);

/* out = the file name in db's folder (db without a '/': name alone); false when too long. */
bool eksauth_paths_beside(char out[EKSAUTH_PATH_MAX], const char *db, const char *name);

#endif
