/*
 * test_replay.c - lib/replay.c: the single-use record.  The table: hashing,
 * round trips, every refusal of the parser, duplicates, pruning, the bound.
 * The file: first use passes and second use is refused; the record is
 * private (0600) and refused when it is not, or when its folder is
 * writable by others, or a symlink, or corrupt (fail closed, file kept),
 * and when its folder is a link or not a folder (named in the message);
 * no temporary file is left; the signature never reaches a message; and
 * concurrent claims of one token from many processes: exactly one wins.
 */
#include "config.h"

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "eksauth/replay.h"
#include "scratch.h"
#include "turkish_locale.h"
#include "unit.h"

#define SIG_A "0f3c4a6b2d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"
#define SIG_B "1f3c4a6b2d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a"
#define NOW   1767225900

/* Each test's state: a scratch folder (scratch.h) and the path of its record. */
static int setup(void **state)
{
    *state = scratch_new("replay", "replay.db");
    return 0;
}

static int teardown(void **state)
{
    scratch_free(*state);
    return 0;
}

/* Files in the folder other than the record and its lock (temp files). */
static int stray_files(const struct scratch *fx)
{
    struct dirent *de;
    int n = 0;
    DIR *d = opendir(fx->dir);

    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, "replay.db") == 0 || strcmp(de->d_name, "replay.db.lock") == 0)
            continue;
        n++;
    }
    if (d != NULL)
        closedir(d);
    return n;
}

static void hash_of(unsigned i, unsigned char h[EKSAUTH_REPLAY_HASH_LEN])
{
    char sig[32];

    snprintf(sig, sizeof(sig), "sig-%u", i);
    eksauth_replay_hash(sig, strlen(sig), h);
}

static void write_bytes(const char *path, const void *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* ---- the table ---- */

static void test_hash_is_sha256(void **state)
{
    static const unsigned char abc[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
    };
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];

    (void)state;
    eksauth_replay_hash("abc", 3, h);
    assert_memory_equal(h, abc, sizeof(abc));
}

static void test_round_trip(void **state)
{
    struct eksauth_replay *r = NULL, *r2 = NULL;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];
    void *bytes = NULL, *bytes2 = NULL;
    size_t len = 0, len2 = 0;
    unsigned i;

    (void)state;
    assert_int_equal(eksauth_replay_new(&r, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_serialize(r, &bytes, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, EKSAUTH_REPLAY_HEADER_SIZE);
    assert_memory_equal(bytes, EKSAUTH_REPLAY_MAGIC, 8);
    free(bytes);
    for (i = 0; i < 50; i++) {
        hash_of(i, h);
        assert_int_equal(eksauth_replay_add(r, h, NOW + i, NULL), EKSAUTH_OK);
    }
    assert_int_equal(eksauth_replay_count(r), 50);
    assert_int_equal(eksauth_replay_serialize(r, &bytes, &len, NULL), EKSAUTH_OK);
    assert_int_equal(len, EKSAUTH_REPLAY_HEADER_SIZE + 50 * EKSAUTH_REPLAY_RECORD_SIZE);
    assert_int_equal(eksauth_replay_parse(bytes, len, &r2, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_count(r2), 50);
    for (i = 0; i < 50; i++) {
        hash_of(i, h);
        assert_true(eksauth_replay_seen(r2, h));
    }
    hash_of(50, h);
    assert_false(eksauth_replay_seen(r2, h));
    /* Same table, same bytes: the file is canonical. */
    assert_int_equal(eksauth_replay_serialize(r2, &bytes2, &len2, NULL), EKSAUTH_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(bytes, bytes2, len);
    free(bytes);
    free(bytes2);
    eksauth_replay_free(r);
    eksauth_replay_free(r2);
    /* An empty file is an empty record. */
    assert_int_equal(eksauth_replay_parse("", 0, &r, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_count(r), 0);
    eksauth_replay_free(r);
}

static void test_parse_refusals(void **state)
{
    struct eksauth_replay *r = NULL;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];
    struct eksauth_error err;
    unsigned char *b;
    void *bytes = NULL;
    size_t len = 0;
    uint32_t v;

    (void)state;
    assert_int_equal(eksauth_replay_new(&r, NULL), EKSAUTH_OK);
    hash_of(1, h);
    assert_int_equal(eksauth_replay_add(r, h, NOW, NULL), EKSAUTH_OK);
    hash_of(2, h);
    assert_int_equal(eksauth_replay_add(r, h, NOW, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_serialize(r, &bytes, &len, NULL), EKSAUTH_OK);
    eksauth_replay_free(r);
    b = bytes;

    /* Each case alone, on a fresh copy of the good bytes. */
    {
        unsigned char c[EKSAUTH_REPLAY_HEADER_SIZE + 2 * EKSAUTH_REPLAY_RECORD_SIZE];

        memcpy(c, b, len);
        c[0] = 'X';
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);
        assert_null(r);
        assert_string_equal(err.msg, "replay: not a replay record");

        memcpy(c, b, len);
        v = htole32(2);
        memcpy(c + 8, &v, 4);
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "version 2"));
        /* Nothing rewrites another version's record: the message says when removing it is safe. */
        assert_non_null(strstr(err.msg, "another eksauth's record"));
        assert_non_null(strstr(err.msg, "removed, which is safe 30 minutes plus max_clock_skew "
                                        "after its last change"));

        memcpy(c, b, len);
        v = htole32(3);
        memcpy(c + 12, &v, 4);
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "do not hold 3 records"));

        /* A huge count must be refused before any allocation is sized by it. */
        memcpy(c, b, len);
        v = htole32(0xffffffffu);
        memcpy(c + 12, &v, 4);
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);

        assert_int_equal(eksauth_replay_parse(b, len - 1, &r, &err), EKSAUTH_EINVAL);
        assert_int_equal(eksauth_replay_parse(b, 7, &r, &err), EKSAUTH_EINVAL);

        /* Out of order: swap the two hashes. */
        memcpy(c, b, len);
        memcpy(c + 16, b + 56, 32);
        memcpy(c + 56, b + 16, 32);
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);
        assert_non_null(strstr(err.msg, "out of order"));

        /* The same hash twice. */
        memcpy(c, b, len);
        memcpy(c + 56, b + 16, 32);
        assert_int_equal(eksauth_replay_parse(c, len, &r, &err), EKSAUTH_EINVAL);
    }
    free(bytes);
}

static void test_add_duplicate_and_prune(void **state)
{
    struct eksauth_replay *r = NULL;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN];
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_replay_new(&r, NULL), EKSAUTH_OK);
    hash_of(1, h);
    assert_int_equal(eksauth_replay_add(r, h, NOW + 100, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_add(r, h, NOW + 500, &err), EKSAUTH_EREJECTED);
    assert_string_equal(err.msg, "replay: this token was already used on this host");
    assert_int_equal(eksauth_replay_count(r), 1);
    hash_of(2, h);
    assert_int_equal(eksauth_replay_add(r, h, NOW + 200, NULL), EKSAUTH_OK);
    /* keep_until == now is still kept; before now goes. */
    assert_int_equal(eksauth_replay_prune(r, NOW + 100), 0);
    assert_int_equal(eksauth_replay_prune(r, NOW + 101), 1);
    assert_int_equal(eksauth_replay_count(r), 1);
    hash_of(1, h);
    assert_false(eksauth_replay_seen(r, h));
    hash_of(2, h);
    assert_true(eksauth_replay_seen(r, h));
    assert_int_equal(eksauth_replay_prune(r, NOW + 1000), 1);
    assert_int_equal(eksauth_replay_count(r), 0);
    eksauth_replay_free(r);
}

static void test_bounded(void **state)
{
    const size_t len =
        EKSAUTH_REPLAY_HEADER_SIZE + (size_t)EKSAUTH_REPLAY_MAX * EKSAUTH_REPLAY_RECORD_SIZE;
    struct eksauth_replay *r = NULL;
    unsigned char h[EKSAUTH_REPLAY_HASH_LEN], *b, *rec;
    struct eksauth_error err;
    uint32_t v;
    uint64_t t;
    unsigned i;

    (void)state;
    /* A full record, built as bytes (sorted: a big-endian counter leads each hash). */
    b = calloc(1, len + EKSAUTH_REPLAY_RECORD_SIZE);
    assert_non_null(b);
    memcpy(b, EKSAUTH_REPLAY_MAGIC, 8);
    v = htole32(EKSAUTH_REPLAY_VERSION);
    memcpy(b + 8, &v, 4);
    v = htole32(EKSAUTH_REPLAY_MAX);
    memcpy(b + 12, &v, 4);
    for (i = 0; i < EKSAUTH_REPLAY_MAX; i++) {
        rec = b + EKSAUTH_REPLAY_HEADER_SIZE + (size_t)i * EKSAUTH_REPLAY_RECORD_SIZE;
        v = htobe32(i + 1);
        memcpy(rec, &v, 4);
        t = htole64(NOW + (i % 2 == 0 ? 10 : 1000));
        memcpy(rec + 32, &t, 8);
    }
    assert_int_equal(eksauth_replay_parse(b, len, &r, NULL), EKSAUTH_OK);
    assert_int_equal(eksauth_replay_count(r), EKSAUTH_REPLAY_MAX);
    memset(h, 0, sizeof(h)); /* sorts first */
    /* Full of live tokens: refuse this principal's login, never forget a token. */
    assert_int_equal(eksauth_replay_add(r, h, NOW + 1000, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "this principal already has"));
    assert_int_equal(eksauth_replay_count(r), EKSAUTH_REPLAY_MAX);
    assert_int_equal(eksauth_replay_prune(r, NOW + 11), EKSAUTH_REPLAY_MAX / 2);
    assert_int_equal(eksauth_replay_add(r, h, NOW + 1000, NULL), EKSAUTH_OK);
    eksauth_replay_free(r);
    /* One record more than the bound is refused by the parser too. */
    v = htole32(EKSAUTH_REPLAY_MAX + 1);
    memcpy(b + 12, &v, 4);
    assert_int_equal(eksauth_replay_parse(b, len + EKSAUTH_REPLAY_RECORD_SIZE, &r, NULL),
                     EKSAUTH_EINVAL);
    free(b);
}

static void test_path(void **state)
{
    char a[128], b[128], c[128];

    (void)state;
    /* One record per principal, named by a hash of its ARN, whatever its case. */
    assert_int_equal(eksauth_replay_path("/var/lib/eksauth/replay",
                                         "arn:aws:iam::123456789012:role/Admin", a, sizeof(a),
                                         NULL),
                     EKSAUTH_OK);
    assert_int_equal(strncmp(a, "/var/lib/eksauth/replay/", 24), 0);
    assert_int_equal(strlen(a), 24 + 16 + 3);
    assert_string_equal(a + strlen(a) - 3, ".db");
    assert_int_equal(eksauth_replay_path("/var/lib/eksauth/replay",
                                         "ARN:AWS:IAM::123456789012:ROLE/ADMIN", b, sizeof(b),
                                         NULL),
                     EKSAUTH_OK);
    assert_string_equal(a, b);
    assert_int_equal(eksauth_replay_path("/var/lib/eksauth/replay",
                                         "arn:aws:iam::123456789012:role/Dev", c, sizeof(c), NULL),
                     EKSAUTH_OK);
    assert_string_not_equal(a, c);
    assert_int_equal(eksauth_replay_path("/x", "arn:aws:iam::1:role/a", a, 8, NULL),
                     EKSAUTH_EINVAL);
}

/*
 * The record's name lower-cases the ARN by ASCII's rules, in every locale:
 * under a Turkish one the C library lower-cases "I" to a dotless i, and a
 * token used through sshd (C locale) and again through su or sudo (the
 * user's locale) would find two records and pass single_use twice.
 */
static void test_path_same_in_every_locale(void **state)
{
    const char *arn = "arn:aws:iam::123456789012:role/Infra-Admins";
    char c_locale[128], turkish[128], dir[SCRATCH_DIR_MAX];

    (void)state;
    assert_int_equal(eksauth_replay_path("/r", arn, c_locale, sizeof(c_locale), NULL), EKSAUTH_OK);
    turkish_locale_enter(dir, sizeof(dir));
    assert_int_equal(eksauth_replay_path("/r", arn, turkish, sizeof(turkish), NULL), EKSAUTH_OK);
    turkish_locale_leave(dir);
    assert_string_equal(c_locale, turkish);
}

/* ---- the file ---- */

static void test_claim_once(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err;
    struct stat st;

    assert_int_equal(eksauth_replay_claim(fx->path, SIG_A, 64, NOW + 600, NOW, &err), EKSAUTH_OK);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, EKSAUTH_REPLAY_HEADER_SIZE + EKSAUTH_REPLAY_RECORD_SIZE);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_A, 64, NOW + 600, NOW + 1, &err),
                     EKSAUTH_EREJECTED);
    assert_string_equal(err.msg, "replay: this token was already used on this host");
    assert_null(strstr(err.msg, SIG_A));
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW + 2, &err),
                     EKSAUTH_OK);
    /* Kept until expiry + margin, then pruned by a later claim. */
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_A, 64, NOW + 600,
                                          NOW + 600 + EKSAUTH_REPLAY_MARGIN, &err),
                     EKSAUTH_EREJECTED);
    /* What a claimer killed before its rename leaves: the next claim removes it. */
    {
        char stale[192];

        snprintf(stale, sizeof(stale), "%s.tmp.KiLLed", fx->path);
        write_bytes(stale, "x", 1, 0600);
        assert_int_equal(stray_files(fx), 1);
    }
    assert_int_equal(eksauth_replay_claim(fx->path, "other", 5, NOW + 5000,
                                          NOW + 601 + EKSAUTH_REPLAY_MARGIN, &err),
                     EKSAUTH_OK);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_size, EKSAUTH_REPLAY_HEADER_SIZE + EKSAUTH_REPLAY_RECORD_SIZE);
    assert_int_equal(stray_files(fx), 0);
}

static void test_claim_fails_closed(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err;
    char link[160], other[160];
    struct stat st;

    /* A record others may read or write. */
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_A, 64, NOW + 600, NOW, &err), EKSAUTH_OK);
    assert_int_equal(chmod(fx->path, 0644), 0);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW, &err),
                     EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "mode 0600"));
    assert_int_equal(chmod(fx->path, 0600), 0);

    /* A corrupt record: refused, and left as it is for the admin to see. */
    write_bytes(fx->path, "garbage!garbage!garbage!", 24, 0600);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW, &err),
                     EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, fx->path));
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_size, 24);
    unlink(fx->path);

    /* The record as a symlink to a file of the attacker's choosing. */
    snprintf(other, sizeof(other), "%s/elsewhere", fx->dir);
    write_bytes(other, "", 0, 0600);
    assert_int_equal(symlink(other, fx->path), 0);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW, &err),
                     EKSAUTH_EUNAVAIL);
    unlink(fx->path);
    unlink(other);

    /* The lock file as a symlink. */
    snprintf(link, sizeof(link), "%s.lock", fx->path);
    unlink(link);
    assert_int_equal(symlink("/nonexistent-eksauth-lock", link), 0);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW, &err),
                     EKSAUTH_EUNAVAIL);
    unlink(link);

    /* A folder others can write (they could swap the record). */
    assert_int_equal(chmod(fx->dir, 0777), 0);
    assert_int_equal(eksauth_replay_claim(fx->path, SIG_B, 64, NOW + 600, NOW, &err),
                     EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "folder"));
    assert_int_equal(chmod(fx->dir, 0700), 0);

    /* A folder that is not there. */
    assert_int_equal(
        eksauth_replay_claim("/nonexistent-eksauth/replay.db", SIG_B, 64, NOW + 600, NOW, &err),
        EKSAUTH_EUNAVAIL);
    /* No signature, no path. */
    assert_int_equal(eksauth_replay_claim(fx->path, "", 0, NOW + 600, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_replay_claim(NULL, SIG_B, 64, NOW + 600, NOW, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(stray_files(fx), 0);
}

/*
 * The record's folder as a link to a real folder of the caller's (where
 * others may write the DB's sticky folder, anyone can make "replay" a link
 * before root makes it): refused, naming the folder and the link, and
 * nothing is written where it points (no record, no lock).  Followed, the
 * first claim would pass and a re-pointed link would bring the token back.
 */
static void test_claim_refuses_a_linked_folder(void **state)
{
    struct scratch *fx = *state;
    struct eksauth_error err;
    char real[160], link[160], path[200], want[256];

    snprintf(real, sizeof(real), "%s/elsewhere", fx->dir);
    snprintf(link, sizeof(link), "%s/replay", fx->dir);
    snprintf(path, sizeof(path), "%s/replay.db", link);
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(eksauth_replay_claim(path, SIG_A, 64, NOW + 600, NOW, &err), EKSAUTH_EUNAVAIL);
    snprintf(want, sizeof(want), "replay: %s: is a symbolic link; the folder must be a real folder",
             link);
    if (strstr(err.msg, want) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    assert_int_equal(unlink(link), 0);
    assert_int_equal(rmdir(real), 0); /* empty: no record, no lock was made there */

    /* A file where the folder should be: named as such. */
    write_bytes(link, "", 0, 0600);
    assert_int_equal(eksauth_replay_claim(path, SIG_A, 64, NOW + 600, NOW, &err), EKSAUTH_EUNAVAIL);
    snprintf(want, sizeof(want), "replay: %s: is not a folder", link);
    if (strstr(err.msg, want) == NULL)
        fail_msg("\"%s\" does not say \"%s\"", err.msg, want);
    assert_int_equal(unlink(link), 0);

    /* The real folder itself, the caller's and private: taken. */
    assert_int_equal(mkdir(link, 0700), 0);
    assert_int_equal(eksauth_replay_claim(path, SIG_A, 64, NOW + 600, NOW, &err), EKSAUTH_OK);
}

/* N processes wait on a pipe, then claim sig at once; returns how many won. */
static int race(const struct scratch *fx, int n, bool same_sig)
{
    int go[2], i, status, won = 0, lost = 0;
    pid_t pids[64];
    char sig[80];

    assert_true(n <= 64);
    assert_int_equal(pipe(go), 0);
    for (i = 0; i < n; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            char c;
            enum eksauth_status st;

            close(go[1]);
            if (read(go[0], &c, 1) < 0)
                _exit(9);
            snprintf(sig, sizeof(sig), "%s-%d", SIG_A, same_sig ? 0 : i);
            st = eksauth_replay_claim(fx->path, sig, strlen(sig), NOW + 600, NOW, NULL);
            _exit(st == EKSAUTH_OK ? 0 : st == EKSAUTH_EREJECTED ? 1 : 2);
        }
    }
    close(go[0]);
    close(go[1]); /* EOF releases them all at once */
    for (i = 0; i < n; i++) {
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 0)
            won++;
        else if (WEXITSTATUS(status) == 1)
            lost++;
    }
    assert_int_equal(won + lost, n); /* no claim failed for another reason */
    return won;
}

static void test_concurrent_claims(void **state)
{
    struct scratch *fx = *state;
    struct stat st;
    int round;

    for (round = 0; round < 5; round++) {
        unlink(fx->path);
        assert_int_equal(race(fx, 32, true), 1);
    }
    unlink(fx->path);
    /* Distinct tokens concurrently: every one recorded, none lost. */
    assert_int_equal(race(fx, 32, false), 32);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_size, EKSAUTH_REPLAY_HEADER_SIZE + 32 * EKSAUTH_REPLAY_RECORD_SIZE);
    assert_int_equal(race(fx, 32, false), 0); /* and all of them are now used */
    assert_int_equal(stray_files(fx), 0);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_hash_is_sha256), cmocka_unit_test(test_round_trip),
                  cmocka_unit_test(test_parse_refusals),
                  cmocka_unit_test(test_add_duplicate_and_prune), cmocka_unit_test(test_bounded),
                  cmocka_unit_test(test_path), cmocka_unit_test(test_path_same_in_every_locale),
                  cmocka_unit_test_setup_teardown(test_claim_once, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_claim_fails_closed, setup, teardown),
                  cmocka_unit_test_setup_teardown(test_claim_refuses_a_linked_folder, setup,
                                                  teardown),
                  cmocka_unit_test_setup_teardown(test_concurrent_claims, setup, teardown))
