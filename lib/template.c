/*
 * template.c - render the aws-auth username and group templates in one
 * left-to-right pass (docs/aws-auth.md, "Templates").
 * {{EC2PrivateDNSName}} resolves only to this host's own instance (see
 * template.h): decision 5 refused it until now.
 *
 * Upstream runs one ReplaceAll per placeholder, each over the output of
 * the one before, and leaves unknown placeholders as literal text.  Here a
 * substituted value is never scanned again, and anything between "{{" and
 * "}}" that is not a known placeholder is an error, so a typo cannot turn
 * into a literal "{{SesionName}}" username that someone could then claim.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
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

/* Go's \w: [0-9A-Za-z_]. */
static bool word_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

bool eksauth_template_instance_id_valid(const char *s)
{
    size_t n, i;
    bool ok = false;

    if (s == NULL || strncmp(s, "i-", 2) != 0)
        goto out;
    n = strlen(s + 2);
    if (n != 8 && n != 17)
        goto out;
    for (i = 0; i < n; i++) {
        if (!word_char(s[2 + i]))
            goto out;
    }
    ok = true;
out:
    return ok;
}

bool eksauth_template_dns_name_valid(const char *s)
{
    size_t n, label = 0, i;
    bool ok = false;

    if (s == NULL || (n = strlen(s)) == 0 || n > 253)
        goto out;
    for (i = 0; i <= n; i++) {
        char c = s[i];

        if (c == '.' || c == '\0') {
            /* Empty labels and a '-' at either end of one are not DNS names. */
            if (label == 0 || label > 63 || s[i - 1] == '-' || s[i - label] == '-')
                goto out;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            goto out;
        label++;
    }
    ok = true;
out:
    return ok;
}

bool eksauth_template_needs_host_instance(const char *s)
{
    return s != NULL && strstr(s, EKSAUTH_TEMPLATE_EC2_PRIVATE_DNS_NAME) != NULL;
}

enum eksauth_status eksauth_template_bind_host(const char *tmpl, const char *dns_name, char *out,
                                               size_t outlen, struct eksauth_error *err)
{
    const char *ph = EKSAUTH_TEMPLATE_EC2_PRIVATE_DNS_NAME, *c = tmpl, *at;
    size_t len = 0;
    int n;

    out[0] = '\0';
    for (;;) {
        at = strstr(c, ph);
        n = snprintf(out + len, outlen - len, "%.*s%s",
                     (int)(at != NULL ? at - c : (long)strlen(c)), c, at != NULL ? dns_name : "");
        if (n < 0 || (size_t)n >= outlen - len)
            return eksauth_fail(err, EKSAUTH_EINVAL, "the bound template is too long");
        len += (size_t)n;
        if (at == NULL)
            return EKSAUTH_OK;
        c = at + strlen(ph);
    }
}

/*
 * {{EC2PrivateDNSName}} for p, or a refusal (status st).  Whoever can
 * assume the role chooses the session name, so resolving any instance id
 * would let them pose as any node ("impersonating that node", upstream's
 * README): only this host's own instance, whose name the host read from
 * its own instance metadata, is ever resolved.
 */
static enum eksauth_status host_dns_name(const struct eksauth_principal *p, enum eksauth_status st,
                                         const char **value, struct eksauth_error *err)
{
    enum eksauth_status rc = st;

    *value = "";
    /* The authenticator's own rule: only an instance id may name a node. */
    if (!eksauth_template_instance_id_valid(p->session_name)) {
        eksauth_fail(err, st,
                     "template: {{EC2PrivateDNSName}}: SessionName did not contain an "
                     "instance id");
        goto out;
    }
    /* Without the host's own instance nothing can be compared: refuse, never guess. */
    if (p->self_instance_id == NULL || p->self_instance_id[0] == '\0' ||
        p->self_private_dns_name == NULL) {
        eksauth_fail(err, st,
                     "template: {{EC2PrivateDNSName}}: this host's own instance is unknown (not "
                     "an EC2 instance, or its instance metadata was not read)");
        goto out;
    }
    /* Another instance's name would be a node impersonation (see above). */
    if (strcmp(p->session_name, p->self_instance_id) != 0) {
        eksauth_fail(err, st,
                     "template: {{EC2PrivateDNSName}}: instance %.32s is not this host (%.32s): "
                     "eksauth resolves {{EC2PrivateDNSName}} only for the host's own instance",
                     p->session_name, p->self_instance_id);
        goto out;
    }
    /* It becomes a k8s username and a login: a lower-case DNS name, nothing else. */
    if (!eksauth_template_dns_name_valid(p->self_private_dns_name)) {
        eksauth_fail(err, st,
                     "template: {{EC2PrivateDNSName}}: this host's private DNS name from instance "
                     "metadata is not a lower-case DNS name");
        goto out;
    }
    *value = p->self_private_dns_name;
    rc = EKSAUTH_OK;
out:
    return rc;
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
            case PH_EC2_PRIVATE_DNS_NAME:
                if (host_dns_name(p, st, &value, err) != EKSAUTH_OK)
                    return st;
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
                return eksauth_fail(err, st,
                                    "template: {{%s}} is empty for this identity (the cluster "
                                    "renders it empty and admits the name; eksauth refuses it)",
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
