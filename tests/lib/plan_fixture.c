/*
 * plan_fixture.c - the plan and resolution fixture of test_identity and
 * test_resolve (see plan_fixture.h).
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

#include "plan_fixture.h"
#include "resolve_both.h"

const char *const PLAN_SAMPLE =
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

/* The fake host's answers (struct eksauth_host). */
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

void plan_fixture_load(struct plan_fixture *f, const char *yaml)
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

int plan_fixture_setup(void **state)
{
    struct plan_fixture *f = calloc(1, sizeof(*f));
    struct eksauth_error err;

    assert_non_null(f);
    assert_int_equal(eksauth_config_init(&f->cfg, &err), EKSAUTH_OK);
    *state = f;
    return 0;
}

int plan_fixture_teardown(void **state)
{
    struct plan_fixture *f = *state;

    eksauth_identity_free(&f->id);
    eksauth_plan_free(&f->plan);
    eksauth_awsauth_free(f->aa);
    eksauth_config_free(&f->cfg);
    free(f);
    return 0;
}

enum eksauth_status plan_fixture_resolve(struct plan_fixture *f, const char *arn,
                                         const char *canonical, const char *session)
{
    struct eksauth_principal p = {
        .arn = arn,
        .canonical_arn = canonical,
        .account = PLAN_ACCOUNT,
        .session_name = session,
        .access_key_id = "ASIAEXAMPLEEXAMPLE01",
    };

    eksauth_identity_free(&f->id);
    if (f->view != NULL)
        return eksauth_identity_resolve_view(&f->cfg, f->aa, f->view, &f->host, &p, NULL, &f->id,
                                             &f->err);
    return resolve_both(&f->cfg, f->aa, &f->plan, &f->host, &p, NULL, &f->id, &f->err);
}

enum eksauth_status plan_fixture_role(struct plan_fixture *f, const char *role, const char *session)
{
    char arn[256], canonical[256];

    assert_true((size_t)snprintf(arn, sizeof(arn),
                                 "arn:aws:sts::" PLAN_ACCOUNT ":assumed-role/%s/%s", role,
                                 session) < sizeof(arn));
    assert_true((size_t)snprintf(canonical, sizeof(canonical),
                                 "arn:aws:iam::" PLAN_ACCOUNT ":role/%s",
                                 role) < sizeof(canonical));
    return plan_fixture_resolve(f, arn, canonical, session);
}

enum eksauth_status plan_fixture_user(struct plan_fixture *f, const char *name)
{
    char arn[256];

    assert_true((size_t)snprintf(arn, sizeof(arn), "arn:aws:iam::" PLAN_ACCOUNT ":user/%s", name) <
                sizeof(arn));
    return plan_fixture_resolve(f, arn, arn, "");
}

bool plan_has_warning(const struct eksauth_plan *plan, const char *needle)
{
    size_t i;

    for (i = 0; i < plan->n_warnings; i++)
        if (strstr(plan->warnings[i], needle) != NULL)
            return true;
    return false;
}
