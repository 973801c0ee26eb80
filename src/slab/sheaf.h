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
 * Locking: a CPU's sheaves (s->cpu_slab[cpu].pcs) belong to the CPU's
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

static inline struct slab_sheaf **sheaf_next(struct slab_sheaf *sheaf)
{
	return (struct slab_sheaf **)&sheaf->kslab_link[0];
}

/* a CPU's sheaves, and the calling thread's CPU's (valid as
 * ksl_this_cpu_slab()) */
static inline struct slub_percpu_sheaves *ksl_pcs(struct kmem_cache *s,
						  unsigned int cpu)
{
	return &s->cpu_slab[cpu].pcs;
}

static inline struct slub_percpu_sheaves *ksl_this_pcs(struct kmem_cache *s)
{
	return &ksl_this_cpu_slab(s)->pcs;
}

/* main's objects (its size while it is main) */
static inline unsigned int pcs_main_size(const struct slub_percpu_sheaves *pcs)
{
	return (unsigned int)(pcs->top - pcs->base);
}

/* sheaf becomes main (CPU held) */
static inline void pcs_set_main(const struct kmem_cache *s,
				struct slub_percpu_sheaves *pcs,
				struct slab_sheaf *sheaf)
{
	pcs->main = sheaf;
	pcs->base = sheaf->objects;
	pcs->top = sheaf->objects + sheaf->size;
	pcs->end = sheaf->objects + s->sheaf_capacity;
}

/* main with its size written back, to go elsewhere (CPU held; the
 * caller installs another main, or keeps this one) */
static inline struct slab_sheaf *pcs_put_main(struct slub_percpu_sheaves *pcs)
{
	pcs->main->size = pcs_main_size(pcs);
	return pcs->main;
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
void *ksl_sheaf_alloc_zeroed(struct kmem_cache *s, gfp_t gfp);
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

/* pcs->top += d slots by one add in memory on x86-64 (the fast paths
 * keep the old top in a register, with no copy to change) */
static __attribute__((always_inline)) inline void
ksl_pcs_top_add(struct slub_percpu_sheaves *pcs, long d)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	__asm__("addq %1, %0"
		: "+m"(pcs->top)
		: "er"(d * (long)sizeof(void *)));
#else
	pcs->top += d;
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
	struct slub_percpu_sheaves *pcs;
	void **top;
	void *obj;

	/* a tail call, so no frame: memory to clear */
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_sheaf_alloc_zeroed(s, gfp);
	if (unlikely(!ksl_own_enter(own)))
		return ksl_sheaf_alloc_slow(s, gfp);
	pcs = ksl_this_pcs(s);
	top = pcs->top;
	if (unlikely(top == pcs->base))
		return ksl_sheaf_alloc_refill_in(s, gfp);
	obj = ksl_in_ret_reg(*(void **)((uintptr_t)top - sizeof(void *)));
	ksl_pcs_top_add(pcs, -1);
	ksl_own_leave(own);
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
 * Is obj an object start of a slab of s in the first page of its struct
 * page: a struct page whose slab_cache is s (a head page of a slab of s:
 * nothing else stores a cache there), and one multiply and compare. A
 * tail page, or anything else, is false: the full lookup.
 */
static __attribute__((always_inline)) inline bool
ksl_sheaf_obj_in_page(struct kmem_cache *s, void *obj)
{
	uintptr_t pa = (uintptr_t)obj - (uintptr_t)ksl_mm.phys_base;
	struct slab *slab;

	if (unlikely(pa >= ksl_mm.phys_end))
		return false;
	slab = (struct slab *)(ksl_mm.mem_map + (pa >> ksl_mm.page_shift));
	return ksl_slab_cache_is(slab, s) && obj_in_head(s, slab, obj);
}

/*
 * Push obj on main unless it is main's top object (a double free) or
 * main is full (out of line), in the owner's section (left here). The
 * top object of an empty main is its size and node: never obj, and
 * harmless (the slow path tests again); integer arithmetic, so that no
 * pointer goes out of the array. copy numbers the inlined copies, so
 * that the compiler does not merge them (a jump more on one path).
 */
static __attribute__((always_inline)) inline void
ksl_sheaf_push(struct kmem_cache *s, struct kmem_cache_cpu *c, void *obj,
	       struct ksl_cpu_own *own, int copy)
{
	void **top = c->pcs.top;

#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	if (copy == 1)
		__asm__("# sheaf push 1" : "+r"(top));
	else
		__asm__("# sheaf push 2" : "+r"(top));
#else
	(void)copy;
#endif
	if (unlikely(*(void **)((uintptr_t)top - sizeof(void *)) == obj ||
		     top == c->pcs.end)) {
		ksl_sheaf_free_full_in(s, obj);
		return;
	}
	*top = obj;
	ksl_pcs_top_add(&c->pcs, 1);
	ksl_own_leave(own);
}

/*
 * free_to_pcs(): in the owner's section, obj checked to be an object
 * start of a slab of s (the kernel's virt_to_slab(), plus kslab's
 * checks), then pushed on main. The check tries the CPU's active slab
 * first, as the classic free does (its range and one multiply: c->base
 * and c->span are kept right by the CPU slab's code, span 0 with none),
 * then the struct page. A full main, its top object, not the owner, or
 * anything the struct page does not tell: out of line.
 */
static __attribute__((always_inline)) inline void
ksl_sheaf_free_fast(struct kmem_cache *s, void *obj)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	struct kmem_cache_cpu *c;
	unsigned long off;

	if (unlikely(!ksl_own_enter(own))) {
		ksl_sheaf_free_bad(s, obj);
		return;
	}
	c = ksl_this_cpu_slab(s);
	off = (unsigned long)((char *)obj - c->base);
	if (likely(off < c->span && obj_aligned_fast(s, off))) {
		ksl_sheaf_push(s, c, obj, own, 1);
		return;
	}
	if (likely(ksl_sheaf_obj_in_page(s, obj))) {
		ksl_sheaf_push(s, c, obj, own, 2);
		return;
	}
	ksl_own_leave(own);
	ksl_sheaf_free_bad(s, obj);
}

#endif /* KSLAB_SLAB_SHEAF_H */
