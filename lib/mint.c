/*
 * mint.c - a token as `aws eks get-token` mints it (see mint.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eksauth/cluster_host.h"
#include "eksauth/mint.h"

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
    st = eksauth_sigv4_sts_host(region, m->global, host, sizeof(host), err);
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
