/*
 * hostfile.c - the host's files as doctor reads them: host paths under
 * --root (a symbolic link followed inside it), whole text files, and
 * their lines and blank-separated words.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor.h"

const char *rooted(const struct doctor *d, const char *host, char *buf)
{
    fmt(buf, PATH_MAX, "%s%s%s", d->root, host[0] == '/' || d->root[0] == '\0' ? "" : "/", host);
    return buf;
}

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

#define LINK_HOPS 8 /* links followed to a file (authselect's: one) */

/*
 * Under --root, a file that is a symbolic link is read where the host
 * would read it: an absolute target inside the root, not on this machine
 * (authselect links /etc/nsswitch.conf and /etc/pam.d/password-auth to
 * /etc/authselect/...).  real is the rooted path, followed in place.
 */
static void follow_in_root(const struct doctor *d, char real[PATH_MAX])
{
    char target[PATH_MAX], next[PATH_MAX];
    const char *slash;
    struct stat st;
    ssize_t n;
    int hops;

    for (hops = 0; hops < LINK_HOPS; hops++) {
        if (lstat(real, &st) != 0 || !S_ISLNK(st.st_mode))
            return;
        n = readlink(real, target, sizeof(target) - 1);
        if (n <= 0)
            return;
        target[n] = '\0';
        slash = strrchr(real, '/');
        if (target[0] == '/')
            rooted(d, target, next);
        else
            fmt(next, sizeof(next), "%.*s/%s", slash != NULL ? (int)(slash - real) : 0, real,
                target);
        memcpy(real, next, sizeof(next));
    }
}

int slurp(const struct doctor *d, const char *host, char **out, size_t *outlen)
{
    char real[PATH_MAX];

    rooted(d, host, real);
    if (d->root[0] != '\0')
        follow_in_root(d, real);
    return slurp_path(real, TEXT_MAX, out, outlen);
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
