// SPDX-License-Identifier: MIT
/*
 * Page events: the parse of mm_page_alloc, mm_page_free and
 * mm_page_free_batched (and of malformed lines), their pairing by pfn in
 * the stream, a small hand-made trace replayed through the buddy
 * allocator, and kslab replay --pages on the two real arm64 boots
 * (Linux 6.1 and 6.12), whose counts are those of the traces' own lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/kslab_test.h"
#include "helpers/capture.h"
#include "helpers/json_check.h"
#include "replay/replay.h"
#include "replay/replay_pages.h"
#include "trace/machine_files.h"
#include "trace/trace_pages.h"
#include "trace/trace_stream.h"

#define ARM61 KSLAB_DATADIR "/traces/arm64-6.1.192-2G"
#define ARM612 KSLAB_DATADIR "/traces/arm64-6.12.117-2G"

#define PFX "          <idle>-0       [001] d....     0.250000: "

static enum trace_line_kind parse(const char *body, struct trace_line *l)
{
	static char line[1024];

	snprintf(line, sizeof(line), PFX "%s", body);
	return trace_parse_line(line, strlen(line), l);
}

static void test_parse_alloc(void **state)
{
	struct trace_line l;

	(void)state;
	assert_int_equal(
		parse("mm_page_alloc: page=fffffe3209107f80 pfn=0x441fe order=1 "
		      "migratetype=0 gfp_flags=__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP",
		      &l),
		TRACE_LINE_EVENT);
	assert_int_equal(l.ev, TRACE_EV_PAGE_ALLOC);
	assert_int_equal(l.cpu, 1);
	assert_int_equal(l.ts_ns, 250000000);
	assert_int_equal(l.pfn, 0x441fe);
	assert_int_equal(l.order, 1);
	assert_int_equal(l.migratetype, 0);
	assert_int_equal(l.gfp, __GFP_NOWARN | __GFP_NORETRY | __GFP_COMP);
	assert_false(l.ptr_null);
	assert_int_equal(l.gfp_unknown, 0);
	/* perf's name, pfn in decimal as kernels before 4.x printed it */
	assert_int_equal(parse("kmem:mm_page_alloc: page=(ptrval) pfn=1234 "
			       "order=3 migratetype=1 gfp_flags=GFP_KERNEL",
			       &l),
			 TRACE_LINE_EVENT);
	assert_int_equal(l.pfn, 1234);
	assert_int_equal(l.order, 3);
	assert_int_equal(l.migratetype, 1);
	assert_int_equal(l.gfp, GFP_KERNEL);
	/* a failed allocation: NULL page, pfn 0 */
	assert_int_equal(parse("mm_page_alloc: page=(null) pfn=0x0 order=0 "
			       "migratetype=0 gfp_flags=GFP_ATOMIC",
			       &l),
			 TRACE_LINE_EVENT);
	assert_true(l.ptr_null);
	/* 6.1's __GFP_ATOMIC: a retired name, read (trace_gfp.c), no bit */
	assert_int_equal(
		parse("mm_page_alloc: page=fffffd2aa40d7f40 pfn=0x435fd "
		      "order=0 migratetype=0 "
		      "gfp_flags=__GFP_HIGH|__GFP_ATOMIC|__GFP_ZERO",
		      &l),
		TRACE_LINE_EVENT);
	assert_int_equal(l.gfp, __GFP_HIGH | __GFP_ZERO);
	assert_int_equal(l.gfp_unknown, 0);
	/* a name no kernel printed (Android's __GFP_CMA): dropped, kept */
	assert_int_equal(
		parse("mm_page_alloc: page=fffffd2aa40d7f40 pfn=0x435fd "
		      "order=0 migratetype=0 "
		      "gfp_flags=__GFP_HIGH|__GFP_CMA|__GFP_ZERO",
		      &l),
		TRACE_LINE_EVENT);
	assert_int_equal(l.gfp, __GFP_HIGH | __GFP_ZERO);
	assert_int_equal(l.gfp_unknown, 1);
	/* mm_page_alloc_zone_locked's percpu_refill is read where printed */
	assert_int_equal(parse("mm_page_alloc: pfn=0x10 order=0 migratetype=2 "
			       "percpu_refill=1 gfp_flags=none",
			       &l),
			 TRACE_LINE_EVENT);
	assert_int_equal(l.percpu_refill, 1);
	assert_int_equal(l.gfp, 0);
}

static void test_parse_frees(void **state)
{
	struct trace_line l;

	(void)state;
	assert_int_equal(parse("mm_page_free: page=fffffd2aa4203dc0 "
			       "pfn=0x480f7 order=10",
			       &l),
			 TRACE_LINE_EVENT);
	assert_int_equal(l.ev, TRACE_EV_PAGE_FREE);
	assert_int_equal(l.pfn, 0x480f7);
	assert_int_equal(l.order, 10);
	assert_int_equal(l.migratetype, -1);
	assert_int_equal(parse("mm_page_free_batched: page=fffffe3209002380 "
			       "pfn=0x4008e order=0",
			       &l),
			 TRACE_LINE_EVENT);
	assert_int_equal(l.ev, TRACE_EV_PAGE_FREE_BATCHED);
	assert_int_equal(l.pfn, 0x4008e);
	assert_int_equal(l.order, 0);
	/* older kernels: "cold=%d" and no order: order 0 all the same */
	assert_int_equal(parse("mm_page_free_batched: page=ffffea0000000040 "
			       "pfn=1 cold=0",
			       &l),
			 TRACE_LINE_EVENT);
	assert_int_equal(l.order, 0);
	/* no pfn printed: paired by the page pointer instead */
	assert_int_equal(parse("mm_page_free: page=ffffea0000000040 order=0",
			       &l),
			 TRACE_LINE_EVENT);
	assert_true(l.pfn >> 63);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[][2] = {
		{ "mm_page_alloc: page=ff pfn=0x10 migratetype=0 gfp_flags=GFP_KERNEL",
		  "no order" },
		{ "mm_page_alloc: page=ff pfn=0x10 order=0 migratetype=0",
		  "no gfp_flags" },
		{ "mm_page_free: order=0", "no pfn" },
		{ "mm_page_free: pfn=0xzz order=0", "bad pfn" },
		{ "mm_page_free: pfn=0x10 order=-1", "bad order" },
		{ "mm_page_free: pfn=0x10 order=32", "bad order" },
		{ "mm_page_free: pfn=0x10 order=99999999999999999999999",
		  "bad order" },
		{ "mm_page_free: pfn=0x11223344556677889 order=0", "bad pfn" },
		{ "mm_page_alloc: pfn=0x10 order=0 migratetype=x gfp_flags=GFP_KERNEL",
		  "bad migratetype" },
		{ "mm_page_alloc: pfn=0x10 order=0 gfp_flags=GFP_KERNEL|!!",
		  "unknown gfp flag" },
		{ "mm_page_alloc: pfn=0x10 order=0 gfp_flags=",
		  "unknown gfp flag" },
		{ "mm_page_free: pfn=0x10 pfn=0x11 order=0", "repeated field" },
		{ "mm_page_free: page=(null) order=0", "free of a NULL page" },
	};
	struct trace_line l;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i][0], &l), TRACE_LINE_BAD);
		assert_string_equal(l.why, bad[i][1]);
	}
	/* other mm_page_ events are someone else's */
	assert_int_equal(parse("mm_page_pcpu_drain: page=ff pfn=0x10 order=0 "
			       "migratetype=1",
			       &l),
			 TRACE_LINE_SKIP);
}

/* A boot in miniature: every kind of pairing once or more. */
static const char *const small_trace[] = {
	"# tracer: nop",
	PFX "mm_page_free: page=ff pfn=0x40400 order=10", /* first-time */
	PFX
	"mm_page_alloc: page=ff pfn=0x40000 order=0 migratetype=0 gfp_flags=GFP_KERNEL",
	PFX "kmalloc: call_site=f+0x1 ptr=ffff000000001000 bytes_req=8 "
	    "bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 accounted=false",
	PFX
	"mm_page_alloc: page=ff pfn=0x40004 order=2 migratetype=0 gfp_flags=GFP_KERNEL|__GFP_COMP",
	PFX
	"mm_page_alloc: page=ff pfn=0x40010 order=3 migratetype=0 gfp_flags=GFP_KERNEL",
	PFX
	"mm_page_alloc: page=(null) pfn=0x0 order=0 migratetype=0 gfp_flags=GFP_NOWAIT",
	PFX "mm_page_free: page=ff pfn=0x40013 order=0",	 /* split */
	PFX "mm_page_free: page=ff pfn=0x40004 order=2",	 /* paired */
	PFX "mm_page_free_batched: page=ff pfn=0x40000 order=0", /* paired */
	PFX "mm_page_free_batched: page=ff pfn=0x40000 order=0", /* untraced */
	PFX
	"mm_page_alloc: page=ff pfn=0x40020 order=1 migratetype=0 gfp_flags=GFP_KERNEL",
	PFX
	"mm_page_alloc: page=ff pfn=0x40020 order=1 migratetype=0 gfp_flags=GFP_KERNEL",
	PFX "mm_page_free: page=ff pfn=0x40020 order=0", /* order mismatch */
	PFX "mm_page_free: page=ff pfn=zz order=0",	 /* bad */
};

static void read_small(struct trace_stream *s, int pages)
{
	trace_stream_init(s);
	if (pages)
		assert_int_equal(trace_stream_want_pages(s), 0);
	for (size_t i = 0; i < sizeof(small_trace) / sizeof(small_trace[0]);
	     i++)
		trace_stream_add_line(s, small_trace[i], strlen(small_trace[i]),
				      i + 1);
	trace_stream_finish(s);
}

static void test_small_stream(void **state)
{
	struct trace_stream s, plain;
	const struct trace_page_counts *c;

	(void)state;
	read_small(&s, 1);
	read_small(&plain, 0);
	/* without --pages the page lines are skipped as any other event */
	assert_null(plain.pages);
	assert_int_equal(plain.counts.skipped, 14);
	assert_int_equal(plain.counts.bad, 0);
	assert_int_equal(plain.counts.events, 1);
	assert_int_equal(s.nr, 1); /* the slab stream is the same */
	assert_memory_equal(s.ev, plain.ev, sizeof(s.ev[0]));
	c = &s.pages->c;
	assert_int_equal(s.pages->nr, 12);
	assert_int_equal(c->allocs, 5);
	assert_int_equal(c->failed_allocs, 1);
	assert_int_equal(c->frees, 4);
	assert_int_equal(c->batched_frees, 2);
	assert_int_equal(c->bad, 1);
	assert_int_equal(s.counts.bad, 1);
	assert_int_equal(c->first_frees, 1);
	assert_int_equal(c->first_free_pages, 1024);
	assert_int_equal(c->split_frees, 1);
	assert_int_equal(c->untraced_frees, 1);
	assert_int_equal(c->paired_frees, 3);
	assert_int_equal(c->double_allocs, 1);
	assert_int_equal(c->order_mismatches, 1);
	/* 1 + 4 + 8 before any of them is freed */
	assert_int_equal(c->peak_pages, 13);
	/* the order-3 block (lines added without a file: no file's end) */
	assert_int_equal(s.pages->live_allocs, 1);
	assert_int_equal(c->live_pages, 8);
	trace_stream_free(&s);
	trace_stream_free(&plain);
}

static void check_buddyinfo_layout(const char *text)
{
	char line[1024], name[32], again[1024];
	uint64_t counts[64];
	unsigned int i;

	for (i = 0; !buddyinfo_zone_name(text, i, name, sizeof(name)); i++) {
		int n = buddyinfo_zone(text, name, counts, 64);
		size_t k;

		assert_int_equal(n, 11); /* 4K pages: orders 0..10 */
		k = (size_t)snprintf(again, sizeof(again), "Node 0, zone %8s ",
				     name);
		for (int o = 0; o < n; o++)
			k += (size_t)snprintf(again + k, sizeof(again) - k,
					      "%6llu ",
					      (unsigned long long)counts[o]);
		snprintf(line, sizeof(line), "%.*s", (int)k, text);
		(void)line;
		assert_non_null(strstr(text, again));
	}
	assert_true(i >= 1);
}

static void test_small_replay(void **state)
{
	const struct replay_policy pol = { "arm64", "arch=arm64 memmap=8G@2G" };
	struct replay_pages_opts o = { .machine = "memmap=64M@1G" };
	struct replay_pages_result *r = calloc(1, sizeof(*r));
	struct trace_stream s;
	char boot[640];

	(void)state;
	read_small(&s, 1);
	replay_pages_boot_line(&s, pol.boot, &o, boot, sizeof(boot));
	assert_string_equal(boot, "arch=arm64 memmap=64M@1G nr_cpus=2");
	replay_pages_run(&s, &pol, &o, r);
	assert_true(r->ok);
	assert_string_equal(r->boot, boot);
	assert_int_equal(r->allocs, 5);
	assert_int_equal(r->failed_allocs, 0);
	assert_int_equal(r->traced_failed_allocs, 1);
	assert_int_equal(r->frees, 6);
	/* first-time, split, untraced */
	assert_int_equal(r->unpaired_frees, 3);
	assert_int_equal(r->order_mismatches, 1);
	assert_int_equal(r->peak_pages, 13);
	assert_int_equal(r->end_pages, 8);
	assert_string_equal(r->zones[ZONE_DMA].name, "DMA");
	assert_int_equal(r->zones[ZONE_DMA].peak_pages, 13);
	assert_int_equal(r->zones[ZONE_DMA].managed, 16384);
	check_buddyinfo_layout(r->buddyinfo);
	assert_false(kslab_booted());
	free(r);
	trace_stream_free(&s);
}

struct boot_counts {
	const char *dir;
	uint64_t alloc, free, batched, paired, first, first_pages, untraced,
		split, peak, live_allocs, live_pages;
};

/* The counts of the traces' own lines (grep and a few lines of script) */
static const struct boot_counts boots[] = {
	{ ARM61, 7313, 5465, 137, 545, 4054, 483375, 999, 4, 8697, 6768, 8623 },
	{ ARM612, 6348, 5812, 157, 719, 4834, 483589, 412, 4, 7134, 5629,
	  7103 },
};

static void check_boot(const struct boot_counts *b)
{
	const struct replay_policy *pol = replay_builtin_policy("arm64");
	struct replay_pages_result *r = calloc(1, sizeof(*r));
	struct replay_pages_opts o;
	const struct trace_page_counts *c;
	struct trace_stream s;
	char trace[512], err[256];

	snprintf(trace, sizeof(trace), "%s/trace.xz", b->dir);
	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_pages(&s), 0);
	assert_int_equal(trace_stream_read(&s, trace, NULL, err, sizeof(err)),
			 0);
	trace_stream_finish(&s);
	c = &s.pages->c;
	assert_int_equal(c->bad, 0);
	assert_int_equal(s.counts.bad, 0);
	assert_int_equal(c->allocs, b->alloc);
	assert_int_equal(c->failed_allocs, 0);
	assert_int_equal(c->frees, b->free);
	assert_int_equal(c->batched_frees, b->batched);
	assert_int_equal(c->paired_frees, b->paired);
	assert_int_equal(c->first_frees, b->first);
	assert_int_equal(c->first_free_pages, b->first_pages);
	assert_int_equal(c->untraced_frees, b->untraced);
	assert_int_equal(c->split_frees, b->split);
	assert_int_equal(c->peak_pages, b->peak);
	assert_int_equal(c->live_allocs_at_end, b->live_allocs);
	assert_int_equal(c->live_pages_at_end, b->live_pages);

	/* booted as the traced machine: 2 GiB at 1 GiB, 4K pages */
	assert_int_equal(replay_pages_opts_init(&o, trace, NULL, NULL, NULL),
			 0);
	assert_string_equal(o.machine, "memmap=2G@1G");
	assert_non_null(strstr(o.traced_buddyinfo, "Node 0, zone      DMA"));
	replay_pages_run(&s, pol, &o, r);
	printf("%s: peak %llu pages, end %llu, DMA free %llu\n%s", b->dir,
	       (unsigned long long)r->peak_pages,
	       (unsigned long long)r->end_pages,
	       (unsigned long long)r->zones[ZONE_DMA].free_end, r->buddyinfo);
	assert_true(r->ok);
	assert_string_equal(r->boot, "arch=arm64 kslab.freelist_hardened=1 "
				     "kslab.freelist_random=1 memmap=2G@1G "
				     "nr_cpus=2");
	assert_int_equal(r->allocs, b->alloc);
	assert_int_equal(r->failed_allocs, 0);
	assert_int_equal(r->unpaired_frees, b->first + b->untraced + b->split);
	assert_int_equal(r->peak_pages, b->peak);
	assert_int_equal(r->end_pages, b->live_pages);
	assert_int_equal(r->zones[ZONE_DMA].managed, 524288);
	assert_int_equal(r->zones[ZONE_DMA].peak_pages, b->peak);
	/* what the replay holds plus what is free is the machine, or less */
	assert_true(r->zones[ZONE_DMA].free_end + r->zones[ZONE_DMA].pcp_end +
			    r->end_pages <=
		    524288);
	check_buddyinfo_layout(r->buddyinfo);
	check_buddyinfo_layout(o.traced_buddyinfo);
	free(r);
	trace_stream_free(&s);
}

static void test_arm64_boots(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(boots) / sizeof(boots[0]); i++)
		check_boot(&boots[i]);
}

static void test_command(void **state)
{
	int status;
	char *out;

	(void)state;
	out = run_replay("--pages --policy arm64-legacy,arm64 " ARM61
			 "/trace.xz",
			 &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "mm_page_alloc 7313 (0 failed)"));
	assert_non_null(strstr(out, "4054 first-time (483375 pages"));
	assert_non_null(strstr(out, "arm64: /proc/buddyinfo at the end"));
	assert_non_null(strstr(out, "traced machine (" ARM61 "/buddyinfo):\n"
				    "Node 0, zone      DMA      1      2"));
	assert_non_null(strstr(
		out, "arch=arm64 kmalloc.legacy kslab.freelist_hardened=1 "
		     "kslab.freelist_random=1 kslab.kernel=6.1 memmap=2G@1G"));
	free(out);
	out = run_replay("--pages --policy arm64 --format json " ARM612
			 "/trace.xz",
			 &status);
	assert_int_equal(status, 0);
	assert_int_equal(json_check(out), 0);
	assert_true(json_number_at(out, "pages.page_events.mm_page_alloc") ==
		    6348);
	assert_true(json_number_at(out, "pages.page_events.first_time_frees") ==
		    4834);
	free(out);
	/* without --pages: no page report, page lines skipped as before */
	out = run_replay("--policy arm64 --format json " ARM612 "/trace.xz",
			 &status);
	assert_int_equal(status, 0);
	assert_null(strstr(out, "\"pages\""));
	assert_true(json_number_at(out, "events.skipped") >= 6348 + 5812 + 157);
	free(out);
	/* an explicit layout and a buddyinfo that is not one */
	out = run_replay(
		"--pages --policy arm64 --pages-machine memmap=1G@1G " ARM612
		"/trace.xz",
		&status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(
		out, "arch=arm64 kslab.freelist_hardened=1 "
		     "kslab.freelist_random=1 kslab.kernel=6.12 memmap=1G@1G "
		     "nr_cpus=2"));
	free(out);
	out = run_replay("--pages --policy arm64 --buddyinfo " ARM612
			 "/meminfo " ARM612 "/trace.xz 2>&1",
			 &status);
	assert_int_equal(status, 2);
	assert_non_null(strstr(out, "not a /proc/buddyinfo line"));
	free(out);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Two zones apart, 16K pages (MemTotal over managed), and junk refused */
static void test_machine_layout(void **state)
{
	char dir[] = "/tmp/kslab-pages-XXXXXX", zi[64], mi[64], bi[64],
	     err[256], text[512];
	struct machine_layout ml;
	uint64_t counts[16];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(zi, sizeof(zi), "%s/zoneinfo", dir);
	snprintf(mi, sizeof(mi), "%s/meminfo", dir);
	snprintf(bi, sizeof(bi), "%s/buddyinfo", dir);
	write_text(zi, "Node 0, zone      DMA\n  pages free     10\n"
		       "        spanned  4096\n        present  4096\n"
		       "        managed  4000\n  start_pfn:           0\n"
		       "Node 0, zone    DMA32\n        spanned  0\n"
		       "Node 0, zone   Normal\n        spanned  1048576\n"
		       "        present  1048576\n        managed  1040000\n"
		       "  start_pfn:           1048576\n");
	write_text(mi, "MemTotal:       16704000 kB\n");
	assert_int_equal(machine_layout_read(zi, mi, &ml, err, sizeof(err)), 0);
	assert_int_equal(ml.page_size, 16384);
	assert_int_equal(ml.nr_ranges, 2);
	assert_string_equal(ml.boot,
			    "memmap=64M@0 memmap=16G@16G page_size=16K");
	/* without meminfo: 4K */
	assert_int_equal(machine_layout_read(zi, NULL, &ml, err, sizeof(err)),
			 0);
	assert_string_equal(ml.boot, "memmap=16M@0 memmap=4G@4G");
	write_text(zi, "Node 0, zone DMA\n  spanned  -5\n  start_pfn: x\n");
	assert_int_equal(machine_layout_read(zi, mi, &ml, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "no zone with pages spanned"));
	write_text(bi, "Node 0, zone      DMA      3      1\n"
		       "Node 0, zone   Normal      0      2      1\n");
	assert_int_equal(
		buddyinfo_read(bi, text, sizeof(text), err, sizeof(err)), 0);
	assert_int_equal(buddyinfo_zone(text, "Normal", counts, 16), 3);
	assert_int_equal(counts[2], 1);
	assert_int_equal(buddyinfo_zone(text, "DMA32", counts, 16), -1);
	write_text(bi, "Node 0, zone DMA 1 2 x\n");
	assert_int_equal(
		buddyinfo_read(bi, text, sizeof(text), err, sizeof(err)), -1);
	unlink(zi);
	unlink(mi);
	unlink(bi);
	rmdir(dir);
}

/* Mutated page lines: a defined kind, a reason when bad, sane counts. */
static void test_fuzz(void **state)
{
	static const char *const seeds[] = {
		PFX "mm_page_alloc: page=fffffe3209107f80 pfn=0x441fe order=1 "
		    "migratetype=0 gfp_flags=__GFP_NOWARN|__GFP_COMP",
		PFX "mm_page_free: page=fffffd2aa4203dc0 pfn=0x441fe order=1",
		PFX "mm_page_free_batched: page=fffffe3209002380 pfn=0x441fe "
		    "order=0",
	};
	unsigned int seed = test_seed("test_fuzz");
	size_t kinds[4] = { 0 };
	struct trace_stream s;
	char line[1024];

	(void)state;
	srand(seed);
	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_pages(&s), 0);
	for (int iter = 0; iter < 50000; iter++) {
		int n = snprintf(line, sizeof(line), "%s", seeds[rand() % 3]);
		enum trace_line_kind k;

		for (int e = 0, edits = 1 + rand() % 3; e < edits; e++) {
			int pos = rand() % n;

			if (rand() % 2)
				line[pos] = "0x=| -9fz:"[rand() % 10];
			else
				memmove(line + pos, line + pos + 1,
					(size_t)(n-- - pos));
		}
		n = (int)strlen(line);
		k = trace_stream_add_line(&s, line, (size_t)n,
					  (uint64_t)iter + 1);
		assert_true(k <= TRACE_LINE_BAD);
		kinds[k]++;
	}
	trace_stream_finish(&s);
	/* every page event kept is an allocation or a free, paired once */
	assert_int_equal(s.pages->nr,
			 s.pages->c.allocs + s.pages->c.failed_allocs +
				 s.pages->c.frees + s.pages->c.batched_frees);
	assert_int_equal(s.pages->c.frees + s.pages->c.batched_frees,
			 s.pages->c.paired_frees + s.pages->c.first_frees +
				 s.pages->c.untraced_frees +
				 s.pages->c.split_frees);
	printf("fuzz: %zu events, %zu skipped, %zu bad\n", kinds[0], kinds[1],
	       kinds[3]);
	trace_stream_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_alloc),
		cmocka_unit_test(test_parse_frees),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_small_stream),
		cmocka_unit_test(test_small_replay),
		cmocka_unit_test(test_arm64_boots),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_machine_layout),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
