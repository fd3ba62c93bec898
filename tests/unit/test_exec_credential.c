/*
 * test_exec_credential.c - lib/exec_credential.c: the token and expiry of
 * an ExecCredential as `aws eks get-token` prints it (v1beta1 and v1),
 * what is not one, and a token too long for the caller's buffer; the token
 * in a tool's output, bare or in an ExecCredential (eksauth_token_from_output).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/exec_credential.h"
#include "freed_scan.h"

static const char AWS_CLI[] =
    "{\n    \"kind\": \"ExecCredential\",\n"
    "    \"apiVersion\": \"client.authentication.k8s.io/v1beta1\",\n    \"spec\": {},\n"
    "    \"status\": {\n        \"expirationTimestamp\": \"2026-12-04T23:29:45Z\",\n"
    "        \"token\": \"k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8\"\n    }\n}\n";

static void test_token_and_expiry(void **state)
{
    struct eksauth_error err;
    char tok[128];
    size_t len = 0;
    time_t expires = 0;

    (void)state;
    assert_true(eksauth_exec_credential_is_json(AWS_CLI, strlen(AWS_CLI)));
    assert_int_equal(eksauth_exec_credential_token(AWS_CLI, strlen(AWS_CLI), tok, sizeof(tok), &len,
                                                   &expires, &err),
                     EKSAUTH_OK);
    assert_string_equal(tok, "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8");
    assert_int_equal(len, strlen(tok));
    assert_int_equal(expires, 1796426985); /* 2026-12-04T23:29:45Z */
}

static void test_v1_without_expiry(void **state)
{
    static const char v1[] = "  {\"apiVersion\":\"client.authentication.k8s.io/v1\","
                             "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"k8s-aws-v1.x\"}}";
    struct eksauth_error err;
    char tok[64];
    size_t len = 0;
    time_t expires = 1;

    (void)state;
    assert_true(eksauth_exec_credential_is_json(v1, strlen(v1)));
    assert_int_equal(
        eksauth_exec_credential_token(v1, strlen(v1), tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_OK);
    assert_string_equal(tok, "k8s-aws-v1.x");
    assert_int_equal(expires, 0);
}

static void test_not_an_exec_credential(void **state)
{
    static const char *const bad[] = {
        "{", "{}", "{\"status\": {}}", "{\"status\": {\"token\": 7}}", "[\"k8s-aws-v1.x\"]",
    };
    struct eksauth_error err;
    char tok[64];
    size_t len = 9, i;
    time_t expires;

    (void)state;
    assert_false(eksauth_exec_credential_is_json("k8s-aws-v1.abc", 14));
    assert_false(eksauth_exec_credential_is_json("   ", 3));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(eksauth_exec_credential_token(bad[i], strlen(bad[i]), tok, sizeof(tok),
                                                       &len, &expires, &err),
                         EKSAUTH_EINVAL);
        assert_int_equal(len, 0);
    }
    assert_non_null(strstr(err.msg, "status.token"));
    /* A token longer than the caller's buffer is refused, not cut. */
    assert_int_equal(
        eksauth_exec_credential_token(AWS_CLI, strlen(AWS_CLI), tok, 20, &len, &expires, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "too long"));
}

/*
 * A token holding "\u0000" is refused: every caller hands the token on as
 * a C string as well as by length, and the two would differ.
 */
static void test_token_with_nul(void **state)
{
    static const char json[] = "{\"status\": {\"token\": \"k8s-aws-v1.abc\\u0000def\"}}";
    struct eksauth_error err;
    char tok[64];
    size_t len = 9;
    time_t expires = 9;

    (void)state;
    assert_int_equal(
        eksauth_exec_credential_token(json, strlen(json), tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "NUL"));
    assert_int_equal(len, 0);
    assert_int_equal(expires, 0);
}

/*
 * The token is wiped from every copy json-c made before it is freed: its
 * string, and the tokener's buffer, which holds the last string it read
 * (the token, in `aws eks get-token`'s order) whole.  So is a token in
 * JSON that ends before its object does (the pieces json-c had built).
 */
static void test_no_copy_of_the_token_freed(void **state)
{
    static const char token[] = "k8s-aws-v1.aHR0cHM6Ly9zdHMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb20vP0Fj"
                                "dGlvbj1HZXRDYWxsZXJJZGVudGl0eSZWZXJzaW9uPTIwMTEtMDYtMTUmWC1BbXot"
                                "U2lnbmF0dXJlPWZyZWVkc2Nhbg";
    char json[1024], tok[512];
    struct eksauth_error err;
    size_t len = 0;
    time_t expires;
    int n;

    (void)state;
    n = snprintf(json, sizeof(json),
                 "{\"kind\": \"ExecCredential\", \"apiVersion\": "
                 "\"client.authentication.k8s.io/v1beta1\", \"spec\": {}, \"status\": "
                 "{\"expirationTimestamp\": \"2026-12-04T23:29:45Z\", \"token\": \"%s\"}}",
                 token);
    freed_scan_arm(token + 20, 40);
    assert_int_equal(
        eksauth_exec_credential_token(json, (size_t)n, tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_OK);
    assert_int_equal(freed_scan_disarm(), 0);
    assert_string_equal(tok, token);
    /* Cut after the token: not an ExecCredential, and still nothing of it left behind. */
    freed_scan_arm(token + 20, 40);
    assert_int_equal(
        eksauth_exec_credential_token(json, (size_t)n - 2, tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_EINVAL);
    assert_int_equal(freed_scan_disarm(), 0);
}

/* What verify, check-token and askpass's token command read: one rule for all. */
static void test_token_from_output(void **state)
{
    static const char bare[] = " \t\r\nk8s-aws-v1.abc_-DEF\r\n\n";
    struct eksauth_error err;
    char tok[128], small[8];
    size_t len = 1;
    time_t expires = 1;

    (void)state;
    /* Blanks (eksauth_pieces_is_blank) around a bare token are dropped; no expiry. */
    assert_int_equal(
        eksauth_token_from_output(bare, strlen(bare), tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_OK);
    assert_string_equal(tok, "k8s-aws-v1.abc_-DEF");
    assert_int_equal(len, strlen(tok));
    assert_int_equal(expires, 0);
    /* Inner text is kept as it is: whether it is a token is the caller's check. */
    assert_int_equal(
        eksauth_token_from_output("  not a token\n", 14, tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_OK);
    assert_string_equal(tok, "not a token");
    /* An ExecCredential: its token and its expiry, blanks around it or not. */
    assert_int_equal(
        eksauth_token_from_output(AWS_CLI, strlen(AWS_CLI), tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_OK);
    assert_string_equal(tok, "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8");
    assert_int_equal(expires, 1796426985);
    /* JSON that is none: refused, not taken as a bare token. */
    assert_int_equal(eksauth_token_from_output(" {\"status\": {}}\n", 17, tok, sizeof(tok), &len,
                                               &expires, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not an ExecCredential"));
    assert_int_equal(len, 0);
    /* Nothing but blanks: a status of its own, so callers say what was missing. */
    assert_int_equal(
        eksauth_token_from_output(" \r\n\t", 4, tok, sizeof(tok), &len, &expires, &err),
        EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_token_from_output("", 0, tok, sizeof(tok), &len, &expires, &err),
                     EKSAUTH_ENOTFOUND);
    /* A bare token that does not fit: refused, and nothing of it left in the buffer. */
    memset(small, 'x', sizeof(small));
    assert_int_equal(
        eksauth_token_from_output("k8s-aws-v1.x", 12, small, sizeof(small), &len, &expires, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "too long"));
    assert_int_equal(len, 0);
    assert_memory_equal(small, "\0\0\0\0\0\0\0\0", sizeof(small));
    /* Exactly as long as fits, with its NUL. */
    assert_int_equal(
        eksauth_token_from_output("k8s-aws", 7, small, sizeof(small), &len, &expires, &err),
        EKSAUTH_OK);
    assert_string_equal(small, "k8s-aws");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_and_expiry),           cmocka_unit_test(test_v1_without_expiry),
        cmocka_unit_test(test_not_an_exec_credential),     cmocka_unit_test(test_token_with_nul),
        cmocka_unit_test(test_no_copy_of_the_token_freed), cmocka_unit_test(test_token_from_output),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
