/*
 * pam_eksauth.c - pam_eksauth.so: log in to a Linux host with an EKS token,
 * as the cluster's aws-auth maps it (docs/design.md, "The login").
 *
 * The PAM side only: the conversation (the token, in pieces), the PAM
 * codes, the identity kept between stages, the session's environment and
 * the audit line.  The login itself is the library's (eksauth/login.h):
 *   pam_sm_authenticate   eksauth_login_check; the account NSS gives
 *                         PAM_USER must be that login's (nss_agrees); then
 *                         eksauth_login_commit for PAM_USER; keep the
 *                         identity
 *   pam_sm_setcred        EKS_* again (groups come from NSS initgroups)
 *   pam_sm_acct_mgmt      eksauth_login_account; require_group=; require_token=
 *   pam_sm_open_session   EKS_* environment (set again, over whatever an
 *                         earlier session module put there); audit line
 *   pam_sm_close_session  audit line
 * Each entry point is a thin wrapper around one worker with a single exit.
 * The identity passes from authentication to the later stages of the same
 * handle with pam_set_data, and through the PAM environment when sshd runs
 * authentication in a child process (the first later stage in the parent
 * takes it from there into pam_data, with its token proof: stage_identity).
 * The audit lines name a principal and a token only for a login that gave
 * that token (pe_identity.gave_token); a key login's name none.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "eksauth/context.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "eksauth/login.h"
#include "eksauth/pam_args.h"
#include "eksauth/pieces.h"
#include "eksauth/printable.h"
#include "eksauth/proof.h"
#include "eksauth/token.h"
#include "pam_eksauth.h"

/* How one stage ended, before the ignore_* options turn it into a PAM code. */
enum pe_kind {
    PE_SUCCESS,
    PE_DENIED,  /* token or identity refused: AUTH_ERR (auth), PERM_DENIED (account) */
    PE_UNAVAIL, /* STS, config, aws-auth or DB unavailable: AUTHINFO_UNAVAIL */
    PE_UNKNOWN, /* a login eksauth does not serve: USER_UNKNOWN */
    PE_IGNORE,  /* nothing for this module to do */
    PE_NOMEM,   /* BUF_ERR */
    PE_SYSERR,  /* a PAM call failed: SYSTEM_ERR */
};

struct pe_result {
    enum pe_kind kind;
    char reason[EKSAUTH_ERROR_MAX + 128];
};

/* What one entry point loads; released by ctx_free on every path. */
struct pe_ctx {
    pam_handle_t *pamh;
    int flags;
    struct pe_options opt;
    const char *user;
    const char *rhost;
    const char *ruser;       /* PAM_RUSER: su's and sudo's caller (the audit line) */
    struct eksauth_ctx host; /* the library's view of this host (context.h) */
};

static void set_result(struct pe_result *r, enum pe_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_result(struct pe_result *r, enum pe_kind kind, const char *fmt, ...)
{
    va_list ap;

    r->kind = kind;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
    va_end(ap);
}

/* A PAM call that failed: out of memory, or a system error. */
static void pam_failed(struct pe_result *r, pam_handle_t *pamh, int rc, const char *what)
{
    set_result(r, rc == PAM_BUF_ERR ? PE_NOMEM : PE_SYSERR, "%s: %s", what, pam_strerror(pamh, rc));
}

static const char *kind_word(enum pe_kind k)
{
    switch (k) {
    case PE_SUCCESS:
        return "success";
    case PE_DENIED:
        return "denied";
    case PE_UNAVAIL:
        return "unavailable";
    case PE_UNKNOWN:
        return "unknown_user";
    case PE_IGNORE:
        return "ignored";
    case PE_NOMEM:
    case PE_SYSERR:
        break;
    }
    return "error";
}

/* The one place where an outcome becomes a PAM code (cf. pam_sss, nss-pam-ldapd remap_pam_rc). */
static int pam_code(const struct pe_ctx *c, enum pe_kind k, int denied_code, int unavail_code)
{
    switch (k) {
    case PE_SUCCESS:
        return PAM_SUCCESS;
    case PE_DENIED:
        return denied_code;
    case PE_UNAVAIL:
        return c->opt.ignore_authinfo_unavail ? PAM_IGNORE : unavail_code;
    case PE_UNKNOWN:
        return c->opt.ignore_unknown_user ? PAM_IGNORE : PAM_USER_UNKNOWN;
    case PE_IGNORE:
        return PAM_IGNORE;
    case PE_NOMEM:
        return PAM_BUF_ERR;
    case PE_SYSERR:
        break;
    }
    return PAM_SYSTEM_ERR;
}

/*
 * How a library status ends a stage: memory, a service or this host's
 * setup that cannot decide (unavailable), a name that is not ours
 * (unknown), or a refusal.
 */
static enum pe_kind status_kind(enum eksauth_status st)
{
    switch (st) {
    case EKSAUTH_OK:
        return PE_SUCCESS;
    case EKSAUTH_ENOMEM:
        return PE_NOMEM;
    case EKSAUTH_EUNAVAIL:
        return PE_UNAVAIL;
    case EKSAUTH_ENOTFOUND:
        return PE_UNKNOWN;
    default:
        return PE_DENIED;
    }
}

/* ----------------------------------------------------------- the audit line */

/*
 * The reason's words for a login that gave no token (a key): the identity
 * DB's last recorded principal is not whoever holds the key.
 */
#define PE_NO_TOKEN "no token in this login: the principal is not known"

/*
 * What the audit line says of the identity (its k8s user is the caller's to
 * set): its principal and token only when this login gave that token.
 */
static void audit_identity(struct pe_audit *a, const struct pe_identity *id)
{
    if (!id->gave_token)
        return;
    a->arn = id->arn;
    a->canonical_arn = id->canonical_arn;
    a->session = id->session_name;
    a->access_key_id = id->access_key_id;
    a->account = id->account;
    a->token_fp = id->token_fp;
}

/* The stage, how it ended, who and from where. */
static void audit_outcome(struct pe_audit *a, const char *event, const struct pe_ctx *c,
                          const struct pe_result *r)
{
    a->event = event;
    a->result = kind_word(r->kind);
    a->user = c->user;
    a->rhost = c->rhost;
    a->ruser = c->ruser;
    a->reason = r->reason;
}

/* ------------------------------------------------------------ the context */

static void ctx_free(struct pe_ctx *c)
{
    eksauth_ctx_close(&c->host);
}

/* Options, PAM_USER and PAM_RHOST. */
static bool ctx_init(struct pe_ctx *c, pam_handle_t *pamh, int flags, int argc, const char **argv,
                     struct pe_result *r)
{
    const void *item = NULL;

    memset(c, 0, sizeof(*c));
    c->pamh = pamh;
    c->flags = flags;
    /* The config must exist and be root's alone: it decides whom the host trusts. */
    eksauth_ctx_init(&c->host, EKSAUTH_CTX_CONFIG_REQUIRED | EKSAUTH_CTX_TRUST_ALWAYS);
    pe_options_parse(pamh, argc, argv, &c->opt);
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item != NULL)
        c->rhost = item;
    item = NULL;
    if (pam_get_item(pamh, PAM_RUSER, &item) == PAM_SUCCESS && item != NULL)
        c->ruser = item;
    if (pam_get_user(pamh, &c->user, NULL) != PAM_SUCCESS || c->user == NULL ||
        c->user[0] == '\0') {
        c->user = NULL;
        set_result(r, PE_UNKNOWN, "no user name");
        return false;
    }
    return true;
}

/* A failure of the library: logged, and the stage's result. */
static bool fail(struct pe_ctx *c, struct pe_result *r, enum pe_kind kind,
                 const struct eksauth_error *err)
{
    if (kind == PE_UNAVAIL)
        pam_syslog(c->pamh, LOG_ERR, "%s", err->msg);
    set_result(r, kind, "%s", err->msg);
    return false;
}

/*
 * debug: the paths read, as printable.h shows them (config= is taken as
 * libpam hands it on, and EKSAUTH_CONFIG or EKSAUTH_DB from sshd's
 * environment: a control byte there must not reach syslog).
 */
static void log_paths(const struct pe_ctx *c)
{
    char config[EKSAUTH_PATH_MAX], db[EKSAUTH_PATH_MAX];

    (void)eksauth_printable(c->host.paths.config, config, sizeof(config));
    (void)eksauth_printable(c->host.paths.db, db, sizeof(db));
    pam_syslog(c->pamh, LOG_DEBUG, "config %s, identity DB %s", config, db);
}

/*
 * A local account first, before any config is read: it is the host's own
 * and keeps its own path, so a broken eksauth never locks out the
 * break-glass account.  Then the config (and the paths it gives).
 */
static bool ctx_load(struct pe_ctx *c, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st;
    bool local = false;

    st = eksauth_login_is_local(&c->host, c->user, &local, &err);
    if (st != EKSAUTH_OK)
        return fail(c, r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, &err);
    if (local) {
        set_result(r, PE_UNKNOWN, "'%s' is a local account", c->user);
        return false;
    }
    /* As an unreadable config: never another file than the one the line meant (options.c). */
    if (c->opt.bad_config) {
        set_result(
            r, PE_UNAVAIL,
            "the config option is not an absolute path (logged when read): no config is read");
        pam_syslog(c->pamh, LOG_ERR, "%s", r->reason);
        return false;
    }
    st = eksauth_ctx_load(&c->host, c->opt.config, &err);
    if (st != EKSAUTH_OK)
        return fail(c, r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, &err);
    if (c->opt.debug)
        log_paths(c);
    return true;
}

/* --------------------------------------------------------- authentication */

/*
 * Whether eksauth serves c->user (login.h): anything else is another
 * source's user, PE_UNKNOWN, so that with ignore_unknown_user the stack
 * goes on without a token prompt.
 */
static bool check_served(struct pe_ctx *c, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st = eksauth_login_serves(&c->host, c->user, &err);

    return st == EKSAUTH_OK || fail(c, r, status_kind(st), &err);
}

static void free_answer(char *resp)
{
    if (resp == NULL)
        return;
    OPENSSL_cleanse(resp, strlen(resp));
    free(resp);
}

/*
 * The token, whole, into pc.  use_first_pass: the PAM_AUTHTOK of an earlier
 * module (pam_get_authtok never prompts then).  try_first_pass: that item
 * when it is shaped like a token, else prompt.  Otherwise prompt: "EKS
 * token for AUDIENCE: ", then "EKS token (continued): " while an answer
 * ends with '\'.
 * (pam_get_authtok is not used to prompt: it would return an earlier
 * module's password without asking.)  A prompted token is not stored as
 * PAM_AUTHTOK: no later module needs it, and it stays in our buffers only.
 */
static bool read_token(struct pe_ctx *c, const char *audience, struct eksauth_pieces *pc,
                       struct pe_result *r)
{
    enum eksauth_pieces_result pr = EKSAUTH_PIECES_MORE;
    const void *item = NULL;
    const char *tok = NULL;
    char *resp = NULL;
    int rc;

    eksauth_pieces_init(pc);
    if (c->opt.use_first_pass) {
        rc = pam_get_authtok(c->pamh, PAM_AUTHTOK, &tok, NULL);
        if (rc != PAM_SUCCESS || tok == NULL) {
            set_result(r, PE_DENIED, "use_first_pass: no token from an earlier module");
            return false;
        }
        pr = eksauth_pieces_add(pc, tok, strlen(tok));
    } else if (c->opt.try_first_pass && pam_get_item(c->pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS &&
               item != NULL && eksauth_token_shaped(item, strlen(item))) {
        /* Only a token-shaped item: an earlier module's password is no token to check. */
        pr = eksauth_pieces_add(pc, item, strlen(item));
    } else {
        while (pr == EKSAUTH_PIECES_MORE) {
            /* The first prompt names this host's audience: the client mints for it. */
            if (pc->n == 0)
                rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &resp, EKSAUTH_PROMPT_FIRST_FMT,
                                audience);
            else
                rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s", EKSAUTH_PROMPT_CONTINUE);
            if (rc != PAM_SUCCESS || resp == NULL) {
                free_answer(resp);
                eksauth_pieces_wipe(pc);
                set_result(r, PE_DENIED, "conversation failed: %s", pam_strerror(c->pamh, rc));
                return false;
            }
            pr = eksauth_pieces_add(pc, resp, strlen(resp));
            free_answer(resp);
            resp = NULL;
        }
    }
    if (pr == EKSAUTH_PIECES_MORE) {
        /* A stored token cannot be continued: there is nobody to ask. */
        eksauth_pieces_wipe(pc);
        set_result(r, PE_DENIED, "token from an earlier module ends with '\\' (incomplete)");
        return false;
    }
    if (pr != EKSAUTH_PIECES_DONE) {
        set_result(r, PE_DENIED, "token: %s", eksauth_pieces_result_name(pr));
        return false;
    }
    if (pc->len == 0) {
        set_result(r, PE_DENIED, "token: empty answer");
        return false;
    }
    /* The length of a password typed at the prompt is the password's: not logged. */
    if (c->opt.debug && eksauth_token_shaped(pc->buf, pc->len))
        pam_syslog(c->pamh, LOG_DEBUG, "token of %zu bytes in %u answer(s)", pc->len, pc->n);
    return true;
}

/* The client cut the answer: say so on the conversation, and how to send it whole. */
static void cut_token_hint(struct pe_ctx *c, const struct eksauth_pieces *pc, struct pe_result *r)
{
    size_t n = strlen(r->reason);

    if (!pc->client_cut)
        return;
    if (!(c->flags & PAM_SILENT))
        pam_error(c->pamh,
                  "The EKS token was cut at %zu bytes by the client (ssh cuts answers at 1023 "
                  "bytes, sudo at 511). Use `eksauth ssh` or `eksauth askpass`, which send "
                  "the token in pieces.",
                  pc->cut_len);
    snprintf(r->reason + n, sizeof(r->reason) - n,
             " (answer of %zu bytes: the client cut the token; use eksauth ssh or eksauth "
             "askpass)",
             pc->cut_len);
}

/*
 * How far a login went, into the result: where this host could not decide
 * (its config, aws-auth or DB) it is unavailable, not a refusal.
 */
static void login_result(struct pe_ctx *c, const struct eksauth_login *l, enum eksauth_status st,
                         const struct eksauth_error *err, struct pe_result *r)
{
    enum pe_kind kind = status_kind(st);

    if (kind == PE_UNKNOWN ||
        (kind == PE_DENIED && (l->step == EKSAUTH_LOGIN_SETUP ||
                               (l->step == EKSAUTH_LOGIN_RECORD && st != EKSAUTH_EREJECTED))))
        kind = PE_UNAVAIL;
    if (l->step == EKSAUTH_LOGIN_SETUP || l->step == EKSAUTH_LOGIN_RECORD)
        pam_syslog(c->pamh, LOG_ERR, "%s", err->msg);
    /* The audit line names the rule: "token: <rule>" for a local check. */
    set_result(r, kind, "%s%s", l->step == EKSAUTH_LOGIN_TOKEN ? "token: " : "", err->msg);
}

/*
 * A login that mapped with the whole snapshot because the sync's login
 * index did not fit: correct, only slower (tens of milliseconds to half a
 * second for a large aws-auth), so one line per such login at LOG_NOTICE,
 * the level of the audit line beside it: it shows where the operator reads
 * logins without raising an alert for every login while it lasts, and it
 * says why and what to run (eksauth doctor says the same).  The message
 * names files and generations, never the token.  Only for a login that
 * STS vouched for and the snapshot mapped: a token refused before that
 * mapped nothing, and a spray of bad tokens must cost one line each (the
 * audit line), not two; so must a spray of good ones from an AWS account
 * aws-auth does not map (any account can have STS vouch for its token).
 */
static void log_index_fallback(struct pe_ctx *c, const struct eksauth_login *l)
{
    if (l->step > EKSAUTH_LOGIN_MAPPING && l->mapping.index == NULL &&
        l->mapping.index_fit != EKSAUTH_LOGIN_INDEX_FITS)
        pam_syslog(c->pamh, LOG_NOTICE, "mapped with the whole snapshot (slower): %s",
                   l->mapping.index_unfit.msg);
}

/*
 * The proof that this login gave a token, for the later stages in another
 * process (sshd's): see proof.h.  Without it they name no principal and
 * an account stage with require_token refuses, so a failure here is
 * logged, not fatal.
 */
static bool put_proof(struct pe_ctx *c, const struct eksauth_login *l)
{
    unsigned char key[EKSAUTH_PROOF_KEY_LEN];
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct pe_shield shield;
    enum eksauth_status st;
    bool lowered;

    /* The first login makes the key under its lock: the caller may not freeze it there. */
    pe_shield_raise(c->pamh, &shield);
    st = eksauth_proof_key(&c->host.paths, true, key, &err);
    lowered = pe_shield_lower(c->pamh, &shield);
    if (st == EKSAUTH_OK)
        st = pe_proof_put(c->pamh, key, l->id.login, l->token_fp, &err);
    /* err says why, never what the stack held. */
    if (st != EKSAUTH_OK)
        pam_syslog(c->pamh, LOG_ERR, "no token proof for the later stages: %s", err.msg);
    OPENSSL_cleanse(key, sizeof(key));
    return lowered;
}

/* Take the proof out of the PAM environment. */
static void drop_proof(pam_handle_t *pamh)
{
    if (pam_getenv(pamh, EKSAUTH_PROOF_ENV) != NULL)
        (void)pam_putenv(pamh, EKSAUTH_PROOF_ENV);
}

/* require_token applies to this PAM service (every one, or one a list names). */
static bool token_required_here(const struct pe_ctx *c)
{
    const void *item = NULL;
    size_t i;

    if (!c->opt.require_token)
        return false;
    if (c->opt.require_token_every)
        return true;
    if (pam_get_item(c->pamh, PAM_SERVICE, &item) != PAM_SUCCESS || item == NULL)
        return true; /* a service we cannot name: the stricter answer */
    /* Any list that names it (options.c: they add up). */
    for (i = 0; i < c->opt.n_require_token_lists; i++)
        if (eksauth_pam_token_list_names(c->opt.require_token_lists[i], item))
            return true;
    return false;
}

/*
 * An eksauth user passes the account stage only when this login gave a
 * token: a planted authorized_keys, .shosts or any other method never asked
 * for one.  This handle's own authentication, or the proof sshd's child
 * process put in the environment.
 */
static bool gave_token(struct pe_ctx *c, struct pe_result *r)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];
    struct eksauth_error err;

    if (pe_identity_get(c->pamh, c->user) != NULL ||
        pe_proof_check_env(c->pamh, &c->host.paths, c->user, fp, &err) == EKSAUTH_OK)
        return true;
    set_result(r, PE_DENIED,
               "%s: eksauth users log in with a token (keyboard-interactive), not a key or "
               "another method",
               err.msg);
    return false;
}

/*
 * One line to the person logging in, saying why (login.h: a reason class,
 * never more).  Not for PAM_SILENT callers.
 */
static void tell_reason(struct pe_ctx *c, const struct eksauth_login *l,
                        const struct eksauth_error *err)
{
    char why[256];

    if (c->flags & PAM_SILENT)
        return;
    eksauth_login_reason(l, err, why, sizeof(why));
    pam_error(c->pamh, "%s", why);
}

/*
 * The account glibc's NSS gives name, as sshd, login and su get it:
 * *found, and its uid.  0, or the errno of a lookup that failed.  A buffer
 * too small is grown (to PE_PW_BUF_MAX), an interrupted or busy lookup
 * tried again (PE_NSS_TRIES in all); ENOENT and ESRCH mean "no such name"
 * (getpwnam(3)).
 */
#define PE_PW_BUF_MAX (1024 * 1024)
#define PE_NSS_TRIES  3

static int nss_account(const char *name, bool *found, uid_t *uid)
{
    long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t len = hint > 0 && hint < PE_PW_BUF_MAX ? (size_t)hint : 4096;
    struct passwd pw, *res = NULL;
    char *buf = NULL, *grown;
    int rc, tries = 0;

    *found = false;
    for (;;) {
        grown = realloc(buf, len);
        if (grown == NULL) {
            rc = ENOMEM;
            break;
        }
        buf = grown;
        res = NULL;
        rc = getpwnam_r(name, &pw, buf, len, &res);
        if (rc == ERANGE && len < PE_PW_BUF_MAX)
            len *= 2;
        else if ((rc == EINTR || rc == EAGAIN) && ++tries < PE_NSS_TRIES)
            continue;
        else
            break;
    }
    if (rc == ENOENT || rc == ESRCH)
        rc = 0;
    if (rc == 0 && res != NULL) {
        *found = true;
        *uid = res->pw_uid;
    }
    free(buf);
    return rc;
}

/*
 * sshd logs in to the account NSS gives the name first.  With a directory
 * service before eksauth on the passwd: line (authselect's sssd profile:
 * `sss files eksauth`), a name both serve is the directory's account, and a
 * token eksauth maps to its own user of that name would log in there: the
 * name is an aws-auth username, or one a {{SessionName}} template gives,
 * which whoever assumes the role chooses.  So the account NSS gives must
 * be eksauth's own uid, checked before the login is recorded.  A name NSS
 * does not know is no refusal: nothing else owns it (nsswitch.conf without
 * eksauth, as the test driver outside a namespace; sshd then refuses the
 * user itself).  A lookup that fails cannot tell whose account sshd has:
 * unavailable (fail closed, as for an STS outage).
 */
static enum eksauth_status nss_agrees(const struct eksauth_login *l, struct eksauth_error *err)
{
    uid_t uid = 0;
    bool found;
    int rc = nss_account(l->id.login, &found, &uid);

    if (rc != 0)
        return eksauth_fail(err, rc == ENOMEM ? EKSAUTH_ENOMEM : EKSAUTH_EUNAVAIL,
                            "NSS: the account of '%s' cannot be looked up (getpwnam_r: %s), so "
                            "whose account sshd logs in to is not known",
                            l->id.login, strerror(rc));
    if (found && uid != (uid_t)l->id.uid)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "NSS gives '%s' to another account (uid %u), not eksauth's (uid %u): "
                            "a service on the passwd: line of nsswitch.conf before eksauth serves "
                            "that name; put eksauth before it (see eksauth doctor)",
                            l->id.login, (unsigned)uid, (unsigned)l->id.uid);
    return EKSAUTH_OK;
}

/* A login nss_agrees stopped: logged for the operator, and one line for the person. */
static void nss_result(struct pe_ctx *c, enum eksauth_status st, const struct eksauth_error *err,
                       struct pe_result *r)
{
    enum pe_kind kind = status_kind(st);

    pam_syslog(c->pamh, LOG_ERR, "%s", err->msg);
    set_result(r, kind, "%s", err->msg);
    if (c->flags & PAM_SILENT)
        return;
    pam_error(c->pamh, "eksauth: login refused: %s",
              kind == PE_DENIED ? "this login name belongs to another account here; ask the "
                                  "host's administrator"
                                : "this host cannot check logins now; tell its administrator");
}

static int authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct pe_ctx c;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct eksauth_pieces *pieces = NULL;
    struct eksauth_login_request req;
    struct eksauth_login *l = NULL;
    const char *audience = NULL;
    struct eksauth_error err;
    struct pe_shield shield;
    struct pe_audit a;
    enum eksauth_status st;
    bool nss_refused = false;
    int rc;

    memset(&a, 0, sizeof(a));
    /* A failed attempt must not leave an earlier identity to the later stages. */
    pe_identity_clear(pamh);
    if (!ctx_init(&c, pamh, flags, argc, argv, &r) || !ctx_load(&c, &r) || !check_served(&c, &r))
        goto out;
    pieces = calloc(1, sizeof(*pieces));
    if (pieces == NULL) {
        set_result(&r, PE_NOMEM, "out of memory");
        goto out;
    }
    /* Whom the token must be for: the prompt says it, STS checks it. */
    st = eksauth_ctx_audience(&c.host, &audience, &err);
    if (st != EKSAUTH_OK) {
        fail(&c, &r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, &err);
        goto out;
    }
    if (!read_token(&c, audience, pieces, &r))
        goto out;

    /* The login (login.h): the token's checks, STS, aws-auth and the host's policy. */
    memset(&req, 0, sizeof(req));
    req.token = pieces->buf;
    req.len = pieces->len;
    req.now = time(NULL);
    /*
     * The login takes locks every other login and the sync wait for (the
     * DB's, the single-use record's): the caller of sudo or su may not
     * freeze it while it holds one (shield.c).
     */
    pe_shield_raise(pamh, &shield);
    st = eksauth_login_check(&c.host, &req, &l, &err);
    /* Another login name is the commit's to refuse, with its own reason. */
    if (st == EKSAUTH_OK && strcmp(l->id.login, c.user) == 0) {
        st = nss_agrees(l, &err);
        nss_refused = st != EKSAUTH_OK;
    }
    if (st == EKSAUTH_OK)
        st = eksauth_login_commit(&c.host, l, c.user, time(NULL), &err);
    if (!pe_shield_lower(pamh, &shield)) {
        set_result(&r, PE_SYSERR, "cannot restore the caller's real uid");
        goto out;
    }
    if (l != NULL)
        log_index_fallback(&c, l);
    if (st != EKSAUTH_OK) {
        if (l == NULL) {
            set_result(&r, status_kind(st), "%s", err.msg);
            goto out;
        }
        if (nss_refused) {
            nss_result(&c, st, &err, &r);
            goto out;
        }
        login_result(&c, l, st, &err, &r);
        if (l->step == EKSAUTH_LOGIN_TOKEN && pieces->client_cut)
            cut_token_hint(&c, pieces, &r);
        else
            tell_reason(&c, l, &err);
        goto out;
    }
    if (c.opt.debug)
        pam_syslog(pamh, LOG_DEBUG, "sts: %s (canonical %s)", l->principal.arn,
                   l->principal.canonical_arn);
    rc = pe_identity_keep(pamh, l, c.host.cfg.cluster_id);
    if (rc != PAM_SUCCESS) {
        pam_failed(&r, pamh, rc, "keeping the identity");
        goto out;
    }
    if (!put_proof(&c, l)) {
        pe_identity_clear(pamh); /* a failed stage leaves no identity to the later ones */
        set_result(&r, PE_SYSERR, "cannot restore the caller's real uid");
        goto out;
    }
    set_result(&r, PE_SUCCESS, "uid %u", (unsigned)l->id.uid);
out:
    audit_outcome(&a, "auth", &c, &r);
    if (l != NULL) {
        /* What the login established before it ended: never the token, its fingerprint. */
        a.token_fp = l->token_fp;
        if (l->step > EKSAUTH_LOGIN_TOKEN)
            a.access_key_id = l->tok.access_key_id;
        if (l->step > EKSAUTH_LOGIN_STS) {
            a.audience = l->cluster_token ? "cluster" : "host";
            a.arn = l->sid.arn;
            a.canonical_arn = l->principal.canonical_arn;
            a.session = l->principal.session_name;
            a.account = l->principal.account;
        }
        if (l->step > EKSAUTH_LOGIN_MAPPING)
            a.k8s_user = l->id.k8s.username;
    }
    /* Nothing at all to say for someone else's user: pam_unix goes on. */
    if (r.kind != PE_UNKNOWN || c.opt.debug)
        pe_audit_log(pamh, &a);
    rc = pam_code(&c, r.kind, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL);
    eksauth_login_free(l);
    if (pieces != NULL) {
        eksauth_pieces_wipe(pieces);
        free(pieces);
    }
    ctx_free(&c);
    return rc;
}

/* ------------------------------------------------------------- account */

/*
 * The identity the stages after authentication use: this handle's own, or
 * one taken by an earlier stage, or taken now and kept in pam_data.  Taken
 * means the DB's record plus, until a session has opened in this handle,
 * the EKS_* in the environment with their token proof (sshd authenticates
 * in a child process and passes only the environment; it calls setcred
 * before opening the session).  After that a session module may have
 * filled the environment from the user's own files (pam_env
 * user_readenv=1): the record alone, naming no token login.
 * NULL with r set when there is none (not our user, or the DB failed).
 * Needs ctx_load.
 */
static const struct pe_identity *stage_identity(struct pe_ctx *c, struct pe_result *r)
{
    const struct pe_identity *state = pe_identity_session(c->pamh, c->user);
    struct pe_identity pi;
    struct eksauth_error err;
    enum eksauth_status st;
    int rc;

    if (state != NULL)
        return state;
    /*
     * The environment is another process's authentication's only in a
     * handle that ran none: after its own (for another user, sudo -u) its
     * EKS_* and proof are that login's, not a claim of this user's to check.
     */
    st = pe_identity_from_db(
        c->pamh, &c->host, c->user,
        !pe_session_opened(c->pamh) && !pe_identity_authenticated_here(c->pamh), &pi, &err);
    if (st != EKSAUTH_OK) {
        set_result(r, status_kind(st), "%s", err.msg);
        return NULL;
    }
    rc = pe_identity_keep_taken(c->pamh, &pi);
    if (rc != PAM_SUCCESS) {
        pam_failed(r, c->pamh, rc, "keeping the identity");
        return NULL;
    }
    return pe_identity_session(c->pamh, c->user);
}

/*
 * The identity setcred and the session give EKS_* from: kept in this handle,
 * else taken now (stage_identity).  NULL with r set when there is none.
 */
static const struct pe_identity *later_identity(struct pe_ctx *c, struct pe_result *r)
{
    const struct pe_identity *state = pe_identity_session(c->pamh, c->user);

    if (state == NULL && ctx_load(c, r))
        state = stage_identity(c, r);
    return state;
}

/* What nss_serves found. */
enum nss_answer {
    NSS_NOT_OURS,  /* a local account, no DB, a DB NSS refuses too, or a name it does not serve */
    NSS_SERVES,    /* a record of NSS's DB, or a templated name before its first login */
    NSS_MAY_SERVE, /* this stage could not tell (out of memory or descriptors, keyed ids) */
};

/*
 * Whether the NSS module serves user from the identity DB it reads
 * (eksauth_iddb_default_path: it cannot read the config), for a stage
 * that could not place the user itself (no config, the config's DB
 * missing or another than NSS's): the account modules after this one
 * (pam_unix) take any user NSS knows.  NSS's own rule
 * (eksauth_iddb_served_name, lib/iddb_template.c): a record, or a
 * templated name before its first login, which no token has proved.
 * Fail closed: a name this stage could not judge (its own errors, a part
 * of the DB it could not read, keyed ids when not root), NSS with the
 * mapping it holds may still answer.  Never for a local account, whose
 * name NSS serves from files.
 */
static enum nss_answer nss_serves(struct pe_ctx *c)
{
    const struct eksauth_host *host;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    enum eksauth_iddb_served served;
    enum eksauth_status st;
    bool local = true;

    if (c->user == NULL)
        return NSS_NOT_OURS;
    if (eksauth_login_is_local(&c->host, c->user, &local, &err) != EKSAUTH_OK ||
        (!local && eksauth_ctx_local_names(&c->host, &host, &err) != EKSAUTH_OK))
        return NSS_MAY_SERVE;
    if (local)
        return NSS_NOT_OURS;
    st = eksauth_iddb_open(eksauth_iddb_default_path(), &db, NULL);
    /*
     * No DB, or one NSS refuses as well (damaged, another's, another
     * version, not root's alone): it serves nothing from it.
     */
    if (st == EKSAUTH_EUNAVAIL || st == EKSAUTH_EINVAL || st == EKSAUTH_EREJECTED)
        return NSS_NOT_OURS;
    if (st != EKSAUTH_OK)
        return NSS_MAY_SERVE;
    served = eksauth_iddb_served_name(db, c->user, host->local_id, host->ctx, NULL, NULL);
    eksauth_iddb_close(db);
    if (served == EKSAUTH_IDDB_SERVED_NO)
        return NSS_NOT_OURS;
    return served == EKSAUTH_IDDB_SERVED_RECORD || served == EKSAUTH_IDDB_SERVED_TEMPLATED
               ? NSS_SERVES
               : NSS_MAY_SERVE;
}

/*
 * The mapping must still hold (login.h: the identity DB is what `eksauth
 * sync` last recorded), for the same k8s user when this handle
 * authenticated; require_group= on top.
 */
static int acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct eksauth_error err;
    struct pe_ctx c;
    struct pe_audit a;
    enum eksauth_status st;
    bool recorded = false, no_token = false, held = false;
    enum nss_answer nss = NSS_NOT_OURS;
    int rc;

    memset(&a, 0, sizeof(a));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r))
        goto out;
    state = pe_identity_get(pamh, c.user);
    if (state != NULL)
        audit_identity(&a, state);
    if (!ctx_load(&c, &r))
        goto out;
    st = eksauth_login_account(&c.host, c.user, state != NULL ? state->k8s_username : NULL,
                               c.opt.require_group, c.opt.n_require_group, &a.k8s_user, &err);
    if (st != EKSAUTH_OK) {
        fail(&c, &r, status_kind(st), &err);
        /* The DB records this user (login.h: k8s_user is set): eksauth's to refuse. */
        recorded = a.k8s_user != NULL;
        goto out;
    }
    /* An unusable require_group= or require... must not open the door it was meant to narrow. */
    if (c.opt.bad_gate) {
        set_result(&r, PE_DENIED, "a require option is unusable (logged when read)");
        goto out;
    }
    if (token_required_here(&c) && !gave_token(&c, &r))
        goto out;
    /*
     * Taken now, while the environment is the authentication's: not fatal
     * when it fails.  The audit line names it when the authentication ran
     * in another process and proved it, so that the account line says whose
     * login passed; for a login that gave no token (a key) it names none.
     */
    if (state == NULL) {
        state = stage_identity(&c, &r);
        if (state == NULL)
            pam_syslog(pamh, LOG_ERR, "the identity for the session: %s", r.reason);
        else
            audit_identity(&a, state);
        no_token = state != NULL && !state->gave_token;
    }
    set_result(&r, PE_SUCCESS, no_token ? "mapped; " PE_NO_TOKEN : "mapped");
out:
    /*
     * The proof has done its work here, unless this handle made it: sshd's
     * child runs the account stage after the authentication, and the
     * process that opens the session takes the identity with it
     * (stage_identity at setcred), then takes it out.
     */
    if (pe_identity_get(pamh, c.user) == NULL)
        drop_proof(pamh);
    rc = pam_code(&c, r.kind, PAM_PERM_DENIED, PAM_AUTHINFO_UNAVAIL);
    /*
     * ignore_authinfo_unavail and ignore_unknown_user let the stack go on
     * for a user this host cannot place or does not serve; one its DB
     * records, or one NSS serves (nss_serves: recorded or templated in the
     * DB NSS reads, when the config or its DB cannot be read, or the
     * config's db_path is another file), would be let in by the next
     * module (pam_unix's account stage takes an NSS user without a shadow
     * entry), on a mapping no sync has confirmed (max_snapshot_age), a
     * name no login proved, or a config (deny_user, require_token) this
     * stage could not apply.
     */
    if (rc == PAM_IGNORE && (r.kind == PE_UNAVAIL || r.kind == PE_UNKNOWN) &&
        (recorded || (nss = nss_serves(&c)) != NSS_NOT_OURS)) {
        held = true;
        rc = r.kind == PE_UNAVAIL ? PAM_AUTHINFO_UNAVAIL : PAM_USER_UNKNOWN;
        /* A name NSS serves (a valid login, never a token typed as one): safe to quote. */
        if (r.kind == PE_UNKNOWN && nss == NSS_SERVES)
            set_result(&r, PE_UNKNOWN,
                       "'%s' is not in the config's identity DB, but NSS serves it from %s "
                       "(db_path should name the DB NSS reads)",
                       c.user, eksauth_iddb_default_path());
        else if (r.kind == PE_UNKNOWN)
            set_result(&r, PE_UNKNOWN,
                       "not in the config's identity DB, and NSS may serve it from %s, which this "
                       "stage could not check: refused",
                       eksauth_iddb_default_path());
    }
    audit_outcome(&a, "account", &c, &r);
    if (r.kind != PE_UNKNOWN || c.opt.debug || held)
        pe_audit_log(pamh, &a);
    ctx_free(&c);
    return rc;
}

/* -------------------------------------------------------------- setcred */

/*
 * Nothing to establish (supplementary groups come from NSS initgroups,
 * docs/design.md) but EKS_*, once more: sshd calls setcred again in the
 * process that runs the session, after the session stack, so the values
 * are the module's even where a pam_env line comes after pam_eksauth's
 * session line.  Not a gate: without the config or DB (logged by ctx_load)
 * it only says "not mine".
 */
static int setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state = NULL;
    struct pe_result r = {PE_IGNORE, ""};
    struct pe_ctx c;
    int rc;

    if (!ctx_init(&c, pamh, flags, argc, argv, &r)) {
        r.kind = PE_IGNORE;
        goto out;
    }
    state = later_identity(&c, &r);
    if (state == NULL) {
        r.kind = PE_IGNORE;
        goto out;
    }
    r.kind = PE_SUCCESS;
    rc = (flags & PAM_DELETE_CRED) != 0 ? PAM_SUCCESS : pe_identity_put_env(pamh, state);
    if (rc != PAM_SUCCESS)
        pam_failed(&r, pamh, rc, "pam_putenv");
out:
    /*
     * The proof is for the stages before the session: taken (later_identity)
     * by now.  Every application calls setcred before the session, where
     * the account stage kept it for another process (sshd's child) or is
     * another module's (sudo's stack) and nothing else takes it out.
     */
    drop_proof(pamh);
    rc = pam_code(&c, r.kind, PAM_CRED_ERR, PAM_CRED_UNAVAIL);
    ctx_free(&c);
    return rc;
}

/* -------------------------------------------------------------- session */

static int open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct pe_ctx c;
    struct pe_audit a;
    int rc;

    memset(&a, 0, sizeof(a));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r))
        goto out;
    /*
     * The identity comes from pam_data or the DB, never from the environment
     * as it is now: a pam_env line before this one may have set EKS_* from
     * the user's ~/.pam_environment.  What this puts in is the module's own.
     */
    pe_session_mark_open(pamh);
    state = later_identity(&c, &r);
    if (state == NULL)
        goto out;
    a.k8s_user = state->k8s_username;
    audit_identity(&a, state);
    rc = pe_identity_put_env(pamh, state);
    if (rc != PAM_SUCCESS) {
        pam_failed(&r, pamh, rc, "pam_putenv");
        goto out;
    }
    set_result(&r, PE_SUCCESS, "groups %s%s", state->k8s_groups,
               state->gave_token ? "" : "; " PE_NO_TOKEN);
out:
    /*
     * The proof is no part of a session's environment, whoever's session it
     * is: sudo without setcred (Defaults !pam_setcred) opens the command
     * user's (root's) after an account stage that kept it.
     */
    drop_proof(pamh);
    audit_outcome(&a, "open_session", &c, &r);
    /* A session of someone else's user is not ours to log or to refuse. */
    if (r.kind == PE_UNKNOWN)
        r.kind = PE_IGNORE;
    else
        pe_audit_log(pamh, &a);
    rc = pam_code(&c, r.kind, PAM_SESSION_ERR, PAM_SESSION_ERR);
    ctx_free(&c);
    return rc;
}

/*
 * The identity of a session that closes in a handle that kept none: the
 * DB's record (pe_identity_from_db), never the environment, which a pam_env
 * line may have filled from the user's own ~/.pam_environment by now.  NULL
 * when eksauth does not serve c->user (nothing to log).
 */
static const struct pe_identity *closing_identity(struct pe_ctx *c, struct pe_identity *pi,
                                                  struct pe_result *r)
{
    struct eksauth_error err;

    if (!ctx_load(c, r))
        return NULL;
    if (pe_identity_from_db(c->pamh, &c->host, c->user, false, pi, &err) != EKSAUTH_OK)
        return NULL;
    return pi;
}

static int close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_identity taken;
    struct pe_result r = {PE_IGNORE, ""};
    struct pe_ctx c;
    struct pe_audit a;
    int rc;

    memset(&a, 0, sizeof(a));
    memset(&taken, 0, sizeof(taken));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r))
        goto out;
    state = pe_identity_session(pamh, c.user);
    if (state == NULL)
        state = closing_identity(&c, &taken, &r);
    if (state == NULL)
        goto out;
    a.k8s_user = state->k8s_username;
    audit_identity(&a, state);
    set_result(&r, PE_SUCCESS, "%s", state->gave_token ? "" : PE_NO_TOKEN);
    audit_outcome(&a, "close_session", &c, &r);
    pe_audit_log(pamh, &a);
out:
    /* Not a gate: a session with no identity of ours is someone else's. */
    if (r.kind != PE_SUCCESS)
        r.kind = PE_IGNORE;
    rc = pam_code(&c, r.kind, PAM_SESSION_ERR, PAM_SESSION_ERR);
    pe_identity_free(&taken);
    ctx_free(&c);
    return rc;
}

/* ----------------------------------------------------------- entry points */

int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return authenticate(pamh, flags, argc, argv);
}

int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return setcred(pamh, flags, argc, argv);
}

int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return acct_mgmt(pamh, flags, argc, argv);
}

int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return open_session(pamh, flags, argc, argv);
}

int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    return close_session(pamh, flags, argc, argv);
}
