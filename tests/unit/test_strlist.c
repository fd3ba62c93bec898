/*
 * test_strlist.c - lib/strlist.c: appending copies and formatted strings,
 * growth past the first allocation, and reuse after free.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/strlist.h"
#include "unit.h"

static void test_add_copies(void **state)
{
    struct eksauth_strlist l = {0};
    struct eksauth_error err;
    char buf[] = "first";

    (void)state;
    assert_int_equal(eksauth_strlist_add(&l, buf, &err), EKSAUTH_OK);
    buf[0] = 'X'; /* the list holds its own copy */
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0], "first");
    eksauth_strlist_free(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);
}

static void test_addf_grows_in_order(void **state)
{
    struct eksauth_strlist l = {0};
    struct eksauth_error err;
    char want[32];
    size_t i;

    (void)state;
    for (i = 0; i < 100; i++)
        assert_int_equal(eksauth_strlist_addf(&l, &err, "item %zu of %s", i, "100"), EKSAUTH_OK);
    assert_int_equal(l.n, 100);
    assert_true(l.cap >= 100);
    for (i = 0; i < 100; i++) {
        snprintf(want, sizeof(want), "item %zu of 100", i);
        assert_string_equal(l.v[i], want);
    }
    eksauth_strlist_free(&l);
    /* Usable again after free. */
    assert_int_equal(eksauth_strlist_add(&l, "again", NULL), EKSAUTH_OK);
    assert_string_equal(l.v[0], "again");
    eksauth_strlist_free(&l);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_add_copies), cmocka_unit_test(test_addf_grows_in_order))
