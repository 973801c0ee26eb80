// SPDX-License-Identifier: MIT
/*
 * Traces of kernels other than 6.18: every line is read.
 *
 * First the gfp flag names other kernels print (trace/trace_gfp.c): each
 * retired name on a kmalloc line and on an mm_page_alloc line is read
 * into the 6.18 bits it meant, hex leftovers never become kslab's own
 * __GFP_PACKED, and a name no kernel printed still makes the line bad.
 *
 * Then one version family after another, one hand-written line per
 * event the reader uses, in that version's print format (its
 * include/trace/events/kmem.h TP_printk() and mmflags.h names, cited at
 * each family): every line is an event (0 bad) with the right fields,
 * and the fast path and the reference parser agree on each. Last, what
 * the replay assumes of each family's kernel when no uname file says
 * (replay_detect.c): the rules the print formats point to, and why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/gfp.h>
#include "replay/replay_detect.h"
#include "trace/trace_gfp.h"
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"
#include "trace/trace_stream.h"

#define NR(a) (sizeof(a) / sizeof((a)[0]))
#define NO_GFP ((gfp_t)~0u) /* expected gfp not checked */

/* what a line must give; ptr 0 with null set = a NULL pointer */
struct want {
	const char *line;
	enum trace_ev_name ev;
	const char *func; /* call_site's function (or bare address) */
	uint64_t ptr;	  /* 0 = not checked unless null */
	int null;
	uint64_t req, alloc; /* allocations */
	gfp_t gfp;
	int node;	  /* -1 when not printed */
	int accounted;	  /* -1 when not printed */
	const char *name; /* cache name, NULL when not printed */
	uint64_t pfn;	  /* page events */
	uint32_t order;
};

static void same_as_slow(const char *line, const struct trace_line *l)
{
	struct trace_line s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(trace_parse_line_slow(line, strlen(line), &s),
			 TRACE_LINE_EVENT);
	assert_int_equal(s.ev, l->ev);
	assert_true(s.ptr == l->ptr);
	assert_int_equal(s.ptr_null, l->ptr_null);
	assert_true(s.bytes_req == l->bytes_req);
	assert_true(s.bytes_alloc == l->bytes_alloc);
	assert_int_equal(s.gfp, l->gfp);
	assert_int_equal(s.node, l->node);
	assert_int_equal(s.accounted, l->accounted);
	assert_int_equal(s.name.len, l->name.len);
	assert_true(s.pfn == l->pfn);
	assert_int_equal(s.order, l->order);
	assert_int_equal(s.gfp_unknown, l->gfp_unknown);
}

static void check_want(const struct want *w)
{
	struct trace_line l;
	enum trace_line_kind k;

	memset(&l, 0, sizeof(l));
	k = trace_parse_line(w->line, strlen(w->line), &l);
	if (k != TRACE_LINE_EVENT)
		fail_msg("not read (%s): %s",
			 k == TRACE_LINE_BAD ? l.why : "skipped", w->line);
	same_as_slow(w->line, &l);
	assert_int_equal(l.ev, w->ev);
	assert_int_equal(l.ptr_null, w->null);
	if (w->ptr)
		assert_true(l.ptr == w->ptr);
	assert_int_equal(l.gfp_unknown, 0);
	if (w->gfp != NO_GFP)
		assert_int_equal(l.gfp, w->gfp);
	if (trace_ev_is_page(w->ev)) {
		assert_true(l.pfn == w->pfn);
		assert_int_equal(l.order, w->order);
		return;
	}
	assert_int_equal(l.site_func.len, strlen(w->func));
	assert_memory_equal(l.site_func.p, w->func, l.site_func.len);
	if (w->ev == TRACE_EV_KFREE || w->ev == TRACE_EV_CACHE_FREE) {
		if (w->name) {
			assert_int_equal(l.name.len, strlen(w->name));
			assert_memory_equal(l.name.p, w->name, l.name.len);
		} else {
			assert_int_equal(l.name.len, 0);
		}
		return;
	}
	assert_true(l.bytes_req == w->req);
	assert_true(l.bytes_alloc == w->alloc);
	assert_int_equal(l.node, w->node);
	assert_int_equal(l.accounted, w->accounted);
	if (w->name) {
		assert_int_equal(l.name.len, strlen(w->name));
		assert_memory_equal(l.name.p, w->name, l.name.len);
	} else {
		assert_int_equal(l.name.len, 0);
	}
}

static void check_family(const struct want *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		check_want(&w[i]);
}

/* ---- gfp names ---- */

struct gfp_case {
	const char *text;
	gfp_t want;
};

/* every name a 4.14-6.18 kernel prints that 6.18 kslab does not know */
static const struct gfp_case retired[] = {
	{ "__GFP_ATOMIC", 0 },
	{ "__GFP_HIGH|__GFP_ATOMIC|__GFP_ZERO", __GFP_HIGH | __GFP_ZERO },
	{ "GFP_ATOMIC|__GFP_ATOMIC", GFP_ATOMIC },
	{ "__GFP_WAIT", __GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM },
	{ "__GFP_COLD", 0 },
	{ "GFP_KERNEL|__GFP_COLD", GFP_KERNEL },
	{ "__GFP_NOTRACK", 0 },
	{ "__GFP_OTHER_NODE", 0 },
	{ "GFP_TEMPORARY", GFP_KERNEL | __GFP_RECLAIMABLE },
	{ "GFP_TEMPORARY|__GFP_ZERO",
	  GFP_KERNEL | __GFP_RECLAIMABLE | __GFP_ZERO },
	{ "__GFP_SKIP_KASAN_POISON", 0 },
	{ "__GFP_SKIP_KASAN_UNPOISON", 0 },
	{ "__GFP_SKIP_KASAN", 0 },
	{ "__GFP_SKIP_ZERO", 0 },
	{ "GFP_HIGHUSER_MOVABLE|__GFP_SKIP_ZERO|__GFP_SKIP_KASAN",
	  GFP_HIGHUSER_MOVABLE },
	{ "__GFP_REPEAT", __GFP_RETRY_MAYFAIL },
	{ "GFP_KERNEL|__GFP_REPEAT", GFP_KERNEL | __GFP_RETRY_MAYFAIL },
	{ "__GFP_NOACCOUNT", 0 },
	{ "__GFP_NO_KSWAPD", 0 },
	/* leftover bits are the printing kernel's: 0x4000000 is
	 * __GFP_NOLOCKDEP of 6.4-6.9, never kslab's __GFP_PACKED */
	{ "GFP_KERNEL|0x4000000", GFP_KERNEL },
	{ "0x4000200", 0x200 },
	/* kslab's own name is still its bit */
	{ "GFP_KERNEL|__GFP_PACKED", GFP_KERNEL | __GFP_PACKED },
};

static void test_gfp_retired_kmalloc(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR(retired); i++) {
		char line[512];
		struct want w = {
			.line = line,
			.ev = TRACE_EV_KMALLOC,
			.func = "alloc_thing",
			.req = 8,
			.alloc = 8,
			.gfp = retired[i].want,
			.node = -1,
			.accounted = -1,
		};

		snprintf(line, sizeof(line),
			 "          <idle>-0       [000] .....     0.019987: "
			 "kmalloc: call_site=alloc_thing+0x1c/0x80 "
			 "ptr=00000000b55be0ab bytes_req=8 bytes_alloc=8 "
			 "gfp_flags=%s",
			 retired[i].text);
		check_want(&w);
	}
}

static void test_gfp_retired_page_alloc(void **state)
{
	(void)state;
	for (size_t i = 0; i < NR(retired); i++) {
		char line[512];
		struct want w = {
			.line = line,
			.ev = TRACE_EV_PAGE_ALLOC,
			.gfp = retired[i].want,
			.pfn = 0x43618,
			.order = 3,
		};

		snprintf(line, sizeof(line),
			 "          <idle>-0       [000] .....     0.019987: "
			 "mm_page_alloc: page=fffffd2aa40d8600 pfn=0x43618 "
			 "order=3 migratetype=0 gfp_flags=%s",
			 retired[i].text);
		check_want(&w);
	}
}

static void test_gfp_unknown_still_bad(void **state)
{
	static const char *const bad[] = {
		"__GFP_BOGUS",	"GFP_KERNEL|__GFP_NOPE",
		"__GFP_atomic", "GFP_KERNEL||__GFP_ZERO",
		"GFP_KERNEL|",	"GFP_WAIT",
	};
	gfp_t g;

	(void)state;
	for (size_t i = 0; i < NR(bad); i++) {
		char line[512];
		struct trace_line l;

		snprintf(line, sizeof(line),
			 "            bash-1364    [001] d..1. 10561.957538: "
			 "kmalloc: call_site=f+0x1/0x2 ptr=00000000b55be0ab "
			 "bytes_req=8 bytes_alloc=8 gfp_flags=%s",
			 bad[i]);
		assert_int_equal(trace_parse_line(line, strlen(line), &l),
				 TRACE_LINE_BAD);
		assert_string_equal(l.why, "unknown gfp flag");
		assert_int_equal(trace_parse_line_slow(line, strlen(line), &l),
				 TRACE_LINE_BAD);
		assert_int_equal(trace_gfp_parse(bad[i], strlen(bad[i]), &g),
				 -1);
	}
	/* a page event keeps the line and marks the unknown name dropped */
	{
		static const char line[] =
			"  kworker/0:1-12 [000] ..... 1.000000: mm_page_alloc: "
			"page=fffffd2aa40d8600 pfn=0x43618 order=0 "
			"migratetype=0 gfp_flags=GFP_KERNEL|__GFP_CMA";
		struct trace_line l;

		assert_int_equal(trace_parse_line(line, strlen(line), &l),
				 TRACE_LINE_EVENT);
		assert_int_equal(l.gfp_unknown, 1);
		assert_int_equal(l.gfp, GFP_KERNEL);
	}
}

/* the 6.18 names read as kslab_gfp_parse() reads them */
static void test_gfp_618_unchanged(void **state)
{
	gfp_t all = 0;

	(void)state;
	for (unsigned int bit = 0; bit < ___GFP_LAST_BIT; bit++) {
		char buf[256];
		gfp_t a, b;

		kslab_gfp_format((gfp_t)1 << bit, buf, sizeof(buf));
		assert_int_equal(kslab_gfp_parse(buf, strlen(buf), &a, NULL),
				 0);
		assert_int_equal(trace_gfp_parse(buf, strlen(buf), &b), 0);
		if (bit != ___GFP_PACKED_BIT && bit != 9)
			assert_int_equal(a, b);
		all |= (gfp_t)1 << bit;
	}
	{
		char buf[512];
		gfp_t b;

		all &= ~(gfp_t)(1u << 9);
		kslab_gfp_format(all, buf, sizeof(buf));
		assert_int_equal(trace_gfp_parse(buf, strlen(buf), &b), 0);
		assert_int_equal(b, all);
	}
}

/* ---- version families ---- */

#define KM TRACE_EV_KMALLOC
#define KMN TRACE_EV_KMALLOC_NODE
#define KF TRACE_EV_KFREE
#define CA TRACE_EV_CACHE_ALLOC
#define CAN TRACE_EV_CACHE_ALLOC_NODE
#define CF TRACE_EV_CACHE_FREE
#define PA TRACE_EV_PAGE_ALLOC
#define PF TRACE_EV_PAGE_FREE
#define PFB TRACE_EV_PAGE_FREE_BATCHED

/*
 * 4.14, x86_64 (4.14 kmem.h, mmflags.h): call_site=%lx (a bare address),
 * %p not hashed yet (4.15), a NULL %p printed "(null)" padded to the
 * width of a pointer (vsprintf until 5.1), kmalloc_node and
 * kmem_cache_alloc_node, pfn=%lu in decimal, mm_page_free_batched with
 * cold=%d, and __GFP_COLD, __GFP_NOTRACK, __GFP_ATOMIC in gfp_flags.
 */
static const struct want v4_14[] = {
	{ "         systemd-1     [001] ....     2.104821: kmalloc: "
	  "call_site=ffffffff8121d4a5 ptr=ffff88007c1e3a00 bytes_req=64 "
	  "bytes_alloc=64 gfp_flags=GFP_KERNEL|__GFP_ZERO",
	  KM, "ffffffff8121d4a5", 0xffff88007c1e3a00ull, 0, 64, 64,
	  GFP_KERNEL | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     2.104830: kmalloc_node: "
	  "call_site=ffffffff8130a1b2 ptr=ffff88007d3f0000 bytes_req=4096 "
	  "bytes_alloc=4096 gfp_flags=GFP_KERNEL|__GFP_NOTRACK node=-1",
	  KMN, "ffffffff8130a1b2", 0xffff88007d3f0000ull, 0, 4096, 4096,
	  GFP_KERNEL, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     2.104840: kmem_cache_alloc: "
	  "call_site=ffffffff811f0c3e ptr=ffff880079a8c000 bytes_req=256 "
	  "bytes_alloc=256 gfp_flags=GFP_ATOMIC|__GFP_COLD",
	  CA, "ffffffff811f0c3e", 0xffff880079a8c000ull, 0, 256, 256,
	  GFP_ATOMIC, -1, -1, NULL, 0, 0 },
	{ "     kworker/0:1-12    [000] d...     2.104850: "
	  "kmem_cache_alloc_node: call_site=ffffffff810a6e2c "
	  "ptr=ffff88007aa40000 bytes_req=3776 bytes_alloc=3776 "
	  "gfp_flags=GFP_KERNEL|__GFP_NOTRACK node=0",
	  CAN, "ffffffff810a6e2c", 0xffff88007aa40000ull, 0, 3776, 3776,
	  GFP_KERNEL, 0, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     2.104860: kfree: "
	  "call_site=ffffffff8121d6e0 ptr=          (null)",
	  KF, "ffffffff8121d6e0", 0, 1, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     2.104870: kmem_cache_free: "
	  "call_site=ffffffff811f1a2b ptr=ffff880079a8c000",
	  CF, "ffffffff811f1a2b", 0xffff880079a8c000ull, 0, 0, 0, NO_GFP, -1,
	  -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     2.104880: mm_page_alloc: "
	  "page=ffffea0001f07a40 pfn=508393 order=0 migratetype=0 "
	  "gfp_flags=GFP_KERNEL|__GFP_COLD",
	  PA, NULL, 0, 0, 0, 0, GFP_KERNEL, -1, -1, NULL, 508393, 0 },
	{ "      khugepaged-40    [000] ....     2.104890: mm_page_alloc: "
	  "page=          (null) pfn=0 order=9 migratetype=1 "
	  "gfp_flags=GFP_TRANSHUGE|__GFP_THISNODE",
	  PA, NULL, 0, 1, 0, 0, GFP_TRANSHUGE | __GFP_THISNODE, -1, -1, NULL, 0,
	  9 },
	{ "         systemd-1     [001] ....     2.104900: mm_page_free: "
	  "page=ffffea0001f07a40 pfn=508393 order=0",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 508393, 0 },
	{ "         systemd-1     [001] ....     2.104910: "
	  "mm_page_free_batched: page=ffffea0001f07a80 pfn=508394 order=0 "
	  "cold=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 508394, 0 },
};

/*
 * 4.19, x86_64 (4.19 kmem.h, mmflags.h): as 4.14 but %p hashed (and
 * "(____ptrval____)" before the hash key is ready, early in boot),
 * mm_page_free_batched without cold= (4.15), no __GFP_COLD/__GFP_NOTRACK
 * (4.15); GFP_ATOMIC still holds __GFP_ATOMIC.
 */
static const struct want v4_19[] = {
	{ "          <idle>-0     [000] d.s.     0.512345: kmalloc: "
	  "call_site=ffffffff812b6c38 ptr=000000006f9b3e7a bytes_req=24 "
	  "bytes_alloc=32 gfp_flags=GFP_ATOMIC|__GFP_ZERO",
	  KM, "ffffffff812b6c38", 0x6f9b3e7aull, 0, 24, 32,
	  GFP_ATOMIC | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "       swapper/0-1     [000] ....     0.012345: kmalloc: "
	  "call_site=ffffffff81e4a1c2 ptr=(____ptrval____) bytes_req=128 "
	  "bytes_alloc=128 gfp_flags=GFP_KERNEL",
	  KM, "ffffffff81e4a1c2", 0, 0, 128, 128, GFP_KERNEL, -1, -1, NULL, 0,
	  0 },
	{ "         systemd-1     [001] ....     3.000001: kmalloc_node: "
	  "call_site=ffffffff8179d2e1 ptr=00000000c0b1a2f3 bytes_req=2048 "
	  "bytes_alloc=2048 gfp_flags=GFP_KERNEL|__GFP_RETRY_MAYFAIL node=0",
	  KMN, "ffffffff8179d2e1", 0xc0b1a2f3ull, 0, 2048, 2048,
	  GFP_KERNEL | __GFP_RETRY_MAYFAIL, 0, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     3.000002: kmem_cache_alloc: "
	  "call_site=ffffffff81277c1b ptr=0000000021ad03c5 bytes_req=200 "
	  "bytes_alloc=256 gfp_flags=GFP_KERNEL_ACCOUNT",
	  CA, "ffffffff81277c1b", 0x21ad03c5ull, 0, 200, 256,
	  GFP_KERNEL_ACCOUNT, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     3.000003: "
	  "kmem_cache_alloc_node: call_site=ffffffff8108f0d4 "
	  "ptr=00000000e8a2d5b1 bytes_req=3904 bytes_alloc=4032 "
	  "gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1",
	  CAN, "ffffffff8108f0d4", 0xe8a2d5b1ull, 0, 3904, 4032,
	  GFP_KERNEL | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     3.000004: kfree: "
	  "call_site=ffffffff8127e5a0 ptr=          (null)",
	  KF, "ffffffff8127e5a0", 0, 1, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "         systemd-1     [001] ....     3.000005: kmem_cache_free: "
	  "call_site=ffffffff81278a4e ptr=0000000021ad03c5",
	  CF, "ffffffff81278a4e", 0x21ad03c5ull, 0, 0, 0, NO_GFP, -1, -1, NULL,
	  0, 0 },
	{ "         systemd-1     [001] ....     3.000006: mm_page_alloc: "
	  "page=00000000b8e0c1f2 pfn=1234567 order=0 migratetype=1 "
	  "gfp_flags=GFP_HIGHUSER_MOVABLE",
	  PA, NULL, 0, 0, 0, 0, GFP_HIGHUSER_MOVABLE, -1, -1, NULL, 1234567,
	  0 },
	{ "         systemd-1     [001] ....     3.000007: mm_page_free: "
	  "page=00000000b8e0c1f2 pfn=1234567 order=0",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 1234567, 0 },
	{ "         systemd-1     [001] ....     3.000008: "
	  "mm_page_free_batched: page=000000003c2d1e0f pfn=1234568 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 1234568, 0 },
};

/*
 * 5.4, arm64 (5.4 kmem.h: call_site=%lx until the %pS change of 5.5,
 * pfn=%lu), from ftrace and from perf script (libtraceevent prints %p
 * with glibc's printf: 0x..., and (nil) for NULL).
 */
static const struct want v5_4[] = {
	{ "     kworker/u4:1-57    [001] d...    12.345678: kmalloc: "
	  "call_site=ffff8000102a1b2c ptr=000000004e5d6c7b bytes_req=96 "
	  "bytes_alloc=128 gfp_flags=GFP_KERNEL|__GFP_ZERO",
	  KM, "ffff8000102a1b2c", 0x4e5d6c7bull, 0, 96, 128,
	  GFP_KERNEL | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "         swapper     0 [000]    12.345679: kmem:kfree: "
	  "call_site=ffff8000102a1f00 ptr=(nil)",
	  KF, "ffff8000102a1f00", 0, 1, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "         swapper     0 [000]    12.345679: kmem:kmalloc_node: "
	  "call_site=ffff800010a1c3d4 ptr=0xffff0000c0a1b200 bytes_req=512 "
	  "bytes_alloc=512 gfp_flags=GFP_ATOMIC|__GFP_NOWARN node=-1",
	  KMN, "ffff800010a1c3d4", 0xffff0000c0a1b200ull, 0, 512, 512,
	  GFP_ATOMIC | __GFP_NOWARN, -1, -1, NULL, 0, 0 },
	{ "     kworker/u4:1-57    [001] ....    12.345680: kmem_cache_alloc: "
	  "call_site=ffff8000102f0e18 ptr=00000000a9b8c7d6 bytes_req=40 "
	  "bytes_alloc=40 gfp_flags=GFP_NOFS|__GFP_NOFAIL|__GFP_ACCOUNT",
	  CA, "ffff8000102f0e18", 0xa9b8c7d6ull, 0, 40, 40,
	  GFP_NOFS | __GFP_NOFAIL | __GFP_ACCOUNT, -1, -1, NULL, 0, 0 },
	{ "     kworker/u4:1-57    [001] ....    12.345681: "
	  "kmem_cache_alloc_node: call_site=ffff800010b3e2a0 "
	  "ptr=000000001f2e3d4c bytes_req=232 bytes_alloc=256 "
	  "gfp_flags=GFP_ATOMIC|__GFP_NOWARN|__GFP_NOMEMALLOC node=-1",
	  CAN, "ffff800010b3e2a0", 0x1f2e3d4cull, 0, 232, 256,
	  GFP_ATOMIC | __GFP_NOWARN | __GFP_NOMEMALLOC, -1, -1, NULL, 0, 0 },
	{ "     kworker/u4:1-57    [001] ....    12.345682: kfree: "
	  "call_site=ffff8000102a1f00 ptr=000000004e5d6c7b",
	  KF, "ffff8000102a1f00", 0x4e5d6c7bull, 0, 0, 0, NO_GFP, -1, -1, NULL,
	  0, 0 },
	{ "     kworker/u4:1-57    [001] ....    12.345683: kmem_cache_free: "
	  "call_site=ffff8000102f1a44 ptr=00000000a9b8c7d6",
	  CF, "ffff8000102f1a44", 0xa9b8c7d6ull, 0, 0, 0, NO_GFP, -1, -1, NULL,
	  0, 0 },
	{ "     kworker/u4:1-57    [001] ....    12.345684: mm_page_alloc: "
	  "page=000000005a4b3c2d pfn=262913 order=2 migratetype=0 "
	  "gfp_flags=__GFP_HIGH|__GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP",
	  PA, NULL, 0, 0, 0, 0, __GFP_HIGH | __GFP_NOWARN | __GFP_COMP, -1, -1,
	  NULL, 262913, 2 },
	{ "     kworker/u4:1-57    [001] ....    12.345685: mm_page_free: "
	  "page=000000005a4b3c2d pfn=262913 order=2",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 262913, 2 },
	{ "     kworker/u4:1-57    [001] ....    12.345686: "
	  "mm_page_free_batched: page=000000006b5c4d3e pfn=262917 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 262917, 0 },
};

/*
 * 5.10, x86_64 (5.10 kmem.h, mmflags.h): call_site=%pS, kmem_cache_free
 * without name= (added in 5.12), pfn=%lu (0x%lx from 5.14).
 */
static const struct want v5_10[] = {
	{ "            bash-1364    [001] ....   808.188917: kmalloc: "
	  "call_site=alloc_pipe_info+0x9f/0x1b0 ptr=00000000d6d1f2c7 "
	  "bytes_req=640 bytes_alloc=1024 "
	  "gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO",
	  KM, "alloc_pipe_info", 0xd6d1f2c7ull, 0, 640, 1024,
	  GFP_KERNEL_ACCOUNT | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "          <idle>-0       [000] ..s.   808.188918: kmalloc_node: "
	  "call_site=__alloc_skb+0x8e/0x1d0 ptr=0000000042a1b2c3 "
	  "bytes_req=512 bytes_alloc=512 "
	  "gfp_flags=GFP_ATOMIC|__GFP_NOWARN|__GFP_NOMEMALLOC node=-1",
	  KMN, "__alloc_skb", 0x42a1b2c3ull, 0, 512, 512,
	  GFP_ATOMIC | __GFP_NOWARN | __GFP_NOMEMALLOC, -1, -1, NULL, 0, 0 },
	{ "            bash-1364    [001] ....   808.188920: kmem_cache_alloc: "
	  "call_site=getname_flags+0x4f/0x1e0 ptr=00000000cef40c80 "
	  "bytes_req=4096 bytes_alloc=4096 gfp_flags=GFP_KERNEL",
	  CA, "getname_flags", 0xcef40c80ull, 0, 4096, 4096, GFP_KERNEL, -1, -1,
	  NULL, 0, 0 },
	{ "          <idle>-0       [000] ..s.   808.188921: "
	  "kmem_cache_alloc_node: call_site=__alloc_skb+0x4c/0x1d0 "
	  "ptr=00000000a1b2c3d4 bytes_req=232 bytes_alloc=256 "
	  "gfp_flags=GFP_ATOMIC|__GFP_NOWARN node=-1",
	  CAN, "__alloc_skb", 0xa1b2c3d4ull, 0, 232, 256,
	  GFP_ATOMIC | __GFP_NOWARN, -1, -1, NULL, 0, 0 },
	{ "            bash-1364    [001] ....   808.188926: kfree: "
	  "call_site=security_cred_free+0x42/0x50 ptr=0000000062400820",
	  KF, "security_cred_free", 0x62400820ull, 0, 0, 0, NO_GFP, -1, -1,
	  NULL, 0, 0 },
	{ "            bash-1364    [001] ....   808.188925: kmem_cache_free: "
	  "call_site=putname+0x47/0x50 ptr=00000000cef40c80",
	  CF, "putname", 0xcef40c80ull, 0, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "            bash-1364    [001] ....   808.188930: mm_page_alloc: "
	  "page=000000007f6e5d4c pfn=2097152 order=3 migratetype=0 "
	  "gfp_flags=__GFP_HIGH|__GFP_ATOMIC|__GFP_NOWARN|__GFP_COMP|"
	  "__GFP_NOMEMALLOC",
	  PA, NULL, 0, 0, 0, 0,
	  __GFP_HIGH | __GFP_NOWARN | __GFP_COMP | __GFP_NOMEMALLOC, -1, -1,
	  NULL, 2097152, 3 },
	{ "            bash-1364    [001] ....   808.188931: mm_page_free: "
	  "page=000000007f6e5d4c pfn=2097152 order=3",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 2097152, 3 },
	{ "            bash-1364    [001] ....   808.188932: "
	  "mm_page_free_batched: page=00000000c1d2e3f4 pfn=2097160 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 2097160, 0 },
};

/*
 * 5.15, arm64 with KASAN_HW_TAGS (5.15 kmem.h, mmflags.h): kmem_cache_free
 * with name= (5.12), pfn=0x%lx (5.14), still the _node events,
 * __GFP_ZEROTAGS and __GFP_SKIP_KASAN_POISON in the names.
 */
static const struct want v5_15[] = {
	{ "     kworker/1:2-88      [001] .....    42.000001: kmalloc: "
	  "call_site=kvmalloc_node+0x54/0x100 ptr=000000009a8b7c6d "
	  "bytes_req=1500 bytes_alloc=2048 "
	  "gfp_flags=GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY",
	  KM, "kvmalloc_node", 0x9a8b7c6dull, 0, 1500, 2048,
	  GFP_KERNEL | __GFP_NOWARN | __GFP_NORETRY, -1, -1, NULL, 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000002: kmalloc_node: "
	  "call_site=__kmalloc_node+0x5c/0x80 ptr=00000000ab12cd34 "
	  "bytes_req=8192 bytes_alloc=8192 gfp_flags=GFP_KERNEL node=0",
	  KMN, "__kmalloc_node", 0xab12cd34ull, 0, 8192, 8192, GFP_KERNEL, 0,
	  -1, NULL, 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000003: "
	  "kmem_cache_alloc: call_site=__alloc_file+0x2c/0x110 "
	  "ptr=0000000055aa66bb bytes_req=256 bytes_alloc=256 "
	  "gfp_flags=GFP_KERNEL|__GFP_ZERO",
	  CA, "__alloc_file", 0x55aa66bbull, 0, 256, 256,
	  GFP_KERNEL | __GFP_ZERO, -1, -1, NULL, 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000004: "
	  "kmem_cache_alloc_node: call_site=__alloc_skb+0x60/0x1c0 "
	  "ptr=00000000ccdd0011 bytes_req=224 bytes_alloc=256 "
	  "gfp_flags=GFP_KERNEL|__GFP_NOWARN node=-1",
	  CAN, "__alloc_skb", 0xccdd0011ull, 0, 224, 256,
	  GFP_KERNEL | __GFP_NOWARN, -1, -1, NULL, 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000005: kfree: "
	  "call_site=kvfree+0x3c/0x50 ptr=000000009a8b7c6d",
	  KF, "kvfree", 0x9a8b7c6dull, 0, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000006: "
	  "kmem_cache_free: call_site=kfree_skbmem+0xa4/0xb0 "
	  "ptr=00000000ccdd0011 name=skbuff_head_cache",
	  CF, "kfree_skbmem", 0xccdd0011ull, 0, 0, 0, NO_GFP, -1, -1,
	  "skbuff_head_cache", 0, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000007: mm_page_alloc: "
	  "page=fffffc0000d0e0c0 pfn=0x43703 order=0 migratetype=1 "
	  "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_ZEROTAGS|"
	  "__GFP_SKIP_KASAN_POISON",
	  PA, NULL, 0, 0, 0, 0,
	  GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_ZEROTAGS, -1, -1, NULL,
	  0x43703, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000008: mm_page_free: "
	  "page=fffffc0000d0e0c0 pfn=0x43703 order=0",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x43703, 0 },
	{ "     kworker/1:2-88      [001] .....    42.000009: "
	  "mm_page_free_batched: page=fffffc0000d0e100 pfn=0x43704 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x43704, 0 },
};

/*
 * 6.1, arm64 with KASAN_HW_TAGS (6.1 kmem.h, mmflags.h; the Debian
 * 6.1.0-57-arm64 formats of /work/shared/reference): kmalloc and
 * kmem_cache_alloc with node= and accounted=, no _node events, no name=
 * on kmem_cache_alloc, __GFP_ATOMIC, and the KASAN names of 5.18-6.3.
 */
static const struct want v6_1[] = {
	{ "          <idle>-0       [000] ..s1.    30.000001: kmalloc: "
	  "call_site=kmalloc_reserve+0x40/0xd0 ptr=00000000e1f2a3b4 "
	  "bytes_req=640 bytes_alloc=1024 "
	  "gfp_flags=GFP_ATOMIC|__GFP_NOWARN|__GFP_NOMEMALLOC node=-1 "
	  "accounted=false",
	  KM, "kmalloc_reserve", 0xe1f2a3b4ull, 0, 640, 1024,
	  GFP_ATOMIC | __GFP_NOWARN | __GFP_NOMEMALLOC, -1, 0, NULL, 0, 0 },
	{ "     kworker/u4:2-60      [001] .....    30.000002: "
	  "kmem_cache_alloc: call_site=alloc_buffer_head+0x28/0xf0 "
	  "ptr=0000000011223344 bytes_req=104 bytes_alloc=104 "
	  "gfp_flags=GFP_NOFS|__GFP_NOFAIL|__GFP_ACCOUNT node=-1 "
	  "accounted=true",
	  CA, "alloc_buffer_head", 0x11223344ull, 0, 104, 104,
	  GFP_NOFS | __GFP_NOFAIL | __GFP_ACCOUNT, -1, 1, NULL, 0, 0 },
	{ "     kworker/u4:2-60      [001] .....    30.000003: kfree: "
	  "call_site=kvfree+0x3c/0x50 ptr=00000000e1f2a3b4",
	  KF, "kvfree", 0xe1f2a3b4ull, 0, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "     kworker/u4:2-60      [001] .....    30.000004: "
	  "kmem_cache_free: call_site=free_buffer_head+0x2c/0x90 "
	  "ptr=0000000011223344 name=buffer_head",
	  CF, "free_buffer_head", 0x11223344ull, 0, 0, 0, NO_GFP, -1, -1,
	  "buffer_head", 0, 0 },
	{ "          <idle>-0       [000] .....     0.019987: mm_page_alloc: "
	  "page=fffffd2aa40d8600 pfn=0x43618 order=3 migratetype=0 "
	  "gfp_flags=__GFP_HIGH|__GFP_ATOMIC|__GFP_ZERO",
	  PA, NULL, 0, 0, 0, 0, __GFP_HIGH | __GFP_ZERO, -1, -1, NULL, 0x43618,
	  3 },
	{ "     kworker/u4:2-60      [001] .....    30.000005: mm_page_alloc: "
	  "page=fffffd2aa40d8700 pfn=0x4361c order=0 migratetype=1 "
	  "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_SKIP_ZERO|"
	  "__GFP_SKIP_KASAN_UNPOISON|__GFP_SKIP_KASAN_POISON",
	  PA, NULL, 0, 0, 0, 0, GFP_HIGHUSER_MOVABLE | __GFP_ZERO, -1, -1, NULL,
	  0x4361c, 0 },
	{ "     kworker/u4:2-60      [001] .....    30.000006: mm_page_free: "
	  "page=fffffd2aa40d8600 pfn=0x43618 order=3",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x43618, 3 },
	{ "     kworker/u4:2-60      [001] .....    30.000007: "
	  "mm_page_free_batched: page=fffffd2aa40d8700 pfn=0x4361c order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x4361c, 0 },
};

/*
 * 6.6, x86_64 with lockdep (6.6 kmem.h as 6.1; mmflags.h without
 * __GFP_ATOMIC (6.3) and with __GFP_SKIP_KASAN (6.4); lockdep's
 * __GFP_NOLOCKDEP, bit 26, is in no table and prints as 0x4000000).
 */
static const struct want v6_6[] = {
	{ "            bash-1364    [001] d..1.   100.000001: kmalloc: "
	  "call_site=kernfs_fop_open+0x1a8/0x400 ptr=00000000aabbccdd "
	  "bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL|0x4000000 "
	  "node=-1 accounted=false",
	  KM, "kernfs_fop_open", 0xaabbccddull, 0, 64, 64, GFP_KERNEL, -1, 0,
	  NULL, 0, 0 },
	{ "            bash-1364    [001] ...1.   100.000002: "
	  "kmem_cache_alloc: call_site=vm_area_alloc+0x20/0x60 "
	  "ptr=0000000099887766 bytes_req=184 bytes_alloc=184 "
	  "gfp_flags=GFP_KERNEL node=-1 accounted=true",
	  CA, "vm_area_alloc", 0x99887766ull, 0, 184, 184, GFP_KERNEL, -1, 1,
	  NULL, 0, 0 },
	{ "            bash-1364    [001] ...1.   100.000003: kfree: "
	  "call_site=kvfree_call_rcu+0x111/0x3a0 ptr=0000000000000000",
	  KF, "kvfree_call_rcu", 0, 1, 0, 0, NO_GFP, -1, -1, NULL, 0, 0 },
	{ "            bash-1364    [001] ...1.   100.000004: "
	  "kmem_cache_free: call_site=vm_area_free_rcu_cb+0x37/0x50 "
	  "ptr=0000000099887766 name=vm_area_struct",
	  CF, "vm_area_free_rcu_cb", 0x99887766ull, 0, 0, 0, NO_GFP, -1, -1,
	  "vm_area_struct", 0, 0 },
	{ "            bash-1364    [001] ...1.   100.000005: mm_page_alloc: "
	  "page=00000000deadbeef pfn=0x10a3c0 order=0 migratetype=1 "
	  "gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_SKIP_KASAN",
	  PA, NULL, 0, 0, 0, 0, GFP_HIGHUSER_MOVABLE | __GFP_COMP, -1, -1, NULL,
	  0x10a3c0, 0 },
	{ "            bash-1364    [001] ...1.   100.000006: mm_page_free: "
	  "page=00000000deadbeef pfn=0x10a3c0 order=0",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x10a3c0, 0 },
	{ "            bash-1364    [001] ...1.   100.000007: "
	  "mm_page_free_batched: page=00000000feedface pfn=0x10a3c1 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x10a3c1, 0 },
};

/*
 * 6.12, arm64 (Debian linux-source-6.12 kmem.h, mmflags.h): as 6.6,
 * still no name= on kmem_cache_alloc; with SLAB_OBJ_EXT (memcg)
 * __GFP_NO_OBJ_EXT is bit 26 and in no table: 0x4000000 again.
 */
static const struct want v6_12[] = {
	{ "     kworker/0:2-77      [000] .....    55.000001: kmalloc: "
	  "call_site=alloc_slab_obj_exts+0x4c/0x1c0 ptr=00000000abcdef01 "
	  "bytes_req=16 bytes_alloc=16 "
	  "gfp_flags=__GFP_HIGH|__GFP_ZERO|0x4000000 node=-1 "
	  "accounted=false",
	  KM, "alloc_slab_obj_exts", 0xabcdef01ull, 0, 16, 16,
	  __GFP_HIGH | __GFP_ZERO, -1, 0, NULL, 0, 0 },
	{ "     kworker/0:2-77      [000] .....    55.000002: "
	  "kmem_cache_alloc: call_site=mas_alloc_nodes+0x1a4/0x200 "
	  "ptr=0000000012345678 bytes_req=256 bytes_alloc=256 "
	  "gfp_flags=GFP_NOWAIT|__GFP_ZERO node=-1 accounted=false",
	  CA, "mas_alloc_nodes", 0x12345678ull, 0, 256, 256,
	  GFP_NOWAIT | __GFP_ZERO, -1, 0, NULL, 0, 0 },
	{ "     kworker/0:2-77      [000] .....    55.000003: kfree: "
	  "call_site=free_slab_obj_exts+0x3c/0x60 ptr=00000000abcdef01",
	  KF, "free_slab_obj_exts", 0xabcdef01ull, 0, 0, 0, NO_GFP, -1, -1,
	  NULL, 0, 0 },
	{ "     kworker/0:2-77      [000] .....    55.000004: "
	  "kmem_cache_free: call_site=mt_free_rcu+0x18/0x30 "
	  "ptr=0000000012345678 name=maple_node",
	  CF, "mt_free_rcu", 0x12345678ull, 0, 0, 0, NO_GFP, -1, -1,
	  "maple_node", 0, 0 },
	{ "     kworker/0:2-77      [000] .....    55.000005: mm_page_alloc: "
	  "page=fffffdffc0d0e0c0 pfn=0x43703 order=1 migratetype=0 "
	  "gfp_flags=GFP_KERNEL|__GFP_COMP|__GFP_ZERO|__GFP_SKIP_ZERO|"
	  "__GFP_SKIP_KASAN",
	  PA, NULL, 0, 0, 0, 0, GFP_KERNEL | __GFP_COMP | __GFP_ZERO, -1, -1,
	  NULL, 0x43703, 1 },
	{ "     kworker/0:2-77      [000] .....    55.000006: mm_page_free: "
	  "page=fffffdffc0d0e0c0 pfn=0x43703 order=1",
	  PF, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x43703, 1 },
	{ "     kworker/0:2-77      [000] .....    55.000007: "
	  "mm_page_free_batched: page=fffffdffc0d0e140 pfn=0x43705 order=0",
	  PFB, NULL, 0, 0, 0, 0, NO_GFP, -1, -1, NULL, 0x43705, 0 },
};

static void test_v4_14(void **state)
{
	(void)state;
	check_family(v4_14, NR(v4_14));
}

static void test_v4_19(void **state)
{
	(void)state;
	check_family(v4_19, NR(v4_19));
}

static void test_v5_4(void **state)
{
	(void)state;
	check_family(v5_4, NR(v5_4));
}

static void test_v5_10(void **state)
{
	(void)state;
	check_family(v5_10, NR(v5_10));
}

static void test_v5_15(void **state)
{
	(void)state;
	check_family(v5_15, NR(v5_15));
}

static void test_v6_1(void **state)
{
	(void)state;
	check_family(v6_1, NR(v6_1));
}

static void test_v6_6(void **state)
{
	(void)state;
	check_family(v6_6, NR(v6_6));
}

static void test_v6_12(void **state)
{
	(void)state;
	check_family(v6_12, NR(v6_12));
}

/* the replay's guess at each family's kernel, from its lines alone */
static void detect_family(const struct want *w, size_t n, const char *version,
			  const char *rules)
{
	struct trace_stream s;
	struct replay_kernel k;

	trace_stream_init(&s);
	assert_int_equal(trace_stream_want_pages(&s), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(trace_stream_add_line(&s, w[i].line,
						       strlen(w[i].line),
						       i + 1),
				 TRACE_LINE_EVENT);
	trace_stream_finish(&s);
	memset(&k, 0, sizeof(k));
	replay_detect_policy(&s, &k);
	assert_int_equal(replay_detect_version(&k, NULL, NULL), 0);
	assert_string_equal(k.version, version);
	assert_string_equal(k.rules, rules);
	if (rules[0])
		assert_true(k.version_from[0] != '\0');
	/* a version given wins over the formats */
	assert_int_equal(replay_detect_version(&k, "6.12.3", NULL), 0);
	assert_string_equal(k.rules, "6.12");
	assert_string_equal(k.version_from, "given");
	trace_stream_free(&s);
}

static void test_detect_version(void **state)
{
	static const struct want v6_18[] = {
		{ .line = "            bash-1364    [001] d..1. 10561.957538: "
			  "kmem_cache_alloc: call_site=copy_process+0x1a5/0x1d80 "
			  "ptr=00000000aa9f5a01 name=task_struct bytes_req=5824 "
			  "bytes_alloc=5824 gfp_flags=GFP_KERNEL node=-1 "
			  "accounted=true" },
		{ .line = "            bash-1364    [001] d..1. 10561.957539: kmalloc: "
			  "call_site=f+0x1/0x2 ptr=00000000b55be0ab bytes_req=8 "
			  "bytes_alloc=8 gfp_flags=GFP_KERNEL node=-1 "
			  "accounted=false" },
	};

	(void)state;
	/* the _node events: before 6.1, 6.1's rules (the oldest) */
	detect_family(v4_14, NR(v4_14), "before 6.1", "6.1");
	detect_family(v4_19, NR(v4_19), "before 6.1", "6.1");
	detect_family(v5_4, NR(v5_4), "before 6.1", "6.1");
	detect_family(v5_10, NR(v5_10), "before 6.1", "6.1");
	detect_family(v5_15, NR(v5_15), "before 6.1", "6.1");
	/* 6.1 on arm64: its 128-byte kmalloc minimum dates it better */
	detect_family(v6_1, NR(v6_1), "6.1", "6.1");
	/* no name= on kmem_cache_alloc: before 6.18, 6.12's rules */
	detect_family(v6_6, NR(v6_6), "before 6.18", "6.12");
	detect_family(v6_12, NR(v6_12), "before 6.18", "6.12");
	/* 6.18's formats date nothing: the default rules, said unknown */
	detect_family(v6_18, NR(v6_18), "", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_retired_kmalloc),
		cmocka_unit_test(test_gfp_retired_page_alloc),
		cmocka_unit_test(test_gfp_unknown_still_bad),
		cmocka_unit_test(test_gfp_618_unchanged),
		cmocka_unit_test(test_v4_14),
		cmocka_unit_test(test_v4_19),
		cmocka_unit_test(test_v5_4),
		cmocka_unit_test(test_v5_10),
		cmocka_unit_test(test_v5_15),
		cmocka_unit_test(test_v6_1),
		cmocka_unit_test(test_v6_6),
		cmocka_unit_test(test_v6_12),
		cmocka_unit_test(test_detect_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
