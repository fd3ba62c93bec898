#!/bin/sh
# bench_pam.sh - rows 4 and 6 of `make bench`: prepare the STS stand-in over
# TLS with a private CA (tests/lib/fake_sts.py, tests/lib/mkcerts.sh), a
# config, a PAM service folder naming the built pam_eksauth.so and one naming
# pam_unix.so, and a token minted by `eksauth token`; then, for each size of
# aws-auth (BENCH_PAM_SIZES, "10 1000 7000 100000" entries: the benchmark's
# principal mapped among generated mapRoles entries), `eksauth sync` it into
# a new identity DB and run bench/bench_pam serial: the login against one
# libcurl GET, each in this process and in a fresh one, and against pam_unix
# with a yescrypt and a SHA-512 password.  pam_unix's two local users exist
# in a private mount namespace only (`unshare -m`: copies of /etc/passwd and
# /etc/shadow with them, bound over the host's there); nothing on the host
# changes.  At the first size also: the module kept loaded, the system's CAs,
# its load cost in a new process (bench_dlopen),
# and row 6 (2, 8 and 32 logins at once, BENCH_CONC_ROUNDS rounds, 6).  Prints ROW lines
# (bench/common.h).  Root (the module trusts root-owned files only).
#
#   bench/bench_pam.sh ABS_BUILDDIR [SERIAL_ROUNDS]
# With BENCH_PAM_WRAP set (e.g. "valgrind --tool=callgrind"), the serial run
# of the first size runs under that command and nothing else runs: how the
# speed work looks inside a login.
# No set -e: sts_common.sh's exit trap must run whole; each step checks itself.

B=${1:?usage: bench_pam.sh ABS_BUILDDIR [SERIAL_ROUNDS]}
PAIRS=${2:-40}
# Row 6's rounds (bench_pam conc): which contender goes first turns each round.
CONC_ROUNDS=${BENCH_CONC_ROUNDS:-6}
SRC=$(cd "$(dirname "$0")/.." && pwd)
EKSAUTH="$B/tools/eksauth"
MODULE="$B/pam_eksauth/.libs/pam_eksauth.so"
CLUSTER=bench-cluster
AKID=ASIAFAKEEXAMPLE00001 # tests/fixtures/sts/creds.json: eks-admins/alice -> admin-alice
UNIX_PW=bench-local-password

die() {
    echo "bench_pam: $*" >&2
    exit 1
}
[ "$(id -u)" = 0 ] || die "needs root (the module trusts root-owned config and DB only)"
[ -x "$EKSAUTH" ] || die "$EKSAUTH not built"
[ -f "$MODULE" ] || die "$MODULE not built"
[ -x "$B/bench/bench_dlopen" ] || die "$B/bench/bench_dlopen not built"
PAM_UNIX=$(find /lib /usr/lib -path '*/security/pam_unix.so' 2>/dev/null | head -1)
[ -n "$PAM_UNIX" ] || die "pam_unix.so not found (row 4 compares with it)"
unshare -m true 2>/dev/null || die "unshare -m not permitted (pam_unix's users live in a namespace)"

# The stand-in, its certificates, a clean AWS environment and $tmp (removed on
# exit, stand-ins stopped by pid): what the STS tests use (sts_common.sh).
top_srcdir=$SRC FIXTURES="$SRC/tests/fixtures"
export top_srcdir FIXTURES EKSAUTH
. "$SRC/tests/lib/sts_common.sh"
# Every file below is written under $tmp: never anywhere else.
[ -n "${tmp:-}" ] && [ -d "$tmp" ] || die "sts_common.sh made no scratch folder"
sts_require
sts_certs
sts_start bench
connect_to="sts.us-east-1.amazonaws.com:443:127.0.0.1:$STS_PORT"
mkdir -p "$tmp/db" "$tmp/svc" "$tmp/etc" || die "mkdir under $tmp failed"

# An aws-auth of N entries: N - 1 generated roles (static usernames, 100 groups,
# 1,000 accounts) and, in the middle, the principal of tests/fixtures/pam/aws-auth.yaml.
gen_awsauth() { # N FILE
    awk -v n="$1" '
    function principal() {
        print "    - rolearn: arn:aws:iam::111122223333:role/eks-admins"
        print "      username: admin:{{SessionName}}"
        print "      groups:\n        - system:masters\n        - ops"
    }
    BEGIN {
        print "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system"
        print "data:\n  mapRoles: |"
        for (i = 0; i < n - 1; i++) {
            if (i == int((n - 1) / 2))
                principal()
            printf "    - rolearn: arn:aws:iam::2000000%05d:role/bench-role-%d\n", i % 1000, i
            printf "      username: bench-%d\n      groups:\n        - bench-group-%d\n", i, i % 100
        }
        if (n <= 1)
            principal()
    }' >"$2"
}

cat >"$tmp/eksauth.conf" <<CONF
cluster_id = $CLUSTER
host_name = benchhost
sts_connect_to = $connect_to
sts_ca_file = $tmp/tls/ca.crt
sts_connect_timeout = 2
sts_timeout = 10
aws_auth_file = $tmp/aws-auth.yaml
db_path = $tmp/db/identity.db
CONF
chmod 0644 "$tmp/eksauth.conf"
printf 'auth required %s config=%s\n' "$MODULE" "$tmp/eksauth.conf" >"$tmp/svc/eksauth-bench"
printf 'auth required %s\n' "$PAM_UNIX" >"$tmp/svc/unix-bench"

# pam_unix's local users, one per hash method at its default cost (libxcrypt's
# crypt_gensalt), in copies of the host's passwd and shadow only the namespace sees.
yes_hash=$("$B/bench/bench_pam" hash '$y$' "$UNIX_PW") || die "no yescrypt hash"
sha_hash=$("$B/bench/bench_pam" hash '$6$' "$UNIX_PW") || die "no SHA-512 crypt hash"
days=$(($(date +%s) / 86400))
{
    cat /etc/passwd
    echo "bench-yes:x:64801:64801::/nonexistent:/usr/sbin/nologin"
    echo "bench-sha:x:64802:64802::/nonexistent:/usr/sbin/nologin"
} >"$tmp/etc/passwd" || die "cannot write $tmp/etc/passwd"
{
    cat /etc/shadow
    echo "bench-yes:$yes_hash:$days:0:99999:7:::"
    echo "bench-sha:$sha_hash:$days:0:99999:7:::"
} >"$tmp/etc/shadow" || die "cannot write $tmp/etc/shadow"
chmod 0644 "$tmp/etc/passwd"
chmod 0600 "$tmp/etc/shadow"

# The token, from the project's own signer, for this host's audience (a host takes
# no plain cluster token by default); valid 15 minutes, more than this runs.
(
    sts_creds "$AKID"
    "$EKSAUTH" token --cluster-id "$CLUSTER" --host benchhost --region us-east-1
) >"$tmp/token" || die "eksauth token failed"

export BP_CONFDIR="$tmp/svc" BP_SERVICE=eksauth-bench BP_USER=admin-alice BP_TOKEN="$tmp/token"
export BP_CA="$tmp/tls/ca.crt" BP_CONNECT_TO="$connect_to" BP_CLUSTER="eksauth:$CLUSTER:benchhost"
export BP_UNIX_SERVICE=unix-bench BP_UNIX_PASSWORD="$UNIX_PW" BP_UNIX_YESCRYPT=bench-yes \
    BP_UNIX_SHA512=bench-sha
BP_CURL=$(command -v curl) || die "curl(1) not found (row 4 compares with it too)"
export BP_CURL
echo "# rows 4, 6: token of $(($(wc -c <"$tmp/token") - 1)) bytes; stand-in: tests/lib/fake_sts.py" \
    "(Python, TLS, SigV4 recomputed by botocore) on 127.0.0.1"

# Run ARGS... in a private mount namespace where pam_unix's two users exist (and,
# with NS_CERTS set, whose /etc/ssl/certs is that folder).
in_ns() {
    # shellcheck disable=SC2016 # expanded by the inner shell
    unshare -m sh -c 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow &&
        { [ -z "$3" ] || mount --bind "$3" /etc/ssl/certs; } &&
        shift 3 && exec "$@"' sh "$tmp/etc/passwd" "$tmp/etc/shadow" "${NS_CERTS:-}" "$@"
}

first=1
for n in ${BENCH_PAM_SIZES:-10 1000 7000 100000}; do
    gen_awsauth "$n" "$tmp/aws-auth.yaml" || die "cannot write $tmp/aws-auth.yaml"
    chmod 0644 "$tmp/aws-auth.yaml"
    rm -f "$tmp/db/identity.db"
    t0=$(date +%s%N)
    # In the logins' namespace: the local accounts a login sees are the sync's, as on a
    # host, so the login reads the sync's login index (docs/design.md, step 8).
    in_ns "$EKSAUTH" --config "$tmp/eksauth.conf" sync >"$tmp/sync.out" 2>&1 ||
        die "eksauth sync of $n entries failed: $(tail -3 "$tmp/sync.out")"
    echo "# row 4, $n entries: an aws-auth of $(wc -c <"$tmp/aws-auth.yaml") bytes, synced in" \
        "$((($(date +%s%N) - t0) / 1000000)) ms; the login maps from that sync's login index"
    export BP_ENTRIES="$n"
    if [ -n "${BENCH_PAM_WRAP:-}" ]; then
        # shellcheck disable=SC2086 # BENCH_PAM_WRAP is a command and its words
        in_ns ${BENCH_PAM_WRAP} "$B/bench/bench_pam" serial "$PAIRS" || die "bench_pam serial failed"
        exit 0
    fi
    in_ns "$B/bench/bench_pam" serial "$PAIRS" || die "bench_pam serial ($n entries) failed"
    [ "$first" = 1 ] || continue
    first=0
    BP_CURL='' BP_UNIX_SERVICE='' BP_KEEP_MODULE=$MODULE "$B/bench/bench_pam" serial "$PAIRS" |
        grep '^ROW' || die "bench_pam serial (module kept loaded) failed"
    # With the system's CAs, as a host without sts_ca_file runs: a copy of the
    # host's /etc/ssl/certs with the test CA added to its bundle and hash links.
    { rm -rf "$tmp/certs" && cp -a /etc/ssl/certs "$tmp/certs" &&
        cp "$tmp/tls/ca.crt" "$tmp/certs/eksauth-bench-ca.pem" &&
        cat "$tmp/tls/ca.crt" >>"$tmp/certs/ca-certificates.crt" &&
        openssl rehash "$tmp/certs" 2>/dev/null &&
        grep -v '^sts_ca_file' "$tmp/eksauth.conf" >"$tmp/eksauth-sys.conf" &&
        printf 'auth required %s config=%s\n' "$MODULE" "$tmp/eksauth-sys.conf" \
            >"$tmp/svc/eksauth-bench-sys"; } || die "cannot set up the system-CA copy under $tmp"
    echo "# row 4, the system's CAs: $(grep -c 'BEGIN CERT' "$tmp/certs/ca-certificates.crt")" \
        "certificates in the bundle, $(find "$tmp/certs" -name '*.[0-9]' | wc -l) hash links"
    NS_CERTS="$tmp/certs" BP_SYSTEM_CA=1 BP_SERVICE=eksauth-bench-sys BP_CURL='' BP_UNIX_SERVICE='' \
        in_ns "$B/bench/bench_pam" serial "$PAIRS" | grep '^ROW' ||
        die "bench_pam serial (the system's CAs) failed"
    "$B/bench/bench_dlopen" "$MODULE" "$PAM_UNIX" 41 || die "bench_dlopen failed"
    "$B/bench/bench_pam" conc 2 40 "$CONC_ROUNDS" || die "bench_pam conc 2 failed"
    "$B/bench/bench_pam" conc 8 16 "$CONC_ROUNDS" || die "bench_pam conc 8 failed"
    "$B/bench/bench_pam" conc 32 6 "$CONC_ROUNDS" || die "bench_pam conc 32 failed"
done
