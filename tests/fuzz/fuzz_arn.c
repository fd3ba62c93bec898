/*
 * fuzz_arn.c - libFuzzer target: ARN parsing and canonicalisation
 * (lib/arn.c).  Promises: a parsed ARN's canonical form parses again to
 * itself (canonicalising is idempotent) with the same lookup key; the key
 * is lower case; an assumed role has a session name, nothing else has one.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "eksauth/arn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eksauth_arn a, b;
    struct eksauth_error err;
    char *s = fuzz_dup(data, size);

    if (s == NULL)
        return 0;
    if (eksauth_arn_parse(s, &a, &err) == EKSAUTH_OK) {
        FUZZ_ASSERT(a.canonical[0] != '\0' && a.key[0] != '\0');
        for (size_t i = 0; a.key[i] != '\0'; i++)
            FUZZ_ASSERT(!isupper((unsigned char)a.key[i]));
        FUZZ_ASSERT((a.type == EKSAUTH_ARN_ASSUMED_ROLE) == (a.session_name[0] != '\0'));
        FUZZ_ASSERT(eksauth_arn_parse(a.canonical, &b, &err) == EKSAUTH_OK);
        FUZZ_ASSERT(strcmp(a.canonical, b.canonical) == 0);
        FUZZ_ASSERT(strcmp(a.key, b.key) == 0);
        FUZZ_ASSERT(strcmp(a.account, b.account) == 0);
        FUZZ_ASSERT(eksauth_arn_type_name(a.type) != NULL);
    } else {
        fuzz_check_message(err.msg);
    }
    free(s);
    return 0;
}
