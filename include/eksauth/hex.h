/*
 * hex.h - bytes as lower-case hexadecimal digits, the form every digest and
 * MAC takes in eksauth's files, logs and SigV4 (fingerprints, proofs, the
 * snapshot's SHA-256, signatures).  Pure.
 */
#ifndef EKSAUTH_HEX_H
#define EKSAUTH_HEX_H

#include <stddef.h>

/* out = the 2 * len lower-case hex digits of in[0..len), then a NUL (2 * len + 1 bytes). */
void eksauth_hex_lower(const unsigned char *in, size_t len, char *out);

#endif
