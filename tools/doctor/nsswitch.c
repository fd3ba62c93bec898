/*
 * nsswitch.c - /etc/nsswitch.conf as glibc reads it: eksauth listed after
 * files (or compat) on the passwd: and group: lines, and on initgroups:
 * when there is one, with no [action] in between that ends the lookup at
 * NOTFOUND ([NOTFOUND=return], [!UNAVAIL=return], ...).  Each fix is the
 * line with eksauth where the package's maintainer scripts put it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "doctor.h"
#include "eksauth/setup.h"

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
 * elsewhere is taken out first.  The maintainer scripts do the same, but
 * for an [action] after files that ends the lookup at NOTFOUND: eksauth
 * goes in front of it, where it is asked, as eksauth setup puts it
 * (eksauth_setup_nss_action_stops, lib/setup.c).
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
            if (i + 1 < n && t[i + 1].action &&
                !eksauth_setup_nss_action_stops(tmp + t[i + 1].start, t[i + 1].len))
                ins = t[i + 1].start + t[i + 1].len;
            break;
        }
    }
    if (i == n && n > 0)
        ins = t[n - 1].start + t[n - 1].len;
    fmt(out, outlen, "%.*s eksauth%s", (int)ins, tmp, tmp + ins);
}

/*
 * Services that answer for this host's own accounts only: a name they
 * know is not one a directory (sss, ldap, winbind, nis, ...) hands out.
 */
static bool local_service(const char *line, const struct nss_tok *t)
{
    static const char *const local[] = {"files", "compat",     "systemd",   "altfiles",
                                        "db",    "extrausers", "mymachines"};
    size_t i;

    for (i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
        if (tok_is(line, t, local[i]))
            return true;
    }
    return false;
}

/* Cut t (and the blanks before it) out of tmp, whose services start at from. */
static void cut_tok(char *tmp, size_t from, const struct nss_tok *t)
{
    size_t s = t->start, e = t->start + t->len;

    while (s > from && is_blank(tmp[s - 1]))
        s--;
    memmove(tmp + s, tmp + e, strlen(tmp + e) + 1);
}

/*
 * The passwd: line with eksauth after files and in front of the directory
 * service dir (by name): files moves there too when it came after it.
 */
static void nss_before_directory(const char *line, size_t from, const char *dir, char *out,
                                 size_t outlen)
{
    struct nss_tok t[NSS_TOKS];
    char tmp[1024];
    size_t n, i, k = 0, fl = 0;
    bool files_first;

    fmt(tmp, sizeof(tmp), "%s", line);
    n = nss_tokens(tmp, from, t, NSS_TOKS);
    for (i = n; i-- > 0;) {
        if (tok_is(tmp, &t[i], "eksauth"))
            cut_tok(tmp, from, &t[i]);
    }
    n = nss_tokens(tmp, from, t, NSS_TOKS);
    for (i = 0; i < n; i++) {
        if (tok_is(tmp, &t[i], dir) && k == 0)
            k = i + 1;
        if ((tok_is(tmp, &t[i], "files") || tok_is(tmp, &t[i], "compat")) && fl == 0)
            fl = i + 1;
    }
    if (k == 0 || fl == 0) {
        fmt(out, outlen, "%s", line);
        return;
    }
    files_first = fl < k;
    if (files_first) {
        fmt(out, outlen, "%.*seksauth %s", (int)t[k - 1].start, tmp, tmp + t[k - 1].start);
        return;
    }
    fmt(out, outlen, "%.*s%.*s eksauth %s", (int)t[k - 1].start, tmp, (int)t[fl - 1].len,
        tmp + t[fl - 1].start, tmp + t[k - 1].start);
    /* files now stands in front: its old place goes. */
    n = nss_tokens(out, from, t, NSS_TOKS);
    for (i = n; i-- > 1;) {
        if (tok_is(out, &t[i], "files") || tok_is(out, &t[i], "compat")) {
            cut_tok(out, from, &t[i]);
            break;
        }
    }
}

/*
 * A directory service (sss, ldap, ...) before eksauth on passwd: a name
 * both serve (an aws-auth username, or one a {{SessionName}} template
 * gives, which the person assuming the role chooses) is the directory's
 * account for sshd, so pam_eksauth refuses eksauth's token for it (it would
 * log in to the directory's account): eksauth's user of that name cannot
 * log in.  True when said.
 */
static bool check_directory_first(struct doctor *d, const char *host, const char *line, size_t from,
                                  const struct nss_tok *t, size_t ie, unsigned lineno)
{
    char where[WHERE_MAX], fixed[1200], dir[64];
    struct finding *f;
    size_t i;

    for (i = 0; i < ie; i++) {
        if (!t[i].action && !local_service(line, &t[i]))
            break;
    }
    if (i == ie)
        return false;
    fmt(dir, sizeof(dir), "%.*s", (int)t[i].len, line + t[i].start);
    nss_before_directory(line, from, dir, fixed, sizeof(fixed));
    f = report(d, LV_WARNING, "nsswitch", at_line(where, host, lineno),
               "passwd: %s comes before eksauth: a name both serve (an aws-auth username, or one "
               "a {{SessionName}} template gives) is %s's account for sshd, so pam_eksauth refuses "
               "eksauth's token for it (it would log in to the %s account of that name)",
               dir, dir, dir);
    set_fix(d, f,
            "change line %u of %s to: %s (eksauth after files, before %s; with authselect, in a "
            "custom profile: docs/al2023.md)",
            lineno, host, fixed, dir);
    return true;
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
    at_line(where, host, lineno);
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
        if (t[i].action && eksauth_setup_nss_action_stops(line + t[i].start, t[i].len)) {
            f = report(d, LV_ERROR, "nsswitch", where,
                       "%s: %.*s ends the lookup before eksauth is asked (at NOTFOUND)", db,
                       (int)t[i].len, line + t[i].start);
            set_fix(d, f, "change line %u of %s to: %s (eksauth in front of %.*s)", lineno, host,
                    fixed, (int)t[i].len, line + t[i].start);
            return;
        }
    }
    if (strcmp(db, "passwd") == 0 &&
        check_directory_first(d, host, line, from, t, (size_t)ie, lineno))
        return;
    report(d, LV_OK, "nsswitch", where, "%s: eksauth comes after files", db);
}

/*
 * A subid: line naming a service (FreeIPA's sss): newuidmap asks it for the
 * blocks of subordinate ids instead of /etc/subuid and /etc/subgid, which
 * are all eksauth reads (lib/hostfiles.c), so ids of those blocks may go to
 * eksauth's logins, and their owners act as them (SECURITY.md, known gaps).
 */
static void check_subid_line(struct doctor *d, const char *host, const char *line, unsigned no)
{
    struct nss_tok t[NSS_TOKS];
    char where[WHERE_MAX];
    struct finding *f;
    size_t n, i;

    n = nss_tokens(line, (size_t)(strchr(line, ':') - line) + 1, t, NSS_TOKS);
    for (i = 0; i < n; i++) {
        if (!t[i].action && !tok_is(line, &t[i], "files"))
            break;
    }
    if (i == n)
        return;
    f = report(d, LV_WARNING, "nsswitch", at_line(where, host, no),
               "subid: %.*s gives out subordinate ids, which eksauth does not read (only "
               "/etc/subuid and /etc/subgid): an eksauth uid in one of its blocks is one its "
               "owner acts as in a user namespace",
               (int)t[i].len, line + t[i].start);
    set_fix(d, f, "keep uid_min..uid_max in %s clear of the ranges %.*s gives out", d->conf_host,
            (int)t[i].len, line + t[i].start);
}

void check_nsswitch(struct doctor *d)
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
        if (strncmp(s, "subid:", 6) == 0)
            check_subid_line(d, host, line, l.no);
    }
    for (i = 0; i < 3; i++)
        check_nss_line(d, host, dbs[i], found[i], nos[i], i == 2);
    free(text);
}
