/*
 * test_exec_identity.c - lib/exec_identity.c: the identity a kubeconfig
 * user's exec: section gives.  `aws eks get-token` with --role-arn and
 * --profile in both spellings (the last winning), aws-iam-authenticator's
 * -r/--role in each spelling and DEFAULT_ROLE (the exec env's, then the
 * person's), eksauth token's variables, the exec env filtered to AWS_*
 * (the last of a name winning), other
 * commands not followed, and the refusals: what is not a role ARN or a
 * profile name, a variable name or value that could do harm (its value
 * never in the message), an option without its value, a malformed
 * section, and the aws-iam-authenticator options that name the role's
 * session.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/exec_identity.h"
#include "unit.h"

#define ROLE   "arn:aws:iam::111122223333:role/eks-admins"
#define ROLE2  "arn:aws:iam::111122223333:role/team/eks-dev"
#define FROM   "/home/a/.kube/config (user prod)"
#define SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

/* An exec: section of command, args (NULL-terminated) and env (name, value, ..., NULL). */
struct exec_fixture {
    struct eksauth_kube_exec e;
    char *args[32];
    char *names[80];
    char *values[80];
};

static struct eksauth_kube_exec *exec_of(struct exec_fixture *f, const char *command,
                                         const char *const *args, const char *const *env)
{
    memset(f, 0, sizeof(*f));
    f->e.command = (char *)command;
    f->e.args = f->args;
    f->e.env_names = f->names;
    f->e.env_values = f->values;
    for (; args != NULL && *args != NULL; args++)
        f->args[f->e.n_args++] = (char *)*args;
    for (; env != NULL && env[0] != NULL; env += 2) {
        f->names[f->e.n_env] = (char *)env[0];
        f->values[f->e.n_env++] = (char *)env[1];
    }
    return &f->e;
}

/* read into id; the status. */
static enum eksauth_status read_one(const char *command, const char *const *args,
                                    const char *const *env, struct eksauth_exec_identity *id,
                                    struct eksauth_error *err)
{
    struct exec_fixture f;

    return eksauth_exec_identity_read(exec_of(&f, command, args, env), FROM, id, err);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ENV(...)  ((const char *const[]){__VA_ARGS__, NULL})

static void test_validators(void **state)
{
    char long_name[EKSAUTH_EXEC_PROFILE_MAX + 2];

    (void)state;
    assert_true(eksauth_exec_role_arn_valid(ROLE));
    assert_true(eksauth_exec_role_arn_valid(ROLE2));
    assert_true(eksauth_exec_role_arn_valid("arn:aws-cn:iam::111122223333:role/x"));
    assert_false(eksauth_exec_role_arn_valid("arn:aws:iam::111122223333:user/alice"));
    assert_false(eksauth_exec_role_arn_valid("arn:aws:sts::111122223333:assumed-role/r/s"));
    assert_false(eksauth_exec_role_arn_valid("arn:aws:iam::1111:role/x"));
    assert_false(eksauth_exec_role_arn_valid("arn:aws:iam::111122223333:role/x\n"));
    assert_false(eksauth_exec_role_arn_valid("--profile"));
    assert_false(eksauth_exec_role_arn_valid(""));
    assert_false(eksauth_exec_role_arn_valid(NULL));
    assert_true(eksauth_exec_profile_valid("dev"));
    assert_true(eksauth_exec_profile_valid("AdministratorAccess-111122223333"));
    assert_true(eksauth_exec_profile_valid("team/dev@corp.example"));
    assert_false(eksauth_exec_profile_valid("-dev"));
    assert_false(eksauth_exec_profile_valid("a b"));
    assert_false(eksauth_exec_profile_valid("a;b"));
    assert_false(eksauth_exec_profile_valid("dev\n"));
    assert_false(eksauth_exec_profile_valid(""));
    memset(long_name, 'a', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    assert_false(eksauth_exec_profile_valid(long_name));
    long_name[EKSAUTH_EXEC_PROFILE_MAX] = '\0';
    assert_true(eksauth_exec_profile_valid(long_name));
}

static void test_aws_role_and_profile(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    /* As `aws eks update-kubeconfig --role-arn` writes it. */
    assert_status(read_one("aws",
                           ARGS("--region", "us-east-1", "eks", "get-token", "--cluster-name",
                                "prod", "--output", "json", "--role-arn", ROLE),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AWS);
    assert_string_equal(id.role_arn, ROLE);
    assert_string_equal(id.profile, "");
    assert_string_equal(id.region, "us-east-1");
    assert_int_equal(id.n_env, 0);
    assert_true(eksauth_exec_identity_applies(&id));
    assert_string_equal(id.from, FROM);
    eksauth_exec_identity_free(&id);
    /* --role-arn=V, a path to aws, and the last of two winning (the AWS CLI's parser). */
    assert_status(read_one("/usr/local/bin/aws",
                           ARGS("eks", "get-token", "--role-arn", ROLE, "--role-arn=" ROLE2,
                                "--profile=dev", "--profile", "ops"),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AWS);
    assert_string_equal(id.command, "aws");
    assert_string_equal(id.role_arn, ROLE2);
    assert_string_equal(id.profile, "ops");
    assert_string_equal(id.region, "");
    eksauth_exec_identity_free(&id);
    /* Nothing to follow: plain aws eks get-token. */
    assert_status(
        read_one("aws", ARGS("eks", "get-token", "--cluster-name", "prod"), NULL, &id, &err),
        EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_AWS);
    assert_false(eksauth_exec_identity_applies(&id));
    eksauth_exec_identity_free(&id);
}

/*
 * --region, which update-kubeconfig writes first: the region the token is
 * signed in, so that a person whose AWS config names none (or another)
 * signs where kubectl signs.  It becomes an argument and an STS host name:
 * only the shape of a region passes.
 */
static void test_region(void **state)
{
    static const char *const bad[] = {
        "x", "US-EAST-1", "us-east-1;id", "us-east-1 ", "--debug", "us-east-1.evil.example", ""};
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    size_t i;

    (void)state;
    /* Both spellings, anywhere in the args; the last wins, as the AWS CLI's parser takes it. */
    assert_status(
        read_one("aws", ARGS("--region", "eu-west-1", "eks", "get-token", "--region=us-gov-west-1"),
                 NULL, &id, &err),
        EKSAUTH_OK);
    assert_string_equal(id.region, "us-gov-west-1");
    assert_true(eksauth_exec_identity_applies(&id)); /* a region alone changes the mint */
    eksauth_exec_identity_free(&id);
    /* aws-iam-authenticator's --region too. */
    assert_status(read_one("aws-iam-authenticator",
                           ARGS("token", "-i", "prod", "--region", "cn-north-1"), NULL, &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.region, "cn-north-1");
    eksauth_exec_identity_free(&id);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_status(
            read_one("aws", ARGS("eks", "get-token", "--region", bad[i]), NULL, &id, &err),
            EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, FROM ": --region '"));
        assert_non_null(strstr(err.msg, "' is not a region name"));
        assert_string_equal(id.region, "");
    }
    /* Longer than any region name. */
    assert_status(
        read_one("aws", ARGS("eks", "get-token", "--region=us-east-11111111111111111111111111111"),
                 NULL, &id, &err),
        EKSAUTH_EINVAL);
    /* The option without its value (the last argument). */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--region"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "--region without a value"));
}

/*
 * The AWS CLI reads any start of an option's name that is no other's:
 * `aws eks update-kubeconfig --role-arn ARN` writes "--role ARN", which
 * kubectl's aws takes as --role-arn; "--r" is --region (the global options
 * are read first).  Unread, eksauth would sign as someone else.
 */
static void test_aws_abbreviations(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    /* As update-kubeconfig --role-arn writes it (awscli 1.45 here). */
    assert_status(read_one("aws",
                           ARGS("--region", "us-east-1", "eks", "get-token", "--cluster-name",
                                "prod", "--output", "json", "--role", ROLE),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE);
    assert_string_equal(id.region, "us-east-1");
    eksauth_exec_identity_free(&id);
    /* Each start of a name, separate or with '=', as the AWS CLI here reads it. */
    assert_status(
        read_one("aws", ARGS("--r", "eu-west-1", "eks", "get-token", "--ro=" ROLE2, "--p", "dev"),
                 NULL, &id, &err),
        EKSAUTH_OK);
    assert_string_equal(id.region, "eu-west-1");
    assert_string_equal(id.role_arn, ROLE2);
    assert_string_equal(id.profile, "dev");
    eksauth_exec_identity_free(&id);
    assert_status(read_one("aws", ARGS("eks", "get-token", "--regio", "us-west-2", "--prof=ops"),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.region, "us-west-2");
    assert_string_equal(id.profile, "ops");
    eksauth_exec_identity_free(&id);
    /* What a start of a name gives is checked as the option's own. */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--role", "--debug"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": --role-arn '--debug' is not an IAM role ARN"));
    assert_status(read_one("aws", ARGS("eks", "get-token", "--ro"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": --role-arn without a value"));
    /* Other options, "--" alone and longer names are not these. */
    assert_status(read_one("aws",
                           ARGS("eks", "get-token", "--cluster-name", "prod", "--", "--debug",
                                "--no-verify-ssl", "--regions", "x", "--role-arns", "y"),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_false(eksauth_exec_identity_applies(&id));
    eksauth_exec_identity_free(&id);
}

static void test_env_filtered(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    /* As `aws eks update-kubeconfig --profile dev` writes it, and more. */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--cluster-name", "prod"),
                           ENV("AWS_PROFILE", "dev", "KUBECONFIG", "/x", "PATH", "/evil",
                               "AWS_REGION", "eu-west-1", "aws_profile", "lower", "AWS_PROFILE",
                               "dev2", "AWS_SECRET_ACCESS_KEY", SECRET),
                           &id, &err),
                  EKSAUTH_OK);
    assert_true(eksauth_exec_identity_applies(&id));
    /* Only AWS_*, and the last of a name. */
    assert_int_equal(id.n_env, 3);
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_PROFILE"), "dev2");
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_REGION"), "eu-west-1");
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_SECRET_ACCESS_KEY"), SECRET);
    assert_null(eksauth_exec_identity_env(&id, "KUBECONFIG"));
    assert_null(eksauth_exec_identity_env(&id, "PATH"));
    assert_null(eksauth_exec_identity_env(&id, "aws_profile"));
    assert_null(eksauth_exec_identity_env(&id, "AWS_PROF"));
    assert_string_equal(id.profile, ""); /* the variable, not --profile */
    eksauth_exec_identity_free(&id);
    assert_int_equal(id.n_env, 0);
    assert_null(id.env);
}

/*
 * What moves the AWS CLI's STS calls.  aws-cli 1.45.11 (botocore 1.43.11)
 * on the machine this was written on: `aws eks get-token --cluster-name x
 * --region us-east-1` with AWS_ENDPOINT_URL_STS=https://evil2.example, or
 * AWS_ENDPOINT_URL=https://evil3.example, printed a token for that host;
 * with --role-arn the signed AssumeRole went there.  --endpoint-url and
 * --no-verify-ssl changed nothing: the token was for
 * sts.us-east-1.amazonaws.com, and the AssumeRole to a server of an
 * unknown CA still failed "CERTIFICATE_VERIFY_FAILED" (get-token gives
 * neither to its STS client).  So the variables are refused, and the two
 * options are left as the AWS CLI leaves them: unread, never passed on.
 */
static void test_sts_endpoint(void **state)
{
    /*
     * AWS_DATA_PATH: botocore 1.43.11 read sts/2011-06-15/endpoint-rule-set-1.json
     * from it before its own, and a rule set naming http://evil.invalid:8080
     * had generate_presigned_url('get_caller_identity') give that URL.
     */
    static const char *const moved[] = {"AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE",
                                        "AWS_DATA_PATH"};
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
        assert_status(read_one("aws", ARGS("eks", "get-token", "--cluster-name", "prod"),
                               ENV(moved[i], "http://evil.example"), &id, &err),
                      EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, FROM));
        assert_non_null(strstr(err.msg, moved[i]));
        assert_non_null(strstr(err.msg, "takes no STS endpoint or CA from a kubeconfig"));
        assert_null(strstr(err.msg, "evil")); /* a value is never quoted */
        assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod"),
                               ENV(moved[i], "http://evil.example"), &id, &err),
                      EKSAUTH_EINVAL);
        /* eksauth token, which kubectl runs, reads neither: nothing moves. */
        assert_status(read_one("eksauth", ARGS("token", "--cluster-id", "prod"),
                               ENV(moved[i], "http://evil.example"), &id, &err),
                      EKSAUTH_OK);
        eksauth_exec_identity_free(&id);
    }
    /* Where the credentials come from, and a file sent there, neither. */
    static const char *const sources[] = {
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",  "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"};
    for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        assert_status(read_one("aws", ARGS("eks", "get-token", "--cluster-name", "prod"),
                               ENV(sources[i], "https://evil.example"), &id, &err),
                      EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, sources[i]));
        assert_non_null(strstr(err.msg, "takes no credential source from a kubeconfig"));
        assert_null(strstr(err.msg, "evil"));
        assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod"),
                               ENV(sources[i], "https://evil.example"), &id, &err),
                      EKSAUTH_EINVAL);
    }
    /* Other AWS_ENDPOINT_URL_* services: get-token calls STS only. */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--cluster-name", "prod"),
                           ENV("AWS_ENDPOINT_URL_EKS", "https://eks.example"), &id, &err),
                  EKSAUTH_OK);
    eksauth_exec_identity_free(&id);

    assert_status(read_one("aws",
                           ARGS("--endpoint-url", "http://evil.example", "--no-verify-ssl",
                                "--ca-bundle", "/tmp/evil.pem", "eks", "get-token",
                                "--cluster-name", "prod", "--role-arn", ROLE),
                           NULL, &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE);
    assert_string_equal(id.profile, "");
    assert_string_equal(id.region, "");
    assert_int_equal(id.n_env, 0);
    eksauth_exec_identity_free(&id);
}

static void test_authenticator(void **state)
{
    static const char *const spellings[][4] = {
        {"-r", ROLE, NULL},     {"-r" ROLE, NULL},      {"-r=" ROLE, NULL},
        {"--role", ROLE, NULL}, {"--role=" ROLE, NULL},
    };
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
        const char *args[8] = {"token", "-i", "prod", spellings[i][0], spellings[i][1], NULL};

        assert_status(read_one("aws-iam-authenticator", args, ENV("AWS_PROFILE", "dev"), &id, &err),
                      EKSAUTH_OK);
        assert_int_equal(id.kind, EKSAUTH_EXEC_AUTHENTICATOR);
        assert_string_equal(id.role_arn, ROLE);
        assert_string_equal(eksauth_exec_identity_env(&id, "AWS_PROFILE"), "dev");
        eksauth_exec_identity_free(&id);
    }
    /* DEFAULT_ROLE, its environment variable, when no -r is given; -r wins over it. */
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod"),
                           ENV("DEFAULT_ROLE", ROLE2), &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE2);
    assert_null(eksauth_exec_identity_env(&id, "DEFAULT_ROLE"));
    eksauth_exec_identity_free(&id);
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod", "-r", ROLE),
                           ENV("DEFAULT_ROLE", ROLE2), &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE);
    eksauth_exec_identity_free(&id);
    /* An empty one is none, as that command reads it. */
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod"),
                           ENV("DEFAULT_ROLE", ""), &id, &err),
                  EKSAUTH_OK);
    assert_string_equal(id.role_arn, "");
    /*
     * With neither, the person's DEFAULT_ROLE (the environment kubectl runs
     * it in): checked as any role, refused naming the file.
     */
    assert_status(eksauth_exec_identity_default_role(&id, ROLE2, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE2);
    assert_status(eksauth_exec_identity_default_role(&id, ROLE, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, ROLE2); /* the section's (or the first) role stays */
    eksauth_exec_identity_free(&id);
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod"), NULL, &id, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_exec_identity_default_role(&id, "", &err), EKSAUTH_OK);
    assert_status(eksauth_exec_identity_default_role(&id, NULL, &err), EKSAUTH_OK);
    assert_false(eksauth_exec_identity_applies(&id));
    assert_status(eksauth_exec_identity_default_role(&id, "--debug", &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM
                           ": DEFAULT_ROLE of your environment '--debug' is not an IAM role ARN"));
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    assert_string_equal(id.from, FROM);
    /* DEFAULT_ROLE means nothing to aws: not taken for it, from either place. */
    assert_status(read_one("aws", ARGS("eks", "get-token"), ENV("DEFAULT_ROLE", ROLE2), &id, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_exec_identity_default_role(&id, ROLE2, &err), EKSAUTH_OK);
    assert_string_equal(id.role_arn, "");
    assert_false(eksauth_exec_identity_applies(&id));
    eksauth_exec_identity_free(&id);
    /* Options that name the session: aws eks get-token cannot give it. */
    assert_status(read_one("aws-iam-authenticator",
                           ARGS("token", "-i", "prod", "-r", ROLE, "--forward-session-name"), NULL,
                           &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": aws-iam-authenticator --forward-session-name"));
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    assert_status(read_one("aws-iam-authenticator",
                           ARGS("token", "-i", "prod", "-r", ROLE, "--session-name=alice"), NULL,
                           &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "--session-name"));
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-i", "prod", "-s", "alice"),
                           NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "aws-iam-authenticator -s"));
    assert_status(read_one("aws-iam-authenticator",
                           ARGS("token", "-i", "prod", "-r", ROLE, "--external-id", "x"), NULL, &id,
                           &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "--external-id"));
    /* The value of -r is not read as an option. */
    assert_status(read_one("aws-iam-authenticator", ARGS("token", "-r", "-s"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "--role '-s' is not an IAM role ARN"));
}

static void test_eksauth_token(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;

    (void)state;
    /* eksauth token as the exec plugin: the profile of its env, no role. */
    assert_status(read_one("/usr/bin/eksauth", ARGS("token", "--cluster-id", "prod", "--json"),
                           ENV("AWS_PROFILE", "dev", "EKSAUTH_X", "y"), &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_EKSAUTH);
    assert_true(eksauth_exec_identity_applies(&id));
    assert_string_equal(eksauth_exec_identity_env(&id, "AWS_PROFILE"), "dev");
    assert_int_equal(id.n_env, 1);
    assert_string_equal(id.role_arn, "");
    eksauth_exec_identity_free(&id);
    /* Another eksauth command is not a token. */
    assert_status(read_one("eksauth", ARGS("login-name"), ENV("AWS_PROFILE", "dev"), &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
}

static void test_other_commands(void **state)
{
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    struct exec_fixture f;

    (void)state;
    /* Another plugin: not followed, and nothing of it taken (its env is its own). */
    assert_status(read_one("/usr/lib/google-cloud-sdk/bin/gke-gcloud-auth-plugin", NULL,
                           ENV("AWS_PROFILE", "dev"), &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
    assert_string_equal(id.command, "gke-gcloud-auth-plugin");
    assert_int_equal(id.n_env, 0);
    assert_false(eksauth_exec_identity_applies(&id));
    eksauth_exec_identity_free(&id);
    /* aws, but not eks get-token (eks before get-token); aws-iam-authenticator, but not token. */
    assert_status(read_one("aws", ARGS("get-token", "eks", "--role-arn", ROLE), NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
    assert_string_equal(id.role_arn, "");
    assert_status(read_one("aws-iam-authenticator", ARGS("verify", "-r", ROLE), NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
    /* "awsx" is not aws. */
    assert_status(read_one("awsx", ARGS("eks", "get-token", "--role-arn", ROLE), NULL, &id, &err),
                  EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
    /* Another command's malformed section is not ours to judge. */
    exec_of(&f, "kubelogin", NULL, NULL)->problem = "args is not a list";
    assert_status(eksauth_exec_identity_read(&f.e, FROM, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_OTHER);
    /* No exec at all. */
    assert_status(eksauth_exec_identity_read(NULL, FROM, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    memset(&f, 0, sizeof(f));
    assert_status(eksauth_exec_identity_read(&f.e, FROM, &id, &err), EKSAUTH_OK);
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
}

static void test_refusals(void **state)
{
    static const char *const bad_roles[] = {
        "arn:aws:iam::111122223333:user/alice",
        "--profile",
        "arn:aws:iam::111122223333:role/x y",
        "arn:aws:iam::111122223333:role/x\n--debug",
        "",
    };
    const char *env[2 * (EKSAUTH_EXEC_ENV_MAX + 1) + 1];
    char names[EKSAUTH_EXEC_ENV_MAX + 1][16];
    struct eksauth_exec_identity id;
    struct eksauth_error err;
    struct exec_fixture f;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++) {
        assert_status(
            read_one("aws", ARGS("eks", "get-token", "--role-arn", bad_roles[i]), NULL, &id, &err),
            EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, FROM ": --role-arn '"));
        assert_non_null(strstr(err.msg, "is not an IAM role ARN"));
        assert_null(strchr(err.msg, '\n'));
        assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
    }
    assert_status(read_one("aws", ARGS("eks", "get-token", "--role-arn"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": --role-arn without a value"));
    assert_status(
        read_one("aws-iam-authenticator", ARGS("token", "-i", "prod", "-r"), NULL, &id, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "-r without a value"));
    assert_status(read_one("aws", ARGS("eks", "get-token", "--profile", "-x"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": --profile '-x' is not a profile name"));
    assert_status(read_one("aws", ARGS("eks", "get-token", "--profile=a b"), NULL, &id, &err),
                  EKSAUTH_EINVAL);
    assert_status(
        read_one("aws", ARGS("eks", "get-token"), ENV("AWS_PROFILE", "dev;rm"), &id, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, FROM ": AWS_PROFILE 'dev;rm' is not a profile name"));
    /* A variable's name must be one; its value is checked but never quoted (a secret, maybe). */
    assert_status(read_one("aws", ARGS("eks", "get-token"), ENV("AWS_X=Y", "1"), &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "env name 'AWS_X=Y' is not a variable name"));
    assert_status(read_one("aws", ARGS("eks", "get-token"), ENV("AWS_", "1"), &id, &err),
                  EKSAUTH_EINVAL);
    assert_status(read_one("aws", ARGS("eks", "get-token"),
                           ENV("AWS_SECRET_ACCESS_KEY", SECRET "\nAWS_X=1"), &id, &err),
                  EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "env AWS_SECRET_ACCESS_KEY has a control character"));
    assert_null(strstr(err.msg, "wJalr"));
    /* Too many variables. */
    for (i = 0; i <= EKSAUTH_EXEC_ENV_MAX; i++) {
        snprintf(names[i], sizeof(names[i]), "AWS_V%zu", i);
        env[2 * i] = names[i];
        env[2 * i + 1] = "1";
    }
    env[2 * i] = NULL;
    assert_status(read_one("aws", ARGS("eks", "get-token"), env, &id, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "more than 64 AWS_ variables"));
    /* A malformed section of aws: what kubectl runs is unknown. */
    exec_of(&f, "aws", ARGS("eks", "get-token"), NULL)->problem = "an arg is not a string";
    assert_status(eksauth_exec_identity_read(&f.e, FROM, &id, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, FROM ": exec: an arg is not a string");
    assert_int_equal(id.kind, EKSAUTH_EXEC_NONE);
}

static void test_same_and_describe(void **state)
{
    struct eksauth_exec_identity a, b;
    struct eksauth_error err;
    char text[400];

    (void)state;
    assert_status(read_one("aws",
                           ARGS("--region", "us-east-1", "eks", "get-token", "--role-arn", ROLE),
                           ENV("AWS_PROFILE", "dev", "AWS_SECRET_ACCESS_KEY", SECRET), &a, &err),
                  EKSAUTH_OK);
    /* The same identity from another spelling and another order of variables. */
    assert_status(read_one("/opt/aws",
                           ARGS("eks", "get-token", "--role-arn=" ROLE, "--region=us-east-1"),
                           ENV("AWS_SECRET_ACCESS_KEY", SECRET, "AWS_PROFILE", "dev"), &b, &err),
                  EKSAUTH_OK);
    assert_true(eksauth_exec_identity_same(&a, &b));
    eksauth_exec_identity_describe(&a, text, sizeof(text));
    assert_string_equal(text,
                        "role " ROLE ", profile dev, region us-east-1, AWS_SECRET_ACCESS_KEY");
    assert_null(strstr(text, "wJalr"));
    eksauth_exec_identity_free(&b);
    /* Another region: two contexts that would not mint alike. */
    assert_status(read_one("aws",
                           ARGS("--region", "us-west-2", "eks", "get-token", "--role-arn", ROLE),
                           ENV("AWS_PROFILE", "dev", "AWS_SECRET_ACCESS_KEY", SECRET), &b, &err),
                  EKSAUTH_OK);
    assert_false(eksauth_exec_identity_same(&a, &b));
    eksauth_exec_identity_free(&b);
    /* Another role, or no role: another identity. */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--role-arn", ROLE2),
                           ENV("AWS_PROFILE", "dev", "AWS_SECRET_ACCESS_KEY", SECRET), &b, &err),
                  EKSAUTH_OK);
    assert_false(eksauth_exec_identity_same(&a, &b));
    eksauth_exec_identity_free(&b);
    assert_status(read_one("aws", ARGS("eks", "get-token"), NULL, &b, &err), EKSAUTH_OK);
    assert_false(eksauth_exec_identity_same(&a, &b));
    eksauth_exec_identity_describe(&b, text, sizeof(text));
    assert_string_equal(text, "your own identity");
    eksauth_exec_identity_free(&a);
    /* Two sections that change nothing mint alike, whatever they run. */
    assert_status(read_one("kubelogin", NULL, NULL, &a, &err), EKSAUTH_OK);
    assert_true(eksauth_exec_identity_same(&a, &b));
    eksauth_exec_identity_describe(&a, text, sizeof(text));
    assert_string_equal(text, "command kubelogin");
    eksauth_exec_identity_free(&a);
    eksauth_exec_identity_free(&b);
    /* --profile is described as the profile. */
    assert_status(read_one("aws", ARGS("eks", "get-token", "--profile", "ops"), NULL, &a, &err),
                  EKSAUTH_OK);
    eksauth_exec_identity_describe(&a, text, sizeof(text));
    assert_string_equal(text, "profile ops");
    eksauth_exec_identity_free(&a);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_validators), cmocka_unit_test(test_aws_role_and_profile),
                  cmocka_unit_test(test_region), cmocka_unit_test(test_aws_abbreviations),
                  cmocka_unit_test(test_env_filtered), cmocka_unit_test(test_sts_endpoint),
                  cmocka_unit_test(test_authenticator), cmocka_unit_test(test_eksauth_token),
                  cmocka_unit_test(test_other_commands), cmocka_unit_test(test_refusals),
                  cmocka_unit_test(test_same_and_describe))
