/*
 * cluster.c - the configured cluster source(s) into one aws-auth snapshot:
 * the ConfigMap, the access entries, or both merged (see cluster.h).
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "eksauth/access_policy.h"
#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/cluster.h"
#include "eksauth/entry_cache.h"
#include "eksauth/hex.h"
#include "eksauth/strlist.h"

static struct json_object *entry_json(const char *arnkey, const char *arn, const char *username,
                                      const char *const *groups, size_t n_groups)
{
    struct json_object *o = json_object_new_object(), *g = json_object_new_array();
    size_t i;

    if (o == NULL || g == NULL) {
        json_object_put(o);
        json_object_put(g);
        return NULL;
    }
    json_object_object_add(o, arnkey, json_object_new_string(arn));
    if (username != NULL)
        json_object_object_add(o, "username", json_object_new_string(username));
    for (i = 0; i < n_groups; i++)
        json_object_array_add(g, json_object_new_string(groups[i]));
    json_object_object_add(o, "groups", g);
    return o;
}

/* A warning line for the snapshot; false when out of memory. */
static bool warn(char ***warnings, size_t *n_warnings, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool warn(char ***warnings, size_t *n_warnings, const char *fmt, ...)
{
    char line[EKSAUTH_ERROR_MAX];
    va_list ap;

    if (warnings == NULL)
        return true;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    return eksauth_strv_add(warnings, n_warnings, line, NULL) == EKSAUTH_OK;
}

/*
 * groups[0..n) without those that would take an access policy's POSIX group
 * (eksauth_access_policy_group_taken), into *out (*n_out): with access
 * policies read, eks-policy-* means exactly the policy, so a Kubernetes
 * group spelled "policy:..." is dropped with a warning naming whose it is.
 */
static bool own_groups(const char *const *groups, size_t n, const char *whose, char ***out,
                       size_t *n_out, char ***warnings, size_t *n_warnings)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (eksauth_access_policy_group_taken(groups[i])) {
            if (!warn(warnings, n_warnings,
                      "%.200s: group \"%.100s\" dropped: names of the form policy:... stand for "
                      "EKS access policies here",
                      whose, groups[i]))
                return false;
            continue;
        }
        if (eksauth_strv_add(out, n_out, groups[i], NULL) != EKSAUTH_OK)
            return false;
    }
    return true;
}

/*
 * The principal an access entry of principal_arn stands for, parsed into
 * *arn: a role without its path (EKS matches a role's access entry
 * whatever the role's path; aws-auth may not name one), a user as it is.
 * False when it is no IAM role or user ARN.
 */
static bool entry_principal(const char *principal_arn, struct eksauth_arn *arn)
{
    char principal[EKSAUTH_ARN_MAX];
    struct eksauth_error e;

    if (eksauth_arn_parse(principal_arn, arn, &e) != EKSAUTH_OK ||
        (arn->type != EKSAUTH_ARN_ROLE && arn->type != EKSAUTH_ARN_USER))
        return false;
    if (arn->type != EKSAUTH_ARN_ROLE)
        return true;
    snprintf(principal, sizeof(principal), "arn:%s:iam::%s:role/%s", arn->partition, arn->account,
             strrchr(arn->canonical, '/') + 1);
    return eksauth_arn_parse(principal, arn, &e) == EKSAUTH_OK;
}

/*
 * One access entry as an aws-auth entry, or NULL with a warning when it is
 * skipped (*nomem set when out of memory): its principal (a role without
 * its path), the username EKS gives (its own, or EKS's default for a
 * STANDARD entry; node types always have one), its kubernetesGroups and a
 * group for each associated access policy (access_policy.h).  *arn is the
 * principal's ARN, parsed.
 */
static struct json_object *access_entry_json(const struct eksauth_access_entry *ae,
                                             struct eksauth_arn *arn, char ***warnings,
                                             size_t *n_warnings, bool *nomem)
{
    const char *type = ae->type != NULL && ae->type[0] != '\0' ? ae->type : "STANDARD";
    char username[2048], **groups = NULL;
    struct json_object *o = NULL;
    struct eksauth_error e2;
    size_t n_groups = 0, i;

    *nomem = false;
    if (!entry_principal(ae->principal_arn, arn)) {
        *nomem =
            !warn(warnings, n_warnings, "access entry %.200s: not an IAM role or user ARN; skipped",
                  ae->principal_arn);
        return NULL;
    }
    /* Node types get their username from EKS (system:node:...): no default to make up. */
    if (strcmp(type, "STANDARD") != 0 && (ae->username == NULL || ae->username[0] == '\0')) {
        *nomem = !warn(warnings, n_warnings,
                       "access entry %.200s: EKS gave no username for a %.40s entry; skipped",
                       ae->principal_arn, type);
        return NULL;
    }
    if (eksauth_access_entry_username(ae, username, sizeof(username), &e2) != EKSAUTH_OK) {
        *nomem = !warn(warnings, n_warnings, "%s; skipped", e2.msg);
        return NULL;
    }
    if (!own_groups((const char *const *)ae->groups, ae->n_groups, ae->principal_arn, &groups,
                    &n_groups, warnings, n_warnings))
        goto nomem;
    for (i = 0; i < ae->n_policies; i++) {
        /* A policy eksauth cannot name gives no group: the host grants less, never more. */
        if (eksauth_access_policy_groups(&ae->policies[i], &groups, &n_groups, &e2) != EKSAUTH_OK &&
            (e2.status == EKSAUTH_ENOMEM ||
             !warn(warnings, n_warnings, "access entry %.200s: %s; no group for it",
                   ae->principal_arn, e2.msg)))
            goto nomem;
    }
    /* The role's ARN without its path (entry_principal), the ARN STS's callers have. */
    o = entry_json(arn->type == EKSAUTH_ARN_ROLE ? "rolearn" : "userarn",
                   arn->type == EKSAUTH_ARN_ROLE ? arn->canonical : ae->principal_arn, username,
                   (const char *const *)groups, n_groups);
    if (o == NULL)
        goto nomem;
    eksauth_strv_free(groups, n_groups);
    return o;
nomem:
    json_object_put(o);
    eksauth_strv_free(groups, n_groups);
    *nomem = true;
    return NULL;
}

/* An aws-auth entry as it goes into the merged document (own_groups); NULL when out of memory. */
static struct json_object *configmap_entry_json(const struct eksauth_awsauth_entry *en,
                                                char ***warnings, size_t *n_warnings)
{
    struct json_object *o = NULL;
    char **groups = NULL;
    size_t n_groups = 0;

    if (own_groups(en->groups, en->n_groups, en->arn, &groups, &n_groups, warnings, n_warnings))
        o = entry_json(en->source == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn", en->arn,
                       en->username, (const char *const *)groups, n_groups);
    eksauth_strv_free(groups, n_groups);
    return o;
}

/*
 * Into held, the ConfigMap's skipped entries that hold their principal
 * (eksauth_awsauth_entry_holds) and that no access entry replaces (keys):
 * the merged document keeps them, so the principal still maps by nothing
 * rather than by mapAccounts.  False when out of memory.
 */
static bool add_held(const struct eksauth_awsauth *aa, const struct eksauth_strlist *keys,
                     struct json_object *held)
{
    const struct eksauth_awsauth_entry *e;
    struct json_object *s;
    char *item;
    bool shadowed;
    size_t i, j, len;

    for (i = 0; i < eksauth_awsauth_ignored_count(aa); i++) {
        e = eksauth_awsauth_ignored_at(aa, i);
        if (!eksauth_awsauth_entry_holds(e))
            continue;
        for (j = 0, shadowed = false; j < keys->n && !shadowed; j++)
            shadowed = strcmp(keys->v[j], e->key) == 0;
        if (shadowed)
            continue; /* API_AND_CONFIG_MAP: the access entry maps it */
        /* Sized for the whole key: a cut one would hold another principal, or none. */
        len = strlen(e->key) + 48;
        if ((item = malloc(len)) == NULL)
            return false;
        snprintf(item, len, "%s %u:%u %s", eksauth_map_source_name(e->source), e->line, e->column,
                 e->key);
        s = json_object_new_string(item);
        free(item);
        if (s == NULL || json_object_array_add(held, s) != 0) {
            json_object_put(s);
            return false;
        }
    }
    return true;
}

enum eksauth_status eksauth_cluster_merge(const char *configmap, size_t cm_len,
                                          const struct eksauth_access_entry *entries, size_t n,
                                          const char *const *listed, size_t n_listed, char **out,
                                          size_t *outlen, char ***warnings, size_t *n_warnings,
                                          struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct eksauth_awsauth *aa = NULL;
    struct json_object *roles = json_object_new_array(), *users = json_object_new_array();
    struct json_object *accounts = json_object_new_array(), *doc = json_object_new_object();
    struct json_object *dropped = json_object_new_array(), *held = json_object_new_array();
    struct eksauth_arn *arn = calloc(1, sizeof(*arn));
    struct eksauth_strlist keys = {0}; /* the principals the access entries name */
    size_t i, j;
    const char *text;
    bool nomem;

    *out = NULL;
    *outlen = 0;
    if (roles == NULL || users == NULL || accounts == NULL || doc == NULL || dropped == NULL ||
        held == NULL || arn == NULL)
        goto nomem;
    /* 1. Access entries: each a mapRoles or mapUsers entry; keys remembered. */
    for (i = 0; i < n; i++) {
        struct json_object *o = access_entry_json(&entries[i], arn, warnings, n_warnings, &nomem);

        if (nomem)
            goto nomem;
        if (o == NULL)
            continue;
        json_object_array_add(arn->type == EKSAUTH_ARN_ROLE ? roles : users, o);
        if (eksauth_strlist_add(&keys, arn->key, NULL) != EKSAUTH_OK)
            goto nomem;
    }
    /*
     * And every principal EKS listed, read or not: EKS maps a principal
     * with an access entry by that entry alone, so one not read yet (the
     * budget, throttling) or skipped must not fall back to aws-auth's.
     */
    for (i = 0; i < n_listed; i++) {
        if (entry_principal(listed[i], arn) &&
            eksauth_strlist_add(&keys, arn->key, NULL) != EKSAUTH_OK)
            goto nomem;
    }
    /* 2. The ConfigMap's entries, unless an access entry names the same principal. */
    if (configmap != NULL) {
        st = eksauth_awsauth_parse(configmap, cm_len, &aa, err);
        if (st != EKSAUTH_OK)
            goto out;
        /* What the cluster drops from the ConfigMap travels in the document, named. */
        for (i = 0; i < eksauth_awsauth_dropped_count(aa); i++)
            json_object_array_add(dropped,
                                  json_object_new_string(eksauth_awsauth_dropped_at(aa, i)));
        for (i = 0; i < eksauth_awsauth_warning_count(aa); i++) {
            if (warnings != NULL &&
                eksauth_strv_add(warnings, n_warnings, eksauth_awsauth_warning_at(aa, i), NULL) !=
                    EKSAUTH_OK)
                goto nomem;
        }
        for (i = 0; i < eksauth_awsauth_count(aa); i++) {
            const struct eksauth_awsauth_entry *en = eksauth_awsauth_entry_at(aa, i);
            struct json_object *o;
            bool shadowed = false;

            if (en->source == EKSAUTH_SRC_MAPACCOUNTS) {
                json_object_array_add(accounts, json_object_new_string(en->arn));
                continue;
            }
            for (j = 0; j < keys.n && !shadowed; j++)
                shadowed = strcmp(keys.v[j], en->key) == 0;
            if (shadowed) {
                /* API_AND_CONFIG_MAP: the access entry wins. */
                if (warnings != NULL &&
                    eksauth_strv_addf(warnings, n_warnings, NULL,
                                      "aws-auth %s entry for %.200s is overridden by its access "
                                      "entry",
                                      eksauth_map_source_name(en->source), en->arn) != EKSAUTH_OK)
                    goto nomem;
                continue;
            }
            o = configmap_entry_json(en, warnings, n_warnings);
            if (o == NULL)
                goto nomem;
            json_object_array_add(en->source == EKSAUTH_SRC_MAPROLES ? roles : users, o);
        }
        if (!add_held(aa, &keys, held))
            goto nomem;
    }
    /* Each value is a string of YAML (JSON is YAML), as in a ConfigMap's data. */
    json_object_object_add(
        doc, "mapRoles",
        json_object_new_string(json_object_to_json_string_ext(roles, JSON_C_TO_STRING_PLAIN)));
    json_object_object_add(
        doc, "mapUsers",
        json_object_new_string(json_object_to_json_string_ext(users, JSON_C_TO_STRING_PLAIN)));
    json_object_object_add(
        doc, "mapAccounts",
        json_object_new_string(json_object_to_json_string_ext(accounts, JSON_C_TO_STRING_PLAIN)));
    if (json_object_array_length(dropped) > 0) {
        json_object_object_add(doc, EKSAUTH_AWSAUTH_DROPPED_KEY, dropped);
        dropped = NULL;
    }
    if (json_object_array_length(held) > 0) {
        json_object_object_add(doc, EKSAUTH_AWSAUTH_HELD_KEY, held);
        held = NULL;
    }
    text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_SPACED);
    if (text == NULL || (*out = strdup(text)) == NULL)
        goto nomem;
    *outlen = strlen(*out);
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
out:
    json_object_put(roles);
    json_object_put(users);
    json_object_put(accounts);
    json_object_put(dropped);
    json_object_put(held);
    json_object_put(doc);
    eksauth_awsauth_free(aa);
    eksauth_strlist_free(&keys);
    free(arn);
    return st;
}

void eksauth_cluster_snapshot_free(struct eksauth_cluster_snapshot *s)
{
    if (s == NULL)
        return;
    free(s->data);
    eksauth_strv_free(s->warnings, s->n_warnings);
    eksauth_strv_free(s->stale, s->n_stale);
    memset(s, 0, sizeof(*s));
}

static void short_hash(const char *data, size_t len, char out[17])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;

    out[0] = '\0';
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 8)
        return;
    eksauth_hex_lower(md, 8, out);
}

/* "arn (N s old)" or "arn", at most NOTE_NAMES of them, into a note line. */
#define NOTE_NAMES 5

/*
 * What the budget or the service's throttling left unread, as lines a
 * person can act on: old entries by age, new entries by name.
 */
static enum eksauth_status stale_notes(const struct eksauth_config *cfg,
                                       const struct eksauth_entry_cache *cache, char *const *arns,
                                       const size_t *order, size_t from, size_t to, long long now,
                                       const char *why, char ***notes, size_t *n_notes,
                                       struct eksauth_error *err)
{
    char line[EKSAUTH_ERROR_MAX];
    size_t k, old = 0, fresh = 0, shown;
    const struct eksauth_cached_entry *ce;
    int pass;
    enum eksauth_status st = EKSAUTH_OK;

    for (k = from; k < to; k++) {
        if (eksauth_entry_cache_find(cache, arns[order[k]]) != NULL)
            old++;
        else
            fresh++;
    }
    for (pass = 0; pass < 2 && st == EKSAUTH_OK; pass++) {
        size_t count = pass == 0 ? old : fresh;
        int n;

        if (count == 0)
            continue;
        n = pass == 0
                ? snprintf(line, sizeof(line),
                           "%zu access entries older than access_entry_max_age (%ld s) were "
                           "not read again (%s); used as last read:",
                           count, cfg->access_entry_max_age, why)
                : snprintf(line, sizeof(line),
                           "%zu new access entries not read yet (%s); the logins they map are "
                           "refused until they are:",
                           count, why);
        for (k = from, shown = 0; k < to && shown < NOTE_NAMES && n > 0 && (size_t)n < sizeof(line);
             k++) {
            ce = eksauth_entry_cache_find(cache, arns[order[k]]);
            if ((pass == 0) != (ce != NULL))
                continue;
            n += pass == 0
                     ? snprintf(line + n, sizeof(line) - (size_t)n, " %.200s (%lld s old)",
                                arns[order[k]], now - ce->read_at)
                     : snprintf(line + n, sizeof(line) - (size_t)n, " %.200s", arns[order[k]]);
            shown++;
        }
        if (count > shown && n > 0 && (size_t)n < sizeof(line))
            snprintf(line + n, sizeof(line) - (size_t)n, " and %zu more", count - shown);
        st = eksauth_strv_add(notes, n_notes, line, err);
    }
    return st;
}

/*
 * A re-read entry whose modifiedAt moved was changed in EKS (UpdateAccessEntry)
 * since this host last read it: said, with how long it may have been stale.
 */
static bool note_changed(const struct eksauth_cached_entry *was,
                         const struct eksauth_access_entry *now_read, long long now,
                         struct eksauth_cluster_snapshot *out)
{
    if (was == NULL || was->entry.modified_at == 0 ||
        now_read->modified_at == was->entry.modified_at)
        return true;
    return warn(&out->warnings, &out->n_warnings,
                "access entry %.200s was changed in EKS (modifiedAt) since this host read it "
                "%lld s ago",
                now_read->principal_arn, now - was->read_at);
}

/*
 * What names the cluster to this host, for the access entry cache
 * (entry_cache.h): its name at the EKS API of its region and partition,
 * the API server when one is set, whose host is the cluster's own (a
 * same-named cluster of another account has another), and its ARN, with
 * the account, when DescribeCluster was asked (source = auto).  Asking it
 * for the account alone would cost a request per sync (docs/fleet.md
 * counts them).
 */
static void cache_cluster(const struct eksauth_config *cfg, const struct eksauth_eks_session *s,
                          char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "cluster_name %.1000s at %.255s%s%.1000s", cfg->cluster_name,
                     s->host, cfg->cluster_endpoint != NULL ? ", cluster_endpoint " : "",
                     cfg->cluster_endpoint != NULL ? cfg->cluster_endpoint : "");

    if (s->cluster_arn[0] != '\0' && n > 0 && (size_t)n < outlen)
        snprintf(out + n, outlen - (size_t)n, ", %.1000s", s->cluster_arn);
}

/*
 * The access entries, asking only what the cache lacks (entry_cache.h):
 * every page of ListAccessEntries, then the reads of the cache's plan
 * while the budget lasts (an entry is 2 requests at least); entries EKS no
 * longer lists leave the cache.  out->stale gets what was left unread and
 * why, out->warnings the entries changed since they were read.
 */
static enum eksauth_status
refresh_entries(const struct eksauth_config *cfg, struct eksauth_eks_session *s,
                struct eksauth_entry_cache *cache, const struct eksauth_fetch *f, char ***arns,
                size_t *n_arns, struct eksauth_cluster_snapshot *out, struct eksauth_error *err)
{
    struct eksauth_access_entry e;
    struct eksauth_error rerr;
    size_t *order = NULL, n_order = 0, k;
    char why[EKSAUTH_ERROR_MAX] = "", cluster[3500], was[3500], read[1200];
    long long now = (long long)f->now;
    long max_age = f->cache != NULL ? cfg->access_entry_max_age : 0;
    enum eksauth_status st;
    bool dropped;

    cache_cluster(cfg, s, cluster, sizeof(cluster));
    /*
     * A version 1 cache names no cluster.  On a host just upgraded it is
     * most likely this one's: the DB was last written from this cluster's
     * access entries (the state's what, as eksauth_cluster_fetch words it
     * below: the whole name at the region's EKS API).  Dropped, every entry
     * past the first sync's budget would map no one on every upgraded host
     * at once.  But the sync that wrote it may have kept another cluster's
     * fresh entries (before the cache named one): kept, each is taken as
     * read just over access_entry_max_age ago, so each is read again first.
     */
    snprintf(read, sizeof(read), "access entries of %s (%.80s)", cfg->cluster_name, s->host);
    if (cache->unnamed && f->last_what != NULL && !strstr(f->last_what, read) &&
        strlen(cfg->cluster_name) > 60)
        /* Written before 2026-12-07, the what held 60 bytes of a longer name. */
        snprintf(read, sizeof(read), "access entries of %.60s (%.80s)", cfg->cluster_name, s->host);
    if (cache->unnamed && f->last_what != NULL && strstr(f->last_what, read) != NULL &&
        eksauth_entry_cache_adopt(cache, cluster, now - max_age - 1) &&
        !warn(&out->warnings, &out->n_warnings,
              "the access entry cache from before it named its cluster is taken for %.200s, "
              "the cluster the identity DB was last written from: each entry is read again "
              "first, as sync_max_requests allows",
              cluster))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
    /* Another cluster's entries are not this one's, however fresh: all are read again. */
    st = eksauth_entry_cache_bind(cache, cluster, &dropped, was, sizeof(was), err);
    if (st == EKSAUTH_OK && dropped &&
        !warn(&out->warnings, &out->n_warnings,
              "the access entry cache was read from %.200s, not %.200s: every access entry is "
              "read again",
              was[0] != '\0' ? was : "no named cluster", cluster))
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_eks_list_entries(s, arns, n_arns, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Gone from the list: revoked now, whatever the cache said. */
    eksauth_entry_cache_keep(cache, *arns, *n_arns);
    st = eksauth_entry_cache_plan(cache, *arns, *n_arns, now, max_age, &order, &n_order, err);
    for (k = 0; st == EKSAUTH_OK && k < n_order; k++) {
        const char *arn = (*arns)[order[k]];

        if (eksauth_budget_left(s->budget) < 2) {
            snprintf(why, sizeof(why), "sync_max_requests (%u) reached", s->budget->max);
            break;
        }
        st = eksauth_eks_read_entry(s, arn, &e, &rerr);
        if (st == EKSAUTH_OK) {
            if (!note_changed(eksauth_entry_cache_find(cache, arn), &e, now, out))
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
            if (st == EKSAUTH_OK)
                st = eksauth_entry_cache_put(cache, &e, now, err);
            eksauth_access_entry_free(&e);
        } else if (st == EKSAUTH_ENOTFOUND) {
            /* Deleted since the list: it grants nothing. */
            eksauth_entry_cache_drop(cache, arn);
            st = EKSAUTH_OK;
        } else if (st == EKSAUTH_EUNAVAIL) {
            /* Throttled past the retries, or the budget spent: the rest waits. */
            snprintf(why, sizeof(why), "%s", rerr.msg);
            st = EKSAUTH_OK;
            break;
        } else if (err != NULL) {
            *err = rerr;
        }
    }
    if (st == EKSAUTH_OK && k < n_order)
        st = stale_notes(cfg, cache, *arns, order, k, n_order, now, why, &out->stale, &out->n_stale,
                         err);
    free(order);
    return st;
}

enum eksauth_status eksauth_cluster_fetch(const struct eksauth_config *cfg, struct eksauth_fetch *f,
                                          struct eksauth_cluster_snapshot *out,
                                          struct eksauth_error *err)
{
    struct eksauth_kube_configmap cm;
    struct eksauth_entry_cache own = {NULL, 0, 0, false, NULL, false},
                               *cache = f->cache != NULL ? f->cache : &own;
    struct eksauth_access_entry *entries = NULL;
    struct eksauth_eks_session eks;
    struct eksauth_cached_entry *ce;
    char **arns = NULL;
    size_t n_arns = 0, n_entries = 0, i;
    enum eksauth_status st = EKSAUTH_OK;
    bool want_k8s, want_eks;
    char hash[17], mode[64] = "";
    enum eksauth_auth_mode auth;

    memset(out, 0, sizeof(*out));
    memset(&cm, 0, sizeof(cm));
    memset(&eks, 0, sizeof(eks));
    want_k8s = cfg->source == EKSAUTH_SOURCE_KUBERNETES ||
               cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    want_eks =
        cfg->source == EKSAUTH_SOURCE_EKS_API || cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    if (cfg->source == EKSAUTH_SOURCE_FILE)
        return eksauth_fail(err, EKSAUTH_EINVAL, "source = file is read from aws_auth_file");
    if (cfg->source != EKSAUTH_SOURCE_KUBERNETES &&
        (st = eksauth_eks_open(cfg, f->budget, &eks, err)) != EKSAUTH_OK)
        goto out;
    if (cfg->source == EKSAUTH_SOURCE_AUTO) {
        /* The sources the cluster itself reads, as it says now (DescribeCluster). */
        st = eksauth_eks_auth_mode(&eks, &auth, err);
        if (st != EKSAUTH_OK)
            goto out;
        want_k8s = auth != EKSAUTH_AUTH_API;
        want_eks = auth != EKSAUTH_AUTH_CONFIG_MAP;
        snprintf(mode, sizeof(mode), " (authentication mode %s)", eksauth_auth_mode_name(auth));
    }
    if (want_k8s)
        st = eksauth_kube_list_configmap(cfg, f->since_rv, f->budget, &cm, err);
    /*
     * A cluster without aws-auth maps nobody by it: with access entries, by
     * its entries alone (API_AND_CONFIG_MAP), and without, nobody at all,
     * which the sync applies only with --allow-empty, as a watch's DELETED
     * event.  Failing here instead would keep every entry EKS deleted since,
     * or make --allow-empty mean nothing.  Said as a warning.
     */
    if (st == EKSAUTH_ENOTFOUND && cm.absent)
        st = eksauth_strv_addf(&out->warnings, &out->n_warnings, err, "%s: not found: %s", cm.what,
                               want_eks ? "only the access entries map, as the cluster maps"
                                        : "it maps nobody, as the cluster maps nobody");
    if (st != EKSAUTH_OK)
        goto out;
    memcpy(out->rv, cm.list_rv, sizeof(out->rv));
    if (!want_eks) {
        if (cm.absent) {
            out->data = strdup(EKSAUTH_KUBE_NO_AWS_AUTH);
            if (out->data == NULL) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
                goto out;
            }
            out->len = strlen(out->data);
        } else {
            /* The ConfigMap as it came: its JSON is an aws-auth document. */
            out->data = cm.data;
            out->len = cm.len;
            cm.data = NULL;
        }
        snprintf(out->what, sizeof(out->what), "%.400s%s%s", cm.what,
                 cm.absent ? " (not found)" : "", mode);
        /* No ConfigMap: a version no resourceVersion can be (kube.c's alphabet has no '!'). */
        snprintf(out->version, sizeof(out->version), "k8s:%s", cm.absent ? "!absent" : cm.rv);
        goto out;
    }
    st = refresh_entries(cfg, &eks, cache, f, &arns, &n_arns, out, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* In the order EKS lists them, so an unchanged cluster hashes the same. */
    entries = calloc(n_arns + 1, sizeof(*entries));
    if (entries == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster: out of memory");
        goto out;
    }
    for (i = 0; i < n_arns; i++) {
        if ((ce = eksauth_entry_cache_find(cache, arns[i])) != NULL)
            entries[n_entries++] = ce->entry; /* borrowed: the cache frees it */
    }
    st =
        eksauth_cluster_merge(cm.data, cm.len, entries, n_entries, (const char *const *)arns,
                              n_arns, &out->data, &out->len, &out->warnings, &out->n_warnings, err);
    if (st != EKSAUTH_OK)
        goto out;
    short_hash(out->data, out->len, hash);
    if (want_k8s) {
        /* No ConfigMap: a version no resourceVersion can be (kube.c's alphabet has no '!'). */
        snprintf(out->version, sizeof(out->version), "k8s:%s+eks:%s", cm.absent ? "!absent" : cm.rv,
                 hash);
        snprintf(out->what, sizeof(out->what), "%.200s and access entries of %s (%.80s)%s", cm.what,
                 cfg->cluster_name, eks.host, mode);
    } else {
        snprintf(out->version, sizeof(out->version), "eks:%s", hash);
        snprintf(out->what, sizeof(out->what), "access entries of %s (%.80s)%s", cfg->cluster_name,
                 eks.host, mode);
    }
out:
    free(entries);
    eksauth_strv_free(arns, n_arns);
    eksauth_entry_cache_free(&own);
    eksauth_eks_close(&eks);
    eksauth_kube_configmap_free(&cm);
    if (st != EKSAUTH_OK)
        eksauth_cluster_snapshot_free(out);
    return st;
}
