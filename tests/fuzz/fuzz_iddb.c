/*
 * fuzz_iddb.c - libFuzzer target for the identity DB reader (lib/iddb.c):
 * open the input as a DB and, when accepted, run every lookup and walk
 * every entry and tombstone.  The header and block checksums are recomputed
 * over the input first (eksauth_iddb_reseal, the file size too), so
 * mutations reach the structural and record checks instead of stopping at a
 * checksum.  Build and run: make fuzz-iddb (clang).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/iddb.h"
#include "eksauth/iddb_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        for (j = 0; j < u.n_groups; j++) {
            (void)eksauth_iddb_user_group(db, &u, j, &g);
            (void)eksauth_iddb_user_group_id(db, &u, j, &gid, &flags);
        }
        (void)eksauth_iddb_user_by_name(db, u.login, &u);
        (void)eksauth_iddb_user_by_uid(db, u.uid, &u);
    }
    for (i = 0; i < eksauth_iddb_group_count(db) && i < 256; i++) {
        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK)
            continue;
        for (j = 0; j < g.n_members && j < 256; j++)
            (void)eksauth_iddb_group_member(db, &g, j, &m, NULL);
        if (g.n_members < 4096) {
            char *names = malloc(g.members_len + 1), **mem = calloc(g.n_members + 1, sizeof(*mem));

            if (names != NULL && mem != NULL)
                (void)eksauth_iddb_group_copy_members(db, &g, names, mem);
            free(names);
            free(mem);
        }
        (void)eksauth_iddb_group_by_name(db, g.name, &g);
        (void)eksauth_iddb_group_by_gid(db, g.gid, &g);
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
