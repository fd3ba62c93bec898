#!/bin/sh
# run.sh - what `make bench` runs: every row of issue 8, each figure next to
# a baseline measured in the same run (or a callgrind instruction count),
# gathered into ONE table on standard output and into bench/results.md of
# the source tree, with the machine's description.  Nothing here is a test:
# a missed target is reported, not failed; a row that cannot run is.
#
#   bench/run.sh ABS_BUILDDIR [RESULTS_FILE]    (default: bench/results.md here)
# Environment: BENCH_ROWS="1 2 3 4 5 6 7" (the rows to run), BENCH_NSS_SECONDS
# (per NSS operation and round, 0.3; bench/bench_nss.sh reads more),
# BENCH_PAIRS (row 4, 40), FLEET_HOSTS (row 7, 200).  Rows 3-7 need root.
set -u

if [ $# -lt 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 ABS_BUILDDIR [RESULTS_FILE]" >&2
    exit 2
fi
B=$(cd "$1" && pwd)
SRC=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${BENCH_ROWS:-1 2 3 4 5 6 7}
OUT=${2:-$SRC/bench/results.md}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-bench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
: >"$tmp/rows"
: >"$tmp/notes"
failed=""

# A row's output: ROW lines to the table, "# " lines to the notes.
collect() {
    grep '^ROW' "$1" | cut -f2- >>"$tmp/rows"
    grep '^#' "$1" >>"$tmp/notes"
}

fail_row() { # fail_row ID WHAT LOG
    printf '%s\t%s\tFAILED\t-\t-\t-\t-\n' "$1" "$2" >>"$tmp/rows"
    echo "# row $1 failed: $(tail -3 "$3" | tr '\n' ' ')" >>"$tmp/notes"
    failed="$failed $1"
}

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "bench: $1 not found (row $2 needs it)" >&2; return 1; }
}

wants() { case " $ROWS " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- row 1: token checks vs base64url decoding -------------------------------
row1() {
    "$B/bench/bench_token" >"$tmp/r1" 2>&1 || return 1
    collect "$tmp/r1"
    need valgrind 1 || return 1
    for m in check decode; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null '--toggle-collect=run_loop*' \
            "$B/bench/bench_token" "$m" 1000 >"$tmp/cg.$m" 2>&1 || return 1
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/cg.$m" >"$tmp/ir.$m"
        [ -s "$tmp/ir.$m" ] || return 1
    done
    awk -v c="$(cat "$tmp/ir.check")" -v d="$(cat "$tmp/ir.decode")" 'BEGIN {
        r = c / d
        printf "1\ttoken check, instructions/token (callgrind)\t%.0f\t%.0f\t%.2fx\t<= 3x\t%s\n",
            c / 1000, d / 1000, r, r <= 3 ? "yes" : "NO" }' >>"$tmp/rows"
}

# ---- row 2: aws-auth parse and lookup -----------------------------------------
row2() {
    "$B/bench/bench_awsauth" >"$tmp/r2" 2>&1 || return 1
    collect "$tmp/r2"
}

# ---- row 3: NSS through glibc: eksauth vs the floor, SSSD, nscd, files ----------------
row3() {
    sh "$SRC/bench/bench_nss.sh" "$B" "${BENCH_NSS_SECONDS:-0.3}" >"$tmp/r3" 2>"$tmp/r3.err" || {
        cat "$tmp/r3.err"
        return 1
    }
    grep -q '^ROW' "$tmp/r3" || return 1
    collect "$tmp/r3"
}

# ---- rows 4 and 6: PAM logins vs libcurl GETs --------------------------------------
row46() {
    sh "$SRC/bench/bench_pam.sh" "$B" "${BENCH_PAIRS:-40}" >"$tmp/r46" 2>&1 || return 1
    collect "$tmp/r46"
}

# ---- row 5: eksauth sync of 10,000 and 100,000 entries vs libyaml alone -----------
# row5_size N LABEL: one size, 5 interleaved rounds, its ROW lines.
row5_size() {
    f="$tmp/aws-auth-$2.yaml"
    "$B/bench/bench_awsauth" write "$f" "$1" || return 1
    chmod 0644 "$f"
    rm -rf "$tmp/db5"
    mkdir -p "$tmp/db5"
    printf 'cluster_id = bench-cluster\naws_auth_file = %s\ndb_path = %s\n' \
        "$f" "$tmp/db5/identity.db" >"$tmp/sync.conf"
    chmod 0600 "$tmp/sync.conf"
    : >"$tmp/r5.sync"
    : >"$tmp/r5.yaml"
    : >"$tmp/r5.same"
    # Interleaved, 5 each; every sync starts from no DB (a first sync writes everything),
    # and the timer's run after it (--if-changed) finds nothing changed.
    for i in 1 2 3 4 5; do
        rm -f "$tmp/db5/identity.db"
        "$B/bench/bench_rusage" "$B/tools/eksauth" --config "$tmp/sync.conf" sync \
            >>"$tmp/r5.sync" 2>/dev/null || return 1
        "$B/bench/bench_rusage" "$B/tools/eksauth" --config "$tmp/sync.conf" sync --if-changed \
            >>"$tmp/r5.same" 2>/dev/null || return 1
        "$B/bench/bench_rusage" "$B/bench/bench_awsauth" yaml "$f" >>"$tmp/r5.yaml" || return 1
    done
    # The row is only what it says when that run wrote nothing.
    "$B/tools/eksauth" --config "$tmp/sync.conf" sync --if-changed 2>/dev/null |
        grep -q '^eksauth sync: unchanged' || return 1
    med() { sort -n -k"$2" "$1" | awk -v k="$2" 'NR == 3 { print $k }'; }
    {
        printf '5\tsync %s entries, wall ms (vs libyaml alone)\t%s\t%s\t<= 2x\n' "$2" \
            "$(med "$tmp/r5.sync" 1)" "$(med "$tmp/r5.yaml" 1)"
        printf '5\tsync %s entries, CPU ms (vs libyaml alone)\t%s\t%s\t<= 2x\n' "$2" \
            "$(med "$tmp/r5.sync" 2)" "$(med "$tmp/r5.yaml" 2)"
        printf '5\tsync %s entries, peak RSS KiB (vs libyaml alone)\t%s\t%s\t-\n' "$2" \
            "$(med "$tmp/r5.sync" 3)" "$(med "$tmp/r5.yaml" 3)"
        printf '5\tunchanged re-sync %s (--if-changed), wall ms (vs a full sync)\t%s\t%s\t<= 0.1x\n' \
            "$2" "$(med "$tmp/r5.same" 1)" "$(med "$tmp/r5.sync" 1)"
    } | awk -F'\t' -v OFS='\t' '{
        r = $3 / $4
        met = "-"
        if ($5 ~ /^<= /) { lim = substr($5, 4); sub(/x$/, "", lim); met = r <= lim + 0 ? "yes" : "NO" }
        printf "%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\n", $1, $2, $3, $4, r, $5, met }' >>"$tmp/rows"
}

row5() {
    row5_size 10000 10k || return 1
    row5_size 100000 100k || return 1
    echo "# row 5: at each size, medians of 5 interleaved runs each as a child process (wait4:" \
        "wall time, CPU time, ru_maxrss); the baseline reads the same file and loads it with" \
        "libyaml alone (bench_awsauth yaml: the ConfigMap, then the mapRoles string); the" \
        "unchanged re-sync is \`eksauth sync --if-changed\` right after each full sync (what" \
        "eksauth-sync.service runs), against the full sync" >>"$tmp/notes"
}

# ---- row 7: a fleet of 200 hosts against the cluster's stand-ins -----------------
row7() {
    sh "$SRC/bench/bench_fleet.sh" "$B" >"$tmp/r7" 2>&1 || return 1
    collect "$tmp/r7"
}

start=$(date +%s)
for r in 1 2 3 46 5 7; do
    case $r in
    46) wants 4 || wants 6 || continue ;;
    *) wants "$r" || continue ;;
    esac
    echo "bench: row $r ..." >&2
    log="$tmp/log$r"
    if ! "row$r" >"$log" 2>&1; then
        cat "$log" >&2
        [ -f "$tmp/r$r" ] && tail -5 "$tmp/r$r" >&2
        fail_row "$r" "row $r" "$log"
    fi
done
secs=$(($(date +%s) - start))

# ---- the table --------------------------------------------------------------------
sort -s -t "$(printf '\t')" -k1,1n "$tmp/rows" >"$tmp/rows.sorted"
header="row	what	eksauth	baseline	ratio	target	met?"
{ echo "$header"; cat "$tmp/rows.sorted"; } | awk -F'\t' '
    { for (i = 1; i <= NF; i++) { c[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR; nf = NF }
    END { for (r = 1; r <= n; r++) { line = ""
            for (i = 1; i <= nf; i++) line = line sprintf(i == 2 ? "%-*s  " : "%*s  ", w[i], c[r, i])
            print line
            if (r == 1) { s = ""; for (i = 1; i <= nf; i++) { for (k = 0; k < w[i]; k++) s = s "-"; s = s "  " } print s } } }'
cat "$tmp/notes"
echo "# whole run: ${secs} s"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cc=$(sed -n 's/^CC = //p' "$B/Makefile" | head -1)
{
    echo "# eksauth benchmarks (\`make bench\`)"
    echo
    echo "One run of \`make bench\` (bench/run.sh); see bench/README.md for what each row"
    echo "measures.  Figures are medians; every ratio is against a baseline measured in"
    echo "the same run."
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- CPU: ${cpu:-unknown}, $(nproc) cores"
    echo "- kernel: $(uname -sr)"
    echo "- libc: $(ldd --version 2>&1 | head -1)"
    echo "- compiler: $(${cc:-cc} --version 2>/dev/null | head -1) (CC = ${cc:-cc})"
    echo "- whole run: ${secs} s"
    echo
    echo "| row | what | eksauth | baseline | ratio | target | met? |"
    echo "|---|---|---:|---:|---:|---|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7 }' \
        "$tmp/rows.sorted"
    echo
    echo "Notes:"
    echo
    sed 's/^# \{0,1\}/    /' "$tmp/notes"
} >"$OUT.tmp" || failed="$failed results.md"
if mv "$OUT.tmp" "$OUT"; then
    echo "# written: $OUT"
else
    failed="$failed results.md"
fi
if [ -n "$failed" ]; then
    echo "bench: rows that could not run:$failed" >&2
    exit 1
fi
exit 0
