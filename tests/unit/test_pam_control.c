/*
 * test_pam_control.c - lib/pam_control.c: a control read as libpam reads
 * it: the keywords in any case, [value=action] words with blanks around
 * '=', a value's last action, else the first default=, else bad; a word
 * libpam cannot read makes every value bad.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "eksauth/pam_control.h"
#include "unit.h"

static void test_keywords(void **state)
{
    (void)state;
    assert_int_equal(eksauth_pam_action("required", "perm_denied"), EKSAUTH_PAM_ACT_BAD);
    assert_int_equal(eksauth_pam_action("Required", "success"), EKSAUTH_PAM_ACT_OK);
    assert_int_equal(eksauth_pam_action("requisite", "auth_err"), EKSAUTH_PAM_ACT_DIE);
    assert_int_equal(eksauth_pam_action("requisite", "ignore"), EKSAUTH_PAM_ACT_IGNORE);
    assert_int_equal(eksauth_pam_action("sufficient", "success"), EKSAUTH_PAM_ACT_DONE);
    assert_int_equal(eksauth_pam_action("sufficient", "perm_denied"), EKSAUTH_PAM_ACT_IGNORE);
    assert_int_equal(eksauth_pam_action("optional", "auth_err"), EKSAUTH_PAM_ACT_IGNORE);
}

static void test_value_actions(void **state)
{
    (void)state;
    assert_int_equal(eksauth_pam_action("success=done default=ignore", "success"),
                     EKSAUTH_PAM_ACT_DONE);
    assert_int_equal(eksauth_pam_action("success=done default=ignore", "perm_denied"),
                     EKSAUTH_PAM_ACT_IGNORE);
    /* Blanks around '=', as libpam allows them. */
    assert_int_equal(eksauth_pam_action(" success = 2 ", "success"), EKSAUTH_PAM_ACT_JUMP);
    /* The first default= alone counts; no default at all is bad. */
    assert_int_equal(eksauth_pam_action("default=ignore default=die", "auth_err"),
                     EKSAUTH_PAM_ACT_IGNORE);
    assert_int_equal(eksauth_pam_action("success=ok", "auth_err"), EKSAUTH_PAM_ACT_BAD);
    /* A word libpam cannot read: every value bad. */
    assert_int_equal(eksauth_pam_action("Success=ok default=ignore", "auth_err"),
                     EKSAUTH_PAM_ACT_BAD);
    assert_int_equal(eksauth_pam_action("success=maybe default=ignore", "auth_err"),
                     EKSAUTH_PAM_ACT_BAD);
    assert_int_equal(eksauth_pam_action("success=0 default=ignore", "auth_err"),
                     EKSAUTH_PAM_ACT_BAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_value_actions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
