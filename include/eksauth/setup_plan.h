/*
 * setup_plan.h - `eksauth setup` and `eksauth setup --undo` on a host (or
 * a root laid out like one): eksauth_setup_plan reads the files of
 * setup.h and decides, with its pure edits, what becomes of each;
 * eksauth_setup_apply writes (atomically, file by file).  A file that
 * cannot be changed safely (a pam_eksauth line setup did not write, a
 * drop-in with other content, a sudo.conf that sets another group_source,
 * a symbolic link; under --root, any symbolic link on the way to a file
 * it reads or writes) fails the plan before anything is written, with a
 * message naming the file and the way out.  A write that fails (a full or
 * read-only file system) stops apply there: each file's outcome says
 * whether it was written, and the plan of a second run is what is left.
 */
#ifndef EKSAUTH_SETUP_PLAN_H
#define EKSAUTH_SETUP_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "eksauth/paths.h"
#include "eksauth/status.h"

#define EKSAUTH_SETUP_FILES 6

enum eksauth_setup_action {
    EKSAUTH_SETUP_UNCHANGED, /* already as setup (or --undo) leaves it */
    EKSAUTH_SETUP_WRITE,     /* written with text */
    EKSAUTH_SETUP_REMOVE,    /* removed (--undo) */
    EKSAUTH_SETUP_SKIP,      /* left alone; note says why */
};

/* What eksauth_setup_apply did with a file to write or remove. */
enum eksauth_setup_outcome {
    EKSAUTH_SETUP_NOT_TRIED, /* not applied (yet): apply stopped at another file's failure */
    EKSAUTH_SETUP_DONE,      /* written or removed */
    EKSAUTH_SETUP_FAILED,    /* its write or removal failed: apply's error is this file's */
};

struct eksauth_setup_file {
    const char *name;            /* "/etc/pam.d/sshd": as on the host, without the root */
    char path[EKSAUTH_PATH_MAX]; /* root + name */
    const char *what;            /* what setup keeps there, for the report */
    enum eksauth_setup_action action;
    char *text; /* WRITE: the new content */
    size_t len;
    mode_t mode;
    char note[EKSAUTH_ERROR_MAX];       /* SKIP: why; otherwise a warning, or "" */
    enum eksauth_setup_outcome outcome; /* WRITE, REMOVE: set by eksauth_setup_apply */
    /*
     * An earlier setup's name for a file now kept elsewhere (the sshd
     * drop-in's before 40-eksauth.conf): only ever removed, and nothing to
     * report when it is not there (UNCHANGED).
     */
    bool legacy;
    /*
     * /etc/nsswitch.conf as a symbolic link (authselect's): the file it
     * points to, as on the host (its text is what was read), else "".
     * Never written through: a change to it is refused, or left by --undo.
     */
    char link_target[EKSAUTH_PATH_MAX];
};

struct eksauth_setup_plan {
    struct eksauth_setup_file files[EKSAUTH_SETUP_FILES];
    size_t n;
    bool undo; /* the plan of --undo (apply goes in the other order) */
};

struct eksauth_setup_options {
    const char *root; /* NULL or "/": this host; else a tree laid out like it (an image) */
    bool undo;
    /*
     * The group the sudoers file names (eksauth_setup_sudo_group), or NULL:
     * no sudoers file, for the reason in sudo_skip.  --undo needs neither.
     */
    const char *sudo_group;
    const char *sudo_skip;
    /* The group of every login (eksauth_setup_users_group): the sshd Match block's; not for --undo.
     */
    const char *users_group;
};

/*
 * Whether root (NULL, "" or "/": this host) is an absolute path; else
 * EKSAUTH_EINVAL saying so.  Why: a relative one is taken against the
 * current folder, not /.  eksauth_setup_plan checks it; `eksauth setup`
 * before it reads any file (the config's first).
 */
enum eksauth_status eksauth_setup_check_root(const char *root, struct eksauth_error *err);

/*
 * What goes before a host path for root: "" for this host (NULL, "" or
 * "/"), else root itself, so that "/" + "/etc" is never "//etc".
 */
const char *eksauth_setup_root_prefix(const char *root);

/* Read the files and decide; EKSAUTH_EINVAL (a conflict) leaves plan empty. */
enum eksauth_status eksauth_setup_plan(const struct eksauth_setup_options *o,
                                       struct eksauth_setup_plan *plan, struct eksauth_error *err);

/*
 * Write and remove what the plan says, file by file (each one atomically),
 * setting each one's outcome.  The first failure stops it, with the
 * reason in err: the files before it are done, the rest not tried.  The
 * order is not the plan's: setup writes the sshd drop-in, which holds
 * eksauth logins to a token, then removes an earlier setup's drop-in of
 * the old name, before the PAM lines and nsswitch.conf that let them in,
 * and --undo takes those out first; so a run stopped halfway never lets an
 * eksauth user in without a drop-in's Match block.
 */
enum eksauth_status eksauth_setup_apply(struct eksauth_setup_plan *plan, struct eksauth_error *err);

void eksauth_setup_plan_free(struct eksauth_setup_plan *plan);

/*
 * Under --root DIR (root; NULL, "" or "/": this host, nothing checked):
 * whether DIR + name (a host path, "/etc/ssh/sshd_config") is reached
 * through no symbolic link below DIR, its last part too when leaf.  Why:
 * this host's kernel resolves a link in the image, an absolute one against
 * this host's /, so setup would read or write the host's files.  A part
 * that is not there ends the walk (nothing past it to follow); a ".." part
 * is refused (it could climb out of DIR).  EKSAUTH_EINVAL naming the link
 * and its target, the same words as setup's other refusals of one.
 * Checked, then used by path: see SECURITY.md on what that leaves.
 */
enum eksauth_status eksauth_setup_check_under_root(const char *root, const char *name, bool leaf,
                                                   struct eksauth_error *err);

#endif
