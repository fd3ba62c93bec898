/*
 * token.c - parse and check an EKS token: every rule of docs/token-rules.md
 * that the cluster's authenticator applies, in its order, plus the strict
 * extras eksauth adopts (its decisions 1-4 and 7).  Pure: no I/O, no clock,
 * no allocation.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "eksauth/base64url.h"
#include "eksauth/hex.h"
#include "eksauth/partition.h"
#include "eksauth/query.h"
#include "eksauth/timeutil.h"
#include "eksauth/token.h"

#define PREFIX_LEN      (sizeof(EKSAUTH_TOKEN_PREFIX) - 1)
#define GLOBAL_STS_HOST "sts.amazonaws.com"
#define DEFAULT_SKEW    300

/* The only query parameters the authenticator allows (parameterWhitelist). */
enum param {
    P_ACTION,
    P_VERSION,
    P_ALGORITHM,
    P_CREDENTIAL,
    P_DATE,
    P_EXPIRES,
    P_SECURITY_TOKEN,
    P_SIGNATURE,
    P_SIGNED_HEADERS,
    P_COUNT
};

#define NAME_AND_LEN(s) s, sizeof(s) - 1
static const struct {
    const char *name;
    size_t len;
} allowed_params[P_COUNT] = {
    [P_ACTION] = {NAME_AND_LEN("Action")},
    [P_VERSION] = {NAME_AND_LEN("Version")},
    [P_ALGORITHM] = {NAME_AND_LEN("X-Amz-Algorithm")},
    [P_CREDENTIAL] = {NAME_AND_LEN("X-Amz-Credential")},
    [P_DATE] = {NAME_AND_LEN("X-Amz-Date")},
    [P_EXPIRES] = {NAME_AND_LEN("X-Amz-Expires")},
    [P_SECURITY_TOKEN] = {NAME_AND_LEN("X-Amz-Security-Token")},
    [P_SIGNATURE] = {NAME_AND_LEN("X-Amz-Signature")},
    [P_SIGNED_HEADERS] = {NAME_AND_LEN("X-Amz-SignedHeaders")},
};
#undef NAME_AND_LEN

/* Each allowed parameter, or NULL when the URL does not have it. */
struct token_params {
    const struct eksauth_url_param *p[P_COUNT];
};

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* a[0..alen) equals the string b, ignoring ASCII case. */
static bool equal_nocase(const char *a, size_t alen, const char *b)
{
    size_t i;

    for (i = 0; i < alen; i++) {
        if (b[i] == '\0' || ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    }
    return b[alen] == '\0';
}

static bool equal_exact(const char *a, size_t alen, const char *b)
{
    return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_upper_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || is_digit(c);
}

static bool is_lower_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* Copy src into dst[0..size), cut if need be: the partition name is the config's. */
static void copy_string(char *dst, size_t size, const char *src)
{
    size_t n = strnlen(src, size - 1);

    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Keep the sub-module's message, make the outcome a rejection, and name the rule if asked. */
static enum eksauth_status as_rejection(struct eksauth_error *err, const char *rule)
{
    if (err != NULL) {
        if (rule != NULL)
            eksauth_error_prefix(err, "%s", rule);
        err->status = EKSAUTH_EREJECTED;
    }
    return EKSAUTH_EREJECTED;
}

/* ---- host (decision 3) ------------------------------------------------ */

/* The first dot-separated label of host shaped like a region, for VPC endpoint names. */
static void region_of_extra_host(const char *host, char *region, size_t region_len)
{
    const char *label = host, *dot;
    size_t n;

    region[0] = '\0';
    while (*label != '\0') {
        dot = strchr(label, '.');
        n = dot != NULL ? (size_t)(dot - label) : strlen(label);
        if (eksauth_region_valid(label, n) && n < region_len) {
            memcpy(region, label, n);
            region[n] = '\0';
            return;
        }
        if (dot == NULL)
            return;
        label = dot + 1;
    }
}

/*
 * The token chooses the host we send it to, so only exact STS names pass.
 * Upper case and a trailing dot reach the same machine through DNS, but no
 * signer writes them and upstream's exact comparison refuses them.
 */
static enum eksauth_status check_host_spelling(const char *host, struct eksauth_error *err)
{
    size_t i;

    if (host == NULL || host[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "host: empty host");
    for (i = 0; host[i] != '\0'; i++) {
        char c = host[i];

        if ((c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.')
            continue;
        if (c >= 'A' && c <= 'Z')
            return eksauth_fail(err, EKSAUTH_EREJECTED, "host: \"%.255s\" is not lower case", host);
        return eksauth_fail(err, EKSAUTH_EREJECTED, "host: invalid character at offset %zu", i);
    }
    if (host[i - 1] == '.')
        return eksauth_fail(err, EKSAUTH_EREJECTED, "host: \"%.255s\" ends with a dot", host);
    return EKSAUTH_OK;
}

/*
 * One of the partition's STS hosts as the SDK produces them (plain, FIPS,
 * dual-stack, FIPS dual-stack around one of its regions; lib/partition.c):
 * *region and *region_len get the region label.
 */
static enum eksauth_status regional_host(const char *host, const struct eksauth_partition *part,
                                         const char **region, size_t *region_len,
                                         struct eksauth_error *err)
{
    const struct eksauth_partition *owner;

    switch (eksauth_partition_sts_host(part, host, region, region_len)) {
    case EKSAUTH_STS_HOST_OK:
        /*
         * Decision 1: a host the cluster refuses opens no host here.  The
         * cluster also wants its own list's domain for the partition, and
         * lists no dual-stack one for the ISO partitions.
         */
        if (!eksauth_partition_cluster_domain(part, host))
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "host: \"%.255s\" is not under a domain the cluster takes for "
                                "partition %s (it takes no dual-stack STS host there)",
                                host, part->name);
        return EKSAUTH_OK;
    case EKSAUTH_STS_HOST_NOT_REGION:
        /* Upstream takes any label here; a region's shape keeps out names AWS never serves. */
        return eksauth_fail(err, EKSAUTH_EREJECTED, "region: \"%.*s\" in host is not a region",
                            (int)*region_len, *region);
    case EKSAUTH_STS_HOST_FOREIGN:
        /* The SDK never makes this name: the region belongs to another partition, or none. */
        owner = eksauth_partition_of_region(*region, *region_len);
        if (owner != NULL)
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "region: %.*s in host is a region of partition %s, not of %s",
                                (int)*region_len, *region, owner->name, part->name);
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "region: %.*s in host is not a region of partition %s (%s)",
                            (int)*region_len, *region, part->name, part->region_regex);
    case EKSAUTH_STS_HOST_UNKNOWN:
        break;
    }
    return eksauth_fail(err, EKSAUTH_EREJECTED,
                        "host: \"%.255s\" is not an STS host of partition %s", host, part->name);
}

bool eksauth_token_host_named(const char *host, const char *const *extra_hosts)
{
    size_t i;

    for (i = 0; host != NULL && extra_hosts != NULL && extra_hosts[i] != NULL; i++)
        if (strcmp(host, extra_hosts[i]) == 0)
            return true;
    return false;
}

enum eksauth_status eksauth_token_check_host(const char *host, const char *partition,
                                             const char *const *extra_hosts, char *region,
                                             size_t region_len, struct eksauth_error *err)
{
    const struct eksauth_partition *part;
    const char *found = NULL;
    size_t found_len = 0;
    enum eksauth_status st;

    if (region == NULL || region_len == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "host: no room for the region");
    region[0] = '\0';
    st = check_host_spelling(host, err);
    if (st != EKSAUTH_OK)
        return st;

    /* Host names the administrator listed (VPC endpoints) are trusted as written. */
    if (eksauth_token_host_named(host, extra_hosts)) {
        region_of_extra_host(host, region, region_len);
        return EKSAUTH_OK;
    }

    if (partition == NULL)
        partition = "aws";
    part = eksauth_partition_find(partition);
    if (part == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "host: unknown partition \"%.32s\"", partition);
    if (part->global_host != NULL && strcmp(host, part->global_host) == 0) {
        /* The global endpoint is signed for its own region (us-east-1 for sts.amazonaws.com). */
        found = part->global_region;
        found_len = strlen(found);
    } else if (strcmp(host, GLOBAL_STS_HOST) == 0) {
        /* Only aws has a global endpoint (upstream's rule, and AWS's data). */
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "host: global endpoint %s is not in partition %s", GLOBAL_STS_HOST,
                            part->name);
    } else {
        st = regional_host(host, part, &found, &found_len, err);
        if (st != EKSAUTH_OK)
            return st;
    }
    if (found_len >= region_len)
        return eksauth_fail(err, EKSAUTH_EINVAL, "host: no room for the region");
    memcpy(region, found, found_len);
    region[found_len] = '\0';
    return EKSAUTH_OK;
}

/* ---- parameters (docs/token-rules.md steps 10-12, CVE-2022-2385) --------- */

static int allowed_param_index(const char *key, size_t len)
{
    int i;

    /* The usual spelling first, then any case: names compare case-insensitively. */
    for (i = 0; i < P_COUNT; i++) {
        if (len == allowed_params[i].len && memcmp(key, allowed_params[i].name, len) == 0)
            return i;
    }
    for (i = 0; i < P_COUNT; i++) {
        if (len == allowed_params[i].len && equal_nocase(key, len, allowed_params[i].name))
            return i;
    }
    return -1;
}

/* Describe an unknown key without echoing what might be a piece of the token. */
static enum eksauth_status unknown_parameter(const struct eksauth_url_param *param,
                                             struct eksauth_error *err)
{
    size_t i;
    bool plain = param->key_len > 0 && param->key_len <= 32;

    for (i = 0; plain && i < param->key_len; i++) {
        char c = param->key[i];

        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
                c == '_' || c == '.';
    }
    if (plain)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "unknown parameter: \"%s\" is not allowed",
                            param->key);
    return eksauth_fail(err, EKSAUTH_EREJECTED,
                        "unknown parameter: a parameter name of %zu bytes is not allowed",
                        param->key_len);
}

/*
 * Sort the URL's parameters into the allowed ones.  Every value is then read
 * from this one place, so no second copy of a key can be read instead of the
 * signed one (CVE-2022-2385: a forged lower-case x-amz-credential beside the
 * signed X-Amz-Credential).  Upstream's order of reports: duplicate, unknown,
 * repeated.
 */
static enum eksauth_status collect_params(const struct eksauth_url *url, struct token_params *tp,
                                          struct eksauth_error *err)
{
    const struct eksauth_url_param *duplicate = NULL, *duplicate_of = NULL, *unknown = NULL,
                                   *repeated = NULL, *param, *first;
    size_t i;
    int idx;

    memset(tp, 0, sizeof(*tp));
    for (i = 0; i < url->n_params; i++) {
        param = &url->params[i];
        idx = allowed_param_index(param->key, param->key_len);
        if (idx < 0) {
            if (unknown == NULL)
                unknown = param;
            continue;
        }
        first = tp->p[idx];
        if (first == NULL) {
            tp->p[idx] = param;
        } else if (first->key_len == param->key_len &&
                   memcmp(first->key, param->key, param->key_len) == 0) {
            if (repeated == NULL)
                repeated = param;
        } else if (duplicate == NULL) {
            duplicate = param;
            duplicate_of = first;
        }
    }
    if (duplicate != NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "duplicate parameter: \"%s\" and \"%s\" differ only in case",
                            duplicate_of->key, duplicate->key);
    if (unknown != NULL)
        return unknown_parameter(unknown, err);
    if (repeated != NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "repeated parameter: \"%s\" appears more than once", repeated->key);
    return EKSAUTH_OK;
}

/* ---- values ------------------------------------------------------------- */

static bool value_is(const struct eksauth_url_param *param, const char *want)
{
    return param != NULL && equal_exact(param->value, param->value_len, want);
}

/* The values that name the call and the signing scheme have one right spelling each. */
static enum eksauth_status check_call(const struct token_params *tp, struct eksauth_error *err)
{
    /* Any other action would make STS do something other than say who signed. */
    if (!value_is(tp->p[P_ACTION], "GetCallerIdentity"))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "%s",
                            tp->p[P_ACTION] == NULL ? "action: Action is missing"
                                                    : "action: Action is not GetCallerIdentity");
    /* Strict extra: every signer sends this API version; another could change the answer. */
    if (!value_is(tp->p[P_VERSION], "2011-06-15"))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "%s",
                            tp->p[P_VERSION] == NULL ? "version: Version is missing"
                                                     : "version: Version is not 2011-06-15");
    /* Strict extra: SigV4 query signing is the only scheme a token uses. */
    if (!value_is(tp->p[P_ALGORITHM], "AWS4-HMAC-SHA256"))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "%s",
                            tp->p[P_ALGORITHM] == NULL
                                ? "algorithm: X-Amz-Algorithm is missing"
                                : "algorithm: X-Amz-Algorithm is not AWS4-HMAC-SHA256");
    return EKSAUTH_OK;
}

/*
 * X-Amz-SignedHeaders: "host;x-k8s-aws-id".  The cluster header must be
 * signed, or the token is not bound to this cluster: STS would accept it
 * whatever x-k8s-aws-id we send.  host must be signed too (strict extra), or
 * the signature would not pin the host the token is sent to.
 */
static enum eksauth_status check_signed_headers(const struct eksauth_url_param *param,
                                                struct eksauth_token *tok,
                                                struct eksauth_error *err)
{
    bool has_host = false, has_cluster_id = false;
    const char *name, *end, *sep;
    size_t n, i;

    if (param == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "signed headers: X-Amz-SignedHeaders is missing");
    if (param->value_len >= sizeof(tok->signed_headers))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "signed headers: X-Amz-SignedHeaders of %zu bytes is too long",
                            param->value_len);
    end = param->value + param->value_len;
    for (name = param->value; name <= end; name = sep + 1) {
        sep = memchr(name, ';', (size_t)(end - name));
        if (sep == NULL)
            sep = end;
        n = (size_t)(sep - name);
        /* Header names are tokens of letters, digits and '-': anything else is not SigV4. */
        if (n == 0)
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "signed headers: empty header name in X-Amz-SignedHeaders");
        for (i = 0; i < n; i++) {
            char c = name[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-'))
                return eksauth_fail(err, EKSAUTH_EREJECTED,
                                    "signed headers: invalid header name in X-Amz-SignedHeaders");
        }
        if (equal_exact(name, n, "host"))
            has_host = true;
        /* The usual spelling is the fast path; any case will do. */
        if (equal_exact(name, n, "x-k8s-aws-id") || equal_nocase(name, n, "x-k8s-aws-id"))
            has_cluster_id = true;
    }
    if (!has_cluster_id)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "signed headers: x-k8s-aws-id is not signed");
    if (!has_host)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "signed headers: host is not signed");
    memcpy(tok->signed_headers, param->value, param->value_len);
    tok->signed_headers[param->value_len] = '\0';
    return EKSAUTH_OK;
}

/*
 * X-Amz-Expires: required and 0..900, as upstream.  Digits only (strict
 * extra): Go's Atoi also takes "+5" and "-0", which no signer writes.  The
 * token lives 900 s whatever it says: STS ignores the value.
 */
static enum eksauth_status check_expires(const struct eksauth_url_param *param,
                                         struct eksauth_token *tok, struct eksauth_error *err)
{
    long value = 0;
    size_t i;

    if (param == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "expires: X-Amz-Expires is missing");
    if (param->value_len == 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "expires: X-Amz-Expires is empty");
    for (i = 0; i < param->value_len; i++) {
        if (!is_digit(param->value[i]))
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "expires: X-Amz-Expires is not a decimal number");
        /* Stop counting once past the limit: no overflow, whatever the length. */
        if (value <= EKSAUTH_TOKEN_MAX_EXPIRES)
            value = value * 10 + (param->value[i] - '0');
    }
    if (value > EKSAUTH_TOKEN_MAX_EXPIRES)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "expires: X-Amz-Expires is more than %d",
                            EKSAUTH_TOKEN_MAX_EXPIRES);
    tok->expires_param = value;
    return EKSAUTH_OK;
}

/* X-Amz-Date: required, exactly YYYYMMDDTHHMMSSZ (Go's fractional seconds are refused). */
static enum eksauth_status check_date(const struct eksauth_url_param *param,
                                      struct eksauth_token *tok, struct eksauth_error *err)
{
    if (param == NULL || param->value_len == 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "date: X-Amz-Date is missing");
    if (eksauth_time_parse_amz(param->value, param->value_len, &tok->signed_at, err) !=
        EKSAUTH_OK) {
        eksauth_error_prefix(err, "X-Amz-Date");
        return as_rejection(err, "date");
    }
    tok->expires_at = tok->signed_at + EKSAUTH_TOKEN_LIFETIME;
    return EKSAUTH_OK;
}

/*
 * X-Amz-Credential: AKID/YYYYMMDD/region/sts/aws4_request (strict extra:
 * upstream reads only the key id).  Its key id becomes {{AccessKeyID}}, so
 * it must look like one; the scope must be the one STS at this host would
 * check, else the token was not made for it.
 */
static enum eksauth_status check_credential(const struct token_params *tp,
                                            struct eksauth_token *tok, struct eksauth_error *err)
{
    const struct eksauth_url_param *param = tp->p[P_CREDENTIAL];
    const struct eksauth_url_param *date = tp->p[P_DATE]; /* checked by check_date() */
    const char *part[5], *end, *slash, *p;
    size_t part_len[5], n, i;

    if (param == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "credential: X-Amz-Credential is missing");
    end = param->value + param->value_len;
    for (p = param->value, slash = NULL, n = 0; n < 5; n++) {
        slash = memchr(p, '/', (size_t)(end - p));
        part[n] = p;
        part_len[n] = (size_t)((slash != NULL ? slash : end) - p);
        if (slash == NULL) {
            n++;
            break;
        }
        p = slash + 1;
    }
    /* Fewer parts, or a '/' after the fifth. */
    if (n != 5 || slash != NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "credential: X-Amz-Credential does not have 5 '/'-separated parts");

    /* ^(AKIA|ASIA)[A-Z0-9]{16}$: a long-term or a temporary access key id. */
    if (part_len[0] != 20 || (memcmp(part[0], "AKIA", 4) != 0 && memcmp(part[0], "ASIA", 4) != 0))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "credential: access key id is not AKIA or ASIA and 16 characters");
    for (i = 4; i < 20; i++) {
        if (!is_upper_alnum(part[0][i]))
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "credential: access key id is not AKIA or ASIA and 16 characters");
    }
    /* The scope's date is the signing date: one moment, said twice, must agree. */
    if (part_len[1] != 8 || memcmp(part[1], date->value, 8) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "credential: scope date is not the date of X-Amz-Date");
    if (tok->region[0] != '\0') {
        /* A key scoped to another region is not for this host's STS. */
        if (!equal_exact(part[2], part_len[2], tok->region))
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "credential: scope region is not the host's region %s",
                                tok->region);
    } else {
        /* An extra host without a region in its name: the scope's region must still be one. */
        if (!eksauth_region_valid(part[2], part_len[2]) || part_len[2] >= sizeof(tok->region))
            return eksauth_fail(err, EKSAUTH_EREJECTED, "credential: scope region is not a region");
        memcpy(tok->region, part[2], part_len[2]);
        tok->region[part_len[2]] = '\0';
    }
    if (!equal_exact(part[3], part_len[3], "sts"))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "credential: scope service is not sts");
    if (!equal_exact(part[4], part_len[4], "aws4_request"))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "credential: scope does not end with aws4_request");
    memcpy(tok->access_key_id, part[0], 20);
    tok->access_key_id[20] = '\0';
    return EKSAUTH_OK;
}

/* Strict extra: a SigV4 signature is 64 lower-case hex digits; anything else cannot verify. */
static enum eksauth_status check_signature(const struct eksauth_url_param *param,
                                           struct eksauth_token *tok, struct eksauth_error *err)
{
    size_t i;

    if (param == NULL)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "signature: X-Amz-Signature is missing");
    if (param->value_len != 64)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "signature: X-Amz-Signature is not 64 hex digits");
    for (i = 0; i < 64; i++) {
        if (!is_lower_hex(param->value[i]))
            return eksauth_fail(err, EKSAUTH_EREJECTED,
                                "signature: X-Amz-Signature is not lower-case hex");
    }
    memcpy(tok->signature, param->value, 64);
    tok->signature[64] = '\0';
    return EKSAUTH_OK;
}

/* A session token, when sent, is a value: an empty one is not a temporary credential. */
static enum eksauth_status check_session_token(const struct eksauth_url_param *param,
                                               struct eksauth_token *tok, struct eksauth_error *err)
{
    tok->has_session_token = param != NULL;
    if (param != NULL && param->value_len == 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "credential: X-Amz-Security-Token is empty");
    return EKSAUTH_OK;
}

/*
 * 15 minutes after signing, the token is dead.  Upstream refuses now > date
 * + 900 with its clock's fraction of a second; now is whole seconds here
 * (the real time is in [now, now + 1)), so the second that starts at date +
 * 900 is refused whole: upstream refuses all of it but its first instant,
 * and a token the cluster refuses must not open a host (decision 1).  A
 * date ahead of our clock by more than the skew (decision 4) would stretch
 * that window past 15 minutes.
 */
static enum eksauth_status check_window(const struct eksauth_token *tok, time_t now, long skew,
                                        struct eksauth_error *err)
{
    if (now >= tok->expires_at)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "expired: signed %lld s ago, tokens live %d s",
                            (long long)(now - tok->signed_at), EKSAUTH_TOKEN_LIFETIME);
    if (skew < 0)
        skew = 0;
    if (tok->signed_at - now > (time_t)skew)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "future date: signed %lld s ahead of now, more than the allowed "
                            "skew of %ld s",
                            (long long)(tok->signed_at - now), skew);
    return EKSAUTH_OK;
}

/* ---- the check ---------------------------------------------------------- */

/* Length, prefix and base64 (docs/token-rules.md steps 1-3): the decoded URL lands in tok->url. */
static enum eksauth_status decode_token(const char *token, size_t len, struct eksauth_token *tok,
                                        struct eksauth_error *err)
{
    /* The authenticator's limit: bigger tokens are refused before any work. */
    if (len > EKSAUTH_TOKEN_MAX_LEN)
        return eksauth_fail(err, EKSAUTH_EREJECTED, "length: token of %zu bytes is longer than %d",
                            len, EKSAUTH_TOKEN_MAX_LEN);
    if (!eksauth_token_shaped(token, len))
        return eksauth_fail(err, EKSAUTH_EREJECTED, "prefix: token does not start with \"%s\"",
                            EKSAUTH_TOKEN_PREFIX);
    /* One strict decoding, so one token string means one URL (no padding, CR/LF, loose bits). */
    if (eksauth_b64url_decode(token + PREFIX_LEN, len - PREFIX_LEN, (unsigned char *)tok->url,
                              sizeof(tok->url), &tok->url_len, err) != EKSAUTH_OK)
        return as_rejection(err, "base64");
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_token_check(const char *token, size_t len, time_t now,
                                        const struct eksauth_token_policy *policy,
                                        struct eksauth_token *out, struct eksauth_error *err)
{
    const char *partition = policy != NULL && policy->partition != NULL ? policy->partition : "aws";
    long skew = policy != NULL ? policy->max_clock_skew : DEFAULT_SKEW;
    struct eksauth_url url;
    struct token_params tp;
    enum eksauth_status st;

    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "token: no output");
    out->url_len = 0;
    url.storage_len = 0;

    st = decode_token(token, len, out, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* Scheme, userinfo, port, fragment, path and query syntax (docs/token-rules.md steps 4-8). */
    st = eksauth_url_parse(out->url, out->url_len, &url, err);
    if (st != EKSAUTH_OK) {
        st = as_rejection(err, NULL);
        goto out;
    }
    st = eksauth_token_check_host(url.host, partition, policy != NULL ? policy->extra_hosts : NULL,
                                  out->region, sizeof(out->region), err);
    if (st != EKSAUTH_OK)
        goto out;
    if ((st = collect_params(&url, &tp, err)) != EKSAUTH_OK ||
        (st = check_call(&tp, err)) != EKSAUTH_OK ||
        (st = check_signed_headers(tp.p[P_SIGNED_HEADERS], out, err)) != EKSAUTH_OK ||
        (st = check_expires(tp.p[P_EXPIRES], out, err)) != EKSAUTH_OK ||
        (st = check_date(tp.p[P_DATE], out, err)) != EKSAUTH_OK ||
        (st = check_credential(&tp, out, err)) != EKSAUTH_OK ||
        (st = check_session_token(tp.p[P_SECURITY_TOKEN], out, err)) != EKSAUTH_OK ||
        (st = check_signature(tp.p[P_SIGNATURE], out, err)) != EKSAUTH_OK ||
        (st = check_window(out, now, skew, err)) != EKSAUTH_OK)
        goto out;
    memcpy(out->host, url.host, sizeof(out->host));
    copy_string(out->partition, sizeof(out->partition), partition);

out:
    /* The decoded values hold the signature and the session token. */
    if (url.storage_len > 0)
        OPENSSL_cleanse(url.storage, url.storage_len);
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(out, sizeof(*out));
    return st;
}

bool eksauth_token_shaped(const char *s, size_t len)
{
    return s != NULL && len >= PREFIX_LEN && memcmp(s, EKSAUTH_TOKEN_PREFIX, PREFIX_LEN) == 0;
}

bool eksauth_token_shaped_strict(const char *s, size_t len)
{
    size_t i;

    if (len <= PREFIX_LEN || len > EKSAUTH_TOKEN_MAX_LEN || !eksauth_token_shaped(s, len))
        return false;
    for (i = PREFIX_LEN; i < len; i++)
        if (!eksauth_b64url_char((unsigned char)s[i]))
            return false;
    return true;
}

void eksauth_token_fingerprint(const char *token, size_t len, char out[EKSAUTH_FINGERPRINT_LEN + 1])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;

    /* A password typed at the prompt: 32 bits of its hash would be a dictionary target. */
    if (!eksauth_token_shaped(token, len)) {
        memcpy(out, "-", 2);
        return;
    }
    if (EVP_Digest(token, len, digest, &digest_len, EVP_sha256(), NULL) != 1 ||
        digest_len * 2 < EKSAUTH_FINGERPRINT_LEN) {
        /* Never leave the caller a stale or empty string to log. */
        memcpy(out, "????????", EKSAUTH_FINGERPRINT_LEN + 1);
        return;
    }
    eksauth_hex_lower(digest, EKSAUTH_FINGERPRINT_LEN / 2, out);
    OPENSSL_cleanse(digest, sizeof(digest));
}

void eksauth_token_wipe(struct eksauth_token *tok)
{
    if (tok != NULL)
        OPENSSL_cleanse(tok, sizeof(*tok));
}
