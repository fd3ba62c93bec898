/*
 * doctor.c - `eksauth doctor [--network] [--json] [--root DIR]`: the
 * arguments, the checks in order (each later one may use what an earlier
 * one read: the config, the identity DB), the findings printed, and the
 * exit code: 0 when no finding is an error (warnings do not fail), 1
 * otherwise, 2 on a usage error.  doctor.h lists the checks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "doctor.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: eksauth doctor [--network] [--json] [--root DIR]\n"
                 "  check this host's eksauth setup; print each problem with its fix\n"
                 "  --network   also check that STS and the sync source answer\n"
                 "  --json      findings as JSON\n"
                 "  --root DIR  read the host's files under DIR\n"
                 "exit: 0 no error (warnings allowed), 1 errors found, 2 usage\n");
}

/* -1 when the checks are to run, else the exit code (--help, a usage error). */
static int parse_args(struct doctor *d, int argc, char **argv, bool *json)
{
    const char *root = NULL;
    int i;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--network") == 0) {
            d->network = true;
        } else if (strcmp(argv[i], "--json") == 0) {
            *json = true;
        } else if (strcmp(argv[i], "--root") == 0) {
            if (i + 1 == argc) {
                cli_error("doctor", "--root needs a value");
                usage(stderr);
                return EXIT_USAGE;
            }
            root = argv[++i];
        } else if (strncmp(argv[i], "--root=", 7) == 0) {
            root = argv[i] + 7;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            cli_error("usage", "doctor: unknown argument '%s'", argv[i]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (root != NULL) {
        if (realpath(root, d->root) == NULL) {
            cli_error("doctor", "--root %s: %s", root, strerror(errno));
            return EXIT_USAGE;
        }
        if (strcmp(d->root, "/") == 0)
            d->root[0] = '\0';
    }
    return -1;
}

static void run_checks(struct doctor *d)
{
    check_config(d);
    if (d->cfg_usable) {
        check_source(d);
        check_tokens(d);
    }
    check_clock(d);
    check_modules(d);
    check_nsswitch(d);
    check_db(d);
    check_caches(d);
    check_pam_sshd(d);
    check_sshd(d);
    if (d->cfg_usable) {
        check_snapshot(d);
        check_login_index(d);
    }
    check_sync_enabled(d);
    check_sudoers(d);
    if (d->network)
        check_network(d);
}

int cmd_doctor(struct eksauth_cli *cli, int argc, char **argv)
{
    struct eksauth_error err;
    struct doctor d;
    bool json = false;
    int rc;

    memset(&d, 0, sizeof(d));
    d.cli = cli;
    rc = parse_args(&d, argc, argv, &json);
    if (rc >= 0)
        return rc;
    rc = EXIT_USAGE;
    if (eksauth_config_init(&d.cfg, &err) != EKSAUTH_OK) {
        cli_fail("doctor", &err);
        goto out;
    }
    d.cfg_init = true;
    run_checks(&d);
    if (d.nomem) {
        cli_error("doctor", "out of memory");
        goto out;
    }
    rc = print_findings(&d, json);
    if (rc == 0)
        rc = count_findings(&d, LV_ERROR) > 0 ? EXIT_REJECTED : 0;
out:
    free_findings(&d);
    pam_sshd_free(&d);
    if (d.db != NULL)
        eksauth_iddb_close(d.db);
    if (d.cfg_init)
        eksauth_config_free(&d.cfg);
    return rc;
}
