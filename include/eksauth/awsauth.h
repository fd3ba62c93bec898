/*
 * awsauth.h - the aws-auth ConfigMap: parse it (YAML or JSON as kubectl
 * prints it, or a bare file with top-level mapRoles/mapUsers/mapAccounts),
 * look an identity up (mapRoles, then mapUsers, then mapAccounts) and
 * render its username and groups.  Pure: the caller passes the bytes.
 *
 * Decisions (token-rules.md, "eksauth's decisions" 5 and 6): entry keys
 * compare ASCII case-insensitively; config ARNs are canonicalised and a role
 * path is tolerated; duplicates (same key after canonicalising): the last
 * wins and a warning names both positions; a malformed entry is reported
 * with line:column and skipped; a malformed document is an error.
 */
#ifndef EKSAUTH_AWSAUTH_H
#define EKSAUTH_AWSAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"
#include "eksauth/template.h"

/*
 * The largest aws-auth document eksauth reads, from any source.  Kubernetes
 * caps a ConfigMap at 1 MiB; a bare file may be larger, but an input far
 * beyond that is a mistake, and the cap bounds memory and time.
 */
#define EKSAUTH_AWSAUTH_MAX ((size_t)16 * 1024 * 1024)

enum eksauth_map_source {
    EKSAUTH_SRC_MAPROLES,
    EKSAUTH_SRC_MAPUSERS,
    EKSAUTH_SRC_MAPACCOUNTS,
};

struct eksauth_awsauth_entry {
    enum eksauth_map_source source;
    const char *arn;      /* as written; for mapAccounts the account id */
    const char *key;      /* lookup key: eksauth_arn.key, or the account id */
    const char *username; /* template; NULL for mapAccounts (the canonical ARN is used) */
    const char *const *groups;
    size_t n_groups;
    /*
     * 1-based position of the entry in the input: exact for YAML, through a
     * literal block ("mapRoles: |") too; for a value that is a JSON string
     * (kubectl -o json) or another YAML scalar style, counted within the
     * decoded value of that key.
     */
    unsigned line, column;
};

struct eksauth_awsauth;

/*
 * Parse data[0..len).  The form is detected: a JSON object with "data"
 * (kubectl -o json), a YAML ConfigMap with "data", or a bare document with
 * mapRoles/mapUsers/mapAccounts at the top.  Failure of the document:
 * EKSAUTH_EINVAL with "aws-auth: LINE:COL: <why>".  Bad entries become
 * warnings, not failures.
 */
enum eksauth_status eksauth_awsauth_parse(const char *data, size_t len,
                                          struct eksauth_awsauth **out, struct eksauth_error *err);
void eksauth_awsauth_free(struct eksauth_awsauth *aa);

/* The valid entries, in document order: mapRoles, mapUsers, mapAccounts. */
size_t eksauth_awsauth_count(const struct eksauth_awsauth *aa);
const struct eksauth_awsauth_entry *eksauth_awsauth_entry_at(const struct eksauth_awsauth *aa,
                                                             size_t i);

/* Warnings: "aws-auth: mapRoles: LINE:COL: <why>; entry skipped", duplicates. */
size_t eksauth_awsauth_warning_count(const struct eksauth_awsauth *aa);
const char *eksauth_awsauth_warning_at(const struct eksauth_awsauth *aa, size_t i);

/*
 * The entry for a principal: mapRoles then mapUsers by arn_key (an
 * eksauth_arn.key), then mapAccounts by account.  NULL when none.  O(1).
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
 * no entry matches; EKSAUTH_EREJECTED when the entry exists but cannot be
 * used (a template error: "aws-auth: mapRoles: 9:7: username: template:
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

const char *eksauth_map_source_name(enum eksauth_map_source src);

#endif
