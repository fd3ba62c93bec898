/*
 * strlist.c - a growing list of owned strings (see strlist.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/array.h"
#include "eksauth/strlist.h"

/* Take ownership of s (already allocated) at the end of l. */
static enum eksauth_status take(struct eksauth_strlist *l, char *s, struct eksauth_error *err)
{
    if (s == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    if (!eksauth_array_reserve((void **)&l->v, &l->cap, l->n, 1, sizeof(*l->v))) {
        free(s);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    }
    l->v[l->n++] = s;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_strlist_add(struct eksauth_strlist *l, const char *s,
                                        struct eksauth_error *err)
{
    return take(l, strdup(s), err);
}

enum eksauth_status eksauth_strlist_vaddf(struct eksauth_strlist *l, struct eksauth_error *err,
                                          const char *fmt, va_list ap)
{
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    return take(l, s, err);
}

enum eksauth_status eksauth_strlist_addf(struct eksauth_strlist *l, struct eksauth_error *err,
                                         const char *fmt, ...)
{
    enum eksauth_status st;
    va_list ap;

    va_start(ap, fmt);
    st = eksauth_strlist_vaddf(l, err, fmt, ap);
    va_end(ap);
    return st;
}

void eksauth_strlist_free(struct eksauth_strlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* A bare pair seen as a list that is full: the next append grows it. */
enum eksauth_status eksauth_strv_add(char ***v, size_t *n, const char *s, struct eksauth_error *err)
{
    struct eksauth_strlist l = {*v, *n, *n};
    enum eksauth_status st = eksauth_strlist_add(&l, s, err);

    *v = l.v;
    *n = l.n;
    return st;
}

enum eksauth_status eksauth_strv_addf(char ***v, size_t *n, struct eksauth_error *err,
                                      const char *fmt, ...)
{
    struct eksauth_strlist l = {*v, *n, *n};
    enum eksauth_status st;
    va_list ap;

    va_start(ap, fmt);
    st = eksauth_strlist_vaddf(&l, err, fmt, ap);
    va_end(ap);
    *v = l.v;
    *n = l.n;
    return st;
}

void eksauth_strv_free(char **v, size_t n)
{
    struct eksauth_strlist l = {v, v != NULL ? n : 0, n};

    eksauth_strlist_free(&l);
}
