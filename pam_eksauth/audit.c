/*
 * audit.c - pam_eksauth's decision and session lines: pam_syslog at
 * LOG_NOTICE (facility authpriv, Linux-PAM's default) with a fixed set of
 * key=value fields, in a fixed order, that log tools can split on blanks.
 * A token is never a field: token_fp is the first 8 hex digits of its
 * SHA-256.  Every value is escaped (eksauth_log_value, printable.h) and
 * bounded; docs/operating.md, "Audit trail", lists the fields.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "eksauth/printable.h"
#include "eksauth/token.h"
#include "pam_eksauth.h"

#define FIELD_MAX  256 /* bytes of a plain field value, escapes included */
#define REASON_MAX 400 /* bytes of the quoted reason */

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
    (void)eksauth_log_value(user, false, dst, dstlen);
}

void pe_audit_log(pam_handle_t *pamh, const struct pe_audit *a)
{
    char user[FIELD_MAX], k8s_user[FIELD_MAX], arn[FIELD_MAX * 2], session[FIELD_MAX];
    char akid[FIELD_MAX], account[FIELD_MAX], rhost[FIELD_MAX], fp[FIELD_MAX], aud[FIELD_MAX];
    char canonical[FIELD_MAX * 2], ruser[FIELD_MAX], reason[REASON_MAX];

    /* Every value through eksauth_log_value: what a client sent cannot add a field or a line. */
    audit_user(user, sizeof(user), a->user);
    (void)eksauth_log_value(a->k8s_user, false, k8s_user, sizeof(k8s_user));
    (void)eksauth_log_value(a->arn, false, arn, sizeof(arn));
    (void)eksauth_log_value(a->session, false, session, sizeof(session));
    (void)eksauth_log_value(a->access_key_id, false, akid, sizeof(akid));
    (void)eksauth_log_value(a->account, false, account, sizeof(account));
    (void)eksauth_log_value(a->rhost, false, rhost, sizeof(rhost));
    (void)eksauth_log_value(a->token_fp, false, fp, sizeof(fp));
    (void)eksauth_log_value(a->audience, false, aud, sizeof(aud));
    (void)eksauth_log_value(a->canonical_arn, false, canonical, sizeof(canonical));
    (void)eksauth_log_value(a->ruser, false, ruser, sizeof(ruser));
    (void)eksauth_log_value(a->reason, true, reason, sizeof(reason));
    pam_syslog(pamh, LOG_NOTICE,
               "event=%s result=%s user=%s k8s_user=%s arn=%s session=%s access_key_id=%s "
               "account=%s rhost=%s token_fp=%s audience=%s canonical_arn=%s ruser=%s "
               "reason=\"%s\"",
               a->event, a->result, user, k8s_user, arn, session, akid, account, rhost, fp, aud,
               canonical, ruser, reason);
}
