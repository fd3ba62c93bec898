/*
 * doctor.h - what the parts of `eksauth doctor [--network] [--json]
 * [--root DIR]` share: the run, its findings, and reading the host's files
 * (under --root when given).  doctor reads a host's setup the way sshd,
 * PAM, glibc and sudo read it and prints each finding with the exact fix.
 *
 * One file per area, each with its checks:
 *   doctor.c    the entry: arguments, the checks in order, the exit code
 *   report.c    findings and their output (text, JSON)
 *   hostfile.c  host files under --root (links followed as a chroot
 *               would), cut into lines and words
 *   files.c     the config (present, trusted, valid, cluster_id set), its
 *               aws-auth source, the modules (on this host, as glibc and
 *               libpam load them; under --root, on disk), and the trust rule
 *               of lib/trust.c they share with the identity DB
 *   tokens.c    which tokens the host takes (accept_cluster_tokens), and
 *               whether a time service keeps the clock they are checked
 *               against (not under --root)
 *   nsswitch.c  eksauth after files on passwd:, group: (and initgroups:)
 *   pam.c       /etc/pam.d/sshd (pam_eksauth in auth, account with
 *               require_token, and session after every pam_env, in an
 *               order that works, with a local break-glass path) and
 *               /etc/pam.d/sudo
 *   sshd.c      sshd_config: UsePAM, KbdInteractiveAuthentication,
 *               AuthenticationMethods; PasswordAuthentication cuts tokens;
 *               eksauth logins keyboard-interactive only (sshd -T for a
 *               member of the group of every login, or the files)
 *   sudoers.c   rules naming group_prefix groups (each must exist; one
 *               that asks a password needs pam_eksauth in /etc/pam.d/sudo;
 *               sudo.conf's group_source dynamic)
 *   caches.c    nscd/unscd and SSSD caching what eksauth serves (a revoked
 *               user kept; keyed templated ids told to everyone)
 *   db.c        the identity DB (present, trusted, valid, its age), a
 *               cluster source's snapshot (its age, max_snapshot_age), the
 *               login index (whether logins map through it, by the rule of
 *               lib/login_index_fit.c) and a sync that keeps them current
 *               (a unit enabled, and neither it nor the service it
 *               starts masked)
 *   network.c   --network: STS and the sync source answer over TLS
 *
 * Everything is read from files, never through NSS or PAM: doctor must
 * work where those are broken.  (Exceptions, on this host only: sshd -T
 * resolves an eksauth login's groups through NSS itself, and the modules
 * are loaded as glibc and libpam load them, dlopen, to see that they are.)
 * Nothing is written.  Messages and fixes name host paths, never the
 * --root copy.
 */
#ifndef EKSAUTH_DOCTOR_H
#define EKSAUTH_DOCTOR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "eksauth/config.h"
#include "eksauth/paths.h"
#include "eksauth/setup.h"
#include "eksauth/iddb.h"

struct eksauth_cli;
struct pam_stack;
struct stat;

#define TEXT_MAX      (4u * 1024 * 1024)          /* a host's text file (pam.d, sudoers, ...) */
#define INCLUDE_DEPTH EKSAUTH_SETUP_INCLUDE_DEPTH /* nested @include / Include / #includedir */
#define WHERE_MAX     (PATH_MAX + 16)

#ifndef EKSAUTH_DOCDIR
#define EKSAUTH_DOCDIR "/usr/share/doc/eksauth"
#endif
#define EXAMPLES EKSAUTH_DOCDIR "/examples"

enum level { LV_OK, LV_INFO, LV_WARNING, LV_ERROR };

struct finding {
    enum level level;
    const char *check; /* "config", "nsswitch", "pam", "sshd", "sudoers", "db", ... */
    char *where;       /* host path, or path:line; NULL */
    char *problem;
    char *fix;             /* NULL when there is nothing to do */
    long long age_seconds; /* the identity DB's finding: its age; else -1 */
};

struct doctor {
    struct eksauth_cli *cli;
    char root[PATH_MAX]; /* "" for this host */
    bool network;
    struct finding *findings;
    size_t n_findings;
    bool nomem;
    struct eksauth_config cfg; /* defaults, then what the config file gave */
    bool cfg_init;
    bool cfg_usable; /* the file's lines parsed (cluster_id may still be missing) */
    char conf_host[PATH_MAX];
    struct eksauth_paths paths; /* the config and DB paths, as paths.h derives them */
    struct eksauth_iddb *db;    /* NULL when missing or refused */
    /* sshd's PAM stack, read once (pam.c's sshd_stack); NULL until then. */
    struct pam_stack *sshd_pam;
    /* Findings of a reading made early, held to be said in their check's turn (report.c). */
    struct finding *held;
    size_t n_held;
};

/* ---- report.c: findings and output ---- */

/* snprintf into a fixed buffer; false when the result was cut. */
bool fmt(char *buf, size_t n, const char *format, ...) __attribute__((format(printf, 3, 4)));

/*
 * Add a finding (where may be NULL); NULL when out of memory (d->nomem is then set).  One made
 * before alike (level, check, where, problem) is not made again: that one is returned.
 */
struct finding *report(struct doctor *d, enum level lv, const char *check, const char *where,
                       const char *format, ...) __attribute__((format(printf, 5, 6)));

/* Give f (may be NULL) its fix. */
void set_fix(struct doctor *d, struct finding *f, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* "path:line" into buf (WHERE_MAX bytes). */
const char *at_line(char *buf, const char *path, unsigned line);

/* Print the findings and the count of errors and warnings; 0, or EXIT_USAGE on a write error. */
int print_findings(const struct doctor *d, bool json);

/* How many findings are at level lv. */
size_t count_findings(const struct doctor *d, enum level lv);

void free_findings(struct doctor *d);

/*
 * Take the findings made since there were from out of the list into
 * d->held (a reading made early, for another check's use), and make them
 * again, as report would, in their own check's turn (give_held_findings).
 */
void hold_findings(struct doctor *d, size_t from);
void give_held_findings(struct doctor *d);

/* ---- hostfile.c: the host's files, lines and words ---- */

/*
 * Where doctor finds host under --root, into buf (PATH_MAX bytes; host as
 * is when there is no root): its folders resolved as a chroot into DIR
 * would resolve them, never out of DIR.  rooted keeps a link in the last
 * component (for lstat, readlink, glob patterns); rooted_file follows it
 * too (for stat and open).  "" when it cannot be resolved (a link loop).
 */
const char *rooted(const struct doctor *d, const char *host, char *buf);
const char *rooted_file(const struct doctor *d, const char *host, char *buf);

/* The host path of a path found under the root (glob results). */
const char *unrooted(const struct doctor *d, const char *real);

/* Read a whole text file (at most max bytes) NUL-terminated.  0, or an errno value. */
int slurp_path(const char *real, size_t max, char **out, size_t *outlen);

/* slurp_path of a host path under the root (links followed inside it), at most TEXT_MAX bytes. */
int slurp(const struct doctor *d, const char *host, char **out, size_t *outlen);

bool path_exists(const struct doctor *d, const char *host);

/*
 * Run path (argv, env; stdin and stderr /dev/null) on this host: its output
 * into *out, NUL-terminated (free it), length *outlen.  True when it exited
 * 0 having written less than max bytes; d->nomem set when memory ran out.
 */
bool run_output(struct doctor *d, const char *path, char *const argv[], char *const env[],
                size_t max, char **out, size_t *outlen);

/* Lines of a buffer, split in place: next_line returns each, NUL-terminated; no counts them. */
struct lines {
    char *p, *end;
    unsigned no;
};
char *next_line(struct lines *l);

bool is_blank(char c);
char *skip_blank(char *s);
/* The next blank-separated word of *s, NUL-terminated in place; NULL at the end. */
char *next_word(char **s);
/* Whether word occurs in the blank-separated list s. */
bool has_word(const char *s, const char *word);
const char *base_name(const char *path);

/* ---- the checks, in the order doctor.c runs them ---- */

void check_config(struct doctor *d);  /* files.c; sets cfg, cfg_usable, conf_host */
void check_source(struct doctor *d);  /* files.c; when cfg_usable */
void check_tokens(struct doctor *d);  /* tokens.c; when cfg_usable */
void check_clock(struct doctor *d);   /* tokens.c; not under --root */
void check_modules(struct doctor *d); /* files.c */
void check_nsswitch(struct doctor *d);
void check_db(struct doctor *d); /* db.c; opens d->db */
void check_pam_sshd(struct doctor *d);
void check_sshd(struct doctor *d); /* after nsswitch and db: a member for sshd -T */
void check_snapshot(struct doctor *d);
void check_login_index(struct doctor *d); /* db.c; after check_db */
void check_caches(struct doctor *d);      /* caches.c; after check_db */
void check_sync_enabled(struct doctor *d);
void check_sudoers(struct doctor *d);
void check_network(struct doctor *d); /* --network */

/*
 * pam.c: the config pam_eksauth reads in sshd's stack, into path (PATH_MAX
 * bytes): the config= of its first auth line, else of its first account
 * line.  False (path "") when that line names none: the module's default.
 * The stack is kept for check_pam_sshd, which says what reading it found.
 */
bool pam_sshd_config(struct doctor *d, char *path);

/* pam.c: free d->sshd_pam. */
void pam_sshd_free(struct doctor *d);

/* pam.c: /etc/pam.d/sudo asks pam_eksauth (a warning when not: sudoers.c asks when a rule needs
 * it). */
void check_pam_sudo(struct doctor *d);

/*
 * files.c: the trust rule of lib/trust.c on a file eksauth reads as root
 * (host: its host path, real: where doctor reads it, st: its stat): a file
 * PAM or sync refuses is an error in the library's own words, then why it
 * matters.  True when trusted.
 */
bool check_trust(struct doctor *d, const char *check, const char *host, const char *real,
                 const struct stat *st, const char *why);

#endif
