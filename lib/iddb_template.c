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

unsigned eksauth_iddb_templates_giving(const struct eksauth_iddb *db, const char *login)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;

    /* Only names NSS may serve; a taken or denied name is never a templated user. */
    if (!eksauth_names_valid(login) || eksauth_names_reserved(login) ||
        eksauth_iddb_is_denied(db, login))
        return 0;
    if (eksauth_iddb_user_by_name(db, login, &u) != EKSAUTH_ENOTFOUND ||
        eksauth_iddb_group_by_name(db, login, &g) != EKSAUTH_ENOTFOUND)
        return 0;
    /*
     * By the login alone: NSS does not know whose it is.  A cut login (names.h
     * rule 3) can fit one template and come from two: the login, which knows
     * the k8s username, refuses it (lib/resolve.c).
     */
    return eksauth_login_templates_giving(template_at, &db, eksauth_iddb_template_count(db), login,
                                          NULL);
}

enum eksauth_iddb_verdict eksauth_iddb_template_user(const struct eksauth_iddb *db,
                                                     const char *login,
                                                     const struct eksauth_iddb_id_rules *rules,
                                                     uint32_t *uid)
{
    uint32_t id_min, id_max, id;
    uint64_t check;
    unsigned fits = eksauth_iddb_templates_giving(db, login);

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

/*
 * Could db not say whether name is a user or group (for a name the verdict
 * left untemplated) or whether id is held, by an entry or a tombstone (for
 * an id it called held)?  A lookup that fails its checks counts as found to
 * eksauth_iddb_template_user (no answer, fail closed), but that is no
 * answer, not "no such user".
 */
static bool template_unreadable(const struct eksauth_iddb *db, enum eksauth_iddb_verdict verdict,
                                const char *name, uint32_t id)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    enum eksauth_status su = EKSAUTH_ENOTFOUND, sg = EKSAUTH_ENOTFOUND;

    if (verdict == EKSAUTH_IDDB_NOT_TEMPLATED) {
        sg = eksauth_iddb_group_by_name(db, name, &g);
    } else if (verdict == EKSAUTH_IDDB_ID_HELD) {
        su = eksauth_iddb_user_by_uid(db, id, &u);
        sg = eksauth_iddb_group_by_gid(db, id, &g);
    }
    return (su != EKSAUTH_OK && su != EKSAUTH_ENOTFOUND) ||
           (sg != EKSAUTH_OK && sg != EKSAUTH_ENOTFOUND) ||
           (verdict == EKSAUTH_IDDB_ID_HELD && !eksauth_iddb_tombstones_readable(db, id));
}

enum eksauth_iddb_served eksauth_iddb_served_name(const struct eksauth_iddb *db, const char *login,
                                                  bool (*local_id)(void *ctx, uint32_t id),
                                                  void *ctx, struct eksauth_iddb_user *u,
                                                  uint32_t *uid)
{
    struct eksauth_iddb_id_rules rules = {NULL, 0, local_id, ctx};
    struct eksauth_iddb_user rec;
    struct eksauth_id_key key;
    struct eksauth_error err;
    enum eksauth_iddb_verdict verdict;
    enum eksauth_status st;
    bool present = false, key_unread = false, key_tried = false;
    uint32_t id = 0;

    st = eksauth_iddb_user_by_name(db, login, u != NULL ? u : &rec);
    if (st == EKSAUTH_OK)
        return EKSAUTH_IDDB_SERVED_RECORD;
    /* A malformed record: the DB is not usable for this answer. */
    if (st != EKSAUTH_ENOTFOUND)
        return EKSAUTH_IDDB_SERVED_UNREADABLE;
    /*
     * Keyed ids: only root reads the key, and only when the DB asks for it.
     * Anyone else gets no answer, so no one can search for a session name
     * that lands on a uid of their choosing by asking NSS.  A key root
     * cannot read (out of descriptors, or refused) is no answer either for
     * a name a template gives, and not "no such user"; any other name needs
     * no key, and is no such user.
     */
    if (eksauth_iddb_keyed(db, NULL) && geteuid() == 0) {
        key_tried = true;
        key_unread =
            eksauth_idkey_load(eksauth_idkey_default_path(), &key, &present, &err) != EKSAUTH_OK;
        if (!key_unread && present)
            rules.key = &key;
    }
    rules.now = (uint64_t)time(NULL);
    verdict = eksauth_iddb_template_user(db, login, &rules, &id);
    if (key_tried)
        explicit_bzero(&key, sizeof(key));
    if ((verdict == EKSAUTH_IDDB_NO_KEY && key_unread) ||
        template_unreadable(db, verdict, login, id))
        return EKSAUTH_IDDB_SERVED_UNREADABLE;
    if (verdict == EKSAUTH_IDDB_NO_KEY && !key_tried)
        return EKSAUTH_IDDB_SERVED_NO_KEY;
    if (verdict != EKSAUTH_IDDB_TEMPLATED)
        return EKSAUTH_IDDB_SERVED_NO;
    if (uid != NULL)
        *uid = id;
    return EKSAUTH_IDDB_SERVED_TEMPLATED;
}
