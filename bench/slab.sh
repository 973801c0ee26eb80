#!/bin/sh
# Slab layer: kmem_cache_alloc/kmem_cache_free beside glibc, jemalloc,
# tcmalloc and mimalloc (each preloaded under the same malloc/free
# binary), on four workloads: median ns per object of several runs, the
# ratio of each peer to kslab (above 1: kslab is faster), and callgrind
# instructions per alloc+free pair: the measured function (pair_API,
# batch_API, mix_API of bench_slab.c) less its twin without the allocator
# calls, so the count is the calls only (set-up, call, body, return).
#
#   bench/slab.sh [BUILD_DIR]    (default build-bench; builds it if needed)
set -eu
build=${1:-build-bench}
# kslab twice: classic SLUB caches, and caches with 6.18 sheaves
kslab_apis="kslab sheaf"
. "$(dirname "$0")/peers.inc"
peers_build "$build" bench_slab

n_of() {
	case $1 in
	pair | batch | pinned) echo 2000000 ;;
	mix | rfree) echo 1000000 ;;
	xthread) echo 500000 ;;
	esac
}

peers_times "$build/bench/bench_slab" "slab layer" pair batch rfree mix xthread pinned
echo
echo "== callgrind instructions per alloc+free pair (the calls only: argument set-up,"
echo "   call, allocator, return; the measuring function's frame and loop subtracted)"
echo "   pair: alloc then free 64 B; batch: 1000 x 64 B allocated, then freed;"
echo "   rfree: 64 B, 10,000 live, one free at random and one allocation;"
echo "   mix: one free and one allocation of the kernel-like size mix;"
echo "   pinned: pair in a thread that pinned itself to CPU 0 after main (its"
echo "   owner) went idle: the owner's fast path, so the same as pair"
echo "   (kslab: classic caches; sheaf: caches with sheaf_capacity 32)"
peers_counts "$build/bench/bench_slab" 20000 pair batch rfree mix pinned
