// SPDX-License-Identifier: MIT
/*
 * The buddy allocator: zone placement over long random sequences, full
 * coalescing, fallback and lowmem reserves, watermarks, exhaustion of
 * each zone, shrinkers and __GFP_NOFAIL, refused frees, the helpers.
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

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static char *show(const char *what)
{
	static char buf[2][1 << 16];
	static int which;
	FILE *f = fmemopen(buf[which ^= 1], sizeof(buf[0]), "w");

	assert_int_equal(kslab_show(what, f), 0);
	fclose(f);
	return buf[which];
}

static unsigned long zone_free(enum zone_type t)
{
	struct kslab_zone_info zi;

	assert_int_equal(kslab_zone_info(t, &zi), 0);
	return zi.free_pages;
}

/* Highest zone each gfp allows; every page must be at or below it. */
static void check_placement(struct page *p, unsigned int order, gfp_t gfp)
{
	struct kslab_arch_info a;
	phys_addr_t pa = page_to_phys(p);

	kslab_arch_info(&a);
	assert_true(page_zonenum(p) <= gfp_zone(gfp));
	if (gfp & __GFP_DMA)
		assert_true(pa + (kslab_page_size() << order) <=
			    a.zone_limit[ZONE_DMA]);
	if (gfp & __GFP_DMA32)
		assert_true(pa + (kslab_page_size() << order) <=
			    a.zone_limit[ZONE_DMA32]);
	assert_int_equal(pa % (kslab_page_size() << order), 0);
	assert_ptr_equal(virt_to_page(page_address(p)), p);
	assert_ptr_equal(pfn_to_page(page_to_pfn(p)), p);
	assert_int_equal(page_to_phys(p), (phys_addr_t)page_to_pfn(p)
						  << PAGE_SHIFT);
	assert_ptr_equal(phys_to_virt(pa), page_address(p));
}

struct held {
	struct page *page;
	unsigned int order;
	unsigned int tag;
};

static void random_sequence(const char *cmdline, unsigned int seed, int steps)
{
	static const gfp_t gfps[] = {
		GFP_KERNEL, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_DMA,
		GFP_ATOMIC, GFP_KERNEL | __GFP_COMP,  GFP_NOWAIT
	};
	struct held *h = calloc(4096, sizeof(*h));
	char *before;
	int n = 0;

	assert_int_equal(kslab_boot(cmdline), 0);
	/* the boot caches' slabs leave pages on the per-CPU lists */
	drain_all_pages(NULL);
	before = strdup(show("buddyinfo"));
	srand(seed);
	for (int i = 0; i < steps; i++) {
		if (n < 4096 && (n == 0 || rand() % 100 < 55)) {
			gfp_t gfp = gfps[rand() % 6] | __GFP_NOWARN;
			unsigned int order =
				rand() % 100 < 70 ?
					(unsigned int)rand() % 4 :
					(unsigned int)rand() %
						(MAX_PAGE_ORDER + 1);
			struct page *p = alloc_pages(gfp, order);

			if (!p)
				continue;
			check_placement(p, order, gfp);
			h[n].tag = rand();
			*(unsigned int *)page_address(p) = h[n].tag;
			h[n].page = p;
			h[n++].order = order | (gfp & __GFP_COMP ? 0x100 : 0);
		} else {
			int k = rand() % n;

			/* nobody else wrote into our page */
			assert_int_equal(
				*(unsigned int *)page_address(h[k].page),
				h[k].tag);
			__free_pages(h[k].page, h[k].order & 0xff);
			h[k] = h[--n];
		}
	}
	while (n--)
		__free_pages(h[n].page, h[n].order & 0xff);
	drain_all_pages(NULL);
	assert_string_equal(show("buddyinfo"), before);
	free(before);
	free(h);
}

static void test_random_placement_and_coalescing(void **state)
{
	unsigned int seed = test_seed("random_placement");

	random_sequence("arch=x86_64 mem=64M memmap=64M@4G nr_cpus=2", seed,
			40000);
	kslab_shutdown();
	random_sequence(
		"arch=arm64 mem=3G zone_dma_bits=30 memmap=512M@8G nr_cpus=4",
		seed + 1, 40000);
	kslab_shutdown();
	random_sequence("arch=arm64 memmap=2G@1G page_size=64K nr_cpus=1",
			seed + 2, 20000);
}

/*
 * x86_64, DMA 16M, DMA32 16M..32M, Normal 16M at 4G: GFP_KERNEL fills
 * Normal to its watermark, then falls back, but leaves each lower zone
 * its lowmem_reserve; GFP_DMA32 and GFP_DMA may still use that.
 */
static void test_fallback_and_reserves(void **state)
{
	struct kslab_zone_info dma, dma32, normal;
	unsigned long got = 0;

	assert_int_equal(
		kslab_boot("arch=x86_64 mem=32M memmap=16M@4G nr_cpus=1"), 0);
	kslab_zone_info(ZONE_DMA, &dma);
	kslab_zone_info(ZONE_DMA32, &dma32);
	kslab_zone_info(ZONE_NORMAL, &normal);
	assert_int_equal(dma.lowmem_reserve[ZONE_NORMAL],
			 (dma32.managed_pages + normal.managed_pages) / 256);
	assert_int_equal(dma32.lowmem_reserve[ZONE_NORMAL],
			 normal.managed_pages / 256);
	assert_int_equal(dma.lowmem_reserve[ZONE_DMA32],
			 dma32.managed_pages / 256);

	/* the first pages come from Normal */
	struct page *p = alloc_pages(GFP_KERNEL, 0);
	assert_int_equal(page_zonenum(p), ZONE_NORMAL);
	__free_pages(p, 0);

	while (alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0))
		got++;
	drain_all_pages(NULL);
	kslab_zone_info(ZONE_DMA, &dma);
	kslab_zone_info(ZONE_DMA32, &dma32);
	kslab_zone_info(ZONE_NORMAL, &normal);
	printf("GFP_KERNEL got %lu pages; free DMA %lu DMA32 %lu Normal %lu\n",
	       got, dma.free_pages, dma32.free_pages, normal.free_pages);
	/* each zone stops exactly at min plus its reserve against Normal
	 * requests (zone_watermark_ok: free must stay above the sum) */
	assert_int_equal(normal.free_pages, normal.wmark_min);
	assert_int_equal(dma32.free_pages,
			 dma32.wmark_min + dma32.lowmem_reserve[ZONE_NORMAL]);
	assert_int_equal(dma.free_pages,
			 dma.wmark_min + dma.lowmem_reserve[ZONE_NORMAL]);
	/* less the Normal pages the boot caches' slabs hold (kmem_cache,
	 * kmem_cache_node) */
	assert_int_equal(got, normal.managed_pages - normal.wmark_min -
				      kslab_slab_pages() + dma32.managed_pages -
				      dma32.free_pages + dma.managed_pages -
				      dma.free_pages);

	/* the reserves are there for the callers who need them */
	p = alloc_pages(GFP_KERNEL | __GFP_DMA32, 0);
	assert_non_null(p);
	assert_int_equal(page_zonenum(p), ZONE_DMA32);
	p = alloc_pages(GFP_KERNEL | __GFP_DMA, 0);
	assert_non_null(p);
	assert_int_equal(page_zonenum(p), ZONE_DMA);

	/* __GFP_HIGH may dip below min */
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0));
	p = alloc_pages(GFP_ATOMIC, 0);
	assert_non_null(p);
	assert_int_equal(page_zonenum(p), ZONE_NORMAL);
	assert_true(zone_free(ZONE_NORMAL) < normal.wmark_min);
}

static void test_exhaust_each_zone(void **state)
{
	static const struct {
		gfp_t gfp;
		enum zone_type zone;
		const char *name;
	} z[] = {
		{ GFP_KERNEL | __GFP_DMA, ZONE_DMA, "GFP_DMA" },
		{ GFP_KERNEL | __GFP_DMA32, ZONE_DMA32, "GFP_DMA32" },
		{ GFP_KERNEL, ZONE_NORMAL, "GFP_KERNEL" },
	};

	for (size_t i = 0; i < 3; i++) {
		unsigned long n = 0, dma_limit_hits = 0;
		struct page *p;
		const char *msg;
		char want[128], names[64];

		assert_int_equal(
			kslab_boot(
				"arch=x86_64 mem=32M memmap=16M@4G nr_cpus=1"),
			0);
		while ((p = alloc_pages(z[i].gfp | __GFP_NOWARN, 1))) {
			assert_true(page_zonenum(p) <= z[i].zone);
			dma_limit_hits += page_zonenum(p) == z[i].zone;
			n++;
		}
		assert_true(dma_limit_hits > 0);
		/* without __GFP_NOWARN the failure is reported, with the flags */
		capture_start();
		assert_null(alloc_pages(z[i].gfp, 1));
		msg = capture_stop();
		kslab_gfp_format(z[i].gfp, names, sizeof(names));
		snprintf(want, sizeof(want),
			 "page allocation failure: order:1, mode:%#x(%s)",
			 z[i].gfp, names);
		assert_non_null(strstr(names, z[i].name));
		assert_non_null(strstr(msg, want));
		assert_non_null(strstr(msg, "nodemask=(null)"));
		/* the machine stays consistent: other zones still serve */
		if (z[i].zone != ZONE_DMA)
			assert_non_null(alloc_pages(GFP_KERNEL | __GFP_DMA, 0));
		kslab_shutdown();
	}
}

static struct page *cache[4096];
static int cached;
static int shrinker_calls;

static unsigned long cache_count(void *priv)
{
	return cached;
}

static unsigned long cache_scan(void *priv, unsigned long nr)
{
	unsigned long freed = 0;

	shrinker_calls++;
	while (cached && freed < nr) {
		__free_pages(cache[--cached], 0);
		freed++;
	}
	return freed;
}

static void test_nofail_asks_shrinkers(void **state)
{
	struct kslab_shrinker s = { .name = "test",
				    .count = cache_count,
				    .scan = cache_scan };
	struct page *p;

	assert_int_equal(kslab_boot("arch=x86_64 mem=16M nr_cpus=1"), 0);
	cached = 0;
	while (cached < 4096 && (p = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0)))
		cache[cached++] = p;
	/* registered once the cache is full, or direct reclaim above would
	 * have kept emptying it while it filled */
	assert_int_equal(kslab_register_shrinker(&s), 0);
	assert_true(cached > 100);
	shrinker_calls = 0;
	/* may not reclaim: fails without calling the shrinker */
	assert_null(alloc_pages(GFP_NOWAIT, 0));
	assert_int_equal(shrinker_calls, 0);
	/* must not fail: the shrinker gives pages back */
	p = alloc_pages(GFP_KERNEL | __GFP_NOFAIL, 2);
	assert_non_null(p);
	assert_true(shrinker_calls >= 1);
	__free_pages(p, 2);
	kslab_unregister_shrinker(&s);
	while (cached)
		__free_pages(cache[--cached], 0);
}

static void expect_refused(void (*fn)(void *), void *arg, const char *needle)
{
	unsigned long free_before, free_after;
	char *bi = strdup(show("buddyinfo"));
	const char *msg;

	drain_all_pages(NULL);
	free_before = kslab_nr_free_pages();
	capture_start();
	fn(arg);
	msg = capture_stop();
	assert_non_null(strstr(msg, needle));
	drain_all_pages(NULL);
	free_after = kslab_nr_free_pages();
	assert_int_equal(free_before, free_after);
	free(bi);
}

static struct page *victim;
static void free0(void *p)
{
	__free_pages(p, 0);
}
static void free1(void *p)
{
	__free_pages(p, 1);
}
static void free_addr(void *p)
{
	free_pages((unsigned long)p, 0);
}

static void test_bad_frees(void **state)
{
	int on_stack;
	struct page *p;
	char *before;

	assert_int_equal(kslab_boot("arch=x86_64 mem=64M nr_cpus=2"), 0);
	before = strdup(show("buddyinfo"));

	/* double free, once on the pcp list and once in the buddy lists */
	victim = alloc_pages(GFP_KERNEL, 0);
	__free_pages(victim, 0);
	expect_refused(free0, victim, "double free");
	victim = alloc_pages(GFP_KERNEL, 5);
	__free_pages(victim, 5);
	expect_refused(free0, victim, "already free");

	/* wrong order: refused, and the page stays allocated */
	p = alloc_pages(GFP_KERNEL, 2);
	expect_refused(free1, p, "freed with order 1, allocated with order 2");
	expect_refused(free0, p + 1, "not the first page");
	__free_pages(p, 2);

	/* compound tails */
	p = alloc_pages(GFP_KERNEL | __GFP_COMP, 3);
	assert_int_equal(compound_order(p), 3);
	expect_refused(free0, p + 3, "tail page");
	__free_pages(p, 3);

	/* foreign pointers */
	expect_refused(free0, &on_stack, "not a struct page");
	expect_refused(free_addr, &on_stack, "not a page address");
	expect_refused(free_addr,
		       (char *)page_address(alloc_pages(GFP_KERNEL, 0)) + 8,
		       "not a page address");

	/* order above MAX_PAGE_ORDER and impossible zone modifiers */
	capture_start();
	assert_null(alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER + 1));
	assert_null(alloc_pages(__GFP_DMA | __GFP_DMA32, 0));
	const char *msg = capture_stop();
	assert_non_null(strstr(msg, "MAX_PAGE_ORDER"));
	assert_non_null(strstr(msg, "invalid zone modifiers"));
	assert_null(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
	free(before);
}

static void test_helpers(void **state)
{
	unsigned long before, addr;
	struct page *p;
	void *exact;

	assert_int_equal(kslab_boot("arch=x86_64 mem=64M nr_cpus=1"), 0);
	/* __GFP_ZERO and get_zeroed_page clear what the last user left */
	p = alloc_pages(GFP_KERNEL, 0);
	memset(page_address(p), 0xa5, 4096);
	__free_pages(p, 0);
	addr = get_zeroed_page(GFP_KERNEL);
	assert_int_equal(addr, (unsigned long)page_address(p)); /* LIFO reuse */
	for (int i = 0; i < 4096; i++)
		assert_int_equal(((unsigned char *)addr)[i], 0);
	free_page(addr);
	addr = __get_free_pages(GFP_KERNEL, 3);
	assert_int_equal(addr % (8 * 4096), 0);
	free_pages(addr, 3);

	assert_int_equal(get_order(1), 0);
	assert_int_equal(get_order(4096), 0);
	assert_int_equal(get_order(4097), 1);
	assert_int_equal(get_order(5 * 4096), 3);

	/* alloc_pages_exact takes exactly the pages asked for */
	drain_all_pages(NULL);
	before = kslab_nr_free_pages();
	exact = alloc_pages_exact(5 * 4096 - 100, GFP_KERNEL | __GFP_ZERO);
	assert_non_null(exact);
	memset(exact, 1, 5 * 4096 - 100);
	drain_all_pages(NULL);
	assert_int_equal(kslab_nr_free_pages(), before - 5);
	free_pages_exact(exact, 5 * 4096 - 100);
	drain_all_pages(NULL);
	assert_int_equal(kslab_nr_free_pages(), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_random_placement_and_coalescing,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_fallback_and_reserves,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_exhaust_each_zone,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_nofail_asks_shrinkers,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_frees, shutdown_teardown),
		cmocka_unit_test_teardown(test_helpers, shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
