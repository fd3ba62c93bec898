/*
 * fuzz_replay.c - libFuzzer target: the single-use record parser
 * (eksauth_replay_parse) on arbitrary bytes, then prune, add and
 * serialise.  Promises: an accepted record serialises back to the same
 * bytes (one canonical form); every recorded hash is found; adding a
 * recorded hash is refused as a replay; the table never exceeds its bound.
 */
#include "config.h"

#include <string.h>

#include "eksauth/replay.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_replay *r = NULL;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];
    struct eksauth_error err;
    void *out = NULL;
    size_t len = 0;

    if (eksauth_replay_parse(data, size, &r, &err) != EKSAUTH_OK) {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(r == NULL);
        return 0;
    }
    FUZZ_ASSERT(eksauth_replay_count(r) <= EKSAUTH_REPLAY_MAX);
    FUZZ_ASSERT(eksauth_replay_serialize(r, &out, &len, NULL) == EKSAUTH_OK);
    if (size > 0)
        FUZZ_ASSERT(len == size && memcmp(out, data, size) == 0);
    free(out);
    if (size >= EKSAUTH_REPLAY_HEADER_SIZE + EKSAUTH_REPLAY_RECORD_SIZE) {
        memcpy(h, data + EKSAUTH_REPLAY_HEADER_SIZE, sizeof(h));
        FUZZ_ASSERT(eksauth_replay_seen(r, h));
        FUZZ_ASSERT(eksauth_replay_add(r, h, 0, NULL) == EKSAUTH_EREJECTED);
    }
    eksauth_replay_hash((const char *)data, size, h);
    if (!eksauth_replay_seen(r, h)) {
        enum eksauth_status st = eksauth_replay_add(r, h, FUZZ_NOW, NULL);

        /* A full table refuses it (replay.h). */
        FUZZ_ASSERT(st == EKSAUTH_OK || st == EKSAUTH_EUNAVAIL ||
                    (st == EKSAUTH_EREJECTED && eksauth_replay_count(r) == EKSAUTH_REPLAY_MAX));
        if (st == EKSAUTH_OK)
            FUZZ_ASSERT(eksauth_replay_seen(r, h));
    }
    (void)eksauth_replay_prune(r, FUZZ_NOW);
    FUZZ_ASSERT(eksauth_replay_serialize(r, &out, &len, NULL) == EKSAUTH_OK);
    free(out);
    eksauth_replay_free(r);
    return 0;
}
