/* SPDX-License-Identifier: MIT */
/*
 * The harnesses that create and destroy caches fill kslab's dead-cache
 * graveyard first (src/slab/slab_dead.c keeps up to KSL_GRAVEYARD_MAX
 * destroyed caches so that a late free into one is caught): from then on
 * each destroy frees the oldest dead cache, so an input frees as many
 * host blocks as it allocates, and libFuzzer's per-input leak check
 * (which runs a whole LeakSanitizer pass whenever an input allocated
 * more than it freed, and gives up after 1000 such inputs) stays cheap
 * and on for the whole run. Call on a booted machine.
 */
#ifndef KSLAB_FUZZ_GRAVEYARD_H
#define KSLAB_FUZZ_GRAVEYARD_H

#include <stdlib.h>
#include <kslab/kslab.h>

/* KSL_GRAVEYARD_MAX of src/slab/slab_dead.c */
#define GRAVEYARD_SIZE 4096

static inline void fuzz_fill_graveyard(void)
{
	for (int i = 0; i < GRAVEYARD_SIZE; i++) {
		struct kmem_cache *s = kmem_cache_create("fuzz_fill", 8, 0,
							 SLAB_NO_MERGE, NULL);

		if (!s)
			abort();
		kmem_cache_destroy(s);
	}
}

#endif
