/*
 * test_context.c - what a context keeps of the host (lib/context.c): the
 * local accounts read once, and read again for a caller that lives long
 * (eksauth_ctx_reload_local): a change seen by content, even one that
 * keeps the files' size and times; files that cannot be read fail closed.
 * This host's instance: a failure kept is dropped to be asked again, an
 * answer never (eksauth_ctx_retry_instance).
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/context.h"
#include "scratch.h"

#define PASSWD "root:x:0:0:root:/root:/bin/bash\nsvc:x:1500:1600:svc:/srv:/bin/sh\n"
#define GROUP  "root:x:0:\nsvc:x:1600:\n"

/* A context whose local account files are a scratch folder's. */
struct host {
    struct scratch *s;
    char passwd[128], group[128];
    struct eksauth_ctx ctx;
};

static void write_text(const char *path, const char *mode, const char *text)
{
    FILE *f = fopen(path, mode);

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int host_setup(void **state)
{
    struct host *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    t->s = scratch_new("context", "passwd");
    snprintf(t->passwd, sizeof(t->passwd), "%s", t->s->path);
    snprintf(t->group, sizeof(t->group), "%s/group", t->s->dir);
    write_text(t->passwd, "w", PASSWD);
    write_text(t->group, "w", GROUP);
    eksauth_ctx_init(&t->ctx, 0);
    t->ctx.passwd_path = t->passwd;
    t->ctx.group_path = t->group;
    *state = t;
    return 0;
}

static int host_teardown(void **state)
{
    struct host *t = *state;

    eksauth_ctx_close(&t->ctx);
    scratch_free(t->s);
    free(t);
    return 0;
}

static bool local_user(struct host *t, const char *name)
{
    const struct eksauth_host *host;
    struct eksauth_error err = {0};

    assert_int_equal(eksauth_ctx_local_names(&t->ctx, &host, &err), EKSAUTH_OK);
    return host->local_user(host->ctx, name);
}

/* The context's override is what it reads: not /etc/passwd. */
static void test_local_names_from_the_override(void **state)
{
    struct host *t = *state;

    assert_true(local_user(t, "svc"));
    assert_false(local_user(t, "daemon"));
}

/*
 * A user added in place, in the same second: seen, and kept; read again
 * with nothing new, nothing changed.
 */
static void test_reload_sees_an_added_user(void **state)
{
    struct host *t = *state;
    struct eksauth_error err = {0};
    bool changed = true;

    assert_false(local_user(t, "carol"));
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_false(changed);
    write_text(t->passwd, "a", "carol:x:1501:1501::/home/carol:/bin/sh\n");
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_true(changed);
    assert_true(t->ctx.local_loaded);
    assert_true(local_user(t, "carol"));
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_false(changed);
    /* A group too. */
    write_text(t->group, "a", "devs:x:1700:\n");
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_true(changed);
}

/* A gid changed in place with the file's size and times kept: compared by content, seen. */
static void test_reload_compares_content_not_times(void **state)
{
    struct host *t = *state;
    struct eksauth_error err = {0};
    struct timespec times[2];
    struct stat before, after;
    const struct eksauth_host *host;
    uint32_t gid = 0;
    bool changed = true;

    assert_true(local_user(t, "svc"));
    assert_int_equal(stat(t->group, &before), 0);
    write_text(t->group, "w", "root:x:0:\nsvc:x:1601:\n");
    times[0] = before.st_atim;
    times[1] = before.st_mtim;
    assert_int_equal(utimensat(AT_FDCWD, t->group, times, 0), 0);
    assert_int_equal(stat(t->group, &after), 0);
    assert_int_equal(after.st_size, before.st_size);
    assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_true(changed);
    assert_int_equal(eksauth_ctx_local_names(&t->ctx, &host, &err), EKSAUTH_OK);
    assert_true(host->local_group(host->ctx, "svc", &gid));
    assert_int_equal(gid, 1601);
}

/* Nothing kept yet: read, kept, and said changed (the caller's last plan had none). */
static void test_reload_with_nothing_kept(void **state)
{
    struct host *t = *state;
    struct eksauth_error err = {0};
    bool changed = false;

    assert_false(t->ctx.local_loaded);
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_true(changed);
    assert_true(t->ctx.local_loaded);
    assert_true(local_user(t, "svc"));
}

/*
 * A passwd that cannot be read (a folder in its place): the error names
 * it, nothing is kept, and the next plan's read fails too: never a plan
 * with accounts that can no longer be checked.  Readable again: changed.
 */
static void test_reload_fails_closed(void **state)
{
    struct host *t = *state;
    struct eksauth_error err = {0};
    const struct eksauth_host *host;
    char aside[160];
    bool changed = true;

    assert_true(local_user(t, "svc"));
    snprintf(aside, sizeof(aside), "%s.aside", t->passwd);
    assert_int_equal(rename(t->passwd, aside), 0);
    assert_int_equal(mkdir(t->passwd, 0700), 0);
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_EIO);
    assert_false(changed);
    assert_non_null(strstr(err.msg, t->passwd));
    assert_false(t->ctx.local_loaded);
    assert_null(t->ctx.local.users);
    memset(&err, 0, sizeof(err));
    assert_int_equal(eksauth_ctx_local_names(&t->ctx, &host, &err), EKSAUTH_EIO);
    assert_null(host);
    assert_non_null(strstr(err.msg, t->passwd));
    /* The same accounts back: read anew, and said changed (nothing was kept). */
    assert_int_equal(rmdir(t->passwd), 0);
    assert_int_equal(rename(aside, t->passwd), 0);
    assert_int_equal(eksauth_ctx_reload_local(&t->ctx, &changed, &err), EKSAUTH_OK);
    assert_true(changed);
    assert_true(local_user(t, "svc"));
}

/*
 * A failure of instance metadata kept: reused, with its cause, until it is
 * dropped; then the next call asks again (here an endpoint imds.c refuses
 * before any request, so nothing leaves the host) and keeps the new failure.
 */
static void test_retry_instance_drops_a_failure(void **state)
{
    struct host *t = *state;
    struct eksauth_host_instance *inst = &t->ctx.instance;
    struct eksauth_error err = {0};

    assert_false(eksauth_ctx_retry_instance(&t->ctx)); /* never asked: nothing to drop */
    inst->tried = true;
    inst->status = EKSAUTH_EUNAVAIL;
    snprintf(inst->failure.msg, sizeof(inst->failure.msg), "throttled at boot");
    t->ctx.cfg.imds_endpoint = strdup("ftp://169.254.169.254");
    assert_non_null(t->ctx.cfg.imds_endpoint);
    assert_int_equal(eksauth_imds_host_instance(t->ctx.cfg.imds_endpoint, inst, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "throttled at boot"));

    assert_true(eksauth_ctx_retry_instance(&t->ctx));
    assert_false(inst->tried);
    assert_int_equal(eksauth_imds_host_instance(t->ctx.cfg.imds_endpoint, inst, &err),
                     EKSAUTH_EREJECTED);
    assert_null(strstr(err.msg, "throttled at boot"));
    assert_non_null(strstr(err.msg, "the endpoint must be an http:// URL"));
    assert_true(inst->tried);
    /* The new failure is kept, and dropped again on request. */
    assert_true(eksauth_ctx_retry_instance(&t->ctx));
}

/* An answer kept is never dropped: the instance is asked once per process. */
static void test_retry_instance_keeps_an_answer(void **state)
{
    struct host *t = *state;
    struct eksauth_host_instance *inst = &t->ctx.instance;
    struct eksauth_error err = {0};

    inst->tried = true;
    inst->status = EKSAUTH_OK;
    snprintf(inst->instance_id, sizeof(inst->instance_id), "i-0c6f21bf1f24f9708");
    snprintf(inst->private_dns_name, sizeof(inst->private_dns_name),
             "ip-172-31-27-14.ec2.internal");
    /* An endpoint that could not be asked: an answer kept never reaches it. */
    t->ctx.cfg.imds_endpoint = strdup("ftp://169.254.169.254");
    assert_non_null(t->ctx.cfg.imds_endpoint);
    assert_false(eksauth_ctx_retry_instance(&t->ctx));
    assert_true(inst->tried);
    assert_int_equal(eksauth_imds_host_instance(t->ctx.cfg.imds_endpoint, inst, &err), EKSAUTH_OK);
    assert_string_equal(inst->instance_id, "i-0c6f21bf1f24f9708");
    assert_string_equal(inst->private_dns_name, "ip-172-31-27-14.ec2.internal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_local_names_from_the_override, host_setup,
                                        host_teardown),
        cmocka_unit_test_setup_teardown(test_reload_sees_an_added_user, host_setup, host_teardown),
        cmocka_unit_test_setup_teardown(test_reload_compares_content_not_times, host_setup,
                                        host_teardown),
        cmocka_unit_test_setup_teardown(test_reload_with_nothing_kept, host_setup, host_teardown),
        cmocka_unit_test_setup_teardown(test_reload_fails_closed, host_setup, host_teardown),
        cmocka_unit_test_setup_teardown(test_retry_instance_drops_a_failure, host_setup,
                                        host_teardown),
        cmocka_unit_test_setup_teardown(test_retry_instance_keeps_an_answer, host_setup,
                                        host_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
