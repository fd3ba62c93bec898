/*
 * iddb_sample.c - the sample identity DB of the unit tests (see
 * iddb_sample.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "iddb_sample.h"

struct eksauth_iddb_builder *iddb_sample_groups(const struct eksauth_iddb_params *p)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    struct eksauth_iddb_group_in users = {"eks-users", "", USERS_GID, 0};
    struct eksauth_iddb_group_in g1 = {"eks-system-masters", "system:masters", LO + 10, 0};
    struct eksauth_iddb_group_in g2 = {"eks-devs", "devs", LO + 11, 0};
    struct eksauth_iddb_group_in g3 = {"wheel", "", 10, EKSAUTH_IDDB_GROUP_LOCAL};

    assert_int_equal(eksauth_iddb_builder_new(p, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &g1, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &g2, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &g3, &err), EKSAUTH_OK);
    return b;
}

struct eksauth_iddb_builder *iddb_sample_builder(void)
{
    struct eksauth_iddb_params p = {LO, HI, "/home/%u", "/bin/bash", USERS_GID, false, 0};
    struct eksauth_iddb_builder *b = iddb_sample_groups(&p);
    struct eksauth_error err = {0};
    const char *build_groups[] = {"eks-system-masters", "eks-devs"};
    const char *alice_groups[] = {"eks-devs", "wheel"};
    struct eksauth_iddb_user_in build = {0}, alice = {0};

    build.login = "build";
    build.k8s_username = "build";
    build.arn = "arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole";
    build.uid = LO + 100;
    build.groups = build_groups;
    build.n_groups = 2;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &build, &err), EKSAUTH_OK);
    alice.login = "admin-alice";
    alice.k8s_username = "admin:alice";
    alice.arn = "arn:aws:sts::123456789012:assumed-role/admins/alice";
    alice.uid = LO + 50;
    alice.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    alice.groups = alice_groups;
    alice.n_groups = 2;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &alice, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "admin:{{SessionName}}", &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_denied(b, "postgres", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_denied(b, "admin-root", &err), EKSAUTH_OK);
    return b;
}

void *iddb_sample_bytes(size_t *len)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    void *data = NULL;

    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, len, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    return data;
}

struct eksauth_iddb *iddb_sample_open(const struct eksauth_iddb_builder *b, void **data)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    size_t len = 0;

    assert_int_equal(eksauth_iddb_builder_serialize(b, data, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open_mem(*data, len, &db, &err), EKSAUTH_OK);
    return db;
}

void *iddb_sample_many(uint32_t n, uint32_t after, size_t reserve_users, size_t reserve_groups,
                       size_t *len)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, LO + 1, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", LO + 1, 0};
    struct eksauth_iddb_group_in gi = {"eks-all", "all", LO + 2, 0};
    const char *grp[] = {"eks-all"};
    void *data = NULL;
    char name[32];
    uint32_t i;

    assert_int_equal(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &gi, &err), EKSAUTH_OK);
    for (i = 0; i < n; i++) {
        struct eksauth_iddb_user_in ui = {0};

        if (i == after)
            assert_int_equal(eksauth_iddb_builder_reserve(b, reserve_users, reserve_groups, &err),
                             EKSAUTH_OK);
        snprintf(name, sizeof(name), "user%u", i);
        ui.login = name;
        ui.k8s_username = name;
        ui.uid = HI - i * 7;
        ui.groups = grp;
        ui.n_groups = 1;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &ui, &err), EKSAUTH_OK);
    }
    /* What was added before the reserve is still found: a name or id twice is refused. */
    {
        struct eksauth_iddb_user_in again = {.login = "user0", .k8s_username = "x", .uid = LO + 3};
        struct eksauth_iddb_group_in dup = {"eks-all", "all", LO + 4, 0};

        assert_int_equal(eksauth_iddb_builder_add_user(b, &again, &err), EKSAUTH_EINVAL);
        again.login = "someone";
        again.uid = HI;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &again, &err), EKSAUTH_EINVAL);
        assert_int_equal(eksauth_iddb_builder_add_group(b, &dup, &err), EKSAUTH_EINVAL);
    }
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, len, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    return data;
}
