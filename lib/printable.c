/*
 * printable.c - text that shows what it says (see printable.h).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "eksauth/printable.h"

/*
 * Code points that reorder, hide or break a line of text: the C1 controls,
 * the line and paragraph separators, the interlinear annotation marks
 * (what lies between them may not be drawn) and every
 * Default_Ignorable_Code_Point of Unicode's DerivedCoreProperties.txt (drawn
 * as nothing: tags spell ASCII unseen, a variation selector or a filler
 * after "admin" still reads "admin").
 */
static bool hidden(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) ||       /* C1 controls */
           c == 0x00ad ||                    /* soft hyphen */
           c == 0x034f ||                    /* combining grapheme joiner */
           c == 0x061c ||                    /* Arabic letter mark */
           c == 0x115f || c == 0x1160 ||     /* Hangul fillers */
           c == 0x17b4 || c == 0x17b5 ||     /* Khmer inherent vowels */
           (c >= 0x180b && c <= 0x180f) ||   /* Mongolian selectors, vowel separator */
           (c >= 0x200b && c <= 0x200f) ||   /* zero-width, LRM, RLM */
           (c >= 0x2028 && c <= 0x202e) ||   /* separators, LRE RLE PDF LRO RLO */
           (c >= 0x2060 && c <= 0x206f) ||   /* word joiner .. isolates, deprecated formats */
           c == 0x3164 || c == 0xffa0 ||     /* Hangul fillers */
           (c >= 0xfe00 && c <= 0xfe0f) ||   /* variation selectors */
           c == 0xfeff ||                    /* zero-width no-break space */
           (c >= 0xfff0 && c <= 0xfffb) ||   /* unassigned specials, interlinear annotation */
           (c >= 0x1bca0 && c <= 0x1bca3) || /* shorthand format controls */
           (c >= 0x1d173 && c <= 0x1d17a) || /* musical beam, tie, slur, phrase */
           (c >= 0xe0000 && c <= 0xe0fff);   /* tags, variation selectors 17-256 */
}

/* One UTF-8 character at s (n bytes left): its length and code point, or 0 when invalid. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t c;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        len = 2;
        c = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        len = 3;
        c = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        len = 4;
        c = s[0] & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    /* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
    if ((len == 3 && c < 0x800) || (len == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return len;
}

size_t eksauth_printable(const char *in, char *out, size_t outlen)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t n = strlen(in), i = 0, o = 0, len, replaced = 0;
    uint32_t c;

    while (i < n) {
        /* Printable ASCII, nearly all of every message, is itself: no decoding. */
        if (s[i] >= 0x20 && s[i] < 0x7f) {
            if (o + 1 >= outlen)
                break;
            out[o++] = (char)s[i++];
            continue;
        }
        len = utf8_next(s + i, n - i, &c);
        if (len == 0 || c < 0x20 || c == 0x7f || hidden(c)) {
            if (o + 1 >= outlen)
                break;
            out[o++] = '?';
            replaced++;
            i += len == 0 ? 1 : len;
            continue;
        }
        if (o + len >= outlen)
            break;
        /* out may be in itself (o <= i always): memmove. */
        memmove(out + o, s + i, len);
        o += len;
        i += len;
    }
    out[o] = '\0';
    return replaced;
}

bool eksauth_is_printable(const char *in)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t n = strlen(in), i = 0, len;
    uint32_t c;

    while (i < n) {
        len = utf8_next(s + i, n - i, &c);
        if (len == 0 || c < 0x20 || c == 0x7f || hidden(c))
            return false;
        i += len;
    }
    return true;
}

bool eksauth_utf8_valid(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n;
    uint32_t cp;

    while (i < len && (n = utf8_next(u + i, len - i, &cp)) > 0)
        i += n;
    return i == len;
}

bool eksauth_visible_ascii_len(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] < 0x21 || s[i] > 0x7e)
            return false;
    }
    return len > 0;
}

bool eksauth_visible_ascii(const char *s, size_t max)
{
    size_t n;

    if (s == NULL)
        return false;
    n = strnlen(s, max + 1);
    return n <= max && eksauth_visible_ascii_len(s, n);
}

/* Whether c stands for itself in a log value (printable.h). */
static bool log_plain(unsigned char c, bool quoted)
{
    if (c == ' ')
        return quoted;
    /* "(token:FP)" is how the audit line names a token typed as the user name. */
    if (c == '(' || c == ')')
        return quoted;
    return c > 0x20 && c < 0x7f && c != '%' && c != '"' && c != '\\' && c != '=';
}

/* in escaped as a log value into out[0..room) (room > 0), stopping before an escape that does not
 * fit. */
static size_t log_escape(const unsigned char **s, bool quoted, char *out, size_t room)
{
    static const char hexd[] = "0123456789ABCDEF";
    size_t o = 0;

    for (; **s != '\0'; (*s)++) {
        /* A name the client chose must not end the line or forge a field. */
        if (log_plain(**s, quoted)) {
            if (o + 1 >= room)
                break;
            out[o++] = (char)**s;
            continue;
        }
        if (o + 3 >= room)
            break;
        out[o++] = '%';
        out[o++] = hexd[**s >> 4];
        out[o++] = hexd[**s & 0x0f];
    }
    out[o] = '\0';
    return o;
}

bool eksauth_log_value(const char *in, bool quoted, char *out, size_t outlen)
{
    const unsigned char *s = (const unsigned char *)in, *rest;
    size_t o;

    if (s == NULL || s[0] == '\0')
        s = (const unsigned char *)"-";
    rest = s;
    (void)log_escape(&rest, quoted, out, outlen);
    if (*rest == '\0')
        return true;
    /*
     * Cut: marked "%%", which no escaped value holds (a '%' of its own is
     * "%25"), so a reader knows the value went on.  Room for the mark first.
     */
    if (outlen < 3) {
        out[0] = '\0';
        return false;
    }
    o = log_escape(&s, quoted, out, outlen - 2);
    memcpy(out + o, "%%", 3);
    return false;
}
