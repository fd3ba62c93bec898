/*
 * report.c - doctor's findings (level, check, where, problem, fix) and
 * their output: text lines with the fix below each, or one JSON document.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "doctor.h"

bool fmt(char *buf, size_t n, const char *format, ...)
{
    va_list ap;
    int len;

    va_start(ap, format);
    len = vsnprintf(buf, n, format, ap);
    va_end(ap);
    return len >= 0 && (size_t)len < n;
}

/*
 * The finding already made alike, or NULL: a file several services include
 * (pam.d's common-*) is read for each, and its line is one line to fix.
 */
static struct finding *said(const struct doctor *d, enum level lv, const char *check,
                            const char *where, const char *problem)
{
    struct finding *f;
    size_t i;

    for (i = 0; i < d->n_findings; i++) {
        f = &d->findings[i];
        if (f->level == lv && strcmp(f->check, check) == 0 &&
            (f->where == NULL ? where == NULL : where != NULL && strcmp(f->where, where) == 0) &&
            strcmp(f->problem, problem) == 0)
            return f;
    }
    return NULL;
}

struct finding *report(struct doctor *d, enum level lv, const char *check, const char *where,
                       const char *format, ...)
{
    struct finding *grown, *f;
    char *problem = NULL, *w = NULL;
    va_list ap;

    va_start(ap, format);
    if (vasprintf(&problem, format, ap) < 0)
        problem = NULL;
    va_end(ap);
    if (problem == NULL)
        goto nomem;
    if ((f = said(d, lv, check, where, problem)) != NULL) {
        free(problem);
        return f;
    }
    if (where != NULL && (w = strdup(where)) == NULL)
        goto nomem;
    grown = realloc(d->findings, (d->n_findings + 1) * sizeof(*grown));
    if (grown == NULL)
        goto nomem;
    d->findings = grown;
    f = &grown[d->n_findings++];
    memset(f, 0, sizeof(*f));
    f->level = lv;
    f->age_seconds = -1;
    f->check = check;
    f->where = w;
    f->problem = problem;
    return f;
nomem:
    free(problem);
    free(w);
    d->nomem = true;
    return NULL;
}

void set_fix(struct doctor *d, struct finding *f, const char *format, ...)
{
    va_list ap;
    int n;

    if (f == NULL)
        return;
    /* A finding said again (report's said) gets its fix again. */
    free(f->fix);
    va_start(ap, format);
    n = vasprintf(&f->fix, format, ap);
    va_end(ap);
    if (n < 0) {
        f->fix = NULL;
        d->nomem = true;
    }
}

const char *at_line(char *buf, const char *path, unsigned line)
{
    fmt(buf, WHERE_MAX, "%s:%u", path, line);
    return buf;
}

size_t count_findings(const struct doctor *d, enum level lv)
{
    size_t i, n = 0;

    for (i = 0; i < d->n_findings; i++)
        n += d->findings[i].level == lv;
    return n;
}

/* Free a list of n findings and empty it. */
static void free_list(struct finding **v, size_t *n)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        free((*v)[i].where);
        free((*v)[i].problem);
        free((*v)[i].fix);
    }
    free(*v);
    *v = NULL;
    *n = 0;
}

void hold_findings(struct doctor *d, size_t from)
{
    struct finding *grown;
    size_t n;

    if (from >= d->n_findings)
        return;
    n = d->n_findings - from;
    grown = realloc(d->held, (d->n_held + n) * sizeof(*grown));
    if (grown == NULL) {
        d->nomem = true;
        return;
    }
    d->held = grown;
    memcpy(&d->held[d->n_held], &d->findings[from], n * sizeof(*grown));
    d->n_held += n;
    d->n_findings = from;
}

void give_held_findings(struct doctor *d)
{
    struct finding *h, *f;
    size_t i;

    for (i = 0; i < d->n_held; i++) {
        h = &d->held[i];
        f = report(d, h->level, h->check, h->where, "%s", h->problem);
        if (h->fix != NULL)
            set_fix(d, f, "%s", h->fix);
    }
    free_list(&d->held, &d->n_held);
}

void free_findings(struct doctor *d)
{
    free_list(&d->findings, &d->n_findings);
    free_list(&d->held, &d->n_held);
}

static int print_text(const struct doctor *d, size_t errors, size_t warnings)
{
    static const char *const tags[] = {"ok", "info", "WARNING", "ERROR"};
    const struct finding *f;
    size_t i;

    printf("eksauth doctor: %s%s\n", d->root[0] != '\0' ? d->root : "this host",
           d->network ? " (with --network)" : "");
    for (i = 0; i < d->n_findings; i++) {
        f = &d->findings[i];
        printf("%-7s %-8s %s%s%s\n", tags[f->level], f->check, f->where != NULL ? f->where : "",
               f->where != NULL ? ": " : "", f->problem);
        if (f->fix != NULL)
            printf("%-16s fix: %s\n", "", f->fix);
    }
    printf("%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s", warnings,
           warnings == 1 ? "" : "s");
    return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

static int print_json(const struct doctor *d, size_t errors, size_t warnings)
{
    static const char *const names[] = {"ok", "info", "warning", "error"};
    struct json_object *top = json_object_new_object(), *list = json_object_new_array(), *o;
    const struct finding *f;
    size_t i;
    int rc;

    json_object_object_add(top, "root", json_object_new_string(d->root[0] != '\0' ? d->root : "/"));
    json_object_object_add(top, "network", json_object_new_boolean(d->network));
    json_object_object_add(top, "ok", json_object_new_boolean(errors == 0));
    json_object_object_add(top, "errors", json_object_new_int64((int64_t)errors));
    json_object_object_add(top, "warnings", json_object_new_int64((int64_t)warnings));
    for (i = 0; i < d->n_findings; i++) {
        f = &d->findings[i];
        o = json_object_new_object();
        json_object_object_add(o, "level", json_object_new_string(names[f->level]));
        json_object_object_add(o, "check", json_object_new_string(f->check));
        json_object_object_add(o, "where",
                               f->where != NULL ? json_object_new_string(f->where) : NULL);
        json_object_object_add(o, "problem", json_object_new_string(f->problem));
        json_object_object_add(o, "fix", f->fix != NULL ? json_object_new_string(f->fix) : NULL);
        if (f->age_seconds >= 0)
            json_object_object_add(o, "age_seconds", json_object_new_int64(f->age_seconds));
        json_object_array_add(list, o);
    }
    json_object_object_add(top, "findings", list);
    rc = cli_print_json(top);
    json_object_put(top);
    return rc;
}

int print_findings(const struct doctor *d, bool json)
{
    size_t errors = count_findings(d, LV_ERROR), warnings = count_findings(d, LV_WARNING);

    return json ? print_json(d, errors, warnings) : print_text(d, errors, warnings);
}
