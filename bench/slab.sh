#!/bin/sh
# Slab layer: kmem_cache_alloc/kmem_cache_free beside glibc, jemalloc,
# tcmalloc and mimalloc (each preloaded under the same malloc/free
# binary), on four workloads: median ns per object of several runs, the
# ratio of each peer to kslab (above 1: kslab is faster), and callgrind
# instructions per alloc+free pair (the pair_one / batch_one functions,
# call and return included).
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
echo
echo "== callgrind instructions per alloc+free pair of 64 bytes"
printf "%-10s %10s %10s\n" allocator pair batch
for a in kslab $peers; do
	name=${a%%:*}
	pre=""
	api=kslab
	if [ "$a" != kslab ]; then
		pre=${a#*:}
		api=malloc
		[ -n "$pre" ] && [ ! -e "$pre" ] && continue
	fi
	res=""
	for w in pair batch; do
		fn=${w}_one
		LD_PRELOAD=$pre valgrind --tool=callgrind --callgrind-out-file="$out" \
			--toggle-collect="$fn" "$bin" count $api $w $iters \
			>/dev/null 2>&1
		total=$(callgrind_annotate "$out" 2>/dev/null |
			awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
		# pair_one runs iters + 1 times (warm-up); batch_one iters/1000 times
		# (1000 pairs each), after one warm-up pair_one
		if [ $w = pair ]; then
			res="$res $(echo "$total $iters" | awk '{ printf "%.1f", $1 / ($2 + 1) }')"
		else
			res="$res $(echo "$total $iters" | awk '{ printf "%.1f", $1 / $2 }')"
		fi
	done
	printf "%-10s %10s %10s\n" "$name" $res
done
rm -f "$out"
