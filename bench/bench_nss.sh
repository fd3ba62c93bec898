#!/bin/sh
# bench_nss.sh - row 3 of `make bench`: NSS lookups through glibc, eksauth
# against the floor (a do-nothing module: glibc's own dispatch), SSSD's
# memory cache, nscd and files, at 10, 1,000, 10,000 and 100,000 users
# and 1,000,000 (the peers' caches are filled one entry at a time through
# their daemons: above BENCH_NSS_PEERS_FULL users they take part in the
# first-lookup rows only).  Each size runs in a
# private mount namespace (bench/bench_nss_ns.sh): nothing on the host
# changes, and SSSD and nscd come from Debian's packages unpacked by
# bench/peers.sh, never installed.
#
# Per size: ROUNDS interleaved rounds (every source once per round, the
# order turning), a ratio per round against each baseline, the median of
# those ratios; getgrnam of the 10,000-member group; the first lookup in a
# fresh process and the resident memory it adds (15 each, interleaved,
# medians); system calls per lookup in the steady state (strace -c).
# Prints ROW lines for bench/run.sh and "#" notes.
#
#   bench/bench_nss.sh BUILDDIR [SECONDS]   (root)
# Environment: BENCH_NSS_SIZES ("10 1000 10000 100000 1000000"),
#   BENCH_NSS_ROUNDS (5), BENCH_NSS_PEERS (1; 0 skips SSSD and nscd),
#   BENCH_NSS_PEERS_FULL (10000: the largest size at which the peers take
#   part in every row), BENCH_NSS_COLD (0; 1: the DB's page cache dropped
#   and filled by eksauth's lookups before the rounds, as after a reboot).
set -u

B=${1:?usage: bench_nss.sh BUILDDIR [SECONDS]}
SECS=${2:-0.3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=$(cd "$B" && pwd)
top_srcdir=$SRC
export top_builddir top_srcdir
. "$SRC/tests/integration/iddb_common.sh"
why=$(ns_unsupported)
if [ -n "$why" ]; then
    echo "bench_nss: cannot run: $why" >&2
    exit 1
fi
for f in bench/bench_nss bench/libnss_nothing.so.2; do
    [ -e "$top_builddir/$f" ] || { echo "bench_nss: $f not built" >&2; exit 1; }
done
SIZES=${BENCH_NSS_SIZES:-10 1000 10000 100000 1000000}
ROUNDS=${BENCH_NSS_ROUNDS:-5}
PEERS_FULL=${BENCH_NSS_PEERS_FULL:-10000}
PEERS=-
if [ "${BENCH_NSS_PEERS:-1}" = 1 ]; then
    PEERS=$top_builddir/bench/peers
    sh "$SRC/bench/peers.sh" "$PEERS" >&2 || { echo "bench_nss: the peers could not be unpacked" >&2; exit 1; }
    PEERS=$PEERS/root
    echo "# row 3: SSSD and nscd from Debian's packages, unpacked, not installed:" \
        "$(tr '\n' ' ' <"$top_builddir/bench/peers/packages" | grep -o 'sssd-common_[^ ]*\|nscd_[^ ]*' | tr '\n' ' ')"
fi

: >"$T/all"
for n in $SIZES; do
    mkdir -p "$T/s$n"
    "$IDDB_TOOL" gen "$T/s$n/identity.db" "$n" "$T/s$n/gen.passwd" "$T/s$n/gen.group" &&
        "$IDDB_TOOL" gen "$T/s$n/peers.db" "$n" "$T/s$n/x.passwd" "$T/s$n/x.group" nobig ||
        { echo "bench_nss: iddb_tool gen $n failed" >&2; exit 1; }
    echo "bench_nss: $n users ..." >&2
    unshare -m sh "$SRC/bench/bench_nss_ns.sh" "$top_builddir" "$T/s$n" "$n" "$SECS" "$ROUNDS" \
        "$PEERS" "$PEERS_FULL" >"$T/s$n/out" 2>"$T/s$n/err"
    rc=$?
    if [ $rc -ne 0 ] || grep -q '^FAIL' "$T/s$n/out"; then
        echo "bench_nss: $n users failed:" >&2
        grep '^FAIL' "$T/s$n/out" >&2
        tail -5 "$T/s$n/err" >&2
        exit 1
    fi
    sed "s/^/$n /" "$T/s$n/out" >>"$T/all"
rm -f "$T/s$n/identity.db" "$T/s$n/gen.passwd" "$T/s$n/gen.group"
done

# ---- the rows ------------------------------------------------------------------
awk '
function median(list,    a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    if (n == 0) return -1
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function row(what, e, b, r, target, met) {
    printf "ROW\t3\t%s\t%s\t%s\t%s\t%s\t%s\n", what, e, b, r, target, met
}
function fmt(x) { return x >= 100 ? sprintf("%.0f", x) : sprintf("%.2f", x) }
$2 == "R" { n = $1; r = $3; s = $4
    for (k = 5; k < NF; k += 2) { ns[n, $k, s, r] = $(k + 1); all[n, $k, s] = all[n, $k, s] " " $(k + 1) }
    have[n, s] = 1; sizes[n] = 1; rounds[n, r] = 1 }
$2 == "BIG" { n = $1; r = $3; s = $4; big[n, s, r] = $5; ball[n, s] = ball[n, s] " " $5; members[n] = $6 }
$2 == "MEM" { mem[$1, $3] = $5; dbsize[$1] = $4 }
$2 == "FIRST" { first[$1, $3] = first[$1, $3] " " $4; rss[$1, $3] = rss[$1, $3] " " $5 }
$2 == "SYSCALLS" { sys[$1, $3] = $4 }
$2 == "SKIP" || $2 == "NOTE" { $2 = ""; note[++nn] = $0 }
END {
    nsz = 0; for (n in sizes) sz[++nsz] = n + 0
    for (i = 2; i <= nsz; i++) { t = sz[i]; for (j = i - 1; j >= 1 && sz[j] > t; j--) sz[j + 1] = sz[j]; sz[j + 1] = t }
    split("getpwnam getgrnam initgroups", ops, " ")
    split("nothing sss nscd files", bases, " ")
    label["nothing"] = "do-nothing module"; label["sss"] = "SSSD memory cache"
    label["nscd"] = "nscd"; label["files"] = "files"
    for (i = 1; i <= nsz; i++) {
        n = sz[i]
        for (o = 1; o <= 3; o++) {
            op = ops[o]
            e = median(all[n, op, "eksauth"])
            for (q = 1; q <= 4; q++) {
                s = bases[q]
                if (!have[n, s]) continue
                rl = ""
                for (r = 1; (n, r) in rounds; r++)
                    if ((n, op, "eksauth", r) in ns && (n, op, s, r) in ns)
                        rl = rl " " ns[n, op, "eksauth", r] / ns[n, op, s, r]
                ratio = median(rl); b = median(all[n, op, s])
                target = "-"; met = "-"
                if (s == "nothing") { target = "<= 1.3x"; met = ratio <= 1.3 ? "yes" : "NO" }
                if (s == "sss") { target = "< 1x"; met = ratio < 1 ? "yes" : "NO" }
                if (s == "files" && n == 10) { target = "<= 0.5x"; met = ratio <= 0.5 ? "yes" : "NO" }
                if (s == "files" && n == 100000) { target = ">= 500x faster"; met = ratio <= 0.002 ? "yes" : "NO" }
                what = sprintf("NSS %s%s, %d users, ns/call (vs %s)", op, op == "getgrnam" ? " (10 members)" : "", n, label[s])
                row(what, fmt(e), fmt(b), sprintf(ratio < 0.01 ? "%.4fx" : "%.2fx", ratio), target, met)
            }
        }
        # What a lookup pays above the floor, in memory reads at the size of the DB.
        if (have[n, "nothing"] && (n, 1) in mem) {
            for (o = 1; o <= 3; o += 2) {
                op = ops[o]; el = ""; ml = ""
                for (r = 1; (n, r) in rounds; r++)
                    if ((n, op, "eksauth", r) in ns && (n, op, "nothing", r) in ns && (n, r) in mem) {
                        el = el " " ns[n, op, "eksauth", r] - ns[n, op, "nothing", r]; ml = ml " " mem[n, r]
                    }
                e = median(el); b = median(ml)
                row(sprintf("  %s: eksauth above the floor, %d users, ns (vs one random read in %.1f MiB, the DB)",
                            op, n, dbsize[n] / 1048576), fmt(e), fmt(b), sprintf("%.2fx", e / b), "-", "-")
            }
        }
        for (q = 2; q <= 4; q++) {
            s = bases[q]
            if (ball[n, s] == "" || members[n] < 1000) continue
            rl = ""
            for (r = 1; (n, r) in rounds; r++)
                if ((n, "eksauth", r) in big && (n, s, r) in big) rl = rl " " big[n, "eksauth", r] / big[n, s, r]
            ratio = median(rl)
            target = "-"; met = "-"
            if (s == "files" && members[n] == 10000) { target = "<= 0.5x"; met = ratio <= 0.5 ? "yes" : "NO" }
            row(sprintf("NSS getgrnam of a %d-member group, %d users, ns/call (vs %s)", members[n], n, label[s]),
                fmt(median(ball[n, "eksauth"])), fmt(median(ball[n, s])), sprintf("%.3fx", ratio), target, met)
        }
        for (q = 1; q <= 4; q++) {
            s = bases[q]
            if (!((n, s) in first)) continue
            e = median(first[n, "eksauth"]) / 1000; b = median(first[n, s]) / 1000
            target = "-"; met = "-"
            if (s == "sss" && n == 100000) { target = "<= 2x"; met = e / b <= 2 ? "yes" : "NO" }
            row(sprintf("first getpwnam in a fresh process, %d users, us (vs %s)", n, label[s]),
                sprintf("%.0f", e), sprintf("%.0f", b), sprintf("%.2fx", e / b), target, met)
            e = median(rss[n, "eksauth"]); b = median(rss[n, s])
            row(sprintf("  resident memory it adds, %d users, KiB (vs %s)", n, label[s]),
                e, b, b > 0 ? sprintf("%.2fx", e / b) : "-", "-", "-")
        }
        if ((n, "eksauth") in sys) {
            for (q = 1; q <= 3; q++) {
                s = bases[q]
                if (!((n, s) in sys)) continue
                e = sys[n, "eksauth"]; b = sys[n, s]
                target = s == "nothing" ? "no more than the floor" : "-"
                met = s == "nothing" ? (e <= b + 0.01 ? "yes" : "NO") : "-"
                row(sprintf("system calls per lookup, steady state, %d users (vs %s)", n, label[s]),
                    e, b, "-", target, met)
            }
        }
    }
    for (k = 1; k <= nn; k++) print "#" note[k]
}' "$T/all"
echo "# row 3: sizes $SIZES; $ROUNDS interleaved rounds of ${SECS} s per operation; ratios per round, medians." \
    "getgrnam (10 members): a random group of 10; the big group is eks-big, first in the group file" \
    "(files' best case); initgroups: getgrouplist.  First lookup: getpwnam of u(N/2) in a fresh process," \
    "wall time and /proc/self/statm growth, median of 15.  SSSD and nscd are filled from the same entries" \
    "through eksauth (SSSD's proxy provider, nscd's nsswitch), without the big group, and measured warm;" \
    "above $PEERS_FULL users they are in the first-lookup rows only (bench/README.md)."
