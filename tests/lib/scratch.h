/*
 * scratch.h - a test's throwaway folder: made fresh as
 * $TMPDIR/eksauth-test-NAME.XXXXXX (/tmp when TMPDIR is unset or not an
 * absolute path), removed with all it holds (and, should a failed
 * assertion skip that, when the test program ends).  The test fails when
 * either cannot be done, and when TMPDIR is too long for the folder's
 * name to fit SCRATCH_DIR_MAX bytes (it says so, naming TMPDIR).
 * Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_SCRATCH_H
#define EKSAUTH_TEST_SCRATCH_H

#include <stddef.h>

/*
 * The bytes a scratch folder's name may take, its NUL included.  The tests
 * size the paths they make in it (and compare messages that quote them,
 * which lib/ cuts at EKSAUTH_ERROR_MAX) for this much: a TMPDIR of about 28
 * bytes fits every test's folder name.
 */
#define SCRATCH_DIR_MAX 64

/* Where scratch folders are made: $TMPDIR when it is an absolute path, else /tmp. */
const char *scratch_base(void);

/* A new empty folder for name into dir (dirlen bytes: SCRATCH_DIR_MAX). */
void scratch_make(char *dir, size_t dirlen, const char *name);

/* dir and everything below it, whatever the modes (links are removed, not followed). */
void scratch_remove(const char *dir);

/* A test's state: a new folder for name, and the path of file in it (not made). */
struct scratch {
    char dir[SCRATCH_DIR_MAX];
    char path[2 * SCRATCH_DIR_MAX]; /* dir/file */
};

struct scratch *scratch_new(const char *name, const char *file);
void scratch_free(struct scratch *s); /* the folder too */

#endif
