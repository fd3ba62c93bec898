/*
 * turkish_locale.c - a test under tr_TR.ISO-8859-9 (see turkish_locale.h).
 */
#include "config.h"

#include <ctype.h>
#include <locale.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "scratch.h"
#include "turkish_locale.h"

#define LOCALE_NAME "tr_TR.ISO-8859-9"

extern char **environ;

void turkish_locale_enter(char *dir, size_t dirlen)
{
    char target[128];
    char *argv[] = {"localedef", "-i", "tr_TR", "-f", "ISO-8859-9", target, NULL};
    pid_t pid;
    int status = 0;

    scratch_make(dir, dirlen, "locale");
    assert_true((size_t)snprintf(target, sizeof(target), "%s/%s", dir, LOCALE_NAME) <
                sizeof(target));
    if (posix_spawnp(&pid, "localedef", NULL, NULL, argv, environ) != 0 ||
        waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("localedef -i tr_TR -f ISO-8859-9 failed (status %d): the locales package "
                 "(scripts/install-deps) holds its sources",
                 status);
    assert_int_equal(setenv("LOCPATH", dir, 1), 0);
    if (setlocale(LC_ALL, LOCALE_NAME) == NULL)
        fail_msg("setlocale(LC_ALL, %s) with LOCPATH=%s failed", LOCALE_NAME, dir);
    /* The locale is what this test needs only if the C library's rules differ in it. */
    assert_int_equal(tolower('I'), 0xFD);
}

void turkish_locale_leave(const char *dir)
{
    assert_non_null(setlocale(LC_ALL, "C"));
    assert_int_equal(unsetenv("LOCPATH"), 0);
    scratch_remove(dir);
}
