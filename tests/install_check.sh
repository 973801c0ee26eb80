#!/bin/sh
# Install the build into a scratch prefix and build a user's program
# against it through pkg-config, shared and static; run both.
set -eu
build=$1
prog=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
# the .pc was configured for the build's own prefix: point it here
sed -i "s|^prefix=.*|prefix=$tmp/prefix|" "$tmp/prefix/lib/pkgconfig/kslab.pc"
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
for mode in "" "--static"; do
	# shellcheck disable=SC2046,SC2086
	cc -o "$tmp/prog" "$prog" $(pkg-config --cflags --libs $mode kslab)
	out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/prog")
	echo "pkg-config $mode: $out"
	case "$out" in
	*"kmalloc(24) = 32"*"below 4 GiB"*) ;;
	*) echo "unexpected output" >&2; exit 1 ;;
	esac
done
test -x "$tmp/prefix/bin/kslab"
test -f "$tmp/prefix/lib/libkslab.a"
test -f "$tmp/prefix/include/kslab/kslab.h"
