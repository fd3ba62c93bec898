/*
 * proof.c - the proof that pam_eksauth authenticated a login with a token
 * (see proof.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "eksauth/file.h"
#include "eksauth/hex.h"
#include "eksauth/proof.h"

#define MAC_HEX  64
#define WHEN_MAX 24 /* "%lld" of any time, and its NUL */

/* The n parts, each ended by its NUL, into out (unless NULL): the length of the message. */
static size_t message(char *out, const char *const *parts, size_t n)
{
    size_t len = 0, i;

    for (i = 0; i < n; i++) {
        size_t k = strlen(parts[i]) + 1;

        if (out != NULL)
            memcpy(out + len, parts[i], k);
        len += k;
    }
    return len;
}

/*
 * hex(HMAC-SHA256(key, "eksauth-proof-v2" NUL login NUL time NUL token_fp
 * NUL identity[0] NUL ... identity[n-1] NUL)): no string holds a NUL, so
 * no two claims give one message.  The time as the proof spells it, so
 * that a MAC passes one proof string only (not " 60", "+60" or "060" for
 * "60").  False for a NULL string.
 */
static bool mac_hex(const unsigned char key[EKSAUTH_PROOF_KEY_LEN], const char *login,
                    const char *when, const char *token_fp, const char *const *identity, size_t n,
                    char out[MAC_HEX + 1])
{
    const char *head[] = {"eksauth-proof-v2", login, when, token_fp};
    size_t nhead = sizeof(head) / sizeof(head[0]), i, len;
    const char **parts = NULL;
    unsigned char mac[32];
    unsigned int maclen = 0;
    char *msg = NULL;
    bool done = false;

    parts = calloc(nhead + n, sizeof(*parts));
    if (parts == NULL)
        goto out;
    for (i = 0; i < nhead + n; i++) {
        parts[i] = i < nhead ? head[i] : identity[i - nhead];
        if (parts[i] == NULL)
            goto out;
    }
    len = message(NULL, parts, nhead + n);
    msg = malloc(len);
    if (msg == NULL)
        goto out;
    (void)message(msg, parts, nhead + n);
    if (HMAC(EVP_sha256(), key, EKSAUTH_PROOF_KEY_LEN, (const unsigned char *)msg, len, mac,
             &maclen) == NULL ||
        maclen != sizeof(mac))
        goto out;
    eksauth_hex_lower(mac, sizeof(mac), out);
    done = true;
out:
    OPENSSL_cleanse(mac, sizeof(mac));
    free(msg);
    free(parts);
    return done;
}

/* A fingerprint as eksauth_token_fingerprint writes it: lower-case hex digits, so never a ':'. */
static bool fingerprint_shaped(const char *s, size_t len)
{
    size_t i;

    if (len != EKSAUTH_FINGERPRINT_LEN)
        return false;
    for (i = 0; i < len; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return true;
}

enum eksauth_status eksauth_proof_make(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                       const char *login, const char *token_fp,
                                       const char *const *identity, size_t n, time_t now, char *out,
                                       size_t outlen, struct eksauth_error *err)
{
    char mac[MAC_HEX + 1], when[WHEN_MAX];
    int k;

    snprintf(when, sizeof(when), "%lld", (long long)now);
    if (strchr(login, ':') != NULL || !fingerprint_shaped(token_fp, strlen(token_fp)) ||
        !mac_hex(key, login, when, token_fp, identity, n, mac))
        return eksauth_fail(err, EKSAUTH_EINVAL, "proof: cannot make one for this login");
    k = snprintf(out, outlen, "%s:%s:%s:%s", login, when, token_fp, mac);
    if (k < 0 || (size_t)k >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "proof: longer than its buffer");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_proof_check(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                        const char *proof, const char *login,
                                        const char *const *identity, size_t n, time_t now,
                                        long max_age, char token_fp[EKSAUTH_FINGERPRINT_LEN + 1],
                                        struct eksauth_error *err)
{
    char want[MAC_HEX + 1], fp[EKSAUTH_FINGERPRINT_LEN + 1], when_txt[WHEN_MAX], *end;
    const char *when_s, *mac;
    size_t llen = strlen(login);
    long long when;

    if (proof == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "no token was given in this login");
    /* "login:time:token_fp:mac", for this login and no other. */
    if (strncmp(proof, login, llen) != 0 || proof[llen] != ':')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is for another login");
    when_s = proof + llen + 1;
    when = strtoll(when_s, &end, 10);
    if (end == when_s || *end != ':' || (size_t)(end - when_s) >= sizeof(when_txt) ||
        !fingerprint_shaped(end + 1, strcspn(end + 1, ":")) ||
        end[1 + EKSAUTH_FINGERPRINT_LEN] != ':')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is malformed");
    memcpy(when_txt, when_s, (size_t)(end - when_s));
    when_txt[end - when_s] = '\0';
    memcpy(fp, end + 1, EKSAUTH_FINGERPRINT_LEN);
    fp[EKSAUTH_FINGERPRINT_LEN] = '\0';
    mac = end + 1 + EKSAUTH_FINGERPRINT_LEN + 1;
    /* The MAC covers the identity beside it: EKS_* set by anyone else do not match. */
    if (strlen(mac) != MAC_HEX || !mac_hex(key, login, when_txt, fp, identity, n, want) ||
        CRYPTO_memcmp(mac, want, MAC_HEX) != 0)
        return eksauth_fail(
            err, EKSAUTH_EREJECTED,
            "the token proof is not this host's, or not for the identity beside it");
    if (when > (long long)now + 5 || (long long)now - when > max_age)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is stale");
    memcpy(token_fp, fp, sizeof(fp));
    return EKSAUTH_OK;
}

/* Read exactly the key from fd, refusing anything but a root-only file of that size. */
static enum eksauth_status read_key(const char *path, int fd, unsigned char *key,
                                    struct eksauth_error *err)
{
    struct stat st;
    ssize_t n;

    /* Whoever can read it forges proofs; whoever can write it chooses them. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0 || st.st_size != EKSAUTH_PROOF_KEY_LEN)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "proof: %s is not a private %d-byte key of this user (mode 0600); "
                            "remove it and log in again",
                            path, EKSAUTH_PROOF_KEY_LEN);
    n = read(fd, key, EKSAUTH_PROOF_KEY_LEN);
    if (n != EKSAUTH_PROOF_KEY_LEN)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "proof: %s: short read", path);
    return EKSAUTH_OK;
}

/*
 * A new random key at path unless one is there.  Whole or not at all: a
 * key file created empty and then written would, read in between (a login
 * in parallel) or left so (a crash), be a broken key, and every account
 * stage with require_token would refuse.  So it is written aside and
 * renamed into place (file.h), one maker at a time under the key's lock.
 */
static enum eksauth_status make_key(const char *path, struct eksauth_error *err)
{
    unsigned char fresh[EKSAUTH_PROOF_KEY_LEN];
    struct eksauth_error lerr = {0};
    enum eksauth_status st = EKSAUTH_OK;
    struct stat sb;
    int lock = -1;

    if (eksauth_file_lock(path, &lock, &lerr) != EKSAUTH_OK) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "proof: %s", lerr.msg);
        goto out;
    }
    /* A maker killed before its rename left a temp copy of a key: under the lock, a dead one's. */
    (void)eksauth_file_remove_stale_temps(path, NULL, NULL);
    /* Made by the login that held the lock before us: that key stays. */
    if (lstat(path, &sb) == 0 || errno != ENOENT)
        goto out;
    if (getrandom(fresh, sizeof(fresh), 0) != (ssize_t)sizeof(fresh) ||
        eksauth_file_write_atomic(path, fresh, sizeof(fresh), 0600, &lerr) != EKSAUTH_OK)
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "proof: %s: cannot write a new key%s%s", path,
                          lerr.msg[0] != '\0' ? ": " : "", lerr.msg);
out:
    OPENSSL_cleanse(fresh, sizeof(fresh));
    if (lock >= 0)
        close(lock); /* releases the flock */
    return st;
}

enum eksauth_status eksauth_proof_key(const struct eksauth_paths *paths, bool create,
                                      unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                      struct eksauth_error *err)
{
    const char *path = paths->proof_key;
    enum eksauth_status st;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT && create) {
        st = make_key(path, err);
        if (st != EKSAUTH_OK)
            return st;
        /* Made now, or by a login in parallel: read what is there. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    }
    if (fd < 0)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "proof: %s: %s", path, strerror(errno));
    st = read_key(path, fd, key, err);
    close(fd);
    return st;
}
