/*
 * sshd.c - sshd_config as sshd reads it (the first value of a keyword wins,
 * Include files in order, a Match block lasts to the next Match or the end
 * of its file): UsePAM yes, keyboard-interactive allowed (a token is
 * 1.5-2.5 KB, which only passes as keyboard-interactive answers), a warning
 * that PasswordAuthentication cuts tokens; and, for a login of eksauth's
 * (a member of the group of every login, users_group), that nothing but
 * keyboard-interactive logs it in: no key, no host-based login, no GSSAPI,
 * which would let one token login become permanent access.  That check
 * asks sshd itself (sshd -T -C user=A MEMBER,...) on this host when it can,
 * and reads the files otherwise, split and matched as sshd does; a Match
 * block that holds only some logins or connections (which one sshd -T
 * cannot show) counts on both paths when it lets one in.  eksauth setup's
 * drop-in that no Include line reads is named as the cause, and one an
 * earlier setup wrote under the name that sorts after the distributions'
 * drop-ins is said.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "doctor.h"
#include "eksauth/setup.h"

#define SSHD_PATH "/usr/sbin/sshd"
/* eksauth setup's drop-in (lib/setup_plan.c), and its earlier name, read after 50-redhat.conf. */
#define SSHD_DROPIN     "/etc/ssh/sshd_config.d/40-eksauth.conf"
#define SSHD_DROPIN_OLD "/etc/ssh/sshd_config.d/eksauth.conf"
#define SSHD_T_MAX      (256 * 1024) /* what sshd -T prints: a few KB */
#define SSHD_T_SPEC     "user=%s,host=doctor.invalid,addr=192.0.2.1" /* TEST-NET-1: nobody's */

struct sshd_value {
    char *value;
    char *where;
};

/* The keywords doctor reads, with sshd's defaults (sshd_config(5), OpenSSH 9). */
enum {
    K_USEPAM,
    K_KBDINT,
    K_PASSWORD,
    K_METHODS,
    K_PUBKEY,
    K_KEYSFILE,
    K_KEYSCMD,
    K_USERCA,
    K_HOSTBASED,
    K_GSSAPI,
    K_N
};

static const struct {
    const char *name;
    const char *dflt;
} keywords[K_N] = {
    [K_USEPAM] = {"usepam", "no"},
    [K_KBDINT] = {"kbdinteractiveauthentication", "yes"},
    [K_PASSWORD] = {"passwordauthentication", "yes"},
    [K_METHODS] = {"authenticationmethods", "any"},
    [K_PUBKEY] = {"pubkeyauthentication", "yes"},
    [K_KEYSFILE] = {"authorizedkeysfile", ".ssh/authorized_keys .ssh/authorized_keys2"},
    [K_KEYSCMD] = {"authorizedkeyscommand", "none"},
    [K_USERCA] = {"trustedusercakeys", "none"},
    [K_HOSTBASED] = {"hostbasedauthentication", "no"},
    [K_GSSAPI] = {"gssapiauthentication", "no"},
};

/*
 * Where a line is: outside any Match, in a block that holds every eksauth
 * login on every connection, in one that may hold some (some logins, or
 * some connections: Address, Host, a User pattern, ...), or one that holds
 * none.
 */
enum scope { SCOPE_GLOBAL, SCOPE_MEMBER, SCOPE_SOME, SCOPE_OTHER };

struct sshd_conf {
    struct sshd_value global[K_N];
    struct sshd_value member[K_N]; /* from Match blocks that hold every eksauth login */
    /* The first value that lets a login in without a token, from a block that may hold some. */
    struct sshd_value some[K_N];
    const char *users_group;
    bool found;
    const char *dropin; /* SSHD_DROPIN, else SSHD_DROPIN_OLD when only that one is there */
    bool dropin_read;   /* dropin read outside any Match block */
    bool dropin_unread; /* dropin is there, but not read so */
};

static int sshd_keyword(const char *kw)
{
    int k;

    if (strcasecmp(kw, "challengeresponseauthentication") == 0)
        return K_KBDINT;
    for (k = 0; k < K_N; k++)
        if (strcasecmp(kw, keywords[k].name) == 0)
            return k;
    return -1;
}

/* sshd's match_pattern: '*' and '?' only, case kept (fnmatch's [...] and \\ are literal there). */
static bool sshd_pattern(const char *s, const char *p)
{
    for (; *p != '\0'; s++, p++) {
        if (*p == '*') {
            for (; *s != '\0'; s++)
                if (sshd_pattern(s, p + 1))
                    return true;
            return sshd_pattern(s, p + 1);
        }
        if (*s == '\0' || (*p != '?' && *p != *s))
            return false;
    }
    return *s == '\0';
}

/* sshd's match_pattern_list: -1 when a !pattern matches s, 1 when a pattern does, else 0. */
static int sshd_pattern_list(const char *s, const char *list)
{
    const char *p = list, *end;
    char pat[256];
    int got = 0;
    bool neg;

    for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
        end = p + strcspn(p, ",");
        neg = *p == '!';
        if (!fmt(pat, sizeof(pat), "%.*s", (int)(end - p - neg), p + neg))
            continue;
        if (sshd_pattern(s, pat)) {
            if (neg)
                return -1;
            got = 1;
        }
    }
    return got;
}

/* Some name of the identity DB's logins (users) or groups that list holds: "may hold one". */
static bool db_some_name(const struct doctor *d, bool users, const char *list)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb_user u;
    char name[EKSAUTH_NAME_MAX + 1];
    uint32_t i, n;

    if (d->db == NULL)
        return true; /* cannot tell: some may */
    n = users ? eksauth_iddb_user_count(d->db) : eksauth_iddb_group_count(d->db);
    for (i = 0; i < n; i++) {
        if (users ? eksauth_iddb_user_at(d->db, i, &u) == EKSAUTH_OK &&
                        fmt(name, sizeof(name), "%.*s", (int)u.login_len, u.login)
                  : eksauth_iddb_group_at(d->db, i, &g) == EKSAUTH_OK &&
                        fmt(name, sizeof(name), "%.*s", (int)g.name_len, g.name))
            if (sshd_pattern_list(name, list) == 1)
                return true;
    }
    return false;
}

/*
 * Which eksauth logins one Match criterion holds, as sshd matches it: a
 * Group list holds every one when it names users_group (every login is in
 * it) and no !pattern could drop one by another group, none when a
 * !pattern names users_group; "*" alone holds every user, host and address;
 * a pattern of the identity DB's logins or groups some; the connection's
 * others (LocalPort, LocalAddress, RDomain) some.
 */
static enum scope match_criterion(const struct doctor *d, const char *kw, const char *list,
                                  const char *users_group)
{
    bool neg = strchr(list, '!') != NULL;
    int m;

    if (strcasecmp(kw, "group") == 0) {
        m = sshd_pattern_list(users_group, list);
        if (m != 0)
            return m < 0 ? SCOPE_OTHER : neg ? SCOPE_SOME : SCOPE_MEMBER;
        return db_some_name(d, false, list) ? SCOPE_SOME : SCOPE_OTHER;
    }
    if (!neg && strcmp(list, "*") == 0 &&
        (strcasecmp(kw, "user") == 0 || strcasecmp(kw, "host") == 0 ||
         strcasecmp(kw, "address") == 0))
        return SCOPE_MEMBER;
    if (strcasecmp(kw, "user") == 0)
        return db_some_name(d, true, list) ? SCOPE_SOME : SCOPE_OTHER;
    return SCOPE_SOME;
}

/* The scope of a Match line: "All", or every criterion's (the narrowest wins). */
static enum scope match_scope(const struct doctor *d, char *criteria, const char *users_group)
{
    enum scope sc = SCOPE_MEMBER, one;
    char *kw, *list;

    while ((kw = next_word(&criteria)) != NULL) {
        if (strcasecmp(kw, "all") == 0)
            continue;
        list = next_word(&criteria);
        if (list == NULL)
            return SCOPE_OTHER; /* sshd refuses the line */
        one = match_criterion(d, kw, list, users_group);
        if (one == SCOPE_OTHER)
            return SCOPE_OTHER;
        if (one == SCOPE_SOME)
            sc = SCOPE_SOME;
    }
    return sc;
}

/* Every list of AuthenticationMethods ("a,b c") holds keyboard-interactive. */
static bool methods_need_kbdint(const char *methods)
{
    const char *p = methods, *end;

    if (strcasecmp(methods, "any") == 0)
        return false;
    while (*p != '\0') {
        while (is_blank(*p))
            p++;
        if (*p == '\0')
            break;
        for (end = p; *end != '\0' && !is_blank(*end); end++)
            ;
        if (memmem(p, (size_t)(end - p), "keyboard-interactive", 20) == NULL)
            return false;
        p = end;
    }
    return true;
}

/* Whether value of keyword k could let an eksauth login in without a token. */
static bool lets_in(int k, const char *value)
{
    switch (k) {
    case K_METHODS:
        return !methods_need_kbdint(value);
    case K_PUBKEY:
    case K_HOSTBASED:
    case K_GSSAPI:
        return strcasecmp(value, "yes") == 0;
    case K_KEYSFILE:
    case K_KEYSCMD:
    case K_USERCA:
        return strcasecmp(value, "none") != 0;
    default:
        return false;
    }
}

static void sshd_read(struct doctor *d, const char *host, int depth, enum scope scope,
                      struct sshd_conf *c);

/*
 * A line's arguments as sshd splits them (OpenSSH's argv_split): blanks
 * part words, "..." and '...' quote, a backslash escapes a quote, a
 * backslash or (unquoted) a blank, and a word that starts with '#' ends the
 * line.  Rewritten in place as the words with one space between (so
 * "PubkeyAuthentication \"yes\"\t# c" is "yes", as sshd takes it); false
 * for a quote left open, a line sshd refuses.
 */
static bool sshd_args(char *s)
{
    char *in = s, *out = s, quote;

    while (*in != '\0') {
        if (is_blank(*in)) {
            in++;
            continue;
        }
        if (*in == '#')
            break;
        if (out != s)
            *out++ = ' ';
        for (quote = '\0'; *in != '\0' && (quote != '\0' || !is_blank(*in)); in++) {
            if (*in == '\\' &&
                (in[1] == '\'' || in[1] == '"' || in[1] == '\\' || (quote == '\0' && in[1] == ' ')))
                *out++ = *++in;
            else if (quote == '\0' && (*in == '"' || *in == '\''))
                quote = *in;
            else if (quote != '\0' && *in == quote)
                quote = '\0';
            else
                *out++ = *in;
        }
        if (quote != '\0')
            return false;
    }
    *out = '\0';
    return true;
}

/* "Include" arguments: globs, relative to /etc/ssh, in sorted order, read in the current scope. */
static void sshd_include(struct doctor *d, char *args, int depth, enum scope scope,
                         struct sshd_conf *c)
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
                sshd_read(d, unrooted(d, g.gl_pathv[i]), depth + 1, scope, c);
        }
        globfree(&g);
    }
}

static void sshd_set(struct doctor *d, struct sshd_value *v, const char *value, const char *where)
{
    if (v->value != NULL)
        return;
    v->value = strdup(value);
    v->where = strdup(where);
    if (v->value == NULL || v->where == NULL)
        d->nomem = true;
}

/*
 * sshd takes the first value of a keyword; a Match block lasts to the next
 * Match line or the end of the file that holds it (the includer's scope
 * then goes on).  Lines of other Match blocks are not read: they hold
 * other logins, or only some.
 */
static void sshd_read(struct doctor *d, const char *host, int depth, enum scope scope,
                      struct sshd_conf *c)
{
    char where[WHERE_MAX];
    struct lines l;
    char *text, *line, *s, *kw;
    size_t len, n;
    int k;

    if (depth > INCLUDE_DEPTH || slurp(d, host, &text, &len) != 0)
        return;
    if (depth == 0)
        c->found = true;
    if (scope == SCOPE_GLOBAL && strcmp(host, c->dropin) == 0)
        c->dropin_read = true;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL && !d->nomem) {
        s = skip_blank(line);
        if (*s == '#' || *s == '\0')
            continue;
        n = strcspn(s, " \t=");
        kw = s;
        s += n;
        if (*s != '\0')
            *s++ = '\0';
        s = skip_blank(s);
        if (*s == '=')
            s = skip_blank(s + 1);
        if (!sshd_args(s))
            continue;
        if (strcasecmp(kw, "match") == 0) {
            scope = match_scope(d, s, c->users_group);
            continue;
        }
        if (strcasecmp(kw, "include") == 0) {
            if (scope != SCOPE_OTHER)
                sshd_include(d, s, depth, scope, c);
            continue;
        }
        k = sshd_keyword(kw);
        if (k < 0 || scope == SCOPE_OTHER)
            continue;
        at_line(where, host, l.no);
        if (scope == SCOPE_GLOBAL)
            sshd_set(d, &c->global[k], s, where);
        else if (scope == SCOPE_MEMBER)
            sshd_set(d, &c->member[k], s, where);
        else if (c->member[k].value == NULL && lets_in(k, s))
            sshd_set(d, &c->some[k], s, where); /* (a value of every login's block came first) */
    }
    free(text);
}

static bool sshd_yes(const struct sshd_value *v, bool dflt)
{
    return v->value == NULL ? dflt : strcasecmp(v->value, "yes") == 0;
}

/*
 * "change /etc/ssh/sshd_config:12 to 'KbdInteractiveAuthentication yes'" or
 * "add ..."; the Include line instead when eksauth setup's drop-in, where
 * setup puts want, is never read.
 */
static void sshd_fix(struct doctor *d, struct finding *f, const struct sshd_conf *c,
                     const struct sshd_value *v, const char *want)
{
    if (c->dropin_unread)
        set_fix(d, f,
                "add \"Include /etc/ssh/sshd_config.d/*.conf\" at the top of /etc/ssh/sshd_config "
                "(%s, where eksauth setup puts \"%s\", is never read), then systemctl reload sshd",
                c->dropin, want);
    else if (v->value != NULL)
        set_fix(d, f, "change %s to \"%s\", then systemctl reload sshd", v->where, want);
    else
        set_fix(d, f,
                "add \"%s\" to /etc/ssh/sshd_config (above any Match line), then systemctl "
                "reload sshd",
                want);
}

static void sshd_check_global(struct doctor *d, const char *host, struct sshd_conf *c)
{
    struct sshd_value *v;
    struct finding *f;

    v = &c->global[K_USEPAM];
    if (!sshd_yes(v, false)) {
        f = report(d, LV_ERROR, "sshd", v->where != NULL ? v->where : host,
                   "UsePAM is %s: sshd never calls pam_eksauth",
                   v->value != NULL ? v->value : "not set (default no)");
        sshd_fix(d, f, c, v, "UsePAM yes");
    } else {
        report(d, LV_OK, "sshd", v->where, "UsePAM yes");
    }
    v = &c->global[K_KBDINT];
    if (!sshd_yes(v, true)) {
        f = report(d, LV_ERROR, "sshd", v->where,
                   "KbdInteractiveAuthentication is %s: tokens (1.5-2.5 KB) only pass as "
                   "keyboard-interactive answers",
                   v->value);
        sshd_fix(d, f, c, v, "KbdInteractiveAuthentication yes");
    } else {
        report(d, LV_OK, "sshd", v->where != NULL ? v->where : host,
               "KbdInteractiveAuthentication yes%s", v->value == NULL ? " (default)" : "");
    }
    v = &c->global[K_PASSWORD];
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
    v = &c->global[K_METHODS];
    if (v->value != NULL && strcasecmp(v->value, "any") != 0 &&
        strstr(v->value, "keyboard-interactive") == NULL) {
        f = report(d, LV_ERROR, "sshd", v->where,
                   "AuthenticationMethods %s allows no keyboard-interactive: no token is asked",
                   v->value);
        set_fix(d, f,
                "add keyboard-interactive to AuthenticationMethods at %s (e.g. \"%s "
                "keyboard-interactive\"), then systemctl reload sshd",
                v->where, v->value);
    }
}

/* ---------------------------------------------- an eksauth login's methods */

/* An eksauth login's value of keyword k: its Match blocks', else the global one, else sshd's. */
static const char *member_value(const struct sshd_conf *c, int k, const char **where)
{
    const struct sshd_value *v = c->member[k].value != NULL ? &c->member[k] : &c->global[k];

    if (where != NULL && v->where != NULL)
        *where = v->where;
    return v->value != NULL ? v->value : keywords[k].dflt;
}

/*
 * Whether keyword k could let an eksauth login in without a token: its
 * value for every login does, or a block that may hold some sets one that
 * does before any block of every login's sets it.
 */
static bool could_let_in(const struct sshd_conf *c, int k)
{
    return lets_in(k, member_value(c, k, NULL)) || c->some[k].value != NULL;
}

/*
 * What an eksauth login could use instead of keyboard-interactive, as
 * words for a finding ("" when nothing): a key (a file, a command or a
 * user CA sshd takes them from), host-based login, GSSAPI.
 */
static void other_methods(const struct sshd_conf *c, char *buf, size_t n)
{
    bool key =
        could_let_in(c, K_PUBKEY) &&
        (could_let_in(c, K_KEYSFILE) || could_let_in(c, K_KEYSCMD) || could_let_in(c, K_USERCA));
    bool hostbased = could_let_in(c, K_HOSTBASED);
    bool gssapi = could_let_in(c, K_GSSAPI);

    fmt(buf, n, "%s%s%s%s%s", key ? "by a key" : "", key && (hostbased || gssapi) ? ", " : "",
        hostbased ? "by host-based login (.shosts)" : "", hostbased && gssapi ? ", " : "",
        gssapi ? "by GSSAPI" : "");
}

static void sshd_values_free(struct sshd_value v[K_N])
{
    size_t k;

    for (k = 0; k < K_N; k++) {
        free(v[k].value);
        free(v[k].where);
        v[k].value = v[k].where = NULL;
    }
}

/* sshd -T's "keyword value" lines into v. */
static void sshd_t_parse(struct doctor *d, char *text, size_t len, const char *where,
                         struct sshd_value v[K_N])
{
    struct lines l = {text, text + len, 0};
    char *line, *value;
    int k;

    while ((line = next_line(&l)) != NULL && !d->nomem) {
        value = line + strcspn(line, " ");
        if (*value == '\0')
            continue;
        *value++ = '\0';
        k = sshd_keyword(line);
        if (k >= 0)
            sshd_set(d, &v[k], value, where);
    }
}

/*
 * sshd's own answer for user (sshd -T -C): true with v filled and where
 * naming the command.  Not under --root, and only where sshd is installed
 * and runs (as root, with its host keys and /run/sshd).
 */
static bool sshd_t(struct doctor *d, const char *user, char *where, struct sshd_value v[K_N])
{
    static char *const env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
    char spec[256], *argv[5], *buf = NULL;
    size_t len = 0;
    bool done = false;

    if (d->root[0] != '\0' || access(SSHD_PATH, X_OK) != 0)
        return false;
    fmt(spec, sizeof(spec), SSHD_T_SPEC, user);
    argv[0] = SSHD_PATH;
    argv[1] = "-T";
    argv[2] = "-C";
    argv[3] = spec;
    argv[4] = NULL;
    if (run_output(d, SSHD_PATH, argv, env, SSHD_T_MAX, &buf, &len) && len > 0) {
        fmt(where, WHERE_MAX, "sshd -T -C %s", spec);
        sshd_t_parse(d, buf, len, where, v);
        done = true;
    }
    free(buf);
    return done;
}

/*
 * Whether nsswitch.conf keeps glibc from asking eksauth (an earlier check's
 * error): sshd -T would then not see the member's groups.  (The module's
 * file is not looked for: sshd finds it wherever ld.so does.)
 */
static bool nss_broken(const struct doctor *d)
{
    size_t i;

    for (i = 0; i < d->n_findings; i++) {
        const struct finding *f = &d->findings[i];

        if (f->level == LV_ERROR && strcmp(f->check, "nsswitch") == 0)
            return true;
    }
    return false;
}

/*
 * A member of the group of every login, from the identity DB: into user;
 * false when none.  It is every user's primary group (docs/names-and-ids.md),
 * which a group's member list does not repeat: a user whose gid it is.
 */
static bool db_member(const struct doctor *d, const char *group, char *user, size_t n)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb_user u;
    const char *login;
    size_t len;
    uint32_t i;

    if (d->db == NULL || eksauth_iddb_group_by_name(d->db, group, &g) != EKSAUTH_OK)
        return false;
    if (g.n_members > 0 && eksauth_iddb_group_member(d->db, &g, 0, &login, &len) == EKSAUTH_OK)
        return fmt(user, n, "%.*s", (int)len, login);
    for (i = 0; i < eksauth_iddb_user_count(d->db); i++) {
        if (eksauth_iddb_user_at(d->db, i, &u) == EKSAUTH_OK && u.gid == g.gid)
            return fmt(user, n, "%.*s", (int)u.login_len, u.login);
    }
    return false;
}

/*
 * An eksauth login must use keyboard-interactive, where pam_eksauth asks
 * for the token: a key, a .shosts or GSSAPI that logs it in without one
 * turns one stolen token into access that outlives it (issue 15).
 */
static void sshd_check_member(struct doctor *d, const char *host, struct sshd_conf *c)
{
    char user[EKSAUTH_NAME_MAX + 1], how[WHERE_MAX], others[128];
    struct sshd_value asked[K_N];
    const char *where = host, *methods;
    struct finding *f;

    memset(asked, 0, sizeof(asked));
    /* sshd's own view for a member, when NSS can show sshd one; else the files'. */
    if (db_member(d, c->users_group, user, sizeof(user)) && !nss_broken(d) &&
        sshd_t(d, user, how, asked)) {
        sshd_values_free(c->member);
        memcpy(c->member, asked, sizeof(asked));
    } else {
        sshd_values_free(asked);
        fmt(how, sizeof(how), "Match Group %s, as the files say", c->users_group);
    }
    methods = member_value(c, K_METHODS, &where);
    if (c->some[K_METHODS].value != NULL) {
        /* A block of some logins lets them use other methods. */
        methods = c->some[K_METHODS].value;
        where = c->some[K_METHODS].where;
        fmt(how, sizeof(how), "a Match block that holds some of them");
    }
    other_methods(c, others, sizeof(others));
    /* (Off for everyone is the global finding's.) */
    if (methods_need_kbdint(methods) && sshd_yes(&c->global[K_KBDINT], true) &&
        strcasecmp(member_value(c, K_KBDINT, NULL), "yes") != 0) {
        f = report(d, LV_ERROR, "sshd", where,
                   "eksauth logins (%s) must use keyboard-interactive, which is off for them: no "
                   "eksauth user can log in",
                   how);
    } else if (methods_need_kbdint(methods)) {
        report(d, LV_OK, "sshd", where,
               "eksauth logins (%s): keyboard-interactive only, no key or other method without a "
               "token (AuthenticationMethods %s)",
               how, methods);
        return;
    } else if (others[0] != '\0') {
        f = report(d, LV_ERROR, "sshd", where,
                   "an eksauth user could log in %s, without a token (%s: AuthenticationMethods "
                   "%s): a key planted after one token login would log in again after the token "
                   "expired and after its role was revoked",
                   others, how, methods);
    } else {
        f = report(d, LV_WARNING, "sshd", where,
                   "eksauth logins are not held to keyboard-interactive (%s: AuthenticationMethods "
                   "%s): only the global settings keep keys out, and the break-glass account may "
                   "need them",
                   how, methods);
    }
    if (c->dropin_unread)
        set_fix(d, f,
                "add \"Include /etc/ssh/sshd_config.d/*.conf\" at the top of /etc/ssh/sshd_config: "
                "%s, which has the Match Group block, is never read; then systemctl reload sshd",
                c->dropin);
    else if (c->some[K_METHODS].value != NULL)
        set_fix(d, f,
                "leave eksauth logins out of the Match block of %s (add \"Group *,!%s\" to its "
                "Match line), or move it after the Match Group %s block (sshd takes the first "
                "value); then systemctl reload sshd",
                c->some[K_METHODS].where, c->users_group, c->users_group);
    else
        set_fix(d, f,
                "add the Match Group %s block of %s/sshd_config.d/40-eksauth.conf to %s (eksauth "
                "setup writes it), then systemctl reload sshd",
                c->users_group, EXAMPLES, c->dropin);
}

/*
 * The drop-in of eksauth setup is read only through an Include line of
 * sshd_config (outside any Match block); without one, none of its settings
 * hold, and the other findings' cause is that line.
 */
static void sshd_check_dropin_read(struct doctor *d, const char *host, struct sshd_conf *c)
{
    char real[PATH_MAX];
    struct finding *f;

    c->dropin_unread = !c->dropin_read && access(rooted_file(d, c->dropin, real), F_OK) == 0;
    if (!c->dropin_unread)
        return;
    f = report(d, LV_ERROR, "sshd", host,
               "no Include line (before any Match line) reads %s, so sshd never reads it: its "
               "UsePAM, KbdInteractiveAuthentication and Match Group %s block do not hold",
               c->dropin, c->users_group);
    set_fix(d, f,
            "add \"Include /etc/ssh/sshd_config.d/*.conf\" at the top of %s (sshd keeps the "
            "first value of each setting), then sshd -t && systemctl reload sshd",
            host);
}

/*
 * The drop-in an earlier setup wrote as eksauth.conf: sshd reads it after
 * the distributions' own (50-redhat.conf turns keyboard-interactive off
 * before it is read); setup, run again, moves it to 40-eksauth.conf.  One
 * of the operator's is left to the value checks: setup does not move it.
 */
static void sshd_check_old_dropin(struct doctor *d)
{
    struct finding *f;
    char *text = NULL;
    size_t len = 0;

    if (slurp(d, SSHD_DROPIN_OLD, &text, &len) != 0)
        return;
    if (strlen(text) == len && eksauth_setup_sshd_dropin_is_ours(text)) {
        f = report(d, LV_WARNING, "sshd", SSHD_DROPIN_OLD,
                   "written by an earlier eksauth setup under a name sshd reads after the "
                   "distributions' drop-ins (50-redhat.conf on Fedora and Amazon Linux 2023 turns "
                   "keyboard-interactive off first)");
        set_fix(d, f,
                "run eksauth setup again: it writes %s and removes this one; then sshd -t && "
                "systemctl reload sshd",
                SSHD_DROPIN);
    }
    free(text);
}

void check_sshd(struct doctor *d)
{
    const char *host = "/etc/ssh/sshd_config";
    char users[EKSAUTH_NAME_MAX + 1];
    struct sshd_conf c;
    struct finding *f;

    memset(&c, 0, sizeof(c));
    eksauth_setup_users_group(&d->cfg, users);
    c.users_group = users;
    c.dropin = !path_exists(d, SSHD_DROPIN) && path_exists(d, SSHD_DROPIN_OLD) ? SSHD_DROPIN_OLD
                                                                               : SSHD_DROPIN;
    sshd_read(d, host, 0, SCOPE_GLOBAL, &c);
    if (!c.found) {
        f = report(d, LV_WARNING, "sshd", host,
                   "missing: no sshd here, so no ssh logins through eksauth");
        set_fix(d, f, "apt install openssh-server, if this host takes ssh logins");
        goto out;
    }
    sshd_check_dropin_read(d, host, &c);
    sshd_check_old_dropin(d);
    sshd_check_global(d, host, &c);
    sshd_check_member(d, host, &c);
out:
    sshd_values_free(c.global);
    sshd_values_free(c.member);
    sshd_values_free(c.some);
}
