/*
 * test_iddb_record.c - one login recorded in the identity DB
 * (lib/iddb_record.c): the user and its groups, an id that never changes,
 * nothing written when nothing changed, and a templated name that gets the
 * one id NSS answered for it or is refused: the uid race of issue 16 at
 * the DB's level.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/iddb_record.h"
#include "eksauth/iddb_replace.h"
#include "eksauth/names.h"
#include "eksauth/nscd.h"
#include "eksauth/paths.h"
#include "fake_nscd.h"
#include "iddb_sample.h"
#include "tmpdir.h"

/*
 * The wraps (mk/tests.am): armed, a folder's fsync fails with EIO once the
 * DB at db_path is another file than db_ino (after its rename), and a
 * request to nscd is counted, no daemon there.
 */
static bool armed;
static const char *db_path;
static ino_t db_ino;
static unsigned nscd_asks;

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_connect(int fd, const struct sockaddr *sa, socklen_t len);
int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len);

int __wrap_fsync(int fd)
{
    struct stat sb, db;

    if (armed && fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode) && stat(db_path, &db) == 0 &&
        db.st_ino != db_ino) {
        errno = EIO;
        return -1;
    }
    return __real_fsync(fd);
}

int __wrap_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    const struct sockaddr_un *un = (const struct sockaddr_un *)(const void *)sa;

    if (armed && sa->sa_family == AF_UNIX && strcmp(un->sun_path, EKSAUTH_NSCD_SOCKET) == 0) {
        nscd_asks++;
        errno = ECONNREFUSED;
        return -1;
    }
    return __real_connect(fd, sa, len);
}

/* ---- record_login ---- */

/* in as admin-WHO: the templated login of k8s user admin:WHO, a session WHO of the admins role. */
static void admin_session(struct eksauth_iddb_user_in *in, const char *who)
{
    static char login[64], k8s[64], arn[128];

    snprintf(login, sizeof(login), "admin-%s", who);
    snprintf(k8s, sizeof(k8s), "admin:%s", who);
    snprintf(arn, sizeof(arn), "arn:aws:sts::123456789012:assumed-role/admins/%s", who);
    in->login = login;
    in->k8s_username = k8s;
    in->arn = arn;
    in->flags = EKSAUTH_IDDB_USER_TEMPLATED;
}

static void test_record_login(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_group_in groups[2] = {
        {"eks-system-masters", "system:masters", LO + 999, 0}, /* present: keeps its gid */
        {"eks-ops", "ops", LO + 12, 0},                        /* new */
    };
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct stat before, after;
    char path[512];
    uint32_t uid = 0, want;
    uint64_t t0;

    (void)state;
    snprintf(path, sizeof(path), "%s/rec/identity.db", tmpdir);
    admin_session(&in, "bob");
    /* no DB yet: nothing to record into */
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups, 2, &rules, &uid, NULL, &err),
                     EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    want = eksauth_names_id(NULL, "admin-bob", 0, LO, HI);
    t0 = (uint64_t)time(NULL);
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups, 2, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(uid, want);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_generation(db), 2);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-bob", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, want);
    /* when PAM recorded it */
    assert_true(u.last_login >= t0 && u.last_login <= (uint64_t)time(NULL));
    assert_int_equal(u.gid, USERS_GID); /* the users' group: no group of its own */
    assert_int_equal(u.n_groups, 2);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-system-masters", &g), EKSAUTH_OK);
    assert_int_equal(g.gid, LO + 10);
    assert_int_equal(g.n_members, 2);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-ops", &g), EKSAUTH_OK);
    assert_int_equal(g.gid, LO + 12);
    assert_int_equal(eksauth_iddb_user_by_name(db, "build", &u), EKSAUTH_OK); /* untouched */
    eksauth_iddb_close(db);

    /* again, with fewer groups: uid kept, groups recomputed */
    in.uid = LO + 5; /* ignored: an id never changes */
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups + 1, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(uid, want);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-bob", &u), EKSAUTH_OK);
    assert_int_equal(u.uid, want);
    assert_int_equal(u.n_groups, 1);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-system-masters", &g), EKSAUTH_OK);
    assert_int_equal(g.n_members, 1);
    eksauth_iddb_close(db);

    /* the same login again: the DB already says it, so nothing is written */
    in.uid = 0;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups + 1, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(uid, want);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_generation(db), 3);
    eksauth_iddb_close(db);
    /* ... but another k8s username for the recorded name is still refused */
    in.k8s_username = "admin:someone-else";
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups + 1, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_EREJECTED);
    in.k8s_username = "admin:bob";

    /* a name that fits no template and is not recorded: refused */
    in.login = "mallory";
    in.uid = 0;
    assert_int_equal(eksauth_iddb_record_login(path, &in, NULL, 0, &rules, &uid, NULL, &err),
                     EKSAUTH_EREJECTED);
    /* a new group whose gid is taken: refused, DB unchanged */
    in.login = "admin-carol";
    groups[1].name = "eks-other";
    groups[1].gid = LO + 11;
    assert_int_equal(eksauth_iddb_record_login(path, &in, groups + 1, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_generation(db), 3);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
}

/*
 * Two logins whose templates render different k8s groups onto one POSIX
 * name ("team-X" and "team-x": eks-team-x): the first one's group stays
 * its own, the second login is recorded without it, and finding that
 * login current again writes nothing.
 */
static void test_group_of_another_k8s_group_not_joined(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_group_in upper = {"eks-team-x", "team-X", LO + 20, 0};
    struct eksauth_iddb_group_in lower[2] = {
        {"eks-team-x", "team-x", LO + 21, 0},
        {"eks-ops", "ops", LO + 12, 0},
    };
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct stat before, after;
    char path[512];
    uint32_t uid = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/join/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    admin_session(&in, "one");
    assert_int_equal(eksauth_iddb_record_login(path, &in, &upper, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    admin_session(&in, "two");
    assert_int_equal(eksauth_iddb_record_login(path, &in, lower, 2, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-team-x", &g), EKSAUTH_OK);
    assert_string_equal(g.k8s_group, "team-X");
    assert_int_equal(g.n_members, 1);
    assert_string_equal(g.members, "admin-one");
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-two", &u), EKSAUTH_OK);
    assert_int_equal(u.n_groups, 1);
    assert_int_equal(eksauth_iddb_user_group(db, &u, 0, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "eks-ops");
    /* the same login again: current as recorded, with or without the lock */
    assert_true(eksauth_iddb_login_is_current(db, &in, lower, 2, (uint64_t)time(NULL), &uid));
    eksauth_iddb_close(db);
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(eksauth_iddb_record_login(path, &in, lower, 2, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(stat(path, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    eksauth_iddb_builder_free(b);

    /* A name the sync refused (two k8s groups would share it) is joined by no login at all. */
    b = iddb_sample_builder();
    assert_int_equal(eksauth_iddb_builder_add_denied(b, "eks-refused", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    lower[0].name = "eks-refused";
    admin_session(&in, "five");
    assert_int_equal(eksauth_iddb_record_login(path, &in, lower, 2, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_group_by_name(db, "eks-refused", &g), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-five", &u), EKSAUTH_OK);
    assert_int_equal(u.n_groups, 1); /* eks-ops */
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
}

/*
 * A local group group_map sends k8s groups to is joined whatever k8s group
 * the login has (several may map to it on purpose); a group of eksauth's
 * own by that name is not the local one.
 */
static void test_local_group_joined_on_purpose(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_iddb_group g;
    struct eksauth_error err = {0};
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_group_in adm = {"adm", "admins", 4, EKSAUTH_IDDB_GROUP_LOCAL};
    struct eksauth_iddb_group_in as_login[2] = {
        {"adm", NULL, 4, EKSAUTH_IDDB_GROUP_LOCAL}, /* as a login passes it */
        {"adm", "adm", LO + 30, 0},                 /* not the local one */
    };
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    char path[512];
    uint32_t uid = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/local/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &adm, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    admin_session(&in, "three");
    assert_int_equal(eksauth_iddb_record_login(path, &in, as_login, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-three", &u), EKSAUTH_OK);
    assert_int_equal(u.n_groups, 1);
    assert_int_equal(eksauth_iddb_user_group(db, &u, 0, &g), EKSAUTH_OK);
    assert_string_equal(g.name, "adm");
    assert_true(eksauth_iddb_login_is_current(db, &in, as_login, 1, (uint64_t)time(NULL), &uid));
    eksauth_iddb_close(db);
    admin_session(&in, "four");
    assert_int_equal(
        eksauth_iddb_record_login(path, &in, as_login + 1, 1, &rules, &uid, NULL, &err),
        EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, "admin-four", &u), EKSAUTH_OK);
    assert_int_equal(u.n_groups, 0);
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
}

/*
 * The race of issue 16: NSS answers the attacker's name with its one id;
 * the victim's first login takes that very id; the attacker's login then
 * is refused (naming the holder for the log), never recorded with another.
 * A small id range so that a colliding session name is found at once.
 */
static void test_held_id_refused(void **state)
{
    struct eksauth_iddb_params p = {LO, LO + 999, NULL, NULL, LO + 5, false, 0};
    struct eksauth_iddb_group_in users = {"eks-users", "", LO + 5, 0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_iddb_user_in victim = {0}, attacker = {0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_iddb_user u;
    struct eksauth_error err = {0};
    enum eksauth_iddb_verdict v;
    char path[512], name[32];
    uint32_t target = eksauth_names_id(NULL, "sso-alice", 0, LO, LO + 999), nss_uid = 0, uid;
    unsigned i;

    (void)state;
    for (i = 0; i < 100000; i++) {
        snprintf(name, sizeof(name), "sso-m%u", i);
        if (eksauth_names_id(NULL, name, 0, LO, LO + 999) == target)
            break;
    }
    assert_true(i < 100000);
    snprintf(path, sizeof(path), "%s/race/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_builder_new(&p, &b, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "sso:{{SessionName}}", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    /* 1. sshd resolves the attacker's name: NSS answers the target uid. */
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_template_user(db, name, &rules, &nss_uid),
                     EKSAUTH_IDDB_TEMPLATED);
    assert_int_equal(nss_uid, target);
    eksauth_iddb_close(db);
    /* 2. The victim's first login takes it. */
    victim.login = "sso-alice";
    victim.k8s_username = "sso:alice";
    victim.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    assert_int_equal(eksauth_iddb_record_login(path, &victim, NULL, 0, &rules, &uid, &v, &err),
                     EKSAUTH_OK);
    assert_int_equal(uid, target);
    assert_int_equal(v, EKSAUTH_IDDB_TEMPLATED);
    /* 3. The attacker answers the held prompt: refused, not recorded under another uid. */
    attacker.login = name;
    attacker.k8s_username = name;
    attacker.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    assert_int_equal(eksauth_iddb_record_login(path, &attacker, NULL, 0, &rules, &uid, &v, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(v, EKSAUTH_IDDB_ID_HELD);
    assert_non_null(strstr(err.msg, "is held by user sso-alice"));
    assert_int_equal(eksauth_iddb_open(path, &db, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_user_by_name(db, name, &u), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_iddb_user_by_uid(db, target, &u), EKSAUTH_OK);
    assert_string_equal(u.login, "sso-alice");
    eksauth_iddb_close(db);
    eksauth_iddb_builder_free(b);
}

/*
 * A DB at tmpdir/<dir>/identity.db (its path into path) with p's
 * parameters, the users' group when p gives it a gid, the template
 * sso:{{SessionName}}, and t when not NULL.
 */
static void write_sso_db(const char *dir, const struct eksauth_iddb_params *p,
                         const struct eksauth_iddb_tombstone_in *t, char *path, size_t pathlen)
{
    struct eksauth_iddb_group_in users = {"eks-users", "", p->users_gid, 0};
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_error err = {0};

    snprintf(path, pathlen, "%s/%s/identity.db", tmpdir, dir);
    assert_int_equal(eksauth_iddb_builder_new(p, &b, &err), EKSAUTH_OK);
    if (p->users_gid != 0)
        assert_int_equal(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_builder_add_template(b, "sso:{{SessionName}}", &err), EKSAUTH_OK);
    if (t != NULL)
        assert_int_equal(eksauth_iddb_builder_add_tombstone(b, t, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
}

/* The first login of sso-bob (k8s user sso:bob), templated, into the DB at path. */
static enum eksauth_status record_sso_bob(const char *path,
                                          const struct eksauth_iddb_id_rules *rules,
                                          enum eksauth_iddb_verdict *v, struct eksauth_error *err)
{
    struct eksauth_iddb_user_in in = {0};
    uint32_t uid;

    in.login = "sso-bob";
    in.k8s_username = "sso:bob";
    in.flags = EKSAUTH_IDDB_USER_TEMPLATED;
    return eksauth_iddb_record_login(path, &in, NULL, 0, rules, &uid, v, err);
}

/* A DB keyed by a key the caller does not have: no templated login is recorded. */
static void test_keyed_without_key(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, LO + 5, true, 42};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_error err = {0};
    enum eksauth_iddb_verdict v;
    char path[512];

    (void)state;
    write_sso_db("keyed", &p, NULL, path, sizeof(path));
    assert_int_equal(record_sso_bob(path, &rules, &v, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(v, EKSAUTH_IDDB_NO_KEY);
    assert_non_null(strstr(err.msg, "run eksauth sync"));
}

/*
 * A DB with no group of every login (users_group clashed with a local
 * group) serves no templated name: a templated login's refusal says so.
 * (It said "not a templated name of the current aws-auth", though the name
 * fits the template.)
 */
static void test_no_users_group_said(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, 0, false, 0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_error err = {0};
    enum eksauth_iddb_verdict v;
    char path[512];

    (void)state;
    write_sso_db("nousers", &p, NULL, path, sizeof(path));
    assert_int_equal(record_sso_bob(path, &rules, &v, &err), EKSAUTH_EREJECTED);
    assert_int_equal(v, EKSAUTH_IDDB_NOT_TEMPLATED);
    assert_non_null(strstr(err.msg, "sso-bob: no templated login is served: the DB has no group "
                                    "of every login (users_group"));
    assert_null(strstr(err.msg, "not a templated name"));
}

/* The one id local_held holds: as a local account's (rules.local_id). */
static uint32_t local_held;

static bool held_locally(void *ctx, uint32_t id)
{
    (void)ctx;
    return id == local_held;
}

/*
 * The log names what truly holds a templated name's id: a tombstone of it
 * that ended holds nothing, so the local account holding it is named.
 * (The ended tombstone was named, between its end and the next sync.)
 */
static void test_holder_ended_tombstone_not_named(void **state)
{
    struct eksauth_iddb_params p = {LO, HI, NULL, NULL, LO + 5, false, 0};
    uint64_t now = (uint64_t)time(NULL);
    struct eksauth_iddb_id_rules rules = {NULL, now, held_locally, NULL};
    struct eksauth_iddb_tombstone_in t = {"sso-gone", 0, false, 0};
    struct eksauth_error err = {0};
    enum eksauth_iddb_verdict v;
    char path[512];

    (void)state;
    local_held = eksauth_names_id(NULL, "sso-bob", 0, LO, HI);
    t.id = local_held;
    t.until = now - 60;
    write_sso_db("ended", &p, &t, path, sizeof(path));
    assert_int_equal(record_sso_bob(path, &rules, &v, &err), EKSAUTH_EREJECTED);
    assert_int_equal(v, EKSAUTH_IDDB_ID_HELD);
    assert_non_null(strstr(err.msg, "is held by a local account or group"));
    assert_null(strstr(err.msg, "tombstone"));
    /* While it lasts, the tombstone is what holds it, and is named. */
    rules.now = now - 120;
    assert_int_equal(record_sso_bob(path, &rules, &v, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "is held by the tombstone of removed user sso-gone"));
}

/*
 * In a mount namespace of its own (fake_nscd_in_namespace): a login recorded under a stand-in nscd,
 * then the same login again, which writes nothing.  0 when the stand-in was asked for both caches
 * once (the write) and not again, 1 when not, 2 and more when the setup failed.
 */
static int record_under_fake_nscd(void *arg)
{
    const char *path = arg;
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_group_in g = {"eks-ops", "ops", LO + 12, 0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_error err = {0};
    struct fake_nscd f;
    char log[256];
    uint32_t uid;

    if (eksauth_iddb_write(b, path, &err) != EKSAUTH_OK) /* no nscd yet: nothing asked */
        return 3;
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 4, FAKE_NSCD_DONE) != 0)
        return 4;
    admin_session(&in, "nscd");
    if (eksauth_iddb_record_login(path, &in, &g, 1, &rules, &uid, NULL, &err) != EKSAUTH_OK ||
        eksauth_iddb_record_login(path, &in, &g, 1, &rules, &uid, NULL, &err) != EKSAUTH_OK)
        return 5;
    /* Killed: it waits for 4 requests, and only the write's 2 may come. */
    fake_nscd_stop(&f, 1, log, sizeof(log));
    eksauth_iddb_builder_free(b);
    return strcmp(log, "2 10 passwd\n2 10 group\n") == 0 ? 0 : 1;
}

/*
 * A login recorded (PAM) has nscd drop its passwd and group caches, once
 * the writer's lock is released; a login already current writes nothing
 * and asks nothing.
 */
static void test_recorded_login_tells_nscd(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/nscd/identity.db", tmpdir);
    assert_int_equal(fake_nscd_in_namespace(record_under_fake_nscd, path), 0);
}

/*
 * In a mount namespace of its own: a login recorded under a stand-in nscd
 * that refuses, then one under a stand-in that drops its caches.  0 when
 * the refusal left the mark of caches owed a drop beside the DB and the
 * drop that worked did not remove it, else the step that did not (its
 * number).
 */
static int record_under_refusing_nscd(void *arg)
{
    const char *path = arg;
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_error err = {0};
    struct fake_nscd f;
    struct stat sb;
    char log[256], mark[600];
    uint32_t uid;
    int bad = 0;

    snprintf(mark, sizeof(mark), "%.*s/%s", (int)(strrchr(path, '/') - path), path,
             EKSAUTH_NSCD_PENDING_NAME);
    if (eksauth_iddb_write(b, path, &err) != EKSAUTH_OK || lstat(mark, &sb) == 0)
        return 2;
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_REFUSE) != 0)
        return 3;
    admin_session(&in, "refused");
    if (eksauth_iddb_record_login(path, &in, NULL, 0, &rules, &uid, NULL, &err) != EKSAUTH_OK)
        bad = 4;
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (bad == 0 && strcmp(log, "2 10 passwd\n2 10 group\n") != 0)
        bad = 5;
    else if (bad == 0 && (lstat(mark, &sb) != 0 || !S_ISREG(sb.st_mode)))
        bad = 6;
    /*
     * A later login's drop that works pays the mark too: it took the mark
     * over under the lock, so its request came after every write the mark
     * was owed for (nscd.h).
     */
    if (bad == 0 && fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 2, FAKE_NSCD_DONE) != 0)
        bad = 7;
    if (bad == 0) {
        admin_session(&in, "dropped");
        if (eksauth_iddb_record_login(path, &in, NULL, 0, &rules, &uid, NULL, &err) != EKSAUTH_OK)
            bad = 8;
        fake_nscd_stop(&f, 1, log, sizeof(log));
        if (bad == 0 && lstat(mark, &sb) == 0)
            bad = 9;
    }
    eksauth_iddb_builder_free(b);
    return bad;
}

/*
 * A login that records itself and whose nscd does not drop its caches
 * leaves the mark a sync leaves (nscd.pending beside the DB), so the next
 * sync, or the watch, asks again: it left nothing, and the caches kept
 * what the write replaced for their time to live, the next sync not
 * knowing.  A login whose nscd dropped them leaves none
 * (test_recorded_login_tells_nscd).
 */
static void test_recorded_login_nscd_refused_is_owed(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/nscd-refused/identity.db", tmpdir);
    assert_int_equal(fake_nscd_in_namespace(record_under_refusing_nscd, path), 0);
}

/*
 * In a mount namespace of its own: a login that records itself, SIGKILLed
 * while its nscd (stuck) has not answered.  0 when the next run that looks
 * (eksauth_nscd_take, as a sync or the watch does) finds the drop owed,
 * else the step that failed (its number).
 */
static int record_killed_while_asking(void *arg)
{
    const char *path = arg;
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_nscd_debt d;
    struct eksauth_error err = {0};
    struct fake_nscd f;
    char log[256];
    uint32_t uid;
    pid_t child;
    int bad = 0;

    if (eksauth_iddb_write(b, path, &err) != EKSAUTH_OK || eksauth_nscd_take(&d, path))
        return 2;
    eksauth_iddb_builder_free(b);
    if (fake_nscd_start(&f, EKSAUTH_NSCD_SOCKET, 1, FAKE_NSCD_SILENT) != 0)
        return 3;
    admin_session(&in, "killed");
    child = fork();
    if (child < 0)
        return 4;
    if (child == 0)
        _exit(eksauth_iddb_record_login(path, &in, NULL, 0, &rules, &uid, NULL, &err) == EKSAUTH_OK
                  ? 0
                  : 1);
    (void)fake_nscd_wait_request(&f);
    kill(child, SIGKILL);
    (void)waitpid(child, NULL, 0);
    fake_nscd_stop(&f, 1, log, sizeof(log));
    if (strcmp(log, "2 10 passwd\n") != 0)
        bad = 5;
    else if (!eksauth_nscd_take(&d, path) || d.taken != 1)
        bad = 6;
    else if (eksauth_nscd_settle(&d, true, &err) != EKSAUTH_OK || eksauth_nscd_take(&d, path))
        bad = 7;
    return bad;
}

/*
 * A login killed after it recorded itself and before nscd answered still
 * owes nscd's caches their drop: its claim was on disk before the DB was
 * replaced, and the next sync or the watch takes it over (nscd.h).  (A
 * login left the mark only when nscd's answer was a failure.)
 */
static void test_recorded_login_killed_still_owes(void **state)
{
    char path[512];

    (void)state;
    snprintf(path, sizeof(path), "%s/nscd-killed/identity.db", tmpdir);
    assert_int_equal(fake_nscd_in_namespace(record_killed_while_asking, path), 0);
}

/*
 * A login whose write fails after the DB's rename (the folder's fsync)
 * left the new DB in place: nscd is asked to drop its caches, or the drop
 * is left owed.  (The failure was taken for no write: the claim was
 * removed unasked, and nscd kept what the write replaced.)
 */
static void test_recorded_login_replaced_then_failed_owes(void **state)
{
    struct eksauth_iddb_builder *b = iddb_sample_builder();
    struct eksauth_iddb_user_in in = {0};
    struct eksauth_iddb_group_in g = {"eks-ops", "ops", LO + 12, 0};
    struct eksauth_iddb_id_rules rules = {NULL, 0, NULL, NULL};
    struct eksauth_error err = {0};
    char path[512];
    struct stat sb;
    uint32_t uid;

    (void)state;
    snprintf(path, sizeof(path), "%s/fsync/identity.db", tmpdir);
    assert_int_equal(eksauth_iddb_write(b, path, &err), EKSAUTH_OK);
    assert_int_equal(stat(path, &sb), 0);
    db_path = path;
    db_ino = sb.st_ino;
    nscd_asks = 0;
    admin_session(&in, "fsync");
    armed = true;
    assert_int_equal(eksauth_iddb_record_login(path, &in, &g, 1, &rules, &uid, NULL, &err),
                     EKSAUTH_EIO);
    armed = false;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_ino != db_ino); /* replaced all the same */
    if (nscd_asks == 0 && !eksauth_nscd_owed(path))
        fail_msg("the DB was replaced, and nscd neither asked nor owed");
    eksauth_iddb_builder_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_login),
        cmocka_unit_test(test_group_of_another_k8s_group_not_joined),
        cmocka_unit_test(test_local_group_joined_on_purpose),
        cmocka_unit_test(test_held_id_refused),
        cmocka_unit_test(test_keyed_without_key),
        cmocka_unit_test(test_no_users_group_said),
        cmocka_unit_test(test_holder_ended_tombstone_not_named),
        cmocka_unit_test(test_recorded_login_tells_nscd),
        cmocka_unit_test(test_recorded_login_nscd_refused_is_owed),
        cmocka_unit_test(test_recorded_login_killed_still_owes),
        cmocka_unit_test(test_recorded_login_replaced_then_failed_owes),
    };

    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}
