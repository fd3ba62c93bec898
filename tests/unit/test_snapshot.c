/*
 * test_snapshot.c - lib/snapshot.c: the aws-auth the last sync applied and
 * its state, beside the identity DB.  Written with its SHA-256, generation,
 * inputs and host and read back whole (a killed writer's temp files swept
 * first); read only when it is the snapshot the state names, of no later
 * generation than the DB, and, as root, root's alone; the state's fields
 * checked as they are read (a resourceVersion goes back in a query
 * string); a confirm that moves only checked_at and rv, and only for the
 * writer's own version in a state no one else could have written; the age
 * a login checks (max_snapshot_age), failing closed; the digest of the
 * host's own inputs.
 */
#include "config.h"

#include <errno.h>
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

#include "eksauth/snapshot.h"
#include "scratch.h"
#include "unit.h"

#define DOC    "mapUsers: |\n  - userarn: arn:aws:iam::123456789012:user/carol\n    username: carol\n"
#define HEX64  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HOST   "i-0123456789abcdef0 ip-10-0-1-23.ec2.internal"
#define NOW    1764500000 /* the sync's clock */
#define GEN    7          /* the generation of the DB written with the snapshot */
#define MAXAGE 600

/* A throwaway folder for the DB, and the paths of the files beside it (lib/paths.c). */
struct snap {
    struct scratch *s;
    struct eksauth_paths paths;
    struct eksauth_snapshot_state state;
};

static int setup(void **state)
{
    struct snap *f = calloc(1, sizeof(*f));
    struct eksauth_config cfg;
    struct eksauth_error err;

    assert_non_null(f);
    /* The files are the test's own, not those EKSAUTH_DB would name. */
    assert_int_equal(unsetenv("EKSAUTH_DB"), 0);
    f->s = scratch_new("snapshot", "identity.db");
    memset(&cfg, 0, sizeof(cfg));
    cfg.db_path = f->s->path;
    assert_status(eksauth_paths_db(&cfg, &f->paths, &err), EKSAUTH_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct snap *f = *state;

    scratch_free(f->s);
    free(f);
    return 0;
}

/* doc as the snapshot of version (its rv 100) a sync wrote at NOW for the DB of generation GEN. */
static void write_snapshot(struct snap *f, const char *doc, const char *version)
{
    struct eksauth_cluster_snapshot snap;
    struct eksauth_error err;

    memset(&snap, 0, sizeof(snap));
    snap.data = (char *)doc;
    snap.len = strlen(doc);
    snprintf(snap.version, sizeof(snap.version), "%s", version);
    snprintf(snap.rv, sizeof(snap.rv), "100");
    snprintf(snap.what, sizeof(snap.what), "ConfigMap kube-system/aws-auth");
    if (eksauth_snapshot_write_locked(&f->paths, &snap, NOW, GEN, HEX64, HOST, &f->state, &err) !=
        EKSAUTH_OK)
        fail_msg("snapshot: %s", err.msg);
}

/* path holding text (mode), made by root as eksauth's files are. */
static void put_file(const char *path, const char *text, mode_t mode)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    assert_int_equal(fputs(text, fp) >= 0, 1);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* A state file of version checked at checked_at, the rest as write_snapshot leaves it. */
static void put_state(struct snap *f, const char *version, long long checked_at)
{
    char text[1024];

    snprintf(text, sizeof(text),
             "version=%s\nrv=100\nfetched_at=%lld\nchecked_at=%lld\ngeneration=%d\n"
             "sha256=%s\ninputs=%s\nhost=%s\nfrom=fake\n",
             version, checked_at, checked_at, GEN, HEX64, HEX64, HOST);
    put_file(f->paths.state, text, 0644);
}

static bool exists(const char *path)
{
    struct stat sb;

    return stat(path, &sb) == 0;
}

/*
 * Written: the snapshot 0644 as it came, the state with its digest, time,
 * generation, inputs and host, read back the same; the temp files of a
 * writer killed before are swept (the caller holds the writer's lock).
 */
static void test_write_and_read_back(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state back;
    char stale_snap[EKSAUTH_PATH_MAX + 16], stale_state[EKSAUTH_PATH_MAX + 16];
    struct stat sb;

    snprintf(stale_snap, sizeof(stale_snap), "%s.tmp.AbC123", f->paths.snapshot);
    snprintf(stale_state, sizeof(stale_state), "%s.tmp.xYz789", f->paths.state);
    put_file(stale_snap, "half a snapshot", 0600);
    put_file(stale_state, "half a state", 0600);
    write_snapshot(f, DOC, "k8s:100");
    assert_false(exists(stale_snap));
    assert_false(exists(stale_state));
    assert_int_equal(stat(f->paths.snapshot, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644);
    assert_int_equal((size_t)sb.st_size, strlen(DOC));
    assert_int_equal(stat(f->paths.state, &sb), 0);
    assert_int_equal(sb.st_mode & 07777, 0644);

    assert_string_equal(f->state.version, "k8s:100");
    assert_string_equal(f->state.rv, "100");
    assert_int_equal(f->state.fetched_at, NOW);
    assert_int_equal(f->state.checked_at, NOW);
    assert_int_equal(f->state.generation, GEN);
    assert_int_equal(strlen(f->state.sha256), 64);
    assert_string_equal(f->state.inputs, HEX64);
    assert_string_equal(f->state.host, HOST);
    assert_true(f->state.host_read);
    assert_true(eksauth_snapshot_is(&f->state, DOC, strlen(DOC)));
    assert_false(eksauth_snapshot_is(&f->state, DOC, strlen(DOC) - 1));

    eksauth_snapshot_state_read(&f->paths, true, &back);
    assert_memory_equal(&back, &f->state, sizeof(back));
}

/*
 * A login maps with the snapshot only when it is the one the state names,
 * of the DB it decides with or an earlier generation (recorded logins add
 * generations; a later one is a sync under way): never a mix of two syncs.
 */
static void test_read_only_the_dbs_own(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state st;
    struct eksauth_error err;
    char *data = (char *)"untouched";
    size_t len = 1;
    FILE *fp;

    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(
        strstr(err.msg, "no aws-auth snapshot of the identity DB yet: run eksauth sync"));
    assert_null(data);
    assert_int_equal(len, 0);

    write_snapshot(f, DOC, "k8s:100");
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err), EKSAUTH_OK);
    assert_int_equal(len, strlen(DOC));
    assert_memory_equal(data, DOC, len);
    assert_string_equal(st.version, "k8s:100");
    free(data);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN + 2, &st, &data, &len, &err),
                  EKSAUTH_OK);
    free(data);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN - 1, &st, &data, &len, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "is not the aws-auth the identity DB (generation 6) was "
                                    "written from: a sync is under way or failed"));
    assert_null(data);

    /* One byte changed, same length: not the snapshot the state names. */
    fp = fopen(f->paths.snapshot, "r+");
    assert_non_null(fp);
    assert_int_equal(fputc('M', fp), 'M');
    assert_int_equal(fclose(fp), 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "is not the aws-auth the identity DB"));
    assert_null(data);
    assert_int_equal(len, 0);

    assert_int_equal(unlink(f->paths.snapshot), 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "aws-auth.snapshot: no such file: run eksauth sync"));
}

/*
 * Whoever can write the snapshot chooses logins and groups, and whoever
 * can write the state chooses which snapshot counts: as root, each is
 * read only when root's alone.
 */
static void test_read_trusts_root_alone(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state st;
    struct eksauth_error err;
    char *data = NULL;
    size_t len = 0;

    if (geteuid() != 0)
        skip(); /* the files must be root's, and one chowned away */
    write_snapshot(f, DOC, "k8s:100");
    assert_int_equal(chmod(f->paths.snapshot, 0666), 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EINVAL);
    assert_null(data);
    /* Not as root (eksauth map run by a user): the file is read as it is. */
    assert_status(eksauth_snapshot_read(&f->paths, false, GEN, &st, &data, &len, &err), EKSAUTH_OK);
    free(data);
    assert_int_equal(chmod(f->paths.snapshot, 0644), 0);
    assert_int_equal(chown(f->paths.snapshot, 65534, 0), 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EINVAL);
    assert_int_equal(chown(f->paths.snapshot, 0, 0), 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err), EKSAUTH_OK);
    free(data);

    assert_int_equal(chmod(f->paths.state, 0646), 0);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.version, "");
    assert_int_equal(st.generation, 0);
    assert_status(eksauth_snapshot_read(&f->paths, true, GEN, &st, &data, &len, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no aws-auth snapshot of the identity DB yet"));
    eksauth_snapshot_state_read(&f->paths, false, &st);
    assert_string_equal(st.version, "k8s:100");
}

/*
 * The state's lines are checked as they are read: a resourceVersion goes
 * back to the API in a query string, digests are 64 hex digits, a host too
 * long is no host; unknown lines are skipped; a missing or oversized file
 * is no state at all.
 */
static void test_state_fields_checked(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state st;
    char text[EKSAUTH_SNAPSHOT_STATE_MAX + 64], host[EKSAUTH_SNAPSHOT_HOST_MAX + 1];

    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.version, "");
    assert_false(st.host_read);

    memset(host, 'h', sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(text, sizeof(text),
             "# a comment\nversion=k8s:5\nrv=5&watch=1\nsha256=%.63s\ninputs=%s0\n"
             "host=%s\nwhat=nothing\ngeneration=3\n",
             HEX64, HEX64, host);
    put_file(f->paths.state, text, 0644);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.version, "k8s:5");
    assert_string_equal(st.rv, "");
    assert_string_equal(st.sha256, "");
    assert_string_equal(st.inputs, "");
    assert_false(st.host_read);
    assert_string_equal(st.what, "");
    assert_int_equal(st.generation, 3);

    /* An empty host line says no template needed the host. */
    put_file(f->paths.state, "version=k8s:5\nrv=5\nhost=\n", 0644);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.rv, "5");
    assert_true(st.host_read);
    assert_string_equal(st.host, "");

    memset(text, '#', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    memcpy(text, "version=k8s:5\n", 14);
    put_file(f->paths.state, text, 0644);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.version, "");
}

/*
 * A confirm says a sync found the source still at the state's version:
 * checked_at and a valid rv move, nothing else, and *state follows.
 */
static void test_confirm_moves_checked_and_rv(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state before, st;
    struct eksauth_error err;

    write_snapshot(f, DOC, "k8s:100");
    before = f->state;
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &f->state, "250", NOW + 60, &err),
                  EKSAUTH_OK);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_memory_equal(&st, &f->state, sizeof(st));
    assert_int_equal(st.checked_at, NOW + 60);
    assert_string_equal(st.rv, "250");
    st.checked_at = before.checked_at;
    memcpy(st.rv, before.rv, sizeof(st.rv));
    assert_memory_equal(&st, &before, sizeof(st));
    /* An rv that could not go back in a query string, or none: the known one stays. */
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &f->state, "250&x=1", NOW + 120, &err),
                  EKSAUTH_OK);
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &f->state, NULL, NOW + 180, &err),
                  EKSAUTH_OK);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_string_equal(st.rv, "250");
    assert_int_equal(st.checked_at, NOW + 180);
}

/*
 * A confirm vouches only for the writer's own snapshot: not another
 * sync's newer one, not a state someone else could have written (the
 * rewrite would make it root's), and never a state where there was none.
 */
static void test_confirm_vouches_only_for_its_own(void **state)
{
    struct snap *f = *state;
    struct eksauth_snapshot_state st, mine;
    struct eksauth_error err;

    memset(&mine, 0, sizeof(mine));
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &mine, "1", NOW, &err), EKSAUTH_OK);
    assert_false(exists(f->paths.state));

    write_snapshot(f, DOC, "k8s:100");
    mine = f->state;
    snprintf(mine.version, sizeof(mine.version), "k8s:99");
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &mine, "1", NOW + 60, &err),
                  EKSAUTH_OK);
    eksauth_snapshot_state_read(&f->paths, true, &st);
    assert_int_equal(st.checked_at, NOW);
    assert_string_equal(st.rv, "100");
    assert_int_equal(mine.checked_at, NOW); /* the caller learns nothing was confirmed */

    assert_int_equal(chmod(f->paths.state, 0666), 0);
    mine = f->state;
    assert_status(eksauth_snapshot_confirm(&f->paths, true, &mine, "1", NOW + 60, &err),
                  EKSAUTH_OK);
    eksauth_snapshot_state_read(&f->paths, false, &st);
    assert_int_equal(st.checked_at, NOW);
}

/* What a failed sync says stays in force. */
static void test_state_age(void **state)
{
    struct snap *f = *state;
    char out[256];

    eksauth_snapshot_state_age(&f->state, NOW, out, sizeof(out));
    assert_string_equal(out, "there is no earlier snapshot");
    write_snapshot(f, DOC, "k8s:100");
    eksauth_snapshot_state_age(&f->state, NOW + 50, out, sizeof(out));
    assert_string_equal(out,
                        "keeping the last good snapshot (k8s:100, 50 s old) and the identity DB");
    f->state.fetched_at = 0;
    eksauth_snapshot_state_age(&f->state, NOW + 50, out, sizeof(out));
    assert_string_equal(out, "there is no earlier snapshot");
}

/* max_snapshot_age, as a login asks it: fail closed. */
static void test_snapshot_age(void **state)
{
    struct snap *f = *state;
    struct eksauth_error err;

    /* Off: no limit, even with no snapshot at all. */
    assert_status(eksauth_snapshot_check_age(&f->paths, true, 0, NOW, &err), EKSAUTH_OK);
    /* None yet: nothing vouches for the mapping. */
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no snapshot of the cluster's aws-auth"));
    put_state(f, "k8s:1", NOW - MAXAGE);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_OK);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW + 1, &err),
                  EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "last confirmed 601 s ago, over max_snapshot_age (600 s)"));
    /* A state no sync confirmed. */
    put_state(f, "k8s:1", 0);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no snapshot of the cluster's aws-auth"));
    /* Confirmed a day ahead, and the clock then set back: it vouches for nothing. */
    put_state(f, "k8s:1", NOW + 86400);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "confirmed 86400 s in the future"));
    /* A small step back is no reason to refuse; a minute and more is. */
    put_state(f, "k8s:1", NOW + 60);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_OK);
    put_state(f, "k8s:1", NOW + 61);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_EUNAVAIL);
    /* Fresh, but a state others could write vouches for nothing. */
    put_state(f, "k8s:1", NOW);
    assert_int_equal(chmod(f->paths.state, 0666), 0);
    assert_status(eksauth_snapshot_check_age(&f->paths, true, MAXAGE, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "no snapshot of the cluster's aws-auth"));
}

/* The host's inputs of a digest, each changed in turn. */
struct inputs {
    struct eksauth_config cfg;
    char *users[2];
    struct eksauth_local_group groups[1];
    uint32_t ids[2];
    struct eksauth_id_range subs[2];
    struct eksauth_hostfiles local;
};

static void inputs_of(struct inputs *in, char out[64 + 1])
{
    eksauth_snapshot_inputs(&in->cfg, &in->local, out);
}

/*
 * The digest of the host's own inputs tells every change apart (config
 * file, id key, local names and ids, blocks of subordinate ids), and nothing else: a key's check
 * value counts only when a key is set.  The same inputs, the same digest.
 */
static void test_inputs(void **state)
{
    struct inputs in;
    char base[64 + 1], again[64 + 1], other[64 + 1];
    size_t i;

    (void)state;
    memset(&in, 0, sizeof(in));
    in.users[0] = (char *)"alice";
    in.users[1] = (char *)"bob";
    in.groups[0].name = (char *)"staff";
    in.groups[0].gid = 50;
    in.ids[0] = 50;
    in.ids[1] = 1000;
    in.local.users = in.users;
    in.local.n_users = 2;
    in.local.groups = in.groups;
    in.local.n_groups = 1;
    in.local.ids = in.ids;
    in.local.n_ids = 2;
    in.subs[0].lo = 100000;
    in.subs[0].hi = 165535;
    in.subs[1].lo = 200000;
    in.subs[1].hi = 265535;
    in.local.subs = in.subs;
    in.local.n_subs = 1;
    inputs_of(&in, base);
    assert_int_equal(strlen(base), 64);
    for (i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", base[i]));
    inputs_of(&in, again);
    assert_string_equal(again, base);

    in.cfg.id_key.check = 42; /* no key set: not an input */
    inputs_of(&in, again);
    assert_string_equal(again, base);
    in.cfg.id_key_set = true;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.cfg.id_key.check = 43;
    inputs_of(&in, again);
    assert_string_not_equal(again, other);
    assert_string_not_equal(again, base);
    in.cfg.id_key_set = false;

    in.cfg.file_sha256[31] ^= 1;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.cfg.file_sha256[31] ^= 1;

    in.groups[0].gid = 51;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.groups[0].gid = 50;

    in.ids[1] = 1001;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.ids[1] = 1000;

    /*
     * A block delegated since the sync (usermod --add-subuids, useradd):
     * an index planned without it would let a templated login land in it.
     */
    in.local.n_subs = 2;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.local.n_subs = 1;
    in.subs[0].hi = 165536; /* a block grown by one id */
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.subs[0].hi = 165535;
    in.subs[0].lo = 99999;
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.subs[0].lo = 100000;
    in.local.n_subs = 0; /* none: not the same as one */
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.local.n_subs = 1;

    /* The eksauth that plans: an upgrade plans again. */
    eksauth_snapshot_inputs_by(PACKAGE_VERSION, &in.cfg, &in.local, again);
    assert_string_equal(again, base);
    eksauth_snapshot_inputs_by(PACKAGE_VERSION ".1", &in.cfg, &in.local, other);
    assert_string_not_equal(other, base);

    /* "alice", "bob" is not "alic", "ebob": each name ends where it ends. */
    in.users[0] = (char *)"alic";
    in.users[1] = (char *)"ebob";
    inputs_of(&in, other);
    assert_string_not_equal(other, base);
    in.users[0] = (char *)"alice";
    in.users[1] = (char *)"bob";
    inputs_of(&in, again);
    assert_string_equal(again, base);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

EKSAUTH_UNIT_MAIN(T(test_write_and_read_back), T(test_read_only_the_dbs_own),
                  T(test_read_trusts_root_alone), T(test_state_fields_checked),
                  T(test_confirm_moves_checked_and_rv), T(test_confirm_vouches_only_for_its_own),
                  T(test_state_age), T(test_snapshot_age), T(test_inputs))
