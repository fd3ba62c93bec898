/*
 * hostfile.c - the host's files as doctor reads them: host paths under
 * --root (symbolic links followed inside it, as a chroot would), whole text files, and
 * their lines and blank-separated words.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor.h"

const char *unrooted(const struct doctor *d, const char *real)
{
    size_t n = strlen(d->root);

    return n > 0 && strncmp(real, d->root, n) == 0 ? real + n : real;
}

int slurp_path(const char *real, size_t max, char **out, size_t *outlen)
{
    char *buf = NULL, *grown;
    size_t len = 0, cap = 0, got;
    int rc = 0;
    FILE *fp;

    *out = NULL;
    *outlen = 0;
    fp = fopen(real, "re");
    if (fp == NULL)
        return errno;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap == 0 ? 8192 : cap * 2;
            if (cap > max + 1)
                cap = max + 1;
            grown = realloc(buf, cap + 1);
            if (grown == NULL) {
                rc = ENOMEM;
                goto out;
            }
            buf = grown;
        }
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (len > max) {
            rc = EFBIG;
            goto out;
        }
        if (got == 0) {
            if (ferror(fp))
                rc = errno != 0 ? errno : EIO;
            break;
        }
    }
out:
    fclose(fp);
    if (rc != 0) {
        free(buf);
        return rc;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

#define LINK_HOPS 40 /* links followed on one path, as the kernel's ELOOP limit */

/*
 * The next component of *rest (its slashes skipped) into comp; false at
 * the end.  *rest moves past it.
 */
static bool next_component(const char **rest, char comp[NAME_MAX + 1], int *rc)
{
    const char *p = *rest;
    size_t n;

    while (*p == '/')
        p++;
    if (*p == '\0')
        return false;
    n = strcspn(p, "/");
    if (n > NAME_MAX) {
        *rc = ENAMETOOLONG;
        return false;
    }
    memcpy(comp, p, n);
    comp[n] = '\0';
    *rest = p + n;
    return true;
}

/* Whether rest holds no further component. */
static bool at_end(const char *rest)
{
    return rest[strspn(rest, "/")] == '\0';
}

/*
 * Under --root, host is resolved as a chroot into the root would resolve
 * it: an absolute link starts again at the root, and ".." at the root
 * stays there (authselect links /etc/nsswitch.conf and
 * /etc/pam.d/password-auth to /etc/authselect/...).  Why: a link that
 * leaves the root (../../../etc/nsswitch.conf), or an absolute one the
 * kernel would follow on this machine, must not make doctor read and
 * report on the machine it runs on as if it were the root's.  The last
 * component is followed only with last (lstat and readlink want the link
 * itself).  path holds the host path resolved so far ("" is /), real where
 * to read it.  0, or ELOOP past LINK_HOPS links, ENAMETOOLONG.
 */
static int resolve_in_root(const struct doctor *d, const char *host, bool last, char real[PATH_MAX])
{
    char path[PATH_MAX] = "", todo[PATH_MAX], next[PATH_MAX], target[PATH_MAX];
    char comp[NAME_MAX + 1];
    const char *rest = todo;
    size_t len = 0;
    int hops = 0, rc = 0;
    struct stat st;
    ssize_t n;

    if (!fmt(todo, sizeof(todo), "%s", host))
        return ENAMETOOLONG;
    while (next_component(&rest, comp, &rc)) {
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            while (len > 0 && path[--len] != '/')
                ;
            path[len] = '\0';
            continue;
        }
        if (!fmt(path + len, sizeof(path) - len, "/%s", comp) ||
            !fmt(real, PATH_MAX, "%s%s", d->root, path))
            return ENAMETOOLONG;
        if ((!last && at_end(rest)) || lstat(real, &st) != 0 || !S_ISLNK(st.st_mode)) {
            len = strlen(path);
            continue;
        }
        if (++hops > LINK_HOPS)
            return ELOOP;
        n = readlink(real, target, sizeof(target) - 1);
        if (n <= 0)
            return n == 0 ? ENOENT : errno;
        target[n] = '\0';
        /* The link's own name is replaced by its target, read from its folder or the root. */
        if (target[0] == '/')
            len = 0;
        path[len] = '\0';
        if (!fmt(next, sizeof(next), "%s/%s", target, rest))
            return ENAMETOOLONG;
        memcpy(todo, next, sizeof(todo));
        rest = todo;
    }
    if (rc == 0 && !fmt(real, PATH_MAX, "%s%s", d->root, len > 0 ? path : "/"))
        rc = ENAMETOOLONG;
    return rc;
}

/*
 * host under the root into buf: as is on this host; under --root resolved
 * there (the last component too with last).  A path that cannot be
 * resolved (ELOOP, too long) is "", which no call opens: never a path the
 * kernel would resolve on this machine.
 */
static const char *in_root(const struct doctor *d, const char *host, bool last, char *buf)
{
    if (d->root[0] == '\0')
        fmt(buf, PATH_MAX, "%s", host);
    else if (resolve_in_root(d, host, last, buf) != 0)
        buf[0] = '\0';
    return buf;
}

const char *rooted(const struct doctor *d, const char *host, char *buf)
{
    return in_root(d, host, false, buf);
}

const char *rooted_file(const struct doctor *d, const char *host, char *buf)
{
    return in_root(d, host, true, buf);
}

int slurp(const struct doctor *d, const char *host, char **out, size_t *outlen)
{
    char real[PATH_MAX];
    int rc;

    *out = NULL;
    *outlen = 0;
    if (d->root[0] == '\0')
        return slurp_path(host, TEXT_MAX, out, outlen);
    rc = resolve_in_root(d, host, true, real);
    return rc != 0 ? rc : slurp_path(real, TEXT_MAX, out, outlen);
}

bool path_exists(const struct doctor *d, const char *host)
{
    char real[PATH_MAX];
    struct stat st;

    return lstat(rooted(d, host, real), &st) == 0;
}

char *next_line(struct lines *l)
{
    char *line = l->p, *nl;

    if (l->p >= l->end)
        return NULL;
    nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    if (nl == NULL) {
        l->p = l->end;
    } else {
        *nl = '\0';
        l->p = nl + 1;
    }
    l->no++;
    return line;
}

bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

char *skip_blank(char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

char *next_word(char **s)
{
    char *w = skip_blank(*s), *e;

    if (*w == '\0')
        return NULL;
    for (e = w; *e != '\0' && !is_blank(*e); e++)
        ;
    if (*e != '\0')
        *e++ = '\0';
    *s = e;
    return w;
}

bool has_word(const char *s, const char *word)
{
    size_t n = strlen(word);
    const char *p = s;

    while ((p = strstr(p, word)) != NULL) {
        if ((p == s || is_blank(p[-1])) && (p[n] == '\0' || is_blank(p[n])))
            return true;
        p += n;
    }
    return false;
}

const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

bool run_output(struct doctor *d, const char *path, char *const argv[], char *const env[],
                size_t max, char **out, size_t *outlen)
{
    posix_spawn_file_actions_t fa;
    char *buf = NULL;
    size_t len = 0;
    ssize_t got;
    int fds[2] = {-1, -1}, status = 0;
    pid_t pid = -1;
    bool done = false;

    *out = NULL;
    *outlen = 0;
    if (pipe2(fds, O_CLOEXEC) != 0)
        return false;
    buf = malloc(max + 1);
    if (buf == NULL || posix_spawn_file_actions_init(&fa) != 0) {
        d->nomem = buf == NULL;
        goto out;
    }
    /* Its output to us, its complaints nowhere: a failure means "read the files". */
    if (posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO) != 0 ||
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn(&pid, path, &fa, NULL, argv, env) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    fds[1] = -1;
    if (pid < 0)
        goto out;
    while (len < max && (got = read(fds[0], buf + len, max - len)) != 0) {
        if (got > 0)
            len += (size_t)got;
        else if (errno != EINTR)
            break;
    }
    close(fds[0]);
    fds[0] = -1;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len >= max)
        goto out;
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    buf = NULL;
    done = true;
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(buf);
    return done;
}
