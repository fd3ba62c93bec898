/*
 * test_pam_args.c - lib/pam_args.c: each option of pam_eksauth.so is known
 * with its value; an unknown argument is ignored, unless its name begins
 * with "require", which is a gate the module cannot read; a require_token=
 * list that names no service, or a name no service has, means every one.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/pam_args.h"
#include "unit.h"

static void expect(const char *arg, enum eksauth_pam_arg want, const char *want_value)
{
    const char *value = "unset";

    assert_int_equal(eksauth_pam_arg_parse(arg, &value), want);
    if (want_value == NULL)
        assert_null(value);
    else
        assert_string_equal(value, want_value);
}

static void test_known(void **state)
{
    (void)state;
    expect("debug", EKSAUTH_PAM_ARG_DEBUG, NULL);
    expect("use_first_pass", EKSAUTH_PAM_ARG_USE_FIRST_PASS, NULL);
    expect("try_first_pass", EKSAUTH_PAM_ARG_TRY_FIRST_PASS, NULL);
    expect("ignore_unknown_user", EKSAUTH_PAM_ARG_IGNORE_UNKNOWN_USER, NULL);
    expect("ignore_authinfo_unavail", EKSAUTH_PAM_ARG_IGNORE_AUTHINFO_UNAVAIL, NULL);
    expect("require_token", EKSAUTH_PAM_ARG_REQUIRE_TOKEN, NULL);
    expect("require_token=sshd,login", EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST, "sshd,login");
    expect("require_token=", EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST, "");
    expect("require_group=eks-admins", EKSAUTH_PAM_ARG_REQUIRE_GROUP, "eks-admins");
    expect("require_group=", EKSAUTH_PAM_ARG_REQUIRE_GROUP, "");
    expect("config=/etc/eksauth/eksauth.conf", EKSAUTH_PAM_ARG_CONFIG, "/etc/eksauth/eksauth.conf");
}

/* Ignored as Linux-PAM modules do: none of these narrows who logs in. */
static void test_unknown(void **state)
{
    (void)state;
    expect("bogus_option", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
    expect("debug=1", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
    expect("config", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
    expect("use_first_pass\r", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
    expect("", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
    expect("requir", EKSAUTH_PAM_ARG_UNKNOWN, NULL);
}

/* A gate misspelt, in another case, or without its value: account must refuse, not open. */
static void test_unknown_gate(void **state)
{
    (void)state;
    expect("require_group", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("require_grop=eks-admins", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("require_groups=eks-admins", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("Require_Group=eks-admins", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("REQUIRE_TOKEN", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("require_token\r", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("require_tokens=sshd", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
    expect("require", EKSAUTH_PAM_ARG_UNKNOWN_GATE, NULL);
}

/* A list that would exempt no real service means every service, never none. */
static void test_token_list_every(void **state)
{
    (void)state;
    assert_false(eksauth_pam_token_list_every("sshd"));
    assert_false(eksauth_pam_token_list_every("sshd,login"));
    assert_false(eksauth_pam_token_list_every("sshd,,login,"));
    assert_true(eksauth_pam_token_list_every(""));
    assert_true(eksauth_pam_token_list_every(",,"));
    assert_true(eksauth_pam_token_list_every("sshd\r"));       /* a CRLF file's last argument */
    assert_true(eksauth_pam_token_list_every("login,sshd\r")); /* one bad name: the whole list */
    assert_true(eksauth_pam_token_list_every("ss\x7fhd"));
    /* "[require_token=sshd login]": libpam hands on the blank inside brackets. */
    assert_true(eksauth_pam_token_list_every("sshd login"));
    /*
     * A byte past ASCII: libpam lowers PAM_SERVICE with the application's
     * tolower, which in a Latin-1 locale makes 0xc9 (E acute) 0xe9, a case
     * the module's ASCII compare cannot know; "SVC\xc9" would then exempt
     * the very service it names.
     */
    assert_true(eksauth_pam_token_list_every("SVC\xc9"));
    assert_true(eksauth_pam_token_list_every("sshd,svc\xc3\xa9"));
}

/* libpam lowers the service's name: a list names it in any ASCII case, and only whole names. */
static void test_token_list_names(void **state)
{
    (void)state;
    assert_true(eksauth_pam_token_list_names("sshd", "sshd"));
    assert_true(eksauth_pam_token_list_names("login,sshd", "sshd"));
    assert_true(eksauth_pam_token_list_names(",,sshd,", "sshd"));
    assert_true(eksauth_pam_token_list_names("SSHD", "sshd"));
    assert_true(eksauth_pam_token_list_names("login,SshD", "sshd"));
    assert_false(eksauth_pam_token_list_names("sshd2,ssh,xsshd", "sshd"));
    assert_false(eksauth_pam_token_list_names("login", "sshd"));
    assert_false(eksauth_pam_token_list_names("", "sshd"));
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_known), cmocka_unit_test(test_unknown),
                  cmocka_unit_test(test_unknown_gate), cmocka_unit_test(test_token_list_every),
                  cmocka_unit_test(test_token_list_names))
