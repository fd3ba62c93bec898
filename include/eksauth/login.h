/*
 * login.h - one login, as the PAM module, `eksauth verify` and `eksauth
 * whoami` all do it (docs/design.md, "The login").
 *
 *   eksauth_login_is_local a local account is never ours (asked first)
 *   eksauth_login_serves   before a token is asked for: is the name ours?
 *   eksauth_login_check    the token: every local rule, the mapping of this
 *                          host's source, STS (bound to cluster_id), then
 *                          aws-auth and the host's POSIX policy; writes
 *                          nothing
 *   eksauth_login_commit   the checked identity for one login name: it must
 *                          be the name asked for; single_use claims the
 *                          token; the identity DB records the login, so NSS
 *                          serves it and its groups at once
 *   eksauth_login_account  the account stage: is the name still mapped, not
 *                          denied, in a required group?
 *   eksauth_login_recorded what the identity DB holds for a login (the
 *                          session's environment when authentication ran in
 *                          another process)
 *
 * Statuses are those of status.h; `step` says which part of the login
 * ended it, so the PAM module can tell a refused login (AUTH_ERR) from a
 * host that cannot decide (AUTHINFO_UNAVAIL).  No message holds a token.
 */
#ifndef EKSAUTH_LOGIN_H
#define EKSAUTH_LOGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "eksauth/context.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"
#include "eksauth/mapping.h"
#include "eksauth/status.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"

enum eksauth_login_step {
    EKSAUTH_LOGIN_SETUP,   /* this host's config, aws-auth or identity DB cannot be used */
    EKSAUTH_LOGIN_TOKEN,   /* a local rule refused the token */
    EKSAUTH_LOGIN_STS,     /* STS refused the token, or could not be asked */
    EKSAUTH_LOGIN_MAPPING, /* aws-auth maps nobody, or the host refuses the login */
    EKSAUTH_LOGIN_USER,    /* the token is for another login name */
    EKSAUTH_LOGIN_REPLAY,  /* single_use: this token was used before */
    EKSAUTH_LOGIN_RECORD,  /* the identity DB would not record the login */
    EKSAUTH_LOGIN_CHECKED, /* eksauth_login_check succeeded */
    EKSAUTH_LOGIN_DONE,    /* eksauth_login_commit succeeded */
};

struct eksauth_login_request {
    const char *token; /* not NUL-terminated; never copied into a message */
    size_t len;
    time_t now;
    const char *aws_auth_path; /* NULL: this host's source (mapping.h) */
    /*
     * Who the token must be for (audience.h).  NULL: this host's audience,
     * and, with accept_cluster_tokens, a plain cluster token too.  `eksauth
     * whoami` checks a token it minted itself for the cluster id.
     */
    const char *audience;
    bool fetch_source; /* map with the source as it is now, not the sync's snapshot */
    /*
     * Map with the whole snapshot even when the sync's login index fits
     * (mapping.h): the two decide alike, which the tests check.
     */
    bool whole_snapshot;
};

/* One login as far as it went.  Filled step by step; what a step did not reach is empty. */
struct eksauth_login {
    enum eksauth_login_step step;
    char token_fp[EKSAUTH_FINGERPRINT_LEN + 1]; /* for logs: never the token */
    struct eksauth_token tok;                   /* step > TOKEN; wiped by eksauth_login_free */
    struct eksauth_sts_identity sid;            /* step > STS */
    struct eksauth_principal principal;         /* step > STS; points into tok and sid */
    bool cluster_token;             /* step > STS: a plain cluster token (accept_cluster_tokens) */
    struct eksauth_mapping mapping; /* step > SETUP */
    /*
     * step == SETUP: it was the identity DB that could not be opened (err
     * is its failure), not the config, aws-auth or the snapshot: `eksauth
     * verify` answers as users and map do for it (tools/cli.c cli_db_fail).
     */
    bool db_failed;
    /*
     * step > SETUP: the generation of the last sync as its state said
     * before the mapping was read (snapshot.h; 0: none).  The commit
     * records a change beyond last_login only while the state still says
     * so (eksauth_iddb_record_mapped): a later sync may have revoked it.
     */
    uint64_t mapped_sync;
    /*
     * step > SETUP: mapped with the last sync's files (not --aws-auth or a
     * fetch), and whether from the whole snapshot: how a commit a sync
     * overtook maps again.
     */
    bool mapped_synced, mapped_whole;
    struct eksauth_identity id; /* step > MAPPING */
    /*
     * When the host refuses a login the cluster maps (a node's system:
     * name, a local account's name): the cluster's identity, for `eksauth
     * whoami`; cluster_mapped tells whether it is filled.
     */
    struct eksauth_k8s_identity cluster;
    bool cluster_mapped;
    /* Why the host refused a mapped login, when the person can be told (identity.h). */
    enum eksauth_refusal refusal;
    /*
     * single_use: the commit claimed the token (replay.h), so it is spent
     * here whatever follows; a refusal after it that says "log in again"
     * must ask for a new token, as the same one is refused "already used".
     */
    bool claimed;
};

/*
 * Whether user is a local account (/etc/passwd).  Asked first, before any
 * config is read: a local account keeps its own path, so a broken eksauth
 * never stands in the way of the break-glass account.
 */
enum eksauth_status eksauth_login_is_local(struct eksauth_ctx *ctx, const char *user, bool *local,
                                           struct eksauth_error *err);

/*
 * Whether eksauth serves user on this host, before any token is asked
 * for: EKSAUTH_OK when the identity DB has it or it fits a username
 * template of the last sync; EKSAUTH_ENOTFOUND for anyone else's user (a
 * local account, a reserved or malformed name, a name eksauth does not
 * know: the PAM stack goes on without a prompt); EKSAUTH_EUNAVAIL when the
 * DB cannot be read.
 */
enum eksauth_status eksauth_login_serves(struct eksauth_ctx *ctx, const char *user,
                                         struct eksauth_error *err);

/*
 * Check req's token as a login does, into a new *out (release it with
 * eksauth_login_free, also after a failure: it tells how far the check
 * went).  A token that fails a local rule is never sent anywhere.
 */
enum eksauth_status eksauth_login_check(struct eksauth_ctx *ctx,
                                        const struct eksauth_login_request *req,
                                        struct eksauth_login **out, struct eksauth_error *err);

/*
 * Make a checked login the login of user (PAM_USER): the identity's login
 * must be user; with single_use the token is claimed (first use only);
 * then the identity DB records the login and its current groups (a
 * templated login gets exactly the uid NSS answered for it, or is refused
 * when that id is held: l->refusal; l->id.uid is the recorded one after).
 * EKSAUTH_EREJECTED for another login, a replay, a name the DB gives
 * another k8s user, a held id.
 */
enum eksauth_status eksauth_login_commit(struct eksauth_ctx *ctx, struct eksauth_login *l,
                                         const char *user, time_t now, struct eksauth_error *err);

void eksauth_login_free(struct eksauth_login *l);

/*
 * The account stage for user.  authenticated_k8s_user: the k8s user this
 * PAM transaction authenticated (NULL when it did not: the DB alone
 * decides).  require_groups: POSIX group names of which the user must
 * have one (none: no condition), by membership (the users' group counts),
 * never by the login's own name.  *k8s_user (may be NULL) receives the
 * DB's k8s username for the audit line (valid until ctx is closed) as soon
 * as the DB records user, whatever the status: set, an EKSAUTH_EUNAVAIL
 * (max_snapshot_age) is about a user that is eksauth's.
 * EKSAUTH_OK; EKSAUTH_ENOTFOUND not ours; EKSAUTH_EREJECTED with the
 * reason; EKSAUTH_EUNAVAIL.
 */
enum eksauth_status eksauth_login_account(struct eksauth_ctx *ctx, const char *user,
                                          const char *authenticated_k8s_user,
                                          const char *const *require_groups, size_t n_require,
                                          const char **k8s_user, struct eksauth_error *err);

/* What the identity DB holds for a recorded login (strings owned; eksauth_login_record_free). */
struct eksauth_login_record {
    char *k8s_username;
    char *k8s_groups; /* comma-separated */
    char *arn;
    char *canonical_arn;
    char *session_name;
    char *account;
    uint32_t uid;
};

/* EKSAUTH_OK, EKSAUTH_ENOTFOUND (no such login), EKSAUTH_EUNAVAIL, EKSAUTH_ENOMEM. */
enum eksauth_status eksauth_login_recorded(struct eksauth_ctx *ctx, const char *user,
                                           struct eksauth_login_record *out,
                                           struct eksauth_error *err);
void eksauth_login_record_free(struct eksauth_login_record *r);

/*
 * What the person logging in is told of a refused login: one short reason
 * class and what to do, never more than the class (SECURITY.md, "What a
 * refused login is told"): before STS has vouched for the caller, only what
 * is true of any token (expired, not a token, not for this host, STS or
 * this host unavailable); after, what concerns that caller's own identity
 * (not mapped here, another login name and which one, a session name a
 * login cannot carry, a template hosts do not serve, a login two mappings
 * give, its login's id held by another account: never whose).  err is the
 * failure the check or the commit returned.
 */
void eksauth_login_reason(const struct eksauth_login *l, const struct eksauth_error *err, char *out,
                          size_t outlen);

/* "a,b,c": groups joined for EKS_GROUPS and the audit line; NULL when out of memory. */
char *eksauth_login_join_groups(char *const *groups, size_t n);

#endif
