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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

#endif
