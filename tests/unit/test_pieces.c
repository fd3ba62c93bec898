/*
 * test_pieces.c - the token-piece protocol of pam_eksauth
 * (lib/pieces.c): reassembly, blanks, the 4096-byte and 16-piece
 * limits, NUL bytes, answers after the end, the lengths at which
 * clients cut answers, and the OpenSSH versions that write "(user@host) ".
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/pieces.h"
#include "unit.h"

static struct eksauth_pieces P;

static void fill(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
}

static enum eksauth_pieces_result add(const char *s)
{
    return eksauth_pieces_add(&P, s, strlen(s));
}

static void one_answer(void **state)
{
    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add("k8s-aws-v1.abc"), EKSAUTH_PIECES_DONE);
    assert_string_equal(P.buf, "k8s-aws-v1.abc");
    assert_int_equal(P.len, 14);
    assert_int_equal(P.n, 1);
    assert_false(P.client_cut);
}

static void blanks_are_dropped(void **state)
{
    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add("  k8s-aws-v1.ab\\\r\n"), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("\tcd \\ "), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("ef\n"), EKSAUTH_PIECES_DONE);
    assert_string_equal(P.buf, "k8s-aws-v1.abcdef");
}

/* The one blank rule, eksauth verify's too (tools/cli_host.c): these four, no other. */
static void the_blanks(void **state)
{
    (void)state;
    assert_true(eksauth_pieces_is_blank(' '));
    assert_true(eksauth_pieces_is_blank('\t'));
    assert_true(eksauth_pieces_is_blank('\r'));
    assert_true(eksauth_pieces_is_blank('\n'));
    assert_false(eksauth_pieces_is_blank('\v'));
    assert_false(eksauth_pieces_is_blank('\f'));
    assert_false(eksauth_pieces_is_blank('\0'));
    assert_false(eksauth_pieces_is_blank(EKSAUTH_PIECE_MORE));
    assert_false(eksauth_pieces_is_blank('k'));
    assert_false(eksauth_pieces_is_blank((char)0xa0));
}

static void four_pieces(void **state)
{
    const char *tok = "k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9uPUdldA";
    char piece[64];
    size_t len = strlen(tok), q = len / 4, i;

    (void)state;
    eksauth_pieces_init(&P);
    for (i = 0; i < 4; i++) {
        size_t n = i < 3 ? q : len - 3 * q;

        memcpy(piece, tok + i * q, n);
        piece[n] = '\0';
        if (i < 3) {
            strcat(piece, "\\");
            assert_int_equal(add(piece), EKSAUTH_PIECES_MORE);
        } else {
            assert_int_equal(add(piece), EKSAUTH_PIECES_DONE);
        }
    }
    assert_string_equal(P.buf, tok);
    assert_int_equal(P.n, 4);
}

static void limit_4096(void **state)
{
    char *big = malloc(EKSAUTH_TOKEN_MAX_LEN + 2);

    (void)state;
    assert_non_null(big);
    fill(big, EKSAUTH_TOKEN_MAX_LEN, 'a');
    eksauth_pieces_init(&P);
    assert_int_equal(add(big), EKSAUTH_PIECES_DONE);
    assert_int_equal(P.len, EKSAUTH_TOKEN_MAX_LEN);

    fill(big, EKSAUTH_TOKEN_MAX_LEN + 1, 'a');
    eksauth_pieces_init(&P);
    assert_int_equal(add(big), EKSAUTH_PIECES_TOO_LONG);
    assert_int_equal(P.len, 0);
    assert_int_equal(P.buf[0], '\0');

    /* 4096 in pieces, then one byte more. */
    eksauth_pieces_init(&P);
    fill(big, 2048, 'b');
    big[2048] = '\\';
    big[2049] = '\0';
    assert_int_equal(add(big), EKSAUTH_PIECES_MORE);
    assert_int_equal(add(big), EKSAUTH_PIECES_MORE);
    assert_int_equal(P.len, 4096);
    assert_int_equal(add("c"), EKSAUTH_PIECES_TOO_LONG);
    assert_int_equal(P.len, 0);
    /* An empty final answer after 4096 bytes is fine. */
    eksauth_pieces_init(&P);
    assert_int_equal(add(big), EKSAUTH_PIECES_MORE);
    assert_int_equal(add(big), EKSAUTH_PIECES_MORE);
    assert_int_equal(add(""), EKSAUTH_PIECES_DONE);
    assert_int_equal(P.len, 4096);
    free(big);
}

static void limit_16(void **state)
{
    unsigned i;

    (void)state;
    eksauth_pieces_init(&P);
    for (i = 0; i < EKSAUTH_PIECES_MAX - 1; i++)
        assert_int_equal(add("ab\\"), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("z"), EKSAUTH_PIECES_DONE);
    assert_int_equal(P.len, 2 * (EKSAUTH_PIECES_MAX - 1) + 1);

    eksauth_pieces_init(&P);
    for (i = 0; i < EKSAUTH_PIECES_MAX - 1; i++)
        assert_int_equal(add("ab\\"), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("ab\\"), EKSAUTH_PIECES_TOO_MANY);
    assert_int_equal(P.len, 0);
    assert_int_equal(P.buf[0], '\0');
}

static void nul_byte(void **state)
{
    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add("abc\\"), EKSAUTH_PIECES_MORE);
    assert_int_equal(eksauth_pieces_add(&P, "de\0f", 4), EKSAUTH_PIECES_BAD);
    assert_int_equal(P.len, 0);
    assert_int_equal(P.buf[0], '\0');
}

static void nothing_after_the_end(void **state)
{
    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add("abc"), EKSAUTH_PIECES_DONE);
    assert_int_equal(add("def"), EKSAUTH_PIECES_BAD);
    assert_int_equal(P.len, 0);
    /* After an error too. */
    eksauth_pieces_init(&P);
    assert_int_equal(eksauth_pieces_add(&P, "\0", 1), EKSAUTH_PIECES_BAD);
    assert_int_equal(add("abc"), EKSAUTH_PIECES_BAD);
}

static void not_nul_terminated(void **state)
{
    char buf[8] = {'a', 'b', 'c', '\\', 'X', 'X', 'X', 'X'};

    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(eksauth_pieces_add(&P, buf, 4), EKSAUTH_PIECES_MORE);
    assert_int_equal(eksauth_pieces_add(&P, buf, 3), EKSAUTH_PIECES_DONE);
    assert_string_equal(P.buf, "abcabc");
}

static void empty_and_backslash_only(void **state)
{
    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add(""), EKSAUTH_PIECES_DONE);
    assert_int_equal(P.len, 0);
    eksauth_pieces_init(&P);
    assert_int_equal(add("\\"), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("   \n"), EKSAUTH_PIECES_DONE);
    assert_int_equal(P.len, 0);
    assert_int_equal(P.n, 2);
    /* Only the last '\' is the marker. */
    eksauth_pieces_init(&P);
    assert_int_equal(add("a\\\\"), EKSAUTH_PIECES_MORE);
    assert_int_equal(add("b"), EKSAUTH_PIECES_DONE);
    assert_string_equal(P.buf, "a\\b");
}

static void client_cut_lengths(void **state)
{
    char buf[1100];

    (void)state;
    assert_true(eksauth_pieces_cut_length(1023));
    assert_true(eksauth_pieces_cut_length(511));
    assert_false(eksauth_pieces_cut_length(1024));
    assert_false(eksauth_pieces_cut_length(510));
    assert_false(eksauth_pieces_cut_length(500));

    fill(buf, 1023, 'x');
    eksauth_pieces_init(&P);
    assert_int_equal(add(buf), EKSAUTH_PIECES_DONE);
    assert_true(P.client_cut);
    assert_int_equal(P.cut_len, 1023);

    fill(buf, 511, 'x');
    eksauth_pieces_init(&P);
    assert_int_equal(add(buf), EKSAUTH_PIECES_DONE);
    assert_true(P.client_cut);
    assert_int_equal(P.cut_len, 511);

    fill(buf, 1022, 'x');
    eksauth_pieces_init(&P);
    assert_int_equal(add(buf), EKSAUTH_PIECES_DONE);
    assert_false(P.client_cut);
}

static void wipe(void **state)
{
    size_t i;

    (void)state;
    eksauth_pieces_init(&P);
    assert_int_equal(add("secret"), EKSAUTH_PIECES_DONE);
    eksauth_pieces_wipe(&P);
    for (i = 0; i < sizeof(P.buf); i++)
        assert_int_equal(P.buf[i], 0);
    assert_int_equal(P.len, 0);
    assert_int_equal(P.n, 0);
    assert_false(P.done);
}

static void result_names(void **state)
{
    (void)state;
    assert_string_equal(eksauth_pieces_result_name(EKSAUTH_PIECES_TOO_LONG),
                        "token longer than 4096 bytes");
    assert_string_equal(eksauth_pieces_result_name(EKSAUTH_PIECES_TOO_MANY), "more than 16 pieces");
    assert_non_null(eksauth_pieces_result_name(EKSAUTH_PIECES_BAD));
    assert_non_null(eksauth_pieces_result_name((enum eksauth_pieces_result)99));
}

/* ssh's "(user@host) " is ssh's own from OpenSSH 8.5 on; before, the server writes it. */
static void openssh_prefix_versions(void **state)
{
    (void)state;
    assert_true(eksauth_openssh_writes_prefix("OpenSSH_8.5p1, OpenSSL 1.1.1k  25 Mar 2021"));
    assert_true(eksauth_openssh_writes_prefix(
        "OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.22 25 Aug 2026\n"));
    assert_true(eksauth_openssh_writes_prefix("OpenSSH_10.0p2, LibreSSL 3.3.6"));
    assert_true(eksauth_openssh_writes_prefix("OpenSSH_8.10"));
    /* Debian 11, Ubuntu 20.04, RHEL 8, Amazon Linux 2, macOS 11: the prompt comes bare. */
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_8.4p1 Debian-5+deb11u3, OpenSSL 1.1.1w"));
    assert_false(eksauth_openssh_writes_prefix(
        "OpenSSH_8.2p1 Ubuntu-4ubuntu0.11, OpenSSL 1.1.1f  31 Mar 2020"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_8.0p1, OpenSSL 1.1.1k  FIPS 25 Mar 2021"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_7.4p1, OpenSSL 1.0.2k-fips  26 Jan 2017"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_8.3"));
    /* Not OpenSSH, or not a version: never taken for one that writes it. */
    assert_false(eksauth_openssh_writes_prefix("Dropbear v2022.83"));
    assert_false(eksauth_openssh_writes_prefix("bash: -V: invalid option"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_9"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_9."));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_x.4"));
    assert_false(eksauth_openssh_writes_prefix("OpenSSH_99999999999999999999.1"));
    assert_false(eksauth_openssh_writes_prefix(" OpenSSH_9.2p1"));
    assert_false(eksauth_openssh_writes_prefix(""));
    assert_false(eksauth_openssh_writes_prefix(NULL));
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(one_answer), cmocka_unit_test(blanks_are_dropped),
                  cmocka_unit_test(the_blanks), cmocka_unit_test(four_pieces),
                  cmocka_unit_test(limit_4096), cmocka_unit_test(limit_16),
                  cmocka_unit_test(nul_byte), cmocka_unit_test(nothing_after_the_end),
                  cmocka_unit_test(not_nul_terminated), cmocka_unit_test(empty_and_backslash_only),
                  cmocka_unit_test(client_cut_lengths), cmocka_unit_test(wipe),
                  cmocka_unit_test(result_names), cmocka_unit_test(openssh_prefix_versions))
