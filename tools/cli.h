/*
 * cli.h - what the eksauth subcommands share: global options, the config,
 * reading a token argument, JSON output and the one-line error form
 * "eksauth: <what>: <why>" (DESIGN §3 "Command line").
 */
#ifndef EKSAUTH_CLI_H
#define EKSAUTH_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "eksauth/config.h"
#include "eksauth/hostfiles.h"
#include "eksauth/identity.h"
#include "eksauth/imds.h"
#include "eksauth/status.h"

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
