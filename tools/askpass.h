/*
 * askpass.h - the parts of `eksauth askpass` (cmd_askpass.c, the
 * command): what it keeps between prompts (askpass_state.c) and the
 * prompts that are the person's (askpass_terminal.c).
 */
#ifndef EKSAUTH_ASKPASS_H
#define EKSAUTH_ASKPASS_H

#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"
#include "cmd_client.h"

/* The token being sent, and how far. */
struct askpass_state {
    struct client_token t;
    size_t offset; /* bytes already answered */
};

/* ---- askpass_state.c: the private folder and its files ---- */

/*
 * Where the token waits between prompts: EKSAUTH_ASKPASS_DIR, else
 * $XDG_RUNTIME_DIR/eksauth, else ${TMPDIR:-/tmp}/eksauth-askpass-UID, made
 * when missing and checked private (client_check_private_dir).
 */
enum eksauth_status askpass_state_dir(char *out, size_t outlen, struct eksauth_error *err);

/* The token file of this conversation in dir: named after the asking process and its start. */
enum eksauth_status askpass_state_path(const char *dir, char *out, size_t outlen,
                                       struct eksauth_error *err);

/* Remove the files of earlier conversations in dir whose tokens are dead by now. */
void askpass_sweep_expired(const char *dir, time_t now);

/* Write s to path atomically, 0600. */
enum eksauth_status askpass_state_save(const char *path, const struct askpass_state *s,
                                       struct eksauth_error *err);

/*
 * Read path back into s; EKSAUTH_ENOTFOUND when there is none, EKSAUTH_EINVAL
 * for a file that is not the user's private token file of askpass.
 */
enum eksauth_status askpass_state_load(const char *path, struct askpass_state *s,
                                       struct eksauth_error *err);

/* What became of the last first prompt of the process whose token file is path. */
enum askpass_done_mark {
    ASKPASS_DONE_NONE,
    ASKPASS_DONE_SENT,   /* its whole token was sent: a first prompt again is a refusal */
    ASKPASS_DONE_FAILED, /* no token could be made */
};

void askpass_mark_done(const char *path, enum askpass_done_mark mark);
/* The mark of path while it is fresh and the user's own, else ASKPASS_DONE_NONE. */
enum askpass_done_mark askpass_done_before(const char *path, time_t now);

/* ---- askpass_terminal.c: the person's prompts ---- */

/*
 * Ask prompt on the terminal and print the answer on standard output: 0,
 * EXIT_REJECTED when no answer came, or -1 when there is no terminal.
 */
int askpass_ask_terminal(const char *prompt);

/* No terminal for prompt: say why it is not answered (for a host key, how to accept it). */
void askpass_refuse_prompt(const char *prompt);

#endif
