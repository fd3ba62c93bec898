/*
 * scratch.h - a test's throwaway folder: made fresh as
 * /tmp/eksauth-test-NAME.XXXXXX, removed with all it holds.  The test fails
 * when either cannot be done.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_SCRATCH_H
#define EKSAUTH_TEST_SCRATCH_H

#include <stddef.h>

/* A new empty folder for name into dir (dirlen bytes, 64 are enough). */
void scratch_make(char *dir, size_t dirlen, const char *name);

/* dir and everything below it, whatever the modes (links are removed, not followed). */
void scratch_remove(const char *dir);

#endif
