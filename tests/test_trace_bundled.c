// SPDX-License-Identifier: MIT
/*
 * The trace bundled with kslab (data/traces/kmem-build-6.18.trace.xz,
 * Linux 6.18 x86_64): found through kslab_data_dir(), every line read,
 * the event counts, no bad line, and, over every kmalloc event, that
 * bytes_alloc is the x86_64 SLUB size class of bytes_req (the reference
 * README's fact). Also `kslab trace-stats --format json` on it, parsed
 * back, and the other formats.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "input/datadir.h"
#include "helpers/json_check.h"
#include "trace/trace_stats.h"

#ifndef KSLAB_BINDIR
#define KSLAB_BINDIR "build"
#endif

#define TOTAL 641457
#define N_KMALLOC 27484
#define N_KFREE 65909
#define N_CACHE_ALLOC 300728
#define N_CACHE_FREE 247336

static struct trace_stream stream;

static int setup(void **state)
{
	char **paths, err[512];
	size_t n = kslab_bundled_traces(&paths);

	if (n != 1) {
		fprintf(stderr, "bundled traces: %zu (data dir %s)\n", n,
			kslab_data_dir() ? kslab_data_dir() : "none");
		return -1;
	}
	trace_stream_init(&stream);
	if (trace_stream_read(&stream, paths[0], NULL, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	trace_stream_finish(&stream);
	kslab_free_paths(paths, n);
	return 0;
}

static int teardown(void **state)
{
	trace_stream_free(&stream);
	return 0;
}

static void test_data_dir(void **state)
{
	char **paths;
	size_t n = kslab_bundled_traces(&paths);
	char *slabs;

	assert_non_null(kslab_data_dir());
	assert_int_equal(n, 1);
	assert_non_null(strstr(paths[0], "kmem-build-6.18.trace.xz"));
	slabs = kslab_trace_slabs_path(paths[0]);
	assert_non_null(slabs);
	assert_non_null(strstr(slabs, "kmem-build-6.18.slabs.tsv"));
	free(slabs);
	kslab_free_paths(paths, n);
}

/* $KSLAB_DATA overrides; a missing TRACE is exit status 2 */
static void test_data_override_and_errors(void **state)
{
	char cmd[512];
	int st;

	setenv("KSLAB_DATA", "/nonexistent-kslab-data", 1);
	assert_null(kslab_data_dir());
	snprintf(cmd, sizeof(cmd), "%s/kslab trace-stats 2>/dev/null",
		 KSLAB_BINDIR);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	unsetenv("KSLAB_DATA");
	assert_non_null(kslab_data_dir());
	snprintf(cmd, sizeof(cmd),
		 "%s/kslab trace-stats /nonexistent.trace 2>/dev/null",
		 KSLAB_BINDIR);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
	snprintf(cmd, sizeof(cmd),
		 "%s/kslab trace-stats --format xml 2>/dev/null", KSLAB_BINDIR);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
}

static void test_counts(void **state)
{
	const struct trace_counts *c = &stream.counts;

	assert_int_equal(c->lines, TOTAL);
	assert_int_equal(c->events, TOTAL);
	assert_int_equal(stream.nr, TOTAL);
	assert_int_equal(c->ev[TRACE_EV_KMALLOC], N_KMALLOC);
	assert_int_equal(c->ev[TRACE_EV_KFREE], N_KFREE);
	assert_int_equal(c->ev[TRACE_EV_CACHE_ALLOC], N_CACHE_ALLOC);
	assert_int_equal(c->ev[TRACE_EV_CACHE_FREE], N_CACHE_FREE);
	assert_int_equal(c->bad, 0);
	assert_int_equal(c->skipped, 0);
	assert_int_equal(c->lost_markers, 0);
	assert_int_equal(c->input_errors, 0);
	assert_int_equal(stream.max_cpu, 1); /* 2 CPUs */
	printf("bundled: %u pointers, %u call sites, %u functions, %u caches\n",
	       stream.nr_ptrs, stream.nr_sites - 1, stream.funcs.nr,
	       stream.caches.nr);
}

/* Every kmalloc: bytes_alloc = x86_64 size class of bytes_req */
static void test_x86_64_size_classes(void **state)
{
	static const uint64_t classes[] = { 8,	  16,	 32,	64,
					    96,	  128,	 192,	256,
					    512,  1024,	 2048,	4096,
					    8192, 16384, 32768, 65536 };
	uint64_t checked = 0;

	/* the class function itself, at every boundary */
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		uint64_t lo = i ? classes[i - 1] + 1 : 1;

		assert_int_equal(trace_x86_64_kmalloc_size(lo), classes[i]);
		assert_int_equal(trace_x86_64_kmalloc_size(classes[i]),
				 classes[i]);
	}
	for (size_t i = 0; i < stream.nr; i++) {
		const struct trace_event *e = &stream.ev[i];

		if (e->type != TEV_KMALLOC)
			continue;
		if (trace_x86_64_kmalloc_size(e->bytes_req) != e->bytes_alloc)
			fail_msg("event %zu: bytes_req %u bytes_alloc %u", i,
				 e->bytes_req, e->bytes_alloc);
		checked++;
	}
	assert_int_equal(checked, N_KMALLOC);
}

/* The pairing sums agree with the event counts */
static void test_pairing(void **state)
{
	const struct trace_pairing *p = &stream.pair;

	assert_int_equal(p->allocs + p->failed_allocs + p->zero_size_allocs,
			 N_KMALLOC + N_CACHE_ALLOC);
	assert_int_equal(p->frees + p->null_frees, N_KFREE + N_CACHE_FREE);
	assert_int_equal(p->allocs - p->double_allocs -
				 (p->frees - p->unmatched_frees),
			 p->live_at_end);
	assert_true(p->peak_objects >= p->live_at_end);
	printf("pairing: %llu unmatched frees, %llu allocations of live "
	       "pointers, %llu never freed\n",
	       (unsigned long long)p->unmatched_frees,
	       (unsigned long long)p->double_allocs,
	       (unsigned long long)p->live_at_end);
}

static char *run(const char *args)
{
	char cmd[512], *buf = calloc(1, 1 << 20);
	size_t n = 0, r;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "%s/kslab %s", KSLAB_BINDIR, args);
	f = popen(cmd, "r");
	assert_non_null(f);
	while ((r = fread(buf + n, 1, (1 << 20) - 1 - n, f)) > 0)
		n += r;
	assert_int_equal(pclose(f), 0);
	return buf;
}

static void test_trace_stats_json(void **state)
{
	char *out = run("trace-stats --format json --top 5");

	assert_int_equal(json_check(out), 0);
	assert_true(json_number_at(out, "events.kmalloc") == N_KMALLOC);
	assert_true(json_number_at(out, "events.kmem_cache_free") ==
		    N_CACHE_FREE);
	assert_true(json_number_at(out, "events.events") == TOTAL);
	assert_true(json_number_at(out, "events.bad") == 0);
	assert_true(json_number_at(out, "x86_64_conformance.kmalloc_events") ==
		    N_KMALLOC);
	assert_true(json_number_at(
			    out, "x86_64_conformance.bytes_alloc_mismatches") ==
		    0);
	assert_true(json_number_at(out, "pairing.never_freed") ==
		    (double)stream.pair.live_at_end);
	free(out);
}

static void test_trace_stats_table_csv(void **state)
{
	char *out = run("trace-stats --top 3");

	assert_non_null(strstr(out, "kmem_cache_alloc  300728"));
	assert_non_null(strstr(out, "27484 of 27484 kmalloc events"));
	free(out);
	out = run("trace-stats --format csv --top 3");
	assert_true(!strncmp(out,
			     "section,name,count,bytes_req,bytes_alloc,"
			     "waste\n",
			     42));
	assert_non_null(strstr(out, "\nevents,kfree,65909,,,\n"));
	assert_non_null(strstr(out, "\nx86_64_conformance,"
				    "bytes_alloc_mismatches,0,,,\n"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_dir),
		cmocka_unit_test(test_data_override_and_errors),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_x86_64_size_classes),
		cmocka_unit_test(test_pairing),
		cmocka_unit_test(test_trace_stats_json),
		cmocka_unit_test(test_trace_stats_table_csv),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
