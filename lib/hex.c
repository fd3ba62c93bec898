/*
 * hex.c - bytes as lower-case hexadecimal digits (see hex.h).
 */
#include "config.h"

#include "eksauth/hex.h"

void eksauth_hex_lower(const unsigned char *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}
