/*
 * fuzz_creds.c - libFuzzer target: lib/creds.c's readers of what `eksauth
 * token`, whoami and sync sign with: the shared credentials and config
 * files (INI as botocore reads them) and instance metadata's answers.
 * Byte 0 picks what is read: bits 0-1 the reader, bits 2-3 the
 * profile; the rest is the text.
 *
 *   reader 0, 1: a credentials file, by eksauth_creds_parse_ini and, written
 *            to a file, by the chain (eksauth_creds_load, the profile
 *            named, the file as AWS_SHARED_CREDENTIALS_FILE, no config):
 *            both read the same keys or refuse alike;
 *   reader 2: a credentials file and a config file split at a line "#--"
 *            (an INI comment: a seed of one file is a plain credentials
 *            file), read by the chain and by eksauth_creds_region;
 *   reader 3: an instance-metadata answer: the credentials document
 *            (eksauth_creds_parse_imds), the role's name
 *            (eksauth_imds_parse_role) and the session token
 *            (eksauth_imds_token_valid).
 *
 * Promises checked (creds.h, imds.h): accepted keys are non-empty with no
 * control byte (they go into a SigV4 header and a URL), a session token
 * likewise when there is one; the source is the reader's; a region has the
 * shape eksauth_region_valid passes (it becomes a host name); only
 * instance metadata sets an expiration; a role name is IAM's alphabet, at most 64
 * bytes, the answer's first line; a session token has no blank or line
 * end; reading twice gives the same; a refusal is one line
 * (fuzz_check_message) that names the file it is about when there is one
 * and holds no secret; and every secret frees cleanly (LeakSanitizer).
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eksauth/creds.h"
#include "eksauth/imds.h"
#include "eksauth/partition.h"
#include "fuzz.h"

#define FILE_SEP "\n#--\n"

static const char *const profiles[] = {"default", "dev", "prod", "a b"};

/* The two files the chain reads, in a folder of this process's (removed at exit). */
static char dir[64], cred_path[96], conf_path[96];

static void files_remove(void)
{
    unlink(cred_path);
    unlink(conf_path);
    rmdir(dir);
}

static bool files_ready(void)
{
    const char *tmp = getenv("TMPDIR");

    if (dir[0] != '\0')
        return true;
    snprintf(dir, sizeof(dir), "%s/fuzz-creds.XXXXXX",
             tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 40 ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        dir[0] = '\0';
        return false;
    }
    snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
    snprintf(conf_path, sizeof(conf_path), "%s/config", dir);
    atexit(files_remove);
    return true;
}

/* Write text[0..len) to path; len 0 with text NULL: no file at all. */
static bool file_put(const char *path, const uint8_t *text, size_t len)
{
    FILE *f;
    bool ok;

    unlink(path);
    if (text == NULL)
        return true;
    f = fopen(path, "w");
    if (f == NULL)
        return false;
    ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* No environment: only the files given count. */
static const char *no_env(const void *arg, const char *name)
{
    (void)arg;
    (void)name;
    return NULL;
}

static bool clean(const char *s)
{
    if (s == NULL || s[0] == '\0')
        return false;
    for (size_t i = 0; s[i] != '\0'; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

static void check_creds(const struct eksauth_creds *c, enum eksauth_creds_source source)
{
    FUZZ_ASSERT(c->source == source);
    FUZZ_ASSERT(clean(c->access_key_id));
    FUZZ_ASSERT(clean(c->secret_access_key));
    FUZZ_ASSERT(c->session_token == NULL || clean(c->session_token));
    FUZZ_ASSERT(memchr(c->origin, '\0', sizeof(c->origin)) != NULL);
    /* Static keys do not expire; instance metadata's say when (any time: only the cache reads it).
     */
    FUZZ_ASSERT(source == EKSAUTH_CREDS_IMDS || c->expiration == 0);
}

static bool same_creds(const struct eksauth_creds *a, const struct eksauth_creds *b)
{
    return strcmp(a->access_key_id, b->access_key_id) == 0 &&
           strcmp(a->secret_access_key, b->secret_access_key) == 0 &&
           (a->session_token == NULL) == (b->session_token == NULL) &&
           (a->session_token == NULL || strcmp(a->session_token, b->session_token) == 0);
}

/* The reading that gave a refusal, done again on other text of the same length. */
struct reading {
    enum eksauth_status (*again)(const struct reading *r, const char *text, size_t len,
                                 struct eksauth_error *err);
    const char *profile;
    bool named;
};

/*
 * A refusal is one line; a secret never reaches it, in part or whole (a
 * value of 16 bytes or more is checked, by fuzz_check_secret_kept).
 */
static void check_refusal(const struct eksauth_error *err, const char *text, size_t len,
                          const char *path, const struct reading *r)
{
    static const char *const secrets[] = {"aws_secret_access_key", "aws_session_token",
                                          "aws_security_token", "SecretAccessKey", "Token"};

    fuzz_check_message(err->msg);
    if (path != NULL && err->status != EKSAUTH_ENOTFOUND)
        FUZZ_ASSERT(strstr(err->msg, path) != NULL);
    for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
        const char *k = strstr(text, secrets[i]);
        static char value[EKSAUTH_CREDS_FILE_MAX + 1], canary[EKSAUTH_CREDS_FILE_MAX + 1];
        const char *v, *e;
        char *changed;
        struct eksauth_error ce;
        bool member, refused;

        /* An option's name at a line's start, or a JSON member's name; then its separator. */
        if (k == NULL)
            continue;
        member = k != text && k[-1] == '"';
        if (k != text && !member && strchr("\n\r\t ", k[-1]) == NULL)
            continue;
        /* A JSON member's name inside an INI option's value (region = ... "SecretAccessKey": ...)
         * is that option's text, which a message may quote (a region is no secret). */
        if (member) {
            const char *line = k;

            while (line > text && line[-1] != '\n' && line[-1] != '\r')
                line--;
            line += strspn(line, " \t");
            line +=
                strspn(line, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
            line += strspn(line, " \t");
            if (line < k && *line == '=')
                continue;
        }
        v = k + strlen(secrets[i]);
        if (member && *v++ != '"')
            continue;
        v += strspn(v, " \t");
        if (*v != ':' && (member || *v != '='))
            continue;
        v += strspn(v, " \t\"=:");
        e = v + strcspn(v, "\"\r\n,}");
        if (e - v < 16 || e - v >= (long)sizeof(value))
            continue;
        memcpy(value, v, (size_t)(e - v));
        value[e - v] = '\0';
        if (!fuzz_occurs_once(text, len, value, (size_t)(e - v)))
            continue;
        /*
         * Other text like it (another value, the files' own paths, which the
         * fuzzer can learn) is kept in the second reading: a message quoting
         * it holds it in both refusals.
         */
        if (!fuzz_canary(value, (size_t)(e - v), canary))
            continue;
        changed = fuzz_dup((const uint8_t *)text, len);
        if (changed == NULL)
            continue;
        memcpy(changed + (v - text), canary, (size_t)(e - v));
        refused = r->again(r, changed, len, &ce) != EKSAUTH_OK;
        fuzz_check_secret_kept(err->msg, value, canary, refused, ce.msg);
        free(changed);
    }
}

static enum eksauth_status parse_ini_again(const struct reading *r, const char *text, size_t len,
                                           struct eksauth_error *err)
{
    struct eksauth_creds c;
    enum eksauth_status st = eksauth_creds_parse_ini(text, len, r->profile, &c, err);

    eksauth_creds_free(&c);
    return st;
}

static enum eksauth_status parse_imds_again(const struct reading *r, const char *text, size_t len,
                                            struct eksauth_error *err)
{
    struct eksauth_creds c;
    enum eksauth_status st = eksauth_creds_parse_imds(text, len, &c, err);

    (void)r;
    eksauth_creds_free(&c);
    return st;
}

/*
 * The chain over the files of text: split at FILE_SEP (a credentials file
 * and a config file) or not (a credentials file alone, as read_ini writes).
 */
static bool chain_files(const char *text, size_t len, bool split, struct eksauth_creds_options *opt,
                        const char *profile)
{
    const char *sep = NULL;

    for (size_t i = 0; split && i + strlen(FILE_SEP) <= len && sep == NULL; i++) {
        if (memcmp(text + i, FILE_SEP, strlen(FILE_SEP)) == 0)
            sep = text + i;
    }
    if (!files_ready() ||
        !file_put(cred_path, (const uint8_t *)text, sep != NULL ? (size_t)(sep - text) : len) ||
        !file_put(conf_path, sep != NULL ? (const uint8_t *)sep + strlen(FILE_SEP) : NULL,
                  sep != NULL ? len - (size_t)(sep - text) - strlen(FILE_SEP) : 0))
        return false;
    memset(opt, 0, sizeof(*opt));
    opt->sources = EKSAUTH_CREDS_PROFILE;
    opt->profile = profile;
    opt->credentials_file = cred_path;
    opt->config_file = conf_path;
    opt->getenv_fn = no_env;
    return true;
}

/* A file not written counts as a reading not refused: nothing is judged by it. */
static enum eksauth_status load_again(const struct reading *r, const char *text, size_t len,
                                      struct eksauth_error *err, bool split)
{
    struct eksauth_creds_options opt;
    struct eksauth_creds c;
    enum eksauth_status st;

    if (!chain_files(text, len, split, &opt, r->named ? r->profile : NULL))
        return EKSAUTH_OK;
    st = eksauth_creds_load(&opt, &c, err);
    eksauth_creds_free(&c);
    return st;
}

static enum eksauth_status load_ini_again(const struct reading *r, const char *text, size_t len,
                                          struct eksauth_error *err)
{
    return load_again(r, text, len, err, false);
}

static enum eksauth_status load_chain_again(const struct reading *r, const char *text, size_t len,
                                            struct eksauth_error *err)
{
    return load_again(r, text, len, err, true);
}

static enum eksauth_status region_again(const struct reading *r, const char *text, size_t len,
                                        struct eksauth_error *err)
{
    struct eksauth_creds_options opt;
    char region[64];

    if (!chain_files(text, len, true, &opt, r->named ? r->profile : NULL))
        return EKSAUTH_OK;
    return eksauth_creds_region(NULL, &opt, region, sizeof(region), err);
}

static void read_ini(const char *text, size_t len, const char *profile)
{
    const struct reading parse = {parse_ini_again, profile, true},
                         load = {load_ini_again, profile, true};
    struct eksauth_creds a, b, c;
    struct eksauth_error ea, eb, ec;
    struct eksauth_creds_options opt;
    enum eksauth_status sa, sb, sc;

    sa = eksauth_creds_parse_ini(text, len, profile, &a, &ea);
    sb = eksauth_creds_parse_ini(text, len, profile, &b, &eb);
    FUZZ_ASSERT(sa == sb);
    if (sa == EKSAUTH_OK) {
        check_creds(&a, EKSAUTH_CREDS_PROFILE);
        FUZZ_ASSERT(same_creds(&a, &b));
    } else {
        check_refusal(&ea, text, len, NULL, &parse);
        FUZZ_ASSERT(strcmp(ea.msg, eb.msg) == 0);
    }
    /* The chain reads the file as the parser reads its text. */
    if (chain_files(text, len, false, &opt, profile)) {
        sc = eksauth_creds_load(&opt, &c, &ec);
        if (sa == EKSAUTH_OK && sc != EKSAUTH_OK) {
            /*
             * The parser takes the keys alone; the chain also refuses keys
             * beside an option botocore signs with first (role_arn, sso_*,
             * credential_process), and says so.
             */
            FUZZ_ASSERT(strstr(ec.msg, "which the AWS CLI signs with before") != NULL);
            check_refusal(&ec, text, len, cred_path, &load);
        } else if (sa == EKSAUTH_OK) {
            check_creds(&c, EKSAUTH_CREDS_PROFILE);
            FUZZ_ASSERT(same_creds(&a, &c));
        } else {
            FUZZ_ASSERT(sc != EKSAUTH_OK);
            check_refusal(&ec, text, len, cred_path, &load);
        }
        eksauth_creds_free(&c);
    }
    eksauth_creds_free(&a);
    eksauth_creds_free(&b);
}

static void read_chain(const char *text, size_t len, const char *profile, bool named)
{
    const struct reading load = {load_chain_again, profile, named},
                         region_of = {region_again, profile, named};
    struct eksauth_creds_options opt;
    struct eksauth_creds c;
    struct eksauth_error err;
    enum eksauth_status st;
    char region[64];

    if (!chain_files(text, len, true, &opt, named ? profile : NULL))
        return;
    st = eksauth_creds_load(&opt, &c, &err);
    if (st == EKSAUTH_OK)
        check_creds(&c, EKSAUTH_CREDS_PROFILE);
    else
        check_refusal(&err, text, len, NULL, &load);
    eksauth_creds_free(&c);

    /* check_refusal may have written other files: the input's again. */
    if (!chain_files(text, len, true, &opt, named ? profile : NULL))
        return;
    st = eksauth_creds_region(NULL, &opt, region, sizeof(region), &err);
    if (st == EKSAUTH_OK) {
        FUZZ_ASSERT(eksauth_region_valid(region, strlen(region)));
        FUZZ_ASSERT(clean(region));
    } else {
        check_refusal(&err, text, len, NULL, &region_of);
        FUZZ_ASSERT(region[0] == '\0');
    }
}

static void read_imds(const char *body, size_t len)
{
    const struct reading imds = {parse_imds_again, NULL, false};
    char role[128];
    struct eksauth_creds a, b;
    struct eksauth_error ea, eb;
    enum eksauth_status sa, sb;

    sa = eksauth_creds_parse_imds(body, len, &a, &ea);
    sb = eksauth_creds_parse_imds(body, len, &b, &eb);
    FUZZ_ASSERT(sa == sb);
    if (sa == EKSAUTH_OK) {
        check_creds(&a, EKSAUTH_CREDS_IMDS);
        FUZZ_ASSERT(a.session_token != NULL);
        FUZZ_ASSERT(same_creds(&a, &b) && a.expiration == b.expiration);
    } else {
        check_refusal(&ea, body, len, NULL, &imds);
    }
    eksauth_creds_free(&a);
    eksauth_creds_free(&b);
    /* The same answer as the role's name (it goes into the next URL's path). */
    if (eksauth_imds_parse_role(body, len, role, sizeof(role), &ea) == EKSAUTH_OK) {
        FUZZ_ASSERT(role[0] != '\0' && strlen(role) <= 64);
        FUZZ_ASSERT(strspn(role, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                 "+=,.@_-") == strlen(role));
        FUZZ_ASSERT(strncmp(body, role, strlen(role)) == 0);
    } else {
        fuzz_check_message(ea.msg);
        FUZZ_ASSERT(role[0] == '\0');
    }
    if (eksauth_imds_token_valid(body, len))
        FUZZ_ASSERT(strpbrk(body, "\r\n ") == NULL && strlen(body) == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *profile;
    char *text;

    if (size < 1 || size > EKSAUTH_CREDS_FILE_MAX)
        return 0;
    profile = profiles[(data[0] >> 2) % (sizeof(profiles) / sizeof(profiles[0]))];
    text = fuzz_dup(data + 1, size - 1);
    if (text == NULL)
        return 0;
    switch (data[0] & 3) {
    case 0:
    case 1:
        read_ini(text, size - 1, profile);
        break;
    case 2:
        read_chain(text, size - 1, profile, (data[0] & 0x10) != 0);
        break;
    default:
        read_imds(text, size - 1);
        break;
    }
    free(text);
    return 0;
}
