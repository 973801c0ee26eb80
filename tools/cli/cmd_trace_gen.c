// SPDX-License-Identifier: MIT
/*
 * kslab trace-gen [TRACE] --copies N [-o FILE]: a big trace for
 * measuring, N pointer-rewritten copies of TRACE (default: the bundled
 * x86_64 trace) one after the other (trace/trace_gen.h). Plain text on
 * standard output or FILE; compress it with xz -T0 for a multi-block .xz.
 * Exit status 0; 1 when the output could not be written; 2 for bad
 * arguments or an unreadable trace.
 */
#include <stdlib.h>
#include <string.h>
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "input/datadir.h"
#include "output/output.h"
#include "trace/trace_gen.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kslab trace-gen [TRACE] --copies N [-o FILE]\n"
		"\n"
		"N copies (1-%u) of TRACE one after the other, each copy's pointers\n"
		"moved to a range of its own and its timestamps past the copy before,\n"
		"so that the copies replay as N times the original (the same\n"
		"anomalies, once per copy). Page and dma events and header lines\n"
		"are kept in the first copy only. Without TRACE, the bundled\n"
		"kmem-build-6.18 trace. Plain text to standard output or FILE.\n",
		TRACE_GEN_MAX_COPIES);
}

static const struct option gen_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "copies", required_argument, NULL, 'n' },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 },
};

static char *default_trace(void)
{
	const char *dir = kslab_data_dir();
	char *p;

	if (!dir)
		return NULL;
	p = malloc(strlen(dir) + 64);
	if (p)
		sprintf(p, "%s/traces/kmem-build-6.18.trace.xz", dir);
	return p;
}

int cmd_trace_gen(int argc, char **argv)
{
	unsigned int copies = 0;
	const char *outpath = NULL;
	char *trace = NULL, err[512];
	struct trace_gen_result res;
	FILE *out = stdout;
	int opt, ret = 2;

	while ((opt = cli_getopt("trace-gen", argc, argv,
				 ":hn:o:", gen_longopts)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == 'o') {
			outpath = optarg;
			continue;
		}
		if (opt != 'n' || cli_uint("trace-gen", "--copies", optarg, 1,
					   TRACE_GEN_MAX_COPIES, &copies))
			return 2;
	}
	if (!copies || argc - optind > 1) {
		fprintf(stderr, "kslab trace-gen: %s\n",
			!copies ? "--copies N is needed" : "one TRACE at most");
		return 2;
	}
	trace = optind < argc ? strdup(argv[optind]) : default_trace();
	if (!trace) {
		fprintf(stderr,
			"kslab trace-gen: no trace given and no bundled trace\n");
		return 2;
	}
	if (outpath && !(out = fopen(outpath, "w"))) {
		perror(outpath);
		free(trace);
		return 2;
	}
	if (!trace_gen(trace, copies, out, &res, err, sizeof(err))) {
		fprintf(stderr,
			"kslab trace-gen: %llu lines, %u copies of %llu, %llu s apart\n",
			(unsigned long long)res.lines_out, copies,
			(unsigned long long)(res.lines_in / copies),
			(unsigned long long)res.span_s);
		ret = 0;
	} else {
		fprintf(stderr, "kslab trace-gen: %s\n", err);
		ret = ferror(out) ? 1 : 2;
	}
	if (outpath && fclose(out) && !ret)
		ret = 1;
	if (!outpath && out_close_stdout("trace-gen") && !ret)
		ret = 1;
	free(trace);
	return ret;
}
