/*
 * arena.h - bump allocation in 64 KiB chunks, freed all at once: the many
 * small strings of one parsed aws-auth (awsauth_read.h) live and die
 * together, so one free releases them and lookups touch few pages.
 */
#ifndef EKSAUTH_ARENA_H
#define EKSAUTH_ARENA_H

#include <stddef.h>

struct eksauth_arena_chunk;

struct eksauth_arena {
    struct eksauth_arena_chunk *head; /* NULL: empty */
};

/* n bytes aligned for a pointer, or NULL (no memory, or n too large). */
void *eksauth_arena_alloc(struct eksauth_arena *a, size_t n);

/* A NUL-terminated copy of s[0..n), or NULL. */
char *eksauth_arena_strndup(struct eksauth_arena *a, const char *s, size_t n);

/* Release every chunk; the arena is empty and reusable after. */
void eksauth_arena_free(struct eksauth_arena *a);

#endif
