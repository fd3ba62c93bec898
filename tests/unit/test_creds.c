/*
 * test_creds.c - the credentials chain of `eksauth token`: the INI reader
 * (as botocore's configparser reads ~/.aws/credentials), the environment,
 * the shared credentials file found by option, AWS_SHARED_CREDENTIALS_FILE
 * or HOME, profiles, every refusal and the "tried" message; the region
 * from the option, AWS_REGION, AWS_DEFAULT_REGION and ~/.aws/config; the
 * credentials document of instance metadata (every field, every refusal).
 * The environment is a table given through getenv_fn; files are made in a
 * temporary folder.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/creds.h"
#include "freed_scan.h"
#include "scratch.h"
#include "unit.h"

/* ------------------------------------------------------------------ */
/* a fake environment */

#define ENV_MAX 16
static const char *env_names[ENV_MAX];
static const char *env_values[ENV_MAX];
static char tmpdir[256];

static void env_clear(void)
{
    memset(env_names, 0, sizeof(env_names));
    memset(env_values, 0, sizeof(env_values));
}

static void env_set(const char *name, const char *value)
{
    size_t i;

    for (i = 0; i < ENV_MAX; i++) {
        if (env_names[i] == NULL || strcmp(env_names[i], name) == 0) {
            env_names[i] = name;
            env_values[i] = value;
            return;
        }
    }
    fail_msg("fake environment full");
}

static const char *env_get(const void *arg, const char *name)
{
    size_t i;

    (void)arg;

    for (i = 0; i < ENV_MAX && env_names[i] != NULL; i++) {
        if (strcmp(env_names[i], name) == 0)
            return env_values[i];
    }
    return NULL;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static char *path_in(const char *rel)
{
    static char buf[64][512]; /* enough that no test reuses one it still holds */
    static int k;

    k = (k + 1) % 64;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, rel);
    return buf[k];
}

static int setup(void **state)
{
    (void)state;
    scratch_make(tmpdir, sizeof(tmpdir), "creds");
    if (mkdir(path_in("home"), 0700) != 0 || mkdir(path_in("home/.aws"), 0700) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    scratch_remove(tmpdir);
    return 0;
}

static int each(void **state)
{
    (void)state;
    static char home[600];

    env_clear();
    snprintf(home, sizeof(home), "%s", path_in("home")); /* path_in's buffers rotate */
    env_set("HOME", home);
    unlink(path_in("home/.aws/credentials"));
    unlink(path_in("home/.aws/config"));
    return 0;
}

/* A profile's static keys, k the access key id. */
#define KEYS(k) "aws_access_key_id = " k "\naws_secret_access_key = s\n"

/* assert_status (unit.h) that shows err.msg when the status is not the one expected. */
#define assert_status_err(call, expected)                                                          \
    do {                                                                                           \
        enum eksauth_status st_ = (call);                                                          \
        if (st_ != (expected))                                                                     \
            fail_msg("%s: status %d, expected %d: %s", #call, (int)st_, (int)(expected), err.msg); \
    } while (0)

static const struct eksauth_creds_options fake_env = {0,    NULL,    NULL, NULL,
                                                      NULL, env_get, NULL, NULL};

/* ------------------------------------------------------------------ */
/* INI */

static const char sample[] = "# comment\n"
                             "; another comment\n"
                             "\n"
                             "[default]\n"
                             "aws_access_key_id = AKIADEFAULT000000001\n"
                             "aws_secret_access_key = default/secret+key\n"
                             "\n"
                             "[dev]\r\n"
                             "AWS_Access_Key_ID=ASIADEV0000000000001\r\n"
                             "  # an indented comment\r\n"
                             "aws_secret_access_key:  dev secret with spaces  \r\n"
                             "aws_session_token = FQoG+ZX/IvYXdz=EXAMPLE\r\n"
                             "s3 =\r\n"
                             "    max_concurrent_requests = 10\r\n"
                             "[legacy]\n"
                             "aws_access_key_id = ASIALEGACY0000000001\n"
                             "aws_secret_access_key = legacy\n"
                             "aws_security_token = OLDTOKEN\n"
                             "[sso]\n"
                             "sso_start_url = https://example.awsapps.com/start\n"
                             "[half]\n"
                             "aws_access_key_id = AKIAHALF000000000001\n"
                             "[profile default]\n"
                             "aws_access_key_id = AKIANOTDEFAULT000001\n"
                             "aws_secret_access_key = nope\n";

static void test_ini_profiles(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "default", &c, &err),
                     EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEFAULT000000001");
    assert_string_equal(c.secret_access_key, "default/secret+key");
    assert_null(c.session_token);
    assert_int_equal(c.source, EKSAUTH_CREDS_PROFILE);
    assert_string_equal(c.origin, "profile \"default\"");
    eksauth_creds_free(&c);
    assert_null(c.access_key_id);
    assert_null(c.secret_access_key);

    /* Key names are case-insensitive, "key: value" works, values are trimmed, CRLF is fine. */
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "dev", &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIADEV0000000000001");
    assert_string_equal(c.secret_access_key, "dev secret with spaces");
    assert_string_equal(c.session_token, "FQoG+ZX/IvYXdz=EXAMPLE");
    eksauth_creds_free(&c);

    /* The old name of the session token. */
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "legacy", &c, &err),
                     EKSAUTH_OK);
    assert_string_equal(c.session_token, "OLDTOKEN");
    eksauth_creds_free(&c);

    /* "[profile default]" is not "[default]" in the credentials file. */
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "profile default", &c, &err),
                     EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIANOTDEFAULT000001");
    eksauth_creds_free(&c);
}

static void test_ini_absent(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "prod", &c, &err),
                     EKSAUTH_ENOTFOUND);
    assert_string_equal(err.msg, "no profile [prod]");
    assert_null(c.access_key_id);
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "sso", &c, &err),
                     EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "has no static keys"));
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "half", &c, &err),
                     EKSAUTH_EINVAL);
    assert_string_equal(err.msg,
                        "profile [half] has aws_access_key_id without aws_secret_access_key");
    assert_null(c.access_key_id);
    assert_int_equal(eksauth_creds_parse_ini("", 0, "default", &c, &err), EKSAUTH_ENOTFOUND);
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "", &c, &err), EKSAUTH_EINVAL);
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "a]b", &c, &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(eksauth_creds_parse_ini(sample, strlen(sample), "a\nb", &c, &err),
                     EKSAUTH_EINVAL);
}

static void expect_ini_error(const char *text, const char *needle)
{
    struct eksauth_creds c;
    struct eksauth_error err = {EKSAUTH_OK, ""};

    assert_int_equal(eksauth_creds_parse_ini(text, strlen(text), "default", &c, &err),
                     EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    assert_null(c.access_key_id);
    assert_null(c.secret_access_key);
}

static void test_ini_errors(void **state)
{
    static const char nul[] = "[default]\naws_access_key_id = A\0B\n";
    struct eksauth_creds c;

    (void)state;
    expect_ini_error("[default]\naws_access_key_id = A\naws_access_key_id = B\n",
                     "line 3: aws_access_key_id repeated (first on line 2)");
    expect_ini_error("[default]\nx = 1\n[other]\n[default]\n",
                     "line 4: section [default] repeated");
    expect_ini_error("[default]\njust some words\n", "line 2: neither a [section]");
    expect_ini_error("aws_access_key_id = A\n[default]\n",
                     "line 1: an option before any [section]");
    expect_ini_error("[default]\n = value\n", "line 2: an option without a name");
    expect_ini_error("[]\n", "line 1: bad section header");
    expect_ini_error("[default\n", "line 1: bad section header");
    expect_ini_error("[default]\naws_secret_access_key = abc\n    def\n",
                     "line 3: the value of aws_secret_access_key continues");
    /* botocore refuses the whole file when a nested value has a line that is no pair. */
    expect_ini_error("[default]\naws_access_key_id = A\naws_secret_access_key = B\ns3 =\n"
                     "    max_concurrent_requests = 10\n    # a comment\n\n    oops\n",
                     "line 8: an indented line without '='");
    /*
     * botocore splits a nested value at str.splitlines' breaks (\v, \f, \x1c-\x1e, U+0085,
     * U+2028, U+2029) and strips with Python's Unicode white space, so "=" on the line is not
     * enough, and a value of U+00A0 or \x1c alone is no value.
     */
    expect_ini_error("[default]\ns3 =\n    a = 1\vb\n",
                     "line 3: an indented line under an option with no value has a piece "
                     "without '=' (Python also ends lines at \\v, \\f, \\x1c-\\x1e, U+0085, "
                     "U+2028 and U+2029)");
    expect_ini_error("[default]\ns3 =\n    a = 1\xe2\x80\xa8"
                     "b\n",
                     "line 3: an indented line");
    expect_ini_error("[default]\ns3 =\n    a = 1\xc2\x85"
                     "b\n",
                     "line 3: an indented line");
    expect_ini_error("[default]\ns3 = \xc2\xa0\n    oops\n", "line 3: an indented line");
    expect_ini_error("[default]\ns3 = \x1c\n    oops\n", "line 3: an indented line");
    {
        /* Pieces that are pairs, and a line Python strips to nothing: botocore reads them. */
        static const char ok[] = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n"
                                 "s3 =\n    a = 1\fb = 2\n    \xc2\xa0\n";

        assert_int_equal(eksauth_creds_parse_ini(ok, strlen(ok), "default", &c, NULL), EKSAUTH_OK);
        assert_string_equal(c.access_key_id, "A");
        eksauth_creds_free(&c);
    }
    /* Python reads the files as UTF-8 (its UTF-8 mode under the C locale too): botocore refuses
     * a file that is not, a Latin-1 comment or a surrogate's bytes. */
    expect_ini_error("[default]\naws_access_key_id = A\naws_secret_access_key = B\n# caf\xe9\n",
                     "line 4: not UTF-8");
    expect_ini_error("[default]\n# \xed\xa0\x80\naws_access_key_id = A\n", "line 2: not UTF-8");
    /* Errors anywhere in the file count, as botocore refuses the whole file. */
    expect_ini_error("[default]\naws_access_key_id = A\naws_secret_access_key = B\n[x]\noops\n",
                     "line 5");
    assert_int_equal(eksauth_creds_parse_ini(nul, sizeof(nul) - 1, "default", &c, NULL),
                     EKSAUTH_EINVAL);
}

/* ------------------------------------------------------------------ */
/* the chain */

static void test_env(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    (void)state;
    env_set("AWS_ACCESS_KEY_ID", "ASIAENV0000000000001");
    env_set("AWS_SECRET_ACCESS_KEY", "env/secret");
    env_set("AWS_SESSION_TOKEN", "envtoken");
    /* A credentials file too: the environment comes first. */
    write_file(path_in("home/.aws/credentials"), sample);
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIAENV0000000000001");
    assert_string_equal(c.secret_access_key, "env/secret");
    assert_string_equal(c.session_token, "envtoken");
    assert_int_equal(c.source, EKSAUTH_CREDS_ENV);
    assert_string_equal(c.origin, "environment");
    eksauth_creds_free(&c);

    /* AWS_SECURITY_TOKEN is the old name; an empty variable is an unset one. */
    env_set("AWS_SESSION_TOKEN", "");
    env_set("AWS_SECURITY_TOKEN", "oldtoken");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.session_token, "oldtoken");
    eksauth_creds_free(&c);
    /* Both set: botocore takes AWS_SECURITY_TOKEN (EnvProvider reads it first); so do we. */
    env_set("AWS_SESSION_TOKEN", "newtoken");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.session_token, "oldtoken");
    eksauth_creds_free(&c);
    env_set("AWS_SESSION_TOKEN", "");
    env_set("AWS_SECURITY_TOKEN", "");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_null(c.session_token);
    eksauth_creds_free(&c);
    /* In a file too: aws_security_token before aws_session_token, as botocore reads them. */
    write_file(path_in("home/.aws/credentials"), "[default]\naws_access_key_id = AKIAF\n"
                                                 "aws_secret_access_key = s\n"
                                                 "aws_session_token = newtoken\n"
                                                 "aws_security_token = oldtoken\n");
    env_set("AWS_ACCESS_KEY_ID", "");
    env_set("AWS_SECRET_ACCESS_KEY", "");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIAF");
    assert_string_equal(c.session_token, "oldtoken");
    eksauth_creds_free(&c);
    env_set("AWS_ACCESS_KEY_ID", "ASIAENV0000000000001");
    env_set("AWS_SECRET_ACCESS_KEY", "env/secret");

    /* Half a pair is an error, not a reason to read the file. */
    env_set("AWS_SECRET_ACCESS_KEY", "");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "AWS credentials: the environment has AWS_ACCESS_KEY_ID but not "
                                 "AWS_SECRET_ACCESS_KEY");
    assert_null(c.access_key_id);
    env_set("AWS_ACCESS_KEY_ID", "");
    env_set("AWS_SECRET_ACCESS_KEY", "x");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "has AWS_SECRET_ACCESS_KEY but not AWS_ACCESS_KEY_ID"));
}

static void test_profile_file(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    struct eksauth_creds_options opt = fake_env;
    char expect[600];

    (void)state;
    /* ~/.aws/credentials, profile default. */
    write_file(path_in("home/.aws/credentials"), sample);
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEFAULT000000001");
    snprintf(expect, sizeof(expect), "profile \"default\" in %s", path_in("home/.aws/credentials"));
    assert_string_equal(c.origin, expect);
    eksauth_creds_free(&c);

    /* AWS_PROFILE, then AWS_DEFAULT_PROFILE. */
    env_set("AWS_DEFAULT_PROFILE", "legacy");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIALEGACY0000000001");
    eksauth_creds_free(&c);
    env_set("AWS_DEFAULT_PROFILE", NULL);
    env_set("AWS_PROFILE", "dev");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIADEV0000000000001");
    eksauth_creds_free(&c);
    opt.profile = "legacy"; /* the option beats the environment */
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIALEGACY0000000001");
    eksauth_creds_free(&c);

    /* A named profile that is missing, or a file that is missing, is an error. */
    env_set("AWS_PROFILE", "nosuch");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "profile \"nosuch\" was asked for but"));
    assert_non_null(strstr(err.msg, "has no such profile"));
    /* A profile botocore signs for with SSO: refused, never the next source. */
    env_set("AWS_PROFILE", "sso");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "has sso_start_url"));
    env_set("AWS_PROFILE", "dev");
    env_set("AWS_SHARED_CREDENTIALS_FILE", path_in("missing"));
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "does not exist"));

    /* AWS_SHARED_CREDENTIALS_FILE, and the option over it. */
    env_set("AWS_PROFILE", NULL); /* unset: set empty, botocore looks for profile "" */
    env_set("AWS_DEFAULT_PROFILE", NULL);
    write_file(path_in("other"), "[default]\naws_access_key_id=AKIAOTHER00000000001\n"
                                 "aws_secret_access_key=o\n");
    env_set("AWS_SHARED_CREDENTIALS_FILE", path_in("other"));
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIAOTHER00000000001");
    eksauth_creds_free(&c);
    opt = fake_env;
    opt.credentials_file = path_in("home/.aws/credentials");
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEFAULT000000001");
    eksauth_creds_free(&c);

    /* A malformed file names the file and the line. */
    write_file(path_in("other"), "[default]\ngarbage\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    snprintf(expect, sizeof(expect), "AWS credentials: %s: line 2:", path_in("other"));
    assert_non_null(strstr(err.msg, expect));
    /* A folder is not a credentials file. */
    env_set("AWS_SHARED_CREDENTIALS_FILE", tmpdir);
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, "not a regular file"));
}

/* The chain's answer with the fake environment: the key signed with, or the message. */
static const char *load_says(char *buf, size_t len)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    if (eksauth_creds_load(&fake_env, &c, &err) == EKSAUTH_OK)
        snprintf(buf, len, "%s", c.access_key_id);
    else
        snprintf(buf, len, "%s", err.msg);
    eksauth_creds_free(&c);
    return buf;
}

#define ASSERT_LOAD_SAYS(needle)                                                                   \
    do {                                                                                           \
        char b_[1024];                                                                             \
        if (strstr(load_says(b_, sizeof(b_)), (needle)) == NULL)                                   \
            fail_msg("\"%s\" not in \"%s\"", (needle), b_);                                        \
    } while (0)

/*
 * AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE as botocore's
 * raw_config_parse opens them: os.path.expandvars, then expanduser (each
 * case as botocore 1.43.11 resolved it); eksauth took them as written, so
 * "~/creds" or "$HOME/creds" was no file and it read on to the next source.
 */
static void test_file_variables_expanded(void **state)
{
    static char home_slash[600];
    char region[64];
    struct eksauth_error err;

    (void)state;
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    write_file(path_in("home/.aws/credentials"), sample);
    write_file(path_in("home/cr"), "[default]\naws_access_key_id = AKIAEXPANDED\n"
                                   "aws_secret_access_key = s\n");
    write_file(path_in("home/conf"), "[default]\nregion = eu-north-1\n");
    env_set("D", path_in("home"));
    env_set("V", "$HOME");
    env_set("E", "");
    static const char *const same[] = {"$HOME/cr", "${HOME}/cr", "~/cr",   "$D/cr",
                                       "${D}/cr",  "~$E/cr",     "$E~/cr", "${E}$HOME/cr"};
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        env_set("AWS_SHARED_CREDENTIALS_FILE", same[i]);
        ASSERT_LOAD_SAYS("AKIAEXPANDED");
    }
    /* HOME's trailing '/' is dropped. */
    snprintf(home_slash, sizeof(home_slash), "%s//", path_in("home"));
    env_set("HOME", home_slash);
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~/cr");
    ASSERT_LOAD_SAYS("AKIAEXPANDED");
    env_set("HOME", path_in("home"));
    /* Unset variables, a '$' of neither form and a value put in stay as written. */
    env_set("AWS_SHARED_CREDENTIALS_FILE", "$NOPE/cr");
    ASSERT_LOAD_SAYS("shared credentials file $NOPE/cr (no such file)");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "${}/$/${HOME");
    ASSERT_LOAD_SAYS("shared credentials file ${}/$/${HOME (no such file)");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "$V/cr");
    ASSERT_LOAD_SAYS("shared credentials file $HOME/cr (no such file)");
    /* "~user" is that user's home; an unknown user, "~" in the middle: as written. */
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~root/eksauth-test-none");
    ASSERT_LOAD_SAYS("shared credentials file /root/eksauth-test-none (no such file)");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~eksauth-no-such-user/cr");
    ASSERT_LOAD_SAYS("shared credentials file ~eksauth-no-such-user/cr (no such file)");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "x/~/cr");
    ASSERT_LOAD_SAYS("shared credentials file x/~/cr (no such file)");
    /* HOME set but empty is "", as to Python: "~/cr" is "/cr". */
    env_set("HOME", "");
    env_set("AWS_SHARED_CREDENTIALS_FILE", "~/eksauth-test-none");
    ASSERT_LOAD_SAYS("shared credentials file /eksauth-test-none (no such file)");
    env_set("HOME", path_in("home"));
    /* Set but empty: botocore reads no credentials file, not ~/.aws/credentials. */
    env_set("AWS_SHARED_CREDENTIALS_FILE", "");
    ASSERT_LOAD_SAYS("no AWS credentials");
    env_set("AWS_SHARED_CREDENTIALS_FILE", NULL);
    ASSERT_LOAD_SAYS("AKIADEFAULT000000001");
    /* The config file alike. */
    for (size_t i = 0; i < 3; i++) {
        env_set("AWS_CONFIG_FILE", (const char *const[]){"~/conf", "${HOME}/conf", "$D/conf"}[i]);
        assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                          EKSAUTH_OK);
        assert_string_equal(region, "eu-north-1");
    }
}

/*
 * malloc wrapped (-Wl,--wrap, mk/tests.am): the nth call from here on
 * fails, so each allocation of a read fails in turn.
 */
static unsigned malloc_fail_at;

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

void *__wrap_malloc(size_t size)
{
    if (malloc_fail_at > 0 && --malloc_fail_at == 0)
        return NULL;
    return __real_malloc(size);
}

/*
 * A path too long once expanded is that file absent, as to botocore (its
 * isfile is false on ENAMETOOLONG), the other still read: eksauth dropped
 * both and went on to instance metadata, so with AWS_SHARED_CREDENTIALS_FILE
 * over 4 KiB it signed as the instance's role where botocore signs with the
 * config file's keys.  Out of memory is an error, not "no such file".
 */
/* rel given [default] with keys (key) and a region: both are the chain's. */
static void expect_keys_and_region(const char *rel, const char *key, const char *want)
{
    char text[200], region[64];
    struct eksauth_error err;

    snprintf(text, sizeof(text), "[default]\n" KEYS("%s") "region = %s\n", key, want);
    write_file(path_in(rel), text);
    ASSERT_LOAD_SAYS(key);
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, want);
}

static void test_file_path_too_long(void **state)
{
    static char big[5000];
    char region[64];
    struct eksauth_creds c;
    struct eksauth_error err;
    enum eksauth_status st;
    unsigned n, i;
    static const char *const other[] = {"home/.aws/config", "home/.aws/credentials"};
    static const char *const key[] = {"AKIACONFIG", "AKIACREDS"};
    static const char *const label[] = {
        "shared credentials file $AWS_SHARED_CREDENTIALS_FILE (too long once expanded), "
        "instance metadata",
        "AWS config file $AWS_CONFIG_FILE (too long once expanded), shared credentials file"};
    static const char *const missing[] = {
        "but $AWS_SHARED_CREDENTIALS_FILE is too long once expanded",
        "and $AWS_CONFIG_FILE is too long once expanded, so no [profile nosuch]"};

    (void)state;
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    memset(big, 'x', sizeof(big) - 1);
    env_set("X", big);
    for (i = 0; i < 2; i++) {
        /* One path too long: the other file is still read, and tried names the one dropped. */
        env_set(i == 0 ? "AWS_SHARED_CREDENTIALS_FILE" : "AWS_CONFIG_FILE", i == 0 ? "$X" : "${X}");
        env_set(i == 0 ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE", NULL);
        expect_keys_and_region(other[i], key[i], i == 0 ? "eu-west-3" : "ap-south-2");
        write_file(path_in(other[i]), "[default]\n");
        ASSERT_LOAD_SAYS(label[i]);
        env_set("AWS_PROFILE", "nosuch");
        ASSERT_LOAD_SAYS(missing[i]);
        env_set("AWS_PROFILE", NULL);
    }
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "$AWS_CONFIG_FILE (too long once expanded)"));
    /* HOME too long: ~/.aws/config is the label. */
    env_set("AWS_CONFIG_FILE", NULL);
    env_set("HOME", big);
    ASSERT_LOAD_SAYS("AWS config file ~/.aws/config (too long once expanded)");

    /* Each allocation failing in turn: out of memory, never read on as if absent. */
    env_set("HOME", path_in("home"));
    env_set("AWS_CONFIG_FILE", NULL);
    write_file(path_in("home/.aws/credentials"),
               "[default]\n" KEYS("AKIACREDS") "region = ap-south-2\n");
    for (i = 0; i < 2; i++) {
        for (n = 1;; n++) {
            malloc_fail_at = n;
            st = i == 0 ? eksauth_creds_load(&fake_env, &c, &err)
                        : eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err);
            malloc_fail_at = 0;
            if (i == 0)
                eksauth_creds_free(&c);
            if (st == EKSAUTH_OK)
                break;
            if (st != EKSAUTH_ENOMEM)
                fail_msg("malloc %u failing: status %d: %s", n, (int)st, err.msg);
        }
        assert_true(n > 1);
    }
}

static void test_nothing_found(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    struct eksauth_creds_options opt = fake_env;
    char expect[700];

    (void)state;
    /* No network in a unit test: instance metadata is switched off as botocore allows. */
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_ENOTFOUND);
    snprintf(expect, sizeof(expect),
             "no AWS credentials: tried environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
             "not set), shared credentials file %s (no such file), instance metadata "
             "(AWS_EC2_METADATA_DISABLED is set)",
             path_in("home/.aws/credentials"));
    assert_string_equal(err.msg, expect);
    assert_null(c.access_key_id);

    /* A default profile that the file lacks: the chain goes on, and says why. */
    write_file(path_in("home/.aws/credentials"), "[dev]\naws_access_key_id=A\n"
                                                 "aws_secret_access_key=B\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "(no profile [default])"));

    opt.sources = EKSAUTH_CREDS_ENV;
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_ENOTFOUND);
    assert_null(strstr(err.msg, "shared credentials file"));
    opt.sources = EKSAUTH_CREDS_IMDS;
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "instance metadata (AWS_EC2_METADATA_DISABLED is set)"));
    eksauth_creds_free(NULL);
}

/* ------------------------------------------------------------------ */
/* region */

static void test_region(void **state)
{
    struct eksauth_creds_options opt = fake_env;
    struct eksauth_error err;
    char region[64], expect[700];

    (void)state;
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_ENOTFOUND);
    snprintf(expect, sizeof(expect),
             "no AWS region: tried --region, AWS_REGION, AWS_DEFAULT_REGION and %s (no such file)",
             path_in("home/.aws/config"));
    assert_string_equal(err.msg, expect);

    write_file(path_in("home/.aws/config"), "[default]\nregion = ap-southeast-2\noutput = json\n"
                                            "[profile dev]\nregion=eu-west-1\n"
                                            "[profile bad]\nregion = evil.example.com\n"
                                            "[profile none]\noutput = text\n");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "ap-southeast-2");
    env_set("AWS_PROFILE", "dev");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "eu-west-1");
    env_set("AWS_PROFILE", "bad");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "is not a region name"));
    assert_non_null(strstr(err.msg, "line 7"));
    env_set("AWS_PROFILE", "none");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "profile \"none\""));
    opt.config_file = path_in("missing"); /* profile none is in no file: botocore refuses it */
    assert_status_err(eksauth_creds_region(NULL, &opt, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "region: profile \"none\" was asked for"));
    env_set("AWS_CONFIG_FILE", path_in("home/.aws/config"));
    env_set("AWS_PROFILE", "dev");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "eu-west-1");

    /* The environment beats the file, AWS_REGION beats AWS_DEFAULT_REGION, the option beats all. */
    env_set("AWS_DEFAULT_REGION", "us-west-2");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "us-west-2");
    env_set("AWS_REGION", "us-gov-west-1");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "us-gov-west-1");
    assert_status_err(eksauth_creds_region("cn-north-1", &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "cn-north-1");

    /* A region becomes a host name: only region-shaped values pass. */
    assert_int_equal(
        eksauth_creds_region("us-east-1.evil.com", &fake_env, region, sizeof(region), &err),
        EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "region: \"us-east-1.evil.com\" from --region is not a region "
                                 "name");
    env_set("AWS_REGION", "US-EAST-1");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "from AWS_REGION"));
    assert_status_err(eksauth_creds_region("us-east-1", &fake_env, region, 5, &err),
                      EKSAUTH_EINVAL);
}

/* ------------------------------------------------------------------ */
/* The credentials document of instance metadata (imds.h serves it). */

static const char good[] = "{\n"
                           "  \"Code\" : \"Success\",\n"
                           "  \"LastUpdated\" : \"2026-11-30T05:00:00Z\",\n"
                           "  \"Type\" : \"AWS-HMAC\",\n"
                           "  \"AccessKeyId\" : \"ASIAFAKEIMDS00000001\",\n"
                           "  \"SecretAccessKey\" : \"imdsSecret/+=abc\",\n"
                           "  \"Token\" : \"IQoJimdsSessionToken+/=\",\n"
                           "  \"Expiration\" : \"2026-11-30T11:00:00Z\"\n"
                           "}";

static void test_imds_document(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    (void)state;
    assert_status_err(eksauth_creds_parse_imds(good, strlen(good), &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIAFAKEIMDS00000001");
    assert_string_equal(c.secret_access_key, "imdsSecret/+=abc");
    assert_string_equal(c.session_token, "IQoJimdsSessionToken+/=");
    assert_int_equal((long long)c.expiration, 1796036400LL); /* 2026-11-30T11:00:00Z */
    assert_int_equal(c.source, EKSAUTH_CREDS_IMDS);
    eksauth_creds_free(&c);
    assert_null(c.access_key_id);
}

/* Replace the first "from" of good by "to" and expect a refusal that names want. */
static void refuse_imds(const char *from, const char *to, const char *want)
{
    char doc[1024], *p;
    struct eksauth_creds c;
    struct eksauth_error err;

    p = strstr(good, from);
    assert_non_null(p);
    snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(p - good), good, to, p + strlen(from));
    assert_status_err(eksauth_creds_parse_imds(doc, strlen(doc), &c, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, want) == NULL)
        fail_msg("\"%s\" does not name \"%s\"", err.msg, want);
    assert_null(c.access_key_id);
    /* No secret in any message. */
    assert_null(strstr(err.msg, "imdsSecret"));
    assert_null(strstr(err.msg, "IQoJ"));
}

static void test_imds_document_refused(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    (void)state;
    refuse_imds("\"Success\"", "\"Failure\"", "Code is \"Failure\"");
    refuse_imds("\"Code\"", "\"Cod\"", "no Code");
    refuse_imds("\"AccessKeyId\"", "\"AccessKey\"", "no AccessKeyId");
    refuse_imds("\"SecretAccessKey\" : \"imdsSecret/+=abc\"", "\"SecretAccessKey\" : 5",
                "no SecretAccessKey");
    refuse_imds("\"Token\"", "\"Tokens\"", "no Token");
    refuse_imds("\"Expiration\"", "\"Expires\"", "no Expiration");
    refuse_imds("2026-11-30T11:00:00Z", "tomorrow", "Expiration is not RFC 3339");
    refuse_imds("2026-11-30T11:00:00Z", "1796036400", "Expiration is not RFC 3339");
    refuse_imds("ASIAFAKEIMDS00000001", "ASIA FAKE", "AccessKeyId is empty or not ASCII");
    refuse_imds("ASIAFAKEIMDS00000001", "", "AccessKeyId is empty");
    refuse_imds("{", "[", "not a JSON object");
    refuse_imds("}", "", "not a JSON object");
    assert_status_err(eksauth_creds_parse_imds("", 0, &c, &err), EKSAUTH_EINVAL);
    assert_status_err(eksauth_creds_parse_imds(NULL, 3, &c, &err), EKSAUTH_EINVAL);
    assert_status_err(eksauth_creds_parse_imds("{\0}", 3, &c, &err), EKSAUTH_EINVAL);
}

/* A document of instance metadata's size, its session token 640 bytes. */
static int imds_doc(char *doc, size_t len, char *secret, char *token, const char *expiration)
{
    size_t i;

    for (i = 0; i < 40; i++)
        secret[i] = "abcdefghijklmnopqrstuvwxyzABCDEF0123456789+/"[(i * 7) % 44];
    secret[40] = '\0';
    for (i = 0; i < 640; i++)
        token[i] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[(i * 13) % 64];
    token[640] = '\0';
    return snprintf(doc, len,
                    "{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-11-30T05:00:00Z\",\n"
                    "  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"ASIAFAKEIMDS00000001\",\n"
                    "  \"SecretAccessKey\" : \"%s\",\n  \"Token\" : \"%s\",\n"
                    "  \"Expiration\" : \"%s\"\n}",
                    secret, token, expiration);
}

/* Parse doc[0..len) with each of the two secrets armed: the blocks freed that held it. */
static unsigned long imds_freed_hits(const char *doc, size_t len, const char *secret,
                                     const char *token, enum eksauth_status want)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    unsigned long hits;
    int k;

    for (hits = 0, k = 0; k < 2; k++) {
        /* A middle piece of each: the whole string is not needed to be a leak. */
        freed_scan_arm(k == 0 ? secret + 4 : token + 100, k == 0 ? 32 : 64);
        assert_status_err(eksauth_creds_parse_imds(doc, len, &c, &err), want);
        eksauth_creds_free(&c);
        hits += freed_scan_disarm();
    }
    return hits;
}

/*
 * The keys are wiped from every copy json-c made before it is freed: their
 * strings, the tokener's buffer (which holds the last long string read,
 * and which grows: the block it leaves held the secret key), and the
 * pieces of a document that ends too soon.
 */
static void test_imds_document_no_copy_freed(void **state)
{
    char doc[2048], secret[41], token[641];
    int n;

    (void)state;
    n = imds_doc(doc, sizeof(doc), secret, token, "2026-11-30T11:00:00Z");
    assert_int_equal(imds_freed_hits(doc, (size_t)n, secret, token, EKSAUTH_OK), 0);
    /* Refused after both were read. */
    n = imds_doc(doc, sizeof(doc), secret, token, "tomorrow");
    assert_int_equal(imds_freed_hits(doc, (size_t)n, secret, token, EKSAUTH_EINVAL), 0);
    /* Cut before its end: no JSON object, the keys read so far still wiped. */
    n = imds_doc(doc, sizeof(doc), secret, token, "2026-11-30T11:00:00Z");
    assert_int_equal(imds_freed_hits(doc, (size_t)n - 30, secret, token, EKSAUTH_EINVAL), 0);
}

/*
 * An explicit profile (kubeconfig's `aws eks get-token --profile P`, which
 * the built-in signer follows) is the profile's keys, not the
 * environment's: botocore drops its environment source when the profile is
 * given (create_credential_resolver), so kubectl's aws signs as P.  Only
 * AWS_PROFILE leaves the environment's keys first.
 */
static void test_explicit_profile_over_env(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    struct eksauth_creds_options opt = fake_env;

    (void)state;
    write_file(path_in("home/.aws/credentials"), sample);
    env_set("AWS_ACCESS_KEY_ID", "AKIASHELL00000000001");
    env_set("AWS_SECRET_ACCESS_KEY", "shell/secret");
    opt.profile = "dev";
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIADEV0000000000001");
    assert_int_equal(c.source, EKSAUTH_CREDS_PROFILE);
    eksauth_creds_free(&c);
    /* An explicit profile that is not there is an error, not the environment's keys. */
    opt.profile = "nosuch";
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_EINVAL);
    assert_null(c.access_key_id);
    /* AWS_PROFILE: the environment's keys still come first, as in botocore. */
    env_set("AWS_PROFILE", "dev");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIASHELL00000000001");
    eksauth_creds_free(&c);
}

/* A load refused with EINVAL, its message holding needle and no secret of the files. */
static void expect_other_source(const struct eksauth_creds_options *opt, const char *needle)
{
    struct eksauth_creds c;
    struct eksauth_error err;

    assert_status_err(eksauth_creds_load(opt, &c, &err), EKSAUTH_EINVAL);
    if (strstr(err.msg, needle) == NULL)
        fail_msg("\"%s\" not in \"%s\"", needle, err.msg);
    assert_null(strstr(err.msg, "secret"));
    assert_null(c.access_key_id);
}

/*
 * Sources botocore reads before the keys eksauth can sign with (a role to
 * assume, SSO, a credential_process, web identity) or before instance
 * metadata (container credentials): eksauth refuses rather than sign with
 * the keys underneath or as the instance's role, someone the person did not
 * mean.  Keys in the config file are botocore's too (after those of the
 * credentials file).
 */
static void test_other_sources(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    struct eksauth_creds_options opt = fake_env;
    char expect[700];

    (void)state;
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    /* A role in the config file's profile: botocore assumes it, over the profile's keys. */
    write_file(path_in("home/.aws/credentials"), sample);
    write_file(path_in("home/.aws/config"), "[default]\nregion = eu-west-1\n"
                                            "[profile dev]\nrole_arn = arn:aws:iam::1:role/r\n"
                                            "source_profile = default\n");
    env_set("AWS_PROFILE", "dev");
    expect_other_source(&fake_env, "profile \"dev\" has role_arn");
    opt.profile = "dev";
    expect_other_source(&opt, "has role_arn");
    /* ... or in the credentials file's own, next to the keys. */
    env_set("AWS_PROFILE", NULL);
    write_file(path_in("home/.aws/credentials"), "[default]\naws_access_key_id = AKIADEF\n"
                                                 "aws_secret_access_key = secretkey\n"
                                                 "role_arn = arn:aws:iam::1:role/r\n"
                                                 "source_profile = base\n");
    expect_other_source(&fake_env, "has role_arn");
    /* SSO (a role name and account, or a session) comes before the keys too. */
    write_file(path_in("home/.aws/credentials"), sample);
    write_file(path_in("home/.aws/config"), "[default]\nsso_session = corp\n"
                                            "sso_account_id = 111122223333\n"
                                            "sso_role_name = Admin\n");
    expect_other_source(&fake_env, "has sso_");
    /* A credential_process alone: botocore runs it; eksauth fell to instance metadata. */
    unlink(path_in("home/.aws/config"));
    write_file(path_in("home/.aws/credentials"), "[default]\ncredential_process = /bin/creds\n");
    expect_other_source(&fake_env, "has credential_process");
    write_file(path_in("home/.aws/credentials"), "");
    write_file(path_in("home/.aws/config"), "[profile default]\ncredential_process = /bin/c\n");
    expect_other_source(&fake_env, "has credential_process");
    /*
     * An `aws login` session (botocore's LoginProvider): botocore signs as it,
     * over the config file's keys beside it; eksauth signed with those keys,
     * or, with none, fell to instance metadata.
     */
    write_file(path_in("home/.aws/credentials"), "");
    write_file(path_in("home/.aws/config"), "[profile x]\nlogin_session = arn:aws:iam::1:user/u\n"
                                            "aws_access_key_id = AKIACONF\n"
                                            "aws_secret_access_key = conf\n"
                                            "[default]\nlogin_session = arn:aws:iam::1:user/u\n");
    opt.profile = "x";
    expect_other_source(&opt, "has login_session");
    expect_other_source(&opt, "aws login");
    opt.profile = NULL;
    expect_other_source(&fake_env, "has login_session");
    /* ... in the credentials file too (botocore merges both files' profiles). */
    unlink(path_in("home/.aws/config"));
    write_file(path_in("home/.aws/credentials"), "[default]\nlogin_session = s\n");
    expect_other_source(&fake_env, "has login_session");
    /* ... but the credentials file's keys come before it, as before a credential_process. */
    write_file(path_in("home/.aws/credentials"), "[default]\naws_access_key_id = AKIADEF\n"
                                                 "aws_secret_access_key = s\n"
                                                 "login_session = s\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEF");
    eksauth_creds_free(&c);
    write_file(path_in("home/.aws/credentials"), "");
    write_file(path_in("home/.aws/config"), "[profile default]\ncredential_process = /bin/c\n");
    /* ... but the credentials file's keys come before a credential_process in botocore. */
    write_file(path_in("home/.aws/credentials"), "[default]\naws_access_key_id = AKIADEF\n"
                                                 "aws_secret_access_key = s\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEF");
    eksauth_creds_free(&c);

    /* Keys in the config file alone are botocore's; eksauth fell to instance metadata. */
    unlink(path_in("home/.aws/credentials"));
    write_file(path_in("home/.aws/config"), "[default]\naws_access_key_id = AKIACONF\n"
                                            "aws_secret_access_key = conf\n"
                                            "[profile dev]\naws_access_key_id = AKIACONFDEV\n"
                                            "aws_secret_access_key = confdev\n"
                                            "aws_session_token = confdevtoken\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIACONF");
    snprintf(expect, sizeof(expect), "profile \"default\" in %s", path_in("home/.aws/config"));
    assert_string_equal(c.origin, expect);
    eksauth_creds_free(&c);
    env_set("AWS_PROFILE", "dev");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIACONFDEV");
    assert_string_equal(c.session_token, "confdevtoken");
    eksauth_creds_free(&c);
    /* In the config file a named profile is "[profile NAME]": "[NAME]" is no profile. */
    write_file(path_in("home/.aws/config"), "[dev]\naws_access_key_id = AKIACONFDEV\n"
                                            "aws_secret_access_key = confdev\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_null(c.access_key_id);
    env_set("AWS_PROFILE", NULL);
    unlink(path_in("home/.aws/config"));

    /* Web identity from the environment comes before the files' keys. */
    write_file(path_in("home/.aws/credentials"), sample);
    env_set("AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token");
    /*
     * Without AWS_ROLE_ARN botocore takes the profile's role_arn, or fails
     * (InvalidConfigError): never the profile's keys, as eksauth once did.
     */
    expect_other_source(&fake_env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    expect_other_source(&fake_env, "without AWS_ROLE_ARN");
    env_set("AWS_ROLE_ARN", "");
    expect_other_source(&fake_env, "without AWS_ROLE_ARN");
    env_set("AWS_ROLE_ARN", "arn:aws:iam::1:role/pod");
    expect_other_source(&fake_env, "AWS_WEB_IDENTITY_TOKEN_FILE");
    /* ... but not before an explicit profile, whose providers read no variables. */
    opt.profile = "dev";
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "ASIADEV0000000000001");
    eksauth_creds_free(&c);
    env_set("AWS_ROLE_ARN", "");
    env_set("AWS_WEB_IDENTITY_TOKEN_FILE", "");

    /* Container credentials come after the files' keys, before instance metadata. */
    env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1/credentials");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIADEFAULT000000001");
    eksauth_creds_free(&c);
    unlink(path_in("home/.aws/credentials"));
    expect_other_source(&fake_env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    env_set("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
    env_set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x");
    expect_other_source(&fake_env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
}

/* ------------------------------------------------------------------ */
/*
 * Section names of ~/.aws/config, each case as botocore 1.43.11 (aws-cli
 * 1.45.11) read it on the machine these were written on:
 * Session(profile=P).get_credentials().access_key and
 * get_config_variable('region'), with AWS_CONFIG_FILE the text and no
 * credentials file.  "ProfileNotFound" there is a named profile eksauth
 * refuses (EKSAUTH_EINVAL, "was asked for"); "None" for the default is no
 * keys (EKSAUTH_ENOTFOUND).
 */
struct config_case {
    const char *text;
    const char *profile; /* NULL: the default */
    const char *key;     /* the key botocore signs with; NULL: none (see above) */
    const char *region;  /* the region botocore reads; NULL: none */
};

static const struct config_case config_cases[] = {
    /* key=AKQ region=eu-west-1: shlex.split drops the quotes */
    {"[profile \"dev\"]\n" KEYS("AKQ") "region = eu-west-1\n", "dev", "AKQ", "eu-west-1"},
    /* key=AKQ region=eu-west-1 */
    {"[profile 'dev']\n" KEYS("AKQ") "region = eu-west-1\n", "dev", "AKQ", "eu-west-1"},
    /* key=AKS region=eu-west-1: any run of blanks between the words */
    {"[profile    dev]\n" KEYS("AKS") "region = eu-west-1\n", "dev", "AKS", "eu-west-1"},
    /* key=AKT region=eu-west-1 */
    {"[profile\tdev]\n" KEYS("AKT") "region = eu-west-1\n", "dev", "AKT", "eu-west-1"},
    /* key=AKU region=eu-west-1: a blank before ']' */
    {"[profile dev ]\n" KEYS("AKU") "region = eu-west-1\n", "dev", "AKU", "eu-west-1"},
    /* key=AKQ region=None */
    {"[profile \"dev\" ]\n" KEYS("AKQ"), "dev", "AKQ", NULL},
    /* ProfileNotFound: the header must start with "profile", a blank first is not it */
    {"[ profile dev ]\n" KEYS("AKV") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound: "profile" in its case only */
    {"[Profile dev]\n" KEYS("AKC") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound */
    {"[PROFILE dev]\n" KEYS("AKC") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound: in the config file "[dev]" is no profile */
    {"[dev]\n" KEYS("AKN") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound: three words */
    {"[profile dev extra]\n" KEYS("AK3") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound: shlex does not read '#' as a comment, so three words */
    {"[profile dev #x]\n" KEYS("AKH"), "dev", NULL, NULL},
    /* ProfileNotFound: an unclosed quote is shlex's ValueError */
    {"[profile \"dev]\n" KEYS("AKQ") "region = eu-west-1\n", "dev", NULL, NULL},
    /* ProfileNotFound: a final backslash too */
    {"[profile dev\\]\n" KEYS("AKQ"), "dev", NULL, NULL},
    /* ProfileNotFound: "[profile]" is one word */
    {"[profile]\n" KEYS("AK1"), "profile", NULL, NULL},
    /* key=AKX region=eu-west-1: any first word that starts with "profile" */
    {"[profiledev x]\n" KEYS("AKX") "region = eu-west-1\n", "x", "AKX", "eu-west-1"},
    /* key=AKM region=eu-west-1 */
    {"[profile \"my dev\"]\n" KEYS("AKM") "region = eu-west-1\n", "my dev", "AKM", "eu-west-1"},
    /* key=AKQ region=eu-west-1: quotes inside a word */
    {"[profile d\"e\"v]\n" KEYS("AKQ") "region = eu-west-1\n", "dev", "AKQ", "eu-west-1"},
    /* key=AKBS region=None: a backslash escapes the blank */
    {"[profile dev\\ x]\n" KEYS("AKBS"), "dev x", "AKBS", NULL},
    /* key=AKC: between double quotes "\e" stays "\e", so that section is d\ev, not dev */
    {"[profile dev]\n" KEYS("AKC") "[profile \"d\\ev\"]\n" KEYS("AKE"), "dev", "AKC", NULL},
    /* key=AKC: between single quotes nothing is escaped */
    {"[profile 'd\\ev']\n" KEYS("AKC"), "d\\ev", "AKC", NULL},
    /* key=AKCm region=eu-west-1: text after the ']' is no part of the name */
    {"[profile dev] # c\n" KEYS("AKCm") "region = eu-west-1\n", "dev", "AKCm", "eu-west-1"},
    /* key=AK2 region=eu-west-2: two sections of one profile, the last wins */
    {"[profile dev]\n" KEYS("AK1") "region = eu-west-1\n[profile \"dev\"]\n" KEYS(
         "AK2") "region = eu-west-2\n",
     "dev", "AK2", "eu-west-2"},
    /* key=AK1 region=None: ... whole, nothing of the first is kept */
    {"[profile \"dev\"]\n" KEYS("AK2") "region = eu-west-2\n[profile dev]\n" KEYS("AK1"), "dev",
     "AK1", NULL},
    /* key=AKPD region=eu-west-2: [default] then [profile default], the last wins */
    {"[default]\n" KEYS("AKD") "region = eu-west-1\n[profile default]\n" KEYS(
         "AKPD") "region = eu-west-2\n",
     NULL, "AKPD", "eu-west-2"},
    /* key=AKD region=eu-west-1: the other way round */
    {"[profile default]\n" KEYS("AKPD") "region = eu-west-2\n[default]\n" KEYS(
         "AKD") "region = eu-west-1\n",
     NULL, "AKD", "eu-west-1"},
    /* key=AKPD region=eu-west-2: [profile default] alone */
    {"[profile default]\n" KEYS("AKPD") "region = eu-west-2\n", NULL, "AKPD", "eu-west-2"},
    /* key=AKDEF region=eu-west-1: [DEFAULT] gives every section what it does not set */
    {"[DEFAULT]\n" KEYS("AKDEF") "region = eu-west-3\n[profile dev]\nregion = eu-west-1\n", "dev",
     "AKDEF", "eu-west-1"},
    /* key=None: [DEFAULT] is no profile, not even the default */
    {"[DEFAULT]\n" KEYS("AKDEF"), NULL, NULL, NULL},
};

static void test_config_sections(void **state)
{
    struct eksauth_creds_options opt = fake_env;
    struct eksauth_creds c;
    struct eksauth_error err;
    char region[64];
    size_t i;

    (void)state;
    opt.sources = EKSAUTH_CREDS_PROFILE;
    for (i = 0; i < sizeof(config_cases) / sizeof(config_cases[0]); i++) {
        const struct config_case *k = &config_cases[i];
        enum eksauth_status st, want;

        write_file(path_in("home/.aws/config"), k->text);
        opt.profile = k->profile;
        st = eksauth_creds_load(&opt, &c, &err);
        want = k->key != NULL       ? EKSAUTH_OK
               : k->profile != NULL ? EKSAUTH_EINVAL
                                    : EKSAUTH_ENOTFOUND;
        if (st != want)
            fail_msg("case %zu (%s): status %d, expected %d: %s", i, k->text, (int)st, (int)want,
                     err.msg);
        if (k->key != NULL && strcmp(c.access_key_id, k->key) != 0)
            fail_msg("case %zu (%s): key %s, expected %s", i, k->text, c.access_key_id, k->key);
        if (k->key == NULL && k->profile != NULL && strstr(err.msg, "was asked for") == NULL)
            fail_msg("case %zu: %s", i, err.msg);
        eksauth_creds_free(&c);
        st = eksauth_creds_region(NULL, &opt, region, sizeof(region), &err);
        /* A profile asked for that is missing: no region either (botocore's ProfileNotFound). */
        want = k->key == NULL && k->profile != NULL ? EKSAUTH_EINVAL : EKSAUTH_ENOTFOUND;
        if (k->region != NULL ? st != EKSAUTH_OK || strcmp(region, k->region) != 0 : st != want)
            fail_msg("case %zu (%s): region %d \"%s\", expected %s", i, k->text, (int)st, region,
                     k->region != NULL ? k->region : "none");
    }
    /* The same header twice is configparser's DuplicateSectionError (botocore: ConfigParseError).
     */
    write_file(path_in("home/.aws/config"), "[profile dev]\n" KEYS("AK1") "[profile dev]\n");
    opt.profile = "dev";
    assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "line 4: section [profile dev] repeated"));
}

/*
 * The region of a profile's section in the credentials file: botocore
 * merges that section into the profile over the config file's, option by
 * option.  Each case as botocore 1.43.11 read it (get_config_variable
 * ('region'), as above).
 */
struct region_case {
    const char *config, *credentials, *profile, *region;
};

static const struct region_case region_cases[] = {
    /* region=eu-west-2: the credentials file's over the config file's */
    {"[profile dev]\nregion = eu-west-1\n", "[dev]\n" KEYS("AKC") "region = eu-west-2\n", "dev",
     "eu-west-2"},
    /* region=eu-west-1: none there, the config file's */
    {"[profile dev]\nregion = eu-west-1\n", "[dev]\n" KEYS("AKC"), "dev", "eu-west-1"},
    /* region=eu-west-2: no profile in the config file */
    {"", "[dev]\n" KEYS("AKC") "region = eu-west-2\n", "dev", "eu-west-2"},
    /* region=eu-west-2: the default too */
    {"[default]\nregion = eu-west-1\n", "[default]\n" KEYS("AKC") "region = eu-west-2\n", NULL,
     "eu-west-2"},
    /* region=eu-west-3: the credentials file's [DEFAULT] is its [dev]'s */
    {"[profile dev]\nregion = eu-west-1\n", "[DEFAULT]\nregion = eu-west-3\n[dev]\n" KEYS("AKC"),
     "dev", "eu-west-3"},
    /*
     * region=eu-west-1: lines indented alike are options, not one value
     * continued (configparser continues a value only on a line indented
     * deeper than its option's)
     */
    {"[profile dev]\n  output = json\n  region = eu-west-1\n", "[dev]\n" KEYS("AKC"), "dev",
     "eu-west-1"},
    {"  [profile dev]\n\toutput = json\n\n\t# note\n\tregion = eu-west-1\n", "[dev]\n" KEYS("AKC"),
     "dev", "eu-west-1"},
};

static void test_region_in_credentials(void **state)
{
    struct eksauth_creds_options opt = fake_env;
    struct eksauth_error err;
    char region[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(region_cases) / sizeof(region_cases[0]); i++) {
        const struct region_case *k = &region_cases[i];

        write_file(path_in("home/.aws/config"), k->config);
        write_file(path_in("home/.aws/credentials"), k->credentials);
        opt.profile = k->profile;
        assert_status_err(eksauth_creds_region(NULL, &opt, region, sizeof(region), &err),
                          EKSAUTH_OK);
        if (strcmp(region, k->region) != 0)
            fail_msg("case %zu: region %s, expected %s", i, region, k->region);
    }
    /* A region there is checked as any other, naming its line. */
    write_file(path_in("home/.aws/credentials"), "[dev]\nregion = evil.example.com\n");
    opt.profile = "dev";
    assert_status_err(eksauth_creds_region(NULL, &opt, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "credentials line 2"));
}

/*
 * configparser's strictness over the whole file, each case as botocore
 * 1.43.11 read it (Session(profile='dev').get_credentials(), AWS_CONFIG_FILE
 * the text): NULL is "ConfigParseError" (a section, or an option of one
 * section, given twice anywhere), else the key it signed with.
 */
static const struct {
    const char *text, *key, *needle;
} strict_cases[] = {
    {"[profile dev]\n" KEYS("AKC") "[x]\na=1\n[x]\nb=1\n", NULL, "line 6: section [x] repeated"},
    {"[profile dev]\n" KEYS("AKC") "[x]\nA=1\na=2\n", NULL, "line 6: a repeated (first on line 5)"},
    {"[profile dev]\n" KEYS("AKC") "[x]\nA=1\n[y]\na=2\n", "AKC", NULL},
    /* [DEFAULT] may come again, adding to itself, but not with the same option */
    {"[DEFAULT]\na=1\n[profile dev]\n" KEYS("AKC") "[DEFAULT]\nb=2\n", "AKC", NULL},
    {"[DEFAULT]\na=1\n[profile dev]\n" KEYS("AKC") "[DEFAULT]\na=2\n", NULL,
     "line 7: a repeated (first on line 2)"},
    /* two headers of one profile are two sections */
    {"[profile dev]\n" KEYS("AKC") "[profile \"dev\"]\n" KEYS("AKC"), "AKC", NULL},
};

static void test_config_strict(void **state)
{
    struct eksauth_creds_options opt = fake_env;
    struct eksauth_creds c;
    struct eksauth_error err;
    size_t i;

    (void)state;
    opt.sources = EKSAUTH_CREDS_PROFILE;
    opt.profile = "dev";
    for (i = 0; i < sizeof(strict_cases) / sizeof(strict_cases[0]); i++) {
        write_file(path_in("home/.aws/config"), strict_cases[i].text);
        if (strict_cases[i].key != NULL) {
            assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_OK);
            assert_string_equal(c.access_key_id, strict_cases[i].key);
        } else {
            assert_status_err(eksauth_creds_load(&opt, &c, &err), EKSAUTH_EINVAL);
            if (strstr(err.msg, strict_cases[i].needle) == NULL)
                fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, strict_cases[i].needle);
        }
        eksauth_creds_free(&c);
    }
}

/*
 * botocore reads the files in Python's text mode, where a lone CR ends a
 * line as LF does: a profile's options behind one are its options, and a
 * role_arn so written is still the role botocore would assume.
 */
static void test_ini_lone_cr(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    struct eksauth_creds_options opt = fake_env;
    static const char text[] = "[default]\raws_access_key_id = AKIACR00000000000001\r"
                               "aws_secret_access_key = cr/secret\r\r\n[dev]\r\n"
                               "aws_access_key_id = AKIADEV0000000000001\n"
                               "aws_secret_access_key = dev/secret\r";

    (void)state;
    assert_status_err(eksauth_creds_parse_ini(text, sizeof(text) - 1, "default", &c, &err),
                      EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIACR00000000000001");
    assert_string_equal(c.secret_access_key, "cr/secret");
    eksauth_creds_free(&c);
    assert_status_err(eksauth_creds_parse_ini(text, sizeof(text) - 1, "dev", &c, &err), EKSAUTH_OK);
    assert_string_equal(c.secret_access_key, "dev/secret");
    eksauth_creds_free(&c);
    /* Lines are counted as botocore counts them. */
    expect_ini_error("[default]\rx = 1\r\noops\n", "line 3: neither a [section]");
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    write_file(path_in("home/.aws/credentials"), text);
    write_file(path_in("home/.aws/config"), "[profile dev]\rrole_arn = arn:aws:iam::1:role/r\r");
    opt.profile = "dev";
    expect_other_source(&opt, "has role_arn");
}

/*
 * A value taken holding a control byte is refused: keys and tokens go into
 * signed headers.  So is an option name Python's Unicode rules read as
 * another (botocore strips "\x1c" and U+00A0 around it, lower-cases U+212A
 * to "k"): a role_arn eksauth did not see would be signed around.
 */
static void test_ini_control_value(void **state)
{
    (void)state;
    expect_ini_error("[default]\naws_access_key_id = AKIA\001X\naws_secret_access_key = s\n",
                     "line 2: aws_access_key_id holds a control byte");
    expect_ini_error("[default]\naws_access_key_id = AKIAX\xc2\xa0\naws_secret_access_key = s\n",
                     "line 2: aws_access_key_id holds a control byte or a non-ASCII character");
    expect_ini_error("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"
                     "aws_session_token = tok\tand\n",
                     "line 4: aws_session_token holds a control byte");
    expect_ini_error("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"
                     "role_arn\x1c = arn:aws:iam::1:role/r\n",
                     "line 4: an option name with a control byte or a non-ASCII character");
    expect_ini_error("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"
                     "web_identity_to\xe2\x84\xaa"
                     "en_file = /t\n",
                     "line 4: an option name with a control byte");
    expect_ini_error("[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s\n"
                     "role_arn\xc2\xa0= arn:aws:iam::1:role/r\n",
                     "line 4: an option name with a control byte");
}

/*
 * --region "" is the region the AWS CLI signs for, over AWS_REGION,
 * AWS_DEFAULT_REGION and the files: `aws --region "" eks get-token` (AWS
 * CLI 1.45.11, botocore 1.43.11) fails with "Invalid endpoint:
 * https://sts..amazonaws.com", so eksauth refuses it too, saying so.  (It
 * was taken as no option: eksauth token signed for the environment's
 * region where the AWS CLI fails.)  AWS_REGION alone is the region, as in
 * AWS CLI v2 (v1 reads AWS_DEFAULT_REGION only, and signs for the global
 * endpoint then): the chosen order, pinned here.
 */
static void test_region_option_empty_and_aws_region(void **state)
{
    struct eksauth_error err;
    char region[64];

    (void)state;
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    write_file(path_in("home/.aws/config"), "[default]\nregion = us-east-1\n");
    env_set("AWS_REGION", "eu-central-1");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "eu-central-1");
    env_set("AWS_DEFAULT_REGION", "eu-west-2");
    assert_status_err(eksauth_creds_region("", &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_string_equal(region, "");
    assert_non_null(strstr(err.msg, "region: --region is empty"));
    assert_non_null(strstr(err.msg, "leave the option out"));
    env_set("AWS_REGION", NULL);
    env_set("AWS_DEFAULT_REGION", NULL);
    assert_status_err(eksauth_creds_region("", &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "us-east-1");
}

/*
 * Where botocore 1.43.11 (aws eks get-token) fails, eksauth signs with
 * nothing either (tests/integration/creds_botocore.sh finds these): each
 * case as botocore read it, with the environment's keys or region.
 */
static void test_botocore_refusals(void **state)
{
    struct eksauth_creds c;
    struct eksauth_error err;
    char region[64];

    (void)state;
    env_set("AWS_EC2_METADATA_DISABLED", "true");
    write_file(
        path_in("home/.aws/credentials"),
        "[a]\n" KEYS("AKA") "[b]\n" KEYS("AKB") "[default]\n" KEYS("AKD") "region = eu-west-1\n");
    write_file(path_in("home/.aws/config"), "[default]\nregion = us-east-1\n");

    /* 1. AWS_PROFILE and AWS_DEFAULT_PROFILE differ: v1 takes one, v2 the other. */
    env_set("AWS_PROFILE", "a");
    env_set("AWS_DEFAULT_PROFILE", "b");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_PROFILE (\"a\") and AWS_DEFAULT_PROFILE (\"b\")"));
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_DEFAULT_PROFILE"));
    env_set("AWS_DEFAULT_PROFILE", "a"); /* the same profile: no doubt */
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKA");
    eksauth_creds_free(&c);
    env_set("AWS_PROFILE", ""); /* set empty: botocore looks for profile "" */
    env_set("AWS_DEFAULT_PROFILE", NULL);
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_PROFILE is set but empty"));
    env_set("AWS_PROFILE", NULL);

    /* 2. An empty region is botocore's region: get-token signs for no host. */
    env_set("AWS_DEFAULT_REGION", "");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_DEFAULT_REGION is set but empty"));
    env_set("AWS_REGION", "");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "AWS_REGION is set but empty"));
    env_set("AWS_REGION", NULL);
    env_set("AWS_DEFAULT_REGION", NULL);
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_OK);
    assert_string_equal(region, "eu-west-1");
    write_file(path_in("home/.aws/credentials"), "[default]\n" KEYS("AKD") "region =\n");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "credentials line 4: region is empty"));

    /* 3. The environment's keys, but a config file botocore refuses or no such profile. */
    write_file(path_in("home/.aws/credentials"), "[default]\n" KEYS("AKD"));
    env_set("AWS_ACCESS_KEY_ID", "AKIAENV");
    env_set("AWS_SECRET_ACCESS_KEY", "envsecret");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_OK);
    assert_string_equal(c.access_key_id, "AKIAENV");
    eksauth_creds_free(&c);
    write_file(path_in("home/.aws/config"), "[default]\nregion = us-east-1\n[default]\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "line 3: section [default] repeated"));
    write_file(path_in("home/.aws/config"), "x = 1\n[default]\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "line 1: an option before any [section]"));
    write_file(path_in("home/.aws/config"), "[default]\n");
    write_file(path_in("home/.aws/credentials"), "[default]\n[default]\n");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "section [default] repeated"));
    write_file(path_in("home/.aws/credentials"), "[default]\n" KEYS("AKD"));
    env_set("AWS_PROFILE", "nosuch");
    assert_status_err(eksauth_creds_load(&fake_env, &c, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "profile \"nosuch\" was asked for but"));
    env_set("AWS_PROFILE", NULL);
    env_set("AWS_ACCESS_KEY_ID", NULL);
    env_set("AWS_SECRET_ACCESS_KEY", NULL);

    /* 4. The credentials file's region, but a config file botocore refuses. */
    write_file(path_in("home/.aws/credentials"), "[default]\nregion = eu-west-1\n");
    write_file(path_in("home/.aws/config"), "x = 1\n[default]\n");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "line 1: an option before any [section]"));
    /* ... and a named profile in neither file, as botocore's ProfileNotFound. */
    write_file(path_in("home/.aws/config"), "[default]\nregion = us-east-1\n");
    env_set("AWS_PROFILE", "nosuch");
    assert_status_err(eksauth_creds_region(NULL, &fake_env, region, sizeof(region), &err),
                      EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "profile \"nosuch\""));
}

EKSAUTH_UNIT_MAIN_WITH(
    setup, teardown, cmocka_unit_test_setup(test_ini_profiles, each),
    cmocka_unit_test_setup(test_ini_absent, each), cmocka_unit_test_setup(test_ini_errors, each),
    cmocka_unit_test_setup(test_env, each), cmocka_unit_test_setup(test_profile_file, each),
    cmocka_unit_test_setup(test_file_variables_expanded, each),
    cmocka_unit_test_setup(test_file_path_too_long, each),
    cmocka_unit_test_setup(test_nothing_found, each), cmocka_unit_test_setup(test_region, each),
    cmocka_unit_test(test_imds_document), cmocka_unit_test(test_imds_document_refused),
    cmocka_unit_test(test_imds_document_no_copy_freed),
    cmocka_unit_test_setup(test_explicit_profile_over_env, each),
    cmocka_unit_test_setup(test_other_sources, each),
    cmocka_unit_test_setup(test_config_sections, each),
    cmocka_unit_test_setup(test_region_in_credentials, each),
    cmocka_unit_test_setup(test_config_strict, each),
    cmocka_unit_test_setup(test_ini_lone_cr, each),
    cmocka_unit_test_setup(test_ini_control_value, each),
    cmocka_unit_test_setup(test_botocore_refusals, each),
    cmocka_unit_test_setup(test_region_option_empty_and_aws_region, each))
