/*
 * access_policy.h - EKS access policies (AmazonEKSClusterAdminPolicy, ...,
 * associated with an access entry, cluster-wide or for namespaces) as the
 * groups a host can gate on (docs/aws-auth.md, "EKS API authentication
 * mode").  On an API-mode cluster the access policy, not a Kubernetes
 * group, is what makes someone an admin; each association becomes a group
 * named after the policy and its scope, which the POSIX naming of
 * names.h turns into eks-policy-cluster-admin (cluster-wide) or
 * eks-policy-admin-ns-<namespace> (one per namespace).  Pure.
 */
#ifndef EKSAUTH_ACCESS_POLICY_H
#define EKSAUTH_ACCESS_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

/* The prefix of the groups that stand for access policies ("policy:cluster-admin"). */
#define EKSAUTH_POLICY_GROUP_PREFIX "policy:"

/* One access policy associated with an access entry (ListAssociatedAccessPolicies). */
struct eksauth_access_policy {
    char *arn;          /* arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy */
    bool cluster_scope; /* accessScope.type "cluster"; else "namespace" */
    char **namespaces;  /* for namespace scope */
    size_t n_namespaces;
};

void eksauth_access_policy_free(struct eksauth_access_policy *p);

/*
 * The policy's short name from its ARN, into out: the name after the last
 * '/', without "AmazonEKS" in front and "Policy" at the end when it has
 * both, split into lower-case words at its capitals and joined by '-':
 * AmazonEKSClusterAdminPolicy -> cluster-admin, AmazonEKSAdminViewPolicy
 * -> admin-view.  EKSAUTH_EINVAL for a name that is empty or not letters
 * and digits, or too long.
 */
enum eksauth_status eksauth_access_policy_name(const char *arn, char *out, size_t outlen,
                                               struct eksauth_error *err);

/*
 * The groups p stands for, appended to *groups (*n counts them):
 * "policy:NAME" for cluster scope, "policy:NAME:ns:NAMESPACE" for each
 * namespace of a namespace scope.  A namespace must be a Kubernetes
 * namespace name (a DNS label); EKSAUTH_EINVAL otherwise.
 */
enum eksauth_status eksauth_access_policy_groups(const struct eksauth_access_policy *p,
                                                 char ***groups, size_t *n,
                                                 struct eksauth_error *err);

/*
 * True when group, as a POSIX name would read it (ASCII case and every
 * character but letters, digits, '.', '_' and '-' folded), starts with
 * "policy-": a Kubernetes group spelled so would take the POSIX group of an
 * access policy, and is refused where access policies are read.
 */
bool eksauth_access_policy_group_taken(const char *group);

#endif
