// SPDX-License-Identifier: MIT
/*
 * Freelist hardening (src/slab/slab_harden.c): kslab.freelist_hardened=
 * (free pointers stored XORed with a per-cache key, as 6.18's
 * CONFIG_SLAB_FREELIST_HARDENED), kslab.freelist_random= (a new slab's
 * objects in a per-cache random order, CONFIG_SLAB_FREELIST_RANDOM) and
 * kslab.seed=. A new slab still hands out each of its objects exactly
 * once; the order is not the address order and repeats with the seed;
 * the word in a free object is not the plain pointer, yet every pointer
 * comes back; a plain pointer written over a free pointer is reported
 * under slub_debug, and the allocator goes on; double frees are still
 * refused; no geometry or count changes. The seed is printed
 * (KSLAB_SEED=N repeats a run).
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
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#if defined(__SANITIZE_ADDRESS__)
#define NO_ASAN __attribute__((no_sanitize_address))
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_ASAN __attribute__((no_sanitize_address))
#endif
#endif
#ifndef NO_ASAN
#define NO_ASAN
#endif

#define MAX_OBJS 512

static unsigned int seed;

/* the word at off in a free object (poisoned under ASan) */
static NO_ASAN unsigned long raw_word(const void *obj, unsigned int off)
{
	return *(const volatile unsigned long *)((const char *)obj + off);
}

static NO_ASAN void set_raw_word(void *obj, unsigned int off, unsigned long v)
{
	*(volatile unsigned long *)((char *)obj + off) = v;
}

static void boot_with(const char *opts, unsigned long s)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "arch=x86_64 mem=256M nr_cpus=1 kslab.seed=%lu %s", s, opts);
	assert_int_equal(kslab_boot(line), 0);
}

static void test_params(void **state)
{
	(void)state;
	capture_start();
	assert_int_equal(kslab_boot("kslab.freelist_hardened=2"), -EINVAL);
	assert_non_null(strstr(capture_stop(), "kslab.freelist_hardened=2"));
	capture_start();
	assert_int_equal(kslab_boot("kslab.freelist_random=maybe"), -EINVAL);
	assert_int_equal(kslab_boot("kslab.seed=x"), -EINVAL);
	assert_int_equal(kslab_boot("kslab.seed"), -EINVAL);
	capture_stop();
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1 "
				    "kslab.freelist_hardened "
				    "kslab.freelist_random=on kslab.seed=7"),
			 0);
	assert_non_null(strstr(kslab_cmdline(), "kslab.freelist_random=on"));
	assert_non_null(strstr(kslab_cmdline(), "kslab.seed=7"));
}

/*
 * n objects of a new cache's first slab (all of it), as offsets from
 * the lowest: each a multiple of size below n * size, none twice.
 * Returns the cache (live objects freed).
 */
static void first_slab_order(const char *name, unsigned int size,
			     unsigned int *offs, unsigned int *n)
{
	struct kmem_cache *s = kmem_cache_create(name, size, 0, 0, NULL);
	struct kslab_cache_info ci;
	char *objs[MAX_OBJS], *lo;
	unsigned char seen[MAX_OBJS] = { 0 };

	assert_non_null(s);
	ci = cache_info_of(s);
	*n = ci.objs_per_slab;
	assert_true(*n >= 2 && *n <= MAX_OBJS);
	lo = NULL;
	for (unsigned int i = 0; i < *n; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		if (!lo || objs[i] < lo)
			lo = objs[i];
	}
	/* one slab: the whole slab allocated, once */
	assert_int_equal(cache_info_of(s).num_slabs, 1);
	for (unsigned int i = 0; i < *n; i++) {
		unsigned long off = (unsigned long)(objs[i] - lo);

		assert_int_equal(off % ci.size, 0);
		assert_true(off / ci.size < *n);
		assert_int_equal(seen[off / ci.size], 0);
		seen[off / ci.size] = 1;
		offs[i] = (unsigned int)(off / ci.size);
	}
	for (unsigned int i = 0; i < *n; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
}

static bool in_address_order(const unsigned int *offs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (offs[i] != i)
			return false;
	return true;
}

static void test_random_order(void **state)
{
	unsigned int a[MAX_OBJS], b[MAX_OBJS], c[MAX_OBJS], n, m;

	(void)state;
	/* off: address order */
	boot_with("", seed);
	first_slab_order("harden_seq", 64, a, &n);
	assert_true(in_address_order(a, n));
	kslab_shutdown();

	/* on: every object once, not in address order, the same again
	 * with the same seed */
	boot_with("kslab.freelist_random=1", seed);
	first_slab_order("harden_rnd", 64, a, &n);
	assert_false(in_address_order(a, n));
	first_slab_order("harden_rnd2", 200, c, &m);
	assert_false(in_address_order(c, m));
	kslab_shutdown();
	boot_with("kslab.freelist_random=1", seed);
	first_slab_order("harden_rnd", 64, b, &m);
	assert_int_equal(m, n);
	assert_memory_equal(a, b, n * sizeof(*a));
	kslab_shutdown();
	/* another seed, another order */
	boot_with("kslab.freelist_random=1", seed + 1);
	first_slab_order("harden_rnd", 64, b, &m);
	assert_memory_not_equal(a, b, n * sizeof(*a));
}

/* the kmalloc caches get their sequence at boot (init_freelist_
 * randomization()): the new slabs of kmalloc-96 are shuffled */
static void test_random_kmalloc(void **state)
{
	enum { N = 4 * 42 };
	char *p[N];
	unsigned int descents = 0;

	(void)state;
	boot_with("kslab.freelist_random=1", seed);
	for (unsigned int i = 0; i < N; i++) {
		p[i] = kmalloc(96, GFP_KERNEL);
		assert_non_null(p[i]);
		if (i && p[i] < p[i - 1])
			descents++;
	}
	/* address order: one descent a slab at most */
	assert_true(descents > 8);
	for (unsigned int i = 0; i < N; i++)
		kfree(p[i]);
}

/*
 * A slab that falls back to the cache's minimum order holds fewer objects
 * than the permutation has slots: the slots beyond it are skipped
 * (next_freelist_entry()). Memory is fragmented so that no block above
 * order 0 is free: every page whose buddy stays allocated is freed, and
 * the larger blocks left are taken.
 */
#define FB_PAGES 16384
static unsigned long fb_pages[FB_PAGES];

static void test_random_fallback(void **state)
{
	struct kmem_cache *s;
	struct kslab_cache_info ci;
	unsigned int n = 0, unsorted = 0, per;
	char *objs[64];

	char line[128];

	(void)state;
	snprintf(line, sizeof(line),
		 "arch=x86_64 mem=32M nr_cpus=1 kslab.seed=%u "
		 "kslab.freelist_random=1",
		 seed);
	assert_int_equal(kslab_boot(line), 0);
	s = kmem_cache_create("harden_fb", 1024, 0, SLAB_NO_MERGE, NULL);
	ci = cache_info_of(s);
	assert_true(ci.order >= 1);
	while (n < FB_PAGES &&
	       (fb_pages[n] = __get_free_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		n++;
	assert_true(n > 1000 && n < FB_PAGES);
	for (unsigned int i = 0; i < n; i++)
		if ((fb_pages[i] >> 12) & 1) {
			free_pages(fb_pages[i], 0);
			fb_pages[i] = 0;
		}
	/* the blocks above order 0 the reserves kept: taken too */
	for (int order = 10; order >= 1; order--)
		while (__get_free_pages(GFP_ATOMIC | __GFP_NOWARN,
					(unsigned int)order))
			;
	per = 4096 / 1024; /* an order-0 slab */
	for (unsigned int slab = 0; slab < 8; slab++) {
		char **o = objs + slab * per, *lo = NULL;
		unsigned int seen = 0;

		for (unsigned int i = 0; i < per; i++) {
			o[i] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN);
			assert_non_null(o[i]);
			if (!lo || o[i] < lo)
				lo = o[i];
		}
		assert_int_equal(cache_info_of(s).num_slabs, slab + 1);
		/* one page, each slot once */
		assert_int_equal((unsigned long)lo & 4095, 0);
		for (unsigned int i = 0; i < per; i++) {
			unsigned long off = (unsigned long)(o[i] - lo);

			assert_true(off < 4096 && off % 1024 == 0);
			assert_int_equal(seen & (1u << (off / 1024)), 0);
			seen |= 1u << (off / 1024);
			if (i && o[i] < o[i - 1])
				unsorted++;
		}
	}
	assert_true(unsorted > 0);
	for (unsigned int i = 0; i < 8 * per; i++)
		kmem_cache_free(s, objs[i]);
	/* the pages taken go with the machine (shutdown_teardown) */
}

/* the word a free object holds, against the next object's address */
static void check_raw_word(bool hardened)
{
	struct kmem_cache *s = kmem_cache_create("harden_raw", 64, 0, 0, NULL);
	unsigned int off = cache_info_of(s).offset;
	char *a, *b;

	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(a);
	assert_non_null(b);
	kmem_cache_free(s, b);
	kmem_cache_free(s, a); /* a's free pointer: b */
	if (hardened)
		assert_true(raw_word(a, off) != (unsigned long)b);
	else
		assert_true(raw_word(a, off) == (unsigned long)b);
	/* decoded on the way out: a, then b */
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), a);
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), b);
	kmem_cache_free(s, a);
	kmem_cache_free(s, b);
	kmem_cache_destroy(s);
}

static void test_hardened_word(void **state)
{
	(void)state;
	boot_with("", seed);
	check_raw_word(false);
	kslab_shutdown();
	boot_with("kslab.freelist_hardened=1", seed);
	check_raw_word(true);
	kslab_shutdown();
	boot_with("kslab.freelist_hardened=1 kslab.freelist_random=1", seed);
	check_raw_word(true);
}

/*
 * A debugged cache with objects a, b and c taken, then b and a freed
 * (a at the freelist head, its free pointer naming b); *off is the free
 * pointer's offset.
 */
static struct kmem_cache *two_freed(const char *boot, unsigned int *off,
				    char **a, char **b, char **c)
{
	struct kmem_cache *s;

	boot_with(boot, seed);
	s = kmem_cache_create("harden_dbg", 64, 0,
			      SLAB_CONSISTENCY_CHECKS | SLAB_NO_MERGE, NULL);
	assert_non_null(s);
	*off = cache_info_of(s).offset;
	*a = kmem_cache_alloc(s, GFP_KERNEL);
	*b = kmem_cache_alloc(s, GFP_KERNEL);
	*c = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, *b);
	kmem_cache_free(s, *a);
	return s;
}

/*
 * A plain pointer to another free object written over a free pointer
 * (what a use after free that knows no key writes): under slub_debug the
 * kernel's "Freepointer corrupt"; the allocator goes on.
 */
static void test_hardened_corruption(void **state)
{
	struct kmem_cache *s;
	unsigned int off;
	char *a, *b, *c;
	const char *out;
	unsigned long before;

	(void)state;
	s = two_freed("kslab.freelist_hardened=1", &off, &a, &b, &c);
	set_raw_word(a, off, (unsigned long)b);
	before = kslab_slub_debug_errors();
	capture_start();
	assert_true(kmem_cache_validate(s) >= 0);
	out = capture_stop();
	assert_true(kslab_slub_debug_errors() > before);
	/* on_freelist()'s report of an object whose pointer is bad */
	assert_non_null(strstr(out, "Freechain corrupt"));
	/* allocations go on: the chain is cut, new objects come */
	capture_start();
	for (int i = 0; i < 100; i++)
		assert_non_null(kmem_cache_alloc(s, GFP_KERNEL));
	capture_stop();
	kmem_cache_free(s, c);
}

/* the same on allocation: check_object()'s "Freepointer corrupt" */
static void test_hardened_corruption_alloc(void **state)
{
	struct kmem_cache *s;
	unsigned int off;
	char *a, *b, *c;
	const char *out;
	unsigned long before;

	(void)state;
	s = two_freed("kslab.freelist_hardened=1", &off, &a, &b, &c);
	set_raw_word(a, off, (unsigned long)b);
	before = kslab_slub_debug_errors();
	capture_start();
	for (int i = 0; i < 100; i++)
		assert_non_null(kmem_cache_alloc(s, GFP_KERNEL));
	out = capture_stop();
	assert_true(kslab_slub_debug_errors() > before);
	assert_true(strstr(out, "Freepointer corrupt") ||
		    strstr(out, "Freechain corrupt"));
	kmem_cache_free(s, c);
}

/* the same write with hardening off is a valid pointer: not reported */
static void test_plain_write_unnoticed(void **state)
{
	struct kmem_cache *s;
	unsigned int off;
	char *a, *b, *c;
	unsigned long before;

	(void)state;
	s = two_freed("", &off, &a, &b, &c);
	assert_true(raw_word(a, off) == (unsigned long)b);
	set_raw_word(a, off, (unsigned long)b);
	before = kslab_slub_debug_errors();
	capture_start();
	assert_true(kmem_cache_validate(s) >= 0);
	capture_stop();
	assert_int_equal(kslab_slub_debug_errors(), before);
}

/* a double free is refused, with and without slub_debug */
static void test_hardened_double_free(void **state)
{
	struct kmem_cache *s, *d;
	unsigned long before;
	char *a, *b, *x, *y;

	(void)state;
	boot_with("kslab.freelist_hardened=1 kslab.freelist_random=1", seed);
	s = kmem_cache_create("harden_df", 64, 0, SLAB_NO_MERGE, NULL);
	d = kmem_cache_create("harden_df_dbg", 64, 0,
			      SLAB_CONSISTENCY_CHECKS | SLAB_NO_MERGE, NULL);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(d, GFP_KERNEL);
	before = kslab_refused_frees() + kslab_slub_debug_errors();
	capture_start();
	kmem_cache_free(s, a);
	kmem_cache_free(s, a);
	kmem_cache_free(d, b);
	kmem_cache_free(d, b);
	capture_stop();
	assert_true(kslab_refused_frees() + kslab_slub_debug_errors() >=
		    before + 2);
	/* each object handed out once afterwards */
	x = kmem_cache_alloc(s, GFP_KERNEL);
	y = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(x, a);
	assert_ptr_not_equal(y, a);
	kmem_cache_free(s, x);
	kmem_cache_free(s, y);
}

/* neither option changes a cache's geometry or the boot's counts */
static char *slabinfo_of(const char *opts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	boot_with(opts, seed);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	kslab_shutdown();
	return buf;
}

static void test_same_geometry(void **state)
{
	char *off = slabinfo_of(""), *on;

	(void)state;
	on = slabinfo_of("kslab.freelist_hardened=1 kslab.freelist_random=1");
	assert_string_equal(off, on);
	free(off);
	free(on);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_params, shutdown_teardown),
		cmocka_unit_test_teardown(test_random_order, shutdown_teardown),
		cmocka_unit_test_teardown(test_random_kmalloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_random_fallback,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_hardened_word,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_hardened_corruption,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_hardened_corruption_alloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_plain_write_unnoticed,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_hardened_double_free,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_same_geometry,
					  shutdown_teardown),
	};

	seed = test_seed("test_slab_harden");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
