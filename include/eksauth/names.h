/*
 * names.h - Kubernetes names to POSIX names, and deterministic ids
 * (DESIGN §3 "POSIX names and ids").  Pure and libc-only: the NSS module
 * compiles this same file.
 *
 * Login names: lower case, [a-z0-9._-], first character a letter or '_',
 * at most 32 bytes; any other character becomes '-'; a longer name is cut
 * and ends with '-' and 8 hex digits of FNV-1a over the original.
 * Group names: the prefix (default "eks-") + the same rule.
 * Ids: FNV-1a of the POSIX name and a probe number, into [id_min, id_max];
 * on a collision the caller tries probe 1, 2, ... in that fixed order.
 */
#ifndef EKSAUTH_NAMES_H
#define EKSAUTH_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eksauth/status.h"

#define EKSAUTH_NAME_MAX      32
#define EKSAUTH_ID_MIN        1900000000u
#define EKSAUTH_ID_MAX        1999999999u
#define EKSAUTH_GROUP_PREFIX  "eks-"
#define EKSAUTH_ID_MAX_PROBES 64

/* 64-bit FNV-1a, the one hash of names and ids (well known, not cryptographic). */
uint64_t eksauth_fnv1a64(const void *data, size_t len, uint64_t seed);
#define EKSAUTH_FNV1A64_INIT 0xcbf29ce484222325ull

/*
 * k8s username -> login name.  Fails (EKSAUTH_EINVAL, "name: <why>") for
 * an empty name or one with ':' ',' newline or NUL only where they cannot
 * be mapped (they are mapped to '-'; the check is on the result).
 */
enum eksauth_status eksauth_names_login(const char *k8s_username, char out[EKSAUTH_NAME_MAX + 1],
                                        struct eksauth_error *err);

/* k8s group -> POSIX group name with prefix (NULL means EKSAUTH_GROUP_PREFIX). */
enum eksauth_status eksauth_names_group(const char *k8s_group, const char *prefix,
                                        char out[EKSAUTH_NAME_MAX + 1],
                                        struct eksauth_error *err);

/* True when name is a valid POSIX name by the rule above (what NSS will serve). */
bool eksauth_names_valid(const char *name);

/* The id of name at a probe number, in [id_min, id_max] (0/0 means the defaults). */
uint32_t eksauth_names_id(const char *posix_name, unsigned probe, uint32_t id_min,
                          uint32_t id_max);

#endif
