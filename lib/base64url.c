/*
 * base64url.c - base64url (RFC 4648 §5) without padding, strict: the only
 * input accepted is what a real token generator writes.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "eksauth/base64url.h"

#define INVALID 0x80 /* set in the table for every byte outside the alphabet */

#define X INVALID
static const unsigned char decode_table[256] = {
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x00 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x10 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  62, X,  X,  /* 0x20 '-' */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X,  X,  X,  X,  X,  X,  /* 0x30 '0'-'9' */
    X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* 0x40 'A'- */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,  63, /* 0x50 -'Z' '_' */
    X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60 'a'- */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X,  X,  X,  X,  X,  /* 0x70 -'z' */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x80 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x90 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xa0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xb0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xc0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xd0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xe0 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0xf0 */
};
#undef X

static const char encode_table[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool eksauth_b64url_char(unsigned char c)
{
    return !(decode_table[c] & INVALID);
}

/* Say which byte is wrong, by offset only (the input is a secret); false when none is. */
static bool report_bad_character(const char *in, size_t len, struct eksauth_error *err)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];

        if (!(decode_table[c] & INVALID))
            continue;
        /* Padding and line breaks get their own words: they are the likely mistakes. */
        if (c == '=')
            eksauth_fail(err, EKSAUTH_EINVAL, "'=' padding at offset %zu", i);
        else if (c == '\r' || c == '\n')
            eksauth_fail(err, EKSAUTH_EINVAL, "line break at offset %zu", i);
        else
            eksauth_fail(err, EKSAUTH_EINVAL, "invalid character at offset %zu", i);
        return true;
    }
    return false;
}

enum eksauth_status eksauth_b64url_decode(const char *in, size_t len, unsigned char *out,
                                          size_t outcap, size_t *outlen, struct eksauth_error *err)
{
    const unsigned char *src = (const unsigned char *)in;
    size_t full = len / 4, rest = len % 4, need, i;
    unsigned char *dst = out;
    unsigned bad = 0;
    uint32_t v;

    /* One character left over holds 6 bits, not a byte: no encoder writes that. */
    if (rest == 1) {
        /* A foreign byte (a line break, padding) is the likelier cause: name it first. */
        if (report_bad_character(in, len, err))
            return EKSAUTH_EINVAL;
        return eksauth_fail(err, EKSAUTH_EINVAL, "length %zu is one more than a multiple of 4",
                            len);
    }
    need = full * 3 + (rest == 0 ? 0 : rest - 1);
    if (out == NULL || outcap < need)
        return eksauth_fail(err, EKSAUTH_EINVAL, "output buffer too small");

    /* Groups of four: OR every table value so one test at the end finds a bad byte. */
    for (i = 0; i < full; i++, src += 4) {
        unsigned a = decode_table[src[0]], b = decode_table[src[1]];
        unsigned c = decode_table[src[2]], d = decode_table[src[3]];

        bad |= a | b | c | d;
        v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
        dst[0] = (unsigned char)(v >> 16);
        dst[1] = (unsigned char)(v >> 8);
        dst[2] = (unsigned char)v;
        dst += 3;
    }
    if (rest > 0) {
        unsigned a = decode_table[src[0]], b = decode_table[src[1]];
        unsigned c = rest == 3 ? decode_table[src[2]] : 0;

        bad |= a | b | c;
        v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        if (!(bad & INVALID)) {
            /*
             * The bits after the last whole byte must be zero, or two
             * different strings would decode to the same token.
             */
            if ((rest == 2 && (v & 0xffff)) || (rest == 3 && (v & 0xff)))
                return eksauth_fail(err, EKSAUTH_EINVAL, "non-canonical trailing bits");
        }
        dst[0] = (unsigned char)(v >> 16);
        if (rest == 3)
            dst[1] = (unsigned char)(v >> 8);
        dst += rest - 1;
    }
    if (bad & INVALID) {
        if (!report_bad_character(in, len, err))
            eksauth_fail(err, EKSAUTH_EINVAL, "invalid character");
        return EKSAUTH_EINVAL;
    }
    if (outcap > need)
        *dst = '\0';
    if (outlen != NULL)
        *outlen = need;
    return EKSAUTH_OK;
}

size_t eksauth_b64url_encode(const unsigned char *in, size_t len, char *out, size_t outcap)
{
    size_t need = len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1), i, o = 0;
    uint32_t v;

    if (out == NULL || outcap < need + 1) {
        if (out != NULL && outcap > 0)
            out[0] = '\0';
        return 0;
    }
    for (i = 0; i + 3 <= len; i += 3) {
        v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = encode_table[v >> 18];
        out[o++] = encode_table[(v >> 12) & 63];
        out[o++] = encode_table[(v >> 6) & 63];
        out[o++] = encode_table[v & 63];
    }
    if (len - i == 1) {
        v = (uint32_t)in[i] << 16;
        out[o++] = encode_table[v >> 18];
        out[o++] = encode_table[(v >> 12) & 63];
    } else if (len - i == 2) {
        v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = encode_table[v >> 18];
        out[o++] = encode_table[(v >> 12) & 63];
        out[o++] = encode_table[(v >> 6) & 63];
    }
    out[o] = '\0';
    return o;
}
