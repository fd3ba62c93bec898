/*
 * iddb_record.c - record one login in the identity DB (see iddb_record.h):
 * under the writer's lock, the current DB read, the user's entry replaced,
 * the DB written back; a login whose record is already current writes
 * nothing.
 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_record.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/nscd.h"
#include "eksauth/paths.h"
#include "eksauth/snapshot.h"

/* NULL and "" are the same ARN to the DB (the builder stores NULL as ""). */
static bool same_str(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* A DB field (not NUL-terminated) equals want (NULL never does). */
static bool field_is(const char *field, size_t len, const char *want)
{
    return want != NULL && strlen(want) == len && memcmp(field, want, len) == 0;
}

/*
 * True when db already holds exactly the record a login of u would write:
 * same k8s username, ARN, flags, home, shell, the users' group as primary
 * group and the same supplementary groups in the same order (the primary
 * group is not repeated among them).  Then the login writes
 * nothing: rewriting an unchanged DB costs two fsyncs and the writer's lock
 * on every login, which serialises concurrent logins.  Anything else (a new
 * group, a changed home pattern, duplicates in the list) takes the write path.
 */
/* How old a login's last_login may grow before a login writes it again. */
#define LAST_LOGIN_REFRESH (24 * 3600)

static bool record_is_current(const struct eksauth_iddb *db, const struct eksauth_iddb_user *old,
                              const struct eksauth_iddb_user_in *u,
                              const struct eksauth_iddb_group_in *groups, size_t n_groups)
{
    struct eksauth_iddb_group g;
    char home_buf[PATH_MAX];
    const char *home = u->home, *shell = u->shell != NULL ? u->shell : eksauth_iddb_shell(db);
    uint32_t j = 0;
    size_t i;

    if (u->k8s_username == NULL || strcmp(old->k8s_username, u->k8s_username) != 0 ||
        !same_str(old->arn, u->arn) || old->flags != u->flags ||
        old->gid != eksauth_iddb_users_gid(db) || (u->uid != 0 && u->uid != old->uid) ||
        u->gid != 0 || u->gecos != NULL)
        return false;
    if (home == NULL) {
        if (eksauth_iddb_expand_home(eksauth_iddb_home_pattern(db), u->login, home_buf,
                                     sizeof(home_buf)) >= sizeof(home_buf))
            return false;
        home = home_buf;
    }
    if (!field_is(old->home, old->home_len, home) || !field_is(old->shell, old->shell_len, shell))
        return false;
    for (i = 0; i < n_groups; i++) {
        if (groups[i].gid == old->gid)
            continue; /* the primary group */
        if (j >= old->n_groups || eksauth_iddb_user_group(db, old, j++, &g) != EKSAUTH_OK ||
            !field_is(g.name, g.name_len, groups[i].name))
            return false;
    }
    return j == old->n_groups;
}

/*
 * Whether a login may be recorded in group g: a group the DB already has by
 * that name must be the same group (eksauth_iddb_same_group).  Two
 * templates can render different k8s groups onto one POSIX name ("team-X"
 * and "team-x" both become eks-team-x): joining would merge them, so the
 * group stays the first one's and this login is recorded without it
 * (docs/names-and-ids.md).  A group that cannot be read is not joined.
 */
static bool group_joinable(const struct eksauth_iddb *db, const struct eksauth_iddb_group_in *g)
{
    struct eksauth_iddb_group have;
    enum eksauth_status st;

    /* A name the sync refused (two k8s groups would share it) is no one's, whatever the mapping. */
    if ((g->flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0 && eksauth_iddb_is_denied(db, g->name))
        return false;
    st = eksauth_iddb_group_by_name(db, g->name, &have);
    if (st == EKSAUTH_ENOTFOUND)
        return true;
    return st == EKSAUTH_OK && eksauth_iddb_same_group(have.flags, have.k8s_group, g);
}

/* The groups of groups[0..n) the login may be recorded in, into out (n entries at most). */
static size_t joinable_groups(const struct eksauth_iddb *db,
                              const struct eksauth_iddb_group_in *groups, size_t n,
                              struct eksauth_iddb_group_in *out)
{
    size_t i, kept = 0;

    for (i = 0; i < n; i++) {
        if (group_joinable(db, &groups[i]))
            out[kept++] = groups[i];
    }
    return kept;
}

/* record_is_current, and last_login less than a day before now (login_idle_days counts days). */
static bool current_at(const struct eksauth_iddb *db, const struct eksauth_iddb_user *old,
                       const struct eksauth_iddb_user_in *u,
                       const struct eksauth_iddb_group_in *groups, size_t n_groups, uint64_t now)
{
    return record_is_current(db, old, u, groups, n_groups) &&
           now < old->last_login + LAST_LOGIN_REFRESH;
}

bool eksauth_iddb_login_is_current(const struct eksauth_iddb *db,
                                   const struct eksauth_iddb_user_in *u,
                                   const struct eksauth_iddb_group_in *groups, size_t n_groups,
                                   uint64_t now, uint32_t *uid)
{
    struct eksauth_iddb_group_in *joined;
    struct eksauth_iddb_user old;
    bool current;

    if (db == NULL || u == NULL || u->login == NULL || n_groups > EKSAUTH_IDDB_MAX_GROUPS ||
        eksauth_iddb_user_by_name(db, u->login, &old) != EKSAUTH_OK)
        return false;
    joined = calloc(n_groups + 1, sizeof(*joined));
    if (joined == NULL)
        return false;
    current = current_at(db, &old, u, joined, joinable_groups(db, groups, n_groups, joined), now);
    free(joined);
    if (current)
        *uid = old.uid;
    return current;
}

/* Who holds id, for the log (never for the person logging in): see login.h. */
static void describe_holder(const struct eksauth_iddb *db, uint32_t id, const char *login,
                            const struct eksauth_iddb_id_rules *rules, char *out, size_t outlen)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_iddb_tombstone t;
    uint64_t now = rules != NULL ? rules->now : 0;
    uint32_t i;

    if (eksauth_iddb_user_by_uid(db, id, &u) == EKSAUTH_OK) {
        snprintf(out, outlen, "user %s (k8s user '%.200s')", u.login, u.k8s_username);
        return;
    }
    if (eksauth_iddb_group_by_gid(db, id, &g) == EKSAUTH_OK) {
        snprintf(out, outlen, "group %s", g.name);
        return;
    }
    for (i = 0; i < eksauth_iddb_tombstone_count(db); i++) {
        /* As eksauth_iddb_id_held_from: one that ended before now holds nothing. */
        if (eksauth_iddb_tombstone_at(db, i, &t) == EKSAUTH_OK && t.id == id && t.until > now &&
            (t.is_group || strcmp(t.name, login) != 0)) {
            snprintf(out, outlen, "the tombstone of removed %s %s until %llu",
                     t.is_group ? "group" : "user", t.name, (unsigned long long)t.until);
            return;
        }
    }
    if (eksauth_names_id_reserved(id))
        snprintf(out, outlen, "the host: it is reserved (nobody's or -1)");
    else if (rules != NULL && rules->local_id != NULL && rules->local_id(rules->ctx, id))
        snprintf(out, outlen,
                 "a local account or group, or a block of subordinate ids "
                 "(/etc/passwd, /etc/group, /etc/subuid, /etc/subgid)");
    else
        snprintf(out, outlen, "an entry that cannot be read");
}

/* The refusal of a templated name the DB does not give an id (iddb_template.h). */
static enum eksauth_status refuse_templated(const struct eksauth_iddb *db, const char *login,
                                            enum eksauth_iddb_verdict v, uint32_t id,
                                            const struct eksauth_iddb_id_rules *rules,
                                            struct eksauth_error *err)
{
    char holder[512];

    switch (v) {
    case EKSAUTH_IDDB_ID_HELD:
        /* sshd already holds this uid for the name: another id would be a lie, so refuse. */
        describe_holder(db, id, login, rules, holder, sizeof(holder));
        return eksauth_fail(err, EKSAUTH_EREJECTED, "identity DB: %s: its id %u is held by %s",
                            login, id, holder);
    case EKSAUTH_IDDB_AMBIGUOUS:
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "identity DB: %s fits more than one username template: served to "
                            "nobody (see the warnings of eksauth sync)",
                            login);
    case EKSAUTH_IDDB_NO_KEY:
        /* The host's key is not the one the DB was written with: no id can be trusted. */
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "identity DB: %s: its ids are keyed by an id key this host does not "
                            "have (id_key_file changed or unreadable): run eksauth sync",
                            login);
    case EKSAUTH_IDDB_NOT_TEMPLATED:
    case EKSAUTH_IDDB_TEMPLATED:
    case EKSAUTH_IDDB_CHANGED:
        break;
    }
    /* No group of every login (iddb_template.c): no templated name has a record to take. */
    if (eksauth_iddb_users_gid(db) == 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "identity DB: %s: no templated login is served: the DB has no group "
                            "of every login (users_group; a local group of that name keeps it "
                            "out: see the warnings of eksauth sync)",
                            login);
    return eksauth_fail(err, EKSAUTH_EREJECTED,
                        "identity DB: %s: not a templated name of the current aws-auth", login);
}

/*
 * Have nscd drop its caches of the DB just replaced (owed->debt: the claim
 * made under the lock before the write, nscd.h); when it does not, or when
 * no write happened and the debt took over an earlier writer's, leave the
 * mark a sync leaves, so the next sync, or the watch at its stream's end,
 * asks again: the caches would otherwise keep what the write replaced
 * until their time to live, and no sync would know.  A login killed before
 * nscd answers leaves its claim, which the next sync takes over.  Best
 * effort, as the drop itself: the login is recorded.  Only once the lock is
 * free: a stuck nscd (5 s for each cache) holds up this login alone.
 */
void eksauth_iddb_unlock_then_tell(int lfd, struct eksauth_iddb_owed *owed)
{
    bool dropped;

    eksauth_iddb_unlock(lfd);
    dropped = owed->wrote ? eksauth_iddb_replaced(NULL) == EKSAUTH_OK : owed->debt.taken == 0;
    (void)eksauth_nscd_settle(&owed->debt, dropped, NULL);
    memset(owed, 0, sizeof(*owed));
}

/*
 * The refusal of a login a sync changed the DB under
 * (eksauth_iddb_record_mapped): the person can log in again, mapped with
 * the DB as it is now; the log says what changed, and the sync generations
 * (now EKSAUTH_SNAPSHOT_NO_GENERATION: no state could be read).
 */
static enum eksauth_status refuse_changed(const struct eksauth_iddb_basis *basis, uint64_t now,
                                          const char *login, const char *what,
                                          enum eksauth_iddb_verdict *verdict,
                                          struct eksauth_error *err)
{
    if (verdict != NULL)
        *verdict = EKSAUTH_IDDB_CHANGED;
    return eksauth_fail(err, EKSAUTH_EREJECTED,
                        "identity DB: %s: %s since this login mapped it (sync generation %llu, "
                        "now %llu); log in again",
                        login, what, (unsigned long long)(basis != NULL ? basis->mapped : 0),
                        (unsigned long long)now);
}

enum eksauth_status
eksauth_iddb_record_login(const char *path, const struct eksauth_iddb_user_in *u,
                          const struct eksauth_iddb_group_in *groups, size_t n_groups,
                          const struct eksauth_iddb_id_rules *rules, uint32_t *uid_out,
                          enum eksauth_iddb_verdict *verdict, struct eksauth_error *err)
{
    return eksauth_iddb_record_mapped(path, NULL, u, groups, n_groups, rules, uid_out, verdict,
                                      err);
}

enum eksauth_status
eksauth_iddb_record_mapped(const char *path, const struct eksauth_iddb_basis *basis,
                           const struct eksauth_iddb_user_in *u,
                           const struct eksauth_iddb_group_in *groups, size_t n_groups,
                           const struct eksauth_iddb_id_rules *rules, uint32_t *uid_out,
                           enum eksauth_iddb_verdict *verdict, struct eksauth_error *err)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_user old;
    struct eksauth_iddb_user_in in;
    enum eksauth_status st;
    const char **names = NULL;
    struct eksauth_iddb_group_in *joined = NULL;
    enum eksauth_iddb_verdict v;
    size_t i, nn = 0;
    bool locked = basis != NULL && basis->owed != NULL;
    struct eksauth_iddb_owed mine;
    /* Under the caller's lock, nscd is the caller's to tell once it unlocks. */
    struct eksauth_iddb_owed *owed = locked ? basis->owed : &mine;
    struct eksauth_file_pending file = {0};
    bool same;
    uint64_t synced = EKSAUTH_SNAPSHOT_NO_GENERATION;
    int lfd = -1;

    memset(owed, 0, sizeof(*owed));
    if (verdict != NULL)
        *verdict = EKSAUTH_IDDB_TEMPLATED;
    if (u == NULL || u->login == NULL || n_groups > EKSAUTH_IDDB_MAX_GROUPS)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad login record");
    /* The whole read-modify-write under the lock: a concurrent sync or login is not lost. */
    st = locked ? EKSAUTH_OK : eksauth_iddb_lock(path, &lfd, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_iddb_open(path, &db, err);
    if (st != EKSAUTH_OK) {
        /* No valid DB: nothing to record into (sync makes it); fail closed. */
        if (st == EKSAUTH_EINVAL || st == EKSAUTH_EIO)
            st = EKSAUTH_EUNAVAIL;
        if (err != NULL)
            err->status = st;
        goto out;
    }
    /* Only the groups this login may join (group_joinable), in the check and in the write. */
    joined = calloc(n_groups + 1, sizeof(*joined));
    if (joined == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    n_groups = joinable_groups(db, groups, n_groups, joined);
    groups = joined;
    /*
     * No sync since the mapping, asked under the lock (iddb_record.h): a
     * login's write is none, so a concurrent login refuses no other.
     */
    same = basis == NULL || (basis->synced(basis->arg, &synced) && synced == basis->mapped);
    /*
     * A sync that died between its state and its DB's rename left the DB
     * behind the state: any write would carry the DB to the state's
     * generation, and the next sync would call what it never wrote applied.
     * Nothing is written until a sync finishes.
     */
    if (basis != NULL && synced > eksauth_iddb_generation(db)) {
        st = refuse_changed(basis, synced, u->login, "the last sync did not finish", verdict, err);
        goto out;
    }
    in = *u;
    in.gid = 0;
    /* When PAM last recorded this login (docs/identity-db.md, "last_login"). */
    if (in.last_login == 0)
        in.last_login = (uint64_t)time(NULL);
    if (eksauth_iddb_user_by_name(db, u->login, &old) == EKSAUTH_OK) {
        /* Unchanged and written within a day: no write (login_idle_days counts days). */
        if (current_at(db, &old, u, groups, n_groups, in.last_login)) {
            if (uid_out != NULL)
                *uid_out = old.uid;
            st = EKSAUTH_OK;
            goto out;
        }
        /* One POSIX name, one k8s username: a recorded login is never handed over. */
        if (u->k8s_username != NULL && strcmp(old.k8s_username, u->k8s_username) != 0) {
            st = eksauth_fail(err, EKSAUTH_EREJECTED,
                              "identity DB: login %s belongs to another k8s user", u->login);
            goto out;
        }
        /* Replaced since the mapping: only the DB's own record, last_login aside, is written. */
        if (!same && !record_is_current(db, &old, u, groups, n_groups)) {
            st = refuse_changed(basis, synced, u->login, "its record in the identity DB changed",
                                verdict, err);
            goto out;
        }
        /* An id never changes once given. */
        in.uid = old.uid;
    } else if ((u->flags & EKSAUTH_IDDB_USER_TEMPLATED) == 0) {
        /* Only a sync adds a static user: one missing now was removed since the mapping. */
        st = refuse_changed(basis, synced, u->login, "no longer in the identity DB", verdict, err);
        goto out;
    } else if (!same) {
        /* Its groups are the old mapping's: the DB's templates and groups may differ now. */
        st = refuse_changed(basis, synced, u->login, "the identity DB was replaced", verdict, err);
        goto out;
    } else if (in.uid == 0) {
        /* The id NSS answered for this templated name, from the same DB: that one or none. */
        v = eksauth_iddb_template_user(db, u->login, rules, &in.uid);
        if (v != EKSAUTH_IDDB_TEMPLATED) {
            if (verdict != NULL)
                *verdict = v;
            st = refuse_templated(db, u->login, v, in.uid, rules, err);
            goto out;
        }
    }
    st = eksauth_iddb_builder_from_db(db, &b, err);
    if (st != EKSAUTH_OK)
        goto out;
    eksauth_iddb_builder_remove_user(b, u->login);
    names = calloc(n_groups + 1, sizeof(*names));
    if (names == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    for (i = 0; i < n_groups; i++) {
        if (!eksauth_iddb_builder_has_group(b, groups[i].name)) {
            /* A new group keeps the gid the mapping gave it, unless another entry owns it. */
            st = eksauth_iddb_builder_add_group(b, &groups[i], err);
            if (st != EKSAUTH_OK)
                goto out;
        }
        names[nn++] = groups[i].name;
    }
    in.groups = names;
    in.n_groups = nn;
    st = eksauth_iddb_builder_add_user(b, &in, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* On disk before the write: a login killed before nscd answers still owes the drop. */
    st = eksauth_nscd_owe_locked(&owed->debt, path, err);
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_prepare_locked(b, path, &file, err);
    /* Written as far as nscd is concerned once the rename is tried (a folder fsync fails after). */
    owed->wrote = st == EKSAUTH_OK;
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_commit_locked(&file, err);
    if (st == EKSAUTH_OK && uid_out != NULL)
        *uid_out = in.uid;
out:
    eksauth_file_discard(&file);
    free(names);
    free(joined);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
    if (!locked)
        eksauth_iddb_unlock_then_tell(lfd, owed);
    return st;
}
