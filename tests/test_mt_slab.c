// SPDX-License-Identifier: MIT
/*
 * Threads hammering caches at once, more threads than simulated CPUs (so
 * CPUs are shared), with about half of the objects freed by another
 * thread than the one that allocated them (handed over through a locked
 * mailbox). Every object carries its owner's stamp, checked before the
 * free; at the end every object must be accounted for: the caches hold
 * no live object, shrink to zero slabs, and the slab page count returns
 * to where it started.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
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
#include "helpers/kslab_test.h"

#define NR_THREADS 6
#define NR_CACHES 3
#define ROUNDS 50000
#define LOCAL 64
#define BOX 256

struct stamp {
	unsigned int owner, cache;
	unsigned long seq;
};

struct mailbox {
	pthread_mutex_t lock;
	void *objs[BOX];
	unsigned int cache[BOX];
	unsigned int n;
};

static struct kmem_cache *caches[NR_CACHES];
static const unsigned int sizes[NR_CACHES] = { 32, 192, 1000 };
static const char *const names[NR_CACHES] = { "mt-32", "mt-192", "mt-1000" };
static struct mailbox boxes[NR_THREADS];
static atomic_long allocated, freed, posted, remote_frees, bad_stamps;
static unsigned int seed;
static pthread_barrier_t start;

struct worker {
	unsigned int id;
	unsigned int rnd;
	void *local[LOCAL];
	unsigned int local_cache[LOCAL];
};

static unsigned int next_rand(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void check_and_free(void *obj, unsigned int cache,
			   unsigned int owner_expected, bool any_owner)
{
	struct stamp *st = obj;

	if (st->cache != cache || (!any_owner && st->owner != owner_expected))
		atomic_fetch_add(&bad_stamps, 1);
	kmem_cache_free(caches[cache], obj);
	atomic_fetch_add(&freed, 1);
}

static void drain_box(struct worker *w)
{
	struct mailbox *b = &boxes[w->id];
	void *objs[BOX];
	unsigned int cache[BOX], n;

	pthread_mutex_lock(&b->lock);
	n = b->n;
	memcpy(objs, b->objs, n * sizeof(void *));
	memcpy(cache, b->cache, n * sizeof(unsigned int));
	b->n = 0;
	pthread_mutex_unlock(&b->lock);
	for (unsigned int i = 0; i < n; i++) {
		check_and_free(objs[i], cache[i], 0, true);
		atomic_fetch_add(&remote_frees, 1);
	}
}

static bool post(unsigned int to, void *obj, unsigned int cache)
{
	struct mailbox *b = &boxes[to];
	bool ok = false;

	pthread_mutex_lock(&b->lock);
	if (b->n < BOX) {
		b->objs[b->n] = obj;
		b->cache[b->n] = cache;
		b->n++;
		ok = true;
	}
	pthread_mutex_unlock(&b->lock);
	return ok;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->id % 2)
		kslab_set_cpu(w->id % kslab_nr_cpus());
	pthread_barrier_wait(&start);
	for (unsigned long r = 0; r < ROUNDS; r++) {
		unsigned int c = next_rand(&w->rnd) % NR_CACHES;
		unsigned int slot = next_rand(&w->rnd) % LOCAL;
		struct stamp *obj = kmem_cache_alloc(caches[c], GFP_KERNEL);

		if (!obj)
			continue;
		atomic_fetch_add(&allocated, 1);
		obj->owner = w->id;
		obj->cache = c;
		obj->seq = r;
		if (next_rand(&w->rnd) % 2) {
			unsigned int to = next_rand(&w->rnd) % NR_THREADS;

			if (to != w->id && post(to, obj, c)) {
				atomic_fetch_add(&posted, 1);
				obj = NULL;
			}
		}
		if (obj) {
			if (w->local[slot])
				check_and_free(w->local[slot],
					       w->local_cache[slot], w->id,
					       false);
			w->local[slot] = obj;
			w->local_cache[slot] = c;
		}
		if (r % 4 == 0)
			drain_box(w);
	}
	for (unsigned int i = 0; i < LOCAL; i++)
		if (w->local[i])
			check_and_free(w->local[i], w->local_cache[i], w->id,
				       false);
	return NULL;
}

static void test_cross_thread_frees(void **state)
{
	pthread_t th[NR_THREADS];
	static struct worker w[NR_THREADS];
	unsigned long pages0;

	seed = test_seed("test_mt_slab");
	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=512M nr_cpus=2")),
		0);
	pages0 = kslab_slab_pages();
	for (int i = 0; i < NR_CACHES; i++) {
		caches[i] = kmem_cache_create(names[i], sizes[i], 0,
					      SLAB_NO_MERGE, NULL);
		assert_non_null(caches[i]);
	}
	pthread_barrier_init(&start, NULL, NR_THREADS);
	for (int i = 0; i < NR_THREADS; i++) {
		pthread_mutex_init(&boxes[i].lock, NULL);
		w[i].id = i;
		w[i].rnd = seed + i * 7919;
		assert_int_equal(
			pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	/* what the mailboxes still hold */
	for (int i = 0; i < NR_THREADS; i++)
		drain_box(&w[i]);
	printf("allocated %ld, freed %ld (%ld by another thread)\n",
	       atomic_load(&allocated), atomic_load(&freed),
	       atomic_load(&remote_frees));
	assert_int_equal(atomic_load(&bad_stamps), 0);
	assert_int_equal(atomic_load(&allocated), atomic_load(&freed));
	/* every object handed over was freed by its receiver; the empty
	 * mailboxes take at least BOX objects before anyone drains */
	assert_int_equal(atomic_load(&remote_frees), atomic_load(&posted));
	assert_true(atomic_load(&remote_frees) >= BOX);
	for (int i = 0; i < NR_CACHES; i++) {
		struct kslab_cache_info info;

		kmem_cache_shrink(caches[i]);
		assert_int_equal(kslab_cache_info(caches[i], &info), 0);
		assert_int_equal(info.active_objs, 0);
		assert_int_equal(info.num_slabs, 0);
		kmem_cache_destroy(caches[i]);
	}
	assert_int_equal(kslab_slab_pages(), pages0);
	kslab_shutdown();
}

/*
 * CPU owners (one thread per CPU: lock-free fast paths) while other
 * threads come and go: a thread joins an owned CPU, then moves to
 * another one; the main thread flushes every CPU (kmem_cache_shrink)
 * meanwhile; objects also cross threads through a mailbox. Every object
 * keeps its stamp, and nothing is lost.
 */
#define OWN_ROUNDS 40000
#define OWN_LOCAL 32

static struct kmem_cache *own_cache;
static struct mailbox own_box;
static atomic_long own_alloc, own_free, own_bad;
static atomic_int own_running, own_flushes;

struct owner_arg {
	unsigned int cpu, cpu2; /* cpu2 != cpu: move there half-way */
	unsigned long rounds;
};

static void own_check_free(void *obj, unsigned long stamp)
{
	if (*(unsigned long *)obj != stamp)
		atomic_fetch_add(&own_bad, 1);
	kmem_cache_free(own_cache, obj);
	atomic_fetch_add(&own_free, 1);
}

static void *owner_main(void *arg)
{
	struct owner_arg *a = arg;
	void *local[OWN_LOCAL] = { 0 };

	/* no cmocka assertion outside the test's thread */
	if (kslab_set_cpu(a->cpu))
		atomic_fetch_add(&own_bad, 1);
	for (unsigned long r = 0; r < a->rounds; r++) {
		unsigned int slot = r % OWN_LOCAL;
		unsigned long *obj;

		/* some flushes surely land while this thread owns its CPU */
		while (r == a->rounds * 3 / 4 && atomic_load(&own_flushes) < 10)
			sched_yield();
		if (a->cpu2 != a->cpu && r == a->rounds / 2 &&
		    kslab_set_cpu(a->cpu2))
			atomic_fetch_add(&own_bad, 1);
		obj = kmem_cache_alloc(own_cache, GFP_KERNEL);
		if (!obj)
			continue;
		atomic_fetch_add(&own_alloc, 1);
		*obj = 0x5a5a0000UL;
		if (r % 8 == 0) {
			bool put = false;

			pthread_mutex_lock(&own_box.lock);
			if (own_box.n < BOX) {
				own_box.objs[own_box.n++] = obj;
				put = true;
			}
			pthread_mutex_unlock(&own_box.lock);
			if (put)
				continue;
		}
		if (r % 8 == 4) {
			void *got = NULL;

			pthread_mutex_lock(&own_box.lock);
			if (own_box.n)
				got = own_box.objs[--own_box.n];
			pthread_mutex_unlock(&own_box.lock);
			if (got)
				own_check_free(got, 0x5a5a0000UL);
		}
		if (local[slot])
			own_check_free(local[slot], 0x5a5a0000UL);
		local[slot] = obj;
	}
	for (unsigned int i = 0; i < OWN_LOCAL; i++)
		if (local[i])
			own_check_free(local[i], 0x5a5a0000UL);
	atomic_fetch_sub(&own_running, 1);
	return NULL;
}

static void test_owners_joiners_flushes(void **state)
{
	struct owner_arg owners[3] = { { 1, 1, OWN_ROUNDS },
				       { 2, 2, OWN_ROUNDS },
				       { 3, 3, OWN_ROUNDS } };
	struct owner_arg joiner = { 2, 1, OWN_ROUNDS / 2 };
	pthread_t th[3], jth;
	unsigned long pages0;
	struct kslab_cache_info info;
	int flushes = 0;
	char *before_text = NULL;
	size_t before_len = 0;
	FILE *before;

	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=512M nr_cpus=4")),
		0);
	assert_int_equal(kslab_set_cpu(0), 0);
	pages0 = kslab_slab_pages();
	before = open_memstream(&before_text, &before_len);
	assert_non_null(before);
	kslab_show("slabinfo", before);
	fclose(before);
	own_cache = kmem_cache_create("mt-own", 64, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(own_cache);
	pthread_mutex_init(&own_box.lock, NULL);
	own_box.n = 0;
	atomic_store(&own_running, 4);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, owner_main,
						&owners[i]),
				 0);
	/* the joiner comes once the owners are under way */
	while (atomic_load(&own_alloc) < OWN_ROUNDS / 4)
		sched_yield();
	assert_int_equal(pthread_create(&jth, NULL, owner_main, &joiner), 0);
	while (atomic_load(&own_running) > 0) {
		kmem_cache_shrink(own_cache); /* flushes the owners' CPUs */
		atomic_store(&own_flushes, ++flushes);
		sched_yield();
	}
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	pthread_join(jth, NULL);
	while (own_box.n)
		own_check_free(own_box.objs[--own_box.n], 0x5a5a0000UL);
	printf("owners: allocated %ld, freed %ld, %d flushes\n",
	       atomic_load(&own_alloc), atomic_load(&own_free), flushes);
	assert_int_equal(atomic_load(&own_bad), 0);
	assert_int_equal(atomic_load(&own_alloc), atomic_load(&own_free));
	kmem_cache_shrink(own_cache);
	assert_int_equal(kslab_cache_info(own_cache, &info), 0);
	assert_int_equal(info.active_objs, 0);
	assert_int_equal(info.num_slabs, 0);
	kmem_cache_destroy(own_cache);
	if (kslab_slab_pages() != pages0) { /* say which cache kept them */
		printf("slabinfo before:\n%s\nafter:\n", before_text);
		kslab_show("slabinfo", stdout);
	}
	free(before_text);
	assert_int_equal(kslab_slab_pages(), pages0);
	kslab_shutdown();
}

/* ---- a thread of an earlier boot ---------------------------------------- */

static struct kmem_cache *stale_c1, *stale_c2;
static pthread_barrier_t stale_phase;
static unsigned int stale_cpu1, stale_cpu2;
static atomic_long stale_bad;

#define STALE_OBJS 2000

static void stale_round(struct kmem_cache *c, unsigned long tag)
{
	static __thread unsigned long *v[STALE_OBJS];

	for (int i = 0; i < STALE_OBJS; i++) {
		v[i] = kmem_cache_alloc(c, GFP_KERNEL);
		if (!v[i]) {
			atomic_fetch_add(&stale_bad, 1);
			continue;
		}
		*v[i] = tag + (unsigned long)i;
	}
	for (int i = 0; i < STALE_OBJS; i++) {
		if (!v[i])
			continue;
		if (*v[i] != tag + (unsigned long)i)
			atomic_fetch_add(&stale_bad, 1);
		kmem_cache_free(c, v[i]);
	}
}

/* kmalloc()/kfree() pairs: kfree() guesses the cache of the last kmalloc() */
static void stale_kmalloc_round(void)
{
	for (int i = 0; i < STALE_OBJS; i++) {
		unsigned long *p =
			kmalloc(48 + (size_t)(i % 5) * 40, GFP_KERNEL);

		if (!p) {
			atomic_fetch_add(&stale_bad, 1);
			continue;
		}
		*p = (unsigned long)i;
		kfree(p);
	}
}

static void *stale_main(void *arg)
{
	(void)arg;
	stale_kmalloc_round();
	stale_round(stale_c1, 0x1000000);
	stale_cpu1 = kslab_this_cpu();
	pthread_barrier_wait(&stale_phase); /* the machine reboots */
	pthread_barrier_wait(&stale_phase);
	/* still marked as the owner of a CPU of the last boot, its kfree()
	 * guess a cache of the last boot */
	stale_kmalloc_round();
	stale_round(stale_c2, 0x2000000);
	stale_cpu2 = kslab_this_cpu();
	return NULL;
}

/*
 * A thread that owned a CPU of one boot, idle across a reboot into a
 * machine with fewer CPUs, then allocating again while the main thread
 * owns the new boot's only CPU: it must get a CPU of the new boot (and
 * share it, under the lock), with nothing lost on either side.
 */
static void test_thread_across_reboot(void **state)
{
	struct kslab_cache_info info;
	pthread_t th;

	(void)state;
	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=256M nr_cpus=4")),
		0);
	assert_int_equal(kslab_set_cpu(0), 0);
	stale_c1 = kmem_cache_create("mt-stale1", 96, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(stale_c1);
	pthread_barrier_init(&stale_phase, NULL, 2);
	assert_int_equal(pthread_create(&th, NULL, stale_main, NULL), 0);
	pthread_barrier_wait(&stale_phase);
	assert_true(stale_cpu1 >= 1 && stale_cpu1 < 4);
	kmem_cache_destroy(stale_c1);
	kslab_shutdown();

	assert_int_equal(
		kslab_boot(test_boot_line("arch=x86_64 mem=256M nr_cpus=1")),
		0);
	assert_int_equal(kslab_set_cpu(0), 0);
	stale_c2 = kmem_cache_create("mt-stale2", 96, 0, SLAB_NO_MERGE, NULL);
	assert_non_null(stale_c2);
	pthread_barrier_wait(&stale_phase);
	for (int r = 0; r < 20; r++)
		stale_round(stale_c2, 0x3000000);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&stale_phase);
	assert_int_equal(stale_cpu2, 0);
	assert_int_equal(atomic_load(&stale_bad), 0);
	kmem_cache_shrink(stale_c2);
	assert_int_equal(kslab_cache_info(stale_c2, &info), 0);
	assert_int_equal(info.active_objs, 0);
	assert_int_equal(info.num_slabs, 0);
	kmem_cache_destroy(stale_c2);
	kslab_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cross_thread_frees),
		cmocka_unit_test(test_owners_joiners_flushes),
		cmocka_unit_test(test_thread_across_reboot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
