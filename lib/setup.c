/*
 * setup.c - the text of the host files `eksauth setup` writes and `eksauth
 * setup --undo` takes back (see setup.h): each file's edit as a pure
 * function, one text in and its new text out, on one set of line helpers
 * and setup's marked blocks.  setup_plan.c reads the files, decides with
 * these and writes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/ascii.h"
#include "eksauth/pam_control.h"
#include "eksauth/setup.h"

#define SUDOERS_HEAD                                                                               \
    "# /etc/sudoers.d/eksauth, written by eksauth setup (eksauth setup --undo removes it):\n"      \
    "# sudo for the POSIX group of the Kubernetes group system:masters.\n"
#define SUDOERS_RULE " ALL=(ALL:ALL) NOPASSWD: ALL\n"

/*
 * The drop-in, for the group of every login (%s).  A Match block ends
 * with the file that holds it, so the block is last and nothing of the
 * main sshd_config falls into it.  Its name sorts before the
 * distributions' own drop-ins (docs/al2023.md: 50-redhat.conf).
 */
#define SSHD_DROPIN_FMT                                                                            \
    "# /etc/ssh/sshd_config.d/40-eksauth.conf, written by eksauth setup (eksauth setup\n"          \
    "# --undo removes it).  sshd_config reads this folder first, in name order, and the\n"         \
    "# first value of a keyword wins: 40- comes before the distributions' own drop-ins\n"          \
    "# (50-redhat.conf turns keyboard-interactive off on Fedora and Amazon Linux 2023).\n"         \
    "#\n"                                                                                          \
    "# Tokens reach PAM as keyboard-interactive answers: the password method drops\n"              \
    "# answers over 1024 bytes.\n" SSHD_DROPIN_BODY

/* Below the head comment: the same in every version with a Match block. */
#define SSHD_DROPIN_BODY                                                                           \
    "UsePAM yes\n"                                                                                 \
    "KbdInteractiveAuthentication yes\n"                                                           \
    "\n"                                                                                           \
    "# Every eksauth login is in this group: each logs in with a token, and nothing\n"             \
    "# else stands in for one.  Local accounts (the break-glass one) are not in it.\n"             \
    "Match Group %s\n"                                                                             \
    "    # Only keyboard-interactive, where pam_eksauth asks for the token.\n"                     \
    "    AuthenticationMethods keyboard-interactive\n"                                             \
    "    # No key counts, not even one planted in ~/.ssh/authorized_keys after a login.\n"         \
    "    AuthorizedKeysFile none\n"                                                                \
    "    PubkeyAuthentication no\n"                                                                \
    "    # Nor a ~/.shosts or ~/.rhosts file.\n"                                                   \
    "    HostbasedAuthentication no\n"

/*
 * What setup wrote as /etc/ssh/sshd_config.d/eksauth.conf, a name that
 * sorts after 50-redhat.conf: still its own, to move or take back.
 */
#define SSHD_DROPIN_V2_FMT                                                                         \
    "# /etc/ssh/sshd_config.d/eksauth.conf, written by eksauth setup (eksauth setup --undo\n"      \
    "# removes it).  Debian's sshd_config reads this folder first, and the first value of\n"       \
    "# a keyword wins.\n"                                                                          \
    "#\n"                                                                                          \
    "# Tokens reach PAM as keyboard-interactive answers: the password method drops\n"              \
    "# answers over 1024 bytes.\n" SSHD_DROPIN_BODY

/* What setup wrote before the Match block: still its own, to replace or take back. */
static const char sshd_dropin_v1[] =
    "# /etc/ssh/sshd_config.d/eksauth.conf, written by eksauth setup (eksauth setup --undo\n"
    "# removes it).  Tokens reach PAM as keyboard-interactive answers: the password\n"
    "# method drops answers over 1024 bytes.  Debian's sshd_config reads this folder\n"
    "# first, and the first value of a keyword wins.\n"
    "UsePAM yes\n"
    "KbdInteractiveAuthentication yes\n";

/* The account line setup wrote before require_token: still its own. */
#define PAM_ACCOUNT_V1                                                                             \
    "account [success=done ignore=ignore module_unknown=ignore default=die] pam_eksauth.so "       \
    "ignore_unknown_user"

/* The first line of a sudo.conf that setup made (there was none): --undo removes the file. */
#define SUDO_CONF_HEAD                                                                             \
    "# /etc/sudo.conf, written by eksauth setup (eksauth setup --undo removes it)."

/* ------------------------------------------------------------------ */
/* text */

/* One line of a text: [start, start + len), without its newline. */
struct line {
    const char *start;
    size_t len;
};

/* The lines of text; a last line without a newline counts too.  NULL when out of memory. */
static struct line *split_lines(const char *text, size_t *n)
{
    struct line *v;
    const char *p = text, *nl;
    size_t count = 0, i = 0;

    for (nl = text; (nl = strchr(nl, '\n')) != NULL; nl++)
        count++;
    v = calloc(count + 2, sizeof(*v));
    if (v == NULL)
        return NULL;
    while (*p != '\0') {
        nl = strchr(p, '\n');
        v[i].start = p;
        v[i].len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        i++;
        p += v[i - 1].len + (nl != NULL ? 1 : 0);
    }
    *n = i;
    return v;
}

static bool line_is(const struct line *l, const char *s)
{
    return l->len == strlen(s) && memcmp(l->start, s, l->len) == 0;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The first word of a line, or an empty one for a blank line or a comment. */
static struct line first_word(const struct line *l)
{
    struct line w = {l->start, 0};
    size_t i = 0;

    while (i < l->len && is_blank(l->start[i]))
        i++;
    if (i < l->len && l->start[i] == '#')
        return w;
    w.start = l->start + i;
    while (i + w.len < l->len && !is_blank(w.start[w.len]))
        w.len++;
    return w;
}

/* Whether a line that is not a comment holds word (e.g. "pam_eksauth.so") anywhere. */
static bool line_names(const struct line *l, const char *word)
{
    size_t wl = strlen(word), i;

    if (first_word(l).len == 0)
        return false;
    for (i = 0; i + wl <= l->len; i++) {
        if (memcmp(l->start + i, word, wl) == 0)
            return true;
    }
    return false;
}

/* "@include NAME" with any blanks: Debian's own lines. */
static bool line_includes(const struct line *l, const char *name)
{
    struct line w = first_word(l), rest;
    size_t off;

    if (!line_is(&w, "@include"))
        return false;
    off = (size_t)(w.start - l->start) + w.len;
    rest.start = l->start + off;
    rest.len = l->len - off;
    while (rest.len > 0 && is_blank(rest.start[0])) {
        rest.start++;
        rest.len--;
    }
    while (rest.len > 0 && is_blank(rest.start[rest.len - 1]))
        rest.len--;
    return line_is(&rest, name);
}

/* A PAM line of this type ("auth", also "-auth"). */
static bool line_of_type(const struct line *l, const char *type)
{
    struct line w = first_word(l);

    if (w.len > 0 && w.start[0] == '-') {
        w.start++;
        w.len--;
    }
    return line_is(&w, type);
}

/* An in-memory text being built (open_memstream). */
struct text {
    FILE *f;
    char *buf;
    size_t len;
};

static bool text_open(struct text *t)
{
    t->buf = NULL;
    t->len = 0;
    t->f = open_memstream(&t->buf, &t->len);
    return t->f != NULL;
}

static void text_line(struct text *t, const char *s, size_t len)
{
    fwrite(s, 1, len, t->f);
    fputc('\n', t->f);
}

static void text_str(struct text *t, const char *s)
{
    text_line(t, s, strlen(s));
}

/*
 * Close the text into *out; false (and nothing in *out) when a write
 * failed.  A last line of orig without its newline stays without one, so a
 * file nothing was done to comes out byte for byte as it went in.
 */
static bool text_close(struct text *t, const char *orig, char **out)
{
    size_t olen = strlen(orig);
    bool ok = !ferror(t->f);

    ok = fclose(t->f) == 0 && ok;
    if (!ok) {
        free(t->buf);
        t->buf = NULL;
    } else if (olen > 0 && orig[olen - 1] != '\n' && t->len > 0 && t->buf[t->len - 1] == '\n') {
        t->buf[--t->len] = '\0';
    }
    *out = t->buf;
    return ok;
}

/* ------------------------------------------------------------------ */
/* nsswitch.conf */

static bool nss_word_char(char c)
{
    return c != '\0' && !is_blank(c) && c != '#' && c != '[' && c != ']';
}

/* One service or [action] item of an nsswitch.conf line's services: [start, start + len). */
struct nss_tok {
    size_t start, len;
    bool action;
};

#define NSS_TOKS 64 /* far more than a line names */

/* The services and [action]s of s (from after the ':' to a '#'), at most max. */
static size_t nss_tokens(const char *s, size_t len, struct nss_tok *t, size_t max)
{
    size_t i = 0, n = 0;

    while (i < len && n < max) {
        if (is_blank(s[i]) || s[i] == ']') {
            i++;
            continue;
        }
        t[n].start = i;
        t[n].action = s[i] == '[';
        if (t[n].action) {
            while (i < len && s[i] != ']')
                i++;
            i += i < len;
        } else {
            while (i < len && nss_word_char(s[i]))
                i++;
        }
        t[n].len = i - t[n].start;
        n++;
    }
    return n;
}

static bool nss_tok_is(const char *s, const struct nss_tok *t, const char *word)
{
    return !t->action && t->len == strlen(word) && memcmp(s + t->start, word, t->len) == 0;
}

/* A word of an [action] item: up to a blank, '=' or ']'. */
static struct line nss_action_word(const char **p, const char *end)
{
    struct line w;

    while (*p < end && is_blank(**p))
        (*p)++;
    w.start = *p;
    while (*p < end && !is_blank(**p) && **p != '=' && **p != ']')
        (*p)++;
    w.len = (size_t)(*p - w.start);
    return w;
}

bool eksauth_setup_nss_action_stops(const char *item, size_t len)
{
    static const char *const statuses[] = {"success", "notfound", "unavail", "tryagain"};
    const char *p = item, *end = item + len;
    struct line status, action;
    bool stops = false, negated, known;
    size_t k;

    if (p < end && *p == '[')
        p++;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p >= end || *p == ']')
            break;
        negated = *p == '!';
        p += negated;
        status = nss_action_word(&p, end);
        while (p < end && is_blank(*p))
            p++;
        if (p >= end || *p != '=')
            break;
        p++;
        action = nss_action_word(&p, end);
        for (known = false, k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
            known = known || eksauth_ascii_eq_nocase(status.start, status.len, statuses[k]);
        if (!known)
            break;
        /* "!STATUS=ACTION" is every status but STATUS; a later item for one wins. */
        if (eksauth_ascii_eq_nocase(status.start, status.len, "notfound") != negated)
            stops = eksauth_ascii_eq_nocase(action.start, action.len, "return");
    }
    return stops;
}

/* The first service of t[0, n) that is word; n when none. */
static size_t nss_index(const char *s, const struct nss_tok *t, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n && !nss_tok_is(s, &t[i], word); i++)
        ;
    return i;
}

/* files, else compat: the local accounts, which come first (the break-glass path). */
static size_t nss_local(const char *s, const struct nss_tok *t, size_t n)
{
    size_t files = nss_index(s, t, n, "files"), compat = nss_index(s, t, n, "compat");

    return files < compat ? files : compat;
}

static bool nss_stops(const char *s, const struct nss_tok *t)
{
    return t->action && eksauth_setup_nss_action_stops(s + t->start, t->len);
}

/*
 * Whether glibc asks eksauth (t[e]) for a name the local accounts do not
 * have: it comes after files (or compat) with no [action] between that
 * ends the lookup at NOTFOUND.  tools/doctor/nsswitch.c checks the same.
 */
static bool nss_asked(const char *s, const struct nss_tok *t, size_t n, size_t e)
{
    size_t local = nss_local(s, t, n), i;

    if (local >= e)
        return false;
    for (i = local + 1; i < e; i++) {
        if (nss_stops(s, &t[i]))
            return false;
    }
    return true;
}

/*
 * One passwd:/group:/initgroups: line (line number no) with eksauth added or taken
 * out, to t.  Added right after files (else compat), and after an [action]
 * of theirs unless it ends the lookup at NOTFOUND: then before it, so
 * eksauth is asked and the action ends the lookup after eksauth instead.
 * An eksauth that would not be asked (before files, or after such an
 * action: the package's postinst puts it after the action) is moved there.
 * Taken out: the word, the blanks before it and an [action] right after
 * it, but not one that ends the lookup at NOTFOUND and follows another
 * service: that one setup put eksauth in front of, and it goes back to the
 * service before.  EKSAUTH_EINVAL when the line lists neither files nor
 * compat.
 */
static enum eksauth_status nss_edit_line(struct text *t, const struct line *ln, size_t key_len,
                                         bool undo, unsigned no, struct eksauth_error *err)
{
    struct nss_tok tok[NSS_TOKS];
    char *line = strndup(ln->start, ln->len), *s, *hash;
    size_t svc_len, n, e, local, ins, cut_from, cut_to;

    if (line == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "nsswitch.conf: out of memory");
    s = line + key_len;
    hash = strchr(s, '#');
    svc_len = hash != NULL ? (size_t)(hash - s) : strlen(s);
    n = nss_tokens(s, svc_len, tok, NSS_TOKS);
    e = nss_index(s, tok, n, "eksauth");
    if (e < n && (undo || !nss_asked(s, tok, n, e))) {
        for (cut_from = tok[e].start; cut_from > 0 && is_blank(s[cut_from - 1]); cut_from--)
            ;
        cut_to = tok[e].start + tok[e].len;
        if (e + 1 < n && tok[e + 1].action && !(e > 0 && nss_stops(s, &tok[e + 1])))
            cut_to = tok[e + 1].start + tok[e + 1].len;
        memmove(s + cut_from, s + cut_to, strlen(s + cut_to) + 1);
        svc_len -= cut_to - cut_from;
        n = nss_tokens(s, svc_len, tok, NSS_TOKS);
        e = n;
    }
    if (undo || e < n) {
        text_str(t, line);
        free(line);
        return EKSAUTH_OK;
    }
    local = nss_local(s, tok, n);
    if (local == n) {
        free(line);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "line %u of nsswitch.conf, %.*s, lists neither files nor compat: the "
                            "local accounts (root, the break-glass account) must be found before "
                            "eksauth; put files first on it and run setup again",
                            no, (int)key_len, ln->start);
    }
    ins = tok[local].start + tok[local].len;
    if (local + 1 < n && tok[local + 1].action && !nss_stops(s, &tok[local + 1]))
        ins = tok[local + 1].start + tok[local + 1].len;
    fwrite(line, 1, key_len + ins, t->f);
    fputs(" eksauth", t->f);
    text_str(t, s + ins);
    free(line);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_setup_nsswitch(const char *text, bool undo, char **out,
                                           struct eksauth_error *err)
{
    /*
     * initgroups: is optional; where there is one, glibc's initgroups
     * (getgrouplist: the groups sshd, su and sudo give a login) reads it
     * instead of group:, so eksauth goes there too (eksauth doctor's error).
     */
    static const char *const keys[] = {"passwd:", "group:", "initgroups:"};
    bool seen[3] = {false, false, false};
    struct line *lines = NULL;
    struct text t;
    size_t n = 0, i, k;
    enum eksauth_status st = EKSAUTH_OK;

    *out = NULL;
    lines = split_lines(text, &n);
    if (lines == NULL || !text_open(&t)) {
        free(lines);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "nsswitch.conf: out of memory");
    }
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            if (lines[i].len >= strlen(keys[k]) &&
                memcmp(lines[i].start, keys[k], strlen(keys[k])) == 0)
                break;
        }
        if (k < 3 && !seen[k] && st == EKSAUTH_OK) {
            /* glibc reads the first line of each database only. */
            seen[k] = true;
            st = nss_edit_line(&t, &lines[i], strlen(keys[k]), undo, (unsigned)i + 1, err);
        } else {
            text_line(&t, lines[i].start, lines[i].len);
        }
    }
    free(lines);
    if (!text_close(&t, text, out))
        return st != EKSAUTH_OK ? st
                                : eksauth_fail(err, EKSAUTH_ENOMEM, "nsswitch.conf: out of memory");
    if (st == EKSAUTH_OK && !undo && (!seen[0] || !seen[1]))
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "nsswitch.conf has no %s line: add \"%s files eksauth\" by hand",
                          seen[0] ? "group:" : "passwd:", seen[0] ? "group:" : "passwd:");
    if (st != EKSAUTH_OK) {
        free(*out);
        *out = NULL;
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* pam.d/sshd */

static bool is_setup_line(const struct line *l)
{
    return line_is(l, EKSAUTH_SETUP_PAM_AUTH) || line_is(l, EKSAUTH_SETUP_PAM_ACCOUNT) ||
           line_is(l, PAM_ACCOUNT_V1) || line_is(l, EKSAUTH_SETUP_PAM_SESSION) ||
           line_is(l, EKSAUTH_SETUP_PAM_MKHOMEDIR) || line_is(l, EKSAUTH_SETUP_GROUP_SOURCE);
}

/*
 * The lines without setup's blocks (a mark and the setup lines right after
 * it), in place; returns how many are left.
 */
static size_t drop_blocks(struct line *v, size_t n)
{
    size_t i = 0, kept = 0;

    while (i < n) {
        if (line_is(&v[i], EKSAUTH_SETUP_MARK)) {
            for (i++; i < n && is_setup_line(&v[i]); i++)
                ;
            continue;
        }
        v[kept++] = v[i++];
    }
    return kept;
}

/*
 * Where the blocks go: before auth and account (account may be n: at the
 * end), after session; -1 when there is no place.  nologin: an account
 * line running pam_nologin.so after the account place (-1 when none).
 */
struct pam_places {
    long auth, account, session, nologin;
    bool has_mkhomedir;
};

/* "account include NAME" or "account substack NAME": a stack of the distribution's. */
static bool line_account_include(const struct line *l)
{
    struct line w = first_word(l), second;
    const char *p = w.start + w.len, *end = l->start + l->len;

    if (!line_of_type(l, "account"))
        return false;
    while (p < end && is_blank(*p))
        p++;
    second.start = p;
    for (second.len = 0; p + second.len < end && !is_blank(p[second.len]); second.len++)
        ;
    return line_is(&second, "include") || line_is(&second, "substack");
}

/*
 * The account block's success=done ends sshd's account stack for an
 * eksauth user: every account line after it is skipped.  So it goes where
 * the distribution's own stack starts (Debian's common-account, Fedora's
 * and AL2023's "account include password-auth"), after the host's gates in
 * front of it, pam_nologin among them (docs/al2023.md: /run/nologin must
 * still stop eksauth users).  Without such a line, right after the last
 * pam_nologin line, else before the first account line.
 *
 * The session block goes after common-session (else the last session
 * line) and after every pam_env line: pam_env with user_readenv=1 sets
 * whatever the user's ~/.pam_environment says, EKS_* included, so
 * pam_eksauth must come later and set them again.
 */
static void find_places(const struct line *v, size_t n, struct pam_places *p)
{
    long first_auth = -1, first_account = -1, account_include = -1, last_session = -1;
    long last_env = -1, last_nologin = -1;
    size_t i;

    p->auth = p->account = p->session = p->nologin = -1;
    p->has_mkhomedir = false;
    for (i = 0; i < n; i++) {
        if (p->auth < 0 && line_includes(&v[i], "common-auth"))
            p->auth = (long)i;
        if (p->account < 0 && line_includes(&v[i], "common-account"))
            p->account = (long)i;
        if (p->session < 0 && line_includes(&v[i], "common-session"))
            p->session = (long)i;
        if (first_auth < 0 && line_of_type(&v[i], "auth"))
            first_auth = (long)i;
        if (first_account < 0 && line_of_type(&v[i], "account"))
            first_account = (long)i;
        if (account_include < 0 && line_account_include(&v[i]))
            account_include = (long)i;
        if (line_of_type(&v[i], "account") && line_names(&v[i], "pam_nologin.so"))
            last_nologin = (long)i;
        if (line_of_type(&v[i], "session"))
            last_session = (long)i;
        if (line_of_type(&v[i], "session") && line_names(&v[i], "pam_env.so"))
            last_env = (long)i;
        if (line_names(&v[i], "pam_mkhomedir.so"))
            p->has_mkhomedir = true;
    }
    if (p->auth < 0)
        p->auth = first_auth;
    if (p->account < 0)
        p->account = account_include;
    if (p->account < 0 && last_nologin >= 0)
        p->account = last_nologin + 1;
    if (p->account < 0)
        p->account = first_account;
    if (p->account >= 0 && last_nologin >= p->account)
        p->nologin = last_nologin;
    if (p->session < 0)
        p->session = last_session >= 0 ? last_session : (long)n - 1;
    if (last_env > p->session)
        p->session = last_env;
}

/* The number (1-based) of the line of text that starts at l. */
static unsigned line_number(const char *text, const struct line *l)
{
    unsigned no = 1;
    const char *p;

    for (p = text; p < l->start; p++)
        no += *p == '\n';
    return no;
}

enum eksauth_status eksauth_setup_pam_sshd(const char *text, bool undo, char **out,
                                           unsigned *foreign, struct eksauth_error *err)
{
    struct pam_places at;
    struct line *v;
    struct text t;
    size_t n = 0, i;
    unsigned first_foreign = 0;
    bool in_block = false;

    *out = NULL;
    if (foreign != NULL)
        *foreign = 0;
    v = split_lines(text, &n);
    if (v == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "pam.d/sshd: out of memory");
    /* Line numbers of the file as it is, before any block is taken out. */
    for (i = 0; i < n && first_foreign == 0; i++) {
        if (line_is(&v[i], EKSAUTH_SETUP_MARK)) {
            in_block = true;
            continue;
        }
        in_block = in_block && is_setup_line(&v[i]);
        if (!in_block && line_names(&v[i], "pam_eksauth.so"))
            first_foreign = (unsigned)i + 1;
    }
    n = drop_blocks(v, n);
    find_places(v, n, &at);
    if (!undo && first_foreign != 0) {
        free(v);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "line %u names pam_eksauth.so and eksauth setup did not write it: take "
                            "your own pam_eksauth lines out first (setup writes its own), or keep "
                            "them and do not run setup",
                            first_foreign);
    }
    if (!undo && at.nologin >= 0) {
        unsigned nologin = line_number(text, &v[at.nologin]);
        unsigned place = line_number(text, &v[at.account]);

        free(v);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "line %u runs pam_nologin.so after line %u, where pam_eksauth's "
                            "account line goes (before the account stack it includes): that "
                            "line's success=done would skip pam_nologin, so /run/nologin would "
                            "not stop eksauth users: move the pam_nologin line above line %u and "
                            "run setup again, or add pam_eksauth's lines by hand (README.md, "
                            "\"Setting up a bastion\")",
                            nologin, place, place);
    }
    if (!undo && (at.auth < 0 || at.account < 0)) {
        free(v);
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "no %s line (nor @include common-%s) to put pam_eksauth in front of: "
                            "add its lines by hand (README.md, \"Setting up a bastion\")",
                            at.auth < 0 ? "auth" : "account", at.auth < 0 ? "auth" : "account");
    }
    if (!text_open(&t)) {
        free(v);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "pam.d/sshd: out of memory");
    }
    for (i = 0; i < n; i++) {
        if (!undo && (long)i == at.auth) {
            text_str(&t, EKSAUTH_SETUP_MARK);
            text_str(&t, EKSAUTH_SETUP_PAM_AUTH);
        }
        if (!undo && (long)i == at.account) {
            text_str(&t, EKSAUTH_SETUP_MARK);
            text_str(&t, EKSAUTH_SETUP_PAM_ACCOUNT);
        }
        text_line(&t, v[i].start, v[i].len);
        /* After a last line that runs pam_nologin. */
        if (!undo && at.account == (long)n && i + 1 == n) {
            text_str(&t, EKSAUTH_SETUP_MARK);
            text_str(&t, EKSAUTH_SETUP_PAM_ACCOUNT);
        }
        if (!undo && (long)i == at.session) {
            text_str(&t, EKSAUTH_SETUP_MARK);
            text_str(&t, EKSAUTH_SETUP_PAM_SESSION);
            if (!at.has_mkhomedir)
                text_str(&t, EKSAUTH_SETUP_PAM_MKHOMEDIR);
        }
    }
    free(v);
    if (!text_close(&t, text, out))
        return eksauth_fail(err, EKSAUTH_ENOMEM, "pam.d/sshd: out of memory");
    if (foreign != NULL)
        *foreign = first_foreign;
    return EKSAUTH_OK;
}

/* The account stage's gates (setup.h), each with what it reads. */
static const struct {
    const char *module, *what;
} account_gates[] = {
    {"pam_access.so", "/etc/security/access.conf"},
    {"pam_time.so", "/etc/security/time.conf"},
    {"pam_succeed_if.so", "its conditions"},
    {"pam_listfile.so", "its file"},
    {"pam_shells.so", "/etc/shells"},
    {"pam_wheel.so", "the wheel group"},
    {"pam_localuser.so", "/etc/passwd"},
    {"pam_usertype.so", "the account's type"},
    {"pam_sepermit.so", "/etc/security/sepermit.conf"},
};

const char *eksauth_setup_account_gate(const char *module)
{
    size_t i;

    for (i = 0; i < sizeof(account_gates) / sizeof(account_gates[0]); i++)
        if (strcmp(account_gates[i].module, module) == 0)
            return account_gates[i].what;
    return NULL;
}

/*
 * The next word of a PAM line from *at on (a "[...]" control one word
 * with its brackets, as libpam cuts it); empty at the line's end.
 */
static struct line pam_line_word(const struct line *l, size_t *at)
{
    struct line w = {l->start + l->len, 0};
    size_t i = *at;

    while (i < l->len && is_blank(l->start[i]))
        i++;
    if (i == l->len || l->start[i] == '#') {
        *at = l->len;
        return w;
    }
    w.start = l->start + i;
    if (l->start[i] == '[') {
        while (i < l->len && l->start[i] != ']')
            i++;
        i += i < l->len;
    } else {
        while (i < l->len && !is_blank(l->start[i]))
            i++;
    }
    w.len = (size_t)(l->start + i - w.start);
    *at = i;
    return w;
}

/*
 * Whether a module's refusal (perm_denied or auth_err) stops the login
 * under control, as libpam reads it (pam_control.h, the model eksauth
 * doctor warns by): bad or die.
 */
static bool control_refuses(const struct line *c)
{
    static const char *const values[] = {"perm_denied", "auth_err"};
    char control[1024];
    size_t k, n = c->len;
    const char *p = c->start;
    enum eksauth_pam_act a;

    /* libpam cuts a control's brackets before it reads it. */
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    /* Longer than any control libpam takes: taken as refusing (a warning too many). */
    if (n >= sizeof(control))
        return true;
    memcpy(control, p, n);
    control[n] = '\0';
    for (k = 0; k < 2; k++) {
        a = eksauth_pam_action(control, values[k]);
        if (a == EKSAUTH_PAM_ACT_BAD || a == EKSAUTH_PAM_ACT_DIE)
            return true;
    }
    return false;
}

/* Add a module's name, without ".so", to the ", "-separated names, once. */
static void add_gate_name(char *names, size_t n, const char *module)
{
    size_t used = strlen(names), len = strlen(module) - 3, k;
    const char *p = names;

    while (*p != '\0') {
        k = strcspn(p, ",");
        if (k == len && strncmp(p, module, len) == 0)
            return;
        p += k;
        p += strspn(p, ", ");
    }
    if (used + len + 3 > n)
        return;
    snprintf(names + used, n - used, "%s%.*s", used > 0 ? ", " : "", (int)len, module);
}

void eksauth_setup_pam_gates(const char *text, bool after_setup, char *names, size_t n,
                             void (*each_include)(const char *file, void *arg), void *arg)
{
    struct line *v, type, control, module;
    char file[256];
    const char *base, *slash;
    size_t count = 0, i, at;
    bool on = !after_setup;

    v = split_lines(text, &count);
    for (i = 0; v != NULL && i < count; i++) {
        if (!on) {
            on = line_is(&v[i], EKSAUTH_SETUP_PAM_ACCOUNT);
            continue;
        }
        at = 0;
        type = pam_line_word(&v[i], &at);
        control = pam_line_word(&v[i], &at);
        module = pam_line_word(&v[i], &at);
        if (line_is(&type, "@include") && control.len > 0 && control.len < sizeof(file)) {
            snprintf(file, sizeof(file), "%.*s", (int)control.len, control.start);
            each_include(file, arg);
            continue;
        }
        if (!line_of_type(&v[i], "account") || module.len == 0 || module.len >= sizeof(file))
            continue;
        snprintf(file, sizeof(file), "%.*s", (int)module.len, module.start);
        if (eksauth_ascii_eq_nocase(control.start, control.len, "include") ||
            eksauth_ascii_eq_nocase(control.start, control.len, "substack")) {
            each_include(file, arg);
            continue;
        }
        slash = strrchr(file, '/');
        base = slash != NULL ? slash + 1 : file;
        if (eksauth_setup_account_gate(base) != NULL && control_refuses(&control))
            add_gate_name(names, n, base);
    }
    free(v);
}

bool eksauth_setup_runs_pam_eksauth(const char *text)
{
    struct line *v;
    size_t n = 0, i;
    bool found = false;

    v = split_lines(text, &n);
    for (i = 0; v != NULL && i < n && !found; i++)
        found = line_names(&v[i], "pam_eksauth.so");
    free(v);
    return found;
}

/* ------------------------------------------------------------------ */
/* sudo.conf */

/* "Set group_source VALUE" (any blanks, keyword without case): VALUE, else an empty line. */
static struct line group_source_of(const struct line *l)
{
    static const char var[] = "group_source";
    struct line w = first_word(l), none = {l->start, 0};
    const char *p, *end = l->start + l->len;
    size_t vl = sizeof(var) - 1;

    if (!eksauth_ascii_eq_nocase(w.start, w.len, "Set"))
        return none;
    for (p = w.start + w.len; p < end && is_blank(*p); p++)
        ;
    if ((size_t)(end - p) <= vl || memcmp(p, var, vl) != 0 || !is_blank(p[vl]))
        return none;
    for (p += vl; p < end && is_blank(*p); p++)
        ;
    w.start = p;
    for (w.len = 0; p + w.len < end && !is_blank(p[w.len]) && p[w.len] != '#'; w.len++)
        ;
    return w;
}

bool eksauth_setup_sudo_group_source(const char *text, char *value, size_t n, unsigned *line)
{
    struct line *v, w;
    size_t count = 0, i;
    bool found = false;

    v = split_lines(text, &count);
    for (i = 0; v != NULL && i < count; i++) {
        w = group_source_of(&v[i]);
        if (w.len == 0)
            continue;
        snprintf(value, n, "%.*s", (int)w.len, w.start);
        *line = (unsigned)i + 1;
        found = true;
    }
    free(v);
    return found;
}

enum eksauth_status eksauth_setup_sudo_conf(const char *text, bool undo, char **out,
                                            struct eksauth_error *err)
{
    struct line *v = NULL, value;
    struct text t;
    size_t n = 0, i;
    bool own_dynamic = false;
    enum eksauth_status st = EKSAUTH_OK;

    *out = NULL;
    if (text == NULL) {
        if (undo)
            return EKSAUTH_OK;
        if (asprintf(out, "%s\n%s\n%s\n", SUDO_CONF_HEAD, EKSAUTH_SETUP_MARK,
                     EKSAUTH_SETUP_GROUP_SOURCE) < 0) {
            *out = NULL;
            return eksauth_fail(err, EKSAUTH_ENOMEM, "sudo.conf: out of memory");
        }
        return EKSAUTH_OK;
    }
    v = split_lines(text, &n);
    if (v == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "sudo.conf: out of memory");
    n = drop_blocks(v, n);
    /* sudo takes the last value: one of the operator's is theirs to change, not ours to beat. */
    for (i = 0; i < n; i++) {
        value = group_source_of(&v[i]);
        if (value.len == 0)
            continue;
        if (eksauth_ascii_eq_nocase(value.start, value.len, "dynamic")) {
            own_dynamic = true;
        } else if (!undo) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "a line sets group_source %.*s: sudo then matches the groups fixed "
                              "at login, so a group taken from a role keeps its sudo in open "
                              "sessions; make it \"%s\" and run setup again",
                              (int)value.len, value.start, EKSAUTH_SETUP_GROUP_SOURCE);
            goto out;
        }
    }
    /* Only setup's head line left: the file was setup's alone. */
    if (undo && n == 1 && line_is(&v[0], SUDO_CONF_HEAD))
        goto out;
    if (!text_open(&t)) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sudo.conf: out of memory");
        goto out;
    }
    for (i = 0; i < n; i++)
        text_line(&t, v[i].start, v[i].len);
    if (!undo && !own_dynamic) {
        text_str(&t, EKSAUTH_SETUP_MARK);
        text_str(&t, EKSAUTH_SETUP_GROUP_SOURCE);
    }
    if (!text_close(&t, undo || own_dynamic ? text : "\n", out))
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "sudo.conf: out of memory");
out:
    free(v);
    return st;
}

/* ------------------------------------------------------------------ */
/* whole files */

char *eksauth_setup_sshd_dropin(const char *users_group)
{
    char *s = NULL;

    if (asprintf(&s, SSHD_DROPIN_FMT, users_group) < 0)
        return NULL;
    return s;
}

/* Whether text is format (one "%s") with a valid group name in the place of its "%s". */
static bool is_dropin_of(const char *text, const char *format)
{
    const char *at = strstr(format, "%s");
    size_t head = (size_t)(at - format), tail = strlen(at + 2), len = strlen(text);
    char group[EKSAUTH_NAME_MAX + 1];
    size_t glen;

    if (len < head + tail || memcmp(text, format, head) != 0 ||
        strcmp(text + len - tail, at + 2) != 0)
        return false;
    glen = len - head - tail;
    if (glen == 0 || glen > EKSAUTH_NAME_MAX)
        return false;
    memcpy(group, text + head, glen);
    group[glen] = '\0';
    return eksauth_names_valid(group);
}

bool eksauth_setup_sshd_dropin_is_ours(const char *text)
{
    return strcmp(text, sshd_dropin_v1) == 0 || is_dropin_of(text, SSHD_DROPIN_V2_FMT) ||
           is_dropin_of(text, SSHD_DROPIN_FMT);
}

bool eksauth_setup_sshd_include(const char *text, size_t index, char *pattern, size_t size)
{
    struct line *v, kw;
    const char *p, *end, *arg;
    size_t n = 0, i, seen = 0, len;
    bool found = false;

    v = split_lines(text, &n);
    for (i = 0; v != NULL && i < n && !found; i++) {
        p = v[i].start;
        end = p + v[i].len;
        while (p < end && is_blank(*p))
            p++;
        if (p == end || *p == '#')
            continue;
        for (kw.start = p; p < end && !is_blank(*p) && *p != '='; p++)
            ;
        kw.len = (size_t)(p - kw.start);
        /* Every line after a Match is in a Match block (UsePAM is not allowed there). */
        if (eksauth_ascii_eq_nocase(kw.start, kw.len, "Match"))
            break;
        if (!eksauth_ascii_eq_nocase(kw.start, kw.len, "Include"))
            continue;
        while (p < end && is_blank(*p))
            p++;
        p += p < end && *p == '=';
        while (!found) {
            while (p < end && is_blank(*p))
                p++;
            if (p == end || *p == '#')
                break;
            if (*p == '"') {
                for (arg = ++p; p < end && *p != '"'; p++)
                    ;
                len = (size_t)(p - arg);
                p += p < end;
            } else {
                for (arg = p; p < end && !is_blank(*p); p++)
                    ;
                len = (size_t)(p - arg);
            }
            /* sshd takes a relative path as one in /etc/ssh (tools/doctor/sshd.c does too). */
            if (seen++ == index) {
                snprintf(pattern, size, "%s%.*s", len > 0 && arg[0] == '/' ? "" : "/etc/ssh/",
                         (int)len, arg);
                found = true;
            }
        }
    }
    free(v);
    return found;
}

char *eksauth_setup_sudoers(const char *group)
{
    char *s = NULL;

    if (asprintf(&s, SUDOERS_HEAD "%%%s" SUDOERS_RULE, group) < 0)
        return NULL;
    return s;
}

bool eksauth_setup_sudoers_is_ours(const char *text)
{
    size_t head = strlen(SUDOERS_HEAD), rule = strlen(SUDOERS_RULE), len = strlen(text);
    char group[EKSAUTH_NAME_MAX + 1];
    size_t glen;

    if (len < head + 1 + rule || memcmp(text, SUDOERS_HEAD, head) != 0 || text[head] != '%' ||
        strcmp(text + len - rule, SUDOERS_RULE) != 0)
        return false;
    glen = len - head - 1 - rule;
    if (glen == 0 || glen > EKSAUTH_NAME_MAX)
        return false;
    memcpy(group, text + head + 1, glen);
    group[glen] = '\0';
    return eksauth_names_valid(group);
}

enum eksauth_status eksauth_setup_sudo_group(const struct eksauth_config *cfg,
                                             char out[EKSAUTH_NAME_MAX + 1],
                                             struct eksauth_error *err)
{
    size_t i;

    for (i = 0; i < cfg->n_group_map; i++) {
        if (strcmp(cfg->group_map[i].from, "system:masters") == 0)
            return eksauth_fail(err, EKSAUTH_ENOTFOUND,
                                "group_map sends system:masters to the host's group %s, whose sudo "
                                "rules are the host's own",
                                cfg->group_map[i].to);
    }
    return eksauth_names_group("system:masters", cfg->group_prefix, out, err);
}

void eksauth_setup_users_group(const struct eksauth_config *cfg, char out[EKSAUTH_NAME_MAX + 1])
{
    if (cfg->users_group != NULL)
        snprintf(out, EKSAUTH_NAME_MAX + 1, "%s", cfg->users_group);
    else
        snprintf(out, EKSAUTH_NAME_MAX + 1, "%susers",
                 cfg->group_prefix != NULL ? cfg->group_prefix : "");
}
