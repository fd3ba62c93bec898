/*
 * test_partition_data.c - lib/partition_data.c: the partition table
 * lib/partition_data.py generates from botocore's data, as it stands
 * today, and the invariants any regeneration must keep: each partition
 * found by its name; each region listed once, of a region's shape, in the
 * partition that owns it by the SDK's rule; each STS host form one label
 * around the region in its partition's own domain; each host accepted
 * under exactly one partition, with its own region; the global host a
 * region's of its partition, no regional form's; each listed FIPS or
 * dual-stack host one its own partition alone accepts.  That the table is
 * botocore's: tests/integration/partition_data.sh.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/partition.h"
#include "unit.h"

static void assert_partition(const char *name, const char *domain, const char *dualstack,
                             const char *global_host)
{
    const struct eksauth_partition *p = eksauth_partition_find(name);

    assert_non_null(p);
    assert_string_equal(p->name, name);
    assert_string_equal(p->domain, domain);
    assert_string_equal(p->dualstack_domain, dualstack);
    if (global_host == NULL) {
        assert_null(p->global_host);
    } else {
        assert_string_equal(p->global_host, global_host);
        assert_string_equal(p->global_region, "us-east-1");
    }
}

/* The generated table (lib/partition_data.c) as botocore's data has it today. */
static void test_table(void **state)
{
    (void)state;
    assert_int_equal(eksauth_partition_count, 8);
    assert_partition("aws", "amazonaws.com", "api.aws", "sts.amazonaws.com");
    assert_partition("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", NULL);
    assert_partition("aws-us-gov", "amazonaws.com", "api.aws", NULL);
    assert_partition("aws-iso", "c2s.ic.gov", "api.aws.ic.gov", NULL);
    assert_partition("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud", NULL);
    assert_partition("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk", NULL);
    assert_partition("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov", NULL);
    assert_partition("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", NULL);
    /* GovCloud's FIPS endpoint is its plain one: the SDK never makes sts-fips.<gov region>. */
    assert_string_equal(eksauth_partition_find("aws-us-gov")->sts_hosts[EKSAUTH_STS_FIPS].before,
                        "sts.");
    assert_string_equal(eksauth_partition_find("aws")->sts_hosts[EKSAUTH_STS_FIPS].before,
                        "sts-fips.");
}

/* Each partition is the one its name finds (a name used twice would find the first). */
static void test_partitions_named_once(void **state)
{
    size_t i;

    (void)state;
    assert_true(eksauth_partition_count > 0);
    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        assert_non_null(p->name);
        if (eksauth_partition_find(p->name) != p)
            fail_msg("partition %zu: its name %s finds another", i, p->name);
        assert_non_null(p->domain);
        assert_non_null(p->region_prefixes);
        assert_non_null(p->regions);
        assert_non_null(p->regions[0]);
        /* Every partition has a plain STS host: the one a token is minted for (lib/sigv4.c). */
        assert_non_null(p->sts_hosts[EKSAUTH_STS_PLAIN].before);
    }
}

/* The partition holding region in the table's lists, and how many list it. */
static const struct eksauth_partition *listed_in(const char *region, unsigned *times)
{
    const struct eksauth_partition *found = NULL;
    const char *const *r;
    size_t i;

    *times = 0;
    for (i = 0; i < eksauth_partition_count; i++)
        for (r = eksauth_partition_table[i].regions; *r != NULL; r++)
            if (strcmp(*r, region) == 0) {
                found = &eksauth_partition_table[i];
                (*times)++;
            }
    return found;
}

/*
 * Each region is listed once, has a region's shape, and is owned (the
 * SDK's rule: the first partition whose regex matches) by the partition
 * that lists it: a host check takes the partition from the region.
 */
static void test_regions_in_their_partition(void **state)
{
    const struct eksauth_partition *p, *owner;
    const char *const *r;
    unsigned times;
    size_t i;

    (void)state;
    for (i = 0; i < eksauth_partition_count; i++) {
        p = &eksauth_partition_table[i];
        for (r = p->regions; *r != NULL; r++) {
            if (!eksauth_region_valid(*r, strlen(*r)))
                fail_msg("%s (%s) has no region's shape", *r, p->name);
            owner = eksauth_partition_of_region(*r, strlen(*r));
            if (owner != p)
                fail_msg("%s is listed in %s but belongs to %s", *r, p->name,
                         owner != NULL ? owner->name : "no partition");
            if (listed_in(*r, &times) != p || times != 1)
                fail_msg("%s is listed %u times", *r, times);
            assert_true(eksauth_region_listed(*r));
        }
    }
}

/* s ends with "." + domain. */
static bool under_domain(const char *s, const char *domain)
{
    size_t n = strlen(s), d = strlen(domain);

    return n == d + 1 && s[0] == '.' && strcmp(s + 1, domain) == 0;
}

/*
 * Each host form is one label ("sts.", "sts-fips.") before the region and
 * the partition's own domain after it: plain and FIPS in its domain, the
 * dual-stack ones in its dual-stack domain.
 */
static void test_host_forms_in_own_domain(void **state)
{
    size_t i, v;

    (void)state;
    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        for (v = 0; v < EKSAUTH_STS_VARIANTS; v++) {
            const struct eksauth_sts_host_form *f = &p->sts_hosts[v];
            bool dualstack = v == EKSAUTH_STS_DUALSTACK || v == EKSAUTH_STS_FIPS_DUALSTACK;
            const char *domain = dualstack ? p->dualstack_domain : p->domain;

            if (f->before == NULL)
                continue;
            if (strlen(f->before) < 2 ||
                strchr(f->before, '.') != f->before + strlen(f->before) - 1)
                fail_msg("%s variant %zu: \"%s\" is not one label", p->name, v, f->before);
            if (domain == NULL || !under_domain(f->after, domain))
                fail_msg("%s variant %zu: \"%s\" is not its domain %s", p->name, v, f->after,
                         domain != NULL ? domain : "(none)");
        }
    }
}

/* host: lower-case letters, digits, '-' and '.', labels of 1 to 63 bytes. */
static bool dns_name(const char *host)
{
    size_t label = 0;
    const char *c;

    for (c = host; *c != '\0'; c++) {
        if (*c == '.') {
            if (label == 0)
                return false;
            label = 0;
        } else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-') {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && c - host <= 253;
}

/* How many partitions accept host as one of their STS hosts; *by the last, *label its region. */
static unsigned accepted_by(const char *host, const struct eksauth_partition **by,
                            const char **label, size_t *len)
{
    const char *l;
    size_t i, n_l;
    unsigned n = 0;

    for (i = 0; i < eksauth_partition_count; i++) {
        if (eksauth_partition_sts_host(&eksauth_partition_table[i], host, &l, &n_l) !=
            EKSAUTH_STS_HOST_OK)
            continue;
        n++;
        *by = &eksauth_partition_table[i];
        *label = l;
        *len = n_l;
    }
    return n;
}

/*
 * Every host of every listed region, in every variant, is a DNS name that
 * exactly one partition accepts, its own, and with its own region: no
 * partition's token can name another's STS (docs/token-rules.md, "Hosts").
 */
static void test_every_host_in_one_partition(void **state)
{
    const struct eksauth_partition *p, *by = NULL;
    const char *const *r, *label = NULL;
    char host[256];
    size_t i, v, len = 0;
    unsigned n;

    (void)state;
    for (i = 0; i < eksauth_partition_count; i++) {
        p = &eksauth_partition_table[i];
        for (r = p->regions; *r != NULL; r++) {
            for (v = 0; v < EKSAUTH_STS_VARIANTS; v++) {
                if (p->sts_hosts[v].before == NULL)
                    continue;
                snprintf(host, sizeof(host), "%s%s%s", p->sts_hosts[v].before, *r,
                         p->sts_hosts[v].after);
                if (!dns_name(host))
                    fail_msg("%s is no DNS name", host);
                n = accepted_by(host, &by, &label, &len);
                if (n != 1 || by != p)
                    fail_msg("%s (%s) is accepted under %u partitions, the last %s", host, p->name,
                             n, n > 0 ? by->name : "none");
                if (len != strlen(*r) || memcmp(label, *r, len) != 0)
                    fail_msg("%s is accepted as region %.*s", host, (int)len, label);
            }
        }
    }
}

/*
 * A global host names its partition's signing region, a region it lists,
 * in its domain; and it is no regional form's host, so a check that
 * accepts it does so for itself (lib/token.c), never as some region's.
 */
static void test_global_host(void **state)
{
    const struct eksauth_partition *by;
    const char *label;
    unsigned times, globals = 0;
    size_t i, n, len;

    (void)state;
    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        if (p->global_host == NULL) {
            assert_null(p->global_region);
            continue;
        }
        globals++;
        assert_non_null(p->global_region);
        if (listed_in(p->global_region, &times) != p)
            fail_msg("%s: global region %s is not one of its own", p->name, p->global_region);
        n = strlen(p->global_host);
        if (n <= strlen(p->domain) ||
            !under_domain(p->global_host + n - strlen(p->domain) - 1, p->domain))
            fail_msg("%s: global host %s is not in %s", p->name, p->global_host, p->domain);
        assert_true(dns_name(p->global_host));
        if (accepted_by(p->global_host, &by, &label, &len) != 0)
            fail_msg("%s: global host %s is a regional form's", p->name, p->global_host);
    }
    assert_true(globals > 0);
}

/*
 * The FIPS and dual-stack hosts AWS lists (listed_hosts) are hosts the check
 * accepts under their own partition alone, at one of its listed regions,
 * and no plain host (those count anyway): a listed host the check refused
 * would be dead data, and one of another partition would make its outage
 * "unavailable" here.
 */
static void test_listed_hosts(void **state)
{
    const struct eksauth_partition *by = NULL;
    const char *const *h, *label = NULL;
    unsigned times, listed = 0;
    char region[64];
    size_t i, len = 0;

    (void)state;
    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        assert_non_null(p->listed_hosts);
        for (h = p->listed_hosts; *h != NULL; h++, listed++) {
            if (accepted_by(*h, &by, &label, &len) != 1 || by != p)
                fail_msg("%s: listed host %s is not accepted under it alone", p->name, *h);
            snprintf(region, sizeof(region), "%.*s", (int)len, label);
            if (listed_in(region, &times) != p)
                fail_msg("%s: listed host %s is at no region it lists", p->name, *h);
            if (strncmp(*h, p->sts_hosts[EKSAUTH_STS_PLAIN].before,
                        strlen(p->sts_hosts[EKSAUTH_STS_PLAIN].before)) == 0 &&
                strcmp(*h + strlen(*h) - strlen(p->sts_hosts[EKSAUTH_STS_PLAIN].after),
                       p->sts_hosts[EKSAUTH_STS_PLAIN].after) == 0)
                fail_msg("%s: listed host %s is a plain one", p->name, *h);
            assert_true(eksauth_sts_host_listed(*h));
        }
    }
    /* Today's data: FIPS STS in four US regions of aws. */
    assert_int_equal(listed, 4);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_table), cmocka_unit_test(test_partitions_named_once),
                  cmocka_unit_test(test_regions_in_their_partition),
                  cmocka_unit_test(test_host_forms_in_own_domain),
                  cmocka_unit_test(test_every_host_in_one_partition),
                  cmocka_unit_test(test_global_host), cmocka_unit_test(test_listed_hosts))
