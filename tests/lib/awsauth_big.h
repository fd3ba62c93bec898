/*
 * awsauth_big.h - a generated aws-auth ConfigMap of many mapRoles entries,
 * the same for the unit test that maps every entry (tests/unit/test_awsauth.c)
 * and the parse and lookup benchmark (bench/bench_awsauth.c).
 *
 * Entry i (0-based) starts on line 7 + 5 * i, column 7: role Role<i> of
 * account AWSAUTH_BIG_ACCOUNT(i, accounts), username user-<i>, groups
 * group-<i> and system:authenticated.
 */
#ifndef EKSAUTH_TEST_AWSAUTH_BIG_H
#define EKSAUTH_TEST_AWSAUTH_BIG_H

#include <stddef.h>

/* The account of entry i, as a number: print it with %012zu. */
#define AWSAUTH_BIG_ACCOUNT(i, accounts) ((size_t)100000000000 + (i) % (accounts))

/* The ConfigMap of n entries over that many accounts (malloc'd, *len bytes); NULL if out of memory.
 */
char *awsauth_big_configmap(size_t n, size_t accounts, size_t *len);

#endif
