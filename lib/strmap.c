/*
 * strmap.c - a string -> index hash table over the caller's array (see
 * strmap.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "eksauth/names.h"
#include "eksauth/strmap.h"

#define MIN_SLOTS 16

/*
 * The key's hash under the map's seed, 8 bytes a step (FNV-1a, a byte a
 * step, was most of a lookup's instructions for an ARN).  Only this
 * process sees it: no file or id depends on it, and no caller walks the
 * slots, so the seed changes no result, only where keys sit.
 */
static uint64_t key_hash(uint64_t seed, const char *key)
{
    size_t n = strlen(key);
    uint64_t h = EKSAUTH_FNV1A64_INIT ^ seed ^ n, w;

    /*
     * Two multiplies a word: after one, a difference in a word's top bit
     * stays that one bit, which the next word's bytes could cancel whatever
     * the seed; the second spreads it by carries that depend on the seed.
     */
    for (; n >= 8; key += 8, n -= 8) {
        memcpy(&w, key, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 32;
        h *= 0xd6e8feb86659fd93ull;
    }
    w = 0;
    memcpy(&w, key, n);
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    /* murmur3's finaliser: every bit reaches the low ones, which pick the slot */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* The slot holding key (hash h, its low 32 bits), or the empty slot where it would go. */
static struct eksauth_strmap_slot *find(const struct eksauth_strmap *m, const char *key, uint32_t h)
{
    struct eksauth_strmap_slot *s;
    size_t i;

    /* Never full (put keeps it at most half full), so an empty slot ends every probe. */
    for (i = (size_t)h & m->mask;; i = (i + 1) & m->mask) {
        s = &m->slots[i];
        if (s->index1 == 0 || (s->hash == h && strcmp(m->key_at(m->ctx, s->index1 - 1), key) == 0))
            return s;
    }
}

static enum eksauth_status alloc_slots(struct eksauth_strmap *m, size_t n,
                                       struct eksauth_error *err)
{
    size_t size = MIN_SLOTS;

    while (size < 2 * n)
        size *= 2;
    m->slots = calloc(size, sizeof(*m->slots));
    if (m->slots == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    m->mask = size - 1;
    m->used = 0;
    return EKSAUTH_OK;
}

uint64_t eksauth_strmap_seed(const void *where)
{
    /*
     * The core does no I/O and keeps no global state (mk/library.am), so
     * the seed is where this code was loaded and where the caller's memory
     * sits (ASLR), mixed (splitmix64's finaliser): no host's seed is known
     * beforehand, and no answer shows a hash.
     */
    uint64_t s = (uint64_t)(uintptr_t)where * 0x9e3779b97f4a7c15ull;

    s ^= (uint64_t)(uintptr_t)&key_hash << 17;
    s ^= s >> 30;
    s *= 0xbf58476d1ce4e5b9ull;
    s ^= s >> 27;
    s *= 0x94d049bb133111ebull;
    s ^= s >> 31;
    return s;
}

enum eksauth_status eksauth_strmap_init(struct eksauth_strmap *m, size_t n,
                                        const char *(*key_at)(const void *ctx, size_t index),
                                        const void *ctx, struct eksauth_error *err)
{
    enum eksauth_status st;

    memset(m, 0, sizeof(*m));
    m->key_at = key_at;
    m->ctx = ctx;
    st = alloc_slots(m, n, err);
    if (st == EKSAUTH_OK)
        m->seed = eksauth_strmap_seed(m->slots);
    return st;
}

size_t eksauth_strmap_get(const struct eksauth_strmap *m, const char *key)
{
    const struct eksauth_strmap_slot *s = find(m, key, (uint32_t)key_hash(m->seed, key));

    return s->index1 != 0 ? s->index1 - 1 : EKSAUTH_STRMAP_NONE;
}

/* Twice the slots, every key moved by its stored hash (no key is read). */
static enum eksauth_status grow(struct eksauth_strmap *m, struct eksauth_error *err)
{
    struct eksauth_strmap old = *m;
    struct eksauth_strmap_slot *s;
    size_t i, j;

    if (alloc_slots(m, old.mask + 1, err) != EKSAUTH_OK) {
        *m = old;
        return EKSAUTH_ENOMEM;
    }
    for (i = 0; i <= old.mask; i++) {
        s = &old.slots[i];
        if (s->index1 == 0)
            continue;
        for (j = (size_t)s->hash & m->mask; m->slots[j].index1 != 0; j = (j + 1) & m->mask)
            ;
        m->slots[j] = *s;
        m->used++;
    }
    free(old.slots);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_strmap_put(struct eksauth_strmap *m, const char *key, size_t index,
                                       size_t *old, struct eksauth_error *err)
{
    uint32_t h;
    struct eksauth_strmap_slot *s;
    enum eksauth_status st;

    /* A slot keeps index + 1 in 32 bits: no array of the callers' comes near. */
    if (index >= UINT32_MAX - 1)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    h = (uint32_t)key_hash(m->seed, key);
    s = find(m, key, h);
    if (old != NULL)
        *old = s->index1 != 0 ? s->index1 - 1 : EKSAUTH_STRMAP_NONE;
    if (s->index1 != 0) {
        s->index1 = (uint32_t)index + 1;
        return EKSAUTH_OK;
    }
    /* A new key: keep the table at most half full, so probes stay short and end. */
    if (2 * (m->used + 1) > m->mask + 1) {
        if ((st = grow(m, err)) != EKSAUTH_OK)
            return st;
        s = find(m, key, h);
    }
    s->hash = h;
    s->index1 = (uint32_t)index + 1;
    m->used++;
    return EKSAUTH_OK;
}

void eksauth_strmap_clear(struct eksauth_strmap *m)
{
    if (m->slots != NULL)
        memset(m->slots, 0, (m->mask + 1) * sizeof(*m->slots));
    m->used = 0;
}

void eksauth_strmap_free(struct eksauth_strmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof(*m));
}
