/*
 * test_sync_watch.c - lib/sync_watch.c: the watch that follows the cluster
 * source (docs/fleet.md, docs/design.md "Watch").  A file source refused;
 * streams resumed from a bookmark after a drop, lists only after a 410,
 * spread over sync_spread; full-jitter backoff up to its cap (Retry-After
 * too), started over by a stream that delivered or a list that worked, and
 * between lists that fail; streams of jittered length, those cut short
 * taken as drops; an event not applied is listed again; a deleted
 * ConfigMap maps nobody (the DB kept unless allow_empty, never confirmed,
 * watched for its return without a list; a polled one asked after a wait
 * that grows to the interval); one written without a value the cluster
 * drops followed the same way, written and told once; an edited config
 * ends the watch, an event heard after the edit unapplied; local accounts
 * planned with again when they change, never confirmed when unreadable;
 * sources with access entries listed at each change and stream's end, a
 * source without a watch polled; an unchanged poll's warnings told.  A
 * throwaway host with fakes for the cluster's API and the clock
 * (tests/lib/host_fixture.c).
 */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/iddb.h"
#include "eksauth/kube.h"
#include "eksauth/nscd.h"
#include "eksauth/snapshot.h"
#include "eksauth/sync.h"
#include "fake_nscd.h"
#include "host_fixture.h"
#include "unit.h"

#define K8S_CONFIG "source = kubernetes\ncluster_endpoint = https://127.0.0.1:1\n"

/* build and carol (host_fixture.h); the same without carol, whose login a change revokes. */
static const char *const AWS_AUTH = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL;
static const char *const AWS_AUTH_SMALLER = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD;

/* A host of config whose fake cluster serves AWS_AUTH as ConfigMap version 100. */
static struct host_fixture *watched_host(const char *config)
{
    struct host_fixture *h = host_fixture_new(config, NULL);

    h->cluster_doc = AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:100");
    snprintf(h->cluster_rv, sizeof(h->cluster_rv), "100");
    return h;
}

/* The watch's caller: stops the loop after the scripted streams. */
struct watch_run {
    struct host_fixture *h;
    unsigned streams, applied, failed, replans;
    char last_error[EKSAUTH_ERROR_MAX];
    char errors[4 * EKSAUTH_ERROR_MAX]; /* every failure told, one a line (cut when full) */
    char last_replan[1024];
    unsigned stale_told; /* the failures told (failed) when stale entries were last told */
    bool refused_local;  /* an applied plan refused a login a local account owns */
    /* edit_after_first_stream: the line it appends to the file. */
    const char *edit_path, *edit_line;
    unsigned stop_at; /* the streams (stop_after_lists: the lists) a stop question stops at */
    struct eksauth_sync_options opts; /* what the watch runs with */
};

static bool watch_stop(void *arg)
{
    struct watch_run *w = arg;

    return w->h->watch_calls >= w->streams;
}

static void watch_applied(void *arg, const struct eksauth_sync_report *r)
{
    struct watch_run *w = arg;
    size_t i;

    w->applied++;
    for (i = 0; i < r->warnings.n; i++)
        if (strstr(r->warnings.v[i], "login 'carol' belongs to a local account") != NULL)
            w->refused_local = true;
}

static void watch_replanning(void *arg, const char *why)
{
    struct watch_run *w = arg;

    w->replans++;
    snprintf(w->last_replan, sizeof(w->last_replan), "%s", why);
}

static void watch_failed(void *arg, const struct eksauth_error *err)
{
    struct watch_run *w = arg;
    size_t used = strlen(w->errors);

    w->failed++;
    snprintf(w->last_error, sizeof(w->last_error), "%s", err->msg);
    snprintf(w->errors + used, sizeof(w->errors) - used, "%s\n", err->msg);
}

static void watch_stale(void *arg, const struct eksauth_sync_report *r)
{
    struct watch_run *w = arg;

    (void)r;
    w->stale_told = w->failed + 1;
}

/* eksauth_sync_watch on h with w->opts until stop says so, telling w. */
static enum eksauth_status watch_until(struct host_fixture *h, bool (*stop)(void *),
                                       struct watch_run *w, struct eksauth_error *err)
{
    struct eksauth_sync_watch sw;

    w->h = h;
    memset(&sw, 0, sizeof(sw));
    sw.interval = 60;
    sw.applied = watch_applied;
    sw.replanning = watch_replanning;
    sw.failed = watch_failed;
    sw.stale = watch_stale;
    sw.stop = stop;
    sw.arg = w;
    return eksauth_sync_watch(&h->ctx, &w->opts, &sw, err);
}

static void watch(struct host_fixture *h, unsigned streams, struct watch_run *w)
{
    struct eksauth_error err;

    memset(w, 0, sizeof(*w));
    w->streams = streams;
    assert_int_equal(watch_until(h, watch_stop, w, &err), EKSAUTH_OK);
}

/* The waits of h were want[0..n), in that order. */
static void assert_sleeps(const struct host_fixture *h, const long *want, unsigned n)
{
    unsigned i;

    assert_int_equal(h->n_sleeps, n);
    for (i = 0; i < n; i++)
        assert_int_equal(h->sleeps[i], want[i]);
}

/*
 * The watch resumes from the latest version it heard (a bookmark) after a
 * drop, without listing; a stream that ends confirms the snapshot; only a
 * 410 lists again, after a wait spread over sync_spread.
 */
static void test_watch_resumes_and_spreads_relists(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_snapshot_state st;
    struct watch_run w;

    (void)state;
    h->random = 0x80000000u; /* the middle of every window */
    /* 1: a bookmark, then the connection drops. */
    snprintf(h->watch_bookmark[0], sizeof(h->watch_bookmark[0]), "150");
    h->watch_status[0] = EKSAUTH_EUNAVAIL;
    /* 2: aws-auth changes; the stream runs its course. */
    snprintf(h->watch_event_rv[1], sizeof(h->watch_event_rv[1]), "160");
    /* 3: 410 Gone (the API server restarted). */
    h->watch_status[2] = EKSAUTH_ENOTFOUND;
    /* 4: 410 again at once after the list: the server is confused; back off too. */
    h->watch_status[3] = EKSAUTH_ENOTFOUND;
    host_fixture_reopen(h);
    watch(h, 4, &w);
    /* One list at the start, one after the first 410 (the second ends the test). */
    assert_int_equal(h->cluster_calls, 2);
    assert_string_equal(h->watch_rv[0], "100");
    assert_string_equal(h->watch_rv[1], "150"); /* resumed from the bookmark, no list */
    assert_string_equal(h->watch_rv[2], "160");
    assert_string_equal(h->cluster_since, "160"); /* the relist: at least as new as that */
    /* The first list, the event, the relist (the fake's list still says k8s:100). */
    assert_int_equal(w.applied, 3);
    /* Waits: the first reconnect in [0, 1 s); the relist in [0, sync_spread = 10 s). */
    assert_int_equal(h->n_sleeps, 3);
    assert_int_equal(h->sleeps[0], 500);
    assert_int_equal(h->sleeps[1], 5000);
    /* A 410 right after a list: the spread plus the backoff (whose window restarted at 1 s). */
    assert_int_equal(h->sleeps[2], 5000 + 500);
    assert_non_null(strstr(w.last_error, "ERROR 410"));
    assert_non_null(strstr(w.last_error, "listing again in 5.5 s"));
    /* Streams about --interval long, never all alike: 60 s +-20%. */
    assert_int_equal(h->watch_timeout[0], 60);
    /* The stream that ran its course confirmed the snapshot up to its version. */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_true(st.checked_at > 0);
    host_fixture_free(h);
}

/* text written to path (mode "w" or "a"). */
static void put_text(const char *path, const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/*
 * The watch's stop question, which appends w->edit_line to w->edit_path
 * once the first stream has run, and stops after w->stop_at streams.
 */
static bool edit_after_first_stream(void *arg)
{
    struct watch_run *w = arg;

    if (w->h->watch_calls == 1 && w->streams == 0) {
        put_text(w->edit_path, "a", w->edit_line);
        w->streams = 1; /* edited */
    }
    return w->h->watch_calls >= w->stop_at;
}

/* An edited eksauth.conf ends the watch with an error: never a DB from settings gone. */
static void test_watch_ends_when_config_changes(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    host_fixture_reopen(h);
    memset(&w, 0, sizeof(w));
    w.edit_path = h->config;
    w.edit_line = "deny_user = carol\n";
    w.stop_at = 8;
    assert_int_equal(watch_until(h, edit_after_first_stream, &w, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "changed since this watch started"));
    /* One list, one stream; the edit then ended it before a second. */
    assert_int_equal(h->cluster_calls, 1);
    assert_int_equal(h->watch_calls, 1);
    host_fixture_free(h);
}

/*
 * useradd while the watch runs, aws-auth unchanged: the stream that ends
 * next does not confirm the snapshot but lists again, and that list plans
 * with the new accounts (carol, now local, is refused and leaves the DB),
 * says why, and writes their digest into the state (logins fit again).
 */
static void test_watch_replans_when_local_accounts_change(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_snapshot_state st;
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    struct eksauth_error err;
    struct watch_run w;
    char passwd[160], group[160], inputs[64 + 1], expect[512];

    (void)state;
    host_fixture_reopen(h);
    snprintf(passwd, sizeof(passwd), "%s/passwd", h->dir);
    snprintf(group, sizeof(group), "%s/group", h->dir);
    put_text(passwd, "w", "root:x:0:0:root:/root:/bin/bash\n");
    put_text(group, "w", "root:x:0:\n");
    h->ctx.passwd_path = passwd;
    h->ctx.group_path = group;
    memset(&w, 0, sizeof(w));
    w.edit_path = passwd; /* useradd carol */
    w.edit_line = "carol:x:1501:1501::/home/carol:/bin/sh\n";
    w.stop_at = 3;
    assert_int_equal(watch_until(h, edit_after_first_stream, &w, &err), EKSAUTH_OK);
    /* The first list, and the one after the stream that ended with carol local. */
    assert_int_equal(h->cluster_calls, 2);
    assert_int_equal(w.applied, 2);
    assert_int_equal(w.failed, 0);
    assert_int_equal(w.replans, 1);
    snprintf(expect, sizeof(expect),
             "local accounts (%s, %s, subuid, subgid) changed: planning again", passwd, group);
    assert_string_equal(w.last_replan, expect);
    assert_true(w.refused_local);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    eksauth_iddb_close(db);
    /* The state carries the inputs of the accounts on disk now. */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    eksauth_snapshot_inputs(&h->ctx.cfg, &h->ctx.local, inputs);
    assert_string_equal(st.inputs, inputs);
    host_fixture_free(h);
}

/* Drops back off with full jitter and a server's Retry-After, up to the cap. */
static void test_watch_backoff(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG "sync_spread = 0\n");
    struct watch_run w;
    unsigned i;

    (void)state;
    h->random = UINT32_MAX; /* the end of every window */
    for (i = 0; i < 8; i++)
        h->watch_status[i] = EKSAUTH_EUNAVAIL;
    host_fixture_reopen(h);
    watch(h, 8, &w);
    assert_int_equal(h->cluster_calls, 1); /* drops never list again */
    assert_sleeps(h, (const long[]){999, 1999, 3999, 7999, 15999, 29999, 29999, 29999}, 8);
    /* Streams as short as 48 s or as long as 72 s: the random number decides. */
    assert_int_equal(h->watch_timeout[0], 72);
    assert_non_null(strstr(w.last_error, "reconnecting in 30.0 s"));
    host_fixture_free(h);
}

/* A Retry-After of a day counts as the cap: revocations never wait a day. */
static void test_watch_retry_after_capped(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct watch_run w;

    (void)state;
    h->random = 0; /* the start of every window: the wait is the Retry-After alone */
    h->watch_status[0] = EKSAUTH_EUNAVAIL;   /* a 429 or 503 ... */
    h->watch_retry_after[0] = 86400L * 1000; /* ... with Retry-After: 86400 */
    h->watch_status[1] = EKSAUTH_EUNAVAIL;   /* and one that asks less than the cap */
    h->watch_retry_after[1] = 5000;
    host_fixture_reopen(h);
    watch(h, 2, &w);
    assert_sleeps(h, (const long[]){30000, 5000}, 2);
    host_fixture_free(h);
}

/*
 * Streams a server (or a proxy) ends at once with nothing in them are
 * drops: the backoff between them (and, as for any drop, no confirmation
 * of the snapshot); a stream that runs its course starts the next at once.
 */
static void test_watch_streams_cut_short_back_off(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct watch_run w;
    unsigned i;

    (void)state;
    h->random = UINT32_MAX; /* the end of every window */
    for (i = 0; i < 4; i++)
        h->watch_cut_short[i] = true;
    host_fixture_reopen(h);
    watch(h, 5, &w);
    /* Four cut short: four waits, growing; the fifth ran its course. */
    assert_int_equal(h->n_sleeps, 4);
    assert_int_equal(h->sleeps[0], 999);
    assert_int_equal(h->sleeps[3], 7999);
    assert_non_null(
        strstr(w.last_error, "the stream ended after 0 ms of 72 s, with nothing in it"));
    assert_int_equal(w.failed, 4);
    assert_int_equal(h->cluster_calls, 1); /* drops resume, they do not list */
    host_fixture_free(h);
}

/*
 * Streams a server (or a proxy) ends well but at once after a bookmark or
 * an event are drops too: with the backoff between them, growing (what they
 * delivered does not start it over), and no confirmation, or such a server
 * has a fleet reconnect (and write its state) as fast as it answers.
 */
static void test_watch_short_streams_with_events_back_off(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_snapshot_state st;
    struct watch_run w;
    unsigned i;

    (void)state;
    h->random = UINT32_MAX; /* the end of every window */
    for (i = 0; i < 4; i++) {
        h->watch_cut_short[i] = true;
        snprintf(h->watch_bookmark[i], sizeof(h->watch_bookmark[i]), "%u", 150 + i);
    }
    host_fixture_reopen(h);
    watch(h, 4, &w);
    assert_sleeps(h, (const long[]){999, 1999, 3999, 7999}, 4);
    assert_non_null(strstr(w.last_error, "the stream ended after 0 ms of 72 s"));
    assert_string_equal(h->watch_rv[3], "152"); /* resumed from the bookmark before */
    assert_int_equal(h->cluster_calls, 1);
    /* Confirmed by none of them: the state keeps the list's version. */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_string_equal(st.rv, "100");
    host_fixture_free(h);
}

/*
 * The stop question of test_watch_relists_after_a_failed_apply: before the
 * first stream, aws-auth loses carol and the DB cannot be built on (mode
 * 0666: untrusted); once that stream ran, the fault is gone.
 */
static bool revoke_while_db_untrusted(void *arg)
{
    struct watch_run *w = arg;
    struct host_fixture *h = w->h;

    if (h->watch_calls == 0 && h->cluster_calls == 1 && w->streams == 0) {
        h->cluster_doc = AWS_AUTH_SMALLER;
        assert_int_equal(chmod(h->db, 0666), 0);
        w->streams = 1;
    } else if (h->watch_calls == 1 && w->streams == 1) {
        assert_int_equal(chmod(h->db, 0644), 0);
        w->streams = 2;
    }
    return h->watch_calls >= w->stop_at;
}

/*
 * An event the host could not apply (here a DB untrusted for a moment) is
 * not passed over: the stream has moved past it and would never send it
 * again, and a stream that ends well would confirm the old snapshot.  The
 * watch lists instead, and carol's revocation lands once the DB is sound.
 */
static void test_watch_relists_after_a_failed_apply(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
    host_fixture_reopen(h);
    memset(&w, 0, sizeof(w));
    w.stop_at = 2;
    assert_int_equal(watch_until(h, revoke_while_db_untrusted, &w, &err), EKSAUTH_OK);
    assert_int_equal(w.streams, 2); /* the fault came and went */
    assert_true(w.failed >= 1);
    assert_non_null(strstr(w.last_error, "is writable by group or others (mode 0666)"));
    assert_int_equal(h->cluster_calls, 2); /* listed again after the failed event */
    assert_string_equal(h->cluster_since, "160");
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_ENOTFOUND);
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/* Whether the host's identity DB serves the user name. */
static bool in_db(struct host_fixture *h, const char *name)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb *db;
    struct eksauth_error err;
    bool found;

    if (eksauth_iddb_open(h->db, &db, &err) != EKSAUTH_OK)
        fail_msg("identity DB: %s", err.msg);
    found = eksauth_iddb_user_by_name(db, name, &u) == EKSAUTH_OK;
    eksauth_iddb_close(db);
    return found;
}

/* The watch's stop question: after w->stop_at lists of the source. */
static bool stop_after_lists(void *arg)
{
    struct watch_run *w = arg;

    return w->h->cluster_calls >= w->stop_at;
}

/*
 * The stop question of test_watch_unconfirmed_is_told: from the second
 * list on, no file may grow past a byte (RLIMIT_FSIZE, as a full disk):
 * the state that confirms the snapshot cannot be written.  Stops, and lifts
 * the limit, after w->stop_at lists.
 */
static struct rlimit unconfirmed_old_limit;
static struct eksauth_snapshot_state unconfirmed_first; /* the state the first list wrote */

static bool full_disk_after_first_list(void *arg)
{
    struct watch_run *w = arg;
    struct rlimit small = unconfirmed_old_limit;

    if (w->h->cluster_calls == 1) {
        eksauth_snapshot_state_read(&w->h->ctx.paths, false, &unconfirmed_first);
        small.rlim_cur = 1;
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    }
    if (w->h->cluster_calls < w->stop_at)
        return false;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &unconfirmed_old_limit), 0);
    return true;
}

/*
 * A poll that finds the source unchanged and cannot confirm it in the state
 * (what max_snapshot_age counts from) says so, and the watch goes on; the
 * state is the one before, whole (before, the warning went nowhere).
 */
static void test_watch_unconfirmed_is_told(void **state)
{
    struct host_fixture *h = watched_host("source = eks-api\n");
    struct eksauth_snapshot_state now;
    struct eksauth_error err;
    struct watch_run w;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);

    (void)state;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &unconfirmed_old_limit), 0);
    memset(&w, 0, sizeof(w));
    w.stop_at = 3;
    assert_int_equal(watch_until(h, full_disk_after_first_list, &w, &err), EKSAUTH_OK);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(h->cluster_calls, 3);
    assert_int_equal(w.applied, 1); /* the first list; the others found it unchanged */
    assert_int_equal(w.failed, 2);  /* each told, the watch going on */
    assert_non_null(strstr(w.last_error, "the snapshot's state was not updated"));
    assert_non_null(strstr(w.last_error, EKSAUTH_STATE_NAME));
    assert_non_null(strstr(w.last_error, "File too large"));
    /* The state the first list wrote, whole. */
    eksauth_snapshot_state_read(&h->ctx.paths, false, &now);
    assert_true(unconfirmed_first.generation > 0);
    assert_int_equal(now.generation, unconfirmed_first.generation);
    assert_string_equal(now.sha256, unconfirmed_first.sha256);
    assert_true(now.checked_at == unconfirmed_first.checked_at);
    host_fixture_free(h);
}

/* The stop question of test_watch_unchanged_warning_is_told: garbles the entry cache after the
 * first list. */
static bool garbled_cache_after_first_list(void *arg)
{
    struct watch_run *w = arg;
    FILE *f;

    if (w->h->cluster_calls == 1) {
        assert_non_null(f = fopen(w->h->ctx.paths.entry_cache, "w"));
        fputs("not a cache\n", f);
        assert_int_equal(fclose(f), 0);
    }
    return w->h->cluster_calls >= w->stop_at;
}

/*
 * A poll that finds the source unchanged tells its warnings, as a sync
 * does (tools/cmd_sync.c): an access entry cache it could not read (every
 * entry read again, the budget spent on them) was said by eksauth sync
 * and went nowhere in the watch.
 */
static void test_watch_unchanged_warning_is_told(void **state)
{
    struct host_fixture *h = watched_host("source = eks-api\n");
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    memset(&w, 0, sizeof(w));
    w.stop_at = 3;
    assert_int_equal(watch_until(h, garbled_cache_after_first_list, &w, &err), EKSAUTH_OK);
    assert_int_equal(h->cluster_calls, 3);
    assert_int_equal(w.applied, 1); /* the first list; the others found it unchanged */
    /* Each poll after the cache was garbled (the fake API reads no entry to write it anew). */
    assert_int_equal(w.failed, 2);
    assert_non_null(strstr(w.last_error, "access entry cache: "));
    assert_non_null(strstr(w.last_error, "every access entry is read again"));
    host_fixture_free(h);
}

/* A file has no watch: refused before anything is read, as is --aws-auth FILE. */
static void test_watch_needs_a_cluster_source(void **state)
{
    struct host_fixture *h;
    struct eksauth_error err;
    struct watch_run w;
    int i;

    (void)state;
    for (i = 0; i < 2; i++) {
        h = i == 0 ? host_fixture_new(NULL, AWS_AUTH) : watched_host(K8S_CONFIG);
        memset(&w, 0, sizeof(w)); /* stops at once if it ever got as far as asking */
        if (i == 1)
            w.opts.aws_auth_path = h->aws_auth;
        assert_int_equal(watch_until(h, watch_stop, &w, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "--watch needs source = kubernetes"));
        assert_int_equal(h->cluster_calls, 0);
        assert_int_equal(h->watch_calls, 0);
        host_fixture_free(h);
    }
}

/*
 * A deleted ConfigMap is a document that maps nobody (docs/design.md,
 * "Watch"): said, and refused like any such document, so the DB is kept
 * and the source listed again; with allow_empty it empties the DB.
 */
static void test_watch_deleted_configmap_maps_nobody(void **state)
{
    struct eksauth_snapshot_state st;
    struct host_fixture *h;
    struct eksauth_error err;
    struct watch_run w;
    int allow_empty;

    (void)state;
    for (allow_empty = 0; allow_empty <= 1; allow_empty++) {
        h = watched_host(K8S_CONFIG);
        snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
        h->watch_deleted[0] = true;
        memset(&w, 0, sizeof(w));
        w.streams = 2;
        w.opts.allow_empty = allow_empty;
        assert_int_equal(watch_until(h, watch_stop, &w, &err), EKSAUTH_OK);
        assert_non_null(strstr(w.errors, "the aws-auth ConfigMap was deleted"));
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        if (!allow_empty) {
            assert_non_null(strstr(w.errors, "maps nobody: refusing to empty the identity DB"));
            assert_true(in_db(h, "build") && in_db(h, "carol"));
            assert_string_equal(st.version, "k8s:100");
            /*
             * Not listed again (a list would say the same, every 30 s on
             * every host): the stream goes on from the deletion, and the
             * stream that ends while aws-auth is gone confirms nothing.
             */
            assert_int_equal(h->cluster_calls, 1);
            assert_string_equal(h->watch_rv[1], "160");
            assert_string_equal(st.rv, "100");
            assert_non_null(strstr(w.errors, "aws-auth still maps nobody: the identity DB stays "
                                             "as applied from k8s:100, not confirmed current"));
        } else {
            assert_false(in_db(h, "build"));
            assert_false(in_db(h, "carol"));
            assert_string_equal(st.version, "k8s:160");
            assert_int_equal(w.applied, 2); /* the first list, then the deletion */
            assert_int_equal(h->cluster_calls, 1);
        }
        host_fixture_free(h);
    }
}

/*
 * aws-auth deleted, then created again: the deletion is refused (the DB
 * kept), the watch goes on without listing, and the ConfigMap's return is
 * applied the moment its event comes; only then is a stream's end a
 * confirmation again.
 */
static void test_watch_deleted_then_recreated(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_snapshot_state st;
    struct watch_run w;

    (void)state;
    snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
    h->watch_deleted[0] = true;
    snprintf(h->watch_event_rv[2], sizeof(h->watch_event_rv[2]), "170");
    h->cluster_doc = AWS_AUTH_SMALLER; /* what the re-created ConfigMap holds */
    watch(h, 4, &w);
    assert_int_equal(h->cluster_calls, 1);
    assert_string_equal(h->watch_rv[1], "160");
    assert_string_equal(h->watch_rv[2], "160");
    assert_string_equal(h->watch_rv[3], "170");
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_string_equal(st.version, "k8s:170");
    assert_string_equal(st.rv, "170");
    assert_true(in_db(h, "build"));
    assert_false(in_db(h, "carol"));
    assert_int_equal(w.applied, 2); /* the first list, the return */
    assert_int_equal(h->n_sleeps, 0);
    host_fixture_free(h);
}

/* A stop question: after w->streams streams or w->stop_at lists, whichever comes first. */
static bool streams_or_lists(void *arg)
{
    struct watch_run *w = arg;

    return w->h->watch_calls >= w->streams || w->h->cluster_calls >= w->stop_at;
}

/*
 * A watch (re)started while aws-auth is gone: the list answers without it,
 * refused (the DB kept); the watch follows from that list's version for
 * its return rather than list again after each backoff (every 30 s at most,
 * from every host, for as long as it stays deleted: before).
 */
static void test_watch_starts_while_aws_auth_is_gone(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    assert_int_equal(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    h->cluster_doc = EKSAUTH_KUBE_NO_AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:!absent");
    snprintf(h->cluster_rv, sizeof(h->cluster_rv), "200");
    host_fixture_reopen(h); /* a new process: the local accounts not read yet */
    memset(&w, 0, sizeof(w));
    w.streams = 3;
    w.stop_at = 6;
    assert_int_equal(watch_until(h, streams_or_lists, &w, &err), EKSAUTH_OK);
    assert_int_equal(h->cluster_calls, 2); /* the sync, and the watch's one list */
    assert_string_equal(h->watch_rv[0], "200");
    assert_string_equal(h->watch_rv[2], "200");
    assert_sleeps(h, (const long[]){0}, 1); /* the restart's spread (random 0), nothing more */
    assert_true(in_db(h, "build") && in_db(h, "carol"));
    assert_non_null(strstr(w.errors, "aws-auth still maps nobody"));
    host_fixture_free(h);
}

/*
 * A snapshot the sync refuses tells its warnings before its error, as a
 * failed eksauth sync prints them (before: the error alone, so what only a
 * warning said was lost in a watch's log): here an aws-auth whose every
 * entry is skipped, so that it maps nobody.
 */
static void test_watch_failure_tells_its_warnings(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_error err;
    struct watch_run w;
    const char *skipped, *refused;

    (void)state;
    h->cluster_doc = "mapRoles: |\n  - rolearn: arn:aws:iam::{{id}}:role/x\n    username: a\n"
                     "  - rolearn: notanarn\n    username: b\n";
    memset(&w, 0, sizeof(w));
    w.stop_at = 1;
    assert_int_equal(watch_until(h, stop_after_lists, &w, &err), EKSAUTH_OK);
    skipped = strstr(w.errors, "entry skipped");
    refused = strstr(w.errors, "maps nobody");
    assert_non_null(skipped);
    assert_non_null(refused);
    /* The warning on a line of its own, before the error's. */
    assert_true(skipped < refused);
    assert_true(w.failed >= 3);
    host_fixture_free(h);
}

/*
 * A failed sync that left access entries stale says so, before its
 * warnings and error, as a failed eksauth sync prints them (was: told
 * only of a sync that worked).
 */
static void test_watch_failure_tells_its_stale_entries(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    h->cluster_doc = "mapRoles: |\n  - rolearn: notanarn\n    username: b\n";
    h->cluster_stale = "2 access entries older than access_entry_max_age were not read again";
    memset(&w, 0, sizeof(w));
    w.stop_at = 1;
    assert_int_equal(watch_until(h, stop_after_lists, &w, &err), EKSAUTH_OK);
    assert_non_null(strstr(w.errors, "maps nobody"));
    /* Told, and before the first failure line (the warning, then the error). */
    assert_int_equal(w.stale_told, 1);
    host_fixture_free(h);
}

/*
 * A polled source (no watch) that maps nobody: asked again after a wait
 * that grows, with full jitter, to the interval (not the 30 s cap of a
 * failure: 500 hosts polling a deleted aws-auth every 30 s for hours).
 */
static void test_watch_refused_poll_backs_off_to_the_interval(void **state)
{
    struct host_fixture *h = watched_host("source = eks-api\n");
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    h->cluster_doc = EKSAUTH_KUBE_NO_AWS_AUTH;
    h->random = UINT32_MAX; /* the end of every window */
    memset(&w, 0, sizeof(w));
    w.stop_at = 9;
    assert_int_equal(watch_until(h, stop_after_lists, &w, &err), EKSAUTH_OK);
    assert_sleeps(h, (const long[]){999, 1999, 3999, 7999, 15999, 31999, 59999, 59999, 59999}, 9);
    assert_non_null(strstr(w.last_error, "maps nobody"));
    host_fixture_free(h);
}

/*
 * A watch started again with a snapshot in force (eksauth.conf pushed to
 * the fleet, a package upgrade: every host at once) lists at a random
 * moment of the next sync_spread seconds; a first start, with no DB yet,
 * at once.  (Every restarted host listed in the same second.)
 */
static void test_watch_restart_spreads_its_first_list(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct watch_run w;

    (void)state;
    h->random = 0x80000000u; /* the middle of every window */
    watch(h, 1, &w);
    assert_int_equal(h->n_sleeps, 0); /* the first start: its list wrote the DB and state */
    h->watch_calls = 0;
    host_fixture_reopen(h);
    watch(h, 1, &w);
    assert_sleeps(h, (const long[]){5000}, 1); /* sync_spread = 10 s */
    host_fixture_free(h);
}

/* The hook of test_watch_event_after_config_edit: as the first stream starts, both change. */
static void edit_config_and_revoke_carol(struct host_fixture *h, unsigned i)
{
    FILE *f;

    if (i != 0)
        return;
    f = fopen(h->config, "a");
    assert_non_null(f);
    assert_int_equal(fputs("deny_user = build\n", f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    h->cluster_doc = AWS_AUTH_SMALLER;
}

/*
 * An event heard after eksauth.conf was edited is not applied with the
 * settings the host no longer has: the stream stops and the watch ends,
 * the DB as the last list left it (docs/fleet.md, point 3).
 */
static void test_watch_event_after_config_edit(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
    h->watch_started = edit_config_and_revoke_carol;
    memset(&w, 0, sizeof(w));
    w.streams = 4;
    assert_int_equal(watch_until(h, watch_stop, &w, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "changed since this watch started"));
    assert_int_equal(w.applied, 1); /* the first list alone */
    assert_true(in_db(h, "carol"));
    assert_int_equal(h->cluster_calls, 1);
    assert_int_equal(h->watch_calls, 1);
    host_fixture_free(h);
}

/* The stop question of test_watch_unreadable_local_accounts: passwd goes once the list ran. */
static bool remove_passwd_after_list(void *arg)
{
    struct watch_run *w = arg;

    if (w->h->cluster_calls == 1 && w->h->watch_calls == 0 && w->edit_path != NULL) {
        assert_int_equal(unlink(w->edit_path), 0);
        w->edit_path = NULL;
    }
    return w->h->watch_calls >= w->stop_at;
}

/*
 * A stream that runs its course confirms the snapshot up to the version it
 * heard, but only while the local accounts it was planned with can still
 * be read: unreadable ones are a failure told, and nothing is confirmed
 * (fail closed: include/eksauth/sync.h).
 */
static void test_watch_unreadable_local_accounts(void **state)
{
    const bool unreadable[] = {false, true};
    struct eksauth_snapshot_state st;
    struct eksauth_error err;
    struct host_fixture *h;
    struct watch_run w;
    char passwd[160], group[160];
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        h = watched_host(K8S_CONFIG);
        snprintf(h->watch_bookmark[0], sizeof(h->watch_bookmark[0]), "150");
        snprintf(passwd, sizeof(passwd), "%s/passwd", h->dir);
        snprintf(group, sizeof(group), "%s/group", h->dir);
        put_text(passwd, "w", "root:x:0:0:root:/root:/bin/bash\n");
        put_text(group, "w", "root:x:0:\n");
        h->ctx.passwd_path = passwd;
        h->ctx.group_path = group;
        memset(&w, 0, sizeof(w));
        w.edit_path = unreadable[i] ? passwd : NULL;
        w.stop_at = 1;
        assert_int_equal(watch_until(h, remove_passwd_after_list, &w, &err), EKSAUTH_OK);
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        if (unreadable[i]) {
            assert_string_equal(st.rv, "100"); /* the list's: the stream confirmed nothing */
            assert_non_null(strstr(w.errors, "the local accounts cannot be checked"));
        } else {
            assert_string_equal(st.rv, "150");
            assert_int_equal(w.failed, 0);
        }
        host_fixture_free(h);
    }
}

#define MERGED_CONFIG "source = kubernetes+eks-api\ncluster_endpoint = https://127.0.0.1:1\n"

/*
 * With access entries beside the ConfigMap, an event is not applied alone
 * (the merged document needs both): it lists again from the event's
 * version; and each stream's end is the access entries' poll, a list.
 */
static void test_watch_merged_source_lists(void **state)
{
    struct host_fixture *h = watched_host(MERGED_CONFIG);
    struct watch_run w;

    (void)state;
    snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
    watch(h, 2, &w);
    assert_int_equal(w.applied, 1); /* the first list; the event's version was never applied */
    assert_int_equal(h->cluster_calls, 2);
    assert_string_equal(h->cluster_since, "160");
    host_fixture_free(h);

    /* Streams that run their course with nothing in them: a list after each. */
    h = watched_host(MERGED_CONFIG);
    watch(h, 3, &w);
    assert_int_equal(h->cluster_calls, 3);
    assert_int_equal(h->n_sleeps, 0);
    host_fixture_free(h);
}

/*
 * No watch to follow (access entries alone, or a list that gave no
 * resourceVersion to start one from): polled, about interval seconds
 * apart.
 */
static void test_watch_polls_without_a_watch(void **state)
{
    static const char *const configs[] = {
        "source = eks-api\n",
        K8S_CONFIG,
    };
    struct host_fixture *h;
    struct eksauth_error err;
    struct watch_run w;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        h = watched_host(configs[i]);
        if (i == 1)
            h->cluster_rv[0] = '\0'; /* a kubernetes list that gave none */
        h->random = 0x80000000u;     /* the middle of the +-20% */
        memset(&w, 0, sizeof(w));
        w.stop_at = 2;
        assert_int_equal(watch_until(h, stop_after_lists, &w, &err), EKSAUTH_OK);
        assert_int_equal(h->watch_calls, 0);
        assert_sleeps(h, (const long[]){60000, 60000}, 2);
        host_fixture_free(h);
    }
}

/* The stop question of test_watch_failed_lists_back_off: the source answers from the 3rd list. */
static bool source_back_at_third_list(void *arg)
{
    struct watch_run *w = arg;

    if (w->h->cluster_calls == 2)
        w->h->cluster_status = EKSAUTH_OK;
    return w->h->watch_calls >= w->stop_at;
}

/*
 * Lists that fail are tried again after the backoff, not at once nor an
 * interval later; a list that works starts the backoff over, so the drop
 * after it waits as a first one.
 */
static void test_watch_failed_lists_back_off(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct eksauth_error err;
    struct watch_run w;

    (void)state;
    h->cluster_status = EKSAUTH_EUNAVAIL;
    h->watch_status[0] = EKSAUTH_EUNAVAIL;
    h->random = UINT32_MAX; /* the end of every window */
    memset(&w, 0, sizeof(w));
    w.stop_at = 1;
    assert_int_equal(watch_until(h, source_back_at_third_list, &w, &err), EKSAUTH_OK);
    assert_int_equal(h->cluster_calls, 3);
    assert_int_equal(w.failed, 3); /* two lists, one drop */
    assert_sleeps(h, (const long[]){999, 1999, 999}, 3);
    host_fixture_free(h);
}

/* A stream that delivered an event worked: the drop that ends it waits as a first one. */
static void test_watch_delivering_stream_resets_backoff(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);
    struct watch_run w;
    unsigned i;

    (void)state;
    h->random = UINT32_MAX;
    for (i = 0; i < 4; i++)
        h->watch_status[i] = EKSAUTH_EUNAVAIL;
    snprintf(h->watch_event_rv[2], sizeof(h->watch_event_rv[2]), "160");
    watch(h, 4, &w);
    assert_sleeps(h, (const long[]){999, 1999, 999, 1999}, 4);
    assert_int_equal(w.applied, 2);
    host_fixture_free(h);
}

/* build, and a mapUsers the cluster drops (a YAML error inside it): carol is not mapped. */
static const char *const AWS_AUTH_DROPPED =
    "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD "mapUsers: |\n  - userarn: [unclosed\n";

/* The documents the fake cluster holds from stream i on (NULL: as it was). */
static const char *docs_from_stream[16];
static struct eksauth_snapshot_state state_at_stream[16]; /* the state as stream i starts */

static void switch_docs(struct host_fixture *h, unsigned i)
{
    assert_true(i < 16);
    eksauth_snapshot_state_read(&h->ctx.paths, true, &state_at_stream[i]);
    if (docs_from_stream[i] != NULL)
        h->cluster_doc = docs_from_stream[i];
}

/* How many times needle is in hay. */
static unsigned occurrences(const char *hay, const char *needle)
{
    unsigned n = 0;

    for (hay = strstr(hay, needle); hay != NULL; hay = strstr(hay + 1, needle))
        n++;
    return n;
}

/*
 * A document with a value the cluster drops is written without it and
 * fails (lib/sync.c), under a version no list gives: from a list or from
 * an event, the watch says so once and follows the stream from it, where
 * the fix comes.  Before, it listed again: the same document, written
 * again (a new generation, fsync, nscd's caches dropped), failing again,
 * for ever after each backoff, and never watched.
 */
static void test_watch_dropped_value_is_followed(void **state)
{
    struct eksauth_snapshot_state st;
    struct host_fixture *h;
    struct eksauth_error err;
    struct watch_run w;
    int by_event;

    (void)state;
    for (by_event = 0; by_event <= 1; by_event++) {
        h = watched_host(K8S_CONFIG);
        memset(docs_from_stream, 0, sizeof(docs_from_stream));
        if (by_event) {
            /* Listed well; stream 0 brings the dropped value, stream 2 the fix (carol gone). */
            docs_from_stream[0] = AWS_AUTH_DROPPED;
            snprintf(h->watch_event_rv[0], sizeof(h->watch_event_rv[0]), "160");
            docs_from_stream[2] = AWS_AUTH_SMALLER;
            snprintf(h->watch_event_rv[2], sizeof(h->watch_event_rv[2]), "170");
        } else {
            /*
             * Listed with the dropped value; stream 0 ends well after a
             * bookmark, stream 1 brings the fix (carol back).
             */
            h->cluster_doc = AWS_AUTH_DROPPED;
            snprintf(h->watch_bookmark[0], sizeof(h->watch_bookmark[0]), "150");
            docs_from_stream[1] = AWS_AUTH;
            snprintf(h->watch_event_rv[1], sizeof(h->watch_event_rv[1]), "170");
        }
        h->watch_started = switch_docs;
        memset(&w, 0, sizeof(w));
        w.streams = 3;
        w.stop_at = 4;
        assert_int_equal(watch_until(h, streams_or_lists, &w, &err), EKSAUTH_OK);
        assert_int_equal(h->cluster_calls, 1); /* never listed again */
        assert_int_equal(h->watch_calls, 3);
        assert_int_equal(occurrences(w.errors, "dropped, as the cluster drops them: mapUsers"), 1);
        /* Written once with the dropped value, then the fix (and the first list's good one). */
        assert_int_equal(w.applied, by_event ? 3 : 2);
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        assert_string_equal(st.version, "k8s:170");
        assert_true(in_db(h, "build"));
        assert_true(in_db(h, "carol") == !by_event);
        assert_int_equal(h->n_sleeps, 0);
        /*
         * The DB written without the value is the source as the cluster maps
         * it: a stream's end confirms it (as a timer's sync writes it again at
         * each run), so max_snapshot_age does not refuse everyone meanwhile.
         */
        if (!by_event) {
            assert_string_equal(state_at_stream[1].version, "k8s:100!dropped");
            assert_string_equal(state_at_stream[1].rv, "150");
        }
        host_fixture_free(h);
    }
}

/*
 * A merged source lists at each poll (each stream's end): a document with
 * a value the cluster drops is written once, and each later list of it
 * finds it applied (lib/sync.c found_unchanged) and says its failure again,
 * with no summary, writing nothing.  Before, each list wrote the same DB
 * again (a new generation, fsync, nscd's caches dropped) and told it as
 * applied.
 */
static void test_watch_merged_dropped_value_not_written_again(void **state)
{
    struct host_fixture *h = watched_host(MERGED_CONFIG);
    struct eksauth_snapshot_state first, st;
    struct watch_run w;

    (void)state;
    h->cluster_doc = AWS_AUTH_DROPPED;
    h->watch_started = switch_docs;
    memset(state_at_stream, 0, sizeof(state_at_stream));
    memset(docs_from_stream, 0, sizeof(docs_from_stream));
    watch(h, 3, &w);
    assert_int_equal(h->cluster_calls, 3); /* the first list, and one after each of 2 streams */
    assert_int_equal(w.applied, 1);
    assert_int_equal(occurrences(w.errors, "dropped, as the cluster drops them: mapUsers"), 3);
    first = state_at_stream[0];
    assert_string_equal(first.version, "k8s:100!dropped");
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_true(st.generation == first.generation);
    assert_true(st.fetched_at == first.fetched_at);
    assert_string_equal(st.version, "k8s:100!dropped");
    assert_false(in_db(h, "carol"));
    host_fixture_free(h);
}

static struct fake_nscd owed_nscd; /* nscd_owed_at_stream_end's, started by its hook */

/*
 * The hook of nscd_owed_at_stream_end: as the first stream starts (the
 * first list wrote the DB with no nscd listening), an earlier write owes a
 * drop, and nscd listens from now on.
 */
static void owe_nscd_a_drop(struct host_fixture *h, unsigned i)
{
    FILE *f;

    if (i != 0)
        return;
    f = fopen(h->ctx.paths.nscd_pending, "w");
    assert_non_null(f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(fake_nscd_start(&owed_nscd, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE), 0);
}

/*
 * In a mount namespace of its own: one stream that runs its course after a
 * write that could not have nscd drop its caches; 0 when the stream's end
 * asked nscd (both caches) and the drop is no longer owed.
 */
static int nscd_owed_at_stream_end(void *arg)
{
    struct host_fixture *h = arg;
    struct watch_run w;
    struct stat sb;
    char log[256];

    h->watch_started = owe_nscd_a_drop;
    watch(h, 1, &w);
    fake_nscd_stop(&owed_nscd, 1, log, sizeof(log));
    if (strstr(log, "passwd") == NULL || strstr(log, "group") == NULL)
        return 3;
    return lstat(h->ctx.paths.nscd_pending, &sb) == 0 ? 4 : 0;
}

/*
 * A drop of nscd's caches an earlier write owes (it failed: lib/sync.c) is
 * asked for at a stream's end: the watch may not list again for days, and
 * meanwhile nscd serves removed users (before, only the next write asked).
 */
static void test_watch_asks_nscd_owed_drop(void **state)
{
    struct host_fixture *h = watched_host(K8S_CONFIG);

    (void)state;
    assert_int_equal(fake_nscd_in_namespace(nscd_owed_at_stream_end, h), 0);
    host_fixture_free(h);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_watch_needs_a_cluster_source),
                  cmocka_unit_test(test_watch_resumes_and_spreads_relists),
                  cmocka_unit_test(test_watch_backoff),
                  cmocka_unit_test(test_watch_retry_after_capped),
                  cmocka_unit_test(test_watch_streams_cut_short_back_off),
                  cmocka_unit_test(test_watch_short_streams_with_events_back_off),
                  cmocka_unit_test(test_watch_delivering_stream_resets_backoff),
                  cmocka_unit_test(test_watch_failed_lists_back_off),
                  cmocka_unit_test(test_watch_relists_after_a_failed_apply),
                  cmocka_unit_test(test_watch_deleted_configmap_maps_nobody),
                  cmocka_unit_test(test_watch_deleted_then_recreated),
                  cmocka_unit_test(test_watch_starts_while_aws_auth_is_gone),
                  cmocka_unit_test(test_watch_dropped_value_is_followed),
                  cmocka_unit_test(test_watch_merged_dropped_value_not_written_again),
                  cmocka_unit_test(test_watch_restart_spreads_its_first_list),
                  cmocka_unit_test(test_watch_failure_tells_its_warnings),
                  cmocka_unit_test(test_watch_failure_tells_its_stale_entries),
                  cmocka_unit_test(test_watch_refused_poll_backs_off_to_the_interval),
                  cmocka_unit_test(test_watch_ends_when_config_changes),
                  cmocka_unit_test(test_watch_event_after_config_edit),
                  cmocka_unit_test(test_watch_replans_when_local_accounts_change),
                  cmocka_unit_test(test_watch_unreadable_local_accounts),
                  cmocka_unit_test(test_watch_merged_source_lists),
                  cmocka_unit_test(test_watch_polls_without_a_watch),
                  cmocka_unit_test(test_watch_unconfirmed_is_told),
                  cmocka_unit_test(test_watch_unchanged_warning_is_told),
                  cmocka_unit_test(test_watch_asks_nscd_owed_drop))
