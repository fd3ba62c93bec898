/*
 * pam_control.h - what libpam does with a module's return value under a
 * line's control (pam.conf(5)): a keyword (required, requisite,
 * sufficient, optional) or [value=action ...] words, read as libpam reads
 * them.  One model for eksauth doctor's PAM checks (tools/doctor/pam.c)
 * and eksauth setup's note on the account gates it skips (lib/setup.c),
 * so the two never disagree on a line.
 */
#ifndef EKSAUTH_PAM_CONTROL_H
#define EKSAUTH_PAM_CONTROL_H

/* The actions; EKSAUTH_PAM_ACT_UNSET: none given yet, while a control is read. */
enum eksauth_pam_act {
    EKSAUTH_PAM_ACT_IGNORE,
    EKSAUTH_PAM_ACT_OK,
    EKSAUTH_PAM_ACT_DONE,
    EKSAUTH_PAM_ACT_BAD,
    EKSAUTH_PAM_ACT_DIE,
    EKSAUTH_PAM_ACT_RESET,
    EKSAUTH_PAM_ACT_JUMP,
    EKSAUTH_PAM_ACT_UNSET,
};

/*
 * What libpam does with the return value ret (a pam.conf(5) name such as
 * "success", "user_unknown", "ignore") under control, NUL-terminated, its
 * brackets cut off (as libpam cuts them before it looks for a keyword):
 * a keyword, in any case, or value=action words.  A word libpam cannot
 * read (a name it does not know, upper case, no action) makes every value
 * bad.
 */
enum eksauth_pam_act eksauth_pam_action(const char *control, const char *ret);

#endif
