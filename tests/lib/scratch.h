/*
 * scratch.h - a test's throwaway folder: made fresh as
 * /tmp/eksauth-test-NAME.XXXXXX, removed with all it holds (and, should a
 * failed assertion skip that, when the test program ends).  The test fails
 * when either cannot be done.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_SCRATCH_H
#define EKSAUTH_TEST_SCRATCH_H

#include <stddef.h>

/* A new empty folder for name into dir (dirlen bytes, 64 are enough). */
void scratch_make(char *dir, size_t dirlen, const char *name);

/* dir and everything below it, whatever the modes (links are removed, not followed). */
void scratch_remove(const char *dir);

/* A test's state: a new folder for name, and the path of file in it (not made). */
struct scratch {
    char dir[64];
    char path[128]; /* dir/file */
};

struct scratch *scratch_new(const char *name, const char *file);
void scratch_free(struct scratch *s); /* the folder too */

#endif
