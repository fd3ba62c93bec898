/*
 * array.h - room in a growing array: the users and groups of a plan or a
 * DB builder, and the strings of a list, grow by doubling (n elements cost
 * log n reallocations, not n), or all at once when the caller knows how
 * many are coming.
 */
#ifndef EKSAUTH_ARRAY_H
#define EKSAUTH_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Room for n_more elements of size bytes after the n_used of *array, whose
 * allocated length is *cap: the array is kept when it has it, else grown to
 * the larger of twice *cap (16 at first) and what is asked.  False, with
 * the array unchanged, when memory is short or the size would wrap.
 */
bool eksauth_array_reserve(void **array, size_t *cap, size_t n_used, size_t n_more, size_t size);

#endif
