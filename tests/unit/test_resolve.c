/*
 * test_resolve.c - lib/resolve.c: one verified principal into its
 * identity on this host.  A static login at its planned uid, a templated
 * one at probe 0 of its name or its recorded id and nothing else; the
 * users' group as every login's primary group and none named by a login;
 * the groups granted (planned for the same k8s group, group_map's local
 * ones, a group only a template renders at a free id) and those never
 * (two k8s groups' name, a login's name, a local group's, another k8s
 * group's, one without a free id); the refusals and the reason a person is
 * told (a login another k8s user owns, a mapped group's name, a bare or
 * ambiguous template, session characters, a held id, no users' group); a
 * view that could not be read decides nothing.  Resolutions are made with
 * the plan and through the login index alike (tests/lib/plan_fixture.c,
 * tests/lib/resolve_both.c), except where a view of the plan is changed.
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

#include "eksauth/names.h"
#include "eksauth/resolve.h"
#include "plan_fixture.h"
#include "resolve_both.h"
#include "unit.h"

/*
 * Two k8s groups that become one POSIX group are served to neither, and a
 * login in one of them does not get it either: a login's groups would
 * otherwise give the refused group an id, and the second group's members
 * would join it at their first login.  A template that renders the group
 * is refused it too.
 */
static void test_group_collision_grants_no_one(void **state)
{
    struct plan_fixture *f = *state;
    size_t i;

    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/a\n"
                         "    username: alice\n"
                         "    groups: [Dev, ops]\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/b\n"
                         "    username: bob\n"
                         "    groups: [dev]\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/t\n"
                         "    username: t-{{SessionName}}\n"
                         "    groups: ['{{SessionName}}']\n");
    assert_true(plan_has_warning(&f->plan, "neither is served"));
    assert_null(eksauth_plan_find_group(&f->plan, "eks-dev"));
    assert_true(eksauth_plan_refuses_group(&f->plan, "eks-dev"));
    assert_false(eksauth_plan_refuses_group(&f->plan, "eks-ops"));
    assert_int_equal(plan_fixture_role(f, "a", "s"), EKSAUTH_OK);
    for (i = 0; i < f->id.n_groups; i++)
        assert_string_not_equal(f->id.groups[i].name, "eks-dev");
    assert_int_equal(f->id.n_groups, 2); /* eks-ops and the users' group */
    assert_int_equal(plan_fixture_role(f, "b", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 1); /* the users' group only */
    /* A session named dev renders k8s group "dev": not the refused eks-dev either. */
    assert_int_equal(plan_fixture_role(f, "t", "dev"), EKSAUTH_OK);
    for (i = 0; i < f->id.n_groups; i++)
        assert_string_not_equal(f->id.groups[i].name, "eks-dev");
    /* Another session's own group is still granted. */
    assert_int_equal(plan_fixture_role(f, "t", "qa"), EKSAUTH_OK);
    assert_string_equal(f->id.groups[0].name, "eks-qa");
}

/*
 * A session cannot render a login named like a mapped group (lib/resolve.c):
 * session developers of eks-{{SessionName}} would be login eks-developers,
 * the POSIX group of k8s group developers.
 */
static void test_login_named_like_mapped_group_is_refused(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_id_seed seeds[] = {
        {.name = "eks-developers", .id = 1900000002, .is_group = true}};

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/a\n"
                         "    username: alice\n"
                         "    groups: [developers]\n"
                         "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/t\n"
                         "    username: eks-{{SessionName}}\n");
    assert_non_null(eksauth_plan_find_group(&f->plan, "eks-developers"));
    assert_int_equal(plan_fixture_role(f, "t", "developers"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "'eks-developers' is the name of a mapped group"));
    assert_login(f, "t", "bob", "eks-bob");
    /* The group kept a recorded gid, so the login's own id is free: the name alone refuses. */
    eksauth_plan_free(&f->plan);
    assert_int_equal(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, 1, &f->plan, &f->err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_plan_find_group(&f->plan, "eks-developers")->gid, 1900000002);
    assert_int_equal(plan_fixture_role(f, "t", "developers"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "'eks-developers' is the name of a mapped group"));
}

/*
 * With the group of every login not served (a local group holds its name)
 * no login is served: never one with gid 0 as its primary group.
 */
static void test_no_login_without_users_group(void **state)
{
    struct plan_fixture *f = *state;

    f->fake.groups[0] = "eks-users";
    f->fake.gids[0] = 100;
    plan_fixture_load(f, PLAN_SAMPLE);
    assert_true(plan_has_warning(&f->plan, "the group of every login, 'eks-users', is a local "
                                           "group; not served"));
    assert_int_equal(f->plan.users_gid, 0);
    assert_int_equal(plan_fixture_user(f, "alice"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "the group of every login ('users_group') is not served"));
    assert_int_equal(f->id.gid, 0);
    assert_refused(f, "dev", "bob", EKSAUTH_REFUSAL_NONE);
    assert_non_null(strstr(f->err.msg, "is not served here"));
}

static void test_group_map_joins_local_group_on_purpose(void **state)
{
    struct plan_fixture *f = *state;

    f->fake.groups[0] = "sudo";
    f->fake.gids[0] = 27;
    f->cfg.group_map = calloc(1, sizeof(*f->cfg.group_map));
    f->cfg.group_map[0].from = strdup("system:masters");
    f->cfg.group_map[0].to = strdup("sudo");
    f->cfg.n_group_map = 1;
    plan_fixture_load(f, PLAN_SAMPLE);
    assert_int_equal(plan_fixture_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 2);
    assert_string_equal(f->id.groups[0].name, "sudo");
    assert_int_equal(f->id.groups[0].gid, 27);
}

static void test_resolve_static_user(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, PLAN_SAMPLE);
    assert_int_equal(plan_fixture_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_OK);
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
    struct plan_fixture *f = *state;

    plan_fixture_load(f, PLAN_SAMPLE);
    assert_int_equal(plan_fixture_role(f, "dev", "bob@example.com"), EKSAUTH_OK);
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
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
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
    assert_int_equal(plan_fixture_user(f, "bob"), EKSAUTH_EREJECTED);
    /* The same k8s user from a template and a static entry is one person: served. */
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                         "    username: admin:{{SessionName}}\n"
                         "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                         "    username: admin:bob\n");
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-bob"));
    assert_int_equal(plan_fixture_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, eksauth_plan_find_user(&f->plan, "admin-bob")->uid);
}

/*
 * A session name that case-folds to a login another k8s user owns is refused
 * that login (lib/resolve.c): session Bob of admin:{{SessionName}} is k8s
 * user admin:Bob, not admin:bob, and must not get admin:bob's login and uid.
 */
static void test_resolve_session_cannot_take_another_users_login(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                         "    username: admin:{{SessionName}}\n"
                         "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                         "    username: admin:bob\n");
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-bob"));
    assert_int_equal(plan_fixture_role(f, "dev", "Bob"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-bob' belongs to k8s user 'admin:bob', not "
                                       "'admin:Bob'"));
    assert_int_equal(f->id.uid, 0);
    /* admin:bob himself, and the session that is admin:bob, keep it. */
    assert_login(f, "dev", "bob", "admin-bob");
    assert_int_equal(plan_fixture_user(f, "bob"), EKSAUTH_OK);
    assert_string_equal(f->id.login, "admin-bob");
}

static void test_resolve_refusals(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/sys\n"
                         "    username: system:admin\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/root\n"
                         "    username: root\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
                         "    username: system:node:{{EC2PrivateDNSName}}\n");
    assert_int_equal(plan_fixture_role(f, "sys", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "allow_system_users"));
    assert_int_equal(plan_fixture_role(f, "root", "s"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "denied"));
    assert_int_equal(plan_fixture_role(f, "NodeRole", "i-0123456789abcdef0"), EKSAUTH_EREJECTED);
    assert_non_null(
        strstr(f->err.msg, "{{EC2PrivateDNSName}}: this host's own instance is unknown"));
    assert_int_equal(plan_fixture_role(f, "other", "s"), EKSAUTH_ENOTMAPPED);
}

/*
 * deny_user may name a k8s username, not only a login (lib/config.c): with
 * deny_user = admin:mallory the entry of k8s user admin:mallory is refused,
 * and so is a session of a template that renders it; others are served.
 */
static void test_resolve_deny_user_names_k8s_user(void **state)
{
    struct plan_fixture *f = *state;
    const char *conf = "cluster_id = c\ndeny_user = admin:mallory\n";

    assert_int_equal(eksauth_config_parse(&f->cfg, conf, strlen(conf), "t.conf", &f->err),
                     EKSAUTH_OK);
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/dev\n"
                         "    username: admin:{{SessionName}}\n"
                         "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::123456789012:user/mallory\n"
                         "    username: admin:mallory\n"
                         "  - userarn: arn:aws:iam::123456789012:user/alice\n"
                         "    username: admin:alice\n");
    assert_null(eksauth_plan_find_user(&f->plan, "admin-mallory"));
    assert_non_null(eksauth_plan_find_user(&f->plan, "admin-alice"));
    assert_int_equal(plan_fixture_user(f, "mallory"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-mallory' is denied"));
    assert_int_equal(plan_fixture_role(f, "dev", "mallory"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login 'admin-mallory' is denied"));
    assert_int_equal(plan_fixture_user(f, "alice"), EKSAUTH_OK);
    assert_login(f, "dev", "bob", "admin-bob");
}

static void test_resolve_system_user_allowed_by_config(void **state)
{
    struct plan_fixture *f = *state;

    f->cfg.allow_system_users = true;
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/sys\n"
                         "    username: system:admin\n");
    assert_login(f, "sys", "s", "system-admin");
}

/* A node on its own host: the login comes from the private DNS name (allow_system_users on). */
static void test_resolve_own_node(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_principal p = {
        .arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0123456789abcdef0",
        .canonical_arn = "arn:aws:iam::123456789012:role/NodeRole",
        .account = PLAN_ACCOUNT,
        .session_name = "i-0123456789abcdef0",
        .access_key_id = "",
        .self_instance_id = "i-0123456789abcdef0",
        .self_private_dns_name = "ip-10-0-1-23.ec2.internal",
    };

    f->cfg.allow_system_users = true;
    plan_fixture_load(f, "mapRoles: |\n"
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
    struct plan_fixture *f = *state;
    struct eksauth_principal p = {
        .arn = "arn:aws:iam::210987654321:user/dave",
        .canonical_arn = "arn:aws:iam::210987654321:user/dave",
        .account = "210987654321",
        .session_name = "",
        .access_key_id = "",
    };

    plan_fixture_load(f, PLAN_SAMPLE);
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

/* sshd keeps the uid NSS gave before PAM: a templated login gets that one id or nothing. */
static void test_resolve_templated_takes_probe_zero_or_nothing(void **state)
{
    struct plan_fixture *f = *state;
    uint32_t bob0 = eksauth_names_id(NULL, "admin-bob", 0, 0, 0);
    struct eksauth_id_seed seeds[] = {
        {.name = "admin-carol", .id = bob0, .is_group = false},
    };
    struct eksauth_error err;

    plan_fixture_load(f, PLAN_SAMPLE);
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
    assert_int_equal(plan_fixture_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, 1900000123);
    /* A local uid on it: refused the same way (uid_min = 1000 and a local account there). */
    f->fake.ids[0] = bob0;
    plan_fixture_load(f, PLAN_SAMPLE);
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
    struct plan_fixture *f = *state;

    plan_fixture_load(f, RAW_AND_PLAIN);
    assert_refused(f, "raw", "a@b", EKSAUTH_REFUSAL_SESSION_CHARS);
    assert_non_null(strstr(f->err.msg, "characters a login name cannot carry"));
    assert_login(f, "raw", "a-b", "raw-a-b");
    /* Upper case is rewritten too: Alice and alice would be one login. */
    assert_refused(f, "dev", "Alice", EKSAUTH_REFUSAL_SESSION_CHARS);
    /* {{SessionName}} turns '@' into '-' itself, as the cluster does: one k8s user, one login. */
    assert_login(f, "dev", "alice@example.com", "admin-alice-example.com");
}

/* Role a's template ta and role b's tb, which overlap: the sync says so. */
static void load_rivals(struct plan_fixture *f, const char *a, const char *ta, const char *b,
                        const char *tb)
{
    char yaml[512], says[256];

    snprintf(yaml, sizeof(yaml),
             "mapRoles: |\n"
             "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/%s\n"
             "    username: %s\n"
             "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/%s\n"
             "    username: %s\n",
             a, ta, b, tb);
    plan_fixture_load(f, yaml);
    snprintf(says, sizeof(says), "templates '%s' and '%s' can give the same login", ta, tb);
    assert_true(plan_has_warning(&f->plan, says));
}

/* The squat of issue 16: a dev's session name that gives an admin's login. */
static void test_overlapping_templates(void **state)
{
    struct plan_fixture *f = *state;

    /* The case: admins admin:{{SessionName}}, devs {{SessionName}}, session admin@alice. */
    plan_fixture_load(f, "mapRoles: |\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/admins\n"
                         "    username: admin:{{SessionName}}\n"
                         "  - rolearn: arn:aws:iam::123456789012:role/devs\n"
                         "    username: \"{{SessionName}}\"\n");
    assert_int_equal(plan_fixture_role(f, "devs", "admin@alice"), EKSAUTH_EREJECTED);
    assert_login(f, "admins", "alice", "admin-alice");
    /* Prefixes that overlap: reported, and a login both give goes to nobody, in either order. */
    load_rivals(f, "admins", "admin:{{SessionName}}", "devs", "admin-{{SessionName}}");
    assert_refused(f, "devs", "alice", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_refused(f, "admins", "alice", EKSAUTH_REFUSAL_AMBIGUOUS);
}

/*
 * A login longer than 32 bytes is cut (names.h rule 3), which drops a
 * template's fixed text after its placeholder: the cut login fits only
 * dev-{{SessionName}}, yet its Kubernetes username is one both templates
 * render (a contractor's session firstname.lastname-corp.example.com-adm is
 * the admin's k8s user).  So is the short pair: refused to both, whoever
 * comes first.  A long session of one template alone is served, cut.
 */
static void test_overlapping_templates_cut_login(void **state)
{
    static const char ADM[] = "dev-firstname.lastname-corp.example.com-adm";
    struct plan_fixture *f = *state;
    char cut[EKSAUTH_NAME_MAX + 1], says[256];

    load_rivals(f, "contractors", "dev-{{SessionName}}", "admins", "dev-{{SessionName}}-adm");
    assert_refused(f, "admins", "bob", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_refused(f, "contractors", "bob-adm", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_refused(f, "admins", "firstname.lastname@corp.example.com", EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_int_equal(eksauth_names_login(ADM, cut, NULL), EKSAUTH_OK);
    snprintf(says, sizeof(says), "'%s' of k8s user '%s' can come from more than one", cut, ADM);
    assert_non_null(strstr(f->err.msg, says));
    assert_refused(f, "contractors", "firstname.lastname-corp.example.com-adm",
                   EKSAUTH_REFUSAL_AMBIGUOUS);
    assert_int_equal(f->id.uid, 0);
    /* Only dev-{{SessionName}} renders dev-firstname.lastname-corp.example.com: served, cut. */
    assert_status(plan_fixture_role(f, "contractors", "firstname.lastname@corp.example.com"),
                  EKSAUTH_OK);
    assert_int_equal(strlen(f->id.login), EKSAUTH_NAME_MAX);
    assert_string_equal(f->id.k8s.username, "dev-firstname.lastname-corp.example.com");
}

/* No private groups: a login named admin, wheel or docker is in no group of that name. */
static void test_no_group_named_by_a_login(void **state)
{
    static const char *const names[] = {"admin", "wheel", "docker"};
    struct plan_fixture *f = *state;
    size_t i, j;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::123456789012:user/admin\n"
                         "    username: admin\n"
                         "  - userarn: arn:aws:iam::123456789012:user/wheel\n"
                         "    username: wheel\n"
                         "  - userarn: arn:aws:iam::123456789012:user/docker\n"
                         "    username: docker\n"
                         "    groups: [devs]\n");
    for (i = 0; i < 3; i++) {
        assert_null(eksauth_plan_find_group(&f->plan, names[i]));
        assert_int_equal(plan_fixture_user(f, names[i]), EKSAUTH_OK);
        assert_string_equal(f->id.login, names[i]);
        assert_int_equal(f->id.gid, f->plan.users_gid);
        for (j = 0; j < f->id.n_groups; j++) {
            assert_string_not_equal(f->id.groups[j].name, names[i]);
            assert_true(strncmp(f->id.groups[j].name, "eks-", 4) == 0);
        }
    }
}

/* A template whose sessions render their own k8s group, beside a static login and its group. */
static const char *const RENDERS_GROUPS = "mapRoles: |\n"
                                          "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/t\n"
                                          "    username: t-{{SessionName}}\n"
                                          "    groups: ['{{SessionName}}']\n"
                                          "  - rolearn: arn:aws:iam::" PLAN_ACCOUNT ":role/acct\n"
                                          "    username: acct-{{AccountID}}\n"
                                          "    groups: ['{{SessionName}}']\n"
                                          "mapUsers: |\n"
                                          "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/ea\n"
                                          "    username: eks-alice\n"
                                          "    groups: [dev]\n";

/* Whether the last resolution granted a group of this name. */
static bool granted(const struct plan_fixture *f, const char *name)
{
    size_t i;

    for (i = 0; i < f->id.n_groups; i++)
        if (strcmp(f->id.groups[i].name, name) == 0)
            return true;
    return false;
}

/*
 * A group a session renders is its own only when no one else has the
 * name: not a login (eks-alice), not a local group (eks-ops, whose gid is
 * the host's), not a planned group of another k8s group (eks-dev is k8s
 * "dev"; "Dev" is another group).  A name no one has is granted.
 */
static void test_rendered_group_takes_no_other_name(void **state)
{
    struct plan_fixture *f = *state;

    f->fake.groups[0] = "eks-ops";
    f->fake.gids[0] = 4242;
    plan_fixture_load(f, RENDERS_GROUPS);
    assert_status(plan_fixture_role(f, "t", "alice"), EKSAUTH_OK);
    assert_false(granted(f, "eks-alice"));
    assert_status(plan_fixture_role(f, "t", "ops"), EKSAUTH_OK);
    assert_false(granted(f, "eks-ops"));
    assert_status(plan_fixture_role(f, "acct", "Dev"), EKSAUTH_OK);
    assert_string_equal(f->id.login, "acct-" PLAN_ACCOUNT);
    assert_false(granted(f, "eks-dev"));
    assert_int_equal(f->id.n_groups, 1); /* the users' group */
    assert_status(plan_fixture_role(f, "acct", "dev"), EKSAUTH_OK);
    assert_true(granted(f, "eks-dev"));
    assert_int_equal(f->id.groups[0].gid, eksauth_plan_find_group(&f->plan, "eks-dev")->gid);
    assert_status(plan_fixture_role(f, "t", "qa"), EKSAUTH_OK);
    assert_string_equal(f->id.groups[0].name, "eks-qa");
    assert_string_equal(f->id.groups[0].k8s_group, "qa");
}

/* group_map to a local group the host does not have grants nothing (never gid 0). */
static void test_group_map_to_a_missing_local_group(void **state)
{
    struct plan_fixture *f = *state;

    f->cfg.group_map = calloc(1, sizeof(*f->cfg.group_map));
    assert_non_null(f->cfg.group_map);
    f->cfg.group_map[0].from = strdup("system:masters");
    f->cfg.group_map[0].to = strdup("sudo");
    f->cfg.n_group_map = 1;
    plan_fixture_load(f, PLAN_SAMPLE);
    assert_status(plan_fixture_role(f, "EksCodeBuildKubectlRole", "s"), EKSAUTH_OK);
    assert_int_equal(f->id.n_groups, 1);
    assert_string_equal(f->id.groups[0].name, "eks-users");
}

static bool every_id_taken(void *ctx, const struct eksauth_host *host, uint32_t id)
{
    (void)ctx;
    (void)host;
    (void)id;
    return true;
}

static bool view_failed(void *ctx)
{
    (void)ctx;
    return true;
}

/*
 * The id a name gets from a view: its planned id, its recorded one (a
 * seed), else the first probe no one holds, here or on the host; none (0,
 * which callers refuse) when every probe is held.
 */
static void test_view_id_for(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_id_seed seed = {.name = "admin-carol", .id = 1900000003, .is_group = false};
    struct eksauth_plan_view v;
    uint32_t qa0 = eksauth_names_id(NULL, "eks-qa", 0, 0, 0);
    uint32_t build, masters;

    plan_fixture_load(f, PLAN_SAMPLE);
    eksauth_plan_free(&f->plan);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, &f->host, &seed, 1, &f->plan, &f->err),
                  EKSAUTH_OK);
    build = eksauth_plan_find_user(&f->plan, "build")->uid;
    masters = eksauth_plan_find_group(&f->plan, "eks-system-masters")->gid;
    eksauth_plan_view_init(&v, &f->plan);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "build", false), build);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "eks-system-masters", true), masters);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "admin-carol", false), 1900000003);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "eks-qa", true), qa0);
    f->fake.ids[0] = qa0; /* a local account holds probe 0 */
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "eks-qa", true),
                     eksauth_names_id(NULL, "eks-qa", 1, 0, 0));
    v.id_taken = every_id_taken;
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "eks-qa", true), 0);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "build", false), build);
    assert_int_equal(eksauth_plan_view_id_for(&v, &f->host, "admin-carol", false), 1900000003);
}

/*
 * A group a template renders with no free id is not granted (never at gid
 * 0); the login, whose id is recorded, still is.
 */
static void test_rendered_group_without_an_id(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_id_seed seed = {.name = "t-qa", .id = 1900000123, .is_group = false};
    struct eksauth_plan_view v;

    plan_fixture_load(f, RENDERS_GROUPS);
    eksauth_plan_free(&f->plan);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, &f->host, &seed, 1, &f->plan, &f->err),
                  EKSAUTH_OK);
    assert_status(plan_fixture_role(f, "t", "qa"), EKSAUTH_OK);
    assert_true(granted(f, "eks-qa"));
    eksauth_plan_view_init(&v, &f->plan);
    v.id_taken = every_id_taken;
    f->view = &v;
    assert_status(plan_fixture_role(f, "t", "qa"), EKSAUTH_OK);
    assert_int_equal(f->id.uid, 1900000123);
    assert_false(granted(f, "eks-qa"));
    assert_int_equal(f->id.n_groups, 1);
    assert_string_equal(f->id.groups[0].name, "eks-users");
}

/*
 * A view that could not read one of its answers decides nothing: not a
 * login it would grant, not a refusal it would give (its reason is not
 * told), but "unavailable", so the login maps with the whole snapshot or
 * waits for a sync.
 */
static void test_view_that_failed_decides_nothing(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_plan_view v;

    plan_fixture_load(f, PLAN_SAMPLE);
    eksauth_plan_view_init(&v, &f->plan);
    f->view = &v;
    assert_login(f, "dev", "bob", "admin-bob");
    assert_refused(f, "dev", "Bob", EKSAUTH_REFUSAL_SESSION_CHARS);
    v.failed = view_failed;
    assert_status(plan_fixture_role(f, "dev", "bob"), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(f->err.msg, "could not be read whole: run eksauth sync"));
    assert_string_equal(f->id.login, "");
    assert_int_equal(f->id.uid, 0);
    assert_status(plan_fixture_role(f, "dev", "Bob"), EKSAUTH_EUNAVAIL);
    assert_status(f->id.refusal, EKSAUTH_REFUSAL_NONE);
}

/* Who signed is kept with the identity, as STS named it (the audit line's). */
static void test_identity_keeps_the_signer(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, PLAN_SAMPLE);
    assert_status(plan_fixture_role(f, "dev", "bob"), EKSAUTH_OK);
    assert_string_equal(f->id.arn, "arn:aws:sts::" PLAN_ACCOUNT ":assumed-role/dev/bob");
    assert_string_equal(f->id.canonical_arn, "arn:aws:iam::" PLAN_ACCOUNT ":role/dev");
    assert_string_equal(f->id.account, PLAN_ACCOUNT);
    assert_string_equal(f->id.session_name, "bob");
    assert_string_equal(f->id.access_key_id, "ASIAEXAMPLEEXAMPLE01");
    assert_string_equal(f->id.user_id, ""); /* none given */
    assert_string_equal(f->id.k8s.username, "admin:bob");
}

/*
 * A static login the plan does not serve is refused, whatever the reason
 * (here: it would be named like the group of every login).
 */
static void test_static_login_not_planned(void **state)
{
    struct plan_fixture *f = *state;

    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/x\n"
                         "    username: EKS:Users\n");
    assert_null(eksauth_plan_find_user(&f->plan, "eks-users"));
    assert_status(plan_fixture_user(f, "x"), EKSAUTH_EREJECTED);
    assert_non_null(strstr(f->err.msg, "login refused: 'eks-users' is not served on this host"));
    assert_status(f->id.refusal, EKSAUTH_REFUSAL_NONE);
}

#define T(name) cmocka_unit_test_setup_teardown(name, plan_fixture_setup, plan_fixture_teardown)

EKSAUTH_UNIT_MAIN(
    T(test_group_collision_grants_no_one), T(test_login_named_like_mapped_group_is_refused),
    T(test_no_login_without_users_group), T(test_group_map_joins_local_group_on_purpose),
    T(test_resolve_static_user), T(test_resolve_templated_user),
    T(test_resolve_template_cannot_take_a_static_login),
    T(test_resolve_session_cannot_take_another_users_login), T(test_resolve_refusals),
    T(test_resolve_deny_user_names_k8s_user), T(test_resolve_system_user_allowed_by_config),
    T(test_resolve_own_node), T(test_resolve_map_accounts),
    T(test_resolve_templated_takes_probe_zero_or_nothing), T(test_resolve_session_chars),
    T(test_overlapping_templates), T(test_overlapping_templates_cut_login),
    T(test_no_group_named_by_a_login), T(test_rendered_group_takes_no_other_name),
    T(test_group_map_to_a_missing_local_group), T(test_view_id_for),
    T(test_rendered_group_without_an_id), T(test_view_that_failed_decides_nothing),
    T(test_identity_keeps_the_signer), T(test_static_login_not_planned))
