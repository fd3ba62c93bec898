/*
 * test_base64url.c - strict base64url without padding: RFC 4648 vectors,
 * the url alphabet, and every refusal (padding, CR/LF, foreign bytes, a
 * length of 1 mod 4, non-canonical trailing bits, a short buffer).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/base64url.h"
#include "unit.h"

static const struct {
    const char *plain, *encoded;
} vectors[] = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors(void **state)
{
    unsigned char out[32];
    char enc[32];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        n = eksauth_b64url_encode((const unsigned char *)vectors[i].plain, strlen(vectors[i].plain),
                                  enc, sizeof(enc));
        assert_int_equal(n, strlen(vectors[i].encoded));
        assert_string_equal(enc, vectors[i].encoded);
        assert_int_equal(eksauth_b64url_decode(vectors[i].encoded, strlen(vectors[i].encoded), out,
                                               sizeof(out), &n, NULL),
                         EKSAUTH_OK);
        assert_int_equal(n, strlen(vectors[i].plain));
        /* NUL-terminated when there is room. */
        assert_string_equal((char *)out, vectors[i].plain);
    }
}

static void test_url_alphabet(void **state)
{
    static const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    unsigned char out[8];
    char enc[8];
    size_t n;

    (void)state;
    /* 0xfb 0xff 0xbf is "+/+/" in standard base64, "-_-_" in base64url. */
    assert_int_equal(eksauth_b64url_encode(bytes, 3, enc, sizeof(enc)), 4);
    assert_string_equal(enc, "-_-_");
    assert_int_equal(eksauth_b64url_decode("-_-_", 4, out, sizeof(out), &n, NULL), EKSAUTH_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, bytes, 3);
}

static void assert_refused(const char *in, size_t len, const char *what)
{
    struct eksauth_error err;
    unsigned char out[64];
    size_t n = 999;

    memset(&err, 0, sizeof(err));
    assert_int_equal(eksauth_b64url_decode(in, len, out, sizeof(out), &n, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, what) == NULL)
        fail_msg("want \"%s\" in \"%s\"", what, err.msg);
    assert_int_equal(n, 999);
}

static void test_refusals(void **state)
{
    (void)state;
    assert_refused("Zg==", 4, "'=' padding at offset 2");
    assert_refused("Zm8=", 4, "'=' padding at offset 3");
    assert_refused("Zm9v\nYmFy", 9, "line break at offset 4");
    assert_refused("Zm9v\r\nYmFy", 10, "line break at offset 4");
    assert_refused("Zm9v+mFy", 8, "invalid character at offset 4");
    assert_refused("Zm9v/mFy", 8, "invalid character at offset 4");
    assert_refused("Zm9v mFy", 8, "invalid character at offset 4");
    assert_refused("Zm9v\0mFy", 8, "invalid character at offset 4");
    assert_refused("Zm9v\xc3mFy", 8, "invalid character at offset 4");
    assert_refused("Zm9vY", 5, "one more than a multiple of 4");
    assert_refused("Z", 1, "one more than a multiple of 4");
}

static void test_non_canonical_trailing_bits(void **state)
{
    unsigned char out[8];
    size_t n;

    (void)state;
    /* "f" is "Zg"; "Zh".."Zv" carry the same byte with stray low bits. */
    assert_refused("Zh", 2, "non-canonical");
    assert_refused("Zv", 2, "non-canonical");
    /* "fo" is "Zm8"; "Zm9" sets a stray bit. */
    assert_refused("Zm9", 3, "non-canonical");
    assert_refused("Zm9vYmF", 7, "non-canonical");
    assert_int_equal(eksauth_b64url_decode("Zg", 2, out, sizeof(out), &n, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_b64url_decode("Zm8", 3, out, sizeof(out), &n, NULL), EKSAUTH_OK);
}

static void test_buffer_sizes(void **state)
{
    unsigned char out[6];
    char enc[8];
    size_t n;

    (void)state;
    /* Exactly the decoded size: no room for the NUL, still fine. */
    assert_int_equal(eksauth_b64url_decode("Zm9vYmFy", 8, out, 6, &n, NULL), EKSAUTH_OK);
    assert_memory_equal(out, "foobar", 6);
    assert_int_equal(eksauth_b64url_decode("Zm9vYmFy", 8, out, 5, &n, NULL), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_b64url_decode("Zm9vYmFy", 8, NULL, 0, &n, NULL), EKSAUTH_EINVAL);
    assert_true(EKSAUTH_B64URL_DECODED_MAX(8) >= 6);
    assert_true(EKSAUTH_B64URL_DECODED_MAX(7) >= 5);
    /* The encoder wants room for the NUL, else writes nothing. */
    assert_int_equal(eksauth_b64url_encode((const unsigned char *)"foobar", 6, enc, 8), 0);
    assert_string_equal(enc, "");
    assert_int_equal(eksauth_b64url_encode((const unsigned char *)"foob", 4, enc, 7), 6);
    assert_string_equal(enc, "Zm9vYg");
    assert_int_equal(eksauth_b64url_encode((const unsigned char *)"foob", 4, enc, 6), 0);
}

/* Pseudo-random bytes of every length up to 300: encode, decode, same bytes. */
static void test_round_trip(void **state)
{
    unsigned char in[300], out[EKSAUTH_B64URL_DECODED_MAX(400)];
    char enc[401];
    uint32_t x = 2463534242u;
    size_t len, i, n, elen;

    (void)state;
    for (len = 0; len <= sizeof(in); len++) {
        for (i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            in[i] = (unsigned char)x;
        }
        elen = eksauth_b64url_encode(in, len, enc, sizeof(enc));
        assert_int_equal(elen, (len * 4 + 2) / 3);
        assert_null(memchr(enc, '=', elen));
        assert_int_equal(eksauth_b64url_decode(enc, elen, out, sizeof(out), &n, NULL), EKSAUTH_OK);
        assert_int_equal(n, len);
        assert_memory_equal(out, in, len);
    }
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_rfc4648_vectors), cmocka_unit_test(test_url_alphabet),
                  cmocka_unit_test(test_refusals),
                  cmocka_unit_test(test_non_canonical_trailing_bits),
                  cmocka_unit_test(test_buffer_sizes), cmocka_unit_test(test_round_trip))
