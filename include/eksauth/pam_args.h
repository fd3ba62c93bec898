/*
 * pam_args.h - the arguments pam_eksauth.so takes (man/pam_eksauth.8), in
 * one table that the module and `eksauth doctor` both read, so the two
 * agree on what is an option.  Pure.
 *
 * Linux-PAM's convention is that an unknown argument is logged and
 * ignored.  That is safe for an option that loosens or tunes, and unsafe
 * for one that narrows who logs in: "require_grop=eks-admins" or a bare
 * "require_group" would leave the door open with one line in syslog.  So
 * an unknown argument whose name begins with "require" (any case) is a
 * gate the module cannot read, and its account stage refuses everyone.
 */
#ifndef EKSAUTH_PAM_ARGS_H
#define EKSAUTH_PAM_ARGS_H

#include <stdbool.h>

/*
 * The require_group= options pam_eksauth keeps; past them its account stage
 * refuses every eksauth user (pam_eksauth/options.c), and doctor says so.
 */
#define EKSAUTH_PAM_MAX_REQUIRE_GROUPS 32

/*
 * The require_token= lists pam_eksauth keeps on one line; past them it asks
 * every service for a token (fail closed), and doctor reads them so.
 */
#define EKSAUTH_PAM_MAX_REQUIRE_TOKEN 32

enum eksauth_pam_arg {
    EKSAUTH_PAM_ARG_UNKNOWN,      /* logged and ignored */
    EKSAUTH_PAM_ARG_UNKNOWN_GATE, /* "require..." that is no option: account refuses everyone */
    EKSAUTH_PAM_ARG_DEBUG,
    EKSAUTH_PAM_ARG_USE_FIRST_PASS,
    EKSAUTH_PAM_ARG_TRY_FIRST_PASS,
    EKSAUTH_PAM_ARG_IGNORE_UNKNOWN_USER,
    EKSAUTH_PAM_ARG_IGNORE_AUTHINFO_UNAVAIL,
    EKSAUTH_PAM_ARG_REQUIRE_TOKEN,      /* bare: every service */
    EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST, /* require_token=SERVICE,... (value: the list) */
    EKSAUTH_PAM_ARG_REQUIRE_GROUP,      /* require_group=NAME (value: NAME, maybe "") */
    EKSAUTH_PAM_ARG_CONFIG,             /* config=FILE (value: FILE) */
};

/*
 * What arg is; *value points into arg after the '=' of an option that
 * takes one, else is NULL.
 */
enum eksauth_pam_arg eksauth_pam_arg_parse(const char *arg, const char **value);

/*
 * Whether a require_token= list means every service: it names none ("",
 * ","), or it holds a byte no PAM service name has.  libpam cuts arguments
 * at blanks only, so the last one of a line in a CRLF file ends in '\r':
 * "require_token=sshd\r" must not exempt sshd.  A byte past ASCII too:
 * libpam lowers PAM_SERVICE with the application's tolower (a Latin-1
 * locale makes 0xc9 0xe9), so no ASCII compare can tell whether such a
 * name is the service's.
 */
bool eksauth_pam_token_list_every(const char *list);

/*
 * Whether a require_token= list names service (the PAM_SERVICE item): one
 * of its comma-separated names in any ASCII case, since libpam lowers a
 * service's name (pam_start, pam_set_item), so "SSHD" can only mean sshd.
 */
bool eksauth_pam_token_list_names(const char *list, const char *service);

#endif
