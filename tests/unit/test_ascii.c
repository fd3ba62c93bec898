/*
 * test_ascii.c - lib/ascii.c: ASCII case folding only (bytes outside
 * A-Z, UTF-8 among them, stay as they are), and equality and prefixes
 * and substrings that ignore it.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/ascii.h"
#include "unit.h"

static void test_lower(void **state)
{
    char out[16];

    (void)state;
    /* Only A-Z change: their neighbours '@' '[' '`' '{' and bytes past ASCII stay. */
    eksauth_ascii_lower_copy(out, "@AZ[`az{\xc3", 9);
    assert_string_equal(out, "@az[`az{\xc3");
    assert_int_equal(eksauth_ascii_lower('Q'), 'q');
    eksauth_ascii_lower_copy(out, "ARN:Aws:\xc3\x89x", 11);
    assert_string_equal(out, "arn:aws:\xc3\x89x");
    eksauth_ascii_lower_copy(out, "ABC", 2); /* len bytes, then a NUL */
    assert_string_equal(out, "ab");
}

static void test_compare(void **state)
{
    (void)state;
    assert_true(eksauth_ascii_eq_nocase("MapRoles", 8, "maproles"));
    assert_true(eksauth_ascii_eq_nocase("maproles", 8, "mapRoles"));
    assert_false(eksauth_ascii_eq_nocase("MapRoles", 7, "maproles"));
    assert_false(eksauth_ascii_eq_nocase("MapRolesX", 9, "maproles"));
    assert_false(eksauth_ascii_eq_nocase("map_oles", 8, "maproles"));
    assert_true(eksauth_ascii_eq_nocase("", 0, ""));
    assert_true(eksauth_ascii_prefix_nocase("HTTPS://sts", 11, "https://"));
    assert_true(eksauth_ascii_prefix_nocase("https://", 8, "https://"));
    assert_false(eksauth_ascii_prefix_nocase("https:/", 7, "https://"));
    assert_false(eksauth_ascii_prefix_nocase("http://x", 8, "https://"));
}

static void test_contains(void **state)
{
    (void)state;
    assert_true(eksauth_ascii_contains_nocase("X-Amz-Date", 10, "amz"));
    assert_true(eksauth_ascii_contains_nocase("xAMZ", 4, "amz"));
    assert_true(eksauth_ascii_contains_nocase("amz", 3, "AMZ"));
    assert_false(eksauth_ascii_contains_nocase("am", 2, "amz"));
    /* Only the first len bytes are looked at. */
    assert_false(eksauth_ascii_contains_nocase("xxamz", 4, "amz"));
    assert_false(eksauth_ascii_contains_nocase("a-m-z", 5, "amz"));
    assert_true(eksauth_ascii_contains_nocase("", 0, ""));
    assert_true(eksauth_ascii_contains_nocase("abc", 3, ""));
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_lower), cmocka_unit_test(test_compare),
                  cmocka_unit_test(test_contains))
