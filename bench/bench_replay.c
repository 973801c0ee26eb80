// SPDX-License-Identifier: MIT
/*
 * Replay speed: parsing (lines a second, plain text and the bundled xz),
 * and replaying (events a second per policy, one core, without the
 * second pass for the peak table). Medians of REPS runs.
 *
 *   bench_replay [REPS] [TRACE]   (default: 3, the bundled trace)
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <kslab/kslab.h>
#include "bench_util.h"
#include "input/datadir.h"
#include "replay/replay.h"

/* CPU seconds of the process, or of this thread */
static double cpu_s(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double cpu_all, cpu_main; /* of the last parse */

/* seconds to parse path into s with jobs threads (s is left filled) */
static double parse(const char *path, struct trace_stream *s, unsigned int jobs)
{
	struct trace_read_opts o = { .jobs = jobs };
	char err[256];
	double t0 = bench_now_ns() / 1e9;
	double c0 = cpu_s(RUSAGE_SELF), m0 = cpu_s(RUSAGE_THREAD);

	trace_stream_init(s);
	if (trace_stream_read(s, path, &o, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_replay: %s\n", err);
		exit(1);
	}
	trace_stream_finish(s);
	cpu_all = cpu_s(RUSAGE_SELF) - c0;
	cpu_main = cpu_s(RUSAGE_THREAD) - m0;
	return bench_now_ns() / 1e9 - t0;
}

/* parse path reps times with jobs threads; the median in seconds */
static double parse_median(const char *path, unsigned int jobs, int reps,
			   uint64_t *lines)
{
	struct trace_stream s;
	double t[32], ca[32], cm[32];

	for (int r = 0; r < reps; r++) {
		t[r] = parse(path, &s, jobs);
		ca[r] = cpu_all;
		cm[r] = cpu_main;
		*lines = s.counts.lines;
		trace_stream_free(&s);
	}
	cpu_all = bench_median(ca, reps);
	cpu_main = bench_median(cm, reps);
	return bench_median(t, reps);
}

static void parse_speed(const char *path, const char *what, int reps)
{
	const char *only = getenv("KSLAB_BENCH_JOBS"); /* one -j only */

	for (unsigned int jobs = 1; jobs <= 2; jobs++) {
		uint64_t lines = 0;
		double t;

		if (only && (unsigned int)atoi(only) != jobs)
			continue;
		t = parse_median(path, jobs, reps, &lines);
		printf("parse %s (%s) -j %u: %llu lines, median %.3f s, "
		       "%.2f M lines/s; CPU %.3f s, %.3f s of it the "
		       "reading/merging thread\n",
		       path, what, jobs, (unsigned long long)lines, t,
		       (double)lines / t / 1e6, cpu_all, cpu_main);
	}
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 3;
	const char *trace = argc > 2 ? argv[2] :
				       KSLAB_DATADIR
				    "/traces/kmem-build-6.18.trace.xz";
	const char *plain = getenv("KSLAB_BENCH_PLAIN"); /* decompressed copy */
	static const char *const pol[] = { "x86_64", "arm64-legacy",
					   "arm64-packed", "arm64" };
	struct slab_snapshot snap = { 0 };
	struct trace_stream s;
	double t[32];
	char err[256], *slabs;

	if (reps < 1 || reps > 32)
		reps = 3;
	parse_speed(trace, "as given", reps);
	if (plain)
		parse_speed(plain, "plain", reps);
	if (getenv("KSLAB_BENCH_PARSE_ONLY"))
		return 0;
	parse(trace, &s, 2);
	slabs = kslab_trace_slabs_path(trace);
	if (slabs && slabs_tsv_read(slabs, &snap, err, sizeof(err)))
		fprintf(stderr, "bench_replay: %s\n", err);
	for (size_t i = 0; i < sizeof(pol) / sizeof(pol[0]); i++) {
		struct replay_opts o = { .slabs = snap.nr ? &snap : NULL };
		struct replay_result res;

		for (int r = 0; r < reps; r++) {
			double t0 = bench_now_ns() / 1e9;

			replay_run(&s, replay_builtin_policy(pol[i]), &o, &res);
			t[r] = bench_now_ns() / 1e9 - t0;
			replay_result_free(&res);
		}
		printf("replay %-14s %zu events, median %.3f s, %.2f M events/s\n",
		       pol[i], s.nr, bench_median(t, reps),
		       s.nr / bench_median(t, reps) / 1e6);
	}
	free(slabs);
	slabs_free(&snap);
	trace_stream_free(&s);
	return 0;
}
