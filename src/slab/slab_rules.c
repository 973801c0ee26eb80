// SPDX-License-Identifier: MIT
/*
 * The slab layer's rules that differ between the kernel versions kslab
 * knows (kslab.kernel= 6.1, 6.12, 6.18; docs/slab.md, "Kernel versions"):
 * each one a small helper that asks ksl_kernel_before() and names the
 * kernel function it comes from. slab_create.c applies them (the kmalloc
 * request size ones: slub_debug_check.c and kmalloc.c); no file tests
 * the version itself. Boundaries are upstream's where known;
 * only the side of each that 6.1, 6.12 and 6.18 fall on can be booted.
 */
#include "slab/slab_internal.h"

/*
 * What the kernel allocates for a cache, on a 64-bit 6.18 kernel with one
 * node (the reference x86_64 machine's /sys/kernel/slab: kmem_cache 232,
 * kmem_cache_node 72): offsetof(struct kmem_cache, node) plus one node
 * pointer, and struct kmem_cache_node. Before 6.18 both lack the sheaf
 * fields (ksl_slab_rule_kmem_cache_sizes()).
 */
#define KSL_KMEM_CACHE_SIZE 232u
#define KSL_KMEM_CACHE_NODE_SIZE 72u
#define KSL_KMEM_CACHE_SIZE_PRE_SHEAVES 224u
#define KSL_KMEM_CACHE_NODE_SIZE_PRE_SHEAVES 64u

/*
 * mm/slub.c calculate_order(): up to 6.7 it lowered min_objects one by
 * one, trying 1/16, 1/8, 1/4 waste at each, then one object; from 6.8 it
 * keeps the min_objects-derived order and tries 1/16 .. 1/2 waste.
 */
bool ksl_slab_rule_order_min_objects_loop(void)
{
	return ksl_kernel_before(6, 8);
}

/*
 * mm/slab_common.c create_boot_cache(): up to 6.10 every boot cache (the
 * kmalloc ones, kmem_cache, kmem_cache_node) of a power-of-two size is
 * aligned to its size; from 6.11 only kmalloc caches, to the largest
 * power of two dividing the size (kmalloc-96: 32).
 */
unsigned int ksl_slab_rule_boot_cache_align(unsigned int align,
					    unsigned int size,
					    slab_flags_t flags)
{
	if (ksl_kernel_before(6, 11))
		return KSL_IS_POW2(size) ? ksl_max(align, size) : align;
	if (flags & SLAB_KMALLOC)
		return ksl_max(align, 1U << (__builtin_ffs((int)size) - 1));
	return align;
}

/*
 * 6.18's per-CPU sheaves: kmem_cache_args.sheaf_capacity exists from
 * 6.18 on (and keeps a cache from merging); struct kmem_cache gained
 * cpu_sheaves and struct kmem_cache_node its barn pointer.
 */
bool ksl_slab_rule_sheaves(void)
{
	return !ksl_kernel_before(6, 18);
}

void ksl_slab_rule_kmem_cache_sizes(unsigned int *cache, unsigned int *node)
{
	*cache = ksl_slab_rule_sheaves() ? KSL_KMEM_CACHE_SIZE :
					   KSL_KMEM_CACHE_SIZE_PRE_SHEAVES;
	*node = ksl_slab_rule_sheaves() ? KSL_KMEM_CACHE_NODE_SIZE :
					  KSL_KMEM_CACHE_NODE_SIZE_PRE_SHEAVES;
}

/* kmem_cache_args.freeptr_offset (SLAB_TYPESAFE_BY_RCU): from 6.12 on */
bool ksl_slab_rule_freeptr_offset(void)
{
	return !ksl_kernel_before(6, 12);
}

/*
 * calculate_sizes() with SLAB_STORE_USER on a kmalloc cache: the stored
 * request size (orig_size) was an unsigned int in 6.1, an unsigned long
 * by 6.12; and only from then does it move the free pointer out of a red
 * zoned object (slub_debug_orig_size()).
 */
unsigned int ksl_slab_rule_orig_size_bytes(void)
{
	return ksl_kernel_before(6, 12) ? sizeof(unsigned int) :
					  sizeof(unsigned long);
}

bool ksl_slab_rule_orig_size_moves_freeptr(void)
{
	return !ksl_kernel_before(6, 12);
}

/*
 * The request size of a kmalloc object (slub_debug_orig_size()): from
 * 6.2 (extend redzone check to extra allocated kmalloc space) the bytes
 * between it and object_size are a red zone checked as "kmalloc
 * Redzone", poison and __GFP_ZERO stop at it, and ksize() hands the whole
 * object over (skip_orig_size_check()); 6.1 only records it.
 */
bool ksl_slab_rule_kmalloc_redzone(void)
{
	return !ksl_kernel_before(6, 2);
}

/*
 * __do_krealloc(): from 6.14 it keeps the request size (reads orig_size
 * to zero what grows, stores the new size and red-zones past it); before,
 * it asked ksize(), which gives the red zone up.
 */
bool ksl_slab_rule_krealloc_orig_size(void)
{
	return !ksl_kernel_before(6, 14);
}
