/*
 * iddb.c - the identity DB reader (format: docs/identity-db.md and
 * include/eksauth/iddb_format.h).
 *
 * libc only: the NSS module compiles this file.  Opening maps the file
 * read-only and shared and checks what costs O(1): owner, mode, size,
 * version, the header checksum, that every section lies inside the file,
 * and the small config section (home, shell, templates, denied names).
 * Every other byte is covered by the XXH64 of its 4 KiB block, which is
 * checked the first time a lookup touches the block (the handle keeps a
 * bitmap of checked blocks); then the record itself is bounds-checked and
 * its fields validated (names valid, ids in range, no field that could
 * split a passwd or group line) before any of it is returned.  So a caller
 * gets a whole valid entry or an error, never part of one, and a lookup
 * costs O(its record) whatever the size of the file.  No global mutable
 * state: the handle is the caller's, and so is its locking; the bitmap is
 * updated with atomic operations.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/byteorder.h"
#include "eksauth/iddb.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"
#include "eksauth/trust.h"
#include "eksauth/iddb_format.h"

struct section {
    uint32_t off, size;
};

struct eksauth_iddb {
    const unsigned char *base;
    size_t size;
    bool mapped; /* munmap on close */
    void *owned; /* free on close */
    struct eksauth_iddb_stamp stamp;
    uint64_t generation, seed;
    uint32_t id_min, id_max, n_users, n_groups, n_tombstones, max_probe;
    uint32_t flags, users_gid;        /* EKSAUTH_IDDB_KEYED; the primary group of every user */
    uint64_t key_check;               /* the id key's check value when keyed */
    uint32_t user_slots, group_slots; /* powers of two, or 0 when there is nothing to index */
    struct section sec[IDDB_N_SECTIONS];
    uint32_t n_blocks;
    uint64_t *checked; /* bit b: block b matched its checksum (atomic updates) */
    const char *home, *shell;
    const char **templates, **denied; /* into the config section; denied sorted */
    uint32_t n_templates, n_denied;
};

/* ------------------------------------------------------------------------ */
/* XXH64 (Yann Collet's xxHash, 64-bit variant), the DB checksum.           */

#define XXH_P1 0x9E3779B185EBCA87ull
#define XXH_P2 0xC2B2AE3D27D4EB4Full
#define XXH_P3 0x165667B19E3779F9ull
#define XXH_P4 0x85EBCA77C2B2AE63ull
#define XXH_P5 0x27D4EB2F165667C5ull

static uint64_t xxh_rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t xxh_round(uint64_t acc, uint64_t input)
{
    acc += input * XXH_P2;
    acc = xxh_rotl(acc, 31);
    return acc * XXH_P1;
}

static uint64_t xxh_merge(uint64_t acc, uint64_t val)
{
    acc ^= xxh_round(0, val);
    return acc * XXH_P1 + XXH_P4;
}

uint64_t eksauth_iddb_checksum(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data, *end = p + len;
    uint64_t h;

    if (len >= 32) {
        const unsigned char *limit = end - 32;
        uint64_t v1 = seed + XXH_P1 + XXH_P2, v2 = seed + XXH_P2, v3 = seed, v4 = seed - XXH_P1;

        do {
            v1 = xxh_round(v1, eksauth_le64_get(p));
            v2 = xxh_round(v2, eksauth_le64_get(p + 8));
            v3 = xxh_round(v3, eksauth_le64_get(p + 16));
            v4 = xxh_round(v4, eksauth_le64_get(p + 24));
            p += 32;
        } while (p <= limit);
        h = xxh_rotl(v1, 1) + xxh_rotl(v2, 7) + xxh_rotl(v3, 12) + xxh_rotl(v4, 18);
        h = xxh_merge(h, v1);
        h = xxh_merge(h, v2);
        h = xxh_merge(h, v3);
        h = xxh_merge(h, v4);
    } else {
        h = seed + XXH_P5;
    }
    h += (uint64_t)len;
    while (end - p >= 8) {
        h ^= xxh_round(0, eksauth_le64_get(p));
        h = xxh_rotl(h, 27) * XXH_P1 + XXH_P4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)eksauth_le32_get(p) * XXH_P1;
        h = xxh_rotl(h, 23) * XXH_P2 + XXH_P3;
        p += 4;
    }
    while (p < end) {
        h ^= (uint64_t)*p * XXH_P5;
        h = xxh_rotl(h, 11) * XXH_P1;
        p++;
    }
    h ^= h >> 33;
    h *= XXH_P2;
    h ^= h >> 29;
    h *= XXH_P3;
    h ^= h >> 32;
    return h;
}

uint64_t eksauth_iddb_hash_name(const char *name, size_t len, uint64_t seed)
{
    return eksauth_iddb_checksum(name, len, seed);
}

uint64_t eksauth_iddb_hash_id(uint32_t id, uint64_t seed)
{
    /* splitmix64's finaliser: every bit of the id reaches the slot bits. */
    uint64_t z = (uint64_t)id ^ seed;

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ------------------------------------------------------------------------ */
/* Blocks: checked once each, the first time anything in them is read.     */

/* Check block b against its checksum and remember it; false when it does not match. */
static bool check_block(const struct eksauth_iddb *db, uint32_t b)
{
    const unsigned char *block = db->base + IDDB_DATA_START + (size_t)b * IDDB_BLOCK_SIZE;
    const unsigned char *sum = db->base + db->sec[IDDB_S_BLOCKS].off + (size_t)b * 8;

    /* A damaged block (or a damaged checksum) is never read: fail closed. */
    if (eksauth_iddb_checksum(block, IDDB_BLOCK_SIZE, 0) != eksauth_le64_get(sum))
        return false;
    __atomic_fetch_or(&db->checked[b / 64], 1ull << (b % 64), __ATOMIC_RELEASE);
    return true;
}

/*
 * True when every block of [off, off + len) matches its checksum.  The
 * caller has checked that the range lies inside a section, so inside the
 * data blocks.  A block is hashed once per handle (4 KiB, well under a
 * microsecond); its bit is set only after it matched, so afterwards a
 * check is one load.
 */
static inline bool blocks_ok(const struct eksauth_iddb *db, uint32_t off, uint32_t len)
{
    uint32_t b = (off - IDDB_DATA_START) >> IDDB_BLOCK_SHIFT, last;

    /*
     * An empty range reads nothing; at the end of the data (an empty section
     * there) its "block" would be past the last one, and past the file.
     */
    if (len == 0)
        return true;
    last = (uint32_t)(((uint64_t)off + len - 1 - IDDB_DATA_START) >> IDDB_BLOCK_SHIFT);
    if (last >= db->n_blocks)
        return false;
    for (; b <= last; b++)
        if ((__atomic_load_n(&db->checked[b / 64], __ATOMIC_ACQUIRE) & (1ull << (b % 64))) == 0 &&
            !check_block(db, b))
            return false;
    return true;
}

/* [off, off + len) inside section s and its blocks checked: a pointer to it, else NULL. */
static inline const unsigned char *sec_at(const struct eksauth_iddb *db, enum iddb_section s,
                                          uint64_t off, uint64_t len)
{
    const struct section *sec = &db->sec[s];

    /* 64-bit sums: no offset read from the file can wrap around. */
    if (off < sec->off || off + len > (uint64_t)sec->off + sec->size)
        return NULL;
    if (!blocks_ok(db, (uint32_t)off, (uint32_t)len))
        return NULL;
    return db->base + off;
}

/* A record of section s at off: its length word first, then all of it. */
static inline const unsigned char *record_at(const struct eksauth_iddb *db, enum iddb_section s,
                                             uint32_t off, uint32_t min, uint32_t *lenp)
{
    const struct section *sec = &db->sec[s];
    uint64_t end = (uint64_t)sec->off + sec->size;
    uint32_t len;

    if (off < sec->off || (uint64_t)off + min > end || off % IDDB_ALIGN != 0 ||
        !blocks_ok(db, off, 4))
        return NULL;
    len = eksauth_le32_get(db->base + off);
    if (len < min || len % IDDB_ALIGN != 0 || (uint64_t)off + len > end || !blocks_ok(db, off, len))
        return NULL;
    *lenp = len;
    return db->base + off;
}

/* ------------------------------------------------------------------------ */
/* Opening: header, sections, config.                                       */

const char *eksauth_iddb_default_path(void)
{
    /* secure_getenv: a setuid program never takes the DB path from its caller. */
    const char *p = secure_getenv("EKSAUTH_DB");

    return (p != NULL && p[0] == '/') ? p : EKSAUTH_DB_PATH;
}

static bool is_pow2(uint32_t v)
{
    return (v & (v - 1)) == 0;
}

/* Every section inside the data blocks, aligned, and sized for its counts. */
static bool sections_ok(struct eksauth_iddb *db)
{
    const struct section *blocks = &db->sec[IDDB_S_BLOCKS];
    uint64_t us = (uint64_t)db->user_slots * IDDB_SLOT_SIZE;
    uint64_t gs = (uint64_t)db->group_slots * IDDB_SLOT_SIZE;
    int s;

    /* The blocks cover [IDDB_DATA_START, blocks->off) and their checksums end the file. */
    if (blocks->off < IDDB_DATA_START || blocks->off % IDDB_BLOCK_SIZE != 0 ||
        (uint64_t)blocks->size != (uint64_t)(blocks->off - IDDB_DATA_START) / IDDB_BLOCK_SIZE * 8 ||
        (uint64_t)blocks->off + blocks->size != db->size)
        return false;
    db->n_blocks = (blocks->off - IDDB_DATA_START) / IDDB_BLOCK_SIZE;
    for (s = 0; s < IDDB_S_BLOCKS; s++) {
        const struct section *x = &db->sec[s];

        if (x->off < IDDB_DATA_START || x->off % IDDB_ALIGN != 0 ||
            (uint64_t)x->off + x->size > blocks->off)
            return false;
    }
    /* Index tables are powers of two with room for every entry (none when empty). */
    if ((db->n_users == 0) != (db->user_slots == 0) || !is_pow2(db->user_slots) ||
        db->user_slots < db->n_users || (db->n_groups == 0) != (db->group_slots == 0) ||
        !is_pow2(db->group_slots) || db->group_slots < db->n_groups)
        return false;
    return db->sec[IDDB_S_USER_BY_NAME].size == us && db->sec[IDDB_S_USER_BY_UID].size == us &&
           db->sec[IDDB_S_GROUP_BY_NAME].size == gs && db->sec[IDDB_S_GROUP_BY_GID].size == gs &&
           db->sec[IDDB_S_USER_ORDER].size == (uint64_t)db->n_users * 4 &&
           db->sec[IDDB_S_GROUP_ORDER].size == (uint64_t)db->n_groups * 4 &&
           db->sec[IDDB_S_TOMBSTONES].size == (uint64_t)db->n_tombstones * IDDB_T_SIZE &&
           db->sec[IDDB_S_NAME_FILTER].size >= IDDB_FILTER_MIN &&
           is_pow2(db->sec[IDDB_S_NAME_FILTER].size) &&
           db->sec[IDDB_S_USERS].size >= (uint64_t)db->n_users * IDDB_U_GROUPS &&
           db->sec[IDDB_S_GROUPS].size >= (uint64_t)db->n_groups * IDDB_G_MEMBER_OFFS &&
           db->max_probe <= db->user_slots + db->group_slots;
}

/* The next NUL-terminated string of the config section at *at, with no newline. */
static const char *config_str(const struct eksauth_iddb *db, const unsigned char *cfg, uint32_t *at)
{
    uint32_t size = db->sec[IDDB_S_CONFIG].size;
    const char *s = (const char *)cfg + *at;
    const char *nul;

    if (*at >= size)
        return NULL;
    nul = memchr(s, '\0', size - *at);
    /* Empty strings and newlines are never written; a string runs to its NUL, inside. */
    if (nul == NULL || nul == s || memchr(s, '\n', (size_t)(nul - s)) != NULL)
        return NULL;
    *at += (uint32_t)(nul - s) + 1;
    return s;
}

/*
 * A file that fails a check of its format: said damaged, with the check,
 * so the operator knows it is no setup of theirs, and the way out: every
 * sync rebuilds a DB that opens so from aws-auth alone (lib/sync.c
 * apply_locked), forgetting what only the DB held.  No ';': doctor would
 * take the rest for its fix, which names the sync already
 * (tools/doctor/db.c).
 */
#define DAMAGED(why) "identity DB: %s: damaged (" why ")" EKSAUTH_IDDB_REBUILDS
#define BAD_CONFIG   DAMAGED("bad config section: home, shell, templates, denied")

void eksauth_iddb_strip_rebuilds(struct eksauth_error *err)
{
    static const char hint[] = EKSAUTH_IDDB_REBUILDS;
    size_t n = strnlen(err->msg, sizeof(err->msg) - 1), kept = sizeof(hint) - 1;
    bool cut = n == sizeof(err->msg) - 1; /* filled: eksauth_fail cut its end */

    /* The hint whole; or, cut, its head: the longest one that ends the message. */
    do {
        if (kept <= n && memcmp(err->msg + n - kept, hint, kept) == 0) {
            err->msg[n - kept] = '\0';
            return;
        }
    } while (cut && --kept > 0);
}

/*
 * A file that is not, and never was, an identity DB (eksauth_iddb_is_foreign):
 * a typo in db_path, or another product's file.  Every sync refuses to write
 * over it (lib/sync.c apply_locked); the fix after the ';' is doctor's
 * (tools/doctor/db.c).
 */
#define FOREIGN                                                                                    \
    "identity DB: %s: not an identity DB (bad magic), and eksauth sync leaves it as it is; "       \
    "check db_path in the config, or, if it was an identity DB damaged at its start, move it "     \
    "away and run eksauth sync again"

/* Home pattern, shell, templates and denied names, read once at open into db->templates. */
static bool parse_config(struct eksauth_iddb *db)
{
    const struct section *c = &db->sec[IDDB_S_CONFIG];
    const unsigned char *cfg = sec_at(db, IDDB_S_CONFIG, c->off, c->size);
    uint32_t at = 0, i;

    if (cfg == NULL)
        return false;
    db->home = config_str(db, cfg, &at);
    db->shell = config_str(db, cfg, &at);
    /* Home pattern and shell are served in passwd entries: absolute, no ':'. */
    if (db->home == NULL || db->shell == NULL || db->home[0] != '/' || db->shell[0] != '/' ||
        strchr(db->home, ':') != NULL || strchr(db->shell, ':') != NULL)
        return false;
    db->denied = db->templates + db->n_templates;
    for (i = 0; i < db->n_templates; i++)
        if ((db->templates[i] = config_str(db, cfg, &at)) == NULL)
            return false;
    for (i = 0; i < db->n_denied; i++) {
        if ((db->denied[i] = config_str(db, cfg, &at)) == NULL)
            return false;
        /* Sorted and unique, so is_denied can search it. */
        if (i > 0 && strcmp(db->denied[i - 1], db->denied[i]) >= 0)
            return false;
    }
    return at == c->size || cfg[at] == '\0';
}

/*
 * The header checksum: the whole header page (the header and its zero
 * padding, so no byte of the file is left uncovered) with the checksum and
 * stale words as zero.
 */
uint64_t eksauth_iddb_header_sum(const void *page)
{
    const unsigned char *h = page;
    unsigned char copy[IDDB_DATA_START];

    memcpy(copy, h, sizeof(copy));
    memset(copy + IDDB_H_CHECKSUM, 0, 8);
    memset(copy + IDDB_H_STALE, 0, 4);
    return eksauth_iddb_checksum(copy, sizeof(copy), 0);
}

bool eksauth_iddb_is_later(const void *data, size_t len)
{
    const unsigned char *h = data;

    /* The prefix every version from 2 on keeps: the header page and its checksum. */
    return len >= IDDB_DATA_START && eksauth_le32_get(h + IDDB_H_VERSION) > EKSAUTH_IDDB_VERSION &&
           eksauth_iddb_header_sum(h) == eksauth_le64_get(h + IDDB_H_CHECKSUM);
}

void eksauth_iddb_reseal(void *data, size_t len)
{
    unsigned char *p = data;
    uint32_t boff, bsize, b;

    if (p == NULL || len < IDDB_DATA_START || len > EKSAUTH_IDDB_MAX_SIZE)
        return;
    eksauth_le64_put(p + IDDB_H_FSIZE, len);
    boff = eksauth_le32_get(p + IDDB_H_SECTIONS + IDDB_S_BLOCKS * 8);
    bsize = eksauth_le32_get(p + IDDB_H_SECTIONS + IDDB_S_BLOCKS * 8 + 4);
    /* The same layout rules the reader applies (sections_ok), or the blocks are left alone. */
    if (boff >= IDDB_DATA_START && boff % IDDB_BLOCK_SIZE == 0 &&
        (uint64_t)(boff - IDDB_DATA_START) / IDDB_BLOCK_SIZE * 8 == bsize &&
        (uint64_t)boff + bsize == len) {
        for (b = 0; b < bsize / 8; b++) {
            const unsigned char *block = p + IDDB_DATA_START + (size_t)b * IDDB_BLOCK_SIZE;

            eksauth_le64_put(p + boff + (size_t)b * 8,
                             eksauth_iddb_checksum(block, IDDB_BLOCK_SIZE, 0));
        }
    }
    eksauth_le64_put(p + IDDB_H_CHECKSUM, eksauth_iddb_header_sum(p));
}

/* Whether the n bytes at p are all zero. */
static bool all_zero(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

/* The head rule of eksauth_iddb_is_foreign: the first bytes (up to 8) are no start of the magic. */
static bool head_foreign(const unsigned char *p, size_t n)
{
    return n > 0 && memcmp(p, EKSAUTH_IDDB_MAGIC, n < 8 ? n : 8) != 0;
}

bool eksauth_iddb_is_foreign(const void *data, size_t len)
{
    return head_foreign(data, len) && !all_zero(data, len);
}

enum eksauth_status eksauth_iddb_check_ours(const char *path, struct eksauth_error *err)
{
    unsigned char buf[4096];
    size_t have = 0;
    uint64_t total = 0;
    bool foreign = false, zero = true;
    ssize_t n = 0;
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return eksauth_fail(err, errno == ENOENT ? EKSAUTH_EUNAVAIL : EKSAUTH_EIO,
                            "identity DB: %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0) {
        int e = errno;

        close(fd);
        return eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", path, strerror(e));
    }
    /*
     * Only a regular file is judged: /dev/zero would never end, a blank
     * device would be read whole on every record.  The writer's own open
     * refuses the rest ("not a regular file").
     */
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return EKSAUTH_OK;
    }
    /* The head first (a short read included), then the rest until a byte that is not zero. */
    for (;;) {
        n = read(fd, buf + (have < 8 ? have : 0), have < 8 ? 8 - have : sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        total += (uint64_t)n;
        if (have < 8) {
            have += (size_t)n;
            if (have < 8)
                continue;
            foreign = head_foreign(buf, have);
            zero = all_zero(buf, have);
            /*
             * Larger than any DB a writer makes, leftovers of a crash
             * included: ours only if it starts as one (a swap file or a disk
             * image starts with zero bytes).
             */
            if (sb.st_size > (off_t)EKSAUTH_IDDB_MAX_SIZE) {
                zero = false;
                break;
            }
        } else {
            zero = all_zero(buf, (size_t)n);
        }
        /* Never past the largest DB (a file growing while read). */
        if (!foreign || !zero || total >= EKSAUTH_IDDB_MAX_SIZE)
            break;
    }
    if (n < 0) {
        int e = errno;

        close(fd);
        return eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", path, strerror(e));
    }
    close(fd);
    /* Shorter than the magic: no start of it, and not zero bytes alone. */
    if (have < 8)
        foreign = eksauth_iddb_is_foreign(buf, have);
    else
        foreign = foreign && !zero;
    if (foreign)
        return eksauth_fail(err, EKSAUTH_EINVAL, FOREIGN, path);
    return EKSAUTH_OK;
}

static enum eksauth_status parse_header(struct eksauth_iddb *db, const char *what,
                                        struct eksauth_error *err)
{
    const unsigned char *h = db->base;
    uint64_t want;
    int s;

    /*
     * Another file first, whatever its size: a sync never writes over it,
     * and no message may say it does.
     */
    if (eksauth_iddb_is_foreign(h, db->size))
        return eksauth_fail(err, EKSAUTH_EINVAL, FOREIGN, what);
    /* Magic and version first, so an old DB gets the message that says what to do. */
    if (db->size < 16)
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("truncated to %zu bytes"), what, db->size);
    /*
     * No magic, yet not another file's: zero bytes alone, what a crash can
     * leave of a file written (some file systems): damage.
     */
    if (memcmp(h + IDDB_H_MAGIC, EKSAUTH_IDDB_MAGIC, 8) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("%zu bytes, all zero"), what, db->size);
    /*
     * A later version is a later eksauth's (this one rolled back) only when
     * its header checksum holds: its layout is unknown here, and a sync of
     * this version must not rewrite it, which would forget its recorded ids
     * and id holds (lib/iddb_upgrade.c).  Without it, the version word is
     * damage: called a later eksauth's, it would be refused by every sync,
     * with a fix (upgrade) that cannot come; a sync rebuilds it.
     */
    if (eksauth_le32_get(h + IDDB_H_VERSION) > EKSAUTH_IDDB_VERSION &&
        !eksauth_iddb_is_later(h, db->size))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: %s: version %u with a header checksum that does not "
                            "hold, which no eksauth writes: a damaged header; run eksauth sync to "
                            "rebuild it (its recorded ids and id holds are lost)",
                            what, eksauth_le32_get(h + IDDB_H_VERSION));
    if (eksauth_le32_get(h + IDDB_H_VERSION) > EKSAUTH_IDDB_VERSION)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: %s: version %u, written by a later eksauth (this one "
                            "reads version %u); upgrade eksauth again, or see \"Upgrading and "
                            "rolling back\" in docs/operating.md",
                            what, eksauth_le32_get(h + IDDB_H_VERSION), EKSAUTH_IDDB_VERSION);
    if (eksauth_le32_get(h + IDDB_H_VERSION) != EKSAUTH_IDDB_VERSION)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: %s: version %u; run eksauth sync to rewrite it", what,
                            eksauth_le32_get(h + IDDB_H_VERSION));
    /* Too short for the header page, or bigger than any DB we write: never read past the end. */
    if (db->size < IDDB_DATA_START)
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("truncated to %zu bytes"), what, db->size);
    if (db->size > EKSAUTH_IDDB_MAX_SIZE)
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("too large"), what);
    if (eksauth_le32_get(h + IDDB_H_HSIZE) != IDDB_HEADER_SIZE)
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("bad header size"), what);
    /* The size written in the header must be the size we have: catches truncation. */
    want = eksauth_le64_get(h + IDDB_H_FSIZE);
    if (want != db->size)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            DAMAGED("truncated or padded: %zu bytes, the header says %llu"), what,
                            db->size, (unsigned long long)want);
    if (eksauth_iddb_header_sum(h) != eksauth_le64_get(h + IDDB_H_CHECKSUM))
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("header checksum mismatch"), what);

    db->generation = eksauth_le64_get(h + IDDB_H_GENERATION);
    db->id_min = eksauth_le32_get(h + IDDB_H_ID_MIN);
    db->id_max = eksauth_le32_get(h + IDDB_H_ID_MAX);
    db->n_users = eksauth_le32_get(h + IDDB_H_N_USERS);
    db->n_groups = eksauth_le32_get(h + IDDB_H_N_GROUPS);
    db->n_templates = eksauth_le32_get(h + IDDB_H_N_TEMPLATES);
    db->n_denied = eksauth_le32_get(h + IDDB_H_N_DENIED);
    db->n_tombstones = eksauth_le32_get(h + IDDB_H_N_TOMBSTONES);
    db->max_probe = eksauth_le32_get(h + IDDB_H_MAX_PROBE);
    db->seed = eksauth_le64_get(h + IDDB_H_HASH_SEED);
    db->user_slots = eksauth_le32_get(h + IDDB_H_USER_SLOTS);
    db->group_slots = eksauth_le32_get(h + IDDB_H_GROUP_SLOTS);
    db->flags = eksauth_le32_get(h + IDDB_H_FLAGS);
    db->key_check = eksauth_le64_get(h + IDDB_H_KEY_CHECK);
    db->users_gid = eksauth_le32_get(h + IDDB_H_USERS_GID);
    for (s = 0; s < IDDB_N_SECTIONS; s++) {
        db->sec[s].off = eksauth_le32_get(h + IDDB_H_SECTIONS + s * 8);
        db->sec[s].size = eksauth_le32_get(h + IDDB_H_SECTIONS + s * 8 + 4);
    }
    /*
     * id 0 is root's: a range that holds it (or an empty range) is refused.
     * An unknown flag could change what an id means: refused too.  The
     * users' group is a served group of the range (or 0: none).
     */
    if (db->id_min == 0 || db->id_min > db->id_max || (db->flags & ~EKSAUTH_IDDB_KEYED) != 0 ||
        (db->users_gid != 0 && (db->users_gid < db->id_min || db->users_gid > db->id_max)))
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("bad id range or flags"), what);
    /* Every section inside the file: later reads only check they stay inside their section. */
    if (!sections_ok(db))
        return eksauth_fail(err, EKSAUTH_EINVAL, DAMAGED("bad section layout"), what);
    db->checked = calloc((size_t)db->n_blocks / 64 + 1, sizeof(uint64_t));
    if (db->checked == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    /*
     * Each config entry takes two bytes at least: the counts cannot ask for
     * more than the section.  Out of memory is no damage: the sync rebuilds
     * a DB that opens as EINVAL, forgetting its recorded ids and id holds,
     * and keeps one that opens as ENOMEM (lib/sync.c).
     */
    if ((uint64_t)db->n_templates + db->n_denied > db->sec[IDDB_S_CONFIG].size / 2)
        return eksauth_fail(err, EKSAUTH_EINVAL, BAD_CONFIG, what);
    db->templates = calloc((size_t)db->n_templates + db->n_denied + 1, sizeof(char *));
    if (db->templates == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    if (!parse_config(db))
        return eksauth_fail(err, EKSAUTH_EINVAL, BAD_CONFIG, what);
    return EKSAUTH_OK;
}

static void free_handle(struct eksauth_iddb *db)
{
    if (db == NULL)
        return;
    if (db->mapped)
        munmap((void *)db->base, db->size);
    free(db->owned);
    free(db->checked);
    free(db->templates);
    free(db);
}

static enum eksauth_status open_bytes(const void *data, size_t len, void *owned,
                                      struct eksauth_iddb **out, struct eksauth_error *err)
{
    struct eksauth_iddb *db;
    enum eksauth_status st;

    *out = NULL;
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        free(owned);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    }
    db->base = data;
    db->size = data != NULL ? len : 0; /* a NULL buffer is an empty one */
    db->owned = owned;
    st = parse_header(db, "(memory)", err);
    if (st != EKSAUTH_OK) {
        free_handle(db);
        return st;
    }
    *out = db;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_open_mem(const void *data, size_t len, struct eksauth_iddb **out,
                                          struct eksauth_error *err)
{
    return open_bytes(data, len, NULL, out, err);
}

enum eksauth_status eksauth_iddb_open_owned(void *data, size_t len, struct eksauth_iddb **out,
                                            struct eksauth_error *err)
{
    return open_bytes(data, len, data, out, err);
}

static void stamp_from_stat(struct eksauth_iddb_stamp *s, const struct stat *st)
{
    memset(s, 0, sizeof(*s));
    s->dev = st->st_dev;
    s->ino = st->st_ino;
    s->size = st->st_size;
    s->mtime = st->st_mtim;
    s->ctime = st->st_ctim;
    s->mode = st->st_mode;
    s->uid = st->st_uid;
}

bool eksauth_iddb_stat(const char *path, struct eksauth_iddb_stamp *s)
{
    struct stat st;

    if (stat(path, &st) != 0)
        return false;
    stamp_from_stat(s, &st);
    return true;
}

bool eksauth_iddb_stamp_equal(const struct eksauth_iddb_stamp *a,
                              const struct eksauth_iddb_stamp *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
           a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec &&
           a->mode == b->mode && a->uid == b->uid;
}

const struct eksauth_iddb_stamp *eksauth_iddb_get_stamp(const struct eksauth_iddb *db)
{
    return &db->stamp;
}

bool eksauth_iddb_is_stale(const struct eksauth_iddb *db)
{
    /* The writer stores the word with pwrite; the shared mapping shows it. */
    return db->mapped && __atomic_load_n((const uint32_t *)(const void *)(db->base + IDDB_H_STALE),
                                         __ATOMIC_ACQUIRE) != 0;
}

enum eksauth_status eksauth_iddb_open(const char *path, struct eksauth_iddb **out,
                                      struct eksauth_error *err)
{
    struct eksauth_iddb *db = NULL;
    enum eksauth_status st;
    struct stat sb;
    void *map = MAP_FAILED;
    int fd = -1;

    *out = NULL;
    /* O_CLOEXEC: this runs inside arbitrary programs; O_NONBLOCK: a fifo cannot block us. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        st = eksauth_fail(err, errno == ENOENT ? EKSAUTH_EUNAVAIL : EKSAUTH_EIO,
                          "identity DB: %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &sb) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", path, strerror(errno));
        goto out;
    }
    /* Only a regular file: a device or fifo could block or change under us. */
    if (!S_ISREG(sb.st_mode)) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, "identity DB: %s: not a regular file", path);
        goto out;
    }
    /*
     * Whoever can write the DB decides who is root in sudo: it must be root's
     * alone.  So must its folder (lib/trust.c, the config's and the id key's
     * rule): whoever can rename its entries can move the current DB aside
     * before a sync and back after it, and serve a revoked user again.
     */
    if (eksauth_trust_check_opened(path, &sb, err) != EKSAUTH_OK) {
        st = EKSAUTH_EREJECTED;
        if (err != NULL) {
            err->status = st;
            eksauth_error_prefix(err, "identity DB");
        }
        goto out;
    }
    /*
     * Size bounds before mmap: a byte at least (parse_header judges a short
     * file by its bytes: another file's, or a DB's start), and nothing
     * absurd.  A larger file is another's unless it starts with the magic,
     * zero bytes included (a swap file, a disk image), as
     * eksauth_iddb_check_ours, and so the sync, judges it.
     */
    if (sb.st_size == 0 || sb.st_size > (off_t)EKSAUTH_IDDB_MAX_SIZE) {
        unsigned char head[8];

        if (sb.st_size > 0 && pread(fd, head, 8, 0) == 8 && head_foreign(head, 8))
            st = eksauth_fail(err, EKSAUTH_EINVAL, FOREIGN, path);
        else
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              sb.st_size == 0 ? DAMAGED("truncated to %lld bytes")
                                              : DAMAGED("too large: %lld bytes"),
                              path, (long long)sb.st_size);
        goto out;
    }
    /* Shared: the writer's stale mark in this file must show in the mapping. */
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        st = eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: mmap: %s", path, strerror(errno));
        goto out;
    }
    /* Lookups touch a few scattered pages: no read-ahead of the rest. */
    (void)madvise(map, (size_t)sb.st_size, MADV_RANDOM);
    /*
     * Huge pages where the kernel can: a lookup's reads land anywhere in
     * the file, and with 4 KiB pages each one costs a TLB miss (dear under
     * a hypervisor).  A page the page cache lacks is then read as a 2 MiB
     * folio and mapped by one PMD (bench/README.md, "Row 3 at 100k and
     * 1M"); pages already cached stay as they are.  Only advice: ignored
     * where unsupported, and it changes no byte we read.
     */
    (void)madvise(map, (size_t)sb.st_size, MADV_HUGEPAGE);
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    db->base = map;
    db->size = (size_t)sb.st_size;
    db->mapped = true;
    map = MAP_FAILED; /* owned by db now */
    stamp_from_stat(&db->stamp, &sb);
    st = parse_header(db, path, err);
    if (st != EKSAUTH_OK)
        goto out;
    *out = db;
    db = NULL;
out:
    free_handle(db);
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    if (fd >= 0)
        close(fd);
    return st;
}

void eksauth_iddb_close(struct eksauth_iddb *db)
{
    free_handle(db);
}

/* ------------------------------------------------------------------------ */
/* Records.                                                                  */

/* The string of length len at *at of record r (of rlen bytes): NUL right after it. */
static const char *rec_str(const unsigned char *r, uint32_t rlen, uint32_t *at, uint32_t len)
{
    const char *s = (const char *)r + *at;

    if (len > EKSAUTH_IDDB_STR_MAX || (uint64_t)*at + len + 1 > rlen || s[len] != '\0')
        return NULL;
    *at += len + 1;
    return s;
}

/* A group of a user's list, or a group record: gid 0 never, ours in our range. */
static bool group_id_ok(const struct eksauth_iddb *db, uint32_t gid, uint32_t flags)
{
    if ((flags & ~(EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0 || gid == 0)
        return false;
    /* A local group's gid is the admin's choice; any other stays in our range. */
    return (flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0 || (gid >= db->id_min && gid <= db->id_max);
}

/*
 * A whole user record, checked before any of it is handed out.  The six
 * strings follow one another, each with its NUL: login, k8s username, ARN,
 * gecos, home, shell.
 */
static enum eksauth_status read_user(const struct eksauth_iddb *db, uint32_t off,
                                     struct eksauth_iddb_user *out)
{
    const unsigned char *r, *e;
    uint32_t rlen, at, i, k8s_len, arn_len;
    const char *span;
    size_t span_len;

    r = record_at(db, IDDB_S_USERS, off, IDDB_U_GROUPS, &rlen);
    if (r == NULL)
        return EKSAUTH_EINVAL;
    out->uid = eksauth_le32_get(r + IDDB_U_UID);
    out->gid = eksauth_le32_get(r + IDDB_U_GID);
    out->flags = eksauth_le32_get(r + IDDB_U_FLAGS);
    out->last_login = eksauth_le64_get(r + IDDB_U_LAST_LOGIN);
    out->n_groups = eksauth_le32_get(r + IDDB_U_N_GROUPS);
    out->rec_off = off;
    if (out->n_groups > EKSAUTH_IDDB_MAX_GROUPS)
        return EKSAUTH_EINVAL;
    at = IDDB_U_GROUPS + out->n_groups * IDDB_UGROUP_SIZE;
    out->login_len = eksauth_le16_get(r + IDDB_U_STRLENS);
    k8s_len = eksauth_le16_get(r + IDDB_U_STRLENS + 2);
    arn_len = eksauth_le16_get(r + IDDB_U_STRLENS + 4);
    out->gecos_len = eksauth_le16_get(r + IDDB_U_STRLENS + 6);
    out->home_len = eksauth_le16_get(r + IDDB_U_STRLENS + 8);
    out->shell_len = eksauth_le16_get(r + IDDB_U_STRLENS + 10);
    if ((out->login = rec_str(r, rlen, &at, (uint32_t)out->login_len)) == NULL ||
        (out->k8s_username = rec_str(r, rlen, &at, k8s_len)) == NULL ||
        (out->arn = rec_str(r, rlen, &at, arn_len)) == NULL ||
        (out->gecos = rec_str(r, rlen, &at, (uint32_t)out->gecos_len)) == NULL ||
        (out->home = rec_str(r, rlen, &at, (uint32_t)out->home_len)) == NULL ||
        (out->shell = rec_str(r, rlen, &at, (uint32_t)out->shell_len)) == NULL)
        return EKSAUTH_EINVAL;
    if ((out->flags & ~EKSAUTH_IDDB_USER_TEMPLATED) != 0)
        return EKSAUTH_EINVAL;
    /*
     * Only names NSS may serve (the login whole: no NUL inside it), and no
     * field that could split a passwd line: one search over the strings
     * after the login for a newline, one over gecos, home and shell for ':',
     * one over gecos for ','.  (A NUL inside another field would only
     * shorten what is served.)
     */
    span = out->k8s_username;
    span_len = (size_t)(out->shell + out->shell_len - span);
    if (!eksauth_names_valid(out->login) || strlen(out->login) != out->login_len ||
        memchr(span, '\n', span_len) != NULL ||
        memchr(out->gecos, ':', (size_t)(out->shell + out->shell_len - out->gecos)) != NULL ||
        memchr(out->gecos, ',', out->gecos_len) != NULL || out->home[0] != '/' ||
        out->shell[0] != '/')
        return EKSAUTH_EINVAL;
    /* Never root, and only ids of our range: a corrupt DB cannot grant uid or gid 0. */
    if (out->uid < db->id_min || out->uid > db->id_max || out->gid < db->id_min ||
        out->gid > db->id_max)
        return EKSAUTH_EINVAL;
    /* The groups the list names: the same checks as their records. */
    for (i = 0, e = r + IDDB_U_GROUPS; i < out->n_groups; i++, e += IDDB_UGROUP_SIZE)
        if (!group_id_ok(db, eksauth_le32_get(e), eksauth_le32_get(e + 4)))
            return EKSAUTH_EINVAL;
    return EKSAUTH_OK;
}

static enum eksauth_status read_group(const struct eksauth_iddb *db, uint32_t off,
                                      struct eksauth_iddb_group *out)
{
    const unsigned char *r;
    struct eksauth_iddb_group g;
    uint32_t rlen, at, mbytes;

    r = record_at(db, IDDB_S_GROUPS, off, IDDB_G_MEMBER_OFFS, &rlen);
    if (r == NULL)
        return EKSAUTH_EINVAL;
    memset(&g, 0, sizeof(g));
    g.gid = eksauth_le32_get(r + IDDB_G_GID);
    g.flags = eksauth_le32_get(r + IDDB_G_FLAGS);
    g.n_members = eksauth_le32_get(r + IDDB_G_N_MEMBERS);
    mbytes = eksauth_le32_get(r + IDDB_G_MEMBERS_BYTES);
    g.rec_off = off;
    /* Each member takes 4 bytes of offsets and 2 of name at least. */
    if (g.n_members > rlen / 6)
        return EKSAUTH_EINVAL;
    at = IDDB_G_MEMBER_OFFS + g.n_members * 4;
    g.name = rec_str(r, rlen, &at, eksauth_le16_get(r + IDDB_G_NAME_LEN));
    g.name_len = eksauth_le16_get(r + IDDB_G_NAME_LEN);
    if (g.name == NULL)
        return EKSAUTH_EINVAL;
    g.k8s_group = rec_str(r, rlen, &at, eksauth_le16_get(r + IDDB_G_K8S_LEN));
    if (g.k8s_group == NULL || !eksauth_names_valid(g.name) || strlen(g.name) != g.name_len ||
        strlen(g.k8s_group) != eksauth_le16_get(r + IDDB_G_K8S_LEN) ||
        strchr(g.k8s_group, '\n') != NULL || !group_id_ok(db, g.gid, g.flags))
        return EKSAUTH_EINVAL;
    /* The member names lie inside the record and end in NUL: none can run past it. */
    if ((uint64_t)at + mbytes > rlen || (g.n_members == 0) != (mbytes == 0) ||
        (mbytes > 0 && r[at + mbytes - 1] != '\0'))
        return EKSAUTH_EINVAL;
    g.members = (const char *)r + at;
    g.members_len = mbytes;
    *out = g;
    return EKSAUTH_OK;
}

/* ------------------------------------------------------------------------ */
/* Hash indexes: open addressing, linear probing, at most max_probe steps.  */

/* Slot i of the index in section s: its two words, or false when unreadable. */
static bool slot_at(const struct eksauth_iddb *db, enum iddb_section s, uint32_t i, uint32_t *key,
                    uint32_t *rec)
{
    const unsigned char *p =
        sec_at(db, s, (uint64_t)db->sec[s].off + (uint64_t)i * IDDB_SLOT_SIZE, IDDB_SLOT_SIZE);

    if (p == NULL)
        return false;
    *key = eksauth_le32_get(p);
    *rec = eksauth_le32_get(p + 4);
    return true;
}

/*
 * The record named name, read whole into *u (users) or *g (groups).  A slot
 * holds the high half of the name's hash and the record's offset; an empty
 * slot (offset 0) ends the search.  Whatever cannot be read is an error
 * (EKSAUTH_EINVAL), never a "not found" that could let a templated answer
 * stand in for a recorded one.
 */
static enum eksauth_status find_name(const struct eksauth_iddb *db, const char *name,
                                     struct eksauth_iddb_user *u, struct eksauth_iddb_group *g)
{
    enum iddb_section s = u != NULL ? IDDB_S_USER_BY_NAME : IDDB_S_GROUP_BY_NAME;
    uint32_t slots = u != NULL ? db->user_slots : db->group_slots;
    size_t len = strlen(name);
    uint64_t h;
    uint32_t i, p, tag, rec;

    if (slots == 0 || len == 0 || len > EKSAUTH_NAME_MAX)
        return EKSAUTH_ENOTFOUND;
    h = eksauth_iddb_hash_name(name, len, db->seed);
    i = (uint32_t)h & (slots - 1);
    for (p = 0; p <= db->max_probe; p++, i = (i + 1) & (slots - 1)) {
        enum eksauth_status st;
        const char *k;
        size_t klen;

        if (!slot_at(db, s, i, &tag, &rec))
            return EKSAUTH_EINVAL;
        if (rec == 0)
            return EKSAUTH_ENOTFOUND;
        if (tag != (uint32_t)(h >> 32))
            continue;
        st = u != NULL ? read_user(db, rec, u) : read_group(db, rec, g);
        if (st != EKSAUTH_OK)
            return st;
        k = u != NULL ? u->login : g->name;
        klen = u != NULL ? u->login_len : g->name_len;
        if (klen == len && memcmp(k, name, len) == 0)
            return EKSAUTH_OK;
    }
    return EKSAUTH_ENOTFOUND;
}

bool eksauth_iddb_maybe_named(const struct eksauth_iddb *db, const char *name)
{
    const struct section *f = &db->sec[IDDB_S_NAME_FILTER];
    uint64_t h = eksauth_iddb_hash_name(name, strlen(name), db->seed);
    uint64_t bits = (uint64_t)f->size * 8, b1 = h & (bits - 1), b2 = (h >> 32) & (bits - 1);
    const unsigned char *p1 = sec_at(db, IDDB_S_NAME_FILTER, f->off + b1 / 8, 1);
    const unsigned char *p2 = sec_at(db, IDDB_S_NAME_FILTER, f->off + b2 / 8, 1);

    /* A filter block that fails its checksum rules nothing out: fail closed. */
    return p1 == NULL || p2 == NULL || ((*p1 >> (b1 % 8)) & (*p2 >> (b2 % 8)) & 1) != 0;
}

/* The record with id (uid for users, gid for groups), as find_name. */
static enum eksauth_status find_id(const struct eksauth_iddb *db, uint32_t id,
                                   struct eksauth_iddb_user *u, struct eksauth_iddb_group *g)
{
    enum iddb_section s = u != NULL ? IDDB_S_USER_BY_UID : IDDB_S_GROUP_BY_GID;
    uint32_t slots = u != NULL ? db->user_slots : db->group_slots;
    uint32_t i, p, key, rec;

    if (slots == 0)
        return EKSAUTH_ENOTFOUND;
    i = (uint32_t)eksauth_iddb_hash_id(id, db->seed) & (slots - 1);
    for (p = 0; p <= db->max_probe; p++, i = (i + 1) & (slots - 1)) {
        enum eksauth_status st;

        if (!slot_at(db, s, i, &key, &rec))
            return EKSAUTH_EINVAL;
        if (rec == 0)
            return EKSAUTH_ENOTFOUND;
        if (key != id)
            continue;
        st = u != NULL ? read_user(db, rec, u) : read_group(db, rec, g);
        /* The record must hold the id its slot claims. */
        if (st == EKSAUTH_OK && (u != NULL ? u->uid : g->gid) != id)
            st = EKSAUTH_EINVAL;
        return st;
    }
    return EKSAUTH_ENOTFOUND;
}

enum eksauth_status eksauth_iddb_user_by_name(const struct eksauth_iddb *db, const char *login,
                                              struct eksauth_iddb_user *out)
{
    return find_name(db, login, out, NULL);
}

enum eksauth_status eksauth_iddb_user_by_uid(const struct eksauth_iddb *db, uint32_t uid,
                                             struct eksauth_iddb_user *out)
{
    return find_id(db, uid, out, NULL);
}

enum eksauth_status eksauth_iddb_group_by_name(const struct eksauth_iddb *db, const char *name,
                                               struct eksauth_iddb_group *out)
{
    return find_name(db, name, NULL, out);
}

enum eksauth_status eksauth_iddb_group_by_gid(const struct eksauth_iddb *db, uint32_t gid,
                                              struct eksauth_iddb_group *out)
{
    return find_id(db, gid, NULL, out);
}

uint32_t eksauth_iddb_user_count(const struct eksauth_iddb *db)
{
    return db->n_users;
}

uint32_t eksauth_iddb_group_count(const struct eksauth_iddb *db)
{
    return db->n_groups;
}

/* Entry i of an order section: a record offset. */
static bool order_at(const struct eksauth_iddb *db, enum iddb_section s, uint32_t i, uint32_t *rec)
{
    const unsigned char *p = sec_at(db, s, (uint64_t)db->sec[s].off + (uint64_t)i * 4, 4);

    if (p == NULL)
        return false;
    *rec = eksauth_le32_get(p);
    return true;
}

enum eksauth_status eksauth_iddb_user_at(const struct eksauth_iddb *db, uint32_t i,
                                         struct eksauth_iddb_user *out)
{
    uint32_t rec;

    if (i >= db->n_users)
        return EKSAUTH_ENOTFOUND;
    if (!order_at(db, IDDB_S_USER_ORDER, i, &rec))
        return EKSAUTH_EINVAL;
    return read_user(db, rec, out);
}

enum eksauth_status eksauth_iddb_group_at(const struct eksauth_iddb *db, uint32_t i,
                                          struct eksauth_iddb_group *out)
{
    uint32_t rec;

    if (i >= db->n_groups)
        return EKSAUTH_ENOTFOUND;
    if (!order_at(db, IDDB_S_GROUP_ORDER, i, &rec))
        return EKSAUTH_EINVAL;
    return read_group(db, rec, out);
}

enum eksauth_status eksauth_iddb_user_group(const struct eksauth_iddb *db,
                                            const struct eksauth_iddb_user *u, uint32_t j,
                                            struct eksauth_iddb_group *out)
{
    const unsigned char *e;
    enum eksauth_status st;

    /* u came from read_user: its record, group list included, was checked. */
    if (j >= u->n_groups)
        return EKSAUTH_EINVAL;
    e = db->base + u->rec_off + IDDB_U_GROUPS + (size_t)j * IDDB_UGROUP_SIZE;
    st = read_group(db, eksauth_le32_get(e + 8), out);
    /* The record must be the group the list names. */
    if (st == EKSAUTH_OK &&
        (out->gid != eksauth_le32_get(e) || out->flags != eksauth_le32_get(e + 4)))
        st = EKSAUTH_EINVAL;
    return st;
}

enum eksauth_status eksauth_iddb_user_group_id(const struct eksauth_iddb *db,
                                               const struct eksauth_iddb_user *u, uint32_t j,
                                               uint32_t *gid, uint32_t *flags)
{
    const unsigned char *e;

    if (j >= u->n_groups)
        return EKSAUTH_EINVAL;
    /* Checked by read_user with the rest of the record. */
    e = db->base + u->rec_off + IDDB_U_GROUPS + (size_t)j * IDDB_UGROUP_SIZE;
    *gid = eksauth_le32_get(e);
    *flags = eksauth_le32_get(e + 4);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_group_member(const struct eksauth_iddb *db,
                                              const struct eksauth_iddb_group *g, uint32_t j,
                                              const char **login, size_t *login_len)
{
    uint32_t at;
    const char *s, *nul;

    if (j >= g->n_members)
        return EKSAUTH_EINVAL;
    /* g came from read_group: its offsets table lies inside the checked record. */
    at = eksauth_le32_get(db->base + g->rec_off + IDDB_G_MEMBER_OFFS + (size_t)j * 4);
    if (at >= g->members_len)
        return EKSAUTH_EINVAL;
    s = g->members + at;
    nul = memchr(s, '\0', g->members_len - at);
    /*
     * A member name goes into gr_mem: it must be a valid name like any
     * login, and a whole one (right after the NUL of the name before).
     */
    if (nul == NULL || (at > 0 && s[-1] != '\0') || !eksauth_names_valid(s))
        return EKSAUTH_EINVAL;
    *login = s;
    if (login_len != NULL)
        *login_len = (size_t)(nul - s);
    return EKSAUTH_OK;
}

bool eksauth_iddb_group_copy_members(const struct eksauth_iddb *db,
                                     const struct eksauth_iddb_group *g, char *names, char **mem)
{
    /* g came from read_group: its offsets table lies inside the checked record. */
    const unsigned char *offs = db->base + g->rec_off + IDDB_G_MEMBER_OFFS;
    uint32_t j, at, prev = 0;

    memcpy(names, g->members, g->members_len);
    /* Nothing that could split a group line (the writer allows none of these in a name). */
    if (memchr(names, ':', g->members_len) != NULL || memchr(names, ',', g->members_len) != NULL ||
        memchr(names, '\n', g->members_len) != NULL)
        return false;
    /*
     * Each name starts where the offsets table says: the first at 0, each
     * next 2 to EKSAUTH_NAME_MAX + 1 bytes after the one before (a name and
     * its NUL) and right after a NUL (a whole name, as
     * eksauth_iddb_group_member requires), the last ending the run.  The
     * run ends in NUL (read_group), so every pointer is a string inside
     * names.
     */
    for (j = 0; j < g->n_members; j++, prev = at) {
        at = eksauth_le32_get(offs + (size_t)j * 4);
        if (j == 0 ? at != 0
                   : at - prev - 2 > EKSAUTH_NAME_MAX - 1 || at >= g->members_len ||
                         names[at - 1] != '\0')
            return false;
        /* Never an empty name: "ab\0\0cd" at {0, 3} would give "" a member. */
        if (at >= g->members_len || names[at] == '\0')
            return false;
        mem[j] = names + at;
    }
    /* The last name inside the run, 1 to EKSAUTH_NAME_MAX bytes and its NUL. */
    return g->n_members == 0 ||
           (g->members_len > prev && g->members_len - prev - 2 <= EKSAUTH_NAME_MAX - 1);
}

uint64_t eksauth_iddb_generation(const struct eksauth_iddb *db)
{
    return db->generation;
}

void eksauth_iddb_id_range(const struct eksauth_iddb *db, uint32_t *id_min, uint32_t *id_max)
{
    *id_min = db->id_min;
    *id_max = db->id_max;
}

const char *eksauth_iddb_home_pattern(const struct eksauth_iddb *db)
{
    return db->home;
}

const char *eksauth_iddb_shell(const struct eksauth_iddb *db)
{
    return db->shell;
}

uint32_t eksauth_iddb_template_count(const struct eksauth_iddb *db)
{
    return db->n_templates;
}

const char *eksauth_iddb_template_at(const struct eksauth_iddb *db, uint32_t i)
{
    return i < db->n_templates ? db->templates[i] : NULL;
}

uint32_t eksauth_iddb_denied_count(const struct eksauth_iddb *db)
{
    return db->n_denied;
}

uint32_t eksauth_iddb_users_gid(const struct eksauth_iddb *db)
{
    return db->users_gid;
}

bool eksauth_iddb_keyed(const struct eksauth_iddb *db, uint64_t *check)
{
    if (check != NULL)
        *check = (db->flags & EKSAUTH_IDDB_KEYED) != 0 ? db->key_check : 0;
    return (db->flags & EKSAUTH_IDDB_KEYED) != 0;
}

const char *eksauth_iddb_denied_at(const struct eksauth_iddb *db, uint32_t i)
{
    return i < db->n_denied ? db->denied[i] : NULL;
}

static int cmp_denied(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool eksauth_iddb_is_denied(const struct eksauth_iddb *db, const char *name)
{
    /* Sorted and checked at open. */
    return db->n_denied > 0 &&
           bsearch(name, db->denied, db->n_denied, sizeof(*db->denied), cmp_denied) != NULL;
}

bool eksauth_iddb_id_used(const struct eksauth_iddb *db, uint32_t id)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;

    /* A search that meets a malformed record counts as "used": never hand out that id. */
    return find_id(db, id, &u, NULL) != EKSAUTH_ENOTFOUND ||
           find_id(db, id, NULL, &g) != EKSAUTH_ENOTFOUND;
}

/* ------------------------------------------------------------------------ */
/* Tombstones.                                                               */

uint32_t eksauth_iddb_tombstone_count(const struct eksauth_iddb *db)
{
    return db->n_tombstones;
}

enum eksauth_status eksauth_iddb_tombstone_at(const struct eksauth_iddb *db, uint32_t i,
                                              struct eksauth_iddb_tombstone *out)
{
    const unsigned char *t;
    uint32_t flags;

    if (i >= db->n_tombstones)
        return EKSAUTH_ENOTFOUND;
    t = sec_at(db, IDDB_S_TOMBSTONES,
               (uint64_t)db->sec[IDDB_S_TOMBSTONES].off + (uint64_t)i * IDDB_T_SIZE, IDDB_T_SIZE);
    if (t == NULL)
        return EKSAUTH_EINVAL;
    flags = eksauth_le32_get(t + IDDB_T_FLAGS);
    /* The name is NUL-padded inside its field, and a valid name. */
    if (t[IDDB_T_SIZE - 1] != '\0' || !eksauth_names_valid((const char *)t + IDDB_T_NAME_AT) ||
        (flags & ~1u) != 0 || eksauth_le32_get(t + IDDB_T_ID) == 0)
        return EKSAUTH_EINVAL;
    out->name = (const char *)t + IDDB_T_NAME_AT;
    out->id = eksauth_le32_get(t + IDDB_T_ID);
    out->is_group = (flags & 1u) != 0;
    out->until = eksauth_le64_get(t + IDDB_T_UNTIL);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_verify(const struct eksauth_iddb *db, struct eksauth_error *err)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_iddb_tombstone t;
    uint32_t i, bad_users = 0, bad_groups = 0, bad_tombs = 0;

    for (i = 0; i < db->n_users; i++)
        bad_users += eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK;
    for (i = 0; i < db->n_groups; i++)
        bad_groups += eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK;
    for (i = 0; i < db->n_tombstones; i++)
        bad_tombs += eksauth_iddb_tombstone_at(db, i, &t) != EKSAUTH_OK;
    if (bad_users + bad_groups + bad_tombs == 0)
        return EKSAUTH_OK;
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "identity DB: damaged: %u of %u users, %u of %u groups and %u of %u "
                        "tombstones cannot be read",
                        bad_users, db->n_users, bad_groups, db->n_groups, bad_tombs,
                        db->n_tombstones);
}

/* The index of the first tombstone of id or above (sorted by id); false when one cannot be read. */
static bool first_tombstone(const struct eksauth_iddb *db, uint32_t id, uint32_t *at)
{
    struct eksauth_iddb_tombstone t;
    uint32_t lo = 0, hi = db->n_tombstones;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;

        if (eksauth_iddb_tombstone_at(db, mid, &t) != EKSAUTH_OK)
            return false;
        if (t.id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return true;
}

bool eksauth_iddb_tombstones_readable(const struct eksauth_iddb *db, uint32_t id)
{
    struct eksauth_iddb_tombstone t;
    uint32_t i;
    bool ok = first_tombstone(db, id, &i);

    /* Its tombstones lie from i on: each must read, up to the first of another id. */
    for (; ok && i < db->n_tombstones; i++) {
        ok = eksauth_iddb_tombstone_at(db, i, &t) == EKSAUTH_OK;
        if (ok && t.id != id)
            break;
    }
    return ok;
}

bool eksauth_iddb_id_held(const struct eksauth_iddb *db, uint32_t id, uint64_t *until)
{
    struct eksauth_iddb_tombstone t;
    uint64_t latest = 0;
    bool held = false;
    uint32_t i;

    if (!first_tombstone(db, id, &i))
        goto unreadable;
    for (; i < db->n_tombstones; i++) {
        if (eksauth_iddb_tombstone_at(db, i, &t) != EKSAUTH_OK)
            goto unreadable;
        if (t.id != id)
            break;
        held = true;
        latest = t.until > latest ? t.until : latest;
    }
    if (until != NULL)
        *until = latest;
    return held;
unreadable:
    /* Fail closed: an id we cannot rule out stays held. */
    if (until != NULL)
        *until = UINT64_MAX;
    return true;
}

bool eksauth_iddb_id_held_from(const struct eksauth_iddb *db, uint32_t id, const char *name,
                               uint64_t now)
{
    struct eksauth_iddb_tombstone t;
    uint32_t i;

    if (!first_tombstone(db, id, &i))
        return true; /* fail closed: an id we cannot rule out stays held */
    for (; i < db->n_tombstones; i++) {
        if (eksauth_iddb_tombstone_at(db, i, &t) != EKSAUTH_OK)
            return true;
        if (t.id != id)
            break;
        /* Held while it lasts, from every name but its own login's. */
        if (t.until > now && (t.is_group || strcmp(t.name, name) != 0))
            return true;
    }
    return false;
}

size_t eksauth_iddb_expand_home(const char *pattern, const char *login, char *buf, size_t buflen)
{
    size_t n = 0, llen = strlen(login);
    const char *p;

    for (p = pattern; *p != '\0'; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            if (n + llen < buflen)
                memcpy(buf + n, login, llen);
            n += llen;
            p++;
            continue;
        }
        if (p[0] == '%' && p[1] == '%')
            p++;
        if (n + 1 < buflen)
            buf[n] = *p;
        n++;
    }
    /* Written only whole: a caller that sees n >= buflen must not use buf. */
    if (n < buflen)
        buf[n] = '\0';
    return n;
}
