/*
 * eksauth.c - the command line: global options, then one subcommand
 * (docs/design.md, "The command line").  Each subcommand lives in tools/cmd_*.c and
 * adapts the library; nothing here decides anything about a login.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "cli.h"

struct command {
    const char *name;
    int (*run)(struct eksauth_cli *cli, int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
#if EKSAUTH_HOST
    {"check-token", cmd_check_token, "local checks of a token; JSON of the parsed token"},
    {"verify", cmd_verify, "local checks, STS and mapping; identity JSON"},
    {"map", cmd_map, "map an ARN through aws-auth; identity JSON"},
    {"token", cmd_token, "mint a token from AWS credentials"},
    {"sync", cmd_sync, "aws-auth -> identity DB (users and groups NSS serves)"},
    {"users", cmd_users, "list the users of the identity DB"},
    {"groups", cmd_groups, "list the groups of the identity DB"},
    {"setup", cmd_setup, "write (--undo: take back) the bastion's nsswitch, PAM, sshd, sudo files"},
    {"doctor", cmd_doctor, "check this host's setup; print each problem with its fix"},
#endif
    {"askpass", cmd_askpass, "client: answer an ssh/sudo EKS token prompt (SSH_ASKPASS)"},
    {"ssh", cmd_ssh, "client: ssh with the token sent by eksauth askpass"},
    {"scp", cmd_scp, "client: scp with the token sent by eksauth askpass"},
    {"sftp", cmd_sftp, "client: sftp with the token sent by eksauth askpass"},
    {"login-name", cmd_login_name, "client: your login name on eksauth hosts, from the cluster"},
#if EKSAUTH_HOST
    {"whoami", cmd_whoami, "this host's own identity in the cluster; identity JSON"},
#endif
};

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: eksauth [--config FILE] [--aws-auth FILE] COMMAND [ARGS]\n"
                 "       eksauth COMMAND --help\n\ncommands:\n");
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nexit: 0 ok, 1 token rejected or login denied, 2 usage or config error,\n"
                 "      3 not mapped, 4 unavailable (STS, the cluster, the identity DB)\n");
}

/* Commands whose arguments belong to another program (ssh's, scp's, sftp's, a prompt). */
static bool is_passthrough(const char *name)
{
    return strcmp(name, "ssh") == 0 || strcmp(name, "scp") == 0 || strcmp(name, "sftp") == 0 ||
           strcmp(name, "askpass") == 0;
}

/*
 * Take "--config FILE", "--config=FILE", "--aws-auth FILE" and
 * "--aws-auth=FILE" out of argv (they may stand before or after the
 * command), up to a "--".  Returns the new argc, or -1 on a missing value.
 */
static int take_global_options(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        size_t offset;
    } globals[] = {
        {"--config", offsetof(struct eksauth_cli, config_path)},
        {"--aws-auth", offsetof(struct eksauth_cli, aws_auth_path)},
    };
    int in, out = 1;
    size_t g, len;

    for (in = 1; in < argc; in++) {
        bool taken = false;

        /* After "--", and after the name of a command whose arguments belong to
         * another program (ssh's own, or ssh's and sudo's prompt), nothing is ours. */
        if (strcmp(argv[in], "--") == 0 || (out == 1 && is_passthrough(argv[in]))) {
            while (in < argc)
                argv[out++] = argv[in++];
            break;
        }
        for (g = 0; g < sizeof(globals) / sizeof(globals[0]) && !taken; g++) {
            const char **slot = (const char **)((char *)cli + globals[g].offset);

            len = strlen(globals[g].name);
            if (strncmp(argv[in], globals[g].name, len) != 0)
                continue;
            if (argv[in][len] == '=') {
                *slot = argv[in] + len + 1;
                taken = true;
            } else if (argv[in][len] == '\0') {
                if (in + 1 >= argc) {
                    cli_error("usage", "%s needs a value", globals[g].name);
                    return -1;
                }
                *slot = argv[++in];
                taken = true;
            }
        }
        if (!taken)
            argv[out++] = argv[in];
    }
    argv[out] = NULL;
    return out;
}

/*
 * No core file from eksauth or the programs it starts (RLIMIT_CORE 0),
 * before any argument is read: a command may hold a token (askpass, ssh's
 * typed password, token, check-token, verify, login-name, whoami) or AWS
 * keys (the built-in signer, sync's), which a crash would write to the
 * current folder or hand to a crash reporter.  setrlimit, not prctl: the
 * client builds for macOS too (tests/install/client_only.sh).
 */
static void no_core_dump(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur != 0) {
        rl.rlim_cur = 0;
        (void)setrlimit(RLIMIT_CORE, &rl);
    }
}

int main(int argc, char **argv)
{
    struct eksauth_cli cli;
    const char *name;
    size_t i;
    int rc = EXIT_USAGE;

    no_core_dump();
    memset(&cli, 0, sizeof(cli));
    cli.argv0 = argv[0];
    argc = take_global_options(&cli, argc, argv);
    if (argc < 0)
        return EXIT_USAGE;
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
        printf("eksauth %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) == 0) {
            rc = commands[i].run(&cli, argc - 1, argv + 1);
            goto out;
        }
    }
    cli_error("usage", "unknown command '%s' (eksauth --help lists them)", name);
out:
#if EKSAUTH_HOST
    cli_cleanup(&cli);
#endif
    return rc;
}
