/*
 * test_file.c - lib/file.c: reading trusted files (size cap, regular files
 * only, the rule of lib/trust.c on the file and its folder) and atomic
 * replacement (content, exact mode, a new inode, no temp file left behind
 * on any failure); what keeps a user who is not root out of a file.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/file.h"
#include "as_nobody.h"
#include "scratch.h"
#include "smaps.h"
#include "unit.h"

/* Each test's state: a scratch folder (scratch.h) and the path of its file. */
static int setup(void **state)
{
    *state = scratch_new("file", "f");
    return 0;
}

static int teardown(void **state)
{
    scratch_free(*state);
    return 0;
}

static void put(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

/* How many entries (besides . and ..) the folder holds. */
static int count_entries(const char *dir)
{
    struct dirent *de;
    DIR *d = opendir(dir);
    int n = 0;

    assert_non_null(d);
    while ((de = readdir(d)) != NULL)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static void assert_content(const char *path, const char *want)
{
    char *data = NULL;
    size_t len = 0;

    assert_int_equal(eksauth_file_read(path, 1 << 20, false, &data, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, strlen(want));
    assert_string_equal(data, want);
    free(data);
}

/* ---- reading ---- */

static void test_read(void **state)
{
    struct scratch *fx = *state;
    char *data = NULL;
    size_t len = 0;

    put(fx->path, "key = value\n", 12, 0644);
    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, 12);
    assert_string_equal(data, "key = value\n");
    free(data);
}

static void test_read_empty(void **state)
{
    struct scratch *fx = *state;
    char *data = NULL;
    size_t len = 99;

    put(fx->path, "", 0, 0644);
    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    free(data);
}

static void test_read_size_cap(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[256];
    size_t len = 0;

    put(fx->path, "0123456789", 10, 0644);
    /* Exactly the cap: read. */
    assert_int_equal(eksauth_file_read(fx->path, 10, false, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, 10);
    free(data);
    /* One byte over: refused, nothing returned. */
    data = (char *)"untouched";
    assert_int_equal(eksauth_file_read(fx->path, 9, false, &data, &len, &err), EKSAUTH_EINVAL);
    assert_null(data);
    snprintf(want, sizeof(want), "%s: larger than 9 bytes", fx->path);
    assert_string_equal(err.msg, want);
}

static void test_read_grows_past_stat_size(void **state)
{
    struct eksauth_error err = {0};
    char *data = NULL;
    size_t len = 0;
    (void)state;

    /* /proc files are regular with st_size 0: the cap is enforced on what is read. */
    assert_int_equal(eksauth_file_read("/proc/self/status", 1 << 20, false, &data, &len, &err),
                     EKSAUTH_OK);
    assert_true(len > 100);
    assert_non_null(strstr(data, "Uid:"));
    assert_int_equal(strlen(data), len);
    free(data);
    assert_int_equal(eksauth_file_read("/proc/self/status", 16, false, &data, &len, &err),
                     EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "/proc/self/status: larger than 16 bytes");
    assert_null(data);
}

static void test_read_not_regular(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char fifo[160], want[256];
    char *data = NULL;
    size_t len = 0;

    assert_int_equal(eksauth_file_read(fx->dir, 100, false, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want), "%s: not a regular file", fx->dir);
    assert_string_equal(err.msg, want);

    assert_int_equal(eksauth_file_read("/dev/null", 100, false, &data, &len, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "/dev/null: not a regular file");

    /* A FIFO with no writer: refused at once; a hang in open() would end in SIGALRM. */
    snprintf(fifo, sizeof(fifo), "%s/fifo", fx->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(10);
    assert_int_equal(eksauth_file_read(fifo, 100, false, &data, &len, &err), EKSAUTH_EINVAL);
    alarm(0);
    snprintf(want, sizeof(want), "%s: not a regular file", fifo);
    assert_string_equal(err.msg, want);
    assert_null(data);
}

static void test_read_missing(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[256];
    size_t len = 0;

    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, &err), EKSAUTH_ENOTFOUND);
    snprintf(want, sizeof(want), "%s: No such file or directory", fx->path);
    assert_string_equal(err.msg, want);
    assert_null(data);
}

/* A secret's file: read the same way, through the growing path too; a missing folder is missing. */
static void test_read_secret(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, under[256];
    size_t len = 0;

    put(fx->path, "[default]\naws_secret_access_key = x\n", 36, 0600);
    assert_int_equal(eksauth_file_read_secret(fx->path, 100, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, 36);
    assert_string_equal(data, "[default]\naws_secret_access_key = x\n");
    free(data);
    assert_int_equal(eksauth_file_read_secret("/proc/self/status", 1 << 20, &data, &len, &err),
                     EKSAUTH_OK);
    assert_non_null(strstr(data, "Uid:"));
    assert_int_equal(strlen(data), len);
    free(data);
    assert_int_equal(eksauth_file_read_secret(fx->path, 35, &data, &len, &err), EKSAUTH_EINVAL);
    assert_null(data);
    /* fx->path is a file, so nothing can be under it: not there, for a secret's file only. */
    snprintf(under, sizeof(under), "%s/credentials", fx->path);
    assert_int_equal(eksauth_file_read_secret(under, 100, &data, &len, &err), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_file_read(under, 100, false, &data, &len, &err), EKSAUTH_EIO);
}

/* An open file, checked by the caller its own way: the rest of it, under the cap. */
static void test_read_fd(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[256];
    size_t len = 0;
    int fd;

    put(fx->path, "0123456789", 10, 0600);
    fd = open(fx->path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(eksauth_file_read_fd(fx->path, fd, 10, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    free(data);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    assert_int_equal(eksauth_file_read_fd(fx->path, fd, 9, &data, &len, &err), EKSAUTH_EINVAL);
    assert_null(data);
    snprintf(want, sizeof(want), "%s: larger than 9 bytes", fx->path);
    assert_string_equal(err.msg, want);
    close(fd);
}

/* The lock of a path: held until closed, a private regular file, never a symlink. */
static void test_lock(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char lock[160];
    struct stat sb;
    int fd, other;

    snprintf(lock, sizeof(lock), "%s.lock", fx->path);
    assert_int_equal(eksauth_file_lock(fx->path, &fd, &err), EKSAUTH_OK);
    assert_int_equal(stat(lock, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    other = open(lock, O_RDWR | O_CLOEXEC);
    assert_true(other >= 0);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1); /* held */
    close(fd);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0); /* let go */
    /* trylock does not wait for a lock someone holds, and takes a free one. */
    assert_int_equal(eksauth_file_trylock(fx->path, &fd, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(fd, -1);
    assert_non_null(strstr(err.msg, "held by another process"));
    assert_int_equal(flock(other, LOCK_UN), 0);
    assert_int_equal(eksauth_file_trylock(fx->path, &fd, &err), EKSAUTH_OK);
    assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
    close(fd);
    close(other);
    assert_int_equal(unlink(lock), 0);
    assert_int_equal(symlink("/nonexistent-eksauth-lock", lock), 0);
    assert_int_equal(eksauth_file_lock(fx->path, &fd, &err), EKSAUTH_EIO);
    assert_int_equal(fd, -1);
    assert_int_equal(unlink(lock), 0);
}

/* ---- trust ---- */

static void test_read_trusted(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[512];
    size_t len = 0;

    if (geteuid() != 0)
        skip(); /* needs root to own the file and to chown it away */
    put(fx->path, "x", 1, 0644);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_OK);
    free(data);
    data = NULL;

    assert_int_equal(chmod(fx->path, 0664), 0);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "%s: is writable by group or others (mode 0664); run: chmod go-w %s", fx->path,
             fx->path);
    assert_string_equal(err.msg, want);
    assert_null(data);
    /* Without the check the same file reads. */
    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, &err), EKSAUTH_OK);
    free(data);
    data = NULL;

    assert_int_equal(chmod(fx->path, 0644), 0);
    assert_int_equal(chown(fx->path, 1000, 1000), 0);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want), "%s: is not owned by root (uid 1000); run: chown root:root %s",
             fx->path, fx->path);
    assert_string_equal(err.msg, want);
    assert_null(data);
}

/* The folder counts too: whoever can write it can put another file in the file's place. */
static void test_read_trusted_folder(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[512];
    size_t len = 0;

    if (geteuid() != 0)
        skip(); /* needs root to own the file and its folder, and to chown them away */
    put(fx->path, "x", 1, 0644);
    assert_int_equal(chmod(fx->dir, 0777), 0);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "%s: the folder is writable by group or others (mode 0777), so anyone can replace "
             "%s; run: chmod go-w %s",
             fx->dir, fx->path, fx->dir);
    assert_string_equal(err.msg, want);
    assert_null(data);
    /* Without the check the same file reads. */
    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, &err), EKSAUTH_OK);
    free(data);
    data = NULL;

    /* Sticky (as /tmp): nobody else can rename or remove root's file. */
    assert_int_equal(chmod(fx->dir, 01777), 0);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_OK);
    assert_string_equal(data, "x");
    free(data);
    data = NULL;

    assert_int_equal(chmod(fx->dir, 0755), 0);
    assert_int_equal(chown(fx->dir, 1000, 1000), 0);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "%s: the folder is not owned by root (uid 1000), so its owner can replace %s; run: "
             "chown root:root %s",
             fx->dir, fx->path, fx->dir);
    assert_string_equal(err.msg, want);
    assert_null(data);
}

/* ---- atomic writes ---- */

/* A private secret of root's: trusted, no access for group or others, not through a symlink. */
static void test_read_private(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char *data = NULL, want[512], link[160];
    size_t len = 0;

    if (geteuid() != 0)
        skip(); /* needs root to own the file and to chown it away */
    put(fx->path, "secret", 6, 0600);
    assert_int_equal(eksauth_file_read_private(fx->path, 100, &data, &len, &err), EKSAUTH_OK);
    assert_string_equal(data, "secret");
    free(data);
    data = NULL;
    /* Readable by group or others: refused, though the trust rule alone takes it. */
    assert_int_equal(chmod(fx->path, 0640), 0);
    assert_int_equal(eksauth_file_read_private(fx->path, 100, &data, &len, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want), "%s: group or others have access (mode 0640)", fx->path);
    assert_string_equal(err.msg, want);
    assert_null(data);
    assert_int_equal(eksauth_file_read(fx->path, 100, true, &data, &len, &err), EKSAUTH_OK);
    free(data);
    data = NULL;
    /* The trust rule holds too: not root's. */
    assert_int_equal(chmod(fx->path, 0600), 0);
    assert_int_equal(chown(fx->path, 1000, 1000), 0);
    assert_int_equal(eksauth_file_read_private(fx->path, 100, &data, &len, &err), EKSAUTH_EINVAL);
    assert_null(data);
    assert_int_equal(chown(fx->path, 0, 0), 0);
    /* A symlink to a good file is not followed. */
    snprintf(link, sizeof(link), "%s.link", fx->path);
    assert_int_equal(symlink(fx->path, link), 0);
    assert_int_equal(eksauth_file_read_private(link, 100, &data, &len, &err), EKSAUTH_EIO);
    assert_null(data);
    assert_int_equal(unlink(link), 0);
}

static void test_write_new(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    struct stat st;
    mode_t old_umask;

    /* The mode is exact: the umask does not filter it. */
    old_umask = umask(077);
    assert_int_equal(eksauth_file_write_atomic(fx->path, "hello\n", 6, 0644, &err), EKSAUTH_OK);
    umask(old_umask);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_content(fx->path, "hello\n");
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_write_replaces(void **state)
{
    struct scratch *fx = *state;
    struct stat before, after;
    int fd;
    char buf[16] = {0};

    put(fx->path, "old content", 11, 0600);
    assert_int_equal(stat(fx->path, &before), 0);
    /* A reader that opened the old file keeps the old bytes (a new inode replaces it). */
    fd = open(fx->path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);

    assert_int_equal(eksauth_file_write_atomic(fx->path, "new", 3, 0640, NULL), EKSAUTH_OK);
    assert_int_equal(stat(fx->path, &after), 0);
    assert_int_not_equal(before.st_ino, after.st_ino);
    assert_int_equal(after.st_mode & 07777, 0640);
    assert_content(fx->path, "new");
    assert_int_equal(read(fd, buf, sizeof(buf) - 1), 11);
    assert_string_equal(buf, "old content");
    close(fd);
    assert_int_equal(count_entries(fx->dir), 1);
}

/* The rewrite (no folder fsync): the same new file in place, no temp file left. */
static void test_rewrite_replaces(void **state)
{
    struct scratch *fx = *state;
    struct stat before, after;

    put(fx->path, "old content", 11, 0600);
    assert_int_equal(stat(fx->path, &before), 0);
    assert_int_equal(eksauth_file_rewrite_atomic(fx->path, "newer", 5, 0644, NULL), EKSAUTH_OK);
    assert_int_equal(stat(fx->path, &after), 0);
    assert_int_not_equal(before.st_ino, after.st_ino);
    assert_int_equal(after.st_mode & 07777, 0644);
    assert_content(fx->path, "newer");
    assert_int_equal(count_entries(fx->dir), 1);
}

/*
 * KiB of path mapped by huge pages (FilePmdMapped) once a reader that asked
 * for them (lib/iddb.c does) has touched every page; 0 when the kernel gives
 * a file none.
 */
static long huge_mapped_kib(const char *path, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    volatile unsigned char sum = 0;
    char text[64];
    long kib = -1;
    unsigned char *p;
    size_t i;

    assert_true(fd >= 0);
    p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(p != MAP_FAILED);
    (void)madvise(p, len, MADV_HUGEPAGE);
    for (i = 0; i < len; i += 4096)
        sum += p[i];
    if (smaps_field(path, "FilePmdMapped", text, sizeof(text)) && sscanf(text, "%ld kB", &kib) != 1)
        kib = -1;
    munmap(p, len);
    close(fd);
    (void)sum;
    return kib;
}

static void test_write_keeps_huge_pages(void **state)
{
    struct scratch *fx = *state;
    size_t len = 8u << 20, i;
    char one[160], *data = malloc(len);
    long ours, single;

    /*
     * A big DB is read through huge pages when its page cache holds 2 MiB
     * pieces, which a file written in one write(2) gets from the kernel
     * (where it can): written in pieces, each must be a whole 2 MiB, or the
     * NSS module's lookups pay a TLB miss each (bench/README.md, row 3).
     */
    assert_non_null(data);
    for (i = 0; i < len; i++)
        data[i] = (char)(i * 2654435761u >> 13);
    snprintf(one, sizeof(one), "%s/one-write", fx->dir);
    put(one, data, len, 0644);
    assert_int_equal(eksauth_file_write_atomic(fx->path, data, len, 0644, NULL), EKSAUTH_OK);
    single = huge_mapped_kib(one, len);
    ours = huge_mapped_kib(fx->path, len);
    assert_true(single >= 0 && ours >= 0);
    /* No worse than one write: equal where the kernel gives huge pages, 0 and 0 where not. */
    assert_int_equal(ours, single);
    free(data);
}

static void test_write_empty_and_binary(void **state)
{
    struct scratch *fx = *state;
    static const char bin[] = {'a', '\0', 'b', '\n'};
    char *data = NULL;
    size_t len = 0;

    assert_int_equal(eksauth_file_write_atomic(fx->path, "", 0, 0600, NULL), EKSAUTH_OK);
    assert_content(fx->path, "");
    assert_int_equal(eksauth_file_write_atomic(fx->path, bin, sizeof(bin), 0600, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_file_read(fx->path, 100, false, &data, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, sizeof(bin));
    assert_memory_equal(data, bin, sizeof(bin));
    free(data);
}

static void test_write_relative_path(void **state)
{
    struct scratch *fx = *state;
    char cwd[PATH_MAX];

    /* No '/' in the path: the folder to fsync is ".". */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(fx->dir), 0);
    assert_int_equal(eksauth_file_write_atomic("rel", "r", 1, 0600, NULL), EKSAUTH_OK);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(count_entries(fx->dir), 1);
}

static void test_write_missing_dir(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char path[192], want[256];

    snprintf(path, sizeof(path), "%s/missing/f", fx->dir);
    assert_int_equal(eksauth_file_write_atomic(path, "x", 1, 0600, &err), EKSAUTH_EIO);
    assert_int_equal(err.status, EKSAUTH_EIO);
    snprintf(want, sizeof(want), "%s: cannot create a temporary file: No such file or directory",
             path);
    assert_string_equal(err.msg, want);
    assert_int_equal(count_entries(fx->dir), 0);
}

static void test_write_rename_fails_cleans_up(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char inner[192], want[256];

    /* The target is a non-empty folder: rename() fails after the temp file is written. */
    assert_int_equal(mkdir(fx->path, 0700), 0);
    snprintf(inner, sizeof(inner), "%s/keep", fx->path);
    put(inner, "k", 1, 0600);
    assert_int_equal(eksauth_file_write_atomic(fx->path, "x", 1, 0600, &err), EKSAUTH_EIO);
    snprintf(want, sizeof(want), "%s: rename: Is a directory", fx->path);
    assert_string_equal(err.msg, want);
    /* Only the folder itself is left: no "<path>.tmp.XXXXXX". */
    assert_int_equal(count_entries(fx->dir), 1);
    assert_int_equal(unlink(inner), 0);
}

/* A 1 KiB file size limit (write() then fails with EFBIG, SIGXFSZ ignored), and back. */
struct small_files {
    struct rlimit old;
    void (*old_handler)(int);
};

static void small_files_begin(struct small_files *lim)
{
    struct rlimit small;

    assert_int_equal(getrlimit(RLIMIT_FSIZE, &lim->old), 0);
    small = lim->old;
    small.rlim_cur = 1024;
    lim->old_handler = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
}

static void small_files_end(struct small_files *lim)
{
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim->old), 0);
    signal(SIGXFSZ, lim->old_handler);
}

static void test_write_fails_midway_cleans_up(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    struct small_files lim;
    char big[4096], want[256];

    put(fx->path, "old", 3, 0600);
    memset(big, 'x', sizeof(big));
    /* A file size limit makes write() fail (EFBIG) once the temp file exists. */
    small_files_begin(&lim);
    assert_int_equal(eksauth_file_write_atomic(fx->path, big, sizeof(big), 0600, &err),
                     EKSAUTH_EIO);
    small_files_end(&lim);

    snprintf(want, sizeof(want), "%s: write: File too large", fx->path);
    assert_string_equal(err.msg, want);
    /* The old file is untouched and the temp file is gone. */
    assert_content(fx->path, "old");
    assert_int_equal(count_entries(fx->dir), 1);
}

/* Prepared, the new bytes are on disk beside path, and path is the old file until the commit. */
static void test_prepare_then_commit(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_file_pending p;
    struct stat sb;

    put(fx->path, "old", 3, 0600);
    assert_int_equal(eksauth_file_prepare(fx->path, "new", 3, 0640, &p, NULL), EKSAUTH_OK);
    assert_non_null(p.tmp);
    assert_content(fx->path, "old");
    assert_content(p.tmp, "new");
    assert_int_equal(count_entries(fx->dir), 2);
    assert_int_equal(eksauth_file_commit(&p, true, NULL), EKSAUTH_OK);
    assert_null(p.tmp);
    assert_content(fx->path, "new");
    assert_int_equal(stat(fx->path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0640);
    assert_int_equal(count_entries(fx->dir), 1);
    /* After a commit, a discard is nothing, and a second commit refuses. */
    eksauth_file_discard(&p);
    assert_int_equal(eksauth_file_commit(&p, true, NULL), EKSAUTH_EINVAL);
    assert_content(fx->path, "new");
}

/* A prepared file not committed: the discard removes it, path never changed. */
static void test_prepare_then_discard(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_file_pending p;

    put(fx->path, "old", 3, 0600);
    assert_int_equal(eksauth_file_prepare(fx->path, "new", 3, 0644, &p, NULL), EKSAUTH_OK);
    eksauth_file_discard(&p);
    assert_null(p.tmp);
    assert_content(fx->path, "old");
    assert_int_equal(count_entries(fx->dir), 1);
}

/* A prepare that fails (no room: a file size limit) leaves no temp file and nothing to discard. */
static void test_prepare_fails_cleans_up(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_file_pending p;
    struct eksauth_error err = {0};
    struct small_files lim;
    char big[4096], want[256];

    put(fx->path, "old", 3, 0600);
    memset(big, 'x', sizeof(big));
    small_files_begin(&lim);
    assert_int_equal(eksauth_file_prepare(fx->path, big, sizeof(big), 0600, &p, &err), EKSAUTH_EIO);
    small_files_end(&lim);
    snprintf(want, sizeof(want), "%s: write: File too large", fx->path);
    assert_string_equal(err.msg, want);
    assert_null(p.tmp);
    eksauth_file_discard(&p);
    assert_content(fx->path, "old");
    assert_int_equal(count_entries(fx->dir), 1);
}

/* in fx->dir: name exists (lstat) */
static bool exists_in(const struct scratch *fx, const char *name)
{
    char p[256];
    struct stat sb;

    snprintf(p, sizeof(p), "%s/%s", fx->dir, name);
    return lstat(p, &sb) == 0;
}

static void put_in(const struct scratch *fx, const char *name)
{
    char p[256];

    snprintf(p, sizeof(p), "%s/%s", fx->dir, name);
    put(p, "t", 1, 0600);
}

static void test_remove_stale_temps(void **state)
{
    static const char *const stale[] = {"f.tmp.AbC123", "f.tmp.zzzzzz", "f.tmp.000000"};
    static const char *const kept[] = {
        "f.tmp.AbC12",   /* too short for mkostemp's six */
        "f.tmp.AbC1234", /* too long */
        "f.tmp.Ab-123",  /* not what mkostemp writes */
        "g.tmp.AbC123",  /* another file's temp */
        "ff.tmp.AbC123", /* ditto: the base must match whole */
        ".f.AbC123",     /* another pattern */
        "f.tmp.",        /* nothing random */
        "target",        /* what the symlink points at */
    };
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char link[256], sub[256];
    unsigned removed = 99;
    size_t i;

    put(fx->path, "db", 2, 0644);
    for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
        put_in(fx, stale[i]);
    for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        put_in(fx, kept[i]);
    /* A symlink with our pattern: neither it nor its target is touched. */
    snprintf(link, sizeof(link), "%s/f.tmp.SyMlNk", fx->dir);
    assert_int_equal(symlink("target", link), 0);
    /* A folder with our pattern is not a file we wrote. */
    snprintf(sub, sizeof(sub), "%s/f.tmp.DiRrrr", fx->dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    if (geteuid() == 0) {
        /* Someone else's file with our pattern is theirs (only root can make one here). */
        put_in(fx, "f.tmp.NoBody");
        snprintf(sub, sizeof(sub), "%s/f.tmp.NoBody", fx->dir);
        assert_int_equal(chown(sub, 65534, 65534), 0);
    }

    assert_int_equal(eksauth_file_remove_stale_temps(fx->path, &removed, &err), EKSAUTH_OK);
    assert_int_equal(removed, 3);
    for (i = 0; i < sizeof(stale) / sizeof(stale[0]); i++)
        assert_false(exists_in(fx, stale[i]));
    for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
        assert_true(exists_in(fx, kept[i]));
    assert_true(exists_in(fx, "f.tmp.SyMlNk"));
    assert_true(exists_in(fx, "f.tmp.DiRrrr"));
    assert_true(exists_in(fx, "f"));
    assert_content(fx->path, "db");
    if (geteuid() == 0)
        assert_true(exists_in(fx, "f.tmp.NoBody"));

    /* Nothing left to remove: OK, none removed. */
    assert_int_equal(eksauth_file_remove_stale_temps(fx->path, &removed, &err), EKSAUTH_OK);
    assert_int_equal(removed, 0);
}

/* The name mkostemp gives eksauth_file_write_atomic's temp file is one the sweep removes. */
static void test_remove_stale_matches_writer(void **state)
{
    struct scratch *fx = *state;
    unsigned removed = 0;
    char tmpl[192];
    int fd;

    put(fx->path, "old", 3, 0600);
    /* What a writer killed before its rename leaves: file.h's "<path>.tmp.XXXXXX". */
    snprintf(tmpl, sizeof(tmpl), "%s.tmp.XXXXXX", fx->path);
    fd = mkostemp(tmpl, O_CLOEXEC);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(count_entries(fx->dir), 2);
    assert_int_equal(eksauth_file_remove_stale_temps(fx->path, &removed, NULL), EKSAUTH_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(count_entries(fx->dir), 1);
    assert_content(fx->path, "old");
    /* And the writer still works after the sweep. */
    assert_int_equal(eksauth_file_write_atomic(fx->path, "new", 3, 0600, NULL), EKSAUTH_OK);
    assert_content(fx->path, "new");
}

static void test_remove_stale_errors(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err = {0};
    char path[192];
    unsigned removed = 7;

    snprintf(path, sizeof(path), "%s/missing/f", fx->dir);
    assert_int_equal(eksauth_file_remove_stale_temps(path, &removed, &err), EKSAUTH_ENOTFOUND);
    assert_int_equal(removed, 0);
    assert_int_equal(eksauth_file_remove_stale_temps("/tmp/", &removed, &err), EKSAUTH_EINVAL);
}

/* What nobody was told of one path: closed by what, and whose the file (when asked). */
struct closed_seen {
    const char *path;
    uid_t *owner;
    enum eksauth_closed_by by;
};

static void closed_it(void *p)
{
    struct closed_seen *seen = p;

    seen->by = eksauth_file_closed_by(seen->path, seen->owner);
}

/* eksauth_file_closed_by(path, owner) as nobody; owner may be NULL. */
static enum eksauth_closed_by closed_to_nobody(const char *path, uid_t *owner)
{
    struct closed_seen seen = {path, owner, EKSAUTH_CLOSED_BY_NOTHING};

    if (owner != NULL)
        *owner = 99999; /* not a uid the test uses: left as is when not filled */
    assert_true(as_nobody(closed_it, &seen));
    return seen.by;
}

/*
 * What keeps a user out, for the advice lib/config.c, lib/mapping.c and
 * tools/cli.c give: the file's mode (and whose it is), a folder on its
 * path, or nothing to advise on (root, a file the user may read, a
 * missing one).
 */
static void test_closed_by(void **state)
{
    struct scratch *fx = *state;
    char closed[sizeof(fx->dir) + 16], inside[sizeof(closed) + 16], missing[sizeof(fx->path) + 16];
    uid_t owner = 99999;

    if (geteuid() != 0)
        skip(); /* only root makes a file of root's, then drops to another user */
    /* As root: no mode keeps root out, nothing to advise. */
    put(fx->path, "x", 1, 0600);
    assert_int_equal(eksauth_file_closed_by(fx->path, &owner), EKSAUTH_CLOSED_BY_NOTHING);
    assert_int_equal(owner, 99999);
    assert_int_equal(chmod(fx->dir, 0755), 0);
    /* Root's 0600: the file's mode, and it is root's. */
    assert_int_equal(closed_to_nobody(fx->path, &owner), EKSAUTH_CLOSED_BY_FILE);
    assert_int_equal(owner, 0);
    /* Another user's: that user named. */
    assert_int_equal(chown(fx->path, 65533, 65533), 0);
    assert_int_equal(closed_to_nobody(fx->path, &owner), EKSAUTH_CLOSED_BY_FILE);
    assert_int_equal(owner, 65533);
    /* Readable: nothing to advise. */
    assert_int_equal(chmod(fx->path, 0644), 0);
    assert_int_equal(closed_to_nobody(fx->path, &owner), EKSAUTH_CLOSED_BY_NOTHING);
    assert_int_equal(owner, 99999);
    /* Missing, or under a file: refused for no permission, nothing to advise. */
    snprintf(missing, sizeof(missing), "%s/none", fx->dir);
    assert_int_equal(closed_to_nobody(missing, &owner), EKSAUTH_CLOSED_BY_NOTHING);
    snprintf(missing, sizeof(missing), "%s/x", fx->path);
    assert_int_equal(closed_to_nobody(missing, &owner), EKSAUTH_CLOSED_BY_NOTHING);
    /* A folder nobody may not search: the folder, though the file itself is 0644. */
    snprintf(closed, sizeof(closed), "%s/closed", fx->dir);
    assert_int_equal(mkdir(closed, 0700), 0);
    snprintf(inside, sizeof(inside), "%s/f", closed);
    put(inside, "x", 1, 0644);
    assert_int_equal(closed_to_nobody(inside, &owner), EKSAUTH_CLOSED_BY_FOLDER);
    assert_int_equal(owner, 99999);
    /* Searchable, not listable (0711): the stat passes, the file's own mode is left. */
    assert_int_equal(chmod(closed, 0711), 0);
    assert_int_equal(chmod(inside, 0600), 0);
    assert_int_equal(closed_to_nobody(inside, &owner), EKSAUTH_CLOSED_BY_FILE);
    assert_int_equal(owner, 0);
    /* owner may be NULL (tools/cli.c asks no owner). */
    assert_int_equal(closed_to_nobody(inside, NULL), EKSAUTH_CLOSED_BY_FILE);
}

EKSAUTH_UNIT_MAIN(
    cmocka_unit_test_setup_teardown(test_read, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_empty, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_size_cap, setup, teardown),
    cmocka_unit_test(test_read_grows_past_stat_size),
    cmocka_unit_test_setup_teardown(test_read_not_regular, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_missing, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_secret, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_private, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_fd, setup, teardown),
    cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_trusted, setup, teardown),
    cmocka_unit_test_setup_teardown(test_read_trusted_folder, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_new, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown(test_rewrite_replaces, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_keeps_huge_pages, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_empty_and_binary, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_relative_path, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_missing_dir, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_rename_fails_cleans_up, setup, teardown),
    cmocka_unit_test_setup_teardown(test_write_fails_midway_cleans_up, setup, teardown),
    cmocka_unit_test_setup_teardown(test_prepare_then_commit, setup, teardown),
    cmocka_unit_test_setup_teardown(test_prepare_then_discard, setup, teardown),
    cmocka_unit_test_setup_teardown(test_prepare_fails_cleans_up, setup, teardown),
    cmocka_unit_test_setup_teardown(test_remove_stale_temps, setup, teardown),
    cmocka_unit_test_setup_teardown(test_remove_stale_matches_writer, setup, teardown),
    cmocka_unit_test_setup_teardown(test_remove_stale_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_closed_by, setup, teardown))
