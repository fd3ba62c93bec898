/*
 * test_tls_resume.c - lib/tls_resume.c: the STS call's TLS session kept in a
 * root-only file.  The file's format, the key that binds a session to a
 * route and its CAs, and the rules that decide whether a file is read: its
 * owner, mode and folder, a symlink, its age, TLS 1.3 only, root only.
 * tests/integration/tls_resume.sh resumes real handshakes.
 */
#include "config.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/ssl.h>

#include "eksauth/curl_api.h"
#include "eksauth/tls_resume.h"
#include "scratch.h"
#include "unit.h"

#define NOW ((time_t)1700000000)

static const struct eksauth_tls_resume_scope base_scope = {
    "sts.us-east-1.amazonaws.com",
    "sts.us-east-1.amazonaws.com:443:127.0.0.1:8443",
    NULL,
    NULL,
    0,
    {NULL, NULL}};

static void key_of(const struct eksauth_tls_resume_scope *scope, unsigned char *key)
{
    assert_true(eksauth_tls_resume_key(scope, key));
}

static bool same_key(const struct eksauth_tls_resume_scope *a,
                     const struct eksauth_tls_resume_scope *b)
{
    unsigned char ka[SHA256_DIGEST_LENGTH], kb[SHA256_DIGEST_LENGTH];

    key_of(a, ka);
    key_of(b, kb);
    return memcmp(ka, kb, sizeof(ka)) == 0;
}

static void test_key_binds_route_and_cas(void **state)
{
    struct eksauth_tls_resume_scope s = base_scope;
    const char pem_a[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    const char pem_b[] = "-----BEGIN CERTIFICATE-----\nAAAB\n-----END CERTIFICATE-----\n";
    char dir[SCRATCH_DIR_MAX], ca[128];
    struct timespec times[2] = {{0, UTIME_OMIT}, {1000, 0}};
    FILE *f;

    (void)state;
    assert_true(same_key(&base_scope, &s));
    s.host = "sts.us-west-2.amazonaws.com";
    assert_false(same_key(&base_scope, &s));
    s = base_scope;
    s.connect_to = "sts.us-east-1.amazonaws.com:443:localhost:8443";
    assert_false(same_key(&base_scope, &s));
    s = base_scope;
    s.proxy = "http://proxy:3128";
    assert_false(same_key(&base_scope, &s));
    /* Parts are length-prefixed: moving a byte from one part to the next is another key. */
    {
        struct eksauth_tls_resume_scope a = {"ab", "c", NULL, NULL, 0, {NULL, NULL}};
        struct eksauth_tls_resume_scope b = {"a", "bc", NULL, NULL, 0, {NULL, NULL}};

        assert_false(same_key(&a, &b));
    }
    /* CAs in memory: by their content. */
    s = base_scope;
    s.ca_pem = pem_a;
    s.ca_pem_len = sizeof(pem_a) - 1;
    assert_false(same_key(&base_scope, &s));
    {
        struct eksauth_tls_resume_scope t = s;

        t.ca_pem = pem_b;
        assert_false(same_key(&s, &t));
    }
    /* A CA file: by its path and identity; a new modification time is another key. */
    scratch_make(dir, sizeof(dir), "tls-resume-key");
    snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
    assert_non_null(f = fopen(ca, "w"));
    assert_int_equal(fputs(pem_a, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    s = base_scope;
    s.ca_paths[0] = ca;
    {
        struct eksauth_tls_resume_scope t = s;
        unsigned char before[SHA256_DIGEST_LENGTH], after[SHA256_DIGEST_LENGTH];

        assert_false(same_key(&base_scope, &s));
        assert_true(same_key(&s, &t));
        key_of(&s, before);
        assert_int_equal(utimensat(AT_FDCWD, ca, times, 0), 0);
        key_of(&s, after);
        assert_memory_not_equal(before, after, sizeof(before));
    }
    scratch_remove(dir);
}

static void test_encode_decode(void **state)
{
    unsigned char key[SHA256_DIGEST_LENGTH], other[SHA256_DIGEST_LENGTH];
    unsigned char der[300], buf[1024];
    const unsigned char *got;
    const char *why = NULL;
    size_t len, der_len = 99;

    (void)state;
    key_of(&base_scope, key);
    memcpy(other, key, sizeof(other));
    other[0] ^= 1;
    memset(der, 0xa5, sizeof(der));
    len = eksauth_tls_resume_encode(key, NOW - 10, der, sizeof(der), buf, sizeof(buf));
    assert_true(len > sizeof(der));
    assert_memory_equal(buf, "eksauth-tls-session 1\nkey ", 26);
    got = eksauth_tls_resume_decode(buf, len, key, NOW, &der_len, &why);
    assert_non_null(got);
    assert_int_equal(der_len, sizeof(der));
    assert_memory_equal(got, der, sizeof(der));
    assert_string_equal(why, "");

    /* Another route or other CAs. */
    assert_null(eksauth_tls_resume_decode(buf, len, other, NOW, &der_len, &why));
    assert_string_equal(why, "made for another server or other CAs");
    assert_int_equal(der_len, 0);
    /* The hour: at the limit still, one second past it not; nor a time after now. */
    assert_non_null(eksauth_tls_resume_decode(buf, len, key, NOW - 10 + EKSAUTH_TLS_RESUME_MAX_AGE,
                                              &der_len, &why));
    assert_null(eksauth_tls_resume_decode(buf, len, key, NOW - 9 + EKSAUTH_TLS_RESUME_MAX_AGE,
                                          &der_len, &why));
    assert_string_equal(why, "too old");
    assert_null(eksauth_tls_resume_decode(buf, len, key, NOW - 11, &der_len, &why));
    assert_string_equal(why, "dated in the future");
    /* Cut short, or with bytes after the session: the length must be exact. */
    assert_null(eksauth_tls_resume_decode(buf, len - 1, key, NOW, &der_len, &why));
    assert_string_equal(why, "malformed (session length)");
    buf[len] = 0;
    assert_null(eksauth_tls_resume_decode(buf, len + 1, key, NOW, &der_len, &why));
    /* Not a session file at all. */
    assert_null(
        eksauth_tls_resume_decode((const unsigned char *)"hello\n", 6, key, NOW, &der_len, &why));
    assert_string_equal(why, "not an eksauth TLS session file");
    {
        const char *bad = "eksauth-tls-session 1\nkey ";
        char text[512];
        char hex[2 * SHA256_DIGEST_LENGTH + 1];
        size_t i;

        for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
            snprintf(hex + 2 * i, 3, "%02x", key[i]);
        snprintf(text, sizeof(text), "%s%s\nverified -5\nder 1\nx", bad, hex);
        assert_null(eksauth_tls_resume_decode((const unsigned char *)text, strlen(text), key, NOW,
                                              &der_len, &why));
        assert_string_equal(why, "malformed");
        snprintf(text, sizeof(text), "%s%s\nverified %ld\nder 0\n", bad, hex, (long)NOW);
        assert_null(eksauth_tls_resume_decode((const unsigned char *)text, strlen(text), key, NOW,
                                              &der_len, &why));
        assert_string_equal(why, "malformed (session length)");
    }
    /* Encoding refuses what would not fit, an empty or a huge session. */
    assert_int_equal(eksauth_tls_resume_encode(key, NOW, der, sizeof(der), buf, 100), 0);
    assert_int_equal(eksauth_tls_resume_encode(key, NOW, der, 0, buf, sizeof(buf)), 0);
    assert_int_equal(
        eksauth_tls_resume_encode(key, NOW, der, EKSAUTH_TLS_RESUME_DER_MAX + 1, buf, sizeof(buf)),
        0);
}

/* Each test of the file's rules: a scratch folder and this process's libssl (libcurl's). */
struct fx {
    struct scratch *dir;
    const struct eksauth_curl_tls *tls;
    unsigned char der13[EKSAUTH_TLS_RESUME_DER_MAX], der12[EKSAUTH_TLS_RESUME_DER_MAX];
    size_t der13_len, der12_len;
};

/* The DER of a resumable session of the given TLS version (an id, a key, TLS_AES_128_GCM_SHA256).
 */
static size_t make_session(int version, unsigned char *out)
{
    static const unsigned char id[32] = {1, 2, 3}, master[48] = {4, 5, 6};
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = ctx != NULL ? SSL_new(ctx) : NULL;
    SSL_SESSION *s = SSL_SESSION_new();
    const SSL_CIPHER *c =
        ssl != NULL ? SSL_CIPHER_find(ssl, (const unsigned char *)"\x13\x01") : NULL;
    unsigned char *p = out;
    int n;

    assert_non_null(c);
    assert_non_null(s);
    assert_int_equal(SSL_SESSION_set_protocol_version(s, version), 1);
    assert_int_equal(SSL_SESSION_set_cipher(s, c), 1);
    assert_int_equal(SSL_SESSION_set1_id(s, id, sizeof(id)), 1);
    assert_int_equal(SSL_SESSION_set1_master_key(s, master, sizeof(master)), 1);
    assert_int_equal(SSL_SESSION_is_resumable(s), 1);
    n = i2d_SSL_SESSION(s, NULL);
    assert_true(n > 0 && n <= EKSAUTH_TLS_RESUME_DER_MAX);
    assert_int_equal(i2d_SSL_SESSION(s, &p), n);
    SSL_SESSION_free(s);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return (size_t)n;
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof(*fx));
    const struct eksauth_curl_api *curl;
    struct eksauth_error err = {EKSAUTH_OK, ""};

    assert_non_null(fx);
    curl = eksauth_curl_api("test", &err);
    assert_non_null(curl);
    /* This machine's libcurl is OpenSSL's: resumption must be usable, or the test is void. */
    assert_non_null(curl->tls.ctx_ctrl);
    fx->tls = &curl->tls;
    fx->dir = scratch_new("tls-resume", "sts.tls-session");
    fx->der13_len = make_session(TLS1_3_VERSION, fx->der13);
    fx->der12_len = make_session(TLS1_2_VERSION, fx->der12);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;

    scratch_free(fx->dir);
    free(fx);
    return 0;
}

/* The session file for base_scope, verified at verified, with mode. */
static void write_session(const struct fx *fx, const unsigned char *der, size_t der_len,
                          time_t verified, mode_t mode)
{
    unsigned char key[SHA256_DIGEST_LENGTH], buf[EKSAUTH_TLS_RESUME_DER_MAX + 256];
    size_t len;
    int fd;

    key_of(&base_scope, key);
    len = eksauth_tls_resume_encode(key, verified, der, der_len, buf, sizeof(buf));
    assert_true(len > 0);
    unlink(fx->dir->path);
    fd = open(fx->dir->path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, buf, len), (ssize_t)len);
    assert_int_equal(fchmod(fd, mode), 0);
    assert_int_equal(close(fd), 0);
}

/* Whether eksauth_tls_resume_start would offer the file's session (it must want the file). */
static bool offered(const struct fx *fx, time_t now)
{
    struct eksauth_tls_resume r;
    bool got;

    assert_true(eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now));
    got = r.offer != NULL;
    eksauth_tls_resume_free(&r);
    return got;
}

static void test_start_reads_only_a_trusted_file(void **state)
{
    struct fx *fx = *state;
    time_t now = time(NULL);

    write_session(fx, fx->der13, fx->der13_len, now - 5, 0600);
    assert_true(offered(fx, now));
    /* Readable by others: the secret may have leaked, so it is not trusted either. */
    write_session(fx, fx->der13, fx->der13_len, now - 5, 0640);
    assert_false(offered(fx, now));
    write_session(fx, fx->der13, fx->der13_len, now - 5, 0604);
    assert_false(offered(fx, now));
    /* Not root's. */
    write_session(fx, fx->der13, fx->der13_len, now - 5, 0600);
    assert_int_equal(chown(fx->dir->path, 65534, 65534), 0);
    assert_false(offered(fx, now));
    /* A folder others may write to (someone could put their own file in its place). */
    write_session(fx, fx->der13, fx->der13_len, now - 5, 0600);
    assert_int_equal(chmod(fx->dir->dir, 0777), 0);
    assert_false(offered(fx, now));
    assert_int_equal(chmod(fx->dir->dir, 0700), 0);
    assert_true(offered(fx, now));
    /* Past the hour. */
    assert_false(offered(fx, now + EKSAUTH_TLS_RESUME_MAX_AGE));
    /* A symlink to a good file is not followed. */
    {
        char real[160];

        snprintf(real, sizeof(real), "%s.real", fx->dir->path);
        assert_int_equal(rename(fx->dir->path, real), 0);
        assert_int_equal(symlink(real, fx->dir->path), 0);
        assert_false(offered(fx, now));
        assert_int_equal(unlink(fx->dir->path), 0);
        assert_int_equal(rename(real, fx->dir->path), 0);
        assert_true(offered(fx, now));
    }
    /* A TLS 1.2 session (resuming it makes no new key exchange) is never offered. */
    write_session(fx, fx->der12, fx->der12_len, now - 5, 0600);
    assert_false(offered(fx, now));
    /* Bytes OpenSSL cannot read as a session. */
    {
        unsigned char junk[200];

        memset(junk, 0x30, sizeof(junk));
        write_session(fx, junk, sizeof(junk), now - 5, 0600);
        assert_false(offered(fx, now));
    }
}

static void test_start_refuses_without_root_or_openssl(void **state)
{
    struct fx *fx = *state;
    struct eksauth_curl_tls none;
    struct eksauth_tls_resume r;
    time_t now = time(NULL);
    pid_t pid;
    int status;

    write_session(fx, fx->der13, fx->der13_len, now - 5, 0600);
    assert_false(eksauth_tls_resume_start(&r, fx->tls, NULL, &base_scope, now));
    assert_false(eksauth_tls_resume_start(&r, fx->tls, "", &base_scope, now));
    memset(&none, 0, sizeof(none));
    assert_false(eksauth_tls_resume_start(&r, &none, fx->dir->path, &base_scope, now));
    assert_null(r.offer);
    /* Not root: neither read nor written, whatever the file. */
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        bool used = seteuid(65534) == 0 &&
                    eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now);
        _exit(geteuid() == 65534 && !used ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_save_keeps_only_a_full_handshakes_session(void **state)
{
    struct fx *fx = *state;
    unsigned char key[SHA256_DIGEST_LENGTH], buf[EKSAUTH_TLS_RESUME_DER_MAX + 256];
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct eksauth_tls_resume r;
    const unsigned char *der;
    const char *why;
    char stale[192];
    struct stat sb;
    time_t now = time(NULL);
    size_t der_len;
    ssize_t len;
    int fd;

    key_of(&base_scope, key);
    unlink(fx->dir->path);
    /* What a writer killed before its rename left: a temp file holding a secret. */
    snprintf(stale, sizeof(stale), "%s.tmp.AbC123", fx->dir->path);
    fd = open(stale, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(close(fd), 0);
    /* A resumed handshake's session is not kept: the check it rests on is the old one. */
    assert_true(eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now));
    assert_non_null(r.fresh = malloc(fx->der13_len));
    memcpy(r.fresh, fx->der13, fx->der13_len);
    r.fresh_len = fx->der13_len;
    r.resumed = true;
    assert_true(eksauth_tls_resume_save(&r, now, &err));
    assert_int_equal(access(fx->dir->path, F_OK), -1);
    /* A full handshake's is, root's and 0600, dated now; the stale temp file is gone. */
    r.resumed = false;
    assert_true(eksauth_tls_resume_save(&r, now, &err));
    eksauth_tls_resume_free(&r);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(lstat(fx->dir->path, &sb), 0);
    assert_true(S_ISREG(sb.st_mode));
    assert_int_equal(sb.st_mode & 07777, 0600);
    assert_int_equal(sb.st_uid, 0);
    fd = open(fx->dir->path, O_RDONLY);
    assert_true(fd >= 0);
    len = read(fd, buf, sizeof(buf));
    close(fd);
    assert_true(len > 0);
    der = eksauth_tls_resume_decode(buf, (size_t)len, key, now, &der_len, &why);
    assert_non_null(der);
    assert_int_equal(der_len, fx->der13_len);
    assert_memory_equal(der, fx->der13, der_len);
    assert_true(offered(fx, now));

    /* Another writer holding the lock is not waited for: this session is not written. */
    {
        char lock[192];
        int held;

        snprintf(lock, sizeof(lock), "%s.lock", fx->dir->path);
        held = open(lock, O_RDWR | O_CLOEXEC);
        assert_true(held >= 0);
        assert_int_equal(flock(held, LOCK_EX), 0);
        unlink(fx->dir->path);
        assert_true(eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now));
        assert_non_null(r.fresh = malloc(fx->der13_len));
        memcpy(r.fresh, fx->der13, fx->der13_len);
        r.fresh_len = fx->der13_len;
        assert_false(eksauth_tls_resume_save(&r, now, &err));
        assert_status(err.status, EKSAUTH_EUNAVAIL);
        eksauth_tls_resume_free(&r);
        assert_int_equal(access(fx->dir->path, F_OK), -1);
        close(held);
    }
}

/*
 * A CA file is left unread until a chain is checked only when a session is
 * offered (a handshake without one checks a chain anyway) and OpenSSL can
 * look in a file on demand; otherwise libcurl loads it before the handshake.
 */
static void test_defer_ca_only_with_an_offer(void **state)
{
    struct fx *fx = *state;
    struct eksauth_curl_tls no_lookup = *fx->tls;
    struct eksauth_tls_resume r;
    time_t now = time(NULL);

    write_session(fx, fx->der13, fx->der13_len, now - 5, 0600);
    assert_true(eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now));
    assert_non_null(r.offer);
    assert_false(eksauth_tls_resume_defer_ca(&r, NULL));
    assert_false(eksauth_tls_resume_defer_ca(&r, ""));
    assert_true(eksauth_tls_resume_defer_ca(&r, "/etc/eksauth/sts-ca.pem"));
    assert_string_equal(r.ca_file, "/etc/eksauth/sts-ca.pem");
    /* Without OpenSSL 3's file lookup: loaded as ever. */
    no_lookup.store_new = NULL;
    r.tls = &no_lookup;
    assert_false(eksauth_tls_resume_defer_ca(&r, "/etc/eksauth/sts-ca.pem"));
    assert_null(r.ca_file);
    r.tls = fx->tls;
    eksauth_tls_resume_free(&r);
    /* No session to offer: the handshake will check a chain, so the file is loaded first. */
    unlink(fx->dir->path);
    assert_true(eksauth_tls_resume_start(&r, fx->tls, fx->dir->path, &base_scope, now));
    assert_null(r.offer);
    assert_false(eksauth_tls_resume_defer_ca(&r, "/etc/eksauth/sts-ca.pem"));
    assert_null(r.ca_file);
    eksauth_tls_resume_free(&r);
}

EKSAUTH_UNIT_MAIN_WITH(setup, teardown, cmocka_unit_test(test_key_binds_route_and_cas),
                       cmocka_unit_test(test_encode_decode),
                       cmocka_unit_test(test_start_reads_only_a_trusted_file),
                       cmocka_unit_test(test_start_refuses_without_root_or_openssl),
                       cmocka_unit_test(test_save_keeps_only_a_full_handshakes_session),
                       cmocka_unit_test(test_defer_ca_only_with_an_offer))
