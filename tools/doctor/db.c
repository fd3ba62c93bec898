/*
 * db.c - the identity DB NSS and PAM read (present, readable by everyone,
 * trusted by the rule of lib/trust.c, valid, its age and size), the
 * cluster source's last good snapshot (its age, max_snapshot_age) and a
 * sync that keeps them current (eksauth-sync.timer or
 * eksauth-watch.service).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "doctor.h"
#include "eksauth/paths.h"
#include "eksauth/snapshot.h"

/* A snapshot no sync has found current for this long: revocations may be missing. */
#define STALE_SNAPSHOT_S 3600

/*
 * The DB NSS and PAM read: EKSAUTH_DB (on this host, not under --root),
 * else the config's db_path, else the default.  The one place doctor
 * decides that path.
 */
static const char *db_path(struct doctor *d)
{
    /* paths.h decides, from this host's environment; another root has only the config's. */
    if (d->root[0] != '\0' || eksauth_paths_db(&d->cfg, &d->paths, NULL) != EKSAUTH_OK)
        fmt(d->paths.db, sizeof(d->paths.db), "%s",
            d->cfg.db_path != NULL ? d->cfg.db_path : EKSAUTH_DB_PATH);
    return d->paths.db;
}

/* "3 minutes ago" and the like, for an age in seconds. */
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

/* The DB reader's refusal, naming the host path rather than the one under --root. */
static void report_open_failure(struct doctor *d, const char *host, enum eksauth_status st,
                                const struct eksauth_error *err)
{
    char msg[EKSAUTH_ERROR_MAX], *p;
    size_t rlen = strlen(d->root);
    struct finding *f;

    fmt(msg, sizeof(msg), "%s", err->msg);
    while (rlen > 0 && (p = strstr(msg, d->root)) != NULL)
        memmove(p, p + rlen, strlen(p + rlen) + 1);
    f = report(d, LV_ERROR, "db", host, "%s", msg);
    if (st == EKSAUTH_EREJECTED)
        set_fix(d, f, "chown root:root %s && chmod 0644 %s", host, host);
    else
        set_fix(d, f, "eksauth sync (it rebuilds a damaged DB)");
}

void check_db(struct doctor *d)
{
    const char *host = db_path(d);
    char real[PATH_MAX], age[64];
    struct eksauth_error err;
    enum eksauth_status st;
    struct finding *f;
    struct stat sb;
    uint32_t users, groups, templates;
    bool trusted;

    rooted(d, host, real);
    if (stat(real, &sb) != 0) {
        f = report(d, LV_ERROR, "db", host,
                   "%s: NSS serves nobody (sshd logs \"Invalid user\") and PAM refuses every "
                   "eksauth login",
                   strerror(errno));
        set_fix(d, f, "eksauth sync (then systemctl enable --now eksauth-sync.timer)");
        return;
    }
    trusted = check_trust(d, "db", host, real, &sb, "it decides who is root through sudo");
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
        /* A file the trust rule refused is refused by the reader too: said once. */
        if (trusted || st != EKSAUTH_EREJECTED)
            report_open_failure(d, host, st, &err);
        return;
    }
    if (!trusted)
        return;
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

/*
 * A cluster source: the last good snapshot beside the DB, how old it is
 * and when a sync last found it current (a sync that cannot reach the
 * source keeps it: its age is how long revocations may have been missed),
 * against max_snapshot_age when set.
 */
void check_snapshot(struct doctor *d)
{
    char host[EKSAUTH_PATH_MAX + 32], real[PATH_MAX], fetched[64], checked[64];
    const char *db = db_path(d), *slash = strrchr(db, '/');
    struct eksauth_snapshot_state state;
    struct eksauth_paths paths;
    long long age;
    struct finding *f;

    if (d->cfg.source == EKSAUTH_SOURCE_FILE)
        return;
    fmt(host, sizeof(host), "%.*s/%s", slash != NULL ? (int)(slash - db) : 0, db,
        EKSAUTH_STATE_NAME);
    memset(&paths, 0, sizeof(paths));
    fmt(paths.state, sizeof(paths.state), "%s", rooted(d, host, real));
    eksauth_snapshot_state_read(&paths, false, &state);
    if (state.version[0] == '\0' || state.checked_at <= 0) {
        f = report(d, LV_ERROR, "snapshot", host,
                   "no snapshot of the cluster's aws-auth: eksauth logins map with nothing until "
                   "eksauth sync succeeds");
        set_fix(d, f, "eksauth sync (it says why the source cannot be read)");
        return;
    }
    age = (long long)time(NULL) - state.checked_at;
    format_age((long long)time(NULL) - state.fetched_at, fetched, sizeof(fetched));
    format_age(age, checked, sizeof(checked));
    if (d->cfg.max_snapshot_age > 0 && age > d->cfg.max_snapshot_age) {
        f = report(d, LV_ERROR, "snapshot", host,
                   "%s, last found current %s: older than max_snapshot_age (%ld s), so eksauth "
                   "logins are refused",
                   state.version, checked, d->cfg.max_snapshot_age);
        set_fix(d, f, "eksauth sync (it says why the source cannot be read)");
    } else if (age > STALE_SNAPSHOT_S) {
        f = report(d, LV_WARNING, "snapshot", host,
                   "%s, last found current %s: no sync has reached the source since, so "
                   "revocations since then are not applied here",
                   state.version, checked);
        set_fix(d, f, "eksauth sync (it says why the source cannot be read)");
    } else {
        f = report(d, LV_OK, "snapshot", host, "%s, fetched %s, last found current %s",
                   state.version, fetched, checked);
    }
    if (f != NULL)
        f->age_seconds = age;
}

void check_sync_enabled(struct doctor *d)
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
