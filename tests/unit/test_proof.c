/*
 * test_proof.c - lib/proof.c: the token proof of the later stages, made
 * and checked (login, age, key, the identity and fingerprint it vouches
 * for, tampering), and its key file (private, made once, refused when
 * others can read it).
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

/* The identity a proof vouches for (pam_eksauth: its EKS_* values, in its order). */
static const char *const ALICE[] = {"admin:alice", "system:masters",
                                    "arn:aws:sts::111122223333:assumed-role/eks-admins/alice"};
#define N_ALICE (sizeof(ALICE) / sizeof(ALICE[0]))

/* eksauth_proof_check with the usual age (600 s), for a case that wants only its status. */
static enum eksauth_status check(const unsigned char *key, const char *proof, const char *login,
                                 const char *const *identity, size_t n, time_t now,
                                 struct eksauth_error *err)
{
    char fp[EKSAUTH_FINGERPRINT_LEN + 1];

    return eksauth_proof_check(key, proof, login, identity, n, now, 600, fp, err);
}

static void test_made_and_checked(void **state)
{
    struct eksauth_error err;
    char proof[EKSAUTH_PROOF_MAX], fp[EKSAUTH_FINGERPRINT_LEN + 1] = "";

    (void)state;
    assert_int_equal(eksauth_proof_make(KEY, "admin-alice", "1a2b3c4d", ALICE, N_ALICE, 1000, proof,
                                        sizeof(proof), &err),
                     EKSAUTH_OK);
    assert_true(strncmp(proof, "admin-alice:1000:1a2b3c4d:", 26) == 0);
    assert_int_equal(strlen(proof), 26 + 64);
    assert_int_equal(
        eksauth_proof_check(KEY, proof, "admin-alice", ALICE, N_ALICE, 1010, 600, fp, &err),
        EKSAUTH_OK);
    /* What the session's audit lines name as the token. */
    assert_string_equal(fp, "1a2b3c4d");
    /* Another login, another host's key, too old, from the future: refused. */
    assert_int_equal(check(KEY, proof, "admin-bob", ALICE, N_ALICE, 1010, &err), EKSAUTH_EREJECTED);
    assert_int_equal(check(KEY, proof, "admin-alic", ALICE, N_ALICE, 1010, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(check(OTHER, proof, "admin-alice", ALICE, N_ALICE, 1010, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "not this host's"));
    assert_int_equal(check(KEY, proof, "admin-alice", ALICE, N_ALICE, 1601, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "stale"));
    assert_int_equal(check(KEY, proof, "admin-alice", ALICE, N_ALICE, 900, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(check(KEY, NULL, "admin-alice", ALICE, N_ALICE, 1010, &err),
                     EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "no token"));
}

/*
 * The proof names the identity beside it: EKS_* that a user's
 * ~/.pam_environment (pam_env) set, one value changed, a value missing, or
 * bytes moved from one value to the next, do not pass with a real proof.
 */
static void test_identity_bound(void **state)
{
    const char *forged[] = {"admin:alice", "system:masters",
                            "arn:aws:sts::111122223333:assumed-role/eks-admins/mallory"};
    const char *moved[] = {"admin:alicesystem:masters", "",
                           "arn:aws:sts::111122223333:assumed-role/eks-admins/alice"};
    const char *missing[] = {"admin:alice", NULL,
                             "arn:aws:sts::111122223333:assumed-role/eks-admins/alice"};
    char proof[EKSAUTH_PROOF_MAX], fp[EKSAUTH_FINGERPRINT_LEN + 1] = "";
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_proof_make(KEY, "admin-alice", "1a2b3c4d", ALICE, N_ALICE, 1000, proof,
                                        sizeof(proof), &err),
                     EKSAUTH_OK);
    assert_int_equal(
        eksauth_proof_check(KEY, proof, "admin-alice", forged, N_ALICE, 1010, 600, fp, &err),
        EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "not for the identity beside it"));
    /* Nothing of a refused proof reaches the caller. */
    assert_string_equal(fp, "");
    assert_int_equal(check(KEY, proof, "admin-alice", moved, N_ALICE, 1010, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(check(KEY, proof, "admin-alice", missing, N_ALICE, 1010, &err),
                     EKSAUTH_EREJECTED);
    assert_int_equal(check(KEY, proof, "admin-alice", ALICE, N_ALICE - 1, 1010, &err),
                     EKSAUTH_EREJECTED);
    /* A value that is not there cannot be vouched for. */
    assert_int_equal(eksauth_proof_make(KEY, "admin-alice", "1a2b3c4d", missing, N_ALICE, 1000,
                                        proof, sizeof(proof), &err),
                     EKSAUTH_EINVAL);
}

/* proof with its fingerprint and the rest (":mac") put after prefix. */
static void reshape(char *out, size_t outlen, const char *proof, const char *prefix)
{
    snprintf(out, outlen, "%s%s", prefix, strrchr(proof, ':'));
}

static void test_tampering(void **state)
{
    char proof[EKSAUTH_PROOF_MAX], forged[EKSAUTH_PROOF_MAX];
    struct eksauth_error err;

    (void)state;
    assert_int_equal(eksauth_proof_make(KEY, "dev-bob", "00ff00ff", ALICE, N_ALICE, 5000, proof,
                                        sizeof(proof), &err),
                     EKSAUTH_OK);
    /* A later time with the old MAC: the MAC covers the time. */
    reshape(forged, sizeof(forged), proof, "dev-bob:5500:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5501, &err), EKSAUTH_EREJECTED);
    /* The same time spelt otherwise: the MAC passes the one proof string it was made for. */
    reshape(forged, sizeof(forged), proof, "dev-bob: 5000:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    reshape(forged, sizeof(forged), proof, "dev-bob:+5000:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    reshape(forged, sizeof(forged), proof, "dev-bob:05000:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    reshape(forged, sizeof(forged), proof, "dev-bob:5000:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_OK);
    /* A time longer than any time: malformed, never copied. */
    reshape(forged, sizeof(forged), proof, "dev-bob:0000000000000000000000000005000:00ff00ff");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "malformed"));
    /* Another token's fingerprint with the old MAC: the MAC covers it too. */
    reshape(forged, sizeof(forged), proof, "dev-bob:5000:1a2b3c4d");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "not this host's"));
    /* One flipped digit of the MAC. */
    snprintf(forged, sizeof(forged), "%s", proof);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == '0' ? '1' : '0';
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    /* No fingerprint, one too short, one not lower-case hex. */
    reshape(forged, sizeof(forged), proof, "dev-bob:5000");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "malformed"));
    reshape(forged, sizeof(forged), proof, "dev-bob:5000:00ff00f");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "malformed"));
    reshape(forged, sizeof(forged), proof, "dev-bob:5000:00FF00FF");
    assert_int_equal(check(KEY, forged, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_non_null(strstr(err.msg, "malformed"));
    /* Cut short, or no time. */
    proof[strlen(proof) - 2] = '\0';
    assert_int_equal(check(KEY, proof, "dev-bob", ALICE, N_ALICE, 5001, &err), EKSAUTH_EREJECTED);
    assert_int_equal(check(KEY, "dev-bob::abc", "dev-bob", ALICE, N_ALICE, 5001, &err),
                     EKSAUTH_EREJECTED);
    /* A login with ':' could fake the split, and so could a fingerprint that is not one. */
    assert_int_equal(
        eksauth_proof_make(KEY, "a:b", "00ff00ff", ALICE, N_ALICE, 1, proof, sizeof(proof), &err),
        EKSAUTH_EINVAL);
    assert_int_equal(eksauth_proof_make(KEY, "dev-bob", "00ff:0ff", ALICE, N_ALICE, 1, proof,
                                        sizeof(proof), &err),
                     EKSAUTH_EINVAL);
    assert_int_equal(
        eksauth_proof_make(KEY, "dev-bob", "-", ALICE, N_ALICE, 1, proof, sizeof(proof), &err),
        EKSAUTH_EINVAL);
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

EKSAUTH_UNIT_MAIN(cmocka_unit_test(test_made_and_checked), cmocka_unit_test(test_identity_bound),
                  cmocka_unit_test(test_tampering), cmocka_unit_test(test_key_file),
                  cmocka_unit_test(test_key_made_once_by_many))
