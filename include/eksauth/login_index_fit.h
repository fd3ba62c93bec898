/*
 * login_index_fit.h - whether the login index beside the identity DB
 * (login_index.h) may answer a login now, and if not, which condition
 * failed and what to do.  The one place that decides it: a login
 * (mapping.c) asks before it maps through the index, and `eksauth doctor`
 * asks to tell the operator (docs/design.md, "A login's mapping without
 * the whole aws-auth").
 *
 * The index fits when it is present, root's alone (trust.h), whole, of the
 * last sync (its generation and snapshot SHA-256 are aws-auth.state's, and
 * that state is of the identity DB in force), the snapshot is still the
 * file it was written beside, and this host's inputs (config, id key,
 * local accounts: snapshot.h) are the ones it was planned with.  An index
 * that does not fit decides nothing: the login maps with the whole
 * snapshot, which decides the same, slower.
 */
#ifndef EKSAUTH_LOGIN_INDEX_FIT_H
#define EKSAUTH_LOGIN_INDEX_FIT_H

#include <stdbool.h>

#include "eksauth/iddb.h"
#include "eksauth/login_index.h"
#include "eksauth/paths.h"
#include "eksauth/status.h"

enum eksauth_login_index_fit {
    EKSAUTH_LOGIN_INDEX_FITS = 0,
    EKSAUTH_LOGIN_INDEX_NO_SYNC,          /* no identity DB, or no state of its sync */
    EKSAUTH_LOGIN_INDEX_MISSING,          /* no index file (no sync since an upgrade) */
    EKSAUTH_LOGIN_INDEX_UNTRUSTED,        /* not root's alone, or its folder is not */
    EKSAUTH_LOGIN_INDEX_UNREADABLE,       /* cannot be opened or read (EIO, out of memory) */
    EKSAUTH_LOGIN_INDEX_DAMAGED,          /* its bytes do not check */
    EKSAUTH_LOGIN_INDEX_OTHER_SYNC,       /* another generation or snapshot SHA-256 */
    EKSAUTH_LOGIN_INDEX_SNAPSHOT_CHANGED, /* the snapshot replaced or changed since */
    EKSAUTH_LOGIN_INDEX_INPUTS_CHANGED,   /* config, id key or local accounts changed since */
    EKSAUTH_LOGIN_INDEX_INPUTS_UNKNOWN,   /* this host's inputs could not be read */
};

/*
 * Whether the index at paths->index fits the sync paths->state records,
 * db (the identity DB in force; NULL: none) and inputs (this host's
 * eksauth_snapshot_inputs now; "" when they could not be read).  Files are
 * judged by trust.h when trusted.  every_block: every block of the index
 * is checked against its sum now (a login checks a block when it first
 * reads it; `eksauth doctor` checks them all).
 *
 * EKSAUTH_LOGIN_INDEX_FITS: *out is the open index (close it).  Otherwise
 * *out is NULL and why->msg says which condition failed, naming the file,
 * then "; run: " and what fixes it ("eksauth sync", or the chown/chmod of
 * trust.h); why->status is EKSAUTH_ENOMEM when memory ran out, else
 * EKSAUTH_ENOTFOUND.  why may be NULL.
 */
enum eksauth_login_index_fit eksauth_login_index_fit(const struct eksauth_paths *paths,
                                                     bool trusted, const struct eksauth_iddb *db,
                                                     const char *inputs, bool every_block,
                                                     struct eksauth_login_index **out,
                                                     struct eksauth_error *why);

#endif
