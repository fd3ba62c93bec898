/*
 * test_pam_eksauth.c - drive pam_eksauth.so through the real libpam
 * (pam_start_confdir with service files generated here), against the local
 * STS stand-in over TLS, and print TAP.  Not run on its own:
 * tests/integration/pam.sh and pam_valgrind.sh prepare the folder (certs,
 * fake_sts.py, config, aws-auth, identity DB, tokens) and run it.
 *
 * usage: test_pam_eksauth suite      every case of issue 5's test list
 *        test_pam_eksauth pam_env    pam_env user_readenv=1 in the session with a
 *                                    hostile ~/.pam_environment (needs NSS to
 *                                    answer for eksauth users: pam.sh runs it in
 *                                    a namespace)
 *        test_pam_eksauth directory first|last|fail
 *                                    a name both a directory service
 *                                    (tests/lib/nss_directory.c) and eksauth
 *                                    serve, with the directory before eksauth
 *                                    on passwd:, after it, or failing (pam.sh
 *                                    runs each in a namespace)
 *        test_pam_eksauth loop N     N whole transactions (valgrind)
 * environment: PE_DIR (the prepared folder), PE_MODULE (pam_eksauth.so),
 *              EKSAUTH (the CLI, for `eksauth sync`), PE_LOG (optional: a
 *              file that receives every captured syslog line)
 *
 * The PAM log is captured by tests/lib/pam_driver.c, which defines
 * syslog(): libpam's pam_syslog ends in __syslog_chk, which the dynamic
 * linker resolves to this program first, so every line the module logs is
 * checked (fields, and no token).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <security/pam_appl.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "pam_driver.h"

/* ------------------------------------------------------------------ TAP */

static unsigned T_n, T_failed;

static void ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    T_n++;
    if (!cond)
        T_failed++;
    printf("%s %u - ", cond ? "ok" : "not ok", T_n);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static void is_rc(int got, int want, const char *what)
{
    ok(got == want, "%s: %s", what, pam_strerror(NULL, want));
    if (got != want)
        diag("got %d (%s), expected %d", got, pam_strerror(NULL, got), want);
}

static void is_str(const char *got, const char *want, const char *what)
{
    bool same = got != NULL && strcmp(got, want) == 0;

    ok(same, "%s = '%s'", what, want);
    if (!same)
        diag("got '%s'", got != NULL ? got : "(null)");
}

/* The module's log since the mark, as TAP comments. */
static void log_dump_since_mark(void)
{
    size_t i;

    for (i = pd_log_marked(); i < pd_log_count(); i++)
        diag("log: %s", pd_log_line(i));
}

/*
 * pam_putenv as libpam's, but PAM_BUF_ERR for a "NAME=value" that starts
 * with fail_putenv (NULL: none): a case makes one of the module's
 * environment writes fail.  The driver is linked with -export-dynamic, so
 * the module's calls come here first.
 */
static const char *fail_putenv;

int pam_putenv(pam_handle_t *pamh, const char *name_value)
{
    static int (*real)(pam_handle_t *, const char *);

    if (fail_putenv != NULL && strncmp(name_value, fail_putenv, strlen(fail_putenv)) == 0)
        return PAM_BUF_ERR;
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "pam_putenv");
    return real != NULL ? real(pamh, name_value) : PAM_SYSTEM_ERR;
}

/*
 * getuid and setresuid as libc's, but, while fake_ruid is not 0, those of a
 * setuid program run by uid fake_ruid (pam_eksauth/shield.c): its real uid
 * made root's and put back by pretence, and the put back that comes after
 * restores_ok more refused (EPERM; -1: none refused).
 */
static uid_t fake_ruid;
static int restores_ok = -1;

uid_t getuid(void)
{
    return fake_ruid != 0 ? fake_ruid : (uid_t)syscall(SYS_getuid);
}

int setresuid(uid_t r, uid_t e, uid_t s)
{
    static int (*real)(uid_t, uid_t, uid_t);

    if (fake_ruid != 0 && r == 0)
        return 0;
    if (fake_ruid != 0) {
        if (restores_ok >= 0 && restores_ok-- == 0) {
            errno = EPERM;
            return -1;
        }
        return 0;
    }
    if (real == NULL)
        *(void **)&real = dlsym(RTLD_NEXT, "setresuid");
    return real != NULL ? real(r, e, s) : -1;
}

/* -------------------------------------------------------- environment */

static const char *DIR_;
static const char *MODULE;
static char SERVICES[4096];

static char *path_in(const char *name)
{
    char *p = NULL;

    if (asprintf(&p, "%s/%s", DIR_, name) < 0)
        abort();
    return p;
}

static char *slurp(const char *name)
{
    char *path = path_in(name), *buf = NULL;
    size_t cap = 0, len = 0;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        fprintf(stderr, "test_pam_eksauth: %s: %s\n", path, strerror(errno));
        exit(2);
    }
    for (;;) {
        size_t got;

        if (len + 1024 >= cap) {
            cap = cap * 2 + 4096;
            buf = realloc(buf, cap);
            if (buf == NULL)
                abort();
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        if (got == 0)
            break;
        len += got;
    }
    fclose(f);
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    buf[len] = '\0';
    free(path);
    return buf;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        fprintf(stderr, "test_pam_eksauth: %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

/* One service file: lines with "MOD" for the module's path and "DIR" for PE_DIR. */
static void service(const char *name, const char *body)
{
    char *path = NULL, *text = malloc(strlen(body) * 4 + 8192), *o = text;
    const char *p;

    if (text == NULL || asprintf(&path, "%s/%s", SERVICES, name) < 0)
        abort();
    for (p = body; *p != '\0';) {
        if (strncmp(p, "MOD", 3) == 0) {
            o += sprintf(o, "%s", MODULE);
            p += 3;
        } else if (strncmp(p, "DIR", 3) == 0) {
            o += sprintf(o, "%s", DIR_);
            p += 3;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    write_file(path, text);
    free(path);
    free(text);
}

/* More require_token= lists than the module keeps (32), none naming the service: every service. */
static void token_lists_past_the_limit(void)
{
    char body[1024];
    size_t n;
    int i;

    n = (size_t)snprintf(body, sizeof(body), "account required MOD config=DIR/eksauth.conf");
    for (i = 0; i < 33; i++)
        n += (size_t)snprintf(body + n, sizeof(body) - n, " require_token=x");
    snprintf(body + n, sizeof(body) - n, "\n");
    service("eksauth-token-33", body);
}

static void make_services(void)
{
    snprintf(SERVICES, sizeof(SERVICES), "%s/services", DIR_);
    mkdir(SERVICES, 0755);
    service("other", "auth required pam_deny.so\naccount required pam_deny.so\n"
                     "password required pam_deny.so\nsession required pam_deny.so\n");
    service("eksauth", "auth required MOD config=DIR/eksauth.conf\n"
                       "account required MOD config=DIR/eksauth.conf\n"
                       "session required MOD config=DIR/eksauth.conf\n");
    service("eksauth-debug", "auth required MOD config=DIR/eksauth.conf debug bogus_option\n"
                             "account required MOD config=DIR/eksauth.conf debug\n");
    /* The config under a name with an ESC (case_options links it): debug logs the name. */
    service("eksauth-debug-esc", "auth required MOD config=DIR/eks\033[7mauth.conf debug\n");
    service("eksauth-down", "auth required MOD config=DIR/down.conf\n");
    service("eksauth-down-ignore",
            "auth required MOD config=DIR/down.conf ignore_authinfo_unavail\n"
            "auth required pam_permit.so\n");
    service("eksauth-unknown", "auth required MOD config=DIR/eksauth.conf ignore_unknown_user\n"
                               "auth required pam_permit.so\n"
                               "account required MOD config=DIR/eksauth.conf ignore_unknown_user\n"
                               "account required pam_permit.so\n");
    service("eksauth-firstpass", "auth optional pam_unix.so\n"
                                 "auth required MOD config=DIR/eksauth.conf use_first_pass\n");
    service("eksauth-firstpass-alone",
            "auth required MOD config=DIR/eksauth.conf use_first_pass\n");
    service("eksauth-trypass", "auth optional pam_unix.so\n"
                               "auth required MOD config=DIR/eksauth.conf try_first_pass\n");
    service("eksauth-group-ok",
            "auth required MOD config=DIR/eksauth.conf\n"
            "account required MOD config=DIR/eksauth.conf require_group=eks-nothing "
            "require_group=eks-system-masters\n");
    service("eksauth-group-no",
            "auth required MOD config=DIR/eksauth.conf\n"
            "account required MOD config=DIR/eksauth.conf require_group=eks-devs\n");
    service("eksauth-group-bad", "account required MOD config=DIR/eksauth.conf require_group=\n");
    /* Gates misspelt, in another case or without a value (lib/pam_args.c), and a plain typo. */
    service("eksauth-gate-typo",
            "account required MOD config=DIR/eksauth.conf require_grop=eks-devs\n");
    service("eksauth-gate-bare", "account required MOD config=DIR/eksauth.conf require_group\n");
    service("eksauth-gate-case",
            "account required MOD config=DIR/eksauth.conf Require_Group=eks-devs\n");
    service("eksauth-account-bogus", "account required MOD config=DIR/eksauth.conf bogus_option\n");
    service("eksauth-token", "auth required MOD config=DIR/eksauth.conf\n"
                             "account required MOD config=DIR/eksauth.conf require_token\n");
    service("eksauth-token-login",
            "account required MOD config=DIR/eksauth.conf require_token=login,su\n");
    service("eksauth-token-empty", "account required MOD config=DIR/eksauth.conf require_token=\n");
    service("eksauth-token-commas",
            "account required MOD config=DIR/eksauth.conf require_token=,\n");
    /* A CRLF file: libpam hands the line's last argument on with its '\r'. */
    service("eksauth-token-crlf",
            "account required MOD config=DIR/eksauth.conf require_token=eksauth-token-crlf\r\n");
    /* Brackets: libpam hands on "require_token=THIS login", a name with a blank in it. */
    service(
        "eksauth-token-blank",
        "account required MOD config=DIR/eksauth.conf [require_token=eksauth-token-blank login]\n");
    /* libpam lowers the service's name: a list in capitals still names it. */
    service(
        "eksauth-token-upper",
        "account required MOD config=DIR/eksauth.conf require_token=login,EKSAUTH-Token-Upper\n");
    /* Two lists add up, and a bare require_token beside a list still means every service. */
    service("eksauth-token-lists", "account required MOD config=DIR/eksauth.conf "
                                   "require_token=eksauth-token-lists require_token=login\n");
    service("eksauth-token-bare-first",
            "account required MOD config=DIR/eksauth.conf require_token require_token=login\n");
    service("eksauth-token-bare-last",
            "account required MOD config=DIR/eksauth.conf require_token=login require_token\n");
    token_lists_past_the_limit();
    service("eksauth-faults", "auth required MOD config=DIR/faults.conf\n");
    service("eksauth-nodb", "auth required MOD config=DIR/nodb.conf\n"
                            "account required MOD config=DIR/nodb.conf\n");
    service("eksauth-noconfig", "auth required MOD config=DIR/no-such.conf\n");
    service("eksauth-nodb-ignore",
            "account required MOD config=DIR/nodb.conf ignore_authinfo_unavail\n"
            "account required pam_permit.so\n");
    service("eksauth-noconfig-ignore",
            "account required MOD config=DIR/no-such.conf ignore_authinfo_unavail\n"
            "account required pam_permit.so\n");
    service("eksauth-stale", "account required MOD config=DIR/stale.conf\n");
    service("eksauth-stale-ignore",
            "account required MOD config=DIR/stale.conf ignore_authinfo_unavail\n"
            "account required pam_permit.so\n");
    service("eksauth-badperm", "auth required MOD config=DIR/badperm.conf\n");
    /* A relative config= (a typo of the absolute path): case_config_relative. */
    service("eksauth-config-rel", "auth required MOD config=etc/eksauth/eksauth.conf\n"
                                  "account required MOD config=etc/eksauth/eksauth.conf\n"
                                  "session required MOD config=etc/eksauth/eksauth.conf\n");
    service("eksauth-config-rel-ignore",
            "auth required MOD config=etc/eksauth/eksauth.conf ignore_authinfo_unavail\n"
            "auth required pam_permit.so\n"
            "account required MOD config=etc/eksauth/eksauth.conf ignore_authinfo_unavail\n"
            "account required pam_permit.so\n");
    /* sudo's shape: pam_eksauth in auth alone, another module's account and session. */
    service("eksauth-auth-only", "auth required MOD config=DIR/eksauth.conf\n"
                                 "account required pam_permit.so\n"
                                 "session required pam_permit.so\n");
}

/* ------------------------------------------------------------- helpers */

struct tx {
    pam_handle_t *pamh;
    struct pd_conv cv;
};

static int tx_start(struct tx *t, const char *svc, const char *user)
{
    int rc;

    memset(t, 0, sizeof(*t));
    rc = pd_start(svc, user, SERVICES, &t->cv, &t->pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "test_pam_eksauth: pam_start_confdir(%s): %s\n", svc,
                pam_strerror(NULL, rc));
        exit(2);
    }
    return rc;
}

static void tx_answers(struct tx *t, const char *const *answers, size_t n)
{
    size_t i;

    for (i = 0; i < n && i < PD_MAX_MSGS; i++)
        t->cv.answers[i] = answers[i];
    t->cv.n_answers = n;
    t->cv.next = 0;
}

static void tx_answer(struct tx *t, const char *answer)
{
    tx_answers(t, &answer, 1);
}

static void tx_end(struct tx *t, int status)
{
    pam_end(t->pamh, status);
    pd_conv_free(&t->cv);
    t->pamh = NULL;
}

/* auth in a fresh handle: the return code (the handle is ended). */
static int auth_once(const char *svc, const char *user, const char *const *answers, size_t n,
                     struct pd_conv *keep)
{
    struct tx t;
    int rc;

    tx_start(&t, svc, user);
    tx_answers(&t, answers, n);
    rc = pam_authenticate(t.pamh, 0);
    if (keep != NULL) {
        *keep = t.cv;
        memset(&t.cv, 0, sizeof(t.cv));
    }
    tx_end(&t, rc);
    return rc;
}

/* Split tok into pieces of at most size bytes, each but the last ending with '\'. */
static size_t split(const char *tok, size_t size, char **out, size_t max)
{
    size_t len = strlen(tok), n = 0, off = 0;

    while (off < len && n < max) {
        size_t k = len - off > size ? size : len - off;
        bool last = off + k == len;

        out[n] = malloc(k + 2);
        if (out[n] == NULL)
            abort();
        memcpy(out[n], tok + off, k);
        out[n][k] = '\0';
        if (!last)
            strcat(out[n], "\\");
        off += k;
        n++;
    }
    return n;
}

static void free_pieces(char **p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(p[i]);
}

static void sha_fp(const char *tok, char out[9])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    unsigned i;

    EVP_Digest(tok, strlen(tok), md, &mdlen, EVP_sha256(), NULL);
    for (i = 0; i < 4; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
    out[8] = '\0';
}

static struct eksauth_iddb *db_open(void)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    char *p = path_in("db/identity.db");

    if (eksauth_iddb_open(p, &db, &err) != EKSAUTH_OK) {
        diag("identity DB: %s", err.msg);
        db = NULL;
    }
    free(p);
    return db;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The user's supplementary groups in the DB, as "a,b" (names, sorted). */
static bool db_user(const char *login, struct eksauth_iddb_user *u, char *groups, size_t glen,
                    struct eksauth_iddb **dbp)
{
    struct eksauth_iddb *db = db_open();
    struct eksauth_iddb_group g;
    const char *names[64];
    uint32_t j;

    groups[0] = '\0';
    *dbp = db;
    if (db == NULL || eksauth_iddb_user_by_name(db, login, u) != EKSAUTH_OK || u->n_groups > 64)
        return false;
    for (j = 0; j < u->n_groups; j++) {
        if (eksauth_iddb_user_group(db, u, j, &g) != EKSAUTH_OK)
            return false;
        names[j] = g.name;
    }
    qsort(names, u->n_groups, sizeof(names[0]), cmp_name);
    for (j = 0; j < u->n_groups; j++) {
        if (groups[0] != '\0')
            strncat(groups, ",", glen - strlen(groups) - 1);
        strncat(groups, names[j], glen - strlen(groups) - 1);
    }
    return true;
}

static int run_sync(void)
{
    const char *cli = getenv("EKSAUTH");
    char *cmd = NULL;
    int rc;

    if (cli == NULL ||
        asprintf(&cmd, "'%s' --config '%s/eksauth.conf' sync >/dev/null 2>&1", cli, DIR_) < 0)
        return -1;
    rc = system(cmd);
    free(cmd);
    return rc;
}

/* --------------------------------------------------------------- cases */

static char *TOK_ALICE, *TOK_BOB, *TOK_BOBEX, *TOK_CAROL, *TOK_OTHER, *TOK_EXPIRED;
static char *TOK_CLUSTER, *TOK_OTHERHOST;
/* The first prompt names this host's audience (PE_AUDIENCE, pam_common.sh). */
static char FIRST_PROMPT[700];

static void case_success(void)
{
    struct eksauth_iddb_id_rules rules = {NULL, (uint64_t)time(NULL), NULL, NULL};
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    char groups[512], fp[9], want[256];
    uint32_t nss_uid = 0;
    const char *line;
    struct tx t;
    int rc;

    diag("success: an assumed-role token (%zu bytes) for the login aws-auth gives it",
         strlen(TOK_ALICE));
    db = db_open();
    ok(db != NULL && eksauth_iddb_template_user(db, "admin-alice", &rules, &nss_uid) ==
                         EKSAUTH_IDDB_TEMPLATED,
       "before the login, NSS answers for the templated name admin-alice");
    eksauth_iddb_close(db);

    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    pam_set_item(t.pamh, PAM_RHOST, "192.0.2.7");
    /* su's and sudo's caller: the audit line names who ran them. */
    pam_set_item(t.pamh, PAM_RUSER, "ops-bob");
    rc = pam_authenticate(t.pamh, 0);
    is_rc(rc, PAM_SUCCESS, "authenticate admin-alice");
    ok(t.cv.n_prompts == 1 && strcmp(t.cv.prompts[0], FIRST_PROMPT) == 0,
       "one prompt, '%s' (it names this host's audience)", FIRST_PROMPT);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt admin-alice");
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "setcred admin-alice");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session admin-alice");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "admin:alice", "EKS_USERNAME");
    is_str(pam_getenv(t.pamh, "EKS_GROUPS"), "system:masters,ops", "EKS_GROUPS");
    is_str(pam_getenv(t.pamh, "EKS_ARN"), "arn:aws:sts::111122223333:assumed-role/eks-admins/alice",
           "EKS_ARN");
    is_str(pam_getenv(t.pamh, "EKS_CANONICAL_ARN"), "arn:aws:iam::111122223333:role/eks-admins",
           "EKS_CANONICAL_ARN");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice", "EKS_SESSION_NAME");
    is_str(pam_getenv(t.pamh, "EKS_ACCOUNT_ID"), "111122223333", "EKS_ACCOUNT_ID");
    is_str(pam_getenv(t.pamh, "EKS_CLUSTER_ID"), "test-cluster", "EKS_CLUSTER_ID");
    is_rc(pam_close_session(t.pamh, 0), PAM_SUCCESS, "close_session admin-alice");
    tx_end(&t, PAM_SUCCESS);

    ok(db_user("admin-alice", &u, groups, sizeof(groups), &db),
       "admin-alice is in the identity DB");
    ok(u.uid == nss_uid, "recorded uid %u is the one NSS answered (%u)", (unsigned)u.uid,
       (unsigned)nss_uid);
    ok(u.gid == eksauth_iddb_users_gid(db) && u.gid != 0,
       "its primary group is eks-users, every login's (gid %u), no group of its own",
       (unsigned)u.gid);
    ok((u.flags & EKSAUTH_IDDB_USER_TEMPLATED) != 0, "recorded as a templated user");
    is_str(groups, "eks-ops,eks-system-masters", "recorded groups");
    is_str(u.k8s_username, "admin:alice", "recorded k8s username");
    eksauth_iddb_close(db);

    sha_fp(TOK_ALICE, fp);
    snprintf(want, sizeof(want), "token_fp=%s", fp);
    line = pd_log_find("event=auth result=success user=admin-alice k8s_user=admin:alice "
                       "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice "
                       "access_key_id=ASIAFAKEEXAMPLE00001 account=111122223333 rhost=192.0.2.7 ",
                       want,
                       " audience=host canonical_arn=arn:aws:iam::111122223333:role/eks-admins "
                       "ruser=ops-bob reason=\"uid ",
                       NULL);
    ok(line != NULL, "audit line of the login with every field (token_fp=%s)", fp);
    if (line == NULL)
        log_dump_since_mark();
    ok(pd_log_find("pam_eksauth(eksauth:auth)", NULL) != NULL, "logged through pam_syslog");
    ok(pd_log_find("event=account result=success user=admin-alice k8s_user=admin:alice", NULL) !=
           NULL,
       "audit line of the account stage");
    ok(pd_log_find("event=open_session result=success user=admin-alice k8s_user=admin:alice", want,
                   NULL) != NULL,
       "audit line of the session opening");
    ok(pd_log_find("event=close_session result=success user=admin-alice", NULL) != NULL,
       "audit line of the session closing");
}

static void case_static_user(void)
{
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    char groups[512];
    struct tx t;

    diag("a mapUsers entry (IAM user, long-term key, %zu-byte token)", strlen(TOK_BOB));
    tx_start(&t, "eksauth", "bob");
    tx_answer(&t, TOK_BOB);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate bob");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt bob");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session bob");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "", "EKS_SESSION_NAME is empty for a user");
    is_str(pam_getenv(t.pamh, "EKS_GROUPS"), "devs", "EKS_GROUPS of bob");
    tx_end(&t, PAM_SUCCESS);
    ok(db_user("bob", &u, groups, sizeof(groups), &db) && strcmp(groups, "eks-devs") == 0 &&
           u.gid == eksauth_iddb_users_gid(db) && (u.flags & EKSAUTH_IDDB_USER_TEMPLATED) == 0,
       "bob stays a static user with group eks-devs (and eks-users, his primary group)");
    eksauth_iddb_close(db);

    diag("a session name with '@' through a template");
    is_rc(auth_once("eksauth", "admin-bob-example.com", (const char *[]){TOK_BOBEX}, 1, NULL),
          PAM_SUCCESS, "authenticate admin-bob-example.com");
}

/*
 * What the module puts in the PAM environment, as "NAME=value" (NULL when
 * unset), to carry to another handle as sshd carries its child's: EKS_*
 * and the token proof beside them.
 */
#define N_EKS_VARS 8
static const char *const EKS_VARS[N_EKS_VARS] = {
    "EKS_USERNAME",     "EKS_GROUPS",     "EKS_ARN",        "EKS_CANONICAL_ARN",
    "EKS_SESSION_NAME", "EKS_ACCOUNT_ID", "EKS_CLUSTER_ID", "EKSAUTH_PROOF",
};

static void env_save(pam_handle_t *pamh, char *saved[N_EKS_VARS])
{
    for (size_t i = 0; i < N_EKS_VARS; i++) {
        const char *v = pam_getenv(pamh, EKS_VARS[i]);

        if (v == NULL || asprintf(&saved[i], "%s=%s", EKS_VARS[i], v) < 0)
            saved[i] = NULL;
    }
}

static void env_restore(pam_handle_t *pamh, char *const saved[N_EKS_VARS])
{
    for (size_t i = 0; i < N_EKS_VARS; i++) {
        if (saved[i] != NULL)
            pam_putenv(pamh, saved[i]);
    }
}

static void env_free(char *saved[N_EKS_VARS])
{
    for (size_t i = 0; i < N_EKS_VARS; i++)
        free(saved[i]);
}

/*
 * The session closes in a handle that kept no identity, with EKS_* in the
 * environment that a pam_env line read from the user's ~/.pam_environment:
 * the close line names the k8s user the DB records and no principal (no
 * token was seen in this handle), or nothing for a user eksauth does not
 * serve, never what the environment says.
 */
static void case_close_from_env(void)
{
    struct tx t;

    pd_log_mark();
    tx_start(&t, "eksauth", "nosuchuser");
    pam_putenv(t.pamh, "EKS_USERNAME=admin:mallory");
    pam_putenv(t.pamh, "EKS_ARN=arn:aws:sts::111122223333:assumed-role/eks-admins/mallory");
    is_rc(pam_close_session(t.pamh, 0), PAM_PERM_DENIED,
          "close_session of a user eksauth does not serve, EKS_* set: PAM_IGNORE");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=close_session", NULL) == NULL,
       "no close line names the environment's k8s user for someone else's user");

    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    pam_putenv(t.pamh, "EKS_USERNAME=admin:mallory");
    pam_putenv(t.pamh, "EKS_SESSION_NAME=mallory");
    pam_putenv(t.pamh, "EKS_ARN=arn:aws:sts::111122223333:assumed-role/eks-admins/mallory");
    is_rc(pam_close_session(t.pamh, 0), PAM_SUCCESS, "close_session of admin-alice, EKS_* forged");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=close_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=- session=- access_key_id=- account=- ",
                   " token_fp=- audience=- canonical_arn=- ",
                   "reason=\"no token in this login: the principal is not known\"", NULL) != NULL,
       "the close line names the DB's k8s user and no principal");
    ok(pd_log_find("mallory", NULL) == NULL, "and nothing of the environment's values");
}

/* The audit lines of a login whose principal is not known: k8s_user, then every principal field
 * "-". */
#define NO_PRINCIPAL " arn=- session=- access_key_id=- account=- "
#define NO_TOKEN     " token_fp=- audience=- canonical_arn=- "
#define NO_TOKEN_WHY "no token in this login: the principal is not known\""

/*
 * sshd's child: user authenticates with tok and the account stage runs, in
 * t (left open); the PAM environment it leaves into saved, and the
 * " token_fp=FP " its audit lines carry into want.
 */
static void child_login(struct tx *t, const char *user, const char *tok, char *saved[N_EKS_VARS],
                        char want[32])
{
    char fp[9];

    sha_fp(tok, fp);
    snprintf(want, 32, " token_fp=%s ", fp);
    tx_start(t, "eksauth", user);
    tx_answer(t, tok);
    is_rc(pam_authenticate(t->pamh, 0), PAM_SUCCESS, "authenticate in the 'child'");
    is_rc(pam_acct_mgmt(t->pamh, 0), PAM_SUCCESS, "acct_mgmt in the 'child' (OpenSSH's order)");
    env_save(t->pamh, saved);
}

/*
 * sshd authenticates in a child process (where OpenSSH runs the account
 * stage too) and hands only the PAM environment to the process that opens
 * the session: no pam_data there.  That process's first stage takes the
 * identity with its token proof, and every line names the token.
 */
static void case_session_elsewhere(void)
{
    char *saved[N_EKS_VARS], want[32];
    struct tx t;

    diag("the session opens in another process than the authentication (sshd)");
    child_login(&t, "admin-alice", TOK_ALICE, saved, want);
    ok(saved[0] != NULL && saved[4] != NULL,
       "the authentication stage already put EKS_* in the PAM environment");
    ok(saved[7] != NULL, "the child's account stage left the token proof for the other process");
    tx_end(&t, PAM_SUCCESS);

    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    env_restore(t.pamh, saved);
    /* sshd's parent: setcred, then the session. */
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "setcred in the 'parent'");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") == NULL, "setcred took the proof out");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session in the 'parent'");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice", "EKS_SESSION_NAME carried over");
    is_str(pam_getenv(t.pamh, "EKS_GROUPS"), "system:masters,ops", "EKS_GROUPS from the DB");
    ok(pd_log_find("event=open_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice",
                   want, "canonical_arn=arn:aws:iam::111122223333:role/eks-admins ",
                   "reason=\"groups system:masters,ops\"", NULL) != NULL,
       "the session's open line names the principal and the token (%s)", want);
    is_rc(pam_close_session(t.pamh, 0), PAM_SUCCESS, "close_session in the 'parent'");
    ok(pd_log_find("event=close_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice",
                   want, NULL) != NULL,
       "the close line too");
    tx_end(&t, PAM_SUCCESS);

    /* An sshd whose parent runs the account stage: it takes the identity there. */
    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    env_restore(t.pamh, saved);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt in the 'parent'");
    ok(pd_log_find("event=account result=success user=admin-alice k8s_user=admin:alice "
                   "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice ",
                   want, "canonical_arn=arn:aws:iam::111122223333:role/eks-admins ", NULL) != NULL,
       "the account line names the identity the authentication established elsewhere");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") == NULL, "and took the proof out");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session in the 'parent'");
    ok(pd_log_find("event=open_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice",
                   want, NULL) != NULL,
       "the session's audit line names the session and the token");
    tx_end(&t, PAM_SUCCESS);

    tx_start(&t, "eksauth", "admin-alice");
    pam_putenv(t.pamh, "EKS_USERNAME=admin:mallory");
    pam_putenv(t.pamh, "EKS_SESSION_NAME=mallory");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session with a foreign EKS_USERNAME");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "admin:alice", "EKS_USERNAME comes from the DB");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice",
           "the foreign session name gives way to the recorded one");
    is_str(pam_getenv(t.pamh, "EKS_CANONICAL_ARN"), "arn:aws:iam::111122223333:role/eks-admins",
           "EKS_CANONICAL_ARN from the DB");
    tx_end(&t, PAM_SUCCESS);

    /*
     * The right k8s user with other values, put in the environment after the
     * account stage (as a pam_env line reading the user's ~/.pam_environment
     * would): the session takes none of them.
     */
    tx_start(&t, "eksauth", "admin-alice");
    env_restore(t.pamh, saved);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt, then EKS_* changed in the env");
    pam_putenv(t.pamh, "EKS_SESSION_NAME=mallory");
    pam_putenv(t.pamh, "EKS_ARN=arn:aws:sts::111122223333:assumed-role/eks-admins/mallory");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session after the change");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice",
           "EKS_SESSION_NAME is what the account stage kept, not the changed one");
    is_str(pam_getenv(t.pamh, "EKS_ARN"), "arn:aws:sts::111122223333:assumed-role/eks-admins/alice",
           "EKS_ARN is what the account stage kept");
    tx_end(&t, PAM_SUCCESS);
    tx_start(&t, "eksauth", "admin-alice");
    pam_putenv(t.pamh, "EKS_USERNAME=admin:alice");
    pam_putenv(t.pamh, "EKS_SESSION_NAME=mallory");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS,
          "open_session without an account stage, EKS_USERNAME right and the rest not");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice",
           "the session never takes EKS_* from the environment: the recorded session name");
    tx_end(&t, PAM_SUCCESS);

    tx_start(&t, "eksauth", "nosuchuser");
    is_rc(pam_open_session(t.pamh, 0), PAM_PERM_DENIED,
          "open_session of a user eksauth does not serve: PAM_IGNORE (the stack alone fails)");
    tx_end(&t, PAM_SUCCESS);
    env_free(saved);
    case_close_from_env();
}

/*
 * A login that gave no token (an ssh key: no authentication stage of ours),
 * of a user whose last token login the DB records: every line names the k8s
 * user and no principal, for whoever holds the key is not known to eksauth.
 */
static void case_key_login(void)
{
    struct tx t;

    diag("a key login of a user the DB records (no token in this login)");
    is_rc(auth_once("eksauth", "bob", (const char *[]){TOK_BOB}, 1, NULL), PAM_SUCCESS,
          "bob logs in with a token first: the DB records his principal");
    pd_log_mark();
    tx_start(&t, "eksauth", "bob");
    pam_set_item(t.pamh, PAM_RHOST, "192.0.2.9");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "key login: acct_mgmt");
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "key login: setcred");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "key login: open_session");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "bob", "key login: the session gets EKS_USERNAME");
    is_rc(pam_close_session(t.pamh, 0), PAM_SUCCESS, "key login: close_session");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=account result=success user=bob k8s_user=bob" NO_PRINCIPAL
                   "rhost=192.0.2.9" NO_TOKEN,
                   "reason=\"mapped; " NO_TOKEN_WHY, NULL) != NULL,
       "key login: the account line names no principal");
    ok(pd_log_find("event=open_session result=success user=bob k8s_user=bob" NO_PRINCIPAL
                   "rhost=192.0.2.9" NO_TOKEN,
                   "reason=\"groups devs; " NO_TOKEN_WHY, NULL) != NULL,
       "key login: the open line names no principal, and says why");
    ok(pd_log_find("event=close_session result=success user=bob k8s_user=bob" NO_PRINCIPAL
                   "rhost=192.0.2.9" NO_TOKEN,
                   "reason=\"" NO_TOKEN_WHY, NULL) != NULL,
       "key login: the close line names no principal, and says why");
    ok(pd_log_find("user/bob", NULL) == NULL, "key login: no line names bob's recorded ARN");
    if (pd_log_find("user/bob", NULL) != NULL)
        log_dump_since_mark();
}

/*
 * EKS_* that did not come from this login's authentication (a user's
 * ~/.pam_environment through pam_env, another module): without the token
 * proof, or beside a real proof made for other values, the stage that takes
 * the identity names no principal, and says so in the log.
 */
static void case_forged_env(void)
{
    const char *mallory = "EKS_ARN=arn:aws:sts::111122223333:assumed-role/eks-admins/mallory";
    char *saved[N_EKS_VARS];
    struct tx t;
    size_t i;

    diag("EKS_* in the environment without a proof, or not the proof's");
    for (i = 0; i < 2; i++) {
        const char *stage = i == 0 ? "acct_mgmt" : "setcred";

        pd_log_mark();
        tx_start(&t, "eksauth", "admin-alice");
        pam_putenv(t.pamh, "EKS_USERNAME=admin:alice");
        pam_putenv(t.pamh, mallory);
        pam_putenv(t.pamh, "EKS_SESSION_NAME=mallory");
        is_rc(i == 0 ? pam_acct_mgmt(t.pamh, 0) : pam_setcred(t.pamh, PAM_ESTABLISH_CRED),
              PAM_SUCCESS, stage);
        is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session");
        tx_end(&t, PAM_SUCCESS);
        ok(pd_log_find("event=open_session result=success user=admin-alice "
                       "k8s_user=admin:alice" NO_PRINCIPAL,
                       NO_TOKEN, NULL) != NULL,
           "no proof, taken at %s: the open line names no principal", stage);
        ok(pd_log_find("mallory", NULL) == NULL, "no proof, taken at %s: nothing of the forgery",
           stage);
        ok(pd_log_find("EKS_* in the PAM environment are not taken as this login's (no token was "
                       "given in this login)",
                       NULL) != NULL,
           "no proof, taken at %s: logged", stage);
    }

    /* A real proof of alice's login, carried with one value changed. */
    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate in the 'child'");
    env_save(t.pamh, saved);
    tx_end(&t, PAM_SUCCESS);
    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    env_restore(t.pamh, saved);
    pam_putenv(t.pamh, mallory);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt: a real proof, EKS_ARN changed");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=account result=success user=admin-alice "
                   "k8s_user=admin:alice" NO_PRINCIPAL,
                   NO_TOKEN, "reason=\"mapped; " NO_TOKEN_WHY, NULL) != NULL,
       "a proof for other values: the account line names no principal");
    ok(pd_log_find("event=open_session result=success user=admin-alice "
                   "k8s_user=admin:alice" NO_PRINCIPAL,
                   NO_TOKEN, NULL) != NULL,
       "a proof for other values: the open line names no principal");
    ok(pd_log_find("mallory", NULL) == NULL, "a proof for other values: nothing of the forgery");
    ok(pd_log_find("not taken as this login's (the token proof is not this host's, or not for "
                   "the identity beside it)",
                   NULL) != NULL,
       "a proof for other values: logged");
    /* require_token: the same forgery is no token either. */
    tx_start(&t, "eksauth-token", "admin-alice");
    env_restore(t.pamh, saved);
    pam_putenv(t.pamh, mallory);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_PERM_DENIED, "require_token: a proof for other values");
    tx_end(&t, PAM_SUCCESS);
    env_free(saved);
}

static void case_pieces(void)
{
    char *p[40];
    size_t n = split(TOK_ALICE, (strlen(TOK_ALICE) + 3) / 4, p, 40), i;
    struct pd_conv cv;
    int rc;
    bool prompts = true, small = true;

    diag("a token in %zu pieces", n);
    for (i = 0; i < n; i++)
        small = small && strlen(p[i]) <= 500;
    ok(n == 4 && small, "4 pieces of at most 500 bytes");
    pd_log_mark();
    rc = auth_once("eksauth", "admin-alice", (const char *const *)p, n, &cv);
    is_rc(rc, PAM_SUCCESS, "authenticate with a token in 4 pieces");
    for (i = 0; i < cv.n_prompts; i++)
        prompts = prompts &&
                  strcmp(cv.prompts[i], i == 0 ? FIRST_PROMPT : "EKS token (continued): ") == 0;
    ok(cv.n_prompts == 4 && prompts, "prompts: '%s' then 3 x 'EKS token (continued): '",
       FIRST_PROMPT);
    pd_conv_free(&cv);
    free_pieces(p, n);

    n = split(TOK_ALICE, (strlen(TOK_ALICE) + 15) / 16, p, 40);
    rc = auth_once("eksauth", "admin-alice", (const char *const *)p, n, NULL);
    ok(n == 16 && rc == PAM_SUCCESS, "a real token in 16 pieces, the most allowed: accepted");
    free_pieces(p, n);

    {
        const char *seventeen[17];

        for (i = 0; i < 17; i++)
            seventeen[i] = "abc\\";
        pd_log_mark();
        rc = auth_once("eksauth", "admin-alice", seventeen, 17, &cv);
        is_rc(rc, PAM_AUTH_ERR, "17 pieces are refused");
        ok(cv.n_prompts == 16, "after 16 prompts (%zu)", cv.n_prompts);
        ok(pd_log_find("result=denied", "more than 16 pieces", NULL) != NULL,
           "logged: more than 16 pieces");
        pd_conv_free(&cv);
    }
    {
        char *big = malloc(4098);

        memset(big, 'A', 4097);
        big[4097] = '\0';
        memcpy(big, "k8s-aws-v1.", 11);
        pd_log_mark();
        is_rc(auth_once("eksauth", "admin-alice", (const char *[]){big}, 1, NULL), PAM_AUTH_ERR,
              "a 4097-byte token is refused");
        ok(pd_log_find("longer than 4096", NULL) != NULL, "logged: longer than 4096 bytes");
        free(big);
    }
}

static void case_cut(void)
{
    char cut[1024], cut511[512];
    struct pd_conv cv;

    memcpy(cut, TOK_ALICE, 1023);
    cut[1023] = '\0';
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){cut}, 1, &cv), PAM_AUTH_ERR,
          "a token cut at 1023 bytes is refused");
    ok(pd_conv_info_has(&cv, "cut at 1023 bytes") && pd_conv_info_has(&cv, "eksauth ssh") &&
           pd_conv_info_has(&cv, "eksauth askpass"),
       "the conversation says the client cut it, and how to send it in pieces");
    ok(pd_log_find("result=denied", "the client cut the token", NULL) != NULL,
       "the log says the client cut it");
    pd_conv_free(&cv);

    memcpy(cut511, TOK_ALICE, 511);
    cut511[511] = '\0';
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){cut511}, 1, &cv), PAM_AUTH_ERR,
          "a token cut at 511 bytes is refused");
    ok(pd_conv_info_has(&cv, "cut at 511 bytes"), "with the hint for 511 bytes");
    pd_conv_free(&cv);

    cut[1022] = '\0';
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){cut}, 1, &cv), PAM_AUTH_ERR,
          "a token of 1022 bytes is refused");
    ok(cv.n_infos == 1 && pd_conv_info_has(&cv, "eksauth: login refused: that is not a usable") &&
           !pd_conv_info_has(&cv, "cut at"),
       "without the hint: one line, the reason");
    pd_conv_free(&cv);
}

static void case_refusals(void)
{
    struct pd_conv cv;
    char fp[9], want[32];

    diag("refusals");
    pd_log_mark();
    is_rc(auth_once("eksauth", "bob", (const char *[]){TOK_ALICE}, 1, NULL), PAM_AUTH_ERR,
          "alice's token for another user's name");
    ok(pd_log_find("result=denied user=bob k8s_user=admin:alice", "maps to login 'admin-alice'",
                   NULL) != NULL,
       "logged: the token maps to admin-alice");

    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){"k8s-aws-v1.bm90IGEgdG9rZW4"}, 1,
                    NULL),
          PAM_AUTH_ERR, "a bad token");
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){"hunter2"}, 1, NULL), PAM_AUTH_ERR,
          "a password instead of a token");
    /* 32 bits of a password's hash would let whoever reads the log test guesses. */
    sha_fp("hunter2", fp);
    snprintf(want, sizeof(want), "token_fp=%s", fp);
    ok(pd_log_find("result=denied user=admin-alice", "token_fp=- ", "prefix", NULL) != NULL,
       "logged: no fingerprint of a password (token_fp=-)");
    ok(pd_log_find(want, NULL) == NULL, "the password's hash is nowhere in the log");
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_EXPIRED}, 1, NULL), PAM_AUTH_ERR,
          "an expired token");
    ok(pd_log_find("result=denied", "expired", NULL) != NULL, "logged: expired");

    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_OTHER}, 1, NULL), PAM_AUTH_ERR,
          "a token for another cluster");
    ok(pd_log_find("result=denied", "SignatureDoesNotMatch", NULL) != NULL,
       "logged: STS says SignatureDoesNotMatch");

    /* The cluster's own token is a live cluster credential: never a login by default. */
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_CLUSTER}, 1, NULL), PAM_AUTH_ERR,
          "a plain cluster token (aws eks get-token --cluster-name <cluster>)");
    ok(pd_log_find("result=denied", "SignatureDoesNotMatch", "takes tokens for", NULL) != NULL,
       "logged: not for this host, and which audience it takes");
    /* A token another host asked for is that host's alone. */
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_OTHERHOST}, 1, NULL),
          PAM_AUTH_ERR, "a token minted for another host of the cluster");

    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-carol", (const char *[]){TOK_CAROL}, 1, NULL), PAM_AUTH_ERR,
          "an unmapped role");
    ok(pd_log_find("result=denied user=admin-carol", "not mapped",
                   "canonical_arn=arn:aws:", NULL) != NULL,
       "logged: not mapped, with the principal aws-auth did not map (canonical_arn)");

    is_rc(auth_once("eksauth", "admin-alice", NULL, 0, NULL), PAM_AUTH_ERR,
          "a conversation that gives no answer");
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){""}, 1, NULL), PAM_AUTH_ERR,
          "an empty answer");

    pd_log_mark();
    is_rc(auth_once("eksauth", "root", (const char *[]){TOK_ALICE}, 1, &cv), PAM_USER_UNKNOWN,
          "root is never served");
    ok(cv.n_prompts == 0, "and is not asked for a token");
    pd_conv_free(&cv);
    is_rc(auth_once("eksauth", "nosuchuser", (const char *[]){TOK_ALICE}, 1, &cv), PAM_USER_UNKNOWN,
          "a user eksauth does not serve");
    ok(cv.n_prompts == 0, "is not asked for a token");
    pd_conv_free(&cv);
    ok(pd_log_find("nosuchuser", NULL) == NULL, "and leaves no audit line");
}

static void case_unknown_fallthrough(void)
{
    struct pd_conv cv;
    struct tx t;

    is_rc(auth_once("eksauth-unknown", "nosuchuser", NULL, 0, &cv), PAM_SUCCESS,
          "ignore_unknown_user: the stack goes on to the next module (pam_permit)");
    ok(cv.n_prompts == 0, "without a token prompt");
    pd_conv_free(&cv);
    tx_start(&t, "eksauth-unknown", "nosuchuser");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "account with ignore_unknown_user goes on too");
    tx_end(&t, PAM_SUCCESS);
    tx_start(&t, "eksauth", "nosuchuser");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_USER_UNKNOWN, "account without it: USER_UNKNOWN");
    tx_end(&t, PAM_SUCCESS);
    is_rc(auth_once("eksauth-unknown", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_SUCCESS, "ignore_unknown_user still authenticates eksauth users");
    is_rc(auth_once("eksauth-unknown", "admin-alice", (const char *[]){"k8s-aws-v1.bad"}, 1, NULL),
          PAM_AUTH_ERR, "and still refuses their bad tokens");
}

/*
 * A token pasted at the login name's prompt: refused as no user of ours, and
 * logged by its fingerprint only (case_no_token_in_logs reads every line).
 */
static void case_token_as_user(void)
{
    char fp[9], want[64];
    struct tx t;

    sha_fp(TOK_BOB, fp);
    snprintf(want, sizeof(want), "user=(token:%s)", fp);
    pd_log_mark();
    /* debug: a user eksauth does not serve is logged too. */
    is_rc(auth_once("eksauth-debug", TOK_BOB, (const char *[]){TOK_BOB}, 1, NULL), PAM_USER_UNKNOWN,
          "a token as the user name: USER_UNKNOWN");
    ok(pd_log_find(want, NULL) != NULL, "the audit line names it by its fingerprint: %s", want);
    ok(pd_log_find("a token was given as the user name", NULL) != NULL,
       "and says a token was given as the user name");
    tx_start(&t, "eksauth", TOK_BOB);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_USER_UNKNOWN, "account: USER_UNKNOWN");
    tx_end(&t, PAM_SUCCESS);
    is_rc(auth_once("eksauth-unknown", TOK_BOB, NULL, 0, NULL), PAM_SUCCESS,
          "ignore_unknown_user: the stack goes on");
}

static void case_unavailable(void)
{
    pd_log_mark();
    is_rc(auth_once("eksauth-down", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "STS unreachable");
    ok(pd_log_find("result=unavailable user=admin-alice", NULL) != NULL,
       "logged: result=unavailable");
    is_rc(auth_once("eksauth-down-ignore", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_SUCCESS, "ignore_authinfo_unavail: PAM_IGNORE (the next module decides)");
    is_rc(auth_once("eksauth-nodb", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "no identity DB");
    is_rc(auth_once("eksauth-noconfig", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "no config file");
    pd_log_mark();
    is_rc(auth_once("eksauth-badperm", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "a config file writable by others is refused");
    ok(pd_log_find("writable", NULL) != NULL, "logged: writable by group or others");
}

/* The account stage of user in a fresh handle (no authentication in it). */
static int account_once(const char *svc, const char *user)
{
    struct tx t;
    int rc;

    tx_start(&t, svc, user);
    rc = pam_acct_mgmt(t.pamh, 0);
    tx_end(&t, rc);
    return rc;
}

/* Whether NSS serves login from the test's DB as a templated name, before any login records it. */
static bool templated(const char *login)
{
    struct eksauth_iddb_id_rules rules = {NULL, (uint64_t)time(NULL), NULL, NULL};
    struct eksauth_iddb *db = db_open();
    uint32_t uid;
    bool yes;

    yes =
        db != NULL && eksauth_iddb_template_user(db, login, &rules, &uid) == EKSAUTH_IDDB_TEMPLATED;
    eksauth_iddb_close(db);
    return yes;
}

/*
 * ignore_authinfo_unavail lets the account stack go on for a user this host
 * cannot place (no DB); never for one the DB records, whom the next module
 * (pam_unix's account stage takes any NSS user without a shadow entry)
 * would let in on a mapping no sync has confirmed (max_snapshot_age).
 */
static void case_account_unavailable(void)
{
    char *db = path_in("db/identity.db"), *nodb = path_in("no-such-db/identity.db");
    char *keyed_db = path_in("keyed-db/identity.db");
    static const struct {
        const char *key, *user; /* key: EKSAUTH_ID_KEY, in the prepared folder */
        int want;
        const char *what;
    } keyed[] = {
        {"key/id.key", "admin-neverseen", PAM_AUTHINFO_UNAVAIL,
         "no config, keyed DB, its key read: a templated name NSS serves is refused"},
        {"key", "admin-neverseen", PAM_AUTHINFO_UNAVAIL,
         "no config, keyed DB, its key unreadable: a templated name NSS may serve is refused"},
        {"key", "nosuchuser", PAM_SUCCESS,
         "no config, keyed DB, its key unreadable: a name no template gives goes on"},
    };
    size_t i;

    /* nodb.conf's DB, which NSS reads too: none, whatever this host has at the default path. */
    ok(setenv("EKSAUTH_DB", nodb, 1) == 0, "EKSAUTH_DB names nodb.conf's missing DB");
    is_rc(account_once("eksauth-nodb-ignore", "bob"), PAM_SUCCESS,
          "account, no identity DB, ignore_authinfo_unavail: the next module decides");
    unsetenv("EKSAUTH_DB");
    pd_log_mark();
    is_rc(account_once("eksauth-stale", "bob"), PAM_AUTHINFO_UNAVAIL,
          "account of a recorded user, no snapshot confirmed under max_snapshot_age");
    ok(pd_log_find("event=account result=unavailable user=bob", "max_snapshot_age", NULL) != NULL,
       "logged with the reason");
    is_rc(account_once("eksauth-stale-ignore", "bob"), PAM_AUTHINFO_UNAVAIL,
          "the same with ignore_authinfo_unavail: still refused, not PAM_IGNORE");
    /*
     * No config to read, but the DB the NSS module reads (EKSAUTH_DB here,
     * whatever a config says) records bob: pam_unix would take him.
     */
    ok(setenv("EKSAUTH_DB", db, 1) == 0, "EKSAUTH_DB names the DB NSS reads");
    is_rc(account_once("eksauth-noconfig-ignore", "bob"), PAM_AUTHINFO_UNAVAIL,
          "no config, ignore_authinfo_unavail, a user NSS serves from the DB: refused");
    is_rc(account_once("eksauth-noconfig-ignore", "nosuchuser"), PAM_SUCCESS,
          "the same for a name NSS does not serve: the next module decides");
    /*
     * A name no login recorded, which NSS serves all the same from the
     * template admin:{{SessionName}}: pam_unix would take it, and a key
     * login (AuthorizedKeysCommand) would pass without require_token.
     */
    ok(templated("admin-neverseen"), "admin-neverseen is a templated name no login recorded");
    is_rc(account_once("eksauth-noconfig-ignore", "admin-neverseen"), PAM_AUTHINFO_UNAVAIL,
          "no config, ignore_authinfo_unavail, a templated name NSS serves: refused");
    /*
     * A DB whose ids are keyed (pam_common.sh): with the key NSS reads the
     * stage finds the templated name served; without one it cannot tell
     * what NSS, which may hold the key, answers: refused all the same
     * (nss_serves: NSS_MAY_SERVE), while a name no template gives needs no
     * key and goes on.
     */
    ok(setenv("EKSAUTH_DB", keyed_db, 1) == 0, "EKSAUTH_DB names a keyed DB");
    for (i = 0; i < sizeof(keyed) / sizeof(keyed[0]); i++) {
        char *key = path_in(keyed[i].key);

        ok(setenv("EKSAUTH_ID_KEY", key, 1) == 0, "EKSAUTH_ID_KEY=%s", keyed[i].key);
        is_rc(account_once("eksauth-noconfig-ignore", keyed[i].user), keyed[i].want, keyed[i].what);
        free(key);
    }
    unsetenv("EKSAUTH_ID_KEY");
    unsetenv("EKSAUTH_DB");
    free(db);
    free(nodb);
    free(keyed_db);
}

/*
 * A relative config= is a broken setting, never a reason to read another
 * file: with EKSAUTH_CONFIG naming a config that would let alice in, every
 * stage answers as when the config cannot be read (pam_eksauth/options.c),
 * and ignore_authinfo_unavail still holds a user NSS serves.
 */
static void case_config_relative(void)
{
    char *conf = path_in("eksauth.conf"), *db = path_in("db/identity.db");
    struct tx t;

    ok(setenv("EKSAUTH_CONFIG", conf, 1) == 0, "EKSAUTH_CONFIG names a config that works");
    pd_log_mark();
    is_rc(auth_once("eksauth-config-rel", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "relative config=: auth reads no other config");
    ok(pd_log_find("config=etc/eksauth/eksauth.conf: not an absolute path", "no config is read",
                   NULL) != NULL,
       "logged: why");
    ok(pd_log_find("event=auth result=unavailable user=admin-alice",
                   "the config option is not an absolute path", NULL) != NULL,
       "the audit line says unavailable, and why");
    is_rc(account_once("eksauth-config-rel", "bob"), PAM_AUTHINFO_UNAVAIL,
          "relative config=: account too");
    tx_start(&t, "eksauth-config-rel", "bob");
    is_rc(pam_open_session(t.pamh, 0), PAM_SESSION_ERR, "relative config=: session too");
    tx_end(&t, PAM_SUCCESS);
    is_rc(
        auth_once("eksauth-config-rel-ignore", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
        PAM_SUCCESS, "with ignore_authinfo_unavail: auth gives way to the next module");
    ok(setenv("EKSAUTH_DB", db, 1) == 0, "EKSAUTH_DB names the DB NSS reads");
    is_rc(account_once("eksauth-config-rel-ignore", "bob"), PAM_AUTHINFO_UNAVAIL,
          "with ignore_authinfo_unavail: a user NSS serves is still refused at account");
    is_rc(account_once("eksauth-config-rel-ignore", "nosuchuser"), PAM_SUCCESS,
          "and a name NSS does not serve goes on to the next module");
    unsetenv("EKSAUTH_DB");
    unsetenv("EKSAUTH_CONFIG");
    free(conf);
    free(db);
}

/* What STS answers decides the code: "try later" or "no". */
static void case_sts_faults(void)
{
    static const struct {
        const char *fault;
        int want;
        const char *what;
    } cases[] = {
        {"503", PAM_AUTHINFO_UNAVAIL, "STS 503 ServiceUnavailable"},
        {"500", PAM_AUTHINFO_UNAVAIL, "STS 500 InternalFailure"},
        {"throttling", PAM_AUTHINFO_UNAVAIL, "STS Throttling"},
        {"silence", PAM_AUTHINFO_UNAVAIL, "STS silent past sts_timeout"},
        {"reset", PAM_AUTHINFO_UNAVAIL, "connection reset"},
        {"foreign-ca-cert", PAM_AUTHINFO_UNAVAIL, "a certificate of another CA"},
        {"redirect", PAM_AUTH_ERR, "a redirect (never followed)"},
        {"truncated-json", PAM_AUTH_ERR, "a cut JSON answer"},
        {"mismatched-account", PAM_AUTH_ERR, "an Account that is not the ARN's"},
        {"none", PAM_SUCCESS, "(the same stand-in, answering normally)"},
    };
    char *ctl = path_in("fault.json");
    char body[128];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(body, sizeof(body), "{\"fault\": \"%s\"}\n", cases[i].fault);
        write_file(ctl, body);
        pd_log_mark();
        is_rc(auth_once("eksauth-faults", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
              cases[i].want, cases[i].what);
        if (cases[i].want != PAM_SUCCESS)
            ok(pd_log_find(cases[i].want == PAM_AUTH_ERR ? "result=denied" : "result=unavailable",
                           "reason=\"sts: ", NULL) != NULL,
               "logged with the STS cause");
    }
    free(ctl);
}

static void case_first_pass(void)
{
    struct pd_conv cv;

    is_rc(auth_once("eksauth-firstpass", "admin-alice", (const char *[]){TOK_ALICE}, 1, &cv),
          PAM_SUCCESS, "use_first_pass: the token an earlier module (pam_unix) read");
    ok(cv.n_prompts == 1 && strstr(cv.prompts[0], "EKS") == NULL,
       "only the earlier module prompted");
    pd_conv_free(&cv);
    is_rc(auth_once("eksauth-firstpass-alone", "admin-alice", (const char *[]){TOK_ALICE}, 1, &cv),
          PAM_AUTH_ERR, "use_first_pass without an earlier token");
    ok(cv.n_prompts == 0, "never prompts");
    pd_conv_free(&cv);
    is_rc(auth_once("eksauth-trypass", "admin-alice", (const char *[]){TOK_ALICE}, 1, &cv),
          PAM_SUCCESS, "try_first_pass with an earlier token");
    ok(cv.n_prompts == 1, "no second prompt");
    pd_conv_free(&cv);
    is_rc(
        auth_once("eksauth-trypass", "admin-alice", (const char *[]){"hunter2", TOK_ALICE}, 2, &cv),
        PAM_SUCCESS, "try_first_pass with an earlier password that is no token");
    ok(cv.n_prompts == 2 && strcmp(cv.prompts[1], FIRST_PROMPT) == 0, "then prompts for a token");
    pd_conv_free(&cv);
}

/*
 * The proof cannot be put in the environment: the login goes on (the account
 * stage refuses without it), and the log says why, not what the module's
 * stack held.
 */
static void case_proof_not_kept(void)
{
    const char *line;

    pd_log_mark();
    fail_putenv = "EKSAUTH_PROOF=";
    is_rc(auth_once("eksauth-token", "bob", (const char *[]){TOK_BOB}, 1, NULL), PAM_SUCCESS,
          "authenticate bob while pam_putenv refuses the token proof");
    fail_putenv = NULL;
    line = pd_log_find("no token proof for the later stages: ", NULL);
    ok(line != NULL && strstr(line, "no token proof for the later stages: pam_putenv: ") != NULL,
       "logged: no token proof, because pam_putenv failed");
    if (line != NULL)
        diag("log: %s", line);
}

/*
 * A setuid caller's real uid that cannot be put back after the proof's key
 * is made: the stage fails, and leaves no proof in the PAM environment for
 * a later account stage (require_token) to take as this login's.
 */
static void case_proof_unrestored(void)
{
    struct tx t;

    tx_start(&t, "eksauth-auth-only", "bob");
    tx_answer(&t, TOK_BOB);
    pd_log_mark();
    fake_ruid = 4242;
    restores_ok = 1; /* the login's own put back works, the proof key's does not */
    is_rc(pam_authenticate(t.pamh, 0), PAM_SYSTEM_ERR,
          "the real uid not restored after the proof key: authenticate fails");
    fake_ruid = 0;
    restores_ok = -1;
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") == NULL, "... and leaves no token proof");
    ok(pam_getenv(t.pamh, "EKS_USERNAME") == NULL, "... nor an identity");
    ok(pd_log_find("cannot restore the real uid 4242", NULL) != NULL, "... and the log says why");
    tx_end(&t, PAM_SYSTEM_ERR);
}

/*
 * A stack whose account and session stages are other modules' (sudo's
 * shape): the proof is for pam_eksauth's account stage alone, so setcred,
 * which every application calls after the account stage, takes it out
 * before the session's environment is made of the PAM environment.
 */
static void case_proof_not_in_session(void)
{
    struct tx t;

    tx_start(&t, "eksauth-auth-only", "bob");
    tx_answer(&t, TOK_BOB);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "auth-only stack: authenticate bob");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") != NULL, "auth-only stack: the proof is made");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "auth-only stack: another module's account");
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "auth-only stack: setcred");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "auth-only stack: another module's session");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") == NULL,
       "auth-only stack: no proof in the session's environment");
    tx_end(&t, PAM_SUCCESS);

    /*
     * sudo with "Defaults !pam_setcred": no setcred, and PAM_USER is the
     * command's user (root) by the session, a user whose session is not
     * ours.  The account stage kept the proof (this handle made it), so the
     * session stage must take it out on that path too: sudo hands the PAM
     * environment to the command.
     */
    tx_start(&t, "eksauth", "bob");
    tx_answer(&t, TOK_BOB);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "sudo, no setcred: authenticate bob");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "sudo, no setcred: acct_mgmt");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") != NULL,
       "sudo, no setcred: the account stage kept the proof of the handle that made it");
    pam_set_item(t.pamh, PAM_USER, "root");
    is_rc(pam_open_session(t.pamh, 0), PAM_PERM_DENIED,
          "sudo, no setcred: open_session as root, not ours (PAM_IGNORE: the stack alone fails)");
    ok(pam_getenv(t.pamh, "EKSAUTH_PROOF") == NULL,
       "sudo, no setcred: no proof in the command's environment");
    tx_end(&t, PAM_SUCCESS);

    /*
     * sudo -u bob after admin-alice's token: setcred and the session are
     * bob's, in a handle whose EKS_* and proof are admin-alice's own login's.
     * Nobody tried to pass for a token login: no warning, and bob's lines
     * name no principal (he gave no token), nothing of admin-alice's.
     */
    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "sudo -u bob: authenticate admin-alice");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "sudo -u bob: acct_mgmt of admin-alice");
    pd_log_mark();
    pam_set_item(t.pamh, PAM_USER, "bob");
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "sudo -u bob: setcred of bob");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "sudo -u bob: open_session of bob");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "bob", "sudo -u bob: the command gets bob's EKS_*");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("not taken as this login's", NULL) == NULL,
       "sudo -u bob: no warning of EKS_* not taken (they are admin-alice's own login's)");
    ok(pd_log_find("event=open_session result=success user=bob k8s_user=bob" NO_PRINCIPAL, NO_TOKEN,
                   NULL) != NULL,
       "sudo -u bob: the open line names bob and no principal");
    ok(pd_log_find("eks-admins/alice", NULL) == NULL, "sudo -u bob: nothing of admin-alice's");
}

/* The account stage of a handle that never asked bob for a token (an ssh key, say). */
static void case_require_token(void)
{
    struct tx t;

    tx_start(&t, "eksauth-token", "bob");
    tx_answer(&t, TOK_BOB);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate bob for require_token");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "require_token: this handle gave a token");
    tx_end(&t, PAM_SUCCESS);
    pd_log_mark();
    is_rc(account_once("eksauth-token", "bob"), PAM_PERM_DENIED,
          "require_token: no token in this login, refused");
    ok(pd_log_find("event=account result=denied user=bob", "not a key or another method", NULL) !=
           NULL,
       "logged with the reason");
    pd_log_mark();
    is_rc(account_once("eksauth-token-login", "bob"), PAM_SUCCESS,
          "require_token=login,su: not for this service");
    /*
     * bob's last token login is in the DB, but this handle gave no token (a
     * key, say): whoever holds the key is not that principal, so the line
     * names none.
     */
    ok(pd_log_find("event=account result=success user=bob k8s_user=",
                   " arn=- session=- access_key_id=- account=- ", " canonical_arn=- ",
                   "reason=\"mapped; no token in this login: the principal is not known\"",
                   NULL) != NULL,
       "a login without a token: the account line names no principal");
    /* An empty list is a mistake (a template's empty variable): the gate stays shut. */
    pd_log_mark();
    is_rc(account_once("eksauth-token-empty", "bob"), PAM_PERM_DENIED,
          "require_token= (no service named): every service, refused");
    ok(pd_log_find("require_token=: names no service", NULL) != NULL, "and logged");
    is_rc(account_once("eksauth-token-commas", "bob"), PAM_PERM_DENIED,
          "require_token=, (no service named): every service, refused");
    pd_log_mark();
    is_rc(account_once("eksauth-token-crlf", "bob"), PAM_PERM_DENIED,
          "require_token=THIS\\r (a CRLF file): every service, refused");
    /* The CR is shown as printable.h shows it, not written into the log. */
    ok(pd_log_find("require_token=eksauth-token-crlf?: names no service",
                   "holds a control character", NULL) != NULL,
       "and logged, the CR shown as '?'");
    pd_log_mark();
    is_rc(account_once("eksauth-token-blank", "bob"), PAM_PERM_DENIED,
          "[require_token=THIS login] (a blank in brackets): every service, refused");
    ok(pd_log_find("require_token=eksauth-token-blank login: names no service", NULL) != NULL,
       "and logged");
    is_rc(account_once("eksauth-token-upper", "bob"), PAM_PERM_DENIED,
          "require_token=login,THIS in capitals (libpam lowers the service's name): refused");
    /* Options add up, as require_group= does and doctor reads them: the later never narrows. */
    is_rc(account_once("eksauth-token-lists", "bob"), PAM_PERM_DENIED,
          "require_token=THIS require_token=login: this service too, refused");
    is_rc(account_once("eksauth-token-bare-first", "bob"), PAM_PERM_DENIED,
          "require_token require_token=login: every service, refused");
    is_rc(account_once("eksauth-token-bare-last", "bob"), PAM_PERM_DENIED,
          "require_token=login require_token: every service, refused");
    pd_log_mark();
    is_rc(account_once("eksauth-token-33", "bob"), PAM_PERM_DENIED,
          "33 require_token= lists, none for this service: every service, refused");
    ok(pd_log_find("more than 32 require_token= options", NULL) != NULL, "and logged");
    case_proof_not_kept();
    case_proof_unrestored();
}

/*
 * debug names the config and DB paths: a path holding a control byte (an
 * absolute config= with the ESC a terminal takes) is shown as printable.h
 * shows it, as every other logged argument is, never written into syslog.
 */
static void esc_config_logged(void)
{
    char *from = NULL, *to = NULL;
    size_t i;
    bool raw = false;

    if (asprintf(&from, "%s/eksauth.conf", DIR_) < 0 ||
        asprintf(&to, "%s/eks\033[7mauth.conf", DIR_) < 0)
        abort();
    if (link(from, to) != 0 && errno != EEXIST)
        abort();
    pd_log_mark();
    is_rc(auth_once("eksauth-debug-esc", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_SUCCESS, "config= naming a file with an ESC in its name: read");
    ok(pd_log_find("config ", "/eks?[7mauth.conf, identity DB ", NULL) != NULL,
       "debug logs its path, the ESC shown as '?'");
    for (i = pd_log_marked(); i < pd_log_count(); i++)
        raw = raw || strchr(pd_log_line(i), '\033') != NULL;
    ok(!raw, "and no line holds the ESC itself");
    unlink(to);
    free(from);
    free(to);
}

static void case_options(void)
{
    struct tx t;

    pd_log_mark();
    is_rc(auth_once("eksauth-debug", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_SUCCESS, "an unknown option is ignored");
    ok(pd_log_find("unknown option: bogus_option", NULL) != NULL, "and logged");
    ok(pd_log_find("token of ", "answer(s)", NULL) != NULL, "debug adds details");
    esc_config_logged();

    tx_start(&t, "eksauth-group-ok", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate for require_group");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS,
          "require_group=eks-nothing require_group=eks-system-masters: any of them");
    tx_end(&t, PAM_SUCCESS);
    pd_log_mark();
    tx_start(&t, "eksauth-group-no", "admin-alice");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_PERM_DENIED, "require_group=eks-devs refuses admin-alice");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=account result=denied user=admin-alice", "require_group", NULL) != NULL,
       "logged with the reason");
    tx_start(&t, "eksauth-group-no", "bob");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "require_group=eks-devs lets bob in");
    tx_end(&t, PAM_SUCCESS);
    tx_start(&t, "eksauth-group-bad", "bob");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_PERM_DENIED, "an empty require_group= fails closed");
    tx_end(&t, PAM_SUCCESS);
    pd_log_mark();
    is_rc(account_once("eksauth-gate-typo", "bob"), PAM_PERM_DENIED,
          "require_grop= (a misspelt gate) fails closed");
    ok(pd_log_find("unknown option: require_grop=eks-devs", "account refuses every user", NULL) !=
           NULL,
       "and logged");
    is_rc(account_once("eksauth-gate-bare", "bob"), PAM_PERM_DENIED,
          "require_group without a value fails closed");
    is_rc(account_once("eksauth-gate-case", "bob"), PAM_PERM_DENIED,
          "Require_Group= (another case) fails closed");
    is_rc(account_once("eksauth-account-bogus", "bob"), PAM_SUCCESS,
          "an unknown option that is no gate is ignored at account too");
    case_require_token();
    case_proof_not_in_session();
}

/* Last: it rewrites aws-auth and the DB. */
static void case_revocation(void)
{
    char *live = path_in("aws-auth.yaml"), *revoked = slurp("aws-auth-revoked.yaml");
    char *orig = slurp("aws-auth.yaml");
    struct tx t;

    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate before the role is removed");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "account before the role is removed");
    write_file(live, revoked);
    ok(run_sync() == 0, "the role is removed from aws-auth and eksauth sync runs");
    pd_log_mark();
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_PERM_DENIED, "account in the same handle: PERM_DENIED");
    ok(pd_log_find("event=account result=denied user=admin-alice", "no longer mapped", NULL) !=
           NULL,
       "logged: no longer mapped");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "(the session stage is not a gate)");
    tx_end(&t, PAM_SUCCESS);

    tx_start(&t, "eksauth", "admin-alice");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_USER_UNKNOWN,
          "account in a new handle (sudo with a cached credential): no such user any more");
    tx_end(&t, PAM_SUCCESS);
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_USER_UNKNOWN, "a new login with the same token: not served");
    tx_start(&t, "eksauth", "bob");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "bob, still mapped, keeps access");
    tx_end(&t, PAM_SUCCESS);

    write_file(live, orig);
    ok(run_sync() == 0, "aws-auth restored");
    free(live);
    free(revoked);
    free(orig);
}

/*
 * A k8s username with a character EKS_* show as '?' (U+202E, which aws-auth
 * takes): the token proof covers the environment's cleaned EKS_USERNAME, so
 * sshd's parent compares it with the DB's name cleaned alike, and the
 * session names the principal and the token.  Compared with the DB's raw
 * name, it logged a false "another k8s user than the identity DB's" and
 * named neither (arn=- token_fp=-).
 */
static void case_unprintable_k8s_user(void)
{
    static const char bob[] = "      username: bob\n";
    char *live = path_in("aws-auth.yaml"), *orig = slurp("aws-auth.yaml"), *changed = NULL;
    char *saved[N_EKS_VARS], want[32];
    const char *at = strstr(orig, bob);
    struct tx t;

    diag("a k8s username with U+202E, the session in another process (sshd)");
    if (at == NULL || asprintf(&changed, "%.*s      username: bob\xe2\x80\xae\n%s",
                               (int)(at - orig), orig, at + strlen(bob)) < 0)
        abort();
    write_file(live, changed);
    ok(run_sync() == 0, "bob's k8s username ends in U+202E and eksauth sync runs");
    child_login(&t, "bob---", TOK_BOB, saved, want);
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "bob?", "EKS_USERNAME shows U+202E as '?'");
    tx_end(&t, PAM_SUCCESS);

    pd_log_mark();
    tx_start(&t, "eksauth", "bob---");
    env_restore(t.pamh, saved);
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "setcred in the 'parent'");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session in the 'parent'");
    ok(pd_log_find("another k8s user than the identity DB's", NULL) == NULL,
       "no warning of another k8s user: the same name, cleaned alike");
    ok(pd_log_find("event=open_session result=success user=bob--- ",
                   "arn=arn:aws:iam::111122223333:user/bob ", want, NULL) != NULL,
       "the session's open line names the principal and the token (%s)", want);
    tx_end(&t, PAM_SUCCESS);
    env_free(saved);

    write_file(live, orig);
    ok(run_sync() == 0, "aws-auth restored");
    free(live);
    free(orig);
    free(changed);
}

/* Lines since the mark that hold a control byte (C0, DEL) or are longer than max bytes. */
static size_t lines_unsafe(size_t max)
{
    size_t i, bad = 0;

    for (i = pd_log_marked(); i < pd_log_count(); i++) {
        const unsigned char *p = (const unsigned char *)pd_log_line(i);
        bool ctl = false;

        for (; *p != '\0'; p++)
            ctl = ctl || *p < 0x20 || *p == 0x7f;
        if (ctl || strlen(pd_log_line(i)) > max) {
            bad++;
            diag("unsafe line (%zu bytes): %.300s", strlen(pd_log_line(i)), pd_log_line(i));
        }
    }
    return bad;
}

/*
 * Log injection: the name typed at the prompt (PAM_USER), PAM_RHOST and
 * PAM_RUSER come from whoever logs in.  Through every stage and every path
 * that logs (a refusal, no DB, no config, a stale snapshot, debug), no line
 * may hold a control byte (a second line, a terminal escape) or grow with
 * what the client sent, and no refusal may read as result=success.
 */
static void case_log_injection(void)
{
    static const char *const svcs[] = {"eksauth",        "eksauth-nodb",  "eksauth-noconfig",
                                       "eksauth-stale",  "eksauth-debug", "eksauth-down",
                                       "eksauth-badperm"};
    char *long_name = malloc(8193);
    const char *names[5];
    size_t i, j;
    struct tx t;
    int rc;

    if (long_name == NULL)
        abort();
    memset(long_name, 'a', 8192);
    long_name[8192] = '\0';
    names[0] = "x\nevent=auth result=success user=root";
    names[1] = "alice result=success";
    names[2] = "x\r\x1b[1A\"q\\ \t\x7f";
    names[3] = long_name;
    names[4] = "(token:deadbeef)"; /* the mark of a token typed as the name (case_token_as_user) */
    diag("log injection");
    pd_log_mark();
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (j = 0; j < sizeof(svcs) / sizeof(svcs[0]); j++) {
            tx_start(&t, svcs[j], names[i]);
            tx_answer(&t, "k8s-aws-v1.bad");
            pam_set_item(t.pamh, PAM_RHOST, "h\nevent=auth result=success");
            pam_set_item(t.pamh, PAM_RUSER, "r\nevent=auth result=success");
            rc = pam_authenticate(t.pamh, 0);
            (void)pam_acct_mgmt(t.pamh, 0);
            (void)pam_open_session(t.pamh, 0);
            (void)pam_close_session(t.pamh, 0);
            tx_end(&t, rc);
        }
    }
    ok(pd_log_count() > pd_log_marked(), "hostile names logged %zu lines",
       pd_log_count() - pd_log_marked());
    ok(lines_unsafe(4096) == 0, "no line holds a control byte or passes 4096 bytes");
    ok(pd_log_find("result=success", NULL) == NULL, "no line says result=success");
    ok(pd_log_find("user=(token:deadbeef)", NULL) == NULL,
       "a name typed as (token:FP) does not read as a token's fingerprint");
    if (pd_log_find("result=success", NULL) != NULL)
        log_dump_since_mark();
    /* Every attempt above stops at the token's format: a valid token takes the hostile
     * RHOST and RUSER through the mapping and onto the success lines too. */
    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    pam_set_item(t.pamh, PAM_RHOST, "h\nevent=auth result=success user=root\x1b[1A");
    pam_set_item(t.pamh, PAM_RUSER, "r\nevent=auth result=success user=root\t\x7f");
    rc = pam_authenticate(t.pamh, 0);
    is_rc(rc, PAM_SUCCESS, "a valid token with a hostile RHOST and RUSER: authenticated");
    (void)pam_acct_mgmt(t.pamh, 0);
    (void)pam_open_session(t.pamh, 0);
    (void)pam_close_session(t.pamh, 0);
    tx_end(&t, rc);
    ok(pd_log_find("event=auth result=success user=admin-alice", NULL) != NULL,
       "... its success line logged");
    ok(lines_unsafe(4096) == 0, "... and no line of it holds a control byte");
    free(long_name);
}

/*
 * The value of query parameter name in tok's decoded URL (the signature, the
 * session token), at most max bytes into out; false when there is none.
 */
static bool token_param(const char *tok, const char *name, char *out, size_t max)
{
    const char *body = tok + strlen("k8s-aws-v1.");
    size_t len = strlen(body), i, n;
    char *b64 = malloc(len + 4), *url = malloc(len + 4), *p;
    bool found = false;
    int got;

    if (b64 == NULL || url == NULL)
        abort();
    for (i = 0; i < len; i++)
        b64[i] = body[i] == '-' ? '+' : body[i] == '_' ? '/' : body[i];
    while (i % 4 != 0)
        b64[i++] = '=';
    got = EVP_DecodeBlock((unsigned char *)url, (const unsigned char *)b64, (int)i);
    if (got > 0) {
        url[got] = '\0';
        p = strstr(url, name);
        if (p != NULL) {
            p += strlen(name);
            n = strcspn(p, "&");
            n = n < max ? n : max;
            memcpy(out, p, n);
            out[n] = '\0';
            found = n >= 16;
        }
    }
    free(b64);
    free(url);
    return found;
}

/*
 * One attempt, one line: a token refused here (no STS call), one STS
 * refuses, an unmapped role, an expired token and a success each leave
 * exactly one line, the audit line, so that a spray of bad tokens costs
 * one bounded line each and a count of lines is a count of attempts.
 */
static void case_one_line_per_attempt(void)
{
    struct {
        const char *user, *token, *want;
        int rc;
    } att[] = {
        {"admin-alice", "k8s-aws-v1.bm90IGEgdG9rZW4", "event=auth result=denied ", PAM_AUTH_ERR},
        {"admin-alice", NULL, "event=auth result=denied ", PAM_AUTH_ERR}, /* TOK_EXPIRED */
        {"admin-alice", NULL, "event=auth result=denied ", PAM_AUTH_ERR}, /* TOK_OTHER */
        {"admin-carol", NULL, "event=auth result=denied ", PAM_AUTH_ERR}, /* TOK_CAROL */
        {"admin-alice", NULL, "event=auth result=success ", PAM_SUCCESS}, /* TOK_ALICE */
    };
    size_t i, n;

    att[1].token = TOK_EXPIRED;
    att[2].token = TOK_OTHER;
    att[3].token = TOK_CAROL;
    att[4].token = TOK_ALICE;
    for (i = 0; i < sizeof(att) / sizeof(att[0]); i++) {
        pd_log_mark();
        is_rc(auth_once("eksauth", att[i].user, &att[i].token, 1, NULL), att[i].rc, "one attempt");
        n = pd_log_count() - pd_log_marked();
        ok(n == 1 && pd_log_find(att[i].want, NULL) != NULL, "attempt %zu: one line, %s(%zu lines)",
           i, att[i].want, n);
        if (n != 1)
            log_dump_since_mark();
    }
}

static void case_no_token_in_logs(void)
{
    const char *secrets[8] = {TOK_ALICE, TOK_BOB,     TOK_BOBEX,   TOK_CAROL,
                              TOK_OTHER, TOK_EXPIRED, TOK_CLUSTER, TOK_OTHERHOST};
    size_t i, j, found = 0;

    for (i = 0; i < pd_log_count(); i++) {
        for (j = 0; j < sizeof(secrets) / sizeof(secrets[0]); j++) {
            /* Any 24 bytes of the token's body would be a leak, not only the whole. */
            const char *body = secrets[j] + strlen("k8s-aws-v1.");
            size_t k, len = strlen(body);

            for (k = 0; k + 24 <= len; k += 12) {
                char probe[25];

                memcpy(probe, body + k, 24);
                probe[24] = '\0';
                if (strstr(pd_log_line(i), probe) != NULL) {
                    found++;
                    diag("leak in: %s", pd_log_line(i));
                    break;
                }
            }
        }
    }
    ok(pd_log_count() > 50, "%zu log lines captured", pd_log_count());
    ok(found == 0, "no part of any token in any log line");
    /* Nor what the token carries once decoded: its signature, its session token. */
    found = 0;
    for (j = 0; j < sizeof(secrets) / sizeof(secrets[0]); j++) {
        static const char *const params[] = {"X-Amz-Signature=", "X-Amz-Security-Token="};
        char value[33];
        size_t q;

        for (q = 0; q < 2; q++) {
            /* An IAM user's key signs without a session token: only the signature is a must. */
            if (!token_param(secrets[j], params[q], value, 32)) {
                if (q == 1)
                    continue;
                found++;
                diag("token %zu: no %s", j, params[q]);
                continue;
            }
            for (i = 0; i < pd_log_count(); i++) {
                if (strstr(pd_log_line(i), value) != NULL) {
                    found++;
                    diag("%s leaked in: %s", params[q], pd_log_line(i));
                }
            }
        }
    }
    ok(found == 0, "no signature or session token of any token in any log line");
}

static int suite(void)
{
    snprintf(FIRST_PROMPT, sizeof(FIRST_PROMPT),
             "EKS token for %s: ", getenv("PE_AUDIENCE") != NULL ? getenv("PE_AUDIENCE") : "?");
    TOK_ALICE = slurp("tok/alice");
    TOK_BOB = slurp("tok/bob");
    TOK_BOBEX = slurp("tok/bobex");
    TOK_CAROL = slurp("tok/carol");
    TOK_OTHER = slurp("tok/other");
    TOK_CLUSTER = slurp("tok/cluster");
    TOK_OTHERHOST = slurp("tok/otherhost");
    TOK_EXPIRED = slurp("tok/expired");

    case_success();
    case_static_user();
    case_session_elsewhere();
    case_key_login();
    case_forged_env();
    case_pieces();
    case_cut();
    case_refusals();
    case_unknown_fallthrough();
    case_token_as_user();
    case_unavailable();
    case_account_unavailable();
    case_config_relative();
    case_sts_faults();
    case_first_pass();
    case_options();
    case_revocation();
    case_unprintable_k8s_user();
    case_log_injection();
    case_one_line_per_attempt();
    case_no_token_in_logs();
    printf("1..%u\n", T_n);
    free(TOK_ALICE);
    free(TOK_BOB);
    free(TOK_BOBEX);
    free(TOK_CAROL);
    free(TOK_OTHER);
    free(TOK_EXPIRED);
    return T_failed == 0 ? 0 : 1;
}

/* ---------------------------------------------------- pam_env (its own run) */

/*
 * user's ~/.pam_environment (pam_env.conf(5) syntax) becomes text, owned by
 * the user: pam_env reads it with the user's rights.  The home is the one
 * NSS gives (the run is in a namespace where glibc asks the eksauth module).
 */
static bool write_user_env(const char *user, const char *text)
{
    struct passwd *pw = getpwnam(user);
    char *path = NULL;
    bool done;

    if (pw == NULL) {
        diag("getpwnam(%s): no such user: glibc does not ask the eksauth module here", user);
        return false;
    }
    (void)mkdir(pw->pw_dir, 0700);
    if (chown(pw->pw_dir, pw->pw_uid, pw->pw_gid) != 0 ||
        asprintf(&path, "%s/.pam_environment", pw->pw_dir) < 0)
        return false;
    write_file(path, text);
    done = chown(path, pw->pw_uid, pw->pw_gid) == 0;
    free(path);
    return done;
}

/* What the user's file sets: every EKS_* a forgery, and a canary that shows pam_env read it. */
#define HOSTILE_ENV                                                                                \
    "EKS_USERNAME DEFAULT=evil\n"                                                                  \
    "EKS_GROUPS DEFAULT=system:masters\n"                                                          \
    "EKS_ARN DEFAULT=arn:aws:iam::999999999999:role/evil\n"                                        \
    "EKS_SESSION_NAME DEFAULT=evil\n"                                                              \
    "EKS_CLUSTER_ID DEFAULT=evil\n"                                                                \
    "PAM_ENV_CANARY DEFAULT=read\n"

/*
 * Debian's sshd stack reads the user's ~/.pam_environment in the session
 * (pam_env user_readenv=1); pam_eksauth's session line after it sets EKS_*
 * again, so the user's file can never override them.  With the lines the
 * other way round the file wins: the order eksauth setup writes and
 * eksauth doctor checks.
 */
static int pam_env_suite(void)
{
    const char *alice_arn = "arn:aws:sts::111122223333:assumed-role/eks-admins/alice";
    char *saved[N_EKS_VARS];
    struct tx t;

    TOK_ALICE = slurp("tok/alice");
    service("eksauth-env", "auth required MOD config=DIR/eksauth.conf\n"
                           "account required MOD config=DIR/eksauth.conf\n"
                           "session required pam_env.so user_readenv=1\n"
                           "session required MOD config=DIR/eksauth.conf\n");
    service("eksauth-env-late", "auth required MOD config=DIR/eksauth.conf\n"
                                "account required MOD config=DIR/eksauth.conf\n"
                                "session required MOD config=DIR/eksauth.conf\n"
                                "session required pam_env.so user_readenv=1\n");
    /* pam_env in the auth stack sets the user's file at setcred, before pam_eksauth's. */
    service("eksauth-env-auth", "auth required pam_env.so user_readenv=1\n"
                                "auth required MOD config=DIR/eksauth.conf\n"
                                "account required pam_permit.so\n"
                                "session required MOD config=DIR/eksauth.conf\n");
    ok(write_user_env("admin-alice", HOSTILE_ENV),
       "admin-alice's ~/.pam_environment (home from NSS) sets EKS_USERNAME=evil and the rest");

    diag("one process: authenticate, account, pam_env user_readenv=1, then pam_eksauth's session");
    tx_start(&t, "eksauth-env", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate admin-alice");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt");
    /* What sshd's child hands its parent: EKS_* and the token proof. */
    env_save(t.pamh, saved);
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session (pam_env, then pam_eksauth)");
    is_str(pam_getenv(t.pamh, "PAM_ENV_CANARY"), "read",
           "pam_env read the user's file (its canary is set)");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "admin:alice", "EKS_USERNAME is the module's");
    is_str(pam_getenv(t.pamh, "EKS_GROUPS"), "system:masters,ops", "EKS_GROUPS is the module's");
    is_str(pam_getenv(t.pamh, "EKS_ARN"), alice_arn, "EKS_ARN is the module's");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice", "EKS_SESSION_NAME is the module's");
    is_str(pam_getenv(t.pamh, "EKS_CLUSTER_ID"), "test-cluster", "EKS_CLUSTER_ID is the module's");
    tx_end(&t, PAM_SUCCESS);

    diag("as sshd: authentication in one process, account and session in another");
    tx_start(&t, "eksauth-env", "admin-alice");
    env_restore(t.pamh, saved);
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt in the 'parent'");
    ok(pd_log_find("event=account result=success user=admin-alice k8s_user=admin:alice "
                   "arn=arn:aws:sts::111122223333:assumed-role/eks-admins/alice session=alice ",
                   "canonical_arn=arn:aws:iam::111122223333:role/eks-admins ", NULL) != NULL,
       "the account line names the identity the authentication established elsewhere");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session in the 'parent'");
    is_str(pam_getenv(t.pamh, "PAM_ENV_CANARY"), "read", "pam_env read the user's file");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "admin:alice", "EKS_USERNAME is the module's");
    is_str(pam_getenv(t.pamh, "EKS_ARN"), alice_arn, "EKS_ARN is the module's");
    tx_end(&t, PAM_SUCCESS);

    /* The right k8s user in the file: the rest of it must still not pass for the module's. */
    ok(write_user_env("admin-alice", "EKS_USERNAME DEFAULT=admin:alice\n"
                                     "EKS_SESSION_NAME DEFAULT=mallory\n"
                                     "EKS_ARN DEFAULT=arn:aws:iam::999999999999:role/evil\n"),
       "the user's file now names the right k8s user with a forged session and ARN");
    tx_start(&t, "eksauth-env", "admin-alice");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session, no authentication here");
    is_str(pam_getenv(t.pamh, "EKS_SESSION_NAME"), "alice",
           "EKS_SESSION_NAME is the recorded one, not the file's");
    is_str(pam_getenv(t.pamh, "EKS_ARN"), alice_arn, "EKS_ARN is the recorded one, not the file's");
    tx_end(&t, PAM_SUCCESS);

    /*
     * A login with no token (a key) whose account stage is another module's:
     * pam_env's setcred puts the file's EKS_* in before pam_eksauth's setcred
     * takes the identity.  The session lines must not name the file's ARN.
     */
    diag("no token, pam_env before pam_eksauth at setcred, the right k8s user in the file");
    pd_log_mark();
    tx_start(&t, "eksauth-env-auth", "admin-alice");
    is_rc(pam_acct_mgmt(t.pamh, 0), PAM_SUCCESS, "acct_mgmt (pam_permit)");
    is_rc(pam_setcred(t.pamh, PAM_ESTABLISH_CRED), PAM_SUCCESS, "setcred (pam_env, then ours)");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session");
    is_rc(pam_close_session(t.pamh, 0), PAM_SUCCESS, "close_session");
    tx_end(&t, PAM_SUCCESS);
    ok(pd_log_find("event=open_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=- session=- access_key_id=- account=- ",
                   " token_fp=- audience=- canonical_arn=- ", NULL) != NULL,
       "the open line names no principal");
    ok(pd_log_find("event=close_session result=success user=admin-alice k8s_user=admin:alice "
                   "arn=- session=- ",
                   NULL) != NULL,
       "the close line names no principal");
    ok(pd_log_find("999999999999", NULL) == NULL && pd_log_find("mallory", NULL) == NULL,
       "no line names the file's ARN or session");

    diag("the wrong order: pam_env after pam_eksauth in the session");
    ok(write_user_env("admin-alice", HOSTILE_ENV), "the hostile file again");
    tx_start(&t, "eksauth-env-late", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    is_rc(pam_authenticate(t.pamh, 0), PAM_SUCCESS, "authenticate admin-alice");
    is_rc(pam_open_session(t.pamh, 0), PAM_SUCCESS, "open_session (pam_eksauth, then pam_env)");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "evil",
           "the user's file wins: why pam_eksauth's session line must come after pam_env");
    /* sshd calls setcred again in the session's own process, after the session stack. */
    is_rc(pam_setcred(t.pamh, PAM_REINITIALIZE_CRED), PAM_SUCCESS, "setcred after the session");
    is_str(pam_getenv(t.pamh, "EKS_USERNAME"), "admin:alice",
           "... sets EKS_* again: the module's (what sshd's session then gets)");
    tx_end(&t, PAM_SUCCESS);
    env_free(saved);
    free(TOK_ALICE);
    printf("1..%u\n", T_n);
    return T_failed == 0 ? 0 : 1;
}

/* ------------------------------------------------ directory (its own runs) */

/* What tests/lib/nss_directory.c gives every name it serves. */
#define DIRECTORY_UID 1999999991u

/* The uid eksauth gives login: its DB record, else its templated id; 0 when neither. */
static uint32_t eksauth_uid(const char *login)
{
    struct eksauth_iddb_id_rules rules = {NULL, (uint64_t)time(NULL), NULL, NULL};
    struct eksauth_iddb *db = db_open();
    struct eksauth_iddb_user u;
    uint32_t uid = 0;

    if (db != NULL && eksauth_iddb_user_by_name(db, login, &u) == EKSAUTH_OK)
        uid = u.uid;
    else if (db != NULL &&
             eksauth_iddb_template_user(db, login, &rules, &uid) != EKSAUTH_IDDB_TEMPLATED)
        uid = 0;
    eksauth_iddb_close(db);
    return uid;
}

/* The uid glibc's NSS gives name now (through nsswitch.conf); 0 when it gives none. */
static uint32_t nss_uid(const char *name)
{
    struct passwd *pw = getpwnam(name);

    return pw != NULL ? (uint32_t)pw->pw_uid : 0;
}

/* bob (static, served by eksauth alone) logs in with his token; the log when he does not. */
static void bob_logs_in(const char *what)
{
    int rc;

    pd_log_mark();
    rc = auth_once("eksauth", "bob", (const char *[]){TOK_BOB}, 1, NULL);
    is_rc(rc, PAM_SUCCESS, what);
    if (rc != PAM_SUCCESS)
        log_dump_since_mark();
}

/*
 * passwd: directory files eksauth, the directory serving admin-alice: sshd
 * would log in to the directory's admin-alice, so alice's token, which
 * eksauth maps to its own admin-alice, is refused; bob, whom the directory
 * does not serve, still logs in.
 */
static void directory_first(uint32_t alice_uid)
{
    char want[128];
    struct tx t;
    int rc;

    ok(nss_uid("admin-alice") == DIRECTORY_UID,
       "NSS gives admin-alice to the directory (uid %u), not eksauth (uid %u)",
       (unsigned)nss_uid("admin-alice"), (unsigned)alice_uid);
    ok(nss_uid("bob") == eksauth_uid("bob") && nss_uid("bob") != 0,
       "NSS gives bob to eksauth (uid %u)", (unsigned)nss_uid("bob"));
    pd_log_mark();
    tx_start(&t, "eksauth", "admin-alice");
    tx_answer(&t, TOK_ALICE);
    rc = pam_authenticate(t.pamh, 0);
    is_rc(rc, PAM_AUTH_ERR, "alice's token for admin-alice, the directory's account for NSS");
    ok(pam_getenv(t.pamh, "EKS_USERNAME") == NULL, "no identity is kept for the later stages");
    ok(pd_conv_info_has(&t.cv, "belongs to another account"),
       "the person is told the name belongs to another account here");
    tx_end(&t, rc);
    snprintf(want, sizeof(want), "(uid %u)", (unsigned)alice_uid);
    ok(pd_log_find("event=auth result=denied user=admin-alice k8s_user=admin:alice",
                   "(uid 1999999991)", want, "nsswitch.conf", "eksauth doctor", NULL) != NULL,
       "the audit line says why: both uids, and eksauth before the directory on passwd:");
    if (pd_log_find("event=auth result=denied user=admin-alice", NULL) == NULL)
        log_dump_since_mark();
    bob_logs_in("bob, whom the directory does not serve, still logs in");
}

/* passwd: files eksauth directory: eksauth answers first, so its admin-alice is sshd's. */
static void directory_last(uint32_t alice_uid)
{
    ok(nss_uid("admin-alice") == alice_uid && alice_uid != 0,
       "NSS gives admin-alice to eksauth (uid %u): it comes before the directory",
       (unsigned)alice_uid);
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL), PAM_SUCCESS,
          "alice's token logs in to admin-alice");
}

/*
 * passwd: directory [UNAVAIL=return] files eksauth, the directory failing
 * for admin-alice (EIO): whose admin-alice sshd has cannot be told, so the
 * login is unavailable, as when STS cannot be reached.
 */
static void directory_fails(void)
{
    errno = 0;
    ok(getpwnam("admin-alice") == NULL && errno == EIO, "NSS fails for admin-alice (EIO)");
    pd_log_mark();
    is_rc(auth_once("eksauth", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_AUTHINFO_UNAVAIL, "alice's token while NSS cannot answer: AUTHINFO_UNAVAIL");
    ok(pd_log_find("event=auth result=unavailable user=admin-alice", "admin-alice", NULL) != NULL,
       "the audit line says unavailable");
    service("eksauth-ignore-unavail",
            "auth required MOD config=DIR/eksauth.conf ignore_authinfo_unavail\n"
            "auth required pam_permit.so\n");
    is_rc(auth_once("eksauth-ignore-unavail", "admin-alice", (const char *[]){TOK_ALICE}, 1, NULL),
          PAM_SUCCESS, "ignore_authinfo_unavail: PAM_IGNORE (the next module decides)");
    bob_logs_in("bob, for whom the directory answers NOTFOUND, logs in");
}

static int directory_suite(const char *how)
{
    uint32_t alice_uid = eksauth_uid("admin-alice");

    TOK_ALICE = slurp("tok/alice");
    TOK_BOB = slurp("tok/bob");
    ok(alice_uid != 0 && alice_uid != DIRECTORY_UID, "eksauth's admin-alice has uid %u",
       (unsigned)alice_uid);
    if (strcmp(how, "first") == 0)
        directory_first(alice_uid);
    else if (strcmp(how, "last") == 0)
        directory_last(alice_uid);
    else
        directory_fails();
    free(TOK_ALICE);
    free(TOK_BOB);
    printf("1..%u\n", T_n);
    return T_failed == 0 ? 0 : 1;
}

/* N whole transactions in one process: what valgrind watches for leaks and errors. */
static int loop(unsigned n)
{
    char *tok = slurp("tok/alice"), *p[8];
    size_t np = split(tok, 500, p, 8);
    unsigned i, failed = 0;
    struct tx t;
    void *keep;

    /* libpam loads the module at every pam_start and unloads it at pam_end; held
     * here, it is relocated once (a real sshd or sudo loads it once per process). */
    keep = dlopen(MODULE, RTLD_NOW | RTLD_NODELETE);
    if (keep == NULL)
        diag("dlopen %s: %s", MODULE, dlerror());
    for (i = 0; i < n; i++) {
        int rc;

        tx_start(&t, "eksauth", "admin-alice");
        tx_answers(&t, (const char *const *)p, np);
        rc = pam_authenticate(t.pamh, 0);
        if (rc == PAM_SUCCESS)
            rc = pam_acct_mgmt(t.pamh, 0);
        if (rc == PAM_SUCCESS)
            rc = pam_setcred(t.pamh, PAM_ESTABLISH_CRED);
        if (rc == PAM_SUCCESS)
            rc = pam_open_session(t.pamh, 0);
        if (rc == PAM_SUCCESS)
            rc = pam_close_session(t.pamh, 0);
        if (rc != PAM_SUCCESS && failed++ < 5)
            diag("transaction %u: %s", i, pam_strerror(t.pamh, rc));
        tx_end(&t, rc);
        /* Refusals too: a path that leaks only on failure counts. */
        if (i % 10 == 0)
            (void)auth_once("eksauth", "bob", (const char *[]){tok}, 1, NULL);
        if (i % 10 == 5)
            (void)auth_once("eksauth", "admin-alice", (const char *[]){"k8s-aws-v1.bad"}, 1, NULL);
        pd_log_free();
    }
    if (keep != NULL)
        dlclose(keep);
    printf("1..1\n");
    ok(failed == 0, "%u transactions (authenticate, acct_mgmt, setcred, open and close session)",
       n);
    free_pieces(p, np);
    free(tok);
    return failed == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *logpath = getenv("PE_LOG");
    int rc;

    DIR_ = getenv("PE_DIR");
    MODULE = getenv("PE_MODULE");
    if (DIR_ == NULL || MODULE == NULL || argc < 2) {
        fprintf(stderr,
                "usage: PE_DIR=... PE_MODULE=... test_pam_eksauth suite | pam_env | directory "
                "first|last|fail | loop N\n");
        return 2;
    }
    if (logpath != NULL && !pd_log_open(logpath)) {
        perror(logpath);
        return 2;
    }
    make_services();
    if (strcmp(argv[1], "suite") == 0)
        rc = suite();
    else if (strcmp(argv[1], "pam_env") == 0)
        rc = pam_env_suite();
    else if (strcmp(argv[1], "directory") == 0 && argc == 3)
        rc = directory_suite(argv[2]);
    else if (strcmp(argv[1], "loop") == 0 && argc == 3)
        rc = loop((unsigned)strtoul(argv[2], NULL, 10));
    else
        rc = 2;
    pd_log_free();
    pd_log_close();
    return rc;
}
