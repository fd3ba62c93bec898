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
 * Whether body holds "\u0000", the escape of a NUL, in a string or a key.
 * json-c keeps it inside a value's string, where C reads only what comes
 * before it (an access entry's username, a group: cut into another name),
 * and cuts a key at it ("username\u0000" a second "username", whose value
 * replaces the first's): read on the text, since a key's cut is gone once
 * parsed.  In valid JSON a '\' is in a string, and of a run of them the
 * last escapes the next byte when the run is odd.
 */
static bool escaped_nul(const char *body, size_t len)
{
    size_t i = 0, run;

    while (i < len) {
        for (run = 0; i < len && body[i] == '\\'; i++)
            run++;
        if (run % 2 == 1 && len - i >= 5 && memcmp(body + i, "u0000", 5) == 0)
            return true;
        if (run == 0)
            i++;
    }
    return false;
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
    if (escaped_nul(body, len)) {
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
