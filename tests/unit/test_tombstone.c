/*
 * test_tombstone.c - the ids of removed names (lib/tombstone.c): held
 * for the period after a sync drops them, carried while they last, gone
 * after, and given back to their own name when it returns; 300,000
 * carried in linear time; at most EKSAUTH_TOMBSTONES_MAX kept, those that
 * end last.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/tombstone.h"
#include "iddb_sample.h"

#define NOW 1767225600u
#define DAY 86400u

/* A new DB of the sample's users' group and eks-devs, with the users named. */
static struct eksauth_iddb_builder *next_db(const char *const *logins, const uint32_t *uids,
                                            size_t n)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, USERS_GID, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", USERS_GID, 0};
    struct eksauth_iddb_group_in devs = {"eks-devs", "devs", LO + 11, 0};
    struct eksauth_iddb_builder *b = NULL;
    size_t i;

    assert_int_equal(eksauth_iddb_builder_new(&p, &b, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &devs, NULL), EKSAUTH_OK);
    for (i = 0; i < n; i++) {
        struct eksauth_iddb_user_in u = {0};

        u.login = logins[i];
        u.k8s_username = logins[i];
        u.uid = uids[i];
        assert_int_equal(eksauth_iddb_builder_add_user(b, &u, NULL), EKSAUTH_OK);
    }
    return b;
}

/* What b would write holds one tombstone, name's. */
static void only_tombstone_is(const struct eksauth_iddb_builder *b, const char *name)
{
    struct eksauth_iddb_tombstone t;
    struct eksauth_iddb *db;
    void *data = NULL;

    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 1);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, name);
    eksauth_iddb_close(db);
    free(data);
}

static void test_removed_names_are_held(void **state)
{
    const char *const keep[] = {"build"};
    const uint32_t keep_uid[] = {LO + 100};
    struct eksauth_iddb_builder *b = next_db(keep, keep_uid, 1);
    struct eksauth_iddb_builder *old_b = iddb_sample_builder();
    struct eksauth_iddb_tombstone t;
    struct eksauth_iddb *old, *db;
    void *old_data = NULL, *data = NULL;
    size_t added = 0;

    (void)state;
    old = iddb_sample_open(old_b, &old_data);
    /* admin-alice (revoked) and eks-system-masters left; the local wheel holds nothing. */
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW, 180, &added, NULL, NULL), EKSAUTH_OK);
    assert_int_equal(added, 2);
    db = iddb_sample_open(b, &data);
    eksauth_iddb_builder_free(b); /* the DB lives in data */
    assert_int_equal(eksauth_iddb_tombstone_count(db), 2);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "eks-system-masters");
    assert_true(t.is_group);
    assert_int_equal(t.id, LO + 10);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 1, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "admin-alice");
    assert_false(t.is_group);
    assert_int_equal(t.id, LO + 50);
    assert_true(t.until == NOW + 180 * DAY);
    /* Held from every other name while it lasts; from its own, never. */
    assert_true(eksauth_iddb_id_held_from(db, LO + 50, "admin-bob", NOW + 179 * DAY));
    assert_false(eksauth_iddb_id_held_from(db, LO + 50, "admin-alice", NOW));
    assert_false(eksauth_iddb_id_held_from(db, LO + 50, "admin-bob", NOW + 180 * DAY));
    eksauth_iddb_close(old);
    free(old_data);
    eksauth_iddb_builder_free(old_b);

    /* The next sync carries them while they last, and drops them after. */
    old = db;
    old_data = data;
    b = next_db(keep, keep_uid, 1);
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW + DAY, 180, &added, NULL, NULL),
                     EKSAUTH_OK);
    assert_int_equal(added, 0);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 2);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b);
    b = next_db(keep, keep_uid, 1);
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW + 180 * DAY, 180, &added, NULL, NULL),
                     EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 0);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b);

    /* admin-alice came back with her id: her tombstone is no longer needed. */
    {
        const char *const back[] = {"build", "admin-alice"};
        const uint32_t back_uid[] = {LO + 100, LO + 50};

        b = next_db(back, back_uid, 2);
        assert_int_equal(eksauth_tombstones_carry(old, b, NOW + DAY, 180, &added, NULL, NULL),
                         EKSAUTH_OK);
        only_tombstone_is(b, "eks-system-masters");
        eksauth_iddb_builder_free(b);
    }
    eksauth_iddb_close(old);
    free(old_data);
}

/*
 * admin-alice was removed (held until NOW + 10 days), logged in again
 * beside her own tombstone (a login's record keeps it), and a sync removes
 * her again five days later: her id is held 180 days from that second
 * removal, not to the first one's end (the first hold used to win, and
 * freed the id while her newer files were on disk).
 */
static void test_removed_again_holds_to_the_later_end(void **state)
{
    const uint32_t alice_uid = LO + 50;
    const char *const back[] = {"admin-alice"};
    const uint32_t back_uid[] = {alice_uid};
    struct eksauth_iddb_tombstone_in first = {"admin-alice", alice_uid, false, NOW + 10 * DAY};
    struct eksauth_iddb_builder *old_b = next_db(NULL, NULL, 0), *b;
    struct eksauth_iddb_user_in u = {0};
    struct eksauth_iddb_tombstone t;
    struct eksauth_iddb *old, *db;
    void *old_data = NULL, *data = NULL;
    size_t added = 0;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(old_b, &first, NULL), EKSAUTH_OK);
    u.login = back[0];
    u.k8s_username = back[0];
    u.uid = back_uid[0];
    assert_int_equal(eksauth_iddb_builder_add_user(old_b, &u, NULL), EKSAUTH_OK);
    old = iddb_sample_open(old_b, &old_data);
    eksauth_iddb_builder_free(old_b);
    assert_int_equal(eksauth_iddb_tombstone_count(old), 1);
    {
        struct eksauth_iddb_user alice;

        assert_int_equal(eksauth_iddb_user_by_name(old, "admin-alice", &alice), EKSAUTH_OK);
        assert_int_equal(alice.uid, alice_uid);
    }

    b = next_db(NULL, NULL, 0);
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW + 5 * DAY, 180, &added, NULL, NULL),
                     EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    eksauth_iddb_builder_free(b);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 1);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "admin-alice");
    assert_int_equal(t.id, alice_uid);
    assert_true(t.until == NOW + 5 * DAY + 180 * DAY);
    assert_true(eksauth_iddb_id_held_from(db, alice_uid, "admin-bob", NOW + 100 * DAY));
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_close(old);
    free(old_data);
}

/* id_tombstone_days = 0: nothing new is held (old ones still run out). */
static void test_no_days(void **state)
{
    struct eksauth_iddb_builder *b = next_db(NULL, NULL, 0), *old_b = iddb_sample_builder();
    struct eksauth_iddb *old;
    void *old_data = NULL;
    size_t added = 7;

    (void)state;
    old = iddb_sample_open(old_b, &old_data);
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW, 0, &added, NULL, NULL), EKSAUTH_OK);
    assert_int_equal(added, 0);
    assert_int_equal(eksauth_tombstones_carry(NULL, b, NOW, 180, &added, NULL, NULL), EKSAUTH_OK);
    eksauth_iddb_close(old);
    free(old_data);
    eksauth_iddb_builder_free(old_b);
    eksauth_iddb_builder_free(b);
}

/* An old DB of the sample's groups and n user tombstones gone<i> (id LO + 1000 + i), each until
 * until(i). */
static struct eksauth_iddb *old_with(uint32_t n, uint64_t (*until)(uint32_t), void **data)
{
    struct eksauth_iddb_builder *b = next_db(NULL, NULL, 0);
    struct eksauth_iddb *db;
    char name[32];
    uint32_t i;

    for (i = 0; i < n; i++) {
        struct eksauth_iddb_tombstone_in t = {name, LO + 1000 + i, false, until(i)};

        snprintf(name, sizeof(name), "gone%u", i);
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &t, NULL), EKSAUTH_OK);
    }
    db = iddb_sample_open(b, data);
    eksauth_iddb_builder_free(b);
    return db;
}

/* One in four ended yesterday; the others end i seconds after a day from now. */
static uint64_t quarter_ended(uint32_t i)
{
    return i % 4 == 0 ? NOW - DAY : NOW + DAY + i;
}

/*
 * A sync carries 300,000 tombstones in well under a second (each add used
 * to scan all those before it: minutes).  alarm() is only a watchdog.
 */
#define MANY 300000u

static void test_many_carried(void **state)
{
    struct eksauth_iddb_builder *b = next_db(NULL, NULL, 0);
    struct eksauth_iddb *old, *db;
    void *old_data = NULL, *data = NULL;
    size_t added = 7, dropped = 7;

    (void)state;
    alarm(60);
    old = old_with(MANY, quarter_ended, &old_data);
    assert_int_equal(eksauth_tombstones_carry_max(old, b, NOW, 180, EKSAUTH_TOMBSTONES_MAX, &added,
                                                  &dropped, NULL),
                     EKSAUTH_OK);
    assert_int_equal(added, 0);
    assert_int_equal(dropped, 0);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), MANY / 4 * 3);
    assert_false(eksauth_iddb_id_held(db, LO + 1000, NULL));
    assert_true(eksauth_iddb_id_held(db, LO + 1000 + MANY - 1, NULL));
    alarm(0);
    eksauth_iddb_close(db);
    eksauth_iddb_close(old);
    free(data);
    free(old_data);
    eksauth_iddb_builder_free(b);
}

/* Five of them end at NOW + DAY, the others later: ties to break by id. */
static uint64_t five_tied(uint32_t i)
{
    return i < 5 ? NOW + DAY : NOW + 2 * DAY + i;
}

/*
 * At most max are kept: those that end last, among equals the lower
 * ids; the ids of the others are free
 * again (docs/names-and-ids.md, "Tombstones").
 */
static void test_bounded(void **state)
{
    const char *const keep[] = {"build"};
    const uint32_t keep_uid[] = {LO + 100};
    struct eksauth_iddb_builder *b = next_db(keep, keep_uid, 1), *old_b = iddb_sample_builder();
    struct eksauth_iddb_tombstone_in gone = {"gone0", LO + 1000, false, NOW};
    struct eksauth_iddb_tombstone t;
    struct eksauth_iddb *old, *db;
    void *old_data = NULL, *data = NULL;
    size_t added = 0, dropped = 0;

    (void)state;
    /* The sample's admin-alice (LO + 50) and eks-system-masters (LO + 10) removed: a tie. */
    old = iddb_sample_open(old_b, &old_data);
    assert_int_equal(eksauth_tombstones_carry_max(old, b, NOW, 180, 1, &added, &dropped, NULL),
                     EKSAUTH_OK);
    assert_int_equal(added, 2);
    assert_int_equal(dropped, 1);
    only_tombstone_is(b, "eks-system-masters");
    eksauth_iddb_close(old);
    free(old_data);
    eksauth_iddb_builder_free(old_b);
    eksauth_iddb_builder_free(b);

    /* 8 old ones (gone0..gone4 tied at NOW + DAY, gone5..gone7 later), kept 4 of 8. */
    old = old_with(8, five_tied, &old_data);
    b = next_db(NULL, NULL, 0);
    assert_int_equal(eksauth_tombstones_carry_max(old, b, NOW, 180, 4, &added, &dropped, NULL),
                     EKSAUTH_OK);
    assert_int_equal(dropped, 4);
    /* Dropped ids are free to hold again: gone0 stays, gone3 went. */
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &gone, NULL), EKSAUTH_EINVAL);
    gone.id = LO + 1003;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &gone, NULL), EKSAUTH_OK);
    eksauth_iddb_builder_clear_tombstones(b);
    assert_int_equal(eksauth_tombstones_carry_max(old, b, NOW, 180, 4, &added, &dropped, NULL),
                     EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 4);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "gone0");
    assert_int_equal(eksauth_iddb_tombstone_at(db, 1, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "gone5");
    assert_int_equal(eksauth_iddb_tombstone_at(db, 3, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "gone7");
    /* The default keeps them all. */
    eksauth_iddb_builder_clear_tombstones(b);
    assert_int_equal(eksauth_tombstones_carry(old, b, NOW, 180, &added, NULL, NULL), EKSAUTH_OK);
    assert_false(eksauth_iddb_builder_keep_tombstones(b, 8) != 0);
    assert_int_equal(eksauth_iddb_builder_keep_tombstones(b, 7), 1);
    eksauth_iddb_close(db);
    eksauth_iddb_close(old);
    free(data);
    free(old_data);
    eksauth_iddb_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_removed_names_are_held),
        cmocka_unit_test(test_removed_again_holds_to_the_later_end),
        cmocka_unit_test(test_no_days),
        cmocka_unit_test(test_many_carried),
        cmocka_unit_test(test_bounded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
