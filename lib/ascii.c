/*
 * ascii.c - ASCII case, never the locale's (see ascii.h).
 */
#include "config.h"

#include <string.h>

#include "eksauth/ascii.h"

void eksauth_ascii_lower_copy(char *dst, const char *src, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        dst[i] = eksauth_ascii_lower(src[i]);
    dst[len] = '\0';
}

bool eksauth_ascii_prefix_nocase(const char *s, size_t len, const char *prefix)
{
    size_t i, n = strlen(prefix);

    if (len < n)
        return false;
    for (i = 0; i < n; i++) {
        if (eksauth_ascii_lower(s[i]) != eksauth_ascii_lower(prefix[i]))
            return false;
    }
    return true;
}

bool eksauth_ascii_contains_nocase(const char *s, size_t len, const char *word)
{
    size_t i, n = strlen(word);

    for (i = 0; i + n <= len; i++) {
        if (eksauth_ascii_prefix_nocase(s + i, len - i, word))
            return true;
    }
    return false;
}

bool eksauth_ascii_eq_nocase(const char *s, size_t len, const char *word)
{
    return len == strlen(word) && eksauth_ascii_prefix_nocase(s, len, word);
}
