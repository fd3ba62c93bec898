/*
 * byteorder.h - the little-endian integers of eksauth's binary files (the
 * identity DB, the single-use record), read from and written to byte
 * buffers at any alignment.  Inline: the NSS module reads the DB with them
 * on every lookup.  libc only.
 */
#ifndef EKSAUTH_BYTEORDER_H
#define EKSAUTH_BYTEORDER_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t eksauth_le16_get(const unsigned char *p)
{
    uint16_t v;

    memcpy(&v, p, sizeof(v));
    return le16toh(v);
}

static inline uint32_t eksauth_le32_get(const unsigned char *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof(v));
    return le32toh(v);
}

static inline uint64_t eksauth_le64_get(const unsigned char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof(v));
    return le64toh(v);
}

static inline void eksauth_le16_put(unsigned char *p, uint16_t v)
{
    v = htole16(v);
    memcpy(p, &v, sizeof(v));
}

static inline void eksauth_le32_put(unsigned char *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, sizeof(v));
}

static inline void eksauth_le64_put(unsigned char *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof(v));
}

#endif
