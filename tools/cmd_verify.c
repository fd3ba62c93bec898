/*
 * cmd_verify.c - `eksauth verify [--cluster-id ID] [--now TIME] [TOKEN|-]`:
 * what a login does, without logging in (eksauth_login_check: the token's
 * local checks, the mapping, STS GetCallerIdentity over TLS, the POSIX
 * names); prints the identity JSON of eksauth(1).  Exit 0 verified and mapped,
 * 1 token rejected or login refused, 2 usage or config (an identity DB that
 * may not be trusted or read too), 3 not mapped, 4 unavailable (STS, no
 * identity DB or aws-auth of the last sync yet).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/login.h"
#include "cli.h"

#define WHAT "verify"

static const char usage_text[] =
    "usage: eksauth verify [--cluster-id ID] [--now TIME] [TOKEN|-]\n"
    "  Check a token locally, ask STS who signed it, map that through aws-auth and\n"
    "  print the identity.  The token comes from the argument, or standard input for\n"
    "  \"-\" or none.  --cluster-id overrides the config's cluster_id.\n"
    "  exit: 0 ok, 1 rejected or denied, 2 usage or config (an identity DB that may not be\n"
    "        trusted or read too), 3 not mapped, 4 unavailable (STS, no identity DB or\n"
    "        aws-auth of the last sync yet: run eksauth sync)\n";

/*
 * The exit of a check that failed.  One the identity DB stopped
 * (eksauth_login's db_failed) gets the rule of eksauth users and map
 * (cli_db_fail: none yet 4, else 2), never 1, a refused token.
 */
static int check_fail(struct eksauth_cli *cli, const struct eksauth_login *l,
                      const struct eksauth_error *err)
{
    if (l != NULL && l->step == EKSAUTH_LOGIN_SETUP && l->db_failed)
        return cli_db_fail(WHAT, cli->ctx.paths.db, err);
    return cli_fail(WHAT, err);
}

int cmd_verify(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cluster-id", required_argument, NULL, 'c'},
        CLI_NOW_OPTION,
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *cluster_id = NULL;
    char *arg = NULL;
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_login_request req;
    struct eksauth_login *l = NULL;
    struct json_object *obj;
    char *token = NULL;
    size_t len = 0;
    int c, rc = EXIT_USAGE;

    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cluster_id = optarg;
            break;
        default:
            if (cli_shared_option(cli, c, argv, WHAT, usage_text, &rc))
                return rc;
            break;
        }
    }
    if (!cli_token_operand(argc, argv, WHAT, usage_text, &arg))
        return EXIT_USAGE;
    memset(&req, 0, sizeof(req));
    if (cluster_id != NULL && !cli_cluster_id_ok(WHAT, cluster_id))
        return EXIT_USAGE;
    if (cli_now(cli->now_opt, &req.now, &err) != EKSAUTH_OK ||
        cli_load_config(cli, cluster_id == NULL, &err) != EKSAUTH_OK ||
        (cluster_id != NULL &&
         eksauth_ctx_set_cluster_id(&cli->ctx, cluster_id, &err) != EKSAUTH_OK))
        return cli_fail(WHAT, &err);

    /* It wipes a token given as arg: STS may take long to answer, with argv public. */
    if (cli_read_token(WHAT, arg, &token, &len, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);
    /* The login's own check (login.h), without logging in. */
    req.token = token;
    req.len = len;
    req.aws_auth_path = cli->aws_auth_path;
    /* The whole snapshot, so its warnings are shown; a login decides the same by the index. */
    req.whole_snapshot = true;
    if (eksauth_login_check(&cli->ctx, &req, &l, &err) != EKSAUTH_OK) {
        if (l != NULL)
            cli_mapping_warnings(&l->mapping);
        rc = check_fail(cli, l, &err);
        goto out;
    }
    cli_mapping_warnings(&l->mapping);
    obj = cli_identity_json(&l->id);
    if (obj == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    rc = cli_print_json(obj);
    json_object_put(obj);
out:
    eksauth_login_free(l);
    cli_token_free(token, len);
    return rc;
}
