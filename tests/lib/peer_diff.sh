# peer_diff.sh - the differential tests' common run (sourced, not run):
# tests/integration/awsauth_kubectl.sh, kubeconfig_kubectl.sh, creds_botocore.sh.
#
#   peer_diff PEER GENERATOR DUMP SEED CASES
#
# checks the peer is here (kubectl, or botocore in python3), then runs
# tests/lib/GENERATOR (python3: it makes CASES cases from SEED, compares
# what tests/integration/DUMP prints with the peer's reading and prints TAP) in
# a scratch folder removed at the end.  A missing peer, python3 or DUMP bails:
# the comparison never passes by not running.  Needs top_srcdir and
# top_builddir (make check); PYTHON: the python3 to use.  Sources tap.sh.
: "${top_builddir:?top_builddir must name the build tree}"
. "$top_srcdir/tests/lib/tap.sh"
PYTHON=${PYTHON:-python3}

peer_diff() {
    local peer=$1 gen=$2 dump=$top_builddir/tests/integration/$3 seed=$4 cases=$5 rc=0
    command -v "$PYTHON" >/dev/null 2>&1 || bail "python3 not found"
    case $peer in
    kubectl)
        command -v kubectl >/dev/null 2>&1 ||
            bail "kubectl not found (scripts/install-deps installs it)" ;;
    botocore)
        "$PYTHON" -c 'import botocore' 2>/dev/null ||
            bail "python3 has no botocore (scripts/install-deps installs python3-botocore)" ;;
    esac
    [ -x "$dump" ] || bail "$dump not built (make check builds it)"
    _peer_tmp=$(mktemp -d) || bail "mktemp failed"
    trap 'rm -rf "$_peer_tmp"' EXIT
    # Another seed or more cases: the variables each test names.
    echo "# $gen seed $seed, $cases cases"
    "$PYTHON" "$top_srcdir/tests/lib/$gen" "$dump" "$_peer_tmp" "$seed" "$cases" || rc=$?
    return $rc
}
