/*
 * pam_driver.c - the syslog capture, conversation and start of the C PAM
 * drivers of the tests (see pam_driver.h).
 */
#include "config.h"
/* This file defines syslog() itself: no fortify wrappers around it. */
#undef _FORTIFY_SOURCE

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "pam_driver.h"

/* ------------------------------------------------------- syslog capture */

/* Test drivers are single-threaded programs: the capture is theirs alone. */
static char **LOG_LINES;
static size_t LOG_N, LOG_MARK;
static FILE *LOG_FILE;

void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap);

static void capture(int pri, const char *fmt, va_list ap)
{
    char **grown;
    char *s = NULL;

    if (vasprintf(&s, fmt, ap) < 0)
        return;
    if (LOG_FILE != NULL) {
        fprintf(LOG_FILE, "<%d> %s\n", pri, s);
        fflush(LOG_FILE);
    }
    grown = realloc(LOG_LINES, (LOG_N + 1) * sizeof(*grown));
    if (grown == NULL) {
        free(s);
        return;
    }
    LOG_LINES = grown;
    LOG_LINES[LOG_N++] = s;
}

void syslog(int pri, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    capture(pri, fmt, ap);
    va_end(ap);
}

void vsyslog(int pri, const char *fmt, va_list ap)
{
    capture(pri, fmt, ap);
}

void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
    va_list ap;

    (void)flag;
    va_start(ap, fmt);
    capture(pri, fmt, ap);
    va_end(ap);
}

void __vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
    (void)flag;
    capture(pri, fmt, ap);
}

bool pd_log_open(const char *path)
{
    pd_log_close();
    LOG_FILE = fopen(path, "a");
    return LOG_FILE != NULL;
}

void pd_log_close(void)
{
    if (LOG_FILE != NULL)
        fclose(LOG_FILE);
    LOG_FILE = NULL;
}

size_t pd_log_count(void)
{
    return LOG_N;
}

const char *pd_log_line(size_t i)
{
    return i < LOG_N ? LOG_LINES[i] : NULL;
}

void pd_log_mark(void)
{
    LOG_MARK = LOG_N;
}

size_t pd_log_marked(void)
{
    return LOG_MARK;
}

const char *pd_log_find(const char *needle, ...)
{
    const char *found = NULL;
    size_t i;

    for (i = LOG_MARK; i < LOG_N && found == NULL; i++) {
        const char *n = needle;
        bool all = true;
        va_list ap;

        va_start(ap, needle);
        for (; n != NULL && all; n = va_arg(ap, const char *))
            all = strstr(LOG_LINES[i], n) != NULL;
        va_end(ap);
        if (all)
            found = LOG_LINES[i];
    }
    return found;
}

const char *pd_log_last(const char *needle)
{
    const char *found = NULL;
    size_t i;

    for (i = LOG_MARK; i < LOG_N; i++)
        if (strstr(LOG_LINES[i], needle) != NULL)
            found = LOG_LINES[i];
    return found;
}

void pd_log_free(void)
{
    size_t i;

    for (i = 0; i < LOG_N; i++)
        free(LOG_LINES[i]);
    free(LOG_LINES);
    LOG_LINES = NULL;
    LOG_N = LOG_MARK = 0;
}

/* -------------------------------------------------------- conversation */

static char *answer(struct pd_conv *cv, const char *prompt)
{
    char *r = NULL;

    if (cv->ask != NULL)
        r = cv->ask(prompt, cv->ask_ctx);
    else if (cv->next < cv->n_answers)
        r = strdup(cv->answers[cv->next++]);
    return r;
}

int pd_conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata)
{
    struct pd_conv *cv = appdata;
    struct pam_response *r;
    int i, rc = PAM_SUCCESS;

    r = calloc((size_t)n, sizeof(*r));
    if (r == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n && rc == PAM_SUCCESS; i++) {
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
        case PAM_PROMPT_ECHO_ON:
            if (cv->n_prompts < PD_MAX_MSGS)
                cv->prompts[cv->n_prompts++] = strdup(msg[i]->msg);
            r[i].resp = answer(cv, msg[i]->msg);
            if (r[i].resp == NULL)
                rc = PAM_CONV_ERR;
            break;
        default:
            if (cv->n_infos < PD_MAX_MSGS)
                cv->infos[cv->n_infos++] = strdup(msg[i]->msg);
            break;
        }
    }
    if (rc == PAM_SUCCESS) {
        *resp = r;
    } else {
        for (i = 0; i < n; i++)
            free(r[i].resp);
        free(r);
    }
    return rc;
}

void pd_conv_free(struct pd_conv *cv)
{
    size_t i;

    for (i = 0; i < cv->n_prompts; i++)
        free(cv->prompts[i]);
    for (i = 0; i < cv->n_infos; i++)
        free(cv->infos[i]);
    memset(cv, 0, sizeof(*cv));
}

bool pd_conv_info_has(const struct pd_conv *cv, const char *needle)
{
    bool found = false;
    size_t i;

    for (i = 0; i < cv->n_infos && !found; i++)
        found = cv->infos[i] != NULL && strstr(cv->infos[i], needle) != NULL;
    return found;
}

int pd_start(const char *service, const char *user, const char *confdir, struct pd_conv *cv,
             pam_handle_t **pamh)
{
    struct pam_conv pc = {pd_conv_fn, cv};

    return pam_start_confdir(service, user, &pc, confdir, pamh);
}

const char *pd_pam_name(int rc)
{
    static const struct {
        int rc;
        const char *name;
    } names[] = {
        {PAM_SUCCESS, "PAM_SUCCESS"},
        {PAM_AUTH_ERR, "PAM_AUTH_ERR"},
        {PAM_AUTHINFO_UNAVAIL, "PAM_AUTHINFO_UNAVAIL"},
        {PAM_USER_UNKNOWN, "PAM_USER_UNKNOWN"},
        {PAM_CRED_INSUFFICIENT, "PAM_CRED_INSUFFICIENT"},
        {PAM_MAXTRIES, "PAM_MAXTRIES"},
        {PAM_SERVICE_ERR, "PAM_SERVICE_ERR"},
        {PAM_SYSTEM_ERR, "PAM_SYSTEM_ERR"},
        {PAM_BUF_ERR, "PAM_BUF_ERR"},
        {PAM_CONV_ERR, "PAM_CONV_ERR"},
        {PAM_PERM_DENIED, "PAM_PERM_DENIED"},
        {PAM_IGNORE, "PAM_IGNORE"},
    };
    const char *name = "PAM_OTHER";
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].rc == rc)
            name = names[i].name;
    return name;
}
