/*
 * cmd_login_name.c - `eksauth login-name [--json]`: the login name eksauth
 * hosts give you, learnt from the cluster itself: a token minted as
 * askpass mints it (for EKSAUTH_CLUSTER, as the identity the kubeconfig
 * gives kubectl for it: client_mint.c), the
 * Kubernetes SelfSubjectReview (kube_review.h) on the API server your
 * kubeconfig names for that cluster (kubeconfig.h) or EKSAUTH_CLUSTER_ENDPOINT,
 * and the username it answers turned into a POSIX name by the rules of
 * names.h, as a host turns it.  `eksauth ssh HOST` uses it when no login
 * name is given.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "cmd_client.h"
#include "eksauth/kube_review.h"
#include "eksauth/kubeconfig.h"
#include "eksauth/names.h"

#define WHAT "login-name"

static const char usage_text[] =
    "usage: eksauth login-name [--json]\n"
    "  The login name eksauth hosts give you (the POSIX form of your Kubernetes username),\n"
    "  asked of the cluster itself as kubectl auth whoami asks, with the identity kubectl\n"
    "  uses (the role or profile of your kubeconfig's aws exec section, else your own AWS\n"
    "  credentials).  A host's user_map may still name you otherwise.\n"
    "  --json  the name, your Kubernetes username, groups and ARN as JSON\n"
    "  Environment: EKSAUTH_CLUSTER (the cluster's name), EKSAUTH_REGION, EKSAUTH_BUILTIN=1,\n"
    "  EKSAUTH_TOKEN_COMMAND (as for eksauth askpass); the API server from KUBECONFIG or\n"
    "  ~/.kube/config (aws eks update-kubeconfig writes it), or EKSAUTH_CLUSTER_ENDPOINT with\n"
    "  EKSAUTH_CLUSTER_CA_FILE.\n";

static const char *env_value(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* Where the cluster's API server is: the environment, else the kubeconfig. */
static enum eksauth_status find_target(const char *cluster, struct eksauth_kube_target *t,
                                       struct eksauth_error *err)
{
    const char *endpoint = env_value("EKSAUTH_CLUSTER_ENDPOINT");

    if (endpoint != NULL)
        return eksauth_kube_target_set(endpoint, env_value("EKSAUTH_CLUSTER_CA_FILE"), t, err);
    if (cluster == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "set EKSAUTH_CLUSTER to the cluster's name (it finds the cluster in "
                            "your kubeconfig), or EKSAUTH_CLUSTER_ENDPOINT");
    return eksauth_kubeconfig_find(cluster, env_value("EKSAUTH_REGION"), t, err);
}

enum eksauth_status client_login_name(char name[EKSAUTH_NAME_MAX + 1],
                                      struct eksauth_kube_user *who, struct eksauth_error *err)
{
    const char *cluster = env_value("EKSAUTH_CLUSTER");
    const char *builtin = env_value("EKSAUTH_BUILTIN");
    struct eksauth_kube_target t;
    struct eksauth_kube_user user;
    struct client_token *tok = NULL;
    enum eksauth_status st;

    memset(&t, 0, sizeof(t));
    memset(&user, 0, sizeof(user));
    name[0] = '\0';
    st = find_target(cluster, &t, err);
    if (st != EKSAUTH_OK)
        goto out;
    tok = calloc(1, sizeof(*tok));
    if (tok == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    /* The cluster's own audience: this token goes to the cluster's API, never to a host. */
    if (cluster == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "set EKSAUTH_CLUSTER to the cluster's name: the token names it");
        goto out;
    }
    st = client_mint_token(builtin != NULL && strcmp(builtin, "0") != 0, cluster, NULL, tok, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "no token");
        goto out;
    }
    st = eksauth_kube_self_review(&t, cluster, tok->token, tok->len, &user, err);
    if (st == EKSAUTH_OK) {
        st = eksauth_names_login(user.username, name, err);
        if (st != EKSAUTH_OK)
            eksauth_error_prefix(err, "your Kubernetes username '%.100s' has no login name",
                                 user.username);
    }
out:
    if (tok != NULL) {
        OPENSSL_cleanse(tok, sizeof(*tok));
        free(tok);
    }
    eksauth_kube_target_free(&t);
    if (st == EKSAUTH_OK && who != NULL)
        *who = user;
    else
        eksauth_kube_user_free(&user);
    return st;
}

static int print_json(const char *name, const struct eksauth_kube_user *u)
{
    struct json_object *obj = json_object_new_object(), *groups = json_object_new_array();
    size_t i;
    int rc;

    for (i = 0; i < u->n_groups; i++)
        json_object_array_add(groups, json_object_new_string(u->groups[i]));
    json_object_object_add(obj, "login", json_object_new_string(name));
    json_object_object_add(obj, "username", json_object_new_string(u->username));
    json_object_object_add(obj, "groups", groups);
    json_object_object_add(obj, "arn", u->arn != NULL ? json_object_new_string(u->arn) : NULL);
    rc = cli_print_json(obj);
    json_object_put(obj);
    return rc;
}

int cmd_login_name(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_kube_user who;
    char name[EKSAUTH_NAME_MAX + 1];
    bool json = false;
    int c, rc;

    (void)cli;
    optind = 1; /* the first getopt of this process (portable, unlike glibc's 0) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else if (c == 'h') {
            fputs(usage_text, stdout);
            return 0;
        } else {
            cli_option_error(WHAT, c, argv);
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument '%s'", argv[optind]);
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (client_login_name(name, &who, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);
    rc = json ? print_json(name, &who) : (printf("%s\n", name) < 0 ? EXIT_USAGE : 0);
    eksauth_kube_user_free(&who);
    return rc;
}
