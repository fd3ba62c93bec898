/*
 * local_files.c - whether a name or an id belongs to the host's own
 * accounts, read from /etc/passwd and /etc/group directly: never through
 * NSS (no recursion), no allocation.  An unreadable file counts as "yes"
 * (fail closed).  See local_files.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eksauth/names.h"
#include "local_files.h"

/*
 * Does /etc/passwd or /etc/group hold name?  Read directly (never through
 * NSS: no recursion).  Unreadable counts as "yes": fail closed.
 */
bool nss_local_file_has(const char *file, const char *name)
{
    char line[1024];
    size_t nlen = strlen(name);
    bool at_start = true, found = false;
    FILE *f;

    f = fopen(file, "re");
    if (f == NULL)
        return errno != ENOENT;
    while (!found && fgets(line, sizeof(line), f) != NULL) {
        size_t l = strlen(line);

        /* Only the first field of a line; the tail of an over-long line is skipped. */
        if (at_start && strncmp(line, name, nlen) == 0 && line[nlen] == ':')
            found = true;
        at_start = l > 0 && line[l - 1] == '\n';
    }
    if (ferror(f))
        found = true;
    fclose(f);
    return found;
}

bool nss_local_name(const char *name)
{
    return nss_local_file_has("/etc/passwd", name) || nss_local_file_has("/etc/group", name);
}

/*
 * Does a line of file hold id in its third field (passwd: uid, group: gid)
 * or, with gid_too, its fourth (passwd: the primary gid)?  Read directly,
 * as above; unreadable counts as "yes": fail closed.
 */
static bool nss_local_file_has_id(const char *file, uint32_t id, bool gid_too)
{
    char line[1024], *f3, *f4, *end;
    bool at_start = true, start, found = false;
    FILE *fp = fopen(file, "re");

    if (fp == NULL)
        return errno != ENOENT;
    while (!found && fgets(line, sizeof(line), fp) != NULL) {
        size_t l = strlen(line);

        start = at_start;
        at_start = l > 0 && line[l - 1] == '\n';
        if (!start || (f3 = strchr(line, ':')) == NULL || (f3 = strchr(f3 + 1, ':')) == NULL)
            continue;
        f3++;
        found = strtoul(f3, &end, 10) == id && end != f3 && *end == ':';
        if (!found && gid_too && (f4 = strchr(f3, ':')) != NULL) {
            f4++;
            found = strtoul(f4, &end, 10) == id && end != f4 && *end == ':';
        }
    }
    if (ferror(fp))
        found = true;
    fclose(fp);
    return found;
}

/* A uid or gid the local files hold: eksauth never answers a templated name with it. */
bool nss_local_id(void *ctx, uint32_t id)
{
    (void)ctx;
    /* A reserved id is held as a local one, as lib/hostfiles.c holds it. */
    return eksauth_names_id_reserved(id) || nss_local_file_has_id("/etc/passwd", id, true) ||
           nss_local_file_has_id("/etc/group", id, false);
}
