/*
 * sshd.c - sshd_config as sshd reads it (the first value of a keyword wins,
 * Include files in order, a Match block holds the rest of its file):
 * UsePAM yes, keyboard-interactive allowed (a token is 1.5-2.5 KB, which
 * only passes as keyboard-interactive answers), and a warning that
 * PasswordAuthentication cuts tokens.
 */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"

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
        c->v[k].where = strdup(at_line(where, host, l.no));
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

void check_sshd(struct doctor *d)
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
