#!/bin/sh
# kmalloc: kmalloc/kfree beside malloc/free of glibc, jemalloc, tcmalloc
# and mimalloc (each preloaded under the same binary): a constant size
# (64, known at compile time), a kernel-like mix of sizes known only at
# run time, and that mix with 10,000 live objects. Median ns per object
# of several runs, the ratio of each peer to kslab (above 1: kslab is
# faster), and callgrind instructions per alloc+free pair: the measured
# function (const_API, var_API, mix_API of bench_kmalloc.c) less its twin
# without the allocator calls.
#
#   bench/kmalloc.sh [BUILD_DIR]    (default build-bench; builds it if needed)
set -eu
build=${1:-build-bench}
. "$(dirname "$0")/peers.inc"
peers_build "$build" bench_kmalloc

n_of() {
	case $1 in
	const | var) echo 2000000 ;;
	mix) echo 1000000 ;;
	batch) echo 2000000 ;;
	esac
}

peers_times "$build/bench/bench_kmalloc" kmalloc const var batch mix
echo
echo "== callgrind instructions per kmalloc+kfree (malloc+free) pair, the calls only"
echo "   const: 64 B, compile-time size; var: run-time sizes; mix: one free and"
echo "   one allocation with 10,000 live objects; batch: 1000 x 64 B allocated,"
echo "   then freed"
peers_counts "$build/bench/bench_kmalloc" 20000 const var batch mix
