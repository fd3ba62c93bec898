/*
 * cmd_whoami.c - `eksauth whoami [--now TIME]`: the identity the cluster
 * gives this host.  Mints a token for cluster_id with the host's own
 * credentials (environment, shared file, instance metadata), checks it as a
 * login would, asks STS who signed it, and maps that through the current
 * source (aws_auth_file, or the Kubernetes API / access entries for
 * source = kubernetes | eks-api | kubernetes+eks-api).  Prints the identity
 * JSON of eksauth(1) plus "credentials" (where they came from); for an
 * identity mapped in the cluster that this host refuses as a login (a
 * node's system:node:{{EC2PrivateDNSName}}, resolved with this host's own
 * instance), "login" is null and "login_refused" says why.  Exit 0
 * mapped, 3 not mapped, 1 refused, 2 usage/config/credentials, 4 STS or
 * the source unavailable.  A node bootstrap script checks its role with it
 * before it joins.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/awsauth.h"
#include "eksauth/creds.h"
#include "eksauth/login.h"
#include "cli.h"

#define WHAT "whoami"

static const char usage_text[] =
    "usage: eksauth whoami\n"
    "  The identity the cluster gives this host: a token minted with this host's AWS\n"
    "  credentials (environment, shared credentials file, instance metadata), verified\n"
    "  by STS and mapped through the configured source (aws_auth_file, or the cluster's\n"
    "  API for source = kubernetes | eks-api | kubernetes+eks-api).\n"
    "  exit: 0 mapped, 1 refused, 2 usage or config, 3 not mapped, 4 unavailable\n";

/*
 * The cluster's identity of a login this host refuses (a node's system:
 * name, a local name): the identity JSON with "login": null and the
 * host's reason in "login_refused".
 */
static struct json_object *cluster_only_json(const struct eksauth_login *l,
                                             const struct eksauth_error *why)
{
    const struct eksauth_principal *p = &l->principal;
    struct json_object *obj = json_object_new_object(), *groups = json_object_new_array();
    size_t i;

    if (obj == NULL || groups == NULL) {
        json_object_put(obj);
        json_object_put(groups);
        return NULL;
    }
    for (i = 0; i < l->cluster.n_groups; i++)
        json_object_array_add(groups, json_object_new_string(l->cluster.groups[i]));
    json_object_object_add(obj, "arn", json_object_new_string(p->arn));
    json_object_object_add(obj, "canonical_arn", json_object_new_string(p->canonical_arn));
    json_object_object_add(obj, "account", json_object_new_string(p->account));
    json_object_object_add(obj, "user_id", json_object_new_string(l->sid.principal_id));
    json_object_object_add(obj, "session_name", json_object_new_string(p->session_name));
    json_object_object_add(obj, "username", json_object_new_string(l->cluster.username));
    json_object_object_add(obj, "groups", groups);
    json_object_object_add(obj, "login", NULL);
    json_object_object_add(obj, "login_refused", json_object_new_string(why->msg));
    json_object_object_add(obj, "source",
                           json_object_new_string(eksauth_map_source_name(l->cluster.source)));
    return obj;
}

int cmd_whoami(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_creds_options copt;
    struct eksauth_mint m;
    struct eksauth_creds creds;
    struct eksauth_login_request req;
    struct eksauth_login *l = NULL;
    struct json_object *obj = NULL;
    char *token = NULL;
    size_t len = 0;
    time_t now = time(NULL);
    int c, rc = EXIT_USAGE;

    memset(&creds, 0, sizeof(creds));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (cli_shared_option(cli, c, argv, WHAT, usage_text, &rc))
            return rc;
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument \"%.64s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (cli_load_config(cli, true, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);

    /* 1. This host's credentials and a token, as `aws eks get-token` would mint it. */
    memset(&copt, 0, sizeof(copt));
    copt.imds_endpoint = cli->ctx.cfg.imds_endpoint;
    memset(&m, 0, sizeof(m));
    m.cfg = &cli->ctx.cfg; /* the region: the config's, else the host's */
    m.audience = cli->ctx.cfg.cluster_id;
    m.now = now;
    if (cli_mint_token(&copt, &m, &creds, &token, &len, &err) != EKSAUTH_OK) {
        /* No credentials is a setup problem of this host (exit 2), not a refusal. */
        if (err.status == EKSAUTH_ENOTFOUND)
            err.status = EKSAUTH_EINVAL;
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    /* 2. A login's check, with the configured source as it is now (not the snapshot). */
    memset(&req, 0, sizeof(req));
    req.token = token;
    req.len = len;
    req.now = now;
    req.aws_auth_path = cli->aws_auth_path;
    req.fetch_source = cli->aws_auth_path == NULL;
    /* Minted here for the cluster itself, never sent anywhere but STS. */
    req.audience = cli->ctx.cfg.cluster_id;
    if (eksauth_login_check(&cli->ctx, &req, &l, &err) == EKSAUTH_OK) {
        cli_mapping_warnings(&l->mapping);
        obj = cli_identity_json(&l->id);
    } else if (l != NULL && l->cluster_mapped) {
        /* Mapped in the cluster, only not a login here (a node's system: name): say so. */
        obj = cluster_only_json(l, &err);
    } else if (err.status == EKSAUTH_ENOTMAPPED && l != NULL) {
        fprintf(stderr, "eksauth: %s: %s is not mapped (credentials: %s)\n", WHAT,
                l->sid.parsed.canonical, creds.origin);
        rc = EXIT_NOT_MAPPED;
        goto out;
    } else {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (obj == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    json_object_object_add(obj, "credentials", json_object_new_string(creds.origin));
    rc = cli_print_json(obj);
    json_object_put(obj);
out:
    eksauth_login_free(l);
    cli_minted_free(token);
    eksauth_creds_free(&creds);
    return rc;
}
