/*
 * awsauth_read.c - read the aws-auth ConfigMap as kubectl prints it (-o
 * yaml or -o json) or a bare file with top-level mapRoles, mapUsers and
 * mapAccounts into entries and positioned warnings (see awsauth_read.h;
 * docs/aws-auth.md; docs/token-rules.md decisions 5 and 6).
 *
 * libyaml reads all YAML, json-c the JSON ConfigMap; a ConfigMap's data
 * values are YAML strings, parsed again with libyaml.  In a bare file a
 * value may be a YAML list or such a string.  What the cluster makes of a
 * value (a scalar's type, a key's folding, an ARN it never matches) is
 * awsauth_rules.c's; what its YAML reader reads otherwise than libyaml or
 * fails on (tags, merge keys, aliases, nesting) is awsauth_yaml_compat.c's;
 * this file walks the document and applies them.
 *
 * Positions: LINE:COL are 1-based.  For the input document and for a
 * literal block scalar in it ("mapRoles: |", what kubectl -o yaml prints)
 * they are exact lines and columns of the input.  For a value that is a
 * JSON string (kubectl -o json) or a YAML scalar of another style, the
 * string is decoded first, so LINE:COL count within the decoded value of
 * that key (line 1 is its first line).
 *
 * Memory: the strings and group lists live in the document's arena, the
 * entries in one array.  Reading is linear in the input: a list of
 * entries is read only once eksauth_awsauth_yaml_cluster_fails has found
 * at most 100 node decodes inside its aliases (awsauth_yaml_compat.c), so
 * an alias of an entry or of its groups, read again as the cluster reads
 * it, adds at most that many nodes; the other collections (data, the lists
 * themselves) are walked once.  A scalar is copied into the arena once,
 * however often it is reached (node_dup), so memory stays linear too.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <yaml.h>

#include "eksauth/arn.h"
#include "eksauth/ascii.h"
#include "eksauth/awsauth_read.h"
#include "eksauth/awsauth_rules.h"
#include "eksauth/awsauth_yaml_compat.h"
#include "eksauth/template.h"

#define N_SOURCES EKSAUTH_N_MAP_SOURCES

static const char *const source_names[] = {
    [EKSAUTH_SRC_MAPROLES] = "mapRoles",
    [EKSAUTH_SRC_MAPUSERS] = "mapUsers",
    [EKSAUTH_SRC_MAPACCOUNTS] = "mapAccounts",
};

const char *eksauth_map_source_name(enum eksauth_map_source src)
{
    return (size_t)src < N_SOURCES ? source_names[src] : "unknown";
}

/* ------------------------------------------------------------------------ */
/* Parsing state. */

struct parser {
    struct eksauth_awsauth_doc *doc;
    struct eksauth_error *err;
    /* The ARN of the entry being read: one for the whole parse (6 KiB, not allocated per entry). */
    struct eksauth_arn arn;
    /* The last YAML error is libyaml's alone: the cluster reads that value (drop_value). */
    bool cluster_reads;
};

/* One YAML document, the text it came from and where that text sits in the input. */
struct ydoc {
    yaml_document_t doc;
    bool loaded;
    const char *text;
    size_t len;
    size_t line0, col0; /* added to libyaml's 0-based marks: see "Positions" */
    const char *what;   /* "" for the input, "mapRoles: " for a value parsed again */
    bool cluster_text;  /* a value of a ConfigMap, as the cluster reads it (not a bare file's) */
    bool accounts;      /* mapAccounts, which the cluster reads into a list of strings */
    /*
     * ydoc_load refused the loaded document for what the cluster reads
     * all the same (a second document, a local tag): what it reads, said
     * only once the document passes the cluster's own checks (walk_string).
     */
    const char *read_there;
    unsigned char *seen; /* per node: a collection already walked (an alias) */
    const char **dup;    /* per node: its scalar's copy in the arena, once made (node_dup) */
};

static void ydoc_free(struct ydoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = false;
    free(d->seen);
    d->seen = NULL;
    free(d->dup);
    d->dup = NULL;
}

static void mark_pos(const struct ydoc *d, yaml_mark_t m, unsigned *line, unsigned *col)
{
    *line = (unsigned)(d->line0 + m.line + 1);
    *col = (unsigned)(d->col0 + m.column + 1);
}

static yaml_node_t *ynode(struct ydoc *d, yaml_node_item_t i)
{
    return yaml_document_get_node(&d->doc, i);
}

/*
 * True the first time a collection is walked.  A second time means a YAML
 * alias repeats it: refused for data and for a list of entries; an entry
 * or its groups are read again, within the cap on aliases (see "Memory").
 * kubectl never prints aliases.
 */
static bool first_walk(struct ydoc *d, const yaml_node_t *n)
{
    size_t i = (size_t)(n - d->doc.nodes.start);

    if (d->seen[i])
        return false;
    d->seen[i] = 1;
    return true;
}

/* snprintf for messages: a long one is cut at the end of buf, as eksauth_fail does. */
static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

/* Add to ps's error what the cluster reads of that value, and mark it so (drop_value). */
static void error_append(struct parser *ps, const char *text)
{
    size_t used;

    if (ps->err == NULL)
        return;
    used = strlen(ps->err->msg);
    say(ps->err->msg + used, sizeof(ps->err->msg) - used, "%s", text);
    ps->cluster_reads = true;
}

static enum eksauth_status oom(struct parser *ps)
{
    return eksauth_fail(ps->err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
}

/* A warning may quote the document (a value with a tab in it): cleaned as every message is. */
static enum eksauth_status add_warning(struct parser *ps, const char *msg)
{
    char clean[EKSAUTH_ERROR_MAX];

    snprintf(clean, sizeof(clean), "%s", msg);
    eksauth_message_clean(clean);
    if (eksauth_strlist_add(&ps->doc->warnings, clean, NULL) != EKSAUTH_OK)
        return oom(ps);
    return EKSAUTH_OK;
}

/* "aws-auth: mapRoles: LINE:COL: <why>; entry skipped" */
static enum eksauth_status skip_entry(struct parser *ps, enum eksauth_map_source src, unsigned line,
                                      unsigned col, const char *why)
{
    char msg[EKSAUTH_ERROR_MAX];

    say(msg, sizeof(msg), "aws-auth: %s: %u:%u: %s; entry skipped", source_names[src], line, col,
        why);
    return add_warning(ps, msg);
}

/* A malformed document: "aws-auth: LINE:COL: <what><why>". */
static enum eksauth_status doc_error(struct parser *ps, const struct ydoc *d, const yaml_node_t *n,
                                     const char *why)
{
    unsigned line, col;

    mark_pos(d, n->start_mark, &line, &col);
    return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %s%s", line, col, d->what, why);
}

/* ------------------------------------------------------------------------ */
/* Small YAML helpers. */

/*
 * The text of scalar n in the arena, copied once per node: an alias
 * repeats a node up to 100 times (walk_entries), and each copy of a long
 * scalar would cost its length again.  NULL: out of memory.
 */
static const char *node_dup(struct parser *ps, struct ydoc *d, const yaml_node_t *n)
{
    size_t i = (size_t)(n - d->doc.nodes.start);

    if (d->dup[i] == NULL)
        d->dup[i] = eksauth_arena_strndup(&ps->doc->arena, (const char *)n->data.scalar.value,
                                          n->data.scalar.length);
    return d->dup[i];
}

static bool scalar_is(const yaml_node_t *n, const char *word)
{
    return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(word) &&
           memcmp(n->data.scalar.value, word, n->data.scalar.length) == 0;
}

/* A plain scalar that YAML reads as null: "", "~", "null", "Null", "NULL". */
static bool is_null(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           eksauth_awsauth_plain_null((const char *)n->data.scalar.value);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * A value upstream treats as empty (isSkippable): after trimming
 * whitespace, "", ``, "" (two double quotes) or '' (two single quotes).
 */
static bool is_skippable(const char *s, size_t len)
{
    while (len > 0 && is_space(s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_space(s[len - 1]))
        len--;
    return len == 0 || (len == 2 && (memcmp(s, "``", 2) == 0 || memcmp(s, "\"\"", 2) == 0 ||
                                     memcmp(s, "''", 2) == 0));
}

/*
 * Whether s[0..len) holds a control byte (below 0x20, or 0x7f).  Eight
 * bytes a step (every field of every entry is checked): w - 0x20 in each
 * byte borrows into a byte's top bit where that byte is below 0x20, and
 * w ^ 0x7f makes a 0x7f byte zero, which the same test with 0x01 finds; a
 * byte of 0x80 or more never counts (~w clears its top bit).
 */
static bool has_control(const char *s, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, tops = 0x8080808080808080ull;
    uint64_t w, del;
    size_t i = 0;

    for (; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        del = w ^ (ones * 0x7f);
        if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & tops)
            return true;
    }
    for (; i < len; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    }
    return false;
}

/*
 * The text of a string field of an entry, or NULL with *why set.  Control
 * bytes are refused: these strings become login and group names and go to
 * logs, where a newline or a NUL would forge or cut a line.
 */
static const char *field_string(const yaml_node_t *n, const char *field, char *why, size_t whylen)
{
    const char *v;

    if (n == NULL || is_null(n)) {
        say(why, whylen, "%s is missing", field);
        return NULL;
    }
    if (n->type != YAML_SCALAR_NODE) {
        say(why, whylen, "%s is not a string", field);
        return NULL;
    }
    v = (const char *)n->data.scalar.value;
    if (n->data.scalar.length == 0) {
        say(why, whylen, "%s is empty", field);
        return NULL;
    }
    if (has_control(v, n->data.scalar.length)) {
        say(why, whylen, "%s contains a control character", field);
        return NULL;
    }
    return v;
}

/*
 * What the cluster's YAML reader makes of n when it is not a string ("a
 * boolean", "a number"), or NULL: only a plain scalar can be one
 * (awsauth_rules.h).
 */
static const char *yaml11_non_string(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    return eksauth_awsauth_plain_kind((const char *)n->data.scalar.value, n->data.scalar.length);
}

/*
 * The text of a string field of a mapRoles/mapUsers entry (field_string),
 * refused when the cluster does not read it as a string at all.
 */
static const char *entry_string(const yaml_node_t *n, const char *field, char *why, size_t whylen)
{
    const char *kind = n != NULL ? yaml11_non_string(n) : NULL;

    if (kind != NULL) {
        say(why, whylen, "%s '%.40s' is %s to the cluster's YAML reader, not a string: quote it",
            field, (const char *)n->data.scalar.value, kind);
        return NULL;
    }
    return field_string(n, field, why, whylen);
}

/* ------------------------------------------------------------------------ */
/* Loading YAML. */

/* 0-based line and column of byte off in text. */
static void offset_pos(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
    size_t i, bol = 0;

    *line = 0;
    for (i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            (*line)++;
            bol = i + 1;
        }
    }
    *col = i - bol;
}

static enum eksauth_status yaml_error(struct parser *ps, const struct ydoc *d,
                                      const yaml_parser_t *yp)
{
    yaml_mark_t m = yp->problem_mark;
    unsigned line, col;
    /* Only the text the cluster parses itself (a ConfigMap's value) can be read there. */
    const char *only =
        d->cluster_text ? eksauth_awsauth_yaml_libyaml_only(yp, d->text, d->len) : NULL;

    if (yp->error == YAML_MEMORY_ERROR)
        return oom(ps);
    if (yp->error == YAML_READER_ERROR)
        offset_pos(d->text, d->len, yp->problem_offset, &m.line, &m.column);
    mark_pos(d, m, &line, &col);
    ps->cluster_reads = only != NULL;
    return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %s%s%s%s%s%s%s", line, col,
                        d->what, yp->problem != NULL ? yp->problem : "YAML error",
                        yp->context != NULL ? " (" : "", yp->context != NULL ? yp->context : "",
                        yp->context != NULL ? ")" : "", only != NULL ? ": " : "",
                        only != NULL ? only : "");
}

/*
 * Refuse what the cluster's YAML reader reads its own way and eksauth does
 * not (awsauth_yaml_compat.h): mapping such a document by its keys as
 * written would map what the cluster does not.
 */
static enum eksauth_status refuse_unread_yaml(struct parser *ps, struct ydoc *d)
{
    struct eksauth_awsauth_yaml_refusal r;

    if (eksauth_awsauth_yaml_unread(&d->doc, d->text, d->len, &r) == EKSAUTH_OK)
        return EKSAUTH_OK;
    if (r.cluster_reads && d->cluster_text)
        d->read_there = "; " EKSAUTH_AWSAUTH_CLUSTER_READS "its node as if untagged";
    else if (r.strings_read && d->accounts && d->cluster_text)
        d->read_there = "; " EKSAUTH_AWSAUTH_CLUSTER_READS
                        "mapAccounts into a list of strings: a tagged item as the text written "
                        "(!!binary decoded), an item that is a mapping skipped, the others kept";
    return doc_error(ps, d, r.node, r.why);
}

/*
 * Refuse, before libyaml loads it, a text nested deeper in flow
 * collections than the cluster's reader takes: libyaml would take hours
 * over it (awsauth_yaml_compat.h), keeping the last snapshot meanwhile.
 */
static enum eksauth_status refuse_deep_flow(struct parser *ps, const struct ydoc *d)
{
    struct eksauth_awsauth_yaml_refusal r;
    enum eksauth_status st = eksauth_awsauth_yaml_flow_too_deep(d->text, d->len, &r);
    unsigned line, col;

    if (st == EKSAUTH_ENOMEM)
        return oom(ps);
    if (st != EKSAUTH_EINVAL)
        return st;
    mark_pos(d, r.mark, &line, &col);
    return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %s%s", line, col, d->what,
                        r.why);
}

/* Load the one YAML document of d->text; a second document is an error. */
static enum eksauth_status ydoc_load(struct parser *ps, struct ydoc *d)
{
    yaml_parser_t yp;
    yaml_document_t extra;
    yaml_node_t *root;
    enum eksauth_status st;

    st = refuse_deep_flow(ps, d);
    if (st != EKSAUTH_OK)
        return st;
    if (!yaml_parser_initialize(&yp))
        return oom(ps);
    yaml_parser_set_input_string(&yp, (const unsigned char *)d->text, d->len);
    if (!yaml_parser_load(&yp, &d->doc)) {
        st = yaml_error(ps, d, &yp);
        goto out;
    }
    d->loaded = true;
    d->seen = calloc((size_t)(d->doc.nodes.top - d->doc.nodes.start) + 1, 1);
    d->dup = calloc((size_t)(d->doc.nodes.top - d->doc.nodes.start) + 1, sizeof(*d->dup));
    if (d->seen == NULL || d->dup == NULL) {
        st = oom(ps);
        goto out;
    }
    if (yaml_document_get_root_node(&d->doc) == NULL)
        goto out; /* an empty stream */
    /* "! 12" is the string "12" to the cluster: read so (here) before any rule takes its look. */
    st = refuse_unread_yaml(ps, d);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * Two documents would leave which one counts to chance: refuse.  The
     * cluster reads the first of a value and stops at its end, whatever
     * follows ("  - a\n- b" is [a] there): libyaml ended it on the same
     * token go-yaml ends it on.  Not past a byte libyaml's reader refused.
     */
    if (!yaml_parser_load(&yp, &extra)) {
        st = yaml_error(ps, d, &yp);
        if (d->cluster_text && !ps->cluster_reads && yp.error != YAML_READER_ERROR)
            d->read_there = ", after the first YAML document; " EKSAUTH_AWSAUTH_CLUSTER_READS
                            "the first one only: remove the rest";
        goto out;
    }
    root = yaml_document_get_root_node(&extra);
    if (root != NULL) {
        unsigned line, col;

        mark_pos(d, root->start_mark, &line, &col);
        st = eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %smore than one YAML document",
                          line, col, d->what);
        if (d->cluster_text)
            d->read_there =
                "; " EKSAUTH_AWSAUTH_CLUSTER_READS "the first one only: remove the rest";
    }
    yaml_document_delete(&extra);
out:
    yaml_parser_delete(&yp);
    return st;
}

/*
 * Where the content of a literal block scalar ("mapRoles: |") sits in its
 * document's text: libyaml marks the '|' and strips each line's
 * indentation, so content line L (0-based) is text line mark.line + 1 + L
 * and content column C is C + indent, the indentation of the first
 * non-blank content line.  False (the positions stay relative to the
 * value) unless that is exact: literal style, the '|' at the mark (no tag
 * or anchor before it) and no explicit indentation digit.
 */
static bool literal_origin(const struct ydoc *d, const yaml_node_t *n, size_t *line0, size_t *col0)
{
    const char *t = d->text;
    /* libyaml's index counts characters: the '|' is that many characters in. */
    size_t i = eksauth_awsauth_yaml_byte_offset(t, d->len, n->start_mark.index), indent;

    if (n->data.scalar.style != YAML_LITERAL_SCALAR_STYLE || i >= d->len || t[i] != '|')
        return false;
    for (i++; i < d->len && (t[i] == '-' || t[i] == '+' || (t[i] >= '0' && t[i] <= '9')); i++) {
        if (t[i] != '-' && t[i] != '+')
            return false;
    }
    for (;;) {
        while (i < d->len && t[i] != '\n' && t[i] != '\r')
            i++;
        if (i < d->len && t[i] == '\r')
            i++;
        if (i < d->len && t[i] == '\n')
            i++;
        for (indent = 0; i < d->len && t[i] == ' '; i++)
            indent++;
        if (i >= d->len || (t[i] != '\n' && t[i] != '\r'))
            break;
    }
    *line0 = d->line0 + n->start_mark.line + 1;
    *col0 = d->col0 + indent;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Entries. */

/* Room for one more entry, zeroed; it counts once doc->n_entries is raised. */
static struct eksauth_awsauth_entry *new_entry(struct parser *ps)
{
    struct eksauth_awsauth_doc *doc = ps->doc;
    struct eksauth_awsauth_entry *entries;
    size_t cap;

    if (doc->n_entries == doc->cap_entries) {
        cap = doc->cap_entries ? 2 * doc->cap_entries : 64;
        entries = realloc(doc->entries, cap * sizeof(*entries));
        if (entries == NULL)
            return NULL;
        doc->entries = entries;
        doc->cap_entries = cap;
    }
    memset(&doc->entries[doc->n_entries], 0, sizeof(doc->entries[0]));
    return &doc->entries[doc->n_entries];
}

/*
 * The fields of an entry the cluster reads: its decoder (Go's encoding/json,
 * after the YAML became JSON) matches a key to a field ignoring case as Go
 * folds it.  sso belongs to mapRoles only.
 */
enum entry_field { F_ARN, F_USERNAME, F_GROUPS, F_SSO, F_COUNT };

struct entry_nodes {
    yaml_node_t *value[F_COUNT]; /* the value the cluster keeps, or NULL */
    const yaml_node_t *key[F_COUNT];
};

/* Which field key k gives in an entry of src, or F_COUNT for none. */
static enum entry_field key_field(enum eksauth_map_source src, const char *k, size_t klen,
                                  bool *unicode)
{
    char folded[16];

    if (!eksauth_awsauth_fold_key(k, klen, folded, sizeof(folded), unicode))
        return F_COUNT;
    if (strcmp(folded, src == EKSAUTH_SRC_MAPROLES ? "ROLEARN" : "USERARN") == 0)
        return F_ARN;
    if (strcmp(folded, "USERNAME") == 0)
        return F_USERNAME;
    if (strcmp(folded, "GROUPS") == 0)
        return F_GROUPS;
    if (src == EKSAUTH_SRC_MAPROLES && strcmp(folded, "SSO") == 0)
        return F_SSO;
    return F_COUNT; /* userid and unknown keys are ignored, as the cluster does */
}

/* Byte order of two keys, as Go sorts strings. */
static int key_order(const yaml_node_t *a, const yaml_node_t *b)
{
    size_t la = a->data.scalar.length, lb = b->data.scalar.length;
    int c = memcmp(a->data.scalar.value, b->data.scalar.value, la < lb ? la : lb);

    return c != 0 ? c : (la > lb) - (la < lb);
}

static const char *const field_names[F_COUNT] = {"", "username", "groups", "sso"};

/*
 * The values the cluster's decoder keeps for an entry.  Two keys that fold
 * to one field (rolearn and roleARN): the cluster turns the YAML into JSON
 * through a Go map, which writes keys in byte order, and encoding/json keeps
 * the last value it meets, so the key greater in byte order wins; a warning
 * says so.  The very same key twice: go-yaml keeps the later value, but a
 * key written twice is a slip whose meant value is a guess, so the entry
 * is refused (EKSAUTH_EINVAL, *why set for the first such key).  The scan
 * goes on all the same, *f holding what the cluster keeps: whether it
 * keeps the entry at all depends on the sso it keeps (add_overrides).
 */
static enum eksauth_status find_entry_fields(struct parser *ps, struct ydoc *d,
                                             enum eksauth_map_source src, yaml_node_t *map,
                                             unsigned line, unsigned col, struct entry_nodes *f,
                                             char *why, size_t whylen)
{
    const char *arn_field = src == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn";
    char msg[EKSAUTH_ERROR_MAX];
    yaml_node_pair_t *pair;
    yaml_node_t *key;
    const yaml_node_t *old;
    enum entry_field fi;
    bool unicode, twice = false;
    int order;

    memset(f, 0, sizeof(*f));
    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        key = ynode(d, pair->key);
        if (key == NULL || key->type != YAML_SCALAR_NODE)
            continue;
        fi =
            key_field(src, (const char *)key->data.scalar.value, key->data.scalar.length, &unicode);
        if (fi == F_COUNT)
            continue;
        if (unicode) {
            say(msg, sizeof(msg),
                "aws-auth: %s: %u:%u: key '%.40s' is read as %s: the cluster folds 'ſ' to s and "
                "the Kelvin sign to k in keys, and so does eksauth",
                source_names[src], line, col, (const char *)key->data.scalar.value,
                fi == F_ARN ? arn_field : field_names[fi]);
            if (add_warning(ps, msg) != EKSAUTH_OK)
                return EKSAUTH_ENOMEM;
        }
        old = f->key[fi];
        if (old == NULL) {
            f->key[fi] = key;
            f->value[fi] = ynode(d, pair->value);
            continue;
        }
        order = key_order(old, key);
        if (order == 0) {
            if (!twice)
                say(why, whylen,
                    "'%.40s' is given twice: the cluster keeps the later value; eksauth does not "
                    "guess which one was meant",
                    (const char *)key->data.scalar.value);
            twice = true;
            f->key[fi] = key;
            f->value[fi] = ynode(d, pair->value);
            continue;
        }
        say(msg, sizeof(msg),
            "aws-auth: %s: %u:%u: '%.40s' and '%.40s' both give %s; the cluster keeps '%.40s' (the "
            "later in byte order), and so does eksauth",
            source_names[src], line, col, (const char *)old->data.scalar.value,
            (const char *)key->data.scalar.value, fi == F_ARN ? arn_field : field_names[fi],
            order > 0 ? (const char *)old->data.scalar.value
                      : (const char *)key->data.scalar.value);
        if (add_warning(ps, msg) != EKSAUTH_OK)
            return EKSAUTH_ENOMEM;
        if (order < 0) {
            f->key[fi] = key;
            f->value[fi] = ynode(d, pair->value);
        }
    }
    return twice ? EKSAUTH_EINVAL : EKSAUTH_OK;
}

/*
 * The groups of an entry, checked and copied into the arena.  EINVAL with
 * *why set when they are not a list of strings that are valid templates.
 */
static enum eksauth_status copy_groups(struct parser *ps, struct ydoc *d, yaml_node_t *seq,
                                       const char ***groups_out, size_t *n_out, char *why,
                                       size_t whylen)
{
    struct eksauth_error e;
    yaml_node_item_t *gi;
    yaml_node_t *g;
    const char **groups;
    const char *v;
    size_t n;

    *groups_out = NULL;
    *n_out = 0;
    if (seq == NULL || is_null(seq))
        return EKSAUTH_OK; /* no groups */
    if (seq->type != YAML_SEQUENCE_NODE) {
        say(why, whylen, "groups is not a list of strings");
        return EKSAUTH_EINVAL;
    }
    /* An alias of groups is read again, as the cluster reads it: walk_entries capped aliases. */
    n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    groups = eksauth_arena_alloc(&ps->doc->arena, (n ? n : 1) * sizeof(*groups));
    if (groups == NULL)
        return oom(ps);
    n = 0;
    for (gi = seq->data.sequence.items.start; gi < seq->data.sequence.items.top; gi++) {
        g = ynode(d, *gi);
        if (g == NULL || g->type != YAML_SCALAR_NODE || is_null(g)) {
            say(why, whylen, "groups is not a list of strings");
            return EKSAUTH_EINVAL;
        }
        v = entry_string(g, "a group", why, whylen);
        if (v == NULL)
            return EKSAUTH_EINVAL;
        if (eksauth_template_validate(v, EKSAUTH_TEMPLATE_GROUP, &e) != EKSAUTH_OK) {
            say(why, whylen, "group: %s", e.msg);
            return EKSAUTH_EINVAL;
        }
        groups[n] = node_dup(ps, d, g);
        if (groups[n] == NULL)
            return oom(ps);
        n++;
    }
    *groups_out = groups;
    *n_out = n;
    return EKSAUTH_OK;
}

/*
 * An IAM user, root or a federated user has no session name: a
 * {{SessionName}} in its entry renders empty.  The cluster admits the
 * result ("admin:" for admin:{{SessionName}}); eksauth refuses the login
 * (an empty placeholder would give every such principal one name): say so
 * once, at parse time.
 */
static enum eksauth_status warn_empty_session(struct parser *ps, enum eksauth_map_source src,
                                              unsigned line, unsigned col,
                                              const struct eksauth_arn *arn, const char *what,
                                              const char *tmpl)
{
    char rendered[256], msg[EKSAUTH_ERROR_MAX];

    if (arn->type == EKSAUTH_ARN_ROLE ||
        !eksauth_awsauth_empty_session(tmpl, rendered, sizeof(rendered)))
        return EKSAUTH_OK;
    say(msg, sizeof(msg),
        "aws-auth: %s: %u:%u: %s '%.80s': a %s has no session name, so the cluster renders "
        "'%.80s' and admits it; eksauth refuses such a login (an empty placeholder would give "
        "every such principal the same name)",
        source_names[src], line, col, what, tmpl, eksauth_arn_type_name(arn->type), rendered);
    return add_warning(ps, msg);
}

/* s in lower case (ASCII), in the arena. */
static const char *lower_dup(struct eksauth_arena *ar, const char *s)
{
    size_t n = strlen(s);
    char *out = eksauth_arena_alloc(ar, n + 1);

    /* Lowered as it is copied: one pass (every entry's key is made here). */
    if (out != NULL)
        eksauth_ascii_lower_copy(out, s, n);
    return out;
}

/*
 * An entry the cluster never matches: a warning that says why and what to
 * write instead, and an ignored entry keyed by that ARN, so that a lookup
 * of the principal it meant can say why it is not mapped.
 */
static enum eksauth_status add_ignored(struct parser *ps, enum eksauth_map_source src,
                                       unsigned line, unsigned col, const char *arn_text,
                                       const char *why, const char *hint)
{
    struct eksauth_awsauth_entry *it;
    char msg[EKSAUTH_ERROR_MAX];

    say(msg, sizeof(msg), "aws-auth: %s: %u:%u: %s %s, and neither does eksauth; write %s",
        source_names[src], line, col, arn_text, why, hint);
    if (add_warning(ps, msg) != EKSAUTH_OK || (it = new_entry(ps)) == NULL)
        return oom(ps);
    it->source = src;
    it->line = line;
    it->column = col;
    it->ignored = why;
    it->arn = eksauth_arena_strndup(&ps->doc->arena, arn_text, strlen(arn_text));
    it->key = lower_dup(&ps->doc->arena, hint);
    if (it->arn == NULL || it->key == NULL)
        return oom(ps);
    ps->doc->n_entries++;
    return EKSAUTH_OK;
}

/*
 * key[0..) for arn[0..len) as the cluster keys and matches an entry.  It
 * keys it by Go's ToLower, which maps two non-ASCII characters into ASCII,
 * U+0130 to 'i' and the Kelvin sign to 'k', and matches a principal by
 * strings.EqualFold, which folds the Kelvin sign and 'ſ' (U+017F) to k and
 * s, and nothing else non-ASCII to ASCII.  So 'ſ' becomes 's' here too: the
 * entry holds that principal, and replacing an entry of that ARN is the safe
 * side.  *matches is false when a character folds to nothing ASCII (every
 * other non-ASCII one, 'İ' too): no principal's ARN is EqualFold to it.
 * go_lower: Go's ToLower alone, which keeps 'ſ' (map_key).
 */
static char *cluster_key(struct eksauth_arena *ar, const char *arn, size_t len, bool go_lower,
                         bool *matches)
{
    char *key = eksauth_arena_alloc(ar, len + 1), *k = key;
    size_t i = 0;

    *matches = true;
    if (key == NULL)
        return NULL;
    while (i < len) {
        if (len - i >= 2 && memcmp(arn + i, "\xc4\xb0", 2) == 0) {
            *k++ = 'i';
            *matches = false;
            i += 2;
        } else if (!go_lower && len - i >= 2 && memcmp(arn + i, "\xc5\xbf", 2) == 0) {
            *k++ = 's';
            i += 2;
        } else if (len - i >= 3 && memcmp(arn + i, "\xe2\x84\xaa", 3) == 0) {
            *k++ = 'k';
            i += 3;
        } else {
            if ((unsigned char)arn[i] >= 0x80)
                *matches = false;
            *k++ = eksauth_ascii_lower(arn[i++]);
        }
    }
    *k = '\0';
    return key;
}

/*
 * The key of the cluster's map for arn[0..len) in src: mapUsers keys an
 * entry by its ARN as written, mapRoles by Go's ToLower of it, which is
 * cluster_key's but for 'ſ', lower case already.  Other non-ASCII
 * characters are kept: such an entry matches nobody, and no valid entry
 * (ASCII) shares its key.
 */
static char *map_key(struct eksauth_arena *ar, enum eksauth_map_source src, const char *arn,
                     size_t len)
{
    bool matches;

    if (src == EKSAUTH_SRC_MAPROLES)
        return cluster_key(ar, arn, len, true, &matches);
    return eksauth_arena_strndup(ar, arn, len);
}

/*
 * Append an override of key (the ARN as written) for src, after the entries
 * read so far; held: one read back from EKSAUTH_AWSAUTH_HELD_KEY.
 */
static enum eksauth_status push_override(struct parser *ps, enum eksauth_map_source src,
                                         const char *arn, size_t len, unsigned line, unsigned col,
                                         bool held)
{
    struct eksauth_awsauth_doc *doc = ps->doc;
    struct eksauth_awsauth_override *o;
    size_t cap;

    if (doc->n_overrides == doc->cap_overrides) {
        cap = doc->cap_overrides ? 2 * doc->cap_overrides : 16;
        o = realloc(doc->overrides, cap * sizeof(*o));
        if (o == NULL)
            return oom(ps);
        doc->overrides = o;
        doc->cap_overrides = cap;
    }
    o = &doc->overrides[doc->n_overrides];
    o->source = src;
    o->after = doc->n_entries;
    o->line = line;
    o->column = col;
    o->key = cluster_key(&doc->arena, arn, len, false, &o->holds);
    o->cluster_key = held ? NULL : map_key(&doc->arena, src, arn, len);
    if (o->key == NULL || (!held && o->cluster_key == NULL))
        return oom(ps);
    doc->n_overrides++;
    return EKSAUTH_OK;
}

/*
 * An entry skipped here that the cluster keeps: its decoder keeps every
 * entry whose ARN is a string and that has no sso, keyed by that ARN, so
 * it replaces an earlier entry for the same principal there.  Each string
 * under a key that folds to the ARN's field is taken (which of them the
 * decoder keeps depends on key order and types): replacing more is the
 * safe side.  An entry with a non-null sso (the one the decoder keeps) is
 * dropped there and replaces nothing.
 */
static enum eksauth_status add_overrides(struct parser *ps, struct ydoc *d,
                                         enum eksauth_map_source src, yaml_node_t *map,
                                         const yaml_node_t *sso, unsigned line, unsigned col)
{
    enum eksauth_status st;
    yaml_node_pair_t *pair;
    yaml_node_t *k, *v;
    bool unicode;

    if (sso != NULL && !is_null(sso))
        return EKSAUTH_OK;
    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        k = ynode(d, pair->key);
        v = ynode(d, pair->value);
        if (k == NULL || v == NULL || k->type != YAML_SCALAR_NODE || v->type != YAML_SCALAR_NODE ||
            is_null(v) || v->data.scalar.length == 0 || yaml11_non_string(v) != NULL ||
            key_field(src, (const char *)k->data.scalar.value, k->data.scalar.length, &unicode) !=
                F_ARN)
            continue;
        /*
         * Folding shortens a string at most threefold (the Kelvin sign's
         * three bytes to 'k'), and every principal's and valid entry's ARN
         * is shorter than EKSAUTH_ARN_MAX: one this long holds and replaces
         * nothing.  Not copied, so an alias repeating it costs nothing.
         */
        if (v->data.scalar.length >= 3 * (size_t)EKSAUTH_ARN_MAX)
            continue;
        st = push_override(ps, src, (const char *)v->data.scalar.value, v->data.scalar.length, line,
                           col, false);
        if (st != EKSAUTH_OK)
            return st;
    }
    return EKSAUTH_OK;
}

/* Skip the entry at line:col, which the cluster may keep (add_overrides). */
static enum eksauth_status skip_kept_entry(struct parser *ps, struct ydoc *d,
                                           enum eksauth_map_source src, yaml_node_t *map,
                                           const yaml_node_t *sso, unsigned line, unsigned col,
                                           const char *why)
{
    enum eksauth_status st = add_overrides(ps, d, src, map, sso, line, col);

    return st != EKSAUTH_OK ? st : skip_entry(ps, src, line, col, why);
}

/*
 * One mapRoles or mapUsers entry, item (1-based) of its list: a valid one
 * becomes an entry, a bad one a warning.
 */
static enum eksauth_status add_entry(struct parser *ps, struct ydoc *d, enum eksauth_map_source src,
                                     yaml_node_t *node, size_t item)
{
    const char *arn_field = src == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn";
    struct eksauth_arena *ar = &ps->doc->arena;
    struct entry_nodes f;
    struct eksauth_arn *arn = &ps->arn;
    struct eksauth_error e;
    char why[EKSAUTH_ERROR_MAX], hint[EKSAUTH_ARN_MAX];
    const char *arn_text, *username, **groups, *ignored;
    yaml_node_t *sso;
    size_t n_groups, i;
    struct eksauth_awsauth_entry *it;
    unsigned line, col;
    enum eksauth_status st;

    mark_pos(d, node->start_mark, &line, &col);
    if (node->type != YAML_MAPPING_NODE)
        return skip_entry(ps, src, line, col, "the entry is not a mapping");
    /*
     * An alias of an entry: the cluster decodes a full copy of it at the
     * alias, so it replaces or holds its principal there as any entry does.
     * libyaml keeps no position of an alias: the copy has its anchor's
     * line:col, and this says where it stands.
     */
    if (!first_walk(d, node)) {
        say(why, sizeof(why),
            "aws-auth: %s: %u:%u: a YAML alias repeats this entry as item %zu of the list; read "
            "there again, as the cluster does",
            source_names[src], line, col, item);
        st = add_warning(ps, why);
        if (st != EKSAUTH_OK)
            return st;
    }
    st = find_entry_fields(ps, d, src, node, line, col, &f, why, sizeof(why));
    /* A key given twice: the cluster keeps the entry unless the sso it keeps drops it. */
    if (st == EKSAUTH_EINVAL)
        return skip_kept_entry(ps, d, src, node, f.value[F_SSO], line, col, why);
    if (st != EKSAUTH_OK)
        return oom(ps);

    /* The cluster drops an entry with both rolearn and sso, and matches sso ones behind a gate. */
    sso = f.value[F_SSO];
    if (sso != NULL && !is_null(sso))
        return skip_entry(ps, src, line, col,
                          f.value[F_ARN] != NULL && !is_null(f.value[F_ARN])
                              ? "rolearn and sso are both given: the cluster drops such an entry"
                              : "sso entries are not supported");
    arn_text = entry_string(f.value[F_ARN], arn_field, why, sizeof(why));
    if (arn_text == NULL)
        return skip_kept_entry(ps, d, src, node, sso, line, col, why);
    if (eksauth_awsauth_entry_arn(arn_text, arn, why, sizeof(why)) != EKSAUTH_OK)
        return skip_kept_entry(ps, d, src, node, sso, line, col, why);
    /* Kept, to say why the principal it names is not mapped, but never matched. */
    ignored = eksauth_awsauth_never_matches(arn, hint, sizeof(hint));
    if (ignored != NULL)
        return add_ignored(ps, src, line, col, arn_text, ignored, hint);

    /* An entry without a username would map to "": refuse it (stricter than the cluster). */
    username = entry_string(f.value[F_USERNAME], "username", why, sizeof(why));
    if (username == NULL)
        return skip_kept_entry(ps, d, src, node, sso, line, col, why);
    if (eksauth_template_validate(username, EKSAUTH_TEMPLATE_USERNAME, &e) != EKSAUTH_OK) {
        say(why, sizeof(why), "username: %s (the cluster keeps it as text; eksauth does not)",
            e.msg);
        return skip_kept_entry(ps, d, src, node, sso, line, col, why);
    }
    st = copy_groups(ps, d, f.value[F_GROUPS], &groups, &n_groups, why, sizeof(why));
    if (st == EKSAUTH_EINVAL)
        return skip_kept_entry(ps, d, src, node, sso, line, col, why);
    if (st != EKSAUTH_OK)
        return st;
    st = warn_empty_session(ps, src, line, col, arn, "username", username);
    for (i = 0; i < n_groups && st == EKSAUTH_OK; i++)
        st = warn_empty_session(ps, src, line, col, arn, "group", groups[i]);
    if (st != EKSAUTH_OK)
        return st;

    it = new_entry(ps);
    if (it == NULL)
        return oom(ps);
    it->source = src;
    it->line = line;
    it->column = col;
    /* Lengths as libyaml gave them: field_string refused a NUL inside. */
    it->arn = node_dup(ps, d, f.value[F_ARN]);
    /*
     * The cluster's comparison: the ARN as written, whole, ignoring case.
     * That is arn->key, made once: an ARN other than an assumed role's
     * (never_matches keeps none) is its own canonical form (lib/arn.c).
     */
    it->key = eksauth_arena_strndup(ar, arn->key, strlen(arn->key));
    it->username = node_dup(ps, d, f.value[F_USERNAME]);
    it->groups = groups;
    it->n_groups = n_groups;
    if (it->arn == NULL || it->key == NULL || it->username == NULL)
        return oom(ps);
    ps->doc->n_entries++;
    return EKSAUTH_OK;
}

/* One mapAccounts entry: an account id of 12 digits, kept as written. */
static enum eksauth_status add_account(struct parser *ps, struct ydoc *d, yaml_node_t *node)
{
    char why[EKSAUTH_ERROR_MAX];
    const char *v;
    struct eksauth_awsauth_entry *it;
    unsigned line, col;
    size_t i;

    mark_pos(d, node->start_mark, &line, &col);
    v = field_string(node, "the account id", why, sizeof(why));
    if (v == NULL)
        return skip_entry(ps, EKSAUTH_SRC_MAPACCOUNTS, line, col, why);
    /*
     * mapAccounts admits every principal of the account, so the id must be
     * exactly an account id.  The text is kept as written: an unquoted
     * 012345678901 keeps its leading zero (YAML 1.1 would call it octal).
     */
    for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
        ;
    if (i != 12 || v[i] != '\0')
        return skip_entry(ps, EKSAUTH_SRC_MAPACCOUNTS, line, col,
                          "an account id must be 12 digits");
    it = new_entry(ps);
    if (it == NULL)
        return oom(ps);
    it->source = EKSAUTH_SRC_MAPACCOUNTS;
    it->line = line;
    it->column = col;
    it->arn = eksauth_arena_strndup(&ps->doc->arena, v, 12);
    if (it->arn == NULL)
        return oom(ps);
    it->key = it->arn;
    ps->doc->n_entries++;
    return EKSAUTH_OK;
}

/*
 * Refuse a value the cluster's reading fails on, and so drops whole
 * (awsauth_yaml_compat.h): skipping only the entry would map the rest,
 * which the cluster maps none of.  json: the value is mapRoles or mapUsers,
 * decoded whole and turned into JSON (mapAccounts is read item by item).
 */
static enum eksauth_status refuse_what_cluster_fails(struct parser *ps, struct ydoc *d,
                                                     yaml_node_t *root, bool json)
{
    struct eksauth_awsauth_yaml_refusal r;
    enum eksauth_status st;

    st = eksauth_awsauth_yaml_cluster_fails(&d->doc, root, d->cluster_text ? d->text : NULL, d->len,
                                            json, &r);
    if (st == EKSAUTH_EINVAL) {
        st = doc_error(ps, d, r.node, r.why);
        /* eksauth's own bound, not the cluster's failure: drop_value says the cluster may read on.
         */
        ps->cluster_reads = r.cluster_reads;
        return st;
    }
    return st == EKSAUTH_OK ? st : oom(ps);
}

/*
 * d was refused (ps->err) for what the cluster reads all the same
 * (d->read_there): say so when the cluster's reading of the loaded
 * document does not fail on something else, which then is the error.
 * EKSAUTH_EINVAL either way, or EKSAUTH_ENOMEM.
 */
static enum eksauth_status say_read_there(struct parser *ps, struct ydoc *d,
                                          enum eksauth_map_source src)
{
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    enum eksauth_status st;

    /* A value that is no list maps nothing there either. */
    if (root == NULL || root->type != YAML_SEQUENCE_NODE)
        return EKSAUTH_EINVAL;
    st = refuse_what_cluster_fails(ps, d, root, src != EKSAUTH_SRC_MAPACCOUNTS);
    if (st != EKSAUTH_OK)
        return st;
    error_append(ps, d->read_there);
    return EKSAUTH_EINVAL;
}

/*
 * A list of entries: refused whole when the cluster's reading of it fails
 * (EKSAUTH_EINVAL), else each item is kept or skipped with a warning.
 */
static enum eksauth_status walk_entries(struct parser *ps, struct ydoc *d,
                                        enum eksauth_map_source src, yaml_node_t *seq)
{
    yaml_node_item_t *i;
    yaml_node_t *n;
    enum eksauth_status st;

    st = refuse_what_cluster_fails(ps, d, seq, src != EKSAUTH_SRC_MAPACCOUNTS);
    if (st != EKSAUTH_OK)
        return st;
    if (!first_walk(d, seq))
        return doc_error(ps, d, seq, "a YAML alias repeats a list (aliases are not supported)");
    for (i = seq->data.sequence.items.start; i < seq->data.sequence.items.top && st == EKSAUTH_OK;
         i++) {
        n = ynode(d, *i);
        if (n == NULL)
            continue;
        st = src == EKSAUTH_SRC_MAPACCOUNTS
                 ? add_account(ps, d, n)
                 : add_entry(ps, d, src, n, (size_t)(i - seq->data.sequence.items.start) + 1);
    }
    return st;
}

/*
 * The value of src did not parse (ps->err says why): the cluster drops a
 * value it cannot turn into its list, whole, and maps with the others, so
 * eksauth drops it too, visibly: its entries (none, or those read before
 * the failure) go, and the warning and doc->dropped name it.
 */
static enum eksauth_status drop_value(struct parser *ps, enum eksauth_map_source src,
                                      size_t n_before)
{
    const char *why = ps->err != NULL ? ps->err->msg : "it does not parse";
    char msg[EKSAUTH_ERROR_MAX];
    size_t i, n;

    if (strncmp(why, "aws-auth: ", 10) == 0)
        why += 10;
    ps->doc->n_entries = n_before;
    /* The value's skipped entries replace nothing either: the cluster kept none of it. */
    for (i = n = 0; i < ps->doc->n_overrides; i++) {
        if (ps->doc->overrides[i].source != src)
            ps->doc->overrides[n++] = ps->doc->overrides[i];
    }
    ps->doc->n_overrides = n;
    say(msg, sizeof(msg), "%s (%s)", source_names[src], why);
    if (eksauth_strlist_add(&ps->doc->dropped, msg, NULL) != EKSAUTH_OK)
        return oom(ps);
    if (ps->cluster_reads)
        say(msg, sizeof(msg),
            "aws-auth: %s dropped: %s; the cluster reads on there, so its entries may map "
            "there, and none maps here",
            source_names[src], why);
    else
        say(msg, sizeof(msg),
            "aws-auth: %s dropped: %s; the cluster drops a value it cannot read, so none of its "
            "entries maps, here as there",
            source_names[src], why);
    ps->cluster_reads = false;
    return add_warning(ps, msg);
}

/*
 * A data value that is a string of YAML: parse it again and walk its list.
 * line0/col0 place it in the input (see literal_origin).  A value that
 * does not parse is dropped (drop_value).
 */
static enum eksauth_status walk_string(struct parser *ps, enum eksauth_map_source src,
                                       const char *text, size_t len, size_t line0, size_t col0,
                                       bool cluster_text)
{
    char what[32];
    struct ydoc d = {.text = text,
                     .len = len,
                     .line0 = line0,
                     .col0 = col0,
                     .what = what,
                     .cluster_text = cluster_text,
                     .accounts = src == EKSAUTH_SRC_MAPACCOUNTS};
    size_t before = ps->doc->n_entries;
    yaml_node_t *root;
    enum eksauth_status st;

    if (is_skippable(text, len))
        return EKSAUTH_OK;
    say(what, sizeof(what), "%s: ", source_names[src]);
    st = ydoc_load(ps, &d);
    if (st == EKSAUTH_EINVAL && d.read_there != NULL)
        st = say_read_there(ps, &d, src);
    if (st != EKSAUTH_OK)
        goto out;
    root = yaml_document_get_root_node(&d.doc);
    if (root == NULL || is_null(root))
        goto out; /* only comments */
    if (root->type != YAML_SEQUENCE_NODE) {
        st = doc_error(ps, &d, root, "the value is not a list");
        goto out;
    }
    st = walk_entries(ps, &d, src, root);
out:
    ydoc_free(&d);
    if (st == EKSAUTH_EINVAL)
        st = drop_value(ps, src, before);
    return st;
}

/* ------------------------------------------------------------------------ */
/* The document. */

/* The values of mapRoles, mapUsers and mapAccounts in a YAML mapping. */
static enum eksauth_status find_sources(struct parser *ps, struct ydoc *d, yaml_node_t *map,
                                        yaml_node_t *val[N_SOURCES])
{
    yaml_node_pair_t *pair;
    yaml_node_t *key;
    char msg[EKSAUTH_ERROR_MAX];
    unsigned line, col;
    size_t s;
    enum eksauth_status st = EKSAUTH_OK;

    for (pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top && st == EKSAUTH_OK; pair++) {
        key = ynode(d, pair->key);
        if (key == NULL || key->type != YAML_SCALAR_NODE)
            continue;
        for (s = 0; s < N_SOURCES && st == EKSAUTH_OK; s++) {
            if (scalar_is(key, source_names[s])) {
                /* A key given twice: which value counts would be a guess. */
                if (val[s] != NULL)
                    return doc_error(ps, d, key, "the key is given twice");
                val[s] = ynode(d, pair->value);
            } else if (eksauth_ascii_eq_nocase((const char *)key->data.scalar.value,
                                               key->data.scalar.length, source_names[s])) {
                /* Top-level keys are case-sensitive, as upstream: say why it is ignored. */
                mark_pos(d, key->start_mark, &line, &col);
                say(msg, sizeof(msg),
                    "aws-auth: %u:%u: %s'%.40s' ignored: the key is case-sensitive (%s)", line, col,
                    d->what, (const char *)key->data.scalar.value, source_names[s]);
                st = add_warning(ps, msg);
            }
        }
    }
    return st;
}

/* One data value: a string of YAML, or (bare file only) the list itself. */
static enum eksauth_status walk_value(struct parser *ps, struct ydoc *d,
                                      enum eksauth_map_source src, yaml_node_t *n, bool configmap)
{
    size_t line0 = 0, col0 = 0;
    char why[64];

    if (n == NULL || is_null(n))
        return EKSAUTH_OK;
    if (n->type == YAML_SCALAR_NODE) {
        if (!literal_origin(d, n, &line0, &col0))
            line0 = col0 = 0; /* relative to the decoded value */
        return walk_string(ps, src, (const char *)n->data.scalar.value, n->data.scalar.length,
                           line0, col0, configmap);
    }
    if (!configmap && n->type == YAML_SEQUENCE_NODE) {
        size_t before = ps->doc->n_entries;
        enum eksauth_status st = walk_entries(ps, d, src, n);

        return st == EKSAUTH_EINVAL ? drop_value(ps, src, before) : st;
    }
    say(why, sizeof(why), "%s is not a %s", source_names[src],
        configmap ? "string (ConfigMap data)" : "list or a string");
    return doc_error(ps, d, n, why);
}

/* One item of EKSAUTH_AWSAUTH_DROPPED_KEY: a dropped value's text, into doc->dropped. */
static enum eksauth_status add_dropped(struct parser *ps, const char *item, size_t len)
{
    (void)len;
    return eksauth_strlist_add(&ps->doc->dropped, item, NULL) == EKSAUTH_OK ? EKSAUTH_OK : oom(ps);
}

/* One item of EKSAUTH_AWSAUTH_HELD_KEY ("mapRoles 3:7 KEY") into doc->overrides. */
static enum eksauth_status add_held(struct parser *ps, const char *item, size_t len)
{
    enum eksauth_map_source src;
    unsigned line = 0, col = 0;
    const char *key;
    int at = 0;

    if (strncmp(item, "mapRoles ", 9) == 0)
        src = EKSAUTH_SRC_MAPROLES;
    else if (strncmp(item, "mapUsers ", 9) == 0)
        src = EKSAUTH_SRC_MAPUSERS;
    else
        return EKSAUTH_EINVAL;
    if (strlen(item) != len || sscanf(item + 9, "%u:%u %n", &line, &col, &at) != 2 || at == 0)
        return EKSAUTH_EINVAL;
    key = item + 9 + at;
    if (key[0] == '\0')
        return EKSAUTH_EINVAL;
    /* Read before every entry: only a valid entry of its own key replaces it. */
    return push_override(ps, src, key, strlen(key), line, col, true);
}

/*
 * The list under key of a bare document, each item given to add:
 * EKSAUTH_AWSAUTH_DROPPED_KEY (what a merge found dropped in the ConfigMap)
 * and EKSAUTH_AWSAUTH_HELD_KEY (the skipped entries that hold their
 * principal).  Anything but a list of strings add takes is a malformed
 * document, never a list read in part.
 */
static enum eksauth_status
read_list_key(struct parser *ps, struct ydoc *d, yaml_node_t *map, const char *key, const char *bad,
              enum eksauth_status (*add)(struct parser *, const char *, size_t))
{
    enum eksauth_status st;
    yaml_node_pair_t *pair;
    yaml_node_item_t *i;
    yaml_node_t *v, *item;

    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        if (!scalar_is(ynode(d, pair->key), key))
            continue;
        v = ynode(d, pair->value);
        if (v == NULL || v->type != YAML_SEQUENCE_NODE || !first_walk(d, v))
            return doc_error(ps, d, v != NULL ? v : map, bad);
        for (i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
            item = ynode(d, *i);
            if (item == NULL || item->type != YAML_SCALAR_NODE)
                return doc_error(ps, d, v, bad);
            st = add(ps, (const char *)item->data.scalar.value, item->data.scalar.length);
            if (st == EKSAUTH_EINVAL)
                return doc_error(ps, d, item, bad);
            if (st != EKSAUTH_OK)
                return st;
        }
    }
    return EKSAUTH_OK;
}

static enum eksauth_status walk_yaml(struct parser *ps, struct ydoc *d)
{
    yaml_node_t *root, *data = NULL, *kind = NULL, *val[N_SOURCES] = {NULL, NULL, NULL};
    yaml_node_t *map, *key;
    yaml_node_pair_t *pair;
    bool configmap;
    size_t s;
    enum eksauth_status st;

    root = yaml_document_get_root_node(&d->doc);
    if (root == NULL || is_null(root))
        return add_warning(ps, "aws-auth: the document is empty: nothing is mapped");
    if (root->type != YAML_MAPPING_NODE)
        return doc_error(ps, d, root, "the document is not a mapping");
    first_walk(d, root); /* so that "data: *root" is caught as an alias */
    for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
        key = ynode(d, pair->key);
        if (scalar_is(key, "data")) {
            if (data != NULL)
                return doc_error(ps, d, key, "the key is given twice");
            data = ynode(d, pair->value);
        } else if (scalar_is(key, "kind")) {
            if (kind != NULL)
                return doc_error(ps, d, key, "the key is given twice");
            kind = ynode(d, pair->value);
        }
    }
    /* A ConfigMap has "data"; anything else is read as a bare file. */
    configmap = data != NULL;
    if (kind != NULL && !scalar_is(kind, "ConfigMap"))
        return doc_error(ps, d, kind, "kind is not ConfigMap");
    map = root;
    if (configmap) {
        if (is_null(data))
            return add_warning(ps, "aws-auth: the ConfigMap has no data: nothing is mapped");
        if (data->type != YAML_MAPPING_NODE)
            return doc_error(ps, d, data, "data is not a mapping");
        if (!first_walk(d, data))
            return doc_error(ps, d, data,
                             "data: a YAML alias repeats a mapping (aliases are not supported)");
        map = data;
    }
    st = find_sources(ps, d, map, val);
    if (st == EKSAUTH_OK && !configmap)
        st = read_list_key(ps, d, root, EKSAUTH_AWSAUTH_DROPPED_KEY,
                           EKSAUTH_AWSAUTH_DROPPED_KEY " is not a list of strings", add_dropped);
    if (st == EKSAUTH_OK && !configmap)
        st = read_list_key(ps, d, root, EKSAUTH_AWSAUTH_HELD_KEY,
                           EKSAUTH_AWSAUTH_HELD_KEY " is not a list of \"SOURCE LINE:COL KEY\"",
                           add_held);
    if (st == EKSAUTH_OK && val[0] == NULL && val[1] == NULL && val[2] == NULL)
        st = add_warning(ps, "aws-auth: no mapRoles, mapUsers or mapAccounts: nothing is mapped");
    for (s = 0; s < N_SOURCES && st == EKSAUTH_OK; s++)
        st = walk_value(ps, d, (enum eksauth_map_source)s, val[s], configmap);
    return st;
}

/* kubectl -o json: {"kind": "ConfigMap", "data": {"mapRoles": "<YAML>", ...}, ...} */
static enum eksauth_status walk_json(struct parser *ps, json_object *root)
{
    json_object *kind, *data, *v;
    char msg[EKSAUTH_ERROR_MAX];
    size_t s;
    bool any = false;
    enum eksauth_status st = EKSAUTH_OK;

    /* json-c keeps no positions: document errors name the document, 1:1. */
    if (json_object_object_get_ex(root, "kind", &kind) &&
        (!json_object_is_type(kind, json_type_string) ||
         strcmp(json_object_get_string(kind), "ConfigMap") != 0))
        return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: 1:1: kind is not ConfigMap");
    json_object_object_get_ex(root, "data", &data);
    if (data == NULL)
        return add_warning(ps, "aws-auth: the ConfigMap has no data: nothing is mapped");
    if (!json_object_is_type(data, json_type_object))
        return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: 1:1: data is not an object");
    json_object_object_foreach(data, key, val)
    {
        for (s = 0; s < N_SOURCES && st == EKSAUTH_OK; s++) {
            if (strcmp(key, source_names[s]) != 0 &&
                eksauth_ascii_eq_nocase(key, strlen(key), source_names[s])) {
                say(msg, sizeof(msg),
                    "aws-auth: data: '%.40s' ignored: the key is case-sensitive (%s)", key,
                    source_names[s]);
                st = add_warning(ps, msg);
            }
        }
        (void)val;
    }
    for (s = 0; s < N_SOURCES && st == EKSAUTH_OK; s++) {
        if (!json_object_object_get_ex(data, source_names[s], &v) || v == NULL)
            continue;
        any = true;
        if (!json_object_is_type(v, json_type_string))
            return eksauth_fail(ps->err, EKSAUTH_EINVAL,
                                "aws-auth: 1:1: data.%s is not a string (ConfigMap data)",
                                source_names[s]);
        st = walk_string(ps, (enum eksauth_map_source)s, json_object_get_string(v),
                         (size_t)json_object_get_string_len(v), 0, 0, true);
    }
    if (st == EKSAUTH_OK && !any)
        st = add_warning(ps, "aws-auth: no mapRoles, mapUsers or mapAccounts: nothing is mapped");
    return st;
}

/*
 * The JSON object of a kubectl -o json ConfigMap, or NULL: the input must
 * start with '{', be one complete JSON object and hold "data".  Anything
 * else (a bare JSON file included, JSON being YAML) goes to libyaml, which
 * also keeps positions.
 */
static json_object *json_configmap(const char *data, size_t len)
{
    json_tokener *tok;
    json_object *obj = NULL;
    size_t i = 0, end;

    while (i < len && is_space(data[i]))
        i++;
    if (i >= len || data[i] != '{')
        return NULL;
    tok = json_tokener_new();
    if (tok == NULL)
        return NULL;
    /* len <= EKSAUTH_AWSAUTH_MAX, so it fits an int. */
    obj = json_tokener_parse_ex(tok, data, (int)len);
    end = json_tokener_get_parse_end(tok);
    while (end < len && is_space(data[end]))
        end++;
    if (obj == NULL || end != len || !json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, "data", NULL)) {
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    return obj;
}

/* ------------------------------------------------------------------------ */
/* The interface. */

enum eksauth_status eksauth_awsauth_read(const char *data, size_t len,
                                         struct eksauth_awsauth_doc *doc, struct eksauth_error *err)
{
    struct parser ps = {.doc = doc, .err = err};
    struct ydoc d = {.text = data, .len = len, .what = ""};
    json_object *json = NULL;
    enum eksauth_status st;

    memset(doc, 0, sizeof(*doc));
    if (data == NULL && len != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: no input");
    if (len > EKSAUTH_AWSAUTH_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: larger than %zu bytes",
                            EKSAUTH_AWSAUTH_MAX);
    if (data == NULL)
        d.text = "";
    json = json_configmap(d.text, len);
    if (json != NULL) {
        st = walk_json(&ps, json);
    } else {
        st = ydoc_load(&ps, &d);
        if (st == EKSAUTH_OK)
            st = walk_yaml(&ps, &d);
    }
    ydoc_free(&d);
    json_object_put(json);
    if (st != EKSAUTH_OK)
        eksauth_awsauth_doc_free(doc);
    return st;
}

void eksauth_awsauth_doc_free(struct eksauth_awsauth_doc *doc)
{
    if (doc == NULL)
        return;
    free(doc->entries);
    free(doc->overrides);
    eksauth_strlist_free(&doc->warnings);
    eksauth_strlist_free(&doc->dropped);
    eksauth_arena_free(&doc->arena);
    memset(doc, 0, sizeof(*doc));
}
