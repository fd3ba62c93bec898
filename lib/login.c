/*
 * login.c - one login: the check of a token and the commit of the login
 * it proves, the account stage, and what the identity DB holds for a
 * recorded login (see login.h; docs/design.md, "The login").
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/iddb_record.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/iddb_template.h"
#include "eksauth/login.h"
#include "eksauth/names.h"
#include "eksauth/replay.h"
#include "eksauth/snapshot.h"

/* ------------------------------------------------------------ whose name */

/*
 * What decides a templated name's id besides the DB: this host's id key,
 * the time (tombstones), its local ids.  The same rules as the NSS module's,
 * so a login records the id sshd resolved (iddb_template.h).
 */
static enum eksauth_status id_rules(struct eksauth_ctx *ctx, struct eksauth_iddb_id_rules *rules,
                                    struct eksauth_error *err)
{
    const struct eksauth_host *host;
    enum eksauth_status st;

    memset(rules, 0, sizeof(*rules));
    st = eksauth_ctx_id_key(ctx, err);
    if (st == EKSAUTH_OK)
        st = eksauth_ctx_local_names(ctx, &host, err);
    if (st != EKSAUTH_OK)
        return st == EKSAUTH_ENOMEM ? st : EKSAUTH_EUNAVAIL;
    rules->key = ctx->cfg.id_key_set ? &ctx->cfg.id_key : NULL;
    rules->now = (uint64_t)time(NULL);
    rules->local_id = host->local_id;
    rules->ctx = host->ctx;
    return EKSAUTH_OK;
}

/* Whether user fits a template of db the way NSS answers for it (served or not). */
static enum eksauth_status templated_verdict(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                             const char *user, enum eksauth_iddb_verdict *v,
                                             struct eksauth_error *err)
{
    struct eksauth_iddb_id_rules rules;
    enum eksauth_status st;
    uint32_t uid;

    st = id_rules(ctx, &rules, err);
    if (st == EKSAUTH_OK)
        *v = eksauth_iddb_template_user(db, user, &rules, &uid);
    return st;
}

enum eksauth_status eksauth_login_is_local(struct eksauth_ctx *ctx, const char *user, bool *local,
                                           struct eksauth_error *err)
{
    const struct eksauth_host *host;
    enum eksauth_status st;

    *local = false;
    st = eksauth_ctx_local_names(ctx, &host, err);
    if (st == EKSAUTH_OK)
        *local = host->local_user(host->ctx, user);
    return st;
}

/*
 * A user name that is no login: quoted only when it could be one.  A token
 * or a password typed at the login prompt is a secret, and this message is
 * logged.
 */
static enum eksauth_status not_served(const char *user, struct eksauth_error *err)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];
    size_t len = strlen(user);

    if (eksauth_token_shaped(user, len)) {
        eksauth_token_fingerprint(user, len, fp);
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "a token was given as the user name (token_fp %s): give the login "
                            "name (eksauth login-name), and the token at the token prompt",
                            fp);
    }
    if (len > EKSAUTH_NAME_MAX)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "a user name of %zu bytes is not a name eksauth serves", len);
    return eksauth_fail(err, EKSAUTH_ENOTFOUND, "'%s' is not a name eksauth serves", user);
}

enum eksauth_status eksauth_login_serves(struct eksauth_ctx *ctx, const char *user,
                                         struct eksauth_error *err)
{
    const struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    enum eksauth_iddb_verdict v;
    enum eksauth_status st;

    /* Only names NSS could serve: never a reserved or malformed one. */
    if (!eksauth_names_valid(user) || eksauth_names_reserved(user))
        return not_served(user, err);
    st = eksauth_ctx_db(ctx, true, &db, err);
    if (st != EKSAUTH_OK)
        return st == EKSAUTH_ENOMEM ? st : EKSAUTH_EUNAVAIL;
    st = eksauth_iddb_user_by_name(db, user, &u);
    if (st == EKSAUTH_OK)
        return EKSAUTH_OK;
    if (st != EKSAUTH_ENOTFOUND)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "identity DB %s: bad record for %s",
                            ctx->paths.db, user);
    /* A name a template of the last sync can give: NSS answers for it already. */
    st = templated_verdict(ctx, db, user, &v, err);
    if (st != EKSAUTH_OK)
        return st;
    if (v == EKSAUTH_IDDB_TEMPLATED)
        return EKSAUTH_OK;
    /* No group of every login (lib/identity.c): a name a template gives is served to nobody. */
    if (v == EKSAUTH_IDDB_NOT_TEMPLATED && eksauth_iddb_users_gid(db) == 0 &&
        eksauth_iddb_templates_giving(db, user) > 0)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "'%s' fits a username template, but no templated name is served: "
                            "the identity DB has no group of every login (a local group has its "
                            "name, see the warnings of eksauth sync): set users_group in "
                            "eksauth.conf to a name no local group has, and run eksauth sync",
                            user);
    return eksauth_fail(err, EKSAUTH_ENOTFOUND, "'%s' is not in the identity DB", user);
}

/* ---------------------------------------------------------------- check */

/*
 * max_snapshot_age: a host whose cluster source no sync has confirmed for
 * that long refuses eksauth logins (fail closed: revocations may be
 * missing); off by default (docs/fleet.md).  A mapping read elsewhere
 * (another_source: --aws-auth, the source fetched now) is not the
 * snapshot's.
 */
static enum eksauth_status snapshot_fresh(const struct eksauth_ctx *ctx, bool another_source,
                                          time_t now, struct eksauth_error *err)
{
    if (another_source || ctx->cfg.source == EKSAUTH_SOURCE_FILE)
        return EKSAUTH_OK;
    return eksauth_snapshot_check_age(&ctx->paths, ctx->trust_files, ctx->cfg.max_snapshot_age, now,
                                      err);
}

/* Stop the check at step with status st (err already says why). */
static enum eksauth_status stop(struct eksauth_login *l, enum eksauth_login_step step,
                                enum eksauth_status st)
{
    l->step = step;
    return st;
}

/*
 * The cluster's identity of a principal the host refuses as a login (a
 * node's system: name, a local account's name): what `eksauth whoami`
 * shows beside the host's reason.
 */
static void keep_cluster_identity(struct eksauth_login *l)
{
    l->cluster_mapped =
        eksauth_awsauth_map(l->mapping.aa, &l->principal, &l->cluster, NULL) == EKSAUTH_OK;
}

/*
 * STS, with the audience the token must have been minted for: this host's
 * own (never the cluster's: a login must not hand the host a cluster
 * credential), or the request's.  A plain cluster token is tried second,
 * only when the config accepts them (accept_cluster_tokens, off by
 * default), and only after STS said the signature is not for this host.
 */
static enum eksauth_status ask_sts(struct eksauth_ctx *ctx, const struct eksauth_login_request *req,
                                   const char *audience, struct eksauth_login *l,
                                   struct eksauth_error *err)
{
    enum eksauth_status st;

    st = ctx->services.sts_get_caller_identity(&ctx->cfg, audience, ctx->paths.tls_session, &l->tok,
                                               &l->sid, err);
    if (st == EKSAUTH_EREJECTED && req->audience == NULL && ctx->cfg.accept_cluster_tokens &&
        strcmp(l->sid.error_code, "SignatureDoesNotMatch") == 0) {
        st = ctx->services.sts_get_caller_identity(&ctx->cfg, ctx->cfg.cluster_id,
                                                   ctx->paths.tls_session, &l->tok, &l->sid, err);
        l->cluster_token = st == EKSAUTH_OK;
    }
    /*
     * Say which audience this host takes, and how to mint for it: only for
     * this host's own audience.  A request's audience (`eksauth whoami`: the
     * cluster id, for a token it minted itself) is no audience a login takes.
     */
    if (st == EKSAUTH_EREJECTED && req->audience == NULL &&
        strcmp(l->sid.error_code, "SignatureDoesNotMatch") == 0)
        eksauth_error_append(err,
                             " (this host takes tokens for \"%s\": eksauth askpass mints them, "
                             "or `aws eks get-token --cluster-name %s`)",
                             audience, audience);
    return st;
}

/*
 * The mapping of the snapshot db was written from: through the login index
 * of the same sync when there is one that fits (a login then costs the
 * same whatever the size of aws-auth), else the whole snapshot, which
 * decides the same (mapping.h); whole: the snapshot whatever the index.
 */
static enum eksauth_status load_mapping(struct eksauth_ctx *ctx, const struct eksauth_iddb *db,
                                        bool whole, struct eksauth_mapping *m,
                                        struct eksauth_error *err)
{
    enum eksauth_login_index_fit fit = EKSAUTH_LOGIN_INDEX_FITS;
    struct eksauth_error why;
    enum eksauth_status st =
        whole ? EKSAUTH_ENOTFOUND : eksauth_mapping_load_indexed(ctx, db, m, &fit, &why);

    if (st == EKSAUTH_ENOMEM)
        *err = why;
    if (st != EKSAUTH_ENOTFOUND)
        return st;
    st = eksauth_mapping_load(ctx, NULL, db, m, err);
    /* Correct but slower: the operator is told why (pam_eksauth logs it, doctor says it too). */
    if (st == EKSAUTH_OK && fit != EKSAUTH_LOGIN_INDEX_FITS) {
        m->index_fit = fit;
        m->index_unfit = why;
    }
    return st;
}

/*
 * The generation of the last sync, from its state (snapshot.h;
 * EKSAUTH_SNAPSHOT_NO_GENERATION when it cannot be read).  Only a sync
 * changes it, under the DB writer's lock.
 */
static uint64_t sync_generation(const struct eksauth_ctx *ctx)
{
    struct eksauth_snapshot_state state;

    eksauth_snapshot_state_read(&ctx->paths, ctx->trust_files, &state);
    return state.generation;
}

/* eksauth_iddb_basis's synced (iddb_record.h): arg is the context. */
static bool synced_now(void *arg, uint64_t *now)
{
    *now = sync_generation(arg);
    return *now != EKSAUTH_SNAPSHOT_NO_GENERATION;
}

/*
 * The mapping of the last sync with the DB it wrote (mapping.h): one truth
 * with NSS and the account stage.  A sync that replaced them between the
 * two reads is waited for once, under its lock.  *sync: the last sync's
 * generation read before the mapping (a mapping read after is of that
 * sync or a later one, never an earlier one: a later one only makes the
 * commit stricter).
 */
static enum eksauth_status load_synced(struct eksauth_ctx *ctx, bool whole,
                                       struct eksauth_mapping *m, uint64_t *sync, bool locked,
                                       bool *db_failed, struct eksauth_error *err)
{
    const struct eksauth_iddb *db = NULL;
    enum eksauth_status st;
    int lock = -1;

    *sync = sync_generation(ctx);
    st = eksauth_ctx_db(ctx, true, &db, err);
    *db_failed = st != EKSAUTH_OK;
    if (st == EKSAUTH_OK)
        st = load_mapping(ctx, db, whole, m, err);
    /* Under the lock already (locked): no sync can be between the two reads. */
    if (st != EKSAUTH_EUNAVAIL || locked ||
        eksauth_iddb_lock(ctx->paths.db, &lock, NULL) != EKSAUTH_OK)
        return st;
    eksauth_mapping_free(m);
    eksauth_ctx_db_forget(ctx);
    *sync = sync_generation(ctx);
    st = eksauth_ctx_db(ctx, true, &db, err);
    *db_failed = st != EKSAUTH_OK;
    if (st == EKSAUTH_OK)
        st = load_mapping(ctx, db, whole, m, err);
    eksauth_iddb_unlock(lock);
    return st;
}

enum eksauth_status eksauth_login_check(struct eksauth_ctx *ctx,
                                        const struct eksauth_login_request *req,
                                        struct eksauth_login **out, struct eksauth_error *err)
{
    struct eksauth_token_policy policy;
    const struct eksauth_iddb *db = NULL;
    const char *audience = req->audience;
    struct eksauth_login *l;
    enum eksauth_status st;

    *out = NULL;
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    *out = l;
    eksauth_token_fingerprint(req->token, req->len, l->token_fp);

    /* 1. Every rule the cluster applies, before anything leaves the host. */
    eksauth_ctx_token_policy(ctx, &policy);
    st = eksauth_token_check(req->token, req->len, req->now, &policy, &l->tok, err);
    if (st != EKSAUTH_OK)
        return stop(l, EKSAUTH_LOGIN_TOKEN, st);

    /*
     * 2. Whom the token must be for, the mapping this host decides with and
     * the ids its DB gave: no STS call without them.
     */
    st = audience == NULL ? eksauth_ctx_audience(ctx, &audience, err) : EKSAUTH_OK;
    if (st == EKSAUTH_OK)
        st = snapshot_fresh(ctx, req->aws_auth_path != NULL || req->fetch_source, req->now, err);
    if (st == EKSAUTH_OK && (req->fetch_source || req->aws_auth_path != NULL)) {
        l->mapped_sync = sync_generation(ctx);
        st = eksauth_ctx_db(ctx, false, &db, err);
        l->db_failed = st != EKSAUTH_OK;
        if (st == EKSAUTH_OK)
            st = req->fetch_source
                     ? eksauth_mapping_fetch(ctx, db, &l->mapping, err)
                     : eksauth_mapping_load(ctx, req->aws_auth_path, db, &l->mapping, err);
    } else if (st == EKSAUTH_OK) {
        l->mapped_synced = true;
        l->mapped_whole = req->whole_snapshot;
        st = load_synced(ctx, req->whole_snapshot, &l->mapping, &l->mapped_sync, false,
                         &l->db_failed, err);
    }
    if (st != EKSAUTH_OK)
        return stop(l, EKSAUTH_LOGIN_SETUP, st);

    /* 3. STS says who signed it, for whom: the audience in x-k8s-aws-id must be the token's. */
    st = ask_sts(ctx, req, audience, l, err);
    if (st != EKSAUTH_OK)
        return stop(l, EKSAUTH_LOGIN_STS, st);
    eksauth_sts_principal(&l->sid, &l->tok, &l->principal);

    /* 4. aws-auth, then the host's POSIX policy (identity.h decides). */
    st = eksauth_mapping_resolve(ctx, &l->mapping, &l->principal, l->sid.principal_id, &l->id, err);
    if (st == EKSAUTH_ENOTMAPPED)
        eksauth_error_prefix(err, "not mapped");
    /*
     * An entry in a dropped value maps no one here: name the value (its why
     * can be long; the mapping's message may hold it already) and say
     * whether the cluster drops it as well.
     */
    if (st == EKSAUTH_ENOTMAPPED && eksauth_awsauth_dropped_count(l->mapping.aa) > 0) {
        const char *dropped = eksauth_awsauth_dropped_at(l->mapping.aa, 0);

        eksauth_error_append(err, " (aws-auth's %.*s was dropped, %s)", (int)strcspn(dropped, " "),
                             dropped,
                             eksauth_awsauth_dropped_cluster_reads(l->mapping.aa, 0)
                                 ? "here only: the cluster reads it"
                                 : "as the cluster drops it");
    }
    if (st == EKSAUTH_EREJECTED) {
        l->refusal = l->id.refusal;
        keep_cluster_identity(l);
    }
    if (st != EKSAUTH_OK)
        return stop(l, EKSAUTH_LOGIN_MAPPING, st);
    l->step = EKSAUTH_LOGIN_CHECKED;
    return EKSAUTH_OK;
}

/* --------------------------------------------------------------- commit */

/*
 * Record the login (under the DB writer's lock): the user and its groups as
 * the mapping gives them now, so sshd's initgroups sees them; a templated
 * user gets its persistent uid here.
 */
static enum eksauth_status record(struct eksauth_ctx *ctx, struct eksauth_login *l,
                                  struct eksauth_iddb_owed *owed, struct eksauth_error *err)
{
    struct eksauth_identity *id = &l->id;
    const struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_group_in *groups;
    struct eksauth_iddb_id_rules rules;
    struct eksauth_iddb_basis basis;
    struct eksauth_iddb_user_in u;
    enum eksauth_iddb_verdict v = EKSAUTH_IDDB_TEMPLATED;
    enum eksauth_status st;
    uint32_t uid = 0;
    size_t i;

    st = id_rules(ctx, &rules, err);
    if (st != EKSAUTH_OK)
        return st;
    groups = calloc(id->n_groups + 1, sizeof(*groups));
    if (groups == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (i = 0; i < id->n_groups; i++) {
        bool local = eksauth_config_map_find(ctx->cfg.group_map, ctx->cfg.n_group_map,
                                             id->groups[i].k8s_group) != NULL;

        groups[i].name = id->groups[i].name;
        groups[i].k8s_group = local ? NULL : id->groups[i].k8s_group;
        groups[i].gid = id->groups[i].gid;
        groups[i].flags = local ? EKSAUTH_IDDB_GROUP_LOCAL : 0;
    }
    memset(&u, 0, sizeof(u));
    u.login = id->login;
    u.k8s_username = id->k8s.username;
    /* Static users carry the entry's ARN, as sync records it; templated users the
     * caller's ARN as STS gave it: sync maps it again (session name included) to keep
     * or revoke them. */
    u.arn = (!id->templated && id->k8s.entry != NULL && id->k8s.entry->arn != NULL)
                ? id->k8s.entry->arn
                : id->arn;
    /* 0: the id NSS already answers for a templated name; a recorded user keeps its own. */
    u.uid = id->templated ? 0 : id->uid;
    u.flags = id->templated ? EKSAUTH_IDDB_USER_TEMPLATED : 0;
    /*
     * Recorded as it is already (every login of a user but the first, or the
     * first of a day): the DB this login decided with says so, and nothing is
     * written, so no lock is taken (concurrent logins do not queue on it).
     */
    if (eksauth_ctx_db(ctx, true, &db, NULL) == EKSAUTH_OK &&
        eksauth_iddb_login_is_current(db, &u, groups, id->n_groups, rules.now, &uid)) {
        st = EKSAUTH_OK;
        goto out;
    }
    /*
     * Else written under the lock, refused when a sync ran since the check
     * read its state (l->mapped_sync, what the mapping used, not whatever
     * ctx holds now) and the record cannot follow it: it would bring back
     * what the sync revoked.  Another login's write is no sync.
     */
    basis.mapped = l->mapped_sync;
    basis.synced = synced_now;
    basis.arg = ctx;
    basis.owed = owed;
    st = eksauth_iddb_record_mapped(ctx->paths.db, &basis, &u, groups, id->n_groups, &rules, &uid,
                                    &v, err);
out:
    free(groups);
    if (st != EKSAUTH_OK) {
        if (v == EKSAUTH_IDDB_ID_HELD)
            l->refusal = EKSAUTH_REFUSAL_ID_HELD;
        else if (v == EKSAUTH_IDDB_AMBIGUOUS)
            l->refusal = EKSAUTH_REFUSAL_AMBIGUOUS;
        else if (v == EKSAUTH_IDDB_CHANGED)
            l->refusal = EKSAUTH_REFUSAL_CHANGED;
        eksauth_error_prefix(err, "identity DB: recording the login failed");
        return st;
    }
    if (uid != 0)
        id->uid = uid;
    return EKSAUTH_OK;
}

/*
 * A sync overtook this login between its mapping and its record: map the
 * principal STS vouched for again, with what that sync wrote (no new STS
 * call), and keep that mapping when it is still this login, with the
 * groups the sync gives it now.  Else the refusal stands: the next login
 * is told what the new aws-auth says.
 */
static enum eksauth_status map_again(struct eksauth_ctx *ctx, struct eksauth_login *l,
                                     struct eksauth_error *err)
{
    struct eksauth_mapping m;
    struct eksauth_identity id;
    uint64_t sync = 0;
    bool db_failed;
    enum eksauth_status st;

    memset(&m, 0, sizeof(m));
    memset(&id, 0, sizeof(id));
    eksauth_ctx_db_forget(ctx);
    st = load_synced(ctx, l->mapped_whole, &m, &sync, true, &db_failed, err);
    if (st == EKSAUTH_OK)
        st = eksauth_mapping_resolve(ctx, &m, &l->principal, l->sid.principal_id, &id, err);
    if (st == EKSAUTH_OK && strcmp(id.login, l->id.login) != 0)
        st = eksauth_fail(err, EKSAUTH_EREJECTED,
                          "the identity DB changed during this login: "
                          "it now maps to login '%s'",
                          id.login);
    if (st != EKSAUTH_OK) {
        eksauth_identity_free(&id);
        eksauth_mapping_free(&m);
        return st;
    }
    eksauth_identity_free(&l->id);
    eksauth_mapping_free(&l->mapping);
    l->id = id;
    l->mapping = m;
    l->mapped_sync = sync;
    l->refusal = EKSAUTH_REFUSAL_NONE;
    return EKSAUTH_OK;
}

/*
 * single_use: the token's first use here, in its principal's own record
 * (replay.h), so one principal filling its record stops no other principal
 * (a role's sessions are one: the canonical ARN).
 */
static enum eksauth_status claim(struct eksauth_ctx *ctx, const struct eksauth_login *l, time_t now,
                                 struct eksauth_error *err)
{
    char path[EKSAUTH_PATH_MAX];
    enum eksauth_status st;

    /*
     * Root's alone, as the records in it.  EEXIST may be a link or another's
     * folder planted in a sticky DB folder: the claim's check_folder (lstat)
     * refuses anything but a real folder of root's, not group/world-writable.
     */
    if (mkdir(ctx->paths.replay, 0700) != 0 && errno != EEXIST)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "replay: %s: %s", ctx->paths.replay,
                            strerror(errno));
    st =
        eksauth_replay_path(ctx->paths.replay, l->principal.canonical_arn, path, sizeof(path), err);
    if (st == EKSAUTH_OK)
        st = eksauth_replay_claim(path, l->tok.signature, strlen(l->tok.signature),
                                  l->tok.expires_at, now, err);
    return st;
}

enum eksauth_status eksauth_login_commit(struct eksauth_ctx *ctx, struct eksauth_login *l,
                                         const char *user, time_t now, struct eksauth_error *err)
{
    struct eksauth_iddb_owed owed;
    enum eksauth_status st;
    int lock = -1;

    memset(&owed, 0, sizeof(owed));
    if (l->step != EKSAUTH_LOGIN_CHECKED)
        return eksauth_fail(err, EKSAUTH_EINVAL, "login: commit of an unchecked login");
    /* The token is for one login: the one aws-auth gives it, and no other. */
    if (strcmp(l->id.login, user) != 0) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, "the token maps to login '%s', not '%s'",
                          l->id.login, user);
        return stop(l, EKSAUTH_LOGIN_USER, st);
    }
    /*
     * single_use: a token is a bearer credential for 15 minutes; this host
     * takes each one once.  Claimed only now, so only mapped identities
     * fill the record.
     */
    if (ctx->cfg.single_use) {
        st = claim(ctx, l, now, err);
        if (st != EKSAUTH_OK)
            return stop(l, EKSAUTH_LOGIN_REPLAY, st);
        l->claimed = true;
    }
    /* Recorded, so NSS (initgroups) sees the user and its current groups. */
    st = record(ctx, l, NULL, err);
    /*
     * Overtaken by a sync: mapped again with what it wrote, and recorded if
     * still this login, both under the writer's lock, so that no other sync
     * overtakes it again (syncs back to back, a watch during a rollout,
     * would otherwise refuse first logins for as long as they last).  A
     * local step: STS has vouched for the principal already.  nscd is told
     * of its write once the lock is free, as on the ordinary path.
     */
    if (st != EKSAUTH_OK && l->refusal == EKSAUTH_REFUSAL_CHANGED && l->mapped_synced &&
        eksauth_iddb_lock(ctx->paths.db, &lock, NULL) == EKSAUTH_OK) {
        st = map_again(ctx, l, err);
        if (st == EKSAUTH_OK) {
            st = record(ctx, l, &owed, err);
        } else {
            /* What the sync gives now is no login for it; else the host cannot check now. */
            l->refusal = st == EKSAUTH_ENOTMAPPED || st == EKSAUTH_EREJECTED
                             ? EKSAUTH_REFUSAL_CHANGED
                             : EKSAUTH_REFUSAL_NONE;
            eksauth_error_prefix(err, "a sync overtook this login; mapped again");
        }
        eksauth_iddb_unlock_then_tell(lock, &owed);
    }
    if (st != EKSAUTH_OK)
        return stop(l, EKSAUTH_LOGIN_RECORD, st);
    l->step = EKSAUTH_LOGIN_DONE;
    return EKSAUTH_OK;
}

void eksauth_login_free(struct eksauth_login *l)
{
    if (l == NULL)
        return;
    eksauth_identity_free(&l->id);
    if (l->cluster_mapped)
        eksauth_k8s_identity_free(&l->cluster);
    eksauth_mapping_free(&l->mapping);
    eksauth_token_wipe(&l->tok);
    /* The token's parts and STS's answer about it: wipe before free. */
    OPENSSL_cleanse(l, sizeof(*l));
    free(l);
}

/* ------------------------------------------------------- refusal reasons */

void eksauth_login_reason(const struct eksauth_login *l, const struct eksauth_error *err, char *out,
                          size_t outlen)
{
    const char *r = "the login was refused";

    /* A class the person can act on, and still nothing about whoever else is involved. */
    switch (l->refusal) {
    case EKSAUTH_REFUSAL_ID_HELD:
        r = "this login name's id is held by another account here; ask the host's administrator";
        goto out;
    case EKSAUTH_REFUSAL_SESSION_CHARS:
        r = "your session name has characters a login name cannot carry: use only a-z, 0-9, "
            "'.', '_' and '-' (aws sts assume-role --role-session-name, or your SSO user name)";
        goto out;
    case EKSAUTH_REFUSAL_BARE_TEMPLATE:
        r = "your identity's username template gives no fixed login prefix, so hosts do not "
            "serve it; ask the cluster's administrator";
        goto out;
    case EKSAUTH_REFUSAL_AMBIGUOUS:
        r = "your login name can come from more than one mapping here, so nobody gets it; ask "
            "the cluster's administrator";
        goto out;
    case EKSAUTH_REFUSAL_CHANGED:
        /* single_use spent the token before the record failed: retried, it is "already used". */
        r = l->claimed ? "the identity DB changed during this login; log in again with a new "
                         "token (eksauth ssh mints one)"
                       : "the identity DB changed during this login; log in again";
        goto out;
    case EKSAUTH_REFUSAL_NONE:
        break;
    }
    switch (l->step) {
    case EKSAUTH_LOGIN_SETUP:
    case EKSAUTH_LOGIN_RECORD:
        r = err->status == EKSAUTH_EREJECTED
                ? "this login name belongs to another identity here"
                : "this host cannot check logins now; tell its administrator";
        break;
    case EKSAUTH_LOGIN_TOKEN:
        /* A token just made that reads as expired or ahead means two clocks differ: say so. */
        if (strncmp(err->msg, "expired", 7) == 0)
            r = "the token has expired (if it was just made, this host's clock and yours "
                "differ): get a fresh one (eksauth ssh does)";
        else if (strncmp(err->msg, "future date", 11) == 0)
            r = "the token is dated ahead of this host's clock: this host's clock or yours is "
                "wrong; tell its administrator if yours is right";
        else
            r = "that is not a usable EKS token: get a fresh one (eksauth ssh does)";
        break;
    case EKSAUTH_LOGIN_STS:
        if (err->status == EKSAUTH_EUNAVAIL)
            r = "AWS STS cannot be reached from this host now: try again later";
        else if (strcmp(l->sid.error_code, "SignatureDoesNotMatch") == 0)
            r = "the token was made for another host or cluster: use eksauth ssh, which mints "
                "one for this host";
        else
            r = "AWS STS refused the token (its credentials expired or are unknown)";
        break;
    case EKSAUTH_LOGIN_MAPPING:
        /*
         * STS vouched for the caller: its own mapping is no one else's secret.
         * Instance metadata down is this host's outage, not a verdict on the
         * mapping: the login stays refused, and the person is told to retry.
         */
        if (err->status == EKSAUTH_ENOTMAPPED)
            r = "your AWS identity is not mapped in this cluster's aws-auth";
        else if (l->mapping.instance_misnamed)
            r = "this host's instance metadata does not give the name your mapping needs "
                "(its setup, not an outage): tell its administrator";
        else if (l->mapping.instance_unknown)
            r = "this host could not read its own instance (instance metadata), which your "
                "mapping needs: try again later, or tell its administrator";
        else
            r = "your identity is mapped, but this host does not take it as a login";
        break;
    case EKSAUTH_LOGIN_USER:
        snprintf(out, outlen, "eksauth: login refused: your identity logs in as '%s' here",
                 l->id.login);
        return;
    case EKSAUTH_LOGIN_REPLAY:
        /*
         * A full record refuses fresh tokens too (replay.h): "get a fresh
         * one" would send the person round in circles.
         */
        if (err->status != EKSAUTH_EREJECTED)
            r = "this host cannot check logins now; tell its administrator";
        else if (strcmp(err->msg, EKSAUTH_REPLAY_USED) == 0)
            r = "this token was already used here (single_use): get a fresh one";
        else
            r = "this host has taken too many logins of your AWS identity (every session of "
                "your role counts) in the last half hour (single_use): try again later, or tell "
                "its administrator";
        break;
    case EKSAUTH_LOGIN_CHECKED:
    case EKSAUTH_LOGIN_DONE:
        break;
    }
out:
    snprintf(out, outlen, "eksauth: login refused: %s", r);
}

/* -------------------------------------------------------------- account */

/*
 * Any one of names among u's POSIX groups in the DB: its primary group (the
 * users' group) and its supplementary groups.  Group membership only, never
 * the login's own name: a session name chooses the login, so a login called
 * like a required group must not pass for a member of it.
 */
static bool in_any_group(const struct eksauth_iddb *db, const struct eksauth_iddb_user *u,
                         const char *const *names, size_t n)
{
    struct eksauth_iddb_group g, primary;
    bool has_primary;
    uint32_t j;
    size_t k;

    /* A private group (DBs before version 3) carries the login's name: never a match. */
    has_primary = eksauth_iddb_group_by_gid(db, u->gid, &primary) == EKSAUTH_OK &&
                  (primary.flags & EKSAUTH_IDDB_GROUP_PRIVATE) == 0;
    for (k = 0; k < n; k++) {
        if (has_primary && strcmp(names[k], primary.name) == 0)
            return true;
        for (j = 0; j < u->n_groups; j++) {
            if (eksauth_iddb_user_group(db, u, j, &g) == EKSAUTH_OK &&
                strcmp(g.name, names[k]) == 0)
                return true;
        }
    }
    return false;
}

/*
 * The snapshot is the identity DB: what `eksauth sync` last recorded from
 * aws-auth (and logins since).  Sync drops a user whose mapping left
 * aws-auth, so presence is the mapping; when this transaction
 * authenticated, the k8s user must also still be the same.
 */
enum eksauth_status eksauth_login_account(struct eksauth_ctx *ctx, const char *user,
                                          const char *authenticated_k8s_user,
                                          const char *const *require_groups, size_t n_require,
                                          const char **k8s_user, struct eksauth_error *err)
{
    const struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    enum eksauth_iddb_verdict v;
    enum eksauth_status st;

    if (k8s_user != NULL)
        *k8s_user = NULL;
    st = eksauth_ctx_db(ctx, true, &db, err);
    if (st != EKSAUTH_OK)
        return st == EKSAUTH_ENOMEM ? st : EKSAUTH_EUNAVAIL;
    st = eksauth_iddb_user_by_name(db, user, &u);
    if (st == EKSAUTH_ENOTFOUND) {
        if (authenticated_k8s_user != NULL)
            /* Authenticated a moment ago, gone now: sync ran and aws-auth lost the mapping. */
            return eksauth_fail(err, EKSAUTH_EREJECTED, "no longer mapped: not in the identity DB");
        st = templated_verdict(ctx, db, user, &v, err);
        if (st != EKSAUTH_OK)
            return st;
        if (v == EKSAUTH_IDDB_TEMPLATED)
            /* Fits a template but never proved who it is: no mapping to re-check. */
            return eksauth_fail(err, EKSAUTH_EREJECTED, "templated name not recorded by a login");
        return eksauth_fail(err, EKSAUTH_ENOTFOUND, "'%s' is not in the identity DB", user);
    }
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "identity DB %s: bad record for %s",
                            ctx->paths.db, user);
    /*
     * Ours (*k8s_user says so, whatever follows): a record no sync has
     * confirmed lately may be one aws-auth revoked since.
     */
    if (k8s_user != NULL)
        *k8s_user = u.k8s_username;
    st = snapshot_fresh(ctx, false, time(NULL), err);
    if (st != EKSAUTH_OK)
        return st;
    /* The name now belongs to another k8s user: this login is not that one. */
    if (authenticated_k8s_user != NULL && strcmp(authenticated_k8s_user, u.k8s_username) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "mapping changed: the identity DB gives k8s user '%s'", u.k8s_username);
    /* The host policy of now, even before the next sync applies it. */
    if (eksauth_names_reserved(user) || eksauth_config_denies(&ctx->cfg, user) ||
        eksauth_iddb_is_denied(db, user))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "login '%s' is denied", user);
    /* deny_user names a k8s user too (identity.c): its recorded login, whatever it is called. */
    if (eksauth_config_denies(&ctx->cfg, u.k8s_username) ||
        eksauth_iddb_is_denied(db, u.k8s_username))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "login '%s' is denied (k8s user '%s')", user,
                            u.k8s_username);
    if (n_require > 0 && !in_any_group(db, &u, require_groups, n_require))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "not in any require_group group");
    return EKSAUTH_OK;
}

/* -------------------------------------------------------- recorded login */

char *eksauth_login_join_groups(char *const *groups, size_t n)
{
    size_t i, len = 1;
    char *out, *p;

    for (i = 0; i < n; i++)
        len += strlen(groups[i]) + 1;
    out = malloc(len);
    if (out == NULL)
        return NULL;
    p = out;
    for (i = 0; i < n; i++) {
        size_t l = strlen(groups[i]);

        if (i > 0)
            *p++ = ',';
        memcpy(p, groups[i], l);
        p += l;
    }
    *p = '\0';
    return out;
}

enum eksauth_status eksauth_login_recorded(struct eksauth_ctx *ctx, const char *user,
                                           struct eksauth_login_record *out,
                                           struct eksauth_error *err)
{
    const struct eksauth_iddb *db;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_arn parsed;
    enum eksauth_status st;
    char **groups;
    bool arn_ok;
    size_t n = 0;
    uint32_t j;

    memset(out, 0, sizeof(*out));
    st = eksauth_ctx_db(ctx, true, &db, err);
    if (st != EKSAUTH_OK)
        return st == EKSAUTH_ENOMEM ? st : EKSAUTH_EUNAVAIL;
    st = eksauth_iddb_user_by_name(db, user, &u);
    if (st == EKSAUTH_ENOTFOUND)
        return eksauth_fail(err, st, "'%s' is not in the identity DB", user);
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, EKSAUTH_EUNAVAIL, "identity DB %s: bad record for %s",
                            ctx->paths.db, user);
    groups = calloc((size_t)u.n_groups + 1, sizeof(*groups));
    if (groups == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (j = 0; j < u.n_groups; j++) {
        if (eksauth_iddb_user_group(db, &u, j, &g) == EKSAUTH_OK && g.k8s_group[0] != '\0')
            groups[n++] = (char *)g.k8s_group;
    }
    arn_ok = eksauth_arn_parse(u.arn, &parsed, NULL) == EKSAUTH_OK;
    out->k8s_username = strdup(u.k8s_username);
    out->k8s_groups = eksauth_login_join_groups(groups, n);
    out->arn = strdup(u.arn);
    out->canonical_arn = strdup(arn_ok ? parsed.canonical : "");
    out->session_name = strdup(arn_ok ? parsed.session_name : "");
    out->account = strdup(arn_ok ? parsed.account : "");
    out->uid = u.uid;
    free(groups);
    if (out->k8s_username == NULL || out->k8s_groups == NULL || out->arn == NULL ||
        out->canonical_arn == NULL || out->session_name == NULL || out->account == NULL) {
        eksauth_login_record_free(out);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    }
    return EKSAUTH_OK;
}

void eksauth_login_record_free(struct eksauth_login_record *r)
{
    free(r->k8s_username);
    free(r->k8s_groups);
    free(r->arn);
    free(r->canonical_arn);
    free(r->session_name);
    free(r->account);
    memset(r, 0, sizeof(*r));
}
