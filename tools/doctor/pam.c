/*
 * pam.c - the PAM services sshd and sudo as libpam runs them: each file
 * with its @include and include/substack lines followed into one flat
 * stack, and what each control does with pam_eksauth's answers.  In sshd's
 * stack pam_eksauth must be in auth (before pam_unix, a valid token ending
 * the stack, local accounts passing through to pam_unix: the break-glass
 * path), in account (its refusal enforced, require_token for sshd) and in
 * session (after every pam_env that reads the user's ~/.pam_environment).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "doctor.h"
#include "eksauth/ascii.h"
#include "eksauth/names.h"
#include "eksauth/pam_args.h"
#include "eksauth/pam_control.h"
#include "eksauth/printable.h"
#include "eksauth/setup.h"

/* The lines the fixes ask for: eksauth setup's (the same as pam_eksauth(8) and the examples). */
#define PAM_AUTH_LINE    EKSAUTH_SETUP_PAM_AUTH
#define PAM_ACCOUNT_LINE EKSAUTH_SETUP_PAM_ACCOUNT
#define PAM_SESSION_LINE EKSAUTH_SETUP_PAM_SESSION

struct pam_entry {
    char *where;      /* host path:line */
    char type[16];    /* auth, account, session, password */
    char *control;    /* as libpam cuts it: a bracket control without its brackets */
    char *module;     /* as written */
    char *args;       /* as written: pam_has_arg cuts them */
    bool newline;     /* the line ends in the newline libpam keeps (pam_next_line) */
    bool passed_over; /* Linux-PAM 1.5 joined it past a blank or comment line */
};

struct pam_stack {
    struct pam_entry *v;
    size_t n;
    bool found; /* the service file itself exists */
};

/*
 * How a continued line goes on past a blank or comment-only line: Linux-PAM
 * 1.5 and before (Debian 12, Amazon Linux 2023) pass over it and go on, 1.6
 * and later end the line there.  doctor checks the stack as 1.6 reads it and
 * the missing-module warning both ways, as debian/eksauth.prerm does.
 */
enum pam_join { PAM_JOIN_16, PAM_JOIN_15 };

static void pam_stack_free(struct pam_stack *st)
{
    size_t i;

    for (i = 0; i < st->n; i++) {
        free(st->v[i].where);
        free(st->v[i].control);
        free(st->v[i].module);
        free(st->v[i].args);
    }
    free(st->v);
    memset(st, 0, sizeof(*st));
}

static bool pam_add(struct doctor *d, struct pam_stack *st, const char *where, const char *type,
                    const char *control, const char *module, const char *args, bool newline,
                    bool passed_over)
{
    struct pam_entry *grown, *e;

    grown = realloc(st->v, (st->n + 1) * sizeof(*grown));
    if (grown == NULL)
        goto nomem;
    st->v = grown;
    e = &grown[st->n];
    memset(e, 0, sizeof(*e));
    fmt(e->type, sizeof(e->type), "%s", type);
    e->where = strdup(where);
    e->control = strdup(control);
    e->module = strdup(module);
    e->args = strdup(args);
    e->newline = newline;
    e->passed_over = passed_over;
    st->n++;
    if (e->where == NULL || e->control == NULL || e->module == NULL || e->args == NULL)
        goto nomem;
    return true;
nomem:
    d->nomem = true;
    return false;
}

static void lower_word(char *w)
{
    for (; *w != '\0'; w++)
        *w = eksauth_ascii_lower(*w);
}

/* A keyword control, in any case as libpam reads it (ASCII: no locale's rules). */
static bool is_keyword(const char *control, const char *keyword)
{
    return eksauth_ascii_eq_nocase(control, strlen(control), keyword);
}

/*
 * libpam's blanks between the words of a line (its tokenizer splits at
 * " \n\t"): \r, \v and \f belong to a word, so a line of a CRLF file
 * ends in a word with a \r (a module libpam cannot load, an option the
 * module does not know).
 */
static bool pam_blank(char c)
{
    return c == ' ' || c == '\t';
}

static char *pam_skip_blank(char *s)
{
    while (pam_blank(*s))
        s++;
    return s;
}

/* A line Linux-PAM 1.5 passes over inside a continued line: blank, or a comment. */
static bool pam_empty_line(const char *line)
{
    line += strspn(line, " \t");
    return *line == '\0' || *line == '#';
}

/*
 * The next line of a PAM file as libpam assembles it, joined in place: a
 * '#' ends it (the comment cut off); a line without one whose text ends
 * in a backslash (blanks may follow) goes on on the next line, the
 * backslash read as a blank; under PAM_JOIN_15 it passes over blank and
 * comment lines (*passed_over set), under PAM_JOIN_16 one ends it.
 * *no: the number of its first line; *newline: it ends in the newline
 * libpam keeps in its last word (no '#' cut it, and the file's last line
 * had one); *cut: the file ended while the line went on, which libpam
 * takes for a broken file (_pam_assemble_line's incomplete read).
 */
static char *pam_next_line(struct lines *l, enum pam_join join, unsigned *no, bool *passed_over,
                           bool *newline, bool *cut)
{
    char *line = next_line(l), *part = line, *end, *next;

    *passed_over = *cut = false;
    if (line == NULL)
        return NULL;
    *no = l->no;
    for (;;) {
        /* next_line cut the newline unless the file ended first. */
        *newline = l->p[-1] == '\0';
        end = strchr(part, '#');
        if (end != NULL) {
            *end = '\0';
            *newline = false;
            break;
        }
        for (end = part + strlen(part); end > part && pam_blank(end[-1]); end--)
            ;
        if (end == part || end[-1] != '\\')
            break;
        end[-1] = ' ';
        while ((next = next_line(l)) != NULL && join == PAM_JOIN_15 && pam_empty_line(next)) {
            /* Blanked out, so that the line joins past it. */
            memset(next, ' ', strlen(next));
            next[-1] = ' ';
            *passed_over = true;
        }
        if (next == NULL) {
            *cut = true;
            break;
        }
        next[-1] = ' '; /* the line's end, where next_line cut the newline */
        part = next;
    }
    return line;
}

/*
 * The next word of *s as libpam cuts it, NUL-terminated in place; NULL at
 * the line's end.  A word that starts with '[' runs to the first ']' not
 * after a backslash, "\]" kept as "]", and is given without its brackets,
 * whatever it is (a type, a keyword control, a module, an argument); the
 * next word may follow its ']' with no blank.  With no ']' it is the rest
 * of the line, and the newline libpam keeps in it when the line has one
 * (newline, from pam_next_line) names no module or file: given as "".
 */
static char *pam_word(char **s, bool newline)
{
    char *w = pam_skip_blank(*s), *from, *to;

    if (*w == '\0')
        return NULL;
    if (*w != '[') {
        for (from = w; *from != '\0' && !pam_blank(*from); from++)
            ;
        *s = *from != '\0' ? from + 1 : from;
        *from = '\0';
        return w;
    }
    for (from = to = ++w; *from != '\0' && *from != ']'; from++, to++) {
        if (from[0] == '\\' && from[1] == ']')
            from++;
        *to = *from;
    }
    *s = *from != '\0' ? from + 1 : from;
    if (*from == '\0' && newline)
        to = w;
    *to = '\0';
    return w;
}

/*
 * A file whose last line goes on past its end: libpam refuses the whole
 * file (pam_start fails for the service; an included file fails the
 * stack that includes it), so every login through it fails, root's too.
 */
static void pam_report_cut(struct doctor *d, const char *host, unsigned no, enum pam_join join)
{
    char where[WHERE_MAX];
    struct finding *f;

    at_line(where, host, no);
    f = report(d, LV_ERROR, "pam", where,
               "the file's last line ends in a backslash, which continues it past the end%s: "
               "libpam refuses the whole file, so every login through it fails, root's too",
               join == PAM_JOIN_15 ? " (past blank or comment lines, as Linux-PAM 1.5 joins them)"
                                   : "");
    set_fix(d, f, "take the backslash out of %s", where);
}

/*
 * Linux-PAM 1.5 and before (Debian 12, Amazon Linux 2023) read a file
 * into one buffer of 1024 bytes (pam_handlers.c, _pam_assemble_line),
 * with fgets into what is left of it: a continued line's parts go each
 * after the last (its backslash kept as a blank, the blanks and newline
 * after it dropped; a blank or comment line between passed over).  A line,
 * or a continued line's parts together, longer than 1023 bytes is cut
 * where the buffer ends and its rest read as a line of its own, whose
 * first word is no type libpam knows: a line that fails when run
 * (PAM_HT_MUST_FAIL).  A part whose backslash lands on the buffer's last
 * byte leaves fgets room for nothing: libpam reads nothing for ever and
 * the login hangs (pamtester on such a file).  1.6 reads lines of any
 * length, as doctor's other checks do.  Read here as 1.5 reads the file's
 * text, before pam_next_line joins it.
 */
#define PAM15_BUF 1024

struct pam15_read {
    const char *text, *pos, *end;
    unsigned no; /* the line number at pos */
};

/* One fgets into room bytes (room > 1): the piece read, *len its bytes, *no its line. */
static const char *pam15_fgets(struct pam15_read *r, size_t room, size_t *len, unsigned *no)
{
    const char *piece = r->pos, *nl = memchr(piece, '\n', (size_t)(r->end - piece));

    *len = nl != NULL ? (size_t)(nl - piece) + 1 : (size_t)(r->end - piece);
    if (*len > room - 1)
        *len = room - 1;
    *no = r->no;
    r->pos += *len;
    if (piece[*len - 1] == '\n')
        r->no++;
    return piece;
}

/* A line [first, last] Linux-PAM 1.5 cuts: its rest is a line that fails. */
static void pam_report_long(struct doctor *d, const char *host, unsigned first, unsigned last)
{
    char where[WHERE_MAX];
    struct finding *f;

    at_line(where, host, first);
    if (first == last) {
        f = report(d, LV_WARNING, "pam", where,
                   "the line is longer than 1023 bytes: Linux-PAM 1.5 (Debian 12, Amazon Linux "
                   "2023) reads its rest, from byte 1024, as a line of its own, of no type it "
                   "knows, and puts it in the stack as a line that fails when run");
        set_fix(d, f, "shorten %s to at most 1023 bytes", where);
        return;
    }
    f = report(d, LV_WARNING, "pam", where,
               "the line, continued to line %u, is longer than 1023 bytes joined: Linux-PAM 1.5 "
               "(Debian 12, Amazon Linux 2023) reads its rest, from byte 1024, as a line of its "
               "own, of no type it knows, and puts it in the stack as a line that fails when run",
               last);
    set_fix(d, f, "shorten the line %s and the lines continuing it to at most 1023 bytes together",
            where);
}

/* A line [first, last] whose backslash is the buffer's last byte: Linux-PAM 1.5 hangs. */
static void pam_report_hang(struct doctor *d, const char *host, unsigned first, unsigned last)
{
    static const char why[] = "Linux-PAM 1.5 (Debian 12, Amazon Linux 2023) then has no room "
                              "left to read the next line into, reads nothing for ever and never "
                              "ends reading the file: every login through it hangs, root's too";
    char where[WHERE_MAX];
    struct finding *f;

    at_line(where, host, first);
    if (first == last)
        f = report(d, LV_ERROR, "pam", where, "the line's backslash is its 1023rd byte: %s", why);
    else
        f = report(d, LV_ERROR, "pam", where,
                   "the line, continued to line %u, has a backslash at its 1023rd byte joined: %s",
                   last, why);
    set_fix(d, f,
            "shorten the line %s and the lines continuing it to at most 1022 bytes together "
            "(the backslash included)",
            where);
}

/* Each line of the file Linux-PAM 1.5 cuts or hangs at, said once. */
static void pam_check_long(struct doctor *d, const char *host, const char *text, size_t len)
{
    struct pam15_read r = {text, text, text + len, 1};
    const char *piece, *end, *s, *b;
    unsigned no, first, last = 0, cut_first = 0, cut_last = 0, said_to = 0;
    size_t used, n;

    while (r.pos < r.end) {
        /* One _pam_assemble_line: its pieces go into the buffer from byte used on. */
        for (used = 0, first = 0;;) {
            if (used == PAM15_BUF - 1) {
                pam_report_hang(d, host, first, last);
                return;
            }
            if (r.pos >= r.end)
                break;
            piece = pam15_fgets(&r, PAM15_BUF - used, &n, &no);
            end = piece + n;
            for (s = piece; s < end && (pam_blank(*s) || *s == '\n'); s++)
                ;
            /* Not cut at a newline: the buffer ended in the line, the rest comes next. */
            if (end[-1] != '\n' && r.pos < r.end) {
                cut_first = first != 0 ? first : no;
                cut_last = no;
            }
            if (s == end || *s == '#')
                continue; /* passed over, nothing kept */
            /* A line that starts inside a line is the rest of one cut: said for that one. */
            if (first == 0 && piece > text && piece[-1] != '\n' && cut_first > said_to) {
                pam_report_long(d, host, cut_first, cut_last);
                said_to = cut_last;
            }
            if (first == 0)
                first = no;
            last = no;
            if (memchr(s, '#', (size_t)(end - s)) != NULL)
                break;
            for (b = end; pam_blank(b[-1]) || b[-1] == '\n'; b--)
                ;
            if (b[-1] != '\\')
                break;
            used += (size_t)(b - piece);
        }
    }
}

/*
 * Read the service's file, following "@include X" and "include"/"substack"
 * controls into /etc/pam.d/X, into one flat list in the order libpam runs
 * it, its lines joined as join says.  only_type: keep that type alone (an
 * include control), or NULL.
 */
static void pam_read(struct doctor *d, const char *service, const char *only_type, int depth,
                     enum pam_join join, struct pam_stack *st)
{
    char host[PATH_MAX], where[WHERE_MAX];
    struct finding *f;
    struct lines l;
    char *text, *line, *s, *type, *module, *ctl;
    size_t len;
    unsigned no;
    bool passed_over, newline, cut;
    int rc;

    if (service[0] == '/')
        fmt(host, sizeof(host), "%s", service);
    else
        fmt(host, sizeof(host), "/etc/pam.d/%s", service);
    rc = slurp(d, host, &text, &len);
    if (rc != 0) {
        /* Said once: the PAM_JOIN_15 reading follows the same includes. */
        if (depth > 0 && join == PAM_JOIN_16) {
            f = report(d, LV_WARNING, "pam", host, "included, but %s", strerror(rc));
            set_fix(d, f, "restore %s (pam-auth-update --force writes the common-* files)", host);
        }
        return;
    }
    if (depth == 0)
        st->found = true;
    if (join == PAM_JOIN_16)
        pam_check_long(d, host, text, len);
    l = (struct lines){text, text + len, 0};
    while ((line = pam_next_line(&l, join, &no, &passed_over, &newline, &cut)) != NULL &&
           !d->nomem) {
        s = line;
        /* Said by the 1.6 reading, and by 1.5's when only its passing over led there. */
        if (cut && (join == PAM_JOIN_16 || passed_over))
            pam_report_cut(d, host, no, join);
        if ((type = pam_word(&s, newline)) == NULL)
            continue;
        at_line(where, host, no);
        /* Debian's "@include", its words cut alike. */
        if (strcmp(type, "@include") == 0) {
            module = pam_word(&s, newline);
            if (module != NULL && depth < INCLUDE_DEPTH)
                pam_read(d, module, only_type, depth + 1, join, st);
            continue;
        }
        if (type[0] == '-')
            type++;
        /* libpam reads the type and a keyword control in any case: so does doctor. */
        lower_word(type);
        ctl = pam_word(&s, newline);
        module = pam_word(&s, newline);
        if (module == NULL)
            continue;
        if (only_type != NULL && strcmp(type, only_type) != 0)
            continue;
        if (is_keyword(ctl, "include") || is_keyword(ctl, "substack")) {
            if (depth < INCLUDE_DEPTH)
                pam_read(d, module, type, depth + 1, join, st);
            continue;
        }
        pam_add(d, st, where, type, ctl, base_name(module), pam_skip_blank(s), newline,
                passed_over);
    }
    free(text);
}

/*
 * e's arguments, for pam_word to cut in place: a copy as long as the line
 * (Linux-PAM 1.6 reads a line of any length, pam_handlers.c's getline),
 * so an argument past a fixed buffer is never read cut short, where
 * "require_token=sshdx" would read as naming sshd.  NULL (d->nomem set)
 * when memory runs out.
 */
static char *pam_args_copy(struct doctor *d, const struct pam_entry *e)
{
    char *copy = strdup(e->args);

    if (copy == NULL)
        d->nomem = true;
    return copy;
}

/*
 * Whether e's module gets the argument word: its arguments cut as libpam
 * cuts them for it (pam_word), so "ignore_unknown_user\r" in a CRLF file
 * is not that option.
 */
static bool pam_has_arg(struct doctor *d, const struct pam_entry *e, const char *word)
{
    char *buf = pam_args_copy(d, e), *p = buf, *w;
    bool found = false;

    if (buf == NULL)
        goto out;
    while (!found && (w = pam_word(&p, e->newline)) != NULL)
        found = strcmp(w, word) == 0;
out:
    free(buf);
    return found;
}

static bool ends_stack(enum eksauth_pam_act a)
{
    return a == EKSAUTH_PAM_ACT_DONE || a == EKSAUTH_PAM_ACT_JUMP;
}

/* The first entry of type with module name, after index from; -1 when none. */
static ssize_t pam_find(const struct pam_stack *st, const char *type, const char *module,
                        size_t from)
{
    size_t i;

    for (i = from; i < st->n; i++)
        if (strcmp(st->v[i].type, type) == 0 && strcmp(st->v[i].module, module) == 0)
            return (ssize_t)i;
    return -1;
}

/*
 * A line that fails the stack when the module cannot be loaded (the
 * package removed, a broken build) locks every account out, break-glass
 * included: say so, with the line that survives it.  libpam then gives
 * the line PAM_MODULE_UNKNOWN: only "ignore" steps aside (ok and done
 * make it the stack's answer, a jump or reset leaves the outcome to the
 * lines it lands on), as the package's removal check reads it.  Every
 * type counts: the removal refuses a session line too.
 */
static void pam_check_missing_module(struct doctor *d, const struct pam_entry *e)
{
    struct finding *f;

    if (eksauth_pam_action(e->control, "module_unknown") == EKSAUTH_PAM_ACT_IGNORE)
        return;
    f = report(d, LV_WARNING, "pam", e->where,
               "%s: without pam_eksauth.so (the package removed) this line refuses every login, "
               "local accounts too",
               e->type);
    if (strcmp(e->type, "auth") == 0 || strcmp(e->type, "account") == 0 ||
        strcmp(e->type, "session") == 0)
        set_fix(d, f, "make the line \"%s\" (module_unknown=ignore), or run eksauth setup",
                strcmp(e->type, "auth") == 0      ? PAM_AUTH_LINE
                : strcmp(e->type, "account") == 0 ? PAM_ACCOUNT_LINE
                                                  : PAM_SESSION_LINE);
    else
        set_fix(d, f,
                "add module_unknown=ignore to the line's control, or take the line out "
                "(pam_eksauth has no %s stage)",
                e->type);
}

/* Whether st holds e's line read alike: then its warning is said once. */
static bool pam_has_entry(const struct pam_stack *st, const struct pam_entry *e)
{
    size_t i;

    for (i = 0; i < st->n; i++)
        if (strcmp(st->v[i].where, e->where) == 0 && strcmp(st->v[i].type, e->type) == 0 &&
            strcmp(st->v[i].control, e->control) == 0 && strcmp(st->v[i].module, e->module) == 0)
            return true;
    return false;
}

/*
 * Every pam_eksauth line of the stack as Linux-PAM 1.6 reads it (st), and
 * of the one 1.5 reads (old) where a line passed over a blank or comment
 * line, so that the two differ.
 */
static void pam_check_missing_modules(struct doctor *d, const struct pam_stack *st,
                                      const struct pam_stack *old)
{
    size_t i;

    for (i = 0; i < st->n; i++)
        if (strcmp(st->v[i].module, "pam_eksauth.so") == 0)
            pam_check_missing_module(d, &st->v[i]);
    for (i = 0; i < old->n; i++)
        if (old->v[i].passed_over && strcmp(old->v[i].module, "pam_eksauth.so") == 0 &&
            !pam_has_entry(st, &old->v[i]))
            pam_check_missing_module(d, &old->v[i]);
}

/* A pam_eksauth line that does not do its job: an error, mended by the line as documented. */
static void wrong_line(struct doctor *d, const struct pam_entry *e, const char *fix_line,
                       const char *problem)
{
    struct finding *f = report(d, LV_ERROR, "pam", e->where, "%s", problem);

    set_fix(d, f, "make the line \"%s\"", fix_line);
}

/* What pam_eksauth returns for a user it does not serve, under its options. */
static const char *local_return(struct doctor *d, const struct pam_entry *e)
{
    return pam_has_arg(d, e, "ignore_unknown_user") ? "ignore" : "user_unknown";
}

static void pam_check_auth(struct doctor *d, const char *service, const struct pam_stack *st,
                           enum level missing)
{
    char host[PATH_MAX];
    const struct pam_entry *e;
    struct finding *f;
    ssize_t ie, iu;
    bool ok = true;

    fmt(host, sizeof(host), "/etc/pam.d/%s", service);
    ie = pam_find(st, "auth", "pam_eksauth.so", 0);
    if (ie < 0) {
        f = report(d, missing, "pam", host,
                   "no auth line with pam_eksauth: %s never asks for a token", service);
        set_fix(d, f, "add the line \"%s\" above \"@include common-auth\" in %s", PAM_AUTH_LINE,
                host);
        return;
    }
    e = &st->v[ie];
    /* A local account must pass pam_eksauth untouched: that is the break-glass path. */
    if (eksauth_pam_action(e->control, local_return(d, e)) != EKSAUTH_PAM_ACT_IGNORE) {
        wrong_line(d, e, PAM_AUTH_LINE,
                   "auth: local accounts (root too) are refused at pam_eksauth: its answer for a "
                   "user it does not serve is not ignored");
        ok = false;
    }
    iu = pam_find(st, "auth", "pam_unix.so", 0);
    if (iu >= 0 && iu < ie) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "auth: pam_eksauth comes after pam_unix (%s): common-auth ends in pam_deny, so "
                   "eksauth users never get the token prompt",
                   st->v[iu].where);
        set_fix(d, f, "move the pam_eksauth auth line above \"@include common-auth\" in %s", host);
        ok = false;
    } else if (iu < 0) {
        f = report(d, LV_ERROR, "pam", host,
                   "auth: no local path after pam_eksauth (no pam_unix): root and local accounts "
                   "cannot log in, not even when STS or eksauth is down");
        set_fix(d, f, "add \"@include common-auth\" below the pam_eksauth auth line in %s", host);
        ok = false;
    } else if (!ends_stack(eksauth_pam_action(e->control, "success"))) {
        wrong_line(d, e, PAM_AUTH_LINE,
                   "auth: a valid token does not end the stack: pam_unix then refuses eksauth "
                   "users (they have no password)");
        ok = false;
    }
    if (ok)
        report(d, LV_OK, "pam", e->where,
               "auth: pam_eksauth before the local modules; local accounts pass through");
}

/* What e's require_token options mean, as pam_eksauth reads them (pam_eksauth/options.c). */
struct pam_token {
    bool covered;    /* it asks the service for a token */
    bool every_list; /* a list that names no service or a name no service has: every service */
    size_t n_lists;  /* the lists it keeps, and one past them (EKSAUTH_PAM_MAX_REQUIRE_TOKEN + 1) */
};

/*
 * Whether e's arguments hold require_token for service: bare, or a list
 * that names no service or a name no service has, or one past the lists
 * pam_eksauth keeps, means every service (lib/pam_args.c, options.c).
 */
static struct pam_token requires_token(struct doctor *d, const struct pam_entry *e,
                                       const char *service)
{
    char *buf = pam_args_copy(d, e), *p = buf, *w;
    const char *v;
    struct pam_token t = {false, false, 0};

    /* Out of memory: not covered, so doctor never calls the line safe unread. */
    if (buf == NULL)
        goto out;
    while ((w = pam_word(&p, e->newline)) != NULL) {
        switch (eksauth_pam_arg_parse(w, &v)) {
        case EKSAUTH_PAM_ARG_REQUIRE_TOKEN:
            t.covered = true;
            break;
        case EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST:
            /* Such a list takes no place among the kept ones (options.c, add_token_list). */
            if (eksauth_pam_token_list_every(v)) {
                t.covered = t.every_list = true;
            } else if (t.n_lists == EKSAUTH_PAM_MAX_REQUIRE_TOKEN) {
                t.n_lists++;
                t.covered = true;
            } else if (t.n_lists < EKSAUTH_PAM_MAX_REQUIRE_TOKEN) {
                t.n_lists++;
                t.covered = t.covered || eksauth_pam_token_list_names(v, service);
            }
            break;
        default:
            break;
        }
    }
out:
    free(buf);
    return t;
}

/*
 * A name in one of e's require_token= lists that is no PAM service, into
 * name (PATH_MAX bytes): "other", libpam's file for a program with no file
 * of its own, which pam_eksauth still gets under the program's name; or a
 * file that host's stack st includes, whose lines run under the including
 * service's name (pam_start's, never the file's).  Such a name matches no
 * login.  False when the lists name none.
 */
static bool pam_token_no_service(struct doctor *d, const struct pam_entry *e, const char *host,
                                 const struct pam_stack *st, char *name)
{
    static const char pam_d[] = "/etc/pam.d/";
    const size_t dir = sizeof(pam_d) - 1;
    char *buf = pam_args_copy(d, e), *p = buf, *w;
    const char *v, *colon;
    bool found = false;
    size_t i, n;

    if (buf == NULL)
        goto out;
    while (!found && (w = pam_word(&p, e->newline)) != NULL) {
        if (eksauth_pam_arg_parse(w, &v) != EKSAUTH_PAM_ARG_REQUIRE_TOKEN_LIST ||
            eksauth_pam_token_list_every(v))
            continue;
        if (eksauth_pam_token_list_names(v, "other")) {
            fmt(name, PATH_MAX, "%s", "other");
            found = true;
        }
        for (i = 0; !found && i < st->n; i++) {
            /* An entry's where is "/etc/pam.d/FILE:LINE"; host's own file is the service's. */
            colon = strrchr(st->v[i].where, ':');
            n = colon == NULL ? 0 : (size_t)(colon - st->v[i].where);
            if (n <= dir || n - dir >= PATH_MAX || strncmp(st->v[i].where, pam_d, dir) != 0 ||
                (strncmp(st->v[i].where, host, n) == 0 && host[n] == '\0'))
                continue;
            memcpy(name, st->v[i].where + dir, n - dir);
            name[n - dir] = '\0';
            found = eksauth_pam_token_list_names(v, name);
        }
    }
out:
    free(buf);
    return found;
}

/*
 * How many of e's require_group= values pam_eksauth keeps (every one not
 * empty: EKSAUTH_PAM_MAX_REQUIRE_GROUPS counts them whatever they name); *usable:
 * how many name a group eksauth can make (lib/names.c).
 */
static size_t pam_count_groups(struct doctor *d, const struct pam_entry *e, size_t *usable)
{
    char *buf = pam_args_copy(d, e), *p = buf, *w;
    const char *v;
    size_t n = 0;

    *usable = 0;
    if (buf == NULL)
        goto out;
    while ((w = pam_word(&p, e->newline)) != NULL) {
        if (eksauth_pam_arg_parse(w, &v) != EKSAUTH_PAM_ARG_REQUIRE_GROUP || v[0] == '\0')
            continue;
        n++;
        if (eksauth_names_valid(v))
            (*usable)++;
    }
out:
    free(buf);
    return n;
}

/* More require_group= than pam_eksauth keeps on an account line: it refuses everyone. */
static void pam_check_group_count(struct doctor *d, const struct pam_entry *e, size_t n)
{
    struct finding *f;

    if (n <= EKSAUTH_PAM_MAX_REQUIRE_GROUPS || strcmp(e->type, "account") != 0)
        return;
    f = report(d, LV_ERROR, "pam", e->where,
               "account: %zu require_group= options, more than the %d pam_eksauth takes: it "
               "refuses every eksauth user",
               n, EKSAUTH_PAM_MAX_REQUIRE_GROUPS);
    set_fix(d, f,
            "name at most %d groups on the line (a Kubernetes group that aws-auth gives the "
            "roles of several can stand for them)",
            EKSAUTH_PAM_MAX_REQUIRE_GROUPS);
}

/*
 * Why no group has the name v, which eksauth_names_valid refuses: the
 * group names of the identity DB pass that rule (lib/iddb.c refuses any
 * other) and pam_eksauth compares them bytewise (lib/login.c), so no
 * eksauth user passes by such a require_group=.
 */
static const char *pam_group_why(const char *v)
{
    const unsigned char *p;

    for (p = (const unsigned char *)v; *p != '\0'; p++)
        if (*p == ',' || *p <= ' ' || *p == 0x7f)
            return "it holds a comma, a blank or a control character: pam_eksauth takes one "
                   "group per option";
    for (p = (const unsigned char *)v; *p != '\0'; p++)
        if ((*p >= 'A' && *p <= 'Z') || *p >= 0x80)
            return "it holds a capital or a byte past ASCII, and eksauth's group names are "
                   "lower case ASCII (pam_eksauth compares them exactly)";
    return "eksauth's group names start with a lower case letter or '_', hold only a-z, 0-9, "
           "'.', '_' and '-', and are at most 32 bytes";
}

/*
 * A require_group= value pam_eksauth cannot use as meant: empty, its
 * account stage refuses every eksauth user (options.c); a name no eksauth
 * group has, no one passes by it: an error when the line has no other
 * usable require_group= (usable: how many it has), as then the account
 * stage refuses every eksauth user.
 */
static void pam_check_group_arg(struct doctor *d, const struct pam_entry *e, const char *v,
                                const char *shown, size_t usable)
{
    struct finding *f;

    if (v[0] == '\0') {
        f = report(d, LV_ERROR, "pam", e->where,
                   "account: require_group= names no group: pam_eksauth refuses every eksauth "
                   "user");
        set_fix(d, f, "name the group (require_group=NAME), or take the option out");
        return;
    }
    if (eksauth_names_valid(v))
        return;
    f = report(d, usable > 0 ? LV_WARNING : LV_ERROR, "pam", e->where,
               "account: \"%s\" names no group eksauth has (%s): %s", shown, pam_group_why(v),
               usable > 0 ? "no eksauth user passes by it"
                          : "the line has no other require_group=, so the account stage refuses "
                            "every eksauth user");
    set_fix(d, f,
            "write each group as eksauth names it (lower case, as getent group shows it), one "
            "option each (require_group=A require_group=B), with no blank or CR after it");
}

/*
 * pam_eksauth's arguments that are no option of its (lib/pam_args.c): it
 * ignores them, except one named like a gate ("require..."), for which its
 * account stage refuses every eksauth user; and a relative config=, for
 * which the line reads no config.
 */
static void pam_check_args(struct doctor *d, const struct pam_stack *st)
{
    char *buf, shown[256], *p, *w;
    const char *v;
    enum eksauth_pam_arg a;
    struct finding *f;
    size_t i, usable;

    for (i = 0; i < st->n; i++) {
        if (strcmp(st->v[i].module, "pam_eksauth.so") != 0)
            continue;
        pam_check_group_count(d, &st->v[i], pam_count_groups(d, &st->v[i], &usable));
        if ((buf = pam_args_copy(d, &st->v[i])) == NULL)
            return;
        for (p = buf; (w = pam_word(&p, st->v[i].newline)) != NULL;) {
            a = eksauth_pam_arg_parse(w, &v);
            /* Shown with '?' for what would drive the terminal (the CR of a CRLF file). */
            eksauth_printable(w, shown, sizeof(shown));
            if (a == EKSAUTH_PAM_ARG_UNKNOWN_GATE && strcmp(st->v[i].type, "account") == 0) {
                f = report(d, LV_ERROR, "pam", st->v[i].where,
                           "account: \"%s\" is no option of pam_eksauth, and its name says it "
                           "narrows who logs in: pam_eksauth refuses every eksauth user",
                           shown);
                set_fix(d, f,
                        "write it as pam_eksauth(8) spells it (require_group=NAME, "
                        "require_token=SERVICE,...), or take it out");
            } else if (a == EKSAUTH_PAM_ARG_REQUIRE_GROUP &&
                       strcmp(st->v[i].type, "account") == 0) {
                pam_check_group_arg(d, &st->v[i], v, shown, usable);
            } else if (a == EKSAUTH_PAM_ARG_CONFIG && v[0] != '/') {
                /* pam_eksauth/options.c: never another file than the one meant. */
                f = report(d, LV_ERROR, "pam", st->v[i].where,
                           "%s: \"%s\" is not an absolute path: pam_eksauth reads no config on "
                           "this line and answers as when the config cannot be read",
                           st->v[i].type, shown);
                set_fix(d, f,
                        "name the config by its absolute path (config=%s), or take the option "
                        "out",
                        EKSAUTH_CONFIG_PATH);
            } else if (a == EKSAUTH_PAM_ARG_UNKNOWN || a == EKSAUTH_PAM_ARG_UNKNOWN_GATE) {
                f = report(d, LV_WARNING, "pam", st->v[i].where,
                           "%s: \"%s\" is no option of pam_eksauth: ignored", st->v[i].type, shown);
                set_fix(d, f, "write it as pam_eksauth(8) spells it, or take it out");
            }
        }
        free(buf);
    }
}

/*
 * pam_nologin after pam_eksauth's account line: the line's success=done
 * (or a jump) ends the stack for an eksauth user before pam_nologin runs,
 * so /run/nologin (shutdown, maintenance) no longer stops eksauth users,
 * while it stops local ones.  eksauth setup refuses such a file.
 */
static bool pam_check_nologin_after(struct doctor *d, const struct pam_stack *st, size_t ie)
{
    const struct pam_entry *e = &st->v[ie];
    struct finding *f;
    ssize_t in = pam_find(st, "account", "pam_nologin.so", ie + 1);

    if (in < 0 || !ends_stack(eksauth_pam_action(e->control, "success")))
        return true;
    f = report(d, LV_ERROR, "pam", st->v[in].where,
               "account: pam_nologin runs after pam_eksauth's account line (%s), whose success "
               "ends the stack: /run/nologin does not stop eksauth users",
               e->where);
    set_fix(d, f, "move the pam_nologin line above %s (eksauth setup puts pam_eksauth after it)",
            e->where);
    return false;
}

/*
 * Each gate module (eksauth_setup_account_gate, lib/setup.c) in the account stack after
 * pam_eksauth's account line (ie), under a control whose refusal would stop the login (a
 * "sufficient" pam_succeed_if only lets in): the line's success=done skips it for an eksauth user,
 * so a host that limits logins with it (authselect's with-pamaccess puts pam_access in
 * password-auth) no longer limits eksauth users.  A warning: eksauth has its own gates for them.
 */
static void pam_check_gates_after(struct doctor *d, const struct pam_stack *st, size_t ie)
{
    const struct pam_entry *e = &st->v[ie];
    const char *what;
    struct finding *f;
    enum eksauth_pam_act a, b;
    size_t i;

    if (!ends_stack(eksauth_pam_action(e->control, "success")))
        return;
    for (i = ie + 1; i < st->n; i++) {
        if (strcmp(st->v[i].type, "account") != 0 ||
            (what = eksauth_setup_account_gate(st->v[i].module)) == NULL)
            continue;
        a = eksauth_pam_action(st->v[i].control, "perm_denied");
        b = eksauth_pam_action(st->v[i].control, "auth_err");
        if (a != EKSAUTH_PAM_ACT_BAD && a != EKSAUTH_PAM_ACT_DIE && b != EKSAUTH_PAM_ACT_BAD &&
            b != EKSAUTH_PAM_ACT_DIE)
            continue;
        f = report(d, LV_WARNING, "pam", st->v[i].where,
                   "account: %.*s runs after pam_eksauth's account line (%s), whose success ends "
                   "the stack: it does not apply to eksauth users (%s does not limit them)",
                   (int)(strlen(st->v[i].module) - 3), st->v[i].module, e->where, what);
        set_fix(d, f,
                "limit eksauth users with require_group=GROUP on pam_eksauth's account line or "
                "deny_user in the config (eksauth.conf(5)), or put this %.*s line before %s",
                (int)(strlen(st->v[i].module) - 3), st->v[i].module, e->where);
    }
}

static void pam_check_account(struct doctor *d, const char *host, const struct pam_stack *st)
{
    const struct pam_entry *e;
    struct finding *f;
    ssize_t ie;
    enum eksauth_pam_act a;
    struct pam_token t;
    char name[PATH_MAX];
    bool ok = true;

    ie = pam_find(st, "account", "pam_eksauth.so", 0);
    if (ie < 0) {
        f = report(d, LV_ERROR, "pam", host,
                   "no account line with pam_eksauth: a role removed from aws-auth keeps logging "
                   "in where no token is asked (public keys)");
        set_fix(d, f, "add the line \"%s\" above \"@include common-account\" in %s",
                PAM_ACCOUNT_LINE, host);
        return;
    }
    e = &st->v[ie];
    a = eksauth_pam_action(e->control, "perm_denied");
    if (a == EKSAUTH_PAM_ACT_IGNORE || a == EKSAUTH_PAM_ACT_RESET) {
        /* Not wrong_line: this message names the line's control. */
        f = report(d, LV_ERROR, "pam", e->where,
                   "account: pam_eksauth's refusal is ignored (%s): revocation is not enforced",
                   e->control);
        set_fix(d, f, "make the line \"%s\"", PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (eksauth_pam_action(e->control, local_return(d, e)) != EKSAUTH_PAM_ACT_IGNORE) {
        wrong_line(d, e, PAM_ACCOUNT_LINE,
                   "account: local accounts (root too) are refused at pam_eksauth");
        ok = false;
    }
    t = requires_token(d, e, "sshd");
    if (!t.covered) {
        f = report(d, LV_ERROR, "pam", e->where,
                   "account: pam_eksauth has no require_token for sshd: an eksauth user passes "
                   "the account stage without having given a token, so a key planted in "
                   "~/.ssh/authorized_keys (or .shosts) after one token login logs in again");
        set_fix(d, f, "add require_token=sshd to the line: \"%s\"", PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (!pam_check_nologin_after(d, st, (size_t)ie))
        ok = false;
    pam_check_gates_after(d, st, (size_t)ie);
    if (t.every_list) {
        f = report(d, LV_WARNING, "pam", e->where,
                   "account: a require_token= list names no service, or holds a control "
                   "character, a blank or a byte past ASCII: pam_eksauth then asks every service "
                   "for a token "
                   "(sudo's NOPASSWD rules too) and logs an error each time");
        set_fix(d, f, "name the services: \"%s\"", PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (t.n_lists > EKSAUTH_PAM_MAX_REQUIRE_TOKEN) {
        f = report(d, LV_WARNING, "pam", e->where,
                   "account: more than %d require_token= lists, the most pam_eksauth keeps: it "
                   "then asks every service for a token (sudo's NOPASSWD rules too) and logs an "
                   "error each time",
                   EKSAUTH_PAM_MAX_REQUIRE_TOKEN);
        set_fix(d, f, "name the services in one list (require_token=sshd,login): \"%s\"",
                PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (pam_token_no_service(d, e, host, st, name)) {
        f = report(d, LV_WARNING, "pam", e->where,
                   "account: require_token= names \"%s\", which is no PAM service: libpam gives "
                   "pam_eksauth the name the program starts PAM with (sshd), never that of a file "
                   "it reads (an included one, or other for a program with no file of its own), "
                   "so no login matches it",
                   name);
        set_fix(d, f, "name the programs' services (require_token=sshd,login): \"%s\"",
                PAM_ACCOUNT_LINE);
        ok = false;
    }
    if (ok)
        report(d, LV_OK, "pam", e->where,
               "account: pam_eksauth enforces the current aws-auth and a token in every login");
}

/*
 * pam_env with user_readenv=1 sets what the user's ~/.pam_environment says,
 * EKS_* included: after pam_eksauth's session line it would have the last
 * word (sshd sets them again at setcred; other programs do not).
 */
static bool pam_check_env_after(struct doctor *d, const struct pam_stack *st, size_t is)
{
    struct finding *f;
    ssize_t ie;
    bool ok = true;

    for (ie = pam_find(st, "session", "pam_env.so", is + 1); ie >= 0;
         ie = pam_find(st, "session", "pam_env.so", (size_t)ie + 1)) {
        if (!pam_has_arg(d, &st->v[ie], "user_readenv=1"))
            continue;
        f = report(d, LV_ERROR, "pam", st->v[ie].where,
                   "session: pam_env with user_readenv=1 runs after pam_eksauth (%s): a user's "
                   "~/.pam_environment sets EKS_* over the module's values",
                   st->v[is].where);
        set_fix(d, f,
                "move the pam_eksauth session line below %s (eksauth setup puts it there), or "
                "take user_readenv=1 out of that line",
                st->v[ie].where);
        ok = false;
    }
    return ok;
}

static void pam_check_session(struct doctor *d, const char *host, const struct pam_stack *st)
{
    struct finding *f;
    ssize_t is = pam_find(st, "session", "pam_eksauth.so", 0);

    if (is >= 0) {
        if (pam_check_env_after(d, st, (size_t)is))
            report(d, LV_OK, "pam", st->v[is].where,
                   "session: pam_eksauth sets EKS_* (after every pam_env) and audits");
        return;
    }
    f = report(d, LV_ERROR, "pam", host,
               "no session line with pam_eksauth: sessions get no EKS_* environment and no "
               "audit line");
    set_fix(d, f, "add the line \"%s\" below \"@include common-session\" in %s", PAM_SESSION_LINE,
            host);
}

/*
 * The config pam_eksauth reads on e's line, into out (PATH_MAX bytes): the
 * last config= naming an absolute path, else "" (its default).  A line with
 * a relative one reads none (pam_eksauth/options.c): pam_check_args says so.
 */
static void pam_config_of(struct doctor *d, const struct pam_entry *e, char *out)
{
    char *buf = pam_args_copy(d, e), *p = buf, *w;
    const char *v;

    out[0] = '\0';
    if (buf == NULL)
        return;
    while ((w = pam_word(&p, e->newline)) != NULL)
        if (eksauth_pam_arg_parse(w, &v) == EKSAUTH_PAM_ARG_CONFIG && v[0] == '/')
            fmt(out, PATH_MAX, "%s", v);
    free(buf);
}

/* The first pam_eksauth line of the auth stage, else of the account stage; -1 when none. */
static ssize_t pam_config_line(const struct pam_stack *st)
{
    ssize_t i = pam_find(st, "auth", "pam_eksauth.so", 0);

    return i >= 0 ? i : pam_find(st, "account", "pam_eksauth.so", 0);
}

/*
 * sshd's stack as Linux-PAM 1.6 reads it, read on first use and kept in
 * d->sshd_pam: the config doctor checks and check_pam_sshd both come from
 * this one reading.  NULL (d->nomem set) when memory ran out.
 */
static struct pam_stack *sshd_stack(struct doctor *d)
{
    if (d->sshd_pam != NULL)
        return d->sshd_pam;
    d->sshd_pam = calloc(1, sizeof(*d->sshd_pam));
    if (d->sshd_pam == NULL) {
        d->nomem = true;
        return NULL;
    }
    pam_read(d, "sshd", NULL, 0, PAM_JOIN_16, d->sshd_pam);
    return d->sshd_pam;
}

void pam_sshd_free(struct doctor *d)
{
    if (d->sshd_pam == NULL)
        return;
    pam_stack_free(d->sshd_pam);
    free(d->sshd_pam);
    d->sshd_pam = NULL;
}

bool pam_sshd_config(struct doctor *d, char *path)
{
    size_t before = d->n_findings;
    struct pam_stack *st = sshd_stack(d);
    ssize_t i;

    path[0] = '\0';
    /* What the reading found is pam's to say, in its turn: check_pam_sshd. */
    hold_findings(d, before);
    if (st == NULL)
        return false;
    i = pam_config_line(st);
    if (i >= 0)
        pam_config_of(d, &st->v[i], path);
    return path[0] != '\0';
}

/*
 * pam_eksauth's auth and account lines naming different configs: the two
 * stages then decide by different settings (cluster_id, deny_user,
 * the identity DB), and doctor checks the auth line's (pam_sshd_config).
 */
static void pam_check_config_same(struct doctor *d, const struct pam_stack *st)
{
    ssize_t ia = pam_find(st, "auth", "pam_eksauth.so", 0);
    ssize_t ic = pam_find(st, "account", "pam_eksauth.so", 0);
    char a[PATH_MAX], c[PATH_MAX];
    struct finding *f;

    if (ia < 0 || ic < 0)
        return;
    pam_config_of(d, &st->v[ia], a);
    pam_config_of(d, &st->v[ic], c);
    if (strcmp(a, c) == 0)
        return;
    f = report(d, LV_WARNING, "pam", st->v[ic].where,
               "account: pam_eksauth reads the config %s here, and %s at its auth line (%s): the "
               "two stages decide by different settings (cluster_id, deny_user, the identity DB)",
               c[0] != '\0' ? c : EKSAUTH_CONFIG_PATH, a[0] != '\0' ? a : EKSAUTH_CONFIG_PATH,
               st->v[ia].where);
    set_fix(d, f, "give both lines the same config= (or none: %s)", EKSAUTH_CONFIG_PATH);
}

void check_pam_sshd(struct doctor *d)
{
    const char *host = "/etc/pam.d/sshd";
    struct pam_stack old = {NULL, 0, false}, *st;
    struct finding *f;

    give_held_findings(d);
    st = sshd_stack(d);
    if (st == NULL)
        return;
    pam_read(d, "sshd", NULL, 0, PAM_JOIN_15, &old);
    if (!st->found) {
        f = report(d, LV_ERROR, "pam", host, "missing: sshd has no PAM service");
        set_fix(d, f, "install -m 0644 %s/pam.d/sshd %s", EXAMPLES, host);
    } else {
        pam_check_missing_modules(d, st, &old);
        pam_check_args(d, st);
        pam_check_config_same(d, st);
        pam_check_auth(d, "sshd", st, LV_ERROR);
        pam_check_account(d, host, st);
        pam_check_session(d, host, st);
    }
    pam_stack_free(&old);
}

void check_pam_sudo(struct doctor *d)
{
    struct pam_stack st = {NULL, 0, false}, old = {NULL, 0, false};

    /* eksauth users have no password: sudo must ask pam_eksauth (or the rule be NOPASSWD). */
    pam_read(d, "sudo", NULL, 0, PAM_JOIN_16, &st);
    pam_read(d, "sudo", NULL, 0, PAM_JOIN_15, &old);
    if (st.found) {
        pam_check_missing_modules(d, &st, &old);
        pam_check_args(d, &st);
        pam_check_auth(d, "sudo", &st, LV_WARNING);
    }
    pam_stack_free(&st);
    pam_stack_free(&old);
}
