/*
 * template.c - render the aws-auth username and group templates in one
 * left-to-right pass (token-rules.md §5.4 and eksauth's decisions 5, 8).
 *
 * Upstream runs one ReplaceAll per placeholder, each over the output of
 * the one before, and leaves unknown placeholders as literal text.  Here a
 * substituted value is never scanned again, and anything between "{{" and
 * "}}" that is not a known placeholder is an error, so a typo cannot turn
 * into a literal "{{SesionName}}" username that someone could then claim.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "eksauth/template.h"

enum placeholder {
    PH_ACCOUNT_ID,
    PH_SESSION_NAME,
    PH_SESSION_NAME_RAW,
    PH_ACCESS_KEY_ID,
    PH_EC2_PRIVATE_DNS_NAME,
    PH_UNKNOWN,
};

static const char *const placeholder_names[] = {
    [PH_ACCOUNT_ID] = "AccountID",
    [PH_SESSION_NAME] = "SessionName",
    [PH_SESSION_NAME_RAW] = "SessionNameRaw",
    [PH_ACCESS_KEY_ID] = "AccessKeyID",
    [PH_EC2_PRIVATE_DNS_NAME] = "EC2PrivateDNSName",
};

/* The placeholder called name[0..len): exact and case-sensitive, as upstream. */
static enum placeholder placeholder_find(const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < PH_UNKNOWN; i++) {
        if (strlen(placeholder_names[i]) == len && memcmp(placeholder_names[i], name, len) == 0)
            return (enum placeholder)i;
    }
    return PH_UNKNOWN;
}

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

/* Where a rendered string goes; a NULL buf only checks (validate). */
struct sink {
    char *buf;
    size_t cap, len;
    bool overflow;
};

/* Append s[0..n), replacing '@' with '-' when at_to_dash. */
static void sink_put(struct sink *o, const char *s, size_t n, bool at_to_dash)
{
    size_t i;

    if (o->buf == NULL)
        return;
    if (n >= o->cap - o->len) {
        o->overflow = true;
        return;
    }
    for (i = 0; i < n; i++)
        o->buf[o->len + i] = at_to_dash && s[i] == '@' ? '-' : s[i];
    o->len += n;
    o->buf[o->len] = '\0';
}

/*
 * The one scanner behind render and validate.  With p == NULL only the
 * syntax is checked and every known placeholder passes; with a principal
 * each placeholder is resolved and refused where the rules say so.
 * Failures return st (EREJECTED for render, EINVAL for validate).
 */
static enum eksauth_status scan(const char *tmpl, const struct eksauth_principal *p,
                                enum eksauth_template_use use, struct sink *o,
                                enum eksauth_status st, struct eksauth_error *err)
{
    const char *c = tmpl, *open, *name, *close, *value;
    enum placeholder ph;
    size_t name_len;

    if (tmpl == NULL)
        return eksauth_fail(err, st, "template: no template given");
    while ((open = strstr(c, "{{")) != NULL) {
        sink_put(o, c, (size_t)(open - c), false);
        name = open + 2;
        close = strstr(name, "}}");
        if (close == NULL)
            return eksauth_fail(err, st, "template: unterminated \"{{\" at byte %zu of \"%.64s\"",
                                (size_t)(open - tmpl), tmpl);
        name_len = (size_t)(close - name);
        ph = placeholder_find(name, name_len);
        if (ph == PH_UNKNOWN)
            return eksauth_fail(err, st, "template: unknown placeholder {{%.*s}}",
                                name_len > 64 ? 64 : (int)name_len, name);
        /* Node identity through EC2 lookups is not implemented: refuse, never guess. */
        if (ph == PH_EC2_PRIVATE_DNS_NAME && p != NULL)
            return eksauth_fail(
                err, st,
                "template: {{EC2PrivateDNSName}}: EC2PrivateDNSName not supported yet (needs EC2 "
                "lookups)");
        /*
         * A login name must stay the same from one login to the next; the
         * access key id of temporary credentials changes every session.
         */
        if (ph == PH_ACCESS_KEY_ID && use == EKSAUTH_TEMPLATE_USERNAME && p != NULL)
            return eksauth_fail(
                err, st,
                "template: {{AccessKeyID}} is refused in usernames: it changes every session");
        if (p != NULL) {
            switch (ph) {
            case PH_ACCOUNT_ID:
                value = or_empty(p->account);
                break;
            case PH_SESSION_NAME:
            case PH_SESSION_NAME_RAW:
                value = or_empty(p->session_name);
                break;
            case PH_ACCESS_KEY_ID:
                value = or_empty(p->access_key_id);
                break;
            default:
                value = "";
                break;
            }
            /*
             * An empty value would make distinct identities render alike
             * ("admin:" for every IAM user under admin:{{SessionName}}).
             */
            if (value[0] == '\0')
                return eksauth_fail(err, st, "template: {{%s}} is empty for this identity",
                                    placeholder_names[ph]);
            sink_put(o, value, strlen(value), ph == PH_SESSION_NAME);
        }
        c = close + 2;
    }
    sink_put(o, c, strlen(c), false);
    if (o->overflow)
        return eksauth_fail(err, st, "template: the result is longer than %zu bytes", o->cap - 1);
    return EKSAUTH_OK;
}

bool eksauth_template_has_placeholder(const char *s)
{
    return s != NULL && strstr(s, "{{") != NULL;
}

enum eksauth_status eksauth_template_render(const char *tmpl, const struct eksauth_principal *p,
                                            enum eksauth_template_use use, char *out, size_t outlen,
                                            struct eksauth_error *err)
{
    struct sink o = {out, outlen, 0, false};
    enum eksauth_status st;

    if (tmpl == NULL || out == NULL || outlen == 0 || p == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "template: no template, principal or buffer");
    out[0] = '\0';
    st = scan(tmpl, p, use, &o, EKSAUTH_EREJECTED, err);
    if (st != EKSAUTH_OK)
        out[0] = '\0'; /* never hand back half a name */
    return st;
}

enum eksauth_status eksauth_template_validate(const char *tmpl, enum eksauth_template_use use,
                                              struct eksauth_error *err)
{
    struct sink o = {NULL, 0, 0, false};

    return scan(tmpl, NULL, use, &o, EKSAUTH_EINVAL, err);
}
