#!/bin/sh
# DMA mapping: map+unmap time per pair, direct vs bounced through swiotlb
# vs dma-iommu, per size, and callgrind instructions per pair (inclusive
# cost of one pair function, call and return included): coherent devices
# (x86_64), then non-coherent ones (arm64: the direct and iommu pairs go
# through the cache model, with the buffer on whole cache lines and 8
# bytes into one).
set -eu
build=${1:-build-bench}
bin="$build/bench/bench_dma"
iters=500

# instructions per pair: count FN [bench args...]
count() {
	fn=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$out" \
		--toggle-collect="$fn" "$bin" "$@" >/dev/null 2>&1
	total=$(callgrind_annotate "$out" 2>/dev/null |
		awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	# each toggle function runs once in set-up and iters times
	printf ' %18s' $((total / (iters + 1)))
}

echo "== DMA map+unmap (DMA_BIDIRECTIONAL, one thread): direct vs swiotlb bounce vs iommu"
"$bin" time 11 20000
if command -v valgrind >/dev/null 2>&1; then
	out=$(mktemp)
	echo "-- coherent devices (x86_64)"
	printf '%8s %18s %18s %18s\n' size "direct instr/pair" \
		"bounced instr/pair" "iommu instr/pair"
	for size in 64 256 1024 4096 16384 65536; do
		printf '%8s' "$size"
		count pair_direct count "$iters" "$size"
		count pair_bounced count "$iters" "$size"
		count pair_iommu count "$iters" "$size"
		echo
	done
	echo "-- non-coherent devices (arm64; direct +8: first and last line shared)"
	printf '%8s %18s %18s %18s %18s\n' size "direct instr/pair" \
		"direct+8 instr/pair" "bounced instr/pair" "iommu+8 instr/pair"
	for size in 64 256 1024 4096 16384 65536; do
		printf '%8s' "$size"
		count pair_direct -n count "$iters" "$size"
		count pair_direct -n count "$iters" "$size" 8
		count pair_bounced -n count "$iters" "$size"
		count pair_iommu -n count "$iters" "$size" 8
		echo
	done
	rm -f "$out"
else
	echo "(valgrind not installed: no instruction counts)"
fi
