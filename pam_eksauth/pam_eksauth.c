/*
 * pam_eksauth.c - pam_eksauth.so: log in to a Linux host with an EKS token,
 * as the cluster's aws-auth maps it (DESIGN §1, §3, §4).
 *
 * Implements the Linux-PAM service module contract (pam_modules(3)):
 *   pam_sm_authenticate   token (in pieces) -> local checks -> STS -> aws-auth
 *                         -> POSIX names; login must be PAM_USER; record the
 *                         login in the identity DB; keep the identity
 *   pam_sm_setcred        nothing to set: groups come from NSS initgroups
 *   pam_sm_acct_mgmt      the mapping must still be in the identity DB (what
 *                         `eksauth sync` recorded); require_group=
 *   pam_sm_open_session   EKS_* environment; audit line
 *   pam_sm_close_session  audit line
 * Each entry point is a thin wrapper around one worker with a single exit.
 * The identity passes from authentication to the later stages of the same
 * handle with pam_set_data, and through the PAM environment when sshd runs
 * authentication in a child process.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/crypto.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/imds.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"
#include "eksauth/replay.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"
#include "pam_eksauth.h"
#include "pieces.h"

/* aws-auth with 10,000 entries is a few MB; refuse anything absurd. */
#define AWS_AUTH_MAX (64u * 1024 * 1024)

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
    const char *config_path;
    const char *db_path;
    struct eksauth_config cfg;
    bool cfg_loaded;
    struct eksauth_hostfiles hf;
    bool hf_loaded;
    struct eksauth_iddb *db;
};

/* The authentication stage's secrets, on the heap and wiped as one block. */
struct pe_secrets {
    struct eksauth_pieces pieces;
    struct eksauth_token tok;
    struct eksauth_sts_identity sid;
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

/* An eksauth status that is not a refusal of the login: memory, or a service. */
static enum pe_kind status_kind(enum eksauth_status st, enum pe_kind otherwise)
{
    if (st == EKSAUTH_ENOMEM)
        return PE_NOMEM;
    if (st == EKSAUTH_EUNAVAIL)
        return PE_UNAVAIL;
    return otherwise;
}

/* ------------------------------------------------------------ the context */

static void ctx_free(struct pe_ctx *c)
{
    if (c->db != NULL)
        eksauth_iddb_close(c->db);
    if (c->hf_loaded)
        eksauth_hostfiles_free(&c->hf);
    if (c->cfg_loaded)
        eksauth_config_free(&c->cfg);
    c->db = NULL;
    c->hf_loaded = false;
    c->cfg_loaded = false;
}

/* Options, PAM_USER and PAM_RHOST. */
static bool ctx_init(struct pe_ctx *c, pam_handle_t *pamh, int flags, int argc, const char **argv,
                     struct pe_result *r)
{
    const void *item = NULL;

    memset(c, 0, sizeof(*c));
    c->pamh = pamh;
    c->flags = flags;
    pe_options_parse(pamh, argc, argv, &c->opt);
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item != NULL)
        c->rhost = item;
    if (pam_get_user(pamh, &c->user, NULL) != PAM_SUCCESS || c->user == NULL ||
        c->user[0] == '\0') {
        c->user = NULL;
        set_result(r, PE_UNKNOWN, "no user name");
        return false;
    }
    return true;
}

/*
 * The local names (/etc/passwd): a local account is the host's own and
 * keeps its own path, so it is "not ours" before any config is read: a
 * broken eksauth never locks out the break-glass account.
 */
static bool ctx_is_local(struct pe_ctx *c, bool *local, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st;

    *local = false;
    st = eksauth_hostfiles_load(&c->hf, NULL, NULL, &err);
    if (st != EKSAUTH_OK) {
        pam_syslog(c->pamh, LOG_ERR, "%s", err.msg);
        set_result(r, status_kind(st, PE_UNAVAIL), "%s", err.msg);
        return false;
    }
    c->hf_loaded = true;
    *local = c->hf.host.local_user(c->hf.host.ctx, c->user);
    return true;
}

static bool ctx_load_config(struct pe_ctx *c, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st;
    const char *env;

    c->config_path = c->opt.config;
    /* secure_getenv: under a setuid program the caller's environment is not trusted. */
    if (c->config_path == NULL && (env = secure_getenv("EKSAUTH_CONFIG")) != NULL && env[0] == '/')
        c->config_path = env;
    if (c->config_path == NULL)
        c->config_path = EKSAUTH_CONFIG_PATH;
    st = eksauth_config_init(&c->cfg, &err);
    if (st == EKSAUTH_OK) {
        c->cfg_loaded = true;
        /* The config decides whom the host trusts: root's alone, or not at all. */
        st = eksauth_config_load(&c->cfg, c->config_path, true, &err);
    }
    if (st == EKSAUTH_OK && c->cfg.cluster_id == NULL)
        st =
            eksauth_fail(&err, EKSAUTH_EINVAL, "config: %s: cluster_id is not set", c->config_path);
    if (st != EKSAUTH_OK) {
        pam_syslog(c->pamh, LOG_ERR, "%s", err.msg);
        set_result(r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, "%s", err.msg);
        return false;
    }
    c->db_path = c->cfg.db_path;
    if ((env = secure_getenv("EKSAUTH_DB")) != NULL && env[0] == '/')
        c->db_path = env;
    if (c->opt.debug)
        pam_syslog(c->pamh, LOG_DEBUG, "config %s, identity DB %s", c->config_path, c->db_path);
    return true;
}

static bool ctx_open_db(struct pe_ctx *c, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st;

    /* The reader refuses a DB that is not root's, is writable by others or is corrupt. */
    st = eksauth_iddb_open(c->db_path, &c->db, &err);
    if (st != EKSAUTH_OK) {
        c->db = NULL;
        pam_syslog(c->pamh, LOG_ERR, "%s", err.msg);
        set_result(r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, "%s", err.msg);
        return false;
    }
    return true;
}

/*
 * Local check, config and DB, in that order.  A local account ends it with
 * PE_UNKNOWN (eksauth never serves it).
 */
static bool ctx_load(struct pe_ctx *c, struct pe_result *r)
{
    bool local;

    if (!ctx_is_local(c, &local, r))
        return false;
    if (local) {
        set_result(r, PE_UNKNOWN, "'%s' is a local account", c->user);
        return false;
    }
    return ctx_load_config(c, r) && ctx_open_db(c, r);
}

/* ----------------------------------------------------- identity (pam_data) */

void pe_identity_free(struct pe_identity *id)
{
    if (id == NULL)
        return;
    free(id->login);
    free(id->k8s_username);
    free(id->k8s_groups);
    free(id->arn);
    free(id->canonical_arn);
    free(id->session_name);
    free(id->access_key_id);
    free(id->account);
    free(id->cluster_id);
    memset(id, 0, sizeof(*id));
}

static void identity_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
    (void)pamh;
    (void)error_status;
    pe_identity_free(data);
    free(data);
}

static char *dup0(const char *s)
{
    return strdup(s != NULL ? s : "");
}

static bool identity_complete(const struct pe_identity *id)
{
    return id->login != NULL && id->k8s_username != NULL && id->k8s_groups != NULL &&
           id->arn != NULL && id->canonical_arn != NULL && id->session_name != NULL &&
           id->access_key_id != NULL && id->account != NULL && id->cluster_id != NULL;
}

/* "a,b,c" of the k8s groups: the value of EKS_GROUPS. */
static char *join_groups(char *const *groups, size_t n)
{
    size_t i, len = 1;
    char *out, *p;

    for (i = 0; i < n; i++)
        len += strlen(groups[i]) + 1;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    p = out;
    for (i = 0; i < n; i++) {
        size_t l = strlen(groups[i]);

        if (i > 0)
            *p++ = ',';
        memcpy(p, groups[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

static const struct pe_identity *get_identity(pam_handle_t *pamh, const char *user)
{
    const void *data = NULL;
    const struct pe_identity *id;

    if (pam_get_data(pamh, PE_DATA_IDENTITY, &data) != PAM_SUCCESS || data == NULL)
        return NULL;
    id = data;
    /* Kept for one login: an application that changed PAM_USER since gets nothing. */
    if (user == NULL || strcmp(id->login, user) != 0)
        return NULL;
    return id;
}

/* ------------------------------------------------------------ environment */

/* EKS_* values come from STS and aws-auth: keep control bytes out of the environment. */
static int put_env(pam_handle_t *pamh, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value), i;
    char *s = malloc(nlen + 1 + vlen + 1);
    int rc;

    if (s == NULL)
        return PAM_BUF_ERR;
    memcpy(s, name, nlen);
    s[nlen] = '=';
    for (i = 0; i < vlen; i++) {
        unsigned char ch = (unsigned char)value[i];

        s[nlen + 1 + i] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    s[nlen + 1 + vlen] = '\0';
    rc = pam_putenv(pamh, s);
    free(s);
    return rc;
}

static const char *const ENV_NAMES[] = {
    "EKS_USERNAME",     "EKS_GROUPS",     "EKS_ARN",        "EKS_CANONICAL_ARN",
    "EKS_SESSION_NAME", "EKS_ACCOUNT_ID", "EKS_CLUSTER_ID",
};

/* A failed attempt leaves no identity behind, in pam_data or in the environment. */
static void clear_identity(pam_handle_t *pamh)
{
    size_t i;

    (void)pam_set_data(pamh, PE_DATA_IDENTITY, NULL, NULL);
    for (i = 0; i < sizeof(ENV_NAMES) / sizeof(ENV_NAMES[0]); i++) {
        if (pam_getenv(pamh, ENV_NAMES[i]) != NULL)
            (void)pam_putenv(pamh, ENV_NAMES[i]); /* a bare name deletes it */
    }
}

static int put_identity_env(pam_handle_t *pamh, const struct pe_identity *id)
{
    const struct {
        const char *name, *value;
    } vars[] = {
        {"EKS_USERNAME", id->k8s_username},
        {"EKS_GROUPS", id->k8s_groups},
        {"EKS_ARN", id->arn},
        {"EKS_CANONICAL_ARN", id->canonical_arn},
        {"EKS_SESSION_NAME", id->session_name},
        {"EKS_ACCOUNT_ID", id->account},
        {"EKS_CLUSTER_ID", id->cluster_id},
    };
    size_t i;
    int rc;

    for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        rc = put_env(pamh, vars[i].name, vars[i].value);
        if (rc != PAM_SUCCESS)
            return rc;
    }
    return PAM_SUCCESS;
}

/* --------------------------------------------------------- authentication */

/*
 * Whether eksauth serves c->user: a user of the identity DB, or a name that
 * fits a username template of the current aws-auth (NSS answers for it).
 * Anything else is another source's user: PE_UNKNOWN, so that with
 * ignore_unknown_user the stack goes on without a token prompt.
 */
static bool check_served(struct pe_ctx *c, struct pe_result *r)
{
    struct eksauth_iddb_user u;
    enum eksauth_status st;
    uint32_t uid;

    /* Only names NSS could serve: never a reserved or malformed one. */
    if (!eksauth_names_valid(c->user) || eksauth_names_reserved(c->user)) {
        set_result(r, PE_UNKNOWN, "'%s' is not a name eksauth serves", c->user);
        return false;
    }
    st = eksauth_iddb_user_by_name(c->db, c->user, &u);
    if (st == EKSAUTH_OK)
        return true;
    if (st != EKSAUTH_ENOTFOUND) {
        pam_syslog(c->pamh, LOG_ERR, "identity DB %s: bad record for %s", c->db_path, c->user);
        set_result(r, PE_UNAVAIL, "identity DB: bad record");
        return false;
    }
    if (eksauth_iddb_template_user(c->db, c->user, &uid) == EKSAUTH_OK)
        return true;
    set_result(r, PE_UNKNOWN, "'%s' is not in the identity DB", c->user);
    return false;
}

static bool looks_like_token(const char *s)
{
    return strncmp(s, EKSAUTH_TOKEN_PREFIX, strlen(EKSAUTH_TOKEN_PREFIX)) == 0;
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
 * token: ", then "EKS token (continued): " while an answer ends with '\'.
 * (pam_get_authtok is not used to prompt: it would return an earlier
 * module's password without asking.)  A prompted token is not stored as
 * PAM_AUTHTOK: no later module needs it, and it stays in our buffers only.
 */
static bool read_token(struct pe_ctx *c, struct eksauth_pieces *pc, struct pe_result *r)
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
               item != NULL && looks_like_token(item)) {
        /* Only a token-shaped item: an earlier module's password is no token to check. */
        pr = eksauth_pieces_add(pc, item, strlen(item));
    } else {
        while (pr == EKSAUTH_PIECES_MORE) {
            rc = pam_prompt(c->pamh, PAM_PROMPT_ECHO_OFF, &resp, "%s",
                            pc->n == 0 ? EKSAUTH_PROMPT_FIRST : EKSAUTH_PROMPT_CONTINUE);
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
    if (c->opt.debug)
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
 * The aws-auth the mapping reads: the config's aws_auth_file, or, when
 * aws-auth comes from the cluster (source = kubernetes | eks-api), the last
 * good snapshot `eksauth sync` keeps beside the identity DB.  Root's alone.
 */
static bool load_awsauth(struct pe_ctx *c, struct eksauth_awsauth **aa, struct pe_result *r)
{
    struct eksauth_error err;
    enum eksauth_status st;
    char *data = NULL, snapshot[4200], *slash;
    const char *path = c->cfg.aws_auth_file;
    size_t len = 0, i;

    *aa = NULL;
    if (path == NULL && c->cfg.source != EKSAUTH_SOURCE_FILE) {
        snprintf(snapshot, sizeof(snapshot), "%s", c->db_path);
        slash = strrchr(snapshot, '/');
        if (slash != NULL) {
            snprintf(slash + 1, sizeof(snapshot) - (size_t)(slash + 1 - snapshot), "%s",
                     "aws-auth.snapshot");
            path = snapshot;
        }
    }
    if (path == NULL) {
        pam_syslog(c->pamh, LOG_ERR, "config: %s: aws_auth_file is not set", c->config_path);
        set_result(r, PE_UNAVAIL, "config: aws_auth_file is not set");
        return false;
    }
    /* Whoever can write aws-auth chooses logins and groups: it must be root's alone. */
    st = eksauth_file_read(path, AWS_AUTH_MAX, true, &data, &len, &err);
    if (st == EKSAUTH_OK) {
        st = eksauth_awsauth_parse(data, len, aa, &err);
        if (st != EKSAUTH_OK)
            eksauth_error_prefix(&err, "%s", path);
    }
    free(data);
    if (st != EKSAUTH_OK) {
        *aa = NULL;
        pam_syslog(c->pamh, LOG_ERR, "aws-auth: %s", err.msg);
        set_result(r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, "aws-auth: %s", err.msg);
        return false;
    }
    if (c->opt.debug) {
        for (i = 0; i < eksauth_awsauth_warning_count(*aa); i++)
            pam_syslog(c->pamh, LOG_DEBUG, "%s", eksauth_awsauth_warning_at(*aa, i));
    }
    return true;
}

/* The ids the DB has recorded: the plan keeps them (they never change once given). */
static bool db_seeds(struct pe_ctx *c, struct eksauth_id_seed **out, size_t *n, struct pe_result *r)
{
    uint32_t nu = eksauth_iddb_user_count(c->db), ng = eksauth_iddb_group_count(c->db), i;
    struct eksauth_id_seed *seeds;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;

    *out = NULL;
    *n = 0;
    seeds = calloc((size_t)nu + ng + 1, sizeof(*seeds));
    if (seeds == NULL) {
        set_result(r, PE_NOMEM, "out of memory");
        return false;
    }
    for (i = 0; i < nu; i++) {
        if (eksauth_iddb_user_at(c->db, i, &u) != EKSAUTH_OK)
            continue;
        /* The plan copies the names; they point into the mapped DB meanwhile. */
        seeds[*n].name = (char *)u.login;
        seeds[*n].id = u.uid;
        seeds[*n].is_group = false;
        (*n)++;
    }
    for (i = 0; i < ng; i++) {
        if (eksauth_iddb_group_at(c->db, i, &g) != EKSAUTH_OK ||
            (g.flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0)
            continue;
        seeds[*n].name = (char *)g.name;
        seeds[*n].id = g.gid;
        seeds[*n].is_group = true;
        (*n)++;
    }
    *out = seeds;
    return true;
}

static bool group_is_mapped_locally(const struct eksauth_config *cfg, const char *k8s_group)
{
    size_t i;

    for (i = 0; k8s_group != NULL && i < cfg->n_group_map; i++) {
        if (strcmp(cfg->group_map[i].from, k8s_group) == 0)
            return true;
    }
    return false;
}

/*
 * Record the login (under the DB writer's lock): the user and its groups as
 * the mapping gives them now, so sshd's initgroups sees them; a templated
 * user gets its persistent uid here.
 */
static bool record_login(struct pe_ctx *c, struct eksauth_identity *id, struct pe_result *r)
{
    struct eksauth_iddb_group_in *groups = NULL;
    struct eksauth_iddb_user_in u;
    struct eksauth_error err;
    enum eksauth_status st;
    uint32_t uid = 0;
    size_t i;

    groups = calloc(id->n_groups + 1, sizeof(*groups));
    if (groups == NULL) {
        set_result(r, PE_NOMEM, "out of memory");
        return false;
    }
    for (i = 0; i < id->n_groups; i++) {
        bool local = group_is_mapped_locally(&c->cfg, id->groups[i].k8s_group);

        groups[i].name = id->groups[i].name;
        groups[i].k8s_group = local ? NULL : id->groups[i].k8s_group;
        groups[i].gid = id->groups[i].gid;
        groups[i].flags = local ? EKSAUTH_IDDB_GROUP_LOCAL : 0;
    }
    memset(&u, 0, sizeof(u));
    u.login = id->login;
    u.k8s_username = id->k8s.username;
    /* Static users carry the entry's ARN, as sync records it; templated users the
     * caller's ARN as STS gave it: sync maps it again (session name included) to keep
     * or revoke them. */
    u.arn = (!id->templated && id->k8s.entry != NULL && id->k8s.entry->arn != NULL)
                ? id->k8s.entry->arn
                : id->arn;
    /* 0: the id NSS already answers for a templated name; a recorded user keeps its own. */
    u.uid = id->templated ? 0 : id->uid;
    u.flags = id->templated ? EKSAUTH_IDDB_USER_TEMPLATED : 0;
    st = eksauth_iddb_record_login(c->db_path, &u, groups, id->n_groups, &uid, &err);
    free(groups);
    if (st != EKSAUTH_OK) {
        pam_syslog(c->pamh, LOG_ERR, "identity DB: recording %s failed: %s", id->login, err.msg);
        /* Refused by the DB (the name belongs to another k8s user): a denial, not an outage. */
        set_result(r,
                   st == EKSAUTH_ENOMEM      ? PE_NOMEM
                   : st == EKSAUTH_EREJECTED ? PE_DENIED
                                             : PE_UNAVAIL,
                   "identity DB: recording the login failed: %s", err.msg);
        return false;
    }
    if (uid != 0)
        id->uid = uid;
    return true;
}

static struct pe_identity *identity_new(const struct pe_ctx *c, const struct eksauth_identity *id,
                                        const char *fp)
{
    struct pe_identity *pi = calloc(1, sizeof(*pi));

    if (pi == NULL)
        return NULL;
    pi->login = dup0(id->login);
    pi->k8s_username = dup0(id->k8s.username);
    pi->k8s_groups = join_groups(id->k8s.groups, id->k8s.n_groups);
    pi->arn = dup0(id->arn);
    pi->canonical_arn = dup0(id->canonical_arn);
    pi->session_name = dup0(id->session_name);
    pi->access_key_id = dup0(id->access_key_id);
    pi->account = dup0(id->account);
    pi->cluster_id = dup0(c->cfg.cluster_id);
    snprintf(pi->token_fp, sizeof(pi->token_fp), "%s", fp);
    pi->uid = id->uid;
    if (!identity_complete(pi)) {
        pe_identity_free(pi);
        free(pi);
        return NULL;
    }
    return pi;
}

static int authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct pe_ctx c;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct pe_secrets *s = NULL;
    struct pe_identity *state = NULL;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_id_seed *seeds = NULL;
    struct eksauth_token_policy policy;
    struct eksauth_principal p;
    struct eksauth_host_instance inst;
    struct eksauth_identity id;
    struct eksauth_plan plan;
    struct eksauth_error err;
    struct pe_audit a;
    char fp[EKSAUTH_FINGERPRINT_LEN + 1] = "";
    enum eksauth_status st;
    size_t n_seeds = 0;
    int rc;

    memset(&id, 0, sizeof(id));
    memset(&plan, 0, sizeof(plan));
    memset(&a, 0, sizeof(a));
    memset(&p, 0, sizeof(p));
    memset(&inst, 0, sizeof(inst));
    /* A failed attempt must not leave an earlier identity to the later stages. */
    clear_identity(pamh);
    if (!ctx_init(&c, pamh, flags, argc, argv, &r) || !ctx_load(&c, &r))
        goto out;
    if (!check_served(&c, &r))
        goto out;
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        set_result(&r, PE_NOMEM, "out of memory");
        goto out;
    }
    if (!read_token(&c, &s->pieces, &r))
        goto out;
    eksauth_token_fingerprint(s->pieces.buf, s->pieces.len, fp);

    /* 1. Local checks: every rule the cluster applies, before anything leaves the host. */
    memset(&policy, 0, sizeof(policy));
    policy.partition = c.cfg.partition;
    policy.max_clock_skew = c.cfg.max_clock_skew;
    policy.extra_hosts = (const char *const *)c.cfg.sts_hosts;
    st = eksauth_token_check(s->pieces.buf, s->pieces.len, time(NULL), &policy, &s->tok, &err);
    if (st != EKSAUTH_OK) {
        set_result(&r, status_kind(st, PE_DENIED), "token: %s", err.msg);
        cut_token_hint(&c, &s->pieces, &r);
        goto out;
    }
    eksauth_pieces_wipe(&s->pieces);
    a.access_key_id = s->tok.access_key_id;

    /* 2. STS says who signed it (bound to our cluster id by x-k8s-aws-id). */
    st = eksauth_sts_get_caller_identity(&c.cfg, &s->tok, &s->sid, &err);
    if (st != EKSAUTH_OK) {
        set_result(&r, status_kind(st, PE_DENIED), "%s", err.msg);
        goto out;
    }
    eksauth_sts_principal(&s->sid, &s->tok, &p);
    a.arn = s->sid.arn;
    a.session = p.session_name;
    a.account = p.account;
    if (c.opt.debug)
        pam_syslog(pamh, LOG_DEBUG, "sts: %s (canonical %s)", p.arn, p.canonical_arn);

    /* 3. aws-auth and the host's POSIX policy: identity.c decides, nothing here. */
    if (!load_awsauth(&c, &aa, &r) || !db_seeds(&c, &seeds, &n_seeds, &r))
        goto out;
    st = eksauth_plan_build(&c.cfg, aa, &c.hf.host, seeds, n_seeds, &plan, &err);
    if (st != EKSAUTH_OK) {
        pam_syslog(pamh, LOG_ERR, "aws-auth: %s", err.msg);
        set_result(&r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_UNAVAIL, "aws-auth: %s", err.msg);
        goto out;
    }
    /* {{EC2PrivateDNSName}}: this host's own instance, read only when p's entry needs it. */
    st = eksauth_imds_bind_host_instance(c.cfg.imds_endpoint, aa, &p, &inst, &err);
    if (st == EKSAUTH_OK)
        st = eksauth_identity_resolve(&c.cfg, aa, &plan, &c.hf.host, &p, s->sid.user_id, &id, &err);
    if (st != EKSAUTH_OK) {
        set_result(&r, st == EKSAUTH_ENOMEM ? PE_NOMEM : PE_DENIED, "%s%s",
                   st == EKSAUTH_ENOTMAPPED ? "not mapped: " : "", err.msg);
        goto out;
    }
    a.k8s_user = id.k8s.username;

    /* 4. The token is for one login: the one aws-auth gives it, and no other. */
    if (strcmp(id.login, c.user) != 0) {
        set_result(&r, PE_DENIED, "the token maps to login '%s', not '%s'", id.login, c.user);
        goto out;
    }

    /*
     * single_use: a token is a bearer credential for 15 minutes; this host takes
     * each one once.  Claimed only now, so only mapped identities fill the record.
     */
    if (c.cfg.single_use) {
        char replay_path[PATH_MAX];

        st = eksauth_replay_path(c.db_path, replay_path, sizeof(replay_path), &err);
        if (st == EKSAUTH_OK)
            st = eksauth_replay_claim(replay_path, s->tok.signature, strlen(s->tok.signature),
                                      s->tok.expires_at, time(NULL), &err);
        if (st != EKSAUTH_OK) {
            set_result(&r, status_kind(st, PE_DENIED), "%s", err.msg);
            goto out;
        }
    }

    /* 5. Record it, so NSS (initgroups) sees the user and its current groups. */
    if (!record_login(&c, &id, &r))
        goto out;
    state = identity_new(&c, &id, fp);
    if (state == NULL) {
        set_result(&r, PE_NOMEM, "out of memory");
        goto out;
    }
    rc = pam_set_data(pamh, PE_DATA_IDENTITY, state, identity_cleanup);
    if (rc != PAM_SUCCESS) {
        identity_cleanup(pamh, state, 0);
        state = NULL;
        set_result(&r, PE_SYSERR, "pam_set_data: %s", pam_strerror(pamh, rc));
        goto out;
    }
    /* sshd authenticates in a child process and hands the PAM environment (not
     * pam_data) to the session: carry the identity there too. */
    rc = put_identity_env(pamh, state);
    if (rc != PAM_SUCCESS) {
        clear_identity(pamh);
        set_result(&r, PE_SYSERR, "pam_putenv: %s", pam_strerror(pamh, rc));
        goto out;
    }
    set_result(&r, PE_SUCCESS, "uid %u", (unsigned)id.uid);
out:
    a.event = "auth";
    a.result = kind_word(r.kind);
    a.user = c.user;
    a.rhost = c.rhost;
    a.token_fp = fp;
    a.reason = r.reason;
    /* Nothing at all to say for someone else's user: pam_unix goes on. */
    if (r.kind != PE_UNKNOWN || c.opt.debug)
        pe_audit_log(pamh, &a);
    rc = pam_code(&c, r.kind, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL);
    eksauth_identity_free(&id);
    eksauth_plan_free(&plan);
    eksauth_awsauth_free(aa);
    free(seeds);
    if (s != NULL) {
        eksauth_pieces_wipe(&s->pieces);
        eksauth_token_wipe(&s->tok);
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
    ctx_free(&c);
    return rc;
}

/* ------------------------------------------------------------- account */

static bool listed(char *const *list, const char *name)
{
    for (; list != NULL && *list != NULL; list++) {
        if (strcmp(*list, name) == 0)
            return true;
    }
    return false;
}

/* require_group=: any one of them, among the user's POSIX groups in the DB. */
static bool in_required_group(const struct pe_ctx *c, const struct eksauth_iddb_user *u)
{
    struct eksauth_iddb_group g;
    uint32_t j;
    size_t k;

    for (k = 0; k < c->opt.n_require_group; k++) {
        /* The private group (gid = uid) carries the login's name. */
        if (strcmp(c->opt.require_group[k], u->login) == 0)
            return true;
        for (j = 0; j < u->n_groups; j++) {
            if (eksauth_iddb_user_group(c->db, u, j, &g) == EKSAUTH_OK &&
                strcmp(g.name, c->opt.require_group[k]) == 0)
                return true;
        }
    }
    return false;
}

/*
 * The snapshot is the identity DB: what `eksauth sync` last recorded from
 * aws-auth (and logins since).  Sync drops a user whose mapping left
 * aws-auth, so presence is the mapping; when this handle authenticated,
 * the k8s user must also still be the same.
 */
static int acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct eksauth_iddb_user u;
    struct pe_ctx c;
    struct pe_audit a;
    enum eksauth_status st;
    uint32_t uid;
    int rc;

    memset(&a, 0, sizeof(a));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r))
        goto out;
    state = get_identity(pamh, c.user);
    if (state != NULL) {
        a.arn = state->arn;
        a.session = state->session_name;
        a.access_key_id = state->access_key_id;
        a.account = state->account;
        a.token_fp = state->token_fp;
    }
    if (!ctx_load(&c, &r))
        goto out;
    st = eksauth_iddb_user_by_name(c.db, c.user, &u);
    if (st == EKSAUTH_ENOTFOUND) {
        if (state != NULL)
            /* Authenticated a moment ago, gone now: sync ran and aws-auth lost the mapping. */
            set_result(&r, PE_DENIED, "no longer mapped: not in the identity DB");
        else if (eksauth_iddb_template_user(c.db, c.user, &uid) == EKSAUTH_OK)
            /* Fits a template but never proved who it is: no mapping to re-check. */
            set_result(&r, PE_DENIED, "templated name not recorded by a login");
        else
            set_result(&r, PE_UNKNOWN, "'%s' is not in the identity DB", c.user);
        goto out;
    }
    if (st != EKSAUTH_OK) {
        pam_syslog(pamh, LOG_ERR, "identity DB %s: bad record for %s", c.db_path, c.user);
        set_result(&r, PE_UNAVAIL, "identity DB: bad record");
        goto out;
    }
    a.k8s_user = u.k8s_username;
    if (a.arn == NULL)
        a.arn = u.arn;
    if (state != NULL && strcmp(state->k8s_username, u.k8s_username) != 0) {
        /* The name now belongs to another k8s user: this login is not that one. */
        set_result(&r, PE_DENIED, "mapping changed: the identity DB gives k8s user '%s'",
                   u.k8s_username);
        goto out;
    }
    /* The host policy of now, even before the next sync applies it. */
    if (eksauth_names_reserved(c.user) || listed(c.cfg.deny_users, c.user) ||
        eksauth_iddb_is_denied(c.db, c.user)) {
        set_result(&r, PE_DENIED, "login '%s' is denied", c.user);
        goto out;
    }
    if (c.opt.bad_require_group) {
        set_result(&r, PE_DENIED, "a require_group option is unusable");
        goto out;
    }
    if (c.opt.n_require_group > 0 && !in_required_group(&c, &u)) {
        set_result(&r, PE_DENIED, "not in any require_group group");
        goto out;
    }
    set_result(&r, PE_SUCCESS, "mapped");
out:
    a.event = "account";
    a.result = kind_word(r.kind);
    a.user = c.user;
    a.rhost = c.rhost;
    a.reason = r.reason;
    if (r.kind != PE_UNKNOWN || c.opt.debug)
        pe_audit_log(pamh, &a);
    rc = pam_code(&c, r.kind, PAM_PERM_DENIED, PAM_AUTHINFO_UNAVAIL);
    ctx_free(&c);
    return rc;
}

/* -------------------------------------------------------------- setcred */

/* Nothing to establish: supplementary groups come from NSS initgroups (DESIGN §1). */
static int setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct pe_result r = {PE_IGNORE, ""};
    struct eksauth_iddb_user u;
    struct pe_ctx c;
    int rc;

    if (!ctx_init(&c, pamh, flags, argc, argv, &r)) {
        r.kind = PE_IGNORE;
        goto out;
    }
    if (get_identity(pamh, c.user) != NULL) {
        r.kind = PE_SUCCESS;
        goto out;
    }
    /* Not a gate: without the config or DB (logged by ctx_load) it only says "not mine". */
    if (!ctx_load(&c, &r)) {
        r.kind = PE_IGNORE;
        goto out;
    }
    r.kind = eksauth_iddb_user_by_name(c.db, c.user, &u) == EKSAUTH_OK ? PE_SUCCESS : PE_IGNORE;
out:
    rc = pam_code(&c, r.kind, PAM_CRED_ERR, PAM_CRED_UNAVAIL);
    ctx_free(&c);
    return rc;
}

/* -------------------------------------------------------------- session */

/*
 * The identity of a session whose authentication ran elsewhere (sshd's
 * child process, or another module): the DB's record, plus what our
 * authentication put in the PAM environment when it names the same k8s user.
 */
static bool identity_from_db(struct pe_ctx *c, const struct eksauth_iddb_user *u,
                             struct pe_identity *pi, struct pe_result *r)
{
    const char *env_user = pam_getenv(c->pamh, "EKS_USERNAME");
    struct eksauth_iddb_group g;
    struct eksauth_arn parsed;
    char **groups = NULL;
    size_t n = 0;
    uint32_t j;
    bool from_env = env_user != NULL && strcmp(env_user, u->k8s_username) == 0;

    memset(pi, 0, sizeof(*pi));
    groups = calloc((size_t)u->n_groups + 1, sizeof(*groups));
    if (groups == NULL) {
        set_result(r, PE_NOMEM, "out of memory");
        return false;
    }
    for (j = 0; j < u->n_groups; j++) {
        if (eksauth_iddb_user_group(c->db, u, j, &g) == EKSAUTH_OK && g.k8s_group[0] != '\0')
            groups[n++] = (char *)g.k8s_group;
    }
    pi->login = dup0(c->user);
    pi->k8s_username = dup0(u->k8s_username);
    pi->k8s_groups = join_groups(groups, n);
    free(groups);
    pi->cluster_id = dup0(c->cfg.cluster_id);
    pi->access_key_id = dup0("");
    pi->uid = u->uid;
    if (from_env) {
        pi->arn = dup0(pam_getenv(c->pamh, "EKS_ARN"));
        pi->canonical_arn = dup0(pam_getenv(c->pamh, "EKS_CANONICAL_ARN"));
        pi->session_name = dup0(pam_getenv(c->pamh, "EKS_SESSION_NAME"));
        pi->account = dup0(pam_getenv(c->pamh, "EKS_ACCOUNT_ID"));
    } else if (eksauth_arn_parse(u->arn, &parsed, NULL) == EKSAUTH_OK) {
        pi->arn = dup0(u->arn);
        pi->canonical_arn = dup0(parsed.canonical);
        pi->session_name = dup0(parsed.session_name);
        pi->account = dup0(parsed.account);
    } else {
        pi->arn = dup0(u->arn);
        pi->canonical_arn = dup0("");
        pi->session_name = dup0("");
        pi->account = dup0("");
    }
    if (!identity_complete(pi)) {
        pe_identity_free(pi);
        set_result(r, PE_NOMEM, "out of memory");
        return false;
    }
    return true;
}

static int open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_identity own;
    struct pe_result r = {PE_SYSERR, "internal error"};
    struct eksauth_iddb_user u;
    struct pe_ctx c;
    struct pe_audit a;
    enum eksauth_status st;
    int rc;

    memset(&own, 0, sizeof(own));
    memset(&a, 0, sizeof(a));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r))
        goto out;
    state = get_identity(pamh, c.user);
    if (state == NULL) {
        if (!ctx_load(&c, &r))
            goto out;
        st = eksauth_iddb_user_by_name(c.db, c.user, &u);
        if (st == EKSAUTH_ENOTFOUND) {
            set_result(&r, PE_UNKNOWN, "'%s' is not in the identity DB", c.user);
            goto out;
        }
        if (st != EKSAUTH_OK) {
            set_result(&r, PE_UNAVAIL, "identity DB: bad record");
            goto out;
        }
        if (!identity_from_db(&c, &u, &own, &r))
            goto out;
        state = &own;
    }
    a.k8s_user = state->k8s_username;
    a.arn = state->arn;
    a.session = state->session_name;
    a.access_key_id = state->access_key_id;
    a.account = state->account;
    a.token_fp = state->token_fp;
    rc = put_identity_env(pamh, state);
    if (rc != PAM_SUCCESS) {
        set_result(&r, rc == PAM_BUF_ERR ? PE_NOMEM : PE_SYSERR, "pam_putenv: %s",
                   pam_strerror(pamh, rc));
        goto out;
    }
    set_result(&r, PE_SUCCESS, "groups=%s", state->k8s_groups);
out:
    a.event = "open_session";
    a.result = kind_word(r.kind);
    a.user = c.user;
    a.rhost = c.rhost;
    a.reason = r.reason;
    /* A session of someone else's user is not ours to log or to refuse. */
    if (r.kind == PE_UNKNOWN)
        r.kind = PE_IGNORE;
    else
        pe_audit_log(pamh, &a);
    rc = pam_code(&c, r.kind, PAM_SESSION_ERR, PAM_SESSION_ERR);
    pe_identity_free(&own);
    ctx_free(&c);
    return rc;
}

static int close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    const struct pe_identity *state;
    struct pe_result r = {PE_IGNORE, ""};
    struct pe_ctx c;
    struct pe_audit a;
    int rc;

    memset(&a, 0, sizeof(a));
    if (!ctx_init(&c, pamh, flags, argc, argv, &r)) {
        r.kind = PE_IGNORE;
        goto out;
    }
    state = get_identity(pamh, c.user);
    a.event = "close_session";
    a.user = c.user;
    a.rhost = c.rhost;
    if (state != NULL) {
        a.k8s_user = state->k8s_username;
        a.arn = state->arn;
        a.session = state->session_name;
        a.access_key_id = state->access_key_id;
        a.account = state->account;
        a.token_fp = state->token_fp;
    } else if (pam_getenv(pamh, "EKS_USERNAME") != NULL) {
        /* The session's own record, set at open_session (sshd's parent process). */
        a.k8s_user = pam_getenv(pamh, "EKS_USERNAME");
        a.arn = pam_getenv(pamh, "EKS_ARN");
        a.session = pam_getenv(pamh, "EKS_SESSION_NAME");
        a.account = pam_getenv(pamh, "EKS_ACCOUNT_ID");
    } else {
        goto out;
    }
    r.kind = PE_SUCCESS;
    a.result = kind_word(r.kind);
    a.reason = "";
    pe_audit_log(pamh, &a);
out:
    rc = pam_code(&c, r.kind, PAM_SESSION_ERR, PAM_SESSION_ERR);
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
