/*
 * cmd_token.c - `eksauth token --cluster-id ID [--region R] [--global]
 * [--json] [--now TIME]`: mint an EKS token from the AWS credentials of the
 * chain of lib/creds.c (environment, profile files, instance metadata),
 * byte for byte the token
 * `aws eks get-token` makes for the same credentials, region, cluster id and
 * time.  --json prints the ExecCredential that `aws eks get-token` prints
 * (same keys, order and indentation) in the apiVersion the Kubernetes client
 * asked for in KUBERNETES_EXEC_INFO, as `aws eks get-token` answers it, so it
 * serves as a kubeconfig exec plugin with either v1 or v1beta1.  Exit 0, or
 * 2 for usage, configuration and missing credentials.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "eksauth/creds.h"
#include "eksauth/sigv4.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"
#include "cli.h"
#include "cmd_client.h"

#define WHAT "token"

static const char usage_text[] =
    "usage: eksauth token --cluster-id ID [--host NAME] [--region R] [--global] [--json]\n"
    "                     [--now TIME]\n"
    "  Mint an EKS token from AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/\n"
    "  AWS_SESSION_TOKEN, else the keys of profile AWS_PROFILE or default in ~/.aws/credentials\n"
    "  or ~/.aws/config, else instance metadata; a role, SSO or credential_process profile is\n"
    "  refused, never signed for with other keys).\n"
    "  --cluster-id ID  the cluster the token is for (x-k8s-aws-id); alias --cluster-name\n"
    "  --host NAME      a token for that host alone, not the cluster: audience\n"
    "                   eksauth:ID:NAME (what eksauth askpass sends; the cluster refuses it)\n"
    "  --region R       the STS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's\n"
    "                   region in ~/.aws/credentials, else in ~/.aws/config)\n"
    "  --global         sign for sts.amazonaws.com (scope us-east-1) instead of the region's\n"
    "  --json           print an ExecCredential, as `aws eks get-token` does, in the\n"
    "                   apiVersion KUBERNETES_EXEC_INFO asks for (v1 or v1beta1)\n"
    "  --now TIME       sign as of TIME (RFC 3339 or Unix seconds) instead of the clock\n";

#define EXEC_API_V1       "client.authentication.k8s.io/v1"
#define EXEC_API_V1BETA1  "client.authentication.k8s.io/v1beta1"
#define EXEC_API_V1ALPHA1 "client.authentication.k8s.io/v1alpha1"

/*
 * The ExecCredential apiVersion to answer: the one the client asked for in
 * KUBERNETES_EXEC_INFO (client-go refuses an answer in another version),
 * decided as `aws eks get-token` decides it: v1 and v1beta1 as asked;
 * v1alpha1 as asked, with a note that it is deprecated; v1beta1, with a
 * note, when the variable is not JSON or names another version; v1beta1
 * without a note when it is unset (clients before Kubernetes 1.20).
 */
static const char *exec_api_version(void)
{
    const char *info = getenv("KUBERNETES_EXEC_INFO"), *asked;
    const char *answer = EXEC_API_V1BETA1;
    struct json_object *obj, *v;

    if (info == NULL || info[0] == '\0')
        return answer;
    obj = json_tokener_parse(info);
    if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
        cli_error(WHAT,
                  "KUBERNETES_EXEC_INFO is not a JSON object; answering %s (update the "
                  "Kubernetes client)",
                  answer);
        goto out;
    }
    asked =
        json_object_object_get_ex(obj, "apiVersion", &v) && json_object_is_type(v, json_type_string)
            ? json_object_get_string(v)
            : "";
    if (strcmp(asked, EXEC_API_V1) == 0 || strcmp(asked, EXEC_API_V1BETA1) == 0) {
        answer = strcmp(asked, EXEC_API_V1) == 0 ? EXEC_API_V1 : EXEC_API_V1BETA1;
    } else if (strcmp(asked, EXEC_API_V1ALPHA1) == 0) {
        answer = EXEC_API_V1ALPHA1;
        cli_error(WHAT, "the kubeconfig asks for the deprecated %s; move it to %s", asked,
                  EXEC_API_V1);
    } else {
        cli_error(WHAT, "KUBERNETES_EXEC_INFO asks for an unknown apiVersion; answering %s",
                  answer);
    }
out:
    json_object_put(obj);
    return answer;
}

/* The ExecCredential of `aws eks get-token`, byte for byte: json.dump(indent=4), same key order. */
static int print_exec_credential(const char *token, time_t signed_at)
{
    char expires[EKSAUTH_TIME_RFC3339_LEN + 1];

    eksauth_time_format(signed_at + EKSAUTH_EXEC_CREDENTIAL_LIFETIME, expires, sizeof(expires));
    /* The token is base64url and the time digits: nothing in either needs JSON escaping. */
    printf("{\n"
           "    \"kind\": \"ExecCredential\",\n"
           "    \"apiVersion\": \"%s\",\n"
           "    \"spec\": {},\n"
           "    \"status\": {\n"
           "        \"expirationTimestamp\": \"%s\",\n"
           "        \"token\": \"%s\"\n"
           "    }\n"
           "}\n"
           "\n", /* aws eks get-token ends with an empty line too */
           exec_api_version(), expires, token);
    return 0;
}

int cmd_token(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cluster-id", required_argument, NULL, 'c'},
        {"cluster-name", required_argument, NULL, 'c'},
        {"host", required_argument, NULL, 'H'},
        {"region", required_argument, NULL, 'r'},
        {"global", no_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        CLI_NOW_OPTION,
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *region_opt = NULL, *host_opt = NULL;
    char audience[EKSAUTH_AUDIENCE_MAX + 1];
    bool json = false;
    struct eksauth_mint m;
    struct eksauth_creds creds;
    struct eksauth_error err = {EKSAUTH_OK, ""};
    char region[64];
    char *token = NULL;
    size_t toklen = 0;
    int c, rc = EXIT_USAGE;

    memset(&creds, 0, sizeof(creds));
    memset(&m, 0, sizeof(m));
    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            m.audience = optarg;
            break;
        case 'H':
            host_opt = optarg;
            break;
        case 'r':
            region_opt = optarg;
            break;
        case 'g':
            m.global = true;
            break;
        case 'j':
            json = true;
            break;
        default:
            if (cli_shared_option(cli, c, argv, WHAT, usage_text, &rc))
                return rc;
            break;
        }
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument \"%.64s\"", argv[optind]);
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (m.audience == NULL) {
        cli_error(WHAT, "--cluster-id is required");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (!cli_cluster_id_ok(WHAT, m.audience))
        return EXIT_USAGE;
    if (host_opt != NULL) {
        if (eksauth_audience_for_host(m.audience, host_opt, audience, sizeof(audience), &err) !=
            EKSAUTH_OK)
            return cli_fail(WHAT, &err);
        m.audience = audience;
    }
    if (cli_now(cli->now_opt, &m.now, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);

    /* The global endpoint is always signed for us-east-1, whatever region is set. */
    if (m.global && region_opt == NULL) {
        snprintf(region, sizeof(region), "us-east-1");
    } else if (eksauth_creds_region(region_opt, NULL, region, sizeof(region), &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    m.region = region;
    if (cli_mint_token(NULL, &m, &creds, &token, &toklen, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (toklen > EKSAUTH_TOKEN_MAX_LEN)
        cli_error(WHAT, "warning: the token is %zu bytes; clusters accept at most %d", toklen,
                  EKSAUTH_TOKEN_MAX_LEN);
    if (json)
        print_exec_credential(token, m.now);
    else
        printf("%s\n", token);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(WHAT, "cannot write the token to standard output");
        goto out;
    }
    rc = 0;
out:
    cli_minted_free(token);
    eksauth_creds_free(&creds);
    return rc;
}
