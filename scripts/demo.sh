#!/bin/sh
# make demo: the main job on the bundled data.
#
# 1. kslab replay of a real arm64 boot (Linux 6.1, 128-byte kmalloc
#    minimum) under every built-in slab policy, side by side: what the
#    6.5 swiotlb rule and __GFP_PACKED save on that very boot, and the
#    seed's per-cache table (and a plot when gnuplot is installed);
# 2. the bundled Linux 6.18 x86_64 trace, the same way;
# 3. the two reference machines' zones and buddy free lists; the DMA seeds.
set -eu
build=${1:-build}
kslab="$build/kslab"
src=$(cd "$(dirname "$0")/.." && pwd)
boot61="$src/data/traces/arm64-6.1.192-2G/trace.xz"

echo "== kslab replay --sites 10 $boot61"
echo "   (real arm64 boot of Linux 6.1.192: every small kmalloc padded to 128)"
"$kslab" replay --sites 10 "$boot61"
if command -v gnuplot >/dev/null 2>&1; then
	"$kslab" replay --format csv --plot "$build/demo-replay-arm64.png" \
		"$boot61" >/dev/null
fi
echo

echo "== kslab replay --sites 10 (bundled Linux 6.18 x86_64 build trace)"
"$kslab" replay --sites 10
if command -v gnuplot >/dev/null 2>&1; then
	"$kslab" replay --format csv --plot "$build/demo-replay.png" >/dev/null
fi
echo

show() {
	echo "== kslab show $1 --boot \"$2\""
	"$kslab" show "$1" --boot "$2"
	echo
}

for boot in "arch=x86_64 mem=8G" "arch=arm64 memmap=4G@2G"; do
	show zones "$boot"
	show buddyinfo "$boot"
done

# ---- DMA (issue 8): the seeds as drivers live them -------------------------
# Per-loss DMA reports go to stderr; the tables tell the story.
if [ -x "$build/examples/example_rx_ring" ]; then
	echo "== seed 000: a receive ring of small kmalloc buffers under each policy"
	"$build/examples/example_rx_ring" 2>&1 | grep -v -e '^kslab: DMA' -e 'suppressed$'
	echo
	echo "== seed 001: 1 KiB IOMMU page tables below 4 GiB"
	"$build/examples/example_iommu_pgtable"
	echo
	echo "== kslab show swiotlb --boot \"arch=arm64 memmap=4G@2G\""
	"$kslab" show swiotlb --boot "arch=arm64 memmap=4G@2G"
fi
