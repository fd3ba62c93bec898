/*
 * awsauth_rules.c - how the cluster reads and matches the values of an
 * aws-auth entry, for eksauth to read them alike (see awsauth_rules.h;
 * docs/aws-auth.md; docs/token-rules.md decisions 5 and 6): what its YAML
 * reader makes of a plain scalar, how its JSON decoder folds a key, which
 * ARNs it never matches, and what a template renders to without a session
 * name.  Pure: strings in, answers out; awsauth_read.c walks the document
 * and applies them.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "eksauth/ascii.h"
#include "eksauth/awsauth_rules.h"

/* ------------------------------------------------------------------------ */
/* Scalars and keys, as the cluster's Go decoders read them. */

/* s[0..len) is one or more of the characters of set. */
static bool all_of(const char *s, size_t len, const char *set)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (strchr(set, s[i]) == NULL || s[i] == '\0')
            return false;
    }
    return len > 0;
}

/* ^(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ after an optional sign: YAML 1.1's floats. */
static bool yaml11_float(const char *s, size_t len)
{
    size_t i = 0, digits = 0, e;

    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        digits++;
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits = digits == 0 ? 1 : digits; /* ".5" has its digits after the dot */
        if (digits == 0)
            return false;
    }
    if (digits == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (e = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == e)
            return false;
    }
    return i == len;
}

bool eksauth_awsauth_plain_nonfinite(const char *v)
{
    static const char *const specials[] = {
        ".inf",  ".Inf",  ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", ".nan", ".NaN",  ".NAN",  NULL,
    };
    size_t i;

    /* Every scalar of a value is asked: each special starts with one of three bytes. */
    if (v[0] != '.' && v[0] != '+' && v[0] != '-')
        return false;
    for (i = 0; specials[i] != NULL; i++) {
        if (strcmp(v, specials[i]) == 0)
            return true;
    }
    return false;
}

bool eksauth_awsauth_plain_null(const char *v)
{
    /* Every field of every entry is asked: the first byte settles most without a compare. */
    if (v[0] != '~' && v[0] != 'n' && v[0] != 'N')
        return v[0] == '\0';
    return strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

/*
 * What the cluster's YAML reader (go-yaml v2, YAML 1.1, then JSON) makes of
 * a plain scalar when it is not a string: "a boolean" (yes, No, on, OFF,
 * true, ...), "a number" (12, 0x1f, 0o17, 0b101, 1_000, 1.5e3, .inf, .nan)
 * or NULL for a string.  Such a value decoded into a string field is an
 * error there and leaves the field empty, so eksauth never reads it as the
 * string it looks like.  A superset of go-yaml's rules is fine: refusing
 * more is the safe side.
 */
const char *eksauth_awsauth_plain_kind(const char *v, size_t len)
{
    static const char *const bools[] = {
        "y",    "Y",     "yes",   "Yes",   "YES", "n",  "N",  "no",  "No",  "NO",  "true", "True",
        "TRUE", "false", "False", "FALSE", "on",  "On", "ON", "off", "Off", "OFF", NULL,
    };
    /* Every word of the two lists has at most 5 bytes: a longer value is none of them. */
    bool short_word = strnlen(v, 6) <= 5;
    char plain[64];
    const char *p;
    size_t i, m = 0;

    for (i = 0; short_word && bools[i] != NULL; i++) {
        if (strcmp(v, bools[i]) == 0)
            return "a boolean";
    }
    if (short_word && eksauth_awsauth_plain_nonfinite(v))
        return "a number";
    /* Numbers start with a sign, a digit or a dot; '_' is dropped before they are read. */
    if (len == 0 || strchr("+-.0123456789", v[0]) == NULL)
        return NULL;
    for (i = 0; i < len; i++) {
        if (v[i] == '_')
            continue;
        if (m >= sizeof(plain))
            return "a number"; /* long and numeric-looking: refusing is the safe side */
        plain[m++] = v[i];
    }
    p = plain;
    if (m > 0 && (p[0] == '+' || p[0] == '-')) {
        p++;
        m--;
    }
    if (m > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        all_of(p + 2, m - 2, "0123456789abcdefABCDEF"))
        return "a number";
    if (m > 2 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O') && all_of(p + 2, m - 2, "01234567"))
        return "a number";
    if (m > 2 && p[0] == '0' && (p[1] == 'b' || p[1] == 'B') && all_of(p + 2, m - 2, "01"))
        return "a number";
    return yaml11_float(p, m) ? "a number" : NULL;
}

/*
 * key folded as encoding/json folds a key before it compares it with a
 * field name: ASCII letters to upper case, and each other character to the
 * smallest of its Unicode case-fold set, which is ASCII only for 'ſ'
 * (U+017F, S) and the Kelvin sign (U+212A, K).  False when the result cannot
 * be a field name (another non-ASCII character, too long); *unicode tells
 * whether one of those two folded.
 */
bool eksauth_awsauth_fold_key(const char *k, size_t klen, char *out, size_t outcap, bool *unicode)
{
    size_t i = 0, n = 0;
    unsigned char c;

    *unicode = false;
    while (i < klen) {
        if (n + 1 >= outcap)
            return false;
        c = (unsigned char)k[i];
        if (c < 0x80) {
            out[n++] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : (char)c;
            i++;
        } else if (klen - i >= 2 && memcmp(k + i, "\xc5\xbf", 2) == 0) {
            out[n++] = 'S'; /* U+017F LATIN SMALL LETTER LONG S */
            i += 2;
            *unicode = true;
        } else if (klen - i >= 3 && memcmp(k + i, "\xe2\x84\xaa", 3) == 0) {
            out[n++] = 'K'; /* U+212A KELVIN SIGN */
            i += 3;
            *unicode = true;
        } else {
            return false; /* folds to no ASCII letter: no field name has it */
        }
    }
    out[n] = '\0';
    return true;
}

/* ------------------------------------------------------------------------ */
/* ARNs and templates, as the cluster matches and renders them. */

/*
 * The ARN of an entry, checked: *arn is arn_text parsed with its
 * case-insensitive sections (arn:PARTITION:SERVICE::ACCOUNT:TYPE/) in lower
 * case, so that ARN:AWS:IAM::123456789012:ROLE/ReadOnly parses as the
 * cluster reads it; names keep their case for messages.
 */
enum eksauth_status eksauth_awsauth_entry_arn(const char *arn_text, struct eksauth_arn *arn,
                                              char *why, size_t whylen)
{
    char norm[EKSAUTH_ARN_MAX];
    struct eksauth_error e;
    size_t i, len = strlen(arn_text), colons = 0;
    bool lower = true;

    if (len >= sizeof(norm)) {
        snprintf(why, whylen, "arn: longer than %d bytes", EKSAUTH_ARN_MAX - 1);
        return EKSAUTH_EINVAL;
    }
    for (i = 0; i <= len; i++) {
        norm[i] = lower ? eksauth_ascii_lower(arn_text[i]) : arn_text[i];
        colons += arn_text[i] == ':';
        if (colons >= 5 && arn_text[i] == '/')
            lower = false; /* the resource type ends here; names keep their case */
    }
    if (eksauth_arn_parse(norm, arn, &e) != EKSAUTH_OK) {
        snprintf(why, whylen, "%s", e.msg);
        return EKSAUTH_EINVAL;
    }
    return EKSAUTH_OK;
}

/*
 * Why the cluster never matches an entry with this ARN, or NULL.  It
 * compares the entry's ARN as written with the caller's canonical ARN, and
 * STS names an assumed role as assumed-role/NAME/SESSION, without the
 * role's path: a role ARN with a path, or an entry written as a session's
 * ARN, is equal to no canonical ARN.  *hint gets the ARN to write instead.
 */
const char *eksauth_awsauth_never_matches(const struct eksauth_arn *arn, char *hint, size_t hintlen)
{
    const char *name = strrchr(arn->canonical, '/');

    if (arn->type == EKSAUTH_ARN_ROLE &&
        strchr(arn->resource, '/') != strrchr(arn->resource, '/')) {
        snprintf(hint, hintlen, "arn:%s:iam::%s:role/%s", arn->partition, arn->account, name + 1);
        return "has a role path: the cluster never matches it (STS names an assumed role without "
               "its path)";
    }
    if (arn->type == EKSAUTH_ARN_ASSUMED_ROLE) {
        snprintf(hint, hintlen, "arn:%s:iam::%s:role/%s", arn->partition, arn->account, name + 1);
        return "is the ARN of a role's session: the cluster never matches it (it compares the "
               "role's ARN)";
    }
    return NULL;
}

/* tmpl with {{SessionName}} and {{SessionNameRaw}} rendered empty, as the cluster renders them. */
bool eksauth_awsauth_empty_session(const char *tmpl, char *out, size_t outlen)
{
    static const char *const ph[] = {"{{SessionName}}", "{{SessionNameRaw}}"};
    const char *c = tmpl, *at;
    size_t n = 0, k, best_len;
    bool found = false;

    out[0] = '\0';
    for (;;) {
        at = NULL;
        best_len = 0;
        for (k = 0; k < 2; k++) {
            const char *hit = strstr(c, ph[k]);

            if (hit != NULL && (at == NULL || hit < at)) {
                at = hit;
                best_len = strlen(ph[k]);
            }
        }
        if (at == NULL)
            break;
        found = true;
        /* Past the end, only the length is counted: no pointer beyond out is formed. */
        n += (size_t)snprintf(n < outlen ? out + n : NULL, n < outlen ? outlen - n : 0, "%.*s",
                              (int)(at - c), c);
        c = at + best_len;
    }
    if (n < outlen)
        snprintf(out + n, outlen - n, "%s", c);
    return found;
}
