// SPDX-License-Identifier: MIT
/*
 * A randomised model check of the slab layer, one thread hopping between
 * simulated CPUs (so that every free path is taken: the CPU freelist, a
 * CPU-partial slab's local list, remote frees into another CPU's slabs,
 * freezing, flushing): thousands of random operations on a few caches,
 * good and bad, against a model of which objects are live. Every live
 * object carries a stamp checked before it is freed; no object is handed
 * out twice; bad frees are refused without changing anything; after a
 * shrink, each cache's active object count is the model's. Two of the
 * caches have 6.18 sheaves (capacities 32 and 7: frees and allocations
 * go through per-CPU sheaves and the barn, RCU frees through the RCU
 * sheaf, prefilled sheaves are taken and returned). A second run boots
 * kslab.sheaves=all: every cache with sheaves and no CPU slab. The seed
 * is printed (KSLAB_SEED=N repeats a run).
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

#define NR_CACHES 6
#define MAX_LIVE 3000
#define STEPS 400000
#define NR_CPUS 3

struct live {
	void *p;
	unsigned int cache;
	unsigned long stamp;
};

static struct kmem_cache *caches[NR_CACHES];
static const unsigned int sizes[NR_CACHES] = { 24, 64, 200, 1000, 64, 512 };
static const unsigned int sheaf_capacity[NR_CACHES] = { 0, 0, 0, 0, 32, 7 };
static struct live live[MAX_LIVE];
static unsigned int nr_live;
static unsigned long live_per_cache[NR_CACHES];
static unsigned int rnd_state;

static unsigned int rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void stamp(void *p, unsigned int cache, unsigned long st)
{
	memcpy(p, &st, sizeof(st));
	((unsigned char *)p)[sizes[cache] - 1] = (unsigned char)st;
}

static bool stamp_ok(const struct live *l)
{
	unsigned long st;

	memcpy(&st, l->p, sizeof(st));
	return st == l->stamp && ((unsigned char *)l->p)[sizes[l->cache] - 1] ==
					 (unsigned char)l->stamp;
}

static void do_alloc(unsigned long step)
{
	unsigned int c = rnd() % NR_CACHES;
	void *p;

	if (nr_live == MAX_LIVE)
		return;
	p = (rnd() % 8) ? kmem_cache_alloc(caches[c], GFP_KERNEL) :
			  kmem_cache_zalloc(caches[c], GFP_KERNEL);
	assert_non_null(p);
	live[nr_live].p = p;
	live[nr_live].cache = c;
	live[nr_live].stamp = step * 2654435761UL + c;
	stamp(p, c, live[nr_live].stamp);
	nr_live++;
	live_per_cache[c]++;
}

static void do_free(void)
{
	unsigned int i;
	struct live l;

	if (!nr_live)
		return;
	i = rnd() % nr_live;
	l = live[i];
	assert_true(stamp_ok(&l));
	live[i] = live[--nr_live];
	live_per_cache[l.cache]--;
	kmem_cache_free(caches[l.cache], l.p);
}

/* a bad free: refused (or, for a wrong cache, freed to the true one) */
static void do_bad_free(void)
{
	unsigned int i, kind = rnd() % 3;
	struct live *l;

	if (!nr_live)
		return;
	i = rnd() % nr_live;
	l = &live[i];
	if (kind == 0) {
		/* inside the object: refused, the object stays live */
		kmem_cache_free(caches[l->cache],
				(char *)l->p + 1 +
					rnd() % (sizes[l->cache] - 1));
	} else if (kind == 1) {
		/* wrong cache: freed to its true cache, as the kernel does */
		struct live gone = *l;

		kmem_cache_free(caches[(gone.cache + 1) % NR_CACHES], gone.p);
		live[i] = live[--nr_live];
		live_per_cache[gone.cache]--;
	} else {
		/* the object just freed again: refused when at a list head */
		struct live gone = *l;

		live[i] = live[--nr_live];
		live_per_cache[gone.cache]--;
		kmem_cache_free(caches[gone.cache], gone.p);
		kmem_cache_free(caches[gone.cache], gone.p);
	}
}

static void do_bulk(void)
{
	void *v[16];
	unsigned int c = rnd() % NR_CACHES, n = 1 + rnd() % 16;

	assert_int_equal(kmem_cache_alloc_bulk(caches[c], GFP_KERNEL, n, v),
			 (int)n);
	for (unsigned int k = 0; k < n; k++)
		for (unsigned int j = 0; j < nr_live; j++)
			assert_ptr_not_equal(v[k], live[j].p);
	kmem_cache_free_bulk(caches[c], n, v);
}

/* a prefilled sheaf of a sheaf cache: its objects live for a while */
static void do_prefill(unsigned long step)
{
	unsigned int c = 4 + rnd() % 2, want = 1 + rnd() % 40;
	struct slab_sheaf *sheaf =
		kmem_cache_prefill_sheaf(caches[c], GFP_KERNEL, want);
	unsigned int take = rnd() % (want + 1);

	assert_non_null(sheaf);
	assert_true(kmem_cache_sheaf_size(sheaf) >= want);
	for (unsigned int k = 0; k < take && nr_live < MAX_LIVE; k++) {
		void *p = kmem_cache_alloc_from_sheaf(caches[c], GFP_KERNEL,
						      sheaf);

		assert_non_null(p);
		for (unsigned int j = 0; j < nr_live; j++)
			assert_ptr_not_equal(p, live[j].p);
		live[nr_live].p = p;
		live[nr_live].cache = c;
		live[nr_live].stamp = step * 2654435761UL + c + k;
		stamp(p, c, live[nr_live].stamp);
		nr_live++;
		live_per_cache[c]++;
	}
	if (rnd() % 2)
		assert_int_equal(kmem_cache_refill_sheaf(caches[c], GFP_KERNEL,
							 &sheaf, want + 5),
				 0);
	kmem_cache_return_sheaf(caches[c], GFP_KERNEL, sheaf);
}

/* kfree_rcu() of a live object: gone after a grace period */
static void do_free_rcu(void)
{
	unsigned int i;
	struct live l;

	if (!nr_live)
		return;
	i = rnd() % nr_live;
	l = live[i];
	assert_true(stamp_ok(&l));
	live[i] = live[--nr_live];
	live_per_cache[l.cache]--;
	kfree_rcu_mightsleep(l.p);
}

static void check_counts(void)
{
	kvfree_rcu_barrier(); /* objects freed with kfree_rcu() are back */
	for (unsigned int c = 0; c < NR_CACHES; c++) {
		struct kslab_cache_info i;

		kmem_cache_shrink(caches[c]);
		assert_int_equal(kslab_cache_info(caches[c], &i), 0);
		assert_int_equal(i.active_objs, live_per_cache[c]);
	}
}

/* reports: expect the bad frees' reports (rate-limited per process:
 * only the first run of the program sees them) */
static void run_model(const char *cmdline, const char *test_name,
		      unsigned long steps, bool reports)
{
	const char *log;

	rnd_state = test_seed(test_name);
	assert_int_equal(kslab_boot(cmdline), 0);
	for (unsigned int c = 0; c < NR_CACHES; c++) {
		char name[32];
		struct kmem_cache_args args = {
			.sheaf_capacity = sheaf_capacity[c],
		};

		snprintf(name, sizeof(name), "model-%u%s", sizes[c],
			 sheaf_capacity[c] ? "-sheaves" : "");
		caches[c] = kmem_cache_create_args(name, sizes[c], &args,
						   SLAB_NO_MERGE);
		assert_non_null(caches[c]);
	}
	nr_live = 0;
	memset(live_per_cache, 0, sizeof(live_per_cache));
	capture_start(); /* the bad frees' reports */
	for (unsigned long step = 1; step <= steps; step++) {
		unsigned int op = rnd() % 100;

		if (op < 2)
			assert_int_equal(kslab_set_cpu(rnd() % NR_CPUS), 0);
		else if (op < 48)
			do_alloc(step);
		else if (op < 93)
			do_free();
		else if (op < 94)
			(rnd() % 4) ? do_free_rcu() : do_prefill(step);
		else if (op < 96)
			do_bad_free();
		else if (op < 98)
			do_bulk();
		else if (op < 99)
			kmem_cache_shrink(caches[rnd() % NR_CACHES]);
		else if (step % 50 == 0)
			check_counts();
	}
	log = capture_stop();
	if (reports) {
		assert_non_null(strstr(log, "is not the start of an object"));
		assert_non_null(strstr(log, "Wrong slab cache"));
	}
	check_counts();
	for (unsigned int i = 0; i < nr_live; i++)
		assert_true(stamp_ok(&live[i]));
	while (nr_live)
		do_free();
	check_counts();
	for (unsigned int c = 0; c < NR_CACHES; c++) {
		struct kslab_cache_info i;

		assert_int_equal(kslab_cache_info(caches[c], &i), 0);
		assert_int_equal(i.num_slabs, 0);
		kmem_cache_destroy(caches[c]);
	}
	kslab_shutdown();
}

static void test_random_operations(void **state)
{
	(void)state;
	run_model("arch=x86_64 mem=512M nr_cpus=3", "test_random_operations",
		  STEPS, true);
}

/*
 * The same under kslab.sheaves=all (mainline after 6.18): every cache
 * has sheaves and no CPU slab, so every object comes from a sheaf
 * refilled from the node's slabs and goes back through one (or straight
 * to its slab, remote or not, when the sheaves are full); the counts
 * must still be the model's.
 */
static void test_random_operations_sheaves_all(void **state)
{
	(void)state;
	run_model("arch=x86_64 mem=512M nr_cpus=3 kslab.sheaves=all",
		  "test_random_operations_sheaves_all", STEPS / 2, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_operations),
		cmocka_unit_test(test_random_operations_sheaves_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
