/*
 * test_kube_review.c - lib/kube_review.c: a SelfSubjectReview answer as
 * the API server sends it (username, uid, groups, extra.arn), answers that
 * are not one, and the message of a Kubernetes Status answer.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/kube_review.h"
#include "unit.h"

static void test_review(void **state)
{
    static const char body[] =
        "{\"kind\":\"SelfSubjectReview\",\"apiVersion\":\"authentication.k8s.io/v1\","
        "\"metadata\":{\"creationTimestamp\":null},\"status\":{\"userInfo\":{"
        "\"username\":\"admin:alice\",\"uid\":\"aws-iam-authenticator:111122223333:AROAX\","
        "\"groups\":[\"system:masters\",\"system:authenticated\"],\"extra\":{"
        "\"arn\":[\"arn:aws:sts::111122223333:assumed-role/eks-admins/alice\"],"
        "\"sessionName\":[\"alice\"]}}}}";
    struct eksauth_kube_user u;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_kube_parse_review(body, strlen(body), &u, &err), EKSAUTH_OK);
    assert_string_equal(u.username, "admin:alice");
    assert_string_equal(u.uid, "aws-iam-authenticator:111122223333:AROAX");
    assert_int_equal(u.n_groups, 2);
    assert_string_equal(u.groups[0], "system:masters");
    assert_string_equal(u.arn, "arn:aws:sts::111122223333:assumed-role/eks-admins/alice");
    eksauth_kube_user_free(&u);
    assert_null(u.username);
}

static void test_not_a_review(void **state)
{
    static const char *const bad[] = {
        "{\"kind\":\"Status\",\"code\":401}",
        "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{}}}",
        "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{\"username\":\"\"}}}",
        "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{\"username\":7}}}",
        "[]",
        "{\"kind\":\"SelfSubjectReview\"} trailing",
    };
    struct eksauth_kube_user u;
    struct eksauth_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_status(eksauth_kube_parse_review(bad[i], strlen(bad[i]), &u, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "not a SelfSubjectReview"));
        assert_null(u.username);
    }
}

/*
 * A username that is not printable is refused: login-name quotes it in its
 * message when it maps to no login, and a newline, an escape or a BiDi
 * override from the cluster would forge a line, drive the terminal or read
 * backwards.
 */
static void test_review_control_username(void **state)
{
    static const char body[] = "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{"
                               "\"username\":\"dave\\n\\u001b[2Jroot\"}}}";
    static const char bidi[] = "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{"
                               "\"username\":\"admin\\u202enimda\"}}}";
    struct eksauth_kube_user u;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_kube_parse_review(body, strlen(body), &u, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "control"));
    assert_null(u.username);
    /* Nor one that reads backwards on the terminal. */
    assert_status(eksauth_kube_parse_review(bidi, strlen(bidi), &u, &err), EKSAUTH_EINVAL);
    assert_null(u.username);
}

static void test_review_without_extra(void **state)
{
    static const char body[] = "{\"kind\":\"SelfSubjectReview\",\"status\":{\"userInfo\":{"
                               "\"username\":\"dave\",\"groups\":[\"oncall\", 3]}}}";
    struct eksauth_kube_user u;
    struct eksauth_error err;

    (void)state;
    assert_status(eksauth_kube_parse_review(body, strlen(body), &u, &err), EKSAUTH_OK);
    assert_string_equal(u.username, "dave");
    assert_null(u.uid);
    assert_null(u.arn);
    assert_int_equal(u.n_groups, 1); /* a group that is not a string is not one */
    eksauth_kube_user_free(&u);
}

static void test_status_message(void **state)
{
    static const char st[] = "{\"kind\":\"Status\",\"message\":\"configmaps \\\"aws-auth\\\" is "
                             "forbidden\\u001b[31m\",\"code\":403}";
    char out[200];

    (void)state;
    eksauth_kube_status_message(st, strlen(st), out, sizeof(out));
    /* The escape byte from the server is not passed to a terminal. */
    assert_string_equal(out, "configmaps \"aws-auth\" is forbidden?[31m");
    eksauth_kube_status_message("nope", 4, out, sizeof(out));
    assert_string_equal(out, "");
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_review), cmocka_unit_test(test_not_a_review),
                  cmocka_unit_test(test_review_without_extra),
                  cmocka_unit_test(test_review_control_username),
                  cmocka_unit_test(test_status_message))
