/*
 * local_files.h - the NSS module's reading of the host's own accounts
 * (/etc/passwd, /etc/group, /etc/subuid, /etc/subgid), directly, for the
 * checks that keep eksauth off local names and ids (nss_eksauth.c).
 * Internal to the module: not exported (exports.map).
 */
#ifndef EKSAUTH_NSS_LOCAL_FILES_H
#define EKSAUTH_NSS_LOCAL_FILES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The entries of /etc/passwd or /etc/group, read as glibc's files reader
 * reads them (local_files.c): nss_local_open (false: fopen failed, errno
 * says why), nss_local_next until NULL, nss_local_close (false: a read
 * failed).
 */
struct nss_local_lines {
    FILE *f;
    bool tail; /* in the rest of a line longer than line */
    char line[1024];
};
bool nss_local_open(struct nss_local_lines *r, const char *file);
/* The next entry, from its first field on (writable), or NULL at the end. */
char *nss_local_next(struct nss_local_lines *r);
bool nss_local_close(struct nss_local_lines *r);

/* What the local files say of a name or an id: not there, there, or nothing (a file could not be
 * read). */
enum nss_local {
    NSS_LOCAL_NO,
    NSS_LOCAL_YES,
    NSS_LOCAL_UNREADABLE,
};

/* Does file (/etc/passwd or /etc/group) have an entry for name? */
enum nss_local nss_local_file_has(const char *file, const char *name);

/* Is name a local user's or a local group's? */
enum nss_local nss_local_name(const char *name);

/* A block of subordinate ids (a line of /etc/subuid or /etc/subgid): lo..hi, both included. */
struct nss_subid_block {
    uint32_t lo, hi;
};

/* The blocks kept; useradd's blocks follow one another, so they merge into few. */
#define NSS_SUBIDS_MAX 64

/*
 * The blocks of /etc/subuid and /etc/subgid, which local accounts act as
 * in user namespaces of their own (newuidmap): held like local ids.
 */
struct nss_subids {
    const char *files[2];                          /* subuid's path, subgid's */
    struct nss_subid_block blocks[NSS_SUBIDS_MAX]; /* blocks[0..n), merged where they touch */
    unsigned n;
    bool overflow;   /* more blocks than fit: the files are read at each question */
    bool unreadable; /* a file there but unreadable: every id held (fail closed) */
};

/* The path of /etc/subuid (gids: /etc/subgid); a function, so a test can move it. */
const char *nss_subid_file(bool gids);

/* Read the files subuid and subgid (kept, not copied) into *s, with no allocation. */
void nss_subids_read(struct nss_subids *s, const char *subuid, const char *subgid);

/* Does s (as read by nss_subids_read) hold id?  A file there but unreadable holds every id. */
bool nss_subids_hold(const struct nss_subids *s, uint32_t id);

/*
 * Is id a local uid or gid (/etc/passwd's uid and primary gid fields,
 * /etc/group's gid), or in a block of subs (the subordinate ids as last
 * read)?  NSS_LOCAL_UNREADABLE when none holds it and a file could not be
 * read.
 */
enum nss_local nss_local_id(const struct nss_subids *subs, uint32_t id);

#endif
