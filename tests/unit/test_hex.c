/*
 * test_hex.c - lib/hex.c: bytes as lower-case hex digits.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/hex.h"
#include "unit.h"

static void test_hex_lower(void **state)
{
    const unsigned char in[] = {0x00, 0x09, 0x0a, 0x7f, 0x80, 0xab, 0xf0, 0xff};
    char out[2 * sizeof(in) + 1];

    (void)state;
    memset(out, 'x', sizeof(out));
    eksauth_hex_lower(in, sizeof(in), out);
    assert_string_equal(out, "00090a7f80abf0ff");
    /* len bytes only, then the NUL. */
    memset(out, 'x', sizeof(out));
    eksauth_hex_lower(in, 2, out);
    assert_string_equal(out, "0009");
    eksauth_hex_lower(in, 0, out);
    assert_string_equal(out, "");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_hex_lower))
