// SPDX-License-Identifier: MIT
/*
 * kslab replay [TRACE...] [options]: the main job. The traces (default:
 * the bundled ones) are parsed once; each policy is replayed by its own
 * child process, up to -j at a time; the parent prints the results side
 * by side. See docs/replay.md.
 */

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli/cli_opts.h"
#include "cli/commands.h"
#include "output/output.h"
#include "input/datadir.h"
#include "replay/replay.h"
#include "replay/replay_dma.h"
#include "replay/replay_pages.h"
#include "replay/replay_detect.h"
#include "trace/trace_attrib.h"
#include "trace/trace_dma.h"
#include "trace/trace_pages.h"

#define MAX_POLICIES 16

/*
 * The arm64 policies are the Debian arm64 kernels' configurations, which
 * have CONFIG_SLAB_FREELIST_HARDENED and CONFIG_SLAB_FREELIST_RANDOM:
 * both options on (they change addresses and the order objects come
 * out of a new slab, no count or size; docs/replay.md).
 */
#define ARM64_HARDENED " kslab.freelist_hardened=1 kslab.freelist_random=1"

static const struct replay_policy builtin[] = {
	{ "x86_64", "arch=x86_64 mem=8G" },
	{ "arm64-legacy",
	  "arch=arm64 memmap=8G@2G kmalloc.legacy" ARM64_HARDENED },
	{ "arm64-packed", "arch=arm64 memmap=8G@2G kmalloc.legacy "
			  "kmalloc.packed" ARM64_HARDENED },
	{ "arm64", "arch=arm64 memmap=8G@2G" ARM64_HARDENED },
	{ "arm64-noswiotlb",
	  "arch=arm64 memmap=8G@2G swiotlb=noforce" ARM64_HARDENED },
	/* the design that followed 6.18: every cache with sheaves */
	{ "x86_64-sheaves", "arch=x86_64 mem=8G kslab.sheaves=all" },
};

const char *const replay_default_policies =
	"x86_64,arm64-legacy,arm64-packed,arm64,arm64-noswiotlb";

/*
 * Functions whose small kmalloc() calls the seed's second patch
 * ("treewide: Add the __GFP_PACKED flag to several non-DMA kmalloc()
 * allocations") marked, found in the files it lists. docs/replay.md says
 * which file each comes from.
 */
const char *const replay_default_packed[] = {
	"usb_cache_string", /* drivers/usb/core/message.c */
	"load_elf_phdrs",
	"load_elf_binary",	   /* fs/binfmt_elf.c */
	"__d_alloc",		   /* fs/dcache.c */
	"ext4_htree_store_dirent", /* fs/ext4/dir.c */
	"ext4_find_extent",
	"ext4_ext_remove_space", /* fs/ext4/extents.c */
	"alloc_fdtable",	 /* fs/file.c */
	"kernfs_fop_open",
	"kernfs_get_open_node", /* fs/kernfs/file.c */
	"kernfs_fop_read_iter",
	"kernfs_fop_write_iter",
	"nfs_alloc_fattr",
	"nfs_alloc_fhandle",	      /* fs/nfs/inode.c */
	"inotify_handle_inode_event", /* fs/notify/inotify/ */
	"proc_self_get_link",	      /* fs/proc/self.c */
	"single_open",
	"seq_open",
	"__seq_open_private", /* fs/seq_file.c */
	"acpi_os_allocate",
	"acpi_os_allocate_zeroed", /* aclinuxex.h */
	"ftrace_add_mod",	   /* kernel/trace/ftrace.c */
	"tracing_map_array_alloc", /* kernel/trace/tracing_map.c */
	"kvasprintf",		   /* lib/kasprintf.c */
	"kobject_get_path",
	"kobject_set_name_vargs",	  /* lib/kobject.c */
	"mpi_alloc_limb_space",		  /* lib/mpi/mpiutil.c */
	"memcg_list_lru_alloc",		  /* mm/list_lru.c */
	"alloc_mem_cgroup_per_node_info", /* mm/memcontrol.c */
	"kstrdup",
	"kstrndup",
	"kmemdup_nul", /* mm/util.c */
	"__get_vm_area_node",
	"alloc_vmap_area",	      /* mm/vmalloc.c */
	"unx_lookup_cred",	      /* net/sunrpc/auth_unix.c */
	"xdr_alloc_bvec",	      /* net/sunrpc/xdr.c */
	"apparmor_sk_alloc_security", /* security/apparmor/lsm.c */
	"lsm_blob_alloc",
	"lsm_cred_alloc", /* security/security.c */
	"tomoyo_encode2",
	"tomoyo_realpath_from_path", /* security/tomoyo/ */
	NULL
};

const struct replay_policy *replay_builtin_policy(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (!strcmp(builtin[i].name, name))
			return &builtin[i];
	return NULL;
}

struct replay_cmd {
	struct replay_policy pol[MAX_POLICIES];
	size_t nr_pol;
	char **traces;
	size_t nr_traces;
	bool bundled;
	const char *slabs_path, *packed_path, *plot;
	enum out_format fmt;
	unsigned int jobs, top_sites;
	char **packed;
	size_t nr_packed;
	bool pages; /* --pages and its files */
	const char *zoneinfo, *buddyinfo, *pages_machine;
	bool dma; /* --dma */
	struct replay_dma_opts dma_opts;
	char *auto_slabs;		     /* the trace's own snapshot path */
	const char *kernel, *kernel_version; /* --kernel, --kernel-version */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: kslab replay [TRACE...] [options]\n"
		"  TRACE                ftrace text (trace, trace_pipe, trace-cmd report,\n"
		"                       perf script), plain, .xz or .gz, or - for stdin;\n"
		"                       default: the bundled traces\n"
		"  --policy A,B,...     built-in policies (default %s):\n",
		replay_default_policies);
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		fprintf(f, "                         %-16s %s\n",
			builtin[i].name, builtin[i].boot);
	fprintf(f,
		"  --boot \"CMDLINE\"     a policy given as a boot command line (repeatable)\n"
		"  --slabs FILE         /sys/kernel/slab snapshot (kslab record --slabs;\n"
		"                       default: DIR/slabs.tsv for DIR/trace*, X.slabs.tsv\n"
		"                       for X.trace*)\n"
		"  --kernel POLICY      the policy matching the traced kernel (default:\n"
		"                       detected from the trace)\n"
		"  --kernel-version X.Y the traced kernel's version (default: the uname\n"
		"                       file beside the trace); adds kslab.kernel=\n"
		"  --packed-sites FILE  functions that pass __GFP_PACKED, one a line\n"
		"  --sites N            the N call sites losing most bytes to alignment\n"
		"  --format table|json|csv\n"
		"  --plot FILE.png|svg  slab memory per cache and policy (gnuplot)\n"
		"  -j, --jobs N         policies replayed at once, and threads parsing\n"
		"                       the traces (default: cores)\n"
		"  --pages              also replay mm_page_alloc/mm_page_free events through\n"
		"                       the buddy allocator, on a machine laid out as the\n"
		"                       traced one (its zoneinfo, meminfo beside the trace)\n"
		"  --zoneinfo FILE      the traced machine's /proc/zoneinfo (--pages)\n"
		"  --buddyinfo FILE     the traced machine's /proc/buddyinfo (--pages)\n"
		"  --pages-machine \"P\" memory parameters of the page replay's machine\n"
		"                       (\"memmap=2G@1G\"), instead of the zoneinfo's\n"
		"  --dma                also replay dma: map/unmap/sync/alloc events on\n"
		"                       devices named as the traced ones (docs/dma.md)\n"
		"  --dma-coherent yes|no|traced\n"
		"                       the replayed devices' cache coherence (default\n"
		"                       traced: coherent unless the trace shows syncs\n"
		"                       or bounces for the device)\n"
		"Exit status: 0; 1 a policy failed (its reason on stderr), the plot\n"
		"or the report could not be written; 2 bad usage, unreadable input,\n"
		"or no kmem events in the input.\n");
}

static int add_policy(struct replay_cmd *c, const char *name, const char *boot)
{
	struct replay_policy *p;

	if (c->nr_pol == MAX_POLICIES) {
		fprintf(stderr, "kslab replay: at most %d policies\n",
			MAX_POLICIES);
		return -1;
	}
	p = &c->pol[c->nr_pol++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->boot, sizeof(p->boot), "%s", boot);
	return 0;
}

static int add_policies(struct replay_cmd *c, const char *list)
{
	char *dup = strdup(list), *save = NULL;
	int ret = 0;

	for (char *n = strtok_r(dup, ",", &save); n && !ret;
	     n = strtok_r(NULL, ",", &save)) {
		const struct replay_policy *b = replay_builtin_policy(n);

		if (!b) {
			fprintf(stderr,
				"kslab replay: unknown policy '%s' (known: %s)\n",
				n, replay_default_policies);
			ret = -1;
		} else {
			ret = add_policy(c, b->name, b->boot);
		}
	}
	free(dup);
	return ret;
}

/* a line of text: no NUL, no control bytes but tabs and line ends */
static bool text_line(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\r' && ch != '\n') ||
		    ch == 0x7f)
			return false;
	}
	return true;
}

static int add_packed(struct replay_cmd *c, char *line)
{
	char *s = line + strspn(line, " \t"), **v;

	s[strcspn(s, " \t\r\n#")] = '\0';
	if (!*s)
		return 0;
	v = realloc(c->packed, (c->nr_packed + 1) * sizeof(char *));
	if (!v)
		return -1;
	c->packed = v;
	c->packed[c->nr_packed++] = strdup(s);
	return 0;
}

static int read_packed(struct replay_cmd *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t lineno = 0;
	int ret = 0;

	if (!f) {
		fprintf(stderr, "kslab replay: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	errno = 0;
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (!text_line(line, (size_t)len)) {
			fprintf(stderr,
				"kslab replay: --packed-sites %s:%llu: not a text "
				"file (one function name a line)\n",
				path, (unsigned long long)lineno);
			ret = -1;
		} else if (add_packed(c, line)) {
			fprintf(stderr, "kslab replay: out of memory\n");
			ret = -1;
		}
	}
	if (!ret && ferror(f)) {
		fprintf(stderr, "kslab replay: %s: %s\n", path,
			strerror(errno ? errno : EIO));
		ret = -1;
	}
	free(line);
	fclose(f);
	return ret;
}

enum {
	OPT_POLICY = 256,
	OPT_BOOT,
	OPT_SLABS,
	OPT_KERNEL,
	OPT_KERNEL_VERSION,
	OPT_PACKED,
	OPT_SITES,
	OPT_FORMAT,
	OPT_PLOT,
	OPT_PAGES,
	OPT_ZONEINFO,
	OPT_BUDDYINFO,
	OPT_PAGES_MACHINE,
	OPT_DMA,
	OPT_DMA_COHERENT,
};

static const struct option replay_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "boot", required_argument, NULL, OPT_BOOT },
	{ "slabs", required_argument, NULL, OPT_SLABS },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "kernel-version", required_argument, NULL, OPT_KERNEL_VERSION },
	{ "packed-sites", required_argument, NULL, OPT_PACKED },
	{ "sites", required_argument, NULL, OPT_SITES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "pages", no_argument, NULL, OPT_PAGES },
	{ "zoneinfo", required_argument, NULL, OPT_ZONEINFO },
	{ "buddyinfo", required_argument, NULL, OPT_BUDDYINFO },
	{ "pages-machine", required_argument, NULL, OPT_PAGES_MACHINE },
	{ "dma", no_argument, NULL, OPT_DMA },
	{ "dma-coherent", required_argument, NULL, OPT_DMA_COHERENT },
	{ NULL, 0, NULL, 0 },
};

/* --boot: a policy named bootN */
static int add_boot(struct replay_cmd *c, const char *boot)
{
	char name[48];

	snprintf(name, sizeof(name), "boot%zu", c->nr_pol + 1);
	return add_policy(c, name, boot);
}

/* options that take a value checked here; -1 after a message */
static int checked_option(struct replay_cmd *c, int opt, const char *v)
{
	switch (opt) {
	case 'j':
		return cli_uint("replay", "-j", v, 1, MAX_POLICIES * 64,
				&c->jobs);
	case OPT_SITES:
		return cli_uint("replay", "--sites", v, 0, 100000,
				&c->top_sites);
	case OPT_FORMAT:
		if (!out_format_parse(v, &c->fmt))
			return 0;
		fprintf(stderr, "kslab replay: --format table, json or csv\n");
		return -1;
	case OPT_DMA_COHERENT:
		c->dma = true;
		if (!replay_dma_coherent_parse(v, &c->dma_opts.coherent))
			return 0;
		fprintf(stderr,
			"kslab replay: --dma-coherent yes, no or traced\n");
		return -1;
	case OPT_POLICY:
		return add_policies(c, v);
	case OPT_BOOT:
		return add_boot(c, v);
	}
	return -1;
}

/* options that only set a field */
static void plain_option(struct replay_cmd *c, int opt, const char *v)
{
	switch (opt) {
	case OPT_SLABS:
		c->slabs_path = v;
		break;
	case OPT_KERNEL:
		c->kernel = v;
		break;
	case OPT_KERNEL_VERSION:
		c->kernel_version = v;
		break;
	case OPT_PACKED:
		c->packed_path = v;
		break;
	case OPT_PLOT:
		c->plot = v;
		break;
	case OPT_PAGES:
		c->pages = true;
		break;
	case OPT_ZONEINFO:
		c->zoneinfo = v;
		break;
	case OPT_BUDDYINFO:
		c->buddyinfo = v;
		break;
	case OPT_PAGES_MACHINE:
		c->pages_machine = v;
		break;
	case OPT_DMA:
		c->dma = true;
		break;
	}
}

static int parse_args(struct replay_cmd *c, int argc, char **argv)
{
	int opt;

	while ((opt = cli_getopt("replay", argc, argv,
				 ":hj:", replay_longopts)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			exit(0);
		case '?':
			fprintf(stderr,
				"(kslab replay --help for the options)\n");
			return -1;
		case 'j':
		case OPT_SITES:
		case OPT_FORMAT:
		case OPT_DMA_COHERENT:
		case OPT_POLICY:
		case OPT_BOOT:
			if (checked_option(c, opt, optarg))
				return -1;
			break;
		default:
			plain_option(c, opt, optarg);
		}
	}
	for (int i = optind; i < argc; i++) {
		c->traces =
			realloc(c->traces, (c->nr_traces + 1) * sizeof(char *));
		c->traces[c->nr_traces++] = strdup(argv[i]);
	}
	return 0;
}

static int load_inputs(struct replay_cmd *c, struct trace_stream *s,
		       struct slab_snapshot *snap)
{
	char err[512];

	if (!c->nr_traces) {
		c->nr_traces = kslab_bundled_traces(&c->traces);
		c->bundled = true;
		if (!c->nr_traces) {
			fprintf(stderr,
				"kslab replay: no trace given and no bundled traces found\n");
			return -1;
		}
	}
	for (size_t i = 0; i < c->nr_traces; i++)
		if (trace_stream_read(s, c->traces[i],
				      &(struct trace_read_opts){
					      .progress = 1, .jobs = c->jobs },
				      err, sizeof(err)) < 0) {
			fprintf(stderr, "kslab replay: %s\n", err);
			return -1;
		}
	trace_stream_finish(s);
	if (!c->slabs_path && (c->bundled || c->nr_traces == 1))
		c->slabs_path = c->auto_slabs =
			kslab_trace_slabs_path(c->traces[0]);
	if (c->slabs_path &&
	    slabs_tsv_read(c->slabs_path, snap, err, sizeof(err))) {
		fprintf(stderr, "kslab replay: %s\n", err);
		return -1;
	}
	return 0;
}

/* nothing to replay: no kmem events (nor page or dma events asked for) */
static bool no_events(const struct trace_stream *s)
{
	return !s->nr && !(s->pages && s->pages->nr) && !(s->dma && s->dma->nr);
}

/* --pages: the traced machine's layout and buddyinfo; NULL on error */
static struct replay_pages_opts *pages_opts(struct replay_cmd *c)
{
	struct replay_pages_opts *po = malloc(sizeof(*po));

	if (po && !replay_pages_opts_init(po, c->traces[0], c->zoneinfo,
					  c->buddyinfo, c->pages_machine))
		return po;
	free(po);
	return NULL;
}

/*
 * The traced kernel: its policy (--kernel or detected), its version's
 * rules appended to every boot line as kslab.kernel=, and the caches of
 * its unnamed kmem_cache_alloc events.
 */
static int settle_kernel(struct replay_cmd *c, struct trace_stream *s,
			 const struct slab_snapshot *snap,
			 struct replay_kernel *k, struct trace_attrib *a)
{
	replay_detect_debug(k, c->nr_traces == 1 ? c->traces[0] : NULL);
	replay_detect_policy(s, k);
	if (c->kernel) {
		if (!replay_builtin_policy(c->kernel)) {
			fprintf(stderr,
				"kslab replay: --kernel: unknown policy '%s' (known: %s)\n",
				c->kernel, replay_default_policies);
			return -1;
		}
		if (strcmp(k->policy, c->kernel)) {
			char why[sizeof(k->why)];

			snprintf(why, sizeof(why), "%s", k->why);
			snprintf(k->why, sizeof(k->why),
				 "--kernel; detection said %.40s: %.120s",
				 k->policy, why);
		}
		snprintf(k->policy, sizeof(k->policy), "%s", c->kernel);
		k->given = true;
	}
	if (replay_detect_version(k, c->kernel_version,
				  c->nr_traces ? c->traces[0] : NULL)) {
		fprintf(stderr,
			"kslab replay: --kernel-version: '%s' is not X.Y\n",
			c->kernel_version);
		return -1;
	}
	for (size_t i = 0; i < c->nr_pol; i++) {
		replay_boot_add_rules(c->pol[i].boot, sizeof(c->pol[i].boot),
				      k->rules);
		replay_boot_add_debug(c->pol[i].boot, sizeof(c->pol[i].boot),
				      k->debug);
		replay_boot_add_params(c->pol[i].boot, sizeof(c->pol[i].boot),
				       k->slab_params);
	}
	if (trace_attribute_caches(s, snap->nr ? snap : NULL, a)) {
		fprintf(stderr, "kslab replay: out of memory\n");
		return -1;
	}
	return 0;
}

/*
 * The result of policy i's child; -1 after its reason on stderr when the
 * child died or wrote no result; 1 after it when its replay failed (a
 * boot refused: res keeps the result, for the report's "failed" columns;
 * --pages or --dma failing on a trace that has such events).
 */
static int collect(const struct replay_cmd *c, const struct trace_stream *s,
		   size_t i, int status, FILE *tmp, struct replay_result *res)
{
	const char *name = c->pol[i].name;

	if (WIFSIGNALED(status)) {
		fprintf(stderr,
			"kslab replay: policy %s: killed by signal %d\n", name,
			WTERMSIG(status));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) ||
	    replay_result_read(tmp, res)) {
		fprintf(stderr,
			"kslab replay: policy %s: the replay wrote no result\n",
			name);
		return -1;
	}
	if (!res->ok) {
		fprintf(stderr, "kslab replay: policy %s: %s\n", name,
			res->err[0] ? res->err : "the replay failed");
		return 1;
	}
	if (res->pages && !res->pages->ok && s->pages && s->pages->nr) {
		fprintf(stderr, "kslab replay: policy %s: --pages: %s\n", name,
			res->pages->err[0] ? res->pages->err : "failed");
		return 1;
	}
	if (res->dma && !res->dma->ok && s->dma && s->dma->nr) {
		fprintf(stderr, "kslab replay: policy %s: --dma: %s\n", name,
			res->dma->err[0] ? res->dma->err : "failed");
		return 1;
	}
	return 0;
}

/* One child per policy, at most jobs at once; results via temp files. */
static int run_policies(struct replay_cmd *c, const struct trace_stream *s,
			const struct replay_opts *o, struct replay_result *res)
{
	FILE *tmp[MAX_POLICIES] = { 0 };
	pid_t pid[MAX_POLICIES] = { 0 };
	size_t started = 0, done = 0;
	int ret = 0;

	fflush(NULL);
	while (done < c->nr_pol) {
		while (started < c->nr_pol && started - done < c->jobs) {
			size_t i = started++;

			tmp[i] = tmpfile();
			pid[i] = tmp[i] ? fork() : -1;
			if (pid[i] == 0) {
				struct replay_result r;

				replay_run(s, &c->pol[i], o, &r);
				_exit(replay_result_write(tmp[i], &r) ? 3 : 0);
			}
			if (pid[i] < 0) {
				fprintf(stderr,
					"kslab replay: cannot start a replay: %s\n",
					strerror(errno));
				return -1;
			}
		}
		int status;
		pid_t w = wait(&status);

		for (size_t i = 0; i < started; i++)
			if (pid[i] == w) {
				rewind(tmp[i]);
				int r = collect(c, s, i, status, tmp[i],
						&res[i]);

				if (r < 0) {
					memset(&res[i], 0, sizeof(res[i]));
					snprintf(res[i].policy,
						 sizeof(res[i].policy), "%s",
						 c->pol[i].name);
					snprintf(res[i].boot,
						 sizeof(res[i].boot), "%s",
						 c->pol[i].boot);
				}
				if (r)
					ret = -1;
				fclose(tmp[i]);
				done++;
			}
	}
	return ret;
}

int cmd_replay(int argc, char **argv)
{
	struct replay_cmd c = { .fmt = OUT_TABLE, .top_sites = 10 };
	struct replay_result res[MAX_POLICIES];
	struct slab_snapshot snap = { 0 };
	struct trace_stream s;
	struct replay_opts o = { .snapshot_at_peak = true };
	struct replay_pages_opts *po = NULL;
	struct replay_kernel kern = { 0 };
	struct trace_attrib attrib = { 0 };
	int ret = 2;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	c.jobs = cores > 0 ? (unsigned int)cores : 1;
	trace_stream_init(&s);
	if (parse_args(&c, argc, argv))
		goto out;
	if (!c.nr_pol && add_policies(&c, replay_default_policies))
		goto out;
	if (c.packed_path) {
		if (read_packed(&c, c.packed_path))
			goto out;
	} else {
		for (size_t i = 0; replay_default_packed[i]; i++) {
			c.packed = realloc(c.packed,
					   (c.nr_packed + 1) * sizeof(char *));
			c.packed[c.nr_packed++] =
				strdup(replay_default_packed[i]);
		}
	}
	if (c.pages && trace_stream_want_pages(&s))
		goto out;
	if (c.dma && trace_stream_want_dma(&s))
		goto out;
	if (load_inputs(&c, &s, &snap) ||
	    settle_kernel(&c, &s, &snap, &kern, &attrib))
		goto out;
	/* every policy's process starts from the parent's pages: few */
	trace_stream_drop_pointers(&s);
	malloc_trim(0);
	if (no_events(&s)) {
		fprintf(stderr, "kslab replay: no kmem events in the input\n");
		goto out;
	}
	if (c.pages && !(po = pages_opts(&c)))
		goto out;
	o.pages = po;
	o.dma = c.dma ? &c.dma_opts : NULL;
	o.slabs = snap.nr ? &snap : NULL;
	o.packed_funcs = c.packed;
	o.nr_packed_funcs = c.nr_packed;
	memset(res, 0, sizeof(res));
	ret = run_policies(&c, &s, &o, res) ? 1 : 0;

	struct replay_report rep = {
		.s = &s,
		.res = res,
		.nr = c.nr_pol,
		.traces = c.traces,
		.nr_traces = c.nr_traces,
		.top_sites = c.top_sites,
		.slabs_path = c.slabs_path,
		.pages = po,
		.dma = o.dma,
		.kernel = &kern,
		.attrib = &attrib,
	};
	replay_print(&rep, c.fmt, stdout);
	if (c.plot && replay_plot(&rep, c.plot))
		ret = ret ? ret : 1;
	if (out_close_stdout("replay"))
		ret = 1;
	for (size_t i = 0; i < c.nr_pol; i++)
		replay_result_free(&res[i]);
out:
	trace_stream_free(&s);
	slabs_free(&snap);
	for (size_t i = 0; i < c.nr_packed; i++)
		free(c.packed[i]);
	free(c.packed);
	free(c.auto_slabs);
	free(po);
	kslab_free_paths(c.traces, c.nr_traces);
	return ret;
}
