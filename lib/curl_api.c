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

bool eksauth_curl_api_load(const char *lib, struct eksauth_curl_api *api, char *why, size_t whylen)
{
    const struct {
        const char *name;
        void **slot;
    } fns[] = {
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
    const char *e;
    void *h;
    size_t i;

    memset(api, 0, sizeof(*api));
    /* RTLD_NOW: a missing symbol fails here, not in the middle of a login. */
    h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        e = dlerror();
        snprintf(why, whylen, "%s", e != NULL ? e : lib);
        return false;
    }
    for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        *fns[i].slot = dlsym(h, fns[i].name);
        if (*fns[i].slot == NULL) {
            snprintf(why, whylen, "%s: no %s", lib, fns[i].name);
            memset(api, 0, sizeof(*api));
            /* Nothing of it was used: the handle may go. */
            dlclose(h);
            return false;
        }
    }
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
