// SPDX-License-Identifier: MIT
/*
 * Slabs with no per-CPU slab in front of them (kslab.sheaves=all): the
 * design of mainline mm/slub.c after 6.18 (Linux 7.0, "slab: replace cpu
 * (partial) slabs with sheaves"), where a cache's per-CPU sheaves refill
 * straight from the node's slabs and flush straight back to them, and a
 * cache without sheaves (the boot caches) takes every object from a slab
 * of the node list and gives it back there.
 *
 *   ksl_nocpu_alloc():  one object of the first node-partial slab (it
 *                       leaves the list once full), else a new slab, its
 *                       first object taken, the slab at the head of the
 *                       list (___slab_alloc(), alloc_from_new_slab())
 *   ksl_nocpu_refill(): whole freelists of node-partial slabs, from the
 *                       head, until max objects (what a slab has beyond
 *                       them goes back, the slab to the list's tail);
 *                       then new slabs, the rest of the last one on the
 *                       list's head (refill_objects())
 *   ksl_nocpu_free():   one CAS of the slab word when the slab stays on
 *                       the list; a full slab goes to the list's tail, an
 *                       emptied one is discarded once the node has
 *                       min_partial others (__slab_free())
 *
 * Invariants: such a slab is never FROZEN (no CPU owns one); it is
 * NODE_PARTIAL (on the list, free objects in its freelist) or FULL (no
 * free object, on no list). Every list change, and every change of the
 * slab word that goes with one, is made under n->list_lock; a free that
 * changes no list is one CAS without it. Taking objects out of a slab
 * (a pop, or the whole freelist) happens under list_lock, so two takers
 * never race; remote frees only push. Pages are allocated and freed with
 * no lock held.
 */
#include "slab/sheaf.h"

static struct slab *new_slab(struct kmem_cache *s, gfp_t gfp,
			     unsigned long caller)
{
	struct slab *slab;

	if (unlikely(gfp & GFP_SLAB_BUG_MASK))
		gfp = ksl_slab_fix_gfp(s->name, gfp, caller);
	slab = ksl_allocate_slab(s, gfp & ~__GFP_ZERO);
	if (!slab)
		ksl_slab_oom(s, gfp);
	return slab;
}

/* onto the list's tail (list_lock held) */
static void add_partial_tail(struct kmem_cache_node *n, struct slab *slab)
{
	struct slab *last = n->partial_tail;

	if (!last) {
		ksl_add_partial(n, slab);
		return;
	}
	ksl_set_state(slab, SLAB_NODE_PARTIAL);
	slab->next = NULL;
	slab->prev = last;
	last->next = slab;
	n->partial_tail = slab;
	n->nr_partial++;
}

/*
 * Up to nr objects of a slab nobody else takes from (a new one, or one
 * whose freelist was taken): the chain from head, the rest (if any)
 * left as the slab's freelist. Returns how many were taken, *rest the
 * first object left (NULL: none).
 */
static unsigned int take_chain(struct kmem_cache *s, void *head,
			       unsigned int nr, void **p, void **rest)
{
	unsigned int got = 0;

	while (head && got < nr) {
		p[got++] = head;
		head = get_fp(s, head);
	}
	*rest = head;
	return got;
}

/* the objects of a new slab: up to nr taken, the slab on the list's
 * head when it has more (alloc_from_new_slab()) */
static unsigned int from_new_slab(struct kmem_cache *s, struct slab *slab,
				  unsigned int nr, void **p)
{
	struct kmem_cache_node *n = &s->node;
	void *rest;
	/* the head new_slab() recorded: index 0, or a random one under
	 * kslab.freelist_random */
	unsigned int got = take_chain(
		s, idx_to_obj(s, slab, FS_HEAD(fs_load(slab))), nr, p, &rest);

	if (!rest) {
		__atomic_store_n(&slab->fstate, fs_make(0, got, SLAB_FULL),
				 __ATOMIC_RELEASE);
		return got;
	}
	__atomic_store_n(&slab->fstate,
			 fs_make(obj_to_head(s, slab, rest), got, SLAB_FULL),
			 __ATOMIC_RELEASE);
	ksl_spin_lock(&n->list_lock);
	ksl_add_partial(n, slab);
	ksl_spin_unlock(&n->list_lock);
	return got;
}

static void *alloc_done(struct kmem_cache *s, void *obj, gfp_t gfp)
{
	ksl_kasan_alloc(s, obj);
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_zero_object(s, obj);
	return obj;
}

/* one object of the first node-partial slab, or NULL (list_lock held) */
static void *pop_partial(struct kmem_cache *s, struct kmem_cache_node *n)
{
	struct slab *slab = n->partial;
	uint64_t w;
	void *obj, *next;

	if (!slab)
		return NULL;
	w = fs_load(slab);
	do {
		obj = idx_to_obj(s, slab, FS_HEAD(w));
		next = get_fp(s, obj);
	} while (!fs_cas(slab, &w,
			 fs_make(next ? obj_to_head(s, slab, next) : 0,
				 FS_INUSE(w) + 1,
				 next ? SLAB_NODE_PARTIAL : SLAB_FULL)));
	if (!next)
		ksl_remove_partial(n, slab);
	return obj;
}

void *ksl_nocpu_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *slab;
	void *obj = NULL;

	ksl_spin_lock(&n->list_lock);
	obj = pop_partial(s, n);
	ksl_spin_unlock(&n->list_lock);
	if (obj)
		return alloc_done(s, obj, gfp);
	slab = new_slab(s, gfp, caller);
	if (!slab)
		return NULL;
	from_new_slab(s, slab, 1, &obj);
	return alloc_done(s, obj, gfp);
}

/*
 * A node-partial slab's whole freelist (list_lock held): off the list,
 * FULL with every object in use, as get_freelist_nofreeze(); up to nr
 * objects taken, the rest given back with the slab to the list's tail.
 */
static unsigned int take_slab(struct kmem_cache *s, struct kmem_cache_node *n,
			      struct slab *slab, unsigned int nr, void **p)
{
	uint64_t w = fs_load(slab);
	unsigned int got, left = 0;
	void *rest, *tail = NULL;

	ksl_remove_partial(n, slab);
	while (!fs_cas(slab, &w, fs_make(0, slab->objects, SLAB_FULL)))
		;
	got = take_chain(s, idx_to_obj(s, slab, FS_HEAD(w)), nr, p, &rest);
	if (!rest)
		return got;
	for (void *o = rest; o; o = get_fp(s, o)) {
		tail = o;
		left++;
	}
	/* frees since the take wait for list_lock (the slab was FULL) */
	w = fs_load(slab);
	do
		set_fp(s, tail, idx_to_obj(s, slab, FS_HEAD(w)));
	while (!fs_cas(slab, &w,
		       fs_make(obj_to_head(s, slab, rest), FS_INUSE(w) - left,
			       SLAB_FULL)));
	add_partial_tail(n, slab);
	return got;
}

unsigned int ksl_nocpu_refill(struct kmem_cache *s, gfp_t gfp, unsigned int min,
			      unsigned int max, void **p)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int got = 0;
	struct slab *slab;

	ksl_spin_lock(&n->list_lock);
	while (got < max && (slab = n->partial))
		got += take_slab(s, n, slab, max - got, p + got);
	ksl_spin_unlock(&n->list_lock);
	while (got < min) {
		slab = new_slab(s, gfp, _RET_IP_);
		if (!slab)
			break;
		got += from_new_slab(s, slab, max - got, p + got);
	}
	for (unsigned int i = 0; i < got; i++)
		ksl_kasan_alloc(s, p[i]);
	return got;
}

/* the free that changes a list (list_lock taken here) */
static void free_locked(struct kmem_cache *s, struct slab *slab, void *obj,
			unsigned int idx, unsigned long caller)
{
	struct kmem_cache_node *n = &s->node;
	unsigned int st, inuse;
	bool discard = false;
	uint64_t w;

	ksl_spin_lock(&n->list_lock);
	w = fs_load(slab);
	do {
		st = FS_STATE(w);
		inuse = FS_INUSE(w);
		if (unlikely(FS_HEAD(w) == idx || !inuse)) {
			ksl_spin_unlock(&n->list_lock);
			ksl_double_free(s, obj, caller);
			return;
		}
		set_fp(s, obj, idx_to_obj(s, slab, FS_HEAD(w)));
	} while (!fs_cas(slab, &w, fs_make(idx, inuse - 1, st)));
	/* inuse and the list are ours now (takers hold list_lock) */
	if (inuse == 1 && n->nr_partial >= s->min_partial) {
		if (st == SLAB_NODE_PARTIAL)
			ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FULL);
		discard = true;
	} else if (st == SLAB_FULL) {
		add_partial_tail(n, slab);
	}
	ksl_spin_unlock(&n->list_lock);
	if (discard) {
		slab->next = NULL;
		ksl_discard_list(s, slab);
	}
}

void ksl_nocpu_free(struct kmem_cache *s, void *obj, unsigned long caller)
{
	struct slab *slab = ksl_slab_of_fast(obj);
	unsigned int idx = obj_to_head(s, slab, obj);
	uint64_t w = fs_load(slab);
	unsigned int head, inuse;

	ksl_kasan_free(obj);
	for (;;) {
		head = FS_HEAD(w);
		inuse = FS_INUSE(w);
		if (unlikely(head == idx || !inuse)) {
			ksl_double_free(s, obj, caller);
			return;
		}
		/* full, or about to be empty: the list changes */
		if (FS_STATE(w) != SLAB_NODE_PARTIAL || inuse == 1)
			break;
		set_fp(s, obj, idx_to_obj(s, slab, head));
		if (fs_cas(slab, &w, w - ((uint64_t)1 << 16) - head + idx))
			return;
	}
	free_locked(s, slab, obj, idx, caller);
}
