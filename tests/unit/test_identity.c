/*
 * test_identity.c - the plan (static users and groups with ids, the
 * templates a host serves: lib/identity.c) and the resolution of one
 * principal into a host identity on it (lib/resolve.c), which share this
 * file's fixture.  Every resolution is made twice, with the plan and
 * through the login index of the same aws-auth (tests/lib/resolve_both.c),
 * and the two must agree.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"
#include "eksauth/names.h"
#include "resolve_both.h"
#include "unit.h"

#define ACCOUNT "123456789012"

static const char *const SAMPLE =
    "mapRoles: |\n"
    "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
    "    username: system:node:{{EC2PrivateDNSName}}\n"
    "    groups:\n"
    "      - system:bootstrappers\n"
    "      - system:nodes\n"
    "  - rolearn: arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole\n"
    "    username: build\n"
    "    groups:\n"
    "      - system:masters\n"
    "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
    "    username: admin:{{SessionName}}\n"
    "    groups:\n"
    "      - developers\n"
    "mapUsers: |\n"
    "  - userarn: arn:aws:iam::123456789012:user/alice\n"
    "    username: alice\n"
    "    groups:\n"
    "      - developers\n"
    "      - viewers\n"
    "mapAccounts: |\n"
    "  - \"210987654321\"\n";

/* A fake host: its local users, groups and ids are given by the test. */
struct fake_host {
    const char *users[4];
    const char *groups[4];
    uint32_t gids[4];
    uint32_t ids[4]; /* local uids and gids (0 ends the list) */
};

static bool fake_id(void *ctx, uint32_t id)
{
    const struct fake_host *h = ctx;
    size_t i;

    for (i = 0; i < 4 && h->ids[i] != 0; i++)
        if (h->ids[i] == id)
            return true;
    return false;
}

static bool fake_user(void *ctx, const char *name)
{
    const struct fake_host *h = ctx;
    size_t i;

    for (i = 0; i < 4 && h->users[i] != NULL; i++)
        if (strcmp(h->users[i], name) == 0)
            return true;
    return false;
}

static bool fake_group(void *ctx, const char *name, uint32_t *gid)
{
    const struct fake_host *h = ctx;
    size_t i;

    for (i = 0; i < 4 && h->groups[i] != NULL; i++) {
        if (strcmp(h->groups[i], name) == 0) {
            if (gid != NULL)
                *gid = h->gids[i];
            return true;
        }
    }
    return false;
}

struct fixture {
    struct eksauth_config cfg;
    struct eksauth_awsauth *aa;
    struct eksauth_plan plan;
    struct fake_host fake;
    struct eksauth_host host;
    struct eksauth_identity id;
    struct eksauth_error err;
};

/* The plan of this aws-auth YAML, in place of any loaded before. */
static void load(struct fixture *f, const char *yaml)
{
    struct eksauth_error err;

    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    f->aa = NULL;
    assert_int_equal(eksauth_awsauth_parse(yaml, strlen(yaml), &f->aa, &err), EKSAUTH_OK);
    f->host.local_user = fake_user;
    f->host.local_group = fake_group;
    f->host.local_id = fake_id;
    f->host.ctx = &f->fake;
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, NULL, 0, &f->plan, &err),
                     EKSAUTH_OK);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct eksauth_error err;

    assert_non_null(f);
    assert_int_equal(eksauth_config_init(&f->cfg, &err), EKSAUTH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    eksauth_identity_free(&f->id);
    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    eksauth_config_free(&f->cfg);
    free(f);
    return 0;
}

static enum eksauth_status resolve(struct fixture *f, const char *arn, const char *canonical,
                                   const char *session)
{
    struct eksauth_principal p = {
        .arn = arn,
        .canonical_arn = canonical,
        .account = ACCOUNT,
        .session_name = session,
        .access_key_id = "ASIAEXAMPLEEXAMPLE01",
    };

    eksauth_identity_free(&f->id);
    return resolve_both(&f->cfg, f->aa, &f->plan, &f->host, &p, NULL, &f->id, &f->err);
}

/* A session of ACCOUNT's role ROLE, as STS names it: the assumed-role ARN and the role's. */
static enum eksauth_status resolve_role(struct fixture *f, const char *role, const char *session)
{
    char arn[256], canonical[256];

    assert_true((size_t)snprintf(arn, sizeof(arn), "arn:aws:sts::" ACCOUNT ":assumed-role/%s/%s",
                                 role, session) < sizeof(arn));
    assert_true((size_t)snprintf(canonical, sizeof(canonical), "arn:aws:iam::" ACCOUNT ":role/%s",
                                 role) < sizeof(canonical));
    return resolve(f, arn, canonical, session);
}

/* ROLE's session SESSION is refused, for the reason WHY (macros: a failure names the caller's
 * line). */
#define assert_refused(f, role, session, why)                                                      \
    do {                                                                                           \
        assert_status(resolve_role(f, role, session), EKSAUTH_EREJECTED);                          \
        assert_status((f)->id.refusal, why);                                                       \
    } while (0)

/* ROLE's session SESSION is served as the login WANT. */
#define assert_login(f, role, session, want)                                                       \
    do {                                                                                           \
        assert_status(resolve_role(f, role, session), EKSAUTH_OK);                                 \
        assert_string_equal((f)->id.login, want);                                                  \
    } while (0)

/* ACCOUNT's IAM user NAME (its ARN is its canonical ARN; no session). */
static enum eksauth_status resolve_user(struct fixture *f, const char *name)
{
    char arn[256];

    assert_true((size_t)snprintf(arn, sizeof(arn), "arn:aws:iam::" ACCOUNT ":user/%s", name) <
                sizeof(arn));
    return resolve(f, arn, arn, "");
}

static bool plan_has_warning(const struct eksauth_plan *plan, const char *needle)
{
    size_t i;

    for (i = 0; i < plan->n_warnings; i++)
        if (strstr(plan->warnings[i], needle) != NULL)
            return true;
    return false;
}

static void test_plan_static_users_and_groups(void **state)
{
    struct fixture *f = *state;
    const struct eksauth_plan_user *build, *alice;
    const struct eksauth_plan_group *masters;

    load(f, SAMPLE);
    build = eksauth_plan_find_user(&f->plan, "build");
    alice = eksauth_plan_find_user(&f->plan, "alice");
    assert_non_null(build);
    assert_non_null(alice);
    assert_string_equal(build->k8s_username, "build");
    /* Its group, and the group of every login (sshd_config's Match Group). */
    assert_int_equal(build->n_groups, 2);
    assert_string_equal(f->plan.groups[build->group_idx[0]].name, "eks-system-masters");
    assert_string_equal(f->plan.groups[build->group_idx[1]].name, "eks-users");
    assert_null(f->plan.groups[build->group_idx[1]].k8s_group);
    assert_int_equal(alice->n_groups, 3);
    masters = eksauth_plan_find_group(&f->plan, "eks-system-masters");
    assert_non_null(masters);
    assert_string_equal(masters->k8s_group, "system:masters");
    /* Templated usernames are not listed, their template is (not system:node's: not served). */
    assert_int_equal(f->plan.n_users, 2);
    assert_int_equal(f->plan.n_templates, 1);
    assert_string_equal(f->plan.templates[0], "admin:{{SessionName}}");
    assert_true(plan_has_warning(&f->plan, "role/NodeRole (mapRoles line 2): template "
                                           "'system:node:{{EC2PrivateDNSName}}' is not served"));
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-system-nodes"));
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-developers"));
}

static void test_plan_ids_deterministic_and_in_range(void **state)
{
    struct fixture *f = *state;
    struct eksauth_plan again;
    struct eksauth_error err;
    size_t i, j;

    load(f, SAMPLE);
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, NULL, 0, &again, &err),
                     EKSAUTH_OK);
    for (i = 0; i < f->plan.n_users; i++) {
        assert_string_equal(f->plan.users[i].login, again.users[i].login);
        assert_int_equal(f->plan.users[i].uid, again.users[i].uid);
        assert_in_range(f->plan.users[i].uid, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
    }
    for (i = 0; i < f->plan.n_groups; i++) {
        assert_int_equal(f->plan.groups[i].gid, again.groups[i].gid);
        for (j = 0; j < f->plan.n_users; j++)
            assert_int_not_equal(f->plan.groups[i].gid, f->plan.users[j].uid);
    }
    /* Without a collision a name's id is its probe-0 hash. */
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid,
                     eksauth_names_id(NULL, "build", 0, 0, 0));
    eksauth_plan_free(&again);
}

static void test_plan_seeds_keep_recorded_ids(void **state)
{
    struct fixture *f = *state;
    struct eksauth_id_seed seeds[] = {
        {.name = "build", .id = 1900000001, .is_group = false},
        {.name = "eks-system-masters", .id = 1900000002, .is_group = true},
        {.name = "admin-carol", .id = 1900000003, .is_group = false},
    };
    struct eksauth_plan_view view;
    struct eksauth_error err;

    load(f, SAMPLE);
    eksauth_plan_free(&f->plan);
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 3, &f->plan, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid, 1900000001);
    assert_int_equal(eksauth_plan_find_group(&f->plan, "eks-system-masters")->gid, 1900000002);
    /* A recorded templated login keeps its id too. */
    eksauth_plan_view_init(&view, &f->plan);
    assert_int_equal(eksauth_plan_view_id_for(&view, &f->host, "admin-carol", false), 1900000003);
}

static void test_plan_refuses_login_collision(void **state)
{
    struct fixture *f = *state;

    load(f, "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/a\n"
            "    username: Alice\n"
            "  - userarn: arn:aws:iam::123456789012:user/b\n"
            "    username: alice\n"
            "  - userarn: arn:aws:iam::123456789012:user/c\n"
            "    username: carol\n");
    assert_null(eksauth_plan_find_user(&f->plan, "alice"));
    assert_non_null(eksauth_plan_find_user(&f->plan, "carol"));
    assert_true(plan_has_warning(&f->plan, "neither is served"));
    assert_int_equal(resolve_user(f, "b"), EKSAUTH_EREJECTED);
}

/*
 * Two k8s groups that become one POSIX group are served to neither, and a
 * login in one of them does not get it either: a login's groups would
 * otherwise give the refused group an id, and the second group's members
 * would join it at their first login.  A template that renders the group
 * is refused it too.
 */
static void test_group_collision_grants_no_one(void **state)
{
    struct fixture *f = *state;
    size_t i;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::" ACCOUNT ":role/a\n"
            "    username: alice\n"
            "    groups: [Dev, ops]\n"
            "  - rolearn: arn:aws:iam::" ACCOUNT ":role/b\n"
            "    username: bob\n"
            "    groups: [dev]\n"
            "  - rolearn: arn:aws:iam::" ACCOUNT ":role/t\n"
            "    username: t-{{SessionName}}\n"
            "    groups: ['{{SessionName}}']\n");
    assert_true(plan_has_warning(&f->plan, "neither is served"));
    assert_null(eksauth_plan_find_group(&f->plan, "eks-dev"));
    assert_true(eksauth_plan_refuses_group(&f->plan, "eks-dev"));
    assert_false(eksauth_plan_refuses_group(&f->plan, "eks-ops"));
    assert_int_equal(resolve_role(f, "a", "s"), EKSAUTH_OK);
    for (i = 0; i < f->id.n_groups; i++)
        assert_string_not_equal(f->id.groups[i].name, "eks-dev");
    assert_int_equal(f->id.n_groups, 2); /* eks-ops and the users' group */
    assert_int_equal(resolve_role(f, "b", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 1); /* the users' group only */
    /* A session named dev renders k8s group "dev": not the refused eks-dev either. */
    assert_int_equal(resolve_role(f, "t", "dev"), EKSAUTH_OK);
    for (i = 0; i < f->id.n_groups; i++)
        assert_string_not_equal(f->id.groups[i].name, "eks-dev");
    /* Another session's own group is still granted. */
    assert_int_equal(resolve_role(f, "t", "qa"), EKSAUTH_OK);
    assert_string_equal(f->id.groups[0].name, "eks-qa");
}

/*
 * A login named like the group of every login is refused, never the group:
 * one aws-auth entry ("EKS:Users" becomes eks-users) must not leave every
 * other user without a primary group.  A session cannot render it either.
 */
static void test_login_named_like_users_group_is_refused(void **state)
{
    struct fixture *f = *state;
    const struct eksauth_plan_group *users;

    load(f, "mapUsers: |\n"
            "  - userarn: arn:aws:iam::" ACCOUNT ":user/a\n"
            "    username: alice\n"
            "  - userarn: arn:aws:iam::" ACCOUNT ":user/x\n"
            "    username: EKS:Users\n"
            "  - userarn: arn:aws:iam::" ACCOUNT ":user/y\n"
            "    username: eks@users\n"
            "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::" ACCOUNT ":role/t\n"
            "    username: eks-{{SessionName}}\n");
    assert_true(plan_has_warning(&f->plan, "user/x (mapUsers line 4): k8s user 'EKS:Users' would "
                                           "be login 'eks-users', the group of every login; not "
                                           "served"));
    assert_true(plan_has_warning(&f->plan, "user/y (mapUsers line 6): k8s user 'eks@users'"));
    /* Not a collision of two users either: that would deny the name, and so the group. */
    assert_false(plan_has_warning(&f->plan, "neither is served"));
    assert_false(plan_has_warning(&f->plan, "can give the same login"));
    assert_false(eksauth_plan_refuses(&f->plan, "eks-users"));
    assert_false(plan_has_warning(&f->plan, "is also a login name"));
    assert_null(eksauth_plan_find_user(&f->plan, "eks-users"));
    users = eksauth_plan_find_group(&f->plan, "eks-users");
    assert_non_null(users);
    assert_int_not_equal(users->gid, 0);
    assert_int_equal(f->plan.users_gid, users->gid);
    assert_non_null(eksauth_plan_find_user(&f->plan, "alice"));
    assert_int_equal(resolve_user(f, "a"), EKSAUTH_OK);
    assert_int_equal(f->id.gid, users->gid);
    assert_int_equal(resolve_user(f, "x"), EKSAUTH_EREJECTED);
    /* The template's session "users" would render the group's name. */
    assert_int_equal(resolve_role(f, "t", "users"), EKSAUTH_EREJECTED);
    assert_int_equal(resolve_role(f, "t", "bob"), EKSAUTH_OK);
    assert_string_equal(f->id.login, "eks-bob");
}

/*
 * A session cannot render a login named like a mapped group (lib/resolve.c):
 * session developers of eks-{{SessionName}} would be login eks-developers,
 * the POSIX group of k8s group developers.
 */
static void test_login_named_like_mapped_group_is_refused(void **state)
{
    struct fixture *f = *state;
    struct eksauth_id_seed seeds[] = {
        {.name = "eks-developers", .id = 1900000002, .is_group = true}};

    load(f, "mapUsers: |\n"
            "  - userarn: arn:aws:iam::" ACCOUNT ":user/a\n"
            "    username: alice\n"
            "    groups: [developers]\n"
            "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::" ACCOUNT ":role/t\n"
            "    username: eks-{{SessionName}}\n");
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-developers"));
    assert_int_equal(resolve_role(f, "t", "developers"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "'eks-developers' is the name of a mapped group"));
    assert_login(f, "t", "bob", "eks-bob");
    /* The group kept a recorded gid, so the login's own id is free: the name alone refuses. */
    eksauth_plan_free(&f->plan);
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 1, &f->plan, &f->err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_plan_find_group(&f->plan, "eks-developers")->gid, 1900000002);
    assert_int_equal(resolve_role(f, "t", "developers"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "'eks-developers' is the name of a mapped group"));
}

/*
 * With the group of every login not served (a local group holds its name)
 * no login is served: never one with gid 0 as its primary group.
 */
static void test_no_login_without_users_group(void **state)
{
    struct fixture *f = *state;

    f->fake.groups[0] = "eks-users";
    f->fake.gids[0] = 100;
    load(f, SAMPLE);
    assert_true(plan_has_warning(&f->plan, "the group of every login, 'eks-users', is a local "
                                           "group; not served"));
    assert_int_equal(f->plan.users_gid, 0);
    assert_int_equal(resolve_user(f, "alice"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "the group of every login ('users_group') is not served"));
    assert_int_equal(f->id.gid, 0);
    assert_refused(f, "dev", "bob", EKSAUTH_REFUSAL_NONE);
    assert_non_null(strstr(f->err.msg, "is not served here"));
}

/*
 * Groups repeated across entries (more names than the plan remembers at
 * once) each land in their one POSIX group, and a group refused for a
 * collision stays refused for the entries that name it again.
 */
static void test_plan_repeated_groups(void **state)
{
    struct fixture *f = *state;
    char yaml[8192], want[EKSAUTH_NAME_MAX + 1];
    const struct eksauth_plan_user *u;
    size_t n, i, j, refused = 0;

    n = (size_t)snprintf(yaml, sizeof(yaml),
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" ACCOUNT ":role/d0\n"
                         "    username: d0\n    groups: [Dev, ops]\n"
                         "  - rolearn: arn:aws:iam::" ACCOUNT ":role/d1\n"
                         "    username: d1\n    groups: [dev]\n"
                         "  - rolearn: arn:aws:iam::" ACCOUNT ":role/d2\n"
                         "    username: d2\n    groups: [Dev, ops]\n"
                         "  - rolearn: arn:aws:iam::" ACCOUNT ":role/d3\n"
                         "    username: d3\n    groups: [ops, dev, Dev]\n");
    for (i = 0; i < 60; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                              "  - rolearn: arn:aws:iam::" ACCOUNT ":role/r%zu\n"
                              "    username: r%zu\n    groups: [t%zu, ops]\n",
                              i, i, i % 25);
    assert_true(n < sizeof(yaml));
    load(f, yaml);
    for (i = 0; i < f->plan.n_warnings; i++)
        refused += strstr(f->plan.warnings[i], "neither is served") != NULL;
    assert_int_equal(refused, 1);
    assert_null(eksauth_plan_find_group(&f->plan, "eks-dev"));
    for (i = 0; i < 4; i++) {
        snprintf(want, sizeof(want), "d%zu", i);
        u = eksauth_plan_find_user(&f->plan, want);
        assert_non_null(u);
        for (j = 0; j < u->n_groups; j++)
            assert_string_not_equal(f->plan.groups[u->group_idx[j]].name, "eks-dev");
        assert_int_equal(u->n_groups, i == 1 ? 1 : 2); /* eks-ops, and the users' group */
    }
    for (i = 0; i < 60; i++) {
        snprintf(want, sizeof(want), "r%zu", i);
        u = eksauth_plan_find_user(&f->plan, want);
        assert_non_null(u);
        assert_int_equal(u->n_groups, 3);
        snprintf(want, sizeof(want), "eks-t%zu", i % 25);
        assert_string_equal(f->plan.groups[u->group_idx[0]].name, want);
        assert_string_equal(f->plan.groups[u->group_idx[1]].name, "eks-ops");
    }
    assert_int_equal(f->plan.n_groups, 25 + 2); /* the t groups, eks-ops, the users' group */
}

static void test_plan_refuses_local_names(void **state)
{
    struct fixture *f = *state;

    f->fake.users[0] = "build";
    f->fake.groups[0] = "eks-sudo"; /* a local group that happens to have the mapped name */
    f->fake.gids[0] = 1234;
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole\n"
            "    username: build\n"
            "    groups: [sudo]\n");
    assert_null(eksauth_plan_find_user(&f->plan, "build"));
    assert_null(eksauth_plan_find_group(&f->plan, "eks-sudo"));
    assert_true(plan_has_warning(&f->plan, "local account"));
    assert_true(plan_has_warning(&f->plan, "local group"));
    assert_int_equal(resolve_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "local account"));
}

static void test_group_map_joins_local_group_on_purpose(void **state)
{
    struct fixture *f = *state;

    f->fake.groups[0] = "sudo";
    f->fake.gids[0] = 27;
    f->cfg.group_map = calloc(1, sizeof(*f->cfg.group_map));
    f->cfg.group_map[0].from = strdup("system:masters");
    f->cfg.group_map[0].to = strdup("sudo");
    f->cfg.n_group_map = 1;
    load(f, SAMPLE);
    assert_int_equal(resolve_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "sudo");
    assert_int_equal(f->id.groups[0].gid, 27);
}

static void test_resolve_static_user(void **state)
{
    struct fixture *f = *state;

    load(f, SAMPLE);
    assert_int_equal(resolve_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_OK);
    assert_string_equal(f->id.k8s.username, "build");
    assert_string_equal(f->id.login, "build");
    assert_int_equal(f->id.uid, eksauth_plan_find_user(&f->plan, "build")->uid);
    /* The primary group is the group of every login, never one named like the login. */
    assert_int_equal(f->id.gid, eksauth_plan_find_group(&f->plan, "eks-users")->gid);
    assert_int_equal(f->id.gid, f->plan.users_gid);
    assert_false(f->id.templated);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "eks-system-masters");
    assert_string_equal(f->id.groups[1].name, "eks-users");
    assert_null(f->id.groups[1].k8s_group);
    assert_string_equal(f->id.groups[0].k8s_group, "system:masters");
}

static void test_resolve_templated_user(void **state)
{
    struct fixture *f = *state;

    load(f, SAMPLE);
    assert_int_equal(resolve_role(f, "dev", "bob@example.com"), EKSAUTH_OK);
    assert_string_equal(f->id.k8s.username, "admin:bob-example.com");
    assert_string_equal(f->id.login, "admin-bob-example.com");
    assert_true(f->id.templated);
    /* Probe 0 of the formula, the one uid NSS answers for the name. */
    assert_int_equal(f->id.uid, eksauth_names_id(NULL, "admin-bob-example.com", 0, EKSAUTH_ID_MIN,
                                                 EKSAUTH_ID_MAX));
    assert_int_equal(f->id.gid, f->plan.users_gid);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "eks-developers");
    assert_string_equal(f->id.groups[1].name, "eks-users");
}

static void test_resolve_template_cannot_take_a_static_login(void **state)
{
    struct fixture *f = *state;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
            "    username: admin:{{SessionName}}\n"
            "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/bob\n"
            "    username: admin-bob\n");
    /*
     * k8s user admin-bob and admin:{{SessionName}} of session bob are two
     * people with one login: whoever came first, neither gets it.
     */
    assert_null(eksauth_plan_find_user(&f->plan, "admin-bob"));
    assert_true(plan_has_warning(&f->plan, "template 'admin:{{SessionName}}' and k8s user "
                                           "'admin-bob'"));
    assert_refused(f, "dev", "bob", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_int_equal(resolve_user(f, "bob"), EKSAUTH_EREJECTED);
    /* The same k8s user from a template and a static entry is one person: served. */
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
            "    username: admin:{{SessionName}}\n"
            "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/bob\n"
            "    username: admin:bob\n");
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-bob"));
    assert_int_equal(resolve_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, eksauth_plan_find_user(&f->plan, "admin-bob")->uid);
}

/*
 * A session name that case-folds to a login another k8s user owns is refused
 * that login (lib/resolve.c): session Bob of admin:{{SessionName}} is k8s
 * user admin:Bob, not admin:bob, and must not get admin:bob's login and uid.
 */
static void test_resolve_session_cannot_take_another_users_login(void **state)
{
    struct fixture *f = *state;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
            "    username: admin:{{SessionName}}\n"
            "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/bob\n"
            "    username: admin:bob\n");
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-bob"));
    assert_int_equal(resolve_role(f, "dev", "Bob"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-bob' belongs to k8s user 'admin:bob', not "
                                       "'admin:Bob'"));
    assert_int_equal(f->id.uid, 0);
    /* admin:bob himself, and the session that is admin:bob, keep it. */
    assert_login(f, "dev", "bob", "admin-bob");
    assert_int_equal(resolve_user(f, "bob"), EKSAUTH_OK);
    assert_string_equal(f->id.login, "admin-bob");
}

static void test_resolve_refusals(void **state)
{
    struct fixture *f = *state;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/sys\n"
            "    username: system:admin\n"
            "  - rolearn: arn:aws:iam::123456789012:role/root\n"
            "    username: root\n"
            "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
            "    username: system:node:{{EC2PrivateDNSName}}\n");
    assert_int_equal(resolve_role(f, "sys", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "allow_system_users"));
    assert_int_equal(resolve_role(f, "root", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "denied"));
    assert_int_equal(resolve_role(f, "NodeRole", "i-0123456789abcdef0"), EKSAUTH_EREJECTED);
    assert_non_null(
        strstr(f->err.msg, "{{EC2PrivateDNSName}}: this host's own instance is unknown"));
    assert_int_equal(resolve_role(f, "other", "s"), EKSAUTH_ENOTMAPPED);
}

/*
 * deny_user may name a k8s username, not only a login (lib/config.c): with
 * deny_user = admin:mallory the entry of k8s user admin:mallory is refused,
 * and so is a session of a template that renders it; others are served.
 */
static void test_resolve_deny_user_names_k8s_user(void **state)
{
    struct fixture *f = *state;
    const char *conf = "cluster_id = c\ndeny_user = admin:mallory\n";

    assert_int_equal(eksauth_config_parse(&f->cfg, conf, strlen(conf), "t.conf", &f->err),
                     EKSAUTH_OK);
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
            "    username: admin:{{SessionName}}\n"
            "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/mallory\n"
            "    username: admin:mallory\n"
            "  - userarn: arn:aws:iam::123456789012:user/alice\n"
            "    username: admin:alice\n");
    assert_null(eksauth_plan_find_user(&f->plan, "admin-mallory"));
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-alice"));
    assert_int_equal(resolve_user(f, "mallory"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-mallory' is denied"));
    assert_int_equal(resolve_role(f, "dev", "mallory"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-mallory' is denied"));
    assert_int_equal(resolve_user(f, "alice"), EKSAUTH_OK);
    assert_login(f, "dev", "bob", "admin-bob");
}

static void test_resolve_system_user_allowed_by_config(void **state)
{
    struct fixture *f = *state;

    f->cfg.allow_system_users = true;
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/sys\n"
            "    username: system:admin\n");
    assert_login(f, "sys", "s", "system-admin");
}

/* A node on its own host: the login comes from the private DNS name (allow_system_users on). */
static void test_resolve_own_node(void **state)
{
    struct fixture *f = *state;
    struct eksauth_principal p = {
        .arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0123456789abcdef0",
        .canonical_arn = "arn:aws:iam::123456789012:role/NodeRole",
        .account = ACCOUNT,
        .session_name = "i-0123456789abcdef0",
        .access_key_id = "",
        .self_instance_id = "i-0123456789abcdef0",
        .self_private_dns_name = "ip-10-0-1-23.ec2.internal",
    };

    f->cfg.allow_system_users = true;
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
            "    username: system:node:{{EC2PrivateDNSName}}\n"
            "    groups:\n"
            "      - system:nodes\n");
    assert_int_equal(resolve_both(&f->cfg, f->aa, &f->plan, &f->host, &p, NULL, &f->id, &f->err),
                     EKSAUTH_OK);
    assert_string_equal(f->id.k8s.username, "system:node:ip-10-0-1-23.ec2.internal");
    assert_true(f->id.templated);
    assert_true(eksauth_names_valid(f->id.login));
    if (strncmp(f->id.login, "system-node-ip-10-0-1", 21) != 0)
        fail_msg("login %s", f->id.login);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "eks-system-nodes");
    eksauth_identity_free(&f->id);
    /* Another instance's session name on this host: refused before any name is made. */
    p.session_name = "i-0fedcba9876543210";
    p.arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0fedcba9876543210";
    assert_int_equal(resolve_both(&f->cfg, f->aa, &f->plan, &f->host, &p, NULL, &f->id, &f->err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "instance i-0fedcba9876543210 is not this host"));
    assert_string_equal(f->id.login, "");
}

static void test_resolve_map_accounts(void **state)
{
    struct fixture *f = *state;
    struct eksauth_principal p = {
        .arn = "arn:aws:iam::210987654321:user/dave",
        .canonical_arn = "arn:aws:iam::210987654321:user/dave",
        .account = "210987654321",
        .session_name = "",
        .access_key_id = "",
    };

    load(f, SAMPLE);
    assert_int_equal(resolve_both(&f->cfg, f->aa, &f->plan, &f->host, &p, "AIDAX", &f->id, &f->err),
                     EKSAUTH_OK);
    assert_int_equal(f->id.k8s.source, EKSAUTH_SRC_MAPACCOUNTS);
    assert_string_equal(f->id.k8s.username, "arn:aws:iam::210987654321:user/dave");
    assert_true(eksauth_names_valid(f->id.login));
    /* No k8s group: only the group of every login. */
    assert_int_equal(f->id.n_groups, 1);
    assert_string_equal(f->id.groups[0].name, "eks-users");
    assert_string_equal(f->id.user_id, "AIDAX");
}

static void test_plan_same_user_from_two_roles_gets_shared_groups(void **state)
{
    struct fixture *f = *state;
    const struct eksauth_plan_user *u;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/a\n"
            "    username: ops\n"
            "    groups: [viewers, system:masters]\n"
            "  - rolearn: arn:aws:iam::123456789012:role/b\n"
            "    username: ops\n"
            "    groups: [viewers]\n");
    u = eksauth_plan_find_user(&f->plan, "ops");
    assert_non_null(u);
    assert_int_equal(u->n_groups, 2);
    assert_string_equal(f->plan.groups[u->group_idx[0]].name, "eks-viewers");
}

static void test_plan_large(void **state)
{
    struct fixture *f = *state;
    size_t cap = 10000 * 120 + 64, len = 0, i;
    char *yaml = malloc(cap);

    assert_non_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len, "mapRoles:\n");
    for (i = 0; i < 10000; i++)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  - rolearn: arn:aws:iam::123456789012:role/r%zu\n"
                                "    username: user%zu\n    groups: [g%zu]\n",
                                i, i, i % 100);
    load(f, yaml);
    free(yaml);
    assert_int_equal(f->plan.n_users, 10000);
    assert_int_equal(f->plan.n_groups, 100 + 1); /* and eks-users */
    for (i = 1; i < f->plan.n_used_ids; i++)
        assert_true(f->plan.used_ids[i - 1] < f->plan.used_ids[i]);
    assert_int_equal(f->plan.n_used_ids, 10100 + 1);
    /* The sorted ids are the planned ones (a lookup finds each). */
    for (i = 0; i < f->plan.n_users; i++)
        assert_true(eksauth_plan_id_taken(&f->plan, NULL, f->plan.users[i].uid));
    for (i = 0; i < f->plan.n_groups; i++)
        assert_true(eksauth_plan_id_taken(&f->plan, NULL, f->plan.groups[i].gid));
}

/*
 * Users and groups come out in strcmp order (lookups bsearch them), names
 * that share their first 8 bytes, or end within them, included.
 */
static void test_plan_sorted_by_name(void **state)
{
    static const char *const names[] = {"abcdefghb", "b", "abcdefgh", "abcdefg",   "abcdefgha",
                                        "ab",        "a", "abcdefgi", "abcdefghab"};
    struct fixture *f = *state;
    char yaml[4096];
    size_t n, i;

    n = (size_t)snprintf(yaml, sizeof(yaml), "mapRoles:\n");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                              "  - rolearn: arn:aws:iam::123456789012:role/r%zu\n"
                              "    username: u%s\n    groups: [%s]\n",
                              i, names[i], names[i]);
    assert_true(n < sizeof(yaml));
    load(f, yaml);
    assert_int_equal(f->plan.n_users, sizeof(names) / sizeof(names[0]));
    assert_int_equal(f->plan.n_groups, sizeof(names) / sizeof(names[0]) + 1);
    for (i = 1; i < f->plan.n_users; i++)
        assert_true(strcmp(f->plan.users[i - 1].login, f->plan.users[i].login) < 0);
    for (i = 1; i < f->plan.n_groups; i++)
        assert_true(strcmp(f->plan.groups[i - 1].name, f->plan.groups[i].name) < 0);
    /* Each user's group followed the sort: "uX" is in "eks-X". */
    for (i = 0; i < f->plan.n_users; i++) {
        char want[EKSAUTH_NAME_MAX + 1];
        const struct eksauth_plan_user *u = &f->plan.users[i];

        snprintf(want, sizeof(want), "eks-%s", u->login + 1);
        assert_true(u->n_groups >= 1);
        assert_string_equal(f->plan.groups[u->group_idx[0]].name, want);
    }
}

/*
 * One entry with more groups than the group table was first sized for (it
 * is sized from the number of entries): every group is planned.  The table
 * grows; before lib/strmap.c it filled up and the plan never returned.
 */
static void test_plan_entry_with_many_groups(void **state)
{
    struct fixture *f = *state;
    char yaml[4096];
    size_t n, i;

    n = (size_t)snprintf(yaml, sizeof(yaml),
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/many\n"
                         "    username: many\n"
                         "    groups:\n");
    for (i = 0; i < 100; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "      - team-%zu\n", i);
    assert_true(n < sizeof(yaml));
    load(f, yaml);
    assert_int_equal(f->plan.n_groups, 100 + 1); /* and eks-users */
    assert_int_equal(f->plan.n_users, 1);
    assert_int_equal(f->plan.users[0].n_groups, 100 + 1);
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-team-0"));
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-team-99"));
}

/* An id key as if read from a key file of 32 bytes of fill. */
static void make_key(struct eksauth_id_key *k, unsigned char fill)
{
    unsigned char secret[32];

    memset(secret, fill, sizeof(secret));
    eksauth_names_id_key_derive(secret, sizeof(secret), k);
}

static void test_plan_keyed_ids(void **state)
{
    struct fixture *f = *state;
    struct eksauth_plan other;
    struct eksauth_error err;
    uint32_t unkeyed;
    size_t i;

    load(f, SAMPLE);
    unkeyed = eksauth_plan_find_user(&f->plan, "build")->uid;
    eksauth_plan_free(&f->plan);
    make_key(&f->cfg.id_key, 0x5a);
    f->cfg.id_key_set = true;
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, NULL, 0, &f->plan, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid,
                     eksauth_names_id(&f->cfg.id_key, "build", 0, 0, 0));
    assert_int_not_equal(eksauth_plan_find_user(&f->plan, "build")->uid, unkeyed);
    /* Another host with the same key file gives every name the same id. */
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, NULL, 0, &other, &err),
                     EKSAUTH_OK);
    for (i = 0; i < f->plan.n_users; i++)
        assert_int_equal(f->plan.users[i].uid, other.users[i].uid);
    for (i = 0; i < f->plan.n_groups; i++)
        assert_int_equal(f->plan.groups[i].gid, other.groups[i].gid);
    assert_int_equal(f->plan.users_gid, other.users_gid);
    eksauth_plan_free(&other);
    /* A templated login gets the keyed probe 0 too. */
    assert_int_equal(resolve_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, eksauth_names_id(&f->cfg.id_key, "admin-bob", 0, 0, 0));
}

static void test_plan_skips_local_ids(void **state)
{
    struct fixture *f = *state;

    /* A local account already has build's first id: build takes the next probe. */
    f->fake.ids[0] = eksauth_names_id(NULL, "build", 0, 0, 0);
    load(f, SAMPLE);
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid,
                     eksauth_names_id(NULL, "build", 1, 0, 0));
}

/* sshd keeps the uid NSS gave before PAM: a templated login gets that one id or nothing. */
static void test_resolve_templated_takes_probe_zero_or_nothing(void **state)
{
    struct fixture *f = *state;
    uint32_t bob0 = eksauth_names_id(NULL, "admin-bob", 0, 0, 0);
    struct eksauth_id_seed seeds[] = {
        {.name = "admin-carol", .id = bob0, .is_group = false},
    };
    struct eksauth_error err;

    load(f, SAMPLE);
    eksauth_plan_free(&f->plan);
    /* carol's recorded login holds admin-bob's one id: bob is refused, not moved on. */
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 1, &f->plan, &err),
                     EKSAUTH_OK);
    assert_refused(f, "dev", "bob", EKSAUTH_REFUSAL_ID_HELD);
    assert_non_null(strstr(f->err.msg, "is held by"));
    /* A tombstone of admin-bob itself (seeded under its name) gives bob its own id back. */
    seeds[0].name = "admin-bob";
    seeds[0].id = 1900000123;
    eksauth_plan_free(&f->plan);
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 1, &f->plan, &err),
                     EKSAUTH_OK);
    assert_int_equal(resolve_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, 1900000123);
    /* A local uid on it: refused the same way (uid_min = 1000 and a local account there). */
    f->fake.ids[0] = bob0;
    load(f, SAMPLE);
    assert_refused(f, "dev", "bob", EKSAUTH_REFUSAL_ID_HELD);
    assert_non_null(strstr(f->err.msg, "a local account or group"));
}

static const char *const RAW_AND_PLAIN = "mapRoles: |\n"
                                         "  - rolearn: arn:aws:iam::123456789012:role/raw\n"
                                         "    username: raw:{{SessionNameRaw}}\n"
                                         "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                                         "    username: admin:{{SessionName}}\n";

/* Two Kubernetes usernames never share a login: a session name rule 1 would rewrite is refused. */
static void test_resolve_session_chars(void **state)
{
    struct fixture *f = *state;

    load(f, RAW_AND_PLAIN);
    assert_refused(f, "raw", "a@b", EKSAUTH_REFUSAL_SESSION_CHARS);
    assert_non_null(strstr(f->err.msg, "characters a login name cannot carry"));
    assert_login(f, "raw", "a-b", "raw-a-b");
    /* Upper case is rewritten too: Alice and alice would be one login. */
    assert_refused(f, "dev", "Alice", EKSAUTH_REFUSAL_SESSION_CHARS);
    /* {{SessionName}} turns '@' into '-' itself, as the cluster does: one k8s user, one login. */
    assert_login(f, "dev", "alice@example.com", "admin-alice-example.com");
}

/* A template without fixed text first would answer for any name: never served. */
static void test_bare_template_not_served(void **state)
{
    struct fixture *f = *state;

    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
            "    username: \"{{SessionName}}\"\n"
            "  - rolearn: arn:aws:iam::123456789012:role/raw\n"
            "    username: \"{{SessionNameRaw}}@corp\"\n"
            "  - rolearn: arn:aws:iam::123456789012:role/sso\n"
            "    username: sso:{{SessionName}}\n");
    assert_int_equal(f->plan.n_templates, 1);
    assert_string_equal(f->plan.templates[0], "sso:{{SessionName}}");
    assert_true(plan_has_warning(&f->plan, "role/dev (mapRoles line 2): template "
                                           "'{{SessionName}}' is not served"));
    assert_true(plan_has_warning(&f->plan, "'{{SessionNameRaw}}@corp' is not served"));
    assert_true(plan_has_warning(&f->plan, "e.g. 'sso:{{SessionName}}'"));
    assert_refused(f, "dev", "newsvc", EKSAUTH_REFUSAL_BARE_TEMPLATE);
    assert_login(f, "sso", "newsvc", "sso-newsvc");
}

/* The squat of issue 16: a dev's session name that gives an admin's login. */
static void test_overlapping_templates(void **state)
{
    struct fixture *f = *state;

    /* The case: admins admin:{{SessionName}}, devs {{SessionName}}, session admin@alice. */
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/admins\n"
            "    username: admin:{{SessionName}}\n"
            "  - rolearn: arn:aws:iam::123456789012:role/devs\n"
            "    username: \"{{SessionName}}\"\n");
    assert_int_equal(resolve_role(f, "devs", "admin@alice"), EKSAUTH_EREJECTED);
    assert_login(f, "admins", "alice", "admin-alice");
    /* Prefixes that overlap: reported, and a login both give goes to nobody, in either order. */
    load(f, "mapRoles: |\n"
            "  - rolearn: arn:aws:iam::123456789012:role/admins\n"
            "    username: admin:{{SessionName}}\n"
            "  - rolearn: arn:aws:iam::123456789012:role/devs\n"
            "    username: admin-{{SessionName}}\n");
    assert_true(plan_has_warning(&f->plan, "templates 'admin:{{SessionName}}' and "
                                           "'admin-{{SessionName}}' can give the same login"));
    assert_refused(f, "devs", "alice", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_refused(f, "admins", "alice", EKSAUTH_REFUSAL_AMBIGUOUS);
}

/* No private groups: a login named admin, wheel or docker is in no group of that name. */
static void test_no_group_named_by_a_login(void **state)
{
    static const char *const names[] = {"admin", "wheel", "docker"};
    struct fixture *f = *state;
    size_t i, j;

    load(f, "mapUsers: |\n"
            "  - userarn: arn:aws:iam::123456789012:user/admin\n"
            "    username: admin\n"
            "  - userarn: arn:aws:iam::123456789012:user/wheel\n"
            "    username: wheel\n"
            "  - userarn: arn:aws:iam::123456789012:user/docker\n"
            "    username: docker\n"
            "    groups: [devs]\n");
    for (i = 0; i < 3; i++) {
        assert_null(eksauth_plan_find_group(&f->plan, names[i]));
        assert_int_equal(resolve_user(f, names[i]), EKSAUTH_OK);
        assert_string_equal(f->id.login, names[i]);
        assert_int_equal(f->id.gid, f->plan.users_gid);
        for (j = 0; j < f->id.n_groups; j++) {
            assert_string_not_equal(f->id.groups[j].name, names[i]);
            assert_true(strncmp(f->id.groups[j].name, "eks-", 4) == 0);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_static_users_and_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_entry_with_many_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_ids_deterministic_and_in_range, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_seeds_keep_recorded_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_login_collision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_collision_grants_no_one, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_named_like_users_group_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_login_named_like_mapped_group_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_no_login_without_users_group, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_repeated_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_local_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_group_map_joins_local_group_on_purpose, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve_static_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_templated_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_template_cannot_take_a_static_login, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve_session_cannot_take_another_users_login, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_deny_user_names_k8s_user, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_system_user_allowed_by_config, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve_own_node, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_map_accounts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_same_user_from_two_roles_gets_shared_groups,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_sorted_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_keyed_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plan_skips_local_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resolve_templated_takes_probe_zero_or_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolve_session_chars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bare_template_not_served, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_group_named_by_a_login, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
