/*
 * eks_api.h - the EKS API: SigV4-signed DescribeCluster (the cluster's
 * authentication mode), ListAccessEntries (every page), DescribeAccessEntry
 * and ListAssociatedAccessPolicies (every page) on eks.<region>.<domain> for
 * cluster_name, with this host's own credentials (cluster_host.h), within
 * one sync's budget (budget.h), and the aws-auth username an access entry
 * gives (default usernames as EKS gives them).  cluster.h turns the entries
 * into aws-auth entries and decides which to read (entry_cache.h).
 *
 * The parsers are pure; the calls use http.h.  Signatures and session
 * tokens never reach a message.
 */
#ifndef EKSAUTH_EKS_API_H
#define EKSAUTH_EKS_API_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/access_policy.h"
#include "eksauth/budget.h"
#include "eksauth/config.h"
#include "eksauth/creds.h"
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
    /*
     * DescribeAccessEntry's modifiedAt (seconds since the epoch; 0 when
     * absent): it moves when UpdateAccessEntry changes the entry, so a
     * re-read tells a changed entry from an unchanged one (entry_cache.h).
     */
    double modified_at;
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
 * A DescribeCluster answer: {"cluster": {"arn": S, ..., "accessConfig":
 * {"authenticationMode": S}}}.  No accessConfig or no mode: CONFIG_MAP (a
 * cluster from before access entries).  An unknown mode is EKSAUTH_EINVAL:
 * eksauth does not guess which sources such a cluster reads.  arn (unless
 * NULL) gets the cluster's ARN, "" when the answer has none that fits.
 */
enum eksauth_status eksauth_eks_parse_cluster(const char *body, size_t len,
                                              enum eksauth_auth_mode *mode, char *arn,
                                              size_t arnlen, struct eksauth_error *err);

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

/*
 * A DescribeAccessEntry answer: {"accessEntry": {principalArn, username,
 * kubernetesGroups, type, modifiedAt}}.
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
 * The connection every EKS API call of cfg's takes (the sync's, doctor's
 * probe): eks_ca_file, eks_connect_to, https_proxy and the timeouts, into
 * req (zeroed first); what, url and headers are the caller's to set.
 */
void eksauth_eks_connection(const struct eksauth_config *cfg, struct eksauth_http_request *req);

/* The EKS API's host for region in cfg's partition: "eks.<region>.<domain>".  EKSAUTH_EINVAL. */
enum eksauth_status eksauth_eks_host(const struct eksauth_config *cfg, const char *region,
                                     char *out, size_t outlen, struct eksauth_error *err);

/*
 * One host's conversation with the EKS API for cfg's cluster: the
 * endpoint (eks.<region>.<domain>, in host for messages), the region and
 * this host's credentials (cluster_host.h), read once; every request
 * counts against budget (may be NULL: no limit, no retry), and one the
 * service turned away (429, ThrottlingException, TooManyRequestsException,
 * 5xx, a failed connection) is tried again as budget.h says.
 */
struct eksauth_eks_session {
    const struct eksauth_config *cfg;
    struct eksauth_budget *budget;
    struct eksauth_creds creds;
    char region[64];
    char host[256];
    char cluster[1024];     /* cluster_name, URI-encoded for paths */
    char cluster_arn[2048]; /* DescribeCluster's (eksauth_eks_auth_mode); "" until asked */
    bool open;
};

/*
 * Start a session (close it whatever the result).  Failures of every call
 * below: EKSAUTH_EUNAVAIL (network, 5xx, throttling, the budget spent),
 * EKSAUTH_EREJECTED (401/403: the message names the actions the host's
 * role needs), EKSAUTH_ENOTFOUND (404), EKSAUTH_EINVAL (config, bad
 * answers).
 */
enum eksauth_status eksauth_eks_open(const struct eksauth_config *cfg,
                                     struct eksauth_budget *budget, struct eksauth_eks_session *c,
                                     struct eksauth_error *err);
void eksauth_eks_close(struct eksauth_eks_session *c);

/*
 * The principal ARN of every access entry (ListAccessEntries, every page:
 * ceil(N/100) calls) into *arns (*n of them; eksauth_strv_free).
 */
enum eksauth_status eksauth_eks_list_entries(struct eksauth_eks_session *c, char ***arns, size_t *n,
                                             struct eksauth_error *err);

/*
 * One access entry, whole: DescribeAccessEntry, then every page of
 * ListAssociatedAccessPolicies (2 calls, more when it has over 100
 * policies) into *e (eksauth_access_entry_free).
 */
enum eksauth_status eksauth_eks_read_entry(struct eksauth_eks_session *c, const char *arn,
                                           struct eksauth_access_entry *e,
                                           struct eksauth_error *err);

/* The cluster's authentication mode (DescribeCluster, one call). */
enum eksauth_status eksauth_eks_auth_mode(struct eksauth_eks_session *c,
                                          enum eksauth_auth_mode *mode, struct eksauth_error *err);

#endif
