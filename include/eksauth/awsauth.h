/*
 * awsauth.h - the aws-auth mapping: the entries awsauth_read.h reads,
 * indexed; look an identity up (mapRoles, then mapUsers, then mapAccounts)
 * and render its username and groups.  Pure: the caller passes the bytes.
 *
 * Matching is the cluster's ConfigMap backend's (docs/token-rules.md
 * decision 6): the caller's canonical ARN against each entry's ARN as
 * written, whole, ignoring case.  Duplicates (same key): the last wins and
 * a warning names both positions.  Entries the cluster never matches (a
 * role path, a session's ARN) are out of the index, kept to say why.
 */
#ifndef EKSAUTH_AWSAUTH_H
#define EKSAUTH_AWSAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/awsauth_read.h"
#include "eksauth/status.h"
#include "eksauth/template.h"

struct eksauth_awsauth;

/*
 * Read data[0..len) (eksauth_awsauth_read: its forms, errors and
 * warnings) and index the entries; a duplicate adds a warning.
 */
enum eksauth_status eksauth_awsauth_parse(const char *data, size_t len,
                                          struct eksauth_awsauth **out, struct eksauth_error *err);
void eksauth_awsauth_free(struct eksauth_awsauth *aa);

/* The valid entries, in document order: mapRoles, mapUsers, mapAccounts. */
size_t eksauth_awsauth_count(const struct eksauth_awsauth *aa);
const struct eksauth_awsauth_entry *eksauth_awsauth_entry_at(const struct eksauth_awsauth *aa,
                                                             size_t i);

/* Warnings: the reader's ("aws-auth: mapRoles: LINE:COL: <why>; entry skipped"), duplicates. */
size_t eksauth_awsauth_warning_count(const struct eksauth_awsauth *aa);
const char *eksauth_awsauth_warning_at(const struct eksauth_awsauth *aa, size_t i);

/*
 * The values of mapRoles, mapUsers or mapAccounts dropped whole because
 * they do not parse, as the cluster drops them: "mapRoles (3:7: <why>)".
 * The document still maps with the others; eksauth_sync_apply fails after
 * writing so that it is seen.
 */
size_t eksauth_awsauth_dropped_count(const struct eksauth_awsauth *aa);
const char *eksauth_awsauth_dropped_at(const struct eksauth_awsauth *aa, size_t i);
/*
 * Whether the cluster reads dropped value i all the same: libyaml alone
 * failed on it (awsauth_yaml_compat.h, eksauth_awsauth_yaml_libyaml_only),
 * so its entries may map there while none maps here.
 */
bool eksauth_awsauth_dropped_cluster_reads(const struct eksauth_awsauth *aa, size_t i);
/* Whether the cluster drops every dropped value too (true when none is dropped). */
bool eksauth_awsauth_cluster_drops_all(const struct eksauth_awsauth *aa);

/* The entries the cluster never matches (awsauth_read.h), in document order. */
size_t eksauth_awsauth_ignored_count(const struct eksauth_awsauth *aa);
const struct eksauth_awsauth_entry *eksauth_awsauth_ignored_at(const struct eksauth_awsauth *aa,
                                                               size_t i);

/*
 * Whether an ignored entry holds its principal: a mapRoles or mapUsers
 * entry skipped here that the cluster keeps and matches (its key is its
 * ARN), so that the principal maps by nothing, not by a later list or
 * mapAccounts, as in the cluster, which stops at that entry.
 */
bool eksauth_awsauth_entry_holds(const struct eksauth_awsauth_entry *e);

/*
 * A mapping of the given entries alone (copied): valid ones, at most one
 * per key and source, and ignored ones (entry->ignored set), with the
 * dropped values' texts: what a login looks its principal up in when the
 * login index (login_index.h) gave it the few entries that can match.
 */
enum eksauth_status eksauth_awsauth_of_entries(const struct eksauth_awsauth_entry *entries,
                                               size_t n, const char *const *dropped,
                                               size_t n_dropped, struct eksauth_awsauth **out,
                                               struct eksauth_error *err);

/*
 * The entry for a principal: mapRoles then mapUsers by arn_key (an
 * eksauth_arn.key: the canonical ARN in lower case), then mapAccounts by
 * account.  NULL when none.  O(1).
 */
const struct eksauth_awsauth_entry *
eksauth_awsauth_lookup(const struct eksauth_awsauth *aa, const char *arn_key, const char *account);

struct eksauth_k8s_identity {
    char *username;
    char **groups;
    size_t n_groups;
    enum eksauth_map_source source;
    const struct eksauth_awsauth_entry *entry;
};

/*
 * Look p up and render its username and groups.  EKSAUTH_ENOTMAPPED when
 * no entry matches ("identity is not mapped: ARN", with why when an
 * ignored entry meant p or a value was dropped); EKSAUTH_EREJECTED when the entry exists but cannot
 * be used (a template error: "aws-auth: mapRoles: 9:7: username: template:
 * {{EC2PrivateDNSName}}: instance i-... is not this host ...", ...),
 * or when p's account or session name disagrees with its ARN.  mapAccounts
 * yields the canonical ARN and no groups.
 */
enum eksauth_status eksauth_awsauth_map(const struct eksauth_awsauth *aa,
                                        const struct eksauth_principal *p,
                                        struct eksauth_k8s_identity *out,
                                        struct eksauth_error *err);
void eksauth_k8s_identity_free(struct eksauth_k8s_identity *id);

/*
 * True when the entry p maps to renders {{EC2PrivateDNSName}} (in its
 * username or a group), i.e. when mapping p needs the host's own instance
 * (p->self_instance_id, self_private_dns_name).  False for no entry or a
 * principal eksauth_awsauth_map would refuse anyway.  Pure.
 */
bool eksauth_awsauth_needs_host_instance(const struct eksauth_awsauth *aa,
                                         const struct eksauth_principal *p);

#endif
