/*
 * iddb_format.h - the byte layout of the identity DB, version 3, shared by
 * the reader (lib/iddb.c) and the writer (lib/iddb_write.c).  What each
 * field means, and why, is in docs/identity-db.md.  All integers are
 * little-endian; every offset is from the start of the file.
 */
#ifndef EKSAUTH_IDDB_FORMAT_H
#define EKSAUTH_IDDB_FORMAT_H

#include <stdint.h>

/* The header page: a 256-byte header, then zeroes up to the first block. */
enum {
    IDDB_H_MAGIC = 0,
    IDDB_H_VERSION = 8,
    IDDB_H_HSIZE = 12,
    IDDB_H_FSIZE = 16,
    IDDB_H_CHECKSUM = 24, /* XXH64 of the header page with this field and the stale word as zero */
    IDDB_H_GENERATION = 32,
    IDDB_H_STALE = 40, /* 0 current; 1 once a writer is replacing the file */
    IDDB_H_FLAGS = 44,
    IDDB_H_ID_MIN = 48,
    IDDB_H_ID_MAX = 52,
    IDDB_H_N_USERS = 56,
    IDDB_H_N_GROUPS = 60,
    IDDB_H_N_TEMPLATES = 64,
    IDDB_H_N_DENIED = 68,
    IDDB_H_N_TOMBSTONES = 72,
    IDDB_H_MAX_PROBE = 76,
    IDDB_H_HASH_SEED = 80,
    IDDB_H_USER_SLOTS = 88,
    IDDB_H_GROUP_SLOTS = 92,
    IDDB_H_SECTIONS = 96,   /* IDDB_N_SECTIONS x {u32 offset, u32 size} */
    IDDB_H_KEY_CHECK = 192, /* u64: the id key's check value (flag EKSAUTH_IDDB_KEYED), else 0 */
    IDDB_H_USERS_GID = 200, /* u32: every user's primary group (users_group); 0: none */
};

/* The sections, in file order. */
enum iddb_section {
    IDDB_S_CONFIG,        /* home\0 shell\0 templates... denied... (NUL-terminated strings) */
    IDDB_S_USERS,         /* user records */
    IDDB_S_GROUPS,        /* group records */
    IDDB_S_USER_BY_NAME,  /* hash slots {u32 tag, u32 record offset} */
    IDDB_S_USER_BY_UID,   /* hash slots {u32 uid, u32 record offset} */
    IDDB_S_USER_ORDER,    /* u32 record offsets in login order */
    IDDB_S_GROUP_BY_NAME, /* hash slots {u32 tag, u32 record offset} */
    IDDB_S_GROUP_BY_GID,  /* hash slots {u32 gid, u32 record offset} */
    IDDB_S_GROUP_ORDER,   /* u32 record offsets in name order */
    IDDB_S_TOMBSTONES,    /* fixed entries sorted by id */
    IDDB_S_NAME_FILTER,   /* bits: two per user or group name (iddb_filter_bits) */
    IDDB_S_BLOCKS,        /* u64 XXH64 of each data block; the end of the file */
    IDDB_N_SECTIONS,
};

#define IDDB_HEADER_SIZE 256u
#define IDDB_BLOCK_SHIFT 12u
#define IDDB_BLOCK_SIZE  (1u << IDDB_BLOCK_SHIFT) /* a page: blocks are page-aligned */
#define IDDB_DATA_START  IDDB_BLOCK_SIZE          /* the first block follows the header page */
#define IDDB_ALIGN       8u                       /* sections and records */
#define IDDB_SLOT_SIZE   8u
#define IDDB_MAX_PROBE   64u /* the writer re-seeds until every key is this close to home */

/* user record: fixed part, then n_groups x IDDB_UGROUP_SIZE, then the six strings */
enum {
    IDDB_U_LEN = 0, /* u32 record length, a multiple of IDDB_ALIGN */
    IDDB_U_UID = 4,
    IDDB_U_GID = 8,
    IDDB_U_FLAGS = 12,
    IDDB_U_LAST_LOGIN = 16, /* u64 */
    IDDB_U_STRLENS = 24,    /* 6 x u16: login, k8s username, arn, gecos, home, shell */
    IDDB_U_N_GROUPS = 36,
    IDDB_U_GROUPS = 40, /* {u32 gid, u32 flags, u32 group record offset} each */
};
#define IDDB_UGROUP_SIZE 12u
#define IDDB_U_NSTR      6u

/* group record: fixed part, then n_members x u32 member offsets, name, k8s group, members */
enum {
    IDDB_G_LEN = 0,
    IDDB_G_GID = 4,
    IDDB_G_FLAGS = 8,
    IDDB_G_NAME_LEN = 12, /* u16 */
    IDDB_G_K8S_LEN = 14,  /* u16 */
    IDDB_G_N_MEMBERS = 16,
    IDDB_G_MEMBERS_BYTES = 20, /* the member logins, each NUL-terminated, back to back */
    IDDB_G_MEMBER_OFFS = 24,   /* u32 offset of each member inside those bytes */
};

/* tombstone: u32 id, u32 flags, u64 until, char name[IDDB_T_NAME] (NUL-padded) */
enum {
    IDDB_T_ID = 0,
    IDDB_T_FLAGS = 4,
    IDDB_T_UNTIL = 8,
    IDDB_T_NAME_AT = 16,
};
#define IDDB_T_NAME 40u
#define IDDB_T_SIZE (IDDB_T_NAME_AT + IDDB_T_NAME)

/*
 * The name filter: a power-of-two number of bytes (16 bits a name at
 * least); a name sets bits (h & (bits - 1)) and ((h >> 32) & (bits - 1)),
 * h its hash.  A name with either bit clear is no user's and no group's.
 */
#define IDDB_FILTER_MIN 64u

/* Hash of a name for the name indexes (slot = h & mask, tag = h >> 32). */
uint64_t eksauth_iddb_hash_name(const char *name, size_t len, uint64_t seed);
/* Hash of an id for the id indexes. */
uint64_t eksauth_iddb_hash_id(uint32_t id, uint64_t seed);

#endif
