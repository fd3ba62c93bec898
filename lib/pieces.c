/*
 * pieces.c - reassembly of a token sent in pieces (pieces.h): the pure half
 * of pam_eksauth's prompt protocol, with no PAM and no I/O, so that unit
 * tests and a fuzzer drive it directly.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "eksauth/pieces.h"

void eksauth_pieces_init(struct eksauth_pieces *p)
{
    memset(p, 0, sizeof(*p));
}

void eksauth_pieces_wipe(struct eksauth_pieces *p)
{
    OPENSSL_cleanse(p, sizeof(*p));
    memset(p, 0, sizeof(*p));
}

bool eksauth_pieces_cut_length(size_t len)
{
    return len == EKSAUTH_CUT_SSH || len == EKSAUTH_CUT_SUDO;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* End the token with an error: nothing of it may stay in memory. */
static enum eksauth_pieces_result fail(struct eksauth_pieces *p, enum eksauth_pieces_result r)
{
    OPENSSL_cleanse(p->buf, sizeof(p->buf));
    p->len = 0;
    p->done = true;
    return r;
}

enum eksauth_pieces_result eksauth_pieces_add(struct eksauth_pieces *p, const char *answer,
                                              size_t len)
{
    size_t start = 0, end = len;
    bool more;

    /* A finished token takes no more answers: a caller bug must not extend it. */
    if (p->done)
        return fail(p, EKSAUTH_PIECES_BAD);
    if (eksauth_pieces_cut_length(len)) {
        p->client_cut = true;
        p->cut_len = len;
    }
    /* A NUL would make the C string and the byte count disagree. */
    if (len > 0 && memchr(answer, '\0', len) != NULL)
        return fail(p, EKSAUTH_PIECES_BAD);
    while (start < end && is_blank(answer[start]))
        start++;
    while (end > start && is_blank(answer[end - 1]))
        end--;
    more = end > start && answer[end - 1] == EKSAUTH_PIECE_MORE;
    if (more)
        end--;
    while (end > start && is_blank(answer[end - 1]))
        end--;
    p->n++;
    /* The cluster's own limit: longer tokens are refused before any copy. */
    if (end - start > EKSAUTH_TOKEN_MAX_LEN - p->len)
        return fail(p, EKSAUTH_PIECES_TOO_LONG);
    memcpy(p->buf + p->len, answer + start, end - start);
    p->len += end - start;
    p->buf[p->len] = '\0';
    if (!more) {
        p->done = true;
        return EKSAUTH_PIECES_DONE;
    }
    /* Bounded prompting: a client that never stops cannot keep the module asking. */
    if (p->n >= EKSAUTH_PIECES_MAX)
        return fail(p, EKSAUTH_PIECES_TOO_MANY);
    return EKSAUTH_PIECES_MORE;
}

const char *eksauth_pieces_result_name(enum eksauth_pieces_result r)
{
    switch (r) {
    case EKSAUTH_PIECES_MORE:
        return "more";
    case EKSAUTH_PIECES_DONE:
        return "done";
    case EKSAUTH_PIECES_TOO_LONG:
        return "token longer than 4096 bytes";
    case EKSAUTH_PIECES_TOO_MANY:
        return "more than 16 pieces";
    case EKSAUTH_PIECES_BAD:
        return "NUL byte in an answer";
    }
    return "unknown";
}
