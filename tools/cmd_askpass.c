/*
 * cmd_askpass.c - `eksauth askpass [--builtin] [PROMPT]`: an SSH_ASKPASS
 * and SUDO_ASKPASS program for pam_eksauth's prompts (docs/design.md,
 * "The client half").
 *
 * ssh and sudo start a new askpass process for every prompt, with the
 * prompt as the only argument (ssh, from OpenSSH 8.5, prefixes it with
 * "(user@host) "; before, it passes the server's text bare).  So:
 *   "EKS token for AUDIENCE: "  check that AUDIENCE is a host audience of
 *                               the host the user meant (check_audience),
 *                               mint a fresh token for it (the configured
 *                               command, default `aws eks get-token` as
 *                               the identity kubectl uses for the cluster,
 *                               or the built-in signer), keep it in a
 *                               private 0600 file and answer with its
 *                               first piece;
 *   "EKS token (continued): "   answer with the next piece from that file;
 *   "EKS token: "               refused: an eksauth host that names no
 *                               audience would take a cluster token;
 *   anything else               the person's own prompt (a host key, a
 *                               password): asked on the terminal when
 *                               there is one, else refused (exit 1); never
 *                               answered with a token.
 * Pieces are at most EKSAUTH_ASKPASS_PIECE_MAX bytes; all but the last end
 * with '\'.  The file is keyed by the asking process (ssh or sudo: our
 * parent) and removed when its last piece is sent or when it expires; a
 * first prompt again from the same process right after, or while pieces
 * remain, is a refusal, and is not answered with another token.
 *
 * This file is the command: which prompt it is, whom a token may go to,
 * and the answer.  Its parts: client_mint.c makes the token,
 * askpass_state.c keeps it (and the mark after its last piece) between
 * prompts, askpass_terminal.c handles the person's own prompts.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eksauth/audience.h"
#include "eksauth/config.h"
#include "eksauth/paths.h"
#include "eksauth/token.h"
#include "askpass.h"
#include "cli.h"
#include "cmd_client.h"
/* The prompt protocol itself: the PAM module's own constants, so both halves agree. */
#include "eksauth/pieces.h"

#define WHAT "askpass"

_Static_assert(EKSAUTH_ASKPASS_PIECE_MAX < EKSAUTH_CUT_SUDO,
               "a piece must pass sudo's PAM_MAX_RESP_SIZE");
_Static_assert((EKSAUTH_TOKEN_MAX_LEN + EKSAUTH_ASKPASS_PIECE_MAX - 2) /
                       (EKSAUTH_ASKPASS_PIECE_MAX - 1) <=
                   EKSAUTH_PIECES_MAX,
               "the longest token must fit in the module's number of answers");

static const char usage_text[] =
    "usage: eksauth askpass [--builtin] PROMPT\n"
    "  An SSH_ASKPASS / SUDO_ASKPASS program for pam_eksauth: answers \"EKS token for\n"
    "  eksauth:CLUSTER:HOST: \" with the first piece of a fresh token for that host alone,\n"
    "  and \"EKS token (continued): \" with the next one.  A host that calls itself by\n"
    "  another name than the one you reached gets no token.  Any other prompt (a host\n"
    "  key, a password) is asked on the terminal, or refused when there is none.  After\n"
    "  the host refused a token, the same ssh or sudo gets no other.\n"
    "  Settings come from the environment:\n"
    "  EKSAUTH_CLUSTER        the cluster the host must map through (optional check)\n"
    "  EKSAUTH_HOST           names of the host you mean, beside the one given to ssh\n"
    "  EKSAUTH_REGION         the STS region (optional)\n"
    "  EKSAUTH_TOKEN_COMMAND  a shell command printing a token or an ExecCredential for\n"
    "                         $EKSAUTH_AUDIENCE; STS checks its audience.  Default: aws eks\n"
    "                         get-token --cluster-name $EKSAUTH_AUDIENCE --output json, with\n"
    "                         the --role-arn, --profile and AWS_* variables of the exec\n"
    "                         section kubectl runs for the host's cluster (your kubeconfig)\n"
    "  EKSAUTH_PARTITION, EKSAUTH_STS_CONNECT_TO, EKSAUTH_STS_CA_FILE\n"
    "                         how STS is asked about that command's token: a host's\n"
    "                         partition, sts_connect_to and sts_ca_file (eksauth.conf(5))\n"
    "  EKSAUTH_BUILTIN=1      sign with eksauth's own signer, as --builtin\n"
    "  EKSAUTH_ASKPASS_DIR    the private folder of the token between prompts\n";

/* ------------------------------------------------------------- prompts */

/*
 * Whether named is this machine: the host_name of its eksauth config (the
 * default path only, and only when root's alone: the user's environment
 * does not choose it), else its own name.
 */
static bool this_host_is(const char *named)
{
    char self[EKSAUTH_HOST_NAME_MAX + 2];
    struct eksauth_config cfg;
    bool loaded, same;

    loaded = eksauth_config_init(&cfg, NULL) == EKSAUTH_OK &&
             eksauth_config_load(&cfg, EKSAUTH_CONFIG_PATH, true, NULL) == EKSAUTH_OK;
    same = eksauth_config_host_name(loaded ? &cfg : NULL, self) &&
           eksauth_host_name_matches(self, named);
    eksauth_config_free(&cfg);
    return same;
}

/* Whether the process that asks (our parent: ssh and sudo start askpass themselves) is name. */
static bool parent_named(const char *name)
{
    char path[64], comm[32];
    ssize_t got;
    int fd;

    snprintf(path, sizeof(path), "/proc/%ld/comm", (long)getppid());
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    got = read(fd, comm, sizeof(comm) - 1);
    close(fd);
    if (got <= 0)
        return false;
    comm[got] = '\0';
    comm[strcspn(comm, "\n")] = '\0';
    return strcmp(comm, name) == 0;
}

/*
 * Only sudo passes a bare prompt that is this machine's own: an ssh
 * before OpenSSH 8.5 passes a server's prompt bare too, without the
 * "(user@host) " that says which host it reached.
 */
static bool asked_by_sudo(void)
{
    return parent_named("sudo");
}

/* What the asking process's program prints for -V (ssh: its version), into out. */
static void parent_version(char *out, size_t outlen)
{
    char exe[64];
    size_t len = 0;
    ssize_t n;
    int fds[2], devnull;
    pid_t pid;

    out[0] = '\0';
    snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)getppid());
    if (pipe(fds) != 0)
        return;
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        /* Our standard output is ssh's answer: the child writes nothing there. */
        devnull = open("/dev/null", O_RDWR);
        if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0 ||
            dup2(fds[1], STDERR_FILENO) < 0)
            _exit(127);
        close(fds[0]);
        /* ssh -V answers at once; whatever else it is must not hold up the prompt. */
        alarm(5);
        execl(exe, "ssh", "-V", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    while (pid > 0 && len + 1 < outlen && (n = read(fds[0], out + len, outlen - 1 - len)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        len += (size_t)n;
    }
    out[len] = '\0';
    close(fds[0]);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
}

/*
 * Whether the "(user@host) " before the prompt can be the server's: the
 * asking process is ssh, but not an OpenSSH that writes it itself (8.5 and
 * later); an older one passes the server's text as it came, prefix and
 * all.  Where the asker's name cannot be read (no /proc), as before.
 */
static bool prefix_is_servers(void)
{
    char version[256];

    /* slogin: another name of ssh (a link to it on Debian, for one). */
    if (!parent_named("ssh") && !parent_named("slogin"))
        return false;
    parent_version(version, sizeof(version));
    return !eksauth_openssh_writes_prefix(version);
}

/*
 * Whether one of the names in hosts (EKSAUTH_HOST: blanks or commas between
 * them) is named or a first part of it.  The list is read whole: a copy
 * cut to a buffer would end in the first letters of a name ("h" of
 * h.example.org), which would take any host h.*.
 */
static bool hosts_name(const char *hosts, const char *named)
{
    const char *p = hosts;
    char name[EKSAUTH_HOST_NAME_MAX + 1];
    size_t n;

    while (p != NULL && *p != '\0') {
        p += strspn(p, " ,");
        n = strcspn(p, " ,");
        /* A name too long to be one matches nothing (eksauth_host_name_matches). */
        if (n > 0 && n < sizeof(name)) {
            memcpy(name, p, n);
            name[n] = '\0';
            if (eksauth_host_name_matches(name, named))
                return true;
        }
        p += n;
    }
    return false;
}

/*
 * Whom to mint for: the audience the host's prompt names, only when it is
 * a host audience (audience.h: a token for the cluster itself would hand
 * the host the user's cluster access), of the cluster the user means
 * (EKSAUTH_CLUSTER, when set), and of a host the user meant to reach: the
 * name they gave ssh (an OpenSSH of 8.5 or later writes it before the
 * prompt, the server cannot; an older one's prompt counts as bare),
 * a name the user put in EKSAUTH_HOST, or for
 * sudo, where neither is known, this machine's own names.  So a host can
 * obtain a token for itself only, never for another host.  A bare prompt
 * from anything but sudo (an ssh before OpenSSH 8.5) names no host the
 * user reached: refused unless EKSAUTH_HOST names it, or the server that
 * ssh reached could ask for this machine's audience.
 */
static enum eksauth_status check_audience(const char *audience, const char *ssh_host,
                                          struct eksauth_error *err)
{
    const char *cluster = client_env("EKSAUTH_CLUSTER"), *hosts = client_env("EKSAUTH_HOST");
    char want_cluster[EKSAUTH_CLUSTER_ID_MAX + 1], named[EKSAUTH_HOST_NAME_MAX + 1];

    if (!eksauth_audience_parse(audience, want_cluster, sizeof(want_cluster), named, sizeof(named)))
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "the host asks for a token for \"%.128s\", which is no host "
                            "audience (eksauth:CLUSTER:HOST): a token the cluster accepts would "
                            "give the host your cluster access; not answered",
                            audience);
    if (cluster != NULL && strcmp(cluster, want_cluster) != 0)
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "the host maps through cluster \"%s\", not EKSAUTH_CLUSTER=%s; not "
                            "answered",
                            want_cluster, cluster);
    if (ssh_host[0] != '\0' && eksauth_host_name_matches(ssh_host, named))
        return EKSAUTH_OK;
    if (hosts_name(hosts, named))
        return EKSAUTH_OK;
    if (ssh_host[0] == '\0' && hosts == NULL) {
        /* sudo on this machine: no ssh destination, so the host must be this one. */
        if (asked_by_sudo())
            return this_host_is(named)
                       ? EKSAUTH_OK
                       : eksauth_fail(err, EKSAUTH_EREJECTED,
                                      "sudo asks for a token for \"%s\", which is not this "
                                      "machine; if that is the host you mean, set "
                                      "EKSAUTH_HOST=%s",
                                      named, named);
        /* Why: an old ssh's bare prompt comes from the server; "this machine" is not its name. */
        return eksauth_fail(err, EKSAUTH_EREJECTED,
                            "the prompt for \"%s\" does not say which host you reached (ssh "
                            "before OpenSSH 8.5 leaves out its \"(user@host) \", and only sudo "
                            "asks without it): a token for it is not sent; if that is the host "
                            "you mean, set EKSAUTH_HOST=%s (or update OpenSSH)",
                            named, named);
    }
    return eksauth_fail(err, EKSAUTH_EREJECTED,
                        "the host calls itself \"%s\", but you reached \"%s\": a token for it is "
                        "not sent; if that is the host you mean, set EKSAUTH_HOST=%s",
                        named, ssh_host[0] != '\0' ? ssh_host : hosts, named);
}

/* ------------------------------------------------------------- answers */

/* The next piece: at most EKSAUTH_ASKPASS_PIECE_MAX bytes with its '\' when more follows. */
static size_t piece_len(const struct askpass_state *s, bool *more)
{
    size_t left = s->t.len - s->offset;

    *more = left > EKSAUTH_ASKPASS_PIECE_MAX;
    return *more ? EKSAUTH_ASKPASS_PIECE_MAX - 1 : left;
}

/*
 * Whether this process's token was still being sent (its file, alive, with
 * pieces left): then its file goes, and the mark says a token was sent, so
 * that no later first prompt of this process mints either.
 */
static bool restarted_mid_token(const char *path, struct askpass_state *s, time_t now)
{
    bool mid = askpass_state_load(path, s, NULL) == EKSAUTH_OK && s->t.expires > now;

    OPENSSL_cleanse(s, sizeof(*s));
    if (mid) {
        (void)unlink(path);
        askpass_mark_done(path, ASKPASS_DONE_SENT);
    }
    return mid;
}

/* One line on standard output: ssh and sudo read the answer up to the newline. */
static bool write_piece(const char *p, size_t n, bool more)
{
    char piece[EKSAUTH_ASKPASS_PIECE_MAX + 2];
    size_t len = n;
    bool ok;

    memcpy(piece, p, n);
    if (more)
        piece[len++] = EKSAUTH_PIECE_MORE;
    piece[len++] = '\n';
    ok = cli_write_all(STDOUT_FILENO, piece, len);
    OPENSSL_cleanse(piece, sizeof(piece));
    return ok;
}

/* The options and the one argument: -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, bool *builtin)
{
    static const struct option opts[] = {
        {"builtin", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *builtin_env = client_env("EKSAUTH_BUILTIN");
    int c;

    *builtin = builtin_env != NULL && strcmp(builtin_env, "0") != 0;
    optind = 1; /* the first getopt of this process (portable, unlike glibc's 0) */
    opterr = 0;
    /* "+": the prompt is never taken for an option, wherever it stands. */
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'b':
            *builtin = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        default:
            cli_option_error(WHAT, c, argv);
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        cli_error(WHAT, "expected one argument, the prompt (ssh and sudo pass it)");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/*
 * A prompt that is not one a token answers: the exit status.  The old
 * prompt is refused; any other is the person's, asked on the terminal.
 */
static int answer_not_ours(enum eksauth_prompt_kind kind, const char *prompt)
{
    int rc;

    if (kind == EKSAUTH_PROMPT_OLD) {
        /* It names no audience: whatever we minted, a cluster token would be the only fit. */
        cli_error(WHAT, "the host asks with a prompt that names no audience (an eksauth before "
                        "host tokens): it would take a token the cluster accepts too; not "
                        "answered (update eksauth on the host)");
        return EXIT_REJECTED;
    }
    /* A host key question, a password, a passphrase: the token is never the answer. */
    rc = askpass_ask_terminal(prompt);
    if (rc < 0) {
        askpass_refuse_prompt(prompt);
        rc = EXIT_REJECTED;
    }
    return rc;
}

/*
 * The first prompt, for audience (checked by the caller): a fresh token in
 * s, -1; or the exit status of a refusal, with nothing minted.
 */
static int start_token(const char *dir, const char *path, const char *audience, bool builtin,
                       struct askpass_state *s, time_t now)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    enum eksauth_status st;

    switch (askpass_done_before(path, now)) {
    case ASKPASS_DONE_SENT:
        cli_error(WHAT, "the host refused the token sent a moment ago (its reason, when it "
                        "gives one, is above): not making another.  Check the login name "
                        "(eksauth login-name) and your AWS credentials");
        return EXIT_REJECTED;
    case ASKPASS_DONE_FAILED:
        cli_error(WHAT, "no token (see the first error above): not trying again");
        return EXIT_USAGE;
    case ASKPASS_DONE_NONE:
        break;
    }
    /*
     * Why: a host that asks the first prompt again while pieces remain
     * (pam_eksauth asks for all of them) would otherwise have askpass mint
     * once a second for as long as it likes: an AssumeRole of the person's
     * role, or an STS check of a command's token, each time.
     */
    if (restarted_mid_token(path, s, now)) {
        cli_error(WHAT, "the host asked for a new token before the last one was whole (a "
                        "host that starts over is broken, or wants tokens): not making "
                        "another; run ssh again to retry");
        return EXIT_REJECTED;
    }
    /* A new authentication: a fresh token, whatever an earlier attempt left. */
    (void)unlink(path);
    /* A command's token comes back only once STS took it for this host (client_mint_token). */
    st = client_mint_token(builtin, audience, dir, &s->t, &err);
    if (st != EKSAUTH_OK) {
        cli_error(WHAT, "no token: %s", err.msg);
        askpass_mark_done(path, ASKPASS_DONE_FAILED);
        return EXIT_USAGE;
    }
    return -1;
}

/* The continued prompt: the token in progress in s, -1; or the exit status. */
static int resume_token(const char *path, struct askpass_state *s, time_t now)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    enum eksauth_status st;

    st = askpass_state_load(path, s, &err);
    if (st == EKSAUTH_ENOTFOUND) {
        cli_error(WHAT, "asked to continue, but no token is in progress for this %s",
                  "ssh or sudo (was the first prompt answered by eksauth askpass?)");
        return EXIT_REJECTED;
    }
    if (st != EKSAUTH_OK) {
        (void)unlink(path);
        return cli_fail(WHAT, &err);
    }
    if (s->t.expires <= now) {
        /* A dead token is of no use to anyone: drop it and let ssh start over. */
        (void)unlink(path);
        cli_error(WHAT, "the token expired between prompts; try again");
        return EXIT_REJECTED;
    }
    return -1;
}

/* The next piece of s on standard output: the exit status. */
static int send_piece(const char *path, struct askpass_state *s)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    bool more = false;
    size_t n = piece_len(s, &more);

    /* The file first, then the answer: never send a piece the next prompt cannot follow. */
    if (more) {
        s->offset += n;
        if (askpass_state_save(path, s, &err) != EKSAUTH_OK)
            return cli_fail("askpass: token file", &err);
        s->offset -= n;
    }
    if (!write_piece(s->t.token + s->offset, n, more)) {
        cli_error(WHAT, "cannot write the answer: %s", strerror(errno));
        (void)unlink(path);
        return EXIT_USAGE;
    }
    if (!more) {
        (void)unlink(path); /* the last piece is sent: the token leaves the disk */
        askpass_mark_done(path, ASKPASS_DONE_SENT);
    }
    return 0;
}

int cmd_askpass(struct eksauth_cli *cli, int argc, char **argv)
{
    struct eksauth_error err = {EKSAUTH_OK, ""};
    struct askpass_state *s = NULL;
    enum eksauth_prompt_kind kind;
    char dir[4096], path[4096];
    char ssh_host[EKSAUTH_HOST_NAME_MAX + 1], audience[EKSAUTH_AUDIENCE_MAX + 1];
    const char *prompt;
    time_t now = time(NULL);
    bool builtin;
    int rc;

    (void)cli;
    rc = parse_args(argc, argv, &builtin);
    if (rc >= 0)
        goto out;
    prompt = argv[optind];
    kind = eksauth_prompt_classify(prompt, ssh_host, sizeof(ssh_host), audience, sizeof(audience));
    if (kind == EKSAUTH_PROMPT_OLD || kind == EKSAUTH_PROMPT_OTHER) {
        rc = answer_not_ours(kind, prompt);
        goto out;
    }
    /*
     * Why: ssh and sudo read the answer through a pipe; on a terminal a
     * token would stay on the screen and in its scrollback.
     */
    if (isatty(STDOUT_FILENO)) {
        cli_error(WHAT, "%s",
                  "this prompt's answer is a token, and standard output is a "
                  "terminal: not shown, none minted (ssh and sudo run askpass for you: eksauth "
                  "ssh HOST, or sudo -A with SUDO_ASKPASS the path of eksauth-askpass)");
        rc = EXIT_USAGE;
        goto out;
    }
    /* Why: only ssh's own "(user@host) " names the host the user reached. */
    if (kind == EKSAUTH_PROMPT_FOR && ssh_host[0] != '\0' && prefix_is_servers())
        ssh_host[0] = '\0';
    /* Only the host the user meant gets a token, and only one for it alone. */
    if (kind == EKSAUTH_PROMPT_FOR && check_audience(audience, ssh_host, &err) != EKSAUTH_OK) {
        rc = cli_fail(WHAT, &err);
        goto out;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        cli_error(WHAT, "out of memory");
        rc = EXIT_USAGE;
        goto out;
    }
    if (askpass_state_dir(dir, sizeof(dir), &err) != EKSAUTH_OK ||
        askpass_state_path(dir, path, sizeof(path), &err) != EKSAUTH_OK) {
        rc = cli_fail("askpass: token folder", &err);
        goto out;
    }
    askpass_sweep_expired(dir, now);
    if (kind == EKSAUTH_PROMPT_FOR)
        rc = start_token(dir, path, audience, builtin, s, now);
    else
        rc = resume_token(path, s, now);
    if (rc < 0)
        rc = send_piece(path, s);
out:
    if (s != NULL) {
        OPENSSL_cleanse(s, sizeof(*s));
        free(s);
    }
    return rc;
}
