/*
 * login_template.c - username templates as sets of logins (see
 * login_template.h).  A template is cut into pieces (literal characters
 * already mapped by names.h rule 1, and placeholders); a login fits when
 * the pieces match it, placeholders by backtracking over at most 32 bytes.
 * libc only: the NSS module compiles this file too.
 */
#include "config.h"

#include <string.h>

#include "eksauth/login_template.h"
#include "eksauth/names.h"

enum kind {
    P_LITERAL,
    P_ACCOUNT, /* {{AccountID}}: 12 digits */
    P_SESSION, /* {{SessionName}}, {{SessionNameRaw}}: 2 to 64 of [a-z0-9._-] */
    P_HOST,    /* {{EC2PrivateDNSName}} not bound: no login (or any DNS name: _may_fit) */
    P_NEVER,   /* {{AccessKeyID}}, unknown, unterminated: no login at all */
};

#define MAX_PLACEHOLDERS 4 /* more would make the backtracking costly: fit nothing */
#define MAX_PIECES       (EKSAUTH_NAME_MAX + MAX_PLACEHOLDERS)
#define DNS_NAME_MAX     253 /* an unbound {{EC2PrivateDNSName}}'s most bytes (template.h) */
/*
 * The longest username a template renders: its literal text (a template
 * of more pieces gives no login) and four placeholders, host names the
 * longest.  A longer one is cut to a login too (names.h rule 3), so it is
 * compared whole, not refused for its length.
 */
#define RENDERED_MAX (MAX_PIECES + MAX_PLACEHOLDERS * DNS_NAME_MAX)

struct piece {
    enum kind kind;
    char c; /* P_LITERAL: the character as rule 1 maps it */
};

struct shape {
    struct piece p[MAX_PIECES];
    size_t n;
    unsigned wildcards; /* P_ACCOUNT and P_SESSION pieces */
    bool never;         /* a piece that gives no login, or too many pieces */
    bool host;          /* an unbound {{EC2PrivateDNSName}} */
    bool host_wildcard; /* it matches any DNS name (_may_fit), not nothing */
};

static char map_char(char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
        return c;
    return '-';
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* A byte of a lower-case DNS name (template.h): rule 1 keeps each as it is. */
static bool is_dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static enum kind placeholder_kind(const char *name, size_t n)
{
    if (n == 9 && memcmp(name, "AccountID", 9) == 0)
        return P_ACCOUNT;
    if ((n == 11 && memcmp(name, "SessionName", 11) == 0) ||
        (n == 14 && memcmp(name, "SessionNameRaw", 14) == 0))
        return P_SESSION;
    if (n == 17 && memcmp(name, "EC2PrivateDNSName", 17) == 0)
        return P_HOST;
    return P_NEVER;
}

/*
 * Cut tmpl into pieces; a shape that can give no login has never set.
 * With map, literal characters are mapped by rule 1 (for logins); without,
 * kept as they are (for Kubernetes usernames).
 */
static void cut(const char *tmpl, bool map, struct shape *s)
{
    const char *p = tmpl;
    unsigned placeholders = 0;

    memset(s, 0, sizeof(*s));
    while (*p != '\0' && !s->never) {
        if (s->n >= MAX_PIECES) {
            s->never = true; /* longer than any login it could give */
            break;
        }
        if (p[0] == '{' && p[1] == '{') {
            const char *end = strstr(p + 2, "}}");

            if (end == NULL || ++placeholders > MAX_PLACEHOLDERS) {
                s->never = true;
                break;
            }
            s->p[s->n].kind = placeholder_kind(p + 2, (size_t)(end - (p + 2)));
            s->never = s->p[s->n].kind == P_NEVER;
            s->host = s->host || s->p[s->n].kind == P_HOST;
            if (s->p[s->n].kind == P_ACCOUNT || s->p[s->n].kind == P_SESSION)
                s->wildcards++;
            s->n++;
            p = end + 2;
            continue;
        }
        s->p[s->n].kind = P_LITERAL;
        s->p[s->n++].c = map ? map_char(*p) : *p;
        p++;
    }
}

/*
 * What match has found not to match: bit pi * (llen + 1) + li is set when
 * pieces[pi..] do not match login[li..].  Each placeholder is then tried
 * once from each place, so a name of RENDERED_MAX bytes costs little
 * however its placeholders sit.
 */
struct tried {
    size_t cols; /* llen + 1 */
    unsigned char dead[((MAX_PIECES + 1) * (RENDERED_MAX + 1) + 7) / 8];
};

static void tried_init(struct tried *t, const struct shape *s, size_t llen)
{
    t->cols = llen + 1;
    memset(t->dead, 0, ((s->n + 1) * t->cols + 7) / 8);
}

static bool match(const struct shape *s, struct tried *t, size_t pi, const char *login, size_t li,
                  size_t llen);

/* Match login[li..] against pieces[pi..], pieces[pi] first; placeholders backtrack. */
static bool match_piece(const struct shape *s, struct tried *t, size_t pi, const char *login,
                        size_t li, size_t llen)
{
    size_t k;

    switch (s->p[pi].kind) {
    case P_LITERAL:
        return li < llen && login[li] == s->p[pi].c && match(s, t, pi + 1, login, li + 1, llen);
    case P_ACCOUNT:
        /* An AWS account id: exactly 12 digits. */
        if (llen - li < 12)
            return false;
        for (k = 0; k < 12; k++)
            if (login[li + k] < '0' || login[li + k] > '9')
                return false;
        return match(s, t, pi + 1, login, li + 12, llen);
    case P_SESSION:
        /* A role session name is 2 to 64 characters; sanitised, they are [a-z0-9._-]. */
        for (k = 0; li + k < llen && k < 64 && is_name_char(login[li + k]); k++) {
            if (k + 1 >= 2 && match(s, t, pi + 1, login, li + k + 1, llen))
                return true;
        }
        return false;
    case P_HOST:
        /* Unbound, as _may_fit asks: any DNS name, one byte or more. */
        for (k = 0;
             s->host_wildcard && li + k < llen && k < DNS_NAME_MAX && is_dns_char(login[li + k]);
             k++) {
            if (match(s, t, pi + 1, login, li + k + 1, llen))
                return true;
        }
        return false;
    case P_NEVER:
        break;
    }
    return false;
}

/* Match login[li..] against pieces[pi..], each (pi, li) decided once (struct tried). */
static bool match(const struct shape *s, struct tried *t, size_t pi, const char *login, size_t li,
                  size_t llen)
{
    size_t bit = pi * t->cols + li;

    if (pi == s->n)
        return li == llen;
    if ((t->dead[bit / 8] & (1u << (bit % 8))) != 0)
        return false;
    if (match_piece(s, t, pi, login, li, llen))
        return true;
    t->dead[bit / 8] |= (unsigned char)(1u << (bit % 8));
    return false;
}

/* The literal text before the first wildcard: bareness counts an unbound host name as text. */
static bool prefix_has_alnum(const struct shape *s)
{
    size_t i;

    for (i = 0; i < s->n; i++) {
        if (s->p[i].kind == P_ACCOUNT || s->p[i].kind == P_SESSION)
            return false;
        if (s->p[i].kind == P_HOST || (s->p[i].kind == P_LITERAL && is_alnum(s->p[i].c)))
            return true;
    }
    return false;
}

bool eksauth_login_template_bare(const char *tmpl)
{
    struct shape s;

    if (tmpl == NULL)
        return true;
    cut(tmpl, true, &s);
    return s.wildcards > 0 && !prefix_has_alnum(&s);
}

/* _fits, or with host_wildcard _may_fit. */
static bool fits(const char *tmpl, const char *login, bool host_wildcard)
{
    struct tried t;
    struct shape s;
    size_t llen;

    if (tmpl == NULL || login == NULL)
        return false;
    llen = strlen(login);
    if (llen == 0 || llen > EKSAUTH_NAME_MAX)
        return false;
    if (strstr(tmpl, "{{") == NULL) {
        /*
         * No placeholder left: `eksauth sync` bound {{EC2PrivateDNSName}} to
         * this host's own instance.  It fits the one login names.h makes of
         * it, a cut and hashed long name included.
         */
        char want[EKSAUTH_NAME_MAX + 1];

        return eksauth_names_login(tmpl, want, NULL) == EKSAUTH_OK && strcmp(want, login) == 0;
    }
    cut(tmpl, true, &s);
    s.host_wildcard = host_wildcard;
    /* A bare template would answer for almost any name: it fits none. */
    if (s.never || (s.host && !host_wildcard) || !prefix_has_alnum(&s))
        return false;
    tried_init(&t, &s, llen);
    if (match(&s, &t, 0, login, 0, llen))
        return true;
    /*
     * names.h rule 2: a rendered name whose first character is a digit, '.'
     * or '-' gets a leading '_'.  So "_1ops" fits "1{{SessionName}}" too.
     */
    return login[0] == '_' && llen > 1 && !(login[1] >= 'a' && login[1] <= 'z') &&
           login[1] != '_' && match(&s, &t, 0, login, 1, llen);
}

bool eksauth_login_template_fits(const char *tmpl, const char *login)
{
    return fits(tmpl, login, false);
}

bool eksauth_login_template_may_fit(const char *tmpl, const char *login)
{
    return fits(tmpl, login, true);
}

/* _renders, or with host_wildcard _may_render. */
static bool renders(const char *tmpl, const char *k8s_username, bool host_wildcard)
{
    struct tried t;
    struct shape s;
    size_t len;

    if (tmpl == NULL || k8s_username == NULL || strstr(tmpl, "{{") == NULL)
        return tmpl != NULL && k8s_username != NULL && strcmp(tmpl, k8s_username) == 0;
    len = strlen(k8s_username);
    cut(tmpl, false, &s);
    s.host_wildcard = host_wildcard;
    if (s.never || (s.host && !host_wildcard) || len > RENDERED_MAX)
        return false;
    tried_init(&t, &s, len);
    return match(&s, &t, 0, k8s_username, 0, len);
}

bool eksauth_login_template_renders(const char *tmpl, const char *k8s_username)
{
    return renders(tmpl, k8s_username, false);
}

bool eksauth_login_template_may_render(const char *tmpl, const char *k8s_username)
{
    return renders(tmpl, k8s_username, true);
}

bool eksauth_login_template_gives(const char *tmpl, const char *login, const char *k8s_username)
{
    /* A cut login keeps only a head (names.h rule 3): its username shows every template. */
    return eksauth_login_template_fits(tmpl, login) ||
           (k8s_username != NULL && eksauth_login_template_renders(tmpl, k8s_username));
}

unsigned eksauth_login_templates_giving(const char *(*at)(void *ctx, size_t i), void *ctx, size_t n,
                                        const char *login, const char *k8s_username)
{
    unsigned giving = 0;
    size_t i;

    for (i = 0; i < n && giving < 2; i++)
        giving += eksauth_login_template_gives(at(ctx, i), login, k8s_username) ? 1 : 0;
    return giving;
}

/* The literal text of s before its first placeholder (head) or after its last; cap fits it all. */
static void literal_run(const struct shape *s, bool head, char *out)
{
    size_t i, n = 0, start = 0, end = s->n;

    if (head) {
        for (end = 0; end < s->n && s->p[end].kind == P_LITERAL; end++)
            ;
    } else {
        for (start = s->n; start > 0 && s->p[start - 1].kind == P_LITERAL; start--)
            ;
    }
    /* Rule 2 on the head: a first character that is not a letter or '_' gets a '_'. */
    if (head && end > 0 && !((s->p[0].c >= 'a' && s->p[0].c <= 'z') || s->p[0].c == '_'))
        out[n++] = '_';
    for (i = start; i < end; i++)
        out[n++] = s->p[i].c;
    out[n] = '\0';
}

/* The longest literal text of s between two placeholders: every login s fits holds it. */
static void longest_middle(const struct shape *s, char *out)
{
    size_t i, start = 0, best = 0, at = 0;
    bool inside = false;

    for (i = 0; i < s->n; i++) {
        if (s->p[i].kind == P_LITERAL)
            continue;
        if (inside && i - start > best) {
            best = i - start;
            at = start;
        }
        inside = true;
        start = i + 1;
    }
    for (i = 0; i < best; i++)
        out[i] = s->p[at + i].c;
    out[best] = '\0';
}

/* A head, rule 2's '_' included, and the NUL: the ends hold any shape cut() lets through. */
_Static_assert(MAX_PIECES + 2 <= EKSAUTH_LOGIN_TEMPLATE_END_MAX, "an end fits its buffer");

bool eksauth_login_template_ends(const char *tmpl, struct eksauth_login_template_ends *out)
{
    struct shape s;

    if (tmpl == NULL || strstr(tmpl, "{{") == NULL)
        return false;
    cut(tmpl, true, &s);
    if (s.never)
        return false;
    literal_run(&s, true, out->head);
    literal_run(&s, false, out->tail);
    longest_middle(&s, out->middle);
    return true;
}

static bool starts_with(const char *s, size_t n, const char *p, size_t m)
{
    return m <= n && memcmp(s, p, m) == 0;
}

static bool ends_with(const char *s, size_t n, const char *p, size_t m)
{
    return m <= n && memcmp(s + n - m, p, m) == 0;
}

bool eksauth_login_template_overlap(const char *a, const char *b)
{
    struct eksauth_login_template_ends ea, eb;
    char fixed[EKSAUTH_NAME_MAX + 1];
    size_t nha, nhb, nta, ntb;

    if (a == NULL || b == NULL)
        return false;
    /* A template without placeholders is one login: does the other give it? */
    if (strstr(a, "{{") == NULL || strstr(b, "{{") == NULL) {
        const char *one = strstr(a, "{{") == NULL ? a : b, *other = one == a ? b : a;

        if (eksauth_names_login(one, fixed, NULL) != EKSAUTH_OK)
            return false;
        if (strstr(other, "{{") == NULL) {
            char twin[EKSAUTH_NAME_MAX + 1];

            return eksauth_names_login(other, twin, NULL) == EKSAUTH_OK && strcmp(fixed, twin) == 0;
        }
        return eksauth_login_template_fits(other, fixed);
    }
    /* Every placeholder is a wildcard here (an unbound host name too): compare the ends. */
    if (!eksauth_login_template_ends(a, &ea) || !eksauth_login_template_ends(b, &eb))
        return false;
    nha = strlen(ea.head);
    nhb = strlen(eb.head);
    nta = strlen(ea.tail);
    ntb = strlen(eb.tail);
    return (starts_with(ea.head, nha, eb.head, nhb) || starts_with(eb.head, nhb, ea.head, nha)) &&
           (ends_with(ea.tail, nta, eb.tail, ntb) || ends_with(eb.tail, ntb, ea.tail, nta));
}
