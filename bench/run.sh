#!/bin/sh
# make bench: every bench/*.sh in turn, given the benchmark build dir.
set -eu
build=${1:-build-bench}
dir=$(dirname "$0")
for s in "$dir"/*.sh; do
	[ "$(basename "$s")" = run.sh ] && continue
	sh "$s" "$build"
	echo
done
