#!/bin/sh
# Make sure the Debian packages a target needs are installed.
#
#   scripts/deps.sh build   what `make`, `make test` and `make demo` need
#   scripts/deps.sh fuzz    also clang (with libFuzzer) for `make fuzz`
#   scripts/deps.sh bench   also the peer allocators and valgrind for `make bench`
#   scripts/deps.sh kernel-tests  also Debian's kernel source 6.12 and time(1)
#
# As root the missing packages are installed with apt-get; otherwise the
# script prints the exact command to run and fails.
set -eu

build_pkgs="gcc make cmake pkg-config libcmocka-dev liblzma-dev zlib1g-dev liburcu-dev libtraceevent-dev libtracefs-dev"
bench_pkgs="valgrind libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev"
plot_pkgs="gnuplot-nox"
ktest_pkgs="linux-source-6.12 time xz-utils"
fuzz_pkgs="clang libclang-rt-dev"

case "${1:-build}" in
build) want="$build_pkgs" ;;
bench) want="$build_pkgs $bench_pkgs" ;;
plot) want="$build_pkgs $plot_pkgs" ;;
kernel-tests) want="$build_pkgs $ktest_pkgs" ;;
fuzz) want="$build_pkgs $fuzz_pkgs" ;;
*) echo "usage: $0 build|bench|plot|kernel-tests|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "kslab: installing missing packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 || true
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >&2
	exit 0
fi
echo "kslab: missing Debian packages:$missing" >&2
echo "kslab: install them with:" >&2
echo "    sudo apt-get install -y$missing" >&2
exit 1
