/*
 * creds.c - the AWS credentials chain of `eksauth token`, `whoami` and
 * `sync` (environment, the shared credentials file, instance metadata with
 * IMDSv2 and a process cache for it) and the signing region, with a small INI
 * reader that reads those files the way botocore's configparser does:
 * "[section]" headers, "key = value" or "key: value" options (keys
 * case-insensitive), '#' and ';' comment lines, continuation lines
 * (indented deeper than their option's line), lines ended by LF, CRLF or a
 * lone CR (Python's text mode), UTF-8; a line that is none of these, an option
 * name or a value taken holding a control byte or a non-ASCII character
 * (where Python's Unicode rules would read another name or value), is an
 * error naming its number.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "eksauth/ascii.h"
#include "eksauth/creds.h"
#include "eksauth/file.h"
#include "eksauth/imds.h"
#include "eksauth/json_secret.h"
#include "eksauth/partition.h"
#include "eksauth/printable.h"
#include "eksauth/timeutil.h"

#define TRIED_MAX 400

/* ------------------------------------------------------------------ */
/* helpers */

/*
 * The variable as set, an empty value too: where botocore takes an empty
 * AWS_PROFILE or region as the value (and fails), eksauth must not read on.
 */
static const char *env_raw(const struct eksauth_creds_options *opt, const char *name)
{
    return (opt != NULL && opt->getenv_fn != NULL) ? opt->getenv_fn(opt->getenv_arg, name)
                                                   : secure_getenv(name);
}

static const char *env_get(const struct eksauth_creds_options *opt, const char *name)
{
    /* secure_getenv: in a setuid process the caller's environment is not trusted. */
    const char *v = env_raw(opt, name);

    /* botocore treats an empty variable as unset (not AWS_PROFILE or a region: env_raw). */
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

static void free_secret(char **p)
{
    if (*p != NULL) {
        OPENSSL_cleanse(*p, strlen(*p));
        free(*p);
        *p = NULL;
    }
}

void eksauth_creds_free(struct eksauth_creds *creds)
{
    if (creds == NULL)
        return;
    free(creds->access_key_id);
    free_secret(&creds->secret_access_key);
    free_secret(&creds->session_token);
    memset(creds, 0, sizeof(*creds));
}

/* Append "what (why)" to the list of tried sources. */
static void tried_add(char *tried, const char *what, const char *why)
{
    size_t len = strlen(tried);

    if (len >= TRIED_MAX - 1)
        return;
    /* A long list is cut: it is a message, nothing reads it back. */
    if (snprintf(tried + len, TRIED_MAX - len, "%s%s (%s)", len > 0 ? ", " : "", what, why) < 0)
        tried[len] = '\0';
}

/*
 * A whole credentials or config file (file.h, wiped when let go of):
 * EKSAUTH_ENOTFOUND when it is not there (the chain moves on); any other
 * failure (not a regular file, too big, unreadable) EKSAUTH_EIO, the
 * message naming the file.
 */
static enum eksauth_status read_file(const char *path, char **out, size_t *outlen,
                                     struct eksauth_error *err)
{
    enum eksauth_status st =
        eksauth_file_read_secret(path, EKSAUTH_CREDS_FILE_MAX, out, outlen, err);

    if (st == EKSAUTH_EINVAL) {
        st = EKSAUTH_EIO;
        err->status = st;
    }
    return st;
}

static void free_file(char *buf, size_t len)
{
    if (buf != NULL) {
        /* The file holds the secrets of every profile. */
        OPENSSL_cleanse(buf, len);
        free(buf);
    }
}

/*
 * Python's os.path.expandvars (3.11, posixpath.py), as botocore's
 * raw_config_parse applies it to AWS_SHARED_CREDENTIALS_FILE and
 * AWS_CONFIG_FILE: "$NAME" (NAME a run of [A-Za-z0-9_]) and "${NAME}"
 * (anything but '}' between the braces) become the variable's value, set
 * but empty too; an unset one, or a '$' of neither form, stays as written;
 * a value put in is not expanded again.  A name with '=' is never set in
 * Python's os.environ.  EKSAUTH_EINVAL: longer than outlen.
 */
static bool py_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static enum eksauth_status py_expandvars(const struct eksauth_creds_options *opt, const char *in,
                                         char *out, size_t outlen)
{
    size_t n = 0, len;
    const char *p = in, *name, *after, *close, *value;
    char *var;

    while (*p != '\0') {
        name = value = NULL;
        len = 0;
        after = p + 1;
        if (p[0] == '$' && p[1] == '{' && (close = strchr(p + 2, '}')) != NULL) {
            name = p + 2;
            len = (size_t)(close - name);
            after = close + 1;
        } else if (p[0] == '$' && py_word_char(p[1])) {
            name = p + 1;
            while (py_word_char(name[len]))
                len++;
            after = name + len;
        }
        if (name != NULL && len > 0 && memchr(name, '=', len) == NULL) {
            if ((var = strndup(name, len)) == NULL)
                return EKSAUTH_ENOMEM;
            value = env_raw(opt, var);
            free(var);
        }
        if (value == NULL) {
            /* Not a variable, or one not set: as written. */
            value = p;
            len = (size_t)(after - p);
        } else {
            len = strlen(value);
        }
        if (n + len >= outlen)
            return EKSAUTH_EINVAL;
        memcpy(out + n, value, len);
        n += len;
        p = after;
    }
    out[n] = '\0';
    return EKSAUTH_OK;
}

/*
 * Python's os.path.expanduser (3.11, posixpath.py), after py_expandvars as
 * botocore applies them: a leading "~" up to the first '/' is HOME (set but
 * empty too), or with HOME unset the passwd entry's home of the real uid;
 * "~NAME" is NAME's passwd home.  An unknown home leaves the path as it is
 * (then relative, as botocore opens it).  The home's trailing '/'s are
 * dropped, and an empty result is "/".  EKSAUTH_EINVAL: longer than outlen.
 */
static enum eksauth_status py_copy(const char *in, char *out, size_t outlen)
{
    size_t len = strlen(in);

    if (len >= outlen)
        return EKSAUTH_EINVAL;
    memcpy(out, in, len + 1);
    return EKSAUTH_OK;
}

static enum eksauth_status py_expanduser(const struct eksauth_creds_options *opt, const char *in,
                                         char *out, size_t outlen)
{
    const char *slash = in[0] == '~' ? in + strcspn(in, "/") : NULL, *home = NULL;
    struct passwd pw, *res = NULL;
    char *buf = NULL, *name = NULL, *nb;
    size_t buflen = 4096, hlen;
    int rc = 0, n;
    enum eksauth_status st = EKSAUTH_ENOMEM;

    if (slash == NULL) /* not "~...": as it is */
        return py_copy(in, out, outlen);
    if (slash == in + 1 && (home = env_raw(opt, "HOME")) == NULL) {
        rc = ERANGE;
    } else if (slash != in + 1) {
        if ((name = strndup(in + 1, (size_t)(slash - in - 1))) == NULL)
            return EKSAUTH_ENOMEM;
        rc = ERANGE;
    }
    /* getpw*_r's buffer, grown while it is too small for the entry. */
    while (rc == ERANGE && buflen <= 1024 * 1024) {
        if ((nb = realloc(buf, buflen)) == NULL)
            goto out;
        buf = nb;
        rc = name == NULL ? getpwuid_r(getuid(), &pw, buf, buflen, &res)
                          : getpwnam_r(name, &pw, buf, buflen, &res);
        buflen *= 2;
        if (rc == 0 && res != NULL && res->pw_dir != NULL)
            home = res->pw_dir;
    }
    if (home == NULL) {
        /* No such user, or no passwd entry: as it is. */
        st = py_copy(in, out, outlen);
        goto out;
    }
    hlen = strlen(home);
    while (hlen > 0 && home[hlen - 1] == '/')
        hlen--;
    n = (hlen == 0 && *slash == '\0') ? snprintf(out, outlen, "/")
                                      : snprintf(out, outlen, "%.*s%s", (int)hlen, home, slash);
    st = n >= 0 && (size_t)n < outlen ? EKSAUTH_OK : EKSAUTH_EINVAL;
out:
    free(name);
    free(buf);
    return st;
}

/*
 * in as botocore's raw_config_parse opens it (py_expandvars, py_expanduser).
 * EKSAUTH_EINVAL: too long once expanded.
 */
static enum eksauth_status py_expand(const struct eksauth_creds_options *opt, const char *in,
                                     char *out, size_t outlen)
{
    char *mid = malloc(outlen);
    enum eksauth_status st;

    if (mid == NULL)
        return EKSAUTH_ENOMEM;
    if ((st = py_expandvars(opt, in, mid, outlen)) == EKSAUTH_OK)
        st = py_expanduser(opt, mid, out, outlen);
    free(mid);
    return st;
}

/* ------------------------------------------------------------------ */
/* INI */

struct ini_want {
    const char *key; /* lower case */
    char *value;     /* out, malloc'd */
    unsigned line;
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

/* Whether s..e is ASCII without a control byte (0x20..0x7e). */
static bool plain_ascii(const char *s, const char *e)
{
    for (; s < e; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    }
    return true;
}

/*
 * The length of the character at s (before e) when Python's str.isspace
 * holds for it, in UTF-8, else 0: what configparser and botocore strip.
 * With breaks, only those str.splitlines also breaks a nested value at
 * (the file's own line ends, '\n' and '\r', are gone by then).
 */
static size_t py_space(const char *s, const char *e, bool breaks)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = (size_t)(e - s);

    if (n >= 1 && (u[0] == 0x0b || u[0] == 0x0c || (u[0] >= 0x1c && u[0] <= 0x1e)))
        return 1;
    if (n >= 1 && !breaks && (u[0] == ' ' || u[0] == '\t' || u[0] == 0x1f))
        return 1;
    if (n >= 2 && u[0] == 0xc2 && (u[1] == 0x85 || (!breaks && u[1] == 0xa0)))
        return 2; /* U+0085, U+00A0 */
    if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9))
        return 3; /* U+2028, U+2029 */
    if (breaks || n < 3)
        return 0;
    if ((u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80) ||                   /* U+1680 */
        (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8a || u[2] == 0xaf)) || /* U+2000-200A, 202F */
        (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f) ||                   /* U+205F */
        (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80))                     /* U+3000 */
        return 3;
    return 0;
}

/* Whether s..e is nothing but Python's white space: a value botocore reads as empty. */
static bool py_blank(const char *s, const char *e)
{
    size_t n;

    while (s < e && (n = py_space(s, e, false)) > 0)
        s += n;
    return s == e;
}

/*
 * Whether botocore's _parse_nested takes s..e, a line of a nested value:
 * it splits the value with str.splitlines, so at \v, \f, \x1c-\x1e, U+0085,
 * U+2028 and U+2029 too, and each piece not blank must hold '='.
 */
static bool nested_line_ok(const char *s, const char *e)
{
    bool text = false, eq = false;
    size_t n;

    while (s < e) {
        if ((n = py_space(s, e, true)) > 0) {
            if (text && !eq)
                return false;
            text = eq = false;
        } else if ((n = py_space(s, e, false)) == 0) {
            n = 1;
            text = true;
            eq = eq || *s == '=';
        }
        s += n;
    }
    return !text || eq;
}

static bool span_eq(const char *s, const char *e, const char *lit)
{
    size_t n = strlen(lit);

    return (size_t)(e - s) == n && memcmp(s, lit, n) == 0;
}

static void wants_free(struct ini_want *want, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free_secret(&want[i].value);
}

/*
 * The two files name a profile's section differently (botocore's
 * configloader.py): the credentials file "[NAME]" exactly; the config file
 * "[default]" for the default, and for any profile a header that starts
 * with "profile" (case and all) and splits, as Python's shlex.split does,
 * into exactly two words, the second the name: "[profile dev]",
 * "[profile    dev]", "[profile \"dev\"]", "[profile 'dev']", "[profile dev ]".
 * In either file "[DEFAULT]" is configparser's: no profile, but its options
 * are every section's defaults.
 */
enum ini_file { INI_CREDENTIALS, INI_CONFIG };

#define SHLEX_WORD_MAX 160 /* longer than any name profile_valid passes */

/*
 * Python's shlex.split (POSIX mode, no comments) of s..e: whether it gives
 * exactly two words, the second copied into word (NUL-terminated; a word
 * too long for it cannot be a profile name, and the header is then none).
 * An unclosed quote or a final backslash is shlex's ValueError: no words.
 */
static bool shlex_two(const char *s, const char *e, char word[SHLEX_WORD_MAX])
{
    size_t words = 0, n = 0;
    bool in_word = false, too_long = false;
    char quote = 0;

    for (; s < e; s++) {
        char c = *s, put = c;

        if (quote == 0 && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            if (in_word)
                words++;
            in_word = false;
            continue;
        }
        if (!in_word) {
            in_word = true;
            n = 0;
        }
        if (c == quote) { /* the closing quote */
            quote = 0;
            continue;
        }
        if (quote == 0 && (c == '"' || c == '\'')) {
            quote = c;
            continue;
        }
        if (c == '\\' && quote != '\'') {
            if (s + 1 == e)
                return false; /* "No escaped character" */
            put = *++s;
            /* Between double quotes a backslash escapes only '"' and itself. */
            if (quote == '"' && put != '"' && put != '\\') {
                if (words == 1 && n + 1 < SHLEX_WORD_MAX)
                    word[n++] = '\\';
                else
                    too_long = too_long || words == 1;
            }
        }
        if (words == 1 && n + 1 < SHLEX_WORD_MAX)
            word[n++] = put;
        else
            too_long = too_long || words == 1;
    }
    if (quote != 0)
        return false; /* "No closing quotation" */
    if (in_word)
        words++;
    word[n < SHLEX_WORD_MAX ? n : SHLEX_WORD_MAX - 1] = '\0';
    return words == 2 && !too_long;
}

/* Whether the header s..e (between the brackets) is profile's section in a file of kind. */
static bool section_is(enum ini_file kind, const char *profile, const char *s, const char *e)
{
    char word[SHLEX_WORD_MAX];

    if (span_eq(s, e, "DEFAULT"))
        return false;
    if (kind == INI_CREDENTIALS)
        return span_eq(s, e, profile);
    if (strcmp(profile, "default") == 0 && span_eq(s, e, "default"))
        return true;
    return (size_t)(e - s) >= 7 && memcmp(s, "profile", 7) == 0 && shlex_two(s, e, word) &&
           strcmp(word, profile) == 0;
}

/* The options [DEFAULT] gives: for each wanted one the section left unset. */
static void take_defaults(struct ini_want *want, struct ini_want *defaults, size_t n_want)
{
    size_t i;

    for (i = 0; i < n_want; i++) {
        if (want[i].value == NULL && defaults[i].value != NULL) {
            want[i] = defaults[i];
            defaults[i].value = NULL;
        }
    }
}

/* Forget what an earlier section of the profile set: the last section botocore reads wins. */
static void wants_reset(struct ini_want *want, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free_secret(&want[i].value);
        want[i].line = 0;
    }
}

/*
 * Every section header and option name of a file, for configparser's
 * strictness: botocore refuses a whole file with a section given twice
 * (DuplicateSectionError) or an option given twice in one section
 * (DuplicateOptionError, names compared lower-cased), wherever they are.
 */
struct ini_name {
    const char *s;
    size_t n;
    size_t section; /* options: the section's number ([DEFAULT]: 0, each header its own) */
    unsigned line;
};

struct ini_names {
    struct ini_name *v;
    size_t n, cap;
};

static bool names_add(struct ini_names *l, const char *s, size_t n, size_t section, unsigned line)
{
    if (l->n == l->cap) {
        size_t cap = l->cap > 0 ? l->cap * 2 : 64;
        struct ini_name *grown = realloc(l->v, cap * sizeof(*grown));

        if (grown == NULL)
            return false;
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = (struct ini_name){s, n, section, line};
    return true;
}

/* By section, then name (ASCII case folded: configparser lower-cases option names), then line. */
static int name_cmp(const void *a, const void *b)
{
    const struct ini_name *x = a, *y = b;
    size_t i;

    if (x->section != y->section)
        return x->section < y->section ? -1 : 1;
    for (i = 0; i < x->n && i < y->n; i++) {
        unsigned char cx = (unsigned char)eksauth_ascii_lower(x->s[i]);
        unsigned char cy = (unsigned char)eksauth_ascii_lower(y->s[i]);

        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Headers as written: configparser compares section names exactly. */
static int header_cmp(const void *a, const void *b)
{
    const struct ini_name *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

    if (c != 0)
        return c;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * The earliest line that repeats a name of l (sorted here by cmp), *first
 * the line it repeats; NULL when none does.  cmp orders alike names by line.
 */
static const struct ini_name *names_repeat(struct ini_names *l,
                                           int (*cmp)(const void *, const void *),
                                           const struct ini_name **first)
{
    const struct ini_name *later = NULL;
    size_t i;

    /* No names: no array (qsort's pointer must never be NULL). */
    if (l->n < 2)
        return NULL;
    qsort(l->v, l->n, sizeof(*l->v), cmp);
    for (i = 1; i < l->n; i++) {
        struct ini_name a = l->v[i - 1];

        a.line = l->v[i].line; /* alike but for the line */
        if (cmp(&a, &l->v[i]) == 0 && (later == NULL || l->v[i].line < later->line)) {
            later = &l->v[i];
            *first = &l->v[i - 1];
        }
    }
    return later;
}

/* "line N: <what> repeated": the name shown printable (it is no secret, but may be anything). */
static enum eksauth_status repeated(const struct ini_name *n, const struct ini_name *first,
                                    bool header, struct eksauth_error *err)
{
    char raw[64], shown[64];

    snprintf(raw, sizeof(raw), "%.*s", (int)(n->n < 60 ? n->n : 60), n->s);
    eksauth_printable(raw, shown, sizeof(shown));
    if (header)
        return eksauth_fail(err, EKSAUTH_EINVAL, "line %u: section [%s] repeated", n->line, shown);
    return eksauth_fail(err, EKSAUTH_EINVAL, "line %u: %s repeated (first on line %u)", n->line,
                        shown, first->line);
}

/* The first section, or option of one section, given twice in the file (in file order). */
static enum eksauth_status names_check(struct ini_names *headers, struct ini_names *options,
                                       struct eksauth_error *err)
{
    const struct ini_name *hf = NULL, *of = NULL;
    const struct ini_name *h = names_repeat(headers, header_cmp, &hf);
    const struct ini_name *o = names_repeat(options, name_cmp, &of);

    if (h != NULL && (o == NULL || h->line < o->line))
        return repeated(h, hf, true, err);
    if (o != NULL)
        return repeated(o, of, false, err);
    return EKSAUTH_OK;
}

#define INI_WANT_MAX 16 /* options one lookup asks for (K_COUNT) */

/*
 * The end of the line at p, *next where the next one starts: "\n", "\r\n"
 * and a lone "\r" each end a line, as in the Python text mode botocore
 * reads the files in (a lone "\r" read otherwise would hide from eksauth
 * the option after it, a role_arn botocore would assume).
 */
static const char *line_end(const char *p, const char *end, const char **next)
{
    const char *e = p;

    while (e < end && *e != '\n' && *e != '\r')
        e++;
    *next = e;
    if (e < end) {
        (*next)++;
        if (*e == '\r' && *next < end && **next == '\n')
            (*next)++;
    }
    return e;
}

/*
 * Scan text for the options of profile's section in a file of kind
 * (section_is).  When several sections are the profile's (botocore maps
 * "[profile dev]" and "[profile \"dev\"]" both to dev), the last one wins
 * whole, as botocore's dict of them keeps the last; "[default]" and
 * "[profile default]" alike.  The whole text must be well-formed, as
 * botocore refuses a malformed file: a bad line, a section given twice, an
 * option given twice in one section (names_check).  Errors:
 * EKSAUTH_EINVAL "line N: <why>".
 */
static enum eksauth_status ini_lookup(const char *text, size_t len, enum ini_file kind,
                                      const char *profile, struct ini_want *want, size_t n_want,
                                      bool *found, struct eksauth_error *err)
{
    const char *p = text, *end = text + len;
    struct ini_names headers = {NULL, 0, 0}, options = {NULL, 0, 0};
    struct ini_want defaults[INI_WANT_MAX], *target = NULL;
    bool have_section = false, have_option = false;
    bool nested = false; /* the last option line had no value: its indented lines are pairs */
    struct ini_want *cur = NULL; /* the wanted option the last line set */
    size_t indent_level = 0;     /* the indent of the last header or option line */
    enum eksauth_status st = EKSAUTH_OK;
    unsigned line = 0;
    size_t i, section = 0, n_sections = 0;

    *found = false;
    if (n_want > INI_WANT_MAX)
        return eksauth_fail(err, EKSAUTH_EINVAL, "too many options asked for");
    for (i = 0; i < n_want; i++) {
        defaults[i] = want[i];
        defaults[i].value = NULL;
    }
    if (memchr(text, '\0', len) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "contains a NUL byte");
    while (p < end) {
        const char *ls = p, *le = line_end(p, end, &p);
        const char *s, *e, *sep;
        size_t indent;

        line++;
        /* Python reads the files as UTF-8 and botocore refuses one that is not. */
        if (!eksauth_utf8_valid(ls, (size_t)(le - ls))) {
            st = eksauth_fail(
                err, EKSAUTH_EINVAL,
                "line %u: not UTF-8 (the AWS CLI reads the file as UTF-8 and refuses it too)",
                line);
            goto out;
        }
        s = ls;
        e = le;
        trim(&s, &e);
        indent = (size_t)(s - ls);
        if (s == e)
            continue;
        if (*s == '#' || *s == ';')
            continue;
        /*
         * A continuation: indented deeper than its option's line, as
         * configparser reads it (lines indented alike are options each:
         * reading them as one value would sign with another region or key
         * than the AWS CLI's).  botocore joins it to the previous value.
         */
        if (have_option && indent > indent_level) {
            if (cur != NULL) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "line %u: the value of %s continues on an indented line", line,
                                  cur->key);
                goto out;
            }
            /* Under "name =", botocore reads indented "key = value" pairs or refuses the file. */
            if (nested && !nested_line_ok(s, e)) {
                /* With an '=' on the line, say where Python cuts it, or the message reads false. */
                if (memchr(s, '=', (size_t)(e - s)) == NULL)
                    st = eksauth_fail(err, EKSAUTH_EINVAL,
                                      "line %u: an indented line without '=' under an option with "
                                      "no value",
                                      line);
                else
                    st = eksauth_fail(err, EKSAUTH_EINVAL,
                                      "line %u: an indented line under an option with no value "
                                      "has a piece without '=' (Python also ends lines at \\v, "
                                      "\\f, \\x1c-\\x1e, U+0085, U+2028 and U+2029)",
                                      line);
                goto out;
            }
            continue;
        }
        cur = NULL;
        nested = false;
        indent_level = indent;
        if (*s == '[') {
            const char *close = e;

            while (close > s && close[-1] != ']')
                close--;
            if (close <= s + 2) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "line %u: bad section header", line);
                goto out;
            }
            close--; /* at the last ']' */
            have_section = true;
            have_option = false;
            target = NULL;
            /* [DEFAULT] may come again (configparser adds to it); any other header may not. */
            if (span_eq(s + 1, close, "DEFAULT")) {
                target = defaults;
                section = 0;
            } else {
                section = ++n_sections;
                if (!names_add(&headers, s + 1, (size_t)(close - (s + 1)), 0, line)) {
                    st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                    goto out;
                }
                if (section_is(kind, profile, s + 1, close)) {
                    wants_reset(want, n_want);
                    target = want;
                    *found = true;
                }
            }
            continue;
        }
        sep = s;
        while (sep < e && *sep != '=' && *sep != ':')
            sep++;
        if (sep == e) {
            st = eksauth_fail(err, EKSAUTH_EINVAL,
                              "line %u: neither a [section], a key = value nor a comment", line);
            goto out;
        }
        if (!have_section) {
            st = eksauth_fail(err, EKSAUTH_EINVAL, "line %u: an option before any [section]", line);
            goto out;
        }
        {
            const char *ks = s, *ke = sep, *vs = sep + 1, *ve = e;

            trim(&ks, &ke);
            trim(&vs, &ve);
            if (ks == ke) {
                st = eksauth_fail(err, EKSAUTH_EINVAL, "line %u: an option without a name", line);
                goto out;
            }
            /*
             * Python strips more around a name ("role_arn\x1c", "role_arn" and
             * U+00A0) and lower-cases more into ASCII (U+212A KELVIN SIGN is
             * "k"): botocore would read an option eksauth would not see.
             */
            if (!plain_ascii(ks, ke)) {
                st = eksauth_fail(err, EKSAUTH_EINVAL,
                                  "line %u: an option name with a control byte or a non-ASCII "
                                  "character",
                                  line);
                goto out;
            }
            have_option = true;
            nested = py_blank(vs, ve); /* as Python strips it: U+00A0 or \x1c alone is no value */
            if (!names_add(&options, ks, (size_t)(ke - ks), section, line)) {
                st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                goto out;
            }
            if (target == NULL)
                continue;
            for (i = 0; i < n_want; i++) {
                if (!eksauth_ascii_eq_nocase(ks, (size_t)(ke - ks), target[i].key))
                    continue;
                /* A key or token goes into a signed header or URL: no control byte. */
                if (!plain_ascii(vs, ve)) {
                    st = eksauth_fail(err, EKSAUTH_EINVAL,
                                      "line %u: %s holds a control byte or a non-ASCII character",
                                      line, target[i].key);
                    goto out;
                }
                if (target[i].value != NULL) {
                    st =
                        eksauth_fail(err, EKSAUTH_EINVAL, "line %u: %s repeated (first on line %u)",
                                     line, target[i].key, target[i].line);
                    goto out;
                }
                target[i].value = strndup(vs, (size_t)(ve - vs));
                if (target[i].value == NULL) {
                    st = eksauth_fail(err, EKSAUTH_ENOMEM, "out of memory");
                    goto out;
                }
                target[i].line = line;
                cur = &target[i];
            }
        }
    }
    st = names_check(&headers, &options, err);
    /* configparser gives every section [DEFAULT]'s options it does not set itself. */
    if (st == EKSAUTH_OK && *found)
        take_defaults(want, defaults, n_want);
out:
    wants_free(defaults, n_want);
    free(headers.v);
    free(options.v);
    return st;
}

/* A profile name that can be written between brackets on one line. */
static bool profile_valid(const char *p)
{
    size_t i;

    if (p == NULL || p[0] == '\0' || strlen(p) > 128)
        return false;
    for (i = 0; p[i] != '\0'; i++) {
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == '[' || p[i] == ']')
            return false;
    }
    return true;
}

/*
 * The options of a profile botocore reads in the two files: the keys, and
 * the options that have it get credentials elsewhere.
 */
enum profile_key {
    K_ACCESS_KEY,
    K_SECRET_KEY,
    K_SESSION_TOKEN,
    K_SECURITY_TOKEN, /* the old name; botocore still reads it, before the new one */
    K_ROLE_ARN,
    K_WEB_IDENTITY,
    K_SSO_SESSION,
    K_SSO_START_URL,
    K_SSO_ACCOUNT,
    K_SSO_ROLE,
    K_LOGIN, /* an `aws login` session: botocore's LoginProvider */
    K_PROCESS,
    K_COUNT
};

static void profile_wants(struct ini_want want[K_COUNT])
{
    static const char *const keys[K_COUNT] = {
        "aws_access_key_id", "aws_secret_access_key",   "aws_session_token", "aws_security_token",
        "role_arn",          "web_identity_token_file", "sso_session",       "sso_start_url",
        "sso_account_id",    "sso_role_name",           "login_session",     "credential_process",
    };
    size_t i;

    for (i = 0; i < K_COUNT; i++) {
        want[i].key = keys[i];
        want[i].value = NULL;
        want[i].line = 0;
    }
}

/*
 * Move the key pair of want into out: EKSAUTH_ENOTFOUND when neither key is
 * there; EKSAUTH_EINVAL for half a pair.
 */
static enum eksauth_status take_keys(struct ini_want want[K_COUNT], const char *profile,
                                     struct eksauth_creds *out, struct eksauth_error *err)
{
    bool ak = want[K_ACCESS_KEY].value != NULL && want[K_ACCESS_KEY].value[0] != '\0';
    bool sk = want[K_SECRET_KEY].value != NULL && want[K_SECRET_KEY].value[0] != '\0';
    /* botocore reads the old name first (TOKENS of its providers). */
    struct ini_want *tok = &want[K_SECURITY_TOKEN];

    if (want[K_ACCESS_KEY].value == NULL && want[K_SECRET_KEY].value == NULL)
        return eksauth_fail(err, EKSAUTH_ENOTFOUND, "profile [%s] has no static keys", profile);
    /* Half a key pair is a mistake to report, not a reason to look elsewhere. */
    if (!ak || !sk)
        return eksauth_fail(err, EKSAUTH_EINVAL, "profile [%s] has %s without %s", profile,
                            ak ? "aws_access_key_id" : "aws_secret_access_key",
                            ak ? "aws_secret_access_key" : "aws_access_key_id");
    out->access_key_id = want[K_ACCESS_KEY].value;
    out->secret_access_key = want[K_SECRET_KEY].value;
    want[K_ACCESS_KEY].value = want[K_SECRET_KEY].value = NULL;
    if (tok->value == NULL || tok->value[0] == '\0')
        tok = &want[K_SESSION_TOKEN];
    if (tok->value != NULL && tok->value[0] != '\0') {
        out->session_token = tok->value;
        tok->value = NULL;
    }
    out->source = EKSAUTH_CREDS_PROFILE;
    snprintf(out->origin, sizeof(out->origin), "profile \"%s\"", profile);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_creds_parse_ini(const char *text, size_t len, const char *profile,
                                            struct eksauth_creds *out, struct eksauth_error *err)
{
    struct ini_want want[K_COUNT];
    enum eksauth_status st;
    bool found = false;

    memset(out, 0, sizeof(*out));
    profile_wants(want);
    if (!profile_valid(profile))
        return eksauth_fail(err, EKSAUTH_EINVAL, "bad profile name");
    st = ini_lookup(text, len, INI_CREDENTIALS, profile, want, K_COUNT, &found, err);
    if (st != EKSAUTH_OK)
        goto out;
    if (!found) {
        st = eksauth_fail(err, EKSAUTH_ENOTFOUND, "no profile [%s]", profile);
        goto out;
    }
    st = take_keys(want, profile, out, err);
    if (st == EKSAUTH_ENOTFOUND)
        eksauth_error_append(
            err, " (role_arn, sso_*, login_session and credential_process are not supported)");
out:
    wants_free(want, K_COUNT);
    return st;
}

/* ------------------------------------------------------------------ */
/* the chain */

static enum eksauth_status from_env(const struct eksauth_creds_options *opt,
                                    struct eksauth_creds *out, char *tried,
                                    struct eksauth_error *err)
{
    const char *ak = env_get(opt, "AWS_ACCESS_KEY_ID");
    const char *sk = env_get(opt, "AWS_SECRET_ACCESS_KEY");
    /* botocore's EnvProvider reads the old name first. */
    const char *tok = env_get(opt, "AWS_SECURITY_TOKEN");

    if (tok == NULL)
        tok = env_get(opt, "AWS_SESSION_TOKEN");
    if (ak == NULL && sk == NULL) {
        tried_add(tried, "environment", "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set");
        return EKSAUTH_ENOTFOUND;
    }
    /* botocore refuses half a pair (PartialCredentialsError); so do we. */
    if (ak == NULL || sk == NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "AWS credentials: the environment has %s but not %s",
                            ak != NULL ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                            ak != NULL ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    out->access_key_id = strdup(ak);
    out->secret_access_key = strdup(sk);
    out->session_token = tok != NULL ? strdup(tok) : NULL;
    if (out->access_key_id == NULL || out->secret_access_key == NULL ||
        (tok != NULL && out->session_token == NULL)) {
        eksauth_creds_free(out);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "AWS credentials: out of memory");
    }
    out->source = EKSAUTH_CREDS_ENV;
    snprintf(out->origin, sizeof(out->origin), "environment");
    return EKSAUTH_OK;
}

/*
 * The profile asked for (*named; NULL: none, "default"): the option, else
 * AWS_PROFILE or AWS_DEFAULT_PROFILE.  Both set to different profiles is
 * refused: botocore (AWS CLI v1) takes AWS_DEFAULT_PROFILE, AWS CLI v2
 * AWS_PROFILE, so either pick signs as someone one of them would not.  Set
 * but empty is refused too: botocore looks for a profile "" and fails.
 * what prefixes the messages.
 */
static enum eksauth_status profile_name(const struct eksauth_creds_options *opt, const char *what,
                                        const char **named, struct eksauth_error *err)
{
    const char *p = env_raw(opt, "AWS_PROFILE"), *d = env_raw(opt, "AWS_DEFAULT_PROFILE");

    *named = NULL;
    if (opt != NULL && opt->profile != NULL) {
        *named = opt->profile;
        return EKSAUTH_OK;
    }
    if (p != NULL && d != NULL && strcmp(p, d) != 0)
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: AWS_PROFILE (\"%.128s\") and AWS_DEFAULT_PROFILE (\"%.128s\") "
                            "name different profiles, and AWS CLI v1 signs as the second, v2 as "
                            "the first: unset one",
                            what, p, d);
    *named = p != NULL ? p : d;
    if (*named != NULL && (*named)[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "%s: %s is set but empty, and the AWS CLI then looks for a profile "
                            "named \"\" and fails: unset it or name a profile",
                            what, p != NULL ? "AWS_PROFILE" : "AWS_DEFAULT_PROFILE");
    return EKSAUTH_OK;
}

/*
 * A file of the AWS CLI: the option's path (given, taken as it is), else
 * the variable's, else ~/<rel>, the last two expanded as botocore expands
 * them (py_expand: "$HOME/x", "${VAR}", "~", "~user"; a path still relative
 * is opened from the working folder, as botocore opens it).  The variable
 * set but empty names no file (botocore takes "" over its default, finds
 * no file there and reads none), not ~/<rel>.  EKSAUTH_ENOTFOUND: too long
 * once expanded, path then saying where it came from: botocore's isfile is
 * false on ENAMETOOLONG, so it reads no such file and still reads the other.
 */
static enum eksauth_status aws_file_path(const struct eksauth_creds_options *opt, const char *given,
                                         const char *variable, const char *rel, char *path,
                                         size_t pathlen, struct eksauth_error *err)
{
    const char *v = given != NULL ? given : env_raw(opt, variable);
    char dflt[64];
    enum eksauth_status st;

    if (v == NULL) {
        snprintf(dflt, sizeof(dflt), "~/%s", rel);
        v = dflt;
    }
    st = given != NULL ? py_copy(given, path, pathlen) : py_expand(opt, v, path, pathlen);
    if (st == EKSAUTH_ENOMEM)
        return eksauth_fail(err, st, "%s: out of memory", variable);
    if (st != EKSAUTH_OK) {
        if (given != NULL)
            snprintf(path, pathlen, "the path given");
        else
            snprintf(path, pathlen, "%s%s", v == dflt ? "" : "$", v == dflt ? dflt : variable);
        return EKSAUTH_ENOTFOUND;
    }
    return EKSAUTH_OK;
}

/* The shared credentials file: the option, AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials. */
static enum eksauth_status credentials_path(const struct eksauth_creds_options *opt, char *path,
                                            size_t pathlen, struct eksauth_error *err)
{
    return aws_file_path(opt, opt != NULL ? opt->credentials_file : NULL,
                         "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", path, pathlen, err);
}

/* The AWS config file: the option, AWS_CONFIG_FILE or ~/.aws/config. */
static enum eksauth_status config_path(const struct eksauth_creds_options *opt, char *path,
                                       size_t pathlen, struct eksauth_error *err)
{
    return aws_file_path(opt, opt != NULL ? opt->config_file : NULL, "AWS_CONFIG_FILE",
                         ".aws/config", path, pathlen, err);
}

/*
 * One file's section of a profile: in the credentials file "[NAME]", in the
 * config file "[profile NAME]" (the default's also "[default]"), as
 * botocore names them.
 */
struct profile_file {
    char path[4096]; /* too_long: where it came from */
    bool exists, found, too_long;
    struct ini_want want[K_COUNT];
    size_t n_want; /* of want asked for */
};

static enum eksauth_status profile_file_read(struct profile_file *f, enum ini_file kind,
                                             const char *profile, const char *what,
                                             struct eksauth_error *err)
{
    char *text = NULL;
    size_t len = 0;
    struct eksauth_error e2;
    enum eksauth_status st;

    if (f->too_long)
        return EKSAUTH_OK;
    if ((st = read_file(f->path, &text, &len, &e2)) == EKSAUTH_ENOTFOUND)
        return EKSAUTH_OK;
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st, "%s: %s", what, e2.msg);
    f->exists = true;
    st = ini_lookup(text, len, kind, profile, f->want, f->n_want, &f->found, &e2);
    free_file(text, len);
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st, "%s: %s: %s", what, f->path, e2.msg);
    return EKSAUTH_OK;
}

/* Why a file was not read: it is not there, or its path is too long to be. */
static const char *absent_why(const struct profile_file *f)
{
    return f->too_long ? "too long once expanded" : "no such file";
}

/* A profile asked for by name that neither file has: botocore's ProfileNotFound. */
static enum eksauth_status profile_missing(const char *profile, const struct profile_file *cred,
                                           const struct profile_file *conf, const char *what,
                                           struct eksauth_error *err)
{
    return eksauth_fail(
        err, EKSAUTH_EINVAL, "%s: profile \"%s\" was asked for but %s %s, and %s %s [profile %s]",
        what, profile, cred->path,
        cred->exists     ? "has no such profile"
        : cred->too_long ? "is too long once expanded"
                         : "does not exist",
        conf->path, conf->too_long ? "is too long once expanded, so no" : "has no", profile);
}

/*
 * The answer st of a file's path (aws_file_path, e2 its error): too long,
 * the file is absent and tried names it under its kind; out of memory, an
 * error.
 */
static enum eksauth_status path_taken(enum eksauth_status st, struct profile_file *f,
                                      const char *kind, const char *what, char *tried,
                                      const struct eksauth_error *e2, struct eksauth_error *err)
{
    char label[sizeof(f->path) + 32];

    if (st == EKSAUTH_ENOTFOUND) {
        f->too_long = true;
        snprintf(label, sizeof(label), "%s %s", kind, f->path);
        tried_add(tried, label, absent_why(f));
        return EKSAUTH_OK;
    }
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st, "%s: %s", what, e2->msg);
    return EKSAUTH_OK;
}

/*
 * Both files of the profile asked for (profile_name), read whole: botocore
 * reads both (its full_config) before any source, the environment's keys
 * and the files' region too, and refuses a malformed one or a profile
 * asked for by name that neither has.  The profile's section of each in
 * cred and conf (their want and n_want set by the caller).  A path too long
 * once expanded is that file absent (aws_file_path; tried names it), the
 * other still read, as botocore reads it; *named NULL: the default.
 */
static enum eksauth_status profile_files(const struct eksauth_creds_options *opt, const char *what,
                                         struct profile_file *cred, struct profile_file *conf,
                                         const char **named, const char **profile, char *tried,
                                         struct eksauth_error *err)
{
    struct eksauth_error e2;
    enum eksauth_status st;

    if ((st = profile_name(opt, what, named, err)) != EKSAUTH_OK)
        return st;
    *profile = *named != NULL ? *named : "default";
    if (!profile_valid(*profile))
        return eksauth_fail(err, EKSAUTH_EINVAL, "%s: bad profile name", what);
    if ((st = path_taken(credentials_path(opt, cred->path, sizeof(cred->path), &e2), cred,
                         "shared credentials file", what, tried, &e2, err)) != EKSAUTH_OK ||
        (st = path_taken(config_path(opt, conf->path, sizeof(conf->path), &e2), conf,
                         "AWS config file", what, tried, &e2, err)) != EKSAUTH_OK)
        return st;
    if ((st = profile_file_read(cred, INI_CREDENTIALS, *profile, what, err)) != EKSAUTH_OK ||
        (st = profile_file_read(conf, INI_CONFIG, *profile, what, err)) != EKSAUTH_OK)
        return st;
    if (*named != NULL && !cred->found && !conf->found)
        return profile_missing(*profile, cred, conf, what, err);
    return EKSAUTH_OK;
}

/*
 * The option of the profile (the credentials file's over the config
 * file's, as botocore merges them) that has botocore sign with other
 * credentials than the keys: a role to assume, web identity or SSO, tried
 * before any keys, and an `aws login` session or a credential_process,
 * tried after the credentials file's keys and before the config file's
 * (keys_first: the credentials file has keys; the order of botocore's
 * ProfileProviderBuilder.providers).  NULL: none.
 */
static const struct ini_want *other_source(const struct profile_file *cred,
                                           const struct profile_file *conf, bool keys_first,
                                           const char **path)
{
    static const enum profile_key others[] = {K_ROLE_ARN,      K_WEB_IDENTITY, K_SSO_SESSION,
                                              K_SSO_START_URL, K_SSO_ACCOUNT,  K_SSO_ROLE,
                                              K_LOGIN,         K_PROCESS};
    size_t i;

    for (i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        if ((others[i] == K_LOGIN || others[i] == K_PROCESS) && keys_first)
            continue;
        *path = cred->path;
        if (cred->want[others[i]].value != NULL)
            return &cred->want[others[i]];
        *path = conf->path;
        if (conf->want[others[i]].value != NULL)
            return &conf->want[others[i]];
    }
    return NULL;
}

/* The keys of the profile, from the two files read (cred, conf). */
static enum eksauth_status profile_keys(const char *profile, bool named, struct profile_file *cred,
                                        struct profile_file *conf, struct eksauth_creds *out,
                                        char *tried, struct eksauth_error *err)
{
    bool keys_first =
        cred->want[K_ACCESS_KEY].value != NULL || cred->want[K_SECRET_KEY].value != NULL;
    const struct ini_want *other;
    struct profile_file *from = keys_first ? cred : conf;
    const char *opath = NULL;
    bool login;
    char what[4200], origin[sizeof(out->origin)];
    struct eksauth_error e2;
    enum eksauth_status st;

    snprintf(what, sizeof(what), "shared credentials file %s", cred->path);
    if (!cred->found && !conf->found) {
        /* A profile named on purpose (AWS_PROFILE) that is missing is an error, as in botocore. */
        if (named)
            return profile_missing(profile, cred, conf, "AWS credentials", err);
        /* A path too long is in tried already (profile_files). */
        if (!cred->too_long)
            tried_add(tried, what, cred->exists ? "no profile [default]" : "no such file");
        return EKSAUTH_ENOTFOUND;
    }
    /*
     * botocore would sign with what that option gives (an assumed role, an
     * SSO role, a process's keys): signing with the keys beside it, or with
     * the next source's (the instance's role), would be someone the person
     * did not mean.
     */
    if ((other = other_source(cred, conf, keys_first, &opath)) != NULL) {
        login = other == &cred->want[K_LOGIN] || other == &conf->want[K_LOGIN];
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "AWS credentials: profile \"%s\" has %s (%s line %u)%s, which the "
                            "AWS CLI signs with before %s; eksauth signs with keys only, and "
                            "will not sign as someone else instead: give the profile keys, or "
                            "mint with the AWS CLI%s",
                            profile, other->key, opath, other->line,
                            login ? ", a session of `aws login`" : "",
                            keys_first ? "the profile's keys" : "any other credentials",
                            login ? ", or put its keys in the environment (eval \"$(aws "
                                    "configure export-credentials --format env)\")"
                                  : "");
    }
    st = take_keys(from->want, profile, out, &e2);
    if (st == EKSAUTH_ENOTFOUND && !named) {
        if (!cred->too_long)
            tried_add(tried, what,
                      cred->found    ? "profile [default] has no static keys"
                      : cred->exists ? "no profile [default]"
                                     : "no such file");
        return EKSAUTH_ENOTFOUND;
    }
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st == EKSAUTH_ENOTFOUND ? EKSAUTH_EINVAL : st,
                            "AWS credentials: %s: %s", from->found ? from->path : cred->path,
                            e2.msg);
    memcpy(origin, out->origin, sizeof(origin));
    if (snprintf(out->origin, sizeof(out->origin), "%s in %s", origin, from->path) < 0)
        out->origin[0] = '\0';
    return EKSAUTH_OK;
}

/*
 * The profile's keys, from the credentials file, else the config file (as
 * botocore's shared-credentials and config-file providers read them).
 * keys false: the environment has the keys; only check the files as
 * botocore does before signing with them (profile_files).
 */
static enum eksauth_status from_profile(const struct eksauth_creds_options *opt, bool keys,
                                        struct eksauth_creds *out, char *tried,
                                        struct eksauth_error *err)
{
    const char *named = NULL, *profile = NULL;
    struct profile_file *cred = calloc(1, sizeof(*cred)), *conf = calloc(1, sizeof(*conf));
    enum eksauth_status st;

    if (cred == NULL || conf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "AWS credentials: out of memory");
        goto out;
    }
    profile_wants(cred->want);
    profile_wants(conf->want);
    cred->n_want = conf->n_want = keys ? K_COUNT : 0;
    st = profile_files(opt, "AWS credentials", cred, conf, &named, &profile, tried, err);
    if (st == EKSAUTH_OK && keys)
        st = profile_keys(profile, named != NULL, cred, conf, out, tried, err);
out:
    if (cred != NULL)
        wants_free(cred->want, K_COUNT);
    if (conf != NULL)
        wants_free(conf->want, K_COUNT);
    free(cred);
    free(conf);
    return st;
}

/* ------------------------------------------------------------------ */
/* instance metadata, cached */

/* ------------------------------------------------------------------ */
/* the credentials document of instance metadata */

static enum eksauth_status imds_field(struct json_object *root, const char *key, const char **out,
                                      struct eksauth_error *err)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(root, key, &v) || !json_object_is_type(v, json_type_string))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "instance metadata: the credentials have no %s string", key);
    *out = json_object_get_string(v);
    if (!eksauth_visible_ascii_len(*out, strlen(*out)))
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "instance metadata: the credentials' %s is empty or not ASCII", key);
    return EKSAUTH_OK;
}

enum eksauth_status eksauth_creds_parse_imds(const char *body, size_t len,
                                             struct eksauth_creds *out, struct eksauth_error *err)
{
    enum eksauth_status st = EKSAUTH_OK;
    struct json_tokener *tk = NULL;
    struct json_object *root = NULL;
    const char *code, *ak, *sk, *tok, *exp;
    time_t expiration;

    memset(out, 0, sizeof(*out));
    if (body == NULL || len == 0 || len > EKSAUTH_IMDS_MAX_BODY || memchr(body, '\0', len) != NULL)
        return eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: empty or oversized answer");
    /* json-c's copies of the keys are wiped before they are freed (json_secret.h). */
    tk = eksauth_json_secret_tokener(8, len);
    if (tk == NULL)
        return eksauth_fail(err, EKSAUTH_ENOMEM, "instance metadata: out of memory");
    root = json_tokener_parse_ex(tk, body, (int)len);
    if (root == NULL || json_tokener_get_error(tk) != json_tokener_success ||
        !json_object_is_type(root, json_type_object)) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "instance metadata: the credentials are not a "
                          "JSON object");
        goto out;
    }
    if ((st = imds_field(root, "Code", &code, err)) != EKSAUTH_OK)
        goto out;
    if (strcmp(code, "Success") != 0) {
        st = eksauth_fail(err, EKSAUTH_EINVAL, "instance metadata: credentials Code is \"%.40s\"",
                          code);
        goto out;
    }
    if ((st = imds_field(root, "AccessKeyId", &ak, err)) != EKSAUTH_OK ||
        (st = imds_field(root, "SecretAccessKey", &sk, err)) != EKSAUTH_OK ||
        (st = imds_field(root, "Token", &tok, err)) != EKSAUTH_OK ||
        (st = imds_field(root, "Expiration", &exp, err)) != EKSAUTH_OK)
        goto out;
    if (eksauth_time_parse(exp, &expiration, NULL) != EKSAUTH_OK || strchr(exp, 'T') == NULL) {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "instance metadata: the credentials' Expiration is not RFC 3339");
        goto out;
    }
    out->access_key_id = strdup(ak);
    out->secret_access_key = strdup(sk);
    out->session_token = strdup(tok);
    if (out->access_key_id == NULL || out->secret_access_key == NULL ||
        out->session_token == NULL) {
        eksauth_creds_free(out);
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "instance metadata: out of memory");
        goto out;
    }
    out->expiration = expiration;
    out->source = EKSAUTH_CREDS_IMDS;
out:
    /* json-c copied the secrets: into the strings, and into its tokener's buffer. */
    eksauth_json_secret_wipe(tk, root);
    json_object_put(root);
    json_tokener_free(tk);
    return st;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct eksauth_creds cache;
static char cache_endpoint[256];

enum eksauth_status eksauth_creds_copy(struct eksauth_creds *dst, const struct eksauth_creds *src,
                                       struct eksauth_error *err)
{
    memset(dst, 0, sizeof(*dst));
    dst->access_key_id = src->access_key_id != NULL ? strdup(src->access_key_id) : NULL;
    dst->secret_access_key = src->secret_access_key != NULL ? strdup(src->secret_access_key) : NULL;
    dst->session_token = src->session_token != NULL ? strdup(src->session_token) : NULL;
    if ((src->access_key_id != NULL && dst->access_key_id == NULL) ||
        (src->secret_access_key != NULL && dst->secret_access_key == NULL) ||
        (src->session_token != NULL && dst->session_token == NULL)) {
        eksauth_creds_free(dst);
        return eksauth_fail(err, EKSAUTH_ENOMEM, "AWS credentials: out of memory");
    }
    dst->expiration = src->expiration;
    dst->source = src->source;
    memcpy(dst->origin, src->origin, sizeof(dst->origin));
    return EKSAUTH_OK;
}

void eksauth_creds_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    eksauth_creds_free(&cache);
    cache_endpoint[0] = '\0';
    pthread_mutex_unlock(&cache_lock);
}

static bool imds_disabled(const struct eksauth_creds_options *opt)
{
    const char *v = env_get(opt, "AWS_EC2_METADATA_DISABLED");

    return v != NULL && eksauth_ascii_eq_nocase(v, strlen(v), "true");
}

static enum eksauth_status from_imds(const struct eksauth_creds_options *opt,
                                     struct eksauth_creds *out, char *tried,
                                     struct eksauth_error *err)
{
    const char *endpoint = opt != NULL ? opt->imds_endpoint : NULL;
    struct eksauth_error e2 = {EKSAUTH_OK, ""};
    enum eksauth_status st;
    char what[320], role[80], *doc = NULL;
    size_t len = 0;
    time_t now = time(NULL);

    /* Only the config names the endpoint on purpose; the variable is botocore's. */
    if (endpoint == NULL && imds_disabled(opt)) {
        tried_add(tried, "instance metadata", "AWS_EC2_METADATA_DISABLED is set");
        return EKSAUTH_ENOTFOUND;
    }
    if (endpoint == NULL)
        endpoint = env_get(opt, "AWS_EC2_METADATA_SERVICE_ENDPOINT");
    if (endpoint == NULL)
        endpoint = EKSAUTH_IMDS_DEFAULT_ENDPOINT;
    if (strlen(endpoint) >= sizeof(cache_endpoint))
        return eksauth_fail(err, EKSAUTH_EINVAL, "AWS credentials: imds_endpoint is too long");

    pthread_mutex_lock(&cache_lock);
    /* Cached until shortly before they expire: each IMDS round trip costs up to 2 s off EC2. */
    if (cache.access_key_id != NULL && strcmp(cache_endpoint, endpoint) == 0 &&
        cache.expiration - now > EKSAUTH_CREDS_REFRESH_MARGIN) {
        st = eksauth_creds_copy(out, &cache, err);
        pthread_mutex_unlock(&cache_lock);
        return st;
    }
    pthread_mutex_unlock(&cache_lock);

    snprintf(what, sizeof(what), "instance metadata %s", endpoint);
    st = eksauth_imds_role_credentials(endpoint, role, sizeof(role), &doc, &len, &e2);
    if (st == EKSAUTH_OK) {
        st = eksauth_creds_parse_imds(doc, len, out, &e2);
        free_file(doc, len);
        if (st == EKSAUTH_OK)
            snprintf(out->origin, sizeof(out->origin), "instance metadata (role %s)", role);
    }
    if (st == EKSAUTH_EUNAVAIL || st == EKSAUTH_ENOTFOUND) {
        tried_add(tried, what, e2.msg);
        return EKSAUTH_ENOTFOUND;
    }
    if (st != EKSAUTH_OK)
        return eksauth_fail(err, st, "AWS credentials: %s", e2.msg);
    pthread_mutex_lock(&cache_lock);
    eksauth_creds_free(&cache);
    if (eksauth_creds_copy(&cache, out, NULL) == EKSAUTH_OK)
        snprintf(cache_endpoint, sizeof(cache_endpoint), "%s", endpoint);
    pthread_mutex_unlock(&cache_lock);
    return EKSAUTH_OK;
}

/*
 * A variable that has botocore sign with credentials eksauth cannot get:
 * web identity (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, read before
 * the profile's keys, unless a profile was given explicitly: botocore then
 * reads no variables for it) when later is EKSAUTH_CREDS_PROFILE; container
 * credentials (read after the profile's keys, before instance metadata)
 * when later is EKSAUTH_CREDS_IMDS.  EKSAUTH_EINVAL naming it, else
 * EKSAUTH_OK.
 */
static enum eksauth_status refuse_other_env(const struct eksauth_creds_options *opt, unsigned later,
                                            struct eksauth_error *err)
{
    const char *name = NULL;

    /*
     * botocore's web identity provider reads the token file's variable
     * first: set, it signs as AWS_ROLE_ARN's role, else the profile's
     * role_arn, else fails (InvalidConfigError), never reading on to the
     * profile's keys.  An empty token file variable is unset to it (as to
     * env_get); an empty AWS_ROLE_ARN fails it.
     */
    if (later == EKSAUTH_CREDS_PROFILE && (opt == NULL || opt->profile == NULL) &&
        env_get(opt, "AWS_WEB_IDENTITY_TOKEN_FILE") != NULL) {
        if (env_get(opt, "AWS_ROLE_ARN") != NULL)
            name = "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN";
        else
            return eksauth_fail(err, EKSAUTH_EINVAL,
                                "AWS credentials: AWS_WEB_IDENTITY_TOKEN_FILE set without "
                                "AWS_ROLE_ARN: the AWS CLI then assumes the profile's role_arn "
                                "with it, or fails; eksauth cannot get either, and will not sign "
                                "as a profile's keys or this instance's role instead: unset it, "
                                "or give it keys (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
    }
    if (later == EKSAUTH_CREDS_IMDS) {
        if (env_get(opt, "AWS_CONTAINER_CREDENTIALS_FULL_URI") != NULL)
            name = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
        else if (env_get(opt, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != NULL)
            name = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
    }
    if (name == NULL)
        return EKSAUTH_OK;
    /* The AWS SDK would sign as that role; the next source is someone else (the instance's role).
     */
    return eksauth_fail(err, EKSAUTH_EINVAL,
                        "AWS credentials: %s set: the AWS CLI signs as the role they give, which "
                        "eksauth cannot get; it will not sign as %s instead: unset them, or give "
                        "it keys (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
                        name,
                        later == EKSAUTH_CREDS_IMDS ? "this instance's role"
                                                    : "a profile's keys or this instance's role");
}

enum eksauth_status eksauth_creds_load(const struct eksauth_creds_options *opt,
                                       struct eksauth_creds *out, struct eksauth_error *err)
{
    unsigned sources =
        (opt != NULL && opt->sources != 0) ? opt->sources : EKSAUTH_CREDS_DEFAULT_CHAIN;
    char tried[TRIED_MAX] = "";
    enum eksauth_status st;

    memset(out, 0, sizeof(*out));
    /*
     * A profile given explicitly (the kubeconfig's `--profile P`) is that
     * profile's keys: botocore drops the environment's for it, and so does
     * kubectl's aws.  AWS_PROFILE alone leaves them first.
     */
    if ((sources & EKSAUTH_CREDS_ENV) && (opt == NULL || opt->profile == NULL)) {
        st = from_env(opt, out, tried, err);
        /* botocore signs with them only when the files and the profile asked for are sound. */
        if (st == EKSAUTH_OK && (sources & EKSAUTH_CREDS_PROFILE) &&
            (st = from_profile(opt, false, out, tried, err)) == EKSAUTH_ENOTFOUND)
            st = EKSAUTH_OK;
        if (st != EKSAUTH_OK && st != EKSAUTH_ENOTFOUND)
            eksauth_creds_free(out);
        if (st != EKSAUTH_ENOTFOUND)
            return st;
    }
    if (sources & EKSAUTH_CREDS_PROFILE) {
        if ((st = refuse_other_env(opt, EKSAUTH_CREDS_PROFILE, err)) != EKSAUTH_OK)
            return st;
        st = from_profile(opt, true, out, tried, err);
        if (st != EKSAUTH_ENOTFOUND)
            return st;
    }
    if (sources & EKSAUTH_CREDS_IMDS) {
        if ((st = refuse_other_env(opt, EKSAUTH_CREDS_IMDS, err)) != EKSAUTH_OK)
            return st;
        st = from_imds(opt, out, tried, err);
        if (st != EKSAUTH_ENOTFOUND)
            return st;
    }
    return eksauth_fail(err, EKSAUTH_ENOTFOUND, "no AWS credentials: tried %s", tried);
}

/* ------------------------------------------------------------------ */
/* region */

/* The caller's name for the region option: askpass's is a variable, not --region. */
static const char *region_option(const struct eksauth_creds_options *opt)
{
    return opt != NULL && opt->region_option != NULL ? opt->region_option : "--region";
}

static enum eksauth_status region_take(const char *v, const char *from, char *out, size_t outlen,
                                       struct eksauth_error *err)
{
    /* The region becomes part of a host name: only the shape of a real region passes. */
    if (!eksauth_region_valid(v, strlen(v)))
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: \"%.40s\" from %s is not a region name",
                            v, from);
    if (strlen(v) >= outlen)
        return eksauth_fail(err, EKSAUTH_EINVAL, "region: too long");
    memcpy(out, v, strlen(v) + 1);
    return EKSAUTH_OK;
}

/* A region variable (env_raw) set: taken, or refused when empty. */
static enum eksauth_status region_env(const char *v, const char *name, char *out, size_t outlen,
                                      struct eksauth_error *err)
{
    /* botocore takes the empty value as the region, and get-token signs for no host. */
    if (v[0] == '\0')
        return eksauth_fail(err, EKSAUTH_EINVAL,
                            "region: %s is set but empty, and the AWS CLI then signs for no "
                            "region and fails: unset it or name a region",
                            name);
    return region_take(v, name, out, outlen, err);
}

enum eksauth_status eksauth_creds_region(const char *option,
                                         const struct eksauth_creds_options *opt, char *out,
                                         size_t outlen, struct eksauth_error *err)
{
    const char *named = NULL, *profile = NULL, *v;
    struct profile_file *cred = calloc(1, sizeof(*cred)), *conf = calloc(1, sizeof(*conf));
    const struct profile_file *from;
    char tried[TRIED_MAX] = "", at[4300];
    enum eksauth_status st;

    if (outlen > 0)
        out[0] = '\0';
    if (cred == NULL || conf == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOMEM, "region: out of memory");
        goto out;
    }
    /*
     * --region "" is the AWS CLI's region too, over the environment's: it
     * signs for the host sts..amazonaws.com and fails ("Invalid endpoint").
     */
    if (option != NULL && option[0] == '\0') {
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "region: %s is empty, and the AWS CLI then signs for no region "
                          "and fails: name a region, or leave the option out",
                          region_option(opt));
        goto out;
    }
    if (option != NULL) {
        st = region_take(option, region_option(opt), out, outlen, err);
        goto out;
    }
    /*
     * The first set decides, as in AWS CLI v2; AWS CLI v1 (botocore, 1.43
     * too) reads AWS_DEFAULT_REGION only, and with AWS_REGION alone signs
     * for the global endpoint: a token of AWS_REGION's regional endpoint is
     * as good to the cluster.
     */
    if ((v = env_raw(opt, "AWS_REGION")) != NULL) {
        st = region_env(v, "AWS_REGION", out, outlen, err);
        goto out;
    }
    if ((v = env_raw(opt, "AWS_DEFAULT_REGION")) != NULL) {
        st = region_env(v, "AWS_DEFAULT_REGION", out, outlen, err);
        goto out;
    }
    cred->want[0] = conf->want[0] = (struct ini_want){"region", NULL, 0};
    cred->n_want = conf->n_want = 1;
    /* Both files read, and refused as botocore refuses them, whichever holds the region. */
    st = profile_files(opt, "region", cred, conf, &named, &profile, tried, err);
    if (st != EKSAUTH_OK)
        goto out;
    /* botocore merges the credentials file's section into the profile, over the config file's. */
    from = cred->want[0].value != NULL ? cred : conf;
    if (from->want[0].value == NULL && !conf->exists) {
        st = eksauth_fail(err, EKSAUTH_ENOTFOUND,
                          "no AWS region: tried %s, AWS_REGION, AWS_DEFAULT_REGION and %s "
                          "(%s)",
                          region_option(opt), conf->path, absent_why(conf));
        goto out;
    }
    if (from->want[0].value == NULL) {
        st = eksauth_fail(err, EKSAUTH_ENOTFOUND,
                          "no AWS region: tried %s, AWS_REGION, AWS_DEFAULT_REGION and "
                          "profile \"%s\" in %s",
                          region_option(opt), profile, conf->path);
        goto out;
    }
    snprintf(at, sizeof(at), "%s line %u", from->path, from->want[0].line);
    /* "region =" is botocore's region too: get-token then signs for no host. */
    if (from->want[0].value[0] == '\0')
        st = eksauth_fail(err, EKSAUTH_EINVAL,
                          "region: %s: region is empty, and the AWS CLI then signs for no region "
                          "and fails: remove the line or name a region",
                          at);
    else
        st = region_take(from->want[0].value, at, out, outlen, err);
out:
    if (cred != NULL)
        wants_free(cred->want, 1);
    if (conf != NULL)
        wants_free(conf->want, 1);
    free(cred);
    free(conf);
    return st;
}
