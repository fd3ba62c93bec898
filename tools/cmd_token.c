/*
 * cmd_token.c - `eksauth token --cluster-id ID [--region R] [--global]
 * [--json] [--now TIME]`: mint an EKS token from the AWS credentials of the
 * environment or the shared credentials file, byte for byte the token
 * `aws eks get-token` makes for the same credentials, region, cluster id and
 * time.  --json prints the ExecCredential that `aws eks get-token` prints
 * (same keys, order and indentation), so it serves as a kubeconfig exec
 * plugin.  Exit 0, or 2 for usage, configuration and missing credentials.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "eksauth/creds.h"
#include "eksauth/sigv4.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"
#include "cli.h"

#define WHAT "token"

static const char usage_text[] =
    "usage: eksauth token --cluster-id ID [--region R] [--global] [--json] [--now TIME]\n"
    "  Mint an EKS token from AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/\n"
    "  AWS_SESSION_TOKEN, else the shared credentials file, profile AWS_PROFILE or default).\n"
    "  --cluster-id ID  the cluster the token is for (x-k8s-aws-id); alias --cluster-name\n"
    "  --region R       the STS region (else AWS_REGION, AWS_DEFAULT_REGION, ~/.aws/config)\n"
    "  --global         sign for sts.amazonaws.com (scope us-east-1) instead of the region's\n"
    "  --json           print an ExecCredential, as `aws eks get-token` does\n"
    "  --now TIME       sign as of TIME (RFC 3339 or Unix seconds) instead of the clock\n";

/* The ExecCredential of `aws eks get-token`, byte for byte: json.dump(indent=4), same key order. */
static int print_exec_credential(const char *token, time_t signed_at)
{
    char expires[EKSAUTH_TIME_RFC3339_LEN + 1];

    eksauth_time_format(signed_at + EKSAUTH_EXEC_CREDENTIAL_LIFETIME, expires, sizeof(expires));
    /* The token is base64url and the time digits: nothing in either needs JSON escaping. */
    printf("{\n"
           "    \"kind\": \"ExecCredential\",\n"
           "    \"apiVersion\": \"client.authentication.k8s.io/v1beta1\",\n"
           "    \"spec\": {},\n"
           "    \"status\": {\n"
           "        \"expirationTimestamp\": \"%s\",\n"
           "        \"token\": \"%s\"\n"
           "    }\n"
           "}\n"
           "\n", /* aws eks get-token ends with an empty line too */
           expires, token);
    return 0;
}

int cmd_token(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cluster-id", required_argument, NULL, 'c'},
        {"cluster-name", required_argument, NULL, 'c'},
        {"region", required_argument, NULL, 'r'},
        {"global", no_argument, NULL, 'g'},
        {"json", no_argument, NULL, 'j'},
        {"now", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'C'},
        {"aws-auth", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cluster_id = NULL, *region_opt = NULL, *now_opt = NULL;
    bool global = false, json = false;
    struct eksauth_creds creds;
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_sts_presign req;
    char region[64], host[256];
    char *token = NULL;
    size_t toklen = 0;
    time_t now;
    int c, rc = EXIT_USAGE;

    memset(&creds, 0, sizeof(creds));
    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            cluster_id = optarg;
            break;
        case 'r':
            region_opt = optarg;
            break;
        case 'g':
            global = true;
            break;
        case 'j':
            json = true;
            break;
        case 'n':
            now_opt = optarg;
            break;
        case 'C':
            cli->config_path = optarg;
            break;
        case 'A':
            cli->aws_auth_path = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case ':':
            cli_error(WHAT, "%s needs a value", argv[optind - 1]);
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        default:
            cli_error(WHAT, "unknown option %s", argv[optind - 1]);
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error(WHAT, "unexpected argument \"%.64s\"", argv[optind]);
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (cluster_id == NULL) {
        cli_error(WHAT, "--cluster-id is required");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (!eksauth_cluster_id_valid(cluster_id)) {
        cli_error(WHAT, "--cluster-id must be 1 to %d visible ASCII characters",
                  EKSAUTH_CLUSTER_ID_MAX);
        return EXIT_USAGE;
    }
    if (now_opt != NULL) {
        if (eksauth_time_parse(now_opt, &now, &err) != EKSAUTH_OK)
            return cli_fail(WHAT, &err);
    } else {
        now = time(NULL);
    }

    /* The global endpoint is always signed for us-east-1, whatever region is set. */
    if (global && region_opt == NULL) {
        snprintf(region, sizeof(region), "us-east-1");
    } else if (eksauth_creds_region(region_opt, NULL, region, sizeof(region), &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (eksauth_sigv4_sts_host(region, global, host, sizeof(host), &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (eksauth_creds_load(NULL, &creds, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    if (token == NULL) {
        cli_error(WHAT, "out of memory");
        goto out;
    }
    req.host = host;
    req.region = global ? "us-east-1" : region;
    req.cluster_id = cluster_id;
    req.now = now;
    req.expires = EKSAUTH_SIGV4_EXPIRES;
    if (eksauth_sigv4_sts_token(&creds, &req, token, EKSAUTH_SIGV4_TOKEN_MAX, &toklen, &err) !=
        EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (toklen > EKSAUTH_TOKEN_MAX_LEN)
        cli_error(WHAT, "warning: the token is %zu bytes; clusters accept at most %d", toklen,
                  EKSAUTH_TOKEN_MAX_LEN);
    if (json)
        print_exec_credential(token, now);
    else
        printf("%s\n", token);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(WHAT, "cannot write the token to standard output");
        goto out;
    }
    rc = 0;
out:
    if (token != NULL) {
        /* A bearer credential for 15 minutes: wipe it. */
        OPENSSL_cleanse(token, EKSAUTH_SIGV4_TOKEN_MAX);
        free(token);
    }
    eksauth_creds_free(&creds);
    return rc;
}
