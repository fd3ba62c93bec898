/*
 * db.c - the identity DB NSS and PAM read (present, readable by everyone,
 * trusted by the rule of lib/trust.c, valid, its age and size), the ids it
 * gives (the fleet's id key, the range against /etc/login.defs and the
 * local ids: lib/id_policy.c), the cluster source's last good snapshot
 * (its age, max_snapshot_age), the login index (whether logins read it:
 * lib/login_index_fit.c decides) and a sync that keeps them current
 * (eksauth-sync.timer or eksauth-watch.service enabled, and neither it nor
 * the eksauth-sync.service the timer starts masked).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doctor.h"
#include "eksauth/hostfiles.h"
#include "eksauth/id_policy.h"
#include "eksauth/idkey.h"
#include "eksauth/login_index_fit.h"
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

/* msg with every occurrence of the --root folder taken out: messages name host paths. */
static void unroot(const struct doctor *d, char *msg)
{
    size_t rlen = strlen(d->root);
    char *p;

    while (rlen > 0 && (p = strstr(msg, d->root)) != NULL)
        memmove(p, p + rlen, strlen(p + rlen) + 1);
}

/* A finding whose text ends in "; what to do": the problem, then its fix. */
static void report_split(struct doctor *d, enum level lv, const char *check, const char *where,
                         char *text)
{
    char *semi = strrchr(text, ';');
    struct finding *f;

    if (semi != NULL)
        *semi = '\0';
    f = report(d, lv, check, where, "%s", text);
    if (semi != NULL)
        set_fix(d, f, "%s", semi + 1 + strspn(semi + 1, " "));
}

/* The DB reader's refusal, naming the host path rather than the one under --root. */
static void report_open_failure(struct doctor *d, const char *host, enum eksauth_status st,
                                const struct eksauth_error *err)
{
    char msg[EKSAUTH_ERROR_MAX];
    struct finding *f;

    fmt(msg, sizeof(msg), "%s", err->msg);
    unroot(d, msg);
    /*
     * A refusal that says what to do (a later eksauth's DB: a sync would
     * not rebuild it, lib/iddb.c) keeps its own fix.
     */
    if (st != EKSAUTH_EREJECTED && strchr(msg, ';') != NULL) {
        report_split(d, LV_ERROR, "db", host, msg);
        return;
    }
    f = report(d, LV_ERROR, "db", host, "%s", msg);
    if (st == EKSAUTH_EREJECTED)
        set_fix(d, f, "chown root:root %s && chmod 0644 %s", host, host);
    else
        set_fix(d, f, "eksauth sync (it rebuilds a damaged DB)");
}

/*
 * The fleet's id key (lib/idkey.c, as sync, PAM and NSS read it) against
 * the DB's: without one, templated uids can be aimed; a keyed DB without
 * its key answers no templated name.
 */
/*
 * The id key's host path: under --root the host's default; on this host
 * where NSS would look.  An EKSAUTH_ID_KEY that is not absolute is
 * refused (lib/idkey.c) with err set.
 */
static enum eksauth_status id_key_path(const struct doctor *d, const char **path,
                                       struct eksauth_error *err)
{
    *path = d->cfg.id_key_file != NULL ? d->cfg.id_key_file
            : d->root[0] != '\0'       ? EKSAUTH_ID_KEY_PATH
                                       : NULL;
    return *path != NULL ? EKSAUTH_OK : eksauth_idkey_default_path(path, err);
}

static void check_id_key(struct doctor *d)
{
    const char *host;
    enum eksauth_status st;
    bool keyed = d->db != NULL && eksauth_iddb_keyed(d->db, NULL), present = false;
    bool templates = d->db != NULL && eksauth_iddb_template_count(d->db) > 0;
    char real[PATH_MAX], msg[EKSAUTH_ERROR_MAX], *run;
    struct eksauth_id_key key;
    struct eksauth_error err;
    uint64_t check = 0;
    struct finding *f;

    if (keyed)
        eksauth_iddb_keyed(d->db, &check);
    if (id_key_path(d, &host, &err) != EKSAUTH_OK) {
        f = report(d, LV_ERROR, "ids", NULL,
                   "%s: sync, PAM and NSS refuse it, and no templated name is served", err.msg);
        set_fix(d, f, "give EKSAUTH_ID_KEY the key file's absolute path, or unset it");
        return;
    }
    rooted_file(d, host, real);
    st = eksauth_idkey_load(real, &key, &present, &err);
    if (st != EKSAUTH_OK) {
        fmt(msg, sizeof(msg), "%s", err.msg);
        unroot(d, msg);
    }
    if (st == EKSAUTH_EIO) {
        /* Root's alone by design: another user cannot judge it. */
        f = report(d, LV_WARNING, "ids", host, "cannot read it (%s): the id key was not checked",
                   msg);
        set_fix(d, f, "run eksauth doctor as root");
    } else if (st != EKSAUTH_OK) {
        /* The library's refusal, in its words; its "run: ..." is the fix. */
        run = strstr(msg, "; run: ");
        if (run != NULL)
            *run = '\0';
        f = report(d, LV_ERROR, "ids", host,
                   "%s: sync, PAM and NSS refuse it, and no templated name is served", msg);
        set_fix(d, f, "%s",
                run != NULL ? run + 7 : "replace it with a root-only copy of the fleet's key");
    } else if (d->db == NULL) {
        /* No DB to compare with (db's own finding says why): the file alone was checked. */
    } else if (!present && keyed) {
        f = report(d, LV_ERROR, "ids", host,
                   "missing, but the identity DB's ids are keyed: NSS answers no templated name "
                   "and such logins are refused");
        set_fix(d, f,
                "put the fleet's key back (the same file as on the other hosts), or run "
                "eksauth sync to write the DB without one");
    } else if (!present && templates) {
        f = report(d, LV_WARNING, "ids", host,
                   "missing: templated uids are predictable: anyone who can choose a session name "
                   "can aim at a uid");
        set_fix(d, f,
                "(umask 077; head -c 32 /dev/urandom > %s) (mode 0600 from the start; the same "
                "file on every host), then eksauth sync",
                host);
    } else if (present && keyed && check != key.check) {
        f = report(d, LV_ERROR, "ids", host,
                   "not the key the identity DB was written with: NSS answers no templated name "
                   "and such logins are refused until the next sync");
        set_fix(d, f,
                "eksauth sync (recorded ids stay; names not yet recorded get ids by the new "
                "key)");
    } else if (present && !keyed) {
        f = report(d, LV_WARNING, "ids", host,
                   "the identity DB was written without it: templated ids stay unkeyed until the "
                   "next sync");
        set_fix(d, f, "eksauth sync");
    } else if (present) {
        report(d, LV_OK, "ids", host,
               "the id key of the identity DB: templated uids cannot be aimed");
    }
    explicit_bzero(&key, sizeof(key));
    /* The NSS module reads no config: a key elsewhere leaves it without one. */
    if (d->cfg.id_key_file != NULL && strcmp(d->cfg.id_key_file, EKSAUTH_ID_KEY_PATH) != 0) {
        f = report(d, LV_WARNING, "ids", d->conf_host,
                   "id_key_file is %s, but the NSS module reads %s: it answers no templated name "
                   "when the DB is keyed",
                   d->cfg.id_key_file, EKSAUTH_ID_KEY_PATH);
        set_fix(d, f, "keep the key at %s and remove id_key_file", EKSAUTH_ID_KEY_PATH);
    }
}

/*
 * uid_min..uid_max against /etc/login.defs, the ids of the local accounts and
 * their blocks of subordinate ids (lib/id_policy.c).
 */
static void check_id_range(struct doctor *d)
{
    char pw[PATH_MAX], gr[PATH_MAX], *text = NULL;
    struct eksauth_strlist findings = {0};
    struct eksauth_login_defs defs;
    struct eksauth_hostfiles hf;
    struct eksauth_error err;
    size_t len = 0, i;
    struct finding *f;

    /* Only its ranges: a missing file leaves shadow-utils' defaults, as useradd has them. */
    if (slurp(d, EKSAUTH_LOGIN_DEFS_PATH, &text, &len) != 0)
        len = 0;
    eksauth_login_defs_parse(text != NULL ? text : "", len, &defs);
    free(text);
    if (eksauth_hostfiles_load(&hf, rooted_file(d, "/etc/passwd", pw),
                               rooted_file(d, "/etc/group", gr), &err) != EKSAUTH_OK) {
        f = report(d, LV_WARNING, "ids", "/etc/passwd", "cannot read the local accounts: %s",
                   err.msg);
        set_fix(d, f, "run eksauth doctor as root");
        return;
    }
    /* Delegated blocks are held like local ids (lib/hostfiles.c): say which the range holds. */
    if (eksauth_id_policy_range(d->cfg.uid_min, d->cfg.uid_max, &defs, hf.ids, hf.n_ids, &findings,
                                &err) != EKSAUTH_OK ||
        eksauth_id_policy_subordinate(d->cfg.uid_min, d->cfg.uid_max, hf.subs, hf.n_subs, &findings,
                                      &err) != EKSAUTH_OK) {
        d->nomem = true;
    } else if (findings.n == 0) {
        report(d, LV_OK, "ids", d->conf_host,
               "uid_min..uid_max (%u-%u) is clear of /etc/login.defs' ranges, the local ids and "
               "the subordinate ids of /etc/subuid and /etc/subgid",
               d->cfg.uid_min, d->cfg.uid_max);
    }
    for (i = 0; i < findings.n; i++)
        report_split(d, LV_WARNING, "ids", d->conf_host, findings.v[i]);
    eksauth_strlist_free(&findings);
    eksauth_hostfiles_free(&hf);
}

static void check_db_file(struct doctor *d)
{
    const char *host = db_path(d);
    char real[PATH_MAX], age[64];
    struct eksauth_error err;
    enum eksauth_status st;
    struct finding *f;
    struct stat sb;
    uint32_t users, groups, templates;
    bool trusted;

    rooted_file(d, host, real);
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

void check_db(struct doctor *d)
{
    check_db_file(d);
    check_id_key(d);
    check_id_range(d);
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
    fmt(paths.state, sizeof(paths.state), "%s", rooted_file(d, host, real));
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

/* An enable link of a sync, its unit and the unit that unit starts (itself for a service). */
struct sync_unit {
    const char *link, *unit, *starts;
};

/*
 * The file that masks unit (a link to /dev/null or an empty file in
 * /etc/systemd/system or /run/systemd/system, as systemd.unit(5) says), or
 * NULL.  A masked unit is never started, its enable link kept or not.
 */
static const char *unit_mask(const struct doctor *d, const char *unit, char *host, size_t n)
{
    static const char *const dirs[] = {"/etc/systemd/system", "/run/systemd/system"};
    char real[PATH_MAX], target[16];
    struct stat st;
    ssize_t len;
    size_t i;

    for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        fmt(host, n, "%s/%s", dirs[i], unit);
        if (lstat(rooted(d, host, real), &st) != 0)
            continue;
        if (S_ISREG(st.st_mode) && st.st_size == 0)
            return host;
        len = S_ISLNK(st.st_mode) ? readlink(real, target, sizeof(target) - 1) : -1;
        if (len > 0 && (size_t)len == strlen("/dev/null") && memcmp(target, "/dev/null", 9) == 0)
            return host;
    }
    return NULL;
}

/*
 * The unit of u that is masked, its file in *host, or NULL: u itself, or
 * the unit it starts (the timer's eksauth-sync.service, which `systemctl
 * mask eksauth-sync` masks): either way no sync runs.
 */
static const char *masked_part(const struct doctor *d, const struct sync_unit *u, char *host,
                               size_t n)
{
    if (unit_mask(d, u->unit, host, n) != NULL)
        return u->unit;
    if (strcmp(u->starts, u->unit) != 0 && unit_mask(d, u->starts, host, n) != NULL)
        return u->starts;
    return NULL;
}

void check_sync_enabled(struct doctor *d)
{
    static const struct sync_unit units[] = {
        {"/etc/systemd/system/timers.target.wants/eksauth-sync.timer", "eksauth-sync.timer",
         "eksauth-sync.service"},
        {"/etc/systemd/system/multi-user.target.wants/eksauth-watch.service",
         "eksauth-watch.service", "eksauth-watch.service"},
    };
    char mask[PATH_MAX], masked[PATH_MAX] = "", why[96];
    const char *part, *masked_name = NULL;
    const struct sync_unit *masked_unit = NULL;
    struct finding *f;
    size_t i;

    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (!path_exists(d, units[i].link))
            continue;
        /* systemctl mask keeps the enable link: "enabled" alone would hide a sync that never runs.
         */
        part = masked_part(d, &units[i], mask, sizeof(mask));
        if (part == NULL) {
            report(d, LV_OK, "sync", units[i].link, "%s is enabled", units[i].unit);
            return;
        }
        if (masked_unit == NULL) {
            masked_unit = &units[i];
            masked_name = part;
            fmt(masked, sizeof(masked), "%s", mask);
        }
    }
    if (masked_unit != NULL) {
        if (strcmp(masked_name, masked_unit->unit) == 0)
            fmt(why, sizeof(why), "masked");
        else
            fmt(why, sizeof(why), "%s, which it starts, is masked", masked_name);
        f = report(d, LV_WARNING, "sync", masked,
                   "%s is enabled but %s: no sync runs, so changes to aws-auth (revocations too) "
                   "reach this host only when someone runs eksauth sync",
                   masked_unit->unit, why);
        set_fix(d, f, "systemctl unmask %s && systemctl start %s", masked_name, masked_unit->unit);
        return;
    }
    f = report(d, LV_WARNING, "sync", NULL,
               "neither eksauth-sync.timer nor eksauth-watch.service is enabled: changes to "
               "aws-auth (revocations too) reach this host only when someone runs eksauth sync");
    set_fix(d, f, "systemctl enable --now eksauth-sync.timer");
}

/*
 * This host's inputs to the plan (snapshot.h: the config's bytes, the id
 * key, the local accounts), read under --root as a login reads them on the
 * host, into inputs ("" when one cannot be read as this user).  False when
 * the config or the key is refused: their own findings say so, and no
 * index fits then.
 */
static bool host_inputs(struct doctor *d, const char *config, char inputs[64 + 1])
{
    char key[PATH_MAX], pw[PATH_MAX], gr[PATH_MAX];
    struct eksauth_hostfiles hf;
    struct eksauth_config cfg;
    struct eksauth_error err;
    enum eksauth_status st;
    const char *host;
    bool ok = false;

    inputs[0] = '\0';
    if (eksauth_config_init(&cfg, &err) != EKSAUTH_OK) {
        d->nomem = true;
        return false;
    }
    if (eksauth_config_load(&cfg, config, false, &err) != EKSAUTH_OK ||
        id_key_path(d, &host, &err) != EKSAUTH_OK)
        goto out;
    st = eksauth_idkey_load(rooted_file(d, host, key), &cfg.id_key, &cfg.id_key_set, &err);
    /* Root's alone by design: another user cannot compare it (the fit says so). */
    ok = st == EKSAUTH_OK || st == EKSAUTH_EIO;
    if (st == EKSAUTH_OK &&
        eksauth_hostfiles_load(&hf, rooted_file(d, "/etc/passwd", pw),
                               rooted_file(d, "/etc/group", gr), &err) == EKSAUTH_OK) {
        eksauth_snapshot_inputs(&cfg, &hf, inputs);
        eksauth_hostfiles_free(&hf);
    }
out:
    explicit_bzero(&cfg.id_key, sizeof(cfg.id_key));
    eksauth_config_free(&cfg);
    return ok;
}

/*
 * The login index beside the DB: whether a login maps through it, by the
 * library's own rule (lib/login_index_fit.c), every block checked.  When
 * it does not fit, logins still work, mapped with the whole snapshot
 * (slower), so a warning: the condition in the library's words, and its
 * fix.  Nothing to say without a DB (its own finding says what to do).
 */
void check_login_index(struct doctor *d)
{
    const char *db = db_path(d), *slash = strrchr(db, '/');
    char host[EKSAUTH_PATH_MAX + 32], inputs[64 + 1], msg[EKSAUTH_ERROR_MAX], prefix[PATH_MAX + 32];
    struct eksauth_login_index *ix = NULL;
    enum eksauth_login_index_fit fit;
    struct eksauth_paths paths;
    struct eksauth_error why;
    struct finding *f;
    char *run, *problem;
    int dir = slash != NULL ? (int)(slash - db) : 0;

    if (d->db == NULL)
        return;
    memset(&paths, 0, sizeof(paths));
    rooted_file(d, d->conf_host, paths.config);
    if (!host_inputs(d, paths.config, inputs))
        return;
    rooted_file(d, db, paths.db);
    fmt(host, sizeof(host), "%.*s/%s", dir, db, EKSAUTH_STATE_NAME);
    rooted_file(d, host, paths.state);
    fmt(host, sizeof(host), "%.*s/%s", dir, db, EKSAUTH_SNAPSHOT_NAME);
    rooted_file(d, host, paths.snapshot);
    fmt(host, sizeof(host), "%.*s/%s", dir, db, EKSAUTH_INDEX_NAME);
    rooted_file(d, host, paths.index);
    /* Judged as PAM judges it: root's files alone. */
    fit = eksauth_login_index_fit(&paths, true, d->db, inputs, true, &ix, &why);
    if (fit == EKSAUTH_LOGIN_INDEX_FITS) {
        report(d, LV_OK, "index", host,
               "the last sync's (generation %llu), fits this host's config, id key and local "
               "accounts: a login reads only its own entries",
               (unsigned long long)eksauth_login_index_tie(ix)->generation);
        eksauth_login_index_close(ix);
        return;
    }
    if (why.status == EKSAUTH_ENOMEM) {
        d->nomem = true;
        return;
    }
    /* The library's "login index: PATH: why; run: fix", naming host paths. */
    fmt(msg, sizeof(msg), "%s", why.msg);
    unroot(d, msg);
    run = strstr(msg, "; run: ");
    if (run != NULL)
        *run = '\0';
    /* The finding names the index already: its problem is what follows. */
    problem = strncmp(msg, "login index: ", 13) == 0 ? msg + 13 : msg;
    fmt(prefix, sizeof(prefix), "%s: ", host);
    if (strncmp(problem, prefix, strlen(prefix)) == 0)
        problem += strlen(prefix);
    f = report(d, LV_WARNING, "index", host,
               "%s: logins map with the whole snapshot instead (correct, but slower the larger "
               "aws-auth is)",
               problem);
    if (fit == EKSAUTH_LOGIN_INDEX_INPUTS_UNKNOWN)
        set_fix(d, f, "run eksauth doctor as root");
    else
        set_fix(d, f, "%s", run != NULL ? run + 7 : "eksauth sync");
}
