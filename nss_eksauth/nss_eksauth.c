/*
 * nss_eksauth.c - libnss_eksauth.so.2: passwd, group and initgroups from
 * the identity DB, for "passwd: files eksauth" and "group: files eksauth".
 *
 * Contract (glibc nss_files is the model):
 *  - a short buffer gives ERANGE + NSS_STATUS_TRYAGAIN with nothing written,
 *    and the same call with a bigger buffer gives the same answer;
 *  - NSS_STATUS_NOTFOUND only for "no such entry", NSS_STATUS_UNAVAIL when
 *    the DB is missing, untrusted or corrupt, or the local files unreadable;
 *  - thread-safe and cancellation-safe: one process-wide mapping behind one
 *    mutex, cancellation off at every cancellation point while it is held
 *    (below);
 *  - no network, no syslog, no allocation per lookup but initgroups' array
 *    (the caller's; opening the DB allocates its handle, kept for the
 *    process), descriptors close-on-exec, and no call into NSS (no
 *    recursion): local names are read from /etc/passwd and /etc/group
 *    directly, and subordinate ids from /etc/subuid and /etc/subgid.
 * A name that fits a username template of the current aws-auth, and that
 * neither the DB nor a local file holds, is answered by getpwnam_r only
 * (never enumerated), with the one uid its first login will record and the
 * users' group as its gid (lib/iddb_template.c): its id held by anyone, a
 * local account's or its subordinate ids included, means no answer.  When the DB's ids are keyed,
 * only root reads the key (sshd resolves names as root, before PAM): any
 * other process gets no answer for such a name, so nobody can ask which
 * uid a session name would get.
 * A DB entry whose name a local file holds (a local user or group made
 * after the last sync) is not served by any lookup until the next sync
 * drops it: see "Local names" below.
 * The DB path is fixed (EKSAUTH_DB_PATH) except for EKSAUTH_DB read with
 * secure_getenv: the module never reads the config file; what it needs
 * (id range, home, shell, templates, denied names) is in the DB header.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdalign.h>
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "eksauth/names.h"
#include "eksauth/trust.h"
#include "local_files.h"
#include "nss_eksauth.h"

static_assert(sizeof(uid_t) == sizeof(uint32_t) && sizeof(gid_t) == sizeof(uint32_t),
              "ids are 32 bits");

/*
 * The one process-wide cache, the module's only mutable state; every field
 * is guarded by cache_lock.  A lookup in the steady state makes no system
 * call: the mapping tells when a writer replaces the file (the stale mark,
 * docs/identity-db.md), and the path is stat()ed only then, when there is
 * no good mapping, and at most once every RECHECK_S seconds otherwise (so a
 * file replaced, removed, chmod'ed or chown'ed by hand, without the mark, is
 * noticed within that bound).  The local files get the same bound (below).
 */
#define RECHECK_S 1
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct eksauth_iddb *cache_db;
static unsigned long cache_serial;    /* +1 each time a file is mapped */
static struct timespec cache_checked; /* CLOCK_MONOTONIC_COARSE of the last stat of the path */
static bool cache_bad_valid; /* the file at cache_bad failed to open: not retried for RECHECK_S */
static struct eksauth_iddb_stamp cache_bad;
static struct timespec cache_bad_at; /* CLOCK_MONOTONIC_COARSE of that failed open */

/*
 * An enumeration lists the DB mapped at its first get*ent, whole, even when
 * a sync replaces the file meanwhile, as nss_files lists the /etc/passwd it
 * opened even when useradd renames a new one over it: an index into
 * whichever DB is current would skip an entry or give one twice.  Its
 * mapping is kept until set*ent, end*ent or its last entry (release()).
 */
struct enumeration {
    struct eksauth_iddb *db; /* NULL: not started (or done) */
    uint32_t next;           /* the position in db */
    bool done;               /* its last entry given: NOTFOUND until set*ent or end*ent */
};
static struct enumeration pw_enum, gr_enum;

/*
 * DB entries whose names the local files hold (see "Local names"): found by
 * one read of /etc/passwd and /etc/group each time the DB or either file
 * changes.  The files are stat()ed by a process's first lookup, after the DB
 * changes, and then at most once every RECHECK_S seconds.  Guarded by
 * cache_lock like the rest.
 */
#define CLASH_MAX 32

/* Two local files as last stat()ed: a change to either is a change. */
struct file_pair {
    struct eksauth_iddb_stamp st[2];
    bool seen[2]; /* whether each file existed */
};

struct clashes {
    bool valid;
    struct timespec checked;  /* CLOCK_MONOTONIC_COARSE of the last stat of the files */
    unsigned long serial;     /* the mapping (cache_serial) they were found in */
    struct file_pair files;   /* /etc/passwd, /etc/group */
    uint32_t uids[CLASH_MAX]; /* DB users named like a local user or group */
    uint32_t gids[CLASH_MAX]; /* DB groups named like a local group */
    unsigned n_uids, n_gids;
    bool overflow;   /* more than CLASH_MAX: read the files per answer */
    bool unreadable; /* a file could not be read, by the scan or for a name: UNAVAIL, and read
                        again next lookup */
};
static struct clashes clash;

/*
 * The blocks of subordinate ids (local_files.h), asked about by templated
 * names alone: read by a process's first such lookup, then again when the
 * DB or either file changes, the files stat()ed at most once every
 * RECHECK_S seconds, as the local names above.  Other lookups never touch
 * them.  Guarded by cache_lock like the rest.
 */
static struct {
    bool valid;
    struct timespec checked; /* CLOCK_MONOTONIC_COARSE of the last stat of the files */
    unsigned long serial;    /* the mapping (cache_serial) they were last checked with */
    struct file_pair files;  /* /etc/subuid, /etc/subgid */
    struct nss_subids set;
} subids;

/* fork() waits for a lookup in progress, so the child never inherits a held mutex. */
static void atfork_prepare(void)
{
    pthread_mutex_lock(&cache_lock);
}

static void atfork_release(void)
{
    pthread_mutex_unlock(&cache_lock);
}

static void register_atfork(void)
{
    pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

/*
 * An entry point that takes the lock may hold it across cancellation points
 * (open, read, fopen, fgets, close: the DB, the id key, the local files),
 * and a thread cancelled there would leave it held: every later lookup in
 * the process, and fork() (atfork_prepare), would wait for ever.  So
 * cancellation is off from the first such point to unlock, as glibc's own
 * modules have it: cancel_off() comes before every path that can reach
 * one, and the caller's state comes back at unlock; a pending request acts
 * at the caller's next cancellation point.  A warm lookup (the mapping and
 * the clash list current, the answer a record of the DB) reaches none, and
 * is spared the two atomic updates of the thread's cancellation word, the
 * largest piece of its fixed work (bench/README.md, "Eighth pass
 * (2026-12-07)").  tests/integration/nss_cancel.c holds it.
 */
static bool cache_cancel_off;  /* cancel_off() since lock_cache: guarded by cache_lock */
static int cache_cancel_state; /* the holder's state before cancel_off(): guarded by cache_lock */

static void lock_cache(void)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&cache_lock);
    cache_cancel_off = false;
}

/* Lock held, before anything that can reach a cancellation point: none until unlock_cache. */
static void cancel_off(void)
{
    if (!cache_cancel_off) {
        pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cache_cancel_state);
        cache_cancel_off = true;
    }
}

static void unlock_cache(void)
{
    bool restore = cache_cancel_off;
    int old = cache_cancel_state;

    pthread_mutex_unlock(&cache_lock);
    if (restore)
        pthread_setcancelstate(old, NULL);
}

/*
 * The coarse monotonic clock (read without a system call); false when it
 * cannot be read, and then every check is due.
 */
static bool coarse_now(struct timespec *now)
{
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, now) == 0)
        return true;
    memset(now, 0, sizeof(*now));
    return false;
}

/* Was last (a coarse time) less than RECHECK_S seconds before now? */
static bool recent(const struct timespec *last, const struct timespec *now, bool clock_ok)
{
    return clock_ok && now->tv_sec >= last->tv_sec && now->tv_sec - last->tv_sec < RECHECK_S;
}

/* Unmap db (lock held) unless it is still the current DB or an enumeration's. */
static void release(struct eksauth_iddb *db)
{
    if (db != NULL && db != cache_db && db != pw_enum.db && db != gr_enum.db)
        eksauth_iddb_close(db);
}

/* The current DB is no longer current (lock held). */
static void drop_cache_db(void)
{
    struct eksauth_iddb *old = cache_db;

    cache_db = NULL;
    release(old);
}

/* The file stamped now was refused at t (lock held): not tried again for RECHECK_S; NULL. */
static struct eksauth_iddb *refuse_bad(const struct eksauth_iddb_stamp *now,
                                       const struct timespec *t, int *errnop)
{
    cache_bad = *now;
    cache_bad_at = *t;
    cache_bad_valid = true;
    *errnop = EIO;
    return NULL;
}

/*
 * Is the file stamped now the one db maps?  While db bears the writer's
 * stale mark, its mtime and ctime are not compared: the mark is a pwrite
 * into this very file (lib/iddb_replace.c, set_stale), which changes both,
 * and the same file must go on being served until the rename
 * (docs/identity-db.md, "Staleness"), not mapped again and the local files
 * read again by every process.  Device, inode, size, mode and owner still
 * are: the renamed file is another inode.
 */
static bool same_db_file(const struct eksauth_iddb *db, const struct eksauth_iddb_stamp *now)
{
    const struct eksauth_iddb_stamp *was = eksauth_iddb_get_stamp(db);

    if (!eksauth_iddb_is_stale(db))
        return eksauth_iddb_stamp_equal(was, now);
    return was->dev == now->dev && was->ino == now->ino && was->size == now->size &&
           was->mode == now->mode && was->uid == now->uid;
}

/*
 * The current DB (lock held), or NULL with *errnop set: missing, untrusted
 * or corrupt.  Without a stale mark and within RECHECK_S of the last check
 * this is the mapping as it is, with no system call.
 */
static struct eksauth_iddb *current_db(const struct timespec *t, bool clock_ok, int *errnop)
{
    const char *path;
    struct eksauth_iddb_stamp now;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;

    if (cache_db != NULL && !eksauth_iddb_is_stale(cache_db) && recent(&cache_checked, t, clock_ok))
        return cache_db;
    cancel_off();
    cache_checked = *t;
    path = eksauth_iddb_default_path();
    if (!eksauth_iddb_stat(path, &now)) {
        *errnop = errno;
        /* Gone: drop the old mapping, or a revoked user would stay served. */
        drop_cache_db();
        cache_bad_valid = false;
        return NULL;
    }
    /*
     * Same file, same owner and mode: still current (a stale one until its
     * writer renames), while its folder passes the open's rule (lib/iddb.c):
     * one made writable since lets anyone move the DB aside before a sync and
     * put it back after, this very file with this very stamp.
     */
    if (cache_db != NULL && same_db_file(cache_db, &now)) {
        if (eksauth_trust_check_folder(path, &err) == EKSAUTH_OK)
            return cache_db;
        drop_cache_db();
        return refuse_bad(&now, t, errnop);
    }
    /*
     * The same broken file as last time: refuse again without re-reading
     * it, for RECHECK_S.  Not for longer: the failure may have been the
     * process's (out of descriptors or memory) or the folder's (fixed since),
     * and neither changes the file's stamp.
     */
    if (cache_db == NULL && cache_bad_valid && eksauth_iddb_stamp_equal(&cache_bad, &now) &&
        recent(&cache_bad_at, t, clock_ok)) {
        *errnop = EIO;
        return NULL;
    }
    drop_cache_db();
    if (eksauth_iddb_open(path, &db, &err) != EKSAUTH_OK) {
        refuse_bad(&now, t, errnop);
        *errnop = err.status == EKSAUTH_EUNAVAIL ? ENOENT : EIO;
        return NULL;
    }
    cache_bad_valid = false;
    cache_db = db;
    cache_serial++;
    return db;
}

/* ------------------------------------------------------------------------ */
/* Local names.                                                              */

/*
 * The sync refuses a login or group named like a local user or group
 * (lib/identity.c), but one can be made locally between two syncs.  With
 * "files eksauth", files answers lookups by that name first, not lookups by
 * id, enumeration or initgroups: getgrgid(gid of eksauth's "ops") would
 * still say "ops", and sudo (match_group_by_gid off, its default) names a
 * user's gids that way, so eksauth's "ops" would match the sudoers rules
 * of the local "ops"; a group listing eksauth's "alice" would, by name,
 * list the local alice; initgroups of the local alice would add eksauth
 * alice's groups.  So an entry whose name is local is served by no lookup
 * (fail closed) until the next sync drops it.
 */
static void clash_add(uint32_t *ids, unsigned *n, uint32_t id)
{
    if (*n < CLASH_MAX)
        ids[(*n)++] = id;
    else
        clash.overflow = true;
}

/* Note the DB users (and, for /etc/group, groups) named like a line of file. */
static bool scan_local(const struct eksauth_iddb *db, const char *file, bool groups)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct nss_local_lines r;
    char *line, *colon;

    if (!nss_local_open(&r, file))
        return errno == ENOENT;
    /* As glibc reads the file: " alice:x:..." is alice's entry (local_files.c). */
    while ((line = nss_local_next(&r)) != NULL) {
        colon = strchr(line, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        /* Most local names are no DB name: the filter says so without touching the indexes. */
        if (!eksauth_iddb_maybe_named(db, line))
            continue;
        if (eksauth_iddb_user_by_name(db, line, &u) == EKSAUTH_OK)
            clash_add(clash.uids, &clash.n_uids, u.uid);
        /* A group_map group is local by design: files serves it, not us. */
        if (groups && eksauth_iddb_group_by_name(db, line, &g) == EKSAUTH_OK &&
            (g.flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0)
            clash_add(clash.gids, &clash.n_gids, g.gid);
    }
    return nss_local_close(&r);
}

static bool stat_or_zero(const char *path, struct eksauth_iddb_stamp *st)
{
    bool seen;

    memset(st, 0, sizeof(*st));
    seen = eksauth_iddb_stat(path, st);
    if (!seen)
        memset(st, 0, sizeof(*st));
    return seen;
}

/* Stamp files a and b into *p. */
static void stat_pair(struct file_pair *p, const char *a, const char *b)
{
    p->seen[0] = stat_or_zero(a, &p->st[0]);
    p->seen[1] = stat_or_zero(b, &p->st[1]);
}

static bool pair_equal(const struct file_pair *x, const struct file_pair *y)
{
    return x->seen[0] == y->seen[0] && x->seen[1] == y->seen[1] &&
           eksauth_iddb_stamp_equal(&x->st[0], &y->st[0]) &&
           eksauth_iddb_stamp_equal(&x->st[1], &y->st[1]);
}

/* Rebuild clash for db and the files as stamped (stat first, then read: a later change is seen). */
static void rescan_clashes(const struct eksauth_iddb *db, const struct timespec *now,
                           const struct file_pair *files)
{
    memset(&clash, 0, sizeof(clash));
    clash.checked = *now;
    clash.serial = cache_serial;
    clash.files = *files;
    clash.unreadable = !scan_local(db, "/etc/passwd", false) || !scan_local(db, "/etc/group", true);
    clash.valid = true;
}

/*
 * Bring clash up to date with db and the local files (lock held).  A new
 * local name is seen within RECHECK_S by a process that already looked up;
 * a process's first lookup always checks (sudo, login, id).  Files that
 * could not be read (perhaps out of descriptors for a moment) are read
 * again by the next lookup, not kept.
 */
static void refresh_clashes(const struct eksauth_iddb *db, const struct timespec *now,
                            bool clock_ok)
{
    struct file_pair files;
    bool same_db = clash.valid && !clash.unreadable && clash.serial == cache_serial;

    if (same_db && recent(&clash.checked, now, clock_ok))
        goto out;
    cancel_off();
    stat_pair(&files, "/etc/passwd", "/etc/group");
    if (same_db && pair_equal(&clash.files, &files))
        clash.checked = *now;
    else
        rescan_clashes(db, now, &files);
out:
    return;
}

/*
 * Bring subids up to date (lock held): within RECHECK_S of the last check
 * and with the same DB mapped, no system call; then a stat of each file,
 * and a read only when one changed (stat first, then read: a later change
 * is seen).
 */
static const struct nss_subids *current_subids(void)
{
    struct timespec now;
    bool clock_ok = coarse_now(&now);
    bool same_db = subids.valid && subids.serial == cache_serial;
    struct file_pair files;

    if (same_db && recent(&subids.checked, &now, clock_ok))
        goto out;
    cancel_off();
    subids.checked = now;
    subids.serial = cache_serial;
    stat_pair(&files, nss_subid_file(false), nss_subid_file(true));
    /* Unreadable last time (perhaps out of descriptors): tried again, not kept. */
    if (subids.valid && !subids.set.unreadable && pair_equal(&subids.files, &files))
        goto out;
    subids.files = files;
    nss_subids_read(&subids.set, nss_subid_file(false), nss_subid_file(true));
    subids.valid = true;
out:
    return &subids.set;
}

static bool has_id(const uint32_t *ids, unsigned n, uint32_t id)
{
    bool found = false;
    unsigned i;

    for (i = 0; i < n && !found; i++)
        found = ids[i] == id;
    return found;
}

/*
 * Whether db's names are checked against the local files one by one: more
 * clashes than the list holds, or db is not the mapping the list was found
 * in (an enumeration's DB, replaced since).
 */
static bool clash_by_name(const struct eksauth_iddb *db)
{
    return clash.overflow || db != cache_db;
}

/*
 * Is l, the local files' word on a name, "not there"?  When they could not
 * be read, the lookup that asked is UNAVAIL (lookup_status), not an answer
 * without that entry.
 */
static bool not_local(enum nss_local l)
{
    if (l == NSS_LOCAL_UNREADABLE)
        clash.unreadable = true;
    return l == NSS_LOCAL_NO;
}

/* Is this user of db's login free of local names (db_for_lookup done)? */
static bool user_served(const struct eksauth_iddb *db, const char *login, uint32_t uid)
{
    if (clash_by_name(db)) {
        cancel_off();
        return not_local(nss_local_name(login));
    }
    return !has_id(clash.uids, clash.n_uids, uid);
}

/* Is this group of db eksauth's to serve: not group_map's, and not named like a local group? */
static bool group_served(const struct eksauth_iddb *db, const struct eksauth_iddb_group *g)
{
    if ((g->flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0)
        return false;
    if (clash_by_name(db)) {
        cancel_off();
        return not_local(nss_local_file_has("/etc/group", g->name));
    }
    return !has_id(clash.gids, clash.n_gids, g->gid);
}

/* Is member (a login in a group of the DB) one whose name is a DB user's, not a local one? */
static bool member_served(const struct eksauth_iddb *db, const char *m)
{
    struct eksauth_iddb_user u;

    if (clash.n_uids == 0 && !clash_by_name(db))
        return true;
    return eksauth_iddb_user_by_name(db, m, &u) != EKSAUTH_OK || user_served(db, u.login, u.uid);
}

/* ------------------------------------------------------------------------ */
/* Filling the caller's structures: size first, write only when all fits.   */

/*
 * The password field: "*" (no password here, as SSSD does), not "x": "x"
 * sends pam_unix to /etc/shadow, which has no entry for a mapped user, and
 * its account stage would then refuse every eksauth user.
 */
#define NO_PASSWORD "*"

static enum nss_status erange(int *errnop)
{
    *errnop = ERANGE;
    return NSS_STATUS_TRYAGAIN;
}

static enum nss_status from_status(enum eksauth_status st, int *errnop)
{
    if (st == EKSAUTH_ENOTFOUND) {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    /* A malformed record: the DB is not usable for this answer. */
    *errnop = EIO;
    return NSS_STATUS_UNAVAIL;
}

static char *put(char **p, const char *s, size_t len)
{
    char *d = *p;

    memcpy(d, s, len);
    d[len] = '\0';
    *p += len + 1;
    return d;
}

struct pw_view {
    const char *name, *gecos, *home, *shell;
    size_t name_len, gecos_len, home_len, shell_len;
    uint32_t uid, gid;
};

static enum nss_status fill_pw(const struct pw_view *v, struct passwd *pw, char *buf, size_t buflen,
                               int *errnop)
{
    size_t need = v->name_len + 1 + sizeof(NO_PASSWORD) + v->gecos_len + 1 + v->home_len + 1 +
                  v->shell_len + 1;
    char *p = buf;

    /* The whole entry fits, or nothing is written (the caller retries bigger). */
    if (buf == NULL || need > buflen)
        return erange(errnop);
    pw->pw_name = put(&p, v->name, v->name_len);
    pw->pw_passwd = put(&p, NO_PASSWORD, sizeof(NO_PASSWORD) - 1);
    pw->pw_gecos = put(&p, v->gecos, v->gecos_len);
    pw->pw_dir = put(&p, v->home, v->home_len);
    pw->pw_shell = put(&p, v->shell, v->shell_len);
    pw->pw_uid = v->uid;
    pw->pw_gid = v->gid;
    return NSS_STATUS_SUCCESS;
}

/* The entry of a DB user already found served. */
static enum nss_status pw_entry(const struct eksauth_iddb_user *u, struct passwd *pw, char *buf,
                                size_t buflen, int *errnop)
{
    struct pw_view v = {u->login,     u->gecos,    u->home,      u->shell, u->login_len,
                        u->gecos_len, u->home_len, u->shell_len, u->uid,   u->gid};

    return fill_pw(&v, pw, buf, buflen, errnop);
}

/* The answer for a DB user lookup that ended in st: the entry, or why not. */
static enum nss_status pw_answer(const struct eksauth_iddb *db, enum eksauth_status st,
                                 const struct eksauth_iddb_user *u, struct passwd *pw, char *buf,
                                 size_t buflen, int *errnop)
{
    if (st == EKSAUTH_OK && !user_served(db, u->login, u->uid))
        st = EKSAUTH_ENOTFOUND;
    if (st != EKSAUTH_OK)
        return from_status(st, errnop);
    return pw_entry(u, pw, buf, buflen, errnop);
}

/* Where gr_mem goes in buf: the first pointer-aligned byte. */
static size_t mem_pad(const char *buf)
{
    uintptr_t base = (uintptr_t)buf;

    return (size_t)(((base + alignof(char *) - 1) & ~(uintptr_t)(alignof(char *) - 1)) - base);
}

/*
 * The members when some DB user is named like a local one (rare): each
 * member is checked, and only those served are listed.  Two passes over
 * the members: sizes, then copies.
 */
static enum nss_status gr_fill_filtered(const struct eksauth_iddb *db,
                                        const struct eksauth_iddb_group *g, struct group *gr,
                                        char *buf, size_t buflen, int *errnop)
{
    size_t need, strings, pad, mlen;
    uint32_t j, k, n = 0;
    const char *m;
    char **mem, *p;

    strings = g->name_len + 1 + sizeof(NO_PASSWORD);
    for (j = 0; j < g->n_members; j++) {
        /* A malformed member means no entry at all. */
        if (eksauth_iddb_group_member(db, g, j, &m, &mlen) != EKSAUTH_OK)
            return from_status(EKSAUTH_EINVAL, errnop);
        if (member_served(db, m)) {
            strings += mlen + 1;
            n++;
        }
    }
    if (buf == NULL)
        return erange(errnop);
    pad = mem_pad(buf);
    need = pad + ((size_t)n + 1) * sizeof(char *) + strings;
    if (need > buflen)
        return erange(errnop);
    mem = (char **)(void *)(buf + pad);
    p = (char *)(mem + n + 1);
    gr->gr_name = put(&p, g->name, g->name_len);
    gr->gr_passwd = put(&p, NO_PASSWORD, sizeof(NO_PASSWORD) - 1);
    for (j = 0, k = 0; j < g->n_members; j++) {
        /* Checked in the first pass; the mapping cannot change while we hold the lock. */
        eksauth_iddb_group_member(db, g, j, &m, &mlen);
        if (!member_served(db, m))
            continue;
        /*
         * The local files are read again for each member, and root may add
         * or remove a local user between the two passes: a member served
         * now that was not then has no room.  Never past what the first
         * pass sized (the caller's buffer); the answer changed, ask again.
         */
        if (k == n || (size_t)(p - buf) + mlen + 1 > need) {
            *errnop = EAGAIN;
            return NSS_STATUS_TRYAGAIN;
        }
        mem[k++] = put(&p, m, mlen);
    }
    mem[k] = NULL;
    gr->gr_mem = mem;
    gr->gr_gid = g->gid;
    return NSS_STATUS_SUCCESS;
}

/* The entry of a DB group already found served. */
static enum nss_status gr_entry(const struct eksauth_iddb *db, const struct eksauth_iddb_group *g,
                                struct group *gr, char *buf, size_t buflen, int *errnop)
{
    size_t need, pad;
    char **mem, *names, *p;

    if (clash.n_uids > 0 || clash_by_name(db))
        return gr_fill_filtered(db, g, gr, buf, buflen, errnop);
    /*
     * The member logins are one run of NUL-terminated names in the record
     * (copies of logins the writer checked, in a block whose checksum was
     * checked): the size is known from the record alone, and the names are
     * copied in one piece and pointed at (eksauth_iddb_group_copy_members).
     */
    if (buf == NULL)
        return erange(errnop);
    pad = mem_pad(buf);
    need = pad + ((size_t)g->n_members + 1) * sizeof(char *) + g->members_len + g->name_len + 1 +
           sizeof(NO_PASSWORD);
    if (need > buflen)
        return erange(errnop);
    mem = (char **)(void *)(buf + pad);
    names = (char *)(mem + g->n_members + 1);
    if (!eksauth_iddb_group_copy_members(db, g, names, mem))
        return from_status(EKSAUTH_EINVAL, errnop);
    p = names + g->members_len;
    mem[g->n_members] = NULL;
    gr->gr_name = put(&p, g->name, g->name_len);
    gr->gr_passwd = put(&p, NO_PASSWORD, sizeof(NO_PASSWORD) - 1);
    gr->gr_mem = mem;
    gr->gr_gid = g->gid;
    return NSS_STATUS_SUCCESS;
}

/* The answer for a DB group lookup that ended in st: the entry, or why not. */
static enum nss_status gr_answer(const struct eksauth_iddb *db, enum eksauth_status st,
                                 const struct eksauth_iddb_group *g, struct group *gr, char *buf,
                                 size_t buflen, int *errnop)
{
    if (st == EKSAUTH_OK && !group_served(db, g))
        st = EKSAUTH_ENOTFOUND;
    if (st != EKSAUTH_OK)
        return from_status(st, errnop);
    return gr_entry(db, g, gr, buf, buflen, errnop);
}

/* ------------------------------------------------------------------------ */
/* Templated names.                                                          */

/*
 * iddb_template.h's local_id rule (lock held): the local files, and the
 * blocks of subordinate ids as current_subids keeps them, looked at only
 * when a templated name has an id to check.  A file that cannot be read
 * holds it (no answer), and the lookup is UNAVAIL (not_local), not "no
 * such user".
 */
static bool held_locally(void *ctx, uint32_t id)
{
    (void)ctx;
    cancel_off();
    return !not_local(nss_local_id(current_subids(), id));
}

/*
 * The entry of name, a templated name before its first login, whose id
 * eksauth_iddb_served_name gave (lib/iddb_template.c: keyed ids only for
 * root, so no one else can search for a session name that lands on a uid
 * of their choosing by asking NSS).
 */
static enum nss_status template_pw(const struct eksauth_iddb *db, const char *name, uint32_t uid,
                                   struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
    char home[PATH_MAX];
    struct pw_view v;
    size_t hl;

    /* A local account's name is never served through eksauth (docs/names-and-ids.md, "Names eksauth
     * never serves"). */
    cancel_off();
    if (!not_local(nss_local_name(name)))
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    hl = eksauth_iddb_expand_home(eksauth_iddb_home_pattern(db), name, home, sizeof(home));
    if (hl >= sizeof(home))
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    memset(&v, 0, sizeof(v));
    v.name = name;
    v.name_len = strlen(name);
    v.gecos = "";
    v.home = home;
    v.home_len = hl;
    v.shell = eksauth_iddb_shell(db);
    v.shell_len = strlen(v.shell);
    v.uid = uid;
    v.gid = eksauth_iddb_users_gid(db); /* every login's primary group: none a name can choose */
    return fill_pw(&v, pw, buf, buflen, errnop);
}

/* ------------------------------------------------------------------------ */
/* Lookups: by name, by id, or the next entry of an enumeration.            */

enum by {
    BY_NAME,
    BY_ID,
    BY_NEXT,
};

/*
 * An empty name is no one's, and id 0 is root's (uid_t and gid_t are 32 bits
 * on Linux, like our ids): never ours to answer.
 */
static bool never_ours(enum by by, const char *name, uint32_t id)
{
    return (by == BY_NAME && (name == NULL || name[0] == '\0')) || (by == BY_ID && id == 0);
}

/*
 * The current DB with its clashes up to date (lock held), or NULL: UNAVAIL.
 * Local files that cannot be read leave no entry known to be free of a
 * local name: UNAVAIL too, never NOTFOUND (no such user).
 */
static struct eksauth_iddb *db_for_lookup(int *errnop)
{
    struct timespec now;
    bool clock_ok = coarse_now(&now);
    struct eksauth_iddb *db = current_db(&now, clock_ok, errnop);

    if (db == NULL)
        goto out;
    refresh_clashes(db, &now, clock_ok);
    if (clash.unreadable) {
        *errnop = EIO;
        db = NULL;
    }
out:
    return db;
}

/* ret, the status of a lookup in the current DB, unless a local file could not be read for it. */
static enum nss_status lookup_status(enum nss_status ret, int *errnop)
{
    if (!clash.unreadable)
        return ret;
    *errnop = EIO;
    return NSS_STATUS_UNAVAIL;
}

/* The DB enumeration e lists (lock held): the one it started in, else current, from now on. */
static struct eksauth_iddb *enum_db(struct enumeration *e, struct eksauth_iddb *current)
{
    if (e->db == NULL)
        e->db = current;
    return e->db;
}

/* e rewound (set*ent, end*ent) or, done, past its last entry: its DB unmapped unless current. */
static void enum_stop(struct enumeration *e, bool done)
{
    struct eksauth_iddb *old = e->db;

    e->db = NULL;
    e->next = 0;
    e->done = done;
    release(old);
}

/*
 * The next user of the enumeration (lock held).  It skips what no lookup
 * serves, a malformed record included, as nss_files skips a bad line:
 * glibc takes UNAVAIL from get*ent as this source's end and moves on to the
 * next source.  ERANGE stays on the entry, so the retry gets it.
 */
static enum nss_status pw_next_entry(struct eksauth_iddb *current, struct passwd *pw, char *buf,
                                     size_t buflen, int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    enum nss_status ret;

    if (pw_enum.done)
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    db = enum_db(&pw_enum, current);
    for (; pw_enum.next < eksauth_iddb_user_count(db); pw_enum.next++) {
        if (eksauth_iddb_user_at(db, pw_enum.next, &u) != EKSAUTH_OK ||
            !user_served(db, u.login, u.uid))
            continue;
        /*
         * Filled as checked: checking again read the local files again
         * (clash_by_name), and a local name made between the two reads
         * gave NOTFOUND, which glibc takes for the end of this source.
         */
        ret = pw_entry(&u, pw, buf, buflen, errnop);
        if (ret == NSS_STATUS_SUCCESS)
            pw_enum.next++;
        return ret;
    }
    enum_stop(&pw_enum, true);
    return from_status(EKSAUTH_ENOTFOUND, errnop);
}

static enum nss_status pw_lookup(enum by by, const char *name, uint32_t uid, struct passwd *pw,
                                 char *buf, size_t buflen, int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    enum eksauth_status st = EKSAUTH_ENOTFOUND;
    enum nss_status ret;
    uint32_t tuid = 0;

    if (never_ours(by, name, uid))
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    lock_cache();
    db = db_for_lookup(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    if (by == BY_NAME) {
        /*
         * The one rule PAM's account stage asks too (lib/iddb_template.c),
         * whose first step is this lookup: a record found is its answer, and
         * only the rest (the id key, the local files) can reach a
         * cancellation point.
         */
        if (eksauth_iddb_user_by_name(db, name, &u) == EKSAUTH_OK) {
            ret = pw_answer(db, EKSAUTH_OK, &u, pw, buf, buflen, errnop);
            goto answered;
        }
        cancel_off();
        switch (eksauth_iddb_served_name(db, name, held_locally, NULL, &u, &tuid)) {
        case EKSAUTH_IDDB_SERVED_RECORD:
            st = EKSAUTH_OK;
            break;
        case EKSAUTH_IDDB_SERVED_TEMPLATED:
            ret = template_pw(db, name, tuid, pw, buf, buflen, errnop);
            goto answered;
        case EKSAUTH_IDDB_SERVED_UNREADABLE:
            ret = from_status(EKSAUTH_EIO, errnop);
            goto answered;
        case EKSAUTH_IDDB_SERVED_NO:
        case EKSAUTH_IDDB_SERVED_NO_KEY:
            ret = from_status(EKSAUTH_ENOTFOUND, errnop);
            goto answered;
        }
    } else if (by == BY_ID) {
        st = eksauth_iddb_user_by_uid(db, uid, &u);
    } else {
        ret = pw_next_entry(db, pw, buf, buflen, errnop);
        goto answered;
    }
    ret = pw_answer(db, st, &u, pw, buf, buflen, errnop);
answered:
    ret = lookup_status(ret, errnop);
out:
    unlock_cache();
    return ret;
}

/*
 * The next group of the enumeration (lock held).  Local groups are listed
 * by files; a malformed record, or one whose members fail their checks, is
 * skipped as nss_files skips a bad line: glibc takes UNAVAIL from getgrent
 * as this source's end.  ERANGE stays on the entry, so the retry gets it.
 */
static enum nss_status gr_next_entry(struct eksauth_iddb *current, struct group *gr, char *buf,
                                     size_t buflen, int *errnop)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum nss_status ret;

    if (gr_enum.done)
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    db = enum_db(&gr_enum, current);
    for (; gr_enum.next < eksauth_iddb_group_count(db); gr_enum.next++) {
        if (eksauth_iddb_group_at(db, gr_enum.next, &g) != EKSAUTH_OK || !group_served(db, &g))
            continue;
        /* Filled as checked (pw_next_entry says why). */
        ret = gr_entry(db, &g, gr, buf, buflen, errnop);
        if (ret == NSS_STATUS_SUCCESS)
            gr_enum.next++;
        if (ret != NSS_STATUS_UNAVAIL)
            return ret;
    }
    enum_stop(&gr_enum, true);
    return from_status(EKSAUTH_ENOTFOUND, errnop);
}

static enum nss_status gr_lookup(enum by by, const char *name, uint32_t gid, struct group *gr,
                                 char *buf, size_t buflen, int *errnop)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum eksauth_status st = EKSAUTH_ENOTFOUND;
    enum nss_status ret;

    if (never_ours(by, name, gid))
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    lock_cache();
    db = db_for_lookup(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    if (by == BY_NAME) {
        st = eksauth_iddb_group_by_name(db, name, &g);
    } else if (by == BY_ID) {
        st = eksauth_iddb_group_by_gid(db, gid, &g);
    } else {
        ret = gr_next_entry(db, gr, buf, buflen, errnop);
        goto answered;
    }
    ret = gr_answer(db, st, &g, gr, buf, buflen, errnop);
answered:
    ret = lookup_status(ret, errnop);
out:
    unlock_cache();
    return ret;
}

/* set*ent and end*ent: the next get*ent starts at the first entry of the DB current then. */
static enum nss_status rewind_enum(struct enumeration *e)
{
    lock_cache();
    enum_stop(e, false);
    unlock_cache();
    return NSS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* passwd                                                                    */

enum nss_status _nss_eksauth_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop)
{
    return pw_lookup(BY_NAME, name, 0, pw, buf, buflen, errnop);
}

enum nss_status _nss_eksauth_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                        int *errnop)
{
    return pw_lookup(BY_ID, NULL, (uint32_t)uid, pw, buf, buflen, errnop);
}

enum nss_status _nss_eksauth_setpwent(int stayopen)
{
    (void)stayopen;
    return rewind_enum(&pw_enum);
}

enum nss_status _nss_eksauth_endpwent(void)
{
    return rewind_enum(&pw_enum);
}

enum nss_status _nss_eksauth_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
    return pw_lookup(BY_NEXT, NULL, 0, pw, buf, buflen, errnop);
}

/* ------------------------------------------------------------------------ */
/* group                                                                     */

enum nss_status _nss_eksauth_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop)
{
    return gr_lookup(BY_NAME, name, 0, gr, buf, buflen, errnop);
}

enum nss_status _nss_eksauth_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen,
                                        int *errnop)
{
    return gr_lookup(BY_ID, NULL, (uint32_t)gid, gr, buf, buflen, errnop);
}

enum nss_status _nss_eksauth_setgrent(int stayopen)
{
    (void)stayopen;
    return rewind_enum(&gr_enum);
}

enum nss_status _nss_eksauth_endgrent(void)
{
    return rewind_enum(&gr_enum);
}

enum nss_status _nss_eksauth_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop)
{
    return gr_lookup(BY_NEXT, NULL, 0, gr, buf, buflen, errnop);
}

/* ------------------------------------------------------------------------ */
/* initgroups: the user's groups from the DB alone (no group enumeration).  */

static bool has_gid(const gid_t *groups, long int n, gid_t gid)
{
    long int i;

    for (i = 0; i < n; i++)
        if (groups[i] == gid)
            return true;
    return false;
}

enum nss_status _nss_eksauth_initgroups_dyn(const char *user, gid_t group, long int *start,
                                            long int *size, gid_t **groupsp, long int limit,
                                            int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;
    long int start0 = *start;
    bool any = false;
    uint32_t j;

    if (user == NULL || user[0] == '\0') {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = db_for_lookup(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_user_by_name(db, user, &u);
    /* A local user of that name is not ours: never hand it eksauth's groups. */
    if (st == EKSAUTH_OK && !user_served(db, u.login, u.uid))
        st = EKSAUTH_ENOTFOUND;
    if (st != EKSAUTH_OK) {
        ret = from_status(st, errnop);
        goto answered;
    }
    /*
     * The gids come from the user's own record.  Only when there are more
     * local-name clashes than the list holds is each group record read, to
     * check its name against /etc/group.
     */
    ret = NSS_STATUS_SUCCESS;
    for (j = 0; j < u.n_groups; j++) {
        uint32_t gid, flags;

        eksauth_iddb_user_group_id(db, &u, j, &gid, &flags);
        if ((gid_t)gid == group || has_gid(*groupsp, *start, (gid_t)gid))
            continue;
        /*
         * A group_map group (local by design) is still added: that is its
         * point.  One named like a local group since the last sync is not.
         */
        if ((flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0) {
            if (clash.overflow) {
                if (eksauth_iddb_user_group(db, &u, j, &g) != EKSAUTH_OK) {
                    ret = from_status(EKSAUTH_EINVAL, errnop);
                    goto answered;
                }
                if (!group_served(db, &g))
                    continue;
            } else if (has_id(clash.gids, clash.n_gids, gid)) {
                continue;
            }
        }
        if (*start == *size) {
            long int nsize = *size > 0 ? *size * 2 : 16;
            gid_t *ng;

            /* At the caller's limit: stop quietly, as nss_files does. */
            if (limit > 0 && *size >= limit)
                break;
            if (limit > 0 && nsize > limit)
                nsize = limit;
            ng = realloc(*groupsp, (size_t)nsize * sizeof(gid_t));
            if (ng == NULL) {
                *errnop = ENOMEM;
                ret = NSS_STATUS_TRYAGAIN;
                goto answered;
            }
            *groupsp = ng;
            *size = nsize;
        }
        (*groupsp)[(*start)++] = (gid_t)gid;
        any = true;
    }
    if (!any) {
        *errnop = ENOENT;
        ret = NSS_STATUS_NOTFOUND;
    }
answered:
    ret = lookup_status(ret, errnop);
    /* The groups whole or none: glibc keeps *start whatever the status. */
    if (ret != NSS_STATUS_SUCCESS)
        *start = start0;
out:
    unlock_cache();
    return ret;
}
