#!/bin/sh
# Reproducers for the suite's own failures (docs/kernel-testing.md), in the
# trees run.sh built:
#
#   repro.sh rcu_slowread [variant] [runs] [taskset-cpus]
#       maple.c's check_rcu_threaded() alone, runs times (default 10), on
#       the shim or kslab build (default shim), optionally pinned with
#       taskset -c (e.g. 0: one CPU)
#   repro.sh iteration [variant] [runs]
#       ./main -s 1 (whose iteration_check.c runs first), runs times
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
out=${KT_OUT:-$repo/build-kernel-tests}
what=${1:?usage: repro.sh rcu_slowread|iteration [variant] [runs] [cpus]}
v=${2:-shim}
runs=${3:-10}
cpus=${4:-}
rt=$out/$v/tools/testing/radix-tree
[ -x "$rt/maple" ] || { echo "build $v first: run.sh" >&2; exit 1; }
pin=""
[ -n "$cpus" ] && pin="taskset -c $cpus"

case $what in
rcu_slowread)
	cd "$rt"
	cflags="-I../shared -I. -I../../include -I../../../lib -g -Og -Wall -D_LGPL_SOURCE"
	ldlibs="-lpthread -lurcu"
	if grep -q fsanitize ../shared/shared.mk; then
		cflags="$cflags -fsanitize=address -fsanitize=undefined"
		ldlibs="$ldlibs -fsanitize=address -fsanitize=undefined"
	fi
	if [ "$v" = kslab ]; then
		kb=$(ls -d "$out"/kslab-* | head -1)
		cflags="$cflags -I$repo/include"
		ldlibs="$ldlibs -L$kb -Wl,-rpath,$kb -lkslab"
	fi
	objs="xarray-shared.o radix-tree.o idr.o linux.o slab.o find_bit.o bitmap.o hweight.o vsprintf.o xarray.o test.o"
	# shellcheck disable=SC2086
	cc $cflags -I"$rt" -c "$here/rcu_slowread.c" -o repro_rcu_slowread.o
	# shellcheck disable=SC2086
	cc repro_rcu_slowread.o $objs $ldlibs -o repro_rcu_slowread
	cmd=./repro_rcu_slowread
	;;
iteration)
	cd "$rt"
	cmd="./main -s 1"
	;;
*)
	echo "unknown reproducer $what" >&2
	exit 2
	;;
esac

pass=0 fail=0
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	if $pin $cmd >"repro.$what.$i.out" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		grep -m2 'BUG at\|Assertion\|ERROR: AddressSanitizer' \
			"repro.$what.$i.out" | sed "s/^/  run $i: /"
	fi
done
echo "$what on $v${cpus:+ (taskset -c $cpus)}: $pass passed, $fail failed of $runs"
