/*
 * partition.h - the AWS partitions eksauth knows, their STS domains, and the
 * shape of a region name.  Pure data; shared by the token and ARN checks.
 */
#ifndef EKSAUTH_PARTITION_H
#define EKSAUTH_PARTITION_H

#include <stdbool.h>
#include <stddef.h>

struct eksauth_partition {
    const char *name;             /* "aws", "aws-cn", ... */
    const char *domain;           /* STS domain: "amazonaws.com" */
    const char *dualstack_domain; /* "api.aws", or NULL when the partition has none */
    bool global_sts;              /* sts.amazonaws.com belongs to this partition */
};

/* The partition called name (exact, case-sensitive), or NULL. */
const struct eksauth_partition *eksauth_partition_find(const char *name);
const struct eksauth_partition *eksauth_partition_find_n(const char *name, size_t len);

/*
 * True when s[0..len) has the shape of a real region name: "us-east-1",
 * "ap-southeast-2", "us-gov-west-1", "cn-north-1", "eu-isoe-west-1".
 */
bool eksauth_region_valid(const char *s, size_t len);

#endif
