// SPDX-License-Identifier: MIT
/*
 * Sheaves (6.18 mm/slub.c): the per-CPU main and spare sheaves of a cache
 * created with sheaf_capacity, their exchange with the barn, the
 * prefilled-sheaf API, the RCU sheaf of kvfree_rcu(), flushing, and the
 * life of a cache's sheaves. The paths and their order are in sheaf.h;
 * the fast paths (pop from / push to main) are inline there.
 *
 * Invariants: pcs->main is never NULL while the cache lives, and its
 * objects are pcs->base..pcs->top (main->size is stale while it is main:
 * pcs_put_main() writes it back before main goes anywhere else); a sheaf is
 * in exactly one place (a CPU's main, spare or rcu_free, the barn, a
 * caller's prefilled sheaf, an RCU callback, or a local variable of a
 * path that let the CPU go); every object in a sheaf is allocated as far
 * as its slab knows, so /proc/slabinfo counts it active, as the kernel.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/urcu-memb.h>
#include <kslab/kmalloc.h>
#include "slab/sheaf.h"
#include "slab/failslab.h"

/* ---- sheaves' memory and the slabs behind them ------------------------- */

static size_t sheaf_bytes(unsigned int capacity)
{
	return sizeof(struct slab_sheaf) + (size_t)capacity * sizeof(void *);
}

/*
 * A kmalloc cache's sheaf is itself a kmalloc object: the allocation
 * carries __GFP_NO_OBJ_EXT, and a sheaf asked for with it is refused, so
 * that a kmalloc cache that needs a sheaf to serve one falls back to its
 * slabs (mainline's __alloc_empty_sheaf(); kslab.sheaves=all).
 */
struct slab_sheaf *ksl_alloc_empty_sheaf(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_sheaf *sheaf;

	if (gfp & __GFP_NO_OBJ_EXT)
		return NULL;
	if (s->flags & SLAB_KMALLOC)
		gfp |= __GFP_NO_OBJ_EXT;
	sheaf = kzalloc(sheaf_bytes(s->sheaf_capacity), gfp);

	if (sheaf)
		sheaf->cache = s;
	return sheaf;
}

/* set while the machine shuts down: its memory goes as a whole, and a
 * sheaf's kmalloc cache may be gone before the cache it served (under
 * kslab.sheaves=all the kmalloc caches' sheaves are kmalloc objects) */
static bool sheaves_dropping;

void ksl_sheaves_drop_memory(bool on)
{
	__atomic_store_n(&sheaves_dropping, on, __ATOMIC_RELAXED);
}

void ksl_free_empty_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	(void)s;
	if (!__atomic_load_n(&sheaves_dropping, __ATOMIC_RELAXED))
		kfree(sheaf);
}

/* the free pointer of a free object at offset, stored XORed with key
 * (s->random: get_fp()) (poisoned under ASan) */
static inline ksl_no_asan void *take_fp(void *obj, unsigned int offset,
					unsigned long key)
{
	return (void *)(*(unsigned long *)((char *)obj + offset) ^ key);
}

/*
 * nr objects from the slabs, all or none (__kmem_cache_alloc_bulk()):
 * the CPU freelist popped with the CPU held once, the classic path for
 * each refill.
 */
static unsigned int slabs_alloc(struct kmem_cache *s, gfp_t gfp,
				unsigned int nr, void **p)
{
	struct ksl_cpu_hold h;
	unsigned int i = 0;

	gfp &= ~__GFP_ZERO;
	if (s->nocpu) {
		i = ksl_nocpu_refill(s, gfp, nr, nr, p);
		if (i == nr)
			return nr;
		ksl_sheaf_objects_to_slabs(s, i, p);
		return 0;
	}
	while (i < nr) {
		/* the list head, the key and the offset in registers: p[]
		 * and the objects' free pointers may alias c->freelist and
		 * s as far as C knows */
		unsigned long key = s->random;
		unsigned int offset = s->offset;
		void **q = p + i, **end = p + nr;
		void *obj;

		ksl_hold_cpu(s, &h);
		obj = h.c->freelist;
		while (q < end && obj) {
			*q++ = obj;
			obj = take_fp(obj, offset, key);
		}
		h.c->freelist = obj;
		ksl_release_cpu(&h);
		i = (unsigned int)(q - p);
		if (i == nr)
			break;
		p[i] = ksl_slab_alloc_classic(s, gfp, _RET_IP_);
		if (unlikely(!p[i])) {
			while (i--)
				ksl_slab_free_fast(s, NULL, p[i], _RET_IP_);
			return 0;
		}
		i++;
	}
	return nr;
}

/* the free pointer of obj set to fp, at offset, XORed with key (s->random:
 * set_fp()) (poisoned under ASan) */
static inline ksl_no_asan void put_fp(void *obj, unsigned int offset, void *fp,
				      unsigned long key)
{
	*(unsigned long *)((char *)obj + offset) = (unsigned long)fp ^ key;
}

/*
 * The objects from q on (to end) pushed onto *list while they are object
 * starts of the slab at base (span bytes; ksl_push_if_in()'s tests, with
 * the list head, the free pointer offset and the magic kept in
 * registers): where the first that is not is.
 */
static __attribute__((always_inline)) inline void **
push_run(const struct kmem_cache *s, void **q, void **end, const char *base,
	 unsigned long span, void **list)
{
	uint64_t magic = s->div_magic;
	unsigned long key = s->random;
	unsigned int offset = s->offset;
	void **first = q;
	void *head = *list;

	for (; q < end; q++) {
		void *obj = *q;
		unsigned long off = (unsigned long)((char *)obj - base);

		ksl_kasan_free(obj);
		if (off >= span || off * magic >= magic || obj == head)
			break;
		put_fp(obj, offset, head, key);
		head = obj;
	}
	/* nothing pushed: no store (list may be the shared ksl_no_slab's) */
	if (q != first)
		*list = head;
	return q;
}

/*
 * p[i..nr) through the CPU slab, in one owner's section while they go to
 * the active slab or the last one freed into (ksl_slab_free_held()'s
 * tests); the first that does not takes ksl_slab_free_run_in(), which
 * leaves the section. Returns the index after the last object freed.
 */
static unsigned int objects_to_cpu_slab(struct kmem_cache *s, unsigned int i,
					unsigned int nr, void **p)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	void **q = p + i, **end = p + nr;
	struct kmem_cache_cpu *c;

	if (unlikely(!ksl_own_enter(own))) {
		ksl_slab_free_fast(s, NULL, p[i], _RET_IP_);
		return i + 1;
	}
	c = ksl_this_cpu_slab(s);
	for (;;) {
		struct slab *last;
		void **r;

		q = push_run(s, q, end, c->base, c->span, &c->freelist);
		if (q == end)
			break;
		last = c->last_local;
		r = push_run(s, q, end, (const char *)last->base, last->span,
			     &last->local_free);
		if (r == q)
			return ksl_slab_free_run_in(s, p, (unsigned int)(q - p),
						    nr, _RET_IP_);
		last->local_nr += (unsigned int)(r - q);
		q = r;
		if (q == end)
			break;
	}
	ksl_own_leave(own);
	return nr;
}

/* objects of sheaves back to their slabs: the node's (no CPU slab), or
 * through the CPU slab (6.18) */
void ksl_sheaf_objects_to_slabs(struct kmem_cache *s, unsigned int nr, void **p)
{
	if (s->nocpu) {
		for (unsigned int i = 0; i < nr; i++)
			ksl_nocpu_free(s, p[i], _RET_IP_);
		return;
	}
	for (unsigned int i = 0; i < nr;)
		i = objects_to_cpu_slab(s, i, nr, p);
}

/*
 * A cache without sheaves may still be given a prefilled sheaf (an
 * oversize one, as 6.18's kmem_cache_prefill_sheaf() gives): its objects
 * come and go through the checked bulk calls, so that slub_debug's
 * checks, red zones, tracking and ASan's poisoning see them, as the
 * kernel's __kmem_cache_alloc_bulk()/__kmem_cache_free_bulk() of a
 * debugged cache take its slow paths.
 */
static bool sheaf_objs_checked(const struct kmem_cache *s)
{
	return !s->sheaf_capacity || (s->flags & SLAB_DEBUG_FLAGS);
}

static unsigned int sheaf_objs_alloc(struct kmem_cache *s, gfp_t gfp,
				     unsigned int nr, void **p)
{
	if (sheaf_objs_checked(s))
		return kmem_cache_alloc_bulk(s, gfp & ~__GFP_ZERO, nr, p) ? nr :
									    0;
	return slabs_alloc(s, gfp, nr, p);
}

static void slabs_free(struct kmem_cache *s, unsigned int nr, void **p)
{
	if (sheaf_objs_checked(s))
		kmem_cache_free_bulk(s, nr, p);
	else
		ksl_sheaf_objects_to_slabs(s, nr, p);
}

/* to capacity; what could be had is kept (no CPU slab: refill_sheaf()
 * of mainline), or nothing (6.18's all-or-nothing bulk allocation) */
static int refill_sheaf(struct kmem_cache *s, struct slab_sheaf *sheaf,
			gfp_t gfp)
{
	unsigned int to_fill = s->sheaf_capacity - sheaf->size;
	void **p = &sheaf->objects[sheaf->size];

	if (!to_fill)
		return 0;
	if (s->nocpu)
		sheaf->size += ksl_nocpu_refill(s, gfp & ~__GFP_ZERO, to_fill,
						to_fill, p);
	else
		sheaf->size += slabs_alloc(s, gfp, to_fill, p);
	return sheaf->size < s->sheaf_capacity ? -ENOMEM : 0;
}

static struct slab_sheaf *alloc_full_sheaf(struct kmem_cache *s, gfp_t gfp)
{
	struct slab_sheaf *sheaf = ksl_alloc_empty_sheaf(s, gfp);

	if (sheaf && refill_sheaf(s, sheaf, gfp)) {
		ksl_sheaf_flush_unused(s,
				       sheaf); /* what a partial refill got */
		ksl_free_empty_sheaf(s, sheaf);
		return NULL;
	}
	return sheaf;
}

/* every object of a sheaf nobody else sees back to the slabs */
void ksl_sheaf_flush_unused(struct kmem_cache *s, struct slab_sheaf *sheaf)
{
	slabs_free(s, sheaf->size, sheaf->objects);
	sheaf->size = 0;
}

/* the held CPU's sheaves */
static struct slub_percpu_sheaves *pcs_of(struct kmem_cache *s,
					  const struct ksl_cpu_hold *h)
{
	(void)s;
	return &h->c->pcs;
}

/*
 * Free main's objects to the slabs, KSL_PCS_BATCH_MAX at a time copied
 * out with the CPU held, freed with it let go (CPU held on entry,
 * released on return).
 */
static void sheaf_flush_main(struct kmem_cache *s, struct ksl_cpu_hold *h)
{
	void *batch[KSL_PCS_BATCH_MAX];
	unsigned int nr, left;

	for (;;) {
		struct slub_percpu_sheaves *pcs = pcs_of(s, h);

		nr = ksl_min(KSL_PCS_BATCH_MAX, pcs_main_size(pcs));
		pcs->top -= nr;
		memcpy(batch, pcs->top, nr * sizeof(void *));
		left = pcs_main_size(pcs);
		ksl_release_cpu(h);
		slabs_free(s, nr, batch);
		if (!left)
			return;
		ksl_hold_cpu(s, h);
	}
}

/* ---- allocation ---------------------------------------------------------- */

/*
 * main is empty (CPU held): a spare with objects, a full sheaf of the
 * barn, or (gfp may block) a sheaf refilled from the slabs with the CPU
 * let go. true: main has objects, CPU held; false: CPU released.
 */
static bool replace_empty_main(struct kmem_cache *s, struct ksl_cpu_hold *h,
			       gfp_t gfp)
{
	struct slub_percpu_sheaves *pcs = pcs_of(s, h);
	struct node_barn *barn = s->node.barn;
	struct slab_sheaf *empty = NULL, *full;
	bool can_alloc = gfp & __GFP_DIRECT_RECLAIM;

	if (pcs->spare && pcs->spare->size) {
		full = pcs->spare;
		pcs->spare = pcs_put_main(pcs);
		pcs_set_main(s, pcs, full);
		return true;
	}
	full = ksl_barn_replace_empty(barn, pcs_put_main(pcs));
	if (full) {
		pcs_set_main(s, pcs, full);
		return true;
	}
	if (can_alloc) {
		if (pcs->spare) {
			empty = pcs->spare;
			pcs->spare = NULL;
		} else {
			empty = ksl_barn_get_empty(barn);
		}
	}
	ksl_release_cpu(h);
	if (!can_alloc)
		return false;
	if (empty) {
		if (!refill_sheaf(s, empty, gfp)) {
			full = empty;
		} else { /* very low on memory */
			ksl_sheaf_flush_unused(s, empty);
			ksl_free_empty_sheaf(s, empty);
		}
	} else {
		full = alloc_full_sheaf(s, gfp);
	}
	if (!full)
		return false;
	ksl_hold_cpu(s, h);
	pcs = pcs_of(s, h);
	/* the CPU was let go: its sheaves may have changed (a flush) */
	if (!pcs_main_size(pcs)) {
		/* mainline keeps the empty main as the spare when there is
		 * none (6.18 gave it to the barn) */
		if (s->nocpu && !pcs->spare)
			pcs->spare = pcs_put_main(pcs);
		else
			ksl_barn_put_empty(barn, pcs_put_main(pcs));
		pcs_set_main(s, pcs, full);
	} else if (!pcs->spare) {
		pcs->spare = full;
	} else if (!pcs->spare->size) {
		ksl_barn_put_empty(barn, pcs->spare);
		pcs->spare = full;
	} else {
		ksl_barn_put_full(barn, full);
	}
	return true;
}

__attribute__((noinline)) void *ksl_sheaf_alloc_held(struct kmem_cache *s,
						     struct ksl_cpu_hold *h,
						     gfp_t gfp,
						     unsigned long caller)
{
	struct slub_percpu_sheaves *pcs = pcs_of(s, h);
	void *obj;

	if (pcs->top == pcs->base) {
		if (!replace_empty_main(s, h, gfp))
			return s->nocpu ?
				       ksl_nocpu_alloc(s, gfp, caller) :
				       ksl_slab_alloc_classic(s, gfp, caller);
		pcs = pcs_of(s, h);
	}
	obj = *--pcs->top;
	ksl_release_cpu(h);
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_zero_object(s, obj);
	return obj;
}

/* main empty, in the owner's section */
__attribute__((noinline)) void *ksl_sheaf_alloc_refill_in(struct kmem_cache *s,
							  gfp_t gfp)
{
	unsigned long caller = _RET_IP_;
	struct ksl_cpu_hold h = { ksl_this_cpu_slab(s), ksl_tls.own, NULL };

	return ksl_sheaf_alloc_held(s, &h, gfp, caller);
}

__attribute__((noinline)) void *ksl_sheaf_alloc_slow(struct kmem_cache *s,
						     gfp_t gfp)
{
	unsigned long caller = _RET_IP_;
	struct ksl_cpu_hold h;

	ksl_hold_cpu(s, &h);
	return ksl_sheaf_alloc_held(s, &h, gfp, caller);
}

/* ---- free ------------------------------------------------------------------ */

/* main was full and an empty sheaf got meanwhile (CPU held again) */
static void install_empty(struct kmem_cache *s, struct slub_percpu_sheaves *pcs,
			  struct slab_sheaf *empty)
{
	struct node_barn *barn = s->node.barn;
	struct slab_sheaf *t;

	if (!pcs->spare) {
		pcs->spare = pcs_put_main(pcs);
		pcs_set_main(s, pcs, empty);
	} else if (pcs->top != pcs->end) {
		ksl_barn_put_empty(barn, empty);
	} else if (pcs->spare->size < s->sheaf_capacity) {
		t = pcs_put_main(pcs);
		pcs_set_main(s, pcs, pcs->spare);
		pcs->spare = t;
		ksl_barn_put_empty(barn, empty);
	} else {
		ksl_barn_put_full(barn, pcs_put_main(pcs));
		pcs_set_main(s, pcs, empty);
	}
}

/*
 * main is full (CPU held): an empty spare-or-not-full spare, an empty
 * sheaf of the barn for it, the full spare flushed when the barn has
 * enough full ones, a new sheaf, or main flushed. true: main has room,
 * CPU held; false: CPU released.
 */
static bool replace_full_main(struct kmem_cache *s, struct ksl_cpu_hold *h)
{
	struct node_barn *barn = s->node.barn;
	struct slub_percpu_sheaves *pcs;
	struct slab_sheaf *empty, *t;
	int err;

restart:
	pcs = pcs_of(s, h);
	if (!pcs->spare) {
		empty = ksl_barn_get_empty(barn);
		if (empty) {
			pcs->spare = pcs_put_main(pcs);
			pcs_set_main(s, pcs, empty);
			return true;
		}
		goto alloc_empty;
	}
	if (pcs->spare->size < s->sheaf_capacity) {
		t = pcs_put_main(pcs);
		pcs_set_main(s, pcs, pcs->spare);
		pcs->spare = t;
		return true;
	}
	empty = ksl_barn_replace_full(barn, pcs_put_main(pcs), &err);
	if (empty) {
		pcs_set_main(s, pcs, empty);
		return true;
	}
	if (err == -E2BIG) {
		empty = pcs->spare; /* full: flushed and reused */
		pcs->spare = NULL;
		ksl_release_cpu(h);
		ksl_sheaf_flush_unused(s, empty);
		goto got_empty;
	}
alloc_empty:
	ksl_release_cpu(h);
	empty = ksl_alloc_empty_sheaf(s, GFP_NOWAIT);
	if (empty)
		goto got_empty;
	ksl_hold_cpu(s, h);
	sheaf_flush_main(s, h);
	ksl_hold_cpu(s, h);
	if (pcs_of(s, h)->top == pcs_of(s, h)->end)
		goto restart;
	return true;
got_empty:
	ksl_hold_cpu(s, h);
	install_empty(s, pcs_of(s, h), empty);
	return true;
}

__attribute__((noinline)) void ksl_sheaf_free_held(struct kmem_cache *s,
						   struct ksl_cpu_hold *h,
						   void *obj,
						   unsigned long caller)
{
	struct slub_percpu_sheaves *pcs = pcs_of(s, h);

	/* the object just freed (before main is replaced) */
	if (unlikely(pcs->top != pcs->base && pcs->top[-1] == obj)) {
		ksl_release_cpu(h);
		ksl_double_free(s, obj, caller);
		return;
	}
	if (pcs->top == pcs->end) {
		if (!replace_full_main(s, h)) {
			if (s->nocpu)
				ksl_nocpu_free(s, obj, caller);
			else
				ksl_slab_free_fast(s, NULL, obj, caller);
			return;
		}
		pcs = pcs_of(s, h);
	}
	*pcs->top++ = obj;
	ksl_release_cpu(h);
}

/*
 * The fast path could not tell obj is s's (not in the CPU's active slab,
 * and its struct page not a head page of a slab of s), or the thread is
 * not its CPU's owner: the full lookup (an object in a tail page of a
 * larger slab goes to the sheaf, under the CPU lock when not the owner);
 * anything else is the checked path, which reports it (and frees a wrong
 * cache's object to its own cache).
 */
__attribute__((noinline)) void ksl_sheaf_free_bad(struct kmem_cache *s,
						  void *obj)
{
	unsigned long caller = _RET_IP_;
	struct slab *slab = ksl_slab_of_fast(obj);
	unsigned long off;

	if (slab && slab->slab_cache == s) {
		off = (unsigned long)((char *)obj - (char *)slab->base);
		if (off < slab->span && obj_aligned(s, off)) {
			ksl_sheaf_free_slow(s, obj);
			return;
		}
	}
	ksl_slab_free_checked(s, obj, caller);
}

/* main full or obj at its top, in the owner's section */
__attribute__((noinline)) void ksl_sheaf_free_full_in(struct kmem_cache *s,
						      void *obj)
{
	unsigned long caller = _RET_IP_;
	struct ksl_cpu_hold h = { ksl_this_cpu_slab(s), ksl_tls.own, NULL };

	ksl_sheaf_free_held(s, &h, obj, caller);
}

__attribute__((noinline)) void ksl_sheaf_free_slow(struct kmem_cache *s,
						   void *obj)
{
	unsigned long caller = _RET_IP_;
	struct ksl_cpu_hold h;

	ksl_hold_cpu(s, &h);
	ksl_sheaf_free_held(s, &h, obj, caller);
}

/* __GFP_ZERO: the object cleared (the fast path keeps no frame) */
__attribute__((noinline)) void *ksl_sheaf_alloc_zeroed(struct kmem_cache *s,
						       gfp_t gfp)
{
	return ksl_zero_object(s, ksl_sheaf_alloc_fast(s, gfp & ~__GFP_ZERO));
}

/* failslab armed: asked first, as slab_pre_alloc_hook() before
 * alloc_from_pcs() (out of line: the fast path keeps no frame) */
static __attribute__((noinline)) void *sheaf_alloc_armed(struct kmem_cache *s,
							 gfp_t gfp)
{
	if (ksl_should_failslab(s, gfp))
		return NULL;
	return ksl_sheaf_alloc_fast(s, gfp);
}

__attribute__((noinline)) void *ksl_sheaf_alloc(struct kmem_cache *s, gfp_t gfp)
{
	if (unlikely(__atomic_load_n(&ksl_failslab_armed, __ATOMIC_RELAXED)))
		return sheaf_alloc_armed(s, gfp);
	return ksl_sheaf_alloc_fast(s, gfp);
}

__attribute__((noinline)) void ksl_sheaf_free(struct kmem_cache *s, void *obj)
{
	ksl_sheaf_free_fast(s, obj);
}

/* ---- prefilled sheaves ------------------------------------------------------ */

static struct slab_sheaf *prefill_oversize(struct kmem_cache *s, gfp_t gfp,
					   unsigned int size)
{
	struct slab_sheaf *sheaf = kzalloc(sheaf_bytes(size), gfp);

	if (!sheaf)
		return NULL;
	sheaf->cache = s;
	sheaf->capacity = size;
	if (!sheaf_objs_alloc(s, gfp, size, sheaf->objects)) {
		kfree(sheaf);
		return NULL;
	}
	sheaf->size = size;
	return sheaf;
}

struct slab_sheaf *kmem_cache_prefill_sheaf(struct kmem_cache *s, gfp_t gfp,
					    unsigned int size)
{
	struct slab_sheaf *sheaf = NULL;
	struct ksl_cpu_hold h;

	if (!s)
		return NULL;
	if (size > s->sheaf_capacity || !s->cpu_sheaves) {
		if (!s->sheaf_capacity && !(s->flags & SLAB_DEBUG_FLAGS))
			ksl_pr_ratelimited(
				10,
				"WARNING: kmem_cache_prefill_sheaf(%s): the cache has no sheaves",
				s->name);
		return prefill_oversize(s, gfp, size);
	}
	ksl_hold_cpu(s, &h);
	sheaf = pcs_of(s, &h)->spare;
	if (sheaf)
		pcs_of(s, &h)->spare = NULL;
	else
		sheaf = ksl_barn_get_full_or_empty(s->node.barn);
	ksl_release_cpu(&h);
	if (!sheaf)
		sheaf = ksl_alloc_empty_sheaf(s, gfp);
	if (sheaf && sheaf->size < size && refill_sheaf(s, sheaf, gfp)) {
		ksl_sheaf_flush_unused(s, sheaf);
		ksl_free_empty_sheaf(s, sheaf);
		sheaf = NULL;
	}
	if (sheaf)
		sheaf->capacity = s->sheaf_capacity;
	return sheaf;
}

void kmem_cache_return_sheaf(struct kmem_cache *s, gfp_t gfp,
			     struct slab_sheaf *sheaf)
{
	struct node_barn *barn;
	struct ksl_cpu_hold h;

	if (!s || !sheaf)
		return;
	if (sheaf->capacity != s->sheaf_capacity || !s->cpu_sheaves) {
		ksl_sheaf_flush_unused(s, sheaf);
		kfree(sheaf);
		return;
	}
	barn = s->node.barn;
	ksl_hold_cpu(s, &h);
	if (!pcs_of(s, &h)->spare) {
		pcs_of(s, &h)->spare = sheaf;
		sheaf = NULL;
	}
	ksl_release_cpu(&h);
	if (!sheaf)
		return;
	if (__atomic_load_n(&barn->nr_full, __ATOMIC_RELAXED) >=
		    KSL_MAX_FULL_SHEAVES ||
	    refill_sheaf(s, sheaf, gfp)) {
		ksl_sheaf_flush_unused(s, sheaf);
		ksl_free_empty_sheaf(s, sheaf);
		return;
	}
	ksl_barn_put_full(barn, sheaf);
}

int kmem_cache_refill_sheaf(struct kmem_cache *s, gfp_t gfp,
			    struct slab_sheaf **sheafp, unsigned int size)
{
	struct slab_sheaf *sheaf;

	if (!s || !sheafp || !*sheafp)
		return -EINVAL;
	sheaf = *sheafp;
	if (sheaf->size >= size)
		return 0;
	if (sheaf->capacity >= size) {
		if (sheaf->capacity == s->sheaf_capacity && s->cpu_sheaves)
			return refill_sheaf(s, sheaf, gfp);
		if (!sheaf_objs_alloc(s, gfp, sheaf->capacity - sheaf->size,
				      &sheaf->objects[sheaf->size]))
			return -ENOMEM;
		sheaf->size = sheaf->capacity;
		return 0;
	}
	sheaf = kmem_cache_prefill_sheaf(s, gfp, size);
	if (!sheaf)
		return -ENOMEM;
	kmem_cache_return_sheaf(s, gfp, *sheafp);
	*sheafp = sheaf;
	return 0;
}

void *kmem_cache_alloc_from_sheaf(struct kmem_cache *s, gfp_t gfp,
				  struct slab_sheaf *sheaf)
{
	void *obj;

	if (!s || !sheaf || !sheaf->size)
		return NULL;
	obj = sheaf->objects[--sheaf->size];
	if (gfp & __GFP_ZERO)
		memset(obj, 0, s->object_size);
	return obj;
}

unsigned int kmem_cache_sheaf_size(struct slab_sheaf *sheaf)
{
	return sheaf ? sheaf->size : 0;
}
