// SPDX-License-Identifier: MIT
/*
 * What test harnesses use beside the allocator (slab_hooks.c): the
 * failslab hook (the radix-tree suite's non_kernel rule written in it,
 * __GFP_NOFAIL and the boot caches exempt, bulk all-or-nothing, kmalloc
 * covered), exact in-use counts against slabinfo's active_objs and
 * across merged caches, the refused-free counter, kmem_cache_alloc_lru
 * and the kslab_ names of <kslab/prefixed.h>.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define BOOT "arch=x86_64 mem=256M nr_cpus=2"

static unsigned long in_use(struct kmem_cache *s)
{
	struct kslab_cache_usage u;

	assert_int_equal(kslab_cache_usage(s, &u), 0);
	return u.in_use;
}

/* the shim's rule: no direct reclaim, no object unless allowed */
struct non_kernel {
	struct kmem_cache *s;
	unsigned int left;
	unsigned int asked;
};

static bool non_kernel_rule(struct kmem_cache *s, gfp_t gfp, void *arg)
{
	struct non_kernel *nk = arg;

	if (s != nk->s)
		return false;
	nk->asked++;
	if (gfp & __GFP_DIRECT_RECLAIM)
		return false;
	if (nk->left) {
		nk->left--;
		return false;
	}
	return true;
}

static void test_failslab_non_kernel(void **state)
{
	struct non_kernel nk = { 0 };
	unsigned long before = kslab_failslab_count();
	void *p[4], *keep;

	assert_int_equal(kslab_boot(BOOT), 0);
	nk.s = kmem_cache_create("nk_test", 200, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(nk.s);
	kslab_set_failslab(non_kernel_rule, &nk);

	assert_null(kmem_cache_alloc(nk.s, GFP_NOWAIT));
	assert_int_equal(kslab_failslab_count(), before + 1);
	keep = kmem_cache_alloc(nk.s, GFP_KERNEL);
	assert_non_null(keep);
	/* __GFP_NOFAIL is never failed, nor asked about */
	nk.asked = 0;
	p[1] = kmem_cache_alloc(nk.s, GFP_NOWAIT | __GFP_NOFAIL);
	assert_non_null(p[1]);
	assert_int_equal(nk.asked, 0);
	kmem_cache_free(nk.s, p[1]);

	/* bulk: asked per object, all or nothing */
	nk.left = 2;
	assert_int_equal(kmem_cache_alloc_bulk(nk.s, GFP_NOWAIT, 4, p), 0);
	assert_int_equal(in_use(nk.s), 1);
	nk.left = 4;
	assert_int_equal(kmem_cache_alloc_bulk(nk.s, GFP_NOWAIT, 4, p), 4);
	assert_int_equal(in_use(nk.s), 5);
	kmem_cache_free_bulk(nk.s, 4, p);

	/* another cache is not affected; removing the hook ends it */
	kslab_set_failslab(NULL, NULL);
	p[1] = kmem_cache_alloc(nk.s, GFP_NOWAIT);
	assert_non_null(p[1]);
	kmem_cache_free(nk.s, p[1]);
	kmem_cache_free(nk.s, keep);
	assert_int_equal(in_use(nk.s), 0);
	kmem_cache_destroy(nk.s);
}

static bool fail_all(struct kmem_cache *s, gfp_t gfp, void *arg)
{
	(void)s;
	(void)gfp;
	(void)arg;
	return true;
}

static void test_failslab_covers_kmalloc_not_boot_caches(void **state)
{
	struct kmem_cache *s;
	void *p;

	assert_int_equal(kslab_boot(BOOT), 0);
	kslab_set_failslab(fail_all, NULL);
	assert_null(kmalloc(64, GFP_KERNEL));
	assert_null(__kmalloc(100, GFP_KERNEL));
	/* creating a cache allocates from kmem_cache: exempt */
	s = kmem_cache_create("fail_all", 64, 0, 0, NULL);
	assert_non_null(s);
	assert_null(kmem_cache_alloc(s, GFP_KERNEL));
	assert_null(kmem_cache_alloc_lru(s, NULL, GFP_KERNEL));
	kslab_set_failslab(NULL, NULL);
	p = kmem_cache_alloc_lru(s, NULL, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(in_use(s), 1);
	kmem_cache_free(s, p);
	kmem_cache_destroy(s);
}

static void test_in_use_is_exact(void **state)
{
	struct kmem_cache *s;
	void *objs[100];

	assert_int_equal(kslab_boot(BOOT), 0);
	s = kmem_cache_create("exact", 256, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	assert_int_equal(in_use(s), 0);
	objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(in_use(s), 1);
	/* slabinfo counts the CPU slab's free objects as active */
	assert_true(cache_info_of(s).active_objs > 1);
	for (int i = 1; i < 100; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(in_use(s), 100);
	/* frees spread over CPU, CPU-partial and remote lists */
	for (int i = 0; i < 100; i += 2)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(in_use(s), 50);
	kslab_set_cpu(1);
	for (int i = 1; i < 100; i += 4)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(in_use(s), 25);
	kslab_set_cpu(0);
	for (int i = 3; i < 100; i += 4)
		kmem_cache_free(s, objs[i]);
	assert_int_equal(in_use(s), 0);
	kmem_cache_destroy(s);
}

static void test_in_use_merged(void **state)
{
	struct kmem_cache *a, *b;
	struct kslab_cache_usage u;
	void *p, *q;

	assert_int_equal(kslab_boot(BOOT), 0);
	a = kmem_cache_create("merge_a", 424, 0, 0, NULL);
	b = kmem_cache_create("merge_b", 424, 0, 0, NULL);
	assert_ptr_equal(a, b);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	q = kmem_cache_alloc(b, GFP_KERNEL);
	assert_int_equal(kslab_cache_usage(a, &u), 0);
	assert_int_equal(u.in_use, 2);
	assert_int_equal(u.aliases, 1);
	assert_int_equal(u.object_size, 424);
	kmem_cache_free(a, p);
	kmem_cache_free(b, q);
	assert_int_equal(in_use(a), 0);
	assert_int_equal(kslab_cache_usage(NULL, &u), -EINVAL);
	assert_int_equal(kslab_cache_usage(a, NULL), -EINVAL);
	kmem_cache_destroy(b);
	kmem_cache_destroy(a);
}

static void test_refused_frees_counted(void **state)
{
	struct kmem_cache *s;
	unsigned long before = kslab_refused_frees();
	char *p, *q;
	const char *err;

	assert_int_equal(kslab_boot(BOOT), 0);
	s = kmem_cache_create("refuse", 96, 0, SLAB_NO_MERGE, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmalloc(40, GFP_KERNEL);
	capture_start();
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);	   /* double free */
	kmem_cache_free(s, q + 8); /* not an object start */
	kfree((void *)&before);	   /* not machine memory */
	err = capture_stop();
	assert_non_null(strstr(err, "double free"));
	assert_int_equal(kslab_refused_frees(), before + 3);
	kfree(q);
	assert_int_equal(kslab_refused_frees(), before + 3);
	assert_int_equal(in_use(s), 0);
	kmem_cache_destroy(s);
}

static void test_prefixed_names(void **state)
{
	struct kmem_cache *s;
	void *p, *b[3];

	assert_int_equal(kslab_boot(BOOT), 0);
	s = kslab_kmem_cache_create("prefixed", 72, 0, KSLAB_SLAB_NO_MERGE,
				    NULL);
	assert_non_null(s);
	assert_int_equal(kslab_kmem_cache_size(s), 72);
	p = kslab_kmem_cache_alloc(s, KSLAB_GFP_KERNEL | KSLAB___GFP_ZERO);
	assert_non_null(p);
	assert_int_equal(((char *)p)[71], 0);
	assert_int_equal(kslab_kmem_cache_alloc_bulk(s, KSLAB_GFP_KERNEL, 3, b),
			 3);
	assert_int_equal(in_use(s), 4);
	kslab_kmem_cache_free_bulk(s, 3, b);
	kslab_kmem_cache_free(s, kslab_kmem_cache_alloc_lru(s, NULL,
							    KSLAB_GFP_KERNEL));
	kslab_kmem_cache_free(s, p);
	assert_int_equal(in_use(s), 0);
	assert_int_equal(kslab_kmem_cache_shrink(s), 0);
	p = kslab_kmalloc(100, KSLAB_GFP_KERNEL);
	assert_int_equal(kslab_ksize(p), 128);
	p = kslab_krealloc(p, 300, KSLAB_GFP_KERNEL);
	assert_int_equal(kslab_ksize(p), 512);
	kslab_kfree(p);
	kslab_kmem_cache_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_failslab_non_kernel,
					  shutdown_teardown),
		cmocka_unit_test_teardown(
			test_failslab_covers_kmalloc_not_boot_caches,
			shutdown_teardown),
		cmocka_unit_test_teardown(test_in_use_is_exact,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_in_use_merged,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_refused_frees_counted,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_prefixed_names,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
