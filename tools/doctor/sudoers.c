/*
 * sudoers.c - the sudo rules that name group_prefix groups, read as sudo
 * reads /etc/sudoers (@include, a quoted path too, #includedir with its
 * skipped names, a line continued by a backslash, "%group" in quotes, a
 * %#gid of an identity DB group, a Runas_Spec's groups, a User_Alias defined before or after its
 * rule, a tag that holds until another): each group must exist (in the identity DB or /etc/group),
 * a rule that asks for a password needs pam_eksauth in /etc/pam.d/sudo (eksauth users have none),
 * and /etc/sudo.conf must make sudo ask NSS for the groups at every use (Set group_source dynamic),
 * or a group taken from a role keeps its rules in sessions already open.  A file doctor cannot read
 * (not run as root) is said, never taken for a file without rules.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doctor.h"
#include "eksauth/ascii.h"
#include "eksauth/hostfiles.h"
#include "eksauth/setup.h"
#include "eksauth/strlist.h"

#define NAMES_SHOWN 6 /* group names listed in a fix */

struct group_ref {
    char *name;
    char *where;
    bool runas; /* in a Runas_Spec: who the commands run as, not who may run them */
};

struct sudo_scan {
    struct group_ref *refs;
    size_t n;
    size_t n_users;                 /* the refs not in a Runas_Spec: groups the rules give sudo */
    bool asks_password;             /* a rule for one of them runs without NOPASSWD */
    struct eksauth_strlist aliases; /* User_Alias names whose list holds one of them */
    struct eksauth_strlist asking;  /* alias names of the rules that ask for a password */
    /*
     * The Defaults settings of case_insensitive_group, in the order sudo
     * reads them: '!' (off) or '=' (on), then the line's scope ("" for a
     * global one, else its binding, ":alice,bob", blanks dropped); and where each is.
     */
    struct eksauth_strlist flags, flag_wheres;
    char exact[WHERE_MAX];     /* a !case_insensitive_group in force (sudo_exact); "" */
    char unreadable[PATH_MAX]; /* the first file or folder that could not be read; "" */
    int unreadable_errno;
};

/* Note a file or folder sudo reads that doctor cannot (a missing one sudo skips too). */
static void sudo_unreadable(struct sudo_scan *sc, const char *host, int err)
{
    if (err == ENOENT || sc->unreadable[0] != '\0')
        return;
    fmt(sc->unreadable, sizeof(sc->unreadable), "%s", host);
    sc->unreadable_errno = err;
}

static bool names_has(const struct eksauth_strlist *l, const char *name)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strcmp(l->v[i], name) == 0)
            return true;
    return false;
}

static void names_add(struct doctor *d, struct eksauth_strlist *l, const char *name)
{
    if (eksauth_strlist_add(l, name, NULL) != EKSAUTH_OK)
        d->nomem = true;
}

static void sudo_scan_free(struct sudo_scan *sc)
{
    size_t i;

    for (i = 0; i < sc->n; i++) {
        free(sc->refs[i].name);
        free(sc->refs[i].where);
    }
    free(sc->refs);
    eksauth_strlist_free(&sc->flags);
    eksauth_strlist_free(&sc->flag_wheres);
    eksauth_strlist_free(&sc->aliases);
    eksauth_strlist_free(&sc->asking);
}

static void sudo_add_ref(struct doctor *d, struct sudo_scan *sc, const char *name, size_t len,
                         const char *where, bool runas)
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
    grown[sc->n].runas = runas;
    sc->n_users += !runas;
    if (grown[sc->n].name == NULL || grown[sc->n].where == NULL)
        d->nomem = true;
    sc->n++;
}

static bool sudo_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

/*
 * Whether a group name a rule holds is one of ours: sudo matches a %group
 * in any case (case_insensitive_group, on by default), so %EKS-admins
 * holds the members of eks-admins.
 */
static bool sudo_ours(const char *name, const char *prefix)
{
    return eksauth_ascii_prefix_nocase(name, strlen(name), prefix);
}

/*
 * Whether "#gid" at s (after a '%') is the gid of an identity DB group
 * starting with prefix: sudo matches "%#2001" against the user's group
 * ids (sudoers(5) %#group-ID), so it holds that group's members.  *end
 * (may be NULL) after the digits.  A "%:#gid" is a group plugin's, never
 * an NSS group: not ours.
 */
static bool sudo_gid_ours(const struct doctor *d, const char *s, const char *prefix,
                          const char **end)
{
    struct eksauth_iddb_group g;
    unsigned long long gid = 0;
    const char *p = s + 1;

    for (; *p >= '0' && *p <= '9'; p++)
        if (gid <= UINT32_MAX)
            gid = gid * 10 + (unsigned)(*p - '0');
    if (end != NULL)
        *end = p;
    return *s == '#' && p > s + 1 && !sudo_name_char(*p) && gid <= UINT32_MAX && d->db != NULL &&
           eksauth_iddb_group_by_gid(d->db, (uint32_t)gid, &g) == EKSAUTH_OK &&
           eksauth_ascii_prefix_nocase(g.name, g.name_len, prefix);
}

/*
 * The group name after a '%' at s (into name): "%name" in double quotes
 * holds any character but '"', a bare one sudo's name characters, a
 * backslash escaping one.  Returns where it ends.
 */
static const char *sudo_group_name(const char *s, bool quoted, char *name, size_t size)
{
    size_t n = 0;

    for (; *s != '\0' && n < size - 1; s++) {
        if (*s == '\\' && s[1] != '\0')
            name[n++] = *++s;
        else if (quoted ? *s != '"' : sudo_name_char(*s))
            name[n++] = *s;
        else
            break;
    }
    name[n] = '\0';
    return s;
}

/* One user, host or alias item at *s (to a blank, ',', '=' or ':' outside quotes), into item. */
static void sudo_item(const char **s, char *item, size_t size)
{
    const char *p = *s;
    bool quoted = false;
    size_t n = 0;

    for (; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0')
            p++;
        else if (*p == '"')
            quoted = !quoted;
        else if (!quoted && (is_blank(*p) || *p == ',' || *p == '=' ||
                             (*p == ':' && (p == *s || p[-1] != '%'))))
            break; /* (%:group is one item) */
        if (n < size - 1)
            item[n++] = *p;
    }
    item[n] = '\0';
    *s = p;
}

/*
 * Whether a user list item (not negated) is one of our groups (by name or
 * %#gid), or an alias that names one.
 */
static bool sudo_item_ours(const struct doctor *d, const struct sudo_scan *sc, const char *item,
                           const char *prefix)
{
    const char *g = item + (item[0] == '"' ? 2 : 1);
    char name[256];

    if (item[0] == '%' || (item[0] == '"' && item[1] == '%')) {
        if (*g == '#')
            return sudo_gid_ours(d, g, prefix, NULL);
        sudo_group_name(g, item[0] == '"', name, sizeof(name));
        return sudo_ours(name, prefix);
    }
    return names_has(&sc->aliases, item);
}

/*
 * A User_List from *s: whether it holds one of ours; *s after it.  An
 * alias name not yet defined goes to pending (when not NULL): sudo takes
 * an alias defined further on too.
 */
static bool sudo_user_list(struct doctor *d, const struct sudo_scan *sc, const char **s,
                           const char *prefix, struct eksauth_strlist *pending)
{
    char item[256];
    bool ours = false, neg;

    for (;;) {
        *s = skip_blank((char *)*s);
        for (neg = false; **s == '!'; (*s)++)
            neg = !neg;
        sudo_item(s, item, sizeof(item));
        ours = ours || (!neg && sudo_item_ours(d, sc, item, prefix));
        if (!neg && pending != NULL && item[0] >= 'A' && item[0] <= 'Z')
            names_add(d, pending, item);
        *s = skip_blank((char *)*s);
        if (**s != ',')
            return ours;
        (*s)++;
    }
}

/*
 * Whether a Cmnd_Spec_List (after the '=') runs a command without
 * NOPASSWD: a tag holds for the commands after it until another says
 * otherwise ("NOPASSWD: /bin/ls, PASSWD: ALL" asks for ALL).
 */
static bool sudo_asks(const char *p)
{
    static const char *const tags[] = {"NOPASSWD",   "PASSWD",       "SETENV",    "NOSETENV",
                                       "EXEC",       "NOEXEC",       "LOG_INPUT", "NOLOG_INPUT",
                                       "LOG_OUTPUT", "NOLOG_OUTPUT", "MAIL",      "NOMAIL",
                                       "FOLLOW",     "NOFOLLOW",     "INTERCEPT", "NOINTERCEPT"};
    bool nopasswd = false, tag;
    size_t i, n;

    while (*(p = skip_blank((char *)p)) != '\0') {
        if (*p == '(') { /* a Runas_Spec */
            p += strcspn(p, ")");
            p += *p == ')';
            continue;
        }
        for (tag = false, i = 0; i < sizeof(tags) / sizeof(tags[0]) && !tag; i++) {
            n = strlen(tags[i]);
            tag = strncmp(p, tags[i], n) == 0 && p[n] == ':';
            if (tag) {
                nopasswd = i == 0 ? true : i == 1 ? false : nopasswd;
                p += n + 1;
            }
        }
        if (tag)
            continue;
        if (*p != ',' && !nopasswd)
            return true;
        p += strcspn(p, ",");
        p += *p == ',';
    }
    return false;
}

/* "User_Alias NAME = list : NAME2 = list": note each NAME whose list holds one of ours. */
static void sudo_user_alias(struct doctor *d, const char *s, const char *prefix,
                            struct sudo_scan *sc)
{
    char name[256];

    do {
        s = skip_blank((char *)s + (*s == ':'));
        sudo_item(&s, name, sizeof(name));
        s = skip_blank((char *)s);
        if (*s != '=')
            return;
        s++;
        if (sudo_user_list(d, sc, &s, prefix, NULL) && name[0] != '\0')
            names_add(d, &sc->aliases, name);
    } while (*s == ':' && !d->nomem);
}

/*
 * A Defaults line's binding at s (after "Defaults"): its scope into buf,
 * the ':', '@', '>' or '!' and the names, blanks dropped ("" for a global
 * line); returns where its options start.
 */
static const char *sudo_binding(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    if (*s == '\0' || strchr(":@>!", *s) == NULL) {
        buf[0] = '\0';
        return s;
    }
    buf[n++] = *s++;
    for (;;) {
        for (s = skip_blank((char *)s); *s != '\0' && !is_blank(*s) && *s != ','; s++)
            if (n < size - 1)
                buf[n++] = *s;
        s = skip_blank((char *)s);
        if (*s != ',')
            break;
        if (n < size - 1)
            buf[n++] = ',';
        s++;
    }
    buf[n] = '\0';
    return s;
}

static void sudo_add_flag(struct doctor *d, struct sudo_scan *sc, const char *scope,
                          const char *where, bool off)
{
    char setting[1024 + 2];

    fmt(setting, sizeof(setting), "%c%s", off ? '!' : '=', scope);
    names_add(d, &sc->flags, setting);
    names_add(d, &sc->flag_wheres, where);
}

/*
 * The settings of case_insensitive_group on a Defaults line (s after
 * "Defaults"), in order: an option of the list (after its start or a
 * ','), turned off by an odd number of '!' before it ("!!" turns it on,
 * as cvtsudoers -f json reads it).
 */
static void sudo_defaults(struct doctor *d, const char *s, const char *where, struct sudo_scan *sc)
{
    static const char flag[] = "case_insensitive_group";
    const char *opts, *p, *q;
    char scope[1024];
    unsigned bangs;

    opts = sudo_binding(s, scope, sizeof(scope));
    for (p = strstr(opts, flag); p != NULL; p = strstr(p + 1, flag)) {
        if (sudo_name_char(p[sizeof(flag) - 1]))
            continue;
        for (bangs = 0, q = p; q > opts && (is_blank(q[-1]) || q[-1] == '!'); q--)
            bangs += q[-1] == '!';
        if (q > opts && q[-1] != ',')
            continue; /* the end of another option's name or value */
        sudo_add_flag(d, sc, scope, where, bangs % 2 == 1);
    }
}

/*
 * Whether sudo matches group names exactly: into sc->exact, the first
 * setting that turns case_insensitive_group off and that no later one of
 * the same scope turns on again (sudo applies the Defaults of a scope in
 * order, the last holding).  Taken whatever its scope (Defaults:, @, >,
 * !): sudo applies host, user and runas Defaults before it matches the
 * rules, after the global ones (sudoers(5)), so a later global line does
 * not undo a scoped one; one of another scope turning it on, which may
 * hold for other users only, is taken to undo nothing (a finding too many,
 * never one kept back).
 */
static void sudo_exact(struct sudo_scan *sc)
{
    size_t i, j;

    /* Out of memory, the lists may not match: doctor then stops (d->nomem). */
    if (sc->flags.n != sc->flag_wheres.n)
        return;
    for (i = 0; i < sc->flags.n && sc->exact[0] == '\0'; i++) {
        if (sc->flags.v[i][0] != '!')
            continue;
        for (j = i + 1; j < sc->flags.n; j++)
            if (strcmp(sc->flags.v[j] + 1, sc->flags.v[i] + 1) == 0)
                break;
        if (j == sc->flags.n)
            fmt(sc->exact, sizeof(sc->exact), "%s", sc->flag_wheres.v[i]);
    }
}

/*
 * Whether s[i] is inside a Runas_Spec's parentheses: a %group there is a
 * group the commands may run as (sudo -u a member of it), not one whose
 * members may run them.
 */
static bool sudo_in_runas(const char *s, size_t i)
{
    int depth = 0;
    size_t j;

    for (j = 0; j < i; j++)
        depth += s[j] == '(' ? 1 : s[j] == ')' && depth > 0 ? -1 : 0;
    return depth > 0;
}

/*
 * The %group names of one sudoers line that start with the group prefix
 * (anywhere: a user list, a Runas_Spec, an alias, Defaults), and whether a
 * rule whose users hold one of them (or an alias of one) asks for a password.
 */
static void sudo_scan_line(struct doctor *d, const char *s, const char *where, struct sudo_scan *sc)
{
    const char *prefix = d->cfg.group_prefix != NULL ? d->cfg.group_prefix : "eks-";
    struct eksauth_strlist users;
    const char *p;
    char name[256];
    bool ours;
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] != '%' || (i > 0 && strchr(" \t,=!:(\"", s[i - 1]) == NULL))
            continue;
        /* %:group is a non-Unix group: not ours.  %#gid is, by its gid in the identity DB. */
        if (s[i + 1] == ':')
            continue;
        if (s[i + 1] == '#') {
            if (sudo_gid_ours(d, s + i + 1, prefix, &p))
                sudo_add_ref(d, sc, s + i + 1, (size_t)(p - (s + i + 1)), where,
                             sudo_in_runas(s, i));
            continue;
        }
        p = sudo_group_name(s + i + 1, i > 0 && s[i - 1] == '"', name, sizeof(name));
        if (sudo_ours(name, prefix))
            sudo_add_ref(d, sc, name, strlen(name), where, sudo_in_runas(s, i));
        i = (size_t)(p - s);
        if (s[i] == '\0')
            break;
    }
    if (strncmp(s, "Defaults", 8) == 0) {
        sudo_defaults(d, s + 8, where, sc);
        return;
    }
    if (strncmp(s, "User_Alias", 10) == 0 && is_blank(s[10])) {
        sudo_user_alias(d, s + 10, prefix, sc);
        return;
    }
    if (strstr(s, "_Alias") != NULL && strstr(s, "_Alias") < s + strcspn(s, " \t"))
        return;
    /*
     * A Runas_Spec's groups, "(user:group,...)", are named without '%'.  A
     * "#gid" there is not taken: sudo matches it by number against the
     * group sudo -g asks for (cvtsudoers -f json: a runasgroups "#2001"),
     * whether or not a group has it, so there is no name to find; and like
     * any Runas_Spec group it lets no one run sudo (case
     * sudoers-runas-group-gid).
     */
    for (p = strchr(s, '('); p != NULL; p = strchr(p, '(')) {
        p += strcspn(p, ":)");
        while (*p == ':' || *p == ',') {
            p = skip_blank((char *)p + 1);
            p += *p == '!';
            p = sudo_group_name(p, false, name, sizeof(name));
            if (sudo_ours(name, prefix))
                sudo_add_ref(d, sc, name, strlen(name), where, true);
            p = skip_blank((char *)p);
        }
    }
    memset(&users, 0, sizeof(users));
    p = s;
    ours = sudo_user_list(d, sc, &p, prefix, &users);
    if ((p = strchr(p, '=')) != NULL && sudo_asks(p + 1)) {
        sc->asks_password = sc->asks_password || ours;
        for (i = 0; i < users.n && !d->nomem; i++)
            names_add(d, &sc->asking, users.v[i]);
    }
    eksauth_strlist_free(&users);
}

static void sudo_read(struct doctor *d, const char *host, int depth, struct sudo_scan *sc);

/* sudo reads the files of an includedir in order and skips names with '.' or a final '~'. */
static void sudo_includedir(struct doctor *d, const char *dir, int depth, struct sudo_scan *sc)
{
    char real[PATH_MAX], path[PATH_MAX];
    struct dirent **names = NULL;
    struct finding *f;
    int n, i;
    size_t len;

    n = scandir(rooted_file(d, dir, real), &names, NULL, alphasort);
    if (n < 0)
        sudo_unreadable(sc, dir, errno);
    for (i = 0; i < n; i++) {
        const char *name = names[i]->d_name;

        len = strlen(name);
        fmt(path, sizeof(path), "%s/%s", dir, name);
        if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
            goto next;
        if (strchr(name, '.') != NULL || name[len - 1] == '~') {
            struct sudo_scan ignored;

            memset(&ignored, 0, sizeof(ignored));
            sudo_read(d, path, depth + 1, &ignored);
            if (ignored.n > 0) {
                f = report(d, LV_WARNING, "sudoers", path,
                           "sudo ignores this file (its name has a '.' or ends in '~'), so its "
                           "rules for %%%s never apply",
                           ignored.refs[0].name);
                set_fix(d, f, "rename it to a name without '.' or '~' (e.g. %s/eksauth)", dir);
            }
            sudo_scan_free(&ignored);
            goto next;
        }
        sudo_read(d, path, depth + 1, sc);
    next:
        free(names[i]);
    }
    free(names);
}

/* An include's path in double quotes (sudo's way to hold a blank), unquoted in place; NULL if open.
 */
static char *sudo_unquote(char *s)
{
    char *in = s + 1, *out = s;

    for (; *in != '"'; in++) {
        if (*in == '\\' && in[1] != '\0')
            in++;
        if (*in == '\0')
            return NULL;
        *out++ = *in;
    }
    *out = '\0';
    return s;
}

static void sudo_read(struct doctor *d, const char *host, int depth, struct sudo_scan *sc)
{
    char where[WHERE_MAX], dir[PATH_MAX], target[PATH_MAX];
    struct lines l;
    char *text, *line, *s, *w;
    size_t len, n;
    int rc;

    if (depth > INCLUDE_DEPTH)
        return;
    rc = slurp(d, host, &text, &len);
    if (rc != 0) {
        sudo_unreadable(sc, host, rc);
        return;
    }
    fmt(dir, sizeof(dir), "%s", host);
    if (strrchr(dir, '/') != NULL)
        *strrchr(dir, '/') = '\0';
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL && !d->nomem) {
        unsigned no = l.no;

        s = skip_blank(line);
        if (strncmp(s, "@include", 8) == 0 || strncmp(s, "#include", 8) == 0) {
            bool isdir = strncmp(s + 8, "dir", 3) == 0;

            s = skip_blank(s + (isdir ? 11 : 8));
            w = *s == '"' ? sudo_unquote(s) : next_word(&s);
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
        /* A line that ends in a backslash goes on in the next one. */
        while ((n = strlen(s)) > 0 && s[n - 1] == '\\' && l.p < l.end) {
            s[n - 1] = ' ';
            s[n] = ' '; /* the newline next_line cut */
            (void)next_line(&l);
        }
        /* A trailing comment: '#' after a blank, unless it is a #uid. */
        for (n = 0; s[n] != '\0'; n++) {
            if (s[n] == '#' && n > 0 && is_blank(s[n - 1]) &&
                !(s[n + 1] >= '0' && s[n + 1] <= '9')) {
                s[n] = '\0';
                break;
            }
        }
        sudo_scan_line(d, s, at_line(where, host, no), sc);
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

/*
 * Each %group a rule names must exist here: a local group (/etc/group, read
 * as lib/hostfiles.c reads it, not through NSS) or one of the identity DB.
 * Returns how many do.
 */
static size_t check_group_refs(struct doctor *d, const struct sudo_scan *sc, const char *prefix)
{
    char passwd[PATH_MAX], group[PATH_MAX], names[512], lower[256];
    struct eksauth_hostfiles hf;
    struct eksauth_iddb_group g;
    struct eksauth_error err;
    struct finding *f;
    bool local;
    size_t i, good = 0;

    if (sc->n == 0)
        return 0;
    local = eksauth_hostfiles_load(&hf, rooted_file(d, "/etc/passwd", passwd),
                                   rooted_file(d, "/etc/group", group), &err) == EKSAUTH_OK;
    if (!local) {
        f = report(d, LV_WARNING, "sudoers", "/etc/group",
                   "cannot read the local accounts (%s): a local group named in sudoers is "
                   "taken for unknown",
                   err.msg);
        set_fix(d, f, "check /etc/passwd and /etc/group");
    }
    db_group_names(d, prefix, names, sizeof(names));
    for (i = 0; i < sc->n; i++) {
        const char *name = sc->refs[i].name;

        /*
         * As sudo matches it: in any case, unless case_insensitive_group is
         * off; eksauth's names are lower case (lib/names.c).
         */
        if (sc->exact[0] != '\0')
            fmt(lower, sizeof(lower), "%s", name);
        else
            eksauth_ascii_lower_copy(lower, name, strlen(name));
        /* A %#gid is a ref only when its gid is an identity DB group's (sudo_gid_ours). */
        if (name[0] == '#' ||
            (local && (hf.host.local_group(hf.host.ctx, name, NULL) ||
                       hf.host.local_group(hf.host.ctx, lower, NULL))) ||
            (d->db != NULL && eksauth_iddb_group_by_name(d->db, lower, &g) == EKSAUTH_OK)) {
            good++;
            continue;
        }
        if (d->db == NULL) {
            f = report(d, LV_WARNING, "sudoers", sc->refs[i].where,
                       "%%%s: cannot tell whether this group exists: the identity DB is unusable",
                       name);
            set_fix(d, f,
                    "make the identity DB usable (see the db findings), then run eksauth "
                    "doctor again");
            continue;
        }
        f = report(d, LV_ERROR, "sudoers", sc->refs[i].where,
                   "%%%s is in neither the identity DB nor /etc/group: %s%s%s%s", name,
                   sc->refs[i].runas ? "no command of the rule runs as it (no aws-auth group "
                                       "maps to it)"
                                     : "the rule applies to nobody (no aws-auth group maps to it)",
                   sc->exact[0] != '\0' ? "; sudo matches group names exactly (" : "", sc->exact,
                   sc->exact[0] != '\0' ? ": !case_insensitive_group)" : "");
        set_fix(d, f,
                "correct the name at %s (the identity DB's %s groups: %s), or give a role that "
                "Kubernetes group in aws-auth and run eksauth sync",
                sc->refs[i].where, prefix, names[0] != '\0' ? names : "none");
    }
    if (local)
        eksauth_hostfiles_free(&hf);
    return good;
}

/*
 * sudo matches a rule's %group against the groups of the user.  By its
 * default (group_source adaptive, or static) those are the process's own,
 * fixed by initgroups at login: a group taken from a role in aws-auth stays
 * in every session already open, with its sudo, until the person logs out.
 * With dynamic, sudo asks NSS (the identity DB) at every use.
 */
static void check_group_source(struct doctor *d, const struct sudo_scan *sc)
{
    const char *host = "/etc/sudo.conf";
    char value[32] = "adaptive", where[WHERE_MAX], *text = NULL;
    const struct group_ref *ref = sc->refs;
    struct finding *f;
    unsigned line = 0;
    size_t len;
    int rc;

    /* A Runas_Spec's group is not the user's: sudo does not match it against the user's groups. */
    while (ref < sc->refs + sc->n && ref->runas)
        ref++;
    if (ref == sc->refs + sc->n)
        return;

    rc = slurp(d, host, &text, &len);
    if (rc != 0 && rc != ENOENT) {
        f = report(d, LV_WARNING, "sudoers", host,
                   "cannot read it (%s): whether sudo asks NSS for the groups was not checked",
                   strerror(rc));
        set_fix(d, f, rc == EACCES ? "run eksauth doctor as root" : "check %s", host);
        return;
    }
    if (text != NULL && eksauth_setup_sudo_group_source(text, value, sizeof(value), &line))
        at_line(where, host, line);
    else
        fmt(where, sizeof(where), "%s", host);
    free(text);
    if (strcasecmp(value, "dynamic") == 0) {
        report(d, LV_OK, "sudoers", where,
               "Set group_source dynamic: sudo asks NSS for the groups at every use");
        return;
    }
    f = report(d, LV_ERROR, "sudoers", where,
               "group_source is %s%s: sudo matches %%%s (%s) against the groups fixed at login, "
               "so a group taken from a role in aws-auth keeps its sudo in sessions already open",
               value, line == 0 ? " (sudo's default)" : "", ref->name, ref->where);
    if (line != 0)
        set_fix(d, f, "change %s to \"%s\" (eksauth setup writes it)", where,
                EKSAUTH_SETUP_GROUP_SOURCE);
    else
        set_fix(d, f, "add the line \"%s\" to %s (eksauth setup writes it)",
                EKSAUTH_SETUP_GROUP_SOURCE, host);
}

/*
 * No rule gives a group of eksauth's sudo (none names one, or only as a
 * Runas_Spec's group): sudo for none of its logins, which
 * may be the operator's choice (an info), but the cluster's admins
 * (system:masters) then lose it on this host: say so, and how to give it.
 */
static void no_rules(struct doctor *d, const char *prefix)
{
    char group[EKSAUTH_NAME_MAX + 1], *text = NULL, *rule;
    struct eksauth_error err;
    struct finding *f;

    if (eksauth_setup_sudo_group(&d->cfg, group, &err) != EKSAUTH_OK ||
        (text = eksauth_setup_sudoers(group)) == NULL || (rule = strstr(text, "\n%")) == NULL) {
        report(d, LV_INFO, "sudoers", "/etc/sudoers",
               "no rule gives sudo to a group starting with %s", prefix);
        free(text);
        return;
    }
    rule++;
    rule[strcspn(rule, "\n")] = '\0';
    f = report(d, LV_INFO, "sudoers", "/etc/sudoers",
               "no rule gives sudo to a group starting with %s: system:masters (%%%s) gets no sudo "
               "on this host",
               prefix, group);
    set_fix(d, f, "if it should, eksauth setup writes /etc/sudoers.d/eksauth (%s)", rule);
    free(text);
}

void check_sudoers(struct doctor *d)
{
    const char *prefix = d->cfg.group_prefix != NULL ? d->cfg.group_prefix : "eks-";
    struct sudo_scan sc;
    struct finding *f;
    size_t good, i;

    if (!path_exists(d, "/etc/sudoers")) {
        report(d, LV_INFO, "sudoers", "/etc/sudoers", "missing: sudo is not installed");
        return;
    }
    memset(&sc, 0, sizeof(sc));
    sudo_read(d, "/etc/sudoers", 0, &sc);
    sudo_exact(&sc);
    /* A rule may name an alias defined further on. */
    for (i = 0; i < sc.asking.n && !sc.asks_password; i++)
        sc.asks_password = names_has(&sc.aliases, sc.asking.v[i]);
    good = check_group_refs(d, &sc, prefix);
    if (sc.unreadable[0] != '\0') {
        /* A file doctor cannot read is not a file without rules: say so, and how to read it. */
        f = report(d, LV_WARNING, "sudoers", sc.unreadable,
                   "cannot read it (%s): the sudo rules in it were not checked",
                   strerror(sc.unreadable_errno));
        if (sc.unreadable_errno == EACCES)
            set_fix(d, f, "run eksauth doctor as root (sudo eksauth doctor)");
        else
            set_fix(d, f, "check %s (visudo -c)", sc.unreadable);
    } else if (sc.n_users == 0) {
        /* A rule may name one as a Runas_Spec's group: that gives it no sudo. */
        no_rules(d, prefix);
    }
    if (sc.n > 0 && good == sc.n)
        report(d, LV_OK, "sudoers", "/etc/sudoers", "%zu %s %s groups, all known", sc.n,
               sc.n == 1 ? "rule names" : "rules name", prefix);
    if (sc.n > 0)
        check_group_source(d, &sc);
    if (sc.asks_password)
        check_pam_sudo(d);
    sudo_scan_free(&sc);
}
