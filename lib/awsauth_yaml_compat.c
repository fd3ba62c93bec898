/*
 * awsauth_yaml_compat.c - the YAML the cluster reads otherwise (see
 * awsauth_yaml_compat.h; docs/aws-auth.md): what the cluster's YAML reader
 * (go-yaml v2, then the YAML-to-JSON step of its ConfigMap decoding) fails
 * on or reads otherwise than libyaml, found in a document libyaml loaded.
 * awsauth_read.c loads each document and value, asks here, and refuses
 * what is found: mapping such a value by the keys as libyaml reads them
 * would map what the cluster does not.
 *
 * Two passes over a document: eksauth_awsauth_yaml_unread (a %YAML other
 * than 1.1, tags, merge keys: what go-yaml applies and eksauth does not;
 * the strings only a tag in the text shows, made single-quoted),
 * and eksauth_awsauth_yaml_cluster_fails (what makes the cluster's reading
 * of a value fail, so that it drops the value whole).  Each is linear in
 * the document, whatever its aliases and nesting.  One pass before the
 * load, eksauth_awsauth_yaml_flow_too_deep: the flow nesting that libyaml
 * would take hours to load and go-yaml refuses at once.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "eksauth/awsauth_rules.h"
#include "eksauth/awsauth_yaml_compat.h"
#include "eksauth/yaml_shape.h"

static yaml_node_t *ynode(yaml_document_t *doc, yaml_node_item_t i)
{
    return yaml_document_get_node(doc, i);
}

/* ------------------------------------------------------------------------ */
/* What go-yaml reads its own way: tags, merge keys, another YAML version. */

/*
 * Whether go-yaml v2 resolves the core tag (its name after "!!") on n, so
 * that decoding n into a string gives the text written (resolve.go: a
 * bool, int, float or null tag on a scalar of another kind fails the
 * whole decoding there; any other tag, or one on a collection, does not).
 * A number's int or float is not told apart: saying the cluster reads a
 * value is the side that asks for a fix.
 */
static bool go_resolves(const char *tag, const yaml_node_t *n)
{
    const char *v = (const char *)n->data.scalar.value, *kind;

    if (n->type != YAML_SCALAR_NODE)
        return true;
    kind = eksauth_awsauth_plain_kind(v, n->data.scalar.length);
    if (strcmp(tag, "bool") == 0)
        return kind != NULL && strcmp(kind, "a boolean") == 0;
    if (strcmp(tag, "int") == 0 || strcmp(tag, "float") == 0)
        return kind != NULL && strcmp(kind, "a number") == 0;
    if (strcmp(tag, "null") == 0)
        return eksauth_awsauth_plain_null(v);
    return true;
}

/* ------------------------------------------------------------------------ */
/* What the cluster's reading of a value fails on. */

/*
 * go-yaml fails a document when more than 100 of its node decodes happen
 * inside aliases and they are most of them ("excessive aliasing"); eksauth
 * refuses a value past 100 such decodes whatever the share, the safe side,
 * and leaves smaller uses to the entry rules.
 */
#define ALIAS_DECODES_MAX 100

/* go-yaml's scanner refuses more flow collections open at once, or indentation levels. */
#define NESTING_MAX 10000

enum eksauth_status eksauth_awsauth_yaml_flow_too_deep(const char *text, size_t len,
                                                       struct eksauth_awsauth_yaml_refusal *r)
{
    enum eksauth_status st = eksauth_yaml_flow_deeper(text, len, NESTING_MAX, &r->mark);

    if (st == EKSAUTH_EINVAL) {
        r->node = NULL;
        snprintf(r->why, sizeof(r->why),
                 "flow collections nested deeper than %d: the cluster's YAML reader fails on it",
                 NESTING_MAX);
    }
    return st;
}

/* The value of c as a digit of bases up to 36, or 36 when it is none. */
static unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    c = (char)(c | 0x20);
    return c >= 'a' && c <= 'z' ? (unsigned)(c - 'a' + 10) : 36;
}

/*
 * Whether the plain scalar v[0..len) is one go-yaml reads as an unsigned
 * integer above int64's range (9223372036854775808, 0xFFFF_FFFF_FFFF_FFFF):
 * as a mapping key the cluster's YAML-to-JSON step has no key for it.
 * go-yaml drops every '_', then reads an integer as Go's ParseInt and
 * ParseUint do with base 0 ("0x", "0o", "0b", a leading "0" for octal); a
 * value that only ParseUint takes is above int64.  It tries numbers only
 * from a digit, and ParseUint takes no sign.
 */
static bool plain_uint64_only(const char *v, size_t len)
{
    unsigned base = 10, d;
    uint64_t x = 0;
    size_t i, seen = 0, digits = 0;
    char c;

    if (len == 0 || v[0] < '0' || v[0] > '9')
        return false;
    for (i = 0; i < len; i++) {
        if (v[i] == '_')
            continue;
        seen++;
        if (seen == 1 && v[i] == '0') {
            base = 8; /* "0" alone, octal, or a prefix next */
            digits++;
            continue;
        }
        c = (char)(v[i] | 0x20);
        if (seen == 2 && base == 8 && (c == 'x' || c == 'o' || c == 'b')) {
            base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
            digits = 0; /* the prefix's 0 is no digit */
            continue;
        }
        d = digit_value(v[i]);
        /* Beyond uint64 go-yaml reads a float, which has a JSON key. */
        if (d >= base || x > (UINT64_MAX - d) / base)
            return false;
        x = x * base + d;
        digits++;
    }
    return digits > 0 && x > (uint64_t)INT64_MAX;
}

/*
 * Why the cluster's YAML-to-JSON step fails on key k (sigs.k8s.io/yaml
 * turns go-yaml's keys into JSON keys and has none for these), or NULL.
 */
static const char *unjsonable_key(const yaml_node_t *k, char *why, size_t whylen)
{
    const char *v;

    if (k->type != YAML_SCALAR_NODE)
        return "a key that is a list or a mapping";
    if (k->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    v = (const char *)k->data.scalar.value;
    if (eksauth_awsauth_plain_null(v))
        return "a null key";
    if (plain_uint64_only(v, k->data.scalar.length)) {
        snprintf(why, whylen, "the key %.24s is an unsigned integer above int64", v);
        return why;
    }
    return NULL;
}

/* One collection being walked: the next of its children and its size, decoded. */
struct frame {
    yaml_node_t *n;
    size_t next;        /* the next child: an item, or a key (even) or value (odd) of a pair */
    uint64_t size;      /* the node decodes go-yaml makes for it, aliases expanded (saturating) */
    size_t flow, block; /* the flow and block collections open, this one included */
};

static bool is_flow(const yaml_node_t *n)
{
    return (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE) ||
           (n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_FLOW_MAPPING_STYLE);
}

/* The frame of collection n, opened inside parent (NULL for the root). */
static struct frame open_frame(yaml_node_t *n, const struct frame *parent)
{
    struct frame f = {n, 0, 1, 0, 0};

    f.flow = (parent != NULL ? parent->flow : 0) + is_flow(n);
    f.block = (parent != NULL ? parent->block : 0) + !is_flow(n);
    return f;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The next child of f's collection, or NULL; *is_key for a mapping's key. */
static yaml_node_t *next_child(yaml_document_t *doc, struct frame *f, bool *is_key)
{
    const yaml_node_t *n = f->n;
    size_t i = f->next++;

    *is_key = false;
    if (n->type == YAML_SEQUENCE_NODE) {
        if (i < (size_t)(n->data.sequence.items.top - n->data.sequence.items.start))
            return ynode(doc, n->data.sequence.items.start[i]);
    } else if (n->type == YAML_MAPPING_NODE) {
        if (i / 2 < (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)) {
            *is_key = i % 2 == 0;
            return ynode(doc, *is_key ? n->data.mapping.pairs.start[i / 2].key
                                      : n->data.mapping.pairs.start[i / 2].value);
        }
    }
    return NULL;
}

/*
 * Why go-yaml's scanner reads scalar c otherwise than libyaml and fails,
 * or NULL.  Inside a flow collection (in_flow) it ends a plain scalar at a
 * '?' (libyaml 0.2.5 reads on); the key indicator that then follows a
 * scalar is a syntax error there.
 */
static const char *scanned_otherwise(const yaml_node_t *c, bool in_flow, char *why, size_t whylen)
{
    if (c->type != YAML_SCALAR_NODE || c->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        !in_flow || memchr(c->data.scalar.value, '?', c->data.scalar.length) == NULL)
        return NULL;
    snprintf(why, whylen, "'?' in a plain scalar inside a flow collection ('%.20s'); quote it",
             (const char *)c->data.scalar.value);
    return why;
}

/* Whether s[0..len) holds a backslash followed by '/' (memmem is not everywhere). */
static bool has_backslash_slash(const char *s, size_t len)
{
    const char *p = s, *end = s + len;

    while (p < end && (p = memchr(p, '\\', (size_t)(end - p))) != NULL) {
        if (++p < end && *p == '/')
            return true;
    }
    return false;
}

/* The text a document was parsed from, and where in it the last byte_at answer was. */
struct text_cursor {
    const char *text;
    size_t len;
    size_t chars, bytes;
};

/* Where libyaml's character index idx is in the text: moves on from the last answer. */
static size_t byte_at(struct text_cursor *t, size_t idx)
{
    if (idx < t->chars)
        t->chars = t->bytes = 0;
    if (t->bytes == 0 && t->len >= 3 && memcmp(t->text, "\xef\xbb\xbf", 3) == 0)
        t->bytes = 3; /* libyaml counts no character for the BOM */
    while (t->chars < idx && t->bytes < t->len) {
        /* One character: a lead byte and its continuation bytes. */
        for (t->bytes++; t->bytes < t->len && ((unsigned char)t->text[t->bytes] & 0xc0) == 0x80;
             t->bytes++)
            ;
        t->chars++;
    }
    return t->bytes;
}

size_t eksauth_awsauth_yaml_byte_offset(const char *text, size_t len, size_t idx)
{
    struct text_cursor cur = {text, len, 0, 0};

    return byte_at(&cur, idx);
}

/* ------------------------------------------------------------------------ */
/* What go-yaml reads as a string whatever it looks like. */

/* A character of an anchor's name: libyaml's (and go-yaml's) ASCII letters, digits, '-', '_'. */
static bool anchor_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
           c == '_';
}

/* Whether the node whose properties start at text[b] has a tag among them ('!'). */
static bool written_with_tag(const char *text, size_t len, size_t b)
{
    while (b < len && text[b] == '&') {
        /* The anchor's name, then blanks, breaks and comments before what follows. */
        for (b++; b < len && anchor_char(text[b]); b++)
            ;
        while (b < len) {
            if (text[b] == '#')
                while (b < len && text[b] != '\n' && text[b] != '\r')
                    b++;
            else if (text[b] == ' ' || text[b] == '\t' || text[b] == '\n' || text[b] == '\r')
                b++;
            else
                break;
        }
    }
    /* A plain scalar cannot start with '!': here it is a tag. */
    return b < len && text[b] == '!';
}

static const char core_tag[] = "tag:yaml.org,2002:";

static bool is_core(const char *tag)
{
    return strncmp(tag, core_tag, sizeof(core_tag) - 1) == 0;
}

/*
 * Whether plain scalar n (tag: its explicit tag or NULL) is read as a
 * string whatever it looks like: go-yaml resolves no local tag ("!x +.inf"
 * is the text "+.inf" there, refused later), and "!" or "!!str", which
 * libyaml's loader leaves no trace of, show in the text alone.  Only a
 * look eksauth would misread is looked up in the text; none has '?', whose
 * scan fails go-yaml all the same.  cur moves on: nodes come in document
 * order.
 */
static bool tagged_string(struct text_cursor *cur, const yaml_node_t *n, const char *tag)
{
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;

    if (tag != NULL)
        return !is_core(tag) && memchr(v, '?', len) == NULL;
    if ((!eksauth_awsauth_plain_null(v) && eksauth_awsauth_plain_kind(v, len) == NULL) ||
        memchr(v, '?', len) != NULL)
        return false;
    return written_with_tag(cur->text, cur->len, byte_at(cur, n->start_mark.index));
}

/*
 * The merge key of mapping map, as go-yaml takes it: a plain "<<" that
 * tagged_string leaves plain (a local tag makes it the text "<<"), asked
 * before the keys' own turn in the pass below.
 */
static yaml_node_t *merge_key(yaml_document_t *doc, const yaml_node_t *map)
{
    yaml_node_pair_t *pair;
    yaml_node_t *key;
    const char *tag;

    for (pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top; pair++) {
        key = ynode(doc, pair->key);
        if (key == NULL || key->type != YAML_SCALAR_NODE ||
            key->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || key->data.scalar.length != 2 ||
            memcmp(key->data.scalar.value, "<<", 2) != 0)
            continue;
        tag = eksauth_yaml_explicit_tag(key);
        if (tag == NULL || is_core(tag))
            return key;
    }
    return NULL;
}

/* r's why for tag, one of a node's. */
static void say_tag(struct eksauth_awsauth_yaml_refusal *r, const char *tag)
{
    size_t len;

    if (is_core(tag))
        snprintf(r->why, sizeof(r->why), "the YAML tag !!%.40s", tag + sizeof(core_tag) - 1);
    else
        snprintf(r->why, sizeof(r->why), "the YAML tag %.40s", tag);
    len = strlen(r->why);
    snprintf(r->why + len, sizeof(r->why) - len, ": eksauth reads no YAML tags; remove it");
}

/*
 * Refuse what the cluster's YAML reader (go-yaml v2) reads its own way and
 * eksauth does not: a merge key, which it applies in place, so a "<<" after
 * an entry's own keys overrides them (its rolearn too); and an explicit tag,
 * which it decodes (!!binary), types (!!int, !!bool, !!null: no string) or
 * fails the whole value on; and a version other than 1.1, which it fails.
 * Mapping such a document by its keys as written would map what the
 * cluster does not.  The same pass makes the tagged strings single-quoted
 * (tagged_string), every one of them, a refusal found or not: one walk of
 * the nodes, where two were a tenth of a 10,000-entry sync's own work.
 */
enum eksauth_status eksauth_awsauth_yaml_unread(yaml_document_t *doc, const char *text, size_t len,
                                                struct eksauth_awsauth_yaml_refusal *r)
{
    struct text_cursor cur = {text, len, 0, 0};
    const yaml_version_directive_t *v = doc->version_directive;
    const char *tag;
    yaml_node_t *n, *key, *local = NULL;
    bool found = false;

    r->cluster_reads = r->strings_read = false;
    /* go-yaml v2 fails a document that names another version; libyaml also reads 1.2. */
    if (v != NULL && (v->major != 1 || v->minor != 1)) {
        snprintf(r->why, sizeof(r->why),
                 "a %%YAML %d.%d directive: the cluster's YAML reader reads YAML 1.1 only",
                 v->major, v->minor);
        r->node = yaml_document_get_root_node(doc);
        found = true;
    }
    /* Nodes are made in document order: the cursor only moves on. */
    for (n = doc->nodes.start; n < doc->nodes.top; n++) {
        tag = eksauth_yaml_explicit_tag(n);
        if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            tagged_string(&cur, n, tag))
            n->data.scalar.style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
        if (found)
            continue;
        if (tag != NULL) {
            say_tag(r, tag);
            r->node = n;
            /*
             * go-yaml resolves no local tag: it reads the node as if
             * untagged.  Go on: another refusal may be one it fails on.
             */
            if (!is_core(tag)) {
                if (local == NULL)
                    local = n;
                continue;
            }
            r->cluster_reads = false;
            /* Into a string go-yaml v2 decodes the text written (decode.go, scalar). */
            r->strings_read = go_resolves(tag + sizeof(core_tag) - 1, n);
            found = true;
        } else if (n->type == YAML_MAPPING_NODE && (key = merge_key(doc, n)) != NULL) {
            snprintf(r->why, sizeof(r->why),
                     "a YAML merge key (<<): eksauth does not merge; write the keys out");
            r->node = key;
            r->cluster_reads = false;
            /* A mapping is no string: go-yaml v2 skips that item and keeps the others. */
            r->strings_read = true;
            found = true;
        }
    }
    if (found)
        return EKSAUTH_EINVAL;
    if (local == NULL)
        return EKSAUTH_OK;
    tag = eksauth_yaml_explicit_tag(local);
    snprintf(r->why, sizeof(r->why), "the YAML tag %.40s: eksauth reads no YAML tags; remove it",
             tag);
    r->node = local;
    r->cluster_reads = r->strings_read = true;
    return EKSAUTH_EINVAL;
}

/* ------------------------------------------------------------------------ */
/* What libyaml fails on and go-yaml reads. */

const char *eksauth_awsauth_yaml_libyaml_only(const yaml_parser_t *yp, const char *text, size_t len)
{
    struct text_cursor cur = {text, len, 0, 0};
    size_t b;

    /* go-yaml keeps the anchors in a map: a later one replaces the earlier for the aliases after
     * it. */
    if (yp->error == YAML_COMPOSER_ERROR && yp->context != NULL &&
        strcmp(yp->context, "found duplicate anchor; first occurrence") == 0)
        return EKSAUTH_AWSAUTH_CLUSTER_READS "an anchor given again, the aliases after it naming "
                                             "the later node, libyaml does not: rename one";
    if (yp->error != YAML_SCANNER_ERROR || yp->problem == NULL)
        return NULL;
    /* Both errors point at the character they stop at: the '\\' or the ':'. */
    b = byte_at(&cur, yp->problem_mark.index);
    if (b + 1 >= len)
        return NULL;
    if (strcmp(yp->problem, "found unknown escape character") == 0 && text[b] == '\\' &&
        text[b + 1] == '\'')
        return EKSAUTH_AWSAUTH_CLUSTER_READS "the escape \\' as ', libyaml does not: "
                                             "write ' without the backslash";
    /* After '[' or '{' go-yaml fails too: the scalar ends there, and a collection follows it. */
    if (strcmp(yp->problem, "found unexpected ':'") == 0 && text[b] == ':' &&
        strchr(",]}", text[b + 1]) != NULL)
        return EKSAUTH_AWSAUTH_CLUSTER_READS "a ':' that ends a plain scalar before "
                                             "',', ']' or '}', libyaml does not: quote the scalar";
    return NULL;
}

/*
 * Whether the double-quoted scalar c is written with the escape "\/",
 * which JSON has and YAML 1.1 has not: go-yaml fails on it, libyaml 0.2.5
 * reads '/'.  The decoded value does not show it: its text does.
 */
static bool has_slash_escape(struct text_cursor *t, const yaml_node_t *c)
{
    size_t i, end;

    if (c->type != YAML_SCALAR_NODE || c->data.scalar.style != YAML_DOUBLE_QUOTED_SCALAR_STYLE)
        return false;
    i = byte_at(t, c->start_mark.index);
    end = byte_at(t, c->end_mark.index);
    while (i < end && t->text[i] != '"')
        i++; /* past a tag or an anchor */
    for (i++; i + 1 < end && t->text[i] != '"'; i++) {
        if (t->text[i] != '\\')
            continue;
        if (t->text[i + 1] == '/')
            return true;
        i++; /* the escaped character, which may be a quote */
    }
    return false;
}

/* Why the cluster's reading of child c fails, or NULL. */
static const char *child_fails(const yaml_node_t *c, bool is_key, char *why, size_t whylen)
{
    if (is_key)
        return unjsonable_key(c, why, whylen);
    if (c->type == YAML_SCALAR_NODE && c->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        eksauth_awsauth_plain_nonfinite((const char *)c->data.scalar.value)) {
        snprintf(why, whylen,
                 "%.8s is an infinity or NaN to the cluster's YAML reader, and JSON has none",
                 (const char *)c->data.scalar.value);
        return why;
    }
    return NULL;
}

/*
 * go-yaml v2's "excessive aliasing" (decode.go, allowedAliasRatio): more
 * than 100 decodes inside aliases, more than 1000 in all, and aliases over
 * a share of them that falls from 99% at 400,000 decodes to 10% at
 * 4,000,000.  Checked at each decode there; here after each node, which
 * is where the share is highest.
 */
static bool go_yaml_excessive(uint64_t aliased, uint64_t decodes)
{
    double share;

    if (aliased <= 100 || decodes <= 1000)
        return false;
    if (decodes <= 400000)
        share = 0.99;
    else if (decodes >= 4000000)
        share = 0.10;
    else
        share = 0.99 - 0.89 * ((double)(decodes - 400000) / 3600000.0);
    return (double)aliased / (double)decodes > share;
}

/*
 * What the cluster's reading of a value fails on, and so drops the value
 * whole: go-yaml's scanner refuses more than NESTING_MAX flow collections
 * open at once or indentation levels (eksauth counts block collections,
 * which are at least as many: the safe side), and scans some scalars into
 * a syntax error (scanned_otherwise), in any value.  mapRoles and
 * mapUsers (decoded) are then decoded whole and turned into JSON, which
 * fails on an alias inside the node it names, on aliases that expand too
 * far, on an infinity or NaN anywhere and on a key that is null, a list, a
 * mapping or an unsigned integer above int64; mapAccounts is decoded item
 * by item into text, which fails on none of these.  Skipping only the
 * entry would map the rest, which the cluster maps none of: the caller
 * refuses the value.  A walk in document order, so the first reach of a
 * node is where it is written and a later one an alias; iterative and each
 * node walked once: linear, whatever the nesting.
 */
enum eksauth_status eksauth_awsauth_yaml_cluster_fails(yaml_document_t *doc, yaml_node_t *root,
                                                       const char *text, size_t len, bool decoded,
                                                       struct eksauth_awsauth_yaml_refusal *r)
{
    size_t n_nodes = (size_t)(doc->nodes.top - doc->nodes.start), top = 0, i;
    struct frame *stack = malloc((n_nodes + 1) * sizeof(*stack));
    unsigned char *state = calloc(n_nodes + 1, 1); /* 0 not reached, 1 being walked, 2 walked */
    uint64_t *size = calloc(n_nodes + 1, sizeof(*size)), aliased = 0;
    /* go-yaml's decodeCount so far: each node, and again inside an alias; it counts the
     * document node and the root before the walk does (yaml.go unmarshal, document). */
    uint64_t decodes = 2;
    const char *bad = NULL;
    char cwhy[96];
    yaml_node_t *c, *at = root, *at_bound = NULL;
    struct text_cursor cur = {text, len, 0, 0};
    /* Most texts have no "\/" at all: then no scalar needs its text looked at. */
    bool is_key, slashes = text != NULL && has_backslash_slash(text, len);
    enum eksauth_status st = EKSAUTH_OK;
    r->cluster_reads = r->strings_read = false;

    if (stack == NULL || state == NULL || size == NULL) {
        st = EKSAUTH_ENOMEM;
        goto out;
    }
    state[root - doc->nodes.start] = 1;
    stack[top++] = open_frame(root, NULL);
    while (top > 0 && bad == NULL) {
        c = next_child(doc, &stack[top - 1], &is_key);
        if (c == NULL) {
            i = (size_t)(stack[top - 1].n - doc->nodes.start);
            state[i] = 2;
            size[i] = stack[--top].size;
            if (top > 0)
                stack[top - 1].size = sat_add(stack[top - 1].size, size[i]);
            continue;
        }
        at = c;
        bad = scanned_otherwise(c, stack[top - 1].flow > 0, cwhy, sizeof(cwhy));
        if (bad == NULL && slashes && state[c - doc->nodes.start] == 0 && has_slash_escape(&cur, c))
            bad = "the escape \\/ in a double-quoted scalar: YAML 1.1 has none, so the "
                  "cluster's YAML reader fails on it; write /";
        if (bad == NULL && decoded)
            bad = child_fails(c, is_key, cwhy, sizeof(cwhy));
        i = (size_t)(c - doc->nodes.start);
        /* An alias is one decode, and the node it names is decoded again, inside the alias. */
        if (bad != NULL || c->type == YAML_SCALAR_NODE) {
            stack[top - 1].size = sat_add(stack[top - 1].size, state[i] != 0 ? 2 : 1);
            aliased = sat_add(aliased, state[i] != 0 ? 1 : 0);
            decodes = sat_add(decodes, state[i] != 0 ? 2 : 1);
            state[i] = 2;
        } else if (state[i] == 0) {
            state[i] = 1;
            decodes = sat_add(decodes, 1);
            stack[top] = open_frame(c, &stack[top - 1]);
            if (stack[top].flow > NESTING_MAX || stack[top].block > NESTING_MAX)
                bad = "collections nested deeper than 10000";
            top++;
        } else if (state[i] == 1 && decoded) {
            bad = "a YAML alias inside the node it names";
            at = stack[top - 1].n; /* libyaml keeps no position of an alias */
        } else {
            stack[top - 1].size = sat_add(stack[top - 1].size, sat_add(1, size[i]));
            aliased = sat_add(aliased, size[i]);
            decodes = sat_add(decodes, sat_add(1, size[i]));
        }
        if (at_bound == NULL && aliased > ALIAS_DECODES_MAX)
            at_bound = stack[top - 1].n;
        if (bad == NULL && decoded && go_yaml_excessive(aliased, decodes)) {
            bad = "YAML aliases expand to more than 100 nodes, the share of its decodes go-yaml "
                  "refuses";
            at = stack[top - 1].n;
        }
    }
    /*
     * eksauth's own bound: past 100 nodes inside aliases, a value is not
     * read, though go-yaml, which fails only on a share of its decodes,
     * may read it whole (so said: never "here as there").
     */
    if (bad == NULL && decoded && aliased > ALIAS_DECODES_MAX) {
        snprintf(r->why, sizeof(r->why),
                 "YAML aliases expand to more than 100 nodes, eksauth's bound on them (go-yaml's "
                 "is a share of its decodes)");
        r->cluster_reads = true;
        r->node = at_bound;
        st = EKSAUTH_EINVAL;
    } else if (bad != NULL) {
        snprintf(r->why, sizeof(r->why),
                 "%s: the cluster's reading fails on it and drops the whole value", bad);
        r->node = at;
        st = EKSAUTH_EINVAL;
    }
out:
    free(stack);
    free(state);
    free(size);
    return st;
}
