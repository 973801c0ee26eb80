// SPDX-License-Identifier: MIT
/*
 * What a test harness needs from the slab layer beside the allocator:
 *
 *   - (fault injection, the failslab hook and the kernel's failslab
 *     attributes, is failslab.c's)
 *   - exact in-use counts: objects handed out and not yet freed, counted
 *     from the slabs (slabinfo's active_objs also counts the objects on
 *     the CPUs' lists), and the number of frees kslab refused.
 *   - kmem_cache_alloc_lru() (the list_lru is the memcg's; kslab has none).
 *   - under ASan, the poisoning of free objects (KSLAB_ASAN below): a
 *     free object, and every object of a new slab, is poisoned; an
 *     allocation unpoisons its object_size bytes before __GFP_ZERO; a
 *     slab's pages are unpoisoned before they go back to the page
 *     allocator. The free pointer is read and written unchecked (get_fp).
 *     SLAB_TYPESAFE_BY_RCU objects stay readable after a free, as the
 *     kernel's KASAN keeps them.
 *
 * Invariant: nothing here changes a slab's lists; the counts only read
 * them, under the locks that guard them.
 */
#include <errno.h>
#include "slab/slab_internal.h"
#include "slab/sheaf.h"
#ifdef KSLAB_ASAN
#include <stdio.h>
#include <sanitizer/asan_interface.h>
#endif

static atomic_ulong nr_refused_frees;

void ksl_count_refused_free(void)
{
	atomic_fetch_add_explicit(&nr_refused_frees, 1, memory_order_relaxed);
}

unsigned long kslab_refused_frees(void)
{
	return atomic_load_explicit(&nr_refused_frees, memory_order_relaxed);
}

void *kmem_cache_alloc_lru(struct kmem_cache *s, struct list_lru *lru,
			   gfp_t flags)
{
	(void)lru;
	return ksl_cache_alloc_caller(s, flags, _RET_IP_);
}

/* ---- exact in-use counts ------------------------------------------------ */

/* a CPU freelist's length; bounded by the slab's objects (a double free
 * the fast path missed makes a cycle) */
static unsigned long chain_len(const struct kmem_cache *s,
			       const struct slab *slab, void *p)
{
	unsigned long n = 0;

	for (; p && n < slab->objects; p = get_fp(s, p))
		n++;
	return n;
}

/* free objects a frozen slab holds: its freelist and its CPU's lists */
static unsigned long frozen_free(const struct slab *slab, unsigned long cpu_nr)
{
	return slab->objects - slab_inuse(slab) + cpu_nr;
}

/* free objects on one CPU's slabs of s (the CPU held under c->lock) */
static unsigned long cpu_free_objects(struct kmem_cache *s, unsigned int cpu)
{
	struct kmem_cache_cpu *c = &s->cpu_slab[cpu];
	bool excl = ksl_cpu_exclude_begin(cpu);
	unsigned long nr = 0;

	ksl_spin_lock(&c->lock);
	if (c->slab)
		nr += frozen_free(c->slab, chain_len(s, c->slab, c->freelist));
	for (struct slab *slab = c->partial; slab; slab = slab->next)
		nr += frozen_free(slab, slab->local_nr);
	ksl_spin_unlock(&c->lock);
	ksl_cpu_exclude_end(cpu, excl);
	return nr;
}

/*
 * Objects handed out and not freed: every object of the cache's slabs
 * less the free ones, wherever they are. Exact when no other thread
 * allocates or frees from s meanwhile.
 */
static unsigned long cache_in_use(struct kmem_cache *s)
{
	long total = atomic_load(&s->node.total_objects);
	unsigned long free_objs = ksl_node_free_objects(s);

	for (unsigned int cpu = 0; cpu < ksl_mm.nr_cpus; cpu++)
		free_objs += cpu_free_objects(s, cpu);
	if (s->cpu_sheaves) { /* handed to sheaves, not to their users */
		unsigned int nr_full, nr_empty;

		free_objs += ksl_sheaves_objects(s, &nr_full, &nr_empty);
	}
	return total > (long)free_objs ? (unsigned long)total - free_objs : 0;
}

int kslab_cache_usage(struct kmem_cache *s, struct kslab_cache_usage *out)
{
	if (!s || !out)
		return -EINVAL;
	out->in_use = cache_in_use(s);
	out->object_size = s->object_size;
	out->aliases = s->refcount > 1 ? (unsigned int)s->refcount - 1 : 0;
	return 0;
}

/* ---- ASan ----------------------------------------------------------------- */
#ifdef KSLAB_ASAN
/*
 * Caches whose free objects kslab itself reads stay unpoisoned: SLUB
 * debugging checks the poison and red zones of free objects, and
 * sheaves hold objects taken from the slabs by paths that hand them to
 * no user (their own poisoning would need every sheaf path to follow).
 */
static bool kasan_skips(const struct kmem_cache *s)
{
	return s->cpu_sheaves || (s->flags & SLAB_DEBUG_FLAGS);
}

void ksl_kasan_alloc(const struct kmem_cache *s, void *obj)
{
	__asan_unpoison_memory_region(obj, s->object_size);
}

void ksl_kasan_free(const void *obj)
{
	struct slab *slab = ksl_slab_of_fast(obj);
	struct kmem_cache *s;
	unsigned long off;

	if (!slab)
		return;
	s = slab->slab_cache;
	off = (unsigned long)((const char *)obj - (const char *)slab->base);
	if (!s || (s->flags & SLAB_TYPESAFE_BY_RCU) || kasan_skips(s) ||
	    off >= slab->span || !obj_aligned(s, off))
		return;
	__asan_poison_memory_region(obj, s->object_size);
}

void ksl_kasan_new_slab(const struct kmem_cache *s, const struct slab *slab)
{
	if (kasan_skips(s))
		return;
	/* objects are only poisoned inside a span poisoned here */
	ksl_physmem_note_poison(slab->base, slab->span);
	__asan_poison_memory_region(slab->base, slab->span);
}

void ksl_kasan_unpoison(const void *addr, size_t len)
{
	__asan_unpoison_memory_region(addr, len);
}

/*
 * After ASan printed a report (its error report callback, set when the
 * library loads): name the slab object the bad address falls in. A
 * program that sets its own callback replaces this one.
 */
static void kasan_report(const char *report)
{
	void *addr = __asan_get_report_address();
	struct slab *slab = addr ? ksl_slab_of_fast(addr) : NULL;
	struct kmem_cache *s = slab ? slab->slab_cache : NULL;
	unsigned long off;

	(void)report;
	if (!s)
		return;
	off = (unsigned long)((char *)addr - (char *)slab->base);
	if (off >= slab->span)
		return;
	fprintf(stderr,
		"kslab: %p is %lu bytes into object %p of cache %s (object size %u)\n",
		addr, off % s->size,
		(void *)((char *)slab->base + off - off % s->size), s->name,
		s->object_size);
}

__attribute__((constructor)) static void kasan_report_init(void)
{
	__asan_set_error_report_callback(kasan_report);
}
#endif
