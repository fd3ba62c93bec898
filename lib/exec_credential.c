/*
 * exec_credential.c - the token inside a Kubernetes ExecCredential (see
 * exec_credential.h).
 */
#include "config.h"

#include <string.h>

#include <openssl/crypto.h>

#include <json-c/json.h>

#include "eksauth/exec_credential.h"
#include "eksauth/json_secret.h"
#include "eksauth/pieces.h"
#include "eksauth/timeutil.h"

bool eksauth_exec_credential_is_json(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len && eksauth_pieces_is_blank(text[i]))
        i++;
    return i < len && text[i] == '{';
}

enum eksauth_status eksauth_exec_credential_token(const char *json, size_t len, char *token,
                                                  size_t tokenmax, size_t *tlen, time_t *expires,
                                                  struct eksauth_error *err)
{
    struct json_tokener *jt = NULL;
    struct json_object *root = NULL, *status = NULL, *tok = NULL, *exp = NULL;
    enum eksauth_status st = EKSAUTH_EINVAL;
    size_t n;
    time_t t;

    *tlen = 0;
    *expires = 0;
    /* json-c's copies of the token are wiped before they are freed (json_secret.h). */
    if (len <= EKSAUTH_JSON_SECRET_MAX) {
        if ((jt = eksauth_json_secret_tokener(JSON_TOKENER_DEFAULT_DEPTH, len)) == NULL)
            return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        root = json_tokener_parse_ex(jt, json, (int)len);
    }
    if (root == NULL || !json_object_object_get_ex(root, "status", &status) ||
        !json_object_object_get_ex(status, "token", &tok) ||
        !json_object_is_type(tok, json_type_string)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "JSON without status.token (not an ExecCredential)");
        goto out;
    }
    n = (size_t)json_object_get_string_len(tok);
    /* Callers hand the token on by length and as a C string: the two must agree. */
    if (memchr(json_object_get_string(tok), '\0', n) != NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "the ExecCredential's token holds a NUL byte");
        goto out;
    }
    if (n + 1 > tokenmax) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "the ExecCredential's token is too long (%zu bytes)",
                          n);
        goto out;
    }
    memcpy(token, json_object_get_string(tok), n);
    token[n] = '\0';
    *tlen = n;
    if (json_object_object_get_ex(status, "expirationTimestamp", &exp) &&
        json_object_is_type(exp, json_type_string) &&
        eksauth_time_parse(json_object_get_string(exp), &t, NULL) == EKSAUTH_OK)
        *expires = t;
    st = EKSAUTH_OK;
out:
    /* json-c's copies are the token too: its string, its tokener's buffer. */
    eksauth_json_secret_wipe(jt, root);
    json_object_put(root);
    if (jt != NULL)
        json_tokener_free(jt);
    return st;
}

enum eksauth_status eksauth_token_from_output(const char *text, size_t len, char *token,
                                              size_t tokenmax, size_t *tlen, time_t *expires,
                                              struct eksauth_error *err)
{
    size_t start = 0, end = len;
    enum eksauth_status st;

    *tlen = 0;
    *expires = 0;
    while (start < end && eksauth_pieces_is_blank(text[start]))
        start++;
    while (end > start && eksauth_pieces_is_blank(text[end - 1]))
        end--;
    if (end == start)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND, "nothing but blanks");
    /* What `aws eks get-token` prints whole (some AWS CLIs ignore --query): its token. */
    if (eksauth_exec_credential_is_json(text + start, end - start)) {
        st = eksauth_exec_credential_token(text + start, end - start, token, tokenmax, tlen,
                                           expires, err);
        if (st != EKSAUTH_OK && tokenmax > 0)
            OPENSSL_cleanse(token, tokenmax);
        return st;
    }
    if (end - start + 1 > tokenmax) {
        if (tokenmax > 0)
            OPENSSL_cleanse(token, tokenmax);
        return eksauth_fail(err, EKSAUTH_EINVAL, "a token of %zu bytes is too long", end - start);
    }
    memcpy(token, text + start, end - start);
    token[end - start] = '\0';
    *tlen = end - start;
    return EKSAUTH_OK;
}
