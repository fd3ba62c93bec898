/*
 * test_awsauth_rules.c - lib/awsauth_rules.c: the plain scalars the
 * cluster's YAML 1.1 reader takes for booleans, numbers or null, keys folded as
 * its JSON decoder folds them, entry ARNs read with their case-insensitive
 * sections, the ARNs it never matches with the one to write instead, and
 * templates rendered without a session name.  The same rules applied to
 * whole documents, with their warnings: test_awsauth_read.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/awsauth_rules.h"
#include "unit.h"

static const char *kind_of(const char *v)
{
    return eksauth_awsauth_plain_kind(v, strlen(v));
}

/* Plain scalars the cluster's YAML 1.1 reader takes as booleans or numbers are not strings. */
static void test_plain_kinds(void **state)
{
    static const char *const booleans[] = {"yes", "No", "on", "OFF", "y", "true", "FALSE", "n"};
    static const char *const numbers[] = {"0x1F", "0o17",  "0b101", "1_000", "-12", "1.5e3",
                                          ".inf", "+.INF", ".NaN",  "017",   "5.",  ".5",
                                          "12",   "+7",    "1e5",   "-.inf"};
    static const char *const strings[] = {"yesno",  "12abc", "-x", "0x",  "1e",   "v1.2",
                                          "onward", "~x",    "",   "YeS", ".",    "0b102",
                                          "0o8",    "1.2.3", "+",  "1e+", "admin"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(booleans) / sizeof(booleans[0]); i++) {
        if (kind_of(booleans[i]) == NULL || strcmp(kind_of(booleans[i]), "a boolean") != 0)
            fail_msg("%s is not read as a boolean", booleans[i]);
    }
    for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        if (kind_of(numbers[i]) == NULL || strcmp(kind_of(numbers[i]), "a number") != 0)
            fail_msg("%s is not read as a number", numbers[i]);
    }
    for (i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        if (kind_of(strings[i]) != NULL)
            fail_msg("%s is not read as a string (%s)", strings[i], kind_of(strings[i]));
    }
    /* Long and numeric-looking: refused as a number, the safe side. */
    assert_string_equal(kind_of("1111111111111111111111111111111111111111111111111111111111111111"
                                "1111"),
                        "a number");
}

/* encoding/json folds ASCII letters, 'ſ' (U+017F) to S and the Kelvin sign (U+212A) to K. */
static void test_fold_key(void **state)
{
    char out[16];
    bool unicode = true;

    (void)state;
    assert_true(eksauth_awsauth_fold_key("roleArn", 7, out, sizeof(out), &unicode));
    assert_string_equal(out, "ROLEARN");
    assert_false(unicode);
    assert_true(eksauth_awsauth_fold_key("u\xc5\xbf"
                                         "ername",
                                         9, out, sizeof(out), &unicode));
    assert_string_equal(out, "USERNAME");
    assert_true(unicode);
    assert_true(eksauth_awsauth_fold_key("\xe2\x84\xaa"
                                         "ey",
                                         5, out, sizeof(out), &unicode));
    assert_string_equal(out, "KEY");
    assert_true(unicode);
    /* Another non-ASCII letter folds to no field name; nor does a key too long for one. */
    assert_false(eksauth_awsauth_fold_key("u\xc8\x99"
                                          "ername",
                                          9, out, sizeof(out), &unicode));
    assert_false(
        eksauth_awsauth_fold_key("usernameusernameusername", 24, out, sizeof(out), &unicode));
}

/* An ARN's case-insensitive sections are read in lower case; names keep their case. */
static void test_entry_arn(void **state)
{
    struct eksauth_arn arn;
    char why[256], hint[256];

    (void)state;
    assert_int_equal(eksauth_awsauth_entry_arn("ARN:AWS:IAM::123456789012:ROLE/ReadOnly", &arn, why,
                                               sizeof(why)),
                     EKSAUTH_OK);
    assert_int_equal(arn.type, EKSAUTH_ARN_ROLE);
    assert_string_equal(arn.canonical, "arn:aws:iam::123456789012:role/ReadOnly");
    assert_null(eksauth_awsauth_never_matches(&arn, hint, sizeof(hint)));

    assert_int_equal(eksauth_awsauth_entry_arn("arn:aws:iam::1234:role/A", &arn, why, sizeof(why)),
                     EKSAUTH_EINVAL);
    assert_true(why[0] != '\0');

    /* A role path, and a session's ARN: never matched, and what to write instead. */
    assert_int_equal(eksauth_awsauth_entry_arn("arn:aws:iam::123456789012:role/team/Admin", &arn,
                                               why, sizeof(why)),
                     EKSAUTH_OK);
    assert_non_null(strstr(eksauth_awsauth_never_matches(&arn, hint, sizeof(hint)), "role path"));
    assert_string_equal(hint, "arn:aws:iam::123456789012:role/Admin");
    assert_int_equal(eksauth_awsauth_entry_arn("arn:aws:sts::123456789012:assumed-role/Deploy/ci",
                                               &arn, why, sizeof(why)),
                     EKSAUTH_OK);
    assert_non_null(
        strstr(eksauth_awsauth_never_matches(&arn, hint, sizeof(hint)), "a role's session"));
    assert_string_equal(hint, "arn:aws:iam::123456789012:role/Deploy");
}

/* {{SessionName}} and {{SessionNameRaw}} render empty for a principal without a session. */
static void test_empty_session(void **state)
{
    char out[64];

    (void)state;
    assert_true(eksauth_awsauth_empty_session("admin:{{SessionName}}", out, sizeof(out)));
    assert_string_equal(out, "admin:");
    assert_true(
        eksauth_awsauth_empty_session("{{SessionNameRaw}}-x-{{SessionName}}.", out, sizeof(out)));
    assert_string_equal(out, "-x-.");
    assert_false(eksauth_awsauth_empty_session("admin:{{AccountID}}", out, sizeof(out)));
    assert_string_equal(out, "admin:{{AccountID}}");
    /* Longer than out, with a placeholder past its end: cut, and still a string. */
    assert_true(eksauth_awsauth_empty_session(
        "a-very-long-prefix-of-a-template-that-is-longer-than-the-buffer-{{SessionName}}-x-"
        "{{SessionName}}-and-more",
        out, 16));
    assert_string_equal(out, "a-very-long-pre");
}

/*
 * The plain scalars go-yaml reads as an infinity or NaN, which JSON cannot
 * carry (the keys it has no JSON key for: test_awsauth_yaml_compat.c).
 */
static void test_nonfinite_scalars(void **state)
{
    static const char *const nonfinite[] = {".inf", ".Inf", "+.INF", "-.inf",
                                            ".nan", ".NaN", ".NAN"};
    static const char *const finite[] = {"inf",       "NaN",   "+Inf", ".in",
                                         ".infinity", "1e400", "",     ".5"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(nonfinite) / sizeof(nonfinite[0]); i++) {
        if (!eksauth_awsauth_plain_nonfinite(nonfinite[i]))
            fail_msg("%s is not read as an infinity or NaN", nonfinite[i]);
    }
    for (i = 0; i < sizeof(finite) / sizeof(finite[0]); i++) {
        if (eksauth_awsauth_plain_nonfinite(finite[i]))
            fail_msg("%s is read as an infinity or NaN", finite[i]);
    }
}

/* The plain scalars YAML reads as null: the empty one and three spellings of null, and ~. */
static void test_plain_nulls(void **state)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const not_null[] = {"nULL", "nul", "nulls", "~~", "N", "n", " ", "none"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
        if (!eksauth_awsauth_plain_null(nulls[i]))
            fail_msg("'%s' is not read as null", nulls[i]);
    }
    for (i = 0; i < sizeof(not_null) / sizeof(not_null[0]); i++) {
        if (eksauth_awsauth_plain_null(not_null[i]))
            fail_msg("'%s' is read as null", not_null[i]);
    }
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_plain_kinds), cmocka_unit_test(test_fold_key),
                  cmocka_unit_test(test_entry_arn), cmocka_unit_test(test_empty_session),
                  cmocka_unit_test(test_nonfinite_scalars), cmocka_unit_test(test_plain_nulls))
