/*
 * iddb_template.c - the answer for a name the identity DB does not hold
 * yet (see iddb_template.h), from the DB's public reader alone.  libc only:
 * the NSS module compiles this file.
 */
#include "config.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eksauth/iddb_template.h"
#include "eksauth/idkey.h"
#include "eksauth/login_template.h"

static const char *template_at(void *ctx, size_t i)
{
    return eksauth_iddb_template_at(*(const struct eksauth_iddb **)ctx, (uint32_t)i);
}

/* Only names NSS may serve; a taken or denied name is never a templated user. */
static bool may_serve(const struct eksauth_iddb *db, const char *login)
{
    return eksauth_names_valid(login) && !eksauth_names_reserved(login) &&
           !eksauth_iddb_is_denied(db, login);
}

/*
 * The templates giving login, a name may_serve allows that the DB holds as
 * neither user nor group: by the login alone, as NSS does not know whose it
 * is.  A cut login (names.h rule 3) can fit one template and come from two:
 * the login, which knows the k8s username, refuses it (lib/resolve.c).
 */
static unsigned templates_fitting(const struct eksauth_iddb *db, const char *login)
{
    return eksauth_login_templates_giving(template_at, &db, eksauth_iddb_template_count(db), login,
                                          NULL);
}

unsigned eksauth_iddb_templates_giving(const struct eksauth_iddb *db, const char *login)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;

    if (!may_serve(db, login) || eksauth_iddb_user_by_name(db, login, &u) != EKSAUTH_ENOTFOUND ||
        eksauth_iddb_group_by_name(db, login, &g) != EKSAUTH_ENOTFOUND)
        return 0;
    return templates_fitting(db, login);
}

/* The verdict on login, which fits templates (eksauth_iddb_templates_giving's count). */
static enum eksauth_iddb_verdict verdict_of(const struct eksauth_iddb *db, const char *login,
                                            unsigned fits,
                                            const struct eksauth_iddb_id_rules *rules,
                                            uint32_t *uid)
{
    uint32_t id_min, id_max, id;
    uint64_t check;

    if (fits == 0)
        return EKSAUTH_IDDB_NOT_TEMPLATED;
    /* Its primary group is the users' group: without one there is nothing to answer. */
    if (eksauth_iddb_users_gid(db) == 0)
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

enum eksauth_iddb_verdict eksauth_iddb_template_user(const struct eksauth_iddb *db,
                                                     const char *login,
                                                     const struct eksauth_iddb_id_rules *rules,
                                                     uint32_t *uid)
{
    return verdict_of(db, login, eksauth_iddb_templates_giving(db, login), rules, uid);
}

/*
 * Could db not say whether id, an id the verdict called held, is held by an
 * entry or a tombstone?  A lookup that fails its checks counts as held to
 * the verdict (no answer, fail closed), but that is no answer, not "no
 * such user".
 */
static bool held_unreadable(const struct eksauth_iddb *db, uint32_t id)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    enum eksauth_status su = eksauth_iddb_user_by_uid(db, id, &u);
    enum eksauth_status sg = eksauth_iddb_group_by_gid(db, id, &g);

    return (su != EKSAUTH_OK && su != EKSAUTH_ENOTFOUND) ||
           (sg != EKSAUTH_OK && sg != EKSAUTH_ENOTFOUND) ||
           !eksauth_iddb_tombstones_readable(db, id);
}

enum eksauth_iddb_served eksauth_iddb_served_name(const struct eksauth_iddb *db, const char *login,
                                                  bool (*local_id)(void *ctx, uint32_t id),
                                                  void *ctx, struct eksauth_iddb_user *u,
                                                  uint32_t *uid)
{
    struct eksauth_iddb_id_rules rules = {NULL, 0, local_id, ctx};
    struct eksauth_iddb_user rec;
    struct eksauth_iddb_group g;
    struct eksauth_id_key key;
    struct eksauth_error err;
    const char *key_path;
    enum eksauth_iddb_verdict verdict;
    enum eksauth_status st;
    bool present = false, key_unread = false, key_tried = false;
    unsigned fits;
    uint32_t id = 0;

    st = eksauth_iddb_user_by_name(db, login, u != NULL ? u : &rec);
    if (st == EKSAUTH_OK)
        return EKSAUTH_IDDB_SERVED_RECORD;
    /* A malformed record: the DB is not usable for this answer. */
    if (st != EKSAUTH_ENOTFOUND)
        return EKSAUTH_IDDB_SERVED_UNREADABLE;
    /*
     * A group's name is no user's; a group lookup that fails its checks is
     * no answer, not "no such user".  Both looked up once, here, not again
     * through eksauth_iddb_templates_giving: every name sshd or a
     * directory's user asks NSS for comes this way.
     */
    st = eksauth_iddb_group_by_name(db, login, &g);
    if (st != EKSAUTH_ENOTFOUND)
        return st == EKSAUTH_OK ? EKSAUTH_IDDB_SERVED_NO : EKSAUTH_IDDB_SERVED_UNREADABLE;
    fits = may_serve(db, login) ? templates_fitting(db, login) : 0;
    /*
     * Keyed ids: only root reads the key, and only when the DB asks for it
     * and a template gives the name (no other name's answer needs it).
     * Anyone else gets no answer, so no one can search for a session name
     * that lands on a uid of their choosing by asking NSS.  A key root
     * cannot read (out of descriptors, or refused) is no answer either for
     * a name a template gives, and not "no such user"; any other name needs
     * no key, and is no such user.
     */
    if (fits > 0 && eksauth_iddb_keyed(db, NULL) && geteuid() == 0) {
        key_tried = true;
        key_unread = eksauth_idkey_default_path(&key_path, &err) != EKSAUTH_OK ||
                     eksauth_idkey_load(key_path, &key, &present, &err) != EKSAUTH_OK;
        if (!key_unread && present)
            rules.key = &key;
    }
    rules.now = (uint64_t)time(NULL);
    verdict = verdict_of(db, login, fits, &rules, &id);
    if (key_tried)
        explicit_bzero(&key, sizeof(key));
    if ((verdict == EKSAUTH_IDDB_NO_KEY && key_unread) ||
        (verdict == EKSAUTH_IDDB_ID_HELD && held_unreadable(db, id)))
        return EKSAUTH_IDDB_SERVED_UNREADABLE;
    if (verdict == EKSAUTH_IDDB_NO_KEY && !key_tried)
        return EKSAUTH_IDDB_SERVED_NO_KEY;
    if (verdict != EKSAUTH_IDDB_TEMPLATED)
        return EKSAUTH_IDDB_SERVED_NO;
    if (uid != NULL)
        *uid = id;
    return EKSAUTH_IDDB_SERVED_TEMPLATED;
}
