/*
 * json_secret.c - JSON that holds a secret, read without leaving a copy in
 * freed memory (see json_secret.h).
 */
#include "config.h"

#include <json-c/printbuf.h>
#include <openssl/crypto.h>

#include "eksauth/json_secret.h"

struct json_tokener *eksauth_json_secret_tokener(int depth, size_t len)
{
    struct json_tokener *tk;

    if (len > EKSAUTH_JSON_SECRET_MAX)
        return NULL;
    tk = json_tokener_new_ex(depth);
    if (tk == NULL)
        return NULL;
    /*
     * A string is at most as long as the text and json-c appends it with
     * its NUL, so len + 2 bytes never grow: no block holding part of a
     * secret is left to realloc.  json_tokener.h marks the tokener's
     * members as json-c's own; its buffer (pb) is a printbuf of
     * printbuf.h, and sizing it before the parse is the only way to keep
     * json-c from moving it.
     */
    if (printbuf_memset(tk->pb, 0, 0, (int)len + 2) < 0) {
        json_tokener_free(tk);
        return NULL;
    }
    printbuf_reset(tk->pb);
    return tk;
}

/* Zero each string in o (nesting is the tokener's, bounded by its depth). */
static void wipe_strings(struct json_object *o)
{
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_string:
        OPENSSL_cleanse((char *)json_object_get_string(o), (size_t)json_object_get_string_len(o));
        break;
    case json_type_object: {
        json_object_object_foreach(o, key, v)
        {
            (void)key;
            wipe_strings(v);
        }
        break;
    }
    case json_type_array:
        n = json_object_array_length(o);
        for (i = 0; i < n; i++)
            wipe_strings(json_object_array_get_idx(o, i));
        break;
    default:
        break;
    }
}

void eksauth_json_secret_wipe(struct json_tokener *tk, struct json_object *obj)
{
    int i;

    wipe_strings(obj);
    if (tk == NULL)
        return;
    /* A text that ended too soon: each level's unfinished value, freed with the tokener. */
    for (i = 0; i <= tk->depth && i < tk->max_depth; i++)
        wipe_strings(tk->stack[i].current);
    if (tk->pb != NULL && tk->pb->buf != NULL && tk->pb->size > 0)
        OPENSSL_cleanse(tk->pb->buf, (size_t)tk->pb->size);
}
