// SPDX-License-Identifier: MIT
/*
 * The free paths (mm/slub.c's do_slab_free() and __slab_free()): where a
 * freed object goes, with no lock and no atomic read-modify-write in the
 * common cases, and every check of a bad free.
 *
 *   kmem_cache_free(s, obj) / kfree(obj)
 *     owner's section?  (ksl_own_enter: one store, one compare)
 *       no  --------------------------------------> free_checked (locks)
 *       yes: obj an object start of c's active slab?  --> c->freelist
 *            of the CPU-partial slab last freed into? --> its local_free
 *            (both inline, slab_internal.h; kfree() first tries the cache
 *            of the thread's last kmalloc())
 *            else ksl_slab_free_in(), still in the section:
 *                    slab of obj, cache, object start checked
 *                    CPU-partial slab of this CPU --> push slab->local_free
 *                    any other slab --> free_remote_in(): one CAS of
 *                      slab->fstate; a full slab is frozen for this CPU
 *                      (put_cpu_partial: its first local free); an
 *                      emptied node-partial slab needs list_lock
 *                      (free_slow_locked)
 *
 *   a flushed sheaf (sheaf.c) --> ksl_slab_free_run_in(): each run of
 *     objects of one slab that is not the CPU's goes with one CAS, or, a
 *     full slab, frozen for the CPU with the run as its local list
 *     (6.18's __kmem_cache_free_bulk(), build_detached_freelist())
 *
 * A slab's free objects are in one of three lists: c->freelist (its CPU's
 * while it is active), slab->local_free (its CPU's while it is on the
 * CPU's partial list) and the slab's own freelist in slab->fstate (every
 * other free). Objects on the first two count in inuse, as in SLUB, and
 * go back to the slab's freelist when the CPU lets the slab go.
 *
 * A debugged cache (slub_debug) has no CPU lists and span-0 slabs: every
 * free of its objects reaches the checked path, then ksl_debug_free().
 * A dead cache's frees are refused there too (check_free()).
 *
 * A double free is caught when the object is at the head of the list it
 * is freed onto, or the slab has no object in use; a free of anything
 * that is not an object start of a slab of s is reported and refused (a
 * wrong cache: freed to the object's true cache).
 */
#include "slab/sheaf.h"

/* a double free seen without debugging: reported (rate-limited), counted
 * as a refused free, and the object left as it is */
__attribute__((noinline)) void ksl_double_free(struct kmem_cache *s, void *obj,
					       unsigned long caller)
{
	ksl_count_refused_free();
	ksl_pr_ratelimited(
		20, "BUG %s: double free of object %p (caller %p); refused",
		s->name, obj, (void *)caller);
}

/* a free (fn) of a pointer into slab that is not an object start, off
 * bytes into it: reported (rate-limited), counted, refused */
__attribute__((noinline)) void ksl_refuse_interior(const char *fn,
						   struct kmem_cache *s,
						   const struct slab *slab,
						   void *obj, unsigned long off,
						   unsigned long caller)
{
	ksl_count_refused_free();
	ksl_pr_ratelimited(
		20,
		"%s(%s): %p is not the start of an object (offset %lu in slab %p, object size %u; caller %p); refused",
		fn, s->name, obj, off, (void *)slab, s->size, (void *)caller);
}

enum { FREED, NEEDS_LOCK, DOUBLE_FREE, FROZEN };

/*
 * A remote free that changes no list: the slab is some CPU's (frozen),
 * or node-partial and not becoming empty. One CAS. A full
 * slab (on no list) is taken for the freeing CPU in the same CAS, as the
 * kernel's __slab_free() freezes it: FROZEN, obj not yet freed, and the
 * caller puts the slab on its CPU's partial list with obj as its first
 * local free (put_cpu_partial()). NEEDS_LOCK: nothing done, the free
 * needs list_lock.
 */
static __attribute__((always_inline)) inline int
free_lockless(struct kmem_cache *s, struct slab *slab, void *obj,
	      unsigned int idx)
{
	uint64_t w = fs_load(slab);

	for (;;) {
		unsigned int st = FS_STATE(w), inuse = FS_INUSE(w);

		if (unlikely(FS_HEAD(w) == idx || !inuse))
			return DOUBLE_FREE;
		if (st == SLAB_FULL) {
			/* with no free object, nobody else may touch it but
			 * a freer, who also needs this CAS to take it */
			if (!s->cpu_partial_slabs || FS_HEAD(w))
				return NEEDS_LOCK;
			if (fs_cas(slab, &w, fs_make(0, inuse, SLAB_FROZEN)))
				return FROZEN;
			continue;
		}
		if (st == SLAB_NODE_PARTIAL && inuse == 1)
			return NEEDS_LOCK;
		set_fp(s, obj, idx_to_obj(s, slab, FS_HEAD(w)));
		if (likely(fs_cas(slab, &w,
				  w - ((uint64_t)1 << 16) - FS_HEAD(w) + idx)))
			return FREED;
	}
}

/* a slab frozen for c onto c->partial, obj its first local free */
static inline void link_cpu_partial(struct kmem_cache *s,
				    struct kmem_cache_cpu *c, struct slab *slab,
				    void *obj)
{
	set_fp(s, obj, NULL);
	slab->local_free = obj;
	slab->local_nr = 1;
	set_frozen_cpu(slab, cpu_of(s, c) + 1);
	slab->next = c->partial;
	c->partial = slab;
	c->nr_partial++;
}

/* put_cpu_partial() when c->partial is full: flushed to the node first */
static __attribute__((noinline)) void
put_cpu_partial_flush(struct kmem_cache *s, struct ksl_cpu_hold *h,
		      struct slab *slab, void *obj)
{
	struct slab *discard = NULL;

	ksl_spin_lock(&s->node.list_lock);
	ksl_put_partials(s, h->c, &discard);
	ksl_spin_unlock(&s->node.list_lock);
	link_cpu_partial(s, h->c, slab, obj);
	ksl_release_cpu(h);
	if (discard)
		ksl_discard_list(s, discard);
}

/*
 * A slab frozen for this CPU onto c->partial, obj its first local free,
 * the list first flushed to the node when full (CPU held, released).
 */
static __attribute__((always_inline)) inline void
put_cpu_partial(struct kmem_cache *s, struct ksl_cpu_hold *h, struct slab *slab,
		void *obj)
{
	if (unlikely(h->c->nr_partial >= s->cpu_partial_slabs)) {
		put_cpu_partial_flush(s, h, slab, obj);
		return;
	}
	link_cpu_partial(s, h->c, slab, obj);
	ksl_release_cpu(h);
}

/* A free that changes lists (CPU held, released here). */
static __attribute__((noinline)) void
free_slow_locked(struct kmem_cache *s, struct ksl_cpu_hold *h,
		 struct slab *slab, void *obj, unsigned int idx,
		 unsigned long caller)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *discard = NULL;
	unsigned int st;
	uint64_t w;

	ksl_spin_lock(&n->list_lock);
	w = fs_load(slab);
	for (;;) {
		if (unlikely(FS_HEAD(w) == idx || !FS_INUSE(w))) {
			ksl_spin_unlock(&n->list_lock);
			ksl_release_cpu(h);
			ksl_double_free(s, obj, caller);
			return;
		}
		st = FS_STATE(w);
		if (st == SLAB_FULL && s->cpu_partial_slabs) {
			/* frozen for this CPU, obj its first local free */
			if (!fs_cas(slab, &w,
				    fs_make(FS_HEAD(w), FS_INUSE(w),
					    SLAB_FROZEN)))
				continue;
			ksl_spin_unlock(&n->list_lock);
			put_cpu_partial(s, h, slab, obj);
			return;
		}
		set_fp(s, obj, idx_to_obj(s, slab, FS_HEAD(w)));
		if (fs_cas(slab, &w, fs_make(idx, FS_INUSE(w) - 1, st)))
			break;
	}
	/* inuse is ours now; a node-partial slab stays so under list_lock */
	if (st == SLAB_FULL) {
		ksl_unfreeze_slab(s, slab, &discard);
	} else if (st == SLAB_NODE_PARTIAL && !slab_inuse(slab) &&
		   n->nr_partial > s->min_partial) {
		ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FULL);
		slab->next = discard;
		discard = slab;
	}
	ksl_spin_unlock(&n->list_lock);
	ksl_release_cpu(h);
	ksl_discard_list(s, discard);
}

/*
 * Free into a slab that is not the CPU's active one (nor, when the CPU is
 * held, one of its partial slabs): the common case, the slab staying on
 * its list, is one CAS; freezing a full slab or a list change needs the
 * CPU, taken here unless held. Whatever was held is released.
 */
static __attribute__((noinline)) void free_remote(struct kmem_cache *s,
						  struct ksl_cpu_hold *h,
						  bool held, struct slab *slab,
						  void *obj, unsigned int idx,
						  unsigned long caller)
{
	int ret = free_lockless(s, slab, obj, idx);

	if (likely(ret == FREED) || ret == DOUBLE_FREE) {
		if (held)
			ksl_release_cpu(h);
		if (ret == DOUBLE_FREE)
			ksl_double_free(s, obj, caller);
		return;
	}
	if (!held)
		ksl_hold_cpu(s, h);
	if (ret == FROZEN)
		put_cpu_partial(s, h, slab, obj);
	else
		free_slow_locked(s, h, slab, obj, idx, caller);
}

/*
 * The remote free in the owner's section (left here), its two common
 * cases inline: one CAS when the slab stays on its list, or the CAS that
 * freezes a full slab for this CPU, then put_cpu_partial() with the
 * section still held; anything else is free_remote().
 */
static __attribute__((always_inline)) inline void
free_remote_in(struct kmem_cache *s, struct kmem_cache_cpu *c,
	       struct ksl_cpu_own *own, struct slab *slab, void *obj,
	       unsigned int idx, unsigned long caller)
{
	struct ksl_cpu_hold h = { c, own, NULL };
	uint64_t w = fs_load(slab);
	unsigned int st = FS_STATE(w), inuse = FS_INUSE(w), head = FS_HEAD(w);

	if (likely(st != SLAB_FULL && head != idx && inuse > 1)) {
		set_fp(s, obj, idx_to_obj(s, slab, head));
		if (likely(fs_cas(slab, &w,
				  w - ((uint64_t)1 << 16) - head + idx))) {
			ksl_own_leave(own);
			return;
		}
	} else if (st == SLAB_FULL && !head && inuse && s->cpu_partial_slabs) {
		if (likely(fs_cas(slab, &w, fs_make(0, inuse, SLAB_FROZEN)))) {
			put_cpu_partial(s, &h, slab, obj);
			return;
		}
	}
	free_remote(s, &h, true, slab, obj, idx, caller);
}

/* ---- the checked path ------------------------------------------------ */

/* a dead cache has no slab: obj is nobody's, or another cache's */
static struct slab *dead_cache_free(struct kmem_cache *s, unsigned long caller)
{
	ksl_dead_cache(s, "kmem_cache_free", caller);
	return NULL;
}

/* The object's slab after the checks, or NULL (reported) */
static struct slab *check_free(struct kmem_cache **sp, void *obj,
			       unsigned long caller)
{
	struct kmem_cache *s = *sp;
	struct slab *slab = ksl_virt_to_slab(obj);
	unsigned long off;

	if (unlikely(!slab)) {
		ksl_count_refused_free();
		if (s && ksl_cache_dead(s))
			return dead_cache_free(s, caller);
		ksl_pr_ratelimited(
			20,
			"kmem_cache_free(%s): %p is not a slab object (caller %p); refused",
			s ? s->name : "NULL", obj, (void *)caller);
		return NULL;
	}
	if (unlikely(slab->slab_cache != s)) {
		struct kmem_cache *true_s = slab->slab_cache;

		if (s && ksl_cache_dead(s))
			return dead_cache_free(s, caller);
		ksl_pr_ratelimited(
			20,
			"cache_from_obj: Wrong slab cache. %s but object is from %s (object %p, caller %p)",
			s ? s->name : "NULL", true_s->name, obj,
			(void *)caller);
		*sp = s = true_s;
	}
	off = (unsigned long)((char *)obj - (char *)ksl_slab_address(slab));
	if (unlikely(off < s->red_left_pad ||
		     off - s->red_left_pad >=
			     (unsigned long)slab->objects * s->size ||
		     !obj_aligned(s, off - s->red_left_pad))) {
		ksl_refuse_interior("kmem_cache_free", s, slab, obj, off,
				    caller);
		return NULL;
	}
	return slab;
}

/* push obj onto a CPU list unless it is the head (a double free) */
static inline bool push_unless_head(struct kmem_cache *s, void **list,
				    void *obj)
{
	void *head = *list;

	if (unlikely(obj == head))
		return false;
	set_fp(s, obj, head);
	*list = obj;
	return true;
}

/* Free obj (checked: an object start of slab, a slab of s) (c->lock held,
 * dropped here). */
static void slab_free_locked(struct kmem_cache *s, struct kmem_cache_cpu *c,
			     struct slab *slab, void *obj, unsigned long caller)
{
	struct ksl_cpu_hold h = { c, NULL, NULL };
	void **list = NULL;

	if (slab == c->slab)
		list = &c->freelist;
	else if (__atomic_load_n(&slab->frozen_cpu, __ATOMIC_RELAXED) ==
		 cpu_of(s, c) + 1)
		list = &slab->local_free;
	if (!list) {
		free_remote(s, &h, true, slab, obj, obj_to_head(s, slab, obj),
			    caller);
		return;
	}
	if (push_unless_head(s, list, obj)) {
		if (list == &slab->local_free)
			slab->local_nr++;
		ksl_spin_unlock(&c->lock);
		return;
	}
	ksl_spin_unlock(&c->lock);
	ksl_double_free(s, obj, caller);
}

/* every check, then the free under the CPU lock: the path for anything
 * unusual, and for threads that share their CPU */
__attribute__((noinline)) void
ksl_slab_free_checked(struct kmem_cache *s, void *obj, unsigned long caller)
{
	struct slab *slab;
	struct kmem_cache_cpu *c;
	struct ksl_cpu_own *lm;
	unsigned int cpu;

	caller = KSL_CALLER(caller);
	if (!obj)
		return;
	ksl_kasan_free(obj);
	if (unlikely(!s)) {
		s = ksl_virt_to_cache(obj);
		if (!s) {
			ksl_count_refused_free();
			ksl_pr_ratelimited(
				20,
				"kmem_cache_free(NULL): %p is not a slab object (caller %p); refused",
				obj, (void *)caller);
			return;
		}
	}
	slab = check_free(&s, obj, caller);
	if (unlikely(!slab))
		return;
	if (unlikely(s->flags & SLAB_DEBUG_FLAGS)) {
		ksl_debug_free(s, slab, obj, caller);
		return;
	}
	lm = ksl_lock_mode_begin(&cpu);
	c = &s->cpu_slab[cpu];
	ksl_cpu_lock(c);
	slab_free_locked(s, c, slab, obj, caller);
	if (lm) /* an excluded owner's busy mark (see ksl_lock_mode_begin) */
		ksl_own_leave(lm);
}

/* ---- in the owner's section ------------------------------------------ */

/*
 * Past the inline fast path, still in the owner's section (left here):
 * the slab found and checked, then this CPU's partial slab's local list,
 * or the remote free. The active slab's and c->last_local's objects only
 * get here as a double free at the head of their list.
 */
__attribute__((noinline)) void ksl_slab_free_in(struct kmem_cache *s,
						struct slab *slab, void *obj,
						unsigned long caller)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	struct kmem_cache_cpu *c = ksl_this_cpu_slab(s);
	unsigned long off;

	caller = KSL_CALLER(caller);
	if (!slab) {
		slab = ksl_slab_of_fast(obj);
		if (unlikely(!slab || slab->slab_cache != s))
			goto checked;
	}
	off = (unsigned long)((char *)obj - (char *)slab->base);
	if (unlikely(off >= slab->span || !obj_aligned(s, off)))
		goto checked;
	/* kfree() of an object of a cache with sheaves and no CPU slab
	 * (kslab.sheaves=all) gets here from its inline path: the sheaves */
	if (unlikely(s->nocpu && s->cpu_sheaves)) {
		struct ksl_cpu_hold h = { c, own, NULL };

		ksl_sheaf_free_held(s, &h, obj, caller);
		return;
	}
	if (likely(__atomic_load_n(&slab->frozen_cpu, __ATOMIC_RELAXED) ==
		   ksl_tls.cpu + 1)) {
		void *head = slab->local_free;

		if (unlikely(obj == head))
			goto checked;
		ksl_push_local(s, slab, obj);
		c->last_local = slab;
		ksl_own_leave(own);
		return;
	}
	if (unlikely(slab == c->slab))
		goto checked;
	free_remote_in(s, c, own, slab, obj,
		       (unsigned int)obj_index(s, off) + 1, caller);
	return;
checked:
	ksl_own_leave(own);
	ksl_slab_free_checked(s, obj, caller);
}

/*
 * p[0..n) linked in order, each object's free pointer to the next and the
 * last one's to tail (build_detached_freelist()'s order: the first object
 * is the list's head), with the key and the offset in registers
 * (poisoned under ASan once freed).
 */
static ksl_no_asan void link_run(const struct kmem_cache *s, void **p,
				 unsigned int n, void *tail)
{
	unsigned long key = s->random;
	unsigned int offset = s->offset;

	for (unsigned int k = 0; k < n; k++) {
		void *next = k + 1 < n ? p[k + 1] : tail;

		ksl_kasan_free(p[k]);
		*(unsigned long *)((char *)p[k] + offset) =
			(unsigned long)next ^ key;
	}
}

/* a full slab just frozen for this CPU (in its section, left here): the
 * run p[i..n) its local list (put_cpu_partial()) */
static unsigned int run_to_cpu_partial(struct kmem_cache *s, struct slab *slab,
				       void **p, unsigned int i, unsigned int n)
{
	struct ksl_cpu_hold h = { ksl_this_cpu_slab(s), ksl_tls.own, NULL };

	ksl_kasan_free(p[i]);
	if (unlikely(h.c->nr_partial >= s->cpu_partial_slabs)) {
		put_cpu_partial_flush(s, &h, slab, p[i]);
		return i + 1;
	}
	link_cpu_partial(s, h.c, slab, p[i]);
	link_run(s, p + i, n - i, NULL);
	slab->local_nr = n - i;
	/* the CPU-partial slab last freed into */
	h.c->last_local = slab;
	ksl_release_cpu(&h);
	return n;
}

/*
 * A sheaf's objects p[i..nr) going back to the slabs (in the owner's
 * section, left here), p[i] in neither the active slab nor c->last_local:
 * p[i] and the objects after it in the same slab, when that slab is
 * another CPU's or node-partial and keeps an object in use, go back with
 * one CAS of slab->fstate, linked into a detached freelist first (6.18's
 * build_detached_freelist() and do_slab_free() of cnt objects); the
 * double-free test of each is the one-by-one free's (not the head of the
 * list it goes onto). Anything else: p[i] alone, by ksl_slab_free_in().
 * Returns the index after the last object freed.
 */
unsigned int ksl_slab_free_run_in(struct kmem_cache *s, void **p,
				  unsigned int i, unsigned int nr,
				  unsigned long caller)
{
	struct ksl_cpu_own *own = ksl_tls.own;
	void *obj = p[i], *prev = obj;
	struct slab *slab = ksl_slab_of_fast(obj);
	unsigned int n, cnt, idx;
	unsigned long off;
	uint64_t w;

	if (unlikely(!slab || slab->slab_cache != s || s->nocpu)) {
		slab = NULL; /* the full lookup, and its report */
		goto one;
	}
	if (__atomic_load_n(&slab->frozen_cpu, __ATOMIC_RELAXED) ==
		    ksl_tls.cpu + 1 ||
	    slab == ksl_this_cpu_slab(s)->slab)
		goto one;
	off = (unsigned long)((char *)obj - (char *)slab->base);
	if (unlikely(off >= slab->span || !obj_aligned(s, off)))
		goto one;
	for (n = i + 1; n < nr; n++) {
		void *next = p[n];
		unsigned long o =
			(unsigned long)((char *)next - (char *)slab->base);

		if (o >= slab->span || !obj_aligned(s, o) || next == prev)
			break;
		prev = next;
	}
	cnt = n - i;
	if (cnt == 1)
		goto one;
	idx = (unsigned int)obj_index(s, off) + 1;
	w = fs_load(slab);
	for (;;) {
		unsigned int head = FS_HEAD(w);

		if (FS_STATE(w) == SLAB_FULL) {
			/* frozen for this CPU: the run onto its local list */
			if (head || !FS_INUSE(w) || !s->cpu_partial_slabs)
				goto one;
			if (fs_cas(slab, &w,
				   fs_make(0, FS_INUSE(w), SLAB_FROZEN)))
				return run_to_cpu_partial(s, slab, p, i, n);
			continue;
		}
		if (FS_INUSE(w) < 3 || head == idx)
			goto one;
		/* the slab's last object in use goes alone (a list change) */
		if (FS_INUSE(w) <= cnt) {
			cnt = FS_INUSE(w) - 1;
			n = i + cnt;
		}
		/* the run's objects linked in order, the last one to the
		 * slab's free list */
		link_run(s, p + i, n - i, idx_to_obj(s, slab, head));
		if (likely(fs_cas(slab, &w,
				  w - ((uint64_t)cnt << 16) - head + idx)))
			break;
	}
	ksl_own_leave(own);
	return n;
one:
	/* slab: a slab of s, still to be checked for obj */
	ksl_slab_free_in(s, slab, obj, caller);
	return i + 1;
}

/* ---- the API ------------------------------------------------------------ */

static __attribute__((always_inline)) inline void
slab_free(struct kmem_cache *s, void *obj, unsigned long caller)
{
	if (unlikely(!s)) {
		ksl_slab_free_checked(s, obj, caller);
		return;
	}
	if (s->cpu_sheaves) {
		ksl_sheaf_free_fast(s, obj);
		return;
	}
	ksl_slab_free_fast(s, NULL, obj, caller);
}

void ksl_cache_free_caller(struct kmem_cache *s, void *obj,
			   unsigned long caller)
{
	slab_free(s, obj, caller);
}

void kmem_cache_free(struct kmem_cache *s, void *obj)
{
	slab_free(s, obj, 0);
}
