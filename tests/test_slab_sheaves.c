// SPDX-License-Identifier: MIT
/*
 * Sheaves (6.18): a cache created with sheaf_capacity caches objects in
 * per-CPU main and spare sheaves and a per-node barn. Checked here: the
 * first allocation refills a sheaf from the slabs and the rest come from
 * it; frees fill it; full and empty sheaves go through the barn between
 * CPUs; the prefilled-sheaf API (prefill, allocation from it when memory
 * is gone, return, refill, oversize sheaves); kvfree_rcu() through the RCU
 * sheaf; flushing by kmem_cache_shrink() and kmem_cache_destroy(); the
 * counts of /proc/slabinfo (objects in sheaves are active, as the
 * kernel's); merging (a cache with sheaves is never merged into, but one
 * whose debug flags dropped its sheaves is); bad frees refused.
 */
#define _GNU_SOURCE
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

#define CAP 32

static struct kmem_cache *sheaf_cache(const char *name, unsigned int size,
				      slab_flags_t flags)
{
	struct kmem_cache_args args = { .sheaf_capacity = CAP };
	struct kmem_cache *s = kmem_cache_create_args(name, size, &args, flags);

	assert_non_null(s);
	return s;
}

static void boot(const char *cmdline)
{
	assert_int_equal(kslab_boot(cmdline), 0);
	assert_int_equal(kslab_set_cpu(0), 0);
}

static void test_alloc_free_through_sheaves(void **state)
{
	struct kmem_cache *s;
	struct kslab_cache_info i;
	void *p, *q;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-64", 64, 0);
	i = cache_info_of(s);
	assert_int_equal(i.sheaf_capacity, CAP);
	assert_false(i.mergeable);
	assert_int_equal(i.sheaf_objects, 0);
	/* the first allocation fills a sheaf from the slabs: one taken */
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	i = cache_info_of(s);
	assert_int_equal(i.sheaf_objects, CAP - 1);
	assert_int_equal(i.barn_empty, 1); /* the empty main went there */
	/* objects in sheaves are allocated as far as the slabs know */
	assert_true(i.active_objs >= CAP);
	{
		char buf[1 << 16];
		FILE *f = fmemopen(buf, sizeof(buf), "w");

		assert_int_equal(kslab_show("slabs", f), 0);
		fclose(f);
		assert_non_null(strstr(buf, "sheaf-64\n  object_size"));
		assert_non_null(strstr(buf, "  sheaf_capacity  32\n"));
	}
	/* LIFO: the object freed is the next one handed out */
	kmem_cache_free(s, p);
	assert_int_equal(cache_info_of(s).sheaf_objects, CAP);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(p, q);
	kmem_cache_free(s, q);
	/* kfree() of its object goes to the sheaf too */
	q = kmem_cache_alloc(s, GFP_KERNEL);
	kfree(q);
	assert_int_equal(cache_info_of(s).sheaf_objects, CAP);
	/* a zeroed one */
	p = kmem_cache_alloc(s, GFP_KERNEL);
	memset(p, 0xab, 64);
	kmem_cache_free(s, p);
	p = kmem_cache_zalloc(s, GFP_KERNEL);
	for (int k = 0; k < 64; k++)
		assert_int_equal(((unsigned char *)p)[k], 0);
	kmem_cache_free(s, p);
	/* a shrink flushes sheaves and barn: every slab goes */
	kmem_cache_shrink(s);
	i = cache_info_of(s);
	assert_int_equal(i.sheaf_objects, 0);
	assert_int_equal(i.barn_full + i.barn_empty, 0);
	assert_int_equal(i.num_slabs, 0);
	kmem_cache_destroy(s);
	kslab_shutdown();
}

static void test_many_objects_spill_to_barn(void **state)
{
	static void *v[1000];
	struct kmem_cache *s;
	struct kslab_cache_info i;
	unsigned long pages;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	pages = kslab_slab_pages();
	s = sheaf_cache("sheaf-spill", 128, 0);
	for (int k = 0; k < 1000; k++) {
		v[k] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(v[k]);
		memset(v[k], k, 128);
	}
	for (int k = 0; k < 1000; k++)
		for (int b = 0; b < 128; b += 37)
			assert_int_equal(((unsigned char *)v[k])[b],
					 (unsigned char)k);
	for (int k = 0; k < 1000; k++)
		kmem_cache_free(s, v[k]);
	i = cache_info_of(s);
	/* main and spare full, the barn at its limit of full sheaves */
	assert_int_equal(i.barn_full, 10);
	assert_int_equal(i.sheaf_objects, 12 * CAP);
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("sheaf-spill"));
	/* the sheaves (kmalloc objects) are back too */
	for (const char *k = "kmalloc-512"; k; k = NULL) {
		struct kmem_cache *km = kslab_find_cache(k);

		assert_non_null(km);
		kmem_cache_shrink(km);
	}
	kmem_cache_shrink(kslab_find_cache("kmalloc-64"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache_node"));
	assert_int_equal(kslab_slab_pages(), pages);
	kslab_shutdown();
}

static unsigned int flush_rnd(unsigned int *st)
{
	*st = *st * 1103515245u + 12345u;
	return *st >> 8;
}

/*
 * Batches past the barn's limit: the flushed sheaves' objects go back
 * to the slabs in runs of one slab (the active slab, the CPU-partial
 * slab last freed into, a full slab frozen by the flush, a node-partial
 * or emptied slab), in shuffled orders. Every allocation must be a
 * distinct object with its contents kept, and a shrink must leave the
 * live objects alone counted active.
 */
static void test_flush_runs_to_slabs(void **state)
{
	enum { N = 1500 };
	static void *v[N];
	static unsigned char live[N];
	unsigned int st = test_seed("test_flush_runs_to_slabs");
	unsigned long pages, nlive = 0;
	struct kmem_cache *s;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	pages = kslab_slab_pages();
	s = sheaf_cache("sheaf-flush", 96, 0);
	for (int round = 0; round < 12; round++) {
		for (int k = 0; k < N; k++) {
			if (live[k])
				continue;
			v[k] = kmem_cache_alloc(s, GFP_KERNEL);
			assert_non_null(v[k]);
			memset(v[k], (unsigned char)k, 96);
			live[k] = 1;
			nlive++;
		}
		/* shuffled: runs of every length, slabs in every state */
		for (int k = N - 1; k > 0; k--) {
			unsigned int j = flush_rnd(&st) % (unsigned int)(k + 1);
			void *t = v[k];
			unsigned char l = live[k];

			v[k] = v[j];
			live[k] = live[j];
			v[j] = t;
			live[j] = l;
		}
		for (int k = 0; k < N; k++)
			for (int b = 0; b < 96; b += 31)
				assert_int_equal(((unsigned char *)v[k])[b],
						 ((unsigned char *)v[k])[0]);
		/* distinct objects: a corrupt free list hands one out twice */
		for (int k = 0; k < N; k++)
			memset(v[k], 0, 8);
		for (int k = 0; k < N; k++) {
			assert_int_equal(*(unsigned long *)v[k], 0);
			*(unsigned long *)v[k] = (unsigned long)k + 1;
		}
		for (int k = 0; k < N; k++) {
			memset(v[k], (unsigned char)k, 96);
			if (round % 3 != 2 && flush_rnd(&st) % 8 == 0)
				continue; /* some stay live across rounds */
			kmem_cache_free(s, v[k]);
			live[k] = 0;
			nlive--;
		}
		if (round % 4 == 3) {
			kmem_cache_shrink(s);
			assert_int_equal(cache_info_of(s).sheaf_objects, 0);
			assert_int_equal(cache_info_of(s).active_objs, nlive);
		}
	}
	for (int k = 0; k < N; k++)
		if (live[k])
			kmem_cache_free(s, v[k]);
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	kmem_cache_destroy(s);
	kmem_cache_shrink(kslab_find_cache("kmalloc-512"));
	kmem_cache_shrink(kslab_find_cache("kmalloc-64"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache"));
	kmem_cache_shrink(kslab_find_cache("kmem_cache_node"));
	assert_int_equal(kslab_slab_pages(), pages);
	kslab_shutdown();
}

/*
 * A double free that only the flush can see: the object is already free
 * in its slab (a shrink flushed it there) when it is freed into a sheaf
 * again; the next flush reports it and leaves the slab's list alone.
 */
static void test_flush_reports_double_free(void **state)
{
	enum { N = 200 };
	static void *v[N], *w[N];
	struct kmem_cache *s;
	const char *log;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-flush-df", 64, 0);
	for (int k = 0; k < N; k++)
		assert_non_null(v[k] = kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, v[100]);
	kmem_cache_shrink(s); /* v[100] on its slab's free list */
	assert_int_equal(cache_info_of(s).active_objs, N - 1);
	capture_start();
	kmem_cache_free(s, v[100]);
	kmem_cache_shrink(s);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));
	assert_int_equal(cache_info_of(s).active_objs, N - 1);
	/* handed out once: every allocation a distinct object */
	for (int k = 0; k < N; k++) {
		assert_non_null(w[k] = kmem_cache_alloc(s, GFP_KERNEL));
		*(int *)w[k] = k;
	}
	for (int k = 0; k < N; k++)
		assert_int_equal(*(int *)w[k], k);
	for (int k = 0; k < N; k++) {
		if (k != 100)
			kmem_cache_free(s, v[k]);
		kmem_cache_free(s, w[k]);
	}
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	kmem_cache_destroy(s);
	kslab_shutdown();
}

static void test_destroy_with_live_object(void **state)
{
	struct kmem_cache *s;
	void *p, *q;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-live", 64, 0);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, q);
	/* the sheaves are flushed, the live object reported, the cache kept */
	capture_start();
	kmem_cache_destroy(s);
	assert_non_null(strstr(capture_stop(), "still has 1 objects"));
	assert_non_null(kslab_find_cache("sheaf-live"));
	assert_int_equal(cache_info_of(s).sheaf_objects, 0);
	kmem_cache_free(s, p);
	capture_start();
	kmem_cache_destroy(s);
	assert_null(strstr(capture_stop(), "still has"));
	assert_null(kslab_find_cache("sheaf-live"));
	kslab_shutdown();
}

static void test_barn_exchange_between_cpus(void **state)
{
	static void *v[400];
	struct kmem_cache *s;
	unsigned int full;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-xcpu", 64, 0);
	for (int k = 0; k < 400; k++)
		v[k] = kmem_cache_alloc(s, GFP_KERNEL);
	/* CPU 1 frees them all: its full sheaves go to the barn */
	assert_int_equal(kslab_set_cpu(1), 0);
	for (int k = 0; k < 400; k++)
		kmem_cache_free(s, v[k]);
	full = cache_info_of(s).barn_full;
	assert_true(full >= 5);
	/* CPU 0 takes them for its empty sheaves: no refill from slabs */
	assert_int_equal(kslab_set_cpu(0), 0);
	for (int k = 0; k < 4 * CAP; k++)
		assert_non_null(v[k] = kmem_cache_alloc(s, GFP_KERNEL));
	assert_true(cache_info_of(s).barn_full < full);
	for (int k = 0; k < 4 * CAP; k++)
		kmem_cache_free(s, v[k]);
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("sheaf-xcpu"));
	kslab_shutdown();
}

static void test_prefill_under_memory_pressure(void **state)
{
	struct kmem_cache *s, *hog;
	struct slab_sheaf *sheaf;
	void **held, *from_sheaf[20];
	size_t nr = 0, cap = 1 << 16;

	(void)state;
	boot("arch=x86_64 mem=64M nr_cpus=2");
	s = sheaf_cache("sheaf-prefill", 2048, 0);
	sheaf = kmem_cache_prefill_sheaf(s, GFP_KERNEL, 20);
	assert_non_null(sheaf);
	assert_true(kmem_cache_sheaf_size(sheaf) >= 20);
	/* all the memory gone */
	hog = kmem_cache_create("hog", 4096, 0, 0, NULL);
	held = malloc(cap * sizeof(*held));
	assert_non_null(held);
	while (nr < cap &&
	       (held[nr] = kmem_cache_alloc(hog, GFP_KERNEL | __GFP_NOWARN)))
		nr++;
	assert_true(nr > 1000);
	assert_null(kmem_cache_alloc(s, GFP_NOWAIT));
	/* the sheaf still serves what was asked for */
	for (int k = 0; k < 20; k++) {
		from_sheaf[k] =
			kmem_cache_alloc_from_sheaf(s, GFP_KERNEL, sheaf);
		assert_non_null(from_sheaf[k]);
		memset(from_sheaf[k], k, 2048);
		for (int j = 0; j < k; j++)
			assert_ptr_not_equal(from_sheaf[j], from_sheaf[k]);
	}
	while (nr)
		kmem_cache_free(hog, held[--nr]);
	free(held);
	for (int k = 0; k < 20; k++)
		kmem_cache_free(s, from_sheaf[k]);
	kmem_cache_return_sheaf(s, GFP_KERNEL, sheaf);
	kmem_cache_destroy(hog);
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("sheaf-prefill"));
	kslab_shutdown();
}

static void test_prefill_return_refill(void **state)
{
	struct kmem_cache *s;
	struct slab_sheaf *sheaf, *big;
	void *p;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-api", 96, 0);
	sheaf = kmem_cache_prefill_sheaf(s, GFP_KERNEL, 5);
	assert_non_null(sheaf);
	assert_int_equal(sheaf->capacity, CAP);
	/* refilled to the capacity, as the kernel does */
	assert_int_equal(kmem_cache_sheaf_size(sheaf), CAP);
	while (kmem_cache_sheaf_size(sheaf))
		kmem_cache_free(s, kmem_cache_alloc_from_sheaf(s, GFP_KERNEL,
							       sheaf));
	/* emptied: no fallback to the cache */
	assert_null(kmem_cache_alloc_from_sheaf(s, GFP_KERNEL, sheaf));
	assert_int_equal(kmem_cache_refill_sheaf(s, GFP_KERNEL, &sheaf, 10), 0);
	assert_true(kmem_cache_sheaf_size(sheaf) >= 10);
	/* beyond the capacity: replaced by an oversize sheaf */
	big = sheaf;
	assert_int_equal(kmem_cache_refill_sheaf(s, GFP_KERNEL, &big, 50), 0);
	assert_ptr_not_equal(big, sheaf);
	assert_int_equal(kmem_cache_sheaf_size(big), 50);
	assert_int_equal(big->capacity, 50);
	p = kmem_cache_alloc_from_sheaf(s, GFP_KERNEL | __GFP_ZERO, big);
	for (int k = 0; k < 96; k++)
		assert_int_equal(((unsigned char *)p)[k], 0);
	kmem_cache_free(s, p);
	kmem_cache_return_sheaf(s, GFP_KERNEL, big);
	/* an oversize prefill, and one from a cache without sheaves */
	big = kmem_cache_prefill_sheaf(s, GFP_KERNEL, 100);
	assert_int_equal(kmem_cache_sheaf_size(big), 100);
	kmem_cache_return_sheaf(s, GFP_KERNEL, big);
	assert_int_equal(kmem_cache_refill_sheaf(s, GFP_KERNEL, NULL, 1),
			 -EINVAL);
	assert_null(kmem_cache_prefill_sheaf(NULL, GFP_KERNEL, 1));
	assert_null(kmem_cache_alloc_from_sheaf(s, GFP_KERNEL, NULL));
	assert_int_equal(kmem_cache_sheaf_size(NULL), 0);
	{
		/* a cache without sheaves: every prefilled sheaf is oversize
		 * (one of 0 objects fails, as the kernel's bulk allocation of
		 * 0 objects does, but does not crash) */
		struct kmem_cache *plain = kmem_cache_create(
			"plain-api", 96, 0, SLAB_NO_MERGE, NULL);
		struct slab_sheaf *sh;

		capture_start();
		assert_null(kmem_cache_prefill_sheaf(plain, GFP_KERNEL, 0));
		sh = kmem_cache_prefill_sheaf(plain, GFP_KERNEL, 3);
		assert_int_equal(kmem_cache_sheaf_size(sh), 3);
		kmem_cache_return_sheaf(plain, GFP_KERNEL, sh);
		assert_non_null(strstr(capture_stop(), "has no sheaves"));
		kmem_cache_destroy(plain);
	}
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("sheaf-api"));
	kslab_shutdown();
}

/*
 * A prefilled sheaf of a cache without sheaves (debugged, or created
 * without sheaf_capacity) is an oversize one: its objects are allocated
 * and freed by the checked bulk paths, as the kernel's bulk calls take a
 * debugged cache's slow paths, so slub_debug checks them and ASan
 * unpoisons them: this test writes every byte of them. Before, the
 * plain cache's were taken raw from its freelists, still poisoned (the
 * ASan build failed here; found by fuzz_slab_ops's sheaf op).
 */
static void test_prefill_without_sheaves(void **state)
{
	static const slab_flags_t flags[] = {
		0,
		SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON |
			SLAB_STORE_USER,
	};

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	for (unsigned int f = 0; f < 2; f++) {
		struct kmem_cache_args args = { .sheaf_capacity = 8 * f };
		struct kmem_cache *s = kmem_cache_create_args(
			"prefill-plain", 40, &args, flags[f] | SLAB_NO_MERGE);
		unsigned long errors = kslab_slub_debug_errors();
		struct slab_sheaf *sheaf;
		void *v[4];

		capture_start();
		sheaf = kmem_cache_prefill_sheaf(s, GFP_KERNEL, 6);
		assert_non_null(sheaf);
		for (int k = 0; k < 4; k++) {
			v[k] = kmem_cache_alloc_from_sheaf(s, GFP_KERNEL,
							   sheaf);
			assert_non_null(v[k]);
			memset(v[k], 0x11 * (k + 1), 40);
		}
		assert_int_equal(
			kmem_cache_refill_sheaf(s, GFP_KERNEL, &sheaf, 6), 0);
		kmem_cache_return_sheaf(s, GFP_KERNEL, sheaf);
		for (int k = 0; k < 4; k++)
			kmem_cache_free(s, v[k]);
		(void)capture_stop();
		assert_int_equal(kslab_slub_debug_errors(), errors);
		if (flags[f])
			assert_true(kmem_cache_validate(s) >= 0);
		assert_int_equal(kslab_slub_debug_errors(), errors);
		kmem_cache_shrink(s);
		assert_int_equal(cache_info_of(s).num_slabs, 0);
		kmem_cache_destroy(s);
	}
	kslab_shutdown();
}

/*
 * An RCU sheaf's objects are handed out again after the grace period:
 * kvfree_rcu() of a pointer inside an object, or of the object it was
 * just given, is refused with a message (it was taken, and the object
 * came back twice or the interior pointer came back as an object).
 */
static void test_rcu_sheaf_refuses(void **state)
{
	enum { N = 200 };
	struct kmem_cache *s;
	unsigned long refused;
	void *a, *b, *v[N];
	const char *log;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-rcu-bad", 64, 0);
	a = kmem_cache_alloc(s, GFP_KERNEL);
	b = kmem_cache_alloc(s, GFP_KERNEL);
	refused = kslab_refused_frees();
	capture_start();
	kfree_rcu_mightsleep((char *)b + 8);
	kfree_rcu_mightsleep(a);
	kfree_rcu_mightsleep(a);
	log = capture_stop();
	assert_non_null(strstr(log, "is not the start of an object"));
	assert_non_null(strstr(log, "double free of object"));
	assert_int_equal(kslab_refused_frees(), refused + 2);
	kvfree_rcu_barrier();
	/* a back once, b still live, nothing handed out twice */
	for (int i = 0; i < N; i++) {
		v[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_ptr_not_equal(v[i], b);
		assert_ptr_not_equal(v[i], (char *)b + 8);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(v[i], v[j]);
	}
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, v[i]);
	kmem_cache_free(s, b);
	capture_start();
	kmem_cache_destroy(s);
	assert_null(strstr(capture_stop(), "still has"));
	kslab_shutdown();
}

static void test_rcu_sheaf(void **state)
{
	struct kmem_cache *s, *plain;
	void *v[40];

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-rcu", 64, 0);
	plain = kmem_cache_create("plain-rcu", 64, 0, SLAB_NO_MERGE, NULL);
	for (int k = 0; k < 40; k++)
		v[k] = kmem_cache_alloc(s, GFP_KERNEL);
	/* 32 fill an RCU sheaf (handed to call_rcu()), 8 stay in the next */
	for (int k = 0; k < 40; k++)
		kfree_rcu_mightsleep(v[k]);
	for (int k = 0; k < 10; k++)
		v[k] = kmem_cache_alloc(plain, GFP_KERNEL);
	for (int k = 0; k < 10; k++)
		kfree_rcu_mightsleep(v[k]);
	v[0] = kmalloc(100, GFP_KERNEL);
	kfree_rcu_mightsleep(v[0]);
	kvfree_rcu_barrier();
	/* after the barrier the 40 are back in sheaves, nothing is live */
	kmem_cache_shrink(s);
	kmem_cache_shrink(plain);
	assert_int_equal(cache_info_of(s).num_slabs, 0);
	assert_int_equal(cache_info_of(plain).num_slabs, 0);
	capture_start();
	kmem_cache_destroy(s);
	kmem_cache_destroy(plain);
	assert_null(strstr(capture_stop(), "still has"));
	assert_null(kslab_find_cache("sheaf-rcu"));
	/* destroy waits for kfree_rcu()s in flight, of any cache */
	plain = kmem_cache_create("plain-rcu2", 64, 0, SLAB_NO_MERGE, NULL);
	for (int k = 0; k < 10; k++)
		v[k] = kmem_cache_alloc(plain, GFP_KERNEL);
	for (int k = 0; k < 10; k++)
		kfree_rcu_mightsleep(v[k]);
	capture_start();
	kmem_cache_destroy(plain);
	assert_null(strstr(capture_stop(), "still has"));
	assert_null(kslab_find_cache("plain-rcu2"));
	/* destroy waits for RCU sheaves in flight */
	s = sheaf_cache("sheaf-rcu2", 64, 0);
	for (int k = 0; k < 40; k++)
		v[k] = kmem_cache_alloc(s, GFP_KERNEL);
	for (int k = 0; k < 40; k++)
		kfree_rcu_mightsleep(v[k]);
	capture_start();
	kmem_cache_destroy(s);
	assert_null(strstr(capture_stop(), "still has"));
	assert_null(kslab_find_cache("sheaf-rcu2"));
	kslab_shutdown();
}

static void test_merging_and_debug(void **state)
{
	struct kmem_cache *s, *t, *dbg, *u;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-merge", 200, 0);
	/* never merged into, never merged */
	t = kmem_cache_create("plain-200", 200, 0, 0, NULL);
	assert_ptr_not_equal(s, t);
	u = sheaf_cache("sheaf-merge2", 200, 0);
	assert_ptr_not_equal(u, t);
	assert_ptr_not_equal(u, s);
	/* debug flags: no sheaves, and the cache can be merged into */
	dbg = sheaf_cache("sheaf-dbg", 296, SLAB_CONSISTENCY_CHECKS);
	assert_int_equal(cache_info_of(dbg).sheaf_capacity, 0);
	assert_true(cache_info_of(dbg).mergeable);
	assert_ptr_equal(kmem_cache_create("plain-296", 296, 0,
					   SLAB_CONSISTENCY_CHECKS, NULL),
			 dbg);
	/* its prefilled sheaves are all oversize */
	{
		struct slab_sheaf *sh =
			kmem_cache_prefill_sheaf(dbg, GFP_KERNEL, 4);

		assert_int_equal(kmem_cache_sheaf_size(sh), 4);
		kmem_cache_return_sheaf(dbg, GFP_KERNEL, sh);
	}
	kmem_cache_destroy(dbg);
	kmem_cache_destroy(dbg);
	kmem_cache_destroy(u);
	kmem_cache_destroy(t);
	kmem_cache_destroy(s);
	kslab_shutdown();
}

static void test_bad_frees(void **state)
{
	struct kmem_cache *s, *other;
	void *p, *q;
	const char *log;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = sheaf_cache("sheaf-bad", 64, 0);
	other = kmem_cache_create("other-64", 64, 0, SLAB_NO_MERGE, NULL);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	q = kmem_cache_alloc(other, GFP_KERNEL);
	capture_start();
	kmem_cache_free(s, (char *)p + 8);
	kmem_cache_free(s, &p);
	kmem_cache_free(s, p);
	kmem_cache_free(s, p);
	kmem_cache_free(s, q); /* wrong cache: freed to its own */
	log = capture_stop();
	assert_non_null(strstr(log, "is not the start of an object"));
	assert_non_null(strstr(log, "double free"));
	assert_non_null(strstr(log, "Wrong slab cache"));
	/* p came back once only */
	assert_ptr_equal(kmem_cache_alloc(s, GFP_KERNEL), p);
	assert_ptr_not_equal(kmem_cache_alloc(s, GFP_KERNEL), p);
	kslab_shutdown();
}

static unsigned int capacity_of(const char *name)
{
	struct kmem_cache *s = kslab_find_cache(name);

	assert_non_null(s);
	return cache_info_of(s).sheaf_capacity;
}

static void test_sheaves_for_all_policy(void **state)
{
	struct kmem_cache *a, *b, *c, *d;
	struct kslab_cache_info i;

	(void)state;
	/* kslab's own parameter; an unknown value is refused */
	capture_start();
	assert_int_not_equal(kslab_boot("arch=x86_64 kslab.sheaves=some"), 0);
	assert_non_null(strstr(capture_stop(), "kslab.sheaves"));
	boot("arch=x86_64 mem=256M nr_cpus=2 kslab.sheaves=all");
	a = kmem_cache_create("all-64", 64, 0, SLAB_NO_MERGE, NULL);
	b = kmem_cache_create("all-300", 300, 0, SLAB_NO_MERGE, NULL);
	c = kmem_cache_create("all-5000", 5000, 0, SLAB_NO_MERGE, NULL);
	d = kmem_cache_create("all-debug", 64, 0, SLAB_RED_ZONE, NULL);
	/* 60, 26 and 4 objects, grown to fill the sheaf's kmalloc class */
	assert_int_equal(cache_info_of(a).sheaf_capacity, 60);
	assert_int_equal(cache_info_of(b).sheaf_capacity, 28);
	assert_int_equal(cache_info_of(c).sheaf_capacity, 4);
	assert_int_equal(cache_info_of(a).cpu_partial, 0);
	/* a debugged cache has none (nor a CPU slab: slub_debug's path) */
	assert_int_equal(cache_info_of(d).sheaf_capacity, 0);
	/* the kmalloc caches too, by the same rule, once all of them exist */
	assert_int_equal(capacity_of("kmalloc-64"), 60);
	assert_int_equal(capacity_of("kmalloc-512"), 28);
	assert_int_equal(capacity_of("kmalloc-1k"), 12);
	assert_int_equal(capacity_of("kmalloc-8k"), 4);
	assert_int_equal(capacity_of("kmalloc-rcl-64"), 60);
	assert_int_equal(capacity_of("kmalloc_buckets"), 60);
	/* not the boot caches, which have no CPU partial list either */
	assert_int_equal(capacity_of("kmem_cache"), 0);
	assert_int_equal(capacity_of("kmem_cache_node"), 0);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmem_cache")).cpu_partial, 0);
	/*
	 * No CPU slab behind the sheaves: the first allocation refills a
	 * sheaf with 60 of a new slab's 64 objects, and the other 4 stay
	 * free on the node list, so every active object is the sheaf's
	 * (6.18 would hold them in the CPU's freelist, counted active).
	 */
	kmem_cache_free(a, kmem_cache_alloc(a, GFP_KERNEL));
	i = cache_info_of(a);
	assert_int_equal(i.sheaf_objects, 60);
	assert_int_equal(i.num_objs, 64);
	assert_int_equal(i.active_objs, 60);
	kmem_cache_shrink(a);
	i = cache_info_of(a);
	assert_int_equal(i.sheaf_objects, 0);
	assert_int_equal(i.num_slabs, 0);
	kslab_shutdown();
	/* the default is 6.18's: only caches that ask, behind a CPU slab */
	boot("arch=x86_64 mem=256M nr_cpus=2");
	a = kmem_cache_create("all-64", 64, 0, SLAB_NO_MERGE, NULL);
	assert_int_equal(cache_info_of(a).sheaf_capacity, 0);
	assert_int_equal(capacity_of("kmalloc-64"), 0);
	kslab_shutdown();
}

/*
 * A refill takes the node's partial slabs before a new one: with half
 * of three slabs' objects freed back to them, the next refill needs no
 * new slab.
 */
static void test_sheaves_all_refill_from_node(void **state)
{
	struct kmem_cache *s;
	struct kslab_cache_info i;
	static void *p[128];
	unsigned long slabs, live = 0;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2 kslab.sheaves=all");
	s = kmem_cache_create("refill-64", 64, 0, SLAB_NO_MERGE, NULL);
	for (int k = 0; k < 128; k++)
		assert_non_null(p[k] = kmem_cache_alloc(s, GFP_KERNEL));
	for (int k = 0; k < 128; k += 2)
		kmem_cache_free(s, p[k]);
	kmem_cache_shrink(s);
	i = cache_info_of(s);
	slabs = i.num_slabs;
	assert_int_equal(i.sheaf_objects, 0);
	assert_int_equal(i.active_objs, 64);
	assert_true(i.num_objs - i.active_objs >= 60);
	assert_non_null(p[0] = kmem_cache_alloc(s, GFP_KERNEL));
	i = cache_info_of(s);
	assert_int_equal(i.num_slabs, slabs);
	assert_int_equal(i.sheaf_objects, 59);
	assert_int_equal(i.active_objs, 64 + 1 + 59);
	/* frees beyond the sheaves and the barn go straight to the slabs */
	for (int k = 1; k < 128; k += 2, live++)
		kmem_cache_free(s, p[k]);
	kmem_cache_free(s, p[0]);
	kmem_cache_shrink(s);
	i = cache_info_of(s);
	assert_int_equal(i.active_objs, 0);
	assert_int_equal(i.num_slabs, 0);
	assert_int_equal(live, 64);
	kmem_cache_destroy(s);
	kslab_shutdown();
}

/*
 * Out of memory under kslab.sheaves=all: a refill that gets only part of
 * a sheaf gives it back (nothing is lost), allocations fail cleanly, and
 * everything freed leaves no slab.
 */
static void test_sheaves_all_out_of_memory(void **state)
{
	struct kmem_cache *s;
	struct kslab_cache_info i;
	void **p = calloc(100000, sizeof(void *));
	unsigned long n = 0;

	(void)state;
	assert_non_null(p);
	boot("arch=x86_64 mem=64M nr_cpus=2 kslab.sheaves=all");
	s = kmem_cache_create("oom-3000", 3000, 0, SLAB_NO_MERGE, NULL);
	while (n < 100000 &&
	       (p[n] = kmem_cache_alloc(s, GFP_KERNEL | __GFP_NOWARN)))
		n++;
	assert_true(n > 1000 && n < 100000);
	i = cache_info_of(s);
	assert_int_equal(i.active_objs, n + i.sheaf_objects);
	while (n)
		kmem_cache_free(s, p[--n]);
	kmem_cache_shrink(s);
	i = cache_info_of(s);
	assert_int_equal(i.active_objs, 0);
	assert_int_equal(i.num_slabs, 0);
	kmem_cache_destroy(s);
	kslab_shutdown();
	free(p);
}

static bool fail_this(struct kmem_cache *s, kslab_gfp_t gfp, void *arg)
{
	(void)gfp;
	return s == arg;
}

/* fault injection is asked before the sheaves, as the kernel's
 * slab_pre_alloc_hook(), under either policy */
static void test_failslab_before_sheaves(void **state)
{
	static const char *const boots[] = {
		"arch=x86_64 mem=256M nr_cpus=2",
		"arch=x86_64 mem=256M nr_cpus=2 kslab.sheaves=all",
	};

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct kmem_cache *s;

		boot(boots[k]);
		s = sheaf_cache("failslab-sheaves", 64, SLAB_NO_MERGE);
		kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
		assert_true(cache_info_of(s).sheaf_objects > 0);
		kslab_set_failslab(fail_this, s);
		assert_null(kmem_cache_alloc(s, GFP_KERNEL));
		kslab_set_failslab(NULL, NULL);
		kmem_cache_free(s, kmem_cache_alloc(s, GFP_KERNEL));
		kmem_cache_destroy(s);
		kslab_shutdown();
	}
}

/* the kslab_ names of <kslab/prefixed.h> (the kernel test suites' shim) */
static void test_prefixed_sheaf_calls(void **state)
{
	struct kmem_cache *s;
	struct kslab_sheaf *sh;
	void *p;

	(void)state;
	boot("arch=x86_64 mem=256M nr_cpus=2");
	s = kslab_kmem_cache_create_sheaves("prefixed-sheaves", 256, 0,
					    KSLAB_SLAB_NO_MERGE, NULL, 32);
	assert_non_null(s);
	assert_int_equal(cache_info_of(s).sheaf_capacity, 32);
	sh = kslab_kmem_cache_prefill_sheaf(s, KSLAB_GFP_KERNEL, 20);
	assert_non_null(sh);
	assert_true(kslab_kmem_cache_sheaf_size(sh) >= 20);
	p = kslab_kmem_cache_alloc_from_sheaf(s, KSLAB___GFP_ZERO, sh);
	assert_non_null(p);
	assert_int_equal(((unsigned char *)p)[255], 0);
	kslab_kmem_cache_free(s, p);
	/* beyond the capacity: replaced by an oversize sheaf */
	assert_int_equal(
		kslab_kmem_cache_refill_sheaf(s, KSLAB_GFP_KERNEL, &sh, 40), 0);
	assert_int_equal(kslab_kmem_cache_sheaf_size(sh), 40);
	assert_int_equal(kslab_kmem_cache_refill_sheaf(s, KSLAB_GFP_KERNEL,
						       NULL, 1),
			 -EINVAL);
	kslab_kmem_cache_return_sheaf(s, KSLAB_GFP_KERNEL, sh);
	kslab_kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).active_objs, 0);
	kslab_kmem_cache_destroy(s);
	kslab_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_free_through_sheaves),
		cmocka_unit_test(test_many_objects_spill_to_barn),
		cmocka_unit_test(test_flush_runs_to_slabs),
		cmocka_unit_test(test_flush_reports_double_free),
		cmocka_unit_test(test_destroy_with_live_object),
		cmocka_unit_test(test_barn_exchange_between_cpus),
		cmocka_unit_test(test_prefill_under_memory_pressure),
		cmocka_unit_test(test_prefill_return_refill),
		cmocka_unit_test(test_rcu_sheaf),
		cmocka_unit_test(test_rcu_sheaf_refuses),
		cmocka_unit_test(test_prefill_without_sheaves),
		cmocka_unit_test(test_merging_and_debug),
		cmocka_unit_test(test_bad_frees),
		cmocka_unit_test(test_sheaves_for_all_policy),
		cmocka_unit_test(test_sheaves_all_refill_from_node),
		cmocka_unit_test(test_sheaves_all_out_of_memory),
		cmocka_unit_test(test_prefixed_sheaf_calls),
		cmocka_unit_test(test_failslab_before_sheaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
