/*
 * replay.h - the single-use record (eksauth.conf "single_use = yes").
 *
 * An EKS token is a bearer credential for 15 minutes, and the cluster
 * accepts it again and again.  With single_use, this host remembers every
 * token it accepted until the token can no longer pass the window check,
 * and refuses the second use of one on this host.
 *
 * What is kept: the SHA-256 of the token's X-Amz-Signature (it identifies
 * the presigned request; the signature itself is never stored) and the time
 * until which the entry must be kept: expires_at + EKSAUTH_REPLAY_MARGIN,
 * so that a clock stepped back by up to the margin cannot bring a used
 * token back to life.  Entries past that time are pruned on every claim.
 *
 * One record per principal (eksauth_replay_path: the folder "replay" beside
 * the identity DB, a file named by a hash of the canonical ARN), each of at
 * most EKSAUTH_REPLAY_MAX entries (160 KB): a principal that fills its own
 * record with live tokens has its own next logins refused until they
 * expire, and no other principal's.  A principal is the canonical ARN, so
 * every session of one role shares one record: one holder of a role many
 * people assume can hold up the others' logins (SECURITY.md, known gaps).
 * Only mapped principals reach the claim, so the number of records is
 * bounded by who may log in.
 *
 * Each file is root-only: owned by the caller's euid, mode 0600, in a
 * folder no one else can write: a real folder, the caller's, never a link
 * to one (whoever made the link would choose where the records are).  A
 * claim runs under an exclusive flock on "<path>.lock" and replaces the
 * file atomically (temp file, fsync, rename, fsync of the folder), so
 * concurrent logins of one token see exactly one success and a crash
 * leaves the old or the new record, whole.
 *
 * File format, version 1 (integers little-endian):
 *   header 16 bytes: magic "EKSRPLY\n", u32 version (1), u32 count
 *   count records of 40 bytes, sorted by hash (memcmp), no two equal:
 *     32 bytes SHA-256 of the signature, u64 keep_until (Unix seconds)
 *
 * The table functions are pure (bytes in, bytes out, the caller passes
 * now); eksauth_replay_claim does the file work.
 */
#ifndef EKSAUTH_REPLAY_H
#define EKSAUTH_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "eksauth/status.h"

#define EKSAUTH_REPLAY_MAGIC       "EKSRPLY\n"
#define EKSAUTH_REPLAY_VERSION     1u
#define EKSAUTH_REPLAY_HEADER_SIZE 16u
#define EKSAUTH_REPLAY_RECORD_SIZE 40u
#define EKSAUTH_REPLAY_HASH_LEN    32u
#define EKSAUTH_REPLAY_MAX         4096u /* live tokens of one principal on one host */
#define EKSAUTH_REPLAY_MARGIN      900   /* seconds kept past a token's expiry */

/* The refusal of a replay, word for word: a full record is refused otherwise (login.c says which).
 */
#define EKSAUTH_REPLAY_USED "replay: this token was already used on this host"

struct eksauth_replay;

/* SHA-256 of sig[0..len): the key of a token in the record. */
void eksauth_replay_hash(const char *sig, size_t len, unsigned char out[EKSAUTH_REPLAY_HASH_LEN]);

/* An empty table. */
enum eksauth_status eksauth_replay_new(struct eksauth_replay **out, struct eksauth_error *err);

/*
 * Read a record from data[0..len); len 0 is an empty table.  Anything else
 * that is not exactly a version-1 record (magic, version, size, sorted,
 * distinct, at most EKSAUTH_REPLAY_MAX) is EKSAUTH_EINVAL.
 */
enum eksauth_status eksauth_replay_parse(const void *data, size_t len, struct eksauth_replay **out,
                                         struct eksauth_error *err);
void eksauth_replay_free(struct eksauth_replay *r);

size_t eksauth_replay_count(const struct eksauth_replay *r);

/* Drop the entries whose keep_until is before now; returns how many went. */
size_t eksauth_replay_prune(struct eksauth_replay *r, time_t now);

/* True when hash is recorded (whatever its keep_until). */
bool eksauth_replay_seen(const struct eksauth_replay *r,
                         const unsigned char hash[EKSAUTH_REPLAY_HASH_LEN]);

/*
 * Record hash until keep_until.  EKSAUTH_EREJECTED when it is already there
 * (the replay: the message is EKSAUTH_REPLAY_USED) or when the table holds
 * EKSAUTH_REPLAY_MAX entries (another message).  The table is unchanged on
 * failure.
 */
enum eksauth_status eksauth_replay_add(struct eksauth_replay *r,
                                       const unsigned char hash[EKSAUTH_REPLAY_HASH_LEN],
                                       time_t keep_until, struct eksauth_error *err);

/* The file bytes of r, malloc'd (free()). */
enum eksauth_status eksauth_replay_serialize(const struct eksauth_replay *r, void **out,
                                             size_t *len, struct eksauth_error *err);

/*
 * The record of principal (its canonical ARN, compared without case) in the
 * folder dir: "<dir>/<16 hex digits of SHA-256>.db".  EKSAUTH_EINVAL when it
 * does not fit in out.
 */
enum eksauth_status eksauth_replay_path(const char *dir, const char *principal, char *out,
                                        size_t outlen, struct eksauth_error *err);

/*
 * The first use of a token on this host: under the lock, read the record at
 * path (a missing file is an empty record), prune it at now, and add the
 * signature's hash until expires_at + EKSAUTH_REPLAY_MARGIN.
 *   EKSAUTH_OK         first use: recorded on disk before returning
 *   EKSAUTH_EREJECTED  EKSAUTH_REPLAY_USED; or the record is full of live
 *                      tokens (this principal's logins wait for them)
 *   EKSAUTH_EUNAVAIL   the record cannot be trusted or written (not
 *                      root-only, corrupt, folder missing, a link or
 *                      not the caller's alone, I/O), the message naming
 *                      the folder or file and what is wrong:
 *                      the caller must refuse the login (fail closed)
 * Messages never hold the signature.
 */
enum eksauth_status eksauth_replay_claim(const char *path, const char *sig, size_t sig_len,
                                         time_t expires_at, time_t now, struct eksauth_error *err);

#endif
