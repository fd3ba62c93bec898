/*
 * fake_nscd.c - see fake_nscd.h.  The request is glibc's: three int32
 * (version, type, key length), then the key.
 */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_nscd.h"

static void serve_one(int cfd, FILE *log, enum fake_nscd_answer answer)
{
    int32_t head[3], reply = answer == FAKE_NSCD_REFUSE ? -1 : 0;
    char key[1025];
    ssize_t n;

    memset(key, 0, sizeof(key));
    if (read(cfd, head, sizeof(head)) != (ssize_t)sizeof(head) || head[2] < 0 || head[2] > 1024)
        return;
    n = read(cfd, key, (size_t)head[2]);
    /* The key as sent; its last byte must be its NUL. */
    fprintf(log, "%d %d %s%s\n", head[0], head[1], key,
            n == head[2] && n > 0 && key[n - 1] == '\0' ? "" : " (no NUL)");
    fflush(log);
    /* Stuck: until fake_nscd_stop kills it. */
    while (answer == FAKE_NSCD_SILENT)
        pause();
    if (answer != FAKE_NSCD_CLOSE && write(cfd, &reply, sizeof(reply)) != (ssize_t)sizeof(reply))
        fprintf(log, "answer not sent\n");
}

int fake_nscd_start(struct fake_nscd *f, const char *socket_path, unsigned requests,
                    enum fake_nscd_answer answer)
{
    return fake_nscd_start_touching(f, socket_path, requests, answer, NULL);
}

int fake_nscd_start_touching(struct fake_nscd *f, const char *socket_path, unsigned requests,
                             enum fake_nscd_answer answer, const char *touch)
{
    struct sockaddr_un sa;
    FILE *log;
    unsigned i;
    int fd, cfd, tfd;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(socket_path) >= sizeof(sa.sun_path))
        return -1;
    memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
    snprintf(f->log, sizeof(f->log), "%s.log", socket_path);
    unlink(socket_path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0)
        return -1;
    log = fopen(f->log, "w");
    if (log == NULL)
        return -1;
    f->pid = fork();
    if (f->pid < 0)
        return -1;
    if (f->pid == 0) {
        /* Gone with the test, whatever kills it. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (i = 0; i < requests; i++) {
            cfd = accept(fd, NULL, NULL);
            if (cfd < 0)
                _exit(1);
            if (touch != NULL && (tfd = open(touch, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
                close(tfd);
            if (answer != FAKE_NSCD_HANGUP)
                serve_one(cfd, log, answer);
            close(cfd);
        }
        _exit(0);
    }
    fclose(log);
    close(fd);
    return 0;
}

int fake_nscd_wait_request(const struct fake_nscd *f)
{
    struct stat sb;
    int i;

    for (i = 0; i < 500; i++) {
        if (stat(f->log, &sb) == 0 && sb.st_size > 0)
            return 0;
        usleep(10000);
    }
    return -1;
}

void fake_nscd_stop(struct fake_nscd *f, int kill_it, char *buf, size_t buflen)
{
    FILE *log;
    size_t n = 0;

    if (kill_it)
        kill(f->pid, SIGKILL);
    (void)waitpid(f->pid, NULL, 0);
    log = fopen(f->log, "r");
    if (log != NULL) {
        n = fread(buf, 1, buflen - 1, log);
        fclose(log);
    }
    buf[n] = '\0';
}

int fake_nscd_in_namespace(int (*fn)(void *), void *arg)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
            mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0 || mkdir("/run/nscd", 0755) != 0)
            _exit(99);
        _exit(fn(arg));
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}
