/*
 * setup_plan.c - `eksauth setup` on a host (see setup_plan.h): read each
 * file, decide with the pure edits of setup.c what becomes of it (all
 * files before any is written: a conflict stops every change), and write
 * the plan, each file atomically.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/setup.h"
#include "eksauth/setup_plan.h"

#define TEXT_MAX (1024 * 1024) /* a host file setup edits: far below this */

enum file_kind {
    KIND_NSSWITCH,
    KIND_PAM_SSHD,
    KIND_SSHD_DROPIN,
    KIND_SUDOERS,
    KIND_SUDO_CONF,
    KIND_SSHD_DROPIN_OLD,
};

static const struct {
    const char *name;
    enum file_kind kind;
    const char *what;
} setup_files[EKSAUTH_SETUP_FILES] = {
    {"/etc/nsswitch.conf", KIND_NSSWITCH,
     "eksauth after files on passwd: and group: (and initgroups:, if there is one)"},
    {"/etc/pam.d/sshd", KIND_PAM_SSHD,
     "pam_eksauth before common-auth and common-account (or the first auth line and the account "
     "include, after pam_nologin; require_token=sshd); in the session, pam_eksauth after every "
     "pam_env, and pam_mkhomedir"},
    {"/etc/ssh/sshd_config.d/40-eksauth.conf", KIND_SSHD_DROPIN,
     "UsePAM yes, KbdInteractiveAuthentication yes; eksauth logins keyboard-interactive only, no "
     "keys"},
    {"/etc/sudoers.d/eksauth", KIND_SUDOERS, "sudo for the group of system:masters"},
    {"/etc/sudo.conf", KIND_SUDO_CONF, "Set group_source dynamic (sudo asks NSS for the groups)"},
    /* The drop-in's name before 40-: sshd read it after 50-redhat.conf, whose values won. */
    {"/etc/ssh/sshd_config.d/eksauth.conf", KIND_SSHD_DROPIN_OLD,
     "an earlier setup's drop-in, now 40-eksauth.conf (sshd reads that before the "
     "distributions' 50-*.conf)"},
};

/*
 * The refusal of the symbolic link path (in the image) under --root,
 * naming where it points (as written in it).
 */
static enum eksauth_status refuse_link(const char *path, struct eksauth_error *err)
{
    char target[EKSAUTH_PATH_MAX];
    ssize_t n = readlink(path, target, sizeof(target) - 1);

    target[n > 0 ? n : 0] = '\0';
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "%s is a symbolic link to %s: setup does not follow it under --root (this "
                        "host would resolve it, an absolute one against its own /, and could leave "
                        "the image); make it the image's own file or folder, or run eksauth setup "
                        "inside the image (chroot)",
                        path, target);
}

/* Whether name has a ".." part. */
static bool has_dotdot(const char *name)
{
    const char *p;

    for (p = strstr(name, ".."); p != NULL; p = strstr(p + 2, "..")) {
        if ((p == name || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
            return true;
    }
    return false;
}

const char *eksauth_setup_root_prefix(const char *root)
{
    return root != NULL && strcmp(root, "/") != 0 ? root : "";
}

enum eksauth_status eksauth_setup_check_under_root(const char *root, const char *name, bool leaf,
                                                   struct eksauth_error *err)
{
    char path[EKSAUTH_PATH_MAX];
    struct stat st;
    size_t i;
    int k;

    if (eksauth_setup_root_prefix(root)[0] == '\0')
        return EKSAUTH_OK;
    k = snprintf(path, sizeof(path), "%s%s", root, name);
    if (k < 0 || (size_t)k >= sizeof(path))
        return eksauth_fail(err, EKSAUTH_EINVAL, "--root %s: too long a path", root);
    if (has_dotdot(name))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: setup does not follow a \"..\" under --root (it could climb out "
                            "of the image)",
                            path);
    /* Each part after root, by lstat: a link is never followed, only named. */
    for (i = strlen(root) + 1; path[i - 1] != '\0'; i++) {
        char c = path[i];

        if ((c != '/' && c != '\0') || (c == '\0' && !leaf))
            continue;
        path[i] = '\0';
        if (lstat(path, &st) != 0) {
            if (errno == ENOENT || errno == ENOTDIR)
                return EKSAUTH_OK; /* nothing past it to follow */
            return eksauth_fail(err, EKSAUTH_EIO, "cannot look at %s: %s", path, strerror(errno));
        }
        if (S_ISLNK(st.st_mode))
            return refuse_link(path, err);
        path[i] = c;
    }
    return EKSAUTH_OK;
}

/*
 * Where the symbolic link f points, one step, read as the host would
 * (an absolute target inside root): into f->link_target (the host's
 * name) and real (where to read it).  EKSAUTH_ENOTFOUND when that is no
 * regular file; under --root, EKSAUTH_EINVAL when the way there passes
 * a link or a ".." (eksauth_setup_check_under_root).
 */
static enum eksauth_status follow_link(const char *root, struct eksauth_setup_file *f,
                                       char real[EKSAUTH_PATH_MAX], struct eksauth_error *err)
{
    char target[EKSAUTH_PATH_MAX];
    const char *slash = strrchr(f->name, '/');
    struct stat st;
    ssize_t n = readlink(f->path, target, sizeof(target) - 1);
    enum eksauth_status rc;
    int k;

    if (n <= 0 || slash == NULL)
        return EKSAUTH_ENOTFOUND;
    target[n] = '\0';
    k = target[0] == '/' ? snprintf(f->link_target, sizeof(f->link_target), "%s", target)
                         : snprintf(f->link_target, sizeof(f->link_target), "%.*s/%s",
                                    (int)(slash - f->name), f->name, target);
    if (k < 0 || (size_t)k >= sizeof(f->link_target))
        return EKSAUTH_ENOTFOUND;
    /* A ".." in it could climb out: the link is named with it. */
    if (root[0] != '\0' && has_dotdot(f->link_target))
        return refuse_link(f->path, err);
    /* The way to where it points passes no link either: one there is named. */
    rc = eksauth_setup_check_under_root(root, f->link_target, true, err);
    if (rc != EKSAUTH_OK)
        return rc;
    k = snprintf(real, EKSAUTH_PATH_MAX, "%s%s", root, f->link_target);
    return k > 0 && (size_t)k < EKSAUTH_PATH_MAX && lstat(real, &st) == 0 && S_ISREG(st.st_mode)
               ? EKSAUTH_OK
               : EKSAUTH_ENOTFOUND;
}

/*
 * The current text of f (NULL when there is none) and its mode.  A symbolic
 * link is never replaced (that would cut it): nsswitch.conf's, authselect's,
 * is read through (f->link_target; plan_file refuses a change to it), any
 * other refused; under --root, so is any link on the way to f or to where
 * nsswitch.conf's points (setup_plan.h).
 */
static enum eksauth_status read_current(const char *root, bool follow, struct eksauth_setup_file *f,
                                        char **text, mode_t *mode, struct eksauth_error *err)
{
    char real[EKSAUTH_PATH_MAX];
    const char *from = f->path;
    struct stat st;
    size_t len;
    enum eksauth_status rc;

    *text = NULL;
    f->link_target[0] = '\0';
    rc = eksauth_setup_check_under_root(root, f->name, false, err);
    if (rc != EKSAUTH_OK)
        return rc;
    if (lstat(f->path, &st) != 0) {
        if (errno == ENOENT)
            return EKSAUTH_OK;
        return eksauth_fail(err, EKSAUTH_EIO, "%s: %s", f->path, strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        rc = follow ? follow_link(root, f, real, err) : EKSAUTH_ENOTFOUND;
        if (rc == EKSAUTH_ENOTFOUND && root[0] != '\0' && !follow)
            return refuse_link(f->path, err);
        if (rc == EKSAUTH_ENOTFOUND)
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "%s is a symbolic link: edit the file it points to by hand",
                                f->path);
        if (rc != EKSAUTH_OK)
            return rc;
        from = real;
    }
    *mode = st.st_mode & 07777;
    rc = eksauth_file_read(from, TEXT_MAX, false, text, &len, err);
    if (rc == EKSAUTH_OK && strlen(*text) != len) {
        free(*text);
        *text = NULL;
        rc = eksauth_fail(err, EKSAUTH_EINVAL, "%s: holds a NUL byte: not a text file", f->path);
    }
    return rc;
}

/* Whether the folder a file goes in exists (a missing one says a package is not installed). */
static bool folder_exists(const char *path)
{
    char dir[EKSAUTH_PATH_MAX];
    char *slash;
    struct stat st;

    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        return false;
    *slash = '\0';
    return stat(dir[0] != '\0' ? dir : "/", &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The Match Group block is for the group every eksauth login is in; a local
 * group of that name is not served (eksauth sync says so), so the block
 * would lock down its local members and miss every eksauth login.
 * (Unreadable account files: no local group known, as a root being built.)
 */
static enum eksauth_status check_users_group(const char *root, const char *group,
                                             struct eksauth_error *err)
{
    char passwd[EKSAUTH_PATH_MAX], grp[EKSAUTH_PATH_MAX];
    struct eksauth_hostfiles hf;
    enum eksauth_status st;
    bool local;

    st = eksauth_setup_check_under_root(root, "/etc/passwd", true, err);
    if (st == EKSAUTH_OK)
        st = eksauth_setup_check_under_root(root, "/etc/group", true, err);
    if (st != EKSAUTH_OK)
        return st;
    snprintf(passwd, sizeof(passwd), "%s/etc/passwd", root);
    snprintf(grp, sizeof(grp), "%s/etc/group", root);
    if (eksauth_hostfiles_load(&hf, passwd, grp, NULL) != EKSAUTH_OK)
        return EKSAUTH_OK;
    local = hf.host.local_group(hf.host.ctx, group, NULL);
    eksauth_hostfiles_free(&hf);
    if (local)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "the group of every eksauth login, %s, is a local group (in "
                            "/etc/group), so eksauth does not serve it and sshd's Match Group "
                            "block would miss every eksauth login: set users_group in "
                            "eksauth.conf to a name no local group has",
                            group);
    return EKSAUTH_OK;
}

/*
 * Whether sshd, reading host (a host path; root's copy of it), reads the
 * file dropin for every login: an Include line before any Match names it,
 * or names a file that does (eksauth_setup_sshd_include).  1 yes, 0 no,
 * -1 a symbolic link on the way under --root (err says which).
 */
static int sshd_reads(const char *root, const char *host, const char *dropin, int depth,
                      struct eksauth_error *err)
{
    char path[EKSAUTH_PATH_MAX], pattern[EKSAUTH_PATH_MAX], *text = NULL;
    size_t len = 0, i, k;
    int found = 0;
    glob_t g;

    if (eksauth_setup_check_under_root(root, host, true, err) != EKSAUTH_OK)
        return -1;
    snprintf(path, sizeof(path), "%s%s", root, host);
    if (depth > EKSAUTH_SETUP_INCLUDE_DEPTH ||
        eksauth_file_read(path, TEXT_MAX, false, &text, &len, NULL) != EKSAUTH_OK)
        return 0;
    for (i = 0; found == 0 && eksauth_setup_sshd_include(text, i, pattern, sizeof(pattern)); i++) {
        found = fnmatch(pattern, dropin, FNM_PATHNAME) == 0;
        /* The folders glob would list: the pattern's parts that are there. */
        if (found == 0 && eksauth_setup_check_under_root(root, pattern, false, err) != EKSAUTH_OK)
            found = -1;
        snprintf(path, sizeof(path), "%s%s", root, pattern);
        memset(&g, 0, sizeof(g));
        if (found == 0 && glob(path, 0, NULL, &g) == 0) {
            for (k = 0; k < g.gl_pathc && found == 0; k++)
                found = sshd_reads(root, g.gl_pathv[k] + strlen(root), dropin, depth + 1, err);
        }
        globfree(&g);
    }
    free(text);
    return found;
}

/*
 * A drop-in that sshd never reads holds no eksauth login to
 * keyboard-interactive, though setup would say it was written (eksauth
 * doctor then finds keys allowed): refused, with the line to add.
 */
static enum eksauth_status check_sshd_includes(const char *root, const struct eksauth_setup_file *f,
                                               struct eksauth_error *err)
{
    char config[EKSAUTH_PATH_MAX];
    int reads;

    snprintf(config, sizeof(config), "%s/etc/ssh/sshd_config", root);
    if (eksauth_setup_check_under_root(root, "/etc/ssh/sshd_config", true, err) != EKSAUTH_OK)
        return EKSAUTH_EINVAL;
    if (access(config, F_OK) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s does not exist: install openssh-server first",
                            config);
    reads = sshd_reads(root, "/etc/ssh/sshd_config", f->name, 0, err);
    if (reads < 0)
        return EKSAUTH_EINVAL;
    if (reads == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s has no Include line for %s (before any Match line), so sshd would "
                            "never read the drop-in setup writes: add the line \"Include "
                            "/etc/ssh/sshd_config.d/*.conf\" at the top of it (sshd keeps the "
                            "first value of each setting; Debian 12's sshd_config starts so) and "
                            "run setup again",
                            config, f->name);
    return EKSAUTH_OK;
}

/* Whether root + dir is a folder. */
static bool path_is_dir(const char *root, const char *dir)
{
    char path[EKSAUTH_PATH_MAX];
    struct stat st;

    snprintf(path, sizeof(path), "%s%s", root, dir);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Whether root's /etc/pam.d/common-auth runs pam_eksauth (the
 * pam-auth-update route).  Only a warning: a symbolic link there under
 * --root is not read, nor refused.
 */
static bool common_auth_has_eksauth(const char *root)
{
    char path[EKSAUTH_PATH_MAX], *text = NULL;
    size_t len = 0;
    bool found;

    snprintf(path, sizeof(path), "%s/etc/pam.d/common-auth", root);
    if (eksauth_setup_check_under_root(root, "/etc/pam.d/common-auth", true, NULL) != EKSAUTH_OK ||
        eksauth_file_read(path, TEXT_MAX, false, &text, &len, NULL) != EKSAUTH_OK)
        return false;
    found = eksauth_setup_runs_pam_eksauth(text);
    free(text);
    return found;
}

/* The PAM files walked for the gates that setup's account line skips. */
struct gate_walk {
    const char *root;
    int depth;
    char names[256];
};

/*
 * A file the stack includes (a name in /etc/pam.d, or a path): its account
 * gates too, as deep as doctor follows includes (tools/doctor/doctor.h).
 * Only a note: a file that cannot be read, or a symbolic link on the way
 * under --root, is passed over.
 */
static void walk_gates(const char *file, void *arg)
{
    struct gate_walk *w = arg;
    char host[EKSAUTH_PATH_MAX], path[EKSAUTH_PATH_MAX], *text = NULL;
    size_t len = 0;
    int n;

    if (w->depth >= EKSAUTH_SETUP_INCLUDE_DEPTH || strstr(file, "..") != NULL)
        return;
    n = snprintf(host, sizeof(host), "%s%s", file[0] == '/' ? "" : "/etc/pam.d/", file);
    if (n < 0 || (size_t)n >= sizeof(host) ||
        snprintf(path, sizeof(path), "%s%s", w->root, host) >= (int)sizeof(path))
        return;
    if (eksauth_setup_check_under_root(w->root, host, true, NULL) != EKSAUTH_OK ||
        eksauth_file_read(path, TEXT_MAX, false, &text, &len, NULL) != EKSAUTH_OK)
        return;
    w->depth++;
    eksauth_setup_pam_gates(text, false, w->names, sizeof(w->names), walk_gates, w);
    w->depth--;
    free(text);
}

/*
 * The account gates (pam_access, ...) in the stack setup's account line
 * goes in front of, whose success=done skips them for an eksauth user: said
 * in f's note (after what it holds), since they then do not limit eksauth
 * users.  setup still writes the line: eksauth has gates of its own.
 */
static void note_skipped_gates(const char *root, const char *want, struct eksauth_setup_file *f)
{
    struct gate_walk w = {root, 0, ""};
    size_t used = strlen(f->note);

    eksauth_setup_pam_gates(want, true, w.names, sizeof(w.names), walk_gates, &w);
    if (w.names[0] == '\0')
        return;
    snprintf(f->note + used, sizeof(f->note) - used,
             "%sthe account stack after pam_eksauth's account line runs %s, which its "
             "success=done skips for eksauth users: they do not limit eksauth users; limit those "
             "with require_group= on pam_eksauth's account line or deny_user in the config, or "
             "move those lines before it",
             used > 0 ? "; " : "", w.names);
}

/* What a whole file of setup's (the drop-in, sudoers) becomes. */
static enum eksauth_status plan_own_file(struct eksauth_setup_file *f, const char *cur,
                                         const char *want, bool ours, bool undo,
                                         struct eksauth_error *err)
{
    if (undo) {
        if (cur == NULL) {
            f->action = EKSAUTH_SETUP_UNCHANGED;
        } else if (ours) {
            f->action = EKSAUTH_SETUP_REMOVE;
        } else {
            f->action = EKSAUTH_SETUP_SKIP;
            snprintf(f->note, sizeof(f->note),
                     "not written by eksauth setup (or edited since): left as it is");
        }
        return EKSAUTH_OK;
    }
    if (cur != NULL && strcmp(cur, want) == 0) {
        f->action = EKSAUTH_SETUP_UNCHANGED;
        return EKSAUTH_OK;
    }
    if (cur != NULL && !ours)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s exists and eksauth setup did not write it: compare it with "
                            "README.md (\"Setting up a bastion\") and remove it, or keep it and do "
                            "not run setup",
                            f->path);
    f->text = strdup(want);
    if (f->text == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    f->len = strlen(want);
    f->action = EKSAUTH_SETUP_WRITE;
    return EKSAUTH_OK;
}

/*
 * What a file that setup edits becomes: unchanged, written with *want
 * (taken), or removed (*want NULL: its text was all setup's).
 */
static void plan_edit(struct eksauth_setup_file *f, const char *cur, char **want)
{
    if (*want == NULL) {
        f->action = cur != NULL ? EKSAUTH_SETUP_REMOVE : EKSAUTH_SETUP_UNCHANGED;
    } else if (cur != NULL && strcmp(cur, *want) == 0) {
        f->action = EKSAUTH_SETUP_UNCHANGED;
    } else {
        f->action = EKSAUTH_SETUP_WRITE;
        f->text = *want;
        f->len = strlen(*want);
        *want = NULL;
    }
}

/*
 * A file read through a symbolic link (nsswitch.conf, authselect's) that
 * would change: setup refuses, --undo leaves it (the package's purge takes
 * eksauth out of it, through the link).
 */
static enum eksauth_status plan_linked(struct eksauth_setup_file *f, bool undo,
                                       struct eksauth_error *err)
{
    if (f->action == EKSAUTH_SETUP_UNCHANGED)
        return EKSAUTH_OK;
    free(f->text);
    f->text = NULL;
    if (!undo)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s is a symbolic link to %s, which setup does not replace: put "
                            "eksauth after files on its passwd: and group: lines by hand (with "
                            "authselect, in a custom profile: docs/al2023.md), then run setup "
                            "again",
                            f->path, f->link_target);
    f->action = EKSAUTH_SETUP_SKIP;
    snprintf(f->note, sizeof(f->note),
             "a symbolic link to %s: eksauth left there (take it out by hand, or purge the "
             "package)",
             f->link_target);
    return EKSAUTH_OK;
}

/* What one file becomes. */
/* A refusal over what a file holds ("line 2 names ...") names the file, with --root's prefix. */
static void name_the_file(struct eksauth_error *err, const struct eksauth_setup_file *f)
{
    eksauth_error_prefix(err, "%s", f->path);
}

static enum eksauth_status plan_file(const struct eksauth_setup_options *o, size_t index,
                                     struct eksauth_setup_file *f, struct eksauth_error *err)
{
    enum file_kind kind = setup_files[index].kind;
    const char *root = eksauth_setup_root_prefix(o->root);
    char *cur = NULL, *want = NULL;
    mode_t mode = 0644;
    unsigned foreign = 0;
    enum eksauth_status st;

    st = read_current(root, kind == KIND_NSSWITCH, f, &cur, &mode, err);
    if (st != EKSAUTH_OK)
        goto out;
    f->mode = mode;
    switch (kind) {
    case KIND_NSSWITCH:
    case KIND_PAM_SSHD:
        if (cur == NULL) {
            if (!o->undo && kind == KIND_PAM_SSHD) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "%s does not exist: install openssh-server first", f->path);
                goto out;
            }
            if (!o->undo) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "%s does not exist", f->path);
                goto out;
            }
            f->action = EKSAUTH_SETUP_UNCHANGED;
            goto out;
        }
        st = kind == KIND_NSSWITCH ? eksauth_setup_nsswitch(cur, o->undo, &want, err)
                                   : eksauth_setup_pam_sshd(cur, o->undo, &want, &foreign, err);
        if (st == EKSAUTH_EINVAL && kind == KIND_PAM_SSHD)
            name_the_file(err, f);
        if (st != EKSAUTH_OK)
            goto out;
        if (foreign != 0)
            snprintf(f->note, sizeof(f->note),
                     "line %u still names pam_eksauth.so (not written by eksauth setup): without "
                     "module_unknown=ignore it refuses every login once the module is removed",
                     foreign);
        else if (kind == KIND_PAM_SSHD && !o->undo && common_auth_has_eksauth(root))
            snprintf(f->note, sizeof(f->note),
                     "pam-auth-update's eksauth profile is enabled too (common-auth): one route "
                     "is enough, pam-auth-update --disable eksauth");
        if (kind == KIND_PAM_SSHD && !o->undo && want != NULL)
            note_skipped_gates(root, want, f);
        plan_edit(f, cur, &want);
        if (f->link_target[0] != '\0')
            st = plan_linked(f, o->undo, err);
        break;
    case KIND_SSHD_DROPIN:
        if (!o->undo && cur == NULL && !folder_exists(f->path)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: its folder does not exist: install openssh-server first",
                              f->path);
            goto out;
        }
        f->mode = 0644;
        if (!o->undo) {
            st = check_sshd_includes(root, f, err);
            if (st != EKSAUTH_OK)
                goto out;
            st = o->users_group != NULL
                     ? check_users_group(root, o->users_group, err)
                     : eksauth_fail(err, EKSAUTH_EINVAL, "%s: no users group", f->path);
            if (st != EKSAUTH_OK)
                goto out;
            want = eksauth_setup_sshd_dropin(o->users_group);
            if (want == NULL) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                goto out;
            }
        }
        st = plan_own_file(f, cur, want != NULL ? want : "",
                           cur != NULL && eksauth_setup_sshd_dropin_is_ours(cur), o->undo, err);
        break;
    case KIND_SSHD_DROPIN_OLD:
        /*
         * Only ever removed, after 40-eksauth.conf is written (apply_order),
         * and only when setup wrote it: an operator's file is theirs to move.
         */
        f->legacy = true;
        if (cur == NULL) {
            f->action = EKSAUTH_SETUP_UNCHANGED;
        } else if (eksauth_setup_sshd_dropin_is_ours(cur)) {
            f->action = EKSAUTH_SETUP_REMOVE;
        } else if (o->undo) {
            f->action = EKSAUTH_SETUP_SKIP;
            snprintf(f->note, sizeof(f->note),
                     "not written by eksauth setup (or edited since): left as it is");
        } else {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s exists and eksauth setup did not write it: setup now writes "
                              "the drop-in as 40-eksauth.conf beside it, whose values sshd would "
                              "take over this file's; compare it with README.md (\"Setting up a "
                              "bastion\") and remove it, or keep it and do not run setup",
                              f->path);
        }
        break;
    case KIND_SUDOERS:
        f->mode = 0440;
        /*
         * No group to give sudo (group_map sends system:masters to a host
         * group): an earlier setup's NOPASSWD rule would still hold for the
         * old group, so setup's own file goes; one edited since is left,
         * and the note says its rules still hold.
         */
        if (!o->undo && o->sudo_group == NULL && cur != NULL) {
            bool ours = eksauth_setup_sudoers_is_ours(cur);

            f->action = ours ? EKSAUTH_SETUP_REMOVE : EKSAUTH_SETUP_SKIP;
            snprintf(f->note, sizeof(f->note), "%s; %s",
                     o->sudo_skip != NULL ? o->sudo_skip : "no group",
                     ours ? "the file an earlier eksauth setup wrote is removed, so its "
                            "NOPASSWD rule no longer holds"
                          : "the file is not as eksauth setup wrote it (or edited since): left "
                            "as it is, and its rules still hold: remove it by hand if they "
                            "should not");
            goto out;
        }
        if (!o->undo && (o->sudo_group == NULL || !folder_exists(f->path))) {
            f->action = EKSAUTH_SETUP_SKIP;
            snprintf(f->note, sizeof(f->note), "%s",
                     o->sudo_group == NULL ? (o->sudo_skip != NULL ? o->sudo_skip : "no group")
                                           : "sudo is not installed (no /etc/sudoers.d)");
            goto out;
        }
        want = o->undo ? NULL : eksauth_setup_sudoers(o->sudo_group);
        if (!o->undo && want == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
            goto out;
        }
        st = plan_own_file(f, cur, want != NULL ? want : "",
                           cur != NULL && eksauth_setup_sudoers_is_ours(cur), o->undo, err);
        break;
    case KIND_SUDO_CONF:
        /* sudo, installed, has /etc/sudoers.d; sudo.conf itself is optional. */
        if (!o->undo && cur == NULL && !path_is_dir(root, "/etc/sudoers.d")) {
            f->action = EKSAUTH_SETUP_SKIP;
            snprintf(f->note, sizeof(f->note), "sudo is not installed (no /etc/sudoers.d)");
            goto out;
        }
        if (cur == NULL)
            f->mode = 0644;
        st = eksauth_setup_sudo_conf(cur, o->undo, &want, err);
        if (st == EKSAUTH_EINVAL)
            name_the_file(err, f);
        if (st != EKSAUTH_OK)
            goto out;
        plan_edit(f, cur, &want);
        break;
    }
out:
    free(cur);
    free(want);
    return st;
}

enum eksauth_status eksauth_setup_check_root(const char *root, struct eksauth_error *err)
{
    if (root != NULL && root[0] != '\0' && root[0] != '/')
        return eksauth_fail(err, EKSAUTH_EINVAL, "--root %s: must be an absolute path", root);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_setup_plan(const struct eksauth_setup_options *o,
                                       struct eksauth_setup_plan *plan, struct eksauth_error *err)
{
    const char *root = eksauth_setup_root_prefix(o->root);
    enum eksauth_status st = EKSAUTH_OK;
    size_t i;

    memset(plan, 0, sizeof(*plan));
    plan->undo = o->undo;
    if (eksauth_setup_check_root(root, err) != EKSAUTH_OK)
        return EKSAUTH_EINVAL;
    for (i = 0; i < EKSAUTH_SETUP_FILES && st == EKSAUTH_OK; i++) {
        struct eksauth_setup_file *f = &plan->files[i];
        int n = snprintf(f->path, sizeof(f->path), "%s%s", root, setup_files[i].name);

        f->name = setup_files[i].name;
        f->what = setup_files[i].what;
        plan->n = i + 1;
        if (n < 0 || (size_t)n >= sizeof(f->path))
            st = eksauth_fail(err, EKSAUTH_EINVAL, "--root: too long a path");
        else
            st = plan_file(o, i, f, err);
    }
    /* All or nothing: a file that cannot be changed safely stops every change. */
    if (st != EKSAUTH_OK)
        eksauth_setup_plan_free(plan);
    return st;
}

/*
 * The order apply goes in (setup_files lists the kinds in their order, so
 * a kind is its file's index): the drop-in first (its Match block keeps
 * eksauth logins to keyboard-interactive), then the removal of an earlier
 * setup's drop-in it replaces (so one of the two holds the block at every
 * moment), the sudo files (they matter once an eksauth user is logged in),
 * the PAM lines, and last nsswitch.conf, which makes eksauth users known
 * to sshd.  --undo goes the other way.  See setup_plan.h,
 * eksauth_setup_apply.
 */
static const size_t apply_order[EKSAUTH_SETUP_FILES] = {
    KIND_SSHD_DROPIN, KIND_SSHD_DROPIN_OLD, KIND_SUDOERS,
    KIND_SUDO_CONF,   KIND_PAM_SSHD,        KIND_NSSWITCH,
};

/* Whether f is as apply meant to leave it (a failure after the rename: the folder's fsync). */
static bool applied_anyway(const struct eksauth_setup_file *f)
{
    char *text = NULL;
    size_t len = 0;
    bool same;

    if (f->action == EKSAUTH_SETUP_REMOVE)
        return access(f->path, F_OK) != 0 && errno == ENOENT;
    if (eksauth_file_read(f->path, TEXT_MAX, false, &text, &len, NULL) != EKSAUTH_OK)
        return false;
    same = len == f->len && memcmp(text, f->text, len) == 0;
    free(text);
    return same;
}

enum eksauth_status eksauth_setup_apply(struct eksauth_setup_plan *plan, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    size_t i;

    for (i = 0; i < plan->n; i++)
        plan->files[i].outcome = EKSAUTH_SETUP_NOT_TRIED;
    for (i = 0; i < EKSAUTH_SETUP_FILES && st == EKSAUTH_OK; i++) {
        size_t k = apply_order[plan->undo ? EKSAUTH_SETUP_FILES - 1 - i : i];
        struct eksauth_setup_file *f = &plan->files[k];

        if (k >= plan->n)
            continue;
        if (f->action == EKSAUTH_SETUP_WRITE) {
            st = eksauth_file_write_atomic(f->path, f->text, f->len, f->mode, err);
        } else if (f->action == EKSAUTH_SETUP_REMOVE) {
            if (unlink(f->path) != 0 && errno != ENOENT)
                st = eksauth_fail(err, EKSAUTH_EIO, "%s: %s", f->path, strerror(errno));
        } else {
            continue;
        }
        f->outcome =
            st == EKSAUTH_OK || applied_anyway(f) ? EKSAUTH_SETUP_DONE : EKSAUTH_SETUP_FAILED;
    }
    return st;
}

void eksauth_setup_plan_free(struct eksauth_setup_plan *plan)
{
    size_t i;

    for (i = 0; i < plan->n; i++)
        free(plan->files[i].text);
    memset(plan, 0, sizeof(*plan));
}
