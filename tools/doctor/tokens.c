/*
 * tokens.c - which tokens this host takes: its own audience only, unless
 * accept_cluster_tokens lets plain cluster tokens in too (eksauth.conf(5)),
 * which doctor warns about.
 */
#include "config.h"

#include "doctor.h"

void check_tokens(struct doctor *d)
{
    struct finding *f;

    if (!d->cfg.accept_cluster_tokens) {
        report(d, LV_OK, "config", d->conf_host,
               "tokens: this host's own audience only (accept_cluster_tokens no)");
        return;
    }
    f = report(d, LV_WARNING, "config", d->conf_host,
               "accept_cluster_tokens is on: every host that gets such a token holds a live "
               "cluster credential for 15 minutes");
    set_fix(d, f,
            "set \"accept_cluster_tokens = no\" in %s once every client sends host tokens "
            "(eksauth ssh and eksauth askpass do; by hand: aws eks get-token --cluster-name "
            "eksauth:CLUSTER:HOST)",
            d->conf_host);
}
