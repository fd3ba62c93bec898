/*
 * iddb_reader.c - a reader of the identity DB for the crash test
 * (tests/hardening/iddb_faults.sh), through lib/iddb.c as the NSS module
 * reads it.
 *
 *   iddb_reader dump DB
 *       every user and group in one canonical text form, one a line
 *   iddb_reader watch DB DUMP_A DUMP_B STOPFILE
 *       until STOPFILE exists: map DB, check header and checksum (open),
 *       look every user up by name and by uid, and compare the whole
 *       content with DUMP_A and DUMP_B: it must be exactly one of them.
 *       Prints "reads=N a=N b=N"; exit 1 at the first read that is
 *       neither (missing, corrupt, half-written or mixed).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksauth/iddb.h"

struct buf {
    char *p;
    size_t len, cap;
};

static int put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int put(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return 0;
        }
        b->cap = b->cap * 2 + (size_t)n + 256;
        b->p = realloc(b->p, b->cap);
        if (b->p == NULL)
            return -1;
    }
}

/* The DB as text; every lookup must agree with the enumeration.  -1: a lookup failed. */
static int dump(const struct eksauth_iddb *db, struct buf *b)
{
    struct eksauth_iddb_user u, v;
    struct eksauth_iddb_group g, h;
    const char *m;
    uint32_t i, j;

    for (i = 0; i < eksauth_iddb_user_count(db); i++) {
        if (eksauth_iddb_user_at(db, i, &u) != EKSAUTH_OK ||
            eksauth_iddb_user_by_name(db, u.login, &v) != EKSAUTH_OK || v.uid != u.uid ||
            eksauth_iddb_user_by_uid(db, u.uid, &v) != EKSAUTH_OK || strcmp(v.login, u.login) != 0)
            return -1;
        if (put(b, "user %s %u %u %s %s %s", u.login, u.uid, u.gid, u.k8s_username, u.home,
                u.shell) != 0)
            return -1;
        for (j = 0; j < u.n_groups; j++) {
            if (eksauth_iddb_user_group(db, &u, j, &g) != EKSAUTH_OK)
                return -1;
            if (put(b, " %s", g.name) != 0)
                return -1;
        }
        if (put(b, "\n") != 0)
            return -1;
    }
    for (i = 0; i < eksauth_iddb_group_count(db); i++) {
        if (eksauth_iddb_group_at(db, i, &g) != EKSAUTH_OK ||
            eksauth_iddb_group_by_name(db, g.name, &h) != EKSAUTH_OK || h.gid != g.gid)
            return -1;
        if (put(b, "group %s %u", g.name, g.gid) != 0)
            return -1;
        for (j = 0; j < g.n_members; j++) {
            if (eksauth_iddb_group_member(db, &g, j, &m, NULL) != EKSAUTH_OK)
                return -1;
            if (put(b, " %s", m) != 0)
                return -1;
        }
        if (put(b, "\n") != 0)
            return -1;
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s = NULL;
    size_t n = 0;
    ssize_t got;

    if (f == NULL)
        return NULL;
    got = getdelim(&s, &n, '\0', f);
    fclose(f);
    if (got < 0) {
        free(s);
        return strdup("");
    }
    return s;
}

int main(int argc, char **argv)
{
    struct eksauth_iddb *db = NULL;
    struct eksauth_error err;
    struct buf b = {NULL, 0, 0};
    unsigned long reads = 0, a = 0, bb = 0;
    char *da, *db_b;
    int rc = 1;

    if (argc == 3 && strcmp(argv[1], "dump") == 0) {
        if (eksauth_iddb_open(argv[2], &db, &err) != EKSAUTH_OK) {
            fprintf(stderr, "iddb_reader: %s\n", err.msg);
            return 1;
        }
        if (dump(db, &b) == 0) {
            fwrite(b.p != NULL ? b.p : "", 1, b.len, stdout);
            rc = 0;
        }
        eksauth_iddb_close(db);
        free(b.p);
        return rc;
    }
    if (argc != 6 || strcmp(argv[1], "watch") != 0) {
        fprintf(stderr, "usage: iddb_reader dump DB | watch DB DUMP_A DUMP_B STOPFILE\n");
        return 2;
    }
    da = slurp(argv[3]);
    db_b = slurp(argv[4]);
    if (da == NULL || db_b == NULL) {
        fprintf(stderr, "iddb_reader: cannot read the expected dumps\n");
        return 2;
    }
    while (access(argv[5], F_OK) != 0) {
        b.len = 0;
        if (eksauth_iddb_open(argv[2], &db, &err) != EKSAUTH_OK) {
            fprintf(stderr, "iddb_reader: read %lu: %s\n", reads, err.msg);
            goto out;
        }
        if (dump(db, &b) != 0) {
            fprintf(stderr, "iddb_reader: read %lu: a lookup failed in a DB that opened\n", reads);
            eksauth_iddb_close(db);
            goto out;
        }
        eksauth_iddb_close(db);
        if (put(&b, "%s", "") != 0)
            goto out;
        if (strcmp(b.p, da) == 0) {
            a++;
        } else if (strcmp(b.p, db_b) == 0) {
            bb++;
        } else {
            fprintf(stderr, "iddb_reader: read %lu: the DB is neither version:\n%s", reads, b.p);
            goto out;
        }
        reads++;
    }
    rc = 0;
out:
    printf("reads=%lu a=%lu b=%lu\n", reads, a, bb);
    free(b.p);
    free(da);
    free(db_b);
    return rc;
}
