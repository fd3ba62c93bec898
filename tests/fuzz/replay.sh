#!/bin/sh
# replay.sh - make check: every fuzz target, built with the project's
# compiler (replay_TARGET: fuzz_TARGET.c + replay_main.c, no libFuzzer),
# runs once over its committed seeds (tests/fuzz/corpus/TARGET) and its kept
# reproducers (tests/fuzz/regressions/TARGET): no crash, no sanitizer
# report (in the --enable-sanitizers tree), no broken property.
#
# tests/fuzz/known/TARGET holds reproducers of bugs reported but not yet
# fixed: each is a TODO test (XFAIL while it fails).  When a fix makes one
# pass (XPASS, which fails CI), move it to regressions/: it then guards the
# fix forever.  Without sanitizers a memory bug may not show, so there a
# passing known reproducer is skipped instead.
#
# Environment (make check): top_srcdir, top_builddir; EKSAUTH_SANITIZERS=yes
# in the sanitizer tree.
set -u
. "$top_srcdir/tests/lib/tap.sh"
here=$top_srcdir/tests/fuzz
bin=$top_builddir/tests/fuzz
san=${EKSAUTH_SANITIZERS:-no}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksauth-fuzz-replay.XXXXXX") || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT

# ASan's leak check is part of the contract: a leak on any input fails.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-}${UBSAN_OPTIONS:+:}print_stacktrace=1:halt_on_error=1"

targets=$(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
for t in $targets; do
    r=$bin/replay_$t
    if [ ! -x "$r" ]; then
        fail "replay_$t is built"
        continue
    fi
    for kind in corpus regressions; do
        d=$here/$kind/$t
        [ -d "$d" ] || continue
        [ -n "$(ls -A "$d")" ] || continue
        "$r" "$d" >"$tmp/out" 2>&1
        rc=$?
        n=$(sed -n 's/^replay: \([0-9]*\) inputs.*/\1/p' "$tmp/out")
        if [ "$rc" -eq 0 ]; then
            pass "fuzz_$t: $kind: ${n:-?} inputs replayed, no failure"
        else
            fail "fuzz_$t: $kind: replay failed (exit $rc)"
            sed 's/^/#   /' "$tmp/out" | tail -n 30
        fi
    done
    for f in "$here/known/$t"/*; do
        [ -f "$f" ] || continue
        "$r" "$f" >"$tmp/out" 2>&1
        rc=$?
        name="fuzz_$t: known bug $(basename "$f")"
        if [ "$rc" -ne 0 ]; then
            echo "not ok $((_tap_n + 1)) - $name # TODO reported, not fixed yet (tests/fuzz/known/README)"
            _tap_n=$((_tap_n + 1))
        elif [ "$san" = yes ]; then
            echo "ok $((_tap_n + 1)) - $name # TODO it passes now: move it to tests/fuzz/regressions/$t/"
            _tap_n=$((_tap_n + 1))
        else
            echo "ok $((_tap_n + 1)) - $name # SKIP passes without sanitizers; the sanitizer tree decides"
            _tap_n=$((_tap_n + 1))
        fi
    done
done
done_testing
