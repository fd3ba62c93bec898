/*
 * json_answer.h - reading a server's JSON answer (STS, the Kubernetes and
 * EKS APIs): exactly one JSON value under a size cap, typed fields, and the
 * server's text made safe to print.  Pure.
 */
#ifndef EKSAUTH_JSON_ANSWER_H
#define EKSAUTH_JSON_ANSWER_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/*
 * body[0..len) as one JSON value with only white space after it; NULL for
 * anything else: empty, longer than max, a NUL byte (raw, or "\u0000" in a
 * string or a key), bad or trailing data.
 * Free with json_object_put.
 */
struct json_object *eksauth_json_answer_parse(const char *body, size_t len, size_t max);

/* How deeply eksauth_json_answer_parse lets a value nest. */
#define EKSAUTH_JSON_ANSWER_DEPTH 64

/*
 * eksauth_json_answer_parse with the protocol's own nesting limit (depth
 * levels); on NULL, *why (when not NULL) says which refusal: "truncated
 * JSON" (body ends inside the value), "a string holding \u0000", or "not
 * JSON".
 */
struct json_object *eksauth_json_answer_read(const char *body, size_t len, size_t max, int depth,
                                             const char **why);

/* o[key] when o is an object and that member is a string (an object); else NULL. */
const char *eksauth_json_answer_str(struct json_object *o, const char *key);
struct json_object *eksauth_json_answer_obj(struct json_object *o, const char *key);

/*
 * An optional member: o[key] of the given type into *v, or *v = NULL when o
 * has no such member or it is JSON null (true), or when it is there with
 * another type (false: the caller names the member in its error).
 */
bool eksauth_json_answer_optional(struct json_object *o, const char *key, enum json_type type,
                                  struct json_object **v);

/* True when every byte of s[0..len) is visible ASCII or a space (0x20..0x7e). */
bool eksauth_json_answer_visible(const char *s, size_t len);

/*
 * s[0..n) into out, cut to outlen - 1 bytes, every byte outside 0x20..0x7e
 * replaced by '?': a server's text reaches a terminal and the journal.
 */
void eksauth_json_answer_safe_copy(const char *s, size_t n, char *out, size_t outlen);

#endif
