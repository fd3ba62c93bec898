/*
 * imds.h - EC2 instance metadata with IMDSv2: PUT /latest/api/token with
 * "X-aws-ec2-metadata-token-ttl-seconds" for a session token, then GETs
 * with "X-aws-ec2-metadata-token".  1 s timeouts, 2 tries per request, as
 * the AWS SDKs do.  IMDSv1 (a GET without a token) is never used.
 *
 * The parsers are pure; the calls go through http.h (plain http, the
 * service lives on a link-local address; no proxy, no redirects).
 */
#ifndef EKSAUTH_IMDS_H
#define EKSAUTH_IMDS_H

#include <stddef.h>
#include <time.h>

#include "eksauth/creds.h"
#include "eksauth/status.h"

#define EKSAUTH_IMDS_DEFAULT_ENDPOINT "http://169.254.169.254"
#define EKSAUTH_IMDS_TOKEN_TTL        21600 /* seconds asked for a session token */
#define EKSAUTH_IMDS_TOKEN_MAX        1024
#define EKSAUTH_IMDS_MAX_BODY         (64 * 1024)
#define EKSAUTH_IMDS_TIMEOUT_MS       1000
#define EKSAUTH_IMDS_TRIES            2

/*
 * The role listing of /latest/meta-data/iam/security-credentials/: the
 * first line, which must be an IAM role name ([A-Za-z0-9+=,.@_-], 1-64).
 * EKSAUTH_ENOTFOUND when empty (no role attached), EKSAUTH_EINVAL otherwise.
 */
enum eksauth_status eksauth_imds_parse_role(const char *body, size_t len, char *out, size_t outlen,
                                            struct eksauth_error *err);

/*
 * The credentials document of .../security-credentials/<role>:
 * {"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token",
 * "Expiration": RFC 3339}.  A Code other than Success, a missing field or
 * a field of the wrong type is EKSAUTH_EINVAL naming it.  Fills out
 * (source EKSAUTH_CREDS_IMDS, expiration set).  Pure.
 */
enum eksauth_status eksauth_imds_parse_credentials(const char *body, size_t len,
                                                   struct eksauth_creds *out,
                                                   struct eksauth_error *err);

/* A session token as IMDS hands it out: 1..EKSAUTH_IMDS_TOKEN_MAX-1 visible ASCII bytes. */
int eksauth_imds_token_valid(const char *body, size_t len);

/*
 * The instance role's credentials from endpoint (NULL: the default).
 * EKSAUTH_EUNAVAIL when the service cannot be reached (not on EC2),
 * EKSAUTH_ENOTFOUND when no role is attached, EKSAUTH_EINVAL for a bad
 * answer.  Messages never hold the session token or a secret.
 */
enum eksauth_status eksauth_imds_credentials(const char *endpoint, struct eksauth_creds *out,
                                             struct eksauth_error *err);

/*
 * One metadata value (path under /latest/meta-data/, e.g.
 * "placement/region", "instance-id", "local-hostname") into out, one line
 * of visible ASCII.
 */
enum eksauth_status eksauth_imds_get_value(const char *endpoint, const char *path, char *out,
                                           size_t outlen, struct eksauth_error *err);

#endif
