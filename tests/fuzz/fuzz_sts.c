/*
 * fuzz_sts.c - libFuzzer target: the STS answer parser
 * (eksauth_sts_parse_response).  Input: the first byte picks the HTTP
 * status, the rest is the body.  Promises: only a 200 is ever OK; an OK
 * identity has a 12-digit account equal to its ARN's, a parsed ARN of a
 * principal and a UserId that fits it; 5xx and 429 are "unavailable", never
 * "denied" nor OK; every refusal is one clean line.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "eksauth/sts.h"
#include "fuzz.h"

static const long statuses[] = {200, 200, 200, 200, 400, 403, 429, 500, 503, 302, 0, 999};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct eksauth_sts_identity id;
    struct eksauth_error err;
    enum eksauth_status st;
    long status;
    char *body;

    if (size < 1)
        return 0;
    status = statuses[data[0] % (sizeof(statuses) / sizeof(statuses[0]))];
    body = fuzz_dup(data + 1, size - 1);
    if (body == NULL)
        return 0;
    st = eksauth_sts_parse_response(status, body, size - 1, &id, &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(status == 200);
        FUZZ_ASSERT(strlen(id.account) == 12);
        for (size_t i = 0; i < 12; i++)
            FUZZ_ASSERT(isdigit((unsigned char)id.account[i]));
        FUZZ_ASSERT(strcmp(id.account, id.parsed.account) == 0);
        FUZZ_ASSERT(id.arn[0] != '\0' && id.user_id[0] != '\0' && id.principal_id[0] != '\0');
        FUZZ_ASSERT(strpbrk(id.arn, "\r\n") == NULL && strpbrk(id.user_id, "\r\n") == NULL);
        if (id.parsed.type == EKSAUTH_ARN_ASSUMED_ROLE) {
            const char *colon = strchr(id.user_id, ':');

            FUZZ_ASSERT(colon != NULL && strcmp(colon + 1, id.parsed.session_name) == 0);
        }
    } else {
        fuzz_check_message(err.msg);
        if ((status >= 500 && status <= 599) || status == 429)
            FUZZ_ASSERT(st == EKSAUTH_EUNAVAIL);
        /* A redirect, another 4xx or nonsense: denied, unless STS said Throttling. */
        if (status != 200 && status != 429 && !(status >= 500 && status <= 599))
            FUZZ_ASSERT(st == EKSAUTH_EREJECTED ||
                        (st == EKSAUTH_EUNAVAIL && strstr(err.msg, "throttled") != NULL));
        FUZZ_ASSERT(st == EKSAUTH_EREJECTED || st == EKSAUTH_EUNAVAIL);
    }
    memset(&id, 0, sizeof(id));
    free(body);
    return 0;
}
