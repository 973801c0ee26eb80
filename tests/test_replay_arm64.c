// SPDX-License-Identifier: MIT
/*
 * kslab replay on the two real arm64 boots (Linux 6.1.192 and 6.12.117,
 * data/traces/arm64-*): the traced kernel's policy and version detected,
 * every kmalloc's bytes_alloc reproduced under that policy (and missed
 * by the others, the control), the caches of kmem_cache_alloc events
 * without name= attributed rule by rule; then small hand-made traces
 * for each attribution rule, the snapshot's ambiguities and detection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"
#include "helpers/json_check.h"
#include "input/datadir.h"
#include "replay/replay.h"
#include "replay/replay_detect.h"
#include "trace/trace_attrib.h"

#define BOOT61 KSLAB_DATADIR "/traces/arm64-6.1.192-2G"
#define BOOT612 KSLAB_DATADIR "/traces/arm64-6.12.117-2G"

enum { X86, LEGACY, PACKED, ARM64, NOSWIOTLB, NR };
static const char *const names[NR] = { "x86_64", "arm64-legacy", "arm64-packed",
				       "arm64", "arm64-noswiotlb" };

struct boot {
	const char *dir;
	struct trace_stream s;
	struct slab_snapshot snap;
	struct replay_kernel k;
	struct trace_attrib a;
	struct replay_result res[NR];
};

static struct boot b61 = { .dir = BOOT61 }, b612 = { .dir = BOOT612 };

/* read, detect, attribute and replay as `kslab replay DIR/trace.xz` does */
static int load_boot(struct boot *b)
{
	struct replay_opts o = { 0 };
	char path[512], err[256], *slabs;

	snprintf(path, sizeof(path), "%s/trace.xz", b->dir);
	trace_stream_init(&b->s);
	if (trace_stream_read(&b->s, path, NULL, err, sizeof(err)))
		return -1;
	trace_stream_finish(&b->s);
	slabs = kslab_trace_slabs_path(path);
	if (!slabs || slabs_tsv_read(slabs, &b->snap, err, sizeof(err)))
		return -1;
	free(slabs);
	replay_detect_policy(&b->s, &b->k);
	if (replay_detect_version(&b->k, NULL, path) ||
	    trace_attribute_caches(&b->s, &b->snap, &b->a))
		return -1;
	o.slabs = &b->snap;
	for (int i = 0; i < NR; i++) {
		struct replay_policy p = *replay_builtin_policy(names[i]);

		replay_boot_add_rules(p.boot, sizeof(p.boot), b->k.rules);
		replay_run(&b->s, &p, &o, &b->res[i]);
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return load_boot(&b61) || load_boot(&b612) ? -1 : 0;
}

static void free_boot(struct boot *b)
{
	for (int i = 0; i < NR; i++)
		replay_result_free(&b->res[i]);
	trace_stream_free(&b->s);
	slabs_free(&b->snap);
}

static int teardown(void **state)
{
	(void)state;
	free_boot(&b61);
	free_boot(&b612);
	return 0;
}

static int policy_index(const char *name)
{
	for (int i = 0; i < NR; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static void print_boot(const struct boot *b)
{
	printf("%s: policy %s (%s), version %s (%s) rules %s\n", b->dir,
	       b->k.policy, b->k.why, b->k.version, b->k.version_from,
	       b->k.rules);
	for (int i = 0; i < ATTRIB_NR_RULES; i++)
		printf("  %s %llu", trace_attrib_names[i],
		       (unsigned long long)b->a.n[i]);
	printf("\n");
	for (int i = 0; i < NR; i++)
		printf("  %-16s kmalloc %llu/%llu cache %llu/%llu mismatches\n",
		       names[i],
		       (unsigned long long)b->res[i].bytes_alloc_mismatches,
		       (unsigned long long)b->res[i].kmalloc_checked,
		       (unsigned long long)b->res[i].cache_mismatches,
		       (unsigned long long)b->res[i].cache_checked);
}

/* the policy and version read off each trace */
static void test_detection(void **state)
{
	(void)state;
	print_boot(&b61);
	print_boot(&b612);
	assert_string_equal(b61.k.policy, "arm64-legacy");
	assert_int_equal(b61.k.kmalloc_min, 128);
	assert_int_equal(b61.k.ptrs, REPLAY_PTR_ARM64);
	assert_false(b61.k.given);
	assert_string_equal(b61.k.version_from, "uname file");
	assert_int_equal(strncmp(b61.k.version, "6.1.", 4), 0);
	assert_string_equal(b61.k.rules, "6.1");
	assert_string_equal(b612.k.policy, "arm64");
	assert_int_equal(b612.k.kmalloc_min, 8);
	assert_int_equal(b612.k.ptrs, REPLAY_PTR_ARM64);
	assert_int_equal(b612.k.ptrs_x86_64, 0);
	assert_int_equal(strncmp(b612.k.version, "6.12.", 5), 0);
	assert_string_equal(b612.k.rules, "6.12");
	for (int i = 0; i < NR; i++) {
		assert_true(b61.res[i].ok);
		assert_true(b612.res[i].ok);
		assert_non_null(strstr(b61.res[i].boot, "kslab.kernel=6.1"));
	}
}

/* every kmalloc's bytes_alloc under the matching policy; the control */
static void test_kmalloc_conformance(void **state)
{
	int m61 = policy_index(b61.k.policy);
	int m612 = policy_index(b612.k.policy);

	(void)state;
	assert_int_equal(b61.res[m61].bytes_alloc_mismatches, 0);
	assert_int_equal(b612.res[m612].bytes_alloc_mismatches, 0);
	assert_int_equal(b61.res[m61].kmalloc_checked,
			 b61.res[m61].kmalloc_objects);
	assert_true(b61.res[m61].kmalloc_checked > 15000);
	assert_true(b612.res[m612].kmalloc_checked > 15000);
	/* 6.1: everything up to 128 bytes got 128; the small classes miss */
	assert_true(b61.res[X86].bytes_alloc_mismatches > 10000);
	assert_true(b61.res[ARM64].bytes_alloc_mismatches > 10000);
	assert_true(b61.res[NOSWIOTLB].bytes_alloc_mismatches > 10000);
	/* 6.12: the 128- and 64-byte minimums miss; x86_64 has its classes */
	assert_true(b612.res[LEGACY].bytes_alloc_mismatches > 10000);
	assert_true(b612.res[NOSWIOTLB].bytes_alloc_mismatches > 5000);
	assert_int_equal(b612.res[X86].bytes_alloc_mismatches, 0);
}

static uint64_t cache_allocs(const struct trace_stream *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nr; i++)
		n += s->ev[i].type == TEV_CACHE_ALLOC && s->ev[i].ptr;
	return n;
}

/* kmem_cache_alloc bytes_alloc against s->size of the cache chosen */
static void test_cache_conformance(void **state)
{
	int m61 = policy_index(b61.k.policy);
	int m612 = policy_index(b612.k.policy);

	(void)state;
	assert_int_equal(b61.res[m61].cache_checked, cache_allocs(&b61.s));
	assert_int_equal(b612.res[m612].cache_checked, cache_allocs(&b612.s));
	assert_int_equal(b61.res[m61].cache_mismatches, 0);
	assert_int_equal(b612.res[m612].cache_mismatches, 0);
	/* the control: under the 6.1 trace, kmem_cache_node's slab size
	 * follows the kmalloc minimum (64 -> 128 only with 128) */
	assert_true(b61.res[X86].cache_mismatches > 0);
	assert_true(b61.res[ARM64].cache_mismatches > 0);
}

/* the caches of 6.1/6.12 kmem_cache_alloc events, rule by rule */
static void test_attribution_counts(void **state)
{
	(void)state;
	assert_int_equal(b61.a.n[ATTRIB_TRACED], 0);
	assert_int_equal(b61.a.n[ATTRIB_FREE], 2188);
	assert_int_equal(b61.a.n[ATTRIB_SITE], 38029);
	assert_int_equal(b61.a.n[ATTRIB_SNAPSHOT], 450);
	assert_int_equal(b61.a.n[ATTRIB_AMBIGUOUS], 323);
	assert_int_equal(b61.a.n[ATTRIB_UNKNOWN], 0);
	assert_int_equal(b612.a.n[ATTRIB_TRACED], 0);
	assert_int_equal(b612.a.n[ATTRIB_FREE], 3590);
	assert_int_equal(b612.a.n[ATTRIB_SITE], 14837);
	assert_int_equal(b612.a.n[ATTRIB_SNAPSHOT], 629);
	assert_int_equal(b612.a.n[ATTRIB_AMBIGUOUS], 589);
	assert_int_equal(b612.a.n[ATTRIB_UNKNOWN], 0);
	/* every kmem_cache_alloc with a pointer got a cache */
	for (size_t i = 0; i < b61.s.nr; i++)
		if (b61.s.ev[i].type == TEV_CACHE_ALLOC && b61.s.ev[i].ptr)
			assert_int_not_equal(b61.s.ev[i].cache, 0);
}

/* a snapshot written as `kslab record --slabs` writes it reads the same */
static void test_record_layout_round_trip(void **state)
{
	struct slab_snapshot back = { 0 };
	struct trace_stream s;
	struct trace_attrib a;
	char path[512], err[256];
	size_t len = 1 << 20;
	char *text = calloc(1, len);
	FILE *f = fmemopen(text, len, "w");

	(void)state;
	assert_int_equal(slabs_tsv_write(f, &b612.snap), 0);
	fclose(f);
	f = fmemopen(text, strlen(text), "r");
	assert_int_equal(
		slabs_tsv_read_stream(f, "mem", &back, err, sizeof(err)), 0);
	fclose(f);
	assert_int_equal(back.nr, b612.snap.nr);
	snprintf(path, sizeof(path), "%s/trace.xz", BOOT612);
	trace_stream_init(&s);
	assert_int_equal(trace_stream_read(&s, path, NULL, err, sizeof(err)),
			 0);
	trace_stream_finish(&s);
	assert_int_equal(trace_attribute_caches(&s, &back, &a), 0);
	for (int i = 0; i < ATTRIB_NR_RULES; i++)
		assert_int_equal(a.n[i], b612.a.n[i]);
	trace_stream_free(&s);
	slabs_free(&back);
	free(text);
}

/* DIR/slabs.tsv is found for DIR/trace.xz */
static void test_slabs_path(void **state)
{
	char *p = kslab_trace_slabs_path(BOOT61 "/trace.xz");

	(void)state;
	assert_non_null(p);
	assert_string_equal(p, BOOT61 "/slabs.tsv");
	free(p);
	assert_null(kslab_trace_slabs_path(BOOT61 "/trace.missing"));
}

/* ---- hand-made traces ---------------------------------------------------- */

#define LINE_PREFIX "  t-1 [000] d.... 0.000001: "

static void add(struct trace_stream *s, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	assert_int_equal(trace_stream_add_line(s, line, (size_t)n, 1),
			 TRACE_LINE_EVENT);
}

static void cache_alloc(struct trace_stream *s, const char *site,
			unsigned long ptr, unsigned int req, unsigned int alloc,
			const char *accounted)
{
	add(s,
	    LINE_PREFIX "kmem_cache_alloc: call_site=%s+0x10/0x40 "
			"ptr=%016lx bytes_req=%u bytes_alloc=%u "
			"gfp_flags=GFP_KERNEL node=-1 accounted=%s",
	    site, ptr, req, alloc, accounted);
}

static void cache_free(struct trace_stream *s, unsigned long ptr,
		       const char *name)
{
	add(s,
	    LINE_PREFIX "kmem_cache_free: call_site=f+0x0/0x10 "
			"ptr=%016lx name=%s",
	    ptr, name);
}

static void kmalloc_line(struct trace_stream *s, unsigned long ptr,
			 unsigned int req, unsigned int alloc)
{
	add(s,
	    LINE_PREFIX "kmalloc: call_site=k+0x0/0x10 ptr=%016lx "
			"bytes_req=%u bytes_alloc=%u gfp_flags=GFP_KERNEL "
			"node=-1 accounted=false",
	    ptr, req, alloc);
}

static const char snapshot_tsv[] =
	"name\tlink_target\tobject_size\tslab_size\torder\tobjs_per_slab\t"
	"align\taliases\n"
	":0000064\t-\t64\t64\t0\t64\t8\t1\n"
	":0000192\t-\t176\t192\t0\t21\t64\t2\n"
	":A-0000064\t-\t64\t64\t0\t64\t8\t1\n"
	"bar\t-\t96\t104\t0\t39\t8\t0\n"
	"baz\t-\t96\t104\t0\t39\t8\t0\n"
	"foo\t-\t56\t56\t0\t73\t8\t0\n"
	"kmalloc-32\t-\t32\t32\t0\t128\t32\t0\n"
	"qux\t-\t120\t128\t0\t32\t8\t0\n"
	"quy\t-\t120\t128\t1\t64\t8\t0\n"
	"x_alias\t:0000192\t176\t192\t0\t21\t64\t2\n";

static const char *cache_of(const struct trace_stream *s, unsigned long ptr)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->ev[i].type == TEV_CACHE_ALLOC &&
		    idmap_find(&s->ptr_map, ptr) == s->ev[i].ptr)
			return trace_stream_cache_name(s, s->ev[i].cache);
	return NULL;
}

static void test_rules_by_hand(void **state)
{
	struct slab_snapshot snap = { 0 };
	struct trace_stream s;
	struct trace_attrib a;
	char err[256];
	FILE *f = fmemopen((void *)snapshot_tsv, strlen(snapshot_tsv), "r");

	(void)state;
	assert_int_equal(
		slabs_tsv_read_stream(f, "hand", &snap, err, sizeof(err)), 0);
	fclose(f);
	trace_stream_init(&s);
	/* free: the traced free names it; site: same site and sizes */
	cache_alloc(&s, "a", 0x1000, 56, 56, "false");
	cache_alloc(&s, "a", 0x1100, 56, 56, "false");
	cache_free(&s, 0x1000, "foo");
	/* a free of another pointer at another site names nothing here */
	cache_alloc(&s, "b", 0x1200, 40, 40, "false");
	/* site ambiguity: one site, two names -> on to the snapshot */
	cache_alloc(&s, "c", 0x2000, 48, 48, "false");
	cache_alloc(&s, "c", 0x2100, 48, 48, "false");
	cache_alloc(&s, "c", 0x2200, 48, 48, "false");
	cache_free(&s, 0x2000, "c1");
	cache_free(&s, 0x2100, "c2");
	/* snapshot: unique exact fit, and a merged cache's smaller object */
	cache_alloc(&s, "d", 0x3000, 56, 56, "false");
	cache_alloc(&s, "d", 0x3100, 160, 192, "false");
	/* snapshot: SLAB_ACCOUNT of the unique id against accounted= */
	cache_alloc(&s, "e", 0x4000, 64, 64, "true");
	cache_alloc(&s, "e", 0x4100, 64, 64, "false");
	/* ambiguous: one geometry -> the first by name */
	cache_alloc(&s, "g", 0x5000, 96, 104, "false");
	/* two geometries -> unknown; kmalloc caches never fit */
	cache_alloc(&s, "h", 0x6000, 120, 128, "false");
	cache_alloc(&s, "h", 0x6100, 32, 32, "false");
	/* the next event of a pointer is a kfree: no name from it */
	cache_alloc(&s, "i", 0x7000, 72, 72, "false");
	add(&s, LINE_PREFIX "kfree: call_site=f+0x0/0x10 ptr=%016lx", 0x7000ul);
	/* a name is not taken across a later allocation of the pointer */
	cache_alloc(&s, "j", 0x8000, 80, 80, "false");
	add(&s, LINE_PREFIX "kfree: call_site=f+0x0/0x10 ptr=%016lx", 0x8000ul);
	cache_alloc(&s, "j2", 0x8000, 80, 80, "false");
	cache_free(&s, 0x8000, "late");
	trace_stream_finish(&s);
	assert_int_equal(trace_attribute_caches(&s, &snap, &a), 0);

	assert_string_equal(cache_of(&s, 0x1000), "foo");
	assert_string_equal(cache_of(&s, 0x1100), "foo");
	assert_string_equal(cache_of(&s, 0x1200), "anon:40");
	assert_string_equal(cache_of(&s, 0x2000), "c1");
	assert_string_equal(cache_of(&s, 0x2100), "c2");
	assert_string_equal(cache_of(&s, 0x2200), "anon:48");
	assert_string_equal(cache_of(&s, 0x3000), "foo");
	assert_string_equal(cache_of(&s, 0x3100), ":0000192");
	assert_string_equal(cache_of(&s, 0x4000), ":A-0000064");
	assert_string_equal(cache_of(&s, 0x4100), ":0000064");
	assert_string_equal(cache_of(&s, 0x5000), "bar");
	assert_string_equal(cache_of(&s, 0x6000), "anon:120");
	assert_string_equal(cache_of(&s, 0x6100), "anon:32");
	assert_string_equal(cache_of(&s, 0x7000), "anon:72");
	assert_int_equal(a.n[ATTRIB_TRACED], 0);
	assert_int_equal(a.n[ATTRIB_FREE], 4); /* 1000, 2000, 2100, j2 */
	assert_int_equal(a.n[ATTRIB_SITE], 1); /* 1100 */
	assert_int_equal(a.n[ATTRIB_SNAPSHOT], 4);
	assert_int_equal(a.n[ATTRIB_AMBIGUOUS], 1);
	assert_int_equal(a.n[ATTRIB_UNKNOWN], 6);
	assert_int_equal(a.ambiguous, 1); /* qux / quy */
	trace_stream_free(&s);
	slabs_free(&snap);
}

/* a trace whose events carry name= keeps it: "traced" */
static void test_traced_names_kept(void **state)
{
	struct trace_stream s;
	struct trace_attrib a;

	(void)state;
	trace_stream_init(&s);
	add(&s, LINE_PREFIX
	    "kmem_cache_alloc: call_site=a+0x1/0x2 "
	    "ptr=0000000012345678 bytes_req=56 bytes_alloc=56 "
	    "gfp_flags=GFP_KERNEL node=-1 accounted=false name=foo");
	cache_alloc(&s, "b", 0x9000, 24, 24, "false");
	trace_stream_finish(&s);
	assert_int_equal(trace_attribute_caches(&s, NULL, &a), 0);
	assert_int_equal(a.n[ATTRIB_TRACED], 1);
	assert_int_equal(a.n[ATTRIB_UNKNOWN], 1);
	assert_string_equal(trace_stream_cache_name(&s, s.ev[0].cache), "foo");
	assert_string_equal(trace_stream_cache_name(&s, s.ev[1].cache),
			    "anon:24");
	trace_stream_free(&s);
}

static void detect(const unsigned long *ptrs, const unsigned int *alloc,
		   size_t n, struct replay_kernel *k)
{
	struct trace_stream s;

	trace_stream_init(&s);
	for (size_t i = 0; i < n; i++)
		kmalloc_line(&s, ptrs[i], alloc[i] / 2 ? alloc[i] / 2 : 1,
			     alloc[i]);
	trace_stream_finish(&s);
	memset(k, 0, sizeof(*k));
	replay_detect_policy(&s, k);
	trace_stream_free(&s);
}

static void test_detection_by_hand(void **state)
{
	static const unsigned long arm[] = { 0xffff0c9244181900ul,
					     0xffff0c9244181000ul,
					     0xffff0c9244182000ul };
	static const unsigned long x86[] = { 0xffff88810a3b4c00ul,
					     0xffff9a0001234500ul,
					     0xffff88810a3b4d00ul };
	static const unsigned long hashed[] = { 0x000000002a1b3c4dul,
						0x0000000091a2b3c4ul,
						0x0000000012345678ul };
	static const unsigned int small[] = { 8, 16, 192 };
	static const unsigned int legacy[] = { 128, 128, 256 };
	static const unsigned int line[] = { 64, 64, 128 };
	struct replay_kernel k;

	(void)state;
	detect(arm, small, 3, &k);
	assert_string_equal(k.policy, "arm64");
	assert_int_equal(k.ptrs_arm64, 3);
	detect(x86, small, 3, &k);
	assert_string_equal(k.policy, "x86_64");
	assert_int_equal(k.ptrs, REPLAY_PTR_X86_64);
	detect(hashed, small, 3, &k);
	assert_string_equal(k.policy, "x86_64");
	assert_int_equal(k.ptrs, REPLAY_PTR_UNKNOWN);
	detect(hashed, legacy, 3, &k);
	assert_string_equal(k.policy, "arm64-legacy");
	assert_int_equal(k.kmalloc_min, 128);
	detect(arm, line, 3, &k);
	assert_string_equal(k.policy, "arm64-noswiotlb");
	/* the 128-byte minimum alone dates the kernel: before 6.5 */
	detect(hashed, legacy, 3, &k);
	assert_int_equal(replay_detect_version(&k, NULL, NULL), 0);
	assert_string_equal(k.rules, "6.1");
	assert_int_equal(replay_detect_version(&k, "6.12", NULL), 0);
	assert_string_equal(k.version_from, "given");
	assert_string_equal(k.rules, "6.12");
	assert_int_equal(replay_detect_version(&k, "six", NULL), -1);
	detect(arm, small, 3, &k);
	assert_int_equal(replay_detect_version(&k, NULL, NULL), 0);
	assert_string_equal(k.rules, "");
}

static void test_version_rules(void **state)
{
	char boot[64] = "arch=arm64";

	(void)state;
	assert_string_equal(replay_kernel_rules("6.1.192"), "6.1");
	assert_string_equal(replay_kernel_rules("6.5"), "6.1");
	assert_string_equal(replay_kernel_rules("5.15.0-91-generic"), "6.1");
	assert_string_equal(replay_kernel_rules("6.12.117+deb12-arm64"),
			    "6.12");
	assert_string_equal(replay_kernel_rules("6.17"), "6.12");
	assert_string_equal(replay_kernel_rules("6.18.44"), "6.18");
	assert_string_equal(replay_kernel_rules("7.0"), "6.18");
	assert_string_equal(replay_kernel_rules("linux"), "");
	assert_int_equal(replay_boot_add_rules(boot, sizeof(boot), "6.1"), 1);
	assert_string_equal(boot, "arch=arm64 kslab.kernel=6.1");
	/* a boot line naming its own rules keeps them */
	assert_int_equal(replay_boot_add_rules(boot, sizeof(boot), "6.12"), 0);
	assert_int_equal(replay_boot_add_rules(boot, sizeof(boot), ""), 0);
}

/*
 * The traced slab parameters go on a boot line unless it sets the same
 * parameter (under either of its slub_/slab_ names) itself.
 */
static void test_slab_params_by_hand(void **state)
{
	char boot[128] = "arch=arm64 slub_max_order=3 slab_nomergex=1";

	(void)state;
	assert_int_equal(replay_boot_add_params(boot, sizeof(boot),
						"slab_max_order=1 slab_nomerge "
						"slub_min_objects=8"),
			 2);
	assert_string_equal(boot, "arch=arm64 slub_max_order=3 slab_nomergex=1"
				  " slab_nomerge slub_min_objects=8");
	assert_int_equal(
		replay_boot_add_params(boot, sizeof(boot),
				       "slub_nomerge slab_min_objects=4"),
		0);
	assert_int_equal(replay_boot_add_params(boot, sizeof(boot), ""), 0);
}

/* the command: the report names the policy and the attribution */
static void test_command_reports(void **state)
{
	int status;
	char *out;

	(void)state;
	out = run_replay(BOOT61 "/trace.xz --policy x86_64,arm64-legacy -j 1 "
				"--format json --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	assert_non_null(strstr(out, "\"policy\": \"arm64-legacy\""));
	assert_non_null(strstr(out, "\"how\": \"detected\""));
	assert_non_null(strstr(out, "\"rules\": \"6.1\""));
	assert_true(json_number_at(out, "cache_attribution.free") == 2188);
	assert_true(json_number_at(out, "cache_attribution.unknown") == 0);
	assert_non_null(strstr(out, "\"matches_kernel\": true"));
	assert_non_null(strstr(out, "kslab.kernel=6.1"));
	free(out);
	out = run_replay(BOOT612 "/trace.xz --policy arm64,arm64-legacy -j 1 "
				 "--kernel arm64-legacy --kernel-version 6.1 "
				 "--format csv --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "kernel,arm64-legacy,given,"));
	assert_non_null(strstr(out, "attribution,free,3590"));
	assert_non_null(strstr(out, "kslab.kernel=6.1"));
	free(out);
	out = run_replay(BOOT612 "/trace.xz --policy arm64 --sites 0", &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "traced kernel: policy arm64 (detected"));
	assert_non_null(strstr(out, "kmem_cache_alloc caches: traced 0, free "
				    "3590"));
	assert_non_null(
		strstr(out, "named caches from: " BOOT612 "/slabs.tsv"));
	free(out);
	out = run_replay(BOOT612 "/trace.xz --kernel nonesuch 2>&1", &status);
	assert_int_equal(status, 2);
	assert_non_null(strstr(out, "--kernel: unknown policy"));
	free(out);
}

/*
 * The seed's table on the 6.1 boot: under the 128-byte minimum only
 * kmalloc-128 of the small caches exists, under the 6.5+ rules all do;
 * the traced machine's own slabinfo row comes last.
 */
static void test_seed_table(void **state)
{
	int status;
	char *out;

	(void)state;
	out = run_replay(BOOT61 "/trace.xz --policy arm64-legacy,arm64 -j 1 "
				"--sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "small kmalloc caches after the trace"));
	/* legacy has no kmalloc-8; the machine's own slabinfo neither */
	assert_non_null(strstr(out, "\nkmalloc-8 "));
	assert_non_null(strstr(out, "12910/13088"));
	free(out);
	out = run_replay(BOOT61 "/trace.xz --policy arm64-legacy,arm64 -j 1 "
				"--sites 0 --format json",
			 &status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	/* legacy, then the 6.5+ minimum: 2336 KiB against 1752 */
	assert_non_null(strstr(out, "\"final_kmalloc_cache_bytes\": 2392064"));
	assert_non_null(strstr(out, "\"final_kmalloc_cache_bytes\": 1794048"));
	assert_non_null(strstr(out, "\"small_kmalloc_caches_at_end\""));
	free(out);
}

/*
 * The kmalloc caches a replay made under policy (the `cache_end` rows of
 * its csv report out, which it consumes) against the traced machine's
 * /proc/slabinfo: the same object size, objects per slab and pages per
 * slab. Returns the rows compared.
 */
static unsigned int replay_geometry_vs_slabinfo(char *out, const char *dir,
						const char *policy)
{
	char path[512], prefix[64], name[64], want[160];
	unsigned int objsize, objperslab, pages, compared = 0, diffs = 0;
	unsigned int ko, kp, kg;
	char *slabinfo, *save = NULL;

	snprintf(path, sizeof(path), "%s/slabinfo", dir);
	slabinfo = slurp(path);
	snprintf(prefix, sizeof(prefix), "cache_end,%s,", policy);
	for (char *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *k;

		if (strncmp(line, prefix, strlen(prefix)) ||
		    sscanf(line + strlen(prefix), "%63[^,],%*u,%*u,%u,%u,%u",
			   name, &objsize, &objperslab, &pages) != 4)
			continue;
		snprintf(want, sizeof(want), "\n%s ", name);
		k = strstr(slabinfo, want);
		if (!k)
			continue; /* a cache the machine did not make */
		compared++;
		assert_int_equal(sscanf(k + strlen(want), "%*u %*u %u %u %u",
					&ko, &kp, &kg),
				 3);
		if (ko != objsize || kp != objperslab || kg != pages) {
			printf("DIFF %s %s: objsize %u/%u objperslab %u/%u pagesperslab %u/%u (replay/kernel)\n",
			       dir, name, objsize, ko, objperslab, kp, pages,
			       kg);
			diffs++;
		}
	}
	printf("%s: %u kmalloc caches of the replay's %s boot compared with slabinfo, %u differ\n",
	       dir, compared, policy, diffs);
	assert_int_equal(diffs, 0);
	free(slabinfo);
	return compared;
}

/*
 * The other recorded boots (6 GiB: a Normal zone and a 64 MiB swiotlb;
 * a boot with DMA devices; 8 and 4 CPUs; slab_nomerge; slub_max_order=1
 * slub_min_objects=8; slub_min_order=2; slub_debug= for three caches;
 * 6.12, some also 6.1): the policy detected from each trace must
 * reproduce every kmalloc and kmem_cache_alloc bytes_alloc there too.
 */
static void test_other_boots(void **state)
{
	static const char *const boots[] = {
		KSLAB_DATADIR "/traces/arm64-6.1.192-6G",
		KSLAB_DATADIR "/traces/arm64-6.12.117-6G",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-dma",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-smp8",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-slab_nomerge",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-max_order1",
		KSLAB_DATADIR "/traces/arm64-6.1.192-2G-smp8",
		KSLAB_DATADIR "/traces/arm64-6.1.192-2G-slab_nomerge",
		KSLAB_DATADIR "/traces/arm64-6.1.192-2G-max_order1",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-min_order2",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-smp4",
		KSLAB_DATADIR "/traces/arm64-6.12.117-2G-debug_some",
	};
	static const char *const want[] = {
		"arm64-legacy", "arm64", "arm64",	 "arm64",
		"arm64",	"arm64", "arm64-legacy", "arm64-legacy",
		"arm64-legacy", "arm64", "arm64",	 "arm64",
	};
	char args[512], row[96];
	int status;
	char *out;

	(void)state;
	for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
		snprintf(args, sizeof(args),
			 "%s/trace.xz --format csv --sites 0", boots[i]);
		out = run_replay(args, &status);
		assert_int_equal(status, 0);
		snprintf(row, sizeof(row), "kernel,%s,detected,", want[i]);
		assert_non_null(strstr(out, row));
		/* the matching policy's row ends "...,0,0,yes" */
		assert_non_null(strstr(out, ",0,0,yes\n"));
		/* the replay's caches have the machine's geometry */
		assert_true(replay_geometry_vs_slabinfo(out, boots[i],
							want[i]) >= 10);
		free(out);
	}
	/*
	 * slub_max_order=1 slub_min_objects=8 on the traced command line:
	 * the replay boots with them (kmalloc-1k: 8 objects, 2 pages).
	 */
	out = run_replay(KSLAB_DATADIR
			 "/traces/arm64-6.12.117-2G-max_order1/trace.xz"
			 " --policy arm64 --format json --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(
		out,
		"\"slab_params\": \"slub_max_order=1 slub_min_objects=8\""));
	free(out);
	/*
	 * slub_debug=FZPU on the traced command line: the replay boots with
	 * it. Its 8 strndup_user kmallocs came from the memdup_user buckets
	 * (CONFIG_SLAB_BUCKETS), which are not SLAB_KMALLOC and keep no
	 * request-size word (104 where kmalloc-8's debug slot is 112): the
	 * replay sends them there too, and every event matches.
	 */
	out = run_replay(KSLAB_DATADIR
			 "/traces/arm64-6.12.117-2G-slub_debug/trace.xz"
			 " --format csv --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "slub_debug=FZPU kslab.kernel=6.12") ||
			strstr(out, "kslab.kernel=6.12 slub_debug=FZPU"));
	assert_non_null(strstr(out, ",0,0,yes\n"));
	free(out);
	out = run_replay(KSLAB_DATADIR
			 "/traces/arm64-6.12.117-2G-slub_debug/trace.xz"
			 " --policy arm64 --format json --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"kmem_buckets_objects\": 8"));
	free(out);
	/* a 6.1 trace: no buckets in that kernel, none in its replay */
	out = run_replay(BOOT61 "/trace.xz --policy arm64-legacy --format json"
				" --sites 0",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"kmem_buckets_objects\": 0"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_kmalloc_conformance),
		cmocka_unit_test(test_cache_conformance),
		cmocka_unit_test(test_attribution_counts),
		cmocka_unit_test(test_record_layout_round_trip),
		cmocka_unit_test(test_slabs_path),
		cmocka_unit_test(test_rules_by_hand),
		cmocka_unit_test(test_traced_names_kept),
		cmocka_unit_test(test_detection_by_hand),
		cmocka_unit_test(test_version_rules),
		cmocka_unit_test(test_slab_params_by_hand),
		cmocka_unit_test(test_command_reports),
		cmocka_unit_test(test_seed_table),
		cmocka_unit_test(test_other_boots),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
