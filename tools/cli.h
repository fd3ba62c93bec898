/*
 * cli.h - what the eksauth subcommands share: global options, the config,
 * reading a token argument, JSON output and the one-line error form
 * "eksauth: <what>: <why>" (docs/design.md, "The command line").
 */
#ifndef EKSAUTH_CLI_H
#define EKSAUTH_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "eksauth/context.h"
#include "eksauth/creds.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"
#include "eksauth/mapping.h"
#include "eksauth/mint.h"
#include "eksauth/status.h"

/* Exit codes (eksauth(1)). */
#define EXIT_REJECTED   1 /* token rejected or login denied */
#define EXIT_USAGE      2 /* usage or config error */
#define EXIT_NOT_MAPPED 3
#define EXIT_UNAVAIL    4 /* STS, the cluster or the identity DB unavailable */

struct eksauth_cli {
    const char *argv0;         /* how eksauth was run (eksauth ssh finds itself by it) */
    const char *config_path;   /* --config FILE, or NULL: EKSAUTH_CONFIG or the default */
    const char *aws_auth_path; /* --aws-auth FILE, or NULL: the host's source */
    const char *now_opt;       /* --now TIME (CLI_NOW_OPTION), or NULL: the clock */
    struct eksauth_ctx ctx;    /* the host as the library sees it: cli_load_config() */
    bool ctx_open;
};

/* Release what the cli loaded. */
void cli_cleanup(struct eksauth_cli *cli);

/* Print "eksauth: <what>: <why>\n" to stderr. */
void cli_error(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Print getopt_long's refusal c ('?' unknown, ':' no value) of the option
 * it just read in argv: "-x" for a short option, a long one up to its '='.
 * Never another argument: after an unknown short option inside a word
 * ("-now"), optind has not moved and argv[optind - 1] is the argument
 * before it (a token on verify's line), and "--opt=VALUE" may hold one.
 */
void cli_option_error(const char *what, int c, char *const *argv);

/* Print err as "eksauth: <what>: <message>" and return the exit code of its status. */
int cli_fail(const char *what, const struct eksauth_error *err);

/*
 * Print err, a failure to open the identity DB at path, and return its exit
 * code: 4 when there is no DB yet (run eksauth sync), else 2, the host's
 * setup to fix (untrusted, unreadable or corrupt; never 1, a refused login).
 * No DB yet says to run eksauth sync.  A DB the caller may not read gets
 * the fix, its mode or a folder on its path: NSS reads it as every user.
 */
int cli_db_fail(const char *what, const char *path, const struct eksauth_error *err);

/* All of buf to fd, through short writes and EINTR: false on an error. */
bool cli_write_all(int fd, const char *buf, size_t len);

/*
 * Open the host's context (context.h) once: the config of --config FILE
 * (must exist), else EKSAUTH_CONFIG, else /etc/eksauth/eksauth.conf when
 * it exists, else the defaults; with need_cluster_id a config without
 * cluster_id is an error that says what to add.
 */
enum eksauth_status cli_load_config(struct eksauth_cli *cli, bool need_cluster_id,
                                    struct eksauth_error *err);

/*
 * The token argument of command: the token itself, "-" or nothing for
 * standard input.  A token given as arg is wiped there once read (argv is
 * public: /proc/PID/cmdline).  Surrounding white space (a trailing newline)
 * is dropped; nothing left is EKSAUTH_EINVAL ("no token", and how to give
 * one).  The buffer holds a secret: release it with cli_token_free().
 */
enum eksauth_status cli_read_token(const char *command, char *arg, char **token, size_t *len,
                                   struct eksauth_error *err);
void cli_token_free(char *token, size_t len);

/*
 * The token operand left after getopt_long (optind) into *arg, NULL when
 * none; false, with "more than one token given" and usage on stderr, when
 * there are more.
 */
bool cli_token_operand(int argc, char **argv, const char *what, const char *usage, char **arg);

/* Write obj as pretty JSON and a newline to stdout; 0 or EXIT_USAGE on a write error. */
int cli_print_json(struct json_object *obj);
/* The same on one line (JSON Lines: a stream of them, as sync --watch --json prints). */
int cli_print_json_line(struct json_object *obj);

/* The identity JSON of eksauth(1) (arn, canonical_arn, ..., posix_groups, source). */
struct json_object *cli_identity_json(const struct eksauth_identity *id);

/*
 * The warnings of m on stderr, one a line: its aws-auth's ("eksauth: warning:
 * SOURCE: ..."), then what this host's plan refuses ("eksauth: warning: ...").
 */
void cli_mapping_warnings(const struct eksauth_mapping *m);

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

/* The getopt_long entry of --now TIME, for the subcommands that take it. */
#define CLI_OPT_NOW 0x100
#define CLI_NOW_OPTION                                                                             \
    {                                                                                              \
        "now", required_argument, NULL, CLI_OPT_NOW                                                \
    }

/* What a step of a subcommand answers when the subcommand goes on (not an exit code). */
#define CLI_GO_ON (-1)

/*
 * An option a subcommand's own cases did not take (getopt_long with the
 * optstring ":"): --config, --aws-auth, --now (false: parsing goes on),
 * --help (usage on stdout, *rc 0), a missing value ("OPT needs a value") or
 * an unknown option ("unknown option OPT"), both with usage on stderr,
 * *rc EXIT_USAGE; true when the subcommand is to return *rc.
 */
bool cli_shared_option(struct eksauth_cli *cli, int c, char **argv, const char *what,
                       const char *usage, int *rc);

/* --now TIME (RFC 3339 or Unix seconds), or the clock when now_opt is NULL. */
enum eksauth_status cli_now(const char *now_opt, time_t *now, struct eksauth_error *err);

/* A --cluster-id value: true when usable, else the error is printed. */
bool cli_cluster_id_ok(const char *what, const char *cluster_id);

/*
 * Load the credentials of the chain copt (NULL: the defaults) into creds,
 * then mint as m says (mint.h) into a new buffer of
 * EKSAUTH_SIGV4_TOKEN_MAX bytes (*token, release it with cli_minted_free)
 * of *len bytes.  Errors as the library gives them.
 */
enum eksauth_status cli_mint_token(const struct eksauth_creds_options *copt,
                                   const struct eksauth_mint *m, struct eksauth_creds *creds,
                                   char **token, size_t *len, struct eksauth_error *err);
void cli_minted_free(char *token);

/* The subcommands: each returns the process exit code. */
int cmd_check_token(struct eksauth_cli *cli, int argc, char **argv);
int cmd_map(struct eksauth_cli *cli, int argc, char **argv);
int cmd_verify(struct eksauth_cli *cli, int argc, char **argv);
int cmd_token(struct eksauth_cli *cli, int argc, char **argv);
int cmd_sync(struct eksauth_cli *cli, int argc, char **argv);
int cmd_users(struct eksauth_cli *cli, int argc, char **argv);
int cmd_groups(struct eksauth_cli *cli, int argc, char **argv);
int cmd_doctor(struct eksauth_cli *cli, int argc, char **argv);
int cmd_setup(struct eksauth_cli *cli, int argc, char **argv);
int cmd_askpass(struct eksauth_cli *cli, int argc, char **argv);
int cmd_ssh(struct eksauth_cli *cli, int argc, char **argv);
int cmd_scp(struct eksauth_cli *cli, int argc, char **argv);
int cmd_sftp(struct eksauth_cli *cli, int argc, char **argv);
int cmd_login_name(struct eksauth_cli *cli, int argc, char **argv);
int cmd_whoami(struct eksauth_cli *cli, int argc, char **argv);

#endif
