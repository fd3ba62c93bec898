/*
 * plan_fixture.h - what test_identity (lib/identity.c, the plan) and
 * test_resolve (lib/resolve.c, one principal on it) share: an aws-auth
 * sample, a fake host whose local users, groups and ids the test gives, the
 * plan of a document on that host, and a principal resolved on the plan
 * both ways a host can (tests/lib/resolve_both.c).  Include after
 * <cmocka.h> and unit.h.
 */
#ifndef EKSAUTH_TEST_PLAN_FIXTURE_H
#define EKSAUTH_TEST_PLAN_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "eksauth/awsauth.h"
#include "eksauth/config.h"
#include "eksauth/identity.h"
#include "eksauth/resolve.h"

#define PLAN_ACCOUNT "123456789012"

/*
 * NodeRole (system:node:{{EC2PrivateDNSName}}, not served), the static
 * login build (system:masters), the template admin:{{SessionName}}
 * (developers), the static user alice (developers, viewers) and
 * mapAccounts 210987654321.
 */
extern const char *const PLAN_SAMPLE;

/* A fake host: its local users, groups and ids are given by the test. */
struct fake_host {
    const char *users[4];
    const char *groups[4];
    uint32_t gids[4];
    uint32_t ids[4]; /* local uids and gids (0 ends the list) */
};

/* A test's state (cmocka): the config (defaults), the plan, the host and the last resolution. */
struct plan_fixture {
    struct eksauth_config cfg;
    struct eksauth_awsauth *aa;
    struct eksauth_plan plan;
    struct fake_host fake;
    struct eksauth_host host;
    struct eksauth_identity id;
    struct eksauth_error err;
    /* NULL: resolve both ways (resolve_both); else with this view of the plan alone. */
    const struct eksauth_plan_view *view;
};

/* cmocka setup and teardown of a struct plan_fixture. */
int plan_fixture_setup(void **state);
int plan_fixture_teardown(void **state);

/* The plan of this aws-auth YAML on f's host, in place of any loaded before. */
void plan_fixture_load(struct plan_fixture *f, const char *yaml);

/* f->id and f->err for the principal of arn, canonical and session (see f->view). */
enum eksauth_status plan_fixture_resolve(struct plan_fixture *f, const char *arn,
                                         const char *canonical, const char *session);

/* A session of PLAN_ACCOUNT's role ROLE, as STS names it: the assumed-role ARN and the role's. */
enum eksauth_status plan_fixture_role(struct plan_fixture *f, const char *role,
                                      const char *session);

/* PLAN_ACCOUNT's IAM user NAME (its ARN is its canonical ARN; no session). */
enum eksauth_status plan_fixture_user(struct plan_fixture *f, const char *name);

/* Whether a warning of plan holds needle. */
bool plan_has_warning(const struct eksauth_plan *plan, const char *needle);

/* ROLE's session SESSION is refused, for the reason WHY (macros: a failure names the caller's
 * line). */
#define assert_refused(f, role, session, why)                                                      \
    do {                                                                                           \
        assert_status(plan_fixture_role(f, role, session), EKSAUTH_EREJECTED);                     \
        assert_status((f)->id.refusal, why);                                                       \
    } while (0)

/* ROLE's session SESSION is served as the login WANT. */
#define assert_login(f, role, session, want)                                                       \
    do {                                                                                           \
        assert_status(plan_fixture_role(f, role, session), EKSAUTH_OK);                            \
        assert_string_equal((f)->id.login, want);                                                  \
    } while (0)

#endif
