#!/bin/bash
# build.sh - build the libFuzzer targets of tests/fuzz/ with clang 14,
# -fsanitize=fuzzer,address,undefined (the main build uses gcc, so this is
# a small build of its own).  The library sources the targets need are
# compiled once with -fsanitize=fuzzer-no-link,... into an archive; each
# target links against it, so only what it calls comes in.
#
# usage: build.sh SRCDIR BUILDDIR OUTDIR [TARGET...]
#   SRCDIR    the source tree; BUILDDIR a configured build tree (config.h)
#   OUTDIR    where fuzz_TARGET binaries go (objects in OUTDIR/obj)
#   TARGET    default: every fuzz_*.c of tests/fuzz
# environment: CLANG (default clang-14 or clang), PKG_CONFIG
set -u

srcdir=$1
builddir=$2
out=$3
shift 3

if [ -z "${CLANG:-}" ]; then
    if command -v clang-14 >/dev/null 2>&1; then CLANG=clang-14; else CLANG=clang; fi
fi
command -v "$CLANG" >/dev/null 2>&1 ||
    { echo "fuzz: $CLANG not found: install the Debian packages clang and libclang-rt-14-dev" >&2; exit 2; }
[ -f "$builddir/config.h" ] || { echo "fuzz: $builddir/config.h missing: run configure first" >&2; exit 2; }

PKG_CONFIG=${PKG_CONFIG:-pkg-config}
PKGS="libcrypto yaml-0.1 json-c libcurl"
pkg_cflags=$($PKG_CONFIG --cflags $PKGS) || exit 2
pkg_libs=$($PKG_CONFIG --libs $PKGS) || exit 2

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -DHAVE_CONFIG_H -I$builddir -I$srcdir/include $pkg_cflags"
# Our own harness code is held to -Werror; the library is already -Werror under gcc.
HARNESS_WARN="-Wall -Wextra -Werror -Wno-unused-function"

# The whole library: the archive lets each target take only what it calls,
# so a module added to lib/ needs no word here.
LIBSRC=$(cd "$srcdir" && ls lib/*.c) || exit 2

mkdir -p "$out/obj" || exit 2

# Probe once: a clang without the libFuzzer runtime fails here with a clear word.
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
    >"$out/obj/probe.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined -o "$out/obj/probe" "$out/obj/probe.c" \
    >"$out/obj/probe.log" 2>&1; then
    echo "fuzz: $CLANG cannot link -fsanitize=fuzzer (install libclang-rt-14-dev):" >&2
    sed 's/^/fuzz:   /' "$out/obj/probe.log" >&2
    exit 2
fi

# Objects of another source tree or other flags are never reused.
stamp="$CLANG $CFLAGS $srcdir"
if [ "$(cat "$out/obj/stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -f "$out"/obj/*.o
    printf '%s' "$stamp" >"$out/obj/stamp"
fi
objs=""
for src in $LIBSRC; do
    obj="$out/obj/$(echo "$src" | tr '/' '_' | sed 's/\.c$/.o/')"
    # Rebuild when the source or any header is newer than the object.
    if [ ! -f "$obj" ] || [ "$srcdir/$src" -nt "$obj" ] ||
        [ -n "$(find "$srcdir/include/eksauth" "$srcdir/pam_eksauth" -name '*.h' -newer "$obj" 2>/dev/null | head -n 1)" ]; then
        echo "  CLANG    $src"
        "$CLANG" $CFLAGS -fsanitize=fuzzer-no-link -c -o "$obj" "$srcdir/$src" || exit 1
    fi
    objs="$objs $obj"
done
rm -f "$out/obj/libeksauth-fuzz.a"
ar rcs "$out/obj/libeksauth-fuzz.a" $objs || exit 1

if [ $# -eq 0 ]; then
    set -- $(cd "$srcdir/tests/fuzz" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi
for t in "$@"; do
    echo "  FUZZER   fuzz_$t"
    "$CLANG" $CFLAGS $HARNESS_WARN -fsanitize=fuzzer -o "$out/fuzz_$t" \
        "$srcdir/tests/fuzz/fuzz_$t.c" "$out/obj/libeksauth-fuzz.a" $pkg_libs || exit 1
done
