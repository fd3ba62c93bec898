/*
 * template.h - the aws-auth username and group templates, rendered in one
 * left-to-right pass: {{AccountID}}, {{SessionName}} ('@' becomes '-'),
 * {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}} (only for
 * the host's own instance, see below).  An unknown {{...}} is an error,
 * never literal text.
 *
 * {{EC2PrivateDNSName}}: the cluster's authenticator asks EC2 for the
 * private DNS name of the instance named by the session name.  Whoever may
 * assume the role picks the session name, so answering for any instance
 * would let them log in as any node.  eksauth renders it only when the
 * session name is this host's own instance id, with the private DNS name
 * the host read from its instance metadata (the caller fills
 * self_instance_id and self_private_dns_name, see imds.h); every other
 * instance is refused.
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
    /* This host's own EC2 instance (from instance metadata); NULL when not read. */
    const char *self_instance_id;      /* i-0123456789abcdef0 */
    const char *self_private_dns_name; /* ip-10-0-1-23.ec2.internal */
};

/* The placeholder that needs the host's own instance (see above). */
#define EKSAUTH_TEMPLATE_EC2_PRIVATE_DNS_NAME "{{EC2PrivateDNSName}}"

enum eksauth_template_use {
    EKSAUTH_TEMPLATE_USERNAME, /* {{AccessKeyID}} refused: it changes every session */
    EKSAUTH_TEMPLATE_GROUP,
};

/* True when s holds a "{{" placeholder. */
bool eksauth_template_has_placeholder(const char *s);

/* True when s holds {{EC2PrivateDNSName}}: rendering it needs the host's own instance. */
bool eksauth_template_needs_host_instance(const char *s);

/* Room for a template bound to a host (DNS names are 253 bytes at most). */
#define EKSAUTH_TEMPLATE_BOUND_MAX 1024

/*
 * tmpl with every {{EC2PrivateDNSName}} replaced by dns_name (this host's
 * own: on this host a login renders no other), the other placeholders
 * kept, into out.  EKSAUTH_EINVAL when it does not fit outlen.  Pure.
 */
enum eksauth_status eksauth_template_bind_host(const char *tmpl, const char *dns_name, char *out,
                                               size_t outlen, struct eksauth_error *err);

/*
 * True when s is an instance id as the authenticator accepts it in a
 * session name: ^i-(\w{8}|\w{17})$ (\w: [0-9A-Za-z_]).  Pure.
 */
bool eksauth_template_instance_id_valid(const char *s);

/*
 * True when s can be a node's name: a lower-case DNS name (RFC 1123
 * labels of [a-z0-9-], 1-63 bytes, no '-' at either end, 253 bytes at
 * most), as Kubernetes requires of node names.  Pure.
 */
bool eksauth_template_dns_name_valid(const char *s);

/*
 * Render tmpl for p into out.  Failure: EKSAUTH_EREJECTED with
 * "template: <why>" (unknown placeholder, unterminated "{{", a
 * placeholder whose value is empty, {{EC2PrivateDNSName}} for a session
 * name that is not an instance id ("SessionName did not contain an
 * instance id"), for an unknown host instance or for another instance than
 * this host's, AccessKeyID in a username, result too long).
 */
enum eksauth_status eksauth_template_render(const char *tmpl, const struct eksauth_principal *p,
                                            enum eksauth_template_use use, char *out, size_t outlen,
                                            struct eksauth_error *err);

/*
 * Check a template's syntax without a principal (aws-auth parsing, sync):
 * unterminated or unknown placeholders fail.  Known placeholders pass even
 * where rendering may refuse them (EC2PrivateDNSName, AccessKeyID in a
 * username): that refusal belongs to the login that meets it.
 */
enum eksauth_status eksauth_template_validate(const char *tmpl, enum eksauth_template_use use,
                                              struct eksauth_error *err);

#endif
