/*
 * nss_eksauth.h - the entry points of libnss_eksauth.so.2 (exported by
 * exports.map), for the module itself (-Wmissing-prototypes) and for
 * tests/unit/test_nss.c, which calls them directly.
 */
#ifndef EKSAUTH_NSS_EKSAUTH_H
#define EKSAUTH_NSS_EKSAUTH_H

#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

enum nss_status _nss_eksauth_getpwnam_r(const char *name, struct passwd *pw, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_eksauth_getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t buflen,
                                        int *errnop);
enum nss_status _nss_eksauth_setpwent(int stayopen);
enum nss_status _nss_eksauth_getpwent_r(struct passwd *pw, char *buf, size_t buflen, int *errnop);
enum nss_status _nss_eksauth_endpwent(void);
enum nss_status _nss_eksauth_getgrnam_r(const char *name, struct group *gr, char *buf,
                                        size_t buflen, int *errnop);
enum nss_status _nss_eksauth_getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t buflen,
                                        int *errnop);
enum nss_status _nss_eksauth_setgrent(int stayopen);
enum nss_status _nss_eksauth_getgrent_r(struct group *gr, char *buf, size_t buflen, int *errnop);
enum nss_status _nss_eksauth_endgrent(void);
enum nss_status _nss_eksauth_initgroups_dyn(const char *user, gid_t group, long int *start,
                                            long int *size, gid_t **groupsp, long int limit,
                                            int *errnop);

#endif
