// SPDX-License-Identifier: MIT
/*
 * The kslab_ names of <kslab/prefixed.h>: each is the kernel-named call
 * it wraps. The shared library is linked with -Bsymbolic-functions, so
 * these calls (and every call inside the library) reach kslab's own
 * functions whatever the program defines. The flag values the header
 * spells out are checked against the kernel-named headers here.
 */
#include <kslab/kslab.h>

#define SAME(a, b) _Static_assert((a) == (b), #a " == " #b)
SAME(KSLAB___GFP_DMA, __GFP_DMA);
SAME(KSLAB___GFP_HIGH, __GFP_HIGH);
SAME(KSLAB___GFP_IO, __GFP_IO);
SAME(KSLAB___GFP_FS, __GFP_FS);
SAME(KSLAB___GFP_ZERO, __GFP_ZERO);
SAME(KSLAB___GFP_DIRECT_RECLAIM, __GFP_DIRECT_RECLAIM);
SAME(KSLAB___GFP_KSWAPD_RECLAIM, __GFP_KSWAPD_RECLAIM);
SAME(KSLAB___GFP_NOWARN, __GFP_NOWARN);
SAME(KSLAB___GFP_NOFAIL, __GFP_NOFAIL);
SAME(KSLAB_GFP_KERNEL, GFP_KERNEL);
SAME(KSLAB_GFP_NOWAIT, GFP_NOWAIT);
SAME(KSLAB_GFP_ATOMIC, GFP_ATOMIC);
SAME(KSLAB_SLAB_HWCACHE_ALIGN, SLAB_HWCACHE_ALIGN);
SAME(KSLAB_SLAB_PANIC, SLAB_PANIC);
SAME(KSLAB_SLAB_TYPESAFE_BY_RCU, SLAB_TYPESAFE_BY_RCU);
SAME(KSLAB_SLAB_NO_MERGE, SLAB_NO_MERGE);
SAME(KSLAB_SLAB_ACCOUNT, SLAB_ACCOUNT);
SAME(KSLAB_SLAB_RECLAIM_ACCOUNT, SLAB_RECLAIM_ACCOUNT);
_Static_assert(sizeof(kslab_gfp_t) == sizeof(gfp_t), "gfp_t");

struct kmem_cache *kslab_kmem_cache_create(const char *name, unsigned int size,
					   unsigned int align,
					   kslab_slab_flags_t flags,
					   void (*ctor)(void *))
{
	return kmem_cache_create(name, size, align, flags, ctor);
}

void kslab_kmem_cache_destroy(struct kmem_cache *s)
{
	kmem_cache_destroy(s);
}

int kslab_kmem_cache_shrink(struct kmem_cache *s)
{
	return kmem_cache_shrink(s);
}

unsigned int kslab_kmem_cache_size(struct kmem_cache *s)
{
	return kmem_cache_size(s);
}

void *kslab_kmem_cache_alloc(struct kmem_cache *s, kslab_gfp_t flags)
{
	return kmem_cache_alloc(s, flags);
}

void *kslab_kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru,
				 kslab_gfp_t flags)
{
	return kmem_cache_alloc_lru(s, lru, flags);
}

void kslab_kmem_cache_free(struct kmem_cache *s, void *obj)
{
	kmem_cache_free(s, obj);
}

int kslab_kmem_cache_alloc_bulk(struct kmem_cache *s, kslab_gfp_t flags,
				size_t size, void **p)
{
	return kmem_cache_alloc_bulk(s, flags, size, p);
}

void kslab_kmem_cache_free_bulk(struct kmem_cache *s, size_t size, void **p)
{
	kmem_cache_free_bulk(s, size, p);
}

struct kmem_cache *kslab_kmem_cache_create_sheaves(const char *name,
						   unsigned int size,
						   unsigned int align,
						   kslab_slab_flags_t flags,
						   void (*ctor)(void *),
						   unsigned int sheaf_capacity)
{
	struct kmem_cache_args args = {
		.align = align,
		.ctor = ctor,
		.sheaf_capacity = sheaf_capacity,
	};

	return kmem_cache_create_args(name, size, &args, flags);
}

#define SHEAF(p) ((struct slab_sheaf *)(void *)(p))
#define KSHEAF(p) ((struct kslab_sheaf *)(void *)(p))

struct kslab_sheaf *kslab_kmem_cache_prefill_sheaf(struct kmem_cache *s,
						   kslab_gfp_t gfp,
						   unsigned int size)
{
	return KSHEAF(kmem_cache_prefill_sheaf(s, gfp, size));
}

void *kslab_kmem_cache_alloc_from_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
					struct kslab_sheaf *sheaf)
{
	return kmem_cache_alloc_from_sheaf(s, gfp, SHEAF(sheaf));
}

int kslab_kmem_cache_refill_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
				  struct kslab_sheaf **sheafp,
				  unsigned int size)
{
	struct slab_sheaf *sheaf = sheafp ? SHEAF(*sheafp) : NULL;
	int ret = kmem_cache_refill_sheaf(s, gfp, sheafp ? &sheaf : NULL, size);

	if (sheafp)
		*sheafp = KSHEAF(sheaf);
	return ret;
}

void kslab_kmem_cache_return_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
				   struct kslab_sheaf *sheaf)
{
	kmem_cache_return_sheaf(s, gfp, SHEAF(sheaf));
}

unsigned int kslab_kmem_cache_sheaf_size(struct kslab_sheaf *sheaf)
{
	return kmem_cache_sheaf_size(SHEAF(sheaf));
}

void *kslab_kmalloc(size_t size, kslab_gfp_t flags)
{
	return __kmalloc(size, flags);
}

void *kslab_krealloc(const void *p, size_t new_size, kslab_gfp_t flags)
{
	return krealloc(p, new_size, flags);
}

void kslab_kfree(const void *p)
{
	kfree(p);
}

size_t kslab_ksize(const void *p)
{
	return ksize(p);
}

#define BUCKETS(p) ((kmem_buckets *)(void *)(p))
#define KBUCKETS(p) ((struct kslab_kmem_buckets *)(void *)(p))

struct kslab_kmem_buckets *kslab_kmem_buckets_create(const char *name,
						     kslab_slab_flags_t flags,
						     unsigned int useroffset,
						     unsigned int usersize,
						     void (*ctor)(void *))
{
	return KBUCKETS(
		kmem_buckets_create(name, flags, useroffset, usersize, ctor));
}

void *kslab_kmem_buckets_alloc(struct kslab_kmem_buckets *b, size_t size,
			       kslab_gfp_t flags)
{
	/* the call site recorded is the program's, not this wrapper */
	return __kmem_buckets_alloc(BUCKETS(b), size, flags,
				    (unsigned long)__builtin_return_address(0));
}

void *kslab_kmem_buckets_valloc(struct kslab_kmem_buckets *b, size_t size,
				kslab_gfp_t flags)
{
	return kmem_buckets_valloc(BUCKETS(b), size, flags);
}

void *kslab___kmem_buckets_alloc(struct kslab_kmem_buckets *b, size_t size,
				 kslab_gfp_t flags, unsigned long caller)
{
	return __kmem_buckets_alloc(BUCKETS(b), size, flags, caller);
}

void *kslab_memdup_user(const void *src, size_t len)
{
	return memdup_user(src, len);
}

void *kslab_vmemdup_user(const void *src, size_t len)
{
	return vmemdup_user(src, len);
}

char *kslab_strndup_user(const char *s, long n)
{
	return strndup_user(s, n);
}

void *kslab_memdup_user_nul(const void *src, size_t len)
{
	return memdup_user_nul(src, len);
}
