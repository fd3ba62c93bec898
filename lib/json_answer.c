/*
 * json_answer.c - reading a server's JSON answer (see json_answer.h).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "eksauth/json_answer.h"

bool eksauth_json_answer_visible(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
    }
    return true;
}

/*
 * Whether every string in o is whole as a C string: "\u0000" decodes to a
 * NUL inside one, and a name read as a C string would be cut there (an
 * access entry's username, a group) into another name.  Nesting is the
 * tokener's, bounded by its depth.
 */
static bool strings_whole(struct json_object *o)
{
    size_t i, n;

    switch (json_object_get_type(o)) {
    case json_type_string:
        return strlen(json_object_get_string(o)) == (size_t)json_object_get_string_len(o);
    case json_type_object: {
        json_object_object_foreach(o, key, v)
        {
            (void)key;
            if (!strings_whole(v))
                return false;
        }
        return true;
    }
    case json_type_array:
        n = json_object_array_length(o);
        for (i = 0; i < n; i++) {
            if (!strings_whole(json_object_array_get_idx(o, i)))
                return false;
        }
        return true;
    default:
        return true;
    }
}

struct json_object *eksauth_json_answer_read(const char *body, size_t len, size_t max, int depth,
                                             const char **why)
{
    struct json_tokener *tk;
    struct json_object *obj = NULL;
    size_t i, end;

    if (why != NULL)
        *why = "not JSON";
    if (body == NULL || len == 0 || len > max || len > INT32_MAX || memchr(body, '\0', len) != NULL)
        return NULL;
    tk = json_tokener_new_ex(depth);
    if (tk == NULL)
        return NULL;
    obj = json_tokener_parse_ex(tk, body, (int)len);
    if (json_tokener_get_error(tk) == json_tokener_continue) {
        if (why != NULL)
            *why = "truncated JSON";
        goto fail;
    }
    if (obj == NULL || json_tokener_get_error(tk) != json_tokener_success)
        goto fail;
    if (!strings_whole(obj)) {
        if (why != NULL)
            *why = "a string holding \\u0000";
        goto fail;
    }
    /* Trailing data would be a second answer: which one counts would be a guess. */
    end = json_tokener_get_parse_end(tk);
    for (i = end; i < len; i++) {
        if (body[i] != ' ' && body[i] != '\t' && body[i] != '\r' && body[i] != '\n')
            goto fail;
    }
    json_tokener_free(tk);
    return obj;
fail:
    json_object_put(obj);
    json_tokener_free(tk);
    return NULL;
}

struct json_object *eksauth_json_answer_parse(const char *body, size_t len, size_t max)
{
    return eksauth_json_answer_read(body, len, max, EKSAUTH_JSON_ANSWER_DEPTH, NULL);
}

const char *eksauth_json_answer_str(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

struct json_object *eksauth_json_answer_obj(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) ||
        !json_object_is_type(v, json_type_object))
        return NULL;
    return v;
}

bool eksauth_json_answer_optional(struct json_object *o, const char *key, enum json_type type,
                                  struct json_object **v)
{
    *v = NULL;
    if (!json_object_object_get_ex(o, key, v) || *v == NULL ||
        json_object_is_type(*v, json_type_null)) {
        *v = NULL;
        return true;
    }
    if (!json_object_is_type(*v, type)) {
        *v = NULL;
        return false;
    }
    return true;
}

void eksauth_json_answer_safe_copy(const char *s, size_t n, char *out, size_t outlen)
{
    size_t i, o = 0;

    if (outlen == 0)
        return;
    for (i = 0; i < n && o + 1 < outlen; i++)
        out[o++] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
    out[o] = '\0';
}
