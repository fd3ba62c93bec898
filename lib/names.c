/*
 * names.c - Kubernetes user and group names to POSIX names, and the
 * deterministic uid/gid of a name, unkeyed (FNV-1a) or keyed by the
 * fleet's id key (SipHash-2-4).  The rules are written out in names.h.
 * libc only: the NSS module compiles this file too, which is why SipHash
 * is written here rather than taken from OpenSSL.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/names.h"

#define FNV1A64_PRIME 0x100000001b3ull

/* The hash suffix of a cut name: '-' and 8 hex digits. */
#define SUFFIX_LEN 9

uint64_t eksauth_fnv1a64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = seed;
    size_t i;

    for (i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV1A64_PRIME;
    }
    return h;
}

/*
 * Fold 64 bits to 32.  The low bits of FNV-1a-64 only ever see the low bits
 * of the prime (0x1b3), so they mix poorly; the xor brings the well-mixed
 * high half down.
 */
static uint64_t fold(uint64_t h)
{
    return h ^ (h >> 32);
}

static bool is_lower(unsigned char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_name_char(unsigned char c)
{
    return is_lower(c) || is_digit(c) || c == '.' || c == '_' || c == '-';
}

static bool is_name_start(unsigned char c)
{
    return is_lower(c) || c == '_';
}

/* Rule 1: one byte of a k8s name to one byte of a POSIX name. */
static char map_byte(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if (is_name_char(c))
        return (char)c;
    return '-';
}

static bool has_letter_or_digit(const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        if (is_lower(*p) || is_digit(*p) || (*p >= 'A' && *p <= 'Z'))
            return true;
    }
    return false;
}

/*
 * prefix + k8s mapped by rule 1, then rules 2 and 3 on the whole (names.h).
 * prefix has been checked (or is "").  Only the first EKSAUTH_NAME_MAX bytes
 * are ever written, however long k8s is.
 */
static enum eksauth_status build_name(const char *prefix, const char *k8s,
                                      char out[EKSAUTH_NAME_MAX + 1], struct eksauth_error *err)
{
    static const char hex[] = "0123456789abcdef";
    size_t plen, klen, total, n = 0, i;
    bool lead;
    uint32_t suffix;

    if (k8s == NULL || k8s[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL, "name: empty name");
    /* A name without a letter or digit would be dashes and dots only. */
    if (!has_letter_or_digit(k8s))
        return eksauth_fail(err, EKSAUTH_EINVAL, "name: no letter or digit to make a name from");

    plen = strlen(prefix);
    klen = strlen(k8s);
    /* Rule 2: pam_unix and shadow refuse names that start with '-'; keep to letters and '_'. */
    lead = !is_name_start((unsigned char)(plen > 0 ? prefix[0] : map_byte((unsigned char)k8s[0])));
    total = (lead ? 1 : 0) + plen + klen;

    if (lead)
        out[n++] = '_';
    for (i = 0; i < plen && n < EKSAUTH_NAME_MAX; i++)
        out[n++] = prefix[i];
    for (i = 0; i < klen && n < EKSAUTH_NAME_MAX; i++)
        out[n++] = map_byte((unsigned char)k8s[i]);

    /* Rule 3: too long; keep a readable head and tell long names apart by a hash of the whole. */
    if (total > EKSAUTH_NAME_MAX) {
        n = EKSAUTH_NAME_MAX - SUFFIX_LEN;
        suffix = (uint32_t)fold(eksauth_fnv1a64(k8s, klen, EKSAUTH_FNV1A64_INIT));
        out[n++] = '-';
        for (i = 0; i < 8; i++)
            out[n++] = hex[(suffix >> (28 - 4 * i)) & 0xf];
    }
    out[n] = '\0';
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_names_login(const char *k8s_username, char out[EKSAUTH_NAME_MAX + 1],
                                        struct eksauth_error *err)
{
    return build_name("", k8s_username, out, err);
}

enum eksauth_status eksauth_names_group(const char *k8s_group, const char *prefix,
                                        char out[EKSAUTH_NAME_MAX + 1], struct eksauth_error *err)
{
    if (prefix == NULL)
        prefix = EKSAUTH_GROUP_PREFIX;
    /* The prefix lands in /etc/group-like output unmapped: hold it to the name rule. */
    if (!eksauth_names_prefix_valid(prefix))
        return eksauth_fail(err, EKSAUTH_EINVAL, "name: bad group prefix");
    return build_name(prefix, k8s_group, out, err);
}

bool eksauth_names_valid(const char *name)
{
    size_t i;
    bool alnum = false;

    if (name == NULL || !is_name_start((unsigned char)name[0]))
        return false;
    for (i = 0; name[i] != '\0'; i++) {
        if (i >= EKSAUTH_NAME_MAX || !is_name_char((unsigned char)name[i]))
            return false;
        if (is_lower((unsigned char)name[i]) || is_digit((unsigned char)name[i]))
            alnum = true;
    }
    return alnum;
}

bool eksauth_names_prefix_valid(const char *prefix)
{
    size_t i;

    if (prefix == NULL || !is_name_start((unsigned char)prefix[0]))
        return false;
    for (i = 0; prefix[i] != '\0'; i++) {
        if (i >= EKSAUTH_GROUP_PREFIX_MAX || !is_name_char((unsigned char)prefix[i]))
            return false;
    }
    return true;
}

/*
 * Names that must never reach a mapped identity: root, and the accounts
 * Debian's base-passwd and common daemons create.  Most exist in
 * /etc/passwd and are refused there already (a name another NSS source has
 * is never served); this list also holds where such an account is absent,
 * so that creating it later (apt install) cannot hand it to an IAM role.
 */
bool eksauth_names_reserved(const char *posix_name)
{
    static const char *const reserved[] = {
        "root", "daemon", "bin",   "sys",    "sync",  "games",    "man",
        "lp",   "mail",   "news",  "uucp",   "proxy", "www-data", "backup",
        "list", "irc",    "gnats", "nobody", "sshd",  "_apt",     "messagebus",
    };
    size_t i;

    if (posix_name == NULL)
        return true;
    /* systemd-network, systemd-resolve, systemd-timesync, ...: the whole family. */
    if (strncmp(posix_name, "systemd-", strlen("systemd-")) == 0)
        return true;
    /* Every login of a sync passes here: the first byte rules out most names without a call. */
    for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
        if (posix_name[0] == reserved[i][0] && strcmp(posix_name, reserved[i]) == 0)
            return true;
    }
    return false;
}

bool eksauth_names_kept(const char *s)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; p != NULL && *p != '\0'; p++) {
        if (map_byte(*p) != (char)*p)
            return false;
    }
    return s != NULL;
}

/* ---------------------------------------------------------------- SipHash */

static uint64_t rotl64(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load_le64(const unsigned char *p)
{
    uint64_t v = 0;
    int i;

    for (i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* One SipRound on the state v[0..3]. */
static void sipround(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl64(v[1], 13);
    v[1] ^= v[0];
    v[0] = rotl64(v[0], 32);
    v[2] += v[3];
    v[3] = rotl64(v[3], 16);
    v[3] ^= v[2];
    v[0] += v[3];
    v[3] = rotl64(v[3], 21);
    v[3] ^= v[0];
    v[2] += v[1];
    v[1] = rotl64(v[1], 17);
    v[1] ^= v[2];
    v[2] = rotl64(v[2], 32);
}

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): two rounds per 8-byte word,
 * four to finish, the length in the top byte of the last word.  Checked
 * against the paper's test vectors in tests/unit/test_names.c.
 */
uint64_t eksauth_siphash24(const unsigned char key[16], const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8), m, b = (uint64_t)len << 56;
    uint64_t v[4] = {k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
                     k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
    size_t i, tail = len & 7;

    for (i = 0; i + 8 <= len; i += 8) {
        m = load_le64(p + i);
        v[3] ^= m;
        sipround(v);
        sipround(v);
        v[0] ^= m;
    }
    for (m = 0; tail > 0; tail--)
        m |= (uint64_t)p[i + tail - 1] << (8 * (tail - 1));
    b |= m;
    v[3] ^= b;
    sipround(v);
    sipround(v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for (i = 0; i < 4; i++)
        sipround(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void store_le64(unsigned char *p, uint64_t v)
{
    int i;

    for (i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

void eksauth_names_id_key_derive(const void *secret, size_t len, struct eksauth_id_key *out)
{
    static const unsigned char check_label[] = "eksauth id key check";
    const unsigned char *s = secret;
    unsigned char half[16];

    /*
     * Each half of the key is SipHash of the whole secret, keyed by one of
     * its first two 16-byte pieces: every byte of the file counts in both
     * halves, and neither half can be told without the secret.
     */
    memcpy(half, s, 16);
    store_le64(out->k, eksauth_siphash24(half, s, len));
    memcpy(half, s + 16, 16);
    store_le64(out->k + 8, eksauth_siphash24(half, s, len));
    memset(half, 0, sizeof(half));
    out->check = eksauth_siphash24(out->k, check_label, sizeof(check_label) - 1);
}

uint32_t eksauth_names_id(const struct eksauth_id_key *key, const char *posix_name, unsigned probe,
                          uint32_t id_min, uint32_t id_max)
{
    unsigned char le[4], msg[12];
    uint64_t h, span;
    size_t n;

    /* Never let a bad range reach the arithmetic: it could give id 0, root. */
    if (id_min == 0 || id_min > id_max) {
        id_min = EKSAUTH_ID_MIN;
        id_max = EKSAUTH_ID_MAX;
    }
    if (posix_name == NULL)
        posix_name = "";

    le[0] = (unsigned char)(probe & 0xff);
    le[1] = (unsigned char)((probe >> 8) & 0xff);
    le[2] = (unsigned char)((probe >> 16) & 0xff);
    le[3] = (unsigned char)((probe >> 24) & 0xff);
    n = strlen(posix_name);
    if (key != NULL) {
        /* Keyed: SipHash of the name, then of that hash and the probe (fixed 12 bytes). */
        store_le64(msg, eksauth_siphash24(key->k, posix_name, n));
        memcpy(msg + 8, le, sizeof(le));
        h = eksauth_siphash24(key->k, msg, sizeof(msg));
    } else {
        h = eksauth_fnv1a64(posix_name, n, EKSAUTH_FNV1A64_INIT);
        h = eksauth_fnv1a64(le, sizeof(le), h);
    }

    span = (uint64_t)id_max - id_min + 1;
    return id_min + (uint32_t)(fold(h) % span);
}

bool eksauth_names_id_reserved(uint32_t id)
{
    /* Files of nobody, or an id tools read as -1: never a person's (names.h). */
    return id == 65534 || id == 65535 || id >= UINT32_MAX - 1;
}

/*
 * A field of a subid line as shadow reads it (getulong up to 4.15, str2ul
 * from 4.16): strtoul, base 0, the whole field, no ERANGE; all 64 bits
 * kept, as every shadow up to 4.17 keeps them.  strtoull is strtoul on
 * 64-bit Linux, the wrap of a minus sign included (taken up to 4.14).
 */
static bool subid_number(const char *s, size_t n, unsigned long long *v)
{
    char buf[EKSAUTH_NAMES_SUBID_TAIL_MAX + 1], *end;
    int saved = errno;
    bool ok;

    if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *v = strtoull(buf, &end, 0);
    ok = *end == '\0' && errno == 0;
    errno = saved; /* the NSS module's callers read errno */
    return ok;
}

/*
 * Where shadow's versions differ, the line is read as the one that
 * delegates more would read it: an id held that no version delegates only
 * refuses a templated login, one delegated but not held is a local
 * account's to act as.
 */
bool eksauth_names_subid_block(const char *s, size_t n, uint32_t *lo, uint32_t *hi)
{
    const char *colon, *end;
    unsigned long long start, count;

    /* subordinate_parse refuses a line of 1024 bytes or more, a CR counted. */
    if (n > EKSAUTH_NAMES_SUBID_TAIL_MAX)
        return false;
    if (n > 0 && s[n - 1] == '\r')
        n--;
    colon = memchr(s, ':', n);
    if (colon == NULL)
        return false;
    /* The count ends at a third colon: shadow up to 4.17 ignores what follows (4.18 refuses). */
    end = memchr(colon + 1, ':', n - (size_t)(colon + 1 - s));
    if (end == NULL)
        end = s + n;
    /* A start past 32 bits holds no id. */
    if (!subid_number(s, (size_t)(colon - s), &start) ||
        !subid_number(colon + 1, (size_t)(end - colon - 1), &count) || start > UINT32_MAX)
        return false;
    /*
     * A count of 0 holds nothing, but from 0 it is every id: shadow's
     * find_range computes the block's last id as start + count - 1, which
     * wraps (fixed in shadow after July 2026).
     */
    if (count == 0 && start != 0)
        return false;
    *lo = (uint32_t)start;
    *hi =
        count == 0 || count - 1 >= UINT32_MAX - start ? UINT32_MAX : (uint32_t)(start + count - 1);
    return true;
}
