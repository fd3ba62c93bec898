/*
 * test_awsauth_yaml_compat.c - lib/awsauth_yaml_compat.c: the YAML the
 * cluster reads otherwise, found in a document libyaml loaded, each rule
 * with its reason and the node it points at: a merge key, a tag, a %YAML
 * other than 1.1; an alias inside the node it names and aliases expanding
 * past 100 nodes; collections nested deeper than 10000 (flow ones also
 * before the load); a '?' in a plain
 * scalar inside a flow collection; the escape \/; an infinity or NaN; a
 * null, list, mapping or above-int64 key; a plain scalar tagged "!" or
 * "!!str", a string; the errors of libyaml that go-yaml reads past.  What
 * the reader makes of them
 * in a whole aws-auth (the value dropped, with its warning):
 * test_awsauth_read.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <yaml.h>

#include "eksauth/awsauth_yaml_compat.h"
#include "unit.h"
#include "yaml_doc.h"

/* ------------------------------------------------------------------------ */
/* Helpers. */

static void load(const char *text, yaml_document_t *doc)
{
    yaml_doc_load(text, doc);
    assert_non_null(yaml_document_get_root_node(doc));
}

/* "LINE:COL: why" of a refusal (1-based, where libyaml marks the node), or "" for none. */
static const char *said(enum eksauth_status st, const struct eksauth_awsauth_yaml_refusal *r,
                        char *out, size_t outlen)
{
    if (st == EKSAUTH_OK)
        return strcpy(out, "");
    assert_status(st, EKSAUTH_EINVAL);
    assert_non_null(r->node);
    snprintf(out, outlen, "%zu:%zu: %s", r->node->start_mark.line + 1,
             r->node->start_mark.column + 1, r->why);
    return out;
}

/* What eksauth_awsauth_yaml_unread says of text; *cluster_reads (may be NULL) its flag. */
static const char *unread_as(const char *text, char *out, size_t outlen, bool *cluster_reads)
{
    struct eksauth_awsauth_yaml_refusal r = {0};
    yaml_document_t doc;
    enum eksauth_status st;

    load(text, &doc);
    st = eksauth_awsauth_yaml_unread(&doc, text, strlen(text), &r);
    said(st, &r, out, outlen);
    if (cluster_reads != NULL)
        *cluster_reads = st != EKSAUTH_OK && r.cluster_reads;
    yaml_document_delete(&doc);
    return out;
}

static const char *unread(const char *text, char *out, size_t outlen)
{
    return unread_as(text, out, outlen, NULL);
}

/* What eksauth_awsauth_yaml_cluster_fails says of text's root, given its text or not. */
static const char *fails(const char *text, bool with_text, bool decoded, char *out, size_t outlen)
{
    struct eksauth_awsauth_yaml_refusal r = {0};
    yaml_document_t doc;
    enum eksauth_status st;

    load(text, &doc);
    st = eksauth_awsauth_yaml_cluster_fails(&doc, yaml_document_get_root_node(&doc),
                                            with_text ? text : NULL, strlen(text), decoded, &r);
    said(st, &r, out, outlen);
    yaml_document_delete(&doc);
    return out;
}

#define TAIL ": the cluster's reading fails on it and drops the whole value"
/* eksauth's bound on aliases, where go-yaml reads on (awsauth_yaml_compat.c). */
#define OWN_BOUND ", eksauth's bound on them (go-yaml's is a share of its decodes)"

/* ------------------------------------------------------------------------ */
/* What go-yaml reads as a string whatever it looks like. */

/* The style eksauth_awsauth_yaml_unread leaves on the value of key k in a mapping. */
static yaml_scalar_style_t style_of(yaml_document_t *doc, const char *k)
{
    yaml_node_t *root = yaml_document_get_root_node(doc), *key, *v;
    yaml_node_pair_t *p;

    for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        key = yaml_document_get_node(doc, p->key);
        v = yaml_document_get_node(doc, p->value);
        if (strcmp((const char *)key->data.scalar.value, k) == 0)
            return v->data.scalar.style;
    }
    fail_msg("no key %s", k);
    return YAML_ANY_SCALAR_STYLE;
}

/*
 * A plain scalar tagged "!" or "!!str" is the string written to go-yaml
 * (kubectl 1.32, sigs.k8s.io/yaml v1.4.0: "! 12" is "12", "!!str on" is
 * "on", "! ~" is "~"), where libyaml's loader leaves no trace of either tag:
 * such a scalar that eksauth's rules would read as null, a boolean or a
 * number becomes single-quoted, whatever properties and comments come
 * first; the text is walked by characters (the "é" before them).  The
 * plain look is kept otherwise: no tag, an anchor alone, "<<" (merged by
 * go-yaml after "!"), a string anyway.  The walk that refuses "!!int"
 * reads the scalars after it all the same.
 */
static void test_tagged_strings(void **state)
{
    static const char text[] = "\xc3\xa9: x\n"
                               "z: !!int 5\n"
                               "a: ! 12\n"
                               "b: !!str on\n"
                               "c: &x ! ~\n"
                               "d: &y # why\n"
                               "  !<tag:yaml.org,2002:str>\n"
                               "  .inf\n"
                               "e: ! &z 0x1F\n"
                               "f: 12\n"
                               "g: &w 12\n"
                               "h: ! <<\n"
                               "i: ! abc\n"
                               "j: !!str\n";
    static const char *const quoted[] = {"a", "b", "c", "d", "e", "j"};
    static const char *const plain[] = {"f", "g", "h", "i"};
    struct eksauth_awsauth_yaml_refusal r = {0};
    yaml_document_t doc;
    size_t i;

    (void)state;
    load(text, &doc);
    /* Refused for "!!int": every scalar after it is read all the same. */
    assert_status(eksauth_awsauth_yaml_unread(&doc, text, strlen(text), &r), EKSAUTH_EINVAL);
    for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++) {
        if (style_of(&doc, quoted[i]) != YAML_SINGLE_QUOTED_SCALAR_STYLE)
            fail_msg("%s: not read as a string", quoted[i]);
    }
    for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (style_of(&doc, plain[i]) != YAML_PLAIN_SCALAR_STYLE)
            fail_msg("%s: not plain", plain[i]);
    }
    yaml_document_delete(&doc);
}

/* What eksauth_awsauth_yaml_libyaml_only says of the error libyaml's load of text makes. */
static const char *libyaml_only(const char *text)
{
    yaml_parser_t yp;
    yaml_document_t doc;
    const char *only;

    assert_true(yaml_parser_initialize(&yp));
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, strlen(text));
    assert_false(yaml_parser_load(&yp, &doc));
    only = eksauth_awsauth_yaml_libyaml_only(&yp, text, strlen(text));
    yaml_parser_delete(&yp);
    return only != NULL ? only : "";
}

/*
 * What libyaml 0.2.5 fails on and go-yaml reads (kubectl 1.32, sigs.k8s.io/yaml
 * v1.4.0: "a\'b" is "a'b"; [ops, admin:] is "ops", "admin:"), each error found
 * past a character ("é") of two bytes; what both fail on is no such case:
 * ':' before '[', '{' or '?', another escape, a block ':' error.
 */
static void test_libyaml_only(void **state)
{
    static const char *const both_fail[] = {
        "- [a:[b]]\n", "- [a:{b: c}]\n", "- [a:?]\n", "- \"a\\qb\"\n", "- a: b: c\n",
    };
    size_t i;

    (void)state;
    assert_string_equal(libyaml_only("- \"\xc3\xa9 a\\'b\"\n"),
                        "go-yaml, the cluster's YAML reader, reads the escape \\' as ', libyaml "
                        "does not: write ' without the backslash");
    assert_string_equal(libyaml_only("- [\xc3\xa9, admin:]\n"),
                        "go-yaml, the cluster's YAML reader, reads a ':' that ends a plain scalar "
                        "before ',', ']' or '}', libyaml does not: quote the scalar");
    assert_string_not_equal(libyaml_only("- [a:, b]\n"), "");
    assert_string_not_equal(libyaml_only("- {username: a:}\n"), "");
    for (i = 0; i < sizeof(both_fail) / sizeof(both_fail[0]); i++) {
        if (strcmp(libyaml_only(both_fail[i]), "") != 0)
            fail_msg("%s: said to be read by the cluster", both_fail[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* What go-yaml applies and eksauth does not. */

/* A plain "<<" is go-yaml's merge key, wherever the mapping is; a quoted one a key. */
static void test_merge_keys(void **state)
{
    static const char *const why =
        "a YAML merge key (<<): eksauth does not merge; write the keys out";
    char out[1024], want[512];

    (void)state;
    snprintf(want, sizeof(want), "3:3: %s", why);
    assert_string_equal(unread("- &ro {rolearn: r, username: viewer}\n"
                               "- rolearn: s\n"
                               "  <<: *ro\n",
                               out, sizeof(out)),
                        want);
    snprintf(want, sizeof(want), "1:18: %s", why);
    assert_string_equal(unread("- {a: [x, {b: y, <<: {c: d}}]}\n", out, sizeof(out)), want);
    assert_string_equal(unread("- {'<<': x, \"<<\": y, <: z, <<<: w}\n", out, sizeof(out)), "");
    assert_string_equal(unread("- [<<]\n", out, sizeof(out)), "");
}

/*
 * A "<<" key with a local tag is the text "<<" to go-yaml (it resolves no
 * local tag): no merge key, but a tag the cluster reads past.  The walk
 * meets the mapping before its keys, so the key's tag is asked there.
 */
static void test_merge_key_local_tag(void **state)
{
    char out[1024], want[512];
    bool cluster_reads;

    (void)state;
    assert_string_equal(unread_as("- {!x <<: a, b: c}\n", out, sizeof(out), &cluster_reads),
                        "1:4: the YAML tag !x: eksauth reads no YAML tags; remove it");
    assert_true(cluster_reads);
    /* "!" and "!!str" leave it a merge key, as go-yaml merges it. */
    snprintf(want, sizeof(want), "1:4: %s",
             "a YAML merge key (<<): eksauth does not merge; write the keys out");
    assert_string_equal(unread_as("- {! <<: {a: b}}\n", out, sizeof(out), &cluster_reads), want);
    assert_false(cluster_reads);
}

/* Every explicit tag but the defaults ("!!str" on a scalar, "!"). */
static void test_tags(void **state)
{
    char out[1024];

    (void)state;
    assert_string_equal(unread("- username: !!binary YWRtaW4=\n", out, sizeof(out)),
                        "1:13: the YAML tag !!binary: eksauth reads no YAML tags; remove it");
    assert_string_equal(unread("- [!!int \"12\"]\n", out, sizeof(out)),
                        "1:4: the YAML tag !!int: eksauth reads no YAML tags; remove it");
    assert_string_equal(unread("- !!map {}\n", out, sizeof(out)), "");
    assert_string_equal(unread("- !!seq {}\n", out, sizeof(out)),
                        "1:3: the YAML tag !!seq: eksauth reads no YAML tags; remove it");
    assert_string_equal(unread("- x: !custom y\n", out, sizeof(out)),
                        "1:6: the YAML tag !custom: eksauth reads no YAML tags; remove it");
    assert_string_equal(unread("- !!null x\n", out, sizeof(out)),
                        "1:3: the YAML tag !!null: eksauth reads no YAML tags; remove it");
    assert_string_equal(unread("- {!!str a: ! b, c: !!seq [d]}\n", out, sizeof(out)), "");
}

/* go-yaml v2 reads YAML 1.1 only: another %YAML points at the root. */
static void test_yaml_versions(void **state)
{
    char out[1024];

    (void)state;
    assert_string_equal(
        unread("%YAML 1.2\n---\n- a\n", out, sizeof(out)),
        "3:1: a %YAML 1.2 directive: the cluster's YAML reader reads YAML 1.1 only");
    assert_string_equal(unread("%YAML 1.1\n---\n- a\n", out, sizeof(out)), "");
    assert_string_equal(unread("- a\n", out, sizeof(out)), "");
}

/* ------------------------------------------------------------------------ */
/* What the cluster's reading fails on. */

/* An alias inside the node it names: only a value decoded whole fails on it. */
static void test_alias_inside_its_node(void **state)
{
    char out[1024];

    (void)state;
    assert_string_equal(fails("- a: b\n  c: &r [x, *r]\n", false, true, out, sizeof(out)),
                        "2:6: a YAML alias inside the node it names" TAIL);
    assert_string_equal(fails("- &e {a: b, c: *e}\n", false, true, out, sizeof(out)),
                        "1:3: a YAML alias inside the node it names" TAIL);
    assert_string_equal(fails("- &r [x, *r]\n", false, false, out, sizeof(out)), "");
    /* An alias after its node is no loop. */
    assert_string_equal(fails("- &r [x]\n- *r\n", false, true, out, sizeof(out)), "");
}

/* 50 aliases of a two-node list decode 100 nodes inside aliases; 51, 102. */
static void test_alias_expansion(void **state)
{
    char text[1024], out[1024];
    size_t n, i;

    (void)state;
    for (n = 50; n <= 51; n++) {
        snprintf(text, sizeof(text), "- [&s [g]");
        for (i = 0; i < n; i++)
            snprintf(text + strlen(text), sizeof(text) - strlen(text), ", *s");
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "]\n");
        assert_string_equal(fails(text, false, true, out, sizeof(out)),
                            n == 50 ? ""
                                    : "1:3: YAML aliases expand to more than 100 nodes" OWN_BOUND);
        /* mapAccounts is read item by item: no expansion to count. */
        assert_string_equal(fails(text, false, false, out, sizeof(out)), "");
    }
    /* 101: one more alias, of a scalar. */
    assert_string_equal(fails("- [&s [g], *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, "
                              "*s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, "
                              "*s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, *s, "
                              "*s, *s, &t x, *t]\n",
                              false, true, out, sizeof(out)),
                        "1:3: YAML aliases expand to more than 100 nodes" OWN_BOUND);
    /* Aliases of aliases multiply: 10 x 10 x 10 (a counter that saturates, never wraps). */
    assert_string_equal(fails("- a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                              "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                              "  c: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
                              false, true, out, sizeof(out)),
                        "2:6: YAML aliases expand to more than 100 nodes" OWN_BOUND);
    /*
     * A level more: 13,530 of about 13,600 decodes inside aliases, over
     * go-yaml's 99% ("excessive aliasing"): the cluster fails on it too.
     */
    assert_string_equal(fails("- a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                              "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                              "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                              "  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
                              false, true, out, sizeof(out)),
                        "4:6: YAML aliases expand to more than 100 nodes, the share of its "
                        "decodes go-yaml refuses" TAIL);
    /*
     * At the line: X0 = [x], Xj = [&bj X(j-1), *bj], the value [X9]:
     * 2,026 of 2,048 decodes inside aliases (the document node and the root
     * counted, as go-yaml counts them), 98.93%: go-yaml reads it.  Counted
     * from the root's first child, 2,026 of 2,046 (99.02%) said it fails.
     */
    {
        char x[512] = "[x]", next[512];
        int j;

        for (j = 1; j <= 9; j++) {
            snprintf(next, sizeof(next), "[&b%d %s, *b%d]", j, x, j);
            memcpy(x, next, sizeof(x));
        }
        snprintf(text, sizeof(text), "- %s\n", x);
        assert_string_equal(fails(text, false, true, out, sizeof(out)),
                            "1:19: YAML aliases expand to more than 100 nodes" OWN_BOUND);
    }
}

/* text: n times open, "x", n times close, each after prefix. */
static char *nested(const char *prefix, size_t n, const char *open, const char *close)
{
    size_t lp = strlen(prefix), lo = strlen(open), lc = strlen(close), k;
    char *text = malloc(lp + n * (lo + lc) + 3), *p;

    assert_non_null(text);
    p = text + lp;
    memcpy(text, prefix, lp);
    for (k = 0; k < n; k++, p += lo)
        memcpy(p, open, lo);
    *p++ = 'x';
    for (k = 0; k < n; k++, p += lc)
        memcpy(p, close, lc);
    memcpy(p, "\n", 2);
    return text;
}

/* go-yaml's scanner takes 10000 flow collections open at once, or indentation levels. */
static void test_nesting(void **state)
{
    static const struct {
        const char *prefix, *open, *close;
        size_t most; /* the most that go-yaml reads, the prefix's block list included */
    } cases[] = {
        {"- ", "[", "]", 10000},
        {"- ", "{a: ", "}", 10000},
        {"", "- ", "", 10000},
    };
    char out[1024];
    char *text;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        text = nested(cases[i].prefix, cases[i].most, cases[i].open, cases[i].close);
        assert_string_equal(fails(text, false, false, out, sizeof(out)), "");
        free(text);
        text = nested(cases[i].prefix, cases[i].most + 1, cases[i].open, cases[i].close);
        /* mapAccounts too: the scanner fails before anything is decoded. */
        assert_non_null(strstr(fails(text, false, false, out, sizeof(out)),
                               ": collections nested deeper than 10000" TAIL));
        free(text);
    }
}

/*
 * Before the load: flow collections past 10000 are found by events, so
 * that libyaml never scans the rest (quadratic in the depth); the first
 * one past the bound is pointed at.  Brackets in a scalar nest nothing,
 * block collections are not counted here, and a YAML error is the load's.
 */
static void test_flow_depth_before_load(void **state)
{
    struct eksauth_awsauth_yaml_refusal r;
    char *text, *quoted;
    size_t n = 20000;

    (void)state;
    memset(&r, 0, sizeof(r));
    text = nested("- ", 10000, "[", "]");
    assert_status(eksauth_awsauth_yaml_flow_too_deep(text, strlen(text), &r), EKSAUTH_OK);
    free(text);
    text = nested("- ", 10001, "[", "]");
    assert_status(eksauth_awsauth_yaml_flow_too_deep(text, strlen(text), &r), EKSAUTH_EINVAL);
    assert_null(r.node);
    assert_int_equal(r.mark.line, 0);
    assert_int_equal(r.mark.column, 2 + 10000);
    assert_non_null(strstr(r.why, "flow collections nested deeper than 10000"));
    free(text);
    /* As many brackets in a quoted scalar, then block lists: nothing nested in flow. */
    quoted = malloc(n + 16);
    assert_non_null(quoted);
    memcpy(quoted, "- '", 3);
    memset(quoted + 3, '[', n);
    memcpy(quoted + 3 + n, "'\n", 3);
    assert_status(eksauth_awsauth_yaml_flow_too_deep(quoted, strlen(quoted), &r), EKSAUTH_OK);
    text = nested("", n, "- ", "");
    assert_status(eksauth_awsauth_yaml_flow_too_deep(text, strlen(text), &r), EKSAUTH_OK);
    free(text);
    /* A YAML error (the stray ']') before the bound is left to the load. */
    quoted[0] = ']';
    assert_status(eksauth_awsauth_yaml_flow_too_deep(quoted, strlen(quoted), &r), EKSAUTH_OK);
    free(quoted);
}

/* Inside a flow collection go-yaml ends a plain scalar at '?', then fails. */
static void test_question_mark_in_flow(void **state)
{
    char out[1024];

    (void)state;
    assert_string_equal(
        fails("- [dev, a?b]\n", false, false, out, sizeof(out)),
        "1:9: '?' in a plain scalar inside a flow collection ('a?b'); quote it" TAIL);
    assert_string_equal(
        fails("- {username: who?}\n", false, true, out, sizeof(out)),
        "1:14: '?' in a plain scalar inside a flow collection ('who?'); quote it" TAIL);
    assert_string_equal(
        fails("- ['a?b', \"c?\"]\n- a?b\n- x:\n  - y?\n", false, true, out, sizeof(out)), "");
}

/*
 * The escape \/ (JSON's, no YAML 1.1 escape) in a double-quoted scalar,
 * looked for only in the cluster's own text.  libyaml marks characters,
 * not bytes: the non-ASCII before the scalar must not move the window.
 */
static void test_slash_escape(void **state)
{
    static const char *const slash =
        "the escape \\/ in a double-quoted scalar: YAML 1.1 has none, so the cluster's YAML "
        "reader fails on it; write /" TAIL;
    char out[1024], want[512];

    (void)state;
    snprintf(want, sizeof(want), "1:13: %s", slash);
    assert_string_equal(
        fails("- {rolearn: \"role\\/A\", username: a}\n", true, false, out, sizeof(out)), want);
    snprintf(want, sizeof(want), "1:16: %s", slash);
    /* Eight 2-byte characters before it: counted as bytes, the window would miss it. */
    assert_string_equal(fails("- [\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                              "\xc3\xa9\", \"a\\/b\"]\n",
                              true, false, out, sizeof(out)),
                        want);
    /* After a byte order mark, which libyaml counts as no character. */
    snprintf(want, sizeof(want), "1:8: %s", slash);
    assert_string_equal(fails("\xef\xbb\xbf- [\"x\",\"a\\/b\"]\n", true, false, out, sizeof(out)),
                        want);
    /* Not the cluster's text (a bare file's list): libyaml's reading stands. */
    assert_string_equal(fails("- \"a\\/b\"\n", false, true, out, sizeof(out)), "");
    /* An escaped backslash then '/', a single-quoted or plain one: no escape. */
    assert_string_equal(fails("- \"a\\\\/b\"\n- 'a\\/b'\n- a\\/b\n", true, true, out, sizeof(out)),
                        "");
}

/* JSON has no infinity or NaN: only a value decoded into JSON fails on one. */
static void test_infinity_and_nan(void **state)
{
    static const char *const specials[] = {".inf", "-.Inf", "+.INF", ".nan", ".NaN"};
    char text[64], want[256], out[1024];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
        snprintf(text, sizeof(text), "- {a: [x, %s]}\n", specials[i]);
        snprintf(want, sizeof(want),
                 "1:11: %s is an infinity or NaN to the cluster's YAML reader, and JSON has "
                 "none" TAIL,
                 specials[i]);
        assert_string_equal(fails(text, false, true, out, sizeof(out)), want);
        assert_string_equal(fails(text, false, false, out, sizeof(out)), "");
    }
    assert_string_equal(
        fails("- ['.inf', \".nan\", inf, .infinity]\n", false, true, out, sizeof(out)), "");
}

/*
 * Keys the YAML-to-JSON step has no JSON key for: null, a list, a mapping,
 * an unsigned integer above int64 (go-yaml drops '_' and reads base 0).
 */
static void test_keys_json_cannot_carry(void **state)
{
    static const char *const big[] = {"9223372036854775808",
                                      "18446744073709551615",
                                      "0x8000000000000000",
                                      "0xFFFF_FFFF_FFFF_FFFF",
                                      "0o1000000000000000000000",
                                      "0b1"
                                      "000000000000000"
                                      "000000000000000000000000000000000000000000000000",
                                      "10_000_000_000_000_000_000"};
    static const char *const not_big[] = {"9223372036854775807",
                                          "18446744073709551616",
                                          "-9223372036854775809",
                                          "+9223372036854775808",
                                          "09223372036854775808",
                                          "0x",
                                          "12",
                                          "abc",
                                          "0x1_0000_0000_0000_0000",
                                          "'18446744073709551615'"};
    char text[256], want[256], out[1024];
    size_t i;

    (void)state;
    assert_string_equal(fails("- {a: b, ~: x}\n", false, true, out, sizeof(out)),
                        "1:10: a null key" TAIL);
    assert_string_equal(fails("- a: b\n  null: x\n", false, true, out, sizeof(out)),
                        "2:3: a null key" TAIL);
    assert_string_equal(fails("- a: b\n  ? [k]\n  : x\n", false, true, out, sizeof(out)),
                        "2:5: a key that is a list or a mapping" TAIL);
    assert_string_equal(fails("- {a: b, {k: v}: x}\n", false, true, out, sizeof(out)),
                        "1:10: a key that is a list or a mapping" TAIL);
    for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
        snprintf(text, sizeof(text), "- %s: x\n", big[i]);
        snprintf(want, sizeof(want), "1:3: the key %.24s is an unsigned integer above int64" TAIL,
                 big[i]);
        assert_string_equal(fails(text, false, true, out, sizeof(out)), want);
        assert_string_equal(fails(text, false, false, out, sizeof(out)), "");
    }
    for (i = 0; i < sizeof(not_big) / sizeof(not_big[0]); i++) {
        snprintf(text, sizeof(text), "- %s: x\n", not_big[i]);
        assert_string_equal(fails(text, false, true, out, sizeof(out)), "");
    }
    /* Quoted null words are strings. */
    assert_string_equal(fails("- {'~': x, \"null\": y}\n", false, true, out, sizeof(out)), "");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_tagged_strings), cmocka_unit_test(test_libyaml_only),
                  cmocka_unit_test(test_merge_keys), cmocka_unit_test(test_merge_key_local_tag),
                  cmocka_unit_test(test_tags), cmocka_unit_test(test_yaml_versions),
                  cmocka_unit_test(test_alias_inside_its_node),
                  cmocka_unit_test(test_alias_expansion), cmocka_unit_test(test_nesting),
                  cmocka_unit_test(test_flow_depth_before_load),
                  cmocka_unit_test(test_question_mark_in_flow), cmocka_unit_test(test_slash_escape),
                  cmocka_unit_test(test_infinity_and_nan),
                  cmocka_unit_test(test_keys_json_cannot_carry))
