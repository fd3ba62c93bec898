/*
 * client_mint.c - the one place the client half mints a token (askpass
 * and login-name; docs/design.md, "The client half"): the built-in
 * signer, EKSAUTH_TOKEN_COMMAND through the shell, or `aws eks get-token`
 * with no shell at all, as the identity kubectl uses for the cluster (the
 * role, profile, region and AWS_* variables of the kubeconfig's exec: section,
 * lib/kubeconfig.c and lib/exec_identity.c); the output read back to a
 * token of the right shape only; mints taking turns so that no two are
 * signed in the same second; and the check, through STS, that a command's
 * token is for the host audience asked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eksauth/audience.h"
#include "eksauth/config.h"
#include "eksauth/creds.h"
#include "eksauth/exec_credential.h"
#include "eksauth/exec_identity.h"
#include "eksauth/kubeconfig.h"
#include "eksauth/mint.h"
#include "eksauth/sts.h"
#include "eksauth/token.h"
#include "cli.h"
#include "cmd_client.h"

/* Messages keep the name of askpass, the command that mints between prompts. */
#define WHAT "askpass"

#define CMD_OUTPUT_MAX (64 * 1024) /* an ExecCredential is well under 8 KB */

extern char **environ; /* POSIX; declared here for the systems whose unistd.h does not */

/* The environment of the person who runs ssh or sudo: askpass runs as them, never setuid. */
const char *client_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * The same credentials sign the same URL within one second, so two tokens
 * minted in one second are one token, and a host with single_use refuses
 * the second login as a replay of the first.  So mints take turns (a lock
 * on a file in the private folder), each records the last second it could
 * have signed in, and the next starts in a later second, waiting for it
 * when needed: at most a second, and only for back-to-back prompts.
 * take_mint_turn returns the time to sign at and the held lock, or -1 when
 * the file cannot be used (the mint then goes ahead unguarded, as before);
 * end_mint_turn records the second and lets the next mint go.
 */
#define LAST_MINT_FILE "last-mint"
#define CLOCK_STEP_MAX 2 /* seconds: a record further ahead is a clock set back */

static int take_mint_turn(const char *dir, time_t *now)
{
    char path[4096], buf[32];
    long long last = 0;
    ssize_t n;
    int fd;

    if (snprintf(path, sizeof(path), "%s/" LAST_MINT_FILE, dir) >= (int)sizeof(path))
        return -1;
    /* O_NOFOLLOW: the folder is private, but never write through a planted link. */
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -1;
    if (flock(fd, LOCK_EX) != 0) {
        close(fd);
        return -1;
    }
    n = pread(fd, buf, sizeof(buf) - 1, 0);
    if (n > 0) {
        buf[n] = '\0';
        last = strtoll(buf, NULL, 10);
    }
    *now = time(NULL);
    while (*now <= last && last - *now <= CLOCK_STEP_MAX) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec = 0;
        ts.tv_nsec = 1000000000L - ts.tv_nsec;
        nanosleep(&ts, NULL);
        *now = time(NULL);
    }
    return fd;
}

static void end_mint_turn(int fd)
{
    char buf[32];
    int len;

    if (fd < 0)
        return;
    /* Now, not the start: a mint command may have signed in a later second than it began. */
    len = snprintf(buf, sizeof(buf), "%lld\n", (long long)time(NULL));
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        cli_error(WHAT,
                  "cannot record when this token was made (%s): a token made within "
                  "the same second would repeat it",
                  strerror(errno));
    close(fd);
}

/*
 * Run the token command (argv, or "/bin/sh -c shell") with standard output
 * captured into out (CMD_OUTPUT_MAX bytes at most) and standard error left
 * to the person's terminal, where the AWS CLI explains itself.  envp: the
 * child's environment (NULL: ours).
 */
static enum eksauth_status run_capture(char *const argv[], char **envp, char *out, size_t *outlen,
                                       struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_EIO;
    int fds[2] = {-1, -1}, wstatus = 0, devnull;
    size_t len = 0;
    bool too_long = false;
    pid_t pid = -1;
    ssize_t n;
    char drain[512];

    *outlen = 0;
    /* pipe + FD_CLOEXEC: pipe2 is not on every system the client builds on (macOS). */
    if (pipe(fds) != 0 || fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "pipe: %s", strerror(errno));
        goto out;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        st = eksauth_fail(err, EKSAUTH_EIO, "fork: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        /* The child: stdin from /dev/null (the prompt's answer is ours, not its), stdout to us. */
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(fds[1], STDOUT_FILENO) < 0)
            _exit(127);
        /* Built before the fork: here only a pointer is set, for execvp to pass on. */
        if (envp != NULL)
            environ = envp;
        execvp(argv[0], argv);
        fprintf(stderr, "eksauth: askpass: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    fds[1] = -1;
    for (;;) {
        if (len < CMD_OUTPUT_MAX)
            n = read(fds[0], out + len, CMD_OUTPUT_MAX - len);
        else
            n = read(fds[0], drain, sizeof(drain)); /* read on so the child can finish */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (len < CMD_OUTPUT_MAX)
            len += (size_t)n;
        else
            too_long = true;
    }
    while (waitpid(pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            st = eksauth_fail(err, EKSAUTH_EIO, "waitpid: %s", strerror(errno));
            goto out;
        }
    }
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
        st = eksauth_fail(err, EKSAUTH_EUNAVAIL, "the token command %s %d",
                          WIFEXITED(wstatus) ? "exited with status" : "was killed by signal",
                          WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : WTERMSIG(wstatus));
        goto out;
    }
    if (too_long) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "the token command printed more than %d bytes",
                          CMD_OUTPUT_MAX);
        goto out;
    }
    *outlen = len;
    st = EKSAUTH_OK;
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    OPENSSL_cleanse(drain, sizeof(drain));
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(out, len);
    return st;
}

/*
 * The command's output: an ExecCredential or the bare token on one line
 * (eksauth_token_from_output).  The token expires at the earlier of
 * expirationTimestamp and now + the ExecCredential lifetime.
 */
static enum eksauth_status parse_token_output(char *buf, size_t len, time_t now,
                                              struct client_token *s, struct eksauth_error *err)
{
    enum eksauth_status st;
    size_t tlen = 0;
    time_t expires = 0;

    s->expires = now + EKSAUTH_EXEC_CREDENTIAL_LIFETIME;
    st = eksauth_token_from_output(buf, len, s->token, sizeof(s->token), &tlen, &expires, err);
    if (st != EKSAUTH_OK && eksauth_exec_credential_is_json(buf, len)) {
        eksauth_error_prefix(err, "the token command printed");
        goto out;
    }
    if (expires != 0 && expires < s->expires)
        s->expires = expires;
    /* Only a token goes into the answers: never some other text the command printed. */
    if (st != EKSAUTH_OK || !eksauth_token_shaped_strict(s->token, tlen)) {
        st = eksauth_fail(
            err, EKSAUTH_EINVAL,
            "the token command did not print a token (\"k8s-aws-v1\", a dot and base64url, "
            "at most %d bytes)",
            EKSAUTH_TOKEN_MAX_LEN);
        goto out;
    }
    if (s->expires <= now) {
        st = eksauth_fail(err, EKSAUTH_EREJECTED, "the token command gave an expired token");
        goto out;
    }
    s->len = tlen;
    st = EKSAUTH_OK;
out:
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(s->token, sizeof(s->token));
    OPENSSL_cleanse(buf, len);
    return st;
}

/*
 * A token EKSAUTH_TOKEN_COMMAND printed is the user's command's, which may
 * ignore EKSAUTH_AUDIENCE: before it goes to the host, STS must accept it
 * for the audience (the same call a host makes).  A token for anything
 * else, a cluster token above all, is never sent.  client_mint_token asks
 * it, for a host's audience.
 */
static enum eksauth_status check_minted_for(const struct client_token *t, const char *audience,
                                            time_t now, struct eksauth_error *err)
{
    const char *connect_to = secure_getenv("EKSAUTH_STS_CONNECT_TO");
    const char *ca_file = secure_getenv("EKSAUTH_STS_CA_FILE");
    const char *partition = client_env("EKSAUTH_PARTITION");
    struct eksauth_token_policy policy;
    struct eksauth_config cfg;
    struct eksauth_token *tok = NULL;
    struct eksauth_sts_identity *sid = NULL;
    enum eksauth_status st;

    st = eksauth_config_init(&cfg, err);
    if (st != EKSAUTH_OK)
        return st;
    /* Test stand-ins and VPC endpoints without private DNS, as a host's sts_connect_to. */
    if ((connect_to != NULL && (cfg.sts_connect_to = strdup(connect_to)) == NULL) ||
        (ca_file != NULL && (cfg.sts_ca_file = strdup(ca_file)) == NULL) ||
        (tok = calloc(1, sizeof(*tok))) == NULL || (sid = calloc(1, sizeof(*sid))) == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    cfg.proxy_from_env = true; /* the person's own command, as the AWS CLI */
    memset(&policy, 0, sizeof(policy));
    policy.partition = partition != NULL ? partition : cfg.partition;
    policy.max_clock_skew = cfg.max_clock_skew;
    st = eksauth_token_check(t->token, t->len, now, &policy, tok, err);
    if (st == EKSAUTH_OK)
        st = eksauth_sts_get_caller_identity(&cfg, audience, NULL, tok, sid, err);
    if (st != EKSAUTH_OK)
        eksauth_error_prefix(err,
                             "EKSAUTH_TOKEN_COMMAND printed a token that is not for %s (not "
                             "sent; the command must mint for $EKSAUTH_AUDIENCE)",
                             audience);
out:
    if (tok != NULL)
        eksauth_token_wipe(tok);
    free(tok);
    free(sid);
    eksauth_config_free(&cfg);
    return st;
}

#define AWS_CLI_INSTALL                                                                            \
    "the AWS CLI (aws) is not installed, or not on PATH: install it (Debian: apt-get install "     \
    "awscli; elsewhere https://aws.amazon.com/cli/)"
#define AWS_CLI_MISSING                                                                            \
    AWS_CLI_INSTALL ", or set EKSAUTH_BUILTIN=1 to sign with eksauth's own signer (credentials "   \
                    "from AWS_ACCESS_KEY_ID... or ~/.aws/credentials)"

/* Whether name is an executable file in a folder of PATH (what execvp would find). */
static bool on_path(const char *name)
{
    const char *path = getenv("PATH"), *p, *end;
    char full[4096];
    bool found = false;

    for (p = path != NULL ? path : "/usr/bin:/bin"; !found && p != NULL;
         p = end != NULL ? end + 1 : NULL) {
        size_t len;

        end = strchr(p, ':');
        len = end != NULL ? (size_t)(end - p) : strlen(p);
        /* An empty entry is the current folder, as execvp takes it. */
        if ((size_t)snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p, len > 0 ? "/" : "",
                             name) < sizeof(full))
            found = access(full, X_OK) == 0;
    }
    return found;
}

/*
 * The cluster a mint is for: the cluster id of a host audience
 * (eksauth:CLUSTER:HOST, askpass; a host's cluster_id is the cluster's
 * name; *for_host true), else the audience itself (login-name mints for
 * the cluster's name).
 */
static const char *cluster_of(const char *audience, char *buf, size_t len, bool *for_host)
{
    char host[EKSAUTH_HOST_NAME_MAX + 1];

    *for_host = eksauth_audience_parse(audience, buf, len, host, sizeof(host));
    return *for_host ? buf : audience;
}

/* What a failed mint adds: whom it minted as, or the command kubectl runs instead. */
static void explain_failure(const struct eksauth_exec_identity *id, const char *cluster,
                            struct eksauth_error *err)
{
    char what[400];

    if (id->kind == EKSAUTH_EXEC_OTHER) {
        eksauth_error_append(err,
                             " (kubectl runs %s for cluster %s (%s), which eksauth does not "
                             "follow: EKSAUTH_TOKEN_COMMAND can run it for $EKSAUTH_AUDIENCE)",
                             id->command, cluster, id->from);
    } else if (eksauth_exec_identity_applies(id)) {
        eksauth_exec_identity_describe(id, what, sizeof(what));
        eksauth_error_append(err, " (minted as kubectl does for cluster %s: %s; from %s)", cluster,
                             what, id->from);
    }
}

/*
 * Our environment with id's AWS_* variables over it (kubectl's rule: the
 * exec env wins), for the child alone; NULL when id has none (the child
 * then has ours) or out of memory (*failed).  The array is ours to free,
 * its strings are environ's and id's.
 */
static char **child_env(const struct eksauth_exec_identity *id, bool *failed)
{
    size_t n = 0, i, k, out = 0;
    char **envp;

    *failed = false;
    if (id->n_env == 0)
        return NULL;
    while (environ[n] != NULL)
        n++;
    envp = calloc(n + id->n_env + 1, sizeof(*envp));
    if (envp == NULL) {
        *failed = true;
        return NULL;
    }
    for (i = 0; i < n; i++) {
        for (k = 0; k < id->n_env; k++) {
            size_t len = (size_t)(strchr(id->env[k], '=') - id->env[k]);

            if (strncmp(environ[i], id->env[k], len + 1) == 0)
                break;
        }
        if (k == id->n_env)
            envp[out++] = environ[i];
    }
    for (k = 0; k < id->n_env; k++)
        envp[out++] = id->env[k];
    envp[out] = NULL;
    return envp;
}

/*
 * The region to sign in: EKSAUTH_REGION (the person's own choice), else the
 * --region of the exec section kubectl runs, else NULL (the AWS CLI's, or
 * the credentials lookup's, own choice).
 */
static const char *mint_region(const struct eksauth_exec_identity *id)
{
    const char *region = client_env("EKSAUTH_REGION");

    return region != NULL ? region : id->region[0] != '\0' ? id->region : NULL;
}

/* Where mint_region found its region, for messages: askpass has no --region option. */
static void region_origin(const struct eksauth_exec_identity *id, char *buf, size_t size)
{
    if (client_env("EKSAUTH_REGION") == NULL && id->region[0] != '\0')
        snprintf(buf, size, "the --region of %.200s", id->from);
    else
        snprintf(buf, size, "EKSAUTH_REGION");
}

/*
 * EKSAUTH_TOKEN_COMMAND through the shell (with EKSAUTH_AUDIENCE set), or
 * with no shell at all `aws eks get-token --cluster-name AUDIENCE`, with
 * the role, profile and region of id as arguments and its AWS_* variables in the
 * child's environment only.
 */
static enum eksauth_status mint_with_command(const char *audience, const char *cluster,
                                             const struct eksauth_exec_identity *id, time_t now,
                                             struct client_token *s, struct eksauth_error *err)
{
    const char *command = client_env("EKSAUTH_TOKEN_COMMAND");
    const char *region = mint_region(id);
    char *argv[16], host[256], region_from[300];
    char *out = NULL, **envp = NULL;
    size_t len = 0;
    enum eksauth_status st;
    bool failed = false;
    int i = 0;

    if (command != NULL) {
        argv[i++] = "/bin/sh";
        argv[i++] = "-c";
        argv[i++] = (char *)command;
        if (setenv("EKSAUTH_AUDIENCE", audience, 1) != 0) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "setenv: %s", strerror(errno));
            goto out;
        }
    } else if (!on_path("aws")) {
        if (id->role_arn[0] != '\0')
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              AWS_CLI_INSTALL ": it assumes role %s for you, as kubectl does",
                              id->role_arn);
        else
            st = eksauth_fail(err, EKSAUTH_EINVAL, AWS_CLI_MISSING);
        goto out;
    } else if (region != NULL && (st = eksauth_mint_host(region, false, NULL, host, sizeof(host),
                                                         err)) != EKSAUTH_OK) {
        /*
         * aws signs --region's STS host even for a region no partition
         * claims, a host every host refuses: the built-in signer's rule
         * (lib/mint.c), before aws runs.  A --region is signed for its
         * regional host (AWS_STS_REGIONAL_ENDPOINTS=legacy keeps the global
         * one only for regions AWS lists, which pass here), so the regional
         * host is the one checked.
         */
        region_origin(id, region_from, sizeof(region_from));
        eksauth_error_prefix(err, "the region from %s", region_from);
        goto out;
    } else {
        argv[i++] = "aws";
        argv[i++] = "eks";
        argv[i++] = "get-token";
        argv[i++] = "--cluster-name";
        argv[i++] = (char *)audience;
        /* lib/exec_identity.c checked them: a role ARN and a plain profile name, never options. */
        if (id->role_arn[0] != '\0') {
            argv[i++] = "--role-arn";
            argv[i++] = (char *)id->role_arn;
        }
        if (id->profile[0] != '\0') {
            argv[i++] = "--profile";
            argv[i++] = (char *)id->profile;
        }
        argv[i++] = "--output";
        argv[i++] = "json";
        if (region != NULL) {
            argv[i++] = "--region";
            argv[i++] = (char *)region;
        }
        envp = child_env(id, &failed);
        if (failed) {
            st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
            goto out;
        }
    }
    argv[i] = NULL;
    out = malloc(CMD_OUTPUT_MAX + 1);
    if (out == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
        goto out;
    }
    st = run_capture(argv, envp, out, &len, err);
    if (st == EKSAUTH_OK)
        st = parse_token_output(out, len, now, s, err);
    if (st != EKSAUTH_OK && command == NULL)
        explain_failure(id, cluster, err);
out:
    if (out != NULL) {
        OPENSSL_cleanse(out, CMD_OUTPUT_MAX + 1);
        free(out);
    }
    free(envp);
    return st;
}

/*
 * The built-in signer's environment (arg: the exec identity): the
 * kubeconfig's AWS_* variables over the person's (the same rule as
 * child_env), so that it signs as the profile or keys kubectl uses.
 */
static const char *builtin_getenv(const void *arg, const char *name)
{
    const char *v = eksauth_exec_identity_env(arg, name);

    return v != NULL ? v : secure_getenv(name);
}

/* The built-in signer: the same token `eksauth token` prints, from the same credentials. */
static enum eksauth_status mint_builtin(const char *audience, const char *cluster,
                                        const struct eksauth_exec_identity *id, time_t now,
                                        struct client_token *s, struct eksauth_error *err)
{
    struct eksauth_creds_options opt;
    struct eksauth_creds creds;
    struct eksauth_mint m;
    enum eksauth_status st;
    char region[64], region_from[300];
    size_t toklen = 0;

    memset(&creds, 0, sizeof(creds));
    memset(&m, 0, sizeof(m));
    memset(&opt, 0, sizeof(opt));
    /*
     * kubectl assumes a role for this cluster; the built-in signer cannot.
     * Signing with the keys underneath would log in as another identity
     * than the cluster knows: refused, never done quietly.
     */
    if (id->role_arn[0] != '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "EKSAUTH_BUILTIN=1 cannot assume role %s, which kubectl assumes for "
                            "cluster %s (%s): it signs with keys only, and yours would log you in "
                            "as someone other than the cluster sees; unset EKSAUTH_BUILTIN to "
                            "mint with the AWS CLI, which assumes the role as kubectl does",
                            id->role_arn, cluster, id->from);
    opt.profile = id->profile[0] != '\0' ? id->profile : NULL;
    opt.getenv_fn = builtin_getenv;
    opt.getenv_arg = id;
    region_origin(id, region_from, sizeof(region_from));
    opt.region_option = region_from;
    st = eksauth_creds_region(mint_region(id), &opt, region, sizeof(region), err);
    if (st == EKSAUTH_OK && (st = eksauth_creds_load(&opt, &creds, err)) != EKSAUTH_OK) {
        /* An SSO or role profile is the AWS CLI's to read, not ours: say which way out. */
        if (id->kind == EKSAUTH_EXEC_EKSAUTH)
            eksauth_error_append(err, " (eksauth token, which kubectl runs for this cluster, "
                                      "signs with keys only: it cannot either; give it keys, or "
                                      "set EKSAUTH_TOKEN_COMMAND)");
        else
            eksauth_error_append(
                err, " (EKSAUTH_BUILTIN=1 signs with keys only, from the "
                     "environment or ~/.aws/credentials or config; unset it to mint with the "
                     "AWS CLI, which reads SSO, credential_process and role "
                     "profiles)");
    }
    if (st != EKSAUTH_OK) {
        explain_failure(id, cluster, err);
        goto out;
    }
    m.audience = audience;
    m.region = region;
    m.now = now;
    st = eksauth_mint_token(&m, &creds, s->token, sizeof(s->token), &toklen, err);
    if (st != EKSAUTH_OK)
        goto out;
    s->len = toklen;
    s->expires = now + EKSAUTH_EXEC_CREDENTIAL_LIFETIME;
out:
    eksauth_creds_free(&creds);
    return st;
}

/*
 * The one place a client token is minted (askpass and login-name), for
 * audience: EKSAUTH_TOKEN_COMMAND (the person's explicit choice: the
 * kubeconfig is not read), else as the identity kubectl uses for the
 * audience's cluster (lib/kubeconfig.c; none found: the person's own
 * environment, as before) with `aws eks get-token --cluster-name AUDIENCE`
 * or the built-in signer.  Mints take turns in folder dir (NULL: none; see
 * take_mint_turn) so that no two tokens are signed in the same second.
 */
enum eksauth_status client_mint_token(bool builtin, const char *audience, const char *dir,
                                      struct client_token *t, struct eksauth_error *err)
{
    struct eksauth_exec_identity id;
    enum eksauth_status st = EKSAUTH_OK;
    char cluster_buf[EKSAUTH_CLUSTER_ID_MAX + 1];
    bool for_host;
    const char *cluster = cluster_of(audience, cluster_buf, sizeof(cluster_buf), &for_host);
    /* The person's own command mints, rather than aws or our signer for kubectl's identity. */
    bool by_command = !builtin && client_env("EKSAUTH_TOKEN_COMMAND") != NULL;
    time_t now;
    int turn;

    memset(&id, 0, sizeof(id));
    id.kind = EKSAUTH_EXEC_NONE;
    if (!by_command) {
        st = eksauth_kubeconfig_identity(cluster, client_env("EKSAUTH_REGION"), &id, err);
        /* What kubectl would run is unknown: never mint as a guess at it. */
        if (st != EKSAUTH_OK) {
            eksauth_error_append(err,
                                 "; not minting as a guess at kubectl's identity: fix the "
                                 "kubeconfig, or %sset EKSAUTH_TOKEN_COMMAND",
                                 builtin ? "unset EKSAUTH_BUILTIN and " : "");
            return st;
        }
    }
    /*
     * kubectl runs eksauth token, our own signer: sign with it too, never
     * with aws.  aws would read what eksauth token never runs (a
     * credential_process in an AWS_CONFIG_FILE of the section's env), so a
     * kubeconfig from a repo could have a command run that kubectl does not.
     */
    if (id.kind == EKSAUTH_EXEC_EKSAUTH)
        builtin = true;
    now = time(NULL);
    turn = dir != NULL ? take_mint_turn(dir, &now) : -1;
    st = builtin ? mint_builtin(audience, cluster, &id, now, t, err)
                 : mint_with_command(audience, cluster, &id, now, t, err);
    end_mint_turn(turn);
    eksauth_exec_identity_free(&id);
    /*
     * The command's token goes to a host only once STS took it for that
     * host (check_minted_for); login-name's goes to the cluster's API
     * server, which judges it itself.
     */
    if (st == EKSAUTH_OK && by_command && for_host)
        st = check_minted_for(t, audience, now, err);
    if (st != EKSAUTH_OK)
        OPENSSL_cleanse(t, sizeof(*t));
    return st;
}
