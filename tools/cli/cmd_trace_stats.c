// SPDX-License-Identifier: MIT
/*
 * kslab trace-stats [TRACE...] [--format table|json|csv] [--top N]
 *
 * Reads kmem traces into one event stream and prints what they hold.
 * Without TRACE, the traces bundled with kslab. Exit status 0, 1 when the
 * report could not be written, 2 for bad arguments or unreadable traces.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/commands.h"
#include "output/output.h"
#include "input/datadir.h"
#include "trace/trace_stats.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kslab trace-stats [TRACE...] [--format table|json|csv] "
		"[--top N]\n"
		"\n"
		"Summarise kmem traces (ftrace text of trace/trace_pipe, trace-cmd\n"
		"report or perf script; plain, xz or gzip; '-' is standard input):\n"
		"event counts, skipped and bad lines, free/alloc pairing, the top N\n"
		"call sites by allocations and by bytes lost to the size class\n"
		"(default 10), the top caches, the kmalloc request-size histogram\n"
		"and the x86_64 size-class conformance. Without TRACE, the traces\n"
		"bundled with kslab.\n");
}

static int read_all(struct trace_stream *s, char **files, size_t n)
{
	struct trace_read_opts opts = { .progress = 1 };
	char err[512];

	for (size_t i = 0; i < n; i++) {
		int r = trace_stream_read(s, files[i], &opts, err, sizeof(err));

		if (r < 0) {
			fprintf(stderr, "kslab trace-stats: %s\n", err);
			return -1;
		}
		if (r > 0)
			fprintf(stderr, "kslab trace-stats: warning: %s\n",
				err);
	}
	trace_stream_finish(s);
	return 0;
}

int cmd_trace_stats(int argc, char **argv)
{
	enum out_format fmt = OUT_TABLE;
	char **files = calloc((size_t)argc + 1, sizeof(char *));
	size_t nr = 0, nb = 0;
	char **bundled = NULL;
	struct trace_stream s;
	struct trace_stats st;
	long top = 10;
	int ret = 2;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(files);
			return 0;
		} else if (!strcmp(a, "--format") && i + 1 < argc) {
			if (out_format_parse(argv[++i], &fmt))
				goto bad_arg;
		} else if (!strncmp(a, "--format=", 9)) {
			if (out_format_parse(a + 9, &fmt))
				goto bad_arg;
		} else if (!strcmp(a, "--top") && i + 1 < argc) {
			top = strtol(argv[++i], NULL, 10);
			if (top < 0 || top > 100000)
				goto bad_arg;
		} else if (a[0] == '-' && a[1]) {
			goto bad_arg;
		} else {
			files[nr++] = argv[i];
		}
		continue;
bad_arg:
		fprintf(stderr, "kslab trace-stats: bad argument '%s'\n", a);
		usage(stderr);
		free(files);
		return 2;
	}
	if (!nr) {
		nb = kslab_bundled_traces(&bundled);
		if (!nb) {
			fprintf(stderr, "kslab trace-stats: no TRACE given and "
					"no bundled traces found\n");
			free(files);
			return 2;
		}
	}
	trace_stream_init(&s);
	if (!read_all(&s, nr ? files : bundled, nr ? nr : nb)) {
		if (trace_stats_compute(&s, &st)) {
			fprintf(stderr, "kslab trace-stats: out of memory\n");
		} else {
			ret = trace_stats_print(&s, &st, fmt, (uint32_t)top,
						stdout) ?
				      2 :
				      0;
			trace_stats_free(&st);
		}
	}
	trace_stream_free(&s);
	kslab_free_paths(bundled, nb);
	free(files);
	if (!ret && out_close_stdout("trace-stats"))
		ret = 1;
	return ret;
}
