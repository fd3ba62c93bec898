/*
 * test_template.c - username and group templates: the reference
 * implementation's vectors (its TestRenderTemplate; EC2PrivateDNSName
 * resolves only to the host's own instance, AccessKeyID is refused in
 * usernames), single-pass expansion, and every error.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/template.h"
#include "unit.h"

/* The principal of the upstream vectors: account 123, AKID 321, session jdoe@example.com. */
static const struct eksauth_principal jdoe = {
    .arn = "arn:aws:sts::123456789012:assumed-role/Dev/jdoe@example.com",
    .canonical_arn = "arn:aws:iam::123456789012:role/Dev",
    .account = "123",
    .session_name = "jdoe@example.com",
    .access_key_id = "321",
};

static void expect_render(const char *tmpl, const struct eksauth_principal *p,
                          enum eksauth_template_use use, const char *want)
{
    char out[256];
    struct eksauth_error err = {0};

    if (eksauth_template_render(tmpl, p, use, out, sizeof(out), &err) != EKSAUTH_OK)
        fail_msg("%s: %s", tmpl, err.msg);
    assert_string_equal(out, want);
}

static void expect_refused(const char *tmpl, const struct eksauth_principal *p,
                           enum eksauth_template_use use, const char *want)
{
    char out[256];
    struct eksauth_error err = {0};

    memcpy(out, "junk", 5);
    assert_int_equal(eksauth_template_render(tmpl, p, use, out, sizeof(out), &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(err.status, EKSAUTH_EREJECTED);
    assert_string_equal(out, ""); /* never half a name */
    if (strncmp(err.msg, "template: ", 10) != 0 || strstr(err.msg, want) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", tmpl, err.msg, want);
}

/*
 * upstream pkg/server/server_test.go TestRenderTemplate, every row.  Where
 * eksauth decides otherwise (docs/aws-auth.md, "Templates"): {{AccessKeyID}}
 * is rendered in a group (refused in a username), and {{EC2PrivateDNSName}}
 * fails here as there for a session name that is no instance id.
 */
static void test_upstream_vectors(void **state)
{
    struct eksauth_principal plain = jdoe;

    (void)state;
    plain.session_name = "jdoe";
    expect_refused("a-{{EC2PrivateDNSName}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "SessionName did not contain an instance id");
    expect_render("a-{{AccountID}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "a-123-b");
    expect_render("a-{{AccessKeyID}}-b", &jdoe, EKSAUTH_TEMPLATE_GROUP, "a-321-b");
    expect_render("a-{{SessionName}}-b", &plain, EKSAUTH_TEMPLATE_USERNAME, "a-jdoe-b");
    expect_render("a-{{SessionName}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "a-jdoe-example.com-b");
    expect_render("a-{{SessionNameRaw}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                  "a-jdoe@example.com-b");
    expect_render("a-{{AccountID}}-{{SessionName}}-{{SessionNameRaw}}-b", &jdoe,
                  EKSAUTH_TEMPLATE_USERNAME, "a-123-jdoe-example.com-jdoe@example.com-b");
}

static void test_common_templates(void **state)
{
    (void)state;
    expect_render("admin:{{SessionName}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                  "admin:jdoe-example.com");
    expect_render("{{SessionName}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "jdoe-example.com");
    expect_render("build", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "build");
    expect_render("system:masters", &jdoe, EKSAUTH_TEMPLATE_GROUP, "system:masters");
    expect_render("team-{{AccountID}}", &jdoe, EKSAUTH_TEMPLATE_GROUP, "team-123");
    /* '@' becomes '-' only in a {{SessionName}} value, never in the template text. */
    expect_render("a@b:{{SessionName}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "a@b:jdoe-example.com");
    /* Lone braces are text. */
    expect_render("a{b}c}}d{", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "a{b}c}}d{");
}

/* One pass: a value is never scanned again, whatever it holds. */
static void test_single_pass(void **state)
{
    struct eksauth_principal p = jdoe;

    (void)state;
    p.session_name = "{{AccountID}}";
    expect_render("u-{{SessionNameRaw}}", &p, EKSAUTH_TEMPLATE_USERNAME, "u-{{AccountID}}");
    p.session_name = "{{EC2PrivateDNSName}}";
    expect_render("{{SessionName}}", &p, EKSAUTH_TEMPLATE_USERNAME, "{{EC2PrivateDNSName}}");
}

static void test_access_key_id_refused_in_usernames(void **state)
{
    (void)state;
    expect_refused("ak-{{AccessKeyID}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "template: {{AccessKeyID}} is refused in usernames: it changes every session");
    expect_render("ak-{{AccessKeyID}}", &jdoe, EKSAUTH_TEMPLATE_GROUP, "ak-321");
}

/* The node of docs/aws-auth.md, "Templates" (upstream's TestAuthenticateVerifierNodeMapping), on
 * its own host. */
static const struct eksauth_principal node = {
    .arn = "arn:aws:sts::123456789012:assumed-role/TestNodeRole/i-0c6f21bf1f24f9708",
    .canonical_arn = "arn:aws:iam::123456789012:role/TestNodeRole",
    .account = "123456789012",
    .session_name = "i-0c6f21bf1f24f9708",
    .access_key_id = "ASIAEXAMPLEEXAMPLE01",
    .self_instance_id = "i-0c6f21bf1f24f9708",
    .self_private_dns_name = "ip-172-31-27-14",
};

static void test_ec2_private_dns_name_own_instance(void **state)
{
    struct eksauth_principal p = node;

    (void)state;
    expect_render("system:node:{{EC2PrivateDNSName}}", &node, EKSAUTH_TEMPLATE_USERNAME,
                  "system:node:ip-172-31-27-14");
    expect_render("g-{{EC2PrivateDNSName}}", &node, EKSAUTH_TEMPLATE_GROUP, "g-ip-172-31-27-14");
    /* Order and single pass with the other placeholders. */
    expect_render("{{AccountID}}/{{EC2PrivateDNSName}}/{{SessionName}}", &node,
                  EKSAUTH_TEMPLATE_USERNAME, "123456789012/ip-172-31-27-14/i-0c6f21bf1f24f9708");
    /* The short (8-character) form of an instance id. */
    p.session_name = "i-0c6f21bf";
    p.self_instance_id = "i-0c6f21bf";
    p.self_private_dns_name = "ip-10-0-1-23.ec2.internal";
    expect_render("system:node:{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME,
                  "system:node:ip-10-0-1-23.ec2.internal");
    /* Go's \w holds '_' and upper case too. */
    p.session_name = p.self_instance_id = "i-AB_def12";
    expect_render("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME,
                  "ip-10-0-1-23.ec2.internal");
}

static void test_ec2_private_dns_name_refused(void **state)
{
    struct eksauth_principal p = node;

    (void)state;
    /* Not an instance id: upstream's own error. */
    expect_refused("system:node:{{EC2PrivateDNSName}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "template: {{EC2PrivateDNSName}}: SessionName did not contain an instance id");
    p.session_name = "i-aaaaa"; /* upstream's vector */
    expect_refused("a-{{EC2PrivateDNSName}}-b", &p, EKSAUTH_TEMPLATE_USERNAME,
                   "SessionName did not contain an instance id");
    p.session_name = "i-0c6f21bf1f24f970"; /* 16 */
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "i-0c6f21bf1f24f97088"; /* 18 */
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "i-0c6f21b"; /* 7 */
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "i-0c6f21bf1f24f9708@x"; /* '@' is no \w, and never becomes '-' here */
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "i-0c6f-1bf"; /* 8 bytes, but '-' is no \w */
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "I-0c6f21bf";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");
    p.session_name = "";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "did not contain");

    /* Another instance: whoever can assume the role picks the session name. */
    p = node;
    p.session_name = "i-0aaaaaaaaaaaaaaaa";
    expect_refused("system:node:{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME,
                   "template: {{EC2PrivateDNSName}}: instance i-0aaaaaaaaaaaaaaaa is not this host "
                   "(i-0c6f21bf1f24f9708): eksauth resolves {{EC2PrivateDNSName}} only for the "
                   "host's own instance");
    /* Case matters: an id that differs only in case is another id. */
    p.session_name = "i-0C6F21BF1F24F9708";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "is not this host");

    /* The host's own instance unknown (not EC2, metadata not read). */
    p = node;
    p.self_instance_id = NULL;
    expect_refused("system:node:{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME,
                   "this host's own instance is unknown");
    p.self_instance_id = "";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "instance is unknown");
    p = node;
    p.self_private_dns_name = NULL;
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_GROUP, "instance is unknown");

    /* A private DNS name that is no DNS name never becomes a name. */
    p = node;
    p.self_private_dns_name = "ip-172-31-27-14:root";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME,
                   "is not a lower-case DNS name");
    p.self_private_dns_name = "";
    expect_refused("{{EC2PrivateDNSName}}", &p, EKSAUTH_TEMPLATE_USERNAME, "DNS name");

    /* Without a principal (validate) the placeholder is known syntax. */
    assert_int_equal(eksauth_template_validate("system:node:{{EC2PrivateDNSName}}",
                                               EKSAUTH_TEMPLATE_USERNAME, NULL),
                     EKSAUTH_OK);
}

static void test_instance_id_and_dns_name_shapes(void **state)
{
    char long_label[70], long_name[300];

    (void)state;
    assert_true(eksauth_template_instance_id_valid("i-0c6f21bf1f24f9708"));
    assert_true(eksauth_template_instance_id_valid("i-12345678"));
    assert_false(eksauth_template_instance_id_valid(NULL));
    assert_false(eksauth_template_instance_id_valid("i-"));
    assert_false(eksauth_template_instance_id_valid("x-12345678"));
    assert_false(eksauth_template_instance_id_valid("i-123456789"));
    assert_false(eksauth_template_instance_id_valid("i-1234567\n"));

    assert_true(eksauth_template_dns_name_valid("ip-172-31-27-14"));
    assert_true(eksauth_template_dns_name_valid("ip-10-0-1-23.ec2.internal"));
    assert_true(eksauth_template_dns_name_valid("i-0123456789abcdef0.us-west-2.compute.internal"));
    assert_true(eksauth_template_dns_name_valid("a"));
    assert_false(eksauth_template_dns_name_valid(NULL));
    assert_false(eksauth_template_dns_name_valid(""));
    assert_false(eksauth_template_dns_name_valid("IP-10-0-1-23.ec2.internal"));
    assert_false(eksauth_template_dns_name_valid(".ec2.internal"));
    assert_false(eksauth_template_dns_name_valid("ip..internal"));
    assert_false(eksauth_template_dns_name_valid("ip-10-0-1-23."));
    assert_false(eksauth_template_dns_name_valid("-ip.internal"));
    assert_false(eksauth_template_dns_name_valid("ip-.internal"));
    assert_false(eksauth_template_dns_name_valid("ip_10.internal"));
    assert_false(eksauth_template_dns_name_valid("ip 10.internal"));
    assert_false(eksauth_template_dns_name_valid("ip,10"));
    memset(long_label, 'a', 64);
    long_label[64] = '\0';
    assert_false(eksauth_template_dns_name_valid(long_label)); /* a label of 64 */
    long_label[63] = '\0';
    assert_true(eksauth_template_dns_name_valid(long_label)); /* 63 */
    snprintf(long_name, sizeof(long_name), "%s.%s.%s.%s", long_label, long_label, long_label,
             long_label);
    assert_false(eksauth_template_dns_name_valid(long_name)); /* 255 > 253 */
    long_name[253] = '\0';
    assert_true(eksauth_template_dns_name_valid(long_name));

    assert_true(eksauth_template_needs_host_instance("system:node:{{EC2PrivateDNSName}}"));
    assert_false(eksauth_template_needs_host_instance("system:node:{{SessionName}}"));
    assert_false(eksauth_template_needs_host_instance("{{EC2PrivateDNSname}}"));
    assert_false(eksauth_template_needs_host_instance(NULL));
}

static void test_unknown_and_unterminated(void **state)
{
    (void)state;
    expect_refused("a-{{Session}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "unknown placeholder {{Session}}");
    expect_refused("{{sessionname}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "unknown placeholder {{sessionname}}");
    expect_refused("{{ SessionName }}", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "unknown placeholder");
    expect_refused("x{{}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "unknown placeholder {{}}");
    expect_refused("{{{AccountID}}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "unknown placeholder {{{AccountID}}");
    expect_refused("a-{{SessionName", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                   "unterminated \"{{\" at byte 2");
    expect_refused("{{SessionName}}-{{", &jdoe, EKSAUTH_TEMPLATE_GROUP,
                   "unterminated \"{{\" at byte 16");
    expect_refused("a-{{SessionName}", &jdoe, EKSAUTH_TEMPLATE_USERNAME, "unterminated");
}

static void test_empty_values(void **state)
{
    struct eksauth_principal user = {
        .arn = "arn:aws:iam::123456789012:user/alice",
        .canonical_arn = "arn:aws:iam::123456789012:user/alice",
        .account = "123456789012",
        .session_name = "",
        .access_key_id = NULL,
    };

    (void)state;
    expect_refused("admin:{{SessionName}}", &user, EKSAUTH_TEMPLATE_USERNAME,
                   "{{SessionName}} is empty for this identity");
    expect_refused("{{SessionNameRaw}}", &user, EKSAUTH_TEMPLATE_USERNAME,
                   "{{SessionNameRaw}} is empty");
    expect_refused("k-{{AccessKeyID}}", &user, EKSAUTH_TEMPLATE_GROUP, "{{AccessKeyID}} is empty");
    user.account = NULL;
    expect_refused("{{AccountID}}", &user, EKSAUTH_TEMPLATE_GROUP, "{{AccountID}} is empty");
    /* No placeholder, no value needed. */
    expect_render("alice", &user, EKSAUTH_TEMPLATE_USERNAME, "alice");
}

static void test_output_bounds(void **state)
{
    char out[8];
    struct eksauth_error err = {0};

    (void)state;
    /* "a-123-b" and its NUL fit exactly in 8 bytes. */
    assert_int_equal(eksauth_template_render("a-{{AccountID}}-b", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                                             out, sizeof(out), &err),
                     EKSAUTH_OK);
    assert_string_equal(out, "a-123-b");
    assert_int_equal(eksauth_template_render("a-{{AccountID}}-bc", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                                             out, sizeof(out), &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "longer than 7 bytes"));
    assert_string_equal(out, "");
    assert_int_equal(eksauth_template_render("{{SessionNameRaw}}", &jdoe, EKSAUTH_TEMPLATE_USERNAME,
                                             out, sizeof(out), &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_template_render("x", &jdoe, EKSAUTH_TEMPLATE_USERNAME, out, 0, &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(
        eksauth_template_render("x", NULL, EKSAUTH_TEMPLATE_USERNAME, out, sizeof(out), &err),
        EKSAUTH_EINVAL);
    assert_int_equal(
        eksauth_template_render(NULL, &jdoe, EKSAUTH_TEMPLATE_USERNAME, out, sizeof(out), &err),
        EKSAUTH_EINVAL);
}

static void test_validate(void **state)
{
    struct eksauth_error err = {0};

    (void)state;
    /* Syntax only: known placeholders pass even where rendering refuses them. */
    assert_int_equal(eksauth_template_validate("system:node:{{EC2PrivateDNSName}}",
                                               EKSAUTH_TEMPLATE_USERNAME, &err),
                     EKSAUTH_OK);
    assert_int_equal(
        eksauth_template_validate("ak-{{AccessKeyID}}", EKSAUTH_TEMPLATE_USERNAME, &err),
        EKSAUTH_OK);
    assert_int_equal(eksauth_template_validate("a-{{AccountID}}-{{SessionName}}-{{SessionNameRaw}}",
                                               EKSAUTH_TEMPLATE_GROUP, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_template_validate("plain", EKSAUTH_TEMPLATE_USERNAME, &err),
                     EKSAUTH_OK);

    assert_int_equal(eksauth_template_validate("{{Nope}}", EKSAUTH_TEMPLATE_USERNAME, &err),
                     EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "template: unknown placeholder {{Nope}}");
    assert_int_equal(eksauth_template_validate("x-{{AccountID", EKSAUTH_TEMPLATE_GROUP, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "template: unterminated"));
    assert_int_equal(eksauth_template_validate(NULL, EKSAUTH_TEMPLATE_GROUP, &err), EKSAUTH_EINVAL);
}

static void test_has_placeholder(void **state)
{
    (void)state;
    assert_true(eksauth_template_has_placeholder("admin:{{SessionName}}"));
    assert_true(eksauth_template_has_placeholder("{{"));
    assert_false(eksauth_template_has_placeholder("build"));
    assert_false(eksauth_template_has_placeholder("a{b}"));
    assert_false(eksauth_template_has_placeholder(NULL));
}

/* {{EC2PrivateDNSName}} bound to a host's name, the other placeholders kept. */
static void test_bind_host(void **state)
{
    struct eksauth_error err;
    char out[40];

    (void)state;
    assert_status(eksauth_template_bind_host("n:{{EC2PrivateDNSName}}", "ip-1.internal", out,
                                             sizeof(out), &err),
                  EKSAUTH_OK);
    assert_string_equal(out, "n:ip-1.internal");
    assert_status(eksauth_template_bind_host("{{EC2PrivateDNSName}}-{{SessionName}}.{{"
                                             "EC2PrivateDNSName}}",
                                             "h1", out, sizeof(out), &err),
                  EKSAUTH_OK);
    assert_string_equal(out, "h1-{{SessionName}}.h1");
    assert_status(eksauth_template_bind_host("plain", "h1", out, sizeof(out), &err), EKSAUTH_OK);
    assert_string_equal(out, "plain");
    assert_status(eksauth_template_bind_host("{{EC2PrivateDNSName}}",
                                             "a-name-longer-than-forty-bytes.ec2.internal", out,
                                             sizeof(out), &err),
                  EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "the bound template is too long");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_upstream_vectors), cmocka_unit_test(test_common_templates),
                  cmocka_unit_test(test_single_pass),
                  cmocka_unit_test(test_access_key_id_refused_in_usernames),
                  cmocka_unit_test(test_ec2_private_dns_name_own_instance),
                  cmocka_unit_test(test_ec2_private_dns_name_refused),
                  cmocka_unit_test(test_instance_id_and_dns_name_shapes),
                  cmocka_unit_test(test_unknown_and_unterminated),
                  cmocka_unit_test(test_empty_values), cmocka_unit_test(test_output_bounds),
                  cmocka_unit_test(test_validate), cmocka_unit_test(test_has_placeholder),
                  cmocka_unit_test(test_bind_host))
