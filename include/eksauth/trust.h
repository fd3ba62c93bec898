/*
 * trust.h - whether a file eksauth reads as root may be trusted.  Whoever
 * can write the config, aws-auth or the identity DB, or put another file in
 * its place, chooses who logs in as whom; so one rule decides for every
 * reader (config loading, PAM, sync) and for `eksauth doctor`, which can
 * then never disagree with them.  libc only: the NSS module compiles it in.
 *
 * The rule: the file is a regular file, owned by root and not writable by
 * group or others; its folder is owned by root and not writable by group or
 * others unless the sticky bit is set (in a sticky folder only root, the
 * folder's owner and the file's owner may rename or remove the file, and
 * the rule makes all three root).  Only the file's own folder is judged.
 *
 * A refusal is EKSAUTH_EINVAL with "<where>: <problem>; run: <fix>", where
 * is the file or its folder, e.g.
 *   /etc/eksauth/aws-auth.yaml: is writable by group or others (mode 0666);
 *   run: chmod go-w /etc/eksauth/aws-auth.yaml
 */
#ifndef EKSAUTH_TRUST_H
#define EKSAUTH_TRUST_H

#include <stdbool.h>

#include "eksauth/status.h"

struct stat;

/* A refusal in its parts (eksauth doctor shows them as a finding and its fix). */
struct eksauth_trust_verdict {
    char where[EKSAUTH_ERROR_MAX];   /* the file, or its folder */
    char problem[EKSAUTH_ERROR_MAX]; /* what is wrong: owner uid, mode in octal */
    char fix[EKSAUTH_ERROR_MAX];     /* the command that fixes it; "" when there is none */
};

/*
 * Whether a file eksauth reads as root may be trusted: whoever can write it
 * chooses who logs in as whom.
 */
enum eksauth_status eksauth_trust_check(const char *path, const struct stat *file,
                                        const struct stat *folder, struct eksauth_error *err);

/*
 * The same for path as it was opened, file being its descriptor's fstat
 * (what the reader goes on to use, never the path again): stat of path's
 * folder.  EKSAUTH_EIO when the folder cannot be stat()ed.
 */
enum eksauth_status eksauth_trust_check_opened(const char *path, const struct stat *file,
                                               struct eksauth_error *err);

/*
 * The folder's half of the rule alone, as a reader judges it: a file in a
 * folder the rule refuses is one no reader will trust (a sticky one others
 * may write passes).  EKSAUTH_OK when the folder does not exist (the writer
 * creates it); EKSAUTH_EIO when it cannot be stat()ed.
 */
enum eksauth_status eksauth_trust_check_folder(const char *path, struct eksauth_error *err);

/*
 * The same for a writer before it puts path there, stricter: a sticky
 * folder others may write is refused too, as the writer keeps its lock
 * there (trust.c says why).
 */
enum eksauth_status eksauth_trust_check_writer_folder(const char *path, struct eksauth_error *err);

/*
 * eksauth_trust_check's verdict in parts: true when the file may be trusted
 * (v is then all ""), else false with v filled.  path names the file in the
 * messages; its folder is the part before the last '/' ("." without one).
 */
bool eksauth_trust_explain(const char *path, const struct stat *file, const struct stat *folder,
                           struct eksauth_trust_verdict *v);

#endif
