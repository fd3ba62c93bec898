/*
 * curl_api.c - libcurl loaded at the first request (include/eksauth/curl_api.h
 * says why).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "eksauth/curl_api.h"

/* A function to find in a library, and where its address goes. */
struct symbol {
    const char *name;
    void **slot;
};

/* Every one of the n symbols from h, or NULL; else the name of the first missing one. */
static const char *resolve(void *h, const struct symbol *fns, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((*fns[i].slot = dlsym(h, fns[i].name)) == NULL)
            return fns[i].name;
    }
    return NULL;
}

/*
 * api->tls from libcurl's handle h: only when libcurl's TLS library is
 * OpenSSL (another one's SSL_CTX is not an OpenSSL one) and every function
 * is there; otherwise api->tls stays zero, and no session is ever resumed.
 */
static void load_tls(void *h, struct eksauth_curl_tls *tls)
{
    const struct symbol fns[] = {
        {"SSL_CTX_ctrl", (void **)&tls->ctx_ctrl},
        {"SSL_CTX_sess_set_new_cb", (void **)&tls->ctx_sess_set_new_cb},
        {"SSL_CTX_set_info_callback", (void **)&tls->ctx_set_info_callback},
        {"SSL_CTX_set_ex_data", (void **)&tls->ctx_set_ex_data},
        {"SSL_CTX_get_ex_data", (void **)&tls->ctx_get_ex_data},
        {"SSL_get_SSL_CTX", (void **)&tls->get_ssl_ctx},
        {"SSL_get_servername", (void **)&tls->get_servername},
        {"SSL_set_session", (void **)&tls->set_session},
        {"SSL_session_reused", (void **)&tls->session_reused},
        {"SSL_SESSION_free", (void **)&tls->session_free},
        {"i2d_SSL_SESSION", (void **)&tls->i2d_session},
        {"d2i_SSL_SESSION", (void **)&tls->d2i_session},
        {"SSL_SESSION_is_resumable", (void **)&tls->session_is_resumable},
        {"SSL_SESSION_get_protocol_version", (void **)&tls->session_protocol},
    };
    const struct symbol lazy_ca[] = {
        {"SSL_CTX_get_cert_store", (void **)&tls->ctx_get_cert_store},
        {"SSL_CTX_set_cert_store", (void **)&tls->ctx_set_cert_store},
        {"SSL_CTX_set_cert_verify_callback", (void **)&tls->ctx_set_cert_verify_callback},
        {"X509_STORE_new", (void **)&tls->store_new},
        {"X509_STORE_free", (void **)&tls->store_free},
        {"X509_STORE_get0_param", (void **)&tls->store_get0_param},
        {"X509_STORE_set1_param", (void **)&tls->store_set1_param},
        {"X509_STORE_CTX_get0_store", (void **)&tls->store_ctx_get0_store},
        {"X509_verify_cert", (void **)&tls->verify_cert},
        {"X509_STORE_load_file", (void **)&tls->store_load_file},
        {"ERR_clear_error", (void **)&tls->err_clear},
    };
    size_t i;
    __typeof__(curl_version_info) *version_info = dlsym(h, "curl_version_info");
    __typeof__(CRYPTO_get_ex_new_index) *new_index = dlsym(h, "CRYPTO_get_ex_new_index");
    const curl_version_info_data *v = version_info != NULL ? version_info(CURLVERSION_NOW) : NULL;

    memset(tls, 0, sizeof(*tls));
    if (v == NULL || v->ssl_version == NULL || strncmp(v->ssl_version, "OpenSSL/", 8) != 0 ||
        new_index == NULL)
        return;
    if (resolve(h, fns, sizeof(fns) / sizeof(fns[0])) != NULL) {
        memset(tls, 0, sizeof(*tls));
        return;
    }
    tls->ctx_index = new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, NULL, NULL, NULL, NULL);
    if (tls->ctx_index < 0) {
        memset(tls, 0, sizeof(*tls));
        return;
    }
    /* Optional: without them every CA file is loaded before the handshake. */
    if (resolve(h, lazy_ca, sizeof(lazy_ca) / sizeof(lazy_ca[0])) != NULL)
        for (i = 0; i < sizeof(lazy_ca) / sizeof(lazy_ca[0]); i++)
            *lazy_ca[i].slot = NULL;
}

bool eksauth_curl_api_load(const char *lib, struct eksauth_curl_api *api, char *why, size_t whylen)
{
    const struct symbol fns[] = {
        {"curl_global_init", (void **)&api->global_init},
        {"curl_easy_init", (void **)&api->easy_init},
        {"curl_easy_setopt", (void **)&api->easy_setopt},
        {"curl_easy_perform", (void **)&api->easy_perform},
        {"curl_easy_getinfo", (void **)&api->easy_getinfo},
        {"curl_easy_cleanup", (void **)&api->easy_cleanup},
        {"curl_easy_strerror", (void **)&api->easy_strerror},
        {"curl_slist_append", (void **)&api->slist_append},
        {"curl_slist_free_all", (void **)&api->slist_free_all},
    };
    const char *e, *missing;
    void *h;

    memset(api, 0, sizeof(*api));
    /* RTLD_NOW: a missing symbol fails here, not in the middle of a login. */
    h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        e = dlerror();
        snprintf(why, whylen, "%s", e != NULL ? e : lib);
        return false;
    }
    if ((missing = resolve(h, fns, sizeof(fns) / sizeof(fns[0]))) != NULL) {
        snprintf(why, whylen, "%s: no %s", lib, missing);
        memset(api, 0, sizeof(*api));
        /* Nothing of it was used: the handle may go. */
        dlclose(h);
        return false;
    }
    load_tls(h, &api->tls);
    return true;
}

/* Written once, under process_once, and only read afterwards. */
static pthread_once_t process_once = PTHREAD_ONCE_INIT;
static struct eksauth_curl_api process_api;
static bool process_ok;
static char process_why[256];

static void load_once(void)
{
    process_ok =
        eksauth_curl_api_load(EKSAUTH_CURL_LIBRARY, &process_api, process_why, sizeof(process_why));
    /* A failure here shows up as easy_init() returning NULL (lib/http.c). */
    if (process_ok)
        (void)process_api.global_init(CURL_GLOBAL_DEFAULT);
}

const struct eksauth_curl_api *eksauth_curl_api(const char *what, struct eksauth_error *err)
{
    pthread_once(&process_once, load_once);
    if (!process_ok) {
        (void)eksauth_fail(err, EKSAUTH_EUNAVAIL, "%s: cannot load libcurl: %s", what, process_why);
        return NULL;
    }
    return &process_api;
}
