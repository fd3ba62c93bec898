/*
 * nscd.h - tell a name service cache daemon (glibc's nscd, or unscd: both
 * listen on the same socket and take the same requests) that the identity
 * DB changed, so it drops what it cached from it (lib/nscd.c).
 *
 * glibc asks nscd before any source of nsswitch.conf, and nscd watches
 * /etc/passwd and /etc/group only: without this, a user or group a sync
 * removed would stay known for nscd's positive-time-to-live (Debian's
 * nscd.conf: 600 s for passwd, 3600 s for group, which also holds
 * initgroups), and sudo's group rules would go on matching.
 */
#ifndef EKSAUTH_NSCD_H
#define EKSAUTH_NSCD_H

#include "eksauth/status.h"

/* Where glibc's client, nscd -i and unscd find the daemon (glibc's _PATH_NSCDSOCKET). */
#define EKSAUTH_NSCD_SOCKET "/var/run/nscd/socket"

/*
 * Ask the daemon at socket_path to invalidate its passwd cache, then its
 * group cache (what `nscd -i passwd` and `nscd -i group` ask), each on its own
 * connection, waiting up to 5 seconds for each answer.  EKSAUTH_OK when
 * both were dropped, and when no daemon listens there (nothing to drop);
 * EKSAUTH_EIO, naming the caches and the commands that drop them by hand,
 * when one listens but refuses or does not answer.  A daemon that closes
 * the connection without an answer counts as done, as `nscd -i` counts it
 * (unscd always does so); glibc's nscd does so too for a caller that is
 * not root, whose request it ignores: only root's writers count.
 */
enum eksauth_status eksauth_nscd_invalidate(const char *socket_path, struct eksauth_error *err);

/*
 * Leave the mark at mark_path (EKSAUTH_NSCD_PENDING_NAME beside the DB,
 * paths.h) that nscd's caches are owed a drop: a writer whose drop failed
 * leaves it, and the next sync, or the watch at a stream's end, asks nscd
 * again and removes it (lib/sync.c).  An empty file, private, never
 * through a link.  EKSAUTH_EIO, naming the file, when it cannot be made.
 */
enum eksauth_status eksauth_nscd_owe(const char *mark_path, struct eksauth_error *err);

#endif
