/*
 * options.c - the module arguments of pam_eksauth.so (pam_eksauth(8)):
 * config=FILE, debug, use_first_pass, try_first_pass, ignore_unknown_user,
 * ignore_authinfo_unavail, require_group=NAME (repeatable, at most
 * EKSAUTH_PAM_MAX_REQUIRE_GROUPS), require_token[=SERVICE,...] (repeatable: the
 * lists add up); lib/pam_args.c names them.  Linux-PAM convention: an
 * unknown option is logged and ignored, never fatal, but one named like a
 * gate ("require...") shuts the account stage (pam_args.h says why).
 */
#include "config.h"

#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "eksauth/pam_args.h"
#include "eksauth/printable.h"
#include "pam_eksauth.h"

/*
 * One require_token= list: only for these services (sshd,login), since
 * sudo's NOPASSWD rules ask for no token.  Lists add up: a later option
 * never narrows an earlier one (doctor reads them so too), and a list that
 * names no service, holds a CR, a blank or a byte past ASCII, or one past
 * EKSAUTH_PAM_MAX_REQUIRE_TOKEN,
 * must not turn the gate off: every service.
 */
static void add_token_list(pam_handle_t *pamh, struct pe_options *opt, const char *v,
                           const char *shown)
{
    opt->require_token = true;
    if (eksauth_pam_token_list_every(v)) {
        pam_syslog(pamh, LOG_ERR,
                   "%s: names no service, or holds a control character, a blank or a byte past "
                   "ASCII; a token is required for every service",
                   shown);
        opt->require_token_every = true;
    } else if (opt->n_require_token_lists == EKSAUTH_PAM_MAX_REQUIRE_TOKEN) {
        pam_syslog(pamh, LOG_ERR,
                   "%s: more than %d require_token= options; a token is required for every "
                   "service",
                   shown, EKSAUTH_PAM_MAX_REQUIRE_TOKEN);
        opt->require_token_every = true;
    } else {
        opt->require_token_lists[opt->n_require_token_lists++] = v;
    }
}

void pe_options_parse(pam_handle_t *pamh, int argc, const char **argv, struct pe_options *opt)
{
    char shown[256];
    const char *v;
    int i;

    memset(opt, 0, sizeof(*opt));
    for (i = 0; i < argc; i++) {
        const char *arg = argv[i];

        if (arg == NULL)
            continue;
        /* Logged as printable.h shows it: a CRLF file's CR, a '[...]' argument's newline. */
        (void)eksauth_printable(arg, shown, sizeof(shown));
        switch (eksauth_pam_arg_parse(arg, &v)) {
        case EKSAUTH_PAM_ARG_DEBUG:
            opt->debug = true;
            break;
        case EKSAUTH_PAM_ARG_USE_FIRST_PASS:
            opt->use_first_pass = true;
            break;
        case EKSAUTH_PAM_ARG_TRY_FIRST_PASS:
            opt->try_first_pass = true;
            break;
        case EKSAUTH_PAM_ARG_IGNORE_UNKNOWN_USER:
            opt->ignore_unknown_user = true;
            break;
        case EKSAUTH_PAM_ARG_IGNORE_AUTHINFO_UNAVAIL:
            opt->ignore_authinfo_unavail = true;
            break;
        case EKSAUTH_PAM_ARG_REQUIRE_TOKEN:
            opt->require_token = opt->require_token_every = true;
            break;
        case EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST:
            add_token_list(pamh, opt, v, shown);
            break;
        case EKSAUTH_PAM_ARG_CONFIG:
            /*
             * A relative path would depend on the caller's working folder;
             * falling back to the default config would decide logins by
             * another file than the one named (a typo): no config at all.
             */
            if (v[0] != '/') {
                pam_syslog(pamh, LOG_ERR,
                           "%s: not an absolute path; no config is read, every stage answers as "
                           "when the config cannot be read",
                           shown);
                opt->bad_config = true;
            } else {
                opt->config = v;
            }
            break;
        case EKSAUTH_PAM_ARG_REQUIRE_GROUP:
            /* A gate that cannot be read must not open: account refuses everyone. */
            if (v[0] == '\0' || opt->n_require_group == EKSAUTH_PAM_MAX_REQUIRE_GROUPS) {
                pam_syslog(pamh, LOG_ERR, "%s: %s; account refuses every user", shown,
                           v[0] == '\0' ? "empty" : "too many require_group options");
                opt->bad_gate = true;
            } else {
                opt->require_group[opt->n_require_group++] = v;
            }
            break;
        case EKSAUTH_PAM_ARG_UNKNOWN_GATE:
            /* A misspelt gate (pam_args.h): the door it was meant to narrow stays shut. */
            pam_syslog(pamh, LOG_ERR,
                       "unknown option: %s: its name says it narrows who logs in; account "
                       "refuses every user",
                       shown);
            opt->bad_gate = true;
            break;
        case EKSAUTH_PAM_ARG_UNKNOWN:
            pam_syslog(pamh, LOG_ERR, "unknown option: %s", shown);
            break;
        }
    }
    /* use_first_pass is the stricter of the two: it never prompts. */
    if (opt->use_first_pass)
        opt->try_first_pass = false;
}
