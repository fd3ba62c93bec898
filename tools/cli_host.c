/*
 * cli_host.c - what the host's subcommands share: the host's context, the
 * token argument, minting, the shared options and the identity JSON (not
 * built with ./configure --disable-host).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "eksauth/awsauth.h"
#include "eksauth/exec_credential.h"
#include "eksauth/sigv4.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"

/* A token is at most 4096 bytes; read a little more so "too long" is reported as such. */
#define TOKEN_READ_MAX (EKSAUTH_TOKEN_MAX_LEN + 1024)

enum eksauth_status cli_load_config(struct eksauth_cli *cli, bool need_cluster_id,
                                    struct eksauth_error *err)
{
    enum eksauth_status st;

    if (!cli->ctx_open) {
        st = eksauth_ctx_open(&cli->ctx, cli->config_path, 0, err);
        if (st != EKSAUTH_OK)
            return st;
        cli->ctx_open = true;
    }
    return need_cluster_id ? eksauth_ctx_need_cluster_id(&cli->ctx, err) : EKSAUTH_OK;
}

/*
 * The argument, or standard input when it is "-" or absent, into buf: at
 * most TOKEN_READ_MAX.  The argument is wiped once copied: every user of
 * the host reads it in /proc/PID/cmdline for as long as the command runs.
 */
static enum eksauth_status read_raw(char *arg, char *buf, size_t *n, struct eksauth_error *err)
{
    ssize_t got;

    *n = 0;
    if (arg != NULL && strcmp(arg, "-") != 0) {
        /* Still taken (scripts use it), but never silently: argv is public on a host. */
        if (arg[0] != '\0')
            fputs("eksauth: warning: a token in the arguments can be read by every user of "
                  "this host (ps, /proc): pass it on standard input (\"-\")\n",
                  stderr);
        *n = strnlen(arg, TOKEN_READ_MAX);
        memcpy(buf, arg, *n);
        OPENSSL_cleanse(arg, strlen(arg));
        return EKSAUTH_OK;
    }
    while (*n < TOKEN_READ_MAX) {
        got = read(STDIN_FILENO, buf + *n, TOKEN_READ_MAX - *n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return eksauth_fail(err, EKSAUTH_EIO, "standard input: %s", strerror(errno));
        if (got == 0)
            break;
        *n += (size_t)got;
    }
    return EKSAUTH_OK;
}

enum eksauth_status cli_read_token(const char *command, char *arg, char **token, size_t *len,
                                   struct eksauth_error *err)
{
    char *buf, *tok = NULL;
    size_t n = 0;
    enum eksauth_status st;
    time_t expires;

    *token = NULL;
    *len = 0;
    buf = malloc(TOKEN_READ_MAX + 1);
    tok = malloc(TOKEN_READ_MAX + 1);
    if (buf == NULL || tok == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    st = read_raw(arg, buf, &n, err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * A bare token or an ExecCredential (lib/exec_credential.c); whether it
     * is a token at all, eksauth_token_check says next, by rule.
     */
    st = eksauth_token_from_output(buf, n, tok, TOKEN_READ_MAX + 1, len, &expires, err);
    /*
     * Nothing to check is not a token that fails a rule: say what was missing
     * and how.  A host takes only tokens minted for its own audience
     * (lib/audience.c), never one for the cluster's name.
     */
    if (st == EKSAUTH_ENOTFOUND)
        st = eksauth_fail(
            err, EKSAUTH_EINVAL,
            "no token: %s is empty; give the token as the argument, or on "
            "standard input: aws eks get-token --cluster-name eksauth:CLUSTER:HOST --query "
            "status.token --output text | eksauth %s -",
            arg != NULL && strcmp(arg, "-") != 0 ? "the argument" : "standard input", command);
    if (st == EKSAUTH_OK) {
        *token = tok;
        tok = NULL;
    } else {
        *len = 0;
    }
out:
    if (tok != NULL)
        OPENSSL_cleanse(tok, TOKEN_READ_MAX + 1);
    free(tok);
    if (buf != NULL)
        OPENSSL_cleanse(buf, TOKEN_READ_MAX + 1);
    free(buf);
    return st;
}

bool cli_token_operand(int argc, char **argv, const char *what, const char *usage, char **arg)
{
    *arg = optind < argc ? argv[optind] : NULL;
    if (argc - optind <= 1)
        return true;
    cli_error(what, "more than one token given");
    fputs(usage, stderr);
    return false;
}

void cli_token_free(char *token, size_t len)
{
    (void)len;
    if (token == NULL)
        return;
    OPENSSL_cleanse(token, TOKEN_READ_MAX + 1);
    free(token);
}

static struct json_object *json_string_or_null(const char *s)
{
    return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

struct json_object *cli_identity_json(const struct eksauth_identity *id)
{
    struct json_object *obj = json_object_new_object();
    struct json_object *groups = json_object_new_array();
    struct json_object *posix = json_object_new_array();
    size_t i;

    for (i = 0; i < id->k8s.n_groups; i++)
        json_object_array_add(groups, json_object_new_string(id->k8s.groups[i]));
    for (i = 0; i < id->n_groups; i++) {
        struct json_object *g = json_object_new_object();

        json_object_object_add(g, "name", json_object_new_string(id->groups[i].name));
        json_object_object_add(g, "gid", json_object_new_int64(id->groups[i].gid));
        json_object_object_add(g, "k8s_group", json_string_or_null(id->groups[i].k8s_group));
        json_object_array_add(posix, g);
    }
    json_object_object_add(obj, "arn", json_string_or_null(id->arn));
    json_object_object_add(obj, "canonical_arn", json_string_or_null(id->canonical_arn));
    json_object_object_add(obj, "account", json_string_or_null(id->account));
    json_object_object_add(obj, "user_id", json_string_or_null(id->user_id));
    json_object_object_add(obj, "session_name", json_string_or_null(id->session_name));
    json_object_object_add(obj, "access_key_id", json_string_or_null(id->access_key_id));
    json_object_object_add(obj, "username", json_object_new_string(id->k8s.username));
    json_object_object_add(obj, "groups", groups);
    json_object_object_add(obj, "login", json_object_new_string(id->login));
    json_object_object_add(obj, "uid", json_object_new_int64(id->uid));
    json_object_object_add(obj, "gid", json_object_new_int64(id->gid));
    json_object_object_add(obj, "posix_groups", posix);
    json_object_object_add(obj, "source",
                           json_object_new_string(eksauth_map_source_name(id->k8s.source)));
    return obj;
}

void cli_mapping_warnings(const struct eksauth_mapping *m)
{
    size_t i;

    for (i = 0; m->aa != NULL && i < eksauth_awsauth_warning_count(m->aa); i++)
        fprintf(stderr, "eksauth: warning: %s: %s\n", m->source,
                eksauth_awsauth_warning_at(m->aa, i));
    /* What this host refuses of it (templates, collisions, local names, the id key). */
    for (i = 0; i < m->plan.n_warnings; i++)
        fprintf(stderr, "eksauth: warning: %s\n", m->plan.warnings[i]);
}

bool cli_shared_option(struct eksauth_cli *cli, int c, char **argv, const char *what,
                       const char *usage, int *rc)
{
    switch (c) {
    case 'C':
        cli->config_path = optarg;
        return false;
    case 'A':
        cli->aws_auth_path = optarg;
        return false;
    case CLI_OPT_NOW:
        cli->now_opt = optarg;
        return false;
    case 'h':
        fputs(usage, stdout);
        *rc = 0;
        return true;
    default:
        cli_option_error(what, c, argv);
        break;
    }
    fputs(usage, stderr);
    *rc = EXIT_USAGE;
    return true;
}

enum eksauth_status cli_now(const char *now_opt, time_t *now, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    if (now_opt != NULL)
        st = eksauth_time_parse(now_opt, now, err);
    else
        *now = time(NULL);
    return st;
}

bool cli_cluster_id_ok(const char *what, const char *cluster_id)
{
    /* It goes into a signed header: visible ASCII of a bounded length only. */
    if (eksauth_cluster_id_valid(cluster_id))
        return true;
    cli_error(what, "--cluster-id must be 1 to %d visible ASCII characters",
              EKSAUTH_CLUSTER_ID_MAX);
    return false;
}

enum eksauth_status cli_mint_token(const struct eksauth_creds_options *copt,
                                   const struct eksauth_mint *m, struct eksauth_creds *creds,
                                   char **token, size_t *len, struct eksauth_error *err)
{
    enum eksauth_status st;

    *token = NULL;
    *len = 0;
    st = eksauth_creds_load(copt, creds, err);
    if (st != EKSAUTH_OK)
        return st;
    *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    if (*token == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    st = eksauth_mint_token(m, creds, *token, EKSAUTH_SIGV4_TOKEN_MAX, len, err);
    if (st != EKSAUTH_OK) {
        cli_minted_free(*token);
        *token = NULL;
    }
    return st;
}

void cli_minted_free(char *token)
{
    if (token == NULL)
        return;
    /* A bearer credential for 15 minutes: wipe it. */
    OPENSSL_cleanse(token, EKSAUTH_SIGV4_TOKEN_MAX);
    free(token);
}

void cli_cleanup(struct eksauth_cli *cli)
{
    if (cli->ctx_open)
        eksauth_ctx_close(&cli->ctx);
    cli->ctx_open = false;
}
