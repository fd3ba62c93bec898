/*
 * cmd_verify.c - `eksauth verify [--cluster-id ID] [--now TIME] [TOKEN|-]`:
 * what a login does, without logging in.  The token's local checks, STS
 * GetCallerIdentity over TLS, the aws-auth mapping and the POSIX names;
 * prints the identity JSON of DESIGN §3.  Exit 0 verified and mapped,
 * 1 token rejected or login refused, 2 usage or config, 3 not mapped,
 * 4 STS unavailable.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/awsauth.h"
#include "eksauth/identity.h"
#include "eksauth/sigv4.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"
#include "cli.h"

#define WHAT "verify"

static const char usage_text[] =
    "usage: eksauth verify [--cluster-id ID] [--now TIME] [TOKEN|-]\n"
    "  Check a token locally, ask STS who signed it, map that through aws-auth and\n"
    "  print the identity.  The token comes from the argument, or standard input for\n"
    "  \"-\" or none.  --cluster-id overrides the config's cluster_id.\n"
    "  exit: 0 ok, 1 rejected or denied, 2 usage or config, 3 not mapped, 4 STS unavailable\n";

int cmd_verify(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cluster-id", required_argument, NULL, 'c'},
        {"now", required_argument, NULL, 'n'},
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *cluster_id = NULL, *now_opt = NULL, *arg = NULL;
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_config cfg;
    struct cli_checked *chk = NULL;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_plan plan;
    struct eksauth_identity id;
    struct json_object *obj;
    bool have_plan = false, have_id = false;
    char *token = NULL;
    size_t len = 0;
    time_t now;
    int c, rc = EXIT_USAGE;

    memset(&plan, 0, sizeof(plan));
    memset(&id, 0, sizeof(id));
    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cluster_id = optarg;
            break;
        case 'n':
            now_opt = optarg;
            break;
        default:
            if ((rc = cli_shared_option(cli, c, argv, WHAT, usage_text)) != CLI_GO_ON)
                return rc;
            rc = EXIT_USAGE;
            break;
        }
    }
    if (optind < argc)
        arg = argv[optind++];
    if (optind < argc) {
        cli_error(WHAT, "more than one token given");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (cluster_id != NULL && !cli_cluster_id_ok(WHAT, cluster_id))
        return EXIT_USAGE;
    if (cli_now(now_opt, &now, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);

    if (cli_load_config(cli, cluster_id == NULL, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);
    /* A shallow copy: --cluster-id replaces the config's for this run only. */
    cfg = cli->cfg;
    if (cluster_id != NULL)
        cfg.cluster_id = (char *)cluster_id;
    if (!eksauth_cluster_id_valid(cfg.cluster_id)) {
        cli_error(WHAT, "cluster_id is missing or not visible ASCII");
        return EXIT_USAGE;
    }

    /* The mapping first: a broken aws-auth is a config error, found before any STS call. */
    if (cli_load_mapping(cli, &aa, &plan, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    have_plan = true;

    if (cli_read_token(arg, &token, &len, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (cli_check_token(&cfg, token, len, now, &chk, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (cli_resolve(cli, &cfg, aa, &plan, &chk->principal, chk->sid.principal_id, &id, &err) !=
        EKSAUTH_OK) {
        have_id = true;
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    have_id = true;
    obj = cli_identity_json(&id);
    if (obj == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    rc = cli_print_json(obj);
    json_object_put(obj);
out:
    if (have_id)
        eksauth_identity_free(&id);
    if (have_plan)
        eksauth_plan_free(&plan);
    if (aa != NULL)
        eksauth_awsauth_free(aa);
    cli_checked_free(chk);
    if (token != NULL)
        cli_token_free(token, len);
    return rc;
}
