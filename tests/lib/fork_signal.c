/*
 * fork_signal.c - LD_PRELOAD'd into eksauth by tests/e2e/askpass.sh: the
 * first fork() raises SIGTERM just before it forks (FORK_SIGNAL=parent) or
 * in the child just after (FORK_SIGNAL=child), the moments that
 * tools/cmd_ssh.c's run_and_wait must not lose a SIGTERM at and that no
 * timing from outside can hit.  FORK_SIGNAL is unset first, so the
 * programs run after it (ssh, askpass) fork as ever.
 */
#include "config.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

pid_t fork(void)
{
    pid_t (*real_fork)(void) = (pid_t(*)(void))dlsym(RTLD_NEXT, "fork");
    const char *when = getenv("FORK_SIGNAL");
    int parent = when != NULL && strcmp(when, "parent") == 0;
    int child = when != NULL && strcmp(when, "child") == 0;
    pid_t pid;

    if (when != NULL)
        unsetenv("FORK_SIGNAL");
    if (parent)
        raise(SIGTERM);
    pid = real_fork();
    if (pid == 0 && child)
        raise(SIGTERM);
    return pid;
}
