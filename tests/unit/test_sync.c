/*
 * test_sync.c - one sync, whole (lib/sync.c, lib/snapshot.c): a file
 * source into the identity DB with its report, refusals that leave the DB
 * as it was, the carry-over and revocation of recorded logins (idle ones
 * too, and one whose uid a local account took), and a cluster source with
 * its snapshot, "unchanged" and a failing fetch, the version and budget a
 * fetch is given, the state it confirms
 * (the snapshot's own rules: tests/unit/test_snapshot.c); plus the id seeds
 * a plan keeps (lib/mapping.c).  The watch: test_sync_watch.c.  A throwaway
 * host with fakes for STS, the cluster's API and the clock
 * (tests/lib/host_fixture.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "eksauth/byteorder.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/login.h"
#include "eksauth/mapping.h"
#include "eksauth/names.h"
#include "eksauth/nscd.h"
#include "eksauth/sync.h"
#include "eksauth/tombstone.h"
#include "fake_nscd.h"
#include "host_fixture.h"
#include "unit.h"

/* Dev's template, build, and carol in builders too (host_fixture.h). */
static const char *const AWS_AUTH =
    "mapRoles: |\n"
    "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
    "    username: dev:{{SessionName}}\n"
    "    groups:\n"
    "      - developers\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL "      - builders\n";

/* This host's instance, for {{EC2PrivateDNSName}} (set_instance). */
#define NODE_INSTANCE "i-0123456789abcdef0"
#define NODE_DNS_NAME "ip-10-0-1-23.ec2.internal"

/* The same without the Dev role and carol: their logins are revoked. */
static const char *const AWS_AUTH_SMALLER = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD;

static bool listed(const struct eksauth_strlist *l, const char *prefix)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strncmp(l->v[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

static bool listed_containing(const struct eksauth_strlist *l, const char *needle)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        if (strstr(l->v[i], needle) != NULL)
            return true;
    return false;
}

static enum eksauth_status run(struct host_fixture *h, bool allow_empty,
                               struct eksauth_sync_report *r, struct eksauth_error *err)
{
    struct eksauth_sync_options opts;

    memset(&opts, 0, sizeof(opts));
    opts.allow_empty = allow_empty;
    host_fixture_reopen(h);
    return eksauth_sync_run(&h->ctx, &opts, r, err);
}

/* eksauth sync --if-changed, as eksauth-sync.service runs it. */
static enum eksauth_status run_if_changed(struct host_fixture *h, struct eksauth_sync_report *r,
                                          struct eksauth_error *err)
{
    struct eksauth_sync_options opts;

    memset(&opts, 0, sizeof(opts));
    opts.if_changed = true;
    host_fixture_reopen(h);
    return eksauth_sync_run(&h->ctx, &opts, r, err);
}

/* A sync that succeeds, its report not looked at. */
static void sync_ok(struct host_fixture *h)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;

    if (run(h, false, &r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    eksauth_sync_report_free(&r);
}

static void test_file_source_writes_the_db(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    struct stat st;

    (void)state;
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_int_equal(r.generation, 1);
    assert_int_equal(r.users, 2); /* build and carol; dev:{{SessionName}} is a template */
    assert_true(listed(&r.added, "build") && listed(&r.added, "carol"));
    assert_int_equal(r.templates.n, 1);
    assert_string_equal(r.templates.v[0], "dev:{{SessionName}}");
    assert_string_equal(r.source, h->aws_auth);
    assert_string_equal(r.db, h->db);
    eksauth_sync_report_free(&r);
    /* Every process reads the DB: 0644, root's. */
    assert_int_equal(stat(h->db, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_OK);
    assert_int_equal(u.n_groups, 2); /* viewers, builders; eks-users, every login's, is primary */
    assert_int_equal(u.gid, eksauth_iddb_users_gid(db));
    eksauth_iddb_close(db);
    /* A second run: the next generation, nothing new. */
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_int_equal(r.generation, 2);
    assert_int_equal(r.added.n, 0);
    eksauth_sync_report_free(&r);
    /* The timer's run: the same bytes, config, key and accounts, so nothing is written. */
    assert_int_equal(run_if_changed(h, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    assert_string_equal(r.version, "file");
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_generation(db), 2);
    eksauth_iddb_close(db);
    /* Another aws-auth: planned at once. */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    assert_int_equal(run_if_changed(h, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    assert_int_equal(r.generation, 3);
    assert_int_equal(r.users, 1);
    eksauth_sync_report_free(&r);
    /* A broken aws-auth is never "unchanged": every timer run refuses it again, loudly. */
    host_fixture_write_aws_auth(h, "mapRoles: [unclosed\n");
    assert_int_equal(run_if_changed(h, &r, &err), EKSAUTH_EINVAL);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    assert_int_equal(run_if_changed(h, &r, &err), EKSAUTH_EINVAL);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

static void test_refusals_leave_the_db(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct stat before, after;

    (void)state;
    sync_ok(h);
    assert_int_equal(stat(h->db, &before), 0);
    /* A document that does not parse. */
    host_fixture_write_aws_auth(h, "mapRoles: |\n  - rolearn: [unclosed\n");
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "the identity DB is unchanged"));
    /* Nobody is mapped because the cluster drops the value: the refusal says which, and why. */
    assert_non_null(strstr(err.msg, "maps nobody (dropped, as the cluster drops them: mapRoles ("));
    eksauth_sync_report_free(&r);
    /* One that maps nobody, without allow_empty. */
    host_fixture_write_aws_auth(h, "mapRoles: |\n  []\n");
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "maps nobody"));
    eksauth_sync_report_free(&r);
    /* A source that is not there: said once, with the path once. */
    assert_int_equal(unlink(h->aws_auth), 0);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "the identity DB is unchanged"));
    assert_null(strstr(strstr(err.msg, h->aws_auth) + 1, h->aws_auth));
    eksauth_sync_report_free(&r);
    assert_int_equal(stat(h->db, &after), 0);
    assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    /* With allow_empty, an empty aws-auth empties the DB on purpose. */
    host_fixture_write_aws_auth(h, "mapRoles: |\n  []\n");
    assert_int_equal(run(h, true, &r, &err), EKSAUTH_OK);
    assert_int_equal(r.users, 0);
    assert_true(listed(&r.removed, "build (no longer in aws-auth)"));
    eksauth_sync_report_free(&r);
    /* A DB that cannot be read (a symlink loop: ELOOP) is not a corrupt one: never rebuilt. */
    assert_int_equal(unlink(h->db), 0);
    assert_int_equal(symlink("identity.db", h->db), 0);
    host_fixture_write_aws_auth(h, AWS_AUTH);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "the identity DB is unchanged"));
    eksauth_sync_report_free(&r);
    assert_int_equal(lstat(h->db, &after), 0);
    assert_true(S_ISLNK(after.st_mode));
    assert_int_equal(unlink(h->db), 0);
    host_fixture_free(h);
}

/*
 * This host's instance as instance metadata answers it (or, answers
 * false, does not), set where a context reads it once (imds.h): no
 * network asked.
 */
static void set_instance(struct host_fixture *h, bool answers)
{
    struct eksauth_host_instance *inst = &h->ctx.instance;

    memset(inst, 0, sizeof(*inst));
    inst->tried = true;
    inst->status = answers ? EKSAUTH_OK : EKSAUTH_EUNAVAIL;
    if (answers) {
        snprintf(inst->instance_id, sizeof(inst->instance_id), "%s", NODE_INSTANCE);
        snprintf(inst->private_dns_name, sizeof(inst->private_dns_name), "%s", NODE_DNS_NAME);
    } else {
        snprintf(inst->failure.msg, sizeof(inst->failure.msg), "instance metadata: no answer");
    }
}

/*
 * The report quotes aws-auth's templates: one holding U+202E (right-to-left
 * override) is shown with '?' there, in the templates and the warnings,
 * never with the character that would reorder the line it is printed on.
 */
static void test_report_shows_what_it_says(void **state)
{
    struct host_fixture *h = host_fixture_new(
        NULL, "mapRoles: |\n"
              "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
              "    username: \"dev-{{SessionName}}\xe2\x80\xae-x\"\n"
              "  - rolearn: arn:aws:iam::123456789012:role/Node\n"
              "    username: \"node:{{EC2PrivateDNSName}}\xe2\x80\xae\"\n" FIXTURE_MAP_ROLE_BUILD);
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    host_fixture_reopen(h);
    set_instance(h, false);
    assert_status(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.templates, "dev-{{SessionName}}?-x"));
    assert_true(listed_containing(&r.warnings, "template 'node:{{EC2PrivateDNSName}}?' cannot"));
    assert_false(listed_containing(&r.templates, "\xe2\x80\xae"));
    assert_false(listed_containing(&r.warnings, "\xe2\x80\xae"));
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

/*
 * A login attempt's outcome: the status, and the reason class of a
 * refusal; with instance, on a host whose instance metadata answers
 * (set_instance), else on one that was never asked.
 */
/* The check of a login as arn, in a fresh context (with instance: set_instance) into *l. */
static enum eksauth_status check_login(struct host_fixture *h, const char *arn, bool instance,
                                       struct eksauth_login **l, struct eksauth_error *err)
{
    host_fixture_reopen(h);
    if (instance)
        set_instance(h, true);
    return host_fixture_check_login(h, arn, l, err);
}

static enum eksauth_status try_log_in_on(struct host_fixture *h, const char *arn, const char *login,
                                         bool instance, enum eksauth_refusal *why)
{
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    enum eksauth_status st;

    st = check_login(h, arn, instance, &l, &err);
    if (st == EKSAUTH_OK)
        st = eksauth_login_commit(&h->ctx, l, login, FIXTURE_NOW + 5, &err);
    *why = l->refusal;
    eksauth_login_free(l);
    return st;
}

static enum eksauth_status try_log_in(struct host_fixture *h, const char *arn, const char *login,
                                      enum eksauth_refusal *why)
{
    return try_log_in_on(h, arn, login, false, why);
}

/* A templated login, as PAM records it. */
static void log_in(struct host_fixture *h, const char *arn, const char *login)
{
    enum eksauth_refusal why;

    if (try_log_in(h, arn, login, &why) != EKSAUTH_OK)
        fail_msg("login %s refused (reason class %d)", login, (int)why);
}

/* A first sync, then dev-bob's first login (Dev/bob); its recorded uid. */
static uint32_t bob_recorded(struct host_fixture *h)
{
    struct eksauth_iddb_user u;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    uint32_t uid;

    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-bob", &u), EKSAUTH_OK);
    uid = u.uid;
    eksauth_iddb_close(db);
    return uid;
}

static void test_recorded_logins_kept_then_revoked(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    uint32_t uid;

    (void)state;
    uid = bob_recorded(h);
    /* The mapping still holds: kept, with its uid. */
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.kept, "dev-bob"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-bob", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, uid);
    eksauth_iddb_close(db);
    /* The role left aws-auth: revoked, and the reason says so. */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.removed, "dev-bob (revoked: "));
    assert_true(listed(&r.removed, "carol (no longer in aws-auth)"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-bob", &u), EKSAUTH_ENOTFOUND);
    /* Its uid stays held (tombstone.h) for id_tombstone_days. */
    assert_true(eksauth_iddb_id_held_from(db, uid, "dev-mallory", (uint64_t)time(NULL)));
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/* Make login's record look last used days ago (as a DB written then would hold it). */
static void age_login(struct host_fixture *h, const char *login, long days)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_iddb_user_in in;
    struct eksauth_error err;
    const char *groups[16];
    char names[16][64];
    uint32_t i;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, login, &u), EKSAUTH_OK);
    assert_true(u.n_groups <= 16);
    for (i = 0; i < u.n_groups; i++) {
        assert_int_equal(eksauth_iddb_user_group(db, &u, i, &g), EKSAUTH_OK);
        snprintf(names[i], sizeof(names[i]), "%.*s", (int)g.name_len, g.name);
        groups[i] = names[i];
    }
    memset(&in, 0, sizeof(in));
    in.login = login;
    in.k8s_username = u.k8s_username;
    in.arn = u.arn;
    in.uid = u.uid;
    in.flags = u.flags;
    in.groups = groups;
    in.n_groups = u.n_groups;
    in.last_login = (uint64_t)(time(NULL) - days * 86400L);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_builder_remove_user(b, login));
    assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, h->db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
}

/* The last_login of login in the DB now. */
static uint64_t last_login_of(struct host_fixture *h, const char *login)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err;
    uint64_t t;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, login, &u), EKSAUTH_OK);
    t = u.last_login;
    eksauth_iddb_close(db);
    return t;
}

static void test_idle_logins_expire(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    uint64_t before;

    (void)state;
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/dan", "dev-dan");
    /* A login refreshes an older last_login (at most once a day): daily use is not idle. */
    age_login(h, "dev-dan", 2);
    before = last_login_of(h, "dev-dan");
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/dan", "dev-dan");
    assert_true(last_login_of(h, "dev-dan") >= before + 2 * 86400 - 60);
    /* 89 days idle: kept; 91 days (the default limit is 90): revoked, and why. */
    age_login(h, "dev-dan", 89);
    age_login(h, "dev-bob", 91);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.kept, "dev-dan"));
    assert_true(listed(&r.removed, "dev-bob (revoked: no login since "));
    assert_non_null(strstr(r.removed.v[0], "(login_idle_days = 90)"));
    eksauth_sync_report_free(&r);
    /* The next login records bob again. */
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    assert_true(last_login_of(h, "dev-bob") + 60 >= (uint64_t)time(NULL));
    host_fixture_free(h);

    /* login_idle_days = 0: never. */
    h = host_fixture_new("login_idle_days = 0\n", AWS_AUTH);
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    age_login(h, "dev-bob", 3000);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.kept, "dev-bob"));
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

/* The k8s group of POSIX group name in the DB at h, and whether login is one of its members. */
static void group_in_db(struct host_fixture *h, const char *name, const char *k8s,
                        const char *login, bool member)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_group g;
    struct eksauth_error err;
    const char *m;
    bool found = false;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_group_by_name(db, name, &g), EKSAUTH_OK);
    assert_string_equal(g.k8s_group, k8s);
    for (m = g.members; m < g.members + g.members_len; m += strlen(m) + 1)
        found = found || strcmp(m, login) == 0;
    assert_true(found == member);
    eksauth_iddb_close(db);
}

/*
 * Two templates that render different k8s groups onto one POSIX name
 * ("x-bob" and "X-bob": eks-x-bob) never merge them: the second login is
 * recorded without the first one's group, and the sync keeps them apart
 * and says why.
 */
static void test_template_groups_never_merge(void **state)
{
    static const char *const aws_auth = "mapRoles: |\n"
                                        "  - rolearn: arn:aws:iam::123456789012:role/One\n"
                                        "    username: one:{{SessionName}}\n"
                                        "    groups: ['x-{{SessionName}}']\n"
                                        "  - rolearn: arn:aws:iam::123456789012:role/Two\n"
                                        "    username: two:{{SessionName}}\n"
                                        "    groups: ['X-{{SessionName}}']\n";
    struct host_fixture *h = host_fixture_new(NULL, aws_auth);
    struct eksauth_sync_report r;
    struct eksauth_error err;

    (void)state;
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/One/bob", "one-bob");
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Two/bob", "two-bob");
    group_in_db(h, "eks-x-bob", "x-bob", "one-bob", true);
    group_in_db(h, "eks-x-bob", "x-bob", "two-bob", false);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.warnings, "two-bob: group eks-x-bob not served to it"));
    eksauth_sync_report_free(&r);
    group_in_db(h, "eks-x-bob", "x-bob", "one-bob", true);
    group_in_db(h, "eks-x-bob", "x-bob", "two-bob", false);
    host_fixture_free(h);
}

/* A node template, carol's login the one it gives here, dave's another node's. */
static const char *const HOST_AWS_AUTH =
    "mapRoles: |\n"
    "  - rolearn: arn:aws:iam::123456789012:role/Node\n"
    "    username: node:{{EC2PrivateDNSName}}\n" FIXTURE_MAP_ROLE_BUILD "mapUsers: |\n"
    "  - userarn: arn:aws:iam::123456789012:user/carol\n"
    "    username: node-" NODE_DNS_NAME "\n"
    "  - userarn: arn:aws:iam::123456789012:user/dave\n"
    "    username: node-ip-10-0-9-8.ec2.internal\n";

/*
 * A template with {{EC2PrivateDNSName}} and a static user whose login it
 * gives on this host (docs/names-and-ids.md, "One login, one person"):
 * neither is served, through the login index or the whole snapshot (a
 * login plans with the instance the sync bound, from the state), and the
 * DB denies the login to NSS.  Instance metadata silent at the sync: the
 * template may be any node's, so the static user is refused all the same
 * (fail closed), and so is every login its template could give, another
 * node's too, even when instance metadata answers the login.
 */
static void test_host_template_takes_no_static_login(void **state)
{
    const char *carol = "arn:aws:iam::123456789012:user/carol",
               *node = "arn:aws:sts::123456789012:assumed-role/Node/" NODE_INSTANCE;
    struct host_fixture *h = host_fixture_new(NULL, HOST_AWS_AUTH);
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    enum eksauth_refusal why;
    struct eksauth_error err;
    int answers, indexed;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    for (answers = 1; answers >= 0; answers--) {
        host_fixture_reopen(h);
        set_instance(h, answers != 0);
        assert_status(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
        assert_true(listed_containing(&r.warnings, "template 'node:{{EC2PrivateDNSName}}' and "
                                                   "k8s user 'node-" NODE_DNS_NAME "'"));
        eksauth_sync_report_free(&r);
        assert_status(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_user_by_name(db, "node-" NODE_DNS_NAME, &u), EKSAUTH_ENOTFOUND);
        assert_true(eksauth_iddb_is_denied(db, "node-" NODE_DNS_NAME));
        eksauth_iddb_close(db);
        /* Through the index, then the whole snapshot: the same answers. */
        for (indexed = 1; indexed >= 0; indexed--) {
            if (!indexed)
                assert_int_equal(unlink(h->ctx.paths.index), 0);
            assert_status(try_log_in_on(h, carol, "node-" NODE_DNS_NAME, true, &why),
                          EKSAUTH_EREJECTED);
            assert_status(try_log_in_on(h, node, "node-" NODE_DNS_NAME, true, &why),
                          EKSAUTH_EREJECTED);
            assert_status(why, EKSAUTH_REFUSAL_AMBIGUOUS);
            log_in(h, "arn:aws:sts::123456789012:assumed-role/Build/ci", "build");
            /* Another node's name: served only where the sync knew this one's. */
            assert_status(try_log_in_on(h, "arn:aws:iam::123456789012:user/dave",
                                        "node-ip-10-0-9-8.ec2.internal", true, &why),
                          answers ? EKSAUTH_OK : EKSAUTH_EREJECTED);
        }
    }
    host_fixture_free(h);
}

/* The state's host line as host (a damaged state's), every other line kept. */
static void set_state_host(struct host_fixture *h, const char *host)
{
    char text[4096], *at, *end;
    size_t n;
    FILE *f;

    assert_non_null(f = fopen(h->ctx.paths.state, "r"));
    n = fread(text, 1, sizeof(text) - 1, f);
    assert_int_equal(fclose(f), 0);
    text[n] = '\0';
    assert_non_null(at = strstr(text, "\nhost="));
    assert_non_null(end = strchr(at + 1, '\n'));
    assert_non_null(f = fopen(h->ctx.paths.state, "w"));
    fprintf(f, "%.*s\nhost=%s%s", (int)(at - text), text, host, end);
    assert_int_equal(fclose(f), 0);
}

/*
 * A state whose host line does not read "<instance id> <DNS name>" (a
 * damaged one) binds no name: a login from the whole snapshot takes the
 * template for any node's, as a sync without instance metadata would,
 * and refuses carol as the sync's index did (it bound an empty name, or
 * one no login renders, and served her).
 */
static void test_damaged_state_host_binds_no_name(void **state)
{
    static const char *const damaged[] = {NODE_INSTANCE " ", NODE_INSTANCE " node x",
                                          "i-x " NODE_DNS_NAME};
    const char *carol = "arn:aws:iam::123456789012:user/carol",
               *dave = "arn:aws:iam::123456789012:user/dave";
    struct host_fixture *h = host_fixture_new(NULL, HOST_AWS_AUTH);
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    enum eksauth_refusal why;
    struct eksauth_error err;
    size_t i;

    (void)state;
    memset(&opts, 0, sizeof(opts));
    set_instance(h, true);
    assert_status(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_int_equal(unlink(h->ctx.paths.index), 0);
    for (i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
        set_state_host(h, damaged[i]);
        assert_status(try_log_in_on(h, carol, "node-" NODE_DNS_NAME, true, &why),
                      EKSAUTH_EREJECTED);
        assert_status(try_log_in_on(h, dave, "node-ip-10-0-9-8.ec2.internal", true, &why),
                      EKSAUTH_EREJECTED);
    }
    host_fixture_free(h);
}

/*
 * A POSIX group two k8s groups would share ("Dev" and "dev": eks-dev) is
 * served to neither, and the DB says so, so that no login records it
 * either; their members log in without it.
 */
static void test_group_collision_denied_in_db(void **state)
{
    static const char *const aws_auth = "mapRoles: |\n"
                                        "  - rolearn: arn:aws:iam::123456789012:role/One\n"
                                        "    username: one\n"
                                        "    groups: [Dev, ops]\n"
                                        "  - rolearn: arn:aws:iam::123456789012:role/Two\n"
                                        "    username: two\n"
                                        "    groups: [dev]\n";
    struct host_fixture *h = host_fixture_new(NULL, aws_auth);
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_group g;
    struct eksauth_error err;

    (void)state;
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/One/s", "one");
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Two/s", "two");
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_is_denied(db, "eks-dev"));
    assert_false(eksauth_iddb_is_denied(db, "eks-ops"));
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-dev", &g), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-ops", &g), EKSAUTH_OK);
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/* Every tombstone of the DB at h made to run out a second ago (time passing). */
static void expire_tombstones(struct host_fixture *h)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_tombstone t;
    struct eksauth_error err;
    uint32_t i;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b, &err), EKSAUTH_OK);
    eksauth_iddb_builder_clear_tombstones(b);
    for (i = 0; i < eksauth_iddb_tombstone_count(db); i++) {
        struct eksauth_iddb_tombstone_in in;

        assert_int_equal(eksauth_iddb_tombstone_at(db, i, &t), EKSAUTH_OK);
        in.name = t.name;
        in.id = t.id;
        in.is_group = t.is_group;
        in.until = (uint64_t)time(NULL) - 1;
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &in, &err), EKSAUTH_OK);
    }
    assert_int_equal(eksauth_iddb_write(b, h->db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
}

/*
 * A revoked login's uid is not given to a new name while its tombstone
 * lasts, comes back to that login itself, and is free once it ran out.
 * A small id range, so that a session name landing on that uid is found.
 */
static void test_revoked_uid_held(void **state)
{
    struct host_fixture *h = host_fixture_new("uid_min = 1000000\nuid_max = 1000999\n", AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    enum eksauth_refusal why;
    char login[64], arn[128];
    uint32_t uid;
    unsigned i;

    (void)state;
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    uid = eksauth_names_id(NULL, "dev-bob", 0, 1000000, 1000999);
    for (i = 0; i < 100000; i++) {
        snprintf(login, sizeof(login), "dev-m%u", i);
        if (eksauth_names_id(NULL, login, 0, 1000000, 1000999) == uid)
            break;
    }
    assert_true(i < 100000);
    snprintf(arn, sizeof(arn), "arn:aws:sts::123456789012:assumed-role/Dev/%s", login + 4);
    /* The Dev role leaves aws-auth and comes back: dev-bob revoked, its uid held. */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.removed, "dev-bob (revoked: "));
    eksauth_sync_report_free(&r);
    host_fixture_write_aws_auth(h, AWS_AUTH);
    sync_ok(h);
    /* Within the period: another name that lands on it is refused. */
    assert_int_equal(try_log_in(h, arn, login, &why), EKSAUTH_EREJECTED);
    assert_int_equal(why, EKSAUTH_REFUSAL_ID_HELD);
    /* dev-bob itself gets it back. */
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-bob", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, uid);
    eksauth_iddb_close(db);
    /* Revoked again; once the period is over, the id is free for the new name. */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    sync_ok(h);
    expire_tombstones(h);
    host_fixture_write_aws_auth(h, AWS_AUTH);
    sync_ok(h);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 0);
    eksauth_iddb_close(db);
    assert_int_equal(try_log_in(h, arn, login, &why), EKSAUTH_OK);
    host_fixture_free(h);
}

/*
 * More tombstones than a DB keeps (tombstone.h): the sync keeps those that
 * end last and says how many ids it gave back early.
 */
static void test_tombstones_over_the_bound_said(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_tombstone_in in;
    struct eksauth_sync_report r;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    char name[32];
    uint32_t i;

    (void)state;
    sync_ok(h);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b, &err), EKSAUTH_OK);
    for (i = 0; i < EKSAUTH_TOMBSTONES_MAX + 2; i++) {
        snprintf(name, sizeof(name), "gone%u", i);
        in.name = name;
        in.id = 3000000000u + i;
        in.is_group = false;
        in.until = (uint64_t)time(NULL) + 86400 + i;
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &in, &err), EKSAUTH_OK);
    }
    assert_int_equal(eksauth_iddb_write(b, h->db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.warnings, "2 tombstones ended early: at most 1000000 removed names' "
                                    "ids are held (those that end last), so the others' ids may "
                                    "be given to new names; find what removes so many names "
                                    "(the removed list of eksauth sync --json)"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_tombstone_count(db), EKSAUTH_TOMBSTONES_MAX);
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/*
 * A DB whose version field took a high bit (no eksauth writes such a
 * version) is damage, rebuilt with the warning any damaged DB gets (was:
 * read as a later eksauth's, refused by every sync for good, the operator
 * told to upgrade again).
 */
static void test_damaged_version_rebuilt(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    unsigned char v[4];
    int fd;

    (void)state;
    sync_ok(h);
    fd = open(h->db, O_RDWR | O_CLOEXEC);
    assert_true(fd >= 0);
    eksauth_le32_put(v, EKSAUTH_IDDB_VERSION | 0x01000000u);
    assert_int_equal(pwrite(fd, v, 4, IDDB_H_VERSION), 4);
    close(fd);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed_containing(&r.warnings, "which no eksauth writes: a damaged header"));
    assert_true(listed_containing(&r.warnings, "rebuilt without its recorded ids and logins"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/* Flip one byte of the DB at h, at the start of section sec, without resealing its block. */
static void damage_section(struct host_fixture *h, enum iddb_section sec)
{
    unsigned char at[4], byte;
    uint32_t off;
    int fd = open(h->db, O_RDWR | O_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(pread(fd, at, 4, IDDB_H_SECTIONS + 8 * (off_t)sec), 4);
    off = eksauth_le32_get(at);
    assert_int_equal(pread(fd, &byte, 1, off + 8), 1);
    byte ^= 0x01;
    assert_int_equal(pwrite(fd, &byte, 1, off + 8), 1);
    close(fd);
}

/*
 * A damaged block of the old DB is said, not skipped in silence: the sync
 * carries what can be read and warns that the rest's ids, logins and id
 * holds are gone (a freed uid may go to a new name).  Enough users that
 * the tombstone lies in another block than the config, which the open
 * checks (a damaged config is a rebuild: test_refusals_leave_the_db).
 */
static void test_damaged_db_is_said(void **state)
{
    static char with_dev[64 * 1024], without_dev[64 * 1024];
    char users[48 * 1024];
    struct host_fixture *h;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    size_t n = 0, i;

    (void)state;
    for (i = 0; i < 300; i++)
        n += (size_t)snprintf(users + n, sizeof(users) - n,
                              "  - userarn: arn:aws:iam::123456789012:user/u%zu\n"
                              "    username: user%zu\n",
                              i, i);
    assert_true(n < sizeof(users));
    snprintf(with_dev, sizeof(with_dev), "%s%s", AWS_AUTH, users);
    snprintf(without_dev, sizeof(without_dev), "%smapUsers: |\n%s", AWS_AUTH_SMALLER, users);
    h = host_fixture_new(NULL, with_dev);
    sync_ok(h);
    log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob");
    host_fixture_write_aws_auth(h, without_dev);
    sync_ok(h); /* dev-bob revoked: its uid held by a tombstone */
    damage_section(h, IDDB_S_TOMBSTONES);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(listed(&r.warnings, h->db));
    /* The damaged block holds all 4 tombstones (carol, dev-bob and their groups). */
    assert_true(listed_containing(&r.warnings, "identity DB: damaged: "));
    assert_true(listed_containing(&r.warnings, "and 4 of 4 tombstones cannot be read: their "
                                               "recorded ids, logins and id holds are not "
                                               "carried over"));
    eksauth_sync_report_free(&r);
    /* The next sync builds on a sound DB: nothing more to say. */
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_false(listed_containing(&r.warnings, "cannot be read"));
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

static void test_cluster_source_snapshot(void **state)
{
    struct host_fixture *h =
        host_fixture_new("source = kubernetes\ncluster_endpoint = https://127.0.0.1:1\n", NULL);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    char snapshot[256];
    struct stat st;

    (void)state;
    h->cluster_doc = AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:100");
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    assert_string_equal(r.version, "k8s:100");
    assert_int_equal(r.users, 2);
    eksauth_sync_report_free(&r);
    /* The snapshot a login maps with sits beside the DB. */
    snprintf(snapshot, sizeof(snapshot), "%s/aws-auth.snapshot", h->dir);
    assert_int_equal(stat(snapshot, &st), 0);
    assert_int_equal((size_t)st.st_size, strlen(AWS_AUTH));
    /* The same version again: nothing written. */
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
    /* The source fails: its status, and the message says what stays in force. */
    h->cluster_status = EKSAUTH_EUNAVAIL;
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "keeping the last good snapshot (k8s:100, "));
    assert_null(strstr(err.msg, "retries"));
    eksauth_sync_report_free(&r);
    /*
     * Throttled (429) at every try: the message says it was tried again and
     * throttled, so the operator reads a fleet too large for the API, not a
     * sync that gave up at the first 429 (it said only the last answer).
     */
    h->cluster_throttled = true;
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "HTTP 429 (after 2 retries, 3 answers throttled); keeping the "
                                    "last good snapshot (k8s:100, "));
    assert_int_equal(r.retries, 2);
    eksauth_sync_report_free(&r);
    assert_int_equal(h->cluster_calls, 4);
    host_fixture_free(h);
}

#define K8S_CONFIG "source = kubernetes\ncluster_endpoint = https://127.0.0.1:1\n"

/* The state file as a sync leaves it, written at fetched_at and confirmed at checked_at. */
/*
 * The state file as a sync would leave it at version, fetched_at and
 * checked_at; with_host: its host line too (a state written before the
 * line existed has none).
 */
static void write_state_as(struct host_fixture *h, const char *version, long long fetched_at,
                           long long checked_at, bool with_host, const char *inputs)
{
    struct eksauth_snapshot_state was;
    char path[256];
    FILE *f;

    /* The snapshot the last sync wrote stays the DB's: its generation, hash and inputs are kept. */
    eksauth_snapshot_state_read(&h->ctx.paths, false, &was);
    snprintf(path, sizeof(path), "%s/aws-auth.state", h->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "version=%s\nrv=7\nfetched_at=%lld\nchecked_at=%lld\nfrom=fake\ngeneration=%llu\n"
            "sha256=%s\ninputs=%s\n",
            version, fetched_at, checked_at, (unsigned long long)was.generation, was.sha256,
            inputs != NULL ? inputs : was.inputs);
    if (with_host)
        fprintf(f, "host=%s\n", was.host);
    assert_int_equal(fclose(f), 0);
}

static void write_state(struct host_fixture *h, const char *version, long long fetched_at,
                        long long checked_at)
{
    write_state_as(h, version, fetched_at, checked_at, true, NULL);
}

/* The next sync plans again, and the one after it finds the source unchanged. */
static void plans_once_then_unchanged(struct host_fixture *h)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;

    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
}

/*
 * An unchanged ConfigMap is not the whole plan: a deny_user added to the
 * config revokes at the next sync, and a day after the DB was written the
 * sync plans again (idle logins, ended tombstones) though nothing changed.
 */
static void test_unchanged_source_replans(void **state)
{
    struct host_fixture *h = host_fixture_new(K8S_CONFIG, NULL);
    struct eksauth_snapshot_state st;
    char inputs[64 + 1];
    struct eksauth_sync_report r;
    struct eksauth_error err;
    FILE *f;

    (void)state;
    h->cluster_doc = AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:100");
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_int_equal(r.users, 2);
    eksauth_sync_report_free(&r);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
    /* The operator revokes carol on this host: the same ConfigMap, a new plan. */
    f = fopen(h->config, "a");
    assert_non_null(f);
    fputs("deny_user = carol\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    assert_int_equal(r.users, 1);
    assert_true(listed(&r.removed, "carol"));
    eksauth_sync_report_free(&r);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
    /*
     * A state from before the host line: planned again once (the DB's
     * templates may be bound to another instance), then unchanged.
     */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_true(st.host_read);
    assert_string_equal(st.host, ""); /* no template needs the host here */
    write_state_as(h, "k8s:100", st.fetched_at, st.checked_at, false, NULL);
    plans_once_then_unchanged(h);
    /*
     * Written by another eksauth (before an upgrade): planned again, so the
     * package's sync applies the new version's rules at once.
     */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    eksauth_snapshot_inputs_by("0.1-before", &h->ctx.cfg, &h->ctx.local, inputs);
    write_state_as(h, "k8s:100", st.fetched_at, st.checked_at, true, inputs);
    plans_once_then_unchanged(h);
    /* Written a day ago: planned again, though version and inputs are the same. */
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    write_state(h, "k8s:100", (long long)time(NULL) - EKSAUTH_SNAPSHOT_REPLAN_S, st.checked_at);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    assert_int_equal(r.users, 1);
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

/* A cluster sync asks from the version it knows, within its budget, and says what is stale. */
static void test_cluster_fetch_asks_only_what_changed(void **state)
{
    struct host_fixture *h = host_fixture_new(K8S_CONFIG "sync_max_requests = 7\n", NULL);
    struct eksauth_snapshot_state st;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    long long written;

    (void)state;
    h->cluster_doc = AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:100");
    snprintf(h->cluster_rv, sizeof(h->cluster_rv), "500");
    h->cluster_stale = "2 access entries older than access_entry_max_age were not read again";
    /* The first sync knows no version: a list as anyone's. */
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_string_equal(h->cluster_since, "");
    assert_int_equal(h->cluster_budget, 7);
    assert_int_equal(r.requests, 1);
    assert_int_equal(r.stale.n, 1);
    eksauth_sync_report_free(&r);
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_string_equal(st.rv, "500");
    /* Nothing changed since: asked from 500, nothing written, the state confirmed at once. */
    written = (long long)time(NULL) - 60;
    write_state(h, "k8s:100", written, 1000);
    snprintf(h->cluster_rv, sizeof(h->cluster_rv), "640");
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    assert_string_equal(h->cluster_since, "7");
    /* The stale entries are said even when nothing is written. */
    assert_int_equal(r.stale.n, 1);
    eksauth_sync_report_free(&r);
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_string_equal(st.rv, "640");
    assert_true(st.checked_at > 1000);
    assert_int_equal(st.fetched_at, written);
    /* A fetch that fails keeps the state as it was. */
    h->cluster_status = EKSAUTH_EUNAVAIL;
    write_state(h, "k8s:100", written, 1000);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EUNAVAIL);
    eksauth_sync_report_free(&r);
    eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
    assert_int_equal(st.checked_at, 1000);
    host_fixture_free(h);
}

static void test_seeds_skip_private_and_local_groups(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_id_seed *seeds = NULL;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    struct eksauth_iddb_group g;
    size_t n = 0, i, users = 0;
    uint32_t j;

    (void)state;
    sync_ok(h);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_mapping_seeds(db, 0, &seeds, &n, &err), EKSAUTH_OK);
    for (i = 0; i < n; i++) {
        if (!seeds[i].is_group) {
            users++;
            continue;
        }
        /* A group seed is never a private group: its name is a login's. */
        for (j = 0; j < eksauth_iddb_group_count(db); j++) {
            assert_int_equal(eksauth_iddb_group_at(db, j, &g), EKSAUTH_OK);
            if (strcmp(g.name, seeds[i].name) == 0)
                assert_int_equal(g.flags & (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL),
                                 0);
        }
        assert_string_not_equal(seeds[i].name, "build");
        assert_string_not_equal(seeds[i].name, "carol");
    }
    assert_int_equal(users, 2);
    /* two users; eks-developers, eks-builders, eks-viewers, eks-users */
    assert_int_equal(n, 2 + 4);
    free(seeds);
    eksauth_iddb_close(db);
    /* No DB: no seeds. */
    assert_int_equal(eksauth_mapping_seeds(NULL, 0, &seeds, &n, &err), EKSAUTH_OK);
    assert_int_equal(n, 0);
    free(seeds);
    host_fixture_free(h);
}

/* A key file others could read is refused: the sync fails closed and writes nothing. */
static void test_bad_key_file_fails_closed(void **state)
{
    char dir[SCRATCH_DIR_MAX], key[96], extra[160];
    struct host_fixture *h;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    FILE *f;

    (void)state;
    scratch_make(dir, sizeof(dir), "sync-key");
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(key, sizeof(key), "%s/id.key", dir);
    f = fopen(key, "w");
    assert_non_null(f);
    assert_int_equal(fputs("0123456789abcdef0123456789abcdef", f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(key, 0644), 0);
    snprintf(extra, sizeof(extra), "id_key_file = %s\n", key);
    h = host_fixture_new(extra, AWS_AUTH);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "must be readable by root alone (mode 0600 or 0400)"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_EUNAVAIL); /* nothing written */
    /* 0400: the DB is written keyed by it. */
    assert_int_equal(chmod(key, 0400), 0);
    sync_ok(h);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_keyed(db, NULL));
    eksauth_iddb_close(db);
    host_fixture_free(h);
    unlink(key);
    rmdir(dir);
}

/*
 * A relative EKSAUTH_ID_KEY names another file in each process's folder:
 * refused, never replaced by the default key, so the sync fails and writes
 * nothing (lib/idkey.c).
 */
static void test_relative_key_env_fails_closed(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;

    (void)state;
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "etc/eksauth/id.key", 1), 0);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    unsetenv("EKSAUTH_ID_KEY");
    assert_non_null(
        strstr(err.msg, "EKSAUTH_ID_KEY must be an absolute path, not a relative one (18 bytes"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_EUNAVAIL); /* nothing written */
    host_fixture_free(h);
}

/*
 * A DB folder others can write: every reader refuses the DB in it
 * (lib/iddb.c), so the sync refuses to write one there, names the folder
 * and its fix, and never advises removing the DB (its recorded ids).
 */
static void test_untrusted_db_folder_refused(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    char sub[160], db[180], want[1024];
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct stat before, after;

    (void)state;
    snprintf(sub, sizeof(sub), "%s/var", h->dir);
    snprintf(db, sizeof(db), "%s/identity.db", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(setenv("EKSAUTH_DB", db, 1), 0);
    sync_ok(h);
    assert_int_equal(stat(db, &before), 0);
    assert_int_equal(chmod(sub, 0777), 0);
    snprintf(want, sizeof(want),
             "identity DB: %s: the folder is writable by group or others (mode 0777), so anyone "
             "can replace %s; run: chmod go-w %s; the identity DB is unchanged",
             sub, db, sub);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, want);
    eksauth_sync_report_free(&r);
    assert_int_equal(stat(db, &after), 0);
    assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    /* Without a DB there is nothing to refuse on reading: the writer must not write one. */
    assert_int_equal(unlink(db), 0);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, want);
    eksauth_sync_report_free(&r);
    assert_int_equal(stat(db, &after), -1);
    /* Fixed as said: the sync writes it again. */
    assert_int_equal(chmod(sub, 0755), 0);
    sync_ok(h);
    assert_int_equal(stat(db, &after), 0);
    assert_int_equal(unsetenv("EKSAUTH_DB"), 0);
    host_fixture_free(h);
}

/* Every user and group id of the DB at path, none reserved (names.h); how many there are. */
static unsigned assert_no_reserved_id(const char *path)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    unsigned n = 0;
    uint32_t i;

    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    for (i = 0; i < eksauth_iddb_user_count(db); i++, n++) {
        assert_int_equal(eksauth_iddb_user_at(db, i, &u), EKSAUTH_OK);
        assert_false(eksauth_names_id_reserved(u.uid));
    }
    for (i = 0; i < eksauth_iddb_group_count(db); i++, n++) {
        assert_int_equal(eksauth_iddb_group_at(db, i, &g), EKSAUTH_OK);
        assert_false(eksauth_names_id_reserved(g.gid));
    }
    eksauth_iddb_close(db);
    return n;
}

/*
 * A recorded templated login whose uid a local account took since: not
 * kept beside it (a login that lands on a local id is refused,
 * lib/resolve.c), but revoked, the reason naming the id and its holder,
 * and the uid held by its tombstone; a static name keeps its recorded id
 * with a warning instead (test_identity.c test_plan_recorded_id_now_local).
 */
static void test_recorded_login_id_now_local(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    char passwd[128], group[128], want[160];
    struct eksauth_sync_report r;
    struct eksauth_iddb_user u;
    enum eksauth_refusal why;
    struct eksauth_error err;
    struct eksauth_iddb *db;
    uint32_t uid;
    FILE *f;

    (void)state;
    uid = bob_recorded(h);
    host_fixture_root_only(h, passwd, group, sizeof(passwd));
    assert_non_null(f = fopen(passwd, "a"));
    fprintf(f, "squatter:x:%u:%u::/home/s:/bin/sh\n", uid, uid);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    snprintf(want, sizeof(want),
             "dev-bob (revoked: login refused: the id of 'dev-bob', %u, is held by a local "
             "account or group)",
             uid);
    assert_true(listed(&r.removed, want));
    assert_false(listed(&r.kept, "dev-bob"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-bob", &u), EKSAUTH_ENOTFOUND);
    assert_true(eksauth_iddb_id_held_from(db, uid, "dev-mallory", (uint64_t)time(NULL)));
    eksauth_iddb_close(db);
    assert_int_equal(
        try_log_in(h, "arn:aws:sts::123456789012:assumed-role/Dev/bob", "dev-bob", &why),
        EKSAUTH_EREJECTED);
    assert_int_equal(why, EKSAUTH_REFUSAL_ID_HELD);
    host_fixture_free(h);
}

/*
 * 65534 (nobody, the overflow id) and 65535 ((uint16_t)-1) inside a
 * configured range, on a host with no local account holding them: no
 * static name gets one, and a templated login whose one id is one is
 * refused, as on a local id.
 */
static void test_reserved_ids_never_given(void **state)
{
    /* build and eks-users in 65534-65536: one of them could only get a reserved id. */
    struct host_fixture *h = host_fixture_new("uid_min = 65534\nuid_max = 65536\n",
                                              "mapRoles: |\n"
                                              "  - rolearn: arn:aws:iam::123456789012:role/Build\n"
                                              "    username: build\n");
    char passwd[128], group[128], login[32], arn[128];
    const struct eksauth_id_key *key;
    struct eksauth_sync_report r;
    enum eksauth_refusal why;
    struct eksauth_error err;
    unsigned i;

    (void)state;
    host_fixture_root_only(h, passwd, group, sizeof(passwd));
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    /* build takes 65536; eks-users finds no other (and build then has no primary group). */
    assert_true(listed_containing(&r.warnings, "no free id for 'eks-users'"));
    eksauth_sync_report_free(&r);
    assert_int_equal(assert_no_reserved_id(h->db), 0);
    host_fixture_free(h);

    /* eks-users and build get 65533, 65536 or 65537; a template's login may land on 65534. */
    h = host_fixture_new("uid_min = 65533\nuid_max = 65537\n",
                         "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD
                         "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
                         "    username: dev:{{SessionName}}\n");
    host_fixture_root_only(h, passwd, group, sizeof(passwd));
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_int_equal(assert_no_reserved_id(h->db), 3);
    /* A session name whose login's one id is reserved. */
    assert_int_equal(eksauth_ctx_id_key(&h->ctx, &err), EKSAUTH_OK);
    key = h->ctx.cfg.id_key_set ? &h->ctx.cfg.id_key : NULL;
    for (i = 0; i < 1000; i++) {
        snprintf(login, sizeof(login), "dev-s%u", i);
        if (eksauth_names_id_reserved(eksauth_names_id(key, login, 0, 65533, 65537)))
            break;
    }
    assert_true(i < 1000);
    snprintf(arn, sizeof(arn), "arn:aws:sts::123456789012:assumed-role/Dev/s%u", i);
    assert_int_not_equal(try_log_in(h, arn, login, &why), EKSAUTH_OK);
    assert_int_equal(why, EKSAUTH_REFUSAL_ID_HELD);
    assert_int_equal(assert_no_reserved_id(h->db), 3);
    host_fixture_free(h);
}

/*
 * Another sync (eksauth sync by hand) fetches a newer ConfigMap and writes
 * it while this one (the timer's) is between its fetch and its lock.
 */
static void other_sync_meanwhile(struct host_fixture *h, unsigned call)
{
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_ctx other;

    if (call != 2)
        return;
    h->cluster_doc = AWS_AUTH_SMALLER; /* carol revoked */
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:102");
    eksauth_ctx_init(&other, EKSAUTH_CTX_CONFIG_REQUIRED);
    assert_int_equal(eksauth_ctx_load(&other, h->config, &err), EKSAUTH_OK);
    other.services = h->ctx.services;
    memset(&opts, 0, sizeof(opts));
    if (eksauth_sync_run(&other, &opts, &r, &err) != EKSAUTH_OK)
        fail_msg("the other sync: %s", err.msg);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    eksauth_ctx_close(&other);
}

/*
 * Two syncs at once: the one whose fetch is older must not write over the
 * newer one's DB (a revocation undone until the next sync); it reads the
 * source again.
 */
static void test_older_fetch_never_overwrites(void **state)
{
    struct host_fixture *h = host_fixture_new(K8S_CONFIG, NULL);
    struct eksauth_sync_report r;
    struct eksauth_iddb_user u;
    struct eksauth_error err;
    struct eksauth_iddb *db;

    (void)state;
    h->cluster_doc = AWS_AUTH;
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:100");
    sync_ok(h);
    /* This sync reads version 101 (carol still in); 102 revokes her before it writes. */
    snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:101");
    h->cluster_fetching = other_sync_meanwhile;
    assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
    /* Its own fetch, the other's, and its second: 102, which the other applied. */
    assert_int_equal(h->cluster_calls, 4);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    eksauth_iddb_close(db);
    host_fixture_free(h);
}

/* A file source the same: a state read before another sync wrote is superseded, nothing written. */
static void test_stale_state_writes_nothing(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_cluster_snapshot snap;
    struct eksauth_snapshot_state was;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct stat before, after;

    (void)state;
    sync_ok(h);
    eksauth_snapshot_state_read(&h->ctx.paths, true, &was);
    /* Another sync, of a smaller aws-auth, after this one read the state. */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    sync_ok(h);
    assert_int_equal(stat(h->db, &before), 0);
    memset(&snap, 0, sizeof(snap));
    snap.data = (char *)AWS_AUTH;
    snap.len = strlen(AWS_AUTH);
    snprintf(snap.what, sizeof(snap.what), "%s", h->aws_auth);
    snprintf(snap.version, sizeof(snap.version), "file");
    memset(&r, 0, sizeof(r));
    assert_int_equal(eksauth_sync_apply(&h->ctx, &snap, false, &was, &r, &err), EKSAUTH_EUNAVAIL);
    assert_true(r.superseded);
    assert_non_null(strstr(err.msg, "another sync wrote the identity DB"));
    eksauth_sync_report_free(&r);
    assert_int_equal(stat(h->db, &after), 0);
    assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    host_fixture_free(h);
}

struct nscd_case {
    struct host_fixture *h;
    enum fake_nscd_answer answer;
    bool want_warning;
};

/*
 * In a mount namespace of its own (fake_nscd_in_namespace), a sync under a
 * stand-in nscd that answers as c->answer: 0 when the report's warnings
 * name nscd exactly when c->want_warning (and then the command that drops
 * the caches by hand), 1 when not, 2 and more when the setup or the sync
 * failed.
 */
static int sync_under_fake_nscd(void *arg)
{
    const struct nscd_case *c = arg;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    char log[256];
    bool warned;

    /* Both caches; asked twice when refused (test_nscd_failure_is_asked_again). */
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, c->want_warning ? 4 : 2, c->answer) != 0)
        return 3;
    if (run(c->h, false, &r, &err) != EKSAUTH_OK)
        return 4;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    warned = listed_containing(&r.warnings, "the passwd cache was not invalidated") &&
             listed_containing(&r.warnings, "run nscd -i passwd");
    eksauth_sync_report_free(&r);
    return warned == c->want_warning ? 0 : 1;
}

/*
 * An nscd that did not drop its caches after the sync replaced the DB
 * (refused, or no answer within its time) still serves a removed user with
 * its groups for its time to live: the sync says so among its warnings,
 * with the commands that drop them by hand.  (It said nothing: the message
 * lib/nscd.c makes was thrown away, and the operator could not know.)  An
 * nscd that dropped them is no warning.
 */
static void test_nscd_not_invalidated_is_a_warning(void **state)
{
    struct nscd_case refused = {host_fixture_new(NULL, AWS_AUTH), FAKE_NSCD_REFUSE, true};
    struct nscd_case done = {refused.h, FAKE_NSCD_DONE, false};

    (void)state;
    /* 1: the warning is missing, or there when nscd did its part. */
    assert_int_equal(fake_nscd_in_namespace(sync_under_fake_nscd, &refused), 0);
    assert_int_equal(fake_nscd_in_namespace(sync_under_fake_nscd, &done), 0);
    host_fixture_free(refused.h);
}

/* fn(a new host fixture) in a mount namespace of its own (fake_nscd_in_namespace): it returns 0. */
static void in_nscd_namespace(int (*fn)(void *))
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);

    assert_int_equal(fake_nscd_in_namespace(fn, h), 0);
    host_fixture_free(h);
}

/* Lines of text (a fake nscd's log: one per request). */
static unsigned lines_of(const char *text)
{
    unsigned n = 0;

    for (; *text != '\0'; text++)
        n += *text == '\n';
    return n;
}

/* Files beside the DB whose names begin with nscd's mark's (the mark, and claims: nscd.h). */
static unsigned nscd_files(const struct host_fixture *h)
{
    char dir[EKSAUTH_PATH_MAX];
    struct dirent *de;
    unsigned n = 0;
    DIR *d;

    snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(h->ctx.paths.db, '/') - h->ctx.paths.db),
             h->ctx.paths.db);
    d = opendir(dir);
    if (d == NULL)
        return 0;
    while ((de = readdir(d)) != NULL)
        n += strncmp(de->d_name, EKSAUTH_NSCD_PENDING_NAME, strlen(EKSAUTH_NSCD_PENDING_NAME)) == 0;
    closedir(d);
    return n;
}

/* What a run says of a drop owed since an earlier request failed (the mark), a sync's or a login's.
 */
#define SAID_FAILED "dropped (an earlier sync or login could not)"

/*
 * An unchanged run (the timer's) owed a drop, under an nscd that answers:
 * 0 when it asked for both caches, said so (said) and left nothing owed, and the
 * run after it asked nothing; else the step that failed (first and on).
 */
static int owed_run_pays(struct host_fixture *h, int first, const char *said)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    char log[256];
    int bad = 0;

    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE) != 0)
        return first;
    memset(&r, 0, sizeof(r));
    if (run_if_changed(h, &r, &err) != EKSAUTH_OK || !r.unchanged)
        bad = first + 1;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (bad == 0 &&
        (lines_of(log) != 2 || strstr(log, "passwd") == NULL || strstr(log, "group") == NULL))
        bad = first + 2;
    else if (bad == 0 && (r.nscd == NULL || strcmp(r.nscd, said) != 0))
        bad = first + 3;
    else if (bad == 0 && nscd_files(h) != 0)
        bad = first + 4;
    eksauth_sync_report_free(&r);
    if (bad != 0)
        return bad;
    /* Owed nothing now: an unchanged run asks nscd nothing. */
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 1, FAKE_NSCD_DONE) != 0)
        return first + 5;
    if (run_if_changed(h, &r, &err) != EKSAUTH_OK || !r.unchanged || r.nscd != NULL)
        bad = first + 6;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    eksauth_sync_report_free(&r);
    return bad != 0 ? bad : (lines_of(log) == 0 ? 0 : first + 7);
}

/*
 * In a mount namespace of its own: a sync whose nscd refuses, then one
 * that finds the source unchanged, under an nscd that answers.  0 when
 * all went as test_nscd_failure_is_asked_again says, else the step that
 * did not (its number).
 */
static int nscd_owed_across_syncs(void *arg)
{
    struct host_fixture *h = arg;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    struct stat sb;
    char log[256];
    int bad = 0;

    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 4, FAKE_NSCD_REFUSE) != 0)
        return 2;
    if (run_if_changed(h, &r, &err) != EKSAUTH_OK || r.unchanged)
        return 3;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    /* Asked, refused, asked again after the short wait (both caches each time), then owed. */
    if (lines_of(log) != 4 || h->n_sleeps != 1 || h->sleeps[0] != 2000)
        bad = 4;
    else if (r.nscd == NULL || strcmp(r.nscd, "pending") != 0 ||
             !listed_containing(&r.warnings, "the next sync asks again"))
        bad = 5;
    else if (lstat(h->ctx.paths.nscd_pending, &sb) != 0)
        bad = 6;
    eksauth_sync_report_free(&r);
    if (bad != 0)
        return bad;
    /* An unchanged run refused too: still owed, the mark it removed before asking made again. */
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 4, FAKE_NSCD_REFUSE) != 0)
        return 15;
    if (run_if_changed(h, &r, &err) != EKSAUTH_OK || !r.unchanged)
        return 16;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (lines_of(log) != 4 || r.nscd == NULL || strcmp(r.nscd, "pending") != 0 ||
        lstat(h->ctx.paths.nscd_pending, &sb) != 0)
        bad = 17;
    eksauth_sync_report_free(&r);
    if (bad != 0)
        return bad;
    /* The next run: aws-auth unchanged, nothing written, and still the caches are dropped. */
    return owed_run_pays(h, 7, SAID_FAILED);
}

/*
 * An nscd that could not drop its caches when the sync replaced the DB
 * (busy, or restarting at that moment) serves the users it removed, with
 * their groups (sudo's), for its time to live.  The sync asks again after
 * a short wait; still refused, it keeps the drop owed beside the DB, and
 * the next run (a timer's: another process) asks again though aws-auth is
 * unchanged, and keeps it owed when refused again.  (The failure was a
 * warning, and nothing asked again until a sync next wrote the DB; since
 * e88a1bf removes the mark before asking, a refused owed run must make it
 * again.)
 */
static void test_nscd_failure_is_asked_again(void **state)
{
    (void)state;
    in_nscd_namespace(nscd_owed_across_syncs);
}

/*
 * In a mount namespace of its own: a sync that replaces the DB, SIGKILLed
 * while its nscd (stuck) has not answered, then an unchanged run under an
 * nscd that answers.  0 when that run asked for the drop and nothing stays
 * owed, else the step that failed (its number).
 */
static int killed_while_asking(void *arg)
{
    struct host_fixture *h = arg;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    char log[256];
    pid_t child;

    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 1, FAKE_NSCD_SILENT) != 0)
        return 2;
    child = fork();
    if (child < 0)
        return 3;
    if (child == 0)
        _exit(run_if_changed(h, &r, &err) == EKSAUTH_OK ? 0 : 1);
    /* Killed once nscd has its request: the DB is replaced, the answer not come. */
    (void)fake_nscd_wait_request(&f);
    kill(child, SIGKILL);
    (void)waitpid(child, NULL, 0);
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (lines_of(log) != 1)
        return 4;
    /*
     * The timer's next run: aws-auth unchanged, and the killed sync's drop
     * still asked for; no request of it failed, and the report says so.
     */
    return owed_run_pays(h, 5, "dropped (an earlier sync or login had not been answered)");
}

/*
 * A sync SIGKILLed (or a power cut) after it replaced the DB and before
 * nscd answered still owes nscd's caches their drop: its claim was on disk
 * before the DB was replaced (nscd.h), and the next run, though aws-auth is
 * unchanged, asks.  (The mark was made only when nscd's answer was a
 * failure: a killed sync left none, and a user it removed stayed in nscd's
 * caches for their time to live, 600 s for passwd, 3600 s for group.)
 */
static void test_nscd_drop_owed_by_killed_sync(void **state)
{
    (void)state;
    in_nscd_namespace(killed_while_asking);
}

/*
 * In a mount namespace of its own: a sync owed a drop (the mark there),
 * during whose request a login records itself and, its own request
 * refused, makes the mark.  0 when the mark is still there after the
 * sync, else the step that failed (its number).
 */
static int mark_made_while_asked(void *arg)
{
    struct host_fixture *h = arg;
    const char *mark = h->ctx.paths.nscd_pending;
    int fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), bad = 0;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    char log[256];

    if (fd < 0)
        return 2;
    close(fd);
    if (fake_nscd_start_touching(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE, mark) != 0)
        return 3;
    memset(&r, 0, sizeof(r));
    if (run_if_changed(h, &r, &err) != EKSAUTH_OK)
        bad = 4;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (bad == 0 && (lines_of(log) != 2 || r.nscd == NULL || strcmp(r.nscd, SAID_FAILED) != 0))
        bad = 5;
    else if (bad == 0 && access(mark, F_OK) != 0)
        bad = 6;
    eksauth_sync_report_free(&r);
    return bad;
}

/*
 * A login that records itself while a sync asks nscd, and cannot drop the
 * caches itself, leaves the mark (lib/iddb_record.c): the sync must not
 * take it away with its own, or the next sync owes nscd nothing and the
 * caches keep what the login's write replaced.  The sync removes its mark
 * before it asks, not after.  (It removed it after: the login's was lost.)
 */
static void test_nscd_mark_made_while_asked_stays(void **state)
{
    (void)state;
    in_nscd_namespace(mark_made_while_asked);
}

/*
 * In a mount namespace of its own: a run with nothing to write (the
 * watch's at a stream's end) beside another writer's claim, made and its
 * request not yet sent, while that writer holds the DB's lock, or
 * (foreign) while the lock file is another user's, a lock the run cannot
 * take for another reason than a holder.  0 when the run asked, said
 * words, and left the writer's claim to the writer, else the step that
 * failed (its number).
 */
static int asked_beside_a_claim(struct host_fixture *h, bool foreign, const char *words)
{
    struct eksauth_nscd_debt w;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct fake_nscd f;
    char log[256], lock_path[EKSAUTH_PATH_MAX + 8];
    int lock = -1, bad = 0;

    sync_ok(h);
    snprintf(lock_path, sizeof(lock_path), "%s.lock", h->ctx.paths.db);
    if (eksauth_iddb_lock(h->ctx.paths.db, &lock, &err) != EKSAUTH_OK)
        return 2;
    if (eksauth_nscd_owe_locked(&w, h->ctx.paths.db, &err) != EKSAUTH_OK) {
        eksauth_iddb_unlock(lock);
        return 3;
    }
    if (foreign) {
        eksauth_iddb_unlock(lock);
        lock = -1;
        if (chown(lock_path, 65534, 65534) != 0)
            bad = 4;
    }
    if (bad == 0 && fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE) != 0)
        bad = 5;
    if (bad != 0)
        goto out;
    memset(&r, 0, sizeof(r));
    eksauth_sync_nscd_owed(&h->ctx, &r);
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (lines_of(log) != 2)
        bad = 6;
    else if (r.nscd == NULL || strcmp(r.nscd, words) != 0)
        bad = 7;
    else if (access(w.claim, F_OK) != 0)
        bad = 8;
    eksauth_sync_report_free(&r);
out:
    if (foreign && chown(lock_path, 0, 0) != 0 && bad == 0)
        bad = 9;
    (void)eksauth_nscd_settle(&w, true, NULL);
    if (lock >= 0)
        eksauth_iddb_unlock(lock);
    return bad;
}

static int asked_while_another_writes(void *arg)
{
    return asked_beside_a_claim(arg, false,
                                "dropped (asked while another sync or login held the DB's lock)");
}

/*
 * A run that finds another writer's claim while that writer holds the
 * DB's lock (a sync mid-write) asks nscd, and its report says so: no
 * earlier request failed.  (It said "dropped (an earlier sync could not)",
 * as it did of any drop owed: the mark of a failed request, a killed
 * writer's claim, a live one's.)
 */
static void test_nscd_words_for_a_live_writer(void **state)
{
    (void)state;
    in_nscd_namespace(asked_while_another_writes);
}

static int asked_beside_a_foreign_lock(void *arg)
{
    return asked_beside_a_claim(arg, true, "dropped (another sync or login was asking too)");
}

/*
 * When the run can neither take the other claims over nor see their
 * writer at work, it does not say a request went unanswered.  (It said
 * "dropped (an earlier sync or login had not been answered)".)
 */
static void test_nscd_words_beside_a_foreign_lock(void **state)
{
    (void)state;
    in_nscd_namespace(asked_beside_a_foreign_lock);
}

/*
 * A login's check (its mapping, from the DB and snapshot of the last sync,
 * and STS), then a sync of next_aws_auth while the login waited on STS
 * (the same context: a sync does not touch the DB the login mapped with),
 * then its commit: its status, the reason the person is given, and
 * whether the DB has login after.
 */
static enum eksauth_status commit_across_sync(struct host_fixture *h, const char *arn,
                                              const char *login, const char *next_aws_auth,
                                              char *reason, size_t reason_len)
{
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    enum eksauth_status st;

    assert_status(check_login(h, arn, false, &l, &err), EKSAUTH_OK);
    host_fixture_write_aws_auth(h, next_aws_auth);
    memset(&opts, 0, sizeof(opts));
    assert_status(eksauth_sync_run(&h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    st = eksauth_login_commit(&h->ctx, l, login, FIXTURE_NOW + 5, &err);
    if (st != EKSAUTH_OK)
        eksauth_login_reason(l, &err, reason, reason_len);
    eksauth_login_free(l);
    return st;
}

/* login's supplementary groups in the DB now, by name, comma-separated ("" when none). */
static bool groups_of(struct host_fixture *h, const char *login, char *out, size_t outlen)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err;
    bool found;
    uint32_t i;

    out[0] = '\0';
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    found = eksauth_iddb_user_by_name(db, login, &u) == EKSAUTH_OK;
    for (i = 0; found && i < u.n_groups; i++) {
        assert_int_equal(eksauth_iddb_user_group(db, &u, i, &g), EKSAUTH_OK);
        snprintf(out + strlen(out), outlen - strlen(out), "%s%.*s", i > 0 ? "," : "",
                 (int)g.name_len, g.name);
    }
    eksauth_iddb_close(db);
    return found;
}

/* The timer's next run finds nothing to do, and writes nothing back. */
static void timer_sync_unchanged(struct host_fixture *h)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;

    assert_status(run_if_changed(h, &r, &err), EKSAUTH_OK);
    assert_true(r.unchanged);
    eksauth_sync_report_free(&r);
}

/*
 * Revocation at the next sync holds for a login in progress: one that
 * mapped before a sync removed its user is refused, and one a sync took a
 * group from is mapped again with what the sync wrote and recorded so;
 * nothing the sync removed is written back.  (Its record wrote carol back,
 * with her old groups, into a DB of a later generation than the sync's,
 * which every timer sync then called applied: carol stayed served until
 * aws-auth changed again, or a day.)
 */
static void test_login_across_a_revoking_sync(void **state)
{
    static const char *const carol_arn = "arn:aws:iam::123456789012:user/carol";
    static const char *const dev_bob = "arn:aws:sts::123456789012:assumed-role/Dev/bob";
    /* carol without builders; Dev's template in readers instead of developers. */
    static const char *const fewer_groups =
        "mapRoles: |\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
        "    username: dev:{{SessionName}}\n"
        "    groups:\n"
        "      - readers\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL;
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    char reason[512], groups[256];

    (void)state;
    /* carol's first login (a synced static user's last_login is 0), carol removed meanwhile. */
    sync_ok(h);
    assert_status(
        commit_across_sync(h, carol_arn, "carol", AWS_AUTH_SMALLER, reason, sizeof(reason)),
        EKSAUTH_ENOTMAPPED);
    assert_string_equal(reason, "eksauth: login refused: the identity DB changed during this "
                                "login; log in again");
    assert_false(groups_of(h, "carol", groups, sizeof(groups)));
    timer_sync_unchanged(h);
    assert_false(groups_of(h, "carol", groups, sizeof(groups)));
    /* A group taken from her meanwhile: recorded as the sync maps her, not written back. */
    host_fixture_write_aws_auth(h, AWS_AUTH);
    sync_ok(h);
    assert_true(groups_of(h, "carol", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-viewers,eks-builders");
    assert_status(commit_across_sync(h, carol_arn, "carol", fewer_groups, reason, sizeof(reason)),
                  EKSAUTH_OK);
    assert_true(groups_of(h, "carol", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-viewers");
    assert_true(last_login_of(h, "carol") > 0);
    timer_sync_unchanged(h);
    assert_true(groups_of(h, "carol", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-viewers");
    /* A templated first login, its template's groups changed meanwhile: readers, not developers. */
    host_fixture_write_aws_auth(h, AWS_AUTH);
    sync_ok(h);
    assert_status(commit_across_sync(h, dev_bob, "dev-bob", fewer_groups, reason, sizeof(reason)),
                  EKSAUTH_OK);
    assert_true(groups_of(h, "dev-bob", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-readers");
    timer_sync_unchanged(h);
    assert_true(groups_of(h, "dev-bob", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-readers");
    /* A sync that changed nothing of hers: carol's first login of the day is recorded. */
    assert_status(commit_across_sync(h, carol_arn, "carol", fewer_groups, reason, sizeof(reason)),
                  EKSAUTH_OK);
    assert_true(last_login_of(h, "carol") > 0);
    host_fixture_free(h);
}

/* Another process's login as arn, recorded: it writes the DB, and no sync runs. */
static void other_login_meanwhile(struct host_fixture *h, const char *arn, const char *login)
{
    pid_t pid;
    int ws = 0;

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        enum eksauth_refusal why;

        /* Its own context (the child's copy): the parent's login keeps the one it mapped with. */
        _exit(try_log_in(h, arn, login, &why) == EKSAUTH_OK ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &ws, 0), pid);
    assert_true(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

/*
 * Only a sync revokes: another login's write while a templated user's
 * first login waited on STS changes the DB's generation, not the sync's
 * (its state), and the first login is recorded, with its template's
 * groups.  (It was refused, "the identity DB changed during this login",
 * whenever anyone's first login of a day was written meanwhile: with
 * single_use, its token already spent.)  A state that cannot be read under
 * the lock is a change: refused.
 */
static void test_login_across_another_login(void **state)
{
    static const char *const carol_arn = "arn:aws:iam::123456789012:user/carol";
    static const char *const dev_bob = "arn:aws:sts::123456789012:assumed-role/Dev/bob";
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char reason[512], groups[256];

    (void)state;
    sync_ok(h);
    assert_status(check_login(h, dev_bob, false, &l, &err), EKSAUTH_OK);
    /* carol's first login (a synced static user's last_login is 0) writes the DB. */
    other_login_meanwhile(h, carol_arn, "carol");
    assert_true(last_login_of(h, "carol") > 0);
    assert_status(eksauth_login_commit(&h->ctx, l, "dev-bob", FIXTURE_NOW + 5, &err), EKSAUTH_OK);
    eksauth_login_free(l);
    assert_true(groups_of(h, "dev-bob", groups, sizeof(groups)));
    assert_string_equal(groups, "eks-developers");

    /* No state under the lock (a sync that failed after its snapshot removes it): refused. */
    assert_status(check_login(h, "arn:aws:sts::123456789012:assumed-role/Dev/eve", false, &l, &err),
                  EKSAUTH_OK);
    assert_int_equal(unlink(h->ctx.paths.state), 0);
    assert_status(eksauth_login_commit(&h->ctx, l, "dev-eve", FIXTURE_NOW + 5, &err),
                  EKSAUTH_EUNAVAIL);
    eksauth_login_reason(l, &err, reason, sizeof(reason));
    assert_string_equal(reason, "eksauth: login refused: this host cannot check logins now; tell "
                                "its administrator");
    eksauth_login_free(l);
    assert_false(groups_of(h, "dev-eve", groups, sizeof(groups)));
    host_fixture_free(h);
}

/* The generation of the DB at h's path now. */
static uint64_t generation_now(struct host_fixture *h)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    uint64_t g;

    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    g = eksauth_iddb_generation(db);
    eksauth_iddb_close(db);
    return g;
}

/*
 * A sync killed between its state and its DB's rename leaves the DB behind
 * the state.  A login's write would carry the DB to the state's generation,
 * and the next sync would call what it never wrote applied: nothing is
 * written until a sync finishes.
 */
static void test_login_beside_an_unfinished_sync(void **state)
{
    static const char *const carol_arn = "arn:aws:iam::123456789012:user/carol";
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char old_db[4200], reason[512];
    uint64_t before;

    (void)state;
    sync_ok(h);
    snprintf(old_db, sizeof(old_db), "%s.before", h->db);
    assert_int_equal(link(h->db, old_db), 0);
    before = generation_now(h);
    sync_ok(h);
    assert_status(check_login(h, carol_arn, false, &l, &err), EKSAUTH_OK);
    /* The last sync's state stays; its DB's rename never happened. */
    assert_int_equal(rename(old_db, h->db), 0);
    assert_status(eksauth_login_commit(&h->ctx, l, "carol", FIXTURE_NOW + 5, &err),
                  EKSAUTH_EUNAVAIL);
    eksauth_login_reason(l, &err, reason, sizeof(reason));
    assert_string_equal(reason, "eksauth: login refused: this host cannot check logins now; tell "
                                "its administrator");
    eksauth_login_free(l);
    assert_true(generation_now(h) == before);
    assert_true(last_login_of(h, "carol") == 0);
    host_fixture_free(h);
}

/* Set the stale word of the DB at path, as a writer does before its rename. */
static void mark_stale(const char *path)
{
    unsigned char word[4];
    int fd = open(path, O_RDWR | O_CLOEXEC);

    assert_true(fd >= 0);
    eksauth_le32_put(word, 1);
    assert_int_equal(pwrite(fd, word, sizeof(word), IDDB_H_STALE), (ssize_t)sizeof(word));
    assert_int_equal(close(fd), 0);
}

/*
 * A writer killed between its stale mark and its rename leaves the current
 * DB marked, and every lookup of every process stat()s the path while the
 * mark stays: the timer's next sync (--if-changed) writes the DB again,
 * unmarked, though aws-auth is the same.  (It called the source unchanged
 * and left the mark until some writer replaced the DB: up to a day.)
 */
static void test_stale_mark_of_a_killed_writer_cleared(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    struct eksauth_iddb *db;

    (void)state;
    sync_ok(h);
    timer_sync_unchanged(h);
    mark_stale(h->db);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_is_stale(db));
    eksauth_iddb_close(db);
    assert_status(run_if_changed(h, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
    assert_false(eksauth_iddb_is_stale(db));
    eksauth_iddb_close(db);
    /* Unmarked: the next one has nothing to do. */
    timer_sync_unchanged(h);
    host_fixture_free(h);
}

/* Put len bytes of data at h's DB path, root's and 0644 as a DB is (so only its bytes decide). */
static void put_at_db(struct host_fixture *h, const void *data, size_t len)
{
    int fd;

    (void)unlink(h->db);
    fd = open(h->db, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, 0644), 0);
    close(fd);
}

/* Whether the file at h's DB path holds exactly len bytes of data. */
static bool db_holds(struct host_fixture *h, const void *data, size_t len)
{
    static char got[16384];
    ssize_t n;
    int fd = open(h->db, O_RDONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    n = read(fd, got, sizeof(got));
    close(fd);
    return n == (ssize_t)len && memcmp(got, data, len) == 0;
}

/*
 * A file at db_path that is not, and never was, an identity DB (db_path
 * set to /etc/passwd by a typo, another product's file) is refused and left
 * byte for byte as it is (was: opened as "not an identity DB (bad magic)",
 * an EKSAUTH_EINVAL as a damaged DB's, and written over with a DB rebuilt
 * from aws-auth).  Its first bytes decide (eksauth_iddb_check_ours): short
 * files, and zero bytes followed by others, are no DB either.
 */
static void test_foreign_file_at_db_path_left(void **state)
{
    static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
                                 "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n";
    static const char shortish[] = "a=1\n";
    static char zero_head[8192];
    const struct {
        const void *data;
        size_t len;
    } cases[] = {
        {passwd, sizeof(passwd) - 1},
        {shortish, sizeof(shortish) - 1},
        {zero_head, sizeof(zero_head)},
    };
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    struct stat before, after;
    size_t i;

    (void)state;
    memcpy(zero_head + 4096, "[section]\n", 10);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        put_at_db(h, cases[i].data, cases[i].len);
        assert_int_equal(stat(h->db, &before), 0);
        assert_int_equal(run(h, false, &r, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, h->db));
        assert_non_null(strstr(err.msg, ": not an identity DB (bad magic), and eksauth sync leaves "
                                        "it as it is; check db_path in the config"));
        assert_non_null(strstr(err.msg, "move it away and run eksauth sync again"));
        eksauth_sync_report_free(&r);
        assert_int_equal(stat(h->db, &after), 0);
        assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
        assert_true(db_holds(h, cases[i].data, cases[i].len));
        /* What NSS, verify and doctor are told says the same, never "damaged": sync rebuilds. */
        assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "not an identity DB (bad magic), and eksauth sync leaves"));
        assert_null(strstr(err.msg, "damaged ("));
    }
    host_fixture_free(h);
}

/*
 * What is, or was, an identity DB is still rebuilt: a crash's leftovers (0
 * bytes, zero bytes alone, a start of the magic) and a DB damaged past its
 * magic.
 */
static void test_leftover_or_damaged_db_rebuilt(void **state)
{
    static char zeros[8192];
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    unsigned i;
    int fd;

    (void)state;
    for (i = 0; i < 4; i++) {
        if (i == 0)
            put_at_db(h, "", 0);
        else if (i == 1)
            put_at_db(h, zeros, sizeof(zeros));
        else if (i == 2)
            put_at_db(h, EKSAUTH_IDDB_MAGIC, 5);
        else {
            /* A DB with a byte of its header page changed: a header checksum mismatch. */
            sync_ok(h);
            fd = open(h->db, O_RDWR | O_CLOEXEC);
            assert_true(fd >= 0);
            assert_int_equal(pwrite(fd, "X", 1, 400), 1);
            close(fd);
        }
        assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
        assert_true(listed_containing(&r.warnings, "rebuilt without its recorded ids and logins"));
        /* Said once, as done: not also the open's "eksauth sync rebuilds it" (iddb.h). */
        assert_false(listed_containing(&r.warnings, "eksauth sync rebuilds it"));
        eksauth_sync_report_free(&r);
        assert_int_equal(eksauth_iddb_open(h->db, &db, &err), EKSAUTH_OK);
        eksauth_iddb_close(db);
    }
    host_fixture_free(h);
}

/*
 * A damaged DB at a db_path so long that the open's message was cut
 * (EKSAUTH_ERROR_MAX) inside its "eksauth sync rebuilds it" hint: the
 * warning still says it once, as done, with no piece of the hint (was: the
 * hint was cut only when whole, so the warning said both).
 */
static void test_long_db_path_rebuilt_warning(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_sync_report r;
    struct eksauth_error err;
    char path[512];
    char text[2048], *line, *end;
    size_t want = 423, i, n; /* the message is then cut 30 bytes into the hint */
    FILE *f;
    int fd;

    (void)state;
    snprintf(path, sizeof(path), "%s", h->dir);
    while (strlen(path) + 1 + 100 + strlen("/identity.db") < want) {
        strcat(path, "/");
        for (i = 0; i < 100; i++)
            strcat(path, "d");
        assert_int_equal(mkdir(path, 0755), 0);
    }
    strcat(path, "/");
    while (strlen(path) + strlen("/identity.db") < want)
        strcat(path, "e");
    assert_int_equal(mkdir(path, 0755), 0);
    strcat(path, "/identity.db");
    assert_int_equal(strlen(path), want);
    /* The config's db_path line, and it alone, names the long path. */
    f = fopen(h->config, "r");
    assert_non_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    assert_int_equal(fclose(f), 0);
    line = strstr(text, "db_path = ");
    assert_non_null(line);
    end = strchr(line, '\n');
    assert_non_null(end);
    f = fopen(h->config, "w");
    assert_non_null(f);
    fprintf(f, "%.*sdb_path = %s%s", (int)(line - text), text, path, end);
    assert_int_equal(fclose(f), 0);
    /* 0 bytes: what a crash can leave, "damaged (truncated to 0 bytes)". */
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    close(fd);
    if (run(h, false, &r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    assert_true(listed_containing(&r.warnings, "rebuilt without its recorded ids and logins"));
    assert_true(listed_containing(&r.warnings, "truncated to 0 bytes"));
    assert_false(listed_containing(&r.warnings, ": eksauth sync"));
    eksauth_sync_report_free(&r);
    host_fixture_free(h);
}

/*
 * A DB moved away, or damaged, after a sync is rebuilt with a generation
 * above the snapshot state's, never one a DB had before (was: 1, so a
 * login's "a sync ran since" check, which compares generations, could take
 * the new DB for the one it read).
 */
static void test_rebuilt_db_generation_above_state(void **state)
{
    static char zeros[8192];
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);
    struct eksauth_snapshot_state st;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    char aside[512];
    uint64_t before;
    unsigned i;

    (void)state;
    sync_ok(h);
    sync_ok(h); /* unchanged: the state keeps its generation */
    host_fixture_write_aws_auth(h, AWS_AUTH_SMALLER);
    sync_ok(h);
    for (i = 0; i < 2; i++) {
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        before = st.generation;
        assert_true(before >= 1);
        if (i == 0) {
            snprintf(aside, sizeof(aside), "%s.aside", h->db);
            assert_int_equal(rename(h->db, aside), 0);
        } else {
            put_at_db(h, zeros, sizeof(zeros));
        }
        if (run(h, false, &r, &err) != EKSAUTH_OK)
            fail_msg("sync: %s", err.msg);
        assert_true(r.generation > before);
        eksauth_sync_report_free(&r);
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        assert_true(st.generation > before);
    }
    host_fixture_free(h);
}

/* build, and a mapUsers the cluster drops (a YAML error inside it): carol is not mapped. */
static const char *const AWS_AUTH_DROPPED =
    "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD "mapUsers: |\n  - userarn: [unclosed\n";

/* Whether login is in the DB now. */
static bool in_db(struct host_fixture *h, const char *login)
{
    char groups[256];

    return groups_of(h, login, groups, sizeof(groups));
}

/*
 * A sync of a document with a value the cluster drops, expected to fail
 * naming it (msg gets the message); its report's unchanged.
 */
static bool sync_dropped(struct host_fixture *h, bool if_changed, char *msg, size_t msglen)
{
    struct eksauth_sync_report r;
    struct eksauth_error err;
    bool unchanged;

    assert_int_equal(if_changed ? run_if_changed(h, &r, &err) : run(h, false, &r, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "dropped, as the cluster drops them: mapUsers ("));
    assert_int_equal(r.dropped.n, 1);
    snprintf(msg, msglen, "%s", err.msg);
    unchanged = r.unchanged;
    eksauth_sync_report_free(&r);
    return unchanged;
}

/*
 * A value the cluster drops: the DB is written without it once, and every
 * later sync of the same document fails again with the same message,
 * writing nothing (the timer's sync each minute, a merged source's watch at
 * each poll).  Before, the state's version (V!dropped) never matched the
 * source's, so each wrote the same DB again: a new generation, an fsync,
 * nscd's caches dropped, every reader mapping it again.  Only the same
 * bytes count, and the other reasons to plan again stand; the fix applies.
 */
static void test_dropped_value_not_written_again(void **state)
{
    static const char *const versions[] = {"k8s:100", "k8s:100+eks:0123abcd"};
    struct eksauth_snapshot_state st;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    char first[EKSAUTH_ERROR_MAX], again[EKSAUTH_ERROR_MAX], version[96];
    struct host_fixture *h;
    uint64_t g;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        h = host_fixture_new(K8S_CONFIG, NULL);
        h->cluster_doc = AWS_AUTH_DROPPED;
        snprintf(h->cluster_version, sizeof(h->cluster_version), "%s", versions[i]);
        assert_false(sync_dropped(h, false, first, sizeof(first)));
        g = generation_now(h);
        assert_true(in_db(h, "build") && !in_db(h, "carol"));
        snprintf(version, sizeof(version), "%s!dropped", versions[i]);
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        assert_string_equal(st.version, version);
        /* Two more polls: the same failure, the DB not written, the state confirmed. */
        assert_true(sync_dropped(h, false, again, sizeof(again)));
        assert_string_equal(again, first);
        write_state(h, version, st.fetched_at, 1);
        assert_true(sync_dropped(h, false, again, sizeof(again)));
        assert_string_equal(again, first);
        assert_true(generation_now(h) == g);
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        assert_string_equal(st.version, version);
        assert_true(st.checked_at > 1);
        /* Other bytes under the same version: never taken for it, written. */
        h->cluster_doc = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD "mapUsers: |\n  - userarn: [x\n";
        assert_false(sync_dropped(h, false, again, sizeof(again)));
        assert_true(generation_now(h) == g + 1);
        assert_true(sync_dropped(h, false, again, sizeof(again)));
        assert_true(generation_now(h) == g + 1);
        /* Written a day ago: planned again (idle logins, tombstones), and still a failure. */
        eksauth_snapshot_state_read(&h->ctx.paths, true, &st);
        write_state(h, version, (long long)time(NULL) - EKSAUTH_SNAPSHOT_REPLAN_S, st.checked_at);
        assert_false(sync_dropped(h, false, again, sizeof(again)));
        assert_true(generation_now(h) == g + 2);
        /* The fix: applied at once, carol back. */
        h->cluster_doc = AWS_AUTH;
        snprintf(h->cluster_version, sizeof(h->cluster_version), "k8s:101");
        assert_int_equal(run(h, false, &r, &err), EKSAUTH_OK);
        assert_false(r.unchanged);
        assert_int_equal(r.dropped.n, 0);
        eksauth_sync_report_free(&r);
        assert_true(generation_now(h) == g + 3);
        assert_true(in_db(h, "carol"));
        host_fixture_free(h);
    }
    /* A file source: the timer's --if-changed likewise; a plain sync writes, as asked. */
    h = host_fixture_new(NULL, AWS_AUTH_DROPPED);
    assert_false(sync_dropped(h, true, first, sizeof(first)));
    g = generation_now(h);
    assert_true(sync_dropped(h, true, again, sizeof(again)));
    assert_string_equal(again, first);
    assert_true(generation_now(h) == g);
    assert_false(sync_dropped(h, false, again, sizeof(again)));
    assert_true(generation_now(h) == g + 1);
    host_fixture_write_aws_auth(h, AWS_AUTH);
    assert_int_equal(run_if_changed(h, &r, &err), EKSAUTH_OK);
    assert_false(r.unchanged);
    eksauth_sync_report_free(&r);
    assert_true(in_db(h, "carol"));
    host_fixture_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_source_writes_the_db),
        cmocka_unit_test(test_report_shows_what_it_says),
        cmocka_unit_test(test_refusals_leave_the_db),
        cmocka_unit_test(test_untrusted_db_folder_refused),
        cmocka_unit_test(test_recorded_logins_kept_then_revoked),
        cmocka_unit_test(test_login_across_a_revoking_sync),
        cmocka_unit_test(test_login_across_another_login),
        cmocka_unit_test(test_login_beside_an_unfinished_sync),
        cmocka_unit_test(test_stale_mark_of_a_killed_writer_cleared),
        cmocka_unit_test(test_idle_logins_expire),
        cmocka_unit_test(test_template_groups_never_merge),
        cmocka_unit_test(test_host_template_takes_no_static_login),
        cmocka_unit_test(test_damaged_state_host_binds_no_name),
        cmocka_unit_test(test_group_collision_denied_in_db),
        cmocka_unit_test(test_revoked_uid_held),
        cmocka_unit_test(test_tombstones_over_the_bound_said),
        cmocka_unit_test(test_recorded_login_id_now_local),
        cmocka_unit_test(test_reserved_ids_never_given),
        cmocka_unit_test(test_damaged_db_is_said),
        cmocka_unit_test(test_damaged_version_rebuilt),
        cmocka_unit_test(test_bad_key_file_fails_closed),
        cmocka_unit_test(test_relative_key_env_fails_closed),
        cmocka_unit_test(test_cluster_source_snapshot),
        cmocka_unit_test(test_cluster_fetch_asks_only_what_changed),
        cmocka_unit_test(test_unchanged_source_replans),
        cmocka_unit_test(test_dropped_value_not_written_again),
        cmocka_unit_test(test_older_fetch_never_overwrites),
        cmocka_unit_test(test_stale_state_writes_nothing),
        cmocka_unit_test(test_nscd_not_invalidated_is_a_warning),
        cmocka_unit_test(test_nscd_failure_is_asked_again),
        cmocka_unit_test(test_nscd_mark_made_while_asked_stays),
        cmocka_unit_test(test_nscd_drop_owed_by_killed_sync),
        cmocka_unit_test(test_nscd_words_for_a_live_writer),
        cmocka_unit_test(test_nscd_words_beside_a_foreign_lock),
        cmocka_unit_test(test_seeds_skip_private_and_local_groups),
        cmocka_unit_test(test_foreign_file_at_db_path_left),
        cmocka_unit_test(test_long_db_path_rebuilt_warning),
        cmocka_unit_test(test_rebuilt_db_generation_above_state),
        cmocka_unit_test(test_leftover_or_damaged_db_rebuilt),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
