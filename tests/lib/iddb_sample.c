/*
 * iddb_sample.c - the sample identity DB of the unit tests (see
 * iddb_sample.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

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
