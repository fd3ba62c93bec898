/*
 * test_login.c - one login, whole (lib/login.c): the check (local rules,
 * the mapping, STS, the host's policy) and the commit (the login name,
 * single_use, the identity DB), the account stage and the recorded login,
 * a snapshot older than max_snapshot_age refused, on a throwaway host with
 * a fake STS (tests/lib/host_fixture.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/base64url.h"
#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_record.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/login.h"
#include "eksauth/names.h"
#include "eksauth/replay.h"
#include "eksauth/sigv4.h"
#include "eksauth/snapshot.h"
#include "eksauth/sync.h"
#include "host_fixture.h"

/* Admin's template, build and carol (host_fixture.h). */
static const char *const AWS_AUTH =
    "mapRoles: |\n"
    "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
    "    username: admin:{{SessionName}}\n"
    "    groups:\n"
    "      - system:masters\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL;

#define ADMIN_ALICE "arn:aws:sts::123456789012:assumed-role/Admin/alice"
#define BUILD_CI    "arn:aws:sts::123456789012:assumed-role/Build/ci-run"

struct t {
    struct host_fixture *h;
    char token[EKSAUTH_SIGV4_TOKEN_MAX];
    size_t len;
};

/* A token for audience, signed at signed_at, in t->token. */
static void mint(struct t *t, const char *audience, time_t signed_at)
{
    host_fixture_token(t->h, audience, signed_at, t->token, sizeof(t->token), &t->len);
}

/* The first `eksauth sync` of t's host (the DB exists), then a fresh token for this host. */
static void synced(struct t *t)
{
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;

    memset(&opts, 0, sizeof(opts));
    if (eksauth_sync_run(&t->h->ctx, &opts, &r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    eksauth_sync_report_free(&r);
    host_fixture_reopen(t->h);
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW);
}

/* A synced host (the DB exists, as after `eksauth sync`) and a fresh token. */
static struct t *setup_host(const char *config_extra)
{
    struct t *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->h = host_fixture_new(config_extra, AWS_AUTH);
    synced(t);
    return t;
}

static int setup(void **state)
{
    *state = setup_host(NULL);
    return 0;
}

static int setup_single_use(void **state)
{
    *state = setup_host("single_use = yes\n");
    return 0;
}

static int teardown(void **state)
{
    struct t *t = *state;

    host_fixture_free(t->h);
    free(t);
    return 0;
}

/* The two checks decided alike: the same answer, reason, login, ids and groups. */
static void assert_same_login(const struct eksauth_login *whole, const struct eksauth_error *werr,
                              enum eksauth_status wst, const struct eksauth_login *l,
                              const struct eksauth_error *err, enum eksauth_status st)
{
    size_t i;

    assert_int_equal(st, wst);
    assert_int_equal(l->step, whole->step);
    assert_int_equal(l->refusal, whole->refusal);
    assert_int_equal(l->cluster_mapped, whole->cluster_mapped);
    if (st != EKSAUTH_OK)
        assert_string_equal(err->msg, werr->msg);
    assert_string_equal(l->id.login, whole->id.login);
    assert_int_equal(l->id.uid, whole->id.uid);
    assert_int_equal(l->id.gid, whole->id.gid);
    assert_int_equal(l->id.templated, whole->id.templated);
    assert_int_equal(l->id.n_groups, whole->id.n_groups);
    for (i = 0; i < l->id.n_groups; i++) {
        assert_string_equal(l->id.groups[i].name, whole->id.groups[i].name);
        assert_int_equal(l->id.groups[i].gid, whole->id.groups[i].gid);
    }
    if (l->id.k8s.username != NULL || whole->id.k8s.username != NULL)
        assert_string_equal(l->id.k8s.username, whole->id.k8s.username);
}

/*
 * A login check of t's token at now.  Every check of these tests runs
 * twice: with the whole snapshot and as a login does (through the sync's
 * login index when it fits), and the two must decide alike
 * (lib/login_index.c); the first leaves no trace (STS calls counted once).
 */
static enum eksauth_status check(struct t *t, time_t now, struct eksauth_login **l,
                                 struct eksauth_error *err)
{
    struct eksauth_login_request req;
    struct eksauth_login *whole = NULL;
    struct eksauth_error werr;
    enum eksauth_status wst, st;
    unsigned sts_calls = t->h->sts_calls;

    memset(&req, 0, sizeof(req));
    req.token = t->token;
    req.len = t->len;
    req.now = now;
    req.whole_snapshot = true;
    wst = eksauth_login_check(&t->h->ctx, &req, &whole, &werr);
    t->h->sts_calls = sts_calls;
    req.whole_snapshot = false;
    st = eksauth_login_check(&t->h->ctx, &req, l, err);
    assert_same_login(whole, &werr, wst, *l, err, st);
    eksauth_login_free(whole);
    return st;
}

static void test_templated_login_whole(void **state)
{
    struct t *t = *state;
    struct eksauth_login_record rec;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    const char *k8s = NULL;
    uint32_t uid_before;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    /* Before any token: the name fits a template of the last sync, so it is ours. */
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "admin-alice", &err), EKSAUTH_OK);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(l->step, EKSAUTH_LOGIN_CHECKED);
    assert_string_equal(l->id.login, "admin-alice");
    assert_string_equal(l->id.k8s.username, "admin:alice");
    assert_true(l->id.templated);
    assert_int_equal(l->id.n_groups, 2);
    assert_string_equal(l->id.groups[0].name, "eks-system-masters");
    assert_string_equal(l->id.groups[1].name, "eks-users"); /* every login's */
    /* STS was asked once, bound to this host's cluster id. */
    assert_int_equal(t->h->sts_calls, 1);
    assert_string_equal(t->h->sts_audience, FIXTURE_AUDIENCE);
    /* The user id is the principal's id, as the cluster's uid carries it. */
    assert_string_equal(l->id.user_id, "AROAEXAMPLEROLEID0001");
    assert_int_equal(strlen(l->token_fp), EKSAUTH_FINGERPRINT_LEN);
    uid_before = l->id.uid;

    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "admin-alice", FIXTURE_NOW + 10, &err),
                     EKSAUTH_OK);
    assert_int_equal(l->step, EKSAUTH_LOGIN_DONE);
    /* The uid NSS answered before the first login is the one recorded. */
    assert_int_equal(l->id.uid, uid_before);
    eksauth_login_free(l);

    host_fixture_reopen(t->h);
    assert_int_equal(eksauth_login_recorded(&t->h->ctx, "admin-alice", &rec, &err), EKSAUTH_OK);
    assert_string_equal(rec.k8s_username, "admin:alice");
    assert_string_equal(rec.k8s_groups, "system:masters");
    assert_string_equal(rec.session_name, "alice");
    assert_int_equal(rec.uid, uid_before);
    eksauth_login_record_free(&rec);
    assert_int_equal(
        eksauth_login_account(&t->h->ctx, "admin-alice", "admin:alice", NULL, 0, &k8s, &err),
        EKSAUTH_OK);
    assert_string_equal(k8s, "admin:alice");
}

/* One login of alice as admin-alice, checked and committed at now. */
static void login_alice(struct t *t, time_t now)
{
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    if (check(t, now, &l, &err) != EKSAUTH_OK ||
        eksauth_login_commit(&t->h->ctx, l, "admin-alice", now, &err) != EKSAUTH_OK)
        fail_msg("login: %s", err.msg);
    eksauth_login_free(l);
}

/*
 * A login whose record is current takes no lock (concurrent logins do not
 * queue on the writer's lock): with the lock held elsewhere it still ends.
 * Taking it would block for ever: alarm() ends the test as failed.
 */
static void test_current_record_takes_no_lock(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    struct stat before, after;
    int lock = -1;

    login_alice(t, FIXTURE_NOW + 10); /* recorded: written under the lock */
    host_fixture_reopen(t->h);
    assert_int_equal(stat(t->h->ctx.paths.db, &before), 0);
    assert_int_equal(eksauth_iddb_lock(t->h->ctx.paths.db, &lock, &err), EKSAUTH_OK);
    alarm(10);
    login_alice(t, FIXTURE_NOW + 20);
    alarm(0);
    eksauth_iddb_unlock(lock);
    /* Nothing was written: the same file, unchanged. */
    assert_int_equal(stat(t->h->ctx.paths.db, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
    assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
}

static void test_local_rule_never_reaches_sts(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    /* 16 minutes after signing: expired by the cluster's own rule. */
    assert_int_equal(check(t, FIXTURE_NOW + 960, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_TOKEN);
    assert_non_null(strstr(err.msg, "expired"));
    assert_int_equal(t->h->sts_calls, 0);
    eksauth_login_free(l);
}

/* Overwrite the host's snapshot of the last sync with text (as a tampering or torn write). */
static void spoil_snapshot(struct t *t, const char *text)
{
    FILE *f = fopen(t->h->ctx.paths.snapshot, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/*
 * One truth per host: a login maps with the aws-auth the last sync applied,
 * never with the file as it is now, so an edit counts for NSS, the account
 * stage and logins at once (after eksauth sync); a snapshot that is not the
 * one the DB was written from is this host's setup to fix, not a refusal.
 */
static void test_login_maps_with_the_last_sync(void **state)
{
    struct t *t = *state;
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    /* Broken as a document: the sync refuses it and the last one stays in force. */
    host_fixture_write_aws_auth(t->h, "mapRoles: [unclosed\n");
    memset(&opts, 0, sizeof(opts));
    assert_int_not_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    assert_non_null(strstr(err.msg, "the identity DB is unchanged"));
    eksauth_sync_report_free(&r);
    host_fixture_reopen(t->h);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_string_equal(l->id.login, "admin-alice");
    eksauth_login_free(l);
    /* Without Admin in the file: still mapped until a sync applies the edit... */
    host_fixture_write_aws_auth(t->h, "mapRoles: |\n"
                                      "  - rolearn: arn:aws:iam::123456789012:role/Build\n"
                                      "    username: build\n");
    host_fixture_reopen(t->h);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    eksauth_login_free(l);
    /* ...then refused, as NSS no longer serves it. */
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    host_fixture_reopen(t->h);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_ENOTMAPPED);
    eksauth_login_free(l);
    /* A snapshot that is not the DB's: this host cannot decide; no STS call. */
    spoil_snapshot(t, "mapRoles: |\n  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
                      "    username: admin:{{SessionName}}\n");
    host_fixture_reopen(t->h);
    t->h->sts_calls = 0;
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(l->step, EKSAUTH_LOGIN_SETUP);
    assert_int_equal(t->h->sts_calls, 0);
    assert_non_null(strstr(err.msg, "is not the aws-auth the identity DB"));
    assert_false(l->db_failed); /* the DB opened: the snapshot is what stopped it */
    eksauth_login_free(l);
    /* No snapshot at all (a DB from before this rule): run eksauth sync. */
    assert_int_equal(unlink(t->h->ctx.paths.state), 0);
    host_fixture_reopen(t->h);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "run eksauth sync"));
    eksauth_login_free(l);
}

/* Whether alice's login (checked both ways by check()) went through the login index. */
static bool alice_indexed(struct t *t)
{
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    bool indexed;

    host_fixture_reopen(t->h);
    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_string_equal(l->id.login, "admin-alice");
    indexed = l->mapping.index != NULL;
    /* A login that fell back keeps why (pam_eksauth logs it); one through the index, nothing. */
    assert_int_equal(l->mapping.index_fit == EKSAUTH_LOGIN_INDEX_FITS, indexed);
    assert_int_equal(strstr(l->mapping.index_unfit.msg, "; run: ") != NULL, !indexed);
    eksauth_login_free(l);
    return indexed;
}

/*
 * A login reads the sync's login index (lib/login_index.c) when it is the
 * one of the snapshot and DB in force, planned with the host's inputs of
 * now; anything else (no index, another sync's, a config edited since, a
 * file others could write, a snapshot replaced) maps with the whole
 * snapshot: the same answer (check() compares the two), never a grant
 * the whole path would refuse.
 */
static void test_login_reads_the_index(void **state)
{
    struct t *t = *state;
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;
    char old[EKSAUTH_PATH_MAX + 8];
    FILE *conf;

    assert_true(alice_indexed(t));
    /* No index (a sync of an older version): the whole snapshot. */
    snprintf(old, sizeof(old), "%s.old", t->h->ctx.paths.index);
    host_fixture_copy_file(t->h->ctx.paths.index, old);
    assert_int_equal(unlink(t->h->ctx.paths.index), 0);
    assert_false(alice_indexed(t));
    /* Another sync's index (the same aws-auth, an earlier generation): not this one's. */
    memset(&opts, 0, sizeof(opts));
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_true(alice_indexed(t));
    assert_int_equal(rename(old, t->h->ctx.paths.index), 0);
    assert_false(alice_indexed(t));
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_true(alice_indexed(t));
    /* Writable by others: never read. */
    assert_int_equal(chmod(t->h->ctx.paths.index, 0666), 0);
    assert_false(alice_indexed(t));
    assert_int_equal(chmod(t->h->ctx.paths.index, 0644), 0);
    assert_true(alice_indexed(t));
    /* The snapshot rewritten since (same bytes, another file): the whole path hashes it. */
    host_fixture_copy_file(t->h->ctx.paths.snapshot, old);
    assert_int_equal(rename(old, t->h->ctx.paths.snapshot), 0);
    assert_false(alice_indexed(t));
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_true(alice_indexed(t));
    /* The config edited since the sync: planned with other inputs, so the whole path decides. */
    conf = fopen(t->h->config, "a");
    assert_non_null(conf);
    assert_true(fputs("deny_user = admin:mallory\n", conf) >= 0);
    assert_int_equal(fclose(conf), 0);
    assert_false(alice_indexed(t));
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_OK);
    eksauth_sync_report_free(&r);
    assert_true(alice_indexed(t));
}

/*
 * A snapshot others could write is never read (lib/snapshot.c): whoever can
 * write it chooses logins and groups.  With no login index to go by, alice's
 * login is refused, and eksauth_snapshot_read refuses it too.
 */
static void test_untrusted_snapshot_refused(void **state)
{
    struct t *t = *state;
    struct eksauth_snapshot_state st;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char *data = NULL;
    size_t len = 0;

    assert_true(t->h->ctx.trust_files);
    assert_int_equal(unlink(t->h->ctx.paths.index), 0);
    assert_false(alice_indexed(t));
    assert_int_equal(chmod(t->h->ctx.paths.snapshot, 0666), 0);
    host_fixture_reopen(t->h);
    t->h->sts_calls = 0;
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EINVAL);
    assert_int_equal(l->id.uid, 0);
    assert_int_equal(t->h->sts_calls, 0);
    assert_non_null(strstr(err.msg, "writable by group or others"));
    eksauth_login_free(l);
    assert_int_not_equal(
        eksauth_snapshot_read(&t->h->ctx.paths, true, UINT64_MAX, &st, &data, &len, &err),
        EKSAUTH_OK);
    assert_null(data);
    assert_int_equal(chmod(t->h->ctx.paths.snapshot, 0644), 0);
    assert_false(alice_indexed(t));
}

/*
 * A value dropped (a YAML error inside mapRoles drops all of mapRoles) is
 * dropped for logins too, after the sync that applied it, and the refusal
 * names it and says whether the cluster drops it as well; the users of the
 * other values still log in.
 */
static void dropped_value_maps_no_one(struct t *t, const char *username, const char *sync_says,
                                      const char *login_says)
{
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char doc[512];

    snprintf(doc, sizeof(doc),
             "kind: ConfigMap\n"
             "data:\n"
             "  mapRoles: |\n"
             "    - rolearn: arn:aws:iam::123456789012:role/Admin\n"
             "      username: %s\n"
             "  mapUsers: |\n"
             "    - userarn: arn:aws:iam::123456789012:user/carol\n"
             "      username: carol\n",
             username);
    host_fixture_write_aws_auth(t->h, doc);
    memset(&opts, 0, sizeof(opts));
    host_fixture_reopen(t->h);
    assert_int_equal(eksauth_sync_run(&t->h->ctx, &opts, &r, &err), EKSAUTH_EINVAL);
    assert_int_equal(r.dropped.n, 1);
    assert_non_null(strstr(err.msg, sync_says));
    eksauth_sync_report_free(&r);
    host_fixture_reopen(t->h);
    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_ENOTMAPPED);
    assert_non_null(strstr(err.msg, "mapRoles"));
    assert_non_null(strstr(err.msg, login_says));
    eksauth_login_free(l);
    host_fixture_sts_answer(t->h, "arn:aws:iam::123456789012:user/carol");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_string_equal(l->id.login, "carol");
    eksauth_login_free(l);
}

static void test_dropped_value_maps_no_one(void **state)
{
    dropped_value_maps_no_one(*state, "[unclosed", "dropped, as the cluster drops them: ",
                              "was dropped, as the cluster drops it");
}

/* The escape \' is libyaml's error alone: the cluster maps that value's entries (awsauth.h). */
static void test_dropped_value_the_cluster_reads(void **state)
{
    dropped_value_maps_no_one(*state, "\"a\\'b\"",
                              "dropped here: ", "was dropped, here only: the cluster reads it");
}

static void test_sts_unavailable(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    t->h->sts_status = EKSAUTH_EUNAVAIL;
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(l->step, EKSAUTH_LOGIN_STS);
    eksauth_login_free(l);
}

static void test_not_mapped(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, "arn:aws:sts::123456789012:assumed-role/Nobody/x1");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_ENOTMAPPED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_MAPPING);
    assert_non_null(strstr(err.msg, "not mapped"));
    eksauth_login_free(l);
}

static void test_commit_refuses_another_login(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    struct stat before, after;

    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_string_equal(l->id.login, "build");
    assert_int_equal(stat(t->h->db, &before), 0);
    /* The token proves "build": it never logs in as anyone else. */
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "carol", FIXTURE_NOW + 10, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_USER);
    assert_non_null(strstr(err.msg, "maps to login 'build', not 'carol'"));
    assert_int_equal(stat(t->h->db, &after), 0);
    assert_true(before.st_ino == after.st_ino && before.st_mtime == after.st_mtime);
    eksauth_login_free(l);
}

static void expect_reason(struct eksauth_login *l, const struct eksauth_error *err,
                          const char *want);

static void test_single_use_claims_once(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char dir[256], replay[512];
    struct stat st;

    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                     EKSAUTH_OK);
    eksauth_login_free(l);
    l = NULL;
    /* The principal's record, in a private folder beside the DB. */
    snprintf(dir, sizeof(dir), "%s/replay", t->h->dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(eksauth_replay_path(dir, "arn:aws:iam::123456789012:role/Build", replay,
                                         sizeof(replay), NULL),
                     EKSAUTH_OK);
    assert_int_equal(stat(replay, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* The same token again: checked fine, refused at the claim. */
    assert_int_equal(check(t, FIXTURE_NOW + 20, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 20, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_REPLAY);
    assert_non_null(strstr(err.msg, "already used"));
    expect_reason(l, &err, "this token was already used here (single_use): get a fresh one");
    eksauth_login_free(l);
}

/* A sync that drops Build's mapping (a login checked before it is overtaken). */
static void sync_without_build(struct t *t)
{
    host_fixture_write_aws_auth(t->h, "mapRoles: |\n"
                                      "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
                                      "    username: admin:{{SessionName}}\n");
    synced(t);
}

/*
 * single_use claims the token before the record: a sync that overtook the
 * login and no longer maps it refuses the record, and the person is told to
 * log in again with a new token, since this one is spent (it was told "log
 * in again", and the same token was then refused "already used").
 */
static void test_single_use_overtaken_asks_a_new_token(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char why[256];

    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    /* Meanwhile a sync drops Build's mapping. */
    sync_without_build(t);
    assert_int_not_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                         EKSAUTH_OK);
    assert_int_equal(l->refusal, EKSAUTH_REFUSAL_CHANGED);
    expect_reason(l, &err,
                  "the identity DB changed during this login; log in again with a new "
                  "token");
    eksauth_login_free(l);
    l = NULL;
    /* Why: the token is spent.  Mapped again, the same one is "already used". */
    host_fixture_write_aws_auth(t->h, AWS_AUTH);
    synced(t); /* mints the same token again (the same time, audience and keys) */
    assert_int_equal(check(t, FIXTURE_NOW + 20, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 20, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_REPLAY);
    eksauth_login_free(l);
    l = NULL;
    /* Without single_use nothing was spent: "log in again" alone, as before. */
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 30, &l, &err), EKSAUTH_OK);
    sync_without_build(t);
    t->h->ctx.cfg.single_use = false; /* after the sync: reopening reads the config again */
    assert_int_not_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 30, &err),
                         EKSAUTH_OK);
    assert_int_equal(l->refusal, EKSAUTH_REFUSAL_CHANGED);
    eksauth_login_reason(l, &err, why, sizeof(why));
    assert_string_equal(why, "eksauth: login refused: the identity DB changed during this login; "
                             "log in again");
    eksauth_login_free(l);
}

/* How a re-encoding changes a presigned URL, in place (room for a few more bytes). */
enum reencoding { ESCAPED_SIGNATURE, TRAILING_AMP, ACTION_LAST, LOWER_CASE_ESCAPES };

static void reencode_url(char *url, size_t cap, enum reencoding how)
{
    static const char action[] = "Action=GetCallerIdentity&";
    char *p, tail[EKSAUTH_SIGV4_TOKEN_MAX];

    switch (how) {
    case ESCAPED_SIGNATURE:
        /* The signature's first hex digit as a percent escape: "%66" for 'f'. */
        p = strstr(url, "X-Amz-Signature=");
        assert_non_null(p);
        p += strlen("X-Amz-Signature=");
        snprintf(tail, sizeof(tail), "%%%02X%s", (unsigned char)*p, p + 1);
        snprintf(p, cap - (size_t)(p - url), "%s", tail);
        break;
    case TRAILING_AMP:
        /* An empty segment, skipped (docs/token-rules.md, step 8). */
        assert_true(strlen(url) + 1 < cap);
        strcat(url, "&");
        break;
    case ACTION_LAST:
        /* Another order of the same parameters. */
        p = strstr(url, action);
        assert_non_null(p);
        memmove(p, p + strlen(action), strlen(p + strlen(action)) + 1);
        assert_true(strlen(url) + strlen(action) < cap);
        strcat(url, "&Action=GetCallerIdentity");
        break;
    case LOWER_CASE_ESCAPES:
        for (p = strchr(url, '%'); p != NULL; p = strchr(p + 1, '%')) {
            if (p[1] != '\0' && p[2] >= 'A' && p[2] <= 'F')
                p[2] = (char)(p[2] - 'A' + 'a');
        }
        break;
    }
}

/*
 * single_use keys a token by its decoded signature, not by its text: the
 * same presigned URL re-encoded (an escape, an empty segment, another order
 * of parameters) is one request to STS, with one signature, so it is the
 * same token, and a second login with it is a replay (SECURITY.md, "Replay").
 */
static void test_single_use_refuses_the_same_url_reencoded(void **state)
{
    static const enum reencoding hows[] = {ESCAPED_SIGNATURE, TRAILING_AMP, ACTION_LAST,
                                           LOWER_CASE_ESCAPES};
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char first[EKSAUTH_SIGV4_TOKEN_MAX], url[EKSAUTH_SIGV4_TOKEN_MAX];
    size_t url_len = 0, i;
    const size_t plen = strlen(EKSAUTH_TOKEN_PREFIX);

    host_fixture_sts_answer(t->h, BUILD_CI);
    memcpy(first, t->token, t->len + 1);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                     EKSAUTH_OK);
    eksauth_login_free(l);
    for (i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
        l = NULL;
        assert_int_equal(eksauth_b64url_decode(first + plen, strlen(first) - plen,
                                               (unsigned char *)url, sizeof(url) - 1, &url_len,
                                               NULL),
                         EKSAUTH_OK);
        url[url_len] = '\0';
        reencode_url(url, sizeof(url), hows[i]);
        memcpy(t->token, EKSAUTH_TOKEN_PREFIX, plen);
        t->len = plen + eksauth_b64url_encode((const unsigned char *)url, strlen(url),
                                              t->token + plen, sizeof(t->token) - plen);
        assert_true(t->len > plen);
        assert_string_not_equal(t->token, first);
        /* Every rule passes: it is a token STS would answer as the first. */
        if (check(t, FIXTURE_NOW + 20, &l, &err) != EKSAUTH_OK)
            fail_msg("re-encoding %zu: %s", i, err.msg);
        assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 20, &err),
                         EKSAUTH_EREJECTED);
        assert_int_equal(l->step, EKSAUTH_LOGIN_REPLAY);
        assert_string_equal(err.msg, EKSAUTH_REPLAY_USED);
        eksauth_login_free(l);
    }
}

/* A principal whose record is full of live tokens: its logins wait, no one else's. */
static void test_single_use_full_record_is_its_own(void **state)
{
    struct t *t = *state;
    struct eksauth_replay *r = NULL;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];
    char dir[256], path[512];
    void *bytes = NULL;
    size_t len = 0;
    unsigned i;
    FILE *f;

    /* Fill Build's record as a flood of its own logins would. */
    snprintf(dir, sizeof(dir), "%s/replay", t->h->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(
        eksauth_replay_path(dir, "arn:aws:iam::123456789012:role/Build", path, sizeof(path), NULL),
        EKSAUTH_OK);
    assert_int_equal(eksauth_replay_new(&r, NULL), EKSAUTH_OK);
    for (i = 0; i < EKSAUTH_REPLAY_MAX; i++) {
        memset(h, 0, sizeof(h));
        memcpy(h, &i, sizeof(i));
        assert_int_equal(eksauth_replay_add(r, h, FIXTURE_NOW + 1800, NULL), EKSAUTH_OK);
    }
    assert_int_equal(eksauth_replay_serialize(r, &bytes, &len, NULL), EKSAUTH_OK);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0);
    free(bytes);
    eksauth_replay_free(r);

    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_REPLAY);
    assert_non_null(strstr(err.msg, "this principal already has"));
    /*
     * The person is told what is so: a fresh token (what "already used" asks
     * for) is refused the same way until the identity's recorded tokens expire.
     */
    expect_reason(l, &err, "too many logins of your AWS identity");
    eksauth_login_free(l);
    l = NULL;
    /*
     * A principal is the canonical ARN: another session of the role shares
     * the record, and waits too (SECURITY.md, known gaps).
     */
    host_fixture_sts_answer(t->h, "arn:aws:sts::123456789012:assumed-role/Build/someone-else");
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW + 2);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "this principal already has"));
    eksauth_login_free(l);
    l = NULL;
    /* Another principal logs in meanwhile (a fresh token: the same one would be a replay). */
    host_fixture_sts_answer(t->h, "arn:aws:sts::123456789012:assumed-role/Admin/alice");
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW + 1);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "admin-alice", FIXTURE_NOW + 10, &err),
                     EKSAUTH_OK);
    eksauth_login_free(l);
}

/*
 * The replay folder's name made a link before root made the folder (the
 * DB's folder may be sticky and writable by others): the login fails
 * closed, the log's message names the folder and the link, the person is
 * told the host cannot check, and nothing is written where the link points
 * (re-pointed, it would make the record "missing" and the token usable again).
 */
static void test_single_use_refuses_a_linked_folder(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char real[256], link[256], want[320];
    struct stat st;

    snprintf(real, sizeof(real), "%s/chosen", t->h->dir);
    snprintf(link, sizeof(link), "%s/replay", t->h->dir);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "build", FIXTURE_NOW + 10, &err),
                     EKSAUTH_EUNAVAIL);
    assert_int_equal(l->step, EKSAUTH_LOGIN_REPLAY);
    snprintf(want, sizeof(want), "replay: %s: is a symbolic link", link);
    if (strstr(err.msg, want) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    expect_reason(l, &err, "this host cannot check logins now; tell its administrator");
    eksauth_login_free(l);
    assert_int_equal(rmdir(real), 0); /* empty: no record, no lock was made there */
    /* The link is left as it is, for the administrator to see. */
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
}

static void test_serves_and_account(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    const char *k8s = NULL;
    const char *need_masters[] = {"eks-system-masters"};
    const char *need_builders[] = {"eks-builders"};
    const char *need_users[] = {"eks-users"};
    const char *need_login[] = {"build"};
    bool local = false;

    /* A local account is never ours, whatever the DB says. */
    assert_int_equal(eksauth_login_is_local(&t->h->ctx, "root", &local, &err), EKSAUTH_OK);
    assert_true(local);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "root", &err), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "nobody-here", &err), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "build", &err), EKSAUTH_OK);
    /* The account stage: a static user of the DB, its groups, and a changed mapping. */
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    assert_string_equal(k8s, "build");
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, need_builders, 1, &k8s, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, need_masters, 1, &k8s, &err),
                     EKSAUTH_EREJECTED);
    /* Membership only: the users' group (every login's primary group), never the login's name. */
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, need_users, 1, &k8s, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, need_login, 1, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(
        eksauth_login_account(&t->h->ctx, "build", "someone-else", NULL, 0, &k8s, &err),
        EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "mapping changed"));
    /* A templated name never recorded by a login has nothing to re-check. */
    assert_int_equal(eksauth_login_account(&t->h->ctx, "admin-zed", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "not-ours", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_ENOTFOUND);
}

/*
 * The host's DB with build's record copied as the user named as (NULL: none)
 * for the k8s user k8s (NULL: as), in a private group of its own name and id
 * when private (as DBs before version 3 gave each user), and deny (NULL:
 * none) on its denied list, as a sync could not write it: login.c must
 * refuse on its own.
 */
static void rewrite_db_k8s(struct t *t, const char *as, const char *k8s, bool private,
                           const char *deny)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_user_in in;
    struct eksauth_error err;

    assert_int_equal(eksauth_iddb_open(t->h->db, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b, &err), EKSAUTH_OK);
    if (as != NULL) {
        assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
        memset(&in, 0, sizeof(in));
        in.login = as;
        in.k8s_username = k8s != NULL ? k8s : as;
        in.uid = u.uid + 1;
        if (private) {
            struct eksauth_iddb_group_in g = {as, "", in.uid, EKSAUTH_IDDB_GROUP_PRIVATE};

            assert_int_equal(eksauth_iddb_builder_add_group(b, &g, &err), EKSAUTH_OK);
            in.gid = in.uid;
        }
        assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_OK);
    }
    if (deny != NULL)
        assert_int_equal(eksauth_iddb_builder_add_denied(b, deny, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, t->h->db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
    host_fixture_reopen(t->h);
}

static void rewrite_db(struct t *t, const char *as, bool private, const char *deny)
{
    rewrite_db_k8s(t, as, NULL, private, deny);
}

/* deny_user = name appended to the host's config after its last sync. */
static void deny_in_config(struct t *t, const char *name)
{
    FILE *f = fopen(t->h->config, "a");

    assert_non_null(f);
    assert_true(fprintf(f, "deny_user = %s\n", name) > 0);
    assert_int_equal(fclose(f), 0);
    host_fixture_reopen(t->h);
}

/*
 * The account stage applies the host's policy of now to a recorded user:
 * a deny_user added after the last sync refuses build before the next sync,
 * as do a reserved name and the DB's denied list.
 */
static void test_account_denies_before_next_sync(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    const char *k8s = NULL;

    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    /* A reserved name in the DB (no sync writes one). */
    rewrite_db(t, "backup", false, NULL);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "backup", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "login 'backup' is denied"));
    /* A name on the DB's denied list. */
    rewrite_db(t, NULL, false, "build");
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "login 'build' is denied"));
    /* deny_user added to the config after the sync: carol's record is still in the DB. */
    assert_int_equal(eksauth_login_account(&t->h->ctx, "carol", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    deny_in_config(t, "carol");
    assert_int_equal(eksauth_login_account(&t->h->ctx, "carol", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "login 'carol' is denied"));
}

/*
 * deny_user names a k8s user as well as a login (eksauth.conf(5)): one
 * added after the last sync refuses that k8s user's recorded login, named
 * otherwise, before the next sync (sudo's cached credential asks only the
 * account stage); so does a k8s user on the DB's denied list.
 */
static void test_account_denies_k8s_user_before_next_sync(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    const char *k8s = NULL;

    rewrite_db_k8s(t, "dave", "corp:dave", false, NULL);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "dave", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    deny_in_config(t, "corp:dave");
    assert_int_equal(eksauth_login_account(&t->h->ctx, "dave", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "login 'dave' is denied (k8s user 'corp:dave')"));
}

static void test_account_denies_k8s_user_on_db_list(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    const char *k8s = NULL;

    rewrite_db_k8s(t, "dave", "corp:dave", false, "corp:dave");
    assert_int_equal(eksauth_login_account(&t->h->ctx, "dave", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "(k8s user 'corp:dave')"));
}

/* login_serves never answers for a reserved name, even one the DB holds. */
static void test_serves_no_reserved_name(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;

    rewrite_db(t, "backup", false, NULL);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "backup", &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "is not a name eksauth serves"));
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "build", &err), EKSAUTH_OK);
}

/*
 * A private group (DBs before version 3) carries its login's name: a
 * require_group naming the login never matches it (lib/login.c, in_any_group).
 */
static void test_private_group_never_required(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    const char *k8s = NULL;
    const char *need_own[] = {"legacy"};

    rewrite_db(t, "legacy", true, NULL);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "legacy", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "legacy", NULL, need_own, 1, &k8s, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "not in any require_group group"));
}

/*
 * A local group named like users_group: the sync serves no group of every
 * login, so no templated name (lib/identity.c); login_serves says so for a
 * name that fits a template, with the fix, and no more than "not in the
 * identity DB" for one that fits none.  (It said "'admin-alice' is not in
 * the identity DB" for both.)
 */
static void test_serves_says_no_users_group(void **state)
{
    struct t *t = *state;
    struct eksauth_error err;
    char passwd[128], group[128];
    FILE *f;

    host_fixture_root_only(t->h, passwd, group, sizeof(passwd));
    assert_non_null(f = fopen(group, "a"));
    fputs("eks-users:x:990:\n", f);
    assert_int_equal(fclose(f), 0);
    host_fixture_reopen(t->h);
    synced(t);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "admin-alice", &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "'admin-alice' fits a username template"));
    assert_non_null(strstr(err.msg, "set users_group"));
    assert_null(strstr(err.msg, "not in the identity DB"));
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "nobody-here", &err), EKSAUTH_ENOTFOUND);
    assert_string_equal(err.msg, "'nobody-here' is not in the identity DB");
}

static void test_no_db_is_unavailable(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    assert_int_equal(unlink(t->h->db), 0);
    host_fixture_reopen(t->h);
    /* Before the first sync nothing is served, and the host says it cannot decide. */
    assert_int_equal(eksauth_login_serves(&t->h->ctx, "build", &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, NULL, &err),
                     EKSAUTH_EUNAVAIL);
    /* A check stops at the DB, and says it was the DB (verify answers as users does). */
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(l->step, EKSAUTH_LOGIN_SETUP);
    assert_true(l->db_failed);
    eksauth_login_free(l);
}

/*
 * The DB replaced by a later eksauth's format (this one rolled back, or a
 * module loaded before an upgrade): no login and no account stage passes on
 * a file this version cannot check, and the refusal says whose it is.
 */
static void test_later_db_format_refused(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char *data = NULL;
    size_t len = 0;

    assert_int_equal(eksauth_file_read(t->h->db, EKSAUTH_IDDB_MAX_SIZE, false, &data, &len, &err),
                     EKSAUTH_OK);
    eksauth_le32_put((unsigned char *)data + 8, EKSAUTH_IDDB_VERSION + 1);
    eksauth_iddb_reseal(data, len);
    assert_int_equal(eksauth_file_write_atomic(t->h->db, data, len, 0644, &err), EKSAUTH_OK);
    free(data);
    host_fixture_reopen(t->h);
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_not_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_non_null(strstr(err.msg, "written by a later eksauth"));
    assert_int_equal(l->step, EKSAUTH_LOGIN_SETUP);
    assert_true(l->db_failed);
    eksauth_login_free(l);
    assert_int_not_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, NULL, &err),
                         EKSAUTH_OK);
    assert_int_not_equal(eksauth_login_serves(&t->h->ctx, "build", &err), EKSAUTH_OK);
}

/* A token for the cluster itself, or for another host: never a login here by default. */
static void test_audience_is_this_host(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, BUILD_CI);
    /* What `aws eks get-token --cluster-name test-cluster` prints: the cluster's credential. */
    mint(t, FIXTURE_CLUSTER, FIXTURE_NOW);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_STS);
    assert_non_null(strstr(err.msg, "SignatureDoesNotMatch"));
    /* The hint names this host's audience, never the cluster's name, as what to mint for. */
    assert_non_null(strstr(err.msg, "this host takes tokens for \"" FIXTURE_AUDIENCE "\""));
    assert_non_null(strstr(err.msg, "--cluster-name " FIXTURE_AUDIENCE "`"));
    assert_null(strstr(err.msg, "--cluster-name " FIXTURE_CLUSTER "`"));
    /* STS was asked once, with this host's audience only: no second try by default. */
    assert_int_equal(t->h->sts_calls, 1);
    assert_string_equal(t->h->sts_audience, FIXTURE_AUDIENCE);
    eksauth_login_free(l);
    l = NULL;
    /* A token another host asked for is that host's alone. */
    mint(t, "eksauth:test-cluster:otherhost", FIXTURE_NOW);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_STS);
    eksauth_login_free(l);
}

/*
 * A check for an audience the request names (`eksauth whoami`: the cluster
 * id, for a token it minted itself) that STS refuses: no hint that this host
 * takes tokens for that audience, which no login here takes.
 */
static void test_request_audience_gets_no_host_hint(void **state)
{
    struct t *t = *state;
    struct eksauth_login_request req;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, BUILD_CI);
    mint(t, "eksauth:test-cluster:otherhost", FIXTURE_NOW);
    memset(&req, 0, sizeof(req));
    req.token = t->token;
    req.len = t->len;
    req.now = FIXTURE_NOW + 10;
    req.audience = FIXTURE_CLUSTER;
    assert_int_equal(eksauth_login_check(&t->h->ctx, &req, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_STS);
    assert_string_equal(t->h->sts_audience, FIXTURE_CLUSTER);
    assert_non_null(strstr(err.msg, "SignatureDoesNotMatch"));
    assert_null(strstr(err.msg, "takes tokens for"));
    assert_null(strstr(err.msg, "get-token"));
    eksauth_login_free(l);
}

static int setup_compat(void **state)
{
    *state = setup_host("accept_cluster_tokens = yes\n");
    return 0;
}

/* accept_cluster_tokens: a plain cluster token logs in, after this host's audience failed. */
static void test_cluster_tokens_behind_the_key(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, BUILD_CI);
    mint(t, FIXTURE_CLUSTER, FIXTURE_NOW);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_true(l->cluster_token);
    assert_int_equal(t->h->sts_calls, 2);
    assert_string_equal(t->h->sts_audience, FIXTURE_CLUSTER);
    eksauth_login_free(l);
    l = NULL;
    /* A host token still needs one call, and is no cluster token. */
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_false(l->cluster_token);
    assert_int_equal(t->h->sts_calls, 3);
    eksauth_login_free(l);
}

/* What the person logging in is told: the reason class, and only that. */
static void expect_reason(struct eksauth_login *l, const struct eksauth_error *err,
                          const char *want)
{
    char why[256];

    eksauth_login_reason(l, err, why, sizeof(why));
    if (strstr(why, want) == NULL || strncmp(why, "eksauth: login refused: ", 24) != 0)
        fail_msg("reason \"%s\" does not say \"%s\"", why, want);
    /* Never the internal detail (a path, a rule's numbers). */
    assert_null(strstr(why, "/tmp/"));
}

static void test_reasons(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;

    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 960, &l, &err), EKSAUTH_EREJECTED);
    expect_reason(l, &err, "the token has expired (if it was just made, this host's clock");
    eksauth_login_free(l);
    /* Dated ahead of the host's clock by more than the skew: the clocks, not the token. */
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW + 600);
    assert_int_equal(check(t, FIXTURE_NOW, &l, &err), EKSAUTH_EREJECTED);
    expect_reason(l, &err, "dated ahead of this host's clock");
    eksauth_login_free(l);
    mint(t, FIXTURE_CLUSTER, FIXTURE_NOW);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    expect_reason(l, &err, "made for another host or cluster");
    eksauth_login_free(l);
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW);
    t->h->sts_status = EKSAUTH_EUNAVAIL;
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    expect_reason(l, &err, "STS cannot be reached");
    eksauth_login_free(l);
    host_fixture_sts_answer(t->h, "arn:aws:sts::123456789012:assumed-role/Nobody/x1");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_ENOTMAPPED);
    expect_reason(l, &err, "not mapped in this cluster's aws-auth");
    eksauth_login_free(l);
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, l, "carol", FIXTURE_NOW + 10, &err),
                     EKSAUTH_EREJECTED);
    /* The caller proved who it is: it may learn its own login name. */
    expect_reason(l, &err, "your identity logs in as 'build' here");
    eksauth_login_free(l);
    /* A session name rule 1 would rewrite: its own identity's problem, so it is told. */
    host_fixture_sts_answer(t->h, "arn:aws:sts::123456789012:assumed-role/Admin/Alice");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    expect_reason(l, &err, "session name has characters a login name cannot carry");
    eksauth_login_free(l);
    spoil_snapshot(t, "{not yaml: [\n");
    host_fixture_reopen(t->h);
    assert_int_not_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    expect_reason(l, &err, "this host cannot check logins now");
    eksauth_login_free(l);
}

/* A node role whose login needs this host's own instance, where instance metadata never answers. */
static int setup_no_imds(void **state)
{
    struct t *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->h = host_fixture_new(
        "imds_endpoint = http://127.0.0.1:1\n",
        "mapRoles: |\n"
        "  - rolearn: arn:aws:iam::123456789012:role/Node\n"
        "    username: node:{{EC2PrivateDNSName}}\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL);
    synced(t);
    *state = t;
    return 0;
}

/*
 * Instance metadata down: the login whose entry needs {{EC2PrivateDNSName}}
 * stays refused (fail closed), and the person is told the host could not
 * check, not that the host does not take their identity (they were told
 * that, untrue during an outage); other logins go on.
 */
static void test_instance_unknown_is_the_hosts(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char why[256];

    host_fixture_sts_answer(t->h,
                            "arn:aws:sts::123456789012:assumed-role/Node/i-0123456789abcdef0");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_MAPPING);
    assert_non_null(strstr(err.msg, "this host's own instance is unknown")); /* for the log */
    expect_reason(l, &err,
                  "this host could not read its own instance (instance metadata), which "
                  "your mapping needs: try again later, or tell its administrator");
    eksauth_login_reason(l, &err, why, sizeof(why));
    assert_null(strstr(why, "does not take it"));
    eksauth_login_free(l);
    l = NULL;
    host_fixture_sts_answer(t->h, BUILD_CI);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    eksauth_login_free(l);
}

/*
 * Instance metadata answered, with a local-hostname the cluster would not
 * render (a VPC's DHCP domain-name, lib/imds.c): refused, and the person
 * is told it is the host's setup, not asked to try again later.
 */
static void test_instance_misnamed_is_the_hosts_setup(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    char why[256];

    t->h->ctx.instance.tried = true;
    t->h->ctx.instance.status =
        eksauth_fail(&t->h->ctx.instance.failure, EKSAUTH_EINVAL,
                     "instance metadata: local-hostname 'ip-10-0-0-1.corp.example' is not the "
                     "PrivateDnsName the cluster renders {{EC2PrivateDNSName}} from");
    host_fixture_sts_answer(t->h,
                            "arn:aws:sts::123456789012:assumed-role/Node/i-0123456789abcdef0");
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->step, EKSAUTH_LOGIN_MAPPING);
    assert_non_null(strstr(err.msg, "corp.example")); /* for the log */
    expect_reason(l, &err,
                  "this host's instance metadata does not give the name your mapping needs "
                  "(its setup, not an outage): tell its administrator");
    eksauth_login_reason(l, &err, why, sizeof(why));
    assert_null(strstr(why, "try again later"));
    eksauth_login_free(l);
}

/* A host whose source is the cluster, synced, refusing logins on a snapshot 600 s old. */
static int setup_max_age(void **state)
{
    struct t *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->h = host_fixture_new("source = kubernetes\ncluster_endpoint = https://127.0.0.1:1\n"
                            "max_snapshot_age = 600\n",
                            NULL);
    t->h->cluster_doc = AWS_AUTH;
    snprintf(t->h->cluster_version, sizeof(t->h->cluster_version), "k8s:1");
    synced(t);
    *state = t;
    return 0;
}

/* When a sync last found the snapshot current (lib/snapshot.c reads it). */
static void confirmed_at(struct t *t, long long when)
{
    char path[256];
    FILE *f;

    struct eksauth_snapshot_state st;

    /* The sync's state as it is, but for the times (the snapshot stays the DB's). */
    eksauth_snapshot_state_read(&t->h->ctx.paths, false, &st);
    snprintf(path, sizeof(path), "%s/aws-auth.state", t->h->dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "version=%s\nrv=\nfetched_at=%lld\nchecked_at=%lld\ngeneration=%llu\nsha256=%s\n",
            st.version, when, when, (unsigned long long)st.generation, st.sha256);
    assert_int_equal(fclose(f), 0);
    host_fixture_reopen(t->h);
}

/* max_snapshot_age: no sync has vouched for the mapping lately, so no eksauth login. */
static void test_stale_snapshot_refuses(void **state)
{
    struct t *t = *state;
    struct eksauth_login *l = NULL;
    struct eksauth_error err;
    const char *k8s = NULL;

    host_fixture_sts_answer(t->h, ADMIN_ALICE);
    confirmed_at(t, FIXTURE_NOW - 500);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_OK);
    eksauth_login_free(l);
    /* 610 s: refused before STS is asked, as a host that cannot decide. */
    t->h->sts_calls = 0;
    assert_int_equal(check(t, FIXTURE_NOW + 110, &l, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(l->step, EKSAUTH_LOGIN_SETUP);
    assert_int_equal(t->h->sts_calls, 0);
    assert_non_null(strstr(err.msg, "last confirmed 610 s ago, over max_snapshot_age (600 s)"));
    assert_false(l->db_failed);
    eksauth_login_free(l);
    /* The account stage too, for a user of ours; anyone else's is still not ours. */
    confirmed_at(t, (long long)time(NULL) - 3600);
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "max_snapshot_age"));
    assert_int_equal(eksauth_login_account(&t->h->ctx, "not-ours", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_ENOTFOUND);
    confirmed_at(t, (long long)time(NULL));
    assert_int_equal(eksauth_login_account(&t->h->ctx, "build", NULL, NULL, 0, &k8s, &err),
                     EKSAUTH_OK);
    /* No state at all: nothing vouches for it either. */
    assert_int_equal(unlink(t->h->ctx.paths.state), 0);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no snapshot"));
    eksauth_login_free(l);
}

static enum eksauth_status check_as(struct t *t, const char *session, struct eksauth_login **l,
                                    struct eksauth_error *err)
{
    char arn[256];

    snprintf(arn, sizeof(arn), "arn:aws:sts::123456789012:assumed-role/Admin/%s", session);
    host_fixture_sts_answer(t->h, arn);
    return check(t, FIXTURE_NOW + 10, l, err);
}

static int setup_small_range(void **state)
{
    *state = setup_host("uid_min = 1000000\nuid_max = 1000999\n");
    return 0;
}

/*
 * The race of issue 16.  sshd resolves the attacker's templated name before
 * PAM and keeps that uid; the attacker holds the token prompt open until
 * the victim's first login takes the same uid, then answers.  The
 * attacker's login is refused (reason: the id is held), never recorded
 * with another uid.  A small id range, so that the attacker's session name
 * is found at once; with a key the search is not possible at all
 * (test_names.c, test_keyed_ids_cannot_be_aimed).
 */
static void test_uid_race_refused(void **state)
{
    struct t *t = *state;
    struct eksauth_login *attacker = NULL, *victim = NULL;
    struct eksauth_error err;
    struct eksauth_login_record rec;
    char session[32], name[48], why[256];
    uint32_t target = eksauth_names_id(NULL, "admin-alice", 0, 1000000, 1000999);
    unsigned i;

    for (i = 0; i < 100000; i++) {
        snprintf(session, sizeof(session), "m%u", i);
        snprintf(name, sizeof(name), "admin-%s", session);
        if (eksauth_names_id(NULL, name, 0, 1000000, 1000999) == target)
            break;
    }
    assert_true(i < 100000);
    /* 1. sshd: the attacker's name is served, with the victim's future uid. */
    assert_int_equal(eksauth_login_serves(&t->h->ctx, name, &err), EKSAUTH_OK);
    assert_int_equal(check_as(t, session, &attacker, &err), EKSAUTH_OK);
    assert_int_equal(attacker->id.uid, target);
    /* 2. The victim's first login, while the attacker's prompt is open, takes that uid. */
    host_fixture_reopen(t->h);
    assert_int_equal(check_as(t, "alice", &victim, &err), EKSAUTH_OK);
    assert_int_equal(
        eksauth_login_commit(&t->h->ctx, victim, "admin-alice", FIXTURE_NOW + 10, &err),
        EKSAUTH_OK);
    assert_int_equal(victim->id.uid, target);
    eksauth_login_free(victim);
    /* 3. The attacker answers: refused, and told only that the id is held. */
    host_fixture_reopen(t->h);
    assert_int_equal(eksauth_login_commit(&t->h->ctx, attacker, name, FIXTURE_NOW + 10, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(attacker->step, EKSAUTH_LOGIN_RECORD);
    assert_int_equal(attacker->refusal, EKSAUTH_REFUSAL_ID_HELD);
    assert_non_null(strstr(err.msg, "is held by user admin-alice")); /* for the log */
    eksauth_login_reason(attacker, &err, why, sizeof(why));
    assert_string_equal(why, "eksauth: login refused: this login name's id is held by another "
                             "account here; ask the host's administrator");
    eksauth_login_free(attacker);
    assert_int_equal(eksauth_login_recorded(&t->h->ctx, name, &rec, &err), EKSAUTH_ENOTFOUND);
    /* A later attempt is refused at the mapping already, with the same reason. */
    host_fixture_reopen(t->h);
    assert_int_equal(check_as(t, session, &attacker, &err), EKSAUTH_EREJECTED);
    assert_int_equal(attacker->step, EKSAUTH_LOGIN_MAPPING);
    expect_reason(attacker, &err, "this login name's id is held by another account here");
    eksauth_login_free(attacker);
    /* NSS gives the name no answer any more. */
    assert_int_equal(eksauth_login_serves(&t->h->ctx, name, &err), EKSAUTH_ENOTFOUND);
}

/* A sync of the aws-auth yaml on t's host, as `eksauth sync`, then a fresh token. */
static void resync(struct t *t, const char *yaml, struct eksauth_sync_report *r)
{
    struct eksauth_sync_options opts;
    struct eksauth_error err;

    host_fixture_write_aws_auth(t->h, yaml);
    host_fixture_reopen(t->h);
    memset(&opts, 0, sizeof(opts));
    if (eksauth_sync_run(&t->h->ctx, &opts, r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    host_fixture_reopen(t->h);
    mint(t, FIXTURE_AUDIENCE, FIXTURE_NOW);
}

#define ADMIN_LONG                                                                                 \
    "arn:aws:sts::123456789012:assumed-role/admins/firstname.lastname@corp.example.com"
#define CONTRACTOR_LONG                                                                            \
    "arn:aws:sts::123456789012:assumed-role/contractors/firstname.lastname-corp.example.com-adm"

#define TWO_TEMPLATES                                                                              \
    "mapRoles: |\n"                                                                                \
    "  - rolearn: arn:aws:iam::123456789012:role/contractors\n"                                    \
    "    username: dev-{{SessionName}}\n"                                                          \
    "  - rolearn: arn:aws:iam::123456789012:role/admins\n"                                         \
    "    username: dev-{{SessionName}}-adm\n"

/*
 * A login cut by names.h rule 3 loses a template's text after the
 * placeholder: the admin's session firstname.lastname@corp.example.com and
 * a contractor's firstname.lastname-corp.example.com-adm are one k8s user,
 * whose cut login fits dev-{{SessionName}} alone.  Whoever came first, the
 * other got the same recorded uid, home and files; now neither is served
 * (lib/resolve.c) and nothing is recorded.  NSS sees the cut login alone
 * and answers it: the login decides.  One an older eksauth recorded is
 * revoked by the next sync, which resolves it as a login does.
 */
static void test_cut_login_of_two_templates(void **state)
{
    struct t *t = *state;
    struct eksauth_sync_report r;
    struct eksauth_login *l = NULL;
    struct eksauth_login_record rec;
    struct eksauth_error err;
    char login[EKSAUTH_NAME_MAX + 1];
    struct eksauth_iddb_id_rules rules = {NULL, FIXTURE_NOW, NULL, NULL};
    struct eksauth_iddb_user_in admin = {0};

    admin.login = login;
    admin.k8s_username = "dev-firstname.lastname-corp.example.com-adm";
    admin.arn = ADMIN_LONG;
    admin.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    assert_int_equal(
        eksauth_names_login("dev-firstname.lastname-corp.example.com-adm", login, NULL),
        EKSAUTH_OK);
    resync(t, TWO_TEMPLATES, &r);
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_login_serves(&t->h->ctx, login, &err), EKSAUTH_OK);
    host_fixture_sts_answer(t->h, ADMIN_LONG);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->refusal, EKSAUTH_REFUSAL_AMBIGUOUS);
    eksauth_login_free(l);
    l = NULL;
    host_fixture_reopen(t->h);
    host_fixture_sts_answer(t->h, CONTRACTOR_LONG);
    assert_int_equal(check(t, FIXTURE_NOW + 10, &l, &err), EKSAUTH_EREJECTED);
    assert_int_equal(l->refusal, EKSAUTH_REFUSAL_AMBIGUOUS);
    eksauth_login_free(l);
    assert_int_equal(eksauth_login_recorded(&t->h->ctx, login, &rec, &err), EKSAUTH_ENOTFOUND);
    /* Recorded by an eksauth before this rule: the next sync revokes it. */
    assert_int_equal(
        eksauth_iddb_record_login(t->h->ctx.paths.db, &admin, NULL, 0, &rules, NULL, NULL, &err),
        EKSAUTH_OK);
    host_fixture_reopen(t->h);
    assert_int_equal(eksauth_login_recorded(&t->h->ctx, login, &rec, &err), EKSAUTH_OK);
    eksauth_login_record_free(&rec);
    resync(t, TWO_TEMPLATES, &r);
    assert_int_equal(r.removed.n, 1);
    assert_non_null(strstr(r.removed.v[0], "can come from more than one username template"));
    eksauth_sync_report_free(&r);
    assert_int_equal(eksauth_login_recorded(&t->h->ctx, login, &rec, &err), EKSAUTH_ENOTFOUND);
}

static void test_join_groups(void **state)
{
    char *groups[] = {"a", "b:c", "d"};
    char *s;

    (void)state;
    s = eksauth_login_join_groups(groups, 3);
    assert_string_equal(s, "a,b:c,d");
    free(s);
    s = eksauth_login_join_groups(groups, 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_templated_login_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_login_of_two_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_record_takes_no_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_rule_never_reaches_sts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_maps_with_the_last_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_reads_the_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_snapshot_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_value_maps_no_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_value_the_cluster_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sts_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_refuses_another_login, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_claims_once, setup_single_use, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_overtaken_asks_a_new_token,
                                        setup_single_use, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_refuses_the_same_url_reencoded,
                                        setup_single_use, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_full_record_is_its_own, setup_single_use,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_single_use_refuses_a_linked_folder, setup_single_use,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_serves_and_account, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_denies_before_next_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_denies_k8s_user_before_next_sync, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_account_denies_k8s_user_on_db_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serves_no_reserved_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_private_group_never_required, setup, teardown),
        cmocka_unit_test_setup_teardown(test_serves_says_no_users_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_db_is_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_later_db_format_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audience_is_this_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_audience_gets_no_host_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cluster_tokens_behind_the_key, setup_compat, teardown),
        cmocka_unit_test_setup_teardown(test_reasons, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instance_unknown_is_the_hosts, setup_no_imds,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_instance_misnamed_is_the_hosts_setup, setup_no_imds,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stale_snapshot_refuses, setup_max_age, teardown),
        cmocka_unit_test_setup_teardown(test_uid_race_refused, setup_small_range, teardown),
        cmocka_unit_test(test_join_groups),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
