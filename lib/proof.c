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

#define MAC_HEX 64

/* hex(HMAC-SHA256(key, "eksauth-proof-v1" NUL login NUL time)) */
static bool mac_hex(const unsigned char key[EKSAUTH_PROOF_KEY_LEN], const char *login,
                    long long when, char out[MAC_HEX + 1])
{
    unsigned char msg[EKSAUTH_PROOF_MAX], mac[32];
    unsigned int maclen = 0;
    int n;

    n = snprintf((char *)msg, sizeof(msg), "eksauth-proof-v1%c%s%c%lld", '\0', login, '\0', when);
    if (n < 0 || (size_t)n >= sizeof(msg) ||
        HMAC(EVP_sha256(), key, EKSAUTH_PROOF_KEY_LEN, msg, (size_t)n, mac, &maclen) == NULL ||
        maclen != sizeof(mac))
        return false;
    eksauth_hex_lower(mac, sizeof(mac), out);
    OPENSSL_cleanse(mac, sizeof(mac));
    return true;
}

enum eksauth_status eksauth_proof_make(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                       const char *login, time_t now, char *out, size_t outlen,
                                       struct eksauth_error *err)
{
    char mac[MAC_HEX + 1];
    int n;

    if (strchr(login, ':') != NULL || !mac_hex(key, login, (long long)now, mac))
        return eksauth_fail(err, EKSAUTH_EINVAL, "proof: cannot make one for this login");
    n = snprintf(out, outlen, "%s:%lld:%s", login, (long long)now, mac);
    if (n < 0 || (size_t)n >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "proof: longer than its buffer");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_proof_check(const unsigned char key[EKSAUTH_PROOF_KEY_LEN],
                                        const char *proof, const char *login, time_t now,
                                        long max_age, struct eksauth_error *err)
{
    char want[MAC_HEX + 1], *end;
    const char *when_s, *mac;
    size_t llen = strlen(login);
    long long when;

    if (proof == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "no token was given in this login");
    /* "login:time:mac", for this login and no other. */
    if (strncmp(proof, login, llen) != 0 || proof[llen] != ':')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is for another login");
    when_s = proof + llen + 1;
    when = strtoll(when_s, &end, 10);
    if (end == when_s || *end != ':')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is malformed");
    mac = end + 1;
    if (strlen(mac) != MAC_HEX || !mac_hex(key, login, when, want) ||
        CRYPTO_memcmp(mac, want, MAC_HEX) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is not this host's");
    if (when > (long long)now + 5 || (long long)now - when > max_age)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "the token proof is stale");
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
