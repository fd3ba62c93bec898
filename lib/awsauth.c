/*
 * awsauth.c - the aws-auth mapping: the entries awsauth_read.c reads,
 * indexed by key in one hash table per source (mapRoles, mapUsers,
 * mapAccounts); a principal looked up and its username and groups rendered
 * (docs/aws-auth.md; docs/token-rules.md decisions 5 and 6).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/arn.h"
#include "eksauth/awsauth.h"
#include "eksauth/awsauth_yaml_compat.h"
#include "eksauth/strlist.h"
#include "eksauth/strmap.h"
#include "eksauth/template.h"

/* The longest rendered username or group. */
#define AWSAUTH_NAME_MAX 1024
#define N_SOURCES        EKSAUTH_N_MAP_SOURCES

struct eksauth_awsauth {
    struct eksauth_awsauth_doc doc;          /* the entries, duplicates and ignored ones out */
    struct eksauth_strmap tables[N_SOURCES]; /* key -> index in doc.entries */
    /* Entries the cluster never matches (awsauth_read.h), to say why a principal is not mapped. */
    struct eksauth_awsauth_entry *ignored;
    size_t n_ignored;
    /* key -> index in ignored, of the entries that hold their principal (held()) */
    struct eksauth_strmap holding[N_SOURCES];
};

static const char *entry_key(const void *ctx, size_t i)
{
    const struct eksauth_awsauth_doc *doc = ctx;

    return doc->entries[i].key;
}

static const char *ignored_key(const void *ctx, size_t i)
{
    const struct eksauth_awsauth *aa = ctx;

    return aa->ignored[i].key;
}

static enum eksauth_status oom(struct eksauth_error *err)
{
    return eksauth_fail(err, EKSAUTH_ENOMEM, "aws-auth: out of memory");
}

/* ------------------------------------------------------------------------ */
/* Duplicates and the index. */

/*
 * Why a skipped entry that the cluster keeps and matches maps nobody here
 * (fold_in's skipped entries, when no later entry replaces them).
 */
#define HOLDS_WHY                                                                                  \
    "was skipped (see its warning), but the cluster keeps it and maps this principal by it, "      \
    "never by a later list or mapAccounts: it maps nobody here"

/*
 * One key of the cluster's map (an override's cluster_key) among a
 * principal's entries of one list.  The cluster keeps the later entry of a
 * key, and its lookup walks a Go map, comparing by strings.EqualFold
 * (docs/aws-auth.md, "Duplicates"): a principal that two keys match maps by
 * either, in no set order.
 */
struct fold_slot {
    const char *key; /* the principal's lookup key */
    const char *ck;  /* the key of the cluster's map; NULL: any spelling (a held item read back) */
    size_t entry;    /* the entry in doc.entries, or EKSAUTH_STRMAP_NONE: skipped here */
    bool matches;    /* the cluster matches the principal by it */
    bool head;       /* the principal's first slot */
    unsigned line, column;
    size_t next;                 /* the principal's next slot, or EKSAUTH_STRMAP_NONE */
    size_t tail;                 /* in a principal's first slot: its last slot */
    enum eksauth_map_source src; /* the list it is of (set by fold_in) */
};

struct folds {
    struct fold_slot *v;
    size_t n;
    struct eksauth_strmap heads[2]; /* key -> its first slot, for mapRoles and mapUsers */
    /*
     * ck -> its slot, for mapRoles and mapUsers: a principal may have as
     * many keys of the cluster's map as spellings of its ARN (user/Bob,
     * user/bOb, ...), and walking them for each entry took quadratic time.
     */
    struct eksauth_strmap cks[2];
};

static const char *slot_key(const void *ctx, size_t i)
{
    const struct folds *f = ctx;

    return f->v[i].key;
}

static const char *slot_ck(const void *ctx, size_t i)
{
    const struct folds *f = ctx;

    /* A slot's ck turns NULL only when it is its principal's first (fold_in): "" never matches. */
    return f->v[i].ck != NULL ? f->v[i].ck : "";
}

static enum eksauth_status warn(struct eksauth_awsauth *aa, char *msg, struct eksauth_error *err)
{
    eksauth_message_clean(msg);
    return eksauth_strlist_add(&aa->doc.warnings, msg, NULL) == EKSAUTH_OK ? EKSAUTH_OK : oom(err);
}

/*
 * The entry or skipped entry n (a slot's fields) into its principal's
 * slots: one of the same key of the cluster's map is replaced, as the
 * cluster keeps the later, and a valid entry so replaced is marked dead
 * with a warning naming both.
 */
static enum eksauth_status fold_in(struct eksauth_awsauth *aa, struct folds *f, bool *dead,
                                   enum eksauth_map_source src, const struct fold_slot *n,
                                   struct eksauth_error *err)
{
    char msg[EKSAUTH_ERROR_MAX];
    struct fold_slot *s;
    size_t i = EKSAUTH_STRMAP_NONE, head, old;

    /*
     * The first of the principal's slots of the same key of the cluster's
     * map: a NULL ck (a held item read back) matches any, and so is only
     * ever the first slot; otherwise the one slot of that ck (a principal's
     * key follows from its ck, so the slot is this principal's).
     */
    head = eksauth_strmap_get(&f->heads[src], n->key);
    if (head != EKSAUTH_STRMAP_NONE && (f->v[head].ck == NULL || n->ck == NULL))
        i = head;
    else if (head != EKSAUTH_STRMAP_NONE)
        i = eksauth_strmap_get(&f->cks[src], n->ck);
    if (i == EKSAUTH_STRMAP_NONE) {
        s = &f->v[f->n];
        *s = *n;
        s->next = EKSAUTH_STRMAP_NONE;
        s->tail = f->n;
        s->head = head == EKSAUTH_STRMAP_NONE;
        s->src = src;
        if (s->head) {
            if (eksauth_strmap_put(&f->heads[src], s->key, f->n, NULL, NULL) != EKSAUTH_OK)
                return oom(err);
        } else {
            f->v[f->v[head].tail].next = f->n;
            f->v[head].tail = f->n;
        }
        if (s->ck != NULL &&
            eksauth_strmap_put(&f->cks[src], s->ck, f->n, NULL, NULL) != EKSAUTH_OK)
            return oom(err);
        f->n++;
        return EKSAUTH_OK;
    }
    s = &f->v[i];
    old = s->entry;
    if (old != EKSAUTH_STRMAP_NONE) {
        dead[old] = true;
        if (n->entry != EKSAUTH_STRMAP_NONE)
            snprintf(msg, sizeof(msg),
                     "aws-auth: %s: %u:%u: same ARN as the entry at %u:%u (%s); the later entry "
                     "wins",
                     eksauth_map_source_name(src), n->line, n->column, s->line, s->column, n->key);
        else
            snprintf(msg, sizeof(msg),
                     "aws-auth: %s: %u:%u: the entry skipped here has the same ARN as the entry "
                     "at %u:%u (%s): the cluster keeps the later entry, so neither maps",
                     eksauth_map_source_name(src), n->line, n->column, s->line, s->column, n->key);
        if (warn(aa, msg, err) != EKSAUTH_OK)
            return EKSAUTH_ENOMEM;
    }
    /* A first slot that a NULL ck took gets its ck again: index it. */
    if (s->ck == NULL && n->ck != NULL &&
        eksauth_strmap_put(&f->cks[src], n->ck, i, NULL, NULL) != EKSAUTH_OK)
        return oom(err);
    s->ck = n->ck;
    s->entry = n->entry;
    s->matches = n->matches;
    s->line = n->line;
    s->column = n->column;
    return EKSAUTH_OK;
}

/* mapAccounts: the same account twice, the later wins (the cluster keeps a set). */
static enum eksauth_status account_in(struct eksauth_awsauth *aa, bool *dead, size_t i,
                                      struct eksauth_error *err)
{
    const struct eksauth_awsauth_entry *e = &aa->doc.entries[i], *old;
    char msg[EKSAUTH_ERROR_MAX];
    size_t prev;

    if (eksauth_strmap_put(&aa->tables[e->source], e->key, i, &prev, NULL) != EKSAUTH_OK)
        return oom(err);
    if (prev == EKSAUTH_STRMAP_NONE)
        return EKSAUTH_OK;
    old = &aa->doc.entries[prev];
    dead[prev] = true;
    snprintf(msg, sizeof(msg),
             "aws-auth: %s: %u:%u: same account as the entry at %u:%u (%s); the later entry wins",
             eksauth_map_source_name(e->source), e->line, e->column, old->line, old->column,
             e->key);
    return warn(aa, msg, err);
}

/* The override o, an entry the cluster keeps and eksauth skips, into its principal's slots. */
static enum eksauth_status override_in(struct eksauth_awsauth *aa, struct folds *f, bool *dead,
                                       const struct eksauth_awsauth_override *o,
                                       struct eksauth_error *err)
{
    struct fold_slot n = {
        o->key,    o->cluster_key,      EKSAUTH_STRMAP_NONE, o->holds, false, o->line,
        o->column, EKSAUTH_STRMAP_NONE, EKSAUTH_STRMAP_NONE, o->source};

    return fold_in(aa, f, dead, o->source, &n, err);
}

/* Whether two valid entries map a principal alike (same templates, same render). */
static bool maps_alike(const struct eksauth_awsauth_entry *a, const struct eksauth_awsauth_entry *b)
{
    size_t i;

    if (strcmp(a->username, b->username) != 0 || a->n_groups != b->n_groups)
        return false;
    for (i = 0; i < a->n_groups; i++) {
        if (strcmp(a->groups[i], b->groups[i]) != 0)
            return false;
    }
    return true;
}

/* Whether slots a and b, both matching the principal, map it alike here. */
static bool slots_alike(const struct eksauth_awsauth *aa, const struct fold_slot *a,
                        const struct fold_slot *b)
{
    if (a->entry == EKSAUTH_STRMAP_NONE || b->entry == EKSAUTH_STRMAP_NONE)
        return a->entry == b->entry; /* two skipped entries map nobody, either of them */
    return maps_alike(&aa->doc.entries[a->entry], &aa->doc.entries[b->entry]);
}

/* A held principal into aa->ignored: the cluster matches key at line:col and it maps nobody here.
 */
static void add_held(struct eksauth_awsauth *aa, enum eksauth_map_source src, const char *key,
                     unsigned line, unsigned col, const char *why)
{
    struct eksauth_awsauth_entry *h = &aa->ignored[aa->n_ignored++];

    memset(h, 0, sizeof(*h));
    h->source = src;
    h->arn = h->key = key;
    h->ignored = why;
    h->line = line;
    h->column = col;
}

/* Warn that the cluster matches b's and a's entries to one principal in no set order, then how. */
static enum eksauth_status warn_folds(struct eksauth_awsauth *aa, enum eksauth_map_source src,
                                      const struct fold_slot *b, const struct fold_slot *a,
                                      const char *how, struct eksauth_error *err)
{
    char msg[EKSAUTH_ERROR_MAX];

    snprintf(msg, sizeof(msg),
             "aws-auth: %s: %u:%u: the cluster matches this entry and the entry at %u:%u (%s) to "
             "one principal, in no fixed order%s",
             eksauth_map_source_name(src), b->line, b->column, a->line, a->column, a->key, how);
    return warn(aa, msg, err);
}

/*
 * Two keys of the cluster's map match the principal and map it
 * differently (one maybe skipped here): the cluster maps it by either, in
 * no set order, so neither maps here (refusing beats guessing which the
 * cluster meets first); it is held, so no later list maps it either.
 */
static enum eksauth_status refuse_folds(struct eksauth_awsauth *aa, struct folds *f, bool *dead,
                                        enum eksauth_map_source src, const struct fold_slot *a,
                                        const struct fold_slot *b, struct eksauth_error *err)
{
    char msg[EKSAUTH_ERROR_MAX];
    const char *why;
    size_t i;

    for (i = (size_t)(a - f->v); i != EKSAUTH_STRMAP_NONE; i = f->v[i].next) {
        if (f->v[i].entry != EKSAUTH_STRMAP_NONE)
            dead[f->v[i].entry] = true;
    }
    snprintf(msg, sizeof(msg),
             "and the entry at %u:%u map it differently: the cluster maps this principal by "
             "either entry, in no fixed order, so neither maps here",
             a->line, a->column);
    why = eksauth_arena_strndup(&aa->doc.arena, msg, strlen(msg));
    if (why == NULL)
        return oom(err);
    add_held(aa, src, b->key, b->line, b->column, why);
    return warn_folds(aa, src, b, a, ", and they map it differently: neither maps here", err);
}

/*
 * The principal whose slots begin at head: mapped by its one valid entry,
 * or by the later of valid entries that map it alike; held by the entries
 * skipped here; refused when its keys map it differently.
 */
static enum eksauth_status settle(struct eksauth_awsauth *aa, struct folds *f, bool *dead,
                                  enum eksauth_map_source src, size_t head,
                                  struct eksauth_error *err)
{
    const struct fold_slot *a = NULL, *s, *keep = NULL;
    size_t i;

    for (i = head; i != EKSAUTH_STRMAP_NONE; i = f->v[i].next) {
        s = &f->v[i];
        if (!s->matches)
            continue;
        if (a == NULL)
            a = s;
        else if (!slots_alike(aa, a, s))
            return refuse_folds(aa, f, dead, src, a, s, err);
    }
    if (a == NULL)
        return EKSAUTH_OK;
    if (a->entry == EKSAUTH_STRMAP_NONE) {
        for (s = a; s != NULL; s = s->next != EKSAUTH_STRMAP_NONE ? &f->v[s->next] : NULL) {
            if (s->matches)
                add_held(aa, src, s->key, s->line, s->column, HOLDS_WHY);
        }
        return EKSAUTH_OK;
    }
    /* Alike: the later entry maps; the warning says the cluster keeps both. */
    for (s = a; s != NULL; s = s->next != EKSAUTH_STRMAP_NONE ? &f->v[s->next] : NULL) {
        if (s->entry == EKSAUTH_STRMAP_NONE)
            continue;
        if (keep != NULL && s->entry < keep->entry) {
            dead[s->entry] = true;
            continue;
        }
        if (keep != NULL)
            dead[keep->entry] = true;
        keep = s;
    }
    /* Another key's entry beside keep: a, or when keep is a's own, the next that matches. */
    for (s = keep != a ? a : NULL, i = a->next; s == NULL && i != EKSAUTH_STRMAP_NONE;
         i = f->v[i].next) {
        if (f->v[i].matches)
            s = &f->v[i];
    }
    if (s == NULL)
        return EKSAUTH_OK;
    return warn_folds(aa, src, keep, s, "; both map it alike, so it maps", err);
}

/*
 * Every entry into its principal's slots, in document order, the overrides
 * between them; then each principal settled (settle), mapRoles' first.
 * Marks in dead[] the entries that map nothing, and adds to aa->ignored
 * the principals held.
 */
static enum eksauth_status find_duplicates(struct eksauth_awsauth *aa, struct folds *f, bool *dead,
                                           struct eksauth_error *err)
{
    struct eksauth_awsauth_doc *doc = &aa->doc;
    const struct eksauth_awsauth_entry *e;
    struct fold_slot n;
    enum eksauth_status st = EKSAUTH_OK;
    size_t i, o = 0, src;

    for (i = 0; i <= doc->n_entries && st == EKSAUTH_OK; i++) {
        for (; o < doc->n_overrides && (i == doc->n_entries || doc->overrides[o].after <= i) &&
               st == EKSAUTH_OK;
             o++)
            st = override_in(aa, f, dead, &doc->overrides[o], err);
        if (i == doc->n_entries || st != EKSAUTH_OK)
            break;
        e = &doc->entries[i];
        if (e->ignored != NULL) {
            dead[i] = true; /* never matched: out of the tables */
        } else if (e->source == EKSAUTH_SRC_MAPACCOUNTS) {
            st = account_in(aa, dead, i, err);
        } else {
            /* A valid ARN is ASCII: Go's lower case is the key's, as written is mapUsers'. */
            memset(&n, 0, sizeof(n));
            n.key = e->key;
            n.ck = e->source == EKSAUTH_SRC_MAPROLES ? e->key : e->arn;
            n.entry = i;
            n.matches = true;
            n.line = e->line;
            n.column = e->column;
            st = fold_in(aa, f, dead, e->source, &n, err);
        }
    }
    for (src = EKSAUTH_SRC_MAPROLES; src <= EKSAUTH_SRC_MAPUSERS && st == EKSAUTH_OK; src++) {
        for (i = 0; i < f->n && st == EKSAUTH_OK; i++) {
            /* A head is put in its list's heads table once, never replaced: no lookup. */
            if (f->v[i].head && f->v[i].src == src)
                st = settle(aa, f, dead, src, i, err);
        }
    }
    return st;
}

bool eksauth_awsauth_entry_holds(const struct eksauth_awsauth_entry *e)
{
    /* A never-matching entry is keyed by the ARN it should have been, which is never its own. */
    return e->ignored != NULL && e->source != EKSAUTH_SRC_MAPACCOUNTS && e->arn != NULL &&
           e->key != NULL && strcmp(e->arn, e->key) == 0;
}

/* Drop the overridden entries and index the rest. */
static enum eksauth_status build_index(struct eksauth_awsauth *aa, struct eksauth_error *err)
{
    struct eksauth_awsauth_doc *doc = &aa->doc;
    size_t count[N_SOURCES] = {0, 0, 0}, i, n;
    enum eksauth_status st = EKSAUTH_OK;
    struct folds f = {0};
    bool *dead;

    for (i = 0; i < doc->n_entries; i++)
        count[doc->entries[i].source]++;
    for (i = 0; i < N_SOURCES; i++) {
        if (eksauth_strmap_init(&aa->tables[i], count[i], entry_key, doc, NULL) != EKSAUTH_OK)
            return oom(err);
    }
    dead = calloc(doc->n_entries + 1, sizeof(*dead));
    f.v = calloc(doc->n_entries + doc->n_overrides + 1, sizeof(*f.v));
    /* Every slot is a valid entry or an override; each principal held or refused at most once. */
    aa->ignored = calloc(doc->n_entries + doc->n_overrides + 1, sizeof(*aa->ignored));
    if (dead == NULL || f.v == NULL || aa->ignored == NULL ||
        eksauth_strmap_init(&f.heads[0], count[EKSAUTH_SRC_MAPROLES], slot_key, &f, NULL) !=
            EKSAUTH_OK ||
        eksauth_strmap_init(&f.heads[1], count[EKSAUTH_SRC_MAPUSERS], slot_key, &f, NULL) !=
            EKSAUTH_OK ||
        eksauth_strmap_init(&f.cks[0], count[EKSAUTH_SRC_MAPROLES], slot_ck, &f, NULL) !=
            EKSAUTH_OK ||
        eksauth_strmap_init(&f.cks[1], count[EKSAUTH_SRC_MAPUSERS], slot_ck, &f, NULL) !=
            EKSAUTH_OK) {
        st = oom(err);
        goto out;
    }
    /* The entries that hold their principal first: a key's first ignored entry is read first. */
    st = find_duplicates(aa, &f, dead, err);
    if (st != EKSAUTH_OK)
        goto out;
    for (i = n = 0; i < doc->n_entries; i++) {
        if (doc->entries[i].ignored != NULL)
            aa->ignored[aa->n_ignored++] = doc->entries[i];
        else if (!dead[i])
            doc->entries[n++] = doc->entries[i];
    }
    doc->n_entries = n;
    /* Indices moved, and mapRoles and mapUsers are not in the tables yet: fill them. */
    for (i = 0; i < N_SOURCES; i++)
        eksauth_strmap_clear(&aa->tables[i]);
    for (i = 0; i < doc->n_entries && st == EKSAUTH_OK; i++) {
        if (eksauth_strmap_put(&aa->tables[doc->entries[i].source], doc->entries[i].key, i, NULL,
                               NULL) != EKSAUTH_OK)
            st = oom(err);
    }
out:
    eksauth_strmap_free(&f.heads[0]);
    eksauth_strmap_free(&f.heads[1]);
    eksauth_strmap_free(&f.cks[0]);
    eksauth_strmap_free(&f.cks[1]);
    free(f.v);
    free(dead);
    return st;
}

/* The skipped entries that hold their principal, by key: a lookup's miss stays O(1). */
static enum eksauth_status index_holding(struct eksauth_awsauth *aa, struct eksauth_error *err)
{
    size_t i, src;

    for (src = 0; src < N_SOURCES; src++) {
        if (eksauth_strmap_init(&aa->holding[src], 0, ignored_key, aa, NULL) != EKSAUTH_OK)
            return oom(err);
    }
    for (i = 0; i < aa->n_ignored; i++) {
        if (eksauth_awsauth_entry_holds(&aa->ignored[i]) &&
            eksauth_strmap_put(&aa->holding[aa->ignored[i].source], aa->ignored[i].key, i, NULL,
                               NULL) != EKSAUTH_OK)
            return oom(err);
    }
    return EKSAUTH_OK;
}

/* ------------------------------------------------------------------------ */
/* The interface. */

/* aa's entries indexed and aa handed to *out, or aa freed: st says how far it got. */
static enum eksauth_status index_into(struct eksauth_awsauth *aa, enum eksauth_status st,
                                      struct eksauth_awsauth **out, struct eksauth_error *err)
{
    if (st == EKSAUTH_OK)
        st = build_index(aa, err);
    if (st == EKSAUTH_OK)
        st = index_holding(aa, err);
    if (st == EKSAUTH_OK)
        *out = aa;
    else
        eksauth_awsauth_free(aa);
    return st;
}

enum eksauth_status eksauth_awsauth_parse(const char *data, size_t len,
                                          struct eksauth_awsauth **out, struct eksauth_error *err)
{
    struct eksauth_awsauth *aa;
    enum eksauth_status st;

    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "aws-auth: no input");
    *out = NULL;
    aa = calloc(1, sizeof(*aa));
    if (aa == NULL)
        return oom(err);
    st = eksauth_awsauth_read(data, len, &aa->doc, err);
    return index_into(aa, st, out, err);
}

void eksauth_awsauth_free(struct eksauth_awsauth *aa)
{
    size_t i;

    if (aa == NULL)
        return;
    for (i = 0; i < N_SOURCES; i++) {
        eksauth_strmap_free(&aa->tables[i]);
        eksauth_strmap_free(&aa->holding[i]);
    }
    eksauth_awsauth_doc_free(&aa->doc);
    free(aa->ignored);
    free(aa);
}

size_t eksauth_awsauth_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->doc.n_entries : 0;
}

const struct eksauth_awsauth_entry *eksauth_awsauth_entry_at(const struct eksauth_awsauth *aa,
                                                             size_t i)
{
    return aa != NULL && i < aa->doc.n_entries ? &aa->doc.entries[i] : NULL;
}

size_t eksauth_awsauth_ignored_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->n_ignored : 0;
}

const struct eksauth_awsauth_entry *eksauth_awsauth_ignored_at(const struct eksauth_awsauth *aa,
                                                               size_t i)
{
    return aa != NULL && i < aa->n_ignored ? &aa->ignored[i] : NULL;
}

/* A copy of s in doc's arena (NULL stays NULL); *ok turns false when out of memory. */
static const char *doc_strdup(struct eksauth_awsauth_doc *doc, const char *s, bool *ok)
{
    char *copy;

    if (s == NULL)
        return NULL;
    copy = eksauth_arena_strndup(&doc->arena, s, strlen(s));
    if (copy == NULL)
        *ok = false;
    return copy;
}

/* e into doc->entries[i], its strings copied into doc's arena. */
static bool copy_entry(struct eksauth_awsauth_doc *doc, size_t i,
                       const struct eksauth_awsauth_entry *e)
{
    struct eksauth_awsauth_entry *c = &doc->entries[i];
    const char **groups = NULL;
    bool ok = true;
    size_t j;

    if (e->n_groups > 0) {
        groups = eksauth_arena_alloc(&doc->arena, e->n_groups * sizeof(*groups));
        if (groups == NULL)
            return false;
        for (j = 0; j < e->n_groups; j++)
            groups[j] = doc_strdup(doc, e->groups[j], &ok);
    }
    *c = *e;
    c->arn = doc_strdup(doc, e->arn, &ok);
    c->key = doc_strdup(doc, e->key, &ok);
    c->ignored = doc_strdup(doc, e->ignored, &ok);
    c->username = doc_strdup(doc, e->username, &ok);
    c->groups = groups;
    return ok;
}

enum eksauth_status eksauth_awsauth_of_entries(const struct eksauth_awsauth_entry *entries,
                                               size_t n, const char *const *dropped,
                                               size_t n_dropped, struct eksauth_awsauth **out,
                                               struct eksauth_error *err)
{
    struct eksauth_awsauth *aa;
    enum eksauth_status st = EKSAUTH_OK;
    size_t i;

    *out = NULL;
    aa = calloc(1, sizeof(*aa));
    if (aa == NULL)
        return oom(err);
    aa->doc.entries = calloc(n + 1, sizeof(*aa->doc.entries));
    if (aa->doc.entries == NULL)
        st = oom(err);
    for (i = 0; i < n && st == EKSAUTH_OK; i++) {
        if (!copy_entry(&aa->doc, i, &entries[i]))
            st = oom(err);
        aa->doc.n_entries = aa->doc.cap_entries = i + 1;
    }
    for (i = 0; i < n_dropped && st == EKSAUTH_OK; i++) {
        if (eksauth_strlist_add(&aa->doc.dropped, dropped[i], NULL) != EKSAUTH_OK)
            st = oom(err);
    }
    return index_into(aa, st, out, err);
}

size_t eksauth_awsauth_warning_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->doc.warnings.n : 0;
}

const char *eksauth_awsauth_warning_at(const struct eksauth_awsauth *aa, size_t i)
{
    return aa != NULL && i < aa->doc.warnings.n ? aa->doc.warnings.v[i] : NULL;
}

size_t eksauth_awsauth_dropped_count(const struct eksauth_awsauth *aa)
{
    return aa != NULL ? aa->doc.dropped.n : 0;
}

const char *eksauth_awsauth_dropped_at(const struct eksauth_awsauth *aa, size_t i)
{
    return aa != NULL && i < aa->doc.dropped.n ? aa->doc.dropped.v[i] : NULL;
}

bool eksauth_awsauth_dropped_cluster_reads(const struct eksauth_awsauth *aa, size_t i)
{
    const char *v = eksauth_awsauth_dropped_at(aa, i);

    /* The why in the value says so (kept whole in a snapshot, so it holds for one read back). */
    return v != NULL && strstr(v, EKSAUTH_AWSAUTH_CLUSTER_READS) != NULL;
}

bool eksauth_awsauth_cluster_drops_all(const struct eksauth_awsauth *aa)
{
    size_t i;

    for (i = 0; i < eksauth_awsauth_dropped_count(aa); i++)
        if (eksauth_awsauth_dropped_cluster_reads(aa, i))
            return false;
    return true;
}

/*
 * "identity is not mapped: ARN", and why when the document says: an entry
 * the cluster never matches meant this principal, or a whole value was
 * dropped (the cluster drops it too).
 */
static enum eksauth_status not_mapped(const struct eksauth_awsauth *aa,
                                      const struct eksauth_arn *arn, struct eksauth_error *err)
{
    const struct eksauth_awsauth_entry *e;
    size_t i;

    eksauth_fail(err, EKSAUTH_ENOTMAPPED, "identity is not mapped: %s", arn->canonical);
    for (i = 0; i < aa->n_ignored; i++) {
        e = &aa->ignored[i];
        if (strcmp(e->key, arn->key) == 0) {
            eksauth_error_append(err, " (the %s entry at %u:%u, %s, %s)",
                                 eksauth_map_source_name(e->source), e->line, e->column, e->arn,
                                 e->ignored);
            break;
        }
    }
    for (i = 0; i < aa->doc.dropped.n; i++)
        eksauth_error_append(err, "%s%s",
                             i > 0                                   ? ", "
                             : eksauth_awsauth_cluster_drops_all(aa) ? "; dropped, as the cluster "
                                                                       "drops them: "
                                                                     : "; dropped here: ",
                             aa->doc.dropped.v[i]);
    return EKSAUTH_ENOTMAPPED;
}

static const struct eksauth_awsauth_entry *table_get(const struct eksauth_awsauth *aa,
                                                     enum eksauth_map_source src, const char *key)
{
    size_t i = eksauth_strmap_get(&aa->tables[src], key);

    return i != EKSAUTH_STRMAP_NONE ? &aa->doc.entries[i] : NULL;
}

/* Whether an entry of src that the cluster matches, skipped here, holds the principal key. */
static bool held(const struct eksauth_awsauth *aa, enum eksauth_map_source src, const char *key)
{
    return eksauth_strmap_get(&aa->holding[src], key) != EKSAUTH_STRMAP_NONE;
}

const struct eksauth_awsauth_entry *eksauth_awsauth_lookup(const struct eksauth_awsauth *aa,
                                                           const char *arn_key, const char *account)
{
    static const enum eksauth_map_source by_arn[] = {EKSAUTH_SRC_MAPROLES, EKSAUTH_SRC_MAPUSERS};
    const struct eksauth_awsauth_entry *e = NULL;
    size_t i;

    if (aa == NULL)
        return NULL;
    /* Upstream's order: mapRoles, then mapUsers, then mapAccounts. */
    for (i = 0; arn_key != NULL && arn_key[0] != '\0' && i < 2; i++) {
        e = table_get(aa, by_arn[i], arn_key);
        /*
         * The cluster stops at the first list whose entry matches, one
         * skipped here too: the principal maps by that entry there, so by
         * none here, and never by mapAccounts' default.
         */
        if (e != NULL || held(aa, by_arn[i], arn_key))
            return e;
    }
    if (account != NULL && account[0] != '\0')
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
        st = not_mapped(aa, &arn, err);
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
    if (id == NULL)
        return;
    free(id->username);
    eksauth_strv_free(id->groups, id->n_groups);
    memset(id, 0, sizeof(*id));
}
