// SPDX-License-Identifier: MIT
/*
 * The kmem line parser on every line format it reads (trace/trace_pipe,
 * trace-cmd report with and without the flags column and with -l, perf
 * script with and without pid/tid and period) for every event, the gfp flag names parsed into bits, lines
 * that are skipped, lost-event markers, malformed lines, and a fuzz of
 * random mutations of real lines (seed printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/gfp.h>
#include "helpers/capture.h"
#include "trace/trace_parse.h"

/* The bodies, as the 6.18 print formats write them */
#define B_KMALLOC                                                       \
	"call_site=__get_vm_area_node+0x80/0x140 ptr=00000000b55be0ab " \
	"bytes_req=72 bytes_alloc=96 gfp_flags=GFP_KERNEL|__GFP_ZERO "  \
	"node=-1 accounted=false"
#define B_KFREE "call_site=ida_alloc_range+0x39b/0x400 ptr=000000009fa2fd6c"
#define B_CALLOC                                                    \
	"call_site=copy_process+0x1a5/0x1d80 ptr=00000000aa9f5a01 " \
	"name=task_struct bytes_req=5824 bytes_alloc=5824 "         \
	"gfp_flags=GFP_KERNEL node=-1 accounted=true"
#define B_CFREE                                                    \
	"call_site=do_sys_openat2+0xa2/0xe0 ptr=0000000027aac91f " \
	"name=names_cache"

/* The prefixes: trace/trace_pipe, trace-cmd (2 forms), -l, perf script */
static const char *const prefixes[] = {
	"            bash-1364    [001] d..1. 10561.957538: %s: %s",
	"            bash-1364  [001] 10561.957538: %s:              %s",
	"bash-1364 [001] ..... 10561.957538: %s: %s",
	"            bash-1364    1d..1. 10561.957538: %s: %s",
	"            bash  1364 [001] 10561.957538: kmem:%s: %s",
	"     kworker/1:2-88      (     88) [001] ...1. 10561.957538: %s: %s",
	"            bash  1364/1364  [001] 10561.957538:          1 "
	"kmem:%s: %s",
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static enum trace_line_kind parse(const char *fmt, const char *ev,
				  const char *body, struct trace_line *l)
{
	static char line[1024];

	snprintf(line, sizeof(line), fmt, ev, body);
	return trace_parse_line(line, strlen(line), l);
}

static void check_common(const struct trace_line *l)
{
	assert_int_equal(l->cpu, 1);
	assert_true(l->ts_ns == 10561957538000ull);
}

static void test_kmalloc_all_formats(void **state)
{
	for (size_t i = 0; i < NR(prefixes); i++) {
		struct trace_line l;

		assert_int_equal(parse(prefixes[i], "kmalloc", B_KMALLOC, &l),
				 TRACE_LINE_EVENT);
		check_common(&l);
		assert_int_equal(l.ev, TRACE_EV_KMALLOC);
		assert_int_equal(l.site_func.len, strlen("__get_vm_area_node"));
		assert_memory_equal(l.site_func.p, "__get_vm_area_node",
				    l.site_func.len);
		assert_int_equal(l.site_off, 0x80);
		assert_true(l.ptr == 0xb55be0abull);
		assert_false(l.ptr_null);
		assert_int_equal(l.bytes_req, 72);
		assert_int_equal(l.bytes_alloc, 96);
		assert_int_equal(l.gfp, GFP_KERNEL | __GFP_ZERO);
		assert_int_equal(l.node, -1);
		assert_int_equal(l.accounted, 0);
		assert_int_equal(l.name.len, 0);
	}
}

static void test_kfree_all_formats(void **state)
{
	for (size_t i = 0; i < NR(prefixes); i++) {
		struct trace_line l;

		assert_int_equal(parse(prefixes[i], "kfree", B_KFREE, &l),
				 TRACE_LINE_EVENT);
		check_common(&l);
		assert_int_equal(l.ev, TRACE_EV_KFREE);
		assert_int_equal(l.site_off, 0x39b);
		assert_true(l.ptr == 0x9fa2fd6cull);
	}
}

static void test_cache_alloc_all_formats(void **state)
{
	for (size_t i = 0; i < NR(prefixes); i++) {
		struct trace_line l;

		assert_int_equal(parse(prefixes[i], "kmem_cache_alloc",
				       B_CALLOC, &l),
				 TRACE_LINE_EVENT);
		check_common(&l);
		assert_int_equal(l.ev, TRACE_EV_CACHE_ALLOC);
		assert_int_equal(l.name.len, strlen("task_struct"));
		assert_memory_equal(l.name.p, "task_struct", l.name.len);
		assert_int_equal(l.bytes_req, 5824);
		assert_int_equal(l.gfp, GFP_KERNEL);
		assert_int_equal(l.accounted, 1);
	}
}

static void test_cache_free_all_formats(void **state)
{
	for (size_t i = 0; i < NR(prefixes); i++) {
		struct trace_line l;

		assert_int_equal(parse(prefixes[i], "kmem_cache_free", B_CFREE,
				       &l),
				 TRACE_LINE_EVENT);
		check_common(&l);
		assert_int_equal(l.ev, TRACE_EV_CACHE_FREE);
		assert_int_equal(l.name.len, strlen("names_cache"));
		assert_memory_equal(l.site_func.p, "do_sys_openat2", 14);
	}
}

/* Older kernels: *_node events, hex call sites, 0x pointers, no name */
static void test_older_kernels(void **state)
{
	struct trace_line l;

	assert_int_equal(
		parse(prefixes[0], "kmalloc_node",
		      "call_site=ffffffff8120a5b3 ptr=ffff88003b0e6800 "
		      "bytes_req=640 bytes_alloc=1024 "
		      "gfp_flags=GFP_KERNEL|__GFP_ZERO node=0",
		      &l),
		TRACE_LINE_EVENT);
	assert_int_equal(l.ev, TRACE_EV_KMALLOC_NODE);
	assert_memory_equal(l.site_func.p, "ffffffff8120a5b3", 16);
	assert_true(l.ptr == 0xffff88003b0e6800ull);
	assert_int_equal(l.node, 0);
	assert_int_equal(l.accounted, -1);
	assert_int_equal(
		parse(prefixes[1], "kmem_cache_alloc_node",
		      "call_site=__alloc_skb+0x4e/0x1a0 "
		      "ptr=0xffff8880046d6a00 bytes_req=232 "
		      "bytes_alloc=256 gfp_flags=GFP_ATOMIC|__GFP_NOWARN "
		      "node=-1",
		      &l),
		TRACE_LINE_EVENT);
	assert_int_equal(l.ev, TRACE_EV_CACHE_ALLOC_NODE);
	assert_int_equal(l.name.len, 0);
	assert_int_equal(l.gfp, GFP_ATOMIC | __GFP_NOWARN);
	/* a module symbol: "func+off/len [mod]" */
	assert_int_equal(parse(prefixes[0], "kfree",
			       "call_site=ext4_fill_super+0x1c/0x40 [ext4] "
			       "ptr=(null)",
			       &l),
			 TRACE_LINE_EVENT);
	assert_true(l.ptr_null);
	assert_int_equal(parse(prefixes[0], "kfree",
			       "call_site=x+0x1/0x2 ptr=0000000000000000", &l),
			 TRACE_LINE_EVENT);
	assert_true(l.ptr_null);
}

static void test_gfp_composites(void **state)
{
	static const struct {
		const char *text;
		gfp_t want;
	} cases[] = {
		{ "GFP_NOWAIT|__GFP_FS|__GFP_NORETRY|__GFP_NOMEMALLOC",
		  __GFP_KSWAPD_RECLAIM | __GFP_NOWARN | __GFP_FS |
			  __GFP_NORETRY | __GFP_NOMEMALLOC },
		{ "GFP_KERNEL_ACCOUNT|__GFP_ZERO",
		  __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO |
			  __GFP_FS | __GFP_ACCOUNT | __GFP_ZERO },
		{ "GFP_ATOMIC|__GFP_NOWARN|__GFP_NOMEMALLOC",
		  __GFP_HIGH | __GFP_KSWAPD_RECLAIM | __GFP_NOWARN |
			  __GFP_NOMEMALLOC },
		{ "GFP_NOFS|__GFP_COMP|__GFP_RECLAIMABLE",
		  __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | __GFP_IO |
			  __GFP_COMP | __GFP_RECLAIMABLE },
		{ "GFP_DMA|__GFP_ZERO", __GFP_DMA | __GFP_ZERO },
		{ "none", 0 },
		{ "GFP_KERNEL|0x200", GFP_KERNEL | 0x200 },
	};
	char body[512];

	for (size_t i = 0; i < NR(cases); i++) {
		struct trace_line l;

		snprintf(body, sizeof(body),
			 "call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=8 "
			 "bytes_alloc=8 gfp_flags=%s node=-1 accounted=false",
			 cases[i].text);
		assert_int_equal(parse(prefixes[0], "kmalloc", body, &l),
				 TRACE_LINE_EVENT);
		assert_int_equal(l.gfp, cases[i].want);
	}
}

static void test_skipped_lines(void **state)
{
	static const char *const lines[] = {
		"",
		"   ",
		"# tracer: nop",
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
		"version = 6",
		"cpus=2",
		"CPU 0 is empty",
		"            bash-1364    [000] ..... 10561.957318: "
		"sched_switch: prev_comm=bash prev_pid=1364",
		"            bash-1364    [000] ..... 10561.957318: "
		"mm_page_pcpu_drain: page=0000000012345678 pfn=0x1234 order=0",
		"  perf  1364 [000] 10561.957538: kmem:mm_page_alloc_zone_locked: page=0",
	};

	for (size_t i = 0; i < NR(lines); i++) {
		struct trace_line l;

		assert_int_equal(trace_parse_line(lines[i], strlen(lines[i]),
						  &l),
				 TRACE_LINE_SKIP);
	}
}

static void test_lost_markers(void **state)
{
	const char *a = "CPU:1 [LOST 1234 EVENTS]";
	const char *b = "CPU:0 [56 EVENTS DROPPED]";
	const char *c = "# entries-in-buffer/entries-written: 100/250   #P:2";
	const char *d = "# entries-in-buffer/entries-written: 250/250   #P:2";
	struct trace_line l;

	assert_int_equal(trace_parse_line(c, strlen(c), &l), TRACE_LINE_LOST);
	assert_int_equal(l.lost, 150);
	assert_int_equal(trace_parse_line(d, strlen(d), &l), TRACE_LINE_SKIP);
	assert_int_equal(trace_parse_line(a, strlen(a), &l), TRACE_LINE_LOST);
	assert_int_equal(l.lost, 1234);
	assert_int_equal(trace_parse_line(b, strlen(b), &l), TRACE_LINE_LOST);
	assert_int_equal(l.lost, 56);
}

static void test_bad_lines(void **state)
{
	static const char *const bodies[] = {
		"call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=8",
		"call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=x8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL",
		"call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL|__GFP_BOGUS",
		"call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL node=abc",
		"call_site=f+0x1/0x2 ptr=0000000012345678 bytes_req=8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL accounted=maybe",
		"call_site=f+0xzz/0x2 ptr=0000000012345678 bytes_req=8 "
		"bytes_alloc=8 gfp_flags=GFP_KERNEL",
		"ptr=0000000012345678 bytes_req=8 bytes_alloc=8 gfp_flags=none",
		"call_site=f+0x1/0x2 bytes_req=8 bytes_alloc=8 gfp_flags=none",
		"call_site=f+0x1/0x2 ptr=1 ptr=2 bytes_req=8 bytes_alloc=8 "
		"gfp_flags=none",
		"call_site=f+0x1/0x2 ptr=1 bytes_req=99999999999999999999999 "
		"bytes_alloc=8 gfp_flags=none",
		"",
	};
	struct trace_line l;

	for (size_t i = 0; i < NR(bodies); i++) {
		assert_int_equal(parse(prefixes[0], "kmalloc", bodies[i], &l),
				 TRACE_LINE_BAD);
		assert_non_null(l.why);
	}
	/* our event without a readable prefix */
	const char *x = "bash-1364 [000] 10561.95x: kmalloc: call_site=f";
	assert_int_equal(trace_parse_line(x, strlen(x), &l), TRACE_LINE_BAD);
	x = "bash-1364 10561.957538: kfree: call_site=f ptr=1";
	assert_int_equal(trace_parse_line(x, strlen(x), &l), TRACE_LINE_BAD);
}

/* Random byte edits of real lines: any verdict, but never a crash */
static void test_fuzz(void **state)
{
	static const char *const seeds[] = { B_KMALLOC, B_KFREE, B_CALLOC,
					     B_CFREE };
	static const char *const evs[] = { "kmalloc", "kfree",
					   "kmem_cache_alloc",
					   "kmem_cache_free" };
	unsigned int seed = test_seed("test_fuzz");
	char line[1024];
	size_t counts[4] = { 0 };

	srand(seed);
	for (int iter = 0; iter < 200000; iter++) {
		int k = rand() % 4;
		const char *fmt = prefixes[rand() % NR(prefixes)];
		int n = snprintf(line, sizeof(line), fmt, evs[k], seeds[k]);
		int edits = 1 + rand() % 4;
		struct trace_line l;

		for (int e = 0; e < edits && n > 0; e++) {
			int pos = rand() % n, op = rand() % 4;

			if (op == 0) {
				line[pos] = (char)(rand() % 256);
			} else if (op == 1) {
				memmove(line + pos, line + pos + 1,
					(size_t)(n - pos));
				n--;
			} else if (op == 2 && n < 1000) {
				memmove(line + pos + 1, line + pos,
					(size_t)(n - pos + 1));
				line[pos] = " :=|+/x0[]."[rand() % 11];
				n++;
			} else {
				n = pos;
				line[n] = '\0';
			}
		}
		/* a NUL byte ends the line as the reader would hand it */
		n = (int)strlen(line);
		enum trace_line_kind kind =
			trace_parse_line(line, (size_t)n, &l);
		assert_true(kind <= TRACE_LINE_BAD);
		if (kind == TRACE_LINE_BAD)
			assert_non_null(l.why);
		counts[kind]++;
	}
	printf("fuzz: %zu events, %zu skipped, %zu lost, %zu bad\n", counts[0],
	       counts[1], counts[2], counts[3]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_all_formats),
		cmocka_unit_test(test_kfree_all_formats),
		cmocka_unit_test(test_cache_alloc_all_formats),
		cmocka_unit_test(test_cache_free_all_formats),
		cmocka_unit_test(test_older_kernels),
		cmocka_unit_test(test_gfp_composites),
		cmocka_unit_test(test_skipped_lines),
		cmocka_unit_test(test_lost_markers),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
