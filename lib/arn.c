/*
 * arn.c - parse and canonicalise the ARN of an IAM or STS principal
 * (docs/token-rules.md, "The identity from STS's answer").  An assumed-role
 * ARN becomes the role's IAM ARN; the lookup key is the canonical ARN in
 * lower case, as the cluster compares it with aws-auth's ARNs: whole,
 * ignoring case (docs/aws-auth.md, "Matching").
 *
 * Stricter than upstream, each on purpose (a config entry that fails here
 * is skipped with a warning instead of silently never matching):
 *  - only printable ASCII, and no '{' or '}' (a placeholder such as
 *    {{aws-account-id}} left in a config makes the entry malformed);
 *  - the region must be empty (IAM and STS principals never carry one);
 *  - the account must be exactly 12 digits;
 *  - names and session names use IAM's name characters [A-Za-z0-9_+=,.@-];
 *    path segments are non-empty; root is exactly "root".
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/arn.h"
#include "eksauth/ascii.h"
#include "eksauth/partition.h"

/* An ARN split into its six ':' sections (the resource may hold ':'). */
struct arn_parts {
    const char *partition, *service, *region, *account, *resource;
    size_t partition_len, service_len, region_len, account_len, resource_len;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* IAM's character set for user, role, federated-user and session names. */
static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           (c != '\0' && strchr("_+=,.@-", c) != NULL);
}

static bool span_is(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

/* Printable ASCII other than space: whitespace, control bytes and non-ASCII never are in an ARN. */
static bool arn_chars_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c <= 0x20 || c >= 0x7f)
            return false;
    }
    return true;
}

static bool name_ok(const char *s, size_t len)
{
    size_t i;

    if (len == 0)
        return false;
    for (i = 0; i < len; i++) {
        if (!is_name_char(s[i]))
            return false;
    }
    return true;
}

/*
 * The token path's rule for a session name, the last segment of an
 * assumed-role ARN: IAM's name characters, 1 to 127 of them (what the
 * session_name field holds).  STS itself gives 2 to 64; the longer limit
 * is this parser's, kept so that no session STS gives is refused.
 */
bool eksauth_arn_session_name_ok(const char *s, size_t len)
{
    return len < sizeof(((struct eksauth_arn *)NULL)->session_name) && name_ok(s, len);
}

/* "arn:P:S:R:A:RESOURCE" -> parts; false when a section is missing. */
static bool split_arn(const char *s, struct arn_parts *p)
{
    const char *start[6]; /* where "arn", P, S, R, A and RESOURCE begin */
    size_t i;

    start[0] = s;
    for (i = 1; i < 6; i++) {
        start[i] = strchr(start[i - 1], ':');
        if (start[i] == NULL)
            return false;
        start[i]++;
    }
    p->partition = start[1];
    p->partition_len = (size_t)(start[2] - start[1] - 1);
    p->service = start[2];
    p->service_len = (size_t)(start[3] - start[2] - 1);
    p->region = start[3];
    p->region_len = (size_t)(start[4] - start[3] - 1);
    p->account = start[4];
    p->account_len = (size_t)(start[5] - start[4] - 1);
    p->resource = start[5];
    p->resource_len = strlen(start[5]);
    return true;
}

/*
 * The segments of res[0..len), the part after "TYPE/": all non-empty (IAM
 * paths never hold "//") and the last one made of name characters.  Returns
 * how many there are, 0 when the shape is wrong; *last is the last one.
 */
static size_t check_segments(const char *res, size_t len, const char **last, size_t *last_len)
{
    size_t n = 0, start = 0, i;

    for (i = 0; i <= len; i++) {
        if (i < len && res[i] != '/')
            continue;
        if (i == start)
            return 0;
        n++;
        *last = res + start;
        *last_len = i - start;
        start = i + 1;
    }
    return name_ok(*last, *last_len) ? n : 0;
}

/* canonical = "arn:P:iam::A:role/ROLE" for an assumed role. */
static void make_role_arn(struct eksauth_arn *out, const char *role, size_t role_len)
{
    size_t n = 0;

#define APPEND(str, len)                                                                           \
    do {                                                                                           \
        memcpy(out->canonical + n, (str), (len));                                                  \
        n += (len);                                                                                \
    } while (0)
    APPEND("arn:", 4);
    APPEND(out->partition, strlen(out->partition));
    APPEND(":iam::", 6);
    APPEND(out->account, 12);
    APPEND(":", 1);
    APPEND("role/", 5);
    APPEND(role, role_len);
#undef APPEND
    out->canonical[n] = '\0';
}

enum eksauth_status eksauth_arn_parse(const char *s, struct eksauth_arn *out,
                                      struct eksauth_error *err)
{
    struct arn_parts p;
    const char *type, *slash, *last = NULL, *role, *role_name;
    size_t len, type_len, rest_len = 0, nseg = 0, last_len = 0, role_len, i;

    if (s == NULL || out == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: no ARN given");
    out->canonical[0] = out->key[0] = out->session_name[0] = '\0';
    len = strnlen(s, EKSAUTH_ARN_MAX);
    if (len == 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: empty");
    if (len >= EKSAUTH_ARN_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: longer than %d bytes", EKSAUTH_ARN_MAX - 1);
    /*
     * Whitespace and control bytes would let two strings that print alike
     * differ (and must never reach a log line); the message does not echo s.
     */
    if (!arn_chars_ok(s, len))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "arn: contains whitespace, a control byte or non-ASCII");
    /* Braces only appear in a placeholder left unfilled: {{aws-account-id}}. */
    if (strpbrk(s, "{}") != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "arn: '%s' contains '{' or '}' (a placeholder left unfilled?)", s);
    if (strncmp(s, "arn:", 4) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s' does not start with \"arn:\"", s);
    if (!split_arn(s, &p))
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s' has fewer than 6 sections", s);

    if (eksauth_partition_find_n(p.partition, p.partition_len) == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s' does not have a recognized partition",
                            s);
    /* IAM and STS are global: their principals' ARNs never name a region. */
    if (p.region_len != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "arn: '%s' has a region; IAM and STS ARNs have none", s);
    /*
     * Stricter than upstream, which does not look at the account: an AWS
     * account id is always 12 digits, and requiring it catches placeholders
     * and typos that would otherwise never match.
     */
    for (i = 0; i < p.account_len && is_digit(p.account[i]); i++)
        ;
    if (p.account_len != 12 || i != 12)
        return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s': the account must be 12 digits", s);
    if (!span_is(p.service, p.service_len, "iam") && !span_is(p.service, p.service_len, "sts"))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "arn: '%s': service '%.*s' is not a service for identities", s,
                            (int)p.service_len, p.service);

    type = p.resource;
    slash = memchr(type, '/', p.resource_len);
    type_len = slash != NULL ? (size_t)(slash - type) : p.resource_len;
    if (slash != NULL) {
        rest_len = p.resource_len - type_len - 1;
        nseg = check_segments(slash + 1, rest_len, &last, &last_len);
    }

    memcpy(out->partition, p.partition, p.partition_len);
    out->partition[p.partition_len] = '\0';
    memcpy(out->account, p.account, 12);
    out->account[12] = '\0';
    memcpy(out->resource, p.resource, p.resource_len + 1);

    if (span_is(p.service, p.service_len, "iam")) {
        if (span_is(type, type_len, "root"))
            out->type = EKSAUTH_ARN_ROOT;
        else if (span_is(type, type_len, "role"))
            out->type = EKSAUTH_ARN_ROLE;
        else if (span_is(type, type_len, "user"))
            out->type = EKSAUTH_ARN_USER;
        else
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "arn: '%s': unrecognized resource '%.*s' for service iam", s,
                                (int)type_len, type);
    } else if (span_is(type, type_len, "assumed-role")) {
        out->type = EKSAUTH_ARN_ASSUMED_ROLE;
    } else if (span_is(type, type_len, "federated-user")) {
        out->type = EKSAUTH_ARN_FEDERATED_USER;
    } else {
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "arn: '%s': unrecognized resource '%.*s' for service sts", s,
                            (int)type_len, type);
    }

    switch (out->type) {
    case EKSAUTH_ARN_ROOT:
        /* Exactly "root": upstream also takes "root/x", which no principal has. */
        if (slash != NULL)
            return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s': root takes no name", s);
        memcpy(out->canonical, s, len + 1);
        break;
    case EKSAUTH_ARN_ROLE:
    case EKSAUTH_ARN_USER:
    case EKSAUTH_ARN_FEDERATED_USER:
        if (nseg == 0 || (out->type == EKSAUTH_ARN_FEDERATED_USER && nseg != 1))
            return eksauth_fail(
                err, EKSAUTH_EINVAL, "arn: '%s': a %s needs a name of [A-Za-z0-9_+=,.@-]%s", s,
                eksauth_arn_type_name(out->type),
                out->type == EKSAUTH_ARN_FEDERATED_USER ? "" : " after an optional path");
        memcpy(out->canonical, s, len + 1);
        break;
    case EKSAUTH_ARN_ASSUMED_ROLE:
        /* assumed-role/ROLE/SESSION, where ROLE may hold a path (upstream joins the middle). */
        if (nseg < 2)
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "arn: assumed-role arn '%s' does not have a role and a session", s);
        role = slash + 1;
        role_len = rest_len - last_len - 1;
        /* The last '/' of the role part (memrchr is glibc's: the client builds elsewhere). */
        for (role_name = role + role_len; role_name > role && role_name[-1] != '/'; role_name--)
            ;
        if (!name_ok(role_name, (size_t)(role + role_len - role_name)))
            return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s': the role name is not valid", s);
        /* check_segments took its characters: only its length can fail here. */
        if (!eksauth_arn_session_name_ok(last, last_len))
            return eksauth_fail(err, EKSAUTH_EINVAL, "arn: '%s': the session name is too long", s);
        memcpy(out->session_name, last, last_len);
        out->session_name[last_len] = '\0';
        make_role_arn(out, role, role_len);
        break;
    }
    /* The cluster compares the canonical ARN, whole, ignoring case. */
    eksauth_ascii_lower_copy(out->key, out->canonical, strlen(out->canonical));
    return EKSAUTH_OK;
}

const char *eksauth_arn_type_name(enum eksauth_arn_type type)
{
    switch (type) {
    case EKSAUTH_ARN_ROLE:
        return "role";
    case EKSAUTH_ARN_USER:
        return "user";
    case EKSAUTH_ARN_ROOT:
        return "root";
    case EKSAUTH_ARN_ASSUMED_ROLE:
        return "assumed-role";
    case EKSAUTH_ARN_FEDERATED_USER:
        return "federated-user";
    }
    return "unknown";
}
