// SPDX-License-Identifier: MIT
/*
 * Object allocator benchmark: kslab's kmem_cache_alloc/kmem_cache_free
 * beside malloc/free (whichever malloc is preloaded: glibc, jemalloc,
 * tcmalloc, mimalloc). bench/slab.sh runs it for each.
 *
 *   bench_slab time API WORKLOAD REPS N    median ns per object of REPS runs
 *   bench_slab count API WORKLOAD N        run once (for callgrind)
 *   bench_slab count-none API WORKLOAD N   the same without the allocator
 *                                          calls (the baseline subtracted)
 *
 * API: kslab | sheaf | malloc (sheaf: kslab with every cache created with
 * sheaf_capacity 32, as 6.18's maple_node and vm_area_struct). WORKLOAD:
 *   pair     alloc then free 64 bytes, N times
 *   batch    1000 objects of 64 bytes allocated, then freed; N/1000 times
 *   rfree    64 bytes, 10,000 live objects, N random replacements (one
 *            free at a random place, one allocation)
 *   mix      a kernel-like mix of sizes, 10,000 live objects, N replacements
 *   xthread  one thread allocates 64 bytes, another frees, through a ring
 *            (for kslab the two run as CPUs 0 and 1: remote frees)
 *   pinned   pair, run by a new thread that pins itself to CPU 0 with
 *            kslab_set_cpu(0) while main (which booted, and owns CPU 0
 *            since its first allocation) waits: the thread must get the
 *            owner's fast path (issue 14 item 5)
 *
 * The functions pair_API, batch_API, rfree_API and mix_API are what
 * callgrind measures (--toggle-collect), less their *_none twins: one
 * pair, 1000 pairs, one free and one allocation.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kslab/kslab.h>
#include "bench_util.h"

#define LIVE 10000
#define BATCH 1000
#define RING 1024

static bool use_kslab;
static struct kmem_cache *c64;
/* the kmalloc classes of x86_64 and a weighting like a kernel build's trace */
static const unsigned int classes[] = { 8,   16,  32,  64,   96,   128,
					192, 256, 512, 1024, 2048, 4096 };
static const unsigned int weights[] = {
	10, 12, 18, 20, 6, 10, 6, 8, 5, 3, 1, 1
};
static struct kmem_cache *class_cache[12];

#define NOINLINE __attribute__((noinline))
#define KEEP(p) __asm__ volatile("" : : "r"(p) : "memory")

/*
 * What callgrind measures (bench/slab.sh, --toggle-collect): pair_API is
 * one alloc+free pair, batch_API 1000 allocations then 1000 frees,
 * mix_API one free and one allocation of the mix; each has a *_none twin
 * with the same frame and loop and the allocator calls left out, whose
 * count is subtracted, so that what is left is the calls themselves
 * (argument set-up, call, the allocator's instructions, return). Each
 * API has its own copy, so that no test of which API runs is counted.
 */
#define DEFINE_API(api, ALLOC, FREE)                                    \
	static inline __attribute__((always_inline)) void *api##_alloc( \
		struct kmem_cache *s, size_t size)                      \
	{                                                               \
		(void)s;                                                \
		(void)size;                                             \
		return ALLOC;                                           \
	}                                                               \
	static inline __attribute__((always_inline)) void api##_free(   \
		struct kmem_cache *s, void *p)                          \
	{                                                               \
		(void)s;                                                \
		FREE;                                                   \
	}                                                               \
	NOINLINE void pair_##api(void);                                 \
	NOINLINE void pair_##api(void)                                  \
	{                                                               \
		void *p = api##_alloc(c64, 64);                         \
                                                                        \
		KEEP(p);                                                \
		api##_free(c64, p);                                     \
	}                                                               \
	NOINLINE void pinned_##api(void);                               \
	NOINLINE void pinned_##api(void)                                \
	{                                                               \
		void *p = api##_alloc(c64, 64);                         \
                                                                        \
		KEEP(p);                                                \
		api##_free(c64, p);                                     \
	}                                                               \
	NOINLINE void batch_##api(void **v);                            \
	NOINLINE void batch_##api(void **v)                             \
	{                                                               \
		for (int i = 0; i < BATCH; i++) {                       \
			v[i] = api##_alloc(c64, 64);                    \
			KEEP(v[i]);                                     \
		}                                                       \
		for (int i = 0; i < BATCH; i++)                         \
			api##_free(c64, v[i]);                          \
	}                                                               \
	NOINLINE void *mix_##api(struct kmem_cache *os, void *old,      \
				 struct kmem_cache *ns, size_t size);   \
	NOINLINE void *mix_##api(struct kmem_cache *os, void *old,      \
				 struct kmem_cache *ns, size_t size)    \
	{                                                               \
		api##_free(os, old);                                    \
		return api##_alloc(ns, size);                           \
	}                                                               \
	NOINLINE void *rfree_##api(struct kmem_cache *s, void *old);    \
	NOINLINE void *rfree_##api(struct kmem_cache *s, void *old)     \
	{                                                               \
		api##_free(s, old);                                     \
		return api##_alloc(s, 64);                              \
	}

DEFINE_API(kslab, kmem_cache_alloc(s, GFP_KERNEL), kmem_cache_free(s, p))
DEFINE_API(sheaf, kmem_cache_alloc(s, GFP_KERNEL), kmem_cache_free(s, p))
DEFINE_API(malloc, malloc(size), free(p))
DEFINE_API(none, ({
		   KEEP(s);
		   KEEP(size);
		   (void *)s;
	   }),
	   KEEP(p))

static void *obj_alloc(struct kmem_cache *s, size_t size)
{
	return use_kslab ? kslab_alloc(s, size) : malloc_alloc(s, size);
}

static void obj_free(struct kmem_cache *s, void *p)
{
	if (use_kslab)
		kslab_free(s, p);
	else
		malloc_free(s, p);
}

/* the measured functions of the chosen API (or of none) */
static void (*pair_fn)(void);
static void (*pinned_fn)(void); /* pair's twin, named for callgrind */
static void (*batch_fn)(void **);
static void *(*mix_fn)(struct kmem_cache *, void *, struct kmem_cache *,
		       size_t);
static void *(*rfree_fn)(struct kmem_cache *, void *);

static unsigned int rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(*s >> 33);
}

static unsigned int pick_class(unsigned long long *s)
{
	unsigned int total = 0, r;

	for (size_t i = 0; i < 12; i++)
		total += weights[i];
	r = rnd(s) % total;
	for (unsigned int i = 0; i < 12; i++) {
		if (r < weights[i])
			return i;
		r -= weights[i];
	}
	return 0;
}

static void run_mix(long n)
{
	static void *live[LIVE];
	static unsigned char cls[LIVE];
	unsigned long long seed = 42;

	for (int i = 0; i < LIVE; i++) {
		cls[i] = (unsigned char)pick_class(&seed);
		live[i] = obj_alloc(class_cache[cls[i]],
				    classes[cls[i]] - rnd(&seed) % 8);
	}
	for (long k = 0; k < n; k++) {
		unsigned int i = rnd(&seed) % LIVE;
		unsigned int oc = cls[i];

		cls[i] = (unsigned char)pick_class(&seed);
		live[i] = mix_fn(class_cache[oc], live[i], class_cache[cls[i]],
				 classes[cls[i]] - rnd(&seed) % 8);
		KEEP(live[i]);
	}
	if (mix_fn == mix_none) /* live[] holds no objects */
		return;
	for (int i = 0; i < LIVE; i++)
		obj_free(class_cache[cls[i]], live[i]);
}

static void run_rfree(long n)
{
	static void *live[LIVE];
	unsigned long long seed = 42;

	for (int i = 0; i < LIVE; i++)
		live[i] = obj_alloc(c64, 64);
	for (long k = 0; k < n; k++) {
		unsigned int i = rnd(&seed) % LIVE;

		live[i] = rfree_fn(c64, live[i]);
		KEEP(live[i]);
	}
	if (rfree_fn == rfree_none) /* live[] holds no objects */
		return;
	for (int i = 0; i < LIVE; i++)
		obj_free(c64, live[i]);
}

/* spin a little, then let the other thread run (the host may have fewer
 * CPUs free than threads) */
static void ring_wait(unsigned int *spins)
{
	if (++*spins < 64)
		__builtin_ia32_pause();
	else
		sched_yield();
}

struct ring {
	_Atomic(void *) slot[RING];
	long n;
};

static void *consumer(void *arg)
{
	struct ring *r = arg;

	/* kslab: the freeing thread runs as another CPU than the allocating
	 * one (CPU 1 vs 0), so every free is a remote (cross-CPU) free */
	if (use_kslab)
		kslab_set_cpu(1);

	for (long k = 0; k < r->n; k++) {
		_Atomic(void *) *s = &r->slot[k % RING];
		void *p;

		unsigned int spins = 0;

		while (!(p = atomic_load_explicit(s, memory_order_acquire)))
			ring_wait(&spins);
		atomic_store_explicit(s, NULL, memory_order_relaxed);
		obj_free(c64, p);
	}
	return NULL;
}

static void run_xthread(long n)
{
	static struct ring r;
	pthread_t th;

	memset(&r, 0, sizeof(r));
	r.n = n;
	if (use_kslab)
		kslab_set_cpu(0);
	pthread_create(&th, NULL, consumer, &r);
	for (long k = 0; k < n; k++) {
		_Atomic(void *) *s = &r.slot[k % RING];
		void *p = obj_alloc(c64, 64);
		unsigned int spins = 0;

		while (atomic_load_explicit(s, memory_order_relaxed))
			ring_wait(&spins);
		atomic_store_explicit(s, p, memory_order_release);
	}
	pthread_join(th, NULL);
}

static void *pinned_worker(void *arg)
{
	long n = *(long *)arg;

	if (use_kslab && kslab_set_cpu(0))
		exit(1);
	for (long i = 0; i < n; i++)
		pinned_fn();
	return NULL;
}

static void run_pinned(long n)
{
	pthread_t th;

	/* main, which booted, runs as a CPU (the first: 0) and owns it,
	 * then waits */
	obj_free(c64, obj_alloc(c64, 64));
	pthread_create(&th, NULL, pinned_worker, &n);
	pthread_join(th, NULL);
}

static void run(const char *w, long n)
{
	static void *v[BATCH];

	if (!strcmp(w, "pair"))
		for (long i = 0; i < n; i++)
			pair_fn();
	else if (!strcmp(w, "batch"))
		for (long i = 0; i < n / BATCH; i++)
			batch_fn(v);
	else if (!strcmp(w, "mix"))
		run_mix(n);
	else if (!strcmp(w, "rfree"))
		run_rfree(n);
	else if (!strcmp(w, "xthread"))
		run_xthread(n);
	else if (!strcmp(w, "pinned"))
		run_pinned(n);
	else {
		fprintf(stderr, "bench_slab: unknown workload %s\n", w);
		exit(2);
	}
}

static void setup(const char *api)
{
	bool sheaf = !strcmp(api, "sheaf");
	struct kmem_cache_args args = { .sheaf_capacity = sheaf ? 32 : 0 };

	use_kslab = sheaf || !strcmp(api, "kslab");
	pair_fn = sheaf ? pair_sheaf : use_kslab ? pair_kslab : pair_malloc;
	pinned_fn = sheaf     ? pinned_sheaf :
		    use_kslab ? pinned_kslab :
				pinned_malloc;
	batch_fn = sheaf ? batch_sheaf : use_kslab ? batch_kslab : batch_malloc;
	mix_fn = sheaf ? mix_sheaf : use_kslab ? mix_kslab : mix_malloc;
	rfree_fn = sheaf ? rfree_sheaf : use_kslab ? rfree_kslab : rfree_malloc;
	if (!use_kslab)
		return;
	if (kslab_boot("arch=x86_64 mem=2G nr_cpus=2")) {
		fprintf(stderr, "bench_slab: boot failed\n");
		exit(1);
	}
	c64 = kmem_cache_create_args("bench-pair", 64, &args, SLAB_NO_MERGE);
	for (int i = 0; i < 12; i++) {
		char name[32];

		snprintf(name, sizeof(name), "bench-%u", classes[i]);
		class_cache[i] =
			kmem_cache_create_args(name, classes[i], &args, 0);
	}
}

/* a warm-up outside the measured functions: the first slabs, the CPU */
static void warm_up(void)
{
	static void *v[BATCH];

	for (int i = 0; i < BATCH; i++)
		v[i] = obj_alloc(c64, 64);
	for (int i = 0; i < BATCH; i++)
		obj_free(c64, v[i]);
}

/* count-none: the measured functions without their allocator calls */
static void use_none(void)
{
	pair_fn = pair_none;
	pinned_fn = pinned_none;
	batch_fn = batch_none;
	mix_fn = mix_none;
	rfree_fn = rfree_none;
}

int main(int argc, char **argv)
{
	static const struct bench_ops ops = {
		.name = "bench_slab",
		.setup = setup,
		.warm_up = warm_up,
		.warm_up_before_time = false,
		.use_none = use_none,
		.run = run,
	};

	return bench_main(argc, argv, &ops);
}
