/*
 * iddb_template.c - the answer for a name the identity DB does not hold
 * yet (see iddb_template.h), from the DB's public reader alone.  libc only:
 * the NSS module compiles this file.
 */
#include "config.h"

#include <string.h>

#include "eksauth/iddb_template.h"
#include "eksauth/login_template.h"

static const char *template_at(void *ctx, size_t i)
{
    return eksauth_iddb_template_at(*(const struct eksauth_iddb **)ctx, (uint32_t)i);
}

enum eksauth_iddb_verdict eksauth_iddb_template_user(const struct eksauth_iddb *db,
                                                     const char *login,
                                                     const struct eksauth_iddb_id_rules *rules,
                                                     uint32_t *uid)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    uint32_t id_min, id_max, id;
    uint64_t check;
    unsigned fits;

    /* Only names NSS may serve; a taken or denied name is never a templated user. */
    if (!eksauth_names_valid(login) || eksauth_names_reserved(login) ||
        eksauth_iddb_is_denied(db, login))
        return EKSAUTH_IDDB_NOT_TEMPLATED;
    if (eksauth_iddb_user_by_name(db, login, &u) != EKSAUTH_ENOTFOUND ||
        eksauth_iddb_group_by_name(db, login, &g) != EKSAUTH_ENOTFOUND)
        return EKSAUTH_IDDB_NOT_TEMPLATED;
    /* Its primary group is the users' group: without one there is nothing to answer. */
    if (eksauth_iddb_users_gid(db) == 0)
        return EKSAUTH_IDDB_NOT_TEMPLATED;
    /*
     * By the login alone: NSS does not know whose it is.  A cut login (names.h
     * rule 3) can fit one template and come from two: the login, which knows
     * the k8s username, refuses it (lib/resolve.c).
     */
    fits = eksauth_login_templates_giving(template_at, &db, eksauth_iddb_template_count(db), login,
                                          NULL);
    if (fits == 0)
        return EKSAUTH_IDDB_NOT_TEMPLATED;
    /* Two templates could give it to two people: whoever came first, nobody gets it. */
    if (fits > 1)
        return EKSAUTH_IDDB_AMBIGUOUS;
    /* Keyed ids need the very key the DB was written with; guessing would give another id. */
    if (eksauth_iddb_keyed(db, &check) &&
        (rules == NULL || rules->key == NULL || rules->key->check != check))
        return EKSAUTH_IDDB_NO_KEY;
    eksauth_iddb_id_range(db, &id_min, &id_max);
    id = eksauth_names_id(eksauth_iddb_keyed(db, NULL) ? rules->key : NULL, login, 0, id_min,
                          id_max);
    *uid = id;
    /* One id or none: sshd keeps the uid it resolved, so a second probe would be a lie. */
    if (eksauth_iddb_id_used(db, id) ||
        eksauth_iddb_id_held_from(db, id, login, rules != NULL ? rules->now : 0) ||
        (rules != NULL && rules->local_id != NULL && rules->local_id(rules->ctx, id)))
        return EKSAUTH_IDDB_ID_HELD;
    return EKSAUTH_IDDB_TEMPLATED;
}
