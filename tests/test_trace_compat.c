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
 * and the fast path and the reference parser agree on each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/gfp.h>
#include "trace/trace_gfp.h"
#include "trace/trace_parse.h"
#include "trace/trace_parse_priv.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfp_retired_kmalloc),
		cmocka_unit_test(test_gfp_retired_page_alloc),
		cmocka_unit_test(test_gfp_unknown_still_bad),
		cmocka_unit_test(test_gfp_618_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
