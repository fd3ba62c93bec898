/*
 * test_json_secret.c - lib/json_secret.c: the tokener's buffer is sized
 * before the parse and never moves; after the wipe no byte of a secret is
 * left in the strings of the value, of a value cut short, or in the
 * tokener's buffer.  (tests/unit/test_exec_credential.c and test_creds.c
 * check the same through the C library's free.)
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/printbuf.h>

#include "eksauth/json_secret.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* The credentials document of instance metadata, its session token long (json-c's buffer grows). */
static int doc(char *out, size_t len)
{
    char token[700];

    memset(token, 'T', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    return snprintf(out, len,
                    "{\"Code\": \"Success\", \"AccessKeyId\": \"ASIAFAKEIMDS00000001\", "
                    "\"SecretAccessKey\": \"" SECRET "\", \"Token\": \"%s\", "
                    "\"Expiration\": \"2026-11-30T11:00:00Z\"}",
                    token);
}

static bool all_zero(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p[i] != '\0')
            return false;
    }
    return true;
}

/* Every string in o is zeros. */
static bool strings_zero(struct json_object *o)
{
    bool ok = true;
    size_t i;

    switch (json_object_get_type(o)) {
    case json_type_string:
        return all_zero(json_object_get_string(o), (size_t)json_object_get_string_len(o));
    case json_type_object: {
        json_object_object_foreach(o, key, v)
        {
            (void)key;
            ok = ok && strings_zero(v);
        }
        return ok;
    }
    case json_type_array:
        for (i = 0; i < json_object_array_length(o); i++)
            ok = ok && strings_zero(json_object_array_get_idx(o, i));
        return ok;
    default:
        return true;
    }
}

/* json-c's own tokener moves its buffer for this document; ours never does. */
static void test_buffer_never_moves(void **state)
{
    char text[1024];
    struct json_tokener *tk;
    struct json_object *obj;
    char *before;
    int n;

    (void)state;
    n = doc(text, sizeof(text));
    /* The control: a plain tokener's buffer is reallocated as the long strings come. */
    tk = json_tokener_new_ex(8);
    before = tk->pb->buf;
    obj = json_tokener_parse_ex(tk, text, n);
    assert_non_null(obj);
    assert_ptr_not_equal(tk->pb->buf, before);
    json_object_put(obj);
    json_tokener_free(tk);

    tk = eksauth_json_secret_tokener(8, (size_t)n);
    assert_non_null(tk);
    before = tk->pb->buf;
    obj = json_tokener_parse_ex(tk, text, n);
    assert_non_null(obj);
    assert_ptr_equal(tk->pb->buf, before);
    json_object_put(obj);
    json_tokener_free(tk);
}

static void test_wipe(void **state)
{
    char text[1024];
    struct json_tokener *tk;
    struct json_object *obj, *v;
    int n;

    (void)state;
    n = doc(text, sizeof(text));
    tk = eksauth_json_secret_tokener(8, (size_t)n);
    obj = json_tokener_parse_ex(tk, text, n);
    assert_true(json_object_object_get_ex(obj, "SecretAccessKey", &v));
    assert_string_equal(json_object_get_string(v), SECRET);
    /* Before the wipe the tokener's buffer holds the last long string read. */
    assert_non_null(memmem(tk->pb->buf, (size_t)tk->pb->size, "TTTTTTTTTTTTTTTT", 16));
    eksauth_json_secret_wipe(tk, obj);
    assert_true(strings_zero(obj));
    assert_true(all_zero(tk->pb->buf, (size_t)tk->pb->size));
    json_object_put(obj);
    json_tokener_free(tk);
    /* Nothing to wipe is no fault. */
    eksauth_json_secret_wipe(NULL, NULL);
}

/* A text that ends inside the value: the strings json-c had built are wiped too. */
static void test_wipe_cut_text(void **state)
{
    char text[1024];
    struct json_tokener *tk;
    struct json_object *part, *v;
    int n;

    (void)state;
    n = doc(text, sizeof(text));
    tk = eksauth_json_secret_tokener(8, (size_t)n);
    assert_null(json_tokener_parse_ex(tk, text, n - 20));
    part = tk->stack[0].current;
    assert_true(json_object_object_get_ex(part, "SecretAccessKey", &v));
    assert_string_equal(json_object_get_string(v), SECRET);
    eksauth_json_secret_wipe(tk, NULL);
    assert_true(strings_zero(part));
    assert_true(all_zero(tk->pb->buf, (size_t)tk->pb->size));
    json_tokener_free(tk);
}

static void test_too_long(void **state)
{
    (void)state;
    assert_null(eksauth_json_secret_tokener(8, (size_t)EKSAUTH_JSON_SECRET_MAX + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_never_moves),
        cmocka_unit_test(test_wipe),
        cmocka_unit_test(test_wipe_cut_text),
        cmocka_unit_test(test_too_long),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
