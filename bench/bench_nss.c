/*
 * bench_nss.c - time getpwnam, getgrnam and getgrouplist (initgroups)
 * through glibc, whatever nsswitch.conf says (bench_nss.sh runs it once with
 * "eksauth" alone and once with "files" alone over the same entries).
 *
 *   bench_nss N SECONDS
 * looks up random users u0..u(N-1) and groups eks-g0..eks-g9 for about
 * SECONDS per operation and prints "getpwnam NS getgrnam NS initgroups NS"
 * (nanoseconds per call).  Exit 1 when a lookup fails.
 */
#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One operation on a random entry; false when the entry was not found. */
static int op(int which, unsigned long n, unsigned *seed)
{
    char name[32];
    unsigned long k = (unsigned long)rand_r(seed) % n;
    gid_t groups[64];
    int ng = 64;

    switch (which) {
    case 0:
        snprintf(name, sizeof(name), "u%lu", k);
        return getpwnam(name) != NULL;
    case 1:
        snprintf(name, sizeof(name), "eks-g%lu", k % 10);
        return getgrnam(name) != NULL;
    default:
        snprintf(name, sizeof(name), "u%lu", k);
        return getgrouplist(name, (gid_t)(1900000000ul + k), groups, &ng) >= 1 && ng == 2;
    }
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"getpwnam", "getgrnam", "initgroups"};
    unsigned long n, iters;
    unsigned seed = 42;
    double secs, t0, t;
    int which;

    if (argc != 3) {
        fprintf(stderr, "usage: bench_nss N SECONDS\n");
        return 2;
    }
    n = strtoul(argv[1], NULL, 10);
    secs = strtod(argv[2], NULL);
    if (n == 0)
        return 2;
    for (which = 0; which < 3; which++) {
        /* warm up: the first call maps the DB or opens the file */
        if (!op(which, n, &seed)) {
            fprintf(stderr, "bench_nss: %s failed\n", names[which]);
            return 1;
        }
        iters = 0;
        t0 = now();
        do {
            int i;

            for (i = 0; i < 8; i++) {
                if (!op(which, n, &seed)) {
                    fprintf(stderr, "bench_nss: %s failed\n", names[which]);
                    return 1;
                }
            }
            iters += 8;
            t = now();
        } while (t - t0 < secs);
        printf("%s %.0f ", names[which], (t - t0) * 1e9 / (double)iters);
    }
    printf("\n");
    return 0;
}
