/*
 * fuzz_query.c - libFuzzer target: the strict URL/query parser alone
 * (eksauth_url_parse).  On success: a host of DNS characters only, at most
 * EKSAUTH_URL_MAX_PARAMS parameters, every key and value NUL-terminated at
 * its length, inside the storage, and free of control and non-ASCII bytes
 * (a %00 must never cut a value short for C code).
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/query.h"
#include "fuzz.h"

static void check_string(const struct eksauth_url *u, const char *s, size_t len)
{
    FUZZ_ASSERT(s >= u->storage && s + len < u->storage + sizeof(u->storage));
    FUZZ_ASSERT(s[len] == '\0');
    for (size_t i = 0; i < len; i++)
        FUZZ_ASSERT((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eksauth_url u;
    struct eksauth_error err;
    char *url = fuzz_dup(data, size);

    if (url == NULL)
        return 0;
    if (eksauth_url_parse(url, size, &u, &err) == EKSAUTH_OK) {
        size_t hl = strnlen(u.host, sizeof(u.host));

        FUZZ_ASSERT(hl > 0 && hl < sizeof(u.host));
        for (size_t i = 0; i < hl; i++) {
            char c = u.host[i];

            FUZZ_ASSERT((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.');
        }
        FUZZ_ASSERT(u.n_params <= EKSAUTH_URL_MAX_PARAMS);
        FUZZ_ASSERT(u.storage_len <= sizeof(u.storage));
        for (size_t i = 0; i < u.n_params; i++) {
            check_string(&u, u.params[i].key, u.params[i].key_len);
            check_string(&u, u.params[i].value, u.params[i].value_len);
        }
    } else {
        fuzz_check_message(err.msg);
    }
    memset(&u, 0, sizeof(u));
    free(url);
    return 0;
}
