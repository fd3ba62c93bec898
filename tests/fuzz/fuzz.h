/*
 * fuzz.h - shared by the libFuzzer targets of tests/fuzz/.
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput.  The same file is built two
 * ways: with clang -fsanitize=fuzzer,address,undefined by tests/fuzz/build.sh
 * (make fuzz), and with the project's compiler against replay_main.c (make
 * check), which replays the committed corpus and reproducers, so a kept
 * reproducer runs in every CI tree, sanitised or not.
 *
 * FUZZ_ASSERT states a property the code under test promises (not just "no
 * crash"): a broken promise aborts, and libFuzzer keeps the input.
 */
#ifndef EKSAUTH_FUZZ_H
#define EKSAUTH_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property broken: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/*
 * The clock of the token targets: 2026-01-01T00:05:00Z, five minutes after
 * the seed tokens were signed (tests/fuzz/mkseeds.sh mints them at
 * 2026-01-01T00:00:00Z), so a mutated token can pass every rule.
 */
#define FUZZ_NOW    1767225900
#define FUZZ_SIGNED 1767225600

/* An exact-size heap copy (NUL-terminated one past the end): ASan sees any over-read. */
static inline char *fuzz_dup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

/*
 * An error message goes to syslog and stderr as one line: it must be
 * non-empty, NUL-terminated inside its buffer and free of control bytes
 * (a newline from hostile input would forge a second log line).
 */
static inline void fuzz_check_message(const char *msg)
{
    size_t i;

    FUZZ_ASSERT(msg[0] != '\0');
    for (i = 0; msg[i] != '\0'; i++) {
        FUZZ_ASSERT(i < 512);
        FUZZ_ASSERT((unsigned char)msg[i] >= 0x20 && (unsigned char)msg[i] != 0x7f);
    }
}

/*
 * A refusal quotes no secret.  But a message may hold a secret's text as
 * its own words (a secret key whose value is "aws_access_key_id", refused
 * for the key it lacks), so a secret found in a refusal is judged by a
 * second reading: the same input with each letter and digit of the secret
 * shifted by one (a to b, z to a, 9 to 0: the canary; other bytes kept, so
 * it stays as well- or ill-formed).  Words of the message are in both
 * refusals; a quoted secret changes with it.  So the secret was quoted, in
 * part or whole, when a piece of the canary is in the second refusal but
 * not in the first, or the secret is in the first and not in the second.
 * When the canary is not refused, or the two refusals took different paths
 * (fuzz_same_path), its letters decided: nothing is judged.
 */
#define FUZZ_CANARY_PIECE 12

/* One byte of the canary: a letter or digit shifted by one (z to a, 9 to 0), others kept. */
static inline char fuzz_canary_byte(char b)
{
    if (b >= '0' && b <= '9')
        return b == '9' ? '0' : (char)(b + 1);
    if (b >= 'a' && b <= 'z')
        return b == 'z' ? 'a' : (char)(b + 1);
    if (b >= 'A' && b <= 'Z')
        return b == 'Z' ? 'A' : (char)(b + 1);
    return b;
}

/* The canary of secret[0, n) into canary[n + 1]; false when it has no letter or digit. */
static inline bool fuzz_canary(const char *secret, size_t n, char *canary)
{
    bool changed = false;

    for (size_t i = 0; i < n; i++) {
        canary[i] = fuzz_canary_byte(secret[i]);
        changed |= canary[i] != secret[i];
    }
    canary[n] = '\0';
    return changed;
}

/*
 * Whether the two refusals took one path: the same length, and where they
 * differ, the second holds the canary of the first's byte (text quoted
 * from the input's changed bytes).  Else the secret's text decided the
 * path (a value that holds an option's name, "_profile"), and what either
 * quotes is no evidence either way: nothing is judged.
 */
static inline bool fuzz_same_path(const char *msg, const char *canary_msg)
{
    size_t n = strlen(msg);

    if (strlen(canary_msg) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (msg[i] != canary_msg[i] && canary_msg[i] != fuzz_canary_byte(msg[i]))
            return false;
    }
    return true;
}

/* Whether a piece of s (every FUZZ_CANARY_PIECE bytes, starting each half that) is in a, not b. */
static inline bool fuzz_piece_only_in(const char *s, const char *a, const char *b)
{
    size_t n = strlen(s), w = n < FUZZ_CANARY_PIECE ? n : FUZZ_CANARY_PIECE;
    char piece[FUZZ_CANARY_PIECE + 1];

    for (size_t at = 0;; at += FUZZ_CANARY_PIECE / 2) {
        if (at + w > n)
            at = n - w; /* the last piece ends where s does */
        memcpy(piece, s + at, w);
        piece[w] = '\0';
        if (strstr(a, piece) != NULL && strstr(b, piece) == NULL)
            return true;
        if (at + w == n)
            return false;
    }
}

/*
 * Whether secret[0, n) is in text[0, len) once only.  A second copy (a
 * profile's name, another field) is other text the canary leaves as it was:
 * a message quoting that copy, which the changed reading may no longer
 * reach, would read as the secret quoted.  Such a secret is not judged.
 */
static inline bool fuzz_occurs_once(const char *text, size_t len, const char *secret, size_t n)
{
    const char *at = memmem(text, len, secret, n);

    return at != NULL && memmem(at + 1, len - (size_t)(at + 1 - text), secret, n) == NULL;
}

/* msg: the first refusal; canary_msg: the second reading's, when it was refused too. */
static inline void fuzz_check_secret_kept(const char *msg, const char *secret, const char *canary,
                                          bool canary_refused, const char *canary_msg)
{
    if (!canary_refused || !fuzz_same_path(msg, canary_msg))
        return;
    FUZZ_ASSERT(!fuzz_piece_only_in(canary, canary_msg, msg));
    FUZZ_ASSERT(strstr(msg, secret) == NULL || strstr(canary_msg, secret) != NULL);
}

#endif
