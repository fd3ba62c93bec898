/*
 * template_rivals.c - templates that can meet, found by their ends (see
 * template_rivals.h).  Two templates overlap only when one head begins the
 * other and one tail ends the other; a login fits a template only when it
 * begins with its head, ends with its tail and holds its middle between
 * the two (lib/login_template.c cuts all three).  Sorted by head, then
 * reversed tail, then middle, the templates of one head form a range, of
 * one head and tail a range within it, and so on: a template or a login
 * looks up each beginning of its head and each end of its tail (at most 33
 * and 33 binary searches), not every template.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/login_template.h"
#include "eksauth/template.h"
#include "eksauth/template_rivals.h"

struct entry {
    struct eksauth_login_template_ends ends; /* tail reversed: sorted, its ends are prefixes */
    size_t index;                            /* into templates */
};

struct eksauth_template_rivals {
    char *const *templates;
    struct entry *v; /* those that give a login, sorted by cmp_entry */
    size_t n;
    size_t *partner; /* by template index: the partner's index + 1, 0 none */
};

enum field { F_HEAD, F_TAIL, F_MIDDLE };

/* The field a search narrows by: each is sorted within equal earlier ones. */
static const char *field_of(const struct entry *e, enum field f)
{
    return f == F_HEAD ? e->ends.head : f == F_TAIL ? e->ends.tail : e->ends.middle;
}

/* Head, then reversed tail, then middle: the order find() narrows in. */
static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->ends.head, y->ends.head);

    if (c == 0)
        c = strcmp(x->ends.tail, y->ends.tail);
    return c != 0 ? c : strcmp(x->ends.middle, y->ends.middle);
}

/* f against key[0, n) in strcmp's order; with prefix, every f that begins with it is equal. */
static int cmp_key(const char *f, const char *key, size_t n, bool prefix)
{
    int c = strncmp(f, key, n);

    return c != 0 || prefix ? c : f[n] != '\0';
}

/* Binary search in [lo, hi): the first not below key, or with past, not at or below it. */
static size_t bound(const struct entry *v, size_t lo, size_t hi, enum field f, const char *key,
                    size_t n, bool prefix, bool past)
{
    size_t mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = cmp_key(field_of(&v[mid], f), key, n, prefix);
        if (c < 0 || (past && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* [*lo, *hi): the entries of [from, to) whose field is key[0, n), or (prefix) begins with it. */
static void find(const struct entry *v, size_t from, size_t to, enum field f, const char *key,
                 size_t n, bool prefix, size_t *lo, size_t *hi)
{
    *lo = bound(v, from, to, f, key, n, prefix, false);
    *hi = bound(v, *lo, to, f, key, n, prefix, true);
}

/* A range visit() found, with the lengths of head and reversed tail that chose it. */
typedef void range_fn(const struct eksauth_template_rivals *r, size_t lo, size_t hi,
                      size_t head_len, size_t tail_len, void *arg);

/*
 * Each range of templates whose head is head[0, l) for some l (a head that
 * begins head) and whose reversed tail is rev[0, m) for some m (a tail
 * that ends the other) or begins with all of rev (a tail the other ends):
 * every template that may overlap a template of these ends, or fit a login
 * of them.  Longer heads are the ones that ask this one.
 */
static void visit(const struct eksauth_template_rivals *r, const char *head, const char *rev,
                  range_fn *fn, void *arg)
{
    size_t nh = strlen(head), nr = strlen(rev), l, m, hlo, hhi, lo, hi;

    for (l = 0; l <= nh; l++) {
        find(r->v, 0, r->n, F_HEAD, head, l, false, &hlo, &hhi);
        for (m = 0; m <= nr && hlo < hhi; m++) {
            find(r->v, hlo, hhi, F_TAIL, rev, m, m == nr, &lo, &hi);
            if (lo < hi)
                fn(r, lo, hi, l, m, arg);
        }
    }
}

/* s reversed in place: a tail sorted reversed makes "ends with" a prefix search. */
static void reverse(char *s)
{
    size_t i, n = strlen(s);
    char c;

    for (i = 0; i < n / 2; i++) {
        c = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = c;
    }
}

/* The partners' search: the entry asking, and which entries have a partner already. */
struct meet {
    size_t self;
    size_t *next; /* by entry: itself while it has no partner, else toward the next without */
};

/* The first entry at or after x without a partner: each is walked past once in all. */
static size_t next_unsaid(size_t *next, size_t x)
{
    size_t root = x, t;

    while (next[root] != root)
        root = next[root];
    while (next[x] != root) {
        t = next[x];
        next[x] = root;
        x = t;
    }
    return root;
}

/*
 * Every template of [lo, hi) meets the asking one by their ends: the
 * asking one takes the first other as its partner (if _overlap agrees),
 * and each without a partner that overlaps it takes the asking one.  So a
 * template whose only rivals have longer heads (they ask it) gets one too.
 */
static void meet_range(const struct eksauth_template_rivals *r, size_t lo, size_t hi,
                       size_t head_len, size_t tail_len, void *arg)
{
    struct meet *m = arg;
    size_t self = r->v[m->self].index, q;
    const char *mine = r->templates[self];

    (void)head_len;
    (void)tail_len;
    q = lo != m->self ? lo : lo + 1;
    if (r->partner[self] == 0 && q < hi &&
        eksauth_login_template_overlap(mine, r->templates[r->v[q].index])) {
        r->partner[self] = r->v[q].index + 1;
        m->next[m->self] = m->self + 1;
    }
    for (q = next_unsaid(m->next, lo); q < hi; q = next_unsaid(m->next, q + 1)) {
        if (q == m->self || !eksauth_login_template_overlap(mine, r->templates[r->v[q].index]))
            continue;
        if (r->partner[r->v[q].index] == 0)
            r->partner[r->v[q].index] = self + 1;
        m->next[q] = q + 1;
    }
}

/* Every entry asks the ranges its ends meet, once. */
static enum eksauth_status find_partners(struct eksauth_template_rivals *r,
                                         struct eksauth_error *err)
{
    struct meet m = {0, calloc(r->n + 1, sizeof(size_t))};
    size_t i;

    if (m.next == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "template rivals: out of memory");
    for (i = 0; i <= r->n; i++)
        m.next[i] = i;
    for (m.self = 0; m.self < r->n; m.self++)
        visit(r, r->v[m.self].ends.head, r->v[m.self].ends.tail, meet_range, &m);
    free(m.next);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_template_rivals_build(char *const *templates, size_t n,
                                                  struct eksauth_template_rivals **out,
                                                  struct eksauth_error *err)
{
    struct eksauth_template_rivals *r = calloc(1, sizeof(*r));
    enum eksauth_status st = EKSAUTH_OK;
    size_t i;

    *out = NULL;
    if (r == NULL || (r->v = calloc(n + 1, sizeof(*r->v))) == NULL ||
        (r->partner = calloc(n + 1, sizeof(*r->partner))) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "template rivals: out of memory");
        goto out;
    }
    r->templates = templates;
    for (i = 0; i < n; i++) {
        /* Left out, a template without placeholders would be a login nobody checks. */
        if (!eksauth_template_has_placeholder(templates[i])) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "template rivals: '%s' has no placeholder; a static username is "
                              "checked as a login (eksauth_template_rivals_taker)",
                              templates[i]);
            goto out;
        }
        /* One that gives no login ({{AccessKeyID}}, too long) has no rival. */
        if (!eksauth_login_template_ends(templates[i], &r->v[r->n].ends))
            continue;
        reverse(r->v[r->n].ends.tail);
        r->v[r->n++].index = i;
    }
    qsort(r->v, r->n, sizeof(*r->v), cmp_entry);
    st = find_partners(r, err);
out:
    if (st != EKSAUTH_OK)
        eksauth_template_rivals_free(r);
    else
        *out = r;
    return st;
}

size_t eksauth_template_rivals_partner(const struct eksauth_template_rivals *r, size_t i)
{
    return r->partner[i] - 1; /* 0 - 1: SIZE_MAX, none */
}

/* A login's search: the lowest template found that takes it from its user. */
struct taker {
    const char *login, *k8s_username;
    size_t best;
};

/*
 * The templates of [lo, hi), of head login[0, l) and tail its last m,
 * sorted by middle: only those whose middle is some text of the login
 * between the two can fit it, so each such text is looked up (at most 32 *
 * 33 / 2), not every template of these ends asked.
 */
static void take_range(const struct eksauth_template_rivals *r, size_t lo, size_t hi, size_t l,
                       size_t m, void *arg)
{
    struct taker *t = arg;
    size_t n = strlen(t->login), from, len, k, mlo, mhi;
    const char *tmpl;

    /* Head and tail of all the login (or more) leave no room for a placeholder. */
    if (l + m >= n)
        return;
    for (from = l; from <= n - m; from++) {
        for (len = from == l ? 0 : 1; from + len <= n - m; len++) {
            find(r->v, lo, hi, F_MIDDLE, t->login + from, len, false, &mlo, &mhi);
            /* Every candidate: the lowest is the one named, as in aws-auth's order. */
            for (k = mlo; k < mhi; k++) {
                tmpl = r->templates[r->v[k].index];
                if (r->v[k].index < t->best && eksauth_login_template_may_fit(tmpl, t->login) &&
                    !eksauth_login_template_may_render(tmpl, t->k8s_username))
                    t->best = r->v[k].index;
            }
        }
    }
}

size_t eksauth_template_rivals_taker(const struct eksauth_template_rivals *r, const char *login,
                                     const char *k8s_username)
{
    struct taker t = {login, k8s_username, SIZE_MAX};
    char rev[EKSAUTH_NAME_MAX + 1];
    size_t n = strlen(login);

    /* login_template.c's bound: a longer login fits no template. */
    if (n > EKSAUTH_NAME_MAX)
        return SIZE_MAX;
    memcpy(rev, login, n + 1);
    reverse(rev);
    /* A login begins with a letter or '_' (names.h): a head with rule 2's '_' is at its start. */
    visit(r, login, rev, take_range, &t);
    return t.best;
}

void eksauth_template_rivals_free(struct eksauth_template_rivals *r)
{
    if (r == NULL)
        return;
    free(r->v);
    free(r->partner);
    free(r);
}
