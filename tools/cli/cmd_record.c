// SPDX-License-Identifier: MIT
/*
 * kslab record [-o FILE] [--xz] [--duration S] [--buffer-kb N]
 *              [--instance NAME] [--slabs FILE] [--sysfs DIR] [-- CMD ARGS]
 *
 * Option parsing and the /sys/kernel/slab snapshot; the event recording
 * itself is trace_record.c (only with libtracefs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "trace/slabs_tsv.h"
#include "output/xzout.h"
#ifdef KSLAB_HAVE_TRACEFS
#include "record/trace_record.h"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kslab record [-o FILE] [--xz] [--duration SEC] "
		"[--buffer-kb N]\n"
		"                    [--instance NAME] [--slabs FILE] "
		"[--sysfs DIR] [-- COMMAND ARGS...]\n"
		"\n"
		"  -o FILE          record kmem:kmalloc, kfree, kmem_cache_alloc and\n"
		"                   kmem_cache_free from the running kernel into FILE\n"
		"                   ('-' = stdout; xz-compressed when FILE ends in .xz\n"
		"                   or with --xz) until Ctrl-C, SEC seconds, or COMMAND\n"
		"                   exits. Needs root and tracefs (libtracefs).\n"
		"  --slabs FILE     write a snapshot of /sys/kernel/slab as TSV\n"
		"  --sysfs DIR      read the snapshot from DIR instead of\n"
		"                   /sys/kernel/slab\n"
		"  --instance NAME  tracefs instance to create (default kslab-PID)\n"
		"  --buffer-kb N    per-CPU ring buffer size\n"
		"\n"
		"Exit status: 0 ok, 1 events lost or COMMAND failed, 2 bad usage or\n"
		"output error, 3 tracefs missing or not permitted.\n");
}

static int write_slabs(const char *path, const char *sysfs)
{
	struct slab_snapshot s;
	char err[512];
	FILE *f;
	int ret;

	if (slabs_sysfs_read(sysfs, &s, err, sizeof(err))) {
		fprintf(stderr, "kslab record: %s\n", err);
		return 2;
	}
	f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f) {
		perror(path);
		slabs_free(&s);
		return 2;
	}
	ret = slabs_tsv_write(f, &s);
	if (f != stdout)
		ret |= fclose(f);
	else
		fflush(f);
	slabs_free(&s);
	if (ret)
		fprintf(stderr, "kslab record: cannot write %s\n", path);
	return ret ? 2 : 0;
}

struct record_args {
	const char *out, *slabs, *sysfs, *instance;
	double duration;
	unsigned long buffer_kb;
	int xz;
	char **cmd;
};

static const struct option record_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "output", required_argument, NULL, 'o' },
	{ "xz", no_argument, NULL, 'x' },
	{ "slabs", required_argument, NULL, 's' },
	{ "sysfs", required_argument, NULL, 'S' },
	{ "instance", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, 'd' },
	{ "buffer-kb", required_argument, NULL, 'b' },
	{ NULL, 0, NULL, 0 },
};

static int parse_duration(const char *v, double *out)
{
	char *end;

	*out = strtod(v, &end);
	if (end != v && !*end && *out >= 0 && *out <= 1e9)
		return 0;
	fprintf(stderr, "kslab record: --duration: '%s' is not seconds\n", v);
	return -1;
}

/* 0, 1 for --help, -1 after a message */
static int parse(int argc, char **argv, struct record_args *a)
{
	unsigned int kb;
	int opt;

	/* '+': the options end at the first other word (the -- command) */
	while ((opt = cli_getopt("record", argc, argv,
				 "+:ho:", record_longopts)) != -1) {
		switch (opt) {
		case 'h':
			return 1;
		case 'o':
			a->out = optarg;
			break;
		case 'x':
			a->xz = 1;
			break;
		case 's':
			a->slabs = optarg;
			break;
		case 'S':
			a->sysfs = optarg;
			break;
		case 'i':
			a->instance = optarg;
			break;
		case 'd':
			if (parse_duration(optarg, &a->duration))
				return -1;
			break;
		case 'b':
			if (cli_uint("record", "--buffer-kb", optarg, 1,
				     1UL << 24, &kb))
				return -1;
			a->buffer_kb = kb;
			break;
		default:
			return -1;
		}
	}
	if (optind < argc && !strcmp(argv[optind - 1], "--")) {
		a->cmd = argv + optind;
	} else if (optind < argc) {
		fprintf(stderr, "kslab record: unexpected argument '%s'\n",
			argv[optind]);
		return -1;
	}
	return 0;
}

int cmd_record(int argc, char **argv)
{
	struct record_args a = { .sysfs = "/sys/kernel/slab" };
	int r = parse(argc, argv, &a), ret = 0;

	if (r) {
		usage(r > 0 ? stdout : stderr);
		return r > 0 ? 0 : 2;
	}
	if (!a.out && !a.slabs) {
		fprintf(stderr, "kslab record: nothing to do: give -o FILE "
				"and/or --slabs FILE\n");
		usage(stderr);
		return 2;
	}
	if (a.slabs && (ret = write_slabs(a.slabs, a.sysfs)))
		return ret;
	if (!a.out)
		return 0;
#ifdef KSLAB_HAVE_TRACEFS
	char name[64];
	struct record_opts o = {
		.out = a.out,
		.xz = a.xz || xzout_wants_xz(a.out),
		.duration = a.duration,
		.cmd = a.cmd,
		.buffer_kb = (unsigned int)a.buffer_kb,
	};

	snprintf(name, sizeof(name), "kslab-%ld", (long)getpid());
	o.instance = a.instance ? a.instance : name;
	return trace_record(&o);
#else
	fprintf(stderr, "kslab record: this kslab was built without libtracefs "
			"(install libtracefs-dev and rebuild)\n");
	return 3;
#endif
}
