/*
 * base64url.h - strict base64url (RFC 4648 §5) without padding, as the
 * cluster's authenticator reads tokens, plus eksauth's strict extras: no
 * '=' padding, no CR/LF or any byte outside the alphabet, no length of
 * 1 (mod 4), and canonical (zero) trailing bits.
 */
#ifndef EKSAUTH_BASE64URL_H
#define EKSAUTH_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>

#include "eksauth/status.h"

/* Bytes needed to decode len characters (an upper bound). */
#define EKSAUTH_B64URL_DECODED_MAX(len) (((len) / 4) * 3 + 3)

/*
 * Decode in[0..len) into out (capacity outcap); *outlen gets the decoded
 * length.  out is NUL-terminated when there is room.  On error the message
 * names the offending offset, never the data.
 */
enum eksauth_status eksauth_b64url_decode(const char *in, size_t len, unsigned char *out,
                                          size_t outcap, size_t *outlen, struct eksauth_error *err);

/* Whether c is of the base64url alphabet (A-Z a-z 0-9 - _): no '=', no blank. */
bool eksauth_b64url_char(unsigned char c);

/* Encode without padding; out needs 4*ceil(len/3)+1 bytes.  Returns the length written. */
size_t eksauth_b64url_encode(const unsigned char *in, size_t len, char *out, size_t outcap);

#endif
