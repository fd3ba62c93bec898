/*
 * identity.c - the identity a successful authentication established, kept
 * for the later stages of the same PAM handle (pam_set_data) and carried in
 * the PAM environment (EKS_*), because sshd authenticates in a child
 * process and hands only the environment to the session (pam_eksauth.h).
 * The first later stage in the other process (account or setcred) takes
 * those EKS_* over into pam_data, before any session module (pam_env) can
 * change the environment, and only with the token proof the authentication
 * put beside them (proof.h): EKS_* anyone else set name no token login.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <openssl/crypto.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "eksauth/login.h"
#include "eksauth/printable.h"
#include "eksauth/proof.h"
#include "pam_eksauth.h"

/* The identity in the environment, in this order: the values a token proof vouches for. */
static const char *const ENV_NAMES[] = {
    "EKS_USERNAME",     "EKS_GROUPS",     "EKS_ARN",        "EKS_CANONICAL_ARN",
    "EKS_SESSION_NAME", "EKS_ACCOUNT_ID", "EKS_CLUSTER_ID",
};
#define N_ENV (sizeof(ENV_NAMES) / sizeof(ENV_NAMES[0]))

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

/* The identity kept under key for user, or NULL. */
static const struct pe_identity *identity_data(pam_handle_t *pamh, const char *key,
                                               const char *user)
{
    const void *data = NULL;
    const struct pe_identity *id;

    if (pam_get_data(pamh, key, &data) != PAM_SUCCESS || data == NULL)
        return NULL;
    id = data;
    /* Kept for one login: an application that changed PAM_USER since gets nothing. */
    if (user == NULL || strcmp(id->login, user) != 0)
        return NULL;
    return id;
}

const struct pe_identity *pe_identity_get(pam_handle_t *pamh, const char *user)
{
    return identity_data(pamh, PE_DATA_IDENTITY, user);
}

bool pe_identity_authenticated_here(pam_handle_t *pamh)
{
    const void *data = NULL;

    return pam_get_data(pamh, PE_DATA_IDENTITY, &data) == PAM_SUCCESS && data != NULL;
}

const struct pe_identity *pe_identity_session(pam_handle_t *pamh, const char *user)
{
    const struct pe_identity *id = identity_data(pamh, PE_DATA_IDENTITY, user);

    return id != NULL ? id : identity_data(pamh, PE_DATA_TAKEN, user);
}

int pe_identity_keep_taken(pam_handle_t *pamh, struct pe_identity *pi)
{
    struct pe_identity *kept = malloc(sizeof(*kept));
    int rc;

    if (kept == NULL) {
        pe_identity_free(pi);
        return PAM_BUF_ERR;
    }
    *kept = *pi;
    memset(pi, 0, sizeof(*pi));
    rc = pam_set_data(pamh, PE_DATA_TAKEN, kept, identity_cleanup);
    if (rc != PAM_SUCCESS)
        identity_cleanup(pamh, kept, 0);
    return rc;
}

/*
 * EKS_* values come from STS and aws-auth: controls, BiDi and invisible
 * characters are replaced (printable.h), so a value shows what it says.
 */
static int put_env(pam_handle_t *pamh, const char *name, const char *value)
{
    size_t nlen = strlen(name), vlen = strlen(value);
    char *s = malloc(nlen + 1 + vlen + 1);
    int rc;

    if (s == NULL)
        return PAM_BUF_ERR;
    memcpy(s, name, nlen);
    s[nlen] = '=';
    /* A replacement is one byte for one or more: the value never grows. */
    (void)eksauth_printable(value, s + nlen + 1, vlen + 1);
    rc = pam_putenv(pamh, s);
    free(s);
    return rc;
}

/* The mark's value: any address other than NULL. */
static const char session_open_mark = 1;

void pe_session_mark_open(pam_handle_t *pamh)
{
    (void)pam_set_data(pamh, PE_DATA_SESSION_OPEN, (void *)&session_open_mark, NULL);
}

bool pe_session_opened(pam_handle_t *pamh)
{
    const void *data = NULL;

    return pam_get_data(pamh, PE_DATA_SESSION_OPEN, &data) == PAM_SUCCESS && data != NULL;
}

void pe_identity_clear(pam_handle_t *pamh)
{
    size_t i;

    (void)pam_set_data(pamh, PE_DATA_IDENTITY, NULL, NULL);
    (void)pam_set_data(pamh, PE_DATA_TAKEN, NULL, NULL);
    if (pam_getenv(pamh, EKSAUTH_PROOF_ENV) != NULL)
        (void)pam_putenv(pamh, EKSAUTH_PROOF_ENV);
    for (i = 0; i < N_ENV; i++) {
        if (pam_getenv(pamh, ENV_NAMES[i]) != NULL)
            (void)pam_putenv(pamh, ENV_NAMES[i]); /* a bare name deletes it */
    }
}

int pe_identity_put_env(pam_handle_t *pamh, const struct pe_identity *id)
{
    const char *const values[] = {
        id->k8s_username, id->k8s_groups, id->arn,        id->canonical_arn,
        id->session_name, id->account,    id->cluster_id,
    };
    size_t i;
    int rc;

    for (i = 0; i < N_ENV; i++) {
        rc = put_env(pamh, ENV_NAMES[i], values[i]);
        if (rc != PAM_SUCCESS)
            return rc;
    }
    return PAM_SUCCESS;
}

int pe_identity_keep(pam_handle_t *pamh, const struct eksauth_login *l, const char *cluster_id)
{
    const struct eksauth_identity *id = &l->id;
    struct pe_identity *pi = calloc(1, sizeof(*pi));
    int rc;

    if (pi == NULL)
        return PAM_BUF_ERR;
    pi->login = dup0(id->login);
    pi->k8s_username = dup0(id->k8s.username);
    pi->k8s_groups = eksauth_login_join_groups(id->k8s.groups, id->k8s.n_groups);
    pi->arn = dup0(id->arn);
    pi->canonical_arn = dup0(id->canonical_arn);
    pi->session_name = dup0(id->session_name);
    pi->access_key_id = dup0(id->access_key_id);
    pi->account = dup0(id->account);
    pi->cluster_id = dup0(cluster_id);
    snprintf(pi->token_fp, sizeof(pi->token_fp), "%s", l->token_fp);
    pi->uid = id->uid;
    pi->gave_token = true;
    if (!identity_complete(pi)) {
        identity_cleanup(pamh, pi, 0);
        return PAM_BUF_ERR;
    }
    rc = pam_set_data(pamh, PE_DATA_IDENTITY, pi, identity_cleanup);
    if (rc != PAM_SUCCESS) {
        identity_cleanup(pamh, pi, 0);
        return rc;
    }
    rc = pe_identity_put_env(pamh, pi);
    if (rc != PAM_SUCCESS)
        pe_identity_clear(pamh);
    return rc;
}

/* The EKS_* in the environment now, in ENV_NAMES' order (NULL for one that is not set). */
static void env_values(pam_handle_t *pamh, const char *values[N_ENV])
{
    size_t i;

    for (i = 0; i < N_ENV; i++)
        values[i] = pam_getenv(pamh, ENV_NAMES[i]);
}

enum eksauth_status pe_proof_put(pam_handle_t *pamh, const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                 const char *login, const char *token_fp, struct eksauth_error *err)
{
    char proof[sizeof(EKSAUTH_PROOF_ENV) + EKSAUTH_PROOF_MAX];
    size_t n = strlen(EKSAUTH_PROOF_ENV) + 1;
    const char *values[N_ENV];
    enum eksauth_status st;
    int rc;

    /* What the environment holds, as put_env wrote it: what the other process will read. */
    env_values(pamh, values);
    snprintf(proof, sizeof(proof), "%s=", EKSAUTH_PROOF_ENV);
    st = eksauth_proof_make(key, login, token_fp, values, N_ENV, time(NULL), proof + n,
                            sizeof(proof) - n, err);
    if (st == EKSAUTH_OK) {
        rc = pam_putenv(pamh, proof);
        if (rc != PAM_SUCCESS)
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "pam_putenv: %s", pam_strerror(pamh, rc));
    }
    OPENSSL_cleanse(proof, sizeof(proof));
    return st;
}

enum eksauth_status pe_proof_check_env(pam_handle_t *pamh, const struct eksauth_paths *paths,
                                       const char *user, char token_fp[EKSAUTH_FINGERPRINT_LEN + 1],
                                       struct eksauth_error *err)
{
    unsigned char key[EKSAUTH_PROOF_KEY_LEN];
    const char *proof = pam_getenv(pamh, EKSAUTH_PROOF_ENV), *values[N_ENV];
    enum eksauth_status st;

    /* Said so before the key is read: a host where no token login made one yet has none. */
    if (proof == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "no token was given in this login");
    env_values(pamh, values);
    st = eksauth_proof_key(paths, false, key, err);
    if (st == EKSAUTH_OK)
        st = eksauth_proof_check(key, proof, user, values, N_ENV, time(NULL), EKSAUTH_PROOF_MAX_AGE,
                                 token_fp, err);
    OPENSSL_cleanse(key, sizeof(key));
    return st;
}

/*
 * Whether the environment holds the identity our authentication of user
 * put there in another process, for the k8s user the DB records: its token
 * proof checks (fp: the token's fingerprint).  EKS_* there without one were
 * set by someone else (a user's ~/.pam_environment, through pam_env):
 * logged, as a try to pass for a token login.
 */
static bool env_proved(pam_handle_t *pamh, const struct eksauth_paths *paths, const char *user,
                       const char *k8s_username, char fp[EKSAUTH_FINGERPRINT_LEN + 1])
{
    const char *env_user = pam_getenv(pamh, "EKS_USERNAME");
    struct eksauth_error err;
    char *shown;
    bool same;

    if (env_user == NULL && pam_getenv(pamh, EKSAUTH_PROOF_ENV) == NULL)
        return false; /* nothing there: a login that gave no token (a key) */
    if (pe_proof_check_env(pamh, paths, user, fp, &err) != EKSAUTH_OK) {
        pam_syslog(pamh, LOG_WARNING,
                   "the EKS_* in the PAM environment are not taken as this login's (%s): its "
                   "audit lines name no principal",
                   err.msg);
        return false;
    }
    /*
     * A sync since the authentication mapped the login to another k8s user:
     * not that one.  EKS_USERNAME holds the name as put_env cleaned it (the
     * proof covers that), so the DB's name is cleaned alike before they are
     * compared: a name with U+202E is still the same k8s user.
     */
    shown = strdup(k8s_username);
    if (shown == NULL)
        return false;
    (void)eksauth_printable(shown, shown, strlen(shown) + 1);
    same = env_user != NULL && strcmp(env_user, shown) == 0;
    free(shown);
    if (!same) {
        pam_syslog(pamh, LOG_WARNING,
                   "the EKS_* in the PAM environment name another k8s user than the identity "
                   "DB's: its audit lines name no principal");
        return false;
    }
    return true;
}

enum eksauth_status pe_identity_from_db(pam_handle_t *pamh, struct eksauth_ctx *host,
                                        const char *user, bool trust_env, struct pe_identity *pi,
                                        struct eksauth_error *err)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1] = "";
    struct eksauth_login_record rec;
    enum eksauth_status st;
    bool from_env;

    memset(pi, 0, sizeof(*pi));
    st = eksauth_login_recorded(host, user, &rec, err);
    if (st != EKSAUTH_OK)
        return st;
    from_env = trust_env && env_proved(pamh, &host->paths, user, rec.k8s_username, fp);
    pi->login = dup0(user);
    pi->k8s_username = dup0(rec.k8s_username);
    pi->k8s_groups = dup0(rec.k8s_groups);
    pi->cluster_id = dup0(host->cfg.cluster_id);
    pi->access_key_id = dup0("");
    pi->uid = rec.uid;
    pi->arn = dup0(from_env ? pam_getenv(pamh, "EKS_ARN") : rec.arn);
    pi->canonical_arn = dup0(from_env ? pam_getenv(pamh, "EKS_CANONICAL_ARN") : rec.canonical_arn);
    pi->session_name = dup0(from_env ? pam_getenv(pamh, "EKS_SESSION_NAME") : rec.session_name);
    pi->account = dup0(from_env ? pam_getenv(pamh, "EKS_ACCOUNT_ID") : rec.account);
    snprintf(pi->token_fp, sizeof(pi->token_fp), "%s", fp);
    pi->gave_token = from_env;
    eksauth_login_record_free(&rec);
    if (!identity_complete(pi)) {
        pe_identity_free(pi);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    }
    return EKSAUTH_OK;
}
