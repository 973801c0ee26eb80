/* SPDX-License-Identifier: MIT */
/*
 * kslab's allocator calls under kslab_ names only, with plain C types, for
 * programs that have the kernel's own names already: the kernel's
 * tools/include (its gfp_t, __GFP_*, SLAB_*, kmalloc, kfree ...), or a
 * program defining kmem_cache_create() & co. itself (the kernel's
 * user-space test suites). Include this header alone, or define
 * KSLAB_PREFIXED_ONLY before <kslab/kslab.h>; the kernel-named headers
 * include it too, so both sets of names are always the same functions.
 *
 * kslab_kmem_cache_alloc(s, gfp) is kmem_cache_alloc(s, gfp), and so on;
 * kslab_kmalloc() is __kmalloc(). The flag values are the kernel's
 * (6.18 gfp_types.h and slab.h); the library checks they agree with
 * <kslab/gfp.h> and <kslab/slab.h>.
 *
 * libkslab.so binds its calls to its own functions: a program's
 * kmem_cache_create() or kfree() never replaces the ones kslab uses. Such
 * a program must link the shared library (with the static one, both
 * definitions would meet at link time).
 */
#ifndef KSLAB_PREFIXED_H
#define KSLAB_PREFIXED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KSLAB_PREFIXED_API __attribute__((visibility("default")))

struct kmem_cache;
struct list_lru;

/* the kernel's gfp_t and slab_flags_t */
typedef unsigned int kslab_gfp_t;
typedef unsigned int kslab_slab_flags_t;

#define KSLAB___GFP_DMA 0x01u
#define KSLAB___GFP_HIGH 0x20u
#define KSLAB___GFP_IO 0x40u
#define KSLAB___GFP_FS 0x80u
#define KSLAB___GFP_ZERO 0x100u
#define KSLAB___GFP_DIRECT_RECLAIM 0x400u
#define KSLAB___GFP_KSWAPD_RECLAIM 0x800u
#define KSLAB___GFP_NOWARN 0x2000u
#define KSLAB___GFP_NOFAIL 0x8000u
#define KSLAB_GFP_KERNEL                                           \
	(KSLAB___GFP_DIRECT_RECLAIM | KSLAB___GFP_KSWAPD_RECLAIM | \
	 KSLAB___GFP_IO | KSLAB___GFP_FS)
#define KSLAB_GFP_NOWAIT (KSLAB___GFP_KSWAPD_RECLAIM | KSLAB___GFP_NOWARN)
#define KSLAB_GFP_ATOMIC (KSLAB___GFP_HIGH | KSLAB___GFP_KSWAPD_RECLAIM)

#define KSLAB_SLAB_HWCACHE_ALIGN (1u << 4)
#define KSLAB_SLAB_PANIC (1u << 8)
#define KSLAB_SLAB_TYPESAFE_BY_RCU (1u << 9)
#define KSLAB_SLAB_NO_MERGE (1u << 13)
#define KSLAB_SLAB_ACCOUNT (1u << 15)
#define KSLAB_SLAB_RECLAIM_ACCOUNT (1u << 19)

/* booting: see <kslab/boot.h> */
KSLAB_PREFIXED_API int kslab_boot(const char *cmdline);
KSLAB_PREFIXED_API void kslab_shutdown(void);
KSLAB_PREFIXED_API bool kslab_booted(void);
KSLAB_PREFIXED_API int kslab_show(const char *what, FILE *out);

/* caches: see <kslab/slab.h> */
KSLAB_PREFIXED_API struct kmem_cache *
kslab_kmem_cache_create(const char *name, unsigned int size, unsigned int align,
			kslab_slab_flags_t flags, void (*ctor)(void *));
KSLAB_PREFIXED_API void kslab_kmem_cache_destroy(struct kmem_cache *s);
KSLAB_PREFIXED_API int kslab_kmem_cache_shrink(struct kmem_cache *s);
KSLAB_PREFIXED_API unsigned int kslab_kmem_cache_size(struct kmem_cache *s);
KSLAB_PREFIXED_API void *kslab_kmem_cache_alloc(struct kmem_cache *s,
						kslab_gfp_t flags);
KSLAB_PREFIXED_API void *kslab_kmem_cache_alloc_lru(struct kmem_cache *s,
						    struct list_lru *lru,
						    kslab_gfp_t flags);
KSLAB_PREFIXED_API void kslab_kmem_cache_free(struct kmem_cache *s, void *obj);
KSLAB_PREFIXED_API int kslab_kmem_cache_alloc_bulk(struct kmem_cache *s,
						   kslab_gfp_t flags,
						   size_t size, void **p);
KSLAB_PREFIXED_API void kslab_kmem_cache_free_bulk(struct kmem_cache *s,
						   size_t size, void **p);
KSLAB_PREFIXED_API struct kmem_cache *kslab_find_cache(const char *name);

/*
 * Sheaves (6.18): a cache created with sheaf_capacity, and the prefilled
 * sheaf calls of <kslab/slab.h> (kmem_cache_prefill_sheaf() & co.). The
 * sheaf is kslab's struct slab_sheaf, named apart here (struct
 * kslab_sheaf) so that a program with its own struct slab_sheaf (the
 * kernel's tools/include) can hold kslab's without a clash.
 */
struct kslab_sheaf;
KSLAB_PREFIXED_API struct kmem_cache *
kslab_kmem_cache_create_sheaves(const char *name, unsigned int size,
				unsigned int align, kslab_slab_flags_t flags,
				void (*ctor)(void *),
				unsigned int sheaf_capacity);
KSLAB_PREFIXED_API struct kslab_sheaf *
kslab_kmem_cache_prefill_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
			       unsigned int size);
KSLAB_PREFIXED_API void *
kslab_kmem_cache_alloc_from_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
				  struct kslab_sheaf *sheaf);
KSLAB_PREFIXED_API int
kslab_kmem_cache_refill_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
			      struct kslab_sheaf **sheafp, unsigned int size);
KSLAB_PREFIXED_API void
kslab_kmem_cache_return_sheaf(struct kmem_cache *s, kslab_gfp_t gfp,
			      struct kslab_sheaf *sheaf);
KSLAB_PREFIXED_API unsigned int
kslab_kmem_cache_sheaf_size(struct kslab_sheaf *sheaf);

/* kmalloc: see <kslab/kmalloc.h> */
KSLAB_PREFIXED_API void *kslab_kmalloc(size_t size, kslab_gfp_t flags);
KSLAB_PREFIXED_API void *kslab_krealloc(const void *p, size_t new_size,
					kslab_gfp_t flags);
KSLAB_PREFIXED_API void kslab_kfree(const void *p);
KSLAB_PREFIXED_API size_t kslab_ksize(const void *p);

/*
 * kmem_buckets (Linux 6.11 on): see <kslab/kmalloc.h>. The set is kslab's
 * kmem_buckets, named apart here (struct kslab_kmem_buckets) as the sheaf
 * is. Before 6.11 (kslab.kernel=6.1) kslab_kmem_buckets_create() returns
 * ZERO_SIZE_PTR ((void *)16) and allocations through it are kmalloc()s.
 * kslab___kmem_buckets_alloc() records caller as the call site;
 * kslab_kmem_buckets_alloc_track_caller() passes the caller of the
 * function using it, as the kernel's kmem_buckets_alloc_track_caller().
 */
struct kslab_kmem_buckets;
KSLAB_PREFIXED_API struct kslab_kmem_buckets *
kslab_kmem_buckets_create(const char *name, kslab_slab_flags_t flags,
			  unsigned int useroffset, unsigned int usersize,
			  void (*ctor)(void *));
KSLAB_PREFIXED_API void *kslab_kmem_buckets_alloc(struct kslab_kmem_buckets *b,
						  size_t size,
						  kslab_gfp_t flags);
KSLAB_PREFIXED_API void *kslab_kmem_buckets_valloc(struct kslab_kmem_buckets *b,
						   size_t size,
						   kslab_gfp_t flags);
KSLAB_PREFIXED_API void *
kslab___kmem_buckets_alloc(struct kslab_kmem_buckets *b, size_t size,
			   kslab_gfp_t flags, unsigned long caller);
#define kslab_kmem_buckets_alloc_track_caller(b, size, flags) \
	kslab___kmem_buckets_alloc((b), (size), (flags),      \
				   (unsigned long)__builtin_return_address(0))

/*
 * mm/util.c's copies of user memory: see <kslab/kmalloc.h>. On failure
 * the kernel's ERR_PTR(-EFAULT / -EINVAL / -ENOMEM): a pointer p with
 * (unsigned long)p >= (unsigned long)-4095 (the kernel's IS_ERR()).
 * kslab_kfree() the copies.
 */
KSLAB_PREFIXED_API void *kslab_memdup_user(const void *src, size_t len);
KSLAB_PREFIXED_API void *kslab_vmemdup_user(const void *src, size_t len);
KSLAB_PREFIXED_API char *kslab_strndup_user(const char *s, long n);
KSLAB_PREFIXED_API void *kslab_memdup_user_nul(const void *src, size_t len);

/*
 * Fault injection, the kernel's should_failslab(): while a hook is set,
 * fn(s, gfp, arg) is called before every slab allocation (kmem_cache_*,
 * bulk: once per object, and kmalloc() from its kmalloc-* cache), but
 * those of the boot caches kmem_cache and kmem_cache_node and those with
 * __GFP_NOFAIL; true fails it (NULL, no report). fn may run on any thread
 * at once; it must not allocate from kslab. NULL removes the hook.
 * kslab_failslab_count() says how many slab allocations were failed: by
 * a hook, or by the kernel's failslab knobs (<kslab/fault_inject.h>,
 * asked after the hook).
 */
typedef bool (*kslab_failslab_fn)(struct kmem_cache *s, kslab_gfp_t gfp,
				  void *arg);
KSLAB_PREFIXED_API void kslab_set_failslab(kslab_failslab_fn fn, void *arg);
KSLAB_PREFIXED_API unsigned long kslab_failslab_count(void);
/* the kernel's failslab and fail_page_alloc knobs: <kslab/fault_inject.h>,
 * included at the end of this header */

/*
 * Exact use of a cache: in_use counts the objects handed out and not
 * freed (slabinfo's active_objs also counts the free objects on the CPUs'
 * lists). A merged cache counts the objects of all its aliases (create
 * with KSLAB_SLAB_NO_MERGE to count one apart). Exact when no other
 * thread allocates from or frees to s meanwhile. 0, or -EINVAL for a
 * NULL argument.
 */
struct kslab_cache_usage {
	unsigned long in_use;
	unsigned int object_size;
	unsigned int aliases; /* caches merged into this one */
};
KSLAB_PREFIXED_API int kslab_cache_usage(struct kmem_cache *s,
					 struct kslab_cache_usage *out);
/* Frees refused since the process started: double frees, pointers that
 * are not an object start or not slab memory (each one reported). */
KSLAB_PREFIXED_API unsigned long kslab_refused_frees(void);

#ifdef __cplusplus
}
#endif

#include <kslab/fault_inject.h>

#endif /* KSLAB_PREFIXED_H */
