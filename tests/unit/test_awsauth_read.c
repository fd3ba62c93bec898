/*
 * test_awsauth_read.c - reading aws-auth (lib/awsauth_read.c): malformed
 * documents (YAML and kubectl -o json) with their positions, empty values,
 * positions in other shapes, YAML aliases, entry details.  Every form and
 * what it maps: test_awsauth.c.
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

#include "fixture_file.h"

#include "eksauth/awsauth_read.h"

/* ------------------------------------------------------------------------ */
/* Helpers. */

static struct eksauth_awsauth_doc *parse_str(const char *text)
{
    struct eksauth_awsauth_doc *doc = malloc(sizeof(*doc));
    struct eksauth_error err = {0};

    assert_non_null(doc);
    if (eksauth_awsauth_read(text, strlen(text), doc, &err) != EKSAUTH_OK)
        fail_msg("read: %s", err.msg);
    return doc;
}

static void doc_free(struct eksauth_awsauth_doc *doc)
{
    eksauth_awsauth_doc_free(doc);
    assert_null(doc->entries);
    assert_int_equal(doc->warnings.n, 0);
    free(doc);
}

static const struct eksauth_awsauth_entry *entry_at(const struct eksauth_awsauth_doc *doc, size_t i)
{
    return i < doc->n_entries ? &doc->entries[i] : NULL;
}

/* Read text, which must fail with EINVAL and exactly the message want, leaving nothing. */
static void expect_doc_error(const char *text, const char *want)
{
    struct eksauth_awsauth_doc doc;
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_awsauth_read(text, strlen(text), &doc, &err), EKSAUTH_EINVAL);
    assert_int_equal(doc.n_entries, 0);
    assert_int_equal(doc.warnings.n, 0);
    assert_string_equal(err.msg, want);
}

/* The index of the one warning holding want; fails when none does. */
static size_t find_warning(const struct eksauth_awsauth_doc *doc, const char *want)
{
    size_t i;

    for (i = 0; i < doc->warnings.n; i++) {
        if (strstr(doc->warnings.v[i], want) != NULL)
            return i;
    }
    for (i = 0; i < doc->warnings.n; i++)
        print_message("# warning: %s\n", doc->warnings.v[i]);
    fail_msg("no warning holds \"%s\"", want);
    return doc->warnings.n;
}

/* ------------------------------------------------------------------------ */
/* Malformed documents, empty values, positions, YAML details. */

static void test_malformed_document_fixture(void **state)
{
    size_t len;
    char *text = fixture_read("aws-auth-malformed-document.yaml", &len);
    struct eksauth_awsauth_doc doc;
    struct eksauth_error err = {0};

    (void)state;
    assert_int_equal(eksauth_awsauth_read(text, len, &doc, &err), EKSAUTH_EINVAL);
    assert_int_equal(doc.n_entries, 0);
    assert_string_equal(err.msg, "aws-auth: 8:1: found unexpected end of stream (while scanning a "
                                 "quoted scalar)");
    free(text);
}

static void test_malformed_documents(void **state)
{
    (void)state;
    /* Syntax errors, with the line and column of the problem. */
    expect_doc_error("mapRoles:\n  - rolearn: x\n   bad: indent\n",
                     "aws-auth: 3:4: did not find expected '-' indicator (while parsing a block "
                     "collection)");
    expect_doc_error("data:\n  mapRoles: [a, b\n",
                     "aws-auth: 3:1: did not find expected ',' or ']' (while parsing a flow "
                     "sequence)");
    /* ... also inside a string value: positions in the whole document. */
    expect_doc_error("data:\n"
                     "  mapRoles: |\n"
                     "    - rolearn: arn:aws:iam::123456789012:role/A\n"
                     "      username: a\n"
                     "     - broken\n",
                     "aws-auth: 5:6: mapRoles: did not find expected '-' indicator (while parsing "
                     "a block collection)");
    /* Wrong types. */
    expect_doc_error("- rolearn: arn:aws:iam::123456789012:role/A\n",
                     "aws-auth: 1:1: the document is not a mapping");
    expect_doc_error("just text\n", "aws-auth: 1:1: the document is not a mapping");
    expect_doc_error("mapRoles: {rolearn: x}\n",
                     "aws-auth: 1:11: mapRoles is not a list or a string");
    expect_doc_error("mapRoles: |\n  rolearn: x\n",
                     "aws-auth: 2:3: mapRoles: the value is not a list");
    expect_doc_error("kind: ConfigMap\ndata:\n  mapRoles:\n    - rolearn: x\n",
                     "aws-auth: 4:5: mapRoles is not a string (ConfigMap data)");
    expect_doc_error("kind: ConfigMap\ndata: [a]\n", "aws-auth: 2:7: data is not a mapping");
    expect_doc_error("kind: Secret\ndata:\n  mapRoles: ''\n",
                     "aws-auth: 1:7: kind is not ConfigMap");
    /* Ambiguity is refused: a key twice, two documents. */
    expect_doc_error("mapRoles: []\nmapRoles: []\n", "aws-auth: 2:1: the key is given twice");
    expect_doc_error("data: {}\ndata: {}\n", "aws-auth: 2:1: the key is given twice");
    expect_doc_error("mapRoles: []\n---\nmapUsers: []\n",
                     "aws-auth: 3:1: more than one YAML document");
    /* Bytes YAML does not allow. */
    expect_doc_error("mapRoles: []\n\x01\n", "aws-auth: 2:1: control characters are not allowed");
    expect_doc_error("mapRoles: \xff\n", "aws-auth: 1:11: invalid leading UTF-8 octet");
}

static void test_malformed_json(void **state)
{
    (void)state;
    expect_doc_error("{\"kind\": \"Secret\", \"data\": {}}",
                     "aws-auth: 1:1: kind is not ConfigMap");
    expect_doc_error("{\"kind\": \"ConfigMap\", \"data\": [1]}",
                     "aws-auth: 1:1: data is not an object");
    expect_doc_error("{\"data\": {\"mapRoles\": [1]}}",
                     "aws-auth: 1:1: data.mapRoles is not a string (ConfigMap data)");
    /* The string is YAML; its errors count within the decoded value. */
    expect_doc_error("{\"data\": {\"mapUsers\": \"- userarn: a\\n  - b: [\"}}",
                     "aws-auth: 2:3: mapUsers: did not find expected key (while parsing a block "
                     "mapping)");
    /* Not valid JSON: read as YAML, which says what is wrong (at the end of the stream). */
    expect_doc_error("{\"data\": {\"mapRoles\": \"x\"}",
                     "aws-auth: 2:1: did not find expected "
                     "',' or '}' (while parsing a flow mapping)");
}

/* Values upstream skips as empty, and empty lists. */
static void test_empty_values(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("apiVersion: v1\nkind: ConfigMap\ndata:\n"
                   "  mapRoles: \"\"\n"
                   "  mapUsers: \"''\"\n"
                   "  mapAccounts: \"  ``  \"\n");
    assert_int_equal(aa->n_entries, 0);
    assert_int_equal(aa->warnings.n, 0);
    doc_free(aa);

    aa = parse_str("mapRoles: []\nmapUsers:\nmapAccounts: |\n  # none yet\n");
    assert_int_equal(aa->n_entries, 0);
    assert_int_equal(aa->warnings.n, 0);
    doc_free(aa);

    aa = parse_str("kind: ConfigMap\ndata:\n");
    find_warning(aa, "the ConfigMap has no data");
    doc_free(aa);

    aa = parse_str("{\"kind\": \"ConfigMap\", \"data\": null}");
    find_warning(aa, "the ConfigMap has no data");
    doc_free(aa);

    aa = parse_str("{\"kind\": \"ConfigMap\", \"data\": {\"other\": \"x\"}}");
    find_warning(aa, "no mapRoles, mapUsers or mapAccounts");
    doc_free(aa);
}

static void test_positions(void **state)
{
    struct eksauth_awsauth_doc *aa;
    const struct eksauth_awsauth_entry *e;

    (void)state;
    /* CRLF line ends, blank lines before the content, "|-" chomping. */
    aa = parse_str("kind: ConfigMap\r\n"
                   "data:\r\n"
                   "  mapRoles: |- # roles\r\n"
                   "\r\n"
                   "      \r\n"
                   "        - rolearn: arn:aws:iam::123456789012:role/A\r\n"
                   "          username: a\r\n"
                   "        - rolearn: arn:aws:iam::123456789012:role/{B}\r\n"
                   "          username: b\r\n");
    e = entry_at(aa, 0);
    assert_non_null(e);
    assert_int_equal(e->line, 6);
    assert_int_equal(e->column, 11);
    find_warning(aa, "aws-auth: mapRoles: 8:11: arn:");
    doc_free(aa);

    /* A double-quoted value (kubectl's choice for lines with trailing spaces): relative. */
    aa = parse_str("data:\n"
                   "  mapRoles: \"- rolearn: arn:aws:iam::123456789012:role/A\\n  username: a\\n"
                   "- rolearn: bad\\n  username: b\\n\"\n");
    assert_int_equal(entry_at(aa, 0)->line, 1);
    assert_int_equal(entry_at(aa, 0)->column, 3);
    find_warning(aa, "aws-auth: mapRoles: 3:3: arn: 'bad'");
    doc_free(aa);

    /* A tag before '|' or an indentation digit: relative too. */
    aa = parse_str("data:\n  mapRoles: !!str |\n    - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "      username: a\n");
    assert_int_equal(entry_at(aa, 0)->line, 1);
    assert_int_equal(entry_at(aa, 0)->column, 3);
    doc_free(aa);
    aa = parse_str("data:\n  mapRoles: |2\n    - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "      username: a\n");
    assert_int_equal(entry_at(aa, 0)->line, 1);
    assert_int_equal(entry_at(aa, 0)->column, 3);
    doc_free(aa);
}

/* Aliases may not make us walk a collection twice (no "billion laughs"). */
static void test_aliases(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("mapRoles:\n"
                   "  - &e\n"
                   "    rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: a\n"
                   "    groups: &g [x, y]\n"
                   "  - *e\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                   "    username: &u b\n"
                   "    groups: *g\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/C\n"
                   "    username: *u\n");
    find_warning(aa, "aws-auth: mapRoles: 2:5: a YAML alias repeats an entry");
    find_warning(aa, "aws-auth: mapRoles: 7:5: groups: a YAML alias repeats a list");
    assert_int_equal(aa->warnings.n, 2);
    /* A scalar alias is fine: it costs nothing. */
    assert_int_equal(aa->n_entries, 2);
    assert_string_equal(entry_at(aa, 1)->username, "b");
    doc_free(aa);

    /* A list used twice at the top, or a cycle back to the root. */
    expect_doc_error("mapRoles: &l []\nmapUsers: *l\n",
                     "aws-auth: 1:11: a YAML alias repeats a list (aliases are not supported)");
    expect_doc_error(
        "&r\nkind: ConfigMap\ndata: *r\n",
        "aws-auth: 1:1: data: a YAML alias repeats a mapping (aliases are not supported)");
}

/* Unknown entry keys are ignored; NUL bytes never get through. */
static void test_entry_details(void **state)
{
    static const char nul[] = "mapRoles:\n"
                              "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                              "    username: \"adm\\0in\"\n"
                              "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                              "    username: b\n"
                              "    userid: AROAEXAMPLE\n"
                              "    extra: {nested: [1, 2]}\n";
    struct eksauth_awsauth_doc *aa = parse_str(nul);

    (void)state;
    find_warning(aa, "aws-auth: mapRoles: 2:5: username contains a control character");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "b");
    doc_free(aa);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_document_fixture),
        cmocka_unit_test(test_malformed_documents),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_empty_values),
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_aliases),
        cmocka_unit_test(test_entry_details),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
