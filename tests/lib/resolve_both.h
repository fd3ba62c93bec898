/*
 * resolve_both.h - one principal resolved both ways a host can decide it
 * (lib/resolve.c): with the plan built now, and through the login index of
 * the same aws-auth and plan with an identity DB that holds the plan's
 * seeds (lib/login_index.c).  The two must decide alike; test_identity
 * and test_resolve take every one of their cases through both
 * (tests/lib/plan_fixture.c), except where a test changes the view itself.
 */
#ifndef TESTS_RESOLVE_BOTH_H
#define TESTS_RESOLVE_BOTH_H

#include "eksauth/resolve.h"

/*
 * eksauth_identity_resolve's answer (same arguments), after checking that
 * the login index of aa and plan, with a DB holding exactly plan's seeds
 * (as tombstones lasting beyond now: eksauth_mapping_seeds gives them
 * back as seeds), gives the same: status, reason, login, uid, gid, groups,
 * Kubernetes identity and message.  A difference fails the test.
 */
enum eksauth_status resolve_both(const struct eksauth_config *cfg, const struct eksauth_awsauth *aa,
                                 const struct eksauth_plan *plan, const struct eksauth_host *host,
                                 const struct eksauth_principal *p, const char *user_id,
                                 struct eksauth_identity *out, struct eksauth_error *err);

#endif
