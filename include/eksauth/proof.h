/*
 * proof.h - the proof that pam_eksauth authenticated a login with a token,
 * for the account stage of the same login (docs/design.md, "No login
 * without a token").
 *
 * sshd authenticates in a child process and runs the account stage in its
 * parent: only the PAM environment crosses.  So the authentication stage
 * puts "EKSAUTH_PROOF=<login>:<time>:<mac>" there, the MAC (HMAC-SHA256)
 * keyed by a secret only root can read (proof.key beside the identity DB),
 * and the account stage, for a module with require_token, takes an eksauth
 * user only with a fresh proof for that login: a key planted in
 * authorized_keys, .shosts or any method that never asked for a token
 * cannot stand in for one.  The variable is removed before the session
 * starts, so no user ever sees one.
 */
#ifndef EKSAUTH_PROOF_H
#define EKSAUTH_PROOF_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/paths.h"
#include "eksauth/status.h"

#define EKSAUTH_PROOF_ENV     "EKSAUTH_PROOF"
#define EKSAUTH_PROOF_KEY_LEN 32
#define EKSAUTH_PROOF_MAX     400 /* bytes of "login:time:mac" */
#define EKSAUTH_PROOF_MAX_AGE 600 /* seconds from authentication to the account stage */

/* "login:time:mac" for login authenticated at now.  Pure (OpenSSL's HMAC). */
enum eksauth_status eksauth_proof_make(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                       const char *login, time_t now, char *out, size_t outlen,
                                       struct eksauth_error *err);

/*
 * EKSAUTH_OK when proof was made with key for login, at most max_age
 * seconds before now (and not in the future); EKSAUTH_EREJECTED with why
 * otherwise.  Compared in constant time.  Pure.
 */
enum eksauth_status eksauth_proof_check(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                        const char *proof, const char *login, time_t now,
                                        long max_age, struct eksauth_error *err);

/*
 * The host's proof key, paths->proof_key (root's, 0600, in the identity
 * DB's folder); with create, made from the system's random source when
 * missing (O_EXCL: two logins never make two keys).
 */
enum eksauth_status eksauth_proof_key(const struct eksauth_paths *paths, bool create,
                                      unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                      struct eksauth_error *err);

#endif
