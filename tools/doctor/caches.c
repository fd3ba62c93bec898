/*
 * caches.c - the caches in front of eksauth's NSS module: nscd (or unscd,
 * which reads the same /etc/nscd.conf and listens on the same socket) and
 * SSSD's proxy provider.  glibc asks nscd before any source of
 * nsswitch.conf; eksauth's writers tell it to drop its passwd and group
 * caches after each write (lib/nscd.c), but a keyed DB's templated names
 * are answered to root alone, and nscd asks as root for everyone (or as its
 * server-user, who gets no answer).  SSSD's proxy cache is cleared by
 * nothing eksauth runs.  systemd-userdbd asks NSS as root for any local
 * user too.  docs/identity-db.md, "nscd, unscd and sssd".
 */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"

#define NSCD_CONF "/etc/nscd.conf"

struct nscd_conf {
    bool passwd, group;   /* enable-cache yes (glibc's nscd caches nothing it is not told to) */
    char user[64];        /* server-user; "" is root */
    long passwd_ttl;      /* positive-time-to-live passwd; -1 unset */
    unsigned passwd_line; /* the line that enabled the passwd cache, 0 when none */
};

/* One "keyword db value" or "keyword value" line of nscd.conf. */
static void nscd_line(struct nscd_conf *c, char *s, unsigned no)
{
    char *kw = next_word(&s), *a1 = next_word(&s), *a2 = next_word(&s);

    if (kw == NULL || a1 == NULL)
        return;
    if (strcmp(kw, "server-user") == 0) {
        fmt(c->user, sizeof(c->user), "%s", strcmp(a1, "root") == 0 ? "" : a1);
    } else if (strcmp(kw, "enable-cache") == 0 && a2 != NULL &&
               (strcmp(a2, "yes") == 0 || strcmp(a2, "no") == 0)) {
        /* As nscd reads it: "yes" or "no", case and all; any other value changes nothing. */
        bool on = strcmp(a2, "yes") == 0;

        if (strcmp(a1, "passwd") == 0) {
            c->passwd = on;
            c->passwd_line = on ? no : 0;
        } else if (strcmp(a1, "group") == 0) {
            c->group = on;
        }
    } else if (strcmp(kw, "positive-time-to-live") == 0 && a2 != NULL &&
               strcmp(a1, "passwd") == 0) {
        c->passwd_ttl = strtol(a2, NULL, 10);
    }
}

/* nscd.conf read; false when there is no nscd here (no config, or neither program nor socket). */
static bool read_nscd_conf(struct doctor *d, struct nscd_conf *c)
{
    struct lines l;
    char *text, *line, *hash;
    size_t len;

    memset(c, 0, sizeof(*c));
    c->passwd_ttl = -1;
    if (!path_exists(d, "/usr/sbin/nscd") && !path_exists(d, "/var/run/nscd/socket"))
        return false;
    if (slurp(d, NSCD_CONF, &text, &len) != 0)
        return false;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL) {
        hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        nscd_line(c, line, l.no);
    }
    free(text);
    return true;
}

/* Whether the DB answers templated names with keyed ids, which the module tells root alone. */
static bool keyed_templates(const struct doctor *d)
{
    return d->db != NULL && eksauth_iddb_keyed(d->db, NULL) &&
           eksauth_iddb_template_count(d->db) > 0;
}

static void check_nscd(struct doctor *d)
{
    struct nscd_conf c;
    char where[WHERE_MAX];
    struct finding *f;

    if (!read_nscd_conf(d, &c) || (!c.passwd && !c.group))
        return;
    report(d, LV_INFO, "caches", NSCD_CONF,
           "nscd caches%s%s: eksauth sync (and a login it records) has it drop both caches "
           "each time it writes the identity DB; a DB put in place by hand needs, a second "
           "later, nscd -i passwd and nscd -i group (one command each)",
           c.passwd ? " passwd" : "", c.group ? " group" : "");
    if (!c.passwd || !keyed_templates(d))
        return;
    /*
     * Why: a keyed id is told to root only, so no one can search session
     * names for the uid they want; nscd asks as root and tells everyone.
     * Run as another user it gets no answer, and caches that for sshd.
     */
    at_line(where, NSCD_CONF, c.passwd_line);
    if (c.user[0] == '\0')
        f = report(d, LV_WARNING, "caches", where,
                   "nscd caches passwd and asks as root: the uid a templated name would get, "
                   "which eksauth tells root alone (keyed ids), is told to every local user "
                   "through nscd, who can then search session names for the uid they want");
    else
        f = report(d, LV_WARNING, "caches", where,
                   "nscd caches passwd and asks as %s, who cannot read the id key: templated "
                   "names are not found through it, so sshd refuses their first login "
                   "(\"Invalid user\")",
                   c.user);
    set_fix(d, f,
            "set \"enable-cache passwd no\" in %s and restart nscd (the group cache may stay: "
            "eksauth sync invalidates it)",
            NSCD_CONF);
}

/*
 * The sssd.conf lines "proxy_lib_name = eksauth", with their [domain/...]:
 * SSSD then answers eksauth's users from its own cache.
 */
static void sssd_file(struct doctor *d, const char *real)
{
    const char *host = unrooted(d, real);
    char *text, *line, *s, *eq, domain[128] = "", where[WHERE_MAX];
    struct finding *f;
    struct lines l;
    size_t len, n;

    /* Read as the host reads it: a link that leaves --root names the root's file, not ours. */
    if (slurp(d, host, &text, &len) != 0)
        return;
    l = (struct lines){text, text + len, 0};
    while ((line = next_line(&l)) != NULL) {
        s = skip_blank(line);
        if (*s == '[') {
            n = strcspn(s + 1, "]");
            fmt(domain, sizeof(domain), "%.*s", (int)n, s + 1);
            continue;
        }
        eq = strchr(s, '=');
        if (eq == NULL || strncmp(s, "proxy_lib_name", 14) != 0 ||
            strspn(s + 14, " \t") != (size_t)(eq - s - 14))
            continue;
        s = skip_blank(eq + 1);
        n = strcspn(s, " \t#;");
        if (n != 7 || strncmp(s, "eksauth", 7) != 0)
            continue;
        f = report(d, LV_WARNING, "caches", at_line(where, host, l.no),
                   "SSSD's [%s] serves eksauth's users and groups from its own cache: one a "
                   "sync removed stays known, with its groups (sudo's rules), until the entry "
                   "expires (entry_cache_timeout, 5400 s by default); nothing eksauth runs "
                   "clears it",
                   domain);
        set_fix(d, f,
                "take eksauth out of SSSD and list it in /etc/nsswitch.conf after files "
                "(passwd: files eksauth); or run sss_cache -E after each eksauth sync");
    }
    free(text);
}

static void check_sssd(struct doctor *d)
{
    static const char *const patterns[] = {"/etc/sssd/sssd.conf", "/etc/sssd/conf.d/*.conf"};
    char real[PATH_MAX];
    size_t i, j;
    glob_t g;

    for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
        if (glob(rooted(d, patterns[i], real), 0, NULL, &g) == 0)
            for (j = 0; j < g.gl_pathc; j++)
                sssd_file(d, g.gl_pathv[j]);
        globfree(&g);
    }
}

/*
 * systemd-userdbd: its io.systemd.NameServiceSwitch service (systemd-userwork,
 * root) answers any local user's `userdbctl user NAME` by asking NSS as
 * root, so a keyed DB's templated ids, which the module tells root alone,
 * are told to everyone, as through nscd.  Socket-activated wherever it is
 * installed and enabled (Fedora and Amazon Linux by preset).
 */
static void check_userdbd(struct doctor *d)
{
    static const char *const units[] = {
        "/etc/systemd/system/sockets.target.wants/systemd-userdbd.socket",
        "/run/systemd/userdb/io.systemd.NameServiceSwitch",
    };
    struct finding *f;
    size_t i;

    if (!keyed_templates(d))
        return;
    for (i = 0; i < sizeof(units) / sizeof(units[0]) && !path_exists(d, units[i]); i++)
        ;
    if (i == sizeof(units) / sizeof(units[0]))
        return;
    f = report(d, LV_WARNING, "caches", units[i],
               "systemd-userdbd answers any local user's user lookups (userdbctl user NAME) "
               "by asking NSS as root: the uid a templated name would get, which eksauth tells "
               "root alone (keyed ids), is told to every local user, who can then search "
               "session names for the uid they want");
    set_fix(d, f,
            "systemctl disable --now systemd-userdbd.socket systemd-userdbd.service, where "
            "systemd-homed is not used");
}

void check_caches(struct doctor *d)
{
    check_nscd(d);
    check_sssd(d);
    check_userdbd(d);
}
