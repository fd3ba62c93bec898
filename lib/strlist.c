/*
 * strlist.c - a growing list of owned strings (see strlist.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/strlist.h"

/* Take ownership of s (already allocated) at the end of l. */
static enum eksauth_status take(struct eksauth_strlist *l, char *s, struct eksauth_error *err)
{
    char **grown;
    size_t cap;

    if (s == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    if (l->n == l->cap) {
        cap = l->cap == 0 ? 8 : 2 * l->cap;
        grown = realloc(l->v, cap * sizeof(*grown));
        if (grown == NULL) {
            free(s);
            return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        }
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_strlist_add(struct eksauth_strlist *l, const char *s,
                                        struct eksauth_error *err)
{
    return take(l, strdup(s), err);
}

enum eksauth_status eksauth_strlist_addf(struct eksauth_strlist *l, struct eksauth_error *err,
                                         const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return take(l, n < 0 ? NULL : s, err);
}

void eksauth_strlist_free(struct eksauth_strlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}
