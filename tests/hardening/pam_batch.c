/*
 * pam_batch.c - many PAM authentications in one process, for the hardening
 * suites: through the real libpam (pam_start_confdir with a service folder
 * the test writes, as tests/pam/test_pam_eksauth.c does), each answer read
 * from a file, the module's syslog lines captured (this program defines
 * syslog(), exported with -export-dynamic, as the issue-5 driver does).
 *
 * usage: pam_batch CONFDIR SERVICE USER [-p N] [-s] FILE...
 *   Each FILE holds one token (a trailing newline is dropped).  With -s a
 *   successful authentication goes on through acct_mgmt, setcred,
 *   open_session and close_session, and the PAM environment the session
 *   gets is written to $PB_LOG too ("env: NAME=VALUE").  With -p N
 *   it is sent in pieces of N bytes, each but the last ending with '\'
 *   (what `eksauth askpass` answers); a NUL byte cuts the answer there, as
 *   any PAM conversation does.
 * Prints, per file, one tab-separated line:
 *   FILE  RC  PAM_NAME  SECONDS  REASON
 * where REASON is the reason="..." of the module's event=auth audit line
 * ("-" when there is none).  Every captured line is appended to $PB_LOG
 * when that is set.  Exit 0 when every transaction ran (whatever it
 * returned), 2 on a usage or setup error.
 */
#include "config.h"
/* This file defines syslog() itself: no fortify wrappers around it. */
#undef _FORTIFY_SOURCE

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_appl.h>

#define MAX_PIECES 64

/* ------------------------------------------------------- syslog capture */

static char LAST_REASON[1024];
static FILE *LOG_FILE;

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

static void capture(int pri, const char *fmt, va_list ap)
{
    char *s = NULL, *r, *end;

    if (vasprintf(&s, fmt, ap) < 0)
        return;
    if (LOG_FILE != NULL) {
        fprintf(LOG_FILE, "<%d> %s\n", pri, s);
        fflush(LOG_FILE);
    }
    if (strstr(s, "event=auth ") != NULL && (r = strstr(s, "reason=\"")) != NULL) {
        r += 8;
        end = strrchr(r, '"');
        snprintf(LAST_REASON, sizeof(LAST_REASON), "%.*s",
                 (int)(end != NULL ? (size_t)(end - r) : strlen(r)), r);
    }
    free(s);
}

void syslog(int pri, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    capture(pri, fmt, ap);
    va_end(ap);
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
    capture(pri, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
    va_list ap;

    (void)flag;
    va_start(ap, fmt);
    capture(pri, fmt, ap);
    va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
    (void)flag;
    capture(pri, fmt, ap);
}

/* -------------------------------------------------------- conversation */

struct answers {
    char *piece[MAX_PIECES];
    size_t n, next;
};

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata)
{
    struct answers *a = appdata;
    struct pam_response *r;
    int i;

    r = calloc((size_t)n, sizeof(*r));
    if (r == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n; i++) {
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
            continue;
        if (a->next >= a->n)
            goto fail;
        r[i].resp = strdup(a->piece[a->next++]);
        if (r[i].resp == NULL)
            goto fail;
    }
    *resp = r;
    return PAM_SUCCESS;
fail:
    for (i = 0; i < n; i++)
        free(r[i].resp);
    free(r);
    return PAM_CONV_ERR;
}

static void answers_free(struct answers *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->piece[i]);
    memset(a, 0, sizeof(*a));
}

/* The token of path, as C string pieces (the conversation carries C strings). */
static bool load(const char *path, size_t piece, struct answers *a)
{
    char buf[16384];
    size_t len, off;
    FILE *f = fopen(path, "rb");

    memset(a, 0, sizeof(*a));
    if (f == NULL)
        return false;
    len = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[len] = '\0';
    while (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    len = strlen(buf); /* a NUL ends what a conversation can carry */
    if (piece == 0 || len <= piece) {
        a->piece[a->n++] = strdup(buf);
        return a->piece[0] != NULL;
    }
    for (off = 0; off < len && a->n < MAX_PIECES; off += piece) {
        size_t m = len - off < piece ? len - off : piece;
        bool last = off + m >= len;
        char *p = malloc(m + 2);

        if (p == NULL)
            return false;
        memcpy(p, buf + off, m);
        if (!last)
            p[m++] = '\\';
        p[m] = '\0';
        a->piece[a->n++] = p;
    }
    return true;
}

static const char *pam_name(int rc)
{
    switch (rc) {
    case PAM_SUCCESS:
        return "PAM_SUCCESS";
    case PAM_AUTH_ERR:
        return "PAM_AUTH_ERR";
    case PAM_AUTHINFO_UNAVAIL:
        return "PAM_AUTHINFO_UNAVAIL";
    case PAM_USER_UNKNOWN:
        return "PAM_USER_UNKNOWN";
    case PAM_CRED_INSUFFICIENT:
        return "PAM_CRED_INSUFFICIENT";
    case PAM_MAXTRIES:
        return "PAM_MAXTRIES";
    case PAM_SERVICE_ERR:
        return "PAM_SERVICE_ERR";
    case PAM_SYSTEM_ERR:
        return "PAM_SYSTEM_ERR";
    case PAM_BUF_ERR:
        return "PAM_BUF_ERR";
    case PAM_CONV_ERR:
        return "PAM_CONV_ERR";
    case PAM_PERM_DENIED:
        return "PAM_PERM_DENIED";
    case PAM_IGNORE:
        return "PAM_IGNORE";
    default:
        return "PAM_OTHER";
    }
}

/* The stages after authentication; the session's environment goes to the log. */
static int run_session(pam_handle_t *pamh)
{
    char **env;
    int rc;

    rc = pam_acct_mgmt(pamh, 0);
    if (rc == PAM_SUCCESS)
        rc = pam_setcred(pamh, PAM_ESTABLISH_CRED);
    if (rc == PAM_SUCCESS)
        rc = pam_open_session(pamh, 0);
    if (rc != PAM_SUCCESS)
        return rc;
    env = pam_getenvlist(pamh);
    for (size_t j = 0; env != NULL && env[j] != NULL; j++) {
        if (LOG_FILE != NULL)
            fprintf(LOG_FILE, "env: %s\n", env[j]);
        free(env[j]);
    }
    free(env);
    rc = pam_close_session(pamh, 0);
    if (rc == PAM_SUCCESS)
        rc = pam_setcred(pamh, PAM_DELETE_CRED);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    const char *confdir, *service, *user, *logpath;
    bool session = false;
    size_t piece = 0;
    int i = 4;

    if (argc < 5) {
        fprintf(stderr, "usage: pam_batch CONFDIR SERVICE USER [-p N] [-s] FILE...\n");
        return 2;
    }
    confdir = argv[1];
    service = argv[2];
    user = argv[3];
    for (;;) {
        if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
            piece = (size_t)strtoul(argv[i + 1], NULL, 10);
            i += 2;
        } else if (i < argc && strcmp(argv[i], "-s") == 0) {
            session = true;
            i++;
        } else {
            break;
        }
    }
    logpath = getenv("PB_LOG");
    if (logpath != NULL && (LOG_FILE = fopen(logpath, "a")) == NULL) {
        perror(logpath);
        return 2;
    }
    for (; i < argc; i++) {
        struct answers a;
        struct pam_conv pc = {conv_fn, &a};
        pam_handle_t *pamh = NULL;
        double t0;
        int rc;

        if (!load(argv[i], piece, &a)) {
            fprintf(stderr, "pam_batch: %s: cannot read\n", argv[i]);
            answers_free(&a);
            return 2;
        }
        LAST_REASON[0] = '\0';
        t0 = now_s();
        rc = pam_start_confdir(service, user, &pc, confdir, &pamh);
        if (rc != PAM_SUCCESS) {
            fprintf(stderr, "pam_batch: pam_start_confdir: %s\n", pam_strerror(NULL, rc));
            answers_free(&a);
            return 2;
        }
        rc = pam_authenticate(pamh, 0);
        if (rc == PAM_SUCCESS && session)
            rc = run_session(pamh);
        pam_end(pamh, rc);
        printf("%s\t%d\t%s\t%.2f\t%s\n", argv[i], rc, pam_name(rc), now_s() - t0,
               LAST_REASON[0] != '\0' ? LAST_REASON : "-");
        fflush(stdout);
        answers_free(&a);
    }
    if (LOG_FILE != NULL)
        fclose(LOG_FILE);
    return 0;
}
