/*
 * nss_cancel.c - cancellation through the real glibc (run it where
 * nsswitch.conf names eksauth), as glibc tests its own modules: a thread
 * loops getpwnam_r of a templated name (each such lookup reads /etc/passwd
 * and /etc/group under the module's lock, nss_eksauth/local_files.c, whose
 * fopen and fgets are cancellation points) and is cancelled
 * (deferred) at a random moment, then joined.  The main thread must still
 * look USER up, and fork() must still return (the module's atfork handler
 * takes the same lock), the child looking USER up too.  A module that keeps
 * its lock when a cancellation point inside it acts hangs there: alarm()
 * turns the hang into a failure.
 *
 *   nss_cancel ROUNDS USER TEMPLATED
 * Prints "rounds=N cancelled=N" and exits 0, or says which step hung or
 * failed and exits 1.
 */
#include "config.h"

#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Seconds a round may take: a lookup or fork() blocked on a lock never ends. */
#define ROUND_S 10

static const char *volatile step = "start";
static volatile unsigned long round_no;
static atomic_ulong lookups;

static void on_alarm(int sig)
{
    char digits[24];
    size_t at = sizeof(digits);
    unsigned long n = round_no;

    (void)sig;
    /* Async-signal-safe only: say which round and step hung. */
    do {
        digits[--at] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    (void)!write(2, "nss_cancel: round ", 18);
    (void)!write(2, digits + at, sizeof(digits) - at);
    (void)!write(2, " hung: ", 7);
    (void)!write(2, step, strlen(step));
    (void)!write(2, "\n", 1);
    _exit(1);
}

static void *looper(void *arg)
{
    const char *name = arg;
    struct passwd pw, *res;
    char buf[4096];

    for (;;) {
        (void)getpwnam_r(name, &pw, buf, sizeof(buf), &res);
        atomic_fetch_add(&lookups, 1);
        /* Where the request acts when no point inside the lookups does. */
        pthread_testcancel();
    }
    return NULL;
}

static int found(const char *name)
{
    struct passwd pw, *res;
    char buf[4096];

    return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 && res != NULL &&
           strcmp(res->pw_name, name) == 0;
}

int main(int argc, char **argv)
{
    unsigned long rounds, r, warm, cancelled = 0;
    unsigned seed = (unsigned)getpid();
    struct timespec pause;
    pthread_t t;
    void *ret;
    int status;
    pid_t pid;

    if (argc != 4) {
        fprintf(stderr, "usage: nss_cancel ROUNDS USER TEMPLATED\n");
        return 2;
    }
    rounds = strtoul(argv[1], NULL, 10);
    signal(SIGALRM, on_alarm);
    /* Control: both names resolve before any cancellation. */
    if (!found(argv[2]) || !found(argv[3])) {
        fprintf(stderr, "nss_cancel: %s or %s does not resolve\n", argv[2], argv[3]);
        return 1;
    }
    for (r = 0; r < rounds; r++) {
        round_no = r;
        step = "the thread's first lookups";
        alarm(ROUND_S);
        atomic_store(&lookups, 0);
        if (pthread_create(&t, NULL, looper, argv[3]) != 0)
            return 1;
        /* A lookup or so under way, then a moment anywhere within the next ones. */
        warm = 1 + (unsigned long)(rand_r(&seed) % 3);
        while (atomic_load(&lookups) < warm)
            sched_yield();
        pause.tv_sec = 0;
        pause.tv_nsec = (long)(rand_r(&seed) % 200) * 1000;
        nanosleep(&pause, NULL);
        step = "pthread_join of the cancelled thread";
        if (pthread_cancel(t) != 0 || pthread_join(t, &ret) != 0)
            return 1;
        if (ret == PTHREAD_CANCELED)
            cancelled++;
        step = "a lookup after the cancellation";
        if (!found(argv[2]) || !found(argv[3])) {
            fprintf(stderr, "nss_cancel: round %lu: no answer after the cancellation\n", r);
            return 1;
        }
        step = "fork() after the cancellation";
        pid = fork();
        if (pid == 0) {
            alarm(ROUND_S);
            _exit(found(argv[2]) ? 0 : 1);
        }
        step = "the child's lookup";
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "nss_cancel: round %lu: the child found no %s\n", r, argv[2]);
            return 1;
        }
        alarm(0);
    }
    printf("rounds=%lu cancelled=%lu\n", rounds, cancelled);
    return cancelled == rounds ? 0 : 1;
}
