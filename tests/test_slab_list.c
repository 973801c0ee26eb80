// SPDX-License-Identifier: MIT
/*
 * What a cache costs the kernel's own caches: the kmem_cache and
 * kmem_cache_node objects every cache really created holds from its
 * creation to its destruction (an alias holds none).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>

static int teardown(void **state)
{
	kslab_shutdown();
	return 0;
}

static struct kslab_cache_info info(struct kmem_cache *s)
{
	struct kslab_cache_info i;

	assert_int_equal(kslab_cache_info(s, &i), 0);
	return i;
}

static void shrink_boot_caches(void)
{
	kmem_cache_shrink(kslab_find_cache("kmem_cache"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache_node"));
}

/* active_objs of kmem_cache and kmem_cache_node with no CPU slab */
static void boot_counts(unsigned long *kc, unsigned long *kcn)
{
	shrink_boot_caches();
	*kc = info(kslab_find_cache("kmem_cache")).active_objs;
	*kcn = info(kslab_find_cache("kmem_cache_node")).active_objs;
}

/*
 * Every cache really created holds one kmem_cache object and one
 * kmem_cache_node object (one node) until it is destroyed; an alias
 * holds none. With the CPU slabs flushed, active_objs is the exact count.
 */
static void test_caches_take_boot_objects(void **state)
{
	enum { N = 100 };
	static struct kmem_cache *made[N];
	unsigned long kc0, kcn0, kc, kcn;
	struct kmem_cache *alias;
	char name[32];

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	boot_counts(&kc0, &kcn0);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "made-%d", i);
		made[i] = kmem_cache_create(name, 40 + 8 * i, 0, SLAB_NO_MERGE,
					    NULL);
		assert_non_null(made[i]);
	}
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N);
	assert_int_equal(kcn, kcn0 + N);
	/* an alias is no new cache */
	alias = kmem_cache_create("merge-target", 1000, 0, 0, NULL);
	assert_non_null(alias);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	assert_ptr_equal(kmem_cache_create("alias", 1000, 0, 0, NULL), alias);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	assert_int_equal(kcn, kcn0 + N + 1);
	kmem_cache_destroy(alias); /* the alias: only the count drops */
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0 + N + 1);
	kmem_cache_destroy(alias);
	for (int i = 0; i < N; i++)
		kmem_cache_destroy(made[i]);
	boot_counts(&kc, &kcn);
	assert_int_equal(kc, kc0);
	assert_int_equal(kcn, kcn0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_caches_take_boot_objects,
					  teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
