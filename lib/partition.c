/*
 * partition.c - AWS partitions, their regions and their STS host names
 * (docs/token-rules.md, "Hosts"), read from the table lib/partition_data.py
 * generates from botocore's data.
 */
#include "config.h"

#include <string.h>

#include "eksauth/partition.h"

const struct eksauth_partition *eksauth_partition_find_n(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        if (strlen(p->name) == len && memcmp(p->name, name, len) == 0)
            return p;
    }
    return NULL;
}

const struct eksauth_partition *eksauth_partition_find(const char *name)
{
    return name != NULL ? eksauth_partition_find_n(name, strlen(name)) : NULL;
}

/* \w of the SDK's region regexes (Go's and Python's alike, ASCII): letters, digits, '_'. */
static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* s[0..len) is prefix "-" \w+ "-" \d+, the tail every partition's region regex has. */
static bool region_has_prefix(const char *s, size_t len, const char *prefix, size_t plen)
{
    size_t i, j;

    if (len <= plen + 1 || memcmp(s, prefix, plen) != 0 || s[plen] != '-')
        return false;
    for (i = plen + 1; i < len && is_word(s[i]); i++)
        ;
    if (i == plen + 1 || i >= len || s[i] != '-')
        return false;
    for (j = i + 1; j < len && s[j] >= '0' && s[j] <= '9'; j++)
        ;
    return j > i + 1 && j == len;
}

const struct eksauth_partition *eksauth_partition_of_region(const char *region, size_t len)
{
    const char *alt, *bar;
    size_t i;

    /* The SDK's order: the first partition whose regex matches owns the region. */
    for (i = 0; i < eksauth_partition_count; i++) {
        const struct eksauth_partition *p = &eksauth_partition_table[i];

        for (alt = p->region_prefixes; alt != NULL; alt = bar != NULL ? bar + 1 : NULL) {
            bar = strchr(alt, '|');
            if (region_has_prefix(region, len, alt,
                                  bar != NULL ? (size_t)(bar - alt) : strlen(alt)))
                return p;
        }
    }
    return NULL;
}

/* host is form->before + LABEL + form->after, LABEL one DNS label: *label, *label_len. */
static bool host_in_form(const struct eksauth_sts_host_form *form, const char *host,
                         const char **label, size_t *label_len)
{
    size_t hlen = strlen(host), blen, alen;

    if (form->before == NULL)
        return false;
    blen = strlen(form->before);
    alen = strlen(form->after);
    if (hlen <= blen + alen || strncmp(host, form->before, blen) != 0 ||
        strcmp(host + hlen - alen, form->after) != 0)
        return false;
    *label = host + blen;
    *label_len = hlen - blen - alen;
    return memchr(*label, '.', *label_len) == NULL;
}

enum eksauth_sts_host_match eksauth_partition_sts_host(const struct eksauth_partition *p,
                                                       const char *host, const char **region,
                                                       size_t *region_len)
{
    enum eksauth_sts_host_match best = EKSAUTH_STS_HOST_UNKNOWN, m;
    const char *label;
    size_t v, label_len;

    for (v = 0; v < EKSAUTH_STS_VARIANTS; v++) {
        if (!host_in_form(&p->sts_hosts[v], host, &label, &label_len))
            continue;
        /*
         * The SDK gives this form for the partition's own regions only: a
         * region-shaped label of another partition (sts.cn-north-1.amazonaws.com
         * under aws) is no host of this one.
         */
        if (!eksauth_region_valid(label, label_len))
            m = EKSAUTH_STS_HOST_NOT_REGION;
        else if (eksauth_partition_of_region(label, label_len) != p)
            m = EKSAUTH_STS_HOST_FOREIGN;
        else
            m = EKSAUTH_STS_HOST_OK;
        /* The most telling answer wins: OK, then FOREIGN, then NOT_REGION. */
        if (m == EKSAUTH_STS_HOST_OK || m > best) {
            best = m;
            *region = label;
            *region_len = label_len;
        }
        if (m == EKSAUTH_STS_HOST_OK)
            break;
    }
    return best;
}

/*
 * The STS domains of each partition as the cluster's authenticator lists
 * them, apart from the SDK's data (docs/token-rules.md, "Hosts"): a host it
 * takes ends, after its service and region labels, in one of them.  The
 * ISO partitions have no dual-stack domain there.
 */
static const struct {
    const char *partition, *domain, *dualstack_domain;
} cluster_domains[] = {
    {"aws", "amazonaws.com", "api.aws"},
    {"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn"},
    {"aws-us-gov", "amazonaws.com", "api.aws"},
    {"aws-iso", "c2s.ic.gov", NULL},
    {"aws-iso-b", "sc2s.sgov.gov", NULL},
    {"aws-iso-e", "cloud.adc-e.uk", NULL},
    {"aws-iso-f", "csp.hci.ic.gov", NULL},
    {"aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu"},
};

bool eksauth_partition_cluster_domain(const struct eksauth_partition *p, const char *host)
{
    const char *domain;
    size_t i;

    if (p == NULL || host == NULL || (domain = strchr(host, '.')) == NULL ||
        (domain = strchr(domain + 1, '.')) == NULL)
        return false;
    domain++;
    for (i = 0; i < sizeof(cluster_domains) / sizeof(cluster_domains[0]); i++) {
        if (strcmp(cluster_domains[i].partition, p->name) != 0)
            continue;
        return strcmp(domain, cluster_domains[i].domain) == 0 ||
               (cluster_domains[i].dualstack_domain != NULL &&
                strcmp(domain, cluster_domains[i].dualstack_domain) == 0);
    }
    return false;
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
bool eksauth_region_listed(const char *region)
{
    const char *const *r;
    size_t i;

    for (i = 0; region != NULL && i < eksauth_partition_count; i++)
        for (r = eksauth_partition_table[i].regions; r != NULL && *r != NULL; r++)
            if (strcmp(*r, region) == 0)
                return true;
    return false;
}

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

bool eksauth_sts_host_listed(const char *host)
{
    const struct eksauth_partition *p;
    const char *const *r;
    const char *label;
    size_t i, len;

    for (i = 0; host != NULL && i < eksauth_partition_count; i++) {
        p = &eksauth_partition_table[i];
        if (p->global_host != NULL && strcmp(host, p->global_host) == 0)
            return true;
        /* FIPS and dual-stack hosts only where AWS's data lists them (partition.h). */
        for (r = p->listed_hosts; r != NULL && *r != NULL; r++)
            if (strcmp(host, *r) == 0)
                return true;
        /* The plain form at every region it lists. */
        if (!host_in_form(&p->sts_hosts[EKSAUTH_STS_PLAIN], host, &label, &len))
            continue;
        for (r = p->regions; r != NULL && *r != NULL; r++)
            if (strlen(*r) == len && memcmp(*r, label, len) == 0)
                return true;
    }
    return false;
}
