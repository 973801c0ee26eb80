// SPDX-License-Identifier: MIT
/*
 * Caches that are gone: destroyed by kmem_cache_destroy(), or dropped by
 * kslab_shutdown() with the machine. A caller may still hold a pointer to
 * one (a second destroy, a free after shutdown), so a dead cache's struct
 * kmem_cache is not given back to the host at once: it is marked dead,
 * its per-CPU array freed and replaced by ksl_dead_cpu_slab (every CPU
 * with no active slab, no partial slab and an empty freelist), and kept
 * on a graveyard of at most KSL_GRAVEYARD_MAX caches, oldest freed first.
 *
 * So the inline fast paths need no test of their own: an allocation from
 * a dead cache finds no object on its CPU's freelist, a free finds no
 * slab of its CPU, and both fall to the slow paths, which see the dead
 * mark (ksl_dead_cache()) and refuse with a message naming the cache.
 * The graveyard is changed under ksl_slab_mutex only.
 */
#include <stdlib.h>
#include "slab/slab_internal.h"

#define KSL_GRAVEYARD_MAX 4096

/* what every dead cache's per-CPU pointer aims at; nothing writes its
 * lists (only its locks are taken) */
struct kmem_cache_cpu ksl_dead_cpu_slab[KSL_MAX_CPUS] = {
	[0 ... KSL_MAX_CPUS - 1] = { .last_local = &ksl_no_slab },
};

static struct kmem_cache *ksl_graveyard[KSL_GRAVEYARD_MAX];
static unsigned int ksl_graveyard_next;

struct kmem_cache *ksl_bury_cache(struct kmem_cache *s)
{
	struct kmem_cache *evicted;

	if (s->cpu_slab != ksl_dead_cpu_slab)
		free(s->cpu_slab);
	s->cpu_slab = ksl_dead_cpu_slab;
	s->inert |= KSL_CACHE_DEAD;
	s->list_next = s->list_prev = NULL;
	evicted = ksl_graveyard[ksl_graveyard_next];
	ksl_graveyard[ksl_graveyard_next] = s;
	ksl_graveyard_next = (ksl_graveyard_next + 1) % KSL_GRAVEYARD_MAX;
	return evicted;
}

__attribute__((noinline)) void ksl_dead_cache(const struct kmem_cache *s,
					      const char *what,
					      unsigned long caller)
{
	ksl_pr_ratelimited(
		20,
		"BUG: %s(%s): the cache was destroyed (or its machine shut down); refused (caller %p)",
		what, s->name, (void *)caller);
}
