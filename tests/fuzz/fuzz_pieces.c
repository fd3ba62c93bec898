/*
 * fuzz_pieces.c - libFuzzer target: the PAM token-piece reassembly
 * (lib/pieces.c).  The input is a list of answers separated by
 * '\n' (a NUL inside an answer stays in it).  Answers are fed until the
 * state machine stops asking; then a whole token goes through the token
 * check.  Promises: the token never exceeds EKSAUTH_TOKEN_MAX_LEN and is
 * NUL-terminated at its length; after any error nothing of it is left in
 * the buffer; a finished reassembly takes no more answers; at most
 * EKSAUTH_PIECES_MAX answers are taken.
 */
#include "config.h"

#include <string.h>

#include "eksauth/token.h"
#include "fuzz.h"
#include "eksauth/pieces.h"

static bool all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eksauth_pieces p;
    static struct eksauth_token t;
    enum eksauth_pieces_result r = EKSAUTH_PIECES_MORE;
    const char *s = (const char *)data, *end = s + size, *nl;
    unsigned answers = 0;

    eksauth_pieces_init(&p);
    while (r == EKSAUTH_PIECES_MORE && s <= end) {
        char *answer;
        size_t len;

        nl = memchr(s, '\n', (size_t)(end - s));
        len = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
        answer = fuzz_dup((const uint8_t *)s, len); /* exact size: ASan sees over-reads */
        if (answer == NULL)
            return 0;
        r = eksauth_pieces_add(&p, answer, len);
        free(answer);
        answers++;
        FUZZ_ASSERT(p.len <= EKSAUTH_TOKEN_MAX_LEN && p.buf[p.len] == '\0');
        FUZZ_ASSERT(p.n <= EKSAUTH_PIECES_MAX);
        FUZZ_ASSERT(eksauth_pieces_result_name(r) != NULL);
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    FUZZ_ASSERT(answers <= EKSAUTH_PIECES_MAX);
    if (r != EKSAUTH_PIECES_MORE && r != EKSAUTH_PIECES_DONE) {
        /* An error wipes the token. */
        FUZZ_ASSERT(p.len == 0 && p.done);
        FUZZ_ASSERT(all_zero(p.buf, sizeof(p.buf)));
    }
    if (r == EKSAUTH_PIECES_DONE) {
        FUZZ_ASSERT(p.done && strlen(p.buf) == p.len);
        /* Done is done: one more answer is a caller bug, refused, and it wipes. */
        if (eksauth_token_check(p.buf, p.len, FUZZ_NOW, NULL, &t, NULL) == EKSAUTH_OK)
            FUZZ_ASSERT(p.len <= EKSAUTH_TOKEN_MAX_LEN);
        eksauth_token_wipe(&t);
        FUZZ_ASSERT(eksauth_pieces_add(&p, "x", 1) == EKSAUTH_PIECES_BAD);
        FUZZ_ASSERT(p.len == 0 && all_zero(p.buf, sizeof(p.buf)));
    }
    eksauth_pieces_wipe(&p);
    return 0;
}
