/*
 * local_files.c - whether a name or an id belongs to the host's own
 * accounts, read from /etc/passwd and /etc/group directly, or to the
 * blocks of subordinate ids of /etc/subuid and /etc/subgid: never through
 * NSS (no recursion), no allocation.  An unreadable file is said so, of a
 * name or an id (the caller fails closed).  See local_files.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/names.h"
#include "local_files.h"

/* White space as glibc's isspace has it in the C locale. */
#define BLANKS " \t\n\v\f\r"

bool nss_local_open(struct nss_local_lines *r, const char *file)
{
    r->tail = false;
    r->f = fopen(file, "re");
    return r->f != NULL;
}

/*
 * The next entry as glibc reads the file (nss/nss_readline.c, which
 * nss_files and fgetpwent share, and so lib/hostfiles.c): leading white
 * space skipped, blank lines and '#' comments skipped.  A line longer than
 * the buffer is cut: its tail is never taken for a line of its own.
 * Whether fgets filled the buffer is told, as glibc tells it, by a marker
 * in its last byte, never by strlen: a NUL byte in a line made it look
 * cut, and the next line (a local name) was skipped as its tail.
 */
char *nss_local_next(struct nss_local_lines *r)
{
    const size_t last = sizeof(r->line) - 1;
    char *p;
    bool whole;

    for (;;) {
        r->line[last] = '\xff';
        if (fgets(r->line, sizeof(r->line), r->f) == NULL)
            break;
        /* fgets wrote the last byte (its NUL) only when the line filled the buffer. */
        whole = r->line[last] != '\0' || r->line[last - 1] == '\n';
        if (r->tail) {
            r->tail = !whole;
            continue;
        }
        p = r->line + strspn(r->line, BLANKS);
        if (*p == '\0') {
            /*
             * Blanks up to the buffer's end: the next piece is still the
             * start of this line.  A NUL byte before it ends the entry,
             * and the rest of an unfinished line is its tail.
             */
            r->tail = !whole && p != r->line + last;
            continue;
        }
        r->tail = !whole;
        if (*p != '#')
            return p;
    }
    return NULL;
}

/* Close r: false when reading failed (fail closed). */
bool nss_local_close(struct nss_local_lines *r)
{
    bool ok = !ferror(r->f);

    fclose(r->f);
    return ok;
}

/*
 * Does /etc/passwd or /etc/group hold name?  Read directly (never through
 * NSS: no recursion).  A missing file holds nothing.
 */
enum nss_local nss_local_file_has(const char *file, const char *name)
{
    struct nss_local_lines r;
    size_t nlen = strlen(name);
    bool found = false;
    char *line;

    if (!nss_local_open(&r, file))
        return errno == ENOENT ? NSS_LOCAL_NO : NSS_LOCAL_UNREADABLE;
    /* Only the first field of an entry. */
    while (!found && (line = nss_local_next(&r)) != NULL)
        found = strncmp(line, name, nlen) == 0 && line[nlen] == ':';
    if (!nss_local_close(&r) && !found)
        return NSS_LOCAL_UNREADABLE;
    return found ? NSS_LOCAL_YES : NSS_LOCAL_NO;
}

enum nss_local nss_local_name(const char *name)
{
    enum nss_local u = nss_local_file_has("/etc/passwd", name), g;

    if (u == NSS_LOCAL_YES)
        return u;
    g = nss_local_file_has("/etc/group", name);
    return g == NSS_LOCAL_NO ? u : g;
}

/*
 * Does a line of file hold id in its third field (passwd: uid, group: gid)
 * or, with gid_too, its fourth (passwd: the primary gid)?  Read directly,
 * as above.
 */
static enum nss_local nss_local_file_has_id(const char *file, uint32_t id, bool gid_too)
{
    struct nss_local_lines r;
    char *line, *f3, *f4, *end;
    bool found = false;

    if (!nss_local_open(&r, file))
        return errno == ENOENT ? NSS_LOCAL_NO : NSS_LOCAL_UNREADABLE;
    while (!found && (line = nss_local_next(&r)) != NULL) {
        if ((f3 = strchr(line, ':')) == NULL || (f3 = strchr(f3 + 1, ':')) == NULL)
            continue;
        f3++;
        found = strtoul(f3, &end, 10) == id && end != f3 && *end == ':';
        if (!found && gid_too && (f4 = strchr(f3, ':')) != NULL) {
            f4++;
            found = strtoul(f4, &end, 10) == id && end != f4 && *end == ':';
        }
    }
    if (!nss_local_close(&r) && !found)
        return NSS_LOCAL_UNREADABLE;
    return found ? NSS_LOCAL_YES : NSS_LOCAL_NO;
}

/* ------------------------------------------------------------------------ */
/* Subordinate ids.                                                          */

/*
 * A line, "owner:start:count", is read as lib/hostfiles.c reads it for the
 * sync and the login: the same lines must give the same blocks here, or NSS
 * would answer a name whose login is refused.  The fields are one function
 * (eksauth_names_subid_block); only the line is split here, streaming,
 * because lib/hostfiles.c is not in this module (mk/nss.am compiles in only
 * what needs libc alone, and it reads a whole file into memory it
 * allocates, which a lookup here never does); tests/unit/test_nss.c feeds
 * both the same lines and requires the same blocks.
 */

/*
 * The longest tail of a line after its owner read as a block: ':' and what
 * eksauth_names_subid_block reads.  A longer tail is a line shadow never
 * reads, and it delegates nothing there either.
 */
#define SUB_TAIL_MAX (1 + EKSAUTH_NAMES_SUBID_TAIL_MAX)

/* The block of a line whose owner is not empty, from its tail (tail[0] is the first colon). */
static bool sub_tail(const char *tail, size_t n, struct nss_subid_block *b)
{
    return n > 0 && tail[0] == ':' && eksauth_names_subid_block(tail + 1, n - 1, &b->lo, &b->hi);
}

/*
 * Call fn for each block of file until it returns false; a line of any
 * length is read (its owner is only checked to be there).  False when the
 * file is there but cannot be read: fail closed.  A missing file delegates
 * nothing.
 */
static bool each_block(const char *file, bool (*fn)(void *, const struct nss_subid_block *),
                       void *arg)
{
    char tail[SUB_TAIL_MAX + 1];
    size_t pos = 0, n = 0;
    bool owner = false, more = true, ok;
    struct nss_subid_block b;
    FILE *f = fopen(file, "re");
    int c;

    if (f == NULL)
        return errno == ENOENT;
    while (more) {
        c = getc(f);
        if (c == EOF || c == '\n') {
            /* A line: its owner (before the first colon) is there, and its tail is short enough. */
            if (owner && n <= SUB_TAIL_MAX && sub_tail(tail, n, &b))
                more = fn(arg, &b);
            if (c == EOF)
                break;
            pos = n = 0;
            owner = false;
            continue;
        }
        if (n > 0 || c == ':') {
            if (n == 0)
                owner = pos > 0;
            if (n < sizeof(tail))
                tail[n] = (char)c;
            n++;
        }
        pos++;
    }
    ok = !ferror(f);
    fclose(f);
    return ok;
}

const char *nss_subid_file(bool gids)
{
    return gids ? "/etc/subgid" : "/etc/subuid";
}

/* Add *b to the set: merged with a block it overlaps or touches, else kept apart, or overflow. */
static bool add_block(void *arg, const struct nss_subid_block *b)
{
    struct nss_subids *s = arg;
    struct nss_subid_block *k;
    unsigned i;

    for (i = 0; i < s->n; i++) {
        k = &s->blocks[i];
        if (b->lo <= k->hi && k->lo <= b->hi) /* overlapping */
            break;
        if ((k->hi < UINT32_MAX && b->lo == k->hi + 1) ||
            (b->hi < UINT32_MAX && k->lo == b->hi + 1))
            break; /* touching */
    }
    if (i < s->n) {
        k = &s->blocks[i];
        k->lo = b->lo < k->lo ? b->lo : k->lo;
        k->hi = b->hi > k->hi ? b->hi : k->hi;
    } else if (s->n < NSS_SUBIDS_MAX) {
        s->blocks[s->n++] = *b;
    } else {
        s->overflow = true;
    }
    return !s->overflow;
}

void nss_subids_read(struct nss_subids *s, const char *subuid, const char *subgid)
{
    memset(s, 0, sizeof(*s));
    s->files[0] = subuid;
    s->files[1] = subgid;
    s->unreadable = !each_block(subuid, add_block, s) || !each_block(subgid, add_block, s);
}

struct id_search {
    uint32_t id;
    bool found;
};

static bool find_block(void *arg, const struct nss_subid_block *b)
{
    struct id_search *q = arg;

    q->found = q->id >= b->lo && q->id <= b->hi;
    return !q->found;
}

/* Is id in a block of file, read now? */
static enum nss_local subid_file_holds(const char *file, uint32_t id)
{
    struct id_search q = {id, false};
    bool read = each_block(file, find_block, &q);

    if (q.found)
        return NSS_LOCAL_YES;
    return read ? NSS_LOCAL_NO : NSS_LOCAL_UNREADABLE;
}

/* a and b, the files' words on one id: held by either, else unknown if either is. */
static enum nss_local either(enum nss_local a, enum nss_local b)
{
    if (a == NSS_LOCAL_YES || b == NSS_LOCAL_YES)
        return NSS_LOCAL_YES;
    return a == NSS_LOCAL_UNREADABLE ? a : b;
}

/* Does s hold id: yes, no, or unknown (a file there but unreadable). */
static enum nss_local subids_word(const struct nss_subids *s, uint32_t id)
{
    unsigned i;

    if (s->unreadable)
        return NSS_LOCAL_UNREADABLE;
    /* More blocks than the set keeps: the files themselves, as a set of none would miss some. */
    if (s->overflow)
        return either(subid_file_holds(s->files[0], id), subid_file_holds(s->files[1], id));
    for (i = 0; i < s->n; i++)
        if (id >= s->blocks[i].lo && id <= s->blocks[i].hi)
            return NSS_LOCAL_YES;
    return NSS_LOCAL_NO;
}

bool nss_subids_hold(const struct nss_subids *s, uint32_t id)
{
    return subids_word(s, id) != NSS_LOCAL_NO;
}

/*
 * A uid or gid the local files hold, or a subordinate id a local account
 * was delegated: eksauth never answers a templated name with it.
 */
enum nss_local nss_local_id(const struct nss_subids *subs, uint32_t id)
{
    enum nss_local w;

    /* A reserved id is held as a local one, as lib/hostfiles.c holds it. */
    if (eksauth_names_id_reserved(id))
        return NSS_LOCAL_YES;
    w = either(nss_local_file_has_id("/etc/passwd", id, true),
               nss_local_file_has_id("/etc/group", id, false));
    if (w == NSS_LOCAL_YES)
        return w;
    /*
     * A local account acts as its subordinate ids in a user namespace of its
     * own (newuidmap): an eksauth user given one would be that account's to
     * read, write and signal, as lib/hostfiles.c holds them.
     */
    return either(w, subids_word(subs, id));
}
