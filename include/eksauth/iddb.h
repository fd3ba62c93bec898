/*
 * iddb.h - the identity DB (/var/lib/eksauth/identity.db): the users and
 * groups eksauth serves through NSS, the username templates of the current
 * aws-auth, what the NSS module needs to answer for a templated name (id
 * range, home pattern, shell, denied names), since it cannot read the
 * config file, and tombstones: ids of removed names that stay held.
 *
 * The format (version 3), its integrity checks, the staleness protocol and
 * the atomic replace are documented in docs/identity-db.md; the byte layout
 * is include/eksauth/iddb_format.h.  In short: a checksummed header, sections of
 * variable-length records reached through hash indexes, and one XXH64 per
 * 4 KiB block that a reader checks the first time it touches the block, so
 * opening and each lookup cost O(what they touch), never O(file).
 *
 * Reader (lib/iddb.c, libc only, compiled into libnss_eksauth.so.2): maps
 * the file read-only and shared, so it sees the stale mark a writer sets in
 * the old file before replacing it.  A lookup yields a whole, valid entry
 * or an error, never part of one.  No global state: the caller owns the
 * handle and its locking; the handle's only mutable state is its bitmap of
 * checked blocks, updated with atomic operations (lookups may run
 * concurrently on one handle).
 *
 * Writer (lib/iddb_write.c): a builder that checks and serialises entries.
 * The serialised image is put in place by iddb_replace.h (the writer's
 * lock, the stale mark in the old file, the atomic replace).
 */
#ifndef EKSAUTH_IDDB_H
#define EKSAUTH_IDDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "eksauth/status.h"

#define EKSAUTH_IDDB_MAGIC      "EKSIDDB\n"
#define EKSAUTH_IDDB_VERSION    3u
#define EKSAUTH_IDDB_MAX_SIZE   (1024u * 1024u * 1024u) /* refuse larger files */
#define EKSAUTH_IDDB_STR_MAX    4096u                   /* longest string field */
#define EKSAUTH_IDDB_MAX_GROUPS 1024u                   /* groups per user */

/*
 * How a damaged DB's message ends: what eksauth sync does with it (the
 * sync's own warning, having done it, says so in its own words instead).
 */
#define EKSAUTH_IDDB_REBUILDS                                                                      \
    ": eksauth sync rebuilds it, without its recorded logins, ids and id holds"

struct eksauth_error;

/*
 * err's message without its EKSAUTH_IDDB_REBUILDS ending, for the sync that
 * did the rebuild and says so itself: the ending whole, or, in a message a
 * long db_path filled (EKSAUTH_ERROR_MAX), what is left of it.  Any other
 * message is left as it is (tests/unit/test_sync.c
 * test_leftover_or_damaged_db_rebuilt, test_long_db_path_rebuilt_warning).
 */
void eksauth_iddb_strip_rebuilds(struct eksauth_error *err);

/* header flags */
#define EKSAUTH_IDDB_KEYED 0x1u /* templated ids are keyed by the id key of this check value */
/* user flags */
#define EKSAUTH_IDDB_USER_TEMPLATED 0x1u /* recorded by a login from a template */
/* group flags */
#define EKSAUTH_IDDB_GROUP_PRIVATE 0x1u /* a user's own group (gid = uid): only in DBs before 3 */
#define EKSAUTH_IDDB_GROUP_LOCAL   0x2u /* a local group (group_map): only in initgroups */

struct eksauth_iddb;

/* A user, pointing into the mapped DB: valid until the handle is closed. */
struct eksauth_iddb_user {
    const char *login, *k8s_username, *arn, *gecos, *home, *shell;
    size_t login_len, gecos_len, home_len, shell_len;
    uint32_t uid, gid, flags;
    uint32_t n_groups;   /* supplementary groups, see eksauth_iddb_user_group() */
    uint64_t last_login; /* Unix time PAM last recorded this login; 0: a synced static user */
    uint32_t rec_off;    /* where the record is (the reader's business) */
};

struct eksauth_iddb_group {
    const char *name, *k8s_group; /* k8s_group is "" for the users' group and local groups */
    size_t name_len;
    uint32_t gid, flags;
    uint32_t n_members; /* see eksauth_iddb_group_member() */
    /* The member logins back to back, each NUL-terminated, in login order. */
    const char *members;
    size_t members_len; /* bytes, NULs included */
    uint32_t rec_off;
};

/* A tombstone: a removed name whose id stays held until a time. */
struct eksauth_iddb_tombstone {
    const char *name;
    uint32_t id;
    bool is_group;  /* a gid (else a uid) */
    uint64_t until; /* Unix time */
};

/* What identifies one version of the file on disk (re-map or re-check when it changes). */
struct eksauth_iddb_stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime; /* ctime: a chmod or chown counts too */
    mode_t mode;
    uid_t uid;
};

/* The DB path: EKSAUTH_DB (secure_getenv, so never in setuid programs) or EKSAUTH_DB_PATH. */
const char *eksauth_iddb_default_path(void);

/*
 * Map path read-only and shared (O_CLOEXEC; the descriptor is closed once
 * mapped).  Refused: a missing file (EKSAUTH_EUNAVAIL), one not owned by
 * root or writable by group or others, not a regular file
 * (EKSAUTH_EREJECTED), another format version ("identity DB: PATH: version
 * N; run eksauth sync to rewrite it"), a bad header, size or layout
 * (EKSAUTH_EINVAL).  Only the header page and the config section are read
 * here; every other block is checked when a lookup first touches it.
 * Messages: "identity DB: PATH: why".
 */
enum eksauth_status eksauth_iddb_open(const char *path, struct eksauth_iddb **out,
                                      struct eksauth_error *err);

/* The same checks on bytes in memory (tests, fuzzing); data must outlive the handle. */
enum eksauth_status eksauth_iddb_open_mem(const void *data, size_t len, struct eksauth_iddb **out,
                                          struct eksauth_error *err);
/* The same, but the handle owns data (malloc'd) and frees it, on failure too. */
enum eksauth_status eksauth_iddb_open_owned(void *data, size_t len, struct eksauth_iddb **out,
                                            struct eksauth_error *err);

/*
 * True once a writer has begun replacing the file db maps (the stale mark,
 * docs/identity-db.md): re-stat the path and re-map when it names another
 * file.  A load from the mapping, no system call.  False for open_mem.
 */
bool eksauth_iddb_is_stale(const struct eksauth_iddb *db);

void eksauth_iddb_close(struct eksauth_iddb *db);

/* Stat path into st (false when stat fails); compare stamps. */
bool eksauth_iddb_stat(const char *path, struct eksauth_iddb_stamp *st);
bool eksauth_iddb_stamp_equal(const struct eksauth_iddb_stamp *a,
                              const struct eksauth_iddb_stamp *b);
/* The stamp of the file db was mapped from (zeroes for open_mem). */
const struct eksauth_iddb_stamp *eksauth_iddb_get_stamp(const struct eksauth_iddb *db);

/*
 * Lookups: EKSAUTH_OK with a whole entry, EKSAUTH_ENOTFOUND, or
 * EKSAUTH_EINVAL when what the lookup met is malformed or fails its block
 * checksum (nothing returned).
 */
enum eksauth_status eksauth_iddb_user_by_name(const struct eksauth_iddb *db, const char *login,
                                              struct eksauth_iddb_user *out);
enum eksauth_status eksauth_iddb_user_by_uid(const struct eksauth_iddb *db, uint32_t uid,
                                             struct eksauth_iddb_user *out);
enum eksauth_status eksauth_iddb_group_by_name(const struct eksauth_iddb *db, const char *name,
                                               struct eksauth_iddb_group *out);
enum eksauth_status eksauth_iddb_group_by_gid(const struct eksauth_iddb *db, uint32_t gid,
                                              struct eksauth_iddb_group *out);

/* Enumeration in name order: i < count. */
uint32_t eksauth_iddb_user_count(const struct eksauth_iddb *db);
uint32_t eksauth_iddb_group_count(const struct eksauth_iddb *db);
enum eksauth_status eksauth_iddb_user_at(const struct eksauth_iddb *db, uint32_t i,
                                         struct eksauth_iddb_user *out);
enum eksauth_status eksauth_iddb_group_at(const struct eksauth_iddb *db, uint32_t i,
                                          struct eksauth_iddb_group *out);

/* The j-th supplementary group of u (j < u->n_groups) and the j-th member of g. */
enum eksauth_status eksauth_iddb_user_group(const struct eksauth_iddb *db,
                                            const struct eksauth_iddb_user *u, uint32_t j,
                                            struct eksauth_iddb_group *out);
enum eksauth_status eksauth_iddb_group_member(const struct eksauth_iddb *db,
                                              const struct eksauth_iddb_group *g, uint32_t j,
                                              const char **login, size_t *login_len);
/*
 * g's member logins copied to names (g->members_len bytes) and mem[j] (j <
 * g->n_members) pointed at each copy, in one pass over the record: what
 * getgrnam_r answers.  False when the run is malformed (names and mem then
 * hold nothing to use).
 */
bool eksauth_iddb_group_copy_members(const struct eksauth_iddb *db,
                                     const struct eksauth_iddb_group *g, char *names, char **mem);
/* The gid and flags of u's j-th group, from u's own record (initgroups needs no more). */
enum eksauth_status eksauth_iddb_user_group_id(const struct eksauth_iddb *db,
                                               const struct eksauth_iddb_user *u, uint32_t j,
                                               uint32_t *gid, uint32_t *flags);

/* Header data. */
uint64_t eksauth_iddb_generation(const struct eksauth_iddb *db);
void eksauth_iddb_id_range(const struct eksauth_iddb *db, uint32_t *id_min, uint32_t *id_max);
const char *eksauth_iddb_home_pattern(const struct eksauth_iddb *db);
const char *eksauth_iddb_shell(const struct eksauth_iddb *db);
uint32_t eksauth_iddb_template_count(const struct eksauth_iddb *db);
const char *eksauth_iddb_template_at(const struct eksauth_iddb *db, uint32_t i);
uint32_t eksauth_iddb_denied_count(const struct eksauth_iddb *db);
const char *eksauth_iddb_denied_at(const struct eksauth_iddb *db, uint32_t i);
bool eksauth_iddb_is_denied(const struct eksauth_iddb *db, const char *name);
/* The primary group of every user and of a templated name (users_group); 0: none. */
uint32_t eksauth_iddb_users_gid(const struct eksauth_iddb *db);
/* Whether templated ids are keyed, and by the key of which check value (names.h). */
bool eksauth_iddb_keyed(const struct eksauth_iddb *db, uint64_t *check);

/*
 * False only when no user and no group of db is named name (the name
 * filter: two bits a name, about 1% false positives); true when one may be.
 * Touches two bytes of a small section, not the indexes: the NSS module
 * checks the local names against it before looking them up.
 */
bool eksauth_iddb_maybe_named(const struct eksauth_iddb *db, const char *name);

/* True when id is a uid or gid of any entry of db (or db cannot tell: fail closed). */
bool eksauth_iddb_id_used(const struct eksauth_iddb *db, uint32_t id);

/*
 * Tombstones: never served by any lookup.  eksauth_iddb_id_held is true when
 * a tombstone holds id (as a uid or a gid), with *until (may be NULL) the
 * latest time one holds it to; a tombstone it cannot read counts as held
 * with until UINT64_MAX (fail closed).  Whether a time has passed is the
 * caller's decision.  eksauth_iddb_id_held_from is the rule the id of a new
 * name goes by: true when a tombstone of id lasts beyond now and is not
 * name's own (a user's tombstone of that very login: a login that comes
 * back gets its id back), or cannot be read.
 */
bool eksauth_iddb_id_held(const struct eksauth_iddb *db, uint32_t id, uint64_t *until);
/* Can every tombstone of id be read (false: the two above count id as held, fail closed)? */
bool eksauth_iddb_tombstones_readable(const struct eksauth_iddb *db, uint32_t id);
bool eksauth_iddb_id_held_from(const struct eksauth_iddb *db, uint32_t id, const char *name,
                               uint64_t now);
uint32_t eksauth_iddb_tombstone_count(const struct eksauth_iddb *db);
enum eksauth_status eksauth_iddb_tombstone_at(const struct eksauth_iddb *db, uint32_t i,
                                              struct eksauth_iddb_tombstone *out);

/*
 * Every user, group and tombstone of db read as a lookup reads it (blocks
 * checked, fields validated): EKSAUTH_EINVAL, counting what cannot be read,
 * when anything cannot.  O(file): for the sync, which carries all of it
 * over (a lookup checks only what it touches).
 */
enum eksauth_status eksauth_iddb_verify(const struct eksauth_iddb *db, struct eksauth_error *err);

/*
 * Expand a home pattern ("%u" = login, "%%" = '%') into buf; returns the
 * length the result needs without its NUL.  buf holds the result only when
 * that length is < buflen; otherwise its contents are unspecified.
 */
size_t eksauth_iddb_expand_home(const char *pattern, const char *login, char *buf, size_t buflen);

/* XXH64 of data with seed: the DB checksums. */
uint64_t eksauth_iddb_checksum(const void *data, size_t len, uint64_t seed);
/*
 * The header checksum of a header page (4096 bytes): XXH64 of the page with
 * the checksum and stale words as zero (docs/identity-db.md).
 */
uint64_t eksauth_iddb_header_sum(const void *page);

/*
 * True when data (len bytes, starting with the magic) is a DB of a version
 * after this one whose header checksum holds: a later eksauth's, which a
 * sync must leave as it is.  Every version from 2 on keeps the checksum of
 * eksauth_iddb_header_sum at the same place (docs/identity-db.md,
 * "Versioning"), so a version word damaged to a later number fails it: the
 * word is damage, which a sync rebuilds, not a later eksauth's.
 */
bool eksauth_iddb_is_later(const void *data, size_t len);

/*
 * True when data (a whole file, len bytes) is not, and never was, an
 * identity DB: its first bytes (up to 8) are no start of the magic, and it
 * is not zero bytes alone.  A file of 0 bytes, of zero bytes alone (what a
 * crash can leave) or starting with the magic, of any version, damaged or
 * not, is or was one: a sync may rebuild it.  The rest is a typo in
 * db_path or another product's file, which no sync writes over.
 */
bool eksauth_iddb_is_foreign(const void *data, size_t len);
/*
 * The same rule on the file at path, read from its start until its bytes
 * decide (not mapped), never past EKSAUTH_IDDB_MAX_SIZE: a larger file is
 * ours only if its first 8 bytes are the magic (zero bytes are not), and
 * eksauth_iddb_open judges it so too, so doctor, NSS and PAM say what the
 * sync does (tests/unit/test_iddb.c test_check_ours_bounded).  What is no
 * regular file (/dev/zero, a fifo) is left to the writer's own checks.
 * EKSAUTH_OK when it is or may have been an identity DB (or is no regular
 * file), EKSAUTH_EINVAL when it is foreign ("identity DB:
 * PATH: not an identity DB (bad magic), and eksauth sync leaves it as it
 * is; check db_path ..."), EKSAUTH_EUNAVAIL or EKSAUTH_EIO when it cannot
 * be read.  For the sync, before it rebuilds what eksauth_iddb_open refused.
 */
enum eksauth_status eksauth_iddb_check_ours(const char *path, struct eksauth_error *err);

/*
 * Recompute the block checksums and the header checksum of a DB image in
 * memory (the writer's last step; tests and the fuzzer use it to reach the
 * structural checks behind the checksums).  Sets the header's file size to
 * len.  An image whose header is too broken to find its blocks is left as it
 * is.
 */
void eksauth_iddb_reseal(void *data, size_t len);

/* ------------------------------------------------------------------------ */
/* Writer (lib/iddb_write.c: not in the NSS module).                         */

struct eksauth_iddb_builder;

struct eksauth_iddb_params {
    uint32_t id_min, id_max; /* 0/0: the names.h defaults */
    const char *home;        /* home pattern; NULL: "/home/%u" */
    const char *shell;       /* NULL: "/bin/bash" */
    /*
     * Every user's primary group: a user added with gid 0 gets it, and NSS
     * gives it to a templated name before its first login.  It must be a
     * served group of the builder by the time it is serialised.  0: none
     * (then every user needs its gid).
     */
    uint32_t users_gid;
    bool keyed;         /* templated ids are keyed by the id key of key_check */
    uint64_t key_check; /* eksauth_id_key.check */
};

struct eksauth_iddb_group_in {
    const char *name;
    const char *k8s_group; /* NULL or "" for the users' group or a local group */
    uint32_t gid;
    uint32_t flags; /* EKSAUTH_IDDB_GROUP_* */
};

struct eksauth_iddb_user_in {
    const char *login;
    const char *k8s_username;
    const char *arn;   /* may be NULL */
    const char *gecos; /* NULL: from k8s_username, ':' ',' as '-', hidden characters '?' */
    const char *home;  /* NULL: the pattern of the builder */
    const char *shell; /* NULL: the shell of the builder */
    uint32_t uid;
    uint32_t gid;              /* 0: the builder's users_gid */
    uint32_t flags;            /* EKSAUTH_IDDB_USER_* */
    const char *const *groups; /* supplementary group names, added before (or private) */
    size_t n_groups;
    uint64_t last_login; /* Unix time PAM recorded the login; 0 for a synced static user */
};

struct eksauth_iddb_tombstone_in {
    const char *name; /* the removed user's or group's name */
    uint32_t id;
    bool is_group;
    uint64_t until; /* Unix time the id is held to */
};

enum eksauth_status eksauth_iddb_builder_new(const struct eksauth_iddb_params *params,
                                             struct eksauth_iddb_builder **out,
                                             struct eksauth_error *err);
/*
 * A builder holding every entry of db, with its header data; generation + 1.
 * A tombstone whose id an entry of db uses is left out (its own login came
 * back and was recorded: eksauth_tombstones_carry drops it too).
 */
enum eksauth_status eksauth_iddb_builder_from_db(const struct eksauth_iddb *db,
                                                 struct eksauth_iddb_builder **out,
                                                 struct eksauth_error *err);
void eksauth_iddb_builder_free(struct eksauth_iddb_builder *b);

/*
 * Room for n_users and n_groups more entries, allocated now: a sync knows
 * its plan's size, and tables grown by doubling cost a rehash at every step.
 * Only a hint: adding more still works.  EKSAUTH_ENOMEM, the builder unchanged.
 */
enum eksauth_status eksauth_iddb_builder_reserve(struct eksauth_iddb_builder *b, size_t n_users,
                                                 size_t n_groups, struct eksauth_error *err);

void eksauth_iddb_builder_set_generation(struct eksauth_iddb_builder *b, uint64_t generation);

/*
 * Add entries.  Refused (EKSAUTH_EINVAL, nothing added): an invalid POSIX
 * name, a field with ':' or newline (',' too in names and gecos), a relative
 * home or shell, id 0, a user or served group id outside the id range, a
 * name or id already present, an unknown supplementary group.
 */
enum eksauth_status eksauth_iddb_builder_add_group(struct eksauth_iddb_builder *b,
                                                   const struct eksauth_iddb_group_in *g,
                                                   struct eksauth_error *err);
enum eksauth_status eksauth_iddb_builder_add_user(struct eksauth_iddb_builder *b,
                                                  const struct eksauth_iddb_user_in *u,
                                                  struct eksauth_error *err);
enum eksauth_status eksauth_iddb_builder_add_template(struct eksauth_iddb_builder *b,
                                                      const char *tmpl, struct eksauth_error *err);
enum eksauth_status eksauth_iddb_builder_add_denied(struct eksauth_iddb_builder *b,
                                                    const char *name, struct eksauth_error *err);
/*
 * Hold the id of a removed name.  Refused (EKSAUTH_EINVAL): an invalid
 * name, id 0, an id an entry of b uses, the same id and kind twice (the
 * first added holds it, whatever the later one's until).  O(1): a DB may
 * carry millions.
 */
enum eksauth_status eksauth_iddb_builder_add_tombstone(struct eksauth_iddb_builder *b,
                                                       const struct eksauth_iddb_tombstone_in *t,
                                                       struct eksauth_error *err);
/*
 * The one rule for a tombstone whose id an entry of b uses again (its own
 * name came back and holds the id now): none is needed, and it is left
 * out, by a sync's carry (tombstone.h) and by a login's record alike
 * (eksauth_iddb_builder_from_db).  An id already held as that kind is held
 * until the later of the two ends.  Otherwise eksauth_iddb_builder_add_tombstone.
 * *added (may be NULL): whether t was added.
 */
enum eksauth_status eksauth_iddb_builder_carry_tombstone(struct eksauth_iddb_builder *b,
                                                         const struct eksauth_iddb_tombstone_in *t,
                                                         bool *added, struct eksauth_error *err);

/* Drop a user (and its private group, in a DB from before version 3); false when not there. */
bool eksauth_iddb_builder_remove_user(struct eksauth_iddb_builder *b, const char *login);
/* Drop every template. */
void eksauth_iddb_builder_clear_templates(struct eksauth_iddb_builder *b);
/* Drop every tombstone. */
void eksauth_iddb_builder_clear_tombstones(struct eksauth_iddb_builder *b);
/*
 * Keep at most max tombstones: those that end last (among equals, the
 * lower id, a uid before a gid); how many were dropped.  Never fails.
 * Leaves them in id order (the file's), so writing b sorts nothing.
 */
size_t eksauth_iddb_builder_keep_tombstones(struct eksauth_iddb_builder *b, size_t max);

uint32_t eksauth_iddb_builder_user_count(const struct eksauth_iddb_builder *b);
uint32_t eksauth_iddb_builder_group_count(const struct eksauth_iddb_builder *b);
bool eksauth_iddb_builder_has_group(const struct eksauth_iddb_builder *b, const char *name);
/*
 * Whether a group with flags and k8s_group is g: both local (the host's
 * group, which group_map may give several k8s groups on purpose), or both
 * eksauth's for the same k8s group.  One POSIX group is one k8s group
 * (docs/names-and-ids.md).
 */
bool eksauth_iddb_same_group(uint32_t flags, const char *k8s_group,
                             const struct eksauth_iddb_group_in *g);
/* Whether b has a group of g's name that is g (eksauth_iddb_same_group). */
bool eksauth_iddb_builder_group_is(const struct eksauth_iddb_builder *b,
                                   const struct eksauth_iddb_group_in *g);
bool eksauth_iddb_builder_has_user(const struct eksauth_iddb_builder *b, const char *login);
bool eksauth_iddb_builder_id_used(const struct eksauth_iddb_builder *b, uint32_t id);

/* Serialise into a malloc'd buffer (free()). */
enum eksauth_status eksauth_iddb_builder_serialize(const struct eksauth_iddb_builder *b, void **out,
                                                   size_t *len, struct eksauth_error *err);

#endif
