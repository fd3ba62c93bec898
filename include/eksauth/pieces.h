/*
 * pieces.h - reassemble an EKS token that the client sent in pieces
 * (docs/design.md, "The client half"), as a pure function a fuzzer can call.
 *
 * The protocol of pam_eksauth's authentication stage: the first answer is
 * to "EKS token for AUDIENCE: " (EKSAUTH_PROMPT_FIRST_FMT); an answer that ends with '\' (never a
 * base64url character) means "more follows", and the module asks "EKS token (continued): " until an
 * answer without it.  The whole token is at most EKSAUTH_TOKEN_MAX_LEN bytes in at most
 * EKSAUTH_PIECES_MAX answers. Blanks (space, tab, CR, LF) around each answer are dropped.
 */
#ifndef EKSAUTH_PIECES_H
#define EKSAUTH_PIECES_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/token.h"

#define EKSAUTH_PIECES_MAX 16   /* answers in one token */
#define EKSAUTH_PIECE_MORE '\\' /* last byte of an answer that is not the last */
/*
 * The first prompt names whom the token is for: "EKS token for
 * eksauth:prod:bastion1: " (audience.h), so a client mints for that
 * audience, and refuses one that is not the host it meant to reach.
 */
#define EKSAUTH_PROMPT_FIRST_FMT "EKS token for %s: "
#define EKSAUTH_PROMPT_FIRST     "EKS token for "
#define EKSAUTH_PROMPT_CONTINUE  "EKS token (continued): "

/* Lengths at which common clients cut an answer (ssh: 1023; sudo: 511). */
#define EKSAUTH_CUT_SSH  1023
#define EKSAUTH_CUT_SUDO 511

enum eksauth_pieces_result {
    EKSAUTH_PIECES_MORE,     /* the answer ended with '\': ask again */
    EKSAUTH_PIECES_DONE,     /* the token is whole in buf[0..len) */
    EKSAUTH_PIECES_TOO_LONG, /* the pieces add up to more than EKSAUTH_TOKEN_MAX_LEN */
    EKSAUTH_PIECES_TOO_MANY, /* answer EKSAUTH_PIECES_MAX still ended with '\' */
    EKSAUTH_PIECES_BAD,      /* a NUL byte inside an answer, or an answer after the end */
};

struct eksauth_pieces {
    char buf[EKSAUTH_TOKEN_MAX_LEN + 1]; /* the token so far, NUL-terminated */
    size_t len;
    unsigned n;      /* answers taken */
    bool done;       /* a final answer was taken (or an error ended it) */
    bool client_cut; /* an answer was exactly EKSAUTH_CUT_SSH or EKSAUTH_CUT_SUDO bytes */
    size_t cut_len;  /* that length */
};

void eksauth_pieces_init(struct eksauth_pieces *p);

/*
 * Take one answer: answer[0..len) (need not be NUL-terminated).  Any result
 * but EKSAUTH_PIECES_MORE ends the token; after an error buf is wiped and
 * len is 0.  Never reads past len, never writes past buf.
 */
enum eksauth_pieces_result eksauth_pieces_add(struct eksauth_pieces *p, const char *answer,
                                              size_t len);

/*
 * True for a blank dropped around an answer, or around a token read from
 * a tool's output or standard input (eksauth_token_from_output,
 * lib/exec_credential.c): one rule, so all take the same token.
 */
bool eksauth_pieces_is_blank(char c);

/* True for a length at which a client is known to cut what it sends. */
bool eksauth_pieces_cut_length(size_t len);

/* A short name of a result, for messages ("too long", ...). */
const char *eksauth_pieces_result_name(enum eksauth_pieces_result r);

/* What a client is asked (the prompt as ssh or sudo hands it to an askpass program). */
enum eksauth_prompt_kind {
    EKSAUTH_PROMPT_OTHER,    /* not pam_eksauth's: never answered with a token */
    EKSAUTH_PROMPT_OLD,      /* "EKS token: " of an eksauth that names no audience */
    EKSAUTH_PROMPT_FOR,      /* "EKS token for AUDIENCE: " */
    EKSAUTH_PROMPT_CONTINUED /* "EKS token (continued): " */
};

/*
 * Classify prompt: exactly one of pam_eksauth's prompts, bare (sudo) or
 * after ssh's "(user@HOST) ", nothing looser.  ssh_host (may be NULL)
 * receives HOST as the user gave it to ssh ("" without the prefix): ssh
 * writes it, not the server.  audience receives AUDIENCE for
 * EKSAUTH_PROMPT_FOR.  Pure.
 */
enum eksauth_prompt_kind eksauth_prompt_classify(const char *prompt, char *ssh_host,
                                                 size_t ssh_host_len, char *audience,
                                                 size_t audience_len);

/*
 * Whether the OpenSSH client whose `ssh -V` printed version writes the
 * "(user@HOST) " before a server's prompt: OpenSSH 8.5 and later.  An
 * older one passes the server's text bare, so a "(user@HOST) " in it is
 * the server's own, and names whatever host the server likes.  False for
 * anything that is not "OpenSSH_MAJOR.MINOR...".  Pure.
 */
bool eksauth_openssh_writes_prefix(const char *version);

/* Overwrite the token (OPENSSL_cleanse) and reset. */
void eksauth_pieces_wipe(struct eksauth_pieces *p);

#endif
