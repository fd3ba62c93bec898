#!/bin/sh
# bench_fleet.sh - row 7: a fleet of FLEET_HOSTS (200) real `eksauth sync --watch`
# hosts against the Kubernetes and EKS API stand-ins with their rate limits on
# (tests/lib/fleet_sim.py; docs/fleet.md says what each figure means and how the
# 10,000-host table is drawn from them).  Prints the bench's ROW lines and notes.
#
#   bench/bench_fleet.sh BUILDDIR      (make bench-fleet; root, python3 with botocore
#                                       and PyYAML, openssl)
# Environment: FLEET_HOSTS (200), FLEET_KEEP=1 keeps the stand-ins' logs in
# FLEET_WORK (a temp folder).
set -u

B=${1:?usage: bench_fleet.sh BUILDDIR}
B=$(cd "$B" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
N=${FLEET_HOSTS:-200}
PY=$(python3 -c 'import sys; print(sys.executable)')
work=${FLEET_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/eksauth-fleet.XXXXXX")}
mkdir -p "$work" || exit 1
[ -n "${FLEET_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# The simulated clock runs 6 times a real fleet's: a stream or poll of 10 s
# stands for the default 60 s, access entries kept 40 s for 240 s, and the EKS
# stand-in's 120 requests a second for 20.  What a host asks per stream or per
# sync does not depend on it; per hour it is scaled back (docs/fleet.md).
SCALE=6
INTERVAL=10
ENTRIES=5
BUDGET=12
SPREAD=15
FRACTION=0.2 # the most hosts that may list in any one second after a restart
# The Kubernetes stand-in's limit (100/s) is below a real API server's, which
# serves thousands of cached reads a second: it is what the Python stand-in can
# serve.  The EKS one is the order of AWS's published read limits (EC2: 20/s,
# burst 100; ECS: burst 50), times the clock; EKS publishes none.
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
    "$PY" "$SRC/tests/lib/fleet_sim.py" --eksauth "$B/tools/eksauth" --lib "$SRC/tests/lib" \
    --work "$work" --hosts "$N" --interval "$INTERVAL" --spread "$SPREAD" --steady 20 \
    --changes 3 --warmup 2 --history-window 10 --kube-rate 100 --kube-burst 200 \
    --entries "$ENTRIES" --eks-interval "$INTERVAL" --eks-budget "$BUDGET" \
    --eks-max-age 40 --eks-run 40 --eks-converge 150 --eks-rate $((20 * SCALE)) \
    --eks-burst $((50 * SCALE)) >"$work/fleet.json" 2>"$work/fleet.err" || {
    tail -20 "$work/fleet.err" >&2
    exit 1
}

"$PY" - "$work/fleet.json" "$N" "$SCALE" "$FRACTION" "$BUDGET" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
n, scale, fraction, budget = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
k, e = r["kube"], r["eks"]

def row(what, ours, base, target="-", met="-"):
    ratio = "%.2fx" % (ours / base) if isinstance(base, (int, float)) and base else "-"
    print("ROW\t7\t%s\t%s\t%s\t%s\t%s\t%s" % (what, ours, base, ratio, target, met))

# A host's steady cost, scaled back to the real clock (--interval 60).
per_hour = k["steady"]["requests_per_host_hour"] / scale
row("fleet %d: --watch, requests/host/hour at --interval 60 (vs the timer's GET a minute)" % n,
    round(per_hour, 1), 60)
row("fleet %d: --watch, revocation lag p50, s" % n, max(c["p50"] for c in k["lag"]), "-")
p99 = max(c["p99"] for c in k["lag"])
row("fleet %d: --watch, revocation lag p99, s" % n, p99, "-", "< 5 s", "yes" if p99 < 5 else "NO")
applied = min(c["applied"] for c in k["lag"])
row("fleet %d: hosts whose DB each change reached" % n, applied, n, "all", "yes" if applied == n else "NO")
row("fleet %d: every watch dropped at once: lists" % n, k["drop"]["lists"], "-", "0",
    "yes" if k["drop"]["lists"] == 0 else "NO")
rs = k["restart"]
row("fleet %d: API server restart: most hosts listing in 1 s (fraction)" % n,
    rs["max_fraction_1s"], "-", "<= %.2f" % fraction,
    "yes" if rs["max_fraction_1s"] <= fraction and rs["hosts_relisted"] == n else "NO")
row("fleet %d: API server restart: all hosts watching again, s" % n, rs["recovered_s"], "-")
row("fleet %d: eks-api: requests/sync, steady (vs reading every entry)" % n,
    e["requests_per_sync"], e["full_read_per_sync"])
row("fleet %d: eks-api: requests/host/hour at a 60 s poll (vs reading every entry)" % n,
    round(e["requests_per_host_hour"] / scale, 1), 60 * e["full_read_per_sync"])
row("fleet %d: eks-api: most requests in one sync (sync_max_requests)" % n,
    e["max_requests_in_a_sync"], "-", "<= %d" % budget,
    "yes" if e["max_requests_in_a_sync"] <= budget else "NO")
row("fleet %d: eks-api: new hosts holding every entry after, s (x%d real)" % (n, scale),
    e["converged_s"], "-")
row("fleet %d: eks-api: access entry deletion lag p99, s (x%d real)" % (n, scale),
    e["deletion"]["p99"], "-")
print("# row 7: %d hosts, each an `eksauth sync --watch` process with its own credentials, against"
      " tests/lib/fake_kube.py (100 requests/s, burst 200) and fake_eks.py (%d/s, burst %d),"
      " counted from the stand-ins' logs (tests/lib/fleet_sim.py); the clock runs %d times a real"
      " fleet's (a 10 s stream or poll for 60 s), per-hour figures are scaled back"
      % (n, e["rate"], e["burst"], scale))
print("# row 7: kubernetes: steady %.0f s: %.1f requests/host/hour on the fast clock, %d lists;"
      " every DB written %s s after the last host started; restart: %d hosts listed again between %s and %s s (sync_spread %d s,"
      " warm-up %s s)" % (k["steady"]["seconds"], k["steady"]["requests_per_host_hour"],
                          k["steady"]["lists"], k["startup_s"], rs["hosts_relisted"],
                          rs["relist_first_s"], rs["relist_last_s"], rs["spread_s"], rs["warmup_s"]))
print("# row 7: eks-api: %d entries, sync_max_requests %d, access_entry_max_age %d s (fast clock):"
      " %d requests in all (%d throttled); steady %.0f s: %d syncs, %d requests (%d throttled);"
      " %d stale lines while new hosts read their entries"
      % (e["entries"], e["budget"], e["max_age"], e["requests"], e["throttled"],
         e["steady_seconds"], e["steady_syncs"], e["steady_requests"], e["steady_throttled"],
         e["stale_lines"]))
EOF
