/*
 * test_login_index_fit.c - whether the login index may answer a login
 * (lib/login_index_fit.c), on a throwaway host after a real sync
 * (tests/lib/host_fixture.c): it fits then, and each condition that makes
 * it not fit is named as such, with a message that names the file and
 * what to run: no sync recorded, missing, not root's, damaged (the header
 * at once, a data block when every block is checked), another sync's,
 * the snapshot replaced, this host's inputs changed or unknown.  The
 * login's own call (eksauth_mapping_load_indexed) gives the same verdict.
 */
#include "config.h"

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

#include "eksauth/login_index_fit.h"
#include "eksauth/mapping.h"
#include "eksauth/snapshot.h"
#include "eksauth/sync.h"
#include "host_fixture.h"
#include "unit.h"

static const char *const AWS_AUTH = "mapRoles: |\n" FIXTURE_MAP_ROLE_BUILD FIXTURE_MAP_USER_CAROL;

static void sync_now(struct host_fixture *h)
{
    struct eksauth_sync_options opts;
    struct eksauth_sync_report r;
    struct eksauth_error err;

    memset(&opts, 0, sizeof(opts));
    if (eksauth_sync_run(&h->ctx, &opts, &r, &err) != EKSAUTH_OK)
        fail_msg("sync: %s", err.msg);
    eksauth_sync_report_free(&r);
    host_fixture_reopen(h);
}

static int setup(void **state)
{
    struct host_fixture *h = host_fixture_new(NULL, AWS_AUTH);

    sync_now(h);
    *state = h;
    return 0;
}

static int teardown(void **state)
{
    host_fixture_free(*state);
    return 0;
}

/* This host's inputs now, as a login computes them (snapshot.h). */
static void inputs_now(struct host_fixture *h, char inputs[64 + 1])
{
    const struct eksauth_host *host;
    struct eksauth_error err;

    assert_status(eksauth_ctx_id_key(&h->ctx, &err), EKSAUTH_OK);
    assert_status(eksauth_ctx_local_names(&h->ctx, &host, &err), EKSAUTH_OK);
    eksauth_snapshot_inputs(&h->ctx.cfg, &h->ctx.local, inputs);
    assert_int_equal(strlen(inputs), 64);
}

/*
 * The verdict on h's index with inputs (NULL: this host's now) against a
 * fresh context; every_block as eksauth_login_index_fit takes it.  A
 * verdict other than FITS must say what to run, and name the file.
 */
static enum eksauth_login_index_fit fit_with(struct host_fixture *h, const char *inputs,
                                             bool every_block, struct eksauth_error *why)
{
    const struct eksauth_iddb *db = NULL;
    struct eksauth_login_index *ix = NULL;
    enum eksauth_login_index_fit fit;
    char now[64 + 1];
    struct eksauth_error err;

    host_fixture_reopen(h);
    assert_status(eksauth_ctx_db(&h->ctx, true, &db, &err), EKSAUTH_OK);
    if (inputs == NULL) {
        inputs_now(h, now);
        inputs = now;
    }
    memset(why, 0, sizeof(*why));
    fit = eksauth_login_index_fit(&h->ctx.paths, h->ctx.trust_files, db, inputs, every_block, &ix,
                                  why);
    if (fit == EKSAUTH_LOGIN_INDEX_FITS) {
        assert_non_null(ix);
        eksauth_login_index_close(ix);
    } else {
        assert_null(ix);
        assert_status(why->status, EKSAUTH_ENOTFOUND);
        assert_non_null(strstr(why->msg, "; run: "));
        assert_non_null(strstr(why->msg, "login index: "));
    }
    return fit;
}

static enum eksauth_login_index_fit fit_now(struct host_fixture *h, struct eksauth_error *why)
{
    return fit_with(h, NULL, true, why);
}

/* What a login decides: the same verdict through eksauth_mapping_load_indexed. */
static enum eksauth_login_index_fit login_fit(struct host_fixture *h)
{
    const struct eksauth_iddb *db = NULL;
    enum eksauth_login_index_fit fit = EKSAUTH_LOGIN_INDEX_NO_SYNC;
    struct eksauth_mapping m;
    struct eksauth_error err;
    enum eksauth_status st;

    host_fixture_reopen(h);
    assert_status(eksauth_ctx_db(&h->ctx, true, &db, &err), EKSAUTH_OK);
    st = eksauth_mapping_load_indexed(&h->ctx, db, &m, &fit, &err);
    assert_status(st, fit == EKSAUTH_LOGIN_INDEX_FITS ? EKSAUTH_OK : EKSAUTH_ENOTFOUND);
    assert_true((m.index != NULL) == (st == EKSAUTH_OK));
    eksauth_mapping_free(&m);
    return fit;
}

/* Overwrite one byte of path at off with its complement. */
static void flip_byte(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    int c;

    assert_non_null(f);
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    c = fgetc(f);
    assert_true(c != EOF);
    assert_int_equal(fseek(f, off, SEEK_SET), 0);
    assert_true(fputc(~c & 0xff, f) != EOF);
    assert_int_equal(fclose(f), 0);
}

static void test_fits_after_a_sync(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_error why;

    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
    assert_status(fit_with(h, NULL, false, &why), EKSAUTH_LOGIN_INDEX_FITS);
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_FITS);
}

/* No index (a sync of an older eksauth): missing, named. */
static void test_missing(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_error why;

    assert_int_equal(unlink(h->ctx.paths.index), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_MISSING);
    assert_non_null(strstr(why.msg, "missing"));
    assert_non_null(strstr(why.msg, "run: eksauth sync"));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_MISSING);
    sync_now(h);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
}

/* Writable by others: refused when trusted, in trust.h's words with its fix. */
static void test_untrusted(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_error why;

    assert_int_equal(chmod(h->ctx.paths.index, 0666), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_UNTRUSTED);
    assert_non_null(strstr(why.msg, "chmod go-w"));
    assert_non_null(strstr(why.msg, h->ctx.paths.index));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_UNTRUSTED);
    assert_int_equal(chmod(h->ctx.paths.index, 0644), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
}

/* An aws-auth of n users: an index of several 4 KiB blocks. */
static void write_users(struct host_fixture *h, unsigned n)
{
    size_t cap = 64 + (size_t)n * 128, len;
    char *doc = malloc(cap);
    unsigned i;

    assert_non_null(doc);
    len = (size_t)snprintf(doc, cap, "mapUsers: |\n");
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(doc + len, cap - len,
                                "  - userarn: arn:aws:iam::123456789012:user/u%u\n"
                                "    username: user-%u\n",
                                i, i);
    host_fixture_write_aws_auth(h, doc);
    free(doc);
}

/*
 * Damaged: a header byte at once; a byte of a data block the opening does
 * not read only when every block is checked (a login checks a block when
 * it reads it, and maps with the whole snapshot then).
 */
static void test_damaged(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_error why;
    struct stat sb;

    flip_byte(h->ctx.paths.index, 44); /* the reserved field: the header sum covers it */
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_DAMAGED);
    assert_non_null(strstr(why.msg, "checksum"));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_DAMAGED);
    write_users(h, 400);
    sync_now(h);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
    assert_int_equal(stat(h->ctx.paths.index, &sb), 0);
    assert_true(sb.st_size > 3 * 4096);
    /* The first entry's record, in the first data block: the settings record lies far after. */
    flip_byte(h->ctx.paths.index, 400);
    assert_status(fit_with(h, NULL, false, &why), EKSAUTH_LOGIN_INDEX_FITS);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_DAMAGED);
    assert_non_null(strstr(why.msg, "a block does not match its checksum"));
    sync_now(h);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
}

/* The index of an earlier sync, put back after a later one: another sync's. */
static void test_other_sync(void **state)
{
    struct host_fixture *h = *state;
    char old[EKSAUTH_PATH_MAX + 8];
    struct eksauth_error why;

    snprintf(old, sizeof(old), "%s.old", h->ctx.paths.index);
    host_fixture_copy_file(h->ctx.paths.index, old);
    sync_now(h);
    assert_int_equal(rename(old, h->ctx.paths.index), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_OTHER_SYNC);
    assert_non_null(strstr(why.msg, "another sync"));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_OTHER_SYNC);
}

/* The snapshot rewritten since (the same bytes, another file). */
static void test_snapshot_changed(void **state)
{
    struct host_fixture *h = *state;
    char copy[EKSAUTH_PATH_MAX + 8];
    struct eksauth_error why;

    snprintf(copy, sizeof(copy), "%s.copy", h->ctx.paths.snapshot);
    host_fixture_copy_file(h->ctx.paths.snapshot, copy);
    assert_int_equal(rename(copy, h->ctx.paths.snapshot), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_SNAPSHOT_CHANGED);
    assert_non_null(strstr(why.msg, h->ctx.paths.snapshot));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_SNAPSHOT_CHANGED);
}

/* The config edited after the sync: planned with other inputs; unknown inputs never fit. */
static void test_inputs(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_error why;
    FILE *conf;

    assert_status(fit_with(h, "", true, &why), EKSAUTH_LOGIN_INDEX_INPUTS_UNKNOWN);
    assert_status(fit_with(h, NULL, true, &why), EKSAUTH_LOGIN_INDEX_FITS);
    conf = fopen(h->config, "a");
    assert_non_null(conf);
    assert_true(fputs("deny_user = admin:mallory\n", conf) >= 0);
    assert_int_equal(fclose(conf), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_INPUTS_CHANGED);
    assert_non_null(strstr(why.msg, h->config));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_INPUTS_CHANGED);
    sync_now(h);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_FITS);
}

/* No DB, or a state that records no sync (an older eksauth's): no sync to fit. */
static void test_no_sync(void **state)
{
    struct host_fixture *h = *state;
    struct eksauth_login_index *ix = NULL;
    struct eksauth_error why;
    char inputs[64 + 1];
    FILE *f;

    inputs_now(h, inputs);
    assert_status(eksauth_login_index_fit(&h->ctx.paths, true, NULL, inputs, true, &ix, &why),
                  EKSAUTH_LOGIN_INDEX_NO_SYNC);
    assert_null(ix);
    f = fopen(h->ctx.paths.state, "w");
    assert_non_null(f);
    assert_true(fputs("version=file:1\n", f) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_status(fit_now(h, &why), EKSAUTH_LOGIN_INDEX_NO_SYNC);
    assert_non_null(strstr(why.msg, h->ctx.paths.state));
    assert_status(login_fit(h), EKSAUTH_LOGIN_INDEX_NO_SYNC);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test_setup_teardown(test_fits_after_a_sync, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_untrusted, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_damaged, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_other_sync, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_snapshot_changed, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_inputs, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_no_sync, setup, teardown))
