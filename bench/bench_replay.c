// SPDX-License-Identifier: MIT
/*
 * Replay speed: parsing (lines a second, plain text and the bundled xz),
 * and replaying (events a second per policy, one core, without the
 * second pass for the peak table). Medians of REPS runs.
 *
 *   bench_replay [REPS] [TRACE]   (default: 3, the bundled trace)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <kslab/kslab.h>
#include "bench_util.h"
#include "input/datadir.h"
#include "replay/replay.h"

/* seconds to parse path into s (s is left filled) */
static double parse(const char *path, struct trace_stream *s)
{
	char err[256];
	double t0 = bench_now_ns() / 1e9;

	trace_stream_init(s);
	if (trace_stream_read(s, path, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_replay: %s\n", err);
		exit(1);
	}
	trace_stream_finish(s);
	return bench_now_ns() / 1e9 - t0;
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
	double t[32], lines;
	char err[256], *slabs;

	if (reps < 1 || reps > 32)
		reps = 3;
	for (int r = 0; r < reps; r++) {
		t[r] = parse(trace, &s);
		if (r + 1 < reps)
			trace_stream_free(&s);
	}
	lines = (double)s.counts.lines;
	printf("parse %s: %.0f lines, median %.3f s, %.2f M lines/s\n", trace,
	       lines, bench_median(t, reps),
	       lines / bench_median(t, reps) / 1e6);
	if (plain) {
		struct trace_stream p;

		for (int r = 0; r < reps; r++) {
			t[r] = parse(plain, &p);
			trace_stream_free(&p);
		}
		printf("parse %s (plain): median %.3f s, %.2f M lines/s\n",
		       plain, bench_median(t, reps),
		       lines / bench_median(t, reps) / 1e6);
	}
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
