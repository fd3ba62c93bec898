/*
 * cmd_ssh.c - `eksauth ssh [SSH ARGS]`: the system ssh with `eksauth
 * askpass` answering pam_eksauth's prompts (DESIGN §1 "Long tokens"), so
 * that a person types nothing and a token of any length gets through.
 *
 * For each run: a private 0700 folder holding a two-line launcher (ssh
 * starts SSH_ASKPASS with the prompt as its only argument, so it cannot
 * name a subcommand itself) and, between prompts, the token file of
 * askpass; SSH_ASKPASS, SSH_ASKPASS_REQUIRE=force and EKSAUTH_ASKPASS_DIR
 * set; keyboard-interactive preferred, the only sshd method that takes an
 * answer over 1024 bytes, unless the arguments choose
 * PreferredAuthentications themselves.  Every argument goes to ssh
 * untouched.  When ssh ends the folder goes, with anything left in it, and
 * ssh's exit status is ours (128 + N when a signal N ended it).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#define WHAT "ssh"

/* What `eksauth ssh` adds in front of the person's arguments. */
#define PREFERRED_AUTH "PreferredAuthentications=keyboard-interactive,publickey"

static volatile sig_atomic_t ssh_pid;

/* SIGTERM or SIGHUP for us is meant for ssh: pass it on (ssh then ends, and we clean up). */
static void forward_signal(int sig)
{
    if (ssh_pid > 0)
        (void)kill((pid_t)ssh_pid, sig);
}

/* Whether the arguments already choose the methods (-o PreferredAuthentications=..., any case). */
static bool chooses_methods(int argc, char **argv)
{
    static const char key[] = "preferredauthentications";
    bool found = false;
    size_t j;
    int i;

    for (i = 1; i < argc && !found; i++) {
        for (j = 0; argv[i][j] != '\0' && !found; j++)
            found = strncasecmp(argv[i] + j, key, sizeof(key) - 1) == 0;
    }
    return found;
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

int cmd_ssh(struct eksauth_cli *cli, int argc, char **argv)
{
    struct sigaction ign, fwd, old_int, old_quit, old_term, old_hup;
    char self[PATH_MAX], dir[PATH_MAX], launcher[PATH_MAX + 16];
    char **args = NULL;
    bool have_dir = false, have_signals = false;
    int i, n = 0, wstatus = 0, rc = EXIT_USAGE;
    ssize_t len;
    pid_t pid;

    (void)cli;
    len = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (len <= 0 || (size_t)len >= sizeof(self) - 1) {
        cli_error(WHAT, "cannot find the eksauth program: %s", strerror(errno));
        goto out;
    }
    self[len] = '\0';
    if ((size_t)snprintf(dir, sizeof(dir), "%s/eksauth-ssh.XXXXXX", base_dir()) >= sizeof(dir) ||
        mkdtemp(dir) == NULL) {
        cli_error(WHAT, "cannot make a private folder: %s", strerror(errno));
        goto out;
    }
    have_dir = true;
    snprintf(launcher, sizeof(launcher), "%s/askpass", dir);
    if (!write_launcher(launcher, self)) {
        cli_error(WHAT, "%s: %s", launcher, strerror(errno));
        goto out;
    }
    if (setenv("SSH_ASKPASS", launcher, 1) != 0 || setenv("SSH_ASKPASS_REQUIRE", "force", 1) != 0 ||
        setenv("EKSAUTH_ASKPASS_DIR", dir, 1) != 0) {
        cli_error(WHAT, "setenv: %s", strerror(errno));
        goto out;
    }

    args = calloc((size_t)argc + 3, sizeof(*args));
    if (args == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    args[n++] = "ssh";
    if (!chooses_methods(argc, argv)) {
        args[n++] = "-o";
        args[n++] = PREFERRED_AUTH;
    }
    for (i = 1; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;

    /* Like system(): the terminal's ^C and ^\ are for ssh; we wait and clean up. */
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
    have_signals = true;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        cli_error(WHAT, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
        execvp("ssh", args);
        fprintf(stderr, "eksauth: ssh: cannot run ssh: %s\n", strerror(errno));
        _exit(255);
    }
    ssh_pid = pid;
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            cli_error(WHAT, "waitpid: %s", strerror(errno));
            goto out;
        }
    }
    ssh_pid = 0;
    if (WIFEXITED(wstatus))
        rc = WEXITSTATUS(wstatus);
    else if (WIFSIGNALED(wstatus))
        rc = 128 + WTERMSIG(wstatus);
    else
        rc = 255;
out:
    if (have_signals) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        sigaction(SIGTERM, &old_term, NULL);
        sigaction(SIGHUP, &old_hup, NULL);
    }
    /* No token outlives the run, even when ssh stopped between two pieces. */
    if (have_dir)
        remove_dir(dir);
    free(args);
    return rc;
}
