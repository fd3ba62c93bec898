/*
 * replay.c - the single-use record (replay.h): a sorted table of SHA-256
 * hashes of token signatures with the time each must be kept, pure, and
 * the claim that reads, prunes, extends and atomically rewrites the
 * root-only file under an exclusive flock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "eksauth/ascii.h"
#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/replay.h"
#include "eksauth/token.h"

#define FILE_MAX                                                                                   \
    ((size_t)EKSAUTH_REPLAY_HEADER_SIZE + (size_t)EKSAUTH_REPLAY_MAX * EKSAUTH_REPLAY_RECORD_SIZE)

struct entry {
    unsigned char hash[EKSAUTH_REPLAY_HASH_LEN];
    int64_t keep_until;
};

struct eksauth_replay {
    struct entry *e; /* sorted by hash, distinct */
    size_t n, cap;
};

/* ---- the table (pure) ---------------------------------------------------- */

void eksauth_replay_hash(const char *sig, size_t len, unsigned char out[EKSAUTH_REPLAY_HASH_LEN])
{
    unsigned int n = 0;

    if (EVP_Digest(sig, len, out, &n, EVP_sha256(), NULL) != 1 || n != EKSAUTH_REPLAY_HASH_LEN)
        /* Cannot happen with a working libcrypto; an all-ones key still blocks its own replay. */
        memset(out, 0xff, EKSAUTH_REPLAY_HASH_LEN);
}

enum eksauth_status eksauth_replay_new(struct eksauth_replay **out, struct eksauth_error *err)
{
    *out = calloc(1, sizeof(**out));
    if (*out == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "replay: out of memory");
    return EKSAUTH_OK;
}

void eksauth_replay_free(struct eksauth_replay *r)
{
    if (r == NULL)
        return;
    free(r->e);
    free(r);
}

size_t eksauth_replay_count(const struct eksauth_replay *r)
{
    return r != NULL ? r->n : 0;
}

enum eksauth_status eksauth_replay_parse(const void *data, size_t len, struct eksauth_replay **out,
                                         struct eksauth_error *err)
{
    const unsigned char *p = data;
    struct eksauth_replay *r = NULL;
    enum eksauth_status st;
    uint32_t version, count;
    size_t i;

    *out = NULL;
    st = eksauth_replay_new(&r, err);
    if (st != EKSAUTH_OK)
        return st;
    if (len == 0)
        goto done;
    if (len < EKSAUTH_REPLAY_HEADER_SIZE || memcmp(p, EKSAUTH_REPLAY_MAGIC, 8) != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "replay: not a replay record");
        goto out;
    }
    version = eksauth_le32_get(p + 8);
    count = eksauth_le32_get(p + 12);
    /*
     * Another eksauth's record (rolled back, or a format of before an
     * upgrade): it may hold live tokens in a layout unknown here, so the
     * claim fails closed; nothing rewrites it, so say when removing it is
     * safe: a record unchanged for that long holds no token a login could
     * still accept (replay.h: expiry + margin, the token dated at most
     * max_clock_skew ahead).
     */
    if (version != EKSAUTH_REPLAY_VERSION) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "replay: version %u, expected %u: another eksauth's record; this "
                          "principal's single_use logins are refused until it is removed, which "
                          "is safe %d minutes plus max_clock_skew after its last change",
                          version, EKSAUTH_REPLAY_VERSION,
                          (EKSAUTH_TOKEN_LIFETIME + EKSAUTH_REPLAY_MARGIN) / 60);
        goto out;
    }
    /* The count bounds the allocation: check it against the cap and the real size first. */
    if (count > EKSAUTH_REPLAY_MAX ||
        len != EKSAUTH_REPLAY_HEADER_SIZE + (size_t)count * EKSAUTH_REPLAY_RECORD_SIZE) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "replay: %zu bytes do not hold %u records", len,
                          count);
        goto out;
    }
    if (count > 0) {
        r->e = calloc(count, sizeof(*r->e));
        if (r->e == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "replay: out of memory");
            goto out;
        }
        r->cap = count;
    }
    for (i = 0; i < count; i++) {
        const unsigned char *rec =
            p + EKSAUTH_REPLAY_HEADER_SIZE + i * (size_t)EKSAUTH_REPLAY_RECORD_SIZE;

        memcpy(r->e[i].hash, rec, EKSAUTH_REPLAY_HASH_LEN);
        r->e[i].keep_until = (int64_t)eksauth_le64_get(rec + EKSAUTH_REPLAY_HASH_LEN);
        /* Sorted and distinct, or lookups by bisection could miss a recorded token. */
        if (i > 0 && memcmp(r->e[i - 1].hash, r->e[i].hash, EKSAUTH_REPLAY_HASH_LEN) >= 0) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "replay: record %zu is out of order", i);
            goto out;
        }
    }
    r->n = count;
done:
    *out = r;
    r = NULL;
    st = EKSAUTH_OK;
out:
    eksauth_replay_free(r);
    return st;
}

size_t eksauth_replay_prune(struct eksauth_replay *r, time_t now)
{
    size_t i, kept = 0, before;

    if (r == NULL)
        return 0;
    before = r->n;
    for (i = 0; i < r->n; i++)
        if (r->e[i].keep_until >= (int64_t)now)
            r->e[kept++] = r->e[i];
    r->n = kept;
    return before - kept;
}

/* Index of hash, or where it would go (*found false). */
static size_t find(const struct eksauth_replay *r, const unsigned char *hash, bool *found)
{
    size_t lo = 0, hi = r->n, mid;
    int c;

    *found = false;
    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = memcmp(r->e[mid].hash, hash, EKSAUTH_REPLAY_HASH_LEN);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool eksauth_replay_seen(const struct eksauth_replay *r,
                         const unsigned char hash[EKSAUTH_REPLAY_HASH_LEN])
{
    bool found = false;

    if (r != NULL)
        (void)find(r, hash, &found);
    return found;
}

enum eksauth_status eksauth_replay_add(struct eksauth_replay *r,
                                       const unsigned char hash[EKSAUTH_REPLAY_HASH_LEN],
                                       time_t keep_until, struct eksauth_error *err)
{
    struct entry *grown;
    size_t at, cap;
    bool found;

    at = find(r, hash, &found);
    if (found)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "%s", EKSAUTH_REPLAY_USED);
    /*
     * Bounded: refuse (and so the login) rather than forget a live token.
     * The record is this principal's alone: only its own logins wait (a
     * role's sessions are one principal, SECURITY.md's known gaps).
     */
    if (r->n >= EKSAUTH_REPLAY_MAX)
        return eksauth_fail(
            err, EKSAUTH_EREJECTED,
            "replay: this principal already has %u live tokens recorded on this host "
            "(a role's sessions count together); its next logins wait until they "
            "expire (other principals' do not)",
            EKSAUTH_REPLAY_MAX);
    if (r->n == r->cap) {
        cap = r->cap < 16 ? 16 : r->cap * 2;
        if (cap > EKSAUTH_REPLAY_MAX)
            cap = EKSAUTH_REPLAY_MAX;
        grown = realloc(r->e, cap * sizeof(*grown));
        if (grown == NULL)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "replay: out of memory");
        r->e = grown;
        r->cap = cap;
    }
    memmove(&r->e[at + 1], &r->e[at], (r->n - at) * sizeof(*r->e));
    memcpy(r->e[at].hash, hash, EKSAUTH_REPLAY_HASH_LEN);
    r->e[at].keep_until = (int64_t)keep_until;
    r->n++;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_replay_serialize(const struct eksauth_replay *r, void **out,
                                             size_t *len, struct eksauth_error *err)
{
    size_t n = r != NULL ? r->n : 0, i, size;
    unsigned char *p;

    size = EKSAUTH_REPLAY_HEADER_SIZE + n * (size_t)EKSAUTH_REPLAY_RECORD_SIZE;
    p = malloc(size);
    if (p == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "replay: out of memory");
    memcpy(p, EKSAUTH_REPLAY_MAGIC, 8);
    eksauth_le32_put(p + 8, EKSAUTH_REPLAY_VERSION);
    eksauth_le32_put(p + 12, (uint32_t)n);
    for (i = 0; i < n; i++) {
        unsigned char *rec = p + EKSAUTH_REPLAY_HEADER_SIZE + i * EKSAUTH_REPLAY_RECORD_SIZE;

        memcpy(rec, r->e[i].hash, EKSAUTH_REPLAY_HASH_LEN);
        eksauth_le64_put(rec + EKSAUTH_REPLAY_HASH_LEN, (uint64_t)r->e[i].keep_until);
    }
    *out = p;
    *len = size;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_replay_path(const char *dir, const char *principal, char *out,
                                        size_t outlen, struct eksauth_error *err)
{
    unsigned char hash[EKSAUTH_REPLAY_HASH_LEN];
    char lower[2048];
    size_t i;
    int n;

    /*
     * One principal, one record, whatever the case of its ARN; ASCII's case,
     * never the locale's: a Turkish locale's tolower would name another
     * record for the same ARN, and single_use would pass a token twice.
     */
    for (i = 0; principal[i] != '\0' && i + 1 < sizeof(lower); i++)
        lower[i] = eksauth_ascii_lower(principal[i]);
    lower[i] = '\0';
    eksauth_replay_hash(lower, i, hash);
    n = snprintf(out, outlen, "%s/%02x%02x%02x%02x%02x%02x%02x%02x.db", dir, hash[0], hash[1],
                 hash[2], hash[3], hash[4], hash[5], hash[6], hash[7]);
    if (n < 0 || (size_t)n >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "replay: path too long");
    return EKSAUTH_OK;
}

/* ---- the file -------------------------------------------------------------- */

/*
 * Whoever can write the record, or swap it through its folder, can make a
 * used token usable again: the folder must be the caller's and not group-
 * or world-writable, the file the caller's and private.  lstat, never stat:
 * beside the DB in a sticky folder others may write (docs/identity-db.md,
 * "Integrity"), anyone can make the folder's name a link before root does;
 * followed, it would put root's records (and .lock files) where they chose,
 * and re-pointing it would make a record "missing", read as empty, so a
 * used token would pass again.  A real folder of root's in a sticky folder
 * cannot be renamed or replaced by anyone else, so the check holds for
 * the paths opened after it.
 */
static enum eksauth_status check_folder(const char *path, struct eksauth_error *err)
{
    const char *slash = strrchr(path, '/');
    char dir[PATH_MAX], problem[64];
    struct stat st;

    if (slash == NULL)
        snprintf(dir, sizeof(dir), ".");
    else if (slash == path)
        snprintf(dir, sizeof(dir), "/");
    else if ((size_t)(slash - path) < sizeof(dir))
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
    else
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: path too long", path);
    if (lstat(dir, &st) != 0)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: %s", dir, strerror(errno));
    if (S_ISLNK(st.st_mode))
        snprintf(problem, sizeof(problem), "is a symbolic link");
    else if (!S_ISDIR(st.st_mode))
        snprintf(problem, sizeof(problem), "is not a folder");
    else if (st.st_uid != geteuid())
        snprintf(problem, sizeof(problem), "is owned by uid %lu", (unsigned long)st.st_uid);
    else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        snprintf(problem, sizeof(problem), "is writable by group or others (mode %04o)",
                 (unsigned)(st.st_mode & 07777));
    else
        return EKSAUTH_OK;
    return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                        "replay: %s: %s; the folder must be a real folder (no link), %s's, and "
                        "not group- or world-writable",
                        dir, problem, geteuid() == 0 ? "root" : "the caller");
}

/* The record's lock (file.h); failing to take it is "cannot tell": EKSAUTH_EUNAVAIL. */
static enum eksauth_status lock_record(const char *path, int *fdp, struct eksauth_error *err)
{
    struct eksauth_error lerr = {0};

    if (eksauth_file_lock(path, fdp, &lerr) != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s", lerr.msg);
    return EKSAUTH_OK;
}

/* Read the record (a missing file is an empty one): private, regular, bounded. */
static enum eksauth_status read_record(const char *path, unsigned char **data, size_t *len,
                                       struct eksauth_error *err)
{
    struct eksauth_error rerr = {0};
    enum eksauth_status st;
    struct stat sb;
    char *buf = NULL;
    int fd;

    *data = NULL;
    *len = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return EKSAUTH_OK;
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: %s", path, strerror(errno));
    }
    if (fstat(fd, &sb) != 0) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || sb.st_uid != geteuid() || (sb.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL,
                          "replay: %s: must be a regular file, the caller's, mode 0600", path);
        goto out;
    }
    if ((size_t)sb.st_size > FILE_MAX) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: larger than %zu bytes", path,
                          FILE_MAX);
        goto out;
    }
    /* A file that grew since fstat is read whole (up to the cap) and the parser checks its size. */
    st = eksauth_file_read_fd(path, fd, FILE_MAX, &buf, len, &rerr);
    if (st == EKSAUTH_OK) {
        *data = (unsigned char *)buf;
    } else {
        /* Any failure to read the record is "cannot tell": the login fails closed. */
        st =
            eksauth_fail(err, st == EKSAUTH_ENOMEM ? st : EKSAUTH_EUNAVAIL, "replay: %s", rerr.msg);
    }
out:
    close(fd);
    return st;
}

enum eksauth_status eksauth_replay_claim(const char *path, const char *sig, size_t sig_len,
                                         time_t expires_at, time_t now, struct eksauth_error *err)
{
    unsigned char hash[EKSAUTH_REPLAY_HASH_LEN];
    struct eksauth_error perr = {0};
    struct eksauth_replay *r = NULL;
    unsigned char *data = NULL;
    void *out = NULL;
    size_t len = 0, out_len = 0;
    enum eksauth_status st;
    int lfd = -1;

    if (path == NULL || path[0] == '\0' || sig == NULL || sig_len == 0)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: no record path or no signature");
    eksauth_replay_hash(sig, sig_len, hash);
    st = check_folder(path, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* Read, decide and write under one lock: two logins of one token cannot both pass. */
    st = lock_record(path, &lfd, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = read_record(path, &data, &len, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_replay_parse(data, len, &r, &perr);
    if (st != EKSAUTH_OK) {
        /* A record we cannot read might hold this token: fail closed, and say where. */
        st = eksauth_fail(err, st == EKSAUTH_ENOMEM ? EKSAUTH_ENOMEM : EKSAUTH_EUNAVAIL,
                          "replay: %s: %s", path,
                          strncmp(perr.msg, "replay: ", 8) == 0 ? perr.msg + 8 : perr.msg);
        goto out;
    }
    (void)eksauth_replay_prune(r, now);
    st = eksauth_replay_add(r, hash, expires_at + EKSAUTH_REPLAY_MARGIN, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_replay_serialize(r, &out, &out_len, err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * A claimer killed before its rename leaves a temp copy of the record;
     * under the lock every such file is a dead claimer's.  Best effort: a
     * leftover costs disk space, not safety.
     */
    (void)eksauth_file_remove_stale_temps(path, NULL, NULL);
    /* On disk before the login goes on: a crash after this keeps the token used. */
    st = eksauth_file_write_atomic(path, out, out_len, 0600, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "replay");
        st = EKSAUTH_EUNAVAIL;
    }
out:
    if (lfd >= 0)
        close(lfd); /* releases the flock */
    eksauth_replay_free(r);
    free(data);
    free(out);
    return st;
}
