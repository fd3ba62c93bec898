/*
 * arn.h - parse and canonicalise IAM/STS ARNs as the cluster's
 * authenticator does: an assumed-role ARN becomes the role's IAM ARN, and
 * the matching key is that canonical ARN in lower case (the cluster
 * compares whole ARNs ignoring case; docs/aws-auth.md, "Matching").
 */
#ifndef EKSAUTH_ARN_H
#define EKSAUTH_ARN_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

#define EKSAUTH_ARN_MAX 2048

enum eksauth_arn_type {
    EKSAUTH_ARN_ROLE,           /* arn:P:iam::A:role/[path/]NAME */
    EKSAUTH_ARN_USER,           /* arn:P:iam::A:user/[path/]NAME */
    EKSAUTH_ARN_ROOT,           /* arn:P:iam::A:root */
    EKSAUTH_ARN_ASSUMED_ROLE,   /* arn:P:sts::A:assumed-role/NAME/SESSION */
    EKSAUTH_ARN_FEDERATED_USER, /* arn:P:sts::A:federated-user/NAME */
};

struct eksauth_arn {
    enum eksauth_arn_type type;
    char partition[16];
    char account[16];
    char resource[EKSAUTH_ARN_MAX]; /* everything after the 5th ':' */
    char session_name[128];         /* assumed-role only, else "" */
    char canonical[EKSAUTH_ARN_MAX];
    /* The canonical ARN in lower case: the aws-auth lookup key. */
    char key[EKSAUTH_ARN_MAX];
};

/*
 * Parse and canonicalise s.  A known partition is required; the service
 * must be iam (role, user, root) or sts (assumed-role, federated-user); the
 * account must be 12 digits.  Failure: EKSAUTH_EINVAL with "arn: <why>".
 */
enum eksauth_status eksauth_arn_parse(const char *s, struct eksauth_arn *out,
                                      struct eksauth_error *err);

const char *eksauth_arn_type_name(enum eksauth_arn_type type);

/*
 * Whether s[0..len) is a session name as eksauth_arn_parse takes one in an
 * assumed-role ARN (the token path): 1 to 127 of [A-Za-z0-9_+=,.@-].
 */
bool eksauth_arn_session_name_ok(const char *s, size_t len);

#endif
