/*
 * test_hostfiles.c - the names and ids of the host's own accounts
 * (lib/hostfiles.c), read from passwd and group files directly; two reads
 * compared (a watch's check for useradd) and a read moved into a context's.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/hostfiles.h"
#include "scratch.h"

/* A scratch folder per test, with the paths of its passwd and group files. */
struct files {
    char dir[SCRATCH_DIR_MAX], passwd[SCRATCH_DIR_MAX + 8], group[SCRATCH_DIR_MAX + 8];
};

static int files_setup(void **state)
{
    struct files *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return -1;
    scratch_make(t->dir, sizeof(t->dir), "hostfiles");
    snprintf(t->passwd, sizeof(t->passwd), "%s/passwd", t->dir);
    snprintf(t->group, sizeof(t->group), "%s/group", t->dir);
    *state = t;
    return 0;
}

static int files_teardown(void **state)
{
    struct files *t = *state;

    scratch_remove(t->dir);
    free(t);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void test_names_and_ids(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};
    uint32_t gid = 0;

    write_text(t->passwd, "root:x:0:0:root:/root:/bin/bash\n"
                          "svc:x:1500:1600:svc:/srv:/bin/sh\n");
    write_text(t->group, "root:x:0:\n"
                         "docker:x:999:svc\n"
                         "svc:x:1600:\n");
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_OK);
    assert_true(hf.host.local_user(hf.host.ctx, "svc"));
    assert_false(hf.host.local_user(hf.host.ctx, "docker"));
    assert_true(hf.host.local_group(hf.host.ctx, "docker", &gid));
    assert_int_equal(gid, 999);
    /* Every uid, every primary gid and every group's gid, once each, sorted. */
    assert_int_equal(hf.n_ids, 4);
    assert_int_equal(hf.ids[0], 0);
    assert_int_equal(hf.ids[3], 1600);
    assert_true(hf.host.local_id(hf.host.ctx, 1500));
    assert_true(hf.host.local_id(hf.host.ctx, 1600));
    assert_true(hf.host.local_id(hf.host.ctx, 999));
    assert_false(hf.host.local_id(hf.host.ctx, 1000));
    eksauth_hostfiles_free(&hf);
}

/* An empty group file and a passwd whose last line has no newline: read as they are. */
static void test_edges_of_the_files(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};

    write_text(t->passwd, "root:x:0:0:root:/root:/bin/bash\n"
                          "# a comment line\n"
                          "\n"
                          "last:x:1501:1501::/home/last:/bin/sh");
    write_text(t->group, "");
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_OK);
    assert_int_equal(hf.n_users, 2);
    assert_true(hf.host.local_user(hf.host.ctx, "last"));
    assert_false(hf.host.local_user(hf.host.ctx, "# a comment line"));
    assert_int_equal(hf.n_groups, 0);
    assert_false(hf.host.local_group(hf.host.ctx, "root", NULL));
    assert_true(hf.host.local_id(hf.host.ctx, 1501));
    eksauth_hostfiles_free(&hf);
}

/*
 * An entry longer than any first guess of a buffer (a gecos of 20,000
 * bytes, a group of 3,000 members) is read whole, and the entries after
 * it are read too: a name lost there would be served by a template.
 */
static void test_long_entries(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};
    char *text = malloc(64 * 1024);
    size_t n;
    int i;

    assert_non_null(text);
    n = (size_t)sprintf(text, "long:x:1700:1700:");
    memset(text + n, 'g', 20000);
    n += 20000;
    n += (size_t)sprintf(text + n, ":/home/long:/bin/sh\nafter:x:1701:1701::/:/bin/sh\n");
    write_text(t->passwd, text);
    n = (size_t)sprintf(text, "big:x:1800:");
    for (i = 0; i < 3000; i++)
        n += (size_t)sprintf(text + n, "%sm%d", i > 0 ? "," : "", i);
    sprintf(text + n, "\nafter:x:1801:\n");
    write_text(t->group, text);
    free(text);
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_OK);
    assert_true(hf.host.local_user(hf.host.ctx, "long"));
    assert_true(hf.host.local_user(hf.host.ctx, "after"));
    assert_true(hf.host.local_group(hf.host.ctx, "big", NULL));
    assert_true(hf.host.local_group(hf.host.ctx, "after", NULL));
    assert_true(hf.host.local_id(hf.host.ctx, 1700));
    assert_true(hf.host.local_id(hf.host.ctx, 1800));
    assert_true(hf.host.local_id(hf.host.ctx, 1801));
    eksauth_hostfiles_free(&hf);
}

/*
 * realloc wrapped (-Wl,--wrap, mk/tests.am): the nth call from the library
 * fails.  Every allocation failure of a load is its failure, never a load
 * that succeeds with names left out.
 */
static unsigned realloc_fail_at;
void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);

void *__wrap_realloc(void *p, size_t size)
{
    if (realloc_fail_at > 0 && --realloc_fail_at == 0) {
        errno = ENOMEM;
        return NULL;
    }
    return __real_realloc(p, size);
}

static void test_out_of_memory_fails_the_load(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};
    enum eksauth_status st;
    unsigned n, failed = 0;

    char group[8192];
    size_t len;
    int i;

    write_text(t->passwd, "root:x:0:0:root:/root:/bin/bash\n"
                          "svc:x:1500:1600:svc:/srv:/bin/sh\n");
    /* A group longer than the buffer the passwd entries needed: it grows again. */
    len = (size_t)sprintf(group, "root:x:0:\nbig:x:1800:");
    for (i = 0; i < 1000; i++)
        len += (size_t)sprintf(group + len, "%sm%d", i > 0 ? "," : "", i);
    sprintf(group + len, "\nsvc:x:1600:\n");
    write_text(t->group, group);
    for (n = 1; n < 400; n++) {
        realloc_fail_at = n;
        st = eksauth_hostfiles_load(&hf, t->passwd, t->group, &err);
        if (realloc_fail_at > 0) {
            /* Fewer than n allocations: this load met no failure. */
            realloc_fail_at = 0;
            assert_int_equal(st, EKSAUTH_OK);
            eksauth_hostfiles_free(&hf);
            break;
        }
        assert_int_not_equal(st, EKSAUTH_OK);
        failed++;
    }
    realloc_fail_at = 0;
    /* The entry buffer alone is three allocations of this load. */
    assert_true(failed >= 3);
}

/*
 * Subordinate ids (subuid and subgid beside passwd and group, as
 * /etc/subuid beside /etc/passwd) are held like local ids: their owner acts
 * as them in a user namespace of its own (newuidmap), so an eksauth id
 * among them would be that local account's to read and write.  Lines
 * shadow-utils would not take hold nothing; no file holds nothing.
 */
static void test_subordinate_ids_are_held(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf, again;
    struct eksauth_error err = {0};
    char subuid[SCRATCH_DIR_MAX + 8], subgid[SCRATCH_DIR_MAX + 8];

    snprintf(subuid, sizeof(subuid), "%s/subuid", t->dir);
    snprintf(subgid, sizeof(subgid), "%s/subgid", t->dir);
    write_text(t->passwd, "root:x:0:0:root:/root:/bin/bash\n");
    write_text(t->group, "root:x:0:\n");
    /* No subuid or subgid file: none held. */
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_OK);
    assert_false(hf.host.local_id(hf.host.ctx, 100000));
    write_text(subuid, "alice:100000:65536\n"
                       "1001:300000:10\n"
                       "# not a line of subuid\n"
                       "bad:x:5\n"
                       "zero:400000:0\n"
                       "top:4294967290:100\n"
                       "last:500000:2");
    write_text(subgid, "alice:200000:65536\r\n");
    assert_int_equal(eksauth_hostfiles_load(&again, t->passwd, t->group, &err), EKSAUTH_OK);
    assert_true(again.host.local_id(again.host.ctx, 100000));
    assert_true(again.host.local_id(again.host.ctx, 165535));
    assert_false(again.host.local_id(again.host.ctx, 165536));
    assert_false(again.host.local_id(again.host.ctx, 99999));
    assert_true(again.host.local_id(again.host.ctx, 300009));
    assert_false(again.host.local_id(again.host.ctx, 300010));
    assert_false(again.host.local_id(again.host.ctx, 400000));
    assert_true(again.host.local_id(again.host.ctx, 500001));
    assert_false(again.host.local_id(again.host.ctx, 500002));
    assert_true(again.host.local_id(again.host.ctx, 4294967293u));
    /* A gid's block holds the id for users too: users and groups share eksauth's range. */
    assert_true(again.host.local_id(again.host.ctx, 200000));
    assert_true(again.host.local_id(again.host.ctx, 265535));
    assert_false(again.host.local_id(again.host.ctx, 265536));
    /* A new block is a change of what the host holds (a watch plans again). */
    assert_false(eksauth_hostfiles_equal(&hf, &again));
    eksauth_hostfiles_free(&hf);
    eksauth_hostfiles_free(&again);
    /* One that cannot be read fails the read, as passwd does: never "none held". */
    assert_int_equal(unlink(subgid), 0);
    assert_int_equal(mkdir(subgid, 0700), 0);
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, subgid));
    assert_int_equal(rmdir(subgid), 0);
}

/*
 * A file that cannot be read is an I/O error naming it, never an empty list:
 * the login and the sync would otherwise serve a name the host owns.
 */
static void test_unreadable_files_fail(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles hf;
    struct eksauth_error err = {0};

    write_text(t->passwd, "root:x:0:0:root:/root:/bin/bash\n");
    /* Missing. */
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_EIO);
    assert_int_equal(err.status, EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, t->group));
    assert_null(hf.users);
    assert_int_equal(hf.n_users, 0);
    /* A folder where the file should be (read as a stream, it looked empty). */
    assert_int_equal(mkdir(t->group, 0700), 0);
    memset(&err, 0, sizeof(err));
    assert_int_equal(eksauth_hostfiles_load(&hf, t->passwd, t->group, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

/* load passwd and group text into *hf. */
static void load_text(struct files *t, struct eksauth_hostfiles *hf, const char *passwd,
                      const char *group)
{
    struct eksauth_error err = {0};

    write_text(t->passwd, passwd);
    write_text(t->group, group);
    assert_int_equal(eksauth_hostfiles_load(hf, t->passwd, t->group, &err), EKSAUTH_OK);
}

#define PASSWD "root:x:0:0:root:/root:/bin/bash\nsvc:x:1500:1600:svc:/srv:/bin/sh\n"
#define GROUP  "root:x:0:\ndocker:x:999:svc\nsvc:x:1600:\n"

/*
 * The same accounts are equal whatever their order, comments or members;
 * a user, a group, a gid or a uid more or other is a difference.
 */
static void test_equal(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles a, b;

    load_text(t, &a, PASSWD, GROUP);
    load_text(t, &b,
              "# local\nsvc:x:1500:1600:other gecos:/srv:/bin/sh\n"
              "root:x:0:0:root:/root:/bin/bash\n",
              "svc:x:1600:\ndocker:x:999:\nroot:x:0:\n");
    assert_true(eksauth_hostfiles_equal(&a, &b));
    assert_true(eksauth_hostfiles_equal(&b, &a));
    eksauth_hostfiles_free(&b);
    /* A user added (useradd). */
    load_text(t, &b, PASSWD "carol:x:1501:1600::/home/carol:/bin/sh\n", GROUP);
    assert_false(eksauth_hostfiles_equal(&a, &b));
    assert_false(eksauth_hostfiles_equal(&b, &a));
    eksauth_hostfiles_free(&b);
    /* A group added (groupadd) with an id already owned: the names differ, not the ids. */
    load_text(t, &b, PASSWD, GROUP "devs:x:1600:\n");
    assert_int_equal(b.n_ids, a.n_ids);
    assert_false(eksauth_hostfiles_equal(&a, &b));
    eksauth_hostfiles_free(&b);
    /* A group's gid changed (groupmod -g). */
    load_text(t, &b, PASSWD, "root:x:0:\ndocker:x:998:svc\nsvc:x:1600:\n");
    assert_false(eksauth_hostfiles_equal(&a, &b));
    eksauth_hostfiles_free(&b);
    /* A uid changed (usermod -u): the same names, other ids. */
    load_text(t, &b, "root:x:0:0:root:/root:/bin/bash\nsvc:x:1502:1600:svc:/srv:/bin/sh\n", GROUP);
    assert_int_equal(b.n_users, a.n_users);
    assert_false(eksauth_hostfiles_equal(&a, &b));
    eksauth_hostfiles_free(&b);
    /* A user renamed, ids kept. */
    load_text(t, &b, "root:x:0:0:root:/root:/bin/bash\nsvd:x:1500:1600:svc:/srv:/bin/sh\n", GROUP);
    assert_false(eksauth_hostfiles_equal(&a, &b));
    eksauth_hostfiles_free(&b);
    eksauth_hostfiles_free(&a);
}

/* A moved list answers from its new place; the old one is left empty. */
static void test_move(void **state)
{
    struct files *t = *state;
    struct eksauth_hostfiles from, to;

    load_text(t, &to, PASSWD, GROUP);
    load_text(t, &from, PASSWD "carol:x:1501:1600::/home/carol:/bin/sh\n", GROUP);
    eksauth_hostfiles_move(&to, &from);
    assert_ptr_equal(to.host.ctx, &to);
    assert_true(to.host.local_user(to.host.ctx, "carol"));
    assert_true(to.host.local_id(to.host.ctx, 1501));
    assert_null(from.users);
    assert_int_equal(from.n_users, 0);
    /* Into an empty (zeroed) one, too. */
    eksauth_hostfiles_move(&from, &to);
    assert_true(from.host.local_user(from.host.ctx, "carol"));
    assert_ptr_equal(from.host.ctx, &from);
    eksauth_hostfiles_free(&from);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_and_ids, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_edges_of_the_files, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_long_entries, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory_fails_the_load, files_setup,
                                        files_teardown),
        cmocka_unit_test_setup_teardown(test_subordinate_ids_are_held, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_unreadable_files_fail, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_equal, files_setup, files_teardown),
        cmocka_unit_test_setup_teardown(test_move, files_setup, files_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
