/*
 * cmd_ssh.c - `eksauth ssh|scp|sftp [ARGS]`: the system ssh, scp or sftp
 * with `eksauth askpass` answering pam_eksauth's prompts (docs/design.md,
 * "The client half"), so that a person types nothing and a token of any
 * length gets through.
 *
 * For each run: a private 0700 folder holding a two-line launcher (ssh
 * starts SSH_ASKPASS with the prompt as its only argument, so it cannot
 * name a subcommand itself) and, between prompts, the token file of
 * askpass; SSH_ASKPASS, SSH_ASKPASS_REQUIRE=force and EKSAUTH_ASKPASS_DIR
 * set.  In front of the person's arguments, unless they choose these
 * themselves: keyboard-interactive preferred (the only sshd method that
 * takes an answer over 1024 bytes) and one keyboard-interactive attempt
 * (a refused token is not followed by a second and a third); for sftp,
 * BatchMode off (sftp -b sets it, and ssh would not ask askpass); for ssh with
 * no login name anywhere (user@, -l, -o User, ssh_config), `-l` with the
 * name `eksauth login-name` learns from the cluster.  Every argument goes
 * to the program untouched; --help and --version are ours.  When the
 * program ends the folder goes, with anything left in it, and its exit
 * status is ours (128 + N when a signal N ended it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_client.h"
#include "eksauth/ascii.h"
#include "eksauth/names.h"

/* What `eksauth ssh` adds in front of the person's arguments. */
#define PREFERRED_AUTH "PreferredAuthentications=keyboard-interactive,publickey"
#define ONE_ATTEMPT    "NumberOfPasswordPrompts=1"

/* The options that take a value (ssh(1), scp(1), sftp(1), OpenSSH 9): the rest are flags. */
#define SSH_VALUE_OPTIONS  "BbcDEeFIiJLlmOoPpQRSWw"
#define SCP_VALUE_OPTIONS  "cDFiJloPSX"
#define SFTP_VALUE_OPTIONS "BbcDFiJloPRSsX"

static volatile sig_atomic_t child_pid;

static const char usage_fmt[] =
    "usage: eksauth %s [%s ARGS]\n"
    "  %s with its EKS token prompts answered by eksauth askpass (a fresh token, sent in\n"
    "  pieces), keyboard-interactive preferred and one attempt, unless ARGS choose\n"
    "  PreferredAuthentications or NumberOfPasswordPrompts themselves.  Every argument\n"
    "  goes to %s untouched.%s\n"
    "  A host key %s does not know yet is shown whole and asked on the terminal.\n"
    "  Environment: EKSAUTH_CLUSTER (the cluster's name: %s),\n"
    "  EKSAUTH_HOST, EKSAUTH_REGION, EKSAUTH_TOKEN_COMMAND, EKSAUTH_BUILTIN=1 (see\n"
    "  eksauth askpass --help).\n"
    "  --help, --version  this text; eksauth's and %s's versions\n";

/* SIGTERM or SIGHUP for us is meant for the program: pass it on (it ends, and we clean up). */
static void forward_signal(int sig)
{
    if (child_pid > 0)
        (void)kill((pid_t)child_pid, sig);
}

/*
 * The options of a command line, read as the program reads them (OpenSSH's
 * getopt, which reorders nothing): up to the first argument that is no
 * option, or "--".  ssh reads options again after the destination (`ssh
 * HOST -o ...`), up to the command; scp and sftp do not.  An option's value
 * is the rest of its argument, else the next argument, which is never read
 * as an option itself.
 */
struct opt_walk {
    int argc;
    char **argv;
    const char *valued; /* the program's options that take a value */
    bool again;         /* ssh: options after the destination too */
    int i;              /* the next argument */
    const char *dest;   /* ssh: the destination, once met */
};

static void walk_start(struct opt_walk *w, const char *program, int argc, char **argv)
{
    w->argc = argc;
    w->argv = argv;
    w->valued = strcmp(program, "scp") == 0    ? SCP_VALUE_OPTIONS
                : strcmp(program, "sftp") == 0 ? SFTP_VALUE_OPTIONS
                                               : SSH_VALUE_OPTIONS;
    w->again = strcmp(program, "ssh") == 0;
    w->i = 1;
    w->dest = NULL;
}

/* The next option that takes a value: its letter and value.  False after the last option. */
static bool walk_next(struct opt_walk *w, char *opt, const char **value)
{
    while (w->i < w->argc) {
        const char *a = w->argv[w->i++];
        size_t j;

        if (strcmp(a, "--") == 0) {
            if (w->dest == NULL && w->i < w->argc)
                w->dest = w->argv[w->i];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (w->dest == NULL && w->again) {
                w->dest = a;
                continue;
            }
            break;
        }
        for (j = 1; a[j] != '\0'; j++) {
            if (strchr(w->valued, a[j]) != NULL) {
                *opt = a[j];
                *value = a[j + 1] != '\0' ? a + j + 1 : (w->i < w->argc ? w->argv[w->i++] : "");
                return true;
            }
        }
    }
    w->i = w->argc;
    return false;
}

/* Whether an -o value sets key: "Key=value" or "Key value", in any case (ssh_config(5)). */
static bool sets_key(const char *value, const char *key)
{
    size_t klen = strlen(key);

    value += strspn(value, " \t");
    return strlen(value) > klen && eksauth_ascii_prefix_nocase(value, klen, key) &&
           (value[klen] == '=' || value[klen] == ' ' || value[klen] == '\t');
}

/*
 * Whether the program's arguments set an ssh option themselves: an -o
 * option's value only, never a host, a file or a remote command that
 * happens to name it (ssh_config files, -F included, are ssh's: an -o
 * given here comes before them).
 */
static bool chooses(const char *program, int argc, char **argv, const char *key)
{
    struct opt_walk w;
    const char *value;
    char opt;

    walk_start(&w, program, argc, argv);
    while (walk_next(&w, &opt, &value)) {
        if (opt == 'o' && sets_key(value, key))
            return true;
    }
    return false;
}

/*
 * Whether ssh's arguments name the login: user@host or ssh://user@host as
 * the destination, -l NAME, -o User=NAME.  *dest: whether there is a
 * destination at all (without one ssh prints its own usage).
 */
static bool args_name_user(int argc, char **argv, bool *dest)
{
    struct opt_walk w;
    const char *value;
    char opt;

    *dest = false;
    walk_start(&w, "ssh", argc, argv);
    while (walk_next(&w, &opt, &value)) {
        if (opt == 'l' || (opt == 'o' && sets_key(value, "user")))
            return true;
    }
    *dest = w.dest != NULL;
    return w.dest != NULL && strchr(w.dest, '@') != NULL;
}

/* The login ssh would use for these arguments (`ssh -G`: ssh_config's User counts). */
static bool ssh_config_user(int argc, char **argv, char *user, size_t userlen)
{
    char **args = calloc((size_t)argc + 2, sizeof(*args));
    char line[512];
    bool found = false;
    int fds[2] = {-1, -1}, i, wstatus;
    FILE *f = NULL;
    pid_t pid;

    if (args == NULL || pipe(fds) != 0)
        goto out;
    args[0] = "ssh";
    args[1] = "-G";
    for (i = 1; i < argc; i++)
        args[i + 1] = argv[i];
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        if (devnull < 0 || dup2(fds[1], STDOUT_FILENO) < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
            dup2(devnull, STDERR_FILENO) < 0)
            _exit(127);
        close(fds[0]);
        execvp("ssh", args);
        _exit(127);
    }
    close(fds[1]);
    fds[1] = -1;
    if (pid < 0 || (f = fdopen(fds[0], "r")) == NULL)
        goto out;
    fds[0] = -1;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (!found && strncmp(line, "user ", 5) == 0) {
            line[strcspn(line, "\n")] = '\0';
            found = (size_t)snprintf(user, userlen, "%s", line + 5) < userlen;
        }
    }
    found = waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 &&
            found;
out:
    if (f != NULL)
        fclose(f);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(args);
    return found;
}

/*
 * The login to add for ssh, into name, or "" when the arguments or
 * ssh_config choose one (or there is no destination).  EXIT_* when it
 * cannot be learnt, the reason printed.
 */
static int login_to_add(int argc, char **argv, char name[EKSAUTH_NAME_MAX + 1])
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct passwd *pw = getpwuid(getuid());
    char user[256];
    bool dest = false;

    name[0] = '\0';
    if (args_name_user(argc, argv, &dest) || !dest)
        return 0;
    /* ssh_config may name it (Host ... User ...): then it is not ours to choose. */
    if (ssh_config_user(argc, argv, user, sizeof(user)) &&
        (pw == NULL || strcmp(user, pw->pw_name) != 0))
        return 0;
    if (client_login_name(name, NULL, &err) != EKSAUTH_OK) {
        cli_error("ssh",
                  "no login name given, and it could not be learnt from the cluster: %s; give "
                  "it as NAME@HOST (eksauth login-name says why)",
                  err.msg);
        return eksauth_status_exit_code(err.status);
    }
    return 0;
}

/* Where the run's folder goes: $XDG_RUNTIME_DIR when it is private, else $TMPDIR or /tmp. */
static const char *base_dir(void)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    const char *tmp = getenv("TMPDIR");
    const char *base = "/tmp";

    if (xdg != NULL && xdg[0] == '/' && client_check_private_dir(xdg, NULL) == EKSAUTH_OK)
        base = xdg;
    else if (tmp != NULL && tmp[0] == '/')
        base = tmp;
    return base;
}

/*
 * This very eksauth program, for the launcher: /proc/self/exe where there
 * is one (Linux), else argv[0] as the shell found it (a path, or a name
 * looked up in PATH).
 */
static bool find_self(const char *argv0, char self[PATH_MAX])
{
    const char *path = getenv("PATH"), *p, *end;
    char try[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", self, PATH_MAX - 1);

    if (len > 0 && len < PATH_MAX - 1) {
        self[len] = '\0';
        return true;
    }
    if (argv0 == NULL || argv0[0] == '\0')
        return false;
    if (strchr(argv0, '/') != NULL)
        return realpath(argv0, self) != NULL;
    for (p = path != NULL ? path : "/usr/bin:/bin"; p != NULL; p = end != NULL ? end + 1 : NULL) {
        int n;

        end = strchr(p, ':');
        n = snprintf(try, sizeof(try), "%.*s/%s", (int)(end != NULL ? end - p : (long)strlen(p)), p,
                     argv0);
        if (n > 0 && n < (int)sizeof(try) && access(try, X_OK) == 0)
            return realpath(try, self) != NULL;
    }
    return false;
}

/* The launcher: exec this very eksauth binary as `eksauth askpass PROMPT`. */
static bool write_launcher(const char *path, const char *self)
{
    FILE *f = NULL;
    const char *p;
    bool ok = false;
    int fd;

    /* O_EXCL in our fresh 0700 folder: nobody can have put anything there first. */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
    if (fd < 0)
        goto out;
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        goto out;
    }
    fputs("#!/bin/sh\n# SSH_ASKPASS of one `eksauth ssh` run\nexec '", f);
    for (p = self; *p != '\0'; p++) {
        if (*p == '\'')
            fputs("'\\''", f); /* a quote inside single quotes */
        else
            fputc(*p, f);
    }
    fputs("' askpass \"$@\"\n", f);
    ok = true;
out:
    if (f != NULL && fclose(f) != 0)
        ok = false;
    return ok;
}

/* Remove the folder and everything in it (the launcher, an unfinished token file). */
static void remove_dir(const char *dir)
{
    struct dirent *de;
    DIR *d = opendir(dir);

    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                (void)unlinkat(dirfd(d), de->d_name, 0);
        }
        closedir(d);
    }
    (void)rmdir(dir);
}

/*
 * Run args (program first) and wait: our exit status is its.  SIGTERM and
 * SIGHUP stay blocked from before their handlers are set until child_pid
 * is (the parent) or the old handlers are back (the child, before exec):
 * one that comes before fork, or reaches the child before exec, is pending
 * then, not lost.  The child is waited for without reaping it first, so
 * its pid cannot be another process's while forward_signal may use it.
 */
static int run_and_wait(char **args)
{
    struct sigaction ign, fwd, old_int, old_quit, old_term, old_hup;
    sigset_t block, old_mask;
    siginfo_t info;
    int wstatus = 0, rc = EXIT_USAGE;
    pid_t pid;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old_mask);
    /* Like system(): the terminal's ^C and ^\ are for the program; we wait and clean up. */
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    memset(&fwd, 0, sizeof(fwd));
    fwd.sa_handler = forward_signal;
    sigemptyset(&fwd.sa_mask);
    sigaction(SIGINT, &ign, &old_int);
    sigaction(SIGQUIT, &ign, &old_quit);
    sigaction(SIGTERM, &fwd, &old_term);
    sigaction(SIGHUP, &fwd, &old_hup);

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        cli_error(args[0], "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        execvp(args[0], args);
        fprintf(stderr, "eksauth: %s: cannot run %s: %s\n", args[0], args[0], strerror(errno));
        _exit(255);
    }
    child_pid = pid;
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    /* Ended, not yet reaped: child_pid still names it, so a signal now is forwarded harmlessly. */
    memset(&info, 0, sizeof(info));
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) < 0) {
        if (errno != EINTR) {
            cli_error(args[0], "waitid: %s", strerror(errno));
            goto out;
        }
    }
    child_pid = 0;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            cli_error(args[0], "waitpid: %s", strerror(errno));
            goto out;
        }
    }
    if (WIFEXITED(wstatus))
        rc = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        rc = 128 + WTERMSIG(wstatus);
    else
        rc = 255;
out:
    child_pid = 0;
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    return rc;
}

/* --help and --version, when they are the first argument: ours, not the program's. */
static int own_option(const char *program, const char *arg)
{
    char *version[] = {(char *)program, "-V", NULL};
    bool ssh = strcmp(program, "ssh") == 0;

    if (strcmp(arg, "--help") == 0) {
        /* Only ssh gets a learnt login (-l): scp's -l is a bandwidth limit. */
        printf(usage_fmt, program, program, program, program,
               ssh ? "\n  Without a login name (NAME@HOST, -l, -o User, ssh_config), the one\n"
                     "  `eksauth login-name` learns from the cluster is used."
                   : "\n  No login name is learnt for scp and sftp: give NAME@HOST.",
               program, ssh ? "the login name is learnt from it" : "a check on the host's audience",
               program);
        return 0;
    }
    if (strcmp(arg, "--version") == 0) {
        printf("eksauth %s\n", PACKAGE_VERSION);
        /* scp and sftp have no -V: OpenSSH's own version is ssh's. */
        version[0] = "ssh";
        return run_and_wait(version);
    }
    return -1;
}

static int run_client(struct eksauth_cli *cli, const char *program, int argc, char **argv)
{
    char self[PATH_MAX], dir[PATH_MAX], launcher[PATH_MAX + 16];
    char login[EKSAUTH_NAME_MAX + 1] = "";
    char **args = NULL;
    bool have_dir = false;
    int i, n = 0, rc;

    if (argc > 1 && (rc = own_option(program, argv[1])) >= 0)
        return rc;
    rc = EXIT_USAGE;
    if (!find_self(cli->argv0, self)) {
        cli_error(program, "cannot find the eksauth program itself: %s", strerror(errno));
        goto out;
    }
    if (strcmp(program, "ssh") == 0 && (rc = login_to_add(argc, argv, login)) != 0)
        goto out;
    rc = EXIT_USAGE;
    if ((size_t)snprintf(dir, sizeof(dir), "%s/eksauth-ssh.XXXXXX", base_dir()) >= sizeof(dir) ||
        mkdtemp(dir) == NULL) {
        cli_error(program, "cannot make a private folder: %s", strerror(errno));
        goto out;
    }
    have_dir = true;
    snprintf(launcher, sizeof(launcher), "%s/askpass", dir);
    if (!write_launcher(launcher, self)) {
        cli_error(program, "%s: %s", launcher, strerror(errno));
        goto out;
    }
    if (setenv("SSH_ASKPASS", launcher, 1) != 0 || setenv("SSH_ASKPASS_REQUIRE", "force", 1) != 0 ||
        setenv("EKSAUTH_ASKPASS_DIR", dir, 1) != 0) {
        cli_error(program, "setenv: %s", strerror(errno));
        goto out;
    }

    args = calloc((size_t)argc + 9, sizeof(*args));
    if (args == NULL) {
        cli_error(program, "out of memory");
        goto out;
    }
    args[n++] = (char *)program;
    if (!chooses(program, argc, argv, "preferredauthentications")) {
        args[n++] = "-o";
        args[n++] = PREFERRED_AUTH;
    }
    if (!chooses(program, argc, argv, "numberofpasswordprompts")) {
        args[n++] = "-o";
        args[n++] = ONE_ATTEMPT;
    }
    /* sftp -b turns BatchMode on, which keeps ssh from asking askpass: the token is no
     * person's typing, so unless the arguments choose it, it stays off. */
    if (strcmp(program, "sftp") == 0 && !chooses(program, argc, argv, "batchmode")) {
        args[n++] = "-o";
        args[n++] = "BatchMode=no";
    }
    if (login[0] != '\0') {
        args[n++] = "-l";
        args[n++] = login;
    }
    for (i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    rc = run_and_wait(args);
out:
    /* No token outlives the run, even when the program stopped between two pieces. */
    if (have_dir)
        remove_dir(dir);
    free(args);
    return rc;
}

int cmd_ssh(struct eksauth_cli *cli, int argc, char **argv)
{
    return run_client(cli, "ssh", argc, argv);
}

int cmd_scp(struct eksauth_cli *cli, int argc, char **argv)
{
    return run_client(cli, "scp", argc, argv);
}

int cmd_sftp(struct eksauth_cli *cli, int argc, char **argv)
{
    return run_client(cli, "sftp", argc, argv);
}
