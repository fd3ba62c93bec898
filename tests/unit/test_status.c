/*
 * test_status.c - the error convention: eksauth_fail, eksauth_error_prefix
 * (with truncation), status names and the command line's exit codes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/status.h"
#include "unit.h"

static void test_fail_formats_and_returns_status(void **state)
{
    struct eksauth_error err;

    (void)state;
    memset(&err, 0, sizeof(err));
    assert_int_equal(eksauth_fail(&err, EKSAUTH_EINVAL, "config: %s:%u: unknown key", "f", 3u),
                     EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "config: f:3: unknown key");
    /* err may be NULL: the status still comes back. */
    assert_int_equal(eksauth_fail(NULL, EKSAUTH_EUNAVAIL, "x"), EKSAUTH_EUNAVAIL);
}

static void test_fail_truncates(void **state)
{
    struct eksauth_error err;
    char big[2 * EKSAUTH_ERROR_MAX];

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    eksauth_fail(&err, EKSAUTH_EIO, "%s", big);
    assert_int_equal(strlen(err.msg), EKSAUTH_ERROR_MAX - 1);
    assert_int_equal(err.msg[EKSAUTH_ERROR_MAX - 2], 'a');
}

static void test_prefix(void **state)
{
    struct eksauth_error err;

    (void)state;
    eksauth_fail(&err, EKSAUTH_EREJECTED, "expired: %d s", 901);
    eksauth_error_prefix(&err, "token %s", "abc12345");
    assert_string_equal(err.msg, "token abc12345: expired: 901 s");
    assert_int_equal(err.status, EKSAUTH_EREJECTED);
    eksauth_error_prefix(NULL, "nothing"); /* no crash */
    /* A prefix quoting input (a name a cluster answered) is cleaned as the message is. */
    eksauth_fail(&err, EKSAUTH_EREJECTED, "not mapped");
    eksauth_error_prefix(&err, "user %s", "evil\n\x1b[2Jx");
    assert_string_equal(err.msg, "user evil??[2Jx: not mapped");
}

/*
 * Input quoted in a message that is UTF-8 but no text: C1's CSI (U+009B,
 * "\xc2\x9b", which xterm takes as ESC [), a right-to-left override, a
 * line separator, and a byte that is not UTF-8 each become one '?'; a
 * letter that is not ASCII stays.  In eksauth_fail, _prefix and _append.
 */
static void test_clean_beyond_ascii(void **state)
{
    struct eksauth_error err;

    (void)state;
    eksauth_fail(&err, EKSAUTH_EINVAL, "host %s",
                 "a\xc2\x9b"
                 "2Jb");
    assert_string_equal(err.msg, "host a?2Jb");
    eksauth_error_append(&err, " user %s", "adm\xe2\x80\xaenimda\xe2\x80\xa8x\xff");
    assert_string_equal(err.msg, "host a?2Jb user adm?nimda?x?");
    eksauth_error_prefix(&err, "role/\xc5\xbfupport caf\xc3\xa9 \xc2\x85");
    assert_string_equal(err.msg, "role/\xc5\xbfupport caf\xc3\xa9 ?: host a?2Jb user adm?nimda?x?");
}

static void test_prefix_truncates(void **state)
{
    struct eksauth_error err;
    char big[EKSAUTH_ERROR_MAX];

    (void)state;
    /* A long message: the prefix stays whole, the old message is cut. */
    memset(big, 'm', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    eksauth_fail(&err, EKSAUTH_EINVAL, "%s", big);
    eksauth_error_prefix(&err, "pre");
    assert_int_equal(strlen(err.msg), EKSAUTH_ERROR_MAX - 1);
    assert_memory_equal(err.msg, "pre: mmm", 8);
    assert_int_equal(err.msg[EKSAUTH_ERROR_MAX - 2], 'm');
    /* A prefix longer than the buffer is cut too, and the result is a string. */
    memset(big, 'p', sizeof(big) - 1);
    eksauth_fail(&err, EKSAUTH_EINVAL, "tail");
    eksauth_error_prefix(&err, "%s", big);
    assert_true(strlen(err.msg) < EKSAUTH_ERROR_MAX);
    assert_int_equal(err.msg[0], 'p');
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(eksauth_status_name(EKSAUTH_OK), "ok");
    assert_string_equal(eksauth_status_name(EKSAUTH_EREJECTED), "rejected");
    assert_string_equal(eksauth_status_name(EKSAUTH_EINVAL), "invalid");
    assert_string_equal(eksauth_status_name(EKSAUTH_ENOTMAPPED), "not mapped");
    assert_string_equal(eksauth_status_name(EKSAUTH_EUNAVAIL), "unavailable");
    assert_string_equal(eksauth_status_name(EKSAUTH_ENOTFOUND), "not found");
    assert_string_equal(eksauth_status_name(EKSAUTH_ENOMEM), "out of memory");
    assert_string_equal(eksauth_status_name(EKSAUTH_EIO), "i/o error");
    assert_string_equal(eksauth_status_name((enum eksauth_status)99), "unknown");
}

/* docs/design.md, "The command line": 0 ok, 1 rejected, 2 usage or config, 3 not mapped, 4 STS
 * unavailable. */
static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_OK), 0);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_EREJECTED), 1);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_EINVAL), 2);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_ENOTMAPPED), 3);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_EUNAVAIL), 4);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_ENOTFOUND), 2);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_ENOMEM), 2);
    assert_int_equal(eksauth_status_exit_code(EKSAUTH_EIO), 2);
    assert_int_equal(eksauth_status_exit_code((enum eksauth_status)99), 2);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_fail_formats_and_returns_status),
                  cmocka_unit_test(test_fail_truncates), cmocka_unit_test(test_prefix),
                  cmocka_unit_test(test_clean_beyond_ascii),
                  cmocka_unit_test(test_prefix_truncates), cmocka_unit_test(test_status_names),
                  cmocka_unit_test(test_exit_codes))
