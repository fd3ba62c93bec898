/*
 * curl_api.h - libcurl, loaded when the first request is made, not when a
 * program or the PAM module is loaded.  libcurl brings some 35 libraries of
 * its own (GnuTLS, Kerberos, LDAP, SSH, ...): loading them costs a process
 * about 3.5 ms and 0.7 MiB of private memory (bench/README.md, "Loading the
 * module in a new process"), which cron's jobs, su, sudo and every ssh
 * connection paid for pam_eksauth's account and session lines, and every
 * command of eksauth paid, though most never make a request.
 *
 * Only lib/http.c calls libcurl, through this table; the types are
 * libcurl's own prototypes, so the compiler checks every call.  The
 * library is found as the dynamic loader finds a linked one (its soname,
 * never a path from the environment: in a setuid process the loader ignores
 * LD_LIBRARY_PATH) and is never unloaded.
 */
#ifndef EKSAUTH_CURL_API_H
#define EKSAUTH_CURL_API_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "eksauth/status.h"

/*
 * The few libssl functions of TLS session resumption (tls_resume.h), taken
 * from the libssl libcurl itself loaded (dlsym on libcurl's handle searches
 * its dependencies), so the SSL_CTX libcurl hands over and these functions
 * are one library's.  Unusable (ctx_ctrl NULL) when libcurl's TLS library
 * is not OpenSSL: every call then makes a full handshake.
 */
struct eksauth_curl_tls {
    __typeof__(SSL_CTX_ctrl) *ctx_ctrl;
    __typeof__(SSL_CTX_sess_set_new_cb) *ctx_sess_set_new_cb;
    __typeof__(SSL_CTX_set_info_callback) *ctx_set_info_callback;
    __typeof__(SSL_CTX_set_ex_data) *ctx_set_ex_data;
    __typeof__(SSL_CTX_get_ex_data) *ctx_get_ex_data;
    __typeof__(SSL_get_SSL_CTX) *get_ssl_ctx;
    __typeof__(SSL_get_servername) *get_servername;
    __typeof__(SSL_set_session) *set_session;
    __typeof__(SSL_session_reused) *session_reused;
    __typeof__(SSL_SESSION_free) *session_free;
    __typeof__(i2d_SSL_SESSION) *i2d_session;
    __typeof__(d2i_SSL_SESSION) *d2i_session;
    __typeof__(SSL_SESSION_is_resumable) *session_is_resumable;
    __typeof__(SSL_SESSION_get_protocol_version) *session_protocol;
    int ctx_index; /* the SSL_CTX ex_data slot that points at the call's state */
    /*
     * A CA file read only when a chain is checked (tls_resume.h): all set,
     * or all NULL, and then libcurl loads the CAs before the handshake.
     */
    __typeof__(SSL_CTX_get_cert_store) *ctx_get_cert_store;
    __typeof__(SSL_CTX_set_cert_store) *ctx_set_cert_store;
    __typeof__(SSL_CTX_set_cert_verify_callback) *ctx_set_cert_verify_callback;
    __typeof__(X509_STORE_new) *store_new;
    __typeof__(X509_STORE_free) *store_free;
    __typeof__(X509_STORE_get0_param) *store_get0_param;
    __typeof__(X509_STORE_set1_param) *store_set1_param;
    __typeof__(X509_STORE_CTX_get0_store) *store_ctx_get0_store;
    __typeof__(X509_verify_cert) *verify_cert;
    __typeof__(ERR_clear_error) *err_clear;
    __typeof__(X509_STORE_load_file) *store_load_file;
};

struct eksauth_curl_api {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_perform) *easy_perform;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    struct eksauth_curl_tls tls;
};

/*
 * Load the library named lib (as dlopen takes it) and fill *api; false when
 * it cannot be loaded or lacks a function, with why ("<lib>: <reason>").
 * api->tls is filled when libcurl's TLS library is OpenSSL, else left
 * unusable (that is no failure).
 */
bool eksauth_curl_api_load(const char *lib, struct eksauth_curl_api *api, char *why, size_t whylen);

/*
 * This process's libcurl (EKSAUTH_CURL_LIBRARY), loaded and initialised
 * (curl_global_init) once; NULL with EKSAUTH_EUNAVAIL in err, prefixed with
 * what ("sts"), when it cannot be.
 */
const struct eksauth_curl_api *eksauth_curl_api(const char *what, struct eksauth_error *err);

#endif
