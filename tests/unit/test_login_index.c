/*
 * test_login_index.c - the login index of an aws-auth and its plan
 * (lib/login_index.c): built and read back, the entries found as the whole
 * document finds them (the last duplicate, case, ignored entries, dropped
 * values), every corrupt or cut file refused or answering as the intact one
 * (never another answer), the ids taken from the DB the seeds a plan built
 * now gets (lib/mapping.c), and random documents resolved alike through the
 * index and with the plan (tests/lib/resolve_both.c), a template of the
 * host's own name among them.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/login_index.h"
#include "eksauth/mapping.h"
#include "eksauth/resolve.h"
#include "resolve_both.h"
#include "unit.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *const DOC = "mapRoles: |\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
                               "    username: first-admin\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                               "    username: admin:{{SessionName}}\n"
                               "    groups:\n"
                               "      - developers\n"
                               "      - team-{{SessionName}}\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/ADMIN\n"
                               "    username: last-admin\n"
                               "    groups:\n"
                               "      - system:masters\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/team/Pathed\n"
                               "    username: pathed\n"
                               "mapUsers: |\n"
                               "  - userarn: arn:aws:iam::123456789012:user/alice\n"
                               "    username: alice\n"
                               "    groups:\n"
                               "      - developers\n"
                               "mapAccounts: |\n"
                               "  - \"210987654321\"\n";

struct fixture {
    struct eksauth_config cfg;
    struct eksauth_awsauth *aa;
    struct eksauth_plan plan;
    void *img;
    size_t len;
    struct eksauth_iddb *db; /* empty: no seeds */
};

static void build(struct fixture *f, const char *doc)
{
    struct eksauth_login_index_tie tie = {.generation = 7, .sha256 = HEX64, .inputs = HEX64};
    struct eksauth_error err;

    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    free(f->img);
    assert_status(eksauth_awsauth_parse(doc, strlen(doc), &f->aa, &err), EKSAUTH_OK);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, NULL, NULL, 0, &f->plan, &err), EKSAUTH_OK);
    tie.snapshot_size = strlen(doc);
    assert_status(eksauth_login_index_build(f->aa, &f->plan, &tie, &f->img, &f->len, &err),
                  EKSAUTH_OK);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err;
    void *img = NULL;
    size_t len = 0;

    assert_non_null(f);
    assert_status(eksauth_config_init(&f->cfg, &err), EKSAUTH_OK);
    memset(&params, 0, sizeof(params));
    assert_status(eksauth_iddb_builder_new(&params, &b, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_serialize(b, &img, &len, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_open_owned(img, len, &f->db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    eksauth_config_free(&f->cfg);
    eksauth_iddb_close(f->db);
    free(f->img);
    free(f);
    return 0;
}

static struct eksauth_principal principal(const char *arn, const char *canonical,
                                          const char *account, const char *session)
{
    struct eksauth_principal p = {arn, canonical, account, session, "", NULL, NULL};

    return p;
}

/* p mapped through the whole aws-auth and through ix: the same status, message and identity. */
static enum eksauth_status map_both(struct fixture *f, struct eksauth_login_index *ix,
                                    const struct eksauth_principal *p, char *username, size_t len)
{
    struct eksauth_k8s_identity whole, indexed;
    struct eksauth_error werr, ierr;
    struct eksauth_awsauth *mini = NULL;
    enum eksauth_status wst, ist;
    size_t i;

    memset(&werr, 0, sizeof(werr));
    memset(&ierr, 0, sizeof(ierr));
    wst = eksauth_awsauth_map(f->aa, p, &whole, &werr);
    assert_status(eksauth_login_index_awsauth(ix, p, &mini, &ierr), EKSAUTH_OK);
    ist = eksauth_awsauth_map(mini, p, &indexed, &ierr);
    assert_status(ist, wst);
    assert_string_equal(ierr.msg, werr.msg);
    if (wst == EKSAUTH_OK) {
        assert_string_equal(indexed.username, whole.username);
        assert_int_equal(indexed.source, whole.source);
        assert_int_equal(indexed.n_groups, whole.n_groups);
        for (i = 0; i < whole.n_groups; i++)
            assert_string_equal(indexed.groups[i], whole.groups[i]);
        assert_int_equal(indexed.entry->line, whole.entry->line);
        assert_int_equal(indexed.entry->column, whole.entry->column);
        snprintf(username, len, "%s", whole.username);
    }
    eksauth_k8s_identity_free(&whole);
    eksauth_k8s_identity_free(&indexed);
    eksauth_awsauth_free(mini);
    return wst;
}

/* How many times text (with its NUL) occurs in img. */
static size_t occurrences(const void *img, size_t len, const char *text)
{
    const char *at = img, *end = at + len;
    size_t n = 0, tlen = strlen(text) + 1;

    while ((at = memmem(at, (size_t)(end - at), text, tlen)) != NULL) {
        n++;
        at += tlen;
    }
    return n;
}

/* Entries as the whole document gives them: the last duplicate, any case, the account. */
static void test_entries_as_the_document_gives_them(void **state)
{
    struct fixture *f = *state;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_principal p;
    struct eksauth_error err;
    char user[256];

    build(f, DOC);
    /* An entry's ARN is written once: its key is read back by lowering it. */
    assert_int_equal(occurrences(f->img, f->len, "arn:aws:iam::123456789012:role/ADMIN"), 1);
    assert_int_equal(occurrences(f->img, f->len, "arn:aws:iam::123456789012:role/admin"), 0);
    assert_status(eksauth_login_index_open_mem(f->img, f->len, &ix, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_login_index_tie(ix)->generation, 7);
    assert_string_equal(eksauth_login_index_tie(ix)->sha256, HEX64);
    /* Admin twice (case aside): the later entry wins, as the cluster's. */
    p = principal("arn:aws:sts::123456789012:assumed-role/admin/s1",
                  "arn:aws:iam::123456789012:role/admin", "123456789012", "s1");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_OK);
    assert_string_equal(user, "last-admin");
    p = principal("arn:aws:sts::123456789012:assumed-role/dev/bob",
                  "arn:aws:iam::123456789012:role/dev", "123456789012", "bob");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_OK);
    assert_string_equal(user, "admin:bob");
    p = principal("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice",
                  "123456789012", "");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_OK);
    assert_string_equal(user, "alice");
    p = principal("arn:aws:iam::210987654321:user/dave", "arn:aws:iam::210987654321:user/dave",
                  "210987654321", "");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_OK);
    /* The role with a path is never matched; the refusal says why, from the index too. */
    p = principal("arn:aws:sts::123456789012:assumed-role/Pathed/s",
                  "arn:aws:iam::123456789012:role/Pathed", "123456789012", "s");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_ENOTMAPPED);
    /* Nobody's ARN; an ARN that does not parse. */
    p = principal("arn:aws:iam::123456789012:user/zed", "arn:aws:iam::123456789012:user/zed",
                  "123456789012", "");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_ENOTMAPPED);
    p = principal("not-an-arn", "", "", "");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_EINVAL);
    assert_false(eksauth_login_index_failed(ix));
    eksauth_login_index_close(ix);
}

/* A value the cluster drops maps nobody, and the refusal names it, through the index too. */
static void test_dropped_values_named(void **state)
{
    struct fixture *f = *state;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_principal p;
    struct eksauth_error err;
    char user[256];

    build(f, "mapRoles: |\n"
             "  - rolearn: arn:aws:iam::123456789012:role/Admin\n"
             "    username: [unclosed\n"
             "mapUsers: |\n"
             "  - userarn: arn:aws:iam::123456789012:user/carol\n"
             "    username: carol\n");
    assert_int_equal(eksauth_awsauth_dropped_count(f->aa), 1);
    assert_status(eksauth_login_index_open_mem(f->img, f->len, &ix, &err), EKSAUTH_OK);
    p = principal("arn:aws:sts::123456789012:assumed-role/Admin/s",
                  "arn:aws:iam::123456789012:role/Admin", "123456789012", "s");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_ENOTMAPPED);
    p = principal("arn:aws:iam::123456789012:user/carol", "arn:aws:iam::123456789012:user/carol",
                  "123456789012", "");
    assert_status(map_both(f, ix, &p, user, sizeof(user)), EKSAUTH_OK);
    eksauth_login_index_close(ix);
}

/*
 * The login of p through an index image: EKSAUTH_EUNAVAIL when the image
 * is refused or a record does not check, else the resolution's status
 * with *login filled.
 */
static enum eksauth_status login_through(struct fixture *f, const void *img, size_t len,
                                         const struct eksauth_principal *p,
                                         struct eksauth_identity *id)
{
    struct eksauth_login_index *ix = NULL;
    struct eksauth_awsauth *mini = NULL;
    struct eksauth_plan_view view;
    struct eksauth_error err;
    enum eksauth_status st;

    memset(id, 0, sizeof(*id));
    if (eksauth_login_index_open_mem(img, len, &ix, &err) != EKSAUTH_OK)
        return EKSAUTH_EUNAVAIL;
    st = eksauth_login_index_awsauth(ix, p, &mini, &err);
    if (st == EKSAUTH_OK) {
        eksauth_login_index_view(ix, f->db, (uint64_t)time(NULL), NULL, &view);
        st = eksauth_identity_resolve_view(&f->cfg, mini, &view, NULL, p, NULL, id, &err);
    }
    if (st != EKSAUTH_OK && eksauth_login_index_failed(ix))
        st = EKSAUTH_EUNAVAIL;
    eksauth_awsauth_free(mini);
    eksauth_login_index_close(ix);
    return st;
}

/*
 * Every byte changed, one at a time, and every length cut: the index is
 * refused, or answers exactly as the intact one; a corrupt index never
 * maps anyone to another entry or another id.
 */
static void test_corrupt_or_cut_never_answers_otherwise(void **state)
{
    struct fixture *f = *state;
    struct eksauth_principal ps[3];
    struct eksauth_identity want[3], got;
    enum eksauth_status wst[3], st;
    unsigned char *copy;
    size_t i, k, refused = 0;

    build(f, DOC);
    ps[0] = principal("arn:aws:sts::123456789012:assumed-role/dev/bob",
                      "arn:aws:iam::123456789012:role/dev", "123456789012", "bob");
    ps[1] = principal("arn:aws:iam::123456789012:user/alice",
                      "arn:aws:iam::123456789012:user/alice", "123456789012", "");
    ps[2] = principal("arn:aws:iam::123456789012:user/zed", "arn:aws:iam::123456789012:user/zed",
                      "123456789012", "");
    for (k = 0; k < 3; k++)
        wst[k] = login_through(f, f->img, f->len, &ps[k], &want[k]);
    assert_status(wst[0], EKSAUTH_OK);
    assert_status(wst[1], EKSAUTH_OK);
    assert_status(wst[2], EKSAUTH_ENOTMAPPED);
    copy = malloc(f->len);
    assert_non_null(copy);
    for (i = 0; i < f->len; i++) {
        memcpy(copy, f->img, f->len);
        copy[i] ^= 0x20;
        for (k = 0; k < 3; k++) {
            st = login_through(f, copy, f->len, &ps[k], &got);
            if (st == EKSAUTH_EUNAVAIL) {
                refused++;
            } else {
                /* Not refused: the byte was one no answer reads; the answer is the intact one. */
                assert_status(st, wst[k]);
                assert_string_equal(got.login, want[k].login);
                assert_int_equal(got.uid, want[k].uid);
                assert_int_equal(got.n_groups, want[k].n_groups);
            }
            eksauth_identity_free(&got);
        }
    }
    assert_true(refused > 0);
    for (i = 0; i < f->len; i++)
        assert_status(login_through(f, f->img, i, &ps[0], &got), EKSAUTH_EUNAVAIL);
    for (k = 0; k < 3; k++)
        eksauth_identity_free(&want[k]);
    free(copy);
}

/* An index whose id key disagrees with the host's decides nothing. */
static void test_key_disagreement_decides_nothing(void **state)
{
    struct fixture *f = *state;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_principal p =
        principal("arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/alice",
                  "123456789012", "");
    struct eksauth_awsauth *mini = NULL;
    struct eksauth_plan_view view;
    struct eksauth_identity id;
    struct eksauth_id_key key;
    struct eksauth_error err;

    build(f, DOC);
    memset(&key, 0, sizeof(key));
    assert_status(eksauth_login_index_open_mem(f->img, f->len, &ix, &err), EKSAUTH_OK);
    assert_status(eksauth_login_index_awsauth(ix, &p, &mini, &err), EKSAUTH_OK);
    eksauth_login_index_view(ix, f->db, (uint64_t)time(NULL), &key, &view);
    assert_status(eksauth_identity_resolve_view(&f->cfg, mini, &view, NULL, &p, NULL, &id, &err),
                  EKSAUTH_EUNAVAIL);
    assert_string_equal(id.login, "");
    eksauth_awsauth_free(mini);
    eksauth_login_index_close(ix);
}

/*
 * The ids the view takes from the DB are the seeds a plan built now gets
 * (eksauth_mapping_seeds): users (recorded or static), groups but local
 * ones, tombstones that last beyond now of names not back in the DB (held
 * ids when they are); and every one of them is taken.
 */
static void test_db_seeds_are_the_plans(void **state)
{
    struct fixture *f = *state;
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_id_seed *seeds = NULL;
    struct eksauth_plan_view view;
    struct eksauth_error err;
    const char *alice_groups[] = {"eks-devs", "wheel"};
    const uint64_t now = 1764500000;
    void *img = NULL;
    size_t len = 0, n = 0, i;
    uint32_t id;

    memset(&params, 0, sizeof(params));
    params.id_min = 100000;
    params.id_max = 200000;
    assert_status(eksauth_iddb_builder_new(&params, &b, &err), EKSAUTH_OK);
    {
        struct eksauth_iddb_group_in users = {"eks-users", NULL, 100001, 0};
        struct eksauth_iddb_group_in devs = {"eks-devs", "devs", 100002, 0};
        struct eksauth_iddb_group_in wheel = {"wheel", NULL, 10, EKSAUTH_IDDB_GROUP_LOCAL};
        struct eksauth_iddb_user_in alice = {.login = "admin-alice",
                                             .k8s_username = "admin:alice",
                                             .uid = 100010,
                                             .gid = 100001,
                                             .flags = EKSAUTH_IDDB_USER_TEMPLATED,
                                             .groups = alice_groups,
                                             .n_groups = 2,
                                             .last_login = now};
        struct eksauth_iddb_user_in build = {
            .login = "build", .k8s_username = "build", .uid = 100011, .gid = 100001};
        struct eksauth_iddb_tombstone_in tombs[] = {
            {"carol", 100020, false, now + 100},       /* live: a seed */
            {"dave", 100021, false, now - 1},          /* ended: no seed */
            {"eks-old", 100022, true, now + 100},      /* a group's: a seed */
            {"admin-alice", 100023, false, now + 100}, /* back in the DB: not a seed */
            {"wheel", 100024, true, now + 100},        /* a local group's name: not a seed */
        };

        assert_status(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_builder_add_group(b, &devs, &err), EKSAUTH_OK);
        if (eksauth_iddb_builder_add_group(b, &wheel, &err) != EKSAUTH_OK)
            fail_msg("wheel: %s", err.msg);
        assert_status(eksauth_iddb_builder_add_user(b, &alice, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_builder_add_user(b, &build, &err), EKSAUTH_OK);
        for (i = 0; i < sizeof(tombs) / sizeof(tombs[0]); i++)
            if (eksauth_iddb_builder_add_tombstone(b, &tombs[i], &err) != EKSAUTH_OK)
                fail_msg("tombstone %s: %s", tombs[i].name, err.msg);
    }
    assert_status(eksauth_iddb_builder_serialize(b, &img, &len, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_open_owned(img, len, &db, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    build(f, DOC);
    assert_status(eksauth_login_index_open_mem(f->img, f->len, &ix, &err), EKSAUTH_OK);
    eksauth_login_index_view(ix, db, now, NULL, &view);
    assert_status(eksauth_mapping_seeds(db, now, &seeds, &n, &err), EKSAUTH_OK);
    /* admin-alice, build, eks-users, eks-devs, carol, eks-old; held: admin-alice's, wheel's. */
    assert_int_equal(n, 8);
    for (i = 0; i < n; i++) {
        /* A held id is no seed of its name: the name has its own (or is the host's). */
        if (seeds[i].held)
            assert_false(view.find_seed(view.ctx, seeds[i].name, seeds[i].is_group, &id) &&
                         id == seeds[i].id);
        else
            assert_true(view.find_seed(view.ctx, seeds[i].name, seeds[i].is_group, &id));
        if (!seeds[i].held)
            assert_int_equal(id, seeds[i].id);
        assert_true(view.id_taken(view.ctx, NULL, seeds[i].id));
    }
    /* Not seeds: an ended tombstone, a local group, a name of the other kind, nobody. */
    assert_false(view.find_seed(view.ctx, "dave", false, &id));
    assert_false(view.find_seed(view.ctx, "wheel", true, &id));
    assert_false(view.find_seed(view.ctx, "carol", true, &id));
    assert_false(view.find_seed(view.ctx, "nobody", false, &id));
    assert_false(view.id_taken(view.ctx, NULL, 100021));
    assert_false(eksauth_login_index_failed(ix));
    free(seeds);
    eksauth_login_index_close(ix);
    eksauth_iddb_close(db);
}

/*
 * A seed's lookup among many tombstones (the section is sorted by id, not
 * name): the name's own live one, of its kind, the lowest id of two, as
 * the plan built from eksauth_mapping_seeds finds it; and the tombstones
 * are read at most twice a view, not once a lookup (a first login of a
 * templated name asks for the login and each group it renders, under the
 * DB's lock).
 */
static void test_seed_lookup_reads_tombstones_once(void **state)
{
    enum { N = 2000, LOOKUPS = 50 };
    struct fixture *f = *state;
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_id_seed *seeds = NULL;
    struct eksauth_plan plan;
    struct eksauth_plan_view view;
    struct eksauth_error err;
    const uint64_t now = 1764500000;
    char name[32];
    void *img = NULL;
    size_t len = 0, n = 0;
    uint32_t i, id;

    memset(&params, 0, sizeof(params));
    params.id_min = 100000;
    params.id_max = 200000;
    assert_status(eksauth_iddb_builder_new(&params, &b, &err), EKSAUTH_OK);
    for (i = 0; i < N; i++) {
        struct eksauth_iddb_tombstone_in t = {name, 100000 + 2 * i, i % 3 == 0,
                                              i % 7 == 0 ? now : now + 100};

        snprintf(name, sizeof(name), "gone-%u", i);
        assert_status(eksauth_iddb_builder_add_tombstone(b, &t, &err), EKSAUTH_OK);
    }
    {
        /* Removed twice, under two ids: the lower comes back, added last or not. */
        struct eksauth_iddb_tombstone_in twice[] = {{"twice", 190001, false, now + 100},
                                                    {"twice", 190000, false, now + 100},
                                                    {"twice", 190002, true, now + 100}};

        for (i = 0; i < 3; i++)
            assert_status(eksauth_iddb_builder_add_tombstone(b, &twice[i], &err), EKSAUTH_OK);
    }
    assert_status(eksauth_iddb_builder_serialize(b, &img, &len, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    assert_status(eksauth_iddb_open_owned(img, len, &db, &err), EKSAUTH_OK);
    build(f, DOC);
    assert_status(eksauth_login_index_open_mem(f->img, f->len, &ix, &err), EKSAUTH_OK);
    eksauth_login_index_view(ix, db, now, NULL, &view);
    /* Names not in the DB (a first login's): every tombstone read once in all. */
    for (i = 0; i < LOOKUPS; i++) {
        snprintf(name, sizeof(name), "admin-new%u", i);
        assert_false(view.find_seed(view.ctx, name, false, &id));
    }
    assert_in_range(eksauth_login_index_tombstone_reads(ix), N, 2 * (N + 3) + LOOKUPS);
    /* Each kind its own; an ended one none. */
    assert_true(view.find_seed(view.ctx, "gone-1", false, &id));
    assert_int_equal(id, 100002);
    assert_false(view.find_seed(view.ctx, "gone-1", true, &id));
    assert_true(view.find_seed(view.ctx, "gone-3", true, &id));
    assert_int_equal(id, 100006);
    assert_false(view.find_seed(view.ctx, "gone-7", false, &id));
    assert_true(view.find_seed(view.ctx, "twice", false, &id));
    assert_int_equal(id, 190000);
    assert_true(view.find_seed(view.ctx, "twice", true, &id));
    assert_int_equal(id, 190002);
    /* The plan of the same seeds answers alike. */
    assert_status(eksauth_mapping_seeds(db, now, &seeds, &n, &err), EKSAUTH_OK);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, NULL, seeds, n, &plan, &err), EKSAUTH_OK);
    for (i = 0; i < N; i += 97) {
        const struct eksauth_id_seed *seed;

        snprintf(name, sizeof(name), "gone-%u", i);
        seed = eksauth_plan_find_seed(&plan, name, i % 3 == 0);
        assert_int_equal(view.find_seed(view.ctx, name, i % 3 == 0, &id), seed != NULL);
        if (seed != NULL)
            assert_int_equal(id, seed->id);
    }
    assert_int_equal(eksauth_plan_find_seed(&plan, "twice", false)->id, 190000);
    /* Another view (another time) reads them again, as of its own now. */
    eksauth_login_index_view(ix, db, now + 100, NULL, &view);
    assert_false(view.find_seed(view.ctx, "twice", false, &id));
    assert_false(eksauth_login_index_failed(ix));
    eksauth_plan_free(&plan);
    free(seeds);
    eksauth_login_index_close(ix);
    eksauth_iddb_close(db);
}

/* ------------------------------------------------------------------------ */
/* Random documents: collisions, templates, group_map, denied names, seeds.  */

static const char *const ROLES[] = {"a", "b", "Ops", "ops", "dev"};
static const char *const USERNAMES[] = {"alice",
                                        "Alice",
                                        "bob",
                                        "admin:{{SessionName}}",
                                        "admin-{{SessionName}}",
                                        "ops:{{SessionNameRaw}}",
                                        "eks-devs",
                                        "root",
                                        "system:x",
                                        "carol"};
static const char *const GROUPS[] = {
    "devs", "Devs", "ops", "wheel-k8s", "team-{{SessionName}}", "system:masters", "alice"};
static const char *const SESSIONS[] = {"bob", "alice", "carol", "x@y", "devs"};

/* A small generator: the same sequence every run. */
static unsigned rnd(unsigned long long *s, unsigned n)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((*s >> 33) % n);
}

static void random_doc(unsigned long long *s, char *doc, size_t len)
{
    size_t at = 0, i, j, n = 1 + rnd(s, 6);

    at += (size_t)snprintf(doc + at, len - at, "mapRoles: |\n");
    for (i = 0; i < n; i++) {
        at += (size_t)snprintf(doc + at, len - at,
                               "  - rolearn: arn:aws:iam::123456789012:role/%s\n"
                               "    username: %s\n    groups:\n",
                               ROLES[rnd(s, 5)], USERNAMES[rnd(s, 10)]);
        for (j = rnd(s, 3); j > 0; j--)
            at += (size_t)snprintf(doc + at, len - at, "      - %s\n", GROUPS[rnd(s, 7)]);
    }
    at += (size_t)snprintf(doc + at, len - at,
                           "mapUsers: |\n  - userarn: arn:aws:iam::123456789012:user/u\n"
                           "    username: %s\n    groups:\n      - %s\n",
                           USERNAMES[rnd(s, 10)], GROUPS[rnd(s, 7)]);
    if (rnd(s, 2) == 0)
        snprintf(doc + at, len - at, "mapAccounts: |\n  - \"123456789012\"\n");
}

static bool no_local_user(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "carol") == 0;
}

static bool wheel_is_local(void *ctx, const char *name, uint32_t *gid)
{
    (void)ctx;
    if (strcmp(name, "wheel") != 0)
        return false;
    if (gid != NULL)
        *gid = 10;
    return true;
}

static bool low_ids_local(void *ctx, uint32_t id)
{
    (void)ctx;
    return id < 1000;
}

static void test_random_documents_decide_alike(void **state)
{
    struct fixture *f = *state;
    struct eksauth_host host = {no_local_user, wheel_is_local, low_ids_local, NULL, NULL};
    unsigned long long seed = 20261205;
    struct eksauth_id_seed seeds[2];
    struct eksauth_identity id;
    struct eksauth_error err;
    char doc[4096], arn[128], canonical[128];
    const char *conf = "cluster_id = c\ngroup_map = wheel-k8s wheel\ndeny_user = admin-devs\n";
    unsigned round, k, granted = 0, refused = 0, not_mapped = 0;

    if (eksauth_config_parse(&f->cfg, conf, strlen(conf), "test", &err) != EKSAUTH_OK)
        fail_msg("config: %s", err.msg);
    for (round = 0; round < 300; round++) {
        random_doc(&seed, doc, sizeof(doc));
        eksauth_plan_free(&f->plan);
        eksauth_awsauth_free(f->aa);
        assert_status(eksauth_awsauth_parse(doc, strlen(doc), &f->aa, &err), EKSAUTH_OK);
        /* Recorded logins and tombstones: ids the plan must keep. */
        seeds[0] = (struct eksauth_id_seed){(char *)"admin-bob", 1900000000u + round, false, false};
        seeds[1] =
            (struct eksauth_id_seed){(char *)"eks-team-alice", 1950000000u + round, true, false};
        assert_status(
            eksauth_plan_build(&f->cfg, f->aa, &host, seeds, rnd(&seed, 3), &f->plan, &err),
            EKSAUTH_OK);
        for (k = 0; k < 6; k++) {
            const char *role = ROLES[rnd(&seed, 5)], *session = SESSIONS[rnd(&seed, 5)];
            struct eksauth_principal p;

            snprintf(arn, sizeof(arn), "arn:aws:sts::123456789012:assumed-role/%s/%s", role,
                     session);
            snprintf(canonical, sizeof(canonical), "arn:aws:iam::123456789012:role/%s", role);
            p = principal(arn, canonical, "123456789012", session);
            if (k == 5)
                p = principal("arn:aws:iam::123456789012:user/u",
                              "arn:aws:iam::123456789012:user/u", "123456789012", "");
            switch (resolve_both(&f->cfg, f->aa, &f->plan, &host, &p, NULL, &id, &err)) {
            case EKSAUTH_OK:
                granted++;
                break;
            case EKSAUTH_EREJECTED:
                refused++;
                break;
            default:
                not_mapped++;
            }
            eksauth_identity_free(&id);
        }
    }
    /* The documents reach every kind of answer. */
    print_message("granted %u, refused %u, not mapped %u\n", granted, refused, not_mapped);
    assert_true(granted > 100 && refused > 100 && not_mapped > 100);
}

/*
 * A template with {{EC2PrivateDNSName}} and static users near its logins,
 * planned with this host's name and without it (instance metadata
 * silent: any name), decided alike through the index and with the plan:
 * the static user whose login the template gives here is served to
 * nobody, nor is the template's own login; another node's name is served
 * only when this host's is known.
 */
static void test_host_template_decides_alike(void **state)
{
    static const char *const doc = "mapRoles: |\n"
                                   "  - rolearn: arn:aws:iam::123456789012:role/Node\n"
                                   "    username: node:{{EC2PrivateDNSName}}\n"
                                   "mapUsers: |\n"
                                   "  - userarn: arn:aws:iam::123456789012:user/carol\n"
                                   "    username: node-ip-10-0-1-23.ec2.internal\n"
                                   "  - userarn: arn:aws:iam::123456789012:user/dave\n"
                                   "    username: node-ip-10-0-9-8.ec2.internal\n";
    struct fixture *f = *state;
    struct eksauth_host host = {no_local_user, wheel_is_local, low_ids_local, NULL, NULL};
    struct eksauth_principal carol = principal("arn:aws:iam::123456789012:user/carol",
                                               "arn:aws:iam::123456789012:user/carol",
                                               "123456789012", ""),
                             dave = principal("arn:aws:iam::123456789012:user/dave",
                                              "arn:aws:iam::123456789012:user/dave", "123456789012",
                                              ""),
                             node = principal(
                                 "arn:aws:sts::123456789012:assumed-role/Node/i-0123456789abcdef0",
                                 "arn:aws:iam::123456789012:role/Node", "123456789012",
                                 "i-0123456789abcdef0");
    struct eksauth_identity id;
    struct eksauth_error err;
    int known;

    node.self_instance_id = "i-0123456789abcdef0";
    node.self_private_dns_name = "ip-10-0-1-23.ec2.internal";
    /* The group's fixture: the document and plan an earlier test left are this one's to free. */
    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    assert_status(eksauth_awsauth_parse(doc, strlen(doc), &f->aa, &err), EKSAUTH_OK);
    for (known = 1; known >= 0; known--) {
        host.private_dns_name = known ? "ip-10-0-1-23.ec2.internal" : NULL;
        eksauth_plan_free(&f->plan);
        assert_status(eksauth_plan_build(&f->cfg, f->aa, &host, NULL, 0, &f->plan, &err),
                      EKSAUTH_OK);
        assert_status(resolve_both(&f->cfg, f->aa, &f->plan, &host, &carol, NULL, &id, &err),
                      EKSAUTH_EREJECTED);
        eksauth_identity_free(&id);
        assert_status(resolve_both(&f->cfg, f->aa, &f->plan, &host, &node, NULL, &id, &err),
                      EKSAUTH_EREJECTED);
        assert_status(id.refusal, EKSAUTH_REFUSAL_AMBIGUOUS);
        eksauth_identity_free(&id);
        assert_status(resolve_both(&f->cfg, f->aa, &f->plan, &host, &dave, NULL, &id, &err),
                      known ? EKSAUTH_OK : EKSAUTH_EREJECTED);
        eksauth_identity_free(&id);
    }
}

EKSAUTH_UNIT_MAIN_WITH(setup, teardown, cmocka_unit_test(test_entries_as_the_document_gives_them),
                       cmocka_unit_test(test_dropped_values_named),
                       cmocka_unit_test(test_corrupt_or_cut_never_answers_otherwise),
                       cmocka_unit_test(test_key_disagreement_decides_nothing),
                       cmocka_unit_test(test_db_seeds_are_the_plans),
                       cmocka_unit_test(test_seed_lookup_reads_tombstones_once),
                       cmocka_unit_test(test_random_documents_decide_alike),
                       cmocka_unit_test(test_host_template_decides_alike))
