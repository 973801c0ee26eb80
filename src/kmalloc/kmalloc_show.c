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
 */
#include <stdio.h>
#include "kmalloc/kmalloc_internal.h"

static const char *cache_name(struct kmem_cache *s)
{
	struct kslab_cache_info ci;

	return s && !kslab_cache_info(s, &ci) ? ci.name : "-";
}

static void show_class(FILE *out, int plane, unsigned int idx)
{
	unsigned long size = idx == 1 ? 96 : idx == 2 ? 192 : 1UL << idx;

	fprintf(out, "%-8lu %-18s %-18s %-18s %-18s\n", size,
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_NORMAL][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_RECLAIM][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_CGROUP][idx]),
		cache_name(ksl_kmalloc_caches[plane][KMALLOC_DMA][idx]));
}

/* the classes in size order: 8 .. 64, 96, 128, 192, 256 .. two pages */
static void show_plane(FILE *out, int plane)
{
	static const unsigned int small[] = { 3, 4, 5, 6, 1, 7, 2 };

	fprintf(out, "%-8s %-18s %-18s %-18s %-18s\n", "class", "normal",
		"reclaimable", "cgroup", "dma");
	for (unsigned int k = 0; k < sizeof(small) / sizeof(small[0]); k++)
		show_class(out, plane, small[k]);
	for (unsigned int idx = 8; idx <= ksl_kmalloc.shift_high; idx++)
		show_class(out, plane, idx);
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
}
