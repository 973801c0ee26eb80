// SPDX-License-Identifier: MIT
/*
 * Who owns a simulated CPU (its lock-free fast paths): the thread that
 * booted the machine owns the CPU it first ran as, but a thread that
 * pins itself there with kslab_set_cpu() takes it over once that owner
 * is idle (it was not pinned); the old owner moves to another CPU on its
 * next call. A sharer of a CPU whose owner is gone (thread exit) becomes
 * its owner. And threads pinning themselves at random while others
 * allocate and free, for ThreadSanitizer: every object's stamp holds.
 */
#define _GNU_SOURCE
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
#include "mm/mm_internal.h"
#include "helpers/kslab_test.h"

static struct kmem_cache *cache;
static atomic_int bad;

static bool owns_cpu(void)
{
	return ksl_tls.owner && ksl_tls.gen == ksl_mm.generation &&
	       __atomic_load_n(&ksl_tls.own->req, __ATOMIC_RELAXED) <
		       KSL_OWN_REVOKED;
}

static void churn(int n)
{
	for (int i = 0; i < n; i++)
		kmem_cache_free(cache, kmem_cache_alloc(cache, GFP_KERNEL));
}

static unsigned int main_cpu;

static void *pin_and_own(void *arg)
{
	bool *owned = arg;

	assert_int_equal(kslab_set_cpu(main_cpu), 0);
	churn(100);
	*owned = owns_cpu() && kslab_this_cpu() == main_cpu;
	return NULL;
}

static void test_pinned_thread_takes_boot_cpu(void **state)
{
	pthread_t th;
	bool owned = false;

	(void)state;
	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=256M nr_cpus=2")),
		0);
	cache = kmem_cache_create("own-64", 64, 0, SLAB_NO_MERGE, NULL);
	churn(10);
	main_cpu = kslab_this_cpu();
	assert_true(owns_cpu()); /* the booting thread owns its CPU */
	pthread_create(&th, NULL, pin_and_own, &owned);
	pthread_join(th, NULL);
	assert_true(owned); /* ... until a thread pins itself there */
	/* the old owner moved on its next call, and owns a CPU again */
	churn(10);
	assert_true(owns_cpu());
	kmem_cache_destroy(cache);
	kslab_shutdown();
}

static void *alloc_once(void *arg)
{
	(void)arg;
	churn(1);
	return NULL;
}

/*
 * Every boot starts the CPU round-robin again: the booting thread runs
 * as CPU 0 whatever threads ran before (it once got the counter's next
 * CPU, so a test's pages depended on how often liburcu's thread had run).
 */
static void test_boot_thread_runs_as_cpu0(void **state)
{
	pthread_t th;

	(void)state;
	for (int boot = 0; boot < 3; boot++) {
		assert_int_equal(kslab_boot(test_boot_line(
					 "arch=x86_64 mem=256M nr_cpus=4")),
				 0);
		assert_int_equal(kslab_this_cpu(), 0);
		cache = kmem_cache_create("own-64", 64, 0, SLAB_NO_MERGE, NULL);
		for (int i = 0; i <= boot; i++) { /* move the round-robin on */
			pthread_create(&th, NULL, alloc_once, NULL);
			pthread_join(th, NULL);
		}
		kmem_cache_destroy(cache);
		kslab_shutdown();
	}
}

static pthread_barrier_t bar;

static void *pinned_owner(void *arg)
{
	(void)arg;
	assert_int_equal(kslab_set_cpu(1), 0);
	churn(10);
	assert_true(owns_cpu());
	pthread_barrier_wait(&bar); /* the sharer arrives */
	pthread_barrier_wait(&bar);
	return NULL; /* gone */
}

static void *pinned_sharer(void *arg)
{
	pthread_t *owner = arg;

	pthread_barrier_wait(&bar);
	assert_int_equal(kslab_set_cpu(1), 0);
	churn(10);
	assert_false(owns_cpu()); /* its owner was pinned there too */
	pthread_barrier_wait(&bar);
	pthread_join(*owner, NULL);
	churn(10);
	assert_true(owns_cpu()); /* the owner is gone */
	return NULL;
}

static void test_sharer_owns_once_owner_gone(void **state)
{
	pthread_t a, b;

	(void)state;
	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=256M nr_cpus=2")),
		0);
	cache = kmem_cache_create("own-64", 64, 0, SLAB_NO_MERGE, NULL);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&a, NULL, pinned_owner, NULL);
	pthread_create(&b, NULL, pinned_sharer, &a);
	pthread_join(b, NULL);
	pthread_barrier_destroy(&bar);
	kmem_cache_destroy(cache);
	kslab_shutdown();
}

#define HOPPERS 3
#define LIVE 64

static void *hopper(void *arg)
{
	unsigned int rnd = (unsigned int)(uintptr_t)arg * 2654435761u + 1;
	void *live[LIVE] = { 0 };

	for (int r = 0; r < 20000; r++) {
		unsigned int k = (rnd = rnd * 1103515245u + 12345u) >> 8;

		if (k % 97 == 0)
			assert_int_equal(kslab_set_cpu(k % 3), 0);
		if (live[k % LIVE]) {
			if (*(uintptr_t *)live[k % LIVE] !=
			    (uintptr_t)live[k % LIVE])
				atomic_fetch_add(&bad, 1);
			kmem_cache_free(cache, live[k % LIVE]);
		}
		live[k % LIVE] = kmem_cache_alloc(cache, GFP_KERNEL);
		*(uintptr_t *)live[k % LIVE] = (uintptr_t)live[k % LIVE];
		if (k % 1000 == 0)
			kmem_cache_shrink(cache);
	}
	for (int i = 0; i < LIVE; i++)
		kmem_cache_free(cache, live[i]);
	return NULL;
}

static void test_pinning_threads_race(void **state)
{
	pthread_t th[HOPPERS];

	(void)state;
	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=256M nr_cpus=3")),
		0);
	cache = kmem_cache_create("own-hop", 64, 0, SLAB_NO_MERGE, NULL);
	for (uintptr_t i = 0; i < HOPPERS; i++)
		pthread_create(&th[i], NULL, hopper, (void *)i);
	churn(20000); /* the booting thread, unpinned, meanwhile */
	for (int i = 0; i < HOPPERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(atomic_load(&bad), 0);
	kmem_cache_shrink(cache);
	assert_int_equal(cache_info_of(cache).active_objs, 0);
	kmem_cache_destroy(cache);
	kslab_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pinned_thread_takes_boot_cpu),
		cmocka_unit_test(test_boot_thread_runs_as_cpu0),
		cmocka_unit_test(test_sharer_owns_once_owner_gone),
		cmocka_unit_test(test_pinning_threads_race),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
