/*
 * access_policy.c - EKS access policies as groups (see access_policy.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/access_policy.h"
#include "eksauth/strlist.h"

#define NAME_PREFIX "AmazonEKS"
#define NAME_SUFFIX "Policy"

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* c at out[*n] when it fits (outlen - 1 bytes at most); *n counts it either way. */
static void put(char *out, size_t outlen, size_t *n, char c)
{
    if (*n < outlen - 1)
        out[*n] = c;
    (*n)++;
}

void eksauth_access_policy_free(struct eksauth_access_policy *p)
{
    if (p == NULL)
        return;
    free(p->arn);
    eksauth_strv_free(p->namespaces, p->n_namespaces);
    memset(p, 0, sizeof(*p));
}

enum eksauth_status eksauth_access_policy_name(const char *arn, char *out, size_t outlen,
                                               struct eksauth_error *err)
{
    const char *name = arn != NULL ? strrchr(arn, '/') : NULL;
    size_t len, plen = strlen(NAME_PREFIX), slen = strlen(NAME_SUFFIX), i, n = 0;

    if (outlen == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "access policy: no room for its name");
    out[0] = '\0';
    name = name != NULL ? name + 1 : arn;
    len = name != NULL ? strlen(name) : 0;
    /* AmazonEKSClusterAdminPolicy -> ClusterAdmin: the words that tell policies apart. */
    if (len > plen + slen && strncmp(name, NAME_PREFIX, plen) == 0 &&
        strcmp(name + len - slen, NAME_SUFFIX) == 0) {
        name += plen;
        len -= plen + slen;
    }
    if (len == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "access policy: %.200s has no name",
                            arn != NULL ? arn : "");
    for (i = 0; i < len; i++) {
        char c = name[i];

        /* A name that becomes a group name must be plain: AWS's are letters and digits. */
        if (!is_upper(c) && !is_lower_or_digit(c))
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "access policy: the name in %.200s is not letters and digits", arn);
        /* A new word: a capital after a small letter or digit, or ending a run of capitals. */
        if (i > 0 && is_upper(c) &&
            (is_lower_or_digit(name[i - 1]) ||
             (is_upper(name[i - 1]) && i + 1 < len && is_lower_or_digit(name[i + 1]))))
            put(out, outlen, &n, '-');
        put(out, outlen, &n, is_upper(c) ? (char)(c - 'A' + 'a') : c);
    }
    if (n >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "access policy: the name in %.200s is too long",
                            arn);
    out[n] = '\0';
    return EKSAUTH_OK;
}

/* A Kubernetes namespace name: an RFC 1123 label (lower case, digits, '-'; 63 bytes at most). */
static bool namespace_ok(const char *ns)
{
    size_t i, len = strlen(ns);

    if (len == 0 || len > 63 || ns[0] == '-' || ns[len - 1] == '-')
        return false;
    for (i = 0; i < len; i++) {
        if (!is_lower_or_digit(ns[i]) && ns[i] != '-')
            return false;
    }
    return true;
}

enum eksauth_status eksauth_access_policy_groups(const struct eksauth_access_policy *p,
                                                 char ***groups, size_t *n,
                                                 struct eksauth_error *err)
{
    char name[128];
    enum eksauth_status st;
    size_t i;

    st = eksauth_access_policy_name(p->arn, name, sizeof(name), err);
    if (st != EKSAUTH_OK)
        return st;
    if (p->cluster_scope)
        return eksauth_strv_addf(groups, n, err, EKSAUTH_POLICY_GROUP_PREFIX "%s", name);
    for (i = 0; i < p->n_namespaces; i++) {
        /* The namespace goes into a group name: only what Kubernetes allows in one. */
        if (!namespace_ok(p->namespaces[i]))
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "access policy %s: namespace \"%.63s\" is not a namespace name",
                                name, p->namespaces[i]);
        st = eksauth_strv_addf(groups, n, err, EKSAUTH_POLICY_GROUP_PREFIX "%s:ns:%s", name,
                               p->namespaces[i]);
        if (st != EKSAUTH_OK)
            return st;
    }
    return EKSAUTH_OK;
}

bool eksauth_access_policy_group_taken(const char *group)
{
    static const char word[] = "policy";
    size_t i;

    for (i = 0; i < sizeof(word) - 1; i++) {
        char c = group[i];

        if (c == '\0' || (is_upper(c) ? (char)(c - 'A' + 'a') : c) != word[i])
            return false;
    }
    /* The POSIX name folds every byte but [A-Za-z0-9._-] to '-'. */
    return group[i] != '\0' && !is_lower_or_digit(group[i]) && !is_upper(group[i]) &&
           group[i] != '.' && group[i] != '_';
}
