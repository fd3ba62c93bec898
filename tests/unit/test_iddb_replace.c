/*
 * test_iddb_replace.c - putting the identity DB in place
 * (lib/iddb_replace.c): the writer's lock excludes a second writer and is
 * file.h's, refusing a lock file it does not own; a replace leaves the old
 * file marked stale for the readers that map it, and removes the temp files
 * of killed writers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/nscd.h"
#include "fake_nscd.h"
#include "iddb_sample.h"
#include "tmpdir.h"

/* The lock excludes a second writer until released. */
static void test_lock(void **state)
{
    struct eksauth_error err = {0};
    char path[512];
    int fd = -1, status;
    pid_t pid;

    (void)state;
    snprintf(path, sizeof(path), "%s/lock.db", tmpdir);
    assert_int_equal(eksauth_iddb_lock(path, &fd, &err), EKSAUTH_OK);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char lock[600];
        int cfd;

        snprintf(lock, sizeof(lock), "%s.lock", path);
        cfd = open(lock, O_RDWR | O_CLOEXEC);
        /* held by the parent: a non-blocking try fails */
        _exit(cfd >= 0 && flock(cfd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    eksauth_iddb_unlock(fd);
}

/*
 * The lock is file.h's: a lock file someone else owns (they could hold it
 * forever) or a symlink is refused, with the DB named; the folder is made.
 */
static void test_lock_refuses_foreign(void **state)
{
    struct eksauth_error err = {0};
    char path[512], lock[600];
    struct stat sb;
    int fd = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/lockdir/lock.db", tmpdir);
    snprintf(lock, sizeof(lock), "%s.lock", path);
    assert_int_equal(eksauth_iddb_lock(path, &fd, &err), EKSAUTH_OK);
    assert_int_equal(stat(lock, &sb), 0);
    assert_true(S_ISREG(sb.st_mode) && (sb.st_mode & 07777) == 0600);
    eksauth_iddb_unlock(fd);
    assert_int_equal(chown(lock, geteuid() + 1, (gid_t)-1), 0);
    assert_int_equal(eksauth_iddb_lock(path, &fd, &err), EKSAUTH_EIO);
    assert_int_equal(fd, -1);
    assert_non_null(strstr(err.msg, "identity DB: "));
    assert_non_null(strstr(err.msg, "not a private lock file"));
    assert_int_equal(unlink(lock), 0);
    assert_int_equal(symlink("/nonexistent-eksauth-lock", lock), 0);
    assert_int_equal(eksauth_iddb_lock(path, &fd, &err), EKSAUTH_EIO);
    assert_int_equal(fd, -1);
    assert_int_equal(lstat("/nonexistent-eksauth-lock", &sb), -1); /* nothing made through it */
    assert_int_equal(unlink(lock), 0);
}

/* The file being replaced is marked for the readers that map it; a dead writer's temp file goes. */
static void test_replace_marks_old_and_sweeps(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    struct eksauth_iddb *old = NULL, *db = NULL;
    char path[512], temp[600];
    struct stat sb;
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/replace/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &old, &err), EKSAUTH_OK);
    assert_false(eksauth_iddb_is_stale(old));
    snprintf(temp, sizeof(temp), "%s.tmp.Ab3dE9", path);
    f = fopen(temp, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_is_stale(old));
    assert_int_equal(stat(temp, &sb), -1);
    assert_int_equal(errno, ENOENT);
    /* the new file is current */
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_false(eksauth_iddb_is_stale(db));
    eksauth_iddb_close(db);
    eksauth_iddb_close(old);
    eksauth_iddb_builder_free(b);
}

/*
 * In a child with a mount namespace of its own (a tmpfs over /run, where
 * nscd's socket is: nothing on this host sees it): a stand-in nscd listens
 * at glibc's socket, and a replace of the DB asks it to drop its passwd and
 * group caches, which would otherwise serve a user the new DB no longer
 * has for their time to live.  The child's exit code is the verdict.
 */
static int replace_under_fake_nscd(void *arg)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    const char *path = arg;
    struct fake_nscd f;
    char log[1024];

    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE) != 0)
        return 3;
    if (eksauth_iddb_write(b, path, &err) != EKSAUTH_OK)
        return 4;
    /* Each request was answered before the write returned: nothing is cut by the kill. */
    fake_nscd_stop(&f, 1, log, sizeof(log));
    eksauth_iddb_builder_free(b);
    return strcmp(log, "2 10 passwd\n2 10 group\n") == 0 ? 0 : 1;
}

static void test_replace_invalidates_nscd(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/nscd/identity.db", tmpdir);
    /* 1: the stand-in was not asked for both caches. */
    assert_int_equal(fake_nscd_in_namespace(replace_under_fake_nscd, path), 0);
}

/* Whether the fake's log holds line, waiting for it up to 10 s. */
static bool log_gets(const char *log_path, const char *line)
{
    char buf[256];
    size_t n;
    FILE *f;
    int i;

    for (i = 0; i < 1000; i++) {
        f = fopen(log_path, "r");
        n = f != NULL ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
        if (f != NULL)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, line) != NULL)
            return true;
        usleep(10000);
    }
    return false;
}

/*
 * In a mount namespace of its own, as above: a writer replaces the
 * DB under a stand-in nscd that takes the request and never answers; once
 * the stand-in has the request, is the writer's lock free?  0 when it is,
 * 1 when the writer still holds it, 2 and more when the setup failed.
 */
static int lock_while_nscd_stuck(void *arg)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    const char *path = arg;
    struct fake_nscd f;
    char lock[600], log[256];
    int fd, verdict, status;
    pid_t writer;

    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_SILENT) != 0)
        return 3;
    writer = fork();
    if (writer < 0)
        return 4;
    if (writer == 0)
        _exit(eksauth_iddb_write(b, path, &err) == EKSAUTH_OK ? 0 : 1);
    if (!log_gets(f.log, "2 10 passwd"))
        return 5;
    snprintf(lock, sizeof(lock), "%s.lock", path);
    fd = open(lock, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 6;
    verdict = flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1;
    close(fd);
    /* The stand-in gone, the writer finds no daemon for the group cache and returns. */
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (waitpid(writer, &status, 0) != writer || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 7;
    eksauth_iddb_builder_free(b);
    return verdict;
}

/*
 * nscd is told after the writer's lock is released: a daemon that takes
 * the request and does not answer (stuck, or every thread of it busy with
 * slow lookups, which any local user can cause) holds up that writer
 * alone.  (It held the lock for up to 5 s per cache, and every other login
 * recording itself and every sync queued behind it, each adding its own
 * wait.)
 */
static void test_nscd_told_after_the_lock(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/nscd-stuck/identity.db", tmpdir);
    /* 1: the writer held its lock while it waited for nscd. */
    assert_int_equal(fake_nscd_in_namespace(lock_while_nscd_stuck, path), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_lock_refuses_foreign),
        cmocka_unit_test(test_replace_marks_old_and_sweeps),
        cmocka_unit_test(test_replace_invalidates_nscd),
        cmocka_unit_test(test_nscd_told_after_the_lock),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
