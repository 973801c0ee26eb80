/* SPDX-License-Identifier: MIT */
/* What every benchmark needs: a monotonic clock and the median of runs. */
#ifndef KSLAB_BENCH_UTIL_H
#define KSLAB_BENCH_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (v is sorted in place). */
static inline double bench_median(double *v, int n)
{
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return v[n / 2];
}

/* ns per call of fn: the median of reps runs of iters calls each */
static inline double bench_median_ns(void (*fn)(void), int reps, long iters)
{
	double v[64];

	if (reps > 64)
		reps = 64;
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now_ns();

		for (long i = 0; i < iters; i++)
			fn();
		v[r] = (bench_now_ns() - t0) / iters;
	}
	return bench_median(v, reps);
}

/*
 * ns per object of run(workload, n): one warm-up run of n / 10, then the
 * median of reps timed runs (at most 64).
 */
static inline double bench_time_workload(void (*run)(const char *, long),
					 const char *workload, int reps, long n)
{
	double v[64];

	if (reps < 1)
		reps = 1;
	if (reps > 64)
		reps = 64;
	run(workload, n / 10);
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now_ns();

		run(workload, n);
		v[r] = (bench_now_ns() - t0) / n;
	}
	return bench_median(v, reps);
}

/*
 * The command line the peer-comparison scripts (bench/peers.inc) drive:
 *   BIN count|count-none API WORKLOAD N    one run, for callgrind
 *   BIN time API WORKLOAD REPS N            median ns per object
 */
struct bench_ops {
	const char *name;
	void (*setup)(const char *api);
	void (*warm_up)(void);
	bool warm_up_before_time; /* also before the timed runs */
	void (*use_none)(void);	  /* the allocator-free twins (count-none) */
	void (*run)(const char *workload, long n);
};

static inline int bench_main(int argc, char **argv, const struct bench_ops *o)
{
	if (argc == 5 &&
	    (!strcmp(argv[1], "count") || !strcmp(argv[1], "count-none"))) {
		o->setup(argv[2]);
		o->warm_up();
		if (!strcmp(argv[1], "count-none"))
			o->use_none();
		o->run(argv[3], atol(argv[4]));
		return 0;
	}
	if (argc == 6 && !strcmp(argv[1], "time")) {
		o->setup(argv[2]);
		if (o->warm_up_before_time)
			o->warm_up();
		printf("%.2f\n",
		       bench_time_workload(o->run, argv[3], atoi(argv[4]),
					   atol(argv[5])));
		return 0;
	}
	fprintf(stderr,
		"usage: %s time API WORKLOAD REPS N | count[-none] API WORKLOAD N\n",
		o->name);
	return 2;
}

#endif
