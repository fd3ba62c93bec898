/*
 * test_paths.c - lib/paths.c: where eksauth keeps its files.  The config
 * file named, else EKSAUTH_CONFIG (absolute only), else the default (and
 * said to be); the identity DB from EKSAUTH_DB (absolute only, and before
 * the config's db_path), else db_path, else the default; every file kept
 * beside the DB in its folder; a path that does not fit refused, never
 * cut into another file's name; and in a setuid program (AT_SECURE) the
 * caller's variables choose nothing.
 */
#include "config.h"

#include <fcntl.h>
#include <grp.h>
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

#include "eksauth/paths.h"
#include "scratch.h"
#include "unit.h"

/* This program, run with this one argument, prints the paths it sees and exits. */
#define PRINT_PATHS "--print-paths"

/* Each test starts and ends with neither variable set (cmocka setup and teardown). */
static int clear_env(void **state)
{
    (void)state;
    return unsetenv("EKSAUTH_CONFIG") == 0 && unsetenv("EKSAUTH_DB") == 0 ? 0 : -1;
}

/* A path of n bytes: '/', then a folder name of 'a's, then "/x" when with_file. */
static char *long_path(size_t n, bool with_file)
{
    char *p = malloc(n + 1);

    assert_non_null(p);
    memset(p, 'a', n);
    p[0] = '/';
    if (with_file)
        memcpy(p + n - 2, "/x", 2);
    p[n] = '\0';
    return p;
}

/* The config file: named, else EKSAUTH_CONFIG, else the default, which alone is said to be. */
static void test_config_named_env_default(void **state)
{
    struct eksauth_paths paths;
    struct eksauth_error err;
    int from_default = -1;

    (void)state;
    assert_status(eksauth_paths_config(NULL, &paths, &from_default, &err), EKSAUTH_OK);
    assert_string_equal(paths.config, EKSAUTH_CONFIG_PATH);
    assert_int_equal(from_default, 1);
    /* An empty variable is no variable. */
    assert_int_equal(setenv("EKSAUTH_CONFIG", "", 1), 0);
    assert_status(eksauth_paths_config(NULL, &paths, &from_default, &err), EKSAUTH_OK);
    assert_string_equal(paths.config, EKSAUTH_CONFIG_PATH);
    assert_int_equal(from_default, 1);
    assert_int_equal(setenv("EKSAUTH_CONFIG", "/srv/eksauth.conf", 1), 0);
    assert_status(eksauth_paths_config(NULL, &paths, &from_default, &err), EKSAUTH_OK);
    assert_string_equal(paths.config, "/srv/eksauth.conf");
    assert_int_equal(from_default, 0);
    /* Named (pam_eksauth's config=, --config) comes before the variable. */
    assert_status(eksauth_paths_config("/etc/other.conf", &paths, &from_default, &err), EKSAUTH_OK);
    assert_string_equal(paths.config, "/etc/other.conf");
    assert_int_equal(from_default, 0);
}

/*
 * The variables must be absolute: a relative one would name a file in
 * whatever folder the program runs in.
 */
static void test_env_must_be_absolute(void **state)
{
    struct eksauth_paths paths;
    struct eksauth_error err;
    int from_default = -1;

    (void)state;
    assert_int_equal(setenv("EKSAUTH_CONFIG", "eksauth.conf", 1), 0);
    assert_status(eksauth_paths_config(NULL, &paths, &from_default, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "EKSAUTH_CONFIG must be an absolute path, not 'eksauth.conf'"));
    assert_int_equal(setenv("EKSAUTH_DB", "db/identity.db", 1), 0);
    assert_status(eksauth_paths_db(NULL, &paths, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "EKSAUTH_DB must be an absolute path, not 'db/identity.db'"));
}

/* Every file kept beside the DB is in the DB's folder, under its own name. */
static void assert_beside(const struct eksauth_paths *paths, const char *folder)
{
    const struct {
        const char *path, *name;
    } files[] = {
        {paths->snapshot, EKSAUTH_SNAPSHOT_NAME},
        {paths->state, EKSAUTH_STATE_NAME},
        {paths->index, EKSAUTH_INDEX_NAME},
        {paths->replay, EKSAUTH_REPLAY_NAME},
        {paths->proof_key, EKSAUTH_PROOF_KEY_NAME},
        {paths->entry_cache, EKSAUTH_ENTRY_CACHE_NAME},
        {paths->tls_session, EKSAUTH_TLS_SESSION_NAME},
    };
    char want[EKSAUTH_PATH_MAX];
    size_t i;

    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(want, sizeof(want), "%s/%s", folder, files[i].name);
        assert_string_equal(files[i].path, want);
    }
}

/* The DB: EKSAUTH_DB, else the config's db_path, else the default. */
static void test_db_env_config_default(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_paths paths;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_paths_db(NULL, &paths, &err), EKSAUTH_OK);
    assert_string_equal(paths.db, EKSAUTH_DB_PATH);
    assert_beside(&paths, "/var/lib/eksauth");
    memset(&cfg, 0, sizeof(cfg));
    cfg.db_path = (char *)"/srv/eksauth/ids.db";
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_OK);
    assert_string_equal(paths.db, "/srv/eksauth/ids.db");
    assert_beside(&paths, "/srv/eksauth");
    assert_int_equal(setenv("EKSAUTH_DB", "", 1), 0);
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_OK);
    assert_string_equal(paths.db, "/srv/eksauth/ids.db");
    assert_int_equal(setenv("EKSAUTH_DB", "/tmp/t/identity.db", 1), 0);
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_OK);
    assert_string_equal(paths.db, "/tmp/t/identity.db");
    assert_beside(&paths, "/tmp/t");
}

/*
 * A path that does not fit is refused, never cut: the config's, the DB's,
 * and the DB's where only the longest name beside it would not fit
 * (access-entries.cache, cut, would be another file; that all else fits
 * one byte shorter shows it is the longest).
 */
static void test_too_long_refused(void **state)
{
    const size_t longest = strlen(EKSAUTH_ENTRY_CACHE_NAME);
    struct eksauth_config cfg;
    struct eksauth_paths paths;
    struct eksauth_error err;
    char *path = long_path(EKSAUTH_PATH_MAX, false);
    int from_default;

    (void)state;
    assert_status(eksauth_paths_config(path, &paths, &from_default, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "config: path too long"));
    path[EKSAUTH_PATH_MAX - 1] = '\0';
    assert_status(eksauth_paths_config(path, &paths, &from_default, &err), EKSAUTH_OK);
    assert_int_equal(strlen(paths.config), EKSAUTH_PATH_MAX - 1);
    free(path);

    /* The DB's own name too long, in the root folder: what is beside it would fit. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.db_path = long_path(EKSAUTH_PATH_MAX, false);
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "identity DB: path too long"));
    free(cfg.db_path);
    /* folder + '/' + the longest name is one byte too many; every other name fits. */
    cfg.db_path = long_path(EKSAUTH_PATH_MAX - longest + 1, true);
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "identity DB: path too long"));
    free(cfg.db_path);
    cfg.db_path = long_path(EKSAUTH_PATH_MAX - longest, true);
    assert_status(eksauth_paths_db(&cfg, &paths, &err), EKSAUTH_OK);
    assert_int_equal(strlen(paths.entry_cache), EKSAUTH_PATH_MAX - 1);
    free(cfg.db_path);
}

/* The config and DB paths of this process, one a line (PRINT_PATHS). */
static int print_paths(void)
{
    struct eksauth_paths paths;
    int from_default;

    if (eksauth_paths_config(NULL, &paths, &from_default, NULL) != EKSAUTH_OK ||
        eksauth_paths_db(NULL, &paths, NULL) != EKSAUTH_OK)
        return 1;
    printf("%s\n%s\n", paths.config, paths.db);
    return 0;
}

/* A copy of this program at path, root's, with mode. */
static void copy_self(const char *path, mode_t mode)
{
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
    ssize_t n;

    assert_true(in >= 0 && out >= 0);
    while ((n = read(in, buf, sizeof(buf))) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    assert_int_equal(n, 0);
    assert_int_equal(close(in), 0);
    assert_int_equal(close(out), 0);
    assert_int_equal(chmod(path, mode), 0); /* after the writes: they would clear set-uid */
}

/*
 * What program prints when nobody (65534) runs it with both variables
 * naming files of the caller's choice, into out.
 */
static void run_as_nobody(const char *program, char *out, size_t outlen)
{
    int fds[2], status;
    size_t len = 0;
    ssize_t n;
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        (void)dup2(fds[1], STDOUT_FILENO);
        if (setenv("EKSAUTH_CONFIG", "/home/mallory/eksauth.conf", 1) != 0 ||
            setenv("EKSAUTH_DB", "/home/mallory/identity.db", 1) != 0 || setgroups(0, NULL) != 0 ||
            setgid(65534) != 0 || setuid(65534) != 0)
            _exit(126);
        execl(program, program, PRINT_PATHS, (char *)NULL);
        _exit(127);
    }
    assert_int_equal(close(fds[1]), 0);
    while (len + 1 < outlen && (n = read(fds[0], out + len, outlen - 1 - len)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    assert_int_equal(close(fds[0]), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * In a setuid program (sudo, which loads the PAM module) the caller's
 * environment chooses no file: EKSAUTH_CONFIG and EKSAUTH_DB are read with
 * secure_getenv.  The same program without the set-uid bit, run by the
 * same user, takes them (so the test sees the variables reach it).
 */
static void test_setuid_ignores_the_callers_env(void **state)
{
    char dir[64], plain[96], setuid_copy[96], out[2 * EKSAUTH_PATH_MAX];

    (void)state;
    if (geteuid() != 0)
        skip(); /* a set-uid root program is made, and run as another user */
    scratch_make(dir, sizeof(dir), "paths");
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(plain, sizeof(plain), "%s/plain", dir);
    snprintf(setuid_copy, sizeof(setuid_copy), "%s/setuid", dir);
    copy_self(plain, 0755);
    copy_self(setuid_copy, 04755);
    run_as_nobody(plain, out, sizeof(out));
    assert_string_equal(out, "/home/mallory/eksauth.conf\n/home/mallory/identity.db\n");
    run_as_nobody(setuid_copy, out, sizeof(out));
    assert_string_equal(out, EKSAUTH_CONFIG_PATH "\n" EKSAUTH_DB_PATH "\n");
    scratch_remove(dir);
}

#define T(name) cmocka_unit_test_setup_teardown(name, clear_env, clear_env)

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        T(test_config_named_env_default),       T(test_env_must_be_absolute),
        T(test_db_env_config_default),          T(test_too_long_refused),
        T(test_setuid_ignores_the_callers_env),
    };

    if (argc == 2 && strcmp(argv[1], PRINT_PATHS) == 0)
        return print_paths();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
