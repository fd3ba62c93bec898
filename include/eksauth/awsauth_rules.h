/*
 * awsauth_rules.h - how the cluster reads and matches the values of an
 * aws-auth entry, for eksauth to read them alike (docs/aws-auth.md;
 * docs/token-rules.md, decisions 5 and 6).  Pure: strings in, answers out.
 * awsauth_read.h walks a document and applies these rules to each entry.
 */
#ifndef EKSAUTH_AWSAUTH_RULES_H
#define EKSAUTH_AWSAUTH_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/arn.h"
#include "eksauth/status.h"

/*
 * What the cluster's YAML reader (go-yaml v2: YAML 1.1) makes of a plain
 * (unquoted) scalar v, NUL-terminated, len bytes, that is not a string: "a
 * boolean", "a number", or NULL when it is a string.  A value that is not
 * a string leaves a string field empty there, so it is never read as the
 * string it looks like.
 */
const char *eksauth_awsauth_plain_kind(const char *v, size_t len);

/*
 * Whether the plain scalar v is one go-yaml reads as an infinity or NaN
 * (.inf, -.Inf, .NaN, ...): JSON has no such number, so the cluster's
 * YAML-to-JSON step fails on a value that holds one.
 */
bool eksauth_awsauth_plain_nonfinite(const char *v);

/*
 * Whether the plain scalar v, NUL-terminated, is one YAML reads as null:
 * "", "~", "null", "Null", "NULL".
 */
bool eksauth_awsauth_plain_null(const char *v);

/*
 * k[0..klen) folded as the cluster's JSON decoder folds a key before it
 * compares it with a field name (ASCII letters to upper case; 'ſ' to S and
 * the Kelvin sign to K), into out (outcap bytes, NUL-terminated).  False
 * when the result can be no field name; *unicode: one of the two folded.
 */
bool eksauth_awsauth_fold_key(const char *k, size_t klen, char *out, size_t outcap, bool *unicode);

/*
 * The ARN of an entry, parsed as the cluster reads it (its case-insensitive
 * sections in lower case, names as written).  EKSAUTH_EINVAL with the
 * reason in why (whylen bytes) when it is no ARN.
 */
enum eksauth_status eksauth_awsauth_entry_arn(const char *arn_text, struct eksauth_arn *arn,
                                              char *why, size_t whylen);

/*
 * Why the cluster never matches an entry with this ARN (a role path, a
 * session's ARN), or NULL; hint (hintlen bytes) gets the ARN to write.
 */
const char *eksauth_awsauth_never_matches(const struct eksauth_arn *arn, char *hint,
                                          size_t hintlen);

/*
 * Whether template tmpl holds {{SessionName}} or {{SessionNameRaw}}; out
 * (outlen bytes) gets it with those rendered empty, as the cluster renders
 * them for a principal without a session name.
 */
bool eksauth_awsauth_empty_session(const char *tmpl, char *out, size_t outlen);

#endif
