/* SPDX-License-Identifier: MIT */
/*
 * A stand-in for the kernel's tools/include as the radix-tree suite sees
 * it (tools/include/linux/{types,gfp,slab}.h, 6.12): the definitions that
 * clash with kslab's kernel-named headers. Written from those headers'
 * interface; the real ones are used by compat/kernel-testing/run.sh.
 */
#ifndef KERNEL_TOOLS_LIKE_H
#define KERNEL_TOOLS_LIKE_H

#include <stddef.h>
#include <stdbool.h>

typedef unsigned long long u64;
typedef u64 phys_addr_t;
typedef unsigned int gfp_t;

#define ___GFP_ZERO 0x100u
#define ___GFP_DIRECT_RECLAIM 0x400u
#define ___GFP_KSWAPD_RECLAIM 0x800u
#define __GFP_ZERO ((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM ((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM ((gfp_t)___GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM | 0xc0u)

#define SLAB_PANIC 2
#define SLAB_RECLAIM_ACCOUNT 0x00020000UL

struct kmem_cache;
struct list_lru;

void *kmalloc(size_t size, gfp_t gfp);
void kfree(void *p);
void *__kmalloc(size_t size, gfp_t gfp);
static inline void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}
void *kmem_cache_alloc_lru(struct kmem_cache *cachep, struct list_lru *,
			   int flags);
void *kmem_cache_alloc(struct kmem_cache *cachep, int flags);
void kmem_cache_free(struct kmem_cache *cachep, void *objp);
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *));
unsigned int kmem_cache_size(struct kmem_cache *cachep);
void kmem_cache_free_bulk(struct kmem_cache *cachep, size_t size, void **list);
int kmem_cache_alloc_bulk(struct kmem_cache *cachep, gfp_t gfp, size_t size,
			  void **list);

#endif
