/*
 * iddb_upgrade.c - the identity DB in the formats before this one, read
 * once by `eksauth sync` (see iddb_upgrade.h): version 1 is rebuilt entry by
 * entry through the builder, version 2 (this layout, with the meaning of
 * before: private groups, no users' gid, unkeyed ids) is taken as it is.
 */
#include "config.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/file.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_upgrade.h"
#include "eksauth/printable.h"

/* ---------------------------------------------------------------- version 1 */

/*
 * Version 1: a 160-byte header (u32 counts and section offsets), 72-byte
 * user and 32-byte group records with string refs {u32 offset, u32 length}
 * into one strings section, a u32 refs pool for users' groups, and one
 * XXH64 over bytes [32, size) at offset 24.  Only what the builder needs is
 * read; the builder checks every entry again.
 */
enum {
    V1_HSIZE = 160,
    V1_USER = 72,
    V1_GROUP = 32,
};

static uint32_t v1_u32(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return le32toh(v);
}

static uint64_t v1_u64(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, 8);
    return le64toh(v);
}

struct v1 {
    const unsigned char *d;
    size_t len;
    uint32_t soff, slen, n_refs, refs;
};

/* The string a ref at p names, or NULL when it does not lie whole in the strings section. */
static const char *v1_str(const struct v1 *v, const unsigned char *p)
{
    uint32_t off = v1_u32(p), len = v1_u32(p + 4);
    const char *s;

    if (len > EKSAUTH_IDDB_STR_MAX || (uint64_t)off + len + 1 > v->slen)
        return NULL;
    s = (const char *)v->d + v->soff + off;
    return s[len] == '\0' && memchr(s, '\0', len) == NULL ? s : NULL;
}

/* Section of count records of size bytes at the u32 offset at header field h: inside the file. */
static const unsigned char *v1_sec(const struct v1 *v, size_t h, uint32_t count, uint32_t size)
{
    uint32_t off = v1_u32(v->d + h);

    if (count == 0)
        return v->d;
    if (off < V1_HSIZE || (uint64_t)off + (uint64_t)count * size > v->len)
        return NULL;
    return v->d + off;
}

static enum eksauth_status builder_from_v1(const unsigned char *d, size_t len,
                                           struct eksauth_iddb_builder **out,
                                           struct eksauth_error *err)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb_params params;
    struct v1 v = {d, len, 0, 0, 0, 0};
    const unsigned char *users, *groups, *refs, *tpl, *den;
    const char *names[EKSAUTH_IDDB_MAX_GROUPS];
    uint32_t nu, ng, nt, nd, i, j;
    enum eksauth_status st = EKSAUTH_EINVAL;

    *out = NULL;
    if (len < V1_HSIZE || v1_u32(d + 12) != V1_HSIZE || v1_u64(d + 16) != len ||
        eksauth_iddb_checksum(d + 32, len - 32, 0) != v1_u64(d + 24))
        goto bad;
    nu = v1_u32(d + 52);
    ng = v1_u32(d + 56);
    nt = v1_u32(d + 60);
    nd = v1_u32(d + 64);
    v.n_refs = v1_u32(d + 104);
    v.soff = v1_u32(d + 108);
    v.slen = v1_u32(d + 112);
    users = v1_sec(&v, 68, nu, V1_USER);
    groups = v1_sec(&v, 72, ng, V1_GROUP);
    tpl = v1_sec(&v, 92, nt, 8);
    den = v1_sec(&v, 96, nd, 8);
    refs = v1_sec(&v, 100, v.n_refs, 4);
    if (users == NULL || groups == NULL || tpl == NULL || den == NULL || refs == NULL ||
        v.slen == 0 || v.soff < V1_HSIZE || (uint64_t)v.soff + v.slen > len ||
        d[v.soff + v.slen - 1] != '\0')
        goto bad;
    memset(&params, 0, sizeof(params));
    params.id_min = v1_u32(d + 44);
    params.id_max = v1_u32(d + 48);
    params.home = v1_str(&v, d + 116);
    params.shell = v1_str(&v, d + 124);
    if (params.home == NULL || params.shell == NULL)
        goto bad;
    st = eksauth_iddb_builder_new(&params, &b, err);
    if (st != EKSAUTH_OK)
        goto out;
    eksauth_iddb_builder_set_generation(b, v1_u64(d + 32));
    for (i = 0; i < ng; i++) {
        const unsigned char *r = groups + (size_t)i * V1_GROUP;
        struct eksauth_iddb_group_in g = {v1_str(&v, r), v1_str(&v, r + 8), v1_u32(r + 16),
                                          v1_u32(r + 20)};

        if (g.name == NULL || g.k8s_group == NULL)
            goto bad;
        st = eksauth_iddb_builder_add_group(b, &g, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    for (i = 0; i < nu; i++) {
        const unsigned char *r = users + (size_t)i * V1_USER;
        struct eksauth_iddb_user_in u;
        uint32_t goff = v1_u32(r + 60), gn = v1_u32(r + 64);

        memset(&u, 0, sizeof(u));
        u.login = v1_str(&v, r);
        u.k8s_username = v1_str(&v, r + 8);
        u.arn = v1_str(&v, r + 16);
        u.gecos = v1_str(&v, r + 24);
        u.home = v1_str(&v, r + 32);
        u.shell = v1_str(&v, r + 40);
        u.uid = v1_u32(r + 48);
        u.gid = v1_u32(r + 52);
        u.flags = v1_u32(r + 56);
        if (u.login == NULL || u.k8s_username == NULL || u.arn == NULL || u.gecos == NULL ||
            u.home == NULL || u.shell == NULL || gn > EKSAUTH_IDDB_MAX_GROUPS ||
            (uint64_t)goff + gn > v.n_refs)
            goto bad;
        /*
         * A gecos printable.h's rule of today refuses (written when a
         * variation selector or a tag passed) is made again from the k8s
         * username: never the reason the DB's recorded ids are lost.
         */
        if (!eksauth_is_printable(u.gecos))
            u.gecos = NULL;
        for (j = 0; j < gn; j++) {
            uint32_t gi = v1_u32(refs + ((size_t)goff + j) * 4);

            if (gi >= ng || (names[j] = v1_str(&v, groups + (size_t)gi * V1_GROUP)) == NULL)
                goto bad;
        }
        u.groups = names;
        u.n_groups = gn;
        st = eksauth_iddb_builder_add_user(b, &u, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    for (i = 0; i < nt + nd; i++) {
        const char *t = v1_str(&v, i < nt ? tpl + (size_t)i * 8 : den + (size_t)(i - nt) * 8);

        if (t == NULL)
            goto bad;
        st = i < nt ? eksauth_iddb_builder_add_template(b, t, err)
                    : eksauth_iddb_builder_add_denied(b, t, err);
        if (st != EKSAUTH_OK)
            goto out;
    }
    *out = b;
    b = NULL;
    st = EKSAUTH_OK;
    goto out;
bad:
    st = eksauth_fail(err, EKSAUTH_EINVAL, "version 1 file is damaged");
out:
    eksauth_iddb_builder_free(b);
    return st;
}

/* ---------------------------------------------------------------- version 2 */

/*
 * Version 2 has this layout: when its own header checksum holds, the
 * version becomes 3 and the header is sealed again; every other check
 * (blocks included) is then the reader's, as for any file.  Its header
 * leaves the new fields zero: unkeyed, no users' gid (so NSS answers no
 * templated name from it) until the sync writes version 3.
 */
static enum eksauth_status image_from_v2(unsigned char *d, size_t len, struct eksauth_error *err)
{
    uint64_t sum;
    uint32_t v3 = htole32(3);

    if (len < IDDB_DATA_START)
        return eksauth_fail(err, EKSAUTH_EINVAL, "version 2 file is damaged");
    memcpy(&sum, d + IDDB_H_CHECKSUM, 8);
    if (le64toh(sum) != eksauth_iddb_header_sum(d))
        return eksauth_fail(err, EKSAUTH_EINVAL, "version 2 file is damaged");
    memcpy(d + IDDB_H_VERSION, &v3, 4);
    sum = htole64(eksauth_iddb_header_sum(d));
    memcpy(d + IDDB_H_CHECKSUM, &sum, 8);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_iddb_open_upgrade(const char *path, struct eksauth_iddb **out,
                                              unsigned *upgraded_from, struct eksauth_error *err)
{
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error e2;
    enum eksauth_status st;
    char *data = NULL;
    void *image = NULL;
    size_t len = 0, ilen = 0;
    uint32_t version;

    if (upgraded_from != NULL)
        *upgraded_from = 0;
    st = eksauth_iddb_open(path, out, err);
    /* Only a trusted file that opens as another version takes the conversion path. */
    if (st != EKSAUTH_EINVAL)
        goto out;
    /*
     * The reader's EINVAL is no verdict on a file this read could not get
     * (out of memory or descriptors, gone meanwhile): the sync rebuilds an
     * EINVAL DB, forgetting its recorded ids and id holds, and keeps others.
     */
    if (eksauth_file_read(path, EKSAUTH_IDDB_MAX_SIZE, true, &data, &len, &e2) != EKSAUTH_OK) {
        if (e2.status != EKSAUTH_EINVAL) {
            *err = e2;
            st = e2.status;
        }
        goto out;
    }
    if (len < 12 || memcmp(data, EKSAUTH_IDDB_MAGIC, 8) != 0)
        goto out;
    version = v1_u32((const unsigned char *)data + 8);
    if (version == 1) {
        st = builder_from_v1((const unsigned char *)data, len, &b, err);
        if (st == EKSAUTH_OK)
            st = eksauth_iddb_builder_serialize(b, &image, &ilen, err);
    } else if (version == 2) {
        st = image_from_v2((unsigned char *)data, len, err);
        if (st == EKSAUTH_OK) {
            image = data;
            ilen = len;
            data = NULL;
        }
    } else {
        /*
         * A later eksauth's DB (this one rolled back): the sync must neither
         * build on a layout it does not know nor replace it, which would
         * forget its recorded ids and id holds and give a removed login's
         * uid, and its files, to the next one.  Refused, unchanged
         * (lib/sync.c); iddb_open's message says what to do.  A later
         * version whose header checksum fails is a damaged header: rebuilt.
         */
        if (eksauth_iddb_is_later(data, len))
            st = EKSAUTH_EREJECTED;
        goto out;
    }
    /* The handle owns the image, on failure too. */
    if (st == EKSAUTH_OK)
        st = eksauth_iddb_open_owned(image, ilen, out, err);
    if (st != EKSAUTH_OK) {
        eksauth_error_prefix(err, "identity DB: %s", path);
        goto out;
    }
    if (upgraded_from != NULL)
        *upgraded_from = version;
out:
    eksauth_iddb_builder_free(b);
    free(data);
    return st;
}
