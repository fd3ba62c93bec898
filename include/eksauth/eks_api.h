/*
 * eks_api.h - the EKS API's access entries: SigV4-signed ListAccessEntries
 * (every page) and DescribeAccessEntry on eks.<region>.<domain> for
 * cluster_name, with this host's own credentials (cluster_host.h), and the
 * aws-auth username an access entry gives (default usernames as EKS gives
 * them).  cluster.h turns the entries into aws-auth entries.
 *
 * The parsers are pure; the calls use http.h.  Signatures and session
 * tokens never reach a message.
 */
#ifndef EKSAUTH_EKS_API_H
#define EKSAUTH_EKS_API_H

#include <stddef.h>

#include "eksauth/config.h"
#include "eksauth/status.h"

#define EKSAUTH_EKS_MAX_BODY    (1024 * 1024)
#define EKSAUTH_EKS_MAX_ENTRIES 10000
#define EKSAUTH_EKS_CONNECT_MS  3000
#define EKSAUTH_EKS_TIMEOUT_MS  10000

/* ---- pure ---- */

struct eksauth_access_entry {
    char *principal_arn;
    char *username; /* as EKS answered; NULL or "" when none was set */
    char **groups;  /* kubernetesGroups */
    size_t n_groups;
    char *type; /* STANDARD, EC2_LINUX, ... */
};

/*
 * A ListAccessEntries page: {"accessEntries": [ARN, ...], "nextToken": S|null}.
 * The ARNs are appended to *arns (grown; *n counts them); next gets the
 * next token or "".
 */
enum eksauth_status eksauth_eks_parse_list(const char *body, size_t len, char ***arns, size_t *n,
                                           char *next, size_t nextlen, struct eksauth_error *err);

/* A DescribeAccessEntry answer: {"accessEntry": {principalArn, username, kubernetesGroups, type}}.
 */
enum eksauth_status eksauth_eks_parse_describe(const char *body, size_t len,
                                               struct eksauth_access_entry *out,
                                               struct eksauth_error *err);
void eksauth_access_entry_free(struct eksauth_access_entry *e);

/*
 * The username an entry gives: its own, else EKS's default: the ARN for an
 * IAM user, "arn:<partition>:sts::<account>:assumed-role/<role name without
 * path>/{{SessionName}}" for a role.
 */
enum eksauth_status eksauth_access_entry_username(const struct eksauth_access_entry *e, char *out,
                                                  size_t outlen, struct eksauth_error *err);

/* ---- calls ---- */

/*
 * Every access entry of cfg->cluster_name (ListAccessEntries, then
 * DescribeAccessEntry for each) into *out (*n_out of them; free each with
 * eksauth_access_entry_free, then the array); host gets the EKS endpoint's
 * host name, for messages.  Failures: EKSAUTH_EUNAVAIL (network, 5xx,
 * throttling), EKSAUTH_EREJECTED (401/403: the message names the actions
 * the host's role needs), EKSAUTH_ENOTFOUND (404), EKSAUTH_EINVAL (config,
 * bad answers).
 */
enum eksauth_status eksauth_eks_access_entries(const struct eksauth_config *cfg,
                                               struct eksauth_access_entry **out, size_t *n_out,
                                               char *host, size_t hostlen,
                                               struct eksauth_error *err);

#endif
