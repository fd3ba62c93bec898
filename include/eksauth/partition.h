/*
 * partition.h - the AWS partitions, the regions each one claims and the STS
 * host names the AWS SDK can produce in each (docs/token-rules.md, "Hosts").
 * The table is generated from botocore's data (lib/partition_data.c, by
 * lib/partition_data.py); this header and lib/partition.c read it.  Pure.
 */
#ifndef EKSAUTH_PARTITION_H
#define EKSAUTH_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

/* The four endpoint variants the SDK resolves STS to. */
enum eksauth_sts_variant {
    EKSAUTH_STS_PLAIN,
    EKSAUTH_STS_FIPS,
    EKSAUTH_STS_DUALSTACK,
    EKSAUTH_STS_FIPS_DUALSTACK,
    EKSAUTH_STS_VARIANTS
};

/* One variant's host: before + region + after ("sts-fips." "us-east-1" ".api.aws"). */
struct eksauth_sts_host_form {
    const char *before; /* NULL when the SDK gives this variant no host in the partition */
    const char *after;
};

struct eksauth_partition {
    const char *name;         /* "aws", "aws-cn", ... */
    const char *region_regex; /* as AWS's data writes it, for messages */
    /*
     * The regex's literal prefixes, '|'-separated ("us|eu|ap|..."): a region
     * of the partition is PREFIX-W-D, W letters, digits or '_', D digits.
     */
    const char *region_prefixes;
    const char *domain;           /* DNS suffix: "amazonaws.com" */
    const char *dualstack_domain; /* "api.aws", or NULL when the partition has none */
    struct eksauth_sts_host_form sts_hosts[EKSAUTH_STS_VARIANTS];
    const char *global_host;    /* "sts.amazonaws.com" for aws; NULL elsewhere */
    const char *global_region;  /* the global host's signing region ("us-east-1") */
    const char *const *regions; /* the regions AWS's data lists, NULL-terminated */
    /* The FIPS and dual-stack STS hosts endpoints.json lists at those regions, NULL-terminated. */
    const char *const *listed_hosts;
};

/* The partitions in the order of AWS's data (which decides a region's partition). */
extern const struct eksauth_partition eksauth_partition_table[];
extern const size_t eksauth_partition_count;

/* The partition called name (exact, case-sensitive), or NULL. */
const struct eksauth_partition *eksauth_partition_find(const char *name);
const struct eksauth_partition *eksauth_partition_find_n(const char *name, size_t len);

/*
 * The partition region[0..len) belongs to, as the SDK decides it: the first
 * whose region regex matches.  NULL when none does (the SDK would then fall
 * back to aws: eksauth_sigv4_sts_host does, a host check does not).
 */
const struct eksauth_partition *eksauth_partition_of_region(const char *region, size_t len);

enum eksauth_sts_host_match {
    EKSAUTH_STS_HOST_OK,         /* a host the SDK can produce for p and one of its regions */
    EKSAUTH_STS_HOST_UNKNOWN,    /* none of p's forms */
    EKSAUTH_STS_HOST_NOT_REGION, /* one of p's forms, around a label that is no region name */
    EKSAUTH_STS_HOST_FOREIGN,    /* one of p's forms, around a region p does not claim */
};

/*
 * Whether host is an STS host the SDK can produce for partition p: one of
 * p's four variant forms around a region label that eksauth_region_valid
 * accepts and whose partition (eksauth_partition_of_region) is p.  *region
 * and *region_len get the label (for OK, NOT_REGION and FOREIGN).  The
 * global host is not matched here.
 */
enum eksauth_sts_host_match eksauth_partition_sts_host(const struct eksauth_partition *p,
                                                       const char *host, const char **region,
                                                       size_t *region_len);

/*
 * Whether the cluster's authenticator takes host's domain for partition p:
 * what follows host's first two labels (service, region) is p's domain or
 * its dual-stack domain in the authenticator's own list, which is not the
 * SDK's: it has no dual-stack domain for the ISO partitions, so it refuses
 * every dual-stack host there that the SDK makes.  Hand-written beside the
 * generated table (lib/partition.c); false for a partition it lacks.
 */
bool eksauth_partition_cluster_domain(const struct eksauth_partition *p, const char *host);

/*
 * Whether AWS's data lists region (exact) in any partition.  A host check
 * never asks (the cluster takes any label of a region's shape, and a region
 * newer than the data must keep working); a failed STS call does (lib/sts.c).
 */
bool eksauth_region_listed(const char *region);

/*
 * Whether AWS's data says STS answers at host (exact): a partition's global
 * host, its plain form around a region it lists, or a FIPS or dual-stack
 * host it lists (listed_hosts: sts-fips.us-east-1.amazonaws.com).  The
 * SDK's rules make the FIPS and dual-stack forms for every region, whether
 * or not STS is served there (sts-fips.eu-west-1.amazonaws.com): like an
 * unlisted region, such a name may not resolve at all.  A host check never
 * asks; a failed STS call does (lib/sts.c).
 */
bool eksauth_sts_host_listed(const char *host);

/*
 * True when s[0..len) has the shape of a real region name: "us-east-1",
 * "ap-southeast-2", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1".
 */
bool eksauth_region_valid(const char *s, size_t len);

#endif
