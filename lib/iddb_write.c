/*
 * iddb_write.c - build and serialise the identity DB (format in
 * include/eksauth/iddb_format.h), in memory: no file is touched here.
 * Putting the image in place is lib/iddb_replace.c; recording one login
 * lib/iddb_record.c; reading older formats lib/iddb_upgrade.c.
 *
 * The builder checks every entry as it is added (valid POSIX names, no
 * field that could split a passwd or group line, ids never 0 and in range,
 * names and ids unique) so the file it writes is one the reader accepts.
 * Output is deterministic: records sorted by name, members by login.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/arena.h"
#include "eksauth/array.h"
#include "eksauth/byteorder.h"
#include "eksauth/iddb.h"
#include "eksauth/printable.h"
#include "eksauth/strmap.h"
#include "eksauth/names.h"
#include "eksauth/iddb_format.h"

#define DEFAULT_HOME  "/home/%u"
#define DEFAULT_SHELL "/bin/bash"
#define GECOS_MAX     256
/* A user's first groups, whose slots add_user asks for ahead. */
#define PREFETCH_GROUPS 8

/* ------------------------------------------------------------------------ */
/* A small open-addressing hash map: names or ids to a u32 value.           */

/*
 * 8 bytes a slot (a sync adds 100,000 users: the three maps are the
 * builder's largest memory, touched at random).  A name is not kept in the
 * slot: it is read back from the user or group the value indexes.
 */
struct hslot {
    uint32_t tag;  /* an id map's id; a name map's high half of the name's hash */
    uint32_t val1; /* the value + 1; 0 empty, HSLOT_DELETED deleted */
};

#define HSLOT_DELETED UINT32_MAX

struct hmap {
    struct hslot *slots;
    size_t cap, used; /* used counts live and deleted slots */
    /* A name map's name of the entry value val indexes; NULL for an id map. */
    const char *(*name_at)(const void *ctx, uint32_t val);
    const void *ctx;
    uint64_t seed; /* the builder's: see eksauth_iddb_builder_new */
};

/* Where a key's probe starts, and the tag its slot holds. */
struct hkey {
    const char *name; /* NULL for an id */
    uint64_t hash;
    uint32_t tag;
};

static struct hkey hkey_name(uint64_t seed, const char *name)
{
    uint64_t h = eksauth_iddb_checksum(name, strlen(name), seed);

    return (struct hkey){name, h, (uint32_t)(h >> 32)};
}

static struct hkey hkey_id(uint64_t seed, uint32_t id)
{
    return (struct hkey){NULL, eksauth_iddb_hash_id(id, seed), id};
}

static uint32_t hslot_val(const struct hslot *s)
{
    return s->val1 - 1;
}

static bool hslot_live(const struct hslot *s)
{
    return s->val1 != 0 && s->val1 != HSLOT_DELETED;
}

/*
 * Start reading the cache line of k's first slot: a caller that will look
 * up several keys asks for them all first, so their misses overlap.
 */
static void hmap_prefetch(const struct hmap *m, const struct hkey *k)
{
    if (m->cap > 0)
        __builtin_prefetch(&m->slots[k->hash & (m->cap - 1)]);
}

static struct hslot *hmap_find(const struct hmap *m, const struct hkey *k)
{
    size_t i;

    if (m->cap == 0)
        return NULL;
    for (i = k->hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct hslot *s = &m->slots[i];

        if (s->val1 == 0)
            return NULL;
        if (s->val1 != HSLOT_DELETED && s->tag == k->tag &&
            (m->name_at == NULL || strcmp(m->name_at(m->ctx, hslot_val(s)), k->name) == 0))
            return s;
    }
}

/* A slot's home in a map of cap slots; the names of a name map are read again (no hash kept). */
static size_t hslot_home(const struct hmap *m, const struct hslot *s, size_t cap)
{
    if (m->name_at == NULL)
        return hkey_id(m->seed, s->tag).hash & (cap - 1);
    return hkey_name(m->seed, m->name_at(m->ctx, hslot_val(s))).hash & (cap - 1);
}

/* Rehash into ncap slots (a power of two, more than twice the live ones). */
static bool hmap_rehash(struct hmap *m, size_t ncap)
{
    struct hslot *old = m->slots, *fresh;
    size_t oldcap = m->cap, i, j;

    fresh = calloc(ncap, sizeof(*fresh));
    if (fresh == NULL)
        return false;
    m->used = 0;
    for (i = 0; i < oldcap; i++) {
        if (!hslot_live(&old[i]))
            continue;
        for (j = hslot_home(m, &old[i], ncap); fresh[j].val1 != 0; j = (j + 1) & (ncap - 1))
            ;
        fresh[j] = old[i];
        m->used++;
    }
    m->slots = fresh;
    m->cap = ncap;
    free(old);
    return true;
}

static bool hmap_grow(struct hmap *m)
{
    return hmap_rehash(m, m->cap ? m->cap * 2 : 64);
}

/* Room for n live keys without growing (at most half full). */
static bool hmap_reserve(struct hmap *m, size_t n)
{
    size_t ncap = m->cap ? m->cap : 64;

    if (n > SIZE_MAX / 4 / sizeof(*m->slots))
        return false; /* more slots than memory could hold */
    while (ncap < 2 * n)
        ncap *= 2;
    return ncap == m->cap || hmap_rehash(m, ncap);
}

/*
 * Insert (caller checked the key is absent).  In a name map, the entry
 * val indexes already holds the name: a rehash reads it.
 */
static bool hmap_put(struct hmap *m, const struct hkey *k, uint32_t val)
{
    size_t i;

    if ((m->used + 1) * 2 > m->cap && !hmap_grow(m))
        return false;
    for (i = k->hash & (m->cap - 1); hslot_live(&m->slots[i]); i = (i + 1) & (m->cap - 1))
        ;
    if (m->slots[i].val1 == 0)
        m->used++;
    m->slots[i].tag = k->tag;
    m->slots[i].val1 = val + 1;
    return true;
}

static void hmap_del(struct hmap *m, const struct hkey *k)
{
    struct hslot *s = hmap_find(m, k);

    if (s != NULL)
        s->val1 = HSLOT_DELETED;
}

/* ------------------------------------------------------------------------ */
/* Strings kept once, in the order added: the templates and denied names.    */

/*
 * A hostile or generated aws-auth may give tens of thousands of each (one
 * template a templated entry, one denied name a collision), and every
 * first login copies them all (eksauth_iddb_builder_from_db): a scan per
 * add was quadratic (30,000 of each: 5 s a first login, under the lock).
 */
struct strset {
    char **v;
    size_t n, cap;
    struct hmap index; /* each string to its place in v */
};

static const char *strset_at(const void *ctx, uint32_t i)
{
    return ((const struct strset *)ctx)->v[i];
}

/* Empty; s must stay where it is (its index reads its strings through it). */
static void strset_init(struct strset *s, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->index.name_at = strset_at;
    s->index.ctx = s;
    s->index.seed = seed;
}

static void strset_clear(struct strset *s)
{
    size_t i;

    for (i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    free(s->index.slots);
    strset_init(s, s->index.seed);
}

/* str added unless already there; false when memory is short (s unchanged). */
static bool strset_add(struct strset *s, const char *str)
{
    struct hkey k = hkey_name(s->index.seed, str);
    char *c;

    if (hmap_find(&s->index, &k) != NULL)
        return true;
    if (s->n >= UINT32_MAX - 1 ||
        !eksauth_array_reserve((void **)&s->v, &s->cap, s->n, 1, sizeof(*s->v)))
        return false;
    c = strdup(str);
    if (c == NULL)
        return false;
    /* In place before it is indexed: a rehash reads it from there. */
    s->v[s->n] = c;
    if (!hmap_put(&s->index, &k, (uint32_t)s->n)) {
        free(c);
        return false;
    }
    s->n++;
    return true;
}

/* ------------------------------------------------------------------------ */
/* The builder.                                                              */

/* A user's and a group's strings live in the builder's arena (strs). */
struct b_user {
    char *login, *k8s, *arn, *gecos, *home, *shell;
    uint16_t len[IDDB_U_NSTR]; /* their strlen, in that order (write_user's), each <= 4096 */
    uint32_t uid, gid, flags;
    uint64_t last_login;
    uint32_t *groups; /* its groups: indexes into the builder's groups */
    size_t n_groups;
    bool dead;
};

struct b_group {
    char *name, *k8s;
    uint32_t gid, flags;
    bool dead;
};

struct b_tomb {
    char name[IDDB_T_NAME];
    uint32_t id;
    bool is_group;
    uint64_t until;
};

struct eksauth_iddb_builder {
    uint32_t id_min, id_max, users_gid;
    bool keyed;
    uint64_t key_check;
    char *home, *shell;
    uint64_t generation;
    struct b_user *users;
    size_t n_users, cap_users, live_users;
    struct b_group *groups;
    size_t n_groups, cap_groups, live_groups;
    struct strset templates, denied;
    struct b_tomb *tombs;
    size_t n_tombs, cap_tombs;
    /* id_owner: id -> 1 user, 2 group, 3 private group (version 2's, read back) */
    struct hmap user_by_name, group_by_name, id_owner;
    uint64_t seed; /* every map's hash seed */
    /*
     * The ids tombstones hold, as a uid ([0]) and as a gid ([1]), each to
     * its tombstone's index in tombs (carry_tombstone raises its end):
     * whatever reorders tombs re-points them (reindex_tombs).  One id and
     * kind, one tombstone, found in O(1) (a DB may carry a million: a scan
     * per add made every sync and first login quadratic in them).
     */
    struct hmap tomb_ids[2];
    /*
     * Every user's and group's strings: one allocation per 64 KiB, freed at
     * once, rather than seven per user (a sync adds 100,000 users).  What a
     * failed add copied stays until the builder is freed.
     */
    struct eksauth_arena strs;
};

static bool str_ok(const char *s, const char *forbidden)
{
    return s != NULL && strlen(s) <= EKSAUTH_IDDB_STR_MAX && strpbrk(s, forbidden) == NULL;
}

static bool path_ok(const char *s)
{
    /* Served in passwd lines: absolute, no ':' or newline. */
    return str_ok(s, ":\n") && s[0] == '/';
}

/* A user's strings in the record's order (IDDB_U_NSTR of them). */
static void user_strs(const struct b_user *u, const char *strs[IDDB_U_NSTR])
{
    strs[0] = u->login;
    strs[1] = u->k8s;
    strs[2] = u->arn;
    strs[3] = u->gecos;
    strs[4] = u->home;
    strs[5] = u->shell;
}

/* A copy of s in the builder's arena, or NULL. */
static char *keep_str(struct eksauth_iddb_builder *b, const char *s)
{
    return eksauth_arena_strndup(&b->strs, s, strlen(s));
}

/* The names the name maps read back (hmap), by index into the builder's users and groups. */
static const char *user_login_at(const void *ctx, uint32_t i)
{
    return ((const struct eksauth_iddb_builder *)ctx)->users[i].login;
}

static const char *group_name_at(const void *ctx, uint32_t i)
{
    return ((const struct eksauth_iddb_builder *)ctx)->groups[i].name;
}

enum eksauth_status eksauth_iddb_builder_new(const struct eksauth_iddb_params *params,
                                             struct eksauth_iddb_builder **out,
                                             struct eksauth_error *err)
{
    struct eksauth_iddb_builder *b;
    const char *home = DEFAULT_HOME, *shell = DEFAULT_SHELL;
    uint32_t id_min = EKSAUTH_ID_MIN, id_max = EKSAUTH_ID_MAX;

    *out = NULL;
    if (params != NULL) {
        if (params->id_min != 0 || params->id_max != 0) {
            id_min = params->id_min;
            id_max = params->id_max;
        }
        if (params->home != NULL)
            home = params->home;
        if (params->shell != NULL)
            shell = params->shell;
    }
    /* id 0 is root: never in the range. */
    if (id_min == 0 || id_min > id_max)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad id range %u-%u", id_min, id_max);
    /* The users' group is served, so its gid is in the range like every other. */
    if (params != NULL && params->users_gid != 0 &&
        (params->users_gid < id_min || params->users_gid > id_max))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: users' gid %u out of range",
                            params->users_gid);
    if (!path_ok(home) || !path_ok(shell))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: home and shell must be absolute paths without ':'");
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    b->id_min = id_min;
    b->id_max = id_max;
    b->users_gid = params != NULL ? params->users_gid : 0;
    b->keyed = params != NULL && params->keyed;
    b->key_check = b->keyed ? params->key_check : 0;
    b->generation = 1;
    /*
     * The maps' hash is seeded: a fixed one lets whoever writes aws-auth
     * choose logins (or, unkeyed, ids) that share a slot and make every
     * add walk one cluster.  No slot order reaches the DB, so the seed
     * changes no byte of it (eksauth_strmap_seed says where it comes from).
     */
    b->seed = eksauth_strmap_seed(b);
    b->user_by_name = (struct hmap){.name_at = user_login_at, .ctx = b, .seed = b->seed};
    b->group_by_name = (struct hmap){.name_at = group_name_at, .ctx = b, .seed = b->seed};
    b->id_owner.seed = b->seed;
    b->tomb_ids[0].seed = b->seed;
    b->tomb_ids[1].seed = b->seed;
    strset_init(&b->templates, b->seed);
    strset_init(&b->denied, b->seed);
    b->home = strdup(home);
    b->shell = strdup(shell);
    if (b->home == NULL || b->shell == NULL) {
        eksauth_iddb_builder_free(b);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    }
    *out = b;
    return EKSAUTH_OK;
}

void eksauth_iddb_builder_free(struct eksauth_iddb_builder *b)
{
    if (b == NULL)
        return;
    free(b->users);
    free(b->groups);
    eksauth_arena_free(&b->strs);
    strset_clear(&b->templates);
    strset_clear(&b->denied);
    free(b->tombs);
    free(b->tomb_ids[0].slots);
    free(b->tomb_ids[1].slots);
    free(b->user_by_name.slots);
    free(b->group_by_name.slots);
    free(b->id_owner.slots);
    free(b->home);
    free(b->shell);
    free(b);
}

enum eksauth_status eksauth_iddb_builder_reserve(struct eksauth_iddb_builder *b, size_t n_users,
                                                 size_t n_groups, struct eksauth_error *err)
{
    if (!eksauth_array_reserve((void **)&b->users, &b->cap_users, b->n_users, n_users,
                               sizeof(*b->users)) ||
        !eksauth_array_reserve((void **)&b->groups, &b->cap_groups, b->n_groups, n_groups,
                               sizeof(*b->groups)) ||
        !hmap_reserve(&b->user_by_name, b->live_users + n_users) ||
        !hmap_reserve(&b->group_by_name, b->live_groups + n_groups) ||
        !hmap_reserve(&b->id_owner, b->live_users + b->live_groups + n_users + n_groups))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    return EKSAUTH_OK;
}

void eksauth_iddb_builder_set_generation(struct eksauth_iddb_builder *b, uint64_t generation)
{
    b->generation = generation;
}

uint32_t eksauth_iddb_builder_user_count(const struct eksauth_iddb_builder *b)
{
    return (uint32_t)b->live_users;
}

uint32_t eksauth_iddb_builder_group_count(const struct eksauth_iddb_builder *b)
{
    return (uint32_t)b->live_groups;
}

static struct hslot *id_owner(const struct eksauth_iddb_builder *b, uint32_t id)
{
    struct hkey k = hkey_id(b->seed, id);

    return hmap_find(&b->id_owner, &k);
}

static struct b_group *find_group_key(const struct eksauth_iddb_builder *b, const struct hkey *k)
{
    struct hslot *s = hmap_find(&b->group_by_name, k);

    return s == NULL ? NULL : &b->groups[hslot_val(s)];
}

static struct b_group *find_group(const struct eksauth_iddb_builder *b, const char *name)
{
    struct hkey k = hkey_name(b->seed, name);

    return find_group_key(b, &k);
}

bool eksauth_iddb_builder_has_group(const struct eksauth_iddb_builder *b, const char *name)
{
    return find_group(b, name) != NULL;
}

bool eksauth_iddb_builder_id_used(const struct eksauth_iddb_builder *b, uint32_t id)
{
    return id_owner(b, id) != NULL;
}

bool eksauth_iddb_same_group(uint32_t flags, const char *k8s_group,
                             const struct eksauth_iddb_group_in *g)
{
    bool local = (flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0;

    if (local != ((g->flags & EKSAUTH_IDDB_GROUP_LOCAL) != 0))
        return false;
    /* A local group is the host's: group_map may send several k8s groups to it on purpose. */
    return local || strcmp(k8s_group, g->k8s_group != NULL ? g->k8s_group : "") == 0;
}

bool eksauth_iddb_builder_group_is(const struct eksauth_iddb_builder *b,
                                   const struct eksauth_iddb_group_in *g)
{
    const struct b_group *have = find_group(b, g->name);

    return have != NULL && eksauth_iddb_same_group(have->flags, have->k8s, g);
}

static struct b_user *find_user_key(const struct eksauth_iddb_builder *b, const struct hkey *k)
{
    struct hslot *s = hmap_find(&b->user_by_name, k);

    return s == NULL ? NULL : &b->users[hslot_val(s)];
}

static struct b_user *find_user(const struct eksauth_iddb_builder *b, const char *login)
{
    struct hkey k = hkey_name(b->seed, login);

    return find_user_key(b, &k);
}

bool eksauth_iddb_builder_has_user(const struct eksauth_iddb_builder *b, const char *login)
{
    return find_user(b, login) != NULL;
}

enum eksauth_status eksauth_iddb_builder_add_group(struct eksauth_iddb_builder *b,
                                                   const struct eksauth_iddb_group_in *g,
                                                   struct eksauth_error *err)
{
    const char *k8s = g->k8s_group != NULL ? g->k8s_group : "";
    struct hslot *owner;
    struct b_user *u;
    struct b_group *ng;
    struct hkey name, gid;

    /* Only names NSS may serve, and nothing that could split a group line. */
    if (g->name == NULL || !eksauth_names_valid(g->name))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group '%s': invalid name",
                            g->name != NULL ? g->name : "(null)");
    if (!str_ok(k8s, "\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: bad k8s group", g->name);
    if ((g->flags & ~(EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL)) != 0 ||
        g->flags == (EKSAUTH_IDDB_GROUP_PRIVATE | EKSAUTH_IDDB_GROUP_LOCAL))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: bad flags", g->name);
    /* gid 0 never; a served group stays in our range (a local one is the admin's choice). */
    if (g->gid == 0 ||
        ((g->flags & EKSAUTH_IDDB_GROUP_LOCAL) == 0 && (g->gid < b->id_min || g->gid > b->id_max)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: gid %u out of range",
                            g->name, g->gid);
    name = hkey_name(b->seed, g->name);
    gid = hkey_id(b->seed, g->gid);
    hmap_prefetch(&b->group_by_name, &name);
    hmap_prefetch(&b->user_by_name, &name);
    hmap_prefetch(&b->id_owner, &gid);
    if (find_group_key(b, &name) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: already present", g->name);
    u = find_user_key(b, &name);
    /* A group may share a user's name only as that user's private group. */
    if (u != NULL && ((g->flags & EKSAUTH_IDDB_GROUP_PRIVATE) == 0 || u->gid != g->gid))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: name of a user", g->name);
    owner = hmap_find(&b->id_owner, &gid);
    /* One id, one owner: only a private group shares its id, with its own user. */
    if (owner != NULL && !(u != NULL && u->uid == g->gid))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: gid %u already used",
                            g->name, g->gid);
    if (!eksauth_array_reserve((void **)&b->groups, &b->cap_groups, b->n_groups, 1,
                               sizeof(*b->groups)))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    ng = &b->groups[b->n_groups];
    memset(ng, 0, sizeof(*ng));
    ng->name = keep_str(b, g->name);
    ng->k8s = keep_str(b, k8s);
    ng->gid = g->gid;
    ng->flags = g->flags;
    if (ng->name == NULL || ng->k8s == NULL ||
        !hmap_put(&b->group_by_name, &name, (uint32_t)b->n_groups) ||
        (owner == NULL &&
         !hmap_put(&b->id_owner, &gid, (g->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0 ? 3 : 2))) {
        if (ng->name != NULL)
            hmap_del(&b->group_by_name, &name);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    }
    b->n_groups++;
    b->live_groups++;
    return EKSAUTH_OK;
}

/*
 * gecos from a k8s username: shown as it reads (lib/printable.c: controls,
 * C1, BiDi and invisible characters become '?'), no ':' or ',' (passwd's
 * separators), at most GECOS_MAX bytes, cut on a character boundary.
 */
static char *make_gecos(struct eksauth_iddb_builder *b, const char *k8s)
{
    char g[GECOS_MAX + 1];
    size_t i;

    /*
     * Printable ASCII shows as it is (what eksauth_printable would give,
     * cut at GECOS_MAX): most k8s usernames, one pass and no decoding.
     */
    for (i = 0; k8s[i] >= 0x20 && k8s[i] < 0x7f && i < GECOS_MAX; i++)
        g[i] = k8s[i];
    if (k8s[i] == '\0' || i == GECOS_MAX)
        g[i] = '\0';
    else
        (void)eksauth_printable(k8s, g, sizeof(g));
    for (i = 0; g[i] != '\0'; i++) {
        if (g[i] == ':' || g[i] == ',')
            g[i] = '-';
    }
    return eksauth_arena_strndup(&b->strs, g, i);
}

enum eksauth_status eksauth_iddb_builder_add_user(struct eksauth_iddb_builder *b,
                                                  const struct eksauth_iddb_user_in *in,
                                                  struct eksauth_error *err)
{
    struct b_user nu;
    struct b_group *pg;
    struct hslot *owner;
    const char *k8s = in->k8s_username != NULL ? in->k8s_username : "";
    char home[PATH_MAX];
    struct hkey login, uid, group[PREFETCH_GROUPS];
    const char *strs[IDDB_U_NSTR];
    size_t i, j;
    bool own_private;

    memset(&nu, 0, sizeof(nu));
    if (in->login == NULL || !eksauth_names_valid(in->login))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user '%s': invalid name",
                            in->login != NULL ? in->login : "(null)");
    /* Every slot this user needs is asked for now: the checks below run while they load. */
    login = hkey_name(b->seed, in->login);
    uid = hkey_id(b->seed, in->uid);
    hmap_prefetch(&b->user_by_name, &login);
    hmap_prefetch(&b->group_by_name, &login);
    hmap_prefetch(&b->id_owner, &uid);
    for (i = 0; i < in->n_groups && i < PREFETCH_GROUPS; i++) {
        if (in->groups[i] != NULL) {
            group[i] = hkey_name(b->seed, in->groups[i]);
            hmap_prefetch(&b->group_by_name, &group[i]);
        }
    }
    if (find_user_key(b, &login) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: already present",
                            in->login);
    /* Never root, always inside the range NSS serves. */
    if (in->uid < b->id_min || in->uid > b->id_max)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: uid %u out of range",
                            in->login, in->uid);
    if ((in->flags & ~EKSAUTH_IDDB_USER_TEMPLATED) != 0 || in->n_groups > EKSAUTH_IDDB_MAX_GROUPS)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad flags or groups",
                            in->login);
    if (!str_ok(k8s, "\n") || (in->arn != NULL && !str_ok(in->arn, "\n")))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad k8s name or ARN",
                            in->login);
    /* gecos is a passwd field read on terminals: no ':' ',' newline or hidden characters. */
    if (in->gecos != NULL && (!str_ok(in->gecos, ":,\n") || !eksauth_is_printable(in->gecos)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad gecos", in->login);
    if (in->home == NULL &&
        eksauth_iddb_expand_home(b->home, in->login, home, sizeof(home)) >= sizeof(home))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: home too long", in->login);
    if ((in->home != NULL && !path_ok(in->home)) || (in->shell != NULL && !path_ok(in->shell)) ||
        (in->home == NULL && !path_ok(home)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad home or shell",
                            in->login);
    nu.uid = in->uid;
    nu.gid = in->gid != 0 ? in->gid : b->users_gid;
    nu.flags = in->flags;
    nu.last_login = in->last_login;
    if (nu.gid == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: user %s: no primary group (the DB has no users' group)",
                            in->login);
    owner = hmap_find(&b->id_owner, &uid);
    pg = find_group_key(b, &login);
    /*
     * A DB from before version 3 gave each user a private group, with the
     * user's name and id: read back, it may share both.  Nothing else may.
     */
    own_private = pg != NULL && (pg->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0 &&
                  pg->gid == nu.uid && nu.gid == nu.uid;
    if (owner != NULL && !own_private)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: uid %u already used",
                            in->login, nu.uid);
    if (pg != NULL && !own_private)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: user %s: a group of that name exists", in->login);
    /*
     * The primary group must be a served group of the DB (the users' group),
     * never another user's private group (3).
     */
    if (!own_private) {
        struct hslot *gs = id_owner(b, nu.gid);

        if (gs == NULL || hslot_val(gs) != 2 || nu.gid < b->id_min || nu.gid > b->id_max)
            return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: no group with gid %u",
                                in->login, nu.gid);
    }
    if (in->n_groups > 0) {
        nu.groups = eksauth_arena_alloc(&b->strs, in->n_groups * sizeof(*nu.groups));
        if (nu.groups == NULL)
            goto nomem;
    }
    for (i = 0; i < in->n_groups; i++) {
        struct b_group *g = in->groups[i] == NULL ? NULL
                            : i < PREFETCH_GROUPS ? find_group_key(b, &group[i])
                                                  : find_group(b, in->groups[i]);
        bool dup = false;

        /* Supplementary groups must exist; nobody joins another user's private group. */
        if (g == NULL ||
            ((g->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0 && strcmp(g->name, in->login) != 0))
            return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: unknown group %s",
                                in->login, in->groups[i] != NULL ? in->groups[i] : "(null)");
        if (g->gid == nu.gid)
            continue; /* the primary group is not repeated */
        /* One record per group: the same group is the same index. */
        for (j = 0; j < nu.n_groups && !dup; j++)
            dup = nu.groups[j] == (uint32_t)(g - b->groups);
        if (!dup)
            nu.groups[nu.n_groups++] = (uint32_t)(g - b->groups);
    }
    nu.login = keep_str(b, in->login);
    nu.k8s = keep_str(b, k8s);
    nu.arn = keep_str(b, in->arn != NULL ? in->arn : "");
    nu.gecos = in->gecos != NULL ? keep_str(b, in->gecos) : make_gecos(b, k8s);
    nu.home = keep_str(b, in->home != NULL ? in->home : home);
    /* The builder's shell outlives its users: shared, not copied. */
    nu.shell = in->shell != NULL ? keep_str(b, in->shell) : b->shell;
    if (nu.login == NULL || nu.k8s == NULL || nu.arn == NULL || nu.gecos == NULL ||
        nu.home == NULL || nu.shell == NULL)
        goto nomem;
    /* Measured once: the layout, the record and each group's members read them. */
    user_strs(&nu, strs);
    for (i = 0; i < IDDB_U_NSTR; i++)
        nu.len[i] = (uint16_t)strlen(strs[i]);
    if (!eksauth_array_reserve((void **)&b->users, &b->cap_users, b->n_users, 1, sizeof(*b->users)))
        goto nomem;
    /* In place before it is indexed: the name map reads the login from there. */
    b->users[b->n_users] = nu;
    if (!hmap_put(&b->user_by_name, &login, (uint32_t)b->n_users))
        goto nomem;
    if (owner == NULL && !hmap_put(&b->id_owner, &uid, 1)) {
        hmap_del(&b->user_by_name, &login);
        goto nomem;
    }
    b->n_users++;
    b->live_users++;
    return EKSAUTH_OK;
nomem:
    return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
}

bool eksauth_iddb_builder_remove_user(struct eksauth_iddb_builder *b, const char *login)
{
    struct hkey name = hkey_name(b->seed, login), id;
    struct b_user *u = find_user_key(b, &name);
    struct b_group *pg;

    if (u == NULL)
        return false;
    id = hkey_id(b->seed, u->uid);
    hmap_del(&b->user_by_name, &name);
    hmap_del(&b->id_owner, &id);
    pg = find_group_key(b, &name);
    if (pg != NULL && (pg->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0) {
        id = hkey_id(b->seed, pg->gid);
        hmap_del(&b->group_by_name, &name);
        hmap_del(&b->id_owner, &id);
        pg->dead = true;
        b->live_groups--;
    }
    memset(u, 0, sizeof(*u));
    u->dead = true;
    b->live_users--;
    return true;
}

enum eksauth_status eksauth_iddb_builder_add_template(struct eksauth_iddb_builder *b,
                                                      const char *tmpl, struct eksauth_error *err)
{
    if (tmpl == NULL || tmpl[0] == '\0' || !str_ok(tmpl, "\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad template");
    if (!strset_add(&b->templates, tmpl))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    return EKSAUTH_OK;
}

void eksauth_iddb_builder_clear_templates(struct eksauth_iddb_builder *b)
{
    strset_clear(&b->templates);
}

void eksauth_iddb_builder_clear_tombstones(struct eksauth_iddb_builder *b)
{
    free(b->tombs);
    free(b->tomb_ids[0].slots);
    free(b->tomb_ids[1].slots);
    b->tombs = NULL;
    b->n_tombs = b->cap_tombs = 0;
    memset(b->tomb_ids, 0, sizeof(b->tomb_ids));
}

enum eksauth_status eksauth_iddb_builder_add_denied(struct eksauth_iddb_builder *b,
                                                    const char *name, struct eksauth_error *err)
{
    if (name == NULL || name[0] == '\0' || !str_ok(name, "\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad denied name");
    if (!strset_add(&b->denied, name))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_builder_add_tombstone(struct eksauth_iddb_builder *b,
                                                       const struct eksauth_iddb_tombstone_in *t,
                                                       struct eksauth_error *err)
{
    struct hmap *held = &b->tomb_ids[t->is_group ? 1 : 0];
    struct hkey id = hkey_id(b->seed, t->id);
    struct b_tomb *nt;

    /* Only a name NSS could have served holds an id; never root's id. */
    if (t->name == NULL || !eksauth_names_valid(t->name) || t->id == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: tombstone '%s' (id %u): invalid",
                            t->name != NULL ? t->name : "(null)", t->id);
    /* A live entry's id is not a removed one's. */
    if (id_owner(b, t->id) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: tombstone %s: id %u belongs to a current entry", t->name,
                            t->id);
    /* The first tombstone of an id and kind holds it; another is refused (the header's rule). */
    if (hmap_find(held, &id) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: tombstone %s: %s %u already held",
                            t->name, t->is_group ? "gid" : "uid", t->id);
    /* The header counts tombstones in 32 bits. */
    if (b->n_tombs >= UINT32_MAX - 1 ||
        !eksauth_array_reserve((void **)&b->tombs, &b->cap_tombs, b->n_tombs, 1,
                               sizeof(*b->tombs)) ||
        !hmap_put(held, &id, (uint32_t)b->n_tombs))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    nt = &b->tombs[b->n_tombs++];
    memset(nt, 0, sizeof(*nt));
    memcpy(nt->name, t->name, strlen(t->name));
    nt->id = t->id;
    nt->is_group = t->is_group;
    nt->until = t->until;
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_builder_carry_tombstone(struct eksauth_iddb_builder *b,
                                                         const struct eksauth_iddb_tombstone_in *t,
                                                         bool *added, struct eksauth_error *err)
{
    /*
     * Its own login came back and was recorded beside it (iddb_template.h):
     * the entry holds the id now.  Refusing it (as add_tombstone does)
     * failed every later login's record until the next sync.
     */
    bool used = id_owner(b, t->id) != NULL;
    struct hkey id = hkey_id(b->seed, t->id);
    struct hslot *held = used ? NULL : hmap_find(&b->tomb_ids[t->is_group ? 1 : 0], &id);
    enum eksauth_status st = EKSAUTH_OK;

    /*
     * Held already: a login came back beside its own tombstone and a sync
     * removes it again.  The later end holds, or the id would be free at
     * the first removal's end, the second's files still on disk.
     */
    if (held != NULL) {
        struct b_tomb *bt = &b->tombs[hslot_val(held)];

        if (t->until > bt->until)
            bt->until = t->until;
    } else if (!used) {
        st = eksauth_iddb_builder_add_tombstone(b, t, err);
    }
    if (added != NULL)
        *added = !used && held == NULL && st == EKSAUTH_OK;
    return st;
}

enum eksauth_status eksauth_iddb_builder_from_db(const struct eksauth_iddb *db,
                                                 struct eksauth_iddb_builder **out,
                                                 struct eksauth_error *err)
{
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    enum eksauth_status st;
    const char **names = NULL;
    uint32_t i, j, n;

    *out = NULL;
    memset(&params, 0, sizeof(params));
    eksauth_iddb_id_range(db, &params.id_min, &params.id_max);
    params.home = eksauth_iddb_home_pattern(db);
    params.shell = eksauth_iddb_shell(db);
    params.users_gid = eksauth_iddb_users_gid(db);
    params.keyed = eksauth_iddb_keyed(db, &params.key_check);
    st = eksauth_iddb_builder_new(&params, &b, err);
    if (st != EKSAUTH_OK)
        goto out;
    b->generation = eksauth_iddb_generation(db) + 1;
    n = eksauth_iddb_group_count(db);
    for (i = 0; i < n; i++) {
        struct eksauth_iddb_group g;
        struct eksauth_iddb_group_in gi;

        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: malformed group record");
            goto out;
        }
        gi.name = g.name;
        gi.k8s_group = g.k8s_group;
        gi.gid = g.gid;
        gi.flags = g.flags;
        st = eksauth_iddb_builder_add_group(b, &gi, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    n = eksauth_iddb_user_count(db);
    names = calloc(EKSAUTH_IDDB_MAX_GROUPS, sizeof(*names));
    if (names == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        struct eksauth_iddb_user u;
        struct eksauth_iddb_user_in ui;

        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: malformed user record");
            goto out;
        }
        for (j = 0; j < u.n_groups; j++) {
            struct eksauth_iddb_group g;

            if (eksauth_iddb_user_group(db, &u, j, &g) != EKSAUTH_OK) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: malformed groups",
                                  u.login);
                goto out;
            }
            names[j] = g.name;
        }
        memset(&ui, 0, sizeof(ui));
        ui.login = u.login;
        ui.k8s_username = u.k8s_username;
        ui.arn = u.arn;
        /*
         * A gecos an earlier eksauth wrote and printable.h's rule of today
         * refuses is made again from the k8s username: a login's record
         * must not fail on it until the next sync.
         */
        ui.gecos = eksauth_is_printable(u.gecos) ? u.gecos : NULL;
        ui.home = u.home;
        ui.shell = u.shell;
        ui.uid = u.uid;
        ui.gid = u.gid;
        ui.flags = u.flags;
        ui.groups = names;
        ui.n_groups = u.n_groups;
        ui.last_login = u.last_login;
        st = eksauth_iddb_builder_add_user(b, &ui, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    for (i = 0; i < eksauth_iddb_template_count(db); i++) {
        st = eksauth_iddb_builder_add_template(b, eksauth_iddb_template_at(db, i), err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    for (i = 0; i < eksauth_iddb_denied_count(db); i++) {
        st = eksauth_iddb_builder_add_denied(b, eksauth_iddb_denied_at(db, i), err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    for (i = 0; i < eksauth_iddb_tombstone_count(db); i++) {
        struct eksauth_iddb_tombstone t;
        struct eksauth_iddb_tombstone_in ti;

        if (eksauth_iddb_tombstone_at(db, i, &t) != EKSAUTH_OK) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: malformed tombstone");
            goto out;
        }
        ti.name = t.name;
        ti.id = t.id;
        ti.is_group = t.is_group;
        ti.until = t.until;
        st = eksauth_iddb_builder_carry_tombstone(b, &ti, NULL, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    *out = b;
    b = NULL;
    st = EKSAUTH_OK;
out:
    free(names);
    eksauth_iddb_builder_free(b);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Serialisation.                                                            */

struct outbuf {
    unsigned char *p;
    size_t len, cap;
    bool oom;
};

/* Capacity for at least cap bytes in all (a hint: the image is still grown when short). */
static void ob_capacity(struct outbuf *o, size_t cap)
{
    unsigned char *np;

    if (o->oom || cap <= o->cap)
        return;
    np = realloc(o->p, cap);
    if (np == NULL) {
        o->oom = true;
        return;
    }
    o->p = np;
    o->cap = cap;
}

/* n more bytes at the end, for the caller to write every one of them; where they start. */
static size_t ob_take(struct outbuf *o, size_t n)
{
    size_t at = o->len;

    if (o->oom)
        return 0;
    if (o->len + n > o->cap) {
        size_t nc = o->cap ? o->cap : 4096;

        while (nc < o->len + n)
            nc *= 2;
        ob_capacity(o, nc);
        if (o->oom)
            return 0;
    }
    o->len += n;
    return at;
}

/* n more bytes at the end, zeroed; where they start. */
static size_t ob_reserve(struct outbuf *o, size_t n)
{
    size_t at = ob_take(o, n);

    if (!o->oom)
        memset(o->p + at, 0, n);
    return at;
}

/* Pad to a multiple of align with zeroes. */
static void ob_align(struct outbuf *o, size_t align)
{
    if (o->len % align != 0)
        ob_reserve(o, align - o->len % align);
}

static void wr16(struct outbuf *o, size_t at, uint16_t v)
{
    if (!o->oom)
        eksauth_le16_put(o->p + at, v);
}

static void wr32(struct outbuf *o, size_t at, uint32_t v)
{
    if (!o->oom)
        eksauth_le32_put(o->p + at, v);
}

static void wr64(struct outbuf *o, size_t at, uint64_t v)
{
    if (!o->oom)
        eksauth_le64_put(o->p + at, v);
}

/* Append s (len bytes, strlen(s)) and its NUL. */
static void ob_strn(struct outbuf *o, const char *s, size_t len)
{
    size_t at = ob_take(o, len + 1);

    if (!o->oom)
        memcpy(o->p + at, s, len + 1);
}

/* Append s and its NUL. */
static void ob_str(struct outbuf *o, const char *s)
{
    ob_strn(o, s, strlen(s));
}

/* qsort helpers: arrays of pointers into the builder. */
static int cmp_user_name(const void *a, const void *b)
{
    return strcmp((*(struct b_user *const *)a)->login, (*(struct b_user *const *)b)->login);
}

static int cmp_group_name(const void *a, const void *b)
{
    return strcmp((*(struct b_group *const *)a)->name, (*(struct b_group *const *)b)->name);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_tomb(const void *a, const void *b)
{
    const struct b_tomb *x = a, *y = b;

    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (int)x->is_group - (int)y->is_group;
}

/* Whether the n elements of a are already sorted by cmp (one pass; qsort is n log n). */
static bool in_order(const void *a, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    const char *p = a;
    size_t i;

    for (i = 1; i < n; i++)
        if (cmp(p + (i - 1) * size, p + i * size) > 0)
            return false;
    return true;
}

/* The tombstones that end last first; among equals, by id and kind (every host keeps the same). */
static int cmp_tomb_keep(const void *a, const void *b)
{
    const struct b_tomb *x = a, *y = b;

    if (x->until != y->until)
        return x->until > y->until ? -1 : 1;
    return cmp_tomb(a, b);
}

/* The id sets point into b->tombs; after a sort, at the new places (no allocation). */
static void reindex_tombs(struct eksauth_iddb_builder *b)
{
    size_t i;

    for (i = 0; i < b->n_tombs; i++) {
        struct hkey id = hkey_id(b->seed, b->tombs[i].id);
        struct hslot *s = hmap_find(&b->tomb_ids[b->tombs[i].is_group ? 1 : 0], &id);

        if (s != NULL)
            s->val1 = (uint32_t)i + 1;
    }
}

size_t eksauth_iddb_builder_keep_tombstones(struct eksauth_iddb_builder *b, size_t max)
{
    size_t i, dropped = 0;
    bool moved = false;

    if (b->n_tombs > max) {
        qsort(b->tombs, b->n_tombs, sizeof(*b->tombs), cmp_tomb_keep);
        moved = true;
        /* Out of the sets too: no allocation, so nothing here can fail. */
        for (i = max; i < b->n_tombs; i++) {
            struct hkey id = hkey_id(b->seed, b->tombs[i].id);

            hmap_del(&b->tomb_ids[b->tombs[i].is_group ? 1 : 0], &id);
        }
        dropped = b->n_tombs - max;
        b->n_tombs = max;
    }
    /* In the file's order, so serialize need not sort them (tombs_by_id). */
    if (!in_order(b->tombs, b->n_tombs, sizeof(*b->tombs), cmp_tomb)) {
        qsort(b->tombs, b->n_tombs, sizeof(*b->tombs), cmp_tomb);
        moved = true;
    }
    if (moved)
        reindex_tombs(b);
    return dropped;
}

/* A hash index under construction: slots of {key or tag, record offset}. */
struct index {
    uint32_t *slots; /* 2 words a slot, each little-endian as in the file */
    uint32_t n;      /* a power of two, or 0 */
};

/* Slots for n entries: at most half full, so a miss ends after a couple of probes. */
static uint32_t slots_for(size_t n)
{
    uint32_t s = 8;

    if (n == 0)
        return 0;
    while (s < 2 * n)
        s *= 2;
    return s;
}

/* Insert with linear probing from home; returns how far from home it landed. */
static uint32_t index_put(struct index *x, uint64_t home, uint32_t key, uint32_t rec)
{
    uint32_t i = (uint32_t)home & (x->n - 1), d = 0;

    while (x->slots[2 * i + 1] != 0) {
        i = (i + 1) & (x->n - 1);
        d++;
    }
    /* Stored as the file has them, so the section is one copy; nonzero either way. */
    eksauth_le32_put((unsigned char *)&x->slots[2 * i], key);
    eksauth_le32_put((unsigned char *)&x->slots[2 * i + 1], rec);
    return d;
}

/* What serialize lays out: records in name order, and where each lands. */
struct layout {
    struct b_user **us;
    struct b_group **gs;
    size_t nu, ng;
    uint32_t *urec, *grec;       /* record offsets */
    uint32_t *mem_n, *mem_first; /* per group: member count, first index into mem */
    uint32_t *mem;               /* user indexes, grouped by group, in login order */
    uint32_t *ugrp;              /* per user-group: the group's index, flattened */
    size_t *ugrp_first;
    struct index idx[4]; /* user by name, user by uid, group by name, group by gid */
    uint64_t *name_hash; /* users' then groups' names hashed with seed (fill_indexes) */
    uint64_t seed;
    uint32_t max_probe;
};

static void layout_free(struct layout *l)
{
    int k;

    free(l->us);
    free(l->gs);
    free(l->urec);
    free(l->grec);
    free(l->mem_n);
    free(l->mem_first);
    free(l->mem);
    free(l->ugrp);
    free(l->ugrp_first);
    free(l->name_hash);
    for (k = 0; k < 4; k++)
        free(l->idx[k].slots);
}

/* Start reading the slot a key with this hash goes to. */
static void index_prefetch(const struct index *x, uint64_t home)
{
    __builtin_prefetch(&x->slots[2 * ((uint32_t)home & (x->n - 1))]);
}

/* How many records ahead fill_indexes asks for the slots: their misses overlap. */
#define INDEX_AHEAD 8

/*
 * Fill the four hash indexes with seed; the longest probe distance.  The
 * seed comes from the names themselves (deterministic output) and moves on
 * when some key lands too far from home, so lookups stay short.  The names'
 * hashes stay in name_hash: the name filter is made of the last fill's.
 */
static uint32_t fill_indexes(struct layout *l, uint64_t seed)
{
    uint64_t *h = l->name_hash;
    uint32_t worst = 0, d;
    size_t i;
    int k;

    for (k = 0; k < 4; k++)
        if (l->idx[k].n > 0)
            memset(l->idx[k].slots, 0, (size_t)l->idx[k].n * 2 * sizeof(uint32_t));
    for (i = 0; i < l->nu; i++)
        h[i] = eksauth_iddb_hash_name(l->us[i]->login, strlen(l->us[i]->login), seed);
    for (i = 0; i < l->ng; i++)
        h[l->nu + i] = eksauth_iddb_hash_name(l->gs[i]->name, strlen(l->gs[i]->name), seed);
    for (i = 0; i < l->nu; i++) {
        if (i + INDEX_AHEAD < l->nu) {
            index_prefetch(&l->idx[0], h[i + INDEX_AHEAD]);
            index_prefetch(&l->idx[1], eksauth_iddb_hash_id(l->us[i + INDEX_AHEAD]->uid, seed));
        }
        d = index_put(&l->idx[0], h[i], (uint32_t)(h[i] >> 32), l->urec[i]);
        worst = d > worst ? d : worst;
        d = index_put(&l->idx[1], eksauth_iddb_hash_id(l->us[i]->uid, seed), l->us[i]->uid,
                      l->urec[i]);
        worst = d > worst ? d : worst;
    }
    h += l->nu;
    for (i = 0; i < l->ng; i++) {
        if (i + INDEX_AHEAD < l->ng) {
            index_prefetch(&l->idx[2], h[i + INDEX_AHEAD]);
            index_prefetch(&l->idx[3], eksauth_iddb_hash_id(l->gs[i + INDEX_AHEAD]->gid, seed));
        }
        d = index_put(&l->idx[2], h[i], (uint32_t)(h[i] >> 32), l->grec[i]);
        worst = d > worst ? d : worst;
        d = index_put(&l->idx[3], eksauth_iddb_hash_id(l->gs[i]->gid, seed), l->gs[i]->gid,
                      l->grec[i]);
        worst = d > worst ? d : worst;
    }
    return worst;
}

static bool build_indexes(struct layout *l)
{
    uint64_t seed = 0, best_seed = 0;
    uint32_t best = UINT32_MAX, tries;
    size_t i;
    int k;

    l->idx[0].n = l->idx[1].n = slots_for(l->nu);
    l->idx[2].n = l->idx[3].n = slots_for(l->ng);
    for (k = 0; k < 4; k++) {
        l->idx[k].slots = calloc((size_t)l->idx[k].n * 2 + 2, sizeof(uint32_t));
        if (l->idx[k].slots == NULL)
            return false;
    }
    l->name_hash = calloc(l->nu + l->ng + 1, sizeof(*l->name_hash));
    if (l->name_hash == NULL)
        return false;
    for (i = 0; i < l->nu; i++)
        seed = eksauth_iddb_hash_name(l->us[i]->login, strlen(l->us[i]->login) + 1, seed);
    for (i = 0; i < l->ng; i++)
        seed = eksauth_iddb_hash_name(l->gs[i]->name, strlen(l->gs[i]->name) + 1, seed);
    for (tries = 0; tries < 16; tries++, seed = eksauth_iddb_hash_id(tries, seed)) {
        uint32_t worst = fill_indexes(l, seed);

        if (worst < best) {
            best = worst;
            best_seed = seed;
        }
        if (best <= IDDB_MAX_PROBE)
            break;
    }
    if (seed != best_seed)
        fill_indexes(l, best_seed);
    l->seed = best_seed;
    l->max_probe = best;
    return true;
}

/* Records in name order, group lists and member lists, each record's size and offset. */
static enum eksauth_status plan_layout(const struct eksauth_iddb_builder *b, struct layout *l,
                                       size_t users_at, size_t *groups_at, size_t *end)
{
    uint32_t *fill = NULL, *pos = NULL;
    size_t i, j, nrefs = 0, at;
    enum eksauth_status ret = EKSAUTH_ENOMEM;

    l->us = calloc(b->live_users + 1, sizeof(*l->us));
    l->gs = calloc(b->live_groups + 1, sizeof(*l->gs));
    l->urec = calloc(b->live_users + 1, sizeof(*l->urec));
    l->grec = calloc(b->live_groups + 1, sizeof(*l->grec));
    l->mem_n = calloc(b->live_groups + 1, sizeof(*l->mem_n));
    l->mem_first = calloc(b->live_groups + 1, sizeof(*l->mem_first));
    l->ugrp_first = calloc(b->live_users + 1, sizeof(*l->ugrp_first));
    fill = calloc(b->live_groups + 1, sizeof(*fill));
    pos = calloc(b->n_groups + 1, sizeof(*pos));
    if (l->us == NULL || l->gs == NULL || l->urec == NULL || l->grec == NULL || l->mem_n == NULL ||
        l->mem_first == NULL || l->ugrp_first == NULL || fill == NULL || pos == NULL)
        goto out;
    for (i = 0; i < b->n_users; i++)
        if (!b->users[i].dead)
            l->us[l->nu++] = &b->users[i];
    for (i = 0; i < b->n_groups; i++)
        if (!b->groups[i].dead)
            l->gs[l->ng++] = &b->groups[i];
    /*
     * Records in name order: deterministic output, and enumeration in that
     * order.  A sync adds them in that order already (its plan is sorted).
     */
    if (!in_order(l->us, l->nu, sizeof(*l->us), cmp_user_name))
        qsort(l->us, l->nu, sizeof(*l->us), cmp_user_name);
    if (!in_order(l->gs, l->ng, sizeof(*l->gs), cmp_group_name))
        qsort(l->gs, l->ng, sizeof(*l->gs), cmp_group_name);
    /* Where each of the builder's groups lands among the records. */
    for (i = 0; i < l->ng; i++)
        pos[l->gs[i] - b->groups] = (uint32_t)i;
    for (i = 0; i < l->nu; i++) {
        l->ugrp_first[i] = nrefs;
        nrefs += l->us[i]->n_groups;
    }
    l->ugrp = calloc(nrefs + 1, sizeof(*l->ugrp));
    l->mem = calloc(nrefs + 1, sizeof(*l->mem));
    if (l->ugrp == NULL || l->mem == NULL)
        goto out;
    for (i = 0; i < l->nu; i++)
        for (j = 0; j < l->us[i]->n_groups; j++) {
            uint32_t g = pos[l->us[i]->groups[j]];

            l->ugrp[l->ugrp_first[i] + j] = g;
            l->mem_n[g]++;
        }
    for (i = 0, at = 0; i < l->ng; i++) {
        l->mem_first[i] = (uint32_t)at;
        at += l->mem_n[i];
    }
    /* Members in login order, since users are visited in that order. */
    for (i = 0; i < l->nu; i++)
        for (j = 0; j < l->us[i]->n_groups; j++) {
            uint32_t g = l->ugrp[l->ugrp_first[i] + j];

            l->mem[l->mem_first[g] + fill[g]++] = (uint32_t)i;
        }
    /* Sizes and offsets: users, then groups, each record 8-aligned. */
    at = users_at;
    for (i = 0; i < l->nu; i++) {
        const struct b_user *u = l->us[i];
        size_t sz = IDDB_U_GROUPS + u->n_groups * IDDB_UGROUP_SIZE + IDDB_U_NSTR;

        for (j = 0; j < IDDB_U_NSTR; j++)
            sz += u->len[j];

        l->urec[i] = (uint32_t)at;
        at += (sz + IDDB_ALIGN - 1) / IDDB_ALIGN * IDDB_ALIGN;
        if (at > EKSAUTH_IDDB_MAX_SIZE)
            goto too_large;
    }
    *groups_at = at;
    for (i = 0; i < l->ng; i++) {
        const struct b_group *g = l->gs[i];
        size_t sz =
            IDDB_G_MEMBER_OFFS + (size_t)l->mem_n[i] * 4 + strlen(g->name) + strlen(g->k8s) + 2;

        for (j = 0; j < l->mem_n[i]; j++)
            sz += l->us[l->mem[l->mem_first[i] + j]]->len[0] + 1u;
        l->grec[i] = (uint32_t)at;
        at += (sz + IDDB_ALIGN - 1) / IDDB_ALIGN * IDDB_ALIGN;
        if (at > EKSAUTH_IDDB_MAX_SIZE)
            goto too_large;
    }
    *end = at;
    ret = build_indexes(l) ? EKSAUTH_OK : EKSAUTH_ENOMEM;
    goto out;
too_large:
    ret = EKSAUTH_EINVAL;
out:
    free(pos);
    free(fill);
    return ret;
}

static void write_user(struct outbuf *o, const struct layout *l, size_t i)
{
    const struct b_user *u = l->us[i];
    const char *strs[IDDB_U_NSTR];
    size_t at = l->urec[i], start = o->len, k;

    user_strs(u, strs);

    ob_reserve(o, IDDB_U_GROUPS + u->n_groups * IDDB_UGROUP_SIZE);
    wr32(o, at + IDDB_U_UID, u->uid);
    wr32(o, at + IDDB_U_GID, u->gid);
    wr32(o, at + IDDB_U_FLAGS, u->flags);
    wr64(o, at + IDDB_U_LAST_LOGIN, u->last_login);
    wr32(o, at + IDDB_U_N_GROUPS, (uint32_t)u->n_groups);
    for (k = 0; k < u->n_groups; k++) {
        uint32_t g = l->ugrp[l->ugrp_first[i] + k];
        size_t e = at + IDDB_U_GROUPS + k * IDDB_UGROUP_SIZE;

        wr32(o, e, l->gs[g]->gid);
        wr32(o, e + 4, l->gs[g]->flags);
        wr32(o, e + 8, l->grec[g]);
    }
    for (k = 0; k < IDDB_U_NSTR; k++) {
        wr16(o, at + IDDB_U_STRLENS + k * 2, u->len[k]);
        ob_strn(o, strs[k], u->len[k]);
    }
    ob_align(o, IDDB_ALIGN);
    wr32(o, at + IDDB_U_LEN, (uint32_t)(o->len - start));
}

static void write_group(struct outbuf *o, const struct layout *l, size_t i)
{
    const struct b_group *g = l->gs[i];
    size_t at = l->grec[i], start = o->len, k, mstart;

    ob_reserve(o, IDDB_G_MEMBER_OFFS + (size_t)l->mem_n[i] * 4);
    wr32(o, at + IDDB_G_GID, g->gid);
    wr32(o, at + IDDB_G_FLAGS, g->flags);
    wr16(o, at + IDDB_G_NAME_LEN, (uint16_t)strlen(g->name));
    wr16(o, at + IDDB_G_K8S_LEN, (uint16_t)strlen(g->k8s));
    wr32(o, at + IDDB_G_N_MEMBERS, l->mem_n[i]);
    ob_str(o, g->name);
    ob_str(o, g->k8s);
    mstart = o->len;
    /* The member logins back to back: getgrnam copies them in one piece. */
    for (k = 0; k < l->mem_n[i]; k++) {
        wr32(o, at + IDDB_G_MEMBER_OFFS + k * 4, (uint32_t)(o->len - mstart));
        ob_strn(o, l->us[l->mem[l->mem_first[i] + k]]->login,
                l->us[l->mem[l->mem_first[i] + k]]->len[0]);
    }
    wr32(o, at + IDDB_G_MEMBERS_BYTES, (uint32_t)(o->len - mstart));
    ob_align(o, IDDB_ALIGN);
    wr32(o, at + IDDB_G_LEN, (uint32_t)(o->len - start));
}

/* An index section: the slots as built. */
static size_t write_index(struct outbuf *o, const struct index *x)
{
    size_t at;

    _Static_assert(IDDB_SLOT_SIZE == 2 * sizeof(uint32_t), "a slot is two words");
    ob_align(o, IDDB_ALIGN);
    at = ob_take(o, (size_t)x->n * IDDB_SLOT_SIZE);
    if (!o->oom && x->n > 0)
        memcpy(o->p + at, x->slots, (size_t)x->n * IDDB_SLOT_SIZE);
    return at;
}

static size_t write_order(struct outbuf *o, const uint32_t *recs, size_t n)
{
    size_t at, i;

    ob_align(o, IDDB_ALIGN);
    at = ob_reserve(o, n * 4);

    for (i = 0; i < n; i++)
        wr32(o, at + i * 4, recs[i]);
    return at;
}

/* Record where section s starts (at) and ends (now). */
static void set_section(struct outbuf *o, enum iddb_section s, size_t at)
{
    wr32(o, IDDB_H_SECTIONS + (size_t)s * 8, (uint32_t)at);
    wr32(o, IDDB_H_SECTIONS + (size_t)s * 8 + 4, (uint32_t)(o->len - at));
}

/*
 * About the whole image's size once the records end at end: the sections
 * after them and the block checksums, so the image is allocated once rather
 * than doubled (and copied) a dozen times.  Only a hint.
 */
static size_t image_size_hint(const struct eksauth_iddb_builder *b, const struct layout *l,
                              size_t end)
{
    size_t n = end, filter = IDDB_FILTER_MIN;
    int k;

    for (k = 0; k < 4; k++)
        n += (size_t)l->idx[k].n * IDDB_SLOT_SIZE + IDDB_ALIGN;
    while (filter < (l->nu + l->ng) * 2)
        filter *= 2;
    n += (l->nu + l->ng) * 4 + b->n_tombs * IDDB_T_SIZE + filter + 4 * IDDB_ALIGN;
    n += IDDB_BLOCK_SIZE; /* the last block's padding */
    return n + n / IDDB_BLOCK_SIZE * 8 + IDDB_BLOCK_SIZE;
}

static int cmp_tomb_at(const void *a, const void *b)
{
    return cmp_tomb(*(const struct b_tomb *const *)a, *(const struct b_tomb *const *)b);
}

/*
 * The tombstones sorted by id, so eksauth_iddb_id_held can search them:
 * pointers (8 bytes each), not a copy of the records (56: at the bound of
 * a million, 56 MB more in a sync's peak and in a first login's, under the
 * DB's lock).  A builder read back from a DB has them in order already.
 * NULL when memory is short.
 */
static const struct b_tomb **tombs_by_id(const struct eksauth_iddb_builder *b)
{
    const struct b_tomb **v = calloc(b->n_tombs + 1, sizeof(*v));
    size_t i;

    if (v == NULL)
        return NULL;
    for (i = 0; i < b->n_tombs; i++)
        v[i] = &b->tombs[i];
    if (!in_order(b->tombs, b->n_tombs, sizeof(*b->tombs), cmp_tomb))
        qsort(v, b->n_tombs, sizeof(*v), cmp_tomb_at);
    return v;
}

static bool users_group_served(const struct eksauth_iddb_builder *b)
{
    size_t i;

    for (i = 0; i < b->n_groups; i++) {
        if (!b->groups[i].dead && b->groups[i].gid == b->users_gid)
            return b->groups[i].flags == 0;
    }
    return false;
}

enum eksauth_status eksauth_iddb_builder_serialize(const struct eksauth_iddb_builder *b, void **out,
                                                   size_t *outlen, struct eksauth_error *err)
{
    struct outbuf o = {0};
    struct layout l;
    char **denied = NULL;
    enum eksauth_status ret = EKSAUTH_ENOMEM;
    size_t i, at, users_at, groups_at, end, blocks_at;
    const struct b_tomb **tombs = NULL;

    *out = NULL;
    *outlen = 0;
    memset(&l, 0, sizeof(l));
    /* NSS gives the users' group to templated names: it must be one the DB serves. */
    if (b->users_gid != 0 && !users_group_served(b))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: no served group has the users' gid %u", b->users_gid);
    denied = calloc(b->denied.n + 1, sizeof(*denied));
    tombs = tombs_by_id(b);
    if (denied == NULL || tombs == NULL)
        goto out;
    /* The header page, then the config section. */
    ob_reserve(&o, IDDB_DATA_START);
    at = o.len;
    ob_str(&o, b->home);
    ob_str(&o, b->shell);
    for (i = 0; i < b->templates.n; i++)
        ob_str(&o, b->templates.v[i]);
    if (b->denied.n > 0)
        memcpy(denied, b->denied.v, b->denied.n * sizeof(*denied));
    /* Sorted, so a reader can search it. */
    qsort(denied, b->denied.n, sizeof(*denied), cmp_str);
    for (i = 0; i < b->denied.n; i++)
        ob_str(&o, denied[i]);
    set_section(&o, IDDB_S_CONFIG, at);
    ob_align(&o, IDDB_ALIGN);
    if (o.oom)
        goto out;
    users_at = o.len;
    ret = plan_layout(b, &l, users_at, &groups_at, &end);
    if (ret != EKSAUTH_OK)
        goto out;
    ret = EKSAUTH_ENOMEM;
    ob_capacity(&o, image_size_hint(b, &l, end));
    for (i = 0; i < l.nu; i++)
        write_user(&o, &l, i);
    set_section(&o, IDDB_S_USERS, users_at);
    for (i = 0; i < l.ng; i++)
        write_group(&o, &l, i);
    set_section(&o, IDDB_S_GROUPS, groups_at);
    if (o.oom)
        goto out;
    set_section(&o, IDDB_S_USER_BY_NAME, write_index(&o, &l.idx[0]));
    set_section(&o, IDDB_S_USER_BY_UID, write_index(&o, &l.idx[1]));
    set_section(&o, IDDB_S_USER_ORDER, write_order(&o, l.urec, l.nu));
    set_section(&o, IDDB_S_GROUP_BY_NAME, write_index(&o, &l.idx[2]));
    set_section(&o, IDDB_S_GROUP_BY_GID, write_index(&o, &l.idx[3]));
    set_section(&o, IDDB_S_GROUP_ORDER, write_order(&o, l.grec, l.ng));
    ob_align(&o, IDDB_ALIGN);
    at = ob_reserve(&o, b->n_tombs * IDDB_T_SIZE);
    for (i = 0; i < b->n_tombs && !o.oom; i++) {
        size_t e = at + i * IDDB_T_SIZE;

        wr32(&o, e + IDDB_T_ID, tombs[i]->id);
        wr32(&o, e + IDDB_T_FLAGS, tombs[i]->is_group ? 1u : 0u);
        wr64(&o, e + IDDB_T_UNTIL, tombs[i]->until);
        memcpy(o.p + e + IDDB_T_NAME_AT, tombs[i]->name, strlen(tombs[i]->name));
    }
    set_section(&o, IDDB_S_TOMBSTONES, at);
    /* The name filter: 16 bits a name at least, two set per name. */
    {
        size_t fbytes = IDDB_FILTER_MIN, fbits;

        while (fbytes < (l.nu + l.ng) * 2)
            fbytes *= 2;
        fbits = fbytes * 8;
        ob_align(&o, IDDB_ALIGN);
        at = ob_reserve(&o, fbytes);
        /* The names hashed with l.seed: the last fill_indexes kept them. */
        for (i = 0; i < l.nu + l.ng && !o.oom; i++) {
            uint64_t h = l.name_hash[i];
            size_t b1 = (size_t)(h & (fbits - 1)), b2 = (size_t)((h >> 32) & (fbits - 1));

            o.p[at + b1 / 8] |= (unsigned char)(1u << (b1 % 8));
            o.p[at + b2 / 8] |= (unsigned char)(1u << (b2 % 8));
        }
        set_section(&o, IDDB_S_NAME_FILTER, at);
    }
    /* Blocks end where the next page starts; their checksums end the file. */
    ob_align(&o, IDDB_BLOCK_SIZE);
    blocks_at = ob_reserve(&o, (o.len - IDDB_DATA_START) / IDDB_BLOCK_SIZE * 8);
    set_section(&o, IDDB_S_BLOCKS, blocks_at);
    if (o.oom)
        goto out;
    if (o.len > EKSAUTH_IDDB_MAX_SIZE) {
        ret = EKSAUTH_EINVAL;
        goto out;
    }
    memcpy(o.p, EKSAUTH_IDDB_MAGIC, 8);
    wr32(&o, IDDB_H_VERSION, EKSAUTH_IDDB_VERSION);
    wr32(&o, IDDB_H_HSIZE, IDDB_HEADER_SIZE);
    wr64(&o, IDDB_H_GENERATION, b->generation);
    wr32(&o, IDDB_H_FLAGS, b->keyed ? EKSAUTH_IDDB_KEYED : 0);
    wr64(&o, IDDB_H_KEY_CHECK, b->key_check);
    wr32(&o, IDDB_H_USERS_GID, b->users_gid);
    wr32(&o, IDDB_H_ID_MIN, b->id_min);
    wr32(&o, IDDB_H_ID_MAX, b->id_max);
    wr32(&o, IDDB_H_N_USERS, (uint32_t)l.nu);
    wr32(&o, IDDB_H_N_GROUPS, (uint32_t)l.ng);
    wr32(&o, IDDB_H_N_TEMPLATES, (uint32_t)b->templates.n);
    wr32(&o, IDDB_H_N_DENIED, (uint32_t)b->denied.n);
    wr32(&o, IDDB_H_N_TOMBSTONES, (uint32_t)b->n_tombs);
    wr32(&o, IDDB_H_MAX_PROBE, l.max_probe);
    wr64(&o, IDDB_H_HASH_SEED, l.seed);
    wr32(&o, IDDB_H_USER_SLOTS, l.idx[0].n);
    wr32(&o, IDDB_H_GROUP_SLOTS, l.idx[2].n);
    eksauth_iddb_reseal(o.p, o.len);
    *out = o.p;
    *outlen = o.len;
    o.p = NULL;
    ret = EKSAUTH_OK;
out:
    if (ret == EKSAUTH_ENOMEM)
        eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    else if (ret == EKSAUTH_EINVAL)
        eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: too large (more than %u bytes)",
                     EKSAUTH_IDDB_MAX_SIZE);
    layout_free(&l);
    free(o.p);
    free(denied);
    free(tombs);
    return ret;
}
