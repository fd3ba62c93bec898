/*
 * options.c - the module arguments of pam_eksauth.so (pam_eksauth(8)):
 * config=FILE, debug, use_first_pass, try_first_pass, ignore_unknown_user,
 * ignore_authinfo_unavail, require_group=NAME (repeatable, at most
 * PE_MAX_REQUIRE_GROUPS), require_token[=SERVICE,...] (repeatable: the
 * lists add up).  Linux-PAM convention: an unknown option is logged and
 * ignored, never fatal.
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "pam_eksauth.h"

/* The value after "key=" when arg starts with it, else NULL. */
static const char *skip_prefix(const char *arg, const char *key)
{
    size_t n = strlen(key);

    return strncmp(arg, key, n) == 0 ? arg + n : NULL;
}

/*
 * One require_token= list: only for these services (sshd,login), since
 * sudo's NOPASSWD rules ask for no token.  Lists add up: a later option
 * never narrows an earlier one (doctor reads them so too), and a list that
 * names no service, or one past PE_MAX_REQUIRE_TOKEN, must not turn the
 * gate off: every service.
 */
static void add_token_list(pam_handle_t *pamh, struct pe_options *opt, const char *v)
{
    opt->require_token = true;
    if (v[strspn(v, ",")] == '\0') {
        pam_syslog(pamh, LOG_ERR,
                   "require_token=%s: names no service; a token is required for every service", v);
        opt->require_token_every = true;
    } else if (opt->n_require_token_lists == PE_MAX_REQUIRE_TOKEN) {
        pam_syslog(pamh, LOG_ERR,
                   "require_token=%s: more than %d require_token= options; a token is required "
                   "for every service",
                   v, PE_MAX_REQUIRE_TOKEN);
        opt->require_token_every = true;
    } else {
        opt->require_token_lists[opt->n_require_token_lists++] = v;
    }
}

void pe_options_parse(pam_handle_t *pamh, int argc, const char **argv, struct pe_options *opt)
{
    const char *v;
    int i;

    memset(opt, 0, sizeof(*opt));
    for (i = 0; i < argc; i++) {
        const char *arg = argv[i];

        if (arg == NULL)
            continue;
        if (strcmp(arg, "debug") == 0) {
            opt->debug = true;
        } else if (strcmp(arg, "use_first_pass") == 0) {
            opt->use_first_pass = true;
        } else if (strcmp(arg, "try_first_pass") == 0) {
            opt->try_first_pass = true;
        } else if (strcmp(arg, "ignore_unknown_user") == 0) {
            opt->ignore_unknown_user = true;
        } else if (strcmp(arg, "ignore_authinfo_unavail") == 0) {
            opt->ignore_authinfo_unavail = true;
        } else if (strcmp(arg, "require_token") == 0) {
            opt->require_token = opt->require_token_every = true;
        } else if ((v = skip_prefix(arg, "require_token=")) != NULL) {
            add_token_list(pamh, opt, v);
        } else if ((v = skip_prefix(arg, "config=")) != NULL) {
            /* A relative path would depend on the caller's working folder. */
            if (v[0] != '/')
                pam_syslog(pamh, LOG_ERR, "config=%s: not an absolute path; ignored", v);
            else
                opt->config = v;
        } else if ((v = skip_prefix(arg, "require_group=")) != NULL) {
            /* A gate that cannot be read must not open: account refuses everyone. */
            if (v[0] == '\0' || opt->n_require_group == PE_MAX_REQUIRE_GROUPS) {
                pam_syslog(pamh, LOG_ERR, "require_group=%s: %s; account refuses every user", v,
                           v[0] == '\0' ? "empty" : "too many require_group options");
                opt->bad_require_group = true;
            } else {
                opt->require_group[opt->n_require_group++] = v;
            }
        } else {
            pam_syslog(pamh, LOG_ERR, "unknown option: %s", arg);
        }
    }
    /* use_first_pass is the stricter of the two: it never prompts. */
    if (opt->use_first_pass)
        opt->try_first_pass = false;
}
