/*
 * login_template.h - a username template as the set of logins it can give
 * on a host (docs/names-and-ids.md, "Templated logins"): whether a login
 * fits it, whether it is bare (no fixed beginning, so it would fit almost
 * any name), and whether two templates can give the same login.
 *
 * A template's login is its literal text mapped by names.h rule 1, with
 * {{AccountID}} as 12 digits and {{SessionName}}/{{SessionNameRaw}} as 2 to
 * 64 of [a-z0-9._-] (the wildcards), and rule 2's leading '_'.
 * {{AccessKeyID}} and unknown placeholders give no login; an unbound
 * {{EC2PrivateDNSName}} gives none either (`eksauth sync` binds it to the
 * host's own private DNS name before a template reaches the identity DB).
 * Pure and libc only: the NSS module compiles this file too.
 */
#ifndef EKSAUTH_LOGIN_TEMPLATE_H
#define EKSAUTH_LOGIN_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/names.h"

/*
 * True when login can come from tmpl (the rules above).  A bare template
 * fits nothing.  A template without placeholders fits exactly the login
 * eksauth_names_login gives it.
 */
bool eksauth_login_template_fits(const char *tmpl, const char *login);

/*
 * True when tmpl has a wildcard placeholder and no letter or digit of
 * literal text before the first one (after rule 1): "{{SessionName}}",
 * "{{SessionNameRaw}}@corp", "-{{AccountID}}".  Such a template would fit
 * almost any name (and answer for names useradd wants), so hosts never
 * serve it.  {{EC2PrivateDNSName}} counts as literal text (the host's own
 * name).
 */
bool eksauth_login_template_bare(const char *tmpl);

/*
 * True when tmpl renders k8s_username itself for some session name of
 * [a-z0-9._-] (or account id), its literal text compared byte for byte:
 * then a static user of that username is the same Kubernetes user as the
 * template's login of that name, not a rival.
 */
bool eksauth_login_template_renders(const char *tmpl, const char *k8s_username);

/*
 * _fits and _renders for a template whose {{EC2PrivateDNSName}} may be
 * bound to a name not known yet (the plan's check of static users when
 * instance metadata did not answer: lib/identity.c): an unbound one
 * matches any lower-case DNS name, [a-z0-9.-] once or more, where _fits
 * and _renders match nothing.  Never for what a host serves: NSS would
 * answer for every node's name.
 */
bool eksauth_login_template_may_fit(const char *tmpl, const char *login);
bool eksauth_login_template_may_render(const char *tmpl, const char *k8s_username);

/*
 * True when tmpl can give login to the person of k8s_username: it fits
 * login, or renders k8s_username (NULL: not known, as to NSS before a
 * first login).  Either alone misses one: a login longer than
 * EKSAUTH_NAME_MAX is cut (names.h rule 3) to a head and a hash, so the cut
 * login of "dev-x...-adm" fits "dev-{{SessionName}}" but not
 * "dev-{{SessionName}}-adm", which both render "dev-x...-adm"; and a
 * login user_map gives fits no template at all.
 */
bool eksauth_login_template_gives(const char *tmpl, const char *login, const char *k8s_username);

/*
 * The rule of docs/names-and-ids.md, "One login, one person", in its one
 * place: how many of the n templates at(ctx, i) give login to k8s_username
 * (eksauth_login_template_gives), counting to two.  More than one: the
 * login is served to nobody, whoever comes first.
 */
unsigned eksauth_login_templates_giving(const char *(*at)(void *ctx, size_t i), void *ctx, size_t n,
                                        const char *login, const char *k8s_username);

/*
 * True when a and b may give the same login: their literal text before the
 * first wildcard (rule 1 and 2 applied) is one the start of the other, and
 * their literal text after the last wildcard one the end of the other.
 * Conservative: an unbound {{EC2PrivateDNSName}} counts as a wildcard, and
 * what lies between wildcards is not compared.  A template without
 * wildcards is compared by its one login.
 */
bool eksauth_login_template_overlap(const char *a, const char *b);

/* Room for an end: a template of more than EKSAUTH_NAME_MAX + 4 pieces gives no login. */
#define EKSAUTH_LOGIN_TEMPLATE_END_MAX (EKSAUTH_NAME_MAX + 8)

/*
 * The fixed text of a template with placeholders, mapped by rule 1, as
 * eksauth_login_template_overlap compares it: head, before the first
 * placeholder (and rule 2's '_'), which every login it fits begins with;
 * tail, after the last, which every such login ends with; middle, its
 * longest text between two placeholders ("" when none), which every such
 * login holds between the two.  An unbound {{EC2PrivateDNSName}} counts as
 * a placeholder.  lib/template_rivals.c sorts templates by these, so they
 * are cut here, by the rules that decide, and nowhere else.
 */
struct eksauth_login_template_ends {
    char head[EKSAUTH_LOGIN_TEMPLATE_END_MAX];
    char tail[EKSAUTH_LOGIN_TEMPLATE_END_MAX];
    char middle[EKSAUTH_LOGIN_TEMPLATE_END_MAX];
};

/*
 * Fills out and returns true for a template with placeholders that can
 * give a login (or could once its host name is bound); false, out
 * untouched, for one without placeholders (one login: eksauth_names_login)
 * or one that gives none ({{AccessKeyID}}, unknown, too long).
 */
bool eksauth_login_template_ends(const char *tmpl, struct eksauth_login_template_ends *out);

#endif
