// SPDX-License-Identifier: MIT
/*
 * The kslab command: one entry point, one subcommand per job.
 *
 *   kslab show VIEW [--boot CMDLINE]    print a /proc-style view
 *
 * Exit status: 0; 1 when the output could not be written (full disk,
 * closed standard output); 2 for bad arguments, a boot that fails (a bad
 * command line, too little memory) or an unknown view.
 *   kslab replay [TRACE...] [options]   replay traces under slab policies
 *   kslab trace-stats [TRACE...]        summarise kmem traces
 *   kslab trace-gen [TRACE] --copies N  a big trace from copies of one
 *   kslab record ...                    record kmem events, /sys/kernel/slab
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kslab/kslab.h>
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "output/output.h"

#define KSLAB_VIEWS \
	"buddyinfo, zoneinfo, meminfo, zones, slabinfo, slabs, swiotlb, kmalloc"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kslab COMMAND [ARGS]\n"
		"\n"
		"Commands:\n"
		"  show VIEW [--boot CMDLINE]   boot a simulated machine and print one of\n"
		"                               its views: " KSLAB_VIEWS "\n"
		"  replay [TRACE...] [options]  replay kernel allocation traces under\n"
		"                               several slab policies side by side (see\n"
		"                               kslab replay --help)\n"
		"  trace-stats [TRACE...]       summarise kmem traces (see\n"
		"                               kslab trace-stats --help)\n"
		"  trace-gen [TRACE] --copies N pointer-rewritten copies of a trace, one\n"
		"                               after the other (a big trace to measure)\n"
		"  record -o FILE | --slabs FILE\n"
		"                               record kmem events from the running\n"
		"                               kernel, or snapshot /sys/kernel/slab\n"
		"  help                         this text\n"
		"  version                      the version of kslab\n"
		"\n"
		"CMDLINE is a kernel-style boot command line, e.g.\n"
		"  \"arch=arm64 memmap=4G@2G nr_cpus=4\"\n"
		"(parameters: arch=, page_size=, mem=, memmap=, zone_dma_bits=, nr_cpus=,\n"
		" transparent_hugepage=, swiotlb=, slub_min_order=, slub_max_order=,\n"
		" slub_min_objects=, slab_nomerge, slab_merge, slub_debug=, kmalloc.legacy,\n"
		" kmalloc.packed, kmalloc.minalign=, kslab.kernel=6.1|6.12|6.18 (whose\n"
		" slab and kmalloc rules; default 6.18); see kslab(1)). Without --boot, $KSLAB_BOOT or the\n"
		"host's defaults are used.\n");
}

static const struct option show_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "boot", required_argument, NULL, 'b' },
	{ NULL, 0, NULL, 0 },
};

static int cmd_show(int argc, char **argv)
{
	const char *view = NULL, *boot = NULL;
	int ret, opt;

	while ((opt = cli_getopt("show", argc, argv, ":h", show_longopts)) !=
	       -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt != 'b')
			return 2;
		boot = optarg;
	}
	if (optind < argc)
		view = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "kslab show: unexpected argument '%s'\n",
			argv[optind]);
		return 2;
	}
	if (!view) {
		fprintf(stderr, "kslab show: which view? (" KSLAB_VIEWS ")\n");
		return 2;
	}
	if (boot && kslab_boot(boot))
		return 2; /* the reason is on stderr */
	ret = kslab_show(view, stdout);
	kslab_shutdown();
	if (ret)
		return 2;
	return out_close_stdout("show") ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "show"))
		return cmd_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace-stats"))
		return cmd_trace_stats(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace-gen"))
		return cmd_trace_gen(argc - 1, argv + 1);
	if (!strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		usage(stdout);
		return out_close_stdout("help") ? 1 : 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "-V")) {
		printf("kslab %s\n", KSLAB_VERSION);
		return out_close_stdout("version") ? 1 : 0;
	}
	fprintf(stderr, "kslab: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
