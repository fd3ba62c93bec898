/*
 * nss_directory.c - libnss_directory.so.2, a stand-in for a directory
 * service (sss, ldap, winbind, nis) on the passwd: line of nsswitch.conf,
 * for tests/integration/pam.sh section 5: it serves the names of
 * NSS_DIRECTORY_USERS (comma-separated) as accounts of its own, all with
 * the uid NSS_DIRECTORY_UID (default 1999999991), and answers NOTFOUND for
 * any other name.  A name of NSS_DIRECTORY_FAIL gets NSS_STATUS_UNAVAIL
 * with errno EIO: a directory that cannot answer.  Built by make check,
 * never installed.
 */
#include "config.h"

#include <errno.h>
#include <nss.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum nss_status _nss_directory_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                          size_t buflen, int *errnop);
enum nss_status _nss_directory_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                          int *errnop);

#define DIRECTORY_UID 1999999991u

/* Whether list (comma-separated, may be NULL) holds name. */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    const char *p;

    for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',')) {
        if (*p == ',')
            p++;
        if (n > 0 && strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return true;
    }
    return false;
}

static uid_t directory_uid(void)
{
    const char *s = getenv("NSS_DIRECTORY_UID");

    return s != NULL && *s != '\0' ? (uid_t)strtoul(s, NULL, 10) : (uid_t)DIRECTORY_UID;
}

/* The entry of name (len bytes), its strings in buf. */
static enum nss_status fill(const char *name, size_t len, struct passwd *pw, char *buf,
                            size_t buflen, int *errnop)
{
    static const char home[] = "/nonexistent", shell[] = "/bin/sh", gecos[] = "directory";
    size_t need = len + 1 + sizeof(home) + sizeof(shell) + sizeof(gecos) + 2;

    if (buflen < need) {
        *errnop = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    pw->pw_name = buf;
    buf += len + 1;
    pw->pw_passwd = strcpy(buf, "x");
    buf += 2;
    pw->pw_gecos = strcpy(buf, gecos);
    buf += sizeof(gecos);
    pw->pw_dir = strcpy(buf, home);
    buf += sizeof(home);
    pw->pw_shell = strcpy(buf, shell);
    pw->pw_uid = directory_uid();
    pw->pw_gid = directory_uid();
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_directory_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                          size_t buflen, int *errnop)
{
    if (listed(getenv("NSS_DIRECTORY_FAIL"), name)) {
        *errnop = EIO;
        return NSS_STATUS_UNAVAIL;
    }
    if (!listed(getenv("NSS_DIRECTORY_USERS"), name))
        return NSS_STATUS_NOTFOUND;
    return fill(name, strlen(name), pw, buf, buflen, errnop);
}

/* The directory's uid is its first user's. */
enum nss_status _nss_directory_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                          int *errnop)
{
    const char *list = getenv("NSS_DIRECTORY_USERS");
    size_t len;

    if (list == NULL || *list == '\0' || *list == ',' || uid != directory_uid())
        return NSS_STATUS_NOTFOUND;
    len = strcspn(list, ",");
    return fill(list, len, pw, buf, buflen, errnop);
}
