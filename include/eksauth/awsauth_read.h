/*
 * awsauth_read.h - read the aws-auth ConfigMap into its entries and
 * positioned warnings: YAML or JSON as kubectl prints it (-o yaml, -o
 * json), or a bare file with top-level mapRoles/mapUsers/mapAccounts.  Pure:
 * the caller passes the bytes.  awsauth.h indexes what this reads and maps
 * a principal through it.
 *
 * Decisions (docs/token-rules.md, "eksauth's decisions" 5 and 6): entry
 * keys compare ASCII case-insensitively; config ARNs are canonicalised and
 * a role path is tolerated; a malformed entry is reported with line:column
 * and skipped; a malformed document is an error.
 */
#ifndef EKSAUTH_AWSAUTH_READ_H
#define EKSAUTH_AWSAUTH_READ_H

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
    const char *arn;           /* as written; for mapAccounts the account id */
    const char *key;           /* lookup key: eksauth_arn.key, or the account id */
    const char *username;      /* template, checked; NULL for mapAccounts */
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

/* What a document holds: its strings live in arena, freed with it. */
struct eksauth_awsauth_doc {
    struct eksauth_arena arena;
    struct eksauth_awsauth_entry *entries; /* valid ones, document order, duplicates kept */
    size_t n_entries, cap_entries;
    /* "aws-auth: mapRoles: LINE:COL: <why>; entry skipped", ignored keys, empty documents */
    struct eksauth_strlist warnings;
};

/*
 * Read data[0..len) into doc (which need not be initialised).  The form
 * is detected: a JSON object with "data" (kubectl -o json), a YAML
 * ConfigMap with "data", or a bare document with mapRoles/mapUsers/
 * mapAccounts at the top.  Failure of the document: EKSAUTH_EINVAL with
 * "aws-auth: LINE:COL: <why>", and doc is left empty.  Bad entries become
 * warnings, not failures.  Free doc with eksauth_awsauth_doc_free whatever
 * the result.
 */
enum eksauth_status eksauth_awsauth_read(const char *data, size_t len,
                                         struct eksauth_awsauth_doc *doc,
                                         struct eksauth_error *err);
void eksauth_awsauth_doc_free(struct eksauth_awsauth_doc *doc);

#endif
