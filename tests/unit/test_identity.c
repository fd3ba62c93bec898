/*
 * test_identity.c - lib/identity.c: the plan (static users and groups with
 * ids, the templates a host serves, the names it refuses and why).  The
 * resolution of one principal on it is tests/unit/test_resolve.c's; both
 * share tests/lib/plan_fixture.c, and every resolution here is made twice,
 * with the plan and through the login index of the same aws-auth
 * (tests/lib/resolve_both.c), and the two must agree.
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
#include "eksauth/login_template.h"
#include "eksauth/resolve.h"
#include "eksauth/names.h"
#include "eksauth/template.h"
#include "plan_fixture.h"
#include "unit.h"

static void test_plan_static_users_and_groups(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_user *build, *alice;
    const struct eksauth_plan_group *masters;

    plan_fixture_load(f, PLAN_SAMPLE);
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
    struct plan_fixture *f = *state;
    struct eksauth_plan again;
    struct eksauth_error err;
    size_t i, j;

    plan_fixture_load(f, PLAN_SAMPLE);
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
    struct plan_fixture *f = *state;
    struct eksauth_id_seed seeds[] = {
        {.name = "build", .id = 1900000001, .is_group = false},
        {.name = "eks-system-masters", .id = 1900000002, .is_group = true},
        {.name = "admin-carol", .id = 1900000003, .is_group = false},
    };
    struct eksauth_plan_view view;
    struct eksauth_error err;

    plan_fixture_load(f, PLAN_SAMPLE);
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
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::123456789012:user/a\n"
                         "    username: Alice\n"
                         "  - userarn: arn:aws:iam::123456789012:user/b\n"
                         "    username: alice\n"
                         "  - userarn: arn:aws:iam::123456789012:user/c\n"
                         "    username: carol\n");
    assert_null(eksauth_plan_find_user(&f->plan, "alice"));
    assert_non_null(eksauth_plan_find_user(&f->plan, "carol"));
    assert_true(plan_has_warning(&f->plan, "neither is served"));
    assert_int_equal(plan_fixture_user(f, "b"), EKSAUTH_EREJECTED);
}

/*
 * A login named like the group of every login is refused, never the group:
 * one aws-auth entry ("EKS:Users" becomes eks-users) must not leave every
 * other user without a primary group.  A session cannot render it either.
 */
static void test_login_named_like_users_group_is_refused(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_group *users;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/a\n"
                         "    username: alice\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/x\n"
                         "    username: EKS:Users\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/y\n"
                         "    username: eks@users\n"
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/t\n"
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
    assert_int_equal(plan_fixture_user(f, "a"), EKSAUTH_OK);
    assert_int_equal(f->id.gid, users->gid);
    assert_int_equal(plan_fixture_user(f, "x"), EKSAUTH_EREJECTED);
    /* The template's session "users" would render the group's name. */
    assert_int_equal(plan_fixture_role(f, "t", "users"), EKSAUTH_EREJECTED);
    assert_int_equal(plan_fixture_role(f, "t", "bob"), EKSAUTH_OK);
    assert_string_equal(f->id.login, "eks-bob");
}

/*
 * The group of every login named by users_group, or by another
 * group_prefix: the login of that name is refused, and the default's
 * name (eks-users) is an ordinary login then.
 */
static void test_login_named_like_configured_users_group(void **state)
{
    static const struct {
        const char *users_group, *group_prefix, *refused, *warning, *served[2];
    } cases[] = {
        {"logins",
         "eks-",
         "logins",
         "user/a (mapUsers line 2): k8s user 'logins' would be",
         {"eks-users", "grp-users"}},
        {NULL,
         "grp-",
         "grp-users",
         "user/c (mapUsers line 6): k8s user 'grp-users' would be",
         {"eks-users", "logins"}},
    };
    struct plan_fixture *f = *state;
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        free(f->cfg.users_group);
        free(f->cfg.group_prefix);
        f->cfg.users_group = cases[i].users_group ? strdup(cases[i].users_group) : NULL;
        f->cfg.group_prefix = strdup(cases[i].group_prefix);
        assert_non_null(f->cfg.group_prefix);
        plan_fixture_load(f, "mapUsers: |\n"
                             "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/a\n"
                             "    username: logins\n"
                             "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/b\n"
                             "    username: eks-users\n"
                             "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/c\n"
                             "    username: grp-users\n");
        assert_true(plan_has_warning(&f->plan, cases[i].warning));
        assert_true(plan_has_warning(&f->plan, "the group of every login; not served"));
        assert_null(eksauth_plan_find_user(&f->plan, cases[i].refused));
        assert_non_null(eksauth_plan_find_user(&f->plan, cases[i].served[0]));
        assert_non_null(eksauth_plan_find_user(&f->plan, cases[i].served[1]));
    }
}

/*
 * Groups repeated across entries (more names than the plan remembers at
 * once) each land in their one POSIX group, and a group refused for a
 * collision stays refused for the entries that name it again.
 */
static void test_plan_repeated_groups(void **state)
{
    struct plan_fixture *f = *state;
    char yaml[8192], want[EKSAUTH_NAME_MAX + 1];
    const struct eksauth_plan_user *u;
    size_t n, i, j, refused = 0;

    n = (size_t)snprintf(yaml, sizeof(yaml),
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/d0\n"
                         "    username: d0\n    groups: [Dev, ops]\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/d1\n"
                         "    username: d1\n    groups: [dev]\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/d2\n"
                         "    username: d2\n    groups: [Dev, ops]\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/d3\n"
                         "    username: d3\n    groups: [ops, dev, Dev]\n");
    for (i = 0; i < 60; i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                              "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/r%zu\n"
                              "    username: r%zu\n    groups: [t%zu, ops]\n",
                              i, i, i % 25);
    assert_true(n < sizeof(yaml));
    plan_fixture_load(f, yaml);
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
    struct plan_fixture *f = *state;

    f->fake.users[0] = "build";
    f->fake.groups[0] = "eks-sudo"; /* a local group that happens to have the mapped name */
    f->fake.gids[0] = 1234;
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole\n"
                         "    username: build\n"
                         "    groups: [sudo]\n");
    assert_null(eksauth_plan_find_user(&f->plan, "build"));
    assert_null(eksauth_plan_find_group(&f->plan, "eks-sudo"));
    assert_true(plan_has_warning(&f->plan, "local account"));
    assert_true(plan_has_warning(&f->plan, "local group"));
    assert_int_equal(plan_fixture_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "local account"));
}

/* group_map from pairs[0..2n): k8s group, local group. */
static void set_group_map(struct plan_fixture *f, const char *const *pairs, size_t n)
{
    size_t i;

    f->cfg.group_map = calloc(n, sizeof(*f->cfg.group_map));
    assert_non_null(f->cfg.group_map);
    for (i = 0; i < n; i++) {
        f->cfg.group_map[i].from = strdup(pairs[2 * i]);
        f->cfg.group_map[i].to = strdup(pairs[2 * i + 1]);
    }
    f->cfg.n_group_map = n;
}

/*
 * group_map sends two k8s groups to one local group on purpose
 * (docs/names-and-ids.md): both entries' users are in it, and it is not
 * refused as two k8s groups sharing a name (it was: the sync served it to
 * no one and said so, while each login recorded it again).
 */
static void test_plan_group_map_joins_two_k8s_groups(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_user *ops, *admin;
    size_t i;

    f->fake.groups[0] = "wheel";
    f->fake.gids[0] = 10;
    set_group_map(f, (const char *const[]){"ops", "wheel", "admins", "wheel"}, 2);
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/a\n"
                         "    username: ops\n"
                         "    groups: [ops]\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/b\n"
                         "    username: admin\n"
                         "    groups: [admins, ops]\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/c\n"
                         "    username: other\n"
                         "    groups: [admins]\n");
    assert_false(plan_has_warning(&f->plan, "neither is served"));
    assert_int_equal(f->plan.n_refused_groups, 0);
    ops = eksauth_plan_find_user(&f->plan, "ops");
    admin = eksauth_plan_find_user(&f->plan, "admin");
    assert_non_null(ops);
    assert_non_null(admin);
    /* wheel and the group of every login; wheel once, though two of admin's k8s groups lead there.
     */
    assert_int_equal(ops->n_groups, 2);
    assert_int_equal(admin->n_groups, 2);
    for (i = 0; i < 2; i++) {
        assert_string_equal(f->plan.groups[ops->group_idx[i]].name, i == 0 ? "wheel" : "eks-users");
        assert_string_equal(f->plan.groups[admin->group_idx[i]].name,
                            i == 0 ? "wheel" : "eks-users");
    }
    assert_int_equal(f->plan.groups[ops->group_idx[0]].gid, 10);
    for (i = 0; i < f->plan.n_groups; i++)
        assert_string_not_equal(f->plan.groups[i].name, "eks-admins");
    assert_int_equal(plan_fixture_role(f, "c", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "wheel");
    assert_int_equal(f->id.groups[0].gid, 10);
}

/*
 * A group_map target met first, then an unmapped k8s group whose prefixed
 * name is that local group: the second is refused for itself, the target
 * stays served (it was refused for both, "neither is served", while logins
 * recorded it again).
 */
static void test_plan_group_map_target_kept_from_a_like_name(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_user *a, *b;

    f->fake.groups[0] = "eks-sudo";
    f->fake.gids[0] = 27;
    set_group_map(f, (const char *const[]){"ops", "eks-sudo"}, 1);
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/a\n"
                         "    username: alpha\n"
                         "    groups: [ops]\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/b\n"
                         "    username: beta\n"
                         "    groups: [sudo]\n");
    assert_false(plan_has_warning(&f->plan, "neither is served"));
    assert_true(
        plan_has_warning(&f->plan, "POSIX group 'eks-sudo' (k8s group 'sudo') is a local group"));
    assert_int_equal(f->plan.n_refused_groups, 0);
    a = eksauth_plan_find_user(&f->plan, "alpha");
    b = eksauth_plan_find_user(&f->plan, "beta");
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->n_groups, 2);
    assert_string_equal(f->plan.groups[a->group_idx[0]].name, "eks-sudo");
    assert_int_equal(f->plan.groups[a->group_idx[0]].gid, 27);
    assert_int_equal(b->n_groups, 1); /* the group of every login alone */
}

/*
 * A group_map target that is no local group (a typo), after eksauth's own
 * group of that name: the mapping is refused for itself, eksauth's group
 * stays served (it was refused for both).
 */
static void test_plan_group_map_typo_keeps_a_like_named_group(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_user *a;

    set_group_map(f, (const char *const[]){"ops", "eks-admin"}, 1);
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/a\n"
                         "    username: alpha\n"
                         "    groups: [admin]\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/b\n"
                         "    username: beta\n"
                         "    groups: [ops]\n");
    assert_false(plan_has_warning(&f->plan, "neither is served"));
    assert_true(plan_has_warning(
        &f->plan, "group_map names 'eks-admin' for 'ops', which is not a local group"));
    assert_int_equal(f->plan.n_refused_groups, 0);
    a = eksauth_plan_find_user(&f->plan, "alpha");
    assert_non_null(a);
    assert_int_equal(a->n_groups, 2);
    assert_string_equal(f->plan.groups[a->group_idx[0]].name, "eks-admin");
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-admin"));
}

static void test_plan_same_user_from_two_roles_gets_shared_groups(void **state)
{
    struct plan_fixture *f = *state;
    const struct eksauth_plan_user *u;

    plan_fixture_load(f, "mapRoles: |\n"
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
    struct plan_fixture *f = *state;
    size_t cap = 10000 * 120 + 64, len = 0, i;
    char *yaml = malloc(cap);

    assert_non_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len, "mapRoles:\n");
    for (i = 0; i < 10000; i++)
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  - rolearn: arn:aws:iam::123456789012:role/r%zu\n"
                                "    username: user%zu\n    groups: [g%zu]\n",
                                i, i, i % 100);
    plan_fixture_load(f, yaml);
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
    struct plan_fixture *f = *state;
    char yaml[4096];
    size_t n, i;

    n = (size_t)snprintf(yaml, sizeof(yaml), "mapRoles:\n");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                              "  - rolearn: arn:aws:iam::123456789012:role/r%zu\n"
                              "    username: u%s\n    groups: [%s]\n",
                              i, names[i], names[i]);
    assert_true(n < sizeof(yaml));
    plan_fixture_load(f, yaml);
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
 * Many names, alike in their first bytes and of every length to the
 * longest login, in no order: sorted by bytes a level at a time (past the
 * short runs test_plan_sorted_by_name sees), they come out in strcmp
 * order, and each user's group follows its group.
 */
static void test_plan_sorted_by_name_many(void **state)
{
    enum { N = 2000 };
    struct plan_fixture *f = *state;
    size_t cap = N * 160 + 64, len = 0, i, k;
    char *yaml = malloc(cap), s[EKSAUTH_NAME_MAX + 1], want[EKSAUTH_NAME_MAX + 1];

    assert_non_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len, "mapRoles:\n");
    for (i = 0; i < N; i++) {
        /* "u", digits of a scrambled i, 'k' to 6-32 bytes (a group no number): prefixes shared. */
        k = (size_t)snprintf(s, sizeof(s), "%zu", i * 7919 % N);
        while (k < i % 29 + 5 && k < EKSAUTH_NAME_MAX - 1)
            s[k++] = 'k';
        s[k] = '\0';
        len += (size_t)snprintf(yaml + len, cap - len,
                                "  - rolearn: arn:aws:iam::123456789012:role/r%zu\n"
                                "    username: u%s\n    groups: [%.28s]\n",
                                i, s, s);
    }
    assert_true(len < cap);
    plan_fixture_load(f, yaml);
    free(yaml);
    assert_int_equal(f->plan.n_users, N);
    assert_int_equal(f->plan.n_groups, N + 1);
    for (i = 1; i < f->plan.n_users; i++)
        assert_true(strcmp(f->plan.users[i - 1].login, f->plan.users[i].login) < 0);
    for (i = 1; i < f->plan.n_groups; i++)
        assert_true(strcmp(f->plan.groups[i - 1].name, f->plan.groups[i].name) < 0);
    for (i = 0; i < f->plan.n_users; i++) {
        const struct eksauth_plan_user *u = &f->plan.users[i];

        snprintf(want, sizeof(want), "eks-%.28s", u->login + 1);
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
    struct plan_fixture *f = *state;
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
    plan_fixture_load(f, yaml);
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
    struct plan_fixture *f = *state;
    struct eksauth_plan other;
    struct eksauth_error err;
    uint32_t unkeyed;
    size_t i;

    plan_fixture_load(f, PLAN_SAMPLE);
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
    assert_int_equal(plan_fixture_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, eksauth_names_id(&f->cfg.id_key, "admin-bob", 0, 0, 0));
}

static void test_plan_skips_local_ids(void **state)
{
    struct plan_fixture *f = *state;

    /* A local account already has build's first id: build takes the next probe. */
    f->fake.ids[0] = eksauth_names_id(NULL, "build", 0, 0, 0);
    plan_fixture_load(f, PLAN_SAMPLE);
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid,
                     eksauth_names_id(NULL, "build", 1, 0, 0));
}

/*
 * A local account that took a recorded id since: the id stays (files on the
 * host are its owner's), and the sync says that two accounts now share it.
 */
static void test_plan_recorded_id_now_local(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_id_seed seeds[] = {{.name = "build", .id = 1900000001, .is_group = false}};
    struct eksauth_error err;

    plan_fixture_load(f, PLAN_SAMPLE);
    eksauth_plan_free(&f->plan);
    f->fake.ids[0] = 1900000001;
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 1, &f->plan, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_plan_find_user(&f->plan, "build")->uid, 1900000001);
    assert_true(plan_has_warning(&f->plan, "'build' keeps its recorded id 1900000001, which a "
                                           "local account, group or subordinate id block of "
                                           "this host has too: the two share the files that id "
                                           "owns; give the local account or group another id, "
                                           "or move the block (/etc/subuid, /etc/subgid)"));
}

/* A template without fixed text first would answer for any name: never served. */
static void test_bare_template_not_served(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
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

/*
 * A refusal quotes the template as aws-auth wrote it: a BiDi override or
 * isolate in it (aws-auth takes them in a username, the cluster does)
 * reaches the login's message and syslog shown as '?'
 * (status.h, eksauth_message_clean), as every other message of eksauth.
 */
static void test_refusal_message_clean(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                         "    username: \"{{SessionName}}\\u202e-\\u2066\"\n");
    assert_refused(f, "dev", "newsvc", EKSAUTH_REFUSAL_BARE_TEMPLATE);
    if (strstr(f->err.msg, "\xe2\x80\xae") != NULL || strstr(f->err.msg, "\xe2\x81\xa6") != NULL)
        fail_msg("unclean: %s", f->err.msg);
    assert_non_null(strstr(f->err.msg, "'{{SessionName}}?-?'"));
}

/* The warning of a template and a user: the template's name in it. */
static bool template_user_warning(const struct eksauth_plan *plan, const char *tmpl,
                                  const char *k8s)
{
    char want[256];

    snprintf(want, sizeof(want), "template '%s' and k8s user '%s'", tmpl, k8s);
    return plan_has_warning(plan, want);
}

/* User west's username: longer than a login (names.h rule 3). */
#define WEST_K8S "node:ip-10-0-5-5.us-west-2.compute.internal"

/* An aws-auth of a node template, one bound to a wildcard, and static users near their logins. */
static const char *const HOST_DOC = "mapRoles: |\n"
                                    "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/Node\n"
                                    "    username: node:{{EC2PrivateDNSName}}\n"
                                    "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/Adm\n"
                                    "    username: adm-{{SessionName}}.{{EC2PrivateDNSName}}\n"
                                    "mapUsers: |\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/here\n"
                                    "    username: node-ip-10-0-1-23.ec2.internal\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/there\n"
                                    "    username: node-ip-10-0-9-8.ec2.internal\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/same\n"
                                    "    username: node:ip-10-0-7-7.ec2.internal\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/bob\n"
                                    "    username: adm:bo.ip-10-0-1-23.ec2.internal\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/amy\n"
                                    "    username: adm:amy.n9\n"
                                    "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/west\n"
                                    "    username: " WEST_K8S "\n";

/* Whether plan serves login, or refuses it to everyone (never both). */
static bool serves(const struct eksauth_plan *plan, const char *login)
{
    bool served = eksauth_plan_find_user(plan, login) != NULL;

    assert_true(served != eksauth_plan_refuses(plan, login));
    return served;
}

/* serves for the login of k8s, as names.h gives it (cut to 23 bytes and a hash when long). */
static bool serves_k8s(const struct eksauth_plan *plan, const char *k8s)
{
    char login[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err;

    assert_status(eksauth_names_login(k8s, login, &err), EKSAUTH_OK);
    return serves(plan, login);
}

/*
 * {{EC2PrivateDNSName}} checked against static users as a login renders
 * it on this host, bound to the host's name: a static user whose login
 * it gives is served to nobody, whoever comes first, as for any template
 * (it stayed served, unbound templates fitting no login); another node's
 * name is not this host's, and the same Kubernetes user shares the login.
 */
static void test_host_template_checked_as_bound(void **state)
{
    struct plan_fixture *f = *state;

    f->host.private_dns_name = "ip-10-0-1-23.ec2.internal";
    plan_fixture_load(f, HOST_DOC);
    assert_int_equal(f->plan.n_templates, 2);
    /* The template bound to no placeholder left: one login. */
    assert_false(serves(&f->plan, "node-ip-10-0-1-23.ec2.internal"));
    assert_true(template_user_warning(&f->plan, "node:{{EC2PrivateDNSName}}",
                                      "node-ip-10-0-1-23.ec2.internal"));
    /* One still with a wildcard once bound. */
    assert_false(serves(&f->plan, "adm-bo.ip-10-0-1-23.ec2.internal"));
    assert_true(template_user_warning(&f->plan, "adm-{{SessionName}}.{{EC2PrivateDNSName}}",
                                      "adm:bo.ip-10-0-1-23.ec2.internal"));
    /* Logins the template gives on other hosts only. */
    assert_true(serves(&f->plan, "node-ip-10-0-9-8.ec2.internal"));
    assert_true(serves(&f->plan, "node-ip-10-0-7-7.ec2.internal"));
    assert_true(serves(&f->plan, "adm-amy.n9"));
    assert_true(serves_k8s(&f->plan, WEST_K8S));
}

/*
 * The host's name unknown (instance metadata did not answer the sync):
 * {{EC2PrivateDNSName}} may be any DNS name, so every static user whose
 * login it could give is served to nobody (fail closed), except the very
 * Kubernetes user it could render.
 */
static void test_host_template_unknown_is_any_name(void **state)
{
    struct plan_fixture *f = *state;

    f->host.private_dns_name = NULL;
    plan_fixture_load(f, HOST_DOC);
    assert_false(serves(&f->plan, "node-ip-10-0-1-23.ec2.internal"));
    assert_false(serves(&f->plan, "node-ip-10-0-9-8.ec2.internal"));
    assert_false(serves(&f->plan, "adm-bo.ip-10-0-1-23.ec2.internal"));
    assert_false(serves(&f->plan, "adm-amy.n9"));
    assert_true(template_user_warning(&f->plan, "node:{{EC2PrivateDNSName}}",
                                      "node-ip-10-0-9-8.ec2.internal"));
    /* "node:ip-10-0-7-7.ec2.internal" is what the template renders on that node: one person. */
    assert_true(serves(&f->plan, "node-ip-10-0-7-7.ec2.internal"));
    /* So is a regional name, whose login is cut (it was refused: longer than a login). */
    assert_true(serves_k8s(&f->plan, WEST_K8S));
}

/*
 * Templates that all overlap one another (a hostile aws-auth's): each is
 * named in a warning, and there is at most one warning a template, not
 * one a pair (300 templates made 44,850; 7,000, 24 million).
 */
static void test_overlapping_templates_said_once_each(void **state)
{
    enum { N = 300 };
    struct plan_fixture *f = *state;
    size_t len = 64 + N * 160, at = 0, i, j, said = 0;
    char *doc = malloc(len), tmpl[96];

    assert_non_null(doc);
    at += (size_t)snprintf(doc + at, len - at, "mapRoles: |\n");
    for (i = 0; i < N; i++)
        at += (size_t)snprintf(doc + at, len - at,
                               "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/r%zu\n"
                               "    username: sso-{{SessionName}}-m%zu-{{SessionName}}\n",
                               i, i);
    plan_fixture_load(f, doc);
    assert_int_equal(f->plan.n_templates, N);
    for (i = 0; i < f->plan.n_warnings; i++)
        said += strstr(f->plan.warnings[i], "can give the same login") != NULL;
    assert_in_range(said, N / 2, N);
    for (i = 0; i < N; i++) {
        snprintf(tmpl, sizeof(tmpl), "'sso-{{SessionName}}-m%zu-{{SessionName}}'", i);
        for (j = 0; j < f->plan.n_warnings && strstr(f->plan.warnings[j], tmpl) == NULL; j++)
            ;
        assert_true(j < f->plan.n_warnings);
    }
    free(doc);
}

/*
 * The checks of templates, against every pair asked: random aws-auths of
 * templates whose fixed ends begin and end one another in every way (rule
 * 1 and rule 2 among them) and static users those may fit.  Every
 * template that overlaps another is named in a warning of two that do;
 * a static user is refused exactly when a template fits its login without
 * rendering its username, the first such template in aws-auth's order
 * named; a template as it renders on the host, {{EC2PrivateDNSName}}
 * bound to the host's name ("n1"), or any name when that is unknown.
 */
static void test_template_checks_ask_every_rival(void **state)
{
    static const char *const HEADS[] = {
        "sso-", "sso", "SSO:", "1a", "_1a", "a", "ab-", "ab.c", "x{{EC2PrivateDNSName}}-", "sso-b"};
    static const char *const MIDS[] = {"{{SessionName}}",
                                       "{{AccountID}}",
                                       "{{SessionName}}-{{AccountID}}",
                                       "{{SessionNameRaw}}",
                                       "{{SessionName}}q{{SessionName}}",
                                       "{{SessionName}}ob{{SessionName}}",
                                       "{{SessionName}}-b{{AccountID}}",
                                       "{{SessionName}}b{{SessionName}}ob{{SessionName}}"};
    static const char *const TAILS[] = {"", "-x", "x", "-adm", "@corp", ".X", "b-x"};
    static const char *const USERS[] = {"sso-bob",         "ssobob",
                                        "sso-bob-x",       "a12",
                                        "_1abc",           "abx",
                                        "ab-cx",           "ab.cdx",
                                        "sso-bqb-x",       "ssox",
                                        "sso-b@corp",      "sso-xxobyy",
                                        "ssoxxqyyx",       "a-xx-b123456789012-adm",
                                        "sso-bbbbobbbb-x", "xn1-bob",
                                        "xn2-bob-x",       "xn1:bo"};
    const size_t n_users = sizeof(USERS) / sizeof(USERS[0]);
    struct plan_fixture *f = *state;
    unsigned long long seed = 42;
    char doc[8192], login[EKSAUTH_NAME_MAX + 1];
    size_t round, i, j, at, n;
    struct eksauth_error err;

    for (round = 0; round < 600; round++) {
        /* Every other round, the host's name unknown: any name. */
        f->host.private_dns_name = round % 2 == 0 ? "n1" : NULL;
        at = (size_t)snprintf(doc, sizeof(doc), "mapRoles: |\n");
        for (n = 1 + (seed >> 33) % 8, i = 0; i < n; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            at += (size_t)snprintf(doc + at, sizeof(doc) - at,
                                   "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/t%zu\n"
                                   "    username: \"%s%s%s\"\n",
                                   i, HEADS[(seed >> 33) % 10], MIDS[(seed >> 40) % 8],
                                   TAILS[(seed >> 50) % 7]);
        }
        at += (size_t)snprintf(doc + at, sizeof(doc) - at, "mapUsers: |\n");
        for (i = 0; i < n_users; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            if ((seed >> 33) % 2 == 0)
                at += (size_t)snprintf(doc + at, sizeof(doc) - at,
                                       "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/u%zu\n"
                                       "    username: \"%s\"\n",
                                       i, USERS[i]);
        }
        plan_fixture_load(f, doc);
        for (i = 0; i < f->plan.n_templates; i++) {
            const char *ti = f->plan.templates[i];
            char quoted[128];
            bool rival = false;

            for (j = 0; j < f->plan.n_templates; j++)
                rival =
                    rival || (j != i && eksauth_login_template_overlap(ti, f->plan.templates[j]));
            snprintf(quoted, sizeof(quoted), "'%s'", ti);
            for (j = 0; j < f->plan.n_warnings; j++)
                if (strstr(f->plan.warnings[j], "can give the same login:") != NULL &&
                    strstr(f->plan.warnings[j], quoted) != NULL)
                    break;
            if (rival != (j < f->plan.n_warnings))
                fail_msg("round %zu: '%s' overlaps another: %d, said: %d\n%s", round, ti, rival,
                         j < f->plan.n_warnings, doc);
        }
        for (i = 0; i < n_users; i++) {
            const char *first = NULL;

            if (strstr(doc, USERS[i]) == NULL || strstr(doc, "user/u") == NULL)
                continue;
            {
                char arn[64];

                snprintf(arn, sizeof(arn), "user/u%zu\n", i);
                if (strstr(doc, arn) == NULL)
                    continue;
            }
            assert_int_equal(eksauth_plan_login_for(&f->cfg, &f->host, USERS[i], login, &err),
                             EKSAUTH_OK);
            for (j = 0; j < f->plan.n_templates && first == NULL; j++) {
                const char *tj = f->plan.templates[j];
                char bound[EKSAUTH_TEMPLATE_BOUND_MAX];

                /* As it renders here: bound to the host's name, or any name when unknown. */
                if (f->host.private_dns_name != NULL && eksauth_template_needs_host_instance(tj))
                    assert_status(eksauth_template_bind_host(tj, f->host.private_dns_name, bound,
                                                             sizeof(bound), &err),
                                  EKSAUTH_OK);
                else
                    snprintf(bound, sizeof(bound), "%s", tj);
                if (eksauth_login_template_may_fit(bound, login) &&
                    !eksauth_login_template_may_render(bound, USERS[i]))
                    first = tj;
            }
            if ((first != NULL) != eksauth_plan_refuses(&f->plan, login) ||
                (first != NULL) != (eksauth_plan_find_user(&f->plan, login) == NULL) ||
                (first != NULL && !template_user_warning(&f->plan, first, USERS[i])))
                fail_msg("round %zu: user '%s' (login %s): first rival %s\n%s", round, USERS[i],
                         login, first != NULL ? first : "none", doc);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plan_static_users_and_groups, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_entry_with_many_groups, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_ids_deterministic_and_in_range,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_seeds_keep_recorded_ids, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_login_collision, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_login_named_like_users_group_is_refused,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_login_named_like_configured_users_group,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_repeated_groups, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_refuses_local_names, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_group_map_joins_two_k8s_groups,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_group_map_target_kept_from_a_like_name,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_group_map_typo_keeps_a_like_named_group,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_same_user_from_two_roles_gets_shared_groups,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_large, plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_sorted_by_name, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_sorted_by_name_many, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_keyed_ids, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_recorded_id_now_local, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_plan_skips_local_ids, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refusal_message_clean, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bare_template_not_served, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_overlapping_templates_said_once_each,
                                        plan_fixture_setup, plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_template_checks_ask_every_rival, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_host_template_checked_as_bound, plan_fixture_setup,
                                        plan_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_host_template_unknown_is_any_name, plan_fixture_setup,
                                        plan_fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
