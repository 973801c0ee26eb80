/* SPDX-License-Identifier: MIT */
/*
 * kmalloc() and friends with the kernel's names and semantics, on the
 * size-class caches of Linux 6.18 (kmalloc-8 .. kmalloc-8k with 96 and
 * 192, and their rcl-, cg- and dma- twins), under the alignment policy
 * the boot command line chose:
 *
 *   arch=x86_64                          minimum 8
 *   arch=arm64                           8 with a swiotlb buffer, else the
 *                                        cache line (Linux 6.5+)
 *   arch=arm64 swiotlb=noforce           cache line (64)
 *   arch=arm64 kmalloc.legacy            128 (ARCH_DMA_MINALIGN, before 6.5)
 *   arch=arm64 kmalloc.legacy kmalloc.packed
 *                                        128, but __GFP_PACKED requests
 *                                        come from 8-aligned caches
 *
 * kmalloc(0) returns ZERO_SIZE_PTR; kfree() of NULL or ZERO_SIZE_PTR does
 * nothing. Requests above KMALLOC_MAX_CACHE_SIZE (two pages) go straight
 * to the page allocator as compound pages.
 */
#ifndef KSLAB_KMALLOC_H
#define KSLAB_KMALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <kslab/types.h>
#include <kslab/gfp.h>

KSLAB_EXTERN_C_BEGIN

struct kmem_cache;

#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* alignment of __GFP_PACKED objects (the seed's SLUB value) */
#define KMALLOC_PACKED_ALIGN 8

enum kmalloc_cache_type {
	KMALLOC_NORMAL = 0,
	KMALLOC_RECLAIM,
	KMALLOC_DMA,
	KMALLOC_CGROUP,
	NR_KMALLOC_TYPES
};

/* kmalloc_info[] indexes: 1 is kmalloc-96, 2 kmalloc-192, n >= 3 is 2^n */
#define KSLAB_KMALLOC_NR_INDEX 22

#define KMALLOC_NOT_NORMAL_BITS (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT)

/* The cache type the flags select (kernel's kmalloc_type()). */
static inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if (__builtin_expect((flags & KMALLOC_NOT_NORMAL_BITS) == 0, 1))
		return KMALLOC_NORMAL;
	if (flags & __GFP_DMA)
		return KMALLOC_DMA;
	if (flags & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_CGROUP;
}

/*
 * The size class index of a request, with 8 as the smallest class: the
 * boot policy then maps the index to the cache serving it. Folds to a
 * constant for a constant size.
 */
static inline __attribute__((always_inline)) unsigned int
__kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= 8)
		return 3;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	if (size <= 16)
		return 4;
	if (size <= 32)
		return 5;
	if (size <= 64)
		return 6;
	if (size <= 128)
		return 7;
	for (unsigned int i = 8; i < KSLAB_KMALLOC_NR_INDEX; i++)
		if (size <= (size_t)1 << i)
			return i;
	return KSLAB_KMALLOC_NR_INDEX;
}

/* ---- allocation ---------------------------------------------------------- */
KSLAB_API void *__kmalloc(size_t size, gfp_t flags);
/* the constant-size path: index resolved by the compiler */
KSLAB_API void *__kmalloc_index_alloc(unsigned int index, size_t size,
				      gfp_t flags);
/*
 * A kmalloc of size bytes from the cache s (the kernel's
 * __kmalloc_cache_noprof(), which kmalloc() of a constant size becomes):
 * on a kmalloc cache (SLAB_KMALLOC) with SLAB_STORE_USER the object
 * keeps size as its request size, and with SLAB_RED_ZONE the bytes from
 * size to the object size are a red zone ("kmalloc Redzone overwritten").
 */
KSLAB_API void *__kmalloc_cache(struct kmem_cache *s, gfp_t flags, size_t size);

static inline __attribute__((always_inline)) void *kmalloc(size_t size,
							   gfp_t flags)
{
	if (__builtin_constant_p(size) && size && size <= 8192)
		return __kmalloc_index_alloc(__kmalloc_index(size), size,
					     flags);
	return __kmalloc(size, flags);
}

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kmalloc(size, flags | __GFP_ZERO);
}

static inline void *kmalloc_node(size_t size, gfp_t flags, int node)
{
	(void)node;
	return kmalloc(size, flags);
}

static inline void *kzalloc_node(size_t size, gfp_t flags, int node)
{
	(void)node;
	return kzalloc(size, flags);
}

KSLAB_API void *kmalloc_array(size_t n, size_t size, gfp_t flags);
KSLAB_API void *kcalloc(size_t n, size_t size, gfp_t flags);
/*
 * p NULL: kmalloc(); new_size 0: kfree(), ZERO_SIZE_PTR. p must be a
 * kmalloc() object (or another slab object): anything kfree() would
 * refuse is reported and NULL returned, p left alone.
 */
KSLAB_API void *krealloc(const void *p, size_t new_size, gfp_t flags);
KSLAB_API void *krealloc_array(void *p, size_t new_n, size_t new_size,
			       gfp_t flags);
KSLAB_API void kfree(const void *p);
KSLAB_API void kfree_sensitive(const void *p);
/* the usable size of a kmalloc'ed object; 0 for NULL / ZERO_SIZE_PTR */
KSLAB_API size_t ksize(const void *p);
KSLAB_API size_t kmalloc_size_roundup(size_t size);
KSLAB_API void *kmemdup(const void *src, size_t len, gfp_t gfp);
KSLAB_API char *kstrdup(const char *s, gfp_t gfp);
KSLAB_API char *kstrndup(const char *s, size_t max, gfp_t gfp);
/* large requests from pages; kvfree() frees either kind */
KSLAB_API void *kvmalloc(size_t size, gfp_t flags);
KSLAB_API void *kvzalloc(size_t size, gfp_t flags);
KSLAB_API void kvfree(const void *p);

static inline void *kvmalloc_node(size_t size, gfp_t flags, int node)
{
	(void)node;
	return kvmalloc(size, flags);
}

static inline void *kmalloc_array_node(size_t n, size_t size, gfp_t flags,
				       int node)
{
	(void)node;
	return kmalloc_array(n, size, flags);
}

static inline void *kcalloc_node(size_t n, size_t size, gfp_t flags, int node)
{
	(void)node;
	return kcalloc(n, size, flags);
}

/* ---- kmem_buckets (CONFIG_SLAB_BUCKETS, Linux 6.11 on) ------------------- */
/*
 * A set of kmalloc-sized caches of its own ("<name>-8" .. "<name>-8k",
 * one per normal kmalloc cache, same sizes, never merged), for objects
 * whose size and contents a user controls. kfree(), ksize() and
 * krealloc() take their objects as any kmalloc object's (krealloc()
 * moves a growing object to a plain kmalloc cache, as the kernel's).
 * The boot makes the kernel's two: "memdup_user" and "msg_msg"
 * (kslab_find_buckets()). Before 6.11 (kslab.kernel=6.1)
 * kmem_buckets_create() returns ZERO_SIZE_PTR, as a kernel without
 * CONFIG_SLAB_BUCKETS, and allocations through it (or through NULL)
 * are kmalloc()s. A pointer that is no kmem_buckets is refused with a
 * report (NULL returned); so is a NULL or empty name.
 */
typedef struct kmem_buckets kmem_buckets;

KSLAB_API kmem_buckets *kmem_buckets_create(const char *name,
					    slab_flags_t flags,
					    unsigned int useroffset,
					    unsigned int usersize,
					    void (*ctor)(void *));
KSLAB_API void *kmem_buckets_alloc(kmem_buckets *b, size_t size, gfp_t flags);
/* kvmalloc() through b: kslab has no vmalloc, so large ones are pages */
KSLAB_API void *kmem_buckets_valloc(kmem_buckets *b, size_t size, gfp_t flags);
/* caller: the call site recorded (slub_debug U), 0 for ours */
KSLAB_API void *__kmem_buckets_alloc(kmem_buckets *b, size_t size, gfp_t flags,
				     unsigned long caller);
/* the call site recorded is the caller of the function using it */
#define kmem_buckets_alloc_track_caller(b, size, flags) \
	__kmem_buckets_alloc((b), (size), (flags),      \
			     (unsigned long)__builtin_return_address(0))
/* kslab: the cache kmem_buckets_alloc(b, size, ...) uses, or NULL (0,
 * above the caches) */
KSLAB_API struct kmem_cache *kslab_buckets_slab(kmem_buckets *b, size_t size);
/* kslab: the newest set created under name, or NULL */
KSLAB_API kmem_buckets *kslab_find_buckets(const char *name);

#ifndef MAX_ERRNO
#define MAX_ERRNO 4095
static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return (unsigned long)ptr >= (unsigned long)-MAX_ERRNO;
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR(ptr);
}
#endif

/*
 * mm/util.c's copies of user memory (any memory here; a NULL source with
 * bytes to copy is a fault), ERR_PTR(-EFAULT / -EINVAL / -ENOMEM) on
 * failure: memdup_user(), vmemdup_user() and strndup_user() (at most n
 * bytes with the NUL) from the memdup_user buckets (6.11 on),
 * memdup_user_nul() from kmalloc, as the kernel's. kfree() them.
 */
KSLAB_API void *memdup_user(const void *src, size_t len);
KSLAB_API void *vmemdup_user(const void *src, size_t len);
KSLAB_API char *strndup_user(const char *s, long n);
KSLAB_API void *memdup_user_nul(const void *src, size_t len);

/* ---- the booted policy, for tools and tests ------------------------------ */
struct kslab_kmalloc_info {
	const char *policy; /* "x86_64", "arm64", "arm64-legacy", ... */
	unsigned int arch_kmalloc_minalign; /* ARCH_KMALLOC_MINALIGN */
	unsigned int kmalloc_min_size; /* KMALLOC_MIN_SIZE: smallest class */
	unsigned int minalign;	       /* __kmalloc_minalign() at boot */
	unsigned int dma_minalign;     /* alignment of dma-kmalloc-* */
	unsigned long max_cache_size;  /* KMALLOC_MAX_CACHE_SIZE */
	unsigned long max_size;	       /* KMALLOC_MAX_SIZE */
	bool packed;		       /* __GFP_PACKED honoured */
	unsigned long large_pages;     /* pages held by large kmallocs */
};
KSLAB_API int kslab_kmalloc_info(struct kslab_kmalloc_info *out);
/* The cache kmalloc(size, flags) would use, or NULL (0, or above the
 * caches). */
KSLAB_API struct kmem_cache *kmalloc_slab(size_t size, gfp_t flags);

KSLAB_EXTERN_C_END

#endif /* KSLAB_KMALLOC_H */
