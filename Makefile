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
#   make fuzz       the libFuzzer harnesses (clang), FUZZ_RUNS executions
#                   each over tests/fuzz/corpus/ (make fuzz FUZZ_RUNS=10000000)
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

FUZZ_RUNS ?= 20000
FUZZ_SEED ?= 1
FUZZERS    = fuzz_trace_parse fuzz_trace_input fuzz_boot fuzz_slab_ops

.PHONY: all deps configure demo test test-plain test-asan test-tsan bench fuzz \
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
# Each harness runs FUZZ_RUNS inputs over its seeds (new finds go to
# $(BUILD)-fuzz/corpus/<harness>, not into the checked-in corpus). The
# library's own messages on stderr are silenced (-close_fd_mask=2);
# sanitizer and libFuzzer reports still print. A crash leaves
# crash-<sha1> in $(BUILD)-fuzz/: rerun the harness on that file.
fuzz:
	@scripts/deps.sh fuzz
	cmake -S . -B $(BUILD)-fuzz -DKSLAB_FUZZ=ON -DCMAKE_C_COMPILER=clang \
		-DKSLAB_WERROR=$(WERROR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DKSLAB_SANITIZE=fuzzer-no-link,address,undefined >/dev/null
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target fuzzers
	@set -e; cd $(BUILD)-fuzz; for f in $(FUZZERS); do \
		mkdir -p corpus/$$f; \
		echo "fuzz: $$f, $(FUZZ_RUNS) runs"; \
		tests/fuzz/$$f -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) -close_fd_mask=2 -rss_limit_mb=8192 \
			-print_final_stats=1 corpus/$$f \
			$(CURDIR)/tests/fuzz/corpus/$$f >$$f.log 2>&1 || \
			{ tail -n 60 $$f.log; echo "fuzz: $$f FAILED," \
			"see $(BUILD)-fuzz/$$f.log"; exit 1; }; \
		grep -E "^Done|number_of_executed_units" $$f.log; \
	done

install: all
	cmake --install $(BUILD) --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-tsan $(BUILD)-bench $(BUILD)-fuzz
