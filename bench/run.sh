#!/bin/sh
# run.sh - run the benchmarks built in a build folder and print their tables.
# Usage: bench/run.sh ABS_BUILDDIR   (what `make bench` runs)
# Each benchmark reports its numbers next to a baseline measured in the same
# run, with the ratio and the target; nothing here passes or fails.
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 ABS_BUILDDIR" >&2
    exit 2
fi
builddir=$1

run() {
    name=$1
    bin=$builddir/bench/$name
    if [ ! -x "$bin" ]; then
        echo "$name: not built (make bench builds it)" >&2
        return 1
    fi
    echo "== $name"
    "$bin"
    echo
}

run bench_awsauth
