/*
 * context.h - what a login, a sync or a command reads about this host,
 * loaded once: the config, the paths derived from it (paths.h), whether
 * files must be root's alone, the names local accounts own (hostfiles.h)
 * and this host's own instance (imds.h, read only when a mapping needs it).
 *
 * pam_eksauth opens one per PAM call, the command line one per run; the
 * login (login.h) and the sync (sync.h) take it.  No global state.
 */
#ifndef EKSAUTH_CONTEXT_H
#define EKSAUTH_CONTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "eksauth/audience.h"
#include "eksauth/cluster.h"
#include "eksauth/config.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/idkey.h"
#include "eksauth/identity.h"
#include "eksauth/imds.h"
#include "eksauth/kube.h"
#include "eksauth/paths.h"
#include "eksauth/status.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"

/* eksauth_ctx_open flags */
#define EKSAUTH_CTX_CONFIG_REQUIRED 0x1u /* the config file must exist and set cluster_id (PAM) */
#define EKSAUTH_CTX_TRUST_ALWAYS    0x2u /* files must be root's alone even when not run as root */

/*
 * The calls of a login or a sync that leave the host, and the sync's
 * waiting, dice and clock.  eksauth_ctx_init sets the real ones (sts.h, cluster.h,
 * kube.h, budget.h); a test replaces them with fakes, so the flows are
 * tested whole with no network and a backoff without waiting.
 */
struct eksauth_services {
    enum eksauth_status (*sts_get_caller_identity)(const struct eksauth_config *cfg,
                                                   const char *audience, const char *tls_session,
                                                   const struct eksauth_token *tok,
                                                   struct eksauth_sts_identity *out,
                                                   struct eksauth_error *err);
    enum eksauth_status (*cluster_fetch)(const struct eksauth_config *cfg, struct eksauth_fetch *f,
                                         struct eksauth_cluster_snapshot *out,
                                         struct eksauth_error *err);
    enum eksauth_status (*kube_watch)(const struct eksauth_config *cfg, const char *rv,
                                      long timeout_s,
                                      int (*on_event)(void *ctx,
                                                      const struct eksauth_kube_event *ev),
                                      void *ctx, long *retry_after_ms, struct eksauth_error *err);
    void (*sleep_ms)(long ms);
    uint32_t (*random_u32)(void);
    long long (*now_ms)(void); /* a monotonic clock */
};

struct eksauth_ctx {
    struct eksauth_config cfg;
    struct eksauth_paths paths;
    bool config_read; /* a config file was read; false: the built-in defaults */
    /*
     * The config, aws-auth and state files decide who logs in as whom: as
     * root (or with EKSAUTH_CTX_TRUST_ALWAYS) they must be root's alone
     * (trust.h).  A user running the command line as themselves grants
     * nothing, so their own files do.
     */
    bool trust_files;
    unsigned flags;
    struct eksauth_hostfiles local; /* loaded by eksauth_ctx_local_names */
    bool local_loaded;
    /* The local account files read (NULL: /etc/passwd, /etc/group); tests set their own. */
    const char *passwd_path, *group_path;
    struct eksauth_host_instance instance;   /* imds.h: read once; see eksauth_ctx_retry_instance */
    struct eksauth_iddb *db;                 /* opened by eksauth_ctx_db */
    bool id_key_loaded;                      /* eksauth_ctx_id_key ran (into cfg.id_key) */
    bool id_key_unreadable;                  /* not root: the key file exists but is root's */
    char audience[EKSAUTH_AUDIENCE_MAX + 1]; /* eksauth_ctx_audience; "" until asked */
    struct eksauth_services services;
};

/*
 * Start a context: nothing is read yet, so the names local accounts own
 * can be asked before any config is (a broken eksauth must never stand in
 * the way of a local account).
 */
void eksauth_ctx_init(struct eksauth_ctx *ctx, unsigned flags);

/*
 * Load the config (config_path, may be NULL: see paths.h) and derive the
 * paths.  Without EKSAUTH_CTX_CONFIG_REQUIRED a missing default config means
 * the built-in defaults (for the offline commands).
 */
enum eksauth_status eksauth_ctx_load(struct eksauth_ctx *ctx, const char *config_path,
                                     struct eksauth_error *err);

/* eksauth_ctx_init then eksauth_ctx_load; on failure ctx holds nothing to free. */
enum eksauth_status eksauth_ctx_open(struct eksauth_ctx *ctx, const char *config_path,
                                     unsigned flags, struct eksauth_error *err);

/* EKSAUTH_EINVAL with a message saying what to add where, when cluster_id is not set. */
enum eksauth_status eksauth_ctx_need_cluster_id(const struct eksauth_ctx *ctx,
                                                struct eksauth_error *err);

/* Replace the config's cluster_id for this run (--cluster-id); it must be valid. */
enum eksauth_status eksauth_ctx_set_cluster_id(struct eksauth_ctx *ctx, const char *cluster_id,
                                               struct eksauth_error *err);

/*
 * This host's audience, "eksauth:<cluster_id>:<host name>" (audience.h):
 * the config's host_name, else this host's own name (gethostname).
 * EKSAUTH_EINVAL when cluster_id is not set or the name is not usable.
 */
enum eksauth_status eksauth_ctx_audience(struct eksauth_ctx *ctx, const char **audience,
                                         struct eksauth_error *err);

/* The token rules of this host's config (partition, clock skew, extra STS hosts). */
void eksauth_ctx_token_policy(const struct eksauth_ctx *ctx, struct eksauth_token_policy *out);

/* The names local accounts own (/etc/passwd, /etc/group), read once per context. */
enum eksauth_status eksauth_ctx_local_names(struct eksauth_ctx *ctx,
                                            const struct eksauth_host **host,
                                            struct eksauth_error *err);

/*
 * For a caller that lives longer than the accounts it read (the watch,
 * sync.h): /etc/passwd and /etc/group read again, whole, and compared by
 * content with what eksauth_ctx_local_names keeps (an edit within one tick
 * of a file's timestamp is seen too).  *changed: they differ, or nothing
 * was kept (the next plan reads them anew); the new ones are then kept.  A
 * file that cannot be read: its error, and nothing is kept, so the next
 * plan reads them again and fails, saying why.
 */
enum eksauth_status eksauth_ctx_reload_local(struct eksauth_ctx *ctx, bool *changed,
                                             struct eksauth_error *err);

/*
 * For a caller that lives longer than an outage of instance metadata (the
 * watch, sync.h): a failure eksauth_imds_host_instance keeps in
 * ctx->instance is dropped, so that the next call asks again.  An answer is
 * never dropped: an instance's id and private DNS name do not change under
 * a running process.  True when a failure was dropped (the caller may ask
 * now); nothing is asked here.
 */
bool eksauth_ctx_retry_instance(struct eksauth_ctx *ctx);

/*
 * The fleet's id key (idkey.h) of cfg.id_key_file, read once per context
 * into cfg.id_key and cfg.id_key_set (false: no key file).  A key file that
 * may not be used fails the call (EKSAUTH_EINVAL: "id key: PATH: why; run:
 * fix").  A caller that does not trust files (not root) and cannot read it
 * goes on without the key, with id_key_unreadable set: the ids of names
 * not yet in the DB it computes are then not the host's.
 */
enum eksauth_status eksauth_ctx_id_key(struct eksauth_ctx *ctx, struct eksauth_error *err);

/*
 * The identity DB of paths.db, opened once per context (iddb.h: refused
 * when untrusted or corrupt).  A missing DB is EKSAUTH_EUNAVAIL when
 * required, else *db is NULL and the result EKSAUTH_OK.
 */
enum eksauth_status eksauth_ctx_db(struct eksauth_ctx *ctx, bool required,
                                   const struct eksauth_iddb **db, struct eksauth_error *err);

/* Forget the DB eksauth_ctx_db opened: the next call opens the file again. */
void eksauth_ctx_db_forget(struct eksauth_ctx *ctx);

/* Release everything; ctx may be zeroed or opened. */
void eksauth_ctx_close(struct eksauth_ctx *ctx);

#endif
