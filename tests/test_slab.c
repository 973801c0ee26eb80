// SPDX-License-Identifier: MIT
/*
 * The slab layer's behaviour: zone placement of SLAB_CACHE_DMA32 and
 * SLAB_CACHE_DMA objects (physical addresses checked, RAM above 4 GiB),
 * merging across DMA32/normal, the GFP_SLAB_BUG_MASK fix-up warning,
 * ctor counts, bulk calls, shrinking (meminfo before/after), destroy
 * with leaks, bad input, the slabinfo layout, SLAB_TYPESAFE_BY_RCU, the
 * boot caches' rows and places in /proc/slabinfo (kmem_cache,
 * kmem_cache_node, kmalloc_buckets).
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <urcu/urcu-memb.h>
#include <kslab/kslab.h>
#include "slab/slab_internal.h"
#include "helpers/capture.h"
#include "helpers/kslab_test.h"

#ifndef KSLAB_TEST_DATADIR
#define KSLAB_TEST_DATADIR "tests/data"
#endif
#define GiB (1ULL << 30)
#define HIGH_BOOT "arch=x86_64 mem=64M memmap=1G@4G nr_cpus=2"

/* ---- placement ------------------------------------------------------------ */

static void check_placement(slab_flags_t flags, phys_addr_t lo, phys_addr_t hi,
			    enum zone_type zone, const char *id)
{
	enum { N = 3000 };
	static void *objs[N];
	struct kmem_cache *s = kmem_cache_create("placed", 512, 0, flags, NULL);

	assert_non_null(s);
	assert_int_equal(cache_info_of(s).zone, zone);
	assert_string_equal(cache_info_of(s).unique_id, id);
	for (int i = 0; i < N; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_non_null(objs[i]);
		phys_addr_t pa = virt_to_phys(objs[i]);
		if (pa < lo || pa + 512 > hi)
			fail_msg(
				"object %d at phys %#llx outside [%#llx, %#llx)",
				i, (unsigned long long)pa,
				(unsigned long long)lo, (unsigned long long)hi);
		assert_int_equal(page_zonenum(virt_to_page(objs[i])), zone);
	}
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, objs[i]);
	kmem_cache_destroy(s);
}

static void test_dma32_placement(void **state)
{
	assert_int_equal(kslab_boot(HIGH_BOOT), 0);
	check_placement(SLAB_CACHE_DMA32, 0, 4 * GiB, ZONE_DMA32, ":D-0000512");
}

static void test_dma_placement(void **state)
{
	assert_int_equal(kslab_boot(HIGH_BOOT), 0);
	check_placement(SLAB_CACHE_DMA, 0, 16 << 20, ZONE_DMA, ":d-0000512");
}

static void test_normal_placement_above_4g(void **state)
{
	assert_int_equal(kslab_boot(HIGH_BOOT), 0);
	check_placement(0, 4 * GiB, 5 * GiB, ZONE_NORMAL, ":0000512");
}

static void test_merge_refused_across_dma32(void **state)
{
	struct kmem_cache *a, *b, *c, *d;

	assert_int_equal(kslab_boot(HIGH_BOOT), 0);
	a = kmem_cache_create("plain96", 96, 0, 0, NULL);
	b = kmem_cache_create("dma32_96", 96, 0, SLAB_CACHE_DMA32, NULL);
	c = kmem_cache_create("dma32_96b", 90, 0, SLAB_CACHE_DMA32, NULL);
	d = kmem_cache_create("plain96b", 96, 0, 0, NULL);
	assert_non_null(a);
	assert_ptr_not_equal(a, b);
	assert_ptr_equal(b, c);
	assert_ptr_equal(a, d);
	assert_string_equal(cache_info_of(a).unique_id, ":0000096");
	assert_string_equal(cache_info_of(b).unique_id, ":D-0000096");
	assert_int_equal(cache_info_of(b).aliases, 1);
	assert_int_equal(cache_info_of(a).aliases, 1);
	/* an alias's destroy only drops the count */
	kmem_cache_destroy(c);
	assert_int_equal(cache_info_of(b).aliases, 0);
	assert_ptr_equal(kslab_find_cache("dma32_96"), b);
	/* a ctor, RCU or SLAB_NO_MERGE cache never merges */
	assert_ptr_not_equal(
		kmem_cache_create("nm", 96, 0, SLAB_NO_MERGE, NULL), a);
	assert_ptr_not_equal(
		kmem_cache_create("rcu", 96, 0, SLAB_TYPESAFE_BY_RCU, NULL), a);
}

static void test_slab_nomerge_param(void **state)
{
	assert_int_equal(
		kslab_boot("arch=x86_64 mem=256M nr_cpus=2 slab_nomerge"), 0);
	assert_ptr_not_equal(kmem_cache_create("x", 64, 0, 0, NULL),
			     kmem_cache_create("y", 64, 0, 0, NULL));
	kslab_shutdown();
	assert_int_equal(
		kslab_boot(
			"arch=x86_64 mem=256M nr_cpus=2 slub_max_order=1 slub_min_objects=4"),
		0);
	struct kmem_cache *s = kmem_cache_create("t", 5824, 0, 0, NULL);
	assert_int_equal(cache_info_of(s).order,
			 1); /* 3 pages at most order 1 */
	kslab_shutdown();
	assert_int_equal(
		kslab_boot("arch=x86_64 mem=256M nr_cpus=2 slub_min_order=2"),
		0);
	s = kmem_cache_create("t", 64, 0, 0, NULL);
	assert_int_equal(cache_info_of(s).order, 2);
	assert_int_equal(cache_info_of(s).objs_per_slab, 256);
}

/* ---- the gfp fix-up ------------------------------------------------------- */

static void *alloc_at_one_site(struct kmem_cache *s, gfp_t gfp)
{
	return kmem_cache_alloc(s, gfp);
}

static void test_gfp_slab_bug_mask(void **state)
{
	struct kmem_cache *s;
	const char *log;
	void *objs[200];
	unsigned long nwarn;
	int n;

	assert_int_equal(kslab_boot(HIGH_BOOT), 0);
	s = kmem_cache_create("gfpcheck", 256, 0, SLAB_NO_MERGE, NULL);
	capture_start();
	for (n = 0; n < 200; n++) /* several slabs */
		objs[n] = alloc_at_one_site(s, GFP_KERNEL | __GFP_DMA32);
	log = capture_stop();
	assert_non_null(strstr(
		log,
		"Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!"));
	assert_non_null(strstr(log, "gfpcheck"));
	/* new_slab() -> kmalloc_fix_flags(): one warning per new slab */
	nwarn = 0;
	for (const char *w = log; (w = strstr(w, "Fix your code!")); w++)
		nwarn++;
	assert_true(cache_info_of(s).num_slabs > 1);
	assert_int_equal(nwarn, cache_info_of(s).num_slabs);
	for (n = 0; n < 200; n++) {
		assert_non_null(objs[n]);
		/* the cache's own zone: Normal, above 4 GiB here */
		assert_true(virt_to_phys(objs[n]) >= 4 * GiB);
	}
	for (n = 0; n < 200; n++)
		kmem_cache_free(s, objs[n]);
	kmem_cache_shrink(s);

	capture_start();
	void *p = kmem_cache_alloc(s, GFP_KERNEL | __GFP_HIGHMEM);
	log = capture_stop();
	assert_non_null(strstr(
		log,
		"Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 (GFP_KERNEL). Fix your code!"));
	kmem_cache_free(s, p);
	kmem_cache_shrink(s);

	/* __GFP_DMA is not a bug, and does not move a normal cache */
	capture_start();
	p = kmem_cache_alloc(s, GFP_KERNEL | __GFP_DMA);
	log = capture_stop();
	assert_null(strstr(log, "Unexpected gfp"));
	assert_true(virt_to_phys(p) >= 4 * GiB);
	kmem_cache_free(s, p);
}

/* ---- ctor, bulk, zalloc ----------------------------------------------------- */

static atomic_long ctor_calls;

static void counting_ctor(void *obj)
{
	atomic_fetch_add(&ctor_calls, 1);
	memset(obj, 0x5a, 48);
}

static void test_ctor_once_per_object(void **state)
{
	struct kmem_cache *s;
	void *objs[1000];
	unsigned int per;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	atomic_store(&ctor_calls, 0);
	s = kmem_cache_create("ctor48", 48, 0, 0, counting_ctor);
	assert_non_null(s);
	assert_true(cache_info_of(s).has_ctor);
	assert_int_equal(cache_info_of(s).size,
			 56); /* free pointer after the object */
	per = cache_info_of(s).objs_per_slab;
	for (int i = 0; i < 1000; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		assert_int_equal(((unsigned char *)objs[i])[47], 0x5a);
	}
	assert_int_equal(atomic_load(&ctor_calls), cache_info_of(s).num_objs);
	assert_int_equal(cache_info_of(s).num_objs % per, 0);
	for (int i = 0; i < 1000; i++)
		kmem_cache_free(s, objs[i]);
	/* empty slabs beyond min_partial went back to the page allocator;
	 * reusing the objects still in the cache runs no ctor */
	long before = atomic_load(&ctor_calls);
	unsigned long kept = cache_info_of(s).num_objs;
	assert_true(kept >= per && kept < 1000);
	for (unsigned long i = 0; i < kept; i++) {
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
		/* the ctor's bytes survive a free: the free pointer is outside */
		assert_int_equal(((unsigned char *)objs[i])[0], 0x5a);
	}
	assert_int_equal(atomic_load(&ctor_calls), before);
	/* one more needs a new slab: per more calls */
	objs[kept] = kmem_cache_alloc(s, GFP_KERNEL);
	assert_int_equal(atomic_load(&ctor_calls), before + per);
	for (unsigned long i = 0; i <= kept; i++)
		kmem_cache_free(s, objs[i]);
	/* a ctor cache never merges */
	assert_ptr_not_equal(
		kmem_cache_create("ctor48b", 48, 0, 0, counting_ctor), s);
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static void test_bulk_and_zalloc(void **state)
{
	static void *p[5000], *sorted[5000];
	struct kmem_cache *s;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	s = kmem_cache_create("bulk", 200, 0, SLAB_NO_MERGE, NULL);
	assert_int_equal(kmem_cache_alloc_bulk(s, GFP_KERNEL, 5000, p), 5000);
	memcpy(sorted, p, sizeof(p));
	qsort(sorted, 5000, sizeof(void *), ptr_cmp);
	for (int i = 1; i < 5000; i++)
		assert_true((char *)sorted[i] >= (char *)sorted[i - 1] + 200);
	for (int i = 0; i < 5000; i++)
		memset(p[i], 0xff, 200);
	assert_true(cache_info_of(s).active_objs >= 5000);
	assert_true(cache_info_of(s).num_objs >= cache_info_of(s).active_objs);
	assert_int_equal(cache_info_of(s).num_objs,
			 cache_info_of(s).num_slabs *
				 cache_info_of(s).objs_per_slab);
	kmem_cache_free_bulk(s, 5000, p);
	kmem_cache_shrink(s);
	assert_int_equal(cache_info_of(s).num_slabs, 0);
	unsigned char *z = kmem_cache_zalloc(s, GFP_KERNEL);
	for (int i = 0; i < 200; i++)
		assert_int_equal(z[i], 0);
	kmem_cache_free_bulk(NULL, 1, (void **)&z); /* kfree_bulk style */
	assert_int_equal(kmem_cache_size(s), 200);
	/* all or nothing */
	assert_int_equal(kmem_cache_alloc_bulk(NULL, GFP_KERNEL, 3, p), 0);
}

/* ---- shrinking and meminfo --------------------------------------------------- */

static unsigned long meminfo_kb(const char *key)
{
	static char buf[1 << 16];
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	unsigned long v = 0;
	char *p;

	assert_int_equal(kslab_show("meminfo", f), 0);
	fclose(f);
	p = strstr(buf, key);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(key), " %lu kB", &v), 1);
	return v;
}

static void test_shrink_returns_pages(void **state)
{
	enum { N = 20000 };
	static void *objs[N];
	unsigned long slab0, srecl0, sun0, free0;
	struct kmem_cache *s, *r;

	assert_int_equal(kslab_boot("arch=x86_64 mem=512M nr_cpus=2"), 0);
	slab0 = meminfo_kb("Slab:");
	srecl0 = meminfo_kb("SReclaimable:");
	sun0 = meminfo_kb("SUnreclaim:");
	free0 = kslab_slab_pages();
	s = kmem_cache_create("shrinkme", 256, 0, 0, NULL);
	r = kmem_cache_create("reclaimme", 256, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	for (int i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(i & 1 ? r : s, GFP_KERNEL);
	/* 10000 objects of 256 bytes in each: 2500 KiB each at least */
	assert_true(meminfo_kb("SUnreclaim:") >= sun0 + 2500);
	assert_true(meminfo_kb("SReclaimable:") >= srecl0 + 2500);
	assert_true(meminfo_kb("Slab:") >= slab0 + 5000);
	assert_int_equal(kslab_slab_pages() - free0,
			 (meminfo_kb("Slab:") - slab0) / 4);
	for (int i = 0; i < N; i++)
		kmem_cache_free(i & 1 ? r : s, objs[i]);
	/* frees alone keep at most min_partial empty slabs per node, and
	 * what the CPUs hold */
	assert_true(meminfo_kb("Slab:") < slab0 + 5000);
	kmem_cache_shrink(s);
	kmem_cache_shrink(r);
	assert_int_equal(meminfo_kb("Slab:"), slab0);
	assert_int_equal(meminfo_kb("SReclaimable:"), srecl0);
	assert_int_equal(meminfo_kb("SUnreclaim:"), sun0);
	assert_int_equal(cache_info_of(s).num_slabs, 0);
	assert_int_equal(kslab_slab_pages(), free0);
}

static void test_registered_as_shrinker(void **state)
{
	enum { N = 4000 };
	static void *objs[N];
	struct kmem_cache *s;
	unsigned long before, freed;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	kslab_set_cpu(0);
	s = kmem_cache_create("shrinkable", 1024, 0, 0, NULL);
	for (int i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	/* freed from another CPU: the slabs end on the node list, the
	 * empty ones kept up to min_partial */
	kslab_set_cpu(1);
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, objs[i]);
	kslab_set_cpu(0);
	before = kslab_slab_pages();
	assert_true(before > 0);
	/* what the page allocator runs before it fails an allocation */
	freed = ksl_run_shrinkers();
	assert_true(freed > 0);
	assert_int_equal(kslab_slab_pages(), before - freed);
}

/* ---- destroy with leaks ----------------------------------------------------- */

static void test_destroy_with_leaks(void **state)
{
	struct kmem_cache *s;
	const char *log;
	void *p[3];

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	s = kmem_cache_create("leaky", 128, 0, SLAB_NO_MERGE, NULL);
	for (int i = 0; i < 3; i++)
		p[i] = kmem_cache_alloc(s, GFP_KERNEL);
	capture_start();
	kmem_cache_destroy(s);
	log = capture_stop();
	assert_non_null(strstr(
		log,
		"BUG leaky (Not tainted): Objects remaining in leaky on __kmem_cache_shutdown()"));
	assert_non_null(strstr(
		log,
		"kmem_cache_destroy leaky: Slab cache still has 3 objects"));
	/* the cache stays, with its objects */
	assert_ptr_equal(kslab_find_cache("leaky"), s);
	memset(p[0], 1, 128);
	for (int i = 0; i < 3; i++)
		kmem_cache_free(s, p[i]);
	kmem_cache_destroy(s);
	assert_null(kslab_find_cache("leaky"));
}

/* ---- bad input ----------------------------------------------------------------- */

static void expect_create_fails(const char *name, unsigned int size,
				unsigned int align, slab_flags_t flags,
				const char *msg)
{
	const char *log;

	capture_start();
	assert_null(kmem_cache_create(name, size, align, flags, NULL));
	log = capture_stop();
	assert_non_null(strstr(log, msg));
}

static void test_bad_create(void **state)
{
	const char *log;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	expect_create_fails("zero", 0, 0, 0,
			    "kmem_cache_create(zero): object size 0");
	expect_create_fails("huge", 8u << 20, 0, 0, "above the largest slab");
	expect_create_fails("align3", 64, 3, 0,
			    "alignment 3 is not a power of two");
	expect_create_fails("flags", 64, 0, 1u << 30,
			    "unknown flags 0x40000000");
	expect_create_fails("both", 64, 0, SLAB_CACHE_DMA | SLAB_CACHE_DMA32,
			    "SLAB_CACHE_DMA and SLAB_CACHE_DMA32 together");
	/* a NULL name and a duplicate name are allowed, with a word */
	capture_start();
	struct kmem_cache *a =
		kmem_cache_create(NULL, 64, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *b =
		kmem_cache_create("dup", 64, 0, SLAB_NO_MERGE, NULL);
	struct kmem_cache *c =
		kmem_cache_create("dup", 64, 0, SLAB_NO_MERGE, NULL);
	log = capture_stop();
	assert_non_null(a);
	assert_string_equal(cache_info_of(a).name, "(null)");
	assert_non_null(strstr(log, "cache without a name"));
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(strstr(log, "a cache named dup exists already"));
	/* NULL cache arguments */
	capture_start();
	assert_null(kmem_cache_alloc(NULL, GFP_KERNEL));
	kmem_cache_destroy(NULL);
	assert_int_equal(kmem_cache_shrink(NULL), 0);
	assert_int_equal(kslab_cache_info(NULL, NULL), -22);
	log = capture_stop();
	assert_non_null(strstr(log, "kmem_cache_alloc: NULL cache"));
}

static void test_slab_panic_aborts(void **state)
{
	pid_t pid;
	int status;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	fflush(NULL);
	pid = fork();
	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 2);
		kmem_cache_create("panicky", 0, 0, SLAB_PANIC, NULL);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_bad_free(void **state)
{
	struct kmem_cache *a, *b;
	const char *log;
	char *p, *q;
	long stack_obj;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	a = kmem_cache_create("cache_a", 64, 0, SLAB_NO_MERGE, NULL);
	b = kmem_cache_create("cache_b", 64, 0, SLAB_NO_MERGE, NULL);
	p = kmem_cache_alloc(a, GFP_KERNEL);
	q = kmem_cache_alloc(a, GFP_KERNEL);

	/* wrong cache: reported, freed into its true cache */
	kmem_cache_free(a, q); /* make the active slab's freelist non-empty */
	capture_start();
	kmem_cache_free(b, p);
	log = capture_stop();
	assert_non_null(strstr(
		log, "Wrong slab cache. cache_b but object is from cache_a"));
	assert_ptr_equal(kmem_cache_alloc(a, GFP_KERNEL), p); /* back in a */

	/* not the start of an object */
	capture_start();
	kmem_cache_free(a, p + 8);
	log = capture_stop();
	assert_non_null(strstr(log, "is not the start of an object"));

	/* double free */
	kmem_cache_free(a, p);
	capture_start();
	kmem_cache_free(a, p);
	log = capture_stop();
	assert_non_null(strstr(log, "double free"));
	assert_ptr_equal(kmem_cache_alloc(a, GFP_KERNEL), p);
	assert_ptr_not_equal(kmem_cache_alloc(a, GFP_KERNEL), p);

	/* not a slab object at all */
	capture_start();
	kmem_cache_free(a, &stack_obj);
	kmem_cache_free(NULL, &stack_obj);
	log = capture_stop();
	assert_non_null(strstr(log, "is not a slab object"));
	kmem_cache_free(a, NULL); /* nothing */
}

/* ---- slabinfo ---------------------------------------------------------------- */

static void test_slabinfo_layout(void **state)
{
	char *ref = slurp(KSLAB_TEST_DATADIR "/real-kernel/proc-slabinfo.txt");
	static char ours[1 << 16];
	char *line, *save, *hdr_end;
	struct kmem_cache *s;
	void *objs[100];
	int rows = 0;
	FILE *f;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	/* bio-312 of the reference: 320-byte slots, 12 in an order-0 slab */
	s = kmem_cache_create("bio-312", 312, 64, 0, NULL);
	assert_int_equal(cache_info_of(s).size, 320);
	for (int i = 0; i < 12; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	f = fmemopen(ours, sizeof(ours), "w");
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	/* the two header lines, byte for byte */
	hdr_end = strchr(strchr(ref, '\n') + 1, '\n') + 1;
	assert_int_equal(strncmp(ours, ref, hdr_end - ref), 0);
	/* the reference's line for bio-312 (12 in use of 12), byte for byte */
	line = strstr(ref, "\nbio-312 ");
	assert_non_null(line);
	*strchr(line + 1, '\n') = '\0';
	assert_non_null(strstr(ours, line + 1));
	*strchr(line + 1, '\0') = '\n';
	/* every reference row re-printed with our format is itself */
	for (line = strtok_r(hdr_end, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64], again[256];
		unsigned long a, n, as, ns, sa;
		unsigned int sz, per, t1, t2, t3;
		int pages;

		assert_int_equal(
			sscanf(line,
			       "%63s %lu %lu %u %u %d : tunables %u %u %u : slabdata %lu %lu %lu",
			       name, &a, &n, &sz, &per, &pages, &t1, &t2, &t3,
			       &as, &ns, &sa),
			12);
		snprintf(
			again, sizeof(again),
			"%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
			name, a, n, sz, per, pages, t1, t2, t3, as, ns, sa);
		assert_string_equal(again, line);
		rows++;
	}
	assert_int_equal(rows, 232);
	for (int i = 0; i < 12; i++)
		kmem_cache_free(s, objs[i]);
	free(ref);

	/* show slabs: the sysfs attributes */
	f = fmemopen(ours, sizeof(ours), "w");
	assert_int_equal(kslab_show("slabs", f), 0);
	fclose(f);
	assert_non_null(strstr(
		ours,
		"bio-312 -> :0000320\n  object_size     312\n  slab_size       320\n  align           64\n"));
	assert_non_null(strstr(ours, "  cache_dma32     0\n"));
}

/* the fields of a slabinfo row: name, objsize, objperslab, pagesperslab */
struct sirow {
	char name[64];
	unsigned int size, per;
	int pages;
};

/* the rows of a slabinfo text, after the two header lines */
static int parse_slabinfo(char *text, struct sirow *rows, int max)
{
	char *line, *save;
	int n = 0;

	text = strchr(strchr(text, '\n') + 1, '\n') + 1;
	for (line = strtok_r(text, "\n", &save); line && n < max;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long a, o;

		if (sscanf(line, "%63s %lu %lu %u %u %d", rows[n].name, &a, &o,
			   &rows[n].size, &rows[n].per, &rows[n].pages) == 6)
			n++;
	}
	return n;
}

static int find_row(const struct sirow *rows, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name))
			return i;
	return -1;
}

/*
 * kmem_cache, kmem_cache_node and kmalloc_buckets: the reference's rows
 * (objsize, objperslab, pagesperslab) and places: kmem_cache_node then
 * kmem_cache last (made first, bootstrapped in that order), and
 * kmalloc_buckets just above the last kmalloc cache made (the
 * memdup_user and msg_msg buckets above it, test_kmem_buckets.c).
 */
static void test_slabinfo_boot_caches(void **state)
{
	static const char *const names[] = { "kmem_cache", "kmem_cache_node",
					     "kmalloc_buckets" };
	static struct sirow ref[400], ours[400];
	char *rtext =
		slurp(KSLAB_TEST_DATADIR "/real-kernel/proc-slabinfo.txt");
	static char otext[1 << 16];
	int nr, no;
	FILE *f;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	f = fmemopen(otext, sizeof(otext), "w");
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	nr = parse_slabinfo(rtext, ref, 400);
	no = parse_slabinfo(otext, ours, 400);
	assert_int_equal(nr, 232);
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		int r = find_row(ref, nr, names[k]),
		    o = find_row(ours, no, names[k]);

		assert_true(r >= 0 && o >= 0);
		assert_int_equal(ours[o].size, ref[r].size);
		assert_int_equal(ours[o].per, ref[r].per);
		assert_int_equal(ours[o].pages, ref[r].pages);
		/* the same neighbour below, or both at the end */
		if (r + 1 < nr)
			assert_string_equal(ours[o + 1].name, ref[r + 1].name);
		else
			assert_int_equal(o + 1, no);
	}
	assert_string_equal(ours[no - 2].name, "kmem_cache_node");
	assert_string_equal(ours[no - 1].name, "kmem_cache");
	/* nothing but the boot's own structures in use yet: the two
	 * kmem_buckets of memdup_user and msg_msg, in one slab (the
	 * reference's 36/36: SLUB counts a CPU slab's objects as active) */
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmalloc_buckets")).num_objs,
		36);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmalloc_buckets")).active_slabs,
		1);
	assert_true(cache_info_of(kslab_find_cache("kmem_cache")).active_objs >=
		    (unsigned long)no);
	free(rtext);
}

/* ---- SLAB_TYPESAFE_BY_RCU ------------------------------------------------------- */

static unsigned long free_and_pcp_pages(void)
{
	unsigned long n = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct kslab_zone_info zi;

		if (!kslab_zone_info(z, &zi))
			n += zi.free_pages + zi.pcp_pages;
	}
	return n;
}

/*
 * Empty RCU slabs queued at shutdown are freed before the memory goes:
 * booting again and freeing more RCU slabs must work (it once crashed in
 * call_rcu on the previous boot's rcu_head).
 */
static void test_rcu_across_reboots(void **state)
{
	enum { N = 3000 };
	static void *objs[N];

	for (int boot = 0; boot < 3; boot++) {
		struct kmem_cache *s;

		assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"),
				 0);
		s = kmem_cache_create("rcu_reboot", 256, 0,
				      SLAB_TYPESAFE_BY_RCU, NULL);
		assert_non_null(s);
		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < N; i++) {
				kslab_set_cpu(i & 1);
				objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
				assert_non_null(objs[i]);
			}
			for (int i = 0; i < N; i++) {
				kslab_set_cpu((i >> 3) & 1);
				kmem_cache_free(s, objs[i]);
			}
		}
		/* live RCU slabs left for shutdown to release */
		objs[0] = kmem_cache_alloc(s, GFP_KERNEL);
		kslab_shutdown();
	}
}

static void test_typesafe_by_rcu(void **state)
{
	enum { N = 2000 };
	static void *objs[N];
	struct kmem_cache *s;
	unsigned long before, held;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	s = kmem_cache_create("rcu_objs", 100, 0, SLAB_TYPESAFE_BY_RCU, NULL);
	assert_int_equal(cache_info_of(s).size,
			 112); /* free pointer after the object */
	assert_int_equal(cache_info_of(s).offset, 104);
	before = free_and_pcp_pages();
	for (int i = 0; i < N; i++)
		objs[i] = kmem_cache_alloc(s, GFP_KERNEL);
	held = before - free_and_pcp_pages();
	assert_true(held >= N * 112 / 4096);

	urcu_memb_register_thread();
	urcu_memb_read_lock();
	void *reader_sees = objs[0];
	for (int i = 0; i < N; i++)
		kmem_cache_free(s, objs[i]);
	/* objects may be reused at once */
	void *again = kmem_cache_alloc(s, GFP_KERNEL);
	assert_ptr_equal(again, objs[N - 1]);
	kmem_cache_free(s, again);
	kmem_cache_shrink(s);
	/* the slabs are gone from the cache, their pages not yet freed */
	assert_int_equal(cache_info_of(s).num_slabs, 0);
	assert_true(before - free_and_pcp_pages() >= held);
	/* the slab page is still a page the reader may look at */
	assert_true(kslab_virt_addr_valid(reader_sees));
	urcu_memb_read_unlock();
	urcu_memb_unregister_thread();
	urcu_memb_barrier();
	assert_int_equal(free_and_pcp_pages(), before);
	kmem_cache_destroy(s);
}

/* ---- the contract with kmalloc and DMA --------------------------------------- */

static void test_lookups_for_layers_above(void **state)
{
	struct kmem_cache *k96, *k8k, *s, *found;
	char *p, *q;
	void *start;
	long stack_obj;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	k96 = ksl_create_kmalloc_cache("kmalloc-96", 96, 0, 0, 96, 8);
	k8k = ksl_create_kmalloc_cache("kmalloc-8k", 8192, 0, 0, 8192, 8);
	assert_int_equal(cache_info_of(k96).align, 32);
	assert_int_equal(cache_info_of(k8k).align, 8192);
	assert_int_equal(cache_info_of(k8k).order, 3);
	assert_true(cache_info_of(k96).flags & SLAB_KMALLOC);
	/* a usercopy region keeps other caches out */
	s = kmem_cache_create("wants96", 96, 0, 0, NULL);
	assert_ptr_not_equal(s, k96);
	assert_int_equal(cache_info_of(k96).aliases, 0);

	kslab_set_cpu(0);
	p = kmem_cache_alloc(k96, GFP_KERNEL);
	q = kmem_cache_alloc(k8k, GFP_KERNEL);
	assert_int_equal((uintptr_t)p % 32, 0);
	assert_int_equal((uintptr_t)q % 8192, 0);
	assert_ptr_equal(ksl_virt_to_cache(p), k96);
	assert_ptr_equal(ksl_virt_to_cache(q + 5000), k8k); /* tail page */
	assert_null(ksl_virt_to_cache(&stack_obj));
	assert_int_equal(ksl_slab_ksize(p), 96);
	assert_int_equal(ksl_slab_ksize(&stack_obj), 0);
	assert_true(ksl_slab_object_of(p + 50, &found, &start));
	assert_ptr_equal(found, k96);
	assert_ptr_equal(start, p);
	assert_true(ksl_slab_object_of(q + 8191, &found, &start));
	assert_ptr_equal(start, q);
	assert_false(ksl_slab_object_of(&stack_obj, &found, &start));
	/* a free object of a remote free is not live */
	kslab_set_cpu(1);
	kmem_cache_free(k8k, q);
	kslab_set_cpu(0);
	assert_false(ksl_slab_object_of(q + 1, &found, &start));
	kmem_cache_free(k96, p);
	assert_true(kslab_slab_pages() > 0);
}

static void test_debug_flag_layout(void **state)
{
	struct kmem_cache *s;

	assert_int_equal(kslab_boot("arch=x86_64 mem=256M nr_cpus=2"), 0);
	/* red zone: 20 rounds to 24 (the padding is the right red zone),
	 * then 8 more after the object and a left pad of 8: 40 */
	s = kmem_cache_create("rz", 20, 0, SLAB_RED_ZONE, NULL);
	assert_int_equal(cache_info_of(s).inuse, 24);
	assert_int_equal(cache_info_of(s).offset, 8);
	assert_int_equal(cache_info_of(s).size, 40);
	/* an object of exactly 24: 8 of red zone added first */
	s = kmem_cache_create("rz24", 24, 0, SLAB_RED_ZONE, NULL);
	assert_int_equal(cache_info_of(s).inuse, 32);
	assert_int_equal(cache_info_of(s).size, 48);
	char *r = kmem_cache_alloc(s, GFP_KERNEL);
	/* objects start after the left red zone */
	assert_int_equal(cache_info_of(s).order, 0);
	assert_int_equal((((uintptr_t)r & 4095) - 8) % 48, 0);
	assert_ptr_equal(ksl_virt_to_cache(r), s);
	kmem_cache_free(s, r);
	/* poison: the free pointer after the object */
	s = kmem_cache_create("poisoned", 64, 0, SLAB_POISON, NULL);
	assert_int_equal(cache_info_of(s).offset, 64);
	assert_int_equal(cache_info_of(s).size, 72);
	assert_true(cache_info_of(s).flags & __OBJECT_POISON);
	/* store user: two struct track */
	s = kmem_cache_create("tracked", 64, 0, SLAB_STORE_USER, NULL);
	assert_int_equal(cache_info_of(s).size, 64 + 64);
	/* none of them merge */
	assert_false(cache_info_of(s).mergeable);
	char *o = kmem_cache_alloc(s, GFP_KERNEL);
	memset(o, 0, 64);
	kmem_cache_free(s, o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_dma32_placement,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_dma_placement,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_normal_placement_above_4g,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_merge_refused_across_dma32,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_slab_nomerge_param,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_gfp_slab_bug_mask,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_ctor_once_per_object,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_bulk_and_zalloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_shrink_returns_pages,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_registered_as_shrinker,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_destroy_with_leaks,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_create, shutdown_teardown),
		cmocka_unit_test_teardown(test_slab_panic_aborts,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_free, shutdown_teardown),
		cmocka_unit_test_teardown(test_slabinfo_layout,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_slabinfo_boot_caches,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_typesafe_by_rcu,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_rcu_across_reboots,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_lookups_for_layers_above,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_debug_flag_layout,
					  shutdown_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
