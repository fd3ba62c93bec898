/*
 * sync_watch.c - a sync that follows the cluster source for ever (see
 * eksauth_sync_watch in sync.h; docs/fleet.md): list and apply, then the
 * Kubernetes watch API from the list's resourceVersion, resumed from the
 * latest version seen when a stream ends or breaks off; only a 410 Gone
 * lists again, spread over sync_spread.  A source that maps nobody (a
 * deleted ConfigMap), refused, is watched for its fix, never listed again
 * until then.  Access entries, which have no watch, are polled.  The local accounts are read again
 * at each wake-up: changed ones are planned with at once; so is this host's instance when instance
 * metadata did not answer before ({{EC2PrivateDNSName}} templates left unbound), until it answers.
 * An edited eksauth.conf ends it (with an error, so that systemd starts it again with the new
 * settings).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "eksauth/backoff.h"
#include "eksauth/cluster.h"
#include "eksauth/hostfiles.h"
#include "eksauth/imds.h"
#include "eksauth/kube.h"
#include "eksauth/sync.h"

#define BACKOFF_BASE_MS 1000  /* the window of the first reconnect */
#define BACKOFF_CAP_MS  30000 /* reconnects are at most this far apart */

struct watcher {
    struct eksauth_ctx *ctx;
    const struct eksauth_sync_options *opts;
    const struct eksauth_sync_watch *watch;
    struct eksauth_snapshot_state state;
    struct eksauth_backoff backoff;
    /*
     * The source maps nobody (a deleted ConfigMap, or every entry dropped)
     * and allow_empty is off: refused, the DB kept as last applied, never
     * confirmed as current.  Its fix is awaited on the watch, else polled
     * after refused_wait, which grows to the interval.
     */
    bool refused;
    struct eksauth_backoff refused_wait;
    /*
     * The last document was written without values the cluster drops
     * (report.dropped): a failure, said once, but the DB is the source as
     * the cluster maps it, kept under a version no list gives (lib/sync.c).
     * Followed on the watch like a refused one: a list would write it
     * again, fail again and list again, for ever.
     */
    bool dropped;
    long interval;
    bool k8s;    /* the source has the ConfigMap: watched */
    bool relist; /* an event needs the whole source read again (access entries too) */
    unsigned events;
    unsigned gone;                /* 410s in a row, with no stream that worked between */
    char rv[EKSAUTH_KUBE_RV_MAX]; /* the latest resourceVersion seen */
};

static bool stopped(const struct watcher *w)
{
    return w->watch->stop != NULL && w->watch->stop(w->watch->arg);
}

/* eksauth.conf edited since this process read it: a DB written now would be from the old one. */
static bool config_changed(const struct watcher *w)
{
    return w->ctx->config_read && eksauth_config_file_changed(&w->ctx->cfg, w->ctx->paths.config);
}

static void tell_failed(const struct watcher *w, const struct eksauth_error *err)
{
    if (w->watch->failed != NULL)
        w->watch->failed(w->watch->arg, err);
}

/* A report's warnings, told one by one as failures the watch goes on after. */
static void tell_warnings(const struct watcher *w, const struct eksauth_sync_report *report)
{
    struct eksauth_error e;
    size_t i;

    for (i = 0; i < report->warnings.n; i++) {
        eksauth_fail(&e, EKSAUTH_EIO, "%s", report->warnings.v[i]);
        tell_failed(w, &e);
    }
}

/* What a sync left stale (budget, throttling), told to the caller. */
static void tell_stale(const struct watcher *w, const struct eksauth_sync_report *report)
{
    if (report->stale.n > 0 && w->watch->stale != NULL)
        w->watch->stale(w->watch->arg, report);
}

/*
 * What a list, a poll or an event did, told to the caller.  An unchanged
 * one's warnings (an access entry cache that could not be read or kept, a
 * state not confirmed) are told as failures: eksauth sync prints them
 * beside "unchanged" (tools/cmd_sync.c).  A failed one's stale entries and
 * warnings come before its error, as a failed eksauth sync prints them:
 * what only they say (nscd's caches not dropped, entries skipped, access
 * entries not read again) is not lost.
 */
static void tell(const struct watcher *w, enum eksauth_status st,
                 const struct eksauth_sync_report *report, const struct eksauth_error *err)
{
    /*
     * Written without dropped values: the summary, then the failure, as
     * eksauth sync says it.  Found so already (a merged source's poll, a
     * list after a 410; lib/sync.c found_unchanged): nothing was applied,
     * so no summary; what an unchanged one has to tell, then the failure.
     */
    if (st != EKSAUTH_OK && report->dropped.n > 0) {
        if (!report->unchanged && w->watch->applied != NULL)
            w->watch->applied(w->watch->arg, report);
        tell_stale(w, report);
        if (report->unchanged)
            tell_warnings(w, report);
        tell_failed(w, err);
        return;
    }
    if (st != EKSAUTH_OK) {
        tell_stale(w, report);
        tell_warnings(w, report);
        tell_failed(w, err);
        return;
    }
    if (!report->unchanged && w->watch->applied != NULL)
        w->watch->applied(w->watch->arg, report);
    tell_stale(w, report);
    if (report->unchanged)
        tell_warnings(w, report);
}

/* The local accounts on disk against those the last plan was made with. */
enum local_accounts { LOCAL_SAME, LOCAL_CHANGED, LOCAL_UNREADABLE };

/*
 * The local accounts read again (eksauth_ctx_reload_local): a plan refuses
 * the names they own, and the state and login index carry their digest, so
 * a plan made with old ones serves a name the host now owns and sends every
 * login the slow way.  A change is told with what comes of it (then);
 * files that cannot be read are a failure, and nothing is kept of them, so
 * the next plan fails closed too and reads them anew once they can be read.
 */
static enum local_accounts check_local(const struct watcher *w, const char *then)
{
    struct eksauth_error err = {0};
    bool had = w->ctx->local_loaded, changed = false;
    char why[1024];

    if (eksauth_ctx_reload_local(w->ctx, &changed, &err) != EKSAUTH_OK) {
        eksauth_error_append(&err, "; the local accounts cannot be checked: no plan is made and "
                                   "the snapshot is not confirmed until they can be read");
        tell_failed(w, &err);
        return LOCAL_UNREADABLE;
    }
    if (!changed)
        return LOCAL_SAME;
    snprintf(why, sizeof(why), "local accounts (%.400s, %.400s, subuid, subgid) %s: %s",
             w->ctx->passwd_path != NULL ? w->ctx->passwd_path : EKSAUTH_HOSTFILES_PASSWD,
             w->ctx->group_path != NULL ? w->ctx->group_path : EKSAUTH_HOSTFILES_GROUP,
             had ? "changed" : "can be read again", then);
    if (w->watch->replanning != NULL)
        w->watch->replanning(w->watch->arg, why);
    return LOCAL_CHANGED;
}

/*
 * This host's instance asked again when the DB's {{EC2PrivateDNSName}}
 * templates were left unbound (the state's host is
 * EKSAUTH_SNAPSHOT_HOST_UNKNOWN: instance metadata did not answer,
 * lib/sync.c) and the context keeps that failure: throttled, booting or
 * short of hops then, it may answer now.  At most one
 * read per wake-up, and only after a failure (an answer is kept for the
 * process's life).  True when it answers: told with what comes of it
 * (then); the next plan binds the templates, as the state's host differs.
 */
static bool check_instance(const struct watcher *w, const char *then)
{
    const struct eksauth_host_instance *inst = &w->ctx->instance;
    struct eksauth_error err;
    char why[512];

    if (strcmp(w->state.host, EKSAUTH_SNAPSHOT_HOST_UNKNOWN) != 0 ||
        !eksauth_ctx_retry_instance(w->ctx))
        return false;
    /* Still no answer: kept as the failure, asked again at the next wake-up. */
    if (eksauth_imds_host_instance(w->ctx->cfg.imds_endpoint, &w->ctx->instance, &err) !=
        EKSAUTH_OK)
        return false;
    /* Both values had their shapes checked (imds.c): an id and a DNS name, nothing to escape. */
    snprintf(why, sizeof(why),
             "instance metadata answers again (%s %s): %s (the {{EC2PrivateDNSName}} templates)",
             inst->instance_id, inst->private_dns_name, then);
    if (w->watch->replanning != NULL)
        w->watch->replanning(w->watch->arg, why);
    return true;
}

/*
 * nscd's caches, when an earlier write could not have them dropped
 * (sync.h): asked again at each stream's end, as a timer's sync asks at
 * each run; the watch may not list again for days.  Still refused: told.
 */
static void nscd_owed(const struct watcher *w)
{
    struct eksauth_sync_report report;

    memset(&report, 0, sizeof(report));
    report.unchanged = true;
    eksauth_sync_nscd_owed(w->ctx, &report);
    tell(w, EKSAUTH_OK, &report, NULL);
    eksauth_sync_report_free(&report);
}

/*
 * A stream that ran its course while the source maps nobody: said at each
 * end, and never confirmed, so max_snapshot_age counts on from the last
 * document applied (docs/fleet.md, "A deleted aws-auth").
 */
static void tell_refused(const struct watcher *w)
{
    struct eksauth_error e;

    eksauth_fail(&e, EKSAUTH_EINVAL,
                 "aws-auth still maps nobody: the identity DB stays as applied from %s, not "
                 "confirmed current; restore aws-auth (or run with --allow-empty to empty the DB)",
                 w->state.version[0] != '\0' ? w->state.version : "none");
    tell_failed(w, &e);
}

static void wait_ms(const struct watcher *w, long ms)
{
    w->ctx->services.sleep_ms(ms);
}

/* interval seconds, +-20%: hosts started together do not stay in step. */
static long jittered_s(const struct watcher *w)
{
    long spread_ms = w->interval * 400;

    return (w->interval * 800 + eksauth_jitter_ms(spread_ms, w->ctx->services.random_u32()) + 500) /
           1000;
}

/* Apply one snapshot and tell the caller what happened; a refusal keeps the DB. */
static enum eksauth_status apply(struct watcher *w, const struct eksauth_cluster_snapshot *snap)
{
    struct eksauth_sync_report report;
    struct eksauth_error err = {0};
    enum eksauth_status st;

    memset(&report, 0, sizeof(report));
    st = eksauth_sync_snapshot(w->ctx, w->opts, &w->state, snap, &report, &err);
    w->refused = st != EKSAUTH_OK && report.refused_empty;
    w->dropped = st != EKSAUTH_OK && report.dropped.n > 0;
    tell(w, st, &report, &err);
    eksauth_sync_report_free(&report);
    return st;
}

/* (Re)list: the whole source from the latest version seen, applied when its version moved. */
static enum eksauth_status relist(struct watcher *w)
{
    struct eksauth_sync_report report;
    struct eksauth_error err = {0};
    enum eksauth_status st;

    memset(&report, 0, sizeof(report));
    if (w->rv[0] != '\0')
        snprintf(w->state.rv, sizeof(w->state.rv), "%s", w->rv);
    st = eksauth_sync_fetch(w->ctx, w->opts, &w->state, &report, &err);
    w->refused = st != EKSAUTH_OK && report.refused_empty;
    w->dropped = st != EKSAUTH_OK && report.dropped.n > 0;
    tell(w, st, &report, &err);
    /*
     * Unchanged, and not confirmed: said by tell() among the warnings
     * (max_snapshot_age counts from the state), not fatal.
     */
    if (st == EKSAUTH_OK)
        snprintf(w->rv, sizeof(w->rv), "%s", w->state.rv);
    /*
     * Refused, or written without dropped values: the list answered, and
     * its version is where the watch for the fix starts.
     */
    else if ((w->refused || w->dropped) && report.rv[0] != '\0')
        snprintf(w->rv, sizeof(w->rv), "%s", report.rv);
    eksauth_sync_report_free(&report);
    return st;
}

static int on_event(void *arg, const struct eksauth_kube_event *ev)
{
    struct watcher *w = arg;
    struct eksauth_cluster_snapshot snap;
    struct eksauth_error note;

    w->events++;
    /* A bookmark only moves the version a resumed watch starts from. */
    if (ev->rv[0] != '\0')
        snprintf(w->rv, sizeof(w->rv), "%s", ev->rv);
    if (ev->type == EKSAUTH_KUBE_BOOKMARK)
        return 0;
    /* Stop the stream; the loop ends the watch (eksauth_sync_watch). */
    if (config_changed(w)) {
        w->relist = true;
        return 1;
    }
    /* With access entries too, the merged document is rebuilt by a full fetch. */
    if (w->ctx->cfg.source != EKSAUTH_SOURCE_KUBERNETES) {
        w->relist = true;
        return 1;
    }
    memset(&snap, 0, sizeof(snap));
    snprintf(snap.version, sizeof(snap.version), "k8s:%s", ev->rv);
    snprintf(snap.rv, sizeof(snap.rv), "%s", ev->rv);
    if (ev->type == EKSAUTH_KUBE_DELETED) {
        eksauth_fail(&note, EKSAUTH_ENOTFOUND, "the aws-auth ConfigMap was deleted");
        tell_failed(w, &note);
        snap.data = (char *)EKSAUTH_KUBE_NO_AWS_AUTH;
        snap.len = strlen(EKSAUTH_KUBE_NO_AWS_AUTH);
        snprintf(snap.what, sizeof(snap.what), "%.300s (deleted aws-auth)",
                 w->ctx->cfg.cluster_endpoint);
    } else {
        snap.data = ev->object;
        snap.len = ev->object_len;
        snprintf(snap.what, sizeof(snap.what), "%.300s ConfigMap kube-system/aws-auth (watch)",
                 w->ctx->cfg.cluster_endpoint);
    }
    /* The change is planned with the accounts on disk now. */
    (void)check_local(w, "planning this change with them");
    /*
     * Not applied (a full disk, no memory, a DB untrusted for a moment, or a
     * document refused): the stream has moved past this change and would
     * never send it again, and a stream that ends well would confirm the
     * old snapshot.  List instead, after the backoff while it fails, so a
     * revocation lands once the host can write it.  But a document refused
     * because it maps nobody (a deleted ConfigMap) is the source as it is:
     * a list would answer the same, every 30 s on every host until it is
     * fixed; its fix is the next event of this stream, and a stream that
     * ends refused confirms nothing (follow).  A document written without
     * values the cluster drops was applied (w->dropped): a list would
     * write it again and fail again, for ever.
     */
    if (apply(w, &snap) != EKSAUTH_OK && !w->dropped) {
        if (w->refused)
            return 0;
        w->relist = true;
        return 1;
    }
    /*
     * The instance after the change, never before: a revocation must not
     * wait for instance metadata that times out.  Answering now, its
     * templates are bound by a list (the stream stops for it).
     */
    if (check_instance(w, "planning again")) {
        w->relist = true;
        return 1;
    }
    return 0;
}

/*
 * One watch stream after another from w->rv; returns when a list is due:
 * an event of a merged source, the poll of access entries, a 410 Gone.
 */
static void follow(struct watcher *w)
{
    struct eksauth_error err, cerr;
    enum eksauth_status st;
    long retry_after = 0, wait, timeout_s;
    long long started, lasted;
    enum local_accounts local;
    bool cut_short;

    while (!stopped(w) && !config_changed(w)) {
        w->events = 0;
        w->relist = false;
        timeout_s = jittered_s(w);
        started = w->ctx->services.now_ms();
        st = w->ctx->services.kube_watch(&w->ctx->cfg, w->rv, timeout_s, on_event, w, &retry_after,
                                         &err);
        if (w->relist)
            return;
        /*
         * Ended well, at once: a server or proxy that cuts every watch
         * short, with nothing in it or after a bookmark or an event of its
         * own.  Taken as a drop (the backoff, growing, and no confirmation),
         * or a fleet would ask (and write its state) as fast as it is
         * answered.  Events it carried were applied (on_event).
         */
        lasted = w->ctx->services.now_ms() - started;
        cut_short = st == EKSAUTH_OK && lasted < timeout_s * 1000 / 2;
        if (cut_short)
            st = eksauth_fail(&err, EKSAUTH_EUNAVAIL,
                              "Kubernetes API: watch: the stream ended after %lld ms of %ld s%s",
                              lasted, timeout_s, w->events == 0 ? ", with nothing in it" : "");
        /* A stream that delivered something worked: a drop after it starts the backoff over. */
        if (w->events > 0 && !cut_short) {
            eksauth_backoff_reset(&w->backoff);
            w->gone = 0;
        }
        if (st == EKSAUTH_OK) {
            eksauth_backoff_reset(&w->backoff);
            w->gone = 0;
            /*
             * The stream ran its course: the snapshot was current until now,
             * if the local accounts are still those it was planned with and
             * its templates did not wait for instance metadata that answers
             * now.  Neither is confirmed: list again, and that list's plan
             * sees other host inputs, or another host, than the state's
             * (sync.c).
             */
            if (w->refused) {
                /*
                 * Refused: the document maps nobody whatever this host's
                 * accounts or instance (a plan would refuse it again), and
                 * the DB is not the source's to confirm.
                 */
                tell_refused(w);
            } else {
                local = check_local(w, "planning again");
                if (local == LOCAL_CHANGED || check_instance(w, "planning again"))
                    return;
                if (local == LOCAL_SAME &&
                    eksauth_snapshot_confirm(&w->ctx->paths, w->ctx->trust_files, &w->state, w->rv,
                                             time(NULL), &cerr) != EKSAUTH_OK)
                    tell_failed(w, &cerr);
            }
            nscd_owed(w);
            /* Access entries are due for their poll. */
            if (w->ctx->cfg.source != EKSAUTH_SOURCE_KUBERNETES)
                return;
            continue;
        }
        if (st == EKSAUTH_ENOTFOUND) {
            /*
             * 410 Gone: our version left the server's history (it
             * restarted, or we were away long).  Every watcher of a
             * restarted server hears this at once: list again at a random
             * moment of the next sync_spread seconds, and back off too when
             * the server says it again right after a list.
             */
            wait = eksauth_jitter_ms(w->ctx->cfg.sync_spread * 1000, w->ctx->services.random_u32());
            if (w->gone++ > 0)
                wait += eksauth_backoff_next(&w->backoff, 0, w->ctx->services.random_u32());
            eksauth_error_append(&err, "; listing again in %.1f s", (double)wait / 1000);
            tell_failed(w, &err);
            wait_ms(w, wait);
            return;
        }
        /*
         * A drop, a refusal, throttling: resume from the latest version seen,
         * after a backoff.  A server's (or a proxy's) Retry-After counts up
         * to the cap only: a day's wait would stop every revocation for a day.
         */
        if (retry_after > BACKOFF_CAP_MS)
            retry_after = BACKOFF_CAP_MS;
        wait = eksauth_backoff_next(&w->backoff, retry_after, w->ctx->services.random_u32());
        eksauth_error_append(&err, "; reconnecting in %.1f s", (double)wait / 1000);
        tell_failed(w, &err);
        wait_ms(w, wait);
    }
}

enum eksauth_status eksauth_sync_watch(struct eksauth_ctx *ctx,
                                       const struct eksauth_sync_options *opts,
                                       const struct eksauth_sync_watch *watch,
                                       struct eksauth_error *err)
{
    struct watcher w;

    if (ctx->cfg.source == EKSAUTH_SOURCE_FILE || opts->aws_auth_path != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "--watch needs source = kubernetes, eks-api, kubernetes+eks-api or "
                            "auto");
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    w.opts = opts;
    w.watch = watch;
    w.interval = watch->interval > 0 ? watch->interval : 60;
    w.k8s = ctx->cfg.source == EKSAUTH_SOURCE_KUBERNETES ||
            ctx->cfg.source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    eksauth_backoff_init(&w.backoff, BACKOFF_BASE_MS, BACKOFF_CAP_MS);
    /* A fix noticed soon after a slip (a delete and apply), the interval's load while it lasts. */
    eksauth_backoff_init(&w.refused_wait, BACKOFF_BASE_MS, w.interval * 1000);
    eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, &w.state);
    snprintf(w.rv, sizeof(w.rv), "%s", w.state.rv);
    /*
     * A restart, with a snapshot in force (eksauth.conf pushed to a fleet
     * ends every watch, and systemd starts them 5 s later; a package
     * upgrade): the first list at a random moment of the next sync_spread
     * seconds, as after a 410, or a fleet restarted together lists (and
     * has its tokens checked) in the same second.  A first start lists at
     * once: until then no DB serves anyone.
     */
    if (w.state.version[0] != '\0' && !stopped(&w))
        wait_ms(&w, eksauth_jitter_ms(ctx->cfg.sync_spread * 1000, ctx->services.random_u32()));
    while (!stopped(&w)) {
        /* Exit, to be started again with the new settings (systemd's Restart=on-failure). */
        if (config_changed(&w))
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "%s changed since this watch started: exiting, to start again "
                                "with it",
                                ctx->paths.config);
        /* A list plans with the accounts on disk now (none kept: the plan reads them). */
        if (ctx->local_loaded)
            (void)check_local(&w, "planning again");
        /* And with this host's instance if instance metadata answers now (the answer is kept). */
        (void)check_instance(&w, "planning again");
        if (relist(&w) != EKSAUTH_OK && !w.refused && !w.dropped) {
            /* The fetch tried again already (budget.h): this is the wait between syncs. */
            wait_ms(&w, eksauth_backoff_next(&w.backoff, 0, ctx->services.random_u32()));
            continue;
        }
        /* The source answered (refused or not): its failures are over. */
        eksauth_backoff_reset(&w.backoff);
        if (!w.refused)
            eksauth_backoff_reset(&w.refused_wait);
        if (!w.k8s || w.rv[0] == '\0') {
            /* Access entries have no watch: polled; a refused source sooner at first. */
            wait_ms(&w, w.refused
                            ? eksauth_backoff_next(&w.refused_wait, 0, ctx->services.random_u32())
                            : jittered_s(&w) * 1000);
            continue;
        }
        follow(&w);
    }
    return EKSAUTH_OK;
}
