/*
 * fuzz_token.c - libFuzzer target: eksauth_token_check on arbitrary bytes,
 * with the default policy and with a VPC endpoint host, at a clock five
 * minutes after the seed tokens were signed.  An accepted token must keep
 * every promise of docs/token-rules.md: re-parsing its URL finds only allowed,
 * distinct parameters, GetCallerIdentity, x-k8s-aws-id and host signed, a
 * 64-hex signature and a date inside the window.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "eksauth/query.h"
#include "eksauth/token.h"
#include "fuzz.h"

static const char *const allowed[] = {
    "action",
    "version",
    "x-amz-algorithm",
    "x-amz-credential",
    "x-amz-date",
    "x-amz-expires",
    "x-amz-security-token",
    "x-amz-signature",
    "x-amz-signedheaders",
};

static bool is_allowed(const char *key)
{
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (strcasecmp(key, allowed[i]) == 0)
            return true;
    return false;
}

static const char *param(const struct eksauth_url *u, const char *key)
{
    for (size_t i = 0; i < u->n_params; i++)
        if (strcasecmp(u->params[i].key, key) == 0)
            return u->params[i].value;
    return NULL;
}

/* ';'-separated list contains name (case-insensitive). */
static bool list_has(const char *list, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *semi = strchr(p, ';');
        size_t len = semi != NULL ? (size_t)(semi - p) : strlen(p);

        if (len == n && strncasecmp(p, name, n) == 0)
            return true;
        p = semi != NULL ? semi + 1 : NULL;
    }
    return false;
}

static void check_accepted(const char *tok, size_t len, const struct eksauth_token *t, long skew)
{
    static struct eksauth_url u; /* 4 KiB: not on the stack of every run */
    const char *v;

    FUZZ_ASSERT(len <= EKSAUTH_TOKEN_MAX_LEN);
    FUZZ_ASSERT(memcmp(tok, EKSAUTH_TOKEN_PREFIX, strlen(EKSAUTH_TOKEN_PREFIX)) == 0);
    FUZZ_ASSERT(t->url_len < sizeof(t->url) && t->url[t->url_len] == '\0');
    FUZZ_ASSERT(strlen(t->url) == t->url_len);
    FUZZ_ASSERT(strncmp(t->url, "https://", 8) == 0);
    FUZZ_ASSERT(strncmp(t->url + 8, t->host, strlen(t->host)) == 0);
    FUZZ_ASSERT(strncmp(t->url + 8 + strlen(t->host), "/?", 2) == 0);
    FUZZ_ASSERT(strlen(t->signature) == 64);
    for (size_t i = 0; i < 64; i++)
        FUZZ_ASSERT(isdigit((unsigned char)t->signature[i]) ||
                    (t->signature[i] >= 'a' && t->signature[i] <= 'f'));
    FUZZ_ASSERT(t->expires_at == t->signed_at + EKSAUTH_TOKEN_LIFETIME);
    FUZZ_ASSERT(t->signed_at <= FUZZ_NOW + skew);
    FUZZ_ASSERT(FUZZ_NOW <= t->expires_at);
    FUZZ_ASSERT(t->expires_param >= 0 && t->expires_param <= EKSAUTH_TOKEN_MAX_EXPIRES);
    FUZZ_ASSERT(list_has(t->signed_headers, "x-k8s-aws-id"));
    FUZZ_ASSERT(list_has(t->signed_headers, "host"));

    /* The URL that will be sent to STS, read again from scratch. */
    FUZZ_ASSERT(eksauth_url_parse(t->url, t->url_len, &u, NULL) == EKSAUTH_OK);
    FUZZ_ASSERT(strcmp(u.host, t->host) == 0);
    for (size_t i = 0; i < u.n_params; i++) {
        FUZZ_ASSERT(is_allowed(u.params[i].key));
        /* CVE-2022-2385: no key twice, whatever its case. */
        for (size_t j = i + 1; j < u.n_params; j++)
            FUZZ_ASSERT(strcasecmp(u.params[i].key, u.params[j].key) != 0);
    }
    v = param(&u, "Action");
    FUZZ_ASSERT(v != NULL && strcmp(v, "GetCallerIdentity") == 0);
    v = param(&u, "X-Amz-SignedHeaders");
    FUZZ_ASSERT(v != NULL && strcmp(v, t->signed_headers) == 0);
    v = param(&u, "X-Amz-Signature");
    FUZZ_ASSERT(v != NULL && strcmp(v, t->signature) == 0);
    FUZZ_ASSERT((param(&u, "X-Amz-Security-Token") != NULL) == t->has_session_token);
    memset(&u, 0, sizeof(u));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const vpce[] = {"vpce-0a1b2c3d.sts.us-east-1.vpce.amazonaws.com", NULL};
    static struct eksauth_token t;
    struct eksauth_token_policy pol = {"aws", 300, vpce};
    struct eksauth_error err;
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];
    char *tok = fuzz_dup(data, size);

    if (tok == NULL)
        return 0;
    if (eksauth_token_check(tok, size, FUZZ_NOW, NULL, &t, &err) == EKSAUTH_OK)
        check_accepted(tok, size, &t, 300);
    else
        fuzz_check_message(err.msg);
    eksauth_token_wipe(&t);
    if (eksauth_token_check(tok, size, FUZZ_NOW, &pol, &t, &err) == EKSAUTH_OK)
        check_accepted(tok, size, &t, 300);
    else
        fuzz_check_message(err.msg);
    eksauth_token_wipe(&t);
    /* 8 hex digits for what starts like a token; "-" (no hash of a password) for the rest. */
    eksauth_token_fingerprint(tok, size, fp);
    if (eksauth_token_shaped(tok, size))
        FUZZ_ASSERT(strlen(fp) == EKSAUTH_FINGERPRINT_LEN &&
                    strspn(fp, "0123456789abcdef") == EKSAUTH_FINGERPRINT_LEN);
    else
        FUZZ_ASSERT(strcmp(fp, "-") == 0);
    free(tok);
    return 0;
}
