/*
 * test_setup.c - lib/setup.c: the nsswitch.conf, pam.d/sshd and sudo.conf
 * edits of eksauth setup and their undo (byte for byte), idempotence, the
 * refusals (a pam_eksauth line setup did not write, no auth line,
 * pam_nologin after the account stack, no passwd: line, one without
 * files, another group_source), eksauth in front of an nsswitch [action]
 * that would end the lookup before it, AL2023's pam.d/sshd, what an earlier setup wrote taken
 * over, the sshd drop-in with its Match block (and the texts setup wrote
 * before, under its earlier name), sshd_config's Include
 * lines, the sudoers file and its
 * group.  The plan and its application: test_setup_plan.c.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eksauth/setup.h"
#include "setup_fixtures.h"

/* The line number (1-based) of the first line equal to want, or 0. */
static unsigned line_of(const char *text, const char *want)
{
    const char *p = text;
    size_t wl = strlen(want);
    unsigned n = 1;

    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        if (len == wl && memcmp(p, want, wl) == 0)
            return n;
        if (nl == NULL)
            break;
        p = nl + 1;
        n++;
    }
    return 0;
}

static unsigned count_of(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* in becomes want, twice is once, and --undo gives in back byte for byte. */
static void nsswitch_round_trip(const char *in, const char *want)
{
    struct eksauth_error err;
    char *out = NULL, *again = NULL, *back = NULL;

    assert_int_equal(eksauth_setup_nsswitch(in, false, &out, &err), EKSAUTH_OK);
    assert_string_equal(out, want);
    assert_int_equal(eksauth_setup_nsswitch(out, false, &again, &err), EKSAUTH_OK);
    assert_string_equal(again, want);
    assert_int_equal(eksauth_setup_nsswitch(out, true, &back, &err), EKSAUTH_OK);
    assert_string_equal(back, in);
    free(out);
    free(again);
    free(back);
}

/* ---------------------------------------------------------- nsswitch.conf */

static void test_nsswitch_after_files_and_back(void **state)
{
    struct eksauth_error err;
    char *added = NULL, *again = NULL, *undone = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_nsswitch(debian_nsswitch, false, &added, &err), EKSAUTH_OK);
    assert_true(line_of(added, "passwd:         files eksauth systemd") > 0);
    assert_true(line_of(added, "group:          files eksauth systemd") > 0);
    /* Only those two lines change. */
    assert_true(line_of(added, "shadow:         files systemd") > 0);
    assert_int_equal(strlen(added), strlen(debian_nsswitch) + 2 * strlen(" eksauth"));
    /* Twice is once. */
    assert_int_equal(eksauth_setup_nsswitch(added, false, &again, &err), EKSAUTH_OK);
    assert_string_equal(again, added);
    /* Undo gives the file back byte for byte, and undo of a clean file changes nothing. */
    assert_int_equal(eksauth_setup_nsswitch(added, true, &undone, &err), EKSAUTH_OK);
    assert_string_equal(undone, debian_nsswitch);
    free(again);
    assert_int_equal(eksauth_setup_nsswitch(debian_nsswitch, true, &again, &err), EKSAUTH_OK);
    assert_string_equal(again, debian_nsswitch);
    free(added);
    free(again);
    free(undone);
}

static void test_nsswitch_actions_comments_and_no_files(void **state)
{
    static const char in[] = "passwd: files [SUCCESS=merge] ldap # local first\n"
                             "group: compat   # nis\n";
    static const char want[] = "passwd: files [SUCCESS=merge] eksauth ldap # local first\n"
                               "group: compat eksauth   # nis\n";
    struct eksauth_error err;
    char *out = NULL, *back = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_nsswitch(in, false, &out, &err), EKSAUTH_OK);
    assert_string_equal(out, want);
    assert_int_equal(eksauth_setup_nsswitch(out, true, &back, &err), EKSAUTH_OK);
    assert_string_equal(back, in);
    free(out);
    free(back);
}

/*
 * An [action] after files that ends the lookup at NOTFOUND would keep
 * eksauth from being asked (eksauth doctor's error): eksauth goes in front
 * of it, and --undo leaves it to files again.
 */
static void test_nsswitch_before_an_action_that_ends_the_lookup(void **state)
{
    static const char in[] = "passwd: files [NOTFOUND=return] systemd\n"
                             "group:\tfiles\t[ !success = RETURN ]\tsss\n";
    static const char want[] = "passwd: files eksauth [NOTFOUND=return] systemd\n"
                               "group:\tfiles eksauth\t[ !success = RETURN ]\tsss\n";
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    nsswitch_round_trip(in, want);
    /* One put where it is never asked (the package's postinst does so) is moved; so is one before
     * files. */
    assert_int_equal(eksauth_setup_nsswitch("passwd: files [NOTFOUND=return] eksauth systemd\n"
                                            "group: eksauth files\n",
                                            false, &out, &err),
                     EKSAUTH_OK);
    assert_string_equal(out, "passwd: files eksauth [NOTFOUND=return] systemd\n"
                             "group: files eksauth\n");
    free(out);
    /* Neither files nor compat: no place after the local accounts, refused. */
    out = NULL;
    assert_int_equal(
        eksauth_setup_nsswitch("passwd: files\ngroup: sss systemd\n", false, &out, &err),
        EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "line 2 of nsswitch.conf, group:, lists neither files nor "
                                    "compat"));
}

/* Which [action]s end the lookup at NOTFOUND, and which let eksauth be asked. */
static void test_nsswitch_action_stops(void **state)
{
    static const char *const stop[] = {"[NOTFOUND=return]",
                                       "[notfound=Return]",
                                       "[ NOTFOUND = return ]",
                                       "[UNAVAIL=return NOTFOUND=return]",
                                       "[!UNAVAIL=return]",
                                       "[!SUCCESS=return]",
                                       "[NOTFOUND=continue NOTFOUND=return]"};
    static const char *const go_on[] = {"[SUCCESS=merge]",
                                        "[UNAVAIL=return]",
                                        "[!NOTFOUND=return]",
                                        "[NOTFOUND=continue]",
                                        "[NOTFOUND=return NOTFOUND=continue]",
                                        "[NOTFOUNDX=return]",
                                        "[]"};

    (void)state;
    for (size_t i = 0; i < sizeof(stop) / sizeof(stop[0]); i++)
        assert_true(eksauth_setup_nss_action_stops(stop[i], strlen(stop[i])));
    for (size_t i = 0; i < sizeof(go_on) / sizeof(go_on[0]); i++)
        assert_false(eksauth_setup_nss_action_stops(go_on[i], strlen(go_on[i])));
}

static void test_nsswitch_undo_takes_its_action_and_keeps_no_newline(void **state)
{
    /* The package's postinst writes "files eksauth"; an [action] after eksauth goes with it. */
    static const char in[] = "passwd: files eksauth [UNAVAIL=return] systemd\ngroup: eksauth files";
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_nsswitch(in, true, &out, &err), EKSAUTH_OK);
    assert_string_equal(out, "passwd: files systemd\ngroup: files");
    free(out);
}

static void test_nsswitch_without_a_passwd_line(void **state)
{
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_nsswitch("group: files\nhosts: files dns\n", false, &out, &err),
                     EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "no passwd: line"));
}

/*
 * An initgroups: line is the one glibc's initgroups (getgrouplist, sshd's
 * and sudo's groups) reads instead of group: (glibc's own nsswitch.conf
 * has "initgroups: files"): eksauth goes there too, as eksauth doctor
 * requires, and back out with --undo.  A file without one keeps none.
 */
static void test_nsswitch_initgroups_line(void **state)
{
    static const char in[] = "passwd:     files\n"
                             "group:      files\n"
                             "initgroups: files\n"
                             "hosts:      files dns\n";
    static const char want[] = "passwd:     files eksauth\n"
                               "group:      files eksauth\n"
                               "initgroups: files eksauth\n"
                               "hosts:      files dns\n";
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    nsswitch_round_trip(in, want);
    /* Neither files nor compat there: the local accounts' groups first, as on group:. */
    assert_int_equal(
        eksauth_setup_nsswitch("passwd: files\ngroup: files\ninitgroups: sss\n", false, &out, &err),
        EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "line 3 of nsswitch.conf, initgroups:, lists neither files"));
}

/* ------------------------------------------------------------ pam.d/sshd */

static void test_pam_blocks_in_place_and_undo(void **state)
{
    struct eksauth_error err;
    char *added = NULL, *again = NULL, *undone = NULL;
    unsigned foreign = 9;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(debian_sshd, false, &added, NULL, &err), EKSAUTH_OK);
    /* auth right before common-auth, account right before common-account. */
    assert_int_equal(line_of(added, EKSAUTH_SETUP_PAM_AUTH) + 1,
                     line_of(added, "@include common-auth"));
    assert_int_equal(line_of(added, EKSAUTH_SETUP_PAM_ACCOUNT) + 1,
                     line_of(added, "@include common-account"));
    /* The account line asks for a token at sshd's account stage. */
    assert_non_null(strstr(EKSAUTH_SETUP_PAM_ACCOUNT, " require_token=sshd"));
    /* The session lines right after the last pam_env (user_readenv=1), pam_eksauth first. */
    assert_int_equal(
        line_of(added,
                "session    required     pam_env.so user_readenv=1 envfile=/etc/default/locale") +
            2,
        line_of(added, EKSAUTH_SETUP_PAM_SESSION));
    assert_true(line_of(added, EKSAUTH_SETUP_PAM_SESSION) >
                line_of(added, "@include common-session"));
    assert_int_equal(line_of(added, EKSAUTH_SETUP_PAM_SESSION) + 1,
                     line_of(added, EKSAUTH_SETUP_PAM_MKHOMEDIR));
    /* Each block has its mark; every auth and account line survives a missing module. */
    assert_int_equal(count_of(added, EKSAUTH_SETUP_MARK), 3);
    assert_int_equal(count_of(added, "pam_eksauth.so"), 3);
    assert_int_equal(count_of(added, "module_unknown=ignore default=die] pam_eksauth.so"), 2);
    /* Twice is once. */
    assert_int_equal(eksauth_setup_pam_sshd(added, false, &again, NULL, &err), EKSAUTH_OK);
    assert_string_equal(again, added);
    /* Undo: the file as it was, byte for byte, and no other pam_eksauth line. */
    assert_int_equal(eksauth_setup_pam_sshd(added, true, &undone, &foreign, &err), EKSAUTH_OK);
    assert_string_equal(undone, debian_sshd);
    assert_int_equal(foreign, 0);
    free(added);
    free(again);
    free(undone);
}

/* What setup wrote before require_token and the session after pam_env: its own still. */
static void test_pam_takes_over_an_earlier_setup(void **state)
{
    static const char mark[] = EKSAUTH_SETUP_MARK "\n";
    static const char old_account[] =
        "account [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so "
        "ignore_unknown_user\n";
    char *earlier, *p, *now = NULL, *fresh = NULL, *undone = NULL;
    struct eksauth_error err;
    unsigned foreign = 9;
    size_t len;

    (void)state;
    /* The earlier text: its blocks before common-auth and common-account, after common-session. */
    len = strlen(debian_sshd) + 1024;
    earlier = calloc(1, len);
    assert_non_null(earlier);
    for (p = (char *)debian_sshd; *p != '\0';) {
        char *nl = strchr(p, '\n');
        size_t n = (size_t)(nl - p) + 1;

        if (strncmp(p, "@include common-auth\n", n) == 0)
            strcat(strcat(strcat(earlier, mark), EKSAUTH_SETUP_PAM_AUTH), "\n");
        if (strncmp(p, "@include common-account\n", n) == 0)
            strcat(strcat(earlier, mark), old_account);
        strncat(earlier, p, n);
        if (strncmp(p, "@include common-session\n", n) == 0)
            strcat(strcat(strcat(strcat(strcat(earlier, mark), EKSAUTH_SETUP_PAM_SESSION), "\n"),
                          EKSAUTH_SETUP_PAM_MKHOMEDIR),
                   "\n");
        p += n;
    }
    /* Setup again moves and updates the blocks: as on a clean file. */
    assert_int_equal(eksauth_setup_pam_sshd(earlier, false, &now, &foreign, &err), EKSAUTH_OK);
    assert_int_equal(foreign, 0);
    assert_int_equal(eksauth_setup_pam_sshd(debian_sshd, false, &fresh, NULL, &err), EKSAUTH_OK);
    assert_string_equal(now, fresh);
    /* --undo of the earlier text: the file as it was. */
    assert_int_equal(eksauth_setup_pam_sshd(earlier, true, &undone, &foreign, &err), EKSAUTH_OK);
    assert_string_equal(undone, debian_sshd);
    assert_int_equal(foreign, 0);
    free(earlier);
    free(now);
    free(fresh);
    free(undone);
}

static void test_pam_refuses_a_line_of_someone_else(void **state)
{
    static const char hand[] = "auth    [success=done ignore=ignore default=die] pam_eksauth.so "
                               "ignore_unknown_user\n"
                               "@include common-auth\n"
                               "@include common-account\n";
    struct eksauth_error err;
    char *out = NULL;
    unsigned foreign = 0;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(hand, false, &out, NULL, &err), EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "line 1 names pam_eksauth.so"));
    /* Undo leaves it (not setup's), and says where it is. */
    assert_int_equal(eksauth_setup_pam_sshd(hand, true, &out, &foreign, &err), EKSAUTH_OK);
    assert_string_equal(out, hand);
    assert_int_equal(foreign, 1);
    free(out);
}

static void test_pam_keeps_an_own_mkhomedir_and_a_missing_newline(void **state)
{
    static const char in[] = "auth required pam_unix.so\n"
                             "account required pam_unix.so\n"
                             "session optional pam_mkhomedir.so skel=/etc/skel\n"
                             "session required pam_unix.so";
    struct eksauth_error err;
    char *out = NULL, *back = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(in, false, &out, NULL, &err), EKSAUTH_OK);
    /* No common-* includes: before the first auth and account line, after the last session. */
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_AUTH), 2);
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_ACCOUNT), 5);
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_SESSION), 10);
    assert_int_equal(count_of(out, "pam_mkhomedir.so"), 1);
    assert_int_equal(eksauth_setup_pam_sshd(out, true, &back, NULL, &err), EKSAUTH_OK);
    assert_string_equal(back, in);
    free(out);
    free(back);
}

/*
 * AL2023's layout (docs/al2023.md): the auth line first, the account line
 * after pam_sepermit and pam_nologin, right before "account include
 * password-auth" (its success=done skips only what comes after it, so
 * /run/nologin still stops eksauth users), the session lines at the end.
 */
static void test_pam_al2023_account_after_nologin(void **state)
{
    struct eksauth_error err;
    char *added = NULL, *again = NULL, *undone = NULL, *earlier;
    const char *sepermit;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(al2023_sshd, false, &added, NULL, &err), EKSAUTH_OK);
    assert_int_equal(line_of(added, EKSAUTH_SETUP_PAM_AUTH) + 1,
                     line_of(added, "auth       substack     password-auth"));
    assert_int_equal(line_of(added, "account    required     pam_nologin.so") + 2,
                     line_of(added, EKSAUTH_SETUP_PAM_ACCOUNT));
    assert_int_equal(line_of(added, EKSAUTH_SETUP_PAM_ACCOUNT) + 1,
                     line_of(added, "account    include      password-auth"));
    assert_true(line_of(added, "account    required     pam_sepermit.so") <
                line_of(added, EKSAUTH_SETUP_PAM_ACCOUNT));
    assert_int_equal(line_of(added, "session    include      postlogin") + 2,
                     line_of(added, EKSAUTH_SETUP_PAM_SESSION));
    assert_int_equal(count_of(added, EKSAUTH_SETUP_MARK), 3);
    assert_int_equal(eksauth_setup_pam_sshd(added, false, &again, NULL, &err), EKSAUTH_OK);
    assert_string_equal(again, added);
    assert_int_equal(eksauth_setup_pam_sshd(added, true, &undone, NULL, &err), EKSAUTH_OK);
    assert_string_equal(undone, al2023_sshd);
    free(again);
    free(undone);
    /* An earlier setup's account block above pam_sepermit is moved below pam_nologin. */
    earlier = malloc(strlen(al2023_sshd) + 512);
    assert_non_null(earlier);
    sepermit = strstr(al2023_sshd, "account    required     pam_sepermit.so");
    assert_non_null(sepermit);
    sprintf(earlier, "%.*s%s\n%s\n%s", (int)(sepermit - al2023_sshd), al2023_sshd,
            EKSAUTH_SETUP_MARK, EKSAUTH_SETUP_PAM_ACCOUNT, sepermit);
    assert_int_equal(eksauth_setup_pam_sshd(earlier, false, &again, NULL, &err), EKSAUTH_OK);
    assert_string_equal(again, added);
    free(earlier);
    free(added);
    free(again);
}

/* No account stack to include: right after the last pam_nologin, at the very end too. */
static void test_pam_account_after_nologin_without_include(void **state)
{
    static const char in[] = "auth required pam_unix.so\n"
                             "account required pam_nologin.so\n"
                             "account required pam_unix.so\n";
    static const char last[] = "auth required pam_unix.so\n"
                               "account required pam_unix.so\n"
                               "account required pam_nologin.so";
    struct eksauth_error err;
    char *out = NULL, *back = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(in, false, &out, NULL, &err), EKSAUTH_OK);
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_ACCOUNT), 6);
    assert_int_equal(line_of(out, "account required pam_unix.so"), 7);
    free(out);
    assert_int_equal(eksauth_setup_pam_sshd(last, false, &out, NULL, &err), EKSAUTH_OK);
    assert_int_equal(line_of(out, "account required pam_nologin.so"), 5);
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_ACCOUNT), 7);
    assert_int_equal(line_of(out, EKSAUTH_SETUP_PAM_SESSION), 9);
    assert_int_equal(eksauth_setup_pam_sshd(out, true, &back, NULL, &err), EKSAUTH_OK);
    assert_string_equal(back, last);
    free(out);
    free(back);
}

/* pam_nologin after the account stack: no place where success=done spares it, so refused. */
static void test_pam_refuses_nologin_after_the_account_stack(void **state)
{
    static const char in[] = "auth       substack     password-auth\n"
                             "account    include      password-auth\n"
                             "account    required     pam_nologin.so\n";
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_pam_sshd(in, false, &out, NULL, &err), EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "line 3 runs pam_nologin.so after line 2"));
    assert_non_null(strstr(err.msg, "/run/nologin would not stop eksauth users"));
    assert_non_null(strstr(err.msg, "move the pam_nologin line above line 2"));
    /* --undo has nothing to place. */
    assert_int_equal(eksauth_setup_pam_sshd(in, true, &out, NULL, &err), EKSAUTH_OK);
    assert_string_equal(out, in);
    free(out);
}

static void test_pam_without_auth_lines(void **state)
{
    struct eksauth_error err;
    char *out = NULL;

    (void)state;
    assert_int_equal(
        eksauth_setup_pam_sshd("account required pam_unix.so\n", false, &out, NULL, &err),
        EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "no auth line"));
}

/* A PAM file runs pam_eksauth when a line that is not a comment names it (common-auth's check). */
static void test_pam_runs_pam_eksauth(void **state)
{
    (void)state;
    assert_false(eksauth_setup_runs_pam_eksauth(debian_sshd));
    assert_false(eksauth_setup_runs_pam_eksauth("# auth optional pam_eksauth.so\n"));
    assert_true(eksauth_setup_runs_pam_eksauth("auth required pam_unix.so\n"
                                               "auth [success=end default=ignore] pam_eksauth.so"));
    assert_false(eksauth_setup_runs_pam_eksauth(""));
}

/* ------------------------------------------------------------- sudo.conf */

static void test_sudo_conf_group_source_and_back(void **state)
{
    struct eksauth_error err;
    char *added = NULL, *again = NULL, *undone = NULL;

    (void)state;
    assert_int_equal(eksauth_setup_sudo_conf(debian_sudo_conf, false, &added, &err), EKSAUTH_OK);
    /* At the end (sudo takes the last value), in a block of setup's. */
    assert_int_equal(strncmp(added, debian_sudo_conf, strlen(debian_sudo_conf)), 0);
    assert_string_equal(added + strlen(debian_sudo_conf),
                        EKSAUTH_SETUP_MARK "\n" EKSAUTH_SETUP_GROUP_SOURCE "\n");
    assert_int_equal(eksauth_setup_sudo_conf(added, false, &again, &err), EKSAUTH_OK);
    assert_string_equal(again, added);
    assert_int_equal(eksauth_setup_sudo_conf(added, true, &undone, &err), EKSAUTH_OK);
    assert_string_equal(undone, debian_sudo_conf);
    free(added);
    free(again);
    free(undone);
}

/* What doctor reads: the last Set group_source wins, as in sudo. */
static void test_sudo_conf_group_source_read(void **state)
{
    char value[32];
    unsigned line = 0;

    (void)state;
    assert_false(eksauth_setup_sudo_group_source(debian_sudo_conf, value, sizeof(value), &line));
    assert_true(eksauth_setup_sudo_group_source(
        "Set group_source dynamic\n# later\nSet group_source static # why\n", value, sizeof(value),
        &line));
    assert_string_equal(value, "static");
    assert_int_equal(line, 3);
    assert_true(eksauth_setup_sudo_group_source("  set\tgroup_source\tDynamic", value,
                                                sizeof(value), &line));
    assert_string_equal(value, "Dynamic");
    assert_int_equal(line, 1);
}

static void test_sudo_conf_none_yours_and_another_source(void **state)
{
    struct eksauth_error err;
    char *made = NULL, *out = NULL;

    (void)state;
    /* No sudo.conf: one of setup's own, which --undo removes (out NULL). */
    assert_int_equal(eksauth_setup_sudo_conf(NULL, false, &made, &err), EKSAUTH_OK);
    assert_non_null(strstr(made, "\n" EKSAUTH_SETUP_GROUP_SOURCE "\n"));
    assert_int_equal(eksauth_setup_sudo_conf(made, true, &out, &err), EKSAUTH_OK);
    assert_null(out);
    /* A line added to it since is the operator's: it stays, with setup's head line. */
    made = realloc(made, strlen(made) + 32);
    strcat(made, "Set disable_coredump false\n");
    assert_int_equal(eksauth_setup_sudo_conf(made, true, &out, &err), EKSAUTH_OK);
    assert_non_null(out);
    assert_null(strstr(out, EKSAUTH_SETUP_GROUP_SOURCE));
    assert_non_null(strstr(out, "Set disable_coredump false\n"));
    free(out);
    free(made);
    assert_int_equal(eksauth_setup_sudo_conf(NULL, true, &out, &err), EKSAUTH_OK);
    assert_null(out);
    /* The operator's own dynamic: nothing to add, nothing to take back. */
    assert_int_equal(eksauth_setup_sudo_conf("Set  group_source   DYNAMIC\n", false, &out, &err),
                     EKSAUTH_OK);
    assert_string_equal(out, "Set  group_source   DYNAMIC\n");
    free(out);
    assert_int_equal(eksauth_setup_sudo_conf("Set group_source dynamic\n", true, &out, &err),
                     EKSAUTH_OK);
    assert_string_equal(out, "Set group_source dynamic\n");
    free(out);
    /* Another source of the operator's: refused, said, nothing made; --undo leaves it. */
    out = NULL;
    assert_int_equal(
        eksauth_setup_sudo_conf("# mine\nset group_source adaptive # why\n", false, &out, &err),
        EKSAUTH_EINVAL);
    assert_null(out);
    assert_non_null(strstr(err.msg, "sets group_source adaptive"));
    assert_non_null(strstr(err.msg, "\"Set group_source dynamic\""));
    assert_int_equal(eksauth_setup_sudo_conf("Set group_source static\n", true, &out, &err),
                     EKSAUTH_OK);
    assert_string_equal(out, "Set group_source static\n");
    free(out);
    /* A variable whose name only starts the same is another variable. */
    assert_int_equal(eksauth_setup_sudo_conf("Set group_sourcex static\n", false, &out, &err),
                     EKSAUTH_OK);
    free(out);
}

/* --------------------------------------------------------------- sshd drop-in */

static void test_sshd_dropin_match_block(void **state)
{
    char *text = eksauth_setup_sshd_dropin("eks-users"), *block;

    (void)state;
    assert_non_null(text);
    assert_true(line_of(text, "UsePAM yes") > 0);
    assert_true(line_of(text, "KbdInteractiveAuthentication yes") > 0);
    /* The Match block last, so that it ends with the file; the four lines inside it. */
    block = strstr(text, "\nMatch Group eks-users\n");
    assert_non_null(block);
    assert_true(line_of(text, "UsePAM yes") < line_of(text, "Match Group eks-users"));
    assert_true(line_of(block, "    AuthenticationMethods keyboard-interactive") > 0);
    assert_true(line_of(block, "    AuthorizedKeysFile none") > 0);
    assert_true(line_of(block, "    PubkeyAuthentication no") > 0);
    assert_true(line_of(block, "    HostbasedAuthentication no") > 0);
    assert_true(eksauth_setup_sshd_dropin_is_ours(text));
    free(text);
    text = eksauth_setup_sshd_dropin("k8s-logins");
    assert_non_null(strstr(text, "\nMatch Group k8s-logins\n"));
    assert_true(eksauth_setup_sshd_dropin_is_ours(text));
    /* An edit makes it the operator's; so does a group that is no valid name. */
    text[strlen(text) - 3] = 'X';
    assert_false(eksauth_setup_sshd_dropin_is_ours(text));
    free(text);
    text = eksauth_setup_sshd_dropin("a b");
    assert_false(eksauth_setup_sshd_dropin_is_ours(text));
    free(text);
    /* What setup wrote before the Match block is its own (replaced or taken back). */
    assert_true(eksauth_setup_sshd_dropin_is_ours(dropin_v1));
    assert_false(eksauth_setup_sshd_dropin_is_ours("UsePAM yes\n"));
    /* Its name now, and the one before (eksauth.conf, moved by setup): both its own. */
    text = eksauth_setup_sshd_dropin("eks-users");
    assert_int_equal(strncmp(text, "# /etc/ssh/sshd_config.d/40-eksauth.conf, ", 42), 0);
    assert_string_not_equal(text, dropin_v2);
    assert_true(eksauth_setup_sshd_dropin_is_ours(dropin_v2));
    free(text);
    text = strdup(dropin_v2);
    assert_non_null(text);
    text[strlen(text) - 3] = 'X';
    assert_false(eksauth_setup_sshd_dropin_is_ours(text));
    free(text);
}

/* The Include lines that hold for every login: up to the first Match, relative ones in /etc/ssh. */
static void test_sshd_include_patterns(void **state)
{
    static const char text[] = "# Include /etc/ssh/commented.conf\n"
                               "  include\t/etc/ssh/sshd_config.d/*.conf   # Debian's\n"
                               "UsePAM yes\n"
                               "Include=local.conf \"/etc/ssh/with space/*.conf\"\n"
                               "Match User ops\n"
                               "Include /etc/ssh/ops.conf\n";
    char pattern[256];

    (void)state;
    assert_true(eksauth_setup_sshd_include(text, 0, pattern, sizeof(pattern)));
    assert_string_equal(pattern, "/etc/ssh/sshd_config.d/*.conf");
    assert_true(eksauth_setup_sshd_include(text, 1, pattern, sizeof(pattern)));
    assert_string_equal(pattern, "/etc/ssh/local.conf");
    assert_true(eksauth_setup_sshd_include(text, 2, pattern, sizeof(pattern)));
    assert_string_equal(pattern, "/etc/ssh/with space/*.conf");
    /* Not the one inside the Match block, nor the comment. */
    assert_false(eksauth_setup_sshd_include(text, 3, pattern, sizeof(pattern)));
    assert_false(
        eksauth_setup_sshd_include("IncludeX /etc/ssh/a.conf\n", 0, pattern, sizeof(pattern)));
}

/* --------------------------------------------------------------- sudoers */

static void test_sudoers_and_its_group(void **state)
{
    struct eksauth_config cfg;
    struct eksauth_name_map map = {"system:masters", "sudo"};
    struct eksauth_error err;
    char group[EKSAUTH_NAME_MAX + 1], *text;

    (void)state;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(eksauth_setup_sudo_group(&cfg, group, &err), EKSAUTH_OK);
    assert_string_equal(group, "eks-system-masters");
    cfg.group_prefix = "k8s-";
    assert_int_equal(eksauth_setup_sudo_group(&cfg, group, &err), EKSAUTH_OK);
    assert_string_equal(group, "k8s-system-masters");
    /* group_map to a host group: its rules are the host's, setup writes none. */
    cfg.group_map = &map;
    cfg.n_group_map = 1;
    assert_int_equal(eksauth_setup_sudo_group(&cfg, group, &err), EKSAUTH_ENOTFOUND);
    assert_non_null(strstr(err.msg, "sudo"));

    /* The group of every login: users_group, else the prefix's. */
    cfg.group_map = NULL;
    cfg.n_group_map = 0;
    eksauth_setup_users_group(&cfg, group);
    assert_string_equal(group, "k8s-users");
    cfg.users_group = "logins";
    eksauth_setup_users_group(&cfg, group);
    assert_string_equal(group, "logins");

    text = eksauth_setup_sudoers("eks-system-masters");
    assert_non_null(text);
    assert_non_null(strstr(text, "\n%eks-system-masters ALL=(ALL:ALL) NOPASSWD: ALL\n"));
    assert_true(eksauth_setup_sudoers_is_ours(text));
    text[strlen(text) - 2] = 'X'; /* an edit makes it the operator's */
    assert_false(eksauth_setup_sudoers_is_ours(text));
    assert_false(eksauth_setup_sudoers_is_ours("%eks-system-masters ALL=(ALL:ALL) ALL\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nsswitch_after_files_and_back),
        cmocka_unit_test(test_nsswitch_actions_comments_and_no_files),
        cmocka_unit_test(test_nsswitch_before_an_action_that_ends_the_lookup),
        cmocka_unit_test(test_nsswitch_action_stops),
        cmocka_unit_test(test_nsswitch_undo_takes_its_action_and_keeps_no_newline),
        cmocka_unit_test(test_nsswitch_without_a_passwd_line),
        cmocka_unit_test(test_nsswitch_initgroups_line),
        cmocka_unit_test(test_pam_blocks_in_place_and_undo),
        cmocka_unit_test(test_pam_takes_over_an_earlier_setup),
        cmocka_unit_test(test_pam_refuses_a_line_of_someone_else),
        cmocka_unit_test(test_pam_keeps_an_own_mkhomedir_and_a_missing_newline),
        cmocka_unit_test(test_pam_al2023_account_after_nologin),
        cmocka_unit_test(test_pam_account_after_nologin_without_include),
        cmocka_unit_test(test_pam_refuses_nologin_after_the_account_stack),
        cmocka_unit_test(test_pam_without_auth_lines),
        cmocka_unit_test(test_pam_runs_pam_eksauth),
        cmocka_unit_test(test_sudo_conf_group_source_and_back),
        cmocka_unit_test(test_sudo_conf_group_source_read),
        cmocka_unit_test(test_sudo_conf_none_yours_and_another_source),
        cmocka_unit_test(test_sshd_dropin_match_block),
        cmocka_unit_test(test_sshd_include_patterns),
        cmocka_unit_test(test_sudoers_and_its_group),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
