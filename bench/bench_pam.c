/*
 * bench_pam.c - rows 4 and 6 of `make bench`: full PAM authentications
 * (pam_start, pam_authenticate, pam_end through the real libpam and
 * pam_eksauth.so, against the STS stand-in over TLS) next to one libcurl GET
 * of the same URL with the same transport settings as lib/sts.c (same
 * headers, CA file, CONNECT_TO, TLS and timeout options, a fresh handle and
 * connection each time).  The GET is the floor: it is the one thing a login
 * must do that eksauth cannot make cheaper.
 *
 * bench_pam.sh prepares everything and runs:
 *   bench_pam serial N
 *       N interleaved pairs (GET, then login; the order flips each pair),
 *       after one warm-up of each: wall-time medians, ROW 4.
 *   bench_pam conc K M
 *       K processes at once, each doing M logins; then K processes each
 *       doing M GETs (the stand-in's own cost at that concurrency): logins
 *       per second, GETs per second, p50 and p99 latency, ROW 6.
 * Settings come from the environment (all required):
 *   BP_CONFDIR BP_SERVICE BP_USER   the PAM service folder, service, login
 *   BP_TOKEN                        a file holding the token
 *   BP_CA BP_CONNECT_TO             as eksauth.conf's sts_ca_file and
 *                                   sts_connect_to
 *   BP_CLUSTER                      the x-k8s-aws-id the module sends STS
 *                                   (this host's audience, audience.h)
 * and, optional, BP_CURL=PATH: also time a curl(1) process per pair (the
 * "one curl" of the old target, bench/README.md), and BP_KEEP_MODULE=PATH: dlopen the module once
 * before the runs, so that pam_end does not unload it and pam_start does not load and relocate it
 * again (a long-lived PAM host; sshd and sudo load it per login).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <security/pam_appl.h>

#include "eksauth/base64url.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"

#include "common.h"

#define MAX_TOKEN 8192

struct setup {
    const char *confdir, *service, *user, *ca, *connect_to, *cluster;
    const char *curl; /* BP_CURL: the curl(1) to compare with too, or NULL */
    char token[MAX_TOKEN];
    char url[MAX_TOKEN];
};

static int conv_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *appdata)
{
    const struct setup *s = appdata;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    int i;

    if (r == NULL)
        return PAM_BUF_ERR;
    for (i = 0; i < n; i++) {
        if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF && msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
            continue;
        r[i].resp = strdup(s->token);
        if (r[i].resp == NULL) {
            while (i-- > 0)
                free(r[i].resp);
            free(r);
            return PAM_BUF_ERR;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
}

/* One whole transaction, as sshd or sudo would run it; 0 on PAM_SUCCESS. */
static int one_login(struct setup *s)
{
    struct pam_conv pc = {conv_fn, s};
    pam_handle_t *pamh = NULL;
    int rc;

    rc = pam_start_confdir(s->service, s->user, &pc, s->confdir, &pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "bench_pam: pam_start_confdir: %d\n", rc);
        return -1;
    }
    rc = pam_authenticate(pamh, 0);
    if (rc != PAM_SUCCESS)
        fprintf(stderr, "bench_pam: pam_authenticate: %s\n", pam_strerror(pamh, rc));
    pam_end(pamh, rc);
    return rc == PAM_SUCCESS ? 0 : -1;
}

struct body {
    char *buf;
    size_t len;
};

static size_t write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct body *b = userdata;
    size_t n = size * nmemb;

    if (n > EKSAUTH_STS_MAX_BODY - b->len)
        return 0;
    memcpy(b->buf + b->len, ptr, n);
    b->len += n;
    return n;
}

#define SETOPT(h, opt, val)                                                                        \
    do {                                                                                           \
        if (curl_easy_setopt((h), (opt), (val)) != CURLE_OK) {                                     \
            fprintf(stderr, "bench_pam: libcurl refused %s\n", #opt);                              \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* One GET of the token's URL with lib/sts.c's options, option for option; 0 on HTTP 200. */
static int one_get(const struct setup *s)
{
    char errbuf[CURL_ERROR_SIZE] = "", idhdr[512];
    struct curl_slist *headers = NULL, *connect_to = NULL, *tmp;
    struct body b = {NULL, 0};
    long status = 0;
    CURL *h = NULL;
    CURLcode rc;
    int ret = -1;

    b.buf = malloc(EKSAUTH_STS_MAX_BODY + 1);
    h = curl_easy_init();
    if (b.buf == NULL || h == NULL)
        goto out;
    snprintf(idhdr, sizeof(idhdr), "x-k8s-aws-id: %s", s->cluster);
    if ((tmp = curl_slist_append(headers, idhdr)) == NULL)
        goto out;
    headers = tmp;
    if ((tmp = curl_slist_append(headers, "Accept: application/json")) == NULL)
        goto out;
    headers = tmp;
    if ((connect_to = curl_slist_append(NULL, s->connect_to)) == NULL)
        goto out;
    SETOPT(h, CURLOPT_ERRORBUFFER, errbuf);
    SETOPT(h, CURLOPT_URL, s->url);
    SETOPT(h, CURLOPT_HTTPGET, 1L);
    SETOPT(h, CURLOPT_HTTPHEADER, headers);
    SETOPT(h, CURLOPT_USERAGENT, "eksauth/" PACKAGE_VERSION);
    SETOPT(h, CURLOPT_PROTOCOLS_STR, "https");
    SETOPT(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    SETOPT(h, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(h, CURLOPT_MAXREDIRS, 0L);
    SETOPT(h, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(h, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SETOPT(h, CURLOPT_CAINFO, s->ca);
    SETOPT(h, CURLOPT_CAPATH, (char *)NULL);
    SETOPT(h, CURLOPT_PROXY, "");
    SETOPT(h, CURLOPT_NOPROXY, "");
    SETOPT(h, CURLOPT_CONNECT_TO, connect_to);
    SETOPT(h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
    SETOPT(h, CURLOPT_TIMEOUT_MS, 10000L);
    SETOPT(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)EKSAUTH_STS_MAX_BODY);
    SETOPT(h, CURLOPT_WRITEFUNCTION, write_cb);
    SETOPT(h, CURLOPT_WRITEDATA, &b);
    SETOPT(h, CURLOPT_NOSIGNAL, 1L);
    SETOPT(h, CURLOPT_FORBID_REUSE, 1L);
    SETOPT(h, CURLOPT_FRESH_CONNECT, 1L);
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "bench_pam: GET: %s\n", errbuf[0] != '\0' ? errbuf : "failed");
        goto out;
    }
    if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
        fprintf(stderr, "bench_pam: GET: HTTP %ld\n", status);
        goto out;
    }
    ret = 0;
out:
    if (h != NULL)
        curl_easy_cleanup(h);
    curl_slist_free_all(headers);
    curl_slist_free_all(connect_to);
    free(b.buf);
    return ret;
}

/*
 * One curl(1) process fetching the same URL with the same settings (DESIGN
 * §6 says "one curl"): a process start, libcurl and OpenSSL loaded, one GET.
 * 0 when it exits 0 (--fail: HTTP 200 only).
 */
static int one_curl_process(const struct setup *s)
{
    char idhdr[512];
    int status, fd;
    pid_t pid;

    snprintf(idhdr, sizeof(idhdr), "x-k8s-aws-id: %s", s->cluster);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        execl(s->curl, "curl", "-sS", "--fail", "--proto", "=https", "--tlsv1.2", "--cacert", s->ca,
              "--noproxy", "*", "--connect-to", s->connect_to, "-H", idhdr, "-H",
              "Accept: application/json", "-A", "eksauth/" PACKAGE_VERSION, "--connect-timeout",
              "2", "--max-time", "10", s->url, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_pam: curl exited with status %d\n", status);
        return -1;
    }
    return 0;
}

static const char *need_env(const char *name)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0') {
        fprintf(stderr, "bench_pam: %s is not set\n", name);
        return NULL;
    }
    return v;
}

static int load_setup(struct setup *s)
{
    struct eksauth_error err;
    const char *path;
    size_t len = 0, n;
    FILE *f;

    if ((s->confdir = need_env("BP_CONFDIR")) == NULL ||
        (s->service = need_env("BP_SERVICE")) == NULL || (s->user = need_env("BP_USER")) == NULL ||
        (s->ca = need_env("BP_CA")) == NULL ||
        (s->connect_to = need_env("BP_CONNECT_TO")) == NULL ||
        (s->cluster = need_env("BP_CLUSTER")) == NULL || (path = need_env("BP_TOKEN")) == NULL)
        return -1;
    s->curl = getenv("BP_CURL");
    if (s->curl != NULL && s->curl[0] == '\0')
        s->curl = NULL;
    f = fopen(path, "r");
    if (f != NULL) {
        len = fread(s->token, 1, sizeof(s->token) - 1, f);
        fclose(f);
    }
    while (len > 0 && s->token[len - 1] == '\n')
        len--;
    s->token[len] = '\0';
    n = strlen(EKSAUTH_TOKEN_PREFIX);
    /* The GET sends the URL the token carries, as the module does after its checks. */
    if (len <= n || eksauth_b64url_decode(s->token + n, len - n, (unsigned char *)s->url,
                                          sizeof(s->url), NULL, &err) != EKSAUTH_OK) {
        fprintf(stderr, "bench_pam: %s does not hold a token\n", path);
        return -1;
    }
    return 0;
}

static int serial(struct setup *s, int n, bool keep)
{
    double *login = calloc((size_t)n, sizeof(double)), *get = calloc((size_t)n, sizeof(double));
    double *lcpu = calloc((size_t)n, sizeof(double)), *gcpu = calloc((size_t)n, sizeof(double));
    double *proc = calloc((size_t)n, sizeof(double));
    double lsys = 0, gsys = 0, lflt = 0, gflt = 0, t0, c0, lm, gm, pm;
    struct rusage r0, r1;
    int i, k, rc = 1;

    if (login == NULL || get == NULL || lcpu == NULL || gcpu == NULL || proc == NULL)
        goto out;
    /* Warm-up: the first of each loads libraries, the module and the CA. */
    if (one_get(s) != 0 || one_login(s) != 0)
        goto out;
    for (i = 0; i < n; i++) {
        /* The order flips each pair, so neither always runs right after the other. */
        for (k = 0; k < 2; k++) {
            bool do_login = (k == 0) == (i % 2 == 0);

            getrusage(RUSAGE_SELF, &r0);
            t0 = bench_wall_ns();
            c0 = bench_cpu_ns();
            if ((do_login ? one_login(s) : one_get(s)) != 0)
                goto out;
            (do_login ? login : get)[i] = (bench_wall_ns() - t0) / 1e6;
            (do_login ? lcpu : gcpu)[i] = (bench_cpu_ns() - c0) / 1e6;
            getrusage(RUSAGE_SELF, &r1);
            *(do_login ? &lsys : &gsys) +=
                (double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e3 +
                (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e3;
            *(do_login ? &lflt : &gflt) += (double)(r1.ru_minflt - r0.ru_minflt);
        }
        if (s->curl != NULL && !keep) {
            t0 = bench_wall_ns();
            if (one_curl_process(s) != 0)
                goto out;
            proc[i] = (bench_wall_ns() - t0) / 1e6;
        }
    }
    lm = bench_median(login, (size_t)n);
    gm = bench_median(get, (size_t)n);
    if (keep) {
        bench_row("4", "  same, module kept loaded (not a target), ms", lm, gm, "-", -1, 2);
        rc = 0;
        goto out;
    }
    /* Where the time goes: this process's own CPU (user + system) vs waiting. */
    printf("# row 4: medians of %d interleaved pairs, wall time.  The driver process itself:\n"
           "#   CPU (user + system) median login %.2f ms, GET %.2f ms; system time mean login\n"
           "#   %.2f ms, GET %.2f ms; minor page faults mean login %.0f, GET %.0f\n",
           n, bench_median(lcpu, (size_t)n), bench_median(gcpu, (size_t)n), lsys / n, gsys / n,
           lflt / n, gflt / n);
    bench_row("4", "PAM authentication vs one libcurl GET, ms", lm, gm, "<= 1.2x", lm / gm <= 1.2,
              2);
    if (s->curl != NULL) {
        pm = bench_median(proc, (size_t)n);
        bench_row("4", "  same vs a curl(1) process (DESIGN's words), ms", lm, pm, "<= 1.2x",
                  lm / pm <= 1.2, 2);
    }
    rc = 0;
out:
    free(login);
    free(get);
    free(lcpu);
    free(gcpu);
    free(proc);
    return rc;
}

/*
 * k processes, each doing m operations (logins or GETs), all started
 * together; lat gets the k*m latencies (ms).  Returns the wall time (s) from
 * the first start to the last end, or -1.
 */
static double concurrent(struct setup *s, int k, int m, bool logins, double *lat)
{
    int pfd[2], i, j, status, failed = 0;
    pid_t *pids = calloc((size_t)k, sizeof(pid_t));
    double t0, wall = -1;
    size_t got = 0;
    ssize_t r;

    if (pids == NULL || pipe(pfd) != 0) {
        free(pids);
        return -1;
    }
    t0 = bench_wall_ns();
    for (i = 0; i < k; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            failed = 1;
            break;
        }
        if (pids[i] == 0) {
            close(pfd[0]);
            for (j = 0; j < m; j++) {
                double t = bench_wall_ns(), ms;
                int rc = logins ? one_login(s) : one_get(s);

                ms = rc == 0 ? (bench_wall_ns() - t) / 1e6 : -1;
                if (write(pfd[1], &ms, sizeof(ms)) != (ssize_t)sizeof(ms))
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(pfd[1]);
    while (got < (size_t)k * (size_t)m) {
        r = read(pfd[0], &lat[got], sizeof(double));
        if (r == (ssize_t)sizeof(double)) {
            failed |= lat[got] < 0;
            got++;
        } else if (r <= 0 && errno != EINTR) {
            break;
        }
    }
    for (j = 0; j < i; j++) {
        if (waitpid(pids[j], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    if (!failed && got == (size_t)k * (size_t)m)
        wall = (bench_wall_ns() - t0) / 1e9;
    close(pfd[0]);
    free(pids);
    return wall;
}

static int conc(struct setup *s, int k, int m)
{
    size_t n = (size_t)k * (size_t)m;
    double *lat = calloc(n, sizeof(double)), *glat = calloc(n, sizeof(double));
    double wl, wg, lps, gps;
    char what[128];
    int rc = 1;

    if (lat == NULL || glat == NULL)
        goto out;
    wl = concurrent(s, k, m, true, lat);
    wg = concurrent(s, k, m, false, glat);
    if (wl <= 0 || wg <= 0) {
        fprintf(stderr, "bench_pam: a concurrent run failed\n");
        goto out;
    }
    lps = (double)n / wl;
    gps = (double)n / wg;
    snprintf(what, sizeof(what), "%d concurrent: logins/s vs libcurl GETs/s", k);
    /* Throughput is the inverse: a login may cost 1.2 GETs, so >= 1/1.2 of the GET rate. */
    bench_row("6", what, lps, gps, ">= 0.83x", lps / gps >= 1 / 1.2, 1);
    snprintf(what, sizeof(what), "%d concurrent: p50 latency, ms", k);
    bench_row("6", what, bench_percentile(lat, n, 50), bench_percentile(glat, n, 50), "-", -1, 1);
    snprintf(what, sizeof(what), "%d concurrent: p99 latency, ms", k);
    bench_row("6", what, bench_percentile(lat, n, 99), bench_percentile(glat, n, 99), "-", -1, 1);
    rc = 0;
out:
    free(lat);
    free(glat);
    return rc;
}

/*
 * Row 4's share of libpam itself: pam_start/pam_end load and unload every
 * module of the stack on each login (sshd and sudo pay it for pam_unix as
 * well).  dlopen + dlclose of our module vs of pam_unix.so, medians, the
 * libraries both pull in (libcurl, libcrypto) already loaded as in sshd.
 */
static int load_cost(const char *ours, const char *theirs, int n)
{
    double *a = calloc((size_t)n, sizeof(*a)), *b = calloc((size_t)n, sizeof(*b));
    const char *path[2] = {ours, theirs};
    int i, k, rc = 1;

    if (a == NULL || b == NULL)
        goto out;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 2; k++) {
            double t0 = bench_wall_ns();
            void *h = dlopen(path[k], RTLD_NOW | RTLD_LOCAL);

            if (h == NULL) {
                fprintf(stderr, "bench_pam: dlopen %s: %s\n", path[k], dlerror());
                goto out;
            }
            dlclose(h);
            (k == 0 ? a : b)[i] = (bench_wall_ns() - t0) / 1e6;
        }
    }
    bench_row("4", "  loading the module (dlopen+dlclose) vs pam_unix.so, ms",
              bench_median(a, (size_t)n), bench_median(b, (size_t)n), "-", -1, 3);
    rc = 0;
out:
    free(a);
    free(b);
    return rc;
}

int main(int argc, char **argv)
{
    static struct setup s;
    const char *keep;
    void *module = NULL;
    int rc = 2;

    if (load_setup(&s) != 0)
        return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    keep = getenv("BP_KEEP_MODULE");
    /* Held for the whole run: libpam's dlclose then only drops a reference. */
    if (keep != NULL && (module = dlopen(keep, RTLD_NOW)) == NULL) {
        fprintf(stderr, "bench_pam: dlopen %s: %s\n", keep, dlerror());
        return 2;
    }
    if (argc == 3 && strcmp(argv[1], "serial") == 0 && atoi(argv[2]) > 0)
        rc = serial(&s, atoi(argv[2]), keep != NULL);
    else if (argc == 4 && strcmp(argv[1], "conc") == 0 && atoi(argv[2]) > 0 && atoi(argv[3]) > 0)
        rc = conc(&s, atoi(argv[2]), atoi(argv[3]));
    else if (argc == 5 && strcmp(argv[1], "load") == 0 && atoi(argv[4]) > 0)
        rc = load_cost(argv[2], argv[3], atoi(argv[4]));
    else
        fprintf(stderr, "usage: bench_pam serial N | conc K M | load MODULE OTHER N\n");
    curl_global_cleanup();
    if (module != NULL)
        dlclose(module);
    return rc;
}
