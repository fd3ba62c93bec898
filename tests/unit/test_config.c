/*
 * test_config.c - eksauth.conf parsing (lib/config.c): defaults, every key
 * with a good and a bad value, comments, the exact FILE:LINE messages,
 * repeated keys, lists and maps, the checks that span keys, loading, and
 * this host's name (host_name, else gethostname).
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

#include "scratch.h"
#include "eksauth/audience.h"
#include "eksauth/config.h"
#include "eksauth/names.h"
#include "eksauth/paths.h"

#define BASE "cluster_id = prod-1\n"

static enum eksauth_status parse(const char *text, struct eksauth_config *cfg,
                                 struct eksauth_error *err)
{
    assert_int_equal(eksauth_config_init(cfg, err), EKSAUTH_OK);
    return eksauth_config_parse(cfg, text, strlen(text), "t.conf", err);
}

static void expect_error(const char *text, const char *msg)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};

    assert_int_equal(parse(text, &cfg, &err), EKSAUTH_EINVAL);
    assert_int_equal(err.status, EKSAUTH_EINVAL);
    assert_string_equal(err.msg, msg);
    eksauth_config_free(&cfg);
}

/* BASE, then line 2: key = value must fail with "<key>: <why>" on line 2. */
static void expect_bad(const char *line2, const char *why)
{
    char text[512], msg[EKSAUTH_ERROR_MAX];

    snprintf(text, sizeof(text), BASE "%s\n", line2);
    snprintf(msg, sizeof(msg), "config: t.conf:2: %s", why);
    expect_error(text, msg);
}

static void expect_good(const char *line2)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    char text[512];

    snprintf(text, sizeof(text), BASE "%s\n", line2);
    if (parse(text, &cfg, &err) != EKSAUTH_OK)
        fail_msg("%s: %s", line2, err.msg);
    eksauth_config_free(&cfg);
}

static void test_defaults(void **state)
{
    struct eksauth_config cfg;
    (void)state;

    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_null(cfg.cluster_id);
    assert_string_equal(cfg.partition, "aws");
    assert_null(cfg.region);
    assert_int_equal(cfg.sts_connect_timeout, 3);
    assert_int_equal(cfg.sts_timeout, 10);
    assert_int_equal(cfg.max_clock_skew, 300);
    assert_false(cfg.single_use);
    assert_int_equal(cfg.source, EKSAUTH_SOURCE_FILE);
    assert_string_equal(cfg.db_path, EKSAUTH_DB_PATH);
    assert_string_equal(cfg.db_path, "/var/lib/eksauth/identity.db");
    assert_int_equal(cfg.uid_min, EKSAUTH_ID_MIN);
    assert_int_equal(cfg.uid_max, EKSAUTH_ID_MAX);
    assert_null(cfg.id_key_file); /* idkey.h's default path */
    assert_false(cfg.id_key_set);
    assert_int_equal(cfg.id_tombstone_days, 180);
    assert_string_equal(cfg.group_prefix, "eks-");
    assert_string_equal(cfg.home, "/home/%u");
    assert_string_equal(cfg.shell, "/bin/bash");
    assert_null(cfg.sts_hosts);
    assert_null(cfg.deny_users);
    assert_false(eksauth_config_denies(&cfg, "root"));
    assert_int_equal(cfg.n_group_map, 0);
    assert_int_equal(cfg.n_user_map, 0);
    assert_false(cfg.allow_system_users);
    /* The fleet's keys (docs/fleet.md): a budget on, staleness bounded, no login cut-off. */
    assert_int_equal(cfg.sync_max_requests, 100);
    assert_int_equal(cfg.access_entry_max_age, 300);
    assert_int_equal(cfg.sync_spread, 10);
    assert_int_equal(cfg.max_snapshot_age, 0);
    eksauth_config_free(&cfg);
    assert_null(cfg.partition);
}

static void test_minimal(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    assert_int_equal(parse(BASE, &cfg, &err), EKSAUTH_OK);
    assert_string_equal(cfg.cluster_id, "prod-1");
    assert_string_equal(cfg.source_file, "t.conf");
    assert_string_equal(cfg.partition, "aws");
    assert_int_equal(cfg.sts_timeout, 10);
    eksauth_config_free(&cfg);
}

static void test_every_key(void **state)
{
    static const char text[] =
        "cluster_id = prod.eu_1-x\n"
        "partition = aws-us-gov\n"
        "region = us-gov-west-1\n"
        "sts_connect_timeout = 5\n"
        "sts_timeout = 5\n"
        "sts_connect_to = sts.us-gov-west-1.amazonaws.com:443:127.0.0.1:8443\n"
        "sts_ca_file = /etc/eksauth/test-ca.pem\n"
        "https_proxy = http://proxy.internal:3128\n"
        "sts_host = vpce-1.sts.us-gov-west-1.vpce.amazonaws.com\n"
        "sts_host = sts.us-gov-west-1.api.aws\n"
        "max_clock_skew = 0\n"
        "single_use = yes\n"
        "source = kubernetes+eks-api\n"
        "aws_auth_file = /etc/eksauth/aws-auth.yaml\n"
        "cluster_name = prod_eu-1\n"
        "cluster_endpoint = https://ABC.gr7.us-gov-west-1.eks.amazonaws.com\n"
        "cluster_ca_data = LS0tLS1CRUdJTi+/==\n"
        "imds_endpoint = http://[fd00:ec2::254]\n"
        "db_path = /run/eksauth/id.db\n"
        "uid_min = 1000\n"
        "uid_max = 2147483647\n"
        "id_key_file = /srv/keys/id.key\n"
        "id_tombstone_days = 0\n"
        "group_prefix = k8s_\n"
        "group_map = system:masters sudo\n"
        "group_map = dev\t\tdevelopers\n"
        "user_map = admin:alice alice\n"
        "home = /srv/home/%u\n"
        "shell = /bin/zsh\n"
        "deny_user = mallory\n"
        "deny_user = admin:eve\n"
        "allow_system_users = true\n";
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    if (parse(text, &cfg, &err) != EKSAUTH_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.cluster_id, "prod.eu_1-x");
    assert_string_equal(cfg.partition, "aws-us-gov");
    assert_string_equal(cfg.region, "us-gov-west-1");
    assert_int_equal(cfg.sts_connect_timeout, 5);
    assert_int_equal(cfg.sts_timeout, 5);
    assert_string_equal(cfg.sts_connect_to, "sts.us-gov-west-1.amazonaws.com:443:127.0.0.1:8443");
    assert_string_equal(cfg.sts_ca_file, "/etc/eksauth/test-ca.pem");
    assert_string_equal(cfg.https_proxy, "http://proxy.internal:3128");
    assert_string_equal(cfg.sts_hosts[0], "vpce-1.sts.us-gov-west-1.vpce.amazonaws.com");
    assert_string_equal(cfg.sts_hosts[1], "sts.us-gov-west-1.api.aws");
    assert_null(cfg.sts_hosts[2]);
    assert_int_equal(cfg.max_clock_skew, 0);
    assert_true(cfg.single_use);
    assert_int_equal(cfg.source, EKSAUTH_SOURCE_KUBERNETES_EKS_API);
    assert_string_equal(cfg.aws_auth_file, "/etc/eksauth/aws-auth.yaml");
    assert_string_equal(cfg.cluster_name, "prod_eu-1");
    assert_string_equal(cfg.cluster_endpoint, "https://ABC.gr7.us-gov-west-1.eks.amazonaws.com");
    assert_null(cfg.cluster_ca_file);
    assert_string_equal(cfg.cluster_ca_data, "LS0tLS1CRUdJTi+/==");
    assert_string_equal(cfg.imds_endpoint, "http://[fd00:ec2::254]");
    assert_string_equal(cfg.db_path, "/run/eksauth/id.db");
    assert_int_equal(cfg.uid_min, 1000);
    assert_int_equal(cfg.uid_max, 2147483647u);
    assert_string_equal(cfg.id_key_file, "/srv/keys/id.key");
    assert_int_equal(cfg.id_tombstone_days, 0);
    assert_string_equal(cfg.group_prefix, "k8s_");
    assert_int_equal(cfg.n_group_map, 2);
    assert_string_equal(cfg.group_map[0].from, "system:masters");
    assert_string_equal(cfg.group_map[0].to, "sudo");
    assert_string_equal(cfg.group_map[1].from, "dev");
    assert_string_equal(cfg.group_map[1].to, "developers");
    assert_int_equal(cfg.n_user_map, 1);
    assert_string_equal(cfg.user_map[0].from, "admin:alice");
    assert_string_equal(cfg.user_map[0].to, "alice");
    assert_string_equal(cfg.home, "/srv/home/%u");
    assert_string_equal(cfg.shell, "/bin/zsh");
    assert_string_equal(cfg.deny_users[0], "mallory");
    assert_string_equal(cfg.deny_users[1], "admin:eve");
    assert_null(cfg.deny_users[2]);
    assert_true(cfg.allow_system_users);
    eksauth_config_free(&cfg);
}

static void test_good_values(void **state)
{
    (void)state;
    expect_good("partition = aws-cn\nsts_host = sts.cn-north-1.amazonaws.com.cn");
    expect_good("partition = aws-iso");
    expect_good("region = eu-isoe-west-1");
    expect_good("sts_connect_timeout = 1");
    expect_good("sts_timeout = 120");
    expect_good("sts_connect_timeout = 60\nsts_timeout = 60");
    expect_good("max_clock_skew = 3600");
    expect_good("single_use = no");
    expect_good("single_use = false");
    expect_good("source = file");
    expect_good("source = kubernetes");
    expect_good("source = eks-api");
    expect_good("source = auto");
    expect_good("cluster_name = 9lives");
    expect_good("cluster_ca_file = /etc/eksauth/cluster-ca.pem");
    expect_good("imds_endpoint = https://169.254.169.254");
    expect_good("https_proxy = https://proxy:443/");
    expect_good("home = /home/users/%u/x%u");
    expect_good("home = /var/empty");
    expect_good("deny_user = root");
    expect_good("user_map = alice _1alice");
    expect_good("sync_max_requests = 1");
    expect_good("sync_max_requests = 1000000");
    expect_good("access_entry_max_age = 0");
    expect_good("access_entry_max_age = 604800");
    expect_good("sync_spread = 0");
    expect_good("sync_spread = 3600");
    expect_good("max_snapshot_age = 0");
    expect_good("max_snapshot_age = 120");
    expect_good("max_snapshot_age = 31536000");
}

static void test_bad_values(void **state)
{
    (void)state;
    expect_bad("partition = aws-moon", "partition: not a known AWS partition");
    expect_bad("partition = AWS", "partition: not a known AWS partition");
    expect_bad("region = useast1", "region: not a region name (e.g. us-east-1)");
    expect_bad("sts_connect_timeout = 0",
               "sts_connect_timeout: must be a whole number of seconds from 1 to 60");
    expect_bad("sts_connect_timeout = 61",
               "sts_connect_timeout: must be a whole number of seconds from 1 to 60");
    expect_bad("sts_connect_timeout = -1",
               "sts_connect_timeout: must be a whole number of seconds from 1 to 60");
    expect_bad("sts_connect_timeout = 3s",
               "sts_connect_timeout: must be a whole number of seconds from 1 to 60");
    expect_bad("sts_timeout = 121", "sts_timeout: must be a whole number of seconds from 1 to 120");
    /* Days, not seconds (the message said seconds for every number it bounds). */
    expect_bad("login_idle_days = 3651",
               "login_idle_days: must be a whole number of days from 0 to 3650");
    expect_bad("sts_timeout = 99999999999999999999999",
               "sts_timeout: must be a whole number of seconds from 1 to 120");
    expect_bad("sts_connect_to = sts.amazonaws.com:443",
               "sts_connect_to: must be HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT");
    expect_bad("sts_ca_file = ca.pem", "sts_ca_file: must be an absolute path");
    expect_bad("https_proxy = socks5://p:1080", "https_proxy: must start with http:// or https://");
    expect_bad("sts_host = STS.amazonaws.com", "sts_host: not a lower-case DNS name");
    expect_bad("sts_host = sts..amazonaws.com", "sts_host: not a lower-case DNS name");
    expect_bad("sts_host = sts.amazonaws.com.", "sts_host: not a lower-case DNS name");
    expect_bad("sts_host = localhost", "sts_host: not a lower-case DNS name");
    expect_bad("max_clock_skew = 3601",
               "max_clock_skew: must be a whole number of seconds from 0 to 3600");
    expect_bad("sync_max_requests = 0",
               "sync_max_requests: must be a whole number from 1 to 1000000");
    expect_bad("sync_max_requests = 1000001",
               "sync_max_requests: must be a whole number from 1 to 1000000");
    expect_bad("access_entry_max_age = 604801",
               "access_entry_max_age: must be a whole number of seconds from 0 to 604800");
    expect_bad("sync_spread = 3601",
               "sync_spread: must be a whole number of seconds from 0 to 3600");
    expect_bad("max_snapshot_age = -1",
               "max_snapshot_age: must be a whole number of seconds from 0 to 31536000");
    /* Shorter than two timer runs would refuse logins between two good syncs. */
    expect_error(BASE "max_snapshot_age = 119\n",
                 "config: t.conf:2: max_snapshot_age (119) must be 0 (no limit) or at least 120 "
                 "seconds");
    expect_bad("single_use = maybe", "single_use: must be yes, no, true or false");
    expect_bad("single_use = YES", "single_use: must be yes, no, true or false");
    expect_bad("source = s3",
               "source: must be file, kubernetes, eks-api, kubernetes+eks-api or auto");
    expect_bad("source = AUTO",
               "source: must be file, kubernetes, eks-api, kubernetes+eks-api or auto");
    expect_bad("aws_auth_file = aws-auth.yaml", "aws_auth_file: must be an absolute path");
    expect_bad("cluster_name = -prod", "cluster_name: must start with a letter or digit");
    expect_bad("cluster_name = prod.eu",
               "cluster_name: may only hold letters, digits, '_' and '-'");
    expect_bad("cluster_endpoint = http://k8s.example",
               "cluster_endpoint: must be an https:// URL");
    expect_bad("cluster_endpoint = https://", "cluster_endpoint: must be an https:// URL");
    /* No URL holds a byte past 0x7e (it made the access entry cache unreadable at each sync). */
    expect_bad("cluster_endpoint = https://k8s.\xc3\xa9xample",
               "cluster_endpoint: must be an https:// URL");
    expect_bad("imds_endpoint = http://169.254.169.254/\x80",
               "imds_endpoint: must be an http:// or https:// URL");
    expect_bad("cluster_ca_file = ca.pem", "cluster_ca_file: must be an absolute path");
    expect_bad("cluster_ca_data = abc$",
               "cluster_ca_data: must be base64 (as in a kubeconfig's certificate-authority-data)");
    expect_bad("imds_endpoint = ftp://169.254.169.254",
               "imds_endpoint: must be an http:// or https:// URL");
    expect_bad("db_path = var/lib/eksauth/identity.db", "db_path: must be an absolute path");
    expect_bad("uid_min = 999", "uid_min: must be a whole number from 1000 to 2147483647");
    expect_bad("uid_max = 2147483648", "uid_max: must be a whole number from 1000 to 2147483647");
    expect_bad("id_key_file = id.key", "id_key_file: must be an absolute path");
    expect_bad("id_tombstone_days = -1",
               "id_tombstone_days: must be a whole number from 0 to 36500");
    expect_bad("id_tombstone_days = 36501",
               "id_tombstone_days: must be a whole number from 0 to 36500");
    expect_bad("group_prefix = EKS-",
               "group_prefix: must be 1 to 16 of [a-z0-9._-], starting with a letter or '_'");
    expect_bad("group_prefix = abcdefghijklmnopq",
               "group_prefix: must be 1 to 16 of [a-z0-9._-], starting with a letter or '_'");
    expect_bad("home = home/%u", "home: must be an absolute path");
    expect_bad("home = /home/%d", "home: '%' may only appear as %u");
    expect_bad("home = /home/%", "home: '%' may only appear as %u");
    expect_bad("home = /home:x/%u", "home: may not contain ':'");
    expect_bad("shell = bash", "shell: must be an absolute path");
    expect_bad("shell = /bin/b:sh", "shell: may not contain ':'");
    expect_bad("allow_system_users = 1", "allow_system_users: must be yes, no, true or false");
}

static void test_cluster_id(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    char text[256];
    (void)state;

    expect_error("cluster_id = prod/1\n",
                 "config: t.conf:1: cluster_id: may only hold letters, digits, '.', '_' and '-'");
    expect_error("cluster_id = prod:1\n",
                 "config: t.conf:1: cluster_id: may only hold letters, digits, '.', '_' and '-'");
    memset(text, 'a', 200);
    memcpy(text, "cluster_id = ", 13);
    text[13 + 101] = '\0';
    expect_error(text, "config: t.conf:1: cluster_id: longer than 100 characters");
    /* 100 characters is the limit, and fits. */
    text[13 + 100] = '\0';
    assert_int_equal(parse(text, &cfg, &err), EKSAUTH_OK);
    assert_int_equal(strlen(cfg.cluster_id), 100);
    eksauth_config_free(&cfg);
}

static void test_white_space_and_controls(void **state)
{
    (void)state;
    expect_bad("region = us east-1", "region: white space or a control character in the value");
    expect_bad("region = us-east-1\x01", "region: white space or a control character in the value");
    expect_bad("db_path = /var/lib/a\tb",
               "db_path: white space or a control character in the value");
    expect_bad("group_map = a\x7f sudo",
               "group_map: white space or a control character in the value");
    expect_bad("region =", "region: missing value");
    expect_bad("region =    # nothing", "region: missing value");
}

static void test_comments_and_blanks(void **state)
{
    static const char text[] = "# eksauth.conf\n"
                               "\n"
                               "   \t\n"
                               "   # indented comment\n"
                               "cluster_id = prod # the cluster\n"
                               "region=us-east-1\t# tab then comment\r\n"
                               "https_proxy = http://proxy:3128/#frag\n"
                               "  shell   =   /bin/sh  ";
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    if (parse(text, &cfg, &err) != EKSAUTH_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.cluster_id, "prod");
    assert_string_equal(cfg.region, "us-east-1");
    /* '#' not after white space is part of the value. */
    assert_string_equal(cfg.https_proxy, "http://proxy:3128/#frag");
    assert_string_equal(cfg.shell, "/bin/sh");
    eksauth_config_free(&cfg);
}

static void test_line_errors(void **state)
{
    (void)state;
    expect_error(BASE "\nregion us-east-1\n",
                 "config: t.conf:3: missing '=' (lines are \"key = value\")");
    expect_error(BASE "= value\n", "config: t.conf:2: missing key before '='");
}

/*
 * A misspelt key is refused (a security setting must not vanish) with the
 * way out: the key it is one or two letters away from, else the page that
 * lists them.
 */
static void test_unknown_key_names_the_fix(void **state)
{
    (void)state;
    expect_error(BASE "# x\n\nfoo = bar\n",
                 "config: t.conf:4: unknown key \"foo\": not a key of eksauth.conf(5)");
    expect_error(BASE "deny_users = bob\n",
                 "config: t.conf:2: unknown key \"deny_users\": did you mean deny_user? "
                 "(eksauth.conf(5))");
    expect_error(BASE "singel_use = yes\n",
                 "config: t.conf:2: unknown key \"singel_use\": did you mean single_use? "
                 "(eksauth.conf(5))");
    expect_error(BASE "Region = us-east-1\n",
                 "config: t.conf:2: malformed key \"Region\": keys are lower-case letters, "
                 "digits and '_': did you mean region? (eksauth.conf(5))");
    expect_error(BASE "cluster id = x\n",
                 "config: t.conf:2: malformed key \"cluster id\": keys are lower-case letters, "
                 "digits and '_': did you mean cluster_id? (eksauth.conf(5))");
    /* Shown without its control bytes (the message goes to a terminal or syslog). */
    expect_error(BASE "re\033[2Jgion = x\n",
                 "config: t.conf:2: malformed key \"re?[2Jgion\": keys are lower-case letters, "
                 "digits and '_' (eksauth.conf(5))");
    expect_error(BASE "X-Y = 1\n", "config: t.conf:2: malformed key \"X-Y\": keys are lower-case "
                                   "letters, digits and '_' (eksauth.conf(5))");
}

static void test_nul_byte(void **state)
{
    static const char text[] = "cluster_id = prod\nregion = us\0-east-1\n";
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_parse(&cfg, text, sizeof(text) - 1, "t.conf", &err),
                     EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "config: t.conf:2: NUL byte in line");
    eksauth_config_free(&cfg);
}

static void test_repeated(void **state)
{
    (void)state;
    expect_error(BASE "region = us-east-1\ncluster_id = other\n",
                 "config: t.conf:3: cluster_id: repeated (first set on line 1): keep one of the "
                 "two lines");
    expect_error(BASE "single_use = yes\nsingle_use = yes\n",
                 "config: t.conf:3: single_use: repeated (first set on line 2): keep one of the "
                 "two lines");
    expect_error(BASE "uid_min = 5000\nuid_min = 6000\n",
                 "config: t.conf:3: uid_min: repeated (first set on line 2): keep one of the two "
                 "lines");
}

static void test_missing_cluster_id(void **state)
{
    (void)state;
    expect_error("", "config: t.conf: cluster_id is required");
    expect_error("# only a comment\nregion = us-east-1\n",
                 "config: t.conf: cluster_id is required");
}

/* text parsed with flags: its status, all_lines into *all, the message into msg. */
static enum eksauth_status parse_with(const char *text, unsigned flags, bool *all, char *msg,
                                      struct eksauth_config *cfg)
{
    struct eksauth_error err = {0};
    enum eksauth_status st;

    assert_int_equal(eksauth_config_init(cfg, &err), EKSAUTH_OK);
    st = eksauth_config_parse_with(cfg, text, strlen(text), "t.conf", flags, all, &err);
    snprintf(msg, EKSAUTH_ERROR_MAX, "%s", st == EKSAUTH_OK ? "" : err.msg);
    return st;
}

/* With EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, text fails with msg, as it does without. */
static void expect_optional_error(const char *text, bool all_lines, const char *msg)
{
    struct eksauth_config cfg;
    char got[EKSAUTH_ERROR_MAX];
    bool all = !all_lines;

    assert_int_equal(parse_with(text, EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, &all, got, &cfg),
                     EKSAUTH_EINVAL);
    assert_string_equal(got, msg);
    assert_true(all == all_lines);
    eksauth_config_free(&cfg);
}

/*
 * doctor's option: a config without cluster_id parses (cluster_id NULL,
 * the other settings read), every other fault is still refused at the
 * file's own lines, and all_lines tells a bad line from a whole-file rule.
 * Without the option the same text is refused as before.
 */
static void test_cluster_id_optional(void **state)
{
    static const char *const no_id = "# no cluster_id\nregion = us-east-1\nuid_min = 70000\n";
    struct eksauth_config cfg;
    char msg[EKSAUTH_ERROR_MAX];
    bool all = false;

    (void)state;
    assert_int_equal(parse_with(no_id, EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, &all, msg, &cfg),
                     EKSAUTH_OK);
    assert_true(all);
    assert_null(cfg.cluster_id);
    assert_string_equal(cfg.region, "us-east-1");
    assert_int_equal(cfg.uid_min, 70000);
    eksauth_config_free(&cfg);
    assert_int_equal(parse_with(no_id, 0, &all, msg, &cfg), EKSAUTH_EINVAL);
    assert_true(all);
    assert_string_equal(msg, "config: t.conf: cluster_id is required");
    eksauth_config_free(&cfg);
    assert_int_equal(parse_with("", EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, NULL, msg, &cfg),
                     EKSAUTH_OK);
    eksauth_config_free(&cfg);
    /* With cluster_id it reads as without the option. */
    assert_int_equal(parse_with(BASE, EKSAUTH_CONFIG_CLUSTER_ID_OPTIONAL, &all, msg, &cfg),
                     EKSAUTH_OK);
    assert_string_equal(cfg.cluster_id, "prod-1");
    eksauth_config_free(&cfg);

    /* Each line's faults: all_lines false, so doctor does not call cluster_id missing. */
    expect_optional_error("region = us-east-1\nclusterid = prod\ncluster_id = prod\n", false,
                          "config: t.conf:2: unknown key \"clusterid\": did you mean cluster_id? "
                          "(eksauth.conf(5))");
    expect_optional_error("region\n", false,
                          "config: t.conf:1: missing '=' (lines are \"key = value\")");
    expect_optional_error("cluster_id = prod/1\n", false,
                          "config: t.conf:1: cluster_id: may only hold letters, digits, '.', '_' "
                          "and '-'");
    expect_optional_error("uid_min = 5000\nuid_min = 6000\n", false,
                          "config: t.conf:2: uid_min: repeated (first set on line 1): keep one of "
                          "the two lines");
    /* The rules over the whole file, at the lines of the text given (nothing added). */
    expect_optional_error("# a comment\nuid_min = 70000\nuid_max = 60000", true,
                          "config: t.conf:3: uid_min (70000, line 2) must be below uid_max "
                          "(60000, line 3)");
    expect_optional_error("sts_connect_timeout = 20\n", true,
                          "config: t.conf:1: sts_timeout (10, the default) is less than "
                          "sts_connect_timeout (20, line 1)");
    expect_optional_error("max_snapshot_age = 60\n", true,
                          "config: t.conf:1: max_snapshot_age (60) must be 0 (no limit) or at "
                          "least 120 seconds");
    expect_optional_error("sts_host = sts.example.com\n", true,
                          "config: t.conf: sts_host sts.example.com is not under partition aws's "
                          "domain");
}

static void test_lists(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    assert_int_equal(parse(BASE "deny_user = a\ndeny_user = b\ndeny_user = a\n"
                                "sts_host = sts.eu-west-1.amazonaws.com\n",
                           &cfg, &err),
                     EKSAUTH_OK);
    assert_string_equal(cfg.deny_users[0], "a");
    assert_string_equal(cfg.deny_users[1], "b");
    assert_string_equal(cfg.deny_users[2], "a");
    assert_null(cfg.deny_users[3]);
    /* Exact names only: no prefix, no case folding. */
    assert_true(eksauth_config_denies(&cfg, "b"));
    assert_false(eksauth_config_denies(&cfg, "B"));
    assert_false(eksauth_config_denies(&cfg, "bb"));
    assert_false(eksauth_config_denies(&cfg, ""));
    assert_string_equal(cfg.sts_hosts[0], "sts.eu-west-1.amazonaws.com");
    assert_null(cfg.sts_hosts[1]);
    eksauth_config_free(&cfg);
}

static void test_maps(void **state)
{
    (void)state;
    expect_bad("group_map = system:masters", "group_map: must be two words: K8S_NAME POSIX_NAME");
    expect_bad("group_map = a b c", "group_map: must be two words: K8S_NAME POSIX_NAME");
    expect_bad("group_map = dev Developers", "group_map: target is not a valid POSIX name");
    expect_bad("group_map = dev root", "group_map: target is a system account name");
    expect_bad("user_map = alice root", "user_map: target is a system account name");
    expect_bad("user_map = alice systemd-network", "user_map: target is a system account name");
    expect_bad("user_map = alice al:ice", "user_map: target is not a valid POSIX name");
    expect_error(BASE "group_map = dev sudo\ngroup_map = dev adm\n",
                 "config: t.conf:3: group_map: \"dev\" is already mapped");
    expect_error(BASE "user_map = admin:alice alice\nuser_map = admin:alice2 alice\n",
                 "config: t.conf:3: user_map: alice is already the login of \"admin:alice\"");
    /* Two k8s groups may share one POSIX group. */
    expect_good("group_map = system:masters sudo\ngroup_map = admins sudo");
}

static void test_whole_file_rules(void **state)
{
    (void)state;
    /* A rule over two keys names the line of each (or its default), at the later one's line. */
    expect_error(BASE "uid_min = 5000\nuid_max = 5000\n",
                 "config: t.conf:3: uid_min (5000, line 2) must be below uid_max (5000, line 3)");
    expect_error(BASE "uid_max = 5000\n# x\nuid_min = 6000\n",
                 "config: t.conf:4: uid_min (6000, line 4) must be below uid_max (5000, line 2)");
    expect_error(BASE "uid_min = 1999999999\n",
                 "config: t.conf:2: uid_min (1999999999, line 2) must be below uid_max "
                 "(1999999999, the default)");
    expect_error(BASE "sts_connect_timeout = 20\n",
                 "config: t.conf:2: sts_timeout (10, the default) is less than "
                 "sts_connect_timeout (20, line 2)");
    expect_error(BASE "cluster_ca_file = /a.pem\ncluster_ca_data = QUJD\n",
                 "config: t.conf:3: set cluster_ca_file (line 2) or cluster_ca_data (line 3), "
                 "not both");
    expect_error(BASE "sts_host = sts.evil.example\n",
                 "config: t.conf: sts_host sts.evil.example is not under partition aws's domain");
    expect_error(BASE "sts_host = sts.cn-north-1.amazonaws.com.cn\n",
                 "config: t.conf: sts_host sts.cn-north-1.amazonaws.com.cn is not under "
                 "partition aws's domain");
    expect_error(BASE "sts_host = xamazonaws.com\n",
                 "config: t.conf: sts_host xamazonaws.com is not under partition aws's domain");
    /* The partition may come after the host. */
    expect_good("sts_host = sts.cn-north-1.amazonaws.com.cn\npartition = aws-cn");
}

static void test_source_name(void **state)
{
    (void)state;
    assert_string_equal(eksauth_source_name(EKSAUTH_SOURCE_FILE), "file");
    assert_string_equal(eksauth_source_name(EKSAUTH_SOURCE_KUBERNETES), "kubernetes");
    assert_string_equal(eksauth_source_name(EKSAUTH_SOURCE_EKS_API), "eks-api");
    assert_string_equal(eksauth_source_name(EKSAUTH_SOURCE_KUBERNETES_EKS_API),
                        "kubernetes+eks-api");
    assert_string_equal(eksauth_source_name(EKSAUTH_SOURCE_AUTO), "auto");
    assert_string_equal(eksauth_source_name((enum eksauth_source)42), "unknown");
}

/* This host's name: the config's host_name, else gethostname's, for no config or none set. */
static void test_host_name(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err;
    char own[EKSAUTH_HOST_NAME_MAX + 2], name[EKSAUTH_HOST_NAME_MAX + 2];

    (void)state;
    assert_int_equal(gethostname(own, sizeof(own)), 0);
    assert_true(eksauth_config_host_name(NULL, name));
    assert_string_equal(name, own);
    assert_int_equal(parse(BASE, &cfg, &err), EKSAUTH_OK);
    assert_true(eksauth_config_host_name(&cfg, name));
    assert_string_equal(name, own);
    eksauth_config_free(&cfg);
    assert_int_equal(parse(BASE "host_name = web-1.example\n", &cfg, &err), EKSAUTH_OK);
    assert_true(eksauth_config_host_name(&cfg, name));
    assert_string_equal(name, "web-1.example");
    eksauth_config_free(&cfg);
}

/* Write text to a fresh file in a private folder and return its path. */
static void write_conf(char dir[SCRATCH_DIR_MAX], char path[96], const char *text, mode_t mode)
{
    FILE *f;

    scratch_make(dir, SCRATCH_DIR_MAX, "config");
    snprintf(path, 96, "%s/eksauth.conf", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

static void remove_conf(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

static void test_load(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    char dir[SCRATCH_DIR_MAX], path[96], want[256];
    (void)state;

    write_conf(dir, path, BASE "region = eu-west-1\n", 0644);
    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    /* Root-owned only when the test runs as root; otherwise load without the owner check. */
    if (eksauth_config_load(&cfg, path, geteuid() == 0, &err) != EKSAUTH_OK)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.region, "eu-west-1");
    assert_string_equal(cfg.source_file, path);
    eksauth_config_free(&cfg);

    /* Errors name the real file. */
    remove_conf(dir, path);
    write_conf(dir, path, BASE "bogus = 1\n", 0644);
    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_load(&cfg, path, false, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "config: %s:2: unknown key \"bogus\": not a key of eksauth.conf(5)", path);
    assert_string_equal(err.msg, want);
    eksauth_config_free(&cfg);
    remove_conf(dir, path);
}

static void test_load_refuses_writable(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    char dir[SCRATCH_DIR_MAX], path[96], want[512];
    (void)state;

    write_conf(dir, path, BASE, 0664);
    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_load(&cfg, path, true, &err), EKSAUTH_EINVAL);
    if (geteuid() == 0)
        snprintf(want, sizeof(want),
                 "config: %s: is writable by group or others (mode 0664); run: chmod go-w %s", path,
                 path);
    else
        snprintf(want, sizeof(want),
                 "config: %s: is not owned by root (uid %u) and is writable by group or others "
                 "(mode 0664); run: chown root:root %s && chmod go-w %s",
                 path, (unsigned)geteuid(), path, path);
    assert_string_equal(err.msg, want);
    assert_null(cfg.cluster_id);
    eksauth_config_free(&cfg);
    remove_conf(dir, path);
}

/* The folder counts too: whoever can write /etc/eksauth can put another config in place. */
static void test_load_refuses_writable_folder(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    char dir[SCRATCH_DIR_MAX], path[96], want[512];
    (void)state;

    if (geteuid() != 0)
        skip(); /* the file must be root's for the folder to be judged */
    write_conf(dir, path, BASE, 0644);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_load(&cfg, path, true, &err), EKSAUTH_EINVAL);
    snprintf(want, sizeof(want),
             "config: %s: the folder is writable by group or others (mode 0777), so anyone can "
             "replace %s; run: chmod go-w %s",
             dir, path, dir);
    assert_string_equal(err.msg, want);
    assert_null(cfg.cluster_id);
    eksauth_config_free(&cfg);
    /* Sticky, as /tmp: nobody else can replace root's file; it loads. */
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_load(&cfg, path, true, &err), EKSAUTH_OK);
    eksauth_config_free(&cfg);
    remove_conf(dir, path);
}

static void test_load_missing(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_error err = {0};
    (void)state;

    assert_int_equal(eksauth_config_init(&cfg, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_config_load(&cfg, "/nonexistent/eksauth.conf", true, &err),
                     EKSAUTH_ENOTFOUND);
    assert_string_equal(err.msg, "config: /nonexistent/eksauth.conf: No such file or directory");
    eksauth_config_free(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_minimal),
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_good_values),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_cluster_id),
        cmocka_unit_test(test_white_space_and_controls),
        cmocka_unit_test(test_comments_and_blanks),
        cmocka_unit_test(test_line_errors),
        cmocka_unit_test(test_unknown_key_names_the_fix),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_repeated),
        cmocka_unit_test(test_missing_cluster_id),
        cmocka_unit_test(test_cluster_id_optional),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_maps),
        cmocka_unit_test(test_whole_file_rules),
        cmocka_unit_test(test_source_name),
        cmocka_unit_test(test_host_name),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_refuses_writable),
        cmocka_unit_test(test_load_refuses_writable_folder),
        cmocka_unit_test(test_load_missing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
