/*
 * sync.h - one sync of the identity DB from aws-auth, as `eksauth sync`,
 * its timer and its watch do it (docs/design.md, "The sync").
 *
 * The source: a file (--aws-auth FILE or the config's aws_auth_file), or
 * the cluster itself (source = kubernetes | eks-api | kubernetes+eks-api:
 * cluster.h fetches).  A cluster source keeps, beside the identity DB, the
 * last good snapshot of what it fetched and its version (snapshot.h); a
 * fetch whose version is the one applied writes nothing, and a fetch that
 * fails leaves the snapshot and the DB as they were.
 *
 * Applying a document, under the DB writer's lock: the current DB (its ids
 * are the seeds of the plan: an id never changes once given), the plan of
 * the new aws-auth (identity.h: every static user and group; collisions,
 * local names and denied names refused with a warning), the logins
 * recorded from templates whose mapping still holds (groups recomputed,
 * uid kept), the rest dropped (revocation); then an atomic replace.  A
 * document that does not parse leaves the DB untouched, and one that maps
 * nobody is written only when allow_empty says so.
 */
#ifndef EKSAUTH_SYNC_H
#define EKSAUTH_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/context.h"
#include "eksauth/cluster.h"
#include "eksauth/paths.h"
#include "eksauth/snapshot.h"
#include "eksauth/status.h"
#include "eksauth/strlist.h"

struct eksauth_sync_options {
    const char *aws_auth_path; /* a file instead of the configured source */
    bool allow_empty;          /* write an aws-auth that maps nobody (removes every user) */
    bool force;                /* write even when the cluster source's version did not change */
    /*
     * A file source too is "unchanged" when its bytes, the host's inputs
     * and the DB are as a sync under a day ago left them (the timer's
     * runs: a read and a hash); without it a file is planned every time,
     * so whoever runs eksauth sync by hand gets the whole summary.
     */
    bool if_changed;
};

/* What one sync did, for the summary the command line prints. */
struct eksauth_sync_report {
    char db[EKSAUTH_PATH_MAX];
    char source[EKSAUTH_PATH_MAX + 64]; /* where the aws-auth came from */
    bool unchanged;                     /* the source's version was already applied: no write */
    /*
     * Unchanged, but the state could not record that it was found current
     * (its checked_at, which max_snapshot_age counts from): why, else "".
     * eksauth_sync_run fails then (EKSAUTH_EIO); the watch says so and goes on.
     */
    char unconfirmed[EKSAUTH_ERROR_MAX];
    /*
     * Another sync wrote the snapshot after this one read its state (before
     * its fetch): nothing written, as what this one read may be older
     * (EKSAUTH_EUNAVAIL); eksauth_sync_run and eksauth_sync_fetch read the
     * source again.
     */
    bool superseded;
    char version[EKSAUTH_CLUSTER_VERSION_MAX]; /* of a cluster source, else "" */
    uint64_t generation;                       /* of the DB written */
    uint32_t users, groups;                    /* in the DB written */
    struct eksauth_strlist templates;          /* username templates NSS answers for */
    struct eksauth_strlist added;              /* users new in this generation */
    struct eksauth_strlist removed;            /* "login (why)" */
    struct eksauth_strlist kept;               /* recorded logins whose mapping still holds */
    struct eksauth_strlist warnings;
    /*
     * Values of aws-auth dropped whole, as the cluster drops them
     * ("mapRoles (3:7: <why>)"): the DB is written without their entries,
     * and the sync then fails (EKSAUTH_EINVAL) so that it is seen; a later
     * sync of the same document finds it applied (unchanged, nothing
     * written) and fails again with the same message.
     */
    struct eksauth_strlist dropped;
    bool db_not_served; /* the DB is not the one the NSS module reads (paths.h) */
    /*
     * The document maps nobody and allow_empty is off (a deleted ConfigMap
     * included): refused, the DB kept.  The watch follows the source for
     * its fix rather than list it again (lib/sync_watch.c).
     */
    bool refused_empty;
    /* A cluster source that answered: the list's resourceVersion ("" none), a watch's start. */
    char rv[EKSAUTH_KUBE_RV_MAX];
    /*
     * nscd's caches, when there is news of them (NULL: none, or dropped at
     * the first ask): "dropped on a retry", "dropped (...)" with why a drop
     * was owed before this run (lib/sync.c owed_because), or "pending" (not
     * dropped: kept beside the DB as owed, and the next sync, changed or
     * not, asks again; the warnings say why).
     */
    const char *nscd;
    /* A cluster source: what the sync asked of it (budget.h) and what it left stale. */
    unsigned requests, retries, throttled;
    struct eksauth_strlist stale; /* freshness the budget or throttling delayed (cluster.h) */
};

/*
 * One sync of ctx's source (opts->aws_auth_path overrides it) into
 * ctx->paths.db; *report is filled (release it with
 * eksauth_sync_report_free, also after a failure).  A cluster source that
 * cannot be read: its status, and the message says how old the snapshot
 * kept in force is.
 */
enum eksauth_status eksauth_sync_run(struct eksauth_ctx *ctx,
                                     const struct eksauth_sync_options *opts,
                                     struct eksauth_sync_report *report, struct eksauth_error *err);

/*
 * One aws-auth document (snap: its bytes, where it came from, its version
 * and the warnings of reading it) into the DB, and kept beside it as the
 * snapshot every login maps with (snapshot.h); *state (may be NULL) is
 * updated.  *state is the state as read before snap was: when the state
 * on disk is another by the time the writer's lock is held, another sync
 * wrote meanwhile and nothing is written (report->superseded).  A document
 * with dropped values (report->dropped) is written without them, as the
 * cluster maps without them, and then EKSAUTH_EINVAL names them; its state
 * keeps the version "<version>!dropped", which no fetch gives.
 */
enum eksauth_status eksauth_sync_apply(struct eksauth_ctx *ctx,
                                       const struct eksauth_cluster_snapshot *snap,
                                       bool allow_empty, struct eksauth_snapshot_state *state,
                                       struct eksauth_sync_report *report,
                                       struct eksauth_error *err);

/*
 * A cluster source, read now (cluster.h) within a budget of
 * sync_max_requests requests, from state->rv and the access entries read
 * before (entry_cache.h, kept beside the DB), then eksauth_sync_snapshot;
 * a snapshot found unchanged is confirmed in the state (checked_at).  A
 * source that cannot be read: its status, and the message says how old
 * the snapshot kept in force is (state is re-read for it).
 */
enum eksauth_status eksauth_sync_fetch(struct eksauth_ctx *ctx,
                                       const struct eksauth_sync_options *opts,
                                       struct eksauth_snapshot_state *state,
                                       struct eksauth_sync_report *report,
                                       struct eksauth_error *err);

/*
 * A fetched (or watched) snapshot of the cluster source: nothing written
 * when its version is state's and the DB exists (report->unchanged) unless
 * opts->force; else applied, then kept as the snapshot with its state.
 * The same bytes applied without their dropped values (the state's
 * version is "<version>!dropped") are unchanged too, nothing written, but
 * EKSAUTH_EINVAL names them again (report->dropped), as at each sync until
 * aws-auth is fixed; the caller confirms the state either way
 * (eksauth_sync_fetch does).
 */
enum eksauth_status eksauth_sync_snapshot(struct eksauth_ctx *ctx,
                                          const struct eksauth_sync_options *opts,
                                          struct eksauth_snapshot_state *state,
                                          const struct eksauth_cluster_snapshot *snap,
                                          struct eksauth_sync_report *report,
                                          struct eksauth_error *err);

void eksauth_sync_report_free(struct eksauth_sync_report *report);

/*
 * Drop nscd's caches when an earlier writer could not, or was killed
 * before nscd answered (the mark EKSAUTH_NSCD_PENDING_NAME beside the DB,
 * paths.h, or a claim left there, nscd.h): the watch asks at
 * each stream's end, as a timer's sync does at each run.  r->nscd and
 * r->warnings say what came of it; nothing when nothing was owed.
 */
void eksauth_sync_nscd_owed(struct eksauth_ctx *ctx, struct eksauth_sync_report *r);

/*
 * What a watch tells its caller: each applied change, each list or poll
 * that left something stale, each time it plans again for a reason of this
 * host's own (the local accounts changed, or instance metadata answers
 * again for an unbound {{EC2PrivateDNSName}} template), and each failure it
 * goes on after.
 */
struct eksauth_sync_watch {
    long interval; /* seconds: access entries' poll and a watch stream's length (default 60) */
    void (*applied)(void *arg, const struct eksauth_sync_report *report);
    void (*stale)(void *arg, const struct eksauth_sync_report *report); /* may be NULL */
    void (*replanning)(void *arg, const char *why);                     /* may be NULL */
    void (*failed)(void *arg, const struct eksauth_error *err);
    bool (*stop)(void *arg); /* may be NULL; true: return (tests) */
    void *arg;
};

/*
 * Follow ctx's cluster source for ever (docs/fleet.md): list, apply what
 * changed, then the Kubernetes watch API from the list's resourceVersion
 * with bookmarks, one stream after another, each about interval seconds
 * long (+-20%, so a fleet's streams do not end together); access entries,
 * which have no watch, are polled as often.  A stream that ends is
 * followed by the next from the latest version seen; one that breaks off
 * is resumed from it after capped exponential backoff with full jitter
 * (and the server's Retry-After); only a 410 Gone lists again, after a
 * random wait of up to sync_spread seconds, so a fleet whose API server
 * restarted does not list again in the same second; so does a watch
 * started with a snapshot already in force (a fleet restarted together),
 * before its first list.  A document that maps
 * nobody (a deleted ConfigMap) without opts->allow_empty is refused, the DB
 * kept and never confirmed, and the watch goes on from its version for the
 * fix (a polled source: after a wait that grows to interval), never listed
 * again after each failure's backoff (docs/fleet.md).  One written without
 * values the cluster drops (report->dropped: its summary told through
 * watch->applied, then its failure, once) is followed from its version
 * too, never listed and written again after it.  A merged or polled
 * source lists at each poll: each such list finds it applied (no summary,
 * nothing written) and tells its failure again (docs/fleet.md).  The local accounts
 * (/etc/passwd, /etc/group) are read again before each event is applied,
 * at the end of each stream and before each list (eksauth_ctx_reload_local):
 * accounts that changed are planned with at once (a stream's end lists
 * again rather than confirm a snapshot planned with the old ones), and
 * files that cannot be read are a failure told, never confirmed.  When the
 * DB's {{EC2PrivateDNSName}} templates were left unbound (instance metadata
 * did not answer), it is asked again at those wake-ups, at most once each
 * (after an event is applied, never before it), until it answers; then a
 * list binds them.  Returns when the source is a file (EKSAUTH_EINVAL), or
 * when watch->stop says so (EKSAUTH_OK).
 */
enum eksauth_status eksauth_sync_watch(struct eksauth_ctx *ctx,
                                       const struct eksauth_sync_options *opts,
                                       const struct eksauth_sync_watch *watch,
                                       struct eksauth_error *err);

#endif
