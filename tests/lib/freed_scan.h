/*
 * freed_scan.h - whether a secret was left in heap memory that was freed
 * without being wiped.  A test program built with tests/lib/freed_scan.c
 * (mk/tests.am: FREED_SCAN) has its free() in place of the C library's,
 * for every library it loads (json-c, libcurl, OpenSSL, lib/): while
 * armed, each block is searched for the armed bytes before it is handed
 * back, and the blocks that still held them are counted (a block realloc
 * moves is freed inside the C library: not seen).  For the tests of
 * SECURITY.md, invariant 2 ("wipe buffers that held one").
 */
#ifndef EKSAUTH_TEST_FREED_SCAN_H
#define EKSAUTH_TEST_FREED_SCAN_H

#include <stddef.h>

/* Search every block freed from now on for secret[0..len) (a copy is kept); counts reset. */
void freed_scan_arm(const char *secret, size_t len);

/* Stop searching; the number of freed blocks that held the secret since freed_scan_arm. */
unsigned long freed_scan_disarm(void);

#endif
