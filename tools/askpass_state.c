/*
 * askpass_state.c - what eksauth askpass keeps between prompts, in a
 * private folder: the token being sent and how far (one 0600 file per
 * asking ssh or sudo, replaced atomically and read back with every check),
 * and after its last piece a short-lived mark that a retry is a refusal
 * (see cmd_askpass.c).  Anything in the folder that is not the user's own
 * regular file is refused or left alone.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eksauth/file.h"
#include "eksauth/token.h"
#include "askpass.h"
#include "cli.h"

#define STATE_MAGIC    "eksauth-askpass 1"
#define STATE_PREFIX   "askpass-"
#define STATE_FILE_MAX (EKSAUTH_TOKEN_MAX_LEN + 256)

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
enum eksauth_status askpass_state_dir(char *out, size_t outlen, struct eksauth_error *err)
{
    const char *given = client_env("EKSAUTH_ASKPASS_DIR");
    const char *xdg = client_env("XDG_RUNTIME_DIR");
    const char *tmp = client_env("TMPDIR");
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
    else if ((st = client_check_private_dir(out, err)) != EKSAUTH_OK && given == NULL)
        /* Why: in a shared /tmp another user may have made it first; the person can get round it.
         * Only then: a TMPDIR that is not there fails eksauth ssh's own folder alike. */
        eksauth_error_append(err, " (set EKSAUTH_ASKPASS_DIR to a private folder of yours, or "
                                  "run eksauth ssh, which makes its own)");
    return st;
}

/*
 * The file of this conversation: named after the process that asks (ssh or
 * sudo start askpass as their child) and its start time, so that a reused
 * pid never picks up someone's old token.
 */
enum eksauth_status askpass_state_path(const char *dir, char *out, size_t outlen,
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
void askpass_sweep_expired(const char *dir, time_t now)
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

/* ------------------------------------------------------------ the file */

/* Replace the file atomically (file.h), 0600: the token, the time it dies, what was sent. */
enum eksauth_status askpass_state_save(const char *path, const struct askpass_state *s,
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

/* Read the file back; anything odd about it (owner, mode, a link, its text) is refused. */
enum eksauth_status askpass_state_load(const char *path, struct askpass_state *s,
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
    if (end == NULL || !eksauth_token_shaped_strict(p + 1, (size_t)(end - p - 1)) ||
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

/* ------------------------------------------------- after the last piece */

/*
 * ssh and sudo ask "EKS token for AUDIENCE: " again only when the host refused the
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

void askpass_mark_done(const char *path, enum askpass_done_mark mark)
{
    char done[4200];
    const char *text = mark == ASKPASS_DONE_SENT ? "sent\n" : "failed\n";
    int fd;

    if ((size_t)snprintf(done, sizeof(done), "%s" DONE_SUFFIX, path) >= sizeof(done))
        return;
    fd = open(done, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    (void)cli_write_all(fd, text, strlen(text));
    close(fd);
}

enum askpass_done_mark askpass_done_before(const char *path, time_t now)
{
    char done[4200], buf[16] = "";
    enum askpass_done_mark mark = ASKPASS_DONE_NONE;
    struct stat st;
    ssize_t n;
    int fd;

    if ((size_t)snprintf(done, sizeof(done), "%s" DONE_SUFFIX, path) >= sizeof(done))
        return ASKPASS_DONE_NONE;
    fd = open(done, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ASKPASS_DONE_NONE;
    /*
     * Ours and fresh only: anything else is someone else's or stale.  A
     * second ahead is fresh: the kernel stamps files from a finer clock than
     * time()'s, so a mark written just after a second boundary can be dated
     * the next second.
     */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
        st.st_mtime <= now + 1 && now - st.st_mtime <= RETRY_WINDOW &&
        (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        mark = strcmp(buf, "sent\n") == 0 ? ASKPASS_DONE_SENT : ASKPASS_DONE_FAILED;
    }
    close(fd);
    if (mark == ASKPASS_DONE_NONE)
        (void)unlink(done);
    return mark;
}
