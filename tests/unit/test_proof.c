/*
 * test_proof.c - lib/proof.c: the token proof of the account stage, made
 * and checked (login, age, key, tampering), and its key file (private,
 * made once, refused when others can read it).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "eksauth/paths.h"
#include "eksauth/proof.h"
#include "unit.h"

static const unsigned char KEY[EKSAUTH_PROOF_KEY_LEN] = "0123456789abcdef0123456789abcde";
static const unsigned char OTHER[EKSAUTH_PROOF_KEY_LEN] = "fedcba9876543210fedcba987654321";

static void test_made_and_checked(void **state)
{
    struct eksauth_error err;
    char proof[EKSAUTH_PROOF_MAX];

    (void)state;
    assert_int_equal(eksauth_proof_make(KEY, "admin-alice", 1000, proof, sizeof(proof), &err),
                     EKSAUTH_OK);
    assert_true(strncmp(proof, "admin-alice:1000:", 17) == 0);
    assert_int_equal(strlen(proof), 17 + 64);
    assert_int_equal(eksauth_proof_check(KEY, proof, "admin-alice", 1010, 600, &err), EKSAUTH_OK);
    /* Another login, another host's key, too old, from the future: refused. */
    assert_int_equal(eksauth_proof_check(KEY, proof, "admin-bob", 1010, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_proof_check(KEY, proof, "admin-alic", 1010, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_proof_check(OTHER, proof, "admin-alice", 1010, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "not this host's"));
    assert_int_equal(eksauth_proof_check(KEY, proof, "admin-alice", 1601, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "stale"));
    assert_int_equal(eksauth_proof_check(KEY, proof, "admin-alice", 900, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_proof_check(KEY, NULL, "admin-alice", 1010, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "no token"));
}

static void test_tampering(void **state)
{
    struct eksauth_error err;
    char proof[EKSAUTH_PROOF_MAX], forged[EKSAUTH_PROOF_MAX];

    (void)state;
    assert_int_equal(eksauth_proof_make(KEY, "dev-bob", 5000, proof, sizeof(proof), &err),
                     EKSAUTH_OK);
    /* A later time with the old MAC: the MAC covers the time. */
    snprintf(forged, sizeof(forged), "dev-bob:5500:%s", proof + strlen("dev-bob:5000:"));
    assert_int_equal(eksauth_proof_check(KEY, forged, "dev-bob", 5501, 600, &err),
                     EKSAUTH_EREJECTED);
    /* One flipped digit of the MAC. */
    snprintf(forged, sizeof(forged), "%s", proof);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
    assert_int_equal(eksauth_proof_check(KEY, forged, "dev-bob", 5001, 600, &err),
                     EKSAUTH_EREJECTED);
    /* Cut short, or no time. */
    proof[strlen(proof) - 2] = '\0';
    assert_int_equal(eksauth_proof_check(KEY, proof, "dev-bob", 5001, 600, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(eksauth_proof_check(KEY, "dev-bob::abc", "dev-bob", 5001, 600, &err),
                     EKSAUTH_EREJECTED);
    /* A login with ':' could fake the split: none is made. */
    assert_int_equal(eksauth_proof_make(KEY, "a:b", 1, proof, sizeof(proof), &err), EKSAUTH_EINVAL);
}

static void test_key_file(void **state)
{
    unsigned char k1[EKSAUTH_PROOF_KEY_LEN], k2[EKSAUTH_PROOF_KEY_LEN];
    struct eksauth_paths paths;
    struct eksauth_error err;
    char dir[SCRATCH_DIR_MAX];
    struct stat st;

    (void)state;
    scratch_make(dir, sizeof(dir), "proof");
    memset(&paths, 0, sizeof(paths));
    snprintf(paths.proof_key, sizeof(paths.proof_key), "%s/proof.key", dir);
    /* Not made unless asked. */
    assert_int_equal(eksauth_proof_key(&paths, false, k1, &err), EKSAUTH_EUNAVAIL);
    assert_int_equal(eksauth_proof_key(&paths, true, k1, &err), EKSAUTH_OK);
    assert_int_equal(stat(paths.proof_key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, EKSAUTH_PROOF_KEY_LEN);
    /* Made once: the second caller reads the same key. */
    assert_int_equal(eksauth_proof_key(&paths, true, k2, &err), EKSAUTH_OK);
    assert_memory_equal(k1, k2, sizeof(k1));
    /* A key others can read forges proofs: refused. */
    assert_int_equal(chmod(paths.proof_key, 0644), 0);
    assert_int_equal(eksauth_proof_key(&paths, false, k2, &err), EKSAUTH_EUNAVAIL);
    assert_non_null(strstr(err.msg, "private"));
    assert_int_equal(unlink(paths.proof_key), 0);
    /* Made whole, aside, under its lock (test_key_made_once_by_many): nothing else is left. */
    snprintf(paths.proof_key, sizeof(paths.proof_key), "%s/proof.key.lock", dir);
    assert_int_equal(unlink(paths.proof_key), 0);
    assert_int_equal(rmdir(dir), 0);
}

/*
 * The first logins of a host, at once: each gets the one key, none a key
 * file another is still writing (which reads as a broken key, and the
 * login's account stage then refuses).  MAKERS processes start together
 * on a fresh folder, ROUNDS times; each child's exit code says whether it
 * read a key and which (its first byte's low bits; equal keys agree).
 */
#define MAKERS 16
#define ROUNDS 40

static int make_in_child(const struct eksauth_paths *paths, int go)
{
    unsigned char key[EKSAUTH_PROOF_KEY_LEN];
    struct eksauth_error err;
    char c;

    if (read(go, &c, 1) < 0)
        _exit(2);
    if (eksauth_proof_key(paths, true, key, &err) != EKSAUTH_OK)
        _exit(1);
    _exit(100 + (key[0] & 63));
}

static void test_key_made_once_by_many(void **state)
{
    unsigned char key[EKSAUTH_PROOF_KEY_LEN];
    struct eksauth_paths paths;
    struct eksauth_error err;
    char dir[SCRATCH_DIR_MAX];
    int round, i, status[MAKERS], go[2], failed = 0, other = 0;

    (void)state;
    for (round = 0; round < ROUNDS; round++) {
        scratch_make(dir, sizeof(dir), "proofrace");
        memset(&paths, 0, sizeof(paths));
        snprintf(paths.proof_key, sizeof(paths.proof_key), "%s/proof.key", dir);
        assert_int_equal(pipe(go), 0);
        for (i = 0; i < MAKERS; i++) {
            pid_t pid = fork();

            assert_true(pid >= 0);
            if (pid == 0) {
                close(go[1]);
                make_in_child(&paths, go[0]);
            }
        }
        close(go[0]);
        close(go[1]); /* every child's read returns: they start together */
        for (i = 0; i < MAKERS; i++)
            assert_true(wait(&status[i]) > 0);
        /* The key now is whole, and the one every child read. */
        assert_int_equal(eksauth_proof_key(&paths, false, key, &err), EKSAUTH_OK);
        for (i = 0; i < MAKERS; i++) {
            if (!WIFEXITED(status[i]) || WEXITSTATUS(status[i]) < 100)
                failed++;
            else if (WEXITSTATUS(status[i]) != 100 + (key[0] & 63))
                other++;
        }
        scratch_remove(dir);
    }
    assert_int_equal(other, 0);
    assert_int_equal(failed, 0);
}

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_made_and_checked), cmocka_unit_test(test_tampering),
                  cmocka_unit_test(test_key_file), cmocka_unit_test(test_key_made_once_by_many))
