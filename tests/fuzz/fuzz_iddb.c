/*
 * fuzz_iddb.c - libFuzzer target for the identity DB reader (lib/iddb.c):
 * open the input as a DB and, when accepted, run every lookup and walk
 * every entry and tombstone.  The header and block checksums are recomputed
 * over the input first (eksauth_iddb_reseal, the file size too), so
 * mutations reach the structural and record checks instead of stopping at a
 * checksum.  Whatever the reader accepts must keep its promises (lib/iddb.c):
 * names NSS may serve, no field that could split a passwd or group line,
 * ids in the DB's range and never 0, a lookup answering for what it was
 * asked.  Build and run: make fuzz-iddb (clang).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"
#include "eksauth/names.h"
#include "fuzz.h"

/* A served string: no byte that ends a passwd or group field or line. */
static int field_clean(const char *s, const char *bad)
{
    return strpbrk(s, bad) == NULL;
}

/* What read_user promises of every user it hands out. */
static void check_user(const struct eksauth_iddb *db, const struct eksauth_iddb_user *u)
{
    uint32_t lo, hi;

    eksauth_iddb_id_range(db, &lo, &hi);
    FUZZ_ASSERT(lo != 0 && lo <= hi);
    FUZZ_ASSERT(eksauth_names_valid(u->login) && strlen(u->login) == u->login_len);
    /* A NUL inside gecos only shortens what is served (read_user). */
    FUZZ_ASSERT(field_clean(u->gecos, ":,\n") && strlen(u->gecos) <= u->gecos_len);
    FUZZ_ASSERT(u->home[0] == '/' && field_clean(u->home, ":\n"));
    FUZZ_ASSERT(u->shell[0] == '/' && field_clean(u->shell, ":\n"));
    /* A corrupt DB can never grant root: ids in the range, and the range excludes 0. */
    FUZZ_ASSERT(u->uid >= lo && u->uid <= hi && u->gid >= lo && u->gid <= hi);
}

/* What read_group promises of every group it hands out. */
static void check_group(const struct eksauth_iddb *db, const struct eksauth_iddb_group *g)
{
    uint32_t lo, hi;

    eksauth_iddb_id_range(db, &lo, &hi);
    FUZZ_ASSERT(eksauth_names_valid(g->name) && strlen(g->name) == g->name_len);
    FUZZ_ASSERT(g->gid != 0);
    /* Only a group_map group (local by design) has a gid outside the range. */
    FUZZ_ASSERT((g->flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0 || (g->gid >= lo && g->gid <= hi));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    unsigned char *copy;
    struct eksauth_iddb_tombstone t;
    const char *m;
    uint32_t i, j, uid, gid, flags;
    uint64_t until;

    /* An exact-size copy: ASan sees any read past the end. */
    copy = malloc(size > 0 ? size : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    eksauth_iddb_reseal(copy, size);
    if (eksauth_iddb_open_mem(copy, size, &db, NULL) != EKSAUTH_OK)
        goto out;
    for (i = 0; i < eksauth_iddb_user_count(db) && i < 256; i++) {
        struct eksauth_iddb_user found;

        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        check_user(db, &u);
        for (j = 0; j < u.n_groups; j++) {
            if (eksauth_iddb_user_group(db, &u, j, &g) == EKSAUTH_OK)
                check_group(db, &g);
            if (eksauth_iddb_user_group_id(db, &u, j, &gid, &flags) == EKSAUTH_OK)
                FUZZ_ASSERT(gid != 0);
        }
        /* A lookup answers for what it was asked, or not at all. */
        if (eksauth_iddb_user_by_name(db, u.login, &found) == EKSAUTH_OK) {
            check_user(db, &found);
            FUZZ_ASSERT(strcmp(found.login, u.login) == 0);
        }
        if (eksauth_iddb_user_by_uid(db, u.uid, &found) == EKSAUTH_OK) {
            check_user(db, &found);
            FUZZ_ASSERT(found.uid == u.uid);
        }
    }
    for (i = 0; i < eksauth_iddb_group_count(db) && i < 256; i++) {
        struct eksauth_iddb_group found;

        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK)
            continue;
        check_group(db, &g);
        for (j = 0; j < g.n_members && j < 256; j++)
            if (eksauth_iddb_group_member(db, &g, j, &m, NULL) == EKSAUTH_OK)
                FUZZ_ASSERT(eksauth_names_valid(m));
        if (g.n_members < 4096) {
            char *names = malloc(g.members_len + 1), **mem = calloc(g.n_members + 1, sizeof(*mem));

            /* getgrnam's copy: every member a valid name inside the buffer. */
            if (names != NULL && mem != NULL &&
                eksauth_iddb_group_copy_members(db, &g, names, mem)) {
                for (j = 0; j < g.n_members; j++)
                    FUZZ_ASSERT(mem[j] >= names && mem[j] < names + g.members_len &&
                                field_clean(mem[j], ":,\n"));
            }
            free(names);
            free(mem);
        }
        if (eksauth_iddb_group_by_name(db, g.name, &found) == EKSAUTH_OK) {
            check_group(db, &found);
            FUZZ_ASSERT(strcmp(found.name, g.name) == 0);
        }
        if (eksauth_iddb_group_by_gid(db, g.gid, &found) == EKSAUTH_OK) {
            check_group(db, &found);
            FUZZ_ASSERT(found.gid == g.gid);
        }
    }
    for (i = 0; i < eksauth_iddb_template_count(db); i++)
        (void)eksauth_iddb_template_at(db, i);
    (void)eksauth_iddb_template_user(db, "admin-bob", NULL, &uid);
    (void)eksauth_iddb_users_gid(db);
    (void)eksauth_iddb_keyed(db, &until);
    (void)eksauth_iddb_is_denied(db, "root");
    (void)eksauth_iddb_maybe_named(db, "root");
    for (i = 0; i < eksauth_iddb_tombstone_count(db) && i < 256; i++)
        if (eksauth_iddb_tombstone_at(db, i, &t) == EKSAUTH_OK)
            (void)(eksauth_iddb_id_held(db, t.id, &until) +
                   eksauth_iddb_id_held_from(db, t.id, "admin-bob", 1767225600u));
    (void)eksauth_iddb_id_held(db, 1900000000u, &until);
    eksauth_iddb_close(db);
out:
    free(copy);
    return 0;
}
