/*
 * bench_token.c - row 1 of `make bench`: the local checks of one assumed-role
 * token (eksauth_token_check: base64url, URL and query parse, every rule) vs
 * base64url-decoding the same token alone (bench/README.md's target: <= 3x).
 *
 * The token is minted here with the project's own signer (the code behind
 * `eksauth token`), from fixed fake credentials with a 900-character session
 * token (an assumed-role token of about 1.8 KB), at a fixed time; the checks
 * run with the clock frozen 10 s later, so it is always valid.
 *
 *   bench_token             interleaved CPU-time medians; prints a ROW line
 *   bench_token check N     N checks in run_loop() (for callgrind)
 *   bench_token decode N    N decodes in run_loop() (for callgrind)
 *
 * run.sh runs the last two under valgrind --tool=callgrind
 * --toggle-collect=run_loop: instructions per token, repeatable on a noisy box.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eksauth/base64url.h"
#include "eksauth/creds.h"
#include "eksauth/sigv4.h"
#include "eksauth/token.h"

#include "common.h"

#define SIGNED_AT   ((time_t)1764480000) /* 2025-11-30T05:20:00Z */
#define ROUNDS      15
#define PER_ROUND   2000
#define SESSION_LEN 900

struct bench {
    char token[EKSAUTH_SIGV4_TOKEN_MAX];
    size_t len;
    struct eksauth_token tok;
    unsigned char url[EKSAUTH_TOKEN_MAX_LEN];
};

/* A fixed, token-shaped session token: base64 characters, '+', '/' and '=' included. */
static void fake_session_token(char *out, size_t len)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned long x = 12345;
    size_t i;

    for (i = 0; i + 1 < len; i++) {
        x = x * 6364136223846793005ul + 1442695040888963407ul;
        out[i] = alphabet[(x >> 33) % 64];
    }
    out[len - 1] = '=';
    out[len] = '\0';
}

static int mint(struct bench *b)
{
    static char session[SESSION_LEN + 1];
    struct eksauth_creds creds;
    struct eksauth_sts_presign req;
    struct eksauth_error err = {0};

    fake_session_token(session, SESSION_LEN);
    memset(&creds, 0, sizeof(creds));
    creds.access_key_id = "ASIAFAKEBENCH0000001";
    creds.secret_access_key = "benchSecret/with+chars/0123456789abcdefghij";
    creds.session_token = session;
    memset(&req, 0, sizeof(req));
    req.host = "sts.us-east-1.amazonaws.com";
    req.region = "us-east-1";
    req.cluster_id = "bench-cluster";
    req.now = SIGNED_AT;
    req.expires = EKSAUTH_SIGV4_EXPIRES;
    if (eksauth_sigv4_sts_token(&creds, &req, b->token, sizeof(b->token), &b->len, &err) !=
        EKSAUTH_OK) {
        fprintf(stderr, "bench_token: mint: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int check_once(struct bench *b)
{
    struct eksauth_error err;

    if (eksauth_token_check(b->token, b->len, SIGNED_AT + 10, NULL, &b->tok, &err) != EKSAUTH_OK) {
        fprintf(stderr, "bench_token: check: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* The baseline: the same base64url decoding that the check starts with, and nothing else. */
static int decode_once(struct bench *b)
{
    struct eksauth_error err;
    size_t n;

    if (eksauth_b64url_decode(b->token + 11, b->len - 11, b->url, sizeof(b->url), &n, &err) !=
        EKSAUTH_OK) {
        fprintf(stderr, "bench_token: decode: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* What callgrind counts (--toggle-collect=run_loop): n checks or n decodes, nothing else. */
__attribute__((noinline)) static int run_loop(struct bench *b, int check, long n)
{
    long i;
    int rc = 0;

    for (i = 0; i < n && rc == 0; i++)
        rc = check ? check_once(b) : decode_once(b);
    return rc;
}

int main(int argc, char **argv)
{
    static struct bench b;
    double chk[ROUNDS], dec[ROUNDS], t0, cm, dm;
    int r, rc = 1;

    if (mint(&b) != 0 || check_once(&b) != 0 || decode_once(&b) != 0)
        goto out;
    if (argc == 3) {
        long n = strtol(argv[2], NULL, 10);

        if (n <= 0 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "decode") != 0)) {
            fprintf(stderr, "usage: bench_token [check|decode N]\n");
            rc = 2;
            goto out;
        }
        rc = run_loop(&b, strcmp(argv[1], "check") == 0, n) == 0 ? 0 : 1;
        goto out;
    }
    /* Interleaved rounds: both see the same caches, clock and neighbours. */
    for (r = 0; r < ROUNDS; r++) {
        t0 = bench_cpu_ns();
        if (run_loop(&b, 0, PER_ROUND) != 0)
            goto out;
        dec[r] = (bench_cpu_ns() - t0) / PER_ROUND;
        t0 = bench_cpu_ns();
        if (run_loop(&b, 1, PER_ROUND) != 0)
            goto out;
        chk[r] = (bench_cpu_ns() - t0) / PER_ROUND;
    }
    cm = bench_median(chk, ROUNDS);
    dm = bench_median(dec, ROUNDS);
    printf("# token: %zu bytes (assumed-role, %d-character session token)\n", b.len, SESSION_LEN);
    bench_row("1", "token check, ns/token (CPU time)", cm, dm, "<= 3x", cm / dm <= 3.0, 0);
    rc = 0;
out:
    eksauth_token_wipe(&b.tok);
    return rc;
}
