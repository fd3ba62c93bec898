/*
 * sync_watch.c - a sync that follows the cluster source for ever (see
 * eksauth_sync_watch in sync.h): list and apply, then the Kubernetes watch
 * API from the listed resourceVersion; access entries, which have no watch,
 * are polled.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eksauth/cluster.h"
#include "eksauth/kube.h"
#include "eksauth/sync.h"

#define BACKOFF_MAX    30 /* seconds between reconnects at most */
#define EMPTY_AWS_AUTH "{\"mapRoles\": \"[]\", \"mapUsers\": \"[]\", \"mapAccounts\": \"[]\"}"

struct watcher {
    struct eksauth_ctx *ctx;
    const struct eksauth_sync_options *opts;
    const struct eksauth_sync_watch *watch;
    struct eksauth_snapshot_state state;
    bool relist;
    unsigned events;
    char rv[EKSAUTH_KUBE_RV_MAX];
};

static void tell_failed(const struct watcher *w, const struct eksauth_error *err)
{
    if (w->watch->failed != NULL)
        w->watch->failed(w->watch->arg, err);
}

/* Apply one snapshot and tell the caller what happened; a refusal keeps the DB and goes on. */
static void apply(struct watcher *w, const struct eksauth_cluster_snapshot *snap)
{
    struct eksauth_sync_report report;
    struct eksauth_error err = {0};

    memset(&report, 0, sizeof(report));
    if (eksauth_sync_snapshot(w->ctx, w->opts, &w->state, snap, &report, &err) != EKSAUTH_OK)
        tell_failed(w, &err);
    else if (!report.unchanged && w->watch->applied != NULL)
        w->watch->applied(w->watch->arg, &report);
    eksauth_sync_report_free(&report);
}

/* (Re)list: the whole source, applied when its version moved. */
static enum eksauth_status relist(struct watcher *w)
{
    struct eksauth_sync_report report;
    struct eksauth_error err = {0};
    enum eksauth_status st;

    memset(&report, 0, sizeof(report));
    st = eksauth_sync_fetch(w->ctx, w->opts, &w->state, &report, &err);
    if (st != EKSAUTH_OK)
        tell_failed(w, &err);
    else if (!report.unchanged && w->watch->applied != NULL)
        w->watch->applied(w->watch->arg, &report);
    eksauth_sync_report_free(&report);
    return st;
}

static int on_event(void *arg, const struct eksauth_kube_event *ev)
{
    struct watcher *w = arg;
    struct eksauth_cluster_snapshot snap;
    struct eksauth_error note;

    w->events++;
    if (ev->rv[0] != '\0')
        snprintf(w->rv, sizeof(w->rv), "%s", ev->rv);
    if (ev->type == EKSAUTH_KUBE_BOOKMARK)
        return 0;
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
        snap.data = (char *)EMPTY_AWS_AUTH;
        snap.len = strlen(EMPTY_AWS_AUTH);
        snprintf(snap.what, sizeof(snap.what), "%.300s (deleted aws-auth)",
                 w->ctx->cfg.cluster_endpoint);
    } else {
        snap.data = ev->object;
        snap.len = ev->object_len;
        snprintf(snap.what, sizeof(snap.what), "%.300s ConfigMap kube-system/aws-auth (watch)",
                 w->ctx->cfg.cluster_endpoint);
    }
    apply(w, &snap);
    return 0;
}

static void backoff_sleep(unsigned *backoff)
{
    sleep(*backoff);
    *backoff = *backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : *backoff * 2;
}

/* One watch stream after another from w->rv; returns when a relist is due. */
static void follow(struct watcher *w, long interval, unsigned *backoff, bool *fresh)
{
    struct eksauth_error err;
    enum eksauth_status st;

    for (;;) {
        w->events = 0;
        st = eksauth_kube_watch(&w->ctx->cfg, w->rv, interval, on_event, w, &err);
        if (w->relist)
            return;
        /* A stream that delivered something worked: a drop after it is not a backoff. */
        if (w->events > 0)
            *backoff = 1;
        if (st == EKSAUTH_OK) {
            *backoff = 1;
            /* The stream ended (timeoutSeconds): access entries are due for a poll. */
            if (w->ctx->cfg.source != EKSAUTH_SOURCE_KUBERNETES)
                return;
            continue; /* reconnect from the last resourceVersion seen */
        }
        if (st == EKSAUTH_ENOTFOUND) {
            /* 410 Gone: our resourceVersion was compacted away; list again. */
            eksauth_error_append(&err, "; listing again");
            tell_failed(w, &err);
            /* Gone again right after a fresh start: the server is confused; slow down. */
            if (w->rv[0] == '\0')
                backoff_sleep(backoff);
            *fresh = true;
            return;
        }
        eksauth_error_append(&err, "; reconnecting in %u s", *backoff);
        tell_failed(w, &err);
        backoff_sleep(backoff);
    }
}

enum eksauth_status eksauth_sync_watch(struct eksauth_ctx *ctx,
                                       const struct eksauth_sync_options *opts,
                                       const struct eksauth_sync_watch *watch,
                                       struct eksauth_error *err)
{
    bool k8s = ctx->cfg.source == EKSAUTH_SOURCE_KUBERNETES ||
               ctx->cfg.source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    long interval = watch->interval > 0 ? watch->interval : 60;
    unsigned backoff = 1;
    bool fresh = false; /* after a 410: watch from the current state, not a version */
    struct watcher w;

    if (ctx->cfg.source == EKSAUTH_SOURCE_FILE || opts->aws_auth_path != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "--watch needs source = kubernetes, eks-api, kubernetes+eks-api or "
                            "auto");
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    w.opts = opts;
    w.watch = watch;
    eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, &w.state);
    for (;;) {
        if (relist(&w) != EKSAUTH_OK) {
            backoff_sleep(&backoff);
            continue;
        }
        backoff = 1;
        if (!k8s || w.state.rv[0] == '\0') {
            sleep((unsigned)interval); /* access entries have no watch: polled */
            continue;
        }
        w.relist = false;
        snprintf(w.rv, sizeof(w.rv), "%s", fresh ? "" : w.state.rv);
        fresh = false;
        follow(&w, interval, &backoff, &fresh);
    }
}
