/*
 * query.h - a strict parser for the presigned STS URL inside a token:
 * "https://HOST/?k=v&k=v".  It refuses what Go's url.Parse would quietly
 * accept and what no real signer produces: a scheme other than lower-case
 * "https", userinfo, a port, a fragment, a path other than "/", control or
 * non-ASCII bytes, a bad percent escape, a literal ';' separator.
 *
 * Parameters are percent-decoded ('+' is a space, as in Go's ParseQuery);
 * empty "&&" segments are skipped, a key without '=' has the value "".
 */
#ifndef EKSAUTH_QUERY_H
#define EKSAUTH_QUERY_H

#include <stddef.h>

#include "eksauth/status.h"

#define EKSAUTH_URL_MAX_PARAMS 16
#define EKSAUTH_URL_MAX        4096

struct eksauth_url_param {
    const char *key; /* decoded, NUL-terminated, points into the url's storage */
    size_t key_len;
    const char *value;
    size_t value_len;
};

struct eksauth_url {
    char host[256]; /* as written: the host checks refuse upper case and a trailing dot */
    size_t n_params;
    struct eksauth_url_param params[EKSAUTH_URL_MAX_PARAMS];
    size_t storage_len;            /* bytes of storage written, even on failure: wipe these */
    char storage[EKSAUTH_URL_MAX]; /* decoded keys and values */
};

/*
 * Parse url[0..len).  On failure the message starts with the rule that
 * failed ("url scheme", "url userinfo", "url port", "url fragment",
 * "url path", "url query", "url host") and then a detail.  More than
 * EKSAUTH_URL_MAX_PARAMS parameters is a failure (only 9 are ever allowed).
 */
enum eksauth_status eksauth_url_parse(const char *url, size_t len, struct eksauth_url *out,
                                      struct eksauth_error *err);

#endif
