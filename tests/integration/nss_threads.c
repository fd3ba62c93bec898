/*
 * nss_threads.c - concurrency through the real glibc (run it where
 * nsswitch.conf names eksauth): THREADS threads look users and groups up
 * while a child process (iddb_tool rewrite) replaces the DB COUNT times,
 * alternating versions A and B.  Every answer must be a whole entry of A or
 * of B, never a mix and never missing (rename is atomic).
 *
 *   nss_threads IDDB_TOOL DB COUNT THREADS
 * Prints "lookups=N bad=N sawA=N sawB=N" and exits 0 only when bad == 0,
 * the writer succeeded and both versions were seen.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LO 1900000000u

static atomic_bool stop;
static atomic_ulong lookups, bad, saw_a, saw_b;

static void complain(const char *what, const char *detail)
{
    /* the first few only: one line each */
    if (atomic_fetch_add(&bad, 1) < 10)
        fprintf(stderr, "nss_threads: %s: %s\n", what, detail);
}

/* A passwd entry of user tI is whole when every field agrees on one version. */
static void check_pw(const struct passwd *pw, unsigned i)
{
    char ha[32], hb[32], name[16], detail[512];

    snprintf(name, sizeof(name), "t%u", i);
    snprintf(ha, sizeof(ha), "/a/t%u", i);
    snprintf(hb, sizeof(hb), "/b/t%u", i);
    if (strcmp(pw->pw_name, name) == 0 && strcmp(pw->pw_passwd, "*") == 0 &&
        strcmp(pw->pw_gecos, "A") == 0 && strcmp(pw->pw_dir, ha) == 0 &&
        strcmp(pw->pw_shell, "/bin/sh") == 0 && pw->pw_uid == LO + i && pw->pw_gid == LO + 500) {
        atomic_fetch_add(&saw_a, 1);
        return;
    }
    if (strcmp(pw->pw_name, name) == 0 && strcmp(pw->pw_passwd, "*") == 0 &&
        strcmp(pw->pw_gecos, "B") == 0 && strcmp(pw->pw_dir, hb) == 0 &&
        strcmp(pw->pw_shell, "/bin/bash") == 0 && pw->pw_uid == LO + 2000 + i &&
        pw->pw_gid == LO + 2500) {
        atomic_fetch_add(&saw_b, 1);
        return;
    }
    snprintf(detail, sizeof(detail), "%s:%s:%u:%u:%s:%s:%s", pw->pw_name, pw->pw_passwd,
             (unsigned)pw->pw_uid, (unsigned)pw->pw_gid, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
    complain("mixed passwd entry", detail);
}

static void check_gr(const struct group *gr)
{
    bool seen[50] = {false};
    unsigned n, want, k;

    if (strcmp(gr->gr_name, "eks-x") != 0 || (gr->gr_gid != LO + 1000 && gr->gr_gid != LO + 3000)) {
        complain("bad group", gr->gr_name);
        return;
    }
    /* A: t0..t49 (gid LO+1000); B: t0..t24 (gid LO+3000); listed in strcmp order. */
    want = gr->gr_gid == LO + 1000 ? 50 : 25;
    for (n = 0; gr->gr_mem[n] != NULL; n++) {
        if (sscanf(gr->gr_mem[n], "t%u", &k) != 1 || k >= want || seen[k]) {
            complain("mixed group members", gr->gr_mem[n]);
            return;
        }
        seen[k] = true;
    }
    if (n != want)
        complain("group members cut", gr->gr_name);
}

static void *worker(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg, i;
    char buf[4096], name[16];
    struct passwd pw, *pwr;
    struct group gr, *grr;
    int rc;

    while (!atomic_load(&stop)) {
        i = (unsigned)rand_r(&seed) % 50;
        snprintf(name, sizeof(name), "t%u", i);
        switch (rand_r(&seed) % 4) {
        case 0:
        case 1:
            rc = getpwnam_r(name, &pw, buf, sizeof(buf), &pwr);
            if (rc != 0 || pwr == NULL)
                complain(rc != 0 ? strerror(rc) : "getpwnam_r: no entry", name);
            else
                check_pw(pwr, i);
            break;
        case 2:
            /* by uid: the answer may be of either version, but whole */
            rc = getpwuid_r((rand_r(&seed) % 2 ? LO : LO + 2000) + i, &pw, buf, sizeof(buf), &pwr);
            if (rc != 0)
                complain("getpwuid_r failed", name);
            else if (pwr != NULL)
                check_pw(pwr, i);
            break;
        default:
            rc = getgrnam_r("eks-x", &gr, buf, sizeof(buf), &grr);
            if (rc != 0 || grr == NULL)
                complain(rc != 0 ? strerror(rc) : "getgrnam_r: no entry", "eks-x");
            else
                check_gr(grr);
            break;
        }
        atomic_fetch_add(&lookups, 1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    pthread_t threads[64];
    unsigned long nthreads, i;
    int status = 0;
    pid_t pid;

    if (argc != 5) {
        fprintf(stderr, "usage: nss_threads IDDB_TOOL DB COUNT THREADS\n");
        return 2;
    }
    nthreads = strtoul(argv[4], NULL, 10);
    if (nthreads == 0 || nthreads > 64)
        return 2;
    for (i = 0; i < nthreads; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)(uintptr_t)(i + 1)) != 0)
            return 1;
    pid = fork();
    if (pid == 0) {
        execl(argv[1], argv[1], "rewrite", argv[2], argv[3], (char *)NULL);
        _exit(127);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        status = -1;
    atomic_store(&stop, true);
    for (i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    printf("lookups=%lu bad=%lu sawA=%lu sawB=%lu writer=%d\n", atomic_load(&lookups),
           atomic_load(&bad), atomic_load(&saw_a), atomic_load(&saw_b),
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return (atomic_load(&bad) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
            atomic_load(&saw_a) > 0 && atomic_load(&saw_b) > 0)
               ? 0
               : 1;
}
