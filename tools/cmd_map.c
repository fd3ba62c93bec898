/*
 * cmd_map.c - `eksauth map ARN`: what aws-auth and this host's policy make
 * of a principal, without a token or STS (docs/design.md, "The command line").
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"
#include "eksauth/mapping.h"

#define WHAT "map"

static const char usage_text[] =
    "usage: eksauth map ARN [--session-name S] [--access-key-id K] [--account A]\n"
    "                   [--aws-auth FILE] [--config FILE]\n"
    "Map an IAM or STS ARN through aws-auth and print the identity as JSON.\n"
    "An assumed-role ARN is canonicalised and its session name is used;\n"
    "--session-name names a role's session (an IAM user, root or federated user has none).\n"
    "exit: 0 mapped, 1 the entry exists but the login is refused,\n"
    "      2 usage or config error, 3 not mapped,\n"
    "      4 no identity DB or aws-auth of the last sync (run eksauth sync)\n"
    "      (an identity DB that may not be trusted or read: 2)\n";

int cmd_map(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"session-name", required_argument, NULL, 's'},
        {"access-key-id", required_argument, NULL, 'k'},
        {"account", required_argument, NULL, 'a'},
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *session_name = NULL, *access_key_id = "", *account = NULL;
    const struct eksauth_iddb *db = NULL;
    struct eksauth_mapping m;
    struct eksauth_identity id;
    struct eksauth_principal principal;
    struct eksauth_error err;
    struct eksauth_arn arn;
    struct json_object *json;
    int opt, rc = EXIT_USAGE;

    memset(&m, 0, sizeof(m));
    memset(&id, 0, sizeof(id));
    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0; /* our own messages, "eksauth: map: ...", not getopt's */
    while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (opt) {
        case 's':
            session_name = optarg;
            break;
        case 'k':
            access_key_id = optarg;
            break;
        case 'a':
            account = optarg;
            break;
        default:
            if (cli_shared_option(cli, opt, argv, WHAT, usage_text, &rc))
                return rc;
            break;
        }
    }
    if (argc - optind != 1) {
        if (optind < argc)
            cli_error(WHAT, "unexpected argument \"%.64s\"", argv[optind + 1]);
        else
            cli_error(WHAT, "the ARN is required");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (eksauth_arn_parse(argv[optind], &arn, &err) != EKSAUTH_OK) {
        cli_error(WHAT, "%s", err.msg);
        return EXIT_USAGE;
    }
    /*
     * Only a role's session has a name: the cluster's SessionName is empty
     * for an IAM user, root or a federated user, so a name given for one
     * would map what no login of it can present.  The characters and length
     * are the token path's (eksauth_arn_session_name_ok).
     */
    if (session_name != NULL && arn.type != EKSAUTH_ARN_ROLE &&
        arn.type != EKSAUTH_ARN_ASSUMED_ROLE) {
        cli_error(WHAT,
                  "--session-name: a %s ARN has no session name; only a role's or an assumed "
                  "role's takes one",
                  eksauth_arn_type_name(arn.type));
        return EXIT_USAGE;
    }
    if (session_name != NULL && !eksauth_arn_session_name_ok(session_name, strlen(session_name))) {
        cli_error(WHAT, "--session-name: not a session name: 1 to 127 of [A-Za-z0-9_+=,.@-], as "
                        "in an assumed-role ARN");
        return EXIT_USAGE;
    }
    /* An assumed-role ARN carries its session: another name is no login's (eksauth(1)). */
    if (session_name != NULL && arn.type == EKSAUTH_ARN_ASSUMED_ROLE &&
        strcmp(session_name, arn.session_name) != 0) {
        cli_error(WHAT,
                  "--session-name %s differs from the ARN's own session name %s; an assumed "
                  "role's login presents its ARN's",
                  session_name, arn.session_name);
        return EXIT_USAGE;
    }
    /* The account is the ARN's; --account may only confirm it. */
    if (account != NULL && strcmp(account, arn.account) != 0) {
        cli_error(WHAT, "--account %s differs from the ARN's account %s", account, arn.account);
        return EXIT_USAGE;
    }
    /* The mapping a login on this host decides with, and the ids its DB already gave. */
    if (cli_load_config(cli, false, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    /* An untrusted DB is the host's to fix (2, as eksauth users), not a refused login. */
    if (eksauth_ctx_db(&cli->ctx, false, &db, &err) != EKSAUTH_OK) {
        rc = cli_db_fail(WHAT, cli->ctx.paths.db, &err);
        goto out;
    }
    if (eksauth_mapping_load(&cli->ctx, cli->aws_auth_path, db, &m, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    cli_mapping_warnings(&m);
    memset(&principal, 0, sizeof(principal));
    principal.arn = argv[optind];
    principal.canonical_arn = arn.canonical;
    principal.account = arn.account;
    principal.session_name = session_name != NULL ? session_name : arn.session_name;
    principal.access_key_id = access_key_id;
    if (eksauth_mapping_resolve(&cli->ctx, &m, &principal, NULL, &id, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    json = cli_identity_json(&id);
    rc = cli_print_json(json);
    json_object_put(json);
out:
    eksauth_identity_free(&id);
    eksauth_mapping_free(&m);
    return rc;
}
