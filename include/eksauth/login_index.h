/*
 * login_index.h - what a login needs of the last sync's aws-auth and plan,
 * so it decides without parsing the whole snapshot or planning every entry
 * (docs/design.md, "A login's mapping without the whole aws-auth").
 *
 * `eksauth sync` writes it beside the snapshot ("aws-auth.index", paths.h)
 * under the writer's lock, after the snapshot's state and before the DB:
 * the entries by key as the parse left them (the last duplicate chosen,
 * dropped values dropped, ignored entries kept to say why), the dropped
 * values' texts, and the plan's answers that resolve.h asks (static users
 * with their k8s user and uid, groups with their k8s group and gid, the
 * refused logins and groups, the served templates, every id the plan
 * holds, the users' group, the id range), with the snapshot's SHA-256,
 * the generation and the host's inputs (snapshot.h) it was planned with.
 * The ids logins recorded since are the identity DB's: the view asks the
 * DB of now for seeds and taken ids.
 *
 * The format: a header (magic, version, sizes, generation, the SHA-256 and
 * inputs in hex, and the XXH64 of the header, the table directory and the
 * block sums), then one XXH64 per 4 KiB block of the data, checked the
 * first time a lookup touches the block; tables of slots (the XXH64 of a
 * record's first field and the record's offset) sorted by hash, looked up
 * by binary search; a record is its length and NUL-terminated fields.  The file is input: every
 * offset and length is checked, a record found must carry exactly the key asked for, and anything
 * that does not check is a failure, never an answer.
 */
#ifndef EKSAUTH_LOGIN_INDEX_H
#define EKSAUTH_LOGIN_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/awsauth.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"
#include "eksauth/resolve.h"
#include "eksauth/status.h"
#include "eksauth/template.h"

#define EKSAUTH_LOGIN_INDEX_MAGIC   "EKSLIDX\n"
#define EKSAUTH_LOGIN_INDEX_VERSION 2u
#define EKSAUTH_LOGIN_INDEX_MAX     (1024u * 1024u * 1024u) /* refuse larger files */

struct eksauth_login_index;

/* What ties an index to one sync (snapshot.h's state) and to its snapshot file. */
struct eksauth_login_index_tie {
    uint64_t generation; /* of the identity DB written from the snapshot */
    char sha256[64 + 1]; /* of the snapshot */
    char inputs[64 + 1]; /* the host's inputs the plan was made with */
    /* The snapshot file as the sync left it: a login checks it is still that file. */
    uint64_t snapshot_ino, snapshot_size;
    int64_t snapshot_mtime_sec, snapshot_mtime_nsec;
};

/*
 * The index of aa and its plan (built from aa with the host's inputs now)
 * for tie, into a malloc'd image (free()).  EKSAUTH_EINVAL when aa or the
 * plan holds what the index cannot (a key twice in a table).
 */
enum eksauth_status eksauth_login_index_build(const struct eksauth_awsauth *aa,
                                              const struct eksauth_plan *plan,
                                              const struct eksauth_login_index_tie *tie, void **out,
                                              size_t *len, struct eksauth_error *err);

/*
 * eksauth_login_index_build, written to paths->index (temp file, fsync,
 * rename; mode 0644 like the snapshot).  The caller holds the identity
 * DB's writer lock.
 */
enum eksauth_status eksauth_login_index_write_locked(const struct eksauth_paths *paths,
                                                     const struct eksauth_awsauth *aa,
                                                     const struct eksauth_plan *plan,
                                                     const struct eksauth_login_index_tie *tie,
                                                     struct eksauth_error *err);

/*
 * Map path read-only.  With trusted, a file trust.h refuses is refused
 * (EKSAUTH_EREJECTED): whoever writes it chooses logins.  A missing file
 * is EKSAUTH_ENOTFOUND; a bad magic, version, size, header checksum or
 * table bound EKSAUTH_EINVAL.  Messages: "login index: PATH: why".
 */
enum eksauth_status eksauth_login_index_open(const char *path, bool trusted,
                                             struct eksauth_login_index **out,
                                             struct eksauth_error *err);
/* The same checks on bytes in memory that outlive the handle (tests). */
enum eksauth_status eksauth_login_index_open_mem(const void *data, size_t len,
                                                 struct eksauth_login_index **out,
                                                 struct eksauth_error *err);
void eksauth_login_index_close(struct eksauth_login_index *ix);

/*
 * Recompute the block sums, the size and the header sum of an index image
 * in memory, for its header's block count (the fuzzer uses it to reach the
 * checks behind the checksums).  An image too broken to find its block
 * sums in is left as it is.
 */
void eksauth_login_index_reseal(void *data, size_t len);

/* The sync the index was written for. */
const struct eksauth_login_index_tie *eksauth_login_index_tie(const struct eksauth_login_index *ix);

/*
 * How many of the view's DB's tombstones ix has read (tests and bench):
 * the first seed lookup of a name not in the DB reads each once, the
 * second each once more (a view of them by name), later ones only those
 * of the name's hash.
 */
uint64_t eksauth_login_index_tombstone_reads(const struct eksauth_login_index *ix);

/* True once a record ix was asked for did not check: its answers are not to be used. */
bool eksauth_login_index_failed(const struct eksauth_login_index *ix);

/*
 * Check every block of ix's data against its sum now, not as lookups touch
 * them (`eksauth doctor`).  False when one does not match: ix has failed.
 */
bool eksauth_login_index_check_blocks(struct eksauth_login_index *ix);

/*
 * The entries p can match (mapRoles and mapUsers by its ARN's key,
 * mapAccounts by its account, the ignored entry of its key) and the
 * dropped values, as a small aws-auth that eksauth_awsauth_map decides
 * on as on the whole one.  EKSAUTH_EINVAL when a record it needs does not
 * check.
 */
enum eksauth_status eksauth_login_index_awsauth(struct eksauth_login_index *ix,
                                                const struct eksauth_principal *p,
                                                struct eksauth_awsauth **out,
                                                struct eksauth_error *err);

/*
 * The plan's answers (resolve.h) from ix, with the ids db holds at now
 * (its users, groups and tombstones: the seeds eksauth_mapping_seeds would
 * give) and key (cfg's id key, NULL when not keyed; it must agree with
 * the index).  ix and db must outlive v; a record that does not check
 * makes v fail (eksauth_identity_resolve_view then decides nothing).
 */
void eksauth_login_index_view(struct eksauth_login_index *ix, const struct eksauth_iddb *db,
                              uint64_t now, const struct eksauth_id_key *key,
                              struct eksauth_plan_view *v);

#endif
