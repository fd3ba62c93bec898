/*
 * test_awsauth_read.c - reading aws-auth (lib/awsauth_read.c): malformed
 * documents (YAML and kubectl -o json) with their positions, empty values,
 * positions in other shapes, YAML aliases, entry details, and the rules of
 * lib/awsauth_rules.c and lib/awsauth_yaml_compat.c as they show in a
 * document (the rules themselves: test_awsauth_rules.c,
 * test_awsauth_yaml_compat.c).  Every form and what it maps: test_awsauth.c.
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
#include "unit.h"

#include "eksauth/arn.h"
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
    assert_int_equal(doc->dropped.n, 0);
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

/*
 * Read text, which must succeed with the value of key dropped whole (the
 * cluster drops a value it cannot parse) for the reason holding want;
 * returns the document (the other values still count).
 */
static struct eksauth_awsauth_doc *expect_dropped(const char *text, const char *key,
                                                  const char *want)
{
    struct eksauth_awsauth_doc *doc = parse_str(text);
    size_t klen = strlen(key), i;

    assert_int_equal(doc->dropped.n, 1);
    if (strncmp(doc->dropped.v[0], key, klen) != 0 || doc->dropped.v[0][klen] != ' ' ||
        strstr(doc->dropped.v[0], want) == NULL)
        fail_msg("dropped \"%s\", want %s for \"%s\"", doc->dropped.v[0], key, want);
    for (i = 0; i < doc->n_entries; i++)
        assert_int_not_equal(doc->entries[i].source == EKSAUTH_SRC_MAPROLES   ? "mapRoles"
                             : doc->entries[i].source == EKSAUTH_SRC_MAPUSERS ? "mapUsers"
                                                                              : "mapAccounts",
                             key);
    return doc;
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

    /* Wrong types. */
    expect_doc_error("- rolearn: arn:aws:iam::123456789012:role/A\n",
                     "aws-auth: 1:1: the document is not a mapping");
    expect_doc_error("just text\n", "aws-auth: 1:1: the document is not a mapping");
    expect_doc_error("mapRoles: {rolearn: x}\n",
                     "aws-auth: 1:11: mapRoles is not a list or a string");
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
    /* The string is YAML; its errors count within the decoded value, and drop that value. */
    doc_free(expect_dropped("{\"data\": {\"mapUsers\": \"- userarn: a\\n  - b: [\"}}", "mapUsers",
                            "2:3: mapUsers: did not find expected key (while parsing a block "
                            "mapping)"));
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

    /*
     * Non-ASCII text before a literal block: libyaml's marks count
     * characters, not bytes (was: the '|' looked for at the wrong byte, so
     * every later value's positions were relative to the value).
     */
    aa = parse_str("data:\n"
                   "  mapRoles: |\n"
                   "    - rolearn: \"arn:aws:iam::123456789012:role/\xc5\xbf\xc3\xa9\"\n"
                   "      username: x\n"
                   "  mapUsers: |\n"
                   "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                   "      username: bob\n");
    assert_int_equal(entry_at(aa, 0)->line, 6);
    assert_int_equal(entry_at(aa, 0)->column, 7);
    find_warning(aa, "aws-auth: mapRoles: 3:7: ");
    doc_free(aa);
}

/*
 * text, at go-yaml's aliasing limit: read with n_entries entries, or
 * (n_entries 0) past it, key dropped whole.
 */
static void expect_alias_line(const char *text, const char *key, size_t n_entries)
{
    struct eksauth_awsauth_doc *aa;

    if (n_entries == 0) {
        aa = expect_dropped(text, key, "YAML aliases expand to more than 100");
        /* eksauth's bound, below go-yaml's: never said to be the cluster's too. */
        (void)find_warning(aa, "the cluster reads on there");
        doc_free(aa);
        return;
    }
    aa = parse_str(text);
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->n_entries, n_entries);
    doc_free(aa);
}

/*
 * An alias of an entry or of its groups is read again, as the cluster
 * decodes a full copy at the alias (the copy keeps its anchor's position,
 * and a warning names the item it stands at); a list or data repeated is
 * refused.  The work stays capped: past 100 node decodes inside aliases the
 * value is dropped before any entry is read (eksauth's bound; go-yaml's is
 * a share of its decodes, so the warning says the cluster reads on), so 21
 * aliases of a five-node entry (the mapping and its four scalars) drop it
 * and 20 do not.
 */
static void test_aliases(void **state)
{
    struct eksauth_awsauth_doc *aa;
    char text[2048];
    size_t n, i;

    (void)state;
    aa = parse_str("mapRoles:\n"
                   "  - &e\n"
                   "    rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: a\n"
                   "    groups: &g [x, z]\n"
                   "  - *e\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                   "    username: &u b\n"
                   "    groups: *g\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/C\n"
                   "    username: *u\n");
    find_warning(aa, "aws-auth: mapRoles: 2:5: a YAML alias repeats this entry as item 2 of the "
                     "list; read there again, as the cluster does");
    assert_int_equal(aa->warnings.n, 1);
    assert_int_equal(aa->n_entries, 4);
    assert_string_equal(entry_at(aa, 1)->arn, "arn:aws:iam::123456789012:role/A");
    assert_int_equal(entry_at(aa, 1)->line, 2);
    assert_int_equal(entry_at(aa, 1)->n_groups, 2);
    assert_string_equal(entry_at(aa, 2)->username, "b");
    assert_int_equal(entry_at(aa, 2)->n_groups, 2);
    assert_string_equal(entry_at(aa, 2)->groups[1], "z");
    assert_string_equal(entry_at(aa, 3)->username, "b");
    /* Copied once per node: a long scalar repeated costs its length once (node_dup). */
    assert_ptr_equal(entry_at(aa, 1)->arn, entry_at(aa, 0)->arn);
    assert_ptr_equal(entry_at(aa, 1)->groups[0], entry_at(aa, 0)->groups[0]);
    assert_ptr_equal(entry_at(aa, 3)->username, entry_at(aa, 2)->username);
    doc_free(aa);

    /*
     * A skipped entry's ARN too long to fold to any principal's (folding
     * shortens at most threefold) is no override: never copied, however
     * often an alias repeats it.
     */
    for (n = 3 * EKSAUTH_ARN_MAX - 1; n <= 3 * EKSAUTH_ARN_MAX; n++) {
        static const char head[] = "mapRoles: [&e {username: x, rolearn: ";
        char *big = malloc(n + 64);

        assert_non_null(big);
        memcpy(big, head, sizeof(head) - 1);
        memset(big + sizeof(head) - 1, 'a', n);
        memcpy(big + sizeof(head) - 1 + n, "}, *e]\n", 8);
        aa = parse_str(big);
        assert_int_equal(aa->n_entries, 0);
        assert_int_equal(aa->n_overrides, n < 3 * EKSAUTH_ARN_MAX ? 2 : 0);
        doc_free(aa);
        free(big);
    }

    for (n = 20; n <= 21; n++) {
        snprintf(text, sizeof(text),
                 "mapUsers: |\n"
                 "  - &e {userarn: 'arn:aws:iam::123456789012:user/a', username: a}\n");
        for (i = 0; i < n; i++)
            snprintf(text + strlen(text), sizeof(text) - strlen(text), "  - *e\n");
        expect_alias_line(text, "mapUsers", n == 20 ? 21 : 0);
    }

    /* A list used twice at the top (the second use is dropped), or a cycle back to the root. */
    doc_free(expect_dropped("mapRoles: &l []\nmapUsers: *l\n", "mapUsers",
                            "1:11: a YAML alias repeats a list (aliases are not supported)"));
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

/*
 * What the cluster cannot parse it drops, one value at a time: a YAML error
 * in mapRoles drops all of mapRoles while mapUsers still maps (issue 17).
 */
/*
 * A control byte anywhere in a field refuses the entry, wherever it sits
 * (the check reads eight bytes a step): before, inside and after the
 * first eight, 0x7f among them; UTF-8 and every printable byte pass.
 */
static void test_control_bytes_anywhere(void **state)
{
    static const char *const bad[] = {"\\x01abcdefghijklmnop", "abcdefg\\x1f",
                                      "abcdefgh\\x7f",         "abcdefghijklmnopqrs\\t",
                                      "abcdefghijk\\x7fxyz",   "abcdefghijklmnop\\x1b[0m"};
    char yaml[8192];
    struct eksauth_awsauth_doc *aa;
    size_t n, i;

    (void)state;
    n = (size_t)snprintf(yaml, sizeof(yaml), "mapRoles:\n");
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                              "  - rolearn: arn:aws:iam::123456789012:role/bad%zu\n"
                              "    username: \"%s\"\n",
                              i, bad[i]);
    /* Kept: UTF-8 (bytes of 0x80 and more), and each printable ASCII byte. */
    n += (size_t)snprintf(
        yaml + n, sizeof(yaml) - n,
        "  - rolearn: arn:aws:iam::123456789012:role/ok\n"
        "    username: \"\\u00e9\\u00fc\\u00ff\\u0100 ~!#$%%&()*+,-./0123456789;<=>?@"
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}\"\n");
    assert_true(n < sizeof(yaml));
    aa = parse_str(yaml);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char want[64];

        snprintf(want, sizeof(want), "aws-auth: mapRoles: %zu:5: username contains a control",
                 2 + 2 * i);
        find_warning(aa, want);
    }
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->arn, "arn:aws:iam::123456789012:role/ok");
    doc_free(aa);
}

static void test_dropped_values(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = expect_dropped("kind: ConfigMap\n"
                        "data:\n"
                        "  mapRoles: |\n"
                        "    - rolearn: arn:aws:iam::123456789012:role/A\n"
                        "      username: a\n"
                        "     - broken\n"
                        "  mapUsers: |\n"
                        "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                        "      username: bob\n",
                        "mapRoles",
                        "6:6: mapRoles: did not find expected '-' indicator (while parsing a "
                        "block collection)");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "bob");
    find_warning(aa, "aws-auth: mapRoles dropped: 6:6: mapRoles: did not find expected '-'");
    doc_free(aa);

    /* A value that is not a list: the cluster's decoder fails on it and keeps nothing of it. */
    aa = expect_dropped("mapRoles: |\n  rolearn: x\nmapAccounts: ['123456789012']\n", "mapRoles",
                        "2:3: mapRoles: the value is not a list");
    assert_int_equal(aa->n_entries, 1);
    doc_free(aa);
    doc_free(expect_dropped("data:\n  mapUsers: \"just text\"\n", "mapUsers",
                            "1:1: mapUsers: the value is not a list"));
    doc_free(expect_dropped("data:\n  mapAccounts: |\n    - [\n", "mapAccounts", "mapAccounts: "));
    /* Two documents in one value: eksauth does not guess which one counts. */
    doc_free(expect_dropped("data:\n  mapRoles: |\n    []\n    ---\n    []\n", "mapRoles",
                            "more than one YAML document"));
}

/* "roleARN" and "rolearn" in one entry: the key later in byte order wins, as in the cluster. */
static void test_repeated_and_case_variant_keys(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("mapRoles:\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/Lower\n"
                   "    roleARN: arn:aws:iam::123456789012:role/Camel\n"
                   "    username: a\n"
                   "  - roleARN: arn:aws:iam::123456789012:role/Camel\n"
                   "    rolearn: arn:aws:iam::123456789012:role/Lower\n"
                   "    UserName: b\n"
                   "    username: c\n");
    assert_int_equal(aa->n_entries, 2);
    /* "rolearn" > "roleARN" in byte order: the lower-case key's value, whatever the order. */
    assert_string_equal(entry_at(aa, 0)->arn, "arn:aws:iam::123456789012:role/Lower");
    assert_string_equal(entry_at(aa, 1)->arn, "arn:aws:iam::123456789012:role/Lower");
    assert_string_equal(entry_at(aa, 1)->username, "c");
    find_warning(aa, "aws-auth: mapRoles: 2:5: 'rolearn' and 'roleARN' both give rolearn; the "
                     "cluster keeps 'rolearn'");
    find_warning(aa, "aws-auth: mapRoles: 5:5: 'UserName' and 'username' both give username");
    doc_free(aa);

    /* The very same key twice: go-yaml keeps the later one; which was meant is a guess. */
    aa = parse_str("mapUsers:\n"
                   "  - userarn: arn:aws:iam::123456789012:user/a\n"
                   "    username: a\n"
                   "    username: admin\n");
    assert_int_equal(aa->n_entries, 0);
    find_warning(aa, "aws-auth: mapUsers: 2:5: 'username' is given twice: the cluster keeps the "
                     "later value");
    doc_free(aa);
}

/*
 * Go folds keys with Unicode's case folding: 'ſ' (U+017F) is s, the Kelvin
 * sign (U+212A) is k.  eksauth folds exactly these, with a warning: a key
 * the cluster reads is never ignored here.  Other non-ASCII letters fold to
 * no field name and are ignored, as there.
 */
static void test_unicode_key_folding(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("mapUsers:\n"
                   "  - u\xc5\xbf"
                   "erarn: arn:aws:iam::123456789012:user/a\n"
                   "    u\xc5\xbf"
                   "ername: admin\n"
                   "    username: a\n"
                   "    group\xc5\xbf: [g]\n"
                   "  - userarn: arn:aws:iam::123456789012:user/b\n"
                   "    username: b\n"
                   "    u\xc8\x99"
                   "ername: ignored\n");
    assert_int_equal(aa->n_entries, 2);
    assert_string_equal(entry_at(aa, 0)->arn, "arn:aws:iam::123456789012:user/a");
    /* "uſername" sorts after "username" (0xC5 > 's'): the cluster keeps admin. */
    assert_string_equal(entry_at(aa, 0)->username, "admin");
    assert_int_equal(entry_at(aa, 0)->n_groups, 1);
    find_warning(aa, "is read as username: the cluster folds");
    assert_string_equal(entry_at(aa, 1)->username, "b");
    doc_free(aa);

    /*
     * Issue 16's cases: the cluster reads "uſerarn" (after "userarn" in byte
     * order) and "groupſ" (after "groups"), so it maps user/other with
     * [devs]; mallory's token is mapped by no entry, here as there.
     */
    aa = parse_str("mapUsers:\n"
                   "  - userarn: arn:aws:iam::123456789012:user/mallory\n"
                   "    u\xc5\xbf"
                   "erarn: arn:aws:iam::123456789012:user/other\n"
                   "    username: m\n"
                   "    groups: [system:masters]\n"
                   "    group\xc5\xbf: [devs]\n");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->arn, "arn:aws:iam::123456789012:user/other");
    assert_int_equal(entry_at(aa, 0)->n_groups, 1);
    assert_string_equal(entry_at(aa, 0)->groups[0], "devs");
    find_warning(aa, "is read as userarn: the cluster folds");
    find_warning(aa, "is read as groups: the cluster folds");
    doc_free(aa);

    /* sso spelled with a long s is still sso: the entry is dropped, as the cluster drops it. */
    aa = parse_str("mapRoles:\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: a\n"
                   "    \xc5\xbf"
                   "so: {permissionSetName: Admin, accountID: '123456789012'}\n");
    assert_int_equal(aa->n_entries, 0);
    find_warning(aa, "rolearn and sso are both given: the cluster drops such an entry");
    doc_free(aa);
}

/*
 * A plain scalar the cluster's YAML 1.1 reader takes as a boolean or a
 * number (which ones: test_awsauth_rules.c) skips its entry with a
 * warning; quoted, it is a string.
 */
static void test_yaml11_non_strings(void **state)
{
    static const char *const not_strings[] = {"yes", "0x1F"};
    static const char *const strings[] = {"'yes'", "\"123\"", "yesno"};
    char doc[256];
    struct eksauth_awsauth_doc *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(not_strings) / sizeof(not_strings[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "mapRoles:\n  - rolearn: arn:aws:iam::123456789012:role/A\n    username: %s\n",
                 not_strings[i]);
        aa = parse_str(doc);
        if (aa->n_entries != 0)
            fail_msg("username %s was read as a string", not_strings[i]);
        find_warning(aa, "to the cluster's YAML reader, not a string: quote it");
        doc_free(aa);
    }
    for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "mapRoles:\n  - rolearn: arn:aws:iam::123456789012:role/A\n    username: %s\n",
                 strings[i]);
        aa = parse_str(doc);
        if (aa->n_entries != 1)
            fail_msg("username %s was not read as a string", strings[i]);
        doc_free(aa);
    }
    /* A group too; mapAccounts' unquoted numbers stay strings (the cluster reads them so). */
    aa = parse_str("mapRoles:\n  - rolearn: arn:aws:iam::123456789012:role/A\n    username: a\n"
                   "    groups: [ops, on]\nmapAccounts: [123456789012]\n");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->arn, "123456789012");
    find_warning(aa, "a group 'on' is a boolean");
    doc_free(aa);
    /* A value with tabs in it, as fuzz_awsauth found it: the warning shows them as '?'. */
    aa = parse_str("mapRoles: \n  - rolearn: -.INFdata:+s:ia*m::123456789012:role\t\t/c::126789012"
                   "  - \"_<4455556666\"\n");
    assert_int_equal(aa->n_entries, 0);
    find_warning(aa, "rolearn '-.INFdata:+s:ia*m::123456789012:role?"
                     "?/c' is a number to the cluster's YAML reader");
    doc_free(aa);
}

/*
 * A plain scalar tagged "!" or "!!str" is the string written to the
 * cluster (kubectl 1.32, the same go-yaml: "! 12" is "12", "! ~" is "~",
 * "!<tag:yaml.org,2002:str> .inf" is ".inf", "! ~: x" a key "~"): mapped
 * as written, the value not dropped, no warning to quote it.
 */
static void test_tagged_strings(void **state)
{
    struct eksauth_awsauth_doc *aa;
    const struct eksauth_awsauth_entry *e;

    (void)state;
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: ! 12\n"
                   "    groups: [! ~, !!str on, &g ! 0x1F, !<tag:yaml.org,2002:str> .inf]\n"
                   "    ! ~: x\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                   "    username: &u # a comment between the anchor and the tag\n"
                   "      !!str 1_000\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->warnings.n, 0);
    assert_int_equal(aa->n_entries, 2);
    e = entry_at(aa, 0);
    assert_string_equal(e->username, "12");
    assert_int_equal(e->n_groups, 4);
    assert_string_equal(e->groups[0], "~");
    assert_string_equal(e->groups[1], "on");
    assert_string_equal(e->groups[2], "0x1F");
    assert_string_equal(e->groups[3], ".inf");
    assert_string_equal(entry_at(aa, 1)->username, "1_000");
    doc_free(aa);
}

/*
 * Scanning, as the cluster reads it (each case checked against kubectl
 * 1.32, whose YAML reader is the cluster's, docs/aws-auth.md "Forms"), in a
 * ConfigMap's value as kubectl -o json writes it: line breaks (CR, NEL, LS),
 * characters YAML takes or refuses, tabs, document markers, dates, escapes.
 * want: the username mapped; "-": the entry skipped (a NUL, by decision);
 * NULL: the value dropped, as the cluster drops it.
 */
static void test_scanned_as_the_cluster_scans(void **state)
{
    static const struct {
        const char *name, *doc, *want;
    } cases[] = {
        {"CR ends a line",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\r  username: a\"}}",
         "a"},
        {"NEL ends a line",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\u0085  username: a\"}}",
         "a"},
        {"LS ends a line",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\u2028  username: a\"}}",
         "a"},
        {"LS inside a plain scalar ends its line",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\u2028b\"}}",
         NULL},
        {"BOM inside a scalar",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\ufeffb\"}}",
         "a\xef\xbb\xbf"
         "b"},
        {"no-break space",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\u00a0b\"}}",
         "a\xc2\xa0"
         "b"},
        {"astral character",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\ud83d\\ude00b\"}}",
         "a\xf0\x9f\x98\x80"
         "b"},
        {"tab after ':'",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username:\\ta\"}}",
         "a"},
        {"tab in the indentation",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n\\tusername: a\"}}",
         NULL},
        {"a date",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: 2001-12-14\"}}",
         "2001-12-14"},
        {"a date and time",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: 2001-12-14t21:59:43.10-05:00\"}}",
         "2001-12-14t21:59:43.10-05:00"},
        {"document end marker",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\n...\\n\"}}",
         "a"},
        {"document start marker",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"---\\n- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\n\"}}",
         "a"},
        {"raw control character",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\u0001b\"}}",
         NULL},
        {"U+FFFE",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a\\ufffeb\"}}",
         NULL},
        {"escaped NUL",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: \\\"a\\\\0b\\\"\"}}",
         "-"},
        {"'#' without a space before",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: a#b\"}}",
         "a#b"},
        {"explicit key",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  ? username\\n  : a\"}}",
         "a"},
        {"escaped line break",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: \\\"a\\\\\\n    b\\\"\"}}",
         "ab"},
        {"'' in single quotes",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: 'a''b'\"}}",
         "a'b"},
        {"'-' leading a scalar",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: -a\"}}",
         "-a"},
        {"':' leading a scalar",
         "{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"- rolearn: "
         "arn:aws:iam::123456789012:role/A\\n  username: :a\"}}",
         ":a"},
    };
    struct eksauth_awsauth_doc *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        aa = parse_str(cases[i].doc);
        if (cases[i].want == NULL) {
            if (aa->dropped.n != 1)
                fail_msg("%s: not dropped", cases[i].name);
        } else if (strcmp(cases[i].want, "-") == 0) {
            if (aa->dropped.n != 0 || aa->n_entries != 0)
                fail_msg("%s: not skipped", cases[i].name);
        } else if (aa->dropped.n != 0 || aa->n_entries != 1 ||
                   strcmp(entry_at(aa, 0)->username, cases[i].want) != 0) {
            fail_msg("%s: not mapped to %s", cases[i].name, cases[i].want);
        }
        doc_free(aa);
    }
}

/*
 * A value libyaml fails on and the cluster reads (the escape \' in a
 * double-quoted scalar, "admin:" ending a plain scalar in a flow list) is
 * dropped here, and the warning says the cluster reads it, not "here as
 * there"; mapUsers still maps.  A bare file is eksauth's own: no cluster
 * reads it, and the usual drop says so.
 */
/*
 * A ConfigMap whose mapRoles value (mapRoles_lines) is dropped here, want
 * in why, while the warning says the cluster reads it; mapUsers still maps.
 */
static void expect_dropped_cluster_reads(const char *mapRoles_lines, const char *want)
{
    char doc[512];
    struct eksauth_awsauth_doc *aa;

    snprintf(doc, sizeof(doc),
             "kind: ConfigMap\n"
             "data:\n"
             "  mapRoles: |\n"
             "%s"
             "  mapUsers: |\n"
             "    - userarn: arn:aws:iam::123456789012:user/bob\n"
             "      username: bob\n",
             mapRoles_lines);
    aa = expect_dropped(doc, "mapRoles", want);
    if (strstr(aa->dropped.v[0], "go-yaml, the cluster's YAML reader, reads") == NULL)
        fail_msg("dropped \"%s\" does not say the cluster reads it", aa->dropped.v[0]);
    find_warning(aa, "; the cluster reads on there, so its entries may map there, and none "
                     "maps here");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "bob");
    doc_free(aa);
}

static void test_values_libyaml_fails_alone(void **state)
{
    static const char *const values[] = {
        "    - rolearn: arn:aws:iam::123456789012:role/A\n      username: \"a\\'b\"\n",
        "    - rolearn: arn:aws:iam::123456789012:role/A\n      username: a\n"
        "      groups: [ops, admin:]\n",
    };
    struct eksauth_awsauth_doc *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
        expect_dropped_cluster_reads(values[i], "go-yaml, the cluster's YAML reader, reads");
    aa = expect_dropped("mapRoles: |\n  - rolearn: arn:aws:iam::123456789012:role/A\n"
                        "    username: a\n    groups: [ops, admin:]\n",
                        "mapRoles", "found unexpected ':'");
    find_warning(aa, "here as there");
    doc_free(aa);
}

/*
 * The cluster reads mapAccounts with go-yaml v2 into a list of strings
 * (pkg/mapper/configmap/configmap.go, ParseMap): a tagged item is the text
 * written (a !!binary one decoded), and an item that is a mapping, a merge
 * key's too, is skipped while the others are kept.  eksauth drops such a
 * value (it reads no tags or merge keys), but must say the cluster reads it:
 * the accounts map there (found by the mapAccounts differential against
 * kubectl 1.32 and go-yaml v2's decode.go).  A %YAML 1.2 directive the
 * cluster fails on: here as there.
 */
static void test_accounts_refused_the_cluster_reads(void **state)
{
    static const char *const values[][2] = {
        {"    - !!float 123456789012\n", "the YAML tag !!float"},
        {"    - !!binary MTIzNDU2Nzg5MDEy\n", "the YAML tag !!binary"},
        {"    - !!str 123456789012\n    - !!int \"210987654321\"\n", "the YAML tag !!int"},
        {"    - {<<: {a: b}}\n    - \"123456789012\"\n", "a YAML merge key"},
    };
    char doc[512];
    struct eksauth_awsauth_doc *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        snprintf(doc, sizeof(doc),
                 "kind: ConfigMap\n"
                 "data:\n"
                 "  mapAccounts: |\n"
                 "%s"
                 "  mapUsers: |\n"
                 "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                 "      username: bob\n",
                 values[i][0]);
        aa = expect_dropped(doc, "mapAccounts", values[i][1]);
        if (strstr(aa->dropped.v[0], "go-yaml, the cluster's YAML reader, reads") == NULL)
            fail_msg("dropped \"%s\" does not say the cluster reads it", aa->dropped.v[0]);
        find_warning(aa, "the cluster reads on there");
        assert_int_equal(aa->n_entries, 1);
        doc_free(aa);
    }
    /* A tag go-yaml cannot resolve on its item fails the cluster's decoding there. */
    aa = expect_dropped("kind: ConfigMap\ndata:\n  mapAccounts: |\n    - !!bool 123456789012\n",
                        "mapAccounts", "the YAML tag !!bool");
    find_warning(aa, "here as there");
    doc_free(aa);
    aa = expect_dropped("kind: ConfigMap\ndata:\n  mapAccounts: |\n    %YAML 1.2\n    ---\n"
                        "    - \"123456789012\"\n",
                        "mapAccounts", "%YAML 1.2");
    find_warning(aa, "here as there");
    doc_free(aa);
    /* A bare file is eksauth's own: no cluster reads it. */
    aa = expect_dropped("mapAccounts: |\n  - !!float 123456789012\n", "mapAccounts",
                        "the YAML tag !!float");
    find_warning(aa, "here as there");
    doc_free(aa);
}

/*
 * Values eksauth drops that the cluster reads (kubectl 1.32): an anchor given
 * again, which libyaml fails on and go-yaml lets replace the earlier one; a
 * second document, eksauth's refusal, where the cluster reads the first; a
 * local tag, eksauth's refusal, whose value the cluster reads as untagged.
 * The warning must say the cluster reads on there, never "here as there":
 * that would tell the operator that nobody maps where the cluster maps.
 */
static void test_values_refused_the_cluster_reads(void **state)
{
    static const char *const values[][2] = {
        {"      username: &u a\n      groups: [&u b]\n", "found duplicate anchor"},
        {"      username: a\n    ---\n    - x\n", "more than one YAML document"},
        {"      username: a\n    --- [\n", "after the first YAML document"},
        {"      username: a\n      groups: [!local b]\n", "the YAML tag !local"},
        /* The text written, not an infinity the cluster fails on. */
        {"      username: a\n      userid: !local +.inf\n", "the YAML tag !local"},
    };
    char lines[256];
    struct eksauth_awsauth_doc *aa;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        snprintf(lines, sizeof(lines), "    - rolearn: arn:aws:iam::123456789012:role/A\n%s",
                 values[i][0]);
        expect_dropped_cluster_reads(lines, values[i][1]);
    }
    /* A first document ended by a line less indented: the cluster reads it alone. */
    aa = expect_dropped("{\"kind\": \"ConfigMap\", \"data\": {\"mapRoles\": \"  - a\\n- b\\n\"}}",
                        "mapRoles",
                        "after the first YAML document; go-yaml, the cluster's YAML reader, "
                        "reads the first one only");
    find_warning(aa, "the cluster reads on there");
    doc_free(aa);
    /*
     * Not where the cluster fails all the same: the first document holds
     * what the cluster fails on (\/), another tag the cluster fails on
     * beside the local one.
     */
    aa =
        expect_dropped("kind: ConfigMap\ndata:\n  mapRoles: |\n    - \"a\\/b\"\n    ---\n    - c\n",
                       "mapRoles", "\\/");
    find_warning(aa, "here as there");
    doc_free(aa);
    aa = expect_dropped("kind: ConfigMap\ndata:\n  mapRoles: |\n    - !local a\n    - !!null b\n",
                        "mapRoles", "the YAML tag !!null");
    find_warning(aa, "here as there");
    doc_free(aa);
    /* A tag the cluster fails on, and a bare file's value (eksauth's own form), say "here as
     * there". */
    aa = expect_dropped("kind: ConfigMap\ndata:\n  mapRoles: |\n    - !!null x\n", "mapRoles",
                        "the YAML tag !!null");
    find_warning(aa, "here as there");
    doc_free(aa);
    aa = expect_dropped("mapRoles: |\n  - !local x\n", "mapRoles", "the YAML tag !local");
    find_warning(aa, "here as there");
    doc_free(aa);
    aa = expect_dropped("mapRoles: |\n  - a\n  ---\n  - b\n", "mapRoles",
                        "more than one YAML document");
    find_warning(aa, "here as there");
    doc_free(aa);
}

/*
 * The cluster compares an entry's ARN as written, whole, ignoring case: an
 * upper-case ARN maps, and an entry with a role path or a session's ARN is
 * ignored with a warning saying what to write instead.
 */
static void test_entry_arns(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("mapRoles:\n"
                   "  - rolearn: ARN:AWS:IAM::123456789012:ROLE/ReadOnly\n"
                   "    username: ro\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/team/Admin\n"
                   "    username: admin\n"
                   "  - rolearn: arn:aws:sts::123456789012:assumed-role/Deploy/ci\n"
                   "    username: deploy\n"
                   "  - sso: ~\n"
                   "    rolearn: arn:aws:iam::123456789012:role/NullSso\n"
                   "    username: nul\n");
    assert_int_equal(aa->n_entries, 4);
    assert_null(entry_at(aa, 0)->ignored);
    assert_string_equal(entry_at(aa, 0)->key, "arn:aws:iam::123456789012:role/readonly");
    assert_string_equal(entry_at(aa, 0)->arn, "ARN:AWS:IAM::123456789012:ROLE/ReadOnly");
    assert_non_null(entry_at(aa, 1)->ignored);
    assert_string_equal(entry_at(aa, 1)->key, "arn:aws:iam::123456789012:role/admin");
    find_warning(aa, "aws-auth: mapRoles: 4:5: arn:aws:iam::123456789012:role/team/Admin has a "
                     "role path: the cluster never matches it (STS names an assumed role without "
                     "its path), and neither does eksauth; write "
                     "arn:aws:iam::123456789012:role/Admin");
    assert_non_null(entry_at(aa, 2)->ignored);
    find_warning(aa, "aws-auth: mapRoles: 6:5: arn:aws:sts::123456789012:assumed-role/Deploy/ci "
                     "is the ARN of a role's session: the cluster never matches it (it compares "
                     "the role's ARN), and neither does eksauth; write "
                     "arn:aws:iam::123456789012:role/Deploy");
    /* sso: null is no sso (a JSON null leaves the field unset). */
    assert_null(entry_at(aa, 3)->ignored);
    doc_free(aa);
}

/* Where a security rule of eksauth refuses what the cluster admits, the warning says so. */
static void test_empty_session_warning(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    aa = parse_str("mapUsers:\n"
                   "  - userarn: arn:aws:iam::123456789012:user/alice\n"
                   "    username: admin:{{SessionName}}\n"
                   "    groups: [\"team-{{SessionNameRaw}}\", ops]\n"
                   "mapRoles:\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: admin:{{SessionName}}\n");
    assert_int_equal(aa->n_entries, 2);
    find_warning(aa, "aws-auth: mapUsers: 2:5: username 'admin:{{SessionName}}': a user has no "
                     "session name, so the cluster renders 'admin:' and admits it; eksauth "
                     "refuses such a login");
    find_warning(aa, "group 'team-{{SessionNameRaw}}': a user has no session name, so the cluster "
                     "renders 'team-'");
    /* A role always has a session name: no warning for it. */
    assert_int_equal(aa->warnings.n, 2);
    doc_free(aa);
}

/*
 * YAML merge keys and tags: the cluster's reader (go-yaml v2) merges "<<"
 * in place, so a merge after an entry's own keys overrides them (rolearn
 * included), decodes !!binary, types !!int, !!bool, !!null values and
 * fails the whole value when a tag does not fit its text.  eksauth reads
 * neither: the value is dropped whole, never mapped as the keys read
 * without the merge or the tag.
 */
static void test_merge_keys_and_tags(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    /* The cluster gives Ops nothing (the merge turns the entry into ReadOnly's), not admin. */
    aa = expect_dropped("mapRoles: |\n"
                        "  - &ro\n"
                        "    rolearn: arn:aws:iam::123456789012:role/ReadOnly\n"
                        "    username: viewer\n"
                        "  - rolearn: arn:aws:iam::123456789012:role/Ops\n"
                        "    username: admin\n"
                        "    groups: [system:masters]\n"
                        "    <<: *ro\n"
                        "mapUsers: |\n"
                        "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                        "    username: bob\n",
                        "mapRoles", "8:5: mapRoles: a YAML merge key (<<)");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "bob");
    find_warning(aa, "aws-auth: mapRoles dropped: 8:5: mapRoles: a YAML merge key (<<)");
    doc_free(aa);
    /* The usual form, the merge first: the cluster maps B as A; eksauth does not merge. */
    doc_free(expect_dropped("data:\n"
                            "  mapRoles: |\n"
                            "    - &a {rolearn: 'arn:aws:iam::123456789012:role/A', username: a}\n"
                            "    - <<: *a\n"
                            "      rolearn: arn:aws:iam::123456789012:role/B\n",
                            "mapRoles", "4:7: mapRoles: a YAML merge key (<<)"));
    /* Tags: decoded (!!binary is "admin" there), typed, or the value failing there. */
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    username: !!binary YWRtaW4=\n",
                            "mapRoles", "3:15: mapRoles: the YAML tag !!binary"));
    doc_free(expect_dropped("mapUsers: |\n"
                            "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                            "    username: !!null \"x\"\n",
                            "mapUsers", "3:15: mapUsers: the YAML tag !!null"));
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    username: a\n"
                            "    groups: [!!int \"12\"]\n",
                            "mapRoles", "4:14: mapRoles: the YAML tag !!int"));
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    !!binary dXNlcm5hbWU=: a\n",
                            "mapRoles", "3:5: mapRoles: the YAML tag !!binary"));
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    username: a\n"
                            "    userid: !custom x\n",
                            "mapRoles", "4:13: mapRoles: the YAML tag !custom"));
    doc_free(expect_dropped("mapAccounts: |\n  - !!binary MTIzNDU2Nzg5MDEy\n", "mapAccounts",
                            "2:5: mapAccounts: the YAML tag !!binary"));
    /* In the document around the values: refused whole. */
    expect_doc_error("mapRoles: !!binary LSBbXQ==\n", "aws-auth: 1:11: the YAML tag !!binary: "
                                                      "eksauth reads no YAML tags; remove it");
    expect_doc_error("base: &b {mapUsers: []}\n<<: *b\n",
                     "aws-auth: 2:1: a YAML merge key (<<): eksauth does not merge; write the "
                     "keys out");

    /* go-yaml v2 reads YAML 1.1 documents only: "%YAML 1.2" fails the value there. */
    doc_free(expect_dropped("mapRoles: |\n"
                            "  %YAML 1.2\n"
                            "  ---\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    username: a\n",
                            "mapRoles", "mapRoles: a %YAML 1.2 directive"));
    aa = parse_str("mapRoles: |\n"
                   "  %YAML 1.1\n"
                   "  ---\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: a\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->n_entries, 1);
    doc_free(aa);

    /* What is no tag and no merge: !!str and '!' are the default, a quoted "<<" a key. */
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: !!str arn:aws:iam::123456789012:role/A\n"
                   "    username: ! a\n"
                   "    groups: !!seq [<<]\n"
                   "    '<<': x\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "a");
    assert_string_equal(entry_at(aa, 0)->groups[0], "<<");
    doc_free(aa);
}

/*
 * What the cluster's YAML-to-JSON step (sigs.k8s.io/yaml over go-yaml v2)
 * fails on drops a mapRoles or mapUsers value whole there, so here: an
 * infinity or NaN anywhere (JSON has none), a key that is null, a list or
 * a mapping, or an unsigned integer above int64.  Skipping only the entry
 * would map the rest of the value, which the cluster maps none of.
 * mapAccounts is decoded without JSON: there they are items that are no
 * account, skipped one by one, as the cluster skips them.
 */
static void test_values_json_cannot_carry(void **state)
{
    static const char *const cases[][2] = {
        {"    username: .inf\n", "3:15: mapRoles: .inf is an infinity or NaN to the cluster"},
        {"    username: a\n    groups: [x, -.Inf]\n", "4:17: mapRoles: -.Inf is an infinity"},
        {"    username: a\n    userid: {x: [.nan]}\n", "4:18: mapRoles: .nan is an infinity"},
        {"    username: a\n    ~: x\n", "4:5: mapRoles: a null key"},
        {"    username: a\n    ? [k]\n    : x\n",
         "4:7: mapRoles: a key that is a list or a mapping"},
        {"    username: a\n    {k: v}: x\n", "4:5: mapRoles: a key that is a list or a mapping"},
        {"    username: a\n    18446744073709551615: x\n",
         "4:5: mapRoles: the key 18446744073709551615 is an unsigned integer"},
    };
    struct eksauth_awsauth_doc *aa;
    char text[512];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text),
                 "mapRoles: |\n"
                 "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                 "%s"
                 "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                 "    username: b\n"
                 "mapUsers: |\n"
                 "  - userarn: arn:aws:iam::123456789012:user/bob\n"
                 "    username: bob\n",
                 cases[i][0]);
        aa = expect_dropped(text, "mapRoles", cases[i][1]);
        assert_int_equal(aa->n_entries, 1);
        assert_string_equal(entry_at(aa, 0)->username, "bob");
        doc_free(aa);
    }
    /* The same in a bare file's list. */
    doc_free(expect_dropped("mapUsers:\n  - {userarn: 'arn:aws:iam::123456789012:user/a', "
                            "username: a, groups: [.nan]}\n",
                            "mapUsers", "2:73: .nan is an infinity or NaN"));

    /* Keys the cluster turns into text, quoted specials, mapAccounts items: read as before. */
    aa = parse_str("mapRoles: |\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                   "    username: '.inf'\n"
                   "    groups: [\".nan\"]\n"
                   "    .inf: x\n"
                   "    yes: x\n"
                   "    12: x\n"
                   "    9223372036854775807: x\n"
                   "mapAccounts: |\n"
                   "  - .inf\n"
                   "  - [x]\n"
                   "  - '123456789012'\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->n_entries, 2);
    assert_string_equal(entry_at(aa, 0)->username, ".inf");
    assert_string_equal(entry_at(aa, 1)->arn, "123456789012");
    doc_free(aa);
}

/*
 * Aliases the cluster's YAML reader (go-yaml v2) refuses, dropping the
 * whole value: one inside the node it names, and heavy aliasing ("billion
 * laughs"; go-yaml fails past 100 decodes inside aliases that are most of
 * the document, eksauth past 100 whatever the share).  Unknown keys count:
 * the cluster decodes their values too.
 */
static void test_aliases_the_cluster_refuses(void **state)
{
    char text[4096], list[1024];
    size_t n, i;

    (void)state;
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                            "    username: a\n"
                            "    userid: &r [x, *r]\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                            "    username: b\n",
                            "mapRoles", "4:13: mapRoles: a YAML alias inside the node it names"));
    doc_free(expect_dropped("mapUsers: |\n"
                            "  - &e {userarn: 'arn:aws:iam::123456789012:user/a', username: a, "
                            "userid: *e}\n",
                            "mapUsers", "2:5: mapUsers: a YAML alias inside the node it names"));
    doc_free(expect_dropped(
        "mapRoles: |\n"
        "  - rolearn: arn:aws:iam::123456789012:role/A\n"
        "    username: a\n"
        "    userid:\n"
        "      a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "      b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "      c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "      d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
        "mapRoles",
        "mapRoles: YAML aliases expand to more than 100 nodes, the share of its decodes "
        "go-yaml refuses: the cluster's reading fails on it and drops the whole value"));

    /* The line: 50 aliases of a two-node list decode 100 nodes inside aliases; 51, 102. */
    for (n = 50; n <= 51; n++) {
        snprintf(list, sizeof(list), "&s [g]");
        for (i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), ", *s");
        snprintf(text, sizeof(text),
                 "mapRoles: |\n"
                 "  - rolearn: arn:aws:iam::123456789012:role/A\n"
                 "    username: a\n"
                 "    userid: [%s]\n",
                 list);
        expect_alias_line(text, "mapRoles", n == 50 ? 1 : 0);
    }
}

/*
 * go-yaml refuses more than 10000 flow collections open at once, or more
 * than 10000 indentation levels ("exceeded max depth of 10000"), before it
 * decodes anything, so the cluster drops the whole value, mapAccounts too;
 * libyaml reads them.  nested(): head, n times open, x, n times close.
 */
static char *nested(const char *head, size_t n, const char *open, const char *close)
{
    size_t len = strlen(head), lo = strlen(open), lc = strlen(close), k;
    char *text = malloc(len + n * (lo + lc) + 3);

    assert_non_null(text);
    memcpy(text, head, len);
    for (k = 0; k < n; k++) {
        memcpy(text + len + k * lo, open, lo);
        memcpy(text + len + n * lo + 1 + k * lc, close, lc);
    }
    text[len + n * lo] = 'x';
    memcpy(text + len + n * (lo + lc) + 1, "\n", 2);
    return text;
}

static void test_nesting_the_cluster_refuses(void **state)
{
    static const struct {
        const char *key, *head, *open, *close;
        size_t most; /* the most collections of the kind under the head that go-yaml reads */
    } cases[] = {
        /* The root list and the entry are block collections: 10000 flow ones may follow. */
        {"mapRoles",
         "mapRoles: |\n  - rolearn: arn:aws:iam::123456789012:role/A\n    username: a\n    "
         "userid: ",
         "[", "]", 10000},
        {"mapAccounts", "mapAccounts: |\n  - '123456789012'\n  - ", "[", "]", 10000},
        /* "- - - x": each '-' one more indentation level, the root list's the first. */
        {"mapAccounts", "mapAccounts: |\n  - '123456789012'\n  - ", "- ", "", 9999},
    };
    struct eksauth_awsauth_doc *aa;
    size_t i;
    char *text;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        text = nested(cases[i].head, cases[i].most, cases[i].open, cases[i].close);
        aa = parse_str(text);
        assert_int_equal(aa->dropped.n, 0);
        assert_int_equal(aa->n_entries, 1);
        doc_free(aa);
        free(text);
        text = nested(cases[i].head, cases[i].most + 1, cases[i].open, cases[i].close);
        doc_free(expect_dropped(text, cases[i].key, "nested deeper than 10000"));
        free(text);
    }
    /*
     * Far deeper in flow, found before libyaml loads the value, which would
     * take time quadratic in the depth (hours within EKSAUTH_AWSAUTH_MAX):
     * pointed at the first collection past the bound.
     */
    text = nested(cases[0].head, 50000, "[", "]");
    doc_free(expect_dropped(text, "mapRoles",
                            "4:10013: mapRoles: flow collections nested deeper than 10000"));
    free(text);
}

/*
 * Plain scalars that go-yaml's scanner reads otherwise than libyaml 0.2.5:
 * inside a flow collection a '?' ends a plain scalar there (libyaml reads
 * on), and the scalar is then followed by a key indicator, a syntax
 * error: the cluster drops the whole value, mapAccounts too.  So is the
 * escape "\/" in a double-quoted scalar of a ConfigMap's value.
 */
static void test_scalars_the_cluster_scans_otherwise(void **state)
{
    struct eksauth_awsauth_doc *aa;

    (void)state;
    doc_free(expect_dropped("mapRoles: |\n"
                            "  - {rolearn: 'arn:aws:iam::123456789012:role/A', username: who?}\n"
                            "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                            "    username: b\n",
                            "mapRoles", "2:61: mapRoles: '?' in a plain scalar inside a flow"));
    doc_free(expect_dropped("mapUsers: |\n"
                            "  - userarn: arn:aws:iam::123456789012:user/a\n"
                            "    username: a\n"
                            "    groups: [dev, a ?b]\n",
                            "mapUsers", "4:19: mapUsers: '?' in a plain scalar inside a flow"));
    doc_free(expect_dropped("mapAccounts: |\n  - '123456789012'\n  - [x?]\n", "mapAccounts",
                            "3:6: mapAccounts: '?' in a plain scalar inside a flow"));
    /*
     * The JSON escape "\/" is no YAML 1.1 escape: go-yaml fails on it,
     * libyaml reads '/'.  A ConfigMap's value is the cluster's text; a bare
     * file is eksauth's own form (its merged snapshot escapes '/').
     */
    aa = expect_dropped("kind: ConfigMap\n"
                        "data:\n"
                        "  mapRoles: |\n"
                        "    [{\"rolearn\": \"arn:aws:iam::123456789012:role\\/A\", \"username\": "
                        "\"a\"}]\n"
                        "  mapUsers: |\n"
                        "    - userarn: arn:aws:iam::123456789012:user/bob\n"
                        "      username: \"b\\\\/ob\"\n",
                        "mapRoles", "4:18: mapRoles: the escape \\/ in a double-quoted scalar");
    assert_int_equal(aa->n_entries, 1);
    assert_string_equal(entry_at(aa, 0)->username, "b\\/ob");
    doc_free(aa);
    /* Positions count characters: each "é" before the escape is two bytes, one character. */
    doc_free(
        expect_dropped("{\"kind\": \"ConfigMap\", \"data\": {\"mapUsers\": \"[{\\\"username\\\": "
                       "\\\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\\", "
                       "\\\"userarn\\\": \\\"arn:aws:iam::123456789012:user\\\\/a\\\"}]\"}}",
                       "mapUsers", "1:38: mapUsers: the escape \\/"));
    aa = parse_str("mapRoles: '[{\"rolearn\": \"arn:aws:iam::123456789012:role\\/A\", "
                   "\"username\": \"a\"}]'\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_string_equal(entry_at(aa, 0)->arn, "arn:aws:iam::123456789012:role/A");
    doc_free(aa);
    /* Quoted, or in a block collection, a '?' is text to both. */
    aa = parse_str("mapRoles: |\n"
                   "  - {rolearn: 'arn:aws:iam::123456789012:role/A', username: 'who?'}\n"
                   "  - rolearn: arn:aws:iam::123456789012:role/B\n"
                   "    username: b?\n"
                   "    groups:\n"
                   "      - a?b\n");
    assert_int_equal(aa->dropped.n, 0);
    assert_int_equal(aa->n_entries, 2);
    assert_string_equal(entry_at(aa, 0)->username, "who?");
    assert_string_equal(entry_at(aa, 1)->groups[0], "a?b");
    doc_free(aa);
}

EKSAUTH_UNIT_MAIN(
    cmocka_unit_test(test_malformed_document_fixture), cmocka_unit_test(test_malformed_documents),
    cmocka_unit_test(test_malformed_json), cmocka_unit_test(test_empty_values),
    cmocka_unit_test(test_positions), cmocka_unit_test(test_aliases),
    cmocka_unit_test(test_entry_details), cmocka_unit_test(test_control_bytes_anywhere),
    cmocka_unit_test(test_dropped_values), cmocka_unit_test(test_repeated_and_case_variant_keys),
    cmocka_unit_test(test_unicode_key_folding), cmocka_unit_test(test_yaml11_non_strings),
    cmocka_unit_test(test_tagged_strings), cmocka_unit_test(test_values_libyaml_fails_alone),
    cmocka_unit_test(test_values_refused_the_cluster_reads),
    cmocka_unit_test(test_accounts_refused_the_cluster_reads),
    cmocka_unit_test(test_scanned_as_the_cluster_scans), cmocka_unit_test(test_entry_arns),
    cmocka_unit_test(test_empty_session_warning), cmocka_unit_test(test_merge_keys_and_tags),
    cmocka_unit_test(test_values_json_cannot_carry),
    cmocka_unit_test(test_aliases_the_cluster_refuses),
    cmocka_unit_test(test_nesting_the_cluster_refuses),
    cmocka_unit_test(test_scalars_the_cluster_scans_otherwise))
