#!/bin/sh
# The kernel's user-space test suite tools/testing/radix-tree (Linux 6.12,
# Debian's linux-source-6.12) built twice from the same sources: with the
# suite's own malloc shim ("shim") and with kslab ("kslab", kslab_shim.c
# in place of shared/linux.c and tools/lib/slab.c, linked to libkslab.so).
# Each binary is run under /usr/bin/time -v; printed per binary: pass/fail,
# wall time, peak RSS, then every "kslab:" line the kslab runs printed.
#
#   compat/kernel-testing/run.sh [build-dir]
#
# Environment:
#   KT_VARIANTS   "shim kslab" (default) or one of them
#   KT_BINARIES   "main idr-test multiorder xarray maple" (default)
#   KT_SANITIZE   "address" (default: the suite's own -fsanitize=address,
#                 undefined; kslab built with ASan, so its poisoning is on)
#                 or "none" (both builds and kslab without sanitizers)
#   KT_TIMEOUT    seconds per binary (default 3600)
#   KT_JOBS       make -j (default 2)
#   KSLAB_BOOT    the kslab machine (default in kslab_shim.c: mem=8G)
#   KT_SRC        another kernel tree to take the suite from (e.g. a 6.18
#                 one; Debian ships no 6.18 source package): its lib/,
#                 include/ and tools/ are used in place of the 6.12 tarball;
#                 when its tools/include/linux/slab.h has the sheaf calls
#                 (6.18), the shim maps them onto kslab's sheaves (KT_SHEAVES)
#
# Missing Debian packages (linux-source-6.12, time) are installed as root,
# else the command is printed. Exit status: 0 when every kslab run passed
# (the shim's own failures are reported, not fatal: see
# docs/kernel-testing.md).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$repo/build-kernel-tests}
variants=${KT_VARIANTS:-shim kslab}
binaries=${KT_BINARIES:-main idr-test multiorder xarray maple}
sanitize=${KT_SANITIZE:-address}
timeout_s=${KT_TIMEOUT:-3600}
jobs=${KT_JOBS:-2}
ver=6.12
tarball=/usr/src/linux-source-$ver.tar.xz

"$repo/scripts/deps.sh" kernel-tests
mkdir -p "$out"
out=$(cd "$out" && pwd)

# ---- the kernel sources -----------------------------------------------------
src=$out/linux-source-$ver
if [ -n "${KT_SRC:-}" ]; then
	src=$(cd "$KT_SRC" && pwd)
	ver=$(sed -n 's/^VERSION = //p' "$src/Makefile").$(sed -n \
		's/^PATCHLEVEL = //p' "$src/Makefile")
elif [ ! -f "$src/.extracted" ]; then
	echo "kernel-tests: extracting $tarball" >&2
	rm -rf "$src"
	tar -C "$out" -xf "$tarball" --wildcards \
		"linux-source-$ver/tools/*" "linux-source-$ver/lib/*" \
		"linux-source-$ver/include/*"
	touch "$src/.extracted"
fi

# ---- kslab, shared, sanitised like the suite ---------------------------------
kbuild=$out/kslab-$sanitize
if [ "$sanitize" = none ]; then
	ksan=""
else
	ksan="-DKSLAB_SANITIZE=$sanitize"
fi
case " $variants " in *" kslab "*)
	cmake -S "$repo" -B "$kbuild" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DKSLAB_WERROR=OFF $ksan >/dev/null
	cmake --build "$kbuild" -j "$jobs" --target kslab_shared >/dev/null
esac

# ---- one tree per variant ------------------------------------------------------
# root/{lib,include,tools/include} link to the sources; tools/lib and
# tools/testing/{radix-tree,shared} are copies (the build writes there).
mktree() {
	root=$out/$1
	rm -rf "$root"
	mkdir -p "$root/tools/testing"
	ln -s "$src/lib" "$root/lib"
	ln -s "$src/include" "$root/include"
	ln -s "$src/tools/include" "$root/tools/include"
	[ -d "$src/tools/arch" ] && ln -s "$src/tools/arch" "$root/tools/arch"
	cp -r "$src/tools/lib" "$root/tools/lib"
	cp -r "$src/tools/testing/radix-tree" "$src/tools/testing/shared" \
		"$root/tools/testing/"
	if [ "$sanitize" = none ]; then
		sed -i -e 's/ -fsanitize=address -fsanitize=undefined//' \
			"$root/tools/testing/shared/shared.mk"
	fi
}

build() {
	v=$1
	mktree "$v"
	rt=$out/$v/tools/testing/radix-tree
	cflags=""
	ldlibs=""
	if [ "$v" = kslab ]; then
		cp "$here/kslab_shim.c" "$out/$v/tools/testing/shared/linux.c"
		printf '/* kmalloc() and kfree(): shared/linux.c (kslab) */\n' \
			>"$out/$v/tools/lib/slab.c"
		cflags="-I$repo/include"
		# 6.18's suite: sheaves in the tools' slab interface
		if grep -q kmem_cache_prefill_sheaf \
			"$src/tools/include/linux/slab.h"; then
			cflags="$cflags -DKT_SHEAVES"
		fi
		ldlibs="-L$kbuild -Wl,-rpath,$kbuild -lkslab"
	fi
	echo "kernel-tests: building $v" >&2
	# the suite's Makefile appends to these
	# shellcheck disable=SC2086
	if ! CFLAGS="$cflags" LDLIBS="$ldlibs" make -C "$rt" -j "$jobs" \
		$binaries >"$out/$v.build.log" 2>&1; then
		echo "kernel-tests: $v build failed; see $out/$v.build.log" >&2
		tail -20 "$out/$v.build.log" >&2
		return 1
	fi
}

args_of() {
	case $1 in
	main) echo "-s 1" ;;
	*) echo "" ;;
	esac
}

# run one binary; prints "variant binary result wall rss"
run_one() {
	v=$1 b=$2
	rt=$out/$v/tools/testing/radix-tree
	log=$out/$v.$b
	# shellcheck disable=SC2046
	(cd "$rt" && KT_VERBOSE=1 ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} \
		timeout "$timeout_s" /usr/bin/time -v -o "$log.time" \
		"./$b" $(args_of "$b") >"$log.out" 2>"$log.err") && rc=0 || rc=$?
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' \
		"$log.time" 2>/dev/null)
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' \
		"$log.time" 2>/dev/null)
	cpu=$(awk -F': ' '/User time|System time/ { t += $2 }
		END { printf "%.1f", t }' "$log.time" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		res=pass
	elif [ "$rc" = 124 ]; then
		res="timeout"
	else
		res="FAIL($rc)"
	fi
	printf '%-6s %-11s %-10s %10s %9s %8s MB\n' "$v" "$b" "$res" \
		"${wall:-?}" "${cpu:-?}" "$(( ${rss:-0} / 1024 ))"
	[ "$rc" = 0 ]
}

status=0
for v in $variants; do
	build "$v" || { status=1; continue; }
done

echo
echo "tools/testing/radix-tree ($ver, sanitize=$sanitize) on $(nproc) CPUs"
printf '%-6s %-11s %-10s %10s %9s %11s\n' build binary result wall "cpu s" \
	"peak RSS"
for b in $binaries; do
	for v in $variants; do
		[ -x "$out/$v/tools/testing/radix-tree/$b" ] || continue
		if ! run_one "$v" "$b"; then
			[ "$v" = kslab ] && status=1
		fi
	done
done

case " $variants " in *" kslab "*)
	echo
	echo "kslab reports (lines starting \"kslab:\" on stderr of the kslab runs):"
	n=0
	for b in $binaries; do
		f=$out/kslab.$b.err
		[ -f "$f" ] || continue
		c=$(grep -c '^kslab: ' "$f" || true)
		n=$((n + c))
		[ "$c" = 0 ] && continue
		echo "  $b: $c"
		grep '^kslab: ' "$f" | sort | uniq -c | sort -rn | head -20 |
			sed 's/^/    /'
	done
	[ "$n" = 0 ] && echo "  none"
	echo
	echo "kslab shim counters at exit (the suite's count of each kslab cache"
	echo "against kslab_cache_usage(); a disagreement is a kslab: report):"
	for b in $binaries; do
		f=$out/kslab.$b.out
		[ -f "$f" ] || continue
		grep '^kslab-shim: nr_allocated' "$f" | sed "s/^kslab-shim: /  $b: /"
		grep '^kslab-shim: cache' "$f" | sed "s/^kslab-shim: /    /"
	done
	;;
esac
for v in $variants; do
	for b in $binaries; do
		f=$out/$v.$b.err
		[ -f "$f" ] || continue
		if grep -q 'ERROR: AddressSanitizer\|runtime error:' "$f"; then
			echo "$v $b: sanitizer report in $f:"
			grep -m3 'ERROR: AddressSanitizer\|runtime error:\|^SUMMARY' "$f" |
				sed 's/^/  /'
		fi
	done
done
exit $status
