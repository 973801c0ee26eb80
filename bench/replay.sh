#!/bin/sh
# kslab replay: parse speed (lines/s), replay speed per policy (events/s,
# one core), and the wall time of the whole command on the bundled trace
# under four policies (median of 3; the bar: under 2 s on 2 cores).
set -eu
build=${1:-build-bench}
dir=$(cd "$(dirname "$0")/.." && pwd)
trace="$dir/data/traces/kmem-build-6.18.trace.xz"
plain=$(mktemp)
trap 'rm -f "$plain"' EXIT

echo "== replay"
if command -v xz >/dev/null 2>&1; then
	xz -dc "$trace" >"$plain"
	export KSLAB_BENCH_PLAIN="$plain"
fi
"$build/bench/bench_replay" 3 "$trace"
walls=""
for i in 1 2 3; do
	t0=$(date +%s.%N)
	"$build/kslab" replay --policy x86_64,arm64-legacy,arm64-packed,arm64 -j 2 >/dev/null
	t1=$(date +%s.%N)
	walls="$walls $(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')"
done
echo "kslab replay, 4 policies, -j 2 (wall, s):$walls; median" \
	"$(echo $walls | tr ' ' '\n' | sort -n | sed -n 2p)"
