/*
 * idkey.c - the fleet's id key file (see idkey.h): checked like a private
 * key, read once, turned into the 16-byte SipHash key of names.h, wiped.
 * libc only: the NSS module compiles this file too.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/idkey.h"
#include "eksauth/trust.h"

enum eksauth_status eksauth_idkey_default_path(const char **path, struct eksauth_error *err)
{
    /* secure_getenv: a setuid program never takes the key's path from its caller. */
    const char *p = secure_getenv("EKSAUTH_ID_KEY");

    *path = NULL;
    if (p == NULL || p[0] == '\0') {
        *path = EKSAUTH_ID_KEY_PATH;
        return EKSAUTH_OK;
    }
    /*
     * Relative to each process's own folder, it names another file for
     * sshd's NSS, PAM and the sync, or none; the default in its place
     * would be another key.  Either gives every templated name another id.
     */
    /* Its value is not quoted: a key pasted in its place would reach the logs. */
    if (p[0] != '/')
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "id key: EKSAUTH_ID_KEY must be an absolute path, not a relative one "
                            "(%zu bytes, not shown)",
                            strlen(p));
    *path = p;
    return EKSAUTH_OK;
}

/* Whether st may hold the key: see idkey.h.  why is set when not. */
static bool key_file_ok(const struct stat *st, const char **why, const char **fix)
{
    mode_t perm = st->st_mode & 07777;

    *why = NULL;
    *fix = "";
    if (!S_ISREG(st->st_mode)) {
        *why = "is not a regular file";
    } else if (st->st_uid != 0) {
        /* Whoever owns it can read it, and with the key aim at any uid. */
        *why = "is not owned by root";
        *fix = "chown root:root";
    } else if (perm != 0600 && perm != 0400) {
        /* Anyone else who can read the key can aim at a uid again. */
        *why = "must be readable by root alone (mode 0600 or 0400)";
        *fix = "chmod 0400";
    } else if (st->st_size < (off_t)EKSAUTH_ID_KEY_MIN || st->st_size > (off_t)EKSAUTH_ID_KEY_MAX) {
        /* Too short to be a secret; too long to be a key file. */
        *why = "must hold 32 to 4096 bytes";
        *fix = "head -c 32 /dev/urandom >";
    }
    return *why == NULL;
}

enum eksauth_status eksauth_idkey_load(const char *path, struct eksauth_id_key *key, bool *present,
                                       struct eksauth_error *err)
{
    unsigned char buf[EKSAUTH_ID_KEY_MAX];
    const char *why, *fix;
    enum eksauth_status st;
    struct stat sb;
    size_t got = 0;
    ssize_t n;
    int fd;

    memset(key, 0, sizeof(*key));
    *present = false;
    /* O_NOFOLLOW: the file itself, never what a link points at. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 && errno == ENOENT)
        return EKSAUTH_OK;
    if (fd < 0)
        return eksauth_fail(err, errno == ELOOP ? EKSAUTH_EINVAL : EKSAUTH_EIO, "id key: %s: %s",
                            path, errno == ELOOP ? "is a symbolic link" : strerror(errno));
    *present = true;
    if (fstat(fd, &sb) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "id key: %s: %s", path, strerror(errno));
        goto out;
    }
    if (!key_file_ok(&sb, &why, &fix)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "id key: %s: %s%s%s%s%s", path, why,
                          fix[0] != '\0' ? "; run: " : "", fix, fix[0] != '\0' ? " " : "",
                          fix[0] != '\0' ? path : "");
        goto out;
    }
    /* Whoever can rename the folder's entries can put their own key in its place. */
    st = eksauth_trust_check_opened(path, &sb, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "id key");
        goto out;
    }
    while (got < (size_t)sb.st_size) {
        n = read(fd, buf + got, (size_t)sb.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            st = eksauth_fail(err, EKSAUTH_EIO, "id key: %s: %s", path,
                              n < 0 ? strerror(errno) : "shorter than its size");
            goto out;
        }
        got += (size_t)n;
    }
    eksauth_names_id_key_derive(buf, got, key);
    st = EKSAUTH_OK;
out:
    explicit_bzero(buf, sizeof(buf));
    close(fd);
    return st;
}
