/* SPDX-License-Identifier: MIT */
/*
 * The kmalloc layer's state: the booted alignment policy and the table
 * that maps (packed?, type, size index) to the cache that serves it.
 *
 *   ksl_kmalloc_caches[plane][type][index]
 *     plane 0: ordinary requests; plane 1: __GFP_PACKED ones (the same
 *     as plane 0 unless kmalloc.packed is booted)
 *     index:   kmalloc_info[] numbering (1: 96, 2: 192, n: 2^n)
 *
 * Several indexes may share one cache: when the policy's minimum
 * alignment rounds a class up (72 -> 128 under a 64-byte minimum), the
 * smaller index points at the larger class's cache, as the kernel's
 * new_kmalloc_cache() does.
 */
#ifndef KSLAB_KMALLOC_INTERNAL_H
#define KSLAB_KMALLOC_INTERNAL_H

#include <kslab/kmalloc.h>
#include "slab/slab_internal.h"

struct ksl_kmalloc_policy {
	const char *name;
	unsigned int arch_minalign; /* ARCH_KMALLOC_MINALIGN */
	unsigned int min_size;	    /* KMALLOC_MIN_SIZE */
	unsigned int shift_low;	    /* KMALLOC_SHIFT_LOW */
	unsigned int shift_high;    /* KMALLOC_SHIFT_HIGH: PAGE_SHIFT + 1 */
	unsigned int minalign;	    /* __kmalloc_minalign() */
	unsigned int dma_minalign;  /* dma-kmalloc-* */
	unsigned long max_cache_size;
	unsigned long max_size;
	/*
	 * What the inline paths (__kmalloc(), __kmalloc_index_alloc())
	 * serve: max_cache_size and shift_high, or 0 when a normal kmalloc
	 * cache records request sizes (slub_debug U or Z on it): then every
	 * request takes the slow path, which passes the size on, and the
	 * fast paths cost nothing more.
	 */
	unsigned long fast_max_cache_size;
	unsigned int fast_shift_high;
	bool packed;
	bool minalign_forced; /* kmalloc.minalign= (DMA issue): unsafe */
	unsigned char size_index[24]; /* kmalloc_size_index[], patched */
};

extern struct ksl_kmalloc_policy ksl_kmalloc;
extern struct kmem_cache
	*ksl_kmalloc_caches[2][NR_KMALLOC_TYPES][KSLAB_KMALLOC_NR_INDEX];
extern atomic_long ksl_kmalloc_large_pages;
extern struct kmem_cache *ksl_kmem_buckets_cache; /* "kmalloc_buckets" */

/* boot (kmalloc_caches.c) */
extern const struct ksl_param ksl_kmalloc_params[];
void ksl_kmalloc_config_reset(void);
int ksl_kmalloc_validate(void);
int ksl_kmalloc_init(void);
void ksl_kmalloc_shutdown(void);
void ksl_kmalloc_patch_size_index(unsigned char size_index[24],
				  unsigned int min_size);

/* the index of a request of size bytes, or 0 above the caches */
static inline unsigned int ksl_kmalloc_index(size_t size)
{
	if (size <= 192)
		return ksl_kmalloc.size_index[(size - 1) / 8];
	if (size > ksl_kmalloc.max_cache_size)
		return 0;
	return (unsigned int)ksl_fls64(size - 1);
}

static inline struct kmem_cache *ksl_kmalloc_cache(unsigned int index,
						   gfp_t flags)
{
	return ksl_kmalloc_caches[!!(flags & __GFP_PACKED)][kmalloc_type(flags)]
				 [index];
}

/* CONFIG_SLAB_BUCKETS (kmalloc_caches.c rule, kmalloc_buckets.c) */
bool ksl_kmalloc_rule_buckets(void);
int ksl_kmem_buckets_init(void);
void ksl_kmem_buckets_shutdown(void);
/* __do_kmalloc_node(): from the bucket table b, or (NULL) kmalloc's */
void *ksl_kmalloc_buckets(size_t size, struct kmem_cache *const *b, gfp_t flags,
			  unsigned long caller);

/* `kslab show kmalloc` (kmalloc_show.c) */
void ksl_show_kmalloc(FILE *out);

/* large allocations (kmalloc_large.c) */
void *ksl_kmalloc_large(size_t size, gfp_t flags, unsigned long caller);
bool ksl_is_large_kmalloc(const void *p, struct page **head);
void ksl_kfree_large(struct page *head);

#endif /* KSLAB_KMALLOC_INTERNAL_H */
