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
