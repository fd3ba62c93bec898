/*
 * tmpdir.h - a private temp folder for the unit tests that write files,
 * made before a group of tests and removed after it (cmocka group setup
 * and teardown).
 */
#ifndef EKSAUTH_TEST_TMPDIR_H
#define EKSAUTH_TEST_TMPDIR_H

/* The folder of the running group ("" before tmpdir_setup). */
extern char tmpdir[256];

/*
 * cmocka group setup: a new eksauth-test.XXXXXX in $TMPDIR (scratch_base,
 * tests/lib/scratch.h), failing with a message when TMPDIR is too long
 * for a test folder's name (SCRATCH_DIR_MAX); teardown: remove it, whole.
 */
int tmpdir_setup(void **state);
int tmpdir_teardown(void **state);

#endif
