// SPDX-License-Identifier: MIT
/*
 * Fault injection with threads allocating at once: the interval count,
 * times and space are shared and exact (every candidate takes one step),
 * fail-nth is each thread's own, and the knobs may change while threads
 * allocate (run under TSan by `make test`).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"

#define BOOT "arch=x86_64 mem=256M nr_cpus=4"
#define NR_THREADS 4
#define PER_THREAD 2000

static struct kmem_cache *cache;

struct worker {
	pthread_t tid;
	unsigned int nth; /* fail-nth to set, 0: none */
	unsigned int failed, nth_failed_at;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	void *keep[16];
	unsigned int nr_keep = 0;

	if (w->nth)
		kslab_fail_nth(w->nth);
	for (unsigned int i = 0; i < PER_THREAD; i++) {
		bool armed_nth = w->nth && kslab_fail_nth_left();
		void *p = kmem_cache_alloc(cache, GFP_ATOMIC);

		if (!p) {
			w->failed++;
			if (armed_nth && !kslab_fail_nth_left())
				w->nth_failed_at = i + 1;
			continue;
		}
		if (nr_keep < 16) /* some live objects, freed at the end */
			keep[nr_keep++] = p;
		else
			kmem_cache_free(cache, p);
	}
	while (nr_keep)
		kmem_cache_free(cache, keep[--nr_keep]);
	return NULL;
}

static unsigned int run_workers(struct worker *w)
{
	unsigned int failed = 0;

	for (int i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&w[i].tid, NULL, work, &w[i]),
				 0);
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_join(w[i].tid, NULL);
		failed += w[i].failed;
	}
	return failed;
}

static void set(unsigned long prob, unsigned long interval, int times,
		int space)
{
	struct kslab_fault_attr a;

	assert_int_equal(kslab_fault_attr_get(KSLAB_FAILSLAB, &a), 0);
	a.probability = prob;
	a.interval = interval;
	a.times = times;
	a.space = space;
	a.verbose = 0;
	assert_int_equal(kslab_fault_attr_set(KSLAB_FAILSLAB, &a), 0);
}

static void test_shared_counts_exact(void **state)
{
	struct worker w[NR_THREADS] = { 0 };
	struct kslab_cache_usage u;

	assert_int_equal(kslab_boot(BOOT), 0);
	cache = kmem_cache_create("mt_fault", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(cache);

	/* every 7th of 8000 candidates, whoever asks */
	set(100, 7, -1, 0);
	assert_int_equal(run_workers(w), NR_THREADS * PER_THREAD / 7);
	/* times: exactly 100 */
	for (int i = 0; i < NR_THREADS; i++)
		w[i].failed = 0;
	set(100, 1, 100, 0);
	assert_int_equal(run_workers(w), 100);
	/* space: 64-byte objects, 64000 bytes pass (the 1000th leaves 64) */
	for (int i = 0; i < NR_THREADS; i++)
		w[i].failed = 0;
	set(100, 1, -1, 64 * 1000);
	assert_int_equal(run_workers(w), NR_THREADS * PER_THREAD - 999);
	set(0, 1, 1, 0);
	assert_int_equal(kslab_cache_usage(cache, &u), 0);
	assert_int_equal(u.in_use, 0);
	kmem_cache_destroy(cache);
}

static void test_fail_nth_per_thread(void **state)
{
	struct worker w[NR_THREADS] = { 0 };

	assert_int_equal(kslab_boot(BOOT), 0);
	cache = kmem_cache_create("mt_nth", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(cache);
	for (int i = 0; i < NR_THREADS; i++)
		w[i].nth = 10 * (unsigned int)(i + 1);
	assert_int_equal(run_workers(w), NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		assert_int_equal(w[i].failed, 1);
		assert_int_equal(w[i].nth_failed_at, w[i].nth);
	}
	kmem_cache_destroy(cache);
}

static void *toggle(void *arg)
{
	for (int i = 0; i < 200; i++) {
		kslab_fault_write("failslab", "probability",
				  i & 1 ? "50" : "0");
		kslab_fault_write("failslab", "interval", i & 2 ? "3" : "1");
	}
	return arg;
}

/* knobs written while threads allocate: no crash, no race, no leak */
static void test_knobs_change_under_load(void **state)
{
	struct worker w[NR_THREADS] = { 0 };
	struct kslab_cache_usage u;
	pthread_t t;

	assert_int_equal(kslab_boot(BOOT), 0);
	cache = kmem_cache_create("mt_toggle", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(cache);
	set(0, 1, -1, 0);
	assert_int_equal(pthread_create(&t, NULL, toggle, NULL), 0);
	run_workers(w);
	pthread_join(t, NULL);
	assert_int_equal(kslab_cache_usage(cache, &u), 0);
	assert_int_equal(u.in_use, 0);
	kmem_cache_destroy(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_shared_counts_exact,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_fail_nth_per_thread,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_knobs_change_under_load,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
