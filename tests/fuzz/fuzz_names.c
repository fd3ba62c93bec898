/*
 * fuzz_names.c - libFuzzer target: k8s names to POSIX names (lib/names.c)
 * and the deterministic ids.  Whatever the k8s username or group, a name
 * that comes out is valid ([a-z_][a-z0-9._-]*, at most 32 bytes), so it can
 * never carry ':', ',', a newline or a NUL into a passwd or group line; a
 * group keeps its prefix; the same input gives the same name; an id stays
 * in its range.
 */
#include "config.h"

#include <string.h>

#include "eksauth/names.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char a[EKSAUTH_NAME_MAX + 1], b[EKSAUTH_NAME_MAX + 1];
    struct eksauth_error err;
    char *s = fuzz_dup(data, size);
    uint32_t id;

    if (s == NULL)
        return 0;
    if (eksauth_names_login(s, a, &err) == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_names_valid(a));
        FUZZ_ASSERT(eksauth_names_login(s, b, NULL) == EKSAUTH_OK && strcmp(a, b) == 0);
        for (unsigned probe = 0; probe < 3; probe++) {
            id = eksauth_names_id(NULL, a, probe, EKSAUTH_ID_MIN, EKSAUTH_ID_MAX);
            FUZZ_ASSERT(id >= EKSAUTH_ID_MIN && id <= EKSAUTH_ID_MAX);
        }
        id = eksauth_names_id(NULL, a, 0, 5000, 5000);
        FUZZ_ASSERT(id == 5000);
    } else {
        fuzz_check_message(err.msg);
    }
    if (eksauth_names_group(s, "eks-", a, &err) == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_names_valid(a));
        FUZZ_ASSERT(strncmp(a, "eks-", 4) == 0);
    } else {
        fuzz_check_message(err.msg);
    }
    /* The input as a prefix: accepted only when it is itself name-like. */
    if (size <= EKSAUTH_GROUP_PREFIX_MAX && eksauth_names_prefix_valid(s) &&
        eksauth_names_group("system:masters", s, a, NULL) == EKSAUTH_OK)
        FUZZ_ASSERT(eksauth_names_valid(a));
    (void)eksauth_names_valid(s);
    (void)eksauth_names_reserved(s);
    free(s);
    return 0;
}
