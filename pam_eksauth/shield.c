/*
 * shield.c - the caller of a setuid program kept from freezing a login
 * while it holds a lock every other login and the sync wait for (see
 * pam_eksauth.h, struct pe_shield).
 *
 * sudo and su are setuid: their real uid is the caller's, so the caller
 * may signal them (kill(2) lets a sender whose uid is the target's real
 * uid), and a terminal's Ctrl-Z stops the foreground job without any
 * permission check.  A login stopped while it holds the identity DB's
 * writer lock (its record, the sync's own lock) hangs every eksauth login
 * on the host and every `eksauth sync`, so no revocation reaches the host
 * for as long as the caller keeps it stopped
 * (tests/hardening/frozen_login.sh).  While raised, the shield makes the
 * real uid root's (the effective and saved uids already are), so the
 * caller's SIGSTOP is refused, and holds the terminal's stop signals
 * (SIGTSTP, SIGTTIN, SIGTTOU) pending until it is lowered.  Nothing else
 * changes: the effective uid, the groups and the dumpable flag stay as
 * they were, and lowering puts the real uid and the mask back.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <linux/capability.h>
#include <sys/syscall.h>

#include <security/pam_ext.h>

#include "pam_eksauth.h"

/*
 * Whether CAP_SETUID is in the effective set.  Without it a setuid root
 * program may still make its real uid root's (the effective uid is root's),
 * but may not put the caller's back (setresuid(2)): a bounding set without
 * it (a container's --cap-drop SETUID, systemd's CapabilityBoundingSet).
 */
static bool may_restore_ruid(void)
{
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

    memset(d, 0, sizeof(d));
    if (syscall(SYS_capget, &h, d) != 0)
        return false;
    return (d[CAP_TO_INDEX(CAP_SETUID)].effective & CAP_TO_MASK(CAP_SETUID)) != 0;
}

void pe_shield_raise(pam_handle_t *pamh, struct pe_shield *s)
{
    uid_t ruid = getuid();
    const char *why;
    sigset_t stops;

    memset(s, 0, sizeof(*s));
    sigemptyset(&stops);
    sigaddset(&stops, SIGTSTP);
    sigaddset(&stops, SIGTTIN);
    sigaddset(&stops, SIGTTOU);
    s->masked = pthread_sigmask(SIG_BLOCK, &stops, &s->old_mask) == 0;
    /* Only a setuid root program run by someone else: sshd's and cron's real uid is root's. */
    if (ruid == 0 || geteuid() != 0)
        return;
    /* A real uid that could not be given back would fail every such login: none taken then. */
    if (!may_restore_ruid()) {
        why = "no CAP_SETUID to give the caller's real uid back";
    } else if (setresuid(0, (uid_t)-1, (uid_t)-1) != 0) {
        why = strerror(errno);
    } else {
        s->ruid = ruid;
        s->pinned = true;
        return;
    }
    /* Without CAP_SETUID (a container): the login goes on as before, and the log says so. */
    pam_syslog(pamh, LOG_WARNING,
               "cannot hold the caller off the login's locks: %s; a caller that stops this "
               "process while it holds one holds up every eksauth login",
               why);
}

bool pe_shield_lower(pam_handle_t *pamh, struct pe_shield *s)
{
    bool ok = true;

    /* The caller's own real uid again: the program (sudo, su) goes on as that user. */
    if (s->pinned && setresuid(s->ruid, (uid_t)-1, (uid_t)-1) != 0) {
        pam_syslog(pamh, LOG_CRIT, "cannot restore the real uid %u: setresuid: %s",
                   (unsigned)s->ruid, strerror(errno));
        ok = false;
    }
    s->pinned = false;
    /* Held stop signals are delivered now, with no lock held. */
    if (s->masked)
        (void)pthread_sigmask(SIG_SETMASK, &s->old_mask, NULL);
    s->masked = false;
    return ok;
}
