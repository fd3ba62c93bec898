/*
 * iddb_template.h - what a name that no entry of the identity DB holds gets
 * from the username templates of the last sync, before its first login:
 * one answer, given alike by the NSS module (sshd's getpwnam, before PAM)
 * and by the login that records the name (docs/names-and-ids.md,
 * "Templated logins").
 *
 * A templated name has exactly one possible id: probe 0 of the id formula
 * (names.h), keyed when the DB says so.  sshd keeps the uid it resolved
 * before PAM ran, so the login must record that very id or nothing: when
 * anyone holds it (a user or group of the DB, a live tombstone, a local
 * uid or gid) the name is not served and the login is refused, never sent
 * on to another probe.  libc only: the NSS module compiles this file.
 */
#ifndef EKSAUTH_IDDB_TEMPLATE_H
#define EKSAUTH_IDDB_TEMPLATE_H

#include <stdbool.h>
#include <stdint.h>

#include "eksauth/iddb.h"
#include "eksauth/names.h"

/* What decides a templated name's id besides the DB itself. */
struct eksauth_iddb_id_rules {
    const struct eksauth_id_key *key; /* the id key the caller read; NULL: none */
    uint64_t now;                     /* Unix time: tombstones hold ids until after it */
    /* True for a uid or gid the host's files hold (/etc/passwd, /etc/group); NULL: none. */
    bool (*local_id)(void *ctx, uint32_t id);
    void *ctx;
};

enum eksauth_iddb_verdict {
    EKSAUTH_IDDB_TEMPLATED, /* served before its first login: *uid is its id */
    /*
     * Not a templated name: invalid, reserved or denied, a user or group of
     * the DB, fits no template, or the DB has no users' group to give it.
     */
    EKSAUTH_IDDB_NOT_TEMPLATED,
    EKSAUTH_IDDB_AMBIGUOUS, /* fits more than one template: served to nobody */
    EKSAUTH_IDDB_NO_KEY,    /* the DB's ids are keyed and the caller has no key of its check */
    EKSAUTH_IDDB_ID_HELD,   /* its one id is held by someone else: *uid is that id */
    /*
     * Not the template's verdict but a recorded login's
     * (eksauth_iddb_record_mapped, iddb_record.h): the DB was replaced
     * since the login mapped, in a way its record cannot follow.
     */
    EKSAUTH_IDDB_CHANGED,
};

/*
 * How many of the DB's username templates give login, by the login alone
 * (eksauth_login_templates_giving, login_template.h), when it is a name
 * NSS may serve and neither denied nor a user or group of the DB; else 0.
 * The verdict below starts from it: one that fits is still not served
 * without the DB's users' group (eksauth_login_serves says so, lib/login.c).
 */
unsigned eksauth_iddb_templates_giving(const struct eksauth_iddb *db, const char *login);

/*
 * The verdict on login (see above).  *uid is set for TEMPLATED and
 * ID_HELD.  The caller adds its own local-name check.
 */
enum eksauth_iddb_verdict eksauth_iddb_template_user(const struct eksauth_iddb *db,
                                                     const char *login,
                                                     const struct eksauth_iddb_id_rules *rules,
                                                     uint32_t *uid);

/* What the NSS module answers for a name looked up in a DB (eksauth_iddb_served_name). */
enum eksauth_iddb_served {
    EKSAUTH_IDDB_SERVED_NO,        /* no such user */
    EKSAUTH_IDDB_SERVED_RECORD,    /* an entry holds it: *u is its record */
    EKSAUTH_IDDB_SERVED_TEMPLATED, /* a templated name before its first login: *uid is its id */
    /*
     * A templated name of a keyed DB, for a caller that is not root and so
     * reads no key: NSS answers "no such user" to it, while root's NSS
     * (sshd, nscd's cache) answers with its id.
     */
    EKSAUTH_IDDB_SERVED_NO_KEY,
    /* No answer: a record, a part of the DB or root's id key could not be read for it. */
    EKSAUTH_IDDB_SERVED_UNREADABLE,
};

/*
 * Whether the NSS module serves login (getpwnam) from db: its record, else
 * the template verdict with the id rules NSS uses (the key of
 * eksauth_idkey_default_path when db is keyed and the caller is root, the
 * time now, local_id with ctx for a uid or gid the host holds, NULL: none).
 * The one rule for the NSS module's answer and for PAM's account stage,
 * which must not step aside for a name NSS would hand to the next module
 * (pam_eksauth/pam_eksauth.c, nss_serves).  u and uid may be NULL.  The
 * caller adds its own local-name check: a local account's name is never
 * served.
 */
enum eksauth_iddb_served eksauth_iddb_served_name(const struct eksauth_iddb *db, const char *login,
                                                  bool (*local_id)(void *ctx, uint32_t id),
                                                  void *ctx, struct eksauth_iddb_user *u,
                                                  uint32_t *uid);

#endif
