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
dir=$(cd "$(dirname "$0")/.." && pwd)
bin="$build/bench/bench_slab"
if [ ! -x "$bin" ]; then
	cmake -S "$dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DKSLAB_BENCH=ON >/dev/null
	cmake --build "$build" -j "$(nproc)" --target bench_slab >/dev/null
fi
lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
reps=${KSLAB_BENCH_REPS:-5}

# name and LD_PRELOAD of each peer (empty: glibc)
peers="glibc: jemalloc:$lib/libjemalloc.so.2 tcmalloc:$lib/libtcmalloc_minimal.so.4 mimalloc:$lib/libmimalloc.so.2"

n_of() {
	case $1 in
	pair | batch) echo 2000000 ;;
	mix) echo 1000000 ;;
	xthread) echo 500000 ;;
	esac
}

echo "== slab layer: median ns per object of $reps runs (ratio = peer / kslab)"
printf "%-8s %10s" workload kslab
for p in $peers; do printf " %18s" "${p%%:*}"; done
echo
for w in pair batch mix xthread; do
	n=$(n_of $w)
	k=$("$bin" time kslab $w "$reps" "$n")
	printf "%-8s %10s" $w "$k"
	for p in $peers; do
		pre=${p#*:}
		if [ -n "$pre" ] && [ ! -e "$pre" ]; then
			printf " %18s" "(missing)"
			continue
		fi
		v=$(LD_PRELOAD=$pre "$bin" time malloc $w "$reps" "$n")
		printf " %8s (x%6s)" "$v" "$(echo "$v $k" | awk '{ printf "%.2f", $1 / $2 }')"
	done
	echo
done

if ! command -v valgrind >/dev/null 2>&1; then
	echo "(valgrind not installed: no instruction counts)"
	exit 0
fi
iters=20000
out=$(mktemp)

# instructions of one run of fn over iters steps, less those of its
# allocator-free twin (the frame and loop): what the calls cost
count() { # api preload workload divisor
	tot=""
	for mode in count count-none; do
		fn=${3}_$1
		[ $mode = count-none ] && fn=${3}_none
		LD_PRELOAD=$2 valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="$fn" "$bin" $mode $1 $3 $iters \
			>/dev/null 2>&1
		tot="$tot $(callgrind_annotate "$out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')"
	done
	echo "$tot $4" | awk '{ printf "%.1f", ($1 - $2) / $3 }'
}

echo
echo "== callgrind instructions per alloc+free pair (the calls only: argument set-up,"
echo "   call, allocator, return; the measuring function's frame and loop subtracted)"
echo "   pair: alloc then free 64 B; batch: 1000 x 64 B allocated, then freed;"
echo "   mix: one free and one allocation of the kernel-like size mix"
printf "%-10s %10s %10s %10s\n" allocator pair batch mix
for a in kslab $peers; do
	name=${a%%:*}
	pre=""
	api=kslab
	if [ "$a" != kslab ]; then
		pre=${a#*:}
		api=malloc
		[ -n "$pre" ] && [ ! -e "$pre" ] && continue
	fi
	printf "%-10s %10s %10s %10s\n" "$name" "$(count $api "$pre" pair $iters)" \
		"$(count $api "$pre" batch $iters)" "$(count $api "$pre" mix $iters)"
done
rm -f "$out"
