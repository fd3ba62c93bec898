/*
 * test_mapping.c - lib/mapping.c: when a login's mapping reads this host's
 * own instance for {{EC2PrivateDNSName}} (never for other logins; once; a
 * failure refuses); what reading aws-auth says when there is nothing to read
 * (no config file, a missing aws_auth_file, a missing --aws-auth file) or
 * a file of root's it may not read when not root (the fix: run as root);
 * the seeds a DB gives a plan (a tombstoned id stays held whatever its
 * name does meanwhile).
 * Reading, planning and resolving whole: test_login.c and test_sync.c.
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

#include "eksauth/iddb.h"
#include "eksauth/mapping.h"
#include "eksauth/names.h"
#include "as_nobody.h"
#include "plan_fixture.h"
#include "unit.h"

/*
 * eksauth_mapping_bind_principal_instance without a network: the endpoint "ftp://"
 * is refused before any request, so a read that happens shows as its error.
 */
static void test_bind_host_instance(void **state)
{
    static const char yaml[] = "mapRoles: |\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/NodeRole\n"
                               "    username: system:node:{{EC2PrivateDNSName}}\n"
                               "  - rolearn: arn:aws:iam::123456789012:role/Dev\n"
                               "    username: dev:{{SessionName}}\n";
    struct eksauth_awsauth *aa = NULL;
    struct eksauth_host_instance inst;
    struct eksauth_error err = {0};
    struct eksauth_principal p;

    (void)state;
    assert_status(eksauth_awsauth_parse(yaml, sizeof(yaml) - 1, &aa, &err), EKSAUTH_OK);
    memset(&inst, 0, sizeof(inst));
    memset(&p, 0, sizeof(p));
    /* A login whose entry does not need it: nothing read, nothing bound. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/Dev/i-0123456789abcdef0";
    assert_status(eksauth_mapping_bind_principal_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_OK);
    assert_false(inst.tried);
    assert_null(p.self_instance_id);
    /* One that needs it, with instance metadata failing: refused with the cause. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0123456789abcdef0";
    assert_status(eksauth_mapping_bind_principal_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_EREJECTED);
    assert_true(inst.tried);
    assert_non_null(strstr(err.msg, "{{EC2PrivateDNSName}}: this host's own instance is unknown: "
                                    "instance metadata: the endpoint must be an http:// URL"));
    assert_null(p.self_instance_id);
    /* The failure is kept: a second login does not wait for instance metadata again. */
    memset(&err, 0, sizeof(err));
    assert_status(
        eksauth_mapping_bind_principal_instance("http://127.0.0.1:1", aa, &p, &inst, &err),
        EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "the endpoint must be"));
    /* An answer read before is bound without another read. */
    memset(&inst, 0, sizeof(inst));
    inst.tried = true;
    inst.status = EKSAUTH_OK;
    snprintf(inst.instance_id, sizeof(inst.instance_id), "i-0123456789abcdef0");
    snprintf(inst.private_dns_name, sizeof(inst.private_dns_name), "ip-10-0-1-23.ec2.internal");
    assert_status(eksauth_mapping_bind_principal_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_OK);
    assert_string_equal(p.self_instance_id, "i-0123456789abcdef0");
    assert_string_equal(p.self_private_dns_name, "ip-10-0-1-23.ec2.internal");
    eksauth_awsauth_free(aa);
}

/* Nothing to read: each case names what is missing and what to do. */
static void test_read_missing(void **state)
{
    static char label[EKSAUTH_PATH_MAX + 64];
    struct eksauth_ctx ctx;
    struct eksauth_error err;
    char *data = NULL;
    size_t len = 0;

    (void)state;
    eksauth_ctx_init(&ctx, 0);
    snprintf(ctx.paths.config, sizeof(ctx.paths.config), "/etc/eksauth/eksauth.conf");
    /* No config file at all (the defaults): the config is what is missing. */
    ctx.config_read = false;
    assert_status(eksauth_mapping_read(&ctx, NULL, &data, &len, label, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/eksauth/eksauth.conf does not exist: write it first"));
    /* A config without a source. */
    ctx.config_read = true;
    assert_status(eksauth_mapping_read(&ctx, NULL, &data, &len, label, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no aws-auth to map with: set aws_auth_file"));
    /* aws_auth_file names a file that is not there: where it is set, and how to write it. */
    ctx.cfg.aws_auth_file = (char *)"/nonexistent/aws-auth.yaml";
    assert_status(eksauth_mapping_read(&ctx, NULL, &data, &len, label, &err), EKSAUTH_ENOTFOUND);
    assert_string_equal(err.msg, "/nonexistent/aws-auth.yaml (aws_auth_file in "
                                 "/etc/eksauth/eksauth.conf) does not exist: write the ConfigMap "
                                 "there (kubectl get configmap aws-auth -n kube-system -o "
                                 "yaml), or set source = kubernetes to read it from the cluster");
    /* A file named on the command line. */
    assert_status(eksauth_mapping_read(&ctx, "/nonexistent/x.yaml", &data, &len, label, &err),
                  EKSAUTH_ENOTFOUND);
    assert_string_equal(err.msg, "--aws-auth /nonexistent/x.yaml: no such file");
    assert_null(data);
    ctx.cfg.aws_auth_file = NULL;
    eksauth_ctx_close(&ctx);
}

/* read_as_nobody's read: root's context, and what nobody saw. */
struct read_seen {
    struct eksauth_ctx *ctx;
    const char *path;
    char *data;
    enum eksauth_status st;
    struct eksauth_error err;
};

static void read_it(void *p)
{
    static char label[EKSAUTH_PATH_MAX + 64];
    struct read_seen *seen = p;
    size_t len = 0;

    seen->st = eksauth_mapping_read(seen->ctx, seen->path, &seen->data, &len, label, &seen->err);
}

/* Read path as nobody (as_nobody.h): the status, and the message into msg. */
static enum eksauth_status read_as_nobody(const char *path, char *msg, size_t msglen)
{
    struct eksauth_ctx ctx;
    struct read_seen seen = {&ctx, path, NULL, EKSAUTH_EINVAL, {EKSAUTH_OK, ""}};

    eksauth_ctx_init(&ctx, 0);
    as_nobody(read_it, &seen);
    snprintf(msg, msglen, "%s", seen.err.msg);
    free(seen.data);
    eksauth_ctx_close(&ctx);
    return seen.st;
}

/* Not root, an aws-auth only root may read: one fix, run as root; someone else's gets none. */
static void test_read_not_root(void **state)
{
    char dir[] = "/tmp/test_mapping.XXXXXX", path[sizeof(dir) + 32], msg[EKSAUTH_ERROR_MAX],
         want[sizeof(msg)];
    FILE *f;

    (void)state;
    if (geteuid() != 0)
        skip(); /* only root makes a file of root's, then drops to another user */
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/aws-auth.yaml", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("mapRoles: |\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0);
    assert_status(read_as_nobody(path, msg, sizeof(msg)), EKSAUTH_EIO);
    snprintf(want, sizeof(want),
             "%s: Permission denied; it is root's: run this as root (sudo eksauth ...)", path);
    assert_string_equal(msg, want);
    /* Another user's file: running as root is not the fix to name. */
    assert_int_equal(chown(path, 65533, 65533), 0);
    assert_status(read_as_nobody(path, msg, sizeof(msg)), EKSAUTH_EIO);
    snprintf(want, sizeof(want), "%s: Permission denied", path);
    assert_string_equal(msg, want);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/*
 * A tombstone whose name is in the DB again under another id (the id key
 * changed, then the name was recorded anew) still holds its id: a new name
 * the sync plans never gets it, or the carry (lib/tombstone.c) would drop
 * the tombstone and hand the removed user's files to that new person.
 */
static void test_seeds_hold_tombstone_of_name_back(void **state)
{
    struct plan_fixture *f = *state;
    struct eksauth_iddb_params params;
    struct eksauth_iddb_builder *b = NULL;
    struct eksauth_iddb *db = NULL;
    struct eksauth_id_seed *seeds = NULL;
    struct eksauth_error err;
    const uint64_t now = 1764500000;
    /* The id newbie would get first: the removed bob's tombstone holds it. */
    const uint32_t held = eksauth_names_id(NULL, "newbie", 0, 0, 0);
    const struct eksauth_plan_user *newbie, *bob;
    uint32_t uid;
    void *img = NULL;
    size_t len = 0, n = 0;

    memset(&params, 0, sizeof(params));
    params.id_min = EKSAUTH_ID_MIN;
    params.id_max = EKSAUTH_ID_MAX;
    assert_status(eksauth_iddb_builder_new(&params, &b, &err), EKSAUTH_OK);
    {
        struct eksauth_iddb_group_in users = {"eks-users", NULL, held + 2, 0};
        struct eksauth_iddb_user_in bob_in = {
            .login = "bob", .k8s_username = "bob", .uid = held + 1, .gid = held + 2};
        struct eksauth_iddb_tombstone_in tomb = {"bob", held, false, now + 86400};

        assert_status(eksauth_iddb_builder_add_group(b, &users, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_builder_add_user(b, &bob_in, &err), EKSAUTH_OK);
        assert_status(eksauth_iddb_builder_add_tombstone(b, &tomb, &err), EKSAUTH_OK);
    }
    assert_status(eksauth_iddb_builder_serialize(b, &img, &len, &err), EKSAUTH_OK);
    eksauth_iddb_builder_free(b);
    assert_status(eksauth_iddb_open_owned(img, len, &db, &err), EKSAUTH_OK);
    assert_status(eksauth_mapping_seeds(db, now, &seeds, &n, &err), EKSAUTH_OK);
    plan_fixture_load(f, "mapUsers: |\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/bob\n"
                         "    username: bob\n"
                         "  - userarn: arn:aws:iam::" PLAN_ACCOUNT ":user/newbie\n"
                         "    username: newbie\n");
    eksauth_plan_free(&f->plan);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, n, &f->plan, &err),
                  EKSAUTH_OK);
    newbie = eksauth_plan_find_user(&f->plan, "newbie");
    bob = eksauth_plan_find_user(&f->plan, "bob");
    assert_non_null(newbie);
    assert_non_null(bob);
    /* bob keeps the id the DB gives it now; the tombstone's id goes to nobody. */
    assert_int_equal(bob->uid, held + 1);
    assert_int_not_equal(newbie->uid, held);
    assert_true(eksauth_plan_id_taken(&f->plan, NULL, held));
    /* Nor is it bob's seed: the name does not take the held id back either. */
    assert_non_null(eksauth_plan_find_seed(&f->plan, "bob", false));
    assert_int_equal(eksauth_plan_find_seed(&f->plan, "bob", false)->id, held + 1);
    /* Once it ends, the id is free again. */
    free(seeds);
    assert_status(eksauth_mapping_seeds(db, now + 86400, &seeds, &n, &err), EKSAUTH_OK);
    eksauth_plan_free(&f->plan);
    assert_status(eksauth_plan_build(&f->cfg, f->aa, &f->host, seeds, n, &f->plan, &err),
                  EKSAUTH_OK);
    uid = eksauth_plan_find_user(&f->plan, "newbie")->uid;
    assert_int_equal(uid, held);
    free(seeds);
    eksauth_iddb_close(db);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_bind_host_instance), cmocka_unit_test(test_read_missing),
                  cmocka_unit_test(test_read_not_root),
                  cmocka_unit_test_setup_teardown(test_seeds_hold_tombstone_of_name_back,
                                                  plan_fixture_setup, plan_fixture_teardown))
