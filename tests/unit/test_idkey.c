/*
 * test_idkey.c - the fleet's id key file (lib/idkey.c): a missing file
 * means no key; a good one gives the key names.h derives from its bytes;
 * every file that others could read, write or replace is refused with what
 * to run; a caller other than root cannot read it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/idkey.h"
#include "scratch.h"

static char dir[SCRATCH_DIR_MAX], path[512];

static int setup(void **state)
{
    (void)state;
    scratch_make(dir, sizeof(dir), "idkey");
    if (chmod(dir, 0755) != 0)
        return -1;
    snprintf(path, sizeof(path), "%s/id.key", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scratch_remove(dir);
    return 0;
}

static void write_key(const unsigned char *bytes, size_t len, mode_t mode)
{
    int fd;

    unlink(path);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* The key file is refused, and the message says so (and what to run). */
static void refused(const char *why)
{
    struct eksauth_id_key key;
    struct eksauth_error err = {0};
    bool present;

    assert_int_equal(eksauth_idkey_load(path, &key, &present, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, why) == NULL)
        fail_msg("'%s' lacks '%s'", err.msg, why);
    assert_non_null(strstr(err.msg, "id key: "));
}

static void test_load(void **state)
{
    unsigned char secret[40];
    struct eksauth_id_key key, want;
    struct eksauth_error err = {0};
    bool present = true;

    (void)state;
    /* No file: no key, not an error (ids stay unkeyed). */
    assert_int_equal(eksauth_idkey_load(path, &key, &present, &err), EKSAUTH_OK);
    assert_false(present);
    memset(secret, 0x3c, sizeof(secret));
    write_key(secret, sizeof(secret), 0400);
    assert_int_equal(eksauth_idkey_load(path, &key, &present, &err), EKSAUTH_OK);
    assert_true(present);
    eksauth_names_id_key_derive(secret, sizeof(secret), &want);
    assert_memory_equal(key.k, want.k, sizeof(want.k));
    assert_true(key.check == want.check);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(eksauth_idkey_load(path, &key, &present, &err), EKSAUTH_OK);
}

static void test_refusals(void **state)
{
    unsigned char secret[64];
    char link[sizeof(path) - 16];

    (void)state;
    memset(secret, 0x11, sizeof(secret));
    write_key(secret, sizeof(secret), 0644);
    refused("must be readable by root alone (mode 0600 or 0400); run: chmod 0400");
    write_key(secret, sizeof(secret), 0440);
    refused("mode 0600 or 0400");
    write_key(secret, sizeof(secret), 0400);
    assert_int_equal(chown(path, 65534, 0), 0);
    refused("is not owned by root; run: chown root:root");
    write_key(secret, 31, 0400);
    refused("must hold 32 to 4096 bytes");
    /* A link, even to a good key: only the file itself. */
    write_key(secret, 32, 0400);
    snprintf(link, sizeof(link), "%.200s/link.key", dir);
    assert_int_equal(symlink(path, link), 0);
    snprintf(path, sizeof(path), "%s", link);
    refused("is a symbolic link");
    snprintf(path, sizeof(path), "%s/sub", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    refused("is not a regular file");
    snprintf(path, sizeof(path), "%s/id.key", dir);
    /* A folder others can write: they could put their own key in its place. */
    assert_int_equal(chmod(dir, 0777), 0);
    refused("can replace");
    assert_int_equal(chmod(dir, 0755), 0);
}

/* Only root reads the key: any other caller gets EKSAUTH_EIO (EACCES). */
static void test_not_root(void **state)
{
    unsigned char secret[32];
    int status;
    pid_t pid;

    (void)state;
    memset(secret, 0x42, sizeof(secret));
    write_key(secret, sizeof(secret), 0400);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct eksauth_id_key key;
        struct eksauth_error err = {0};
        bool present;

        if (setgid(65534) != 0 || setuid(65534) != 0)
            _exit(2);
        _exit(eksauth_idkey_load(path, &key, &present, &err) == EKSAUTH_EIO &&
                      strstr(err.msg, "Permission denied") != NULL
                  ? 0
                  : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_default_path(void **state)
{
    struct eksauth_error err = {0};
    const char *got = NULL;

    (void)state;
    unsetenv("EKSAUTH_ID_KEY");
    assert_int_equal(eksauth_idkey_default_path(&got, &err), EKSAUTH_OK);
    assert_string_equal(got, EKSAUTH_ID_KEY_PATH);
    setenv("EKSAUTH_ID_KEY", "", 1); /* empty is unset */
    assert_int_equal(eksauth_idkey_default_path(&got, &err), EKSAUTH_OK);
    assert_string_equal(got, EKSAUTH_ID_KEY_PATH);
    setenv("EKSAUTH_ID_KEY", "/srv/keys/id.key", 1);
    assert_int_equal(eksauth_idkey_default_path(&got, &err), EKSAUTH_OK);
    assert_string_equal(got, "/srv/keys/id.key");
    /* A relative path is refused, never replaced by the default: either gives other ids. */
    setenv("EKSAUTH_ID_KEY", "relative/id.key", 1);
    assert_int_equal(eksauth_idkey_default_path(&got, &err), EKSAUTH_EINVAL);
    assert_null(got);
    assert_string_equal(
        err.msg, "id key: EKSAUTH_ID_KEY must be an absolute path, not a relative one (15 bytes, "
                 "not shown)");
    unsetenv("EKSAUTH_ID_KEY");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_root, setup, teardown),
        cmocka_unit_test(test_default_path),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
