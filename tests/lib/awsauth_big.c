/*
 * awsauth_big.c - a generated aws-auth ConfigMap of many entries (see awsauth_big.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "awsauth_big.h"

char *awsauth_big_configmap(size_t n, size_t accounts, size_t *len)
{
    size_t cap = n * 200 + 256, used = 0, i;
    char *buf = malloc(cap);

    if (buf == NULL)
        return NULL;
    used += (size_t)snprintf(buf, cap,
                             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n"
                             "data:\n  mapRoles: |\n");
    for (i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used,
                                 "    - rolearn: arn:aws:iam::%012zu:role/Role%zu\n"
                                 "      username: user-%zu\n"
                                 "      groups:\n"
                                 "        - group-%zu\n"
                                 "        - system:authenticated\n",
                                 AWSAUTH_BIG_ACCOUNT(i, accounts), i, i, i);
    /* 200 bytes an entry is room for the longest: never cut, but never past the buffer. */
    if (used >= cap) {
        free(buf);
        return NULL;
    }
    *len = used;
    return buf;
}
