// SPDX-License-Identifier: MIT
/*
 * Debugged caches under threads: a machine booted with slub_debug (FZPU
 * everywhere), more threads than CPUs, objects of a debugged cache and of
 * kmalloc freed by another thread than their allocator half of the time.
 * No report may appear (the checks must not see their own writes race),
 * every object comes back, and the caches end with nothing in use.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define NR_THREADS 4
#define ROUNDS 3000
#define SLOTS 64

static struct kmem_cache *cache;
static void *_Atomic shared[SLOTS];
static atomic_long allocs, frees;

static void release(void *p)
{
	if (((unsigned char *)p)[0] == 'k')
		kfree(p);
	else
		kmem_cache_free(cache, p);
	atomic_fetch_add(&frees, 1);
}

static void *worker(void *arg)
{
	unsigned int rnd = (unsigned int)(uintptr_t)arg * 2654435761u + 1;

	for (int i = 0; i < ROUNDS; i++) {
		void *p;

		rnd = rnd * 1103515245u + 12345u;
		if (rnd & 0x100) {
			p = kmem_cache_alloc(cache, GFP_KERNEL);
			assert_non_null(p);
			memset(p, 'c', 48);
		} else {
			p = kmalloc(24 + (rnd >> 24) % 200, GFP_KERNEL);
			assert_non_null(p);
			memset(p, 'k', 24);
		}
		atomic_fetch_add(&allocs, 1);
		/* half go to a slot, where another thread frees them */
		if (rnd & 0x200) {
			p = atomic_exchange(&shared[(rnd >> 16) % SLOTS], p);
			if (!p)
				continue;
		}
		release(p);
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[NR_THREADS];
	unsigned long errors;

	assert_int_equal(
		kslab_boot(test_boot_line("mem=256M nr_cpus=2 slub_debug")), 0);
	errors = kslab_slub_debug_errors();
	cache = kmem_cache_create("mt_dbg", 64, 0, 0, NULL);
	assert_non_null(cache);
	for (uintptr_t i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, worker, (void *)i),
				 0);
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < SLOTS; i++) {
		void *p = atomic_exchange(&shared[i], NULL);

		if (p)
			release(p);
	}
	assert_int_equal(atomic_load(&allocs), atomic_load(&frees));
	assert_int_equal(kslab_slub_debug_errors(), errors);
	assert_true(kmem_cache_validate(cache) >= 0);
	assert_int_equal(kslab_slub_debug_errors(), errors);
	assert_int_equal(cache_info_of(cache).active_objs, 0);
	capture_start();
	kmem_cache_destroy(cache);
	assert_string_equal(capture_stop(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_threads, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
