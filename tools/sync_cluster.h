/*
 * sync_cluster.h - `eksauth sync` from the cluster itself (source =
 * kubernetes | eks-api | kubernetes+eks-api; lib/kube.c fetches): the last
 * good snapshot and its version next to the identity DB, "unchanged: nothing
 * written", a failing source that keeps the last snapshot and DB, and
 * --watch (the Kubernetes watch API; access entries polled).
 */
#ifndef EKSAUTH_SYNC_CLUSTER_H
#define EKSAUTH_SYNC_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

struct sync_cluster_opts {
    bool json, allow_empty;
    bool watch;    /* --watch */
    bool force;    /* --force: write the DB even when the source's version is unchanged */
    long interval; /* --interval S: access entries poll and watch stream length (60) */
    bool bad;      /* a bad value was given */
};

#define SYNC_CLUSTER_USAGE                                                                         \
    "  --watch        follow the aws-auth ConfigMap (Kubernetes watch API); access\n"              \
    "                 entries are polled every --interval seconds (default 60)\n"                  \
    "  --force        write the identity DB even when the source did not change\n"

/* Take argv[*i] (and its value) when it is one of ours; sets opts->bad on a bad value. */
bool sync_cluster_option(struct sync_cluster_opts *opts, int argc, char **argv, size_t *i);

/* The sync from the cluster; returns the exit code. */
int sync_cluster(struct eksauth_cli *cli, const struct sync_cluster_opts *opts);

/* cmd_sync.c: one aws-auth document -> the identity DB; returns the exit code. */
int cmd_sync_apply(struct eksauth_cli *cli, const char *label, const char *data, size_t len,
                   const char *const *extra_warnings, size_t n_extra, bool json, bool allow_empty);

#endif
