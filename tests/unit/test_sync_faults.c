/*
 * test_sync_faults.c - the order in which a sync puts its files in place
 * (lib/sync.c, each file through lib/file.c), and what a failure at each step
 * leaves.  The link wraps fsync and rename (-Wl,--wrap, mk/tests.am): every
 * call the sync makes is recorded, and the Nth can be made to fail with
 * EIO, as a full or failing disk would.
 *
 * The order (SECURITY.md, "One snapshot"): each temp file fsynced before
 * its rename, the DB's and the state's before the snapshot's rename (all
 * written before any is renamed); the snapshot, its state and the login
 * index renamed in and
 * their folder fsynced before the DB that names their generation is
 * renamed in.  After a failure at any step: no temp file is left, and the
 * DB is the old one or the new one with either the snapshot it was
 * written from or none a reader takes (eksauth_snapshot_read fails
 * closed) - never another sync's.  A DB replaced, even by a sync that
 * then fails, has nscd asked to drop its caches (connect is wrapped too),
 * a login's write once the writer's lock is free.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/login.h"
#include "eksauth/login_index.h"
#include "eksauth/nscd.h"
#include "eksauth/snapshot.h"
#include "eksauth/sync.h"
#include "host_fixture.h"

/* Two aws-auths: A maps build, B maps build and carol. */
static const char *const DOC_A = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD;
static const char *const DOC_B = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL;

/* ------------------------------------------------------------------------ */
/* The wraps: what the sync asked of the disk, and the one call that fails. */

enum event_kind { FSYNC_FILE, FSYNC_DIR, RENAME };

struct event {
    enum event_kind kind;
    ino_t ino;     /* the file fsynced, or the one renamed */
    char name[64]; /* a rename's target, its last component */
};

static struct event events[64];
static unsigned n_events;
static unsigned n_calls; /* fsync and rename calls while recording */
static unsigned fail_at; /* the call (from 1) that fails with EIO; 0: none */
static bool recording;

static unsigned nscd_asks;        /* connections to nscd's socket tried */
static const char *lock_watched;  /* a DB whose writer's lock is tried at each (NULL: none) */
static unsigned nscd_asks_locked; /* of them, while that lock was held */

int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);
int __wrap_fsync(int fd);
int __wrap_rename(const char *from, const char *to);

/*
 * One more call: false when it is the one to fail (errno EIO); else *ev is
 * its event, zeroed and of kind (NULL when not recording or full).
 */
static bool next_call(enum event_kind kind, struct event **ev)
{
    *ev = NULL;
    if (!recording)
        return true;
    if (++n_calls == fail_at) {
        errno = EIO;
        return false;
    }
    if (n_events < sizeof(events) / sizeof(events[0])) {
        *ev = &events[n_events++];
        memset(*ev, 0, sizeof(**ev));
        (*ev)->kind = kind;
    }
    return true;
}

int __wrap_fsync(int fd)
{
    struct event *ev;
    struct stat sb;

    if (!next_call(FSYNC_FILE, &ev))
        return -1;
    if (ev != NULL && fstat(fd, &sb) == 0) {
        ev->kind = S_ISDIR(sb.st_mode) ? FSYNC_DIR : FSYNC_FILE;
        ev->ino = sb.st_ino;
    }
    return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
    const char *slash = strrchr(to, '/');
    struct event *ev;
    struct stat sb;

    if (!next_call(RENAME, &ev))
        return -1;
    if (ev != NULL) {
        if (stat(from, &sb) == 0)
            ev->ino = sb.st_ino;
        snprintf(ev->name, sizeof(ev->name), "%s", slash != NULL ? slash + 1 : to);
    }
    return __real_rename(from, to);
}

/* nscd's socket: counted, and no daemon there (the drop asked is done). */
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)(const void *)sa;

    if (sa->sa_family == AF_UNIX && strcmp(un->sun_path, EKSAUTH_NSCD_SOCKET) == 0) {
        int lock = -1;

        nscd_asks++;
        /* flock: another open file of this process's conflicts with the lock it holds. */
        if (lock_watched != NULL) {
            if (eksauth_file_trylock(lock_watched, &lock, NULL) == EKSAUTH_EUNAVAIL)
                nscd_asks_locked++;
            else if (lock >= 0)
                close(lock);
        }
        errno = ECONNREFUSED;
        return -1;
    }
    return __real_connect(fd, sa, len);
}

static void record(unsigned fail)
{
    n_events = 0;
    n_calls = 0;
    fail_at = fail;
    recording = true;
}

/* ------------------------------------------------------------------------ */

static enum eksauth_status sync_doc(struct host_fixture *h, const char *doc,
                                    struct eksauth_sync_report *r, struct eksauth_error *err)
{
    struct eksauth_sync_options opts;

    memset(&opts, 0, sizeof(opts));
    host_fixture_write_aws_auth(h, doc);
    host_fixture_reopen(h);
    return eksauth_sync_run(&h->ctx, &opts, r, err);
}

static void sync_doc_ok(struct host_fixture *h, const char *doc)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;

    if (sync_doc(h, doc, &r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    eksauth_sync_report_free(&r);
}

/* The index of the first event at or after from that renames to name; n_events if none. */
static unsigned find_rename(unsigned from, const char *name)
{
    unsigned i;

    for (i = from; i < n_events; i++)
        if (events[i].kind == RENAME && strcmp(events[i].name, name) == 0)
            return i;
    return n_events;
}

/* Whether the file of inode ino was fsynced before event before. */
static bool fsynced_before(ino_t ino, unsigned before)
{
    unsigned i;

    for (i = 0; i < before; i++)
        if (events[i].kind == FSYNC_FILE && events[i].ino == ino)
            return true;
    return false;
}

/* Whether a folder fsync lies strictly between events a and b. */
static bool dir_synced_between(unsigned a, unsigned b)
{
    unsigned i;

    for (i = a + 1; i < b && i < n_events; i++)
        if (events[i].kind == FSYNC_DIR)
            return true;
    return false;
}

/* The order of one sync, as the disk sees it. */
static void test_order(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, DOC_A);
    const char *names[] = {EKSAUTH_SNAPSHOT_NAME, EKSAUTH_STATE_NAME, EKSAUTH_INDEX_NAME};
    unsigned at[3], db, i, renames = 0;

    (void)state;
    sync_doc_ok(h, DOC_A);
    record(0);
    sync_doc_ok(h, DOC_B);
    recording = false;
    for (i = 0; i < n_events; i++)
        renames += events[i].kind == RENAME;
    assert_int_equal(renames, 4); /* the snapshot, its state, the index, the DB; nothing else */
    db = find_rename(0, "identity.db");
    assert_true(db < n_events);
    for (i = 0; i < 3; i++) {
        at[i] = find_rename(0, names[i]);
        assert_true(at[i] < db);                               /* before the DB that names them */
        assert_true(fsynced_before(events[at[i]].ino, at[i])); /* data on disk, then the name */
    }
    /* The snapshot before its state (a crash between leaves a pair readers refuse). */
    assert_true(at[0] < at[1]);
    /*
     * The DB's data and the state's on disk before the first rename: a full
     * disk or EIO fails the sync before any of the set is replaced, and
     * logins go on with the old one (tests/hardening/sync_disk_full.sh).
     */
    assert_true(fsynced_before(events[db].ino, at[0]));
    assert_true(fsynced_before(events[at[1]].ino, at[0]));
    /* Their renames durable before the DB's: one folder fsync after the last of them. */
    assert_true(dir_synced_between(at[2] > at[1] ? at[2] : at[1], db));
    assert_true(fsynced_before(events[db].ino, db));
    assert_true(dir_synced_between(db, n_events));
    host_fixture_free(h);
}

/* The calls (fsync and rename) of a sync from doc A to doc B, recorded in events. */
static unsigned calls_of_a_sync(struct host_fixture *h)
{
    sync_doc_ok(h, DOC_A);
    record(0);
    sync_doc_ok(h, DOC_B);
    recording = false;
    return n_calls;
}

/* The generation of the DB there now. */
static uint64_t db_generation(struct host_fixture *h)
{
    struct eksauth_iddb *db;
    struct eksauth_error err;
    uint64_t gen;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    gen = eksauth_iddb_generation(db);
    eksauth_iddb_close(db);
    return gen;
}

/* Temp files ("<name>.tmp.XXXXXX") left in dir. */
static unsigned temps_left(const char *dir)
{
    struct dirent *de;
    unsigned n = 0;
    DIR *d = opendir(dir);

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += strstr(de->d_name, ".tmp.") != NULL;
    closedir(d);
    return n;
}

/*
 * What a failed sync left, checked as a login would find it: the DB of
 * generation old_gen (doc A) or old_gen + 1 (doc B), and a snapshot that
 * is either that DB's document or refused.
 */
static void check_after_failure(struct host_fixture *h, uint64_t old_gen, unsigned step)
{
    struct eksauth_snapshot_state st_state;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err;
    enum eksauth_status st;
    uint64_t gen;
    size_t len = 0;
    char *data = NULL;
    bool carol;

    if (temps_left(h->dir) != 0)
        fail_msg("step %u: a temp file was left", step);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    gen = eksauth_iddb_generation(db);
    carol = eksauth_iddb_user_by_name(db, "carol", &u) == EKSAUTH_OK;
    eksauth_iddb_close(db);
    /* The old DB whole, or the new one whole. */
    if (!((gen == old_gen && !carol) || (gen == old_gen + 1 && carol)))
        fail_msg("step %u: DB of generation %llu (carol %d) after generation %llu", step,
                 (unsigned long long)gen, carol, (unsigned long long)old_gen);
    st = eksauth_snapshot_read(&h->ctx.paths, false, gen, &st_state, &data, &len, &err);
    if (st == EKSAUTH_OK) {
        /* Taken: it must be the very document this DB was written from. */
        const char *want = gen == old_gen ? DOC_A : DOC_B;

        if (st_state.generation != gen || len != strlen(want) || memcmp(data, want, len) != 0)
            fail_msg("step %u: DB generation %llu served with the snapshot of generation %llu",
                     step, (unsigned long long)gen, (unsigned long long)st_state.generation);
    } else if (st != EKSAUTH_EUNAVAIL) {
        fail_msg("step %u: snapshot read: %s", step, err.msg);
    }
    free(data);
    /* An index left must be the one of the state beside it (a login checks the tie too). */
    if (st == EKSAUTH_OK &&
        eksauth_login_index_open(h->ctx.paths.index, false, &ix, &err) == EKSAUTH_OK) {
        if (eksauth_login_index_tie(ix)->generation != st_state.generation)
            fail_msg("step %u: index of generation %llu beside the state of %llu", step,
                     (unsigned long long)eksauth_login_index_tie(ix)->generation,
                     (unsigned long long)st_state.generation);
        eksauth_login_index_close(ix);
    }
}

/*
 * Each fsync and rename of a sync failing in turn: the sync says so (or,
 * for the index alone, warns and goes on without it), leaves no temp file
 * and no DB with another sync's snapshot; a failure before the first
 * rename leaves the old set whole; the next sync repairs everything.
 */
static void test_failure_at_each_step(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, DOC_A);
    struct eksauth_snapshot_state st_state;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    unsigned steps, step, first_rename;
    enum eksauth_status st;
    uint64_t old_gen;
    size_t len = 0;
    char *data = NULL;

    (void)state;
    /* How many calls one sync makes, and which is the first rename. */
    steps = calls_of_a_sync(h);
    for (first_rename = 0; first_rename < n_events && events[first_rename].kind != RENAME;
         first_rename++)
        ;
    assert_true(steps >= 10 && first_rename > 0 && first_rename < steps);
    for (step = 1; step <= steps; step++) {
        sync_doc_ok(h, DOC_A);
        assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
        old_gen = eksauth_iddb_generation(db);
        eksauth_iddb_close(db);
        record(step);
        st = sync_doc(h, DOC_B, &r, &err);
        recording = false;
        if (n_calls < step)
            fail_msg("step %u: the sync made only %u calls", step, n_calls);
        if (st == EKSAUTH_OK) {
            /* Only the index may fail without failing the sync: then it is gone, and said so. */
            size_t i;
            bool said = false;

            for (i = 0; i < r.warnings.n; i++)
                said = said || strstr(r.warnings.v[i], EKSAUTH_INDEX_NAME ": not written") != NULL;
            if (!said)
                fail_msg("step %u: the sync succeeded, and not for want of its index", step);
            assert_int_equal(access(h->ctx.paths.index, F_OK), -1);
        } else {
            assert_true(strstr(err.msg, "fsync") != NULL || strstr(err.msg, "rename") != NULL);
        }
        eksauth_sync_report_free(&r);
        check_after_failure(h, old_gen, step);
        /* Nothing renamed yet: the old snapshot is still the old DB's, usable. */
        if (step <= first_rename + 1) {
            assert_int_equal(
                eksauth_snapshot_read(&h->ctx.paths, false, old_gen, &st_state, &data, &len, &err),
                EKSAUTH_OK);
            free(data);
            data = NULL;
        }
    }
    /* The next sync, with a working disk, puts the whole new set in place. */
    sync_doc_ok(h, DOC_B);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    old_gen = eksauth_iddb_generation(db);
    eksauth_iddb_close(db);
    assert_int_equal(
        eksauth_snapshot_read(&h->ctx.paths, false, old_gen, &st_state, &data, &len, &err),
        EKSAUTH_OK);
    assert_memory_equal(data, DOC_B, strlen(DOC_B));
    free(data);
    assert_int_equal(temps_left(h->dir), 0);
    host_fixture_free(h);
}

/*
 * Each fsync and rename of a sync failing in turn: when the DB was
 * replaced all the same (the failure came after its rename: the folder's
 * fsync), nscd is asked to drop its caches, or the drop is left owed.
 * (The sync took the failure for no replace and removed its claim unasked:
 * nscd served the users the new DB removed for their time to live.)
 */
static void test_replaced_db_owes_its_drop(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, DOC_A);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    unsigned steps = calls_of_a_sync(h), step, replaced = 0;
    uint64_t old_gen;

    (void)state;
    for (step = 1; step <= steps; step++) {
        sync_doc_ok(h, DOC_A);
        old_gen = db_generation(h);
        nscd_asks = 0;
        record(step);
        (void)sync_doc(h, DOC_B, &r, &err);
        recording = false;
        eksauth_sync_report_free(&r);
        if (db_generation(h) == old_gen)
            continue;
        replaced++;
        if (nscd_asks == 0 && !eksauth_nscd_owed(h->db))
            fail_msg("step %u: the DB was replaced, and nscd neither asked nor owed", step);
    }
    /* At least the step after the DB's rename replaced it. */
    assert_true(replaced > 0);
    host_fixture_free(h);
}

/*
 * The timer's run when nothing changed (--if-changed): only the state is
 * rewritten, its data fsynced before the rename, the folder not fsynced
 * (a crash may leave the state it replaced: same snapshot, an earlier
 * checked_at).  Its fsync or rename failing leaves that state whole and no
 * temp file, and the sync warns and fails (EKSAUTH_EIO: the timer's run must
 * not look fine while max_snapshot_age runs out).
 */
static void test_unchanged_confirm(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, DOC_A);
    struct eksauth_snapshot_state before, after;
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    unsigned fail, rename_at;

    (void)state;
    sync_doc_ok(h, DOC_A);
    memset(&opts, 0, sizeof(opts));
    opts.if_changed = true;
    for (fail = 0; fail <= 2; fail++) {
        eksauth_snapshot_state_read(&h->ctx.paths, false, &before);
        record(fail);
        /* Not confirmed is a failure (max_snapshot_age counts from the state). */
        assert_int_equal(eksauth_sync_run(&h->ctx, &opts, &r, &err),
                         fail == 0 ? EKSAUTH_OK : EKSAUTH_EIO);
        recording = false;
        assert_true(r.unchanged);
        /* The state's fsync and its rename, nothing else (a failed fsync stops it). */
        assert_int_equal(n_calls, fail == 1 ? 1 : 2);
        eksauth_snapshot_state_read(&h->ctx.paths, false, &after);
        assert_string_equal(after.sha256, before.sha256);
        assert_int_equal(after.generation, before.generation);
        assert_int_equal(temps_left(h->dir), 0);
        if (fail == 0) {
            rename_at = find_rename(0, EKSAUTH_STATE_NAME);
            assert_true(rename_at < n_events);
            assert_true(fsynced_before(events[rename_at].ino, rename_at));
            assert_false(dir_synced_between(rename_at, n_events));
            assert_int_equal(r.warnings.n, 0);
        } else {
            /* Not written: the state before, whole, and a warning that says so. */
            assert_true(after.checked_at == before.checked_at);
            assert_true(r.warnings.n == 1 &&
                        strstr(r.warnings.v[0], "the snapshot's state was not updated") != NULL);
            assert_non_null(strstr(r.unconfirmed, EKSAUTH_STATE_NAME));
            assert_non_null(strstr(err.msg, r.unconfirmed));
            assert_non_null(strstr(err.msg, "the snapshot's state was not updated"));
        }
        eksauth_sync_report_free(&r);
    }
    /*
     * A document with a value the cluster drops, unchanged since it was
     * written without it: its own failure, and a state that could not be
     * confirmed named in it too (it was a warning line alone).
     */
    {
        static const char *const dropped =
            "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD "mapUsers: |\n  - userarn: [unclosed\n";

        assert_int_not_equal(sync_doc(h, dropped, &r, &err), EKSAUTH_OK);
        eksauth_sync_report_free(&r);
        record(1);
        assert_int_not_equal(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
        recording = false;
        assert_true(r.unchanged);
        assert_int_equal(r.dropped.n, 1);
        assert_non_null(strstr(err.msg, "dropped"));
        assert_non_null(strstr(err.msg, "the snapshot's state was not updated"));
        assert_non_null(strstr(err.msg, r.unconfirmed));
        eksauth_sync_report_free(&r);
    }
    host_fixture_free(h);
}

/*
 * A login a sync overtook (its record changed meanwhile), mapped again and
 * recorded under the writer's lock (lib/login.c), asks nscd to drop its
 * caches once that lock is free: a stuck nscd (5 s for each cache) holds
 * up that login alone, no sync or other login.  (That path asked while
 * the lock was held; the ordinary one asked after.)
 */
static void test_remapped_login_tells_nscd_unlocked(void **state)
{
    static const char *const carol_arn = "arn:aws:iam::123456789012:user/carol";
    static const char *const doc_c =
        "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL "      - builders\n";
    struct host_fixture *h = host_fixture_new(NULL, doc_c);
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    (void)state;
    sync_doc_ok(h, doc_c);
    host_fixture_reopen(h);
    assert_int_equal(host_fixture_check_login(h, carol_arn, &l, &err), EKSAUTH_OK);
    /* Meanwhile a sync takes builders from carol: her first record is refused, then mapped again.
     */
    sync_doc_ok(h, DOC_B);
    nscd_asks = 0;
    nscd_asks_locked = 0;
    lock_watched = h->db;
    if (eksauth_login_commit(&h->ctx, l, "carol", FIXTURE_NOW + 5, &err) != EKSAUTH_OK)
        fail_msg("commit: %s", err.msg);
    lock_watched = NULL;
    eksauth_login_free(l);
    assert_true(nscd_asks > 0);
    assert_int_equal(nscd_asks_locked, 0);
    host_fixture_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_failure_at_each_step),
        cmocka_unit_test(test_replaced_db_owes_its_drop),
        cmocka_unit_test(test_unchanged_confirm),
        cmocka_unit_test(test_remapped_login_tells_nscd_unlocked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
