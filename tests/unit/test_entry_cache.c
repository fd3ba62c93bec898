/*
 * test_entry_cache.c - the access entries a host read (lib/entry_cache.c):
 * the file's JSON round trip (no username, groups, policies of both scopes,
 * modifiedAt, when read) read back through the EKS API's own parsers, and
 * written whole or not at all when memory runs out; bad files refused; what a sync reads (new
 * entries first in list order, then those older than access_entry_max_age, oldest first; all of
 * them at 0); entries EKS no longer lists dropped; and the file itself: missing is empty, untrusted
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
        "{\"eksauthAccessEntryCache\": 2, \"entries\": []}",
        "{\"eksauthAccessEntryCache\": 1, \"entries\": {}}",
        /* no readAt */
        "{\"eksauthAccessEntryCache\": 1, \"entries\": [{\"accessEntry\": {\"principalArn\": "
        "\"arn:aws:iam::1:user/a\"}, \"associatedAccessPolicies\": []}]}",
        /* what EKS's own answer would be refused for: no principal */
        "{\"eksauthAccessEntryCache\": 1, \"entries\": [{\"readAt\": 1, \"accessEntry\": {}, "
        "\"associatedAccessPolicies\": []}]}",
        /* a policy of an unknown scope */
        "{\"eksauthAccessEntryCache\": 1, \"entries\": [{\"readAt\": 1, \"accessEntry\": "
        "{\"principalArn\": \"arn:aws:iam::1:user/a\"}, \"associatedAccessPolicies\": "
        "[{\"policyArn\": \"p\", \"accessScope\": {\"type\": \"galaxy\"}}]}]}",
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
        assert_non_null(strstr(err.msg, "access entry cache"));
    }
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
    struct eksauth_entry_cache c = {NULL, 0, 0, false};
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

static void test_file(void **state)
{
    struct eksauth_entry_cache c = {0}, back = {0};
    struct eksauth_paths paths;
    struct eksauth_error err;
    char dir[SCRATCH_DIR_MAX], cmd[128];
    struct stat sb;
    FILE *f;

    (void)state;
    scratch_make(dir, sizeof(dir), "cache");
    memset(&paths, 0, sizeof(paths));
    snprintf(paths.db, sizeof(paths.db), "%s/identity.db", dir);
    snprintf(paths.entry_cache, sizeof(paths.entry_cache), "%s/%s", dir, EKSAUTH_ENTRY_CACHE_NAME);
    /* None yet: an empty cache, no complaint. */
    assert_int_equal(eksauth_entry_cache_read(&paths, true, &back, &err), EKSAUTH_OK);
    assert_int_equal(back.n, 0);
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
    f = fopen(paths.entry_cache, "w");
    assert_non_null(f);
    fputs("{\"eksauthAccessEntryCache\": 1, \"entries\": [", f);
    fclose(f);
    assert_int_equal(eksauth_entry_cache_read(&paths, true, &back, &err), EKSAUTH_EINVAL);
    assert_int_equal(back.n, 0);
    /* The operator is told which file, and what happens to it. */
    assert_non_null(strstr(err.msg, paths.entry_cache));
    assert_non_null(strstr(err.msg, "not a cache of version"));
    assert_non_null(strstr(err.msg, "remove the file"));
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
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_plan_read_in_the_future),
        cmocka_unit_test(test_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
