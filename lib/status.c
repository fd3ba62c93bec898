/*
 * status.c - the error convention: a status code plus a bounded message.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "eksauth/printable.h"
#include "eksauth/status.h"

/*
 * Messages reach logs and terminals and may quote input (a name, a host):
 * a control character must never forge a log line or drive a terminal
 * (U+009B, written in UTF-8, is CSI to xterm), nor a BiDi control make it
 * read otherwise.  printable.h's rule, in place.
 */
void eksauth_message_clean(char *msg)
{
    (void)eksauth_printable(msg, msg, strlen(msg) + 1);
}

enum eksauth_status eksauth_fail(struct eksauth_error *err, enum eksauth_status st, const char *fmt,
                                 ...)
{
    va_list ap;

    if (err == NULL)
        return st;
    err->status = st;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
    va_end(ap);
    eksauth_message_clean(err->msg);
    return st;
}

void eksauth_error_prefix(struct eksauth_error *err, const char *fmt, ...)
{
    char prefix[EKSAUTH_ERROR_MAX];
    size_t plen, mlen;
    va_list ap;
    int n;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    n = vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    /* As eksauth_fail and _append: a prefix quoting input cannot forge a line or drive a terminal.
     */
    eksauth_message_clean(prefix);
    /* "<prefix>: <msg>", cut at the end of the buffer. */
    plen = strnlen(prefix, sizeof(err->msg) - 3);
    mlen = strnlen(err->msg, sizeof(err->msg) - 1);
    if (plen + 2 + mlen > sizeof(err->msg) - 1)
        mlen = sizeof(err->msg) - 1 - plen - 2;
    memmove(err->msg + plen + 2, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen] = ':';
    err->msg[plen + 1] = ' ';
    err->msg[plen + 2 + mlen] = '\0';
}

void eksauth_error_append(struct eksauth_error *err, const char *fmt, ...)
{
    size_t len;
    va_list ap;

    if (err == NULL)
        return;
    len = strnlen(err->msg, sizeof(err->msg) - 1);
    va_start(ap, fmt);
    vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
    va_end(ap);
    eksauth_message_clean(err->msg + len);
}

const char *eksauth_status_name(enum eksauth_status st)
{
    switch (st) {
    case EKSAUTH_OK:
        return "ok";
    case EKSAUTH_EREJECTED:
        return "rejected";
    case EKSAUTH_EINVAL:
        return "invalid";
    case EKSAUTH_ENOTMAPPED:
        return "not mapped";
    case EKSAUTH_EUNAVAIL:
        return "unavailable";
    case EKSAUTH_ENOTFOUND:
        return "not found";
    case EKSAUTH_ENOMEM:
        return "out of memory";
    case EKSAUTH_EIO:
        return "i/o error";
    }
    return "unknown";
}

int eksauth_status_exit_code(enum eksauth_status st)
{
    switch (st) {
    case EKSAUTH_OK:
        return 0;
    case EKSAUTH_EREJECTED:
        return 1;
    case EKSAUTH_ENOTMAPPED:
        return 3;
    case EKSAUTH_EUNAVAIL:
        return 4;
    case EKSAUTH_EINVAL:
    case EKSAUTH_ENOTFOUND:
    case EKSAUTH_ENOMEM:
    case EKSAUTH_EIO:
        break;
    }
    return 2;
}
