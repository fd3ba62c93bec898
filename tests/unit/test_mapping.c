/*
 * test_mapping.c - lib/mapping.c: when a login's mapping reads this host's
 * own instance for {{EC2PrivateDNSName}} (never for other logins; once; a
 * failure refuses); what reading aws-auth says when there is nothing to read
 * (no config file, a missing aws_auth_file, a missing --aws-auth file).
 * Reading, planning and resolving whole: test_login.c and test_sync.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/mapping.h"
#include "unit.h"

/*
 * eksauth_mapping_bind_host_instance without a network: the endpoint "ftp://"
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
    assert_status(eksauth_mapping_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_OK);
    assert_false(inst.tried);
    assert_null(p.self_instance_id);
    /* One that needs it, with instance metadata failing: refused with the cause. */
    p.arn = "arn:aws:sts::123456789012:assumed-role/NodeRole/i-0123456789abcdef0";
    assert_status(eksauth_mapping_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
                  EKSAUTH_EREJECTED);
    assert_true(inst.tried);
    assert_non_null(strstr(err.msg, "{{EC2PrivateDNSName}}: this host's own instance is unknown: "
                                    "instance metadata: the endpoint must be an http:// URL"));
    assert_null(p.self_instance_id);
    /* The failure is kept: a second login does not wait for instance metadata again. */
    memset(&err, 0, sizeof(err));
    assert_status(eksauth_mapping_bind_host_instance("http://127.0.0.1:1", aa, &p, &inst, &err),
                  EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "the endpoint must be"));
    /* An answer read before is bound without another read. */
    memset(&inst, 0, sizeof(inst));
    inst.tried = true;
    inst.status = EKSAUTH_OK;
    snprintf(inst.instance_id, sizeof(inst.instance_id), "i-0123456789abcdef0");
    snprintf(inst.private_dns_name, sizeof(inst.private_dns_name), "ip-10-0-1-23.ec2.internal");
    assert_status(eksauth_mapping_bind_host_instance("ftp://nowhere", aa, &p, &inst, &err),
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

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_bind_host_instance), cmocka_unit_test(test_read_missing))
