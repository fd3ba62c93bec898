/*
 * test_printable.c - lib/printable.c: controls, BiDi and invisible
 * characters and bytes that are not UTF-8 become '?'; other text, ASCII or
 * not, is kept as it is; visible ASCII is 0x21..0x7e, 1..max bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/printable.h"
#include "unit.h"

static void expect(const char *in, const char *want, size_t replaced)
{
    char out[64];

    assert_int_equal(eksauth_printable(in, out, sizeof(out)), replaced);
    assert_string_equal(out, want);
    assert_int_equal(eksauth_is_printable(in), replaced == 0);
}

static void test_kept(void **state)
{
    (void)state;
    expect("admin:alice", "admin:alice", 0);
    expect("Jos\xc3\xa9 M\xc3\xbcller", "Jos\xc3\xa9 M\xc3\xbcller", 0); /* é, ü */
    expect("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac", 0);   /* CJK */
    expect("\xf0\x9f\x94\x91 key", "\xf0\x9f\x94\x91 key", 0);           /* U+1F511 */
    expect("", "", 0);
}

static void test_replaced(void **state)
{
    (void)state;
    expect("a\nb\tc\x7f", "a?b?c?", 3);
    expect("admin\xe2\x80\xaenimda", "admin?nimda", 1); /* U+202E RIGHT-TO-LEFT OVERRIDE */
    expect("a\xe2\x81\xa6x\xe2\x81\xa9", "a?x?", 2);    /* U+2066 .. U+2069 isolates */
    expect("a\xc2\x85"
           "b",
           "a?b", 1); /* U+0085 NEL (C1) */
    expect("a\xc2\x9b"
           "b",
           "a?b", 1); /* U+009B CSI (C1) */
    expect("a\xe2\x80\x8b"
           "b",
           "a?b", 1); /* U+200B zero width space */
    expect("a\xef\xbb\xbf"
           "b",
           "a?b", 1); /* U+FEFF */
    expect("a\xe2\x80\xa8"
           "b",
           "a?b", 1);            /* U+2028 line separator */
    expect("\xff\xfe", "??", 2); /* not UTF-8 */
    expect("a\xc0\xaf"
           "b",
           "a??b", 2); /* overlong '/' */
    expect("a\xed\xa0\x80"
           "b",
           "a???b", 3);            /* a surrogate */
    expect("a\xe2\x80", "a??", 2); /* cut short */
}

/*
 * Every Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt:
 * drawn as nothing where a font has no glyph for it) and the interlinear
 * annotation marks, which hide the text between them: "admin" followed by
 * tag characters (U+E0020..E007F spell ASCII unseen) reads as "admin".
 * (Only the BiDi, zero-width and separator ones were replaced: tags,
 * variation selectors, fillers and U+2061..206F went through.)
 */
static void test_invisible_replaced(void **state)
{
    static const char *const invisible[] = {
        "\xcd\x8f",         /* U+034F combining grapheme joiner */
        "\xe1\x85\x9f",     /* U+115F Hangul choseong filler */
        "\xe1\x85\xa0",     /* U+1160 */
        "\xe1\x9e\xb4",     /* U+17B4 Khmer vowel inherent aq */
        "\xe1\x9e\xb5",     /* U+17B5 */
        "\xe1\xa0\x8b",     /* U+180B Mongolian free variation selector */
        "\xe1\xa0\x8e",     /* U+180E Mongolian vowel separator */
        "\xe1\xa0\x8f",     /* U+180F */
        "\xe2\x81\xaa",     /* U+206A inhibit symmetric swapping */
        "\xe2\x81\xaf",     /* U+206F nominal digit shapes */
        "\xe3\x85\xa4",     /* U+3164 Hangul filler */
        "\xef\xb8\x80",     /* U+FE00 variation selector 1 */
        "\xef\xb8\x8f",     /* U+FE0F variation selector 16 */
        "\xef\xbe\xa0",     /* U+FFA0 halfwidth Hangul filler */
        "\xef\xbf\xb0",     /* U+FFF0 */
        "\xef\xbf\xb8",     /* U+FFF8 */
        "\xef\xbf\xb9",     /* U+FFF9 interlinear annotation anchor */
        "\xef\xbf\xbb",     /* U+FFFB interlinear annotation terminator */
        "\xf0\x9b\xb2\xa0", /* U+1BCA0 shorthand format letter overlap */
        "\xf0\x9b\xb2\xa3", /* U+1BCA3 */
        "\xf0\x9d\x85\xb3", /* U+1D173 musical symbol begin beam */
        "\xf0\x9d\x85\xba", /* U+1D17A */
        "\xf3\xa0\x80\x80", /* U+E0000 */
        "\xf3\xa0\x80\x81", /* U+E0001 language tag */
        "\xf3\xa0\x81\x81", /* U+E0041 tag latin capital letter a */
        "\xf3\xa0\x81\xbf", /* U+E007F cancel tag */
        "\xf3\xa0\x84\x80", /* U+E0100 variation selector 17 */
        "\xf3\xa0\xbf\xbf", /* U+E0FFF */
    };
    char in[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(invisible) / sizeof(invisible[0]); i++) {
        snprintf(in, sizeof(in), "a%sb", invisible[i]);
        expect(in, "a?b", 1);
    }
    /* Their neighbours show. */
    expect("\xcd\x8e\xe1\x85\xa1\xef\xbf\xbc\xf3\xa1\x80\x80",
           "\xcd\x8e\xe1\x85\xa1\xef\xbf\xbc\xf3\xa1\x80\x80", 0);
}

static void test_short_buffer(void **state)
{
    char out[6];

    (void)state;
    /* Cut at a character boundary, always terminated. */
    eksauth_printable("ab\xc3\xa9\xc3\xa9", out, sizeof(out));
    assert_string_equal(out, "ab\xc3\xa9");
    eksauth_printable("abcdefgh", out, 1);
    assert_string_equal(out, "");
    /* ASCII alone (the fast path) cut at the same place. */
    eksauth_printable("abcdefgh", out, sizeof(out));
    assert_string_equal(out, "abcde");
    eksauth_printable("a\x01"
                      "cdefg",
                      out, sizeof(out));
    assert_string_equal(out, "a?cde");
}

static void test_visible_ascii(void **state)
{
    (void)state;
    assert_true(eksauth_visible_ascii("AKIA/x+y=~!", 11));
    assert_false(eksauth_visible_ascii("AKIA/x+y=~!", 10)); /* longer than max */
    assert_false(eksauth_visible_ascii("a b", 8));          /* a blank */
    assert_false(eksauth_visible_ascii("a\r\nb", 8));       /* a line break */
    assert_false(eksauth_visible_ascii("a\x7f", 8));
    assert_false(eksauth_visible_ascii("\xc3\xa9", 8));
    assert_false(eksauth_visible_ascii("", 8));
    assert_false(eksauth_visible_ascii(NULL, 8));
    /* By length: a NUL is not visible, nothing at all is not enough. */
    assert_true(eksauth_visible_ascii_len("ab", 2));
    assert_false(eksauth_visible_ascii_len("a\0b", 3));
    assert_false(eksauth_visible_ascii_len("a b", 3));
    assert_false(eksauth_visible_ascii_len("", 0));
}

static void expect_log(const char *in, bool quoted, const char *want)
{
    char out[64];

    assert_true(eksauth_log_value(in, quoted, out, sizeof(out)));
    assert_string_equal(out, want);
}

/* A log value holds no blank (unless quoted), quote, '=', control or non-ASCII byte. */
static void test_log_value(void **state)
{
    (void)state;
    expect_log("arn:aws:sts::111122223333:assumed-role/eks-admins/alice", false,
               "arn:aws:sts::111122223333:assumed-role/eks-admins/alice");
    expect_log("admin:alice", false, "admin:alice");
    expect_log(NULL, false, "-");
    expect_log("", true, "-");
    /* A typed name cannot add a field ... */
    expect_log("alice result=success", false, "alice%20result%3Dsuccess");
    /* ... nor can a session name, which whoever assumes the role picks ([\w+=,.@-]). */
    expect_log("x,result=success", false, "x,result%3Dsuccess");
    /* ... nor a line, an escape sequence, or the end of the quotes. */
    expect_log("x\nevent=auth", false, "x%0Aevent%3Dauth");
    expect_log("\x1b[1A\r\t\x7f", false, "%1B[1A%0D%09%7F");
    expect_log("a \"b\" \\ c", true, "a %22b%22 %5C c");
    /* '%' itself, so that a reader can decode every value. */
    expect_log("100%", false, "100%25");
    expect_log("Jos\xc3\xa9", false, "Jos%C3%A9");
    /* Parentheses mark a token typed as the name, user=(token:FP): never a value's own. */
    expect_log("(token:deadbeef)", false, "%28token:deadbeef%29");
    expect_log("uid 5 (x)", true, "uid 5 (x)");
}

static void test_log_value_short(void **state)
{
    char out[6];

    (void)state;
    /* Cut before an escape that does not fit, never inside one, and marked "%%". */
    assert_false(eksauth_log_value("abc=d", false, out, sizeof(out)));
    assert_string_equal(out, "abc%%");
    assert_false(eksauth_log_value("a=bcd", false, out, sizeof(out)));
    assert_string_equal(out, "a%%");
    assert_true(eksauth_log_value("abcde", false, out, sizeof(out)));
    assert_string_equal(out, "abcde");
    assert_true(eksauth_log_value("ab=", false, out, sizeof(out)));
    assert_string_equal(out, "ab%3D");
    /* One byte too many: a reader must not take "abc" for the whole value. */
    assert_false(eksauth_log_value("abcdef", false, out, sizeof(out)));
    assert_string_equal(out, "abc%%");
    assert_false(eksauth_log_value("abc", false, out, 3));
    assert_string_equal(out, "%%");
    assert_false(eksauth_log_value("abc", false, out, 2));
    assert_string_equal(out, "");
    assert_false(eksauth_log_value("abc", false, out, 1));
    assert_string_equal(out, "");
}

/* UTF-8 as Python's codec decodes it (lib/creds.c refuses AWS files that are not). */
static void test_utf8_valid(void **state)
{
    static const char *const good[] = {"", "ascii", "caf\xc3\xa9", "\xe2\x80\xa8",
                                       "\xf4\x8f\xbf\xbf"};
    static const char *const bad[] = {"caf\xe9",
                                      "\xc0\xaf",
                                      "\xe0\x80\xaf",
                                      "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80",
                                      "\xf8\x88\x80\x80\x80",
                                      "\xe2\x80",
                                      "\x80",
                                      "\xff"};
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(eksauth_utf8_valid(good[i], strlen(good[i])));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (eksauth_utf8_valid(bad[i], strlen(bad[i])))
            fail_msg("bad[%zu] taken for UTF-8", i);
    /* By length: a sequence cut at the end is not whole. */
    assert_false(eksauth_utf8_valid("\xc3\xa9", 1));
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_kept), cmocka_unit_test(test_replaced),
                  cmocka_unit_test(test_invisible_replaced), cmocka_unit_test(test_short_buffer),
                  cmocka_unit_test(test_visible_ascii), cmocka_unit_test(test_log_value),
                  cmocka_unit_test(test_log_value_short), cmocka_unit_test(test_utf8_valid))
