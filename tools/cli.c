/*
 * cli.c - what the subcommands share: errors, the config, the token
 * argument, the mapping and JSON output.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cmd_iddb.h"
#include "eksauth/awsauth.h"
#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/cluster_host.h"
#include "eksauth/sigv4.h"
#include "eksauth/timeutil.h"
#include "eksauth/paths.h"
#include "eksauth/token.h"

/* aws-auth can be large (10,000 entries are a few MB); refuse anything absurd. */
#define AWS_AUTH_MAX (64u * 1024 * 1024)
/* A token is at most 4096 bytes; read a little more so "too long" is reported as such. */
#define TOKEN_READ_MAX (EKSAUTH_TOKEN_MAX_LEN + 1024)

void cli_error(const char *what, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "eksauth: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_fail(const char *what, const struct eksauth_error *err)
{
    cli_error(what, "%s", err->msg);
    return eksauth_status_exit_code(err->status);
}

enum eksauth_status cli_load_config(struct eksauth_cli *cli, bool need_cluster_id,
                                    struct eksauth_error *err)
{
    const char *path = cli->config_path;
    enum eksauth_status st;

    if (cli->cfg_loaded)
        goto check;
    if (path == NULL)
        path = secure_getenv("EKSAUTH_CONFIG");
    if (path == NULL && access(EKSAUTH_CONFIG_PATH, F_OK) == 0)
        path = EKSAUTH_CONFIG_PATH;
    if (path == NULL) {
        /* No configuration at all: the defaults serve the offline commands. */
        st = eksauth_config_init(&cli->cfg, err);
    } else {
        st = eksauth_config_init(&cli->cfg, err);
        /* As root the config decides what the host trusts: it must be root's alone. */
        if (st == EKSAUTH_OK)
            st = eksauth_config_load(&cli->cfg, path, geteuid() == 0, err);
        if (st != EKSAUTH_OK)
            eksauth_config_free(&cli->cfg);
    }
    if (st != EKSAUTH_OK)
        return st;
    cli->cfg_loaded = true;
check:
    if (need_cluster_id && cli->cfg.cluster_id == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "config: cluster_id is not set (%s, or --config FILE)",
                            EKSAUTH_CONFIG_PATH);
    return EKSAUTH_OK;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum eksauth_status cli_read_token(const char *arg, char **token, size_t *len,
                                   struct eksauth_error *err)
{
    char *buf = NULL;
    size_t n = 0, start = 0, end;
    ssize_t got;

    *token = NULL;
    *len = 0;
    buf = malloc(TOKEN_READ_MAX + 1);
    if (buf == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    if (arg != NULL && strcmp(arg, "-") != 0) {
        n = strnlen(arg, TOKEN_READ_MAX);
        memcpy(buf, arg, n);
    } else {
        while (n < TOKEN_READ_MAX) {
            got = read(STDIN_FILENO, buf + n, TOKEN_READ_MAX - n);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0) {
                OPENSSL_cleanse(buf, TOKEN_READ_MAX + 1);
                free(buf);
                return eksauth_fail(err, EKSAUTH_EIO, "standard input: %s", strerror(errno));
            }
            if (got == 0)
                break;
            n += (size_t)got;
        }
    }
    end = n;
    while (start < end && is_space(buf[start]))
        start++;
    while (end > start && is_space(buf[end - 1]))
        end--;
    memmove(buf, buf + start, end - start);
    OPENSSL_cleanse(buf + (end - start), TOKEN_READ_MAX + 1 - (end - start));
    buf[end - start] = '\0';
    *token = buf;
    *len = end - start;
    return EKSAUTH_OK;
}

void cli_token_free(char *token, size_t len)
{
    (void)len;
    if (token == NULL)
        return;
    OPENSSL_cleanse(token, TOKEN_READ_MAX + 1);
    free(token);
}

int cli_print_json(struct json_object *obj)
{
    const char *text = json_object_to_json_string_ext(
        obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

    if (text == NULL || printf("%s\n", text) < 0 || fflush(stdout) != 0) {
        cli_error("output", "%s", strerror(errno));
        return EXIT_USAGE;
    }
    return 0;
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

enum eksauth_status cli_load_mapping(struct eksauth_cli *cli, struct eksauth_awsauth **aa,
                                     struct eksauth_plan *plan, struct eksauth_error *err)
{
    const char *path = cli->aws_auth_path;
    char snapshot[4200], *slash;
    enum eksauth_status st;
    char *data = NULL;
    size_t len = 0, i;

    *aa = NULL;
    memset(plan, 0, sizeof(*plan));
    if (path == NULL)
        path = cli->cfg.aws_auth_file;
    if (path == NULL && cli->cfg.source != EKSAUTH_SOURCE_FILE) {
        /* aws-auth from the cluster: the last good snapshot `eksauth sync` keeps. */
        snprintf(snapshot, sizeof(snapshot), "%s", cmd_iddb_path(cli));
        slash = strrchr(snapshot, '/');
        if (slash != NULL) {
            snprintf(slash + 1, sizeof(snapshot) - (size_t)(slash + 1 - snapshot), "%s",
                     "aws-auth.snapshot");
            path = snapshot;
        }
    }
    if (path == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "aws-auth: no file given (--aws-auth FILE or aws_auth_file in the "
                            "config)");
    st = eksauth_file_read(path, AWS_AUTH_MAX, false, &data, &len, err);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_awsauth_parse(data, len, aa, err);
    free(data);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "%s", path);
        return st;
    }
    for (i = 0; i < eksauth_awsauth_warning_count(*aa); i++)
        fprintf(stderr, "eksauth: warning: %s: %s\n", path, eksauth_awsauth_warning_at(*aa, i));
    return cli_build_plan(cli, aa, plan, err);
}

enum eksauth_status cli_build_plan(struct eksauth_cli *cli, struct eksauth_awsauth **aa,
                                   struct eksauth_plan *plan, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    memset(plan, 0, sizeof(*plan));
    if (!cli->hostfiles_loaded) {
        st = eksauth_hostfiles_load(&cli->hostfiles, NULL, NULL, err);
        if (st != EKSAUTH_OK)
            goto out;
        cli->hostfiles_loaded = true;
    }
    st = eksauth_plan_build(&cli->cfg, *aa, &cli->hostfiles.host, NULL, 0, plan, err);
out:
    if (st != EKSAUTH_OK) {
        eksauth_awsauth_free(*aa);
        *aa = NULL;
    }
    return st;
}

int cli_shared_option(struct eksauth_cli *cli, int c, char **argv, const char *what,
                      const char *usage)
{
    int rc = EXIT_USAGE;

    switch (c) {
    case 'C':
        cli->config_path = optarg;
        rc = CLI_GO_ON;
        break;
    case 'A':
        cli->aws_auth_path = optarg;
        rc = CLI_GO_ON;
        break;
    case 'h':
        fputs(usage, stdout);
        rc = 0;
        break;
    case ':':
        cli_error(what, "%s needs a value", argv[optind - 1]);
        fputs(usage, stderr);
        break;
    default:
        cli_error(what, "unknown option %s", argv[optind - 1]);
        fputs(usage, stderr);
        break;
    }
    return rc;
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

enum eksauth_status cli_mint_token(const struct cli_mint *m, struct eksauth_creds *creds,
                                   char **token, size_t *len, struct eksauth_error *err)
{
    struct eksauth_sts_presign req;
    char region[64], host[256];
    enum eksauth_status st;

    *token = NULL;
    *len = 0;
    st = eksauth_creds_load(m->creds, creds, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (m->region != NULL)
        snprintf(region, sizeof(region), "%s", m->region);
    else if ((st = eksauth_cluster_region(m->cfg, region, sizeof(region), err)) != EKSAUTH_OK)
        goto out;
    st = eksauth_sigv4_sts_host(region, m->global, host, sizeof(host), err);
    if (st != EKSAUTH_OK)
        goto out;
    *token = malloc(EKSAUTH_SIGV4_TOKEN_MAX);
    if (*token == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    memset(&req, 0, sizeof(req));
    req.host = host;
    /* The global endpoint is always signed for us-east-1. */
    req.region = m->global ? "us-east-1" : region;
    req.cluster_id = m->cluster_id;
    req.now = m->now;
    req.expires = EKSAUTH_SIGV4_EXPIRES;
    st = eksauth_sigv4_sts_token(creds, &req, *token, EKSAUTH_SIGV4_TOKEN_MAX, len, err);
out:
    if (st != EKSAUTH_OK && *token != NULL) {
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

enum eksauth_status cli_check_token(const struct eksauth_config *cfg, const char *token, size_t len,
                                    time_t now, struct cli_checked **out, struct eksauth_error *err)
{
    struct eksauth_token_policy policy;
    struct cli_checked *c = calloc(1, sizeof(*c));
    enum eksauth_status st;

    *out = NULL;
    if (c == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    memset(&policy, 0, sizeof(policy));
    policy.partition = cfg->partition;
    policy.max_clock_skew = cfg->max_clock_skew;
    policy.extra_hosts = (const char *const *)cfg->sts_hosts;
    /* Every local rule first: a token that fails one is never sent anywhere. */
    st = eksauth_token_check(token, len, now, &policy, &c->tok, err);
    if (st == EKSAUTH_OK)
        st = eksauth_sts_get_caller_identity(cfg, &c->tok, &c->sid, err);
    if (st != EKSAUTH_OK) {
        cli_checked_free(c);
        return st;
    }
    eksauth_sts_principal(&c->sid, &c->tok, &c->principal);
    *out = c;
    return EKSAUTH_OK;
}

void cli_checked_free(struct cli_checked *c)
{
    if (c == NULL)
        return;
    eksauth_token_wipe(&c->tok);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

enum eksauth_status cli_resolve(struct eksauth_cli *cli, const struct eksauth_config *cfg,
                                const struct eksauth_awsauth *aa, const struct eksauth_plan *plan,
                                struct eksauth_principal *p, const char *user_id,
                                struct eksauth_identity *out, struct eksauth_error *err)
{
    enum eksauth_status st;

    memset(out, 0, sizeof(*out));
    st = eksauth_imds_bind_host_instance(cfg->imds_endpoint, aa, p, &cli->host_instance, err);
    if (st == EKSAUTH_OK)
        st = eksauth_identity_resolve(cfg, aa, plan, &cli->hostfiles.host, p, user_id, out, err);
    return st;
}

void cli_cleanup(struct eksauth_cli *cli)
{
    if (cli->cfg_loaded)
        eksauth_config_free(&cli->cfg);
    if (cli->hostfiles_loaded)
        eksauth_hostfiles_free(&cli->hostfiles);
    cli->cfg_loaded = false;
    cli->hostfiles_loaded = false;
}
