# kslab: a thin wrapper around CMake.
#
#   make            build libkslab.a, libkslab.so and the kslab command
#   make demo       the main job, on the bundled data
#   make test       the cmocka suite through ctest, then under ASan+UBSan,
#                   then the threaded tests under TSan
#   make bench      benchmarks beside the peer allocators
#   make kernel-tests     the kernel's tools/testing/radix-tree (Debian's
#                   linux-source-6.12) on its malloc shim and on kslab
#   make kernel-tests-ci  idr-test, multiorder and xarray on kslab (ASan)
#   make install PREFIX=dir
#
# Missing Debian packages are installed first (as root) or named.

PREFIX    ?= /usr/local
BUILD     ?= build
MAKEFLAGS += --no-print-directory
JOBS      ?= $(shell nproc 2>/dev/null || echo 2)
WERROR    ?= OFF
CMAKE_ARGS = -DCMAKE_INSTALL_LIBDIR=lib -DKSLAB_WERROR=$(WERROR)
CTEST      = ctest --output-on-failure --no-tests=error -j $(JOBS)

.PHONY: all deps configure demo test test-plain test-asan test-tsan bench \
	install format format-check clean kernel-tests kernel-tests-ci

all: configure
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@scripts/deps.sh build

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_ARGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

demo: all
	@scripts/demo.sh $(BUILD)

test: test-plain test-asan test-tsan

test-plain: all
	cd $(BUILD) && $(CTEST)

test-asan: deps
	cmake -S . -B $(BUILD)-asan $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Debug \
		-DKSLAB_SANITIZE=address,undefined >/dev/null
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ASAN_OPTIONS=detect_leaks=1 $(CTEST)

test-tsan: deps
	cmake -S . -B $(BUILD)-tsan $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Debug \
		-DKSLAB_SANITIZE=thread >/dev/null
	cmake --build $(BUILD)-tsan -j $(JOBS)
	cd $(BUILD)-tsan && TSAN_OPTIONS=halt_on_error=1 $(CTEST) -L threaded

bench:
	@scripts/deps.sh bench
	cmake -S . -B $(BUILD)-bench $(CMAKE_ARGS) -DCMAKE_BUILD_TYPE=Release \
		-DKSLAB_BENCH=ON >/dev/null
	cmake --build $(BUILD)-bench -j $(JOBS)
	@bench/run.sh $(BUILD)-bench

kernel-tests:
	@compat/kernel-testing/run.sh $(BUILD)-kernel-tests

kernel-tests-ci:
	@KT_VARIANTS=kslab KT_BINARIES="idr-test multiorder xarray" \
		compat/kernel-testing/run.sh $(BUILD)-kernel-tests

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-bench
