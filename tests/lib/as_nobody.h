/*
 * as_nobody.h - a piece of a root-run test done as another user, for what
 * eksauth tells a user a file is closed to: root drops to nobody (uid
 * 65534; its groups stay root's, so make the files 0600 and the folders
 * 0700 to keep nobody out) and comes back.
 */
#ifndef EKSAUTH_TEST_AS_NOBODY_H
#define EKSAUTH_TEST_AS_NOBODY_H

#include <stdbool.h>

/*
 * fn(ctx) as nobody, root's saved uid kept to come back: false, fn not
 * called, when the drop is refused (not root).  fn asserts nothing (a
 * failed assertion would leave the other tests running as nobody): it
 * keeps what it saw in ctx, asserted after.  Aborts when root cannot be
 * had back.
 */
bool as_nobody(void (*fn)(void *ctx), void *ctx);

#endif
