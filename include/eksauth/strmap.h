/*
 * strmap.h - a string -> index hash table over an array the caller owns.
 *
 * The map holds no strings: a slot keeps an index into the caller's array
 * and the key's hash, and key_at(ctx, index) gives the key back when two
 * hashes agree.  So the caller's array may grow and move while the map is in
 * use, and no key is copied.  Open addressing with linear probing over a
 * 64-bit multiply-xorshift hash (lib/strmap.c), of which a slot keeps the
 * low 32 bits; the table doubles before it is half full.
 *
 * The hash is not collision-resistant, so each map seeds it (lib/strmap.c,
 * eksauth_strmap_seed): the keys are names from aws-auth, and with a fixed hash its
 * author could choose names that share a slot and make a sync quadratic
 * (tests/unit/test_strmap.c test_seeded_no_chosen_cluster).
 */
#ifndef EKSAUTH_STRMAP_H
#define EKSAUTH_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "eksauth/status.h"

#define EKSAUTH_STRMAP_NONE ((size_t)-1) /* "no such key" */

/* 8 bytes: the tables of a 100,000-entry sync are read at random, and half the size misses less. */
struct eksauth_strmap_slot {
    uint32_t hash;   /* the key's hash, its low 32 bits (those that pick the slot, and more) */
    uint32_t index1; /* the index + 1; 0: the slot is empty */
};

struct eksauth_strmap {
    struct eksauth_strmap_slot *slots;
    size_t mask; /* the number of slots - 1, a power of two minus one */
    size_t used;
    uint64_t seed; /* the hash's, drawn at init, kept by clear */
    const char *(*key_at)(const void *ctx, size_t index);
    const void *ctx;
};

/*
 * A hash seed for a table whose memory is at where: unseeded, whoever writes
 * aws-auth could choose names that share a slot (see the top of this file).
 * Differs from process to process and from table to table; not a secret
 * for cryptography, only unknown beforehand.
 */
uint64_t eksauth_strmap_seed(const void *where);

/* An empty map sized for about n keys; key_at(ctx, i) is the key stored at index i. */
enum eksauth_status eksauth_strmap_init(struct eksauth_strmap *m, size_t n,
                                        const char *(*key_at)(const void *ctx, size_t index),
                                        const void *ctx, struct eksauth_error *err);

/* The index stored for key, or EKSAUTH_STRMAP_NONE. */
size_t eksauth_strmap_get(const struct eksauth_strmap *m, const char *key);

/*
 * Store index for key (key_at(ctx, index) must be key): a new key is added,
 * a present one now gives index and *old (may be NULL) gets the index it
 * gave before, else EKSAUTH_STRMAP_NONE.  EKSAUTH_ENOMEM (also for an index
 * past 32 bits, which a slot cannot keep) leaves the map as it was.
 */
enum eksauth_status eksauth_strmap_put(struct eksauth_strmap *m, const char *key, size_t index,
                                       size_t *old, struct eksauth_error *err);

/* Forget every key; the map keeps its size. */
void eksauth_strmap_clear(struct eksauth_strmap *m);

void eksauth_strmap_free(struct eksauth_strmap *m);

#endif
