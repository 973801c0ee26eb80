// SPDX-License-Identifier: MIT
/*
 * The life of a cache's sheaves (6.18 mm/slub.c): made with the cache
 * (a barn, then an empty main sheaf for every CPU: init_percpu_sheaves()),
 * flushed to the slabs by kmem_cache_shrink() and kmem_cache_destroy()
 * (flush_all_cpus_locked(): every CPU's spare and main, its RCU sheaf to
 * an RCU callback; then the barn: barn_shrink()), and freed with it
 * (pcs_destroy()). Also kvfree_rcu(): a cache with sheaves batches such
 * frees in the CPU's rcu_free sheaf, handed to call_rcu() (liburcu,
 * urcu-memb) when full; after the grace period the sheaf goes to the
 * barn as a full one, or is flushed (rcu_free_sheaf()). And what the
 * views count: the objects the sheaves hold.
 *
 * A CPU's sheaves are reached from another thread as its slab state is:
 * ksl_cpu_exclude_begin() (no owner section runs), then cpu_slab[].lock.
 * Callbacks run on liburcu's thread; it takes a CPU for its frees and
 * gives it back (ksl_cpu_leave()) so that it never holds one.
 */
#define _GNU_SOURCE
#define _LGPL_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <urcu/urcu-memb.h>
#include <kslab/kmalloc.h>
#include "kmalloc/kmalloc_internal.h"
#include "slab/sheaf.h"

/* ---- creation and release --------------------------------------------- */

/* struct_size(sheaf, objects, capacity) */
static size_t sheaf_struct_size(unsigned int capacity)
{
	return sizeof(struct slab_sheaf) + (size_t)capacity * sizeof(void *);
}

/*
 * The capacity every cache gets under kslab.sheaves=all: mainline's
 * calculate_sheaf_capacity() (Linux 7.0): half of what the per-CPU
 * partial lists held, by object size (two sheaves a CPU), grown so that
 * the sheaf fills its kmalloc size class (kmalloc_size_roundup() of the
 * booted policy: 60, 28, 12, 4 on x86_64), and never below what the
 * cache asked for.
 */
unsigned int ksl_sheaves_default_capacity(unsigned int size, unsigned int asked)
{
	unsigned int capacity = size >= ksl_mm.page_size ? 4 :
				size >= 1024		 ? 12 :
				size >= 256		 ? 26 :
							   60;
	size_t bytes = sheaf_struct_size(capacity);
	unsigned int idx = ksl_kmalloc_index(bytes);
	struct kmem_cache *k = idx ? ksl_kmalloc_cache(idx, GFP_KERNEL) : NULL;

	if (k && k->object_size >= bytes)
		capacity =
			(unsigned int)((k->object_size - sheaf_struct_size(0)) /
				       sizeof(void *));
	return ksl_max(capacity, asked);
}

/* the CPUs' sheaves live in the second half of their kmem_cache_cpu
 * (cpu_slab[cpu].pcs); cpu_sheaves, set last, says they exist */
int ksl_sheaves_init(struct kmem_cache *s, unsigned int capacity)
{
	unsigned int cpu;

	s->sheaf_capacity = capacity;
	s->node.barn = kzalloc(sizeof(struct node_barn), GFP_KERNEL);
	for (cpu = 0; s->node.barn && cpu < ksl_mm.nr_cpus; cpu++) {
		struct slab_sheaf *main = ksl_alloc_empty_sheaf(s, GFP_KERNEL);

		if (!main)
			break;
		pcs_set_main(s, ksl_pcs(s, cpu), main);
	}
	if (s->node.barn && cpu == ksl_mm.nr_cpus) {
		/* last: a kmalloc cache's own allocations above took its
		 * classic path */
		s->cpu_sheaves = ksl_pcs(s, 0);
		ksl_cache_fast_set(s, KSL_FAST_SHEAVES, true);
		return 0;
	}
	for (cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
		struct slub_percpu_sheaves *pcs = ksl_pcs(s, cpu);

		if (pcs->main)
			ksl_free_empty_sheaf(s, pcs->main);
		memset(pcs, 0, sizeof(*pcs));
	}
	kfree(s->node.barn);
	s->node.barn = NULL;
	s->sheaf_capacity = 0;
	return -ENOMEM;
}

/*
 * The sheaves and the barn freed (flushed before: kmem_cache_destroy(),
 * or a failed creation). give_back: kfree() them; at shutdown the
 * machine's memory goes as a whole.
 */
void ksl_sheaves_release(struct kmem_cache *s, bool give_back)
{
	if (!s->cpu_sheaves)
		return;
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
		struct slub_percpu_sheaves *pcs = ksl_pcs(s, cpu);

		if (give_back && pcs->main && !pcs_main_size(pcs))
			ksl_free_empty_sheaf(s, pcs->main);
		memset(pcs, 0, sizeof(*pcs));
	}
	if (give_back && s->node.barn) {
		ksl_barn_shrink(s, s->node.barn);
		kfree(s->node.barn);
	}
	s->node.barn = NULL;
	ksl_cache_fast_set(s, KSL_FAST_SHEAVES, false);
	s->cpu_sheaves = NULL;
}

/* ---- RCU ------------------------------------------------------------------ */

/* kvfree_rcu() callbacks queued and not yet run */
static long rcu_in_flight;

/* call_rcu() from any thread (liburcu wants it registered meanwhile) */
static void sheaf_call_rcu(struct rcu_head *head,
			   void (*fn)(struct rcu_head *head))
{
	bool registered = URCU_TLS(urcu_memb_reader).registered;

	__atomic_fetch_add(&rcu_in_flight, 1, __ATOMIC_RELAXED);
	if (!registered)
		urcu_memb_register_thread();
	urcu_memb_call_rcu(head, fn);
	if (!registered)
		urcu_memb_unregister_thread();
}

/* a callback that frees runs as a CPU only while it does */
static bool callback_enter(void)
{
	return ksl_tls.gen == ksl_mm.generation;
}

/*
 * Every RCU callback ends with a release on this counter, and whoever
 * waited for them (rcu_barrier()) reads it with acquire: what liburcu
 * orders, said so that ThreadSanitizer sees it too.
 */
static unsigned long rcu_callbacks_done;

void ksl_rcu_callback_done(void)
{
	__atomic_fetch_add(&rcu_callbacks_done, 1, __ATOMIC_RELEASE);
}

void ksl_rcu_barrier_done(void)
{
	(void)__atomic_load_n(&rcu_callbacks_done, __ATOMIC_ACQUIRE);
}

static void callback_leave(bool had_cpu)
{
	if (!had_cpu)
		ksl_cpu_leave();
	/* release: a waiter that reads 0 (acquire) sees the callback's
	 * work, and every earlier callback's (one release sequence) */
	__atomic_fetch_sub(&rcu_in_flight, 1, __ATOMIC_RELEASE);
	ksl_rcu_callback_done();
}

/*
 * kmem_cache_destroy() and shutdown first wait for kvfree_rcu() frees in
 * flight (they may hold the cache's objects), as the kernel's
 * kvfree_rcu_barrier_on_cache(); nothing to wait for: no grace period.
 */
void ksl_kvfree_rcu_wait(void)
{
	if (!__atomic_load_n(&rcu_in_flight, __ATOMIC_ACQUIRE))
		return;
	urcu_memb_barrier();
	ksl_rcu_barrier_done();
}

/* the callback sees what the thread that queued the sheaf wrote: the
 * release/acquire pair on node says so where liburcu's queue cannot
 * (ThreadSanitizer does not see inside liburcu) */
static struct slab_sheaf *sheaf_of_head(struct rcu_head *head)
{
	struct slab_sheaf *sheaf =
		(struct slab_sheaf *)((char *)head -
				      offsetof(struct slab_sheaf, kslab_link));

	(void)__atomic_load_n(&sheaf->node, __ATOMIC_ACQUIRE);
	return sheaf;
}

static struct rcu_head *head_of_sheaf(struct slab_sheaf *sheaf)
{
	__atomic_store_n(&sheaf->node, 0, __ATOMIC_RELEASE);
	return (struct rcu_head *)(void *)&sheaf->kslab_link;
}

_Static_assert(sizeof(struct rcu_head) <=
		       sizeof(((struct slab_sheaf *)0)->kslab_link),
	       "rcu_head fits a sheaf's link");

/* rcu_free_sheaf_nobarn(): a flushed CPU's RCU sheaf */
static void rcu_free_sheaf_nobarn(struct rcu_head *head)
{
	struct slab_sheaf *sheaf = sheaf_of_head(head);
	struct kmem_cache *s = sheaf->cache;
	bool had = callback_enter();

	ksl_sheaf_flush_unused(s, sheaf);
	ksl_free_empty_sheaf(s, sheaf);
	callback_leave(had);
}

/* rcu_free_sheaf(): a full RCU sheaf becomes a full sheaf of the barn */
static void rcu_free_sheaf(struct rcu_head *head)
{
	struct slab_sheaf *sheaf = sheaf_of_head(head);
	struct kmem_cache *s = sheaf->cache;
	struct node_barn *barn = s->node.barn;
	bool had = callback_enter();

	if (sheaf->size && __atomic_load_n(&barn->nr_full, __ATOMIC_RELAXED) <
				   KSL_MAX_FULL_SHEAVES) {
		ksl_barn_put_full(barn, sheaf);
		goto out;
	}
	ksl_sheaf_flush_unused(s, sheaf);
	if (__atomic_load_n(&barn->nr_empty, __ATOMIC_RELAXED) <
	    KSL_MAX_EMPTY_SHEAVES)
		ksl_barn_put_empty(barn, sheaf);
	else
		ksl_free_empty_sheaf(s, sheaf);
out:
	callback_leave(had);
}

/* __kfree_rcu_sheaf(): false when no RCU sheaf could be had; the object
 * just put in, given again, is refused there (true) */
static bool kfree_rcu_sheaf(struct kmem_cache *s, void *obj,
			    unsigned long caller)
{
	struct node_barn *barn = s->node.barn;
	struct slub_percpu_sheaves *pcs;
	struct slab_sheaf *rcu, *empty;
	struct ksl_cpu_hold h;

	ksl_hold_cpu(s, &h);
	pcs = &h.c->pcs;
	if (!pcs->rcu_free) {
		if (pcs->spare && !pcs->spare->size) {
			pcs->rcu_free = pcs->spare;
			pcs->spare = NULL;
		} else if ((empty = ksl_barn_get_empty(barn))) {
			pcs->rcu_free = empty;
		} else {
			ksl_release_cpu(&h);
			empty = ksl_alloc_empty_sheaf(s, GFP_NOWAIT);
			if (!empty)
				return false;
			ksl_hold_cpu(s, &h);
			pcs = &h.c->pcs;
			if (pcs->rcu_free)
				ksl_barn_put_empty(barn, empty);
			else
				pcs->rcu_free = empty;
		}
	}
	rcu = pcs->rcu_free;
	if (rcu->size && rcu->objects[rcu->size - 1] == obj) {
		ksl_release_cpu(&h);
		ksl_double_free(s, obj, caller);
		return true;
	}
	rcu->objects[rcu->size++] = obj;
	if (rcu->size < s->sheaf_capacity) {
		rcu = NULL;
	} else {
		pcs->rcu_free = NULL; /* node 0: set by head_of_sheaf() */
	}
	/* before the CPU is let go, so that a flush cannot miss it */
	if (rcu)
		sheaf_call_rcu(head_of_sheaf(rcu), rcu_free_sheaf);
	ksl_release_cpu(&h);
	return true;
}

struct rcu_free_box {
	struct rcu_head head;
	void *ptr;
};

static void rcu_kfree_box(struct rcu_head *head)
{
	struct rcu_free_box *b = (struct rcu_free_box *)(void *)head;
	bool had = callback_enter();

	kfree(__atomic_load_n(&b->ptr, __ATOMIC_ACQUIRE));
	free(b);
	callback_leave(had);
}

/*
 * An RCU sheaf goes to the barn as a full sheaf after the grace period,
 * and its objects are handed out again as they are: what goes in must be
 * an object start of the cache (here), and not the object just put in
 * (kfree_rcu_sheaf()); the kernel checks neither, kslab refuses both, as
 * kmem_cache_free() does.
 */
static bool rcu_sheaf_refuses(struct kmem_cache *s, struct slab *slab,
			      void *ptr, unsigned long caller)
{
	unsigned long off = (unsigned long)((char *)ptr - (char *)slab->base);

	if (off < slab->span && obj_aligned(s, off))
		return false;
	ksl_refuse_interior("kvfree_call_rcu", s, slab, ptr, off, caller);
	return true;
}

void kvfree_call_rcu(struct rcu_head *head, void *ptr)
{
	struct slab *slab = ksl_slab_of_fast(ptr);
	struct kmem_cache *s = slab ? slab->slab_cache : NULL;
	struct rcu_free_box *b;

	(void)head; /* kslab keeps its own box for the callback */
	if (ZERO_OR_NULL_PTR(ptr))
		return;
	if (s && s->cpu_sheaves) {
		if (rcu_sheaf_refuses(s, slab, ptr, _RET_IP_) ||
		    kfree_rcu_sheaf(s, ptr, _RET_IP_))
			return;
	}
	b = malloc(sizeof(*b));
	if (!b) {
		urcu_memb_synchronize_rcu();
		kfree(ptr);
		return;
	}
	__atomic_store_n(&b->ptr, ptr, __ATOMIC_RELEASE);
	sheaf_call_rcu(&b->head, rcu_kfree_box);
}

/* ---- flushing ------------------------------------------------------------- */

/* A CPU's RCU sheaf, taken from it (CPU excluded and locked here). */
struct slab_sheaf *ksl_pcs_detach_rcu(struct kmem_cache *s, unsigned int cpu)
{
	bool excl = ksl_cpu_exclude_begin(cpu);
	struct slab_sheaf *rcu;

	ksl_spin_lock(&s->cpu_slab[cpu].lock);
	rcu = ksl_pcs(s, cpu)->rcu_free;
	ksl_pcs(s, cpu)->rcu_free = NULL;
	ksl_spin_unlock(&s->cpu_slab[cpu].lock);
	ksl_cpu_exclude_end(cpu, excl);
	return rcu;
}

/*
 * pcs_flush_all() of one CPU from any thread: its spare freed, its RCU
 * sheaf to call_rcu(), its main's objects to the slabs in batches (the
 * frees run as the calling thread's CPU; ksl_flush_all_cpus() flushes
 * every CPU's slabs afterwards, so where they went first does not last).
 */
static void pcs_flush_cpu(struct kmem_cache *s, unsigned int cpu)
{
	struct slub_percpu_sheaves *pcs = ksl_pcs(s, cpu);
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	void *batch[KSL_PCS_BATCH_MAX];
	struct slab_sheaf *spare, *rcu;
	unsigned int nr;
	bool excl;

	do {
		excl = ksl_cpu_exclude_begin(cpu);
		ksl_spin_lock(&c->lock);
		spare = pcs->spare;
		rcu = pcs->rcu_free;
		pcs->spare = pcs->rcu_free = NULL;
		nr = ksl_min(KSL_PCS_BATCH_MAX, pcs_main_size(pcs));
		pcs->top -= nr;
		memcpy(batch, pcs->top, nr * sizeof(void *));
		if (rcu)
			sheaf_call_rcu(head_of_sheaf(rcu),
				       rcu_free_sheaf_nobarn);
		ksl_spin_unlock(&c->lock);
		ksl_cpu_exclude_end(cpu, excl);
		if (spare) {
			ksl_sheaf_flush_unused(s, spare);
			ksl_free_empty_sheaf(s, spare);
		}
		ksl_sheaf_objects_to_slabs(s, nr, batch);
	} while (nr);
}

void ksl_sheaves_flush_all(struct kmem_cache *s)
{
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++)
		pcs_flush_cpu(s, cpu);
}

/* kmem_cache_destroy(): the CPUs' sheaves, the RCU sheaves in flight,
 * then the barn, all to the slabs (before the CPUs' slabs are flushed) */
void ksl_sheaves_shutdown(struct kmem_cache *s)
{
	if (!s->cpu_sheaves)
		return;
	ksl_sheaves_flush_all(s);
	/* its RCU sheaves in flight come back to its barn: a grace period
	 * only when some are (milliseconds for every destroy otherwise) */
	ksl_kvfree_rcu_wait();
	ksl_barn_shrink(s, s->node.barn);
}

void kvfree_rcu_barrier(void)
{
	if (!ksl_mm.booted)
		return;
	pthread_mutex_lock(&ksl_slab_mutex);
	for (struct kmem_cache *s = ksl_slab_caches; s; s = s->list_next) {
		if (!s->cpu_sheaves)
			continue;
		for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
			struct slab_sheaf *rcu = ksl_pcs_detach_rcu(s, cpu);

			if (rcu)
				sheaf_call_rcu(head_of_sheaf(rcu),
					       rcu_free_sheaf);
		}
	}
	pthread_mutex_unlock(&ksl_slab_mutex);
	ksl_kvfree_rcu_wait();
}

/* ---- what the views count ------------------------------------------------ */

/* objects held by the CPUs' sheaves and the barn's full ones */
unsigned long ksl_sheaves_objects(struct kmem_cache *s, unsigned int *nr_full,
				  unsigned int *nr_empty)
{
	unsigned long nr;

	*nr_full = *nr_empty = 0;
	if (!s->cpu_sheaves)
		return 0;
	nr = ksl_barn_objects(s->node.barn, nr_full, nr_empty);
	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++) {
		struct slub_percpu_sheaves *pcs = ksl_pcs(s, cpu);
		bool excl = ksl_cpu_exclude_begin(cpu);

		ksl_spin_lock(&s->cpu_slab[cpu].lock);
		nr += pcs_main_size(pcs);
		nr += pcs->spare ? pcs->spare->size : 0;
		nr += pcs->rcu_free ? pcs->rcu_free->size : 0;
		ksl_spin_unlock(&s->cpu_slab[cpu].lock);
		ksl_cpu_exclude_end(cpu, excl);
	}
	return nr;
}
