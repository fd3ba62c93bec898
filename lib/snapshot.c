/*
 * snapshot.c - the aws-auth the last sync applied and its state (see
 * snapshot.h).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "eksauth/awsauth_read.h"
#include "eksauth/byteorder.h"
#include "eksauth/file.h"
#include "eksauth/hex.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/snapshot.h"

/* A confirmation this far ahead of the clock is no confirmation (the clock went back). */
#define SNAPSHOT_CLOCK_STEP_S 60

/* SHA-256 of data[0..len) in lower-case hex. */
static bool sha256_hex(const char *data, size_t len, char out[64 + 1])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return false;
    eksauth_hex_lower(md, 32, out);
    return true;
}

/*
 * The names and ids the local accounts own, and the blocks of subordinate
 * ids they were delegated, into md: each list's length, then its sorted
 * items, so the same accounts give the same bytes and different ones never
 * do.  The blocks count: a login index planned before a block was
 * delegated would let a templated login land in it (lib/login_index_fit.c).
 */
static bool digest_local(EVP_MD_CTX *md, const struct eksauth_hostfiles *local)
{
    unsigned char id[4], counts[16], range[8];
    size_t i;
    bool ok;

    eksauth_le32_put(counts, (uint32_t)local->n_users);
    eksauth_le32_put(counts + 4, (uint32_t)local->n_groups);
    eksauth_le32_put(counts + 8, (uint32_t)local->n_ids);
    eksauth_le32_put(counts + 12, (uint32_t)local->n_subs);
    ok = EVP_DigestUpdate(md, counts, sizeof(counts)) == 1;
    for (i = 0; ok && i < local->n_users; i++)
        ok = EVP_DigestUpdate(md, local->users[i], strlen(local->users[i]) + 1) == 1;
    for (i = 0; ok && i < local->n_groups; i++) {
        eksauth_le32_put(id, local->groups[i].gid);
        ok = EVP_DigestUpdate(md, local->groups[i].name, strlen(local->groups[i].name) + 1) == 1 &&
             EVP_DigestUpdate(md, id, sizeof(id)) == 1;
    }
    for (i = 0; ok && i < local->n_ids; i++) {
        eksauth_le32_put(id, local->ids[i]);
        ok = EVP_DigestUpdate(md, id, sizeof(id)) == 1;
    }
    for (i = 0; ok && i < local->n_subs; i++) {
        eksauth_le32_put(range, local->subs[i].lo);
        eksauth_le32_put(range + 4, local->subs[i].hi);
        ok = EVP_DigestUpdate(md, range, sizeof(range)) == 1;
    }
    return ok;
}

void eksauth_snapshot_inputs(const struct eksauth_config *cfg,
                             const struct eksauth_hostfiles *local, char out[64 + 1])
{
    eksauth_snapshot_inputs_by(PACKAGE_VERSION, cfg, local, out);
}

void eksauth_snapshot_inputs_by(const char *planner, const struct eksauth_config *cfg,
                                const struct eksauth_hostfiles *local, char out[64 + 1])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char key[1 + 8], sum[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    bool ok;

    key[0] = cfg->id_key_set ? 1 : 0;
    eksauth_le64_put(key + 1, cfg->id_key_set ? cfg->id_key.check : 0);
    ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
         EVP_DigestUpdate(md, cfg->file_sha256, sizeof(cfg->file_sha256)) == 1 &&
         EVP_DigestUpdate(md, key, sizeof(key)) == 1 && digest_local(md, local) &&
         /* Another eksauth may plan otherwise (a rule fixed): an upgrade plans again. */
         EVP_DigestUpdate(md, planner, strlen(planner) + 1) == 1 &&
         EVP_DigestFinal_ex(md, sum, &n) == 1 && n == 32;
    EVP_MD_CTX_free(md);
    /* "" matches no state: the sync plans again. */
    if (ok)
        eksauth_hex_lower(sum, 32, out);
    else
        out[0] = '\0';
}

bool eksauth_snapshot_is(const struct eksauth_snapshot_state *state, const char *data, size_t len)
{
    char sum[64 + 1];

    return state->sha256[0] != '\0' && sha256_hex(data, len, sum) &&
           strcmp(sum, state->sha256) == 0;
}

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
        else if (strncmp(line, "checked_at=", 11) == 0)
            state->checked_at = strtoll(line + 11, NULL, 10);
        else if (strncmp(line, "from=", 5) == 0)
            snprintf(state->what, sizeof(state->what), "%s", line + 5);
        else if (strncmp(line, "generation=", 11) == 0)
            state->generation = strtoull(line + 11, NULL, 10);
        else if (strncmp(line, "sha256=", 7) == 0 && strlen(line + 7) == 64)
            snprintf(state->sha256, sizeof(state->sha256), "%s", line + 7);
        else if (strncmp(line, "inputs=", 7) == 0 && strlen(line + 7) == 64)
            snprintf(state->inputs, sizeof(state->inputs), "%s", line + 7);
        else if (strncmp(line, "host=", 5) == 0)
            state->host_read = (size_t)snprintf(state->host, sizeof(state->host), "%s", line + 5) <
                               sizeof(state->host);
    }
    free(text);
}

/* *state as the state file's text, into text[EKSAUTH_SNAPSHOT_STATE_MAX]; its length in *len. */
static enum eksauth_status state_text(const struct eksauth_snapshot_state *state, char *text,
                                      size_t *len, struct eksauth_error *err)
{
    int n = snprintf(text, EKSAUTH_SNAPSHOT_STATE_MAX,
                     "# eksauth sync: the aws-auth the identity DB was written from\n"
                     "version=%s\nrv=%s\nfetched_at=%lld\nchecked_at=%lld\ngeneration=%" PRIu64
                     "\nsha256=%s\ninputs=%s\nhost=%s\nfrom=%s\n",
                     state->version, state->rv, state->fetched_at, state->checked_at,
                     state->generation, state->sha256, state->inputs, state->host, state->what);

    if (n < 0 || (size_t)n >= EKSAUTH_SNAPSHOT_STATE_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "sync: state too long");
    *len = (size_t)n;
    return EKSAUTH_OK;
}

/*
 * *state into the state file (the caller holds the writer's lock), a
 * confirm: only its checked_at and rv move, so the folder is not fsynced
 * (eksauth_file_rewrite_atomic).
 */
static enum eksauth_status rewrite_state(const struct eksauth_paths *paths,
                                         const struct eksauth_snapshot_state *state,
                                         struct eksauth_error *err)
{
    char text[EKSAUTH_SNAPSHOT_STATE_MAX];
    enum eksauth_status st;
    size_t len = 0;

    st = state_text(state, text, &len, err);
    if (st == EKSAUTH_OK)
        st = eksauth_file_rewrite_atomic(paths->state, text, len, 0644, err);
    return st;
}

enum eksauth_status eksauth_snapshot_prepare_locked(
    const struct eksauth_paths *paths, const struct eksauth_cluster_snapshot *snap, time_t now,
    uint64_t generation, const char *inputs, const char *host, struct eksauth_snapshot_state *state,
    struct eksauth_snapshot_pending *p, struct eksauth_error *err)
{
    char text[EKSAUTH_SNAPSHOT_STATE_MAX];
    enum eksauth_status st;
    size_t len = 0;

    memset(p, 0, sizeof(*p));
    /* A temp file of ours found under the lock is a killed writer's: it would hold disk. */
    (void)eksauth_file_remove_stale_temps(paths->snapshot, NULL, NULL);
    (void)eksauth_file_remove_stale_temps(paths->state, NULL, NULL);
    snprintf(state->version, sizeof(state->version), "%s", snap->version);
    snprintf(state->rv, sizeof(state->rv), "%s", snap->rv);
    snprintf(state->what, sizeof(state->what), "%s", snap->what);
    state->fetched_at = (long long)now;
    state->checked_at = (long long)now;
    state->generation = generation;
    snprintf(state->inputs, sizeof(state->inputs), "%s", inputs);
    snprintf(state->host, sizeof(state->host), "%s", host);
    state->host_read = true;
    if (!sha256_hex(snap->data, snap->len, state->sha256))
        return eksauth_fail(err, EKSAUTH_EIO, "sync: cannot hash the snapshot");
    st = state_text(state, text, &len, err);
    if (st == EKSAUTH_OK)
        st = eksauth_file_prepare(paths->snapshot, snap->data, snap->len, 0644, &p->snapshot, err);
    if (st == EKSAUTH_OK)
        st = eksauth_file_prepare(paths->state, text, len, 0644, &p->state, err);
    if (st != EKSAUTH_OK)
        eksauth_snapshot_discard(p);
    return st;
}

enum eksauth_status eksauth_snapshot_commit_locked(struct eksauth_snapshot_pending *p,
                                                   struct eksauth_error *err)
{
    enum eksauth_status st;

    st = eksauth_file_commit(&p->snapshot, true, err);
    /* A snapshot without its state is one no login takes (eksauth_snapshot_read): fails closed. */
    if (st == EKSAUTH_OK)
        st = eksauth_file_commit(&p->state, true, err);
    eksauth_snapshot_discard(p);
    return st;
}

void eksauth_snapshot_discard(struct eksauth_snapshot_pending *p)
{
    eksauth_file_discard(&p->snapshot);
    eksauth_file_discard(&p->state);
}

enum eksauth_status eksauth_snapshot_write_locked(const struct eksauth_paths *paths,
                                                  const struct eksauth_cluster_snapshot *snap,
                                                  time_t now, uint64_t generation,
                                                  const char *inputs, const char *host,
                                                  struct eksauth_snapshot_state *state,
                                                  struct eksauth_error *err)
{
    struct eksauth_snapshot_pending p;
    enum eksauth_status st;

    st =
        eksauth_snapshot_prepare_locked(paths, snap, now, generation, inputs, host, state, &p, err);
    if (st == EKSAUTH_OK)
        st = eksauth_snapshot_commit_locked(&p, err);
    return st;
}

enum eksauth_status eksauth_snapshot_read(const struct eksauth_paths *paths, bool trusted,
                                          uint64_t generation, struct eksauth_snapshot_state *state,
                                          char **data, size_t *len, struct eksauth_error *err)
{
    char sum[64 + 1];
    enum eksauth_status st;

    *data = NULL;
    *len = 0;
    eksauth_snapshot_state_read(paths, trusted, state);
    if (state->generation == EKSAUTH_SNAPSHOT_NO_GENERATION || state->sha256[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "%s: no aws-auth snapshot of the identity DB yet: run eksauth sync",
                            paths->state);
    /* Whoever can write it chooses logins and groups: as root, root's alone. */
    st = eksauth_file_read(paths->snapshot, EKSAUTH_AWSAUTH_MAX, trusted, data, len, err);
    if (st == EKSAUTH_ENOTFOUND)
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: no such file: run eksauth sync",
                          paths->snapshot);
    if (st != EKSAUTH_OK)
        return st;
    /* Logins, NSS and the account stage decide from one sync: never a mix of two. */
    if (!sha256_hex(*data, *len, sum) || strcmp(sum, state->sha256) != 0 ||
        state->generation > generation) {
        free(*data);
        *data = NULL;
        *len = 0;
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "%s is not the aws-auth the identity DB (generation %" PRIu64
                            ") was written from: a sync is under way or failed; run eksauth sync",
                            paths->snapshot, generation);
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_snapshot_confirm(const struct eksauth_paths *paths, bool trusted,
                                             struct eksauth_snapshot_state *state, const char *rv,
                                             time_t now, struct eksauth_error *err)
{
    struct eksauth_snapshot_state on_disk;
    enum eksauth_status st;
    int lock = -1;

    st = eksauth_iddb_lock(paths->db, &lock, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Only the writer's own snapshot is confirmed: a newer one is another sync's to vouch for. */
    eksauth_snapshot_state_read(paths, trusted, &on_disk);
    if (state->version[0] != '\0' && strcmp(on_disk.version, state->version) == 0) {
        if (rv != NULL && eksauth_kube_rv_valid(rv))
            snprintf(on_disk.rv, sizeof(on_disk.rv), "%s", rv);
        on_disk.checked_at = (long long)now;
        /*
         * What the timer runs every minute or two when nothing changed: the
         * state's fsync, not its folder's.  A crash before the folder reaches
         * the disk leaves the state this one replaced, whole (same snapshot,
         * generation and digest, an earlier checked_at and rv): a later
         * confirm or max_snapshot_age refusing sooner, never a state that
         * vouches for what no sync checked.  A sync that writes a new
         * snapshot fsyncs the folder (eksauth_snapshot_write_locked).
         */
        st = rewrite_state(paths, &on_disk, err);
        if (st == EKSAUTH_OK)
            *state = on_disk;
    }
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

enum eksauth_status eksauth_snapshot_check_age(const struct eksauth_paths *paths, bool trusted,
                                               long max_age, time_t now, struct eksauth_error *err)
{
    struct eksauth_snapshot_state state;
    long long age;

    if (max_age <= 0)
        return EKSAUTH_OK;
    eksauth_snapshot_state_read(paths, trusted, &state);
    /* Fail closed: a mapping no sync has vouched for lately may still hold revoked logins. */
    if (state.version[0] == '\0' || state.checked_at <= 0)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "no snapshot of the cluster's aws-auth (%s) and max_snapshot_age is "
                            "set: eksauth logins are refused until eksauth sync succeeds",
                            paths->state);
    age = (long long)now - state.checked_at;
    /* Confirmed "in the future": the clock was set back since, and it vouches for nothing. */
    if (age < -SNAPSHOT_CLOCK_STEP_S)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "the snapshot of the cluster's aws-auth was confirmed %lld s in the "
                            "future (the clock was set back since): eksauth logins are refused "
                            "until eksauth sync succeeds",
                            -age);
    if (age > max_age)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                            "the snapshot of the cluster's aws-auth was last confirmed %lld s ago, "
                            "over max_snapshot_age (%ld s): eksauth logins are refused until "
                            "eksauth sync succeeds (eksauth doctor shows why it does not)",
                            age, max_age);
    return EKSAUTH_OK;
}
