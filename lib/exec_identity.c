/*
 * exec_identity.c - the identity a kubeconfig user's exec: section gives
 * (see exec_identity.h): the role, profile and region of `aws eks
 * get-token` or `aws-iam-authenticator token`, and the AWS_* variables of its env,
 * checked before any of it can reach an argument or the environment.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eksauth/arn.h"
#include "eksauth/exec_identity.h"
#include "eksauth/partition.h"
#include "eksauth/printable.h"

#define AWS_PREFIX "AWS_"

bool eksauth_exec_role_arn_valid(const char *s)
{
    struct eksauth_arn *arn;
    bool ok;

    if (s == NULL)
        return false;
    arn = malloc(sizeof(*arn));
    if (arn == NULL)
        return false;
    /* The parse of lib/arn.c: visible ASCII, a known partition, 12 digits, IAM's name characters.
     */
    ok = eksauth_arn_parse(s, arn, NULL) == EKSAUTH_OK && arn->type == EKSAUTH_ARN_ROLE &&
         strcmp(arn->canonical, s) == 0;
    free(arn);
    return ok;
}

bool eksauth_exec_profile_valid(const char *s)
{
    size_t i, n = s != NULL ? strlen(s) : 0;

    /* Never an option to the AWS CLI ('-'), never a blank or a byte a terminal acts on. */
    if (n == 0 || n > EKSAUTH_EXEC_PROFILE_MAX || s[0] == '-')
        return false;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr("_.@+=,:/-", c) != NULL))
            return false;
    }
    return true;
}

/* AWS_ and [A-Z0-9_]: a name the AWS CLI reads, and nothing a shell or env(1) would split. */
static bool aws_var_name(const char *name)
{
    size_t i, n = strlen(name);

    if (n <= strlen(AWS_PREFIX) || n > 128)
        return false;
    for (i = 0; i < n; i++) {
        char c = name[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* No control byte (C0, DEL): a value that could end a line or drive a terminal is refused. */
static bool value_clean(const char *v)
{
    size_t n = strlen(v), i;

    if (n > EKSAUTH_EXEC_ENV_VALUE_MAX)
        return false;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];

        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash != NULL ? slash + 1 : path;
}

/* s quoted for a message: printable, at most 100 bytes. */
static const char *quoted(const char *s, char *buf, size_t len)
{
    char clean[128];

    eksauth_printable(s, clean, sizeof(clean) < len ? sizeof(clean) : len);
    snprintf(buf, len, "%.100s", clean);
    return buf;
}

static bool has_word(const struct eksauth_kube_exec *e, size_t from, const char *word, size_t *at)
{
    size_t i;

    for (i = from; i < e->n_args; i++) {
        if (strcmp(e->args[i], word) == 0) {
            if (at != NULL)
                *at = i;
            return true;
        }
    }
    return false;
}

/*
 * The value of option name at args[*i] ("--name V" or "--name=V"; short:
 * "-n V", "-nV", "-n=V"), moving *i past it.  0: not this option; 1:
 * found; -1: the option without its value (the last argument).
 */
static int option_value(const struct eksauth_kube_exec *e, size_t *i, const char *name,
                        const char *short_name, const char **value)
{
    const char *a = e->args[*i];
    size_t n = strlen(name);

    if ((strncmp(a, name, n) == 0 && a[n] == '=') ||
        (short_name != NULL && strncmp(a, short_name, 2) == 0 && a[2] == '=')) {
        *value = strchr(a, '=') + 1;
        return 1;
    }
    if (short_name != NULL && strncmp(a, short_name, 2) == 0 && a[2] != '\0') {
        *value = a + 2; /* -rARN, as pflag reads a short option */
        return 1;
    }
    if (strcmp(a, name) != 0 && (short_name == NULL || strcmp(a, short_name) != 0))
        return 0;
    if (*i + 1 >= e->n_args)
        return -1;
    *value = e->args[++*i];
    return 1;
}

/* Whether args[i] is option name, alone or with "=VALUE". */
static bool is_option(const char *a, const char *name)
{
    size_t n = strlen(name);

    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

static enum eksauth_status take_role(const char *v, const char *what, const char *from,
                                     struct eksauth_exec_identity *out, struct eksauth_error *err)
{
    char q[128];

    /* Only a role ARN becomes --role-arn: never an option or some other text for the AWS CLI. */
    if (!eksauth_exec_role_arn_valid(v))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: %s '%s' is not an IAM role ARN "
                            "(arn:PARTITION:iam::ACCOUNT:role/NAME)",
                            from, what, quoted(v, q, sizeof(q)));
    snprintf(out->role_arn, sizeof(out->role_arn), "%s", v);
    return EKSAUTH_OK;
}

static enum eksauth_status take_profile(const char *v, const char *what, const char *from,
                                        struct eksauth_exec_identity *out,
                                        struct eksauth_error *err)
{
    char q[128];

    if (!eksauth_exec_profile_valid(v))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: %s '%s' is not a profile name eksauth passes on "
                            "(1 to %d of A-Z a-z 0-9 _.@+=,:/-, not starting with '-')",
                            from, what, quoted(v, q, sizeof(q)), EKSAUTH_EXEC_PROFILE_MAX);
    snprintf(out->profile, sizeof(out->profile), "%s", v);
    return EKSAUTH_OK;
}

static enum eksauth_status take_region(const char *v, const char *from,
                                       struct eksauth_exec_identity *out, struct eksauth_error *err)
{
    char q[128];

    /* It becomes an argument and the STS host's name: only the shape of a region passes. */
    if (strlen(v) > EKSAUTH_EXEC_REGION_MAX || !eksauth_region_valid(v, strlen(v)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: --region '%s' is not a region name", from,
                            quoted(v, q, sizeof(q)));
    snprintf(out->region, sizeof(out->region), "%s", v);
    return EKSAUTH_OK;
}

/*
 * Which of the options eksauth follows the argument a ("--name" or
 * "--name=V") is to the AWS CLI, or NULL.  Its parser takes any start of an
 * option's name that is no other's: `aws eks update-kubeconfig --role-arn`
 * writes "--role ARN", and "--r" is --region, since the global options
 * (--region, --profile) are read before the command's (--role-arn).
 * Left unread, such an argument would have kubectl assume a role that
 * eksauth's token is not signed as.
 */
static const char *aws_option(const char *a)
{
    static const char *const followed[] = {"--region", "--profile", "--role-arn"};
    size_t n = strcspn(a, "="), k;

    if (strncmp(a, "--", 2) != 0 || n <= 2)
        return NULL;
    for (k = 0; k < sizeof(followed) / sizeof(followed[0]); k++) {
        if (n <= strlen(followed[k]) && strncmp(a, followed[k], n) == 0)
            return followed[k];
    }
    return NULL;
}

/* `aws ... eks get-token ...`: --role-arn, --profile and --region, the last of each. */
static enum eksauth_status read_aws(const struct eksauth_kube_exec *e, const char *from,
                                    struct eksauth_exec_identity *out, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    size_t i;

    for (i = 0; st == EKSAUTH_OK && i < e->n_args; i++) {
        const char *name = aws_option(e->args[i]), *eq = strchr(e->args[i], '='), *v;

        if (name == NULL)
            continue;
        if (eq != NULL)
            v = eq + 1;
        else if (i + 1 < e->n_args)
            v = e->args[++i];
        else
            return eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s without a value", from, name);
        if (strcmp(name, "--role-arn") == 0)
            st = take_role(v, name, from, out, err);
        else if (strcmp(name, "--profile") == 0)
            st = take_profile(v, name, from, out, err);
        else
            st = take_region(v, from, out, err);
    }
    return st;
}

/* `aws-iam-authenticator token ...`: -r/--role; options that shape the session are refused. */
static enum eksauth_status read_authenticator(const struct eksauth_kube_exec *e, const char *from,
                                              struct eksauth_exec_identity *out,
                                              struct eksauth_error *err)
{
    static const char *const session[] = {"--session-name", "--forward-session-name",
                                          "--external-id"};
    enum eksauth_status st = EKSAUTH_OK;
    const char *v = NULL;
    size_t i, k;
    int r;

    for (i = 0; st == EKSAUTH_OK && i < e->n_args; i++) {
        const char *a = e->args[i];

        /*
         * aws eks get-token names its session EKSGetTokenAuth and takes no
         * external id: a host mapping {{SessionName}} would see someone else.
         */
        for (k = 0; k < sizeof(session) / sizeof(session[0]); k++) {
            if (is_option(a, session[k]))
                break;
        }
        if (k < sizeof(session) / sizeof(session[0]) || strncmp(a, "-s", 2) == 0) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: aws-iam-authenticator %s: the AWS CLI cannot assume the role "
                              "with the same session",
                              from, k < sizeof(session) / sizeof(session[0]) ? session[k] : "-s");
            break;
        }
        if ((r = option_value(e, &i, "--role", "-r", &v)) != 0)
            st = r < 0 ? eksauth_fail(err, EKSAUTH_EINVAL, "%s: %s without a value", from, a)
                       : take_role(v, "--role", from, out, err);
        else if ((r = option_value(e, &i, "--region", NULL, &v)) != 0)
            st = r < 0 ? eksauth_fail(err, EKSAUTH_EINVAL, "%s: --region without a value", from)
                       : take_region(v, from, out, err);
    }
    return st;
}

/* Set name=value in out's env, replacing an earlier one (the last wins, as in kubectl's). */
static enum eksauth_status put_env(struct eksauth_exec_identity *out, const char *name,
                                   const char *value, struct eksauth_error *err)
{
    size_t i, n = strlen(name);
    char *entry = NULL, **grown;

    if (asprintf(&entry, "%s=%s", name, value) < 0)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    for (i = 0; i < out->n_env; i++) {
        if (strncmp(out->env[i], name, n) == 0 && out->env[i][n] == '=') {
            OPENSSL_cleanse(out->env[i], strlen(out->env[i]));
            free(out->env[i]);
            out->env[i] = entry;
            return EKSAUTH_OK;
        }
    }
    grown = realloc(out->env, (out->n_env + 1) * sizeof(*grown));
    if (grown == NULL) {
        OPENSSL_cleanse(entry, strlen(entry));
        free(entry);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
    }
    out->env = grown;
    out->env[out->n_env++] = entry;
    return EKSAUTH_OK;
}

/*
 * What the AWS CLI would do with a variable a kubeconfig's exec env must
 * never set, for a section eksauth follows with the AWS CLI (a kubeconfig
 * from a repository could set them; the person's own environment may):
 *
 * - where it sends its STS calls or whom it trusts for them: get-token
 *   honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_STS (its token is then
 *   for that host, and with a role its signed AssumeRole, the person's
 *   session token in it, goes there, over plain http if the URL says so)
 *   and AWS_CA_BUNDLE; AWS_DATA_PATH too, as botocore reads STS's endpoint
 *   rules from there before its own, and a rule may name any URL;
 * - where it takes its credentials from: the container credential
 *   provider's URL and the token it sends there
 *   (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the contents of any file the
 *   person can read, as a header, to a URL the kubeconfig names), and the
 *   instance metadata endpoint (credentials an attacker serves: the person
 *   would sign, and log in, as them).  The runtime that needs them sets
 *   them in the environment, never a kubeconfig.
 *
 * NULL for any other name.
 */
static const char *refused_env(const char *name)
{
    static const char sts[] = "the AWS CLI would send its signed STS calls there or trust that "
                              "CA for them, and mint for another host than STS; eksauth takes no "
                              "STS endpoint or CA from a kubeconfig";
    static const char creds[] = "the AWS CLI would take its credentials from the endpoint it "
                                "names (and send it a token or a file's contents); eksauth takes "
                                "no credential source from a kubeconfig";
    static const struct {
        const char *name, *why;
    } refused[] = {
        {"AWS_ENDPOINT_URL", sts},
        {"AWS_ENDPOINT_URL_STS", sts},
        {"AWS_CA_BUNDLE", sts},
        {"AWS_DATA_PATH", sts},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", creds},
        {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", creds},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", creds},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", creds},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", creds},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", creds},
    };
    size_t i;

    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if (strcmp(name, refused[i].name) == 0)
            return refused[i].why;
    return NULL;
}

/* The AWS_* variables of the exec env, checked; DEFAULT_ROLE for aws-iam-authenticator. */
static enum eksauth_status read_env(const struct eksauth_kube_exec *e, const char *from,
                                    struct eksauth_exec_identity *out, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    const char *default_role = NULL, *why;
    char q[128];
    size_t i;

    for (i = 0; st == EKSAUTH_OK && i < e->n_env; i++) {
        const char *name = e->env_names[i], *value = e->env_values[i];

        if (out->kind == EKSAUTH_EXEC_AUTHENTICATOR && strcmp(name, "DEFAULT_ROLE") == 0) {
            default_role = value; /* aws-iam-authenticator's role when no -r is given */
            continue;
        }
        /* Only the AWS CLI's own variables: eksauth runs aws, not the exec command. */
        if (strncmp(name, AWS_PREFIX, strlen(AWS_PREFIX)) != 0)
            continue;
        if (!aws_var_name(name))
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: env name '%s' is not a variable name (AWS_ and A-Z 0-9 _)", from,
                              quoted(name, q, sizeof(q)));
        /* A value is never quoted: it may be a secret key. */
        else if (!value_clean(value))
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: env %s has a control character or more than %d bytes", from,
                              name, EKSAUTH_EXEC_ENV_VALUE_MAX);
        /* STS calls go to STS, signed with the person's own credentials: never a kubeconfig's. */
        else if (out->kind != EKSAUTH_EXEC_EKSAUTH && (why = refused_env(name)) != NULL)
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "%s: env %s: %s: remove it from the exec env (set it in your own "
                              "environment if you mean it)",
                              from, name, why);
        else if ((strcmp(name, "AWS_PROFILE") == 0 || strcmp(name, "AWS_DEFAULT_PROFILE") == 0) &&
                 !eksauth_exec_profile_valid(value))
            st = take_profile(value, name, from, out, err); /* refuses it, naming the profile */
        else if (out->n_env >= EKSAUTH_EXEC_ENV_MAX)
            st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: more than %d AWS_ variables in env", from,
                              EKSAUTH_EXEC_ENV_MAX);
        else
            st = put_env(out, name, value, err);
    }
    if (st == EKSAUTH_OK && default_role != NULL && default_role[0] != '\0' &&
        out->role_arn[0] == '\0')
        st = take_role(default_role, "env DEFAULT_ROLE", from, out, err);
    return st;
}

enum eksauth_status eksauth_exec_identity_read(const struct eksauth_kube_exec *exec,
                                               const char *from, struct eksauth_exec_identity *out,
                                               struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    const char *base;
    size_t at = 0;

    memset(out, 0, sizeof(*out));
    snprintf(out->from, sizeof(out->from), "%s", from);
    out->kind = EKSAUTH_EXEC_NONE;
    if (exec == NULL || exec->command == NULL)
        return EKSAUTH_OK;
    base = base_name(exec->command);
    eksauth_printable(base, out->command, sizeof(out->command));
    if (strcmp(base, "aws") == 0 && has_word(exec, 0, "eks", &at) &&
        has_word(exec, at + 1, "get-token", NULL))
        out->kind = EKSAUTH_EXEC_AWS;
    else if (strcmp(base, "aws-iam-authenticator") == 0 && has_word(exec, 0, "token", NULL))
        out->kind = EKSAUTH_EXEC_AUTHENTICATOR;
    else if (strcmp(base, "eksauth") == 0 && has_word(exec, 0, "token", NULL))
        out->kind = EKSAUTH_EXEC_EKSAUTH;
    else
        out->kind = EKSAUTH_EXEC_OTHER;
    /*
     * What a command we follow would be asked cannot be told from a
     * malformed section (the args may be the ones unread): never guess.
     */
    if (exec->problem != NULL && (strcmp(base, "aws") == 0 || strcmp(base, "eksauth") == 0 ||
                                  strcmp(base, "aws-iam-authenticator") == 0))
        st = eksauth_fail(err, EKSAUTH_EINVAL, "%s: exec: %s", from, exec->problem);
    else if (out->kind == EKSAUTH_EXEC_OTHER)
        return EKSAUTH_OK; /* not followed: nothing of it is used */
    else if (out->kind == EKSAUTH_EXEC_AWS)
        st = read_aws(exec, from, out, err);
    else if (out->kind == EKSAUTH_EXEC_AUTHENTICATOR)
        st = read_authenticator(exec, from, out, err);
    /* eksauth token has no role or profile option: its identity is its AWS_* variables. */
    if (st == EKSAUTH_OK)
        st = read_env(exec, from, out, err);
    if (st != EKSAUTH_OK) {
        eksauth_exec_identity_free(out);
        snprintf(out->from, sizeof(out->from), "%s", from);
    }
    return st;
}

enum eksauth_status eksauth_exec_identity_default_role(struct eksauth_exec_identity *id,
                                                       const char *value, struct eksauth_error *err)
{
    char from[sizeof(id->from)];
    enum eksauth_status st;

    if (id->kind != EKSAUTH_EXEC_AUTHENTICATOR || id->role_arn[0] != '\0' || value == NULL ||
        value[0] == '\0')
        return EKSAUTH_OK;
    /* kubectl's run of it would assume this role: the same check as any role taken. */
    st = take_role(value, "DEFAULT_ROLE of your environment", id->from, id, err);
    if (st != EKSAUTH_OK) {
        snprintf(from, sizeof(from), "%s", id->from);
        eksauth_exec_identity_free(id);
        snprintf(id->from, sizeof(id->from), "%s", from);
    }
    return st;
}

bool eksauth_exec_identity_applies(const struct eksauth_exec_identity *id)
{
    return id->kind != EKSAUTH_EXEC_NONE && id->kind != EKSAUTH_EXEC_OTHER &&
           (id->role_arn[0] != '\0' || id->profile[0] != '\0' || id->region[0] != '\0' ||
            id->n_env > 0);
}

static bool env_has(const struct eksauth_exec_identity *id, const char *entry)
{
    size_t i;

    for (i = 0; i < id->n_env; i++) {
        if (strcmp(id->env[i], entry) == 0)
            return true;
    }
    return false;
}

bool eksauth_exec_identity_same(const struct eksauth_exec_identity *a,
                                const struct eksauth_exec_identity *b)
{
    size_t i;

    /* Two sections that change nothing mint alike (as the engineer), whichever command they name.
     */
    if (!eksauth_exec_identity_applies(a) && !eksauth_exec_identity_applies(b))
        return true;
    if (!eksauth_exec_identity_applies(a) || !eksauth_exec_identity_applies(b) ||
        strcmp(a->role_arn, b->role_arn) != 0 || strcmp(a->profile, b->profile) != 0 ||
        strcmp(a->region, b->region) != 0 || a->n_env != b->n_env)
        return false;
    for (i = 0; i < a->n_env; i++) {
        if (!env_has(b, a->env[i]))
            return false;
    }
    return true;
}

const char *eksauth_exec_identity_env(const struct eksauth_exec_identity *id, const char *name)
{
    size_t i, n = strlen(name);

    for (i = 0; i < id->n_env; i++) {
        if (strncmp(id->env[i], name, n) == 0 && id->env[i][n] == '=')
            return id->env[i] + n + 1;
    }
    return NULL;
}

void eksauth_exec_identity_describe(const struct eksauth_exec_identity *id, char *out,
                                    size_t outlen)
{
    const char *profile = eksauth_exec_identity_env(id, "AWS_PROFILE");
    size_t i, len;

    out[0] = '\0';
    if (id->kind == EKSAUTH_EXEC_OTHER) {
        snprintf(out, outlen, "command %s", id->command);
        return;
    }
    if (!eksauth_exec_identity_applies(id)) {
        snprintf(out, outlen, "your own identity");
        return;
    }
    if (id->role_arn[0] != '\0')
        snprintf(out, outlen, "role %s", id->role_arn);
    len = strlen(out);
    if (id->profile[0] != '\0')
        snprintf(out + len, outlen - len, "%sprofile %s", len > 0 ? ", " : "", id->profile);
    else if (profile != NULL && eksauth_exec_profile_valid(profile))
        snprintf(out + len, outlen - len, "%sprofile %s", len > 0 ? ", " : "", profile);
    len = strlen(out);
    if (id->region[0] != '\0')
        snprintf(out + len, outlen - len, "%sregion %s", len > 0 ? ", " : "", id->region);
    /* The names of the other variables only: their values may be secrets. */
    for (i = 0; i < id->n_env; i++) {
        const char *eq = strchr(id->env[i], '=');

        if (strncmp(id->env[i], "AWS_PROFILE=", 12) == 0 || eq == NULL)
            continue;
        len = strlen(out);
        snprintf(out + len, outlen - len, "%s%.*s", len > 0 ? ", " : "", (int)(eq - id->env[i]),
                 id->env[i]);
    }
}

void eksauth_exec_identity_free(struct eksauth_exec_identity *id)
{
    size_t i;

    if (id == NULL)
        return;
    for (i = 0; i < id->n_env; i++) {
        OPENSSL_cleanse(id->env[i], strlen(id->env[i]));
        free(id->env[i]);
    }
    free(id->env);
    memset(id, 0, sizeof(*id));
    id->kind = EKSAUTH_EXEC_NONE;
}

void eksauth_kube_exec_free(struct eksauth_kube_exec *exec)
{
    size_t i;

    if (exec == NULL)
        return;
    free(exec->command);
    for (i = 0; i < exec->n_args; i++)
        free(exec->args[i]);
    free(exec->args);
    for (i = 0; i < exec->n_env; i++) {
        free(exec->env_names[i]);
        if (exec->env_values[i] != NULL)
            OPENSSL_cleanse(exec->env_values[i], strlen(exec->env_values[i]));
        free(exec->env_values[i]);
    }
    free(exec->env_names);
    free(exec->env_values);
    memset(exec, 0, sizeof(*exec));
}
