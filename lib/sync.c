/*
 * sync.c - one sync of the identity DB from aws-auth (see sync.h;
 * docs/design.md, "The sync").
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/entry_cache.h"
#include "eksauth/id_policy.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/iddb_upgrade.h"
#include "eksauth/identity.h"
#include "eksauth/imds.h"
#include "eksauth/login_index.h"
#include "eksauth/mapping.h"
#include "eksauth/nscd.h"
#include "eksauth/snapshot.h"
#include "eksauth/sync.h"
#include "eksauth/template.h"
#include "eksauth/tombstone.h"
#include "eksauth/trust.h"

/* One application of a document: what it reads and builds, released by apply_free. */
struct apply {
    struct eksauth_ctx *ctx;
    const struct eksauth_host *host;
    struct eksauth_sync_report *report;
    struct eksauth_mapping m;
    struct eksauth_iddb *old; /* the DB before this sync, or NULL */
    struct eksauth_iddb_builder *b;
    const struct eksauth_cluster_snapshot *snap; /* the document applied, kept beside the DB */
    struct eksauth_snapshot_state *state;        /* updated when the snapshot is written */
    const struct eksauth_snapshot_state *expect; /* as read before the source, or NULL */
    struct eksauth_file_pending db_file;         /* the new DB, written, not yet renamed */
    struct eksauth_snapshot_pending snap_files;  /* the snapshot and state, likewise */
    struct eksauth_nscd_debt nscd;               /* nscd's drop owed for it (nscd.h) */
    bool replaced; /* the new DB's rename tried: in place, even if a later step failed */
};

/*
 * tmpl with {{EC2PrivateDNSName}} bound to this host's own private DNS name
 * (instance metadata, read once per context): a login renders it only for
 * the host's own instance, so on this host it gives that one name, and NSS
 * answers for no other node's.
 */
static enum eksauth_status bind_host_template(struct eksauth_ctx *ctx, const char *tmpl, char *out,
                                              size_t outlen, struct eksauth_error *err)
{
    enum eksauth_status st =
        eksauth_imds_host_instance(ctx->cfg.imds_endpoint, &ctx->instance, err);

    out[0] = '\0';
    if (st == EKSAUTH_OK)
        st = eksauth_template_bind_host(tmpl, ctx->instance.private_dns_name, out, outlen, err);
    return st;
}

/* Header data: the id range, home and shell; the templates NSS serves; denied names. */
static enum eksauth_status start_builder(struct apply *a, struct eksauth_error *err)
{
    const struct eksauth_config *cfg = &a->ctx->cfg;
    const struct eksauth_plan *plan = &a->m.plan;
    struct eksauth_sync_report *r = a->report;
    struct eksauth_iddb_params params;
    enum eksauth_status st;
    size_t i;

    memset(&params, 0, sizeof(params));
    params.id_min = plan->id_min;
    params.id_max = plan->id_max;
    params.home = cfg->home;
    params.shell = cfg->shell;
    params.users_gid = plan->users_gid;
    params.keyed = cfg->id_key_set;
    params.key_check = cfg->id_key.check;
    st = eksauth_iddb_builder_new(&params, &a->b, err);
    /* Sized once for the plan (recorded logins carried over may add a few). */
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_builder_reserve(a->b, plan->n_users, plan->n_groups, err);
    if (st != EKSAUTH_OK)
        return st;
    eksauth_iddb_builder_set_generation(a->b, r->generation);
    /* The plan holds only templates hosts may serve (identity.h). */
    for (i = 0; i < plan->n_templates; i++) {
        const char *tmpl = plan->templates[i];
        struct eksauth_error berr;
        char bound[EKSAUTH_TEMPLATE_BOUND_MAX];

        /* Its instance, a->m.host, kept in the state: a DB made on another is planned again. */
        if (eksauth_template_needs_host_instance(tmpl)) {
            if (bind_host_template(a->ctx, tmpl, bound, sizeof(bound), &berr) != EKSAUTH_OK) {
                st = eksauth_strlist_addf(
                    &r->warnings, err, "template '%s' cannot be served on this host: %s; skipped",
                    tmpl, berr.msg);
                if (st != EKSAUTH_OK)
                    return st;
                continue;
            }
            tmpl = bound;
        }
        st = eksauth_iddb_builder_add_template(a->b, tmpl, err);
        if (st == EKSAUTH_OK)
            st = eksauth_strlist_add(&r->templates, tmpl, err);
        if (st != EKSAUTH_OK)
            return st;
    }
    /* The NSS module cannot read the config: deny_user travels in the DB. */
    for (i = 0; cfg->deny_users != NULL && cfg->deny_users[i] != NULL; i++) {
        st = eksauth_iddb_builder_add_denied(a->b, cfg->deny_users[i], err);
        if (st != EKSAUTH_OK)
            return st;
    }
    /* A login two k8s users fight over is served to neither, templates included. */
    for (i = 0; i < plan->n_refused; i++) {
        st = eksauth_iddb_builder_add_denied(a->b, plan->refused[i], err);
        if (st != EKSAUTH_OK)
            return st;
    }
    /* So is a group two k8s groups fight over: no login may record it (iddb_record.c). */
    for (i = 0; i < plan->n_refused_groups; i++) {
        st = eksauth_iddb_builder_add_denied(a->b, plan->refused_groups[i], err);
        if (st != EKSAUTH_OK)
            return st;
    }
    return EKSAUTH_OK;
}

/* The plan's groups and users into the builder; a refusal is a warning, never a partial entry. */
static enum eksauth_status add_plan(struct apply *a, struct eksauth_error *err)
{
    const struct eksauth_plan *plan = &a->m.plan;
    struct eksauth_sync_report *r = a->report;
    const char **names = NULL;
    struct eksauth_error e;
    size_t i, j, cap = 0;
    enum eksauth_status st = EKSAUTH_OK;
    /* Which of the plan's groups made it into the DB, by index: no lookup per member. */
    bool *served = calloc(plan->n_groups + 1, sizeof(*served));

    if (served == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (i = 0; i < plan->n_groups && st == EKSAUTH_OK; i++) {
        const struct eksauth_plan_group *pg = &plan->groups[i];
        struct eksauth_iddb_group_in g = {pg->name, pg->k8s_group, pg->gid,
                                          pg->local ? EKSAUTH_IDDB_GROUP_LOCAL : 0};

        served[i] = eksauth_iddb_builder_add_group(a->b, &g, &e) == EKSAUTH_OK;
        if (!served[i])
            st =
                eksauth_strlist_addf(&r->warnings, err, "group %s not served: %s", pg->name, e.msg);
    }
    for (i = 0; i < plan->n_users && st == EKSAUTH_OK; i++) {
        const struct eksauth_plan_user *pu = &plan->users[i];
        struct eksauth_iddb_user_in u;
        struct eksauth_iddb_user was;
        size_t n = 0;

        if (pu->n_groups > cap) {
            const char **grown = realloc(names, pu->n_groups * sizeof(*names));

            if (grown == NULL) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                break;
            }
            names = grown;
            cap = pu->n_groups;
        }
        for (j = 0; j < pu->n_groups; j++) {
            /* Only groups that made it into the DB. */
            if (served[pu->group_idx[j]])
                names[n++] = plan->groups[pu->group_idx[j]].name;
        }
        memset(&u, 0, sizeof(u));
        u.login = pu->login;
        u.k8s_username = pu->k8s_username;
        u.arn = pu->arn;
        u.uid = pu->uid;
        u.groups = names;
        u.n_groups = n;
        if (eksauth_iddb_builder_add_user(a->b, &u, &e) != EKSAUTH_OK)
            st =
                eksauth_strlist_addf(&r->warnings, err, "user %s not served: %s", pu->login, e.msg);
        else if (a->old == NULL || eksauth_iddb_user_by_name(a->old, pu->login, &was) != EKSAUTH_OK)
            st = eksauth_strlist_add(&r->added, pu->login, err);
    }
    free(names);
    free(served);
    return st;
}

/*
 * A group of a recorded login that no static entry yields (its template's
 * own, or a local one): added with its gid.  False when it is not served.
 */
static bool add_login_group(struct apply *a, const char *login,
                            const struct eksauth_posix_group *pg, enum eksauth_status *st,
                            struct eksauth_error *err)
{
    uint32_t local_gid;
    bool local =
        a->host->local_group != NULL && a->host->local_group(a->host->ctx, pg->name, &local_gid);
    struct eksauth_iddb_group_in g = {pg->name, pg->k8s_group, pg->gid,
                                      local ? EKSAUTH_IDDB_GROUP_LOCAL : 0};
    struct eksauth_error ge;

    /* Another k8s group's already (two templates, one POSIX name): never merged. */
    if (eksauth_iddb_builder_has_group(a->b, pg->name)) {
        if (eksauth_iddb_builder_group_is(a->b, &g))
            return true;
        *st = eksauth_strlist_addf(&a->report->warnings, err,
                                   "%s: group %s not served to it: it is another k8s group's (this "
                                   "login's is '%s')",
                                   login, pg->name, pg->k8s_group != NULL ? pg->k8s_group : "");
        return false;
    }
    if (eksauth_iddb_builder_add_group(a->b, &g, &ge) == EKSAUTH_OK)
        return true;
    *st = eksauth_strlist_addf(&a->report->warnings, err, "%s: group %s not served: %s", login,
                               pg->name, ge.msg);
    return false;
}

/*
 * Whether a recorded login has gone unused for login_idle_days: one login
 * must not become an account for ever (docs/names-and-ids.md).  why gets
 * the reason for the report.
 */
static bool idle_too_long(const struct eksauth_config *cfg, const struct eksauth_iddb_user *old,
                          time_t now, char *why, size_t whylen)
{
    time_t last = (time_t)old->last_login;
    char day[32] = "";
    struct tm tm;

    if (cfg->login_idle_days <= 0 || last <= 0 || now - last <= cfg->login_idle_days * 86400L)
        return false;
    if (gmtime_r(&last, &tm) != NULL)
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
    snprintf(why, whylen, "no login since %s (login_idle_days = %ld)", day, cfg->login_idle_days);
    return true;
}

/*
 * A login recorded from a template: still mapped to the same login and used
 * within login_idle_days?  Then kept with its uid and the groups the mapping
 * gives now; else revoked.
 */
static enum eksauth_status keep_login(struct apply *a, const struct eksauth_iddb_user *old,
                                      struct eksauth_error *err)
{
    struct eksauth_sync_report *r = a->report;
    struct eksauth_arn *arn = NULL;
    struct eksauth_principal p;
    struct eksauth_identity id;
    struct eksauth_error e = {0};
    struct eksauth_iddb_user_in u;
    const char **names = NULL;
    size_t i, n = 0;
    enum eksauth_status st = EKSAUTH_OK;

    memset(&id, 0, sizeof(id));
    arn = calloc(1, sizeof(*arn));
    if (arn == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    if (idle_too_long(&a->ctx->cfg, old, time(NULL), e.msg, sizeof(e.msg)))
        goto revoked;
    if (eksauth_arn_parse(old->arn, arn, &e) != EKSAUTH_OK)
        goto revoked;
    memset(&p, 0, sizeof(p));
    p.arn = old->arn;
    p.canonical_arn = arn->canonical;
    p.account = arn->account;
    p.session_name = arn->session_name;
    p.access_key_id = "";
    /* The same resolution as a login's. */
    if (eksauth_mapping_resolve(a->ctx, &a->m, &p, NULL, &id, &e) != EKSAUTH_OK)
        goto revoked;
    if (strcmp(id.login, old->login) != 0) {
        snprintf(e.msg, sizeof(e.msg), "now maps to login '%s'", id.login);
        goto revoked;
    }
    names = calloc(id.n_groups + 1, sizeof(*names));
    if (names == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < id.n_groups && st == EKSAUTH_OK; i++) {
        if (add_login_group(a, old->login, &id.groups[i], &st, err))
            names[n++] = id.groups[i].name;
    }
    if (st != EKSAUTH_OK)
        goto out;
    memset(&u, 0, sizeof(u));
    u.login = old->login;
    u.k8s_username = id.k8s.username;
    u.arn = old->arn;
    u.uid = old->uid; /* an id never changes once given */
    u.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    u.last_login = old->last_login;
    u.groups = names;
    u.n_groups = n;
    if (eksauth_iddb_builder_add_user(a->b, &u, &e) != EKSAUTH_OK)
        goto revoked;
    st = eksauth_strlist_add(&r->kept, old->login, err);
    goto out;
revoked:
    st = eksauth_strlist_addf(&r->removed, err, "%s (revoked: %s)", old->login, e.msg);
out:
    free(names);
    eksauth_identity_free(&id);
    free(arn);
    return st;
}

/* Recorded logins, and static users that left aws-auth (reported as removed). */
static enum eksauth_status carry_over(struct apply *a, struct eksauth_error *err)
{
    uint32_t i, n = a->old != NULL ? eksauth_iddb_user_count(a->old) : 0;
    enum eksauth_status st = EKSAUTH_OK;

    for (i = 0; i < n && st == EKSAUTH_OK; i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(a->old, i, &u) != EKSAUTH_OK)
            continue;
        if (eksauth_plan_find_user(&a->m.plan, u.login) != NULL)
            continue; /* a static user of the new aws-auth: already in */
        if ((u.flags & EKSAUTH_IDDB_USER_TEMPLATED) != 0)
            st = keep_login(a, &u, err);
        else if (a->host != NULL && a->host->local_user != NULL &&
                 a->host->local_user(a->host->ctx, u.login))
            /* Still in aws-auth, maybe: the plan refused it (see its warning), the host owns it. */
            st =
                eksauth_strlist_addf(&a->report->removed, err, "%s (now a local account)", u.login);
        else
            st = eksauth_strlist_addf(&a->report->removed, err, "%s (no longer in aws-auth)",
                                      u.login);
    }
    return st;
}

/*
 * The login index of this snapshot and plan (login_index.h), so a login
 * reads the few entries and answers it needs, not the whole aws-auth.  One
 * that cannot be written is removed and named in a warning: logins then
 * map with the whole snapshot (the same answers, slower).
 */
static enum eksauth_status write_login_index(struct apply *a, const char *inputs,
                                             struct eksauth_error *err)
{
    struct eksauth_login_index_tie tie;
    struct eksauth_error e;
    struct stat sb;

    memset(&tie, 0, sizeof(tie));
    tie.generation = a->report->generation;
    snprintf(tie.sha256, sizeof(tie.sha256), "%s", a->state->sha256);
    snprintf(tie.inputs, sizeof(tie.inputs), "%s", inputs);
    if (stat(a->ctx->paths.snapshot, &sb) != 0) {
        eksauth_fail(&e, EKSAUTH_EIO, "%s: %s", a->ctx->paths.snapshot, strerror(errno));
    } else {
        tie.snapshot_ino = (uint64_t)sb.st_ino;
        tie.snapshot_size = (uint64_t)sb.st_size;
        tie.snapshot_mtime_sec = (int64_t)sb.st_mtim.tv_sec;
        tie.snapshot_mtime_nsec = (int64_t)sb.st_mtim.tv_nsec;
        if (eksauth_login_index_write_locked(&a->ctx->paths, a->m.aa, &a->m.plan, &tie, &e) ==
            EKSAUTH_OK)
            return EKSAUTH_OK;
    }
    (void)unlink(a->ctx->paths.index);
    return eksauth_strlist_addf(&a->report->warnings, err,
                                "%s: not written (%s): logins map with the whole snapshot",
                                a->ctx->paths.index, e.msg);
}

/* Reads of the source when other syncs keep writing first (report->superseded). */
#define SUPERSEDED_TRIES 3

/* Under the writer's lock: the current DB, the plan, the new DB. */
static enum eksauth_status apply_locked(struct apply *a, struct eksauth_error *err)
{
    struct eksauth_sync_report *r = a->report;
    struct eksauth_error damage;
    struct eksauth_snapshot_state now;
    enum eksauth_status st;
    size_t i, dropped = 0;
    uint64_t g;

    /* The state as it is under the lock: only a sync writes it, under this lock. */
    eksauth_snapshot_state_read(&a->ctx->paths, a->ctx->trust_files, &now);
    /*
     * Another sync wrote since this one read the state, before its fetch:
     * what it applied may be newer than what this one read, and writing
     * over it would undo it (a revocation) until the next sync.
     */
    if (a->expect != NULL) {
        if (now.generation != a->expect->generation ||
            strcmp(now.version, a->expect->version) != 0) {
            r->superseded = true;
            return eksauth_fail(err, EKSAUTH_EUNAVAIL,
                                "another sync wrote the identity DB after this one read %s: "
                                "nothing written (what it read may be older)",
                                r->source);
        }
    }
    /* A DB of an older format is read too: its recorded ids are kept in the new one. */
    st = eksauth_iddb_open_upgrade(a->ctx->paths.db, &a->old, NULL, err);
    if (st == EKSAUTH_EREJECTED) {
        /*
         * Someone else could write it: never build on it, never silently
         * replace it.  The refusal says the fix; removing the file instead
         * would lose its recorded ids and holds.
         */
        err->status = EKSAUTH_EINVAL;
        eksauth_error_append(err, "; the identity DB is unchanged");
        return EKSAUTH_EINVAL;
    }
    /*
     * Only what is, or was, an identity DB is rebuilt: never a file a typo
     * in db_path names (/etc/passwd), left as it is with what to do.
     */
    if (st == EKSAUTH_EINVAL && eksauth_iddb_check_ours(a->ctx->paths.db, &damage) != EKSAUTH_OK) {
        *err = damage;
        if (err->status == EKSAUTH_EINVAL)
            return EKSAUTH_EINVAL;
        st = err->status;
    }
    /* Out of memory or descriptors, an I/O error: the file may be sound, and a rebuild forgets. */
    if (st != EKSAUTH_OK && st != EKSAUTH_EUNAVAIL && st != EKSAUTH_EINVAL) {
        eksauth_error_append(err, "; the identity DB is unchanged");
        return st;
    }
    if (st != EKSAUTH_OK) {
        a->old = NULL;
        /* Done, not to do: the warning says what the rebuild left out, once. */
        eksauth_iddb_strip_rebuilds(err);
        if (st != EKSAUTH_EUNAVAIL &&
            eksauth_strlist_addf(&r->warnings, err,
                                 "%s: rebuilt without its recorded ids and logins",
                                 err->msg) != EKSAUTH_OK)
            return EKSAUTH_ENOMEM;
    } else if (eksauth_iddb_verify(a->old, &damage) != EKSAUTH_OK &&
               /* What can be read is carried over; the rest's ids and holds go: say so. */
               eksauth_strlist_addf(&r->warnings, err,
                                    "%s: %s: their recorded ids, logins and id holds are not "
                                    "carried over",
                                    a->ctx->paths.db, damage.msg) != EKSAUTH_OK) {
        return EKSAUTH_ENOMEM;
    }
    /*
     * Above both the DB's and the snapshot state's: a rebuilt DB (no old
     * one) or one left behind by a failed rename must not take a generation
     * again, or a login's "a sync ran since" check (lib/iddb_record.c) could
     * take the new DB for the one it read.  A missing state counts
     * EKSAUTH_SNAPSHOT_NO_GENERATION (0).
     */
    g = a->old != NULL ? eksauth_iddb_generation(a->old) : 0;
    r->generation = (now.generation > g ? now.generation : g) + 1;
    /* This host's instance, for the plan and the templates NSS serves: one reading. */
    eksauth_mapping_plan_instance(a->ctx, &a->m);
    st = eksauth_mapping_plan(a->ctx, a->old, &a->m, err);
    for (i = 0; st == EKSAUTH_OK && i < a->m.plan.n_warnings; i++)
        st = eksauth_strlist_add(&r->warnings, a->m.plan.warnings[i], err);
    if (st == EKSAUTH_OK)
        st = start_builder(a, err);
    if (st == EKSAUTH_OK)
        st = add_plan(a, err);
    if (st == EKSAUTH_OK)
        st = carry_over(a, err);
    /* What this sync removed keeps its id for id_tombstone_days (tombstone.h). */
    if (st == EKSAUTH_OK)
        st = eksauth_tombstones_carry(a->old, a->b, (uint64_t)time(NULL),
                                      a->ctx->cfg.id_tombstone_days, NULL, &dropped, err);
    /* Ids given back early: files of those names could go to a new name (names-and-ids.md). */
    if (st == EKSAUTH_OK && dropped > 0)
        st = eksauth_strlist_addf(&r->warnings, err,
                                  "%zu tombstones ended early: at most %u removed names' ids are "
                                  "held (those that end last), so the others' ids may be given to "
                                  "new names; find what removes so many names (the removed list "
                                  "of eksauth sync --json)",
                                  dropped, EKSAUTH_TOMBSTONES_MAX);
    if (st == EKSAUTH_OK)
        st = eksauth_id_policy_warnings(a->ctx, r->templates.n, NULL, &r->warnings, err);
    /*
     * The document first, then the DB written from it, under the same lock:
     * a login takes the snapshot only with a DB of its generation or later
     * (record_login adds generations), so it never maps with a snapshot
     * newer than the DB (snapshot.h).  All three files are written to their
     * temp files before any is renamed: a full disk, a quota or an I/O error
     * then leaves the DB, its snapshot and the state as they were, and
     * logins go on with them (tests/hardening/sync_disk_full.sh).  A DB
     * that could not be renamed after the snapshot: the state goes, and
     * logins wait for the next sync (fail closed).
     */
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_prepare_locked(a->b, a->ctx->paths.db, &a->db_file, err);
    /*
     * The drop the DB's replace will owe nscd's caches, on disk before any
     * rename (nscd.h): a sync killed before nscd answers still owes it to
     * the next sync or the watch.  A folder where that empty file cannot be
     * made or synced fails the sync as the DB's own files do, the set
     * unchanged.
     */
    if (st == EKSAUTH_OK)
        st = eksauth_nscd_owe_locked(&a->nscd, a->ctx->paths.db, err);
    if (st == EKSAUTH_OK) {
        char inputs[64 + 1];

        eksauth_snapshot_inputs(&a->ctx->cfg, &a->ctx->local, inputs);
        st = eksauth_snapshot_prepare_locked(&a->ctx->paths, a->snap, time(NULL), r->generation,
                                             inputs, a->m.host, a->state, &a->snap_files, err);
        if (st == EKSAUTH_OK)
            st = eksauth_snapshot_commit_locked(&a->snap_files, err);
        if (st == EKSAUTH_OK)
            st = write_login_index(a, inputs, err);
    }
    if (st == EKSAUTH_OK) {
        /*
         * Replaced as far as nscd is concerned once the rename is tried: a
         * failure of the folder's fsync after it leaves the new DB in place,
         * and a drop asked for a DB that was not renamed costs one request.
         */
        a->replaced = true;
        st = eksauth_iddb_commit_locked(&a->db_file, err);
        if (st != EKSAUTH_OK) {
            (void)unlink(a->ctx->paths.state);
            (void)unlink(a->ctx->paths.index);
        }
    }
    if (st == EKSAUTH_OK) {
        r->users = eksauth_iddb_builder_user_count(a->b);
        r->groups = eksauth_iddb_builder_group_count(a->b);
    }
    return st;
}

/* "dropped, as the cluster drops them: V (why), ..." appended to err ("dropped here" when it reads
 * one). */
static void append_dropped(const struct eksauth_awsauth *aa, struct eksauth_error *err)
{
    size_t i, n = eksauth_awsauth_dropped_count(aa);

    eksauth_error_append(err, eksauth_awsauth_cluster_drops_all(aa)
                                  ? "dropped, as the cluster drops them: "
                                  : "dropped here: ");
    for (i = 0; i < n; i++)
        eksauth_error_append(err, "%s%s", i > 0 ? ", " : "", eksauth_awsauth_dropped_at(aa, i));
}

/*
 * The version a document written without dropped values is kept under:
 * no fetch gives one ending in "!dropped" (kube.c's resourceVersion
 * alphabet has no '!'; cluster.c's only one with it is "k8s:!absent"; a
 * file's is "file"), so the state keeps it apart from the source's own.
 */
static void dropped_version(const char *version, char out[EKSAUTH_CLUSTER_VERSION_MAX])
{
    snprintf(out, EKSAUTH_CLUSTER_VERSION_MAX, "%.*s!dropped",
             (int)(EKSAUTH_CLUSTER_VERSION_MAX - sizeof("!dropped")), version);
}

/* The values of aa dropped as the cluster drops them, into report->dropped and one failure. */
static enum eksauth_status dropped_failure(const struct eksauth_awsauth *aa, const char *label,
                                           struct eksauth_sync_report *report,
                                           struct eksauth_error *err)
{
    size_t i, n = eksauth_awsauth_dropped_count(aa);

    for (i = 0; i < n; i++) {
        if (eksauth_strlist_add(&report->dropped, eksauth_awsauth_dropped_at(aa, i), err) !=
            EKSAUTH_OK)
            return EKSAUTH_ENOMEM;
    }
    eksauth_fail(err, EKSAUTH_EINVAL, "%s: ", label);
    append_dropped(aa, err);
    eksauth_error_append(err, eksauth_awsauth_cluster_drops_all(aa)
                                  ? "; the identity DB was written without their entries, as the "
                                    "cluster maps without them: fix the value"
                                  : "; the identity DB was written without their entries, some of "
                                    "which the cluster maps: write the value as said");
    return EKSAUTH_EINVAL;
}

/* An aws-auth that maps nobody would revoke everyone: only on purpose; say why it maps nobody. */
static enum eksauth_status maps_nobody(const struct eksauth_awsauth *aa, const char *label,
                                       struct eksauth_error *err)
{
    size_t n = eksauth_awsauth_warning_count(aa);

    eksauth_fail(err, EKSAUTH_EINVAL, "%s maps nobody", label);
    /* A malformed value, dropped, or entries skipped: the fix is there, not in --allow-empty. */
    if (eksauth_awsauth_dropped_count(aa) > 0) {
        eksauth_error_append(err, " (");
        append_dropped(aa, err);
        eksauth_error_append(err, ")");
    } else if (n > 0) {
        eksauth_error_append(err, " (%zu warning%s; the first: %s)", n, n == 1 ? "" : "s",
                             eksauth_awsauth_warning_at(aa, 0));
    }
    eksauth_error_append(err, ": refusing to empty the identity DB (--allow-empty does it); the "
                              "identity DB is unchanged");
    return EKSAUTH_EINVAL;
}

/* The wait before nscd is asked again within a sync: a daemon restarting listens by then. */
#define NSCD_RETRY_MS 2000

/*
 * Why a drop was owed before this run's write, in words true of it: a
 * request that failed (the mark, a sync's or a login's), another writer's
 * claim taken over (killed, or not yet answered), only claims of a writer
 * holding the DB's lock (whose write, if any, it asks for itself), or
 * claims neither taken nor seen at work (the lock not ours to take, or
 * their writer done between the count and the take).
 */
static const char *owed_because(const struct eksauth_nscd_debt *d)
{
    if (d->failed)
        return "dropped (an earlier sync or login could not)";
    if (d->taken > 0)
        return "dropped (an earlier sync or login had not been answered)";
    if (d->writing)
        return "dropped (asked while another sync or login held the DB's lock)";
    return "dropped (another sync or login was asking too)";
}

/*
 * nscd's passwd and group caches dropped: after this sync replaced the DB
 * (d: its claim, made under the lock), or because an earlier writer could
 * not, or was killed before nscd answered (d NULL: taken from the mark and
 * the claims beside the DB, nscd.h: files, as a timer's sync is a process
 * that exits).  Why it matters: an nscd that kept its caches serves a user
 * a sync removed, with its groups (sudo's rules), for its time to live
 * (600 s for passwd in Debian's nscd.conf), and a daemon busy or
 * restarting at that moment is common.  So: asked again once after
 * NSCD_RETRY_MS; still not done, a warning naming the commands that drop
 * them by hand, and the mark, so the next sync asks again even when it
 * writes nothing.  A mark root made by hand costs one request to nscd;
 * nothing else trusts it, and another user's file there is none (nscd.h).
 */
static void drop_nscd_caches(struct eksauth_ctx *ctx, struct eksauth_nscd_debt *d, bool replaced,
                             struct eksauth_sync_report *r)
{
    struct eksauth_nscd_debt taken;
    struct eksauth_error e;
    bool retried = false, dropped = true, earlier;

    if (d == NULL) {
        /*
         * Nothing owed, or this run asked already (what came of it is in
         * r->nscd; what is owed since is the next run's).  Looked for even
         * then, so a run makes the same calls whatever an earlier writer
         * left (tests/hardening/iddb_faults.sh kills a sync at each one).
         */
        if (!eksauth_nscd_owed(ctx->paths.db) || r->nscd != NULL ||
            !eksauth_nscd_take(&taken, ctx->paths.db))
            return;
        d = &taken;
    }
    earlier = d == &taken || d->taken > 0;
    if (!replaced && !earlier) {
        /* Nothing replaced, nothing owed before: the claim made for it goes. */
        (void)eksauth_nscd_settle(d, true, NULL);
        return;
    }
    if (eksauth_iddb_replaced(&e) != EKSAUTH_OK) {
        ctx->services.sleep_ms(NSCD_RETRY_MS);
        retried = true;
        dropped = eksauth_iddb_replaced(&e) == EKSAUTH_OK;
    }
    if (!dropped) {
        r->nscd = "pending";
        (void)eksauth_strlist_addf(&r->warnings, NULL,
                                   "%s (asked again after %d s; the next sync asks again)", e.msg,
                                   NSCD_RETRY_MS / 1000);
    }
    /* Removed once nscd confirmed, else left as the mark. */
    if (eksauth_nscd_settle(d, dropped, &e) != EKSAUTH_OK)
        (void)eksauth_strlist_addf(&r->warnings, NULL,
                                   "%s: the next sync will not ask nscd again; run nscd -i passwd "
                                   "and nscd -i group as root",
                                   e.msg);
    if (dropped)
        r->nscd = retried ? "dropped on a retry" : earlier ? owed_because(d) : NULL;
}

void eksauth_sync_nscd_owed(struct eksauth_ctx *ctx, struct eksauth_sync_report *r)
{
    drop_nscd_caches(ctx, NULL, false, r);
}

/*
 * The report is read on a terminal, in a journal and as JSON: an aws-auth
 * template or username quoted in it (a U+202E in a username template) must
 * not reorder or hide what it says (status.h, eksauth_message_clean).
 */
static void clean_report(struct eksauth_sync_report *r)
{
    struct eksauth_strlist *lists[] = {&r->templates, &r->added,    &r->removed,
                                       &r->kept,      &r->warnings, &r->dropped};
    size_t i, j;

    for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
        for (j = 0; j < lists[i]->n; j++)
            eksauth_message_clean(lists[i]->v[j]);
}

enum eksauth_status eksauth_sync_apply(struct eksauth_ctx *ctx,
                                       const struct eksauth_cluster_snapshot *snap,
                                       bool allow_empty, struct eksauth_snapshot_state *state,
                                       struct eksauth_sync_report *report,
                                       struct eksauth_error *err)
{
    const char *label = snap->what;
    struct eksauth_cluster_snapshot kept = *snap;
    struct eksauth_snapshot_state own_state;
    struct apply a;
    enum eksauth_status st;
    size_t i;
    int lock = -1;

    memset(&a, 0, sizeof(a));
    a.ctx = ctx;
    a.report = report;
    a.snap = &kept;
    a.state = state != NULL ? state : &own_state;
    a.expect = state;
    snprintf(report->db, sizeof(report->db), "%s", ctx->paths.db);
    snprintf(report->source, sizeof(report->source), "%s", label);
    /* 1. The new aws-auth, fully parsed before anything is touched. */
    st = eksauth_mapping_parse(label, snap->data, snap->len, &a.m, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_append(err, "; the identity DB is unchanged");
        return st;
    }
    /*
     * Written without dropped values is written: keep it under a version no
     * fetch gives, so that every later sync of the same document fails
     * again, naming the values, until they are fixed (already_applied: it
     * finds it applied and writes nothing, found_unchanged says it again).
     */
    if (eksauth_awsauth_dropped_count(a.m.aa) > 0)
        dropped_version(snap->version, kept.version);
    for (i = 0; st == EKSAUTH_OK && i < snap->n_warnings; i++)
        st = eksauth_strlist_add(&report->warnings, snap->warnings[i], err);
    for (i = 0; st == EKSAUTH_OK && i < eksauth_awsauth_warning_count(a.m.aa); i++)
        st = eksauth_strlist_add(&report->warnings, eksauth_awsauth_warning_at(a.m.aa, i), err);
    if (st == EKSAUTH_OK && eksauth_awsauth_count(a.m.aa) == 0 && !allow_empty) {
        report->refused_empty = true;
        st = maps_nobody(a.m.aa, label, err);
    }
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_local_names(ctx, &a.host, err);
    if (st != EKSAUTH_OK)
        goto out;

    /*
     * Every reader refuses a DB in a folder others can write (lib/iddb.c):
     * writing one there would serve nobody, or serve what whoever can
     * rename in it puts back.  Refused before the lock file goes in it.
     */
    if (st == EKSAUTH_OK && eksauth_trust_check_writer_folder(ctx->paths.db, err) != EKSAUTH_OK) {
        eksauth_error_prefix(err, "identity DB");
        eksauth_error_append(err, "; the identity DB is unchanged");
        st = EKSAUTH_EINVAL;
        goto out;
    }
    /* 2. Under the lock: the DB cannot change between reading its ids and replacing it. */
    st = eksauth_iddb_lock(ctx->paths.db, &lock, err);
    /* The identity DB and its folder are root's: a refusal for anyone else says so. */
    if (st != EKSAUTH_OK && geteuid() != 0)
        eksauth_error_append(err, "; the identity DB is root's: run eksauth sync as root "
                                  "(sudo eksauth sync)");
    if (st == EKSAUTH_OK)
        st = apply_locked(&a, err);
    /* What was written and not renamed (a failure): no temp file stays; under the lock. */
    eksauth_file_discard(&a.db_file);
    eksauth_snapshot_discard(&a.snap_files);
    eksauth_iddb_unlock(lock);
    /* nscd told once the lock is free (a stuck one holds up this sync alone). */
    drop_nscd_caches(ctx, &a.nscd, a.replaced, report);
    /* 3. What the cluster drops is dropped here too (written without it), and named: a failure. */
    if (st == EKSAUTH_OK && eksauth_awsauth_dropped_count(a.m.aa) > 0)
        st = dropped_failure(a.m.aa, label, report, err);
    /* The NSS module reads one path only (it cannot read the config). */
    report->db_not_served =
        strcmp(ctx->paths.db, EKSAUTH_DB_PATH) != 0 && secure_getenv("EKSAUTH_DB") == NULL;
out:
    clean_report(report);
    eksauth_iddb_builder_free(a.b);
    eksauth_iddb_close(a.old);
    eksauth_mapping_free(&a.m);
    return st;
}

/* What already_applied found. */
enum applied {
    NOT_APPLIED,
    APPLIED,
    /* Applied, written without its dropped values (eksauth_sync_apply): still a failure. */
    APPLIED_DROPPED,
};

/*
 * Whether snap is the document of state and the DB is the one written from
 * it (or a login's later one), by a sync with this host's inputs, less than
 * a day ago, and carries no stale mark: only then is the source nothing to do.  A new deny_user,
 * group_map or id key counts at the next sync, and idle logins and ended
 * tombstones go within a day, even while aws-auth stays the same.  A state
 * whose version is snap's dropped version (the same document written
 * without values the cluster drops) is APPLIED_DROPPED under the same
 * rules: the same bytes (its SHA-256), so no other document, a hostile
 * one included, can pass for it and keep an older DB in force.
 */
static enum applied already_applied(struct eksauth_ctx *ctx,
                                    const struct eksauth_sync_options *opts,
                                    const struct eksauth_snapshot_state *state,
                                    const struct eksauth_cluster_snapshot *snap)
{
    const struct eksauth_host *local = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_error kerr;
    char inputs[64 + 1], host[EKSAUTH_SNAPSHOT_HOST_MAX], dropped[EKSAUTH_CLUSTER_VERSION_MAX];
    long long now = (long long)time(NULL);
    bool applied, was_dropped = false;

    if (opts->force || state->version[0] == '\0')
        return NOT_APPLIED;
    if (strcmp(state->version, snap->version) != 0) {
        dropped_version(snap->version, dropped);
        if (strcmp(state->version, dropped) != 0)
            return NOT_APPLIED;
        was_dropped = true;
    }
    if (!eksauth_snapshot_is(state, snap->data, snap->len))
        return NOT_APPLIED;
    if (state->generation == EKSAUTH_SNAPSHOT_NO_GENERATION || now < state->fetched_at ||
        now - state->fetched_at >= EKSAUTH_SNAPSHOT_REPLAN_S)
        return NOT_APPLIED;
    /* A key or account file that cannot be read: plan again, and the plan says why it fails. */
    if (eksauth_ctx_id_key(ctx, &kerr) != EKSAUTH_OK ||
        eksauth_ctx_local_names(ctx, &local, &kerr) != EKSAUTH_OK)
        return NOT_APPLIED;
    eksauth_snapshot_inputs(&ctx->cfg, &ctx->local, inputs);
    if (strcmp(inputs, state->inputs) != 0)
        return NOT_APPLIED;
    /*
     * Templates bound to an instance: this one's, or the DB was made on
     * another (an image baked after a sync) and NSS would serve that
     * instance's node login here, not this one's.  Asked only when a
     * template needed it; a state from before the line says nothing.
     */
    if (!state->host_read)
        return NOT_APPLIED;
    if (state->host[0] != '\0') {
        eksauth_mapping_instance_line(ctx, host);
        if (strcmp(host, state->host) != 0)
            return NOT_APPLIED;
    }
    if (eksauth_iddb_open(ctx->paths.db, &db, NULL) != EKSAUTH_OK)
        return NOT_APPLIED;
    /*
     * A DB still marked stale was left so by a writer killed between the
     * mark and its rename (lib/iddb_replace.c), or is being replaced now:
     * every lookup of every process stat()s the path while the mark stays,
     * so it is written again (under the lock, after any live writer).
     */
    applied = !eksauth_iddb_is_stale(db) && state->generation <= eksauth_iddb_generation(db);
    eksauth_iddb_close(db);
    if (!applied)
        return NOT_APPLIED;
    return was_dropped ? APPLIED_DROPPED : APPLIED;
}

/*
 * snap, applied without its dropped values: nothing to write, but the
 * failure naming them, as the sync that wrote it said it (dropped_failure),
 * at every sync until aws-auth is fixed.  Before, every sync wrote the same
 * DB again for it (a new generation, an fsync, nscd's caches dropped): the
 * timer's each minute, a merged source's watch at each poll.  False when the
 * document, parsed again, is not that failure now (an eksauth that reads
 * the value, or one that maps nobody without allow_empty): then applied, as
 * any other.
 */
static bool still_dropped(const struct eksauth_cluster_snapshot *snap, bool allow_empty,
                          struct eksauth_sync_report *r, enum eksauth_status *st,
                          struct eksauth_error *err)
{
    struct eksauth_mapping m;
    struct eksauth_error perr;
    bool dropped;

    memset(&m, 0, sizeof(m));
    if (eksauth_mapping_parse(snap->what, snap->data, snap->len, &m, &perr) != EKSAUTH_OK) {
        eksauth_mapping_free(&m);
        return false;
    }
    dropped =
        eksauth_awsauth_dropped_count(m.aa) > 0 && (eksauth_awsauth_count(m.aa) > 0 || allow_empty);
    if (dropped) {
        *st = dropped_failure(m.aa, snap->what, r, err);
        clean_report(r);
    }
    eksauth_mapping_free(&m);
    return dropped;
}

/*
 * Whether snap needs nothing written (already_applied): then
 * report->unchanged, and *st the run's status: EKSAUTH_OK, or the failure
 * of a document applied without its dropped values (still_dropped).
 */
static bool found_unchanged(struct eksauth_ctx *ctx, const struct eksauth_sync_options *opts,
                            const struct eksauth_snapshot_state *state,
                            const struct eksauth_cluster_snapshot *snap,
                            struct eksauth_sync_report *r, enum eksauth_status *st,
                            struct eksauth_error *err)
{
    switch (already_applied(ctx, opts, state, snap)) {
    case APPLIED:
        *st = EKSAUTH_OK;
        break;
    case APPLIED_DROPPED:
        if (!still_dropped(snap, opts->allow_empty, r, st, err))
            return false;
        break;
    case NOT_APPLIED:
    default:
        return false;
    }
    r->unchanged = true;
    return true;
}

enum eksauth_status eksauth_sync_snapshot(struct eksauth_ctx *ctx,
                                          const struct eksauth_sync_options *opts,
                                          struct eksauth_snapshot_state *state,
                                          const struct eksauth_cluster_snapshot *snap,
                                          struct eksauth_sync_report *r, struct eksauth_error *err)
{
    enum eksauth_status st;

    snprintf(r->db, sizeof(r->db), "%s", ctx->paths.db);
    snprintf(r->version, sizeof(r->version), "%s", snap->version);
    snprintf(r->source, sizeof(r->source), "%s", snap->what);
    if (found_unchanged(ctx, opts, state, snap, r, &st, err))
        return st;
    return eksauth_sync_apply(ctx, snap, opts->allow_empty, state, r, err);
}

/*
 * Unchanged is news too: the snapshot is current as of now (max_snapshot_age,
 * doctor).  rv: the latest resourceVersion seen, or NULL.  A state that
 * cannot be written is a warning here, kept in r->unconfirmed: the DB is
 * right either way, and the watch goes on; eksauth_sync_run fails on it.
 */
static enum eksauth_status confirm_unchanged(struct eksauth_ctx *ctx,
                                             struct eksauth_snapshot_state *state, const char *rv,
                                             struct eksauth_sync_report *r,
                                             struct eksauth_error *err)
{
    struct eksauth_error cerr;

    if (eksauth_snapshot_confirm(&ctx->paths, ctx->trust_files, state, rv, time(NULL), &cerr) ==
        EKSAUTH_OK)
        return EKSAUTH_OK;
    snprintf(r->unconfirmed, sizeof(r->unconfirmed), "%s", cerr.msg);
    return eksauth_strlist_addf(&r->warnings, err, "the snapshot's state was not updated: %s",
                                cerr.msg);
}

/*
 * The failure of a sync that found its source unchanged and could not say
 * so in the state (a full disk, EIO): its checked_at is what
 * max_snapshot_age counts from, so logins are refused once it is too old,
 * and the timer's sync must not report success until then.
 */
static enum eksauth_status unconfirmed_failure(const struct eksauth_sync_report *r,
                                               struct eksauth_error *err)
{
    return eksauth_fail(err, EKSAUTH_EIO,
                        "%s: aws-auth (%s) is unchanged, but the snapshot's state was not "
                        "updated: the identity DB is unchanged and in force; max_snapshot_age "
                        "counts from the last update, so fix this before it refuses logins",
                        r->unconfirmed, r->version[0] != '\0' ? r->version : "file");
}

/*
 * A source found unchanged (found_unchanged, status st) is confirmed: one
 * applied without its dropped values too, whose failure stays the run's.
 * That DB is the source as the cluster maps it, current as of now, and a
 * sync that wrote it again each time kept max_snapshot_age from refusing
 * logins meanwhile; the watch's stream end confirms it likewise
 * (lib/sync_watch.c).
 */
static enum eksauth_status confirm_found(struct eksauth_ctx *ctx,
                                         struct eksauth_snapshot_state *state, const char *rv,
                                         struct eksauth_sync_report *r, enum eksauth_status st,
                                         struct eksauth_error *err)
{
    struct eksauth_error cerr;

    if (st == EKSAUTH_OK)
        return confirm_unchanged(ctx, state, rv, r, err);
    /* Its failure is not confirm_unchanged's to replace (it fails only out of memory). */
    if (r->dropped.n > 0 && confirm_unchanged(ctx, state, rv, r, &cerr) != EKSAUTH_OK) {
        *err = cerr;
        return cerr.status;
    }
    return st;
}

/* The budget's waiting and dice are the context's (fakes in tests). */
static void ctx_sleep(void *arg, long ms)
{
    ((struct eksauth_ctx *)arg)->services.sleep_ms(ms);
}

static uint32_t ctx_random(void *arg)
{
    return ((struct eksauth_ctx *)arg)->services.random_u32();
}

static enum eksauth_status fetch_once(struct eksauth_ctx *ctx,
                                      const struct eksauth_sync_options *opts,
                                      struct eksauth_snapshot_state *state,
                                      struct eksauth_sync_report *r, struct eksauth_error *err)
{
    struct eksauth_cluster_snapshot snap;
    struct eksauth_entry_cache cache;
    struct eksauth_budget budget;
    struct eksauth_error cerr;
    struct eksauth_fetch f;
    enum eksauth_status st;
    size_t i;
    char age[300];

    snprintf(r->db, sizeof(r->db), "%s", ctx->paths.db);
    eksauth_budget_init(&budget, ctx->cfg.sync_max_requests);
    budget.sleep_ms = ctx_sleep;
    budget.random = ctx_random;
    budget.arg = ctx;
    /* A cache that cannot be used is no cache: every entry is read again (within the budget). */
    if (eksauth_entry_cache_read(&ctx->paths, ctx->trust_files, &cache, &cerr) != EKSAUTH_OK &&
        eksauth_strlist_addf(&r->warnings, err, "%s", cerr.msg) != EKSAUTH_OK)
        return EKSAUTH_ENOMEM;
    memset(&f, 0, sizeof(f));
    f.now = time(NULL);
    f.since_rv = state->rv[0] != '\0' ? state->rv : NULL;
    f.last_what = state->what[0] != '\0' ? state->what : NULL;
    f.budget = &budget;
    f.cache = &cache;
    st = ctx->services.cluster_fetch(&ctx->cfg, &f, &snap, err);
    r->requests = budget.used;
    r->retries = budget.retries;
    r->throttled = budget.throttled;
    /* What was read is kept, even when the sync fails later: the next one asks less. */
    if (cache.dirty && eksauth_entry_cache_write(&ctx->paths, &cache, &cerr) != EKSAUTH_OK &&
        eksauth_strlist_addf(&r->warnings, NULL, "the access entry cache was not kept: %s",
                             cerr.msg) != EKSAUTH_OK)
        st = EKSAUTH_ENOMEM;
    eksauth_entry_cache_free(&cache);
    if (st != EKSAUTH_OK) {
        eksauth_cluster_snapshot_free(&snap);
        /*
         * The last answer is the message; that it came after retries, and
         * how many the server throttled, is what tells an operator the
         * fleet is too many for the API (docs/fleet.md, decision 5), not
         * that eksauth gave up at the first 429.
         */
        if (r->retries > 0)
            eksauth_error_append(err, " (after %u retries, %u answers throttled)", r->retries,
                                 r->throttled);
        eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, state);
        eksauth_snapshot_state_age(state, time(NULL), age, sizeof(age));
        eksauth_error_append(err, "; %s", age);
        return st;
    }
    snprintf(r->rv, sizeof(r->rv), "%s", snap.rv);
    for (i = 0; st == EKSAUTH_OK && i < snap.n_stale; i++)
        st = eksauth_strlist_add(&r->stale, snap.stale[i], err);
    if (st == EKSAUTH_OK)
        st = eksauth_sync_snapshot(ctx, opts, state, &snap, r, err);
    if (r->unchanged)
        st = confirm_found(ctx, state, snap.rv, r, st, err);
    eksauth_cluster_snapshot_free(&snap);
    return st;
}

/*
 * After a try another sync superseded (report->superseded): a fresh report
 * and the state as it is now, for one more read of the source; false when
 * the try was not superseded or SUPERSEDED_TRIES are spent.
 */
static bool read_again(struct eksauth_ctx *ctx, struct eksauth_snapshot_state *state,
                       struct eksauth_sync_report *r, enum eksauth_status st, unsigned *tries)
{
    if (st == EKSAUTH_OK || !r->superseded || ++*tries >= SUPERSEDED_TRIES)
        return false;
    eksauth_sync_report_free(r);
    memset(r, 0, sizeof(*r));
    eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, state);
    return true;
}

enum eksauth_status eksauth_sync_fetch(struct eksauth_ctx *ctx,
                                       const struct eksauth_sync_options *opts,
                                       struct eksauth_snapshot_state *state,
                                       struct eksauth_sync_report *r, struct eksauth_error *err)
{
    enum eksauth_status st;
    unsigned tries = 0;

    do
        st = fetch_once(ctx, opts, state, r, err);
    while (read_again(ctx, state, r, st, &tries));
    /* Owed by an earlier sync: asked whatever this one did (an unchanged source, an outage). */
    drop_nscd_caches(ctx, NULL, false, r);
    return st;
}

/*
 * One sync of the file source: read, then applied unless --if-changed
 * finds it applied.  *state was read before the file: a sync that writes
 * after that read makes this one superseded (apply_locked).
 */
static enum eksauth_status file_once(struct eksauth_ctx *ctx,
                                     const struct eksauth_sync_options *opts,
                                     struct eksauth_snapshot_state *state,
                                     struct eksauth_sync_report *report, struct eksauth_error *err)
{
    struct eksauth_cluster_snapshot snap;
    char label[EKSAUTH_PATH_MAX + 64];
    enum eksauth_status st;

    memset(&snap, 0, sizeof(snap));
    st = eksauth_mapping_read(ctx, opts->aws_auth_path, &snap.data, &snap.len, label, err);
    if (st != EKSAUTH_OK) {
        /* A source that cannot be read is this host's setup to fix (exit 2). */
        if (st != EKSAUTH_ENOMEM)
            err->status = st = EKSAUTH_EINVAL;
        eksauth_error_append(err, "; the identity DB is unchanged");
        return st;
    }
    snprintf(snap.what, sizeof(snap.what), "%.*s", (int)sizeof(snap.what) - 1, label);
    snprintf(snap.version, sizeof(snap.version), "file");
    if (opts->if_changed && found_unchanged(ctx, opts, state, &snap, report, &st, err)) {
        snprintf(report->version, sizeof(report->version), "%s", snap.version);
        st = confirm_found(ctx, state, NULL, report, st, err);
    } else {
        st = eksauth_sync_apply(ctx, &snap, opts->allow_empty, state, report, err);
    }
    free(snap.data);
    return st;
}

enum eksauth_status eksauth_sync_run(struct eksauth_ctx *ctx,
                                     const struct eksauth_sync_options *opts,
                                     struct eksauth_sync_report *report, struct eksauth_error *err)
{
    struct eksauth_snapshot_state state;
    enum eksauth_status st;
    unsigned tries = 0;

    memset(report, 0, sizeof(*report));
    /* Before the source is read (apply_locked compares it with the state on disk then). */
    eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, &state);
    if (opts->aws_auth_path == NULL && ctx->cfg.source != EKSAUTH_SOURCE_FILE) {
        st = eksauth_sync_fetch(ctx, opts, &state, report, err);
    } else {
        do
            st = file_once(ctx, opts, &state, report, err);
        while (read_again(ctx, &state, report, st, &tries));
        drop_nscd_caches(ctx, NULL, false, report);
    }
    if (st == EKSAUTH_OK && report->unconfirmed[0] != '\0')
        st = unconfirmed_failure(report, err);
    else if (st != EKSAUTH_OK && report->unconfirmed[0] != '\0')
        /* A failure of its own (values the cluster drops) must not hide the clock running out. */
        eksauth_error_append(err,
                             "; and the snapshot's state was not updated (%s): max_snapshot_age "
                             "counts from the last update, so fix this before it refuses logins",
                             report->unconfirmed);
    return st;
}

void eksauth_sync_report_free(struct eksauth_sync_report *report)
{
    eksauth_strlist_free(&report->templates);
    eksauth_strlist_free(&report->added);
    eksauth_strlist_free(&report->removed);
    eksauth_strlist_free(&report->kept);
    eksauth_strlist_free(&report->warnings);
    eksauth_strlist_free(&report->dropped);
    eksauth_strlist_free(&report->stale);
}
