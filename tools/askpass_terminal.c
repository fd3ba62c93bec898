/*
 * askpass_terminal.c - the prompts eksauth askpass does not answer with a
 * token (a host key question, a local password, a key's passphrase): the
 * person's to answer, on the terminal when there is one, else refused with
 * a message that shows the prompt safely and, for a host key, the ways to
 * accept it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "askpass.h"
#include "cli.h"

#define WHAT "askpass"

#define PROMPT_SHOW_MAX 120 /* bytes of a refused prompt quoted in the message */

/* A prompt for a message: printable ASCII only (it comes from a server), cut short. */
static void printable(char *dst, size_t dstlen, const char *src)
{
    size_t i = 0;

    for (; *src != '\0' && i + 4 < dstlen && i < PROMPT_SHOW_MAX; src++) {
        unsigned char c = (unsigned char)*src;

        dst[i++] = (c < 0x20 || c >= 0x7f || c == '"') ? '?' : (char)c;
    }
    if (*src != '\0') {
        memcpy(dst + i, "...", 3);
        i += 3;
    }
    dst[i] = '\0';
}

/*
 * The signals that would end or stop askpass while it reads with echo off
 * (those readpassphrase(3) catches): caught, the terminal is put back, and
 * the signal is raised again with the old disposition.  Without this, a
 * Ctrl-C at a password prompt left the person's terminal without echo.
 */
static const int ask_signals[] = {SIGALRM, SIGHUP,  SIGINT,  SIGPIPE, SIGQUIT,
                                  SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU};
#define N_ASK_SIGNALS (sizeof(ask_signals) / sizeof(ask_signals[0]))

static volatile sig_atomic_t ask_caught, ask_continued;

static void ask_on_signal(int signo)
{
    ask_caught = signo;
}

static void ask_on_continue(int signo)
{
    (void)signo;
    ask_continued = 1;
}

/*
 * Raise stop signal signo with the caller's disposition (set back by then):
 * true when it stopped askpass and a SIGCONT (fg, bg) woke it.  False when
 * it did not stop: ignored, or dropped, as the kernel drops a stop signal
 * for a process group that no shell controls (an orphaned one).
 */
static bool ask_stop(int signo)
{
    struct sigaction sa, old;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = ask_on_continue;
    ask_continued = 0;
    sigaction(SIGCONT, &sa, &old);
    raise(signo);
    sigaction(SIGCONT, &old, NULL);
    return ask_continued != 0;
}

/* The prompt, or as much as goes out before a signal is caught (then left to the caller). */
static void ask_write(int fd, const char *buf, size_t len)
{
    ssize_t n;

    while (len > 0 && ask_caught == 0) {
        n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

/*
 * One answer line from fd into answer (n bytes, without the newline): the
 * last read()'s result, 1 for a whole line; or 0 with ask_caught set.  The
 * signals are blocked except inside pselect(), so one that comes at any
 * moment ends the wait; fd is non-blocking, so a read never waits with
 * them blocked.
 */
static ssize_t ask_read_line(int fd, char *answer, size_t size, size_t *n, const sigset_t *waiting)
{
    ssize_t got;
    fd_set rfds;
    pid_t fg;

    *n = 0;
    while (*n < size - 1) {
        if (ask_caught != 0)
            return 0;
        got = read(fd, answer + *n, 1);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            FD_ZERO(&rfds);
            FD_SET(fd, &rfds);
            if (pselect(fd + 1, &rfds, NULL, NULL, NULL, waiting) < 0 && errno != EINTR)
                return -1;
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        /*
         * Read in the background (after Ctrl-Z and bg): with SIGTTIN blocked
         * the kernel fails the read with EIO instead of sending it.  Taken as
         * that SIGTTIN, so askpass stops until fg, as ssh's own prompt would.
         * (A terminal that is gone has no foreground: its EIO stays an error.)
         */
        if (got < 0 && errno == EIO && (fg = tcgetpgrp(fd)) > 0 && fg != getpgrp()) {
            ask_caught = SIGTTIN;
            return 0;
        }
        if (got <= 0)
            return got;
        if (answer[*n] == '\n' || answer[*n] == '\r')
            return 1;
        (*n)++;
    }
    return 1;
}

/*
 * A prompt that is not pam_eksauth's (a host key question, a local
 * password, a key's passphrase) is the person's to answer, as ssh would
 * ask it without askpass: on the terminal, when there is one.  The text
 * comes from a server: control characters are shown as '?'.  A yes/no
 * question echoes the answer; anything else (a password) does not.  A
 * signal while it waits puts the terminal back first (ask_signals); after
 * a stop (Ctrl-Z) and fg it asks again, as readpassphrase(3) does, and a
 * read in the background (bg) stops it again until fg.
 */
int askpass_ask_terminal(const char *prompt)
{
    struct termios saved, quiet;
    struct sigaction sa, old[N_ASK_SIGNALS];
    sigset_t block, waiting;
    char answer[1024], *shown;
    bool echo = strstr(prompt, "(yes/no") != NULL, restore;
    size_t n = 0, i;
    ssize_t got;
    int fd, flags, signo, rc = EXIT_REJECTED;

    fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    sigemptyset(&block);
    for (i = 0; i < N_ASK_SIGNALS; i++)
        sigaddset(&block, ask_signals[i]);
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = ask_on_signal; /* no SA_RESTART: the wait must end */
again:
    ask_caught = 0;
    restore = false;
    /*
     * Caught from before echo goes off: a background askpass's tcsetattr
     * gets SIGTTOU, fails, and stops below like ssh's own prompt would.
     */
    for (i = 0; i < N_ASK_SIGNALS; i++) {
        sigaction(ask_signals[i], NULL, &old[i]);
        /*
         * One the caller ignores stays ignored: caught, it would end the
         * prompt that the caller meant to go on (and an ignored SIGTTOU,
         * raised again by every tcsetattr below, would loop forever).
         */
        if (old[i].sa_handler != SIG_IGN)
            sigaction(ask_signals[i], &sa, NULL);
    }
    /* Writes and tcsetattr wait like ever: only reading is non-blocking. */
    (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    /* Echo off before the prompt shows: a password typed ahead never appears. */
    if (!echo && tcgetattr(fd, &saved) == 0) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
    }
    /* The prompt in one write, so an answer typed ahead is shown after it, not inside. */
    shown = ask_caught == 0 ? strdup(prompt) : NULL;
    for (i = 0; shown != NULL && shown[i] != '\0'; i++) {
        unsigned char c = (unsigned char)shown[i];

        if (c != '\n' && (c < 0x20 || c >= 0x7f))
            shown[i] = '?';
    }
    /* Not cli_write_all: with tostop, a background write is a SIGTTOU each time, caught. */
    if (shown != NULL)
        ask_write(fd, shown, i);
    free(shown);
    sigprocmask(SIG_BLOCK, &block, &waiting);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    got = ask_read_line(fd, answer, sizeof(answer), &n, &waiting);
    (void)fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    if (restore) {
        (void)tcsetattr(fd, TCSAFLUSH, &saved);
        (void)cli_write_all(fd, "\n", 1);
    }
    /*
     * Unblocked while the handlers are still ours: a signal that came after
     * the last read is caught here, so the answer is wiped before it acts.
     */
    sigprocmask(SIG_SETMASK, &waiting, NULL);
    for (i = 0; i < N_ASK_SIGNALS; i++)
        sigaction(ask_signals[i], &old[i], NULL);
    signo = ask_caught;
    if (signo != 0) {
        /* What was typed so far is wiped before the signal may end us. */
        OPENSSL_cleanse(answer, sizeof(answer));
        if (signo != SIGTSTP && signo != SIGTTIN && signo != SIGTTOU) {
            raise(signo);
            /* Still here: the signal was not fatal. */
            close(fd);
            return EXIT_REJECTED;
        }
        /*
         * Stopped and continued: ask again (in the background, the read
         * stops it again until fg).  Not stopped, yet in the background,
         * the read would only fail again at once: refused, never a loop.
         */
        if (ask_stop(signo) || tcgetpgrp(fd) == getpgrp())
            goto again;
        cli_error(WHAT, "in the background of the terminal, where it cannot read, and it "
                        "cannot stop there (the stop signal ignored, or no shell controls the "
                        "job): the prompt is not answered; run it in the foreground");
        close(fd);
        return EXIT_REJECTED;
    }
    answer[n] = '\n';
    if (got > 0 && cli_write_all(STDOUT_FILENO, answer, n + 1))
        rc = 0;
    OPENSSL_cleanse(answer, sizeof(answer));
    close(fd);
    return rc;
}

/* Whether the n bytes at s are all of set (the ASCII letters and digits, and set's others). */
static bool only_of(const char *s, size_t n, const char *others)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              (c != '\0' && strchr(others, c) != NULL)))
            return false;
    }
    return true;
}

/*
 * The host and "-p PORT " of ssh's question about an unknown host key:
 * "host '[NAME]:PORT (ADDR)'" or "host 'NAME (ADDR)'".  False when the text
 * is not one: a server's keyboard-interactive prompt may pose as it, and
 * what it names goes into commands offered to paste, so a name is a host
 * name's or an address's characters and a port is digits.
 */
static bool host_key_target(const char *prompt, char host[256], char port[16])
{
    const char *h = strstr(prompt, "authenticity of host '"), *p, *port_at = NULL;
    size_t len, hlen, plen = 0;

    if (h == NULL)
        return false;
    h += strlen("authenticity of host '");
    len = strcspn(h, " '");
    hlen = len;
    if (h[0] == '[' && (p = memchr(h, ']', len)) != NULL && p[1] == ':') {
        hlen = (size_t)(p - h - 1);
        port_at = p + 2;
        plen = len - (size_t)(port_at - h);
        h++;
    }
    /* Why: these go into commands the person may paste, and to their terminal. */
    if (hlen == 0 || hlen > 253 || !only_of(h, hlen, ".-_:"))
        return false;
    if (port_at != NULL && (plen == 0 || plen > 5 || strspn(port_at, "0123456789") < plen))
        return false;
    snprintf(host, 256, "%.*s", (int)hlen, h);
    port[0] = '\0';
    if (port_at != NULL)
        snprintf(port, 16, "-p %.*s ", (int)plen, port_at);
    return true;
}

/*
 * No terminal for a prompt that is not ours.  A host key question is
 * shown whole (the fingerprint is what the person must compare) with the
 * ways to accept it, for the host and port ssh names in it.
 */
void askpass_refuse_prompt(const char *prompt)
{
    char shown[PROMPT_SHOW_MAX + 8], host[256], port[16];
    const char *p;

    if (!host_key_target(prompt, host, port)) {
        printable(shown, sizeof(shown), prompt);
        cli_error(WHAT,
                  "not an eksauth prompt, not answered, and no terminal to ask you: \"%s\" "
                  "(answer it with ssh or sudo on a terminal)",
                  shown);
        return;
    }
    fprintf(stderr,
            "eksauth: %s: ssh does not know this host's key, and there is no terminal to "
            "ask you:\n",
            WHAT);
    for (p = prompt; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;

        fputc(c == '\n' || (c >= 0x20 && c < 0x7f) ? c : '?', stderr);
    }
    fprintf(stderr,
            "\neksauth: %s: compare the fingerprint with the host's own (ssh-keygen -lf "
            "/etc/ssh/ssh_host_ed25519_key.pub there), then accept it on a terminal with "
            "`eksauth ssh %s%s true`, or add it with `ssh-keyscan %s%s >> ~/.ssh/known_hosts`\n",
            WHAT, port, host, port, host);
}
