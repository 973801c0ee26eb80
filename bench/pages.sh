#!/bin/sh
# Page allocator: time per alloc+free pair and callgrind instructions per
# pair (inclusive cost of one pair function, call and return included).
set -eu
build=${1:-build-bench}
bin="$build/bench/bench_pages"
iters=100000

echo "== page allocator (alloc_pages + __free_pages, one thread)"
"$bin" time 11 1000000
if command -v valgrind >/dev/null 2>&1; then
	out=$(mktemp)
	for fn in pair_order0 pair_order3; do
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="$fn" "$bin" count "$iters" >/dev/null 2>&1
		total=$(callgrind_annotate "$out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
		# each toggle function runs once in warm-up and iters times
		echo "$fn: $((total / (iters + 1))) instructions/pair (callgrind)"
	done
	rm -f "$out"
else
	echo "(valgrind not installed: no instruction counts)"
fi
