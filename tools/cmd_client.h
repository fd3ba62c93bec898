/*
 * cmd_client.h - the client half of eksauth (docs/design.md, "The client
 * half"), run on an engineer's laptop rather than on the bastion:
 *
 *   eksauth askpass [--builtin] [PROMPT]   an SSH_ASKPASS / SUDO_ASKPASS
 *       program: answers "EKS token for AUDIENCE: " with the first piece
 *       of a fresh token for that host and each "EKS token (continued): "
 *       with the next piece; any other prompt is the person's, never
 *       answered with a token.
 *   eksauth ssh|scp|sftp [ARGS]            the system's program with askpass
 *       set up and keyboard-interactive preferred; every argument goes to
 *       it untouched.
 *   eksauth login-name                     the login name hosts give you.
 *
 * They are configured by the environment, because ssh and sudo start
 * askpass with the prompt as its only argument:
 *   EKSAUTH_CLUSTER        the cluster's name (login-name's token; for
 *                          askpass an optional check of the host's)
 *   EKSAUTH_HOST           names of the host meant, beside ssh's own
 *   EKSAUTH_REGION         the STS region (else the AWS CLI's own choice)
 *   EKSAUTH_TOKEN_COMMAND  a shell command that prints a token or an
 *                          ExecCredential for $EKSAUTH_AUDIENCE (default:
 *                          aws eks get-token --cluster-name AUDIENCE, as
 *                          the kubeconfig's exec section for the cluster
 *                          has kubectl sign: its role, profile, AWS_*)
 *   EKSAUTH_BUILTIN=1      sign with eksauth's own signer (as --builtin)
 *   EKSAUTH_ASKPASS_DIR    the private folder of the token between prompts
 *                          (set by eksauth ssh; else $XDG_RUNTIME_DIR/eksauth
 *                          or ${TMPDIR:-/tmp}/eksauth-askpass-UID)
 * Each returns the process exit code of tools/cli.h.  argv[0] is the
 * subcommand's name.
 */
#ifndef EKSAUTH_CMD_CLIENT_H
#define EKSAUTH_CMD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/kube_review.h"
#include "eksauth/names.h"
#include "eksauth/status.h"
#include "eksauth/token.h"

struct eksauth_cli;

/* Answers are at most this many bytes: under sudo's 511 and ssh's 1023 (eksauth/pieces.h). */
#define EKSAUTH_ASKPASS_PIECE_MAX 500

int cmd_askpass(struct eksauth_cli *cli, int argc, char **argv);
int cmd_ssh(struct eksauth_cli *cli, int argc, char **argv);
int cmd_scp(struct eksauth_cli *cli, int argc, char **argv);
int cmd_sftp(struct eksauth_cli *cli, int argc, char **argv);
int cmd_login_name(struct eksauth_cli *cli, int argc, char **argv);

/*
 * The login name hosts give the engineer, learnt from the cluster
 * (cmd_login_name.c): who (may be NULL) gets the cluster's answer, freed
 * with eksauth_kube_user_free.
 */
enum eksauth_status client_login_name(char name[EKSAUTH_NAME_MAX + 1],
                                      struct eksauth_kube_user *who, struct eksauth_error *err);

/* A token minted on the client, and until when it is worth sending. */
struct client_token {
    char token[EKSAUTH_TOKEN_MAX_LEN + 1]; /* secret: wipe it */
    size_t len;
    time_t expires;
};

/*
 * The one place the client mints (askpass, login-name), for audience (a
 * host's "eksauth:CLUSTER:HOST" for askpass, the cluster's name for
 * login-name): EKSAUTH_TOKEN_COMMAND (with EKSAUTH_AUDIENCE set), else
 * `aws eks get-token --cluster-name AUDIENCE` or the built-in signer as
 * the identity the kubeconfig gives kubectl for the audience's cluster
 * (its exec section's role, profile and AWS_* variables; the built-in
 * signer refuses a role, which it cannot assume).
 * dir: the private folder in which mints take turns (a later second
 * each), or NULL.  A token EKSAUTH_TOKEN_COMMAND printed for a host's
 * audience (the user's command, which may ignore EKSAUTH_AUDIENCE) is
 * returned only once STS accepted it for that audience, as the host would:
 * else EKSAUTH_EREJECTED or the like, and *t wiped, never sent.
 */
enum eksauth_status client_mint_token(bool builtin, const char *audience, const char *dir,
                                      struct client_token *t, struct eksauth_error *err);

/*
 * The value of an environment variable of the person who runs ssh or sudo,
 * NULL when unset or empty: the client runs as them, never setuid.
 */
const char *client_env(const char *name);

/* A folder fit for a token: a directory of the effective user, mode 0700 or stricter. */
enum eksauth_status client_check_private_dir(const char *path, struct eksauth_error *err);

#endif
