#!/bin/bash
# run.sh - `make fuzz`: build the libFuzzer targets with clang (build.sh)
# and run each for FUZZ_SECONDS, FUZZ_JOBS at a time, from the committed
# seeds (corpus/TARGET), the kept reproducers (regressions/TARGET) and what
# earlier runs in this build tree found (BUILDDIR/tests/fuzz/work/TARGET).
# Any crash, leak, timeout, sanitizer report or broken property fails the
# run; the input is kept under BUILDDIR/tests/fuzz/artifacts/TARGET/ and the
# run prints the command that makes it a regression test for make check.
#
# usage: run.sh SRCDIR BUILDDIR
# environment: FUZZ_SECONDS (60 per target), FUZZ_JOBS (targets run at once;
#   default: the number of CPUs), FUZZ_ONLY (space-separated targets),
#   CLANG.
set -u
srcdir=$(cd "$1" && pwd)
builddir=$(cd "$2" && pwd)
seconds=${FUZZ_SECONDS:-}
[ -n "$seconds" ] || seconds=60
jobs=${FUZZ_JOBS:-}
[ -n "$jobs" ] || jobs=$(nproc 2>/dev/null || echo 2)
here=$srcdir/tests/fuzz
out=$builddir/tests/fuzz
bin=$out/bin

targets=${FUZZ_ONLY:-}
[ -n "$targets" ] || targets=$(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//' | tr '\n' ' ')

# Which dictionary each target reads.
dict_of() {
    case $1 in
    token | query | pieces) echo "$here/dict/token.dict" ;;
    awsauth | template) echo "$here/dict/yaml.dict" ;;
    config) echo "$here/dict/config.dict" ;;
    sts) echo "$here/dict/sts.dict" ;;
    kubeconfig) echo "$here/dict/kubeconfig.dict" ;;
    creds) echo "$here/dict/creds.dict" ;;
    kube_api) echo "$here/dict/kube_api.dict" ;;
    exec_credential) echo "$here/dict/exec_credential.dict" ;;
    *) echo "" ;;
    esac
}

echo "fuzz: building with clang (tests/fuzz/build.sh)"
bash "$here/build.sh" "$srcdir" "$builddir" "$bin" $targets || { echo "fuzz: build failed"; exit 2; }

run_one() {
    local t=$1 d args
    mkdir -p "$out/work/$t" "$out/artifacts/$t"
    args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$out/artifacts/$t/")
    d=$(dict_of "$t")
    [ -n "$d" ] && args+=(-dict="$d")
    # The first folder receives new inputs; the committed ones are only read.
    local dirs=("$out/work/$t")
    [ -d "$here/corpus/$t" ] && dirs+=("$here/corpus/$t")
    [ -d "$here/regressions/$t" ] && dirs+=("$here/regressions/$t")
    "$bin/fuzz_$t" "${args[@]}" "${dirs[@]}" >"$out/fuzz_$t.out" 2>&1
    echo $? >"$out/fuzz_$t.rc"
}

t0=$(date +%s)
running=0
for t in $targets; do
    rm -f "$out/fuzz_$t.rc"
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

failed=0
printf '%-10s %10s %9s %7s %8s  %s\n' target runs exec/s cov corpus result
for t in $targets; do
    log=$out/fuzz_$t.out
    rc=$(cat "$out/fuzz_$t.rc" 2>/dev/null || echo 99)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ncorp=$(find "$out/work/$t" -type f | wc -l)
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc)"
        failed=$((failed + 1))
    fi
    printf '%-10s %10s %9s %7s %8s  %s\n' "$t" "${runs:-?}" "${eps:-?}" "${cov:-?}" "$ncorp" "$result"
done
for t in $targets; do
    rc=$(cat "$out/fuzz_$t.rc" 2>/dev/null || echo 99)
    [ "$rc" = 0 ] && continue
    echo "---- fuzz_$t (exit $rc): $out/fuzz_$t.out"
    # libFuzzer's own progress lines start with '#' and may quote dictionary
    # words such as "ERROR"; the report is in the other lines.
    grep -v '^#' "$out/fuzz_$t.out" |
        grep -E -m 12 'ERROR|property broken|runtime error|SUMMARY|deadly signal|^    #[0-9]'
    for a in "$out/artifacts/$t"/*; do
        [ -f "$a" ] || continue
        echo "  reproducer: $a"
        # The CI machine is thrown away: its bytes, so it can be kept from the log.
        if [ "$(stat -c %s "$a")" -le 16384 ]; then
            echo "  its bytes (base64 -d to get it back):"
            base64 -w 76 "$a" | sed 's/^/    /'
        fi
        echo "  replay:     $builddir/tests/fuzz/replay_$t $a   (or: $bin/fuzz_$t $a)"
        echo "  keep it:    mkdir -p $here/regressions/$t && cp $a $here/regressions/$t/"
    done
done
echo "fuzz: $(echo $targets | wc -w) targets x ${seconds}s, $jobs at a time, in $(($(date +%s) - t0))s: $failed failed"
[ "$failed" -eq 0 ]
