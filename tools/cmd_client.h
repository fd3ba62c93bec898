/*
 * cmd_client.h - the client half of eksauth (DESIGN §1 "Long tokens"),
 * run on an engineer's laptop rather than on the bastion:
 *
 *   eksauth askpass [--builtin] [PROMPT]   an SSH_ASKPASS / SUDO_ASKPASS
 *       program: answers "EKS token: " with the first piece of a fresh
 *       token and each "EKS token (continued): " with the next piece; any
 *       other prompt is refused and never answered with a token.
 *   eksauth ssh [SSH ARGS]                 the system ssh with askpass set up
 *       and keyboard-interactive preferred; every argument goes to ssh
 *       untouched.
 *
 * Both are configured by the environment, because ssh and sudo start
 * askpass with the prompt as its only argument:
 *   EKSAUTH_CLUSTER        the cluster's name (the token's x-k8s-aws-id)
 *   EKSAUTH_REGION         the STS region (else the AWS CLI's own choice)
 *   EKSAUTH_TOKEN_COMMAND  a shell command that prints a token or an
 *                          ExecCredential (default: aws eks get-token
 *                          --cluster-name $EKSAUTH_CLUSTER --output json)
 *   EKSAUTH_BUILTIN=1      sign with eksauth's own signer (as --builtin)
 *   EKSAUTH_ASKPASS_DIR    the private folder of the token between prompts
 *                          (set by eksauth ssh; else $XDG_RUNTIME_DIR/eksauth
 *                          or ${TMPDIR:-/tmp}/eksauth-askpass-UID)
 * Each returns the process exit code of DESIGN §3.  argv[0] is the
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

/* Answers are at most this many bytes: under sudo's 511 and ssh's 1023 (DESIGN §1). */
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
 * The one place the client mints (askpass, login-name): the built-in
 * signer, EKSAUTH_TOKEN_COMMAND, or `aws eks get-token --cluster-name
 * $EKSAUTH_CLUSTER`.  dir: the private folder in which mints take turns
 * (a later second each), or NULL.
 */
enum eksauth_status client_mint_token(bool builtin, const char *dir, struct client_token *t,
                                      struct eksauth_error *err);

/* A folder fit for a token: a directory of the effective user, mode 0700 or stricter. */
enum eksauth_status client_check_private_dir(const char *path, struct eksauth_error *err);

#endif
