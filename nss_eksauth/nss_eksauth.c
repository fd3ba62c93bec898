/*
 * nss_eksauth.c - libnss_eksauth.so.2: passwd, group and initgroups from
 * the identity DB, for "passwd: files eksauth" and "group: files eksauth".
 *
 * Contract (glibc nss_files is the model):
 *  - a short buffer gives ERANGE + NSS_STATUS_TRYAGAIN with nothing written,
 *    and the same call with a bigger buffer gives the same answer;
 *  - NSS_STATUS_NOTFOUND only for "no such entry", NSS_STATUS_UNAVAIL when
 *    the DB is missing, untrusted or corrupt;
 *  - thread-safe: one process-wide mapping behind one mutex, re-mapped when
 *    the file is replaced or changed (inode, size, mtime, ctime, mode, owner);
 *  - no network, no syslog, no allocation except initgroups' array (the
 *    caller's), descriptors close-on-exec, and no call into NSS (no
 *    recursion): local names are read from /etc/passwd and /etc/group
 *    directly.
 * A name that fits a username template of the current aws-auth, and that
 * neither the DB nor a local file holds, is answered by getpwnam_r only,
 * with its deterministic uid and gid = uid (never enumerated).
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

#include "eksauth/iddb.h"

/* The entry points (exported by exports.map; prototypes for -Wmissing-prototypes). */
enum nss_status _nss_eksauth_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_eksauth_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                        int *errnop);
enum nss_status _nss_eksauth_setpwent(int stayopen);
enum nss_status _nss_eksauth_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop);
enum nss_status _nss_eksauth_endpwent(void);
enum nss_status _nss_eksauth_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_eksauth_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen,
                                        int *errnop);
enum nss_status _nss_eksauth_setgrent(int stayopen);
enum nss_status _nss_eksauth_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop);
enum nss_status _nss_eksauth_endgrent(void);
enum nss_status _nss_eksauth_initgroups_dyn(const char *user, gid_t group, long int *start,
                                            long int *size, gid_t **groupsp, long int limit,
                                            int *errnop);

static_assert(sizeof(uid_t) == sizeof(uint32_t) && sizeof(gid_t) == sizeof(uint32_t),
              "ids are 32 bits");

/* The one process-wide cache; every field is guarded by cache_lock. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static struct eksauth_iddb *cache_db;
static bool cache_bad_valid; /* the file at cache_bad failed to open: don't retry it */
static struct eksauth_iddb_stamp cache_bad;
static uint32_t pw_next, gr_next; /* enumeration positions */

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

static void lock_cache(void)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&cache_lock);
}

static void unlock_cache(void)
{
    pthread_mutex_unlock(&cache_lock);
}

/*
 * The current DB (lock held), or NULL with *errnop set: missing, untrusted
 * or corrupt.  One stat() per call notices a replaced file at once.
 */
static struct eksauth_iddb *current_db(int *errnop)
{
    const char *path = eksauth_iddb_default_path();
    struct eksauth_iddb_stamp now;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;

    if (!eksauth_iddb_stat(path, &now)) {
        *errnop = errno;
        /* Gone: drop the old mapping, or a revoked user would stay served. */
        eksauth_iddb_close(cache_db);
        cache_db = NULL;
        cache_bad_valid = false;
        return NULL;
    }
    if (cache_db != NULL && eksauth_iddb_stamp_equal(eksauth_iddb_get_stamp(cache_db), &now))
        return cache_db;
    /* The same broken file as last time: refuse again without re-reading it. */
    if (cache_db == NULL && cache_bad_valid && eksauth_iddb_stamp_equal(&cache_bad, &now)) {
        *errnop = EIO;
        return NULL;
    }
    eksauth_iddb_close(cache_db);
    cache_db = NULL;
    if (eksauth_iddb_open(path, &db, &err) != EKSAUTH_OK) {
        cache_bad = now;
        cache_bad_valid = true;
        *errnop = err.status == EKSAUTH_EUNAVAIL ? ENOENT : EIO;
        return NULL;
    }
    cache_bad_valid = false;
    cache_db = db;
    return db;
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

static enum nss_status fill_pw_user(const struct eksauth_iddb_user *u, struct passwd *pw, char *buf,
                                    size_t buflen, int *errnop)
{
    struct pw_view v = {u->login,     u->gecos,    u->home,      u->shell, u->login_len,
                        u->gecos_len, u->home_len, u->shell_len, u->uid,   u->gid};

    return fill_pw(&v, pw, buf, buflen, errnop);
}

static enum nss_status fill_gr(const struct eksauth_iddb *db, const struct eksauth_iddb_group *g,
                               struct group *gr, char *buf, size_t buflen, int *errnop)
{
    uintptr_t base = (uintptr_t)buf, aligned;
    size_t need, strings = g->name_len + 1 + sizeof(NO_PASSWORD), pad;
    const char *m;
    size_t mlen;
    char **mem, *p;
    uint32_t j;

    /* First pass: every member valid (a malformed one means no entry at all) and its size. */
    for (j = 0; j < g->n_members; j++) {
        if (eksauth_iddb_group_member(db, g, j, &m, &mlen) != EKSAUTH_OK) {
            *errnop = EIO;
            return NSS_STATUS_UNAVAIL;
        }
        strings += mlen + 1;
    }
    if (buf == NULL)
        return erange(errnop);
    aligned = (base + alignof(char *) - 1) & ~(uintptr_t)(alignof(char *) - 1);
    pad = (size_t)(aligned - base);
    need = pad + ((size_t)g->n_members + 1) * sizeof(char *) + strings;
    if (need > buflen)
        return erange(errnop);
    mem = (char **)(void *)(buf + pad);
    p = (char *)(mem + g->n_members + 1);
    gr->gr_name = put(&p, g->name, g->name_len);
    gr->gr_passwd = put(&p, NO_PASSWORD, sizeof(NO_PASSWORD) - 1);
    for (j = 0; j < g->n_members; j++) {
        /* Checked in the first pass; the mapping cannot change while we hold the lock. */
        eksauth_iddb_group_member(db, g, j, &m, &mlen);
        mem[j] = put(&p, m, mlen);
    }
    mem[g->n_members] = NULL;
    gr->gr_mem = mem;
    gr->gr_gid = g->gid;
    return NSS_STATUS_SUCCESS;
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

/* ------------------------------------------------------------------------ */
/* Templated names.                                                          */

/*
 * Does /etc/passwd or /etc/group hold name?  Read directly (never through
 * NSS: no recursion).  Unreadable counts as "yes": fail closed.
 */
static bool local_file_has(const char *file, const char *name)
{
    char line[1024];
    size_t nlen = strlen(name);
    bool at_start = true, found = false;
    FILE *f;

    f = fopen(file, "re");
    if (f == NULL)
        return errno != ENOENT;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        size_t l = strlen(line);

        /* Only the first field of a line; the tail of an over-long line is skipped. */
        if (at_start && strncmp(line, name, nlen) == 0 && line[nlen] == ':')
            found = true;
        at_start = l > 0 && line[l - 1] == '\n';
    }
    if (ferror(f))
        found = true;
    fclose(f);
    return found;
}

static enum nss_status template_pw(const struct eksauth_iddb *db, const char *name,
                                   struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
    char home[PATH_MAX];
    struct pw_view v;
    uint32_t uid;
    size_t hl;

    if (eksauth_iddb_template_user(db, name, &uid) != EKSAUTH_OK)
        return from_status(EKSAUTH_ENOTFOUND, errnop);
    /* A local account's name is never served through eksauth (DESIGN §3). */
    if (local_file_has("/etc/passwd", name) || local_file_has("/etc/group", name))
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
    v.gid = uid;
    return fill_pw(&v, pw, buf, buflen, errnop);
}

/* ------------------------------------------------------------------------ */
/* passwd                                                                    */

enum nss_status _nss_eksauth_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;

    if (name == NULL || name[0] == '\0') {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_user_by_name(db, name, &u);
    if (st == EKSAUTH_OK)
        ret = fill_pw_user(&u, pw, buf, buflen, errnop);
    else if (st == EKSAUTH_ENOTFOUND)
        ret = template_pw(db, name, pw, buf, buflen, errnop);
    else
        ret = from_status(st, errnop);
out:
    unlock_cache();
    return ret;
}

enum nss_status _nss_eksauth_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                        int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;

    /* 0 is root's: never ours (uid_t is 32 bits on Linux, like our ids). */
    if (uid == 0) {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_user_by_uid(db, (uint32_t)uid, &u);
    ret = st == EKSAUTH_OK ? fill_pw_user(&u, pw, buf, buflen, errnop) : from_status(st, errnop);
out:
    unlock_cache();
    return ret;
}

enum nss_status _nss_eksauth_setpwent(int stayopen)
{
    (void)stayopen;
    lock_cache();
    pw_next = 0;
    unlock_cache();
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_eksauth_endpwent(void)
{
    lock_cache();
    pw_next = 0;
    unlock_cache();
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_eksauth_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;

    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    if (pw_next >= eksauth_iddb_user_count(db)) {
        *errnop = ENOENT;
        ret = NSS_STATUS_NOTFOUND;
        goto out;
    }
    st = eksauth_iddb_user_at(db, pw_next, &u);
    if (st != EKSAUTH_OK) {
        pw_next++; /* a malformed record ends nothing in a loop */
        ret = from_status(EKSAUTH_EINVAL, errnop);
        goto out;
    }
    ret = fill_pw_user(&u, pw, buf, buflen, errnop);
    /* ERANGE: stay on this entry so the retry gets it. */
    if (ret == NSS_STATUS_SUCCESS)
        pw_next++;
out:
    unlock_cache();
    return ret;
}

/* ------------------------------------------------------------------------ */
/* group                                                                     */

enum nss_status _nss_eksauth_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;

    if (name == NULL || name[0] == '\0') {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_group_by_name(db, name, &g);
    /* A local group (group_map) belongs to the files source: not answered here. */
    if (st == EKSAUTH_OK && (g.flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0)
        st = EKSAUTH_ENOTFOUND;
    ret = st == EKSAUTH_OK ? fill_gr(db, &g, gr, buf, buflen, errnop) : from_status(st, errnop);
out:
    unlock_cache();
    return ret;
}

enum nss_status _nss_eksauth_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen,
                                        int *errnop)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum eksauth_status st;
    enum nss_status ret;

    if (gid == 0) {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_group_by_gid(db, (uint32_t)gid, &g);
    if (st == EKSAUTH_OK && (g.flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0)
        st = EKSAUTH_ENOTFOUND;
    ret = st == EKSAUTH_OK ? fill_gr(db, &g, gr, buf, buflen, errnop) : from_status(st, errnop);
out:
    unlock_cache();
    return ret;
}

enum nss_status _nss_eksauth_setgrent(int stayopen)
{
    (void)stayopen;
    lock_cache();
    gr_next = 0;
    unlock_cache();
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_eksauth_endgrent(void)
{
    lock_cache();
    gr_next = 0;
    unlock_cache();
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_eksauth_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop)
{
    struct eksauth_iddb_group g;
    struct eksauth_iddb *db;
    enum nss_status ret;

    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    for (;;) {
        if (gr_next >= eksauth_iddb_group_count(db)) {
            *errnop = ENOENT;
            ret = NSS_STATUS_NOTFOUND;
            goto out;
        }
        if (eksauth_iddb_group_at(db, gr_next, &g) != EKSAUTH_OK) {
            gr_next++;
            ret = from_status(EKSAUTH_EINVAL, errnop);
            goto out;
        }
        if ((g.flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0)
            break;
        gr_next++; /* local groups are listed by files */
    }
    ret = fill_gr(db, &g, gr, buf, buflen, errnop);
    if (ret == NSS_STATUS_SUCCESS)
        gr_next++;
    else if (ret == NSS_STATUS_UNAVAIL)
        gr_next++;
out:
    unlock_cache();
    return ret;
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
    bool any = false;
    uint32_t j;

    if (user == NULL || user[0] == '\0') {
        *errnop = ENOENT;
        return NSS_STATUS_NOTFOUND;
    }
    lock_cache();
    db = current_db(errnop);
    if (db == NULL) {
        ret = NSS_STATUS_UNAVAIL;
        goto out;
    }
    st = eksauth_iddb_user_by_name(db, user, &u);
    if (st != EKSAUTH_OK) {
        ret = from_status(st, errnop);
        goto out;
    }
    /* Check every group first: a malformed one means no groups at all, never some. */
    for (j = 0; j < u.n_groups; j++) {
        if (eksauth_iddb_user_group(db, &u, j, &g) != EKSAUTH_OK) {
            ret = from_status(EKSAUTH_EINVAL, errnop);
            goto out;
        }
    }
    ret = NSS_STATUS_SUCCESS;
    for (j = 0; j < u.n_groups; j++) {
        eksauth_iddb_user_group(db, &u, j, &g);
        if ((gid_t)g.gid == group || has_gid(*groupsp, *start, (gid_t)g.gid))
            continue;
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
                goto out;
            }
            *groupsp = ng;
            *size = nsize;
        }
        (*groupsp)[(*start)++] = (gid_t)g.gid;
        any = true;
    }
    if (!any) {
        *errnop = ENOENT;
        ret = NSS_STATUS_NOTFOUND;
    }
out:
    unlock_cache();
    return ret;
}
