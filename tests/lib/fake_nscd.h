/*
 * fake_nscd.h - a stand-in for nscd's socket (tests of lib/nscd.c and of
 * the DB writer that calls it): a child process that takes each request
 * on a Unix socket, notes it in a file, and answers as asked.
 */
#ifndef EKSAUTH_TEST_FAKE_NSCD_H
#define EKSAUTH_TEST_FAKE_NSCD_H

#include <stdint.h>
#include <sys/types.h>

enum fake_nscd_answer {
    FAKE_NSCD_DONE,   /* answers 0 */
    FAKE_NSCD_REFUSE, /* answers -1 */
    FAKE_NSCD_CLOSE,  /* closes without an answer (older nscd) */
    FAKE_NSCD_HANGUP, /* closes before reading the request (nscd going away) */
    FAKE_NSCD_SILENT, /* reads and notes the first request, then never answers (nscd stuck) */
};

struct fake_nscd {
    pid_t pid;
    char log[512]; /* one line per request: "VERSION TYPE KEY" */
};

/*
 * Listen on socket_path (made here; its folder must exist) and serve
 * `requests` connections in a child, each answered as `answer`; the log
 * is socket_path + ".log".  0, or -1 when the socket cannot be made.
 */
int fake_nscd_start(struct fake_nscd *f, const char *socket_path, unsigned requests,
                    enum fake_nscd_answer answer);

/*
 * fake_nscd_start, and the child makes the file touch (when not there) as
 * each request comes, before it answers: what a login that records itself
 * and cannot drop the caches meanwhile leaves (lib/iddb_record.c).
 */
int fake_nscd_start_touching(struct fake_nscd *f, const char *socket_path, unsigned requests,
                             enum fake_nscd_answer answer, const char *touch);

/*
 * Wait until the child has noted a request (up to 5 s): a client it keeps
 * waiting (FAKE_NSCD_SILENT) is then past its write and waiting for the
 * answer.  0, or -1 when none came.
 */
int fake_nscd_wait_request(const struct fake_nscd *f);

/*
 * Wait for the child (it is killed first when kill_it: fewer requests
 * came than it waits for) and read its log into buf (NUL-terminated).
 */
void fake_nscd_stop(struct fake_nscd *f, int kill_it, char *buf, size_t buflen);

/*
 * Run fn(arg) in a child process with a mount namespace of its own, where
 * a tmpfs is over /run with an empty /run/nscd (nothing on this host sees
 * the socket made there): fn's return is the child's exit code, 99 when
 * the namespace could not be made.  The exit code, or -1 when the child
 * did not exit (a crash).
 */
int fake_nscd_in_namespace(int (*fn)(void *), void *arg);

#endif
