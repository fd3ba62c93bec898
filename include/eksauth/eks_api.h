/*
 * eks_api.h - the EKS API: SigV4-signed DescribeCluster (the cluster's
 * authentication mode), ListAccessEntries (every page), DescribeAccessEntry
 * and ListAssociatedAccessPolicies (every page) on eks.<region>.<domain> for
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

#include "eksauth/access_policy.h"
#include "eksauth/config.h"
#include "eksauth/http.h"
#include "eksauth/status.h"

#define EKSAUTH_EKS_MAX_BODY     (1024 * 1024)
#define EKSAUTH_EKS_MAX_ENTRIES  10000
#define EKSAUTH_EKS_MAX_POLICIES 1000 /* per access entry */
#define EKSAUTH_EKS_CONNECT_MS   3000
#define EKSAUTH_EKS_TIMEOUT_MS   10000

/* ---- pure ---- */

struct eksauth_access_entry {
    char *principal_arn;
    char *username; /* as EKS answered; NULL or "" when none was set */
    char **groups;  /* kubernetesGroups */
    size_t n_groups;
    char *type;                             /* STANDARD, EC2_LINUX, ... */
    struct eksauth_access_policy *policies; /* ListAssociatedAccessPolicies */
    size_t n_policies;
};

/* A cluster's accessConfig.authenticationMode. */
enum eksauth_auth_mode {
    EKSAUTH_AUTH_CONFIG_MAP,         /* aws-auth only */
    EKSAUTH_AUTH_API_AND_CONFIG_MAP, /* access entries first, then aws-auth */
    EKSAUTH_AUTH_API,                /* access entries only */
};

/* "CONFIG_MAP", "API_AND_CONFIG_MAP", "API". */
const char *eksauth_auth_mode_name(enum eksauth_auth_mode mode);

/*
 * A DescribeCluster answer: {"cluster": {..., "accessConfig":
 * {"authenticationMode": S}}}.  No accessConfig or no mode: CONFIG_MAP (a
 * cluster from before access entries).  An unknown mode is EKSAUTH_EINVAL:
 * eksauth does not guess which sources such a cluster reads.
 */
enum eksauth_status eksauth_eks_parse_cluster(const char *body, size_t len,
                                              enum eksauth_auth_mode *mode,
                                              struct eksauth_error *err);

/*
 * A ListAssociatedAccessPolicies page: {"associatedAccessPolicies":
 * [{"policyArn": S, "accessScope": {"type": "cluster"|"namespace",
 * "namespaces": [S...]}}...], "principalArn": S, "nextToken": S|null};
 * the policies are appended to e->policies, next gets the next token or "".
 * The answer must be about e's principal.
 */
enum eksauth_status eksauth_eks_parse_policies(const char *body, size_t len,
                                               struct eksauth_access_entry *e, char *next,
                                               size_t nextlen, struct eksauth_error *err);

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
/* Each of entries[0..n), then the array (NULL is fine). */
void eksauth_access_entries_free(struct eksauth_access_entry *entries, size_t n);

/*
 * The username an entry gives: its own, else EKS's default: the ARN for an
 * IAM user, "arn:<partition>:sts::<account>:assumed-role/<role name without
 * path>/{{SessionName}}" for a role.
 */
enum eksauth_status eksauth_access_entry_username(const struct eksauth_access_entry *e, char *out,
                                                  size_t outlen, struct eksauth_error *err);

/* ---- calls ---- */

/*
 * The connection every EKS API call of cfg's takes (the sync's, doctor's
 * probe): eks_ca_file, eks_connect_to, https_proxy and the timeouts, into
 * req (zeroed first); what, url and headers are the caller's to set.
 */
void eksauth_eks_connection(const struct eksauth_config *cfg, struct eksauth_http_request *req);

/* The EKS API's host for region in cfg's partition: "eks.<region>.<domain>".  EKSAUTH_EINVAL. */
enum eksauth_status eksauth_eks_host(const struct eksauth_config *cfg, const char *region,
                                     char *out, size_t outlen, struct eksauth_error *err);

/*
 * Every access entry of cfg->cluster_name (ListAccessEntries, then
 * DescribeAccessEntry and ListAssociatedAccessPolicies for each) into *out
 * (*n_out of them; free them with eksauth_access_entries_free); host gets the EKS endpoint's host
 * name, for messages.  That is ceil(N/100) + 2N calls for N entries (more when an entry has over
 * 100 policies).  Failures: EKSAUTH_EUNAVAIL (network, 5xx, throttling), EKSAUTH_EREJECTED
 * (401/403: the message names the actions the host's role needs), EKSAUTH_ENOTFOUND (404),
 * EKSAUTH_EINVAL (config, bad answers).
 */
enum eksauth_status eksauth_eks_access_entries(const struct eksauth_config *cfg,
                                               struct eksauth_access_entry **out, size_t *n_out,
                                               char *host, size_t hostlen,
                                               struct eksauth_error *err);

/*
 * The cluster's authentication mode (DescribeCluster, one call); host as
 * above.  Failures as eksauth_eks_access_entries.
 */
enum eksauth_status eksauth_eks_auth_mode(const struct eksauth_config *cfg,
                                          enum eksauth_auth_mode *mode, char *host, size_t hostlen,
                                          struct eksauth_error *err);

#endif
