/*
 * fuzz_template.c - libFuzzer target: template rendering alone.  Input:
 * one byte choosing username or group use, then the template, a NUL, and
 * the session name (what a caller of sts:AssumeRole chooses).  Promises:
 * a template that renders also validates; the output fits its buffer; an
 * unknown or unterminated {{...}} never renders (no literal placeholders);
 * {{AccessKeyID}} never renders in a username.
 */
#include "config.h"

#include <string.h>

#include "eksauth/template.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct eksauth_principal p = {
        "arn:aws:sts::111122223333:assumed-role/R/s",
        "arn:aws:iam::111122223333:role/R",
        "111122223333",
        NULL,
        "ASIAFUZZFUZZFUZZ0001",
        "i-0123456789abcdef0",
        "ip-10-0-1-23.ec2.internal",
    };
    enum eksauth_template_use use;
    struct eksauth_error err;
    char out[256], *in, *tmpl, *session;
    enum eksauth_status st;

    if (size < 1)
        return 0;
    use = (data[0] & 1) ? EKSAUTH_TEMPLATE_GROUP : EKSAUTH_TEMPLATE_USERNAME;
    in = fuzz_dup(data + 1, size - 1);
    if (in == NULL)
        return 0;
    tmpl = in;
    /* fuzz_dup leaves a NUL at the end: the session name is "" when there is no NUL inside. */
    session = in + strlen(in) + (strlen(in) < size - 1 ? 1 : 0);
    p.session_name = session;
    st = eksauth_template_render(tmpl, &p, use, out, sizeof(out), &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(strnlen(out, sizeof(out)) < sizeof(out));
        FUZZ_ASSERT(eksauth_template_validate(tmpl, use, NULL) == EKSAUTH_OK);
        if (use == EKSAUTH_TEMPLATE_USERNAME)
            FUZZ_ASSERT(strstr(tmpl, "{{AccessKeyID}}") == NULL);
        /* The host's own instance only: never another instance's name. */
        FUZZ_ASSERT(strstr(tmpl, "{{EC2PrivateDNSName}}") == NULL ||
                    strcmp(session, p.self_instance_id) == 0);
        /* Single pass: a placeholder in the output came from the session name, not the template. */
        if (strstr(out, "{{") != NULL)
            FUZZ_ASSERT(strstr(session, "{{") != NULL || strstr(session, "{") != NULL);
    } else {
        fuzz_check_message(err.msg);
    }
    if (eksauth_template_validate(tmpl, use, &err) != EKSAUTH_OK)
        fuzz_check_message(err.msg);
    free(in);
    return 0;
}
