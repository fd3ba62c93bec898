/*
 * fixture_file.c - the unit tests' fixtures (see fixture_file.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fixture_file.h"

char *fixture_read(const char *name, size_t *len)
{
    const char *dir = getenv("FIXTURES");
    char path[4096];
    FILE *f;
    char *buf;
    long n;

    if (dir == NULL)
        fail_msg("FIXTURES is not set (make check sets it to tests/fixtures)");
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}
