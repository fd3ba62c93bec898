/*
 * login_index_fit.c - whether the login index may answer a login now, and
 * which condition failed when it may not (see login_index_fit.h).
 */
#include "config.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/login_index_fit.h"
#include "eksauth/snapshot.h"
#include "eksauth/trust.h"

#define RUN_SYNC "; run: eksauth sync"

/* Set why (may be NULL) to "format" and give back fit. */
static enum eksauth_login_index_fit unfit(struct eksauth_error *why,
                                          enum eksauth_login_index_fit fit, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static enum eksauth_login_index_fit unfit(struct eksauth_error *why,
                                          enum eksauth_login_index_fit fit, const char *format, ...)
{
    va_list ap;

    if (why != NULL) {
        why->status = EKSAUTH_ENOTFOUND;
        va_start(ap, format);
        vsnprintf(why->msg, sizeof(why->msg), format, ap);
        va_end(ap);
    }
    return fit;
}

/*
 * Whether the snapshot at path is still the file the index's sync wrote
 * (same inode, size and mtime; trusted as eksauth_snapshot_read trusts
 * it): a snapshot replaced or torn since is not the one the index was made
 * from, and the whole path (which hashes it) decides.
 */
static bool snapshot_unchanged(const char *path, bool trusted,
                               const struct eksauth_login_index_tie *tie)
{
    struct stat sb;
    bool same = false;
    int fd;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return false;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
        (!trusted || eksauth_trust_check_opened(path, &sb, NULL) == EKSAUTH_OK))
        same = (uint64_t)sb.st_ino == tie->snapshot_ino &&
               (uint64_t)sb.st_size == tie->snapshot_size &&
               (int64_t)sb.st_mtim.tv_sec == tie->snapshot_mtime_sec &&
               (int64_t)sb.st_mtim.tv_nsec == tie->snapshot_mtime_nsec;
    close(fd);
    return same;
}

/* The index's file opened, or why it cannot be: missing, not root's, unreadable or damaged. */
static enum eksauth_login_index_fit open_index(const char *path, bool trusted,
                                               struct eksauth_login_index **ix,
                                               struct eksauth_error *why)
{
    struct eksauth_error err;

    switch (eksauth_login_index_open(path, trusted, ix, &err)) {
    case EKSAUTH_OK:
        return EKSAUTH_LOGIN_INDEX_FITS;
    case EKSAUTH_ENOTFOUND:
        return unfit(why, EKSAUTH_LOGIN_INDEX_MISSING,
                     "login index: %s: missing (no sync since eksauth was installed or "
                     "upgraded)" RUN_SYNC,
                     path);
    case EKSAUTH_EREJECTED:
        /* trust.h's words: "<where>: <problem>; run: <fix>". */
        return unfit(why, EKSAUTH_LOGIN_INDEX_UNTRUSTED, "login index: %s", err.msg);
    case EKSAUTH_EINVAL:
        return unfit(why, EKSAUTH_LOGIN_INDEX_DAMAGED, "%s", err.msg);
    case EKSAUTH_ENOMEM:
        if (why != NULL)
            *why = err;
        return EKSAUTH_LOGIN_INDEX_UNREADABLE;
    default:
        return unfit(why, EKSAUTH_LOGIN_INDEX_UNREADABLE, "%s; run: eksauth sync as root", err.msg);
    }
}

/* The conditions of a tie, in order: the sync, this host's inputs, the snapshot, the bytes. */
static enum eksauth_login_index_fit check_tie(const struct eksauth_paths *paths, bool trusted,
                                              const struct eksauth_snapshot_state *state,
                                              const char *inputs, bool every_block,
                                              struct eksauth_login_index *ix,
                                              struct eksauth_error *why)
{
    const struct eksauth_login_index_tie *tie = eksauth_login_index_tie(ix);

    /* Another sync's plan may map a principal otherwise: only the last sync's decides. */
    if (tie->generation != state->generation || strcmp(tie->sha256, state->sha256) != 0)
        return unfit(why, EKSAUTH_LOGIN_INDEX_OTHER_SYNC,
                     "login index: %s: written by another sync (generation %llu, snapshot "
                     "SHA-256 %.12s...) than the last one (generation %llu, %.12s...)" RUN_SYNC,
                     paths->index, (unsigned long long)tie->generation, tie->sha256,
                     (unsigned long long)state->generation, state->sha256);
    /* The plan depends on the host's own files: planned with others, it is not this host's. */
    if (inputs == NULL || inputs[0] == '\0')
        return unfit(why, EKSAUTH_LOGIN_INDEX_INPUTS_UNKNOWN,
                     "login index: %s: this host's inputs (the config, the id key, the local "
                     "accounts) cannot be read to compare with the sync's; run: the same as root",
                     paths->index);
    if (strcmp(tie->inputs, inputs) != 0)
        return unfit(why, EKSAUTH_LOGIN_INDEX_INPUTS_CHANGED,
                     "login index: %s: planned with other host inputs than now: %s, the id key "
                     "or the local accounts (/etc/passwd, /etc/group, /etc/subuid, /etc/subgid) "
                     "changed since the sync" RUN_SYNC,
                     paths->index, paths->config[0] != '\0' ? paths->config : "the config");
    if (!snapshot_unchanged(paths->snapshot, trusted, tie))
        return unfit(why, EKSAUTH_LOGIN_INDEX_SNAPSHOT_CHANGED,
                     "login index: %s: the snapshot %s was replaced or changed since the sync "
                     "wrote the index" RUN_SYNC,
                     paths->index, paths->snapshot);
    /* Every byte an answer may come from is the sync's. */
    if (every_block && !eksauth_login_index_check_blocks(ix))
        return unfit(why, EKSAUTH_LOGIN_INDEX_DAMAGED,
                     "login index: %s: a block does not match its checksum" RUN_SYNC
                     " (it rewrites the index)",
                     paths->index);
    return EKSAUTH_LOGIN_INDEX_FITS;
}

enum eksauth_login_index_fit eksauth_login_index_fit(const struct eksauth_paths *paths,
                                                     bool trusted, const struct eksauth_iddb *db,
                                                     const char *inputs, bool every_block,
                                                     struct eksauth_login_index **out,
                                                     struct eksauth_error *why)
{
    struct eksauth_snapshot_state state;
    struct eksauth_login_index *ix = NULL;
    enum eksauth_login_index_fit fit;

    *out = NULL;
    if (db == NULL)
        return unfit(why, EKSAUTH_LOGIN_INDEX_NO_SYNC,
                     "login index: no identity DB (%s) to map with" RUN_SYNC, paths->db);
    eksauth_snapshot_state_read(paths, trusted, &state);
    if (state.generation == EKSAUTH_SNAPSHOT_NO_GENERATION || state.sha256[0] == '\0')
        return unfit(why, EKSAUTH_LOGIN_INDEX_NO_SYNC,
                     "login index: %s says no sync that wrote the identity DB (missing, not "
                     "root's, or of an older eksauth)" RUN_SYNC,
                     paths->state);
    /* As for the snapshot (snapshot.h): the state of a DB of this generation or later. */
    if (state.generation > eksauth_iddb_generation(db))
        return unfit(why, EKSAUTH_LOGIN_INDEX_OTHER_SYNC,
                     "login index: %s is of generation %llu, later than the identity DB's "
                     "(%llu): a sync under way or cut short" RUN_SYNC,
                     paths->state, (unsigned long long)state.generation,
                     (unsigned long long)eksauth_iddb_generation(db));
    /* Root's alone, as the snapshot: whoever writes it chooses logins (trust.h). */
    fit = open_index(paths->index, trusted, &ix, why);
    if (fit == EKSAUTH_LOGIN_INDEX_FITS)
        fit = check_tie(paths, trusted, &state, inputs, every_block, ix, why);
    if (fit != EKSAUTH_LOGIN_INDEX_FITS)
        eksauth_login_index_close(ix);
    else
        *out = ix;
    return fit;
}
