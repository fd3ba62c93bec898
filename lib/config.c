/*
 * config.c - /etc/eksauth/eksauth.conf: "key = value" lines, '#' comments.
 * Each key is one row of a table (its kind, its field, its check); every
 * refusal names FILE:LINE and the key.  Parsing is pure; loading reads the
 * file with eksauth_file_read (size cap, root ownership).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "eksauth/ascii.h"
#include "eksauth/audience.h"
#include "eksauth/config.h"
#include "eksauth/file.h"
#include "eksauth/names.h"
#include "eksauth/partition.h"
#include "eksauth/paths.h"
#include "eksauth/printable.h"

#define CONFIG_FILE_MAX      (1024 * 1024)
#define ID_LIMIT             2147483647L /* uids >= 2^31 break the kernel's and many tools' signed ids */
#define MAX_SNAPSHOT_AGE_MIN 120         /* seconds: two timer runs */
#define TOMBSTONE_DAYS_MAX   36500L      /* a hundred years: longer is a typo */

enum kind {
    KIND_STRING, /* char *: one word, validated by check */
    KIND_LONG,   /* long in [min, max]: seconds, days */
    KIND_ID,     /* uint32_t in [min, max] (ids, and whole numbers such as days) */
    KIND_BOOL,   /* yes, no, true, false */
    KIND_SOURCE, /* enum eksauth_source */
    KIND_LIST,   /* char **, NULL-terminated: each line adds one word */
    KIND_MAP,    /* struct eksauth_name_map * and a count: each line adds "FROM TO" */
};

struct key {
    const char *name;
    enum kind kind;
    size_t offset;       /* of the field in struct eksauth_config */
    size_t count_offset; /* KIND_MAP: of the count */
    long min, max;       /* KIND_LONG, KIND_ID */
    /* NULL when value is fine, else why not; for KIND_MAP it checks TO. */
    const char *(*check)(const char *value);
    const char *unit; /* KIND_LONG: what the number counts, for its error */
};

/* ---- value checks: each returns NULL or the reason, in words ---- */

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool has_prefix(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *check_cluster_id(const char *v)
{
    size_t i;

    /* It is sent as the x-k8s-aws-id header: keep it to the EKS cluster id alphabet. */
    for (i = 0; v[i] != '\0'; i++) {
        if (!is_alnum(v[i]) && v[i] != '.' && v[i] != '_' && v[i] != '-')
            return "may only hold letters, digits, '.', '_' and '-'";
    }
    return i <= 100 ? NULL : "longer than 100 characters";
}

static const char *check_partition(const char *v)
{
    return eksauth_partition_find(v) != NULL ? NULL : "not a known AWS partition";
}

static const char *check_region(const char *v)
{
    return eksauth_region_valid(v, strlen(v)) ? NULL : "not a region name (e.g. us-east-1)";
}

static const char *check_connect_to(const char *v)
{
    const char *p;
    int colons = 0;

    for (p = v; *p != '\0'; p++)
        colons += *p == ':';
    return colons >= 3 ? NULL : "must be HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT";
}

/* The PAM module runs in whatever folder the calling service is in: paths must be absolute. */
static const char *check_abs_path(const char *v)
{
    return v[0] == '/' ? NULL : "must be an absolute path";
}

static const char *check_proxy(const char *v)
{
    if (has_prefix(v, "http://") || has_prefix(v, "https://"))
        return NULL;
    return "must start with http:// or https://";
}

/*
 * An extra STS host (a VPC endpoint name): a lower-case DNS name with a dot.
 * That it lies under the partition's domain is checked once the whole file
 * is read (the partition may come later).
 */
static const char *check_host(const char *v)
{
    size_t i, label = 0;

    for (i = 0; v[i] != '\0'; i++) {
        if (v[i] == '.') {
            if (label == 0)
                return "not a lower-case DNS name";
            label = 0;
        } else if ((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-') {
            label++;
        } else {
            return "not a lower-case DNS name";
        }
    }
    if (i > 253 || label == 0 || strchr(v, '.') == NULL)
        return "not a lower-case DNS name";
    return NULL;
}

static const char *check_host_name(const char *v)
{
    return eksauth_host_name_valid(v) ? NULL : "not a host name (letters, digits, '.', '-', '_')";
}

static const char *check_cluster_name(const char *v)
{
    size_t i;

    /* EKS's own rule for cluster names. */
    if (!is_alnum(v[0]))
        return "must start with a letter or digit";
    for (i = 0; v[i] != '\0'; i++) {
        if (!is_alnum(v[i]) && v[i] != '_' && v[i] != '-')
            return "may only hold letters, digits, '_' and '-'";
    }
    return i <= 100 ? NULL : "longer than 100 characters";
}

/* The cluster's API carries aws-auth, which decides who is root: TLS only. */
/* A URL is visible ASCII (RFC 3986): a blank or a byte past 0x7e is no URL's, and
 * would reach the access entry cache's cluster name and messages (lib/cluster.c). */
static const char *check_https_url(const char *v)
{
    return has_prefix(v, "https://") && v[strlen("https://")] != '\0' &&
                   eksauth_visible_ascii_len(v, strlen(v))
               ? NULL
               : "must be an https:// URL";
}

static const char *check_http_url(const char *v)
{
    if (((has_prefix(v, "http://") && v[strlen("http://")] != '\0') ||
         (has_prefix(v, "https://") && v[strlen("https://")] != '\0')) &&
        eksauth_visible_ascii_len(v, strlen(v)))
        return NULL;
    return "must be an http:// or https:// URL";
}

static const char *check_base64(const char *v)
{
    size_t i;

    for (i = 0; v[i] != '\0'; i++) {
        if (!is_alnum(v[i]) && v[i] != '+' && v[i] != '/' && v[i] != '=')
            return "must be base64 (as in a kubeconfig's certificate-authority-data)";
    }
    return NULL;
}

static const char *check_group_prefix(const char *v)
{
    if (eksauth_names_prefix_valid(v))
        return NULL;
    return "must be 1 to 16 of [a-z0-9._-], starting with a letter or '_'";
}

static const char *check_group_name(const char *v)
{
    return eksauth_names_valid(v) ? NULL : "not a POSIX group name ([a-z0-9._-], at most 32)";
}

/* deny_user names a login or a k8s username: any one word (denying more is never unsafe). */
static const char *check_word(const char *v)
{
    (void)v;
    return NULL;
}

/* A map target: a valid name that is not a system account's (root above all). */
static const char *check_map_target(const char *v)
{
    if (!eksauth_names_valid(v))
        return "target is not a valid POSIX name";
    if (eksauth_names_reserved(v))
        return "target is a system account name";
    return NULL;
}

/* home and shell land in passwd entries, where ':' separates fields. */
static const char *check_home(const char *v)
{
    const char *p;

    if (v[0] != '/')
        return "must be an absolute path";
    if (strchr(v, ':') != NULL)
        return "may not contain ':'";
    for (p = strchr(v, '%'); p != NULL; p = strchr(p + 2, '%')) {
        if (p[1] != 'u')
            return "'%' may only appear as %u";
    }
    return NULL;
}

static const char *check_shell(const char *v)
{
    if (v[0] != '/')
        return "must be an absolute path";
    if (strchr(v, ':') != NULL)
        return "may not contain ':'";
    return NULL;
}

/* ---- the keys ---- */

#define FIELD(f) offsetof(struct eksauth_config, f)
#define STRING(name, f, check)                                                                     \
    {                                                                                              \
        name, KIND_STRING, FIELD(f), 0, 0, 0, check, NULL                                          \
    }
/* A number of seconds or of days, in [lo, hi]. */
#define SECONDS(name, f, lo, hi)                                                                   \
    {                                                                                              \
        name, KIND_LONG, FIELD(f), 0, lo, hi, NULL, "seconds"                                      \
    }
#define DAYS(name, f, lo, hi)                                                                      \
    {                                                                                              \
        name, KIND_LONG, FIELD(f), 0, lo, hi, NULL, "days"                                         \
    }

static const struct key keys[] = {
    STRING("cluster_id", cluster_id, check_cluster_id),
    STRING("partition", partition, check_partition),
    STRING("region", region, check_region),
    SECONDS("sts_connect_timeout", sts_connect_timeout, 1, 60),
    SECONDS("sts_timeout", sts_timeout, 1, 120),
    STRING("sts_connect_to", sts_connect_to, check_connect_to),
    STRING("sts_ca_file", sts_ca_file, check_abs_path),
    STRING("https_proxy", https_proxy, check_proxy),
    {"sts_host", KIND_LIST, FIELD(sts_hosts), 0, 0, 0, check_host, NULL},
    SECONDS("max_clock_skew", max_clock_skew, 0, 3600),
    STRING("host_name", host_name, check_host_name),
    {"accept_cluster_tokens", KIND_BOOL, FIELD(accept_cluster_tokens), 0, 0, 0, NULL, NULL},
    DAYS("login_idle_days", login_idle_days, 0, 3650),
    {"single_use", KIND_BOOL, FIELD(single_use), 0, 0, 0, NULL, NULL},
    {"source", KIND_SOURCE, FIELD(source), 0, 0, 0, NULL, NULL},
    STRING("aws_auth_file", aws_auth_file, check_abs_path),
    STRING("cluster_name", cluster_name, check_cluster_name),
    STRING("cluster_endpoint", cluster_endpoint, check_https_url),
    STRING("cluster_ca_file", cluster_ca_file, check_abs_path),
    STRING("cluster_ca_data", cluster_ca_data, check_base64),
    STRING("imds_endpoint", imds_endpoint, check_http_url),
    STRING("eks_connect_to", eks_connect_to, check_connect_to),
    STRING("eks_ca_file", eks_ca_file, check_abs_path),
    STRING("db_path", db_path, check_abs_path),
    {"uid_min", KIND_ID, FIELD(uid_min), 0, 1000, ID_LIMIT, NULL, NULL},
    {"uid_max", KIND_ID, FIELD(uid_max), 0, 1000, ID_LIMIT, NULL, NULL},
    STRING("id_key_file", id_key_file, check_abs_path),
    {"id_tombstone_days", KIND_ID, FIELD(id_tombstone_days), 0, 0, TOMBSTONE_DAYS_MAX, NULL, NULL},
    STRING("group_prefix", group_prefix, check_group_prefix),
    STRING("users_group", users_group, check_group_name),
    {"group_map", KIND_MAP, FIELD(group_map), FIELD(n_group_map), 0, 0, check_map_target, NULL},
    {"user_map", KIND_MAP, FIELD(user_map), FIELD(n_user_map), 0, 0, check_map_target, NULL},
    STRING("home", home, check_home),
    STRING("shell", shell, check_shell),
    {"deny_user", KIND_LIST, FIELD(deny_users), 0, 0, 0, check_word, NULL},
    {"allow_system_users", KIND_BOOL, FIELD(allow_system_users), 0, 0, 0, NULL, NULL},
    {"sync_max_requests", KIND_ID, FIELD(sync_max_requests), 0, 1, 1000000, NULL, NULL},
    SECONDS("access_entry_max_age", access_entry_max_age, 0, 604800),
    SECONDS("sync_spread", sync_spread, 0, 3600),
    SECONDS("max_snapshot_age", max_snapshot_age, 0, 31536000),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *const source_names[] = {
    [EKSAUTH_SOURCE_FILE] = "file",
    [EKSAUTH_SOURCE_KUBERNETES] = "kubernetes",
    [EKSAUTH_SOURCE_EKS_API] = "eks-api",
    [EKSAUTH_SOURCE_KUBERNETES_EKS_API] = "kubernetes+eks-api",
    [EKSAUTH_SOURCE_AUTO] = "auto",
};

const char *eksauth_source_name(enum eksauth_source src)
{
    if ((size_t)src < sizeof(source_names) / sizeof(source_names[0]))
        return source_names[src];
    return "unknown";
}

/* ---- setting fields ---- */

static void *field(struct eksauth_config *cfg, size_t offset)
{
    return (char *)cfg + offset;
}

/* Replace the string at *slot with a copy of value. */
static bool set_string(char **slot, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

/* Append a copy of value to a NULL-terminated list. */
static bool list_add(char ***list, const char *value)
{
    char **grown;
    size_t n = 0;

    while (*list != NULL && (*list)[n] != NULL)
        n++;
    grown = realloc(*list, (n + 2) * sizeof(*grown));
    if (grown == NULL)
        return false;
    *list = grown;
    grown[n] = strdup(value);
    grown[n + 1] = NULL;
    return grown[n] != NULL;
}

static void list_free(char **list)
{
    size_t i;

    for (i = 0; list != NULL && list[i] != NULL; i++)
        free(list[i]);
    free(list);
}

static bool map_add(struct eksauth_name_map **map, size_t *n, const char *from, const char *to)
{
    struct eksauth_name_map *grown;
    char *f, *t;

    f = strdup(from);
    t = strdup(to);
    grown = f != NULL && t != NULL ? realloc(*map, (*n + 1) * sizeof(*grown)) : NULL;
    if (grown == NULL) {
        free(f);
        free(t);
        return false;
    }
    *map = grown;
    grown[*n].from = f;
    grown[*n].to = t;
    (*n)++;
    return true;
}

static void map_free(struct eksauth_name_map *map, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(map[i].from);
        free(map[i].to);
    }
    free(map);
}

/* A whole number in [min, max]: decimal digits only, no sign, no overflow. */
static bool parse_number(const char *v, long min, long max, long *out)
{
    long n = 0;
    size_t i;

    if (v[0] == '\0')
        return false;
    for (i = 0; v[i] != '\0'; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (v[i] - '0');
        if (n > max)
            return false;
    }
    if (n < min)
        return false;
    *out = n;
    return true;
}

static bool parse_bool(const char *v, bool *out)
{
    if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0) {
        *out = true;
        return true;
    }
    if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0) {
        *out = false;
        return true;
    }
    return false;
}

static bool parse_source(const char *v, enum eksauth_source *out)
{
    size_t i;

    for (i = 0; i < sizeof(source_names) / sizeof(source_names[0]); i++) {
        if (strcmp(v, source_names[i]) == 0) {
            *out = (enum eksauth_source)i;
            return true;
        }
    }
    return false;
}

/* ---- parsing ---- */

struct parser {
    struct eksauth_config *cfg;
    const char *filename;
    unsigned flags; /* EKSAUTH_CONFIG_* */
    unsigned lineno;
    unsigned seen[NKEYS]; /* line where each single-valued key was set, or 0 */
    struct eksauth_error *err;
};

/* EKSAUTH_EINVAL "config: FILE:LINE: <why>". */
#define LINE_FAIL(ps, fmt, ...)                                                                    \
    eksauth_fail((ps)->err, EKSAUTH_EINVAL, "config: %s:%u: " fmt, (ps)->filename, (ps)->lineno,   \
                 ##__VA_ARGS__)

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Cut white space from both ends of s, in place. */
static char *trim(char *s)
{
    size_t n;

    while (is_blank(*s))
        s++;
    n = strlen(s);
    while (n > 0 && is_blank(s[n - 1]))
        s[--n] = '\0';
    return s;
}

/*
 * Values end up in logs, environment variables and passwd entries: no
 * control characters anywhere, and no white space inside a one-word value.
 */
static bool value_bytes_ok(const char *v, bool words)
{
    const unsigned char *p;

    for (p = (const unsigned char *)v; *p != '\0'; p++) {
        if (*p == 0x7f || (*p < 0x20 && !(words && *p == '\t')))
            return false;
        if (*p == ' ' && !words)
            return false;
    }
    return true;
}

/* "FROM TO": exactly two words separated by white space; value is split in place. */
static enum eksauth_status set_map(struct parser *ps, const struct key *k, char *value)
{
    struct eksauth_name_map **map = field(ps->cfg, k->offset);
    size_t *n = field(ps->cfg, k->count_offset);
    const char *why;
    char *from = value, *to;
    size_t i;

    to = from + strcspn(from, " \t");
    if (*to == '\0')
        return LINE_FAIL(ps, "%s: must be two words: K8S_NAME POSIX_NAME", k->name);
    *to++ = '\0';
    to = trim(to);
    if (to[strcspn(to, " \t")] != '\0')
        return LINE_FAIL(ps, "%s: must be two words: K8S_NAME POSIX_NAME", k->name);
    why = k->check(to);
    if (why != NULL)
        return LINE_FAIL(ps, "%s: %s", k->name, why);
    for (i = 0; i < *n; i++) {
        /* One k8s name, one answer: a second line for it would be a silent override. */
        if (strcmp((*map)[i].from, from) == 0)
            return LINE_FAIL(ps, "%s: \"%.64s\" is already mapped", k->name, from);
        /* One login belongs to one k8s user (docs/names-and-ids.md, "One login, one person");
         * groups may share a target. */
        if (strcmp(k->name, "user_map") == 0 && strcmp((*map)[i].to, to) == 0)
            return LINE_FAIL(ps, "%s: %s is already the login of \"%.64s\"", k->name, to,
                             (*map)[i].from);
    }
    if (!map_add(map, n, from, to))
        return eksauth_fail(ps->err, EKSAUTH_ENOMEM, "config: out of memory");
    return EKSAUTH_OK;
}

static enum eksauth_status set_value(struct parser *ps, const struct key *k, char *value)
{
    const char *why;
    long number;

    if (!value_bytes_ok(value, k->kind == KIND_MAP))
        return LINE_FAIL(ps, "%s: white space or a control character in the value", k->name);

    switch (k->kind) {
    case KIND_STRING:
    case KIND_LIST:
        why = k->check(value);
        if (why != NULL)
            return LINE_FAIL(ps, "%s: %s", k->name, why);
        if (k->kind == KIND_STRING ? !set_string(field(ps->cfg, k->offset), value)
                                   : !list_add(field(ps->cfg, k->offset), value))
            return eksauth_fail(ps->err, EKSAUTH_ENOMEM, "config: out of memory");
        break;
    case KIND_LONG:
        if (!parse_number(value, k->min, k->max, &number))
            return LINE_FAIL(ps, "%s: must be a whole number of %s from %ld to %ld", k->name,
                             k->unit, k->min, k->max);
        *(long *)field(ps->cfg, k->offset) = number;
        break;
    case KIND_ID:
        if (!parse_number(value, k->min, k->max, &number))
            return LINE_FAIL(ps, "%s: must be a whole number from %ld to %ld", k->name, k->min,
                             k->max);
        *(uint32_t *)field(ps->cfg, k->offset) = (uint32_t)number;
        break;
    case KIND_BOOL:
        if (!parse_bool(value, field(ps->cfg, k->offset)))
            return LINE_FAIL(ps, "%s: must be yes, no, true or false", k->name);
        break;
    case KIND_SOURCE:
        if (!parse_source(value, field(ps->cfg, k->offset)))
            return LINE_FAIL(
                ps, "%s: must be file, kubernetes, eks-api, kubernetes+eks-api or auto", k->name);
        break;
    case KIND_MAP:
        return set_map(ps, k, value);
    }
    return EKSAUTH_OK;
}

#define SUGGEST_MAX 64 /* longer than any key: no key is two edits from it */

/*
 * How many one-letter edits (insert, delete, change) make a into b, at
 * most SUGGEST_MAX long each; a case or a '-' or ' ' for '_' counts none.
 */
static size_t edits(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), row[SUGGEST_MAX + 1], i, j, diag, up;

    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        char c = a[i - 1] == '-' || a[i - 1] == ' ' ? '_' : eksauth_ascii_lower(a[i - 1]);

        diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            up = row[j];
            row[j] = diag + (c != b[j - 1]);
            if (up + 1 < row[j])
                row[j] = up + 1;
            if (row[j - 1] + 1 < row[j])
                row[j] = row[j - 1] + 1;
            diag = up;
        }
    }
    return row[lb];
}

/* The key name is a misspelling of (two edits at most), or NULL. */
static const char *suggest_key(const char *name)
{
    const char *best = NULL;
    size_t i, d, best_d = 3;

    if (strlen(name) > SUGGEST_MAX)
        return NULL;
    for (i = 0; i < NKEYS; i++) {
        d = edits(name, keys[i].name);
        if (d < best_d && d < strlen(keys[i].name)) {
            best_d = d;
            best = keys[i].name;
        }
    }
    return best;
}

/*
 * A key that is not one: refused (a misspelt security setting must not
 * vanish), with the key it was likely meant to be.
 */
static enum eksauth_status unknown_key(struct parser *ps, const char *name, bool malformed)
{
    const char *near = suggest_key(name);
    char shown[SUGGEST_MAX + 1];

    /* The name goes to a terminal or syslog: its control bytes as '?'. */
    eksauth_printable(name, shown, sizeof(shown));
    name = shown;

    if (malformed)
        return near != NULL ? LINE_FAIL(ps,
                                        "malformed key \"%s\": keys are lower-case letters, "
                                        "digits and '_': did you mean %s? (eksauth.conf(5))",
                                        name, near)
                            : LINE_FAIL(ps,
                                        "malformed key \"%s\": keys are lower-case letters, "
                                        "digits and '_' (eksauth.conf(5))",
                                        name);
    return near != NULL
               ? LINE_FAIL(ps, "unknown key \"%s\": did you mean %s? (eksauth.conf(5))", name, near)
               : LINE_FAIL(ps, "unknown key \"%s\": not a key of eksauth.conf(5)", name);
}

/* One line, NUL-terminated and writable (comments are cut in place). */
static enum eksauth_status parse_line(struct parser *ps, char *line)
{
    const struct key *k = NULL;
    char *hash, *eq, *name, *value;
    size_t i;

    /* '#' starts a comment at the start of a line or after white space. */
    for (hash = strchr(line, '#'); hash != NULL; hash = strchr(hash + 1, '#')) {
        if (hash == line || is_blank(hash[-1])) {
            *hash = '\0';
            break;
        }
    }
    line = trim(line);
    if (line[0] == '\0')
        return EKSAUTH_OK;

    eq = strchr(line, '=');
    if (eq == NULL)
        return LINE_FAIL(ps, "missing '=' (lines are \"key = value\")");
    *eq = '\0';
    name = trim(line);
    value = trim(eq + 1);
    if (name[0] == '\0')
        return LINE_FAIL(ps, "missing key before '='");
    if (strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
        return unknown_key(ps, name, true);
    for (i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, name) == 0) {
            k = &keys[i];
            break;
        }
    }
    /* An unknown key is an error, not a warning: a misspelt security setting must not vanish. */
    if (k == NULL)
        return unknown_key(ps, name, false);
    if (value[0] == '\0')
        return LINE_FAIL(ps, "%s: missing value", k->name);
    if (k->kind != KIND_LIST && k->kind != KIND_MAP) {
        if (ps->seen[i] != 0)
            return LINE_FAIL(ps, "%s: repeated (first set on line %u): keep one of the two lines",
                             k->name, ps->seen[i]);
        ps->seen[i] = ps->lineno;
    }
    return set_value(ps, k, value);
}

/* An extra STS host must be an AWS name of the configured partition. */
static bool host_in_partition(const char *host, const struct eksauth_partition *part)
{
    const char *domains[2];
    size_t i, hlen = strlen(host), dlen;

    domains[0] = part->domain;
    domains[1] = part->dualstack_domain;
    for (i = 0; i < 2; i++) {
        if (domains[i] == NULL)
            continue;
        dlen = strlen(domains[i]);
        if (hlen > dlen + 1 && host[hlen - dlen - 1] == '.' &&
            strcmp(host + hlen - dlen, domains[i]) == 0)
            return true;
    }
    return false;
}

/* The line a single-valued key was set on, 0 when it has its default. */
static unsigned key_line(const struct parser *ps, const char *name)
{
    size_t i;

    for (i = 0; i < NKEYS; i++) {
        if (strcmp(keys[i].name, name) == 0)
            return ps->seen[i];
    }
    return 0;
}

/* "line N" or "the default", into buf: where a key of a rule over two got its value. */
static const char *set_where(const struct parser *ps, const char *name, char *buf, size_t n)
{
    unsigned line = key_line(ps, name);

    if (line == 0)
        snprintf(buf, n, "the default");
    else
        snprintf(buf, n, "line %u", line);
    return buf;
}

/* The later of the lines keys a and b were set on (0: neither was), where a rule over both fails.
 */
static unsigned later_line(const struct parser *ps, const char *a, const char *b)
{
    unsigned la = key_line(ps, a), lb = key_line(ps, b);

    return la > lb ? la : lb;
}

/* EKSAUTH_EINVAL "config: FILE[:LINE]: <why>" for a rule over the whole file. */
static enum eksauth_status whole_fail(struct parser *ps, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum eksauth_status whole_fail(struct parser *ps, unsigned line, const char *fmt, ...)
{
    char why[EKSAUTH_ERROR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (line == 0)
        return eksauth_fail(ps->err, EKSAUTH_EINVAL, "config: %s: %s", ps->filename, why);
    return eksauth_fail(ps->err, EKSAUTH_EINVAL, "config: %s:%u: %s", ps->filename, line, why);
}

/* Rules that span keys, checked once the whole file is read. */
static enum eksauth_status check_whole(struct parser *ps)
{
    const struct eksauth_config *cfg = ps->cfg;
    const struct eksauth_partition *part;
    char wa[32], wb[32];
    size_t i;

    /*
     * Tokens are bound to a cluster; without its id any cluster's token would
     * do.  Only doctor lets it be absent, to say so itself (config.h).
     */
    if (cfg->cluster_id == NULL && (ps->flags & EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL) == 0)
        return eksauth_fail(ps->err, EKSAUTH_EINVAL, "config: %s: cluster_id is required",
                            ps->filename);
    if (cfg->uid_min >= cfg->uid_max)
        return whole_fail(ps, later_line(ps, "uid_min", "uid_max"),
                          "uid_min (%u, %s) must be below uid_max (%u, %s)", (unsigned)cfg->uid_min,
                          set_where(ps, "uid_min", wa, sizeof(wa)), (unsigned)cfg->uid_max,
                          set_where(ps, "uid_max", wb, sizeof(wb)));
    if (cfg->sts_timeout < cfg->sts_connect_timeout)
        return whole_fail(ps, later_line(ps, "sts_timeout", "sts_connect_timeout"),
                          "sts_timeout (%ld, %s) is less than sts_connect_timeout (%ld, %s)",
                          cfg->sts_timeout, set_where(ps, "sts_timeout", wa, sizeof(wa)),
                          cfg->sts_connect_timeout,
                          set_where(ps, "sts_connect_timeout", wb, sizeof(wb)));
    /* A sync runs once a minute at most: a shorter limit would refuse logins between two. */
    if (cfg->max_snapshot_age != 0 && cfg->max_snapshot_age < MAX_SNAPSHOT_AGE_MIN)
        return whole_fail(ps, key_line(ps, "max_snapshot_age"),
                          "max_snapshot_age (%ld) must be 0 (no limit) or at least %d seconds",
                          cfg->max_snapshot_age, MAX_SNAPSHOT_AGE_MIN);
    if (cfg->cluster_ca_file != NULL && cfg->cluster_ca_data != NULL)
        return whole_fail(ps, later_line(ps, "cluster_ca_file", "cluster_ca_data"),
                          "set cluster_ca_file (%s) or cluster_ca_data (%s), not both",
                          set_where(ps, "cluster_ca_file", wa, sizeof(wa)),
                          set_where(ps, "cluster_ca_data", wb, sizeof(wb)));
    part = eksauth_partition_find(cfg->partition);
    if (part == NULL)
        return eksauth_fail(ps->err, EKSAUTH_EINVAL, "config: %s: no known partition",
                            ps->filename);
    /* A token names the host we call: only AWS's own names may be added to the allow-list. */
    for (i = 0; cfg->sts_hosts != NULL && cfg->sts_hosts[i] != NULL; i++) {
        if (!host_in_partition(cfg->sts_hosts[i], part))
            return eksauth_fail(ps->err, EKSAUTH_EINVAL,
                                "config: %s: sts_host %.100s is not under partition %s's domain",
                                ps->filename, cfg->sts_hosts[i], part->name);
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_config_parse_with(struct eksauth_config *cfg, const char *text,
                                              size_t len, const char *filename, unsigned flags,
                                              bool *all_lines, struct eksauth_error *err)
{
    struct parser ps = {.cfg = cfg, .filename = filename, .flags = flags, .lineno = 0, .err = err};
    enum eksauth_status st = EKSAUTH_OK;
    const char *p = text, *end = text + len, *eol;
    char *line = NULL;

    if (all_lines != NULL)
        *all_lines = false;
    if (ps.filename == NULL)
        ps.filename = "(config)";
    if (!set_string(&cfg->source_file, ps.filename))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "config: out of memory");

    while (p < end && st == EKSAUTH_OK) {
        ps.lineno++;
        eol = memchr(p, '\n', (size_t)(end - p));
        if (eol == NULL)
            eol = end;
        /* A NUL would silently end the line early: refuse it. */
        if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
            st = LINE_FAIL(&ps, "NUL byte in line");
            break;
        }
        line = strndup(p, (size_t)(eol - p));
        if (line == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "config: out of memory");
            break;
        }
        st = parse_line(&ps, line);
        free(line);
        p = eol < end ? eol + 1 : end;
    }
    if (st != EKSAUTH_OK)
        return st;
    if (all_lines != NULL)
        *all_lines = true;
    return check_whole(&ps);
}

enum eksauth_status eksauth_config_parse(struct eksauth_config *cfg, const char *text, size_t len,
                                         const char *filename, struct eksauth_error *err)
{
    return eksauth_config_parse_with(cfg, text, len, filename, 0, NULL, err);
}

enum eksauth_status eksauth_config_init(struct eksauth_config *cfg, struct eksauth_error *err)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->partition = strdup("aws");
    cfg->sts_connect_timeout = 3;
    cfg->sts_timeout = 10;
    cfg->max_clock_skew = 300;
    cfg->single_use = false;
    cfg->login_idle_days = EKSAUTH_LOGIN_IDLE_DAYS;
    cfg->source = EKSAUTH_SOURCE_FILE;
    cfg->db_path = strdup(EKSAUTH_DB_PATH);
    cfg->uid_min = EKSAUTH_ID_MIN;
    cfg->uid_max = EKSAUTH_ID_MAX;
    cfg->id_tombstone_days = EKSAUTH_TOMBSTONE_DAYS;
    cfg->group_prefix = strdup(EKSAUTH_GROUP_PREFIX);
    cfg->home = strdup("/home/%u");
    cfg->shell = strdup("/bin/bash");
    cfg->allow_system_users = false;
    cfg->sync_max_requests = 100;
    cfg->access_entry_max_age = 300;
    cfg->sync_spread = 10;
    cfg->max_snapshot_age = 0;
    if (cfg->partition == NULL || cfg->db_path == NULL || cfg->group_prefix == NULL ||
        cfg->home == NULL || cfg->shell == NULL) {
        eksauth_config_free(cfg);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "config: out of memory");
    }
    return EKSAUTH_OK;
}

/*
 * Kept out as another user: the one fix, said here for every command.
 * Whose the file is, when a stat says (root's, the usual, or another
 * user's), else the folder on its path that stopped the stat too.
 */
static void say_who_may_read(const char *path, struct eksauth_error *err)
{
    uid_t owner = 0;

    switch (eksauth_file_closed_by(path, &owner)) {
    case EKSAUTH_CLOSED_BY_NOTHING:
        break;
    case EKSAUTH_CLOSED_BY_FOLDER:
        eksauth_error_append(err, "; a folder on its path is closed to you: run this as root "
                                  "(sudo eksauth ...)");
        break;
    case EKSAUTH_CLOSED_BY_FILE:
        if (owner == 0)
            eksauth_error_append(err, "; it is root's: run this as root (sudo eksauth ...)");
        else
            eksauth_error_append(err,
                                 "; it is uid %lu's: run this as root (sudo eksauth ...) or as "
                                 "uid %lu",
                                 (unsigned long)owner, (unsigned long)owner);
        break;
    }
}

enum eksauth_status eksauth_config_load(struct eksauth_config *cfg, const char *path,
                                        bool require_root_owned, struct eksauth_error *err)
{
    enum eksauth_status st;
    char *text = NULL;
    size_t len = 0;

    st = eksauth_file_read(path, CONFIG_FILE_MAX, require_root_owned, &text, &len, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "config");
        if (st == EKSAUTH_EIO)
            say_who_may_read(path, err);
        return st;
    }
    st = eksauth_config_parse(cfg, text, len, path, err);
    if (st == EKSAUTH_OK && EVP_Digest(text, len, cfg->file_sha256, NULL, EVP_sha256(), NULL) != 1)
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "config: %s: cannot hash it", path);
    free(text);
    return st;
}

bool eksauth_config_file_changed(const struct eksauth_config *cfg, const char *path)
{
    unsigned char md[sizeof(cfg->file_sha256)];
    char *text = NULL;
    size_t len = 0;
    bool changed;

    if (eksauth_file_read(path, CONFIG_FILE_MAX, false, &text, &len, NULL) != EKSAUTH_OK)
        return true;
    changed = EVP_Digest(text, len, md, NULL, EVP_sha256(), NULL) != 1 ||
              memcmp(md, cfg->file_sha256, sizeof(md)) != 0;
    free(text);
    return changed;
}

bool eksauth_config_denies(const struct eksauth_config *cfg, const char *name)
{
    char *const *d;

    for (d = cfg->deny_users; d != NULL && *d != NULL; d++) {
        if (strcmp(*d, name) == 0)
            return true;
    }
    return false;
}

const char *eksauth_config_map_find(const struct eksauth_name_map *map, size_t n, const char *from)
{
    size_t i;

    for (i = 0; from != NULL && i < n; i++) {
        if (strcmp(map[i].from, from) == 0)
            return map[i].to;
    }
    return NULL;
}

bool eksauth_config_host_name(const struct eksauth_config *cfg, char *name)
{
    if (cfg != NULL && cfg->host_name != NULL) {
        snprintf(name, EKSAUTH_HOST_NAME_MAX + 2, "%s", cfg->host_name);
        return true;
    }
    /* gethostname may truncate without a '\0': a name that fills the buffer is refused. */
    return gethostname(name, EKSAUTH_HOST_NAME_MAX + 2) == 0 &&
           memchr(name, '\0', EKSAUTH_HOST_NAME_MAX + 2) != NULL;
}

void eksauth_config_free(struct eksauth_config *cfg)
{
    size_t i;

    if (cfg == NULL)
        return;
    for (i = 0; i < NKEYS; i++) {
        if (keys[i].kind == KIND_STRING)
            free(*(char **)field(cfg, keys[i].offset));
    }
    list_free(cfg->sts_hosts);
    list_free(cfg->deny_users);
    map_free(cfg->group_map, cfg->n_group_map);
    map_free(cfg->user_map, cfg->n_user_map);
    free(cfg->source_file);
    memset(cfg, 0, sizeof(*cfg));
}
