/*
 * kubeconfig.c - the engineer's cluster in their kubeconfig: its API
 * server and CA (see kubeconfig.h).  libyaml reads the files; OpenSSL
 * decodes certificate-authority-data.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <yaml.h>

#include "eksauth/array.h"
#include "eksauth/ascii.h"
#include "eksauth/awsauth_rules.h"
#include "eksauth/file.h"
#include "eksauth/kubeconfig.h"
#include "eksauth/printable.h"
#include "eksauth/yaml_shape.h"

#define ARN_CLUSTER ":cluster/"

/* ------------------------------------------------------------------ */
/* pure */

bool eksauth_kubeconfig_names(const char *entry_name, const char *cluster)
{
    size_t n = strlen(entry_name), c = strlen(cluster);
    const char *tail;

    if (strcmp(entry_name, cluster) == 0)
        return true;
    /* arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME, as aws eks update-kubeconfig names it. */
    if (strncmp(entry_name, "arn:", 4) != 0 || n < c + strlen(ARN_CLUSTER))
        return false;
    tail = entry_name + n - c - strlen(ARN_CLUSTER);
    return strncmp(tail, ARN_CLUSTER, strlen(ARN_CLUSTER)) == 0 && strcmp(tail + 9, cluster) == 0 &&
           strstr(entry_name, ":eks:") != NULL;
}

/*
 * The scalar text of node, or NULL (a mapping, a sequence, no node).  A
 * plain null (~, null, nothing) is "": kubectl's YAML reader gives a
 * string field "" for it, never the word.
 */
static const char *scalar(yaml_node_t *node)
{
    const char *v;

    if (node == NULL || node->type != YAML_SCALAR_NODE)
        return NULL;
    v = (const char *)node->data.scalar.value;
    return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && eksauth_awsauth_plain_null(v) ? ""
                                                                                               : v;
}

/* mapping[key], or NULL. */
static yaml_node_t *get(yaml_document_t *doc, yaml_node_t *mapping, const char *key)
{
    yaml_node_pair_t *p;

    if (mapping == NULL || mapping->type != YAML_MAPPING_NODE)
        return NULL;
    for (p = mapping->data.mapping.pairs.start; p < mapping->data.mapping.pairs.top; p++) {
        const char *k = scalar(yaml_document_get_node(doc, p->key));

        if (k != NULL && strcmp(k, key) == 0)
            return yaml_document_get_node(doc, p->value);
    }
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* A certificate-authority path as kubectl takes it: relative to the kubeconfig's folder. */
static char *ca_path(const char *file, const char *path)
{
    const char *slash = strrchr(file, '/');
    char *out = NULL;

    /* "" is none to client-go, not the kubeconfig's folder. */
    if (path == NULL || path[0] == '\0')
        return NULL;
    if (path[0] == '/' || slash == NULL)
        return strdup(path);
    if (asprintf(&out, "%.*s/%s", (int)(slash - file), file, path) < 0)
        return NULL;
    return out;
}

static bool known(const struct eksauth_kubeconfig_entry *v, size_t n, const char *name)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(v[i].name, name) == 0)
            return true;
    }
    return false;
}

/*
 * Whether a bool field's value is true as go-yaml reads it (YAML 1.1):
 * yes, On and y are true to kubectl too.  The shape walk has refused a
 * value that is no plain bool before this is read.
 */
static bool go_true(const char *v)
{
    static const char *const words[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                                        "on",   "On",   "ON",   "y",   "Y"};
    size_t i;

    for (i = 0; v != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcmp(v, words[i]) == 0)
            return true;
    }
    return false;
}

/* Append one clusters: entry; false when out of memory. */
static bool add_entry(yaml_document_t *doc, yaml_node_t *item, const char *name, const char *path,
                      struct eksauth_kubeconfig_entry **v, size_t *n)
{
    yaml_node_t *c = get(doc, item, "cluster");
    struct eksauth_kubeconfig_entry *grown, *e;
    const char *insecure = scalar(get(doc, c, "insecure-skip-tls-verify"));
    const char *proxy = scalar(get(doc, c, "proxy-url"));
    const char *sni = scalar(get(doc, c, "tls-server-name"));

    grown = realloc(*v, (*n + 1) * sizeof(*grown));
    if (grown == NULL)
        return false;
    *v = grown;
    e = &grown[*n];
    memset(e, 0, sizeof(*e));
    e->name = strdup(name);
    e->server = dup_or_null(scalar(get(doc, c, "server")));
    e->ca_data = dup_or_null(scalar(get(doc, c, "certificate-authority-data")));
    e->ca_file = ca_path(path, scalar(get(doc, c, "certificate-authority")));
    e->insecure = go_true(insecure);
    e->proxy_url = dup_or_null(proxy);
    e->tls_server_name = dup_or_null(sni);
    e->from = strdup(path);
    (*n)++;
    return e->name != NULL && e->from != NULL && (proxy == NULL || e->proxy_url != NULL) &&
           (sni == NULL || e->tls_server_name != NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The first string given twice among the n in v (sorted here), or NULL.
 * Sorting keeps a hostile file's long mapping or list from costing n^2.
 */
static const char *twice(const char **v, size_t n)
{
    size_t i;

    qsort(v, n, sizeof(*v), cmp_str);
    for (i = 1; i < n; i++) {
        if (strcmp(v[i - 1], v[i]) == 0)
            return v[i];
    }
    return NULL;
}

/* name, from the file, into out for a message: it reaches a terminal, so plain text only. */
static const char *shown(const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "%.64s", name);
    if (!eksauth_visible_ascii(out, outlen))
        snprintf(out, outlen, "(unprintable)");
    return out;
}

/* Refuse, at node, what kubectl reads otherwise: "<path>:<line>: <why>: ...". */
static enum eksauth_status otherwise(const char *path, const yaml_node_t *node, const char *why,
                                     struct eksauth_error *err)
{
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "%s:%zu: %s: kubectl reads this file otherwise than eksauth; fix it "
                        "rather than have eksauth guess whom kubectl signs as",
                        path, (size_t)node->start_mark.line + 1, why);
}

/*
 * A value go-yaml reads as an infinity or NaN (.inf, -.Inf, .nan): its
 * YAML-to-JSON step fails on it wherever it is, even in a field client-go
 * ignores, and kubectl refuses the whole KUBECONFIG.
 */
#define NONFINITE "an infinity or NaN (.inf, .nan): kubectl refuses the file (quote it)"

static bool nonfinite(const yaml_node_t *v)
{
    return v != NULL && v->type == YAML_SCALAR_NODE &&
           v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           eksauth_awsauth_plain_nonfinite((const char *)v->data.scalar.value);
}

/*
 * A node go-yaml reads its own way: an explicit tag (!!binary is decoded
 * by go-yaml, kept as text by libyaml), a mapping's plain "<<" key (a
 * merge, which go-yaml applies and libyaml does not) or a key given twice
 * (go-yaml keeps the later value, get() the first).  keys: room for the
 * keys of the largest mapping.
 */
static enum eksauth_status node_otherwise(yaml_document_t *doc, const yaml_node_t *node,
                                          const char *path, const char **keys,
                                          struct eksauth_error *err)
{
    const char *tag = eksauth_yaml_explicit_tag(node);
    const yaml_node_t *merge;
    yaml_node_item_t *it;
    yaml_node_pair_t *p;
    const char *dup;
    size_t n = 0;

    char why[128], name[80];

    if (tag != NULL) {
        snprintf(why, sizeof(why), "a tag (%s)", shown(tag, name, sizeof(name)));
        return otherwise(path, node, why, err);
    }
    if (node->type == YAML_SEQUENCE_NODE) {
        for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++) {
            if (nonfinite(yaml_document_get_node(doc, *it)))
                return otherwise(path, node, NONFINITE, err);
        }
    }
    if (node->type != YAML_MAPPING_NODE)
        return EKSAUTH_OK;
    if ((merge = eksauth_yaml_merge_key(doc, node)) != NULL)
        return otherwise(path, merge, "a merge key (<<)", err);
    for (p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);

        if (nonfinite(yaml_document_get_node(doc, p->value)))
            return otherwise(path, node, NONFINITE, err);
        if (k != NULL && k->type == YAML_SCALAR_NODE)
            keys[n++] = (const char *)k->data.scalar.value;
    }
    if ((dup = twice(keys, n)) == NULL)
        return EKSAUTH_OK;
    snprintf(why, sizeof(why), "the key \"%s\" is given twice", shown(dup, name, sizeof(name)));
    return otherwise(path, node, why, err);
}

/* A name given to two entries of the list under key: client-go refuses the whole file. */
static enum eksauth_status list_otherwise(yaml_document_t *doc, yaml_node_t *root, const char *key,
                                          const char *path, const char **names,
                                          struct eksauth_error *err)
{
    yaml_node_t *list = get(doc, root, key);
    yaml_node_item_t *it;
    const char *dup;
    char why[128], name[80];
    size_t n = 0;

    if (list == NULL || list->type != YAML_SEQUENCE_NODE)
        return EKSAUTH_OK;
    for (it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
        const char *one = scalar(get(doc, yaml_document_get_node(doc, *it), "name"));

        if (one != NULL)
            names[n++] = one;
    }
    if ((dup = twice(names, n)) == NULL)
        return EKSAUTH_OK;
    snprintf(why, sizeof(why), "%s: two named \"%s\"", key, shown(dup, name, sizeof(name)));
    return otherwise(path, list, why, err);
}

/*
 * A YAML null: no node, or a plain empty scalar, ~ or null (eksauth_awsauth_plain_null),
 * as kubectl reads `args:` with nothing after: Go's zero value for whatever client-go
 * decodes it into.
 */
static bool is_null(const yaml_node_t *node)
{
    return node == NULL ||
           (node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            eksauth_awsauth_plain_null((const char *)node->data.scalar.value));
}

/*
 * The shape client-go decodes a kubeconfig into (its v1 Config), as far
 * as eksauth reads it: each key of a mapping and what its value must be.
 * A value of another shape (users: {}, env: {}, context: 12, a name
 * [n]) or a plain scalar go-yaml types as a bool or a number (yes, on,
 * 123, 0x10, 1e3: eksauth_awsauth_plain_kind) where a string is wanted
 * makes kubectl refuse the whole KUBECONFIG (json: cannot unmarshal ...),
 * where eksauth would skip it or read the word, and follow another file's
 * user.  So do the fields eksauth does not read, where the type differs
 * (a bool "true" quoted, certificate data that is not base64, an
 * auth-provider's config that is not a mapping of strings).  A plain null
 * is Go's zero value for any of them: taken.  An extension's value is
 * anything (a runtime.RawExtension): not listed.
 */
enum shape { STRING, STRINGS, MAPPING, MAPPINGS, BOOL, BYTES, STRING_MAP, STRINGS_MAP };

struct field {
    const char *key;
    enum shape shape;
    const struct field *inner; /* the keys of a MAPPING, or of each of the MAPPINGS; NULL-ended */
};

static const struct field env_fields[] = {{"name", STRING, NULL}, {"value", STRING, NULL}, {0}};
static const struct field extension_fields[] = {{"name", STRING, NULL}, {0}};
static const struct field auth_provider_fields[] = {
    {"name", STRING, NULL}, {"config", STRING_MAP, NULL}, {0}};
static const struct field preferences_fields[] = {
    {"colors", BOOL, NULL}, {"extensions", MAPPINGS, extension_fields}, {0}};
static const struct field exec_fields[] = {{"command", STRING, NULL},
                                           {"apiVersion", STRING, NULL},
                                           {"installHint", STRING, NULL},
                                           {"interactiveMode", STRING, NULL},
                                           {"args", STRINGS, NULL},
                                           {"env", MAPPINGS, env_fields},
                                           {"provideClusterInfo", BOOL, NULL},
                                           {0}};
static const struct field user_fields[] = {{"client-certificate", STRING, NULL},
                                           {"client-key", STRING, NULL},
                                           {"token", STRING, NULL},
                                           {"tokenFile", STRING, NULL},
                                           {"as", STRING, NULL},
                                           {"as-uid", STRING, NULL},
                                           {"as-groups", STRINGS, NULL},
                                           {"username", STRING, NULL},
                                           {"password", STRING, NULL},
                                           {"exec", MAPPING, exec_fields},
                                           {"auth-provider", MAPPING, auth_provider_fields},
                                           {"client-certificate-data", BYTES, NULL},
                                           {"client-key-data", BYTES, NULL},
                                           {"as-user-extra", STRINGS_MAP, NULL},
                                           {"extensions", MAPPINGS, extension_fields},
                                           {0}};
static const struct field context_fields[] = {{"cluster", STRING, NULL},
                                              {"user", STRING, NULL},
                                              {"namespace", STRING, NULL},
                                              {"extensions", MAPPINGS, extension_fields},
                                              {0}};
static const struct field cluster_fields[] = {{"server", STRING, NULL},
                                              {"certificate-authority", STRING, NULL},
                                              {"tls-server-name", STRING, NULL},
                                              {"proxy-url", STRING, NULL},
                                              {"certificate-authority-data", BYTES, NULL},
                                              {"insecure-skip-tls-verify", BOOL, NULL},
                                              {"disable-compression", BOOL, NULL},
                                              {"extensions", MAPPINGS, extension_fields},
                                              {0}};
static const struct field named_user[] = {
    {"name", STRING, NULL}, {"user", MAPPING, user_fields}, {0}};
static const struct field named_context[] = {
    {"name", STRING, NULL}, {"context", MAPPING, context_fields}, {0}};
static const struct field named_cluster[] = {
    {"name", STRING, NULL}, {"cluster", MAPPING, cluster_fields}, {0}};
static const struct field config_fields[] = {{"current-context", STRING, NULL},
                                             {"kind", STRING, NULL},
                                             {"apiVersion", STRING, NULL},
                                             {"clusters", MAPPINGS, named_cluster},
                                             {"contexts", MAPPINGS, named_context},
                                             {"users", MAPPINGS, named_user},
                                             {"preferences", MAPPING, preferences_fields},
                                             {"extensions", MAPPINGS, extension_fields},
                                             {0}};

static const char *const shape_names[] = {"a string",
                                          "a list of strings",
                                          "a mapping",
                                          "a list of mappings",
                                          "a bool",
                                          "base64",
                                          "a mapping of strings",
                                          "a mapping of lists of strings"};

/*
 * Whether v (len bytes) decodes as Go's base64.StdEncoding decodes a
 * []byte field from JSON: CR and LF skipped, the alphabet, padding to a
 * multiple of 4 and '=' only at the end.
 */
static bool go_base64(const char *v, size_t len)
{
    size_t i, n = 0, pad = 0;

    for (i = 0; i < len; i++) {
        char c = v[i];

        if (c == '\r' || c == '\n')
            continue;
        n++;
        if (c == '=') {
            pad++;
            continue;
        }
        if (pad > 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '+' || c == '/'))
            return false;
    }
    return n % 4 == 0 && pad <= 2;
}

static enum eksauth_status shape_walk(yaml_document_t *doc, yaml_node_t *map,
                                      const struct field *fields, const char *path,
                                      struct eksauth_error *err);

/* node (the value of key, or an item of its list) against shape; recursing into inner. */
static enum eksauth_status shape_node(yaml_document_t *doc, yaml_node_t *node, const char *key,
                                      enum shape shape, const struct field *inner, const char *path,
                                      struct eksauth_error *err)
{
    char why[200];
    const char *kind = NULL;
    yaml_node_item_t *it;
    yaml_node_pair_t *p;
    enum eksauth_status st = EKSAUTH_OK;

    if (is_null(node))
        return EKSAUTH_OK;
    if ((shape == STRINGS || shape == MAPPINGS) && node->type == YAML_SEQUENCE_NODE) {
        for (it = node->data.sequence.items.start;
             st == EKSAUTH_OK && it < node->data.sequence.items.top; it++)
            st = shape_node(doc, yaml_document_get_node(doc, *it), key,
                            shape == STRINGS ? STRING : MAPPING, inner, path, err);
        return st;
    }
    if ((shape == STRING_MAP || shape == STRINGS_MAP) && node->type == YAML_MAPPING_NODE) {
        for (p = node->data.mapping.pairs.start;
             st == EKSAUTH_OK && p < node->data.mapping.pairs.top; p++)
            st = shape_node(doc, yaml_document_get_node(doc, p->value), key,
                            shape == STRING_MAP ? STRING : STRINGS, NULL, path, err);
        return st;
    }
    if (node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        kind = eksauth_awsauth_plain_kind((const char *)node->data.scalar.value,
                                          node->data.scalar.length);
    if ((shape == STRING || shape == BYTES) && node->type == YAML_SCALAR_NODE) {
        /* The value is not shown: a token, a password or an env value may be a secret. */
        if (kind != NULL)
            snprintf(why, sizeof(why),
                     "%s is %s, not a string: kubectl refuses the file (quote it)", key, kind);
        else if (shape == BYTES &&
                 !go_base64((const char *)node->data.scalar.value, node->data.scalar.length))
            snprintf(why, sizeof(why),
                     "%s is not base64: kubectl refuses the file (illegal base64 data)", key);
        else
            return EKSAUTH_OK;
        return otherwise(path, node, why, err);
    }
    /* A bool is a plain true, yes, on...: quoted it is a string, which client-go refuses. */
    if (shape == BOOL && kind != NULL && strcmp(kind, "a boolean") == 0)
        return EKSAUTH_OK;
    if (shape == MAPPING && node->type == YAML_MAPPING_NODE)
        return inner != NULL ? shape_walk(doc, node, inner, path, err) : EKSAUTH_OK;
    snprintf(why, sizeof(why), "%s is not %s: kubectl refuses the file", key, shape_names[shape]);
    return otherwise(path, node, why, err);
}

/* The values of map's keys that fields name, against their shapes. */
static enum eksauth_status shape_walk(yaml_document_t *doc, yaml_node_t *map,
                                      const struct field *fields, const char *path,
                                      struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    for (; st == EKSAUTH_OK && fields->key != NULL; fields++)
        st = shape_node(doc, get(doc, map, fields->key), fields->key, fields->shape, fields->inner,
                        path, err);
    return st;
}

/*
 * What kubectl (client-go: go-yaml v2, then JSON) reads otherwise than
 * this file's reader, anywhere in doc: eksauth would sign as, or send a
 * token to, what kubectl does not use.
 */
static enum eksauth_status doc_otherwise(yaml_document_t *doc, yaml_node_t *root, const char *path,
                                         struct eksauth_error *err)
{
    static const char *const lists[] = {"clusters", "contexts", "users"};
    enum eksauth_status st = EKSAUTH_OK;
    const char **room;
    yaml_node_t *node;
    size_t i;

    /* Room for the most keys or names any one node can have: one per node of the document. */
    room = calloc((size_t)(doc->nodes.top - doc->nodes.start) + 1, sizeof(*room));
    if (room == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    for (node = doc->nodes.start; st == EKSAUTH_OK && node < doc->nodes.top; node++)
        st = node_otherwise(doc, node, path, room, err);
    for (i = 0; st == EKSAUTH_OK && i < sizeof(lists) / sizeof(lists[0]); i++)
        st = list_otherwise(doc, root, lists[i], path, room, err);
    if (st == EKSAUTH_OK)
        st = shape_walk(doc, root, config_fields, path, err);
    free(room);
    return st;
}

/*
 * eksauth's bound on nested flow collections, far below go-yaml's 10000:
 * libyaml's scanner walks every open level for each token, so a 1 MiB
 * file of 9999 levels and half a million items, which kubectl reads, takes
 * it tens of seconds.  No kubeconfig nests flow collections past a few.
 */
#define FLOW_NESTING_MAX 64

/*
 * Whether text nests flow collections deeper than FLOW_NESTING_MAX: libyaml
 * would scan a hostile one (a kubeconfig from a repository) for seconds to
 * half an hour, where kubectl refuses one past 10000 at once.
 */
static enum eksauth_status flow_too_deep(const char *text, size_t len, const char *path,
                                         struct eksauth_error *err)
{
    yaml_mark_t at = {0, 0, 0};
    enum eksauth_status st = eksauth_yaml_flow_deeper(text, len, FLOW_NESTING_MAX, &at);

    if (st == EKSAUTH_ENOMEM)
        return eksauth_fail(err, st, "%s: out of memory", path);
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st,
                            "%s:%zu: collections nested deeper than %d: eksauth refuses it "
                            "(kubectl past 10000; libyaml's scan is slow in the depth)",
                            path, (size_t)at.line + 1, FLOW_NESTING_MAX);
    return EKSAUTH_OK;
}

/*
 * text as a YAML document into *doc (deleted by the caller when this
 * succeeds); *root is its root mapping, NULL for an empty file.
 */
static enum eksauth_status load_doc(const char *text, size_t len, const char *path,
                                    yaml_document_t *doc, yaml_node_t **root,
                                    struct eksauth_error *err)
{
    enum eksauth_status st;
    yaml_parser_t yp;
    yaml_node_t *node;

    if ((st = flow_too_deep(text, len, path, err)) != EKSAUTH_OK)
        return st;
    if (!yaml_parser_initialize(&yp))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    if (!yaml_parser_load(&yp, doc)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s:%zu: not YAML: %s", path,
                          (size_t)yp.problem_mark.line + 1,
                          yp.problem != NULL ? yp.problem : "unreadable");
        yaml_parser_delete(&yp);
        return st;
    }
    yaml_parser_delete(&yp);
    *root = yaml_document_get_root_node(doc);
    if (*root != NULL && (*root)->type != YAML_MAPPING_NODE) {
        yaml_document_delete(doc);
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a kubeconfig (not a mapping)", path);
    }
    /*
     * Names are compared as C strings: "a\0x" would be "a", another entry
     * than kubectl's.  A NUL anywhere ("\0" in a quoted scalar) is refused.
     */
    for (node = doc->nodes.start; node < doc->nodes.top; node++) {
        if (node->type == YAML_SCALAR_NODE &&
            memchr(node->data.scalar.value, '\0', node->data.scalar.length) != NULL) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "%s:%zu: a NUL byte in a value", path,
                              (size_t)node->start_mark.line + 1);
            yaml_document_delete(doc);
            return st;
        }
    }
    if (*root != NULL && (st = doc_otherwise(doc, *root, path, err)) != EKSAUTH_OK) {
        yaml_document_delete(doc);
        return st;
    }
    return EKSAUTH_OK;
}

/* The clusters: entries of one document named for cluster. */
static enum eksauth_status scan_clusters(yaml_document_t *doc, yaml_node_t *root, const char *path,
                                         const char *cluster, struct eksauth_kubeconfig_entry **v,
                                         size_t *n, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    yaml_node_t *clusters;
    yaml_node_item_t *it;

    if (root == NULL) /* an empty file: nothing in it */
        return EKSAUTH_OK;
    clusters = get(doc, root, "clusters");
    if (clusters == NULL || clusters->type != YAML_SEQUENCE_NODE)
        return EKSAUTH_OK;
    for (it = clusters->data.sequence.items.start;
         st == EKSAUTH_OK && it < clusters->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        const char *name = scalar(get(doc, item, "name"));

        if (name == NULL || !eksauth_kubeconfig_names(name, cluster) || known(*v, *n, name))
            continue;
        if (!add_entry(doc, item, name, path, v, n))
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    }
    return st;
}

static enum eksauth_status scan_auth(yaml_document_t *doc, yaml_node_t *root, const char *path,
                                     struct eksauth_kubeconfig_auth *a, struct eksauth_error *err);

/*
 * One kubeconfig text, parsed once: its clusters: entries for cluster
 * (NULL: not wanted) and its contexts and users into a (NULL: not wanted).
 */
static enum eksauth_status scan_text(const char *text, size_t len, const char *path,
                                     const char *cluster, struct eksauth_kubeconfig_entry **v,
                                     size_t *n, struct eksauth_kubeconfig_auth *a,
                                     struct eksauth_error *err)
{
    enum eksauth_status st;
    yaml_document_t doc;
    yaml_node_t *root = NULL;

    st = load_doc(text, len, path, &doc, &root, err);
    if (st != EKSAUTH_OK)
        return st;
    if (cluster != NULL)
        st = scan_clusters(&doc, root, path, cluster, v, n, err);
    if (st == EKSAUTH_OK && a != NULL)
        st = scan_auth(&doc, root, path, a, err);
    yaml_document_delete(&doc);
    return st;
}

enum eksauth_status eksauth_kubeconfig_scan(const char *text, size_t len, const char *path,
                                            const char *cluster,
                                            struct eksauth_kubeconfig_entry **v, size_t *n,
                                            struct eksauth_error *err)
{
    return scan_text(text, len, path, cluster, v, n, NULL, err);
}

/* ---- contexts, users and their exec: sections ---- */

/*
 * A copy of a scalar node's text into *out: 0, or 1 (*out NULL) when it is
 * no scalar or holds a NUL byte, -1 when out of memory.
 */
static int scalar_dup(yaml_node_t *node, char **out)
{
    const char *v = scalar(node);

    *out = NULL;
    /* A NUL would cut the text here where kubectl would not: never a shorter string. */
    if (v == NULL || (v[0] != '\0' && strlen(v) != node->data.scalar.length))
        return 1;
    *out = strdup(v);
    return *out != NULL ? 0 : -1;
}

/* The items of a sequence node as strings into *v (*n of them); false when out of memory. */
static bool read_strings(yaml_document_t *doc, yaml_node_t *seq, char ***v, size_t *n,
                         const char **problem, const char *what)
{
    yaml_node_item_t *it;

    *v = calloc((size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start) + 1,
                sizeof(**v));
    if (*v == NULL)
        return false;
    for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
        int r = scalar_dup(yaml_document_get_node(doc, *it), &(*v)[*n]);

        if (r < 0)
            return false;
        if (r > 0)
            *problem = what;
        else
            (*n)++;
    }
    return true;
}

/* The env: list of an exec: section ([{name, value}]) into e; false when out of memory. */
static bool read_env_list(yaml_document_t *doc, yaml_node_t *env, struct eksauth_kube_exec *e)
{
    size_t n = (size_t)(env->data.sequence.items.top - env->data.sequence.items.start);
    yaml_node_item_t *it;

    e->env_names = calloc(n + 1, sizeof(*e->env_names));
    e->env_values = calloc(n + 1, sizeof(*e->env_values));
    if (e->env_names == NULL || e->env_values == NULL)
        return false;
    for (it = env->data.sequence.items.start; it < env->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        yaml_node_t *value = get(doc, item, "value");
        char *name = NULL, *val = NULL;
        int rn = scalar_dup(get(doc, item, "name"), &name);
        /* value: absent or null is "", as kubectl takes it. */
        int rv = is_null(value) ? ((val = strdup("")) != NULL ? 0 : -1) : scalar_dup(value, &val);

        /* A name "" or null is none: client-go refuses it ("env variable name must be specified").
         */
        if (rn == 0 && name[0] == '\0')
            rn = 1;
        if (rn < 0 || rv < 0 || rn > 0 || rv > 0) {
            free(name);
            free(val);
            if (rn < 0 || rv < 0)
                return false;
            e->problem = rn > 0 ? "an env entry has no name" : "an env value is not a string";
            continue;
        }
        e->env_names[e->n_env] = name;
        e->env_values[e->n_env++] = val;
    }
    return true;
}

#define EXEC_API "client.authentication.k8s.io/"

/*
 * What makes kubectl 1.32 run no plugin at all for the section (client-go's
 * exec checks; kubectl get fails): no apiVersion ("apiVersion must be
 * specified"), one other than v1 or v1beta1, an interactiveMode other than
 * Never, IfAvailable or Always, v1 without one.  eksauth then signs as
 * nobody either.
 */
static void plugin_refused(yaml_document_t *doc, yaml_node_t *exec, struct eksauth_kube_exec *e)
{
    const char *api = scalar(get(doc, exec, "apiVersion"));
    const char *mode = scalar(get(doc, exec, "interactiveMode"));
    bool v1 = api != NULL && strcmp(api, EXEC_API "v1") == 0;

    if (api == NULL || api[0] == '\0')
        e->problem = "no apiVersion: kubectl runs no plugin (\"apiVersion must be specified\"); "
                     "add apiVersion: " EXEC_API "v1beta1 to the exec section";
    else if (!v1 && strcmp(api, EXEC_API "v1beta1") != 0)
        e->problem = "apiVersion is not " EXEC_API "v1 or v1beta1: kubectl runs no plugin";
    else if (mode != NULL && mode[0] != '\0' && strcmp(mode, "Never") != 0 &&
             strcmp(mode, "IfAvailable") != 0 && strcmp(mode, "Always") != 0)
        e->problem = "interactiveMode is not Never, IfAvailable or Always: kubectl runs no plugin";
    else if (v1 && (mode == NULL || mode[0] == '\0'))
        e->problem = "apiVersion v1 without interactiveMode: kubectl runs no plugin";
}

/* The exec: section of a users: entry into e; false when out of memory. */
static bool read_exec(yaml_document_t *doc, yaml_node_t *exec, struct eksauth_kube_exec *e)
{
    yaml_node_t *args = get(doc, exec, "args"), *env = get(doc, exec, "env");
    int r;

    if (exec->type != YAML_MAPPING_NODE) {
        e->problem = "not a mapping";
        return (e->command = strdup("")) != NULL;
    }
    r = scalar_dup(get(doc, exec, "command"), &e->command);
    if (r < 0 || (r > 0 && (e->command = strdup("")) == NULL))
        return false;
    if (r > 0)
        e->problem = "command is not a string";
    if (!is_null(args) && args->type != YAML_SEQUENCE_NODE)
        e->problem = "args is not a list";
    else if (!is_null(args) &&
             !read_strings(doc, args, &e->args, &e->n_args, &e->problem, "an arg is not a string"))
        return false;
    if (!is_null(env) && env->type != YAML_SEQUENCE_NODE)
        e->problem = "env is not a list";
    else if (!is_null(env) && !read_env_list(doc, env, e))
        return false;
    plugin_refused(doc, exec, e);
    return true;
}

static bool known_context(const struct eksauth_kubeconfig_auth *a, const char *name)
{
    size_t i;

    for (i = 0; i < a->n_contexts; i++) {
        if (strcmp(a->contexts[i].name, name) == 0)
            return true;
    }
    return false;
}

static const struct eksauth_kubeconfig_user *find_user(const struct eksauth_kubeconfig_auth *a,
                                                       const char *name)
{
    size_t i;

    for (i = 0; name != NULL && i < a->n_users; i++) {
        if (strcmp(a->users[i].name, name) == 0)
            return &a->users[i];
    }
    return NULL;
}

/* Append one contexts: entry; false when out of memory. */
static bool add_context(yaml_document_t *doc, yaml_node_t *item, const char *name, const char *path,
                        struct eksauth_kubeconfig_auth *a)
{
    yaml_node_t *c = get(doc, item, "context");
    struct eksauth_kubeconfig_context *ctx;

    if (!eksauth_array_reserve((void **)&a->contexts, &a->cap_contexts, a->n_contexts, 1,
                               sizeof(*ctx)))
        return false;
    ctx = &a->contexts[a->n_contexts++];
    memset(ctx, 0, sizeof(*ctx));
    ctx->name = strdup(name);
    ctx->cluster = dup_or_null(scalar(get(doc, c, "cluster")));
    ctx->user = dup_or_null(scalar(get(doc, c, "user")));
    ctx->from = strdup(path);
    return ctx->name != NULL && ctx->from != NULL;
}

/* Whether the string field key of user is set: neither absent, null nor "". */
static bool user_has(yaml_document_t *doc, yaml_node_t *user, const char *key)
{
    const char *v = scalar(get(doc, user, key));

    return v != NULL && v[0] != '\0';
}

/* Whether the list or mapping field key of user holds an item. */
static bool user_has_items(yaml_document_t *doc, yaml_node_t *user, const char *key)
{
    yaml_node_t *v = get(doc, user, key);

    return v != NULL && ((v->type == YAML_SEQUENCE_NODE &&
                          v->data.sequence.items.top > v->data.sequence.items.start) ||
                         (v->type == YAML_MAPPING_NODE &&
                          v->data.mapping.pairs.top > v->data.mapping.pairs.start));
}

/*
 * What in the rest of user makes kubectl 1.32 run no plugin for its exec
 * section (client-go's validateAuthInfo, then the exec authenticator,
 * which steps aside for a token, a username or a client certificate):
 * kubectl signs as nobody the section names.
 */
static void user_refused(yaml_document_t *doc, yaml_node_t *user, struct eksauth_kube_exec *e)
{
    if (e->problem != NULL)
        return;
    if (!is_null(get(doc, user, "auth-provider")))
        e->problem = "an auth-provider beside exec: kubectl runs no plugin (\"authProvider "
                     "cannot be provided in combination with an exec plugin\")";
    else if (!user_has(doc, user, "as") &&
             (user_has(doc, user, "as-uid") || user_has_items(doc, user, "as-groups") ||
              user_has_items(doc, user, "as-user-extra")))
        e->problem = "as-uid, as-groups or as-user-extra without as: kubectl runs no plugin "
                     "(\"requesting uid, groups or user-extra ... without impersonating a user\")";
    else if (user_has(doc, user, "token") || user_has(doc, user, "tokenFile"))
        e->problem = "kubectl sends the user's token (token, tokenFile) and runs no plugin";
    else if (user_has(doc, user, "username"))
        e->problem = "kubectl sends the user's username and password and runs no plugin";
    else if (user_has(doc, user, "client-certificate") ||
             user_has(doc, user, "client-certificate-data"))
        e->problem = "kubectl uses the user's client certificate and runs no plugin";
}

/* Append one users: entry with its exec: section; false when out of memory. */
static bool add_user(yaml_document_t *doc, yaml_node_t *item, const char *name, const char *path,
                     struct eksauth_kubeconfig_auth *a)
{
    yaml_node_t *user = get(doc, item, "user"), *exec = get(doc, user, "exec");
    struct eksauth_kubeconfig_user *u;

    if (!eksauth_array_reserve((void **)&a->users, &a->cap_users, a->n_users, 1, sizeof(*u)))
        return false;
    u = &a->users[a->n_users++];
    memset(u, 0, sizeof(*u));
    u->name = strdup(name);
    u->from = strdup(path);
    if (u->name == NULL || u->from == NULL)
        return false;
    if (is_null(exec))
        return true;
    if (!read_exec(doc, exec, &u->exec))
        return false;
    user_refused(doc, user, &u->exec);
    return true;
}

/* The contexts: and users: of one document into a. */
static enum eksauth_status scan_auth(yaml_document_t *doc, yaml_node_t *root, const char *path,
                                     struct eksauth_kubeconfig_auth *a, struct eksauth_error *err)
{
    yaml_node_t *contexts, *users;
    yaml_node_item_t *it;
    const char *cur;

    if (root == NULL)
        return EKSAUTH_OK;
    /*
     * kubectl merges the files before it reads the current context: the
     * first file that sets one names it, whichever file defines it (and
     * the first of those gives its cluster and user).
     */
    cur = scalar(get(doc, root, "current-context"));
    if (a->current_context == NULL && cur != NULL && cur[0] != '\0' &&
        (a->current_context = strdup(cur)) == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    contexts = get(doc, root, "contexts");
    if (contexts != NULL && contexts->type == YAML_SEQUENCE_NODE) {
        for (it = contexts->data.sequence.items.start; it < contexts->data.sequence.items.top;
             it++) {
            yaml_node_t *item = yaml_document_get_node(doc, *it);
            const char *name = scalar(get(doc, item, "name"));

            if (name != NULL && !known_context(a, name) && !add_context(doc, item, name, path, a))
                return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
        }
    }
    users = get(doc, root, "users");
    if (users != NULL && users->type == YAML_SEQUENCE_NODE) {
        for (it = users->data.sequence.items.start; it < users->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(doc, *it);
            const char *name = scalar(get(doc, item, "name"));

            if (name != NULL && find_user(a, name) == NULL && !add_user(doc, item, name, path, a))
                return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
        }
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_kubeconfig_scan_auth(const char *text, size_t len, const char *path,
                                                 struct eksauth_kubeconfig_auth *a,
                                                 struct eksauth_error *err)
{
    return scan_text(text, len, path, NULL, NULL, NULL, a, err);
}

/* kubectl's current context: with none set (or ""), the context named "" when there is one. */
static const char *current_name(const struct eksauth_kubeconfig_auth *a)
{
    return a->current_context != NULL ? a->current_context : "";
}

const char *eksauth_kubeconfig_current_cluster(const struct eksauth_kubeconfig_auth *a)
{
    size_t i;

    for (i = 0; i < a->n_contexts; i++) {
        if (strcmp(a->contexts[i].name, current_name(a)) == 0)
            return a->contexts[i].cluster;
    }
    return NULL;
}

void eksauth_kubeconfig_auth_free(struct eksauth_kubeconfig_auth *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n_contexts; i++) {
        free(a->contexts[i].name);
        free(a->contexts[i].cluster);
        free(a->contexts[i].user);
        free(a->contexts[i].from);
    }
    free(a->contexts);
    for (i = 0; i < a->n_users; i++) {
        free(a->users[i].name);
        free(a->users[i].from);
        eksauth_kube_exec_free(&a->users[i].exec);
    }
    free(a->users);
    free(a->current_context);
    memset(a, 0, sizeof(*a));
}

/*
 * The region of an EKS cluster ARN (arn:P:eks:REGION:...), or "" (no ARN:
 * any region).  One too long for out is "?", no region's name: cut, it
 * could match EKSAUTH_REGION.
 */
static void arn_region(const char *name, char *out, size_t outlen)
{
    const char *r = strstr(name, ":eks:");
    const char *end = r != NULL ? strchr(r + 5, ':') : NULL;

    out[0] = '\0';
    if (strncmp(name, "arn:", 4) != 0 || end == NULL)
        return;
    if ((size_t)(end - r - 5) < outlen)
        snprintf(out, outlen, "%.*s", (int)(end - r - 5), r + 5);
    else
        snprintf(out, outlen, "?");
}

enum eksauth_status eksauth_kubeconfig_choose(const struct eksauth_kubeconfig_entry *v, size_t n,
                                              const char *cluster, const char *current,
                                              const char *region, size_t *chosen,
                                              struct eksauth_error *err)
{
    char names[300] = "", r[64];
    size_t i, hits = 0;

    for (i = 0; i < n; i++) {
        arn_region(v[i].name, r, sizeof(r));
        /* The current context's cluster, unless EKSAUTH_REGION names another region. */
        if (current != NULL && strcmp(v[i].name, current) == 0 &&
            (region == NULL || r[0] == '\0' || strcmp(r, region) == 0)) {
            *chosen = i;
            return EKSAUTH_OK;
        }
    }
    for (i = 0; i < n; i++) {
        arn_region(v[i].name, r, sizeof(r));
        if (region != NULL && r[0] != '\0' && strcmp(r, region) != 0)
            continue;
        *chosen = i;
        hits++;
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", hits > 1 ? ", " : "",
                 v[i].name);
    }
    if (hits == 1)
        return EKSAUTH_OK;
    if (hits == 0)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND, "no cluster %s%s%s in the kubeconfig", cluster,
                            region != NULL ? " in region " : "", region != NULL ? region : "");
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "%zu clusters named %s in the kubeconfig (%s): set EKSAUTH_REGION, or "
                        "switch kubectl to the one you mean (kubectl config use-context)",
                        hits, cluster, names);
}

/* Whether entry e is one of the cluster entries left to choose from (region, as choose reads it).
 */
static bool in_region(const struct eksauth_kubeconfig_entry *e, const char *region)
{
    char r[64];

    arn_region(e->name, r, sizeof(r));
    return region == NULL || r[0] == '\0' || strcmp(r, region) == 0;
}

bool eksauth_kubeconfig_ca_data_given(const struct eksauth_kubeconfig_entry *e)
{
    return e->ca_data != NULL && e->ca_data[strspn(e->ca_data, "\r\n")] != '\0';
}

/*
 * What client-go's validation refuses in cluster entry e before any plugin
 * runs (validateClusterInfo, then the TLS config), or NULL.
 */
static const char *cluster_refused(const struct eksauth_kubeconfig_entry *e)
{
    bool data = eksauth_kubeconfig_ca_data_given(e), file = e->ca_file != NULL;

    if (e->server == NULL || e->server[0] == '\0')
        return "no server (\"no server found for cluster\")";
    if (data && file)
        return "both certificate-authority and certificate-authority-data (\"both specified\")";
    if (e->insecure && (data || file))
        return "insecure-skip-tls-verify beside a certificate authority (\"specifying a root "
               "certificates file with the insecure flag is not allowed\")";
    return NULL;
}

/* The identity of context ctx: its user's exec: section. */
static enum eksauth_status context_identity(const struct eksauth_kubeconfig_auth *a,
                                            const struct eksauth_kubeconfig_context *ctx,
                                            struct eksauth_exec_identity *out,
                                            struct eksauth_error *err)
{
    /* A context without user: runs the user named "", as kubectl does. */
    const struct eksauth_kubeconfig_user *u = find_user(a, ctx->user != NULL ? ctx->user : "");
    char from[600];

    /* No user (or one kubectl would not find): nothing to follow, as without a kubeconfig. */
    snprintf(from, sizeof(from), "%.300s (user %.250s)", u != NULL ? u->from : ctx->from,
             ctx->user != NULL ? ctx->user : "");
    return eksauth_exec_identity_read(u != NULL ? &u->exec : NULL, from, out, err);
}

/*
 * The identity of context ctx of cluster entry e: its user's exec: section,
 * refused when it is followed and kubectl refuses e (then it runs nothing).
 */
static enum eksauth_status entry_identity(const struct eksauth_kubeconfig_auth *a,
                                          const struct eksauth_kubeconfig_context *ctx,
                                          const struct eksauth_kubeconfig_entry *e,
                                          struct eksauth_exec_identity *out,
                                          struct eksauth_error *err)
{
    enum eksauth_status st = context_identity(a, ctx, out, err);
    const char *why = cluster_refused(e);

    if (st != EKSAUTH_OK || why == NULL || out->kind == EKSAUTH_EXEC_NONE ||
        out->kind == EKSAUTH_EXEC_OTHER)
        return st;
    st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: cluster %s: %s: kubectl runs no plugin for it",
                      e->from, e->name, why);
    eksauth_exec_identity_free(out);
    snprintf(out->from, sizeof(out->from), "%s", e->from);
    return st;
}

enum eksauth_status eksauth_kubeconfig_identity_choose(const struct eksauth_kubeconfig_entry *v,
                                                       size_t n,
                                                       const struct eksauth_kubeconfig_auth *a,
                                                       const char *cluster, const char *region,
                                                       struct eksauth_exec_identity *out,
                                                       struct eksauth_error *err)
{
    const char *current = eksauth_kubeconfig_current_cluster(a);
    struct eksauth_exec_identity other;
    enum eksauth_status st;
    const char *first = NULL;
    size_t chosen = 0, i, j, hits = 0;
    bool one;

    memset(out, 0, sizeof(*out));
    memset(&other, 0, sizeof(other));
    out->kind = EKSAUTH_EXEC_NONE;
    /* The entry eksauth_kubeconfig_find would take; when several remain, each of them. */
    st = eksauth_kubeconfig_choose(v, n, cluster, current, region, &chosen, NULL);
    if (st == EKSAUTH_ENOTFOUND)
        return EKSAUTH_OK;
    one = st == EKSAUTH_OK;
    st = EKSAUTH_OK;
    /* The current context, when it names one of those entries: kubectl's own choice. */
    for (i = 0; i < a->n_contexts; i++) {
        const struct eksauth_kubeconfig_context *c = &a->contexts[i];

        if (strcmp(c->name, current_name(a)) != 0 || c->cluster == NULL)
            continue;
        for (j = 0; j < n; j++) {
            if (strcmp(v[j].name, c->cluster) == 0 &&
                (one ? j == chosen : in_region(&v[j], region)))
                return entry_identity(a, c, &v[j], out, err);
        }
    }
    /* Else every context of those entries, which must give one identity. */
    for (i = 0; i < a->n_contexts; i++) {
        const struct eksauth_kubeconfig_context *c = &a->contexts[i];

        for (j = 0; c->cluster != NULL && j < n; j++) {
            if (strcmp(v[j].name, c->cluster) == 0 &&
                (one ? j == chosen : in_region(&v[j], region)))
                break;
        }
        if (c->cluster == NULL || j == n)
            continue;
        st = entry_identity(a, c, &v[j], hits == 0 ? out : &other, err);
        if (st != EKSAUTH_OK)
            goto out;
        if (hits++ == 0) {
            first = c->name;
            continue;
        }
        if (!eksauth_exec_identity_same(out, &other)) {
            char a_id[200], b_id[200];

            eksauth_exec_identity_describe(out, a_id, sizeof(a_id));
            eksauth_exec_identity_describe(&other, b_id, sizeof(b_id));
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: cluster %s has contexts of two identities, %.100s (%s) and "
                              "%.100s (%s), and none is current: make the one you mean current "
                              "(kubectl config use-context NAME)%s",
                              c->from, cluster, first, a_id, c->name, b_id,
                              one ? "" : " or set EKSAUTH_REGION");
            goto out;
        }
        eksauth_exec_identity_free(&other);
    }
out:
    eksauth_exec_identity_free(&other);
    if (st != EKSAUTH_OK)
        eksauth_exec_identity_free(out);
    return st;
}

void eksauth_kubeconfig_entries_free(struct eksauth_kubeconfig_entry *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].server);
        free(v[i].ca_data);
        free(v[i].ca_file);
        free(v[i].proxy_url);
        free(v[i].tls_server_name);
        free(v[i].from);
    }
    free(v);
}

enum eksauth_status eksauth_kube_ca_pem(const char *b64, char **pem, size_t *len,
                                        struct eksauth_error *err)
{
    size_t n, i, k = 0, pad;
    char *clean = NULL;
    unsigned char *out = NULL;
    enum eksauth_status st = EKSAUTH_OK;
    int r;

    *pem = NULL;
    *len = 0;
    n = b64 != NULL ? strlen(b64) : 0;
    if (n > 1024 * 1024)
        return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64 (too long)");
    clean = malloc(n + 1);
    if (clean == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "cluster_ca_data: out of memory");
    /*
     * CR and LF dropped anywhere, as Go's base64 decoder (client-go) drops
     * them: a YAML block scalar ends in one, a wrapped value has many.
     * Nothing else is skipped: a blank is refused, as kubectl refuses it.
     */
    for (i = 0; i < n; i++)
        if (b64[i] != '\r' && b64[i] != '\n')
            clean[k++] = b64[i];
    clean[k] = '\0';
    if (k == 0 || k % 4 != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "cluster_ca_data: not base64 (its length is not a multiple of 4)");
        goto out;
    }
    if (!go_base64(clean, k)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
        goto out;
    }
    out = malloc(k / 4 * 3 + 1);
    if (out == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "cluster_ca_data: out of memory");
        goto out;
    }
    r = EVP_DecodeBlock(out, (const unsigned char *)clean, (int)k);
    /* go_base64 took it: EVP_DecodeBlock counts the padding as zero bytes. */
    pad = (clean[k - 1] == '=') + (clean[k - 2] == '=');
    if (r < 0 || (size_t)r < pad) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
        goto out;
    }
    n = (size_t)r - pad;
    out[n] = '\0';
    if (memmem(out, n, "-----BEGIN CERTIFICATE-----", 27) == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "cluster_ca_data: no PEM certificate in it (expected base64 of a PEM "
                          "file, as in a kubeconfig's certificate-authority-data)");
        goto out;
    }
    *pem = (char *)out;
    *len = n;
    out = NULL;
out:
    free(out);
    free(clean);
    return st;
}

/* ------------------------------------------------------------------ */
/* I/O */

/* The server URL into t, checked: https, no trailing '/'. */
static enum eksauth_status set_server(struct eksauth_kube_target *t, const char *server,
                                      struct eksauth_error *err)
{
    size_t n = server != NULL ? strlen(server) : 0;

    /* The bearer token goes there: only ever over TLS. */
    if (n == 0 || strncmp(server, "https://", 8) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "the API server must be an https:// URL, not '%.100s'",
                            server != NULL ? server : "");
    while (n > 8 && server[n - 1] == '/')
        n--;
    if (n >= sizeof(t->server))
        return eksauth_fail(err, EKSAUTH_EINVAL, "the API server URL is too long");
    memcpy(t->server, server, n);
    t->server[n] = '\0';
    return EKSAUTH_OK;
}

/* A host name a certificate can be checked against: letters, digits, '.', '-' (an IPv4 too). */
static bool server_name_valid(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 253 || s[0] == '-' || s[0] == '.')
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}

/*
 * The host ("[v6]" kept in brackets), port and path of t->server:
 * https://HOST[:PORT][/PATH].  false when it has a user part, a byte that
 * is not visible ASCII or a port that is not a number.
 */
static bool server_parts(const char *server, char *host, size_t hostlen, char *port, size_t portlen,
                         const char **path)
{
    const char *a = server + strlen("https://"), *end = a + strcspn(a, "/?#"), *colon;

    *path = end;
    /* The authority becomes a Host header line and a CURLOPT_CONNECT_TO entry: no CR, LF or blank.
     */
    if (memchr(a, '@', (size_t)(end - a)) != NULL ||
        !eksauth_visible_ascii_len(a, (size_t)(end - a)))
        return false;
    colon = a[0] == '[' ? memchr(a, ']', (size_t)(end - a)) : a;
    if (colon == NULL)
        return false;
    colon = memchr(colon, ':', (size_t)(end - colon));
    if (colon == NULL)
        colon = end;
    if (colon == a || (size_t)(colon - a) >= hostlen)
        return false;
    snprintf(host, hostlen, "%.*s", (int)(colon - a), a);
    if (colon == end) {
        snprintf(port, portlen, "443");
        return true;
    }
    if (end - colon < 2 || end - colon > 6 ||
        strspn(colon + 1, "0123456789") != (size_t)(end - colon - 1))
        return false;
    snprintf(port, portlen, "%.*s", (int)(end - colon - 1), colon + 1);
    return true;
}

/* tls-server-name: base, connect_to and host_header of t. */
static enum eksauth_status route_server_name(struct eksauth_kube_target *t, const char *name,
                                             struct eksauth_error *err)
{
    char host[300], port[8], shown[104];
    const char *path;
    int n;

    if (!server_name_valid(name)) {
        eksauth_printable(name, shown, sizeof(shown));
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "tls-server-name '%s' is not a host name; give the name the API "
                            "server's certificate is for",
                            shown);
    }
    if (!server_parts(t->server, host, sizeof(host), port, sizeof(port), &path))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "with tls-server-name, the server must be https://HOST[:PORT][/PATH], "
                            "not '%.100s'",
                            t->server);
    n = snprintf(t->base, sizeof(t->base), "https://%s:%s%s", name, port, path);
    if (n < 0 || (size_t)n >= sizeof(t->base) ||
        (size_t)snprintf(t->connect_to, sizeof(t->connect_to), "%s:%s:%s:%s", name, port, host,
                         port) >= sizeof(t->connect_to))
        return eksauth_fail(err, EKSAUTH_EINVAL, "tls-server-name: the API server URL is too long");
    /* kubectl sends the server's own host; only the TLS name is tls-server-name. */
    snprintf(t->host_header, sizeof(t->host_header), "Host: %.*s",
             (int)(path - (t->server + strlen("https://"))), t->server + strlen("https://"));
    return EKSAUTH_OK;
}

/* proxy-url: t->proxy, as libcurl names that proxy. */
static enum eksauth_status route_proxy(struct eksauth_kube_target *t, const char *url,
                                       struct eksauth_error *err)
{
    static const char *const schemes[][2] = {
        {"http", "http"}, {"https", "https"}, {"socks5", "socks5h"}};
    const char *sep = strstr(url, "://");
    size_t i, k = sizeof(schemes) / sizeof(schemes[0]);
    char scheme[24] = "";

    for (i = 0; sep != NULL && i < k; i++) {
        if (eksauth_ascii_eq_nocase(url, (size_t)(sep - url), schemes[i][0]))
            break;
    }
    /* kubectl refuses any other scheme; going direct instead would leave the proxy out. */
    if (sep == NULL || i == k) {
        /* Only a scheme is shown: the rest may hold the proxy's password. */
        if (sep != NULL && (size_t)(sep - url) < sizeof(scheme) &&
            strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-") ==
                (size_t)(sep - url))
            snprintf(scheme, sizeof(scheme), "'%.*s'", (int)(sep - url), url);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "proxy-url: kubectl takes an http://, https:// or socks5:// proxy "
                            "only, not %s",
                            scheme[0] != '\0' ? scheme : "one without a scheme");
    }
    if (sep[3] == '\0' || !eksauth_visible_ascii_len(sep + 3, strlen(sep + 3)) ||
        (size_t)snprintf(t->proxy, sizeof(t->proxy), "%s://%s", schemes[i][1], sep + 3) >=
            sizeof(t->proxy)) {
        t->proxy[0] = '\0';
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "proxy-url: not a proxy URL (empty, too long or not visible ASCII)");
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_kube_target_route(struct eksauth_kube_target *t, const char *proxy_url,
                                              const char *tls_server_name,
                                              struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;

    snprintf(t->base, sizeof(t->base), "%s", t->server);
    t->connect_to[0] = t->host_header[0] = t->proxy[0] = '\0';
    if (tls_server_name != NULL)
        st = route_server_name(t, tls_server_name, err);
    if (st == EKSAUTH_OK && proxy_url != NULL)
        st = route_proxy(t, proxy_url, err);
    return st;
}

static enum eksauth_status read_ca_file(const char *path, struct eksauth_kube_target *t,
                                        struct eksauth_error *err)
{
    enum eksauth_status st;

    st = eksauth_file_read(path, EKSAUTH_KUBECONFIG_MAX, false, &t->ca_pem, &t->ca_len, err);
    if (st == EKSAUTH_OK && strstr(t->ca_pem, "-----BEGIN CERTIFICATE-----") == NULL)
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: no PEM certificate in it", path);
    return st;
}

enum eksauth_status eksauth_kube_target_set(const char *server, const char *ca_file,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err)
{
    enum eksauth_status st;

    memset(out, 0, sizeof(*out));
    /* Never the system store for an API server: its CA is the cluster's own. */
    if (ca_file == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "the API server's CA is needed: set EKSAUTH_CLUSTER_CA_FILE too");
    st = set_server(out, server, err);
    if (st == EKSAUTH_OK)
        st = eksauth_kube_target_route(out, NULL, NULL, err);
    if (st == EKSAUTH_OK)
        st = read_ca_file(ca_file, out, err);
    if (st == EKSAUTH_OK)
        snprintf(out->what, sizeof(out->what), "%s", out->server);
    else
        eksauth_kube_target_free(out);
    return st;
}

/* One entry into a target. */
static enum eksauth_status target_of(const struct eksauth_kubeconfig_entry *e,
                                     struct eksauth_kube_target *t, struct eksauth_error *err)
{
    enum eksauth_status st;

    if (e->insecure)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: cluster %s has insecure-skip-tls-verify: eksauth always checks "
                            "the API server's certificate (give certificate-authority-data)",
                            e->from, e->name);
    st = set_server(t, e->server, err);
    /* Both change where the bearer token goes, or whom it is checked for: never skipped. */
    if (st == EKSAUTH_OK)
        st = eksauth_kube_target_route(t, e->proxy_url, e->tls_server_name, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "%s: cluster %s", e->from, e->name);
        return st;
    }
    /* certificate-authority-data '' or line breaks alone is none, as client-go takes it. */
    if (eksauth_kubeconfig_ca_data_given(e))
        st = eksauth_kube_ca_pem(e->ca_data, &t->ca_pem, &t->ca_len, err);
    else if (e->ca_file != NULL)
        st = read_ca_file(e->ca_file, t, err);
    else
        st = eksauth_fail(err, EKSAUTH_EINVAL, "no certificate-authority(-data)");
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err, "%s: cluster %s", e->from, e->name);
    else
        snprintf(t->what, sizeof(t->what), "%.300s (cluster %.200s in %.200s%s)", t->server,
                 e->name, e->from, t->proxy[0] != '\0' ? ", through its proxy-url" : "");
    return st;
}

/* The kubeconfig files read, for the message when the cluster is in none of them. */
struct tried {
    char plain[1024];  /* each file, ", "-separated */
    char marked[1280]; /* the same, a missing one marked "(not there)" */
    size_t found;      /* how many were there */
};

static void tried_add(struct tried *t, const char *file, bool there)
{
    size_t p = strlen(t->plain), m = strlen(t->marked);

    if (p + strlen(file) + 3 >= sizeof(t->plain))
        return;
    snprintf(t->plain + p, sizeof(t->plain) - p, "%s%s", p > 0 ? ", " : "", file);
    snprintf(t->marked + m, sizeof(t->marked) - m, "%s%s%s", m > 0 ? ", " : "", file,
             there ? "" : " (not there)");
    if (there)
        t->found++;
}

/*
 * Every kubeconfig file (KUBECONFIG, else $HOME/.kube/config) scanned for
 * cluster into *v and *n, and for its contexts and users into a (the
 * current context is theirs); *tried lists the files read, for messages.
 * EKSAUTH_ENOTFOUND when there is no KUBECONFIG and no HOME.
 */
static enum eksauth_status scan_files(const char *cluster, struct eksauth_kubeconfig_entry **v,
                                      size_t *n, struct eksauth_kubeconfig_auth *a,
                                      struct tried *tried, struct eksauth_error *err)
{
    const char *list = getenv("KUBECONFIG"), *home = getenv("HOME"), *p, *end;
    enum eksauth_status st = EKSAUTH_OK;
    char path[4096];

    if (list == NULL || list[0] == '\0') {
        if (home == NULL || home[0] == '\0')
            return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                                "no KUBECONFIG and no HOME: no kubeconfig to read");
        snprintf(path, sizeof(path), "%s/.kube/config", home);
        list = path;
    }
    for (p = list; st == EKSAUTH_OK && p != NULL; p = end != NULL ? end + 1 : NULL) {
        char file[4096], *text = NULL;
        size_t len = 0;

        end = strchr(p, ':');
        snprintf(file, sizeof(file), "%.*s", (int)(end != NULL ? (size_t)(end - p) : strlen(p)), p);
        if (file[0] == '\0')
            continue;
        /* A kubeconfig may hold secrets (tokens, keys, an exec env): its buffers are wiped. */
        st = eksauth_file_read_secret(file, EKSAUTH_KUBECONFIG_MAX, &text, &len, err);
        tried_add(tried, file, st != EKSAUTH_ENOTFOUND);
        if (st == EKSAUTH_ENOTFOUND) {
            st = EKSAUTH_OK;
            continue; /* kubectl skips a missing file of the list too */
        }
        if (st == EKSAUTH_OK)
            st = scan_text(text, len, file, cluster, v, n, a, err);
        if (text != NULL) {
            OPENSSL_cleanse(text, len);
            free(text);
        }
    }
    return st;
}

/*
 * The message for a cluster in none of the files: that no file was there
 * at all (which one, and whether KUBECONFIG named it) when none was, as a
 * person who never ran aws eks update-kubeconfig needs to hear.
 */
static enum eksauth_status not_found(const char *cluster, const struct tried *tried,
                                     struct eksauth_error *err)
{
    static const char add[] =
        "as kubectl does (aws eks update-kubeconfig --name %s), or set EKSAUTH_CLUSTER_ENDPOINT "
        "and EKSAUTH_CLUSTER_CA_FILE";
    const char *env = getenv("KUBECONFIG");
    char how[256];

    snprintf(how, sizeof(how), add, cluster);
    /* Only empty items (KUBECONFIG=":"): no file to name, and kubectl reads none either. */
    if (tried->plain[0] == '\0')
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "no kubeconfig: KUBECONFIG (\"%s\") names no file: write one as "
                            "kubectl does (aws eks update-kubeconfig --name %s --kubeconfig FILE) "
                            "and name it there, or set EKSAUTH_CLUSTER_ENDPOINT and "
                            "EKSAUTH_CLUSTER_CA_FILE",
                            env != NULL ? env : "", cluster);
    if (tried->found == 0)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                            "no kubeconfig: %s (%s) %s not there: write it %s", tried->plain,
                            env != NULL && env[0] != '\0' ? "KUBECONFIG" : "KUBECONFIG is not set",
                            strchr(tried->plain, ',') != NULL ? "are" : "is", how);
    return eksauth_fail(err, EKSAUTH_ENOTFOUND, "no cluster %s in %s: add it %s", cluster,
                        tried->marked, how);
}

enum eksauth_status eksauth_kubeconfig_find(const char *cluster, const char *region,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_kubeconfig_auth a;
    struct tried tried;
    enum eksauth_status st;
    size_t n = 0, chosen = 0;

    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    memset(&tried, 0, sizeof(tried));
    /* The contexts too: the current one is read from all the files merged. */
    st = scan_files(cluster, &v, &n, &a, &tried, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_kubeconfig_choose(v, n, cluster, eksauth_kubeconfig_current_cluster(&a), region,
                                   &chosen, err);
    if (st == EKSAUTH_ENOTFOUND)
        not_found(cluster, &tried, err);
    if (st == EKSAUTH_OK)
        st = target_of(&v[chosen], out, err);
out:
    if (st != EKSAUTH_OK)
        eksauth_kube_target_free(out);
    eksauth_kubeconfig_auth_free(&a);
    eksauth_kubeconfig_entries_free(v, n);
    return st;
}

enum eksauth_status eksauth_kubeconfig_identity(const char *cluster, const char *region,
                                                struct eksauth_exec_identity *out,
                                                struct eksauth_error *err)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    struct eksauth_kubeconfig_auth a;
    struct tried tried;
    enum eksauth_status st;
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    memset(&a, 0, sizeof(a));
    memset(&tried, 0, sizeof(tried));
    out->kind = EKSAUTH_EXEC_NONE;
    st = scan_files(cluster, &v, &n, &a, &tried, err);
    if (st == EKSAUTH_ENOTFOUND)
        st = EKSAUTH_OK; /* no kubeconfig at all: nothing to follow */
    else if (st == EKSAUTH_OK)
        st = eksauth_kubeconfig_identity_choose(v, n, &a, cluster, region, out, err);
    /* aws-iam-authenticator reads DEFAULT_ROLE from the environment kubectl gives it: ours. */
    if (st == EKSAUTH_OK)
        st = eksauth_exec_identity_default_role(out, getenv("DEFAULT_ROLE"), err);
    eksauth_kubeconfig_auth_free(&a);
    eksauth_kubeconfig_entries_free(v, n);
    return st;
}

void eksauth_kube_target_free(struct eksauth_kube_target *t)
{
    if (t == NULL)
        return;
    free(t->ca_pem);
    memset(t, 0, sizeof(*t));
}
