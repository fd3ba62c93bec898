/*
 * json_secret.h - JSON that holds a secret (an ExecCredential's token,
 * instance metadata's keys), read with json-c without leaving a copy in
 * freed memory.  json-c copies each string it reads twice: into the
 * tokener's buffer, which grows by realloc (the block it leaves is freed
 * by the C library, out of anyone's reach) and keeps the last long string
 * whole, and into the string's object; it frees both without wiping.
 * Not covered: a key repeated in one object, whose earlier value json-c
 * frees as it reads the later one (json-c has no hook for it); aws eks
 * get-token and instance metadata repeat no key.
 * Pure.
 *
 *   tk = eksauth_json_secret_tokener(depth, len);
 *   obj = json_tokener_parse_ex(tk, text, (int)len);
 *   ...
 *   eksauth_json_secret_wipe(tk, obj);
 *   json_object_put(obj);
 *   json_tokener_free(tk);
 */
#ifndef EKSAUTH_JSON_SECRET_H
#define EKSAUTH_JSON_SECRET_H

#include <stddef.h>

#include <json-c/json.h>

/* The longest text eksauth_json_secret_tokener takes (json-c counts in int). */
#define EKSAUTH_JSON_SECRET_MAX (1024 * 1024)

/*
 * A tokener (depth levels of nesting) whose buffer already holds any
 * string of a text of len bytes, so it is never moved while the text is
 * read.  NULL when len is over EKSAUTH_JSON_SECRET_MAX or out of memory.
 * Free with json_tokener_free, after eksauth_json_secret_wipe.
 */
struct json_tokener *eksauth_json_secret_tokener(int depth, size_t len);

/*
 * Zero every string of obj (may be NULL), of the value tk had not finished
 * (a text that ended too soon: the parts json-c built are freed with tk),
 * and tk's buffer (tk may be NULL).  Frees nothing.
 */
void eksauth_json_secret_wipe(struct json_tokener *tk, struct json_object *obj);

#endif
