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

#include <openssl/evp.h>
#include <yaml.h>

#include "eksauth/file.h"
#include "eksauth/kubeconfig.h"

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

/* The scalar text of node, or NULL (a mapping, a sequence, no node). */
static const char *scalar(yaml_node_t *node)
{
    return node != NULL && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value
                                                          : NULL;
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

    if (path == NULL)
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

/* Append one clusters: entry; false when out of memory. */
static bool add_entry(yaml_document_t *doc, yaml_node_t *item, const char *name, const char *path,
                      struct eksauth_kubeconfig_entry **v, size_t *n)
{
    yaml_node_t *c = get(doc, item, "cluster");
    struct eksauth_kubeconfig_entry *grown, *e;
    const char *insecure = scalar(get(doc, c, "insecure-skip-tls-verify"));

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
    e->insecure = insecure != NULL && strcmp(insecure, "true") == 0;
    e->from = strdup(path);
    (*n)++;
    return e->name != NULL && e->from != NULL;
}

/* The cluster of context ctx_name, into current. */
static void context_cluster(yaml_document_t *doc, yaml_node_t *root, const char *ctx_name,
                            char *current, size_t currentlen)
{
    yaml_node_t *contexts = get(doc, root, "contexts");
    yaml_node_item_t *it;

    if (contexts == NULL || contexts->type != YAML_SEQUENCE_NODE)
        return;
    for (it = contexts->data.sequence.items.start; it < contexts->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(doc, *it);
        const char *name = scalar(get(doc, item, "name"));
        const char *cl = scalar(get(doc, get(doc, item, "context"), "cluster"));

        if (name != NULL && cl != NULL && strcmp(name, ctx_name) == 0) {
            snprintf(current, currentlen, "%s", cl);
            return;
        }
    }
}

enum eksauth_status eksauth_kubeconfig_scan(const char *text, size_t len, const char *path,
                                            const char *cluster,
                                            struct eksauth_kubeconfig_entry **v, size_t *n,
                                            char *current, size_t currentlen,
                                            struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    yaml_parser_t yp;
    yaml_document_t doc;
    yaml_node_t *root, *clusters;
    yaml_node_item_t *it;
    const char *cur;

    if (!yaml_parser_initialize(&yp))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
    if (!yaml_parser_load(&yp, &doc)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s:%zu: not YAML: %s", path,
                          (size_t)yp.problem_mark.line + 1,
                          yp.problem != NULL ? yp.problem : "unreadable");
        yaml_parser_delete(&yp);
        return st;
    }
    yaml_parser_delete(&yp);
    root = yaml_document_get_root_node(&doc);
    if (root == NULL) /* an empty file: nothing in it */
        goto out;
    if (root->type != YAML_MAPPING_NODE) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: not a kubeconfig (not a mapping)", path);
        goto out;
    }
    cur = scalar(get(&doc, root, "current-context"));
    if (current != NULL && current[0] == '\0' && cur != NULL)
        context_cluster(&doc, root, cur, current, currentlen);
    clusters = get(&doc, root, "clusters");
    if (clusters == NULL || clusters->type != YAML_SEQUENCE_NODE)
        goto out;
    for (it = clusters->data.sequence.items.start;
         st == EKSAUTH_OK && it < clusters->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(&doc, *it);
        const char *name = scalar(get(&doc, item, "name"));

        if (name == NULL || !eksauth_kubeconfig_names(name, cluster) || known(*v, *n, name))
            continue;
        if (!add_entry(&doc, item, name, path, v, n))
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory", path);
    }
out:
    yaml_document_delete(&doc);
    return st;
}

/* The region of an EKS cluster ARN (arn:P:eks:REGION:...), or "". */
static void arn_region(const char *name, char *out, size_t outlen)
{
    const char *r = strstr(name, ":eks:");
    const char *end = r != NULL ? strchr(r + 5, ':') : NULL;

    out[0] = '\0';
    if (strncmp(name, "arn:", 4) == 0 && end != NULL)
        snprintf(out, outlen, "%.*s", (int)(end - r - 5), r + 5);
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

void eksauth_kubeconfig_entries_free(struct eksauth_kubeconfig_entry *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].server);
        free(v[i].ca_data);
        free(v[i].ca_file);
        free(v[i].from);
    }
    free(v);
}

enum eksauth_status eksauth_kube_ca_pem(const char *b64, char **pem, size_t *len,
                                        struct eksauth_error *err)
{
    size_t n, i, pad = 0;
    unsigned char *out;
    int r;

    *pem = NULL;
    *len = 0;
    n = b64 != NULL ? strlen(b64) : 0;
    if (n == 0 || n % 4 != 0 || n > 1024 * 1024)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "cluster_ca_data: not base64 (its length is not a multiple of 4)");
    for (i = 0; i < n; i++) {
        char c = b64[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || (c == '=' && i >= n - 2)))
            return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
    }
    pad = (b64[n - 1] == '=') + (b64[n - 2] == '=');
    out = malloc(n / 4 * 3 + 1);
    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "cluster_ca_data: out of memory");
    r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (r < 0 || (size_t)r < pad) {
        free(out);
        return eksauth_fail(err, EKSAUTH_EINVAL, "cluster_ca_data: not base64");
    }
    n = (size_t)r - pad;
    out[n] = '\0';
    if (memmem(out, n, "-----BEGIN CERTIFICATE-----", 27) == NULL) {
        free(out);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "cluster_ca_data: no PEM certificate in it (expected base64 of a PEM "
                            "file, as in a kubeconfig's certificate-authority-data)");
    }
    *pem = (char *)out;
    *len = n;
    return EKSAUTH_OK;
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
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "%s: cluster %s", e->from, e->name);
        return st;
    }
    if (e->ca_data != NULL)
        st = eksauth_kube_ca_pem(e->ca_data, &t->ca_pem, &t->ca_len, err);
    else if (e->ca_file != NULL)
        st = read_ca_file(e->ca_file, t, err);
    else
        st = eksauth_fail(err, EKSAUTH_EINVAL, "no certificate-authority(-data)");
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err, "%s: cluster %s", e->from, e->name);
    else
        snprintf(t->what, sizeof(t->what), "%.300s (cluster %.200s in %.200s)", t->server, e->name,
                 e->from);
    return st;
}

enum eksauth_status eksauth_kubeconfig_find(const char *cluster, const char *region,
                                            struct eksauth_kube_target *out,
                                            struct eksauth_error *err)
{
    struct eksauth_kubeconfig_entry *v = NULL;
    const char *list = getenv("KUBECONFIG"), *home = getenv("HOME"), *p, *end;
    char path[4096], current[256] = "", tried[1024] = "";
    enum eksauth_status st = EKSAUTH_OK;
    size_t n = 0, chosen = 0;

    memset(out, 0, sizeof(*out));
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
        enum eksauth_status rst;

        end = strchr(p, ':');
        snprintf(file, sizeof(file), "%.*s", (int)(end != NULL ? (size_t)(end - p) : strlen(p)), p);
        if (file[0] == '\0')
            continue;
        /* The files read, for the message when the cluster is in none of them. */
        if (strlen(tried) + strlen(file) + 3 < sizeof(tried)) {
            if (tried[0] != '\0')
                strcat(tried, ", ");
            strcat(tried, file);
        }
        rst = eksauth_file_read(file, EKSAUTH_KUBECONFIG_MAX, false, &text, &len, err);
        if (rst == EKSAUTH_ENOTFOUND)
            continue; /* kubectl skips a missing file of the list too */
        st = rst == EKSAUTH_OK ? eksauth_kubeconfig_scan(text, len, file, cluster, &v, &n, current,
                                                         sizeof(current), err)
                               : rst;
        free(text);
    }
    if (st == EKSAUTH_OK)
        st = eksauth_kubeconfig_choose(v, n, cluster, current[0] != '\0' ? current : NULL, region,
                                       &chosen, err);
    if (st == EKSAUTH_ENOTFOUND)
        eksauth_fail(err, st,
                     "no cluster %s in %s: add it as kubectl does (aws eks update-kubeconfig "
                     "--name %s), or set EKSAUTH_CLUSTER_ENDPOINT and EKSAUTH_CLUSTER_CA_FILE",
                     cluster, tried[0] != '\0' ? tried : "KUBECONFIG", cluster);
    if (st == EKSAUTH_OK)
        st = target_of(&v[chosen], out, err);
    if (st != EKSAUTH_OK)
        eksauth_kube_target_free(out);
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
