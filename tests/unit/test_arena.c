/*
 * test_arena.c - lib/arena.c: aligned pieces, copies that end in NUL,
 * pieces larger than a chunk, sizes that would wrap, reuse after free.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/arena.h"
#include "unit.h"

static void test_alloc_and_copy(void **state)
{
    struct eksauth_arena a = {NULL};
    char *s, *t, *big;
    size_t i;

    (void)state;
    for (i = 1; i < 2000; i++) {
        void *p = eksauth_arena_alloc(&a, i % 37 + 1);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % sizeof(void *), 0);
    }
    s = eksauth_arena_strndup(&a, "mapRoles and more", 8);
    assert_string_equal(s, "mapRoles");
    /* Larger than a chunk: a chunk of its own, the earlier pieces untouched. */
    big = eksauth_arena_alloc(&a, 200 * 1024);
    assert_non_null(big);
    memset(big, 'x', 200 * 1024);
    t = eksauth_arena_strndup(&a, "", 0);
    assert_string_equal(t, "");
    assert_string_equal(s, "mapRoles");
    assert_null(eksauth_arena_alloc(&a, SIZE_MAX));
    assert_null(eksauth_arena_alloc(&a, SIZE_MAX - 3));
    eksauth_arena_free(&a);
    assert_null(a.head);
    /* Reusable after free. */
    assert_string_equal(eksauth_arena_strndup(&a, "again", 5), "again");
    eksauth_arena_free(&a);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_alloc_and_copy))
