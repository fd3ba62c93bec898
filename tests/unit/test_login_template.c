/*
 * test_login_template.c - username templates as sets of logins
 * (lib/login_template.c): which logins fit, which templates are bare, which
 * two can give one login, and which Kubernetes usernames a template renders.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/login_template.h"

static void test_fits(void **state)
{
    (void)state;
    assert_true(eksauth_login_template_fits("admin:{{SessionName}}", "admin-alice"));
    assert_true(eksauth_login_template_fits("admin:{{SessionName}}", "admin-al.ice_1"));
    assert_false(eksauth_login_template_fits("admin:{{SessionName}}", "admin-a")); /* 2..64 */
    assert_false(eksauth_login_template_fits("admin:{{SessionName}}", "admin-"));
    assert_false(eksauth_login_template_fits("admin:{{SessionName}}", "admin"));
    assert_false(eksauth_login_template_fits("admin:{{SessionName}}", "adminx-alice"));
    assert_true(eksauth_login_template_fits("Admin:{{SessionName}}", "admin-bob"));
    assert_true(eksauth_login_template_fits("1x{{SessionName}}", "_1xbob")); /* names.h rule 2 */
    assert_false(eksauth_login_template_fits("x{{SessionName}}", "_x1"));
    assert_true(eksauth_login_template_fits("dev-{{SessionNameRaw}}", "dev-alice-example.com"));
    assert_true(eksauth_login_template_fits("u{{AccountID}}", "u123456789012"));
    assert_false(eksauth_login_template_fits("u{{AccountID}}", "u12345678901"));
    assert_false(eksauth_login_template_fits("u{{AccountID}}", "u12345678901a"));
    assert_true(eksauth_login_template_fits("a:{{SessionName}}:{{SessionName}}", "a-bb-cc-dd"));
    assert_false(eksauth_login_template_fits("x:{{AccessKeyID}}", "x-akia"));
    assert_false(
        eksauth_login_template_fits("system:node:{{EC2PrivateDNSName}}", "system-node-ip"));
    assert_false(eksauth_login_template_fits("x:{{Unknown}}", "x-ab"));
    assert_false(eksauth_login_template_fits("x:{{SessionName", "x-ab"));
    assert_false(eksauth_login_template_fits("x{{SessionName}}",
                                             "x23456789012345678901234567890123")); /* 33 */
    assert_false(eksauth_login_template_fits(NULL, "x"));
    assert_false(eksauth_login_template_fits("x", ""));
    /* Bound by sync to the host's own name: exactly that one login. */
    assert_true(eksauth_login_template_fits("node:ip-10-0-1-23.ec2.internal",
                                            "node-ip-10-0-1-23.ec2.internal"));
    assert_false(
        eksauth_login_template_fits("node:ip-10-0-1-23.ec2.internal", "node-ip-10-0-1-24"));
}

/* A bare template would answer for almost any name: it fits none. */
static void test_bare(void **state)
{
    (void)state;
    assert_true(eksauth_login_template_bare("{{SessionName}}"));
    assert_true(eksauth_login_template_bare("{{SessionNameRaw}}@corp"));
    assert_true(eksauth_login_template_bare("{{AccountID}}:{{SessionName}}"));
    assert_true(eksauth_login_template_bare("-{{SessionName}}"));
    assert_true(eksauth_login_template_bare("_.{{SessionName}}"));
    assert_false(eksauth_login_template_bare("sso:{{SessionName}}"));
    assert_false(eksauth_login_template_bare("1{{SessionName}}"));
    assert_false(eksauth_login_template_bare("alice"));
    assert_false(eksauth_login_template_bare("{{EC2PrivateDNSName}}")); /* the host's own name */
    assert_false(eksauth_login_template_bare("node:{{EC2PrivateDNSName}}:{{SessionName}}"));
    assert_false(eksauth_login_template_fits("{{SessionName}}", "bob"));
    assert_false(eksauth_login_template_fits("{{SessionName}}", "newsvc"));
    assert_false(eksauth_login_template_fits("{{SessionNameRaw}}@corp", "alice-corp"));
    assert_false(eksauth_login_template_fits("{{AccountID}}:{{SessionName}}", "_123456789012-ab"));
}

static void test_overlap(void **state)
{
    (void)state;
    /* The squat: the same "admin-" in front, the session at the end. */
    assert_true(eksauth_login_template_overlap("admin:{{SessionName}}", "admin-{{SessionName}}"));
    assert_true(
        eksauth_login_template_overlap("admin:{{SessionName}}", "admin@{{SessionNameRaw}}"));
    /* One front is the start of the other, one end the end of the other. */
    assert_true(eksauth_login_template_overlap("dev-{{SessionName}}", "dev-{{SessionName}}-x"));
    assert_true(eksauth_login_template_overlap("a{{SessionName}}", "ab{{SessionName}}"));
    assert_true(eksauth_login_template_overlap("a-{{AccountID}}", "a-{{SessionName}}"));
    /* Different fronts or ends never meet. */
    assert_false(eksauth_login_template_overlap("admin:{{SessionName}}", "dev:{{SessionName}}"));
    assert_false(eksauth_login_template_overlap("x-{{SessionName}}-a", "x-{{SessionName}}-b"));
    assert_false(eksauth_login_template_overlap("sso:{{SessionName}}", "ssx:{{SessionName}}"));
    /* A template without placeholders is one login. */
    assert_true(eksauth_login_template_overlap("admin:{{SessionName}}", "admin-bob"));
    assert_false(eksauth_login_template_overlap("admin:{{SessionName}}", "admin-b"));
    assert_true(eksauth_login_template_overlap("Ops", "ops"));
    assert_false(eksauth_login_template_overlap("ops", "dev"));
    /* A template that gives no login overlaps nothing. */
    assert_false(eksauth_login_template_overlap("x:{{AccessKeyID}}", "x:{{SessionName}}"));
    assert_false(eksauth_login_template_overlap(NULL, "x:{{SessionName}}"));
    /* Longer than a login, it is still one: the one names.h cuts and hashes it to. */
    assert_true(eksauth_login_template_overlap("a234567890123456789012345678901234567890",
                                               "a234567890123456789012345678901234567890"));
    /* A template of more pieces than a login could hold gives none. */
    assert_false(
        eksauth_login_template_overlap("a2345678901234567890123456789012345678{{SessionName}}",
                                       "a2345678901234567890123456789012345678"));
}

/* The ends lib/template_rivals.c sorts by are the ones _overlap and _fits go by. */
static void test_ends(void **state)
{
    struct eksauth_login_template_ends e;

    (void)state;
    assert_true(
        eksauth_login_template_ends("SSO:{{SessionName}}x{{AccountID}}yz{{SessionName}}@C", &e));
    assert_string_equal(e.head, "sso-");
    assert_string_equal(e.tail, "-c");
    assert_string_equal(e.middle, "yz");
    /* Rule 2 on the head; an unbound host name is a placeholder; no middle. */
    assert_true(eksauth_login_template_ends("1a{{EC2PrivateDNSName}}.{{SessionName}}", &e));
    assert_string_equal(e.head, "_1a");
    assert_string_equal(e.tail, "");
    assert_string_equal(e.middle, ".");
    assert_true(eksauth_login_template_ends("{{SessionName}}", &e));
    assert_string_equal(e.head, "");
    assert_string_equal(e.middle, "");
    /* The longest head a template that gives a login can have: 35 and a placeholder. */
    assert_true(
        eksauth_login_template_ends("12345678901234567890123456789012345{{SessionName}}", &e));
    assert_string_equal(e.head, "_12345678901234567890123456789012345");
    /* No ends: no placeholder (one login), or no login at all. */
    assert_false(eksauth_login_template_ends("alice", &e));
    assert_false(
        eksauth_login_template_ends("123456789012345678901234567890123456{{SessionName}}", &e));
    assert_false(eksauth_login_template_ends("x{{AccessKeyID}}", &e));
    assert_false(eksauth_login_template_ends("x{{SessionName", &e));
    assert_false(eksauth_login_template_ends(NULL, &e));
}

static void test_renders(void **state)
{
    (void)state;
    assert_true(eksauth_login_template_renders("admin:{{SessionName}}", "admin:bob"));
    assert_false(eksauth_login_template_renders("admin:{{SessionName}}", "admin-bob"));
    assert_false(eksauth_login_template_renders("admin:{{SessionName}}", "admin:Bob"));
    assert_true(eksauth_login_template_renders("u-{{AccountID}}", "u-123456789012"));
    assert_true(eksauth_login_template_renders("bob", "bob"));
    assert_false(eksauth_login_template_renders("bob", "Bob"));
    assert_false(eksauth_login_template_renders("x:{{AccessKeyID}}", "x:AKIA"));
}

/*
 * An unbound {{EC2PrivateDNSName}} as the plan checks it when the host's
 * name is unknown: any lower-case DNS name, where _fits and _renders (what
 * NSS and a login ask) match nothing.
 */
static void test_may_fit_any_host_name(void **state)
{
    (void)state;
    assert_true(eksauth_login_template_may_fit("node:{{EC2PrivateDNSName}}", "node-ip-10-0-9-8"));
    assert_true(eksauth_login_template_may_fit("node:{{EC2PrivateDNSName}}", "node-a"));
    assert_false(eksauth_login_template_fits("node:{{EC2PrivateDNSName}}", "node-a"));
    assert_false(eksauth_login_template_may_fit("node:{{EC2PrivateDNSName}}", "node-"));
    assert_false(eksauth_login_template_may_fit("node:{{EC2PrivateDNSName}}", "node-a_b"));
    /* Rule 2: a name that starts with a digit gets a '_'. */
    assert_true(eksauth_login_template_may_fit("{{EC2PrivateDNSName}}", "_10-0-1-2.internal"));
    assert_true(eksauth_login_template_may_fit("a{{SessionName}}.{{EC2PrivateDNSName}}", "abo.n1"));
    /* Without the host placeholder, the same as _fits. */
    assert_true(eksauth_login_template_may_fit("admin:{{SessionName}}", "admin-bob"));
    assert_false(eksauth_login_template_may_fit("{{SessionName}}", "bob"));
    assert_true(eksauth_login_template_may_render("node:{{EC2PrivateDNSName}}", "node:ip-1"));
    assert_false(eksauth_login_template_renders("node:{{EC2PrivateDNSName}}", "node:ip-1"));
    assert_false(eksauth_login_template_may_render("node:{{EC2PrivateDNSName}}", "node-ip-1"));
    assert_false(eksauth_login_template_may_render("node:{{EC2PrivateDNSName}}", "node:IP-1"));
}

/*
 * A username longer than a login is still rendered (its login is cut to
 * 23 bytes and a hash, names.h rule 3, and fits the template all the
 * same): a regional node name is what its node renders, one person with
 * the template's login there; so is a long session.  Four host names
 * side by side against a long name that fits none answer at once: each
 * placeholder is tried once from each place.
 */
static void test_renders_long_names(void **state)
{
    static const char *const four =
        "x{{EC2PrivateDNSName}}{{EC2PrivateDNSName}}{{EC2PrivateDNSName}}{{EC2PrivateDNSName}}";
    char name[1001];

    (void)state;
    assert_true(eksauth_login_template_may_render("node:{{EC2PrivateDNSName}}",
                                                  "node:ip-10-0-1-23.us-west-2.compute.internal"));
    assert_true(eksauth_login_template_may_fit("node:{{EC2PrivateDNSName}}",
                                               "node-ip-10-0-1-23.us-we-99c1654e"));
    assert_true(eksauth_login_template_renders("team:{{SessionName}}",
                                               "team:a-session-name-longer-than-a-login"));
    assert_false(eksauth_login_template_renders("team:{{SessionName}}",
                                                "team:a-session-name-longer-than-a-login:x"));
    memset(name, 'a', sizeof(name) - 1);
    name[0] = 'x';
    name[sizeof(name) - 2] = '!';
    name[sizeof(name) - 1] = '\0';
    assert_false(eksauth_login_template_may_render(four, name));
    name[sizeof(name) - 2] = 'a';
    assert_true(eksauth_login_template_may_render(four, name));
}

static const char *const GIVING[] = {"dev-{{SessionName}}", "dev-{{SessionName}}-adm",
                                     "ops-{{SessionName}}"};

static const char *giving_at(void *ctx, size_t i)
{
    return ((const char *const *)ctx)[i];
}

/* How many of GIVING give login to k8s (NULL: the login alone, as NSS asks). */
static unsigned giving(const char *login, const char *k8s)
{
    return eksauth_login_templates_giving(giving_at, (void *)GIVING, 3, login, k8s);
}

/*
 * A cut login (names.h rule 3) keeps a head and a hash: it fits
 * dev-{{SessionName}} alone, though both dev- templates render its k8s
 * username; the username counts them both.  Short, the login fits both.
 */
static void test_gives_cut_logins(void **state)
{
    static const char ADM[] = "dev-firstname.lastname-corp.example.com-adm";
    char cut[EKSAUTH_NAME_MAX + 1];

    (void)state;
    assert_int_equal(eksauth_names_login(ADM, cut, NULL), EKSAUTH_OK);
    assert_true(eksauth_login_template_fits("dev-{{SessionName}}", cut));
    assert_false(eksauth_login_template_fits("dev-{{SessionName}}-adm", cut));
    assert_true(eksauth_login_template_gives("dev-{{SessionName}}-adm", cut, ADM));
    assert_false(eksauth_login_template_gives("dev-{{SessionName}}-adm", cut, NULL));
    assert_false(eksauth_login_template_gives("ops-{{SessionName}}", cut, ADM));
    assert_int_equal(giving(cut, NULL), 1);
    assert_int_equal(giving(cut, ADM), 2);
    assert_int_equal(giving("dev-bob-adm", NULL), 2);
    assert_int_equal(giving("dev-bob-adm", "dev-bob-adm"), 2);
    /* One template renders the long name of a session without -adm: one. */
    assert_int_equal(eksauth_names_login("dev-firstname.lastname-corp.example.com", cut, NULL),
                     EKSAUTH_OK);
    assert_int_equal(giving(cut, "dev-firstname.lastname-corp.example.com"), 1);
    assert_int_equal(giving("ops-bob", "ops-bob"), 1);
    assert_int_equal(giving("web-bob", "web-bob"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_bare),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_ends),
        cmocka_unit_test(test_renders),
        cmocka_unit_test(test_may_fit_any_host_name),
        cmocka_unit_test(test_renders_long_names),
        cmocka_unit_test(test_gives_cut_logins),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
