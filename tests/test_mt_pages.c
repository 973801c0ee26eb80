// SPDX-License-Identifier: MIT
/*
 * The page allocator under threads: more threads than simulated CPUs,
 * pages handed between threads and freed by another one, every page
 * stamped by its owner so that a page given out twice is caught, and a
 * final count proving no page was lost or duplicated.
 */
#include <pthread.h>
#include <stdatomic.h>
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

#define NR_THREADS 6
#define STEPS 20000
#define RING 256

struct stamp {
	uint64_t owner;
	uint64_t serial;
};

static struct page *_Atomic ring[RING];
static unsigned int base_seed;
static atomic_ulong allocs, frees, remote_frees;

static void stamp(struct page *p, uint64_t owner, uint64_t serial)
{
	struct stamp *s = page_address(p);

	s->owner = owner;
	s->serial = serial;
}

static void *worker(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	unsigned int seed = base_seed + id;
	struct page *mine[64];
	uint64_t serial[64];
	unsigned int order[64];
	int n = 0;

	if (id % 2)
		kslab_set_cpu(id %
			      kslab_nr_cpus()); /* some pinned, some spread */
	for (int i = 0; i < STEPS; i++) {
		int r = rand_r(&seed) % 100;

		if (r < 50 && n < 64) {
			unsigned int o = rand_r(&seed) % 100 < 80 ?
						 0 :
						 rand_r(&seed) % 5;
			struct page *p =
				alloc_pages(GFP_KERNEL | __GFP_NOWARN, o);

			if (!p)
				continue;
			atomic_fetch_add(&allocs, 1);
			serial[n] = ((uint64_t)id << 32) | i;
			stamp(p, id, serial[n]);
			order[n] = o;
			mine[n++] = p;
		} else if (r < 80 && n) {
			int k = rand_r(&seed) % n;
			struct stamp *s = page_address(mine[k]);

			assert_int_equal(s->owner, id);
			assert_int_equal(s->serial, serial[k]);
			__free_pages(mine[k], order[k]);
			atomic_fetch_add(&frees, 1);
			mine[k] = mine[--n];
			serial[k] = serial[n];
			order[k] = order[n];
		} else if (n && order[n - 1] == 0) {
			/* hand a page over; whoever replaces it frees it */
			struct page *old = atomic_exchange(
				&ring[rand_r(&seed) % RING], mine[--n]);

			if (old) {
				__free_pages(old, 0);
				atomic_fetch_add(&frees, 1);
				atomic_fetch_add(&remote_frees, 1);
			}
		}
	}
	while (n--) {
		__free_pages(mine[n], order[n]);
		atomic_fetch_add(&frees, 1);
	}
	return NULL;
}

static void run(const char *cmdline)
{
	pthread_t t[NR_THREADS];
	unsigned long free_before;
	char before[4096], after[4096];
	FILE *f;

	assert_int_equal(kslab_boot(cmdline), 0);
	/* the boot caches' slabs leave pages on the per-CPU lists */
	drain_all_pages(NULL);
	f = fmemopen(before, sizeof(before), "w");
	kslab_show("buddyinfo", f);
	fclose(f);
	free_before = kslab_nr_free_pages();
	for (uintptr_t i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i),
				 0);
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < RING; i++) {
		struct page *p = atomic_exchange(&ring[i], NULL);

		if (p) {
			__free_pages(p, 0);
			atomic_fetch_add(&frees, 1);
		}
	}
	printf("%s: %lu allocations, %lu frees (%lu by another thread)\n",
	       cmdline, atomic_load(&allocs), atomic_load(&frees),
	       atomic_load(&remote_frees));
	assert_int_equal(atomic_load(&allocs), atomic_load(&frees));
	drain_all_pages(NULL);
	assert_int_equal(kslab_nr_free_pages(), free_before);
	f = fmemopen(after, sizeof(after), "w");
	kslab_show("buddyinfo", f);
	fclose(f);
	assert_string_equal(after, before);
	kslab_shutdown();
}

static void test_threads_share_cpus(void **state)
{
	base_seed = test_seed("mt_pages");
	run("arch=x86_64 mem=256M nr_cpus=2");
}

static void test_threads_many_cpus(void **state)
{
	base_seed = test_seed("mt_pages_many");
	allocs = frees = remote_frees = 0;
	run("arch=arm64 memmap=256M@1G nr_cpus=8");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_share_cpus),
		cmocka_unit_test(test_threads_many_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
