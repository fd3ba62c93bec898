# iddb_common.sh - shared by the identity DB / NSS shell tests: TAP output,
# a private temp folder removed on exit, and a private mount namespace in
# which glibc loads the freshly built libnss_eksauth.so.2
# (tests/lib/nss_ns.sh).
#
# Environment (from make check): top_srcdir, top_builddir, EKSAUTH, FIXTURES.

: "${top_builddir:?top_builddir is not set (run through make check)}"
: "${top_srcdir:?top_srcdir is not set (run through make check)}"

IDDB_TOOL="$top_builddir/tests/integration/iddb_tool"

. "$top_srcdir/tests/lib/tap.sh"

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
    desc=$1
    shift
    if "$@" >"$T/out" 2>&1; then
        pass "$desc"
    else
        fail "$desc"
        sed 's/^/# /' "$T/out"
    fi
}

# same WANT GOT DESCRIPTION
same() {
    if [ "$1" = "$2" ]; then
        pass "$3"
    else
        fail "$3"
        echo "# want: $1" | head -20
        echo "# got:  $2" | head -20
    fi
}

# A private temp folder, removed on exit whatever happens.
T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-iddb.XXXXXX") || exit 99
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

# The NSS namespace (tests/lib/nss_ns.sh) in $T, with the DB at $T/identity.db
# and, for setuid programs, at the fixed path /var/lib/eksauth/identity.db.
. "$top_srcdir/tests/lib/nss_ns.sh"
ns_unsupported() { nss_ns_unsupported; }
ns_prepare() {
    nss_ns_prepare "$T" "$1"
    mkdir -p "$T/varlib/eksauth"
}
ns_run() { nss_ns_run "$T" "$T/identity.db" "$@"; }

# Publish $T/identity.db at the fixed path too (same file, atomically).
ns_publish_db() {
    cp "$T/identity.db" "$T/varlib/eksauth/.identity.db.new" &&
        chmod 0644 "$T/varlib/eksauth/.identity.db.new" &&
        mv -f "$T/varlib/eksauth/.identity.db.new" "$T/varlib/eksauth/identity.db"
}
