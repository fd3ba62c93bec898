/*
 * host_fixture.h - a throwaway host for the flow tests (test_login,
 * test_sync): a private folder with a config, an aws-auth file and the
 * identity DB, a context opened on it, and fakes for the calls that leave
 * the host (STS, the cluster's API), so a login or a sync runs whole with
 * no network.
 */
#ifndef EKSAUTH_TEST_HOST_FIXTURE_H
#define EKSAUTH_TEST_HOST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "eksauth/context.h"
#include "scratch.h"

#define FIXTURE_CLUSTER  "test-cluster"
#define FIXTURE_HOST     "testhost"
#define FIXTURE_AUDIENCE "eksauth:test-cluster:testhost" /* this host's (audience.h) */
#define FIXTURE_ACCOUNT  "123456789012"
#define FIXTURE_NOW      1764500000 /* 2025-11-30T10:53:20Z */

/*
 * aws-auth entries both flow tests map: role/Build as the static login build
 * (group builders), and mapUsers with user/carol as the static login carol,
 * its groups list open with viewers (a test may list more after it).
 */
#define FIXTURE_MAP_ROLE_BUILD                                                                     \
    "  - rolearn: arn:aws:iam::123456789012:role/Build\n"                                          \
    "    username: build\n"                                                                        \
    "    groups:\n"                                                                                \
    "      - builders\n"
#define FIXTURE_MAP_USER_CAROL                                                                     \
    "mapUsers: |\n"                                                                                \
    "  - userarn: arn:aws:iam::123456789012:user/carol\n"                                          \
    "    username: carol\n"                                                                        \
    "    groups:\n"                                                                                \
    "      - viewers\n"

struct host_fixture {
    char dir[SCRATCH_DIR_MAX];
    char config[128], aws_auth[128], db[128];
    struct eksauth_ctx ctx;
    /* The fake STS: what it answers and how often it was asked. */
    char sts_arn[256], sts_user_id[256];
    enum eksauth_status sts_status; /* EKSAUTH_OK: answer with sts_arn */
    unsigned sts_calls;
    char sts_audience[640]; /* the x-k8s-aws-id it was asked with */
    char minted_for[640];   /* the audience of the last host_fixture_token: STS checks it */
    /* The fake cluster source. */
    const char *cluster_doc;
    char cluster_version[64];
    char cluster_rv[64];       /* the list's resourceVersion it answers ("" none) */
    const char *cluster_stale; /* a line of freshness delayed, or NULL */
    enum eksauth_status cluster_status;
    bool
        cluster_throttled; /* a failing cluster_status is a 429, tried again as the budget allows */
    unsigned cluster_calls;
    char cluster_since[64];  /* the since_rv it was last asked with ("" none) */
    unsigned cluster_budget; /* the budget it was last given (max) */
    /*
     * The fake watch: call i answers watch_status[i] after sending the
     * event of watch_event_rv[i] (a MODIFIED of cluster_doc, or a DELETED
     * when watch_deleted[i]; "" none) and
     * the bookmark of watch_bookmark[i] ("" none); watch_rv[i] gets the
     * version it was asked from.
     */
    enum eksauth_status watch_status[16];
    char watch_event_rv[16][32], watch_bookmark[16][32], watch_rv[16][64];
    long watch_timeout[16];
    long watch_retry_after[16]; /* the Retry-After each stream's failure carries, ms */
    unsigned watch_calls;
    /* The fake clock's waits (none is slept) and its dice. */
    long sleeps[64];
    unsigned n_sleeps;
    /* The fake monotonic clock: sleeps and streams move it (a stream runs its timeout). */
    long long clock_ms;
    bool watch_cut_short[16]; /* stream i ends at once, after what it was given to carry */
    bool watch_deleted[16];
    /* Called as stream i starts, before it sends anything (may be NULL). */
    void (*watch_started)(struct host_fixture *h, unsigned i);
    uint32_t random;
    /*
     * Called as a fetch of the fake cluster starts, after it took the
     * document and version it answers (may be NULL): what the hook changes
     * is the cluster's from the next fetch on.
     */
    void (*cluster_fetching)(struct host_fixture *h, unsigned call);
    /* The host's /etc/passwd and /etc/group (NULL: the system's), from the next reopen on. */
    const char *passwd_path, *group_path;
};

/*
 * A new host: the folder, config_extra appended to the config, and aws_auth
 * written as its aws_auth_file (NULL: none, for a cluster source).
 */
struct host_fixture *host_fixture_new(const char *config_extra, const char *aws_auth);

/* Write text to the host's aws-auth file (replacing it). */
void host_fixture_write_aws_auth(struct host_fixture *h, const char *text);

/* Close and open the context again (a new PAM call or command run). */
void host_fixture_reopen(struct host_fixture *h);

/* STS will answer with this principal (assumed-role ARNs: UserId "AROA...:session"). */
void host_fixture_sts_answer(struct host_fixture *h, const char *arn);

/*
 * A token signed at signed_at as `aws eks get-token --cluster-name audience`
 * makes it; the fake STS then accepts it only for that audience, as STS
 * does (SignatureDoesNotMatch otherwise).
 */
void host_fixture_token(struct host_fixture *h, const char *audience, time_t signed_at, char *out,
                        size_t cap, size_t *len);

/*
 * A login's check (eksauth_login_check) on the context as it is, 5 s after
 * a token for this host signed at FIXTURE_NOW, STS answering with arn.
 */
struct eksauth_login;
enum eksauth_status host_fixture_check_login(struct host_fixture *h, const char *arn,
                                             struct eksauth_login **l, struct eksauth_error *err);

/*
 * The host's passwd and group files (passwd and group, n bytes each, named
 * in h's folder) hold root alone, from the next reopen on: no local nobody
 * (65534).  A test may add lines to them.
 */
void host_fixture_root_only(struct host_fixture *h, char *passwd, char *group, size_t n);

/* Copy the file at from to to (a new file: root's, mode 0644 under the test's umask). */
void host_fixture_copy_file(const char *from, const char *to);

void host_fixture_free(struct host_fixture *h);

#endif
