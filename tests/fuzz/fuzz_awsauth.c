/*
 * fuzz_awsauth.c - libFuzzer target: aws-auth parsing (YAML ConfigMap, JSON
 * ConfigMap, bare mapRoles/mapUsers/mapAccounts file: the form is detected
 * from the bytes), then for every entry a lookup and the rendering of its
 * username and groups for principals with hostile session names, then the
 * POSIX names those give.  Promises checked: warnings and errors are single
 * lines; a found entry is the one looked up; a rendered login or group is a
 * valid POSIX name with none of ':' ',' newline (SECURITY.md, "Invariants").
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/names.h"
#include "eksauth/template.h"
#include "fuzz.h"

/* A principal looked up in every mapAccounts entry's account (its key: lower case). */
#define ACCOUNT_PROBE "arn:aws:iam::000000000000:user/nobody"

#define MAX_ENTRIES 32

/* Session names an attacker who may assume a role can choose (STS allows [\w+=,.@-]{2,64}). */
static const char *const sessions[] = {
    "alice",   "bob@example.com",
    "a,b=c+d", "..",
    "root",    "x-------------------------------------------------------------y",
};

static void check_posix(const char *k8s_username, char *const *groups, size_t n_groups)
{
    char name[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err;

    if (eksauth_names_login(k8s_username, name, &err) == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_names_valid(name));
        FUZZ_ASSERT(strpbrk(name, ":,\n") == NULL);
    } else {
        fuzz_check_message(err.msg);
    }
    for (size_t i = 0; i < n_groups; i++) {
        if (eksauth_names_group(groups[i], NULL, name, &err) == EKSAUTH_OK) {
            FUZZ_ASSERT(eksauth_names_valid(name));
            FUZZ_ASSERT(strncmp(name, EKSAUTH_GROUP_PREFIX, strlen(EKSAUTH_GROUP_PREFIX)) == 0);
        } else {
            fuzz_check_message(err.msg);
        }
    }
}

/* Map one principal whose ARN is arn; the identity, when found, must come from e's table. */
static void map_one(const struct eksauth_awsauth *aa, const char *arn, const char *session)
{
    struct eksauth_principal p = {arn, NULL, NULL, session, "ASIAFUZZFUZZFUZZ0001", NULL, NULL};
    struct eksauth_k8s_identity id;
    struct eksauth_error err;
    enum eksauth_status st;

    st = eksauth_awsauth_map(aa, &p, &id, &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(id.username != NULL && id.entry != NULL);
        FUZZ_ASSERT(id.n_groups == 0 || id.groups != NULL);
        check_posix(id.username, id.groups, id.n_groups);
    } else {
        fuzz_check_message(err.msg);
    }
    eksauth_k8s_identity_free(&id);
}

/*
 * Whether an entry skipped here that the cluster keeps holds key (lookup
 * stops there: awsauth.h), a mapRoles one only or one of either list.
 */
static bool held(const struct eksauth_awsauth *aa, const char *key, bool roles_only)
{
    const struct eksauth_awsauth_entry *h;

    for (size_t i = 0; i < eksauth_awsauth_ignored_count(aa); i++) {
        h = eksauth_awsauth_ignored_at(aa, i);
        if ((h->source == EKSAUTH_SRC_MAPROLES || !roles_only) && eksauth_awsauth_entry_holds(h) &&
            strcmp(h->key, key) == 0)
            return true;
    }
    return false;
}

static void try_entry(const struct eksauth_awsauth *aa, const struct eksauth_awsauth_entry *e)
{
    static struct eksauth_arn arn; /* 6 KiB */
    char buf[EKSAUTH_ARN_MAX + 160];
    const struct eksauth_awsauth_entry *found;
    const char *slash;

    FUZZ_ASSERT(e->key != NULL && e->arn != NULL);
    if (e->source == EKSAUTH_SRC_MAPACCOUNTS) {
        /* Any principal of the account reaches it, unless an entry holds that principal. */
        found = eksauth_awsauth_lookup(aa, ACCOUNT_PROBE, e->key);
        FUZZ_ASSERT(found != NULL || held(aa, ACCOUNT_PROBE, false));
        snprintf(buf, sizeof(buf), "arn:aws:iam::%s:user/someone", e->key);
        map_one(aa, buf, NULL);
        return;
    }
    FUZZ_ASSERT(e->username != NULL);
    FUZZ_ASSERT(e->n_groups == 0 || e->groups != NULL);
    found = eksauth_awsauth_lookup(aa, e->key, NULL);
    /* A mapRoles entry the cluster keeps, skipped here, holds the key: mapUsers is not reached. */
    if (e->source == EKSAUTH_SRC_MAPUSERS && held(aa, e->key, true)) {
        FUZZ_ASSERT(found == NULL);
        return;
    }
    /* mapRoles wins over mapUsers for one key, and the last duplicate wins. */
    FUZZ_ASSERT(found != NULL && strcmp(found->key, e->key) == 0);
    if (eksauth_arn_parse(e->key, &arn, NULL) != EKSAUTH_OK)
        return;
    if (arn.type == EKSAUTH_ARN_ROLE) {
        slash = strrchr(arn.resource, '/');
        for (size_t i = 0; i < sizeof(sessions) / sizeof(sessions[0]); i++) {
            snprintf(buf, sizeof(buf), "arn:%s:sts::%s:assumed-role/%s/%s", arn.partition,
                     arn.account, slash != NULL ? slash + 1 : arn.resource, sessions[i]);
            map_one(aa, buf, sessions[i]);
        }
    } else {
        map_one(aa, e->key, NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    size_t n, i;

    if (eksauth_awsauth_parse((const char *)data, size, &aa, &err) != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(aa == NULL);
        return 0;
    }
    for (i = 0; i < eksauth_awsauth_warning_count(aa); i++)
        fuzz_check_message(eksauth_awsauth_warning_at(aa, i));
    n = eksauth_awsauth_count(aa);
    for (i = 0; i < n && i < MAX_ENTRIES; i++)
        try_entry(aa, eksauth_awsauth_entry_at(aa, i));
    FUZZ_ASSERT(eksauth_awsauth_entry_at(aa, n) == NULL);
    eksauth_awsauth_free(aa);
    return 0;
}
