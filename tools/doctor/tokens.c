/*
 * tokens.c - which tokens this host takes: its own audience only, unless
 * accept_cluster_tokens lets plain cluster tokens in too (eksauth.conf(5)),
 * which doctor warns about; and the clock they are checked against.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "doctor.h"
#include "eksauth/ascii.h"

/* Whether s[0..n) is "ip-A-B-C-D", the name EC2 gives an instance from its private address. */
static bool ec2_address_name(const char *s, size_t n)
{
    size_t i, parts = 1;

    if (n < 10 || strncmp(s, "ip-", 3) != 0)
        return false;
    for (i = 3; i < n; i++) {
        if (s[i] == '-' && s[i - 1] != '-')
            parts++;
        else if (s[i] < '0' || s[i] > '9')
            return false;
    }
    return parts == 4 && s[n - 1] != '-';
}

/*
 * Whether name is one many hosts have: localhost, or EC2's name from a
 * private address alone or in EC2's own domains (two VPCs with the same
 * range, each account's and region's default VPC, give hosts the same one).
 */
static bool name_shared(const char *name)
{
    const char *dot = strchr(name, '.');
    size_t label = dot != NULL ? (size_t)(dot - name) : strlen(name);

    if (strcmp(name, "localhost") == 0 || strncmp(name, "localhost.", 10) == 0)
        return true;
    if (!ec2_address_name(name, label))
        return false;
    return dot == NULL || strcmp(dot, ".ec2.internal") == 0 ||
           (strlen(dot) > 17 && strcmp(dot + strlen(dot) - 17, ".compute.internal") == 0);
}

#define CLOUD_INIT_HOST_NAME "cloud-init: runcmd: [sh, -c, 'echo \"host_name = NAME\" >> %s']"

/*
 * Under --root, the root is an image (an AMI packer builds): every
 * instance launched from it gets its eksauth.conf, and its own name only
 * when it boots.  A host_name set in the image is every instance's, so a
 * token for one is taken by all (SECURITY.md, known gaps: worse than
 * unset).  Unset, each instance's own name is used, which the image cannot
 * tell: said as information, with where to check it.  The root's
 * /etc/hostname is not asked: an instance's is written at its boot.
 */
static void check_image_host_name(struct doctor *d)
{
    const char *cluster = d->cfg.cluster_id != NULL ? d->cfg.cluster_id : "CLUSTER";
    struct finding *f;

    if (d->cfg.host_name != NULL) {
        f = report(d, LV_WARNING, "config", d->conf_host,
                   "host_name is set to %s in this root: every instance of an image made from "
                   "it takes tokens for eksauth:%s:%s, so a token for one is taken by every "
                   "other that maps its holder, and root on one can relay it to another",
                   d->cfg.host_name, cluster, d->cfg.host_name);
        set_fix(d, f,
                "take host_name out of %s in the image and set it on each instance as it "
                "boots, to a name unique to that instance (" CLOUD_INIT_HOST_NAME
                "); when this root is one host's disk, not an image, leave it",
                d->conf_host, d->conf_host);
        return;
    }
    f = report(d, LV_INFO, "config", d->conf_host,
               "host_name is not set: each instance of an image made from this root takes "
               "tokens for its own name at runtime, which no other host with cluster_id %s "
               "may have (EC2's default names, ip-A-B-C-D, repeat across VPCs and regions)",
               cluster);
    set_fix(d, f,
            "run eksauth doctor on an instance (it warns when the name is one many hosts "
            "have), or set host_name on each instance as it boots (" CLOUD_INIT_HOST_NAME ")",
            d->conf_host);
}

/*
 * The name in this host's audience (eksauth:CLUSTER:NAME): a token for it is
 * taken by every host of that name and cluster id, so root on one can relay
 * its users' tokens to another (SECURITY.md, known gaps).  The machine's
 * name is used when host_name is not set, and some are everyone's.
 */
static void check_host_name(struct doctor *d)
{
    char name[256], lower[256];
    struct finding *f;

    if (d->root[0] != '\0') {
        check_image_host_name(d);
        return;
    }
    if (d->cfg.host_name != NULL)
        return;
    /* This machine's name, as the audience takes it ("" unknown). */
    if (!eksauth_config_host_name(NULL, name))
        name[0] = '\0';
    /* The audience has the name in lower case (lib/audience.c): LocalHost is localhost's. */
    eksauth_ascii_lower_copy(lower, name, strlen(name));
    if (name[0] == '\0' || !name_shared(lower))
        return;
    f = report(d, LV_WARNING, "config", d->conf_host,
               "host_name is not set, so tokens are for this machine's name, %s, which other "
               "hosts have too: a token for this host is taken by every host of that name "
               "that maps its holder, and root on one can relay it to another",
               name);
    set_fix(d, f, "set \"host_name = NAME\" in %s, NAME this host's own (the name people type)",
            d->conf_host);
}

void check_tokens(struct doctor *d)
{
    struct finding *f;

    check_host_name(d);

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
 * (adjtimex, read only), which chronyd (with rtcsync), ntpd and
 * systemd-timesyncd set.  A token's signing time is checked against this
 * clock (lib/token.c): one max_clock_skew behind refuses every token as
 * "future date", one 15 minutes ahead as "expired", and nothing else says
 * why.  Not under --root: the clock is this machine's, not the root's.
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
    /*
     * Why chronyd is named: on Linux it clears the kernel's flag only with
     * rtcsync in chrony.conf, so a clock it keeps without it reads as this.
     */
    f = report(d, LV_WARNING, "clock", NULL,
               "the kernel says the system clock is not synchronized (no time service such "
               "as chronyd or systemd-timesyncd keeps it, or chronyd runs without rtcsync, "
               "which leaves the kernel's flag unset): tokens are checked against it, so "
               "once it is %ld s behind every token is refused as \"future date\", and 15 "
               "minutes ahead as \"expired\"",
               d->cfg.max_clock_skew);
    set_fix(d, f,
            "systemctl enable --now chronyd (Debian: chrony, or timedatectl set-ntp true for "
            "systemd-timesyncd; on EC2 chrony uses the Amazon Time Sync Service, "
            "169.254.169.123); chronyc tracking then shows the offset; when chronyd already "
            "keeps it (chronyc tracking: Leap status Normal), add rtcsync to chrony.conf and "
            "restart chronyd, so the kernel, and this check, know");
}
