/* SPDX-License-Identifier: MIT */
/*
 * Object caches: the kernel's kmem_cache API (SLUB), with the geometry,
 * merging and naming of Linux 6.18.
 *
 * A cache hands out objects of one size from slabs (compound page blocks
 * of the cache's order). Caches that the kernel would merge are merged:
 * kmem_cache_create() then returns the existing cache with its alias count
 * raised, and kmem_cache_destroy() of an alias only drops the count.
 * Every cache belongs to the booted machine; kslab_shutdown() destroys
 * them all. A destroyed cache (by kmem_cache_destroy() or the shutdown)
 * is dead: every call given it afterwards (alloc, free, destroy, shrink,
 * kslab_cache_info) is refused with a message naming it, as long as the
 * last 4096 dead caches go (older ones are freed for good).
 */
#ifndef KSLAB_SLAB_H
#define KSLAB_SLAB_H

#include <stddef.h>
#include <stdio.h>
#include <kslab/types.h>
#include <kslab/gfp.h>
#include <kslab/prefixed.h>

KSLAB_EXTERN_C_BEGIN

/*
 * Slab flags: the bit numbers of 6.18's enum _slab_flag_bits on a kernel
 * with every optional bit configured (DEBUG_OBJECTS, FAILSLAB, MEMCG,
 * KASAN_GENERIC, KFENCE, !SLUB_TINY, SLAB_OBJ_EXT), so no value moves.
 */
enum _slab_flag_bits {
	_SLAB_CONSISTENCY_CHECKS,
	_SLAB_RED_ZONE,
	_SLAB_POISON,
	_SLAB_KMALLOC,
	_SLAB_HWCACHE_ALIGN,
	_SLAB_CACHE_DMA,
	_SLAB_CACHE_DMA32,
	_SLAB_STORE_USER,
	_SLAB_PANIC,
	_SLAB_TYPESAFE_BY_RCU,
	_SLAB_TRACE,
	_SLAB_DEBUG_OBJECTS,
	_SLAB_NOLEAKTRACE,
	_SLAB_NO_MERGE,
	_SLAB_FAILSLAB,
	_SLAB_ACCOUNT,
	_SLAB_KASAN,
	_SLAB_NO_USER_FLAGS,
	_SLAB_SKIP_KFENCE,
	_SLAB_RECLAIM_ACCOUNT,
	_SLAB_OBJECT_POISON,
	_SLAB_CMPXCHG_DOUBLE,
	_SLAB_NO_OBJ_EXT,
	_SLAB_FLAGS_LAST_BIT
};

#define __SLAB_FLAG_BIT(nr) ((slab_flags_t)1U << (nr))

#define SLAB_CONSISTENCY_CHECKS __SLAB_FLAG_BIT(_SLAB_CONSISTENCY_CHECKS)
#define SLAB_RED_ZONE __SLAB_FLAG_BIT(_SLAB_RED_ZONE)
#define SLAB_POISON __SLAB_FLAG_BIT(_SLAB_POISON)
#define SLAB_KMALLOC __SLAB_FLAG_BIT(_SLAB_KMALLOC)
#define SLAB_HWCACHE_ALIGN __SLAB_FLAG_BIT(_SLAB_HWCACHE_ALIGN)
#define SLAB_CACHE_DMA __SLAB_FLAG_BIT(_SLAB_CACHE_DMA)
#define SLAB_CACHE_DMA32 __SLAB_FLAG_BIT(_SLAB_CACHE_DMA32)
#define SLAB_STORE_USER __SLAB_FLAG_BIT(_SLAB_STORE_USER)
#define SLAB_PANIC __SLAB_FLAG_BIT(_SLAB_PANIC)
#define SLAB_TYPESAFE_BY_RCU __SLAB_FLAG_BIT(_SLAB_TYPESAFE_BY_RCU)
#define SLAB_TRACE __SLAB_FLAG_BIT(_SLAB_TRACE)
#define SLAB_DEBUG_OBJECTS __SLAB_FLAG_BIT(_SLAB_DEBUG_OBJECTS)
#define SLAB_NOLEAKTRACE __SLAB_FLAG_BIT(_SLAB_NOLEAKTRACE)
#define SLAB_NO_MERGE __SLAB_FLAG_BIT(_SLAB_NO_MERGE)
#define SLAB_FAILSLAB __SLAB_FLAG_BIT(_SLAB_FAILSLAB)
#define SLAB_ACCOUNT __SLAB_FLAG_BIT(_SLAB_ACCOUNT)
#define SLAB_KASAN __SLAB_FLAG_BIT(_SLAB_KASAN)
#define SLAB_NO_USER_FLAGS __SLAB_FLAG_BIT(_SLAB_NO_USER_FLAGS)
#define SLAB_SKIP_KFENCE __SLAB_FLAG_BIT(_SLAB_SKIP_KFENCE)
#define SLAB_RECLAIM_ACCOUNT __SLAB_FLAG_BIT(_SLAB_RECLAIM_ACCOUNT)
#define SLAB_TEMPORARY SLAB_RECLAIM_ACCOUNT
#define __OBJECT_POISON __SLAB_FLAG_BIT(_SLAB_OBJECT_POISON)
#define __CMPXCHG_DOUBLE __SLAB_FLAG_BIT(_SLAB_CMPXCHG_DOUBLE)
#define SLAB_NO_OBJ_EXT __SLAB_FLAG_BIT(_SLAB_NO_OBJ_EXT)

struct kmem_cache;

/* 6.18's struct kmem_cache_args, the members kslab uses. */
struct kmem_cache_args {
	unsigned int align;
	unsigned int useroffset;
	unsigned int usersize;
	unsigned int freeptr_offset; /* SLAB_TYPESAFE_BY_RCU only */
	bool use_freeptr_offset;
	void (*ctor)(void *);
	/*
	 * Per-CPU sheaves (6.18): with a non-zero value every CPU caches
	 * objects in arrays of this many ("sheaves": a main one and a
	 * spare), exchanged with a per-node barn of full and empty ones.
	 * Ignored (no sheaves) with a debug flag; such a cache is never
	 * merged into another.
	 */
	unsigned int sheaf_capacity;
};

/*
 * NULL on failure, with the reason on stderr (SLAB_PANIC: abort instead).
 * An empty name, size 0, size above the largest slab, an alignment that
 * is not a power of two (0 is allowed) and unknown flag bits are refused
 * (a NULL name is allowed, shown as "(null)").
 */
KSLAB_API struct kmem_cache *
kmem_cache_create(const char *name, unsigned int size, unsigned int align,
		  slab_flags_t flags, void (*ctor)(void *));
KSLAB_API struct kmem_cache *
kmem_cache_create_usercopy(const char *name, unsigned int size,
			   unsigned int align, slab_flags_t flags,
			   unsigned int useroffset, unsigned int usersize,
			   void (*ctor)(void *));
KSLAB_API struct kmem_cache *
kmem_cache_create_args(const char *name, unsigned int size,
		       const struct kmem_cache_args *args, slab_flags_t flags);
/*
 * Drops one creator's reference; the last destroys the cache (or, with
 * objects still allocated, reports them and keeps it). Refused with a
 * message: a cache already destroyed, a kmalloc cache, the boot caches
 * kmem_cache and kmem_cache_node.
 */
KSLAB_API void kmem_cache_destroy(struct kmem_cache *s);
/* Give every empty slab back to the page allocator; 0. */
KSLAB_API int kmem_cache_shrink(struct kmem_cache *s);
KSLAB_API unsigned int kmem_cache_size(struct kmem_cache *s);

KSLAB_API void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags);
KSLAB_API void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags);
KSLAB_API void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags,
				      int node);
KSLAB_API void kmem_cache_free(struct kmem_cache *s, void *obj);
/* All or nothing: returns size, or 0 with nothing allocated. */
KSLAB_API int kmem_cache_alloc_bulk(struct kmem_cache *s, gfp_t flags,
				    size_t size, void **p);
KSLAB_API void kmem_cache_free_bulk(struct kmem_cache *s, size_t size,
				    void **p);

/*
 * A sheaf: an array of objects of one cache. kmem_cache_prefill_sheaf()
 * hands one out; read size with kmem_cache_sheaf_size(). The layout is
 * 6.18's (the header is 32 bytes on 64-bit hosts, so a sheaf of 32
 * objects is a kmalloc-512 object of the simulated machine, as there).
 */
struct slab_sheaf {
	union {
		void *kslab_link[2]; /* the barn's list, or its RCU callback */
		unsigned int capacity; /* a prefilled sheaf's objects[] length */
	};
	struct kmem_cache *cache;
	unsigned int size; /* objects held: objects[0..size) */
	int node;
	void *objects[];
};

/*
 * A sheaf holding at least size objects (more than the cache's
 * sheaf_capacity: an "oversize" one, exactly size), for allocations that
 * must not fail later: kmem_cache_alloc_from_sheaf() then succeeds size
 * times whatever memory is left. NULL when the objects or the sheaf could
 * not be allocated with gfp.
 */
KSLAB_API struct slab_sheaf *
kmem_cache_prefill_sheaf(struct kmem_cache *s, gfp_t gfp, unsigned int size);
/* Top *sheafp up to at least size objects (it may be replaced by a larger
 * one); 0, -ENOMEM (the sheaf left as it was), -EINVAL for NULL. */
KSLAB_API int kmem_cache_refill_sheaf(struct kmem_cache *s, gfp_t gfp,
				      struct slab_sheaf **sheafp,
				      unsigned int size);
/* Give a prefilled sheaf back (its objects are freed or kept cached). */
KSLAB_API void kmem_cache_return_sheaf(struct kmem_cache *s, gfp_t gfp,
				       struct slab_sheaf *sheaf);
/* An object from the sheaf (gfp: only __GFP_ZERO counts); NULL once it is
 * empty: no fallback to the cache. */
KSLAB_API void *kmem_cache_alloc_from_sheaf(struct kmem_cache *s, gfp_t gfp,
					    struct slab_sheaf *sheaf);
KSLAB_API unsigned int kmem_cache_sheaf_size(struct slab_sheaf *sheaf);

/*
 * kvfree_rcu(): free ptr (a slab object, or a large kmalloc) after an RCU
 * grace period of liburcu's default flavour (urcu-memb). head, if not
 * NULL, is an rcu_head inside the object (kfree_rcu(ptr, field)); kslab
 * does not need it. A cache with sheaves batches such frees per CPU in
 * an "RCU sheaf", as 6.18. kvfree_rcu_barrier() waits for all of them.
 */
struct rcu_head;
KSLAB_API void kvfree_call_rcu(struct rcu_head *head, void *ptr);
KSLAB_API void kvfree_rcu_barrier(void);
#define kfree_rcu(ptr, rhf) kvfree_call_rcu(&((ptr)->rhf), (void *)(ptr))
#define kvfree_rcu(ptr, rhf) kfree_rcu(ptr, rhf)
#define kfree_rcu_mightsleep(ptr) kvfree_call_rcu(NULL, (void *)(ptr))
#define kvfree_rcu_mightsleep(ptr) kvfree_call_rcu(NULL, (void *)(ptr))

struct kslab_cache_info {
	/* the cache's own name (the first creator's, when merged) */
	const char *name;
	char unique_id[32]; /* ":dD-0000128" form, as the kernel's sysfs names */
	unsigned int object_size, size, align, order, objs_per_slab;
	slab_flags_t flags;
	unsigned int aliases; /* caches merged into this one */
	unsigned long active_objs, num_objs, active_slabs, num_slabs;
	enum zone_type zone; /* the highest zone its slabs may come from */
	/* kslab additions */
	unsigned int inuse, offset, useroffset, usersize;
	unsigned int min_partial, cpu_partial, cpu_partial_slabs;
	bool mergeable, has_ctor;
	/* sheaves: the capacity (0: none), the objects they hold (counted
	 * in active_objs, as the kernel's), the barn's full and empty ones */
	unsigned int sheaf_capacity;
	unsigned long sheaf_objects;
	unsigned int barn_full, barn_empty;
};
/* 0, or -EINVAL for a NULL argument or a dead cache. */
KSLAB_API int kslab_cache_info(const struct kmem_cache *s,
			       struct kslab_cache_info *out);
/* The cache named name (newest first), or NULL. */
KSLAB_API struct kmem_cache *kslab_find_cache(const char *name);
/*
 * Call fn(s, arg) for every cache of the booted machine, newest first (the
 * order of /proc/slabinfo, kernel's own caches included: kmem_cache and
 * kmem_cache_node come last). A merged cache is one cache: its aliases are
 * not visited apart. Stops at the first non-zero return of fn and returns
 * it; 0 when every cache was visited (or nothing is booted), -EINVAL for a
 * NULL fn. fn runs under the slab mutex: it may call kslab_cache_info(),
 * allocate, free and shrink, but must not create, destroy or look up
 * caches (kslab_find_cache(), kslab_show()): those take the same mutex.
 */
KSLAB_API int kslab_for_each_cache(int (*fn)(struct kmem_cache *s, void *arg),
				   void *arg);
/*
 * SLUB debugging (boot parameter slub_debug=, or SLAB_CONSISTENCY_CHECKS,
 * SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER, SLAB_TRACE on a cache; see
 * docs/slab.md): the kernel's reports on stderr ("BUG cache (Not
 * tainted): Object already free", "[Right Redzone overwritten] ...",
 * "FIX cache: ..."), with the object's tracks and hex dumps.
 *
 * kmem_cache_validate(): sysfs "validate": check every slab of a
 * debugged cache (the node's partial slabs, and its full ones with
 * SLAB_STORE_USER, as the kernel's lists hold them), every object's red
 * zones, poison and free pointer; returns the slabs checked, or -EINVAL
 * for a cache without debugging.
 * kslab_slub_debug_errors(): the errors reported since the process
 * started, counted as the kernel's KUnit hook counts them (each
 * overwritten range, each object or slab error, each fix).
 */
KSLAB_API long kmem_cache_validate(struct kmem_cache *s);
/*
 * debugfs slab/<cache>/alloc_traces (which 0) or free_traces (which 1)
 * of a cache with SLAB_STORE_USER: its allocated objects grouped by the
 * caller and stack of their last allocation (or free), most first, in the
 * kernel's format ("   COUNT caller+0x.. age=MIN/AVG/MAX pid=A-B
 * cpus=LIST", then the stack). 0, or -EINVAL for a cache without tracks.
 */
KSLAB_API int kmem_cache_show_traces(struct kmem_cache *s, int which,
				     FILE *out);
KSLAB_API unsigned long kslab_slub_debug_errors(void);

/* Pages held by slabs of every cache. */
KSLAB_API unsigned long kslab_slab_pages(void);

/* kmem_cache_alloc() (kslab keeps no memcg list_lru: lru is ignored). */
struct list_lru;
KSLAB_API void *kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru,
				     gfp_t flags);

/*
 * Fault injection's hook (kslab_set_failslab()), exact in-use counts
 * (kslab_cache_usage()) and the refused-free counter are declared in
 * <kslab/prefixed.h>, included above; the kernel's failslab and
 * fail_page_alloc knobs in <kslab/fault_inject.h>.
 */

KSLAB_EXTERN_C_END

#endif /* KSLAB_SLAB_H */
