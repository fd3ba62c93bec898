/*
 * fuzz_exec_credential.c - libFuzzer target: the token read out of an
 * ExecCredential (lib/exec_credential.c), what `aws eks get-token` prints
 * and eksauth askpass, login-name and `eksauth check -` read from a
 * pipe or a token command.  Byte 0 picks the caller's buffer (tokenmax:
 * a short one, one a token fills exactly, the real one); the rest is the
 * text.
 *
 * Promises checked (exec_credential.h): a token taken is what status.token
 * holds, NUL-terminated inside tokenmax, with no NUL inside its tlen bytes
 * (every caller hands it on as a C string too); a larger buffer takes the
 * same token and expiry (an expiry before 1970 is negative: an expired
 * token, which callers refuse); a refusal is one line, leaves nothing
 * taken and never holds the token; and the json-c copies free cleanly
 * (LeakSanitizer).  (json-c reads comments around JSON too; the callers
 * ask eksauth_exec_credential_is_json first, so text starting "//" is
 * never read as an ExecCredential.)
 *
 * The same text through eksauth_token_from_output, the way the callers
 * take it: nothing but blanks is EKSAUTH_ENOTFOUND; a bare token is the
 * text without its blanks around; a refusal leaves tlen and expiry 0 and
 * the buffer wiped; nothing is written past tokenmax.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/exec_credential.h"
#include "eksauth/pieces.h"
#include "eksauth/token.h"
#include "fuzz.h"

#define BIG (EKSAUTH_TOKEN_MAX_LEN + 1)

static const size_t maxes[] = {1, 2, 20, 64, EKSAUTH_TOKEN_MAX_LEN, BIG};

/*
 * The refusal never holds the token, in part or whole, judged as fuzz.h
 * says (the refusal's own words can be a token: "ExecCredential"), when the
 * token is written as it is in the text (its first time is changed);
 * escaped, it has no place for a canary.
 */
static void check_token_kept(const char *text, size_t len, size_t max, const char *msg,
                             const char *tok, size_t tlen)
{
    static char again[BIG];
    const char *at = memmem(text, len, tok, tlen);
    char *changed, *canary;
    struct eksauth_error ce;
    size_t alen;
    time_t aexp;
    bool refused;

    if (at == NULL || !fuzz_occurs_once(text, len, tok, tlen))
        return;
    changed = fuzz_dup((const uint8_t *)text, len);
    canary = malloc(tlen + 1);
    if (changed != NULL && canary != NULL && fuzz_canary(tok, tlen, canary)) {
        memcpy(changed + (at - text), canary, tlen);
        refused = eksauth_exec_credential_token(changed, len, again, max, &alen, &aexp, &ce) !=
                  EKSAUTH_OK;
        fuzz_check_secret_kept(msg, tok, canary, refused, ce.msg);
    }
    free(changed);
    free(canary);
}

static void check_from_output(const char *text, size_t len, size_t max)
{
    static char out[BIG];
    struct eksauth_error err;
    size_t start = 0, end = len, tlen = 99, i;
    time_t expires = 99;
    enum eksauth_status st;

    memset(out, 'X', sizeof(out));
    st = eksauth_token_from_output(text, len, out, max, &tlen, &expires, &err);
    while (start < end && eksauth_pieces_is_blank(text[start]))
        start++;
    while (end > start && eksauth_pieces_is_blank(text[end - 1]))
        end--;
    for (i = max; i < sizeof(out); i++)
        FUZZ_ASSERT(out[i] == 'X');
    FUZZ_ASSERT((st == EKSAUTH_ENOTFOUND) == (start == end));
    if (st != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(tlen == 0 && expires == 0);
        for (i = 0; st != EKSAUTH_ENOTFOUND && i < max; i++)
            FUZZ_ASSERT(out[i] == '\0');
        return;
    }
    FUZZ_ASSERT(tlen < max && out[tlen] == '\0');
    if (!eksauth_exec_credential_is_json(text + start, end - start))
        FUZZ_ASSERT(expires == 0 && tlen == end - start && memcmp(out, text + start, tlen) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char token[BIG], big[BIG];
    struct eksauth_error err, e2;
    enum eksauth_status st, st2;
    size_t max, tlen = 99, blen = 99;
    time_t expires = 99, bexp = 99;
    char *text;

    if (size < 1)
        return 0;
    max = maxes[data[0] % (sizeof(maxes) / sizeof(maxes[0]))];
    text = fuzz_dup(data + 1, size - 1);
    if (text == NULL)
        return 0;
    memset(token, 'X', sizeof(token));
    st = eksauth_exec_credential_token(text, size - 1, token, max, &tlen, &expires, &err);
    st2 = eksauth_exec_credential_token(text, size - 1, big, sizeof(big), &blen, &bexp, &e2);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(tlen < max && token[tlen] == '\0');
        FUZZ_ASSERT(memchr(token, '\0', tlen) == NULL);
        /* Nothing past the token's NUL is written. */
        for (size_t i = max; i < sizeof(token); i++)
            FUZZ_ASSERT(token[i] == 'X');
        FUZZ_ASSERT(st2 == EKSAUTH_OK && blen == tlen && memcmp(big, token, tlen + 1) == 0 &&
                    bexp == expires);
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(tlen == 0 && expires == 0);
        if (st2 == EKSAUTH_OK) {
            /* Refused only for its size: the buffer was too short. */
            FUZZ_ASSERT(blen + 1 > max);
            if (blen >= 8)
                check_token_kept(text, size - 1, max, err.msg, big, blen);
        }
    }
    check_from_output(text, size - 1, max);
    free(text);
    return 0;
}
