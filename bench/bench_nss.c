/*
 * bench_nss.c - NSS lookups through glibc, whatever nsswitch.conf says
 * (bench_nss.sh runs it in private mount namespaces with one source at a
 * time: eksauth, the do-nothing module, SSSD, nscd, files).  The entries
 * are those of `iddb_tool gen DB N`: users u0..u(N-1), groups eks-g0.. of
 * 10 members each (user i in eks-g(i/10)), and eks-big, whose members are
 * u0..u(min(N,10000)-1).
 *
 *   bench_nss run N SECONDS      getpwnam, getgrnam of a 10-member group and
 *                                initgroups (getgrouplist) of random entries
 *                                for about SECONDS each: "getpwnam NS
 *                                getgrnam NS initgroups NS" (ns per call)
 *   bench_nss big N SECONDS      getgrnam("eks-big"): "getgrnam_big NS MEMBERS"
 *   bench_nss warm N             every user, 10-member group and initgroups
 *                                once (fills a daemon's cache)
 *   bench_nss count N COUNT      COUNT lookups of each kind, untimed (for
 *                                strace -c): "lookups L"
 *   bench_nss first NAME         the first getpwnam of this process: "first NS
 *                                RSS_GROWTH_KIB"
 *   bench_nss module N SECONDS [stat]  _nss_eksauth_getpwnam_r of random
 *                                users, called through dlopen without glibc's
 *                                dispatch (with "stat", one stat() of
 *                                /etc/nsswitch.conf before each, as glibc
 *                                makes), for SECONDS of CPU time: "module NS
 *                                loop NS", CPU ns per call, the loop alone
 *                                (and the stat) timed apart
 *   bench_nss memlat BYTES SECONDS  one dependent read of a random cache line
 *                                in a region of BYTES (the DB's size), the
 *                                least a lookup that reads one record pays
 *                                once the DB outgrows the caches: "memlat NS"
 * Exit 1 when a lookup fails or gives a wrong answer (with BENCH_NSS_FLOOR
 * set, for the do-nothing module, a group may have no members).
 */
#include "config.h"

#include <dlfcn.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define BIG_MAX 10000ul

static unsigned long n_users;
static int floor_module; /* BENCH_NSS_FLOOR set: the do-nothing module, whose groups are empty */

static unsigned long n_groups(void)
{
    return (n_users + 9) / 10;
}

/* One lookup of kind which (0 user, 1 group, 2 initgroups) of entry k; false when wrong. */
static int lookup(int which, unsigned long k)
{
    char name[32];
    gid_t groups[64];
    int ng = 64;
    struct group *gr;

    switch (which) {
    case 0:
        snprintf(name, sizeof(name), "u%lu", k);
        return getpwnam(name) != NULL;
    case 1:
        snprintf(name, sizeof(name), "eks-g%lu", k / 10);
        gr = getgrnam(name);
        return gr != NULL && (floor_module || gr->gr_mem[0] != NULL);
    default:
        snprintf(name, sizeof(name), "u%lu", k);
        /* the primary group and eks-g(k/10), and eks-big for the first 10,000 */
        return getgrouplist(name, (gid_t)(1900000000ul + k), groups, &ng) >= 1 && ng >= 2;
    }
}

static const char *const names[] = {"getpwnam", "getgrnam", "initgroups"};

static int fail(int which, unsigned long k)
{
    fprintf(stderr, "bench_nss: %s of entry %lu failed\n", names[which], k);
    return 1;
}

static int cmd_run(double secs)
{
    unsigned seed = 42;
    int which;

    for (which = 0; which < 3; which++) {
        unsigned long iters = 0;
        double t0 = bench_wall_ns(), t;

        do {
            int i;

            for (i = 0; i < 8; i++) {
                unsigned long k = (unsigned long)rand_r(&seed) % n_users;

                if (!lookup(which, k))
                    return fail(which, k);
            }
            iters += 8;
            t = bench_wall_ns();
        } while (t - t0 < secs * 1e9);
        printf("%s %.0f ", names[which], (t - t0) / (double)iters);
    }
    printf("\n");
    return 0;
}

static int cmd_big(double secs)
{
    unsigned long iters = 0, members = 0, want = n_users < BIG_MAX ? n_users : BIG_MAX;
    double t0 = bench_wall_ns(), t;

    do {
        struct group *gr = getgrnam("eks-big");

        if (gr == NULL)
            return fail(1, 0);
        for (members = 0; gr->gr_mem[members] != NULL; members++)
            ;
        if (members != want) {
            fprintf(stderr, "bench_nss: eks-big has %lu members, not %lu\n", members, want);
            return 1;
        }
        iters++;
        t = bench_wall_ns();
    } while (t - t0 < secs * 1e9 || iters < 3);
    printf("getgrnam_big %.0f %lu\n", (t - t0) / (double)iters, members);
    return 0;
}

static int cmd_warm(void)
{
    unsigned long k;

    for (k = 0; k < n_users; k++)
        if (!lookup(0, k) || !lookup(2, k))
            return fail(0, k);
    for (k = 0; k < n_groups(); k++)
        if (!lookup(1, k * 10))
            return fail(1, k * 10);
    return 0;
}

static int cmd_count(unsigned long count)
{
    unsigned seed = 7;
    unsigned long i;
    int which;

    for (which = 0; which < 3; which++)
        for (i = 0; i < count; i++) {
            unsigned long k = (unsigned long)rand_r(&seed) % n_users;

            if (!lookup(which, k))
                return fail(which, k);
        }
    printf("lookups %lu\n", 3 * count);
    return 0;
}

/* Resident set of this process, KiB (/proc/self/statm: pages). */
static long rss_kib(void)
{
    long size = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static int cmd_first(const char *name)
{
    long before = rss_kib(), after;
    double t0 = bench_wall_ns(), t;
    struct passwd *pw = getpwnam(name);

    t = bench_wall_ns();
    after = rss_kib();
    if (pw == NULL) {
        fprintf(stderr, "bench_nss: first getpwnam(%s) failed\n", name);
        return 1;
    }
    printf("first %.0f %ld\n", t - t0, after - before);
    return 0;
}

typedef enum nss_status (*getpwnam_fn)(const char *, struct passwd *, char *, size_t, int *);

/*
 * The names the loop asks for, drawn before the clock starts: formatting one
 * per call (snprintf) cost 45-80 ns here, more than the module's own fixed
 * work, and its noise hid the changes measured against it.  2^16 of them, so
 * at 100,000 users and up the records still mostly miss the caches.
 */
#define NAMES_RING 65536u
static char (*names_ring)[24];

static int names_fill(void)
{
    unsigned seed = 42, i;

    names_ring = malloc(sizeof(*names_ring) * NAMES_RING);
    if (names_ring == NULL)
        return -1;
    for (i = 0; i < NAMES_RING; i++)
        snprintf(names_ring[i], sizeof(names_ring[i]), "u%lu",
                 (unsigned long)rand_r(&seed) % n_users);
    return 0;
}

/*
 * CPU ns per call of SECONDS (of CPU time) of calls to fn (NULL: the loop
 * alone) on random users: CPU time, as the other builds sharing the machine
 * take turns on its cores and a wall clock counts their turns too.
 */
static double module_loop(getpwnam_fn fn, int with_stat, double secs)
{
    unsigned long iters = 0;
    double t0 = bench_cpu_ns(), t;

    do {
        int i;

        /* The CPU clock is a system call: read once every 1,024 calls. */
        for (i = 0; i < 1024; i++) {
            const char *name = names_ring[(iters + (unsigned long)i) % NAMES_RING];
            char buf[1024];
            struct passwd pw;
            struct stat sb;
            int err;

            if (with_stat)
                (void)stat("/etc/nsswitch.conf", &sb);
            if (fn != NULL && fn(name, &pw, buf, sizeof(buf), &err) != NSS_STATUS_SUCCESS) {
                fprintf(stderr, "bench_nss: _nss_eksauth_getpwnam_r(%s) failed\n", name);
                return -1;
            }
        }
        iters += 1024;
        t = bench_cpu_ns();
    } while (t - t0 < secs * 1e9);
    return (t - t0) / (double)iters;
}

/*
 * The module's own cost, apart from glibc's dispatch (bench/README.md,
 * eighth pass): EKSAUTH_DB names the DB; LD_LIBRARY_PATH finds the module.
 */
static int cmd_module(double secs, int with_stat)
{
    void *lib = dlopen("libnss_eksauth.so.2", RTLD_NOW | RTLD_LOCAL);
    getpwnam_fn fn;
    double calls, loop;

    if (lib == NULL) {
        fprintf(stderr, "bench_nss: %s\n", dlerror());
        return 1;
    }
    fn = (getpwnam_fn)dlsym(lib, "_nss_eksauth_getpwnam_r");
    if (fn == NULL || names_fill() < 0 || (calls = module_loop(fn, with_stat, secs)) < 0)
        return 1;
    loop = module_loop(NULL, with_stat, secs);
    printf("module %.0f loop %.0f\n", calls, loop);
    return 0;
}

/*
 * A random cyclic walk over the 64-byte lines of a region of bytes, each
 * read waiting for the one before (as a record waits for its index slot):
 * the memory latency at that size, caches and TLB included.
 */
static int cmd_memlat(unsigned long bytes, double secs)
{
    unsigned long n = bytes / 64, i, reads = 0;
    unsigned seed = 11;
    uint64_t *line, at = 0;
    double t0, t;

    if (n < 2)
        return 2;
    line = aligned_alloc(64, n * 64);
    if (line == NULL)
        return 1;
    /* Sattolo's shuffle: one cycle through every line. */
    for (i = 0; i < n; i++)
        line[i * 8] = i;
    for (i = n - 1; i > 0; i--) {
        unsigned long j =
            ((unsigned long)rand_r(&seed) * (RAND_MAX + 1ul) + (unsigned long)rand_r(&seed)) % i;
        uint64_t x = line[i * 8];

        line[i * 8] = line[j * 8];
        line[j * 8] = x;
    }
    t0 = bench_wall_ns();
    do {
        for (i = 0; i < 1024; i++)
            at = line[at * 8];
        reads += 1024;
        t = bench_wall_ns();
    } while (t - t0 < secs * 1e9);
    printf("memlat %.1f %lu\n", (t - t0) / (double)reads, (unsigned long)(at & 1));
    free(line);
    return 0;
}

int main(int argc, char **argv)
{
    floor_module = getenv("BENCH_NSS_FLOOR") != NULL;
    if (argc == 3 && strcmp(argv[1], "first") == 0)
        return cmd_first(argv[2]);
    if (argc == 4 && strcmp(argv[1], "memlat") == 0)
        return cmd_memlat(strtoul(argv[2], NULL, 10), strtod(argv[3], NULL));
    if (argc < 3)
        goto usage;
    n_users = strtoul(argv[2], NULL, 10);
    if (n_users == 0)
        goto usage;
    if (argc == 4 && strcmp(argv[1], "run") == 0)
        return cmd_run(strtod(argv[3], NULL));
    if (argc == 4 && strcmp(argv[1], "big") == 0)
        return cmd_big(strtod(argv[3], NULL));
    if (argc == 3 && strcmp(argv[1], "warm") == 0)
        return cmd_warm();
    if (argc == 4 && strcmp(argv[1], "count") == 0)
        return cmd_count(strtoul(argv[3], NULL, 10));
    if ((argc == 4 || (argc == 5 && strcmp(argv[4], "stat") == 0)) &&
        strcmp(argv[1], "module") == 0)
        return cmd_module(strtod(argv[3], NULL), argc == 5);
usage:
    fprintf(stderr, "usage: bench_nss run N SECONDS | big N SECONDS | warm N | count N COUNT | "
                    "module N SECONDS [stat] | first NAME | memlat BYTES SECONDS\n");
    return 2;
}
