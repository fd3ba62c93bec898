/*
 * arena.c - bump allocation in chunks, freed all at once (see arena.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/arena.h"

#define ARENA_CHUNK ((size_t)64 * 1024)
#define ARENA_ALIGN sizeof(void *)

struct eksauth_arena_chunk {
    struct eksauth_arena_chunk *next;
    size_t size, used;
    /* size bytes follow, aligned for a pointer (the header is 3 words) */
};

_Static_assert(sizeof(struct eksauth_arena_chunk) % ARENA_ALIGN == 0,
               "chunk data must stay aligned");

void *eksauth_arena_alloc(struct eksauth_arena *a, size_t n)
{
    struct eksauth_arena_chunk *c = a->head;
    size_t need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1), size;
    void *p;

    if (need < n || need > SIZE_MAX - sizeof(*c))
        return NULL; /* n so large that the sizes would wrap */
    if (c == NULL || c->size - c->used < need) {
        size = need > ARENA_CHUNK ? need : ARENA_CHUNK;
        c = malloc(sizeof(*c) + size);
        if (c == NULL)
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    p = (char *)(c + 1) + c->used;
    c->used += need;
    return p;
}

char *eksauth_arena_strndup(struct eksauth_arena *a, const char *s, size_t n)
{
    char *p = eksauth_arena_alloc(a, n + 1);

    if (p != NULL) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void eksauth_arena_free(struct eksauth_arena *a)
{
    struct eksauth_arena_chunk *c, *next;

    for (c = a->head; c != NULL; c = next) {
        next = c->next;
        free(c);
    }
    a->head = NULL;
}
