/*
 * imds.h - EC2 instance metadata with IMDSv2: PUT /latest/api/token with
 * "X-aws-ec2-metadata-token-ttl-seconds" for a session token, then GETs
 * with "X-aws-ec2-metadata-token".  1 s timeouts, 2 tries per request, as
 * the AWS SDKs do.  IMDSv1 (a GET without a token) is never used.
 *
 * The parsers are pure; the calls go through http.h (plain http, the
 * service lives on a link-local address; no proxy, no redirects).  It sits
 * below creds.h: the credentials chain reads the role's document from here.
 */
#ifndef EKSAUTH_IMDS_H
#define EKSAUTH_IMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"
#include "eksauth/template.h"

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

/* A session token as IMDS hands it out: 1..EKSAUTH_IMDS_TOKEN_MAX-1 visible ASCII bytes. */
int eksauth_imds_token_valid(const char *body, size_t len);

/*
 * The credentials document of the instance's role from endpoint (NULL:
 * the default) into *doc (malloc'd, *len bytes: it holds secrets, so wipe
 * it before free; creds.h reads it), the role's name into role.
 * EKSAUTH_EUNAVAIL when the service cannot be reached (not on EC2),
 * EKSAUTH_ENOTFOUND when no role is attached, EKSAUTH_EINVAL for a bad
 * answer.  Messages never hold the session token or a secret.
 */
enum eksauth_status eksauth_imds_role_credentials(const char *endpoint, char *role, size_t rolelen,
                                                  char **doc, size_t *len,
                                                  struct eksauth_error *err);

/*
 * One metadata value (path under /latest/meta-data/, e.g.
 * "placement/region", "instance-id", "local-hostname") into out, one line
 * of visible ASCII.
 */
enum eksauth_status eksauth_imds_get_value(const char *endpoint, const char *path, char *out,
                                           size_t outlen, struct eksauth_error *err);

/*
 * Whether name (meta-data/local-hostname) is the private DNS name EC2 gives
 * instance_id in region (meta-data/placement/region): "ip-A-B-C-D" or, with
 * resource-based names, the instance id, then ".ec2.internal" in us-east-1
 * and ".<region>.compute.internal" in every other region (China's and
 * GovCloud's too).  That is the PrivateDnsName the cluster renders
 * {{EC2PrivateDNSName}} from (ec2:DescribeInstances), which IMDS does not
 * serve: local-hostname carries the VPC's DHCP option set domain-name
 * instead (a custom one, none, or two names with a blank between), so it
 * equals PrivateDnsName only while that is EC2's own.  Anything else is
 * EKSAUTH_EINVAL, saying so and how to proceed (docs/aws-auth.md,
 * "Templates").  Pure.
 */
enum eksauth_status eksauth_imds_private_dns_name_check(const char *name, const char *region,
                                                        const char *instance_id,
                                                        struct eksauth_error *err);

/* This host's own EC2 instance, for {{EC2PrivateDNSName}} (template.h). */
struct eksauth_host_instance {
    char instance_id[32]; /* meta-data/instance-id: ^i-(\w{8}|\w{17})$ */
    /* meta-data/local-hostname's first word, as eksauth_imds_private_dns_name_check takes it */
    char private_dns_name[256];
    bool tried; /* read once: a second call reuses the answer or the failure */
    enum eksauth_status status;
    struct eksauth_error failure; /* why, when status != EKSAUTH_OK */
};

/*
 * Read instance-id, placement/region and local-hostname (the instance's
 * private DNS name) with one IMDSv2 session into out, and check their
 * shapes (eksauth_imds_private_dns_name_check).  Statuses as
 * eksauth_imds_get_value; a malformed value is EKSAUTH_EINVAL.
 */
enum eksauth_status eksauth_imds_instance_identity(const char *endpoint,
                                                   struct eksauth_host_instance *out,
                                                   struct eksauth_error *err);

/*
 * This host's own instance into *inst, read once: a later call reuses the
 * answer or the failure (zero inst before the first call).  A failure is
 * EKSAUTH_EREJECTED: "{{EC2PrivateDNSName}}: this host's own instance is
 * unknown: <cause>".
 */
enum eksauth_status eksauth_imds_host_instance(const char *endpoint,
                                               struct eksauth_host_instance *inst,
                                               struct eksauth_error *err);

#endif
