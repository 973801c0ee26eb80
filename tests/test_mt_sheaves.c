// SPDX-License-Identifier: MIT
/*
 * Sheaves under threads: one owner thread per simulated CPU allocating
 * from a cache with sheaves and handing half of its objects to another
 * CPU's thread, which frees them (remote frees into its own sheaves, full
 * ones to the barn, taken from there by the others); prefilled sheaves
 * and kfree_rcu() mixed in; a flusher thread shrinking the cache
 * meanwhile (its CPUs' sheaves flushed under their owners' feet). Every
 * object carries a stamp checked before its free; at the end the cache
 * holds nothing and shrinks to no slab. Run again under
 * kslab.sheaves=all (no CPU slab: refills from and flushes to the node's
 * slabs race with the remote frees and the flusher), with kmalloc()
 * objects handed over and kfree()d on another CPU too. Run under
 * ThreadSanitizer too.
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
#include "helpers/kslab_test.h"

#define NR_CPUS 3
#define ROUNDS 20000
#define KMALLOC_TAG 1UL /* a mailbox entry that is a kmalloc() object */

static unsigned long rounds;
static bool with_kmalloc;
#define BOX 128
#define SIZE 96

struct mailbox {
	pthread_mutex_t lock;
	void *objs[BOX];
	unsigned int n;
};

/*
 * liburcu is not built for ThreadSanitizer: what its own atomics and
 * futexes order (the call_rcu() thread, rcu_barrier()) is invisible to
 * it, so its allocations and frees are left out of the race reports.
 */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
	return "called_from_lib:liburcu.so\n";
}

static struct kmem_cache *cache;
static struct mailbox boxes[NR_CPUS];
static atomic_long bad_stamps, remote_frees;
static atomic_int running;
static pthread_barrier_t start;

static void put_stamp(void *p, unsigned long v)
{
	memcpy(p, &v, sizeof(v));
	memcpy((char *)p + SIZE - sizeof(v), &v, sizeof(v));
}

static void check_free(void *p)
{
	unsigned long a, b;

	memcpy(&a, p, sizeof(a));
	memcpy(&b, (char *)p + SIZE - sizeof(b), sizeof(b));
	if (a != b)
		atomic_fetch_add(&bad_stamps, 1);
	kmem_cache_free(cache, p);
}

static bool post(unsigned int to, void *p)
{
	struct mailbox *m = &boxes[to];
	bool ok = false;

	pthread_mutex_lock(&m->lock);
	if (m->n < BOX) {
		m->objs[m->n++] = p;
		ok = true;
	}
	pthread_mutex_unlock(&m->lock);
	return ok;
}

static void drain(unsigned int me)
{
	struct mailbox *m = &boxes[me];
	void *got[BOX];
	unsigned int n;

	pthread_mutex_lock(&m->lock);
	n = m->n;
	memcpy(got, m->objs, n * sizeof(void *));
	m->n = 0;
	pthread_mutex_unlock(&m->lock);
	for (unsigned int i = 0; i < n; i++) {
		if ((uintptr_t)got[i] & KMALLOC_TAG)
			kfree((void *)((uintptr_t)got[i] & ~KMALLOC_TAG));
		else
			check_free(got[i]);
	}
	atomic_fetch_add(&remote_frees, n);
}

static void *worker(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	unsigned int rnd = me * 7919 + 1;
	void *local[64] = { 0 };

	assert_int_equal(kslab_set_cpu(me), 0);
	pthread_barrier_wait(&start);
	for (unsigned long r = 0; r < rounds; r++) {
		unsigned int k = (rnd = rnd * 1103515245u + 12345u) >> 10;
		void *p;

		if (local[k % 64])
			check_free(local[k % 64]);
		p = kmem_cache_alloc(cache, GFP_KERNEL);
		assert_non_null(p);
		put_stamp(p, (unsigned long)me << 32 | r);
		if (k & 1)
			local[k % 64] = p;
		else if (!post((me + 1) % NR_CPUS, p))
			check_free(p), local[k % 64] = NULL;
		else
			local[k % 64] = NULL;
		if (with_kmalloc && r % 3 == 0) {
			void *q = kmalloc(40 + r % 200, GFP_KERNEL);

			assert_non_null(q);
			if (!post((me + 2) % NR_CPUS,
				  (void *)((uintptr_t)q | KMALLOC_TAG)))
				kfree(q);
		}
		if (r % 64 == 0)
			drain(me);
		if (r % 997 == 0) {
			struct slab_sheaf *sh =
				kmem_cache_prefill_sheaf(cache, GFP_KERNEL, 8);

			assert_non_null(sh);
			for (int i = 0; i < 4; i++)
				kmem_cache_free(cache,
						kmem_cache_alloc_from_sheaf(
							cache, GFP_KERNEL, sh));
			kmem_cache_return_sheaf(cache, GFP_KERNEL, sh);
		}
		if (r % 101 == 0) {
			p = kmem_cache_alloc(cache, GFP_KERNEL);
			kfree_rcu_mightsleep(p);
		}
	}
	for (int i = 0; i < 64; i++)
		if (local[i])
			check_free(local[i]);
	atomic_fetch_sub(&running, 1);
	return NULL;
}

static void *flusher(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&start);
	while (atomic_load(&running)) {
		kmem_cache_shrink(cache);
		(void)cache_info_of(cache);
	}
	return NULL;
}

static void run_threads(const char *cmdline)
{
	pthread_t th[NR_CPUS + 1];
	struct kslab_cache_info i;
	struct kmem_cache_args args = { .sheaf_capacity = 16 };

	atomic_store(&bad_stamps, 0);
	atomic_store(&remote_frees, 0);
	assert_int_equal(kslab_boot(cmdline), 0);
	cache = kmem_cache_create_args("mt-sheaves", SIZE, &args, 0);
	assert_non_null(cache);
	for (int k = 0; k < NR_CPUS; k++)
		pthread_mutex_init(&boxes[k].lock, NULL);
	atomic_store(&running, NR_CPUS);
	pthread_barrier_init(&start, NULL, NR_CPUS + 1);
	for (uintptr_t k = 0; k < NR_CPUS; k++)
		pthread_create(&th[k], NULL, worker, (void *)k);
	pthread_create(&th[NR_CPUS], NULL, flusher, NULL);
	for (int k = 0; k <= NR_CPUS; k++)
		pthread_join(th[k], NULL);
	for (unsigned int k = 0; k < NR_CPUS; k++)
		drain(k);
	assert_int_equal(atomic_load(&bad_stamps), 0);
	assert_true(atomic_load(&remote_frees) > 0);
	kvfree_rcu_barrier();
	kmem_cache_shrink(cache);
	i = cache_info_of(cache);
	assert_int_equal(i.sheaf_objects, 0);
	assert_int_equal(i.active_objs, 0);
	assert_int_equal(i.num_slabs, 0);
	/* under kslab.sheaves=all the kmalloc caches have sheaves too */
	if (with_kmalloc)
		assert_true(cache_info_of(kslab_find_cache("kmalloc-256"))
				    .sheaf_capacity > 0);
	kmem_cache_destroy(cache);
	assert_null(kslab_find_cache("mt-sheaves"));
	kslab_shutdown();
	pthread_barrier_destroy(&start);
}

static void test_sheaves_remote_frees(void **state)
{
	(void)state;
	rounds = ROUNDS;
	with_kmalloc = false;
	run_threads("arch=x86_64 mem=512M nr_cpus=3");
}

static void test_sheaves_all_remote_frees(void **state)
{
	(void)state;
	rounds = ROUNDS / 2;
	with_kmalloc = true;
	run_threads("arch=x86_64 mem=512M nr_cpus=3 kslab.sheaves=all");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sheaves_remote_frees),
		cmocka_unit_test(test_sheaves_all_remote_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
