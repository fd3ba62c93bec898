/*
 * pam_driver.h - what the C PAM drivers of the tests share
 * (tests/pam/test_pam_eksauth.c, tests/hardening/pam_batch.c): the
 * module's syslog captured in the driver itself, a PAM conversation that
 * answers from a list (or asks a callback, as ssh and sudo ask askpass)
 * and records the prompts and messages, and pam_start_confdir with it.
 *
 * The capture works by defining syslog() and glibc's __syslog_chk family in
 * pam_driver.c: libpam's pam_syslog ends there, and the dynamic linker
 * resolves the module's calls to the program first.  A driver must be
 * linked with -export-dynamic for that.
 */
#ifndef EKSAUTH_TESTS_PAM_DRIVER_H
#define EKSAUTH_TESTS_PAM_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include <security/pam_appl.h>

/* ---- syslog capture: every line kept in memory, and appended to a file if one is open ---- */

/* Append every captured line ("<PRI> text") to path from now on; false if it cannot be opened. */
bool pd_log_open(const char *path);
void pd_log_close(void);
/* The lines so far; a mark starts what pd_log_find and pd_log_last search. */
size_t pd_log_count(void);
const char *pd_log_line(size_t i);
void pd_log_mark(void);
size_t pd_log_marked(void);
/* The first line since the mark holding every needle (a NULL-terminated list). */
const char *pd_log_find(const char *needle, ...) __attribute__((sentinel));
/* The last line since the mark holding needle. */
const char *pd_log_last(const char *needle);
/* Forget every line (and the mark). */
void pd_log_free(void);

/* ---- conversation ---- */

#define PD_MAX_MSGS 64

struct pd_conv {
    /* Answers, one per prompt, in order (not owned)... */
    const char *answers[PD_MAX_MSGS];
    size_t n_answers, next;
    /* ... or, when ask is set, the answer ask returns (malloc'd; NULL fails the conversation). */
    char *(*ask)(const char *prompt, void *ctx);
    void *ask_ctx;
    /* What the module said: the prompts, and PAM_ERROR_MSG / PAM_TEXT_INFO messages. */
    char *prompts[PD_MAX_MSGS];
    size_t n_prompts;
    char *infos[PD_MAX_MSGS];
    size_t n_infos;
};

int pd_conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata);
/* Free the recorded prompts and messages and clear cv. */
void pd_conv_free(struct pd_conv *cv);
/* Whether a message the module sent holds needle. */
bool pd_conv_info_has(const struct pd_conv *cv, const char *needle);

/* pam_start_confdir(service, user) with cv as the conversation. */
int pd_start(const char *service, const char *user, const char *confdir, struct pd_conv *cv,
             pam_handle_t **pamh);

/* "PAM_SUCCESS", "PAM_AUTH_ERR", ...: the name of a PAM return code ("PAM_OTHER" if unknown). */
const char *pd_pam_name(int rc);

#endif
