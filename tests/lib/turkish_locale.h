/*
 * turkish_locale.h - run a test under tr_TR.ISO-8859-9, the locale where the
 * C library's case rules differ from ASCII's: tolower('I') is the dotless
 * i (0xFD) and strcasecmp("I", "i") is not 0.  A comparison of ARNs or host
 * names made with those rules instead of include/eksauth/ascii.h's goes
 * wrong there; a PAM host (sudo, su) runs in the user's locale.  The locale
 * is compiled with localedef(1) into a scratch folder (LOCPATH), so no
 * system locale is needed, only the locales package's sources.  The test
 * fails when it cannot be made.  Include after <cmocka.h>.
 */
#ifndef EKSAUTH_TEST_TURKISH_LOCALE_H
#define EKSAUTH_TEST_TURKISH_LOCALE_H

#include <stddef.h>

/* Compile the locale into a new scratch folder (dir, SCRATCH_DIR_MAX bytes) and switch LC_ALL to
 * it. */
void turkish_locale_enter(char *dir, size_t dirlen);

/* Back to the C locale; dir removed. */
void turkish_locale_leave(const char *dir);

#endif
