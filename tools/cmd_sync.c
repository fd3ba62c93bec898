/*
 * cmd_sync.c - `eksauth sync [--aws-auth FILE] [--allow-empty] [--json]`:
 * aws-auth -> identity DB, the source of everything NSS serves.
 *
 * Under the writer's lock: read the current DB (its ids are the seeds of
 * the plan: an id never changes once given), build the plan of the new
 * aws-auth (identity.h: every static username and group, collisions, local
 * names and denied names refused with a warning), keep the logins recorded
 * from templates whose mapping still holds (groups recomputed, uid kept),
 * drop the rest (revocation), and replace the DB atomically.  A parse error
 * leaves the DB untouched (exit 2); an aws-auth with no entries is written
 * only with --allow-empty.  Prints a one-screen summary, or JSON.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_iddb.h"
#include "sync_cluster.h"
#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/identity.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"

#define AWS_AUTH_MAX     (64u * 1024 * 1024)
#define SUMMARY_WARNINGS 10 /* lines of warnings on the one-screen summary */

/* A growing list of strings (warnings, names). */
struct strlist {
    char **v;
    size_t n;
};

static bool sl_add(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool sl_add(struct strlist *l, const char *fmt, ...)
{
    char **grown;
    char *s = NULL;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return false;
    grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(s);
        return false;
    }
    l->v = grown;
    l->v[l->n++] = s;
    return true;
}

static void sl_free(struct strlist *l)
{
    size_t i;

    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

struct sync_state {
    struct eksauth_cli *cli;
    const char *db_path, *aws_auth_path;
    struct eksauth_awsauth *aa;
    struct eksauth_plan plan;
    bool plan_built;
    struct eksauth_iddb *old; /* the DB before this sync, or NULL */
    struct eksauth_iddb_builder *b;
    struct strlist warnings, added, removed, kept, templates; /* templates: those served */
    uint64_t generation;
};

static int sync_usage(FILE *out)
{
    fprintf(out, "usage: eksauth sync [--aws-auth FILE] [--allow-empty] [--json]\n"
                 "                    [--watch] [--interval S] [--force]\n"
                 "  aws-auth (--aws-auth FILE or aws_auth_file, or the cluster's API for\n"
                 "  source = kubernetes | eks-api | kubernetes+eks-api) -> the identity DB\n"
                 "  --allow-empty  write an aws-auth that maps nobody (removes every user)\n"
                 "  --json         the summary as JSON\n" SYNC_CLUSTER_USAGE);
    return out == stdout ? 0 : EXIT_USAGE;
}

#define SYNC_BOUND_TEMPLATE_MAX 1024

/* Usernames k8s keeps for itself: "system:" ones (nodes, controllers) unless allowed. */
/* NULL when NSS may answer for names of tmpl; else why not (for the sync's warning). */
static const char *template_unservable(const struct eksauth_config *cfg, const char *tmpl)
{
    struct eksauth_error err;

    if (eksauth_template_validate(tmpl, EKSAUTH_TEMPLATE_USERNAME, &err) != EKSAUTH_OK)
        return "it is not a valid username template";
    /* Refused at login anyway: NSS must not answer for them either. */
    if (strstr(tmpl, "{{AccessKeyID}}") != NULL)
        return "{{AccessKeyID}} changes every session, so it never names a login";
    if (!cfg->allow_system_users && strncmp(tmpl, "system:", 7) == 0)
        return "system: usernames are refused as logins here (allow_system_users)";
    return NULL;
}

/* Seeds: every id the current DB holds (users, and groups that are not private or local). */
static enum eksauth_status collect_seeds(const struct eksauth_iddb *db,
                                         struct eksauth_id_seed **out, size_t *n,
                                         struct eksauth_error *err)
{
    uint32_t nu = db != NULL ? eksauth_iddb_user_count(db) : 0;
    uint32_t ng = db != NULL ? eksauth_iddb_group_count(db) : 0, i;
    struct eksauth_id_seed *s;

    *out = NULL;
    *n = 0;
    s = calloc((size_t)nu + ng + 1, sizeof(*s));
    if (s == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (i = 0; i < nu; i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK)
            continue;
        s[*n].name = (char *)u.login; /* points into the mapping; plan_build copies */
        s[*n].id = u.uid;
        s[(*n)++].is_group = false;
    }
    for (i = 0; i < ng; i++) {
        struct eksauth_iddb_group g;

        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK ||
            (g.flags & (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0)
            continue;
        s[*n].name = (char *)g.name;
        s[*n].id = g.gid;
        s[(*n)++].is_group = true;
    }
    *out = s;
    return EKSAUTH_OK;
}

/* Header data: the config's id range, home and shell; templates; denied names. */
/*
 * tmpl with {{EC2PrivateDNSName}} bound to this host's own private DNS name
 * (instance metadata, read once per run): a login renders it only for the
 * host's own instance, so on this host it gives that one name, and NSS
 * answers for no other node's.
 */
static enum eksauth_status bind_host_template(struct eksauth_cli *cli, const char *tmpl, char *out,
                                              size_t outlen, struct eksauth_error *err)
{
    const char *ph = EKSAUTH_TEMPLATE_EC2_PRIVATE_DNS_NAME, *c = tmpl, *at;
    size_t len = 0;
    enum eksauth_status st;
    int n;

    out[0] = '\0';
    st = eksauth_imds_host_instance(cli->cfg.imds_endpoint, &cli->host_instance, err);
    if (st != EKSAUTH_OK)
        goto out;
    for (;;) {
        at = strstr(c, ph);
        n = snprintf(out + len, outlen - len, "%.*s%s",
                     (int)(at != NULL ? at - c : (long)strlen(c)), c,
                     at != NULL ? cli->host_instance.private_dns_name : "");
        if (n < 0 || (size_t)n >= outlen - len) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "the bound template is too long");
            goto out;
        }
        len += (size_t)n;
        if (at == NULL)
            break;
        c = at + strlen(ph);
    }
out:
    return st;
}

static enum eksauth_status start_builder(struct sync_state *s, struct eksauth_error *err)
{
    const struct eksauth_config *cfg = &s->cli->cfg;
    struct eksauth_iddb_params params;
    enum eksauth_status st;
    size_t i;

    memset(&params, 0, sizeof(params));
    params.id_min = s->plan.id_min;
    params.id_max = s->plan.id_max;
    params.home = cfg->home;
    params.shell = cfg->shell;
    st = eksauth_iddb_builder_new(&params, &s->b, err);
    if (st != EKSAUTH_OK)
        return st;
    eksauth_iddb_builder_set_generation(s->b, s->generation);
    for (i = 0; i < s->plan.n_templates; i++) {
        const char *tmpl = s->plan.templates[i];
        const char *why = template_unservable(cfg, tmpl);
        struct eksauth_error berr;
        char bound[SYNC_BOUND_TEMPLATE_MAX];

        if (why != NULL) {
            if (!sl_add(&s->warnings, "template '%s' is not served: %s; skipped", tmpl, why))
                return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
            continue;
        }
        if (eksauth_template_needs_host_instance(tmpl)) {
            if (bind_host_template(s->cli, tmpl, bound, sizeof(bound), &berr) != EKSAUTH_OK) {
                if (!sl_add(&s->warnings,
                            "template '%s' cannot be served on this host: %s; skipped", tmpl,
                            berr.msg))
                    return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                continue;
            }
            tmpl = bound;
        }
        st = eksauth_iddb_builder_add_template(s->b, tmpl, err);
        if (st != EKSAUTH_OK)
            return st;
        if (!sl_add(&s->templates, "%s", tmpl))
            return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    }
    /* The NSS module cannot read the config: deny_users travels in the DB. */
    for (i = 0; cfg->deny_users != NULL && cfg->deny_users[i] != NULL; i++) {
        st = eksauth_iddb_builder_add_denied(s->b, cfg->deny_users[i], err);
        if (st != EKSAUTH_OK)
            return st;
    }
    /* A login two k8s users fight over is served to neither, templates included. */
    for (i = 0; i < s->plan.n_refused; i++) {
        st = eksauth_iddb_builder_add_denied(s->b, s->plan.refused[i], err);
        if (st != EKSAUTH_OK)
            return st;
    }
    return EKSAUTH_OK;
}

/* The plan's groups and users into the builder; a refusal is a warning, never a partial entry. */
static enum eksauth_status add_plan(struct sync_state *s, struct eksauth_error *err)
{
    const char **names = NULL;
    struct eksauth_error e;
    size_t i, j, cap = 0;
    enum eksauth_status st = EKSAUTH_OK;

    for (i = 0; i < s->plan.n_groups; i++) {
        const struct eksauth_plan_group *pg = &s->plan.groups[i];
        struct eksauth_iddb_group_in g = {pg->name, pg->k8s_group, pg->gid,
                                          pg->local ? EKSAUTH_IDDB_GROUP_LOCAL : 0};

        if (eksauth_iddb_builder_add_group(s->b, &g, &e) != EKSAUTH_OK &&
            !sl_add(&s->warnings, "group %s not served: %s", pg->name, e.msg))
            goto nomem;
    }
    for (i = 0; i < s->plan.n_users; i++) {
        const struct eksauth_plan_user *pu = &s->plan.users[i];
        struct eksauth_iddb_user_in u;
        struct eksauth_iddb_user was;
        size_t n = 0;

        if (pu->n_groups > cap) {
            const char **grown = realloc(names, pu->n_groups * sizeof(*names));

            if (grown == NULL)
                goto nomem;
            names = grown;
            cap = pu->n_groups;
        }
        for (j = 0; j < pu->n_groups; j++) {
            const char *gname = s->plan.groups[pu->group_idx[j]].name;

            /* Only groups that made it into the DB. */
            if (eksauth_iddb_builder_has_group(s->b, gname))
                names[n++] = gname;
        }
        memset(&u, 0, sizeof(u));
        u.login = pu->login;
        u.k8s_username = pu->k8s_username;
        u.arn = pu->arn;
        u.uid = pu->uid;
        u.groups = names;
        u.n_groups = n;
        if (eksauth_iddb_builder_add_user(s->b, &u, &e) != EKSAUTH_OK) {
            if (!sl_add(&s->warnings, "user %s not served: %s", pu->login, e.msg))
                goto nomem;
            continue;
        }
        if ((s->old == NULL || eksauth_iddb_user_by_name(s->old, pu->login, &was) != EKSAUTH_OK) &&
            !sl_add(&s->added, "%s", pu->login))
            goto nomem;
    }
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
out:
    free(names);
    return st;
}

/*
 * A login recorded from a template: still mapped to the same login?  Then
 * kept with its uid and the groups the mapping gives now; else revoked.
 */
static enum eksauth_status keep_login(struct sync_state *s, const struct eksauth_iddb_user *old,
                                      struct eksauth_error *err)
{
    struct eksauth_cli *cli = s->cli;
    struct eksauth_arn *arn = NULL;
    struct eksauth_principal p;
    struct eksauth_identity id;
    struct eksauth_error e = {0};
    struct eksauth_iddb_user_in u;
    const char **names = NULL;
    bool have_id = false;
    size_t i, n = 0;
    enum eksauth_status st = EKSAUTH_OK;

    memset(&id, 0, sizeof(id));
    arn = calloc(1, sizeof(*arn));
    if (arn == NULL)
        goto nomem;
    if (eksauth_arn_parse(old->arn, arn, &e) != EKSAUTH_OK)
        goto revoked;
    memset(&p, 0, sizeof(p));
    p.arn = old->arn;
    p.canonical_arn = arn->canonical;
    p.account = arn->account;
    p.session_name = arn->session_name;
    p.access_key_id = "";
    if (cli_resolve(cli, &cli->cfg, s->aa, &s->plan, &p, NULL, &id, &e) != EKSAUTH_OK)
        goto revoked;
    have_id = true;
    if (strcmp(id.login, old->login) != 0) {
        snprintf(e.msg, sizeof(e.msg), "now maps to login '%s'", id.login);
        goto revoked;
    }
    names = calloc(id.n_groups + 1, sizeof(*names));
    if (names == NULL)
        goto nomem;
    for (i = 0; i < id.n_groups; i++) {
        const struct eksauth_posix_group *pg = &id.groups[i];

        if (!eksauth_iddb_builder_has_group(s->b, pg->name)) {
            uint32_t local_gid;
            bool local =
                cli->hostfiles.host.local_group != NULL &&
                cli->hostfiles.host.local_group(cli->hostfiles.host.ctx, pg->name, &local_gid);
            struct eksauth_iddb_group_in g = {pg->name, pg->k8s_group, pg->gid,
                                              local ? EKSAUTH_IDDB_GROUP_LOCAL : 0};
            struct eksauth_error ge;

            /* A group only this login's template yields (or a local one): added with its gid. */
            if (eksauth_iddb_builder_add_group(s->b, &g, &ge) != EKSAUTH_OK) {
                if (!sl_add(&s->warnings, "%s: group %s not served: %s", old->login, pg->name,
                            ge.msg))
                    goto nomem;
                continue;
            }
        }
        names[n++] = pg->name;
    }
    memset(&u, 0, sizeof(u));
    u.login = old->login;
    u.k8s_username = id.k8s.username;
    u.arn = old->arn;
    u.uid = old->uid; /* an id never changes once given */
    u.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    u.last_login = old->last_login;
    u.groups = names;
    u.n_groups = n;
    if (eksauth_iddb_builder_add_user(s->b, &u, &e) != EKSAUTH_OK)
        goto revoked;
    if (!sl_add(&s->kept, "%s", old->login))
        goto nomem;
    goto out;
revoked:
    if (!sl_add(&s->removed, "%s (revoked: %s)", old->login, e.msg))
        goto nomem;
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
out:
    free(names);
    if (have_id)
        eksauth_identity_free(&id);
    free(arn);
    return st;
}

/* Recorded logins, and static users that left aws-auth (reported as removed). */
static enum eksauth_status carry_over(struct sync_state *s, struct eksauth_error *err)
{
    uint32_t i, n = s->old != NULL ? eksauth_iddb_user_count(s->old) : 0;
    enum eksauth_status st;

    for (i = 0; i < n; i++) {
        struct eksauth_iddb_user u;

        if (eksauth_iddb_user_at(s->old, i, &u) != EKSAUTH_OK)
            continue;
        if (eksauth_plan_find_user(&s->plan, u.login) != NULL)
            continue; /* a static user of the new aws-auth: already in */
        if ((u.flags & EKSAUTH_IDDB_USER_TEMPLATED) != 0) {
            st = keep_login(s, &u, err);
            if (st != EKSAUTH_OK)
                return st;
        } else if (!sl_add(&s->removed, "%s (no longer in aws-auth)", u.login)) {
            return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        }
    }
    return EKSAUTH_OK;
}

static struct json_object *json_list(const struct strlist *l)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; i < l->n; i++)
        json_object_array_add(a, json_object_new_string(l->v[i]));
    return a;
}

static int report(const struct sync_state *s, bool json)
{
    uint32_t nt = eksauth_iddb_builder_user_count(s->b);
    size_t k;

    if (json) {
        struct json_object *o = json_object_new_object(), *t = json_object_new_array();
        int rc;

        for (k = 0; k < s->templates.n; k++)
            json_object_array_add(t, json_object_new_string(s->templates.v[k]));
        json_object_object_add(o, "db", json_object_new_string(s->db_path));
        json_object_object_add(o, "aws_auth", json_object_new_string(s->aws_auth_path));
        json_object_object_add(o, "generation", json_object_new_int64((int64_t)s->generation));
        json_object_object_add(o, "users", json_object_new_int64(nt));
        json_object_object_add(o, "groups",
                               json_object_new_int64(eksauth_iddb_builder_group_count(s->b)));
        json_object_object_add(o, "templates", t);
        json_object_object_add(o, "added", json_list(&s->added));
        json_object_object_add(o, "removed", json_list(&s->removed));
        json_object_object_add(o, "recorded_logins_kept", json_list(&s->kept));
        json_object_object_add(o, "warnings", json_list(&s->warnings));
        rc = cli_print_json(o);
        json_object_put(o);
        return rc;
    }
    printf("eksauth sync: %s (generation %llu) from %s\n", s->db_path,
           (unsigned long long)s->generation, s->aws_auth_path);
    printf("  users:     %u (%zu new, %zu removed, %zu recorded logins kept)\n", nt, s->added.n,
           s->removed.n, s->kept.n);
    printf("  groups:    %u (private groups included)\n", eksauth_iddb_builder_group_count(s->b));
    printf("  templates: %zu", s->templates.n);
    for (k = 0; k < s->templates.n && k < 5; k++)
        printf("%s%s", k == 0 ? " (" : ", ", s->templates.v[k]);
    printf("%s\n", s->templates.n == 0 ? "" : (s->templates.n > 5 ? ", ...)" : ")"));
    for (k = 0; k < s->removed.n && k < SUMMARY_WARNINGS; k++)
        printf("  removed:   %s\n", s->removed.v[k]);
    if (s->removed.n > SUMMARY_WARNINGS)
        printf("  removed:   ... and %zu more (--json lists all)\n",
               s->removed.n - SUMMARY_WARNINGS);
    printf("  warnings:  %zu\n", s->warnings.n);
    for (k = 0; k < s->warnings.n && k < SUMMARY_WARNINGS; k++)
        printf("    %s\n", s->warnings.v[k]);
    if (s->warnings.n > SUMMARY_WARNINGS)
        printf("    ... and %zu more (--json lists all)\n", s->warnings.n - SUMMARY_WARNINGS);
    return fflush(stdout) == 0 ? 0 : EXIT_USAGE;
}

/*
 * One aws-auth document (data[0..len), named label in messages) -> the
 * identity DB.  extra_warnings come from the source (sync_cluster.c).
 */
int cmd_sync_apply(struct eksauth_cli *cli, const char *label, const char *data, size_t len,
                   const char *const *extra_warnings, size_t n_extra, bool json, bool allow_empty)
{
    struct sync_state s;
    struct eksauth_error err = {0};
    struct eksauth_id_seed *seeds = NULL;
    enum eksauth_status st;
    size_t n_seeds = 0, i;
    int rc = EXIT_USAGE, lock = -1;

    memset(&s, 0, sizeof(s));
    s.cli = cli;
    s.db_path = cmd_iddb_path(cli);
    s.aws_auth_path = label;
    /* 1. The new aws-auth, fully parsed before anything is touched. */
    st = eksauth_awsauth_parse(data, len, &s.aa, &err);
    if (st != EKSAUTH_OK) {
        cli_error("sync", "%s: %s; the identity DB is unchanged", s.aws_auth_path, err.msg);
        return EXIT_USAGE;
    }
    for (i = 0; i < n_extra; i++)
        if (!sl_add(&s.warnings, "%s", extra_warnings[i]))
            goto nomem;
    for (i = 0; i < eksauth_awsauth_warning_count(s.aa); i++)
        if (!sl_add(&s.warnings, "%s", eksauth_awsauth_warning_at(s.aa, i)))
            goto nomem;
    /* An aws-auth that maps nobody would revoke everyone: only on purpose. */
    if (eksauth_awsauth_count(s.aa) == 0 && !allow_empty) {
        cli_error("sync",
                  "%s maps nobody: refusing to empty the identity DB (--allow-empty does it); "
                  "the identity DB is unchanged",
                  s.aws_auth_path);
        goto out;
    }
    if (!cli->hostfiles_loaded) {
        st = eksauth_hostfiles_load(&cli->hostfiles, NULL, NULL, &err);
        if (st != EKSAUTH_OK) {
            rc = cli_fail("sync", &err);
            goto out;
        }
        cli->hostfiles_loaded = true;
    }

    /* 2. Under the lock: the current DB, the plan, the new DB. */
    st = eksauth_iddb_lock(s.db_path, &lock, &err);
    if (st != EKSAUTH_OK) {
        rc = cli_fail("sync", &err);
        goto out;
    }
    st = eksauth_iddb_open_upgrade(s.db_path, &s.old, NULL, &err);
    if (st == EKSAUTH_EREJECTED) {
        /* Someone else could write it: never build on it, never silently replace it. */
        cli_error("sync", "%s; fix its owner and mode or remove it", err.msg);
        goto out;
    }
    if (st != EKSAUTH_OK && st != EKSAUTH_EUNAVAIL &&
        !sl_add(&s.warnings, "%s: rebuilt without its recorded ids and logins", err.msg))
        goto nomem;
    s.generation = s.old != NULL ? eksauth_iddb_generation(s.old) + 1 : 1;
    st = collect_seeds(s.old, &seeds, &n_seeds, &err);
    if (st == EKSAUTH_OK)
        st = eksauth_plan_build(&cli->cfg, s.aa, &cli->hostfiles.host, seeds, n_seeds, &s.plan,
                                &err);
    if (st != EKSAUTH_OK) {
        rc = cli_fail("sync", &err);
        goto out;
    }
    s.plan_built = true;
    for (i = 0; i < s.plan.n_warnings; i++)
        if (!sl_add(&s.warnings, "%s", s.plan.warnings[i]))
            goto nomem;
    st = start_builder(&s, &err);
    if (st == EKSAUTH_OK)
        st = add_plan(&s, &err);
    if (st == EKSAUTH_OK)
        st = carry_over(&s, &err);
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_write_locked(s.b, s.db_path, &err);
    if (st != EKSAUTH_OK) {
        rc = cli_fail("sync", &err);
        goto out;
    }
    eksauth_iddb_unlock(lock);
    lock = -1;
    if (strcmp(s.db_path, EKSAUTH_DB_PATH) != 0 && secure_getenv("EKSAUTH_DB") == NULL)
        fprintf(stderr,
                "eksauth: sync: warning: the NSS module reads %s only; db_path %s is not "
                "served\n",
                EKSAUTH_DB_PATH, s.db_path);
    rc = report(&s, json);
    goto out;
nomem:
    cli_error("sync", "out of memory");
    rc = EXIT_USAGE;
out:
    eksauth_iddb_unlock(lock);
    free(seeds);
    eksauth_iddb_builder_free(s.b);
    eksauth_iddb_close(s.old);
    if (s.plan_built)
        eksauth_plan_free(&s.plan);
    eksauth_awsauth_free(s.aa);
    sl_free(&s.warnings);
    sl_free(&s.added);
    sl_free(&s.removed);
    sl_free(&s.kept);
    sl_free(&s.templates);
    return rc;
}

int cmd_sync(struct eksauth_cli *cli, int argc, char **argv)
{
    struct sync_cluster_opts opts;
    struct eksauth_error err = {0};
    enum eksauth_status st;
    const char *path;
    char *data = NULL;
    size_t len = 0, i;
    int rc;

    memset(&opts, 0, sizeof(opts));
    for (i = 1; i < (size_t)argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            opts.json = true;
        } else if (strcmp(argv[i], "--allow-empty") == 0) {
            opts.allow_empty = true;
        } else if (strcmp(argv[i], "--aws-auth") == 0 && i + 1 < (size_t)argc) {
            cli->aws_auth_path = argv[++i];
        } else if (strncmp(argv[i], "--aws-auth=", 11) == 0) {
            cli->aws_auth_path = argv[i] + 11;
        } else if (sync_cluster_option(&opts, argc, argv, &i)) {
            if (opts.bad)
                return sync_usage(stderr);
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return sync_usage(stdout);
        } else {
            cli_error("usage", "sync: unknown argument '%s'", argv[i]);
            return sync_usage(stderr);
        }
    }
    st = cli_load_config(cli, false, &err);
    if (st != EKSAUTH_OK)
        return cli_fail("sync", &err);
    /* The cluster itself (Kubernetes API, EKS access entries): sync_cluster.c. */
    if (cli->aws_auth_path == NULL && cli->cfg.source != EKSAUTH_SOURCE_FILE)
        return sync_cluster(cli, &opts);
    if (opts.watch) {
        cli_error("sync", "--watch needs source = kubernetes, eks-api or kubernetes+eks-api");
        return EXIT_USAGE;
    }
    path = cli->aws_auth_path != NULL ? cli->aws_auth_path : cli->cfg.aws_auth_file;
    if (path == NULL) {
        cli_error("sync", "no aws-auth: --aws-auth FILE, or aws_auth_file in the config");
        return EXIT_USAGE;
    }
    st = eksauth_file_read(path, AWS_AUTH_MAX, geteuid() == 0, &data, &len, &err);
    if (st != EKSAUTH_OK) {
        cli_error("sync", "%s: %s; the identity DB is unchanged", path, err.msg);
        return EXIT_USAGE;
    }
    rc = cmd_sync_apply(cli, path, data, len, NULL, 0, opts.json, opts.allow_empty);
    free(data);
    return rc;
}
