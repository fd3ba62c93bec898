/*
 * smaps.h - one field of this process's mapping of a file, from
 * /proc/self/smaps: what the kernel made of the advice a reader gave
 * (VmFlags) and how it maps the pages (FilePmdMapped).
 */
#ifndef EKSAUTH_TEST_SMAPS_H
#define EKSAUTH_TEST_SMAPS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The text after "field:" (leading blanks and the newline dropped) in the
 * entry of the first mapping of exactly path, into out (cut to outlen);
 * false when path is not mapped or has no such field.
 */
bool smaps_field(const char *path, const char *field, char *out, size_t outlen);

#endif
