/*
 * mint.h - a token as `aws eks get-token` mints it: a presigned STS
 * GetCallerIdentity URL for a region's STS host, X-Amz-Expires 60, the
 * audience signed into x-k8s-aws-id.  What `eksauth token`, `eksauth
 * whoami`, `eksauth askpass` and the Kubernetes API client all mint with.
 */
#ifndef EKSAUTH_MINT_H
#define EKSAUTH_MINT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/config.h"
#include "eksauth/creds.h"
#include "eksauth/sigv4.h"
#include "eksauth/status.h"

struct eksauth_mint {
    const char *audience; /* the x-k8s-aws-id value: a cluster id */
    const char *region;   /* the STS region; NULL: eksauth_cluster_region of cfg */
    const struct eksauth_config *cfg;
    bool global; /* sign for sts.amazonaws.com (always us-east-1) */
    time_t now;
};

/*
 * The STS host a token for region names into host[0..hostlen) (global: the
 * partition's global host), as eksauth_sigv4_sts_host makes it, refused
 * (EKSAUTH_EINVAL) unless a host's check of a token's host
 * (eksauth_token_check_host, under the region's partition) takes it: a
 * region no partition claims (xx-nowhere-9) is refused before anything is
 * signed, a new region of a partition's pattern is not, nor a host named
 * in extra_hosts (a config's sts_host; NULL: none), as the check takes it.
 */
enum eksauth_status eksauth_mint_host(const char *region, bool global,
                                      const char *const *extra_hosts, char *host, size_t hostlen,
                                      struct eksauth_error *err);

/*
 * Mint for m with creds into token[0..cap) (EKSAUTH_SIGV4_TOKEN_MAX is
 * enough), NUL-terminated, for the host eksauth_mint_host gives; *len
 * (may be NULL) its length.  The token is a bearer credential for 15
 * minutes: the caller wipes it.
 */
enum eksauth_status eksauth_mint_token(const struct eksauth_mint *m,
                                       const struct eksauth_creds *creds, char *token, size_t cap,
                                       size_t *len, struct eksauth_error *err);

#endif
