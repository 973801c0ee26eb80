// SPDX-License-Identifier: MIT
/*
 * Allocation flags as text (src/mm/gfp.c): kslab_gfp_format() against the
 * kernel's __print_flags() output, kslab_gfp_parse() back, for every
 * single bit, every composite, every gfp_flags= string of the bundled
 * real trace, unknown names, "none", hex leftovers and short buffers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/gfp.h>
#include "helpers/capture.h"

#ifndef KSLAB_TEST_DATADIR
#define KSLAB_TEST_DATADIR "tests/data"
#endif

static const char *fmt(gfp_t flags)
{
	static char buf[512];
	size_t n = kslab_gfp_format(flags, buf, sizeof(buf));

	assert_int_equal(n, strlen(buf));
	return buf;
}

static gfp_t parse_ok(const char *s)
{
	const char *bad = NULL;
	gfp_t flags = 0xdeadbeef;

	assert_int_equal(kslab_gfp_parse(s, strlen(s), &flags, &bad), 0);
	assert_null(bad);
	return flags;
}

static void parse_bad(const char *s, size_t bad_at)
{
	const char *bad = NULL;
	gfp_t flags = 0x1234;

	assert_int_equal(kslab_gfp_parse(s, strlen(s), &flags, &bad), -EINVAL);
	assert_ptr_equal(bad, s + bad_at);
	assert_int_equal(flags, 0x1234); /* untouched */
	assert_int_equal(kslab_gfp_parse(s, strlen(s), &flags, NULL), -EINVAL);
}

/* Each single bit alone: its own name, except where a composite of the
 * same value comes first in the table (GFP_DMA, GFP_DMA32). */
static void test_single_bits(void **state)
{
	static const struct {
		gfp_t flag;
		const char *name, *printed;
	} bits[] = {
		{ __GFP_DMA, "__GFP_DMA", "GFP_DMA" },
		{ __GFP_HIGHMEM, "__GFP_HIGHMEM", NULL },
		{ __GFP_DMA32, "__GFP_DMA32", "GFP_DMA32" },
		{ __GFP_MOVABLE, "__GFP_MOVABLE", NULL },
		{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE", NULL },
		{ __GFP_HIGH, "__GFP_HIGH", NULL },
		{ __GFP_IO, "__GFP_IO", NULL },
		{ __GFP_FS, "__GFP_FS", NULL },
		{ __GFP_ZERO, "__GFP_ZERO", NULL },
		{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM", NULL },
		{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM", NULL },
		{ __GFP_WRITE, "__GFP_WRITE", NULL },
		{ __GFP_NOWARN, "__GFP_NOWARN", NULL },
		{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL", NULL },
		{ __GFP_NOFAIL, "__GFP_NOFAIL", NULL },
		{ __GFP_NORETRY, "__GFP_NORETRY", NULL },
		{ __GFP_MEMALLOC, "__GFP_MEMALLOC", NULL },
		{ __GFP_COMP, "__GFP_COMP", NULL },
		{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC", NULL },
		{ __GFP_HARDWALL, "__GFP_HARDWALL", NULL },
		{ __GFP_THISNODE, "__GFP_THISNODE", NULL },
		{ __GFP_ACCOUNT, "__GFP_ACCOUNT", NULL },
		{ __GFP_ZEROTAGS, "__GFP_ZEROTAGS", NULL },
		{ __GFP_NO_OBJ_EXT, "__GFP_NO_OBJ_EXT", NULL },
		{ __GFP_NOLOCKDEP, "__GFP_NOLOCKDEP", NULL },
		{ __GFP_PACKED, "__GFP_PACKED", NULL },
	};
	gfp_t all = 0;

	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		const char *printed = bits[i].printed ?: bits[i].name;

		assert_int_equal(__builtin_popcount(bits[i].flag), 1);
		assert_string_equal(fmt(bits[i].flag), printed);
		assert_int_equal(parse_ok(bits[i].name), bits[i].flag);
		assert_int_equal(parse_ok(printed), bits[i].flag);
		all |= bits[i].flag;
	}
	/* every bit below __GFP_BITS_SHIFT but the unused bit 9 is named */
	assert_int_equal(all, __GFP_BITS_MASK & ~(1u << 9));
	assert_int_equal(parse_ok(fmt(all)), all);
}

static void test_composites(void **state)
{
	static const struct {
		gfp_t flags;
		const char *name, *printed;
	} comp[] = {
		{ GFP_TRANSHUGE, "GFP_TRANSHUGE", NULL },
		{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT", NULL },
		{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE", NULL },
		{ GFP_HIGHUSER, "GFP_HIGHUSER", NULL },
		{ GFP_USER, "GFP_USER", NULL },
		{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT", NULL },
		{ GFP_KERNEL, "GFP_KERNEL", NULL },
		{ GFP_NOFS, "GFP_NOFS", NULL },
		{ GFP_ATOMIC, "GFP_ATOMIC", NULL },
		{ GFP_NOIO, "GFP_NOIO", NULL },
		{ GFP_NOWAIT, "GFP_NOWAIT", NULL },
		{ GFP_DMA, "GFP_DMA", NULL },
		{ GFP_DMA32, "GFP_DMA32", NULL },
		/* same value as GFP_NOIO, which comes first */
		{ __GFP_RECLAIM, "__GFP_RECLAIM", "GFP_NOIO" },
	};

	for (size_t i = 0; i < sizeof(comp) / sizeof(comp[0]); i++) {
		const char *printed = comp[i].printed ?: comp[i].name;

		assert_string_equal(fmt(comp[i].flags), printed);
		assert_int_equal(parse_ok(comp[i].name), comp[i].flags);
		assert_int_equal(parse_ok(printed), comp[i].flags);
	}
	/* the values the spec pins down */
	assert_int_equal(parse_ok("GFP_KERNEL"), 0xcc0);
	assert_int_equal(parse_ok("GFP_KERNEL_ACCOUNT"), 0x400cc0);
	assert_int_equal(parse_ok("GFP_NOFS"), 0xc40);
	assert_int_equal(parse_ok("GFP_NOIO"), 0xc00);
	assert_int_equal(parse_ok("GFP_ATOMIC"), 0x820);
	assert_int_equal(parse_ok("GFP_NOWAIT"), 0x2800);
	assert_int_equal(parse_ok("GFP_USER"), 0x100cc0);
	/* matching is greedy in table order, bits removed as matched */
	assert_string_equal(fmt(GFP_TRANSHUGE | __GFP_KSWAPD_RECLAIM),
			    "GFP_TRANSHUGE|__GFP_KSWAPD_RECLAIM");
	assert_string_equal(fmt(GFP_KERNEL | __GFP_HARDWALL | __GFP_ZERO),
			    "GFP_USER|__GFP_ZERO");
	assert_string_equal(
		fmt(GFP_NOWAIT | __GFP_FS | __GFP_NORETRY | __GFP_NOMEMALLOC),
		"GFP_NOWAIT|__GFP_FS|__GFP_NORETRY|__GFP_NOMEMALLOC");
	assert_string_equal(fmt(GFP_KERNEL | __GFP_DMA32 | __GFP_DMA),
			    "GFP_KERNEL|GFP_DMA|GFP_DMA32");
	/* names may be given in any order and overlap */
	assert_int_equal(parse_ok("__GFP_ZERO|GFP_KERNEL|__GFP_IO"),
			 GFP_KERNEL | __GFP_ZERO);
}

/*
 * Every distinct gfp_flags= text of data/traces/kmem-build-6.18.trace.xz:
 *   xz -dc data/traces/kmem-build-6.18.trace.xz |
 *	grep -o 'gfp_flags=[^ ]*' | sort -u
 */
static const char *const trace_gfp[] = {
	"GFP_ATOMIC",
	"GFP_ATOMIC|__GFP_NOWARN",
	"GFP_ATOMIC|__GFP_NOWARN|__GFP_NORETRY|__GFP_NOMEMALLOC",
	"GFP_KERNEL",
	"GFP_KERNEL_ACCOUNT",
	"GFP_KERNEL_ACCOUNT|__GFP_RECLAIMABLE",
	"GFP_KERNEL_ACCOUNT|__GFP_ZERO",
	"GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_NOWARN",
	"GFP_KERNEL|__GFP_NOWARN|__GFP_NOMEMALLOC",
	"GFP_KERNEL|__GFP_ZERO",
	"GFP_KERNEL|__GFP_ZERO|__GFP_COMP",
	"GFP_NOFS",
	"GFP_NOFS|__GFP_MOVABLE|__GFP_ZERO|__GFP_HARDWALL",
	"GFP_NOFS|__GFP_MOVABLE|__GFP_ZERO|__GFP_NOFAIL|__GFP_HARDWALL|__GFP_ACCOUNT",
	"GFP_NOFS|__GFP_ZERO",
	"GFP_NOFS|__GFP_ZERO|__GFP_COMP",
	"GFP_NOFS|__GFP_ZERO|__GFP_HARDWALL",
	"GFP_NOFS|__GFP_ZERO|__GFP_NOFAIL",
	"GFP_NOFS|__GFP_ZERO|__GFP_NOFAIL|__GFP_ACCOUNT",
	"GFP_NOFS|__GFP_ZERO|__GFP_NOFAIL|__GFP_HARDWALL|__GFP_ACCOUNT",
	"GFP_NOWAIT",
	"GFP_NOWAIT|__GFP_ACCOUNT",
	"GFP_NOWAIT|__GFP_FS|__GFP_NORETRY|__GFP_NOMEMALLOC",
	"GFP_NOWAIT|__GFP_NORETRY|__GFP_NOMEMALLOC",
	"GFP_NOWAIT|__GFP_ZERO",
	"GFP_NOWAIT|__GFP_ZERO|__GFP_ACCOUNT",
};

static void test_trace_strings(void **state)
{
	for (size_t i = 0; i < sizeof(trace_gfp) / sizeof(trace_gfp[0]); i++)
		assert_string_equal(fmt(parse_ok(trace_gfp[i])), trace_gfp[i]);
	assert_int_equal(parse_ok(trace_gfp[13]),
			 GFP_NOFS | __GFP_MOVABLE | __GFP_ZERO | __GFP_NOFAIL |
				 __GFP_HARDWALL | __GFP_ACCOUNT);
	/* a view into a longer line: only len bytes are read */
	{
		const char *line = "gfp_flags=GFP_KERNEL|__GFP_ZERO node=-1";
		gfp_t flags;

		assert_int_equal(kslab_gfp_parse(line + 10, 21, &flags, NULL),
				 0);
		assert_int_equal(flags, GFP_KERNEL | __GFP_ZERO);
		assert_int_equal(kslab_gfp_parse(line + 10, 10, &flags, NULL),
				 0);
		assert_int_equal(flags, GFP_KERNEL);
	}
}

/* Every name of the kernel's table in kmem-event-formats.txt is known. */
static void test_kernel_table_names(void **state)
{
	static char buf[1 << 16];
	FILE *f = fopen(
		KSLAB_TEST_DATADIR "/real-kernel/kmem-event-formats.txt", "r");
	char *p, *end;
	size_t n;
	int names = 0;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the kmalloc event's table: {mask, "NAME"} ... { 0, NULL } */
	p = strstr(buf, "__print_flags(");
	assert_non_null(p);
	end = strstr(p, "{ 0, ((void *)0) }");
	assert_non_null(end);
	while ((p = strstr(p, "), \"")) && p < end) {
		char *name = p + 4, *q = strchr(name, '"');

		assert_non_null(q);
		*q = '\0';
		assert_int_not_equal(parse_ok(name), 0);
		names++;
		p = q + 1;
	}
	assert_int_equal(names, 38);
}

static void test_unknown(void **state)
{
	parse_bad("__GFP_BOGUS", 0);
	parse_bad("GFP_KERNEL|__GFP_BOGUS", 11);
	parse_bad("GFP_KERNEL|__GFP_ZERO|gfp_kernel", 22);
	parse_bad("GFP_KERNELX", 0);
	parse_bad("GFP_KERNE", 0);
	parse_bad("GFP", 0);
	parse_bad("__GFP_COLD", 0);    /* gone since 4.15 */
	parse_bad("GFP_TEMPORARY", 0); /* gone since 4.14 */
	parse_bad("", 0);
	parse_bad("GFP_KERNEL|", 11);
	parse_bad("|GFP_KERNEL", 0);
	parse_bad("GFP_KERNEL||__GFP_ZERO", 11);
	parse_bad("GFP_KERNEL __GFP_ZERO", 0);
	parse_bad("NONE", 0);
	parse_bad("__GFP_HIGHUSER_MOVABLE", 0); /* 22 bytes: too long */
	parse_bad("GFP_KERNEL|0x", 11);
	parse_bad("GFP_KERNEL|0xg0", 11);
	parse_bad("0x100000000", 0); /* beyond a gfp_t */
	parse_bad("0200", 0);
}

static void test_none(void **state)
{
	gfp_t flags = 1;

	assert_string_equal(fmt(0), "none");
	assert_int_equal(parse_ok("none"), 0);
	assert_int_equal(kslab_gfp_parse("none", 4, &flags, NULL), 0);
	assert_int_equal(flags, 0);
	/* a zero word ORs nothing */
	assert_int_equal(parse_ok("GFP_KERNEL|none"), GFP_KERNEL);
	assert_int_equal(parse_ok("0x0"), 0);
}

static void test_hex_leftovers(void **state)
{
	/* bit 9 is unused and bits from 27 up are beyond every name */
	assert_string_equal(fmt(1u << 9), "0x200");
	assert_string_equal(fmt(GFP_KERNEL | 1u << 9), "GFP_KERNEL|0x200");
	assert_string_equal(fmt(GFP_KERNEL | __GFP_ZERO | 1u << 9 | 1u << 31),
			    "GFP_KERNEL|__GFP_ZERO|0x80000200");
	assert_string_equal(fmt(0xf8000000u), "0xf8000000");
	assert_int_equal(parse_ok("0x200"), 1u << 9);
	assert_int_equal(parse_ok("GFP_KERNEL|0x200"), GFP_KERNEL | 1u << 9);
	assert_int_equal(parse_ok("GFP_KERNEL|__GFP_ZERO|0x80000200"),
			 GFP_KERNEL | __GFP_ZERO | 1u << 9 | 1u << 31);
	assert_int_equal(parse_ok("0XFFFFFFFF"), 0xffffffffu);
	assert_int_equal(parse_ok("0x0000000000000cc0"), GFP_KERNEL);
	assert_int_equal(parse_ok(fmt(0xffffffffu)), 0xffffffffu);
}

static void test_short_buffers(void **state)
{
	const char *full = "GFP_KERNEL|__GFP_ZERO";
	size_t need = strlen(full);
	char buf[64];

	assert_int_equal(kslab_gfp_format(GFP_KERNEL | __GFP_ZERO, NULL, 0),
			 need);
	for (size_t len = 1; len <= need + 1; len++) {
		memset(buf, 'x', sizeof(buf));
		assert_int_equal(kslab_gfp_format(GFP_KERNEL | __GFP_ZERO, buf,
						  len),
				 need);
		assert_int_equal(strlen(buf), len - 1);
		assert_memory_equal(buf, full, len - 1);
		assert_int_equal(buf[len], 'x');
	}
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(kslab_gfp_format(1u << 9, buf, 3), 5);
	assert_string_equal(buf, "0x");
	assert_int_equal(kslab_gfp_format(0, buf, 2), 4);
	assert_string_equal(buf, "n");
}

/* Any value comes back from its text. */
static void test_random_round_trip(void **state)
{
	unsigned int seed = test_seed("test_gfp");

	for (int i = 0; i < 100000; i++) {
		gfp_t flags = (gfp_t)rand_r(&seed) ^ (gfp_t)rand_r(&seed) << 16;

		if (i & 1)
			flags &= __GFP_BITS_MASK;
		assert_int_equal(parse_ok(fmt(flags)), flags);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_composites),
		cmocka_unit_test(test_trace_strings),
		cmocka_unit_test(test_kernel_table_names),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_hex_leftovers),
		cmocka_unit_test(test_short_buffers),
		cmocka_unit_test(test_random_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
