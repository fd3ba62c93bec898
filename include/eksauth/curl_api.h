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

#include "eksauth/status.h"

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
};

/*
 * Load the library named lib (as dlopen takes it) and fill *api; false when
 * it cannot be loaded or lacks a function, with why ("<lib>: <reason>").
 */
bool eksauth_curl_api_load(const char *lib, struct eksauth_curl_api *api, char *why, size_t whylen);

/*
 * This process's libcurl (EKSAUTH_CURL_LIBRARY), loaded and initialised
 * (curl_global_init) once; NULL with EKSAUTH_EUNAVAIL in err, prefixed with
 * what ("sts"), when it cannot be.
 */
const struct eksauth_curl_api *eksauth_curl_api(const char *what, struct eksauth_error *err);

#endif
