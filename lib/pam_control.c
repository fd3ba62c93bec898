/*
 * pam_control.c - libpam's reading of a line's control (pam_control.h).
 */
#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "eksauth/ascii.h"
#include "eksauth/pam_control.h"

/* A keyword control, in any case as libpam reads it (ASCII: no locale's rules). */
static bool is_keyword(const char *control, const char *keyword)
{
    return eksauth_ascii_eq_nocase(control, strlen(control), keyword);
}

/* libpam's blanks inside a control (isspace in the C locale). */
static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* The values a [value=action] control may name, as libpam spells them. */
static const char *const pam_values[] = {
    "success",
    "open_err",
    "symbol_err",
    "service_err",
    "system_err",
    "buf_err",
    "perm_denied",
    "auth_err",
    "cred_insufficient",
    "authinfo_unavail",
    "user_unknown",
    "maxtries",
    "new_authtok_reqd",
    "acct_expired",
    "session_err",
    "cred_unavail",
    "cred_expired",
    "cred_err",
    "no_module_data",
    "conv_err",
    "authtok_err",
    "authtok_recover_err",
    "authtok_lock_busy",
    "authtok_disable_aging",
    "try_again",
    "ignore",
    "abort",
    "authtok_expired",
    "module_unknown",
    "bad_item",
    "conv_again",
    "incomplete",
    "default",
};

static bool word_is(const char *w, size_t n, const char *word)
{
    return n == strlen(word) && memcmp(w, word, n) == 0;
}

/* A value name libpam knows: in lower case, as written (it compares case-sensitively). */
static bool pam_value_known(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < sizeof(pam_values) / sizeof(pam_values[0]); i++)
        if (word_is(w, n, pam_values[i]))
            return true;
    return false;
}

/* libpam's blanks inside a control (isspace in the C locale). */
static const char *pam_skip_space(const char *p, const char *end)
{
    while (p < end && is_space(*p))
        p++;
    return p;
}

/*
 * The action at *p, as libpam reads it: the first action word the text
 * starts with (no blank needed after it), else a jump of 1 or more steps
 * (up to INT_MAX).  false when there is none.
 */
static bool pam_read_action(const char **p, const char *end, enum eksauth_pam_act *a)
{
    static const struct {
        const char *word;
        enum eksauth_pam_act act;
    } words[] = {
        {"ignore", EKSAUTH_PAM_ACT_IGNORE}, {"ok", EKSAUTH_PAM_ACT_OK},
        {"done", EKSAUTH_PAM_ACT_DONE},     {"bad", EKSAUTH_PAM_ACT_BAD},
        {"die", EKSAUTH_PAM_ACT_DIE},       {"reset", EKSAUTH_PAM_ACT_RESET},
    };
    long steps = 0;
    size_t i, n;

    for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        n = strlen(words[i].word);
        if ((size_t)(end - *p) >= n && memcmp(*p, words[i].word, n) == 0) {
            *p += n;
            *a = words[i].act;
            return true;
        }
    }
    for (; *p < end && **p >= '0' && **p <= '9'; (*p)++) {
        steps = steps * 10 + (**p - '0');
        if (steps > INT_MAX)
            return false;
    }
    *a = EKSAUTH_PAM_ACT_JUMP;
    return steps > 0;
}

/*
 * What libpam does with ret under a control of value=action words (a
 * [...] control's text, or a word that is no keyword): ret's last
 * action, else the first default= (which fills only the values not named
 * before it), else bad.  Blanks may stand around '='.  A word libpam
 * cannot read (a name it does not know, upper case, no action) makes
 * every value bad: so a line the removal of the package refuses
 * (debian/eksauth.prerm) is one doctor warns about, and the other way
 * round (tests/install/pam_classifiers.sh).
 */
static enum eksauth_pam_act pam_control_action(const char *p, const char *end, const char *ret)
{
    enum eksauth_pam_act a, named = EKSAUTH_PAM_ACT_UNSET, dflt = EKSAUTH_PAM_ACT_UNSET;
    const char *name;
    size_t n;

    while ((p = pam_skip_space(p, end)) < end) {
        for (name = p; p < end && !is_space(*p) && *p != '='; p++)
            ;
        n = (size_t)(p - name);
        if (!pam_value_known(name, n))
            return EKSAUTH_PAM_ACT_BAD;
        p = pam_skip_space(p, end);
        if (p == end || *p != '=')
            return EKSAUTH_PAM_ACT_BAD;
        p = pam_skip_space(p + 1, end);
        if (!pam_read_action(&p, end, &a))
            return EKSAUTH_PAM_ACT_BAD;
        if (word_is(name, n, ret))
            named = a;
        else if (word_is(name, n, "default") && dflt == EKSAUTH_PAM_ACT_UNSET)
            dflt = a;
    }
    return named != EKSAUTH_PAM_ACT_UNSET  ? named
           : dflt != EKSAUTH_PAM_ACT_UNSET ? dflt
                                           : EKSAUTH_PAM_ACT_BAD;
}

/* pam_control.h */
enum eksauth_pam_act eksauth_pam_action(const char *control, const char *ret)
{
    bool success = strcmp(ret, "success") == 0 || strcmp(ret, "new_authtok_reqd") == 0;
    bool ignore = strcmp(ret, "ignore") == 0;

    if (is_keyword(control, "required"))
        return success ? EKSAUTH_PAM_ACT_OK : ignore ? EKSAUTH_PAM_ACT_IGNORE : EKSAUTH_PAM_ACT_BAD;
    if (is_keyword(control, "requisite"))
        return success ? EKSAUTH_PAM_ACT_OK : ignore ? EKSAUTH_PAM_ACT_IGNORE : EKSAUTH_PAM_ACT_DIE;
    if (is_keyword(control, "sufficient"))
        return success ? EKSAUTH_PAM_ACT_DONE : EKSAUTH_PAM_ACT_IGNORE;
    if (is_keyword(control, "optional"))
        return success ? EKSAUTH_PAM_ACT_OK : EKSAUTH_PAM_ACT_IGNORE;
    return pam_control_action(control, control + strlen(control), ret);
}
