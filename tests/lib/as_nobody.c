/*
 * as_nobody.c - a piece of a test done as nobody (see as_nobody.h).
 */
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

#include "as_nobody.h"

bool as_nobody(void (*fn)(void *ctx), void *ctx)
{
    if (setresuid(65534, 65534, 0) != 0)
        return false;
    fn(ctx);
    if (setresuid(0, 0, 0) != 0)
        abort(); /* the other tests must not run as nobody */
    return true;
}
