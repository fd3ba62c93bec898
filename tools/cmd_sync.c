/*
 * cmd_sync.c - `eksauth sync [--aws-auth FILE] [--allow-empty] [--json]
 * [--watch] [--interval S] [--force | --if-changed]`: aws-auth -> identity DB, the source
 * of everything NSS serves.  The sync is the library's (eksauth/sync.h);
 * this file reads the options and prints the one-screen summary or JSON,
 * and for a failed sync its warnings before its error.
 * Exit 0 written (or unchanged), 2 a source or document refused (the DB
 * is unchanged), or the status of a cluster source that cannot be read.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "eksauth/sync.h"

#define SUMMARY_LINES 10 /* lines of warnings or removals on the one-screen summary */

struct sync_args {
    struct eksauth_sync_options opts;
    bool json, watch;
    long interval; /* --interval S: access entries' poll and a watch stream's length */
};

static int sync_usage(FILE *out)
{
    fprintf(out, "usage: eksauth sync [--aws-auth FILE] [--allow-empty] [--json]\n"
                 "                    [--watch] [--interval S] [--force | --if-changed]\n"
                 "  aws-auth (--aws-auth FILE or aws_auth_file, or the cluster's API for\n"
                 "  source = kubernetes | eks-api | kubernetes+eks-api) -> the identity DB\n"
                 "  --allow-empty  write an aws-auth that maps nobody (removes every user)\n"
                 "  --json         the summary as JSON (--watch: one object a line per change)\n"
                 "  --watch        follow the aws-auth ConfigMap (Kubernetes watch API) and\n"
                 "                 poll the access entries, until stopped\n"
                 "  --interval S   --watch: a watch stream's length and the access entries'\n"
                 "                 poll, 1 to 3600 seconds (default 60)\n"
                 "  --force        write the identity DB even when the source did not change\n"
                 "  --if-changed   a file source too: nothing written when it, eksauth.conf,\n"
                 "                 the id key and the local accounts are as the last sync\n"
                 "                 (under a day ago) found them (eksauth-sync.service's runs)\n");
    return out == stdout ? 0 : EXIT_USAGE;
}

/* --interval S: 1 to 3600. */
static bool parse_interval(const char *v, long *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 3600) {
        cli_error("usage", "sync: --interval must be 1 to 3600 seconds");
        return false;
    }
    *out = n;
    return true;
}

/* The arguments; -1 to go on, else the exit code. */
static int parse_args(struct eksauth_cli *cli, int argc, char **argv, struct sync_args *a)
{
    int i;

    memset(a, 0, sizeof(*a));
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strcmp(arg, "--json") == 0) {
            a->json = true;
        } else if (strcmp(arg, "--allow-empty") == 0) {
            a->opts.allow_empty = true;
        } else if (strcmp(arg, "--force") == 0) {
            a->opts.force = true;
        } else if (strcmp(arg, "--if-changed") == 0) {
            a->opts.if_changed = true;
        } else if (strcmp(arg, "--watch") == 0) {
            a->watch = true;
        } else if (strcmp(arg, "--interval") == 0 || strncmp(arg, "--interval=", 11) == 0) {
            const char *v = arg[10] == '=' ? arg + 11 : (i + 1 < argc ? argv[++i] : NULL);

            if (v == NULL) {
                cli_error("usage", "sync: --interval needs a value");
                return sync_usage(stderr);
            }
            if (!parse_interval(v, &a->interval))
                return sync_usage(stderr);
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            return sync_usage(stdout);
        } else {
            cli_error("usage", "sync: unknown argument '%s'", arg);
            return sync_usage(stderr);
        }
    }
    /* The usage line offers one or the other: taking both, one would be silently dropped. */
    if (a->opts.force && a->opts.if_changed) {
        cli_error("usage", "sync: --force and --if-changed ask for opposite things; give one");
        return sync_usage(stderr);
    }
    /* Why: a one-shot sync has no stream or poll to time; dropped unsaid, it misleads. */
    if (a->interval != 0 && !a->watch) {
        cli_error("usage", "sync: --interval is the length of --watch's streams and polls; "
                           "without --watch, sync runs once (a timer's period is its "
                           "OnUnitActiveSec=: systemctl edit eksauth-sync.timer)");
        return sync_usage(stderr);
    }
    /* --aws-auth FILE, like --config, was taken before the command (tools/eksauth.c). */
    a->opts.aws_auth_path = cli->aws_auth_path;
    return -1;
}

static struct json_object *json_list(const struct eksauth_strlist *l)
{
    struct json_object *arr = json_object_new_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_object_array_add(arr, json_object_new_string(l->v[i]));
    return arr;
}

/* What there is news of besides the DB: nscd's caches, and a cluster source's requests. */
static void add_news(struct json_object *o, const struct eksauth_sync_report *r)
{
    /* Only when there is news: a retry that worked, a drop an earlier sync owed, or one pending. */
    if (r->nscd != NULL)
        json_object_object_add(o, "nscd", json_object_new_string(r->nscd));
    if (r->version[0] != '\0') {
        json_object_object_add(o, "requests", json_object_new_int64(r->requests));
        json_object_object_add(o, "retries", json_object_new_int64(r->retries));
        json_object_object_add(o, "throttled", json_object_new_int64(r->throttled));
        json_object_object_add(o, "stale", json_list(&r->stale));
    }
}

/* The report as one JSON object: pretty, or on one line (line: a --watch stream, JSON Lines). */
static int print_json(const struct eksauth_sync_report *r, bool line)
{
    struct json_object *o = json_object_new_object();
    int rc;

    if (r->unchanged) {
        json_object_object_add(o, "unchanged", json_object_new_boolean(1));
        json_object_object_add(o, "version", json_object_new_string(r->version));
        /* An unchanged source still has news: a cache or state that could not be kept. */
        json_object_object_add(o, "warnings", json_list(&r->warnings));
        /* One applied without values the cluster drops: still a failure, they are named. */
        if (r->dropped.n > 0)
            json_object_object_add(o, "dropped", json_list(&r->dropped));
    } else {
        json_object_object_add(o, "db", json_object_new_string(r->db));
        json_object_object_add(o, "aws_auth", json_object_new_string(r->source));
        /* A cluster source's version applied (a watch's reports say which change each is). */
        if (r->version[0] != '\0')
            json_object_object_add(o, "version", json_object_new_string(r->version));
        json_object_object_add(o, "generation", json_object_new_int64((int64_t)r->generation));
        json_object_object_add(o, "users", json_object_new_int64(r->users));
        json_object_object_add(o, "groups", json_object_new_int64(r->groups));
        json_object_object_add(o, "templates", json_list(&r->templates));
        json_object_object_add(o, "added", json_list(&r->added));
        json_object_object_add(o, "removed", json_list(&r->removed));
        json_object_object_add(o, "recorded_logins_kept", json_list(&r->kept));
        json_object_object_add(o, "warnings", json_list(&r->warnings));
        json_object_object_add(o, "dropped", json_list(&r->dropped));
    }
    add_news(o, r);
    rc = line ? cli_print_json_line(o) : cli_print_json(o);
    json_object_put(o);
    return rc;
}

/* At most SUMMARY_LINES lines of l to out, each "<prefix><item>", then how many more. */
static void print_some(FILE *out, const struct eksauth_strlist *l, const char *prefix)
{
    size_t k;

    for (k = 0; k < l->n && k < SUMMARY_LINES; k++)
        fprintf(out, "%s%s\n", prefix, l->v[k]);
    if (l->n > SUMMARY_LINES)
        fprintf(out, "%s... and %zu more (--json lists all)\n", prefix, l->n - SUMMARY_LINES);
}

/* nscd's caches, when there is news of them (sync.h). */
static void print_nscd(const struct eksauth_sync_report *r)
{
    if (r->nscd != NULL)
        printf("  nscd:      caches %s\n", r->nscd);
}

static int print_text(const struct eksauth_sync_report *r)
{
    size_t k;

    if (r->unchanged) {
        printf("eksauth sync: unchanged (%s); the identity DB is not rewritten\n", r->version);
        print_nscd(r);
        print_some(stdout, &r->stale, "  stale:     ");
        if (r->warnings.n > 0) {
            printf("  warnings:  %zu\n", r->warnings.n);
            print_some(stdout, &r->warnings, "    ");
        }
        return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
    }
    printf("eksauth sync: %s (generation %llu) from %s\n", r->db, (unsigned long long)r->generation,
           r->source);
    printf("  users:     %u (%zu new, %zu removed, %zu recorded logins kept)\n", r->users,
           r->added.n, r->removed.n, r->kept.n);
    printf("  groups:    %u (the users' group included)\n", r->groups);
    printf("  templates: %zu", r->templates.n);
    for (k = 0; k < r->templates.n && k < 5; k++)
        printf("%s%s", k == 0 ? " (" : ", ", r->templates.v[k]);
    printf("%s\n", r->templates.n == 0 ? "" : (r->templates.n > 5 ? ", ...)" : ")"));
    print_some(stdout, &r->removed, "  removed:   ");
    print_nscd(r);
    if (r->version[0] != '\0')
        printf("  requests:  %u to the cluster's APIs (%u retries, %u throttled)\n", r->requests,
               r->retries, r->throttled);
    print_some(stdout, &r->stale, "  stale:     ");
    printf("  warnings:  %zu\n", r->warnings.n);
    print_some(stdout, &r->warnings, "    ");
    return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

static int print_report(const struct eksauth_sync_report *r, bool json, bool line)
{
    if (r->db_not_served)
        fprintf(stderr,
                "eksauth: sync: warning: the NSS module reads %s only; db_path %s is not served\n",
                EKSAUTH_DB_PATH, r->db);
    return json ? print_json(r, line) : print_text(r);
}

/*
 * A sync that failed with no summary to print: its error, and before it
 * what the sync still has to tell (nscd's caches not dropped, the access
 * entry cache not kept, entries skipped, freshness throttling delayed),
 * which the error alone would hide.  --json: also one object, "error"
 * with the same lists.
 */
static int print_failure(const struct eksauth_sync_report *r, bool json,
                         const struct eksauth_error *err)
{
    struct json_object *o;

    if (json) {
        o = json_object_new_object();
        json_object_object_add(o, "error", json_object_new_string(err->msg));
        json_object_object_add(o, "warnings", json_list(&r->warnings));
        add_news(o, r);
        (void)cli_print_json(o);
        json_object_put(o);
    } else {
        print_some(stderr, &r->stale, "eksauth: sync: stale: ");
        print_some(stderr, &r->warnings, "eksauth: sync: warning: ");
    }
    return cli_fail("sync", err);
}

/*
 * --watch: each change applied, and each failure the watch goes on after.
 * With --json standard output is JSON alone, one object a line per change
 * (its "version" says which), for a reader of the stream; text goes to
 * standard error.
 */
static void watch_applied(void *arg, const struct eksauth_sync_report *r)
{
    const struct sync_args *a = arg;

    (void)print_report(r, a->json, true);
    if (a->json)
        return;
    printf("eksauth sync: applied %s\n", r->version);
    fflush(stdout);
}

/* --watch: freshness the budget or throttling delayed, at each list or poll that had some. */
static void watch_stale(void *arg, const struct eksauth_sync_report *r)
{
    size_t i;

    (void)arg;
    for (i = 0; i < r->stale.n; i++)
        cli_error("sync", "stale: %s", r->stale.v[i]);
    fflush(stderr);
}

/* --watch: a plan made again for a reason of this host's own (its local accounts changed). */
static void watch_replanning(void *arg, const char *why)
{
    const struct sync_args *a = arg;
    FILE *out = a->json ? stderr : stdout;

    fprintf(out, "eksauth sync: %s\n", why);
    fflush(out);
}

static void watch_failed(void *arg, const struct eksauth_error *err)
{
    (void)arg;
    cli_error("sync", "%s", err->msg);
    fflush(stderr);
}

int cmd_sync(struct eksauth_cli *cli, int argc, char **argv)
{
    struct eksauth_sync_report report;
    struct eksauth_sync_watch watch;
    struct eksauth_error err = {0};
    struct sync_args a;
    int rc;

    rc = parse_args(cli, argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (cli_load_config(cli, false, &err) != EKSAUTH_OK)
        return cli_fail("sync", &err);
    /*
     * Reading aws-auth frees libyaml's nodes, millions of small blocks at
     * 100,000 entries.  Kept in glibc's fast bins they are merged all at once
     * at the next large request, about 5% of the sync (bench/README.md, row
     * 5); without fast bins each is merged as it is freed, for less.
     */
    (void)mallopt(M_MXFAST, 0);
    if (a.watch) {
        memset(&watch, 0, sizeof(watch));
        watch.interval = a.interval;
        watch.applied = watch_applied;
        watch.stale = watch_stale;
        watch.replanning = watch_replanning;
        watch.failed = watch_failed;
        watch.arg = &a;
        /* Returns only when there is nothing to watch, or eksauth.conf changed (exit 2). */
        eksauth_sync_watch(&cli->ctx, &a.opts, &watch, &err);
        return cli_fail("sync", &err);
    }
    /*
     * One sync, then the process exits.  Its arrays of tens of MiB (libyaml's
     * nodes, the plan, the DB's image) each get a mapping of their own from
     * glibc, unmapped when freed, so the next one faults its pages in again:
     * a quarter of a 100,000-entry sync's page faults and about 13% of its
     * CPU (bench/README.md, "Sixth pass").  From the heap, freed memory is
     * reused.  The watch, which lives on, keeps glibc's default.
     */
    (void)mallopt(M_MMAP_MAX, 0);
    memset(&report, 0, sizeof(report));
    if (eksauth_sync_run(&cli->ctx, &a.opts, &report, &err) != EKSAUTH_OK) {
        /* Written without what the cluster drops: the summary, then the failure naming it. */
        if (report.dropped.n > 0) {
            (void)print_report(&report, a.json, false);
            rc = cli_fail("sync", &err);
        } else {
            rc = print_failure(&report, a.json, &err);
        }
    } else {
        rc = print_report(&report, a.json, false);
    }
    eksauth_sync_report_free(&report);
    return rc;
}
