// SPDX-License-Identifier: MIT
/*
 * kmalloc size classes, cache types and the alignment policies of both
 * seeds, checked against the kernel's tables and the reference machine.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "kmalloc/kmalloc_internal.h"
#include "helpers/kslab_test.h"

#define REF KSLAB_TEST_DATADIR "/real-kernel/"

static const char *cache_name_of(const void *p)
{
	struct kslab_cache_info ci;
	struct kmem_cache *s = ksl_virt_to_cache(p);

	if (!s || kslab_cache_info(s, &ci))
		return "(none)";
	return ci.name;
}

/* x86_64: 8, 16, 32, 64, 96, 128, 192, 256, ... 8k, then pages */
static size_t x86_class(size_t n)
{
	static const size_t cls[] = { 8,   16,	32,   64,   96,	  128, 192,
				      256, 512, 1024, 2048, 4096, 8192 };

	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (n <= cls[i])
			return cls[i];
	return (size_t)4096 << get_order(n);
}

static void test_x86_64_classes(void **state)
{
	struct kslab_kmalloc_info ki;

	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	assert_int_equal(kslab_kmalloc_info(&ki), 0);
	assert_string_equal(ki.policy, "x86_64");
	assert_int_equal(ki.kmalloc_min_size, 8);
	assert_int_equal(ki.minalign, 8);
	assert_int_equal(ki.max_cache_size, 8192);
	for (size_t n = 1; n <= 20000; n += (n < 300 ? 1 : 97)) {
		void *p = kmalloc(n, GFP_KERNEL);

		assert_non_null(p);
		if (ksize(p) != x86_class(n))
			fail_msg("ksize(kmalloc(%zu)) = %zu, want %zu", n,
				 ksize(p), x86_class(n));
		assert_int_equal(kmalloc_size_roundup(n), x86_class(n));
		/* natural alignment: the largest power of two dividing the class */
		assert_int_equal((uintptr_t)p %
					 ksl_min(x86_class(n) & -x86_class(n),
						 (size_t)4096),
				 0);
		memset(p, 0xa5, n);
		kfree(p);
	}
	assert_string_equal(cache_name_of(kmalloc(72, GFP_KERNEL)),
			    "kmalloc-96");
	assert_string_equal(cache_name_of(kmalloc(8192, GFP_KERNEL)),
			    "kmalloc-8k");
}

/* the constant-size inline path picks the same cache as the runtime one */
static void test_constant_path(void **state)
{
	volatile size_t v;
	void *a, *b;

	assert_int_equal(
		kslab_boot("arch=arm64 kmalloc.legacy mem=1G nr_cpus=1"), 0);
	v = 24;
	a = kmalloc(24, GFP_KERNEL);
	b = kmalloc(v, GFP_KERNEL);
	assert_ptr_equal(ksl_virt_to_cache(a), ksl_virt_to_cache(b));
	assert_string_equal(cache_name_of(a), "kmalloc-128");
	v = 150;
	assert_ptr_equal(ksl_virt_to_cache(kmalloc(150, GFP_KERNEL)),
			 ksl_virt_to_cache(kmalloc(v, GFP_KERNEL)));
	assert_string_equal(cache_name_of(kmalloc(150, GFP_KERNEL)),
			    "kmalloc-256");
}

static void test_types(void **state)
{
	void *p;

	assert_int_equal(
		kslab_boot("arch=x86_64 mem=64M memmap=1G@4G nr_cpus=2"), 0);
	assert_string_equal(cache_name_of(kmalloc(40, GFP_KERNEL)),
			    "kmalloc-64");
	assert_string_equal(cache_name_of(kmalloc(40, GFP_KERNEL_ACCOUNT)),
			    "kmalloc-cg-64");
	assert_string_equal(
		cache_name_of(kmalloc(40, GFP_KERNEL | __GFP_RECLAIMABLE)),
		"kmalloc-rcl-64");
	assert_string_equal(
		cache_name_of(kmalloc(40, GFP_KERNEL | __GFP_RECLAIMABLE |
						  __GFP_ACCOUNT)),
		"kmalloc-rcl-64");
	p = kmalloc(40, GFP_KERNEL | GFP_DMA);
	assert_string_equal(cache_name_of(p), "dma-kmalloc-64");
	assert_int_equal(page_zonenum(virt_to_page(p)), ZONE_DMA);
	assert_true(virt_to_phys(p) < (16u << 20));
	/* __GFP_MOVABLE and the rest do not change the type */
	assert_string_equal(
		cache_name_of(kmalloc(40, GFP_KERNEL | __GFP_MOVABLE)),
		"kmalloc-64");
}

/* kmalloc(GFP_DMA32): the seed's documented misuse */
static void test_dma32_misuse(void **state)
{
	const char *msg;
	void *p;

	assert_int_equal(
		kslab_boot("arch=x86_64 mem=64M memmap=1G@4G nr_cpus=1"), 0);
	capture_start();
	p = kmalloc(100, GFP_KERNEL | GFP_DMA32);
	msg = capture_stop();
	assert_non_null(p);
	assert_non_null(strstr(
		msg,
		"Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!"));
	assert_string_equal(cache_name_of(p), "kmalloc-128");
	kfree(p);
	/* large requests are fixed up the same way, and warned each time
	 * (kmalloc_fix_flags has no once) */
	for (int i = 0; i < 2; i++) {
		capture_start();
		p = kmalloc(20000, GFP_KERNEL | GFP_DMA32);
		msg = capture_stop();
		assert_non_null(p);
		assert_non_null(strstr(msg, "Unexpected gfp"));
		kfree(p);
	}
}

static void test_zero_and_null(void **state)
{
	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	assert_ptr_equal(kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(__kmalloc(0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_int_equal(ksize(ZERO_SIZE_PTR), 0);
	assert_int_equal(ksize(NULL), 0);
	kfree(NULL);
	kfree(ZERO_SIZE_PTR);
	kfree_sensitive(NULL);
	assert_ptr_equal(krealloc(NULL, 0, GFP_KERNEL), ZERO_SIZE_PTR);
}

static void test_large(void **state)
{
	unsigned long before, during, after;
	void *p;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	drain_all_pages(NULL);
	before = kslab_nr_free_pages();
	p = kmalloc(8193, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 16384);
	assert_int_equal((uintptr_t)p % 4096, 0);
	assert_int_equal(compound_order(virt_to_page(p)), 2);
	assert_null(ksl_virt_to_cache(p));
	drain_all_pages(NULL);
	during = kslab_nr_free_pages();
	assert_int_equal(before - during, 4);
	kfree(p);
	drain_all_pages(NULL);
	after = kslab_nr_free_pages();
	assert_int_equal(after, before);
	/* the largest and one beyond */
	p = kmalloc(4u << 20, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 4u << 20);
	kfree(p);
	capture_start();
	assert_null(kmalloc((4u << 20) + 1, GFP_KERNEL));
	assert_non_null(strstr(capture_stop(), "KMALLOC_MAX_SIZE"));
	/* zeroing covers the whole block */
	p = kzalloc(3 * 4096 + 5, GFP_KERNEL);
	for (size_t i = 0; i < ksize(p); i++)
		assert_int_equal(((unsigned char *)p)[i], 0);
	kvfree(p);
}

static void test_helpers(void **state)
{
	char *s, *t;
	int *a;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	s = kstrdup("kslab", GFP_KERNEL);
	assert_string_equal(s, "kslab");
	assert_int_equal(ksize(s), 8);
	t = kstrndup("kmem_cache", 4, GFP_KERNEL);
	assert_string_equal(t, "kmem");
	a = kcalloc(10, sizeof(int), GFP_KERNEL);
	for (int i = 0; i < 10; i++)
		assert_int_equal(a[i], 0), a[i] = i;
	assert_int_equal(ksize(a), 64);
	a = krealloc(a, 1000, GFP_KERNEL);
	assert_int_equal(ksize(a), 1024);
	for (int i = 0; i < 10; i++)
		assert_int_equal(a[i], i);
	/* shrinking keeps the object */
	assert_ptr_equal(krealloc(a, 10, GFP_KERNEL), a);
	a = krealloc_array(a, 300, sizeof(int), GFP_KERNEL);
	assert_int_equal(ksize(a), 2048);
	assert_null(kmalloc_array(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kcalloc(SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(krealloc_array(a, SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_memory_equal(kmemdup("abc", 4, GFP_KERNEL), "abc", 4);
	kfree_sensitive(a);
	kfree(s);
	kfree(t);
}

static void test_foreign_free(void **state)
{
	int on_stack;
	void *p;
	const char *msg;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	capture_start();
	kfree(&on_stack);
	msg = capture_stop();
	assert_non_null(strstr(msg, "not memory of the simulated machine"));
	p = page_address(alloc_pages(GFP_KERNEL, 0));
	capture_start();
	kfree(p);
	msg = capture_stop();
	assert_non_null(strstr(msg, "refused"));
	free_pages((unsigned long)p, 0);
	/* the allocator still works */
	p = kmalloc(64, GFP_KERNEL);
	assert_non_null(p);
	kfree(p);
}

/* kfree of the inside of an object, a double kfree, a failed krealloc */
static void test_bad_kfree_and_krealloc(void **state)
{
	char *p, *q;
	const char *msg;
	struct kslab_cache_info before, after;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=1"), 0);
	p = kmalloc(64, GFP_KERNEL);
	kslab_cache_info(ksl_virt_to_cache(p), &before);
	capture_start();
	kfree(p + 8);
	msg = capture_stop();
	assert_non_null(strstr(msg, "kmalloc-64"));
	kslab_cache_info(ksl_virt_to_cache(p), &after);
	assert_int_equal(after.active_objs, before.active_objs);
	/* the object is still live and usable */
	memset(p, 0x5a, 64);
	kfree(p);
	capture_start();
	kfree(p);
	msg = capture_stop();
	assert_true(strlen(msg) > 0);
	/* the cache stays consistent: the next two allocations differ */
	p = kmalloc(64, GFP_KERNEL);
	q = kmalloc(64, GFP_KERNEL);
	assert_ptr_not_equal(p, q);
	/* krealloc that cannot be served keeps the old object */
	strcpy(p, "still here");
	capture_start();
	assert_null(krealloc(p, (size_t)1 << 40, GFP_KERNEL));
	capture_stop();
	assert_string_equal(p, "still here");
	assert_int_equal(ksize(p), 64);
	kfree(p);
	kfree(q);
}

/* ---- the alignment policies ------------------------------------------- */

static void expect_class(size_t n, gfp_t gfp, size_t want, const char *cache)
{
	void *p = kmalloc(n, gfp);

	assert_non_null(p);
	if (ksize(p) != want || strcmp(cache_name_of(p), cache))
		fail_msg(
			"kmalloc(%zu, %#x): ksize %zu from %s, want %zu from %s",
			n, gfp, ksize(p), cache_name_of(p), want, cache);
	assert_int_equal((uintptr_t)p % (want & -want), 0);
}

static void test_arm64_legacy(void **state)
{
	struct kslab_kmalloc_info ki;

	assert_int_equal(
		kslab_boot("arch=arm64 kmalloc.legacy memmap=4G@2G nr_cpus=2"),
		0);
	kslab_kmalloc_info(&ki);
	assert_string_equal(ki.policy, "arm64-legacy");
	assert_int_equal(ki.arch_kmalloc_minalign, 128);
	assert_int_equal(ki.kmalloc_min_size, 128);
	expect_class(1, GFP_KERNEL, 128, "kmalloc-128");
	expect_class(96, GFP_KERNEL, 128, "kmalloc-128");
	expect_class(129, GFP_KERNEL, 256, "kmalloc-256");
	expect_class(192, GFP_KERNEL, 256, "kmalloc-256");
	/* __GFP_PACKED means nothing without kmalloc.packed */
	expect_class(8, GFP_KERNEL | __GFP_PACKED, 128, "kmalloc-128");
	assert_null(kslab_find_cache("kmalloc-8"));
	assert_null(kslab_find_cache("kmalloc-64"));
	assert_null(kslab_find_cache("kmalloc-96"));
	assert_null(kslab_find_cache("kmalloc-192"));
	assert_null(kslab_find_cache("dma-kmalloc-192"));
}

static void test_arm64_packed(void **state)
{
	struct kslab_kmalloc_info ki;

	assert_int_equal(
		kslab_boot(
			"arch=arm64 kmalloc.legacy kmalloc.packed memmap=4G@2G"),
		0);
	kslab_kmalloc_info(&ki);
	assert_string_equal(ki.policy, "arm64-packed");
	assert_true(ki.packed);
	expect_class(8, GFP_KERNEL, 128, "kmalloc-128");
	expect_class(8, GFP_KERNEL | __GFP_PACKED, 8, "kmalloc-8");
	expect_class(20, GFP_KERNEL | __GFP_PACKED, 32, "kmalloc-32");
	expect_class(72, GFP_KERNEL | __GFP_PACKED, 96, "kmalloc-96");
	expect_class(150, GFP_KERNEL | __GFP_PACKED, 192, "kmalloc-192");
	expect_class(150, GFP_KERNEL, 256, "kmalloc-256");
	expect_class(300, GFP_KERNEL | __GFP_PACKED, 512, "kmalloc-512");
	/* packed accounted and reclaimable requests too; DMA never */
	expect_class(8, GFP_KERNEL_ACCOUNT | __GFP_PACKED, 8, "kmalloc-cg-8");
	expect_class(8, GFP_KERNEL | GFP_DMA | __GFP_PACKED, 128,
		     "dma-kmalloc-128");
	/* packed needs legacy */
	kslab_shutdown();
	capture_start();
	assert_int_equal(kslab_boot("arch=arm64 kmalloc.packed"), -EINVAL);
	assert_non_null(strstr(capture_stop(), "kmalloc.packed"));
}

static void test_arm64_swiotlb(void **state)
{
	struct kslab_kmalloc_info ki;

	assert_int_equal(kslab_boot("arch=arm64 memmap=4G@2G nr_cpus=2"), 0);
	kslab_kmalloc_info(&ki);
	assert_string_equal(ki.policy, "arm64");
	assert_int_equal(ki.minalign, 8);
	assert_int_equal(ki.dma_minalign, 8);
	expect_class(8, GFP_KERNEL, 8, "kmalloc-8");
	expect_class(72, GFP_KERNEL, 96, "kmalloc-96");
	expect_class(150, GFP_KERNEL, 192, "kmalloc-192");
	/* 6.5+ new_kmalloc_cache(): dma-kmalloc-* get the same minimum */
	expect_class(8, GFP_KERNEL | GFP_DMA, 8, "dma-kmalloc-8");
	expect_class(72, GFP_KERNEL | GFP_DMA, 96, "dma-kmalloc-96");
	expect_class(150, GFP_KERNEL | GFP_DMA, 192, "dma-kmalloc-192");
	assert_non_null(kslab_find_cache("dma-kmalloc-16"));
}

static void test_arm64_noswiotlb(void **state)
{
	struct kslab_kmalloc_info ki;

	assert_int_equal(kslab_boot("arch=arm64 memmap=4G@2G swiotlb=noforce"),
			 0);
	kslab_kmalloc_info(&ki);
	assert_string_equal(ki.policy, "arm64-noswiotlb");
	assert_int_equal(ki.minalign, 64);
	expect_class(1, GFP_KERNEL, 64, "kmalloc-64");
	expect_class(72, GFP_KERNEL, 128, "kmalloc-128");
	expect_class(150, GFP_KERNEL, 192, "kmalloc-192");
	expect_class(200, GFP_KERNEL, 256, "kmalloc-256");
	assert_null(kslab_find_cache("kmalloc-8"));
	assert_null(kslab_find_cache("kmalloc-96"));
	assert_non_null(kslab_find_cache("kmalloc-192"));
	/* without a bounce buffer dma-kmalloc-64 is the smallest DMA class */
	assert_int_equal(ki.dma_minalign, 64);
	expect_class(1, GFP_KERNEL | GFP_DMA, 64, "dma-kmalloc-64");
	expect_class(72, GFP_KERNEL | GFP_DMA, 128, "dma-kmalloc-128");
	assert_null(kslab_find_cache("dma-kmalloc-32"));
}

/*
 * Every size from 0 to 2 * KMALLOC_MAX_CACHE_SIZE under each policy: the
 * cache (by name), ksize and the pointer's alignment, against class
 * lists written out here from the kernel's rules.
 */
struct policy_case {
	const char *boot;
	gfp_t gfp;
	size_t classes[16]; /* 0-terminated */
};

static const struct policy_case policy_cases[] = {
	{ "arch=x86_64 mem=512M",
	  GFP_KERNEL,
	  { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G",
	  GFP_KERNEL,
	  { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G swiotlb=noforce",
	  GFP_KERNEL,
	  { 64, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G kmalloc.legacy",
	  GFP_KERNEL,
	  { 128, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G kmalloc.legacy kmalloc.packed",
	  GFP_KERNEL,
	  { 128, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G kmalloc.legacy kmalloc.packed",
	  GFP_KERNEL | __GFP_PACKED,
	  { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G",
	  GFP_KERNEL | GFP_DMA,
	  { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G swiotlb=noforce",
	  GFP_KERNEL | GFP_DMA,
	  { 64, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=arm64 memmap=1G@2G kmalloc.legacy",
	  GFP_KERNEL | GFP_DMA,
	  { 128, 256, 512, 1024, 2048, 4096, 8192 } },
	{ "arch=x86_64 mem=512M",
	  GFP_KERNEL_ACCOUNT,
	  { 8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192 } },
};

static void class_name(char *buf, size_t len, gfp_t gfp, size_t cls)
{
	const char *prefix = (gfp & GFP_DMA)	   ? "dma-kmalloc-" :
			     (gfp & __GFP_ACCOUNT) ? "kmalloc-cg-" :
						     "kmalloc-";

	if (cls >= 1024)
		snprintf(buf, len, "%s%zuk", prefix, cls >> 10);
	else
		snprintf(buf, len, "%s%zu", prefix, cls);
}

static void test_every_size_every_policy(void **state)
{
	for (size_t c = 0; c < sizeof(policy_cases) / sizeof(policy_cases[0]);
	     c++) {
		const struct policy_case *pc = &policy_cases[c];
		char want_name[32];

		assert_int_equal(kslab_boot(pc->boot), 0);
		assert_ptr_equal(kmalloc(0, pc->gfp), ZERO_SIZE_PTR);
		for (size_t n = 1; n <= 2 * 8192; n++) {
			size_t cls = 0, align;
			void *p = kmalloc(n, pc->gfp);

			for (int i = 0; pc->classes[i]; i++)
				if (n <= pc->classes[i]) {
					cls = pc->classes[i];
					break;
				}
			if (!cls)
				cls = (size_t)4096 << get_order(n);
			align = ksl_min(cls & -cls, (size_t)4096);
			assert_non_null(p);
			if (ksize(p) != cls || (uintptr_t)p % align)
				fail_msg(
					"%s gfp %#x: kmalloc(%zu) = %p ksize %zu, want %zu",
					pc->boot, pc->gfp, n, p, ksize(p), cls);
			if (cls <= 8192) {
				class_name(want_name, sizeof(want_name),
					   pc->gfp, cls);
				if (strcmp(cache_name_of(p), want_name))
					fail_msg(
						"%s: kmalloc(%zu) from %s, want %s",
						pc->boot, n, cache_name_of(p),
						want_name);
			}
			kfree(p);
		}
		kslab_shutdown();
	}
}

/*
 * Under the legacy minimum, a cache smaller than ARCH_KMALLOC_MINALIGN
 * holds only __GFP_PACKED objects, so a packed object never shares a
 * cache line with an unpacked (possibly DMA) one.
 */
static void test_packed_never_shares_small_caches(void **state)
{
	assert_int_equal(
		kslab_boot(
			"arch=arm64 memmap=1G@2G kmalloc.legacy kmalloc.packed"),
		0);
	for (size_t n = 1; n <= 8192; n++) {
		void *u = kmalloc(n, GFP_KERNEL),
		     *p = kmalloc(n, GFP_KERNEL | __GFP_PACKED);
		unsigned int us = kmem_cache_size(ksl_virt_to_cache(u));
		unsigned int ps = kmem_cache_size(ksl_virt_to_cache(p));

		assert_int_equal(us % 128, 0);
		if (ps % 128)
			assert_ptr_not_equal(ksl_virt_to_cache(u),
					     ksl_virt_to_cache(p));
		assert_true(ps <= us);
		kfree(u);
		kfree(p);
	}
}

/* `kslab show kmalloc`: the policy and the class -> cache table */
static void test_show_kmalloc(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(kslab_boot("arch=arm64 memmap=1G@2G swiotlb=noforce"),
			 0);
	f = open_memstream(&buf, &len);
	assert_int_equal(kslab_show("kmalloc", f), 0);
	fclose(f);
	assert_non_null(strstr(buf, "policy arm64-noswiotlb"));
	assert_non_null(strstr(buf, "minimum alignment 64"));
	assert_non_null(strstr(buf, "\n8        kmalloc-64 "));
	assert_non_null(strstr(buf, "\n96       kmalloc-128 "));
	assert_non_null(strstr(buf, "dma-kmalloc-128"));
	assert_null(strstr(buf, "__GFP_PACKED"));
	free(buf);
}

/* setup_kmalloc_cache_index_table() for KMALLOC_MIN_SIZE 64 and 128 */
static void test_size_index_patch(void **state)
{
	static const unsigned char want64[24] = { 6, 6, 6, 6, 6, 6, 6, 6,
						  7, 7, 7, 7, 7, 7, 7, 7,
						  2, 2, 2, 2, 2, 2, 2, 2 };
	static const unsigned char want128[24] = { 7, 7, 7, 7, 7, 7, 7, 7,
						   7, 7, 7, 7, 7, 7, 7, 7,
						   8, 8, 8, 8, 8, 8, 8, 8 };
	static const unsigned char want8[24] = { 3, 4, 5, 5, 6, 6, 6, 6,
						 1, 1, 1, 1, 7, 7, 7, 7,
						 2, 2, 2, 2, 2, 2, 2, 2 };
	unsigned char t[24];

	ksl_kmalloc_patch_size_index(t, 64);
	assert_memory_equal(t, want64, 24);
	ksl_kmalloc_patch_size_index(t, 128);
	assert_memory_equal(t, want128, 24);
	ksl_kmalloc_patch_size_index(t, 8);
	assert_memory_equal(t, want8, 24);
}

/* 64K pages: KMALLOC_MAX_CACHE_SIZE is two pages, kmalloc-128k */
static void test_arm64_64k_pages(void **state)
{
	assert_int_equal(
		kslab_boot("arch=arm64 page_size=64K memmap=4G@2G nr_cpus=1"),
		0);
	expect_class(100000, GFP_KERNEL, 131072, "kmalloc-128k");
	assert_int_equal(ksize(kmalloc(131073, GFP_KERNEL)), 262144);
}

/*
 * The kmalloc caches appear in /proc/slabinfo in the reference machine's
 * order (newest first: per type 8k .. 8, 192, 96; types cg, dma, rcl,
 * normal).
 */
static void test_slabinfo_order(void **state)
{
	char ref_names[64][64], our_names[64][64];
	int nref = 0, nours = 0;
	char line[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = fopen(REF "proc-slabinfo.txt", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && nref < 64) {
		char name[64];

		if (sscanf(line, "%63s", name) == 1 &&
		    strstr(name, "kmalloc-") && strcmp(name, "kmalloc_buckets"))
			snprintf(ref_names[nref++], 64, "%s", name);
	}
	fclose(f);
	assert_int_equal(kslab_boot("arch=x86_64 mem=1G nr_cpus=2"), 0);
	f = open_memstream(&buf, &len);
	kslab_show("slabinfo", f);
	fclose(f);
	for (char *l = strtok(buf, "\n"); l && nours < 64;
	     l = strtok(NULL, "\n")) {
		char name[64];

		if (sscanf(l, "%63s", name) == 1 && strstr(name, "kmalloc-"))
			snprintf(our_names[nours++], 64, "%s", name);
	}
	free(buf);
	assert_int_equal(nours, nref);
	for (int i = 0; i < nref; i++)
		assert_string_equal(our_names[i], ref_names[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_x86_64_classes,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_constant_path,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_types, shutdown_teardown),
		cmocka_unit_test_teardown(test_dma32_misuse, shutdown_teardown),
		cmocka_unit_test_teardown(test_zero_and_null,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_large, shutdown_teardown),
		cmocka_unit_test_teardown(test_helpers, shutdown_teardown),
		cmocka_unit_test_teardown(test_foreign_free, shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_kfree_and_krealloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_legacy, shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_packed, shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_swiotlb,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_noswiotlb,
					  shutdown_teardown),
		cmocka_unit_test(test_size_index_patch),
		cmocka_unit_test_teardown(test_show_kmalloc, shutdown_teardown),
		cmocka_unit_test_teardown(test_every_size_every_policy,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_packed_never_shares_small_caches,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_arm64_64k_pages,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_slabinfo_order,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
