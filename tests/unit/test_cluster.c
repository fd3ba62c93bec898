/*
 * test_cluster.c - the aws-auth + access entries merge of lib/cluster.c
 * (access entries win; bad entries become warnings).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/awsauth.h"
#include "eksauth/cluster.h"

#define assert_status(x, want) assert_int_equal((int)(x), (int)(want))

static const char cm[] =
    "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"aws-auth\","
    "\"namespace\":\"kube-system\",\"resourceVersion\":\"4242\"},\"data\":{\"mapRoles\":"
    "\"- rolearn: arn:aws:iam::111122223333:role/ops\\n  username: ops\\n  groups:\\n"
    "    - ops-team\\n- rolearn: arn:aws:iam::111122223333:role/dev\\n  username: old-dev\\n\","
    "\"mapAccounts\":\"- \\\"444455556666\\\"\\n\"}}";

static void test_merge(void **state)
{
    char *g_dev[] = {"new-devs"};
    struct eksauth_access_entry entries[] = {
        {"arn:aws:iam::111122223333:role/team/dev", NULL, g_dev, 1, "STANDARD"},
        {"arn:aws:iam::111122223333:user/bob", "bob", NULL, 0, "STANDARD"},
        {"arn:aws:sts::111122223333:assumed-role/x/y", NULL, NULL, 0, "STANDARD"},
    };
    const struct eksauth_awsauth_entry *en;
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char **warnings = NULL, *doc = NULL;
    size_t nw = 0, len = 0, i;
    int dev_seen = 0;

    (void)state;
    /* kubernetes+eks-api: the access entry for role dev wins over aws-auth's. */
    assert_status(
        eksauth_cluster_merge(cm, strlen(cm), entries, 3, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 4); /* dev, bob (entries), ops, 1 account */
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        en = eksauth_awsauth_entry_at(aa, i);
        /* The access entry's role path is gone: EKS matches the role whatever its path. */
        assert_null(strstr(en->arn, "role/team/"));
        if (strcmp(en->arn, "arn:aws:iam::111122223333:role/dev") == 0) {
            dev_seen++;
            assert_string_equal(en->groups[0], "new-devs");
        }
        assert_true(en->username == NULL || strcmp(en->username, "old-dev") != 0);
    }
    assert_int_equal(dev_seen, 1);
    assert_int_equal(nw, 2);
    assert_non_null(strstr(warnings[0], "not an IAM role or user ARN"));
    assert_non_null(strstr(warnings[1], "overridden by its access entry"));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);

    /* eks-api alone: only the access entries. */
    assert_status(eksauth_cluster_merge(NULL, 0, entries, 2, &doc, &len, NULL, NULL, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_count(aa), 2);
    en = eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:role/dev", "111122223333");
    assert_non_null(en);
    assert_string_equal(en->username, "arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}");
    eksauth_awsauth_free(aa);
    free(doc);
}

/*
 * A ConfigMap value the cluster drops stays named in the merged document
 * (EKSAUTH_AWSAUTH_DROPPED_KEY), so that the sync and a login that read it
 * say why; the access entries still map.
 */
static void test_merge_keeps_dropped(void **state)
{
    static const char broken[] =
        "{\"kind\":\"ConfigMap\",\"data\":{\"mapRoles\":\"- rolearn: [x\\n\","
        "\"mapUsers\":\"- userarn: arn:aws:iam::111122223333:user/carol\\n  username: carol\\n\"}}";
    struct eksauth_access_entry entries[] = {
        {"arn:aws:iam::111122223333:user/bob", "bob", NULL, 0, "STANDARD"},
    };
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_error err;
    char *doc = NULL, **warnings = NULL;
    size_t len = 0, nw = 0, i;

    (void)state;
    assert_status(
        eksauth_cluster_merge(broken, strlen(broken), entries, 1, &doc, &len, &warnings, &nw, &err),
        EKSAUTH_OK);
    assert_non_null(strstr(doc, "\"eksauthDropped\": [ \"mapRoles ("));
    assert_status(eksauth_awsauth_parse(doc, len, &aa, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_awsauth_dropped_count(aa), 1);
    assert_non_null(strstr(eksauth_awsauth_dropped_at(aa, 0), "mapRoles (2:1: mapRoles: did not find"));
    assert_int_equal(eksauth_awsauth_count(aa), 2); /* bob (access entry), carol (mapUsers) */
    assert_non_null(eksauth_awsauth_lookup(aa, "arn:aws:iam::111122223333:user/carol", NULL));
    /* The merge itself warned once, with the ConfigMap's own warning. */
    assert_int_equal(nw, 1);
    assert_non_null(strstr(warnings[0], "aws-auth: mapRoles dropped: "));
    for (i = 0; i < nw; i++)
        free(warnings[i]);
    free(warnings);
    eksauth_awsauth_free(aa);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_merge_keeps_dropped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
