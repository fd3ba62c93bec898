/*
 * bench_dlopen.c - row 4's module load: what loading a PAM module costs a
 * process that has not loaded it yet, as cron, su, sudo and each new sshd
 * connection are (libpam dlopens every module of the stack with RTLD_NOW):
 *
 *   bench_dlopen OURS THEIRS N
 *
 * N rounds; in each, a new child per module (turn about) opens it and reports
 * the wall time of the dlopen and the private and resident memory it added
 * (/proc/self/smaps_rollup).  This program links libpam and nothing else, so
 * every library the module needs (libcurl and its own, for pam_eksauth) is
 * loaded by the measured dlopen, as in those hosts.  Prints ROW lines
 * (bench/common.h); exit 1 when a child fails.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "common.h"

struct load_cost {
    double ms, private_kib, rss_kib;
};

/* Private_Dirty and Rss of this process, KiB; false when unreadable. */
static bool rollup(double *private_kib, double *rss_kib)
{
    char line[256];
    long v;
    int found = 0;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");

    if (f == NULL)
        return false;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Private_Dirty: %ld kB", &v) == 1) {
            *private_kib = (double)v;
            found++;
        } else if (sscanf(line, "Rss: %ld kB", &v) == 1) {
            *rss_kib = (double)v;
            found++;
        }
    }
    fclose(f);
    return found == 2;
}

/* In the child: open path once, write its load_cost to fd. */
static int measure(const char *path, int fd)
{
    struct load_cost c, before;
    double t0;
    void *h;

    if (!rollup(&before.private_kib, &before.rss_kib))
        return 1;
    t0 = bench_wall_ns();
    h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    c.ms = (bench_wall_ns() - t0) / 1e6;
    if (h == NULL) {
        fprintf(stderr, "bench_dlopen: %s: %s\n", path, dlerror());
        return 1;
    }
    if (!rollup(&c.private_kib, &c.rss_kib))
        return 1;
    c.private_kib -= before.private_kib;
    c.rss_kib -= before.rss_kib;
    return write(fd, &c, sizeof(c)) == (ssize_t)sizeof(c) ? 0 : 1;
}

/* One child opening path: its figures in *out; 0 on success. */
static int one_load(const char *path, struct load_cost *out)
{
    int fds[2], status;
    ssize_t got;
    pid_t pid;

    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(measure(path, fds[1]));
    }
    close(fds[1]);
    got = pid > 0 ? read(fds[0], out, sizeof(*out)) : -1;
    close(fds[0]);
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0 || got != (ssize_t)sizeof(*out))
        return -1;
    return 0;
}

int main(int argc, char **argv)
{
    const char *path[2];
    double *v[2][3] = {{NULL}};
    struct load_cost c;
    int n, i, k, j, rc = 1;

    if (argc != 4 || (n = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: bench_dlopen OURS THEIRS N\n");
        return 2;
    }
    /* libpam is loaded in those hosts before any module: a call keeps it linked here. */
    if (pam_strerror(NULL, PAM_SUCCESS) == NULL)
        return 2;
    path[0] = argv[1];
    path[1] = argv[2];
    for (k = 0; k < 2; k++)
        for (j = 0; j < 3; j++)
            if ((v[k][j] = calloc((size_t)n, sizeof(double))) == NULL)
                goto out;
    for (i = 0; i < n; i++) {
        /* Turn about: neither always runs right after the other. */
        for (j = 0; j < 2; j++) {
            k = (i + j) % 2;
            if (one_load(path[k], &c) != 0) {
                fprintf(stderr, "bench_dlopen: loading %s failed\n", path[k]);
                goto out;
            }
            v[k][0][i] = c.ms;
            v[k][1][i] = c.private_kib;
            v[k][2][i] = c.rss_kib;
        }
    }
    bench_row("4",
              "  loading the module in a new process (as cron, su, a new ssh connection) vs "
              "pam_unix.so, ms",
              bench_median(v[0][0], (size_t)n), bench_median(v[1][0], (size_t)n), "-", -1, 3);
    bench_row("4",
              "    private memory it adds there (kept while an ssh session lasts) vs "
              "pam_unix.so, KiB",
              bench_median(v[0][1], (size_t)n), bench_median(v[1][1], (size_t)n), "-", -1, 0);
    bench_row("4",
              "    resident memory it adds there (mostly shared library pages) vs "
              "pam_unix.so, KiB",
              bench_median(v[0][2], (size_t)n), bench_median(v[1][2], (size_t)n), "-", -1, 0);
    rc = 0;
out:
    for (k = 0; k < 2; k++)
        for (j = 0; j < 3; j++)
            free(v[k][j]);
    return rc;
}
