/*
 * unit_main.h - the main() of a unit test: run the cmocka tests listed, in
 * order, as one group (TAP: make check sets CMOCKA_MESSAGE_OUTPUT).
 *
 *     EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_a), cmocka_unit_test(test_b))
 *
 * EKSAUTH_UNIT_MAIN_WITH runs setup before the first and teardown after
 * the last.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_UNIT_MAIN_H
#define EKSAUTH_TEST_UNIT_MAIN_H

#define EKSAUTH_UNIT_MAIN_WITH(setup, teardown, ...)                                               \
    int main(void)                                                                                 \
    {                                                                                              \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                                           \
                                                                                                   \
        return cmocka_run_group_tests(tests, setup, teardown);                                     \
    }

#define EKSAUTH_UNIT_MAIN(...) EKSAUTH_UNIT_MAIN_WITH(NULL, NULL, __VA_ARGS__)

#endif
