// SPDX-License-Identifier: MIT
/*
 * The states a freed object can be in, one thread: on the CPU freelist of
 * the active slab, on a CPU-partial slab's local list (the CPU's own frees
 * into a slab it froze), on a slab's own freelist; how they are counted,
 * flushed, shrunk and destroyed, and the double frees caught at the head
 * of each list. Also a shrinker that flushes the very cache being refilled
 * (the slab layer lets go of the CPU while it allocates pages), and the
 * object-start check on every slot of an odd-sized cache.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

/* objects of n full slabs, allocated in order */
static void **fill_slabs(struct kmem_cache *s, unsigned int per, unsigned int n)
{
	void **v = calloc((size_t)per * n, sizeof(*v));

	assert_non_null(v);
	for (unsigned int i = 0; i < per * n; i++) {
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(v[i]);
	}
	return v;
}

/*
 * Free every object of a few full slabs slab by slab, as a batch does: the
 * first free into each freezes it onto the CPU's partial list, the rest go
 * to its local list; the counts, shrink and a reuse of every object prove
 * nothing was lost or handed out twice.
 */
static void test_local_lists_counted_and_flushed(void **state)
{
	struct kmem_cache *s;
	struct kslab_cache_info i;
	unsigned long pages0;
	unsigned int per, n = 6;
	void **v, **w;

	(void)state;
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	pages0 = kslab_slab_pages();
	s = kmem_cache_create("paths-64", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	per = cache_info_of(s).objs_per_slab;
	assert_int_equal(per, 64);
	v = fill_slabs(s, per, n);
	i = cache_info_of(s);
	assert_int_equal(i.num_slabs, n);
	assert_int_equal(i.active_objs, (unsigned long)per * n);

	/* the oldest slabs first: every one of them full when first freed */
	for (unsigned int k = 0; k < per * (n - 1); k++)
		kmem_cache_free(s, v[k]);
	/* reuse: every freed object comes back exactly once */
	w = calloc((size_t)per * (n - 1), sizeof(*w));
	for (unsigned int k = 0; k < per * (n - 1); k++) {
		w[k] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(w[k]);
		for (unsigned int j = per * (n - 1); j < per * n; j++)
			assert_ptr_not_equal(w[k], v[j]);
	}
	for (unsigned int k = 0; k < per * (n - 1); k++)
		for (unsigned int j = k + 1; j < per * (n - 1); j++)
			assert_ptr_not_equal(w[k], w[j]);
	for (unsigned int k = 0; k < per * (n - 1); k++)
		kmem_cache_free(s, w[k]);
	for (unsigned int k = per * (n - 1); k < per * n; k++)
		kmem_cache_free(s, v[k]);

	kmem_cache_shrink(s);
	i = cache_info_of(s);
	assert_int_equal(i.active_objs, 0);
	assert_int_equal(i.num_slabs, 0);
	assert_int_equal(kslab_slab_pages(), pages0);
	kmem_cache_destroy(s);
	free(v);
	free(w);
}

/*
 * A double free of the object at the head of a CPU-partial slab's local
 * list, and of one on the slab's own freelist: reported, refused, and the
 * object handed out once only afterwards.
 */
static void test_double_free_on_each_list(void **state)
{
	struct kmem_cache *s;
	unsigned int per;
	const char *log;
	void **v, *a, *b;

	(void)state;
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	s = kmem_cache_create("paths-dbl", 128, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	per = cache_info_of(s).objs_per_slab;
	v = fill_slabs(s, per, 3);

	/* v[0]'s slab is full: freeing it freezes it, v[0] its local head */
	a = v[0];
	kmem_cache_free(s, a);
	capture_start();
	kmem_cache_free(s, a);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));
	assert_non_null(strstr(log, "paths-dbl"));
	/* a second local free, then the double free of the new head */
	b = v[1];
	kmem_cache_free(s, b);
	capture_start();
	kmem_cache_free(s, b);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));

	/* flushed: both are on the slab's own freelist now */
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs,
			 (unsigned long)per * 3 - 2);
	capture_start();
	kmem_cache_free(s, b);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));
	assert_int_equal(cache_info_of(s).active_objs,
			 (unsigned long)per * 3 - 2);

	for (unsigned int k = 2; k < per * 3; k++)
		kmem_cache_free(s, v[k]);
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	assert_int_equal(cache_info_of(s).num_slabs, 0);
	kmem_cache_destroy(s);
	free(v);
}

/* ---- a shrinker flushing the cache being refilled ----------------------- */

static struct kmem_cache *shrink_target;
static unsigned long shrink_calls;

static unsigned long count_all(void *priv)
{
	(void)priv;
	return 1;
}

static unsigned long scan_shrink(void *priv, unsigned long nr)
{
	(void)priv;
	(void)nr;
	shrink_calls++;
	kmem_cache_shrink(shrink_target); /* flushes this very CPU */
	return 0;
}

/*
 * Allocate until the machine is out of memory: each new slab's pages are
 * allocated with the CPU let go, so the shrinker's flush of this CPU in
 * direct reclaim neither deadlocks nor loses the refill; then every object
 * is freed and the cache shrinks to nothing.
 */
static void test_shrinker_flushes_during_refill(void **state)
{
	struct kslab_shrinker sh = { .name = "paths-flush",
				     .count = count_all,
				     .scan = scan_shrink };
	size_t cap = 1 << 20, n = 0;
	void **v = malloc(cap * sizeof(*v));
	unsigned long pages0;

	(void)state;
	assert_non_null(v);
	assert_int_equal(kslab_boot("arch=x86_64 mem=64M nr_cpus=2"), 0);
	pages0 = kslab_slab_pages();
	shrink_target =
		kmem_cache_create("paths-oom", 256, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(shrink_target);
	shrink_calls = 0;
	assert_int_equal(kslab_register_shrinker(&sh), 0);
	capture_start();
	while (n < cap && (v[n] = kmem_cache_alloc(shrink_target,
						   GFP_KERNEL | __GFP_NOWARN)))
		n++;
	capture_stop();
	kslab_unregister_shrinker(&sh);
	printf("allocated %zu objects, %lu shrinker calls\n", n, shrink_calls);
	assert_true(n > 1000);
	assert_true(n < cap);
	assert_true(shrink_calls > 0);
	assert_int_equal(cache_info_of(shrink_target).active_objs, n);
	for (size_t k = 0; k < n; k++)
		kmem_cache_free(shrink_target, v[k]);
	kmem_cache_shrink(shrink_target);
	assert_int_equal(cache_info_of(shrink_target).active_objs, 0);
	assert_int_equal(cache_info_of(shrink_target).num_slabs, 0);
	kmem_cache_destroy(shrink_target);
	assert_int_equal(kslab_slab_pages(), pages0);
	free(v);
}

/*
 * Every byte offset of a full slab of a 24-byte cache (not a power of two,
 * so the divisibility test is exercised): only the object starts are
 * freed; every other offset is refused, whichever list the slab's objects
 * are on.
 */
static void test_object_start_every_offset(void **state)
{
	struct kmem_cache *s;
	unsigned int per, size;
	void **v;
	char *base;
	const char *log;

	(void)state;
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	s = kmem_cache_create("paths-24", 24, 8, SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	per = cache_info_of(s).objs_per_slab;
	size = cache_info_of(s).size;
	assert_int_equal(size, 24);
	v = fill_slabs(s, per, 2);
	base = v[0];
	/* v[0..per) is the first slab; free a few so it has each kind of list */
	kmem_cache_free(s, v[per - 1]);
	capture_start();
	for (unsigned int off = 1; off < per * size; off++)
		if (off % size)
			kmem_cache_free(s, base + off);
	log = capture_stop();
	assert_non_null(strstr(log, "is not the start of an object"));
	kmem_cache_shrink(s); /* the CPU's lists back to the slabs */
	assert_int_equal(cache_info_of(s).active_objs,
			 (unsigned long)per * 2 - 1);
	for (unsigned int k = 0; k < per * 2; k++)
		if (k != per - 1)
			kmem_cache_free(s, v[k]);
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	kmem_cache_destroy(s);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_local_lists_counted_and_flushed,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_double_free_on_each_list,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_shrinker_flushes_during_refill,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_object_start_every_offset,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
