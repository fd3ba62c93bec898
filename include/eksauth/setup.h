/*
 * setup.h - the host files of README.md's "Setting up a bastion" (steps 4
 * to 7) that `eksauth setup` writes and `eksauth setup --undo` takes back:
 *
 *   /etc/nsswitch.conf                   eksauth after files on passwd: and group:
 *                                        (and initgroups:, if there is one)
 *                                        (before an [action] that would end the
 *                                        lookup first)
 *   /etc/pam.d/sshd                      pam_eksauth before common-auth and
 *                                        common-account (or AL2023's account
 *                                        include, after pam_nologin;
 *                                        require_token=sshd), and
 *                                        in the session after every pam_env line,
 *                                        with pam_mkhomedir
 *   /etc/ssh/sshd_config.d/40-eksauth.conf
 *                                        UsePAM, KbdInteractiveAuthentication, and
 *                                        a Match Group block for the group of
 *                                        every login: keyboard-interactive only,
 *                                        no key, no host-based login (refused
 *                                        when sshd_config does not include it);
 *                                        40- sorts before the distributions'
 *                                        drop-ins (50-redhat.conf), and the
 *                                        eksauth.conf of an earlier setup is
 *                                        removed
 *   /etc/sudoers.d/eksauth               sudo for the POSIX group of system:masters
 *   /etc/sudo.conf                       Set group_source dynamic: sudo asks NSS
 *                                        for the groups at every use
 *
 * Every PAM line carries module_unknown=ignore (or is optional), so a host
 * whose module is gone (the package removed, a bad build) still lets its
 * local accounts in.  Each block setup adds to a file it shares with others
 * starts with EKSAUTH_SETUP_MARK, and --undo takes out exactly those
 * blocks; the files of its own it removes only while they hold what setup
 * wrote (this version's text or an earlier one's).  Running either twice
 * changes nothing the second time.
 *
 * These functions are pure: a file's text in, its new text out.
 * setup_plan.h reads the files, decides with them and writes.
 */
#ifndef EKSAUTH_SETUP_H
#define EKSAUTH_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/config.h"
#include "eksauth/names.h"
#include "eksauth/status.h"

/* How deep setup and doctor follow nested @include, Include and #includedir files. */
#define EKSAUTH_SETUP_INCLUDE_DEPTH 8

/* The line in front of every block setup adds to a shared file. */
#define EKSAUTH_SETUP_MARK "# added by eksauth setup; eksauth setup --undo takes these lines out"

/* The PAM lines of README.md step 5: each survives a missing module. */
#define EKSAUTH_SETUP_PAM_AUTH                                                                     \
    "auth    [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so "       \
    "ignore_unknown_user"
/* require_token=sshd: an eksauth user passes sshd's account stage only after a token. */
#define EKSAUTH_SETUP_PAM_ACCOUNT                                                                  \
    "account [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so "       \
    "ignore_unknown_user require_token=sshd"
#define EKSAUTH_SETUP_PAM_SESSION   "session optional pam_eksauth.so"
#define EKSAUTH_SETUP_PAM_MKHOMEDIR "session optional pam_mkhomedir.so umask=0077"

/* The line of /etc/sudo.conf: sudo reads the groups from NSS (the identity DB) at every use. */
#define EKSAUTH_SETUP_GROUP_SOURCE "Set group_source dynamic"

/* One file's text in, its new text out (malloc'd; NUL-terminated). */

/*
 * eksauth right after files (else compat) on passwd:, group: and (when the
 * file has one) initgroups:, and after an [action] of theirs unless that
 * action ends the lookup at NOTFOUND (eksauth would never be asked): then
 * in front of it.  An eksauth that
 * would not be asked is moved there.  EKSAUTH_EINVAL when a line lists
 * neither files nor compat.  undo: out again (an action setup put it in
 * front of stays).
 */
enum eksauth_status eksauth_setup_nsswitch(const char *text, bool undo, char **out,
                                           struct eksauth_error *err);

/*
 * Whether an nsswitch.conf [action] item (item, len bytes, with its
 * brackets) ends the lookup when the service before it answers NOTFOUND:
 * NOTFOUND=return, or !STATUS=return for another STATUS (the last item
 * for a status wins; NOTFOUND's default is continue).  A service after it
 * is then never asked for a name the one before does not have.
 */
bool eksauth_setup_nss_action_stops(const char *item, size_t len);

/*
 * /etc/pam.d/sshd: setup's blocks in front of `@include common-auth`
 * (else the first auth line) and `@include common-account` (else the
 * first `account include|substack` line, as on AL2023, else right after
 * the last pam_nologin line, else the first account line), so that the
 * account line's success=done skips no pam_nologin; and in the session
 * after `@include common-session` (else the last session line) and after
 * the last pam_env line, so that no pam_env (user_readenv=1: the user's
 * ~/.pam_environment) runs after pam_eksauth has set EKS_* (pam_mkhomedir
 * only when the file has none of its own).  Blocks an earlier setup wrote
 * are moved to where this one puts them.  EKSAUTH_EINVAL when another line
 * names pam_eksauth.so, the file has no auth or account line, or a
 * pam_nologin line comes after the account stack.  undo: the blocks out;
 * *foreign (may be NULL) gets the number of the first line still naming
 * pam_eksauth.so, or 0.
 */
enum eksauth_status eksauth_setup_pam_sshd(const char *text, bool undo, char **out,
                                           unsigned *foreign, struct eksauth_error *err);

/*
 * The text of /etc/ssh/sshd_config.d/40-eksauth.conf for the group of
 * every login (malloc'd), and whether text is one that setup wrote (this
 * version's for any group, or an earlier version's, which it wrote as
 * /etc/ssh/sshd_config.d/eksauth.conf).
 */
char *eksauth_setup_sshd_dropin(const char *users_group);
bool eksauth_setup_sshd_dropin_is_ours(const char *text);

/*
 * The index-th (from 0) argument of the Include lines of sshd_config text
 * that hold for every login (before any Match line), as the path pattern
 * sshd globs (a relative one is in /etc/ssh): into pattern; false when
 * there are not that many.  setup_plan.c follows them to see that sshd
 * reads the drop-in.
 */
bool eksauth_setup_sshd_include(const char *text, size_t index, char *pattern, size_t size);

/*
 * /etc/sudo.conf (text NULL: there is none): EKSAUTH_SETUP_GROUP_SOURCE in
 * a block of setup's at the end (sudo takes the last Set of a variable),
 * in a file of setup's own when there was none; unchanged when a line of
 * the operator's already sets group_source dynamic.  EKSAUTH_EINVAL when
 * one sets another source.  undo: the block out; *out NULL when the whole
 * file was setup's (remove it).
 */
enum eksauth_status eksauth_setup_sudo_conf(const char *text, bool undo, char **out,
                                            struct eksauth_error *err);

/*
 * The group_source a sudo.conf text sets: the value of its last "Set
 * group_source" line (sudo takes the last) into value, and that line's
 * number; false when no line sets it (sudo's default, adaptive).
 */
bool eksauth_setup_sudo_group_source(const char *text, char *value, size_t n, unsigned *line);

/*
 * Modules that limit who logs in at the account stage (pam_access,
 * pam_time, pam_succeed_if, pam_listfile, ...): what the one named module
 * (its file name, "pam_access.so") reads, as a message names it
 * ("/etc/security/access.conf"), or NULL when it is none of them.  After
 * pam_eksauth's account line, whose success=done ends the stack, they do
 * not apply to eksauth users: setup says so, doctor warns.
 */
const char *eksauth_setup_account_gate(const char *module);

/*
 * The account gates (eksauth_setup_account_gate) among the account lines
 * of a PAM file's text, under a control whose refusal stops the login
 * (required, requisite, or bad or die for perm_denied or auth_err): from
 * the line after setup's account line when after_setup (the stack that
 * line skips), else from the start.  Each one's name without ".so" goes
 * into names (n bytes, ", " between, each once; what does not fit is left
 * out), each file an @include or an account include/substack line names to
 * each_include (setup_plan.c reads it and calls this again on it).
 */
void eksauth_setup_pam_gates(const char *text, bool after_setup, char *names, size_t n,
                             void (*each_include)(const char *file, void *arg), void *arg);

/* Whether a line of text (not a comment) names pam_eksauth.so. */
bool eksauth_setup_runs_pam_eksauth(const char *text);

/* The text of /etc/sudoers.d/eksauth for group (malloc'd), and whether text is one of them. */
char *eksauth_setup_sudoers(const char *group);
bool eksauth_setup_sudoers_is_ours(const char *text);

/*
 * The POSIX group system:masters becomes under cfg (group_prefix): out.
 * EKSAUTH_ENOTFOUND when group_map sends system:masters to a group of the
 * host's own (its sudo rules are the host's: setup writes none), with the
 * reason in err.
 */
enum eksauth_status eksauth_setup_sudo_group(const struct eksauth_config *cfg,
                                             char out[EKSAUTH_NAME_MAX + 1],
                                             struct eksauth_error *err);

/* The group every login is in (config users_group, else group_prefix + "users"): out. */
void eksauth_setup_users_group(const struct eksauth_config *cfg, char out[EKSAUTH_NAME_MAX + 1]);

#endif
