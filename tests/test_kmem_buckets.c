// SPDX-License-Identifier: MIT
/*
 * CONFIG_SLAB_BUCKETS (src/kmalloc/kmalloc_buckets.c): the two sets a
 * 6.11+ boot makes, against the real Debian arm64 Linux 6.12.117 boot
 * (data/traces/arm64-6.12.117-2G: /sys/kernel/slab and /proc/slabinfo),
 * then the kmem_buckets API on its own: which cache serves a size, what
 * gfp types change (nothing), the page fallback above the caches,
 * kfree()/ksize()/krealloc() of bucket objects, memdup_user() & co.,
 * refused arguments, no merging, and no buckets before 6.11.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "helpers/capture.h"
#include "helpers/kslab_test.h"
#include "trace/slabs_tsv.h"

#ifndef KSLAB_DATADIR
#define KSLAB_DATADIR "data"
#endif
#define REAL612 KSLAB_DATADIR "/traces/arm64-6.12.117-2G"
#define ARM64 "arch=arm64 memmap=2G@1G nr_cpus=2 "
#define X86 "arch=x86_64 mem=512M nr_cpus=2 "

static bool bucket_name(const char *name)
{
	return !strncmp(name, "memdup_user-", 12) ||
	       !strncmp(name, "msg_msg-", 8);
}

/* objects of s in use (exact: CPU caches not counted) */
static unsigned long in_use_of(const char *name)
{
	struct kslab_cache_usage u;

	assert_int_equal(kslab_cache_usage(kslab_find_cache(name), &u), 0);
	return u.in_use;
}

/* ---- the boot's sets against the real 6.12 machine ----------------------- */

/* the bucket rows of a /proc/slabinfo text, in its order (newest first) */
static unsigned int slabinfo_buckets(char *text, char names[][32],
				     unsigned int max)
{
	unsigned int n = 0;
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (sscanf(line, "%63s", name) == 1 && bucket_name(name) &&
		    n < max)
			snprintf(names[n++], 32, "%.31s", name);
	}
	return n;
}

/*
 * Every memdup_user-* and msg_msg-* row of the machine's /sys/kernel/slab:
 * made by the boot, with its object size, slab size, order, objects per
 * slab and alignment (8: no alignment asked), unmerged, no ctor; the
 * msg_msg ones accounted. /proc/slabinfo lists the 26 in the kernel's
 * order: msg_msg (made last) above memdup_user, each set from 8k down to
 * 8, then 192 and 96 (made first).
 */
static void test_boot_sets_match_real_6_12(void **state)
{
	static char ours[26][32], theirs[26][32];
	struct slab_snapshot snap = { 0 };
	unsigned int rows = 0, n_ours, n_theirs;
	char err[256], *text, *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(slabs_tsv_read(REAL612 "/slabs.tsv", &snap, err,
					sizeof(err)),
			 0);
	assert_int_equal(kslab_boot(ARM64 "kslab.kernel=6.12"), 0);
	for (size_t k = 0; k < snap.nr; k++) {
		const struct slab_info *row = &snap.v[k];
		struct kmem_cache *s;
		struct kslab_cache_info i;

		if (!bucket_name(row->name))
			continue;
		rows++;
		s = kslab_find_cache(row->name);
		assert_non_null(s);
		i = cache_info_of(s);
		assert_string_equal(row->link, "");
		assert_int_equal(i.object_size, row->object_size);
		assert_int_equal(i.size, row->slab_size);
		assert_int_equal(i.order, row->order);
		assert_int_equal(i.objs_per_slab, row->objs_per_slab);
		assert_int_equal(i.align, row->align);
		assert_int_equal(i.aliases, 0);
		assert_false(i.mergeable);
		assert_false(i.has_ctor);
		assert_false(i.flags & SLAB_KMALLOC);
		assert_true(i.flags & SLAB_NO_MERGE);
		assert_int_equal(!!(i.flags & SLAB_ACCOUNT),
				 !strncmp(row->name, "msg_msg-", 8));
	}
	assert_int_equal(rows, 26);
	slabs_free(&snap);

	text = slurp(REAL612 "/slabinfo");
	n_theirs = slabinfo_buckets(text, theirs, 26);
	free(text);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	n_ours = slabinfo_buckets(buf, ours, 26);
	free(buf);
	assert_int_equal(n_theirs, 26);
	assert_int_equal(n_ours, 26);
	for (unsigned int i = 0; i < 26; i++)
		assert_string_equal(ours[i], theirs[i]);
	kslab_shutdown();
}

/*
 * The usercopy regions, as the 6.18 x86_64 snapshot shows them
 * (test_slab_tsv.c checks that one): memdup_user-N all N bytes; msg_msg-N
 * the text past the 48-byte struct msg_msg, at most DATALEN_MSG (a page
 * less 48), none where the object is no bigger than the header.
 */
static void test_usercopy_regions(void **state)
{
	static const struct {
		const char *name;
		unsigned int useroffset, usersize;
	} want[] = {
		{ "memdup_user-8", 0, 8 },   { "memdup_user-8k", 0, 8192 },
		{ "memdup_user-96", 0, 96 }, { "msg_msg-32", 0, 0 },
		{ "msg_msg-64", 48, 16 },    { "msg_msg-96", 48, 48 },
		{ "msg_msg-4k", 48, 4048 },  { "msg_msg-8k", 48, 4048 },
	};

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		struct kslab_cache_info i =
			cache_info_of(kslab_find_cache(want[k].name));

		assert_int_equal(i.useroffset, want[k].useroffset);
		assert_int_equal(i.usersize, want[k].usersize);
	}
	kslab_shutdown();
}

/* ---- allocation ---------------------------------------------------------- */

/* the size rounding of kmalloc, in the set's own caches, any gfp type */
static void test_alloc_sizes(void **state)
{
	static const struct {
		size_t size;
		const char *cache;
	} want[] = {
		{ 1, "memdup_user-8" },	    { 8, "memdup_user-8" },
		{ 9, "memdup_user-16" },    { 65, "memdup_user-96" },
		{ 97, "memdup_user-128" },  { 129, "memdup_user-192" },
		{ 193, "memdup_user-256" }, { 4097, "memdup_user-8k" },
		{ 8192, "memdup_user-8k" },
	};
	static const gfp_t gfps[] = { GFP_KERNEL, GFP_KERNEL_ACCOUNT,
				      GFP_KERNEL | __GFP_RECLAIMABLE,
				      GFP_USER | __GFP_NOWARN };
	kmem_buckets *b;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	b = kslab_find_buckets("memdup_user");
	assert_non_null(b);
	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		for (size_t g = 0; g < sizeof(gfps) / sizeof(gfps[0]); g++) {
			struct kmem_cache *s = kslab_find_cache(want[k].cache);
			unsigned long before = cache_info_of(s).active_objs;
			void *p = kmem_buckets_alloc(b, want[k].size, gfps[g]);

			assert_non_null(p);
			assert_ptr_equal(kslab_buckets_slab(b, want[k].size),
					 s);
			assert_int_equal(ksize(p),
					 cache_info_of(s).object_size);
			assert_true(cache_info_of(s).active_objs >= before);
			memset(p, 0xa5, want[k].size);
			kfree(p);
		}
	/* __GFP_ZERO zeroes */
	{
		unsigned char *p = kmem_buckets_alloc(b, 100, GFP_KERNEL);

		memset(p, 0xff, 128);
		kfree(p);
		p = kmem_buckets_alloc(b, 100, GFP_KERNEL | __GFP_ZERO);
		for (int i = 0; i < 100; i++)
			assert_int_equal(p[i], 0);
		kfree(p);
	}
	/* 0 bytes: ZERO_SIZE_PTR, as kmalloc(0) */
	assert_ptr_equal(kmem_buckets_alloc(b, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	kslab_shutdown();
}

/*
 * Above KMALLOC_MAX_CACHE_SIZE a set has no cache: pages, as kmalloc();
 * kmem_buckets_valloc() the same (kslab has no vmalloc); NULL buckets are
 * plain kmalloc() of the flags' type.
 */
static void test_fallbacks(void **state)
{
	struct kslab_kmalloc_info ki;
	kmem_buckets *b;
	void *p, *q;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	b = kslab_find_buckets("msg_msg");
	assert_non_null(b);
	assert_null(kslab_buckets_slab(b, 8193));
	p = kmem_buckets_alloc(b, 8193, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ksize(p), 16384);
	assert_int_equal(kslab_kmalloc_info(&ki), 0);
	assert_int_equal(ki.large_pages, 4);
	q = kmem_buckets_valloc(b, 20000, GFP_KERNEL);
	assert_non_null(q);
	assert_int_equal(ksize(q), 32768);
	kfree(p);
	kfree(q);
	assert_int_equal(kslab_kmalloc_info(&ki), 0);
	assert_int_equal(ki.large_pages, 0);
	/* a set's valloc within the caches is a bucket object */
	p = kmem_buckets_valloc(b, 100, GFP_KERNEL);
	assert_ptr_equal(kslab_buckets_slab(b, 100),
			 kslab_find_cache("msg_msg-128"));
	assert_int_equal(ksize(p), 128);
	kfree(p);
	/* NULL: kmalloc's own table, type by the flags */
	assert_ptr_equal(kslab_buckets_slab(NULL, 100),
			 kslab_find_cache("kmalloc-128"));
	p = kmem_buckets_alloc(NULL, 100, GFP_KERNEL_ACCOUNT);
	assert_non_null(p);
	assert_int_equal(
		cache_info_of(kslab_find_cache("kmalloc-cg-128")).active_objs >
			0,
		1);
	kfree(p);
	kslab_shutdown();
}

/*
 * kfree() frees a bucket object into its own cache; krealloc() keeps it
 * in place while it fits, and a grown copy comes from kmalloc (the
 * kernel's __do_krealloc() knows no buckets).
 */
static void test_kfree_krealloc(void **state)
{
	unsigned long k256;
	kmem_buckets *b;
	char *p, *q;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	b = kslab_find_buckets("memdup_user");
	assert_int_equal(in_use_of("memdup_user-64"), 0);
	p = kmem_buckets_alloc(b, 50, GFP_KERNEL);
	assert_int_equal(in_use_of("memdup_user-64"), 1);
	strcpy(p, "bucket");
	q = krealloc(p, 60, GFP_KERNEL);
	assert_ptr_equal(q, p);
	k256 = in_use_of("kmalloc-256");
	q = krealloc(p, 200, GFP_KERNEL);
	assert_non_null(q);
	assert_string_equal(q, "bucket");
	assert_int_equal(in_use_of("memdup_user-64"), 0);
	assert_int_equal(in_use_of("kmalloc-256"), k256 + 1);
	kfree(q);
	p = kmem_buckets_alloc(b, 64, GFP_KERNEL);
	assert_int_equal(in_use_of("memdup_user-64"), 1);
	kfree(p);
	assert_int_equal(in_use_of("memdup_user-64"), 0);
	kslab_shutdown();
}

/* ---- kmem_buckets_create() ----------------------------------------------- */

static int ctor_runs;

static void count_ctor(void *obj)
{
	(void)obj;
	ctor_runs++;
}

/*
 * A set of one's own: one cache per kmalloc size, named after the kmalloc
 * cache's size suffix, the usercopy region clipped to each object, the
 * flags (SLAB_NO_MERGE added) and the ctor on every cache; unmergeable
 * (a cache of the same geometry stays apart).
 */
static void test_create_own_set(void **state)
{
	static const char *const sizes[] = { "8",   "16",  "32",  "64",	 "96",
					     "128", "192", "256", "512", "1k",
					     "2k",  "4k",  "8k" };
	struct kmem_cache *twin;
	char name[32];
	kmem_buckets *b;
	void *p;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	b = kmem_buckets_create("mine", SLAB_ACCOUNT, 16, 100, count_ctor);
	assert_non_null(b);
	assert_ptr_not_equal(b, ZERO_SIZE_PTR);
	assert_ptr_equal(kslab_find_buckets("mine"), b);
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct kslab_cache_info i;

		snprintf(name, sizeof(name), "mine-%s", sizes[k]);
		i = cache_info_of(kslab_find_cache(name));
		assert_true(i.flags & SLAB_ACCOUNT);
		assert_true(i.has_ctor);
		assert_false(i.mergeable);
		if (i.object_size <= 16) {
			assert_int_equal(i.useroffset, 0);
			assert_int_equal(i.usersize, 0);
		} else {
			assert_int_equal(i.useroffset, 16);
			assert_int_equal(i.usersize,
					 i.object_size - 16 < 100 ?
						 i.object_size - 16 :
						 100);
		}
	}
	p = kmem_buckets_alloc(b, 40, GFP_KERNEL);
	assert_true(ctor_runs > 0);
	assert_ptr_equal(kslab_buckets_slab(b, 40),
			 kslab_find_cache("mine-64"));
	kfree(p);
	twin = kmem_cache_create("twin", 64, 0, 0, NULL);
	assert_non_null(twin);
	assert_ptr_not_equal(twin, kslab_find_cache("memdup_user-64"));
	assert_int_equal(
		cache_info_of(kslab_find_cache("memdup_user-64")).aliases, 0);
	kmem_cache_destroy(twin);
	kslab_shutdown();
}

/*
 * arm64 without a swiotlb buffer: a 64-byte kmalloc minimum, so the
 * kmalloc table's 8 .. 32 and 96 are served by kmalloc-64 and -128; the
 * set has no cache below 64 and no 96, and index 1 (96) made its 128
 * cache first, as kmem_buckets_create() walks the table from index 0.
 */
static void test_minalign_64(void **state)
{
	static const char *const order[] = {
		"memdup_user-8k", "memdup_user-4k",  "memdup_user-2k",
		"memdup_user-1k", "memdup_user-512", "memdup_user-256",
		"memdup_user-64", "memdup_user-192", "memdup_user-128"
	};
	static char ours[26][32];
	char *buf = NULL;
	size_t len = 0;
	kmem_buckets *b;
	unsigned int n;
	FILE *f;

	(void)state;
	assert_int_equal(kslab_boot(ARM64 "swiotlb=noforce kslab.kernel=6.12"),
			 0);
	assert_null(kslab_find_cache("memdup_user-8"));
	assert_null(kslab_find_cache("memdup_user-96"));
	b = kslab_find_buckets("memdup_user");
	assert_ptr_equal(kslab_buckets_slab(b, 1),
			 kslab_find_cache("memdup_user-64"));
	assert_ptr_equal(kslab_buckets_slab(b, 72),
			 kslab_find_cache("memdup_user-128"));
	f = open_memstream(&buf, &len);
	assert_int_equal(kslab_show("slabinfo", f), 0);
	fclose(f);
	n = slabinfo_buckets(buf, ours, 26);
	free(buf);
	assert_int_equal(n, 18);
	for (unsigned int i = 0; i < 9; i++)
		assert_string_equal(ours[9 + i], order[i]);
	kslab_shutdown();
}

/* NULL or empty names and pointers that are no kmem_buckets: refused */
static void test_bad_arguments(void **state)
{
	kmem_buckets *b;
	const char *msg;
	void *p;
	int on_stack;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	capture_start();
	b = kmem_buckets_create(NULL, 0, 0, 0, NULL);
	msg = capture_stop();
	assert_null(b);
	assert_non_null(
		strstr(msg, "kmem_buckets_create(): a name is required"));
	capture_start();
	assert_null(kmem_buckets_create("", 0, 0, 0, NULL));
	capture_stop();
	assert_null(kslab_find_buckets(NULL));
	assert_null(kslab_find_buckets("no such set"));

	/* a kmalloc object and a stack address are no kmem_buckets */
	p = kmalloc(112, GFP_KERNEL);
	capture_start();
	assert_null(kmem_buckets_alloc((kmem_buckets *)p, 16, GFP_KERNEL));
	msg = capture_stop();
	assert_non_null(strstr(msg, "BUG: kmem_buckets_alloc("));
	assert_non_null(strstr(msg, "not a kmem_buckets; NULL returned"));
	capture_start();
	assert_null(
		kmem_buckets_alloc((kmem_buckets *)&on_stack, 16, GFP_KERNEL));
	assert_null(kslab_buckets_slab((kmem_buckets *)&on_stack, 16));
	msg = capture_stop();
	assert_non_null(strstr(msg, "not a kmem_buckets"));
	kfree(p);
	kslab_shutdown();
}

/* ---- mm/util.c's users --------------------------------------------------- */

static void test_memdup_user(void **state)
{
	static const char text[] = "hello, buckets";
	char *p;

	(void)state;
	assert_int_equal(kslab_boot(X86), 0);
	p = memdup_user(text, sizeof(text));
	assert_false(IS_ERR(p));
	assert_string_equal(p, text);
	assert_int_equal(ksize(p), 16);
	assert_int_equal(in_use_of("memdup_user-16"), 1);
	kfree(p);
	assert_ptr_equal(memdup_user(NULL, 4), ERR_PTR(-EFAULT));
	assert_ptr_equal(memdup_user(text, 0), ZERO_SIZE_PTR);

	p = vmemdup_user(text, 5);
	assert_false(IS_ERR(p));
	assert_int_equal(memcmp(p, text, 5), 0);
	kvfree(p);

	/* strndup_user: n counts the NUL; too long is -EINVAL */
	p = strndup_user(text, 64);
	assert_false(IS_ERR(p));
	assert_string_equal(p, text);
	assert_int_equal(in_use_of("memdup_user-16"), 1);
	kfree(p);
	assert_ptr_equal(strndup_user(text, 5), ERR_PTR(-EINVAL));
	assert_ptr_equal(strndup_user(NULL, 5), ERR_PTR(-EFAULT));
	assert_ptr_equal(strndup_user(text, 0), ERR_PTR(-EFAULT));
	assert_int_equal(PTR_ERR(strndup_user(text, 5)), -EINVAL);

	/* memdup_user_nul: kmalloc, NUL-terminated */
	p = memdup_user_nul(text, 5);
	assert_false(IS_ERR(p));
	assert_string_equal(p, "hello");
	assert_int_equal(in_use_of("memdup_user-8"), 0);
	kfree(p);
	assert_true(IS_ERR_OR_NULL(NULL));
	kslab_shutdown();
}

/* Linux 6.1: no CONFIG_SLAB_BUCKETS; every call is a kmalloc() */
static void test_none_before_6_11(void **state)
{
	kmem_buckets *b;
	char *p;

	(void)state;
	assert_int_equal(kslab_boot(X86 "kslab.kernel=6.1"), 0);
	assert_null(kslab_find_buckets("memdup_user"));
	assert_null(kslab_find_cache("msg_msg-64"));
	b = kmem_buckets_create("mine", 0, 0, 64, NULL);
	assert_ptr_equal(b, ZERO_SIZE_PTR);
	assert_null(kslab_find_cache("mine-64"));
	assert_ptr_equal(kslab_buckets_slab(b, 50),
			 kslab_find_cache("kmalloc-64"));
	p = kmem_buckets_alloc(b, 50, GFP_KERNEL);
	assert_non_null(p);
	assert_true(in_use_of("kmalloc-64") >= 1);
	kfree(p);
	p = memdup_user("abc", 4);
	assert_false(IS_ERR(p));
	assert_int_equal(ksize(p), 8);
	kfree(p);
	kslab_shutdown();
}

/* ---- kslab replay --------------------------------------------------------- */

#define EV \
	"  t-1 [000] ..... 1.%06u: kmalloc: call_site=%s ptr=ffff0000%08x bytes_req=%u bytes_alloc=%u gfp_flags=%s node=-1 accounted=%s\n"

/*
 * Which kmalloc events of a trace go through a set: by the call site's
 * function, as the kernel's source allocates. alloc_msg's first site is
 * its struct msg_msg (msg_msg buckets), its other one a segment
 * (kmalloc); strndup_user (a compiler suffix too) and memdup_user are the
 * memdup_user buckets; anything else, and every event under 6.1, kmalloc.
 */
static void test_replay_sites(void **state)
{
	static const struct {
		const char *site, *gfp, *acc;
		unsigned int req, alloc;
	} ev[] = {
		{ "alloc_msg+0x40/0x130", "GFP_KERNEL_ACCOUNT", "true", 4096,
		  4096 },
		{ "alloc_msg+0xa8/0x130", "GFP_KERNEL_ACCOUNT", "true", 108,
		  128 },
		{ "alloc_msg+0x40/0x130", "GFP_KERNEL_ACCOUNT", "true", 100,
		  128 },
		{ "strndup_user.part.0+0x5c/0xa0", "GFP_USER|__GFP_NOWARN",
		  "false", 9, 16 },
		{ "memdup_user+0x30/0x90", "GFP_USER|__GFP_NOWARN", "false",
		  300, 512 },
		{ "memdup_user_nul+0x30/0x90", "GFP_KERNEL", "false", 9, 16 },
		{ "alloc_msgs+0x30/0x90", "GFP_KERNEL", "false", 9, 16 },
	};
	char path[] = "/tmp/kslab-buckets-XXXXXX", args[256];
	int status, fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char *out;

	(void)state;
	assert_non_null(f);
	for (unsigned int i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
		fprintf(f, EV, i, ev[i].site, 0x1000 * (i + 1), ev[i].req,
			ev[i].alloc, ev[i].gfp, ev[i].acc);
	fclose(f);
	snprintf(args, sizeof(args),
		 "%s --policy x86_64 --kernel-version 6.12 --format json "
		 "--sites 0",
		 path);
	out = run_replay(args, &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"kmem_buckets_objects\": 4"));
	assert_non_null(strstr(out, "\"bytes_alloc_mismatches\": 0"));
	free(out);
	snprintf(args, sizeof(args),
		 "%s --policy x86_64 --kernel-version 6.1 --format json "
		 "--sites 0",
		 path);
	out = run_replay(args, &status);
	assert_int_equal(status, 0);
	assert_non_null(strstr(out, "\"kmem_buckets_objects\": 0"));
	free(out);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_boot_sets_match_real_6_12,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_usercopy_regions,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_alloc_sizes, shutdown_teardown),
		cmocka_unit_test_teardown(test_fallbacks, shutdown_teardown),
		cmocka_unit_test_teardown(test_kfree_krealloc,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_create_own_set,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_minalign_64, shutdown_teardown),
		cmocka_unit_test_teardown(test_bad_arguments,
					  shutdown_teardown),
		cmocka_unit_test_teardown(test_memdup_user, shutdown_teardown),
		cmocka_unit_test_teardown(test_none_before_6_11,
					  shutdown_teardown),
		cmocka_unit_test(test_replay_sites),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
