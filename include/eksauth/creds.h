/*
 * creds.h - the AWS credentials and region that `eksauth token` signs with,
 * found the way the AWS CLI finds them: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; not read
 * when a profile is given explicitly, as botocore drops it for one), then
 * the profile's static keys (profile AWS_PROFILE, AWS_DEFAULT_PROFILE or
 * "default") in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE
 * or ~/.aws/credentials, "[NAME]"), else in the config file (AWS_CONFIG_FILE
 * or ~/.aws/config, "[profile NAME]" as botocore reads such a header:
 * quotes and blanks as Python's shlex.split takes them, the last of a
 * profile's sections winning, "[default]" too for the default, and
 * "[DEFAULT]" the defaults of every section; a file with a section, or an
 * option of one section, given twice is refused, as configparser refuses
 * it; the two variables and the ~/.aws/ defaults expanded as botocore's
 * raw_config_parse does, os.path.expandvars then expanduser: "$VAR",
 * "${VAR}", "~", "~user", an unknown one left as written, a relative path
 * opened from the working folder, a variable set empty naming no file),
 * then EC2 instance metadata with
 * IMDSv2 (imds.h; endpoint imds_endpoint, else
 * AWS_EC2_METADATA_SERVICE_ENDPOINT, else 169.254.169.254; skipped when
 * AWS_EC2_METADATA_DISABLED=true).  Credentials from instance metadata
 * are cached in the process until EKSAUTH_CREDS_REFRESH_MARGIN seconds
 * before they expire.
 *
 * Where botocore (aws eks get-token) fails, so does eksauth, with
 * EKSAUTH_EINVAL naming why, never reading on to another source: both files
 * are read whole before any source, the environment's keys included (a
 * file botocore refuses, or a profile AWS_PROFILE or AWS_DEFAULT_PROFILE
 * names that neither file has, refuses them); AWS_PROFILE and
 * AWS_DEFAULT_PROFILE set to different profiles (AWS CLI v1 takes the
 * second, v2 the first) or either set empty is refused.
 *
 * Where botocore would sign with credentials eksauth cannot get, the chain
 * stops with EKSAUTH_EINVAL naming why, never signing as the next source
 * (the keys underneath, the instance's role): a profile with role_arn,
 * web_identity_token_file or sso_* in either file, or with a
 * login_session (an `aws login` session) or a credential_process and no
 * keys in the credentials file;
 * AWS_WEB_IDENTITY_TOKEN_FILE, with AWS_ROLE_ARN or without (then botocore
 * assumes the profile's role_arn or fails), before the profile;
 * AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI (before instance
 * metadata).
 *
 * Environment variables are read with secure_getenv (or a caller's lookup
 * function, for tests).  Secrets are wiped when the credentials are freed.
 */
#ifndef EKSAUTH_CREDS_H
#define EKSAUTH_CREDS_H

#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"

/* The sources of the chain, in the order they are tried. */
enum eksauth_creds_source {
    EKSAUTH_CREDS_NONE = 0,
    EKSAUTH_CREDS_ENV = 1u << 0,     /* AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY */
    EKSAUTH_CREDS_PROFILE = 1u << 1, /* shared credentials file, static keys */
    EKSAUTH_CREDS_IMDS = 1u << 2,    /* EC2 instance metadata (IMDSv2) */
};
#define EKSAUTH_CREDS_DEFAULT_CHAIN (EKSAUTH_CREDS_ENV | EKSAUTH_CREDS_PROFILE | EKSAUTH_CREDS_IMDS)
#define EKSAUTH_CREDS_REFRESH_MARGIN                                                               \
    300 /* seconds before Expiration that cached ones are renewed */

#define EKSAUTH_CREDS_FILE_MAX (1024 * 1024) /* bytes of a credentials or config file */

struct eksauth_creds {
    char *access_key_id;
    char *secret_access_key; /* secret */
    char *session_token;     /* secret; NULL for long-term keys */
    time_t expiration;       /* 0: does not expire (static keys); set by IMDS */
    enum eksauth_creds_source source;
    char origin[512]; /* for messages: "environment", "profile \"dev\" in /root/.aws/credentials" */
};

struct eksauth_creds_options {
    unsigned sources;    /* EKSAUTH_CREDS_* bits; 0 means EKSAUTH_CREDS_DEFAULT_CHAIN */
    const char *profile; /* explicit (--profile); NULL: AWS_PROFILE, AWS_DEFAULT_PROFILE,
                            "default", after the environment's keys */
    /* Taken as given; NULL: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, expanded. */
    const char *credentials_file;
    const char *config_file;   /* the same: AWS_CONFIG_FILE or ~/.aws/config */
    const char *imds_endpoint; /* NULL: AWS_EC2_METADATA_SERVICE_ENDPOINT or 169.254.169.254 */
    /* Environment lookup, given getenv_arg; NULL means secure_getenv.  Tests pass their own. */
    const char *(*getenv_fn)(const void *getenv_arg, const char *name);
    const void *getenv_arg;
    /* What eksauth_creds_region's option is to the person, in messages (NULL: "--region"). */
    const char *region_option;
};

/*
 * Walk the chain and fill out with the first complete credentials.
 * Failures: EKSAUTH_ENOTFOUND "no AWS credentials: tried <source> (<why>),
 * <source> (<why>)" when no source had any; EKSAUTH_EINVAL for a partial or
 * malformed source (one key without the other, a bad line, a named profile
 * that does not exist) and for a source botocore would read that eksauth
 * cannot (above); EKSAUTH_EIO when a file exists but cannot be read.
 * opt may be NULL.  Free with eksauth_creds_free() whatever the result.
 */
enum eksauth_status eksauth_creds_load(const struct eksauth_creds_options *opt,
                                       struct eksauth_creds *out, struct eksauth_error *err);

/*
 * The static keys of one profile in the text of a shared credentials file
 * (INI as botocore's configparser reads it).  EKSAUTH_ENOTFOUND when the
 * profile is absent or holds no keys; EKSAUTH_EINVAL "LINE: <why>" when the
 * text is malformed (for botocore, not UTF-8 included, or an option name
 * or a value taken holding a control byte or a non-ASCII character) or the profile holds a
 * partial pair.  Pure.
 */
enum eksauth_status eksauth_creds_parse_ini(const char *text, size_t len, const char *profile,
                                            struct eksauth_creds *out, struct eksauth_error *err);

/*
 * The credentials document instance metadata serves for a role
 * (eksauth_imds_role_credentials): {"Code": "Success", "AccessKeyId",
 * "SecretAccessKey", "Token", "Expiration": RFC 3339}.  A Code other than
 * Success, a missing field or a field of the wrong type is EKSAUTH_EINVAL
 * naming it.  Fills out (source EKSAUTH_CREDS_IMDS, expiration set).  Pure.
 */
enum eksauth_status eksauth_creds_parse_imds(const char *body, size_t len,
                                             struct eksauth_creds *out, struct eksauth_error *err);

/* A deep copy of src into dst (dst need not be initialised).  EKSAUTH_ENOMEM on failure. */
enum eksauth_status eksauth_creds_copy(struct eksauth_creds *dst, const struct eksauth_creds *src,
                                       struct eksauth_error *err);

/* Forget the cached instance-metadata credentials (wiped). */
void eksauth_creds_cache_clear(void);

/* Wipe and free the secrets; out is left zeroed.  NULL is fine. */
void eksauth_creds_free(struct eksauth_creds *creds);

/*
 * The region to sign for: option (--region), else AWS_REGION, else
 * AWS_DEFAULT_REGION, else the profile's "region" in the shared credentials
 * file (botocore merges that file's section over the config file's), else
 * in the AWS config file.  The first of AWS_REGION and AWS_DEFAULT_REGION
 * set decides (AWS CLI v2's order; v1 reads AWS_DEFAULT_REGION only), and
 * set empty is EKSAUTH_EINVAL, as "region =" in a file is and an empty
 * option (--region "") is (the AWS CLI takes the empty region, over the
 * environment's, and get-token fails).  Both files are
 * read whole, a file botocore refuses or a profile asked for that neither
 * has being EKSAUTH_EINVAL whichever holds the region (profile as for
 * eksauth_creds_load).
 * It must have the shape of a region name.  EKSAUTH_ENOTFOUND names what was
 * tried.
 */
enum eksauth_status eksauth_creds_region(const char *option,
                                         const struct eksauth_creds_options *opt, char *out,
                                         size_t outlen, struct eksauth_error *err);

#endif
