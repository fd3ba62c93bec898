/*
 * exec_identity.h - whom kubectl signs as for a cluster, read from the
 * exec: section of the kubeconfig user it runs (kubeconfig.h finds it), so
 * that the client half mints as the very identity the cluster gives the
 * engineer (tools/client_mint.c; docs/design.md, "The client half").  Pure:
 * the caller passes what was read.
 *
 * Three commands are understood, by the base name of exec.command:
 *   aws ... eks get-token ...         --role-arn ARN (or --role-arn=ARN),
 *                                     --profile P (or --profile=P) and
 *                                     --region R (or --region=R); the last
 *                                     of each wins, as the AWS CLI's parser
 *                                     takes them; also any start of those
 *                                     names that parser reads as them:
 *                                     "--role ARN", as update-kubeconfig
 *                                     --role-arn writes it, "--r" (region);
 *   aws-iam-authenticator token ...   -r ARN (-rARN, -r=ARN), --role ARN
 *                                     (--role=ARN), else DEFAULT_ROLE in the
 *                                     exec env, else in the person's
 *                                     (eksauth_exec_identity_default_role),
 *                                     as that command reads it;
 *                                     --region R (--region=R);
 *   eksauth token ...                 eksauth's own (it serves as an exec
 *                                     plugin): no role, its AWS_* variables.
 * From the exec env only the variables named AWS_* are taken: eksauth runs
 * the AWS CLI (or its own signer), not the exec command, so only the AWS
 * CLI's own variables mean the same to it (any other is the exec command's
 * business).  As kubectl does, they override the engineer's environment.
 * For aws and aws-iam-authenticator, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS,
 * AWS_CA_BUNDLE and AWS_DATA_PATH (where botocore reads STS's endpoint
 * rules) there are refused: the AWS CLI would send its signed STS calls (a
 * role's AssumeRole) to that endpoint, or trust that CA for them, and mint
 * for a host other than STS.  The AWS CLI's global
 * --endpoint-url, --no-verify-ssl and --ca-bundle in the args are not
 * read, as `aws eks get-token` gives none of them to its STS client (the
 * token is for STS, its AssumeRole verified): nothing is passed on, and
 * verification is never off.
 *
 * What is taken is checked before it can become an argument or a variable:
 * a role must be an IAM role ARN, a profile name 1..128 bytes of
 * [A-Za-z0-9_.@+=,:/-] not starting with '-', a region the shape of a
 * region name (eksauth_region_valid: it becomes the STS host), a
 * variable's name AWS_ and
 * [A-Z0-9_] and its value free of control bytes; anything else is refused
 * with a message naming the file (from), never passed on.  aws-iam-
 * authenticator options that shape the assumed role's session
 * (--session-name, -s, --forward-session-name, --external-id) are refused
 * too: `aws eks get-token` cannot give them, and a session named otherwise
 * is another identity to a host that maps {{SessionName}}.
 *
 * Any other command is EKSAUTH_EXEC_OTHER: not followed (the caller mints
 * as before and may say which command kubectl runs).  Values of variables
 * may be secrets (AWS_SECRET_ACCESS_KEY): no message prints one.
 */
#ifndef EKSAUTH_EXEC_IDENTITY_H
#define EKSAUTH_EXEC_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/arn.h"
#include "eksauth/status.h"

#define EKSAUTH_EXEC_PROFILE_MAX   128  /* bytes of a profile name */
#define EKSAUTH_EXEC_ENV_VALUE_MAX 4096 /* bytes of a variable's value */
#define EKSAUTH_EXEC_ENV_MAX       64   /* AWS_* variables taken from one exec env */
#define EKSAUTH_EXEC_REGION_MAX    32   /* bytes of a region name ("us-gov-west-1") */

/* A kubeconfig user's exec: as written (strings malloc'd; kubeconfig.c fills it). */
struct eksauth_kube_exec {
    char *command; /* NULL: the user has no exec (a token, a client certificate) */
    char **args;
    size_t n_args;
    char **env_names; /* env: [{name, value}], in order */
    char **env_values;
    size_t n_env;
    const char *problem; /* static text: how the section is malformed, or NULL */
};

enum eksauth_exec_kind {
    EKSAUTH_EXEC_NONE,          /* no exec: nothing to follow */
    EKSAUTH_EXEC_AWS,           /* aws ... eks get-token */
    EKSAUTH_EXEC_AUTHENTICATOR, /* aws-iam-authenticator token */
    EKSAUTH_EXEC_EKSAUTH,       /* eksauth token, as an exec plugin (man eksauth, token) */
    EKSAUTH_EXEC_OTHER,         /* another command: not followed */
};

/* The identity an exec section gives, as eksauth can follow it. */
struct eksauth_exec_identity {
    enum eksauth_exec_kind kind;
    char command[64];                           /* the base name, for messages ("aws") */
    char role_arn[EKSAUTH_ARN_MAX];             /* "": no role to assume */
    char profile[EKSAUTH_EXEC_PROFILE_MAX + 1]; /* --profile; "": none */
    char region[EKSAUTH_EXEC_REGION_MAX + 1];   /* --region; "": the AWS CLI's own choice */
    char **env;                                 /* "AWS_NAME=value" (malloc'd; may hold secrets) */
    size_t n_env;
    char from[600]; /* for messages: "FILE (user NAME)" */
};

/* Whether s is an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME). */
bool eksauth_exec_role_arn_valid(const char *s);

/* Whether s is a sane AWS profile name (see above). */
bool eksauth_exec_profile_valid(const char *s);

/*
 * The identity of exec (NULL, or no command: EKSAUTH_EXEC_NONE), from
 * (for messages: the kubeconfig file and user).  EKSAUTH_EINVAL, naming
 * from, for what cannot be followed safely; out is then empty.
 */
enum eksauth_status eksauth_exec_identity_read(const struct eksauth_kube_exec *exec,
                                               const char *from, struct eksauth_exec_identity *out,
                                               struct eksauth_error *err);

/*
 * aws-iam-authenticator's role when neither its args nor its exec env give
 * one: DEFAULT_ROLE of the environment kubectl runs it in, the person's
 * (value; NULL or "" for none, as that command reads an empty one).  Only
 * for EKSAUTH_EXEC_AUTHENTICATOR without a role; anything but a role ARN is
 * refused (EKSAUTH_EINVAL, naming id->from), and id is then freed.
 */
enum eksauth_status eksauth_exec_identity_default_role(struct eksauth_exec_identity *id,
                                                       const char *value,
                                                       struct eksauth_error *err);

/* Whether eksauth's mint changes for id: a role, a profile, a region or an AWS_* variable. */
bool eksauth_exec_identity_applies(const struct eksauth_exec_identity *id);

/* Whether a and b mint alike (role, profile, region and variables). */
bool eksauth_exec_identity_same(const struct eksauth_exec_identity *a,
                                const struct eksauth_exec_identity *b);

/* The value id's env gives name, or NULL. */
const char *eksauth_exec_identity_env(const struct eksauth_exec_identity *id, const char *name);

/* A short account of id for messages, never a variable's value: "role ARN, profile P, region R". */
void eksauth_exec_identity_describe(const struct eksauth_exec_identity *id, char *out,
                                    size_t outlen);

/* Wipe (values may be secrets) and free; id is left as EKSAUTH_EXEC_NONE.  NULL is fine. */
void eksauth_exec_identity_free(struct eksauth_exec_identity *id);

void eksauth_kube_exec_free(struct eksauth_kube_exec *exec);

#endif
