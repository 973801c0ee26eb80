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
dir=$(cd "$(dirname "$0")/.." && pwd)
bin="$build/bench/bench_kmalloc"
if [ ! -x "$bin" ]; then
	cmake -S "$dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DKSLAB_BENCH=ON >/dev/null
	cmake --build "$build" -j "$(nproc)" --target bench_kmalloc >/dev/null
fi
lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
reps=${KSLAB_BENCH_REPS:-5}

# name and LD_PRELOAD of each peer (empty: glibc)
peers="glibc: jemalloc:$lib/libjemalloc.so.2 tcmalloc:$lib/libtcmalloc_minimal.so.4 mimalloc:$lib/libmimalloc.so.2"

n_of() {
	case $1 in
	const | var) echo 2000000 ;;
	mix) echo 1000000 ;;
	esac
}

echo "== kmalloc: median ns per object of $reps runs (ratio = peer / kslab)"
printf "%-8s %10s" workload kslab
for p in $peers; do printf " %18s" "${p%%:*}"; done
echo
for w in const var mix; do
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
echo "== callgrind instructions per kmalloc+kfree (malloc+free) pair, the calls only"
echo "   const: 64 B, compile-time size; var: run-time sizes; mix: one free and"
echo "   one allocation with 10,000 live objects"
printf "%-10s %10s %10s %10s\n" allocator const var mix
for a in kslab $peers; do
	name=${a%%:*}
	pre=""
	api=kslab
	if [ "$a" != kslab ]; then
		pre=${a#*:}
		api=malloc
		[ -n "$pre" ] && [ ! -e "$pre" ] && continue
	fi
	printf "%-10s %10s %10s %10s\n" "$name" "$(count $api "$pre" const $iters)" \
		"$(count $api "$pre" var $iters)" "$(count $api "$pre" mix $iters)"
done
rm -f "$out"
