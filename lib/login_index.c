/*
 * login_index.c - the login index of the last sync's aws-auth and plan
 * (see login_index.h; docs/design.md, "A login's mapping without the whole
 * aws-auth").
 *
 * Layout, little-endian:
 *   header (HEADER_SIZE bytes): magic[8], version u32, n_blocks u32,
 *     size u64, generation u64, header sum u64, reserved u64, the
 *     snapshot's SHA-256 in hex [64], the inputs in hex [64], zeros;
 *   the table directory: N_TABLES x (offset u32, count u32), offsets into
 *     the data;
 *   the data (at DATA_OFF): tables (count x slots of the low 32 bits of
 *     the XXH64 of a record's first field, u32, and the record's offset,
 *     u32, sorted by hash; for T_USED_IDS count x u32, the ids themselves,
 *     sorted) and records (length u32, then that many bytes of
 *     NUL-terminated fields);
 *   the block sums: n_blocks x XXH64 of each 4 KiB block of the data (the
 *     last one shorter), last, so the sync writes the data in place.
 * Sorting by hash keeps the sync's sort to integer comparisons and a
 * lookup's binary search to the table's own blocks; a record is read only
 * where its hash is the key's, and found only when its key is.
 * The header sum is the XXH64 of the block sums seeded with the XXH64 of
 * the header and directory (the sum's own field zero).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/arn.h"
#include "eksauth/ascii.h"
#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/login_index.h"
#include "eksauth/trust.h"

#define HEADER_SIZE 256u
#define BLOCK_SIZE  4096u
#define OFF_VERSION 8
#define OFF_BLOCKS  12
#define OFF_SIZE    16
#define OFF_GEN     24
#define OFF_SUM     32
#define OFF_SHA256  48
#define OFF_INPUTS  112
#define OFF_SNAP    176 /* the snapshot's inode, size, mtime seconds and nanoseconds: 4 x u64 */
#define SLOT_SIZE   8u  /* a table slot: hash u32, record offset u32 */

/*
 * The tables.  Entries (the first four) are: the key's text, source
 * digit, ARN ("-": the key's text is the ARN, "=arn" else), ignored ("-"
 * none, "=why"), username ("-" none, "=template"), line, column, then the
 * groups.  An entry's key is its ARN lowered (ASCII), so its record holds
 * the ARN as written and the key is read back by lowering it, not written
 * twice; the key itself (lower case) is written only where it is not the
 * ARN lowered (an ignored entry's, keyed by what it meant).  An entry's
 * record matches a key when its first field lowered is exactly the key.  Users: login, k8s
 * username, uid.  Groups: name, k8s group ("-" none, "=group"), gid.  Settings (one record):
 * "settings", users' group, its gid, id_min, id_max, keyed ("0"/"1").
 * The others: one field.
 */
enum table {
    T_MAPROLES = EKSAUTH_SRC_MAPROLES,
    T_MAPUSERS = EKSAUTH_SRC_MAPUSERS,
    T_MAPACCOUNTS = EKSAUTH_SRC_MAPACCOUNTS,
    T_IGNORED,        /* entries the cluster never matches: the first of each key */
    T_DROPPED,        /* dropped values' texts, in order */
    T_USERS,          /* the plan's static users */
    T_GROUPS,         /* the plan's groups */
    T_REFUSED,        /* logins refused to everyone */
    T_REFUSED_GROUPS, /* groups refused to everyone */
    T_TEMPLATES,      /* served templates, in order */
    T_USED_IDS,       /* the ids of the plan's users and groups: u32s, sorted */
    T_SETTINGS,
    N_TABLES
};

/* Where the data begins: after the header and the table directory. */
#define DATA_OFF (HEADER_SIZE + N_TABLES * 8u)

/* Tables kept in the order written (not looked up by key). */
static bool listed_in_order(enum table t)
{
    return t == T_DROPPED || t == T_TEMPLATES;
}

/* ------------------------------------------------------------------------ */
/* Writing. */

struct buf {
    unsigned char *p;
    size_t len, cap; /* cap at most 4 GiB; cap == len once failed */
    bool failed;     /* out of memory, or past 4 GiB: nothing more is added */
};

/* b takes nothing more (what was added stays, for the caller to free). */
static void buf_fail(struct buf *b)
{
    b->failed = true;
    b->cap = b->len;
}

/* Room for n more bytes in b: false (and b failed) when there cannot be. */
static bool buf_grow(struct buf *b, size_t n)
{
    unsigned char *grown;
    size_t cap;

    if (!b->failed && b->len + n <= UINT32_MAX) {
        for (cap = b->cap != 0 ? b->cap : 65536; cap < b->len + n; cap *= 2)
            ;
        if (cap > UINT32_MAX)
            cap = UINT32_MAX;
        grown = realloc(b->p, cap);
        if (grown != NULL) {
            b->p = grown;
            b->cap = cap;
            return true;
        }
    }
    buf_fail(b);
    return false;
}

/* n bytes of data at the end of b; data NULL: the room only, for the caller to fill. */
static inline void buf_add(struct buf *b, const void *data, size_t n)
{
    /* A sync adds a few million fields: the usual case is one compare and a copy. */
    if (n > b->cap - b->len && !buf_grow(b, n))
        return;
    if (data != NULL)
        memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void buf_u32(struct buf *b, uint32_t v)
{
    unsigned char le[4];

    eksauth_le32_put(le, v);
    buf_add(b, le, sizeof(le));
}

/*
 * The hash a table is sorted and searched by: 32 bits are enough to send
 * a lookup to its record (a tie is told apart by the key itself), and
 * keep a slot 8 bytes.
 */
static uint32_t key_hash(const char *key, size_t len)
{
    return (uint32_t)eksauth_iddb_checksum(key, len, 0);
}

/*
 * A record being written, as its slot will be: its key's hash in the high
 * 32 bits, its offset in the data in the low 32.  Records are written in
 * order, so among equal hashes the lower offset is the one written first.
 */
typedef uint64_t rec_slot;

struct writer {
    struct buf data;
    rec_slot *recs[N_TABLES];
    size_t n[N_TABLES], cap[N_TABLES];
    size_t rec_start;
    const char *bad_key; /* an entry's key not in lower case: no index */
};

/*
 * A record of table t begins: its slot (by key's hash), its length
 * (filled by rec_end) and its first field, first: the key, or for an
 * entry the text that lowers to it.
 */
static void rec_begin(struct writer *w, enum table t, const char *key, const char *first)
{
    rec_slot *grown;

    if (w->n[t] == w->cap[t]) {
        w->cap[t] = w->cap[t] != 0 ? w->cap[t] * 2 : 64;
        grown = realloc(w->recs[t], w->cap[t] * sizeof(*grown));
        if (grown == NULL) {
            buf_fail(&w->data);
            w->cap[t] = w->n[t];
            return;
        }
        w->recs[t] = grown;
    }
    w->recs[t][w->n[t]++] = (listed_in_order(t) ? 0 : (rec_slot)key_hash(key, strlen(key)) << 32) |
                            (uint32_t)(w->data.len - DATA_OFF);
    w->rec_start = w->data.len;
    buf_u32(&w->data, 0); /* the length, filled by rec_end */
    buf_add(&w->data, first, strlen(first) + 1);
}

static void rec_str(struct writer *w, const char *s)
{
    buf_add(&w->data, s, strlen(s) + 1);
}

/* An optional field: "-" for none, else "=" and the text. */
static void rec_opt(struct writer *w, const char *s)
{
    if (s == NULL) {
        rec_str(w, "-");
        return;
    }
    buf_add(&w->data, "=", 1);
    rec_str(w, s);
}

static void rec_num(struct writer *w, uint32_t v)
{
    char num[11];
    size_t at = sizeof(num) - 1;

    /* Decimal, by hand, and its NUL: a sync writes a few hundred thousand of them. */
    num[at] = '\0';
    do {
        num[--at] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    buf_add(&w->data, num + at, sizeof(num) - at);
}

static void rec_end(struct writer *w)
{
    if (!w->data.failed)
        eksauth_le32_put(w->data.p + w->rec_start,
                         (uint32_t)(w->data.len - w->rec_start - sizeof(uint32_t)));
}

/* Whether s lowered (ASCII) is exactly key. */
static bool lowers_to(const char *s, const char *key)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        if (eksauth_ascii_lower(s[i]) != key[i])
            return false;
    }
    return key[i] == '\0';
}

/* Tables of entries: their records match a key by their first field lowered. */
static bool entry_table(enum table t)
{
    return t == T_MAPROLES || t == T_MAPUSERS || t == T_MAPACCOUNTS || t == T_IGNORED;
}

static void write_entry(struct writer *w, enum table t, const struct eksauth_awsauth_entry *e)
{
    size_t i;

    if (e->arn != NULL && lowers_to(e->arn, e->key)) {
        /* The usual case: the ARN is the key's text. */
        rec_begin(w, t, e->key, e->arn);
        rec_num(w, (unsigned)e->source);
        rec_str(w, "-");
    } else {
        /* Keyed by something else: a key that is not its own lowered would never be found. */
        if (!lowers_to(e->key, e->key) && w->bad_key == NULL)
            w->bad_key = e->key;
        rec_begin(w, t, e->key, e->key);
        rec_num(w, (unsigned)e->source);
        rec_opt(w, e->arn != NULL ? e->arn : "");
    }
    rec_opt(w, e->ignored);
    rec_opt(w, e->username);
    rec_num(w, e->line);
    rec_num(w, e->column);
    for (i = 0; i < e->n_groups; i++)
        rec_str(w, e->groups[i]);
    rec_end(w);
}

static void write_name(struct writer *w, enum table t, const char *name)
{
    rec_begin(w, t, name, name);
    rec_end(w);
}

static void write_plan(struct writer *w, const struct eksauth_plan *plan)
{
    size_t i;

    for (i = 0; i < plan->n_users; i++) {
        rec_begin(w, T_USERS, plan->users[i].login, plan->users[i].login);
        rec_str(w, plan->users[i].k8s_username);
        rec_num(w, plan->users[i].uid);
        rec_end(w);
    }
    for (i = 0; i < plan->n_groups; i++) {
        rec_begin(w, T_GROUPS, plan->groups[i].name, plan->groups[i].name);
        rec_opt(w, plan->groups[i].k8s_group);
        rec_num(w, plan->groups[i].gid);
        rec_end(w);
    }
    for (i = 0; i < plan->n_refused; i++)
        write_name(w, T_REFUSED, plan->refused[i]);
    for (i = 0; i < plan->n_refused_groups; i++)
        write_name(w, T_REFUSED_GROUPS, plan->refused_groups[i]);
    for (i = 0; i < plan->n_templates; i++)
        write_name(w, T_TEMPLATES, plan->templates[i]);
    rec_begin(w, T_SETTINGS, "settings", "settings");
    rec_str(w, plan->users_group);
    rec_num(w, plan->users_gid);
    rec_num(w, plan->id_min);
    rec_num(w, plan->id_max);
    rec_num(w, plan->keyed ? 1 : 0);
    rec_end(w);
}

/*
 * Sort n items by bits [shift, shift + 32) of each, keeping the order of
 * equal keys: an LSD radix sort, a byte a pass (a sync sorts a few hundred
 * thousand records, and comparing them costs more than moving them).  Four
 * passes: the last leaves them in items.
 */
static bool radix_sort(uint64_t *items, size_t n, unsigned shift)
{
    uint64_t *tmp = malloc((n + 1) * sizeof(*tmp)), *from = items, *to = tmp, *swap;
    size_t count[256], i, sum;
    unsigned pass;

    if (tmp == NULL)
        return false;
    for (pass = 0; pass < 4; pass++) {
        unsigned by = shift + pass * 8;

        memset(count, 0, sizeof(count));
        for (i = 0; i < n; i++)
            count[(from[i] >> by) & 0xff]++;
        for (i = 0, sum = 0; i < 256; i++) {
            size_t c = count[i];

            count[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            to[count[(from[i] >> by) & 0xff]++] = from[i];
        swap = from;
        from = to;
        to = swap;
    }
    free(tmp);
    return true;
}

/* The key (first field) of the record a slot points to, in the data written so far. */
static const char *slot_key(const struct writer *w, rec_slot slot)
{
    return (const char *)w->data.p + DATA_OFF + (uint32_t)slot + sizeof(uint32_t);
}

/* Whether the records of slots a and b of table t have the same key. */
static bool same_key(const struct writer *w, enum table t, rec_slot a, rec_slot b)
{
    const char *ka = slot_key(w, a), *kb = slot_key(w, b);

    /* An entry's first field is its key's text: the same key whatever its case. */
    return entry_table(t) ? eksauth_ascii_eq_nocase(ka, strlen(ka), kb) : strcmp(ka, kb) == 0;
}

/* Whether a record of the same hash run before position i (from start) has slot's key. */
static bool key_in_run(const struct writer *w, enum table t, const rec_slot *recs, size_t start,
                       size_t i, rec_slot slot)
{
    for (; start < i; start++) {
        if (same_key(w, t, recs[start], slot))
            return true;
    }
    return false;
}

/* n u32s (slots or ids, as le32 pairs or singles) at the end of the data. */
static void buf_u32s(struct buf *b, const uint64_t *v, size_t n, bool pairs)
{
    unsigned char *at;
    size_t i, each = pairs ? 8 : 4;

    if (b->failed || n == 0)
        return;
    /* Room first, then filled in place: one growth check, not one a value. */
    buf_add(b, NULL, n * each);
    if (b->failed)
        return;
    at = b->p + b->len - n * each;
    for (i = 0; i < n; i++, at += each) {
        if (pairs) {
            eksauth_le32_put(at, (uint32_t)(v[i] >> 32));
            eksauth_le32_put(at + 4, (uint32_t)v[i]);
        } else {
            eksauth_le32_put(at, (uint32_t)v[i]);
        }
    }
}

/*
 * The ids of the plan's own users and groups (local groups' too), sorted,
 * as T_USED_IDS.  Not the plan's seeds: the ids recorded at the sync may
 * have changed since (a tombstone ended), and the view asks the DB of now
 * for those, as the plan a login builds would seed them.
 */
static enum eksauth_status write_plan_ids(struct writer *w, const struct eksauth_plan *plan,
                                          uint32_t dir[N_TABLES][2], struct eksauth_error *err)
{
    uint64_t *ids = malloc((plan->n_users + plan->n_groups + 1) * sizeof(*ids));
    size_t n = 0, i;

    if (ids == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
    for (i = 0; i < plan->n_users; i++)
        ids[n++] = plan->users[i].uid;
    for (i = 0; i < plan->n_groups; i++)
        ids[n++] = plan->groups[i].gid;
    if (!radix_sort(ids, n, 0)) {
        free(ids);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
    }
    dir[T_USED_IDS][0] = (uint32_t)(w->data.len - DATA_OFF);
    dir[T_USED_IDS][1] = (uint32_t)n;
    buf_u32s(&w->data, ids, n, false);
    free(ids);
    return EKSAUTH_OK;
}

/*
 * Sort each keyed table by hash and put its slots into the data; dir gets each
 * table's place.  A key twice is refused (the parse and the plan give
 * each once), but for ignored entries, where the first stays.
 */
static enum eksauth_status write_tables(struct writer *w, const struct eksauth_plan *plan,
                                        uint32_t dir[N_TABLES][2], struct eksauth_error *err)
{
    size_t t, i, kept, run;

    for (t = 0; t < N_TABLES; t++) {
        rec_slot *recs = w->recs[t];

        if (t == T_USED_IDS)
            continue;
        /* By hash; equal hashes stay in the order written (by offset). */
        if (!listed_in_order((enum table)t) && !radix_sort(recs, w->n[t], 32))
            return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
        for (i = kept = run = 0; i < w->n[t]; i++) {
            if (kept == 0 || (recs[kept - 1] >> 32) != (recs[i] >> 32))
                run = kept;
            else if (!listed_in_order((enum table)t) &&
                     key_in_run(w, (enum table)t, recs, run, kept, recs[i])) {
                if (t == T_IGNORED)
                    continue; /* the first written stays */
                return eksauth_fail(err, EKSAUTH_EINVAL, "login index: '%s' twice in table %zu",
                                    slot_key(w, recs[i]), t);
            }
            recs[kept++] = recs[i];
        }
        dir[t][0] = (uint32_t)(w->data.len - DATA_OFF);
        dir[t][1] = (uint32_t)kept;
        buf_u32s(&w->data, recs, kept, true);
    }
    return write_plan_ids(w, plan, dir, err);
}

/* The header sum of img: the block sums' XXH64 seeded with the header's and directory's. */
static uint64_t header_sum(const unsigned char *img, size_t data_len, size_t n_blocks)
{
    unsigned char head[DATA_OFF];

    memcpy(head, img, DATA_OFF);
    memset(head + OFF_SUM, 0, 8);
    return eksauth_iddb_checksum(img + DATA_OFF + data_len, n_blocks * 8,
                                 eksauth_iddb_checksum(head, DATA_OFF, 0));
}

/* The sums of the n_blocks blocks of data[0..data_len) into sums (8 bytes each). */
static void block_sums(const unsigned char *data, size_t data_len, size_t n_blocks,
                       unsigned char *sums)
{
    size_t i;

    for (i = 0; i < n_blocks; i++) {
        size_t at = i * BLOCK_SIZE, n = data_len - at < BLOCK_SIZE ? data_len - at : BLOCK_SIZE;

        eksauth_le64_put(sums + i * 8, eksauth_iddb_checksum(data + at, n, 0));
    }
}

/*
 * The block sums after the data, and the header and directory filled in
 * front of it (b holds DATA_OFF bytes of room there), sealed with the
 * header sum: the image goes to *out, and b keeps nothing.
 */
static enum eksauth_status seal(struct buf *b, uint32_t dir[N_TABLES][2],
                                const struct eksauth_login_index_tie *tie, void **out, size_t *len,
                                struct eksauth_error *err)
{
    size_t data_len = b->len - DATA_OFF, n_blocks = (data_len + BLOCK_SIZE - 1) / BLOCK_SIZE, i;
    unsigned char *img;

    /* Room for the sums, then the sums of the data before them. */
    buf_add(b, NULL, n_blocks * 8);
    if (b->failed)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory or too large");
    if (b->len > EKSAUTH_LOGIN_INDEX_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "login index: too large (%zu bytes)", b->len);
    img = b->p;
    memcpy(img, EKSAUTH_LOGIN_INDEX_MAGIC, 8);
    eksauth_le32_put(img + OFF_VERSION, EKSAUTH_LOGIN_INDEX_VERSION);
    eksauth_le32_put(img + OFF_BLOCKS, (uint32_t)n_blocks);
    eksauth_le64_put(img + OFF_SIZE, b->len);
    eksauth_le64_put(img + OFF_GEN, tie->generation);
    memcpy(img + OFF_SHA256, tie->sha256, 64);
    memcpy(img + OFF_INPUTS, tie->inputs, 64);
    eksauth_le64_put(img + OFF_SNAP, tie->snapshot_ino);
    eksauth_le64_put(img + OFF_SNAP + 8, tie->snapshot_size);
    eksauth_le64_put(img + OFF_SNAP + 16, (uint64_t)tie->snapshot_mtime_sec);
    eksauth_le64_put(img + OFF_SNAP + 24, (uint64_t)tie->snapshot_mtime_nsec);
    for (i = 0; i < N_TABLES; i++) {
        eksauth_le32_put(img + HEADER_SIZE + i * 8, dir[i][0]);
        eksauth_le32_put(img + HEADER_SIZE + i * 8 + 4, dir[i][1]);
    }
    block_sums(img + DATA_OFF, data_len, n_blocks, img + DATA_OFF + data_len);
    eksauth_le64_put(img + OFF_SUM, header_sum(img, data_len, n_blocks));
    *out = img;
    *len = b->len;
    b->p = NULL;
    return EKSAUTH_OK;
}

void eksauth_login_index_reseal(void *data, size_t len)
{
    unsigned char *img = data;
    size_t n_blocks, data_len;

    if (len < DATA_OFF)
        return;
    n_blocks = eksauth_le32_get(img + OFF_BLOCKS);
    if ((uint64_t)n_blocks * 8 > len - DATA_OFF)
        return;
    data_len = len - DATA_OFF - n_blocks * 8;
    if ((data_len + BLOCK_SIZE - 1) / BLOCK_SIZE != n_blocks)
        return;
    eksauth_le64_put(img + OFF_SIZE, len);
    block_sums(img + DATA_OFF, data_len, n_blocks, img + DATA_OFF + data_len);
    eksauth_le64_put(img + OFF_SUM, header_sum(img, data_len, n_blocks));
}

/* A tie's strings: 64 lower-case hex digits each (what snapshot.h writes). */
static bool hex64(const char *s)
{
    size_t i;

    for (i = 0; i < 64; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return s[64] == '\0';
}

enum eksauth_status eksauth_login_index_build(const struct eksauth_awsauth *aa,
                                              const struct eksauth_plan *plan,
                                              const struct eksauth_login_index_tie *tie, void **out,
                                              size_t *len, struct eksauth_error *err)
{
    static const unsigned char zeros[DATA_OFF];
    uint32_t dir[N_TABLES][2];
    enum eksauth_status st = EKSAUTH_OK;
    struct writer w;
    size_t i, guess;

    *out = NULL;
    *len = 0;
    if (!hex64(tie->sha256) || !hex64(tie->inputs))
        return eksauth_fail(err, EKSAUTH_EINVAL, "login index: no snapshot digest or inputs");
    memset(&w, 0, sizeof(w));
    /*
     * Room asked for once, more than the index takes (about 1.5 times the
     * snapshot): growing a buffer of tens of megabytes by doubling copied
     * it each time.  Pages never written cost nothing.
     */
    guess = DATA_OFF + 2 * tie->snapshot_size + (plan->n_users + plan->n_groups) * 64u;
    w.data.cap = guess < EKSAUTH_LOGIN_INDEX_MAX ? guess : EKSAUTH_LOGIN_INDEX_MAX;
    w.data.p = malloc(w.data.cap);
    if (w.data.p == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
    /* Room for the header and the directory, filled by seal. */
    buf_add(&w.data, zeros, sizeof(zeros));
    for (i = 0; i < eksauth_awsauth_count(aa); i++) {
        const struct eksauth_awsauth_entry *e = eksauth_awsauth_entry_at(aa, i);

        write_entry(&w, (enum table)e->source, e);
    }
    for (i = 0; i < eksauth_awsauth_ignored_count(aa); i++)
        write_entry(&w, T_IGNORED, eksauth_awsauth_ignored_at(aa, i));
    for (i = 0; i < eksauth_awsauth_dropped_count(aa); i++)
        write_name(&w, T_DROPPED, eksauth_awsauth_dropped_at(aa, i));
    write_plan(&w, plan);
    if (w.bad_key != NULL)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "login index: the key '%s' is not in lower case",
                          w.bad_key);
    if (st == EKSAUTH_OK && !w.data.failed)
        st = write_tables(&w, plan, dir, err);
    if (st == EKSAUTH_OK && w.data.failed)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory or too large");
    if (st == EKSAUTH_OK)
        st = seal(&w.data, dir, tie, out, len, err);
    free(w.data.p);
    for (i = 0; i < N_TABLES; i++)
        free(w.recs[i]);
    return st;
}

enum eksauth_status eksauth_login_index_write_locked(const struct eksauth_paths *paths,
                                                     const struct eksauth_awsauth *aa,
                                                     const struct eksauth_plan *plan,
                                                     const struct eksauth_login_index_tie *tie,
                                                     struct eksauth_error *err)
{
    enum eksauth_status st;
    void *img = NULL;
    size_t len = 0;

    /* A temp file of ours found under the lock is a killed writer's. */
    (void)eksauth_file_remove_stale_temps(paths->index, NULL, NULL);
    st = eksauth_login_index_build(aa, plan, tie, &img, &len, err);
    if (st == EKSAUTH_OK)
        st = eksauth_file_write_atomic(paths->index, img, len, 0644, err);
    free(img);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Reading. */

struct eksauth_login_index {
    const unsigned char *base;
    size_t size;
    bool mapped;
    const unsigned char *data, *sums;
    size_t data_len;
    uint32_t n_blocks;
    unsigned char *checked; /* block b matched its sum */
    uint32_t table_off[N_TABLES], table_count[N_TABLES];
    struct eksauth_login_index_tie tie;
    /* The settings record. */
    char users_group[EKSAUTH_NAME_MAX + 1];
    uint32_t users_gid, id_min, id_max;
    bool keyed;
    /* The view's: the DB of now, the time and the id key; failed once a record did not check. */
    const struct eksauth_iddb *db;
    uint64_t now;
    bool failed;
    /*
     * The DB's tombstones that last beyond now, by name: each its name's
     * hash (key_hash) in the high 32 bits and its place in the DB in the
     * low, sorted (tombs_find builds it at a view's second lookup); tombstone_reads
     * counts the tombstones read (eksauth_login_index_tombstone_reads).
     */
    uint64_t *tombs;
    uint32_t n_tombs;
    bool tombs_scanned, tombs_built;
    uint64_t tombstone_reads;
};

/* Whether data[off, off+n) lies in the data and its blocks match their sums. */
static bool touch(struct eksauth_login_index *ix, uint64_t off, uint64_t n)
{
    uint64_t b, last;

    if (off > ix->data_len || n > ix->data_len - off)
        return false;
    if (n == 0)
        return true;
    last = (off + n - 1) / BLOCK_SIZE;
    for (b = off / BLOCK_SIZE; b <= last; b++) {
        size_t at = (size_t)b * BLOCK_SIZE;
        size_t len = ix->data_len - at < BLOCK_SIZE ? ix->data_len - at : BLOCK_SIZE;

        if (ix->checked[b])
            continue;
        /* Every byte an answer comes from is the sync's: a changed block answers nothing. */
        if (eksauth_iddb_checksum(ix->data + at, len, 0) != eksauth_le64_get(ix->sums + b * 8))
            return false;
        ix->checked[b] = 1;
    }
    return true;
}

static bool u32_at(struct eksauth_login_index *ix, uint64_t off, uint32_t *v)
{
    if (!touch(ix, off, 4))
        return false;
    *v = eksauth_le32_get(ix->data + off);
    return true;
}

/* Slot i of table t: its hash and record offset. */
static bool slot_at(struct eksauth_login_index *ix, enum table t, uint32_t i, uint32_t *hash,
                    uint32_t *off)
{
    uint64_t at = (uint64_t)ix->table_off[t] + (uint64_t)i * SLOT_SIZE;

    if (i >= ix->table_count[t] || !touch(ix, at, SLOT_SIZE))
        return false;
    *hash = eksauth_le32_get(ix->data + at);
    *off = eksauth_le32_get(ix->data + at + 4);
    return true;
}

/*
 * The record at off: its fields in [*start, *end), the last one
 * NUL-terminated, and no control byte in any (what the sync writes has
 * none: names, ARNs, templates and messages of the parse), so no field
 * can put a second line into a message or a log.
 */
static bool record(struct eksauth_login_index *ix, uint32_t off, const char **start,
                   const char **end)
{
    const unsigned char *p;
    uint32_t len, i;

    if (!u32_at(ix, off, &len) || len == 0 || !touch(ix, (uint64_t)off + 4, len) ||
        ix->data[(uint64_t)off + 4 + len - 1] != '\0')
        return false;
    p = ix->data + off + 4;
    for (i = 0; i < len; i++) {
        if (p[i] != '\0' && (p[i] < 0x20 || p[i] == 0x7f))
            return false;
    }
    *start = (const char *)p;
    *end = *start + len;
    return true;
}

/* The next field of a record, or NULL past its end. */
static const char *next_field(const char **cur, const char *end)
{
    const char *f = *cur;
    const char *nul;

    if (f >= end)
        return NULL;
    nul = memchr(f, '\0', (size_t)(end - f));
    if (nul == NULL)
        return NULL;
    *cur = nul + 1;
    return f;
}

/* A decimal u32 field, nothing else in it. */
static bool parse_u32(const char *s, uint32_t *v)
{
    unsigned long long n = 0;
    size_t i;

    if (s == NULL || s[0] == '\0' || strlen(s) > 10)
        return false;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        n = n * 10 + (unsigned)(s[i] - '0');
    }
    if (n > UINT32_MAX)
        return false;
    *v = (uint32_t)n;
    return true;
}

/* An optional field: true with *v (NULL for "-"), false when it is neither form. */
static bool parse_opt(const char *s, const char **v)
{
    if (s != NULL && strcmp(s, "-") == 0) {
        *v = NULL;
        return true;
    }
    if (s == NULL || s[0] != '=')
        return false;
    *v = s + 1;
    return true;
}

/* Note a record that did not check: the view's answers are void from here on. */
static bool broken(struct eksauth_login_index *ix)
{
    ix->failed = true;
    return false;
}

/*
 * The record of table t of key (its first field is key, or for an entry
 * lowers to key): that field in *first, the fields after it in [*cur,
 * *end).  False when there is none, or (ix->failed) when a record on the
 * way does not check.
 */
static bool table_find_first(struct eksauth_login_index *ix, enum table t, const char *key,
                             const char **first, const char **cur, const char **end)
{
    uint32_t lo = 0, hi = ix->table_count[t], mid, off, want = key_hash(key, strlen(key)), hash;

    /* The first slot of the key's hash. */
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (!slot_at(ix, t, mid, &hash, &off))
            return broken(ix);
        if (hash < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < ix->table_count[t]; lo++) {
        if (!slot_at(ix, t, lo, &hash, &off))
            return broken(ix);
        if (hash != want)
            break;
        if (!record(ix, off, cur, end) || (*first = next_field(cur, *end)) == NULL)
            return broken(ix);
        /* Found only with exactly the key asked for. */
        if (entry_table(t) ? lowers_to(*first, key) : strcmp(key, *first) == 0)
            return true;
    }
    return false;
}

/* table_find_first, for a caller that needs not the first field. */
static bool table_find(struct eksauth_login_index *ix, enum table t, const char *key,
                       const char **cur, const char **end)
{
    const char *first;

    return table_find_first(ix, t, key, &first, cur, end);
}

/* The i-th record of table t: its fields in [*cur, *end). */
static bool table_at(struct eksauth_login_index *ix, enum table t, uint32_t i, const char **cur,
                     const char **end)
{
    uint32_t hash, off;

    if (!slot_at(ix, t, i, &hash, &off) || !record(ix, off, cur, end))
        return broken(ix);
    return true;
}

static enum eksauth_status bad(struct eksauth_error *err, const char *path, const char *why)
{
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "login index: %s: cannot be used (%s); run: eksauth sync (it rewrites "
                        "the index)",
                        path, why);
}

/* The settings record into ix. */
static bool read_settings(struct eksauth_login_index *ix)
{
    const char *cur, *end, *name, *group;
    uint32_t keyed;

    if (ix->table_count[T_SETTINGS] != 1 || !table_at(ix, T_SETTINGS, 0, &cur, &end))
        return false;
    name = next_field(&cur, end);
    group = next_field(&cur, end);
    if (name == NULL || strcmp(name, "settings") != 0 || group == NULL ||
        strlen(group) > EKSAUTH_NAME_MAX || !parse_u32(next_field(&cur, end), &ix->users_gid) ||
        !parse_u32(next_field(&cur, end), &ix->id_min) ||
        !parse_u32(next_field(&cur, end), &ix->id_max) ||
        !parse_u32(next_field(&cur, end), &keyed) || keyed > 1 || cur != end)
        return false;
    snprintf(ix->users_group, sizeof(ix->users_group), "%s", group);
    ix->keyed = keyed == 1;
    return true;
}

/* The header's checks: what costs O(1) (the data's blocks are checked as they are touched). */
static enum eksauth_status check_header(struct eksauth_login_index *ix, const char *path,
                                        struct eksauth_error *err)
{
    const unsigned char *h = ix->base;
    uint64_t sums_len;
    size_t t;

    if (ix->size < DATA_OFF || memcmp(h, EKSAUTH_LOGIN_INDEX_MAGIC, 8) != 0)
        return bad(err, path, "not a login index");
    if (eksauth_le32_get(h + OFF_VERSION) != EKSAUTH_LOGIN_INDEX_VERSION)
        return bad(err, path, "another version");
    if (eksauth_le64_get(h + OFF_SIZE) != ix->size || ix->size > EKSAUTH_LOGIN_INDEX_MAX)
        return bad(err, path, "cut short or too large");
    ix->n_blocks = eksauth_le32_get(h + OFF_BLOCKS);
    sums_len = (uint64_t)ix->n_blocks * 8;
    if (sums_len > ix->size - DATA_OFF)
        return bad(err, path, "bad block count");
    ix->data_len = ix->size - DATA_OFF - (size_t)sums_len;
    if ((ix->data_len + BLOCK_SIZE - 1) / BLOCK_SIZE != ix->n_blocks)
        return bad(err, path, "bad block count");
    /* The header sum covers the header, the directory and the block sums. */
    if (header_sum(h, ix->data_len, ix->n_blocks) != eksauth_le64_get(h + OFF_SUM))
        return bad(err, path, "header checksum mismatch");
    ix->data = h + DATA_OFF;
    ix->sums = h + DATA_OFF + ix->data_len;
    ix->checked = calloc(ix->n_blocks + 1, 1);
    if (ix->checked == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
    ix->tie.generation = eksauth_le64_get(h + OFF_GEN);
    memcpy(ix->tie.sha256, h + OFF_SHA256, 64);
    memcpy(ix->tie.inputs, h + OFF_INPUTS, 64);
    ix->tie.snapshot_ino = eksauth_le64_get(h + OFF_SNAP);
    ix->tie.snapshot_size = eksauth_le64_get(h + OFF_SNAP + 8);
    ix->tie.snapshot_mtime_sec = (int64_t)eksauth_le64_get(h + OFF_SNAP + 16);
    ix->tie.snapshot_mtime_nsec = (int64_t)eksauth_le64_get(h + OFF_SNAP + 24);
    if (!hex64(ix->tie.sha256) || !hex64(ix->tie.inputs))
        return bad(err, path, "bad snapshot digest or inputs");
    for (t = 0; t < N_TABLES; t++) {
        ix->table_off[t] = eksauth_le32_get(h + HEADER_SIZE + t * 8);
        ix->table_count[t] = eksauth_le32_get(h + HEADER_SIZE + t * 8 + 4);
        if ((uint64_t)ix->table_off[t] +
                (uint64_t)ix->table_count[t] * (t == T_USED_IDS ? 4 : SLOT_SIZE) >
            ix->data_len)
            return bad(err, path, "a table lies outside the file");
    }
    if (!read_settings(ix))
        return bad(err, path, "bad settings record");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_login_index_open_mem(const void *data, size_t len,
                                                 struct eksauth_login_index **out,
                                                 struct eksauth_error *err)
{
    struct eksauth_login_index *ix;
    enum eksauth_status st;

    *out = NULL;
    ix = calloc(1, sizeof(*ix));
    if (ix == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
    ix->base = data;
    ix->size = len;
    st = check_header(ix, "(memory)", err);
    if (st != EKSAUTH_OK) {
        eksauth_login_index_close(ix);
        return st;
    }
    *out = ix;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_login_index_open(const char *path, bool trusted,
                                             struct eksauth_login_index **out,
                                             struct eksauth_error *err)
{
    struct eksauth_login_index *ix = NULL;
    enum eksauth_status st = EKSAUTH_OK;
    struct stat sb;
    void *map;
    int fd;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return eksauth_fail(err, errno == ENOENT ? EKSAUTH_ENOTFOUND : EKSAUTH_EIO,
                            "login index: %s: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "login index: %s: not a regular file", path);
        goto out;
    }
    /* Whoever can write it chooses logins and groups: as root, root's alone (trust.h). */
    if (trusted && eksauth_trust_check_opened(path, &sb, err) != EKSAUTH_OK) {
        st = EKSAUTH_EREJECTED;
        if (err != NULL)
            err->status = st;
        goto out;
    }
    if (sb.st_size < (off_t)DATA_OFF || (uint64_t)sb.st_size > EKSAUTH_LOGIN_INDEX_MAX) {
        st = bad(err, path, "cut short or too large");
        goto out;
    }
    map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        st = eksauth_fail(err, EKSAUTH_EIO, "login index: %s: mmap: %s", path, strerror(errno));
        goto out;
    }
    ix = calloc(1, sizeof(*ix));
    if (ix == NULL) {
        munmap(map, (size_t)sb.st_size);
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "login index: out of memory");
        goto out;
    }
    ix->base = map;
    ix->size = (size_t)sb.st_size;
    ix->mapped = true;
    st = check_header(ix, path, err);
out:
    close(fd);
    if (st != EKSAUTH_OK)
        eksauth_login_index_close(ix);
    else
        *out = ix;
    return st;
}

void eksauth_login_index_close(struct eksauth_login_index *ix)
{
    if (ix == NULL)
        return;
    if (ix->mapped)
        munmap((void *)ix->base, ix->size);
    free(ix->checked);
    free(ix->tombs);
    free(ix);
}

const struct eksauth_login_index_tie *eksauth_login_index_tie(const struct eksauth_login_index *ix)
{
    return &ix->tie;
}

uint64_t eksauth_login_index_tombstone_reads(const struct eksauth_login_index *ix)
{
    return ix->tombstone_reads;
}

bool eksauth_login_index_failed(const struct eksauth_login_index *ix)
{
    return ix->failed;
}

bool eksauth_login_index_check_blocks(struct eksauth_login_index *ix)
{
    if (!touch(ix, 0, ix->data_len))
        ix->failed = true;
    return !ix->failed;
}

/* ------------------------------------------------------------------------ */
/* The entries of one principal. */

/*
 * The entry of table t under key into *e (its strings point into ix; its
 * groups into a malloc'd *groups, freed by the caller).  False when there
 * is none; ix->failed when it does not check.
 */
static bool find_entry(struct eksauth_login_index *ix, enum table t, const char *key,
                       struct eksauth_awsauth_entry *e, const char ***groups)
{
    const char *first, *cur, *end, *f, *src, *arn, *ignored, *username;
    uint32_t source, line, column;
    size_t n = 0, cap = 0;
    const char **grown;

    *groups = NULL;
    if (!table_find_first(ix, t, key, &first, &cur, &end))
        return false;
    src = next_field(&cur, end);
    /* The entry is what the table is for: a valid one of its source, or an ignored one. */
    if (!parse_u32(src, &source) || source >= EKSAUTH_N_MAP_SOURCES ||
        (t != T_IGNORED && source != (uint32_t)t) || !parse_opt(next_field(&cur, end), &arn) ||
        !parse_opt(next_field(&cur, end), &ignored) || (ignored != NULL) != (t == T_IGNORED) ||
        !parse_opt(next_field(&cur, end), &username) || !parse_u32(next_field(&cur, end), &line) ||
        !parse_u32(next_field(&cur, end), &column))
        return broken(ix);
    while ((f = next_field(&cur, end)) != NULL) {
        if (n == cap) {
            cap = cap != 0 ? cap * 2 : 8;
            grown = realloc(*groups, cap * sizeof(*grown));
            if (grown == NULL)
                return broken(ix);
            *groups = grown;
        }
        (*groups)[n++] = f;
    }
    memset(e, 0, sizeof(*e));
    e->source = (enum eksauth_map_source)source;
    e->arn = arn != NULL ? arn : first; /* "-": the ARN is the key's text */
    e->key = key;
    e->ignored = ignored;
    e->username = username;
    e->groups = *groups;
    e->n_groups = n;
    e->line = line;
    e->column = column;
    return true;
}

enum eksauth_status eksauth_login_index_awsauth(struct eksauth_login_index *ix,
                                                const struct eksauth_principal *p,
                                                struct eksauth_awsauth **out,
                                                struct eksauth_error *err)
{
    static const enum table by_arn[] = {T_MAPROLES, T_MAPUSERS, T_IGNORED};
    const char *src = p->arn != NULL && p->arn[0] != '\0' ? p->arn : p->canonical_arn;
    struct eksauth_awsauth_entry found[4];
    const char **groups[4] = {NULL, NULL, NULL, NULL};
    const char *dropped[EKSAUTH_N_MAP_SOURCES], *cur, *end;
    enum eksauth_status st = EKSAUTH_OK;
    size_t n = 0, n_dropped = 0, i;
    struct eksauth_arn arn;

    *out = NULL;
    /* An ARN that does not parse matches nothing: eksauth_awsauth_map says why. */
    if (src != NULL && eksauth_arn_parse(src, &arn, NULL) == EKSAUTH_OK) {
        for (i = 0; i < sizeof(by_arn) / sizeof(by_arn[0]); i++) {
            if (find_entry(ix, by_arn[i], arn.key, &found[n], &groups[n]))
                n++;
        }
        if (find_entry(ix, T_MAPACCOUNTS, arn.account, &found[n], &groups[n]))
            n++;
    }
    for (i = 0; i < ix->table_count[T_DROPPED] && i < EKSAUTH_N_MAP_SOURCES; i++) {
        if (!table_at(ix, T_DROPPED, (uint32_t)i, &cur, &end))
            break;
        dropped[n_dropped++] = next_field(&cur, end);
    }
    if (ix->failed || ix->table_count[T_DROPPED] > EKSAUTH_N_MAP_SOURCES)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "login index: a record does not check");
    if (st == EKSAUTH_OK)
        st = eksauth_awsauth_of_entries(found, n, dropped, n_dropped, out, err);
    for (i = 0; i < 4; i++)
        free(groups[i]);
    return st;
}

/* ------------------------------------------------------------------------ */
/* The plan's answers (resolve.h). */

static bool ix_user(void *ctx, const char *login, const char **k8s_username, uint32_t *uid)
{
    struct eksauth_login_index *ix = ctx;
    const char *cur, *end, *k8s;

    if (!table_find(ix, T_USERS, login, &cur, &end))
        return false;
    k8s = next_field(&cur, end);
    if (k8s == NULL || !parse_u32(next_field(&cur, end), uid))
        return broken(ix);
    *k8s_username = k8s;
    return true;
}

static bool ix_group(void *ctx, const char *name, const char **k8s_group, uint32_t *gid)
{
    struct eksauth_login_index *ix = ctx;
    const char *cur, *end, *k8s;
    uint32_t id;

    if (!table_find(ix, T_GROUPS, name, &cur, &end))
        return false;
    if (!parse_opt(next_field(&cur, end), &k8s) || !parse_u32(next_field(&cur, end), &id))
        return broken(ix);
    *k8s_group = k8s;
    *gid = id;
    return true;
}

static bool ix_refuses(void *ctx, const char *login)
{
    const char *cur, *end;

    return table_find(ctx, T_REFUSED, login, &cur, &end);
}

static bool ix_refuses_group(void *ctx, const char *name)
{
    const char *cur, *end;

    return table_find(ctx, T_REFUSED_GROUPS, name, &cur, &end);
}

static size_t ix_template_count(void *ctx)
{
    return ((const struct eksauth_login_index *)ctx)->table_count[T_TEMPLATES];
}

static const char *ix_template_at(void *ctx, size_t i)
{
    const char *cur, *end, *tmpl;

    if (!table_at(ctx, T_TEMPLATES, (uint32_t)i, &cur, &end) ||
        (tmpl = next_field(&cur, end)) == NULL) {
        broken(ctx);
        return "";
    }
    return tmpl;
}

/* Tombstone i of the view's DB, counted; false (the index failed) when it cannot be read. */
static bool ix_tombstone(struct eksauth_login_index *ix, uint32_t i,
                         struct eksauth_iddb_tombstone *t)
{
    ix->tombstone_reads++;
    return eksauth_iddb_tombstone_at(ix->db, i, t) == EKSAUTH_OK || broken(ix);
}

/*
 * ix->tombs, once a view: one pass over the DB's tombstones, then a radix
 * sort by the name's hash (stable, so a name's tombstones stay in id
 * order).  The section is sorted by id, not name, and a first login's
 * lookups of names not in the DB (the login and each group it renders)
 * each read every tombstone before, up to EKSAUTH_TOMBSTONES_MAX, under
 * the DB's lock.  Names a person chose to share a hash make a run one
 * lookup reads whole: no worse than that pass.  False (the index failed)
 * when a tombstone cannot be read or there is no memory: the whole
 * snapshot decides.
 */
static bool tombs_build(struct eksauth_login_index *ix)
{
    struct eksauth_iddb_tombstone t;
    uint32_t i, n = eksauth_iddb_tombstone_count(ix->db);

    ix->tombs_built = true;
    ix->tombs = malloc(((size_t)n + 1) * sizeof(*ix->tombs));
    if (ix->tombs == NULL)
        return broken(ix);
    for (i = 0; i < n; i++) {
        if (!ix_tombstone(ix, i, &t))
            return false;
        if (t.until > ix->now)
            ix->tombs[ix->n_tombs++] =
                (uint64_t)key_hash(t.name, strlen(t.name)) << 32 | (uint64_t)i;
    }
    return radix_sort(ix->tombs, ix->n_tombs, 32) || broken(ix);
}

/* tombs_find's answer by one pass over the section (in id order). */
static bool tombs_scan(struct eksauth_login_index *ix, const char *name, bool is_group,
                       uint32_t *id)
{
    struct eksauth_iddb_tombstone t;
    uint32_t i, n = eksauth_iddb_tombstone_count(ix->db);

    for (i = 0; i < n; i++) {
        if (!ix_tombstone(ix, i, &t))
            return false;
        if (t.is_group == is_group && t.until > ix->now && strcmp(t.name, name) == 0) {
            *id = t.id;
            return true;
        }
    }
    return false;
}

/*
 * The first live tombstone (the lowest id) of name and kind: its id in
 * *id.  The first lookup of a view reads the section once, as it is (the
 * view by name costs about two such passes); from the second, the view
 * by name (tombs_build) answers.
 */
static bool tombs_find(struct eksauth_login_index *ix, const char *name, bool is_group,
                       uint32_t *id)
{
    uint32_t want = key_hash(name, strlen(name)), lo = 0, hi, mid;
    struct eksauth_iddb_tombstone t;

    if (!ix->tombs_scanned) {
        ix->tombs_scanned = true;
        return tombs_scan(ix, name, is_group, id);
    }
    if (!ix->tombs_built && !tombs_build(ix))
        return false;
    if (ix->failed)
        return false;
    hi = ix->n_tombs;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if ((uint32_t)(ix->tombs[mid] >> 32) < want)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < ix->n_tombs && (uint32_t)(ix->tombs[lo] >> 32) == want; lo++) {
        if (!ix_tombstone(ix, (uint32_t)ix->tombs[lo], &t))
            return false;
        if (t.is_group == is_group && strcmp(t.name, name) == 0) {
            *id = t.id;
            return true;
        }
    }
    return false;
}

/*
 * The recorded or tombstoned id of name as eksauth_mapping_seeds gives it
 * from the DB of now: a user's uid; a group's gid unless it is a local
 * group (or a private one of an old DB); else the lowest id of a
 * tombstone of the name that lasts beyond now, when the name is not in the
 * DB (a held one, identity.h, is no seed of its name).
 */
static bool ix_seed(void *ctx, const char *name, bool is_group, uint32_t *id)
{
    struct eksauth_login_index *ix = ctx;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    enum eksauth_status st;

    if (ix->db == NULL)
        return broken(ix);
    st = is_group ? eksauth_iddb_group_by_name(ix->db, name, &g)
                  : eksauth_iddb_user_by_name(ix->db, name, &u);
    if (st == EKSAUTH_OK && !is_group) {
        *id = u.uid;
        return true;
    }
    if (st == EKSAUTH_OK) {
        if ((g.flags & (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0)
            return false;
        *id = g.gid;
        return true;
    }
    if (st != EKSAUTH_ENOTFOUND)
        return broken(ix);
    return tombs_find(ix, name, is_group, id);
}

/*
 * Taken: an id of the plan's users and groups (the index), of the DB of
 * now (every user and group; a DB that cannot tell says taken), of a
 * tombstone lasting beyond now, or of the host: what the plan a login
 * builds holds (its names' ids and its seeds, which are the DB's users,
 * groups and live tombstones), and the DB's local groups' gids besides
 * (the host's own ids: taken anyway).
 */
static bool ix_id_taken(void *ctx, const struct eksauth_host *host, uint32_t id)
{
    struct eksauth_login_index *ix = ctx;
    uint32_t lo = 0, hi = ix->table_count[T_USED_IDS], mid, v;
    uint64_t until = 0;

    if (ix->db == NULL) {
        broken(ix);
        return true;
    }
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (!u32_at(ix, (uint64_t)ix->table_off[T_USED_IDS] + (uint64_t)mid * 4, &v)) {
            broken(ix);
            return true;
        }
        if (v == id)
            return true;
        if (id < v)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (eksauth_iddb_id_used(ix->db, id))
        return true;
    if (eksauth_iddb_id_held(ix->db, id, &until) && until > ix->now)
        return true;
    return host != NULL && host->local_id != NULL && host->local_id(host->ctx, id);
}

static bool ix_failed(void *ctx)
{
    return ((const struct eksauth_login_index *)ctx)->failed;
}

void eksauth_login_index_view(struct eksauth_login_index *ix, const struct eksauth_iddb *db,
                              uint64_t now, const struct eksauth_id_key *key,
                              struct eksauth_plan_view *v)
{
    memset(v, 0, sizeof(*v));
    /* The tombstones by name are those of the DB and time before: built again if asked. */
    free(ix->tombs);
    ix->tombs = NULL;
    ix->n_tombs = 0;
    ix->tombs_scanned = ix->tombs_built = false;
    ix->db = db;
    ix->now = now;
    /* Ids keyed by another key than the sync's (or none) are not the plan's: decide nothing. */
    if (db == NULL || ix->keyed != (key != NULL))
        ix->failed = true;
    v->find_user = ix_user;
    v->find_group = ix_group;
    v->refuses = ix_refuses;
    v->refuses_group = ix_refuses_group;
    v->find_seed = ix_seed;
    v->id_taken = ix_id_taken;
    v->template_count = ix_template_count;
    v->template_at = ix_template_at;
    v->failed = ix_failed;
    v->ctx = ix;
    v->users_group = ix->users_group;
    v->users_gid = ix->users_gid;
    v->id_min = ix->id_min;
    v->id_max = ix->id_max;
    v->key = key;
}
