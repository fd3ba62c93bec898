/*
 * test_iddb_template.c - the answer for a name the identity DB does not
 * hold yet (lib/iddb_template.c): probe 0 of the formula or nothing, never
 * a name held by anyone, a name two templates give, or a keyed DB read
 * without its key.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/iddb_template.h"
#include "eksauth/idkey.h"
#include "eksauth/names.h"
#include "iddb_sample.h"

static uint32_t local_held; /* the one local id of the fake host */

static bool fake_local_id(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == local_held;
}

static const struct eksauth_iddb_id_rules plain = {NULL, 1767225600u, fake_local_id, NULL};

static enum eksauth_iddb_verdict verdict(const struct eksauth_iddb_builder *b, const char *name,
                                         const struct eksauth_iddb_id_rules *rules, uint32_t *uid)
{
    void *data = NULL;
    struct eksauth_iddb *db = iddb_sample_open(b, &data);
    enum eksauth_iddb_verdict v = eksauth_iddb_template_user(db, name, rules, uid);

    eksauth_iddb_close(db);
    free(data);
    return v;
}

static void test_answer(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    uint32_t uid = 0;

    (void)state;
    local_held = 0;
    assert_int_equal(verdict(b, "admin-bob", &plain, &uid), EKSAUTH_IDDB_TEMPLATED);
    assert_int_equal(uid, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
    /* Not templated names: a user, a group, denied, reserved, no template, not a valid name. */
    assert_int_equal(verdict(b, "admin-alice", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_int_equal(verdict(b, "admin-root", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_int_equal(verdict(b, "bob", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_int_equal(verdict(b, "Admin-bob", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_int_equal(verdict(b, "eks-devs", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    /* A bare template in a DB (written by an older eksauth) answers for nothing. */
    assert_int_equal(eksauth_iddb_builder_add_template(b, "{{SessionName}}", NULL), EKSAUTH_OK);
    assert_int_equal(verdict(b, "dave", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_int_equal(verdict(b, "root", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    eksauth_iddb_builder_free(b);
}

/* sshd keeps the uid NSS gave it: one id or none, never the next probe. */
static void test_held_id_is_no_answer(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in taker = {0};
    struct eksauth_iddb_tombstone_in own = {"admin-bob", 0, false, 1767225600u + 100};
    struct eksauth_iddb_tombstone_in other = {"admin-carol", 0, false, 1767225600u + 100};
    struct eksauth_error err = {0};
    uint32_t bob0 = eksauth_names_id(NULL, "admin-bob", 0, LO, HI), uid = 0;

    (void)state;
    local_held = 0;
    /* A local uid or gid on it. */
    local_held = bob0;
    assert_int_equal(verdict(b, "admin-bob", &plain, &uid), EKSAUTH_IDDB_ID_HELD);
    assert_int_equal(uid, bob0);
    local_held = 0;
    /* A tombstone of another name, while it lasts; after, free. */
    other.id = bob0;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &other, &err), EKSAUTH_OK);
    assert_int_equal(verdict(b, "admin-bob", &plain, &uid), EKSAUTH_IDDB_ID_HELD);
    {
        struct eksauth_iddb_id_rules later = plain;

        later.now = other.until;
        assert_int_equal(verdict(b, "admin-bob", &later, &uid), EKSAUTH_IDDB_TEMPLATED);
        /* No rules at all: every tombstone holds (fail closed). */
        assert_int_equal(verdict(b, "admin-bob", NULL, &uid), EKSAUTH_IDDB_ID_HELD);
    }
    eksauth_iddb_builder_free(b);
    /* admin-bob's own tombstone: its id comes back to it. */
    b = iddb_sample_builder();
    own.id = bob0;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &own, &err), EKSAUTH_OK);
    assert_int_equal(verdict(b, "admin-bob", &plain, &uid), EKSAUTH_IDDB_TEMPLATED);
    assert_int_equal(uid, bob0);
    /* A user that took it (a static name, or a login recorded first). */
    taker.login = "someone";
    taker.uid = eksauth_names_id(NULL, "admin-carol", 0, LO, HI);
    assert_int_equal(eksauth_iddb_builder_add_user(b, &taker, &err), EKSAUTH_OK);
    assert_int_equal(verdict(b, "admin-carol", &plain, &uid), EKSAUTH_IDDB_ID_HELD);
    assert_int_equal(uid, taker.uid);
    eksauth_iddb_builder_free(b);
}

static void test_two_templates(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    uint32_t uid;

    (void)state;
    local_held = 0;
    assert_int_equal(eksauth_iddb_builder_add_template(b, "admin-{{SessionName}}", NULL),
                     EKSAUTH_OK);
    /* Both give admin-bob: whoever asks first, nobody gets it. */
    assert_int_equal(verdict(b, "admin-bob", &plain, &uid), EKSAUTH_IDDB_AMBIGUOUS);
    eksauth_iddb_builder_free(b);
}

/*
 * A cut login (names.h rule 3) is answered by the login alone: it fits
 * dev-{{SessionName}}, not dev-{{SessionName}}-adm, though both may have
 * given it.  NSS does not know whose it is; the login does, and refuses
 * it (tests/unit/test_resolve.c test_overlapping_templates_cut_login).
 */
static void test_cut_login_by_its_name(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    char cut[EKSAUTH_NAME_MAX + 1];
    uint32_t uid;

    (void)state;
    local_held = 0;
    assert_int_equal(eksauth_iddb_builder_add_template(b, "dev-{{SessionName}}", NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "dev-{{SessionName}}-adm", NULL),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_names_login("dev-firstname.lastname-corp.example.com-adm", cut, NULL),
                     EKSAUTH_OK);
    assert_int_equal(verdict(b, cut, &plain, &uid), EKSAUTH_IDDB_TEMPLATED);
    assert_int_equal(verdict(b, "dev-bob-adm", &plain, &uid), EKSAUTH_IDDB_AMBIGUOUS);
    eksauth_iddb_builder_free(b);
}

static void test_keyed(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, USERS_GID, true, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", USERS_GID, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_id_key key, other;
    struct eksauth_iddb_id_rules rules = plain;
    unsigned char secret[32];
    uint32_t uid = 0;

    (void)state;
    local_held = 0;
    memset(secret, 7, sizeof(secret));
    eksauth_names_id_key_derive(secret, sizeof(secret), &key);
    secret[0] = 8;
    eksauth_names_id_key_derive(secret, sizeof(secret), &other);
    p.key_check = key.check;
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "sso:{{SessionName}}", NULL), EKSAUTH_OK);
    /* Without the key (not root), or with another: no answer, never an unkeyed guess. */
    assert_int_equal(verdict(b, "sso-bob", &rules, &uid), EKSAUTH_IDDB_NO_KEY);
    rules.key = &other;
    assert_int_equal(verdict(b, "sso-bob", &rules, &uid), EKSAUTH_IDDB_NO_KEY);
    rules.key = &key;
    assert_int_equal(verdict(b, "sso-bob", &rules, &uid), EKSAUTH_IDDB_TEMPLATED);
    assert_int_equal(uid, eksauth_names_id(&key, "sso-bob", 0, LO, HI));
    assert_int_not_equal(uid, eksauth_names_id(NULL, "sso-bob", 0, LO, HI));
    eksauth_iddb_builder_free(b);
}

/* Without a users' group there is no primary group to give: no answer. */
static void test_no_users_group(void **state)
{
    struct eksauth_iddb_builder *b = NULL;
    uint32_t uid;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(NULL, &b, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "sso:{{SessionName}}", NULL), EKSAUTH_OK);
    assert_int_equal(verdict(b, "sso-bob", &plain, &uid), EKSAUTH_IDDB_NOT_TEMPLATED);
    eksauth_iddb_builder_free(b);
}

static enum eksauth_iddb_served served(const struct eksauth_iddb_builder *b, const char *name,
                                       uint32_t *uid)
{
    void *data = NULL;
    struct eksauth_iddb *db = iddb_sample_open(b, &data);
    struct eksauth_iddb_user u;
    enum eksauth_iddb_served v = eksauth_iddb_served_name(db, name, fake_local_id, NULL, &u, uid);

    if (v == EKSAUTH_IDDB_SERVED_RECORD)
        assert_string_equal(u.login, name);
    eksauth_iddb_close(db);
    free(data);
    return v;
}

/*
 * What NSS answers by name, the question PAM's account stage asks too
 * (pam_eksauth/pam_eksauth.c nss_serves): a record, a templated name, or
 * nothing; never a name whose id is held or that two templates give.
 */
static void test_served_name(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    uint32_t uid = 0;

    (void)state;
    local_held = 0;
    assert_int_equal(served(b, "admin-alice", &uid), EKSAUTH_IDDB_SERVED_RECORD);
    assert_int_equal(served(b, "admin-bob", &uid), EKSAUTH_IDDB_SERVED_TEMPLATED);
    assert_int_equal(uid, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
    assert_int_equal(served(b, "bob", &uid), EKSAUTH_IDDB_SERVED_NO);
    assert_int_equal(served(b, "eks-devs", &uid), EKSAUTH_IDDB_SERVED_NO);
    local_held = eksauth_names_id(NULL, "admin-bob", 0, LO, HI);
    assert_int_equal(served(b, "admin-bob", &uid), EKSAUTH_IDDB_SERVED_NO);
    local_held = 0;
    assert_int_equal(eksauth_iddb_builder_add_template(b, "admin-{{SessionName}}", NULL),
                     EKSAUTH_OK);
    assert_int_equal(served(b, "admin-bob", &uid), EKSAUTH_IDDB_SERVED_NO);
    eksauth_iddb_builder_free(b);
}

/*
 * Keyed ids: root reads the key NSS reads (EKSAUTH_ID_KEY here); none
 * there is no such user, one that cannot be used is no answer (fail
 * closed).  Anyone else reads no key: NO_KEY, what root's NSS would serve.
 */
static void test_served_name_keyed(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, USERS_GID, true, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", USERS_GID, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_id_key key;
    unsigned char secret[32];
    bool root = geteuid() == 0;
    uint32_t uid = 0;

    (void)state;
    local_held = 0;
    memset(secret, 7, sizeof(secret));
    eksauth_names_id_key_derive(secret, sizeof(secret), &key);
    p.key_check = key.check;
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "sso:{{SessionName}}", NULL), EKSAUTH_OK);
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "/nonexistent/eksauth-id.key", 1), 0);
    assert_int_equal(served(b, "sso-bob", &uid),
                     root ? EKSAUTH_IDDB_SERVED_NO : EKSAUTH_IDDB_SERVED_NO_KEY);
    /* A directory where the key should be: no key root can use. */
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "/", 1), 0);
    assert_int_equal(served(b, "sso-bob", &uid),
                     root ? EKSAUTH_IDDB_SERVED_UNREADABLE : EKSAUTH_IDDB_SERVED_NO_KEY);
    /* A relative EKSAUTH_ID_KEY (lib/idkey.c refuses it): no answer, as for an unreadable key. */
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "id.key", 1), 0);
    assert_int_equal(served(b, "sso-bob", &uid),
                     root ? EKSAUTH_IDDB_SERVED_UNREADABLE : EKSAUTH_IDDB_SERVED_NO_KEY);
    /* A name no template gives needs no key. */
    assert_int_equal(served(b, "bob", &uid), EKSAUTH_IDDB_SERVED_NO);
    unsetenv("EKSAUTH_ID_KEY");
    eksauth_iddb_builder_free(b);
}

/* The DB's lookups by name and the key reads (mk/tests.am wraps them): counted, then done. */
static unsigned users_looked_up, groups_looked_up, keys_read;

/* fn wrapped (mk/tests.am): its prototypes, and a body that counts the call, then makes it. */
#define COUNTED(fn, counter, params, args)                                                         \
    enum eksauth_status __real_##fn params;                                                        \
    enum eksauth_status __wrap_##fn params;                                                        \
    enum eksauth_status __wrap_##fn params                                                         \
    {                                                                                              \
        counter++;                                                                                 \
        return __real_##fn args;                                                                   \
    }

COUNTED(eksauth_iddb_user_by_name, users_looked_up,
        (const struct eksauth_iddb *db, const char *login, struct eksauth_iddb_user *out),
        (db, login, out))
COUNTED(eksauth_iddb_group_by_name, groups_looked_up,
        (const struct eksauth_iddb *db, const char *name, struct eksauth_iddb_group *out),
        (db, name, out))
COUNTED(eksauth_idkey_load, keys_read,
        (const char *path, struct eksauth_id_key *key, bool *present, struct eksauth_error *err),
        (path, key, present, err))

/*
 * served_name answers want for name from b's DB, for one lookup by name
 * of a user and one of a group, and keys reads of the id key.
 */
static void served_once(const struct eksauth_iddb_builder *b, const char *name,
                        enum eksauth_iddb_served want, unsigned keys)
{
    void *data = NULL;
    struct eksauth_iddb *db = iddb_sample_open(b, &data);
    struct eksauth_iddb_user u;
    uint32_t uid = 0;

    users_looked_up = groups_looked_up = keys_read = 0;
    assert_int_equal(eksauth_iddb_served_name(db, name, fake_local_id, NULL, &u, &uid), want);
    assert_int_equal(users_looked_up, 1);
    assert_int_equal(groups_looked_up, 1);
    assert_int_equal(keys_read, keys);
    eksauth_iddb_close(db);
    free(data);
}

/*
 * Every name sshd, a directory's user or a scan asks NSS for comes through
 * served_name (nss_eksauth/nss_eksauth.c pw_lookup): a name that is no
 * user, group or templated name costs one lookup of each, and no read of
 * the id key, which only a name a template gives needs.
 */
static void test_served_name_looks_once(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, USERS_GID, true, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", USERS_GID, 0};
    struct eksauth_iddb_builder *b = iddb_sample_builder(), *keyed = NULL;
    bool root = geteuid() == 0;

    (void)state;
    local_held = 0;
    served_once(b, "bob", EKSAUTH_IDDB_SERVED_NO, 0);
    served_once(b, "eks-devs", EKSAUTH_IDDB_SERVED_NO, 0);
    served_once(b, "Admin-bob", EKSAUTH_IDDB_SERVED_NO, 0);
    served_once(b, "admin-bob", EKSAUTH_IDDB_SERVED_TEMPLATED, 0);
    eksauth_iddb_builder_free(b);

    /* Keyed: root reads the key for a templated name only (anyone else never reads it). */
    p.key_check = 1;
    assert_int_equal(eksauth_iddb_builder_new(&p, &keyed, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(keyed, &users, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(keyed, "sso:{{SessionName}}", NULL),
                     EKSAUTH_OK);
    assert_int_equal(setenv("EKSAUTH_ID_KEY", "/nonexistent/eksauth-id.key", 1), 0);
    served_once(keyed, "bob", EKSAUTH_IDDB_SERVED_NO, 0);
    served_once(keyed, "sso-bob", root ? EKSAUTH_IDDB_SERVED_NO : EKSAUTH_IDDB_SERVED_NO_KEY,
                root ? 1 : 0);
    unsetenv("EKSAUTH_ID_KEY");
    eksauth_iddb_builder_free(keyed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answer),
        cmocka_unit_test(test_held_id_is_no_answer),
        cmocka_unit_test(test_two_templates),
        cmocka_unit_test(test_cut_login_by_its_name),
        cmocka_unit_test(test_keyed),
        cmocka_unit_test(test_no_users_group),
        cmocka_unit_test(test_served_name),
        cmocka_unit_test(test_served_name_keyed),
        cmocka_unit_test(test_served_name_looks_once),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
