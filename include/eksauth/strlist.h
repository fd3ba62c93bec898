/*
 * strlist.h - a growing list of owned strings: the warnings, names and
 * reasons a plan, a sync or a fetch collects for its report.
 *
 * Public structs that hand such a list out hold it as a bare array and a
 * count (eksauth_plan.warnings, eksauth_cluster_snapshot.warnings,
 * eksauth_access_entry.groups); eksauth_strv_* grow and free those pairs the
 * same way, so there is one growing list of strings in the library.
 */
#ifndef EKSAUTH_STRLIST_H
#define EKSAUTH_STRLIST_H

#include <stdarg.h>
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
enum eksauth_status eksauth_strlist_vaddf(struct eksauth_strlist *l, struct eksauth_error *err,
                                          const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Release every string and the array; the list is empty and reusable after. */
void eksauth_strlist_free(struct eksauth_strlist *l);

/*
 * The same for a bare pair: *v (NULL when *n is 0) holds *n owned strings.
 * A pair keeps no spare room, so every append reallocates.  EKSAUTH_ENOMEM
 * leaves the pair as it was.
 */
enum eksauth_status eksauth_strv_add(char ***v, size_t *n, const char *s,
                                     struct eksauth_error *err);
enum eksauth_status eksauth_strv_addf(char ***v, size_t *n, struct eksauth_error *err,
                                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void eksauth_strv_free(char **v, size_t n);

#endif
