/*
 * printable.h - text that reaches a terminal, a passwd field or an
 * environment variable (gecos, EKS_*) shows what it says: every control
 * character (C0, DEL, C1), every character that reorders or hides text
 * (the BiDi controls such as U+202E, every Default_Ignorable_Code_Point:
 * zero-width and format characters, tags, variation selectors, fillers;
 * the line and paragraph separators, the interlinear annotation marks) and
 * every byte that is not UTF-8 becomes '?'.  An aws-auth username such
 * as "admin\u202Enimda" would otherwise read backwards in `getent passwd`
 * or a shell prompt.
 * Pure, libc only (the NSS module's writer uses it too).
 */
#ifndef EKSAUTH_PRINTABLE_H
#define EKSAUTH_PRINTABLE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * in, cleaned, into out (outlen > 0): always NUL-terminated, cut at a
 * character boundary when out is short.  out may be in (each character
 * becomes itself or one '?', never longer).  Returns the number of
 * characters replaced.
 */
size_t eksauth_printable(const char *in, char *out, size_t outlen);

/* True when in needs no replacement. */
bool eksauth_is_printable(const char *in);

/* True when the len bytes at s are UTF-8 as Python decodes it: no overlong form, no surrogate. */
bool eksauth_utf8_valid(const char *s, size_t len);

/*
 * True when s is 1..max bytes of visible ASCII (0x21..0x7e): nothing that
 * could end a line or a header, no blank.  What may go into a signed
 * header, a secret key or an identity a server answers.
 */
bool eksauth_visible_ascii(const char *s, size_t max);

/* The same for the len bytes at s (NUL is not visible): 1..len bytes of 0x21..0x7e. */
bool eksauth_visible_ascii_len(const char *s, size_t len);

/*
 * in as one value of a key=value log line (pam_eksauth's audit line): every
 * byte outside visible ASCII (controls, non-ASCII), '%', '"', '\\', '='
 * and, unless quoted (a value the line puts between double quotes), the
 * blank, '(' and ')' (the audit line's own "(token:FP)") become %XX (two
 * upper-case hex digits), so that no value can end the line, end its
 * quotes or hold a "key=value" lookalike: a user name "alice
 * result=success" is "alice%20result%3Dsuccess".  NULL or "" is "-".  Into
 * out (outlen > 0), always NUL-terminated, never cutting an escape; a
 * value that does not fit is cut and ends in "%%" (never in a whole value:
 * '%' is "%25"), or is "" when outlen < 3.  Returns true when all of in
 * fitted.
 */
bool eksauth_log_value(const char *in, bool quoted, char *out, size_t outlen);

#endif
