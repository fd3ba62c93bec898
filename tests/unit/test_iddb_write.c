/*
 * test_iddb_write.c - lib/iddb_write.c: the identity DB's builder and
 * serialiser.  What it writes is what the reader serves (header, keyed
 * ids, generation, last_login, tombstones sorted by id, gecos made
 * printable, the same bytes for the same entries and through from_db, a
 * reserve only a hint), and what it refuses so that no file it writes
 * could split a passwd or group line or serve root: invalid names, ids 0
 * or out of the range, a name or id twice, a relative home or shell, a
 * home its pattern makes too long, a supplementary group unknown or
 * another user's private one, bad group flags, a users' gid no plain
 * served group has, too many groups; templates and denied names kept
 * once; one POSIX group one k8s group (eksauth_iddb_same_group); one
 * tombstone an id and kind, the first; hundreds of thousands of
 * tombstones, templates and denied names in linear time; from_db leaves
 * out the tombstone of a login that came back.
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

#include "eksauth/byteorder.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/names.h"
#include "iddb_sample.h"
#include "unit.h"

/* The header says whether ids are keyed, and by the key of which check value. */
static void test_keyed_header(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, 0, true, 0x0123456789abcdefull};
    struct eksauth_iddb_params bad = {LO, HI, NULL, NULL, 5, false, 0};
    struct eksauth_iddb_builder *b = NULL, *b2 = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    void *data = NULL;
    uint64_t check = 0;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_true(eksauth_iddb_keyed(db, &check));
    assert_true(check == 0x0123456789abcdefull);
    assert_int_equal(eksauth_iddb_users_gid(db), 0);
    /* from_db keeps it */
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    free(data);
    db = iddb_sample_open(b2, &data);
    assert_true(eksauth_iddb_keyed(db, &check));
    assert_true(check == 0x0123456789abcdefull);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_builder_free(b);
    /* The users' gid is in the range, and a served group by the time it is written. */
    assert_int_equal(eksauth_iddb_builder_new(&bad, &b, &err), EKSAUTH_EINVAL);
    bad.users_gid = LO + 5;
    assert_int_equal(eksauth_iddb_builder_new(&bad, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &(size_t){0}, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no served group has the users' gid"));
    eksauth_iddb_builder_free(b);
}

/* Serialising the same entries twice, or through from_db, gives the same bytes. */
static void test_deterministic_and_from_db(void **state)
{
    struct eksauth_iddb_builder *b2 = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    size_t l1, l2, l3;
    void *d1 = iddb_sample_bytes(&l1), *d2 = iddb_sample_bytes(&l2), *d3 = NULL;

    (void)state;
    assert_int_equal(l1, l2);
    assert_memory_equal(d1, d2, l1);
    assert_int_equal(eksauth_iddb_open_mem(d1, l1, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    eksauth_iddb_builder_set_generation(b2, 1);
    assert_int_equal(eksauth_iddb_builder_serialize(b2, &d3, &l3, &err), EKSAUTH_OK);
    assert_int_equal(l1, l3);
    assert_memory_equal(d1, d3, l1);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_close(db);
    free(d1);
    free(d2);
    free(d3);
}

static void test_empty_db(void **state)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_user_in nobody = {0};
    struct eksauth_error err = {0};
    void *data = NULL;
    size_t len;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(NULL, &b, &err), EKSAUTH_OK);
    /* No users' group: a user needs its primary group named. */
    nobody.login = "carol";
    nobody.uid = LO + 1;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &nobody, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no primary group"));
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_count(db), 0);
    assert_int_equal(eksauth_iddb_user_by_name(db, "x", &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_uid(db, LO, &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_at(db, 0, &u), EKSAUTH_ENOTFOUND);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
    free(data);
}

/* Add login (uid) for k8s to b, write b, and check the gecos the DB serves. */
static void assert_gecos(struct eksauth_iddb_builder *b, const char *login, uint32_t uid,
                         const char *k8s, const char *want)
{
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    void *data = NULL;
    size_t len = 0;

    in.login = login;
    in.k8s_username = k8s;
    in.uid = uid;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, login, &u), EKSAUTH_OK);
    assert_string_equal(u.gecos, want);
    eksauth_iddb_close(db);
    free(data);
}

/* gecos made from a username reads as it is: no hidden, reordering or control characters. */
static void test_gecos_printable(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, "/home/%u", "/bin/bash", LO + 1, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", LO + 1, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_error err = {0};
    char k8s[301], want[257];

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    /* U+202E (right-to-left override), U+0085 (a C1 control), U+200B (zero width), ':' */
    assert_gecos(b, "dev-mallory", LO + 300, "dev:mal\xe2\x80\xaelory\xc2\x85x\xe2\x80\x8b",
                 "dev-mal?lory?x?");
    /* Plain ASCII as it is, ',' replaced, cut at 256 bytes (what follows does not count). */
    memset(k8s, 'a', 300);
    k8s[300] = '\0';
    k8s[10] = ',';
    k8s[280] = '\t';
    memset(want, 'a', 256);
    want[256] = '\0';
    want[10] = '-';
    assert_gecos(b, "dev-long", LO + 302, k8s, want);
    assert_gecos(b, "dev-tab", LO + 303, "dev\tx~", "dev?x~");
    /* A gecos given as such is refused when it hides anything. */
    in.login = "dev-eve";
    in.k8s_username = "dev:eve";
    in.uid = LO + 301;
    in.gecos = "eve\xe2\x80\xae";
    assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_EINVAL);
    eksauth_iddb_builder_free(b);
}

/*
 * A DB an earlier eksauth wrote may hold a gecos printable.h's rule of
 * today refuses (a variation selector passed before 5df24ec): copying it
 * for a login's record makes it again from the k8s username, never fails
 * the login until the next sync.
 */
static void test_from_db_gecos_of_an_older_rule(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, "/home/%u", "/bin/bash", LO + 1, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", LO + 1, 0};
    struct eksauth_iddb_builder *b = NULL, *b2 = NULL;
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    void *data = NULL;
    unsigned char *at;
    size_t len = 0;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    in.login = "dev-alice";
    in.k8s_username = "dev:alice";
    in.uid = LO + 300;
    in.gecos = "AlicexyZ";
    assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    /* What the earlier rule wrote: "Alice" and U+FE0F, in the same bytes. */
    at = memmem(data, len, "AlicexyZ", 8);
    assert_non_null(at);
    memcpy(at + 5, "\xef\xb8\x8f", 3);
    eksauth_iddb_reseal(data, len);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    free(data);
    db = iddb_sample_open(b2, &data);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dev-alice", &u), EKSAUTH_OK);
    assert_string_equal(u.gecos, "dev-alice");
    assert_int_equal(u.uid, LO + 300);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_builder_free(b);
}

static void test_builder_refusals(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    const char *unknown[] = {"eks-nope"};
    const char *other_private[] = {"build"};
    struct eksauth_iddb_user_in u = {0};
    struct eksauth_iddb_group_in g = {0};
    struct eksauth_iddb_params bad = {5, 4, NULL, NULL, 0, false, 0};
    struct eksauth_iddb_params rel = {0, 0, "home/%u", NULL, 0, false, 0};
    struct eksauth_iddb_params from_root = {0, 4, NULL, NULL, 0, false, 0}; /* id 0 is root */
    struct eksauth_iddb_builder *x = NULL;

    (void)state;
    assert_int_equal(eksauth_iddb_builder_new(&bad, &x, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_builder_new(&rel, &x, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_builder_new(&from_root, &x, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "bad id range 0-4"));
    assert_null(x);

    u.login = "carol";
    u.k8s_username = "carol";
    u.uid = LO + 200;
#define REFUSED(field, value)                                                                      \
    do {                                                                                           \
        struct eksauth_iddb_user_in v = u;                                                         \
        v.field = value;                                                                           \
        assert_int_equal(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);              \
    } while (0)
    REFUSED(login, "Carol");
    REFUSED(login, "1carol");
    REFUSED(login, "carol:x");
    REFUSED(login, "build");    /* already there */
    REFUSED(login, "eks-devs"); /* a group's name */
    REFUSED(login, NULL);
    REFUSED(uid, 0);        /* root */
    REFUSED(uid, 1000);     /* outside the range */
    REFUSED(uid, LO + 100); /* build's uid */
    REFUSED(uid, LO + 10);  /* a group's gid */
    REFUSED(gecos, "a:b");
    REFUSED(gecos, "a,b");
    REFUSED(gecos, "a\nb");
    REFUSED(home, "/home/a:b");
    REFUSED(home, "relative");
    REFUSED(shell, "/bin/sh\n");
    REFUSED(k8s_username, "a\nb");
    REFUSED(flags, 0x80);
    REFUSED(gid, LO + 999); /* no such group */
    REFUSED(gid, LO + 100); /* a user's uid is no group */
    REFUSED(gid, 10);       /* a local group is not served: never a primary group */
    {
        struct eksauth_iddb_user_in v = u;

        v.groups = unknown;
        v.n_groups = 1;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "unknown group eks-nope"));
        v.groups = other_private;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    }
    /* nothing was left behind by the refusals: carol adds cleanly now, with no group of her own */
    assert_int_equal(eksauth_iddb_builder_add_user(b, &u, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_builder_has_user(b, "carol"));
    assert_false(eksauth_iddb_builder_has_group(b, "carol"));

    g.name = "eks-x";
    g.gid = LO + 300;
#define GREFUSED(field, value)                                                                     \
    do {                                                                                           \
        struct eksauth_iddb_group_in v = g;                                                        \
        v.field = value;                                                                           \
        assert_int_equal(eksauth_iddb_builder_add_group(b, &v, &err), EKSAUTH_EINVAL);             \
    } while (0)
    GREFUSED(name, "eks:x");
    GREFUSED(name, "eks-devs");
    GREFUSED(name, "build"); /* a user's name */
    GREFUSED(gid, 0);
    GREFUSED(gid, 5);        /* not local: must be in range */
    GREFUSED(gid, LO + 11);  /* eks-devs' gid */
    GREFUSED(gid, LO + 100); /* build's uid */
    GREFUSED(flags, 4);
    GREFUSED(k8s_group, "a\nb");
    {
        /* A local group may lie outside the range, never at gid 0 (root's group). */
        struct eksauth_iddb_group_in v = g;

        v.flags = EKSAUTH_IDDB_GROUP_LOCAL;
        v.gid = 0;
        assert_int_equal(eksauth_iddb_builder_add_group(b, &v, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "gid 0 out of range"));
    }
    assert_int_equal(eksauth_iddb_builder_add_group(b, &g, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "", &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_builder_add_denied(b, "", &err), EKSAUTH_EINVAL);
    eksauth_iddb_builder_free(b);
}

static void test_builder_remove(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    struct eksauth_iddb_user_in again = {0};
    void *data = NULL;
    size_t len;

    (void)state;
    assert_true(eksauth_iddb_builder_remove_user(b, "build"));
    assert_false(eksauth_iddb_builder_remove_user(b, "build"));
    assert_false(eksauth_iddb_builder_id_used(b, LO + 100));
    /* the uid and name are free again */
    again.login = "build";
    again.uid = LO + 100;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &again, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_builder_remove_user(b, "build"));
    assert_int_equal(eksauth_iddb_builder_user_count(b), 1);
    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_by_name(db, "build", &g), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-system-masters", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 0);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 1);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
    free(data);
}

/* The fields the format makes room for: last_login and tombstones, sorted by id. */
static void test_last_login_and_tombstones(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder(), *b2 = NULL;
    struct eksauth_iddb *db = NULL, *db2 = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_tombstone t;
    struct eksauth_error err = {0};
    struct eksauth_iddb_user_in carol = {0};
    struct eksauth_iddb_tombstone_in gone[] = {
        {"dave", LO + 300, false, 1800000000u},
        {"dave", LO + 300, true, 1800000500u}, /* his private group: the same id, as a gid */
        {"eks-old", LO + 20, true, 1700000000u},
    };
    struct eksauth_iddb_tombstone_in bad;
    void *data = NULL, *data2 = NULL;
    size_t len, len2, i;
    uint64_t until;

    (void)state;
    carol.login = "carol";
    carol.k8s_username = "carol";
    carol.uid = LO + 400;
    carol.last_login = 1767225600u;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &carol, &err), EKSAUTH_OK);
    for (i = 0; i < 3; i++)
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &gone[i], &err), EKSAUTH_OK);
    /* refused: an id in use, the same id and kind twice, id 0, an invalid name */
    bad = gone[0];
    bad.id = LO + 100;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &bad, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "belongs to a current entry"));
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &gone[0], &err), EKSAUTH_EINVAL);
    bad = gone[0];
    bad.id = 0;
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &bad, &err), EKSAUTH_EINVAL);
    bad = gone[0];
    bad.name = "Dave:x";
    assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &bad, &err), EKSAUTH_EINVAL);

    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_OK);
    assert_true(u.last_login == 1767225600u);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    assert_true(u.last_login == 0); /* a synced static user */
    /* sorted by id; the name and time kept */
    assert_int_equal(eksauth_iddb_tombstone_count(db), 3);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "eks-old");
    assert_int_equal(t.id, LO + 20);
    assert_true(t.is_group);
    assert_true(t.until == 1700000000u);
    assert_int_equal(eksauth_iddb_tombstone_at(db, 3, &t), EKSAUTH_ENOTFOUND);
    /* held ids: the latest time of any tombstone of that id */
    assert_true(eksauth_iddb_id_held(db, LO + 300, &until));
    assert_true(until == 1800000500u);
    assert_true(eksauth_iddb_id_held(db, LO + 20, NULL));
    assert_false(eksauth_iddb_id_held(db, LO + 21, &until));
    assert_false(eksauth_iddb_id_held(db, LO + 100, &until));
    /* never served by a lookup */
    assert_int_equal(eksauth_iddb_user_by_uid(db, LO + 300, &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_name(db, "dave", &u), EKSAUTH_ENOTFOUND);
    /* carried by from_db: the same bytes again */
    assert_int_equal(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    eksauth_iddb_builder_set_generation(b2, 1);
    assert_int_equal(eksauth_iddb_builder_serialize(b2, &data2, &len2, &err), EKSAUTH_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(data, data2, len);
    assert_int_equal(eksauth_iddb_open_mem(data2, len2, &db2, &err), EKSAUTH_OK);
    eksauth_iddb_close(db2);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
    free(data);
    free(data2);
}

/* A builder from_db makes of db, b's image: it writes the same bytes as b. */
static struct eksauth_iddb_builder *same_through_from_db(const struct eksauth_iddb_builder *b,
                                                         const struct eksauth_iddb *db)
{
    struct eksauth_iddb_builder *b2 = NULL;
    struct eksauth_error err = {0};
    void *data = NULL, *data2 = NULL;
    size_t len, len2;

    assert_status(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    eksauth_iddb_builder_set_generation(b2, eksauth_iddb_generation(db));
    assert_status(eksauth_iddb_builder_serialize(b2, &data2, &len2, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(data, data2, len);
    free(data);
    free(data2);
    return b2;
}

/*
 * Tombstones by the hundred thousand (a DB carries every removal of
 * id_tombstone_days: CI session names, a hostile aws-auth's churn): each
 * id and kind held once, by the first tombstone added (a later one, even
 * one lasting longer, is refused), through serialise and from_db.  Each
 * add used to scan all the others and grow the array by one: 200,000 of
 * them and their 200,000 duplicates took minutes; now well under a second.
 * alarm() is only a watchdog, far above what they need (well under a second).
 */
#define MANY_TOMBS 100000u

static void test_many_tombstones(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder(), *b2 = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_tombstone t;
    struct eksauth_error err = {0};
    void *data = NULL;
    uint64_t until;
    uint32_t i, kind;
    char name[32];

    (void)state;
    alarm(60);
    /* Each id as a uid and as a gid: two tombstones, both kept. */
    for (kind = 0; kind < 2; kind++) {
        for (i = 0; i < MANY_TOMBS; i++) {
            struct eksauth_iddb_tombstone_in in = {name, LO + 1000 + i, kind == 1, 1800000000u + i};

            snprintf(name, sizeof(name), "gone%u", i);
            assert_status(eksauth_iddb_builder_add_tombstone(b, &in, &err), EKSAUTH_OK);
        }
    }
    /* The same id and kind again, lasting longer and under another name: refused, the first kept.
     */
    for (kind = 0; kind < 2; kind++) {
        for (i = 0; i < MANY_TOMBS; i++) {
            struct eksauth_iddb_tombstone_in in = {"again", LO + 1000 + i, kind == 1, UINT64_MAX};

            assert_status(eksauth_iddb_builder_add_tombstone(b, &in, &err), EKSAUTH_EINVAL);
        }
    }
    assert_non_null(strstr(err.msg, "gid 1900100999 already held"));
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 2 * MANY_TOMBS);
    /* Sorted by id, the uid's before the gid's; names and times the first ones'. */
    assert_status(eksauth_iddb_tombstone_at(db, 2 * 777, &t), EKSAUTH_OK);
    assert_int_equal(t.id, LO + 1000 + 777);
    assert_false(t.is_group);
    assert_string_equal(t.name, "gone777");
    assert_true(t.until == 1800000000u + 777);
    assert_status(eksauth_iddb_tombstone_at(db, 2 * 777 + 1, &t), EKSAUTH_OK);
    assert_true(t.is_group);
    assert_true(eksauth_iddb_id_held(db, LO + 1000 + MANY_TOMBS - 1, &until));
    assert_true(until == 1800000000u + MANY_TOMBS - 1);
    assert_false(eksauth_iddb_id_held(db, LO + 1000 + MANY_TOMBS, NULL));
    /* What a first login does under the DB's lock: all of them again, the same bytes. */
    b2 = same_through_from_db(b, db);
    /* Cleared, the ids are free to hold again. */
    eksauth_iddb_builder_clear_tombstones(b2);
    {
        struct eksauth_iddb_tombstone_in in = {"again", LO + 1000, false, 1};

        assert_status(eksauth_iddb_builder_add_tombstone(b2, &in, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_builder_add_tombstone(b2, &in, &err), EKSAUTH_EINVAL);
    }
    alarm(0);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_builder_free(b);
    free(data);
}

/*
 * A removed login that comes back within id_tombstone_days gets its own id
 * again while its tombstone is still in the DB (iddb_template.h): the
 * first login records the user beside it (lib/iddb_record.c).  from_db,
 * what every later recorded login starts with, drops that tombstone as the
 * sync's carry does (tombstone.h); it used to refuse the DB ("belongs to a
 * current entry"), and every first login and daily refresh on the host
 * then failed until the next sync.
 */
static void test_from_db_login_back_on_its_tombstone(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder(), *b2 = NULL;
    struct eksauth_iddb_tombstone_in own = {"admin-bob", LO + 300, false, 1800000000u};
    struct eksauth_iddb_tombstone_in group = {"eks-ops", LO + 301, true, 1800000000u};
    struct eksauth_iddb_user_in bob = {0};
    struct eksauth_iddb_user u;
    struct eksauth_iddb_tombstone t;
    struct eksauth_iddb *db = NULL, *db2 = NULL;
    struct eksauth_error err = {0};
    void *data = NULL, *data2 = NULL;

    (void)state;
    assert_status(eksauth_iddb_builder_add_tombstone(b, &own, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_tombstone(b, &group, &err), EKSAUTH_OK);
    bob.login = "admin-bob";
    bob.k8s_username = "admin:bob";
    bob.uid = LO + 300;
    bob.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    assert_status(eksauth_iddb_builder_add_user(b, &bob, &err), EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 2);
    assert_status(eksauth_iddb_builder_from_db(db, &b2, &err), EKSAUTH_OK);
    db2 = iddb_sample_open(b2, &data2);
    assert_status(eksauth_iddb_user_by_name(db2, "admin-bob", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, LO + 300);
    /* Only the tombstone no entry uses again is left. */
    assert_int_equal(eksauth_iddb_tombstone_count(db2), 1);
    assert_status(eksauth_iddb_tombstone_at(db2, 0, &t), EKSAUTH_OK);
    assert_string_equal(t.name, "eks-ops");
    eksauth_iddb_close(db2);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_builder_free(b);
    free(data);
    free(data2);
}

/*
 * Templates and denied names by the hundred thousand (a generated or
 * hostile aws-auth: one template a templated entry, one denied name a
 * collision): each kept once, in the order first added, through
 * serialise and from_db.  Each add used to scan all the others: 30,000
 * of each took 5 s a first login, under the DB's lock.  alarm() is only
 * a watchdog.
 */
#define MANY_STRS 100000u

static void test_many_templates_and_denied(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, 0, false, 0};
    struct eksauth_iddb_builder *b = NULL, *b2 = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    void *data = NULL;
    uint32_t i, pass;
    char s[64];

    (void)state;
    alarm(60);
    assert_status(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < MANY_STRS; i++) {
            /* Backwards: the templates keep this order, the denied names are sorted. */
            snprintf(s, sizeof(s), "t%u-{{SessionName}}", MANY_STRS - 1 - i);
            assert_status(eksauth_iddb_builder_add_template(b, s, &err), EKSAUTH_OK);
            snprintf(s, sizeof(s), "refused%06u", MANY_STRS - 1 - i);
            assert_status(eksauth_iddb_builder_add_denied(b, s, &err), EKSAUTH_OK);
        }
    }
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_template_count(db), MANY_STRS);
    assert_int_equal(eksauth_iddb_denied_count(db), MANY_STRS);
    assert_string_equal(eksauth_iddb_template_at(db, 0), "t99999-{{SessionName}}");
    assert_string_equal(eksauth_iddb_template_at(db, MANY_STRS - 1), "t0-{{SessionName}}");
    assert_string_equal(eksauth_iddb_denied_at(db, 0), "refused000000");
    assert_true(eksauth_iddb_is_denied(db, "refused054321"));
    assert_false(eksauth_iddb_is_denied(db, "refused100000"));
    /* What a first login does under the DB's lock: all of them again, the same bytes. */
    b2 = same_through_from_db(b, db);
    /* Cleared, a template is new again. */
    eksauth_iddb_builder_clear_templates(b2);
    assert_status(eksauth_iddb_builder_add_template(b2, "t5-{{SessionName}}", &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_template(b2, "t5-{{SessionName}}", &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    free(data);
    db = iddb_sample_open(b2, &data);
    assert_int_equal(eksauth_iddb_template_count(db), 1);
    alarm(0);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b2);
    eksauth_iddb_builder_free(b);
    free(data);
}

/* A reserve is a hint: the same bytes whether it was too small, too large or late. */
static void test_builder_reserve(void **state)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    size_t len0, len, i;
    void *plain = iddb_sample_many(3000, UINT32_MAX, 0, 0, &len0), *data;
    const struct {
        uint32_t after;
        size_t users, groups;
    } cases[] = {{0, 3000, 2}, {0, 10, 1}, {1500, 100000, 50}, {2999, 1, 0}};

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        data = iddb_sample_many(3000, cases[i].after, cases[i].users, cases[i].groups, &len);
        assert_int_equal(len, len0);
        assert_memory_equal(data, plain, len0);
        free(data);
    }
    /* More than memory can hold: refused, and the builder still works. */
    assert_int_equal(eksauth_iddb_builder_new(NULL, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_reserve(b, SIZE_MAX / 2, 0, &err), EKSAUTH_ENOMEM);
    {
        struct eksauth_iddb_group_in gi = {"eks-all", "all", EKSAUTH_ID_MIN + 2, 0};

        assert_int_equal(eksauth_iddb_builder_add_group(b, &gi, &err), EKSAUTH_OK);
        assert_true(eksauth_iddb_builder_has_group(b, "eks-all"));
    }
    eksauth_iddb_builder_free(b);
    free(plain);
}

/*
 * No params: names.h's id range, /home/%u and /bin/bash, generation 1, no
 * users' group, not keyed.  A check value without keyed is not written:
 * the header's key check says which key ids are keyed by, and these are not.
 */
static void test_params_defaults(void **state)
{
    struct eksauth_iddb_params unkeyed = {LO, HI, NULL, NULL, 0, false, 0x0123456789abcdefull};
    struct eksauth_iddb_params relative = {0, 0, NULL, "bin/sh", 0, false, 0};
    struct eksauth_iddb_params colon = {0, 0, NULL, "/bin:/sh", 0, false, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db;
    struct eksauth_error err = {0};
    void *data = NULL;
    size_t len = 0;
    uint32_t lo, hi;

    (void)state;
    assert_status(eksauth_iddb_builder_new(NULL, &b, &err), EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    eksauth_iddb_id_range(db, &lo, &hi);
    assert_int_equal(lo, EKSAUTH_ID_MIN);
    assert_int_equal(hi, EKSAUTH_ID_MAX);
    assert_string_equal(eksauth_iddb_home_pattern(db), "/home/%u");
    assert_string_equal(eksauth_iddb_shell(db), "/bin/bash");
    assert_int_equal(eksauth_iddb_generation(db), 1);
    assert_int_equal(eksauth_iddb_users_gid(db), 0);
    assert_false(eksauth_iddb_keyed(db, NULL));
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
    free(data);

    assert_status(eksauth_iddb_builder_new(&unkeyed, &b, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_OK);
    assert_true(eksauth_le32_get((unsigned char *)data + IDDB_H_FLAGS) == 0);
    assert_true(eksauth_le64_get((unsigned char *)data + IDDB_H_KEY_CHECK) == 0);
    eksauth_iddb_builder_free(b);
    free(data);

    /* The shell is served in passwd lines as the home is: absolute, no ':'. */
    assert_status(eksauth_iddb_builder_new(&relative, &b, &err), EKSAUTH_EINVAL);
    assert_null(b);
    assert_status(eksauth_iddb_builder_new(&colon, &b, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "home and shell must be absolute paths without ':'"));
    assert_null(b);
}

/*
 * A builder made from a DB writes the next generation (the snapshot and
 * the login index name the DB they belong to by it: lib/snapshot.c);
 * set_generation writes what it is given.
 */
static void test_generation(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder(), *next = NULL;
    struct eksauth_iddb *db, *db2;
    struct eksauth_error err = {0};
    void *data = NULL, *data2 = NULL;

    (void)state;
    eksauth_iddb_builder_set_generation(b, 41);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_generation(db), 41);
    assert_status(eksauth_iddb_builder_from_db(db, &next, &err), EKSAUTH_OK);
    db2 = iddb_sample_open(next, &data2);
    assert_int_equal(eksauth_iddb_generation(db2), 42);
    eksauth_iddb_close(db2);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(next);
    eksauth_iddb_builder_free(b);
    free(data2);
    free(data);
}

/*
 * A group is served, local (group_map) or private (read back from a
 * version 2 file): never local and private at once, which would be a
 * user's own group at an id outside the range.
 */
static void test_group_flags(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_group_in both = {"eks-x", "", LO + 300,
                                         EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL};
    struct eksauth_iddb_group_in unnamed = {NULL, "", LO + 300, 0};
    struct eksauth_error err = {0};

    (void)state;
    assert_status(eksauth_iddb_builder_add_group(b, &both, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "group eks-x: bad flags"));
    assert_status(eksauth_iddb_builder_add_group(b, &unnamed, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "group '(null)': invalid name"));
    assert_false(eksauth_iddb_builder_has_group(b, "eks-x"));
    assert_false(eksauth_iddb_builder_id_used(b, LO + 300));
    eksauth_iddb_builder_free(b);
}

/*
 * A version 2 file gave each user a private group of its name and id
 * (docs/identity-db.md, "Versioning"): read back, the user may share both
 * with it, and no one else may join it, take its id, or have its name with
 * another primary group.  Removing the user removes its private group.
 */
static void test_private_group_of_its_user(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_group_in own = {"dave", "", LO + 300, EKSAUTH_IDDB_GROUP_PRIVATE};
    const char *daves[] = {"dave"};
    struct eksauth_iddb_user_in dave = {.login = "dave", .k8s_username = "dave"}, v;
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    void *data = NULL;

    (void)state;
    assert_status(eksauth_iddb_builder_add_group(b, &own, &err), EKSAUTH_OK);
    /* Not at the group's id, or not with it as primary group: the group is someone else's. */
    dave.uid = LO + 301;
    dave.gid = LO + 301;
    assert_status(eksauth_iddb_builder_add_user(b, &dave, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "a group of that name exists"));
    dave.uid = LO + 300;
    dave.gid = 0; /* the users' group */
    assert_status(eksauth_iddb_builder_add_user(b, &dave, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "uid 1900000300 already used"));
    dave.gid = LO + 300;
    dave.groups = daves; /* its own group listed again: it is its primary group */
    dave.n_groups = 1;
    assert_status(eksauth_iddb_builder_add_user(b, &dave, &err), EKSAUTH_OK);
    /* carol may not join dave's group, nor take its id. */
    v = dave;
    v.login = "carol";
    v.k8s_username = "carol";
    v.uid = LO + 301;
    v.gid = 0;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: unknown group dave"));
    v.n_groups = 0;
    v.uid = LO + 300;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "uid 1900000300 already used"));
    /* ...nor have it as primary group: she would get the group's access to dave's files. */
    v.uid = LO + 301;
    v.gid = LO + 300;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: no group with gid 1900000300"));

    db = iddb_sample_open(b, &data);
    assert_status(eksauth_iddb_user_by_name(db, "dave", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, LO + 300);
    assert_int_equal(u.gid, LO + 300);
    assert_int_equal(u.n_groups, 0);
    assert_status(eksauth_iddb_group_by_gid(db, LO + 300, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "dave");
    assert_int_equal(g.flags, EKSAUTH_IDDB_GROUP_PRIVATE);
    assert_int_equal(g.n_members, 0);
    eksauth_iddb_close(db);
    free(data);

    assert_true(eksauth_iddb_builder_remove_user(b, "dave"));
    assert_false(eksauth_iddb_builder_has_group(b, "dave"));
    assert_false(eksauth_iddb_builder_id_used(b, LO + 300));
    assert_int_equal(eksauth_iddb_builder_group_count(b), 4);
    db = iddb_sample_open(b, &data);
    assert_status(eksauth_iddb_group_by_name(db, "dave", &g), EKSAUTH_ENOTFOUND);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b);
}

/*
 * A user's groups are one record each: a group named twice is listed
 * once, and its primary group is not listed (nor is the user a member of
 * it: NSS gives the primary group from the passwd line).
 */
static void test_user_groups_once(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    const char *groups[] = {"eks-devs", "eks-users", "eks-devs", "wheel", "wheel"};
    struct eksauth_iddb_user_in carol = {.login = "carol",
                                         .k8s_username = "carol",
                                         .uid = LO + 200,
                                         .groups = groups,
                                         .n_groups = 5};
    struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    const char *m;
    size_t mlen;
    void *data = NULL;

    (void)state;
    assert_status(eksauth_iddb_builder_add_user(b, &carol, &err), EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_status(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_OK);
    assert_int_equal(u.gid, USERS_GID);
    assert_int_equal(u.n_groups, 2);
    assert_status(eksauth_iddb_user_group(db, &u, 0, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-devs");
    assert_status(eksauth_iddb_user_group(db, &u, 1, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "wheel");
    /* eks-devs: admin-alice, build, carol (login order), carol once */
    assert_status(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 3);
    assert_status(eksauth_iddb_group_member(db, &g, 2, &m, &mlen), EKSAUTH_OK);
    assert_string_equal(m, "carol");
    assert_status(eksauth_iddb_group_by_name(db, "eks-users", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 0);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
    free(data);
}

/*
 * The limits of a user: at most EKSAUTH_IDDB_MAX_GROUPS groups, no
 * newline in its ARN, no string longer than EKSAUTH_IDDB_STR_MAX, every
 * group it names a real one, and a home its pattern makes longer than a
 * path can be refused rather than cut (a cut home is another folder).
 */
static void test_user_limits(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, USERS_GID, false, 0};
    struct eksauth_iddb_builder *b = iddb_sample_groups(&p), *long_home = NULL;
    const char **many = calloc(EKSAUTH_IDDB_MAX_GROUPS + 1, sizeof(*many));
    const char *none[] = {NULL};
    char *huge = malloc(EKSAUTH_IDDB_STR_MAX + 2), pattern[1 + 2 * 200 + 1];
    struct eksauth_iddb_user_in u = {0}, v;
    struct eksauth_error err = {0};
    size_t i;

    (void)state;
    assert_non_null(many);
    assert_non_null(huge);
    for (i = 0; i <= EKSAUTH_IDDB_MAX_GROUPS; i++)
        many[i] = "eks-devs";
    memset(huge, 'a', EKSAUTH_IDDB_STR_MAX + 1);
    huge[EKSAUTH_IDDB_STR_MAX + 1] = '\0';
    u.login = "carol";
    u.k8s_username = "carol";
    u.uid = LO + 200;

    v = u;
    v.groups = many;
    v.n_groups = EKSAUTH_IDDB_MAX_GROUPS + 1;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: bad flags or groups"));
    v.groups = none;
    v.n_groups = 1;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: unknown group (null)"));
    v = u;
    v.arn = "arn:aws:iam::123456789012:user/carol\nroot:x:0:0::/root:/bin/sh";
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: bad k8s name or ARN"));
    v = u;
    v.k8s_username = huge;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "user carol: bad k8s name or ARN"));
    huge[EKSAUTH_IDDB_STR_MAX] = '\0';
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_builder_remove_user(b, "carol"));
    /* MAX_GROUPS names are no more than that. */
    v = u;
    v.groups = many;
    v.n_groups = EKSAUTH_IDDB_MAX_GROUPS;
    assert_status(eksauth_iddb_builder_add_user(b, &v, &err), EKSAUTH_OK);

    /* "/%u%u...": 401 bytes of pattern, 200 logins long once expanded. */
    pattern[0] = '/';
    for (i = 0; i < 200; i++)
        memcpy(pattern + 1 + 2 * i, "%u", 2);
    pattern[sizeof(pattern) - 1] = '\0';
    p.home = pattern;
    long_home = iddb_sample_groups(&p);
    v = u;
    v.login = "a2345678901234567890123456789012"; /* 32 bytes: 6,401 once expanded */
    assert_status(eksauth_iddb_builder_add_user(long_home, &v, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "home too long"));
    assert_false(eksauth_iddb_builder_has_user(long_home, v.login));
    v.login = "ab"; /* 401 */
    assert_status(eksauth_iddb_builder_add_user(long_home, &v, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(long_home);
    eksauth_iddb_builder_free(b);
    free(huge);
    free(many);
}

/*
 * Templates and denied names: whole lines only (no newline, not empty),
 * each kept once; clear_templates and clear_tombstones leave none.
 */
static void test_templates_denied_and_clearing(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_tombstone_in gone = {"dave", LO + 300, false, 1800000000u};
    struct eksauth_iddb *db;
    struct eksauth_error err = {0};
    void *data = NULL;

    (void)state;
    assert_status(eksauth_iddb_builder_add_template(b, NULL, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_iddb_builder_add_template(b, "a:{{SessionName}}\nb", &err),
                  EKSAUTH_EINVAL);
    assert_status(eksauth_iddb_builder_add_denied(b, NULL, &err), EKSAUTH_EINVAL);
    assert_status(eksauth_iddb_builder_add_denied(b, "root\nbuild", &err), EKSAUTH_EINVAL);
    /* The sample's own again, and one more of each. */
    assert_status(eksauth_iddb_builder_add_template(b, "admin:{{SessionName}}", &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_template(b, "ops:{{SessionName}}", &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_denied(b, "postgres", &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_denied(b, "mysql", &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_tombstone(b, &gone, &err), EKSAUTH_OK);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_template_count(db), 2);
    assert_string_equal(eksauth_iddb_template_at(db, 1), "ops:{{SessionName}}");
    assert_int_equal(eksauth_iddb_denied_count(db), 3);
    assert_true(eksauth_iddb_is_denied(db, "mysql"));
    assert_int_equal(eksauth_iddb_tombstone_count(db), 1);
    eksauth_iddb_close(db);
    free(data);

    eksauth_iddb_builder_clear_templates(b);
    eksauth_iddb_builder_clear_tombstones(b);
    db = iddb_sample_open(b, &data);
    assert_int_equal(eksauth_iddb_template_count(db), 0);
    assert_int_equal(eksauth_iddb_tombstone_count(db), 0);
    assert_false(eksauth_iddb_id_held(db, LO + 300, NULL));
    assert_int_equal(eksauth_iddb_denied_count(db), 3);
    eksauth_iddb_close(db);
    free(data);
    eksauth_iddb_builder_free(b);
}

/*
 * NSS gives the users' gid to a templated name before its first login:
 * the group there must be a plain served one, not a local group (the
 * admin's, anywhere) that happens to hold that gid.
 */
static void test_users_gid_is_a_served_group(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, LO + 5, false, 0};
    struct eksauth_iddb_group_in staff = {"staff", "", LO + 5, EKSAUTH_IDDB_GROUP_LOCAL};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};
    void *data = NULL;
    size_t len = 0;

    (void)state;
    assert_status(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_add_group(b, &staff, &err), EKSAUTH_OK);
    assert_status(eksauth_iddb_builder_serialize(b, &data, &len, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no served group has the users' gid 1900000005"));
    assert_null(data);
    assert_int_equal(len, 0);
    eksauth_iddb_builder_free(b);
}

/*
 * One POSIX group is one k8s group (docs/names-and-ids.md): a group is
 * another's only when both are eksauth's for the same k8s group, or both
 * local (group_map may send several k8s groups to one on purpose).
 */
static void test_same_group(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_group_in devs = {"eks-devs", "devs", LO + 11, 0};
    struct eksauth_iddb_group_in users = {"eks-users", NULL, USERS_GID, 0};
    struct eksauth_iddb_group_in wheel = {"wheel", "system:masters", 10, EKSAUTH_IDDB_GROUP_LOCAL};
    struct eksauth_iddb_group_in v;

    (void)state;
    assert_true(eksauth_iddb_same_group(0, "devs", &devs));
    assert_false(eksauth_iddb_same_group(0, "Devs", &devs));
    assert_false(eksauth_iddb_same_group(0, "", &devs));
    assert_false(eksauth_iddb_same_group(EKSAUTH_IDDB_GROUP_LOCAL, "devs", &devs));
    assert_true(eksauth_iddb_same_group(0, "", &users)); /* NULL k8s group: "" */
    assert_true(eksauth_iddb_same_group(EKSAUTH_IDDB_GROUP_LOCAL, "", &wheel));
    assert_false(eksauth_iddb_same_group(0, "system:masters", &wheel));

    assert_true(eksauth_iddb_builder_group_is(b, &devs));
    assert_true(eksauth_iddb_builder_group_is(b, &users));
    assert_true(eksauth_iddb_builder_group_is(b, &wheel));
    v = devs;
    v.k8s_group = "ops";
    assert_false(eksauth_iddb_builder_group_is(b, &v));
    v.name = "eks-ops";
    assert_false(eksauth_iddb_builder_group_is(b, &v));
    eksauth_iddb_builder_free(b);
}

EKSAUTH_UNIT_MAIN(
    cmocka_unit_test(test_params_defaults), cmocka_unit_test(test_keyed_header),
    cmocka_unit_test(test_generation), cmocka_unit_test(test_deterministic_and_from_db),
    cmocka_unit_test(test_empty_db), cmocka_unit_test(test_gecos_printable),
    cmocka_unit_test(test_from_db_gecos_of_an_older_rule), cmocka_unit_test(test_builder_refusals),
    cmocka_unit_test(test_group_flags), cmocka_unit_test(test_private_group_of_its_user),
    cmocka_unit_test(test_user_groups_once), cmocka_unit_test(test_user_limits),
    cmocka_unit_test(test_templates_denied_and_clearing),
    cmocka_unit_test(test_users_gid_is_a_served_group), cmocka_unit_test(test_same_group),
    cmocka_unit_test(test_builder_remove), cmocka_unit_test(test_last_login_and_tombstones),
    cmocka_unit_test(test_many_tombstones), cmocka_unit_test(test_many_templates_and_denied),
    cmocka_unit_test(test_from_db_login_back_on_its_tombstone),
    cmocka_unit_test(test_builder_reserve))
