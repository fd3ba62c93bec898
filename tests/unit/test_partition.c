/*
 * test_partition.c - lib/partition.c: the partition of a region, the STS
 * host forms, and the shape of a region name (the table it reads:
 * test_partition_data.c).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/partition.h"
#include "unit.h"

static void assert_region_of(const char *region, const char *partition)
{
    const struct eksauth_partition *p = eksauth_partition_of_region(region, strlen(region));

    if (partition == NULL && p != NULL)
        fail_msg("%s should be in no partition, is in %s", region, p->name);
    if (partition != NULL && (p == NULL || strcmp(p->name, partition) != 0))
        fail_msg("%s should be in %s, is in %s", region, partition, p != NULL ? p->name : "none");
}

/* The SDK's rule: the first partition whose region regex matches. */
static void test_partition_of_region(void **state)
{
    (void)state;
    assert_region_of("us-east-1", "aws");
    assert_region_of("il-central-1", "aws");
    assert_region_of("mx-central-1", "aws");
    assert_region_of("us-gov-west-1", "aws-us-gov");
    assert_region_of("cn-northwest-1", "aws-cn");
    assert_region_of("us-iso-east-1", "aws-iso");
    assert_region_of("us-isob-east-1", "aws-iso-b");
    assert_region_of("us-isof-south-1", "aws-iso-f");
    assert_region_of("eu-isoe-west-1", "aws-iso-e");
    assert_region_of("eusc-de-east-1", "aws-eusc");
    /* A region the data does not list yet, of the regex's shape, is the partition's. */
    assert_region_of("ap-newplace-9", "aws");
    /* \w is letters, digits and '_' (no '-'): four groups are no aws region. */
    assert_region_of("us-gov-x-y-1", NULL);
    assert_region_of("us-gov-x-1", "aws-us-gov");
    assert_region_of("xx-nowhere-9", NULL);
    assert_region_of("eusc-fr-east-1", NULL);
    assert_region_of("us-east-", NULL);
    assert_region_of("us--1", NULL);
    assert_region_of("aws-global", NULL);
    assert_region_of("", NULL);
}

static void assert_sts_host(const char *partition, const char *host,
                            enum eksauth_sts_host_match want, const char *region)
{
    const struct eksauth_partition *p = eksauth_partition_find(partition);
    const char *got = NULL;
    size_t len = 0;
    enum eksauth_sts_host_match m = eksauth_partition_sts_host(p, host, &got, &len);

    if (m != want)
        fail_msg("%s under %s: %d, want %d", host, partition, (int)m, (int)want);
    if (region != NULL && (len != strlen(region) || memcmp(got, region, len) != 0))
        fail_msg("%s under %s: region %.*s, want %s", host, partition, (int)len, got, region);
}

static void test_sts_hosts(void **state)
{
    (void)state;
    assert_sts_host("aws", "sts.us-east-1.amazonaws.com", EKSAUTH_STS_HOST_OK, "us-east-1");
    assert_sts_host("aws", "sts-fips.us-west-2.amazonaws.com", EKSAUTH_STS_HOST_OK, "us-west-2");
    assert_sts_host("aws", "sts.eu-west-1.api.aws", EKSAUTH_STS_HOST_OK, "eu-west-1");
    assert_sts_host("aws", "sts-fips.us-east-2.api.aws", EKSAUTH_STS_HOST_OK, "us-east-2");
    assert_sts_host("aws-cn", "sts-fips.cn-north-1.api.amazonwebservices.com.cn",
                    EKSAUTH_STS_HOST_OK, "cn-north-1");
    assert_sts_host("aws-us-gov", "sts-fips.us-gov-east-1.api.aws", EKSAUTH_STS_HOST_OK,
                    "us-gov-east-1");
    assert_sts_host("aws-iso", "sts.us-iso-west-1.api.aws.ic.gov", EKSAUTH_STS_HOST_OK,
                    "us-iso-west-1");
    /* Another partition's region in this partition's form. */
    assert_sts_host("aws", "sts.cn-north-1.amazonaws.com", EKSAUTH_STS_HOST_FOREIGN, "cn-north-1");
    assert_sts_host("aws", "sts-fips.us-gov-west-1.amazonaws.com", EKSAUTH_STS_HOST_FOREIGN,
                    "us-gov-west-1");
    assert_sts_host("aws-us-gov", "sts.us-east-1.amazonaws.com", EKSAUTH_STS_HOST_FOREIGN,
                    "us-east-1");
    assert_sts_host("aws", "sts.xx-nowhere-9.amazonaws.com", EKSAUTH_STS_HOST_FOREIGN,
                    "xx-nowhere-9");
    /* No form of the partition. */
    assert_sts_host("aws-cn", "sts.us-west-2.amazonaws.com.cn", EKSAUTH_STS_HOST_FOREIGN,
                    "us-west-2");
    assert_sts_host("aws-us-gov", "sts-fips.us-gov-west-1.amazonaws.com", EKSAUTH_STS_HOST_UNKNOWN,
                    NULL);
    assert_sts_host("aws", "sts.us-east-1.amazonaws.com.cn", EKSAUTH_STS_HOST_UNKNOWN, NULL);
    assert_sts_host("aws", "sts.amazonaws.com", EKSAUTH_STS_HOST_UNKNOWN, NULL);
    assert_sts_host("aws", "sts.us-east-1.x.amazonaws.com", EKSAUTH_STS_HOST_UNKNOWN, NULL);
    assert_sts_host("aws", "iam.us-east-1.amazonaws.com", EKSAUTH_STS_HOST_UNKNOWN, NULL);
    /* The form, but no region name in it. */
    assert_sts_host("aws", "sts.not-a-region.amazonaws.com", EKSAUTH_STS_HOST_NOT_REGION,
                    "not-a-region");
}

/*
 * The hosts where AWS's data says STS answers: a listed region's plain host,
 * the global one, and the FIPS hosts endpoints.json lists.  The SDK's rules
 * make the FIPS and dual-stack forms for every region, but endpoints.json
 * lists FIPS STS in four US regions only, and dual-stack STS in none: the
 * others may not resolve.
 */
static void test_sts_host_listed(void **state)
{
    (void)state;
    assert_true(eksauth_sts_host_listed("sts.us-east-1.amazonaws.com"));
    assert_true(eksauth_sts_host_listed("sts.eu-west-1.amazonaws.com"));
    assert_true(eksauth_sts_host_listed("sts.amazonaws.com"));
    assert_true(eksauth_sts_host_listed("sts.cn-north-1.amazonaws.com.cn"));
    assert_true(eksauth_sts_host_listed("sts.us-gov-west-1.amazonaws.com"));
    /* A FIPS host endpoints.json lists. */
    assert_true(eksauth_sts_host_listed("sts-fips.us-east-1.amazonaws.com"));
    assert_true(eksauth_sts_host_listed("sts-fips.us-west-2.amazonaws.com"));
    /* A form the rules make, at a region where AWS lists no such STS. */
    assert_false(eksauth_sts_host_listed("sts-fips.eu-west-1.amazonaws.com"));
    assert_false(eksauth_sts_host_listed("sts.eu-west-1.api.aws"));
    assert_false(eksauth_sts_host_listed("sts-fips.eu-west-1.api.aws"));
    assert_false(eksauth_sts_host_listed("sts.cn-north-1.api.amazonwebservices.com.cn"));
    /* A region no partition lists, or one of another partition's suffix. */
    assert_false(eksauth_sts_host_listed("sts.us-nowhere-9.amazonaws.com"));
    assert_false(eksauth_sts_host_listed("sts.cn-north-1.amazonaws.com"));
    assert_false(eksauth_sts_host_listed("sts.us-east-1.amazonaws.com.cn"));
    /* Exact: no case, dot, prefix or suffix games. */
    assert_false(eksauth_sts_host_listed("STS.us-east-1.amazonaws.com"));
    assert_false(eksauth_sts_host_listed("sts.us-east-1.amazonaws.com."));
    assert_false(eksauth_sts_host_listed("sts.us-east-1.amazonaws.com.evil"));
    assert_false(eksauth_sts_host_listed("x.sts.us-east-1.amazonaws.com"));
    assert_false(eksauth_sts_host_listed(""));
    assert_false(eksauth_sts_host_listed(NULL));
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

/*
 * upstream pkg/token/token_test.go TestRegionValidator (the SDK v1's
 * validateInputRegion): a label of letters, digits and '-'.  eksauth wants
 * the shape of a real region name (docs/token-rules.md, "Hosts": stricter,
 * region-shaped labels only), so "local" and "9-west-1" differ.
 */
static void test_upstream_region_validator(void **state)
{
    static const struct {
        const char *region;
        bool upstream, ours;
    } cases[] = {
        {"us-east-1", true, true},          {"invalid.com", false, false},
        {"@invalid.com/%23", false, false}, {"local", true, false},
        {"9-west-1", true, false},          {"us_east_1", false, false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (eksauth_region_valid(cases[i].region, strlen(cases[i].region)) != cases[i].ours)
            fail_msg("%s: want %d", cases[i].region, (int)cases[i].ours);
    }
}

/* The cluster's own domain list: every partition's domains, no dual-stack one for ISO. */
static void test_cluster_domain(void **state)
{
    static const struct {
        const char *partition, *host;
        bool ok;
    } cases[] = {
        {"aws", "sts.us-east-1.amazonaws.com", true},
        {"aws", "sts-fips.us-east-1.api.aws", true},
        {"aws-us-gov", "sts-fips.us-gov-west-1.api.aws", true},
        {"aws-cn", "sts.cn-north-1.api.amazonwebservices.com.cn", true},
        {"aws-eusc", "sts-fips.eusc-de-east-1.api.amazonwebservices.eu", true},
        {"aws-iso", "sts-fips.us-iso-east-1.c2s.ic.gov", true},
        {"aws-iso-b", "sts.us-isob-east-1.sc2s.sgov.gov", true},
        {"aws-iso-e", "sts.eu-isoe-west-1.cloud.adc-e.uk", true},
        {"aws-iso-f", "sts.us-isof-south-1.csp.hci.ic.gov", true},
        /* The SDK makes these; the cluster lists no dual-stack domain for ISO. */
        {"aws-iso", "sts.us-iso-east-1.api.aws.ic.gov", false},
        {"aws-iso-b", "sts-fips.us-isob-east-1.api.aws.scloud", false},
        {"aws-iso-e", "sts.eu-isoe-west-1.api.cloud-aws.adc-e.uk", false},
        {"aws-iso-f", "sts.us-isof-south-1.api.aws.hci.ic.gov", false},
        /* The domain is what follows exactly two labels. */
        {"aws", "sts.amazonaws.com", false},
        {"aws", "sts.x.us-east-1.amazonaws.com", false},
        {"aws", "sts.us-east-1.amazonaws.com.cn", false},
        {"aws-cn", "sts.cn-north-1.amazonaws.com", false},
        {"aws", "sts", false},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (eksauth_partition_cluster_domain(eksauth_partition_find(cases[i].partition),
                                             cases[i].host) != cases[i].ok)
            fail_msg("%s under %s: want %s", cases[i].host, cases[i].partition,
                     cases[i].ok ? "taken" : "refused");
    }
    assert_false(eksauth_partition_cluster_domain(NULL, "sts.us-east-1.amazonaws.com"));
    assert_false(eksauth_partition_cluster_domain(eksauth_partition_find("aws"), NULL));
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_find_is_exact), cmocka_unit_test(test_partition_of_region),
                  cmocka_unit_test(test_sts_hosts), cmocka_unit_test(test_region_valid),
                  cmocka_unit_test(test_upstream_region_validator),
                  cmocka_unit_test(test_sts_host_listed), cmocka_unit_test(test_cluster_domain))
