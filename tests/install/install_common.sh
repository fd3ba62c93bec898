# install_common.sh - shared by the tests/install/*.sh tests (sourced, not
# run): TAP (tests/lib/tap.sh), a private temp folder $T removed on exit,
# and the paths that make check exports.  Nothing outside $T is written.

: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${top_builddir:?top_builddir is not set (run through make check)}"
: "${EKSAUTH:=$top_builddir/tools/eksauth}"

. "$top_srcdir/tests/lib/tap.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-install.XXXXXX") || bail "mktemp failed"
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

skip_all() {
    echo "1..0 # SKIP $*"
    exit 0
}

# diag FILE: show a file as TAP comments.
diag() { sed 's/^/#   /' "$1"; }

# A make of the build tree that ignores the make running this test (its
# jobserver and flags).
submake() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -C "$top_builddir" "$@"
}
