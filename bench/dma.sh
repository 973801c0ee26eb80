#!/bin/sh
# DMA mapping: map+unmap time per pair, direct vs bounced through swiotlb,
# per size, and callgrind instructions per pair (inclusive cost of one
# pair function, call and return included).
set -eu
build=${1:-build-bench}
bin="$build/bench/bench_dma"
iters=500

echo "== DMA map+unmap (DMA_BIDIRECTIONAL, one thread): direct vs swiotlb bounce"
"$bin" time 11 20000
if command -v valgrind >/dev/null 2>&1; then
	out=$(mktemp)
	printf '%8s %18s %18s\n' size "direct instr/pair" "bounced instr/pair"
	for size in 64 256 1024 4096 16384 65536; do
		line=$(printf '%8s' "$size")
		for fn in pair_direct pair_bounced; do
			valgrind --tool=callgrind --callgrind-out-file="$out" \
				--toggle-collect="$fn" "$bin" count "$iters" "$size" \
				>/dev/null 2>&1
			total=$(callgrind_annotate "$out" 2>/dev/null |
				awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
			# each toggle function runs once in set-up and iters times
			line="$line $(printf '%18s' $((total / (iters + 1))))"
		done
		echo "$line"
	done
	rm -f "$out"
else
	echo "(valgrind not installed: no instruction counts)"
fi
