/*
 * query.c - the strict parser of the presigned URL inside a token:
 * "https://HOST/?k=v&k=v", nothing more.  One pass, no allocation: the
 * decoded keys and values land in the caller's struct.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/ascii.h"
#include "eksauth/query.h"

#define SCHEME     "https://"
#define SCHEME_LEN (sizeof(SCHEME) - 1)

/* The bytes of a DNS name.  Upper case passes here so that token.c can name it. */
static const unsigned char host_byte[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, /* 0x20 '-' '.' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0x30 '0'-'9' */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 'A'- */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* 0x50 -'Z' */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 'a'- */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, /* 0x70 -'z' */
    /* 0x80-0xff: 0 */
};

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static enum eksauth_status check_scheme(const char *url, size_t len, struct eksauth_error *err)
{
    if (len >= SCHEME_LEN && memcmp(url, SCHEME, SCHEME_LEN) == 0)
        return EKSAUTH_OK;
    /*
     * Only TLS may carry the token to STS, and only the exact lower-case
     * form: Go lower-cases "HTTPS", no signer writes it.
     */
    if (eksauth_ascii_prefix_nocase(url, len, SCHEME))
        return eksauth_fail(err, EKSAUTH_EINVAL, "url scheme: scheme must be lower-case \"https\"");
    if (eksauth_ascii_prefix_nocase(url, len, "http://"))
        return eksauth_fail(err, EKSAUTH_EINVAL, "url scheme: \"http\" is not \"https\"");
    return eksauth_fail(err, EKSAUTH_EINVAL, "url scheme: URL does not start with \"https://\"");
}

/*
 * The authority after "https://": a bare host name up to '/' or '?'.
 * *pos ends on the byte after it.
 */
static enum eksauth_status parse_host(const char *url, size_t len, size_t *pos,
                                      struct eksauth_url *out, struct eksauth_error *err)
{
    const unsigned char *src = (const unsigned char *)url;
    size_t start = *pos, end = start, host_len;

    while (end < len && host_byte[src[end]])
        end++;
    if (end < len && url[end] != '/' && url[end] != '?') {
        /* Something other than a DNS name: say what, from the whole authority. */
        size_t auth_end = end;

        while (auth_end < len && url[auth_end] != '/' && url[auth_end] != '?')
            auth_end++;
        /*
         * Userinfo would make an HTTP client send credentials of the
         * token's choosing to STS; upstream lets it through, we do not.
         */
        if (memchr(url + start, '@', auth_end - start) != NULL)
            return eksauth_fail(err, EKSAUTH_EINVAL, "url userinfo: URL has user information");
        if (url[start] == '[')
            return eksauth_fail(err, EKSAUTH_EINVAL, "url host: host is an IP literal");
        /* A port moves the call off STS's port; upstream's exact host match refuses it. */
        if (memchr(url + start, ':', auth_end - start) != NULL)
            return eksauth_fail(err, EKSAUTH_EINVAL, "url port: URL has a port");
        /* DNS names only: no escapes, control or non-ASCII bytes. */
        return eksauth_fail(err, EKSAUTH_EINVAL, "url host: invalid character at offset %zu", end);
    }
    host_len = end - start;
    if (host_len == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "url host: empty host");
    if (host_len >= sizeof(out->host))
        return eksauth_fail(err, EKSAUTH_EINVAL, "url host: host of %zu bytes is too long",
                            host_len);
    memcpy(out->host, url + start, host_len);
    out->host[host_len] = '\0';
    *pos = end;
    return EKSAUTH_OK;
}

/* What a query byte is, one table lookup per byte. */
enum query_class {
    Q_COPY = 0, /* itself (0: the scan ORs classes together) */
    Q_PLUS,     /* a space, as in Go's ParseQuery */
    Q_PERCENT,  /* an escape */
    Q_AMP,      /* ends a parameter */
    Q_EQ,       /* ends a key */
    Q_SEMI,     /* refused: Go stopped taking ';' as a separator in 1.17 */
    Q_BAD,      /* refused: space, control, '#' and non-ASCII bytes */
};

/* Every byte not named here is Q_COPY. */
static const unsigned char query_class[256] = {
    [0x00 ... 0x20] = Q_BAD, /* control bytes and the space */
    ['#'] = Q_BAD,           /* a fragment */
    ['%'] = Q_PERCENT,       /* an escape */
    ['&'] = Q_AMP,           /* between parameters */
    ['+'] = Q_PLUS,          /* a space */
    [';'] = Q_SEMI,          /* no longer a separator */
    ['='] = Q_EQ,            /* between key and value */
    [0x7f ... 0xff] = Q_BAD, /* DEL, and every byte outside ASCII */
};

/*
 * Percent-decode the key (is_key: up to '=' or '&') or the value (up to '&')
 * at url[*pos] into out->storage, NUL-terminated, and point *dst and
 * *dst_len at it.  *pos ends on the byte that stopped it.  Inlined: it runs
 * twice per parameter on every login, and the calls cost as much as short keys.
 */
static inline __attribute__((always_inline)) enum eksauth_status
decode_component(const char *url, size_t *pos, size_t len, bool is_key, struct eksauth_url *out,
                 const char **dst, size_t *dst_len, struct eksauth_error *err)
{
    const unsigned char *src = (const unsigned char *)url;
    char *start = out->storage + out->storage_len, *w = start;
    char *last = out->storage + sizeof(out->storage) - 1; /* the NUL's place */
    enum eksauth_status st = EKSAUTH_OK;
    size_t i = *pos, run, run_end;
    int hi, lo;
    unsigned char c;

    for (;;) {
        /* The common case first: a run of plain bytes, as far as input and room allow. */
        run_end = len - i < (size_t)(last - w) ? len : i + (size_t)(last - w);
        run = i;
        /* Four bytes a step while all are plain (Q_COPY is 0), then one at a time. */
        while (run_end - run >= 4 && (query_class[src[run]] | query_class[src[run + 1]] |
                                      query_class[src[run + 2]] | query_class[src[run + 3]]) == 0)
            run += 4;
        while (run < run_end && query_class[src[run]] == Q_COPY)
            run++;
        memcpy(w, src + i, run - i);
        w += run - i;
        i = run;
        if (i == len)
            break;
        if (w == last) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "url query: query too long");
            goto out;
        }
        switch (query_class[src[i]]) {
        case Q_PLUS:
            *w++ = ' ';
            i++;
            continue;
        case Q_PERCENT:
            hi = len - i >= 3 ? hex_value(url[i + 1]) : -1;
            lo = hi >= 0 ? hex_value(url[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "url query: bad percent escape at offset %zu", i);
                goto out;
            }
            c = (unsigned char)(hi << 4 | lo);
            /*
             * An escaped control or non-ASCII byte is as foreign as a raw
             * one, and a %00 would cut the value short for C code.
             */
            if (c < 0x20 || c >= 0x7f) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "url query: escaped control or non-ASCII byte at offset %zu", i);
                goto out;
            }
            *w++ = (char)c;
            i += 3;
            continue;
        case Q_EQ:
            if (is_key)
                break;
            *w++ = '=';
            i++;
            continue;
        case Q_AMP:
            break;
        case Q_SEMI:
            st = eksauth_fail(err, EKSAUTH_EINVAL, "url query: literal ';' at offset %zu", i);
            goto out;
        default:
            /* Raw space, control and non-ASCII bytes: no signer leaves them unescaped. */
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "url query: space, control or non-ASCII byte at offset %zu", i);
            goto out;
        }
        break;
    }
    *dst = start;
    *dst_len = (size_t)(w - start);
    *w++ = '\0';
    *pos = i;
out:
    /* Count what was written, even on failure: the caller wipes it. */
    out->storage_len = (size_t)(w - out->storage);
    return st;
}

/* Split url[start..len) on '&' into key=value pairs, in one pass. */
static enum eksauth_status parse_query(const char *url, size_t start, size_t len,
                                       struct eksauth_url *out, struct eksauth_error *err)
{
    struct eksauth_url_param *param;
    enum eksauth_status st;
    size_t i = start;

    while (i < len) {
        if (url[i] == '&') {
            i++; /* an empty "&&" segment, skipped as Go skips it */
            continue;
        }
        if (out->n_params == EKSAUTH_URL_MAX_PARAMS)
            return eksauth_fail(err, EKSAUTH_EINVAL, "url query: more than %d parameters",
                                EKSAUTH_URL_MAX_PARAMS);
        param = &out->params[out->n_params];
        st = decode_component(url, &i, len, true, out, &param->key, &param->key_len, err);
        if (st != EKSAUTH_OK)
            return st;
        /* "key" alone has the value "": the value's decoding stops at once. */
        if (i < len && url[i] == '=')
            i++;
        st = decode_component(url, &i, len, false, out, &param->value, &param->value_len, err);
        if (st != EKSAUTH_OK)
            return st;
        out->n_params++;
    }
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_url_parse(const char *url, size_t len, struct eksauth_url *out,
                                      struct eksauth_error *err)
{
    size_t host_end;
    enum eksauth_status st;

    if (out == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "url query: no output");
    out->host[0] = '\0';
    out->n_params = 0;
    out->storage_len = 0;
    if (url == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "url scheme: no URL");
    if (len > EKSAUTH_URL_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "url query: URL of %zu bytes is too long", len);
    st = check_scheme(url, len, err);
    if (st != EKSAUTH_OK)
        return st;
    /* A fragment is never sent, so the signer could not have signed it: refuse it outright. */
    if (memchr(url + SCHEME_LEN, '#', len - SCHEME_LEN) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "url fragment: URL has a fragment");

    host_end = SCHEME_LEN;
    st = parse_host(url, len, &host_end, out, err);
    if (st != EKSAUTH_OK)
        return st;

    /* STS answers GetCallerIdentity on "/" only; any other path is not that call. */
    if (host_end == len || url[host_end] != '/')
        return eksauth_fail(err, EKSAUTH_EINVAL, "url path: path is empty, not \"/\"");
    if (host_end + 1 < len && url[host_end + 1] != '?')
        return eksauth_fail(err, EKSAUTH_EINVAL, "url path: path is not \"/\"");
    if (host_end + 1 == len)
        return EKSAUTH_OK;
    return parse_query(url, host_end + 2, len, out, err);
}
