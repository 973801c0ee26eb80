// SPDX-License-Identifier: MIT
/*
 * Every cache of a live Linux 6.18 x86_64 machine (2 CPUs), from its
 * /sys/kernel/slab: recreated here with its object size, alignment and
 * flags, each must get the kernel's slab_size, order and objs_per_slab,
 * and every name the kernel merged into a cache (the rows whose link is
 * a unique id) must merge into the cache with that unique id here.
 *
 * The caches the kernel merged are the rows named by a unique id; they
 * are created first (with the largest object size among their aliases,
 * which is what sysfs shows), then the aliases. Flags come from the
 * attributes and from the letters of the unique id (A: SLAB_ACCOUNT).
 * kmalloc-* caches are created as kmalloc caches. The caches the boot
 * itself makes (kmem_cache, kmem_cache_node, kmalloc_buckets, the
 * memdup_user-* and msg_msg-* buckets) are not created again: the booted ones are checked, and must be as the
 * kernel's (geometry, flags, unmergeable, no alias).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kslab/kslab.h>
#include "slab/slab_internal.h"

#ifndef KSLAB_TEST_DATADIR
#define KSLAB_TEST_DATADIR "tests/data"
#endif
#define TSV KSLAB_TEST_DATADIR "/real-kernel/sys-kernel-slab.tsv"

struct row {
	char name[64], link[32], ctor[96];
	unsigned int object_size, slab_size, align, order, objs;
	int hwcache, dma, reclaim, rcu, poison, red_zone, store_user, sanity;
	unsigned int aliases, usersize;
};

static void dummy_ctor(void *obj)
{
	(void)obj;
}

static int parse_row(char *line, struct row *r)
{
	char *f[20];
	int n = 0;

	for (char *p = line; n < 20; n++) {
		f[n] = p;
		p = strchr(p, '\t');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n < 18)
		return -1;
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", f[0]);
	snprintf(r->link, sizeof(r->link), "%s", f[1]);
	r->object_size = atoi(f[2]);
	r->slab_size = atoi(f[3]);
	r->align = atoi(f[4]);
	r->order = atoi(f[5]);
	r->objs = atoi(f[6]);
	r->hwcache = atoi(f[7]);
	r->dma = atoi(f[8]);
	r->reclaim = atoi(f[9]);
	r->rcu = atoi(f[10]);
	snprintf(r->ctor, sizeof(r->ctor), "%s", f[11]);
	r->poison = atoi(f[12]);
	r->red_zone = atoi(f[13]);
	r->store_user = atoi(f[14]);
	r->sanity = atoi(f[15]);
	r->aliases = atoi(f[16]);
	r->usersize = atoi(f[17]);
	return 0;
}

/* flag letters of a unique id ":dDaFA-0000128" */
static slab_flags_t id_flags(const char *id)
{
	slab_flags_t flags = 0;

	if (id[0] != ':')
		return 0;
	for (const char *p = id + 1; *p && *p != '-' && (*p < '0' || *p > '9');
	     p++) {
		if (*p == 'd')
			flags |= SLAB_CACHE_DMA;
		else if (*p == 'D')
			flags |= SLAB_CACHE_DMA32;
		else if (*p == 'a')
			flags |= SLAB_RECLAIM_ACCOUNT;
		else if (*p == 'F')
			flags |= SLAB_CONSISTENCY_CHECKS;
		else if (*p == 'A')
			flags |= SLAB_ACCOUNT;
	}
	return flags;
}

static slab_flags_t row_flags(const struct row *r)
{
	slab_flags_t flags = id_flags(r->link[0] ? r->link : r->name);

	if (r->hwcache)
		flags |= SLAB_HWCACHE_ALIGN;
	if (r->dma)
		flags |= SLAB_CACHE_DMA;
	if (r->reclaim)
		flags |= SLAB_RECLAIM_ACCOUNT;
	if (r->rcu)
		flags |= SLAB_TYPESAFE_BY_RCU;
	if (r->poison)
		flags |= SLAB_POISON;
	if (r->red_zone)
		flags |= SLAB_RED_ZONE;
	if (r->store_user)
		flags |= SLAB_STORE_USER;
	if (r->sanity)
		flags |= SLAB_CONSISTENCY_CHECKS;
	return flags;
}

static bool is_kmalloc(const char *name, slab_flags_t *flags)
{
	if (!strncmp(name, "kmalloc-rcl-", 12))
		*flags = SLAB_RECLAIM_ACCOUNT;
	else if (!strncmp(name, "kmalloc-cg-", 11))
		*flags = SLAB_ACCOUNT;
	else if (!strncmp(name, "dma-kmalloc-", 12))
		*flags = SLAB_CACHE_DMA;
	else if (!strncmp(name, "kmalloc-", 8) && name[8] >= '0' &&
		 name[8] <= '9')
		*flags = 0;
	else
		return false;
	return true;
}

/* the caches kslab_boot() makes, as the kernel's kmem_cache_init() */
static const char *const boot_caches[] = { "kmem_cache", "kmem_cache_node",
					   "kmalloc_buckets" };

static bool is_boot_cache(const char *name)
{
	/* the kmem_buckets of mm/util.c and ipc/msgutil.c (6.11 on) */
	if (!strncmp(name, "memdup_user-", 12) || !strncmp(name, "msg_msg-", 8))
		return true;
	for (size_t i = 0; i < sizeof(boot_caches) / sizeof(boot_caches[0]);
	     i++)
		if (!strcmp(name, boot_caches[i]))
			return true;
	return false;
}

static struct kmem_cache *create_row(const struct row *r)
{
	slab_flags_t kflags;

	if (is_boot_cache(r->name))
		return kslab_find_cache(r->name);

	if (is_kmalloc(r->name, &kflags))
		return ksl_create_kmalloc_cache(r->name, r->object_size, kflags,
						0, r->usersize, 8);
	struct kmem_cache_args args = {
		.align = r->align,
		.usersize = r->usersize,
		.ctor = r->ctor[0] ? dummy_ctor : NULL,
	};
	/* 6.18 gives these two per-CPU sheaves, which keeps them unmerged */
	if (!strcmp(r->name, "maple_node") ||
	    !strcmp(r->name, "vm_area_struct"))
		args.sheaf_capacity = 32;
	/* the kernel caches that keep the free pointer inside the object
	 * under RCU (freeptr_offset) show it as no growth of slab_size */
	if (r->rcu && !r->ctor[0] &&
	    r->slab_size ==
		    ((r->object_size + r->align - 1) & ~(r->align - 1))) {
		args.use_freeptr_offset = true;
		args.freeptr_offset = 0;
	}
	return kmem_cache_create_args(r->name, r->object_size, &args,
				      row_flags(r));
}

struct tally {
	unsigned int rows, slab_size, order, objs, align, merged, merge_rows;
};

static void check_row(const struct row *r, struct kmem_cache *s,
		      struct tally *t)
{
	struct kslab_cache_info i;

	t->rows++;
	if (!s) {
		printf("MISMATCH %s: not created\n", r->name);
		return;
	}
	assert_int_equal(kslab_cache_info(s, &i), 0);
	t->slab_size += i.size == r->slab_size;
	t->order += i.order == r->order;
	t->objs += i.objs_per_slab == r->objs;
	t->align += i.align == r->align;
	if (i.size != r->slab_size || i.order != r->order ||
	    i.objs_per_slab != r->objs || i.align != r->align)
		printf("MISMATCH %s: size %u/%u order %u/%u objs %u/%u align %u/%u\n",
		       r->name, i.size, r->slab_size, i.order, r->order,
		       i.objs_per_slab, r->objs, i.align, r->align);
	if (r->link[0]) {
		t->merge_rows++;
		if (!strcmp(i.unique_id, r->link))
			t->merged++;
		else
			printf("MISMATCH %s: merged into %s, kernel %s\n",
			       r->name, i.unique_id, r->link);
	}
}

static void test_tsv_geometry_and_merging(void **state)
{
	static struct row rows[600];
	char line[512];
	FILE *f = fopen(TSV, "r");
	struct tally t = { 0 };
	int nr = 0;

	assert_non_null(f);
	assert_int_equal(kslab_boot("arch=x86_64 mem=2G nr_cpus=2"), 0);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f) && nr < 600) {
		line[strcspn(line, "\n")] = '\0';
		if (!parse_row(line, &rows[nr]))
			nr++;
	}
	fclose(f);
	assert_int_equal(nr, 423);
	/* the caches first, then the names merged into them */
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < nr; k++) {
			const struct row *r = &rows[k];

			if (!!r->link[0] != pass)
				continue;
			check_row(r, create_row(r), &t);
		}
	printf("TSV match: slab_size %u/%u, order %u/%u, objs_per_slab %u/%u, align %u/%u, merges %u/%u\n",
	       t.slab_size, t.rows, t.order, t.rows, t.objs, t.rows, t.align,
	       t.rows, t.merged, t.merge_rows);
	assert_int_equal(t.rows, 423);
	assert_int_equal(t.slab_size, t.rows);
	assert_int_equal(t.order, t.rows);
	assert_int_equal(t.objs, t.rows);
	assert_int_equal(t.align, t.rows);
	assert_int_equal(t.merge_rows, 191);
	assert_int_equal(t.merged, t.merge_rows);
	kslab_shutdown();
}

/*
 * The three boot caches and the 26 kmem_buckets caches against their TSV
 * rows, field by field: sizes, order, objects, alignment, hwcache_align,
 * aliases 0, usersize (0, the whole object for memdup_user-*, the text
 * past struct msg_msg for msg_msg-*), no ctor; and what the kernel's
 * flags make of them: never merged.
 */
static void test_tsv_boot_caches(void **state)
{
	char line[512];
	FILE *f = fopen(TSV, "r");
	unsigned int found = 0;

	assert_non_null(f);
	assert_int_equal(kslab_boot("arch=x86_64 mem=2G nr_cpus=2"), 0);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		struct kslab_cache_info i;
		struct kmem_cache *s;
		struct row r;

		line[strcspn(line, "\n")] = '\0';
		if (parse_row(line, &r) || !is_boot_cache(r.name))
			continue;
		found++;
		s = kslab_find_cache(r.name);
		assert_non_null(s);
		assert_int_equal(kslab_cache_info(s, &i), 0);
		printf("%-16s object_size %u/%u slab_size %u/%u align %u/%u order %u/%u objs %u/%u\n",
		       r.name, i.object_size, r.object_size, i.size,
		       r.slab_size, i.align, r.align, i.order, r.order,
		       i.objs_per_slab, r.objs);
		assert_string_equal(r.link, "");
		assert_int_equal(i.object_size, r.object_size);
		assert_int_equal(i.size, r.slab_size);
		assert_int_equal(i.align, r.align);
		assert_int_equal(i.order, r.order);
		assert_int_equal(i.objs_per_slab, r.objs);
		assert_int_equal(!!(i.flags & SLAB_HWCACHE_ALIGN), r.hwcache);
		assert_int_equal(!!(i.flags & SLAB_CACHE_DMA), r.dma);
		assert_int_equal(!!(i.flags & SLAB_RECLAIM_ACCOUNT), r.reclaim);
		assert_int_equal(!!(i.flags & SLAB_TYPESAFE_BY_RCU), r.rcu);
		assert_int_equal(i.aliases, r.aliases);
		assert_int_equal(i.usersize, r.usersize);
		assert_int_equal(i.has_ctor, r.ctor[0] != '\0');
		assert_false(i.mergeable);
		/* a cache of the same geometry does not merge into it */
		struct kmem_cache *twin = kmem_cache_create(
			"twin", r.object_size, 0,
			i.flags & (SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT), NULL);
		assert_non_null(twin);
		assert_ptr_not_equal(twin, s);
		kmem_cache_destroy(twin);
	}
	fclose(f);
	/* and 13 buckets each of memdup_user and msg_msg */
	assert_int_equal(found, 3 + 2 * 13);
	kslab_shutdown();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tsv_geometry_and_merging),
		cmocka_unit_test(test_tsv_boot_caches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
