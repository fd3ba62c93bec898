/*
 * cluster.h - aws-auth from the cluster itself: the configured source
 * (cfg->source: kubernetes, eks-api, kubernetes+eks-api, or auto: the
 * sources the cluster's authentication mode names, read with
 * DescribeCluster at each fetch) read with this host's own identity and
 * turned into one snapshot: an aws-auth document (bytes awsauth.h parses),
 * a version string and warnings, so `eksauth sync` treats all sources
 * alike.  With kubernetes+eks-api an access entry wins over an aws-auth
 * entry for the same principal (EKS's API_AND_CONFIG_MAP); access policies
 * become groups (access_policy.h).
 */
#ifndef EKSAUTH_CLUSTER_H
#define EKSAUTH_CLUSTER_H

#include <stddef.h>
#include <time.h>

#include "eksauth/budget.h"
#include "eksauth/config.h"
#include "eksauth/eks_api.h"
#include "eksauth/kube.h"
#include "eksauth/status.h"

#define EKSAUTH_CLUSTER_VERSION_MAX 160

struct eksauth_entry_cache;

/*
 * One aws-auth document (a bare JSON document with mapRoles, mapUsers and
 * mapAccounts) from the ConfigMap (configmap may be NULL: access entries
 * only) and the access entries; an access entry replaces any aws-auth entry
 * of the same principal (a warning names it).  An access entry gives its
 * principal (a role without its path), its username (EKS's default for a
 * STANDARD entry without one), its kubernetesGroups and one group per
 * associated policy; other groups spelled policy:... are dropped with a
 * warning.  Bad access entries are skipped with a warning.  listed (may be
 * NULL) names every principal EKS listed, read or not: none of them keeps
 * its aws-auth entry, as EKS maps them by their access entry alone.
 * *warnings (may be NULL) gets malloc'd lines.
 */
enum eksauth_status eksauth_cluster_merge(const char *configmap, size_t cm_len,
                                          const struct eksauth_access_entry *entries, size_t n,
                                          const char *const *listed, size_t n_listed, char **out,
                                          size_t *outlen, char ***warnings, size_t *n_warnings,
                                          struct eksauth_error *err);

struct eksauth_cluster_snapshot {
    char *data; /* the aws-auth document; awsauth.h parses it */
    size_t len;
    char version[EKSAUTH_CLUSTER_VERSION_MAX]; /* "k8s:RV", "eks:SHA256/8", or both joined by "+" */
    /*
     * The latest resourceVersion the fetch saw (the list's), or "": the
     * next list or watch starts from it.
     */
    char rv[EKSAUTH_KUBE_RV_MAX];
    char what[512]; /* for messages: where it came from */
    char **warnings;
    size_t n_warnings;
    /*
     * Freshness the budget or the service's throttling delayed (access
     * entries used as last read, new ones not read yet), one line each:
     * said at every sync, changed or not.
     */
    char **stale;
    size_t n_stale;
};

/* What one fetch knows and may spend (docs/fleet.md). */
struct eksauth_fetch {
    time_t now;
    const char *since_rv;              /* the latest resourceVersion this host knows, or NULL */
    struct eksauth_budget *budget;     /* this sync's requests; NULL: no limit, no retry */
    struct eksauth_entry_cache *cache; /* access entries read before, updated; NULL: read all */
    const char *last_what; /* the state's what (the DB's last source), or NULL: adopts a cache */
};

/*
 * Read the configured source (cfg->source other than file) with this host's
 * credentials (cluster_host.h), asking only what changed: the ConfigMap's
 * list from the API server's cache at least as new as f->since_rv
 * (kube.h), and of the access entries the list and the reads f->cache
 * plans within the budget (entry_cache.h).  Failures as
 * eksauth_kube_list_configmap and the calls of eks_api.h: EKSAUTH_EUNAVAIL
 * (network, timeouts, 5xx, throttling, the budget spent before the lists
 * were whole), EKSAUTH_EREJECTED (401/403: the message names the RBAC or
 * access the host needs), EKSAUTH_ENOTFOUND (no aws-auth ConfigMap),
 * EKSAUTH_EINVAL (config, bad answers).
 */
enum eksauth_status eksauth_cluster_fetch(const struct eksauth_config *cfg, struct eksauth_fetch *f,
                                          struct eksauth_cluster_snapshot *out,
                                          struct eksauth_error *err);
void eksauth_cluster_snapshot_free(struct eksauth_cluster_snapshot *s);

#endif
