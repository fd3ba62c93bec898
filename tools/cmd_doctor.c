/*
 * cmd_doctor.c - `eksauth doctor [--network] [--json] [--root DIR]`: read a
 * host's setup the way sshd, PAM, glibc and sudo read it, and print each
 * finding with the exact fix (cmd_doctor.h lists the checks).
 *
 * Everything is read from files (under --root when given), never through
 * NSS or PAM themselves: the doctor must work on a host where those are
 * broken.  Nothing is written.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/evp.h>

#include "cli.h"
#include "cmd_doctor.h"
#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/iddb.h"
#include "eksauth/partition.h"
#include "eksauth/paths.h"

#define TEXT_MAX      (4u * 1024 * 1024)  /* a host's text file (pam.d, sudoers, ...) */
#define AWS_AUTH_MAX  (64u * 1024 * 1024) /* as `eksauth sync` */
#define INCLUDE_DEPTH 8                   /* nested @include / Include / #includedir */
#define WHERE_MAX     (PATH_MAX + 16)
#define NAMES_SHOWN   6 /* group names listed in a fix */

#ifndef EKSAUTH_DOCDIR
#define EKSAUTH_DOCDIR "/usr/share/doc/eksauth"
#endif
#define EXAMPLES EKSAUTH_DOCDIR "/examples"

/* The lines the fixes ask for (the same as pam_eksauth(8) and the examples). */
#define PAM_AUTH_LINE                                                                              \
    "auth [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user"
#define PAM_ACCOUNT_LINE                                                                           \
    "account [success=done ignore=ignore default=die] pam_eksauth.so ignore_unknown_user"
#define PAM_SESSION_LINE "session optional pam_eksauth.so"

enum level { LV_OK, LV_INFO, LV_WARNING, LV_ERROR };

struct finding {
    enum level level;
    const char *check; /* "config", "nsswitch", "pam", "sshd", "sudoers", "db", ... */
    char *where;       /* host path, or path:line; NULL */
    char *problem;
    char *fix;             /* NULL when there is nothing to do */
    long long age_seconds; /* the identity DB's finding: its age; else -1 */
};

struct doctor {
    struct eksauth_cli *cli;
    char root[PATH_MAX]; /* "" for this host */
    bool network;
    struct finding *findings;
    size_t n_findings;
    bool nomem;
    struct eksauth_config cfg; /* defaults, then what the config file gave */
    bool cfg_init;
    bool cfg_usable; /* the file's lines parsed (cluster_id may still be missing) */
    char conf_host[PATH_MAX];
    struct eksauth_iddb *db;
    char **local_groups; /* names in /etc/group */
    size_t n_local_groups;
};

/* ----------------------------------------------------------------- findings */

/*
 * snprintf into a fixed buffer; false when the result was cut.  (Paths cut
 * short name nothing that exists, so callers may go on.)
 */
static bool fmt(char *buf, size_t n, const char *format, ...) __attribute__((format(printf, 3, 4)));

static bool fmt(char *buf, size_t n, const char *format, ...)
{
    va_list ap;
    int len;

    va_start(ap, format);
    len = vsnprintf(buf, n, format, ap);
    va_end(ap);
    return len >= 0 && (size_t)len < n;
}

static struct finding *report(struct doctor *d, enum level lv, const char *check, const char *where,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void set_fix(struct doctor *d, struct finding *f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct finding *report(struct doctor *d, enum level lv, const char *check, const char *where,
                              const char *fmt, ...)
{
    struct finding *grown, *f;
    char *problem = NULL, *w = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&problem, fmt, ap) < 0)
        problem = NULL;
    va_end(ap);
    if (problem == NULL || (where != NULL && (w = strdup(where)) == NULL))
        goto nomem;
    grown = realloc(d->findings, (d->n_findings + 1) * sizeof(*grown));
    if (grown == NULL)
        goto nomem;
    d->findings = grown;
    f = &grown[d->n_findings++];
    memset(f, 0, sizeof(*f));
    f->level = lv;
    f->age_seconds = -1;
    f->check = check;
    f->where = w;
    f->problem = problem;
    return f;
nomem:
    free(problem);
    free(w);
    d->nomem = true;
    return NULL;
}

static void set_fix(struct doctor *d, struct finding *f, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (f == NULL)
        return;
    va_start(ap, fmt);
    n = vasprintf(&f->fix, fmt, ap);
    va_end(ap);
    if (n < 0) {
        f->fix = NULL;
        d->nomem = true;
    }
}

static const char *at(char *buf, const char *path, unsigned line)
{
    fmt(buf, WHERE_MAX, "%s:%u", path, line);
    return buf;
}

/* -------------------------------------------------------- files and lines */

/* DIR + host into buf (host as is when there is no root). */
static const char *rooted(const struct doctor *d, const char *host, char *buf)
{
    fmt(buf, PATH_MAX, "%s%s%s", d->root, host[0] == '/' || d->root[0] == '\0' ? "" : "/", host);
    return buf;
}

/* The host path of a path found under the root (glob results). */
static const char *unrooted(const struct doctor *d, const char *real)
{
    size_t n = strlen(d->root);

    return n > 0 && strncmp(real, d->root, n) == 0 ? real + n : real;
}

/* Read a whole text file into a NUL-terminated buffer.  0, or an errno value. */
static int slurp_real(const char *path, size_t max, char **out, size_t *outlen)
{
    char *buf = NULL, *grown;
    size_t len = 0, cap = 0, got;
    int rc = 0;
    FILE *fp;

    *out = NULL;
    *outlen = 0;
    fp = fopen(path, "re");
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

static int slurp(const struct doctor *d, const char *host, char **out, size_t *outlen)
{
    char real[PATH_MAX];

    return slurp_real(rooted(d, host, real), TEXT_MAX, out, outlen);
}

/* Lines of a buffer, split in place: next_line returns each, NUL-terminated. */
struct lines {
    char *p, *end;
    unsigned no;
};

static char *next_line(struct lines *l)
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

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static char *skip_blank(char *s)
{
    while (is_blank(*s))
        s++;
    return s;
}

/* The next blank-separated word of *s, NUL-terminated in place; NULL at the end. */
static char *next_word(char **s)
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

/* Whether word occurs in the blank-separated list s. */
static bool has_word(const char *s, const char *word)
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

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

static bool path_exists(const struct doctor *d, const char *host)
{
    char real[PATH_MAX];
    struct stat st;

    return lstat(rooted(d, host, real), &st) == 0;
}

/* "3 minutes" and the like, for an age in seconds. */
static void format_age(long long secs, char *buf, size_t n)
{
    if (secs < 0)
        fmt(buf, n, "in the future (clock skew?)");
    else if (secs < 120)
        fmt(buf, n, "%lld seconds ago", secs);
    else if (secs < 2 * 3600)
        fmt(buf, n, "%lld minutes ago", secs / 60);
    else if (secs < 2 * 86400)
        fmt(buf, n, "%lld hours ago", secs / 3600);
    else
        fmt(buf, n, "%lld days ago", secs / 86400);
}

/* --------------------------------------------------------------- config */

/* A folder's owner and mode: who can put another file in place (sticky folders: nobody else). */
static void check_dir_trusted(struct doctor *d, const char *check, const char *real_dir,
                              const char *why)
{
    struct finding *f;
    struct stat st;
    const char *host = unrooted(d, real_dir);

    if (stat(real_dir, &st) != 0 || (st.st_mode & S_ISVTX) != 0)
        return;
    if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        f = report(d, LV_ERROR, check, host, "folder owned by uid %u, mode %04o: %s",
                   (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), why);
        set_fix(d, f, "chown root:root %s && chmod go-w %s", host, host);
    }
}

/* Ownership and mode of a file that decides who logs in as whom. */
static bool check_trusted(struct doctor *d, const char *check, const char *host,
                          const struct stat *st, enum level lv, const char *why)
{
    struct finding *f;
    bool ok = true;

    if (st->st_uid != 0) {
        f = report(d, lv, check, host, "not owned by root (uid %u): %s", (unsigned)st->st_uid, why);
        set_fix(d, f, "chown root:root %s", host);
        ok = false;
    }
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        f = report(d, lv, check, host, "writable by %s (mode %04o): %s",
                   (st->st_mode & S_IWOTH) != 0 ? "everyone" : "its group",
                   (unsigned)(st->st_mode & 07777), why);
        set_fix(d, f, "chmod go-w %s", host);
        ok = false;
    }
    return ok;
}

static void check_config_file(struct doctor *d)
{
    const char *env = d->root[0] == '\0' ? secure_getenv("EKSAUTH_CONFIG") : NULL;
    const char *host, *slash;
    char real[PATH_MAX], dir[PATH_MAX];
    struct eksauth_error err;
    struct finding *f;
    struct stat st;
    char *text = NULL;
    bool trusted;
    size_t len;
    int rc;

    if (d->cli->config_path != NULL) {
        host = d->cli->config_path;
        fmt(real, sizeof(real), "%s", host);
    } else {
        host = env != NULL ? env : EKSAUTH_CONFIG_PATH;
        rooted(d, host, real);
    }
    fmt(d->conf_host, sizeof(d->conf_host), "%s", host);
    if (stat(real, &st) != 0) {
        f = report(d, LV_ERROR, "config", host, "%s: the PAM module refuses every login without it",
                   strerror(errno));
        set_fix(d, f,
                "install -m 0644 -o root -g root %s/eksauth.conf %s, then set cluster_id in it "
                "(keys: eksauth.conf(5))",
                EXAMPLES, host);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        f = report(d, LV_ERROR, "config", host, "not a regular file");
        set_fix(d, f, "replace it with a regular file (eksauth.conf(5))");
        return;
    }
    /* Whoever can replace the file in its folder controls it as well. */
    slash = strrchr(real, '/');
    if (slash != NULL && slash != real) {
        fmt(dir, sizeof(dir), "%.*s", (int)(slash - real), real);
        check_dir_trusted(d, "config", dir, "whoever can write the folder can replace the config");
    }
    /* Refused by the PAM module, but read on: its other problems are worth knowing too. */
    trusted =
        check_trusted(d, "config", host, &st, LV_ERROR,
                      "the PAM module refuses it, and whoever can write it decides who logs in");
    rc = slurp_real(real, 1024 * 1024, &text, &len);
    if (rc != 0) {
        f = report(d, LV_ERROR, "config", host, "cannot read it: %s", strerror(rc));
        set_fix(d, f, rc == EACCES ? "run eksauth doctor as root" : "check the file (%s)", host);
        return;
    }
    if (eksauth_config_parse(&d->cfg, text, len, host, &err) != EKSAUTH_OK) {
        if (strstr(err.msg, "cluster_id is required") != NULL) {
            /* The lines parsed: the rest of the settings are usable for the other checks. */
            d->cfg_usable = true;
            f = report(d, LV_ERROR, "config", host,
                       "cluster_id is not set: without it any cluster's token would do, so "
                       "eksauth refuses to run");
            set_fix(d, f,
                    "add the line \"cluster_id = NAME\" to %s, NAME being the cluster's name as "
                    "in aws eks get-token --cluster-name NAME",
                    host);
        } else {
            f = report(d, LV_ERROR, "config", host, "%s", err.msg);
            set_fix(d, f, "correct that line of %s (keys and values: eksauth.conf(5))", host);
        }
        goto out;
    }
    d->cfg_usable = true;
    if (trusted)
        report(d, LV_OK, "config", host, "root's, mode %04o, cluster_id = %s, source = %s",
               (unsigned)(st.st_mode & 07777), d->cfg.cluster_id,
               eksauth_source_name(d->cfg.source));
out:
    free(text);
}

static void check_aws_auth_file(struct doctor *d)
{
    char real[PATH_MAX];
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    const char *host;
    struct finding *f;
    struct stat st;
    char *text = NULL;
    size_t len, n;
    int rc;

    if (d->cli->aws_auth_path != NULL) {
        host = d->cli->aws_auth_path;
        fmt(real, sizeof(real), "%s", host);
    } else if (d->cfg.aws_auth_file != NULL) {
        host = d->cfg.aws_auth_file;
        rooted(d, host, real);
    } else {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = file, but no aws_auth_file: eksauth sync has nothing to read");
        set_fix(
            d, f,
            "kubectl get configmap aws-auth -n kube-system -o yaml > /etc/eksauth/aws-auth.yaml "
            "and add \"aws_auth_file = /etc/eksauth/aws-auth.yaml\" to %s (or set source = "
            "kubernetes)",
            d->conf_host);
        return;
    }
    if (stat(real, &st) != 0) {
        f = report(d, LV_ERROR, "source", host, "aws_auth_file: %s", strerror(errno));
        set_fix(d, f, "kubectl get configmap aws-auth -n kube-system -o yaml > %s", host);
        return;
    }
    check_trusted(d, "source", host, &st, LV_WARNING,
                  "whoever can write aws-auth decides who logs in, and with which groups");
    rc = slurp_real(real, AWS_AUTH_MAX, &text, &len);
    if (rc != 0) {
        f = report(d, LV_ERROR, "source", host, "cannot read it: %s", strerror(rc));
        set_fix(d, f, rc == EACCES ? "run eksauth doctor as root" : "check the file (%s)", host);
        return;
    }
    if (eksauth_awsauth_parse(text, len, &aa, &err) != EKSAUTH_OK) {
        f = report(d, LV_ERROR, "source", host, "%s: eksauth sync keeps the old identity DB",
                   err.msg);
        set_fix(d, f, "write it again: kubectl get configmap aws-auth -n kube-system -o yaml > %s",
                host);
        goto out;
    }
    n = eksauth_awsauth_warning_count(aa);
    if (n > 0) {
        f = report(d, LV_WARNING, "source", host, "%zu malformed entr%s skipped; the first: %s", n,
                   n == 1 ? "y" : "ies", eksauth_awsauth_warning_at(aa, 0));
        set_fix(d, f, "correct them in aws-auth (eksauth sync lists every one)");
    }
    report(d, LV_OK, "source", host, "aws-auth parses: %zu entries", eksauth_awsauth_count(aa));
out:
    eksauth_awsauth_free(aa);
    free(text);
}

static void check_source(struct doctor *d)
{
    enum eksauth_source src = d->cfg.source;
    char real[PATH_MAX];
    struct finding *f;
    bool kube = src == EKSAUTH_SOURCE_KUBERNETES || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    bool eks = src == EKSAUTH_SOURCE_EKS_API || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    bool ok = true;

    if (src == EKSAUTH_SOURCE_FILE) {
        check_aws_auth_file(d);
        return;
    }
    if (kube && d->cfg.cluster_endpoint == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = %s needs cluster_endpoint (the cluster's Kubernetes API)",
                   eksauth_source_name(src));
        set_fix(d, f,
                "add \"cluster_endpoint = URL\" to %s, URL from: aws eks describe-cluster --name "
                "NAME --query cluster.endpoint --output text",
                d->conf_host);
        ok = false;
    }
    if (kube && d->cfg.cluster_ca_file == NULL && d->cfg.cluster_ca_data == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "no cluster_ca_file or cluster_ca_data: the cluster's certificate cannot be "
                   "verified");
        set_fix(d, f,
                "aws eks describe-cluster --name NAME --query cluster.certificateAuthority.data "
                "--output text | base64 -d > /etc/eksauth/cluster-ca.pem and add "
                "\"cluster_ca_file = /etc/eksauth/cluster-ca.pem\" to %s",
                d->conf_host);
        ok = false;
    }
    if (kube && d->cfg.cluster_ca_file != NULL &&
        access(rooted(d, d->cfg.cluster_ca_file, real), R_OK) != 0) {
        f = report(d, LV_ERROR, "source", d->cfg.cluster_ca_file, "cluster_ca_file: %s",
                   strerror(errno));
        set_fix(d, f,
                "aws eks describe-cluster --name NAME --query cluster.certificateAuthority.data "
                "--output text | base64 -d > %s",
                d->cfg.cluster_ca_file);
        ok = false;
    }
    if (eks && d->cfg.cluster_name == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = %s needs cluster_name (for the EKS API)", eksauth_source_name(src));
        set_fix(d, f, "add \"cluster_name = NAME\" to %s", d->conf_host);
        ok = false;
    }
    if (eks && d->cfg.region == NULL) {
        f = report(d, LV_ERROR, "source", d->conf_host,
                   "source = %s needs region (the EKS API is regional)", eksauth_source_name(src));
        set_fix(d, f, "add \"region = REGION\" (e.g. us-east-1) to %s", d->conf_host);
        ok = false;
    }
    if (ok)
        report(d, LV_OK, "source", d->conf_host, "source = %s is configured",
               eksauth_source_name(src));
}

/* -------------------------------------------------------------- modules */

static void find_module(struct doctor *d, const char *what, const char *const *patterns,
                        const char *fix)
{
    char real[PATH_MAX];
    struct finding *f;
    glob_t g;
    size_t i;

    for (i = 0; patterns[i] != NULL; i++) {
        memset(&g, 0, sizeof(g));
        if (glob(rooted(d, patterns[i], real), 0, NULL, &g) == 0 && g.gl_pathc > 0) {
            report(d, LV_OK, "modules", unrooted(d, g.gl_pathv[0]), "%s is installed", what);
            globfree(&g);
            return;
        }
        globfree(&g);
    }
    f = report(d, LV_ERROR, "modules", NULL, "%s is not installed in a library folder", what);
    set_fix(d, f, "%s", fix);
}

static void check_modules(struct doctor *d)
{
    static const char *const pam[] = {
        "/lib/*/security/pam_eksauth.so",
        "/usr/lib/*/security/pam_eksauth.so",
        "/lib/security/pam_eksauth.so",
        "/usr/lib/security/pam_eksauth.so",
        "/lib64/security/pam_eksauth.so",
        "/usr/lib64/security/pam_eksauth.so",
        NULL,
    };
    static const char *const nss[] = {
        "/lib/*/libnss_eksauth.so.2",
        "/usr/lib/*/libnss_eksauth.so.2",
        "/lib/libnss_eksauth.so.2",
        "/usr/lib/libnss_eksauth.so.2",
        "/lib64/libnss_eksauth.so.2",
        "/usr/lib64/libnss_eksauth.so.2",
        "/usr/local/lib/libnss_eksauth.so.2",
        "/usr/local/lib/*/libnss_eksauth.so.2",
        NULL,
    };

    find_module(d, "pam_eksauth.so", pam,
                "install the eksauth package (apt install ./eksauth_*.deb), or make install");
    find_module(d, "libnss_eksauth.so.2", nss,
                "install the eksauth package (apt install ./eksauth_*.deb), or make install "
                "and run ldconfig");
}

/* ------------------------------------------------------------- nsswitch */

/* One service or [action] of an nsswitch.conf line, as offsets into the line. */
struct nss_tok {
    size_t start, len;
    bool action;
};

#define NSS_TOKS 32

/* The tokens after "db:" (from), up to a comment. */
static size_t nss_tokens(const char *line, size_t from, struct nss_tok *t, size_t max)
{
    size_t i = from, n = 0, s;

    while (line[i] != '\0' && n < max) {
        while (is_blank(line[i]))
            i++;
        if (line[i] == '\0' || line[i] == '#')
            break;
        s = i;
        if (line[i] == '[') {
            while (line[i] != '\0' && line[i] != ']')
                i++;
            if (line[i] == ']')
                i++;
            t[n].action = true;
        } else {
            while (line[i] != '\0' && !is_blank(line[i]) && line[i] != '[' && line[i] != '#')
                i++;
            t[n].action = false;
        }
        t[n].start = s;
        t[n].len = i - s;
        n++;
    }
    return n;
}

static bool tok_is(const char *line, const struct nss_tok *t, const char *word)
{
    return !t->action && t->len == strlen(word) && strncmp(line + t->start, word, t->len) == 0;
}

/*
 * The line with eksauth where the package puts it: right after "files" (and
 * an [action] that follows it), else after the last service.  An eksauth
 * elsewhere is taken out first.  The maintainer scripts do the same.
 */
static void nss_fixed_line(const char *line, size_t from, char *out, size_t outlen)
{
    struct nss_tok t[NSS_TOKS];
    char tmp[1024];
    size_t n, i, cut = 0, ins;

    fmt(tmp, sizeof(tmp), "%s", line);
    n = nss_tokens(tmp, from, t, NSS_TOKS);
    for (i = 0; i < n; i++) {
        if (tok_is(tmp, &t[i], "eksauth")) {
            size_t s = t[i].start, e = t[i].start + t[i].len;

            if (i + 1 < n && t[i + 1].action)
                e = t[i + 1].start + t[i + 1].len;
            /* The blanks before it go with it; for the first service, those after it. */
            if (i > 0) {
                while (s > from && is_blank(tmp[s - 1]))
                    s--;
            } else {
                while (is_blank(tmp[e]))
                    e++;
            }
            memmove(tmp + s, tmp + e, strlen(tmp + e) + 1);
            cut = 1;
            break;
        }
    }
    if (cut)
        n = nss_tokens(tmp, from, t, NSS_TOKS);
    ins = from;
    for (i = 0; i < n; i++) {
        if (tok_is(tmp, &t[i], "files")) {
            ins = t[i].start + t[i].len;
            if (i + 1 < n && t[i + 1].action)
                ins = t[i + 1].start + t[i + 1].len;
            break;
        }
    }
    if (i == n && n > 0)
        ins = t[n - 1].start + t[n - 1].len;
    fmt(out, outlen, "%.*s eksauth%s", (int)ins, tmp, tmp + ins);
}

static void check_nss_line(struct doctor *d, const char *host, const char *db, const char *line,
                           unsigned lineno, bool optional)
{
    struct nss_tok t[NSS_TOKS];
    char where[WHERE_MAX], fixed[1200];
    ssize_t ie = -1, ifl = -1;
    struct finding *f;
    size_t n, i, from;

    if (line == NULL) {
        if (optional)
            return;
        f = report(d, LV_ERROR, "nsswitch", host,
                   "no %s: line: glibc uses files alone, eksauth users are unknown", db);
        set_fix(d, f, "add the line \"%s: files eksauth\" to %s", db, host);
        return;
    }
    /* The services start after "db:" (and the blanks before it). */
    from = strspn(line, " \t") + strlen(db) + 1;
    at(where, host, lineno);
    n = nss_tokens(line, from, t, NSS_TOKS);
    for (i = 0; i < n; i++) {
        if (ie < 0 && tok_is(line, &t[i], "eksauth"))
            ie = (ssize_t)i;
        if (ifl < 0 && (tok_is(line, &t[i], "files") || tok_is(line, &t[i], "compat")))
            ifl = (ssize_t)i;
    }
    nss_fixed_line(line, from, fixed, sizeof(fixed));
    if (ie < 0) {
        f = report(d, LV_ERROR, "nsswitch", where, "%s: does not list eksauth: %s", db,
                   strcmp(db, "passwd") == 0
                       ? "getpwnam cannot find eksauth users (sshd logs \"Invalid user\")"
                       : "eksauth users get none of their groups");
        set_fix(d, f, "change line %u of %s to: %s", lineno, host, fixed);
        return;
    }
    if (ifl < 0 || ifl > ie) {
        f = report(d, LV_ERROR, "nsswitch", where,
                   "%s: eksauth comes before files: local accounts must be found first (they "
                   "are the break-glass path, and eksauth refuses their names)",
                   db);
        set_fix(d, f, "change line %u of %s to: %s", lineno, host, fixed);
        return;
    }
    for (i = (size_t)ifl + 1; i < (size_t)ie; i++) {
        if (t[i].action && strncasecmp(line + t[i].start, "[NOTFOUND=return]", t[i].len) == 0) {
            f = report(d, LV_ERROR, "nsswitch", where,
                       "%s: [NOTFOUND=return] ends the lookup before eksauth is asked", db);
            set_fix(d, f, "remove [NOTFOUND=return] from line %u of %s", lineno, host);
            return;
        }
    }
    report(d, LV_OK, "nsswitch", where, "%s: eksauth comes after files", db);
}

static void check_nsswitch(struct doctor *d)
{
    static const char *const dbs[] = {"passwd", "group", "initgroups"};
    const char *host = "/etc/nsswitch.conf";
    char *found[3] = {NULL, NULL, NULL};
    unsigned nos[3] = {0, 0, 0};
    struct finding *f;
    struct lines l;
    char *text, *line, *s;
    size_t len, i;
    int rc;

    rc = slurp(d, host, &text, &len);
    if (rc != 0) {
        f = report(d, LV_ERROR, "nsswitch", host, "%s: eksauth users are unknown to glibc",
                   strerror(rc));
        set_fix(d, f,
                "write %s with the lines \"passwd: files eksauth\" and \"group: files eksauth\"",
                host);
        return;
    }
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL) {
        s = skip_blank(line);
        for (i = 0; i < 3; i++) {
            size_t n = strlen(dbs[i]);

            if (found[i] == NULL && strncmp(s, dbs[i], n) == 0 && s[n] == ':') {
                found[i] = line;
                nos[i] = l.no;
            }
        }
    }
    for (i = 0; i < 3; i++)
        check_nss_line(d, host, dbs[i], found[i], nos[i], i == 2);
    free(text);
}

/* ------------------------------------------------------------------ PAM */

struct pam_entry {
    char *where;   /* host path:line */
    char type[16]; /* auth, account, session, password */
    char *control;
    char *module; /* as written */
    char *args;
};

struct pam_stack {
    struct pam_entry *v;
    size_t n;
    bool found; /* the service file itself exists */
};

static void pam_stack_free(struct pam_stack *st)
{
    size_t i;

    for (i = 0; i < st->n; i++) {
        free(st->v[i].where);
        free(st->v[i].control);
        free(st->v[i].module);
        free(st->v[i].args);
    }
    free(st->v);
    memset(st, 0, sizeof(*st));
}

static bool pam_add(struct doctor *d, struct pam_stack *st, const char *where, const char *type,
                    const char *control, const char *module, const char *args)
{
    struct pam_entry *grown, *e;

    grown = realloc(st->v, (st->n + 1) * sizeof(*grown));
    if (grown == NULL)
        goto nomem;
    st->v = grown;
    e = &grown[st->n];
    memset(e, 0, sizeof(*e));
    fmt(e->type, sizeof(e->type), "%s", type);
    e->where = strdup(where);
    e->control = strdup(control);
    e->module = strdup(module);
    e->args = strdup(args);
    st->n++;
    if (e->where == NULL || e->control == NULL || e->module == NULL || e->args == NULL)
        goto nomem;
    return true;
nomem:
    d->nomem = true;
    return false;
}

/*
 * Read the service's file, following "@include X" and "include"/"substack"
 * controls into /etc/pam.d/X, into one flat list in the order libpam runs
 * it.  only_type: keep that type alone (an include control), or NULL.
 */
static void pam_read(struct doctor *d, const char *service, const char *only_type, int depth,
                     struct pam_stack *st)
{
    char host[PATH_MAX], where[WHERE_MAX], ctl[256];
    struct finding *f;
    struct lines l;
    char *text, *line, *s, *type, *module, *hash;
    size_t len;
    int rc;

    if (service[0] == '/')
        fmt(host, sizeof(host), "%s", service);
    else
        fmt(host, sizeof(host), "/etc/pam.d/%s", service);
    rc = slurp(d, host, &text, &len);
    if (rc != 0) {
        if (depth > 0) {
            f = report(d, LV_WARNING, "pam", host, "included, but %s", strerror(rc));
            set_fix(d, f, "restore %s (pam-auth-update --force writes the common-* files)", host);
        }
        return;
    }
    if (depth == 0)
        st->found = true;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL && !d->nomem) {
        hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        s = skip_blank(line);
        if (*s == '\0')
            continue;
        at(where, host, l.no);
        type = next_word(&s);
        if (strcmp(type, "@include") == 0) {
            module = next_word(&s);
            if (module != NULL && depth < INCLUDE_DEPTH)
                pam_read(d, module, only_type, depth + 1, st);
            continue;
        }
        if (type[0] == '-')
            type++;
        s = skip_blank(s);
        if (*s == '[') {
            char *end = strchr(s, ']');

            if (end == NULL)
                continue;
            fmt(ctl, sizeof(ctl), "%.*s", (int)(end - s + 1), s);
            s = end + 1;
        } else {
            char *w = next_word(&s);

            if (w == NULL)
                continue;
            fmt(ctl, sizeof(ctl), "%s", w);
        }
        module = next_word(&s);
        if (module == NULL)
            continue;
        if (only_type != NULL && strcmp(type, only_type) != 0)
            continue;
        if (strcmp(ctl, "include") == 0 || strcmp(ctl, "substack") == 0) {
            if (depth < INCLUDE_DEPTH)
                pam_read(d, module, type, depth + 1, st);
            continue;
        }
        pam_add(d, st, where, type, ctl, base_name(module), skip_blank(s));
    }
    free(text);
}

enum act { ACT_IGNORE, ACT_OK, ACT_DONE, ACT_BAD, ACT_DIE, ACT_RESET, ACT_JUMP };

static enum act act_word(const char *v, size_t n)
{
    static const struct {
        const char *word;
        enum act act;
    } words[] = {
        {"ignore", ACT_IGNORE}, {"ok", ACT_OK},   {"done", ACT_DONE},
        {"bad", ACT_BAD},       {"die", ACT_DIE}, {"reset", ACT_RESET},
    };
    size_t i;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i].word) == n && strncmp(v, words[i].word, n) == 0)
            return words[i].act;
    return n > 0 && v[0] >= '0' && v[0] <= '9' ? ACT_JUMP : ACT_BAD;
}

/*
 * What libpam does with the return value ret (a pam.conf(5) name such as
 * "success", "user_unknown", "ignore") under control, keyword or
 * [value=action ...] (an unlisted value takes default=, else bad).
 */
static enum act pam_action(const char *control, const char *ret)
{
    const char *p, *eq, *end;
    enum act dflt = ACT_BAD;
    bool success = strcmp(ret, "success") == 0, ignore = strcmp(ret, "ignore") == 0;
    size_t rlen = strlen(ret);

    if (strcmp(control, "required") == 0)
        return success ? ACT_OK : ignore ? ACT_IGNORE : ACT_BAD;
    if (strcmp(control, "requisite") == 0)
        return success ? ACT_OK : ignore ? ACT_IGNORE : ACT_DIE;
    if (strcmp(control, "sufficient") == 0)
        return success ? ACT_DONE : ACT_IGNORE;
    if (strcmp(control, "optional") == 0)
        return success ? ACT_OK : ACT_IGNORE;
    if (control[0] != '[')
        return ACT_BAD;
    for (p = control + 1; *p != '\0' && *p != ']';) {
        while (is_blank(*p))
            p++;
        for (end = p; *end != '\0' && *end != ']' && !is_blank(*end); end++)
            ;
        eq = memchr(p, '=', (size_t)(end - p));
        if (eq != NULL) {
            size_t klen = (size_t)(eq - p);

            if (klen == rlen && strncasecmp(p, ret, klen) == 0)
                return act_word(eq + 1, (size_t)(end - eq - 1));
            if (klen == 7 && strncasecmp(p, "default", 7) == 0)
                dflt = act_word(eq + 1, (size_t)(end - eq - 1));
        }
        p = end;
    }
    return dflt;
}

static bool ends_stack(enum act a)
{
    return a == ACT_DONE || a == ACT_JUMP;
}

/* The first entry of type with module name, after index from; -1 when none. */
static ssize_t pam_find(const struct pam_stack *st, const char *type, const char *module,
                        size_t from)
{
    size_t i;

    for (i = from; i < st->n; i++)
        if (strcmp(st->v[i].type, type) == 0 && strcmp(st->v[i].module, module) == 0)
            return (ssize_t)i;
    return -1;
}

/* What pam_eksauth returns for a user it does not serve, under its options. */
static const char *local_return(const struct pam_entry *e)
{
    return has_word(e->args, "ignore_unknown_user") ? "ignore" : "user_unknown";
}

static void pam_check_auth(struct doctor *d, const char *service, const struct pam_stack *st,
                           enum level missing)
{
    char host[PATH_MAX];
    const struct pam_entry *e;
    struct finding *f;
    ssize_t ie, iu;
    bool ok = true;

    fmt(host, sizeof(host), "/etc/pam.d/%s", service);
    ie = pam_find(st, "auth", "pam_eksauth.so", 0);
    if (ie < 0) {
        f = report(d, missing, "pam", host,
                   "no auth line with pam_eksauth: %s never asks for a token", service);
        set_fix(d, f, "add the line \"%s\" above \"@include common-auth\" in %s", PAM_AUTH_LINE,
                host);
        return;
    }
    e = &st->v[ie];
    /* A local account must pass pam_eksauth untouched: that is the break-glass path. */
    if (pam_action(e->control, local_return(e)) != ACT_IGNORE) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "auth: local accounts (root too) are refused at pam_eksauth: its answer for a "
                   "user it does not serve is not ignored");
        set_fix(d, f, "make the line \"%s\"", PAM_AUTH_LINE);
        ok = false;
    }
    iu = pam_find(st, "auth", "pam_unix.so", 0);
    if (iu >= 0 && iu < ie) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "auth: pam_eksauth comes after pam_unix (%s): common-auth ends in pam_deny, so "
                   "eksauth users never get the token prompt",
                   st->v[iu].where);
        set_fix(d, f, "move the pam_eksauth auth line above \"@include common-auth\" in %s", host);
        ok = false;
    } else if (iu < 0) {
        f = report(d, LV_ERROR, "pam", host,
                   "auth: no local path after pam_eksauth (no pam_unix): root and local accounts "
                   "cannot log in, not even when STS or eksauth is down");
        set_fix(d, f, "add \"@include common-auth\" below the pam_eksauth auth line in %s", host);
        ok = false;
    } else if (!ends_stack(pam_action(e->control, "success"))) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "auth: a valid token does not end the stack: pam_unix then refuses eksauth "
                   "users (they have no password)");
        set_fix(d, f, "make the line \"%s\"", PAM_AUTH_LINE);
        ok = false;
    }
    if (ok)
        report(d, LV_OK, "pam", e->where,
               "auth: pam_eksauth before the local modules; local accounts pass through");
}

static void pam_check_account(struct doctor *d, const char *host, const struct pam_stack *st)
{
    const struct pam_entry *e;
    struct finding *f;
    ssize_t ie;
    enum act a;
    bool ok = true;

    ie = pam_find(st, "account", "pam_eksauth.so", 0);
    if (ie < 0) {
        f = report(d, LV_ERROR, "pam", host,
                   "no account line with pam_eksauth: a role removed from aws-auth keeps logging "
                   "in where no token is asked (public keys)");
        set_fix(d, f, "add the line \"%s\" above \"@include common-account\" in %s",
                PAM_ACCOUNT_LINE, host);
        return;
    }
    e = &st->v[ie];
    a = pam_action(e->control, "perm_denied");
    if (a == ACT_IGNORE || a == ACT_RESET) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "account: pam_eksauth's refusal is ignored (%s): revocation is not enforced",
                   e->control);
        set_fix(d, f, "make the line \"%s\"", PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (pam_action(e->control, local_return(e)) != ACT_IGNORE) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "account: local accounts (root too) are refused at pam_eksauth");
        set_fix(d, f, "make the line \"%s\"", PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (ok)
        report(d, LV_OK, "pam", e->where, "account: pam_eksauth enforces the current aws-auth");
}

static void check_pam_sshd(struct doctor *d)
{
    const char *host = "/etc/pam.d/sshd";
    struct pam_stack st = {NULL, 0, false};
    struct finding *f;
    ssize_t is;

    pam_read(d, "sshd", NULL, 0, &st);
    if (!st.found) {
        f = report(d, LV_ERROR, "pam", host, "missing: sshd has no PAM service");
        set_fix(d, f, "install -m 0644 %s/pam.d/sshd %s", EXAMPLES, host);
        goto out;
    }
    pam_check_auth(d, "sshd", &st, LV_ERROR);
    pam_check_account(d, host, &st);
    is = pam_find(&st, "session", "pam_eksauth.so", 0);
    if (is < 0) {
        f = report(d, LV_ERROR, "pam", host,
                   "no session line with pam_eksauth: sessions get no EKS_* environment and no "
                   "audit line");
        set_fix(d, f, "add the line \"%s\" below \"@include common-session\" in %s",
                PAM_SESSION_LINE, host);
    } else {
        report(d, LV_OK, "pam", st.v[is].where, "session: pam_eksauth sets EKS_* and audits");
    }
out:
    pam_stack_free(&st);
}

/* ---------------------------------------------------------- sshd_config */

struct sshd_value {
    char *value;
    char *where;
};

enum { SSHD_USEPAM, SSHD_KBDINT, SSHD_PASSWORD, SSHD_METHODS, SSHD_N };

struct sshd_conf {
    struct sshd_value v[SSHD_N];
    bool in_match;
    bool found;
};

static int sshd_keyword(const char *kw)
{
    if (strcasecmp(kw, "usepam") == 0)
        return SSHD_USEPAM;
    if (strcasecmp(kw, "kbdinteractiveauthentication") == 0 ||
        strcasecmp(kw, "challengeresponseauthentication") == 0)
        return SSHD_KBDINT;
    if (strcasecmp(kw, "passwordauthentication") == 0)
        return SSHD_PASSWORD;
    if (strcasecmp(kw, "authenticationmethods") == 0)
        return SSHD_METHODS;
    return -1;
}

static void sshd_read(struct doctor *d, const char *host, int depth, struct sshd_conf *c);

/* "Include" arguments: globs, relative to /etc/ssh, in sorted order. */
static void sshd_include(struct doctor *d, char *args, int depth, struct sshd_conf *c)
{
    char pattern[PATH_MAX], real[PATH_MAX];
    char *w;
    glob_t g;
    size_t i;

    while ((w = next_word(&args)) != NULL) {
        if (w[0] == '/')
            fmt(pattern, sizeof(pattern), "%s", w);
        else
            fmt(pattern, sizeof(pattern), "/etc/ssh/%s", w);
        memset(&g, 0, sizeof(g));
        if (glob(rooted(d, pattern, real), 0, NULL, &g) == 0) {
            for (i = 0; i < g.gl_pathc; i++)
                sshd_read(d, unrooted(d, g.gl_pathv[i]), depth + 1, c);
        }
        globfree(&g);
    }
}

/* sshd takes the first value of a keyword; a Match block holds the rest of the file. */
static void sshd_read(struct doctor *d, const char *host, int depth, struct sshd_conf *c)
{
    char where[WHERE_MAX];
    struct lines l;
    char *text, *line, *s, *kw, *hash;
    size_t len, n;
    int k;

    if (depth > INCLUDE_DEPTH || slurp(d, host, &text, &len) != 0)
        return;
    if (depth == 0)
        c->found = true;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL && !d->nomem) {
        s = skip_blank(line);
        if (*s == '#' || *s == '\0')
            continue;
        hash = strstr(s, " #");
        if (hash != NULL)
            *hash = '\0';
        n = strcspn(s, " \t=");
        kw = s;
        s += n;
        if (*s != '\0')
            *s++ = '\0';
        s = skip_blank(s);
        if (*s == '=')
            s = skip_blank(s + 1);
        for (n = strlen(s); n > 0 && is_blank(s[n - 1]); n--)
            s[n - 1] = '\0';
        if (strcasecmp(kw, "match") == 0) {
            c->in_match = true;
            continue;
        }
        if (strcasecmp(kw, "include") == 0) {
            sshd_include(d, s, depth, c);
            continue;
        }
        k = sshd_keyword(kw);
        if (k < 0 || c->in_match || c->v[k].value != NULL)
            continue;
        c->v[k].value = strdup(s);
        c->v[k].where = strdup(at(where, host, l.no));
        if (c->v[k].value == NULL || c->v[k].where == NULL)
            d->nomem = true;
    }
    free(text);
}

static bool sshd_yes(const struct sshd_value *v, bool dflt)
{
    return v->value == NULL ? dflt : strcasecmp(v->value, "yes") == 0;
}

/* "change /etc/ssh/sshd_config:12 to 'KbdInteractiveAuthentication yes'" or "add ...". */
static void sshd_fix(struct doctor *d, struct finding *f, const struct sshd_value *v,
                     const char *want)
{
    if (v->value != NULL)
        set_fix(d, f, "change %s to \"%s\", then systemctl reload ssh", v->where, want);
    else
        set_fix(d, f,
                "add \"%s\" to /etc/ssh/sshd_config (above any Match line), then systemctl "
                "reload ssh",
                want);
}

static void check_sshd(struct doctor *d)
{
    const char *host = "/etc/ssh/sshd_config";
    struct sshd_conf c;
    struct sshd_value *v;
    struct finding *f;
    size_t i;

    memset(&c, 0, sizeof(c));
    sshd_read(d, host, 0, &c);
    if (!c.found) {
        f = report(d, LV_WARNING, "sshd", host,
                   "missing: no sshd here, so no ssh logins through eksauth");
        set_fix(d, f, "apt install openssh-server, if this host takes ssh logins");
        goto out;
    }
    v = &c.v[SSHD_USEPAM];
    if (!sshd_yes(v, false)) {
        f = report(d, LV_ERROR, "sshd", v->where != NULL ? v->where : host,
                   "UsePAM is %s: sshd never calls pam_eksauth",
                   v->value != NULL ? v->value : "not set (default no)");
        sshd_fix(d, f, v, "UsePAM yes");
    } else {
        report(d, LV_OK, "sshd", v->where, "UsePAM yes");
    }
    v = &c.v[SSHD_KBDINT];
    if (!sshd_yes(v, true)) {
        f = report(d, LV_ERROR, "sshd", v->where,
                   "KbdInteractiveAuthentication is %s: tokens (1.5-2.5 KB) only pass as "
                   "keyboard-interactive answers",
                   v->value);
        sshd_fix(d, f, v, "KbdInteractiveAuthentication yes");
    } else {
        report(d, LV_OK, "sshd", v->where != NULL ? v->where : host,
               "KbdInteractiveAuthentication yes%s", v->value == NULL ? " (default)" : "");
    }
    v = &c.v[SSHD_PASSWORD];
    if (sshd_yes(v, true)) {
        f = report(d, LV_WARNING, "sshd", v->where != NULL ? v->where : host,
                   "PasswordAuthentication is yes%s: sshd's password method drops passwords "
                   "over 1024 bytes and the ssh client cuts answers at 1023, so a token typed "
                   "there fails",
                   v->value == NULL ? " (default)" : "");
        set_fix(d, f,
                "eksauth users connect with \"eksauth ssh\" (keyboard-interactive); set "
                "\"PasswordAuthentication no\" if no local account logs in with a password");
    }
    v = &c.v[SSHD_METHODS];
    if (v->value != NULL && strcasecmp(v->value, "any") != 0 &&
        strstr(v->value, "keyboard-interactive") == NULL) {
        f = report(d, LV_ERROR, "sshd", v->where,
                   "AuthenticationMethods %s allows no keyboard-interactive: no token is asked",
                   v->value);
        set_fix(d, f,
                "add keyboard-interactive to AuthenticationMethods at %s (e.g. \"%s "
                "keyboard-interactive\"), then systemctl reload ssh",
                v->where, v->value);
    }
out:
    for (i = 0; i < SSHD_N; i++) {
        free(c.v[i].value);
        free(c.v[i].where);
    }
}

/* -------------------------------------------------------------- sudoers */

struct group_ref {
    char *name;
    char *where;
};

struct sudo_scan {
    struct group_ref *refs;
    size_t n;
    bool asks_password; /* a rule for one of them runs without NOPASSWD */
};

static void sudo_add_ref(struct doctor *d, struct sudo_scan *sc, const char *name, size_t len,
                         const char *where)
{
    struct group_ref *grown;

    grown = realloc(sc->refs, (sc->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        d->nomem = true;
        return;
    }
    sc->refs = grown;
    grown[sc->n].name = strndup(name, len);
    grown[sc->n].where = strdup(where);
    if (grown[sc->n].name == NULL || grown[sc->n].where == NULL)
        d->nomem = true;
    sc->n++;
}

static bool sudo_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/* The %group names of one sudoers line that start with the group prefix. */
static void sudo_scan_line(struct doctor *d, const char *s, const char *where, struct sudo_scan *sc)
{
    const char *prefix = d->cfg.group_prefix != NULL ? d->cfg.group_prefix : "eks-";
    /* A rule (not Defaults, not an alias) without NOPASSWD asks for a password. */
    bool rule = strncmp(s, "Defaults", 8) != 0 && strstr(s, "_Alias") == NULL &&
                strstr(s, "NOPASSWD") == NULL;
    char name[256];
    size_t i, n;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] != '%' || (i > 0 && strchr(" \t,=!:(", s[i - 1]) == NULL))
            continue;
        /* %:group is a non-Unix group, %#gid a number: neither is ours. */
        if (s[i + 1] == ':' || s[i + 1] == '#')
            continue;
        n = 0;
        for (i++; s[i] != '\0' && n < sizeof(name) - 1; i++) {
            if (s[i] == '\\' && s[i + 1] != '\0')
                name[n++] = s[++i];
            else if (s[i] == '"')
                continue;
            else if (sudo_name_char(s[i]))
                name[n++] = s[i];
            else
                break;
        }
        name[n] = '\0';
        if (strncmp(name, prefix, strlen(prefix)) == 0) {
            sudo_add_ref(d, sc, name, n, where);
            sc->asks_password = sc->asks_password || rule;
        }
        if (s[i] == '\0')
            break;
    }
}

static void sudo_read(struct doctor *d, const char *host, int depth, struct sudo_scan *sc);

/* sudo reads the files of an includedir in order and skips names with '.' or a final '~'. */
static void sudo_includedir(struct doctor *d, const char *dir, int depth, struct sudo_scan *sc)
{
    char real[PATH_MAX], path[PATH_MAX];
    struct dirent **names = NULL;
    struct finding *f;
    int n, i;
    size_t j, len;

    n = scandir(rooted(d, dir, real), &names, NULL, alphasort);
    for (i = 0; i < n; i++) {
        const char *name = names[i]->d_name;

        len = strlen(name);
        fmt(path, sizeof(path), "%s/%s", dir, name);
        if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
            goto next;
        if (strchr(name, '.') != NULL || name[len - 1] == '~') {
            struct sudo_scan ignored = {NULL, 0, false};

            sudo_read(d, path, depth + 1, &ignored);
            if (ignored.n > 0) {
                f = report(d, LV_WARNING, "sudoers", path,
                           "sudo ignores this file (its name has a '.' or ends in '~'), so its "
                           "rules for %%%s never apply",
                           ignored.refs[0].name);
                set_fix(d, f, "rename it to a name without '.' or '~' (e.g. %s/eksauth)", dir);
            }
            for (j = 0; j < ignored.n; j++) {
                free(ignored.refs[j].name);
                free(ignored.refs[j].where);
            }
            free(ignored.refs);
            goto next;
        }
        sudo_read(d, path, depth + 1, sc);
    next:
        free(names[i]);
    }
    free(names);
}

static void sudo_read(struct doctor *d, const char *host, int depth, struct sudo_scan *sc)
{
    char where[WHERE_MAX], dir[PATH_MAX], target[PATH_MAX];
    struct lines l;
    char *text, *line, *s, *w;
    size_t len, n;

    if (depth > INCLUDE_DEPTH || slurp(d, host, &text, &len) != 0)
        return;
    fmt(dir, sizeof(dir), "%s", host);
    if (strrchr(dir, '/') != NULL)
        *strrchr(dir, '/') = '\0';
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL && !d->nomem) {
        unsigned no = l.no;

        s = skip_blank(line);
        if (strncmp(s, "@include", 8) == 0 || strncmp(s, "#include", 8) == 0) {
            bool isdir = strncmp(s + 8, "dir", 3) == 0;

            s += isdir ? 11 : 8;
            w = next_word(&s);
            if (w == NULL)
                continue;
            if (w[0] == '/')
                fmt(target, sizeof(target), "%s", w);
            else
                fmt(target, sizeof(target), "%s/%s", dir, w);
            if (isdir)
                sudo_includedir(d, target, depth, sc);
            else
                sudo_read(d, target, depth + 1, sc);
            continue;
        }
        if (*s == '#')
            continue;
        /* A trailing comment: '#' after a blank, unless it is a #uid. */
        for (n = 0; s[n] != '\0'; n++) {
            if (s[n] == '#' && n > 0 && is_blank(s[n - 1]) &&
                !(s[n + 1] >= '0' && s[n + 1] <= '9')) {
                s[n] = '\0';
                break;
            }
        }
        sudo_scan_line(d, s, at(where, host, no), sc);
    }
    free(text);
}

static bool local_group_exists(const struct doctor *d, const char *name)
{
    size_t i;

    for (i = 0; i < d->n_local_groups; i++)
        if (strcmp(d->local_groups[i], name) == 0)
            return true;
    return false;
}

static void load_local_groups(struct doctor *d)
{
    struct lines l;
    char *text, *line, *colon, **grown;
    size_t len;

    if (slurp(d, "/etc/group", &text, &len) != 0)
        return;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL) {
        colon = strchr(line, ':');
        if (colon == NULL || colon == line)
            continue;
        grown = realloc(d->local_groups, (d->n_local_groups + 1) * sizeof(*grown));
        if (grown == NULL) {
            d->nomem = true;
            break;
        }
        d->local_groups = grown;
        grown[d->n_local_groups] = strndup(line, (size_t)(colon - line));
        if (grown[d->n_local_groups] == NULL) {
            d->nomem = true;
            break;
        }
        d->n_local_groups++;
    }
    free(text);
}

/* "eks-a, eks-b, ..." of the identity DB, for a fix. */
static void db_group_names(const struct doctor *d, const char *prefix, char *buf, size_t n)
{
    struct eksauth_iddb_group g;
    uint32_t i, count, shown = 0;
    size_t used = 0;

    buf[0] = '\0';
    count = d->db != NULL ? eksauth_iddb_group_count(d->db) : 0;
    for (i = 0; i < count && shown < NAMES_SHOWN; i++) {
        if (eksauth_iddb_group_at(d->db, i, &g) != EKSAUTH_OK ||
            strncmp(g.name, prefix, strlen(prefix)) != 0)
            continue;
        used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", shown ? ", " : "",
                                 g.name);
        shown++;
    }
    if (used >= n && n > 4)
        memcpy(buf + n - 4, "...", 4);
}

static void check_sudoers(struct doctor *d)
{
    const char *prefix = d->cfg.group_prefix != NULL ? d->cfg.group_prefix : "eks-";
    struct sudo_scan sc = {NULL, 0, false};
    struct eksauth_iddb_group g;
    struct pam_stack st = {NULL, 0, false};
    char names[512];
    struct finding *f;
    size_t i, good = 0;

    if (!path_exists(d, "/etc/sudoers")) {
        report(d, LV_INFO, "sudoers", "/etc/sudoers", "missing: sudo is not installed");
        return;
    }
    sudo_read(d, "/etc/sudoers", 0, &sc);
    load_local_groups(d);
    db_group_names(d, prefix, names, sizeof(names));
    for (i = 0; i < sc.n; i++) {
        const char *name = sc.refs[i].name;

        if (local_group_exists(d, name) ||
            (d->db != NULL && eksauth_iddb_group_by_name(d->db, name, &g) == EKSAUTH_OK)) {
            good++;
            continue;
        }
        if (d->db == NULL) {
            f = report(d, LV_WARNING, "sudoers", sc.refs[i].where,
                       "%%%s: cannot tell whether this group exists: the identity DB is unusable",
                       name);
            set_fix(d, f,
                    "make the identity DB usable (see the db findings), then run eksauth "
                    "doctor again");
            continue;
        }
        f = report(d, LV_ERROR, "sudoers", sc.refs[i].where,
                   "%%%s is in neither the identity DB nor /etc/group: the rule applies to "
                   "nobody (no aws-auth group maps to it)",
                   name);
        set_fix(d, f,
                "correct the name at %s (the identity DB's %s groups: %s), or give a role that "
                "Kubernetes group in aws-auth and run eksauth sync",
                sc.refs[i].where, prefix, names[0] != '\0' ? names : "none");
    }
    if (sc.n == 0)
        report(d, LV_INFO, "sudoers", "/etc/sudoers", "no rule names a %s group", prefix);
    else if (good == sc.n)
        report(d, LV_OK, "sudoers", "/etc/sudoers", "%zu rule%s name %s groups, all known", sc.n,
               sc.n == 1 ? "" : "s", prefix);
    if (sc.asks_password) {
        /* eksauth users have no password: sudo must ask pam_eksauth (or be NOPASSWD). */
        pam_read(d, "sudo", NULL, 0, &st);
        if (st.found)
            pam_check_auth(d, "sudo", &st, LV_WARNING);
        pam_stack_free(&st);
    }
    for (i = 0; i < sc.n; i++) {
        free(sc.refs[i].name);
        free(sc.refs[i].where);
    }
    free(sc.refs);
}

/* ---------------------------------------------------------- identity DB */

static void check_db(struct doctor *d)
{
    const char *env = d->root[0] == '\0' ? secure_getenv("EKSAUTH_DB") : NULL;
    const char *host = env != NULL              ? env
                       : d->cfg.db_path != NULL ? d->cfg.db_path
                                                : EKSAUTH_DB_PATH;
    char real[PATH_MAX], dir[PATH_MAX], age[64], msg[EKSAUTH_ERROR_MAX], *p;
    struct eksauth_error err;
    enum eksauth_status st;
    struct finding *f;
    struct stat sb;
    size_t rlen = strlen(d->root);
    uint32_t users, groups, templates;

    rooted(d, host, real);
    fmt(dir, sizeof(dir), "%s", real);
    p = strrchr(dir, '/');
    if (p != NULL && p != dir) {
        *p = '\0';
        check_dir_trusted(d, "db", dir, "whoever can write the folder can replace the identity DB");
    }
    if (stat(real, &sb) != 0) {
        f = report(d, LV_ERROR, "db", host,
                   "%s: NSS serves nobody (sshd logs \"Invalid user\") and PAM refuses every "
                   "eksauth login",
                   strerror(errno));
        set_fix(d, f, "eksauth sync (then systemctl enable --now eksauth-sync.timer)");
        return;
    }
    if ((sb.st_mode & 0444) != 0444) {
        f = report(d, LV_ERROR, "db", host,
                   "not readable by everyone (mode %04o): processes that are not root see no "
                   "eksauth user",
                   (unsigned)(sb.st_mode & 07777));
        set_fix(d, f, "chmod 0644 %s", host);
    }
    st = eksauth_iddb_open(real, &d->db, &err);
    if (st != EKSAUTH_OK) {
        d->db = NULL;
        /* Name the host path, not the one under --root. */
        fmt(msg, sizeof(msg), "%s", err.msg);
        while (rlen > 0 && (p = strstr(msg, d->root)) != NULL)
            memmove(p, p + rlen, strlen(p + rlen) + 1);
        f = report(d, LV_ERROR, "db", host, "%s", msg);
        if (st == EKSAUTH_EREJECTED)
            set_fix(d, f, "chown root:root %s && chmod 0644 %s", host, host);
        else
            set_fix(d, f, "eksauth sync (it rebuilds a damaged DB)");
        return;
    }
    users = eksauth_iddb_user_count(d->db);
    groups = eksauth_iddb_group_count(d->db);
    templates = eksauth_iddb_template_count(d->db);
    format_age((long long)(time(NULL) - sb.st_mtime), age, sizeof(age));
    f = report(d, LV_OK, "db", host,
               "%u users, %u groups, %u templates; generation %llu, written %s", users, groups,
               templates, (unsigned long long)eksauth_iddb_generation(d->db), age);
    if (f != NULL)
        f->age_seconds = (long long)(time(NULL) - sb.st_mtime);
    if (users == 0 && templates == 0) {
        f = report(d, LV_WARNING, "db", host, "empty: nobody can log in through eksauth");
        set_fix(d, f, "check aws-auth (eksauth sync prints what it skipped, and why)");
    }
}

static void check_sync_enabled(struct doctor *d)
{
    static const char *const links[] = {
        "/etc/systemd/system/timers.target.wants/eksauth-sync.timer",
        "/etc/systemd/system/multi-user.target.wants/eksauth-watch.service",
    };
    struct finding *f;
    size_t i;

    for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        if (path_exists(d, links[i])) {
            report(d, LV_OK, "sync", links[i], "%s is enabled", base_name(links[i]));
            return;
        }
    }
    f = report(d, LV_WARNING, "sync", NULL,
               "neither eksauth-sync.timer nor eksauth-watch.service is enabled: changes to "
               "aws-auth (revocations too) reach this host only when someone runs eksauth sync");
    set_fix(d, f, "systemctl enable --now eksauth-sync.timer");
}

/* -------------------------------------------------------------- network */

static size_t discard(char *data, size_t size, size_t n, void *ctx)
{
    (void)data;
    (void)ctx;
    return size * n;
}

/*
 * One HTTPS GET: any HTTP answer means the service is reachable over a TLS
 * connection we trust.  ca_file is a host path (read under --root), ca_pem a
 * certificate in memory; proxies from the config only.
 */
static void reach(struct doctor *d, const char *what, const char *url, const char *ca_file,
                  const char *ca_pem, size_t ca_len, bool use_connect_to, const char *fix)
{
    char errbuf[CURL_ERROR_SIZE] = "", real[PATH_MAX];
    struct curl_slist *connect_to = NULL;
    struct curl_blob blob;
    struct finding *f;
    CURLcode rc;
    long code = 0;
    curl_off_t usecs = 0;
    CURL *c;

    c = curl_easy_init();
    if (c == NULL) {
        d->nomem = true;
        return;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, d->cfg.sts_connect_timeout);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, d->cfg.sts_timeout);
    curl_easy_setopt(c, CURLOPT_PROXY, d->cfg.https_proxy != NULL ? d->cfg.https_proxy : "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (ca_file != NULL)
        curl_easy_setopt(c, CURLOPT_CAINFO, rooted(d, ca_file, real));
    if (ca_pem != NULL) {
        blob = (struct curl_blob){(void *)ca_pem, ca_len, CURL_BLOB_COPY};
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (use_connect_to && d->cfg.sts_connect_to != NULL) {
        connect_to = curl_slist_append(NULL, d->cfg.sts_connect_to);
        curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to);
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &usecs);
    if (rc == CURLE_OK && code > 0) {
        report(d, LV_OK, "network", url, "%s answers (HTTP %ld in %.2f s)", what, code,
               (double)usecs / 1e6);
    } else {
        f = report(d, LV_ERROR, "network", url, "%s does not answer: %s", what,
                   errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
        set_fix(d, f, "%s", fix);
    }
    curl_slist_free_all(connect_to);
    curl_easy_cleanup(c);
}

static void check_network(struct doctor *d)
{
    const struct eksauth_partition *part = eksauth_partition_find(d->cfg.partition);
    enum eksauth_source src = d->cfg.source;
    char url[1024], fix[1024];
    unsigned char *pem = NULL;
    int len;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        report(d, LV_ERROR, "network", NULL, "libcurl could not start");
        return;
    }
    if (part == NULL)
        goto out;
    if (d->cfg.region != NULL)
        fmt(url, sizeof(url), "https://sts.%s.%s/", d->cfg.region, part->domain);
    else if (part->global_sts)
        fmt(url, sizeof(url), "https://sts.%s/", part->domain);
    else
        fmt(url, sizeof(url), "https://sts.%s.%s/", "REGION", part->domain);
    fmt(fix, sizeof(fix),
        "check DNS, routes and security groups to port 443 (a proxy: https_proxy; a VPC "
        "endpoint without private DNS: sts_connect_to) in %s",
        d->conf_host);
    reach(d, "STS", url, d->cfg.sts_ca_file, NULL, 0, true, fix);

    if ((src == EKSAUTH_SOURCE_KUBERNETES || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API) &&
        d->cfg.cluster_endpoint != NULL) {
        if (d->cfg.cluster_ca_data != NULL) {
            size_t n = strlen(d->cfg.cluster_ca_data);

            pem = malloc(n / 4 * 3 + 4);
            if (pem == NULL) {
                d->nomem = true;
                goto out;
            }
            len = EVP_DecodeBlock(pem, (const unsigned char *)d->cfg.cluster_ca_data, (int)n);
            /* EVP_DecodeBlock counts the bytes of the '=' padding too. */
            while (len > 0 && n > 0 && d->cfg.cluster_ca_data[n - 1] == '=') {
                len--;
                n--;
            }
            if (len < 0)
                len = 0;
        }
        fmt(url, sizeof(url), "%s%sversion", d->cfg.cluster_endpoint,
            d->cfg.cluster_endpoint[strlen(d->cfg.cluster_endpoint) - 1] == '/' ? "" : "/");
        fmt(fix, sizeof(fix),
            "check cluster_endpoint and the cluster CA in %s, and that the cluster's "
            "endpoint access (public or private) admits this host",
            d->conf_host);
        reach(d, "the Kubernetes API", url, d->cfg.cluster_ca_file, (const char *)pem,
              pem != NULL ? (size_t)len : 0, false, fix);
    }
    if ((src == EKSAUTH_SOURCE_EKS_API || src == EKSAUTH_SOURCE_KUBERNETES_EKS_API) &&
        d->cfg.region != NULL) {
        fmt(url, sizeof(url), "https://eks.%s.%s/", d->cfg.region, part->domain);
        fmt(fix, sizeof(fix), "check DNS, routes and proxy (https_proxy in %s) to the EKS API",
            d->conf_host);
        reach(d, "the EKS API", url, NULL, NULL, 0, false, fix);
    }
out:
    free(pem);
    curl_global_cleanup();
}

/* --------------------------------------------------------------- output */

static const char *level_name(enum level lv)
{
    static const char *const names[] = {"ok", "info", "warning", "error"};

    return names[lv];
}

static int print_text(const struct doctor *d, size_t errors, size_t warnings)
{
    static const char *const tags[] = {"ok", "info", "WARNING", "ERROR"};
    const struct finding *f;
    size_t i;

    printf("eksauth doctor: %s%s\n", d->root[0] != '\0' ? d->root : "this host",
           d->network ? " (with --network)" : "");
    for (i = 0; i < d->n_findings; i++) {
        f = &d->findings[i];
        printf("%-7s %-8s %s%s%s\n", tags[f->level], f->check, f->where != NULL ? f->where : "",
               f->where != NULL ? ": " : "", f->problem);
        if (f->fix != NULL)
            printf("%-16s fix: %s\n", "", f->fix);
    }
    printf("%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s", warnings,
           warnings == 1 ? "" : "s");
    return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

static int print_json(const struct doctor *d, size_t errors, size_t warnings)
{
    struct json_object *top = json_object_new_object(), *list = json_object_new_array(), *o;
    const struct finding *f;
    size_t i;
    int rc;

    json_object_object_add(top, "root", json_object_new_string(d->root[0] != '\0' ? d->root : "/"));
    json_object_object_add(top, "network", json_object_new_boolean(d->network));
    json_object_object_add(top, "ok", json_object_new_boolean(errors == 0));
    json_object_object_add(top, "errors", json_object_new_int64((int64_t)errors));
    json_object_object_add(top, "warnings", json_object_new_int64((int64_t)warnings));
    for (i = 0; i < d->n_findings; i++) {
        f = &d->findings[i];
        o = json_object_new_object();
        json_object_object_add(o, "level", json_object_new_string(level_name(f->level)));
        json_object_object_add(o, "check", json_object_new_string(f->check));
        json_object_object_add(o, "where",
                               f->where != NULL ? json_object_new_string(f->where) : NULL);
        json_object_object_add(o, "problem", json_object_new_string(f->problem));
        json_object_object_add(o, "fix", f->fix != NULL ? json_object_new_string(f->fix) : NULL);
        if (f->age_seconds >= 0)
            json_object_object_add(o, "age_seconds", json_object_new_int64(f->age_seconds));
        json_object_array_add(list, o);
    }
    json_object_object_add(top, "findings", list);
    rc = cli_print_json(top);
    json_object_put(top);
    return rc;
}

/* ----------------------------------------------------------------- main */

static void usage(FILE *out)
{
    fprintf(out, "usage: eksauth doctor [--network] [--json] [--root DIR]\n"
                 "  check this host's eksauth setup; print each problem with its fix\n"
                 "  --network   also check that STS and the sync source answer\n"
                 "  --json      findings as JSON\n"
                 "  --root DIR  read the host's files under DIR\n"
                 "exit: 0 no error (warnings allowed), 1 errors found, 2 usage\n");
}

static int parse_args(struct doctor *d, int argc, char **argv, bool *json)
{
    const char *root = NULL;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--network") == 0) {
            d->network = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            *json = true;
        } else if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) {
            root = argv[++i];
        } else if (strncmp(argv[i], "--root=", 7) == 0) {
            root = argv[i] + 7;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            cli_error("usage", "doctor: unknown argument '%s'", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (root != NULL) {
        if (realpath(root, d->root) == NULL) {
            cli_error("doctor", "--root %s: %s", root, strerror(errno));
            return EXIT_USAGE;
        }
        if (strcmp(d->root, "/") == 0)
            d->root[0] = '\0';
    }
    return -1;
}

int cmd_doctor(struct eksauth_cli *cli, int argc, char **argv)
{
    struct eksauth_error err;
    struct doctor d;
    size_t i, errors = 0, warnings = 0;
    bool json = false;
    int rc;

    memset(&d, 0, sizeof(d));
    d.cli = cli;
    rc = parse_args(&d, argc, argv, &json);
    if (rc >= 0)
        return rc;
    rc = EXIT_USAGE;
    if (eksauth_config_init(&d.cfg, &err) != EKSAUTH_OK) {
        cli_fail("doctor", &err);
        goto out;
    }
    d.cfg_init = true;

    check_config_file(&d);
    if (d.cfg_usable)
        check_source(&d);
    check_modules(&d);
    check_nsswitch(&d);
    check_pam_sshd(&d);
    check_sshd(&d);
    check_db(&d);
    check_sync_enabled(&d);
    check_sudoers(&d);
    if (d.network)
        check_network(&d);
    if (d.nomem) {
        cli_error("doctor", "out of memory");
        goto out;
    }
    for (i = 0; i < d.n_findings; i++) {
        errors += d.findings[i].level == LV_ERROR;
        warnings += d.findings[i].level == LV_WARNING;
    }
    rc = json ? print_json(&d, errors, warnings) : print_text(&d, errors, warnings);
    if (rc == 0)
        rc = errors > 0 ? EXIT_REJECTED : 0;
out:
    for (i = 0; i < d.n_findings; i++) {
        free(d.findings[i].where);
        free(d.findings[i].problem);
        free(d.findings[i].fix);
    }
    free(d.findings);
    for (i = 0; i < d.n_local_groups; i++)
        free(d.local_groups[i]);
    free(d.local_groups);
    if (d.db != NULL)
        eksauth_iddb_close(d.db);
    if (d.cfg_init)
        eksauth_config_free(&d.cfg);
    return rc;
}
