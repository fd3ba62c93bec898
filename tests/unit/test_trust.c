/*
 * test_trust.c - lib/trust.c: each rule of a trusted file (a regular file,
 * root's, not writable by group or others) and of its folder (root's, not
 * writable by group or others unless sticky), the messages that name the
 * path, what is wrong and the command that fixes it, the verdict in parts
 * for doctor, and the check on an open descriptor.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "eksauth/trust.h"
#include "unit.h"

#define CONF "/etc/eksauth/aws-auth.yaml"

/* A regular file and a folder of the given owners and modes. */
static void make(struct stat *file, uid_t file_uid, mode_t file_mode, struct stat *folder,
                 uid_t folder_uid, mode_t folder_mode)
{
    memset(file, 0, sizeof(*file));
    memset(folder, 0, sizeof(*folder));
    file->st_mode = S_IFREG | file_mode;
    file->st_uid = file_uid;
    folder->st_mode = S_IFDIR | folder_mode;
    folder->st_uid = folder_uid;
}

/* check refuses with exactly want (EKSAUTH_EINVAL). */
static void assert_refused(const struct stat *file, const struct stat *folder, const char *want)
{
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_trust_check(CONF, file, folder, &err), EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    assert_string_equal(err.msg, want);
}

static void test_trusted(void **state)
{
    struct stat file, folder;
    struct eksauth_trust_verdict v;
    (void)state;

    make(&file, 0, 0644, &folder, 0, 0755);
    assert_int_equal(eksauth_trust_check(CONF, &file, &folder, NULL), EKSAUTH_OK);
    assert_true(eksauth_trust_explain(CONF, &file, &folder, &v));
    assert_string_equal(v.where, "");
    assert_string_equal(v.problem, "");
    assert_string_equal(v.fix, "");
    /* Read-only for root alone, and setgid or group-readable modes, are fine too. */
    make(&file, 0, 0400, &folder, 0, 0700);
    assert_int_equal(eksauth_trust_check(CONF, &file, &folder, NULL), EKSAUTH_OK);
    make(&file, 0, 02644, &folder, 0, 02755);
    assert_int_equal(eksauth_trust_check(CONF, &file, &folder, NULL), EKSAUTH_OK);
}

/* A file and folder of these owners and modes, and what check says of them. */
struct trust_case {
    uid_t file_uid;
    mode_t file_mode; /* a regular file's, unless it names another type */
    uid_t folder_uid;
    mode_t folder_mode;
    const char *refusal; /* the whole message; NULL: trusted */
};

static void judge(const struct trust_case *cases, size_t n)
{
    struct eksauth_error err = {0};
    struct stat file, folder;
    size_t i;

    for (i = 0; i < n; i++) {
        const struct trust_case *c = &cases[i];

        make(&file, c->file_uid, c->file_mode, &folder, c->folder_uid, c->folder_mode);
        if ((c->file_mode & S_IFMT) != 0)
            file.st_mode = c->file_mode;
        if (c->refusal != NULL)
            assert_refused(&file, &folder, c->refusal);
        else if (eksauth_trust_check(CONF, &file, &folder, &err) != EKSAUTH_OK)
            fail_msg("case %zu (file %o, folder %o): refused: %s", i, (unsigned)c->file_mode,
                     (unsigned)c->folder_mode, err.msg);
    }
}

static void test_file_rules(void **state)
{
    static const struct trust_case cases[] = {
        {0, S_IFIFO | 0644, 0, 0755, CONF ": is not a regular file"},
        {0, S_IFDIR | 0755, 0, 0755, CONF ": is not a regular file"},
        {1000, 0644, 0, 0755, CONF ": is not owned by root (uid 1000); run: chown root:root " CONF},
        {0, 0664, 0, 0755,
         CONF ": is writable by group or others (mode 0664); run: chmod go-w " CONF},
        {0, 0646, 0, 0755,
         CONF ": is writable by group or others (mode 0646); run: chmod go-w " CONF},
        {0, 0666, 0, 0755,
         CONF ": is writable by group or others (mode 0666); run: chmod go-w " CONF},
        /* Both at once: one message, one command line for both. */
        {65534, 0666, 0, 0755,
         CONF ": is not owned by root (uid 65534) and is writable by group or others "
              "(mode 0666); run: chown root:root " CONF " && chmod go-w " CONF},
        /* The file is judged before its folder. */
        {0, 0666, 0, 0777,
         CONF ": is writable by group or others (mode 0666); run: chmod go-w " CONF},
    };
    (void)state;

    judge(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_folder_rules(void **state)
{
    static const struct trust_case cases[] = {
        {0, 0644, 0, 0777,
         "/etc/eksauth: the folder is writable by group or others (mode 0777), so "
         "anyone can replace " CONF "; run: chmod go-w /etc/eksauth"},
        {0, 0644, 0, 0775,
         "/etc/eksauth: the folder is writable by group or others (mode 0775), so its "
         "group can replace " CONF "; run: chmod go-w /etc/eksauth"},
        {0, 0644, 1000, 0755,
         "/etc/eksauth: the folder is not owned by root (uid 1000), so its owner can "
         "replace " CONF "; run: chown root:root /etc/eksauth"},
        {0, 0644, 1000, 0775,
         "/etc/eksauth: the folder is not owned by root (uid 1000) and is writable by "
         "group or others (mode 0775), so its owner and its group can replace " CONF
         "; run: chown root:root /etc/eksauth && chmod go-w /etc/eksauth"},
    };
    (void)state;

    judge(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_sticky_folder(void **state)
{
    static const struct trust_case cases[] = {
        /* In a sticky folder of root's nobody else can rename or remove root's file. */
        {0, 0644, 0, 01777, NULL},
        {0, 0644, 0, 01775, NULL},
        /* ... but its owner can: a sticky folder must be root's too. */
        {0, 0644, 1000, 01777,
         "/etc/eksauth: the folder is not owned by root (uid 1000), so its owner can "
         "replace " CONF "; run: chown root:root /etc/eksauth"},
        /* The sticky bit does not make the file itself any safer. */
        {0, 0666, 0, 01777,
         CONF ": is writable by group or others (mode 0666); run: chmod go-w " CONF},
    };
    (void)state;

    judge(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_folder_names(void **state)
{
    struct eksauth_error err = {0};
    struct stat file, folder;
    (void)state;

    make(&file, 0, 0644, &folder, 0, 0777);
    assert_int_equal(eksauth_trust_check("eksauth.conf", &file, &folder, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, ".: the folder is writable by group or others (mode 0777), so "
                                 "anyone can replace eksauth.conf; run: chmod go-w .");
    assert_int_equal(eksauth_trust_check("/eksauth.conf", &file, &folder, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "/: the folder is writable by group or others (mode 0777), so "
                                 "anyone can replace /eksauth.conf; run: chmod go-w /");
}

/* The parts doctor prints are the words of the refusal. */
static void test_explain_parts(void **state)
{
    struct eksauth_error err = {0};
    struct eksauth_trust_verdict v;
    struct stat file, folder;
    char joined[4 * EKSAUTH_ERROR_MAX];
    (void)state;

    make(&file, 0, 0644, &folder, 0, 0777);
    assert_false(eksauth_trust_explain(CONF, &file, &folder, &v));
    assert_string_equal(v.where, "/etc/eksauth");
    assert_string_equal(v.problem, "the folder is writable by group or others (mode 0777), so "
                                   "anyone can replace " CONF);
    assert_string_equal(v.fix, "chmod go-w /etc/eksauth");
    assert_int_equal(eksauth_trust_check(CONF, &file, &folder, &err), EKSAUTH_EINVAL);
    snprintf(joined, sizeof(joined), "%s: %s; run: %s", v.where, v.problem, v.fix);
    assert_string_equal(err.msg, joined);

    file.st_mode = S_IFSOCK | 0644;
    assert_false(eksauth_trust_explain(CONF, &file, &folder, &v));
    assert_string_equal(v.where, CONF);
    assert_string_equal(v.fix, "");
}

/* eksauth_trust_check_opened: the file as fstat() gave it, and a stat of the path's folder. */
static void test_check_opened(void **state)
{
    struct eksauth_error err = {0};
    char dir[SCRATCH_DIR_MAX], path[128], want[512];
    struct stat sb;
    int fd;
    (void)state;

    if (geteuid() != 0)
        skip(); /* the file and its folder must be root's */
    scratch_make(dir, sizeof(dir), "trust");
    snprintf(path, sizeof(path), "%s/eksauth.conf", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(fchmod(fd, 0644), 0);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(eksauth_trust_check_opened(path, &sb, &err), EKSAUTH_OK);

    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(eksauth_trust_check_opened(path, &sb, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "%s: the folder is writable by group or others (mode 0777), so anyone can replace "
             "%s; run: chmod go-w %s",
             dir, path, dir);
    assert_string_equal(err.msg, want);
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(eksauth_trust_check_opened(path, &sb, &err), EKSAUTH_OK);

    /* The file's own bits are judged as the descriptor's fstat gave them. */
    assert_int_equal(fchmod(fd, 0666), 0);
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(eksauth_trust_check_opened(path, &sb, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "%s: is writable by group or others (mode 0666); run: chmod go-w %s", path, path);
    assert_string_equal(err.msg, want);

    /* A folder that cannot be stat()ed: no verdict. */
    assert_int_equal(eksauth_trust_check_opened("/nonexistent-eksauth-dir/eksauth.conf", &sb, &err),
                     EKSAUTH_EIO);
    assert_int_equal(close(fd), 0);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* eksauth_trust_check_folder(path) refuses dir with "<what> can replace path; run: <fix> dir". */
static void assert_folder_refused(const char *dir, const char *path, const char *what,
                                  const char *fix)
{
    struct eksauth_error err = {0};
    char want[512];

    assert_int_equal(eksauth_trust_check_folder(path, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want), "%s: the folder %s can replace %s; run: %s %s", dir, what, path,
             fix, dir);
    assert_string_equal(err.msg, want);
}

/* eksauth_trust_check_folder: the folder's half alone, for a file not written yet. */
static void test_check_folder(void **state)
{
    struct eksauth_error err = {0};
    char dir[SCRATCH_DIR_MAX], path[128];
    (void)state;

    if (geteuid() != 0)
        skip(); /* the folder must be root's */
    scratch_make(dir, sizeof(dir), "trust");
    snprintf(path, sizeof(path), "%s/identity.db", dir);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(eksauth_trust_check_folder(path, &err), EKSAUTH_OK);
    assert_int_equal(chmod(dir, 0775), 0);
    assert_folder_refused(dir, path, "is writable by group or others (mode 0775), so its group",
                          "chmod go-w");
    assert_int_equal(chown(dir, 1000, 0), 0);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_folder_refused(dir, path, "is not owned by root (uid 1000), so its owner",
                          "chown root:root");
    /*
     * Sticky and root's, as /tmp: only root renames in it, which a reader
     * needs; but anyone can make the writer's lock file there first.
     */
    assert_int_equal(chown(dir, 0, 0), 0);
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(eksauth_trust_check_folder(path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_trust_check_writer_folder(path, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "others may make files in it (mode 1777)"));
    assert_non_null(strstr(err.msg, "run: chmod go-w"));
    assert_int_equal(chmod(dir, 01775), 0);
    assert_int_equal(eksauth_trust_check_folder(path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_trust_check_writer_folder(path, &err), EKSAUTH_EINVAL);
    assert_int_equal(chmod(dir, 01755), 0);
    assert_int_equal(eksauth_trust_check_writer_folder(path, &err), EKSAUTH_OK);
    /* What a reader refuses, a writer refuses too. */
    assert_int_equal(chmod(dir, 0775), 0);
    assert_int_equal(eksauth_trust_check_writer_folder(path, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "so its group"));
    assert_int_equal(rmdir(dir), 0);
    /* Not there yet: its writer makes it, root's. */
    assert_int_equal(eksauth_trust_check_folder(path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_trust_check_writer_folder(path, &err), EKSAUTH_OK);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_trusted), cmocka_unit_test(test_file_rules),
                  cmocka_unit_test(test_folder_rules), cmocka_unit_test(test_sticky_folder),
                  cmocka_unit_test(test_folder_names), cmocka_unit_test(test_explain_parts),
                  cmocka_unit_test(test_check_opened), cmocka_unit_test(test_check_folder))
