/*
 * fixture_file.h - the unit tests' fixtures (tests/fixtures/, named by the
 * FIXTURES environment variable that make check sets).
 */
#ifndef EKSAUTH_TEST_FIXTURE_FILE_H
#define EKSAUTH_TEST_FIXTURE_FILE_H

#include <stddef.h>

/* The whole fixture `name`, NUL-terminated (free it); the test fails when it cannot be read. */
char *fixture_read(const char *name, size_t *len);

#endif
