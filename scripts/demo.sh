#!/bin/sh
# make demo: the main job on the bundled data.
#
# Until `kslab replay` lands this boots the two reference machines of the
# foundation issue and prints their zones and buddy free lists.
set -eu
build=${1:-build}
kslab="$build/kslab"

show() {
	echo "== kslab show $1 --boot \"$2\""
	"$kslab" show "$1" --boot "$2"
	echo
}

for boot in "arch=x86_64 mem=8G" "arch=arm64 memmap=4G@2G"; do
	show zones "$boot"
	show buddyinfo "$boot"
	show zoneinfo "$boot" | grep -E '^Node|^  pages free|^        (min|low|high) |protection'
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
