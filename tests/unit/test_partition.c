/*
 * test_partition.c - the partition table (token-rules.md §2.1) and the shape
 * of a region name.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/partition.h"

static void assert_partition(const char *name, const char *domain, const char *dualstack,
                             bool global_sts)
{
    const struct eksauth_partition *p = eksauth_partition_find(name);

    assert_non_null(p);
    assert_string_equal(p->name, name);
    assert_string_equal(p->domain, domain);
    if (dualstack == NULL)
        assert_null(p->dualstack_domain);
    else
        assert_string_equal(p->dualstack_domain, dualstack);
    assert_int_equal(p->global_sts, global_sts);
}

static void test_table(void **state)
{
    (void)state;
    assert_partition("aws", "amazonaws.com", "api.aws", true);
    assert_partition("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", false);
    assert_partition("aws-us-gov", "amazonaws.com", "api.aws", false);
    assert_partition("aws-iso", "c2s.ic.gov", NULL, false);
    assert_partition("aws-iso-b", "sc2s.sgov.gov", NULL, false);
    assert_partition("aws-iso-e", "cloud.adc-e.uk", NULL, false);
    assert_partition("aws-iso-f", "csp.hci.ic.gov", NULL, false);
    assert_partition("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", false);
}

static void test_find_is_exact(void **state)
{
    (void)state;
    assert_null(eksauth_partition_find("AWS"));
    assert_null(eksauth_partition_find("aws-"));
    assert_null(eksauth_partition_find("aw"));
    assert_null(eksauth_partition_find(""));
    assert_null(eksauth_partition_find(NULL));
    /* find_n reads len bytes, not up to a NUL. */
    assert_string_equal(eksauth_partition_find_n("aws-cn:rest", 6)->name, "aws-cn");
    assert_string_equal(eksauth_partition_find_n("aws-cn", 3)->name, "aws");
    assert_null(eksauth_partition_find_n("aws-cn", 5));
}

static void test_region_valid(void **state)
{
    static const char *const good[] = {
        "us-east-1",      "us-west-2",     "ap-southeast-2", "us-gov-west-1", "cn-north-1",
        "eu-isoe-west-1", "us-iso-east-1", "us-isob-east-1", "il-central-1",  "ap-east-12",
    };
    static const char *const bad[] = {
        "",           "us-east",       "us-east-",          "useast1",    "us-east-123",
        "US-EAST-1",  "us_east_1",     "us-east-1a",        "-us-east-1", "not-a-region",
        "u-east-1",   "abcdef-east-1", "us--east-1",        "us-east-1.", "a-b-c-d-e-1",
        "us-east- 1", "global",        "us-verylongname-1",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        if (!eksauth_region_valid(good[i], strlen(good[i])))
            fail_msg("\"%s\" should be a region", good[i]);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (eksauth_region_valid(bad[i], strlen(bad[i])))
            fail_msg("\"%s\" should not be a region", bad[i]);
    }
    /* The length is what counts, not a NUL. */
    assert_true(eksauth_region_valid("us-east-1.amazonaws.com", 9));
    assert_false(eksauth_region_valid("us-east-1.amazonaws.com", 10));
    /* At most 32 bytes. */
    assert_true(eksauth_region_valid("aaaaa-bbbbbbbbbb-cccccccccc-dd-1", 32));
    assert_false(eksauth_region_valid("aaaaa-bbbbbbbbbb-cccccccccc-ddd-1", 33));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_find_is_exact),
        cmocka_unit_test(test_region_valid),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
