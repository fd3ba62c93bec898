/*
 * iddb.c - the identity DB reader (format in include/eksauth/iddb.h).
 *
 * libc only: the NSS module compiles this file.  The file is mapped
 * read-only and checked once when opened (owner, mode, header, section
 * bounds, checksum); every record is checked again before it is returned
 * (string refs inside the strings section and NUL-terminated, names valid,
 * ids in range, group and member refs in bounds), so a caller gets a whole
 * valid entry or an error, never part of one.  No global mutable state: the
 * handle is the caller's, and so is its locking.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/iddb.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"

/* Header field offsets (iddb.h). */
enum {
    H_MAGIC = 0,
    H_VERSION = 8,
    H_HSIZE = 12,
    H_FSIZE = 16,
    H_CHECKSUM = 24,
    H_GENERATION = 32,
    H_FLAGS = 40,
    H_ID_MIN = 44,
    H_ID_MAX = 48,
    H_N_USERS = 52,
    H_N_GROUPS = 56,
    H_N_TEMPLATES = 60,
    H_N_DENIED = 64,
    H_OFF_USERS = 68,
    H_OFF_GROUPS = 72,
    H_OFF_USER_BY_NAME = 76,
    H_OFF_USER_BY_UID = 80,
    H_OFF_GROUP_BY_NAME = 84,
    H_OFF_GROUP_BY_GID = 88,
    H_OFF_TEMPLATES = 92,
    H_OFF_DENIED = 96,
    H_OFF_REFS = 100,
    H_N_REFS = 104,
    H_OFF_STRINGS = 108,
    H_STRINGS_SIZE = 112,
    H_HOME = 116,
    H_SHELL = 124,
    H_CHECKSUM_FROM = 32,
};

struct eksauth_iddb {
    const unsigned char *base;
    size_t size;
    bool mapped; /* munmap on close */
    struct eksauth_iddb_stamp stamp;
    uint64_t generation;
    uint32_t id_min, id_max;
    uint32_t n_users, n_groups, n_templates, n_denied, n_refs;
    uint32_t off_users, off_groups, off_user_by_name, off_user_by_uid;
    uint32_t off_group_by_name, off_group_by_gid, off_templates, off_denied, off_refs;
    const char *strings;
    uint32_t strings_size;
    const char *home, *shell;
};

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return le32toh(v);
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return le64toh(v);
}

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
            v1 = xxh_round(v1, rd64(p));
            v2 = xxh_round(v2, rd64(p + 8));
            v3 = xxh_round(v3, rd64(p + 16));
            v4 = xxh_round(v4, rd64(p + 24));
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
        h ^= xxh_round(0, rd64(p));
        h = xxh_rotl(h, 27) * XXH_P1 + XXH_P4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= (uint64_t)rd32(p) * XXH_P1;
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

/* ------------------------------------------------------------------------ */
/* Opening: header, sections, checksum.                                     */

const char *eksauth_iddb_default_path(void)
{
    /* secure_getenv: a setuid program never takes the DB path from its caller. */
    const char *p = secure_getenv("EKSAUTH_DB");

    return (p != NULL && p[0] == '/') ? p : EKSAUTH_DB_PATH;
}

/* A section of count records of recsize bytes at off lies inside the file, 4-aligned. */
static bool section_ok(const struct eksauth_iddb *db, uint32_t off, uint32_t count,
                       uint32_t recsize)
{
    uint64_t end = (uint64_t)off + (uint64_t)count * recsize;

    if (count == 0)
        return true;
    return off >= EKSAUTH_IDDB_HEADER_SIZE && off % 4 == 0 && end <= db->size;
}

/* A string ref: inside the strings section, NUL right after it, no NUL inside. */
static const char *str_at(const struct eksauth_iddb *db, const unsigned char *ref, size_t *lenp)
{
    uint32_t off = rd32(ref), len = rd32(ref + 4);
    const char *s;

    /* Bounds: off + len + 1 (the NUL) must stay inside the section; no wrap in 64 bits. */
    if (len > EKSAUTH_IDDB_STR_MAX || (uint64_t)off + len + 1 > db->strings_size)
        return NULL;
    s = db->strings + off;
    if (s[len] != '\0' || memchr(s, '\0', len) != NULL)
        return NULL;
    if (lenp != NULL)
        *lenp = len;
    return s;
}

static enum eksauth_status parse_header(struct eksauth_iddb *db, const char *what,
                                        struct eksauth_error *err)
{
    const unsigned char *h = db->base;
    uint64_t want;

    /* Too short for a header, or bigger than any DB we write: never read past the end. */
    if (db->size < EKSAUTH_IDDB_HEADER_SIZE)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: truncated (%zu bytes)", what,
                            db->size);
    if (db->size > EKSAUTH_IDDB_MAX_SIZE)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: too large", what);
    if (memcmp(h + H_MAGIC, EKSAUTH_IDDB_MAGIC, 8) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: not an identity DB (bad magic)",
                            what);
    if (rd32(h + H_VERSION) != EKSAUTH_IDDB_VERSION)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: unsupported version %u", what,
                            rd32(h + H_VERSION));
    if (rd32(h + H_HSIZE) != EKSAUTH_IDDB_HEADER_SIZE)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: bad header size", what);
    /* The size written in the header must be the size we have: catches truncation. */
    want = rd64(h + H_FSIZE);
    if (want != db->size)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: %s: truncated or padded (%zu bytes, header says %llu)",
                            what, db->size, (unsigned long long)want);
    if (eksauth_iddb_checksum(h + H_CHECKSUM_FROM, db->size - H_CHECKSUM_FROM, 0) !=
        rd64(h + H_CHECKSUM))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: checksum mismatch", what);

    db->generation = rd64(h + H_GENERATION);
    db->id_min = rd32(h + H_ID_MIN);
    db->id_max = rd32(h + H_ID_MAX);
    db->n_users = rd32(h + H_N_USERS);
    db->n_groups = rd32(h + H_N_GROUPS);
    db->n_templates = rd32(h + H_N_TEMPLATES);
    db->n_denied = rd32(h + H_N_DENIED);
    db->off_users = rd32(h + H_OFF_USERS);
    db->off_groups = rd32(h + H_OFF_GROUPS);
    db->off_user_by_name = rd32(h + H_OFF_USER_BY_NAME);
    db->off_user_by_uid = rd32(h + H_OFF_USER_BY_UID);
    db->off_group_by_name = rd32(h + H_OFF_GROUP_BY_NAME);
    db->off_group_by_gid = rd32(h + H_OFF_GROUP_BY_GID);
    db->off_templates = rd32(h + H_OFF_TEMPLATES);
    db->off_denied = rd32(h + H_OFF_DENIED);
    db->off_refs = rd32(h + H_OFF_REFS);
    db->n_refs = rd32(h + H_N_REFS);

    /* id 0 is root's: a range that holds it (or an empty range) is refused. */
    if (db->id_min == 0 || db->id_min > db->id_max || rd32(h + H_FLAGS) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: bad id range or flags", what);
    /* Every section inside the file: later reads index them without re-checking the end. */
    if (!section_ok(db, db->off_users, db->n_users, EKSAUTH_IDDB_USER_SIZE) ||
        !section_ok(db, db->off_groups, db->n_groups, EKSAUTH_IDDB_GROUP_SIZE) ||
        !section_ok(db, db->off_user_by_name, db->n_users, 4) ||
        !section_ok(db, db->off_user_by_uid, db->n_users, 4) ||
        !section_ok(db, db->off_group_by_name, db->n_groups, 4) ||
        !section_ok(db, db->off_group_by_gid, db->n_groups, 4) ||
        !section_ok(db, db->off_templates, db->n_templates, 8) ||
        !section_ok(db, db->off_denied, db->n_denied, 8) ||
        !section_ok(db, db->off_refs, db->n_refs, 4))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: section out of bounds", what);
    {
        uint32_t soff = rd32(h + H_OFF_STRINGS), slen = rd32(h + H_STRINGS_SIZE);

        /* The strings section must end in NUL so no string can run past it. */
        if (slen == 0 || soff < EKSAUTH_IDDB_HEADER_SIZE || (uint64_t)soff + slen > db->size ||
            db->base[soff + slen - 1] != '\0')
            return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: bad strings section", what);
        db->strings = (const char *)db->base + soff;
        db->strings_size = slen;
    }
    db->home = str_at(db, h + H_HOME, NULL);
    db->shell = str_at(db, h + H_SHELL, NULL);
    /* Home pattern and shell are served in passwd entries: absolute, no ':' or newline. */
    if (db->home == NULL || db->shell == NULL || db->home[0] != '/' || db->shell[0] != '/' ||
        strpbrk(db->home, ":\n") != NULL || strpbrk(db->shell, ":\n") != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: bad home pattern or shell",
                            what);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_open_mem(const void *data, size_t len, struct eksauth_iddb **out,
                                          struct eksauth_error *err)
{
    struct eksauth_iddb *db;
    enum eksauth_status st;

    *out = NULL;
    db = calloc(1, sizeof(*db));
    if (db == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    db->base = data;
    db->size = len;
    /* A NULL buffer is an empty one. */
    if (data == NULL)
        db->size = 0;
    st = parse_header(db, "(memory)", err);
    if (st != EKSAUTH_OK) {
        free(db);
        return st;
    }
    *out = db;
    return EKSAUTH_OK;
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
    /* Whoever can write the DB decides who is root in sudo: it must be root's alone. */
    if (sb.st_uid != 0 || (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        st =
            eksauth_fail(err, EKSAUTH_EREJECTED,
                         "identity DB: %s: not owned by root or writable by group or others", path);
        goto out;
    }
    /* Size bounds before mmap: a header at least, and nothing absurd. */
    if (sb.st_size < (off_t)EKSAUTH_IDDB_HEADER_SIZE || sb.st_size > (off_t)EKSAUTH_IDDB_MAX_SIZE) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: bad size (%lld bytes)", path,
                          (long long)sb.st_size);
        goto out;
    }
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        st = eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: mmap: %s", path, strerror(errno));
        goto out;
    }
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    db->base = map;
    db->size = (size_t)sb.st_size;
    db->mapped = true;
    stamp_from_stat(&db->stamp, &sb);
    st = parse_header(db, path, err);
    if (st != EKSAUTH_OK)
        goto out;
    map = MAP_FAILED; /* owned by db now */
    *out = db;
    db = NULL;
out:
    if (db != NULL)
        free(db);
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    if (fd >= 0)
        close(fd);
    return st;
}

void eksauth_iddb_close(struct eksauth_iddb *db)
{
    if (db == NULL)
        return;
    if (db->mapped)
        munmap((void *)db->base, db->size);
    free(db);
}

/* ------------------------------------------------------------------------ */
/* Records.                                                                  */

/* gecos: served in passwd lines, so none of ':' ',' newline (DESIGN §4). */
static bool field_ok(const char *s, const char *forbidden)
{
    return strpbrk(s, forbidden) == NULL;
}

/* A whole user record, checked before any of it is handed out. */
static enum eksauth_status read_user(const struct eksauth_iddb *db, uint32_t idx,
                                     struct eksauth_iddb_user *out)
{
    const unsigned char *r;
    struct eksauth_iddb_user u;
    size_t k8s_len, arn_len;

    if (idx >= db->n_users)
        return EKSAUTH_EINVAL;
    r = db->base + db->off_users + (size_t)idx * EKSAUTH_IDDB_USER_SIZE;
    memset(&u, 0, sizeof(u));
    u.login = str_at(db, r, &u.login_len);
    u.k8s_username = str_at(db, r + 8, &k8s_len);
    u.arn = str_at(db, r + 16, &arn_len);
    u.gecos = str_at(db, r + 24, &u.gecos_len);
    u.home = str_at(db, r + 32, &u.home_len);
    u.shell = str_at(db, r + 40, &u.shell_len);
    u.uid = rd32(r + 48);
    u.gid = rd32(r + 52);
    u.flags = rd32(r + 56);
    u.groups_off = rd32(r + 60);
    u.n_groups = rd32(r + 64);
    u.index = idx;
    if ((u.flags & ~EKSAUTH_IDDB_USER_TEMPLATED) != 0)
        return EKSAUTH_EINVAL;
    if (u.login == NULL || u.k8s_username == NULL || u.arn == NULL || u.gecos == NULL ||
        u.home == NULL || u.shell == NULL)
        return EKSAUTH_EINVAL;
    /* Only names NSS may serve, and no field that could split a passwd line. */
    if (!eksauth_names_valid(u.login) || !field_ok(u.gecos, ":,\n") || u.home[0] != '/' ||
        u.shell[0] != '/' || !field_ok(u.home, ":\n") || !field_ok(u.shell, ":\n") ||
        !field_ok(u.k8s_username, "\n") || !field_ok(u.arn, "\n"))
        return EKSAUTH_EINVAL;
    /* Never root, and only ids of our range: a corrupt DB cannot grant uid or gid 0. */
    if (u.uid < db->id_min || u.uid > db->id_max || u.gid < db->id_min || u.gid > db->id_max)
        return EKSAUTH_EINVAL;
    /* The group list must lie inside the refs pool. */
    if (u.n_groups > EKSAUTH_IDDB_MAX_GROUPS || (uint64_t)u.groups_off + u.n_groups > db->n_refs)
        return EKSAUTH_EINVAL;
    *out = u;
    return EKSAUTH_OK;
}

static enum eksauth_status read_group(const struct eksauth_iddb *db, uint32_t idx,
                                      struct eksauth_iddb_group *out)
{
    const unsigned char *r;
    struct eksauth_iddb_group g;

    if (idx >= db->n_groups)
        return EKSAUTH_EINVAL;
    r = db->base + db->off_groups + (size_t)idx * EKSAUTH_IDDB_GROUP_SIZE;
    memset(&g, 0, sizeof(g));
    g.name = str_at(db, r, &g.name_len);
    g.k8s_group = str_at(db, r + 8, NULL);
    g.gid = rd32(r + 16);
    g.flags = rd32(r + 20);
    g.members_off = rd32(r + 24);
    g.n_members = rd32(r + 28);
    g.index = idx;
    if (g.name == NULL || g.k8s_group == NULL || !eksauth_names_valid(g.name) ||
        !field_ok(g.k8s_group, "\n"))
        return EKSAUTH_EINVAL;
    if ((g.flags & ~(EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0)
        return EKSAUTH_EINVAL;
    /* gid 0 never; served groups stay in our range (a local one is the admin's choice). */
    if (g.gid == 0 ||
        ((g.flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0 && (g.gid < db->id_min || g.gid > db->id_max)))
        return EKSAUTH_EINVAL;
    if ((uint64_t)g.members_off + g.n_members > db->n_refs)
        return EKSAUTH_EINVAL;
    *out = g;
    return EKSAUTH_OK;
}

/* Index arrays: entry i of the array at off, an index that read_* bounds-checks again. */
static uint32_t index_at(const struct eksauth_iddb *db, uint32_t off, uint32_t i)
{
    return rd32(db->base + off + (size_t)i * 4);
}

static uint32_t ref_at(const struct eksauth_iddb *db, uint32_t i)
{
    return rd32(db->base + db->off_refs + (size_t)i * 4);
}

/* The key of a user record for a search, without validating the rest of it. */
static const char *user_login_raw(const struct eksauth_iddb *db, uint32_t idx)
{
    if (idx >= db->n_users)
        return NULL;
    return str_at(db, db->base + db->off_users + (size_t)idx * EKSAUTH_IDDB_USER_SIZE, NULL);
}

static const char *group_name_raw(const struct eksauth_iddb *db, uint32_t idx)
{
    if (idx >= db->n_groups)
        return NULL;
    return str_at(db, db->base + db->off_groups + (size_t)idx * EKSAUTH_IDDB_GROUP_SIZE, NULL);
}

static bool user_uid_raw(const struct eksauth_iddb *db, uint32_t idx, uint32_t *uid)
{
    if (idx >= db->n_users)
        return false;
    *uid = rd32(db->base + db->off_users + (size_t)idx * EKSAUTH_IDDB_USER_SIZE + 48);
    return true;
}

static bool group_gid_raw(const struct eksauth_iddb *db, uint32_t idx, uint32_t *gid)
{
    if (idx >= db->n_groups)
        return false;
    *gid = rd32(db->base + db->off_groups + (size_t)idx * EKSAUTH_IDDB_GROUP_SIZE + 16);
    return true;
}

/*
 * Binary search of a sorted index by name.  A malformed key on the way is
 * an error (EKSAUTH_EINVAL), never a guess.
 */
static enum eksauth_status search_name(const struct eksauth_iddb *db, uint32_t off, uint32_t n,
                                       const char *(*key)(const struct eksauth_iddb *, uint32_t),
                                       const char *name, uint32_t *idx)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t rec = index_at(db, off, mid);
        const char *k = key(db, rec);
        int c;

        if (k == NULL)
            return EKSAUTH_EINVAL;
        c = strcmp(name, k);
        if (c == 0) {
            *idx = rec;
            return EKSAUTH_OK;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return EKSAUTH_ENOTFOUND;
}

static enum eksauth_status search_id(const struct eksauth_iddb *db, uint32_t off, uint32_t n,
                                     bool (*key)(const struct eksauth_iddb *, uint32_t, uint32_t *),
                                     uint32_t id, uint32_t *idx)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t rec = index_at(db, off, mid), k;

        if (!key(db, rec, &k))
            return EKSAUTH_EINVAL;
        if (id == k) {
            *idx = rec;
            return EKSAUTH_OK;
        }
        if (id < k)
            hi = mid;
        else
            lo = mid + 1;
    }
    return EKSAUTH_ENOTFOUND;
}

enum eksauth_status eksauth_iddb_user_by_name(const struct eksauth_iddb *db, const char *login,
                                              struct eksauth_iddb_user *out)
{
    enum eksauth_status st;
    uint32_t idx;

    st = search_name(db, db->off_user_by_name, db->n_users, user_login_raw, login, &idx);
    if (st != EKSAUTH_OK)
        return st;
    st = read_user(db, idx, out);
    /* The record found must be the one asked for (a corrupt index could point elsewhere). */
    if (st == EKSAUTH_OK && strcmp(out->login, login) != 0)
        st = EKSAUTH_EINVAL;
    return st;
}

enum eksauth_status eksauth_iddb_user_by_uid(const struct eksauth_iddb *db, uint32_t uid,
                                             struct eksauth_iddb_user *out)
{
    enum eksauth_status st;
    uint32_t idx;

    st = search_id(db, db->off_user_by_uid, db->n_users, user_uid_raw, uid, &idx);
    if (st != EKSAUTH_OK)
        return st;
    return read_user(db, idx, out);
}

enum eksauth_status eksauth_iddb_group_by_name(const struct eksauth_iddb *db, const char *name,
                                               struct eksauth_iddb_group *out)
{
    enum eksauth_status st;
    uint32_t idx;

    st = search_name(db, db->off_group_by_name, db->n_groups, group_name_raw, name, &idx);
    if (st != EKSAUTH_OK)
        return st;
    return read_group(db, idx, out);
}

enum eksauth_status eksauth_iddb_group_by_gid(const struct eksauth_iddb *db, uint32_t gid,
                                              struct eksauth_iddb_group *out)
{
    enum eksauth_status st;
    uint32_t idx;

    st = search_id(db, db->off_group_by_gid, db->n_groups, group_gid_raw, gid, &idx);
    if (st != EKSAUTH_OK)
        return st;
    return read_group(db, idx, out);
}

uint32_t eksauth_iddb_user_count(const struct eksauth_iddb *db)
{
    return db->n_users;
}

uint32_t eksauth_iddb_group_count(const struct eksauth_iddb *db)
{
    return db->n_groups;
}

enum eksauth_status eksauth_iddb_user_at(const struct eksauth_iddb *db, uint32_t i,
                                         struct eksauth_iddb_user *out)
{
    if (i >= db->n_users)
        return EKSAUTH_ENOTFOUND;
    return read_user(db, index_at(db, db->off_user_by_name, i), out);
}

enum eksauth_status eksauth_iddb_group_at(const struct eksauth_iddb *db, uint32_t i,
                                          struct eksauth_iddb_group *out)
{
    if (i >= db->n_groups)
        return EKSAUTH_ENOTFOUND;
    return read_group(db, index_at(db, db->off_group_by_name, i), out);
}

enum eksauth_status eksauth_iddb_user_group(const struct eksauth_iddb *db,
                                            const struct eksauth_iddb_user *u, uint32_t j,
                                            struct eksauth_iddb_group *out)
{
    /* u was checked by read_user: groups_off + n_groups <= n_refs. */
    if (j >= u->n_groups)
        return EKSAUTH_EINVAL;
    return read_group(db, ref_at(db, u->groups_off + j), out);
}

enum eksauth_status eksauth_iddb_group_member(const struct eksauth_iddb *db,
                                              const struct eksauth_iddb_group *g, uint32_t j,
                                              const char **login, size_t *login_len)
{
    uint32_t idx;
    const char *s;
    size_t len;

    if (j >= g->n_members)
        return EKSAUTH_EINVAL;
    idx = ref_at(db, g->members_off + j);
    if (idx >= db->n_users)
        return EKSAUTH_EINVAL;
    s = str_at(db, db->base + db->off_users + (size_t)idx * EKSAUTH_IDDB_USER_SIZE, &len);
    /* A member name goes into gr_mem: it must be a valid name like any login. */
    if (s == NULL || !eksauth_names_valid(s))
        return EKSAUTH_EINVAL;
    *login = s;
    if (login_len != NULL)
        *login_len = len;
    return EKSAUTH_OK;
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
    if (i >= db->n_templates)
        return NULL;
    return str_at(db, db->base + db->off_templates + (size_t)i * 8, NULL);
}

uint32_t eksauth_iddb_denied_count(const struct eksauth_iddb *db)
{
    return db->n_denied;
}

const char *eksauth_iddb_denied_at(const struct eksauth_iddb *db, uint32_t i)
{
    if (i >= db->n_denied)
        return NULL;
    return str_at(db, db->base + db->off_denied + (size_t)i * 8, NULL);
}

bool eksauth_iddb_is_denied(const struct eksauth_iddb *db, const char *name)
{
    uint32_t i;

    /* Linear: the list is short (config deny_users and the fixed system names). */
    for (i = 0; i < db->n_denied; i++) {
        const char *d = eksauth_iddb_denied_at(db, i);

        /* A malformed entry denies everything: fail closed. */
        if (d == NULL || strcmp(d, name) == 0)
            return true;
    }
    return false;
}

bool eksauth_iddb_id_used(const struct eksauth_iddb *db, uint32_t id)
{
    uint32_t idx;

    /* A search that meets a malformed record counts as "used": never hand out that id. */
    if (search_id(db, db->off_user_by_uid, db->n_users, user_uid_raw, id, &idx) !=
        EKSAUTH_ENOTFOUND)
        return true;
    return search_id(db, db->off_group_by_gid, db->n_groups, group_gid_raw, id, &idx) !=
           EKSAUTH_ENOTFOUND;
}

/* ------------------------------------------------------------------------ */
/* Templates.                                                                */

enum tpl_kind { TPL_LITERAL, TPL_ACCOUNT, TPL_SESSION, TPL_NEVER };

#define TPL_MAX_PIECES 16

struct tpl_piece {
    enum tpl_kind kind;
    char c; /* TPL_LITERAL: the sanitised character */
};

static char sanitise_char(char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
        return c;
    return '-';
}

static bool session_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* Match login[li..] against pieces[pi..]; placeholders backtrack, bounded by a 32-byte login. */
static bool tpl_match(const struct tpl_piece *pieces, size_t np, size_t pi, const char *login,
                      size_t li, size_t llen)
{
    size_t k;

    if (pi == np)
        return li == llen;
    switch (pieces[pi].kind) {
    case TPL_LITERAL:
        return li < llen && login[li] == pieces[pi].c &&
               tpl_match(pieces, np, pi + 1, login, li + 1, llen);
    case TPL_ACCOUNT:
        /* An AWS account id: exactly 12 digits. */
        if (llen - li < 12)
            return false;
        for (k = 0; k < 12; k++)
            if (login[li + k] < '0' || login[li + k] > '9')
                return false;
        return tpl_match(pieces, np, pi + 1, login, li + 12, llen);
    case TPL_SESSION:
        /* A role session name is 2 to 64 characters; sanitised, they are [a-z0-9._-]. */
        for (k = 0; li + k < llen && k < 64 && session_char(login[li + k]); k++) {
            if (k + 1 >= 2 && tpl_match(pieces, np, pi + 1, login, li + k + 1, llen))
                return true;
        }
        return false;
    case TPL_NEVER:
        break;
    }
    return false;
}

bool eksauth_iddb_template_fits(const char *tmpl, const char *login)
{
    struct tpl_piece pieces[EKSAUTH_NAME_MAX + TPL_MAX_PIECES];
    size_t np = 0, nph = 0, llen;
    const char *p = tmpl;

    if (tmpl == NULL || login == NULL)
        return false;
    llen = strlen(login);
    if (llen == 0 || llen > EKSAUTH_NAME_MAX)
        return false;
    if (strstr(tmpl, "{{") == NULL) {
        /*
         * No placeholder left: `eksauth sync` bound {{EC2PrivateDNSName}} to
         * this host's own instance.  It fits the one login names.h makes of
         * it, a cut and hashed long name included.
         */
        char want[EKSAUTH_NAME_MAX + 1];

        return eksauth_names_login(tmpl, want, NULL) == EKSAUTH_OK && strcmp(want, login) == 0;
    }
    while (*p != '\0') {
        if (np >= sizeof(pieces) / sizeof(pieces[0]))
            return false; /* longer than any login it could give */
        if (p[0] == '{' && p[1] == '{') {
            const char *end = strstr(p + 2, "}}");
            size_t n;

            if (end == NULL)
                return false;
            n = (size_t)(end - (p + 2));
            /* Too many placeholders would make the backtracking costly: fit nothing. */
            if (++nph > 4)
                return false;
            if (n == 9 && memcmp(p + 2, "AccountID", 9) == 0)
                pieces[np].kind = TPL_ACCOUNT;
            else if ((n == 11 && memcmp(p + 2, "SessionName", 11) == 0) ||
                     (n == 14 && memcmp(p + 2, "SessionNameRaw", 14) == 0))
                pieces[np].kind = TPL_SESSION;
            else
                return false; /* AccessKeyID, an unbound EC2PrivateDNSName, unknown: never */
            pieces[np++].c = '\0';
            p = end + 2;
            continue;
        }
        pieces[np].kind = TPL_LITERAL;
        pieces[np++].c = sanitise_char(*p);
        p++;
    }
    if (tpl_match(pieces, np, 0, login, 0, llen))
        return true;
    /*
     * names.h rule 2: a rendered name whose first character is a digit, '.'
     * or '-' gets a leading '_'.  So "_1ops" fits "{{SessionName}}" too.
     */
    return login[0] == '_' && llen > 1 && !(login[1] >= 'a' && login[1] <= 'z') &&
           login[1] != '_' && tpl_match(pieces, np, 0, login, 1, llen);
}

enum eksauth_status eksauth_iddb_template_user(const struct eksauth_iddb *db, const char *login,
                                               uint32_t *uid)
{
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    uint32_t i;
    unsigned probe;
    bool fits = false;

    /* Only names NSS may serve; a taken or denied name is never a templated user. */
    if (!eksauth_names_valid(login) || eksauth_names_reserved(login) ||
        eksauth_iddb_is_denied(db, login))
        return EKSAUTH_ENOTFOUND;
    if (eksauth_iddb_user_by_name(db, login, &u) != EKSAUTH_ENOTFOUND ||
        eksauth_iddb_group_by_name(db, login, &g) != EKSAUTH_ENOTFOUND)
        return EKSAUTH_ENOTFOUND;
    for (i = 0; i < db->n_templates && !fits; i++)
        fits = eksauth_iddb_template_fits(eksauth_iddb_template_at(db, i), login);
    if (!fits)
        return EKSAUTH_ENOTFOUND;
    /* The same probe order as names.h and the plan: every host gives the same id. */
    for (probe = 0; probe < EKSAUTH_ID_MAX_PROBES; probe++) {
        uint32_t id = eksauth_names_id(login, probe, db->id_min, db->id_max);

        if (id >= db->id_min && id <= db->id_max && !eksauth_iddb_id_used(db, id)) {
            *uid = id;
            return EKSAUTH_OK;
        }
    }
    return EKSAUTH_ENOTFOUND;
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
