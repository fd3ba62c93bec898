/*
 * strlist.h - a growing list of owned strings: the warnings, names and
 * reasons a plan, a sync or a fetch collects for its report.
 */
#ifndef EKSAUTH_STRLIST_H
#define EKSAUTH_STRLIST_H

#include <stddef.h>

#include "eksauth/status.h"

struct eksauth_strlist {
    char **v; /* v[0..n) are owned, NUL-terminated */
    size_t n;
    size_t cap;
};

/* Append a copy of s.  EKSAUTH_ENOMEM leaves the list as it was. */
enum eksauth_status eksauth_strlist_add(struct eksauth_strlist *l, const char *s,
                                        struct eksauth_error *err);

/* Append a formatted string.  EKSAUTH_ENOMEM leaves the list as it was. */
enum eksauth_status eksauth_strlist_addf(struct eksauth_strlist *l, struct eksauth_error *err,
                                         const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Release every string and the array; the list is empty and reusable after. */
void eksauth_strlist_free(struct eksauth_strlist *l);

#endif
