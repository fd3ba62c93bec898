/*
 * entry_cache.h - the access entries this host read from the EKS API, kept
 * beside the identity DB (paths.h: "access-entries.cache") so that a sync
 * asks only what it must (docs/fleet.md):
 *
 *  - ListAccessEntries, every page, at every sync: new and removed entries
 *    are seen at once (a removal revokes at the next sync);
 *  - DescribeAccessEntry and ListAssociatedAccessPolicies for an entry
 *    only when it is new, or when its last read is older than
 *    access_entry_max_age (oldest first), as far as the sync's budget
 *    goes (budget.h); the rest is used as last read, and said to be so.
 *
 * The file holds each entry as EKS answered it (the fields eksauth reads:
 * the parsers of eks_api.h read them back) with when it was read; it is
 * root's alone (0600), written atomically under the DB writer's lock.  A
 * cache that cannot be read or trusted is no cache: every entry is new.
 *
 * It names the cluster it was read from (eksauth_entry_cache_bind): a
 * principal's entry in one cluster says nothing of its entry in another, so
 * a cache of another cluster (cluster_name changed, an image baked on
 * another cluster's host) or of none (version 1, before it named one) is
 * no cache either, unless the DB was last written from this cluster's
 * access entries (eksauth_entry_cache_adopt): then it is most likely the
 * one that sync left, and dropping it would leave every entry past the
 * first sync's budget unmapped on every upgraded host at once; its
 * entries are read again first.
 */
#ifndef EKSAUTH_ENTRY_CACHE_H
#define EKSAUTH_ENTRY_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/eks_api.h"
#include "eksauth/paths.h"
#include "eksauth/status.h"

#define EKSAUTH_ENTRY_CACHE_MAX (64u * 1024 * 1024) /* bytes of the file */

/* One access entry as this host last read it. */
struct eksauth_cached_entry {
    struct eksauth_access_entry entry;
    long long read_at; /* Unix time of the read */
};

struct eksauth_entry_cache {
    struct eksauth_cached_entry *v;
    size_t n, cap;
    bool dirty;    /* changed since it was read: to be written */
    char *cluster; /* the cluster the entries were read from (bind); NULL: none yet */
    /* Read from a version 1 file, which named no cluster: bound by eksauth_entry_cache_adopt alone.
     */
    bool unnamed;
};

/* ---- pure ---- */

/* The cache as the file's JSON text (malloc'd, *len bytes). */
enum eksauth_status eksauth_entry_cache_format(const struct eksauth_entry_cache *c, char **text,
                                               size_t *len, struct eksauth_error *err);

/* The file's JSON text into *c (emptied first); EKSAUTH_EINVAL names what is wrong. */
enum eksauth_status eksauth_entry_cache_parse(const char *text, size_t len,
                                              struct eksauth_entry_cache *c,
                                              struct eksauth_error *err);

/* The entry of principal arn, or NULL. */
struct eksauth_cached_entry *eksauth_entry_cache_find(const struct eksauth_entry_cache *c,
                                                      const char *arn);

/* *e (taken over: it is zeroed) read at read_at, replacing its principal's entry. */
enum eksauth_status eksauth_entry_cache_put(struct eksauth_entry_cache *c,
                                            struct eksauth_access_entry *e, long long read_at,
                                            struct eksauth_error *err);

/*
 * The cache as one of cluster (what names the cluster to this host:
 * cluster.c cache_cluster).  A cache of another cluster, or of one not
 * yet named, loses every entry (all are new again) and *dropped says so
 * (the other cluster in was, "" for none); either way c->cluster is
 * cluster from here on.  EKSAUTH_ENOMEM leaves the cache empty.
 */
enum eksauth_status eksauth_entry_cache_bind(struct eksauth_entry_cache *c, const char *cluster,
                                             bool *dropped, char *was, size_t waslen,
                                             struct eksauth_error *err);

/*
 * A version 1 cache (c->unnamed) taken as cluster's, each entry as read
 * no later than read_before (so the plan reads them again first): only
 * when the caller has reason to hold its entries cluster's (the DB was
 * last written from cluster's access entries, lib/cluster.c).  False,
 * changing nothing, otherwise.
 */
bool eksauth_entry_cache_adopt(struct eksauth_entry_cache *c, const char *cluster,
                               long long read_before);

/* Drop the entry of principal arn (an entry EKS no longer has). */
void eksauth_entry_cache_drop(struct eksauth_entry_cache *c, const char *arn);

/* Keep only the principals of arns[0..n) (those ListAccessEntries still lists). */
void eksauth_entry_cache_keep(struct eksauth_entry_cache *c, char *const *arns, size_t n);

/*
 * What a sync reads, in order, into *order (indexes into arns; free it):
 * first the listed entries the cache lacks, in list order; then the
 * cached ones read more than max_age seconds before now (all of them when
 * max_age is 0), oldest first.
 */
enum eksauth_status eksauth_entry_cache_plan(const struct eksauth_entry_cache *c, char *const *arns,
                                             size_t n, long long now, long max_age, size_t **order,
                                             size_t *n_order, struct eksauth_error *err);

void eksauth_entry_cache_free(struct eksauth_entry_cache *c);

/* ---- the file ---- */

/*
 * Read paths->entry_cache into *c.  A missing file is an empty cache
 * (EKSAUTH_OK); one that cannot be read, is not root's alone (with
 * trusted) or does not parse is an empty cache too, and the status and
 * message say why, naming the file and what to do (the caller warns and
 * goes on).
 */
enum eksauth_status eksauth_entry_cache_read(const struct eksauth_paths *paths, bool trusted,
                                             struct eksauth_entry_cache *c,
                                             struct eksauth_error *err);

/* Write *c to paths->entry_cache (0600, atomically, under the DB writer's lock). */
enum eksauth_status eksauth_entry_cache_write(const struct eksauth_paths *paths,
                                              const struct eksauth_entry_cache *c,
                                              struct eksauth_error *err);

#endif
