/*
 * cluster_host.c - this host's region, credentials and EKS token toward its
 * cluster (see cluster_host.h).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/cluster_host.h"
#include "eksauth/mint.h"
#include "eksauth/imds.h"
#include "eksauth/partition.h"
#include "eksauth/sigv4.h"

enum eksauth_status eksauth_cluster_region(const struct eksauth_config *cfg, char *out,
                                           size_t outlen, struct eksauth_error *err)
{
    struct eksauth_error e1, e2;
    enum eksauth_status st;

    if (cfg->region != NULL && cfg->region[0] != '\0') {
        if (strlen(cfg->region) >= outlen)
            return eksauth_fail(err, EKSAUTH_EINVAL, "region: too long");
        memcpy(out, cfg->region, strlen(cfg->region) + 1);
        return EKSAUTH_OK;
    }
    st = eksauth_creds_region(NULL, NULL, out, outlen, &e1);
    if (st == EKSAUTH_OK)
        return EKSAUTH_OK;
    /*
     * A region named but malformed (AWS_REGION=us-east-1x) is a mistake to
     * say, as the AWS CLI says it, not a reason to sign for the instance's.
     */
    if (st != EKSAUTH_ENOTFOUND) {
        eksauth_fail(err, st, "%s", e1.msg);
        goto refused;
    }
    if (eksauth_imds_get_value(cfg->imds_endpoint, "placement/region", out, outlen, &e2) ==
        EKSAUTH_OK) {
        /* It becomes part of the STS host name: a region's shape only (lib/creds.c region_take). */
        if (eksauth_region_valid(out, strlen(out)))
            return EKSAUTH_OK;
        eksauth_fail(&e2, EKSAUTH_EINVAL, "placement/region \"%.40s\" is not a region name", out);
    }
    st = eksauth_fail(err, EKSAUTH_EINVAL,
                      "no region: set region in the config (%s; instance metadata: %s)", e1.msg,
                      e2.msg);
refused:
    /* Nothing refused is left for a caller that would use it anyway. */
    if (outlen > 0)
        out[0] = '\0';
    return st;
}

enum eksauth_status eksauth_cluster_creds(const struct eksauth_config *cfg, struct eksauth_creds *c,
                                          struct eksauth_error *err)
{
    struct eksauth_creds_options opt;

    memset(&opt, 0, sizeof(opt));
    opt.imds_endpoint = cfg->imds_endpoint;
    return eksauth_creds_load(&opt, c, err);
}

enum eksauth_status eksauth_cluster_token(const struct eksauth_config *cfg,
                                          const struct eksauth_creds *creds, time_t now,
                                          char *token, size_t tokcap, struct eksauth_error *err)
{
    struct eksauth_mint m;

    /* The cluster's own audience: this token is for its API server, as kubectl's is. */
    memset(&m, 0, sizeof(m));
    m.audience = cfg->cluster_id;
    m.cfg = cfg;
    m.now = now;
    return eksauth_mint_token(&m, creds, token, tokcap, NULL, err);
}
