/*
 * sync_cluster.c - `eksauth sync` with source = kubernetes | eks-api |
 * kubernetes+eks-api (see sync_cluster.h).
 *
 * Beside the identity DB live the last good snapshot of the source
 * ("aws-auth.snapshot", the aws-auth document) and its state
 * ("aws-auth.state": version, fetch time, where from).  A fetch whose
 * version equals the state's writes nothing (a ConfigMap's resourceVersion
 * changes with every edit; access entries are hashed).  A fetch that fails
 * leaves both and the DB alone, and says how old they are.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_iddb.h"
#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/cluster.h"
#include "eksauth/kube.h"
#include "sync_cluster.h"

#define STATE_MAX      4096
#define BACKOFF_MAX    30 /* seconds between reconnects at most */
#define EMPTY_AWS_AUTH "{\"mapRoles\": \"[]\", \"mapUsers\": \"[]\", \"mapAccounts\": \"[]\"}"

bool sync_cluster_option(struct sync_cluster_opts *opts, int argc, char **argv, size_t *i)
{
    const char *a = argv[*i], *v = NULL;
    char *end;
    long n;

    if (strcmp(a, "--watch") == 0) {
        opts->watch = true;
        return true;
    }
    if (strcmp(a, "--force") == 0) {
        opts->force = true;
        return true;
    }
    if (strcmp(a, "--interval") == 0) {
        if (*i + 1 >= (size_t)argc) {
            cli_error("usage", "sync: --interval needs a value");
            opts->bad = true;
            return true;
        }
        v = argv[++*i];
    } else if (strncmp(a, "--interval=", 11) == 0) {
        v = a + 11;
    } else {
        return false;
    }
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < 1 || n > 3600) {
        cli_error("usage", "sync: --interval must be 1 to 3600 seconds");
        opts->bad = true;
    }
    opts->interval = n;
    return true;
}

struct state {
    char version[EKSAUTH_CLUSTER_VERSION_MAX];
    char rv[EKSAUTH_KUBE_RV_MAX];
    long long fetched_at;
    char snapshot_path[4200], state_path[4200];
    char db_path[4096]; /* its writer's lock also guards the two files above */
};

static void state_paths(struct eksauth_cli *cli, struct state *s)
{
    char dbcopy[4096];
    const char *dir;

    snprintf(s->db_path, sizeof(s->db_path), "%s", cmd_iddb_path(cli));
    snprintf(dbcopy, sizeof(dbcopy), "%s", s->db_path); /* dirname() writes into its argument */
    dir = dirname(dbcopy);
    snprintf(s->snapshot_path, sizeof(s->snapshot_path), "%s/aws-auth.snapshot", dir);
    snprintf(s->state_path, sizeof(s->state_path), "%s/aws-auth.state", dir);
}

/* The state file: "version=...", "rv=...", "fetched_at=..." lines.  Missing: all empty. */
static void state_read(struct state *s)
{
    struct eksauth_error err;
    char *text = NULL, *line, *save = NULL;
    size_t len = 0;

    s->version[0] = '\0';
    s->rv[0] = '\0';
    s->fetched_at = 0;
    /* Root-owned when we run as root: the version decides whether the DB is rewritten. */
    if (eksauth_file_read(s->state_path, STATE_MAX, geteuid() == 0, &text, &len, &err) !=
        EKSAUTH_OK)
        return;
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "version=", 8) == 0)
            snprintf(s->version, sizeof(s->version), "%s", line + 8);
        else if (strncmp(line, "rv=", 3) == 0 && eksauth_kube_rv_valid(line + 3))
            snprintf(s->rv, sizeof(s->rv), "%s", line + 3);
        else if (strncmp(line, "fetched_at=", 11) == 0)
            s->fetched_at = strtoll(line + 11, NULL, 10);
    }
    free(text);
}

static enum eksauth_status state_write(struct state *s, const struct eksauth_cluster_snapshot *snap,
                                       const char *data, size_t len, struct eksauth_error *err)
{
    char text[STATE_MAX];
    enum eksauth_status st;
    int n, lock = -1;

    /*
     * Under the identity DB's writer lock: a timer sync and a watch never
     * interleave these files, and a temp file of theirs found now is a
     * killed writer's, which would otherwise hold disk space for ever.
     */
    st = eksauth_iddb_lock(s->db_path, &lock, err);
    if (st != EKSAUTH_OK)
        return st;
    (void)eksauth_file_remove_stale_temps(s->snapshot_path, NULL, NULL);
    (void)eksauth_file_remove_stale_temps(s->state_path, NULL, NULL);
    st = eksauth_file_write_atomic(s->snapshot_path, data, len, 0644, err);
    if (st != EKSAUTH_OK)
        goto out;
    snprintf(s->version, sizeof(s->version), "%s", snap->version);
    snprintf(s->rv, sizeof(s->rv), "%s", snap->rv);
    s->fetched_at = (long long)time(NULL);
    n = snprintf(text, sizeof(text),
                 "# eksauth sync: the last good snapshot of the source\n"
                 "version=%s\nrv=%s\nfetched_at=%lld\nfrom=%s\n",
                 s->version, s->rv, s->fetched_at, snap->what);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sync: state too long");
        goto out;
    }
    st = eksauth_file_write_atomic(s->state_path, text, (size_t)n, 0644, err);
out:
    eksauth_iddb_unlock(lock);
    return st;
}

/* "version V, fetched N s ago", or "none yet". */
static void state_age(const struct state *s, char *out, size_t outlen)
{
    if (s->version[0] == '\0' || s->fetched_at <= 0)
        snprintf(out, outlen, "there is no earlier snapshot");
    else
        snprintf(out, outlen, "keeping the last good snapshot (%s, %lld s old) and the identity DB",
                 s->version, (long long)time(NULL) - s->fetched_at);
}

/* A fetched (or watched) snapshot -> the DB, unless its version is the one already applied. */
static int apply_snapshot(struct eksauth_cli *cli, const struct sync_cluster_opts *opts,
                          struct state *s, const struct eksauth_cluster_snapshot *snap)
{
    struct eksauth_error err = {0};
    int rc;

    if (!opts->force && s->version[0] != '\0' && strcmp(s->version, snap->version) == 0 &&
        access(cmd_iddb_path(cli), F_OK) == 0) {
        if (!opts->watch) {
            if (opts->json)
                printf("{\"unchanged\": true, \"version\": \"%s\"}\n", snap->version);
            else
                printf("eksauth sync: unchanged (%s); the identity DB is not rewritten\n",
                       snap->version);
        }
        return 0;
    }
    rc = cmd_sync_apply(cli, snap->what, snap->data, snap->len, (const char *const *)snap->warnings,
                        snap->n_warnings, opts->json, opts->allow_empty);
    if (rc != 0)
        return rc;
    if (state_write(s, snap, snap->data, snap->len, &err) != EKSAUTH_OK)
        fprintf(stderr, "eksauth: sync: warning: %s\n", err.msg);
    if (opts->watch)
        printf("eksauth sync: applied %s\n", snap->version);
    fflush(stdout);
    return 0;
}

static int fetch_and_apply(struct eksauth_cli *cli, const struct sync_cluster_opts *opts,
                           struct state *s)
{
    struct eksauth_cluster_snapshot snap;
    struct eksauth_error err = {0};
    enum eksauth_status st;
    char age[300];
    size_t n;
    int rc;

    st = eksauth_cluster_fetch(&cli->cfg, time(NULL), &snap, &err);
    if (st != EKSAUTH_OK) {
        /* Fail closed on the source, open on the DB: the last good mapping stays in force. */
        state_read(s);
        state_age(s, age, sizeof(age));
        n = strlen(err.msg);
        snprintf(err.msg + n, sizeof(err.msg) - n, "; %s", age);
        return cli_fail("sync", &err);
    }
    rc = apply_snapshot(cli, opts, s, &snap);
    eksauth_cluster_snapshot_free(&snap);
    return rc;
}

struct watch_state {
    struct eksauth_cli *cli;
    const struct sync_cluster_opts *opts;
    struct state *s;
    bool relist;
    unsigned events;
    char rv[EKSAUTH_KUBE_RV_MAX];
};

static int on_event(void *ctx, const struct eksauth_kube_event *ev)
{
    struct watch_state *w = ctx;
    struct eksauth_cluster_snapshot snap;

    w->events++;
    if (ev->rv[0] != '\0')
        snprintf(w->rv, sizeof(w->rv), "%s", ev->rv);
    if (ev->type == EKSAUTH_KUBE_BOOKMARK)
        return 0;
    /* With access entries too, the merged document is rebuilt by a full fetch. */
    if (w->cli->cfg.source != EKSAUTH_SOURCE_KUBERNETES) {
        w->relist = true;
        return 1;
    }
    memset(&snap, 0, sizeof(snap));
    snprintf(snap.version, sizeof(snap.version), "k8s:%s", ev->rv);
    snprintf(snap.rv, sizeof(snap.rv), "%s", ev->rv);
    if (ev->type == EKSAUTH_KUBE_DELETED) {
        fprintf(stderr, "eksauth: sync: the aws-auth ConfigMap was deleted\n");
        snap.data = (char *)EMPTY_AWS_AUTH;
        snap.len = strlen(EMPTY_AWS_AUTH);
        snprintf(snap.what, sizeof(snap.what), "%s (deleted aws-auth)",
                 w->cli->cfg.cluster_endpoint);
    } else {
        snap.data = ev->object;
        snap.len = ev->object_len;
        snprintf(snap.what, sizeof(snap.what), "%.300s ConfigMap kube-system/aws-auth (watch)",
                 w->cli->cfg.cluster_endpoint);
    }
    /* A refused document (parse error, empty) keeps the DB; the watch goes on. */
    (void)apply_snapshot(w->cli, w->opts, w->s, &snap);
    return 0;
}

static void backoff_sleep(unsigned *backoff)
{
    sleep(*backoff);
    *backoff = *backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : *backoff * 2;
}

static int watch_loop(struct eksauth_cli *cli, const struct sync_cluster_opts *opts,
                      struct state *s)
{
    bool k8s = cli->cfg.source == EKSAUTH_SOURCE_KUBERNETES ||
               cli->cfg.source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    long interval = opts->interval > 0 ? opts->interval : 60;
    struct eksauth_error err;
    struct watch_state w;
    unsigned backoff = 1;
    enum eksauth_status st;
    bool fresh = false; /* after a 410: watch from the current state, not a version */

    for (;;) {
        /* (Re)list: the whole source, applied when its version moved. */
        if (fetch_and_apply(cli, opts, s) != 0) {
            fflush(stderr);
            backoff_sleep(&backoff);
            continue;
        }
        backoff = 1;
        if (!k8s || s->rv[0] == '\0') {
            sleep((unsigned)interval); /* access entries have no watch: polled */
            continue;
        }
        memset(&w, 0, sizeof(w));
        w.cli = cli;
        w.opts = opts;
        w.s = s;
        snprintf(w.rv, sizeof(w.rv), "%s", fresh ? "" : s->rv);
        fresh = false;
        for (;;) {
            w.events = 0;
            st = eksauth_kube_watch(&cli->cfg, w.rv, interval, on_event, &w, &err);
            if (w.relist)
                break;
            /* A stream that delivered something worked: a drop after it is not a backoff. */
            if (w.events > 0)
                backoff = 1;
            if (st == EKSAUTH_OK) {
                backoff = 1;
                /* The stream ended (timeoutSeconds): access entries are due for a poll. */
                if (cli->cfg.source != EKSAUTH_SOURCE_KUBERNETES)
                    break;
                continue; /* reconnect from the last resourceVersion seen */
            }
            if (st == EKSAUTH_ENOTFOUND) {
                /* 410 Gone: our resourceVersion was compacted away; list again. */
                fprintf(stderr, "eksauth: sync: %s; listing again\n", err.msg);
                /* Gone again right after a fresh start: the server is confused; slow down. */
                if (w.rv[0] == '\0')
                    backoff_sleep(&backoff);
                fresh = true;
                break;
            }
            fprintf(stderr, "eksauth: sync: %s; reconnecting in %u s\n", err.msg, backoff);
            fflush(stderr);
            backoff_sleep(&backoff);
        }
    }
    return 0;
}

int sync_cluster(struct eksauth_cli *cli, const struct sync_cluster_opts *opts)
{
    struct state s;

    memset(&s, 0, sizeof(s));
    state_paths(cli, &s);
    state_read(&s);
    if (opts->watch)
        return watch_loop(cli, opts, &s);
    return fetch_and_apply(cli, opts, &s);
}
