/*
 * pam_eksauth.h - what the files of pam_eksauth.so share: the module
 * options (options.c), the identity kept from the authentication stage for
 * account, setcred and session (identity.c), and the audit line
 * (audit.c).  Internal: nothing here is exported (exports.map).
 */
#ifndef PAM_EKSAUTH_H
#define PAM_EKSAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <signal.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "eksauth/context.h"
#include "eksauth/login.h"
#include "eksauth/pam_args.h"
#include "eksauth/proof.h"
#include "eksauth/token.h"

#define PE_DATA_IDENTITY     "pam_eksauth_identity" /* pam_set_data key: this handle's auth */
#define PE_DATA_TAKEN        "pam_eksauth_taken"    /* ... one taken later (see below) */
#define PE_DATA_SESSION_OPEN "pam_eksauth_session"  /* ... set once a session opened here */

/* Module options (man pam_eksauth(8)); parsed anew by every entry point. */
struct pe_options {
    const char *config; /* config=FILE */
    bool bad_config;    /* a config= not absolute: no config is read, whatever else is named */
    bool debug;
    bool use_first_pass;
    bool try_first_pass;
    bool ignore_unknown_user;
    bool ignore_authinfo_unavail;
    const char *require_group[EKSAUTH_PAM_MAX_REQUIRE_GROUPS];
    size_t n_require_group;
    bool bad_gate; /* an empty or surplus require_group=, an unknown require...: account fails
                      closed */
    /*
     * require_token[=SERVICE,...]: the account stage takes an eksauth user
     * only when this login gave a token (proof.h), for the PAM services of
     * every list given (the options add up, as require_group's do), or for
     * every service (require_token_every: a bare require_token, a list that
     * names none, or more lists than fit).
     */
    bool require_token;
    bool require_token_every;
    const char *require_token_lists[EKSAUTH_PAM_MAX_REQUIRE_TOKEN];
    size_t n_require_token_lists;
};

/* Parse argv the Linux-PAM way: an unknown option is logged and ignored, unless it is a gate's. */
void pe_options_parse(pam_handle_t *pamh, int argc, const char **argv, struct pe_options *opt);

/*
 * The identity a successful authentication established, kept with
 * pam_set_data for the later stages of the same handle.  Strings are never
 * NULL ("" when unknown).  No token, no secret.  gave_token: this login
 * presented a token that was checked (this handle's authentication, or
 * another process's with its proof, proof.h); without it the principal
 * fields are the identity DB's record of the user's last token login, for
 * EKS_*, and the audit lines name no principal.
 */
struct pe_identity {
    char *login;
    char *k8s_username;
    char *k8s_groups; /* comma-separated, as EKS_GROUPS */
    char *arn;
    char *canonical_arn;
    char *session_name;
    char *access_key_id;
    char *account;
    char *cluster_id;
    char token_fp[EKSAUTH_FINGERPRINT_LEN + 1];
    uint32_t uid;
    bool gave_token;
};

/* identity.c: the identity between stages (pam_data) and in the PAM environment (EKS_*). */
void pe_identity_free(struct pe_identity *id);

/* The identity this handle authenticated for user, or NULL (none, or PAM_USER changed). */
const struct pe_identity *pe_identity_get(pam_handle_t *pamh, const char *user);

/*
 * Whether this handle's authentication established an identity, for any
 * user: its EKS_* and token proof are then its own login's, even where
 * PAM_USER changed since (sudo -u: the command's user).
 */
bool pe_identity_authenticated_here(pam_handle_t *pamh);

/*
 * The identity the later stages of user take their EKS_* from: this
 * handle's authentication, else one taken since (pe_identity_keep_taken);
 * NULL when neither.
 */
const struct pe_identity *pe_identity_session(pam_handle_t *pamh, const char *user);

/*
 * Keep pi (moved: pi is emptied) for the later stages of this handle.  Where
 * the authentication ran in another process (sshd's child), the account or
 * setcred stage takes the EKS_* it put in the environment while they are
 * still its own: before a session module such as pam_env (user_readenv=1:
 * the user's ~/.pam_environment) can set them.  A PAM code.
 */
int pe_identity_keep_taken(pam_handle_t *pamh, struct pe_identity *pi);

/* Mark that a session opened in this handle; whether one has (its environment is no longer ours).
 */
void pe_session_mark_open(pam_handle_t *pamh);
bool pe_session_opened(pam_handle_t *pamh);

/* Keep l's identity for the later stages (pam_data) and in the environment; a PAM code. */
int pe_identity_keep(pam_handle_t *pamh, const struct eksauth_login *l, const char *cluster_id);

/* A failed attempt leaves no identity behind, in pam_data or in the environment. */
void pe_identity_clear(pam_handle_t *pamh);

/* EKS_* from id (control bytes replaced); a PAM code. */
int pe_identity_put_env(pam_handle_t *pamh, const struct pe_identity *id);

/*
 * The identity of a login whose authentication ran elsewhere (sshd's child
 * process, or another module): the DB's record (login.h); with trust_env,
 * what our authentication put in the PAM environment, when the token proof
 * beside it is fresh, for this user and over those values (pe_proof_check_env),
 * and names the recorded k8s user: then gave_token, and the token's
 * fingerprint.  Only before a session opens is the environment trusted: a
 * session stage's pam_env may fill it from the user's own files.
 * EKSAUTH_ENOTFOUND when the DB has no such login.
 */
enum eksauth_status pe_identity_from_db(pam_handle_t *pamh, struct eksauth_ctx *host,
                                        const char *user, bool trust_env, struct pe_identity *pi,
                                        struct eksauth_error *err);

/*
 * The token proof (proof.h) of login, which the token whose fingerprint is
 * token_fp authenticated, over the EKS_* pe_identity_keep put in the PAM
 * environment, put there beside them.  EKSAUTH_OK, or why not.
 */
enum eksauth_status pe_proof_put(pam_handle_t *pamh, const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                 const char *login, const char *token_fp,
                                 struct eksauth_error *err);

/*
 * EKSAUTH_OK when the PAM environment holds a fresh token proof for user
 * over the EKS_* there now (what our authentication put there in another
 * process): token_fp gets the token's fingerprint.  Else why not.
 */
enum eksauth_status pe_proof_check_env(pam_handle_t *pamh, const struct eksauth_paths *paths,
                                       const char *user, char token_fp[EKSAUTH_FINGERPRINT_LEN + 1],
                                       struct eksauth_error *err);

/* One decision or event, logged as fixed key=value fields (NULL or "" prints "-"). */
struct pe_audit {
    const char *event;  /* auth, account, setcred, open_session, close_session */
    const char *result; /* success, denied, unavailable, unknown_user, ignored, error */
    const char *user;
    const char *k8s_user;
    const char *arn;
    const char *session;
    const char *access_key_id;
    const char *account;
    const char *rhost;
    const char *token_fp;
    const char
        *audience; /* "host", or "cluster" for a plain cluster token (accept_cluster_tokens) */
    const char *canonical_arn; /* the IAM principal aws-auth matched (role, not session) */
    const char *ruser;         /* PAM_RUSER: who ran su or sudo, as the caller says */
    const char *reason;
};

/*
 * Write a at LOG_NOTICE with pam_syslog (facility authpriv):
 * "event=E result=R user=U k8s_user=K arn=A session=S access_key_id=I
 *  account=N rhost=H token_fp=F audience=T canonical_arn=C ruser=W reason="...""
 * Values are escaped (eksauth_log_value: no blank outside the reason, no
 * quote, '=', control or non-ASCII byte but as %XX) and each is bounded, so
 * a caller-chosen name cannot forge a field or a line.
 */
void pe_audit_log(pam_handle_t *pamh, const struct pe_audit *a);

/*
 * shield.c: the caller of a setuid program (sudo, su) held off a login
 * while it holds the locks every other login and the sync wait for: the
 * real uid root's (the caller's SIGSTOP refused) and the terminal's stop
 * signals held pending, from pe_shield_raise to pe_shield_lower.
 */
struct pe_shield {
    bool pinned; /* the real uid was made root's: ruid is the caller's */
    uid_t ruid;
    bool masked; /* the stop signals were blocked: old_mask is the caller's */
    sigset_t old_mask;
};

void pe_shield_raise(pam_handle_t *pamh, struct pe_shield *s);

/* False (and logged) when the caller's real uid could not be put back: fail the stage. */
bool pe_shield_lower(pam_handle_t *pamh, struct pe_shield *s);

#endif
