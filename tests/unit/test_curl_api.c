/*
 * test_curl_api.c - libcurl loaded at the first request (lib/curl_api.c): a
 * missing library and one without libcurl's functions are refused with a
 * reason, and the process's libcurl is loaded whole, once.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/curl_api.h"

static void test_missing_library(void **state)
{
    struct eksauth_curl_api api;
    char why[256] = "";

    (void)state;
    assert_false(eksauth_curl_api_load("libeksauth-no-such-curl.so.4", &api, why, sizeof(why)));
    assert_non_null(strstr(why, "libeksauth-no-such-curl.so.4"));
    assert_null(api.easy_init);
}

static void test_library_without_curl(void **state)
{
    struct eksauth_curl_api api;
    char why[256] = "";

    (void)state;
    /* The C library loads, but holds none of libcurl's functions. */
    assert_false(eksauth_curl_api_load("libc.so.6", &api, why, sizeof(why)));
    assert_string_equal(why, "libc.so.6: no curl_global_init");
    assert_null(api.global_init);
    assert_null(api.slist_free_all);
}

static void test_process_libcurl(void **state)
{
    struct eksauth_error err = {0};
    const struct eksauth_curl_api *a, *b;
    CURL *h;

    (void)state;
    a = eksauth_curl_api("test", &err);
    assert_non_null(a);
    assert_non_null(a->global_init);
    assert_non_null(a->slist_free_all);
    /* Loaded once: the same table each time. */
    b = eksauth_curl_api("test", &err);
    assert_ptr_equal(a, b);
    h = a->easy_init();
    assert_non_null(h);
    assert_string_equal(a->easy_strerror(CURLE_OK), "No error");
    a->easy_cleanup(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_library),
        cmocka_unit_test(test_library_without_curl),
        cmocka_unit_test(test_process_libcurl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
