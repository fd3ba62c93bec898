/*
 * cli.h - what the eksauth subcommands share: global options, the config,
 * reading a token argument, JSON output and the one-line error form
 * "eksauth: <what>: <why>" (DESIGN §3 "Command line").
 */
#ifndef EKSAUTH_CLI_H
#define EKSAUTH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "eksauth/config.h"
#include "eksauth/creds.h"
#include "eksauth/hostfiles.h"
#include "eksauth/identity.h"
#include "eksauth/imds.h"
#include "eksauth/status.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"

/* Exit codes (DESIGN §3). */
#define EXIT_REJECTED   1 /* token rejected or login denied */
#define EXIT_USAGE      2 /* usage or config error */
#define EXIT_NOT_MAPPED 3
#define EXIT_UNAVAIL    4 /* STS unavailable */

struct eksauth_cli {
    const char
        *config_path; /* --config FILE, or NULL: EKSAUTH_CONFIG (secure_getenv) or the default */
    const char *aws_auth_path; /* --aws-auth FILE, or NULL: the config's aws_auth_file */
    struct eksauth_config cfg; /* loaded by cli_load_config() */
    bool cfg_loaded;
    struct eksauth_hostfiles hostfiles; /* local names, loaded by cli_load_mapping() */
    bool hostfiles_loaded;
    struct eksauth_host_instance host_instance; /* read by cli_resolve() when needed, once */
};

/* Release what the cli loaded. */
void cli_cleanup(struct eksauth_cli *cli);

/* Print "eksauth: <what>: <why>\n" to stderr. */
void cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print err as "eksauth: <what>: <message>" and return the exit code of its status. */
int cli_fail(const char *what, const struct eksauth_error *err);

/*
 * Load the configuration: --config FILE (must exist), else EKSAUTH_CONFIG,
 * else /etc/eksauth/eksauth.conf when it exists, else the defaults.  With
 * need_cluster_id, a configuration without cluster_id is an error.
 */
enum eksauth_status cli_load_config(struct eksauth_cli *cli, bool need_cluster_id,
                                    struct eksauth_error *err);

/*
 * The token argument: the token itself, "-" or nothing for standard input.
 * Surrounding white space (a trailing newline) is dropped.  The buffer holds
 * a secret: release it with cli_token_free().
 */
enum eksauth_status cli_read_token(const char *arg, char **token, size_t *len,
                                   struct eksauth_error *err);
void cli_token_free(char *token, size_t len);

/* Write obj as pretty JSON and a newline to stdout; 0 or EXIT_USAGE on a write error. */
int cli_print_json(struct json_object *obj);

/* The identity JSON of DESIGN §3 (arn, canonical_arn, ..., posix_groups, source). */
struct json_object *cli_identity_json(const struct eksauth_identity *id);

/*
 * Read aws-auth from --aws-auth or the config's aws_auth_file and build its
 * plan for this host (local names from /etc/passwd and /etc/group, kept in
 * cli->hostfiles for eksauth_identity_resolve).  Malformed entries are
 * reported on stderr as warnings.
 */
enum eksauth_status cli_load_mapping(struct eksauth_cli *cli, struct eksauth_awsauth **aa,
                                     struct eksauth_plan *plan, struct eksauth_error *err);

/*
 * eksauth_identity_resolve for p under cfg (cli->cfg, or a copy with
 * options applied), with this host's own instance bound into p first when
 * p's entry renders {{EC2PrivateDNSName}} (read once per run, see
 * eksauth_imds_bind_host_instance).  Fills out as identity_resolve does.
 */
enum eksauth_status cli_resolve(struct eksauth_cli *cli, const struct eksauth_config *cfg,
                                const struct eksauth_awsauth *aa, const struct eksauth_plan *plan,
                                struct eksauth_principal *p, const char *user_id,
                                struct eksauth_identity *out, struct eksauth_error *err);

/*
 * What `eksauth token`, `verify` and `whoami` share: the options every one
 * takes, --now, --cluster-id, minting a token from AWS credentials and
 * checking a token as a login does.
 */

/* The getopt_long entries of --config FILE, --aws-auth FILE and --help. */
#define CLI_SHARED_OPTIONS                                                                         \
    {"config", required_argument, NULL, 'C'}, {"aws-auth", required_argument, NULL, 'A'},          \
    {                                                                                              \
        "help", no_argument, NULL, 'h'                                                             \
    }

/* cli_shared_option's answer when parsing goes on. */
#define CLI_GO_ON (-1)

/*
 * An option a subcommand's own cases did not take (getopt_long with the
 * optstring ":"): --config, --aws-auth (CLI_GO_ON), --help (usage on
 * stdout, 0), a missing value ("OPT needs a value") or an unknown option
 * ("unknown option OPT"), both with usage on stderr, EXIT_USAGE.
 */
int cli_shared_option(struct eksauth_cli *cli, int c, char **argv, const char *what,
                      const char *usage);

/* --now TIME (RFC 3339 or Unix seconds), or the clock when now_opt is NULL. */
enum eksauth_status cli_now(const char *now_opt, time_t *now, struct eksauth_error *err);

/* A --cluster-id value: true when usable, else the error is printed. */
bool cli_cluster_id_ok(const char *what, const char *cluster_id);

/* How to mint a token (cli_mint_token). */
struct cli_mint {
    const struct eksauth_creds_options *creds; /* the credential chain; NULL: the defaults */
    const char *region; /* the STS region; NULL: the host's (eksauth_cluster_region of cfg) */
    const struct eksauth_config *cfg; /* for region NULL */
    bool global;                      /* sign for sts.amazonaws.com */
    const char *cluster_id;
    time_t now;
};

/*
 * Load the credentials of m->creds into creds, then mint a token for
 * m->cluster_id as `aws eks get-token` does (X-Amz-Expires 60), into a
 * new buffer of EKSAUTH_SIGV4_TOKEN_MAX bytes (*token, release it with
 * cli_minted_free) of *len bytes.  Errors as the lib gives them.
 */
enum eksauth_status cli_mint_token(const struct cli_mint *m, struct eksauth_creds *creds,
                                   char **token, size_t *len, struct eksauth_error *err);
void cli_minted_free(char *token);

/* A token checked as a login checks it (cli_check_token). */
struct cli_checked {
    struct eksauth_token tok;           /* the parsed token: wiped by cli_checked_free */
    struct eksauth_sts_identity sid;    /* who STS says signed it */
    struct eksauth_principal principal; /* what aws-auth maps (eksauth_sts_principal) */
};

/*
 * Every local rule of cfg's policy at now, then STS GetCallerIdentity
 * (bound to cfg's cluster_id), into a new *out (NULL on failure; release
 * it with cli_checked_free).  A token failing a local rule is never sent
 * anywhere.
 */
enum eksauth_status cli_check_token(const struct eksauth_config *cfg, const char *token, size_t len,
                                    time_t now, struct cli_checked **out,
                                    struct eksauth_error *err);
void cli_checked_free(struct cli_checked *c);

/*
 * The plan of *aa for this host (local names loaded once into
 * cli->hostfiles).  On failure *aa is freed and set to NULL.
 */
enum eksauth_status cli_build_plan(struct eksauth_cli *cli, struct eksauth_awsauth **aa,
                                   struct eksauth_plan *plan, struct eksauth_error *err);

/* The subcommands: each returns the process exit code. */
int cmd_check_token(struct eksauth_cli *cli, int argc, char **argv);
int cmd_map(struct eksauth_cli *cli, int argc, char **argv);
int cmd_verify(struct eksauth_cli *cli, int argc, char **argv);
int cmd_token(struct eksauth_cli *cli, int argc, char **argv);
int cmd_sync(struct eksauth_cli *cli, int argc, char **argv);
int cmd_users(struct eksauth_cli *cli, int argc, char **argv);
int cmd_groups(struct eksauth_cli *cli, int argc, char **argv);
int cmd_doctor(struct eksauth_cli *cli, int argc, char **argv);
int cmd_askpass(struct eksauth_cli *cli, int argc, char **argv);
int cmd_ssh(struct eksauth_cli *cli, int argc, char **argv);
int cmd_whoami(struct eksauth_cli *cli, int argc, char **argv);

#endif
