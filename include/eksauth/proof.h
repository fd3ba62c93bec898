/*
 * proof.h - the proof that pam_eksauth authenticated a login with a token,
 * for the later stages of the same login in another process
 * (docs/design.md, "No login without a token").
 *
 * sshd authenticates in a child process (which, with OpenSSH, runs the
 * account stage too) and runs setcred and the session in its parent: only
 * the PAM environment crosses.  So the authentication stage puts
 * "EKSAUTH_PROOF=<login>:<time>:<token_fp>:<mac>" there, the MAC
 * (HMAC-SHA256) keyed by a secret only root can read (proof.key beside the
 * identity DB) and made over the login, the time, the token's fingerprint
 * and the identity it put beside it (pam_eksauth's EKS_* variables).  The
 * first later stage in the other process takes that identity as this
 * login's, and names its principal and token in the audit lines, only with
 * a fresh proof for that login over the values there now; an account stage
 * with require_token takes an eksauth user only with one.  A key planted in
 * authorized_keys, .shosts or any method that never asked for a token, or
 * EKS_* a user's ~/.pam_environment set, cannot stand in for one.
 * pam_eksauth's setcred and open_session remove the variable, so no
 * session's environment holds one; the account stage leaves it in the
 * handle that made it, for sshd's other process (SECURITY.md, section 2).
 */
#ifndef EKSAUTH_PROOF_H
#define EKSAUTH_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/paths.h"
#include "eksauth/status.h"
#include "eksauth/token.h"

#define EKSAUTH_PROOF_ENV     "EKSAUTH_PROOF"
#define EKSAUTH_PROOF_KEY_LEN 32
#define EKSAUTH_PROOF_MAX     400 /* bytes of "login:time:token_fp:mac" */
#define EKSAUTH_PROOF_MAX_AGE 600 /* seconds from authentication to the stage that checks it */

/*
 * "login:time:token_fp:mac" for login authenticated at now with the token
 * whose fingerprint is token_fp, which gave the n identity strings (in an
 * order the caller fixes; none NULL).  Pure (OpenSSL's HMAC).
 */
enum eksauth_status eksauth_proof_make(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                       const char *login, const char *token_fp,
                                       const char *const *identity, size_t n, time_t now, char *out,
                                       size_t outlen, struct eksauth_error *err);

/*
 * EKSAUTH_OK when proof was made with key for login and these n identity
 * strings (a NULL one matches nothing), at most max_age seconds before now
 * (and not in the future): token_fp then gets the token's fingerprint.
 * EKSAUTH_EREJECTED with why otherwise.  Compared in constant time.  Pure.
 */
enum eksauth_status eksauth_proof_check(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                        const char *proof, const char *login,
                                        const char *const *identity, size_t n, time_t now,
                                        long max_age, char token_fp[EKSAUTH_FINGERPRINT_LEN + 1],
                                        struct eksauth_error *err);

/*
 * The host's proof key, paths->proof_key (root's, 0600, in the identity
 * DB's folder); with create, made from the system's random source when
 * missing (O_EXCL: two logins never make two keys).
 */
enum eksauth_status eksauth_proof_key(const struct eksauth_paths *paths, bool create,
                                      unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                      struct eksauth_error *err);

#endif
