// SPDX-License-Identifier: MIT
/*
 * slub_min_order= and slub_max_order= as 6.18's __setup handlers take
 * them: in command-line order (a larger min raises max, a max lowers
 * min), max clamped to MAX_PAGE_ORDER rather than refused, and a min
 * past MAX_PAGE_ORDER giving an order the page allocator refuses, so
 * that slabs come at s->min; 32-bit slab sizes make a min of 20 or more
 * leave a cache without objects (the kernel's boot panics). Expected
 * values worked from mm/slub.c calculate_order() with 2 CPUs
 * (min_objects 12) and 4 KiB pages.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"

#define BOOT "arch=x86_64 mem=1G nr_cpus=2 "

static struct kslab_cache_info new_cache(unsigned int size)
{
	return cache_info_of(kmem_cache_create("params", size, 0, 0, NULL));
}

static void test_min_then_max(void **state)
{
	struct kslab_cache_info ci;

	(void)state;
	/* max=1 lowers min=3 to 1 */
	assert_int_equal(kslab_boot(BOOT "slub_min_order=3 slub_max_order=1"),
			 0);
	ci = new_cache(256);
	assert_int_equal(ci.order, 1);
	assert_int_equal(ci.objs_per_slab, 32);
	kslab_shutdown();
	/* the other way round: min=3 raises max=1 to 3 */
	assert_int_equal(kslab_boot(BOOT "slub_max_order=1 slub_min_order=3"),
			 0);
	ci = new_cache(256);
	assert_int_equal(ci.order, 3);
	assert_int_equal(ci.objs_per_slab, 128);
}

static void test_max_clamped(void **state)
{
	struct kslab_cache_info ci;

	(void)state;
	assert_int_equal(kslab_boot(BOOT), 0);
	ci = cache_info_of(kslab_find_cache("kmalloc-8k"));
	assert_int_equal(ci.order, 3); /* PAGE_ALLOC_COSTLY_ORDER */
	kslab_shutdown();
	/* accepted and clamped to MAX_PAGE_ORDER: 12 objects of 8 KiB want
	 * order 5, which the default maximum of 3 kept them from */
	assert_int_equal(kslab_boot(BOOT "slub_max_order=100"), 0);
	ci = cache_info_of(kslab_find_cache("kmalloc-8k"));
	assert_int_equal(ci.order, 5);
	assert_int_equal(ci.objs_per_slab, 16);
}

static void test_min_past_max_page_order(void **state)
{
	struct kslab_cache_info ci;
	void *p;

	(void)state;
	assert_int_equal(kslab_boot(BOOT "slub_min_order=11"), 0);
	/* 2 KiB objects: order 11 (4096 objects), past MAX_PAGE_ORDER */
	ci = cache_info_of(kslab_find_cache("kmalloc-2k"));
	assert_int_equal(ci.order, 11);
	assert_int_equal(ci.objs_per_slab, 4096);
	/* 64 bytes: over MAX_OBJS_PER_PAGE, get_order(64 * 32767) - 1 */
	ci = cache_info_of(kslab_find_cache("kmalloc-64"));
	assert_int_equal(ci.order, 8);
	/* the page allocator refuses order 11: the slab comes at s->min */
	p = kmalloc(2048, GFP_KERNEL);
	assert_non_null(p);
	ci = cache_info_of(kslab_find_cache("kmalloc-2k"));
	assert_int_equal(ci.num_slabs, 1);
	assert_int_equal(ci.num_objs,
			 2); /* one order-0 slab of 2 KiB objects */
	kfree(p);
}

static void test_min_wraps(void **state)
{
	(void)state;
	/* 4096 << 20 wraps the kernel's 32-bit slab size: no objects */
	assert_int_equal(kslab_boot(BOOT "slub_min_order=20"), -ENOMEM);
	assert_false(kslab_booted());
	assert_int_equal(kslab_boot(BOOT "slub_min_order=4294967295"), -ENOMEM);
	assert_int_equal(kslab_boot(BOOT "slub_min_order=19"), 0);
	/* not a number is still refused */
	kslab_shutdown();
	assert_int_equal(kslab_boot(BOOT "slub_min_order=x"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_min_then_max, shutdown_teardown),
		cmocka_unit_test_teardown(test_max_clamped, shutdown_teardown),
		cmocka_unit_test_teardown(test_min_past_max_page_order,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_min_wraps, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
