// SPDX-License-Identifier: MIT
/*
 * `kslab show kmalloc`: the booted alignment policy and, for each size
 * class index, the cache every type serves it from (a smaller class
 * pointing at a larger cache is the policy's rounding, as
 * new_kmalloc_cache() sets it up).
 *
 *   policy arm64-noswiotlb: ARCH_KMALLOC_MINALIGN 8, KMALLOC_MIN_SIZE 8, ...
 *   class    normal          rcl              cg              dma
 *   8        kmalloc-64      kmalloc-rcl-64   kmalloc-cg-64   dma-kmalloc-128
 *
 * From Linux 6.11 (CONFIG_SLAB_BUCKETS) the same for the kmem_buckets
 * sets the boot makes (memdup_user, msg_msg): the bucket each class is
 * served from, as kmem_buckets_alloc() picks it.
 *
 *   kmem_buckets:
 *   class    memdup_user        msg_msg
 *   8        memdup_user-64     msg_msg-64
 */
#include <stdio.h>
#include "kmalloc/kmalloc_internal.h"

static const char *cache_name(struct kmem_cache *s)
{
	struct kslab_cache_info ci;

	return s && !kslab_cache_info(s, &ci) ? ci.name : "-";
}

/* the boot's kmem_buckets sets (kmalloc_buckets.c), in creation order */
static const char *const boot_buckets[] = { "memdup_user", "msg_msg" };

static unsigned long class_size(unsigned int idx)
{
	return idx == 1 ? 96 : idx == 2 ? 192 : 1UL << idx;
}

static void show_class(FILE *out, int plane, unsigned int idx)
{
	unsigned long size = class_size(idx);

	fprintf(out, "%-8lu %-18s %-18s %-18s %-18s\n", size,
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_NORMAL][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_RECLAIM][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_CGROUP][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_DMA][idx]));
}

/* the classes in size order: 8 .. 64, 96, 128, 192, 256 .. two pages */
static const unsigned int small[] = { 3, 4, 5, 6, 1, 7, 2 };
#define NR_SMALL (sizeof(small) / sizeof(small[0]))

static unsigned int nr_classes(void)
{
	return NR_SMALL + ksl_kmalloc.shift_high + 1 - 8;
}

static unsigned int class_index(unsigned int k)
{
	return k < NR_SMALL ? small[k] : 8 + (unsigned int)(k - NR_SMALL);
}

static void show_plane(FILE *out, int plane)
{
	fprintf(out, "%-8s %-18s %-18s %-18s %-18s\n", "class", "normal",
		"reclaimable", "cgroup", "dma");
	for (unsigned int k = 0; k < nr_classes(); k++)
		show_class(out, plane, class_index(k));
}

/* 6.11 on: the bucket of each boot set that serves each class */
static void show_buckets(FILE *out)
{
	kmem_buckets *b[sizeof(boot_buckets) / sizeof(boot_buckets[0])];
	const unsigned int nr = sizeof(b) / sizeof(b[0]);

	if (!ksl_kmalloc_rule_buckets())
		return;
	fprintf(out, "\nkmem_buckets:\n%-8s", "class");
	for (unsigned int i = 0; i < nr; i++) {
		b[i] = kslab_find_buckets(boot_buckets[i]);
		fprintf(out, " %-18s", boot_buckets[i]);
	}
	fputc('\n', out);
	for (unsigned int k = 0; k < nr_classes(); k++) {
		unsigned long size = class_size(class_index(k));

		fprintf(out, "%-8lu", size);
		for (unsigned int i = 0; i < nr; i++)
			fprintf(out, " %-18s",
				cache_name(
					b[i] ? kslab_buckets_slab(b[i], size) :
					       NULL));
		fputc('\n', out);
	}
}

void ksl_show_kmalloc(FILE *out)
{
	const struct ksl_kmalloc_policy *p = &ksl_kmalloc;

	fprintf(out, "kernel rules: Linux %u.%u (kslab.kernel=)\n",
		ksl_mm.kernel / 100, ksl_mm.kernel % 100);
	fprintf(out,
		"policy %s: ARCH_KMALLOC_MINALIGN %u, KMALLOC_MIN_SIZE %u, "
		"minimum alignment %u, dma-kmalloc alignment %u\n",
		p->name, p->arch_minalign, p->min_size, p->minalign,
		p->dma_minalign);
	fprintf(out,
		"KMALLOC_MAX_CACHE_SIZE %lu, KMALLOC_MAX_SIZE %lu, "
		"large kmalloc pages in use %ld\n",
		p->max_cache_size, p->max_size,
		(long)atomic_load(&ksl_kmalloc_large_pages));
	show_plane(out, 0);
	if (p->packed) {
		fprintf(out, "\n__GFP_PACKED requests:\n");
		show_plane(out, 1);
	}
	show_buckets(out);
}
