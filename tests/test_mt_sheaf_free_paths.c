// SPDX-License-Identifier: MIT
/*
 * The ways kmem_cache_free() tells that a pointer freed to a cache with
 * sheaves is one of its objects: the CPU's active slab (an address range
 * and one multiply), else the struct page of the address (a head page of
 * a slab of the cache), else the full lookup (an object in a tail page of
 * a larger slab, a thread that is not its CPU's owner), which refuses
 * what is not an object start of a slab of the cache. Checked here: every
 * object of many slabs freed in random order goes back (none refused, each
 * handed out once again), with the active slab changing under them, for
 * order-0 and order-3 slabs, with CPU slabs (6.18) and without them
 * (kslab.sheaves=all); foreign pointers, interior pointers (in the active
 * slab and out of it) and another cache's objects never reach a sheaf.
 */
#define _GNU_SOURCE
#include <pthread.h>
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

#define CAP 32
#define NR 1500

static void boot(const char *cmdline)
{
	assert_int_equal(kslab_boot(test_boot_line(cmdline)), 0);
	assert_int_equal(kslab_set_cpu(0), 0);
}

static struct kmem_cache *sheaf_cache(const char *name, unsigned int size)
{
	struct kmem_cache_args args = { .sheaf_capacity = CAP };
	struct kmem_cache *s =
		kmem_cache_create_args(name, size, &args, SLAB_NO_MERGE);

	assert_non_null(s);
	return s;
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

/* v[0..n) sorted and all distinct */
static void assert_distinct(void **v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_ptr);
	for (size_t i = 1; i < n; i++)
		assert_ptr_not_equal(v[i - 1], v[i]);
}

static unsigned long long rnd(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * NR objects (many slabs; the CPU's active slab changes as they are
 * taken), freed in a random order, then as many again: the same set of
 * addresses, nothing refused, and none in use after a shrink.
 */
static void free_all_randomly(struct kmem_cache *s, unsigned int seed)
{
	static void *v[NR], *w[NR];
	unsigned long long x = seed | 1ULL << 40;
	unsigned long refused = kslab_refused_frees();

	for (int i = 0; i < NR; i++) {
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(v[i]);
		memset(v[i], 0x5a, 16);
	}
	for (int i = NR - 1; i > 0; i--) {
		int j = (int)(rnd(&x) % (unsigned long long)(i + 1));
		void *t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
	/* half freed, half taken again, then the rest freed: frees land
	 * in slabs that are, and are not, the active one */
	for (int i = 0; i < NR / 2; i++)
		kmem_cache_free(s, v[i]);
	for (int i = 0; i < NR / 2; i++) {
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(v[i]);
	}
	for (int i = NR - 1; i >= 0; i--)
		kmem_cache_free(s, v[i]);
	assert_int_equal(kslab_refused_frees(), refused);
	for (int i = 0; i < NR; i++) {
		w[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(w[i]);
	}
	memcpy(v, w, sizeof(v));
	assert_distinct(v, NR);
	for (int i = 0; i < NR; i++)
		kmem_cache_free(s, w[i]);
	assert_int_equal(kslab_refused_frees(), refused);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(cache_info_of(s).active_objs, 0);
}

static void test_random_frees_6_18(void **state)
{
	unsigned int seed = test_seed("test_random_frees_6_18");

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	free_all_randomly(sheaf_cache("sheaf-free-64", 64), seed);
	/* order-3 slabs: most objects are in tail pages */
	free_all_randomly(sheaf_cache("sheaf-free-1k", 1024), seed);
	/* a left red zone is no debug flag's: none here, an odd size */
	free_all_randomly(sheaf_cache("sheaf-free-200", 200), seed);
	kslab_shutdown();
}

static void test_random_frees_no_cpu_slab(void **state)
{
	unsigned int seed = test_seed("test_random_frees_no_cpu_slab");

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2 kslab.sheaves=all");
	free_all_randomly(sheaf_cache("nocpu-free-64", 64), seed);
	free_all_randomly(sheaf_cache("nocpu-free-1k", 1024), seed);
	kslab_shutdown();
}

/* none of bad[0..n) is handed out by the next allocations of s */
static void assert_never_allocated(struct kmem_cache *s, void *const *bad,
				   int n)
{
	static void *v[4 * CAP];

	for (int i = 0; i < 4 * CAP; i++) {
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(v[i]);
		for (int k = 0; k < n; k++)
			assert_ptr_not_equal(v[i], bad[k]);
	}
	for (int i = 0; i < 4 * CAP; i++)
		kmem_cache_free(s, v[i]);
}

static void bad_pointers(struct kmem_cache *s)
{
	struct kmem_cache *other = kmem_cache_create("free-paths-other", 64, 0,
						     SLAB_NO_MERGE, NULL);
	static void *many[200];
	unsigned long refused;
	void *bad[6], *p, *q, *old, *host = malloc(64);
	const char *log;
	int stack;

	assert_non_null(other);
	assert_non_null(host);
	/* an object of the first slab, then enough for the CPU's active
	 * slab to be another one */
	old = kmem_cache_alloc(s, GFP_KERNEL);
	for (int i = 0; i < 200; i++)
		many[i] = kmem_cache_alloc(s, GFP_KERNEL);
	p = kmem_cache_alloc(s, GFP_KERNEL); /* in the active slab */
	q = kmem_cache_alloc(other, GFP_KERNEL);
	bad[0] = (char *)p + 8;	  /* inside an object of the active slab */
	bad[1] = (char *)old + 8; /* inside one of another slab */
	bad[2] = &stack;
	bad[3] = host;
	bad[4] = (char *)q + 16; /* inside another cache's object */
	bad[5] = q;
	refused = kslab_refused_frees();
	capture_start();
	for (int i = 0; i < 5; i++)
		kmem_cache_free(s, bad[i]);
	kmem_cache_free(s, NULL);
	log = capture_stop();
	assert_int_equal(kslab_refused_frees(), refused + 5);
	assert_non_null(strstr(log, "is not the start of an object"));
	assert_non_null(strstr(log, "is not a slab object"));
	assert_null(strstr(log, "double free"));
	/* another cache's object: reported, freed to its own cache */
	capture_start();
	kmem_cache_free(s, q);
	log = capture_stop();
	assert_non_null(strstr(log, "Wrong slab cache"));
	assert_never_allocated(s, bad, 6);
	/* the top object twice: the second refused, on either path */
	kmem_cache_free(s, p);
	kmem_cache_free(s, old);
	capture_start();
	kmem_cache_free(s, old);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), old);
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), p);
	kmem_cache_free(s, p);
	kmem_cache_free(s, old);
	for (int i = 0; i < 200; i++)
		kmem_cache_free(s, many[i]);
	kmem_cache_destroy(other);
	free(host);
}

static void test_bad_pointers_6_18(void **state)
{
	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	bad_pointers(sheaf_cache("sheaf-bad-64", 64));
	bad_pointers(sheaf_cache("sheaf-bad-1k", 1024));
	kslab_shutdown();
}

static void test_bad_pointers_no_cpu_slab(void **state)
{
	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2 kslab.sheaves=all");
	bad_pointers(sheaf_cache("nocpu-bad-64", 64));
	kslab_shutdown();
}

/* a thread that shares CPU 0 with its owner frees by the locked path */
static void *sharer(void *arg)
{
	void **v = arg;

	if (kslab_set_cpu(0))
		return NULL;
	for (int i = 0; i < 100; i++)
		kmem_cache_free(v[100], v[i]);
	return arg;
}

static void test_free_by_a_sharer(void **state)
{
	static void *v[101];
	struct kmem_cache *s;
	unsigned long refused;
	pthread_t t;
	void *ret;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-sharer-64", 64);
	for (int i = 0; i < 100; i++)
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
	v[100] = s;
	refused = kslab_refused_frees();
	assert_int_equal(pthread_create(&t, NULL, sharer, v), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, v);
	assert_int_equal(kslab_refused_frees(), refused);
	assert_int_equal(kmem_cache_shrink(s), 0);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	kslab_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_frees_6_18),
		cmocka_unit_test(test_random_frees_no_cpu_slab),
		cmocka_unit_test(test_bad_pointers_6_18),
		cmocka_unit_test(test_bad_pointers_no_cpu_slab),
		cmocka_unit_test(test_free_by_a_sharer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
