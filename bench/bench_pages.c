// SPDX-License-Identifier: MIT
/*
 * Page allocator benchmark: alloc_pages + __free_pages pairs of order 0
 * (the per-CPU list path) and order 3 (the largest pcp order), on one
 * thread, after a warm-up that fills the per-CPU lists.
 *
 *   bench_pages time  REPS ITERS   nanoseconds per pair, median of REPS
 *   bench_pages count ITERS        run pair_order0/pair_order3 ITERS times
 *                                  each (for callgrind --toggle-collect)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kslab/kslab.h>
#include "bench_util.h"

__attribute__((noinline)) void pair_order0(void);
__attribute__((noinline)) void pair_order3(void);

__attribute__((noinline)) void pair_order0(void)
{
	__free_pages(alloc_pages(GFP_KERNEL, 0), 0);
}

__attribute__((noinline)) void pair_order3(void)
{
	__free_pages(alloc_pages(GFP_KERNEL, 3), 3);
}

int main(int argc, char **argv)
{
	long iters = argc > 2 ? atol(argv[argc - 1]) : 1000000;

	if (kslab_boot("arch=x86_64 mem=1G nr_cpus=1"))
		return 1;
	kslab_set_cpu(0);
	pair_order0();
	pair_order3();
	if (argc > 1 && !strcmp(argv[1], "count")) {
		for (long i = 0; i < iters; i++)
			pair_order0();
		for (long i = 0; i < iters; i++)
			pair_order3();
	} else {
		int reps = argc > 2 ? atoi(argv[2]) : 11;

		printf("order-0 alloc+free: %.1f ns/pair (median of %d x %ld)\n",
		       bench_median_ns(pair_order0, reps, iters), reps, iters);
		printf("order-3 alloc+free: %.1f ns/pair (median of %d x %ld)\n",
		       bench_median_ns(pair_order3, reps, iters), reps, iters);
	}
	kslab_shutdown();
	return 0;
}
