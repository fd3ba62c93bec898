/*
 * test_template_rivals.c - lib/template_rivals.c: the templates that can
 * give one login to two people, found by their ends, agree with asking
 * lib/login_template.c of every pair (docs/names-and-ids.md, "One login,
 * one person").  The plan's warnings of them are tests/unit/test_identity.c's.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/login_template.h"
#include "eksauth/names.h"
#include "eksauth/template_rivals.h"

static struct eksauth_template_rivals *build(char *const *t, size_t n)
{
    struct eksauth_template_rivals *r = NULL;
    struct eksauth_error err;

    assert_int_equal(eksauth_template_rivals_build(t, n, &r, &err), EKSAUTH_OK);
    assert_non_null(r);
    return r;
}

/* Does template i overlap another, asked of every pair. */
static int overlaps_any(char *const *t, size_t n, size_t i)
{
    size_t j;

    for (j = 0; j < n; j++)
        if (j != i && eksauth_login_template_overlap(t[i], t[j]))
            return 1;
    return 0;
}

/*
 * The lowest template that takes login from k8s, asked of every template
 * (an unbound {{EC2PrivateDNSName}} as any name: the caller binds it).
 */
static size_t first_taker(char *const *t, size_t n, const char *login, const char *k8s)
{
    size_t j;

    for (j = 0; j < n; j++)
        if (eksauth_login_template_may_fit(t[j], login) &&
            !eksauth_login_template_may_render(t[j], k8s))
            return j;
    return SIZE_MAX;
}

/* Every template's partner, checked against asking every pair. */
static void assert_partners(const struct eksauth_template_rivals *r, char *const *t, size_t n)
{
    size_t i, p;

    for (i = 0; i < n; i++) {
        p = eksauth_template_rivals_partner(r, i);
        if ((p != SIZE_MAX) != overlaps_any(t, n, i) ||
            (p != SIZE_MAX && (p == i || !eksauth_login_template_overlap(t[i], t[p]))))
            fail_msg("'%s': partner %zu, overlaps another: %d", t[i], p, overlaps_any(t, n, i));
    }
}

static void test_partners(void **state)
{
    char *t[] = {"sso-{{SessionName}}", "dev-{{SessionName}}", "sso-{{SessionName}}-adm",
                 "ops-{{SessionName}}-a", "ops-{{SessionName}}-b"};
    struct eksauth_template_rivals *r;

    (void)state;
    r = build(t, 5);
    assert_partners(r, t, 5);
    assert_int_equal(eksauth_template_rivals_partner(r, 0), 2);
    assert_int_equal(eksauth_template_rivals_partner(r, 2), 0);
    assert_int_equal(eksauth_template_rivals_partner(r, 1), SIZE_MAX);
    assert_int_equal(eksauth_template_rivals_partner(r, 3), SIZE_MAX);
    eksauth_template_rivals_free(r);
}

/*
 * Long heads: 35 characters and a placeholder (the longest that gives a
 * login; 36 with rule 2's '_') still meet a short head that begins them;
 * one past that gives no login and meets nothing, as _overlap says.
 */
static void test_long_heads(void **state)
{
    char *t[] = {"a2345678901234567890123456789012345{{SessionName}}",
                 "a{{SessionName}}",
                 "12345678901234567890123456789012345{{AccountID}}",
                 "1{{SessionName}}x",
                 "a23456789012345678901234567890123456789012345678901{{SessionName}}",
                 "b23456789012345678901234567890123456789012345678901{{SessionName}}",
                 "b{{SessionName}}"};
    struct eksauth_template_rivals *r;

    (void)state;
    r = build(t, 7);
    assert_partners(r, t, 7);
    assert_int_equal(eksauth_template_rivals_partner(r, 0), 1);
    assert_int_equal(eksauth_template_rivals_partner(r, 2), 3);
    assert_int_equal(eksauth_template_rivals_partner(r, 4), SIZE_MAX);
    assert_int_equal(eksauth_template_rivals_partner(r, 5), SIZE_MAX);
    assert_int_equal(eksauth_template_rivals_partner(r, 6), SIZE_MAX);
    eksauth_template_rivals_free(r);
}

/*
 * {{EC2PrivateDNSName}} (unbound: a wildcard to _overlap, no login to
 * _fits) and {{AccountID}} between wildcards: rivals by their ends, and a
 * login is taken by the template whose middle text it holds.
 */
static void test_placeholders_between(void **state)
{
    char *t[] = {"sso-{{SessionName}}{{EC2PrivateDNSName}}{{SessionName}}-x",
                 "sso-{{AccountID}}-x",
                 "u{{SessionName}}q{{AccountID}}z",
                 "u{{SessionName}}z",
                 "n{{EC2PrivateDNSName}}-",
                 "n-{{SessionName}}"};
    struct eksauth_template_rivals *r;

    (void)state;
    r = build(t, 6);
    assert_partners(r, t, 6);
    assert_int_equal(eksauth_template_rivals_partner(r, 0), 1);
    assert_int_equal(eksauth_template_rivals_partner(r, 2), 3);
    assert_int_equal(eksauth_template_rivals_partner(r, 4), 5);
    assert_int_equal(eksauth_template_rivals_taker(r, "uabq123456789012z", "bob"), 2);
    assert_int_equal(eksauth_template_rivals_taker(r, "uabz", "bob"), 3);
    /* The same Kubernetes user is no rival (both render it). */
    assert_int_equal(eksauth_template_rivals_taker(r, "uabq123456789012z", "uabq123456789012z"),
                     SIZE_MAX);
    assert_int_equal(eksauth_template_rivals_taker(r, "uabq123456789012z", "uab:q123456789012z"),
                     2);
    /* An unbound host name is any name: the first template gives it ("12", "3", "4..."). */
    assert_int_equal(eksauth_template_rivals_taker(r, "sso-123456789012-x", "bob"), 0);
    assert_int_equal(eksauth_template_rivals_taker(r, "n-ab", "bob"), 5);
    assert_int_equal(eksauth_template_rivals_taker(r, "nip-1-", "bob"), 4);
    assert_int_equal(eksauth_template_rivals_taker(r, "nip-1-", "nip-1-"), SIZE_MAX);
    assert_int_equal(eksauth_template_rivals_taker(r, "bob", "bob"), SIZE_MAX);
    eksauth_template_rivals_free(r);
}

/* Templates that all overlap: each has a partner, and each pair is at most once a warning. */
static void test_all_overlapping(void **state)
{
    enum { N = 400 };
    char *t[N];
    struct eksauth_template_rivals *r;
    size_t i, p, said = 0;

    (void)state;
    for (i = 0; i < N; i++) {
        t[i] = malloc(64);
        assert_non_null(t[i]);
        snprintf(t[i], 64, "sso-{{SessionName}}-m%zu-{{SessionName}}", i);
    }
    r = build(t, N);
    for (i = 0; i < N; i++) {
        p = eksauth_template_rivals_partner(r, i);
        assert_true(p < N && p != i);
        said += !(p < i && eksauth_template_rivals_partner(r, p) == i);
    }
    assert_in_range(said, N / 2, N);
    eksauth_template_rivals_free(r);
    for (i = 0; i < N; i++)
        free(t[i]);
}

/* The next of a small random generator (a 64-bit LCG's high bits). */
static size_t pick(unsigned long long *seed, size_t n)
{
    *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return (size_t)(*seed >> 33) % n;
}

/* Up to max tokens of from, picked at random, into out; at least one. */
static void random_text(unsigned long long *seed, const char *const *from, size_t n_from,
                        size_t max, char *out, size_t cap)
{
    size_t i, k = 1 + pick(seed, max), at = 0;

    out[0] = '\0';
    for (i = 0; i < k; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s", from[pick(seed, n_from)]);
}

/*
 * Random templates of a few letters, digits, rule 1's and 2's characters
 * and placeholders (so their heads, tails and middles begin and end one
 * another in every way), and random logins: partners and takers as asking
 * every pair finds them.
 */
static void test_every_rival_found(void **state)
{
    static const char *const TMPL[] = {
        "a", "b", "-", "1", ":", "ab", "{{SessionName}}", "{{AccountID}}", "{{EC2PrivateDNSName}}"};
    static const char *const LOGIN[] = {"a", "b", "-", "1", "ab", "b1", "123456789012"};
    unsigned long long seed = 7;
    char buf[8][192], *t[8], login[160];
    struct eksauth_template_rivals *r;
    size_t round, i, n, got, want;

    (void)state;
    for (round = 0; round < 3000; round++) {
        for (n = 1 + pick(&seed, 8), i = 0; i < n; i++) {
            do
                random_text(&seed, TMPL, 9, 7, buf[i], sizeof(buf[i]));
            while (strstr(buf[i], "{{") == NULL);
            t[i] = buf[i];
        }
        r = build(t, n);
        assert_partners(r, t, n);
        for (i = 0; i < 20; i++) {
            login[0] = pick(&seed, 3) == 0 ? '_' : 'a';
            random_text(&seed, LOGIN, 7, 5, login + 1, sizeof(login) - 1);
            got = eksauth_template_rivals_taker(r, login, "k8s-user");
            want = first_taker(t, n, login, "k8s-user");
            if (got != want)
                fail_msg("round %zu: login '%s' taken by %zu, every template asked: %zu", round,
                         login, got, want);
        }
        eksauth_template_rivals_free(r);
    }
}

/* tmpl with each placeholder given a value: 12 digits, or 2 to 41 of a session name's characters.
 */
static void render(unsigned long long *seed, const char *tmpl, char *out, size_t cap)
{
    static const char SESSION[] = "abz019._-";
    const char *p = tmpl, *end;
    size_t at = 0, k, len;

    while (*p != '\0' && at + 42 < cap) {
        if (p[0] == '{' && p[1] == '{' && (end = strstr(p + 2, "}}")) != NULL) {
            len = (size_t)(end - p - 2) == 9 ? 12 : 2 + pick(seed, pick(seed, 2) ? 4 : 40);
            for (k = 0; k < len; k++)
                out[at++] = len == 12 && (size_t)(end - p - 2) == 9 ? (char)('0' + pick(seed, 10))
                                                                    : SESSION[pick(seed, 9)];
            p = end + 2;
        } else {
            out[at++] = *p++;
        }
    }
    out[at] = '\0';
}

/*
 * Logins as hosts see them: a template's rendering, or any text, through
 * names.h (upper case, '_', '.', '@', ':' and non-ASCII in the literal
 * text; rule 2's '_'; long names cut and hashed), against templates whose
 * heads begin one another, with {{AccountID}} between wildcards: every
 * taker as asking every template finds it.  Many logins fit a template,
 * so a range the index leaves out is met.
 */
static void test_rendered_logins_found(void **state)
{
    static const char *const TMPL[] = {"a",
                                       "b",
                                       "A",
                                       "_",
                                       ".",
                                       "1",
                                       "-",
                                       ":",
                                       "@",
                                       "ab",
                                       "Ab",
                                       "\xc3\xa9",
                                       "{{SessionName}}",
                                       "{{SessionNameRaw}}",
                                       "{{AccountID}}"};
    unsigned long long seed = 11;
    char buf[8][400], *t[8], text[400], login[EKSAUTH_NAME_MAX + 1];
    struct eksauth_template_rivals *r;
    size_t round, i, n, got, want, fitting = 0;

    (void)state;
    for (round = 0; round < 2000; round++) {
        for (n = 1 + pick(&seed, 8), i = 0; i < n; i++) {
            do
                random_text(&seed, TMPL, 15, 1 + pick(&seed, 2) * 12, buf[i], sizeof(buf[i]));
            while (strstr(buf[i], "{{") == NULL);
            t[i] = buf[i];
        }
        r = build(t, n);
        assert_partners(r, t, n);
        for (i = 0; i < 20; i++) {
            render(&seed, t[pick(&seed, n)], text, sizeof(text));
            if (eksauth_names_login(text, login, NULL) != EKSAUTH_OK)
                continue;
            got = eksauth_template_rivals_taker(r, login, "k8s-user");
            want = first_taker(t, n, login, "k8s-user");
            fitting += want != SIZE_MAX;
            if (got != want)
                fail_msg("round %zu: login '%s' taken by %zu, every template asked: %zu", round,
                         login, got, want);
        }
        eksauth_template_rivals_free(r);
    }
    /* The logins met the templates: one in four fits one (one in eight asked). */
    assert_true(fitting > 2000 * 20 / 8);
}

/* A template without placeholders is a static user's name: refused, never left unchecked. */
static void test_no_placeholder_refused(void **state)
{
    char *t[] = {"sso-{{SessionName}}", "alice"};
    struct eksauth_template_rivals *r = NULL;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_template_rivals_build(t, 2, &r, &err), EKSAUTH_EINVAL);
    assert_null(r);
    assert_non_null(strstr(err.msg, "'alice' has no placeholder"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partners),
        cmocka_unit_test(test_long_heads),
        cmocka_unit_test(test_placeholders_between),
        cmocka_unit_test(test_all_overlapping),
        cmocka_unit_test(test_every_rival_found),
        cmocka_unit_test(test_rendered_logins_found),
        cmocka_unit_test(test_no_placeholder_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
