/*
 * fuzz_config.c - libFuzzer target: the eksauth.conf parser
 * (eksauth_config_parse on top of the defaults).  Promises: a refusal is
 * one line naming the file; an accepted config has a cluster id of the
 * x-k8s-aws-id alphabet (it becomes an HTTP header), an id range the
 * names module accepts and a sane pair of timeouts; and it frees cleanly
 * either way (LeakSanitizer).  eksauth doctor's reading
 * (EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL) accepts what the strict one does,
 * and refuses only what the strict one refuses.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/config.h"
#include "fuzz.h"

/* The same text as doctor reads it: never stricter than the strict parse, and only as lax as told.
 */
static void doctor_reading(const uint8_t *data, size_t size, enum eksauth_status strict)
{
    struct eksauth_config cfg;
    struct eksauth_error err;
    enum eksauth_status st;
    bool all_lines = false;

    if (eksauth_config_init(&cfg, &err) != EKSAUTH_OK)
        return;
    st = eksauth_config_parse_with(&cfg, (const char *)data, size, "fuzz.conf",
                                   EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, &all_lines, &err);
    if (strict == EKSAUTH_OK)
        FUZZ_ASSERT(st == EKSAUTH_OK && cfg.cluster_id != NULL && all_lines);
    else if (st == EKSAUTH_OK)
        /* Refused strictly, accepted here: only for the missing cluster_id. */
        FUZZ_ASSERT(cfg.cluster_id == NULL && all_lines);
    else
        fuzz_check_message(err.msg);
    eksauth_config_free(&cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_config cfg;
    struct eksauth_error err;
    enum eksauth_status st;

    if (eksauth_config_init(&cfg, &err) != EKSAUTH_OK)
        return 0;
    st = eksauth_config_parse(&cfg, (const char *)data, size, "fuzz.conf", &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(cfg.cluster_id != NULL && cfg.cluster_id[0] != '\0');
        FUZZ_ASSERT(strpbrk(cfg.cluster_id, "\r\n: \t") == NULL);
        FUZZ_ASSERT(cfg.uid_min < cfg.uid_max);
        FUZZ_ASSERT(cfg.sts_timeout >= cfg.sts_connect_timeout);
        FUZZ_ASSERT(cfg.sts_connect_timeout > 0);
        FUZZ_ASSERT(cfg.max_clock_skew >= 0);
        FUZZ_ASSERT(cfg.partition != NULL);
        for (size_t i = 0; cfg.deny_users != NULL && cfg.deny_users[i] != NULL; i++)
            FUZZ_ASSERT(strpbrk(cfg.deny_users[i], "\n") == NULL);
    } else {
        fuzz_check_message(err.msg);
        FUZZ_ASSERT(strstr(err.msg, "fuzz.conf") != NULL);
    }
    eksauth_config_free(&cfg);
    doctor_reading(data, size, st);
    return 0;
}
