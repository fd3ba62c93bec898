/*
 * snapshot.c - the last good aws-auth of a cluster sync and its state (see
 * snapshot.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/snapshot.h"

void eksauth_snapshot_state_read(const struct eksauth_paths *paths, bool trusted,
                                 struct eksauth_snapshot_state *state)
{
    char *text = NULL, *line, *save = NULL;
    size_t len = 0;

    memset(state, 0, sizeof(*state));
    if (eksauth_file_read(paths->state, EKSAUTH_SNAPSHOT_STATE_MAX, trusted, &text, &len, NULL) !=
        EKSAUTH_OK)
        return;
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "version=", 8) == 0)
            snprintf(state->version, sizeof(state->version), "%s", line + 8);
        else if (strncmp(line, "rv=", 3) == 0 && eksauth_kube_rv_valid(line + 3))
            snprintf(state->rv, sizeof(state->rv), "%s", line + 3);
        else if (strncmp(line, "fetched_at=", 11) == 0)
            state->fetched_at = strtoll(line + 11, NULL, 10);
    }
    free(text);
}

enum eksauth_status eksauth_snapshot_write(const struct eksauth_paths *paths,
                                           const struct eksauth_cluster_snapshot *snap, time_t now,
                                           struct eksauth_snapshot_state *state,
                                           struct eksauth_error *err)
{
    char text[EKSAUTH_SNAPSHOT_STATE_MAX];
    enum eksauth_status st;
    int n, lock = -1;

    /*
     * Under the identity DB's writer lock: a timer sync and a watch never
     * interleave these files, and a temp file of theirs found now is a
     * killed writer's, which would otherwise hold disk space for ever.
     */
    st = eksauth_iddb_lock(paths->db, &lock, err);
    if (st != EKSAUTH_OK)
        return st;
    (void)eksauth_file_remove_stale_temps(paths->snapshot, NULL, NULL);
    (void)eksauth_file_remove_stale_temps(paths->state, NULL, NULL);
    st = eksauth_file_write_atomic(paths->snapshot, snap->data, snap->len, 0644, err);
    if (st != EKSAUTH_OK)
        goto out;
    snprintf(state->version, sizeof(state->version), "%s", snap->version);
    snprintf(state->rv, sizeof(state->rv), "%s", snap->rv);
    state->fetched_at = (long long)now;
    n = snprintf(text, sizeof(text),
                 "# eksauth sync: the last good snapshot of the source\n"
                 "version=%s\nrv=%s\nfetched_at=%lld\nfrom=%s\n",
                 state->version, state->rv, state->fetched_at, snap->what);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "sync: state too long");
        goto out;
    }
    st = eksauth_file_write_atomic(paths->state, text, (size_t)n, 0644, err);
out:
    eksauth_iddb_unlock(lock);
    return st;
}

void eksauth_snapshot_state_age(const struct eksauth_snapshot_state *state, time_t now, char *out,
                                size_t outlen)
{
    if (state->version[0] == '\0' || state->fetched_at <= 0)
        snprintf(out, outlen, "there is no earlier snapshot");
    else
        snprintf(out, outlen, "keeping the last good snapshot (%s, %lld s old) and the identity DB",
                 state->version, (long long)now - state->fetched_at);
}
