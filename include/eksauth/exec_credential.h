/*
 * exec_credential.h - the token inside a Kubernetes ExecCredential: the
 * JSON `aws eks get-token` prints (and `eksauth token --json`).  Some AWS
 * CLI versions (Debian 12's 2.9 among them) print it whole even when asked
 * for `--query status.token --output text`, so wherever eksauth reads a
 * token a person piped in, it takes either form.  Pure: json-c only.
 */
#ifndef EKSAUTH_EXEC_CREDENTIAL_H
#define EKSAUTH_EXEC_CREDENTIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"

/* Whether text (blanks skipped) looks like JSON rather than a bare token. */
bool eksauth_exec_credential_is_json(const char *text, size_t len);

/*
 * The status.token of the ExecCredential json[0..len) into token (tokenmax
 * bytes with its NUL; *tlen its length) and status.expirationTimestamp
 * into *expires (0 when absent or unreadable).  EKSAUTH_EINVAL when it is
 * not JSON with a string status.token that fits and holds no NUL.  json-c's
 * own copy of the token is wiped before it is freed.
 */
enum eksauth_status eksauth_exec_credential_token(const char *json, size_t len, char *token,
                                                  size_t tokenmax, size_t *tlen, time_t *expires,
                                                  struct eksauth_error *err);

#endif
