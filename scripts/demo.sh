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
