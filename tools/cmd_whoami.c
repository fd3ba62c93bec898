/*
 * cmd_whoami.c - `eksauth whoami [--now TIME]`: the identity the cluster
 * gives this host.  Mints a token for cluster_id with the host's own
 * credentials (environment, shared file, instance metadata), checks it as a
 * login would, asks STS who signed it, and maps that through the current
 * source (aws_auth_file, or the Kubernetes API / access entries for
 * source = kubernetes | eks-api | kubernetes+eks-api).  Prints the identity
 * JSON of DESIGN §3 plus "credentials" (where they came from); for an
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
#include "eksauth/identity.h"
#include "eksauth/cluster.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"
#include "cli.h"

#define WHAT "whoami"

static const char usage_text[] =
    "usage: eksauth whoami\n"
    "  The identity the cluster gives this host: a token minted with this host's AWS\n"
    "  credentials (environment, shared credentials file, instance metadata), verified\n"
    "  by STS and mapped through the configured source (aws_auth_file, or the cluster's\n"
    "  API for source = kubernetes | eks-api | kubernetes+eks-api).\n"
    "  exit: 0 mapped, 1 refused, 2 usage or config, 3 not mapped, 4 unavailable\n";

/* The mapping of the configured source: the file, or the cluster's API. */
static enum eksauth_status load_source(struct eksauth_cli *cli, struct eksauth_awsauth **aa,
                                       struct eksauth_plan *plan, struct eksauth_error *err)
{
    struct eksauth_cluster_snapshot snap;
    enum eksauth_status st;

    if (cli->aws_auth_path != NULL || cli->cfg.source == EKSAUTH_SOURCE_FILE)
        return cli_load_mapping(cli, aa, plan, err);
    *aa = NULL;
    memset(plan, 0, sizeof(*plan));
    st = eksauth_cluster_fetch(&cli->cfg, time(NULL), &snap, err);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_awsauth_parse(snap.data, snap.len, aa, err);
    eksauth_cluster_snapshot_free(&snap);
    if (st != EKSAUTH_OK)
        return st;
    return cli_build_plan(cli, aa, plan, err);
}

/*
 * The cluster's identity of p when this host would not take it as a login
 * (login_for's policy: a system: user such as a node, a local name): the
 * identity JSON with "login": null and the host's reason in
 * "login_refused".  NULL when the mapping itself refuses p.
 */
static struct json_object *cluster_only_json(const struct eksauth_awsauth *aa,
                                             const struct eksauth_principal *p,
                                             const struct eksauth_sts_identity *sid,
                                             const struct eksauth_error *why)
{
    struct eksauth_k8s_identity k8s;
    struct json_object *obj = NULL, *groups;
    size_t i;

    if (eksauth_awsauth_map(aa, p, &k8s, NULL) != EKSAUTH_OK)
        goto out;
    obj = json_object_new_object();
    groups = json_object_new_array();
    if (obj == NULL || groups == NULL) {
        json_object_put(obj);
        json_object_put(groups);
        obj = NULL;
        goto out;
    }
    for (i = 0; i < k8s.n_groups; i++)
        json_object_array_add(groups, json_object_new_string(k8s.groups[i]));
    json_object_object_add(obj, "arn", json_object_new_string(p->arn));
    json_object_object_add(obj, "canonical_arn", json_object_new_string(p->canonical_arn));
    json_object_object_add(obj, "account", json_object_new_string(p->account));
    json_object_object_add(obj, "user_id", json_object_new_string(sid->principal_id));
    json_object_object_add(obj, "session_name", json_object_new_string(p->session_name));
    json_object_object_add(obj, "username", json_object_new_string(k8s.username));
    json_object_object_add(obj, "groups", groups);
    json_object_object_add(obj, "login", NULL);
    json_object_object_add(obj, "login_refused", json_object_new_string(why->msg));
    json_object_object_add(obj, "source",
                           json_object_new_string(eksauth_map_source_name(k8s.source)));
    eksauth_k8s_identity_free(&k8s);
out:
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
    struct cli_mint m;
    struct eksauth_creds creds;
    struct cli_checked *chk = NULL;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_plan plan;
    struct eksauth_identity id;
    struct json_object *obj;
    bool have_plan = false, have_id = false;
    char *token = NULL;
    size_t len = 0;
    time_t now = time(NULL);
    int c, rc = EXIT_USAGE;

    memset(&creds, 0, sizeof(creds));
    memset(&plan, 0, sizeof(plan));
    memset(&id, 0, sizeof(id));
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if ((rc = cli_shared_option(cli, c, argv, WHAT, usage_text)) != CLI_GO_ON)
            return rc;
        rc = EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument \"%.64s\"", argv[optind]);
        return EXIT_USAGE;
    }
    if (cli_load_config(cli, true, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);

    /* 1. This host's credentials and a token, as `aws eks get-token` would mint it. */
    memset(&copt, 0, sizeof(copt));
    copt.imds_endpoint = cli->cfg.imds_endpoint;
    memset(&m, 0, sizeof(m));
    m.creds = &copt;
    m.cfg = &cli->cfg; /* the region: the config's, else the host's */
    m.cluster_id = cli->cfg.cluster_id;
    m.now = now;
    if (cli_mint_token(&m, &creds, &token, &len, &err) != EKSAUTH_OK) {
        /* No credentials is a setup problem of this host (exit 2), not a refusal. */
        if (err.status == EKSAUTH_ENOTFOUND)
            err.status = EKSAUTH_EINVAL;
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    /* 2. The same path as a login: local checks, then STS. */
    if (cli_check_token(&cli->cfg, token, len, now, &chk, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    /* 3. The mapping of the configured source. */
    if (load_source(cli, &aa, &plan, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    have_plan = true;
    if (cli_resolve(cli, &cli->cfg, aa, &plan, &chk->principal, chk->sid.principal_id, &id, &err) !=
        EKSAUTH_OK) {
        have_id = true;
        /* Mapped in the cluster, only not a login here (a node's system: name): say so. */
        if (err.status == EKSAUTH_EREJECTED &&
            (obj = cluster_only_json(aa, &chk->principal, &chk->sid, &err)) != NULL) {
            json_object_object_add(obj, "credentials", json_object_new_string(creds.origin));
            rc = cli_print_json(obj);
            json_object_put(obj);
            goto out;
        }
        if (err.status == EKSAUTH_ENOTMAPPED)
            fprintf(stderr, "eksauth: %s: %s is not mapped (credentials: %s)\n", WHAT,
                    chk->sid.parsed.canonical, creds.origin);
        else
            rc = cli_fail(WHAT, &err);
        rc = eksauth_status_exit_code(err.status);
        goto out;
    }
    have_id = true;
    obj = cli_identity_json(&id);
    if (obj == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    json_object_object_add(obj, "credentials", json_object_new_string(creds.origin));
    rc = cli_print_json(obj);
    json_object_put(obj);
out:
    if (have_id)
        eksauth_identity_free(&id);
    if (have_plan)
        eksauth_plan_free(&plan);
    eksauth_awsauth_free(aa);
    cli_checked_free(chk);
    cli_minted_free(token);
    eksauth_creds_free(&creds);
    return rc;
}
