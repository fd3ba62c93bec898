/*
 * unit.h - what every unit test shares: its main() and assert_status.
 * Include after <cmocka.h>.
 *
 * EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_a), cmocka_unit_test(test_b)) is
 * the main() that runs the tests listed, in order, as one group (TAP: make
 * check sets CMOCKA_MESSAGE_OUTPUT); EKSAUTH_UNIT_MAIN_WITH runs setup
 * before the first and teardown after the last.
 */
#ifndef EKSAUTH_TEST_UNIT_H
#define EKSAUTH_TEST_UNIT_H

#define EKSAUTH_UNIT_MAIN_WITH(setup, teardown, ...)                                               \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
                                                                                                   \
        return cmocka_run_group_tests(tests, setup, teardown);                                     \
    }

#define EKSAUTH_UNIT_MAIN(...) EKSAUTH_UNIT_MAIN_WITH(NULL, NULL, __VA_ARGS__)

/* An enum eksauth_status (or any enum) is the one wanted. */
#define assert_status(x, want) assert_int_equal((int)(x), (int)(want))

#endif
