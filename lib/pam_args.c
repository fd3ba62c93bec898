/*
 * pam_args.c - the arguments pam_eksauth.so takes (see pam_args.h).
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "eksauth/ascii.h"
#include "eksauth/pam_args.h"

static const struct {
    const char *name; /* with its '=' when the option takes a value */
    enum eksauth_pam_arg arg;
} pam_args[] = {
    {"debug", EKSAUTH_PAM_ARG_DEBUG},
    {"use_first_pass", EKSAUTH_PAM_ARG_USE_FIRST_PASS},
    {"try_first_pass", EKSAUTH_PAM_ARG_TRY_FIRST_PASS},
    {"ignore_unknown_user", EKSAUTH_PAM_ARG_IGNORE_UNKNOWN_USER},
    {"ignore_authinfo_unavail", EKSAUTH_PAM_ARG_IGNORE_AUTHINFO_UNAVAIL},
    {"require_token", EKSAUTH_PAM_ARG_REQUIRE_TOKEN},
    {"require_token=", EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST},
    {"require_group=", EKSAUTH_PAM_ARG_REQUIRE_GROUP},
    {"config=", EKSAUTH_PAM_ARG_CONFIG},
};

enum eksauth_pam_arg eksauth_pam_arg_parse(const char *arg, const char **value)
{
    size_t i, n;

    *value = NULL;
    for (i = 0; i < sizeof(pam_args) / sizeof(pam_args[0]); i++) {
        n = strlen(pam_args[i].name);
        if (pam_args[i].name[n - 1] == '=' ? strncmp(arg, pam_args[i].name, n) != 0
                                           : strcmp(arg, pam_args[i].name) != 0)
            continue;
        if (pam_args[i].name[n - 1] == '=')
            *value = arg + n;
        return pam_args[i].arg;
    }
    /* A misspelt or value-less gate must not leave the door it was meant to narrow open. */
    return eksauth_ascii_prefix_nocase(arg, strlen(arg), "require") ? EKSAUTH_PAM_ARG_UNKNOWN_GATE
                                                                    : EKSAUTH_PAM_ARG_UNKNOWN;
}

bool eksauth_pam_token_list_every(const char *list)
{
    const unsigned char *p;

    /* Past ASCII: libpam lowers PAM_SERVICE in the locale's case, which ASCII cannot follow. */
    for (p = (const unsigned char *)list; *p != '\0'; p++)
        if (*p <= ' ' || *p >= 0x7f)
            return true;
    return list[strspn(list, ",")] == '\0';
}

bool eksauth_pam_token_list_names(const char *list, const char *service)
{
    size_t n = strlen(service), len;
    const char *p;

    for (p = list;; p += len + 1) {
        len = strcspn(p, ",");
        if (len == n && eksauth_ascii_eq_nocase(p, len, service))
            return true;
        if (p[len] == '\0')
            return false;
    }
}
