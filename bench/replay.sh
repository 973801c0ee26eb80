#!/bin/sh
# kslab replay: parse speed (lines/s at -j 1 and -j 2, plain and xz),
# replay speed per policy (events/s, one core), and the wall time and
# peak RSS of the whole command: on the bundled trace, and on a 5 M-line
# trace made of pointer-rewritten copies of it (kslab trace-gen; the bar:
# plain parse >= 6 M lines/s at -j 2, five policies in < 2.5 s wall on 2
# cores, peak RSS <= 64 bytes an event). `grep -c` over the same file is
# the floor to compare with. Medians of REPS runs (default 3). The load
# average is printed before and after: the figures are only as good as
# the machine was quiet.
#
#   bench/replay.sh [BUILD_DIR]   (KSLAB_BENCH_REPS=N, KSLAB_BENCH_COPIES=N)
set -eu
build=${1:-build-bench}
reps=${KSLAB_BENCH_REPS:-3}
copies=${KSLAB_BENCH_COPIES:-8}
dir=$(cd "$(dirname "$0")/.." && pwd)
trace="$dir/data/traces/kmem-build-6.18.trace.xz"
plain=$(mktemp)
tm=$(mktemp)
big="$build/bench-replay-${copies}x.trace"
trap 'rm -f "$plain" "$tm"' EXIT

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
load() { echo "load average:$(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"; }

echo "== replay"
load
if command -v xz >/dev/null 2>&1; then
	xz -dc "$trace" >"$plain"
	export KSLAB_BENCH_PLAIN="$plain"
fi
"$build/bench/bench_replay" "$reps" "$trace"
walls=""
for i in $(seq "$reps"); do
	t0=$(date +%s.%N)
	"$build/kslab" replay --policy x86_64,arm64-legacy,arm64-packed,arm64 -j 2 >/dev/null
	walls="$walls $(secs "$t0" "$(date +%s.%N)")"
done
echo "kslab replay (bundled), 4 policies, -j 2 (wall, s):$walls; median $(echo $walls | median)"

# the big trace: made once, kept in the build directory
if [ ! -s "$big" ]; then
	"$build/kslab" trace-gen "$trace" --copies "$copies" -o "$big.tmp"
	mv "$big.tmp" "$big"
fi
if command -v xz >/dev/null 2>&1 && [ ! -s "$big.xz" ]; then
	xz -T2 -1 -k -c "$big" >"$big.xz.tmp" # -T: several blocks
	mv "$big.xz.tmp" "$big.xz"
fi
lines=$(wc -l <"$big")
echo "-- $big: $lines lines, $(du -m "$big" | cut -f1) MiB"
walls=""
for i in $(seq "$reps"); do
	t0=$(date +%s.%N)
	grep -c kmem "$big" >"$tm" # not /dev/null: grep would stop at the first match
	walls="$walls $(secs "$t0" "$(date +%s.%N)")"
done
g=$(echo $walls | median)
echo "grep -c over it (wall, s):$walls; median $g," \
	"$(awk -v l="$lines" -v t="$g" 'BEGIN { printf "%.2f", l / t / 1e6 }') M lines/s"
KSLAB_BENCH_PARSE_ONLY=1 env -u KSLAB_BENCH_PLAIN "$build/bench/bench_replay" "$reps" "$big"
if [ -s "$big.xz" ]; then
	echo "-- $big.xz: $(xz -l "$big.xz" | awk 'NR == 2 { print $2 }') blocks"
	KSLAB_BENCH_PARSE_ONLY=1 env -u KSLAB_BENCH_PLAIN "$build/bench/bench_replay" "$reps" "$big.xz"
fi
pols=x86_64,arm64-legacy,arm64-packed,arm64,arm64-noswiotlb
walls=""
rss=""
for i in $(seq "$reps"); do
	t0=$(date +%s.%N)
	/usr/bin/time -f %M -o "$tm" "$build/kslab" replay "$big" --policy "$pols" -j 2 >/dev/null
	walls="$walls $(secs "$t0" "$(date +%s.%N)")"
	rss="$rss $(cat "$tm")"
done
events=$(grep -c -E ': (kmalloc|kfree|kmem_cache_alloc|kmem_cache_free|kmalloc_node|kmem_cache_alloc_node): ' "$big")
r=$(echo $rss | median)
echo "kslab replay (5 policies, -j 2) of $lines lines (wall, s):$walls; median $(echo $walls | median)"
echo "peak RSS (KiB):$rss; median $r: $(awk -v r="$r" -v e="$events" 'BEGIN { printf "%.1f", r * 1024 / e }') bytes an event ($events events)"
load
