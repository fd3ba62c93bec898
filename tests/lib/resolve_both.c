/*
 * resolve_both.c - one principal resolved with the plan and through the
 * login index (see resolve_both.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "eksauth/iddb.h"
#include "eksauth/login_index.h"
#include "resolve_both.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A DB whose seeds (eksauth_mapping_seeds) are exactly plan's: one live tombstone each. */
static struct eksauth_iddb *db_of_seeds(const struct eksauth_plan *plan)
{
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    void *img = NULL;
    size_t len = 0, i;

    memset(&params, 0, sizeof(params));
    params.id_min = plan->id_min;
    params.id_max = plan->id_max;
    params.keyed = plan->keyed;
    params.key_check = plan->keyed ? plan->key.check : 0;
    if (eksauth_iddb_builder_new(&params, &b, &err) != EKSAUTH_OK)
        fail_msg("builder: %s", err.msg);
    for (i = 0; i < plan->n_seeds; i++) {
        struct eksauth_iddb_tombstone_in t = {plan->seeds[i].name, plan->seeds[i].id,
                                              plan->seeds[i].is_group, UINT64_MAX / 2};

        if (eksauth_iddb_builder_add_tombstone(b, &t, &err) != EKSAUTH_OK)
            fail_msg("seed %s: %s", t.name, err.msg);
    }
    if (eksauth_iddb_builder_serialize(b, &img, &len, &err) != EKSAUTH_OK ||
        eksauth_iddb_open_owned(img, len, &db, &err) != EKSAUTH_OK)
        fail_msg("seed DB: %s", err.msg);
    eksauth_iddb_builder_free(b);
    return db;
}

static void assert_same(const struct eksauth_identity *want, const struct eksauth_error *werr,
                        enum eksauth_status wst, const struct eksauth_identity *got,
                        const struct eksauth_error *gerr, enum eksauth_status gst)
{
    size_t i;

    assert_int_equal(gst, wst);
    assert_int_equal(got->refusal, want->refusal);
    if (gst != EKSAUTH_OK) {
        assert_string_equal(gerr->msg, werr->msg);
        return;
    }
    assert_string_equal(got->login, want->login);
    assert_int_equal(got->uid, want->uid);
    assert_int_equal(got->gid, want->gid);
    assert_int_equal(got->templated, want->templated);
    assert_string_equal(got->k8s.username, want->k8s.username);
    assert_int_equal(got->k8s.source, want->k8s.source);
    assert_int_equal(got->k8s.n_groups, want->k8s.n_groups);
    for (i = 0; i < got->k8s.n_groups; i++)
        assert_string_equal(got->k8s.groups[i], want->k8s.groups[i]);
    assert_int_equal(got->n_groups, want->n_groups);
    for (i = 0; i < got->n_groups; i++) {
        assert_string_equal(got->groups[i].name, want->groups[i].name);
        assert_int_equal(got->groups[i].gid, want->groups[i].gid);
        assert_int_equal(got->groups[i].k8s_group == NULL, want->groups[i].k8s_group == NULL);
        if (got->groups[i].k8s_group != NULL)
            assert_string_equal(got->groups[i].k8s_group, want->groups[i].k8s_group);
    }
}

enum eksauth_status resolve_both(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                                 const struct eksauth_plan *plan, const struct eksauth_host *host,
                                 const struct eksauth_principal *p, const char *user_id,
                                 struct eksauth_identity *out, struct eksauth_error *err)
{
    struct eksauth_login_index_tie tie = {.generation = 1, .sha256 = HEX64, .inputs = HEX64};
    struct eksauth_login_index *ix = NULL;
    struct eksauth_awsauth *mini = NULL;
    struct eksauth_identity got;
    struct eksauth_plan_view view;
    struct eksauth_error gerr;
    struct eksauth_iddb *db;
    enum eksauth_status st, gst;
    void *img = NULL;
    size_t len = 0;

    st = eksauth_identity_resolve(cfg, aa, plan, host, p, user_id, out, err);
    if (eksauth_login_index_build(aa, plan, &tie, &img, &len, &gerr) != EKSAUTH_OK ||
        eksauth_login_index_open_mem(img, len, &ix, &gerr) != EKSAUTH_OK)
        fail_msg("login index: %s", gerr.msg);
    db = db_of_seeds(plan);
    memset(&gerr, 0, sizeof(gerr));
    gst = eksauth_login_index_awsauth(ix, p, &mini, &gerr);
    assert_int_equal(gst, EKSAUTH_OK);
    eksauth_login_index_view(ix, db, (uint64_t)time(NULL), plan->keyed ? &plan->key : NULL, &view);
    gst = eksauth_identity_resolve_view(cfg, mini, &view, host, p, user_id, &got, &gerr);
    assert_false(eksauth_login_index_failed(ix));
    assert_same(out, err, st, &got, &gerr, gst);
    eksauth_identity_free(&got);
    eksauth_awsauth_free(mini);
    eksauth_login_index_close(ix);
    eksauth_iddb_close(db);
    free(img);
    return st;
}
