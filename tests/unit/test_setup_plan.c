/*
 * test_setup_plan.c - lib/setup_plan.c: the plan of eksauth setup and its
 * application on a throwaway root: setup, again (nothing changes) and
 * --undo (byte for byte back); a conflict writes nothing; --undo leaves
 * what is not setup's; sudo.conf, the users group and an earlier drop-in;
 * the drop-in moved from eksauth.conf to 40-eksauth.conf (never the
 * operator's, and never without a Match block on the way); a root without
 * sudo or sshd; a write that fails halfway, then setup again or --undo; an
 * sshd_config that does not include the drop-in; a symlinked nsswitch.conf
 * (authselect's), read through and never replaced; under --root, no
 * symbolic link followed on the way to a file (eksauth_setup_check_under_root).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "eksauth/file.h"
#include "eksauth/setup.h"
#include "eksauth/setup_plan.h"
#include "setup_fixtures.h"

#define DROPIN     "/etc/ssh/sshd_config.d/40-eksauth.conf"
#define OLD_DROPIN "/etc/ssh/sshd_config.d/eksauth.conf" /* an earlier setup's name for it */

struct root {
    char dir[SCRATCH_DIR_MAX];
    char path[512];
};

static const char *at(struct root *r, const char *name)
{
    snprintf(r->path, sizeof(r->path), "%s%s", r->dir, name);
    return r->path;
}

static void put(struct root *r, const char *name, const char *text)
{
    assert_int_equal(eksauth_file_write_atomic(at(r, name), text, strlen(text), 0644, NULL),
                     EKSAUTH_OK);
}

static char *get(struct root *r, const char *name)
{
    char *text = NULL;
    size_t len;

    if (eksauth_file_read(at(r, name), 1 << 20, false, &text, &len, NULL) != EKSAUTH_OK)
        return NULL;
    return text;
}

/* The file name of root r holds exactly want. */
static void expect_file(struct root *r, const char *name, const char *want)
{
    char *text = get(r, name);

    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

static void make_root(struct root *r)
{
    scratch_make(r->dir, sizeof(r->dir), "setup");
    assert_int_equal(mkdir(at(r, "/etc"), 0755), 0);
    assert_int_equal(mkdir(at(r, "/etc/pam.d"), 0755), 0);
    assert_int_equal(mkdir(at(r, "/etc/ssh"), 0755), 0);
    assert_int_equal(mkdir(at(r, "/etc/ssh/sshd_config.d"), 0755), 0);
    assert_int_equal(mkdir(at(r, "/etc/sudoers.d"), 0750), 0);
    put(r, "/etc/nsswitch.conf", debian_nsswitch);
    put(r, "/etc/pam.d/sshd", debian_sshd);
    put(r, "/etc/sudo.conf", debian_sudo_conf);
    put(r, "/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n");
    put(r, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    put(r, "/etc/group", "root:x:0:\nsudo:x:27:\n");
}

static void remove_root(struct root *r)
{
    static const char *const names[] = {
        "/etc/nsswitch.conf",
        "/etc/pam.d/sshd",
        DROPIN,
        OLD_DROPIN,
        "/etc/sudoers.d/eksauth",
        "/etc/sudo.conf",
        "/etc/ssh/sshd_config",
        "/etc/ssh/local.conf",
        "/etc/passwd",
        "/etc/group",
        "/etc/sudoers.d",
        "/etc/ssh/sshd_config.d",
        "/etc/ssh",
        "/etc/pam.d",
        "/etc",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        (void)remove(at(r, names[i]));
    (void)rmdir(r->dir);
}

static enum eksauth_setup_action action_of(const struct eksauth_setup_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->files[i].name, name) == 0)
            return p->files[i].action;
    }
    fail_msg("no %s in the plan", name);
    return EKSAUTH_SETUP_SKIP;
}

static void plan_apply(struct root *r, bool undo, struct eksauth_setup_plan *p)
{
    struct eksauth_setup_options o = {r->dir, undo, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_error err;

    assert_int_equal(eksauth_setup_plan(&o, p, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_apply(p, &err), EKSAUTH_OK);
}

static void test_plan_setup_again_and_undo(void **state)
{
    struct eksauth_setup_plan p;
    struct root r;
    struct stat st;
    char *text, *want;

    (void)state;
    make_root(&r);
    plan_apply(&r, false, &p);
    assert_int_equal(p.n, EKSAUTH_SETUP_FILES);
    /* Every file written; no earlier drop-in to remove. */
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(p.files[i].action,
                         p.files[i].legacy ? EKSAUTH_SETUP_UNCHANGED : EKSAUTH_SETUP_WRITE);
    eksauth_setup_plan_free(&p);
    text = get(&r, DROPIN);
    want = eksauth_setup_sshd_dropin("eks-users");
    assert_string_equal(text, want);
    free(text);
    free(want);
    text = get(&r, "/etc/sudo.conf");
    assert_non_null(strstr(text, "\n" EKSAUTH_SETUP_GROUP_SOURCE "\n"));
    free(text);
    assert_int_equal(stat(at(&r, "/etc/sudoers.d/eksauth"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0440);
    text = get(&r, "/etc/pam.d/sshd");
    assert_non_null(strstr(text, EKSAUTH_SETUP_PAM_AUTH));
    free(text);

    /* Again: nothing to do. */
    plan_apply(&r, false, &p);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(p.files[i].action, EKSAUTH_SETUP_UNCHANGED);
    eksauth_setup_plan_free(&p);

    /* Undo: the shared files as they were, setup's own files gone; then nothing to undo. */
    plan_apply(&r, true, &p);
    assert_int_equal(action_of(&p, "/etc/sudoers.d/eksauth"), EKSAUTH_SETUP_REMOVE);
    assert_int_equal(action_of(&p, "/etc/pam.d/sshd"), EKSAUTH_SETUP_WRITE);
    eksauth_setup_plan_free(&p);
    text = get(&r, "/etc/pam.d/sshd");
    assert_string_equal(text, debian_sshd);
    free(text);
    text = get(&r, "/etc/nsswitch.conf");
    assert_string_equal(text, debian_nsswitch);
    free(text);
    text = get(&r, "/etc/sudo.conf");
    assert_string_equal(text, debian_sudo_conf);
    free(text);
    assert_int_equal(access(at(&r, DROPIN), F_OK), -1);
    assert_int_equal(access(at(&r, "/etc/sudoers.d/eksauth"), F_OK), -1);
    plan_apply(&r, true, &p);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(p.files[i].action, EKSAUTH_SETUP_UNCHANGED);
    eksauth_setup_plan_free(&p);
    remove_root(&r);
}

/*
 * A drop-in of the operator's, at its name or at the name an earlier setup
 * used, is neither written over nor removed: setup refuses and writes
 * nothing; --undo leaves it and says so.  Nor is a symbolic link replaced.
 */
static void test_plan_conflict_writes_nothing(void **state)
{
    static const char *const names[] = {DROPIN, OLD_DROPIN};
    static const char theirs[] = "UsePAM yes\n";
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *text, msg[128];

    (void)state;
    make_root(&r);
    o.root = r.dir;
    for (size_t k = 0; k < 2; k++) {
        o.undo = false;
        put(&r, names[k], theirs);
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
        assert_int_equal(p.n, 0);
        snprintf(msg, sizeof(msg), "%s exists and eksauth setup did not write it", names[k]);
        assert_non_null(strstr(err.msg, msg));
        text = get(&r, "/etc/nsswitch.conf");
        assert_string_equal(text, debian_nsswitch);
        free(text);
        assert_int_equal(access(at(&r, names[1 - k]), F_OK), -1);

        /* --undo leaves a file of the operator's where it is, and says so. */
        o.undo = true;
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        assert_int_equal(action_of(&p, names[k]), EKSAUTH_SETUP_SKIP);
        assert_non_null(strstr(p.files[k == 0 ? 2 : 5].note, "not written by eksauth setup"));
        assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
        eksauth_setup_plan_free(&p);
        text = get(&r, names[k]);
        assert_string_equal(text, theirs);
        free(text);
        (void)remove(at(&r, names[k]));
    }
    /* Setup's earlier eksauth.conf beside the operator's 40-eksauth.conf: not removed either. */
    o.undo = false;
    put(&r, DROPIN, theirs);
    put(&r, OLD_DROPIN, dropin_v2);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    text = get(&r, OLD_DROPIN);
    assert_string_equal(text, dropin_v2);
    free(text);
    (void)remove(at(&r, OLD_DROPIN));

    /* A symbolic link is never replaced. */
    (void)remove(at(&r, DROPIN));
    (void)remove(at(&r, "/etc/nsswitch.conf"));
    assert_int_equal(symlink("/etc/nsswitch.conf", at(&r, "/etc/nsswitch.conf")), 0);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "is a symbolic link"));
    remove_root(&r);
}

/*
 * authselect makes /etc/nsswitch.conf a symbolic link (to
 * /etc/authselect/nsswitch.conf, absolute: under --root it is read inside
 * the root), and the package's install put eksauth in the file it points
 * to.  Setup reads through the link: with eksauth where it goes, the rest
 * of setup goes on and the link stays a link; without, setup refuses
 * (replacing the link would cut it), naming the file to edit.  --undo
 * leaves such a file to the package's purge and takes out the rest.
 */
static void test_plan_symlinked_nsswitch(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *added = NULL;
    struct stat st;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    assert_int_equal(mkdir(at(&r, "/etc/authselect"), 0755), 0);
    assert_int_equal(eksauth_setup_nsswitch(debian_nsswitch, false, &added, &err), EKSAUTH_OK);
    put(&r, "/etc/authselect/nsswitch.conf", added);
    assert_int_equal(remove(at(&r, "/etc/nsswitch.conf")), 0);
    assert_int_equal(symlink("/etc/authselect/nsswitch.conf", at(&r, "/etc/nsswitch.conf")), 0);

    plan_apply(&r, false, &p);
    assert_int_equal(action_of(&p, "/etc/nsswitch.conf"), EKSAUTH_SETUP_UNCHANGED);
    assert_int_equal(action_of(&p, "/etc/pam.d/sshd"), EKSAUTH_SETUP_WRITE);
    eksauth_setup_plan_free(&p);
    assert_int_equal(lstat(at(&r, "/etc/nsswitch.conf"), &st), 0);
    assert_true(S_ISLNK(st.st_mode));

    /* --undo: the rest taken out, the linked file left as it is, and said. */
    plan_apply(&r, true, &p);
    assert_int_equal(action_of(&p, "/etc/nsswitch.conf"), EKSAUTH_SETUP_SKIP);
    assert_non_null(strstr(p.files[0].note, "/etc/authselect/nsswitch.conf"));
    assert_int_equal(action_of(&p, "/etc/pam.d/sshd"), EKSAUTH_SETUP_WRITE);
    eksauth_setup_plan_free(&p);
    expect_file(&r, "/etc/authselect/nsswitch.conf", added);
    expect_file(&r, "/etc/pam.d/sshd", debian_sshd);

    /* Without eksauth there: refused, nothing written, the file to edit named. */
    put(&r, "/etc/authselect/nsswitch.conf", debian_nsswitch);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "is a symbolic link to /etc/authselect/nsswitch.conf"));
    expect_file(&r, "/etc/pam.d/sshd", debian_sshd);

    free(added);
    (void)remove(at(&r, "/etc/authselect/nsswitch.conf"));
    (void)remove(at(&r, "/etc/authselect"));
    remove_root(&r);
}

/*
 * A refusal over a file's content names the file: "line 2" alone leaves the
 * operator to guess which of the five files setup reads holds it.
 */
static void test_plan_refusal_names_the_file(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    put(&r, "/etc/pam.d/sshd", "# theirs\nauth sufficient pam_eksauth.so\n@include common-auth\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/pam.d/sshd: line 2 names pam_eksauth.so"));
    put(&r, "/etc/pam.d/sshd", debian_sshd);
    put(&r, "/etc/sudo.conf", "Set group_source static\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/sudo.conf: a line sets group_source static"));
    remove_root(&r);
}

/* sudo.conf made and taken back whole; the users group a local group; an earlier drop-in. */
static void test_plan_sudo_conf_users_group_and_earlier_dropin(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *text;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    (void)remove(at(&r, "/etc/sudo.conf"));
    put(&r, OLD_DROPIN, dropin_v1);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudo.conf"), EKSAUTH_SETUP_WRITE);
    assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_WRITE);
    assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    text = get(&r, DROPIN);
    assert_non_null(strstr(text, "Match Group eks-users\n"));
    free(text);
    o.undo = true;
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudo.conf"), EKSAUTH_SETUP_REMOVE);
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    assert_int_equal(access(at(&r, "/etc/sudo.conf"), F_OK), -1);

    /* No sudo at all: sudo.conf is left alone, and said why. */
    o.undo = false;
    assert_int_equal(rmdir(at(&r, "/etc/sudoers.d")), 0);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudo.conf"), EKSAUTH_SETUP_SKIP);
    assert_non_null(strstr(p.files[4].note, "sudo is not installed"));
    eksauth_setup_plan_free(&p);

    /* A local group with the users group's name: the Match block would miss every login. */
    put(&r, "/etc/group", "root:x:0:\neks-users:x:4000:\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_int_equal(p.n, 0);
    assert_non_null(strstr(err.msg, "eks-users, is a local group"));
    assert_non_null(strstr(err.msg, "users_group"));
    remove_root(&r);
}

/*
 * A host set up by an earlier version has the drop-in as eksauth.conf,
 * which sshd reads after 50-redhat.conf (docs/al2023.md): setup writes
 * 40-eksauth.conf and removes it (either earlier text), then has nothing
 * left to do; --undo removes whichever of the two is there.
 */
static void test_plan_moves_an_earlier_dropin(void **state)
{
    static const char *const earlier[] = {dropin_v2, dropin_v1};
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *text, *want = eksauth_setup_sshd_dropin("eks-users");

    (void)state;
    for (size_t k = 0; k < sizeof(earlier) / sizeof(earlier[0]); k++) {
        make_root(&r);
        o.root = r.dir;
        o.undo = false;
        put(&r, OLD_DROPIN, earlier[k]);
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_WRITE);
        assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
        assert_true(p.files[5].legacy);
        assert_false(p.files[2].legacy);
        assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
        assert_int_equal(p.files[2].outcome, EKSAUTH_SETUP_DONE);
        assert_int_equal(p.files[5].outcome, EKSAUTH_SETUP_DONE);
        eksauth_setup_plan_free(&p);
        text = get(&r, DROPIN);
        assert_string_equal(text, want);
        free(text);
        assert_int_equal(access(at(&r, OLD_DROPIN), F_OK), -1);
        plan_apply(&r, false, &p);
        for (size_t i = 0; i < p.n; i++)
            assert_int_equal(p.files[i].action, EKSAUTH_SETUP_UNCHANGED);
        eksauth_setup_plan_free(&p);

        /* Both there (a run stopped between them): the earlier one goes; --undo takes both. */
        put(&r, OLD_DROPIN, earlier[k]);
        o.undo = true;
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_REMOVE);
        assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
        eksauth_setup_plan_free(&p);
        o.undo = false;
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_UNCHANGED);
        assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
        eksauth_setup_plan_free(&p);
        plan_apply(&r, true, &p);
        eksauth_setup_plan_free(&p);
        assert_int_equal(access(at(&r, DROPIN), F_OK), -1);
        assert_int_equal(access(at(&r, OLD_DROPIN), F_OK), -1);

        /* --undo on a host only an earlier version set up: its eksauth.conf goes. */
        put(&r, OLD_DROPIN, earlier[k]);
        plan_apply(&r, true, &p);
        assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
        assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_UNCHANGED);
        eksauth_setup_plan_free(&p);
        assert_int_equal(access(at(&r, OLD_DROPIN), F_OK), -1);
        remove_root(&r);
    }
    free(want);
}

/*
 * 40-eksauth.conf is written before eksauth.conf is removed: a removal
 * that fails (a folder put in its place between the plan and the write)
 * stops apply with 40-eksauth.conf and its Match block in place and the
 * PAM and NSS files not tried; setup again finishes.
 */
static void test_plan_earlier_dropin_removed_after_the_write(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *text;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    put(&r, OLD_DROPIN, dropin_v2);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(remove(at(&r, OLD_DROPIN)), 0);
    assert_int_equal(mkdir(at(&r, OLD_DROPIN), 0755), 0);
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_EIO);
    assert_non_null(strstr(err.msg, OLD_DROPIN ": "));
    assert_int_equal(p.files[2].outcome, EKSAUTH_SETUP_DONE);
    assert_int_equal(p.files[5].outcome, EKSAUTH_SETUP_FAILED);
    for (size_t i = 0; i < 5; i++) {
        if (i != 2)
            assert_int_equal(p.files[i].outcome, EKSAUTH_SETUP_NOT_TRIED);
    }
    eksauth_setup_plan_free(&p);
    text = get(&r, DROPIN);
    assert_non_null(strstr(text, "\nMatch Group eks-users\n"));
    free(text);
    text = get(&r, "/etc/nsswitch.conf");
    assert_string_equal(text, debian_nsswitch);
    free(text);

    assert_int_equal(rmdir(at(&r, OLD_DROPIN)), 0);
    put(&r, OLD_DROPIN, dropin_v2);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_UNCHANGED);
    assert_int_equal(action_of(&p, OLD_DROPIN), EKSAUTH_SETUP_REMOVE);
    assert_int_equal(action_of(&p, "/etc/nsswitch.conf"), EKSAUTH_SETUP_WRITE);
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    assert_int_equal(access(at(&r, OLD_DROPIN), F_OK), -1);
    plan_apply(&r, true, &p);
    eksauth_setup_plan_free(&p);
    remove_root(&r);
}

/* Each file's text, NULL when there is none: six of them, in the plan's order. */
static void snapshot(struct root *r, char *texts[EKSAUTH_SETUP_FILES])
{
    static const char *const names[EKSAUTH_SETUP_FILES] = {
        "/etc/nsswitch.conf",     "/etc/pam.d/sshd", DROPIN,
        "/etc/sudoers.d/eksauth", "/etc/sudo.conf",  OLD_DROPIN,
    };

    for (size_t i = 0; i < EKSAUTH_SETUP_FILES; i++)
        texts[i] = get(r, names[i]);
}

static void snapshot_free(char *texts[EKSAUTH_SETUP_FILES])
{
    for (size_t i = 0; i < EKSAUTH_SETUP_FILES; i++)
        free(texts[i]);
}

/*
 * A write that fails (here: pam.d gone between the plan and the write)
 * stops apply: the drop-in and the sudo files, written first, are done,
 * pam.d/sshd failed, nsswitch.conf not tried.  Setup again writes the
 * rest (the files as one whole run leaves them); --undo after the stopped
 * run gives every file back.
 */
static void test_plan_stopped_halfway(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *before[EKSAUTH_SETUP_FILES], *whole[EKSAUTH_SETUP_FILES], *now[EKSAUTH_SETUP_FILES];
    char moved[512];
    static const enum eksauth_setup_action again[EKSAUTH_SETUP_FILES] = {
        EKSAUTH_SETUP_WRITE,     EKSAUTH_SETUP_WRITE,     EKSAUTH_SETUP_UNCHANGED,
        EKSAUTH_SETUP_UNCHANGED, EKSAUTH_SETUP_UNCHANGED, EKSAUTH_SETUP_UNCHANGED};
    static const enum eksauth_setup_action back[EKSAUTH_SETUP_FILES] = {
        EKSAUTH_SETUP_UNCHANGED, EKSAUTH_SETUP_UNCHANGED, EKSAUTH_SETUP_REMOVE,
        EKSAUTH_SETUP_REMOVE,    EKSAUTH_SETUP_WRITE,     EKSAUTH_SETUP_UNCHANGED};

    (void)state;
    make_root(&r);
    o.root = r.dir;
    snapshot(&r, before);
    plan_apply(&r, false, &p);
    eksauth_setup_plan_free(&p);
    snapshot(&r, whole);
    plan_apply(&r, true, &p);
    eksauth_setup_plan_free(&p);

    for (int undo = 0; undo < 2; undo++) {
        o.undo = false;
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        snprintf(moved, sizeof(moved), "%s/etc/pam.d.moved", r.dir);
        assert_int_equal(rename(at(&r, "/etc/pam.d"), moved), 0);
        assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_EIO);
        assert_int_equal(rename(moved, at(&r, "/etc/pam.d")), 0);
        assert_non_null(strstr(err.msg, "/etc/pam.d/sshd: cannot create a temporary file"));
        assert_int_equal(p.files[0].outcome, EKSAUTH_SETUP_NOT_TRIED);
        assert_int_equal(p.files[1].outcome, EKSAUTH_SETUP_FAILED);
        for (size_t i = 2; i < 5; i++)
            assert_int_equal(p.files[i].outcome, EKSAUTH_SETUP_DONE);
        /* No earlier drop-in: nothing to remove, so not applied. */
        assert_int_equal(p.files[5].action, EKSAUTH_SETUP_UNCHANGED);
        assert_int_equal(p.files[5].outcome, EKSAUTH_SETUP_NOT_TRIED);
        eksauth_setup_plan_free(&p);
        snapshot(&r, now);
        assert_string_equal(now[0], before[0]);
        assert_string_equal(now[1], before[1]);
        for (size_t i = 2; i < 5; i++)
            assert_string_equal(now[i], whole[i]);
        assert_null(now[5]);
        snapshot_free(now);

        o.undo = undo == 1;
        assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
        /* What is left, and only that (setup); or what was written (--undo). */
        for (size_t i = 0; i < EKSAUTH_SETUP_FILES; i++)
            assert_int_equal(p.files[i].action, undo ? back[i] : again[i]);
        assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
        eksauth_setup_plan_free(&p);
        snapshot(&r, now);
        for (size_t i = 0; i < EKSAUTH_SETUP_FILES; i++) {
            char *want = undo ? before[i] : whole[i];

            if (want == NULL)
                assert_null(now[i]);
            else
                assert_string_equal(now[i], want);
        }
        snapshot_free(now);
        if (!undo) {
            plan_apply(&r, true, &p);
            eksauth_setup_plan_free(&p);
        }
    }
    snapshot_free(before);
    snapshot_free(whole);
    remove_root(&r);
}

/*
 * An sshd_config that does not include the drop-in: refused, nothing
 * written (sshd would never read what setup writes there).  An Include in
 * a Match block does not count; one in an included file does.
 */
static void test_plan_sshd_config_without_include(void **state)
{
    struct eksauth_setup_options o = {NULL, false, "eks-system-masters", NULL, "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;
    char *text;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    put(&r, "/etc/ssh/sshd_config",
        "UsePAM yes\nMatch User ops\n    Include /etc/ssh/sshd_config.d/*.conf\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_int_equal(p.n, 0);
    assert_non_null(strstr(err.msg, "/etc/ssh/sshd_config has no Include line for "
                                    "/etc/ssh/sshd_config.d/40-eksauth.conf"));
    assert_non_null(strstr(err.msg, "add the line \"Include /etc/ssh/sshd_config.d/*.conf\" at "
                                    "the top of it"));
    text = get(&r, "/etc/nsswitch.conf");
    assert_string_equal(text, debian_nsswitch);
    free(text);
    /* --undo does not ask. */
    o.undo = true;
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    o.undo = false;
    /* Through another file, relative to /etc/ssh. */
    put(&r, "/etc/ssh/sshd_config", "Include local.conf\nUsePAM yes\n");
    put(&r, "/etc/ssh/local.conf", "Include /etc/ssh/sshd_config.d/40-*.conf\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, DROPIN), EKSAUTH_SETUP_WRITE);
    eksauth_setup_plan_free(&p);
    /* One that reads only the earlier name does not read the drop-in. */
    put(&r, "/etc/ssh/local.conf", "Include /etc/ssh/sshd_config.d/eksauth.conf\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(
        strstr(err.msg, "has no Include line for /etc/ssh/sshd_config.d/40-eksauth.conf"));
    /* No sshd_config at all. */
    (void)remove(at(&r, "/etc/ssh/sshd_config"));
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/ssh/sshd_config does not exist: install openssh-server"));
    remove_root(&r);
}

static void test_plan_without_sudo_or_sshd(void **state)
{
    struct eksauth_setup_options o = {NULL, false, NULL, "group_map sends it elsewhere",
                                      "eks-users"};
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct root r;

    (void)state;
    make_root(&r);
    o.root = r.dir;
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudoers.d/eksauth"), EKSAUTH_SETUP_SKIP);
    assert_string_equal(p.files[3].note, "group_map sends it elsewhere");
    assert_string_equal(p.files[1].note, "");
    eksauth_setup_plan_free(&p);
    /* The pam-auth-update route too: said, as a warning beside the file. */
    put(&r, "/etc/pam.d/common-auth",
        "auth [success=2 default=ignore] pam_eksauth.so\nauth required pam_unix.so\n");
    o.sudo_group = "eks-system-masters";
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/pam.d/sshd"), EKSAUTH_SETUP_WRITE);
    assert_non_null(strstr(p.files[1].note, "pam-auth-update --disable eksauth"));
    eksauth_setup_plan_free(&p);
    (void)remove(at(&r, "/etc/pam.d/common-auth"));
    /*
     * The account gates in the stack setup's account line goes in front of
     * (common-account, and a file it includes), whose success=done skips
     * them for eksauth users: the note names each one that can refuse (not
     * a sufficient pam_succeed_if, nor an optional pam_listfile), and setup
     * still writes.
     */
    put(&r, "/etc/pam.d/common-account",
        "account [success=1 new_authtok_reqd=done default=ignore] pam_unix.so\n"
        "account requisite pam_deny.so\n"
        "account required pam_access.so\n"
        "account sufficient pam_succeed_if.so uid < 1000 quiet\n"
        "account include gates\n");
    put(&r, "/etc/pam.d/gates",
        "account [success=ok default=bad] pam_time.so\n"
        "account optional pam_listfile.so item=user file=/x\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/pam.d/sshd"), EKSAUTH_SETUP_WRITE);
    assert_non_null(strstr(p.files[1].note, "after pam_eksauth's account line runs pam_access, "
                                            "pam_time, which its success=done skips"));
    assert_non_null(strstr(p.files[1].note, "require_group="));
    eksauth_setup_plan_free(&p);
    (void)remove(at(&r, "/etc/pam.d/common-account"));
    (void)remove(at(&r, "/etc/pam.d/gates"));
    /* No openssh-server: said, nothing written. */
    (void)remove(at(&r, "/etc/pam.d/sshd"));
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "install openssh-server"));
    o.root = "relative";
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_EINVAL);
    remove_root(&r);
}

/*
 * group_map added for system:masters after a setup: the sudoers file that
 * setup wrote (its NOPASSWD rule for the old group) is removed, and the
 * note says so; one edited since is left, and the note says its rules
 * still hold.
 */
static void test_plan_sudoers_after_group_map(void **state)
{
    struct root r;
    struct eksauth_setup_plan p;
    struct eksauth_error err;
    struct eksauth_setup_options o = {.sudo_skip = "group_map sends it elsewhere",
                                      .users_group = "eks-users"};

    (void)state;
    make_root(&r);
    o.root = r.dir;
    plan_apply(&r, false, &p);
    eksauth_setup_plan_free(&p);
    assert_int_equal(access(at(&r, "/etc/sudoers.d/eksauth"), F_OK), 0);
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudoers.d/eksauth"), EKSAUTH_SETUP_REMOVE);
    assert_non_null(strstr(p.files[3].note, "group_map sends it elsewhere; the file an earlier "
                                            "eksauth setup wrote is removed"));
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    assert_int_equal(access(at(&r, "/etc/sudoers.d/eksauth"), F_OK), -1);
    /* Gone: skipped as before, nothing else said. */
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudoers.d/eksauth"), EKSAUTH_SETUP_SKIP);
    assert_string_equal(p.files[3].note, "group_map sends it elsewhere");
    eksauth_setup_plan_free(&p);
    /* Edited since: left, and said to still hold. */
    put(&r, "/etc/sudoers.d/eksauth", "%eks-system-masters ALL=(ALL:ALL) NOPASSWD: ALL\n");
    assert_int_equal(eksauth_setup_plan(&o, &p, &err), EKSAUTH_OK);
    assert_int_equal(action_of(&p, "/etc/sudoers.d/eksauth"), EKSAUTH_SETUP_SKIP);
    assert_non_null(strstr(p.files[3].note, "left as it is, and its rules still hold"));
    assert_int_equal(eksauth_setup_apply(&p, &err), EKSAUTH_OK);
    eksauth_setup_plan_free(&p);
    assert_int_equal(access(at(&r, "/etc/sudoers.d/eksauth"), F_OK), 0);
    remove_root(&r);
}

/*
 * Under --root, a symbolic link on the way to a file is named, never
 * followed: its absolute target is the host's, not the image's.  A part
 * not there ends the walk; a ".." is refused; this host (no root) is not
 * looked at.
 */
static void test_check_under_root(void **state)
{
    struct eksauth_error err;
    struct root r;

    (void)state;
    make_root(&r);
    assert_int_equal(symlink("/etc/ssh", at(&r, "/etc/ssh2")), 0);
    assert_int_equal(symlink("sshd", at(&r, "/etc/pam.d/sshd2")), 0);
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/ssh/sshd_config", true, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/ssh2/sshd_config", true, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/ssh2 is a symbolic link to /etc/ssh: setup does not "
                                    "follow it under --root"));
    /* A link inside the image too: the leaf only when asked. */
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/pam.d/sshd2", false, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/pam.d/sshd2", true, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "/etc/pam.d/sshd2 is a symbolic link to sshd:"));
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/none/x", true, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/ssh/../../x", true, &err),
                     EKSAUTH_EINVAL);
    assert_non_null(strstr(err.msg, "does not follow a \"..\" under --root"));
    assert_int_equal(eksauth_setup_check_under_root(r.dir, "/etc/..x/a..", true, &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_under_root("", "/etc/ssh2/sshd_config", true, &err),
                     EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_under_root(NULL, "/../x", true, &err), EKSAUTH_OK);
    (void)remove(at(&r, "/etc/ssh2"));
    (void)remove(at(&r, "/etc/pam.d/sshd2"));
    remove_root(&r);
}

/*
 * A relative --root is refused, by the plan and by the check `eksauth
 * setup` makes before it reads the config; this host (NULL, "", "/") is not.
 */
static void test_check_root(void **state)
{
    struct eksauth_setup_options o = {"img", true, NULL, NULL, NULL};
    struct eksauth_setup_plan plan;
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_setup_check_root("img", &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "--root img: must be an absolute path");
    assert_int_equal(eksauth_setup_plan(&o, &plan, &err), EKSAUTH_EINVAL);
    assert_string_equal(err.msg, "--root img: must be an absolute path");
    assert_int_equal(plan.n, 0);
    assert_int_equal(eksauth_setup_check_root("/img", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_root("/", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_root("", &err), EKSAUTH_OK);
    assert_int_equal(eksauth_setup_check_root(NULL, &err), EKSAUTH_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_setup_again_and_undo),
        cmocka_unit_test(test_plan_conflict_writes_nothing),
        cmocka_unit_test(test_plan_refusal_names_the_file),
        cmocka_unit_test(test_plan_symlinked_nsswitch),
        cmocka_unit_test(test_plan_sudo_conf_users_group_and_earlier_dropin),
        cmocka_unit_test(test_plan_moves_an_earlier_dropin),
        cmocka_unit_test(test_plan_earlier_dropin_removed_after_the_write),
        cmocka_unit_test(test_plan_without_sudo_or_sshd),
        cmocka_unit_test(test_plan_sudoers_after_group_map),
        cmocka_unit_test(test_plan_stopped_halfway),
        cmocka_unit_test(test_plan_sshd_config_without_include),
        cmocka_unit_test(test_check_under_root),
        cmocka_unit_test(test_check_root),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
