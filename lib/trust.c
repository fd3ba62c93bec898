/*
 * trust.c - the one rule for the files eksauth trusts (trust.h), judged from
 * the stat of the file and of its folder, with a message that names the
 * path, what is wrong and the command that fixes it.  libc only.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "eksauth/trust.h"

#define WRITE_BITS (S_IWGRP | S_IWOTH)

/* The folder of path into buf: the part before the last '/' ("/" for "/x", "." without one). */
static bool folder_of(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    size_t len;

    if (slash == NULL)
        return snprintf(buf, n, ".") == 1;
    len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= n)
        return false;
    memcpy(buf, path, len);
    buf[len] = '\0';
    return true;
}

/* "is not owned by root (uid 1000)", "is writable by group or others (mode 0666)" or both. */
static void describe(char *out, size_t n, const struct stat *st, bool bad_owner, bool writable)
{
    char owner[64] = "", mode[64] = "";

    if (bad_owner)
        snprintf(owner, sizeof(owner), "is not owned by root (uid %u)", (unsigned)st->st_uid);
    if (writable)
        snprintf(mode, sizeof(mode), "is writable by group or others (mode %04o)",
                 (unsigned)(st->st_mode & 07777));
    snprintf(out, n, "%s%s%s", owner, bad_owner && writable ? " and " : "", mode);
}

/* "chown root:root P", "chmod go-w P" or both. */
static void fix_for(char *out, size_t n, const char *p, bool bad_owner, bool writable)
{
    if (bad_owner && writable)
        snprintf(out, n, "chown root:root %s && chmod go-w %s", p, p);
    else if (bad_owner)
        snprintf(out, n, "chown root:root %s", p);
    else
        snprintf(out, n, "chmod go-w %s", p);
}

/* Who besides root can put another file in a folder's place of the file. */
static const char *who_replaces(const struct stat *folder, bool bad_owner, bool writable)
{
    if (writable && (folder->st_mode & S_IWOTH) != 0)
        return "anyone";
    if (bad_owner && writable)
        return "its owner and its group";
    return bad_owner ? "its owner" : "its group";
}

/*
 * The folder's half of the rule, path naming the file in the messages.
 * Whoever can write the folder can rename another file over the file,
 * unless the sticky bit lets only root (folder and file owner) do that.
 */
static bool folder_trusted(const char *path, const struct stat *folder,
                           struct eksauth_trust_verdict *v)
{
    char what[256];
    bool bad_owner = folder->st_uid != 0;
    bool writable = (folder->st_mode & WRITE_BITS) != 0 && (folder->st_mode & S_ISVTX) == 0;

    if (!bad_owner && !writable)
        return true;
    if (!folder_of(path, v->where, sizeof(v->where)))
        snprintf(v->where, sizeof(v->where), "the folder of %s", path);
    describe(what, sizeof(what), folder, bad_owner, writable);
    snprintf(v->problem, sizeof(v->problem), "the folder %s, so %s can replace %s", what,
             who_replaces(folder, bad_owner, writable), path);
    fix_for(v->fix, sizeof(v->fix), v->where, bad_owner, writable);
    return false;
}

bool eksauth_trust_explain(const char *path, const struct stat *file, const struct stat *folder,
                           struct eksauth_trust_verdict *v)
{
    bool bad_owner, writable;

    memset(v, 0, sizeof(*v));
    /* Only a regular file: a device or a FIFO could block the reader or change under it. */
    if (!S_ISREG(file->st_mode)) {
        snprintf(v->where, sizeof(v->where), "%s", path);
        snprintf(v->problem, sizeof(v->problem), "is not a regular file");
        return false;
    }
    /* Whoever owns the file or can write it decides who logs in as whom. */
    bad_owner = file->st_uid != 0;
    writable = (file->st_mode & WRITE_BITS) != 0;
    if (bad_owner || writable) {
        snprintf(v->where, sizeof(v->where), "%s", path);
        describe(v->problem, sizeof(v->problem), file, bad_owner, writable);
        fix_for(v->fix, sizeof(v->fix), path, bad_owner, writable);
        return false;
    }
    return folder_trusted(path, folder, v);
}

/* A verdict as the one refusal: "<where>: <problem>; run: <fix>". */
static enum eksauth_status refusal(const struct eksauth_trust_verdict *v, struct eksauth_error *err)
{
    if (v->fix[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s", v->where, v->problem);
    return eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s; run: %s", v->where, v->problem, v->fix);
}

enum eksauth_status eksauth_trust_check(const char *path, const struct stat *file,
                                        const struct stat *folder, struct eksauth_error *err)
{
    struct eksauth_trust_verdict v;

    if (eksauth_trust_explain(path, file, folder, &v))
        return EKSAUTH_OK;
    return refusal(&v, err);
}

enum eksauth_status eksauth_trust_check_opened(const char *path, const struct stat *file,
                                               struct eksauth_error *err)
{
    struct stat folder;
    char dir[PATH_MAX];

    if (!folder_of(path, dir, sizeof(dir)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: path too long", path);
    /* stat, not lstat: a symlinked folder is judged by the folder it leads to. */
    if (stat(dir, &folder) != 0)
        return eksauth_fail(err, EKSAUTH_EIO, "%s: stat: %s", dir, strerror(errno));
    return eksauth_trust_check(path, file, &folder, err);
}

/* The folder of path as a reader judges it; *folder its stat, *there whether it exists. */
static enum eksauth_status check_folder(const char *path, char *dir, size_t n, struct stat *folder,
                                        bool *there, struct eksauth_error *err)
{
    struct eksauth_trust_verdict v;

    memset(&v, 0, sizeof(v));
    *there = false;
    if (!folder_of(path, dir, n))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: path too long", path);
    /* Not there yet: whoever writes the file creates it, as root. */
    if (stat(dir, folder) != 0)
        return errno == ENOENT
                   ? EKSAUTH_OK
                   : eksauth_fail(err, EKSAUTH_EIO, "%s: stat: %s", dir, strerror(errno));
    *there = true;
    if (folder_trusted(path, folder, &v))
        return EKSAUTH_OK;
    return refusal(&v, err);
}

enum eksauth_status eksauth_trust_check_folder(const char *path, struct eksauth_error *err)
{
    struct stat folder;
    char dir[PATH_MAX];
    bool there;

    return check_folder(path, dir, sizeof(dir), &folder, &there, err);
}

enum eksauth_status eksauth_trust_check_writer_folder(const char *path, struct eksauth_error *err)
{
    struct stat folder;
    char dir[PATH_MAX];
    bool there;
    enum eksauth_status st = check_folder(path, dir, sizeof(dir), &folder, &there, err);

    /*
     * Sticky is enough for a reader, not for a writer: it keeps its lock
     * file and its nscd claims beside the file, and anyone who may make
     * files in the folder could make the lock first and stop every write.
     */
    if (st == EKSAUTH_OK && there && (folder.st_mode & WRITE_BITS) != 0)
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "%s: others may make files in it (mode %04o), so they can take the "
                          "lock of %s first and stop every write; keep it in a folder only "
                          "root writes; run: chmod go-w %s",
                          dir, (unsigned)(folder.st_mode & 07777), path, dir);
    return st;
}
