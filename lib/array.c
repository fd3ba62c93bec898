/*
 * array.c - room in a growing array (see array.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "eksauth/array.h"

bool eksauth_array_reserve(void **array, size_t *cap, size_t n_used, size_t n_more, size_t size)
{
    size_t want, doubled;
    void *grown;

    if (n_used <= *cap && n_more <= *cap - n_used)
        return true;
    /* No length or byte count that wraps: n_used + n_more elements must fit in size_t bytes. */
    if (size == 0 || n_more > SIZE_MAX / size - n_used)
        return false;
    want = n_used + n_more;
    doubled = *cap > 0 ? *cap * 2 : 16;
    if (doubled > want && doubled <= SIZE_MAX / size)
        want = doubled;
    grown = realloc(*array, want * size);
    if (grown == NULL)
        return false;
    *array = grown;
    *cap = want;
    return true;
}
