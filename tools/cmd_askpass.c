/*
 * cmd_askpass.c - `eksauth askpass [--builtin] [PROMPT]`: an SSH_ASKPASS
 * and SUDO_ASKPASS program for pam_eksauth's prompts (docs/design.md,
 * "The client half").
 *
 * ssh and sudo start a new askpass process for every prompt, with the
 * prompt as the only argument (ssh prefixes it with "(user@host) ").  So:
 *   "EKS token for AUDIENCE: "  check that AUDIENCE is a host audience of
 *                               the host the user meant (check_audience),
 *                               mint a fresh token for it (the configured
 *                               command, default `aws eks get-token`, or
 *                               the built-in signer), keep it in a private
 *                               0600 file and answer with its first piece;
 *   "EKS token (continued): "   answer with the next piece from that file;
 *   "EKS token: "               refused: an eksauth host that names no
 *                               audience would take a cluster token;
 *   anything else               the person's own prompt (a host key, a
 *                               password): asked on the terminal when
 *                               there is one, else refused (exit 1); never
 *                               answered with a token.
 * Pieces are at most EKSAUTH_ASKPASS_PIECE_MAX bytes; all but the last end
 * with '\'.  The file is keyed by the asking process (ssh or sudo: our
 * parent) and removed when its last piece is sent or when it expires; a
 * first prompt again from the same process right after is a refusal, and
 * is not answered with another token (see "after the last piece").
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eksauth/audience.h"
#include "eksauth/config.h"
#include "eksauth/creds.h"
#include "eksauth/exec_credential.h"
#include "eksauth/file.h"
#include "eksauth/mint.h"
#include "eksauth/paths.h"
#include "eksauth/sigv4.h"
#include "eksauth/sts.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"
#include "cli.h"
#include "cmd_client.h"
/* The prompt protocol itself: the PAM module's own constants, so both halves agree. */
#include "eksauth/pieces.h"

#define WHAT "askpass"

#define STATE_MAGIC     "eksauth-askpass 1"
#define STATE_PREFIX    "askpass-"
#define STATE_FILE_MAX  (EKSAUTH_TOKEN_MAX_LEN + 256)
#define CMD_OUTPUT_MAX  (64 * 1024) /* an ExecCredential is well under 8 KB */
#define PROMPT_SHOW_MAX 120         /* bytes of a refused prompt quoted in the message */

_Static_assert(EKSAUTH_ASKPASS_PIECE_MAX < EKSAUTH_CUT_SUDO,
               "a piece must pass sudo's PAM_MAX_RESP_SIZE");
_Static_assert((EKSAUTH_TOKEN_MAX_LEN + EKSAUTH_ASKPASS_PIECE_MAX - 2) /
                       (EKSAUTH_ASKPASS_PIECE_MAX - 1) <=
                   EKSAUTH_PIECES_MAX,
               "the longest token must fit in the module's number of answers");

static const char usage_text[] =
    "usage: eksauth askpass [--builtin] PROMPT\n"
    "  An SSH_ASKPASS / SUDO_ASKPASS program for pam_eksauth: answers \"EKS token for\n"
    "  eksauth:CLUSTER:HOST: \" with the first piece of a fresh token for that host alone,\n"
    "  and \"EKS token (continued): \" with the next one.  A host that calls itself by\n"
    "  another name than the one you reached gets no token.  Any other prompt (a host\n"
    "  key, a password) is asked on the terminal, or refused when there is none.  After\n"
    "  the host refused a token, the same ssh or sudo gets no other.\n"
    "  Settings come from the environment:\n"
    "  EKSAUTH_CLUSTER        the cluster the host must map through (optional check)\n"
    "  EKSAUTH_HOST           names of the host you mean, beside the one given to ssh\n"
    "  EKSAUTH_REGION         the STS region (optional)\n"
    "  EKSAUTH_TOKEN_COMMAND  a shell command printing a token or an ExecCredential for\n"
    "                         $EKSAUTH_AUDIENCE (default: aws eks get-token --cluster-name\n"
    "                         $EKSAUTH_AUDIENCE --output json); STS checks its audience\n"
    "  EKSAUTH_BUILTIN=1      sign with eksauth's own signer, as --builtin\n"
    "  EKSAUTH_ASKPASS_DIR    the private folder of the token between prompts\n";

/* The token being sent, and how far. */
struct askpass_state {
    struct client_token t;
    size_t offset; /* bytes already answered */
};

/* The environment of the person who runs ssh or sudo: askpass runs as them, never setuid. */
static const char *env_value(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* ------------------------------------------------------------- prompts */

/*
 * Whether named is this machine: the host_name of its eksauth config (the
 * default path only, and only when root's alone: the user's environment
 * does not choose it), else its own name.
 */
static bool this_host_is(const char *named)
{
    char self[EKSAUTH_HOST_NAME_MAX + 2];
    struct eksauth_config cfg;
    bool same = false;

    if (eksauth_config_init(&cfg, NULL) == EKSAUTH_OK &&
        eksauth_config_load(&cfg, EKSAUTH_CONFIG_PATH, true, NULL) == EKSAUTH_OK &&
        cfg.host_name != NULL)
        same = eksauth_host_name_matches(cfg.host_name, named);
    else if (gethostname(self, sizeof(self)) == 0 && memchr(self, '\0', sizeof(self)) != NULL)
        same = eksauth_host_name_matches(self, named);
    eksauth_config_free(&cfg);
    return same;
}

/*
 * Whom to mint for: the audience the host's prompt names, only when it is
 * a host audience (audience.h: a token for the cluster itself would hand
 * the host the user's cluster access), of the cluster the user means
 * (EKSAUTH_CLUSTER, when set), and of a host the user meant to reach: the
 * name they gave ssh (ssh writes it before the prompt, the server cannot),
 * a name in EKSAUTH_HOST (set by `eksauth ssh`, or by the user), or for
 * sudo, where neither is known, this machine's own names.  So a host can
 * obtain a token for itself only, never for another host.
 */
static enum eksauth_status check_audience(const char *audience, const char *ssh_host,
                                          struct eksauth_error *err)
{
    const char *cluster = env_value("EKSAUTH_CLUSTER"), *hosts = env_value("EKSAUTH_HOST");
    char want_cluster[EKSAUTH_CLUSTER_ID_MAX + 1], named[EKSAUTH_HOST_NAME_MAX + 1];
    char list[1024], *name, *save = NULL;

    if (!eksauth_audience_parse(audience, want_cluster, sizeof(want_cluster), named, sizeof(named)))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "the host asks for a token for \"%.128s\", which is no host "
                            "audience (eksauth:CLUSTER:HOST): a token the cluster accepts would "
                            "give the host your cluster access; not answered",
                            audience);
    if (cluster != NULL && strcmp(cluster, want_cluster) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "the host maps through cluster \"%s\", not EKSAUTH_CLUSTER=%s; not "
                            "answered",
                            want_cluster, cluster);
    if (ssh_host[0] != '\0' && eksauth_host_name_matches(ssh_host, named))
        return EKSAUTH_OK;
    snprintf(list, sizeof(list), "%s", hosts != NULL ? hosts : "");
    for (name = strtok_r(list, " ,", &save); name != NULL; name = strtok_r(NULL, " ,", &save)) {
        if (eksauth_host_name_matches(name, named))
            return EKSAUTH_OK;
    }
    /* sudo on this machine: no ssh destination, so the host must be this one. */
    if (ssh_host[0] == '\0' && hosts == NULL && this_host_is(named))
        return EKSAUTH_OK;
    return eksauth_fail(
        err, EKSAUTH_EREJECTED,
        "the host calls itself \"%s\", but you reached \"%s\": a token for it is "
        "not sent; if that is the host you mean, set EKSAUTH_HOST=%s",
        named, ssh_host[0] != '\0' ? ssh_host : (hosts != NULL ? hosts : "this machine"), named);
}

/* A prompt for a message: printable ASCII only (it comes from a server), cut short. */
static void printable(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0;

    for (; *src != '\0' && i + 4 < dstlen && i < PROMPT_SHOW_MAX; src++) {
        unsigned char c = (unsigned char)*src;

        dst[i++] = (c < 0x20 || c >= 0x7f || c == '"') ? '?' : (char)c;
    }
    if (*src != '\0') {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
}

/* ---------------------------------------------------------- the folder */

/* Ours, a real directory, no access for group or others: nobody else reads the token. */
enum eksauth_status client_check_private_dir(const char *path, struct eksauth_error *err)
{
    enum eksauth_status rc = EKSAUTH_OK;
    struct stat st;

    /* lstat: a symlink to someone else's folder is not a private folder. */
    if (lstat(path, &st) != 0)
        rc = eksauth_fail(err, EKSAUTH_EIO, "%s: %s", path, strerror(errno));
    else if (!S_ISDIR(st.st_mode))
        rc = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a directory", path);
    else if (st.st_uid != geteuid())
        rc = eksauth_fail(err, EKSAUTH_EINVAL, "%s: owned by uid %u, not by you", path,
                          (unsigned)st.st_uid);
    else if ((st.st_mode & 077) != 0)
        rc = eksauth_fail(err, EKSAUTH_EINVAL, "%s: mode %04o lets others in (want 0700)", path,
                          (unsigned)(st.st_mode & 07777));
    return rc;
}

/*
 * Where the token waits between prompts: EKSAUTH_ASKPASS_DIR (eksauth ssh
 * makes one per run), else $XDG_RUNTIME_DIR/eksauth, else
 * ${TMPDIR:-/tmp}/eksauth-askpass-UID.  A folder that exists must pass
 * client_check_private_dir: in /tmp another user could have made it first.
 */
static enum eksauth_status state_dir(char *out, size_t outlen, struct eksauth_error *err)
{
    const char *given = env_value("EKSAUTH_ASKPASS_DIR");
    const char *xdg = env_value("XDG_RUNTIME_DIR");
    const char *tmp = env_value("TMPDIR");
    enum eksauth_status st;
    int n;

    if (given != NULL) {
        n = snprintf(out, outlen, "%s", given);
    } else if (xdg != NULL && xdg[0] == '/' && client_check_private_dir(xdg, NULL) == EKSAUTH_OK) {
        n = snprintf(out, outlen, "%s/eksauth", xdg);
    } else {
        n = snprintf(out, outlen, "%s/eksauth-askpass-%u",
                     tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", (unsigned)geteuid());
    }
    if (n < 0 || (size_t)n >= outlen)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "the folder for the token has too long a name");
    else if (given == NULL && mkdir(out, 0700) != 0 && errno != EEXIST)
        st = eksauth_fail(err, EKSAUTH_EIO, "%s: %s", out, strerror(errno));
    else
        st = client_check_private_dir(out, err);
    return st;
}

/*
 * The file of this conversation: named after the process that asks (ssh or
 * sudo start askpass as their child) and its start time, so that a reused
 * pid never picks up someone's old token.
 */
static enum eksauth_status state_path(const char *dir, char *out, size_t outlen,
                                      struct eksauth_error *err)
{
    pid_t ppid = getppid();
    unsigned long long start = 0;
    char stat_path[64], buf[1024];
    const char *p;
    ssize_t got;
    int fd, field, n;

    snprintf(stat_path, sizeof(stat_path), "/proc/%ld/stat", (long)ppid);
    fd = open(stat_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        got = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[got > 0 ? got : 0] = '\0';
        /* Field 22 is the start time.  The name (field 2) may hold blanks, so count
         * from its closing ')': the 20th blank after it opens field 22. */
        p = strrchr(buf, ')');
        for (field = 0; p != NULL && field < 20; field++)
            p = strchr(p + 1, ' ');
        if (p != NULL)
            start = strtoull(p + 1, NULL, 10);
    }
    n = snprintf(out, outlen, "%s/" STATE_PREFIX "%ld-%llu", dir, (long)ppid, start);
    return n < 0 || (size_t)n >= outlen
               ? eksauth_fail(err, EKSAUTH_EINVAL, "the token file has too long a name")
               : EKSAUTH_OK;
}

/*
 * Drop what earlier conversations left behind once their tokens are dead:
 * token files, their temp files ("askpass-...tmp.XXXXXX") and an older
 * eksauth's (".askpass-XXXXXX").
 */
static void sweep_expired(const char *dir, time_t now)
{
    struct dirent *de;
    struct stat st;
    DIR *d = opendir(dir);

    while (d != NULL && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;

        if (strncmp(name, STATE_PREFIX, strlen(STATE_PREFIX)) != 0 &&
            strncmp(name, "." STATE_PREFIX, strlen(STATE_PREFIX) + 1) != 0)
            continue;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            st.st_uid != geteuid())
            continue;
        if (st.st_mtime + EKSAUTH_TOKEN_LIFETIME < now)
            (void)unlinkat(dirfd(d), name, 0);
    }
    if (d != NULL)
        closedir(d);
}

/*
 * The same credentials sign the same URL within one second, so two tokens
 * minted in one second are one token, and a host with single_use refuses
 * the second login as a replay of the first.  So mints take turns (a lock
 * on a file in the private folder), each records the last second it could
 * have signed in, and the next starts in a later second, waiting for it
 * when needed: at most a second, and only for back-to-back prompts.
 * take_mint_turn returns the time to sign at and the held lock, or -1 when
 * the file cannot be used (the mint then goes ahead unguarded, as before);
 * end_mint_turn records the second and lets the next mint go.
 */
#define LAST_MINT_FILE "last-mint"
#define CLOCK_STEP_MAX 2 /* seconds: a record further ahead is a clock set back */

static int take_mint_turn(const char *dir, time_t *now)
{
    char path[4096], buf[32];
    long long last = 0;
    ssize_t n;
    int fd;

    if (snprintf(path, sizeof(path), "%s/" LAST_MINT_FILE, dir) >= (int)sizeof(path))
        return -1;
    /* O_NOFOLLOW: the folder is private, but never write through a planted link. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return -1;
    }
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n > 0) {
        buf[n] = '\0';
        last = strtoll(buf, NULL, 10);
    }
    *now = time(NULL);
    while (*now <= last && last - *now <= CLOCK_STEP_MAX) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec = 0;
        ts.tv_nsec = 1000000000L - ts.tv_nsec;
        nanosleep(&ts, NULL);
        *now = time(NULL);
    }
    return fd;
}

static void end_mint_turn(int fd)
{
    char buf[32];
    int len;

    if (fd < 0)
        return;
    /* Now, not the start: a mint command may have signed in a later second than it began. */
    len = snprintf(buf, sizeof(buf), "%lld\n", (long long)time(NULL));
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        cli_error(WHAT,
                  "cannot record when this token was made (%s): a token made within "
                  "the same second would repeat it",
                  strerror(errno));
    close(fd);
}

/* ------------------------------------------------------------ the file */

static bool write_all(int fd, const char *buf, size_t len)
{
    bool ok = true;
    ssize_t n;

    while (len > 0 && ok) {
        n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ok = false;
        } else {
            buf += n;
            len -= (size_t)n;
        }
    }
    return ok;
}

/* Replace the file atomically (file.h), 0600: the token, the time it dies, what was sent. */
static enum eksauth_status state_save(const char *path, const struct askpass_state *s,
                                      struct eksauth_error *err)
{
    char buf[STATE_FILE_MAX];
    enum eksauth_status st;
    int n;

    n = snprintf(buf, sizeof(buf), STATE_MAGIC "\n%lld\n%zu\n", (long long)s->t.expires, s->offset);
    if (n < 0 || (size_t)n + s->t.len + 1 > sizeof(buf))
        return eksauth_fail(err, EKSAUTH_EINVAL, "the token is too long for its file");
    memcpy(buf + n, s->t.token, s->t.len);
    buf[(size_t)n + s->t.len] = '\n';
    st = eksauth_file_write_atomic(path, buf, (size_t)n + s->t.len + 1, 0600, err);
    OPENSSL_cleanse(buf, sizeof(buf));
    return st;
}

static bool is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

/* "k8s-aws-v1." and base64url, at most EKSAUTH_TOKEN_MAX_LEN bytes: the shape of a token. */
static bool token_shaped(const char *t, size_t len)
{
    size_t plen = strlen(EKSAUTH_TOKEN_PREFIX), i;
    bool ok =
        len > plen && len <= EKSAUTH_TOKEN_MAX_LEN && memcmp(t, EKSAUTH_TOKEN_PREFIX, plen) == 0;

    for (i = plen; ok && i < len; i++)
        ok = is_b64url((unsigned char)t[i]);
    return ok;
}

/* Read the file back; anything odd about it (owner, mode, a link, its text) is refused. */
static enum eksauth_status state_load(const char *path, struct askpass_state *s,
                                      struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_EINVAL;
    char *buf = NULL, *p, *end;
    long long expires;
    unsigned long long offset;
    struct stat sb;
    size_t len = 0;
    ssize_t n;
    int fd;

    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        st = eksauth_fail(err, errno == ENOENT ? EKSAUTH_ENOTFOUND : EKSAUTH_EIO, "%s: %s", path,
                          strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_uid != geteuid() ||
        (sb.st_mode & 077) != 0 || sb.st_size > STATE_FILE_MAX) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a private token file of yours", path);
        goto out;
    }
    buf = calloc(1, STATE_FILE_MAX + 1);
    if (buf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    while (len < STATE_FILE_MAX && (n = read(fd, buf + len, STATE_FILE_MAX - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = eksauth_fail(err, EKSAUTH_EIO, "%s: %s", path, strerror(errno));
            goto out;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    p = buf + strlen(STATE_MAGIC "\n");
    if (strncmp(buf, STATE_MAGIC "\n", strlen(STATE_MAGIC "\n")) != 0 ||
        sscanf(p, "%lld\n%llu\n", &expires, &offset) != 2) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a token file of eksauth askpass", path);
        goto out;
    }
    p = strchr(p, '\n');
    p = p != NULL ? strchr(p + 1, '\n') : NULL;
    end = p != NULL ? strchr(p + 1, '\n') : NULL;
    if (end == NULL || !token_shaped(p + 1, (size_t)(end - p - 1)) ||
        offset >= (unsigned long long)(end - p - 1)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a token file of eksauth askpass", path);
        goto out;
    }
    s->t.len = (size_t)(end - p - 1);
    memcpy(s->t.token, p + 1, s->t.len);
    s->t.token[s->t.len] = '\0';
    s->offset = (size_t)offset;
    s->t.expires = (time_t)expires;
    st = EKSAUTH_OK;
out:
    if (fd >= 0)
        close(fd);
    if (buf != NULL) {
        OPENSSL_cleanse(buf, STATE_FILE_MAX + 1);
        free(buf);
    }
    return st;
}

/* --------------------------------------------------------------- minting */

/*
 * Run the token command (argv, or "/bin/sh -c shell") with standard output
 * captured into out (CMD_OUTPUT_MAX bytes at most) and standard error left
 * to the person's terminal, where the AWS CLI explains itself.
 */
static enum eksauth_status run_capture(char *const argv[], char *out, size_t *outlen,
                                       struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_EIO;
    int fds[2] = {-1, -1}, wstatus = 0, devnull;
    size_t len = 0;
    bool too_long = false;
    pid_t pid = -1;
    ssize_t n;
    char drain[512];

    *outlen = 0;
    /* pipe + FD_CLOEXEC: pipe2 is not on every system the client builds on (macOS). */
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "pipe: %s", strerror(errno));
        goto out;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* The child: stdin from /dev/null (the prompt's answer is ours, not its), stdout to us. */
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        execvp(argv[0], argv);
        fprintf(stderr, "eksauth: askpass: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    fds[1] = -1;
    for (;;) {
        if (len < CMD_OUTPUT_MAX)
            n = read(fds[0], out + len, CMD_OUTPUT_MAX - len);
        else
            n = read(fds[0], drain, sizeof(drain)); /* read on so the child can finish */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (len < CMD_OUTPUT_MAX)
            len += (size_t)n;
        else
            too_long = true;
    }
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            st = eksauth_fail(err, EKSAUTH_EIO, "waitpid: %s", strerror(errno));
            goto out;
        }
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "the token command %s %d",
                          WIFEXITED(wstatus) ? "exited with status" : "was killed by signal",
                          WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
        goto out;
    }
    if (too_long) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "the token command printed more than %d bytes",
                          CMD_OUTPUT_MAX);
        goto out;
    }
    *outlen = len;
    st = EKSAUTH_OK;
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    OPENSSL_cleanse(drain, sizeof(drain));
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(out, len);
    return st;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * The command's output: an ExecCredential (JSON, status.token and
 * status.expirationTimestamp: lib/exec_credential.c) or the bare token on
 * one line.  The token expires at the earlier of expirationTimestamp and
 * now + the ExecCredential lifetime.
 */
static enum eksauth_status parse_token_output(char *buf, size_t len, time_t now,
                                              struct client_token *s, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_EINVAL;
    size_t start = 0, end = len, tlen = 0;
    time_t expires = 0;

    while (start < end && is_blank(buf[start]))
        start++;
    while (end > start && is_blank(buf[end - 1]))
        end--;
    s->expires = now + EKSAUTH_EXEC_CREDENTIAL_LIFETIME;
    if (eksauth_exec_credential_is_json(buf + start, end - start)) {
        st = eksauth_exec_credential_token(buf + start, end - start, s->token, sizeof(s->token),
                                           &tlen, &expires, err);
        if (st != EKSAUTH_OK) {
            eksauth_error_prefix(err, "the token command printed");
            goto out;
        }
        if (expires != 0 && expires < s->expires)
            s->expires = expires;
    } else if (end - start < sizeof(s->token)) {
        tlen = end - start;
        memcpy(s->token, buf + start, tlen);
        s->token[tlen] = '\0';
    }
    /* Only a token goes into the answers: never some other text the command printed. */
    if (!token_shaped(s->token, tlen)) {
        st = eksauth_fail(
            err, EKSAUTH_EINVAL,
            "the token command did not print a token (\"k8s-aws-v1\", a dot and base64url, "
            "at most %d bytes)",
            EKSAUTH_TOKEN_MAX_LEN);
        goto out;
    }
    if (s->expires <= now) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, "the token command gave an expired token");
        goto out;
    }
    s->len = tlen;
    st = EKSAUTH_OK;
out:
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(s->token, sizeof(s->token));
    OPENSSL_cleanse(buf, len);
    return st;
}

/*
 * A token EKSAUTH_TOKEN_COMMAND printed is the user's command's, which may
 * ignore EKSAUTH_AUDIENCE: before it goes to the host, STS must accept it
 * for the audience (the same call a host makes).  A token for anything
 * else, a cluster token above all, is never sent.
 */
static enum eksauth_status check_minted_for(const struct client_token *t, const char *audience,
                                            time_t now, struct eksauth_error *err)
{
    const char *connect_to = secure_getenv("EKSAUTH_STS_CONNECT_TO");
    const char *ca_file = secure_getenv("EKSAUTH_STS_CA_FILE");
    const char *partition = env_value("EKSAUTH_PARTITION");
    struct eksauth_token_policy policy;
    struct eksauth_config cfg;
    struct eksauth_token *tok = NULL;
    struct eksauth_sts_identity *sid = NULL;
    enum eksauth_status st;

    st = eksauth_config_init(&cfg, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Test stand-ins and VPC endpoints without private DNS, as a host's sts_connect_to. */
    if ((connect_to != NULL && (cfg.sts_connect_to = strdup(connect_to)) == NULL) ||
        (ca_file != NULL && (cfg.sts_ca_file = strdup(ca_file)) == NULL) ||
        (tok = calloc(1, sizeof(*tok))) == NULL || (sid = calloc(1, sizeof(*sid))) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    memset(&policy, 0, sizeof(policy));
    policy.partition = partition != NULL ? partition : cfg.partition;
    policy.max_clock_skew = cfg.max_clock_skew;
    st = eksauth_token_check(t->token, t->len, now, &policy, tok, err);
    if (st == EKSAUTH_OK)
        st = eksauth_sts_get_caller_identity(&cfg, audience, tok, sid, err);
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err,
                             "EKSAUTH_TOKEN_COMMAND printed a token that is not for %s (not "
                             "sent; the command must mint for $EKSAUTH_AUDIENCE)",
                             audience);
out:
    if (tok != NULL)
        eksauth_token_wipe(tok);
    free(tok);
    free(sid);
    eksauth_config_free(&cfg);
    return st;
}

#define AWS_CLI_MISSING                                                                            \
    "the AWS CLI (aws) is not installed, or not on PATH: install it (Debian: apt-get install "     \
    "awscli; elsewhere https://aws.amazon.com/cli/), or set EKSAUTH_BUILTIN=1 to sign with "       \
    "eksauth's own signer (credentials from AWS_ACCESS_KEY_ID... or ~/.aws/credentials)"

/* Whether name is an executable file in a folder of PATH (what execvp would find). */
static bool on_path(const char *name)
{
    const char *path = getenv("PATH"), *p, *end;
    char full[4096];
    bool found = false;

    for (p = path != NULL ? path : "/usr/bin:/bin"; !found && p != NULL;
         p = end != NULL ? end + 1 : NULL) {
        size_t len;

        end = strchr(p, ':');
        len = end != NULL ? (size_t)(end - p) : strlen(p);
        /* An empty entry is the current folder, as execvp takes it. */
        if ((size_t)snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p, len > 0 ? "/" : "",
                             name) < sizeof(full))
            found = access(full, X_OK) == 0;
    }
    return found;
}

/*
 * EKSAUTH_TOKEN_COMMAND through the shell (with EKSAUTH_AUDIENCE set), or
 * `aws eks get-token --cluster-name AUDIENCE` with no shell at all.
 */
static enum eksauth_status mint_with_command(const char *audience, time_t now,
                                             struct client_token *s, struct eksauth_error *err)
{
    const char *command = env_value("EKSAUTH_TOKEN_COMMAND");
    const char *region = env_value("EKSAUTH_REGION");
    char *argv[10];
    char *out = NULL;
    size_t len = 0;
    enum eksauth_status st;
    int i = 0;

    if (command != NULL) {
        argv[i++] = "/bin/sh";
        argv[i++] = "-c";
        argv[i++] = (char *)command;
        if (setenv("EKSAUTH_AUDIENCE", audience, 1) != 0) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "setenv: %s", strerror(errno));
            goto out;
        }
    } else if (!on_path("aws")) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, AWS_CLI_MISSING);
        goto out;
    } else {
        argv[i++] = "aws";
        argv[i++] = "eks";
        argv[i++] = "get-token";
        argv[i++] = "--cluster-name";
        argv[i++] = (char *)audience;
        argv[i++] = "--output";
        argv[i++] = "json";
        if (region != NULL) {
            argv[i++] = "--region";
            argv[i++] = (char *)region;
        }
    }
    argv[i] = NULL;
    out = malloc(CMD_OUTPUT_MAX + 1);
    if (out == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    st = run_capture(argv, out, &len, err);
    if (st == EKSAUTH_OK)
        st = parse_token_output(out, len, now, s, err);
out:
    if (out != NULL) {
        OPENSSL_cleanse(out, CMD_OUTPUT_MAX + 1);
        free(out);
    }
    return st;
}

/* The built-in signer: the same token `eksauth token` prints, from the same credentials. */
static enum eksauth_status mint_builtin(const char *audience, time_t now, struct client_token *s,
                                        struct eksauth_error *err)
{
    struct eksauth_creds creds;
    struct eksauth_mint m;
    enum eksauth_status st;
    char region[64];
    size_t toklen = 0;

    memset(&creds, 0, sizeof(creds));
    memset(&m, 0, sizeof(m));
    st = eksauth_creds_region(env_value("EKSAUTH_REGION"), NULL, region, sizeof(region), err);
    if (st == EKSAUTH_OK)
        st = eksauth_creds_load(NULL, &creds, err);
    if (st != EKSAUTH_OK)
        goto out;
    m.audience = audience;
    m.region = region;
    m.now = now;
    st = eksauth_mint_token(&m, &creds, s->token, sizeof(s->token), &toklen, err);
    if (st != EKSAUTH_OK)
        goto out;
    s->len = toklen;
    s->expires = now + EKSAUTH_EXEC_CREDENTIAL_LIFETIME;
out:
    eksauth_creds_free(&creds);
    return st;
}

/*
 * The one place a client token is minted (askpass and login-name), for
 * audience: the built-in signer, or EKSAUTH_TOKEN_COMMAND, or `aws eks
 * get-token --cluster-name AUDIENCE`.  Mints take turns in folder dir
 * (NULL: none; see take_mint_turn) so that no two tokens are signed in the
 * same second.
 */
enum eksauth_status client_mint_token(bool builtin, const char *audience, const char *dir,
                                      struct client_token *t, struct eksauth_error *err)
{
    enum eksauth_status st;
    time_t now = time(NULL);
    int turn = dir != NULL ? take_mint_turn(dir, &now) : -1;

    st = builtin ? mint_builtin(audience, now, t, err) : mint_with_command(audience, now, t, err);
    end_mint_turn(turn);
    return st;
}

/* ------------------------------------------------------------- answers */

/* The next piece: at most EKSAUTH_ASKPASS_PIECE_MAX bytes with its '\' when more follows. */
static size_t piece_len(const struct askpass_state *s, bool *more)
{
    size_t left = s->t.len - s->offset;

    *more = left > EKSAUTH_ASKPASS_PIECE_MAX;
    return *more ? EKSAUTH_ASKPASS_PIECE_MAX - 1 : left;
}

/* One line on standard output: ssh and sudo read the answer up to the newline. */
static bool write_piece(const char *p, size_t n, bool more)
{
    char piece[EKSAUTH_ASKPASS_PIECE_MAX + 2];
    size_t len = n;
    bool ok;

    memcpy(piece, p, n);
    if (more)
        piece[len++] = EKSAUTH_PIECE_MORE;
    piece[len++] = '\n';
    ok = write_all(STDOUT_FILENO, piece, len);
    OPENSSL_cleanse(piece, sizeof(piece));
    return ok;
}

/* ------------------------------------------------- after the last piece */

/*
 * ssh and sudo ask "EKS token: " again only when the host refused the
 * token (a login that succeeds asks nothing more), and each asks from one
 * process: so a first prompt from the process that was sent a whole token,
 * or whose token could not be made, a moment ago is a retry after a
 * refusal.  Minting again would only be refused again (and take the
 * server's time): askpass says so once and stops.  The mark is
 * "<token file>.done" ("sent" or "failed"), good for RETRY_WINDOW seconds:
 * a retry follows at once (after at most the host's STS time limits), and
 * the window keeps a reused process id from inheriting it where /proc
 * cannot tell processes apart.
 */
#define DONE_SUFFIX  ".done"
#define RETRY_WINDOW 120

enum done_mark {
    DONE_NONE,
    DONE_SENT,
    DONE_FAILED,
};

static void mark_done(const char *path, enum done_mark mark)
{
    char done[4200];
    const char *text = mark == DONE_SENT ? "sent\n" : "failed\n";
    int fd;

    if ((size_t)snprintf(done, sizeof(done), "%s" DONE_SUFFIX, path) >= sizeof(done))
        return;
    fd = open(done, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    (void)write_all(fd, text, strlen(text));
    close(fd);
}

static enum done_mark done_before(const char *path, time_t now)
{
    char done[4200], buf[16] = "";
    enum done_mark mark = DONE_NONE;
    struct stat st;
    ssize_t n;
    int fd;

    if ((size_t)snprintf(done, sizeof(done), "%s" DONE_SUFFIX, path) >= sizeof(done))
        return DONE_NONE;
    fd = open(done, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return DONE_NONE;
    /* Ours and fresh only: anything else is someone else's or stale. */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        st.st_mtime <= now && now - st.st_mtime <= RETRY_WINDOW &&
        (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        mark = strcmp(buf, "sent\n") == 0 ? DONE_SENT : DONE_FAILED;
    }
    close(fd);
    if (mark == DONE_NONE)
        (void)unlink(done);
    return mark;
}

/* ---------------------------------------------------- the person's prompts */

/*
 * A prompt that is not pam_eksauth's (a host key question, a local
 * password, a key's passphrase) is the person's to answer, as ssh would
 * ask it without askpass: on the terminal, when there is one.  The text
 * comes from a server: control characters are shown as '?'.  A yes/no
 * question echoes the answer; anything else (a password) does not.
 */
static int ask_terminal(const char *prompt)
{
    struct termios saved, quiet;
    char answer[1024], *shown;
    bool echo = strstr(prompt, "(yes/no") != NULL, restore = false;
    size_t n = 0, i;
    ssize_t got;
    int fd, rc = EXIT_REJECTED;

    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    /* Echo off before the prompt shows: a password typed ahead never appears. */
    if (!echo && tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    /* The prompt in one write, so an answer typed ahead is shown after it, not inside. */
    shown = strdup(prompt);
    for (i = 0; shown != NULL && shown[i] != '\0'; i++) {
        unsigned char c = (unsigned char)shown[i];

        if (c != '\n' && (c < 0x20 || c >= 0x7f))
            shown[i] = '?';
    }
    if (shown != NULL)
        (void)write_all(fd, shown, i);
    free(shown);
    while (n < sizeof(answer) - 1) {
        got = read(fd, answer + n, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0 || answer[n] == '\n' || answer[n] == '\r')
            break;
        n++;
    }
    if (restore) {
        (void)tcsetattr(fd, TCSAFLUSH, &saved);
        (void)write_all(fd, "\n", 1);
    }
    answer[n] = '\n';
    if (got > 0 && write_all(STDOUT_FILENO, answer, n + 1))
        rc = 0;
    OPENSSL_cleanse(answer, sizeof(answer));
    close(fd);
    return rc;
}

/*
 * No terminal for a prompt that is not ours.  A host key question is
 * shown whole (the fingerprint is what the person must compare) with the
 * ways to accept it, for the host and port ssh names in it.
 */
static void refuse_prompt(const char *prompt)
{
    char shown[PROMPT_SHOW_MAX + 8], host[256] = "", port[16] = "";
    const char *h = strstr(prompt, "authenticity of host '"), *p;
    size_t i, len;

    if (h == NULL) {
        printable(shown, sizeof(shown), prompt);
        cli_error(WHAT,
                  "not an eksauth prompt, not answered, and no terminal to ask you: \"%s\" "
                  "(answer it with ssh or sudo on a terminal)",
                  shown);
        return;
    }
    /* "host '[NAME]:PORT (ADDR)'" or "host 'NAME (ADDR)'": the name and port ssh connects to. */
    h += strlen("authenticity of host '");
    len = strcspn(h, " '");
    if (h[0] == '[' && (p = memchr(h, ']', len)) != NULL && p[1] == ':') {
        snprintf(host, sizeof(host), "%.*s", (int)(p - h - 1), h + 1);
        snprintf(port, sizeof(port), "-p %.*s ", (int)(len - (size_t)(p + 2 - h)), p + 2);
    } else {
        snprintf(host, sizeof(host), "%.*s", (int)len, h);
    }
    for (i = 0; host[i] != '\0'; i++) {
        if (!((host[i] >= 'a' && host[i] <= 'z') || (host[i] >= 'A' && host[i] <= 'Z') ||
              (host[i] >= '0' && host[i] <= '9') || strchr(".-_:", host[i]) != NULL))
            host[i] = '?';
    }
    fprintf(stderr,
            "eksauth: %s: ssh does not know this host's key, and there is no terminal to "
            "ask you:\n",
            WHAT);
    for (p = prompt; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        fputc(c == '\n' || (c >= 0x20 && c < 0x7f) ? c : '?', stderr);
    }
    fprintf(stderr,
            "\neksauth: %s: compare the fingerprint with the host's own (ssh-keygen -lf "
            "/etc/ssh/ssh_host_ed25519_key.pub there), then accept it on a terminal with "
            "`eksauth ssh %s%s true`, or add it with `ssh-keyscan %s%s >> ~/.ssh/known_hosts`\n",
            WHAT, port, host, port, host);
}

int cmd_askpass(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"builtin", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct askpass_state *s = NULL;
    enum eksauth_prompt_kind kind;
    enum eksauth_status st;
    char dir[4096], path[4096];
    char ssh_host[EKSAUTH_HOST_NAME_MAX + 1], audience[EKSAUTH_AUDIENCE_MAX + 1];
    const char *builtin_env = env_value("EKSAUTH_BUILTIN");
    bool builtin = builtin_env != NULL && strcmp(builtin_env, "0") != 0;
    bool more = false;
    time_t now = time(NULL);
    size_t n;
    int c, rc = EXIT_USAGE;

    (void)cli;
    optind = 1; /* the first getopt of this process (portable, unlike glibc's 0) */
    opterr = 0;
    /* "+": the prompt is never taken for an option, wherever it stands. */
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            builtin = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            rc = 0;
            goto out;
        default:
            cli_error(WHAT, "unknown option %s", argv[optind - 1]);
            fputs(usage_text, stderr);
            goto out;
        }
    }
    if (argc - optind != 1) {
        cli_error(WHAT, "expected one argument, the prompt (ssh and sudo pass it)");
        fputs(usage_text, stderr);
        goto out;
    }
    kind = eksauth_prompt_classify(argv[optind], ssh_host, sizeof(ssh_host), audience,
                                   sizeof(audience));
    if (kind == EKSAUTH_PROMPT_OLD) {
        /* It names no audience: whatever we minted, a cluster token would be the only fit. */
        cli_error(WHAT, "the host asks with a prompt that names no audience (an eksauth before "
                        "host tokens): it would take a token the cluster accepts too; not "
                        "answered (update eksauth on the host)");
        rc = EXIT_REJECTED;
        goto out;
    }
    if (kind == EKSAUTH_PROMPT_OTHER) {
        /* A host key question, a password, a passphrase: the token is never the answer. */
        rc = ask_terminal(argv[optind]);
        if (rc < 0) {
            refuse_prompt(argv[optind]);
            rc = EXIT_REJECTED;
        }
        goto out;
    }
    /* Only the host the user meant gets a token, and only one for it alone. */
    if (kind == EKSAUTH_PROMPT_FOR && check_audience(audience, ssh_host, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    st = state_dir(dir, sizeof(dir), &err);
    if (st == EKSAUTH_OK)
        st = state_path(dir, path, sizeof(path), &err);
    if (st != EKSAUTH_OK) {
        rc = cli_fail("askpass: token folder", &err);
        goto out;
    }
    sweep_expired(dir, now);

    if (kind == EKSAUTH_PROMPT_FOR) {
        switch (done_before(path, now)) {
        case DONE_SENT:
            cli_error(WHAT, "the host refused the token sent a moment ago (its reason, when it "
                            "gives one, is above): not making another.  Check the login name "
                            "(eksauth login-name) and your AWS credentials");
            rc = EXIT_REJECTED;
            goto out;
        case DONE_FAILED:
            cli_error(WHAT, "no token (see the first error above): not trying again");
            rc = EXIT_USAGE;
            goto out;
        case DONE_NONE:
            break;
        }
        /* A new authentication: a fresh token, whatever an earlier attempt left. */
        (void)unlink(path);
        st = client_mint_token(builtin, audience, dir, &s->t, &err);
        /* A command's token is the user's command's: STS must take it for this host. */
        if (st == EKSAUTH_OK && !builtin && env_value("EKSAUTH_TOKEN_COMMAND") != NULL)
            st = check_minted_for(&s->t, audience, now, &err);
        if (st != EKSAUTH_OK) {
            cli_error(WHAT, "no token: %s", err.msg);
            mark_done(path, DONE_FAILED);
            rc = EXIT_USAGE;
            goto out;
        }
    } else {
        st = state_load(path, s, &err);
        if (st == EKSAUTH_ENOTFOUND) {
            cli_error(WHAT, "asked to continue, but no token is in progress for this %s",
                      "ssh or sudo (was the first prompt answered by eksauth askpass?)");
            rc = EXIT_REJECTED;
            goto out;
        }
        if (st != EKSAUTH_OK) {
            (void)unlink(path);
            rc = cli_fail(WHAT, &err);
            goto out;
        }
        if (s->t.expires <= now) {
            /* A dead token is of no use to anyone: drop it and let ssh start over. */
            (void)unlink(path);
            cli_error(WHAT, "the token expired between prompts; try again");
            rc = EXIT_REJECTED;
            goto out;
        }
    }

    /* The file first, then the answer: never send a piece the next prompt cannot follow. */
    n = piece_len(s, &more);
    if (more) {
        s->offset += n;
        st = state_save(path, s, &err);
        s->offset -= n;
        if (st != EKSAUTH_OK) {
            rc = cli_fail("askpass: token file", &err);
            goto out;
        }
    }
    if (!write_piece(s->t.token + s->offset, n, more)) {
        cli_error(WHAT, "cannot write the answer: %s", strerror(errno));
        (void)unlink(path);
        rc = EXIT_USAGE;
        goto out;
    }
    if (!more) {
        (void)unlink(path); /* the last piece is sent: the token leaves the disk */
        mark_done(path, DONE_SENT);
    }
    rc = 0;
out:
    if (s != NULL) {
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
    return rc;
}
