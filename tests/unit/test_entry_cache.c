/*
 * test_entry_cache.c - the access entries a host read (lib/entry_cache.c):
 * the file's JSON round trip (no username, groups, policies of both scopes,
 * modifiedAt, when read) read back through the EKS API's own parsers, and
 * written whole or not at all when memory runs out; bad files refused; what a sync reads (new
 * entries first in list order, then those older than access_entry_max_age, oldest first; all of
 * them at 0); entries EKS no longer lists dropped; a cache of another cluster (or of none named)
 * is no cache; and the file itself: missing is empty, untrusted
 * or corrupt is empty with a reason, written 0600.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "scratch.h"
#include "eksauth/entry_cache.h"
#include "eksauth/strlist.h"

#define ARN(n) "arn:aws:iam::111122223333:user/" n
#define DEV    "cluster_name dev at eks.us-east-1.amazonaws.com"
#define PROD   "cluster_name prod at eks.us-east-1.amazonaws.com"

/* c, of cluster (as a sync binds it before it reads). */
static void of_cluster(struct eksauth_entry_cache *c, const char *cluster)
{
    struct eksauth_error err;
    char was[64];
    bool dropped;

    assert_int_equal(eksauth_entry_cache_bind(c, cluster, &dropped, was, sizeof(was), &err),
                     EKSAUTH_OK);
}

/* An entry as DescribeAccessEntry and ListAssociatedAccessPolicies give it. */
static void entry(struct eksauth_access_entry *e, const char *arn, const char *username,
                  double modified_at)
{
    struct eksauth_error err;

    memset(e, 0, sizeof(*e));
    e->principal_arn = strdup(arn);
    e->username = username != NULL ? strdup(username) : NULL;
    e->type = strdup("STANDARD");
    e->modified_at = modified_at;
    assert_int_equal(eksauth_strv_add(&e->groups, &e->n_groups, "devs", &err), EKSAUTH_OK);
}

static void put(struct eksauth_entry_cache *c, const char *arn, long long read_at)
{
    struct eksauth_access_entry e;
    struct eksauth_error err;

    entry(&e, arn, NULL, 0);
    assert_int_equal(eksauth_entry_cache_put(c, &e, read_at, &err), EKSAUTH_OK);
    assert_null(e.principal_arn); /* taken over */
}

static void test_round_trip(void **state)
{
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_access_entry e;
    struct eksauth_cached_entry *ce;
    struct eksauth_error err;
    char *text = NULL;
    size_t len = 0;

    (void)state;
    of_cluster(&c, DEV);
    entry(&e, ARN("alice"), "alice", 1767225600.5);
    e.policies = calloc(2, sizeof(*e.policies));
    e.n_policies = 2;
    e.policies[0].arn =
        strdup("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    e.policies[0].cluster_scope = true;
    e.policies[1].arn = strdup("arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy");
    assert_int_equal(
        eksauth_strv_add(&e.policies[1].namespaces, &e.policies[1].n_namespaces, "dev", &err),
        EKSAUTH_OK);
    assert_int_equal(eksauth_entry_cache_put(&c, &e, 1764500000, &err), EKSAUTH_OK);
    put(&c, ARN("bob"), 1764500100);
    assert_true(c.dirty);
    assert_int_equal(eksauth_entry_cache_format(&c, &text, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_entry_cache_parse(text, len, &back, &err), EKSAUTH_OK);
    assert_false(back.dirty);
    assert_string_equal(back.cluster, DEV);
    assert_int_equal(back.n, 2);
    ce = eksauth_entry_cache_find(&back, ARN("alice"));
    assert_non_null(ce);
    assert_int_equal(ce->read_at, 1764500000);
    assert_string_equal(ce->entry.username, "alice");
    assert_string_equal(ce->entry.type, "STANDARD");
    assert_int_equal(ce->entry.n_groups, 1);
    assert_true(ce->entry.modified_at == 1767225600.5);
    assert_int_equal(ce->entry.n_policies, 2);
    assert_true(ce->entry.policies[0].cluster_scope);
    assert_false(ce->entry.policies[1].cluster_scope);
    assert_string_equal(ce->entry.policies[1].namespaces[0], "dev");
    /* No username is none, not "": EKS's default applies. */
    ce = eksauth_entry_cache_find(&back, ARN("bob"));
    assert_non_null(ce);
    assert_null(ce->entry.username);
    assert_null(eksauth_entry_cache_find(&back, ARN("carol")));
    free(text);
    eksauth_entry_cache_free(&back);
    eksauth_entry_cache_free(&c);
}

/*
 * json-c's constructors wrapped (-Wl,--wrap, mk/tests.am): while
 * json_fail_at is n > 0, the nth call from here on fails (out of memory).
 */
static unsigned json_fail_at;
struct json_object *__real_json_object_new_object(void);
struct json_object *__wrap_json_object_new_object(void);
struct json_object *__real_json_object_new_array(void);
struct json_object *__wrap_json_object_new_array(void);
struct json_object *__real_json_object_new_string(const char *s);
struct json_object *__wrap_json_object_new_string(const char *s);

static bool json_fails(void)
{
    return json_fail_at > 0 && --json_fail_at == 0;
}

struct json_object *__wrap_json_object_new_object(void)
{
    return json_fails() ? NULL : __real_json_object_new_object();
}

struct json_object *__wrap_json_object_new_array(void)
{
    return json_fails() ? NULL : __real_json_object_new_array();
}

struct json_object *__wrap_json_object_new_string(const char *s)
{
    return json_fails() ? NULL : __real_json_object_new_string(s);
}

/*
 * Out of memory anywhere in writing the cache is ENOMEM, never a cache
 * that reads back without a policy, a namespace or a group: a policy or a
 * group that could not be made was left out, and the rest written as if
 * whole, for logins to be mapped from until the entry was read again.
 */
static void test_format_whole_or_nothing(void **state)
{
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_access_entry e;
    struct eksauth_cached_entry *ce;
    struct eksauth_error err;
    enum eksauth_status st;
    char *text = NULL;
    size_t len = 0;
    unsigned n, failed = 0;
    bool done = false;

    (void)state;
    of_cluster(&c, DEV);
    entry(&e, ARN("alice"), "alice", 0);
    e.policies = calloc(2, sizeof(*e.policies));
    e.n_policies = 2;
    e.policies[0].arn = strdup("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
    e.policies[1].arn = strdup("arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy");
    assert_int_equal(
        eksauth_strv_add(&e.policies[1].namespaces, &e.policies[1].n_namespaces, "dev", &err),
        EKSAUTH_OK);
    assert_int_equal(eksauth_entry_cache_put(&c, &e, 1764500000, &err), EKSAUTH_OK);
    for (n = 1; n < 200; n++) {
        json_fail_at = n;
        st = eksauth_entry_cache_format(&c, &text, &len, &err);
        done = json_fail_at > 0; /* fewer than n constructors: every one was tried */
        json_fail_at = 0;
        if (st != EKSAUTH_OK) {
            assert_int_equal(st, EKSAUTH_ENOMEM);
            assert_null(text);
            failed++;
            continue;
        }
        /* What was written is the whole cache. */
        assert_int_equal(eksauth_entry_cache_parse(text, len, &back, &err), EKSAUTH_OK);
        free(text);
        text = NULL;
        ce = eksauth_entry_cache_find(&back, ARN("alice"));
        if (ce == NULL || ce->entry.n_groups != 1 || ce->entry.n_policies != 2 ||
            ce->entry.policies[1].n_namespaces != 1)
            fail_msg("constructor %u failing: a cache written without part of alice's entry", n);
        eksauth_entry_cache_free(&back);
        if (done)
            break;
    }
    assert_true(done);
    assert_true(failed >= 10);
    eksauth_entry_cache_free(&c);
}

static void test_bad_files(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"entries\": []}",
        "{\"eksauthAccessEntryCache\": 3, \"cluster\": \"c\", \"entries\": []}",
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"c\", \"entries\": {}}",
        /* no cluster named: its entries could be any cluster's */
        "{\"eksauthAccessEntryCache\": 2, \"entries\": []}",
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"\", \"entries\": []}",
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": 7, \"entries\": []}",
        /* no readAt */
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"c\", \"entries\": [{\"accessEntry\": "
        "{\"principalArn\": \"arn:aws:iam::1:user/a\"}, \"associatedAccessPolicies\": []}]}",
        /* what EKS's own answer would be refused for: no principal */
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"c\", \"entries\": [{\"readAt\": 1, "
        "\"accessEntry\": {}, \"associatedAccessPolicies\": []}]}",
        /* a policy of an unknown scope */
        "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"c\", \"entries\": [{\"readAt\": 1, "
        "\"accessEntry\": {\"principalArn\": \"arn:aws:iam::1:user/a\"}, "
        "\"associatedAccessPolicies\": [{\"policyArn\": \"p\", \"accessScope\": {\"type\": "
        "\"galaxy\"}}]}]}",
    };
    struct eksauth_entry_cache c = {0};
    struct eksauth_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put(&c, ARN("stale"), 1);
        assert_int_equal(eksauth_entry_cache_parse(bad[i], strlen(bad[i]), &c, &err),
                         EKSAUTH_EINVAL);
        /* Nothing half-read is kept. */
        assert_int_equal(c.n, 0);
        assert_null(c.cluster);
        assert_non_null(strstr(err.msg, "access entry cache"));
    }
}

/*
 * The cache is one cluster's: a host whose cluster_name (or region, or API
 * server) changed, or an image baked on another cluster's host, must not map
 * logins from the old cluster's entries however fresh they are.  Before the
 * cache named its cluster, prod's sync planned no read of dev's fresh entry
 * and the snapshot gave dev's groups until access_entry_max_age.
 */
static void test_bound_to_cluster(void **state)
{
    char *arns[] = {ARN("admin"), ARN("dev")};
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_error err;
    size_t *order = NULL, n = 0;
    char *text = NULL, was[128];
    size_t len = 0;
    bool dropped = true;

    (void)state;
    /* Entries of no named cluster are never written. */
    put(&c, ARN("admin"), 1400);
    assert_int_equal(eksauth_entry_cache_format(&c, &text, &len, &err), EKSAUTH_EINVAL);
    assert_null(text);
    eksauth_entry_cache_free(&c);
    /* dev's sync: both read 100 s ago, fresh for max_age 300. */
    of_cluster(&c, DEV);
    put(&c, ARN("admin"), 1400);
    put(&c, ARN("dev"), 1400);
    assert_int_equal(eksauth_entry_cache_format(&c, &text, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_entry_cache_parse(text, len, &back, &err), EKSAUTH_OK);
    free(text);
    /* The same cluster again: kept, nothing due. */
    assert_int_equal(eksauth_entry_cache_bind(&back, DEV, &dropped, was, sizeof(was), &err),
                     EKSAUTH_OK);
    assert_false(dropped);
    assert_false(back.dirty);
    assert_int_equal(back.n, 2);
    assert_int_equal(eksauth_entry_cache_plan(&back, arns, 2, 1500, 300, &order, &n, &err),
                     EKSAUTH_OK);
    assert_int_equal(n, 0);
    free(order);
    /* prod lists the same principals: none of dev's entries is prod's, every one is read. */
    assert_int_equal(eksauth_entry_cache_bind(&back, PROD, &dropped, was, sizeof(was), &err),
                     EKSAUTH_OK);
    assert_true(dropped);
    assert_string_equal(was, DEV);
    assert_true(back.dirty);
    assert_int_equal(back.n, 0);
    assert_null(eksauth_entry_cache_find(&back, ARN("admin")));
    assert_string_equal(back.cluster, PROD);
    assert_int_equal(eksauth_entry_cache_plan(&back, arns, 2, 1500, 300, &order, &n, &err),
                     EKSAUTH_OK);
    assert_int_equal(n, 2);
    free(order);
    /* What prod's sync writes names prod. */
    assert_int_equal(eksauth_entry_cache_format(&back, &text, &len, &err), EKSAUTH_OK);
    assert_non_null(strstr(text, "\"cluster\":\"" PROD "\""));
    free(text);
    eksauth_entry_cache_free(&back);
    eksauth_entry_cache_free(&c);
    /* A cache of no cluster yet (none on disk) is bound without a word. */
    assert_int_equal(eksauth_entry_cache_bind(&c, PROD, &dropped, was, sizeof(was), &err),
                     EKSAUTH_OK);
    assert_false(dropped);
    assert_string_equal(was, "");
    eksauth_entry_cache_free(&c);
}

/*
 * A version 1 cache (before the cache named its cluster) is read, named by
 * no cluster: bind drops it unless it was adopted first, and adopted it is
 * written back as version 2 naming the cluster (lib/cluster.c adopts it
 * only when the DB was last written from that cluster's entries).
 */
static void test_version_1_adopted_or_dropped(void **state)
{
    static const char v1[] =
        "{\"eksauthAccessEntryCache\": 1, \"entries\": [{\"readAt\": 5, \"accessEntry\": "
        "{\"principalArn\": \"arn:aws:iam::111122223333:role/admin\"}, "
        "\"associatedAccessPolicies\": []}]}";
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_error err;
    char was[64], *text = NULL;
    size_t len = 0;
    bool dropped;

    (void)state;
    assert_int_equal(eksauth_entry_cache_parse(v1, strlen(v1), &c, &err), EKSAUTH_OK);
    assert_true(c.unnamed);
    assert_null(c.cluster);
    assert_int_equal(c.n, 1);
    /* Never written as it is: it would be anyone's. */
    assert_int_equal(eksauth_entry_cache_format(&c, &text, &len, &err), EKSAUTH_EINVAL);
    /* Not adopted: another cluster's, dropped. */
    assert_int_equal(
        eksauth_entry_cache_bind(&c, "cluster_name prod", &dropped, was, sizeof(was), &err),
        EKSAUTH_OK);
    assert_true(dropped);
    assert_int_equal(c.n, 0);
    assert_false(eksauth_entry_cache_adopt(&c, "cluster_name prod", 0)); /* bound now */
    eksauth_entry_cache_free(&c);

    /* Adopted: kept, and written back as version 2 naming the cluster. */
    assert_int_equal(eksauth_entry_cache_parse(v1, strlen(v1), &c, &err), EKSAUTH_OK);
    assert_true(eksauth_entry_cache_adopt(&c, "cluster_name prod", 3));
    assert_true(c.dirty);
    /* Taken as read no later than asked: read again first. */
    assert_int_equal(c.v[0].read_at, 3);
    assert_int_equal(
        eksauth_entry_cache_bind(&c, "cluster_name prod", &dropped, was, sizeof(was), &err),
        EKSAUTH_OK);
    assert_false(dropped);
    assert_int_equal(c.n, 1);
    assert_int_equal(eksauth_entry_cache_format(&c, &text, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_entry_cache_parse(text, len, &back, &err), EKSAUTH_OK);
    assert_false(back.unnamed);
    assert_string_equal(back.cluster, "cluster_name prod");
    assert_int_equal(back.n, 1);
    free(text);
    eksauth_entry_cache_free(&back);
    eksauth_entry_cache_free(&c);
}

static void test_plan(void **state)
{
    char *arns[] = {ARN("a"), ARN("new1"), ARN("b"), ARN("c"), ARN("new2"), ARN("d")};
    struct eksauth_entry_cache c = {0};
    struct eksauth_error err;
    size_t *order = NULL, n = 0;

    (void)state;
    put(&c, ARN("a"), 1000); /* 500 s old */
    put(&c, ARN("b"), 1400); /* 100 s old: fresh */
    put(&c, ARN("c"), 900);  /* 600 s old: the oldest */
    put(&c, ARN("d"), 1200); /* 300 s old: exactly the limit, fresh */
    put(&c, ARN("gone"), 1);
    assert_int_equal(eksauth_entry_cache_plan(&c, arns, 6, 1500, 300, &order, &n, &err),
                     EKSAUTH_OK);
    /* New ones first (a login they map waits), in list order; then the oldest first. */
    assert_int_equal(n, 4);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 4);
    assert_int_equal(order[2], 3);
    assert_int_equal(order[3], 0);
    free(order);
    /* max_age 0: every entry at every sync. */
    assert_int_equal(eksauth_entry_cache_plan(&c, arns, 6, 1500, 0, &order, &n, &err), EKSAUTH_OK);
    assert_int_equal(n, 6);
    assert_int_equal(order[2], 3); /* c, 600 s old */
    assert_int_equal(order[5], 2); /* b, the freshest, last */
    free(order);
    /* What EKS no longer lists leaves the cache (revoked at once). */
    c.dirty = false;
    eksauth_entry_cache_keep(&c, arns, 6);
    assert_true(c.dirty);
    assert_int_equal(c.n, 4);
    assert_null(eksauth_entry_cache_find(&c, ARN("gone")));
    eksauth_entry_cache_drop(&c, ARN("a"));
    assert_null(eksauth_entry_cache_find(&c, ARN("a")));
    assert_non_null(eksauth_entry_cache_find(&c, ARN("d")));
    assert_int_equal(c.n, 3);
    eksauth_entry_cache_free(&c);
}

/* An entry read while the clock ran ahead (set back since) is due now, not a day from now. */
static void test_plan_read_in_the_future(void **state)
{
    struct eksauth_entry_cache c = {NULL, 0, 0, false, NULL, false};
    char *arns[] = {ARN("a")};
    struct eksauth_error err;
    size_t *order = NULL, n = 99;

    (void)state;
    put(&c, arns[0], 1000000 + 86400);
    assert_int_equal(eksauth_entry_cache_plan(&c, arns, 1, 1000000, 300, &order, &n, &err),
                     EKSAUTH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(order[0], 0);
    free(order);
    eksauth_entry_cache_free(&c);
}

/* The cache file holding text is read as no cache (EKSAUTH_EINVAL); why in *err. */
static void refused(const struct eksauth_paths *paths, const char *text, struct eksauth_error *err)
{
    struct eksauth_entry_cache back = {0};
    FILE *f = fopen(paths->entry_cache, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(eksauth_entry_cache_read(paths, true, &back, err), EKSAUTH_EINVAL);
    assert_int_equal(back.n, 0);
    assert_null(back.cluster);
}

static void test_file(void **state)
{
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_paths paths;
    struct eksauth_error err;
    char dir[SCRATCH_DIR_MAX], cmd[128];
    struct stat sb;

    (void)state;
    scratch_make(dir, sizeof(dir), "cache");
    memset(&paths, 0, sizeof(paths));
    snprintf(paths.db, sizeof(paths.db), "%s/identity.db", dir);
    snprintf(paths.entry_cache, sizeof(paths.entry_cache), "%s/%s", dir, EKSAUTH_ENTRY_CACHE_NAME);
    /* None yet: an empty cache, no complaint. */
    assert_int_equal(eksauth_entry_cache_read(&paths, true, &back, &err), EKSAUTH_OK);
    assert_int_equal(back.n, 0);
    of_cluster(&c, DEV);
    put(&c, ARN("a"), 77);
    assert_int_equal(eksauth_entry_cache_write(&paths, &c, &err), EKSAUTH_OK);
    /* It says who may log in as whom: root's alone. */
    assert_int_equal(stat(paths.entry_cache, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(eksauth_entry_cache_read(&paths, true, &back, &err), EKSAUTH_OK);
    assert_int_equal(back.n, 1);
    assert_int_equal(back.v[0].read_at, 77);
    eksauth_entry_cache_free(&back);
    /* Writable by others: not trusted, so no cache (every entry read again). */
    if (geteuid() == 0) {
        assert_int_equal(chmod(paths.entry_cache, 0666), 0);
        assert_int_not_equal(eksauth_entry_cache_read(&paths, true, &back, &err), EKSAUTH_OK);
        assert_int_equal(back.n, 0);
        assert_non_null(strstr(err.msg, "every access entry is read again"));
        assert_non_null(strstr(err.msg, paths.entry_cache));
        assert_int_equal(chmod(paths.entry_cache, 0600), 0);
    }
    /* Corrupt: no cache either. */
    refused(&paths, "{\"eksauthAccessEntryCache\": 2, \"cluster\": \"c\", \"entries\": [", &err);
    /* The operator is told which file, and what happens to it. */
    assert_non_null(strstr(err.msg, paths.entry_cache));
    assert_non_null(strstr(err.msg, "not a cache of version"));
    assert_non_null(strstr(err.msg, "remove the file"));
    /* One from before the cache named its cluster: read, named by none (test_version_1_...). */
    {
        struct eksauth_entry_cache v1 = {0};
        FILE *f = fopen(paths.entry_cache, "w");

        assert_non_null(f);
        fputs("{\"eksauthAccessEntryCache\": 1, \"entries\": []}", f);
        fclose(f);
        assert_int_equal(eksauth_entry_cache_read(&paths, true, &v1, &err), EKSAUTH_OK);
        assert_true(v1.unnamed);
        assert_null(v1.cluster);
        eksauth_entry_cache_free(&v1);
    }
    eksauth_entry_cache_free(&c);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_format_whole_or_nothing),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bound_to_cluster),
        cmocka_unit_test(test_version_1_adopted_or_dropped),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_plan_read_in_the_future),
        cmocka_unit_test(test_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
