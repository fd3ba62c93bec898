# iddb_common.sh - shared by the identity DB / NSS shell tests: TAP output,
# a private temp folder removed on exit, and a private mount namespace in
# which glibc loads the freshly built libnss_eksauth.so.2 (test-harness.md
# §4.3 variant B: a bind-mounted ld.so.cache made with ldconfig -C that also
# lists the build's nss_eksauth folder, so setuid programs load it too) with
# a bind-mounted nsswitch.conf.  Nothing on the host changes: every mount is
# made inside `unshare -m` (private propagation).
#
# Environment (from make check): top_srcdir, top_builddir, EKSAUTH, FIXTURES.

: "${top_builddir:?top_builddir is not set (run through make check)}"
: "${top_srcdir:?top_srcdir is not set (run through make check)}"

NSS_SO="$top_builddir/nss_eksauth/libnss_eksauth.so.2"
IDDB_TOOL="$top_builddir/tests/integration/iddb_tool"

tap_n=0
tap_failed=0

ok() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $*"
}

not_ok() {
    tap_n=$((tap_n + 1))
    tap_failed=$((tap_failed + 1))
    echo "not ok $tap_n - $*"
}

skip() {
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - # SKIP $*"
}

# check DESCRIPTION COMMAND...: ok when the command succeeds.
check() {
    desc=$1
    shift
    if "$@" >"$T/out" 2>&1; then
        ok "$desc"
    else
        not_ok "$desc"
        sed 's/^/# /' "$T/out"
    fi
}

# same WANT GOT DESCRIPTION
same() {
    if [ "$1" = "$2" ]; then
        ok "$3"
    else
        not_ok "$3"
        echo "# want: $1" | head -20
        echo "# got:  $2" | head -20
    fi
}

tap_done() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}

# A private temp folder, removed on exit whatever happens.
T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-iddb.XXXXXX") || exit 99
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT
trap 'exit 1' HUP INT TERM

# Can this machine run the namespace tests?  Prints a reason when not.
ns_unsupported() {
    if [ "$(id -u)" != 0 ]; then
        echo "needs root (mount namespaces)"
    elif ! command -v unshare >/dev/null 2>&1; then
        echo "unshare not found"
    elif ! unshare -m true 2>/dev/null; then
        echo "unshare -m not permitted here"
    elif [ ! -f "$NSS_SO" ]; then
        echo "$NSS_SO not built"
    elif readelf -d "$NSS_SO" | grep -q 'NEEDED.*lib[at]san'; then
        echo "sanitizer build: glibc cannot load an ASan module into uninstrumented programs"
    fi
}

# ns_prepare SOURCES: an nsswitch.conf with "passwd: SOURCES" and
# "group: SOURCES" ($T/nsswitch.conf), and an ld.so.cache that also holds
# the build's nss_eksauth folder ($T/ld.so.cache).
ns_prepare() {
    sed -e "s/^passwd:.*/passwd: $1/" -e "s/^group:.*/group: $1/" \
        -e '/^initgroups:/d' /etc/nsswitch.conf >"$T/nsswitch.conf"
    grep -q "^passwd: $1\$" "$T/nsswitch.conf" || echo "passwd: $1" >>"$T/nsswitch.conf"
    grep -q "^group: $1\$" "$T/nsswitch.conf" || echo "group: $1" >>"$T/nsswitch.conf"
    if [ ! -f "$T/ld.so.cache" ]; then
        { cat /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -v '^#'
          echo "$top_builddir/nss_eksauth"; } >"$T/ld.so.conf"
        # -X: never create or change links, neither in the build nor in system folders.
        ldconfig -X -C "$T/ld.so.cache" -f "$T/ld.so.conf" 2>/dev/null
    fi
    # local accounts of the namespace: the host's plus a user and a group that
    # no aws-auth entry may take over
    cp /etc/passwd "$T/passwd"
    cp /etc/group "$T/group"
    echo "localbob:x:5000:5000:local user:/home/localbob:/bin/sh" >>"$T/passwd"
    echo "localgrp:x:5001:" >>"$T/group"
    mkdir -p "$T/varlib/eksauth"
}

# ns_run CMD...: CMD inside a fresh mount namespace with the files of
# ns_prepare bound over /etc, and EKSAUTH_DB=$T/identity.db.  The DB is also
# visible at the fixed path /var/lib/eksauth/identity.db (a tmpfs over
# /var/lib in the namespace), for setuid programs that ignore EKSAUTH_DB.
ns_run() {
    EKSAUTH_DB="$T/identity.db" T="$T" unshare -m sh -c '
        set -e
        mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf
        mount --bind "$T/ld.so.cache" /etc/ld.so.cache
        mount --bind "$T/passwd" /etc/passwd
        mount --bind "$T/group" /etc/group
        if [ -f "$T/sudoers" ]; then mount --bind "$T/sudoers" /etc/sudoers; fi
        if [ -d /var/lib/eksauth ]; then
            mount --bind "$T/varlib/eksauth" /var/lib/eksauth
        else
            mount -t tmpfs -o mode=0755 tmpfs /var/lib
            mkdir -m 0755 /var/lib/eksauth
            mount --bind "$T/varlib/eksauth" /var/lib/eksauth
        fi
        set +e
        exec "$@"' ns "$@"
}

# Publish $T/identity.db at the fixed path too (same file, atomically).
ns_publish_db() {
    cp "$T/identity.db" "$T/varlib/eksauth/.identity.db.new" &&
        chmod 0644 "$T/varlib/eksauth/.identity.db.new" &&
        mv -f "$T/varlib/eksauth/.identity.db.new" "$T/varlib/eksauth/identity.db"
}
