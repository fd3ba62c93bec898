/*
 * cmd_setup.c - `eksauth setup [--undo] [--dry-run] [--root DIR]`: write
 * (or take back) the host files of README.md's bastion steps 4 to 7.  What
 * goes where is the library's (eksauth/setup.h, eksauth/setup_plan.h);
 * this file reads the options and the config (for the sudo group and the
 * group of every login) and prints one line a file.
 * Exit 0 done (or nothing to do), 2 usage, config or a file that cannot be
 * changed safely (nothing is written then), or a write that failed (each
 * file's line says whether it was written; running setup again writes the
 * rest).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "eksauth/paths.h"
#include "eksauth/setup.h"
#include "eksauth/setup_plan.h"

#define WHAT "setup"

static const char usage_text[] =
    "usage: eksauth setup [--undo] [--dry-run] [--root DIR]\n"
    "  Write the host files of a bastion (README.md, \"Setting up a bastion\", steps 4-7):\n"
    "    /etc/nsswitch.conf      eksauth after files on passwd: and group: (and\n"
    "                            initgroups:, if there is one)\n"
    "    /etc/pam.d/sshd         pam_eksauth (auth; account with require_token; session\n"
    "                            after pam_env) and pam_mkhomedir, each line safe when the\n"
    "                            module is gone (module_unknown=ignore)\n"
    "    /etc/ssh/sshd_config.d/40-eksauth.conf\n"
    "                            UsePAM yes, KbdInteractiveAuthentication yes; Match Group\n"
    "                            of every eksauth login: keyboard-interactive only, no\n"
    "                            keys (40- is read before the distributions' 50-*.conf;\n"
    "                            an earlier setup's eksauth.conf there is removed)\n"
    "    /etc/sudoers.d/eksauth  sudo for the group of system:masters\n"
    "    /etc/sudo.conf          Set group_source dynamic (a group taken from a role loses\n"
    "                            sudo in open sessions)\n"
    "  /etc/eksauth/eksauth.conf must be written first (cluster_id).  Running it again\n"
    "  changes nothing.\n"
    "  --undo     take out exactly what setup wrote (run it before removing the package)\n"
    "  --dry-run  say what would change; write nothing\n"
    "  --root DIR the files under DIR instead of / (an image being prepared)\n";

/* What happened to a file, in the words of setup or of --undo. */
static const char *verb(const struct eksauth_setup_file *f, bool undo, bool dry_run)
{
    bool done = f->outcome == EKSAUTH_SETUP_DONE, failed = f->outcome == EKSAUTH_SETUP_FAILED;

    switch (f->action) {
    case EKSAUTH_SETUP_WRITE:
        if (dry_run)
            return undo ? "would take out" : "would write";
        if (undo)
            return done     ? "taken out"
                   : failed ? "NOT taken out (it failed, below)"
                            : "not taken out (stopped before it)";
        return done     ? "written"
               : failed ? "NOT written (it failed, below)"
                        : "not written (stopped before it)";
    case EKSAUTH_SETUP_REMOVE:
        if (dry_run)
            return "would remove";
        return done     ? "removed"
               : failed ? "NOT removed (it failed, below)"
                        : "not removed (stopped before it)";
    case EKSAUTH_SETUP_SKIP:
        return "left alone";
    case EKSAUTH_SETUP_UNCHANGED:
        break;
    }
    return undo ? "nothing to take out" : "already set up";
}

/*
 * After a failed write: which files were changed and which not, and the
 * way on.  The plan of a second run is what is left (setup_plan.h), and
 * --undo takes out what a stopped run wrote as it does a whole one.
 */
static void say_stopped(const struct eksauth_setup_plan *plan, bool undo)
{
    char done[EKSAUTH_SETUP_FILES * 48] = "", left[EKSAUTH_SETUP_FILES * 48] = "";
    size_t i;

    for (i = 0; i < plan->n; i++) {
        const struct eksauth_setup_file *f = &plan->files[i];
        char *list = f->outcome == EKSAUTH_SETUP_DONE ? done : left;

        if (f->action != EKSAUTH_SETUP_WRITE && f->action != EKSAUTH_SETUP_REMOVE)
            continue;
        snprintf(list + strlen(list), sizeof(done) - strlen(list), "%s%s",
                 list[0] != '\0' ? ", " : "", f->name);
    }
    if (done[0] == '\0')
        cli_error(WHAT, "nothing was changed: fix the cause above and run eksauth setup%s again",
                  undo ? " --undo" : "");
    else
        cli_error(WHAT,
                  "stopped at that failure: changed: %s; not changed: %s.  Fix the cause above and "
                  "run eksauth setup%s again: it changes only what is left%s",
                  done, left, undo ? " --undo" : "",
                  undo ? "" : " (eksauth setup --undo takes out what was written)");
}

/*
 * Whether root holds an etc folder of its own, as every system's root does;
 * else says why not.  Why: an image's mount point before it is mounted is
 * an empty folder, under which --undo says "nothing to take out" and
 * --config elsewhere plans every file as new, both exit 0; and an etc that
 * is a symbolic link (to /etc) would have setup write outside the image,
 * refused as any link under root (setup_plan.h).
 */
static bool root_has_etc(const char *root)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    char etc[EKSAUTH_PATH_MAX];
    struct stat sb;

    if (eksauth_setup_check_under_root(root, "/etc", true, &err) != EKSAUTH_OK) {
        cli_error(WHAT, "%s", err.msg);
        return false;
    }
    /* Not there (the check above said every other failure): no folder. */
    snprintf(etc, sizeof(etc), "%s/etc", eksauth_setup_root_prefix(root));
    if (lstat(etc, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        cli_error(WHAT,
                  "--root %s: no etc/ folder in it, so it is not a system's root: is the "
                  "image mounted there?",
                  root);
        return false;
    }
    return true;
}

/*
 * --root as given, less its trailing slashes ("/" stays "/"): every path
 * setup names is root + a host path, so IMG/ would show as IMG//etc/....
 */
static const char *without_trailing_slashes(char *root)
{
    size_t n = strlen(root);

    while (n > 1 && root[n - 1] == '/')
        root[--n] = '\0';
    return root;
}

/* The config's sudo group (or NULL and the reason in skip) and the group of every login. */
static int load_groups(struct eksauth_cli *cli, char group[EKSAUTH_NAME_MAX + 1],
                       const char **sudo_group, char *skip, size_t skiplen,
                       char users[EKSAUTH_NAME_MAX + 1])
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_paths paths;
    enum eksauth_status st;
    int from_default = 0;

    /* Setup without a config would route logins into a module that refuses them all. */
    st = eksauth_paths_config(cli->config_path, &paths, &from_default, &err);
    if (st == EKSAUTH_OK && access(paths.config, F_OK) != 0)
        st = eksauth_fail(&err, EKSAUTH_EINVAL,
                          "%s does not exist: write it first (cluster_id = the cluster's name; "
                          "see eksauth.conf(5)), then run eksauth setup",
                          paths.config);
    if (st == EKSAUTH_OK)
        st = cli_load_config(cli, true, &err);
    if (st != EKSAUTH_OK)
        return cli_fail(WHAT, &err);
    eksauth_setup_users_group(&cli->ctx.cfg, users);
    st = eksauth_setup_sudo_group(&cli->ctx.cfg, group, &err);
    if (st == EKSAUTH_OK) {
        *sudo_group = group;
    } else if (st == EKSAUTH_ENOTFOUND) {
        snprintf(skip, skiplen, "%s", err.msg);
        *sudo_group = NULL;
    } else {
        return cli_fail(WHAT, &err);
    }
    return CLI_GO_ON;
}

int cmd_setup(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"undo", no_argument, NULL, 'u'},
        {"dry-run", no_argument, NULL, 'n'},
        {"root", required_argument, NULL, 'r'},
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_setup_options o = {NULL, false, NULL, NULL, NULL};
    struct eksauth_setup_plan plan = {{{0}}, 0, false};
    char group[EKSAUTH_NAME_MAX + 1], users[EKSAUTH_NAME_MAX + 1];
    char skip[EKSAUTH_ERROR_MAX] = "", config[EKSAUTH_PATH_MAX];
    bool dry_run = false, changed = false;
    struct stat root_st;
    enum eksauth_status st;
    size_t i;
    int c, rc = EXIT_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":n", opts, NULL)) != -1) {
        if (c == 'u') {
            o.undo = true;
        } else if (c == 'n') {
            dry_run = true;
        } else if (c == 'r') {
            o.root = without_trailing_slashes(optarg);
        } else if (cli_shared_option(cli, c, argv, WHAT, usage_text, &rc)) {
            return rc;
        }
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument '%s'", argv[optind]);
        fputs(usage_text, stderr);
        return rc;
    }
    /* Before any file is read: a relative root read the config first, then was refused. */
    if (eksauth_setup_check_root(o.root, &err) != EKSAUTH_OK) {
        cli_error(WHAT, "%s; nothing was changed", err.msg);
        return EXIT_USAGE;
    }
    /*
     * Why: under a root that is not there every file is missing, which
     * --undo would report as "nothing to take out", with exit 0.
     */
    if (o.root != NULL && stat(o.root, &root_st) != 0) {
        cli_error(WHAT, "--root %s: %s", o.root, strerror(errno));
        return EXIT_USAGE;
    }
    if (o.root != NULL && !S_ISDIR(root_st.st_mode)) {
        cli_error(WHAT, "--root %s: not a folder", o.root);
        return EXIT_USAGE;
    }
    if (o.root != NULL && !root_has_etc(o.root))
        return EXIT_USAGE;
    /* Under --root, the config is the root's own (read through no link: setup_plan.h). */
    if (o.root != NULL && cli->config_path == NULL) {
        snprintf(config, sizeof(config), "%s%s", eksauth_setup_root_prefix(o.root),
                 EKSAUTH_CONFIG_PATH);
        cli->config_path = config;
        st = o.undo ? EKSAUTH_OK
                    : eksauth_setup_check_under_root(o.root, EKSAUTH_CONFIG_PATH, true, &err);
        if (st != EKSAUTH_OK) {
            cli_error(WHAT, "%s; nothing was changed", err.msg);
            return EXIT_USAGE;
        }
    }
    if (!o.undo) {
        rc = load_groups(cli, group, &o.sudo_group, skip, sizeof(skip), users);
        if (rc != CLI_GO_ON)
            return rc;
        o.sudo_skip = skip;
        o.users_group = users;
    }
    st = eksauth_setup_plan(&o, &plan, &err);
    if (st != EKSAUTH_OK) {
        cli_error(WHAT, "%s; nothing was changed", err.msg);
        return eksauth_status_exit_code(st);
    }
    if (!dry_run)
        st = eksauth_setup_apply(&plan, &err);
    for (i = 0; i < plan.n; i++) {
        const struct eksauth_setup_file *f = &plan.files[i];

        if (f->legacy && f->action == EKSAUTH_SETUP_UNCHANGED)
            continue; /* an earlier setup's name, not there: nothing to say */
        if (f->action == EKSAUTH_SETUP_SKIP)
            printf("%-38s %s: %s\n", f->name, verb(f, o.undo, dry_run), f->note);
        else if (o.undo)
            printf("%-38s %s\n", f->name, verb(f, o.undo, dry_run));
        else
            printf("%-38s %s: %s\n", f->name, verb(f, o.undo, dry_run), f->what);
        if (f->action != EKSAUTH_SETUP_SKIP && f->note[0] != '\0')
            printf("%-38s warning: %s\n", "", f->note);
        changed = changed || f->action == EKSAUTH_SETUP_WRITE || f->action == EKSAUTH_SETUP_REMOVE;
    }
    if (st != EKSAUTH_OK) {
        fflush(stdout); /* the lines above say "below": the error comes after them */
        rc = cli_fail(WHAT, &err);
        say_stopped(&plan, o.undo);
        goto out;
    }
    /* sshd.service on every system setup knows (Debian's ssh.service carries the alias). */
    if (changed && !dry_run && o.root != NULL)
        printf("next: on an instance booted from %s, eksauth doctor checks it (its sshd reads "
               "the files at boot)\n",
               o.root);
    else if (changed && !dry_run)
        printf("next: sshd -t && systemctl reload sshd%s\n",
               o.undo ? ""
                      : "; in a second terminal, log in with your local break-glass account "
                        "before closing this one; eksauth doctor checks the rest");
    rc = 0;
out:
    eksauth_setup_plan_free(&plan);
    return rc;
}
