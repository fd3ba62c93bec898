/*
 * test_json_answer.c - lib/json_answer.c: one JSON value under a cap and
 * nothing after it but white space, the nesting limit and the truncated
 * flag a caller reports, typed members, and a server's text made safe.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/json_answer.h"
#include "unit.h"

/* body parsed under a cap of 64 bytes: whether it is taken as one answer. */
static bool parses(const char *body, size_t len)
{
    struct json_object *o = eksauth_json_answer_parse(body, len, 64);
    bool ok = o != NULL;

    json_object_put(o);
    return ok;
}

static void test_parse(void **state)
{
    static const char nul[] = "{\"a\":\0\"b\"}";

    (void)state;
    assert_true(parses("{\"a\":1}", 7));
    assert_true(parses("[1, 2] \t\r\n", 10));
    /* A second value, or anything after the first, makes the answer ambiguous. */
    assert_false(parses("{}{}", 4));
    assert_false(parses("{} x", 4));
    assert_false(parses("", 0));
    assert_false(parses(NULL, 0));
    assert_false(parses(nul, sizeof(nul) - 1));
    assert_false(parses("not json", 8));
}

/* "\u0000" decodes to a NUL inside a string: read as a C string, the value would be cut short. */
static void test_escaped_nul_refused(void **state)
{
    (void)state;
    assert_false(parses("{\"username\":\"admin\\u0000x\"}", 27));
    assert_false(parses("[[\"a\", {\"b\": [\"\\u0000\"]}]]", 26));
    assert_false(parses("\"\\u0000\"", 8));
    /* An escaped backslash then "u0000" is text, not a NUL. */
    assert_true(parses("{\"a\":\"\\\\u0000\"}", 15));
    assert_true(parses("{\"a\":\"\\u0041\"}", 14));
}

/*
 * A key is a string too: json-c keeps it up to the NUL, so "username\u0000"
 * would be a second "username" whose value replaces the first.
 */
static void test_escaped_nul_in_key_refused(void **state)
{
    static const char dup[] = "{\"username\":\"alice\",\"username\\u0000\":\"admin\"}";
    static const char odd[] = "{\"a\\\\\\u0000\":1}";
    static const char even[] = "{\"a\\\\u0000\":1}";
    const char *why = NULL;

    (void)state;
    assert_null(eksauth_json_answer_read(dup, sizeof(dup) - 1, 64, 8, &why));
    assert_string_equal(why, "a string holding \\u0000");
    /* Three backslashes: an escaped one, then the escape of a NUL; two: text. */
    assert_false(parses(odd, sizeof(odd) - 1));
    assert_true(parses(even, sizeof(even) - 1));
}

static void test_parse_cap(void **state)
{
    char big[65];

    (void)state;
    /* A string of 64 bytes with its quotes: at the cap it is read, past it refused. */
    memset(big, 'x', sizeof(big));
    big[0] = '"';
    big[63] = '"';
    assert_true(parses(big, 64));
    big[63] = 'x';
    big[64] = '"';
    assert_false(parses(big, 65));
}

static void test_read_truncated_and_depth(void **state)
{
    struct json_object *o;
    const char *why = NULL;

    (void)state;
    /* A body that stops inside the value says so; a bad one does not. */
    assert_null(eksauth_json_answer_read("{\"a\":[1,", 8, 64, 8, &why));
    assert_string_equal(why, "truncated JSON");
    assert_null(eksauth_json_answer_read("{\"a\" 1}", 7, 64, 8, &why));
    assert_string_equal(why, "not JSON");
    assert_null(eksauth_json_answer_read("[\"a\\u0000\"]", 11, 64, 8, &why));
    assert_string_equal(why, "a string holding \\u0000");
    o = eksauth_json_answer_read("[[1]]", 5, 64, 8, &why);
    assert_non_null(o);
    json_object_put(o);
    /* Deeper than the protocol allows is refused. */
    assert_null(eksauth_json_answer_read("[[[[1]]]]", 9, 64, 2, NULL));
}

static void test_members(void **state)
{
    static const char body[] = "{\"s\":\"x\",\"n\":1,\"z\":null,\"o\":{\"s\":\"y\"}}";
    struct json_object *root = eksauth_json_answer_parse(body, strlen(body), 1024), *v;

    (void)state;
    assert_non_null(root);
    assert_string_equal(eksauth_json_answer_str(root, "s"), "x");
    assert_null(eksauth_json_answer_str(root, "n"));
    assert_null(eksauth_json_answer_str(root, "missing"));
    assert_null(eksauth_json_answer_obj(root, "s"));
    assert_string_equal(eksauth_json_answer_str(eksauth_json_answer_obj(root, "o"), "s"), "y");
    /* An optional member: there and typed, absent or null (NULL), or of another type. */
    assert_true(eksauth_json_answer_optional(root, "s", json_type_string, &v));
    assert_string_equal(json_object_get_string(v), "x");
    assert_true(eksauth_json_answer_optional(root, "missing", json_type_string, &v));
    assert_null(v);
    assert_true(eksauth_json_answer_optional(root, "z", json_type_array, &v));
    assert_null(v);
    assert_false(eksauth_json_answer_optional(root, "n", json_type_string, &v));
    assert_null(v);
    /* Not an object at all: NULL, never a crash. */
    assert_null(eksauth_json_answer_str(NULL, "s"));
    assert_null(eksauth_json_answer_obj(NULL, "o"));
    json_object_put(root);
}

static void test_server_text(void **state)
{
    char out[8];

    (void)state;
    assert_true(eksauth_json_answer_visible("a b~", 4));
    assert_false(eksauth_json_answer_visible("a\nb", 3));
    assert_false(eksauth_json_answer_visible("a\x7f", 2));
    eksauth_json_answer_safe_copy("a\x1b[2Jb\xc3\xa9", 8, out, sizeof(out));
    assert_string_equal(out, "a?[2Jb?");
    eksauth_json_answer_safe_copy("abc", 3, out, 1);
    assert_string_equal(out, "");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_parse), cmocka_unit_test(test_escaped_nul_refused),
                  cmocka_unit_test(test_escaped_nul_in_key_refused),
                  cmocka_unit_test(test_parse_cap), cmocka_unit_test(test_read_truncated_and_depth),
                  cmocka_unit_test(test_members), cmocka_unit_test(test_server_text))
