/*
 * token.h - parse and check an EKS token ("k8s-aws-v1." + base64url of a
 * presigned STS GetCallerIdentity URL) exactly as the cluster does, plus the
 * strict extras of docs/token-rules.md that eksauth adopts (its decisions).
 * Pure: the caller passes the bytes, the current time and the policy.
 */
#ifndef EKSAUTH_TOKEN_H
#define EKSAUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"

#define EKSAUTH_TOKEN_PREFIX      "k8s-aws-v1."
#define EKSAUTH_TOKEN_MAX_LEN     4096 /* bytes, prefix included */
#define EKSAUTH_TOKEN_LIFETIME    900  /* seconds after X-Amz-Date */
#define EKSAUTH_TOKEN_MAX_EXPIRES 900
#define EKSAUTH_FINGERPRINT_LEN   8 /* hex digits of SHA-256 */

/* A NULL policy means partition "aws", a skew of 300 s and no extra hosts. */
struct eksauth_token_policy {
    const char *partition; /* "aws" when NULL */
    long max_clock_skew;   /* seconds a token may be dated ahead of now */
    /* Exact STS host names (VPC endpoints), NULL-terminated; or NULL. */
    const char *const *extra_hosts;
};

struct eksauth_token {
    char url[EKSAUTH_TOKEN_MAX_LEN]; /* the decoded presigned URL: GET it unchanged */
    size_t url_len;
    char host[256];
    char region[32];
    char partition[16];
    char access_key_id[129];
    char signed_headers[256]; /* decoded, e.g. "host;x-k8s-aws-id" */
    char signature[65];       /* 64 lower-case hex */
    time_t signed_at;         /* X-Amz-Date */
    time_t expires_at;        /* signed_at + 900, whatever X-Amz-Expires says */
    long expires_param;       /* X-Amz-Expires as sent */
    bool has_session_token;
};

/*
 * Check token[0..len) at time now.  On failure the status is
 * EKSAUTH_EREJECTED and the message is "<rule>: <detail>", the rule being one
 * of: "length", "prefix", "base64", "url scheme", "url userinfo", "url port",
 * "url fragment", "url path", "url query", "url host", "host", "region",
 * "duplicate parameter", "unknown parameter", "repeated parameter",
 * "action", "version", "algorithm", "credential", "signed headers",
 * "signature", "expires", "date", "expired", "future date".
 * out is filled only on success (on failure it is wiped); it holds secrets
 * (the URL): wipe it with eksauth_token_wipe() when done.
 */
enum eksauth_status eksauth_token_check(const char *token, size_t len, time_t now,
                                        const struct eksauth_token_policy *policy,
                                        struct eksauth_token *out, struct eksauth_error *err);

/*
 * Check that host is an STS host of the partition (docs/token-rules.md, "Hosts")
 * and put its region in region ("us-east-1" for the global host).  For a
 * host of extra_hosts the region is its first label shaped like a region
 * ("vpce-0a1b.sts.us-east-1.vpce.amazonaws.com"), or "" when it has none.
 */
enum eksauth_status eksauth_token_check_host(const char *host, const char *partition,
                                             const char *const *extra_hosts, char *region,
                                             size_t region_len, struct eksauth_error *err);

/*
 * Whether host is one the administrator listed (sts_host: VPC endpoints),
 * trusted as written.  NULL-terminated extra_hosts, may be NULL.
 */
bool eksauth_token_host_named(const char *host, const char *const *extra_hosts);

/*
 * Whether s starts like a token (EKSAUTH_TOKEN_PREFIX).  What does not is
 * someone's password typed at the token prompt, or an earlier PAM module's:
 * never fingerprinted, never taken as a token.
 */
bool eksauth_token_shaped(const char *s, size_t len);

/*
 * The strict form: the prefix, then base64url only (something, and no
 * blank, padding or other byte), at most EKSAUTH_TOKEN_MAX_LEN bytes in
 * all.  What the client sends or keeps between prompts without checking it
 * further (tools/client_mint.c, tools/askpass_state.c): never some other
 * text a command printed.
 */
bool eksauth_token_shaped_strict(const char *s, size_t len);

/*
 * First 8 hex digits of SHA-256 over the token: what logs show instead of
 * it.  "-" for what is not shaped like a token: a short hash of a password
 * would let whoever reads the logs test guesses against it.
 */
void eksauth_token_fingerprint(const char *token, size_t len,
                               char out[EKSAUTH_FINGERPRINT_LEN + 1]);

/* Overwrite a checked token (it holds the signature and session token). */
void eksauth_token_wipe(struct eksauth_token *tok);

#endif
