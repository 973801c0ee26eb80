// SPDX-License-Identifier: MIT
/*
 * Fault injection (src/mm/fault_inject.c, fail_page_alloc.c,
 * src/slab/failslab.c): the exact failure patterns of the kernel's
 * knobs (interval, times, probability 0/100, space, ignore-gfp-wait,
 * cache-filter and the per-cache failslab attribute, min-order,
 * ignore-gfp-highmem, task-filter, fail-nth), __GFP_NOFAIL never failed,
 * the boot parameters failslab= and fail_page_alloc= as setup_fault_attr()
 * parses them, the knobs as debugfs files, the verbose report, a seeded
 * probability that repeats, and the allocator back to its free page
 * count after injected failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define BOOT "arch=x86_64 mem=256M nr_cpus=2"

static struct kslab_fault_attr attr_of(const char *name)
{
	struct kslab_fault_attr a;

	assert_int_equal(kslab_fault_attr_get(name, &a), 0);
	return a;
}

/* the usual test set-up: quiet, no limit, every candidate */
static void arm(const char *name, unsigned long prob, unsigned long interval,
		int times, int space)
{
	struct kslab_fault_attr a = attr_of(name);

	a.probability = prob;
	a.interval = interval;
	a.times = times;
	a.space = space;
	a.verbose = 0;
	assert_int_equal(kslab_fault_attr_set(name, &a), 0);
}

static struct kmem_cache *new_cache(const char *name, slab_flags_t flags)
{
	struct kmem_cache *s =
		kmem_cache_create(name, 100, 0, flags | SLAB_NO_MERGE, NULL);

	assert_non_null(s);
	return s;
}

/* allocate n objects with gfp: a bit set per failure; frees them */
static uint64_t pattern(struct kmem_cache *s, gfp_t gfp, unsigned int n)
{
	void *p[64];
	uint64_t fails = 0;

	assert_true(n <= 64);
	for (unsigned int i = 0; i < n; i++) {
		p[i] = kmem_cache_alloc(s, gfp);
		if (!p[i])
			fails |= 1ULL << i;
	}
	for (unsigned int i = 0; i < n; i++)
		if (p[i])
			kmem_cache_free(s, p[i]);
	return fails;
}

static void test_defaults(void **state)
{
	struct kslab_fault_attr a;

	assert_int_equal(kslab_boot(BOOT), 0);
	a = attr_of(KSLAB_FAILSLAB);
	assert_int_equal(a.probability, 0);
	assert_int_equal(a.interval, 1);
	assert_int_equal(a.times, 1);
	assert_int_equal(a.space, 0);
	assert_int_equal(a.verbose, 2);
	assert_true(a.ignore_gfp_wait);
	assert_false(a.cache_filter);
	assert_false(a.task_filter);
	a = attr_of(KSLAB_FAIL_PAGE_ALLOC);
	assert_true(a.ignore_gfp_highmem);
	assert_int_equal(a.min_order, 1);
	assert_int_equal(kslab_fault_attr_get("fail_futex", &a), -EINVAL);
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, NULL), -EINVAL);
}

static void test_interval_times_probability(void **state)
{
	struct kmem_cache *s;
	unsigned long before;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_interval", 0);
	before = kslab_fault_count(KSLAB_FAILSLAB);

	/* nothing armed: nothing fails */
	assert_int_equal(pattern(s, GFP_ATOMIC, 16), 0);
	/* every 3rd candidate */
	arm(KSLAB_FAILSLAB, 100, 3, -1, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 12), 0x924); /* 2,5,8,11 */
	assert_int_equal(kslab_fault_count(KSLAB_FAILSLAB), before + 4);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).times, -1);
	/* times=2: the first two, then none; times reads 0 */
	arm(KSLAB_FAILSLAB, 100, 1, 2, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 10), 0x3);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).times, 0);
	/* interval and times together: 4th and 8th, then stop */
	arm(KSLAB_FAILSLAB, 100, 4, 2, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 16), 0x88);
	/* probability 100: all; 0: none */
	arm(KSLAB_FAILSLAB, 100, 1, -1, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 20), 0xfffff);
	arm(KSLAB_FAILSLAB, 0, 1, -1, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 20), 0);
	kmem_cache_destroy(s);
}

static void test_space_budget(void **state)
{
	struct kmem_cache *s;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_space", 0);
	/* 100-byte objects, 1000 bytes: nine pass, using 900, then each
	 * fails (100 left is not more than the request) */
	arm(KSLAB_FAILSLAB, 100, 1, -1, 1000);
	assert_int_equal(pattern(s, GFP_ATOMIC, 12), 0xe00);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).space, 100);
	/* 1050: ten pass, 50 left */
	arm(KSLAB_FAILSLAB, 100, 1, -1, 1050);
	assert_int_equal(pattern(s, GFP_ATOMIC, 12), 0xc00);
	kmem_cache_destroy(s);
}

static void test_ignore_gfp_wait(void **state)
{
	struct kslab_fault_attr a;
	struct kmem_cache *s;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_wait", 0);
	arm(KSLAB_FAILSLAB, 100, 1, -1, 0);
	/* default Y: requests that may reclaim are not candidates */
	assert_int_equal(pattern(s, GFP_KERNEL, 8), 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 8), 0xff);
	assert_int_equal(pattern(s, GFP_NOWAIT, 8), 0xff);
	a = attr_of(KSLAB_FAILSLAB);
	a.ignore_gfp_wait = false;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	assert_int_equal(pattern(s, GFP_KERNEL, 8), 0xff);
	/* __GFP_NOFAIL never */
	assert_int_equal(pattern(s, GFP_KERNEL | __GFP_NOFAIL, 8), 0);
	assert_int_equal(pattern(s, GFP_ATOMIC | __GFP_NOFAIL, 8), 0);
	/* kmalloc goes through its cache */
	assert_null(kmalloc(64, GFP_KERNEL));
	assert_null(kzalloc(700, GFP_ATOMIC));
	kslab_fault_attr_reset(KSLAB_FAILSLAB);
	kmem_cache_destroy(s);
}

static void test_cache_filter(void **state)
{
	struct kmem_cache *a, *b, *m1, *m2;
	struct kslab_fault_attr fa;

	assert_int_equal(kslab_boot(BOOT), 0);
	a = new_cache("fi_flagged", SLAB_FAILSLAB);
	b = new_cache("fi_plain", 0);
	assert_int_equal(kslab_cache_failslab(a), 1);
	assert_int_equal(kslab_cache_failslab(b), 0);
	arm(KSLAB_FAILSLAB, 100, 1, -1, 0);
	fa = attr_of(KSLAB_FAILSLAB);
	fa.cache_filter = true;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &fa), 0);
	assert_int_equal(pattern(a, GFP_ATOMIC, 6), 0x3f);
	assert_int_equal(pattern(b, GFP_ATOMIC, 6), 0);
	kfree(kmalloc(64, GFP_ATOMIC)); /* kmalloc-64 is not flagged */
	/* the sysfs file: echo 1 > /sys/kernel/slab/fi_plain/failslab */
	assert_int_equal(kslab_cache_set_failslab(b, true), 0);
	assert_int_equal(kslab_cache_failslab(b), 1);
	assert_int_equal(pattern(b, GFP_ATOMIC, 6), 0x3f);
	assert_int_equal(kslab_cache_set_failslab(a, false), 0);
	assert_int_equal(pattern(a, GFP_ATOMIC, 6), 0);
	/* `kslab show slabs` prints the attribute, as sysfs's failslab */
	{
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		assert_int_equal(kslab_show("slabs", f), 0);
		fclose(f);
		assert_non_null(strstr(text, "fi_flagged\n"));
		assert_non_null(strstr(strstr(text, "fi_flagged\n"),
				       "  failslab        0\n"));
		assert_non_null(strstr(strstr(text, "fi_plain\n"),
				       "  failslab        1\n"));
		free(text);
	}
	/* a merged cache refuses the store */
	m1 = kmem_cache_create("fi_merge1", 200, 0, 0, NULL);
	m2 = kmem_cache_create("fi_merge2", 200, 0, 0, NULL);
	assert_ptr_equal(m1, m2);
	assert_int_equal(kslab_cache_set_failslab(m1, true), -EINVAL);
	assert_int_equal(kslab_cache_failslab(m1), 0);
	assert_int_equal(kslab_cache_set_failslab(NULL, true), -EINVAL);
	assert_int_equal(kslab_cache_failslab(NULL), -EINVAL);
	/* SLAB_FAILSLAB never merges */
	assert_int_equal(cache_info_of(a).aliases, 0);
	kmem_cache_destroy(m2);
	kmem_cache_destroy(m1);
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
}

static void test_bulk_and_sheaves(void **state)
{
	struct kmem_cache_args args = { .sheaf_capacity = 8 };
	struct kmem_cache *s, *sh;
	void *p[16];

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_bulk", 0);
	/* a bulk call is one candidate, its objects are not asked */
	arm(KSLAB_FAILSLAB, 100, 3, -1, 0);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_ATOMIC, 16, p), 16);
	kmem_cache_free_bulk(s, 16, p);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_ATOMIC, 16, p), 16);
	kmem_cache_free_bulk(s, 16, p);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_ATOMIC, 16, p), 0);
	/* a cache with sheaves is asked once an allocation, refills not */
	sh = kmem_cache_create_args("fi_sheaf", 100, &args, 0);
	assert_non_null(sh);
	arm(KSLAB_FAILSLAB, 100, 5, -1, 0);
	assert_int_equal(pattern(sh, GFP_ATOMIC, 40), 0x8421084210ULL);
	kmem_cache_destroy(sh);
	kmem_cache_destroy(s);
}

static void test_fail_page_alloc(void **state)
{
	struct kslab_fault_attr a;
	struct page *pg;
	unsigned long before;

	assert_int_equal(kslab_boot(BOOT), 0);
	before = kslab_fault_count(KSLAB_FAIL_PAGE_ALLOC);
	arm(KSLAB_FAIL_PAGE_ALLOC, 100, 1, -1, 0);
	/* min-order 1: order 0 passes */
	pg = alloc_pages(GFP_ATOMIC, 0);
	assert_non_null(pg);
	__free_pages(pg, 0);
	assert_null(alloc_pages(GFP_ATOMIC, 1));
	assert_null(alloc_pages(GFP_ATOMIC, 3));
	assert_int_equal(kslab_fault_count(KSLAB_FAIL_PAGE_ALLOC), before + 2);
	/* ignore-gfp-wait, ignore-gfp-highmem, __GFP_NOFAIL */
	pg = alloc_pages(GFP_KERNEL, 2);
	assert_non_null(pg);
	__free_pages(pg, 2);
	pg = alloc_pages(GFP_ATOMIC | __GFP_HIGHMEM, 2);
	assert_non_null(pg);
	__free_pages(pg, 2);
	a = attr_of(KSLAB_FAIL_PAGE_ALLOC);
	a.min_order = 0;
	a.ignore_gfp_wait = false;
	a.ignore_gfp_highmem = false;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAIL_PAGE_ALLOC, &a), 0);
	assert_null(alloc_pages(GFP_ATOMIC, 0));
	assert_null(alloc_pages(GFP_KERNEL, 2));
	assert_null(alloc_pages(GFP_ATOMIC | __GFP_HIGHMEM, 2));
	pg = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 2);
	assert_non_null(pg);
	__free_pages(pg, 2);
	/* a large kmalloc is a page allocation */
	assert_null(kmalloc(64 << 10, GFP_KERNEL));
	/* space counts pages: 2^2 pages of 10, twice, then failures */
	arm(KSLAB_FAIL_PAGE_ALLOC, 100, 1, -1, 10);
	for (int i = 0; i < 2; i++) {
		pg = alloc_pages(GFP_KERNEL, 2);
		assert_non_null(pg);
		__free_pages(pg, 2);
	}
	assert_null(alloc_pages(GFP_KERNEL, 2));
}

static int shrink_one(struct kmem_cache *s, void *arg)
{
	(void)arg;
	kmem_cache_shrink(s);
	return 0;
}

/* every cache's empty slabs and the per-CPU pages back to the buddy */
static unsigned long settled_free_pages(void)
{
	kslab_for_each_cache(shrink_one, NULL);
	drain_all_pages(NULL);
	return kslab_nr_free_pages();
}

/* failures on both points while a workload runs; everything freed, the
 * free pages are what they were and nothing was refused */
static void test_consistent_after_failures(void **state)
{
	unsigned int seed = test_seed("test_consistent_after_failures");
	unsigned long free_before, injected, refused;
	struct kmem_cache *s;
	void *p[600];
	unsigned int got = 0;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_work", 0);
	free_before = settled_free_pages();
	refused = kslab_refused_frees();
	for (int i = 0; i < 2; i++) {
		const char *name = i ? KSLAB_FAIL_PAGE_ALLOC : KSLAB_FAILSLAB;
		struct kslab_fault_attr a = attr_of(name);

		a.probability = 30;
		a.times = -1;
		a.verbose = 0;
		a.min_order = 0;
		a.ignore_gfp_wait = false;
		a.seed = seed;
		assert_int_equal(kslab_fault_attr_set(name, &a), 0);
	}
	injected = kslab_fault_count(KSLAB_FAIL_PAGE_ALLOC);
	for (unsigned int i = 0; i < 600; i++) {
		switch (i % 3) {
		case 0:
			p[i] = kmem_cache_alloc(s, GFP_KERNEL);
			break;
		case 1:
			p[i] = kmalloc(16 + i * 7, GFP_KERNEL);
			break;
		default:
			p[i] = kmalloc(8192 + i * 64, GFP_KERNEL);
			break;
		}
		got += p[i] != NULL;
	}
	assert_in_range(got, 1, 599);
	assert_true(kslab_fault_count(KSLAB_FAIL_PAGE_ALLOC) > injected);
	kslab_fault_attr_reset(KSLAB_FAILSLAB);
	kslab_fault_attr_reset(KSLAB_FAIL_PAGE_ALLOC);
	for (unsigned int i = 0; i < 600; i++) {
		if (i % 3 == 0)
			kmem_cache_free(s, p[i]);
		else
			kfree(p[i]);
	}
	assert_int_equal(kslab_cache_usage(s, &(struct kslab_cache_usage){ 0 }),
			 0);
	assert_int_equal(settled_free_pages(), free_before);
	assert_int_equal(kslab_refused_frees(), refused);
	kmem_cache_destroy(s);
}

static void test_seeded_probability(void **state)
{
	unsigned int seed = test_seed("test_seeded_probability");
	struct kslab_fault_attr a;
	struct kmem_cache *s;
	uint64_t first, again;
	int n;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_seed", 0);
	arm(KSLAB_FAILSLAB, 50, 1, -1, 0);
	a = attr_of(KSLAB_FAILSLAB);
	a.seed = seed;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	first = pattern(s, GFP_ATOMIC, 64);
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	again = pattern(s, GFP_ATOMIC, 64);
	assert_int_equal(first, again);
	n = __builtin_popcountll(first);
	/* 64 draws at 50%: outside 8..56 has probability below 1e-9 */
	assert_in_range(n, 8, 56);
	kmem_cache_destroy(s);
}

static void test_fail_nth_and_task_filter(void **state)
{
	struct kslab_fault_attr a;
	struct kmem_cache *s;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_nth", 0);
	/* probability 0: only the thread's 3rd candidate fails */
	kslab_fail_nth(3);
	assert_int_equal(kslab_fail_nth_left(), 3);
	capture_start();
	assert_int_equal(pattern(s, GFP_ATOMIC, 6), 0x4);
	assert_non_null(
		strstr(capture_stop(), "FAULT_INJECTION: forcing a failure."));
	assert_int_equal(kslab_fail_nth_left(), 0);
	/* the filters still come first: GFP_KERNEL is not a candidate */
	kslab_fail_nth(1);
	assert_int_equal(pattern(s, GFP_KERNEL, 2), 0);
	assert_int_equal(kslab_fail_nth_left(), 1);
	kslab_fail_nth(0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 4), 0);

	/* task-filter: only a thread marked make-it-fail */
	arm(KSLAB_FAILSLAB, 100, 1, -1, 0);
	a = attr_of(KSLAB_FAILSLAB);
	a.task_filter = true;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 4), 0);
	kslab_fault_make_it_fail(true);
	assert_int_equal(pattern(s, GFP_ATOMIC, 4), 0xf);
	kslab_fault_make_it_fail(false);
	kmem_cache_destroy(s);
}

static void test_verbose_report(void **state)
{
	struct kslab_fault_attr a;
	struct kmem_cache *s;
	const char *out;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_verbose", 0);
	arm(KSLAB_FAILSLAB, 100, 1, -1, 0);
	a = attr_of(KSLAB_FAILSLAB);
	a.verbose = 1;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	capture_start();
	assert_null(kmem_cache_alloc(s, GFP_ATOMIC));
	out = capture_stop();
	assert_non_null(strstr(out, "FAULT_INJECTION: forcing a failure.\n"));
	assert_non_null(strstr(out, "name failslab, interval 1, probability "
				    "100, space 0, times -1\n"));
	assert_null(strstr(out, "Call Trace:"));
	/* __GFP_NOWARN: nothing */
	capture_start();
	assert_null(kmem_cache_alloc(s, GFP_ATOMIC | __GFP_NOWARN));
	assert_string_equal(capture_stop(), "");
	/* 2: with the stack */
	a.verbose = 2;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	capture_start();
	assert_null(kmem_cache_alloc(s, GFP_ATOMIC));
	out = capture_stop();
	assert_non_null(strstr(out, "Call Trace:\n"));
	assert_non_null(strstr(out, " <TASK>\n"));
	/* a rate limit of 2 an hour: two reports of five */
	a.verbose = 1;
	a.verbose_ratelimit_interval_ms = 3600 * 1000;
	a.verbose_ratelimit_burst = 2;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
	capture_start();
	assert_int_equal(pattern(s, GFP_ATOMIC, 5), 0x1f);
	out = capture_stop();
	assert_non_null(strstr(out, "forcing a failure."));
	out = strstr(out, "forcing a failure.") + 1;
	assert_non_null(strstr(out, "forcing a failure."));
	out = strstr(out, "forcing a failure.") + 1;
	assert_null(strstr(out, "forcing a failure."));
	kmem_cache_destroy(s);
}

static void test_boot_parameters(void **state)
{
	struct kslab_fault_attr a;
	const char *out;

	assert_int_equal(kslab_boot(BOOT " failslab=2,100,0,3 "
					 "fail_page_alloc=1,50,4096,-1 "
					 "kslab.fault_seed=42"),
			 0);
	a = attr_of(KSLAB_FAILSLAB);
	assert_int_equal(a.interval, 2);
	assert_int_equal(a.probability, 100);
	assert_int_equal(a.space, 0);
	assert_int_equal(a.times, 3);
	assert_int_equal(a.verbose, 2);
	assert_int_equal(a.seed, 42);
	a = attr_of(KSLAB_FAIL_PAGE_ALLOC);
	assert_int_equal(a.probability, 50);
	assert_int_equal(a.space, 4096);
	assert_int_equal(a.times, -1);
	kslab_shutdown();
	/* the shutdown returns every knob to its default */
	assert_int_equal(attr_of(KSLAB_FAILSLAB).probability, 0);

	/* malformed: the kernel's message, the parameter ignored */
	static const char *const bad[] = {
		"failslab=1,100,0",   "failslab=-1,100,0,1",
		"failslab=1,100,x,1", "failslab=1;100;0;1",
		"failslab",	      "failslab=0x10,1,1,1",
		"failslab=1,+1,0,1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[128];

		snprintf(line, sizeof(line), "%s %s", BOOT, bad[i]);
		capture_start();
		assert_int_equal(kslab_boot(line), 0);
		out = capture_stop();
		assert_non_null(strstr(
			out,
			"kslab: FAULT_INJECTION: failed to parse arguments\n"));
		assert_int_equal(attr_of(KSLAB_FAILSLAB).probability, 0);
		kslab_shutdown();
	}
	/* as the kernel's sscanf: spaces skipped, trailing text ignored,
	 * a signed number wraps into int */
	assert_int_equal(kslab_boot(BOOT " failslab=1,100,0,-1junk "
					 "fail_page_alloc=1,100,0,4294967295"),
			 0);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).times, -1);
	assert_int_equal(attr_of(KSLAB_FAIL_PAGE_ALLOC).times, -1);
	kslab_shutdown();
	assert_int_equal(kslab_boot(BOOT " kslab.fault_seed=x"), -EINVAL);
}

static void test_knob_files(void **state)
{
	char buf[64];

	assert_int_equal(kslab_boot(BOOT), 0);
	assert_int_equal(kslab_fault_write("failslab", "probability", "100\n"),
			 0);
	assert_int_equal(kslab_fault_read("failslab", "probability", buf,
					  sizeof(buf)),
			 0);
	assert_string_equal(buf, "100\n");
	assert_int_equal(kslab_fault_write("failslab", "interval", "0x10"), 0);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).interval, 16);
	assert_int_equal(kslab_fault_write("failslab", "times", "-1"), 0);
	assert_int_equal(attr_of(KSLAB_FAILSLAB).times, -1);
	assert_int_equal(kslab_fault_write("failslab", "cache-filter", "Y"), 0);
	assert_int_equal(kslab_fault_read("failslab", "cache-filter", buf,
					  sizeof(buf)),
			 0);
	assert_string_equal(buf, "Y\n");
	assert_int_equal(
		kslab_fault_write("failslab", "ignore-gfp-wait", "off"), 0);
	assert_false(attr_of(KSLAB_FAILSLAB).ignore_gfp_wait);
	assert_int_equal(kslab_fault_write("fail_page_alloc", "min-order", "3"),
			 0);
	assert_int_equal(attr_of(KSLAB_FAIL_PAGE_ALLOC).min_order, 3);
	/* each capability has its own knobs */
	assert_int_equal(kslab_fault_write("fail_page_alloc", "cache-filter",
					   "Y"),
			 -EINVAL);
	assert_int_equal(kslab_fault_write("failslab", "min-order", "0"),
			 -EINVAL);
	assert_int_equal(kslab_fault_write("failslab", "probability", "abc"),
			 -EINVAL);
	assert_int_equal(kslab_fault_write("failslab", "probability", ""),
			 -EINVAL);
	assert_int_equal(kslab_fault_write("failslab", "probability",
					   "99999999999999999999999"),
			 -ERANGE);
	assert_int_equal(kslab_fault_write("failslab", "task-filter", "maybe"),
			 -EINVAL);
	assert_int_equal(kslab_fault_write("nope", "probability", "1"),
			 -EINVAL);
	assert_int_equal(kslab_fault_read("failslab", "times", buf, 2),
			 -ENOSPC);
}

static bool fail_everything(struct kmem_cache *s, gfp_t gfp, void *arg)
{
	(void)s;
	(void)gfp;
	(void)arg;
	return true;
}

static void test_hook_beside_attributes(void **state)
{
	struct kmem_cache *s;
	unsigned long before, attr_before;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = new_cache("fi_hook", 0);
	before = kslab_failslab_count();
	attr_before = kslab_fault_count(KSLAB_FAILSLAB);
	kslab_set_failslab(fail_everything, NULL);
	assert_int_equal(pattern(s, GFP_KERNEL, 4), 0xf);
	kslab_set_failslab(NULL, NULL);
	arm(KSLAB_FAILSLAB, 100, 2, -1, 0);
	assert_int_equal(pattern(s, GFP_ATOMIC, 4), 0xa);
	/* kslab_failslab_count(): both; kslab_fault_count(): the knobs' */
	assert_int_equal(kslab_failslab_count(), before + 6);
	assert_int_equal(kslab_fault_count(KSLAB_FAILSLAB), attr_before + 2);
	kmem_cache_destroy(s);
}

/* examples/fault_inject.c: every failure point, the leak caught, the
 * soak run repeatable from its seed */
static void test_example(void **state)
{
	int status;
	char *a = run_command(KSLAB_BINDIR "/examples/example_fault_inject 5",
			      &status);
	char *b;

	assert_int_equal(status, 0);
	assert_non_null(strstr(a, "  build_list: 9 failure points tried, "
				  "0 leaking\n"));
	assert_non_null(strstr(a, "  allocation 3 failed: 1 object(s) "
				  "leaked\n"));
	assert_non_null(strstr(a, "leaky build_list: 9 failure points tried, "
				  "3 leaking\n"));
	assert_non_null(strstr(a, "0 object(s) leaked\n"));
	b = run_command(KSLAB_BINDIR "/examples/example_fault_inject 5",
			&status);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_defaults, shutdown_teardown),
		cmocka_unit_test_teardown(test_interval_times_probability,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_space_budget, shutdown_teardown),
		cmocka_unit_test_teardown(test_ignore_gfp_wait,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_cache_filter, shutdown_teardown),
		cmocka_unit_test_teardown(test_bulk_and_sheaves,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_fail_page_alloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_consistent_after_failures,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_seeded_probability,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_fail_nth_and_task_filter,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_verbose_report,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_boot_parameters,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_knob_files, shutdown_teardown),
		cmocka_unit_test_teardown(test_hook_beside_attributes,
					  shutdown_teardown),
		cmocka_unit_test(test_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
