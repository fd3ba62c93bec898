/*
 * exec_credential.h - the token inside a Kubernetes ExecCredential: the
 * JSON `aws eks get-token` prints (and `eksauth token --json`).  Some AWS
 * CLI versions (Debian 12's 2.9 among them) print it whole even when asked
 * for `--query status.token --output text`, so wherever eksauth reads a
 * token a person piped in, it takes either form.  Pure: json-c (and
 * OpenSSL to wipe).
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

/*
 * The token in what a tool printed (`aws eks get-token`, a token command)
 * or a person piped in: blanks around it dropped (eksauth_pieces_is_blank),
 * then an ExecCredential (as above: its status.token, *expires its
 * status.expirationTimestamp) or else the bare token (*expires 0), into
 * token (tokenmax bytes with its NUL; *tlen its length).  Only the form is
 * read here: whether it is a token at all is the caller's check
 * (eksauth_token_check, eksauth_token_shaped_strict).  EKSAUTH_ENOTFOUND
 * when text is nothing but blanks (callers say what was missing, and how
 * to give it); EKSAUTH_EINVAL for JSON that is no ExecCredential, or a
 * token that does not fit.  On a failure token holds nothing of text: it
 * is wiped once written (ENOTFOUND writes nothing).
 */
enum eksauth_status eksauth_token_from_output(const char *text, size_t len, char *token,
                                              size_t tokenmax, size_t *tlen, time_t *expires,
                                              struct eksauth_error *err);

#endif
