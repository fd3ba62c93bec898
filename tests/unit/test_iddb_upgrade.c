/*
 * test_iddb_upgrade.c - identity DBs of older formats (lib/iddb_upgrade.c):
 * refused by the reader with what to do, read by `eksauth sync`'s upgrade
 * with every recorded id and login kept.
 */
#include "config.h"

#include <endian.h>
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
#include <errno.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_upgrade.h"
#include "fixture_file.h"
#include "iddb_sample.h"
#include "tmpdir.h"

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *out = fopen(path, "wb");

    assert_non_null(out);
    assert_int_equal(fwrite(data, 1, len, out), len);
    assert_int_equal(fclose(out), 0);
    assert_int_equal(chmod(path, 0644), 0);
}

/*
 * tests/fixtures/iddb/v1-nss.db (nss.spec written by the version 1 writer)
 * at tmpdir/name, in path; with gecos, its first user's gecos is that (its
 * own string, added at the end of the strings section, which ends the
 * file), the file resealed.
 */
static void write_v1(const char *name, const char *gecos, char *path, size_t size)
{
    size_t len = 0, n = gecos != NULL ? strlen(gecos) + 1 : 0;
    char *data = fixture_read("iddb/v1-nss.db", &len);
    unsigned char *d = realloc(data, len + n);
    uint32_t soff, slen, users, v;
    uint64_t w;

    assert_non_null(d);
    if (gecos != NULL) {
        memcpy(&soff, d + 108, 4);
        memcpy(&slen, d + 112, 4);
        memcpy(&users, d + 68, 4);
        assert_int_equal(le32toh(soff) + le32toh(slen), len);
        memcpy(d + len, gecos, n);
        v = htole32(le32toh(slen));
        memcpy(d + le32toh(users) + 24, &v, 4); /* the gecos ref: offset, length */
        v = htole32((uint32_t)n - 1);
        memcpy(d + le32toh(users) + 28, &v, 4);
        v = htole32(le32toh(slen) + (uint32_t)n);
        memcpy(d + 112, &v, 4);
        len += n;
        w = htole64(len);
        memcpy(d + 16, &w, 8);
        w = htole64(eksauth_iddb_checksum(d + 32, len - 32, 0));
        memcpy(d + 24, &w, 8);
    }
    snprintf(path, size, "%s/%s", tmpdir, name);
    write_file(path, d, len);
    free(d);
}

/* ---- versions: refused with what to do; eksauth sync's upgrade keeps everything ---- */

static void test_version_and_upgrade(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    char path[600];
    unsigned from = 99;

    (void)state;
    write_v1("v1.db", NULL, path, sizeof(path));

    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "v1.db: version 1; run eksauth sync to rewrite it"));
    assert_null(db);
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_OK);
    assert_int_equal(from, 1);
    assert_int_equal(eksauth_iddb_generation(db), 1);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-alice", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, LO + 200);
    assert_int_equal(u.flags, EKSAUTH_IDDB_USER_TEMPLATED);
    assert_int_equal(u.n_groups, 2);
    assert_int_equal(eksauth_iddb_user_group(db, &u, 1, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "localgrp");
    assert_int_equal(g.flags, EKSAUTH_IDDB_GROUP_LOCAL);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-devs", &g), EKSAUTH_OK);
    assert_int_equal(g.gid, LO + 11);
    assert_int_equal(g.n_members, 2);
    assert_string_equal(eksauth_iddb_template_at(db, 0), "admin:{{SessionName}}");
    assert_true(eksauth_iddb_is_denied(db, "admin-root"));
    eksauth_iddb_close(db);
    /* a current DB opens as it is */
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_OK);
    eksauth_iddb_close(db);
    /* a damaged version 1 file: refused, with the reason */
    {
        FILE *f = fopen(path, "r+b");

        assert_non_null(f);
        fseek(f, 300, SEEK_SET);
        fputc('X', f);
        fclose(f);
    }
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "version 1 file is damaged"));
    assert_int_equal(from, 0);
}

/*
 * Version 2 has this layout and meant private groups and unkeyed ids: the
 * reader refuses it, the upgrade takes it as it is (its header sealed
 * again as version 3), with no users' gid until the sync writes one.
 */
static void test_version_2(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    unsigned char *data;
    char path[600];
    unsigned from = 99;
    uint32_t v2 = htole32(2);
    size_t len = 0;

    (void)state;
    data = iddb_sample_bytes(&len);
    memcpy(data + IDDB_H_VERSION, &v2, 4);
    memset(data + IDDB_H_USERS_GID, 0, 4);
    eksauth_iddb_reseal(data, len);
    snprintf(path, sizeof(path), "%s/v2.db", tmpdir);
    write_file(path, data, len);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "version 2; run eksauth sync to rewrite it"));
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_OK);
    assert_int_equal(from, 2);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-alice", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, LO + 50);
    assert_int_equal(eksauth_iddb_users_gid(db), 0);
    eksauth_iddb_close(db);
    /* A damaged header is not sealed again: refused. */
    data[IDDB_H_ID_MIN] ^= 1;
    write_file(path, data, len);
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "version 2 file is damaged"));
    free(data);
}

/*
 * A later version's DB, on a host whose eksauth was rolled back: the reader
 * says whose it is and what to do, and the sync's open refuses it
 * (EKSAUTH_EREJECTED: lib/sync.c then leaves it unchanged) rather than
 * rebuilding it from aws-auth without its recorded ids and id holds.
 */
static void test_later_version(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    unsigned char *data;
    char path[600];
    unsigned from = 99;
    uint32_t v4 = htole32(EKSAUTH_IDDB_VERSION + 1);
    size_t len = 0;

    (void)state;
    data = iddb_sample_bytes(&len);
    memcpy(data + IDDB_H_VERSION, &v4, 4);
    eksauth_iddb_reseal(data, len);
    snprintf(path, sizeof(path), "%s/v4.db", tmpdir);
    write_file(path, data, len);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "v4.db: version 4, written by a later eksauth (this one "
                                    "reads version 3); upgrade eksauth again"));
    assert_null(strstr(err.msg, "run eksauth sync"));
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EREJECTED);
    assert_null(db);
    assert_int_equal(from, 0);
    assert_non_null(strstr(err.msg, "written by a later eksauth"));
    free(data);
}

/*
 * A version word damaged to a later number, with the header checksum that
 * covers it left as it was, is no later eksauth's: every version from 2 on
 * keeps that checksum (docs/identity-db.md, "Versioning").  Read as a
 * later eksauth's (as any number from 4 to 67 was), it was refused by every
 * sync until the operator acted, and the message sent them to upgrade to
 * an eksauth that never existed.  It is damage: the reader says so and the
 * sync rebuilds it as any damaged DB (EKSAUTH_EINVAL), with its warning.
 * The same words with the checksum sealed again are a later eksauth's.
 */
static void test_damaged_version(void **state)
{
    static const uint32_t versions[] = {EKSAUTH_IDDB_VERSION + 1, EKSAUTH_IDDB_VERSION + 2, 67, 68,
                                        EKSAUTH_IDDB_VERSION | 0x01000000u};
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    unsigned char *data, *sealed;
    char path[600], want[200];
    unsigned from = 99;
    uint32_t v;
    size_t len = 0, i;

    (void)state;
    data = iddb_sample_bytes(&len);
    sealed = malloc(len);
    assert_non_null(sealed);
    snprintf(path, sizeof(path), "%s/flipped.db", tmpdir);
    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        v = htole32(versions[i]);
        memcpy(data + IDDB_H_VERSION, &v, 4);
        write_file(path, data, len);
        assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_EINVAL);
        assert_null(db);
        assert_null(strstr(err.msg, "later eksauth"));
        snprintf(want, sizeof(want),
                 "flipped.db: version %u with a header checksum that does not hold, which no "
                 "eksauth writes: a damaged header; run eksauth sync to rebuild it",
                 versions[i]);
        assert_non_null(strstr(err.msg, want));
        assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EINVAL);
        assert_null(db);
        assert_int_equal(from, 0);
        /* Sealed again, the same word is a later eksauth's: refused, for the sync to keep. */
        memcpy(sealed, data, len);
        eksauth_iddb_reseal(sealed, len);
        write_file(path, sealed, len);
        assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EREJECTED);
        assert_null(db);
        assert_non_null(strstr(err.msg, "written by a later eksauth"));
    }
    /* A later version too short for the header page its checksum covers: damage. */
    v = htole32(EKSAUTH_IDDB_VERSION + 1);
    memcpy(data + IDDB_H_VERSION, &v, 4);
    write_file(path, data, IDDB_DATA_START - 8);
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "a damaged header"));
    free(sealed);
    free(data);
}

/*
 * A version 1 gecos that printable.h's rule of today refuses (it was
 * written when a variation selector or a tag character passed) is made
 * again from the user's k8s username, as for any user: the upgrade keeps
 * every recorded id (it failed as EINVAL, and the sync rebuilt the DB
 * without them).
 */
static void test_v1_gecos_of_an_older_rule(void **state)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    char path[600];
    unsigned from = 99;

    (void)state;
    write_v1("v1-gecos.db", "Alice\xef\xb8\x8f\xf3\xa0\x81\x81", path, sizeof(path));
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_OK);
    assert_int_equal(from, 1);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-alice", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, LO + 200);
    assert_string_equal(u.gecos, "admin-alice");
    eksauth_iddb_close(db);
    /* One the rule takes is kept as written. */
    write_v1("v1-gecos-kept.db", "Alice Jos\xc3\xa9", path, sizeof(path));
    assert_int_equal(eksauth_iddb_open_upgrade(path, &db, &from, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-alice", &u), EKSAUTH_OK);
    assert_string_equal(u.gecos, "Alice Jos\xc3\xa9");
    eksauth_iddb_close(db);
}

/*
 * malloc, calloc and realloc wrapped (-Wl,--wrap, mk/tests.am): while
 * alloc_fail_at is n > 0, the nth call from here on fails, as under a
 * caller's tight RLIMIT_AS or a cgroup out of memory.
 */
static unsigned alloc_fail_at;
void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);

static bool alloc_fails(void)
{
    if (alloc_fail_at > 0 && --alloc_fail_at == 0) {
        errno = ENOMEM;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t size)
{
    return alloc_fails() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return alloc_fails() ? NULL : __real_realloc(p, size);
}

/* Open path for the sync with the nth allocation failing, for n = 1 on until one passes. */
static void upgrade_out_of_memory(const char *path, enum eksauth_status want)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err = {0};
    enum eksauth_status st;
    unsigned n, failed = 0;

    for (n = 1; n < 4096; n++) {
        alloc_fail_at = n;
        st = eksauth_iddb_open_upgrade(path, &db, NULL, &err);
        alloc_fail_at = 0;
        if (st == want)
            break;
        if (st != EKSAUTH_ENOMEM)
            fail_msg("%s, allocation %u failing: status %d, \"%s\"", path, n, (int)st, err.msg);
        assert_null(db);
        failed++;
    }
    assert_int_equal(st, want);
    assert_true(failed >= 2);
    eksauth_iddb_close(db);
}

/*
 * Out of memory while a DB of another version is read for the sync is
 * ENOMEM, never EINVAL: the sync rebuilds a DB that opens as EINVAL,
 * forgetting its recorded ids and id holds, or a later eksauth's, and keeps
 * one that fails for want of memory (lib/sync.c).  (The read of the whole
 * file, after the reader said "another version", failed as the reader's
 * EINVAL.)
 */
static void test_upgrade_out_of_memory_is_not_damage(void **state)
{
    unsigned char *data;
    char path[600];
    uint32_t v = htole32(2);
    size_t len = 0;

    (void)state;
    write_v1("oom-v1.db", NULL, path, sizeof(path));
    upgrade_out_of_memory(path, EKSAUTH_OK);

    data = iddb_sample_bytes(&len);
    memcpy(data + IDDB_H_VERSION, &v, 4);
    eksauth_iddb_reseal(data, len);
    snprintf(path, sizeof(path), "%s/oom-v2.db", tmpdir);
    write_file(path, data, len);
    upgrade_out_of_memory(path, EKSAUTH_OK);

    v = htole32(EKSAUTH_IDDB_VERSION + 1);
    memcpy(data + IDDB_H_VERSION, &v, 4);
    eksauth_iddb_reseal(data, len);
    snprintf(path, sizeof(path), "%s/oom-later.db", tmpdir);
    write_file(path, data, len);
    upgrade_out_of_memory(path, EKSAUTH_EREJECTED);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_upgrade),
        cmocka_unit_test(test_version_2),
        cmocka_unit_test(test_later_version),
        cmocka_unit_test(test_damaged_version),
        cmocka_unit_test(test_upgrade_out_of_memory_is_not_damage),
        cmocka_unit_test(test_v1_gecos_of_an_older_rule),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
