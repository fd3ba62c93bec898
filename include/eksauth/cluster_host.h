/*
 * cluster_host.h - this host's own identity toward its cluster, shared by
 * the Kubernetes API client (kube.h) and the EKS API client (eks_api.h):
 * the region it signs for, its AWS credentials (the chain of creds.h, with
 * imds_endpoint from the config) and the EKS token it presents as a bearer
 * token.
 */
#ifndef EKSAUTH_CLUSTER_HOST_H
#define EKSAUTH_CLUSTER_HOST_H

#include <stddef.h>
#include <time.h>

#include "eksauth/config.h"
#include "eksauth/creds.h"
#include "eksauth/status.h"

/*
 * The region this host signs for: cfg->region, else AWS_REGION /
 * AWS_DEFAULT_REGION / the AWS config file, else instance metadata.  A
 * region named there that is not one is refused (EKSAUTH_EINVAL), as is
 * an answer of instance metadata that is not one; out is then "".
 */
enum eksauth_status eksauth_cluster_region(const struct eksauth_config *cfg, char *out,
                                           size_t outlen, struct eksauth_error *err);

/* This host's credentials: the chain of creds.h, instance metadata at cfg->imds_endpoint. */
enum eksauth_status eksauth_cluster_creds(const struct eksauth_config *cfg,
                                          struct eksauth_creds *out, struct eksauth_error *err);

/* An EKS token for cfg->cluster_id signed with creds at now (wipe it after use). */
enum eksauth_status eksauth_cluster_token(const struct eksauth_config *cfg,
                                          const struct eksauth_creds *creds, time_t now,
                                          char *token, size_t tokcap, struct eksauth_error *err);

#endif
