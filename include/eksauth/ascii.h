/*
 * ascii.h - ASCII case, never the locale's: the rules that compare ARNs,
 * URL schemes, aws-auth keys and INI keys ignoring case must mean the same
 * under every LC_CTYPE (tolower() in a Turkish locale, say, does not).
 * Pure, libc only.
 */
#ifndef EKSAUTH_ASCII_H
#define EKSAUTH_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* c in lower case when it is an ASCII capital, else c. */
static inline char eksauth_ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* dst[0..len) = src[0..len) in ASCII lower case, then a NUL (dst has len + 1 bytes). */
void eksauth_ascii_lower_copy(char *dst, const char *src, size_t len);

/* True when s[0..len) is word, ignoring ASCII case. */
bool eksauth_ascii_eq_nocase(const char *s, size_t len, const char *word);

/* True when s[0..len) begins with prefix, ignoring ASCII case. */
bool eksauth_ascii_prefix_nocase(const char *s, size_t len, const char *prefix);

/* True when word occurs anywhere in s[0..len), ignoring ASCII case ("" always does). */
bool eksauth_ascii_contains_nocase(const char *s, size_t len, const char *word);

#endif
