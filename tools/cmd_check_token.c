/*
 * cmd_check_token.c - `eksauth check-token [--now TIME] [TOKEN|-]`: the
 * local token checks alone (no STS), and the parsed token as JSON
 * (docs/design.md, "The command line").
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"

#define WHAT "check-token"

static const char usage_text[] =
    "usage: eksauth check-token [--now TIME] [TOKEN|-]\n"
    "Check a token locally (format, host, parameters, dates; no STS call)\n"
    "and print what it says as JSON.  The token is read from standard input\n"
    "when it is \"-\" or not given.\n"
    "  --now TIME   check as of TIME: RFC 3339 (2026-11-30T05:41:45Z) or Unix seconds\n"
    "exit: 0 accepted, 1 rejected, 2 usage or config error\n";

/* "host;x-k8s-aws-id" as ["host", "x-k8s-aws-id"]. */
static struct json_object *signed_headers_json(const char *list)
{
    struct json_object *array = json_object_new_array();
    const char *name = list, *sep;

    while (array != NULL) {
        sep = strchr(name, ';');
        if (sep == NULL) {
            json_object_array_add(array, json_object_new_string(name));
            break;
        }
        json_object_array_add(array, json_object_new_string_len(name, (int)(sep - name)));
        name = sep + 1;
    }
    return array;
}

static struct json_object *token_json(const struct eksauth_token *tok)
{
    struct json_object *obj = json_object_new_object();
    char signed_at[EKSAUTH_TIME_RFC3339_LEN + 1], expires_at[EKSAUTH_TIME_RFC3339_LEN + 1];

    if (obj == NULL)
        return NULL;
    eksauth_time_format(tok->signed_at, signed_at, sizeof(signed_at));
    eksauth_time_format(tok->expires_at, expires_at, sizeof(expires_at));
    json_object_object_add(obj, "host", json_object_new_string(tok->host));
    json_object_object_add(obj, "region", json_object_new_string(tok->region));
    json_object_object_add(obj, "partition", json_object_new_string(tok->partition));
    json_object_object_add(obj, "access_key_id", json_object_new_string(tok->access_key_id));
    json_object_object_add(obj, "signed_headers", signed_headers_json(tok->signed_headers));
    json_object_object_add(obj, "signed_at", json_object_new_string(signed_at));
    json_object_object_add(obj, "expires_at", json_object_new_string(expires_at));
    json_object_object_add(obj, "has_session_token",
                           json_object_new_boolean(tok->has_session_token));
    return obj;
}

int cmd_check_token(struct eksauth_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_NOW_OPTION,
        CLI_SHARED_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct eksauth_token_policy policy;
    struct eksauth_token tok;
    struct eksauth_error err;
    struct json_object *json;
    char *token_arg = NULL, *token = NULL;
    size_t token_len = 0;
    time_t now;
    int c, rc = EXIT_USAGE;

    memset(&tok, 0, sizeof(tok));
    optind = 0; /* glibc: start afresh at argv[1] */
    opterr = 0;
    /* -h as well: check-token always took it. */
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (cli_shared_option(cli, c, argv, WHAT, usage_text, &rc))
            return rc;
    }
    if (!cli_token_operand(argc, argv, WHAT, usage_text, &token_arg))
        return EXIT_USAGE;
    /* partition, max_clock_skew and sts_hosts come from the config (or its defaults). */
    if (cli_now(cli->now_opt, &now, &err) != EKSAUTH_OK ||
        cli_load_config(cli, false, &err) != EKSAUTH_OK)
        return cli_fail(WHAT, &err);
    eksauth_ctx_token_policy(&cli->ctx, &policy);

    if (cli_read_token(WHAT, token_arg, &token, &token_len, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    if (eksauth_token_check(token, token_len, now, &policy, &tok, &err) != EKSAUTH_OK) {
        /* Only the rule and its detail: the message never holds the token. */
        rc = cli_fail(err.status == EKSAUTH_EREJECTED ? "token rejected" : WHAT, &err);
        goto out;
    }
    json = token_json(&tok);
    if (json == NULL) {
        cli_error(WHAT, "out of memory");
        rc = EXIT_USAGE;
        goto out;
    }
    rc = cli_print_json(json);
    json_object_put(json);
out:
    eksauth_token_wipe(&tok);
    cli_token_free(token, token_len);
    return rc;
}
