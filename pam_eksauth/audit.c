/*
 * audit.c - pam_eksauth's decision and session lines: pam_syslog at
 * LOG_NOTICE (facility authpriv, Linux-PAM's default) with a fixed set of
 * key=value fields, in a fixed order, that log tools can split on blanks.
 * A token is never a field: token_fp is the first 8 hex digits of its
 * SHA-256.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "eksauth/token.h"
#include "pam_eksauth.h"

#define FIELD_MAX  256 /* bytes of a plain field value */
#define REASON_MAX 400 /* bytes of the quoted reason */

void pe_audit_clean(char *dst, size_t dstlen, const char *src, bool quoted)
{
    size_t i = 0;

    if (src == NULL || src[0] == '\0')
        src = "-";
    for (; *src != '\0' && i + 1 < dstlen; src++) {
        unsigned char c = (unsigned char)*src;

        /* Names come from the client (PAM_USER, session names): they must not
         * add a field, break the line or hide in non-ASCII look-alikes. */
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || (!quoted && c == ' '))
            c = '?';
        dst[i++] = (char)c;
    }
    dst[i] = '\0';
}

/*
 * The user name as a field.  A token pasted at the login prompt is named by
 * its fingerprint: the name is logged even when the login is refused.
 */
static void audit_user(char *dst, size_t dstlen, const char *user)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];

    if (user != NULL && eksauth_token_shaped(user, strlen(user))) {
        eksauth_token_fingerprint(user, strlen(user), fp);
        snprintf(dst, dstlen, "(token:%s)", fp);
        return;
    }
    pe_audit_clean(dst, dstlen, user, false);
}

void pe_audit_log(pam_handle_t *pamh, const struct pe_audit *a)
{
    char user[FIELD_MAX], k8s_user[FIELD_MAX], arn[FIELD_MAX * 2], session[FIELD_MAX];
    char akid[FIELD_MAX], account[FIELD_MAX], rhost[FIELD_MAX], fp[FIELD_MAX], aud[FIELD_MAX];
    char reason[REASON_MAX];

    audit_user(user, sizeof(user), a->user);
    pe_audit_clean(k8s_user, sizeof(k8s_user), a->k8s_user, false);
    pe_audit_clean(arn, sizeof(arn), a->arn, false);
    pe_audit_clean(session, sizeof(session), a->session, false);
    pe_audit_clean(akid, sizeof(akid), a->access_key_id, false);
    pe_audit_clean(account, sizeof(account), a->account, false);
    pe_audit_clean(rhost, sizeof(rhost), a->rhost, false);
    pe_audit_clean(fp, sizeof(fp), a->token_fp, false);
    pe_audit_clean(aud, sizeof(aud), a->audience, false);
    pe_audit_clean(reason, sizeof(reason), a->reason, true);
    pam_syslog(pamh, LOG_NOTICE,
               "event=%s result=%s user=%s k8s_user=%s arn=%s session=%s access_key_id=%s "
               "account=%s rhost=%s token_fp=%s audience=%s reason=\"%s\"",
               a->event, a->result, user, k8s_user, arn, session, akid, account, rhost, fp, aud,
               reason);
}
