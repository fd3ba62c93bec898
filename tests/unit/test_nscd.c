/*
 * test_nscd.c - telling nscd the identity DB changed (lib/nscd.c): the
 * passwd and the group cache are each invalidated with glibc's request;
 * no daemon is nothing to do; a daemon that refuses is an error naming the
 * cache and the command that does it by hand.
 */
#include "config.h"

#include <poll.h>
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/file.h"
#include "eksauth/nscd.h"
#include "fake_nscd.h"
#include "tmpdir.h"

/*
 * invalidate against a stand-in that answers as `answer`: the status, and
 * both caches asked in two requests of glibc's form (version 2,
 * INVALIDATE = 10, the name and its NUL), the group cache even after a
 * refusal of the passwd one.
 */
static enum eksauth_status against(const char *name, enum fake_nscd_answer answer,
                                   struct eksauth_error *err)
{
    struct fake_nscd f;
    enum eksauth_status st;
    char path[512], log[1024];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    assert_int_equal(fake_nscd_start(&f, path, 2, answer), 0);
    st = eksauth_nscd_invalidate(path, err);
    fake_nscd_stop(&f, 0, log, sizeof(log));
    assert_string_equal(log, "2 10 passwd\n2 10 group\n");
    return st;
}

static void test_invalidates_passwd_and_group(void **state)
{
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(against("socket", FAKE_NSCD_DONE, &err), EKSAUTH_OK);
}

/* An older nscd closes the connection once done, without an answer: done too. */
static void test_closed_without_answer(void **state)
{
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(against("socket-old", FAKE_NSCD_CLOSE, &err), EKSAUTH_OK);
}

/* A refusal is an error that names the caches and what to run. */
static void test_refused(void **state)
{
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(against("socket-refuse", FAKE_NSCD_REFUSE, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "the passwd cache was not invalidated (refused)"));
    assert_non_null(strstr(err.msg, "run nscd -i passwd"));
    /* The group cache was refused too: the message names its command as well. */
    assert_non_null(strstr(err.msg, "run nscd -i group"));
}

/*
 * connect wrapped (-Wl,--wrap, mk/tests.am): with wait_hangup, it returns
 * only once the daemon has closed its end, so the request is written to a
 * connection already closed.
 */
static bool wait_hangup;
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);

int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    int rc = __real_connect(fd, sa, len);
    struct pollfd p = {fd, POLLRDHUP, 0};

    if (rc == 0 && wait_hangup)
        (void)poll(&p, 1, 5000);
    return rc;
}

/*
 * A daemon that closes the connection before reading (nscd stopping): the
 * request's write fails, and that is an error, not a SIGPIPE that kills
 * the process (the sync, or the login recording itself, in sudo).
 */
static void test_hangup_is_no_sigpipe(void **state)
{
    struct eksauth_error err = {0};
    struct fake_nscd f;
    char path[512], log[64];

    (void)state;
    snprintf(path, sizeof(path), "%s/socket-hangup", tmpdir);
    assert_int_equal(fake_nscd_start(&f, path, 2, FAKE_NSCD_HANGUP), 0);
    wait_hangup = true;
    assert_int_equal(eksauth_nscd_invalidate(path, &err), EKSAUTH_EIO);
    wait_hangup = false;
    fake_nscd_stop(&f, 0, log, sizeof(log));
    assert_non_null(strstr(err.msg, "the passwd cache was not invalidated"));
}

/* No daemon: no socket, or a socket no one listens on any more (nscd stopped). */
static void test_no_daemon(void **state)
{
    struct eksauth_error err = {0};
    struct sockaddr_un sa;
    char path[512];
    int fd;

    (void)state;
    snprintf(path, sizeof(path), "%s/no-such-socket", tmpdir);
    assert_int_equal(eksauth_nscd_invalidate(path, &err), EKSAUTH_OK);
    snprintf(path, sizeof(path), "%s/dead-socket", tmpdir);
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    assert_true(strlen(path) < sizeof(sa.sun_path));
    memcpy(sa.sun_path, path, strlen(path) + 1);
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    close(fd);
    assert_int_equal(eksauth_nscd_invalidate(path, &err), EKSAUTH_OK);
}

/* Whether path names a file (never through a link). */
static bool exists(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0;
}

/*
 * The files of a drop owed (nscd.h): a writer's claim, made under the
 * DB's lock before the DB is replaced, is taken over by another run only
 * while that lock is free (before, the writer may not have replaced the
 * DB yet, and a drop asked then would not cover its write); taken over, it
 * is the other run's to settle: removed when nscd dropped the caches, the
 * mark when not, and the mark taken over in turn by the next run.
 */
static void test_claims_taken_over_only_unlocked(void **state)
{
    struct eksauth_nscd_debt w, r;
    struct eksauth_error err = {0};
    char dir[512], db[600];
    int lock;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/claims", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, sizeof(db), "%s/identity.db", dir);
    /* Nothing owed: no file made. */
    assert_false(eksauth_nscd_take(&r, db));
    /* A writer, under the lock, before its replace. */
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&w, db, &err), EKSAUTH_OK);
    assert_true(exists(w.claim));
    assert_int_equal(w.taken, 0);
    /* Owed, but not taken over while the writer holds the lock. */
    assert_true(eksauth_nscd_take(&r, db));
    assert_int_equal(r.taken, 0);
    assert_int_equal(eksauth_nscd_settle(&r, true, &err), EKSAUTH_OK);
    assert_true(exists(w.claim));
    /* The writer replaced the DB, released the lock, and was killed: its claim is taken over. */
    close(lock);
    assert_true(eksauth_nscd_take(&r, db));
    assert_int_equal(r.taken, 1);
    assert_false(exists(w.claim));
    /* nscd refused: the mark, taken over by the next run, paid. */
    assert_int_equal(eksauth_nscd_settle(&r, false, &err), EKSAUTH_OK);
    assert_true(exists(r.mark));
    assert_true(eksauth_nscd_take(&r, db));
    assert_int_equal(r.taken, 1);
    assert_false(exists(r.mark));
    assert_int_equal(eksauth_nscd_settle(&r, true, &err), EKSAUTH_OK);
    assert_false(eksauth_nscd_take(&r, db));
}

/*
 * A writer's claim taken over by the next writer (under the lock, after the
 * first one's replace) is the next one's debt: the first one's nscd
 * refusing is then no failure of its own and leaves no mark; the second
 * settles it.
 */
static void test_claim_taken_by_next_writer(void **state)
{
    struct eksauth_nscd_debt first, second;
    struct eksauth_error err = {0};
    char dir[512], db[600];
    int lock;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/next", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, sizeof(db), "%s/identity.db", dir);
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&first, db, &err), EKSAUTH_OK);
    close(lock);
    /* The first replaced the DB and let the lock go; the second writer comes in. */
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&second, db, &err), EKSAUTH_OK);
    assert_int_equal(second.taken, 1);
    close(lock);
    /* The first one's nscd refused: its claim went to the second, which still owes it. */
    assert_int_equal(eksauth_nscd_settle(&first, false, &err), EKSAUTH_OK);
    assert_false(exists(first.mark));
    assert_true(exists(second.claim));
    assert_int_equal(eksauth_nscd_settle(&second, false, &err), EKSAUTH_OK);
    assert_true(exists(second.mark));
}

/* A new folder name in the test folder: dir, its DB's path and its mark's. */
static void db_folder(const char *name, char dir[512], char db[600], char mark[600])
{
    snprintf(dir, 512, "%s/%s", tmpdir, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(db, 600, "%s/identity.db", dir);
    snprintf(mark, 600, "%s/" EKSAUTH_NSCD_PENDING_NAME, dir);
}

/*
 * What take found, for the report's words (lib/sync.c): a writer's claim
 * while it holds the DB's lock is a writer at work, no failure; the same
 * claim once the lock is free is taken over, no failure either; the mark
 * is a request that failed.  (take said only how many it moved, and the
 * sync called every drop owed "an earlier sync could not".)
 */
static void test_take_says_what_it_found(void **state)
{
    struct eksauth_nscd_debt w, r;
    struct eksauth_error err = {0};
    char dir[512], db[600], mark[600];
    int lock;

    (void)state;
    db_folder("found", dir, db, mark);
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&w, db, &err), EKSAUTH_OK);
    assert_false(w.failed || w.writing);
    assert_true(eksauth_nscd_take(&r, db));
    assert_true(r.writing && !r.failed && r.taken == 0);
    assert_int_equal(eksauth_nscd_settle(&r, true, &err), EKSAUTH_OK);
    close(lock);
    assert_true(eksauth_nscd_take(&r, db));
    assert_true(!r.writing && !r.failed && r.taken == 1);
    /* nscd refused: the mark, a failure, whoever takes it next. */
    assert_int_equal(eksauth_nscd_settle(&r, false, &err), EKSAUTH_OK);
    assert_true(eksauth_nscd_take(&r, db));
    assert_true(r.failed && !r.writing && r.taken == 1);
    assert_int_equal(eksauth_nscd_settle(&r, false, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&w, db, &err), EKSAUTH_OK);
    close(lock);
    assert_true(w.failed && w.taken == 1);
    assert_int_equal(eksauth_nscd_settle(&w, true, &err), EKSAUTH_OK);
    assert_false(eksauth_nscd_owed(db));
}

/*
 * A run that cannot write beside the DB (a user's `eksauth sync` on root's
 * DB) takes over nothing and asks nothing: nscd ignores a request that is
 * not root's, and the mark stays root's to pay.  (It asked all the same,
 * and its report said "dropped (an earlier sync could not)".)  As root the
 * run is nobody's, in a child, to which root's mark is no debt at all
 * (test_mark_is_ours); else the folder is made read-only, and the run
 * finds the mark but cannot make its claim.
 */
static void test_no_take_without_a_writable_folder(void **state)
{
    struct eksauth_nscd_debt r;
    char dir[512], db[600], mark[600];
    FILE *f;
    bool root = geteuid() == 0;
    pid_t child;
    int status = -1;

    (void)state;
    db_folder("readonly", dir, db, mark);
    f = fopen(mark, "w");
    assert_non_null(f);
    fclose(f);
    /* nobody passes through the test folder (mkdtemp's 0700) to the DB's. */
    assert_int_equal(geteuid() != 0 ? chmod(dir, 0555) : chmod(tmpdir, 0711), 0);
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0)
            _exit(2);
        _exit(eksauth_nscd_owed(db) == !root && !eksauth_nscd_take(&r, db) ? 0 : 1);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    (void)chmod(dir, 0755);
    (void)chmod(tmpdir, 0700);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(mark));
}

/*
 * A claim that cannot become the mark (here a directory holds its name)
 * is still the debt, on disk under its own name: the next run takes it
 * over and asks, so settling it is no failure.  (It was one, and the sync
 * warned that the next sync would not ask nscd again.)
 */
static void test_claim_kept_when_mark_cannot_be_made(void **state)
{
    struct eksauth_nscd_debt w;
    struct eksauth_error err = {0};
    char dir[512], db[600], mark[600], inside[700];
    FILE *f;
    int lock;

    (void)state;
    db_folder("markdir", dir, db, mark);
    assert_int_equal(mkdir(mark, 0755), 0);
    snprintf(inside, sizeof(inside), "%s/x", mark);
    f = fopen(inside, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&w, db, &err), EKSAUTH_OK);
    close(lock);
    assert_true(exists(w.claim));
    assert_int_equal(eksauth_nscd_settle(&w, false, &err), EKSAUTH_OK);
    assert_true(eksauth_nscd_owed(db));
}

/*
 * Only a file is the mark (settle makes or renames one there): a directory
 * or a symlink of that name is no drop owed, or every run would ask nscd
 * and say an earlier sync could not, for ever, as nothing can take it.
 */
static void test_mark_is_a_file(void **state)
{
    struct eksauth_nscd_debt r;
    char dir[512], db[600], mark[600];

    (void)state;
    db_folder("oddmark", dir, db, mark);
    assert_int_equal(mkdir(mark, 0755), 0);
    assert_false(eksauth_nscd_owed(db));
    assert_false(eksauth_nscd_take(&r, db));
    assert_int_equal(rmdir(mark), 0);
    assert_int_equal(symlink("/nonexistent", mark), 0);
    assert_false(eksauth_nscd_owed(db));
    assert_false(eksauth_nscd_take(&r, db));
}

/*
 * A run whose take could make no claim (a full or read-only disk) asks
 * all the same; refused, the mark it then cannot make is no failure while
 * the claims it found are still there: the next run takes them.  (It failed, and the sync warned
 * that the next sync would not ask nscd again, which it did.)
 */
static void test_claims_kept_when_take_had_no_claim(void **state)
{
    struct eksauth_nscd_debt r;
    struct eksauth_error err = {0};
    char dir[512], db[600], mark[600], left[700];
    FILE *f;

    (void)state;
    db_folder("noclaim", dir, db, mark);
    snprintf(left, sizeof(left), "%s.asking.Abc123", mark);
    f = fopen(left, "w");
    assert_non_null(f);
    fclose(f);
    /* The mark cannot be made: a directory holds its name, as ENOSPC or EROFS would refuse it. */
    assert_int_equal(mkdir(mark, 0755), 0);
    memset(&r, 0, sizeof(r));
    snprintf(r.mark, sizeof(r.mark), "%s", mark);
    assert_int_equal(eksauth_nscd_settle(&r, false, &err), EKSAUTH_OK);
    assert_true(eksauth_nscd_owed(db));
    /* Nothing left: the same mark not made is a failure. */
    assert_int_equal(unlink(left), 0);
    assert_int_equal(eksauth_nscd_settle(&r, false, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "not written"));
}

/*
 * The same run when the mark was there already, of its uid, and cannot be
 * opened to write (here its mode; EROFS on a read-only disk): the mark is
 * still there, the next run asks for it, so settling is no failure.  (It
 * failed, as for a mark never made.)  Root opens any file: then the run is
 * nobody's, in a child, on nobody's folder.
 */
static int settle_beside_a_kept_mark(const char *mark)
{
    struct eksauth_nscd_debt r;
    struct eksauth_error err = {0};
    FILE *f = fopen(mark, "w");

    if (f == NULL || fclose(f) != 0 || chmod(mark, 0400) != 0)
        return 2;
    memset(&r, 0, sizeof(r));
    snprintf(r.mark, sizeof(r.mark), "%s", mark);
    return eksauth_nscd_settle(&r, false, &err) == EKSAUTH_OK ? 0 : 1;
}

static void test_kept_mark_when_take_had_no_claim(void **state)
{
    char dir[512], db[600], mark[600];
    pid_t child;
    int status = -1;

    (void)state;
    db_folder("keptmark", dir, db, mark);
    if (geteuid() == 0) {
        assert_int_equal(chown(dir, 65534, 65534), 0);
        assert_int_equal(chmod(tmpdir, 0711), 0);
    }
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        if (geteuid() == 0 &&
            (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0))
            _exit(99);
        _exit(settle_beside_a_kept_mark(mark));
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    (void)chmod(tmpdir, 0700);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(exists(mark));
}

/* Run f(arg) as nobody in a child: its exit status (-1 when it did not exit). */
static int as_nobody(int (*f)(const char *), const char *arg)
{
    pid_t child = fork();
    int status = -1;

    assert_true(child >= 0);
    if (child == 0) {
        if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
            _exit(99);
        _exit(f(arg));
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int plant_file(const char *path)
{
    FILE *f = fopen(path, "w");

    return f != NULL && fclose(f) == 0 ? 0 : 1;
}

static int remove_file(const char *path)
{
    return unlink(path) == 0 ? 0 : 1;
}

/*
 * The trust rule lets the DB sit in a root-owned sticky folder anyone may
 * write (lib/trust.c).  There, only a mark of the effective uid is a drop
 * owed, as only a claim of its is (file.h): another user's file at the
 * mark is none, never moved onto a writer's claim (which it then owned, so
 * that user could remove the claim and with it the debt, silently: settle
 * takes a claim gone for one a later run took over), and never taken for
 * the mark settle leaves.  (Every run asked nscd for it and said an earlier
 * sync could not; a writer's claim became the user's.)
 */
static void test_mark_is_ours(void **state)
{
    struct eksauth_nscd_debt w, none;
    struct eksauth_error err = {0};
    char dir[512], db[600], mark[600];
    int lock;

    (void)state;
    if (geteuid() != 0)
        skip(); /* needs root to be the writer and another user to plant files */
    db_folder("sticky", dir, db, mark);
    assert_int_equal(chmod(dir, 01777), 0);
    /* nobody passes through the test folder (mkdtemp's 0700) to the DB's. */
    assert_int_equal(chmod(tmpdir, 0711), 0);
    assert_int_equal(as_nobody(plant_file, mark), 0);
    assert_false(eksauth_nscd_owed(db));
    /* Nor the mark a run without a claim leaves. */
    memset(&none, 0, sizeof(none));
    snprintf(none.mark, sizeof(none.mark), "%s", mark);
    assert_int_equal(eksauth_nscd_settle(&none, false, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "not a file of ours"));
    /* A writer's claim stays root's: nobody cannot remove it, and it is owed. */
    assert_int_equal(eksauth_file_lock(db, &lock, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_nscd_owe_locked(&w, db, &err), EKSAUTH_OK);
    close(lock);
    assert_int_equal(w.taken, 0);
    assert_int_not_equal(as_nobody(remove_file, w.claim), 0);
    assert_int_equal(eksauth_nscd_settle(&w, false, &err), EKSAUTH_OK);
    (void)chmod(tmpdir, 0700);
    assert_true(eksauth_nscd_owed(db));
}

/* A FIFO at the mark: settling without a claim fails, never waiting for a reader. */
static void test_settle_never_waits_on_a_fifo(void **state)
{
    struct eksauth_nscd_debt none;
    struct eksauth_error err = {0};
    char dir[512], db[600], mark[600];

    (void)state;
    db_folder("fifo", dir, db, mark);
    assert_int_equal(mkfifo(mark, 0600), 0);
    memset(&none, 0, sizeof(none));
    snprintf(none.mark, sizeof(none.mark), "%s", mark);
    alarm(10); /* unfixed, open(2) waits for ever: fail the test instead */
    assert_int_equal(eksauth_nscd_settle(&none, false, &err), EKSAUTH_EIO);
    alarm(0);
    assert_false(eksauth_nscd_owed(db));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalidates_passwd_and_group),
        cmocka_unit_test(test_closed_without_answer),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_hangup_is_no_sigpipe),
        cmocka_unit_test(test_no_daemon),
        cmocka_unit_test(test_claims_taken_over_only_unlocked),
        cmocka_unit_test(test_claim_taken_by_next_writer),
        cmocka_unit_test(test_take_says_what_it_found),
        cmocka_unit_test(test_no_take_without_a_writable_folder),
        cmocka_unit_test(test_claim_kept_when_mark_cannot_be_made),
        cmocka_unit_test(test_mark_is_a_file),
        cmocka_unit_test(test_mark_is_ours),
        cmocka_unit_test(test_settle_never_waits_on_a_fifo),
        cmocka_unit_test(test_claims_kept_when_take_had_no_claim),
        cmocka_unit_test(test_kept_mark_when_take_had_no_claim),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
