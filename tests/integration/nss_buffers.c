/*
 * nss_buffers.c - the glibc buffer contract through the real glibc (run it
 * where nsswitch.conf names eksauth): getpwnam_r / getgrnam_r with buffers
 * of 1 byte upwards.  Each call must give ERANGE with no result, or the
 * whole expected entry; once a size works every bigger size gives the same
 * entry; and no byte past the given size is ever written.
 *
 *   nss_buffers passwd NAME 'name:x:uid:gid:gecos:home:shell'
 *   nss_buffers group NAME 'name:x:gid:member,member'
 * Prints "ok: first fit at N bytes" and exits 0, or says what broke and exits 1.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXBUF 512
#define CANARY 0xA5

static int format(char *out, size_t n, bool is_pw, const struct passwd *pw, const struct group *gr)
{
    size_t at;
    int k;

    if (is_pw)
        return snprintf(out, n, "%s:%s:%u:%u:%s:%s:%s", pw->pw_name, pw->pw_passwd,
                        (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir,
                        pw->pw_shell);
    at = (size_t)snprintf(out, n, "%s:%s:%u:", gr->gr_name, gr->gr_passwd, (unsigned)gr->gr_gid);
    for (k = 0; gr->gr_mem[k] != NULL && at < n; k++)
        at += (size_t)snprintf(out + at, n - at, "%s%s", k ? "," : "", gr->gr_mem[k]);
    return (int)at;
}

int main(int argc, char **argv)
{
    static unsigned char buf[MAXBUF + 64];
    char line[2048];
    size_t n, first = 0, i;
    bool is_pw;

    if (argc != 4 || (strcmp(argv[1], "passwd") != 0 && strcmp(argv[1], "group") != 0)) {
        fprintf(stderr, "usage: nss_buffers passwd|group NAME EXPECTED\n");
        return 2;
    }
    is_pw = strcmp(argv[1], "passwd") == 0;
    for (n = 1; n <= MAXBUF; n++) {
        struct passwd pw, *pwr = NULL;
        struct group gr, *grr = NULL;
        int rc;

        memset(buf, CANARY, sizeof(buf));
        if (is_pw)
            rc = getpwnam_r(argv[2], &pw, (char *)buf, n, &pwr);
        else
            rc = getgrnam_r(argv[2], &gr, (char *)buf, n, &grr);
        for (i = n; i < sizeof(buf); i++) {
            if (buf[i] != CANARY) {
                printf("FAIL: size %zu: byte %zu past the buffer was written\n", n, i);
                return 1;
            }
        }
        if (rc == ERANGE) {
            if (first != 0) {
                printf("FAIL: size %zu: ERANGE after size %zu worked\n", n, first);
                return 1;
            }
            if (pwr != NULL || grr != NULL) {
                printf("FAIL: size %zu: ERANGE with a result\n", n);
                return 1;
            }
            continue;
        }
        if (rc != 0 || (is_pw ? (void *)pwr : (void *)grr) == NULL) {
            printf("FAIL: size %zu: rc=%d (%s), no entry\n", n, rc, strerror(rc));
            return 1;
        }
        format(line, sizeof(line), is_pw, pwr, grr);
        if (strcmp(line, argv[3]) != 0) {
            printf("FAIL: size %zu: got '%s', want '%s'\n", n, line, argv[3]);
            return 1;
        }
        if (first == 0)
            first = n;
    }
    if (first == 0) {
        printf("FAIL: no size up to %d worked\n", MAXBUF);
        return 1;
    }
    printf("ok: ERANGE below %zu bytes, the whole entry from %zu to %d\n", first, first, MAXBUF);
    return 0;
}
