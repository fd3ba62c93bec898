/*
 * hostfiles.c - the names and ids of local accounts and groups, read from
 * /etc/passwd and /etc/group with fgetpwent_r/fgetgrent_r: asking NSS instead
 * would ask eksauth itself, and the point is to know what the files own.
 * Also the blocks of subordinate ids of /etc/subuid and /etc/subgid, which
 * local accounts act as in user namespaces of their own.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/file.h"
#include "eksauth/hostfiles.h"
#include "eksauth/names.h"
#include "eksauth/strlist.h"

/*
 * The largest passwd or group file read: about two million accounts.  Only
 * a bound on what one read may allocate; a real host is far below it.
 */
#define HOSTFILE_MAX (256u << 20)

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_user(void *ctx, const char *name)
{
    const struct eksauth_hostfiles *hf = ctx;

    return hf->n_users > 0 &&
           bsearch(&name, hf->users, hf->n_users, sizeof(char *), cmp_str) != NULL;
}

static int cmp_group(const void *a, const void *b)
{
    return strcmp(((const struct eksauth_local_group *)a)->name,
                  ((const struct eksauth_local_group *)b)->name);
}

static bool has_group(void *ctx, const char *name, uint32_t *gid)
{
    const struct eksauth_hostfiles *hf = ctx;
    struct eksauth_local_group key = {(char *)name, 0};
    const struct eksauth_local_group *hit;

    hit = hf->n_groups > 0 ? bsearch(&key, hf->groups, hf->n_groups, sizeof(key), cmp_group) : NULL;
    if (hit == NULL)
        return false;
    if (gid != NULL)
        *gid = hit->gid;
    return true;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Whether id is in one of the subordinate blocks (sorted, apart): the last that starts at or below
 * it. */
static bool in_subs(const struct eksauth_hostfiles *hf, uint32_t id)
{
    size_t lo = 0, hi = hf->n_subs, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (hf->subs[mid].lo <= id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && id <= hf->subs[lo - 1].hi;
}

static bool has_id(void *ctx, uint32_t id)
{
    const struct eksauth_hostfiles *hf = ctx;

    /* A reserved id is held as a local one, on every host (names.h). */
    return eksauth_names_id_reserved(id) ||
           (hf->n_ids > 0 && bsearch(&id, hf->ids, hf->n_ids, sizeof(id), cmp_u32) != NULL) ||
           /* A local account acts as its subordinate ids in a user namespace of its own. */
           in_subs(hf, id);
}

static bool add_id(struct eksauth_hostfiles *hf, size_t *cap, uint32_t id)
{
    if (hf->n_ids == *cap) {
        size_t nc = *cap > 0 ? *cap * 2 : 64;
        uint32_t *grown = realloc(hf->ids, nc * sizeof(*grown));

        if (grown == NULL)
            return false;
        hf->ids = grown;
        *cap = nc;
    }
    hf->ids[hf->n_ids++] = id;
    return true;
}

/* Sort the ids and drop repeats. */
static void unique_ids(struct eksauth_hostfiles *hf)
{
    size_t i, n = 0;

    if (hf->n_ids == 0)
        return;
    qsort(hf->ids, hf->n_ids, sizeof(*hf->ids), cmp_u32);
    for (i = 0; i < hf->n_ids; i++) {
        if (n == 0 || hf->ids[n - 1] != hf->ids[i])
            hf->ids[n++] = hf->ids[i];
    }
    hf->n_ids = n;
}

/*
 * path read whole into *data and opened as a stream over that memory (*f):
 * fgetpwent and fgetgrent ask a file stream's kernel offset (lseek) at every
 * line, a system call per account on every login; a memory stream's offset
 * is a number.  Any failure is EKSAUTH_EIO: a missing /etc/passwd is a
 * broken host, not an unknown user.
 */
static enum eksauth_status open_in_memory(const char *path, char **data, FILE **f,
                                          struct eksauth_error *err)
{
    enum eksauth_status st;
    size_t len = 0;

    *f = NULL;
    st = eksauth_file_read(path, HOSTFILE_MAX, false, data, &len, err);
    if (st != EKSAUTH_OK) {
        if (err != NULL)
            err->status = EKSAUTH_EIO;
        return EKSAUTH_EIO;
    }
    *f = fmemopen(*data, len, "r");
    if (*f == NULL)
        return eksauth_fail(err, EKSAUTH_EIO, "%s: fmemopen: %s", path, strerror(errno));
    return EKSAUTH_OK;
}

/*
 * Entry buffers for fgetpwent_r and fgetgrent_r, grown on ERANGE.  Not
 * fgetpwent: it says "no more entries" for its own failed allocation too,
 * and a list of local names cut short would let a template serve the name
 * of a local account the list lost (docs/names-and-ids.md, "Names eksauth
 * never serves").
 */
struct entry_buf {
    char *p;
    size_t cap;
};

static bool entry_buf_grow(struct entry_buf *b)
{
    size_t cap = b->cap == 0 ? 4096 : b->cap * 2;
    char *p = cap > HOSTFILE_MAX ? NULL : realloc(b->p, cap);

    if (p == NULL)
        return false;
    b->p = p;
    b->cap = cap;
    return true;
}

/*
 * The next entry of f into *pw, or into *gr when pw is NULL: 1, or 0 at
 * the end, or -1 (err set) when an entry could not be read.
 */
static int next_entry(FILE *f, struct entry_buf *b, struct passwd *pw, struct group *gr,
                      const char *path, struct eksauth_error *err)
{
    struct passwd *pw_got = NULL;
    struct group *gr_got = NULL;
    off_t at = ftello(f);
    int rc;

    for (;;) {
        /* glibc before 2.32 leaves the line it could not hold half read: start it again. */
        if (fseeko(f, at, SEEK_SET) != 0)
            return eksauth_fail(err, EKSAUTH_EIO, "%s: fseeko: %s", path, strerror(errno)), -1;
        if (b->cap == 0)
            rc = ERANGE;
        else if (pw != NULL)
            rc = fgetpwent_r(f, pw, b->p, b->cap, &pw_got);
        else
            rc = fgetgrent_r(f, gr, b->p, b->cap, &gr_got);
        if (rc != ERANGE)
            break;
        if (!entry_buf_grow(b))
            return eksauth_fail(err, EKSAUTH_ENOMEM, "%s: out of memory for an entry", path), -1;
    }
    if (rc == ENOENT)
        return 0;
    if (rc != 0 || (pw_got == NULL && gr_got == NULL))
        return eksauth_fail(err, EKSAUTH_EIO, "%s: reading an entry: %s", path, strerror(rc)), -1;
    return 1;
}

/*
 * One line of subuid or subgid, "owner:start:count", into *r; false for a
 * line that delegates no id (no owner, or what eksauth_names_subid_block
 * refuses).
 */
static bool sub_line(const char *line, size_t n, struct eksauth_id_range *r)
{
    const char *c1 = memchr(line, ':', n);

    return c1 != NULL && c1 != line &&
           eksauth_names_subid_block(c1 + 1, n - (size_t)(c1 - line) - 1, &r->lo, &r->hi);
}

static bool add_sub(struct eksauth_hostfiles *hf, size_t *cap, const struct eksauth_id_range *r)
{
    if (hf->n_subs == *cap) {
        size_t nc = *cap > 0 ? *cap * 2 : 16;
        struct eksauth_id_range *grown = realloc(hf->subs, nc * sizeof(*grown));

        if (grown == NULL)
            return false;
        hf->subs = grown;
        *cap = nc;
    }
    hf->subs[hf->n_subs++] = *r;
    return true;
}

/* The largest subuid or subgid file read: a line per local account. */
#define SUBIDS_MAX (16u << 20)

/*
 * The blocks of the file called name in the folder of beside (subuid beside
 * passwd), added to hf->subs.  A missing file delegates nothing; one that
 * exists but cannot be read is EKSAUTH_EIO naming it: taken for empty, its
 * blocks would be given out.
 */
static enum eksauth_status load_subs(struct eksauth_hostfiles *hf, size_t *cap, const char *beside,
                                     const char *name, struct eksauth_error *err)
{
    const char *slash = strrchr(beside, '/'), *line, *nl;
    size_t dir = slash != NULL ? (size_t)(slash - beside) + 1 : 0, len = 0;
    struct eksauth_id_range r;
    enum eksauth_status st;
    char *path, *data = NULL;

    path = malloc(dir + strlen(name) + 1);
    if (path == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
    memcpy(path, beside, dir);
    strcpy(path + dir, name);
    st = eksauth_file_read(path, SUBIDS_MAX, false, &data, &len, err);
    if (st == EKSAUTH_ENOTFOUND) {
        st = EKSAUTH_OK;
        goto out;
    }
    if (st != EKSAUTH_OK) {
        /* The message names the file and why; a broken host, as for passwd. */
        st = EKSAUTH_EIO;
        if (err != NULL)
            err->status = st;
        goto out;
    }
    for (line = data; line < data + len; line = nl + 1) {
        nl = memchr(line, '\n', (size_t)(data + len - line));
        if (nl == NULL)
            nl = data + len;
        if (sub_line(line, (size_t)(nl - line), &r) && !add_sub(hf, cap, &r)) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
            goto out;
        }
    }
out:
    free(data);
    free(path);
    return st;
}

static int cmp_range(const void *a, const void *b)
{
    const struct eksauth_id_range *x = a, *y = b;

    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sort the blocks and merge those that overlap or touch. */
static void merge_subs(struct eksauth_hostfiles *hf)
{
    size_t i, n = 0;

    if (hf->n_subs == 0)
        return;
    qsort(hf->subs, hf->n_subs, sizeof(*hf->subs), cmp_range);
    for (i = 0; i < hf->n_subs; i++) {
        if (n > 0 &&
            (hf->subs[i].lo <= hf->subs[n - 1].hi || hf->subs[i].lo - hf->subs[n - 1].hi == 1)) {
            if (hf->subs[i].hi > hf->subs[n - 1].hi)
                hf->subs[n - 1].hi = hf->subs[i].hi;
        } else {
            hf->subs[n++] = hf->subs[i];
        }
    }
    hf->n_subs = n;
}

enum eksauth_status eksauth_hostfiles_load(struct eksauth_hostfiles *hf, const char *passwd_path,
                                           const char *group_path, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct entry_buf buf = {NULL, 0};
    struct passwd pwe, *pw = &pwe;
    struct group gre, *gr = &gre;
    FILE *f = NULL;
    int more;
    char *data = NULL;
    size_t id_cap = 0, sub_cap = 0;

    memset(hf, 0, sizeof(*hf));
    passwd_path = passwd_path != NULL ? passwd_path : EKSAUTH_HOSTFILES_PASSWD;
    group_path = group_path != NULL ? group_path : EKSAUTH_HOSTFILES_GROUP;

    st = open_in_memory(passwd_path, &data, &f, err);
    if (st != EKSAUTH_OK)
        goto out;
    while ((more = next_entry(f, &buf, pw, NULL, passwd_path, err)) > 0) {
        if (eksauth_strv_add(&hf->users, &hf->n_users, pw->pw_name, NULL) != EKSAUTH_OK ||
            !add_id(hf, &id_cap, (uint32_t)pw->pw_uid) ||
            !add_id(hf, &id_cap, (uint32_t)pw->pw_gid)) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
            goto out;
        }
    }
    if (more < 0) {
        st = err != NULL ? err->status : EKSAUTH_EIO;
        goto out;
    }
    fclose(f);
    f = NULL;
    free(data);
    data = NULL;

    st = open_in_memory(group_path, &data, &f, err);
    if (st != EKSAUTH_OK)
        goto out;
    while ((more = next_entry(f, &buf, NULL, gr, group_path, err)) > 0) {
        struct eksauth_local_group *grown;

        grown = realloc(hf->groups, (hf->n_groups + 1) * sizeof(*grown));
        if (grown == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
            goto out;
        }
        hf->groups = grown;
        grown[hf->n_groups].gid = (uint32_t)gr->gr_gid;
        grown[hf->n_groups].name = strdup(gr->gr_name);
        if (grown[hf->n_groups].name == NULL) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
            goto out;
        }
        hf->n_groups++;
        if (!add_id(hf, &id_cap, (uint32_t)gr->gr_gid)) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "hostfiles: out of memory");
            goto out;
        }
    }
    if (more < 0) {
        st = err != NULL ? err->status : EKSAUTH_EIO;
        goto out;
    }
    st = load_subs(hf, &sub_cap, passwd_path, "subuid", err);
    if (st == EKSAUTH_OK)
        st = load_subs(hf, &sub_cap, group_path, "subgid", err);
    if (st != EKSAUTH_OK)
        goto out;
    merge_subs(hf);
    if (hf->n_users > 0)
        qsort(hf->users, hf->n_users, sizeof(char *), cmp_str);
    if (hf->n_groups > 0)
        qsort(hf->groups, hf->n_groups, sizeof(*hf->groups), cmp_group);
    unique_ids(hf);
    hf->host.local_user = has_user;
    hf->host.local_group = has_group;
    hf->host.local_id = has_id;
    hf->host.ctx = hf;
out:
    if (f != NULL)
        fclose(f);
    free(data);
    free(buf.p);
    if (st != EKSAUTH_OK)
        eksauth_hostfiles_free(hf);
    return st;
}

bool eksauth_hostfiles_equal(const struct eksauth_hostfiles *a, const struct eksauth_hostfiles *b)
{
    size_t i;

    if (a->n_users != b->n_users || a->n_groups != b->n_groups || a->n_ids != b->n_ids ||
        a->n_subs != b->n_subs)
        return false;
    if (a->n_subs > 0 && memcmp(a->subs, b->subs, a->n_subs * sizeof(*a->subs)) != 0)
        return false;
    /* Each list is sorted (eksauth_hostfiles_load): the same accounts are the same order. */
    for (i = 0; i < a->n_users; i++)
        if (strcmp(a->users[i], b->users[i]) != 0)
            return false;
    for (i = 0; i < a->n_groups; i++)
        if (a->groups[i].gid != b->groups[i].gid ||
            strcmp(a->groups[i].name, b->groups[i].name) != 0)
            return false;
    return a->n_ids == 0 || memcmp(a->ids, b->ids, a->n_ids * sizeof(*a->ids)) == 0;
}

void eksauth_hostfiles_move(struct eksauth_hostfiles *to, struct eksauth_hostfiles *from)
{
    eksauth_hostfiles_free(to);
    *to = *from;
    /* The callbacks' context is the lists' own struct: now *to. */
    if (to->host.ctx != NULL)
        to->host.ctx = to;
    memset(from, 0, sizeof(*from));
}

void eksauth_hostfiles_free(struct eksauth_hostfiles *hf)
{
    size_t i;

    if (hf == NULL)
        return;
    eksauth_strv_free(hf->users, hf->n_users);
    for (i = 0; i < hf->n_groups; i++)
        free(hf->groups[i].name);
    free(hf->groups);
    free(hf->ids);
    free(hf->subs);
    memset(hf, 0, sizeof(*hf));
}
