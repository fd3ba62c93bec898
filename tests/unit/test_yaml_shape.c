/*
 * test_yaml_shape.c - lib/yaml_shape.c: flow collections nested past a
 * bound, found before a load (block collections do not count, a collection
 * inside a flow one does, a YAML error before the bound is the load's to
 * say); explicit tags (libyaml's defaults are none); the plain merge key
 * "<<" (a quoted one is an ordinary key).  The readers' own refusals:
 * test_awsauth_yaml_compat.c, test_kubeconfig.c.
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

#include "eksauth/yaml_shape.h"
#include "unit.h"
#include "yaml_doc.h"

/*
 * "<pad x's>: " then depth openers, '[' or "{k: ", and their closers: the
 * brackets fall at every byte of an 8-byte word, next to each other and
 * apart, so a count that missed one (lib/yaml_shape.c counts 8 bytes a
 * step) would skip the parse and take a nesting past the bound.
 */
static const char *nested_at(char *buf, size_t pad, size_t depth, bool braces)
{
    size_t i, n = 0;

    for (i = 0; i < pad + 1; i++)
        buf[n++] = 'x';
    n += (size_t)sprintf(buf + n, ": ");
    for (i = 0; i < depth; i++)
        n += (size_t)sprintf(buf + n, "%s", braces ? (i % 2 ? "{k: " : "{") : "[");
    for (i = 0; i < depth; i++)
        buf[n++] = braces ? '}' : ']';
    buf[n++] = '\n';
    buf[n] = '\0';
    return buf;
}

static void test_flow_deeper(void **state)
{
    static char buf[256];
    yaml_mark_t at = {0, 0, 0};
    const char *t;

    (void)state;
    t = nested_at(buf, 0, 8, false);
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 8, &at), EKSAUTH_OK);
    t = nested_at(buf, 0, 9, false);
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 8, &at), EKSAUTH_EINVAL);
    assert_int_equal(at.line, 0);
    assert_int_equal(at.column, 3 + 8); /* the ninth '[' */
    /* Brackets in scalars and block collections are no flow nesting. */
    t = "a: '[[[[[[[[[['\nb:\n  - c:\n      - d: [x]\n";
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 1, &at), EKSAUTH_OK);
    /* Inside a flow collection, every collection is a flow one. */
    t = "a: [{b: [c]}]\n";
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 2, &at), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 3, &at), EKSAUTH_OK);
    /* A YAML error before the bound is left to the load. */
    t = "a: ]\nb: [[x]]\n";
    assert_int_equal(eksauth_yaml_flow_deeper(t, strlen(t), 1, &at), EKSAUTH_OK);
}

static void test_flow_deeper_counts_every_bracket(void **state)
{
    static char buf[512];
    yaml_mark_t at = {0, 0, 0};
    size_t pad, max, len;
    const char *t;
    int braces;

    (void)state;
    for (braces = 0; braces < 2; braces++) {
        for (max = 6; max <= 18; max++) {
            for (pad = 0; pad < 8; pad++) {
                t = nested_at(buf, pad, max, braces);
                len = strlen(t);
                assert_int_equal(eksauth_yaml_flow_deeper(t, len, max, &at), EKSAUTH_OK);
                t = nested_at(buf, pad, max + 1, braces);
                len = strlen(t);
                assert_int_equal(eksauth_yaml_flow_deeper(t, len, max, &at), EKSAUTH_EINVAL);
            }
        }
    }
}

static void test_explicit_tag(void **state)
{
    yaml_document_t doc;
    yaml_node_t *root, *v;

    (void)state;
    yaml_doc_load("a: !!binary aGk=\nb: plain\nc: !!str s\nd: !custom x\n", &doc);
    root = yaml_document_get_root_node(&doc);
    assert_null(eksauth_yaml_explicit_tag(root));
    v = yaml_document_get_node(&doc, root->data.mapping.pairs.start[0].value);
    assert_string_equal(eksauth_yaml_explicit_tag(v), "tag:yaml.org,2002:binary");
    v = yaml_document_get_node(&doc, root->data.mapping.pairs.start[1].value);
    assert_null(eksauth_yaml_explicit_tag(v));
    /* !!str is libyaml's default for a scalar: no tag of its own. */
    v = yaml_document_get_node(&doc, root->data.mapping.pairs.start[2].value);
    assert_null(eksauth_yaml_explicit_tag(v));
    v = yaml_document_get_node(&doc, root->data.mapping.pairs.start[3].value);
    assert_string_equal(eksauth_yaml_explicit_tag(v), "!custom");
    yaml_document_delete(&doc);
}

static void test_merge_key(void **state)
{
    yaml_document_t doc;
    yaml_node_t *root, *key;

    (void)state;
    yaml_doc_load("base: &b {x: 1}\nm: {<<: *b, y: 2}\nq: {'<<': 1}\n", &doc);
    root = yaml_document_get_root_node(&doc);
    assert_null(eksauth_yaml_merge_key(&doc, root));
    key = eksauth_yaml_merge_key(
        &doc, yaml_document_get_node(&doc, root->data.mapping.pairs.start[1].value));
    assert_non_null(key);
    assert_string_equal((const char *)key->data.scalar.value, "<<");
    /* Quoted, it is an ordinary key to go-yaml too. */
    assert_null(eksauth_yaml_merge_key(
        &doc, yaml_document_get_node(&doc, root->data.mapping.pairs.start[2].value)));
    yaml_document_delete(&doc);
}

/* The bytewise count eksauth_yaml_flow_opens must equal, whatever its step. */
static size_t opens_bytewise(const unsigned char *s, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len; i++)
        n += s[i] == '[' || s[i] == '{';
    return n;
}

/*
 * Every byte value at every byte of a step, among every filler byte (a
 * signed lane or a carry between bytes would show), in a step read whole
 * and in the bytewise tail after it: exactly the '[' and '{' are counted.
 * And a run of brackets longer than a lane counts before its sum (255
 * steps), exactly.
 */
static void test_flow_opens_every_byte(void **state)
{
    static const size_t lens[] = {8, 15, 16, 31};
    unsigned char buf[32], *run;
    size_t len, p, i, n_run = 255 * 16 * 2 + 7;
    unsigned v, f;

    (void)state;
    run = malloc(n_run);
    assert_non_null(run);
    memset(run, '[', n_run);
    assert_int_equal(eksauth_yaml_flow_opens((const char *)run, n_run, n_run), n_run);
    run[4080] = '{';
    run[4081] = 'x';
    assert_int_equal(eksauth_yaml_flow_opens((const char *)run, n_run, n_run), n_run - 1);
    free(run);
    for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        len = lens[i];
        for (p = 0; p < len; p++) {
            for (v = 0; v < 256; v++) {
                for (f = 0; f < 256; f++) {
                    memset(buf, (int)f, sizeof(buf));
                    buf[p] = (unsigned char)v;
                    if (eksauth_yaml_flow_opens((const char *)buf, len, len) !=
                        opens_bytewise(buf, len))
                        fail_msg("byte 0x%02x at %zu of %zu among 0x%02x: counted %zu, not %zu", v,
                                 p, len, f, eksauth_yaml_flow_opens((const char *)buf, len, len),
                                 opens_bytewise(buf, len));
                }
            }
        }
    }
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_flow_deeper),
                  cmocka_unit_test(test_flow_deeper_counts_every_bracket),
                  cmocka_unit_test(test_flow_opens_every_byte), cmocka_unit_test(test_explicit_tag),
                  cmocka_unit_test(test_merge_key))
