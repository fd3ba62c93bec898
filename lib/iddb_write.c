/*
 * iddb_write.c - build, serialise and atomically replace the identity DB
 * (format in include/eksauth/iddb.h), and record one login under the
 * writer's lock.
 *
 * The builder checks every entry as it is added (valid POSIX names, no
 * field that could split a passwd or group line, ids never 0 and in range,
 * names and ids unique) so the file it writes is one the reader accepts.
 * Output is deterministic: records sorted by name, members by login.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/names.h"

#define DEFAULT_HOME  "/home/%u"
#define DEFAULT_SHELL "/bin/bash"
#define GECOS_MAX     256

/* ------------------------------------------------------------------------ */
/* A small open-addressing hash map: string or u32 keys to a u32 value.     */

struct hslot {
    uint64_t hash;
    const char *key; /* string maps; not owned */
    uint32_t ikey;   /* id maps */
    uint32_t val;
    unsigned char state; /* 0 empty, 1 live, 2 deleted */
};

struct hmap {
    struct hslot *slots;
    size_t cap, used; /* used counts live and deleted slots */
    bool ids;
};

static uint64_t hmap_hash_str(const char *s)
{
    return eksauth_iddb_checksum(s, strlen(s), 0x5eed);
}

static uint64_t hmap_hash_id(uint32_t id)
{
    return eksauth_iddb_checksum(&id, sizeof(id), 0x1d5);
}

static bool hmap_eq(const struct hmap *m, const struct hslot *s, const char *key, uint32_t ikey)
{
    return m->ids ? s->ikey == ikey : strcmp(s->key, key) == 0;
}

static struct hslot *hmap_find(const struct hmap *m, const char *key, uint32_t ikey)
{
    uint64_t h = m->ids ? hmap_hash_id(ikey) : hmap_hash_str(key);
    size_t i;

    if (m->cap == 0)
        return NULL;
    for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        struct hslot *s = &m->slots[i];

        if (s->state == 0)
            return NULL;
        if (s->state == 1 && s->hash == h && hmap_eq(m, s, key, ikey))
            return s;
    }
}

static bool hmap_grow(struct hmap *m)
{
    struct hslot *old = m->slots;
    size_t oldcap = m->cap, i, ncap = m->cap ? m->cap * 2 : 64;

    m->slots = calloc(ncap, sizeof(*m->slots));
    if (m->slots == NULL) {
        m->slots = old;
        return false;
    }
    m->cap = ncap;
    m->used = 0;
    for (i = 0; i < oldcap; i++) {
        if (old[i].state == 1) {
            size_t j;

            for (j = old[i].hash & (ncap - 1); m->slots[j].state != 0; j = (j + 1) & (ncap - 1))
                ;
            m->slots[j] = old[i];
            m->used++;
        }
    }
    free(old);
    return true;
}

/* Insert (caller checked the key is absent). */
static bool hmap_put(struct hmap *m, const char *key, uint32_t ikey, uint32_t val)
{
    uint64_t h;
    size_t i;

    if ((m->used + 1) * 2 > m->cap && !hmap_grow(m))
        return false;
    h = m->ids ? hmap_hash_id(ikey) : hmap_hash_str(key);
    for (i = h & (m->cap - 1); m->slots[i].state == 1; i = (i + 1) & (m->cap - 1))
        ;
    if (m->slots[i].state == 0)
        m->used++;
    m->slots[i].hash = h;
    m->slots[i].key = key;
    m->slots[i].ikey = ikey;
    m->slots[i].val = val;
    m->slots[i].state = 1;
    return true;
}

static void hmap_del(struct hmap *m, const char *key, uint32_t ikey)
{
    struct hslot *s = hmap_find(m, key, ikey);

    if (s != NULL)
        s->state = 2;
}

/* ------------------------------------------------------------------------ */
/* The builder.                                                              */

struct b_user {
    char *login, *k8s, *arn, *gecos, *home, *shell;
    uint32_t uid, gid, flags;
    char **groups;
    size_t n_groups;
    bool dead;
};

struct b_group {
    char *name, *k8s;
    uint32_t gid, flags;
    bool dead;
};

struct eksauth_iddb_builder {
    uint32_t id_min, id_max;
    char *home, *shell;
    uint64_t generation;
    struct b_user *users;
    size_t n_users, cap_users, live_users;
    struct b_group *groups;
    size_t n_groups, cap_groups, live_groups;
    char **templates;
    size_t n_templates;
    char **denied;
    size_t n_denied;
    struct hmap user_by_name, group_by_name, id_owner; /* id_owner: id -> 1 user, 2 group */
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

static bool push_str(char ***arr, size_t *n, const char *s)
{
    char **na = realloc(*arr, (*n + 1) * sizeof(**arr));
    char *c;

    if (na == NULL)
        return false;
    *arr = na;
    c = strdup(s);
    if (c == NULL)
        return false;
    na[(*n)++] = c;
    return true;
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
    if (!path_ok(home) || !path_ok(shell))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: home and shell must be absolute paths without ':'");
    b = calloc(1, sizeof(*b));
    if (b == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    b->id_min = id_min;
    b->id_max = id_max;
    b->generation = 1;
    b->id_owner.ids = true;
    b->home = strdup(home);
    b->shell = strdup(shell);
    if (b->home == NULL || b->shell == NULL) {
        eksauth_iddb_builder_free(b);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    }
    *out = b;
    return EKSAUTH_OK;
}

static void free_user(struct b_user *u)
{
    size_t i;

    free(u->login);
    free(u->k8s);
    free(u->arn);
    free(u->gecos);
    free(u->home);
    free(u->shell);
    for (i = 0; i < u->n_groups; i++)
        free(u->groups[i]);
    free(u->groups);
    memset(u, 0, sizeof(*u));
}

void eksauth_iddb_builder_free(struct eksauth_iddb_builder *b)
{
    size_t i;

    if (b == NULL)
        return;
    for (i = 0; i < b->n_users; i++)
        free_user(&b->users[i]);
    free(b->users);
    for (i = 0; i < b->n_groups; i++) {
        free(b->groups[i].name);
        free(b->groups[i].k8s);
    }
    free(b->groups);
    for (i = 0; i < b->n_templates; i++)
        free(b->templates[i]);
    free(b->templates);
    for (i = 0; i < b->n_denied; i++)
        free(b->denied[i]);
    free(b->denied);
    free(b->user_by_name.slots);
    free(b->group_by_name.slots);
    free(b->id_owner.slots);
    free(b->home);
    free(b->shell);
    free(b);
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

bool eksauth_iddb_builder_has_group(const struct eksauth_iddb_builder *b, const char *name)
{
    return hmap_find(&b->group_by_name, name, 0) != NULL;
}

bool eksauth_iddb_builder_id_used(const struct eksauth_iddb_builder *b, uint32_t id)
{
    return hmap_find(&b->id_owner, NULL, id) != NULL;
}

static struct b_group *find_group(const struct eksauth_iddb_builder *b, const char *name)
{
    struct hslot *s = hmap_find(&b->group_by_name, name, 0);

    return s == NULL ? NULL : &b->groups[s->val];
}

static struct b_user *find_user(const struct eksauth_iddb_builder *b, const char *login)
{
    struct hslot *s = hmap_find(&b->user_by_name, login, 0);

    return s == NULL ? NULL : &b->users[s->val];
}

enum eksauth_status eksauth_iddb_builder_add_group(struct eksauth_iddb_builder *b,
                                                   const struct eksauth_iddb_group_in *g,
                                                   struct eksauth_error *err)
{
    const char *k8s = g->k8s_group != NULL ? g->k8s_group : "";
    struct hslot *owner;
    struct b_user *u;
    struct b_group *ng;

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
    if (find_group(b, g->name) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: already present", g->name);
    u = find_user(b, g->name);
    /* A group may share a user's name only as that user's private group. */
    if (u != NULL && ((g->flags & EKSAUTH_IDDB_GROUP_PRIVATE) == 0 || u->gid != g->gid))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: name of a user", g->name);
    owner = hmap_find(&b->id_owner, NULL, g->gid);
    /* One id, one owner: only a private group shares its id, with its own user. */
    if (owner != NULL && !(u != NULL && u->uid == g->gid))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: group %s: gid %u already used",
                            g->name, g->gid);
    if (b->n_groups == b->cap_groups) {
        size_t nc = b->cap_groups ? b->cap_groups * 2 : 16;
        struct b_group *na = realloc(b->groups, nc * sizeof(*na));

        if (na == NULL)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        b->groups = na;
        b->cap_groups = nc;
    }
    ng = &b->groups[b->n_groups];
    memset(ng, 0, sizeof(*ng));
    ng->name = strdup(g->name);
    ng->k8s = strdup(k8s);
    ng->gid = g->gid;
    ng->flags = g->flags;
    if (ng->name == NULL || ng->k8s == NULL ||
        !hmap_put(&b->group_by_name, ng->name, 0, (uint32_t)b->n_groups) ||
        (owner == NULL && !hmap_put(&b->id_owner, NULL, g->gid, 2))) {
        hmap_del(&b->group_by_name, ng->name, 0);
        free(ng->name);
        free(ng->k8s);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    }
    b->n_groups++;
    b->live_groups++;
    return EKSAUTH_OK;
}

/* gecos from a k8s username: no ':' ',' or control characters, at most GECOS_MAX bytes. */
static char *make_gecos(const char *k8s)
{
    size_t n = strlen(k8s), i;
    char *g;

    if (n > GECOS_MAX) {
        n = GECOS_MAX;
        /* Cut on a UTF-8 character boundary. */
        while (n > 0 && ((unsigned char)k8s[n] & 0xC0) == 0x80)
            n--;
    }
    g = malloc(n + 1);
    if (g == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)k8s[i];

        g[i] = (c == ':' || c == ',' || c < 0x20 || c == 0x7f) ? '-' : (char)c;
    }
    g[n] = '\0';
    return g;
}

enum eksauth_status eksauth_iddb_builder_add_user(struct eksauth_iddb_builder *b,
                                                  const struct eksauth_iddb_user_in *in,
                                                  struct eksauth_error *err)
{
    struct b_user nu;
    struct b_group *pg;
    struct hslot *owner;
    enum eksauth_status st;
    const char *k8s = in->k8s_username != NULL ? in->k8s_username : "";
    char home[PATH_MAX];
    size_t i, j;
    bool added_private = false;

    memset(&nu, 0, sizeof(nu));
    if (in->login == NULL || !eksauth_names_valid(in->login))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user '%s': invalid name",
                            in->login != NULL ? in->login : "(null)");
    if (find_user(b, in->login) != NULL)
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
    /* gecos is a passwd field: no ':' ',' or newline (DESIGN §4). */
    if (in->gecos != NULL && !str_ok(in->gecos, ":,\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad gecos", in->login);
    if (in->home == NULL &&
        eksauth_iddb_expand_home(b->home, in->login, home, sizeof(home)) >= sizeof(home))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: home too long", in->login);
    if ((in->home != NULL && !path_ok(in->home)) || (in->shell != NULL && !path_ok(in->shell)) ||
        (in->home == NULL && !path_ok(home)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: bad home or shell",
                            in->login);
    nu.uid = in->uid;
    nu.gid = in->gid != 0 ? in->gid : in->uid;
    nu.flags = in->flags;
    owner = hmap_find(&b->id_owner, NULL, nu.uid);
    pg = find_group(b, in->login);
    /* The uid is free, or held by this user's own private group only. */
    if (owner != NULL &&
        !(pg != NULL && pg->gid == nu.uid && (pg->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: uid %u already used",
                            in->login, nu.uid);
    if (pg != NULL && ((pg->flags & EKSAUTH_IDDB_GROUP_PRIVATE) == 0 || pg->gid != nu.gid))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "identity DB: user %s: a group of that name exists", in->login);
    /* The primary group must exist: the private group, added here when missing. */
    if (pg == NULL && nu.gid == nu.uid) {
        struct eksauth_iddb_group_in priv = {in->login, "", nu.uid, EKSAUTH_IDDB_GROUP_PRIVATE};

        st = eksauth_iddb_builder_add_group(b, &priv, err);
        if (st != EKSAUTH_OK)
            return st;
        added_private = true;
    } else if (pg == NULL) {
        struct hslot *gs = hmap_find(&b->id_owner, NULL, nu.gid);

        if (gs == NULL || gs->val != 2 || nu.gid < b->id_min || nu.gid > b->id_max) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: no group with gid %u",
                              in->login, nu.gid);
            goto fail;
        }
    }
    for (i = 0; i < in->n_groups; i++) {
        struct b_group *g = in->groups[i] != NULL ? find_group(b, in->groups[i]) : NULL;
        bool dup = false;

        /* Supplementary groups must exist; nobody joins another user's private group. */
        if (g == NULL ||
            ((g->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0 && strcmp(g->name, in->login) != 0)) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: user %s: unknown group %s",
                              in->login, in->groups[i] != NULL ? in->groups[i] : "(null)");
            goto fail;
        }
        if (g->gid == nu.gid)
            continue; /* the primary group is not repeated */
        for (j = 0; j < nu.n_groups && !dup; j++)
            dup = strcmp(nu.groups[j], g->name) == 0;
        if (!dup && !push_str(&nu.groups, &nu.n_groups, g->name))
            goto nomem;
    }
    nu.login = strdup(in->login);
    nu.k8s = strdup(k8s);
    nu.arn = strdup(in->arn != NULL ? in->arn : "");
    nu.gecos = in->gecos != NULL ? strdup(in->gecos) : make_gecos(k8s);
    nu.home = strdup(in->home != NULL ? in->home : home);
    nu.shell = strdup(in->shell != NULL ? in->shell : b->shell);
    if (nu.login == NULL || nu.k8s == NULL || nu.arn == NULL || nu.gecos == NULL ||
        nu.home == NULL || nu.shell == NULL)
        goto nomem;
    if (b->n_users == b->cap_users) {
        size_t nc = b->cap_users ? b->cap_users * 2 : 16;
        struct b_user *na = realloc(b->users, nc * sizeof(*na));

        if (na == NULL)
            goto nomem;
        b->users = na;
        b->cap_users = nc;
    }
    if (!hmap_put(&b->user_by_name, nu.login, 0, (uint32_t)b->n_users))
        goto nomem;
    if (owner == NULL && !added_private && !hmap_put(&b->id_owner, NULL, nu.uid, 1)) {
        hmap_del(&b->user_by_name, nu.login, 0);
        goto nomem;
    }
    b->users[b->n_users++] = nu;
    b->live_users++;
    return EKSAUTH_OK;
nomem:
    st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
fail:
    free_user(&nu);
    if (added_private) {
        struct b_group *g = find_group(b, in->login);

        hmap_del(&b->group_by_name, in->login, 0);
        hmap_del(&b->id_owner, NULL, g->gid);
        free(g->name);
        free(g->k8s);
        b->n_groups--; /* it was the last one added */
        b->live_groups--;
    }
    return st;
}

bool eksauth_iddb_builder_remove_user(struct eksauth_iddb_builder *b, const char *login)
{
    struct b_user *u = find_user(b, login);
    struct b_group *pg;

    if (u == NULL)
        return false;
    hmap_del(&b->user_by_name, login, 0);
    hmap_del(&b->id_owner, NULL, u->uid);
    pg = find_group(b, login);
    if (pg != NULL && (pg->flags & EKSAUTH_IDDB_GROUP_PRIVATE) != 0) {
        hmap_del(&b->group_by_name, login, 0);
        hmap_del(&b->id_owner, NULL, pg->gid);
        pg->dead = true;
        b->live_groups--;
    }
    free_user(u);
    u->dead = true;
    b->live_users--;
    return true;
}

enum eksauth_status eksauth_iddb_builder_add_template(struct eksauth_iddb_builder *b,
                                                      const char *tmpl, struct eksauth_error *err)
{
    size_t i;

    if (tmpl == NULL || tmpl[0] == '\0' || !str_ok(tmpl, "\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad template");
    for (i = 0; i < b->n_templates; i++)
        if (strcmp(b->templates[i], tmpl) == 0)
            return EKSAUTH_OK;
    if (!push_str(&b->templates, &b->n_templates, tmpl))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    return EKSAUTH_OK;
}

void eksauth_iddb_builder_clear_templates(struct eksauth_iddb_builder *b)
{
    size_t i;

    for (i = 0; i < b->n_templates; i++)
        free(b->templates[i]);
    free(b->templates);
    b->templates = NULL;
    b->n_templates = 0;
}

enum eksauth_status eksauth_iddb_builder_add_denied(struct eksauth_iddb_builder *b,
                                                    const char *name, struct eksauth_error *err)
{
    size_t i;

    if (name == NULL || name[0] == '\0' || !str_ok(name, "\n"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad denied name");
    for (i = 0; i < b->n_denied; i++)
        if (strcmp(b->denied[i], name) == 0)
            return EKSAUTH_OK;
    if (!push_str(&b->denied, &b->n_denied, name))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    return EKSAUTH_OK;
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
        ui.gecos = u.gecos;
        ui.home = u.home;
        ui.shell = u.shell;
        ui.uid = u.uid;
        ui.gid = u.gid;
        ui.flags = u.flags;
        ui.groups = names;
        ui.n_groups = u.n_groups;
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

static size_t ob_reserve(struct outbuf *o, size_t n)
{
    size_t at = o->len;

    if (o->oom)
        return 0;
    if (o->len + n > o->cap) {
        size_t nc = o->cap ? o->cap : 4096;
        unsigned char *np;

        while (nc < o->len + n)
            nc *= 2;
        np = realloc(o->p, nc);
        if (np == NULL) {
            o->oom = true;
            return 0;
        }
        o->p = np;
        o->cap = nc;
    }
    memset(o->p + o->len, 0, n);
    o->len += n;
    return at;
}

static void wr32(struct outbuf *o, size_t at, uint32_t v)
{
    v = htole32(v);
    if (!o->oom)
        memcpy(o->p + at, &v, 4);
}

static void wr64(struct outbuf *o, size_t at, uint64_t v)
{
    v = htole64(v);
    if (!o->oom)
        memcpy(o->p + at, &v, 8);
}

/* The strings section, with identical strings stored once. */
struct strtab {
    struct outbuf o;
    struct hmap seen; /* keys point to the builder's strings, alive while serialising */
};

static bool st_add(struct strtab *t, const char *s, uint32_t *off, uint32_t *len)
{
    struct hslot *h = hmap_find(&t->seen, s, 0);
    size_t n = strlen(s), at;

    *len = (uint32_t)n;
    if (h != NULL) {
        *off = h->val;
        return true;
    }
    at = ob_reserve(&t->o, n + 1);
    if (t->o.oom || t->o.len > UINT32_MAX)
        return false;
    memcpy(t->o.p + at, s, n);
    *off = (uint32_t)at;
    return hmap_put(&t->seen, s, 0, (uint32_t)at);
}

static void wr_str(struct outbuf *o, size_t at, uint32_t off, uint32_t len)
{
    wr32(o, at, off);
    wr32(o, at + 4, len);
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

struct idx_id {
    uint32_t id, idx;
};

static int cmp_idx_id(const void *a, const void *b)
{
    const struct idx_id *x = a, *y = b;

    return x->id < y->id ? -1 : x->id > y->id;
}

enum eksauth_status eksauth_iddb_builder_serialize(const struct eksauth_iddb_builder *b, void **out,
                                                   size_t *outlen, struct eksauth_error *err)
{
    struct outbuf o = {0};
    struct strtab st = {0};
    struct b_user **us = NULL;
    struct b_group **gs = NULL;
    struct idx_id *ids = NULL;
    uint32_t *nmem = NULL, *memoff = NULL, *fill = NULL;
    char **denied = NULL;
    enum eksauth_status ret = EKSAUTH_ENOMEM;
    size_t nu = 0, ng = 0, i, j, nrefs = 0, users_at, groups_at, un_at, uu_at, gn_at, gg_at;
    size_t tpl_at, den_at, refs_at, str_at, uref;
    struct hmap gidx = {0};
    uint32_t off, len;

    *out = NULL;
    *outlen = 0;
    us = calloc(b->live_users + 1, sizeof(*us));
    gs = calloc(b->live_groups + 1, sizeof(*gs));
    ids =
        calloc((b->live_users > b->live_groups ? b->live_users : b->live_groups) + 1, sizeof(*ids));
    nmem = calloc(b->live_groups + 1, sizeof(*nmem));
    memoff = calloc(b->live_groups + 1, sizeof(*memoff));
    fill = calloc(b->live_groups + 1, sizeof(*fill));
    denied = calloc(b->n_denied + 1, sizeof(*denied));
    if (us == NULL || gs == NULL || ids == NULL || nmem == NULL || memoff == NULL || fill == NULL ||
        denied == NULL)
        goto out;
    for (i = 0; i < b->n_users; i++)
        if (!b->users[i].dead)
            us[nu++] = &b->users[i];
    for (i = 0; i < b->n_groups; i++)
        if (!b->groups[i].dead)
            gs[ng++] = &b->groups[i];
    /* Records in name order: deterministic output, and the name index is the identity. */
    qsort(us, nu, sizeof(*us), cmp_user_name);
    qsort(gs, ng, sizeof(*gs), cmp_group_name);
    for (i = 0; i < ng; i++)
        if (!hmap_put(&gidx, gs[i]->name, 0, (uint32_t)i))
            goto out;
    /* Refs pool: every user's groups, then every group's members. */
    for (i = 0; i < nu; i++) {
        nrefs += us[i]->n_groups;
        for (j = 0; j < us[i]->n_groups; j++)
            nmem[hmap_find(&gidx, us[i]->groups[j], 0)->val]++;
    }
    for (i = 0; i < ng; i++) {
        memoff[i] = (uint32_t)nrefs;
        nrefs += nmem[i];
    }
    /* Everything must be addressable with 32-bit offsets and stay under the reader's limit. */
    if (nrefs > UINT32_MAX / 8 || nu > UINT32_MAX / 128 || ng > UINT32_MAX / 64) {
        ret = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: too many entries");
        goto out;
    }

    ob_reserve(&o, EKSAUTH_IDDB_HEADER_SIZE);
    users_at = ob_reserve(&o, nu * EKSAUTH_IDDB_USER_SIZE);
    groups_at = ob_reserve(&o, ng * EKSAUTH_IDDB_GROUP_SIZE);
    un_at = ob_reserve(&o, nu * 4);
    uu_at = ob_reserve(&o, nu * 4);
    gn_at = ob_reserve(&o, ng * 4);
    gg_at = ob_reserve(&o, ng * 4);
    tpl_at = ob_reserve(&o, b->n_templates * 8);
    den_at = ob_reserve(&o, b->n_denied * 8);
    refs_at = ob_reserve(&o, nrefs * 4);
    if (o.oom)
        goto out;
    st.seen.ids = false;
    /* Offset 0 of the strings section is the empty string. */
    if (!st_add(&st, "", &off, &len))
        goto out;

    uref = 0;
    for (i = 0; i < nu; i++) {
        const struct b_user *u = us[i];
        size_t at = users_at + i * EKSAUTH_IDDB_USER_SIZE;
        const char *fields[6] = {u->login, u->k8s, u->arn, u->gecos, u->home, u->shell};

        for (j = 0; j < 6; j++) {
            if (!st_add(&st, fields[j], &off, &len))
                goto out;
            wr_str(&o, at + j * 8, off, len);
        }
        wr32(&o, at + 48, u->uid);
        wr32(&o, at + 52, u->gid);
        wr32(&o, at + 56, u->flags);
        wr32(&o, at + 60, (uint32_t)uref);
        wr32(&o, at + 64, (uint32_t)u->n_groups);
        for (j = 0; j < u->n_groups; j++) {
            uint32_t g = hmap_find(&gidx, u->groups[j], 0)->val;

            wr32(&o, refs_at + uref++ * 4, g);
            /* Members in login order, since users are visited in that order. */
            wr32(&o, refs_at + ((size_t)memoff[g] + fill[g]++) * 4, (uint32_t)i);
        }
        wr32(&o, un_at + i * 4, (uint32_t)i);
        ids[i].id = u->uid;
        ids[i].idx = (uint32_t)i;
    }
    qsort(ids, nu, sizeof(*ids), cmp_idx_id);
    for (i = 0; i < nu; i++)
        wr32(&o, uu_at + i * 4, ids[i].idx);
    for (i = 0; i < ng; i++) {
        const struct b_group *g = gs[i];
        size_t at = groups_at + i * EKSAUTH_IDDB_GROUP_SIZE;

        if (!st_add(&st, g->name, &off, &len))
            goto out;
        wr_str(&o, at, off, len);
        if (!st_add(&st, g->k8s, &off, &len))
            goto out;
        wr_str(&o, at + 8, off, len);
        wr32(&o, at + 16, g->gid);
        wr32(&o, at + 20, g->flags);
        wr32(&o, at + 24, memoff[i]);
        wr32(&o, at + 28, nmem[i]);
        wr32(&o, gn_at + i * 4, (uint32_t)i);
        ids[i].id = g->gid;
        ids[i].idx = (uint32_t)i;
    }
    qsort(ids, ng, sizeof(*ids), cmp_idx_id);
    for (i = 0; i < ng; i++)
        wr32(&o, gg_at + i * 4, ids[i].idx);
    for (i = 0; i < b->n_templates; i++) {
        if (!st_add(&st, b->templates[i], &off, &len))
            goto out;
        wr_str(&o, tpl_at + i * 8, off, len);
    }
    if (b->n_denied > 0)
        memcpy(denied, b->denied, b->n_denied * sizeof(*denied));
    qsort(denied, b->n_denied, sizeof(*denied), cmp_str);
    for (i = 0; i < b->n_denied; i++) {
        if (!st_add(&st, denied[i], &off, &len))
            goto out;
        wr_str(&o, den_at + i * 8, off, len);
    }
    if (!st_add(&st, b->home, &off, &len))
        goto out;
    wr_str(&o, 116, off, len);
    if (!st_add(&st, b->shell, &off, &len))
        goto out;
    wr_str(&o, 124, off, len);

    /* Append the strings section, padded to 4 with NULs (it must end in NUL). */
    str_at = ob_reserve(&o, st.o.len + ((4 - st.o.len % 4) % 4));
    if (o.oom || st.o.oom)
        goto out;
    memcpy(o.p + str_at, st.o.p, st.o.len);
    if (o.len > EKSAUTH_IDDB_MAX_SIZE) {
        ret = eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: too large (%zu bytes)", o.len);
        goto out;
    }

    memcpy(o.p, EKSAUTH_IDDB_MAGIC, 8);
    wr32(&o, 8, EKSAUTH_IDDB_VERSION);
    wr32(&o, 12, EKSAUTH_IDDB_HEADER_SIZE);
    wr64(&o, 16, o.len);
    wr64(&o, 32, b->generation);
    wr32(&o, 40, 0);
    wr32(&o, 44, b->id_min);
    wr32(&o, 48, b->id_max);
    wr32(&o, 52, (uint32_t)nu);
    wr32(&o, 56, (uint32_t)ng);
    wr32(&o, 60, (uint32_t)b->n_templates);
    wr32(&o, 64, (uint32_t)b->n_denied);
    wr32(&o, 68, (uint32_t)users_at);
    wr32(&o, 72, (uint32_t)groups_at);
    wr32(&o, 76, (uint32_t)un_at);
    wr32(&o, 80, (uint32_t)uu_at);
    wr32(&o, 84, (uint32_t)gn_at);
    wr32(&o, 88, (uint32_t)gg_at);
    wr32(&o, 92, (uint32_t)tpl_at);
    wr32(&o, 96, (uint32_t)den_at);
    wr32(&o, 100, (uint32_t)refs_at);
    wr32(&o, 104, (uint32_t)nrefs);
    wr32(&o, 108, (uint32_t)str_at);
    wr32(&o, 112, (uint32_t)(o.len - str_at));
    wr64(&o, 24, eksauth_iddb_checksum(o.p + 32, o.len - 32, 0));
    *out = o.p;
    *outlen = o.len;
    o.p = NULL;
    ret = EKSAUTH_OK;
out:
    if (ret == EKSAUTH_ENOMEM)
        eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
    free(o.p);
    free(st.o.p);
    free(st.seen.slots);
    free(gidx.slots);
    free(us);
    free(gs);
    free(ids);
    free(nmem);
    free(memoff);
    free(fill);
    free(denied);
    return ret;
}

/* ------------------------------------------------------------------------ */
/* Lock and atomic replace.                                                  */

/* Create the DB's folder (one level, 0755: every process reads the DB). */
static enum eksauth_status ensure_dir(const char *path, struct eksauth_error *err)
{
    char buf[PATH_MAX], *dir;

    if (strlen(path) >= sizeof(buf))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: path too long", path);
    strcpy(buf, path);
    dir = dirname(buf);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", dir, strerror(errno));
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_lock(const char *path, int *fdp, struct eksauth_error *err)
{
    char lock[PATH_MAX];
    enum eksauth_status st;
    int fd, n;

    *fdp = -1;
    n = snprintf(lock, sizeof(lock), "%s.lock", path);
    if (n < 0 || (size_t)n >= sizeof(lock))
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: %s: path too long", path);
    st = ensure_dir(path, err);
    if (st != EKSAUTH_OK)
        return st;
    /* O_NOFOLLOW: a planted symlink must not make root create or truncate another file. */
    fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
    if (fd < 0)
        return eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: %s", lock, strerror(errno));
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            st =
                eksauth_fail(err, EKSAUTH_EIO, "identity DB: %s: flock: %s", lock, strerror(errno));
            close(fd);
            return st;
        }
    }
    *fdp = fd;
    return EKSAUTH_OK;
}

void eksauth_iddb_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock */
}

enum eksauth_status eksauth_iddb_write_locked(const struct eksauth_iddb_builder *b,
                                              const char *path, struct eksauth_error *err)
{
    enum eksauth_status st;
    void *data = NULL;
    size_t len = 0;

    st = eksauth_iddb_builder_serialize(b, &data, &len, err);
    if (st == EKSAUTH_OK)
        st = ensure_dir(path, err);
    if (st != EKSAUTH_OK)
        goto out;
    /*
     * A writer killed between its temp file and the rename leaves that file
     * behind; each would hold a whole DB of disk space until a sync fails
     * for want of room.  We hold the writer's lock, so every such file of
     * this DB is a dead writer's.  A failure here costs only disk space: it
     * must not stop the DB being replaced.
     */
    (void)eksauth_file_remove_stale_temps(path, NULL, NULL);
    /* 0644: every process reads it (NSS); only root writes it. */
    st = eksauth_file_write_atomic(path, data, len, 0644, err);
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err, "identity DB");
out:
    free(data);
    return st;
}

enum eksauth_status eksauth_iddb_write(const struct eksauth_iddb_builder *b, const char *path,
                                       struct eksauth_error *err)
{
    enum eksauth_status st;
    int lfd;

    st = eksauth_iddb_lock(path, &lfd, err);
    if (st != EKSAUTH_OK)
        return st;
    st = eksauth_iddb_write_locked(b, path, err);
    eksauth_iddb_unlock(lfd);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Record one login.                                                         */

/* NULL and "" are the same ARN to the DB (the builder stores NULL as ""). */
static bool same_str(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* A DB field (not NUL-terminated) equals want (NULL never does). */
static bool field_is(const char *field, size_t len, const char *want)
{
    return want != NULL && strlen(want) == len && memcmp(field, want, len) == 0;
}

/*
 * True when db already holds exactly the record a login of u would write:
 * same k8s username, ARN, flags, home, shell, private primary group and the
 * same supplementary groups in the same order.  Then the login writes
 * nothing: rewriting an unchanged DB costs two fsyncs and the writer's lock
 * on every login, which serialises concurrent logins.  Anything else (a new
 * group, a changed home pattern, duplicates in the list) takes the write path.
 */
static bool record_is_current(const struct eksauth_iddb *db, const struct eksauth_iddb_user *old,
                              const struct eksauth_iddb_user_in *u,
                              const struct eksauth_iddb_group_in *groups, size_t n_groups)
{
    struct eksauth_iddb_group g;
    char home_buf[PATH_MAX];
    const char *home = u->home, *shell = u->shell != NULL ? u->shell : eksauth_iddb_shell(db);
    size_t i;

    if (u->k8s_username == NULL || strcmp(old->k8s_username, u->k8s_username) != 0 ||
        !same_str(old->arn, u->arn) || old->flags != u->flags || old->gid != old->uid ||
        (u->uid != 0 && u->uid != old->uid) || u->gid != 0 || u->gecos != NULL ||
        old->n_groups != n_groups)
        return false;
    if (home == NULL) {
        if (eksauth_iddb_expand_home(eksauth_iddb_home_pattern(db), u->login, home_buf,
                                     sizeof(home_buf)) >= sizeof(home_buf))
            return false;
        home = home_buf;
    }
    if (!field_is(old->home, old->home_len, home) || !field_is(old->shell, old->shell_len, shell))
        return false;
    for (i = 0; i < n_groups; i++) {
        if (eksauth_iddb_user_group(db, old, (uint32_t)i, &g) != EKSAUTH_OK ||
            !field_is(g.name, g.name_len, groups[i].name))
            return false;
    }
    return true;
}

enum eksauth_status eksauth_iddb_record_login(const char *path,
                                              const struct eksauth_iddb_user_in *u,
                                              const struct eksauth_iddb_group_in *groups,
                                              size_t n_groups, uint32_t *uid_out,
                                              struct eksauth_error *err)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_user old;
    struct eksauth_iddb_user_in in;
    enum eksauth_status st;
    const char **names = NULL;
    size_t i, nn = 0;
    int lfd = -1;

    if (u == NULL || u->login == NULL || n_groups > EKSAUTH_IDDB_MAX_GROUPS)
        return eksauth_fail(err, EKSAUTH_EINVAL, "identity DB: bad login record");
    /* The whole read-modify-write under the lock: a concurrent sync or login is not lost. */
    st = eksauth_iddb_lock(path, &lfd, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_iddb_open(path, &db, err);
    if (st != EKSAUTH_OK) {
        /* No valid DB: nothing to record into (sync makes it); fail closed. */
        if (st == EKSAUTH_EINVAL || st == EKSAUTH_EIO)
            st = EKSAUTH_EUNAVAIL;
        if (err != NULL)
            err->status = st;
        goto out;
    }
    in = *u;
    in.gid = 0;
    if (eksauth_iddb_user_by_name(db, u->login, &old) == EKSAUTH_OK) {
        if (record_is_current(db, &old, u, groups, n_groups)) {
            if (uid_out != NULL)
                *uid_out = old.uid;
            st = EKSAUTH_OK;
            goto out;
        }
        /* One POSIX name, one k8s username: a recorded login is never handed over. */
        if (u->k8s_username != NULL && strcmp(old.k8s_username, u->k8s_username) != 0) {
            st = eksauth_fail(err, EKSAUTH_EREJECTED,
                              "identity DB: login %s belongs to another k8s user", u->login);
            goto out;
        }
        /* An id never changes once given. */
        in.uid = old.uid;
    } else if (in.uid == 0) {
        /* The id NSS answered for this templated name, from the same DB. */
        st = eksauth_iddb_template_user(db, u->login, &in.uid);
        if (st != EKSAUTH_OK) {
            st = eksauth_fail(err, EKSAUTH_EREJECTED,
                              "identity DB: %s: not a templated name of the current aws-auth",
                              u->login);
            goto out;
        }
    }
    st = eksauth_iddb_builder_from_db(db, &b, err);
    if (st != EKSAUTH_OK)
        goto out;
    eksauth_iddb_builder_remove_user(b, u->login);
    names = calloc(n_groups + 1, sizeof(*names));
    if (names == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "identity DB: out of memory");
        goto out;
    }
    for (i = 0; i < n_groups; i++) {
        if (!eksauth_iddb_builder_has_group(b, groups[i].name)) {
            /* A new group keeps the gid the mapping gave it, unless another entry owns it. */
            st = eksauth_iddb_builder_add_group(b, &groups[i], err);
            if (st != EKSAUTH_OK)
                goto out;
        }
        names[nn++] = groups[i].name;
    }
    in.groups = names;
    in.n_groups = nn;
    st = eksauth_iddb_builder_add_user(b, &in, err);
    if (st != EKSAUTH_OK)
        goto out;
    st = eksauth_iddb_write_locked(b, path, err);
    if (st == EKSAUTH_OK && uid_out != NULL)
        *uid_out = in.uid;
out:
    free(names);
    eksauth_iddb_builder_free(b);
    eksauth_iddb_close(db);
    eksauth_iddb_unlock(lfd);
    return st;
}
