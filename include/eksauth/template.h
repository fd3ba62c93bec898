/*
 * template.h - the aws-auth username and group templates, rendered in one
 * left-to-right pass: {{AccountID}}, {{SessionName}} ('@' becomes '-'),
 * {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}} (refused: not
 * supported yet).  An unknown {{...}} is an error, never literal text.
 */
#ifndef EKSAUTH_TEMPLATE_H
#define EKSAUTH_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

struct eksauth_principal {
    const char *arn;           /* as STS returned it */
    const char *canonical_arn; /* arn_parse's canonical form */
    const char *account;       /* 12 digits */
    const char *session_name;  /* "" unless an assumed role */
    const char *access_key_id; /* from the token's X-Amz-Credential; may be "" */
};

enum eksauth_template_use {
    EKSAUTH_TEMPLATE_USERNAME, /* {{AccessKeyID}} refused: it changes every session */
    EKSAUTH_TEMPLATE_GROUP,
};

/* True when s holds a "{{" placeholder. */
bool eksauth_template_has_placeholder(const char *s);

/*
 * Render tmpl for p into out.  Failure: EKSAUTH_EREJECTED with
 * "template: <why>" (unknown placeholder, unterminated "{{", a
 * placeholder whose value is empty, EC2PrivateDNSName not supported yet,
 * AccessKeyID in a username, result too long).
 */
enum eksauth_status eksauth_template_render(const char *tmpl, const struct eksauth_principal *p,
                                            enum eksauth_template_use use, char *out,
                                            size_t outlen, struct eksauth_error *err);

/*
 * Check a template's syntax without a principal (aws-auth parsing, sync):
 * unterminated or unknown placeholders fail.  Known placeholders pass even
 * where rendering will refuse them (EC2PrivateDNSName, AccessKeyID in a
 * username): that refusal belongs to the login that meets it.
 */
enum eksauth_status eksauth_template_validate(const char *tmpl, enum eksauth_template_use use,
                                              struct eksauth_error *err);

#endif
