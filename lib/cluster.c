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
    char username[2048], principal[EKSAUTH_ARN_MAX], **groups = NULL;
    struct json_object *o = NULL;
    struct eksauth_error e2;
    size_t n_groups = 0, i;

    *nomem = false;
    if (eksauth_arn_parse(ae->principal_arn, arn, &e2) != EKSAUTH_OK ||
        (arn->type != EKSAUTH_ARN_ROLE && arn->type != EKSAUTH_ARN_USER)) {
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
    /*
     * EKS matches a role's access entry whatever the role's path (an access
     * entry may name one; aws-auth may not): the entry becomes the role's
     * ARN without its path, the ARN STS's callers have.
     */
    if (arn->type == EKSAUTH_ARN_ROLE)
        snprintf(principal, sizeof(principal), "arn:%s:iam::%s:role/%s", arn->partition,
                 arn->account, strrchr(arn->canonical, '/') + 1);
    else
        snprintf(principal, sizeof(principal), "%s", ae->principal_arn);
    o = entry_json(arn->type == EKSAUTH_ARN_ROLE ? "rolearn" : "userarn", principal, username,
                   (const char *const *)groups, n_groups);
    if (o == NULL || eksauth_arn_parse(principal, arn, &e2) != EKSAUTH_OK)
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

enum eksauth_status eksauth_cluster_merge(const char *configmap, size_t cm_len,
                                          const struct eksauth_access_entry *entries, size_t n,
                                          char **out, size_t *outlen, char ***warnings,
                                          size_t *n_warnings, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct eksauth_awsauth *aa = NULL;
    struct json_object *roles = json_object_new_array(), *users = json_object_new_array();
    struct json_object *accounts = json_object_new_array(), *doc = json_object_new_object();
    struct json_object *dropped = json_object_new_array();
    struct eksauth_arn *arn = calloc(1, sizeof(*arn));
    struct eksauth_strlist keys = {0}; /* the principals the access entries name */
    size_t i, j;
    const char *text;
    bool nomem;

    *out = NULL;
    *outlen = 0;
    if (roles == NULL || users == NULL || accounts == NULL || doc == NULL || dropped == NULL ||
        arn == NULL)
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
    memset(s, 0, sizeof(*s));
}

static void short_hash(const char *data, size_t len, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;

    out[0] = '\0';
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 8)
        return;
    for (i = 0; i < 8; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[16] = '\0';
}

enum eksauth_status eksauth_cluster_fetch(const struct eksauth_config *cfg, time_t now,
                                          struct eksauth_cluster_snapshot *out,
                                          struct eksauth_error *err)
{
    struct eksauth_kube_configmap cm;
    struct eksauth_access_entry *entries = NULL;
    size_t n_entries = 0;
    enum eksauth_status st = EKSAUTH_OK;
    bool want_k8s, want_eks;
    char host[256] = "", hash[17], mode[64] = "";
    enum eksauth_auth_mode auth;

    (void)now;
    memset(out, 0, sizeof(*out));
    memset(&cm, 0, sizeof(cm));
    want_k8s = cfg->source == EKSAUTH_SOURCE_KUBERNETES ||
               cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    want_eks =
        cfg->source == EKSAUTH_SOURCE_EKS_API || cfg->source == EKSAUTH_SOURCE_KUBERNETES_EKS_API;
    if (cfg->source == EKSAUTH_SOURCE_AUTO) {
        /* The sources the cluster itself reads, as it says now (DescribeCluster). */
        st = eksauth_eks_auth_mode(cfg, &auth, host, sizeof(host), err);
        if (st != EKSAUTH_OK)
            goto out;
        want_k8s = auth != EKSAUTH_AUTH_API;
        want_eks = auth != EKSAUTH_AUTH_CONFIG_MAP;
        snprintf(mode, sizeof(mode), " (authentication mode %s)", eksauth_auth_mode_name(auth));
    }
    if (!want_k8s && !want_eks)
        return eksauth_fail(err, EKSAUTH_EINVAL, "source = file is read from aws_auth_file");
    if (want_k8s && (st = eksauth_kube_get_configmap(cfg, &cm, err)) != EKSAUTH_OK)
        goto out;
    if (!want_eks) {
        /* The ConfigMap as it came: its JSON is an aws-auth document. */
        out->data = cm.data;
        out->len = cm.len;
        cm.data = NULL;
        memcpy(out->rv, cm.rv, sizeof(out->rv));
        snprintf(out->what, sizeof(out->what), "%.400s%s", cm.what, mode);
        snprintf(out->version, sizeof(out->version), "k8s:%s", out->rv);
        goto out;
    }
    st = eksauth_eks_access_entries(cfg, &entries, &n_entries, host, sizeof(host), err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_cluster_merge(cm.data, cm.len, entries, n_entries, &out->data, &out->len,
                               &out->warnings, &out->n_warnings, err);
    if (st != EKSAUTH_OK)
        goto out;
    short_hash(out->data, out->len, hash);
    memcpy(out->rv, cm.rv, sizeof(out->rv));
    if (want_k8s) {
        snprintf(out->version, sizeof(out->version), "k8s:%s+eks:%s", cm.rv, hash);
        snprintf(out->what, sizeof(out->what), "%.300s and access entries of %.60s (%.80s)%s",
                 cm.what, cfg->cluster_name, host, mode);
    } else {
        snprintf(out->version, sizeof(out->version), "eks:%s", hash);
        snprintf(out->what, sizeof(out->what), "access entries of %.60s (%.80s)%s",
                 cfg->cluster_name, host, mode);
    }
out:
    eksauth_access_entries_free(entries, n_entries);
    eksauth_kube_configmap_free(&cm);
    if (st != EKSAUTH_OK)
        eksauth_cluster_snapshot_free(out);
    return st;
}
