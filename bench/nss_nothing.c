/*
 * nss_nothing.c - libnss_nothing.so.2, the floor of `make bench`'s NSS rows:
 * an NSS module that looks nothing up.  getpwnam_r answers any name with a
 * fixed entry, getgrnam_r any name with a group of no members, initgroups
 * adds one fixed gid.  What a lookup through it costs is glibc's own
 * dispatch (nsswitch.conf check, dlsym'd call, result copy), which every
 * module pays; eksauth's rows are shown as ratios to it.  Built by the
 * bench only, never installed.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum nss_status _nss_nothing_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_nothing_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_nothing_initgroups_dyn(const char *user, gid_t group, long int *start,
                                            long int *size, gid_t **groupsp, long int limit,
                                            int *errnop);

#define NOTHING_ID 1999999990u

/* The name, copied into buf: the least any answer does. */
static char *copy_name(const char *name, char *buf, size_t buflen, size_t at, int *errnop)
{
    size_t n = strlen(name) + 1;

    if (at + n + 2 > buflen) {
        *errnop = ERANGE;
        return NULL;
    }
    memcpy(buf + at, name, n);
    buf[at + n] = '\0'; /* the empty string every other field points to */
    return buf + at;
}

enum nss_status _nss_nothing_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop)
{
    char *n = copy_name(name, buf, buflen, 0, errnop);

    if (n == NULL)
        return NSS_STATUS_TRYAGAIN;
    pw->pw_name = n;
    pw->pw_passwd = pw->pw_gecos = pw->pw_dir = pw->pw_shell = n + strlen(n) + 1;
    pw->pw_uid = NOTHING_ID;
    pw->pw_gid = NOTHING_ID;
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_nothing_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop)
{
    size_t pad = (alignof(char *) - (uintptr_t)buf % alignof(char *)) % alignof(char *);
    char **mem = (char **)(void *)(buf + pad);
    char *n;

    if (buflen < pad + sizeof(char *)) {
        *errnop = ERANGE;
        return NSS_STATUS_TRYAGAIN;
    }
    n = copy_name(name, buf, buflen, pad + sizeof(char *), errnop);
    if (n == NULL)
        return NSS_STATUS_TRYAGAIN;
    mem[0] = NULL;
    gr->gr_name = n;
    gr->gr_passwd = n + strlen(n) + 1;
    gr->gr_gid = NOTHING_ID;
    gr->gr_mem = mem;
    return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_nothing_initgroups_dyn(const char *user, gid_t group, long int *start,
                                            long int *size, gid_t **groupsp, long int limit,
                                            int *errnop)
{
    (void)user;
    (void)group;
    (void)limit;
    if (*start == *size) {
        gid_t *g = realloc(*groupsp, (size_t)(*size + 1) * sizeof(gid_t));

        if (g == NULL) {
            *errnop = ENOMEM;
            return NSS_STATUS_TRYAGAIN;
        }
        *groupsp = g;
        (*size)++;
    }
    (*groupsp)[(*start)++] = NOTHING_ID;
    return NSS_STATUS_SUCCESS;
}
