// SPDX-License-Identifier: MIT
/*
 * kmalloc benchmark: kslab's kmalloc/kfree beside malloc/free (whichever
 * malloc is preloaded: glibc, jemalloc, tcmalloc, mimalloc). bench/kmalloc.sh
 * runs it for each.
 *
 *   bench_kmalloc time API WORKLOAD REPS N    median ns per object of REPS runs
 *   bench_kmalloc count API WORKLOAD N        run once (for callgrind)
 *   bench_kmalloc count-none API WORKLOAD N   the same without the allocator
 *                                             calls (the baseline subtracted)
 *
 * API: kslab | malloc. WORKLOAD:
 *   const   alloc then free of 64 bytes, the size a compile-time constant
 *           (kmalloc picks its cache at compile time, as in the kernel)
 *   var     alloc then free, sizes from a kernel-like mix (8 B to 4 KiB),
 *           known only at run time
 *   mix     the same sizes, 10,000 live objects, N random replacements
 *   batch   1000 objects of 64 bytes allocated, then freed (kfree() of an
 *           object that is not the last one allocated); N/1000 times
 *
 * What callgrind measures (--toggle-collect): const_API, var_API,
 * mix_API and batch_API (1000 pairs), less their *_none twins (same frame and loop, no allocator
 * call), so that the count is the calls themselves.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kslab/kslab.h>
#include "bench_util.h"

#define LIVE 10000
#define NSIZES 4096
#define BATCH 1000

#define NOINLINE __attribute__((noinline))
#define KEEP(p) __asm__ volatile("" : : "r"(p) : "memory")

/* the kmalloc classes of x86_64 and a weighting like a kernel build's trace */
static const unsigned int classes[] = { 8,   16,  32,  64,   96,   128,
					192, 256, 512, 1024, 2048, 4096 };
static const unsigned int weights[] = {
	10, 12, 18, 20, 6, 10, 6, 8, 5, 3, 1, 1
};
static size_t sizes[NSIZES]; /* drawn once, before timing */
static bool use_kslab;

#define DEFINE_API(api, ALLOC, FREE)                                          \
	static inline                                                         \
		__attribute__((always_inline)) void *api##_alloc(size_t size) \
	{                                                                     \
		return ALLOC;                                                 \
	}                                                                     \
	static inline __attribute__((always_inline)) void api##_free(void *p) \
	{                                                                     \
		FREE;                                                         \
	}                                                                     \
	NOINLINE void const_##api(void);                                      \
	NOINLINE void const_##api(void)                                       \
	{                                                                     \
		void *p = api##_alloc(64);                                    \
                                                                              \
		KEEP(p);                                                      \
		api##_free(p);                                                \
	}                                                                     \
	NOINLINE void var_##api(size_t size);                                 \
	NOINLINE void var_##api(size_t size)                                  \
	{                                                                     \
		void *p = api##_alloc(size);                                  \
                                                                              \
		KEEP(p);                                                      \
		api##_free(p);                                                \
	}                                                                     \
	NOINLINE void *mix_##api(void *old, size_t size);                     \
	NOINLINE void *mix_##api(void *old, size_t size)                      \
	{                                                                     \
		api##_free(old);                                              \
		return api##_alloc(size);                                     \
	}                                                                     \
	NOINLINE void batch_##api(void **v);                                  \
	NOINLINE void batch_##api(void **v)                                   \
	{                                                                     \
		for (int i = 0; i < BATCH; i++) {                             \
			v[i] = api##_alloc(64);                               \
			KEEP(v[i]);                                           \
		}                                                             \
		for (int i = 0; i < BATCH; i++)                               \
			api##_free(v[i]);                                     \
	}

DEFINE_API(kslab, kmalloc(size, GFP_KERNEL), kfree(p))
DEFINE_API(malloc, malloc(size), free(p))
DEFINE_API(none, ({
		   KEEP(size);
		   (void *)sizes;
	   }),
	   KEEP(p))

static void (*const_fn)(void);
static void (*var_fn)(size_t);
static void *(*mix_fn)(void *, size_t);
static void (*batch_fn)(void **);

static unsigned int rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned int)(*s >> 33);
}

static void draw_sizes(void)
{
	unsigned long long seed = 7;
	unsigned int total = 0;

	for (size_t i = 0; i < 12; i++)
		total += weights[i];
	for (size_t k = 0; k < NSIZES; k++) {
		unsigned int r = rnd(&seed) % total, i = 0;

		while (r >= weights[i])
			r -= weights[i++];
		sizes[k] = classes[i] - rnd(&seed) % (classes[i] / 2);
	}
}

static void run_mix(long n)
{
	static void *live[LIVE];
	unsigned long long seed = 42;

	for (int i = 0; i < LIVE; i++)
		live[i] = use_kslab ? kslab_alloc(sizes[i % NSIZES]) :
				      malloc_alloc(sizes[i % NSIZES]);
	for (long k = 0; k < n; k++) {
		unsigned int i = rnd(&seed) % LIVE;

		live[i] = mix_fn(live[i], sizes[k % NSIZES]);
		KEEP(live[i]);
	}
	if (mix_fn == mix_none) /* live[] holds no objects */
		return;
	for (int i = 0; i < LIVE; i++)
		use_kslab ? kslab_free(live[i]) : malloc_free(live[i]);
}

static void run(const char *w, long n)
{
	if (!strcmp(w, "const"))
		for (long i = 0; i < n; i++)
			const_fn();
	else if (!strcmp(w, "var"))
		for (long i = 0; i < n; i++)
			var_fn(sizes[i % NSIZES]);
	else if (!strcmp(w, "mix"))
		run_mix(n);
	else if (!strcmp(w, "batch")) {
		static void *v[BATCH];

		for (long i = 0; i < n / BATCH; i++)
			batch_fn(v);
	} else {
		fprintf(stderr, "bench_kmalloc: unknown workload %s\n", w);
		exit(2);
	}
}

static void setup(const char *api)
{
	use_kslab = !strcmp(api, "kslab");
	const_fn = use_kslab ? const_kslab : const_malloc;
	var_fn = use_kslab ? var_kslab : var_malloc;
	mix_fn = use_kslab ? mix_kslab : mix_malloc;
	batch_fn = use_kslab ? batch_kslab : batch_malloc;
	draw_sizes();
	if (use_kslab && kslab_boot("arch=x86_64 mem=2G nr_cpus=2")) {
		fprintf(stderr, "bench_kmalloc: boot failed\n");
		exit(1);
	}
}

/* the first slabs of every class, outside the measured functions */
static void warm_up(void)
{
	static void *v[NSIZES];

	for (int i = 0; i < NSIZES; i++)
		v[i] = use_kslab ? kslab_alloc(sizes[i]) :
				   malloc_alloc(sizes[i]);
	for (int i = 0; i < NSIZES; i++)
		use_kslab ? kslab_free(v[i]) : malloc_free(v[i]);
}

/* count-none: the measured functions without their allocator calls */
static void use_none(void)
{
	const_fn = const_none;
	var_fn = var_none;
	mix_fn = mix_none;
	batch_fn = batch_none;
}

int main(int argc, char **argv)
{
	static const struct bench_ops ops = {
		.name = "bench_kmalloc",
		.setup = setup,
		.warm_up = warm_up,
		.warm_up_before_time = true,
		.use_none = use_none,
		.run = run,
	};

	return bench_main(argc, argv, &ops);
}
