/*
 * awsauth.c - the aws-auth mapping: parse the ConfigMap as kubectl prints
 * it (-o yaml or -o json) or a bare file with top-level mapRoles, mapUsers
 * and mapAccounts; index it; map a principal to its Kubernetes username
 * and groups (token-rules.md §5 and eksauth's decisions 5-8).
 *
 * libyaml reads all YAML, json-c the JSON ConfigMap; a ConfigMap's data
 * values are YAML strings, parsed again with libyaml.  In a bare file a
 * value may be a YAML list or such a string.
 *
 * Positions: LINE:COL are 1-based.  For the input document and for a
 * literal block scalar in it ("mapRoles: |", what kubectl -o yaml prints)
 * they are exact lines and columns of the input.  For a value that is a
 * JSON string (kubectl -o json) or a YAML scalar of another style, the
 * string is decoded first, so LINE:COL count within the decoded value of
 * that key (line 1 is its first line).
 *
 * Memory: the strings and group lists of a parsed aws-auth live in one
 * arena; the entries in one array; three open-addressing hash tables
 * (mapRoles, mapUsers, mapAccounts) index them.  Parsing is linear in the
 * input: each YAML collection is walked at most once, so aliases cannot
 * multiply the work.
 */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>
#include <yaml.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/template.h"

#define AWSAUTH_INPUT_MAX EKSAUTH_AWSAUTH_MAX /* awsauth.h */
/* The longest rendered username or group. */
#define AWSAUTH_NAME_MAX 1024
#define ARENA_CHUNK      ((size_t)64 * 1024)
#define ARENA_ALIGN      sizeof(void *)

static const char *const source_names[] = {
    [EKSAUTH_SRC_MAPROLES] = "mapRoles",
    [EKSAUTH_SRC_MAPUSERS] = "mapUsers",
    [EKSAUTH_SRC_MAPACCOUNTS] = "mapAccounts",
};
#define N_SOURCES 3

/* ------------------------------------------------------------------------ */
/* Arena: bump allocation in chunks, freed all at once. */

struct arena_chunk {
    struct arena_chunk *next;
    size_t size, used;
    /* size bytes follow, aligned for a pointer (the header is 3 words) */
};

struct arena {
    struct arena_chunk *head;
};

_Static_assert(sizeof(struct arena_chunk) % ARENA_ALIGN == 0, "chunk data must stay aligned");

static void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_chunk *c = a->head;
    size_t need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1), size;
    void *p;

    if (need < n || need > SIZE_MAX - sizeof(*c))
        return NULL; /* n so large that the sizes would wrap */
    if (c == NULL || c->size - c->used < need) {
        size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = (char *)(c + 1) + c->used;
    c->used += need;
    return p;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static void arena_free(struct arena *a)
{
    struct arena_chunk *c, *next;

    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}

/* ------------------------------------------------------------------------ */
/* The parsed aws-auth and its hash tables. */

struct item {
    struct eksauth_awsauth_entry pub; /* what entry_at and lookup hand out */
    uint64_t hash;                    /* of pub.key */
    bool dead;                        /* overridden by a later duplicate */
};

/* Open addressing, linear probing; index is the item's index + 1, 0 = empty. */
struct slot {
    uint64_t hash;
    size_t index;
};

struct table {
    struct slot *slots;
    size_t mask;
};

struct eksauth_awsauth {
    struct arena arena;
    struct item *items;
    size_t n_items, cap_items;
    const char **warnings;
    size_t n_warnings, cap_warnings;
    struct table tables[N_SOURCES];
};

/*
 * 64-bit FNV-1a.  It is not collision-resistant, but the keys come from
 * aws-auth, which only cluster administrators write, and the table is
 * sized for them once: there is no flooding to fear.
 */
static uint64_t key_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ull;
    }
    return h ^ (h >> 32); /* the low bits pick the slot: fold the high ones in */
}

static bool table_init(struct table *t, size_t n)
{
    size_t size = 8;

    while (size < 2 * n)
        size *= 2;
    t->slots = calloc(size, sizeof(*t->slots));
    t->mask = size - 1;
    return t->slots != NULL;
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *table_slot(const struct table *t, const struct item *items, const char *key,
                               uint64_t hash)
{
    size_t i = (size_t)hash & t->mask;
    struct slot *s;

    for (;; i = (i + 1) & t->mask) {
        s = &t->slots[i];
        if (s->index == 0 || (s->hash == hash && strcmp(items[s->index - 1].pub.key, key) == 0))
            return s;
    }
}

/* ------------------------------------------------------------------------ */
/* Parsing state. */

struct parser {
    struct eksauth_awsauth *aa;
    struct eksauth_error *err;
};

/* One YAML document, the text it came from and where that text sits in the input. */
struct ydoc {
    yaml_document_t doc;
    bool loaded;
    const char *text;
    size_t len;
    size_t line0, col0;  /* added to libyaml's 0-based marks: see "Positions" */
    const char *what;    /* "" for the input, "mapRoles: " for a value parsed again */
    unsigned char *seen; /* per node: a collection already walked (an alias) */
};

static void ydoc_free(struct ydoc *d)
{
    if (d->loaded)
        yaml_document_delete(&d->doc);
    d->loaded = false;
    free(d->seen);
    d->seen = NULL;
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
 * alias repeats it; refusing that keeps the work linear in the input (no
 * "billion laughs").  kubectl never prints aliases.
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

static enum eksauth_status oom(struct parser *ps)
{
    return eksauth_fail(ps->err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
}

static enum eksauth_status add_warning(struct parser *ps, const char *msg)
{
    struct eksauth_awsauth *aa = ps->aa;
    const char **w;
    size_t cap;

    if (aa->n_warnings == aa->cap_warnings) {
        cap = aa->cap_warnings ? 2 * aa->cap_warnings : 16;
        w = realloc(aa->warnings, cap * sizeof(*w));
        if (w == NULL)
            return oom(ps);
        aa->warnings = w;
        aa->cap_warnings = cap;
    }
    aa->warnings[aa->n_warnings] = arena_strndup(&aa->arena, msg, strlen(msg));
    if (aa->warnings[aa->n_warnings] == NULL)
        return oom(ps);
    aa->n_warnings++;
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

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/*
 * ASCII case-insensitive equality, never the locale's: upstream folds
 * Unicode (so "ſ" matches "s"); eksauth accepts ASCII case only
 * (token-rules.md §10, strictness 7).
 */
static bool ascii_case_eq(const char *a, size_t alen, const char *b)
{
    size_t i;

    if (alen != strlen(b))
        return false;
    for (i = 0; i < alen; i++) {
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return true;
}

static bool scalar_is(const yaml_node_t *n, const char *word)
{
    return n != NULL && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(word) &&
           memcmp(n->data.scalar.value, word, n->data.scalar.length) == 0;
}

/* A plain scalar that YAML reads as null: "", "~", "null", "Null", "NULL". */
static bool is_null(const yaml_node_t *n)
{
    const char *v;

    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    v = (const char *)n->data.scalar.value;
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
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
 * The text of a string field of an entry, or NULL with *why set.  Control
 * bytes are refused: these strings become login and group names and go to
 * logs, where a newline or a NUL would forge or cut a line.
 */
static const char *field_string(const yaml_node_t *n, const char *field, char *why, size_t whylen)
{
    const char *v;
    size_t i;

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
    for (i = 0; i < n->data.scalar.length; i++) {
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            say(why, whylen, "%s contains a control character", field);
            return NULL;
        }
    }
    return v;
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

    if (yp->error == YAML_MEMORY_ERROR)
        return oom(ps);
    if (yp->error == YAML_READER_ERROR)
        offset_pos(d->text, d->len, yp->problem_offset, &m.line, &m.column);
    mark_pos(d, m, &line, &col);
    return eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %s%s%s%s%s", line, col, d->what,
                        yp->problem != NULL ? yp->problem : "YAML error",
                        yp->context != NULL ? " (" : "", yp->context != NULL ? yp->context : "",
                        yp->context != NULL ? ")" : "");
}

/* Load the one YAML document of d->text; a second document is an error. */
static enum eksauth_status ydoc_load(struct parser *ps, struct ydoc *d)
{
    yaml_parser_t yp;
    yaml_document_t extra;
    yaml_node_t *root;
    enum eksauth_status st = EKSAUTH_OK;

    if (!yaml_parser_initialize(&yp))
        return oom(ps);
    yaml_parser_set_input_string(&yp, (const unsigned char *)d->text, d->len);
    if (!yaml_parser_load(&yp, &d->doc)) {
        st = yaml_error(ps, d, &yp);
        goto out;
    }
    d->loaded = true;
    d->seen = calloc((size_t)(d->doc.nodes.top - d->doc.nodes.start) + 1, 1);
    if (d->seen == NULL) {
        st = oom(ps);
        goto out;
    }
    if (yaml_document_get_root_node(&d->doc) == NULL)
        goto out; /* an empty stream */
    /* Two documents would leave which one counts to chance: refuse. */
    if (!yaml_parser_load(&yp, &extra)) {
        st = yaml_error(ps, d, &yp);
        goto out;
    }
    root = yaml_document_get_root_node(&extra);
    if (root != NULL) {
        unsigned line, col;

        mark_pos(d, root->start_mark, &line, &col);
        st = eksauth_fail(ps->err, EKSAUTH_EINVAL, "aws-auth: %u:%u: %smore than one YAML document",
                          line, col, d->what);
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
    size_t i = n->start_mark.index, indent;

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

static struct item *new_item(struct parser *ps)
{
    struct eksauth_awsauth *aa = ps->aa;
    struct item *items;
    size_t cap;

    if (aa->n_items == aa->cap_items) {
        cap = aa->cap_items ? 2 * aa->cap_items : 64;
        items = realloc(aa->items, cap * sizeof(*items));
        if (items == NULL)
            return NULL;
        aa->items = items;
        aa->cap_items = cap;
    }
    memset(&aa->items[aa->n_items], 0, sizeof(aa->items[0]));
    return &aa->items[aa->n_items];
}

/* The nodes of one mapRoles/mapUsers entry, found by ASCII case-insensitive key. */
struct entry_nodes {
    yaml_node_t *arn, *username, *groups;
    bool sso;
};

static bool find_entry_fields(struct ydoc *d, enum eksauth_map_source src, yaml_node_t *map,
                              struct entry_nodes *f, char *why, size_t whylen)
{
    const char *arn_field = src == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn";
    yaml_node_pair_t *pair;
    yaml_node_t *key, **slot;
    const char *k;
    size_t klen;

    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        key = ynode(d, pair->key);
        if (key == NULL || key->type != YAML_SCALAR_NODE)
            continue;
        k = (const char *)key->data.scalar.value;
        klen = key->data.scalar.length;
        if (ascii_case_eq(k, klen, arn_field))
            slot = &f->arn;
        else if (ascii_case_eq(k, klen, "username"))
            slot = &f->username;
        else if (ascii_case_eq(k, klen, "groups"))
            slot = &f->groups;
        else {
            f->sso = f->sso || ascii_case_eq(k, klen, "sso");
            continue; /* unknown keys are ignored, as upstream (userid, ...) */
        }
        /* "rolearn" and "RoleARN" in one entry: which one counts would be a guess. */
        if (*slot != NULL) {
            say(why, whylen, "'%.*s' is given twice (keys ignore case)", klen > 40 ? 40 : (int)klen,
                k);
            return false;
        }
        *slot = ynode(d, pair->value);
    }
    if (f->arn == NULL) {
        say(why, whylen, "%s is missing%s", arn_field,
            f->sso ? " (sso entries are not supported)" : "");
        return false;
    }
    return true;
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
    if (!first_walk(d, seq)) {
        say(why, whylen, "groups: a YAML alias repeats a list (aliases are not supported)");
        return EKSAUTH_EINVAL;
    }
    n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    groups = arena_alloc(&ps->aa->arena, (n ? n : 1) * sizeof(*groups));
    if (groups == NULL)
        return oom(ps);
    n = 0;
    for (gi = seq->data.sequence.items.start; gi < seq->data.sequence.items.top; gi++) {
        g = ynode(d, *gi);
        if (g == NULL || g->type != YAML_SCALAR_NODE || is_null(g)) {
            say(why, whylen, "groups is not a list of strings");
            return EKSAUTH_EINVAL;
        }
        v = field_string(g, "a group", why, whylen);
        if (v == NULL)
            return EKSAUTH_EINVAL;
        if (eksauth_template_validate(v, EKSAUTH_TEMPLATE_GROUP, &e) != EKSAUTH_OK) {
            say(why, whylen, "group: %s", e.msg);
            return EKSAUTH_EINVAL;
        }
        groups[n] = arena_strndup(&ps->aa->arena, v, g->data.scalar.length);
        if (groups[n] == NULL)
            return oom(ps);
        n++;
    }
    *groups_out = groups;
    *n_out = n;
    return EKSAUTH_OK;
}

/* One mapRoles or mapUsers entry: a valid one becomes an item, a bad one a warning. */
static enum eksauth_status add_entry(struct parser *ps, struct ydoc *d, enum eksauth_map_source src,
                                     yaml_node_t *node)
{
    struct arena *ar = &ps->aa->arena;
    struct entry_nodes f = {NULL, NULL, NULL, false};
    struct eksauth_arn arn;
    struct eksauth_error e;
    char why[EKSAUTH_ERROR_MAX];
    const char *arn_text, *username, **groups;
    size_t n_groups;
    struct item *it;
    unsigned line, col;
    enum eksauth_status st;

    mark_pos(d, node->start_mark, &line, &col);
    if (node->type != YAML_MAPPING_NODE)
        return skip_entry(ps, src, line, col, "the entry is not a mapping");
    if (!first_walk(d, node))
        return skip_entry(ps, src, line, col,
                          "a YAML alias repeats an entry (aliases are not supported)");
    if (!find_entry_fields(d, src, node, &f, why, sizeof(why)))
        return skip_entry(ps, src, line, col, why);

    arn_text =
        field_string(f.arn, src == EKSAUTH_SRC_MAPROLES ? "rolearn" : "userarn", why, sizeof(why));
    if (arn_text == NULL)
        return skip_entry(ps, src, line, col, why);
    /* Config ARNs are canonicalised too (decision 6): assumed-role and role paths match. */
    if (eksauth_arn_parse(arn_text, &arn, &e) != EKSAUTH_OK)
        return skip_entry(ps, src, line, col, e.msg);

    /* An entry without a username would map to "": refuse it (strictness 7). */
    username = field_string(f.username, "username", why, sizeof(why));
    if (username == NULL)
        return skip_entry(ps, src, line, col, why);
    if (eksauth_template_validate(username, EKSAUTH_TEMPLATE_USERNAME, &e) != EKSAUTH_OK) {
        say(why, sizeof(why), "username: %s", e.msg);
        return skip_entry(ps, src, line, col, why);
    }

    st = copy_groups(ps, d, f.groups, &groups, &n_groups, why, sizeof(why));
    if (st == EKSAUTH_EINVAL)
        return skip_entry(ps, src, line, col, why);
    if (st != EKSAUTH_OK)
        return st;

    it = new_item(ps);
    if (it == NULL)
        return oom(ps);
    it->pub.source = src;
    it->pub.line = line;
    it->pub.column = col;
    it->pub.arn = arena_strndup(ar, arn_text, strlen(arn_text));
    it->pub.key = arena_strndup(ar, arn.key, strlen(arn.key));
    it->pub.username = arena_strndup(ar, username, strlen(username));
    it->pub.groups = groups;
    it->pub.n_groups = n_groups;
    if (it->pub.arn == NULL || it->pub.key == NULL || it->pub.username == NULL)
        return oom(ps);
    it->hash = key_hash(it->pub.key);
    ps->aa->n_items++;
    return EKSAUTH_OK;
}

/* One mapAccounts entry: an account id of 12 digits, kept as written. */
static enum eksauth_status add_account(struct parser *ps, struct ydoc *d, yaml_node_t *node)
{
    char why[EKSAUTH_ERROR_MAX];
    const char *v;
    struct item *it;
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
    it = new_item(ps);
    if (it == NULL)
        return oom(ps);
    it->pub.source = EKSAUTH_SRC_MAPACCOUNTS;
    it->pub.line = line;
    it->pub.column = col;
    it->pub.arn = arena_strndup(&ps->aa->arena, v, 12);
    if (it->pub.arn == NULL)
        return oom(ps);
    it->pub.key = it->pub.arn;
    it->hash = key_hash(it->pub.key);
    ps->aa->n_items++;
    return EKSAUTH_OK;
}

/* A list of entries: each item is kept or skipped with a warning. */
static enum eksauth_status walk_entries(struct parser *ps, struct ydoc *d,
                                        enum eksauth_map_source src, yaml_node_t *seq)
{
    yaml_node_item_t *i;
    yaml_node_t *n;
    enum eksauth_status st = EKSAUTH_OK;

    if (!first_walk(d, seq))
        return doc_error(ps, d, seq, "a YAML alias repeats a list (aliases are not supported)");
    for (i = seq->data.sequence.items.start; i < seq->data.sequence.items.top && st == EKSAUTH_OK;
         i++) {
        n = ynode(d, *i);
        if (n == NULL)
            continue;
        st = src == EKSAUTH_SRC_MAPACCOUNTS ? add_account(ps, d, n) : add_entry(ps, d, src, n);
    }
    return st;
}

/*
 * A data value that is a string of YAML: parse it again and walk its list.
 * line0/col0 place it in the input (see literal_origin).
 */
static enum eksauth_status walk_string(struct parser *ps, enum eksauth_map_source src,
                                       const char *text, size_t len, size_t line0, size_t col0)
{
    char what[32];
    struct ydoc d = {.text = text, .len = len, .line0 = line0, .col0 = col0, .what = what};
    yaml_node_t *root;
    enum eksauth_status st;

    if (is_skippable(text, len))
        return EKSAUTH_OK;
    say(what, sizeof(what), "%s: ", source_names[src]);
    st = ydoc_load(ps, &d);
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
            } else if (ascii_case_eq((const char *)key->data.scalar.value, key->data.scalar.length,
                                     source_names[s])) {
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
                           line0, col0);
    }
    if (!configmap && n->type == YAML_SEQUENCE_NODE)
        return walk_entries(ps, d, src, n);
    say(why, sizeof(why), "%s is not a %s", source_names[src],
        configmap ? "string (ConfigMap data)" : "list or a string");
    return doc_error(ps, d, n, why);
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
                ascii_case_eq(key, strlen(key), source_names[s])) {
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
                         (size_t)json_object_get_string_len(v), 0, 0);
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
    /* len <= AWSAUTH_INPUT_MAX, so it fits an int. */
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
/* Duplicates and the index. */

/*
 * Insert every item into its source's table.  Same key twice in one
 * source: the later entry wins (decision 6) and a warning names both.
 */
static enum eksauth_status find_duplicates(struct parser *ps)
{
    struct eksauth_awsauth *aa = ps->aa;
    struct item *it, *old;
    struct slot *sl;
    char msg[EKSAUTH_ERROR_MAX];
    size_t i;
    enum eksauth_status st = EKSAUTH_OK;

    for (i = 0; i < aa->n_items && st == EKSAUTH_OK; i++) {
        it = &aa->items[i];
        sl = table_slot(&aa->tables[it->pub.source], aa->items, it->pub.key, it->hash);
        if (sl->index != 0) {
            old = &aa->items[sl->index - 1];
            old->dead = true;
            say(msg, sizeof(msg),
                "aws-auth: %s: %u:%u: same %s as the entry at %u:%u (%s); the later entry "
                "wins",
                source_names[it->pub.source], it->pub.line, it->pub.column,
                it->pub.source == EKSAUTH_SRC_MAPACCOUNTS ? "account" : "ARN", old->pub.line,
                old->pub.column, it->pub.key);
            st = add_warning(ps, msg);
        }
        sl->hash = it->hash;
        sl->index = i + 1;
    }
    return st;
}

/* Drop the overridden entries and index the rest. */
static enum eksauth_status build_index(struct parser *ps)
{
    struct eksauth_awsauth *aa = ps->aa;
    size_t count[N_SOURCES] = {0, 0, 0}, i, n;
    struct slot *sl;
    enum eksauth_status st;

    for (i = 0; i < aa->n_items; i++)
        count[aa->items[i].pub.source]++;
    for (i = 0; i < N_SOURCES; i++) {
        if (!table_init(&aa->tables[i], count[i]))
            return oom(ps);
    }
    st = find_duplicates(ps);
    if (st != EKSAUTH_OK)
        return st;
    for (i = n = 0; i < aa->n_items; i++) {
        if (!aa->items[i].dead)
            aa->items[n++] = aa->items[i];
    }
    aa->n_items = n;
    /* Indices moved: fill the tables again, now without duplicates. */
    for (i = 0; i < N_SOURCES; i++)
        memset(aa->tables[i].slots, 0, (aa->tables[i].mask + 1) * sizeof(struct slot));
    for (i = 0; i < aa->n_items; i++) {
        sl = table_slot(&aa->tables[aa->items[i].pub.source], aa->items, aa->items[i].pub.key,
                        aa->items[i].hash);
        sl->hash = aa->items[i].hash;
        sl->index = i + 1;
    }
    return EKSAUTH_OK;
}

/* ------------------------------------------------------------------------ */
/* The interface. */

enum eksauth_status eksauth_awsauth_parse(const char *data, size_t len,
                                          struct eksauth_awsauth **out, struct eksauth_error *err)
{
    struct eksauth_awsauth *aa = NULL;
    struct parser ps;
    struct ydoc d = {.text = data, .len = len, .what = ""};
    json_object *json = NULL;
    enum eksauth_status st;

    if (out == NULL || (data == NULL && len != 0))
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: no input");
    *out = NULL;
    if (len > AWSAUTH_INPUT_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: larger than %zu bytes",
                            AWSAUTH_INPUT_MAX);
    if (data == NULL)
        d.text = "";
    aa = calloc(1, sizeof(*aa));
    if (aa == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
    ps.aa = aa;
    ps.err = err;

    json = json_configmap(d.text, len);
    if (json != NULL) {
        st = walk_json(&ps, json);
    } else {
        st = ydoc_load(&ps, &d);
        if (st == EKSAUTH_OK)
            st = walk_yaml(&ps, &d);
    }
    if (st == EKSAUTH_OK)
        st = build_index(&ps);
    if (st == EKSAUTH_OK) {
        *out = aa;
        aa = NULL;
    }
    ydoc_free(&d);
    json_object_put(json);
    eksauth_awsauth_free(aa);
    return st;
}

void eksauth_awsauth_free(struct eksauth_awsauth *aa)
{
    size_t i;

    if (aa == NULL)
        return;
    for (i = 0; i < N_SOURCES; i++)
        free(aa->tables[i].slots);
    free(aa->items);
    free(aa->warnings);
    arena_free(&aa->arena);
    free(aa);
}

size_t eksauth_awsauth_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->n_items : 0;
}

const struct eksauth_awsauth_entry *eksauth_awsauth_entry_at(const struct eksauth_awsauth *aa,
                                                             size_t i)
{
    return aa != NULL && i < aa->n_items ? &aa->items[i].pub : NULL;
}

size_t eksauth_awsauth_warning_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->n_warnings : 0;
}

const char *eksauth_awsauth_warning_at(const struct eksauth_awsauth *aa, size_t i)
{
    return aa != NULL && i < aa->n_warnings ? aa->warnings[i] : NULL;
}

static const struct eksauth_awsauth_entry *table_get(const struct eksauth_awsauth *aa,
                                                     enum eksauth_map_source src, const char *key)
{
    const struct slot *sl = table_slot(&aa->tables[src], aa->items, key, key_hash(key));

    return sl->index != 0 ? &aa->items[sl->index - 1].pub : NULL;
}

const struct eksauth_awsauth_entry *eksauth_awsauth_lookup(const struct eksauth_awsauth *aa,
                                                           const char *arn_key, const char *account)
{
    const struct eksauth_awsauth_entry *e = NULL;

    if (aa == NULL)
        return NULL;
    /* Upstream's order: mapRoles, then mapUsers, then mapAccounts. */
    if (arn_key != NULL && arn_key[0] != '\0') {
        e = table_get(aa, EKSAUTH_SRC_MAPROLES, arn_key);
        if (e == NULL)
            e = table_get(aa, EKSAUTH_SRC_MAPUSERS, arn_key);
    }
    if (e == NULL && account != NULL && account[0] != '\0')
        e = table_get(aa, EKSAUTH_SRC_MAPACCOUNTS, account);
    return e;
}

/*
 * The principal's ARN parsed, and the principal that templates see.  The
 * caller's fields must agree with the ARN: inputs that disagree are
 * refused, never reconciled, so a mismatch cannot pick whose account or
 * session name a template renders.
 */
static enum eksauth_status resolve_principal(const struct eksauth_principal *p,
                                             struct eksauth_arn *arn, struct eksauth_principal *eff,
                                             struct eksauth_error *err)
{
    const char *src = p->arn != NULL && p->arn[0] != '\0' ? p->arn : p->canonical_arn;
    enum eksauth_status st;

    st = eksauth_arn_parse(src, arn, err);
    if (st != EKSAUTH_OK)
        return st;
    if (p->canonical_arn != NULL && p->canonical_arn[0] != '\0' &&
        strcmp(p->canonical_arn, arn->canonical) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "aws-auth: the canonical ARN %s does not match the ARN %s",
                            p->canonical_arn, src);
    if (p->account != NULL && p->account[0] != '\0' && strcmp(p->account, arn->account) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "aws-auth: account %s does not match the ARN's account %s", p->account,
                            arn->account);
    *eff = *p;
    eff->arn = src;
    eff->canonical_arn = arn->canonical;
    eff->account = arn->account;
    if (p->session_name == NULL || p->session_name[0] == '\0')
        eff->session_name = arn->session_name;
    else if (arn->session_name[0] != '\0' && strcmp(p->session_name, arn->session_name) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "aws-auth: session name %s does not match the ARN's session %s",
                            p->session_name, arn->session_name);
    return EKSAUTH_OK;
}

bool eksauth_awsauth_needs_host_instance(const struct eksauth_awsauth *aa,
                                         const struct eksauth_principal *p)
{
    struct eksauth_arn arn;
    struct eksauth_principal eff;
    const struct eksauth_awsauth_entry *e;
    bool needs = false;
    size_t i;

    if (aa == NULL || p == NULL || resolve_principal(p, &arn, &eff, NULL) != EKSAUTH_OK)
        goto out;
    e = eksauth_awsauth_lookup(aa, arn.key, arn.account);
    if (e == NULL || e->source == EKSAUTH_SRC_MAPACCOUNTS)
        goto out;
    needs = eksauth_template_needs_host_instance(e->username);
    for (i = 0; i < e->n_groups && !needs; i++)
        needs = eksauth_template_needs_host_instance(e->groups[i]);
out:
    return needs;
}

enum eksauth_status eksauth_awsauth_map(const struct eksauth_awsauth *aa,
                                        const struct eksauth_principal *p,
                                        struct eksauth_k8s_identity *out, struct eksauth_error *err)
{
    struct eksauth_arn arn;
    struct eksauth_principal eff;
    const struct eksauth_awsauth_entry *e;
    char buf[AWSAUTH_NAME_MAX];
    size_t i;
    enum eksauth_status st;

    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: no output");
    memset(out, 0, sizeof(*out));
    if (aa == NULL || p == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: no mapping or no principal");
    st = resolve_principal(p, &arn, &eff, err);
    if (st != EKSAUTH_OK)
        goto out;
    e = eksauth_awsauth_lookup(aa, arn.key, arn.account);
    if (e == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOTMAPPED, "identity is not mapped: %s", arn.canonical);
        goto out;
    }
    out->source = e->source;
    out->entry = e;
    if (e->source == EKSAUTH_SRC_MAPACCOUNTS) {
        /* As upstream: the canonical ARN as STS spelled it, no groups, no templates. */
        out->username = strdup(arn.canonical);
        if (out->username == NULL)
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
        goto out;
    }
    st = eksauth_template_render(e->username, &eff, EKSAUTH_TEMPLATE_USERNAME, buf, sizeof(buf),
                                 err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "aws-auth: %s: %u:%u: username",
                             eksauth_map_source_name(e->source), e->line, e->column);
        goto out;
    }
    out->username = strdup(buf);
    out->groups = calloc(e->n_groups ? e->n_groups : 1, sizeof(*out->groups));
    if (out->username == NULL || out->groups == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
        goto out;
    }
    for (i = 0; i < e->n_groups; i++) {
        st = eksauth_template_render(e->groups[i], &eff, EKSAUTH_TEMPLATE_GROUP, buf, sizeof(buf),
                                     err);
        if (st != EKSAUTH_OK) {
            eksauth_error_prefix(err, "aws-auth: %s: %u:%u: group %zu",
                                 eksauth_map_source_name(e->source), e->line, e->column, i + 1);
            goto out;
        }
        out->groups[i] = strdup(buf);
        if (out->groups[i] == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
            goto out;
        }
        out->n_groups++;
    }
out:
    if (st != EKSAUTH_OK)
        eksauth_k8s_identity_free(out);
    return st;
}

void eksauth_k8s_identity_free(struct eksauth_k8s_identity *id)
{
    size_t i;

    if (id == NULL)
        return;
    free(id->username);
    for (i = 0; i < id->n_groups; i++)
        free(id->groups[i]);
    free(id->groups);
    memset(id, 0, sizeof(*id));
}

const char *eksauth_map_source_name(enum eksauth_map_source src)
{
    return (size_t)src < N_SOURCES ? source_names[src] : "unknown";
}
