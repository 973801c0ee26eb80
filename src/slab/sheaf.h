/* SPDX-License-Identifier: MIT */
/*
 * Sheaves (Linux 6.18 mm/slub.c): per-CPU arrays of objects in front of
 * the slabs of a cache created with sheaf_capacity, and a per-node barn
 * of full and empty sheaves that the CPUs exchange them through.
 *
 *   alloc: pcs->main (pop) --empty--> spare if not empty (swap)
 *          --> a full sheaf from the barn for the empty main
 *          --> (gfp may block) the spare or a barn's empty sheaf, or a
 *              new one, refilled from the slabs --> else the slabs
 *   free:  pcs->main (push) --full--> spare if not full (swap)
 *          --> an empty sheaf from the barn for the full main (at most
 *              MAX_FULL_SHEAVES full ones there; else the full spare is
 *              flushed to the slabs and reused) --> a new empty sheaf
 *          --> else main flushed to the slabs
 *
 * "The slabs" are the CPU slab and its lists (6.18), or, for a cache
 * with no CPU slab (s->nocpu, kslab.sheaves=all: mainline after 6.18),
 * the node's slabs directly (slab_nocpu.c): refills take whole
 * node-partial freelists, then new slabs; flushes free to the slabs.
 *
 * Objects in sheaves are allocated as far as the slabs know (they count
 * in inuse, /proc/slabinfo's active_objs), as in the kernel. Sheaves are
 * kmalloc() objects of the simulated machine (struct_size() bytes), the
 * barn a kmalloc() of 48 bytes, as 6.18's kzalloc()/kmalloc_node().
 *
 * Locking: a CPU's sheaves (s->cpu_sheaves[cpu]) belong to the CPU's
 * slab state: its owner in a lock-free section, or cpu_slab[cpu].lock
 * (ksl_hold_cpu()); barn->lock nests inside. Nothing that allocates or
 * frees (kmalloc, the slabs) runs while a CPU is held: the kernel's
 * local_unlock() before such calls.
 */
#ifndef KSLAB_SLAB_SHEAF_H
#define KSLAB_SLAB_SHEAF_H

#include "slab/slab_internal.h"

#define KSL_MAX_FULL_SHEAVES 10
#define KSL_MAX_EMPTY_SHEAVES 10
#define KSL_PCS_BATCH_MAX 32u
/* sizeof(struct node_barn) of a 64-bit 6.18 kernel: what kmalloc_node()
 * asks for (kmalloc-64) */
#define KSL_BARN_SIZE 48u

struct node_barn {
	ksl_spinlock_t lock;
	unsigned int nr_full, nr_empty;
	struct slab_sheaf *full, *empty; /* linked by sheaf_next() */
	char pad[KSL_BARN_SIZE - 32];	 /* to the kernel's size */
};
_Static_assert(sizeof(struct node_barn) == KSL_BARN_SIZE, "6.18 barn size");

struct slub_percpu_sheaves {
	struct slab_sheaf *main;     /* never NULL */
	struct slab_sheaf *spare;    /* empty or full, or NULL */
	struct slab_sheaf *rcu_free; /* batching kvfree_rcu(), or NULL */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct slub_percpu_sheaves) == KSL_CPU_SLAB_STRIDE,
	       "ksl_tls.cpu_off indexes cpu_sheaves");

static inline struct slab_sheaf **sheaf_next(struct slab_sheaf *sheaf)
{
	return (struct slab_sheaf **)&sheaf->kslab_link[0];
}

/* the calling thread's CPU's sheaves (valid as ksl_this_cpu_slab()) */
static inline struct slub_percpu_sheaves *ksl_this_pcs(struct kmem_cache *s)
{
	return (struct slub_percpu_sheaves *)((char *)s->cpu_sheaves +
					      ksl_tls.cpu_off);
}

/* barn.c */
struct slab_sheaf *ksl_barn_get_empty(struct node_barn *barn);
void ksl_barn_put_empty(struct node_barn *barn, struct slab_sheaf *sheaf);
void ksl_barn_put_full(struct node_barn *barn, struct slab_sheaf *sheaf);
struct slab_sheaf *ksl_barn_get_full_or_empty(struct node_barn *barn);
struct slab_sheaf *ksl_barn_replace_empty(struct node_barn *barn,
					  struct slab_sheaf *empty);
/* NULL with *err -E2BIG (too many full ones) or -ENOMEM (no empty one) */
struct slab_sheaf *ksl_barn_replace_full(struct node_barn *barn,
					 struct slab_sheaf *full, int *err);
void ksl_barn_shrink(struct kmem_cache *s, struct node_barn *barn);
unsigned long ksl_barn_objects(struct node_barn *barn, unsigned int *nr_full,
			       unsigned int *nr_empty);

/* sheaf.c */
struct slab_sheaf *ksl_alloc_empty_sheaf(struct kmem_cache *s, gfp_t gfp);
void ksl_free_empty_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf);
void ksl_sheaves_drop_memory(bool on);
void ksl_sheaf_flush_unused(struct kmem_cache *s, struct slab_sheaf *sheaf);
void ksl_sheaf_objects_to_slabs(struct kmem_cache *s, unsigned int nr,
				void **p);
void *ksl_sheaf_alloc_held(struct kmem_cache *s, struct ksl_cpu_hold *h,
			   gfp_t gfp, unsigned long caller);
/* out of line, reached by tail calls: their return address is the
 * API's caller (the call site of messages) */
void *ksl_sheaf_alloc_slow(struct kmem_cache *s, gfp_t gfp);
void *ksl_sheaf_alloc_refill_in(struct kmem_cache *s, gfp_t gfp);
void ksl_sheaf_free_full_in(struct kmem_cache *s, void *obj);
void ksl_sheaf_free_held(struct kmem_cache *s, struct ksl_cpu_hold *h,
			 void *obj, unsigned long caller);
void ksl_sheaf_free_slow(struct kmem_cache *s, void *obj);
void ksl_sheaf_free_bad(struct kmem_cache *s, void *obj);

/*
 * The entries of kmem_cache_alloc()/kmem_cache_free() for a cache with
 * sheaves: out of line, so that the classic fast paths pay one test for
 * them, and reached by a tail call, so that their return address is the
 * API's caller (the call site of the messages).
 */
void *ksl_sheaf_alloc(struct kmem_cache *s, gfp_t gfp);
void ksl_sheaf_free(struct kmem_cache *s, void *obj);

/* sheaf_life.c */
unsigned int ksl_sheaves_default_capacity(unsigned int size,
					  unsigned int asked);
void ksl_rcu_callback_done(void);
void ksl_rcu_barrier_done(void);
void ksl_kvfree_rcu_wait(void);
struct slab_sheaf *ksl_pcs_detach_rcu(struct kmem_cache *s, unsigned int cpu);
int ksl_sheaves_init(struct kmem_cache *s, unsigned int capacity);
void ksl_sheaves_release(struct kmem_cache *s, bool give_back);
void ksl_sheaves_flush_all(struct kmem_cache *s);
void ksl_sheaves_shutdown(struct kmem_cache *s);
unsigned long ksl_sheaves_objects(struct kmem_cache *s, unsigned int *nr_full,
				  unsigned int *nr_empty);

/* sheaf->size += d by one add in memory on x86-64 (the fast paths keep
 * the old size as their index register, with no copy to change) */
static __attribute__((always_inline)) inline void
ksl_sheaf_size_add(struct slab_sheaf *sheaf, int d)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	__asm__("addl %1, %0" : "+m"(sheaf->size) : "ir"(d));
#else
	sheaf->size += (unsigned int)d;
#endif
}

/*
 * alloc_from_pcs(): in the owner's section, pop main; anything else
 * (main empty, not the owner) out of line.
 */
static __attribute__((always_inline)) inline void *
ksl_sheaf_alloc_fast(struct kmem_cache *s, gfp_t gfp)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	struct slab_sheaf *main;
	unsigned long size; /* 64-bit: an index with no extension */
	void *obj;

	if (unlikely(!ksl_own_enter(own)))
		return ksl_sheaf_alloc_slow(s, gfp);
	main = ksl_this_pcs(s)->main;
	size = main->size;
	if (unlikely(!size))
		return ksl_sheaf_alloc_refill_in(s, gfp);
	obj = main->objects[size - 1];
	ksl_sheaf_size_add(main, -1);
	ksl_own_leave(own);
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_zero_object(s, obj);
	return obj;
}

/* slab->slab_cache == s: a relaxed load, compared in memory on x86-64 */
static __attribute__((always_inline)) inline bool
ksl_slab_cache_is(const struct slab *slab, const struct kmem_cache *s)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	bool eq;

	__asm__("cmpq %2, %1" : "=@ccz"(eq) : "m"(slab->slab_cache), "r"(s));
	return eq;
#else
	return __atomic_load_n(&slab->slab_cache, __ATOMIC_RELAXED) == s;
#endif
}

/*
 * free_to_pcs(): obj checked to be an object start of a slab of s (the
 * kernel's virt_to_slab(), plus kslab's checks), then pushed on main in
 * the owner's section; a full main, or not the owner, out of line.
 */
static __attribute__((always_inline)) inline void
ksl_sheaf_free_fast(struct kmem_cache *s, void *obj)
{
	uintptr_t pa = (uintptr_t)obj - (uintptr_t)ksl_mm.phys_base;
	struct ksl_cpu_own *own;
	struct slab_sheaf *main;
	struct slab *slab;
	unsigned long size; /* 64-bit: an index with no extension */

	/* a struct page whose slab_cache is s is a head page of a slab of
	 * s (nothing else stores a cache there); a tail page, or anything
	 * else, takes the full lookup */
	if (unlikely(pa >= ksl_mm.phys_end))
		goto bad;
	slab = (struct slab *)(ksl_mm.mem_map + (pa >> ksl_mm.page_shift));
	if (unlikely(!ksl_slab_cache_is(slab, s)))
		goto bad;
	if (unlikely(!obj_in_head(s, slab, obj)))
		goto bad;
	own = ksl_tls.own;
	if (unlikely(!ksl_own_enter(own))) {
		ksl_sheaf_free_slow(s, obj);
		return;
	}
	main = ksl_this_pcs(s)->main;
	size = main->size;
	/* the top object (of an empty sheaf: its size and node, never obj;
	 * integer arithmetic, so that no pointer goes out of the object) */
	if (unlikely(size == s->sheaf_capacity ||
		     *(void **)((uintptr_t)main->objects +
				(uintptr_t)size * sizeof(void *) -
				sizeof(void *)) == obj)) {
		ksl_sheaf_free_full_in(s, obj);
		return;
	}
	main->objects[size] = obj;
	ksl_sheaf_size_add(main, 1);
	ksl_own_leave(own);
	return;
bad:
	ksl_sheaf_free_bad(s, obj);
}

#endif /* KSLAB_SLAB_SHEAF_H */
