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
#include <limits.h>
#include "cli/cli_opts.h"
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
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	/* one parsing thread a core, as kslab replay's default -j */
	struct trace_read_opts opts = {
		.progress = 1, .jobs = cores > 0 ? (unsigned int)cores : 1
	};
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

static const struct option stats_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "format", required_argument, NULL, 'f' },
	{ "top", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 },
};

/* 0; -1 after a message, with *top UINT_MAX for --help (usage printed) */
static int parse_args(int argc, char **argv, enum out_format *fmt,
		      unsigned int *top)
{
	int opt;

	while ((opt = cli_getopt("trace-stats", argc, argv, ":h",
				 stats_longopts)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			*top = UINT_MAX;
			return -1;
		case 'f':
			if (!out_format_parse(optarg, fmt))
				break;
			fprintf(stderr,
				"kslab trace-stats: --format table, json or csv\n");
			return -1;
		case 't':
			if (cli_uint("trace-stats", "--top", optarg, 0, 100000,
				     top))
				return -1;
			break;
		default:
			usage(stderr);
			return -1;
		}
	}
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
	unsigned int top = 10;
	int ret = 2;

	if (parse_args(argc, argv, &fmt, &top)) {
		free(files);
		return top == UINT_MAX ? 0 : 2;
	}
	for (int i = optind; i < argc; i++)
		files[nr++] = argv[i];
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
			ret = trace_stats_print(&s, &st, fmt, top, stdout) ? 2 :
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
