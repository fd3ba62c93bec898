/*
 * entry_cache.c - the access entries this host read, beside the identity
 * DB (see entry_cache.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "eksauth/entry_cache.h"
#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/json_answer.h"
#include "eksauth/strlist.h"

#define CACHE_KEY "eksauthAccessEntryCache"
/* 2: the cluster the entries were read from ("cluster"); 1 named none. */
#define CACHE_VERSION 2
#define CLUSTER_MAX   4096 /* bytes of "cluster" */

/* ------------------------------------------------------------------ */
/* pure */

/*
 * Every value made is checked, and an entry that could not be made whole
 * (out of memory) is none: a cache written without one of its policies or
 * groups would read back as a whole entry.  add and append give v to o or
 * a, or free it; false when v is NULL (its own allocation failed) or it
 * could not be given.
 */
static bool add(struct json_object *o, const char *key, struct json_object *v)
{
    if (v != NULL && json_object_object_add(o, key, v) == 0)
        return true;
    json_object_put(v);
    return false;
}

static bool append(struct json_object *a, struct json_object *v)
{
    if (v != NULL && json_object_array_add(a, v) == 0)
        return true;
    json_object_put(v);
    return false;
}

static struct json_object *strings_json(char *const *v, size_t n)
{
    struct json_object *a = json_object_new_array();
    size_t i;

    for (i = 0; a != NULL && i < n; i++) {
        if (!append(a, json_object_new_string(v[i]))) {
            json_object_put(a);
            a = NULL;
        }
    }
    return a;
}

/* One policy as EKS answers it: {"policyArn", "accessScope": {"type", "namespaces"}}, or NULL. */
static struct json_object *policy_json(const struct eksauth_access_policy *p)
{
    struct json_object *po = json_object_new_object(), *scope = json_object_new_object();
    bool ok = po != NULL;

    if (!ok) {
        json_object_put(scope);
        goto out;
    }
    /* scope is po's from here on, freed with it. */
    ok = add(po, "policyArn", json_object_new_string(p->arn));
    ok = add(po, "accessScope", scope) && ok;
    ok = ok &&
         add(scope, "type", json_object_new_string(p->cluster_scope ? "cluster" : "namespace"));
    ok = ok && add(scope, "namespaces", strings_json(p->namespaces, p->n_namespaces));
out:
    if (!ok) {
        json_object_put(po);
        po = NULL;
    }
    return po;
}

/* One entry as EKS answers it: {"readAt", "accessEntry", "associatedAccessPolicies"}, or NULL. */
static struct json_object *entry_json(const struct eksauth_cached_entry *ce)
{
    const struct eksauth_access_entry *e = &ce->entry;
    struct json_object *o = json_object_new_object(), *ae = json_object_new_object();
    struct json_object *pols = json_object_new_array();
    bool ok = o != NULL;
    size_t i;

    if (!ok) {
        json_object_put(ae);
        json_object_put(pols);
        goto out;
    }
    /* ae and pols are o's from here on, freed with it. */
    ok = add(o, "readAt", json_object_new_int64(ce->read_at));
    ok = add(o, "accessEntry", ae) && ok;
    ok = add(o, "associatedAccessPolicies", pols) && ok;
    ok = ok && add(ae, "principalArn", json_object_new_string(e->principal_arn));
    /* No username is null, as EKS writes it: EKS's default applies. */
    if (ok && e->username == NULL)
        ok = json_object_object_add(ae, "username", NULL) == 0;
    else if (ok)
        ok = add(ae, "username", json_object_new_string(e->username));
    ok = ok && add(ae, "kubernetesGroups", strings_json(e->groups, e->n_groups));
    if (ok && e->type != NULL)
        ok = add(ae, "type", json_object_new_string(e->type));
    if (ok && e->modified_at != 0)
        ok = add(ae, "modifiedAt", json_object_new_double(e->modified_at));
    for (i = 0; ok && i < e->n_policies; i++)
        ok = append(pols, policy_json(&e->policies[i]));
out:
    if (!ok) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

enum eksauth_status eksauth_entry_cache_format(const struct eksauth_entry_cache *c, char **text,
                                               size_t *len, struct eksauth_error *err)
{
    struct json_object *root = json_object_new_object(), *list = json_object_new_array();
    enum eksauth_status st = EKSAUTH_OK;
    const char *s;
    size_t i;

    *text = NULL;
    *len = 0;
    /* Entries of no named cluster are not written: read back, they would be anyone's. */
    if (c->cluster == NULL) {
        json_object_put(root);
        json_object_put(list);
        return eksauth_fail(err, EKSAUTH_EINVAL, "access entry cache: no cluster named");
    }
    if (root == NULL || !add(root, CACHE_KEY, json_object_new_int(CACHE_VERSION)) ||
        !add(root, "cluster", json_object_new_string(c->cluster))) {
        json_object_put(list);
        goto nomem;
    }
    /* list is root's from here on, freed with it. */
    if (!add(root, "entries", list))
        goto nomem;
    for (i = 0; i < c->n; i++) {
        if (!append(list, entry_json(&c->v[i])))
            goto nomem;
    }
    s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
    if (s == NULL || (*text = strdup(s)) == NULL)
        goto nomem;
    *len = strlen(*text);
    goto out;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "access entry cache: out of memory");
out:
    json_object_put(root);
    return st;
}

enum eksauth_status eksauth_entry_cache_parse(const char *text, size_t len,
                                              struct eksauth_entry_cache *c,
                                              struct eksauth_error *err)
{
    struct json_object *root, *list = NULL, *ver = NULL, *o, *at = NULL;
    struct eksauth_access_entry e;
    enum eksauth_status st = EKSAUTH_OK;
    char next[16];
    const char *s, *cluster;
    size_t i;

    eksauth_entry_cache_free(c);
    root = eksauth_json_answer_parse(text, len, EKSAUTH_ENTRY_CACHE_MAX);
    if (root != NULL && json_object_object_get_ex(root, CACHE_KEY, &ver) &&
        json_object_is_type(ver, json_type_int) && json_object_get_int(ver) == 1)
        /* Its entries could be any cluster's: kept unnamed, used only if adopted. */
        c->unnamed = true;
    if (root == NULL || !json_object_object_get_ex(root, CACHE_KEY, &ver) ||
        (json_object_get_int(ver) != CACHE_VERSION && !c->unnamed) ||
        !json_object_object_get_ex(root, "entries", &list) ||
        !json_object_is_type(list, json_type_array)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "access entry cache: not a cache of version %d",
                          CACHE_VERSION);
        goto out;
    }
    cluster = eksauth_json_answer_str(root, "cluster");
    if (!c->unnamed && (cluster == NULL || cluster[0] == '\0' || strlen(cluster) >= CLUSTER_MAX ||
                        !eksauth_json_answer_visible(cluster, strlen(cluster)))) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "access entry cache: no cluster named");
        goto out;
    }
    if (!c->unnamed && (c->cluster = strdup(cluster)) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "access entry cache: out of memory");
        goto out;
    }
    for (i = 0; i < json_object_array_length(list) && st == EKSAUTH_OK; i++) {
        o = json_object_array_get_idx(list, i);
        s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        if (s == NULL || !json_object_object_get_ex(o, "readAt", &at) ||
            !json_object_is_type(at, json_type_int)) {
            st =
                eksauth_fail(err, EKSAUTH_EINVAL, "access entry cache: entry %zu has no readAt", i);
            break;
        }
        /* The same checks as EKS's own answers: what was refused then is refused now. */
        st = eksauth_eks_parse_describe(s, strlen(s), &e, err);
        if (st == EKSAUTH_OK)
            st = eksauth_eks_parse_policies(s, strlen(s), &e, next, sizeof(next), err);
        if (st == EKSAUTH_OK)
            st = eksauth_entry_cache_put(c, &e, json_object_get_int64(at), err);
        eksauth_access_entry_free(&e);
        if (st != EKSAUTH_OK)
            eksauth_error_prefix(err, "access entry cache: entry %zu", i);
    }
out:
    json_object_put(root);
    if (st != EKSAUTH_OK)
        eksauth_entry_cache_free(c);
    c->dirty = false;
    return st;
}

struct eksauth_cached_entry *eksauth_entry_cache_find(const struct eksauth_entry_cache *c,
                                                      const char *arn)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].entry.principal_arn, arn) == 0)
            return &c->v[i];
    }
    return NULL;
}

enum eksauth_status eksauth_entry_cache_put(struct eksauth_entry_cache *c,
                                            struct eksauth_access_entry *e, long long read_at,
                                            struct eksauth_error *err)
{
    struct eksauth_cached_entry *ce = eksauth_entry_cache_find(c, e->principal_arn), *grown;

    if (ce == NULL) {
        if (c->n == c->cap) {
            size_t cap = c->cap == 0 ? 16 : c->cap * 2;

            grown = realloc(c->v, cap * sizeof(*grown));
            if (grown == NULL)
                return eksauth_fail(err, EKSAUTH_ENOMEM, "access entry cache: out of memory");
            c->v = grown;
            c->cap = cap;
        }
        ce = &c->v[c->n++];
    } else {
        eksauth_access_entry_free(&ce->entry);
    }
    ce->entry = *e;
    ce->read_at = read_at;
    memset(e, 0, sizeof(*e));
    c->dirty = true;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_entry_cache_bind(struct eksauth_entry_cache *c, const char *cluster,
                                             bool *dropped, char *was, size_t waslen,
                                             struct eksauth_error *err)
{
    char *own;

    *dropped = false;
    if (waslen > 0)
        was[0] = '\0';
    if (c->cluster != NULL && strcmp(c->cluster, cluster) == 0)
        return EKSAUTH_OK;
    own = strdup(cluster);
    if (c->n > 0 || c->cluster != NULL) {
        /* Another cluster's entries (or no cluster's): none of them is this one's. */
        *dropped = true;
        if (c->cluster != NULL && waslen > 0)
            snprintf(was, waslen, "%s", c->cluster);
    }
    eksauth_entry_cache_free(c);
    c->dirty = true;
    if (own == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "access entry cache: out of memory");
    c->cluster = own;
    return EKSAUTH_OK;
}

bool eksauth_entry_cache_adopt(struct eksauth_entry_cache *c, const char *cluster,
                               long long read_before)
{
    size_t i;

    if (!c->unnamed || c->cluster != NULL || (c->cluster = strdup(cluster)) == NULL)
        return false;
    c->unnamed = false;
    for (i = 0; i < c->n; i++)
        if (c->v[i].read_at > read_before)
            c->v[i].read_at = read_before;
    c->dirty = true; /* written back as version 2, naming it */
    return true;
}

void eksauth_entry_cache_drop(struct eksauth_entry_cache *c, const char *arn)
{
    struct eksauth_cached_entry *ce = eksauth_entry_cache_find(c, arn);

    if (ce == NULL)
        return;
    eksauth_access_entry_free(&ce->entry);
    *ce = c->v[--c->n];
    c->dirty = true;
}

void eksauth_entry_cache_keep(struct eksauth_entry_cache *c, char *const *arns, size_t n)
{
    size_t i = 0, j;
    bool listed;

    while (i < c->n) {
        for (j = 0, listed = false; j < n && !listed; j++)
            listed = strcmp(c->v[i].entry.principal_arn, arns[j]) == 0;
        if (listed) {
            i++;
            continue;
        }
        /* Gone from EKS: the entry grants nothing any more. */
        eksauth_access_entry_free(&c->v[i].entry);
        c->v[i] = c->v[--c->n];
        c->dirty = true;
    }
}

/* For qsort_r: the listed entries by the time of their last read, oldest first. */
static int older_first(const void *a, const void *b, void *arg)
{
    const long long *read_at = arg;
    long long x = read_at[*(const size_t *)a], y = read_at[*(const size_t *)b];

    if (x != y)
        return x < y ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

enum eksauth_status eksauth_entry_cache_plan(const struct eksauth_entry_cache *c, char *const *arns,
                                             size_t n, long long now, long max_age, size_t **order,
                                             size_t *n_order, struct eksauth_error *err)
{
    long long *read_at = calloc(n + 1, sizeof(*read_at));
    size_t *out = calloc(n + 1, sizeof(*out)), i, k = 0, due;
    const struct eksauth_cached_entry *ce;

    *order = NULL;
    *n_order = 0;
    if (read_at == NULL || out == NULL) {
        free(read_at);
        free(out);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "access entry cache: out of memory");
    }
    /* New entries first: until read, a login they map is refused. */
    for (i = 0; i < n; i++) {
        ce = eksauth_entry_cache_find(c, arns[i]);
        if (ce == NULL)
            out[k++] = i;
        else
            read_at[i] = ce->read_at;
    }
    due = k;
    for (i = 0; i < n; i++) {
        ce = eksauth_entry_cache_find(c, arns[i]);
        /* Read "in the future" (the clock was set back since): due, or it would wait that long. */
        if (ce != NULL && (max_age == 0 || ce->read_at > now || now - ce->read_at > max_age))
            out[k++] = i;
    }
    qsort_r(out + due, k - due, sizeof(*out), older_first, read_at);
    free(read_at);
    *order = out;
    *n_order = k;
    return EKSAUTH_OK;
}

void eksauth_entry_cache_free(struct eksauth_entry_cache *c)
{
    size_t i;

    if (c == NULL)
        return;
    for (i = 0; i < c->n; i++)
        eksauth_access_entry_free(&c->v[i].entry);
    free(c->v);
    free(c->cluster);
    memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------------ */
/* the file */

enum eksauth_status eksauth_entry_cache_read(const struct eksauth_paths *paths, bool trusted,
                                             struct eksauth_entry_cache *c,
                                             struct eksauth_error *err)
{
    enum eksauth_status st;
    char *text = NULL;
    size_t len = 0;

    memset(c, 0, sizeof(*c));
    /* Whoever could write it would choose logins: as root, root's alone (file.h). */
    st = eksauth_file_read(paths->entry_cache, EKSAUTH_ENTRY_CACHE_MAX, trusted, &text, &len, err);
    if (st == EKSAUTH_ENOTFOUND)
        return EKSAUTH_OK;
    if (st == EKSAUTH_OK) {
        st = eksauth_entry_cache_parse(text, len, c, err);
        if (st != EKSAUTH_OK) {
            /* The file's own errors name it (file.c); a parse error names what is wrong inside. */
            eksauth_error_prefix(err, "%s", paths->entry_cache);
            eksauth_error_append(err, "; every access entry is read again, and a sync that reads "
                                      "one writes a whole cache (if this warning repeats, "
                                      "remove the file)");
        }
    } else if (st != EKSAUTH_OK) {
        eksauth_error_append(err, "; every access entry is read again until it is fixed");
    }
    free(text);
    return st;
}

enum eksauth_status eksauth_entry_cache_write(const struct eksauth_paths *paths,
                                              const struct eksauth_entry_cache *c,
                                              struct eksauth_error *err)
{
    enum eksauth_status st;
    char *text = NULL;
    size_t len = 0;
    int lock = -1;

    st = eksauth_entry_cache_format(c, &text, &len, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Under the DB writer's lock, as the snapshot: a timer sync and a watch never interleave. */
    st = eksauth_iddb_lock(paths->db, &lock, err);
    if (st == EKSAUTH_OK) {
        (void)eksauth_file_remove_stale_temps(paths->entry_cache, NULL, NULL);
        st = eksauth_file_write_atomic(paths->entry_cache, text, len, 0600, err);
        eksauth_iddb_unlock(lock);
    }
    free(text);
    return st;
}
