// SPDX-License-Identifier: MIT
/*
 * The allocation paths and the slabs' life (mm/slub.c): per-CPU active
 * slabs, per-CPU and per-node partial lists, new slabs from the page
 * allocator, empty slabs back to it (after an RCU grace period for
 * SLAB_TYPESAFE_BY_RCU caches), flushing and shrinking. The frees are in
 * slub_free.c.
 *
 *   alloc: c->freelist --empty--> c->slab's remote frees --> c->partial
 *          (its CPU's local frees first) --> node partial (refilling
 *          c->partial to cpu_partial_slabs/2) --> a new slab, its pages
 *          allocated with the CPU let go
 *
 *   a CPU lets a slab go (flush, c->partial full): its CPU lists merged
 *   back into the slab's freelist (one CAS), then node partial, full
 *   (on no list), or discarded when empty beyond min_partial
 *
 * A dead or debugged cache (s->inert) has the inert per-CPU array: its
 * allocations find nothing there and reach refill_new_slab(), which
 * refuses them (dead) or hands them to slub_debug.c.
 *
 * Locking and states: see slab_internal.h.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <stdlib.h>
#include <string.h>
#include <urcu/urcu-memb.h>
#include "slab/sheaf.h"

_Static_assert(sizeof(struct rcu_head) <= 2 * sizeof(void *),
	       "rcu_head fits in slab->next/prev");

atomic_long ksl_slab_pages_in_use;
struct slab ksl_no_slab;

int ksl_cache_init_cpu(struct kmem_cache *s)
{
	size_t len = sizeof(struct kmem_cache_cpu) * ksl_mm.nr_cpus;

	s->cpu_slab = aligned_alloc(64, KSL_ALIGN(len, (size_t)64));
	if (!s->cpu_slab)
		return -1;
	memset(s->cpu_slab, 0, len);
	for (unsigned int i = 0; i < ksl_mm.nr_cpus; i++)
		s->cpu_slab[i].last_local = &ksl_no_slab;
	s->div_magic = UINT64_MAX / s->size + 1 +
		       !(s->size & (s->size - 1)); /* a power of two */
	/* the whole objects after the left red zone in the first page */
	if (ksl_mm.page_size >= s->red_left_pad + s->size &&
	    !(s->flags & SLAB_DEBUG_FLAGS))
		s->head_limit = (ksl_mm.page_size - s->red_left_pad) / s->size *
				(s->div_magic * s->size);
	return 0;
}

unsigned long kslab_slab_pages(void)
{
	return (unsigned long)atomic_load(&ksl_slab_pages_in_use);
}

__attribute__((noinline)) void ksl_cpu_lock_contended(struct kmem_cache_cpu *c)
{
	ksl_spin_lock(&c->lock);
}

__attribute__((noinline)) void *ksl_zero_object(struct kmem_cache *s, void *obj)
{
	if (obj)
		memset(obj, 0, s->object_size);
	return obj;
}

/* ---- slab pages ---------------------------------------------------------- */

#define KSL_GFP_RECLAIM_MASK                                                   \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN |     \
	 __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC | \
	 __GFP_NOMEMALLOC)

static void account_slab(struct kmem_cache *s, unsigned int order, long sign)
{
	long pages = sign * (1L << order);

	ksl_mod_node_stat((s->flags & SLAB_RECLAIM_ACCOUNT) ?
				  KSL_NR_SLAB_RECLAIMABLE :
				  KSL_NR_SLAB_UNRECLAIMABLE,
			  pages);
	atomic_fetch_add(&ksl_slab_pages_in_use, pages);
	atomic_fetch_add(&s->node.nr_slabs, sign);
}

/* A slab's pages and header, objects not yet linked (always inline:
 * allocate_slab() is the refill path's) */
static __attribute__((always_inline)) inline struct slab *
slab_pages(struct kmem_cache *s, gfp_t gfp)
{
	gfp_t flags = (gfp & KSL_GFP_RECLAIM_MASK) | s->allocflags;
	unsigned int order = s->order;
	struct page *page = NULL;
	struct slab *slab;

	if (s->min_order < order)
		page = alloc_pages((flags | __GFP_NOWARN | __GFP_NORETRY) &
					   ~__GFP_NOFAIL,
				   order);
	if (!page) {
		order = s->min_order < order ? s->min_order : order;
		page = alloc_pages(flags, order);
		if (!page)
			return NULL;
	}
	__atomic_fetch_or(&page->flags, PG_slab, __ATOMIC_RELAXED);
	slab = (struct slab *)page;
	slab->slab_cache = s;
	slab->order = order;
	slab->objects = (unsigned int)((ksl_mm.page_size << order) / s->size);
	slab->next = slab->prev = NULL;
	slab->local_nr = 0;
	slab->span = slab->objects * s->size;
	slab->frozen_cpu = 0;
	slab->base = (char *)ksl_slab_address(slab) + s->red_left_pad;
	return slab;
}

/* constructed and linked objects, the slab on no list (FULL), counted */
static __attribute__((always_inline)) inline void
slab_objects(struct kmem_cache *s, struct slab *slab)
{
	char *start = slab->base;
	unsigned int head = 0;

	if (s->ctor)
		for (unsigned int i = 0; i < slab->objects; i++)
			s->ctor(start + (size_t)i * s->size);
	/* kslab.freelist_random: in the cache's random order (slab_harden.c) */
	if (unlikely(s->random_seq))
		head = ksl_shuffle_freelist(s, slab);
	if (!head) {
		for (char *obj = start, *end = start + slab->span - s->size;
		     obj < end; obj += s->size)
			set_fp(s, obj, obj + s->size);
		set_fp(s, start + slab->span - s->size, NULL);
		head = 1;
	}
	ksl_kasan_new_slab(s, slab);
	__atomic_store_n(&slab->fstate, fs_make(head, 0, SLAB_FULL),
			 __ATOMIC_RELEASE);
	account_slab(s, slab->order, 1);
	atomic_fetch_add(&s->node.total_objects, slab->objects);
}

static struct slab *allocate_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct slab *slab = slab_pages(s, gfp);

	if (slab)
		slab_objects(s, slab);
	return slab;
}

struct slab *ksl_allocate_slab(struct kmem_cache *s, gfp_t gfp)
{
	return allocate_slab(s, gfp);
}

/* no slab could be had: slab_out_of_memory()'s line, unless __GFP_NOWARN */
void ksl_slab_oom(struct kmem_cache *s, gfp_t gfp)
{
	if (gfp & __GFP_NOWARN)
		return;
	ksl_pr_ratelimited(
		10,
		"SLUB: Unable to allocate memory on node -1, gfp=%#x, cache: %s, object size: %u, buffer size: %u, default order: %u, min order: %u",
		gfp, s->name, s->object_size, s->size, s->order, s->min_order);
}

/* A debugged cache's new slab: red zones, poison and tracks set up before
 * the constructor, as setup_object(); span 0 sends every free to the
 * checked path. */
struct slab *ksl_new_slab(struct kmem_cache *s, gfp_t gfp)
{
	struct slab *slab = slab_pages(s, gfp);

	if (!slab) {
		ksl_slab_oom(s, gfp);
		return NULL;
	}
	ksl_debug_setup_slab(s, slab);
	slab_objects(s, slab);
	slab->span = 0;
	return slab;
}

static void rcu_free_slab(struct rcu_head *head)
{
	struct slab *slab =
		(struct slab *)((char *)head - offsetof(struct slab, next));
	bool had_cpu = ksl_tls.gen == ksl_mm.generation;

	__free_pages((struct page *)slab, slab->order);
	/* liburcu's thread keeps no CPU (its owner stays lock-free) */
	if (!had_cpu)
		ksl_cpu_leave();
	ksl_rcu_callback_done();
}

static void free_slab_pages(struct kmem_cache *s, struct slab *slab)
{
	account_slab(s, slab->order, -1);
	atomic_fetch_sub(&s->node.total_objects, slab->objects);
	ksl_kasan_unpoison(ksl_slab_address(slab),
			   ksl_mm.page_size << slab->order);
	slab->slab_cache = NULL;
	__atomic_fetch_and(&slab->flags, ~(unsigned long)PG_slab,
			   __ATOMIC_RELAXED);
	if (s->flags & SLAB_TYPESAFE_BY_RCU) {
		bool registered = URCU_TLS(urcu_memb_reader).registered;

		if (!registered)
			urcu_memb_register_thread();
		urcu_memb_call_rcu((struct rcu_head *)(void *)&slab->next,
				   rcu_free_slab);
		if (!registered)
			urcu_memb_unregister_thread();
		return;
	}
	__free_pages((struct page *)slab, slab->order);
}

void ksl_discard_list(struct kmem_cache *s, struct slab *list)
{
	while (list) {
		struct slab *next = list->next;

		free_slab_pages(s, list);
		list = next;
	}
}

void ksl_slab_rcu_barrier(void)
{
	urcu_memb_barrier();
	ksl_rcu_barrier_done();
}

/* c->slab is written under c->lock, and read without it by remote frees
 * (a stale value only sends a free the lockless way, which is always
 * right for a CPU's slab) */
static inline void set_cpu_slab(struct kmem_cache_cpu *c, struct slab *slab)
{
	__atomic_store_n(&c->slab, slab, __ATOMIC_RELAXED);
	c->base = slab ? slab->base : NULL;
	c->span = slab ? slab->span : 0;
}

/* ---- the slab word ------------------------------------------------------ */

/* set the state, keeping what remote frees change (list_lock held) */
void ksl_set_state(struct slab *slab, unsigned int state)
{
	uint64_t w = fs_load(slab);

	while (!fs_cas(slab, &w, fs_make(FS_HEAD(w), FS_INUSE(w), state)))
		;
}

/* ---- node partial list (list_lock held) ------------------------------------ */

static void add_partial(struct kmem_cache_node *n, struct slab *slab)
{
	ksl_set_state(slab, SLAB_NODE_PARTIAL);
	slab->prev = NULL;
	slab->next = n->partial;
	if (n->partial)
		n->partial->prev = slab;
	else
		n->partial_tail = slab;
	n->partial = slab;
	n->nr_partial++;
}

void ksl_add_partial(struct kmem_cache_node *n, struct slab *slab)
{
	add_partial(n, slab);
}

void ksl_remove_partial(struct kmem_cache_node *n, struct slab *slab)
{
	if (slab->prev)
		slab->prev->next = slab->next;
	else
		n->partial = slab->next;
	if (slab->next)
		slab->next->prev = slab->prev;
	else
		n->partial_tail = slab->prev;
	slab->next = slab->prev = NULL;
	n->nr_partial--;
}

/* the last object of a free-pointer chain (not NULL), and its length */
static void *chain_tail(struct kmem_cache *s, void *chain, unsigned int *nr)
{
	unsigned int n = 1;

	for (; get_fp(s, chain); chain = get_fp(s, chain))
		n++;
	if (nr)
		*nr = n;
	return chain;
}

/*
 * Give a CPU's list of nr free objects of slab (counted in its inuse,
 * linked by free pointer) back to the slab's freelist: one CAS, whatever
 * remote frees land meanwhile. tail is the list's last object, or NULL:
 * then it is looked for only when the slab's freelist is not empty.
 */
static void merge_chain(struct kmem_cache *s, struct slab *slab, void *chain,
			unsigned int nr, void *tail)
{
	uint64_t w;

	if (!chain)
		return;
	w = fs_load(slab);
	do {
		if (FS_HEAD(w) && !tail)
			tail = chain_tail(s, chain, NULL);
		if (tail)
			set_fp(s, tail, idx_to_obj(s, slab, FS_HEAD(w)));
	} while (!fs_cas(slab, &w,
			 fs_make(obj_to_head(s, slab, chain), FS_INUSE(w) - nr,
				 FS_STATE(w))));
}

/*
 * A slab leaves a CPU (list_lock held): onto the node list, off all lists
 * (full), or to *discard (empty beyond min_partial). Remote frees may
 * still land until the state changes, hence the loop.
 */
void ksl_unfreeze_slab(struct kmem_cache *s, struct slab *slab,
		       struct slab **discard)
{
	struct kmem_cache_node *n = &s->node;
	uint64_t w;

	if (slab->local_free) {
		merge_chain(s, slab, slab->local_free, slab->local_nr, NULL);
		slab->local_free = NULL;
		slab->local_nr = 0;
	}
	set_frozen_cpu(slab, 0);
	w = fs_load(slab);
	for (;;) {
		if (!FS_HEAD(w)) {
			if (fs_cas(slab, &w,
				   fs_make(0, FS_INUSE(w), SLAB_FULL)))
				return;
		} else if (!FS_INUSE(w) && n->nr_partial >= s->min_partial) {
			if (fs_cas(slab, &w,
				   fs_make(FS_HEAD(w), 0, SLAB_FULL))) {
				slab->next = *discard;
				*discard = slab;
				return;
			}
		} else {
			add_partial(n, slab);
			return;
		}
	}
}

/* Move c's partial slabs to the node list (c->lock and list_lock held). */
void ksl_put_partials(struct kmem_cache *s, struct kmem_cache_cpu *c,
		      struct slab **discard)
{
	struct slab *slab = c->partial;

	while (slab) {
		struct slab *next = slab->next;

		ksl_unfreeze_slab(s, slab, discard);
		slab = next;
	}
	c->partial = NULL;
	c->nr_partial = 0;
	c->last_local = &ksl_no_slab;
}

/* Give c's active slab back, its CPU freelist merged into the slab's. */
static void deactivate_slab(struct kmem_cache *s, struct kmem_cache_cpu *c,
			    struct slab **discard)
{
	struct slab *slab = c->slab;

	if (!slab)
		return;
	if (c->freelist) {
		unsigned int nr;
		void *tail = chain_tail(s, c->freelist, &nr);

		merge_chain(s, slab, c->freelist, nr, tail);
	}
	set_cpu_slab(c, NULL);
	c->freelist = NULL;
	ksl_unfreeze_slab(s, slab, discard);
}

static void flush_cpu(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct slab *discard = NULL;

	ksl_spin_lock(&c->lock);
	ksl_spin_lock(&s->node.list_lock);
	deactivate_slab(s, c, &discard);
	ksl_put_partials(s, c, &discard);
	ksl_spin_unlock(&s->node.list_lock);
	ksl_spin_unlock(&c->lock);
	ksl_discard_list(s, discard);
}

/* Flush every CPU, as the kernel's IPIs do: a CPU's owner is kept out of
 * its lock-free sections meanwhile (see ksl_cpu_own in mm_internal.h). */
void ksl_flush_all_cpus(struct kmem_cache *s)
{
	if (s->cpu_sheaves)
		ksl_sheaves_flush_all(s);
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
		bool excl = ksl_cpu_exclude_begin(cpu);

		flush_cpu(s, &s->cpu_slab[cpu]);
		ksl_cpu_exclude_end(cpu, excl);
	}
}

/* Discard every empty slab on the node list; the pages freed. */
static unsigned long shrink_node_partial(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *discard = NULL, *slab, *next;
	unsigned long pages = 0;

	ksl_spin_lock(&n->list_lock);
	for (slab = n->partial; slab; slab = next) {
		next = slab->next;
		/* no lock-free free empties a node-partial slab */
		if (slab_inuse(slab))
			continue;
		ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FULL);
		slab->next = discard;
		discard = slab;
		pages += 1UL << slab->order;
	}
	ksl_spin_unlock(&n->list_lock);
	ksl_discard_list(s, discard);
	return pages;
}

unsigned long ksl_shrink_cache(struct kmem_cache *s)
{
	return shrink_node_partial(s);
}

int kmem_cache_shrink(struct kmem_cache *s)
{
	if (!s)
		return 0;
	if (unlikely(ksl_cache_dead(s))) {
		ksl_dead_cache(s, "kmem_cache_shrink", _RET_IP_);
		return 0;
	}
	/* the sheaves and the barn first, so that the objects they free
	 * leave no CPU list behind (the kernel flushes the barn after the
	 * CPUs: its frees may stay on the shrinking CPU's lists) */
	if (s->cpu_sheaves) {
		ksl_sheaves_flush_all(s);
		ksl_barn_shrink(s, s->node.barn);
	}
	ksl_flush_all_cpus(s);
	shrink_node_partial(s);
	return 0;
}

static void report_leaks(struct kmem_cache *s)
{
	struct kmem_cache_node *n = &s->node;
	static const char rule[] =
		"=============================================================================";

	ksl_spin_lock(&n->list_lock);
	for (struct slab *slab = n->partial; slab; slab = slab->next) {
		char *base = slab->base;
		uint64_t w = fs_load(slab);
		unsigned char *isfree;

		if (!FS_INUSE(w))
			continue;
		/* counted as the kernel's KUnit hook: the slab, each object */
		ksl_debug_count_error();
		ksl_printk("%s", rule);
		ksl_printk(
			"BUG %s (Not tainted): Objects remaining in %s on __kmem_cache_shutdown()",
			s->name, s->name);
		ksl_printk("Slab %p objects=%u used=%u fp=%p flags=slab|head",
			   (void *)slab, slab->objects, FS_INUSE(w),
			   idx_to_obj(s, slab, FS_HEAD(w)));
		isfree = calloc(slab->objects, 1);
		for (void *p = idx_to_obj(s, slab, FS_HEAD(w)); p && isfree;
		     p = get_fp(s, p))
			isfree[((char *)p - base) / s->size] = 1;
		for (unsigned int i = 0; i < slab->objects; i++) {
			if (isfree && isfree[i])
				continue;
			ksl_debug_count_error();
			ksl_printk(
				"Object %p @offset=%u",
				base + (size_t)i * s->size,
				(unsigned int)(i * s->size + s->red_left_pad));
		}
		free(isfree);
	}
	ksl_spin_unlock(&n->list_lock);
}

/* Free objects on the node's partial slabs (what slabinfo counts free). */
unsigned long ksl_node_free_objects(const struct kmem_cache *s)
{
	struct kmem_cache_node *n = (struct kmem_cache_node *)&s->node;
	unsigned long nr = 0;

	ksl_spin_lock(&n->list_lock);
	for (struct slab *slab = n->partial; slab; slab = slab->next)
		nr += slab->objects - slab_inuse(slab);
	ksl_spin_unlock(&n->list_lock);
	return nr;
}

/* Live objects once every CPU is flushed (reported as the kernel does). */
unsigned long ksl_cache_live_objects(struct kmem_cache *s)
{
	unsigned long total, free_objs;

	shrink_node_partial(s);
	total = (unsigned long)atomic_load(&s->node.total_objects);
	free_objs = ksl_node_free_objects(s);
	if (total > free_objs)
		report_leaks(s);
	return total - free_objs;
}

void ksl_cache_free_all_slabs(struct kmem_cache *s)
{
	ksl_flush_all_cpus(s);
	ksl_spin_lock(&s->node.list_lock);
	while (s->node.partial) {
		struct slab *slab = s->node.partial;

		ksl_remove_partial(&s->node, slab);
		ksl_spin_unlock(&s->node.list_lock);
		free_slab_pages(s, slab);
		ksl_spin_lock(&s->node.list_lock);
	}
	ksl_spin_unlock(&s->node.list_lock);
}

/* ---- allocation ---------------------------------------------------------- */

gfp_t ksl_slab_fix_gfp(const char *what, gfp_t gfp, unsigned long caller)
{
	gfp_t invalid = gfp & GFP_SLAB_BUG_MASK;
	gfp_t fixed = gfp & ~GFP_SLAB_BUG_MASK;
	char a[128], b[256];

	/* kmalloc_fix_flags(): every time, as pr_warn + dump_stack */
	kslab_gfp_format(invalid, a, sizeof(a));
	kslab_gfp_format(fixed, b, sizeof(b));
	ksl_printk(
		"Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!",
		invalid, a, fixed, b);
	ksl_printk("Call site %p, cache %s", (void *)caller, what);
	return fixed;
}

/*
 * Take a slab's free list for a CPU: the slab is frozen, or FULL when it
 * has none. For a slab of the CPU (c->lock held) or from the node list
 * (list_lock held too).
 */
static void *take_freelist(struct kmem_cache *s, struct slab *slab)
{
	uint64_t w = fs_load(slab);
	unsigned int head;

	do
		head = FS_HEAD(w);
	while (!fs_cas(slab, &w,
		       fs_make(0, slab->objects,
			       head ? SLAB_FROZEN : SLAB_FULL)));
	return idx_to_obj(s, slab, head);
}

/*
 * A CPU-partial slab becomes the CPU's active one (c->lock held). Its
 * CPU's own frees (slab->local_free, no atomic needed) come first, with
 * the slab's freelist (remote frees) appended; with no local frees, the
 * slab's freelist alone.
 */
static void *activate_partial(struct kmem_cache *s, struct slab *slab)
{
	void *fl = slab->local_free, *tail;

	set_frozen_cpu(slab, 0);
	if (!fl)
		return take_freelist(s, slab);
	slab->local_free = NULL;
	slab->local_nr = 0;
	if (!FS_HEAD(fs_load(slab)))
		return fl; /* still frozen; later remote frees wait for a refill */
	tail = chain_tail(s, fl, NULL);
	set_fp(s, tail, take_freelist(s, slab));
	return fl;
}

/* A slab from the node list, refilling c->partial (list_lock held). */
static struct slab *get_partial_node(struct kmem_cache *s,
				     struct kmem_cache_cpu *c)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *got = n->partial;

	if (!got)
		return NULL;
	ksl_remove_partial(n, got);
	while (n->partial && c->nr_partial < s->cpu_partial_slabs / 2) {
		struct slab *slab = n->partial;

		ksl_remove_partial(n, slab);
		ksl_set_state(slab, SLAB_FROZEN);
		set_frozen_cpu(slab, cpu_of(s, c) + 1);
		slab->next = c->partial;
		c->partial = slab;
		c->nr_partial++;
	}
	return got;
}

/* An object from a slab of the node list, or NULL (CPU held). */
static __attribute__((noinline)) void *
refill_from_node(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct kmem_cache_node *n = &s->node;
	struct slab *slab;
	void *fl = NULL;

	if (unlikely(s->inert))
		return NULL; /* a debugged cache's node list is its own path's */
	ksl_spin_lock(&n->list_lock);
	slab = get_partial_node(s, c);
	if (slab) {
		fl = take_freelist(s, slab);
		set_cpu_slab(c, slab);
	}
	ksl_spin_unlock(&n->list_lock);
	return fl;
}

/* An object from the CPU's slabs, the node list, or NULL (CPU held). */
static void *refill_from_slabs(struct kmem_cache *s, struct kmem_cache_cpu *c)
{
	struct slab *slab;
	void *fl = NULL;

	/* the CPU's own slabs change state with the CPU held alone */
	if (c->slab) {
		fl = take_freelist(s, c->slab);
		if (!fl)
			set_cpu_slab(c, NULL);
	}
	while (!fl && c->partial) {
		slab = c->partial;
		c->partial = slab->next;
		c->nr_partial--;
		c->last_local = &ksl_no_slab;
		fl = activate_partial(s, slab);
		if (fl)
			set_cpu_slab(c, slab);
	}
	if (!fl)
		fl = refill_from_node(s, c);
	return fl;
}

/* a dead cache: refused; a debugged one: its own path (CPU held) */
static __attribute__((noinline)) void *inert_alloc(struct kmem_cache *s,
						   struct ksl_cpu_hold *h,
						   gfp_t gfp,
						   unsigned long caller)
{
	if (ksl_cache_dead(s)) {
		ksl_dead_cache(s, "kmem_cache_alloc", caller);
		return NULL;
	}
	return ksl_debug_alloc_held(s, h, gfp, caller);
}

/*
 * A new slab, allocated with the CPU let go (reclaim may run shrinkers,
 * and those may flush this very CPU), then made the CPU's active one; a
 * slab another thread of the CPU installed meanwhile is deactivated.
 */
static __attribute__((noinline)) void *refill_new_slab(struct kmem_cache *s,
						       struct ksl_cpu_hold *h,
						       gfp_t gfp,
						       unsigned long caller)
{
	struct slab *slab, *discard = NULL;
	struct kmem_cache_cpu *c;

	if (unlikely(s->inert)) /* found nothing on ksl_dead_cpu_slab */
		return inert_alloc(s, h, gfp, caller);
	if (unlikely(gfp & GFP_SLAB_BUG_MASK))
		gfp = ksl_slab_fix_gfp(s->name, gfp, caller);
	ksl_release_cpu(h);
	slab = allocate_slab(s, gfp);
	ksl_hold_cpu(s, h);
	if (!slab) {
		ksl_slab_oom(s, gfp);
		return NULL;
	}
	c = h->c;
	if (unlikely(c->slab)) {
		ksl_spin_lock(&s->node.list_lock);
		deactivate_slab(s, c, &discard);
		ksl_spin_unlock(&s->node.list_lock);
	}
	set_cpu_slab(c, slab);
	if (unlikely(discard))
		ksl_discard_list(s, discard);
	return take_freelist(s, slab); /* not yet seen by anyone */
}

/*
 * A cache with no per-CPU slab (kslab.sheaves=all), whose freelist is
 * always empty: its sheaves (a kmalloc() of such a cache comes here from
 * the inline path), else the node's slabs (CPU held, released).
 */
static __attribute__((noinline)) void *nocpu_alloc_held(struct kmem_cache *s,
							struct ksl_cpu_hold *h,
							gfp_t gfp,
							unsigned long caller)
{
	if (s->cpu_sheaves)
		return ksl_sheaf_alloc_held(s, h, gfp, caller);
	ksl_release_cpu(h);
	return ksl_nocpu_alloc(s, gfp, caller);
}

/* An object for a CPU whose freelist is empty (CPU held, released). */
static __attribute__((noinline)) void *alloc_held(struct kmem_cache *s,
						  struct ksl_cpu_hold *h,
						  gfp_t gfp,
						  unsigned long caller)
{
	struct kmem_cache_cpu *c = h->c;
	void *obj = c->freelist;

	if (unlikely(s->nocpu) && !s->inert)
		return nocpu_alloc_held(s, h, gfp, caller);
	if (!obj) {
		obj = refill_from_slabs(s, c);
		if (!obj) {
			obj = refill_new_slab(s, h, gfp, caller);
			c = h->c;
		}
	}
	if (likely(obj))
		c->freelist = get_fp(s, obj);
	ksl_release_cpu(h);
	if (likely(obj))
		ksl_kasan_alloc(s, obj);
	if (unlikely(gfp & __GFP_ZERO))
		return ksl_zero_object(s, obj);
	return obj;
}

/* The owner's fast path found its freelist empty (still in the section). */
__attribute__((noinline)) void *
ksl_alloc_refill_in(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	struct ksl_cpu_hold h = { ksl_this_cpu_slab(s), ksl_tls.own, NULL };

	return alloc_held(s, &h, gfp, KSL_CALLER(caller));
}

/* Everything else: a thread that is not its CPU's owner (or has no CPU
 * yet), or an owner excluded for now. */
__attribute__((noinline)) void *
ksl_alloc_slowpath(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	struct ksl_cpu_hold h;

	caller = KSL_CALLER(caller);
	if (unlikely(ksl_cache_dead(s))) {
		ksl_dead_cache(s, "kmem_cache_alloc", caller);
		return NULL;
	}
	ksl_hold_cpu(s, &h);
	return alloc_held(s, &h, gfp, caller);
}

/*
 * s->fast set: a failslab hook armed (asked first, as the kernel's
 * slab_pre_alloc_hook()), then the classic path (kmalloc() of a cache
 * with sheaves; kslab.sheaves=all reaches them from its refill).
 */
__attribute__((noinline)) void *
ksl_alloc_special(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	if ((ksl_cache_fast(s) & KSL_FAST_FAILSLAB) &&
	    ksl_should_failslab(s, gfp))
		return NULL;
	return ksl_slab_alloc_classic(s, gfp, KSL_CALLER(caller));
}

__attribute__((noinline)) void *
ksl_alloc_zeroed(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	return ksl_zero_object(s, ksl_slab_alloc_classic(s, gfp & ~__GFP_ZERO,
							 KSL_CALLER(caller)));
}

/* kmem_cache_alloc(): a cache with sheaves, one failslab may fail, or the
 * classic path, told by one test of s->fast when it is 0 */
static __attribute__((noinline)) void *
alloc_sheaf_failslab(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
	if (!(ksl_cache_fast(s) & KSL_FAST_SHEAVES))
		return ksl_alloc_special(s, gfp, KSL_CALLER(caller));
	if ((ksl_cache_fast(s) & KSL_FAST_FAILSLAB) &&
	    ksl_should_failslab(s, gfp))
		return NULL;
	return ksl_sheaf_alloc_fast(s, gfp);
}

static __attribute__((always_inline)) inline void *
slab_alloc(struct kmem_cache *s, gfp_t gfp, unsigned long caller)
{
#if defined(__x86_64__) && !defined(__SANITIZE_THREAD__)
	/* one compare of s->fast with KSL_FAST_SHEAVES: below (0) is the
	 * classic path, equal the sheaves, above the rest */
	__asm__ goto("cmpb %1, %0\n\tjb %l2\n\tje %l3"
		     :
		     : "m"(s->fast), "i"(KSL_FAST_SHEAVES)
		     :
		     : classic, sheaves);
#else
	unsigned int fast = ksl_cache_fast(s);

	if (likely(!fast))
		goto classic;
	if (fast == KSL_FAST_SHEAVES)
		goto sheaves;
#endif
	return alloc_sheaf_failslab(s, gfp, caller);
classic:
	return ksl_slab_alloc_classic(s, gfp, caller);
sheaves:
	return ksl_sheaf_alloc_fast(s, gfp);
}

/* ---- the API ---------------------------------------------------------- */

static __attribute__((noinline)) void *null_cache(unsigned long caller)
{
	caller = KSL_CALLER(caller);
	ksl_pr_ratelimited(10, "kmem_cache_alloc: NULL cache (caller %p)",
			   (void *)caller);
	return NULL;
}

void *ksl_cache_alloc_caller(struct kmem_cache *s, gfp_t gfp,
			     unsigned long caller)
{
	if (unlikely(!s))
		return null_cache(caller);
	return slab_alloc(s, gfp, caller);
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t flags)
{
	if (unlikely(!s))
		return null_cache(0);
	return slab_alloc(s, flags, 0);
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t flags)
{
	return ksl_cache_alloc_caller(s, flags | __GFP_ZERO, _RET_IP_);
}

void *kmem_cache_alloc_node(struct kmem_cache *s, gfp_t flags, int node)
{
	return ksl_cache_alloc_caller(s, flags, _RET_IP_);
}
