// SPDX-License-Identifier: MIT
/*
 * SLUB debugging: the slub_debug= parameter, the object layout of
 * debugged caches (expected values worked out by hand from 6.18's
 * calculate_sizes() and calculate_order()), the reports, item 12 of
 * issue 15 (a double free away from the freelist head), double frees
 * always caught on a debugged cache and the merge rule of
 * SLAB_CONSISTENCY_CHECKS. The cases of the kernel's lib/slub_kunit.c
 * are in test_slub_kunit.c.
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
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#define FZPU                                                     \
	(SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | \
	 SLAB_STORE_USER)

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("expected \"%s\" in:\n%s", needle, text);
}

static slab_flags_t flags_of(struct kmem_cache *s)
{
	return cache_info_of(s).flags & (FZPU | SLAB_TRACE | SLAB_FAILSLAB);
}

static void boot(const char *line)
{
	assert_int_equal(kslab_boot(line), 0);
}

/* ---- the parameter ------------------------------------------------------- */

static void test_param_global(void **state)
{
	boot("arch=x86_64 mem=256M nr_cpus=2 slub_debug");
	assert_int_equal(flags_of(kmalloc_slab(64, GFP_KERNEL)), FZPU);
	assert_int_equal(flags_of(kslab_find_cache("kmem_cache")), FZPU);
	kslab_shutdown();
	boot("arch=x86_64 mem=256M slab_debug=pt");
	assert_int_equal(flags_of(kmalloc_slab(8, GFP_KERNEL)),
			 SLAB_POISON | SLAB_TRACE);
	kslab_shutdown();
	boot("arch=x86_64 mem=256M slub_debug=FZ-U");
	assert_int_equal(flags_of(kmalloc_slab(8, GFP_KERNEL)),
			 SLAB_STORE_USER);
	kslab_shutdown();
	capture_start();
	boot("arch=x86_64 mem=256M slub_debug=FX");
	assert_contains(capture_stop(), "slab_debug option 'X' unknown");
	assert_int_equal(flags_of(kmalloc_slab(8, GFP_KERNEL)),
			 SLAB_CONSISTENCY_CHECKS);
}

static void test_param_lists(void **state)
{
	struct kmem_cache *a, *b, *c, *d;

	boot("arch=x86_64 mem=256M slub_debug=FZ,dbg_a*,exact;U,dbg_b;;");
	a = kmem_cache_create("dbg_a1", 40, 0, 0, NULL);
	b = kmem_cache_create("dbg_b", 40, 0, 0, NULL);
	c = kmem_cache_create("exact", 40, 0, 0, NULL);
	d = kmem_cache_create("exactly", 40, 0, SLAB_NO_MERGE, NULL);
	assert_int_equal(flags_of(a), SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	assert_int_equal(flags_of(b), SLAB_STORE_USER);
	assert_int_equal(flags_of(c), SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE);
	assert_int_equal(flags_of(d), 0); /* lists only: no global flags */
	assert_int_equal(flags_of(kmalloc_slab(64, GFP_KERNEL)), 0);
	/* SLAB_NO_USER_FLAGS: the command line gives it nothing */
	a = kmem_cache_create("dbg_a2", 40, 0, SLAB_NO_USER_FLAGS, NULL);
	assert_int_equal(flags_of(a), 0);
	kslab_shutdown();

	/* a block without a list sets the others; a list alone is FZPU */
	boot("arch=x86_64 mem=256M slub_debug=P;,dbg_c");
	c = kmem_cache_create("dbg_c", 40, 0, 0, NULL);
	assert_int_equal(flags_of(c), FZPU);
	assert_int_equal(flags_of(kmalloc_slab(64, GFP_KERNEL)), SLAB_POISON);
}

/* O: no metadata where it would raise the minimum order */
static void test_param_o(void **state)
{
	struct kmem_cache *small, *big;

	boot("arch=x86_64 mem=256M nr_cpus=2 slub_debug=FZPUO");
	small = kmem_cache_create("dbg_small", 100, 0, 0, NULL);
	big = kmem_cache_create("dbg_big", 4096, 0, 0, NULL);
	assert_int_equal(flags_of(small), FZPU);
	assert_int_equal(flags_of(big), SLAB_CONSISTENCY_CHECKS);
	assert_int_equal(cache_info_of(big).size, 4096);
}

/* random slub_debug= values: every one boots, caches are made and used */
static void test_param_random(void **state)
{
	static const char alphabet[] = "FZPUTAO-fzpu,;*xab_";
	unsigned int seed = test_seed("test_param_random");
	char line[128], val[40];

	for (int round = 0; round < 40; round++) {
		size_t n = (size_t)(rand_r(&seed) % (sizeof(val) - 1));
		struct kmem_cache *s;
		void *p;

		for (size_t i = 0; i < n; i++)
			val[i] =
				alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		val[n] = '\0';
		snprintf(line, sizeof(line),
			 "arch=x86_64 mem=128M nr_cpus=1 slub_debug=%s", val);
		capture_start();
		assert_int_equal(kslab_boot(line), 0);
		s = kmem_cache_create("ab", 24, 0, 0, NULL);
		assert_non_null(s);
		p = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(p);
		kmem_cache_free(s, p);
		kfree(kmalloc(100, GFP_KERNEL));
		kmem_cache_destroy(s);
		kslab_shutdown();
		capture_stop();
	}
}

/* ---- layout ------------------------------------------------------------------ */

struct layout {
	const char *name;
	unsigned int object_size, align;
	slab_flags_t flags;
	unsigned int size, offset, inuse, order, objs;
};

/*
 * Worked from calculate_sizes() with 4 KiB pages, 8-byte words, 64-byte
 * lines and 2 CPUs (min_objects 12): e.g. 64 bytes FZPU: 64 + 8 (red
 * zone, the size being word aligned) = inuse 72; the free pointer outside
 * at 72 (poisoning): 80; two tracks: 144; the right pad word: 152; the
 * left red zone (8, aligned to 8): 160. 4096 % 160 = 96 <= 4096/16:
 * order 0, 25 objects.
 */
static const struct layout layouts[] = {
	{ "l_fzpu64", 64, 0, FZPU, 160, 72, 72, 0, 25 },
	{ "l_z100", 100, 0, SLAB_RED_ZONE, 120, 48, 104, 0, 34 },
	{ "l_z4", 4, 0, SLAB_RED_ZONE, 32, 8, 8, 0, 128 },
	{ "l_p8", 8, 0, SLAB_POISON, 16, 8, 8, 0, 256 },
	{ "l_u24", 24, 0, SLAB_STORE_USER, 88, 8, 24, 0, 46 },
	{ "l_f64", 64, 0, SLAB_CONSISTENCY_CHECKS, 64, 32, 64, 0, 64 },
	/* HWCACHE_ALIGN: the left red zone is a whole line */
	{ "l_fzpu1000", 1000, 0, SLAB_HWCACHE_ALIGN | FZPU, 1152, 1008, 1008, 2,
	  14 },
	/* 256-aligned: a left red zone of 256, 536 bytes aligned to 768 */
	{ "l_zp256a", 256, 256, SLAB_RED_ZONE | SLAB_POISON, 768, 264, 264, 2,
	  21 },
};

static void test_layouts(void **state)
{
	boot("arch=x86_64 mem=256M nr_cpus=2");
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		struct kmem_cache *s = kmem_cache_create(
			l->name, l->object_size, l->align, l->flags, NULL);
		struct kslab_cache_info ci = cache_info_of(s);

		printf("%s: size %u offset %u inuse %u order %u objs %u\n",
		       l->name, ci.size, ci.offset, ci.inuse, ci.order,
		       ci.objs_per_slab);
		assert_int_equal(ci.size, l->size);
		assert_int_equal(ci.offset, l->offset);
		assert_int_equal(ci.inuse, l->inuse);
		assert_int_equal(ci.order, l->order);
		assert_int_equal(ci.objs_per_slab, l->objs);
		assert_int_equal(ci.cpu_partial, 0); /* no CPU partial slabs */
	}
}

/*
 * kmalloc-64 under slub_debug=FZPU: aligned to 64 (its size), the free
 * pointer outside (red zone with tracks on a kmalloc cache), the request
 * size word after the tracks: 64+8 = 72 | fp 80 | tracks 144 | size 152 |
 * pad 160 | left red zone 64 (8 aligned to 64): 224, aligned 256.
 */
static void test_kmalloc_layout(void **state)
{
	struct kslab_cache_info ci;

	boot("arch=x86_64 mem=256M nr_cpus=2 slub_debug=FZPU");
	ci = cache_info_of(kmalloc_slab(64, GFP_KERNEL));
	assert_int_equal(ci.size, 256);
	assert_int_equal(ci.offset, 72);
	assert_int_equal(ci.objs_per_slab, 16);
	assert_string_equal(ci.unique_id, ":F-0000256");
}

/* kmalloc(n) through the size-passing paths, n not a constant */
static void *kmalloc_n(size_t n, gfp_t gfp)
{
	volatile size_t size = n;

	return kmalloc(size, gfp);
}

/*
 * The request size of a debugged kmalloc object (6.18 set_orig_size()):
 * the bytes between it and the object size are a red zone checked at
 * kfree() ("kmalloc Redzone overwritten", three errors: the range, its
 * restore and "Object ... not freed"); kzalloc() zeroes the request only; ksize() hands the whole
 * object over; every kmalloc entry passes the size (the constant-size
 * one too).
 */
static void test_kmalloc_request_size(void **state)
{
	unsigned char *p;
	unsigned long before;
	const char *msg;

	boot("arch=x86_64 mem=256M nr_cpus=1 slub_debug=FZPU,kmalloc-32");
	p = kmalloc_n(18, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(p[17], 0xa5); /* poison ends at the request */
	for (int i = 18; i < 32; i++)
		assert_int_equal(p[i], 0xcc);
	p[20] = 0x11;
	before = kslab_slub_debug_errors();
	capture_start();
	kfree(p);
	msg = capture_stop();
	assert_contains(msg, "[kmalloc Redzone overwritten]");
	assert_contains(msg, "not freed");
	assert_int_equal(kslab_slub_debug_errors() - before, 3);

	p = kzalloc(20, GFP_KERNEL); /* the constant-size path */
	assert_non_null(p);
	for (int i = 0; i < 20; i++)
		assert_int_equal(p[i], 0);
	for (int i = 20; i < 32; i++)
		assert_int_equal(p[i], 0xcc);
	assert_int_equal(ksize(p), 32);
	memset(p, 0x33, 32); /* all of it is ours after ksize() */
	before = kslab_slub_debug_errors();
	kfree(p);
	assert_int_equal(kslab_slub_debug_errors(), before);

	/* kcalloc, and a cache without debugging beside it */
	p = kcalloc(3, 7, GFP_KERNEL);
	assert_int_equal(p[21], 0xcc);
	kfree(p);
	p = kmalloc_n(50, GFP_KERNEL);
	p[60] = 1; /* kmalloc-64: no debugging, no report */
	before = kslab_slub_debug_errors();
	kfree(p);
	assert_int_equal(kslab_slub_debug_errors(), before);
}

/* 6.1 records the request (4 bytes) but has no kmalloc red zone yet */
static void test_kmalloc_request_size_6_1(void **state)
{
	unsigned char *p;
	unsigned long before;

	boot("kslab.kernel=6.1 arch=x86_64 mem=256M nr_cpus=1 "
	     "slub_debug=FZPU,kmalloc-32");
	p = kzalloc(18, GFP_KERNEL);
	assert_non_null(p);
	for (int i = 0; i < 32; i++)
		assert_int_equal(p[i], 0);
	p[20] = 0x11;
	before = kslab_slub_debug_errors();
	kfree(p);
	assert_int_equal(kslab_slub_debug_errors(), before);
}

/* ---- reports ---------------------------------------------------------------- */

/* Item 12: a double free away from the freelist head, caught */
static void test_double_free_not_at_head(void **state)
{
	struct kmem_cache *s;
	void *p[20], *q[16];
	unsigned long before;
	const char *msg;

	boot("arch=x86_64 mem=256M nr_cpus=1 slub_debug=F,dbg_df");
	s = kmem_cache_create("dbg_df", 64, 0, 0, NULL);
	for (int i = 0; i < 20; i++)
		assert_non_null(p[i] = kmem_cache_alloc(s, GFP_KERNEL));
	kmem_cache_free(s, p[3]);
	kmem_cache_free(s, p[5]);
	before = kslab_slub_debug_errors();
	capture_start();
	kmem_cache_free(s, p[3]);
	msg = capture_stop();
	assert_contains(msg, "BUG dbg_df (");
	assert_contains(msg, "): Object already free");
	assert_contains(msg, "FIX dbg_df: Object at 0x");
	assert_int_equal(kslab_slub_debug_errors() - before, 2);
	/* no cycle: 16 allocations, 16 different objects */
	for (int i = 0; i < 16; i++) {
		q[i] = kmem_cache_alloc(s, GFP_KERNEL);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(q[i], q[j]);
	}
}

/*
 * The open fuzz finding (docs/fuzzing.md): fuzz_slab_ops asked for a
 * cache with SLAB_CONSISTENCY_CHECKS alone and took it for a debugged
 * one. That flag is not in SLAB_NEVER_MERGE (mm/slab_common.c), so such
 * a cache merges into an existing cache of its size without debugging,
 * whose double frees are caught only at the freelist head, with a
 * rate-limited refusal; after 20 of them in the process the harness saw
 * a silent double free and kmem_cache_validate() refusing a cache
 * without debugging (-EINVAL). Merging the other way round gives a
 * plain request a debugged cache.
 */
static void test_consistency_checks_merge(void **state)
{
	struct kmem_cache *plain, *f, *fz, *dbg, *later;

	boot("arch=x86_64 mem=256M nr_cpus=1");
	plain = kmem_cache_create("fm_plain", 200, 0, 0, NULL);
	f = kmem_cache_create("fm_f", 200, 0, SLAB_CONSISTENCY_CHECKS, NULL);
	assert_ptr_equal(f, plain);
	assert_int_equal(flags_of(f), 0);
	assert_int_equal(kmem_cache_validate(f), -EINVAL);
	/* a red zone is never merged */
	fz = kmem_cache_create("fm_fz", 200, 0,
			       SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE, NULL);
	assert_ptr_not_equal(fz, plain);
	assert_true(kmem_cache_validate(fz) >= 0);
	/* F first (no cache of 1000 bytes to merge into), then a plain one */
	dbg = kmem_cache_create("fm_dbg", 1000, 0, SLAB_CONSISTENCY_CHECKS,
				NULL);
	later = kmem_cache_create("fm_later", 1000, 0, 0, NULL);
	assert_ptr_equal(later, dbg);
	assert_int_equal(flags_of(later), SLAB_CONSISTENCY_CHECKS);
	assert_true(kmem_cache_validate(later) >= 0);
	kmem_cache_destroy(later);
	kmem_cache_destroy(dbg);
	kmem_cache_destroy(fz);
	kmem_cache_destroy(f);
	kmem_cache_destroy(plain);
}

/* the block of min_order pages p is in: never split between two slabs */
static unsigned long slab_block(struct kmem_cache *s, const void *p)
{
	return page_to_pfn(virt_to_page(p)) >> get_order(cache_info_of(s).size);
}

/*
 * Random alloc/free/double free sequences on debugged caches, as
 * fuzz_slab_ops runs them, well past the refusals' rate limit: every
 * double free of an object whose slab is held by a live object is
 * reported ("Object already free") and counted, and leaves the cache
 * valid.
 */
static void test_double_free_every_time(void **state)
{
	enum { NR = 48, ROUNDS = 3000 };
	unsigned int seed = test_seed("test_double_free_every_time");
	static const slab_flags_t flags[] = {
		SLAB_CONSISTENCY_CHECKS | SLAB_NO_MERGE,
		SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON,
	};
	struct kmem_cache *s[2];
	void *live[NR] = { 0 }, *freed[NR] = { 0 };
	int owner[NR] = { 0 }, freed_owner[NR] = { 0 };
	unsigned int checked = 0;

	srand(seed);
	boot("arch=x86_64 mem=256M nr_cpus=1");
	s[0] = kmem_cache_create("df_f", 8 + (unsigned int)rand() % 600, 0,
				 flags[0], NULL);
	s[1] = kmem_cache_create("df_fzp", 8 + (unsigned int)rand() % 600, 0,
				 flags[1], NULL);
	for (int r = 0; r < ROUNDS; r++) {
		int i = rand() % NR, c = rand() % 2, pinned = 0;
		unsigned long before;
		const char *msg;

		switch (rand() % 4) {
		case 0:
		case 1:
			if (live[i])
				break;
			live[i] = kmem_cache_alloc(s[c], GFP_KERNEL);
			assert_non_null(live[i]);
			owner[i] = c;
			for (int j = 0; j < NR; j++)
				if (freed[j] == live[i])
					freed[j] = NULL;
			break;
		case 2:
			if (!live[i])
				break;
			kmem_cache_free(s[owner[i]], live[i]);
			freed[i] = live[i];
			freed_owner[i] = owner[i];
			live[i] = NULL;
			break;
		default:
			if (!freed[i])
				break;
			c = freed_owner[i];
			for (int j = 0; j < NR; j++)
				pinned |= live[j] && owner[j] == c &&
					  slab_block(s[c], live[j]) ==
						  slab_block(s[c], freed[i]);
			if (!pinned)
				break;
			before = kslab_slub_debug_errors();
			capture_start();
			kmem_cache_free(s[c], freed[i]);
			msg = capture_stop();
			assert_contains(msg, "Object already free");
			assert_true(kslab_slub_debug_errors() > before);
			checked++;
		}
	}
	/* past the rate limit of the refusals (20 a call site) */
	assert_true(checked > 40);
	for (int c = 0; c < 2; c++) {
		unsigned long before = kslab_slub_debug_errors();

		assert_true(kmem_cache_validate(s[c]) >= 0);
		assert_int_equal(kslab_slub_debug_errors(), before);
	}
	for (int i = 0; i < NR; i++)
		if (live[i])
			kmem_cache_free(s[owner[i]], live[i]);
	kmem_cache_destroy(s[0]);
	kmem_cache_destroy(s[1]);
}

static void test_redzone_and_tracks(void **state)
{
	char *p;
	const char *msg;

	boot("arch=x86_64 mem=256M nr_cpus=1 slub_debug=FZU,kmalloc-64");
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	p[64] = 0x42;
	capture_start();
	kfree(p);
	msg = capture_stop();
	assert_contains(msg, "[Right Redzone overwritten] 0x");
	assert_contains(msg, "First byte 0x42 instead of 0xcc");
	assert_contains(msg, "BUG kmalloc-64 (");
	assert_contains(msg, "): Object corrupt");
	assert_contains(msg, "Allocated in ");
	assert_contains(msg, " age=");
	assert_contains(msg, "Redzone  ");
	assert_contains(msg, "FIX kmalloc-64: Restoring Right Redzone");
	assert_contains(msg, "not freed");
	/* the red zone was restored: the next free of it goes through */
	capture_start();
	kfree(p);
	assert_string_equal(capture_stop(), "");
}

/*
 * The hex dump lines of a report: 16 bytes a line as "xx xx ...", the
 * hex padded to 49 columns, then the bytes as text ('.' unprintable); a
 * short last line padded the same.
 */
static void test_hex_dump_lines(void **state)
{
	unsigned char *p;
	const char *msg;
	char want[160];
	struct kmem_cache *s;

	boot("arch=x86_64 mem=256M nr_cpus=1");
	s = kmem_cache_create("hexdump", 20, 0,
			      SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE, NULL);
	assert_non_null(s);
	p = kmem_cache_alloc(s, GFP_KERNEL);
	assert_non_null(p);
	for (int i = 0; i < 20; i++)
		p[i] = (unsigned char)(i < 16 ? 0x3c + i : 0x7d + i - 16);
	p[20] = 0x42; /* the right red zone: the free reports the object */
	capture_start();
	kmem_cache_free(s, p);
	msg = capture_stop();
	snprintf(
		want, sizeof(want),
		"Object   %016lx: 3c 3d 3e 3f 40 41 42 43 44 45 46 47 48 49 4a 4b  <=>?@ABCDEFGHIJK\n",
		(unsigned long)p);
	assert_contains(msg, want);
	snprintf(want, sizeof(want), "Object   %016lx: 7d 7e 7f 80%38s}~..\n",
		 (unsigned long)(p + 16), "");
	assert_contains(msg, want);
	kmem_cache_destroy(s);
}

/* T: a line per operation; U: alloc_traces / free_traces */
static void test_trace_and_traces(void **state)
{
	struct kmem_cache *s;
	void *p[6];
	char *text;
	size_t len;
	FILE *f;
	const char *msg;

	boot("arch=x86_64 mem=256M nr_cpus=2 slub_debug=T,dbg_t;U,dbg_u");
	s = kmem_cache_create("dbg_t", 32, 0, 0, NULL);
	capture_start();
	p[0] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p[0]);
	msg = capture_stop();
	assert_contains(msg, "TRACE dbg_t alloc 0x");
	assert_contains(msg, "TRACE dbg_t free 0x");
	assert_contains(msg, "Object ");
	assert_int_equal(kmem_cache_show_traces(s, 0, stdout), -EINVAL);

	s = kmem_cache_create("dbg_u", 32, 0, 0, NULL);
	for (int i = 0; i < 6; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	kmem_cache_free(s, p[5]);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(kmem_cache_show_traces(s, 0, f), 0);
	fclose(f);
	/* five live objects from one call site and stack */
	assert_non_null(strstr(text, "      5 "));
	assert_non_null(strstr(text, " age="));
	assert_non_null(strstr(text, " pid="));
	free(text);
	/* their free tracks: none of them was ever freed */
	f = open_memstream(&text, &len);
	assert_int_equal(kmem_cache_show_traces(s, 1, f), 0);
	fclose(f);
	assert_non_null(strstr(text, "      5 <not-available>"));
	free(text);
	for (int i = 0; i < 5; i++)
		kmem_cache_free(s, p[i]);
	f = open_memstream(&text, &len);
	assert_int_equal(kmem_cache_show_traces(s, 0, f), 0);
	fclose(f);
	assert_string_equal(text, "No data\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_param_global, shutdown_teardown),
		cmocka_unit_test_teardown(test_param_lists, shutdown_teardown),
		cmocka_unit_test_teardown(test_param_o, shutdown_teardown),
		cmocka_unit_test_teardown(test_param_random, shutdown_teardown),
		cmocka_unit_test_teardown(test_layouts, shutdown_teardown),
		cmocka_unit_test_teardown(test_kmalloc_layout,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_double_free_not_at_head,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_kmalloc_request_size,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_kmalloc_request_size_6_1,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_consistency_checks_merge,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_double_free_every_time,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_redzone_and_tracks,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_trace_and_traces,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_hex_dump_lines,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
