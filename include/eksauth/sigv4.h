/*
 * sigv4.h - AWS Signature Version 4 query presigning of the STS
 * GetCallerIdentity GET that an EKS token carries, byte for byte as
 * botocore presigns it for `aws eks get-token`: parameters Action, Version,
 * X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires (60),
 * X-Amz-SignedHeaders (host;x-k8s-aws-id), X-Amz-Security-Token (with a
 * session token), X-Amz-Signature, in that order; values percent-encoded
 * except A-Z a-z 0-9 - _ . ~; the header x-k8s-aws-id: <cluster id> signed
 * but not in the URL.  Then the token: "k8s-aws-v1." + base64url of the URL,
 * without padding.
 *
 * Pure: the caller passes the credentials and the signing time.
 */
#ifndef EKSAUTH_SIGV4_H
#define EKSAUTH_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/creds.h"
#include "eksauth/audience.h"
#include "eksauth/status.h"

#define EKSAUTH_SIGV4_EXPIRES            60 /* X-Amz-Expires of `aws eks get-token` (STS ignores it) */
#define EKSAUTH_EXEC_CREDENTIAL_LIFETIME (14 * 60) /* expirationTimestamp - signing time */
#define EKSAUTH_SIGV4_URL_MAX            12288     /* room for a long session token */
/* A token of a URL of EKSAUTH_SIGV4_URL_MAX - 1 bytes, and its NUL. */
#define EKSAUTH_SIGV4_TOKEN_MAX (11 + 4 * ((EKSAUTH_SIGV4_URL_MAX + 2) / 3) + 1)

struct eksauth_sts_presign {
    const char *host;       /* "sts.us-east-1.amazonaws.com"; see eksauth_sigv4_sts_host() */
    const char *region;     /* credential scope: "us-east-1" (also for sts.amazonaws.com) */
    const char *cluster_id; /* the value of x-k8s-aws-id */
    time_t now;             /* the signing time (X-Amz-Date) */
    long expires;           /* X-Amz-Expires; 0 means EKSAUTH_SIGV4_EXPIRES */
};

/*
 * The STS host to sign for: "sts.<region>.<partition domain>", or with
 * global "sts.amazonaws.com" (partition aws only; its scope is us-east-1).
 * The partition is the one whose region regex matches (partition.h), aws
 * when none does, as the SDK decides.
 */
enum eksauth_status eksauth_sigv4_sts_host(const char *region, bool global, char *host,
                                           size_t hostlen, struct eksauth_error *err);

/*
 * The presigned URL, NUL-terminated, into url (urlcap bytes; at most
 * EKSAUTH_SIGV4_URL_MAX are ever needed).  *urllen gets its length (may be
 * NULL).  It holds the signature and any session token: wipe it after use.
 * Failures: EKSAUTH_EINVAL for a bad host, region, cluster id, key or time.
 */
enum eksauth_status eksauth_sigv4_presign_sts(const struct eksauth_creds *creds,
                                              const struct eksauth_sts_presign *req, char *url,
                                              size_t urlcap, size_t *urllen,
                                              struct eksauth_error *err);

/* The token for the same request: "k8s-aws-v1." + base64url(url), no padding. */
enum eksauth_status eksauth_sigv4_sts_token(const struct eksauth_creds *creds,
                                            const struct eksauth_sts_presign *req, char *token,
                                            size_t tokcap, size_t *toklen,
                                            struct eksauth_error *err);

/*
 * The SigV4 signing key: HMAC chain over "AWS4"+secret, the date
 * (YYYYMMDD), region, service and "aws4_request".  Exposed for the test
 * vectors of the SigV4 documentation.
 */
enum eksauth_status eksauth_sigv4_signing_key(const char *secret, const char *date8,
                                              const char *region, const char *service,
                                              unsigned char out[32], struct eksauth_error *err);

/* The SigV4 URI encoding (RFC 3986 unreserved kept) of in[0..len) into out; -1 if it does not fit.
 */
long eksauth_sigv4_uri_encode(const char *in, size_t len, char *out, size_t outcap);

/*
 * SigV4 header signing (the Authorization header) of a request without a
 * body, as botocore's SigV4Auth signs it for the EKS API: signed headers
 * host;x-amz-date, plus x-amz-security-token with a session token (sent
 * by the caller with the value creds->session_token).  path is the path as
 * sent (already percent-encoded by the caller); the canonical URI encodes it
 * once more, '/' kept, as SigV4 does for every service but S3.  query is the
 * query as sent, its parameters already sorted by name and encoded with
 * eksauth_sigv4_uri_encode ("" for none).  Pure.
 */
struct eksauth_sigv4_request {
    const char *method;  /* "GET" */
    const char *host;    /* "eks.us-east-1.amazonaws.com" */
    const char *path;    /* "/clusters/prod/access-entries" */
    const char *query;   /* "maxResults=100&nextToken=abc" or "" */
    const char *region;  /* credential scope */
    const char *service; /* "eks" */
    time_t now;
};

#define EKSAUTH_SIGV4_AUTH_MAX 512

struct eksauth_sigv4_signed {
    char amz_date[17];                          /* X-Amz-Date: 20261130T054331Z */
    char authorization[EKSAUTH_SIGV4_AUTH_MAX]; /* AWS4-HMAC-SHA256 Credential=..., Signature=... */
};

enum eksauth_status eksauth_sigv4_sign_request(const struct eksauth_creds *creds,
                                               const struct eksauth_sigv4_request *req,
                                               struct eksauth_sigv4_signed *out,
                                               struct eksauth_error *err);

#endif
