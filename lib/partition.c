/*
 * partition.c - AWS partitions and region names (token-rules.md §2.1).
 */
#include "config.h"

#include <string.h>

#include "eksauth/partition.h"

static const struct eksauth_partition partitions[] = {
    {"aws", "amazonaws.com", "api.aws", true},
    {"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", false},
    {"aws-us-gov", "amazonaws.com", "api.aws", false},
    {"aws-iso", "c2s.ic.gov", NULL, false},
    {"aws-iso-b", "sc2s.sgov.gov", NULL, false},
    {"aws-iso-e", "cloud.adc-e.uk", NULL, false},
    {"aws-iso-f", "csp.hci.ic.gov", NULL, false},
    {"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu", false},
};

const struct eksauth_partition *eksauth_partition_find_n(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++) {
        if (strlen(partitions[i].name) == len && memcmp(partitions[i].name, name, len) == 0)
            return &partitions[i];
    }
    return NULL;
}

const struct eksauth_partition *eksauth_partition_find(const char *name)
{
    return name != NULL ? eksauth_partition_find_n(name, strlen(name)) : NULL;
}

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/*
 * A region is two to four dash-separated groups of lower-case letters (the
 * first of two to five letters) followed by a number of one or two digits:
 * "us-east-1", "us-gov-west-1", "eu-isoe-west-1".  The shape is deliberately
 * tight: a token names the STS host it wants us to call, so anything that is
 * not a region name is refused before it becomes a host name.
 */
bool eksauth_region_valid(const char *s, size_t len)
{
    size_t i = 0, groups = 0, run;

    if (len == 0 || len > 32)
        return false;
    for (;;) {
        run = 0;
        while (i < len && is_lower(s[i])) {
            i++;
            run++;
        }
        if (run == 0)
            break;
        if (groups == 0 && (run < 2 || run > 5))
            return false;
        if (run > 10)
            return false;
        groups++;
        if (i >= len || s[i] != '-')
            return false;
        i++;
    }
    if (groups < 2 || groups > 4)
        return false;
    run = 0;
    while (i < len && is_digit(s[i])) {
        i++;
        run++;
    }
    return run >= 1 && run <= 2 && i == len;
}
