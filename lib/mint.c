/*
 * mint.c - a token as `aws eks get-token` mints it (see mint.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eksauth/cluster_host.h"
#include "eksauth/mint.h"
#include "eksauth/partition.h"
#include "eksauth/token.h"

enum eksauth_status eksauth_mint_host(const char *region, bool global,
                                      const char *const *extra_hosts, char *host, size_t hostlen,
                                      struct eksauth_error *err)
{
    const struct eksauth_partition *p;
    struct eksauth_error why;
    char checked[64];
    enum eksauth_status st;

    st = eksauth_sigv4_sts_host(region, global, host, hostlen, err);
    if (st != EKSAUTH_OK)
        return st;
    /*
     * The SDK signs a region no partition claims for aws's host
     * (sts.xx-nowhere-9.amazonaws.com), and so does `aws eks get-token`;
     * a host's check (lib/token.c) refuses that name, so the person would
     * only learn it from the remote end.  The host's own check, under the
     * region's partition, decides here: a new region of a partition's
     * pattern passes there, so it passes here too.
     */
    p = eksauth_partition_of_region(region, strlen(region));
    if (eksauth_token_check_host(host, p != NULL ? p->name : "aws", extra_hosts, checked,
                                 sizeof(checked), &why) == EKSAUTH_OK)
        return EKSAUTH_OK;
    if (p == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "region: %s is a region of no AWS partition eksauth knows (each "
                            "partition's region pattern and list: lib/partition_data.c, from "
                            "AWS's data); a host refuses a token for %s unless its sts_host "
                            "lists it (%s): not signed",
                            region, host, why.msg);
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "region: a host refuses a token for %s, the STS host of %s (%s): not "
                        "signed",
                        host, region, why.msg);
}

enum eksauth_status eksauth_mint_token(const struct eksauth_mint *m,
                                       const struct eksauth_creds *creds, char *token, size_t cap,
                                       size_t *len, struct eksauth_error *err)
{
    struct eksauth_sts_presign req;
    char region[64], host[256];
    enum eksauth_status st;

    if (m->region != NULL)
        snprintf(region, sizeof(region), "%s", m->region);
    else if ((st = eksauth_cluster_region(m->cfg, region, sizeof(region), err)) != EKSAUTH_OK)
        return st;
    /* A host's own names (sts_host) pass for it as in its token check (lib/token.c). */
    st = eksauth_mint_host(region, m->global,
                           m->cfg != NULL ? (const char *const *)m->cfg->sts_hosts : NULL, host,
                           sizeof(host), err);
    if (st != EKSAUTH_OK)
        return st;
    memset(&req, 0, sizeof(req));
    req.host = host;
    /* The global endpoint is always signed for us-east-1. */
    req.region = m->global ? "us-east-1" : region;
    req.cluster_id = m->audience;
    req.now = m->now;
    req.expires = EKSAUTH_SIGV4_EXPIRES;
    return eksauth_sigv4_sts_token(creds, &req, token, cap, len, err);
}
