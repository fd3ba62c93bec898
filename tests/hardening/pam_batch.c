/*
 * pam_batch.c - many PAM authentications in one process, for the hardening
 * suites: through the real libpam (pam_start_confdir with a service folder
 * the test writes), the module's syslog captured (tests/lib/pam_driver.c,
 * shared with tests/pam/test_pam_eksauth.c; -export-dynamic).
 *
 * usage: pam_batch CONFDIR SERVICE USER [-p N] [-s] FILE...
 *        pam_batch CONFDIR SERVICE USER -a "PROGRAM ARG..." [-n COUNT] [-w MS]
 *                  [-t DIR] [-s]
 *   Each FILE holds one token (a trailing newline is dropped).  With -p N
 *   it is sent in pieces of N bytes, each but the last ending with '\'
 *   (what `eksauth askpass` answers); a NUL byte cuts the answer there, as
 *   any PAM conversation does.
 *   With -a, COUNT authentications (default 1), MS milliseconds apart
 *   (default 0), each prompt answered as ssh and sudo answer it with an
 *   askpass program: PROGRAM ARG... PROMPT is run (split on spaces, no
 *   shell, so the authentication's process is its parent: each
 *   authentication runs in a child of its own, as each ssh or sudo is one
 *   process) and the first line it prints is the answer; a failure of the
 *   program fails the conversation.  With -t
 *   the token each authentication was given (the answers joined as the
 *   module joins them) is kept in DIR/askpass-I (0600), for replay tests.
 *   With -s a successful authentication goes on through acct_mgmt,
 *   setcred, open_session and close_session, and the PAM environment the
 *   session gets is written to $PB_LOG too ("env: NAME=VALUE").
 * Prints, per authentication, one tab-separated line:
 *   NAME  RC  PAM_NAME  SECONDS  REASON
 * where NAME is the FILE or "askpass-I", REASON the reason="..." of the
 * module's event=auth audit line ("-" when there is none).  Every captured
 * line is appended to $PB_LOG when that is set.  Exit 0 when every
 * transaction ran (whatever it returned), 2 on a usage or setup error.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pam_driver.h"

#define MAX_PIECES 64
#define MAX_ARGS   16
#define TOKEN_MAX  16384

struct opts {
    const char *confdir, *service, *user;
    size_t piece;
    bool session;
    char *askpass[MAX_ARGS + 2]; /* PROGRAM ARG... PROMPT NULL */
    size_t n_askpass;
    unsigned count, wait_ms;
    const char *keep_dir;
};

/* ------------------------------------------------------ answers from a file */

struct pieces {
    char *piece[MAX_PIECES];
    size_t n;
};

static void pieces_free(struct pieces *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->piece[i]);
    memset(a, 0, sizeof(*a));
}

/* The token of path, as C string pieces (the conversation carries C strings). */
static bool load(const char *path, size_t piece, struct pieces *a)
{
    char buf[TOKEN_MAX];
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

/* ------------------------------------------------- answers from askpass */

struct asker {
    struct opts *o;
    char token[TOKEN_MAX]; /* the answers so far, joined as the module joins them */
    size_t len;
};

/* PROGRAM ARG... PROMPT, its first line of output, malloc'd; NULL if it fails. */
static char *ask(const char *prompt, void *ctx)
{
    struct asker *k = ctx;
    char out[TOKEN_MAX], *answer = NULL;
    size_t len = 0, n;
    int fds[2], status = 0;
    ssize_t got;
    pid_t pid;

    k->o->askpass[k->o->n_askpass] = (char *)prompt;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return NULL;
    pid = fork();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        execvp(k->o->askpass[0], k->o->askpass);
        _exit(127);
    }
    close(fds[1]);
    while (pid > 0 && len < sizeof(out) - 1) {
        got = read(fds[0], out + len, sizeof(out) - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        len += (size_t)got;
    }
    close(fds[0]);
    if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
        WEXITSTATUS(status) == 0) {
        out[len] = '\0';
        out[strcspn(out, "\n")] = '\0';
        answer = strdup(out);
        n = strlen(out);
        if (n > 0 && out[n - 1] == '\\')
            n--; /* "more follows" is not part of the token */
        if (k->len + n < sizeof(k->token)) {
            memcpy(k->token + k->len, out, n);
            k->len += n;
        }
    }
    memset(out, 0, sizeof(out));
    return answer;
}

static bool keep_token(const struct asker *k, const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write(fd, k->token, k->len) == (ssize_t)k->len;

    if (fd >= 0)
        ok = close(fd) == 0 && ok;
    return ok;
}

/* ------------------------------------------------------------ one login */

/* The stages after authentication; the session's environment goes to the log. */
static int run_session(pam_handle_t *pamh, FILE *log)
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
        if (log != NULL)
            fprintf(log, "env: %s\n", env[j]);
        free(env[j]);
    }
    free(env);
    if (log != NULL)
        fflush(log);
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

/* One authentication with cv; prints its line.  False on a setup error. */
static bool login(const struct opts *o, const char *name, struct pd_conv *cv, FILE *log)
{
    const char *line, *r, *end;
    char reason[1024] = "-";
    pam_handle_t *pamh = NULL;
    double t0 = now_s();
    int rc;

    pd_log_mark();
    rc = pd_start(o->service, o->user, o->confdir, cv, &pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "pam_batch: pam_start_confdir: %s\n", pam_strerror(NULL, rc));
        return false;
    }
    rc = pam_authenticate(pamh, 0);
    if (rc == PAM_SUCCESS && o->session)
        rc = run_session(pamh, log);
    pam_end(pamh, rc);
    line = pd_log_last("event=auth ");
    if (line != NULL && (r = strstr(line, "reason=\"")) != NULL) {
        r += 8;
        end = strrchr(r, '"');
        snprintf(reason, sizeof(reason), "%.*s", (int)(end != NULL ? (size_t)(end - r) : strlen(r)),
                 r);
    }
    printf("%s\t%d\t%s\t%.2f\t%s\n", name, rc, pd_pam_name(rc), now_s() - t0, reason);
    fflush(stdout);
    pd_log_free(); /* thousands of transactions: keep none of it */
    pd_conv_free(cv);
    return true;
}

static bool parse(int argc, char **argv, struct opts *o, int *first)
{
    int i = 4;
    char *w, *save = NULL;

    if (argc < 4)
        return false;
    o->confdir = argv[1];
    o->service = argv[2];
    o->user = argv[3];
    o->count = 1;
    for (; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "-p") == 0) {
            o->piece = (size_t)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "-s") == 0) {
            o->session = true;
        } else if (i + 1 < argc && strcmp(argv[i], "-a") == 0) {
            for (w = strtok_r(argv[++i], " ", &save); w != NULL && o->n_askpass < MAX_ARGS;
                 w = strtok_r(NULL, " ", &save))
                o->askpass[o->n_askpass++] = w;
        } else if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
            o->count = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "-w") == 0) {
            o->wait_ms = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "-t") == 0) {
            o->keep_dir = argv[++i];
        } else {
            break;
        }
    }
    *first = i;
    /* Files, or askpass: one source of answers. */
    return (o->n_askpass > 0) == (i == argc);
}

int main(int argc, char **argv)
{
    static struct opts o;
    const char *logpath = getenv("PB_LOG");
    FILE *log = NULL;
    int i, rc = 2;

    if (!parse(argc, argv, &o, &i)) {
        fprintf(stderr, "usage: pam_batch CONFDIR SERVICE USER [-p N] [-s] FILE...\n"
                        "       pam_batch CONFDIR SERVICE USER -a \"PROGRAM ARG...\" [-n COUNT] "
                        "[-w MS] [-t DIR] [-s]\n");
        return 2;
    }
    /* The captured lines, and the session environments, go to one file. */
    if (logpath != NULL && (!pd_log_open(logpath) || (log = fopen(logpath, "a")) == NULL)) {
        perror(logpath);
        goto out;
    }
    for (; i < argc; i++) {
        struct pieces a;
        struct pd_conv cv = {0};
        bool ran;

        if (!load(argv[i], o.piece, &a)) {
            fprintf(stderr, "pam_batch: %s: cannot read\n", argv[i]);
            pieces_free(&a);
            goto out;
        }
        for (size_t j = 0; j < a.n; j++)
            cv.answers[j] = a.piece[j];
        cv.n_answers = a.n;
        ran = login(&o, argv[i], &cv, log);
        pieces_free(&a);
        if (!ran)
            goto out;
    }
    for (unsigned n = 0; o.n_askpass > 0 && n < o.count; n++) {
        static struct asker k;
        struct pd_conv cv = {0};
        char name[64], path[4096];
        int status = 0;
        pid_t pid;

        if (n > 0 && o.wait_ms > 0)
            usleep(o.wait_ms * 1000);
        /*
         * Each authentication in a process of its own, as ssh and sudo run
         * one: askpass tells a new login from a retry after a refusal by
         * the process that asks.
         */
        fflush(NULL);
        pid = fork();
        if (pid < 0)
            goto out;
        if (pid > 0) {
            if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                goto out;
            continue;
        }
        memset(&k, 0, sizeof(k));
        k.o = &o;
        cv.ask = ask;
        cv.ask_ctx = &k;
        snprintf(name, sizeof(name), "askpass-%u", n + 1);
        if (!login(&o, name, &cv, log))
            exit(2);
        snprintf(path, sizeof(path), "%s/%s", o.keep_dir != NULL ? o.keep_dir : ".", name);
        if (o.keep_dir != NULL && !keep_token(&k, path)) {
            fprintf(stderr, "pam_batch: %s: cannot write\n", path);
            exit(2);
        }
        memset(&k, 0, sizeof(k));
        exit(0);
    }
    rc = 0;
out:
    if (log != NULL)
        fclose(log);
    pd_log_close();
    return rc;
}
