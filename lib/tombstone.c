/*
 * tombstone.c - carry the tombstones of the old identity DB into the new
 * one and add those of what the new one removed (see tombstone.h).
 */
#include "config.h"

#include <string.h>

#include "eksauth/tombstone.h"

#define DAY_SECONDS 86400u

/*
 * Hold id for name until until.  An id an entry of b uses again
 * (eksauth_iddb_builder_carry_tombstone) needs no tombstone, and one
 * already held as that kind is held to the later end: only running out
 * of memory is a failure.
 */
static enum eksauth_status hold(struct eksauth_iddb_builder *b, const char *name, uint32_t id,
                                bool is_group, uint64_t until, size_t *added,
                                struct eksauth_error *err)
{
    struct eksauth_iddb_tombstone_in t = {name, id, is_group, until};
    struct eksauth_error e;
    enum eksauth_status st;
    bool was = false;

    st = eksauth_iddb_builder_carry_tombstone(b, &t, &was, &e);
    if (st == EKSAUTH_ENOMEM)
        return eksauth_fail(err, st, "%s", e.msg);
    if (was && added != NULL)
        (*added)++;
    return EKSAUTH_OK;
}

/* eksauth_tombstones_carry_max without the bound. */
static enum eksauth_status carry(const struct eksauth_iddb *old, struct eksauth_iddb_builder *b,
                                 uint64_t now, uint32_t days, size_t *added,
                                 struct eksauth_error *err)
{
    uint64_t until = now + (uint64_t)days * DAY_SECONDS;
    enum eksauth_status st = EKSAUTH_OK;
    uint32_t i, n;

    if (old == NULL)
        return EKSAUTH_OK;
    n = eksauth_iddb_tombstone_count(old);
    for (i = 0; i < n && st == EKSAUTH_OK; i++) {
        struct eksauth_iddb_tombstone t;

        /* An unreadable one is lost with its block; every other still holds. */
        if (eksauth_iddb_tombstone_at(old, i, &t) == EKSAUTH_OK && t.until > now)
            st = hold(b, t.name, t.id, t.is_group, t.until, NULL, err);
    }
    n = days > 0 ? eksauth_iddb_user_count(old) : 0;
    for (i = 0; i < n && st == EKSAUTH_OK; i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(old, i, &u) == EKSAUTH_OK &&
            !eksauth_iddb_builder_has_user(b, u.login))
            st = hold(b, u.login, u.uid, false, until, added, err);
    }
    n = days > 0 ? eksauth_iddb_group_count(old) : 0;
    for (i = 0; i < n && st == EKSAUTH_OK; i++) {
        struct eksauth_iddb_group g;

        /* A private group's id is its user's; a group_map group's is the host's. */
        if (eksauth_iddb_group_at(old, i, &g) == EKSAUTH_OK &&
            (g.flags & (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) == 0 &&
            !eksauth_iddb_builder_has_group(b, g.name))
            st = hold(b, g.name, g.gid, true, until, added, err);
    }
    return st;
}

enum eksauth_status eksauth_tombstones_carry_max(const struct eksauth_iddb *old,
                                                 struct eksauth_iddb_builder *b, uint64_t now,
                                                 uint32_t days, size_t max, size_t *added,
                                                 size_t *dropped, struct eksauth_error *err)
{
    enum eksauth_status st;
    size_t d = 0;

    if (added != NULL)
        *added = 0;
    st = carry(old, b, now, days, added, err);
    /*
     * Bounded, so that no churn of names grows the DB past its cap (every
     * sync and first login would fail for id_tombstone_days).  The ones
     * that end first go first: held longest, their files have had the
     * most time to be found.
     */
    if (st == EKSAUTH_OK)
        d = eksauth_iddb_builder_keep_tombstones(b, max);
    if (dropped != NULL)
        *dropped = d;
    return st;
}

enum eksauth_status eksauth_tombstones_carry(const struct eksauth_iddb *old,
                                             struct eksauth_iddb_builder *b, uint64_t now,
                                             uint32_t days, size_t *added, size_t *dropped,
                                             struct eksauth_error *err)
{
    return eksauth_tombstones_carry_max(old, b, now, days, EKSAUTH_TOMBSTONES_MAX, added, dropped,
                                        err);
}
