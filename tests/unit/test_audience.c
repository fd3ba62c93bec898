/*
 * test_audience.c - lib/audience.c: what may be signed into x-k8s-aws-id,
 * a host's audience made and split again, and which names a client may
 * take for the host it reached (docs/token-rules.md, "Audiences").
 */
#include "config.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/audience.h"
#include "scratch.h"
#include "turkish_locale.h"

static void test_valid(void **state)
{
    char long_id[EKSAUTH_CLUSTER_ID_MAX + 2];

    (void)state;
    assert_true(eksauth_audience_valid("prod"));
    assert_true(eksauth_audience_valid("eksauth:prod:bastion1.example.com"));
    /* Signed into a header: no blank, no control byte (CR/LF would inject one). */
    assert_false(eksauth_audience_valid(""));
    assert_false(eksauth_audience_valid("a b"));
    assert_false(eksauth_audience_valid("prod\r\nX-Evil: 1"));
    assert_false(eksauth_audience_valid("caf\xc3\xa9"));
    memset(long_id, 'a', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_false(eksauth_cluster_id_valid(long_id));
    assert_true(eksauth_cluster_id_valid("my-cluster_1"));
    assert_true(eksauth_host_name_valid("bastion1.example.com"));
    assert_true(eksauth_host_name_valid("ip-10-0-0-5"));
    assert_false(eksauth_host_name_valid(".bastion"));
    assert_false(eksauth_host_name_valid("-bastion"));
    assert_false(eksauth_host_name_valid("bast:ion"));
    assert_false(eksauth_host_name_valid(""));
}

static void test_for_host_and_parse(void **state)
{
    char aud[EKSAUTH_AUDIENCE_MAX + 1], cluster[EKSAUTH_CLUSTER_ID_MAX + 1];
    char host[EKSAUTH_HOST_NAME_MAX + 1];
    struct eksauth_error err;

    (void)state;
    assert_int_equal(
        eksauth_audience_for_host("prod", "Bastion1.Example.com", aud, sizeof(aud), &err),
        EKSAUTH_OK);
    assert_string_equal(aud, "eksauth:prod:bastion1.example.com");
    assert_true(eksauth_audience_parse(aud, cluster, sizeof(cluster), host, sizeof(host)));
    assert_string_equal(cluster, "prod");
    assert_string_equal(host, "bastion1.example.com");
    /* A cluster's own name, or anything not of eksauth's form, is no host audience. */
    assert_false(eksauth_audience_parse("prod", cluster, sizeof(cluster), host, sizeof(host)));
    assert_false(
        eksauth_audience_parse("eksauth:prod", cluster, sizeof(cluster), host, sizeof(host)));
    assert_false(
        eksauth_audience_parse("eksauth::h", cluster, sizeof(cluster), host, sizeof(host)));
    assert_false(
        eksauth_audience_parse("eksauth:prod:", cluster, sizeof(cluster), host, sizeof(host)));
    assert_int_equal(eksauth_audience_for_host("prod", "bad host", aud, sizeof(aud), &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(eksauth_audience_for_host("prod", "h", aud, 8, &err), EKSAUTH_EINVAL);
}

static void test_host_name_matches(void **state)
{
    (void)state;
    assert_true(eksauth_host_name_matches("bastion1.example.com", "bastion1.example.com"));
    assert_true(eksauth_host_name_matches("BASTION1", "bastion1.example.com"));
    /* Only the host's own first labels: another host's name is never a match. */
    assert_false(eksauth_host_name_matches("bastion2", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("bastion", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("example.com", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("bastion1.example.com.evil", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("", "bastion1"));
    /* An absolute name (a trailing dot, as ssh passes it on) is that very name, no other. */
    assert_true(eksauth_host_name_matches("bastion1.example.com.", "bastion1.example.com"));
    assert_true(eksauth_host_name_matches("BASTION1.Example.COM.", "bastion1.example.com"));
    assert_true(eksauth_host_name_matches("bastion1.", "bastion1"));
    assert_false(eksauth_host_name_matches("bastion1.", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("bastion1.example.com..", "bastion1.example.com"));
    assert_false(eksauth_host_name_matches("bastion1.example.com.", "bastion1.example.com.evil"));
    assert_false(eksauth_host_name_matches(".", "bastion1"));
    assert_true(eksauth_host_name_matches("bastion1.example.com.", "bastion1.example.com."));
    /* An address reached is that address: no host named after it ("10.0.0.5.evil.example"). */
    assert_true(eksauth_host_name_matches("10.0.0.5", "10.0.0.5"));
    assert_false(eksauth_host_name_matches("10.0.0.5", "10.0.0.5.evil.example"));
    assert_false(eksauth_host_name_matches("10.5", "10.5.example.com"));
    assert_false(eksauth_host_name_matches("3232235521", "3232235521.example.com"));
    /* Every form the C library reads as an address (hex ones were once taken for names). */
    assert_false(eksauth_host_name_matches("0xa000005", "0xa000005.evil.example"));
    assert_false(eksauth_host_name_matches("10.0.0.0x5", "10.0.0.0x5.evil.example"));
    assert_false(eksauth_host_name_matches("012.0.0.5", "012.0.0.5.evil.example"));
    /* A name with digits in it is a name: inet_aton does not read it. */
    assert_true(eksauth_host_name_matches("web1", "web1.example.com"));
    assert_true(eksauth_host_name_matches("10.0.0.5a", "10.0.0.5a.example.com"));
    assert_true(eksauth_host_name_matches("bastion.1a", "bastion.1a.example.com"));
    /* A short name whose last label is digits is no address: search domains complete it
     * (a last label of digits was once taken for an address, refusing web.01). */
    assert_true(eksauth_host_name_matches("web.01", "web.01.prod.example"));
    assert_true(eksauth_host_name_matches("db.2", "db.2.prod.example"));
    /* An IPv6 address is no host name: it matches nothing, not even itself (README). */
    assert_false(eksauth_host_name_matches("::1", "::1"));
    assert_false(eksauth_host_name_matches("fe80::1", "fe80::1.example.com"));
    assert_false(eksauth_host_name_matches("[::1]", "[::1]"));
}

/* ASCII's case rules in every locale: a Turkish one lower-cases "I" to a dotless i. */
static void test_host_name_matches_in_every_locale(void **state)
{
    char dir[SCRATCH_DIR_MAX];
    bool whole, first_label;

    (void)state;
    turkish_locale_enter(dir, sizeof(dir));
    whole = eksauth_host_name_matches("BASTION-IN.example.com", "bastion-in.example.com");
    first_label = eksauth_host_name_matches("BASTION-IN", "bastion-in.example.com");
    turkish_locale_leave(dir);
    assert_true(whole);
    assert_true(first_label);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_for_host_and_parse),
        cmocka_unit_test(test_host_name_matches),
        cmocka_unit_test(test_host_name_matches_in_every_locale),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
