/*
 * tokens.c - which tokens this host takes: its own audience only, unless
 * accept_cluster_tokens lets plain cluster tokens in too (eksauth.conf(5)),
 * which doctor warns about; and the clock they are checked against.
 */
#include "config.h"

#include <string.h>
#include <sys/timex.h>

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

/*
 * Whether a time service keeps this host's clock: the kernel's NTP state
 * (adjtimex, read only), which chronyd, ntpd and systemd-timesyncd set.  A
 * token's signing time is checked against this clock (lib/token.c): one
 * max_clock_skew behind refuses every token as "future date", one 15
 * minutes ahead as "expired", and nothing else says why.  Not under
 * --root: the clock is this machine's, not the root's.
 */
void check_clock(struct doctor *d)
{
    struct timex tx;
    struct finding *f;
    int state;

    if (d->root[0] != '\0')
        return;
    memset(&tx, 0, sizeof(tx));
    state = adjtimex(&tx);
    if (state == -1)
        return;
    if (state != TIME_ERROR) {
        report(d, LV_OK, "clock", NULL, "the system clock is synchronized by a time service");
        return;
    }
    f = report(d, LV_WARNING, "clock", NULL,
               "the kernel says the system clock is not synchronized (no time service such "
               "as chronyd or systemd-timesyncd keeps it): tokens are checked against it, so "
               "once it is %ld s behind every token is refused as \"future date\", and 15 "
               "minutes ahead as \"expired\"",
               d->cfg.max_clock_skew);
    set_fix(d, f,
            "systemctl enable --now chronyd (Debian: chrony, or timedatectl set-ntp true for "
            "systemd-timesyncd; on EC2 chrony uses the Amazon Time Sync Service, "
            "169.254.169.123); chronyc tracking then shows the offset");
}
