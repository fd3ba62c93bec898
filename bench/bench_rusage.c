/*
 * bench_rusage.c - run a command once and print what it cost, for row 5 of
 * `make bench` (eksauth sync vs parsing alone):
 *
 *   bench_rusage CMD [ARG...]   ->   "WALL_MS CPU_MS MAXRSS_KB" on stdout
 *
 * Wall time from fork to wait4, CPU time (user + system) and peak resident
 * set (ru_maxrss) of the child, from wait4.  The command's own output goes
 * to /dev/null; exit 1 when it fails, 2 on a usage error.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

int main(int argc, char **argv)
{
    struct rusage ru;
    double t0, wall;
    int status, fd;
    pid_t pid;

    if (argc < 2) {
        fprintf(stderr, "usage: bench_rusage CMD [ARG...]\n");
        return 2;
    }
    t0 = bench_wall_ns();
    pid = fork();
    if (pid < 0) {
        perror("bench_rusage: fork");
        return 2;
    }
    if (pid == 0) {
        fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        execvp(argv[1], argv + 1);
        perror("bench_rusage: exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("bench_rusage: wait4");
        return 2;
    }
    wall = (bench_wall_ns() - t0) / 1e6;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_rusage: %s failed (status %d)\n", argv[1], status);
        return 1;
    }
    printf("%.2f %.2f %ld\n", wall,
           (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
               (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3,
           ru.ru_maxrss);
    return 0;
}
