#!/bin/sh
# bench_pam.sh - rows 4 and 6 of `make bench`: prepare the STS stand-in over
# TLS with a private CA (tests/lib/fake_sts.py, tests/lib/mkcerts.sh), a
# config, an identity DB made by `eksauth sync`, a PAM service folder naming
# the built pam_eksauth.so, and a token minted by `eksauth token`; then run
# bench/bench_pam (serial pairs, then 2, 8 and 32 at once).  Prints ROW lines
# (bench/common.h).  Root (the module trusts root-owned files only).
#
#   bench/bench_pam.sh ABS_BUILDDIR [SERIAL_PAIRS]
# With BENCH_PAM_WRAP set (e.g. "valgrind --tool=callgrind"), the serial run
# runs under that command and the concurrent ones are skipped: how the speed
# work looks inside a login.
# No set -e: sts_common.sh's exit trap must run whole; each step checks itself.

B=${1:?usage: bench_pam.sh ABS_BUILDDIR [SERIAL_PAIRS]}
PAIRS=${2:-40}
SRC=$(cd "$(dirname "$0")/.." && pwd)
EKSAUTH="$B/tools/eksauth"
MODULE="$B/pam_eksauth/.libs/pam_eksauth.so"
CLUSTER=bench-cluster
AKID=ASIAFAKEEXAMPLE00001 # tests/fixtures/sts/creds.json: eks-admins/alice -> admin-alice

die() {
    echo "bench_pam: $*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (the module trusts root-owned config and DB only)"
[ -x "$EKSAUTH" ] || die "$EKSAUTH not built"
[ -f "$MODULE" ] || die "$MODULE not built"

# The stand-in, its certificates, a clean AWS environment and $tmp (removed on
# exit, stand-ins stopped by pid): what the STS tests use (sts_common.sh).
top_srcdir=$SRC FIXTURES="$SRC/tests/fixtures"
export top_srcdir FIXTURES EKSAUTH
. "$SRC/tests/lib/sts_common.sh"
sts_require
sts_certs
sts_start bench
connect_to="sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT"
mkdir -p "$tmp/db" "$tmp/svc"

cp "$SRC/tests/fixtures/pam/aws-auth.yaml" "$tmp/aws-auth.yaml"
chmod 0644 "$tmp/aws-auth.yaml"
cat >"$tmp/eksauth.conf" <<EOF
cluster_id = $CLUSTER
host_name = benchhost
sts_connect_to = $connect_to
sts_ca_file = $tmp/tls/ca.crt
sts_connect_timeout = 2
sts_timeout = 10
aws_auth_file = $tmp/aws-auth.yaml
db_path = $tmp/db/identity.db
EOF
chmod 0644 "$tmp/eksauth.conf"
"$EKSAUTH" --config "$tmp/eksauth.conf" sync >"$tmp/sync.out" 2>&1 ||
    die "eksauth sync failed: $(cat "$tmp/sync.out")"
printf 'auth required %s config=%s\n' "$MODULE" "$tmp/eksauth.conf" >"$tmp/svc/eksauth-bench"

# The token, from the project's own signer, for this host's audience (a host takes
# no plain cluster token by default); valid 15 minutes, more than this runs.
(
    sts_creds "$AKID"
    "$EKSAUTH" token --cluster-id "$CLUSTER" --host benchhost --region us-east-1
) >"$tmp/token" || die "eksauth token failed"

export BP_CONFDIR="$tmp/svc" BP_SERVICE=eksauth-bench BP_USER=admin-alice BP_TOKEN="$tmp/token"
export BP_CA="$tmp/tls/ca.crt" BP_CONNECT_TO="$connect_to" BP_CLUSTER="eksauth:$CLUSTER:benchhost"
BP_CURL=$(command -v curl) || die "curl(1) not found (row 4 compares with it too)"
export BP_CURL
echo "# rows 4, 6: token of $(($(wc -c <"$tmp/token") - 1)) bytes; stand-in: tests/lib/fake_sts.py" \
    "(Python, TLS, SigV4 recomputed by botocore) on 127.0.0.1"
# shellcheck disable=SC2086 # BENCH_PAM_WRAP is a command and its words
${BENCH_PAM_WRAP:-} "$B/bench/bench_pam" serial "$PAIRS" || die "bench_pam serial failed"
[ -z "${BENCH_PAM_WRAP:-}" ] || exit 0
BP_CURL= BP_KEEP_MODULE=$MODULE "$B/bench/bench_pam" serial "$PAIRS" | grep '^ROW' ||
    die "bench_pam serial (module kept loaded) failed"
PAM_UNIX=$(find /lib /usr/lib -path '*/security/pam_unix.so' 2>/dev/null | head -1)
[ -n "$PAM_UNIX" ] || die "pam_unix.so not found (row 4 compares the module's load cost with it)"
"$B/bench/bench_pam" load "$MODULE" "$PAM_UNIX" 200 | grep '^ROW' || die "bench_pam load failed"
"$B/bench/bench_pam" conc 2 40 || die "bench_pam conc 2 failed"
"$B/bench/bench_pam" conc 8 16 || die "bench_pam conc 8 failed"
"$B/bench/bench_pam" conc 32 6 || die "bench_pam conc 32 failed"
