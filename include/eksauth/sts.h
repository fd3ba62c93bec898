/*
 * sts.h - STS GetCallerIdentity for a checked token (docs/token-rules.md, "The STS call"):
 * GET the token's URL unchanged over verified HTTPS with
 * "x-k8s-aws-id: <cluster_id>" and "Accept: application/json", no
 * redirects, connect and total timeouts, a 64 KiB body cap, proxies from
 * the config only; then read STS's JSON answer.
 *
 * The answer's parser is pure and separate from the call, so that every
 * shape of answer is tested without a network.
 *
 * Outcomes: EKSAUTH_OK (a verified identity), EKSAUTH_EREJECTED (4xx, a bad
 * answer, a bad identity: the login is denied), EKSAUTH_EUNAVAIL (connect
 * failure, timeout, TLS failure, 5xx, throttling: try again later).  The
 * message names the cause; it never holds the URL, the token, its signature
 * or its session token.
 */
#ifndef EKSAUTH_STS_H
#define EKSAUTH_STS_H

#include <stddef.h>

#include "eksauth/arn.h"
#include "eksauth/config.h"
#include "eksauth/http.h"
#include "eksauth/status.h"
#include "eksauth/template.h"
#include "eksauth/token.h"

#define EKSAUTH_STS_MAX_BODY        (64 * 1024) /* bytes of an answer we read */
#define EKSAUTH_STS_USERID_MAX      256
#define EKSAUTH_STS_CONNECT_TIMEOUT 3  /* seconds, when the config has none */
#define EKSAUTH_STS_TIMEOUT         10 /* seconds, when the config has none */

struct eksauth_sts_identity {
    char arn[EKSAUTH_ARN_MAX];                 /* Arn as STS answered */
    char account[16];                          /* Account: 12 digits, the ARN's account */
    char user_id[EKSAUTH_STS_USERID_MAX];      /* UserId as STS answered */
    char principal_id[EKSAUTH_STS_USERID_MAX]; /* docs/token-rules.md: "AROA..." of
                                                  "AROA...:session"; the whole UserId for users,
                                                  federated users and root */
    struct eksauth_arn parsed;                 /* canonical ARN, type, session name */
    long http_status;
    char error_code[80]; /* STS's Error.Code of a refusal ("SignatureDoesNotMatch"), else "" */
};

/*
 * Read an STS answer: http_status and body[0..len) (need not be
 * NUL-terminated).  200 with GetCallerIdentityResponse.
 * GetCallerIdentityResult.{Arn,Account,UserId} as strings, a valid ARN of a
 * principal, Account 12 digits and equal to the ARN's account, and a UserId
 * that fits the principal type (assumed role: exactly "ID:SESSION", the
 * session the ARN's) fills out.  Otherwise: an STS error code (JSON
 * Error.Code, or XML <Code>) goes into the message ("SignatureDoesNotMatch"
 * adds that the token may be for another cluster id); Throttling, 429 and
 * 5xx are EKSAUTH_EUNAVAIL; 3xx, 4xx and any bad answer EKSAUTH_EREJECTED.
 * Pure.
 */
enum eksauth_status eksauth_sts_parse_response(long http_status, const char *body, size_t len,
                                               struct eksauth_sts_identity *out,
                                               struct eksauth_error *err);

/*
 * Call STS for tok (already checked by eksauth_token_check) with the token's
 * expected audience in x-k8s-aws-id (audience.h; NULL: cfg's cluster_id),
 * resuming the TLS session kept in the file tls_session (tls_resume.h; NULL:
 * none), cfg's timeouts, https_proxy, sts_connect_to and sts_ca_file, through
 * eksauth_http_perform (http.h: the transport rules and their messages,
 * "sts: <host>: <why>"); then eksauth_sts_parse_response, and the identity's
 * partition must be cfg's.  Thread-safe.
 */
enum eksauth_status eksauth_sts_get_caller_identity(const struct eksauth_config *cfg,
                                                    const char *audience, const char *tls_session,
                                                    const struct eksauth_token *tok,
                                                    struct eksauth_sts_identity *out,
                                                    struct eksauth_error *err);

/*
 * The connection every STS call of cfg's takes (the login's, doctor's
 * probe): sts_ca_file, sts_connect_to, https_proxy and the timeouts, into
 * req (zeroed first); what, url and headers are the caller's to set.
 */
void eksauth_sts_connection(const struct eksauth_config *cfg, struct eksauth_http_request *req);

/*
 * The principal that the mapping reads (template.h), pointing into id and
 * tok: arn, canonical ARN, account, session name, access key id.
 */
void eksauth_sts_principal(const struct eksauth_sts_identity *id, const struct eksauth_token *tok,
                           struct eksauth_principal *out);

#endif
