# package_common.sh - shared by the package tests that .ci/run calls outside
# make check (deb.sh, rpm.sh; sourced, not run): TAP (tests/lib/tap.sh), a
# private temp folder $T (KEEP=1 keeps it and prints its path), diag helpers
# and the time since the start; the processes in $pids (stand-ins, an sshd)
# are stopped at the end.  Set top_srcdir and PACKAGE_TEST (the temp
# folder's name) before sourcing.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/aws_token.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-${PACKAGE_TEST:?}.XXXXXX") || bail "mktemp failed"
# A build made in here runs its tests as other users too (sshd, sudo).
chmod 0755 "$T"
pids=""
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ "${KEEP:-0}" = 1 ]; then
        echo "# kept $T"
    else
        # Mounts exist only in the tests' private namespaces, gone with them:
        # never cross into another file system all the same.
        rm -rf --one-file-system "$T"
    fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# diag FILE: a file as TAP comments; diag_tail FILE [N]: its last N lines.
diag() { sed 's/^/#   /' "$1"; }
diag_tail() { tail -n "${2:-30}" "$1" | sed 's/^/#   /'; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started)) s"; }
