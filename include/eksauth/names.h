/*
 * names.h - Kubernetes names to POSIX names, and deterministic ids
 * (docs/names-and-ids.md).  Pure and libc-only: the NSS module
 * compiles this same file.
 *
 * Login names, from a k8s username, byte by byte:
 *   1. 'A'-'Z' become lower case; [a-z0-9._-] stay; every other byte
 *      (':', '@', '/', space, each byte of a UTF-8 sequence, ...) becomes '-'.
 *   2. When the first character is not a letter or '_' (a digit, '.' or
 *      '-'), the name gets a leading '_': "1ops" -> "_1ops", "-x" -> "_-x".
 *   3. When the result is longer than 32 bytes, its first 23 bytes are kept
 *      and "-" + 8 lower-case hex digits are appended (32 bytes in all).  The
 *      8 hex digits are the 32-bit fold (h ^ h >> 32) of h = FNV-1a-64 of
 *      the whole original k8s name, so long names that share a prefix differ.
 *   A k8s name that is empty or has no ASCII letter or digit is refused
 *   (EKSAUTH_EINVAL, "name: ..."): it would map to dashes only.
 *   "admin:Alice@example.com" -> "admin-alice-example.com".
 * Group names: prefix (default "eks-") + the k8s group mapped by rule 1,
 *   then rules 2 and 3 on the whole result; the suffix hashes the k8s group
 *   alone.  "system:masters" -> "eks-system-masters".
 * The output only ever holds [a-z0-9._-]: never ':', ',', '/', newline or NUL.
 *
 * Ids, unkeyed: h = FNV-1a-64 (offset basis EKSAUTH_FNV1A64_INIT) over the
 * bytes of the POSIX name, continued over the probe number as 4
 * little-endian bytes.  Keyed (the fleet's id key, idkey.h): h =
 * SipHash-2-4(k, le64(SipHash-2-4(k, name)) || le32(probe)).  Either way
 * id = id_min + ((h ^ (h >> 32)) mod (id_max - id_min + 1)), with 64-bit
 * arithmetic.  Unkeyed ids are public: anyone who can choose a name (a
 * session name) can search for one that lands on a given uid; keyed ids
 * cannot be aimed without the key (docs/names-and-ids.md, "Ids").
 * Static names probe 1, 2, ... on a collision, in that fixed order, so every
 * host that sees the same names gives the same ids; a templated login takes
 * probe 0 or nothing.
 */
#ifndef EKSAUTH_NAMES_H
#define EKSAUTH_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/status.h"

#define EKSAUTH_NAME_MAX         32
#define EKSAUTH_ID_MIN           1900000000u
#define EKSAUTH_ID_MAX           1999999999u
#define EKSAUTH_GROUP_PREFIX     "eks-"
#define EKSAUTH_GROUP_PREFIX_MAX 16
#define EKSAUTH_ID_MAX_PROBES    64

/* 64-bit FNV-1a, the one hash of names and ids (well known, not cryptographic). */
uint64_t eksauth_fnv1a64(const void *data, size_t len, uint64_t seed);
#define EKSAUTH_FNV1A64_INIT 0xcbf29ce484222325ull

/*
 * k8s username -> login name by the rule above.  Fails (EKSAUTH_EINVAL,
 * "name: <why>") for a NULL or empty name or one without a letter or digit.
 */
enum eksauth_status eksauth_names_login(const char *k8s_username, char out[EKSAUTH_NAME_MAX + 1],
                                        struct eksauth_error *err);

/*
 * k8s group -> POSIX group name with prefix (NULL means EKSAUTH_GROUP_PREFIX;
 * a prefix that eksauth_names_prefix_valid refuses is EKSAUTH_EINVAL).
 */
enum eksauth_status eksauth_names_group(const char *k8s_group, const char *prefix,
                                        char out[EKSAUTH_NAME_MAX + 1], struct eksauth_error *err);

/*
 * True when name is a valid POSIX name by the rule above (what NSS will
 * serve): 1..32 bytes of [a-z0-9._-], the first a letter or '_', and at
 * least one letter or digit.
 */
bool eksauth_names_valid(const char *name);

/*
 * True for a group prefix: 1..EKSAUTH_GROUP_PREFIX_MAX bytes of [a-z0-9._-],
 * the first a letter or '_'.  Never empty: the prefix is what keeps k8s
 * groups apart from the host's own groups.
 */
bool eksauth_names_prefix_valid(const char *prefix);

/*
 * True for names that eksauth never serves or logs in, whatever aws-auth
 * says: root and the Debian system accounts (root, daemon, bin, sys, ...,
 * nobody, sshd, systemd-*, _apt, messagebus).
 */
bool eksauth_names_reserved(const char *posix_name);

/*
 * True when rule 1 leaves every byte of s as it is ([a-z0-9._-] only): a
 * value that can go into a login unchanged, so two different values never
 * give one login.
 */
bool eksauth_names_kept(const char *s);

/*
 * The fleet's id key (idkey.h): 16 bytes derived from the key file, and a
 * check value that may be published (the identity DB holds it) to tell
 * whether two hosts, or a DB and a file, have the same key.
 */
struct eksauth_id_key {
    unsigned char k[16];
    uint64_t check; /* SipHash-2-4(k, "eksauth id key check") */
};

/* SipHash-2-4 of data under a 16-byte key: a short, well-known PRF (libc only). */
uint64_t eksauth_siphash24(const unsigned char key[16], const void *data, size_t len);

/*
 * The id key of a secret of len >= 32 bytes: k[0..8) = SipHash-2-4 of the
 * whole secret keyed by its bytes 0..15, k[8..16) the same keyed by its
 * bytes 16..31, both little-endian; then the check value.
 */
void eksauth_names_id_key_derive(const void *secret, size_t len, struct eksauth_id_key *out);

/*
 * The id of posix_name at a probe number, in [id_min, id_max], by the
 * formula above, keyed with key (NULL: unkeyed).  0/0 means the defaults;
 * so does any other unusable range (id_min 0 or above id_max), so the
 * result is never 0.
 */
uint32_t eksauth_names_id(const struct eksauth_id_key *key, const char *posix_name, unsigned probe,
                          uint32_t id_min, uint32_t id_max);

/*
 * An id eksauth never gives, whatever the range: 65534 (nobody: the
 * kernel's overflow id, which an id outside a user namespace's map and
 * NFS's squashed root show as), 65535 ((uint16_t)-1, "no id" to 16-bit
 * interfaces) and the 32-bit -1 and -2.  The host counts them as held
 * (lib/hostfiles.c, the NSS module's local files), as a local id.
 */
bool eksauth_names_id_reserved(uint32_t id);

/*
 * The ids a line of /etc/subuid or /etc/subgid delegates, from what follows
 * its owner and colon, s[0..n) = "START:COUNT" (one CR at the end taken as
 * the line's end): lo..hi, or false when the line delegates none.  The
 * numbers are read as shadow's newuidmap reads them (strtoul, base 0: white
 * space before, a sign, 0x hex, 0 octal; the whole field), so the ids held
 * are the ones the owner acts as; where shadow's versions differ (a fourth
 * field, a count past 32 bits, 0:0), the reading that delegates more.
 * Shared by lib/hostfiles.c and the NSS module.
 */
bool eksauth_names_subid_block(const char *s, size_t n, uint32_t *lo, uint32_t *hi);

/*
 * The longest s eksauth_names_subid_block reads: shadow reads no line of
 * 1024 bytes or more, and an owner is at least one byte before the colon.
 */
#define EKSAUTH_NAMES_SUBID_TAIL_MAX 1021

#endif
