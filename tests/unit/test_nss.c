/*
 * test_nss.c - the NSS module's entry points called directly (its source
 * is compiled into this test, so ASan checks it too): the buffer contract
 * at every size from 0 bytes up (ERANGE + TRYAGAIN, nothing written, same
 * answer on retry), aligned and misaligned buffers, NOTFOUND vs UNAVAIL
 * (local files or the id key that cannot be read: UNAVAIL), names and ids
 * at the edges, enumeration, initgroups_dyn (growth, limit, duplicates,
 * primary group, whole or nothing), templated names, and re-mapping when the DB is replaced (at
 * once with the writer's stale mark, within the recheck interval without it), removed, corrupted or
 * made untrusted, and a refused open retried after the recheck interval (a passing failure, a
 * folder fixed); an enumeration across a replace, a group filtered against local files that change
 * between its two passes, fork() while other threads look up; blocks of
 * subordinate ids held as lib/hostfiles.c holds them, read only for a
 * templated name.  The DB lives in a private temp folder (EKSAUTH_DB).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/byteorder.h"
#include "eksauth/hostfiles.h"
#include "eksauth/iddb.h"
#include "eksauth/iddb_format.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/names.h"
#include "iddb_sample.h" /* LO, HI, USERS_GID and the groups */
#include "local_files.h"
#include "nss_eksauth.h"
#include "scratch.h"

/* The first data block (docs/identity-db.md): the config section, read when the DB is opened. */
#define IDDB_DATA_OFFSET 4096

static char tmpdir[SCRATCH_DIR_MAX], dbpath[300];

/*
 * iddb_sample.h's groups, users build (eks-system-masters, eks-devs) and
 * zoe (eks-devs, local wheel), both with eks-users as primary group; with
 * key, templated ids are keyed by it; with extra, that group too.
 */
/* With it set, the next DB written holds this tombstone too. */
static const struct eksauth_iddb_tombstone_in *extra_tombstone;

static void write_db_extra(bool with_build, const struct eksauth_id_key *key,
                           const struct eksauth_iddb_group_in *extra)
{
    struct eksauth_iddb_params p = {
        LO, HI, "/home/%u", "/bin/bash", USERS_GID, key != NULL, key != NULL ? key->check : 0};
    struct eksauth_iddb_builder *b = iddb_sample_groups(&p);
    struct eksauth_error err = {0};
    const char *bg[] = {"eks-system-masters", "eks-devs"};
    const char *zg[] = {"eks-devs", "wheel"};
    struct eksauth_iddb_user_in u = {0};

    if (extra != NULL)
        assert_int_equal(eksauth_iddb_builder_add_group(b, extra, &err), EKSAUTH_OK);
    if (extra_tombstone != NULL)
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, extra_tombstone, &err), EKSAUTH_OK);
    if (with_build) {
        u.login = "build";
        u.k8s_username = "build";
        u.uid = LO + 100;
        u.groups = bg;
        u.n_groups = 2;
        assert_int_equal(eksauth_iddb_builder_add_user(b, &u, &err), EKSAUTH_OK);
    }
    memset(&u, 0, sizeof(u));
    u.login = "zoe";
    u.k8s_username = "Zoe: the admin, of course";
    u.uid = LO + 200;
    u.groups = zg;
    u.n_groups = 2;
    assert_int_equal(eksauth_iddb_builder_add_user(b, &u, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "admin:{{SessionName}}", &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_denied(b, "admin-root", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, dbpath, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
}

static void write_db_keyed(bool with_build, const struct eksauth_id_key *key)
{
    write_db_extra(with_build, key, NULL);
}

/* Without build, with a group eks-aaa (LO + 12), listed before every other group. */
static void write_db_with_group_aaa(void)
{
    const struct eksauth_iddb_group_in aaa = {"eks-aaa", "aaa", LO + 12, 0};

    write_db_extra(false, NULL, &aaa);
}

static void write_db(bool with_build)
{
    write_db_keyed(with_build, NULL);
}

static int setup(void **state)
{
    (void)state;
    scratch_make(tmpdir, sizeof(tmpdir), "nss");
    snprintf(dbpath, sizeof(dbpath), "%s/identity.db", tmpdir);
    setenv("EKSAUTH_DB", dbpath, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scratch_remove(tmpdir);
    return 0;
}

static bool local_open_fails, realloc_fails;
static const char *unreadable_name, *open_fails_for;

static int each(void **state)
{
    (void)state;
    local_open_fails = false; /* a failed test's fault injection ends with it */
    unreadable_name = NULL;
    open_fails_for = NULL;
    realloc_fails = false;
    setenv("EKSAUTH_DB", dbpath, 1);
    write_db(true);
    return 0;
}

/* ---- the buffer contract ---- */

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void check_pw_sizes(const char *name, const char *gecos, const char *home, uid_t uid)
{
    size_t need = strlen(name) + 1 + 2 + strlen(gecos) + 1 + strlen(home) + 1 + 10, n;

    for (n = 0; n <= need + 16; n++) {
        /* an exact-size heap buffer: ASan catches one byte written past it */
        unsigned char *buf = malloc(n > 0 ? n : 1);
        struct passwd pw, untouched;
        enum nss_status st;
        int e = 0;

        memset(buf, 0xA5, n > 0 ? n : 1);
        memset(&pw, 0x5A, sizeof(pw));
        untouched = pw;
        st = _nss_eksauth_getpwnam_r(name, &pw, (char *)buf, n, &e);
        if (n < need) {
            assert_int_equal(st, NSS_STATUS_TRYAGAIN);
            assert_int_equal(e, ERANGE);
            assert_true(all_bytes(buf, n, 0xA5));
            assert_memory_equal(&pw, &untouched, sizeof(pw));
        } else {
            assert_int_equal(st, NSS_STATUS_SUCCESS);
            assert_string_equal(pw.pw_name, name);
            assert_string_equal(pw.pw_passwd, "*");
            assert_string_equal(pw.pw_gecos, gecos);
            assert_string_equal(pw.pw_dir, home);
            assert_string_equal(pw.pw_shell, "/bin/bash");
            assert_int_equal(pw.pw_uid, uid);
            assert_int_equal(pw.pw_gid, USERS_GID); /* every login's group, none of its own */
            assert_true((unsigned char *)pw.pw_name >= buf &&
                        (unsigned char *)pw.pw_shell < buf + n);
        }
        free(buf);
    }
}

static void test_getpwnam_sizes(void **state)
{
    (void)state;
    check_pw_sizes("build", "build", "/home/build", LO + 100);
    check_pw_sizes("zoe", "Zoe- the admin- of course", "/home/zoe", LO + 200);
    /* a templated name: same contract */
    check_pw_sizes("admin-bob", "", "/home/admin-bob",
                   eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
}

static void test_getgrnam_sizes(void **state)
{
    size_t n, off;

    (void)state;
    /* every offset of the buffer start, so member pointers meet every alignment */
    for (off = 0; off < 8; off++) {
        bool ok_seen = false;

        for (n = 0; n <= 128; n++) {
            unsigned char *raw = malloc(off + (n > 0 ? n : 1));
            unsigned char *buf = raw + off;
            struct group gr, untouched;
            enum nss_status st;
            int e = 0;

            memset(raw, 0xA5, off + (n > 0 ? n : 1));
            memset(&gr, 0x5A, sizeof(gr));
            untouched = gr;
            st = _nss_eksauth_getgrnam_r("eks-devs", &gr, (char *)buf, n, &e);
            if (st == NSS_STATUS_TRYAGAIN) {
                assert_false(ok_seen); /* once big enough, always big enough */
                assert_int_equal(e, ERANGE);
                assert_true(all_bytes(raw, off + n, 0xA5));
                assert_memory_equal(&gr, &untouched, sizeof(gr));
            } else {
                assert_int_equal(st, NSS_STATUS_SUCCESS);
                ok_seen = true;
                assert_string_equal(gr.gr_name, "eks-devs");
                assert_string_equal(gr.gr_passwd, "*");
                assert_int_equal(gr.gr_gid, LO + 11);
                assert_int_equal((uintptr_t)gr.gr_mem % sizeof(char *), 0);
                assert_string_equal(gr.gr_mem[0], "build");
                assert_string_equal(gr.gr_mem[1], "zoe");
                assert_null(gr.gr_mem[2]);
            }
            free(raw);
        }
        assert_true(ok_seen);
    }
}

/* ---- lookups ---- */

static void test_lookups(void **state)
{
    char buf[1024];
    struct passwd pw;
    struct group gr;
    int e;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwuid_r(LO + 200, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "zoe");
    assert_int_equal(_nss_eksauth_getpwuid_r(LO + 201, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(e, ENOENT);
    assert_int_equal(_nss_eksauth_getpwuid_r(0, &pw, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getpwnam_r("nobody-such", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getpwnam_r("", &pw, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-root", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND); /* denied, though it fits the template */
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-x", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND); /* session names are 2+ characters */
    assert_int_equal(_nss_eksauth_getgrgid_r(LO + 10, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "eks-system-masters");
    assert_string_equal(gr.gr_mem[0], "build");
    assert_null(gr.gr_mem[1]);
    /* no group has a login's name or id; the users' group is every login's primary group */
    assert_int_equal(_nss_eksauth_getgrgid_r(LO + 100, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrnam_r("build", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrgid_r(USERS_GID, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "eks-users");
    /* a local group is the files source's business */
    assert_int_equal(_nss_eksauth_getgrnam_r("wheel", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrgid_r(10, &gr, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrgid_r(0, &gr, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    /* a templated name has no group entry before its login */
    assert_int_equal(_nss_eksauth_getgrnam_r("admin-bob", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    /* NULL buffer */
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-devs", &gr, NULL, 0, &e), NSS_STATUS_TRYAGAIN);
    assert_int_equal(e, ERANGE);
}

/*
 * Names and ids at the edges are no one's here: (uid_t)-1 and its 16-bit
 * form (setresuid and chown read -1 as "no change"), nobody's 65534, gid 0,
 * compat syntax ('+', '-', '@' leading: nss_files never matches those
 * either), another case, a name past the longest login, and one far past
 * any buffer.  Each is NOTFOUND with ENOENT, for users and groups alike.
 */
static void test_edges_are_no_ones(void **state)
{
    static const char *names[] = {"+build", "-build",  "@eks-devs", "+",        "-",
                                  "@",      "BUILD",   "Build",     "EKS-DEVS", "admin-BOB",
                                  "+zoe:",  "build\n", " build",    "build ",   "admin-bob\n"};
    static const uint32_t ids[] = {UINT32_MAX, UINT32_MAX - 1, 65535, 65534, 0};
    char buf[1024], *long_name;
    struct passwd pw;
    struct group gr;
    size_t i;
    int e;

    (void)state;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        e = 0;
        if (_nss_eksauth_getpwnam_r(names[i], &pw, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND ||
            e != ENOENT)
            fail_msg("getpwnam \"%s\": not NOTFOUND/ENOENT", names[i]);
        e = 0;
        if (_nss_eksauth_getgrnam_r(names[i], &gr, buf, sizeof(buf), &e) != NSS_STATUS_NOTFOUND ||
            e != ENOENT)
            fail_msg("getgrnam \"%s\": not NOTFOUND/ENOENT", names[i]);
    }
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        e = 0;
        assert_int_equal(_nss_eksauth_getpwuid_r((uid_t)ids[i], &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_NOTFOUND);
        assert_int_equal(e, ENOENT);
        e = 0;
        assert_int_equal(_nss_eksauth_getgrgid_r((gid_t)ids[i], &gr, buf, sizeof(buf), &e),
                         NSS_STATUS_NOTFOUND);
        assert_int_equal(e, ENOENT);
    }
    /* The longest login plus one, fitting the template; then 1 MiB of it. */
    long_name = malloc((1u << 20) + 1);
    assert_non_null(long_name);
    memset(long_name, 'b', 1u << 20);
    memcpy(long_name, "admin-", 6);
    long_name[EKSAUTH_NAME_MAX + 1] = '\0';
    assert_int_equal(_nss_eksauth_getpwnam_r(long_name, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    long_name[EKSAUTH_NAME_MAX + 1] = 'b';
    long_name[1u << 20] = '\0';
    assert_int_equal(_nss_eksauth_getpwnam_r(long_name, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrnam_r(long_name, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    free(long_name);
    /* The longest login that fits is served: the edge is where it should be. */
    memset(buf, 'b', EKSAUTH_NAME_MAX);
    memcpy(buf, "admin-", 6);
    buf[EKSAUTH_NAME_MAX] = '\0';
    long_name = strdup(buf);
    assert_non_null(long_name);
    assert_int_equal(_nss_eksauth_getpwnam_r(long_name, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, long_name);
    free(long_name);
}

static void test_enumeration(void **state)
{
    char buf[1024], tiny[4];
    struct passwd pw;
    struct group gr;
    const char *want_users[] = {"build", "zoe"};
    const char *want_groups[] = {"eks-devs", "eks-system-masters", "eks-users"};
    int e, i;

    (void)state;
    assert_int_equal(_nss_eksauth_setpwent(0), NSS_STATUS_SUCCESS);
    for (i = 0; i < 2; i++) {
        /* a short buffer does not skip the entry */
        assert_int_equal(_nss_eksauth_getpwent_r(&pw, tiny, sizeof(tiny), &e), NSS_STATUS_TRYAGAIN);
        assert_int_equal(e, ERANGE);
        assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
        assert_string_equal(pw.pw_name, want_users[i]);
    }
    /* templated names are never listed */
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_endpwent(), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_setpwent(1), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "build");
    _nss_eksauth_endpwent();

    _nss_eksauth_setgrent(0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(_nss_eksauth_getgrent_r(&gr, tiny, sizeof(tiny), &e), NSS_STATUS_TRYAGAIN);
        assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
        assert_string_equal(gr.gr_name, want_groups[i]);
    }
    /* wheel (local) is not listed */
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    _nss_eksauth_endgrent();
}

/*
 * An enumeration lists the DB it started in, whole, as nss_files lists the
 * /etc/passwd it opened at setpwent even when useradd renames a new one
 * over it: a DB replaced halfway (a sync) neither skips an entry nor lists
 * one twice.  (It did: the position was an index into whichever DB was
 * current, so a user removed before it skipped the next, a group added
 * before it repeated one.)  Lookups by name meanwhile answer from the new
 * DB and leave the position alone; the next setpwent starts in the new DB.
 */
static void test_enumeration_across_replace(void **state)
{
    const char *old_groups[] = {"eks-devs", "eks-system-masters", "eks-users"};
    char buf[1024];
    struct passwd pw;
    struct group gr;
    int e, i;

    (void)state;
    assert_int_equal(_nss_eksauth_setpwent(0), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "build");
    write_db(false); /* build removed: zoe is now the first user */
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND); /* a lookup sees the new DB at once */
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "zoe");
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_setpwent(0), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "zoe");
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    _nss_eksauth_endpwent();

    write_db(true);
    _nss_eksauth_setgrent(0);
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, old_groups[0]);
    write_db_with_group_aaa(); /* eks-aaa is now the first group */
    for (i = 1; i < 3; i++) {
        assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
        assert_string_equal(gr.gr_name, old_groups[i]);
    }
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_NOTFOUND);
    /* endgrent without setgrent, then a new enumeration: the new DB */
    _nss_eksauth_endgrent();
    _nss_eksauth_endgrent();
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "eks-aaa");
    _nss_eksauth_endgrent();
}

/*
 * nss_local_name wrapped (-Wl,--wrap, mk/tests.am): while flip_name is
 * set, that name is a local one at every call, or, with flip, at the first
 * call and not at the second, as if root added and removed such a local
 * user between two reads; while unreadable_name is set, the files cannot
 * be read when asked about that name (out of descriptors).
 */
static const char *flip_name;
static bool flip;
static unsigned flip_calls;
enum nss_local __real_nss_local_name(const char *name);
enum nss_local __wrap_nss_local_name(const char *name);

enum nss_local __wrap_nss_local_name(const char *name)
{
    if (unreadable_name != NULL && strcmp(name, unreadable_name) == 0)
        return NSS_LOCAL_UNREADABLE;
    if (flip_name != NULL && strcmp(name, flip_name) == 0)
        return !flip || flip_calls++ % 2 == 0 ? NSS_LOCAL_YES : NSS_LOCAL_NO;
    return __real_nss_local_name(name);
}

/* nss_local_file_has wrapped too (mk/tests.am): flip_name as a group of /etc/group, as above. */
enum nss_local __real_nss_local_file_has(const char *file, const char *name);
enum nss_local __wrap_nss_local_file_has(const char *file, const char *name);

enum nss_local __wrap_nss_local_file_has(const char *file, const char *name)
{
    if (flip_name != NULL && strcmp(name, flip_name) == 0 && strcmp(file, "/etc/group") == 0)
        return !flip || flip_calls++ % 2 == 0 ? NSS_LOCAL_YES : NSS_LOCAL_NO;
    return __real_nss_local_file_has(file, name);
}

/*
 * The second entry of an enumeration whose DB was replaced since (so each
 * name is checked against the local files when it is reached), its name
 * made local right after that check (flip, the first call answering "not
 * local"): that entry, as checked.  Each entry was checked twice, the
 * files read again for the answer, and the second read's NOTFOUND ended the
 * listing there (glibc takes it for this source's end).
 */
static void enumeration_checked_once(bool groups)
{
    char buf[1024], second[64] = "";
    struct passwd pw;
    struct group gr;
    int e = 0, k;

    flip_name = NULL;
    /* The order: the second entry's name. */
    assert_int_equal(groups ? _nss_eksauth_setgrent(0) : _nss_eksauth_setpwent(0),
                     NSS_STATUS_SUCCESS);
    for (k = 0; k < 2; k++) {
        assert_int_equal(groups ? _nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e)
                                : _nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e),
                         NSS_STATUS_SUCCESS);
        snprintf(second, sizeof(second), "%s", groups ? gr.gr_name : pw.pw_name);
    }
    groups ? _nss_eksauth_endgrent() : _nss_eksauth_endpwent();
    assert_int_equal(groups ? _nss_eksauth_setgrent(0) : _nss_eksauth_setpwent(0),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(groups ? _nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e)
                            : _nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    write_db(true); /* replaced: the enumeration goes on in its own DB, name by name */
    flip_name = second;
    flip = true;
    flip_calls = 1;
    assert_int_equal(groups ? _nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e)
                            : _nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(groups ? gr.gr_name : pw.pw_name, second);
    assert_int_equal(flip_calls, 2); /* one check */
    flip_name = NULL;
    flip = false;
    groups ? _nss_eksauth_endgrent() : _nss_eksauth_endpwent();
}

static void test_enumeration_checks_each_entry_once(void **state)
{
    (void)state;
    enumeration_checked_once(false);
    enumeration_checked_once(true);
}

/*
 * getgrent of eks-system-masters (member build) from an enumeration's DB
 * replaced since, whose members are checked against the local files one
 * by one, into a buffer of len bytes that ends at a page no one may touch;
 * flip: build is local to the first check and not to the second.  The
 * status, or -1 when the process died (a write past the buffer).
 */
static int filtered_group_at_guard(size_t len, bool flip_it)
{
    long page = sysconf(_SC_PAGESIZE);
    char *area, *buf;
    struct group gr;
    int e = 0, status;
    pid_t pid;

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Die of a write past the buffer: cmocka's handler would go on to the next test. */
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        area = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                    0);
        if (area == MAP_FAILED || mprotect(area + page, (size_t)page, PROT_NONE) != 0)
            _exit(100);
        buf = area + page - len;
        write_db(true);
        _nss_eksauth_setgrent(0);
        if (_nss_eksauth_getgrent_r(&gr, area, (size_t)page, &e) != NSS_STATUS_SUCCESS)
            _exit(101); /* eks-devs, from the DB as it is: the enumeration's DB */
        write_db(true); /* replaced: the enumeration keeps the old one */
        flip_name = "build";
        flip = flip_it;
        _exit((int)_nss_eksauth_getgrent_r(&gr, buf, len, &e) + 10);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        return -1;
    assert_true(WEXITSTATUS(status) >= 8 && WEXITSTATUS(status) < 100);
    return WEXITSTATUS(status) - 10;
}

/*
 * A group whose members are checked one by one is sized by one pass over
 * them and written by a second: a member local to the first check and not
 * to the second (root adding and removing a local user meanwhile) was
 * written past the size the first pass gave, past the caller's buffer (in
 * sshd, sudo, id).  Now the second pass never writes more than the first
 * counted: a changed answer is EAGAIN, ask again.
 */
static void test_filtered_group_never_past_the_buffer(void **state)
{
    size_t len;

    (void)state;
    /* The size of the answer without build (local at both checks). */
    for (len = 1; len < 256 && filtered_group_at_guard(len, false) != NSS_STATUS_SUCCESS; len++)
        ;
    assert_true(len < 256);
    assert_int_equal(filtered_group_at_guard(len - 1, false), NSS_STATUS_TRYAGAIN);
    assert_int_equal(filtered_group_at_guard(len, true), NSS_STATUS_TRYAGAIN);
}

static atomic_bool lookers_stop;

/* A thread of a program that looks users up while another thread forks (sshd, cron). */
static void *looker(void *arg)
{
    char buf[1024];
    struct passwd pw;
    int e;

    (void)arg;
    while (!atomic_load(&lookers_stop))
        (void)_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e);
    return NULL;
}

/*
 * fork() while other threads are inside a lookup: the child inherits no
 * held lock (pthread_atfork takes it across the fork), so its own lookup
 * answers.  A child that hangs is killed by its alarm and counts as a
 * deadlock.
 */
static void test_fork_during_lookups(void **state)
{
    pthread_t t[4];
    unsigned i, hung = 0, wrong = 0;
    int status;
    pid_t pid;

    (void)state;
    atomic_store(&lookers_stop, false);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, looker, NULL), 0);
    for (i = 0; i < 200 && hung + wrong == 0; i++) {
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            char buf[1024];
            struct passwd pw;
            int e;

            alarm(10);
            _exit(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e) ==
                              NSS_STATUS_SUCCESS &&
                          pw.pw_uid == LO + 100
                      ? 0
                      : 1);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        hung += WIFSIGNALED(status);
        wrong += WIFEXITED(status) && WEXITSTATUS(status) != 0;
    }
    atomic_store(&lookers_stop, true);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(hung, 0);
    assert_int_equal(wrong, 0);
}

static void test_initgroups(void **state)
{
    long int start, size;
    gid_t *groups;
    int e;

    (void)state;
    /* glibc's usual call: the primary group already in, room for 1 */
    size = 1;
    start = 1;
    groups = malloc(sizeof(*groups));
    groups[0] = USERS_GID;
    assert_int_equal(_nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 0, &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 3);
    assert_true(size >= 3);
    assert_int_equal(groups[1], LO + 10);
    assert_int_equal(groups[2], LO + 11);
    /* asking again adds nothing (no duplicates): NOTFOUND like nss_files */
    assert_int_equal(_nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 0, &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(start, 3);
    free(groups);

    /* a limit stops quietly */
    size = 1;
    start = 1;
    groups = malloc(sizeof(*groups));
    groups[0] = USERS_GID;
    assert_int_equal(_nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 2, &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 2);
    assert_int_equal(size, 2);
    free(groups);

    /* a local group (group_map) is part of initgroups */
    size = 4;
    start = 0;
    groups = calloc(4, sizeof(*groups));
    assert_int_equal(_nss_eksauth_initgroups_dyn("zoe", LO + 200, &start, &size, &groups, 0, &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 2);
    assert_int_equal(groups[0], LO + 11);
    assert_int_equal(groups[1], 10);
    assert_int_equal(_nss_eksauth_initgroups_dyn("nobody-such", 5, &start, &size, &groups, 0, &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_initgroups_dyn("admin-bob", 5, &start, &size, &groups, 0, &e),
                     NSS_STATUS_NOTFOUND);
    free(groups);
}

/*
 * realloc wrapped (-Wl,--wrap, mk/tests.am): while realloc_fails, it fails
 * as out of memory.
 */
void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_realloc(void *p, size_t n)
{
    if (realloc_fails) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, n);
}

/*
 * initgroups_dyn adds the user's groups whole or not at all: out of memory
 * halfway is TRYAGAIN (ENOMEM) with *start as it came.  (The groups added
 * before the failure stayed, and glibc, which keeps *start whatever the
 * status, set those alone.)
 */
static void test_initgroups_whole_or_nothing(void **state)
{
    long int start = 1, size = 2;
    gid_t *groups = calloc(2, sizeof(gid_t));
    enum nss_status st;
    int e = 0;

    (void)state;
    groups[0] = USERS_GID;
    /* Room for build's first group, not its second: the array must grow, and cannot. */
    realloc_fails = true;
    st = _nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 0, &e);
    realloc_fails = false;
    assert_int_equal(st, NSS_STATUS_TRYAGAIN);
    assert_int_equal(e, ENOMEM);
    assert_int_equal(start, 1);
    assert_int_equal(size, 2);
    assert_int_equal(_nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 0, &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(start, 3);
    assert_int_equal(groups[1], LO + 10);
    assert_int_equal(groups[2], LO + 11);
    free(groups);
}

/* ---- the DB changing under the module ---- */

/* The DB's bytes, at most cap (the sample DB is far smaller). */
static size_t read_db(unsigned char *data, size_t cap)
{
    size_t n;
    FILE *f;

    f = fopen(dbpath, "r");
    assert_non_null(f);
    n = fread(data, 1, cap, f);
    fclose(f);
    assert_true(n > IDDB_DATA_OFFSET && n < cap);
    return n;
}

/* Replace the DB by data, as a new file (writers never edit in place). */
static void replace_db(const unsigned char *data, size_t n)
{
    char tmp[400];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s.new", dbpath);
    f = fopen(tmp, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    assert_int_equal(chmod(tmp, 0644), 0);
    assert_int_equal(rename(tmp, dbpath), 0);
}

/* Replace the DB by a copy with one byte changed. */
static void corrupt_db(long at)
{
    unsigned char data[65536];
    size_t n = read_db(data, sizeof(data));

    assert_true(n > (size_t)at);
    data[at] ^= 0x21;
    replace_db(data, n);
}

/*
 * Changes made without the writer's stale mark (by hand: mv, rm, chmod,
 * chown) are noticed when the module next stats the path, at most
 * RECHECK_S (1 s) after its last check: wait that long.
 */
static void wait_recheck(void)
{
    struct timespec t = {1, 100 * 1000 * 1000};

    nanosleep(&t, NULL);
}

static void test_unavailable_and_remap(void **state)
{
    char buf[1024], moved[400];
    struct passwd pw;
    struct group gr;
    long int start = 0, size = 1;
    gid_t *groups = calloc(1, sizeof(gid_t));
    int e = 0;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* revocation: a DB rewritten by the writer (stale mark) is seen at once, no waiting */
    write_db(false);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-system-masters", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_null(gr.gr_mem[0]);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);

    /* removed by hand: UNAVAIL (never NOTFOUND) once the path is checked again */
    snprintf(moved, sizeof(moved), "%s/moved.db", tmpdir);
    assert_int_equal(rename(dbpath, moved), 0);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    assert_int_equal(e, ENOENT);
    assert_int_equal(_nss_eksauth_getpwuid_r(LO + 200, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-devs", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_getgrgid_r(LO + 11, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_initgroups_dyn("zoe", 1, &start, &size, &groups, 0, &e),
                     NSS_STATUS_UNAVAIL);
    _nss_eksauth_setpwent(0);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    _nss_eksauth_setgrent(0);
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    /* with no mapping, every lookup checks the path: back at once */
    assert_int_equal(rename(moved, dbpath), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);

    /*
     * corrupt (a damaged copy moved in by hand): the mapped good file is
     * still what the module serves until it checks the path (the bound);
     * then UNAVAIL (twice: the cached refusal); fixed by the writer: served
     * again at once
     */
    corrupt_db(IDDB_DATA_OFFSET + 40);
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);

    /* untrusted: group-writable, or not root's (noticed at the next check) */
    if (geteuid() == 0) {
        assert_int_equal(chmod(dbpath, 0664), 0);
        wait_recheck();
        assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_UNAVAIL);
        assert_int_equal(chmod(dbpath, 0644), 0);
        assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_SUCCESS);
        assert_int_equal(chown(dbpath, 1, 1), 0);
        wait_recheck();
        assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_UNAVAIL);
        assert_int_equal(chown(dbpath, 0, 0), 0);
    }
    free(groups);
}

/*
 * The stale mark: a replacement the writer has begun is seen by the next
 * lookup, even before the interval; until the rename the old file is still
 * served.
 */
static void test_stale_mark(void **state)
{
    char buf[1024];
    struct passwd pw;
    unsigned char one[4] = {1, 0, 0, 0};
    int e = 0, fd;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* marked, not yet renamed: the same file, still served */
    fd = open(dbpath, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, one, 4, 40), 4);
    close(fd);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* renamed (by hand here, with no mark of its own): seen by the very next lookup */
    corrupt_db(IDDB_DATA_OFFSET + 40);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
}

/*
 * The DB's folder given mode bad (and the DB written again when rewrite,
 * else the same file left as it is): "build" refused with EIO; the mode
 * put back: served again within the recheck interval.
 */
static void refused_until_folder_fixed(mode_t bad, bool rewrite)
{
    char buf[1024];
    struct passwd pw;
    struct stat dir;
    int e = 0;

    assert_int_equal(stat(tmpdir, &dir), 0);
    assert_int_equal(chmod(tmpdir, bad), 0);
    if (rewrite)
        write_db(true);
    else
        wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    assert_int_equal(chmod(tmpdir, dir.st_mode & 07777), 0);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
}

/*
 * A refused open is cached only for the recheck interval: a process (sshd,
 * cron, logind) that met a passing failure, or a DB refused for its folder
 * until the administrator fixed the folder, is served again within that
 * bound, not only when a sync next replaces the file (a sync that finds
 * nothing new writes nothing).
 */
static void test_refusal_retried(void **state)
{
    char buf[1024];
    struct passwd pw;
    struct rlimit lim, low;
    int e = 0, fd;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* out of descriptors for a moment, as the writer replaces the DB */
    write_db(true);
    fd = dup(0);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
    low = lim;
    low.rlim_cur = (rlim_t)fd;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);

    /* a DB written into a folder its group could write: refused; the folder fixed: served */
    refused_until_folder_fixed(0775, true);
}

/*
 * A mapping already cached is judged by the open's rule too when its path
 * is checked again: a folder made writable since lets anyone move the DB
 * aside before a sync and put it back after, the same file with the same
 * stamp, which a process that cached it would otherwise serve for ever
 * (a new process refuses it: lib/iddb.c).
 */
static void test_cached_db_folder_made_writable(void **state)
{
    char buf[1024];
    struct passwd pw;
    int e = 0;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    refused_until_folder_fixed(0777, false);
}

/*
 * A root-owned sticky folder others may write passes the reader's rule
 * (SECURITY.md invariant 3; only a writer refuses it, lib/trust.c): a
 * cached DB there stays served when its path is checked again, not
 * UNAVAIL once the recheck interval has passed.
 */
static void test_cached_db_sticky_folder_served(void **state)
{
    char buf[1024];
    struct passwd pw;
    struct stat dir;
    int e = 0;

    (void)state;
    assert_int_equal(stat(tmpdir, &dir), 0);
    assert_int_equal(chmod(tmpdir, 01777), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(chmod(tmpdir, dir.st_mode & 07777), 0);
}

/*
 * nss_local_open wrapped (-Wl,--wrap, mk/tests.am): while local_open_fails,
 * the module's read of /etc/passwd and /etc/group for local names fails as
 * fopen does out of descriptors (a caller's RLIMIT_NOFILE, a busy daemon).
 */
bool __real_nss_local_open(struct nss_local_lines *r, const char *file);
bool __wrap_nss_local_open(struct nss_local_lines *r, const char *file);

bool __wrap_nss_local_open(struct nss_local_lines *r, const char *file)
{
    if (local_open_fails) {
        errno = EMFILE;
        return false;
    }
    return __real_nss_local_open(r, file);
}

/*
 * Local files that cannot be read leave the module unable to tell which
 * entries a local name took: every lookup is UNAVAIL (EIO), as for a DB
 * that cannot be read, never NOTFOUND ("no such user", which glibc reports
 * as no error), and the files are read again by the next lookup.  (They
 * were NOTFOUND for every eksauth user, and kept so in that process until
 * the DB or a local file changed: one passing EMFILE in a daemon refused
 * eksauth's users there for good.)
 */
static void test_local_files_unreadable(void **state)
{
    char buf[1024];
    struct passwd pw;
    struct group gr;
    long int start = 1, size = 1;
    gid_t *groups = calloc(1, sizeof(gid_t));
    int e = 0;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    write_db(true); /* a new mapping: the local files are read again */
    local_open_fails = true;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    assert_int_equal(_nss_eksauth_getpwuid_r(LO + 200, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-devs", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_getgrgid_r(LO + 11, &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(_nss_eksauth_initgroups_dyn("build", USERS_GID, &start, &size, &groups, 0, &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(start, 1);
    _nss_eksauth_setpwent(0);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    _nss_eksauth_endpwent();
    _nss_eksauth_setgrent(0);
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    _nss_eksauth_endgrent();
    /* Readable again: served by the very next lookup, with no change to any file. */
    local_open_fails = false;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, LO + 100);
    free(groups);
}

/*
 * The local files read for one name (a templated name; a group's members
 * when some DB user is named like a local one, or from an enumeration's DB
 * replaced since) and unreadable then: UNAVAIL, as when the list of local
 * names cannot be read.  (A templated name was NOTFOUND, and the group was
 * served without the members that could not be checked: a partial answer.)
 */
static void test_local_name_unreadable_per_answer(void **state)
{
    char buf[1024];
    struct passwd pw;
    struct group gr;
    int e = 0;

    (void)state;
    unreadable_name = "admin-bob";
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);

    _nss_eksauth_setgrent(0);
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_name, "eks-devs");
    write_db(true); /* replaced: the enumeration's DB is checked name by name */
    unreadable_name = "build";
    assert_int_equal(_nss_eksauth_getgrent_r(&gr, buf, sizeof(buf), &e), NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    _nss_eksauth_endgrent();
    unreadable_name = NULL;
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-system-masters", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_string_equal(gr.gr_mem[0], "build");
}

/* getpwnam of name in a process that has dropped root: its status, and the uid it gave. */
/*
 * getpwnam_r(name) in a child whose real uid is nobody's: its effective uid
 * too, or, with setuid_root, root's (a setuid root program, su, run by
 * nobody).
 */
static enum nss_status lookup_as(const char *name, bool setuid_root, uid_t *uid)
{
    int fds[2], status;
    pid_t pid;
    struct {
        enum nss_status st;
        uid_t uid;
    } answer = {NSS_STATUS_UNAVAIL, 0};

    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char buf[1024];
        struct passwd pw;
        uid_t eu = setuid_root ? 0 : 65534;
        int e = 0;

        close(fds[0]);
        if (setgid(65534) != 0 || setresuid(65534, eu, eu) != 0)
            _exit(2);
        answer.st = _nss_eksauth_getpwnam_r(name, &pw, buf, sizeof(buf), &e);
        answer.uid = answer.st == NSS_STATUS_SUCCESS ? pw.pw_uid : 0;
        _exit(write(fds[1], &answer, sizeof(answer)) == (ssize_t)sizeof(answer) ? 0 : 3);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], &answer, sizeof(answer)), (ssize_t)sizeof(answer));
    close(fds[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    *uid = answer.uid;
    return answer.st;
}

/*
 * Keyed ids: only root reads the key, so only root (sshd before PAM) gets
 * an answer for a templated name not yet recorded; anyone else could use
 * the answers to search for a session name that lands on a chosen uid.
 * Recorded and static names need no key.
 */
static void test_templated_keyed_root_only(void **state)
{
    char keydir[400], keypath[500], buf[1024];
    unsigned char secret[32];
    struct eksauth_id_key key, other;
    struct passwd pw;
    uid_t uid = 0;
    int e = 0, fd;

    (void)state;
    memset(secret, 0x6b, sizeof(secret));
    eksauth_names_id_key_derive(secret, sizeof(secret), &key);
    snprintf(keydir, sizeof(keydir), "%s/etc", tmpdir);
    snprintf(keypath, sizeof(keypath), "%s/id.key", keydir);
    assert_int_equal(mkdir(keydir, 0755), 0);
    fd = open(keypath, O_WRONLY | O_CREAT | O_EXCL, 0400);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, secret, sizeof(secret)), (ssize_t)sizeof(secret));
    close(fd);
    setenv("EKSAUTH_ID_KEY", keypath, 1);
    assert_int_equal(chmod(tmpdir, 0755), 0); /* nobody may read the DB, not the key */

    /* Unkeyed (no key when the DB was written): the same answer for everyone, as before. */
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
    assert_int_equal(lookup_as("admin-bob", false, &uid), NSS_STATUS_SUCCESS);
    assert_int_equal(uid, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));

    /* Keyed: root gets the keyed id; nobody else gets any. */
    write_db_keyed(true, &key);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, eksauth_names_id(&key, "admin-bob", 0, LO, HI));
    assert_int_not_equal(pw.pw_uid, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
    assert_int_equal(lookup_as("admin-bob", false, &uid), NSS_STATUS_NOTFOUND);
    assert_int_equal(lookup_as("zoe", false, &uid), NSS_STATUS_SUCCESS); /* recorded: no key */
    assert_int_equal(uid, LO + 200);
    /*
     * A setuid root program (su, chfn) run by nobody looks up as root, and
     * is answered: su must resolve a first login's name before its PAM
     * stack runs.  Its caller learns whether the name is answered (su: "user
     * ... does not exist"), not the id (SECURITY.md, "Known gaps").
     */
    assert_int_equal(lookup_as("admin-bob", true, &uid), NSS_STATUS_SUCCESS);
    assert_int_equal(uid, eksauth_names_id(&key, "admin-bob", 0, LO, HI));

    /*
     * The key there but unreadable to root: UNAVAIL, not "no such user" (a
     * caller's RLIMIT_NOFILE before su, a key file made world-readable).
     */
    {
        struct rlimit lim, low;
        enum nss_status st;
        int fd2 = dup(0);

        assert_true(fd2 >= 0);
        close(fd2);
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &lim), 0);
        low = lim;
        low.rlim_cur = (rlim_t)fd2;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        e = 0;
        st = _nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
        assert_int_equal(st, NSS_STATUS_UNAVAIL);
        assert_int_equal(e, EIO);
    }
    assert_int_equal(chmod(keypath, 0644), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    /* A name no template gives needs no key: no such user, as ever (it was UNAVAIL too). */
    assert_int_equal(_nss_eksauth_getpwnam_r("nosuchuser", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(e, ENOENT);
    assert_int_equal(chmod(keypath, 0400), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);

    /* Another key file, or none: the DB's key is unknown, so no answer (never unkeyed). */
    secret[0] ^= 1;
    eksauth_names_id_key_derive(secret, sizeof(secret), &other);
    write_db_keyed(true, &other);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    write_db_keyed(true, &key);
    assert_int_equal(unlink(keypath), 0);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    unsetenv("EKSAUTH_ID_KEY");
    assert_int_equal(chmod(tmpdir, 0700), 0);
}

/* ---- subordinate ids ---- */

/*
 * nss_subid_file wrapped (-Wl,--wrap, mk/tests.am): while subid_dir is set,
 * subuid and subgid are read there; each call counted.
 */
static char subid_dir[300], subid_paths[2][400];
static unsigned subid_calls;
const char *__real_nss_subid_file(bool gids);
const char *__wrap_nss_subid_file(bool gids);

const char *__wrap_nss_subid_file(bool gids)
{
    subid_calls++;
    if (subid_dir[0] == '\0')
        return __real_nss_subid_file(gids);
    snprintf(subid_paths[gids], sizeof(subid_paths[gids]), "%s/%s", subid_dir,
             gids ? "subgid" : "subuid");
    return subid_paths[gids];
}

/* Write len bytes of text to the file name of subid_dir (replaced: a new inode). */
static void put_subid_file(const char *name, const char *text, size_t len)
{
    char path[400], tmp[420];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", subid_dir, name);
    snprintf(tmp, sizeof(tmp), "%s.new", path);
    f = fopen(tmp, "we");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

static void use_subid_dir(void)
{
    snprintf(subid_dir, sizeof(subid_dir), "%s/subids", tmpdir);
    if (mkdir(subid_dir, 0755) != 0)
        assert_int_equal(errno, EEXIST);
}

/* Does hf's list of blocks (lib/hostfiles.c) hold id? */
static bool hostfiles_hold(const struct eksauth_hostfiles *hf, uint32_t id)
{
    size_t i;

    for (i = 0; i < hf->n_subs; i++)
        if (id >= hf->subs[i].lo && id <= hf->subs[i].hi)
            return true;
    return false;
}

/* Every edge of each block of either reading, and a few ids besides: both hold the same. */
static void assert_same_blocks(const struct nss_subids *s, const struct eksauth_hostfiles *hf)
{
    uint32_t probes[4 * (NSS_SUBIDS_MAX + 64) + 4];
    size_t n = 0, i;

    for (i = 0; i < hf->n_subs && i < 64; i++) {
        probes[n++] = hf->subs[i].lo - 1;
        probes[n++] = hf->subs[i].lo;
        probes[n++] = hf->subs[i].hi;
        probes[n++] = hf->subs[i].hi + 1;
    }
    for (i = 0; i < s->n; i++) {
        probes[n++] = s->blocks[i].lo - 1;
        probes[n++] = s->blocks[i].lo;
        probes[n++] = s->blocks[i].hi;
        probes[n++] = s->blocks[i].hi + 1;
    }
    probes[n++] = 0;
    probes[n++] = 1;
    probes[n++] = 99999;
    probes[n++] = UINT32_MAX;
    for (i = 0; i < n; i++) {
        if (nss_subids_hold(s, probes[i]) != hostfiles_hold(hf, probes[i]))
            fail_msg("id %u: NSS %d, lib/hostfiles.c %d", probes[i], nss_subids_hold(s, probes[i]),
                     hostfiles_hold(hf, probes[i]));
    }
}

/*
 * The NSS module reads /etc/subuid and /etc/subgid with a parser of its
 * own (no allocation; local_files.c says why): it must find the very blocks
 * lib/hostfiles.c finds, whatever the lines, or NSS would answer a name
 * whose login is refused (or the other way round).
 */
static void test_subids_read_as_hostfiles(void **state)
{
    static const char subuid[] = "alice:100000:65536\n"
                                 "bob:165536:65536\r\n"             /* CRLF; touches alice's */
                                 ":250000:10\n"                     /* no owner */
                                 "carol:300000:0\n"                 /* no id */
                                 "dave:4294967296:5\n"              /* beyond 32 bits */
                                 "erin:4294967290:100\n"            /* cut at the last id */
                                 "frank:+5000:10\nfrank: 5000:10\n" /* strtoul's sign, space */
                                 "frank:5000:10:extra\nfrank:5000:1x\nfrank:5000\n"
                                 "frank:00000000000000000006000:10\n" /* octal: 3072 */
                                 "gina:0x1b58:10\n"                   /* hex: 7000 */
                                 "hank\r\nivan:9000:10\r\r\n\n\n"
                                 "lena:20000:10:later fields\n" /* shadow <= 4.17 reads it */
                                 "mike:                                                      "
                                 "                                        30000:10\n"
                                 "judy:7000:10\r"; /* no newline at the end */
    char owner[6000], passwd[400], group[400], text[sizeof(subuid) + 1200];
    size_t len = sizeof(subuid) - 1;
    struct eksauth_hostfiles hf;
    struct eksauth_error err;
    struct nss_subids s;
    FILE *f;

    (void)state;
    use_subid_dir();
    /* A line shadow never reads (1024 bytes or more): its block is no one's. */
    memcpy(text, subuid, len);
    len += (size_t)snprintf(text + len, sizeof(text) - len, "\nolga:40000:10:%01100d\n", 0);
    put_subid_file("subuid", text, len);
    /* An owner far longer than a line of the other local files. */
    memset(owner, 'x', sizeof(owner));
    memcpy(owner + sizeof(owner) - 12, ":8000:10\nk:", 12);
    put_subid_file("subgid", owner, sizeof(owner));
    snprintf(passwd, sizeof(passwd), "%s/passwd", subid_dir);
    snprintf(group, sizeof(group), "%s/group", subid_dir);
    f = fopen(passwd, "we");
    assert_non_null(f);
    fputs("root:x:0:0::/root:/bin/sh\n", f);
    fclose(f);
    f = fopen(group, "we");
    assert_non_null(f);
    fputs("root:x:0:\n", f);
    fclose(f);

    assert_int_equal(eksauth_hostfiles_load(&hf, passwd, group, &err), EKSAUTH_OK);
    nss_subids_read(&s, __wrap_nss_subid_file(false), __wrap_nss_subid_file(true));
    assert_false(s.unreadable);
    assert_false(s.overflow);
    assert_true(nss_subids_hold(&s, 100000) && nss_subids_hold(&s, 231071));
    assert_false(nss_subids_hold(&s, 231072));
    assert_true(nss_subids_hold(&s, 8000) && nss_subids_hold(&s, 7009) &&
                nss_subids_hold(&s, 5009) && nss_subids_hold(&s, 3081));
    assert_true(nss_subids_hold(&s, UINT32_MAX));
    assert_true(nss_subids_hold(&s, 20009) && nss_subids_hold(&s, 30009));
    assert_false(nss_subids_hold(&s, 40000));
    assert_false(nss_subids_hold(&s, 5010) || nss_subids_hold(&s, 6000) ||
                 nss_subids_hold(&s, 9000) || nss_subids_hold(&s, 250000) ||
                 nss_subids_hold(&s, 300000));
    assert_same_blocks(&s, &hf);
    eksauth_hostfiles_free(&hf);
    subid_dir[0] = '\0';
}

/*
 * /etc/passwd and /etc/group read as glibc reads them (local_files.c): a
 * NUL byte in a line ends that entry and nothing more, so the next line's
 * local name is held (it was skipped as the tail of a line cut short, and
 * eksauth's user of that name kept being served); a line longer than the
 * buffer is still cut, its tail no entry of its own.
 */
static void test_local_lines_nul_byte(void **state)
{
    static const char text[] = "root:x:0:0::/root:/bin/sh\n"
                               "eve\0x:1001:1001::/home/eve:/bin/sh\n"
                               "zoe:x:1002:1002::/home/zoe:/bin/sh\n"
                               "\0\n"
                               "admin-carol:x:1003:1003::/:/bin/sh\n";
    char big[2200], path[420];
    size_t len;

    (void)state;
    use_subid_dir();
    put_subid_file("passwd", text, sizeof(text) - 1);
    snprintf(path, sizeof(path), "%s/passwd", subid_dir);
    assert_int_equal(nss_local_file_has(path, "root"), NSS_LOCAL_YES);
    assert_int_equal(nss_local_file_has(path, "zoe"), NSS_LOCAL_YES);
    assert_int_equal(nss_local_file_has(path, "admin-carol"), NSS_LOCAL_YES);
    assert_int_equal(nss_local_file_has(path, "eve"), NSS_LOCAL_NO);
    /* A line of 1023 bytes with its newline fills the buffer whole; one longer is cut. */
    memset(big, 'x', sizeof(big));
    big[1022] = '\n';
    len = 1023;
    len += (size_t)snprintf(big + len, sizeof(big) - len, "zoe:x:1:1::/:/bin/sh\n");
    memset(big + len, 'y', 1100);
    len += 1100;
    len += (size_t)snprintf(big + len, sizeof(big) - len, "\nlena:x:2:2::/:/bin/sh\n");
    big[len - 40] = '\0'; /* a NUL in the cut line's tail: still its tail */
    memcpy(big + len - 39, "mike:", 5);
    put_subid_file("passwd", big, len);
    assert_int_equal(nss_local_file_has(path, "zoe"), NSS_LOCAL_YES);
    assert_int_equal(nss_local_file_has(path, "lena"), NSS_LOCAL_YES);
    assert_int_equal(nss_local_file_has(path, "mike"), NSS_LOCAL_NO);
    /*
     * A line that starts with a NUL and runs past the buffer (1023 bytes a
     * piece): its rest, "alice:...", is its tail too, not a line.
     */
    len = 0;
    big[len++] = '\0';
    memset(big + len, 'z', 1022);
    len += 1022;
    len += (size_t)snprintf(big + len, sizeof(big) - len, "alice:x:3:3::/:/bin/sh\n");
    len += (size_t)snprintf(big + len, sizeof(big) - len, "nora:x:4:4::/:/bin/sh\n");
    put_subid_file("passwd", big, len);
    assert_int_equal(nss_local_file_has(path, "alice"), NSS_LOCAL_NO);
    assert_int_equal(nss_local_file_has(path, "nora"), NSS_LOCAL_YES);
    subid_dir[0] = '\0';
}

/*
 * More blocks than the module keeps, apart: the files are read at each
 * question, and still hold every block.  One that cannot be read then gives
 * no word on an id (NSS_LOCAL_UNREADABLE: the lookup UNAVAIL), neither
 * "free" nor "held" (it was held: NOTFOUND, which nscd caches).
 */
static void test_subids_overflow(void **state)
{
    char text[(NSS_SUBIDS_MAX + 8) * 32], path[420];
    struct nss_subids s;
    size_t len = 0;
    unsigned i;

    (void)state;
    use_subid_dir();
    for (i = 0; i < NSS_SUBIDS_MAX + 5; i++)
        len +=
            (size_t)snprintf(text + len, sizeof(text) - len, "u%u:%u:10\n", i, 1000000 + i * 100);
    put_subid_file("subuid", text, len);
    put_subid_file("subgid", "", 0);
    nss_subids_read(&s, __wrap_nss_subid_file(false), __wrap_nss_subid_file(true));
    assert_true(s.overflow);
    for (i = 0; i < NSS_SUBIDS_MAX + 5; i++) {
        assert_true(nss_subids_hold(&s, 1000000 + i * 100 + 9));
        assert_false(nss_subids_hold(&s, 1000000 + i * 100 + 10));
    }
    assert_int_equal(nss_local_id(&s, 1000000 + 9), NSS_LOCAL_YES);
    assert_int_equal(nss_local_id(&s, 1000000 + 10), NSS_LOCAL_NO);
    /* A folder where subgid goes: read at the question, it cannot be. */
    snprintf(path, sizeof(path), "%s/subgid", subid_dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(nss_local_id(&s, 1000000 + 10), NSS_LOCAL_UNREADABLE);
    assert_int_equal(nss_local_id(&s, 1000000 + 9), NSS_LOCAL_YES);
    assert_true(nss_subids_hold(&s, 1000000 + 10));
    assert_int_equal(rmdir(path), 0);
    subid_dir[0] = '\0';
}

/*
 * Cancellation at the module's cancellation points (nss_eksauth.c, "An
 * entry point that takes the lock"): open (the DB, the id key) and fopen
 * (the local files) are wrapped (mk/tests.am) and, while cancel_watch is
 * set, each call counts, and counts again when cancellation is on for it:
 * a thread cancelled there would leave the module's mutex held.
 */
static bool cancel_watch;
static unsigned watched_opens, cancellable_opens;

static void note_open(void)
{
    int old;

    if (!cancel_watch)
        return;
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
    pthread_setcancelstate(old, NULL);
    watched_opens++;
    if (old == PTHREAD_CANCEL_ENABLE)
        cancellable_opens++;
}

/* How many times the DB was opened for reading (a mapping made: lib/iddb.c eksauth_iddb_open). */
static unsigned db_opens;

int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);

int __wrap_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    va_list ap;

    if ((flags & (O_CREAT | O_TMPFILE)) != 0) {
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    note_open();
    if ((flags & O_ACCMODE) == O_RDONLY && strcmp(path, dbpath) == 0)
        db_opens++;
    return __real_open(path, flags, mode);
}

/*
 * The writer's stale mark is a pwrite into the current file, which changes
 * its mtime and ctime: until the rename that same file is served as it is
 * mapped, never mapped again (it was, by each process's first lookup after
 * the mark, each then reading /etc/passwd and /etc/group again); the
 * renamed file is mapped by the very next lookup.
 */
static void test_stale_mark_maps_nothing_again(void **state)
{
    struct timespec tick = {0, 20 * 1000 * 1000};
    unsigned char one[4] = {1, 0, 0, 0};
    struct stat before, after;
    struct passwd pw;
    char buf[1024];
    int e = 0, fd;

    (void)state;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(stat(dbpath, &before), 0);
    nanosleep(&tick, NULL); /* past the file's own timestamp tick */
    fd = open(dbpath, O_RDWR);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, one, 4, 40), 4);
    close(fd);
    assert_int_equal(stat(dbpath, &after), 0);
    assert_true(after.st_ctim.tv_sec != before.st_ctim.tv_sec ||
                after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);
    db_opens = 0;
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(db_opens, 0);
    write_db(true);
    db_opens = 0; /* the writer's own reads are not the module's */
    assert_int_equal(_nss_eksauth_getpwnam_r("build", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(db_opens, 1);
}

/*
 * fopen wrapped (-Wl,--wrap, mk/tests.am): while open_fails_for names a
 * file, its opening fails as out of descriptors, wherever the module opens
 * it (local_files.c's own calls to nss_local_open are not wrapped).
 */
FILE *__real_fopen(const char *path, const char *mode);
FILE *__wrap_fopen(const char *path, const char *mode);

FILE *__wrap_fopen(const char *path, const char *mode)
{
    note_open();
    if (open_fails_for != NULL && strcmp(path, open_fails_for) == 0) {
        errno = EMFILE;
        return NULL;
    }
    return __real_fopen(path, mode);
}

/*
 * Every path of the module that opens a file does it with cancellation off
 * (the warm path turns it off only when it needs to, nss_eksauth.c): a new
 * mapping and its local names, a templated name (the local files for its
 * id), an enumeration of a DB replaced since (its names checked against the
 * local files one by one), a group, an initgroups.  Seen failing with
 * cancel_off() taken out of current_db (the DB's open), of user_served, and
 * of the templated path (pw_lookup, held_locally, current_subids and
 * template_pw).
 */
static void test_cancellation_off_at_every_open(void **state)
{
    long int start = 0, size = 1;
    gid_t *groups;
    struct passwd pw;
    struct group gr;
    char buf[1024];
    int e = 0;

    (void)state;
    groups = calloc((size_t)size, sizeof(*groups));
    assert_non_null(groups);
    cancel_watch = true;
    watched_opens = cancellable_opens = 0;
    /* each() wrote a new DB: this lookup maps it and reads the local names. */
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_true(watched_opens >= 2);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_setpwent(0), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    cancel_watch = false;
    write_db(true); /* the writer's own opens are not the module's */
    cancel_watch = true;
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-devs", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* The enumeration goes on in the DB it started in: each name read against the local files. */
    assert_int_equal(_nss_eksauth_getpwent_r(&pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_string_equal(pw.pw_name, "zoe");
    _nss_eksauth_endpwent();
    assert_int_equal(_nss_eksauth_initgroups_dyn("zoe", LO, &start, &size, &groups, 0, &e),
                     NSS_STATUS_SUCCESS);
    cancel_watch = false;
    free(groups);
    assert_true(watched_opens >= 5);
    assert_int_equal(cancellable_opens, 0);
}

/*
 * The local files read for a templated name's one id, after the list of
 * local names was read whole: /etc/passwd (or /etc/group) failing then, out
 * of descriptors for a moment, is UNAVAIL, not "no such user", which nscd
 * would cache (it was NOTFOUND: the id counted as held).
 */
static void test_templated_id_unreadable(void **state)
{
    static const char *const files[] = {"/etc/passwd", "/etc/group"};
    char buf[1024];
    struct passwd pw;
    unsigned i;
    int e = 0;

    (void)state;
    for (i = 0; i < 2; i++) {
        write_db(true); /* a new mapping: the local names are read now, whole */
        assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_SUCCESS);
        open_fails_for = files[i];
        assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_UNAVAIL);
        assert_int_equal(e, EIO);
        open_fails_for = NULL;
        assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_SUCCESS);
    }
}

/*
 * Replace the DB by one whose index s is broken for a name or, with name
 * NULL, an id, every checksum recomputed (a DB written wrongly): the
 * name's home slot points where no record starts, the id's at another's
 * record.  lib/iddb.c's lookup then fails, neither found nor not.
 */
static void misindex(enum iddb_section s, const char *name, uint32_t id)
{
    unsigned char data[65536], *slot;
    size_t n = read_db(data, sizeof(data));
    uint64_t seed = eksauth_le64_get(data + IDDB_H_HASH_SEED), h;
    bool users = s == IDDB_S_USER_BY_NAME || s == IDDB_S_USER_BY_UID;
    uint32_t slots = eksauth_le32_get(data + (users ? IDDB_H_USER_SLOTS : IDDB_H_GROUP_SLOTS));
    uint32_t off = eksauth_le32_get(data + IDDB_H_SECTIONS + s * 8), j, rec = 0;

    for (j = 0; j < slots && rec == 0; j++)
        rec = eksauth_le32_get(data + off + (size_t)j * 8 + 4);
    assert_int_not_equal(rec, 0);
    h = name != NULL ? eksauth_iddb_hash_name(name, strlen(name), seed)
                     : eksauth_iddb_hash_id(id, seed);
    slot = data + off + (size_t)((uint32_t)h & (slots - 1)) * 8;
    eksauth_le32_put(slot, name != NULL ? (uint32_t)(h >> 32) : id);
    eksauth_le32_put(slot + 4, name != NULL ? rec + 1 : rec);
    eksauth_iddb_reseal(data, n);
    replace_db(data, n);
}

/*
 * A templated name whose one id the DB cannot say is free or held, or
 * whose name it cannot say is a group's (an index or a tombstone broken), is
 * UNAVAIL, not "no such user", which nscd would cache (it was NOTFOUND: the
 * id counted as held, the name as a group's).  Other names are answered as ever.
 */
static void test_templated_id_index_broken(void **state)
{
    char buf[1024];
    struct passwd pw;
    int e = 0;

    (void)state;
    misindex(IDDB_S_USER_BY_UID, NULL, eksauth_names_id(NULL, "admin-bob", 0, LO, HI));
    wait_recheck(); /* replaced by hand, without the writer's stale mark */
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwnam_r("nosuchuser", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    /* Its own index is whole: another templated name is served. */
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    /* The same for the name: whether a group has it cannot be read. */
    write_db(true);
    misindex(IDDB_S_GROUP_BY_NAME, "admin-bob", 0);
    wait_recheck();
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);

    /* And for a tombstone that cannot be read (flags no writer sets): held, or not? */
    {
        const struct eksauth_iddb_tombstone_in gone = {"gone", LO + 300, false, UINT64_MAX / 2};
        unsigned char data[65536];
        size_t n;

        extra_tombstone = &gone;
        write_db(true);
        extra_tombstone = NULL;
        assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_SUCCESS);
        n = read_db(data, sizeof(data));
        eksauth_le32_put(data + eksauth_le32_get(data + IDDB_H_SECTIONS + IDDB_S_TOMBSTONES * 8) +
                             IDDB_T_FLAGS,
                         2);
        eksauth_iddb_reseal(data, n);
        replace_db(data, n);
        wait_recheck();
        assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                         NSS_STATUS_UNAVAIL);
        assert_int_equal(e, EIO);
    }
}

/*
 * A templated name whose one uid is in a block of /etc/subuid or
 * /etc/subgid gets no answer, as its login is refused (lib/hostfiles.c):
 * the local account that was delegated the block acts as that uid in a
 * user namespace of its own.  A subordinate file there but unreadable
 * answers no templated name (fail closed): UNAVAIL.  Only a templated name reads the files:
 * other lookups cost what they cost before.
 */
static void test_templated_in_subordinate_block(void **state)
{
    uint32_t bob = eksauth_names_id(NULL, "admin-bob", 0, LO, HI);
    char line[64], dir[420];
    struct passwd pw;
    struct group gr;
    char buf[1024];
    int e = 0;

    (void)state;
    use_subid_dir();
    put_subid_file("subgid", "", 0);
    snprintf(line, sizeof(line), "alice:%u:1\n", bob);
    put_subid_file("subuid", line, strlen(line));
    write_db(true); /* a new mapping: the files are looked at again */
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);

    /* In subgid alone: held all the same (the block is the account's as a gid). */
    put_subid_file("subuid", "", 0);
    snprintf(line, sizeof(line), "alice:%u:10\n", bob - 5);
    put_subid_file("subgid", line, strlen(line));
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);

    /* The block gone: answered again. */
    put_subid_file("subgid", "", 0);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-bob", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(pw.pw_uid, bob);

    /* Lookups of DB entries never read or stat them. */
    subid_calls = 0;
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwuid_r(LO + 200, &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getgrnam_r("eks-devs", &gr, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    assert_int_equal(_nss_eksauth_getpwnam_r("nobody-such", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_NOTFOUND);
    assert_int_equal(subid_calls, 0);

    /*
     * There but unreadable (a folder where the file goes): no templated answer at all, and not
     * "no such user" either (UNAVAIL, as for local names that cannot be read; it was NOTFOUND).
     */
    snprintf(dir, sizeof(dir), "%s/subuid", subid_dir);
    assert_int_equal(unlink(dir), 0);
    assert_int_equal(mkdir(dir, 0755), 0);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_UNAVAIL);
    assert_int_equal(e, EIO);
    /* Other lookups never read the files: served as ever. */
    assert_int_equal(_nss_eksauth_getpwnam_r("zoe", &pw, buf, sizeof(buf), &e), NSS_STATUS_SUCCESS);
    assert_int_equal(rmdir(dir), 0);
    write_db(true);
    assert_int_equal(_nss_eksauth_getpwnam_r("admin-carol", &pw, buf, sizeof(buf), &e),
                     NSS_STATUS_SUCCESS);
    subid_dir[0] = '\0';
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_getpwnam_sizes, each),
        cmocka_unit_test_setup(test_getgrnam_sizes, each),
        cmocka_unit_test_setup(test_lookups, each),
        cmocka_unit_test_setup(test_edges_are_no_ones, each),
        cmocka_unit_test_setup(test_enumeration, each),
        cmocka_unit_test_setup(test_enumeration_across_replace, each),
        cmocka_unit_test_setup(test_enumeration_checks_each_entry_once, each),
        cmocka_unit_test_setup(test_filtered_group_never_past_the_buffer, each),
        cmocka_unit_test_setup(test_fork_during_lookups, each),
        cmocka_unit_test_setup(test_initgroups, each),
        cmocka_unit_test_setup(test_initgroups_whole_or_nothing, each),
        cmocka_unit_test_setup(test_unavailable_and_remap, each),
        cmocka_unit_test_setup(test_stale_mark, each),
        cmocka_unit_test_setup(test_stale_mark_maps_nothing_again, each),
        cmocka_unit_test_setup(test_refusal_retried, each),
        cmocka_unit_test_setup(test_cached_db_folder_made_writable, each),
        cmocka_unit_test_setup(test_cached_db_sticky_folder_served, each),
        cmocka_unit_test_setup(test_local_files_unreadable, each),
        cmocka_unit_test_setup(test_local_name_unreadable_per_answer, each),
        cmocka_unit_test_setup(test_templated_keyed_root_only, each),
        cmocka_unit_test_setup(test_subids_read_as_hostfiles, each),
        cmocka_unit_test_setup(test_subids_overflow, each),
        cmocka_unit_test_setup(test_local_lines_nul_byte, each),
        cmocka_unit_test_setup(test_templated_id_unreadable, each),
        cmocka_unit_test_setup(test_templated_id_index_broken, each),
        cmocka_unit_test_setup(test_templated_in_subordinate_block, each),
        cmocka_unit_test_setup(test_cancellation_off_at_every_open, each),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
