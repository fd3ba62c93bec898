/*
 * awsauth_read.h - read the aws-auth ConfigMap into its entries and
 * positioned warnings: YAML or JSON as kubectl prints it (-o yaml, -o
 * json), or a bare file with top-level mapRoles/mapUsers/mapAccounts.  Pure:
 * the caller passes the bytes.  awsauth.h indexes what this reads and maps
 * a principal through it.
 *
 * Decisions (docs/token-rules.md, decisions 5 and 6; docs/aws-auth.md):
 * entry keys are read as the cluster's Go decoder reads them (case folded
 * as Go folds it; of two keys for one field, the later in byte order); an
 * entry's ARN is its lookup key as written, in lower case, and an entry the
 * cluster never matches (a role path, a session's ARN) is kept as ignored
 * with a warning; a malformed entry is reported with line:column and
 * skipped; a value of mapRoles, mapUsers or mapAccounts that does not parse
 * is dropped, as the cluster drops it, with a warning naming it; a
 * malformed document is an error.
 */
#ifndef EKSAUTH_AWSAUTH_READ_H
#define EKSAUTH_AWSAUTH_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/arena.h"
#include "eksauth/status.h"
#include "eksauth/strlist.h"

/*
 * The largest aws-auth document eksauth reads, from any source.  Kubernetes
 * caps a ConfigMap at 1 MiB; a bare file may be larger, but an input far
 * beyond that is a mistake, and the cap bounds memory and time.
 */
#define EKSAUTH_AWSAUTH_MAX ((size_t)16 * 1024 * 1024)

/*
 * A top-level key of a bare document (the one lib/cluster.c merges from
 * the ConfigMap and the access entries): a list of the values the
 * ConfigMap had dropped ("mapRoles (3:7: <why>)"), read back into
 * eksauth_awsauth_doc.dropped, so that what the cluster drops stays named
 * wherever the merged document is read.
 */
#define EKSAUTH_AWSAUTH_DROPPED_KEY "eksauthDropped"

/*
 * Another top-level key of a bare document: the mapRoles and mapUsers
 * entries of the ConfigMap that eksauth skipped but the cluster keeps and
 * matches, which no access entry replaced ("mapRoles 3:7 KEY", KEY the
 * principal's lookup key), read back as overrides, so that each still
 * holds its principal after a merge: the cluster maps it by that entry, so
 * by no later list and never by mapAccounts (lib/awsauth.c, lookup).
 */
#define EKSAUTH_AWSAUTH_HELD_KEY "eksauthHeld"

enum eksauth_map_source {
    EKSAUTH_SRC_MAPROLES,
    EKSAUTH_SRC_MAPUSERS,
    EKSAUTH_SRC_MAPACCOUNTS,
};
#define EKSAUTH_N_MAP_SOURCES 3

/* "mapRoles", "mapUsers", "mapAccounts" ("unknown" for anything else). */
const char *eksauth_map_source_name(enum eksauth_map_source src);

struct eksauth_awsauth_entry {
    enum eksauth_map_source source;
    const char *arn; /* as written; for mapAccounts the account id */
    /*
     * Lookup key: the ARN as written in lower case (the cluster compares
     * whole ARNs ignoring case), or the account id.  For an ignored entry,
     * the ARN it should have been, lower case.
     */
    const char *key;
    /* Why the cluster never matches this entry ("has a role path: ..."), or NULL. */
    const char *ignored;
    const char *username;      /* template, checked; NULL for mapAccounts and ignored entries */
    const char *const *groups; /* templates, checked */
    size_t n_groups;
    /*
     * 1-based position of the entry in the input: exact for YAML, through a
     * literal block ("mapRoles: |") too; for a value that is a JSON string
     * (kubectl -o json) or another YAML scalar style, counted within the
     * decoded value of that key.
     */
    unsigned line, column;
};

/*
 * A mapRoles or mapUsers entry eksauth skips that the cluster keeps (its
 * ARN decodes to a string): in the cluster's map, keyed by the ARN, it
 * replaces an earlier entry with its key, so that one must not map either.
 */
struct eksauth_awsauth_override {
    enum eksauth_map_source source;
    const char *key; /* the ARN as the cluster's key lower-cases it */
    /*
     * The key of the cluster's map: for mapRoles the ARN in Go's lower
     * case (which keeps 'ſ'), for mapUsers the ARN as written; NULL for one
     * read back from EKSAUTH_AWSAUTH_HELD_KEY, which any entry of key replaces.
     */
    const char *cluster_key;
    size_t after; /* it comes after entries[0..after) of the document */
    unsigned line, column;
    bool holds; /* the cluster matches some principal by it (key), not only replaces */
};

/* What a document holds: its strings live in arena, freed with it. */
struct eksauth_awsauth_doc {
    struct eksauth_arena arena;
    struct eksauth_awsauth_entry *entries; /* valid ones, document order, duplicates kept */
    size_t n_entries, cap_entries;
    struct eksauth_awsauth_override *overrides; /* document order */
    size_t n_overrides, cap_overrides;
    /* "aws-auth: mapRoles: LINE:COL: <why>; entry skipped", ignored keys, empty documents */
    struct eksauth_strlist warnings;
    /*
     * The values dropped whole, as the cluster drops a value it cannot
     * parse: "mapRoles (3:7: <why>)", one per key; their entries map nobody.
     */
    struct eksauth_strlist dropped;
};

/*
 * Read data[0..len) into doc (which need not be initialised).  The form
 * is detected: a JSON object with "data" (kubectl -o json), a YAML
 * ConfigMap with "data", or a bare document with mapRoles/mapUsers/
 * mapAccounts at the top.  Failure of the document: EKSAUTH_EINVAL with
 * "aws-auth: LINE:COL: <why>", and doc is left empty.  Bad entries become
 * warnings, and a value that does not parse (bad YAML inside mapRoles, a
 * value that is not a list) is dropped into doc->dropped, not failures.  Free doc with
 * eksauth_awsauth_doc_free whatever the result.
 */
enum eksauth_status eksauth_awsauth_read(const char *data, size_t len,
                                         struct eksauth_awsauth_doc *doc,
                                         struct eksauth_error *err);
void eksauth_awsauth_doc_free(struct eksauth_awsauth_doc *doc);

#endif
