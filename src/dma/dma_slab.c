// SPDX-License-Identifier: MIT
/*
 * The questions the DMA layer asks the slab and kmalloc layers, in one
 * place: which object an address falls in (for victim reports and
 * shared-line detection), whether a page holds slab objects at all,
 * whether an object was allocated __GFP_PACKED, and the booted kmalloc
 * policy (for the 6.5 bounce rule, whose size test is tabulated here at
 * boot for every size it applies to: kmalloc_size_roundup() is fixed
 * once kmalloc has booted, and the DMA layer boots after it).
 *
 * A packed object: under kmalloc.packed, __GFP_PACKED requests come from
 * the 8-aligned kmalloc caches whose object size is not a multiple of
 * ARCH_KMALLOC_MINALIGN (kmalloc-8 .. -64, -96, -192); ordinary requests
 * never use those caches (they start at kmalloc-128), so the cache alone
 * tells. kmalloc-128 and up are shared by both and are DMA-safe.
 */
#include <string.h>
#include "dma/dma_internal.h"
#include "kmalloc/kmalloc_internal.h"

bool ksl_dma_obj_lookup(const void *addr, struct ksl_dma_obj *o)
{
	struct kmem_cache *s = NULL;
	void *start = NULL;
	bool allocated;

	if (!ksl_virt_to_slab(addr))
		return false;
	allocated = ksl_slab_object_of(addr, &s, &start);
	if (!s || !start)
		return false;
	o->cache = s->name;
	o->start = start;
	o->object_size = s->object_size;
	o->stride = s->size;
	o->flags = s->flags;
	o->allocated = allocated;
	/* the object's own bytes only: padding and metadata are no one's */
	return (const char *)addr < (const char *)start + s->object_size;
}

/* is addr in a slab's page? (no: no address of that page is an object) */
bool ksl_dma_in_slab_page(const void *addr)
{
	return ksl_virt_to_slab(addr) != NULL;
}

bool ksl_dma_obj_is_packed(const struct ksl_dma_obj *o)
{
	unsigned int m = ksl_dma.arch_kmalloc_minalign;

	return ksl_dma.packed_policy && (o->flags & SLAB_KMALLOC) &&
	       !(o->flags & SLAB_CACHE_DMA) && m && (o->object_size % m);
}

size_t ksl_dma_kmalloc_size_roundup(size_t size)
{
	return kmalloc_size_roundup(size);
}

/* read the booted policy once, at the DMA layer's init */
void ksl_dma_policy_init(void)
{
	const struct ksl_arch *a = ksl_mm.arch;

	/* dma_get_cache_alignment(): arm64's cache_line_size(), else 1 */
	ksl_dma.cache_align = a->dma_minalign ? a->cache_line : 1;
	ksl_dma.dma_minalign = a->dma_minalign;
	ksl_dma.packed_policy = ksl_kmalloc.packed;
	ksl_dma.arch_kmalloc_minalign = ksl_kmalloc.arch_minalign;
	/*
	 * CONFIG_DMA_BOUNCE_UNALIGNED_KMALLOC: arm64 from 6.5 on. The legacy
	 * policies predate it; the kmalloc.minalign= override stands for a
	 * kernel whose small kmalloc caches are believed DMA-safe.
	 */
	ksl_dma.bounce_kmalloc = a->dma_minalign && !ksl_kmalloc.packed &&
				 ksl_kmalloc.arch_minalign < a->dma_minalign &&
				 !ksl_kmalloc.minalign_forced;
	/* the rule's size test, once per size it can apply to */
	ksl_dma.bounce_small_n = 0;
	if (ksl_dma.bounce_kmalloc &&
	    2 * (size_t)a->dma_minalign <= KSL_DMA_BOUNCE_TABLE) {
		for (size_t n = 0; n < 2 * (size_t)a->dma_minalign; n++)
			ksl_dma.bounce_small[n] =
				ksl_dma_kmalloc_size_bounces(n);
		ksl_dma.bounce_small_n = 2 * (size_t)a->dma_minalign;
	}
}
