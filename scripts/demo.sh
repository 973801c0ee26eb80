#!/bin/sh
# make demo: the main job on the bundled data.
#
# 1. kslab replay: the bundled Linux 6.18 trace under every built-in slab
#    policy, side by side (and a plot when gnuplot is installed);
# 2. the two reference machines' zones and buddy free lists.
set -eu
build=${1:-build}
kslab="$build/kslab"

echo "== kslab replay --sites 10 (bundled Linux 6.18 x86_64 trace)"
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
