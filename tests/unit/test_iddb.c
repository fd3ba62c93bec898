/*
 * test_iddb.c - lib/iddb.c: the identity DB's reader.  Lookups by name and
 * id, enumeration, header and config data, a written file opened and
 * trusted or refused, its mapping advice, the name filter; and the
 * reader's refusals: every truncation offset, random byte flips (caught by
 * the checksum) and random flips with the checksum recomputed (caught by
 * the record checks), with no crash and no partial entry.  Run it under
 * ASan (configure --enable-sanitizers) to catch any out-of-bounds read.
 * The builder's own checks are tests/unit/test_iddb_write.c's.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/iddb_template.h"
#include "eksauth/names.h"
#include "iddb_sample.h"
#include "smaps.h"
#include "tmpdir.h"

/* ---- checksum ---- */

static void test_checksum_vectors(void **state)
{
    const char *s = "Nobody inspects the spammish repetition";

    (void)state;
    /* Published XXH64 values (seed 0). */
    assert_true(eksauth_iddb_checksum("", 0, 0) == 0xEF46DB3751D8E999ull);
    assert_true(eksauth_iddb_checksum("abc", 3, 0) == 0x44BC2CF5AD770999ull);
    assert_true(eksauth_iddb_checksum(s, strlen(s), 0) == 0xFBCEA83C8A378BF1ull);
}

/* ---- round trip ---- */

static void test_round_trip(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    const char *m;
    size_t len, mlen;
    uint32_t lo, hi;
    void *data = iddb_sample_bytes(&len);

    (void)state;
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_count(db), 2);
    assert_int_equal(eksauth_iddb_group_count(db), 4); /* no private groups */

    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    assert_string_equal(u.login, "build");
    assert_string_equal(u.k8s_username, "build");
    assert_string_equal(u.arn, "arn:aws:iam::123456789012:role/EksCodeBuildKubectlRole");
    assert_string_equal(u.home, "/home/build");
    assert_string_equal(u.shell, "/bin/bash");
    assert_string_equal(u.gecos, "build");
    assert_int_equal(u.uid, LO + 100);
    assert_int_equal(u.gid, USERS_GID);
    assert_int_equal(u.flags, 0);
    assert_int_equal(u.n_groups, 2);
    assert_int_equal(u.login_len, 5);
    /* groups in name order of the group records */
    assert_int_equal(eksauth_iddb_user_group(db, &u, 0, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-system-masters");
    assert_int_equal(eksauth_iddb_user_group(db, &u, 1, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-devs");
    assert_int_equal(eksauth_iddb_user_group(db, &u, 2, &g), EKSAUTH_EINVAL);

    assert_int_equal(eksauth_iddb_user_by_uid(db, LO + 50, &u), EKSAUTH_OK);
    assert_string_equal(u.login, "admin-alice");
    assert_string_equal(u.gecos, "admin-alice"); /* ':' never in gecos */
    assert_int_equal(u.flags, EKSAUTH_IDDB_USER_TEMPLATED);
    assert_int_equal(eksauth_iddb_user_by_name(db, "nobody-here", &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_uid(db, LO + 10, &u), EKSAUTH_ENOTFOUND);

    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    assert_string_equal(g.k8s_group, "devs");
    assert_int_equal(g.gid, LO + 11);
    assert_int_equal(g.n_members, 2);
    assert_int_equal(eksauth_iddb_group_member(db, &g, 0, &m, &mlen), EKSAUTH_OK);
    assert_string_equal(m, "admin-alice");
    assert_int_equal(mlen, 11);
    assert_int_equal(eksauth_iddb_group_member(db, &g, 1, &m, &mlen), EKSAUTH_OK);
    assert_string_equal(m, "build");
    assert_int_equal(eksauth_iddb_group_by_gid(db, 10, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "wheel");
    assert_int_equal(g.flags, EKSAUTH_IDDB_GROUP_LOCAL);
    /* No group is named like a login; the users' group is every user's primary group. */
    assert_int_equal(eksauth_iddb_group_by_name(db, "build", &g), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_by_gid(db, LO + 100, &g), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_by_gid(db, USERS_GID, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-users");
    assert_int_equal(g.flags, 0);

    /* enumeration in name order */
    assert_int_equal(eksauth_iddb_user_at(db, 0, &u), EKSAUTH_OK);
    assert_string_equal(u.login, "admin-alice");
    assert_int_equal(eksauth_iddb_user_at(db, 1, &u), EKSAUTH_OK);
    assert_string_equal(u.login, "build");
    assert_int_equal(eksauth_iddb_user_at(db, 2, &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_group_at(db, 0, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-devs");
    assert_int_equal(eksauth_iddb_group_at(db, 3, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "wheel");

    /* header data */
    eksauth_iddb_id_range(db, &lo, &hi);
    assert_int_equal(lo, LO);
    assert_int_equal(hi, HI);
    assert_string_equal(eksauth_iddb_home_pattern(db), "/home/%u");
    assert_string_equal(eksauth_iddb_shell(db), "/bin/bash");
    assert_int_equal(eksauth_iddb_template_count(db), 1);
    assert_string_equal(eksauth_iddb_template_at(db, 0), "admin:{{SessionName}}");
    assert_null(eksauth_iddb_template_at(db, 1));
    assert_int_equal(eksauth_iddb_denied_count(db), 2);
    assert_string_equal(eksauth_iddb_denied_at(db, 0), "admin-root"); /* sorted */
    assert_true(eksauth_iddb_is_denied(db, "postgres"));
    assert_false(eksauth_iddb_is_denied(db, "build"));
    assert_true(eksauth_iddb_id_used(db, LO + 100));
    assert_true(eksauth_iddb_id_used(db, LO + 10));
    assert_false(eksauth_iddb_id_used(db, LO + 12));
    assert_int_equal(eksauth_iddb_generation(db), 1);
    assert_int_equal(eksauth_iddb_users_gid(db), USERS_GID);
    assert_false(eksauth_iddb_keyed(db, NULL));

    eksauth_iddb_close(db);
    free(data);
}

/* ---- the reader's refusals ---- */

/* Whatever open_mem accepted, every lookup gives whole entries or errors. */
static void exercise(const struct eksauth_iddb *db)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    const char *m;
    size_t mlen;
    uint32_t i, j, uid;

    for (i = 0; i < eksauth_iddb_user_count(db) && i < 64; i++) {
        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        assert_true(eksauth_names_valid(u.login));
        assert_int_equal(strlen(u.login), u.login_len);
        assert_int_equal(strlen(u.gecos), u.gecos_len);
        assert_null(strpbrk(u.gecos, ":,\n"));
        assert_true(u.home[0] == '/' && u.shell[0] == '/');
        assert_true(u.uid >= LO && u.uid <= HI && u.gid != 0);
        for (j = 0; j < u.n_groups; j++)
            if (eksauth_iddb_user_group(db, &u, j, &g) == EKSAUTH_OK)
                assert_true(eksauth_names_valid(g.name) && g.gid != 0);
        (void)eksauth_iddb_user_by_name(db, u.login, &u);
        (void)eksauth_iddb_user_by_uid(db, u.uid, &u);
    }
    for (i = 0; i < eksauth_iddb_group_count(db) && i < 64; i++) {
        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK)
            continue;
        assert_true(eksauth_names_valid(g.name) && g.gid != 0);
        for (j = 0; j < g.n_members && j < 64; j++)
            if (eksauth_iddb_group_member(db, &g, j, &m, &mlen) == EKSAUTH_OK)
                assert_true(eksauth_names_valid(m) && strlen(m) == mlen);
        /* getgrnam's copy: exact-size buffers (ASan), every pointer a short string inside */
        {
            char *names = malloc(g.members_len + 1), **mem = calloc(g.n_members + 1, sizeof(*mem));

            if (eksauth_iddb_group_copy_members(db, &g, names, mem)) {
                for (j = 0; j < g.n_members; j++) {
                    assert_true(mem[j] >= names && mem[j] < names + g.members_len);
                    assert_true(strlen(mem[j]) < (size_t)(names + g.members_len - mem[j]));
                    assert_null(strpbrk(mem[j], ":,\n"));
                }
            }
            free(names);
            free(mem);
        }
        (void)eksauth_iddb_group_by_name(db, g.name, &g);
        (void)eksauth_iddb_group_by_gid(db, g.gid, &g);
    }
    (void)eksauth_iddb_user_by_name(db, "build", &u);
    (void)eksauth_iddb_group_by_name(db, "eks-devs", &g);
    (void)eksauth_iddb_template_user(db, "admin-bob", NULL, &uid);
    (void)eksauth_iddb_is_denied(db, "postgres");
}

static void test_every_truncation(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    size_t len, cut;
    void *data = iddb_sample_bytes(&len);

    (void)state;
    for (cut = 0; cut < len; cut++) {
        /* An exact-size copy, so ASan sees any read past the cut. */
        void *copy = malloc(cut > 0 ? cut : 1);

        memcpy(copy, data, cut);
        assert_int_equal(eksauth_iddb_open_mem(copy, cut, &db, &err), EKSAUTH_EINVAL);
        assert_null(db);
        free(copy);
    }
    /* one byte more is refused as well */
    {
        unsigned char *copy = malloc(len + 1);

        memcpy(copy, data, len);
        copy[len] = 0;
        assert_int_equal(eksauth_iddb_open_mem(copy, len + 1, &db, &err), EKSAUTH_EINVAL);
        free(copy);
    }
    free(data);
}

/* Two users agree on every field (the groups' names and gids included). */
static bool same_user(const struct eksauth_iddb *da, const struct eksauth_iddb_user *a,
                      const struct eksauth_iddb *db, const struct eksauth_iddb_user *b)
{
    struct eksauth_iddb_group ga, gb;
    uint32_t j;

    if (strcmp(a->login, b->login) != 0 || strcmp(a->k8s_username, b->k8s_username) != 0 ||
        strcmp(a->arn, b->arn) != 0 || strcmp(a->gecos, b->gecos) != 0 ||
        strcmp(a->home, b->home) != 0 || strcmp(a->shell, b->shell) != 0 || a->uid != b->uid ||
        a->gid != b->gid || a->flags != b->flags || a->last_login != b->last_login ||
        a->n_groups != b->n_groups)
        return false;
    for (j = 0; j < a->n_groups; j++) {
        /* The group records may sit in a damaged block: an error, never another group. */
        if (eksauth_iddb_user_group(db, b, j, &gb) != EKSAUTH_OK)
            continue;
        if (eksauth_iddb_user_group(da, a, j, &ga) != EKSAUTH_OK || strcmp(ga.name, gb.name) != 0 ||
            ga.gid != gb.gid)
            return false;
    }
    return true;
}

static bool same_group(const struct eksauth_iddb_group *a, const struct eksauth_iddb_group *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->k8s_group, b->k8s_group) == 0 &&
           a->gid == b->gid && a->flags == b->flags && a->n_members == b->n_members &&
           a->members_len == b->members_len && memcmp(a->members, b->members, a->members_len) == 0;
}

/*
 * Every lookup of damaged (opened from a damaged image) gives the answer
 * good gives, or an error: never another entry, never "not found" for an
 * entry that exists.  Returns how many lookups gave an error.
 */
static unsigned answers_same_or_error(const struct eksauth_iddb *good,
                                      const struct eksauth_iddb *damaged)
{
    struct eksauth_iddb_user u, v;
    struct eksauth_iddb_group g, h;
    unsigned errors = 0;
    uint32_t i;

    assert_int_equal(eksauth_iddb_user_count(good), eksauth_iddb_user_count(damaged));
    for (i = 0; i < eksauth_iddb_user_count(good); i++) {
        enum eksauth_status st[3];

        assert_int_equal(eksauth_iddb_user_at(good, i, &u), EKSAUTH_OK);
        st[0] = eksauth_iddb_user_at(damaged, i, &v);
        if (st[0] == EKSAUTH_OK)
            assert_true(same_user(good, &u, damaged, &v));
        st[1] = eksauth_iddb_user_by_name(damaged, u.login, &v);
        if (st[1] == EKSAUTH_OK)
            assert_true(same_user(good, &u, damaged, &v));
        st[2] = eksauth_iddb_user_by_uid(damaged, u.uid, &v);
        if (st[2] == EKSAUTH_OK)
            assert_true(same_user(good, &u, damaged, &v));
        for (int k = 0; k < 3; k++) {
            assert_true(st[k] == EKSAUTH_OK || st[k] == EKSAUTH_EINVAL);
            errors += st[k] != EKSAUTH_OK;
        }
    }
    for (i = 0; i < eksauth_iddb_group_count(good); i++) {
        enum eksauth_status st[3];

        assert_int_equal(eksauth_iddb_group_at(good, i, &g), EKSAUTH_OK);
        st[0] = eksauth_iddb_group_at(damaged, i, &h);
        if (st[0] == EKSAUTH_OK)
            assert_true(same_group(&g, &h));
        st[1] = eksauth_iddb_group_by_name(damaged, g.name, &h);
        if (st[1] == EKSAUTH_OK)
            assert_true(same_group(&g, &h));
        st[2] = eksauth_iddb_group_by_gid(damaged, g.gid, &h);
        if (st[2] == EKSAUTH_OK)
            assert_true(same_group(&g, &h));
        for (int k = 0; k < 3; k++) {
            assert_true(st[k] == EKSAUTH_OK || st[k] == EKSAUTH_EINVAL);
            errors += st[k] != EKSAUTH_OK;
        }
    }
    /* Names and ids that are not there stay absent (or the lookup fails). */
    assert_int_not_equal(eksauth_iddb_user_by_name(damaged, "nobody-here", &v), EKSAUTH_OK);
    assert_int_not_equal(eksauth_iddb_user_by_uid(damaged, LO + 12, &v), EKSAUTH_OK);
    return errors;
}

/* The sample and 150 more users: records over several blocks. */
static struct eksauth_iddb_builder *several_blocks_builder(void)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_error err = {0};
    const char *groups[] = {"eks-devs"};
    char name[32];
    uint32_t i;

    for (i = 0; i < 150; i++) {
        struct eksauth_iddb_user_in u = {0};

        snprintf(name, sizeof(name), "user%u", i);
        u.login = name;
        u.k8s_username = name;
        u.arn = "arn:aws:iam::123456789012:role/a-role-with-a-long-enough-name";
        u.uid = LO + 1000 + i;
        u.groups = groups;
        u.n_groups = 1;
        u.last_login = 1767225600u + i;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &u, &err), EKSAUTH_OK);
    }
    return b;
}

static void *serialize_free(struct eksauth_iddb_builder *b, size_t *len)
{
    struct eksauth_error err = {0};
    void *data = NULL;

    assert_int_equal(eksauth_iddb_builder_serialize(b, &data, len, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    return data;
}

static void *several_blocks(size_t *len)
{
    void *data = serialize_free(several_blocks_builder(), len);

    assert_true(*len >= 6 * 4096);
    return data;
}

static void test_random_flips(void **state)
{
    struct eksauth_iddb *good = NULL, *db = NULL;
    struct eksauth_error err = {0};
    size_t len, blen, i;
    unsigned char *data = iddb_sample_bytes(&len), *big = several_blocks(&blen);
    unsigned accepted = 0, refused = 0, caught_later = 0;

    (void)state;
    srand(12345);
    assert_int_equal(eksauth_iddb_open_mem(big, blen, &good, &err), EKSAUTH_OK);
    /*
     * A flipped byte (every one of the header, 3,000 at random after it):
     * open refuses it (the header page's checksum, the layout, the config
     * block), or every lookup that reads the damaged block fails (its
     * checksum), or it is the stale word (which only makes a reader
     * re-check the path).  Never a different answer.
     */
    for (i = 0; i < 256 + 3000; i++) {
        unsigned char *copy = malloc(blen);
        size_t at = i < 256 ? i : 256 + (size_t)rand() % (blen - 256);

        memcpy(copy, big, blen);
        copy[at] ^= (unsigned char)(1u << (rand() % 8));
        if (eksauth_iddb_open_mem(copy, blen, &db, &err) != EKSAUTH_OK) {
            refused++;
        } else {
            caught_later += answers_same_or_error(good, db) > 0;
            eksauth_iddb_close(db);
        }
        free(copy);
    }
    /* Both kinds of defence were exercised: header flips refused, data flips caught on use. */
    assert_true(refused >= 256 - 8 - 4); /* the header: all but its checksum and stale words */
    assert_true(caught_later > 1000);
    eksauth_iddb_close(good);
    free(big);
    /*
     * Flips with every checksum recomputed (a DB written wrongly rather
     * than damaged): the structural and record checks must hold, whatever
     * open accepts.
     */
    for (i = 0; i < 20000; i++) {
        unsigned char *copy = malloc(len);
        unsigned k, nflips = 1 + (unsigned)(rand() % 4);

        memcpy(copy, data, len);
        for (k = 0; k < nflips; k++) {
            size_t at = 32 + (size_t)rand() % (len - 32);

            copy[at] = (rand() % 2) ? (unsigned char)rand() : copy[at] ^ (1u << (rand() % 8));
        }
        eksauth_iddb_reseal(copy, len);
        if (eksauth_iddb_open_mem(copy, len, &db, &err) == EKSAUTH_OK) {
            accepted++;
            exercise(db);
            eksauth_iddb_close(db);
        }
        free(copy);
    }
    /* Most flips land in strings or ids and open fine: the record checks did the work. */
    assert_true(accepted > 0);
    free(data);
}

/*
 * Targeted corruptions: each breaks one rule of the reader (lib/iddb.c), with
 * the checksums recomputed (or, for the fail-closed rules, one block
 * damaged), so that rule and not a checksum is what refuses.
 */

/* Open copy (len bytes) after resealing it; the status, err set. */
static enum eksauth_status open_resealed(unsigned char *copy, size_t len, struct eksauth_iddb **db,
                                         struct eksauth_error *err)
{
    eksauth_iddb_reseal(copy, len);
    return eksauth_iddb_open_mem(copy, len, db, err);
}

/* Replace every occurrence of the n bytes from by to in data; how many. */
static unsigned replace_bytes(unsigned char *data, size_t len, const void *from, const void *to,
                              size_t n)
{
    unsigned count = 0;
    size_t i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(data + i, from, n) == 0) {
            memcpy(data + i, to, n);
            count++;
        }
    }
    return count;
}

static void le32_put(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, 4);
}

/* Header: id_min 0 (root inside the range) or an unknown flag is refused at open. */
static void test_reader_refuses_header_range_and_flags(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    size_t len;
    unsigned char *data = iddb_sample_bytes(&len), *copy = malloc(len);

    (void)state;
    assert_non_null(copy);
    memcpy(copy, data, len);
    assert_int_equal(open_resealed(copy, len, &db, &err), EKSAUTH_OK); /* the reseal alone */
    eksauth_iddb_close(db);
    db = NULL;
    le32_put(copy + IDDB_H_ID_MIN, 0);
    assert_int_equal(open_resealed(copy, len, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "bad id range or flags"));
    assert_null(db);
    memcpy(copy, data, len);
    copy[IDDB_H_FLAGS + 1] |= 0x01; /* flag 0x100: no such flag */
    assert_int_equal(open_resealed(copy, len, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "bad id range or flags"));
    assert_null(db);
    free(copy);
    free(data);
}

/* A local group's gid may be the admin's choice, never 0: its record and every list naming it. */
static void test_reader_refuses_local_gid_zero(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_group g;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    unsigned char from[8], to[8];
    size_t len;
    unsigned char *data = iddb_sample_bytes(&len);

    (void)state;
    /* {gid, flags} of wheel: in its record and in admin-alice's list of groups. */
    le32_put(from, 10);
    le32_put(from + 4, EKSAUTH_IDDB_GROUP_LOCAL);
    memcpy(to, from, 8);
    le32_put(to, 0);
    assert_int_equal(replace_bytes(data, len, from, to, 8), 2);
    assert_int_equal(open_resealed(data, len, &db, &err), EKSAUTH_OK);
    assert_int_not_equal(eksauth_iddb_group_by_name(db, "wheel", &g), EKSAUTH_OK);
    assert_int_not_equal(eksauth_iddb_user_by_name(db, "admin-alice", &u), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    eksauth_iddb_close(db);
    free(data);
}

/* A ',' in gecos would split the member list of a group line: the record is refused. */
static void test_reader_refuses_comma_in_gecos(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    size_t len;
    unsigned char *data;

    (void)state;
    in.login = "carol";
    in.k8s_username = "carol";
    in.gecos = "Carol Q Example";
    in.uid = LO + 200;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &in, &err), EKSAUTH_OK);
    data = serialize_free(b, &len);
    assert_int_equal(replace_bytes(data, len, "Carol Q", "Carol,", 6), 1);
    assert_int_equal(open_resealed(data, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "carol", &u), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_user_by_uid(db, LO + 200, &u), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    eksauth_iddb_close(db);
    free(data);
}

/*
 * eks-devs' members (build, admin-alice) from data after one change, the
 * checksums recomputed: getgrnam's copy (eksauth_iddb_group_copy_members)
 * and the one-member read (eksauth_iddb_group_member) refuse alike.  dj:
 * added to the second member's offset; bad: the byte bad_at into that
 * member's name made this (-1 for none).  Whether the copy was accepted.
 */
static bool members_after(const unsigned char *data, size_t len, uint32_t dj, int bad,
                          size_t bad_at)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    unsigned char *copy = malloc(len), *off1;
    uint32_t at;
    char *names, *mem[3];
    const char *m;
    size_t mlen;
    bool ok;

    assert_non_null(copy);
    memcpy(copy, data, len);
    assert_int_equal(eksauth_iddb_open_mem(copy, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 2);
    off1 = copy + g.rec_off + IDDB_G_MEMBER_OFFS + 4;
    memcpy(&at, off1, 4);
    at = le32toh(at) + dj;
    le32_put(off1, at);
    if (bad >= 0)
        copy[(size_t)((const unsigned char *)g.members - copy) + at + bad_at] = (unsigned char)bad;
    eksauth_iddb_close(db);
    db = NULL;
    assert_int_equal(open_resealed(copy, len, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    names = malloc(g.members_len);
    assert_non_null(names);
    ok = eksauth_iddb_group_copy_members(db, &g, names, mem);
    assert_int_equal(eksauth_iddb_group_member(db, &g, 1, &m, &mlen) == EKSAUTH_OK, ok);
    if (ok)
        assert_true(eksauth_names_valid(mem[0]) && eksauth_names_valid(mem[1]) &&
                    strcmp(mem[1], m) == 0 && strlen(m) == mlen);
    free(names);
    eksauth_iddb_close(db);
    free(copy);
    return ok;
}

/*
 * A group's members are each a whole name, whichever way they are read:
 * an offset into the middle of a name ("build" read as "ild") is refused
 * (getgrnam's copy and the one-member read took it, though iddb.h promises
 * a whole, valid entry), and so is an empty one.
 */
static void test_reader_refuses_bad_members(void **state)
{
    size_t len;
    unsigned char *data = iddb_sample_bytes(&len);

    (void)state;
    assert_true(members_after(data, len, 0, -1, 0)); /* the reseal alone */
    assert_false(members_after(data, len, 2, -1, 0));
    /* An empty name: "build\0\0dmin-alice" at {0, 6} gave "" a member of the copy. */
    assert_false(members_after(data, len, 0, '\0', 0));
    free(data);
}

/* The offset and size of section s of the DB image data. */
static void section_of(const unsigned char *data, enum iddb_section s, uint32_t *off,
                       uint32_t *size)
{
    uint32_t v[2];

    memcpy(v, data + IDDB_H_SECTIONS + s * 8, 8);
    *off = le32toh(v[0]);
    *size = le32toh(v[1]);
}

/* A name filter whose blocks fail their checksums rules no name out (fail closed). */
static void test_damaged_name_filter_fails_closed(void **state)
{
    struct eksauth_iddb *good = NULL, *db = NULL;
    struct eksauth_error err = {0};
    char absent[32];
    uint32_t off, size, i;
    size_t len;
    unsigned char *data = several_blocks(&len), *copy = malloc(len);

    (void)state;
    assert_non_null(copy);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &good, &err), EKSAUTH_OK);
    /* A name the intact filter rules out. */
    for (i = 0; i < 1000; i++) {
        snprintf(absent, sizeof(absent), "absent%u", i);
        if (!eksauth_iddb_maybe_named(good, absent))
            break;
    }
    assert_true(i < 1000);
    assert_true(eksauth_iddb_maybe_named(good, "build"));
    /* Damage every block the filter lies in (its first and last byte), checksums left stale. */
    section_of(data, IDDB_S_NAME_FILTER, &off, &size);
    assert_true(off >= IDDB_DATA_START && size > 0 && (size_t)off + size <= len);
    memcpy(copy, data, len);
    copy[off] ^= 0xff;
    copy[off + size - 1] ^= 0xff;
    assert_int_equal(eksauth_iddb_open_mem(copy, len, &db, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_maybe_named(db, absent));
    eksauth_iddb_close(db);
    eksauth_iddb_close(good);
    free(copy);
    free(data);
}

/* Tombstones that cannot be read hold every id (fail closed): no id is given out on a guess. */
static void test_damaged_tombstones_fail_closed(void **state)
{
    struct eksauth_iddb_builder *b = several_blocks_builder();
    struct eksauth_iddb *good = NULL, *db = NULL;
    struct eksauth_error err = {0};
    const uint32_t free_id = LO + 9999;
    uint32_t off, size, i;
    uint64_t until = 0;
    size_t len;
    unsigned char *data, *copy;
    char name[32];

    (void)state;
    for (i = 0; i < 200; i++) {
        struct eksauth_iddb_tombstone_in t = {name, LO + 5000 + i, false, UINT64_MAX / 2};

        snprintf(name, sizeof(name), "gone%u", i);
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, &t, &err), EKSAUTH_OK);
    }
    data = serialize_free(b, &len);
    copy = malloc(len);
    assert_non_null(copy);
    assert_int_equal(eksauth_iddb_open_mem(data, len, &good, &err), EKSAUTH_OK);
    assert_false(eksauth_iddb_id_held(good, free_id, &until));
    assert_false(eksauth_iddb_id_held_from(good, free_id, "newcomer", 1767225600u));
    assert_true(eksauth_iddb_id_held_from(good, LO + 5100, "newcomer", 1767225600u));
    /* Damage the whole tombstone section (a byte in each block), checksums left stale. */
    section_of(data, IDDB_S_TOMBSTONES, &off, &size);
    assert_true(off >= IDDB_DATA_START && size >= 200 * IDDB_T_SIZE && (size_t)off + size <= len);
    memcpy(copy, data, len);
    for (i = 0; i < size; i += IDDB_BLOCK_SIZE / 2)
        copy[off + i + IDDB_T_UNTIL] ^= 0x01;
    copy[off + size - 1] ^= 0x01;
    assert_int_equal(eksauth_iddb_open_mem(copy, len, &db, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_id_held(db, free_id, &until));
    assert_true(until == UINT64_MAX);
    assert_true(eksauth_iddb_id_held_from(db, free_id, "newcomer", 1767225600u));
    eksauth_iddb_close(db);
    eksauth_iddb_close(good);
    free(copy);
    free(data);
}

/* ---- files: written, then trusted or refused ---- */

static void test_write_and_open(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_stamp st;
    struct eksauth_error err = {0};
    struct stat sb;
    char path[512], lock[600];

    (void)state;
    snprintf(path, sizeof(path), "%s/sub/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644);
    snprintf(lock, sizeof(lock), "%s.lock", path);
    assert_int_equal(stat(lock, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK);
    assert_true(eksauth_iddb_stat(path, &st));
    assert_true(eksauth_iddb_stamp_equal(&st, eksauth_iddb_get_stamp(db)));
    /* replaced: the stamp changes (new inode) */
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_true(eksauth_iddb_stat(path, &st));
    assert_false(eksauth_iddb_stamp_equal(&st, eksauth_iddb_get_stamp(db)));
    eksauth_iddb_close(db);

    /* untrusted files are refused */
    if (geteuid() == 0) {
        assert_int_equal(chmod(path, 0664), 0);
        assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
        assert_int_equal(chmod(path, 0646), 0);
        assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
        assert_int_equal(chmod(path, 0644), 0);
        assert_int_equal(chown(path, 65534, 0), 0);
        assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
        assert_non_null(strstr(err.msg, "not owned by root"));
        assert_int_equal(chown(path, 0, 0), 0);
        assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
        eksauth_iddb_close(db);
    }
    /* a folder, and a garbage file */
    snprintf(path, sizeof(path), "%s/sub", tmpdir);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
    snprintf(path, sizeof(path), "%s/garbage.db", tmpdir);
    {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        for (int i = 0; i < 1000; i++)
            fputc('x', f);
        fclose(f);
    }
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "bad magic"));
    assert_null(db);
    /*
     * Zero bytes alone, what a crash can leave of a written file: damaged,
     * as a 0-byte one, with what the sync does (was "not an identity DB").
     * One other byte makes it no DB of ours again.
     */
    {
        FILE *f = fopen(path, "w");

        assert_non_null(f);
        for (int i = 0; i < 8192; i++)
            fputc(0, f);
        fclose(f);
    }
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, ": damaged (8192 bytes, all zero): eksauth sync rebuilds it, "
                                    "without its recorded logins, ids and id holds"));
    assert_null(db);
    {
        FILE *f = fopen(path, "r+");

        assert_non_null(f);
        assert_int_equal(fseek(f, 8191, SEEK_SET), 0);
        fputc('x', f);
        fclose(f);
    }
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not an identity DB (bad magic)"));
    eksauth_iddb_builder_free(b);
}

/*
 * calloc wrapped (-Wl,--wrap, mk/tests.am): while calloc_fail_at is n > 0,
 * the nth call from here on fails, as under a caller's tight RLIMIT_AS or a
 * cgroup out of memory.
 */
static unsigned calloc_fail_at;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);

void *__wrap_calloc(size_t n, size_t size)
{
    if (calloc_fail_at > 0 && --calloc_fail_at == 0) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_calloc(n, size);
}

/*
 * Out of memory at any allocation of an open is ENOMEM, never EINVAL: the
 * sync rebuilds a DB that opens as EINVAL, forgetting its recorded ids and
 * id holds (lib/sync.c), and keeps one that fails for want of memory.  (The
 * config section's allocation failed as "bad config section", EINVAL.)
 */
static void test_open_out_of_memory_is_not_damage(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    enum eksauth_status st;
    char path[512];
    unsigned n, failed = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/oom/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    for (n = 1; n < 64; n++) {
        calloc_fail_at = n;
        st = eksauth_iddb_open(path, &db, &err);
        calloc_fail_at = 0;
        if (st == EKSAUTH_OK)
            break;
        if (st != EKSAUTH_ENOMEM)
            fail_msg("calloc %u failing: status %d, \"%s\"", n, (int)st, err.msg);
        assert_null(db);
        failed++;
    }
    assert_int_equal(st, EKSAUTH_OK);
    assert_true(failed >= 3); /* the handle, its checked blocks, its config strings */
    eksauth_iddb_close(db);
}

/*
 * The DB's folder is judged like the file (lib/trust.c, as for the config
 * and the id key): whoever can write the folder can rename entries in it,
 * so can move the current DB aside before a sync and rename it back after,
 * serving a revoked user again.  Sticky (only root renames root's file) is
 * fine.
 */
static void test_open_refuses_untrusted_folder(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    char dir[512], path[600];

    (void)state;
    snprintf(dir, sizeof(dir), "%s/shared", tmpdir);
    snprintf(path, sizeof(path), "%s/identity.db", dir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_int_equal(chmod(dir, 0775), 0);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
    assert_null(db);
    assert_non_null(strstr(err.msg, "identity DB: "));
    assert_non_null(strstr(err.msg, "the folder is writable by group or others (mode 0775)"));
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_int_equal(chown(dir, 65534, 0), 0);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "the folder is not owned by root (uid 65534)"));
    assert_int_equal(chown(dir, 0, 0), 0);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
}

/* " <flags> " of this process's mapping of path ("" when none): each flag between spaces. */
static void mapping_flags(const char *path, char *flags, size_t size)
{
    char text[200]; /* VmFlags: some 30 two-letter flags */

    flags[0] = '\0';
    if (smaps_field(path, "VmFlags", text, sizeof(text)))
        snprintf(flags, size, " %s ", text);
}

/*
 * The DB is mapped with the advice its lookups need: random reads (no
 * read-ahead) and huge pages wherever the kernel has them (with 4 KiB pages
 * each lookup pays TLB misses; bench/README.md, "Row 3 at 100k and 1M").
 */
static void test_mapping_advice(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    char path[512], flags[256];
    bool thp = access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/advice.db", tmpdir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    mapping_flags(path, flags, sizeof(flags));
    assert_non_null(strstr(flags, " rd "));
    assert_non_null(strstr(flags, " rr "));
    /* "hg": MADV_HUGEPAGE took (the kernel refuses it only when built without THP). */
    assert_int_equal(strstr(flags, " hg ") != NULL, thp);
    eksauth_iddb_close(db);
    mapping_flags(path, flags, sizeof(flags));
    assert_string_equal(flags, "");
    eksauth_iddb_builder_free(b);
}

static void test_expand_home(void **state)
{
    char buf[32];

    (void)state;
    assert_int_equal(eksauth_iddb_expand_home("/home/%u", "bob", buf, sizeof(buf)), 9);
    assert_string_equal(buf, "/home/bob");
    assert_int_equal(eksauth_iddb_expand_home("/h/%%u/%u/x", "bob", buf, sizeof(buf)), 11);
    assert_string_equal(buf, "/h/%u/bob/x");
    assert_int_equal(eksauth_iddb_expand_home("/home/%u", "bob", buf, 9), 9); /* no room */
    assert_int_equal(eksauth_iddb_expand_home("/home/%u", "bob", buf, 10), 9);
    assert_string_equal(buf, "/home/bob");
}

/* ---- opening is O(1): a damaged block far from what a lookup reads stays unread ---- */

static void test_open_reads_little(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    size_t len;
    unsigned char *data = several_blocks(&len);
    uint32_t i, served = 0, refused = 0;

    (void)state;
    /* Damage the second data block: user records (the first holds the config section). */
    data[4096 + 4096 + 100] ^= 0x40;
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    for (i = 0; i < 150; i++) {
        char name[32];

        snprintf(name, sizeof(name), "user%u", i);
        if (eksauth_iddb_user_by_name(db, name, &u) == EKSAUTH_OK)
            served++;
        else
            refused++;
    }
    /* Lookups that never touch the damaged block still work; the others fail closed. */
    assert_true(served > 0 && refused > 0);
    eksauth_iddb_close(db);
    free(data);
}

/* A bigger DB: lookups find every entry (binary search over many). */
static void test_many(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    size_t len;
    char name[32];
    uint32_t i, n = 5000;
    void *data = iddb_sample_many(n, UINT32_MAX, 0, 0, &len);

    (void)state;
    assert_int_equal(eksauth_iddb_open_mem(data, len, &db, &err), EKSAUTH_OK);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "user%u", i);
        assert_int_equal(eksauth_iddb_user_by_name(db, name, &u), EKSAUTH_OK);
        assert_int_equal(u.uid, HI - i * 7);
        assert_int_equal(eksauth_iddb_user_by_uid(db, HI - i * 7, &u), EKSAUTH_OK);
        assert_string_equal(u.login, name);
        assert_int_equal(u.gid, LO + 1);
        assert_int_equal(eksauth_iddb_group_by_gid(db, HI - i * 7, &g), EKSAUTH_ENOTFOUND);
    }
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-all", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, n);
    /* the name filter: every name passes; most names that are not there do not */
    {
        unsigned passed = 0;

        assert_true(eksauth_iddb_maybe_named(db, "eks-all"));
        for (i = 0; i < n; i++) {
            snprintf(name, sizeof(name), "user%u", i);
            assert_true(eksauth_iddb_maybe_named(db, name));
            snprintf(name, sizeof(name), "other%u", i);
            passed += eksauth_iddb_maybe_named(db, name);
        }
        assert_true(passed < n / 20);
    }
    eksauth_iddb_close(db);
    free(data);
}

/*
 * eksauth_iddb_check_ours, which every writer's lock runs, ends promptly on
 * what is no regular file (/dev/zero never ends) and reads no further than
 * the largest DB: a larger file is ours only if it starts with the
 * magic.  alarm(): a regression fails here rather than
 * hangs.
 */
static void test_check_ours_bounded(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    char path[512];
    int fd;

    (void)state;
    alarm(20);
    assert_int_equal(eksauth_iddb_check_ours("/dev/zero", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_check_ours("/dev/null", &err), EKSAUTH_OK);
    snprintf(path, sizeof(path), "%s/fifo.db", tmpdir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(eksauth_iddb_check_ours(path, &err), EKSAUTH_OK);
    assert_int_equal(unlink(path), 0);
    /* Zero bytes past the largest DB, then text (a swap file, a disk image): never ours. */
    snprintf(path, sizeof(path), "%s/huge.db", tmpdir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "root:x:0:0", 10, (off_t)EKSAUTH_IDDB_MAX_SIZE + 4096), 10);
    assert_int_equal(close(fd), 0);
    assert_int_equal(eksauth_iddb_check_ours(path, &err), EKSAUTH_EINVAL);
    /* The reader says so too (doctor, NSS and PAM report its words): no "sync rebuilds it". */
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not an identity DB"));
    assert_null(strstr(err.msg, "rebuilds"));
    /* The magic at its head: a DB grown wrong, rebuilt. */
    fd = open(path, O_WRONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, EKSAUTH_IDDB_MAGIC, 8, 0), 8);
    assert_int_equal(close(fd), 0);
    assert_int_equal(eksauth_iddb_check_ours(path, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "damaged (too large"));
    /* Text at its head: another file's, whatever its size. */
    fd = open(path, O_WRONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "root:x:0:0", 10, 0), 10);
    assert_int_equal(close(fd), 0);
    assert_int_equal(eksauth_iddb_check_ours(path, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "not an identity DB"));
    assert_int_equal(unlink(path), 0);
    alarm(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum_vectors),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_random_flips),
        cmocka_unit_test(test_write_and_open),
        cmocka_unit_test(test_open_refuses_untrusted_folder),
        cmocka_unit_test(test_mapping_advice),
        cmocka_unit_test(test_expand_home),
        cmocka_unit_test(test_open_reads_little),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_reader_refuses_header_range_and_flags),
        cmocka_unit_test(test_reader_refuses_local_gid_zero),
        cmocka_unit_test(test_reader_refuses_comma_in_gecos),
        cmocka_unit_test(test_reader_refuses_bad_members),
        cmocka_unit_test(test_damaged_name_filter_fails_closed),
        cmocka_unit_test(test_damaged_tombstones_fail_closed),
        cmocka_unit_test(test_open_out_of_memory_is_not_damage),
        cmocka_unit_test(test_check_ours_bounded),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
