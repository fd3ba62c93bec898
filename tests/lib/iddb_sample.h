/*
 * iddb_sample.h - the identity DB the unit tests of lib/iddb*.c share: two
 * users (a static one and a recorded templated login), two served groups,
 * the users' group, a group_map group, a template and two denied names.
 */
#ifndef EKSAUTH_TEST_IDDB_SAMPLE_H
#define EKSAUTH_TEST_IDDB_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/iddb.h"

#define LO        1900000000u
#define HI        1999999999u
#define USERS_GID (LO + 5) /* eks-users, every user's primary group */

/*
 * A builder of params p with the sample's groups alone: eks-users
 * (USERS_GID), eks-system-masters (LO+10, k8s system:masters), eks-devs
 * (LO+11, k8s devs) and the local wheel (10).
 */
struct eksauth_iddb_builder *iddb_sample_groups(const struct eksauth_iddb_params *p);

/*
 * Those groups and build (uid LO+100; eks-system-masters LO+10, eks-devs LO+11), admin-alice
 * (uid LO+50, templated; eks-devs, the local wheel 10), eks-users
 * (USERS_GID), template admin:{{SessionName}}, denied postgres and
 * admin-root.  The test fails when it cannot be built.
 */
struct eksauth_iddb_builder *iddb_sample_builder(void);

/* The sample serialised (free it). */
void *iddb_sample_bytes(size_t *len);

/* b serialised and opened from memory; *data (free it after closing) holds the bytes. */
struct eksauth_iddb *iddb_sample_open(const struct eksauth_iddb_builder *b, void **data);

/*
 * The image of n users user0, user1, ... (uid HI - 7 i, the users' group
 * LO+1) in one group eks-all (LO+2), the builder reserved for
 * reserve_users users and reserve_groups groups after the first `after`
 * users (UINT32_MAX: never); the test fails when a name or id added before
 * the reserve is no longer refused as present.  Free it.
 */
void *iddb_sample_many(uint32_t n, uint32_t after, size_t reserve_users, size_t reserve_groups,
                       size_t *len);

#endif
