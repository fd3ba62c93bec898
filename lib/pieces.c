/*
 * pieces.c - reassembly of a token sent in pieces (pieces.h): the pure half
 * of pam_eksauth's prompt protocol, with no PAM and no I/O, so that unit
 * tests and a fuzzer drive it directly.
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include "eksauth/audience.h"
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

bool eksauth_pieces_is_blank(char c)
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
    while (start < end && eksauth_pieces_is_blank(answer[start]))
        start++;
    while (end > start && eksauth_pieces_is_blank(answer[end - 1]))
        end--;
    more = end > start && answer[end - 1] == EKSAUTH_PIECE_MORE;
    if (more)
        end--;
    while (end > start && eksauth_pieces_is_blank(answer[end - 1]))
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

/* The prompt itself, without ssh's prefix. */
static enum eksauth_prompt_kind prompt_exact(const char *p, char *audience, size_t audience_len)
{
    size_t flen = strlen(EKSAUTH_PROMPT_FIRST), n = strlen(p), alen;

    if (strcmp(p, EKSAUTH_PROMPT_CONTINUE) == 0)
        return EKSAUTH_PROMPT_CONTINUED;
    if (strcmp(p, "EKS token: ") == 0)
        return EKSAUTH_PROMPT_OLD;
    /* "EKS token for " AUDIENCE ": ", the audience visible ASCII (no blank). */
    if (n <= flen + 2 || strncmp(p, EKSAUTH_PROMPT_FIRST, flen) != 0 || p[n - 2] != ':' ||
        p[n - 1] != ' ')
        return EKSAUTH_PROMPT_OTHER;
    alen = n - flen - 2;
    if (alen >= audience_len || alen > EKSAUTH_AUDIENCE_MAX)
        return EKSAUTH_PROMPT_OTHER;
    memcpy(audience, p + flen, alen);
    audience[alen] = '\0';
    return eksauth_audience_valid(audience) ? EKSAUTH_PROMPT_FOR : EKSAUTH_PROMPT_OTHER;
}

enum eksauth_prompt_kind eksauth_prompt_classify(const char *prompt, char *ssh_host,
                                                 size_t ssh_host_len, char *audience,
                                                 size_t audience_len)
{
    const char *at, *end;
    char buf[EKSAUTH_AUDIENCE_MAX + 1];
    size_t hlen;
    enum eksauth_prompt_kind kind;

    if (ssh_host != NULL && ssh_host_len > 0)
        ssh_host[0] = '\0';
    if (audience == NULL || audience_len == 0) {
        audience = buf;
        audience_len = sizeof(buf);
    }
    kind = prompt_exact(prompt, audience, audience_len);
    if (kind != EKSAUTH_PROMPT_OTHER || prompt[0] != '(')
        return kind;
    /*
     * ssh's "(user@HOST) ": the last '@' before the first ") " ends the user;
     * HOST is a host name (no blank, no parenthesis), so the server's text
     * after it cannot pose as ssh's.
     */
    end = strstr(prompt, ") ");
    if (end == NULL)
        return EKSAUTH_PROMPT_OTHER;
    for (at = end; at > prompt && *at != '@'; at--)
        ;
    if (*at != '@')
        return EKSAUTH_PROMPT_OTHER;
    hlen = (size_t)(end - at - 1);
    kind = prompt_exact(end + 2, audience, audience_len);
    if (kind == EKSAUTH_PROMPT_OTHER || hlen == 0 || hlen > EKSAUTH_HOST_NAME_MAX)
        return EKSAUTH_PROMPT_OTHER;
    if (ssh_host != NULL && ssh_host_len > hlen) {
        memcpy(ssh_host, at + 1, hlen);
        ssh_host[hlen] = '\0';
    }
    return kind;
}

/* A decimal number of at most 4 digits at *p, moved past it; -1 when there is none. */
static int small_number(const char **p)
{
    int n = 0, digits = 0;

    while (**p >= '0' && **p <= '9') {
        if (++digits > 4)
            return -1;
        n = n * 10 + (**p - '0');
        (*p)++;
    }
    return digits > 0 ? n : -1;
}

bool eksauth_openssh_writes_prefix(const char *version)
{
    const char *p = version;
    int major, minor = -1;

    if (p == NULL || strncmp(p, "OpenSSH_", 8) != 0)
        return false;
    p += 8;
    major = small_number(&p);
    if (major >= 0 && *p == '.') {
        p++;
        minor = small_number(&p);
    }
    /* OpenSSH 8.5 is the first to write "(user@host) " itself; before, the text is the server's. */
    return minor >= 0 && (major > 8 || (major == 8 && minor >= 5));
}
