/*
 * template_rivals.h - which served templates can give one login to two
 * people (docs/names-and-ids.md, "One login, one person"), without asking
 * every pair: the templates sorted by their fixed ends
 * (eksauth_login_template_ends), so a template or a login asks only the few
 * ranges whose ends can meet its own (an aws-auth of 7,000 templates made
 * 24 million pairs).  The ranges only choose whom to ask:
 * eksauth_login_template_overlap, _may_fit and _may_render decide.
 * Pure: no I/O.
 */
#ifndef EKSAUTH_TEMPLATE_RIVALS_H
#define EKSAUTH_TEMPLATE_RIVALS_H

#include <stddef.h>

#include "eksauth/status.h"

struct eksauth_template_rivals;

/*
 * The index of templates[0, n), each with placeholders (a plan's: a
 * username without any is a static user's).  templates must outlive it.
 * EKSAUTH_EINVAL for a template without placeholders, EKSAUTH_ENOMEM.
 */
enum eksauth_status eksauth_template_rivals_build(char *const *templates, size_t n,
                                                  struct eksauth_template_rivals **out,
                                                  struct eksauth_error *err);

/*
 * For template i, the index of one it overlaps, or SIZE_MAX when it
 * overlaps none.  Every template that overlaps another gets one, and it is
 * chosen so that each template can be named in one warning at most: when
 * partner(i) is j and partner(j) is i, say the pair once.
 */
size_t eksauth_template_rivals_partner(const struct eksauth_template_rivals *r, size_t i);

/*
 * The lowest index of a template that fits login and never renders
 * k8s_username (then the two are different people for one login), or
 * SIZE_MAX when none does.  An unbound {{EC2PrivateDNSName}} is any DNS
 * name here (eksauth_login_template_may_fit): a caller that knows the
 * host's name binds it first (eksauth_template_bind_host).
 */
size_t eksauth_template_rivals_taker(const struct eksauth_template_rivals *r, const char *login,
                                     const char *k8s_username);

void eksauth_template_rivals_free(struct eksauth_template_rivals *r);

#endif
