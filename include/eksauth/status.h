/*
 * status.h - the one error convention of libeksauth.
 *
 * Every fallible function returns an enum eksauth_status and, when it fails,
 * fills a struct eksauth_error with a one-line message a human can act on:
 * "<what failed>: <why>".  The message never contains a token, a signature
 * or a secret.  err may be NULL when the caller does not want the text.
 */
#ifndef EKSAUTH_STATUS_H
#define EKSAUTH_STATUS_H

#include <stddef.h>

enum eksauth_status {
    EKSAUTH_OK = 0,
    EKSAUTH_EREJECTED,  /* a rule refused the input: token rejected, login denied */
    EKSAUTH_EINVAL,     /* malformed input, usage or configuration */
    EKSAUTH_ENOTMAPPED, /* the identity has no entry in aws-auth */
    EKSAUTH_EUNAVAIL,   /* a service could not answer: STS, network, a missing DB */
    EKSAUTH_ENOTFOUND,  /* no such entry (lookups) */
    EKSAUTH_ENOMEM,     /* out of memory */
    EKSAUTH_EIO,        /* a file or system call failed */
};

#define EKSAUTH_ERROR_MAX 512

struct eksauth_error {
    enum eksauth_status status;
    char msg[EKSAUTH_ERROR_MAX];
};

/*
 * Record a failure and return st, so a caller writes
 *     return eksauth_fail(err, EKSAUTH_EINVAL, "config: %s:%u: unknown key", ...);
 * err may be NULL.  A message longer than the buffer is cut, never overflowed.
 */
enum eksauth_status eksauth_fail(struct eksauth_error *err, enum eksauth_status st, const char *fmt,
                                 ...) __attribute__((format(printf, 3, 4)));

/*
 * The rule of every message, errors and warnings alike: each control
 * character (C0, DEL, C1), BiDi control, invisible character and byte that
 * is not UTF-8 becomes '?' (printable.h), so quoted input cannot forge a
 * log line, drive a terminal or read backwards.  eksauth_fail,
 * eksauth_error_prefix and eksauth_error_append apply it themselves.
 */
void eksauth_message_clean(char *msg);

/* Prefix an existing message: "<prefix>: <old message>". */
void eksauth_error_prefix(struct eksauth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append to an existing message: "<old message><suffix>", cut at the end of the buffer. */
void eksauth_error_append(struct eksauth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A short stable name for a status ("rejected", "not mapped", ...). */
const char *eksauth_status_name(enum eksauth_status st);

/* The command line's exit code for a status (docs/design.md, "The command line"): 0, 1, 2, 3 or 4.
 */
int eksauth_status_exit_code(enum eksauth_status st);

#endif
