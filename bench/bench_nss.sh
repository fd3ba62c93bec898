#!/bin/sh
# bench_nss.sh - getpwnam, getgrnam and initgroups through glibc with
# nsswitch naming "eksauth" alone vs "files" alone, holding the same
# entries (10 groups and N users, each in one group), at N = 10, 1,000 and
# 100,000.  Both runs happen here, now, in private mount namespaces (nothing
# on the host changes); the ratio eksauth/files is what counts
# (DESIGN §6: <= 0.5 at 10 users, >= 500x faster at 100,000).
#
#   bench/bench_nss.sh BUILDDIR [SECONDS]     (make bench-nss; root)
set -e

B=${1:?usage: bench_nss.sh BUILDDIR [SECONDS]}
SECS=${2:-0.5}
SRC=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "$B" && pwd)
top_srcdir=$SRC
export top_builddir top_srcdir
set +e
. "$SRC/tests/integration/iddb_common.sh"
why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "bench_nss: cannot run: $why" >&2
    exit 1
fi
BENCH="$top_builddir/bench/bench_nss"

run() { # run SOURCE N -> "getpwnam NS getgrnam NS initgroups NS"
    ns_prepare "$1"
    # "files" reads exactly the DB's entries.  Not for the eksauth run: a DB
    # entry named like a local one is not served (nss_eksauth "Local names").
    if [ "$1" = files ]; then
        cp "$T/gen_passwd" "$T/passwd"
        cp "$T/gen_group" "$T/group"
    fi
    ns_run "$BENCH" "$2" "$SECS"
}

printf '%-8s %-11s %12s %12s %9s\n' users op "eksauth ns" "files ns" ratio
for n in 10 1000 100000; do
    "$IDDB_TOOL" gen "$T/identity.db" "$n" "$T/gen_passwd" "$T/gen_group" || exit 1
    e=$(run eksauth "$n") || { echo "bench_nss: eksauth run failed" >&2; exit 1; }
    f=$(run files "$n") || { echo "bench_nss: files run failed" >&2; exit 1; }
    for op in getpwnam getgrnam initgroups; do
        ens=$(echo "$e" | tr ' ' '\n' | grep -A1 "^$op\$" | tail -1)
        fns=$(echo "$f" | tr ' ' '\n' | grep -A1 "^$op\$" | tail -1)
        awk -v n="$n" -v op="$op" -v e="$ens" -v f="$fns" 'BEGIN {
            r = e / f
            printf "%-8s %-11s %12.0f %12.0f %8.4fx", n, op, e, f, r
            if (r < 1) printf "  (%.0f times faster)", f / e
            printf "\n" }'
    done
done
