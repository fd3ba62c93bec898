/*
 * snapshot.h - the aws-auth the last sync applied, kept beside the identity
 * DB (paths.h: "aws-auth.snapshot"), and its state ("aws-auth.state": the
 * source's version, the latest Kubernetes resourceVersion known, when it
 * was read, when a sync last confirmed it current, from where, the
 * generation of the identity DB written from it and the snapshot's
 * SHA-256).  Every login maps with the snapshot, and NSS and the account
 * stage read the DB written from it: one truth per host (docs/design.md,
 * "One snapshot"); with max_snapshot_age a login refuses a snapshot no
 * sync has confirmed for that long.  A cluster sync compares the version
 * it fetched with the state's and writes nothing when they are equal, the
 * host's inputs too, and the DB less than EKSAUTH_SNAPSHOT_REPLAN_S old.
 */
#ifndef EKSAUTH_SNAPSHOT_H
#define EKSAUTH_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "eksauth/cluster.h"
#include "eksauth/config.h"
#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/paths.h"
#include "eksauth/status.h"

#define EKSAUTH_SNAPSHOT_STATE_MAX 4096 /* bytes of the state file */
#define EKSAUTH_SNAPSHOT_HOST_MAX  320  /* "<instance id> <private DNS name>" and its NUL */
/* The state's host when a template needed the instance and metadata did not answer. */
#define EKSAUTH_SNAPSHOT_HOST_UNKNOWN "unknown"

/*
 * The generation a state has when there is none to read (no state, one not
 * root's when trusted, one of an older eksauth): identity DB generations
 * start at 1 (lib/iddb_write.c), so it is never a sync's (lib/login.c,
 * lib/iddb_record.c).
 */
#define EKSAUTH_SNAPSHOT_NO_GENERATION 0u

struct eksauth_snapshot_state {
    char version[EKSAUTH_CLUSTER_VERSION_MAX]; /* "" when there is no snapshot */
    /*
     * The latest resourceVersion known (a list's, an event's or a
     * bookmark's): the next list or watch starts from it.
     */
    char rv[EKSAUTH_KUBE_RV_MAX];
    long long fetched_at; /* Unix time the snapshot was written, 0 when unknown */
    long long checked_at; /* Unix time a sync last found it current, 0 when unknown */
    char what[512];       /* where it came from */
    uint64_t generation;  /* of the DB written from it; EKSAUTH_SNAPSHOT_NO_GENERATION: none */
    char sha256[64 + 1];  /* of the snapshot, lower-case hex; "" when unknown */
    char inputs[64 + 1];  /* eksauth_snapshot_inputs of the sync that wrote it; "" when unknown */
    /*
     * The instance the DB's templates were bound to ({{EC2PrivateDNSName}},
     * lib/sync.c): "<instance id> <private DNS name>";
     * EKSAUTH_SNAPSHOT_HOST_UNKNOWN when a template needed it and instance
     * metadata did not answer; "" when no template needed it.  host_read:
     * the state has the line at all (one written before it existed does
     * not say, so the sync plans again).
     */
    char host[EKSAUTH_SNAPSHOT_HOST_MAX];
    bool host_read;
};

/*
 * How often a sync plans again from a snapshot that did not change: the
 * plan also depends on time (idle logins, tombstones that end) and on the
 * host's own files, so once a day at least.
 */
#define EKSAUTH_SNAPSHOT_REPLAN_S 86400

/*
 * The host's own inputs to the DB, beside aws-auth, as lower-case hex: the
 * config file's digest, the id key's public check value (cfg after
 * eksauth_ctx_id_key), the names and ids the local accounts own and the
 * version of eksauth that plans (PACKAGE_VERSION).  A sync writes nothing
 * for an unchanged source only while these are the same as when the DB
 * was written.
 */
void eksauth_snapshot_inputs(const struct eksauth_config *cfg,
                             const struct eksauth_hostfiles *local, char out[64 + 1]);

/* The same, as the eksauth of version planner would have them. */
void eksauth_snapshot_inputs_by(const char *planner, const struct eksauth_config *cfg,
                                const struct eksauth_hostfiles *local, char out[64 + 1]);

/* Whether data[0..len) is the snapshot state names (its SHA-256). */
bool eksauth_snapshot_is(const struct eksauth_snapshot_state *state, const char *data, size_t len);

/*
 * Read the state of paths (missing or unreadable: all empty).  With
 * trusted, a state file that is not root's alone is ignored: the version
 * decides whether the DB is rewritten.
 */
void eksauth_snapshot_state_read(const struct eksauth_paths *paths, bool trusted,
                                 struct eksauth_snapshot_state *state);

/*
 * Write snap as the snapshot and its state at now, for the identity DB of
 * generation the caller writes next from inputs (eksauth_snapshot_inputs)
 * with its templates bound to host (see the state's host), and update
 * *state.  The caller holds the identity DB's writer
 * lock (the DB and its snapshot change together); a killed writer's temp
 * files are swept first.
 */
enum eksauth_status eksauth_snapshot_write_locked(const struct eksauth_paths *paths,
                                                  const struct eksauth_cluster_snapshot *snap,
                                                  time_t now, uint64_t generation,
                                                  const char *inputs, const char *host,
                                                  struct eksauth_snapshot_state *state,
                                                  struct eksauth_error *err);

/*
 * eksauth_snapshot_write_locked in two steps, for the sync, which replaces
 * the identity DB with them: _prepare updates *state and writes the
 * snapshot's and the state's temp files (eksauth_file_prepare), replacing
 * nothing; _commit renames them into place, the snapshot first.  The sync
 * prepares the DB, the snapshot and the state before it commits any, so a
 * full disk or an I/O error leaves all three as they were (before, the
 * snapshot was replaced first, and a DB that then did not fit left logins
 * refused until a sync succeeded).  eksauth_snapshot_discard drops what was
 * prepared and not committed.
 */
struct eksauth_snapshot_pending {
    struct eksauth_file_pending snapshot, state;
};

enum eksauth_status eksauth_snapshot_prepare_locked(
    const struct eksauth_paths *paths, const struct eksauth_cluster_snapshot *snap, time_t now,
    uint64_t generation, const char *inputs, const char *host, struct eksauth_snapshot_state *state,
    struct eksauth_snapshot_pending *p, struct eksauth_error *err);
enum eksauth_status eksauth_snapshot_commit_locked(struct eksauth_snapshot_pending *p,
                                                   struct eksauth_error *err);
void eksauth_snapshot_discard(struct eksauth_snapshot_pending *p);

/*
 * Read the snapshot into *data (free it) and its state, the snapshot whole
 * (its SHA-256 the state's) and the one a DB of generation `generation`
 * was written from: sync writes the snapshot with the generation of the DB
 * it then writes, and recorded logins only add generations, so a snapshot
 * of a later generation is a sync under way.  EKSAUTH_EUNAVAIL when there
 * is none yet or it does not fit (the message says to run eksauth sync).
 * trusted as for eksauth_file_read.
 */
enum eksauth_status eksauth_snapshot_read(const struct eksauth_paths *paths, bool trusted,
                                          uint64_t generation, struct eksauth_snapshot_state *state,
                                          char **data, size_t *len, struct eksauth_error *err);

/*
 * A sync found the source still at state->version at now (rv, may be
 * NULL or "", the latest resourceVersion it saw): the state file says so
 * (checked_at, rv), under the writer lock.  Nothing is written when the
 * file holds another version (another sync wrote a newer snapshot since),
 * or, trusted (as for eksauth_file_read), is not root's alone: a confirm
 * rewrites it as root's, and must not so vouch for a file someone else
 * could have written.
 */
enum eksauth_status eksauth_snapshot_confirm(const struct eksauth_paths *paths, bool trusted,
                                             struct eksauth_snapshot_state *state, const char *rv,
                                             time_t now, struct eksauth_error *err);

/* "keeping the last good snapshot (V, N s old) and the identity DB", or that there is none. */
void eksauth_snapshot_state_age(const struct eksauth_snapshot_state *state, time_t now, char *out,
                                size_t outlen);

/*
 * For a login with max_age set (max_snapshot_age, seconds; 0: no limit):
 * EKSAUTH_OK when a sync confirmed the snapshot at most max_age seconds
 * before now, else EKSAUTH_EUNAVAIL saying how old it is (or that there is
 * none) and what to run.  The state is read as eksauth_snapshot_state_read
 * reads it.
 */
enum eksauth_status eksauth_snapshot_check_age(const struct eksauth_paths *paths, bool trusted,
                                               long max_age, time_t now, struct eksauth_error *err);

#endif
